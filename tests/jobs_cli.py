#!/usr/bin/env python3
"""asff --jobs N (docs/codec.md, Parallel reading): fmt, validate, filter and insight give the same
stdout, stderr and exit status with any number of threads and any part size as with one thread.

Inputs: every .json/.ndjson/.jsonl file of tests/data, every case of the hostile table
(tests/data/hostile/cases.tsv), and generated corpora (bench/gen_corpus.py): NDJSON, a newline-free
{"Findings":[...]} document, an array, EventBridge events, and damaged inputs (a broken line, a
truncated document, bad UTF-8 and a lone surrogate inside findings, a model error, an envelope line
inside NDJSON, a finding longer than a reading piece). Each command reads all of them in one run
(the commands go on after a bad file), once with --jobs 1 (the plain reader) and then with
--jobs 2, 3 and 7 and tiny parts (ASFF_JOBS_PART_SIZE, so that every boundary is exercised).

usage: jobs_cli.py ASFF_BINARY TESTS_DATA_DIR GEN_CORPUS
"""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hostile_table  # noqa: E402

ASFF, DATA, GEN = sys.argv[1], sys.argv[2], sys.argv[3]
NOW = "1717200000"
FILTER = '{"SeverityLabel":[{"Value":"HIGH","Comparison":"EQUALS"},{"Value":"CRITICAL","Comparison":"EQUALS"}]}'
# matches nothing: stderr says which attribute emptied the result, counted from the threads' work
NOTHING = ('{"SeverityLabel":[{"Value":"CRITICAL","Comparison":"EQUALS"}],'
           '"ProductName":[{"Value":"no such product","Comparison":"EQUALS"}]}')
COMMANDS = [
    ["fmt"],
    ["fmt", "--skip-invalid"],
    ["fmt", "--format", "pretty", "--skip-invalid"],
    ["validate"],
    ["validate", "--format", "json", "--no-service-owned"],
    ["filter", "--now", NOW, "--filters", FILTER],
    ["filter", "--now", NOW, "--filters", FILTER, "--skip-invalid"],
    ["filter", "--now", NOW, "--sort", "SeverityNormalized:desc", "--sort", "Id", "--skip-invalid"],
    ["filter", "--now", NOW, "--sort", "Id", "--limit", "7", "--skip-invalid"],
    ["filter", "--now", NOW, "--limit", "3", "--skip-invalid"],
    ["filter", "--now", NOW, "--filters", FILTER, "--prefilter", "--skip-invalid"],
    ["insight", "--now", NOW, "--group-by", "ResourceType", "--skip-invalid"],
    ["insight", "--now", NOW, "--group-by", "SeverityLabel", "--filters", FILTER, "--format", "json"],
    ["filter", "--now", NOW, "--filters", NOTHING, "--skip-invalid"],
    ["insight", "--now", NOW, "--group-by", "ResourceType", "--filters", NOTHING, "--skip-invalid"],
]
# (jobs, part size): the reference is --jobs 1
VARIANTS = [("2", None), ("3", "1"), ("7", "1"), ("2", "3000"), ("0", "20000")]
failures = []


def run(args, part=None, stdin=None, frontend=None):
    env = dict(os.environ, AWS_EC2_METADATA_DISABLED="true")
    env.pop("ASFF_JOBS_PART_SIZE", None)
    if frontend:
        env["ASFF_FRONTEND"] = frontend
    if part:
        env["ASFF_JOBS_PART_SIZE"] = part
    p = subprocess.run([ASFF] + args, capture_output=True, env=env, stdin=stdin, timeout=600)
    return p.returncode, p.stdout, p.stderr


def corpus(n, envelope="ndjson", seed=7):
    out = subprocess.run([sys.executable, GEN, "--count", str(n), "--envelope", envelope, "--seed", str(seed)],
                         capture_output=True, check=True).stdout
    return out


def generated(tmp):
    """The generated inputs: name -> bytes."""
    lines = corpus(300).decode().splitlines()
    findings = [json.loads(x) for x in lines]
    compact = [json.dumps(f, separators=(",", ":")) for f in findings]
    big = dict(findings[0], Description="x" * 70000, Id="big-one")  # longer than a 64 KiB piece
    event = {"version": "0", "id": "e-1", "detail-type": "Security Hub Findings - Imported",
             "source": "aws.securityhub", "account": "111122223333", "time": "2024-06-01T00:00:00Z",
             "region": "us-east-1", "resources": [], "detail": {"findings": findings[:120]}}
    g = {
        "gen.ndjson": "\n".join(compact) + "\n",
        "gen_crlf.ndjson": "\r\n".join(compact) + "\r\n",
        "gen_findings.json": '{"Findings":[' + ",".join(compact) + '],"NextToken":"t"}',
        "gen_findings_lines.json": '{"Findings":[\n' + ",\n".join(compact) + "\n]}\n",
        "gen_array.json": "[" + ",".join(compact) + "]",
        "gen_array_pretty.json": json.dumps(findings[:40], indent=2),
        "gen_event.json": json.dumps(event, separators=(",", ":")),
        "gen_events.ndjson": "\n".join(json.dumps(dict(event, id="e-%d" % i), separators=(",", ":"))
                                       for i in range(3)) + "\n",
        "gen_big.ndjson": "\n".join(compact[:5] + [json.dumps(big)] + compact[5:20]) + "\n",
        "gen_pages.ndjson": "\n".join('{"Findings":[' + ",".join(compact[i:i + 10]) + "]}"
                                      for i in range(0, 100, 10)) + "\n",
        "gen_mixed.ndjson": "\n".join(compact[:50]) + "\n" + '{"Findings":[' + ",".join(compact[50:60]) + "]}\n"
                            + "\n".join(compact[60:120]) + "\n",
        # damaged
        "bad_line.ndjson": "\n".join(compact[:100] + [compact[100][:700]] + compact[101:200]) + "\n",
        "bad_lines.ndjson": "\n".join(c[:500] if i % 37 == 5 else c for i, c in enumerate(compact)) + "\n",
        "bad_truncated.json": '{"Findings":[' + ",".join(compact)[: len(",".join(compact)) * 2 // 3],
        "bad_truncated_array.json": "[" + ",".join(compact[:150]) + ",",
        "bad_model.ndjson": "\n".join(compact[:80] + [compact[80].replace('"Title":"', '"Title":7,"X":"', 1)]
                                      + compact[81:160]) + "\n",
        "bad_model.json": '{"Findings":[' + ",".join(compact[:80] + [compact[80].replace('"Title":"', '"Title":[1],"Y":"', 1)]
                                                     + compact[81:160]) + "]}",
        "bad_dup.json": "[" + ",".join(compact[:70] + [compact[70].replace('{"', '{"Id":"d","', 1)] + compact[71:140]) + "]",
        "bad_surrogate.ndjson": "\n".join(compact[:90] + [compact[90].replace('"Title":"', '"Title":"\\ud800', 1)]
                                          + compact[91:150]) + "\n",
        "pair_surrogate.ndjson": "\n".join(compact[:30] + [compact[30].replace('"Title":"', '"Title":"\\ud83d\\ude00', 1)]
                                           + compact[31:60]) + "\n",
        "bad_syntax.json": '{"Findings":[' + ",".join(compact[:90] + [compact[90].replace('":"', '":', 1)] + compact[91:150]) + "]}",
        "bad_scalar.ndjson": "\n".join(compact[:40] + ["42", '"s"', "null"] + compact[40:80]) + "\n",
        "bad_empty_lines.ndjson": "\n\n".join(compact[:40]) + "\n\n\n",
        "bad_deep.json": "[" + ",".join(compact[:20]) + "," + "[" * 100 + "]" * 100 + "," + ",".join(compact[20:40]) + "]",
    }
    out = {k: v.encode() for k, v in g.items()}
    bad_utf8 = compact[60].replace('"Title":"', '"Title":"\x00MARK', 1).encode().replace(b"\x00MARK", b"\xc0\xaf")
    out["bad_utf8.ndjson"] = ("\n".join(compact[:60]) + "\n").encode() + bad_utf8 + ("\n" + "\n".join(compact[61:120]) + "\n").encode()
    paths = []
    for name, data in out.items():
        path = os.path.join(tmp, name)
        with open(path, "wb") as f:
            f.write(data)
        paths.append(path)
    return paths


def data_files():
    found = []
    for root, _, files in os.walk(DATA):
        if os.sep + "hostile" in root:
            continue
        for name in files:
            if name.endswith((".json", ".ndjson", ".jsonl")):
                found.append(os.path.join(root, name))
    return sorted(found)


def hostile_files(tmp):
    cases = hostile_table.load(os.path.join(DATA, "hostile", "cases.tsv"))
    paths = []
    for i, c in enumerate(cases):
        path = os.path.join(tmp, "h%03d.json" % i)
        with open(path, "wb") as f:
            f.write(c.data)
        paths.append(path)
    return paths


def compare(label, cmd, files, variants=VARIANTS):
    ref = run(cmd + ["--jobs", "1"] + files)
    for jobs, part in variants:
        got = run(cmd + ["--jobs", jobs] + files, part)
        if got != ref:
            what = [n for n, a, b in zip(("exit status", "stdout", "stderr"), ref, got) if a != b]
            failures.append("%s: %s --jobs %s (parts %s): %s differ" % (label, " ".join(cmd), jobs, part or "default",
                                                                          ", ".join(what)))
            if ref[2] != got[2]:
                failures.append("  --jobs 1 stderr: %r\n  --jobs %s stderr: %r" % (ref[2][:600], jobs, got[2][:600]))
    return ref


def main():
    with tempfile.TemporaryDirectory() as tmp:
        gen = generated(tmp)
        sets = [("tests/data", data_files()), ("generated", gen), ("hostile", hostile_files(tmp))]
        for label, files in sets:
            if not files:
                failures.append("%s: no input files" % label)
                continue
            for cmd in COMMANDS:
                # the hostile table is large (60 MB, 435 files): fewer variants
                compare(label, cmd, files, VARIANTS[:3] if label == "hostile" else VARIANTS)
            print("%s: %d files, %d commands compared" % (label, len(files), len(COMMANDS)))
        # one file at a time too: the exit status of each
        for path in gen:
            for cmd in (["validate"], ["fmt", "--skip-invalid"], ["fmt"]):
                compare(os.path.basename(path), cmd, [path])
        # stdin: a regular file is read on threads from where it stands, a pipe by one parser
        ref = run(["fmt", "--jobs", "1", gen[0]])
        with open(gen[0], "rb") as f:
            piped = run(["fmt", "--jobs", "4", "-"], "1", stdin=f)
        if piped != ref:
            failures.append("stdin (a regular file) with --jobs 4 differs from --jobs 1")
        with open(gen[0], "rb") as f:
            data = f.read()
        first = data.index(b"\n") + 1
        rest_path = os.path.join(tmp, "rest.ndjson")
        with open(rest_path, "wb") as f:
            f.write(data[first:])
        fd = os.open(gen[0], os.O_RDONLY)
        try:
            os.lseek(fd, first, os.SEEK_SET)
            rest = run(["fmt", "--jobs", "4"], "1", stdin=fd)
        finally:
            os.close(fd)
        if rest[:2] != run(["fmt", "--jobs", "1", rest_path])[:2]:
            failures.append("stdin (a regular file) at an offset: not read from there")
        env = dict(os.environ, AWS_EC2_METADATA_DISABLED="true", ASFF_JOBS_PART_SIZE="1")
        p = subprocess.run([ASFF, "fmt", "--jobs", "4"], input=data, capture_output=True, env=env, timeout=600)
        if (p.returncode, p.stdout, p.stderr) != ref:
            failures.append("stdin (a pipe) with --jobs 4 differs from --jobs 1")
        # more findings in one container than max_members (100,000): they are streamed, none refused
        many = os.path.join(tmp, "many.json")
        with open(many, "w") as f:
            f.write('{"Findings":[' + ",".join('{"Id":"f%d"}' % i for i in range(100001)) + "]}")
        for fe in ("simdjson", "yajl"):
            for jobs in ("1", "2"):
                for how in ("file", "stdin"):
                    with open(many, "rb") as f:
                        rc, out, err = run(["fmt", "--jobs", jobs] + ([many] if how == "file" else []),
                                           stdin=f if how == "stdin" else None, frontend=fe)
                    lines = out.splitlines()
                    if rc != 0 or len(lines) != 100001 or lines[-1] != b'{"Id":"f100000"}':
                        failures.append("%s --jobs %s, %s: 100,001 findings in one container: exit %d, %d lines, %r"
                                        % (fe, jobs, how, rc, len(lines), err[:200]))
        # usage
        for bad in ("x", "-1", "257", "", "2x"):
            for cmd in ("fmt", "validate", "filter", "insight"):
                rc, _, err = run([cmd, "--jobs", bad, gen[0]] + (["--group-by", "Type"] if cmd == "insight" else []))
                if rc != 2 or b"--jobs" not in err:
                    failures.append("%s --jobs %r: exit %d, %r (expected a usage error)" % (cmd, bad, rc, err[:200]))
        rc, out, _ = run(["validate", "--jobs=2", gen[0]])
        if rc != 0 or b"300 findings" not in out:
            failures.append("validate --jobs=2: exit %d, %r" % (rc, out[-200:]))
    for f in failures:
        print("FAIL", f)
    print("jobs_cli: %s" % ("%d failures" % len(failures) if failures else "ok"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
