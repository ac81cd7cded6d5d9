#!/usr/bin/env python3
"""The hostile-input table (tests/data/hostile/cases.tsv, loaded by hostile_table.py) through every
reader and every command that reads findings (issue 11; docs/codec.md, "Hostile inputs").

For each case and each command: either a message that carries the case's file and position (line
and column) and a non-zero exit, or exactly the findings the case holds, counted in what comes out;
never exit 0 with a finding lost, never a signal, never a raw control byte on stdout or stderr.

The commands take many files, read each on its own and go on after a bad one, so the cases run in
batches (startup dominates otherwise): each case file is followed by a marker file holding one
finding with Id MARK-N, which splits the output of every order-keeping command back into cases;
errors are told apart by their file name. A batch that dies of a signal is run again case by case.

  hostile_commands.py ASFF_BINARY CASES_TSV          the CLI (ctest hostile_commands), asff import
                                                     against moto_server included
  hostile_commands.py --python LIBASFF CASES_TSV     asff.load and asff.iter_findings over the built
                                                     bindings (ctest hostile_python)
"""
import concurrent.futures
import csv
import io
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import hostile_table  # noqa: E402

csv.field_size_limit(1 << 30)
OK = "ASFF_OK"
# raw control bytes: C0 (tab, LF and CR aside: CSV ends its lines with CRLF) and DEL
CONTROL_OUT = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
CONTROL_ERR = re.compile(rb"[\x00-\x09\x0b-\x1f\x7f]")
RULE = ('{"RuleName":"r","RuleOrder":1,"RuleStatus":"ENABLED","Description":"d","Criteria":{"Title":'
        '[{"Value":"never-this","Comparison":"NOT_EQUALS"}]},"Actions":[{"Type":"FINDING_FIELDS_UPDATE",'
        '"FindingFieldsUpdate":{"Note":{"Text":"n","UpdatedBy":"u"}}}]}')
TITLE_T = '{"Title":[{"Value":"t","Comparison":"EQUALS"}]}'  # a value the prefilter can look for
NOW = "2024-01-01T00:00:00Z"
BATCH = 24


def marker(i):
    return b'{"Id":"MARK-%d","Title":"t"}\n' % i


# How the findings that came out are split into cases: items in output order, each a marker or not.
def ndjson_items(out):
    return [b"MARK-" in line for line in out.split(b"\n") if line.strip()]


def json_items(out, member=None):
    v = json.loads(out)
    return [str(f.get("Id", "")).startswith("MARK-") for f in (v[member] if member else v)]


def csv_items(out):
    rows = list(csv.reader(io.StringIO(out.decode("utf-8"), newline="")))
    return [r[0].startswith("MARK-") for r in rows[1:]]


def insight_total(out):
    m = re.match(rb"# (\d+) matching finding", out)
    return int(m.group(1)) if m else None


def sorted_total(out):
    return len(json.loads(out))


# (label, arguments, split: output -> [is marker] in order, or total: output -> findings in all,
#  with --skip-invalid)
COMMANDS = [
    ("fmt-ndjson", ["fmt"], ndjson_items, None, False),
    ("fmt-array", ["fmt", "--format", "array"], json_items, None, False),
    ("fmt-batch", ["fmt", "--format", "batch"], lambda o: json_items(o, "Findings"), None, False),
    ("fmt-pretty", ["fmt", "--format", "pretty"], json_items, None, False),
    ("fmt-csv", ["fmt", "--format", "csv"], csv_items, None, False),
    ("fmt-csv-skip", ["fmt", "--format", "csv", "--skip-invalid"], csv_items, None, True),
    # normalize reads past unreadable findings, as --skip-invalid does (docs/validate.md)
    ("normalize", ["normalize", "--quiet"], ndjson_items, None, True),
    ("normalize-pretty", ["normalize", "--quiet", "--format", "pretty"], json_items, None, True),
    ("filter", ["filter"], ndjson_items, None, False),
    ("filter-skip", ["filter", "--skip-invalid"], ndjson_items, None, True),
    ("filter-sort", ["filter", "--sort", "Title:desc", "--format", "array"], None, sorted_total, False),
    ("filter-sort-limit", ["filter", "--sort", "Id", "--limit", "100000", "--format", "array"], None, sorted_total, False),
    ("insight", ["insight", "--group-by", "Title", "--max", "0"], None, insight_total, False),
    ("insight-skip", ["insight", "--group-by", "Title", "--skip-invalid"], None, insight_total, True),
    ("rules", ["rules", "apply", "@RULE", "--quiet", "--now", NOW], ndjson_items, None, False),
    ("rules-skip", ["rules", "apply", "@RULE", "--quiet", "--skip-invalid", "--now", NOW], ndjson_items, None, True),
    ("convert-ocsf", ["convert", "--to", "ocsf"], ndjson_items, None, False),
    ("convert-ocsf-skip", ["convert", "--to", "ocsf", "--skip-invalid"], ndjson_items, None, True),
    ("fmt-partition", ["fmt", "--partition-by", "region/account", "-o", "@DIR"], None, "@DIR", False),
    # update lists each (Id, ProductArn) once, so the cases' repeated Ids are not counted here
    ("update-dry-run", ["update", "--dry-run", "--region", "us-east-1", "--workflow", "RESOLVED"], None, None, False),
]


def partition_total(out_dir):
    n = 0
    for root, _, names in os.walk(out_dir):
        for name in names:
            with open(os.path.join(root, name), "rb") as f:
                n += len(ndjson_items(f.read()))
    return n


def want(case, skip):
    """(findings, reports) the table states for this mode: reports are the positioned messages,
    one per error and one per skipped item."""
    if skip:
        return case.skip_count, case.skipped + (case.skip_status != OK)
    return case.count, int(case.status != OK)


def reports_of(err, path):
    """The positioned messages about one file."""
    pat = re.compile(rb"^asff: " + re.escape(path.encode()) + rb": line \d+, column \d+: ", re.M)
    return len(pat.findall(err))


def streams(where, out, err):
    bad = []
    if CONTROL_OUT.search(out):
        bad.append("%s: a raw control byte on stdout: %r" % (where, CONTROL_OUT.search(out).group()))
    if CONTROL_ERR.search(err):
        bad.append("%s: a raw control byte on stderr: %r" % (where, CONTROL_ERR.search(err).group()))
    return bad


def split(items, n):
    """Findings per case from the output's items: case k's findings come before marker k."""
    counts, cur = [], 0
    for is_marker in items:
        if is_marker:
            counts.append(cur)
            cur = 0
        else:
            cur += 1
    return counts if len(counts) == n and cur == 0 else None


class Batch:
    def __init__(self, tmp, first, cases):
        self.cases = cases
        self.tmp = tmp
        self.files = []
        for k, case in enumerate(cases):
            path = os.path.join(tmp, "case-%d" % (first + k))
            mark = os.path.join(tmp, "mark-%d" % (first + k))
            with open(path, "wb") as f:
                f.write(case.data)
            with open(mark, "wb") as f:
                f.write(marker(first + k))
            self.files.append((path, mark))

    def args(self):
        return [p for pair in self.files for p in pair]


def run(argv):
    r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV, timeout=300)
    return r.returncode, r.stdout, r.stderr


def judge_command(asff, rule, batch, cmd):
    label, args, splitter, total, skip = cmd
    out_dir = tempfile.mkdtemp(dir=batch.tmp)
    argv = [asff] + [{"@RULE": rule, "@DIR": out_dir}.get(a, a) for a in args]
    rc, out, err = run(argv + batch.args())
    if total == "@DIR":
        total = lambda _: partition_total(out_dir)  # noqa: E731
    where = "%s [%s .. %s]" % (label, batch.cases[0].name, batch.cases[-1].name)
    if rc < 0 or rc > 3:
        if len(batch.cases) > 1:   # find the case
            return [f for k, c in enumerate(batch.cases)
                    for f in judge_command(asff, rule, Batch(os.path.dirname(batch.files[k][0]),
                                                             10000 + int(batch.files[k][0].rsplit("-", 1)[1]), [c]), cmd)]
        return ["%s %s: exit %d (a signal or an undocumented status): %r" % (batch.cases[0].name, label, rc, err[-300:])]
    fails = streams(where, out, err)
    wanted = [want(c, skip) for c in batch.cases]
    bad_input = any(w[1] for w in wanted)
    if rc != (1 if bad_input else 0):
        fails.append("%s: exit %d, expected %d: %r" % (where, rc, 1 if bad_input else 0, err[-300:]))
    for (path, _), case, (count, nrep) in zip(batch.files, batch.cases, wanted):
        got = reports_of(err, path)
        if got != nrep:
            fails.append("%s %s: %d positioned messages, expected %d: %r"
                         % (case.name, label, got, nrep, [l for l in err.split(b"\n") if path.encode() in l][:2]))
    if splitter:
        try:
            counts = split(splitter(out), len(batch.cases))
        except Exception as e:
            counts, why = None, "%s: %s" % (type(e).__name__, e)
        else:
            why = "the markers are not in order"
        if counts is None:
            fails.append("%s: the output does not split into cases (%s)" % (where, why))
        else:
            for case, n, (count, _) in zip(batch.cases, counts, wanted):
                if n != count:
                    fails.append("%s %s: %d findings out, the case holds %d" % (case.name, label, n, count))
    elif total:
        try:
            n = total(out)
        except Exception:
            n = None
        expect = sum(w[0] for w in wanted) + len(batch.cases)
        if n != expect:
            fails.append("%s: %s findings in all, the cases hold %d (markers included)" % (where, n, expect))
    return fails


def judge_validate(asff, batch, extra=()):
    """validate reads past bad items (docs/validate.md): every finding counted, every input error
    listed with its position, one JSON object per file."""
    rc, out, err = run([asff, "validate", "--format", "json"] + list(extra) + batch.args())
    where = "validate%s [%s .. %s]" % ("".join(" " + a for a in extra), batch.cases[0].name, batch.cases[-1].name)
    if rc not in (0, 1):
        return ["%s: exit %d: %r" % (where, rc, err[-300:])]
    fails = streams(where, out, err)
    reports = {}
    for line in out.split(b"\n"):
        if line.strip():
            v = json.loads(line)
            reports[v["file"]] = v
    for (path, _), case in zip(batch.files, batch.cases):
        v = reports.get(path)
        if v is None:
            fails.append("%s validate: no report for the file" % case.name)
            continue
        errs = v["input_error_list"]
        if not all(e.get("line", 0) > 0 and e.get("column", 0) > 0 for e in errs):
            fails.append("%s validate: an input error without its position: %r" % (case.name, errs[:2]))
        if v["input_errors"] != case.skipped + (case.skip_status != OK):
            fails.append("%s validate: %d input errors, the table says %d skipped and %s"
                         % (case.name, v["input_errors"], case.skipped, case.skip_status))
        if v["findings"] != case.skip_count:
            fails.append("%s validate: %d findings counted, the case holds %d" % (case.name, v["findings"], case.skip_count))
    return fails


def judge_prefilter(asff, batch):
    """--prefilter skips lines that cannot match unparsed, so a broken one is not always reported;
    but every finding that passes must still come out (those of the same filter with
    --skip-invalid), and what is reported carries its position."""
    rc, out, err = run([asff, "filter", "--prefilter", "--filters", TITLE_T] + batch.args())
    _, rout, rerr = run([asff, "filter", "--skip-invalid", "--filters", TITLE_T] + batch.args())
    where = "filter-prefilter [%s .. %s]" % (batch.cases[0].name, batch.cases[-1].name)
    if rc not in (0, 1):
        return ["%s: exit %d: %r" % (where, rc, err[-300:])]
    fails = streams(where, out, err)
    got, ref = split(ndjson_items(out), len(batch.cases)), split(ndjson_items(rout), len(batch.cases))
    if got is None or ref is None:
        return fails + ["%s: the output does not split into cases" % where]
    for (path, _), case, n, r in zip(batch.files, batch.cases, got, ref):
        if n != r and not reports_of(err, path):
            fails.append("%s filter --prefilter: %d findings out, %d pass the filter, and no message" % (case.name, n, r))
        if reports_of(err, path) > reports_of(rerr, path):
            fails.append("%s filter --prefilter: more messages than without" % case.name)
    if rc == 0 and any(reports_of(err, p) for p, _ in batch.files):
        fails.append("%s: exit 0 after an error" % where)
    return fails


def judge_import(asff, batch, url, env):
    """asff import against moto_server (--no-validate: the table's findings lack the required
    members and moto refuses them, which does not matter here: the findings read are counted in
    the summary line, every bad input is reported at its position)."""
    argv = [asff, "import", "--no-validate", "--no-rate-limit", "--failed", os.devnull, "--endpoint-url", url]
    r = subprocess.run(argv + batch.args(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, timeout=300)
    where = "import [%s .. %s]" % (batch.cases[0].name, batch.cases[-1].name)
    if r.returncode < 0 or r.returncode > 3:
        return ["%s: exit %d: %r" % (where, r.returncode, r.stderr[-300:])]
    fails = streams(where, r.stdout, r.stderr)
    m = re.search(rb"asff import: (\d+) findings", r.stderr)
    expect = sum(c.count for c in batch.cases) + len(batch.cases)
    if not m or int(m.group(1)) != expect:
        fails.append("%s: %s findings read, the cases hold %d (markers included): %r"
                     % (where, m and m.group(1), expect, r.stderr[-300:]))
    for (path, _), case in zip(batch.files, batch.cases):
        if reports_of(r.stderr, path) != int(case.status != OK):
            fails.append("%s import: %d positioned messages for %s input" % (case.name, reports_of(r.stderr, path), case.status))
    return fails


def cli(asff, cases):
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        rule = os.path.join(tmp, "rule.json")
        with open(rule, "w") as f:
            f.write(RULE)
        batches = [Batch(tmp, i, cases[i:i + BATCH]) for i in range(0, len(cases), BATCH)]
        harness = subprocess.Popen([sys.executable, os.path.join(HERE, "servers", "moto_harness")],
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        try:
            line = harness.stdout.readline()
            if not line.startswith("PORT "):
                return ["moto_harness did not start"], 0
            url = "http://127.0.0.1:%d" % int(line.split()[1])
            env = dict(ENV, AWS_ACCESS_KEY_ID="AKIDHOSTILE", AWS_SECRET_ACCESS_KEY="s", AWS_REGION="us-east-1",
                       AWS_CONFIG_FILE="/nonexistent/c", AWS_SHARED_CREDENTIALS_FILE="/nonexistent/k",
                       NO_PROXY="127.0.0.1")
            for k in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SECURITYHUB", "AWS_SESSION_TOKEN"):
                env.pop(k, None)
            subprocess.run([asff, "call", "EnableSecurityHub", "--endpoint-url", url], env=env, capture_output=True)
            jobs = []
            with concurrent.futures.ThreadPoolExecutor(int(os.environ.get("HOSTILE_JOBS", "3"))) as pool:
                for b in batches:
                    jobs += [pool.submit(judge_command, asff, rule, b, c) for c in COMMANDS]
                    jobs += [pool.submit(judge_validate, asff, b), pool.submit(judge_validate, asff, b, ["--batch"]),
                             pool.submit(judge_prefilter, asff, b),
                             pool.submit(judge_import, asff, b, url, env)]
                for j in jobs:
                    failures += j.result()
        finally:
            harness.stdin.close()
            harness.wait()
    return failures, len(batches) * (len(COMMANDS) + 5)


def python_readers(lib, cases):
    os.environ["ASFF_LIBRARY"] = lib
    sys.path.insert(0, os.path.join(os.path.dirname(HERE), "bindings", "python"))
    import asff  # noqa: E402
    fails, runs = [], 0

    def count(label, source, path):
        if label.startswith("load"):
            return len(asff.load(source)), None
        n = 0
        with (open(path, "rb") if source is None else open(os.devnull)) as fh:
            with asff.iter_findings(fh if source is None else source) as it:
                try:
                    for _ in it:
                        n += 1
                except asff.AsffError as e:
                    return n, e
        return n, None

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "case")
        for case in cases:
            with open(path, "wb") as f:
                f.write(case.data)
            for label, source in (("load(path)", path), ("load(bytes)", case.data), ("iter_findings(path)", path),
                                  ("iter_findings(file)", None)):
                runs += 1
                try:
                    n, e = count(label, source, path)
                except asff.AsffError as ex:
                    n, e = 0, ex
                if e is None:
                    if case.status != OK or n != case.count:
                        fails.append("%s %s: %d findings, no error; the case holds %d (%s)"
                                     % (case.name, label, n, case.count, case.status))
                    continue
                if e.status != case.status or e.line <= 0 or e.column <= 0:
                    fails.append("%s %s: %s at line %d, column %d; the table says %s"
                                 % (case.name, label, e.status, e.line, e.column, case.status))
                if label.startswith("iter") and n != case.count:
                    fails.append("%s %s: %d findings before the error, the case holds %d" % (case.name, label, n, case.count))
                if CONTROL_ERR.search(str(e).encode("utf-8", "surrogateescape")):
                    fails.append("%s %s: a raw control character in the message %r" % (case.name, label, str(e)))
    return fails, runs


def main():
    global ENV
    ENV = dict(os.environ, AWS_EC2_METADATA_DISABLED="true", LC_ALL="C")
    python = sys.argv[1] == "--python"
    cases = hostile_table.load(sys.argv[3] if python else sys.argv[2])
    failures = [] if len(cases) >= 300 else ["only %d cases in the table" % len(cases)]
    if python:
        fails, runs = python_readers(sys.argv[2], cases)
        what = "asff.load (path, bytes) and asff.iter_findings (path, file object)"
    else:
        fails, runs = cli(sys.argv[1], cases)
        what = "asff %s, validate, validate --batch, filter --prefilter, import (moto_server)" % ", ".join(c[0] for c in COMMANDS)
    failures += fails
    for f in failures:
        print("FAIL", f)
    print("%d cases, %d runs through %s; %d failures" % (len(cases), runs, what, len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
