#!/usr/bin/env python3
"""Issue 14's done-when for `asff update`: 1,000 findings selected with --filters (GetFindings served by
the fault server from a file) are updated through the fault server with throttling and partial
UnprocessedFindings; every finding is reported exactly once, and what was reported matches what the
server says it did. Also: the same from a file (stdin), usage errors (exit 2, the option named),
--help on stdout with exit 0.

  ops_update.py ASFF_BINARY [N]"""
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ARN = "arn:aws:securityhub:us-east-1:123456789012:product/123456789012/default"


def finding(i):
    return {"SchemaVersion": "2018-10-08", "Id": "upd-%05d" % i, "ProductArn": ARN, "GeneratorId": "g",
            "AwsAccountId": "123456789012", "Types": ["Software and Configuration Checks"],
            "CreatedAt": "2024-05-01T12:00:00.000Z", "UpdatedAt": "2024-05-01T12:00:00.000Z",
            "Severity": {"Label": "LOW"}, "Title": "t%d" % i, "Description": "d",
            "Resources": [{"Type": "Other", "Id": "r%d" % i}]}


def start_fault(args):
    p = subprocess.Popen([sys.executable, os.path.join(HERE, "servers", "fault_server.py"), "--exit-on-eof"] + args,
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    line = p.stdout.readline()
    assert line.startswith("PORT "), line
    return p, "http://127.0.0.1:%d" % int(line.split()[1])


def check_once(out, n, failures, label):
    seen = {}
    for line in out.splitlines():
        d = json.loads(line)
        seen.setdefault(d["Id"], []).append(d)
    twice = [k for k, v in seen.items() if len(v) != 1]
    missing = n - len(seen)
    if twice or missing:
        failures.append("%s: %d reported twice, %d missing" % (label, len(twice), missing))
    return seen


def main():
    asff = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    env = dict(os.environ)
    env.update({"AWS_ACCESS_KEY_ID": "AKIDUPD", "AWS_SECRET_ACCESS_KEY": "updsecret", "AWS_REGION": "us-east-1",
                "AWS_CONFIG_FILE": "/nonexistent/c", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/k",
                "AWS_EC2_METADATA_DISABLED": "true", "NO_PROXY": "127.0.0.1"})
    for k in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SECURITYHUB", "AWS_SESSION_TOKEN"):
        env.pop(k, None)
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "findings.ndjson")
        with open(path, "w") as fh:
            for i in range(n):
                fh.write(json.dumps(finding(i)) + "\n")
        srv, url = start_fault(["--findings", path, "--throttle", "0.15", "--fail", "0.05", "--seed", "14"])
        try:
            p = subprocess.run([asff, "update", "--filters", '{"RecordState":[{"Value":"ACTIVE","Comparison":"EQUALS"}]}',
                                "--workflow", "RESOLVED", "--note", "closed by test", "--updated-by", "ops",
                                "--endpoint-url", url], capture_output=True, text=True, env=env)
            seen = check_once(p.stdout, n, failures, "--filters")
            log = json.loads(subprocess.run(["curl", "-s", url + "/__log"], capture_output=True, text=True).stdout)
            # the server's last word on each identifier: processed or unprocessed
            last = {}
            for r in log["requests"]:
                if r.get("path") == "/findings/batchupdate" and r.get("status") == 200:
                    body = r.get("body") or ""
                    for i in r.get("ids", []):
                        last[i] = True
            failed = sum(1 for v in seen.values() if v[0]["Status"] == "failed")
            updated = sum(1 for v in seen.values() if v[0]["Status"] == "updated")
            want_rc = 1 if failed else 0
            if p.returncode != want_rc:
                failures.append("--filters: exit %d, expected %d (%s)" % (p.returncode, want_rc, p.stderr[-300:]))
            if not failed:
                failures.append("--filters: no finding failed: the faults did not bite")
            for k, v in seen.items():
                if v[0]["Status"] == "updated" and k not in last:
                    failures.append("%s reported updated but no answered call carried it" % k)
                    break
                if v[0]["Status"] == "failed" and not v[0].get("ErrorCode"):
                    failures.append("%s failed without a reason" % k)
                    break
            calls = [r for r in log["requests"] if r.get("path") == "/findings/batchupdate"]
            if any(len(r.get("ids", [])) > 100 for r in calls):
                failures.append("a call carried more than 100 identifiers")
            print("--filters: %d findings, %d updated, %d failed, %d BatchUpdateFindings requests (%d throttled)" % (
                len(seen), updated, failed, len(calls), sum(1 for r in calls if r.get("status") == 429)))
        finally:
            srv.stdin.close()
            srv.wait()
        # from stdin, no faults: all updated, exit 0; duplicates in the input updated once
        srv, url = start_fault([])
        try:
            text = "".join(json.dumps(finding(i)) + "\n" for i in list(range(250)) + [7, 8])
            p = subprocess.run([asff, "update", "--severity", "HIGH", "--endpoint-url", url], input=text,
                               capture_output=True, text=True, env=env)
            seen = check_once(p.stdout, 250, failures, "stdin")
            if p.returncode != 0 or any(v[0]["Status"] != "updated" for v in seen.values()):
                failures.append("stdin: exit %d %s" % (p.returncode, p.stderr[-200:]))
        finally:
            srv.stdin.close()
            srv.wait()
    # usage
    for args, word in ((["--workflow"], "--workflow"), (["--note", "x"], "--updated-by"),
                       (["--confidence", "x"], "--confidence"), (["--bogus"], "--bogus"), ([], "nothing to change"),
                       (["--confidence", "101"], "Confidence")):
        p = subprocess.run([asff, "update"] + args, capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL)
        if p.returncode != 2 or word not in p.stderr:
            failures.append("usage %s: exit %d, %r" % (args, p.returncode, p.stderr))
    for cmd in (["update"], ["call"], ["standards"], ["controls"], ["history"]):
        p = subprocess.run([asff] + cmd + ["--help"], capture_output=True, text=True, env=env)
        if p.returncode != 0 or "usage" not in p.stdout:
            failures.append("%s --help: exit %d" % (cmd, p.returncode))
    for f in failures[:20]:
        print("FAIL", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
