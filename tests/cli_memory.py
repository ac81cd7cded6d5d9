#!/usr/bin/env python3
"""Issue 11: every reader of the asff tool streams, with memory bounded by the largest finding,
whatever the envelope. A generated input of about 40 MB (a newline-free {"Findings": [...]}
document, and the same findings as NDJSON) goes through fmt, validate, normalize, filter (with and
without --prefilter), insight (same), rules apply and import; each run's peak RSS (wait4) must stay
under the bound, far below the input's size. Not registered in sanitizer builds (shadow memory and
quarantine make RSS meaningless there).

  cli_memory.py ASFF_BINARY [MEGABYTES]
"""
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
BOUND_KB = 32 * 1024


def finding(i):
    return {"SchemaVersion": "2018-10-08", "Id": "id-%d" % i,
            "ProductArn": "arn:aws:securityhub:us-east-1:123456789012:product/123456789012/default",
            "GeneratorId": "g", "AwsAccountId": "123456789012", "Types": ["Software and Configuration Checks"],
            "CreatedAt": "2024-01-01T00:00:00Z", "UpdatedAt": "2024-01-01T00:00:00Z",
            "Severity": {"Label": "HIGH"}, "Title": "match me" if i % 100 == 0 else "title %d" % i,
            "Description": "d" * 1800, "Resources": [{"Type": "AwsEc2Instance", "Id": "i-%d" % (i % 50)}]}


def peak_rss_kb(argv, env, stdin_path=None):
    """Run argv; return (exit status, peak RSS in KiB, stderr tail) of that child alone. The figure
    includes what the forked child held before exec (this script's own RSS, ~15 MB): an upper bound,
    which is what the check needs."""
    stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
    err = tempfile.TemporaryFile()
    p = subprocess.Popen(argv, stdin=stdin, stdout=subprocess.DEVNULL, stderr=err, env=env)
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    if stdin_path:
        stdin.close()
    err.seek(0)
    return p.returncode, ru.ru_maxrss, err.read()[-400:]


def main():
    asff = sys.argv[1]
    mb = int(sys.argv[2]) if len(sys.argv) > 2 else 30
    env = dict(os.environ, AWS_ACCESS_KEY_ID="AKIDMEM", AWS_SECRET_ACCESS_KEY="memSECRET", AWS_REGION="us-east-1",
               AWS_CONFIG_FILE="/nonexistent/c", AWS_SHARED_CREDENTIALS_FILE="/nonexistent/k",
               AWS_EC2_METADATA_DISABLED="true", NO_PROXY="127.0.0.1,localhost")
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        doc, nd = os.path.join(tmp, "doc.json"), os.path.join(tmp, "lines.ndjson")
        n = 0
        with open(doc, "w") as d, open(nd, "w") as l:
            d.write('{"Findings":[')
            size = 0
            while size < mb * 1000 * 1000:
                text = json.dumps(finding(n), separators=(",", ":"))
                d.write(("," if n else "") + text)
                l.write(text + "\n")
                size += len(text) + 1
                n += 1
            d.write("]}")
        rules = os.path.join(tmp, "rules.json")
        with open(rules, "w") as f:
            json.dump({"RuleOrder": 1, "RuleName": "r", "Criteria": {}, "Actions": [{"Type": "FINDING_FIELDS_UPDATE",
                      "FindingFieldsUpdate": {"Note": {"Text": "t", "UpdatedBy": "u"}}}]}, f)
        flt = '{"Title":[{"Value":"match","Comparison":"PREFIX"}]}'
        readers = [
            ("fmt", ["fmt"]), ("validate", ["validate"]), ("normalize", ["normalize", "--quiet"]),
            ("filter", ["filter", "--filters", flt]), ("filter --prefilter", ["filter", "--prefilter", "--filters", flt]),
            ("insight", ["insight", "--group-by", "ResourceId"]),
            ("insight --prefilter", ["insight", "--prefilter", "--group-by", "ResourceId", "--filters", flt]),
            ("rules apply", ["rules", "apply", rules, "--quiet"]),
        ]
        srv = subprocess.Popen([sys.executable, os.path.join(HERE, "servers", "hostile_server.py")],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        try:
            line = srv.stdout.readline()
            assert line.startswith("PORT "), line
            readers.append(("import", ["import", "--quiet", "--no-validate", "--endpoint-url",
                                       "http://127.0.0.1:%d" % int(line.split()[1]), "--region", "us-east-1"]))
            for name, args in readers:
                for shape, path, how in (("newline-free document", doc, "file"), ("newline-free document", doc, "stdin"),
                                         ("NDJSON", nd, "stdin")):
                    if True:
                        argv = [asff] + args + ([path] if how == "file" else ["-"])
                        rc, kb, err = peak_rss_kb(argv, env, path if how == "stdin" else None)
                        print("%-20s %-22s %-6s exit %d, peak RSS %6d KiB" % (name, shape, how, rc, kb))
                        if rc not in ((0, 1) if name == "validate" else (0,)):  # validate: warnings count
                            failures.append("%s on %s (%s): exit %d %r" % (name, shape, how, rc, err))
                        if kb > BOUND_KB:
                            failures.append("%s on %s (%s): peak RSS %d KiB > %d KiB" % (name, shape, how, kb,
                                                                                         BOUND_KB))
        finally:
            srv.stdin.close()
            srv.wait(timeout=10)
    print("%d findings, %d MB per input" % (n, mb))
    for f in failures:
        print("FAIL", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
