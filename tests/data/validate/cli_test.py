#!/usr/bin/env python3
"""End-to-end test of `asff validate` and `asff normalize` (docs/validate.md) on tests/data/real.

    cli_test.py ASFF_BINARY TESTS_DATA_DIR
"""
import json
import os
import subprocess
import sys
import tempfile

asff, data = sys.argv[1], sys.argv[2]
real = os.path.join(data, "real")
failures = []


def run(*args, stdin=None):
    p = subprocess.run([asff, *args], input=stdin, capture_output=True)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


# errors: exit 1, one line per violation, a summary line
rc, out, _ = run("validate", os.path.join(real, "asr/CIS-bad.json"))
check(rc == 1, "CIS-bad exit 1 (got %d)" % rc)
check(": finding 0 (Id " in out and "/GeneratorId: error: required member missing [required.GeneratorId]" in out,
      "CIS-bad text line")
check(out.rstrip().endswith("1 findings: 1 errors, 0 warnings"), "CIS-bad summary line: " + out[-80:])

# warnings only: exit 0; --strict makes them count; --no-service-owned drops them
cfg = os.path.join(real, "awsdocs/config-typical-finding.json")
rc, out, _ = run("validate", cfg)
check(rc == 0 and "[service_owned.Region]" in out, "config finding: warnings, exit 0")
rc, _, _ = run("validate", "--strict", cfg)
check(rc == 1, "--strict turns warnings into failure")
rc, out, _ = run("validate", "--no-service-owned", cfg)
check(rc == 0 and out.strip() == "1 findings: 0 errors, 0 warnings", "--no-service-owned: " + out)

# JSON: one object per file
rc, out, _ = run("validate", "--format", "json", os.path.join(real, "heimdall2/rhel7_V-71931_asff.json"), cfg)
lines = [json.loads(l) for l in out.splitlines()]
check(rc == 1 and len(lines) == 2, "json: two files, exit 1")
rules = {(v["rule"], v["path"], v["finding"]) for v in lines[0]["report"]["violations"] if v["level"] == "error"}
check(("format.AwsAccountId", "/AwsAccountId", 0) in rules, "json: AwsAccountId error")
check(("types.empty_segment", "/FindingProviderFields/Types/17", 2) in rules, "json: empty Types segment")
check(lines[0]["findings"] == 3 and lines[1]["report"]["errors"] == 0, "json: counts")

# --batch: duplicate (ProductArn, Id)
rc, out, _ = run("validate", "--batch", os.path.join(real, "trivy/secrets.asff.golden.json"))
check("finding 1 (Id deploy.sh): /Id: warning:" in out and "[batch.duplicate]" in out, "--batch duplicate")

# normalize: NDJSON out, changes on stderr, idempotent, no new errors
src = os.path.join(real, "heimdall2/trivy-image_golang-1.12-alpine_sample.json")
rc, out, err = run("normalize", "--derive", src)
check(rc == 0, "normalize exit 0")
findings = [json.loads(l) for l in out.splitlines()]
check(len(findings) == 44, "normalize wrote 44 findings")
check("[normalize.timestamp]" in err and "-05:00 -> " in err, "normalize lists timestamp changes")
check(all(f["CreatedAt"].endswith("Z") and len(f["CreatedAt"]) == 24 for f in findings), "UTC millisecond timestamps")
with tempfile.NamedTemporaryFile("w", suffix=".ndjson", delete=False) as tmp:
    tmp.write(out)
try:
    rc, _, err2 = run("normalize", "--derive", tmp.name)
    check(err2.strip().endswith("44 findings, 0 changes"), "normalize is idempotent: " + err2[-60:])
    _, before, _ = run("validate", "--no-service-owned", src)
    _, after, _ = run("validate", "--no-service-owned", tmp.name)
    def errors(text):
        return int(text.splitlines()[-1].split(": ")[1].split(" ")[0])
    check(errors(before) == 10 and errors(after) == errors(before), "normalize adds no error: " + after[-50:])
finally:
    os.unlink(tmp.name)

# usage
rc, _, _ = run("validate", "--format", "xml")
check(rc == 2, "bad --format is a usage error")
rc, out, _ = run("validate", "--help")
check(rc == 0 and out.startswith("usage: asff validate"), "--help")

print("%d failures" % len(failures))
sys.exit(1 if failures else 0)
