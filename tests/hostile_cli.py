#!/usr/bin/env python3
"""The hostile-input table (tests/data/hostile/cases.tsv) through `asff fmt`, with and without
--skip-invalid: the findings written and the exit status must match the table, and a run never
exits 0 with a finding lost. Then issue 20's check: a 300-line NDJSON mix of good and bad lines,
where --skip-invalid writes every valid finding and reports every bad line at its own line number.

usage: hostile_cli.py ASFF_BINARY CASES_TSV
"""
import os
import random
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hostile_table  # noqa: E402

asff, table = sys.argv[1], sys.argv[2]
env = dict(os.environ, AWS_EC2_METADATA_DISABLED="true", LC_ALL="C")
failures = []


def fmt(path, skip):
    args = [asff, "fmt"] + (["--skip-invalid"] if skip else []) + [path]
    r = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, timeout=60)
    return r.returncode, r.stdout.count(b"\n"), r.stderr


with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "case")
    cases = hostile_table.load(table)
    n = len(cases)
    for case in cases:
        name, st, cnt, sst, scnt, sskip, spec = case[:7]
        with open(path, "wb") as out:
            out.write(case.data)
        modes = ((False, st, int(cnt)), (True, sst, int(scnt)))
        if len(spec) > 2 * 65536 or "*" in spec:
            modes = modes[1:]  # the big inputs once (the C test runs them every way)
        for skip, status, count in modes:
            rc, lines, err = fmt(path, skip)
            bad = status != "ASFF_OK" or (skip and int(sskip) > 0)
            want_rc = 1 if bad else 0
            # every error and every skipped item is reported on stderr, each with its position
            reports = [l for l in err.decode("utf-8", "replace").splitlines() if l.startswith("asff: ")]
            want_reports = (int(sskip) if skip else 0) + (status != "ASFF_OK")
            positioned = all(re.match(r"asff: .*: line \d+, column \d+: ", l) for l in reports)
            if rc != want_rc or lines != count or len(reports) != want_reports or not positioned:
                failures.append("%s (skip %s): exit %d, %d findings, %d reports; expected exit %d, %d findings, "
                                "%d reports %s" % (name, skip, rc, lines, len(reports), want_rc, count,
                                                  want_reports, reports[:2]))
            if rc == 0 and lines < count:
                failures.append("%s: exit 0 with a finding lost" % name)
    if n < 300:
        failures.append("only %d cases in the table" % n)

    # issue 20: 300 lines, good and bad mixed (deterministic)
    rng = random.Random(20)
    bad_lines = [b"42", b'"s"', b"null", b'{"Title":', b'{"Title": ', b'{"Id":"x",', b'{"Id":"x"', b"{",
                 b'{"Types":[', b"[", b'{"Id":1}', b'{"Id":"a","Id":"b"}', b"xyz", b'{"Title":"\xc0\xaf"}',
                 b'{"Title":"\xed\xa0\x80"}', b'{"Title":"\xf4\x90\x80\x80"}', b'{"Title":"\\ud800"}',
                 b'{"Confidence":01}', b'{"Severity":{"Product":1e999}}', b'{"a":' * 70, b'{"Id":"x', b"}",
                 b'{"Title":"' + b"x" * 1100000 + b'"}']
    lines, good_ids, bad_at = [], [], []
    for i in range(300):
        if rng.random() < 0.34:
            lines.append(rng.choice(bad_lines))
            bad_at.append(i + 1)
        else:
            gid = "g%03d" % i
            good_ids.append(gid)
            lines.append(b'{"Id":"%s","Title":"t"}' % gid.encode())
    mix = os.path.join(tmp, "mix.ndjson")
    with open(mix, "wb") as out:
        out.write(b"\n".join(lines) + b"\n")
    r = subprocess.run([asff, "fmt", "--skip-invalid", mix], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       env=env, timeout=60)
    got_ids = re.findall(rb'"Id":"(g\d+)"', r.stdout)
    reported = [int(m) for m in re.findall(rb"mix\.ndjson: line (\d+),", r.stderr)]
    if [g.decode() for g in got_ids] != good_ids:
        failures.append("300-line mix: %d of %d valid findings written" % (len(got_ids), len(good_ids)))
    if reported != bad_at:
        failures.append("300-line mix: bad lines not reported: %s; reported but good: %s"
                        % ([(i, lines[i - 1][:40]) for i in sorted(set(bad_at) - set(reported))],
                           sorted(set(reported) - set(bad_at))))
    if r.returncode != 1:
        failures.append("300-line mix: exit %d, expected 1" % r.returncode)
    print("300-line mix: %d valid findings of %d written, %d bad lines reported at their lines"
          % (len(got_ids), len(good_ids), len(reported)))

for f in failures:
    print("FAIL", f)
print("%d cases, %d failures" % (n, len(failures)))
sys.exit(1 if failures else 0)
