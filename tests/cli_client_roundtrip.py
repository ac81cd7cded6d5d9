#!/usr/bin/env python3
"""CLI-level check of issue 6's done-when: `asff import` of N generated findings into moto_server,
then `asff export`, returns the same N findings (Ids and contents compared).

  cli_client_roundtrip.py ASFF_BINARY [N]
moto_server runs on a free 127.0.0.1 port through tests/servers/moto_harness and is stopped after.
Credentials are dummies set in the environment; a test at the end checks that neither the secret key
nor the session token appears in anything the tool printed."""
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzzCLISECRET"
TOKEN = "FwoGZXIvYXdzEXAMPLEzzCLITOKEN"


def finding(i):
    return {
        "SchemaVersion": "2018-10-08",
        "Id": "cli-finding-%05d" % i,
        "ProductArn": "arn:aws:securityhub:us-east-1:123456789012:product/123456789012/default",
        "GeneratorId": "libasff-cli-test",
        "AwsAccountId": "123456789012",
        "Types": ["Software and Configuration Checks/Vulnerabilities/CVE"],
        "CreatedAt": "2024-05-01T12:00:00.000Z",
        "UpdatedAt": "2024-05-01T12:00:00.000Z",
        "Severity": {"Label": ["LOW", "MEDIUM", "HIGH", "CRITICAL"][i % 4], "Original": str(i % 10)},
        "Confidence": i % 101,
        "Title": "Finding number %d \u2713" % i,
        "Description": "Generated finding %d with \"quotes\" and a \\ backslash" % i,
        "Resources": [{"Type": "AwsEc2Instance", "Id": "arn:aws:ec2:us-east-1:123456789012:instance/i-%08x" % i,
                       "Region": "us-east-1", "Tags": {"n": str(i)}}],
        "Compliance": {"Status": "FAILED"},
        "Workflow": {"Status": "NEW"},
        "RecordState": "ACTIVE",
        "UserDefinedFields": {"big": str(12345678901234567 + i)},
    }


def main():
    asff = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
    env = dict(os.environ)
    env.update({"AWS_ACCESS_KEY_ID": "AKIDCLITEST", "AWS_SECRET_ACCESS_KEY": SECRET, "AWS_SESSION_TOKEN": TOKEN,
                "AWS_REGION": "us-east-1", "AWS_CONFIG_FILE": "/nonexistent/c", "AWS_SHARED_CREDENTIALS_FILE":
                "/nonexistent/k", "AWS_EC2_METADATA_DISABLED": "true", "NO_PROXY": "127.0.0.1,localhost"})
    for k in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SECURITYHUB"):
        env.pop(k, None)
    harness = subprocess.Popen([sys.executable, os.path.join(HERE, "servers", "moto_harness")],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    printed = []
    try:
        line = harness.stdout.readline()
        if not line.startswith("PORT "):
            print("moto_harness did not start", file=sys.stderr)
            return 1
        endpoint = "http://127.0.0.1:%d" % int(line.split()[1])
        with tempfile.TemporaryDirectory() as tmp:
            src = os.path.join(tmp, "in.ndjson")
            with open(src, "w") as f:
                for i in range(n):
                    f.write(json.dumps(finding(i), ensure_ascii=False) + "\n")

            def run(args, expect=0):
                t0 = time.monotonic()
                r = subprocess.run([asff] + args, env=env, capture_output=True, text=True)
                printed.append(r.stdout + r.stderr)
                if r.returncode != expect:
                    print("asff %s: exit %d\n%s" % (" ".join(args), r.returncode, r.stderr[-2000:]), file=sys.stderr)
                    sys.exit(1)
                return r, time.monotonic() - t0

            run(["hub", "enable", "--endpoint-url", endpoint])
            r, _ = run(["hub", "describe", "--endpoint-url", endpoint])
            assert "hub/default" in r.stdout, r.stdout
            failed = os.path.join(tmp, "failed.ndjson")
            r, t_import = run(["import", "--endpoint-url", endpoint, "--failed", failed, src])
            assert os.path.getsize(failed) == 0, open(failed).read()[:500]
            assert ("%d findings: %d imported, 0 failed" % (n, n)) in r.stderr, r.stderr
            out = os.path.join(tmp, "out.ndjson")
            r, t_export = run(["export", "--endpoint-url", endpoint, "-o", out])
            got = {}
            with open(out) as f:
                for line in f:
                    d = json.loads(line)
                    got[d["Id"]] = d
            assert len(got) == n, "exported %d of %d" % (len(got), n)
            for i in range(n):
                want = finding(i)
                have = got.get(want["Id"])
                if have != want:
                    print("finding %s differs:\n want %s\n have %s" % (want["Id"], want, have), file=sys.stderr)
                    return 1
            # a finding Security Hub (here moto) refuses: exit 1 and an NDJSON line with the reason
            bad = os.path.join(tmp, "bad.json")
            with open(bad, "w") as f:
                d = finding(n + 1)
                d["Resources"] = []
                json.dump(d, f)
            r, _ = run(["import", "--endpoint-url", endpoint, "--no-validate", bad], expect=1)
            line = [ln for ln in r.stderr.splitlines() if ln.startswith("{")][0]
            rec = json.loads(line)
            assert rec["Id"] == d["Id"] and rec["ErrorCode"] == "InvalidInput" and rec["ErrorMessage"], rec
            # validated first (the default), it is not even sent
            r, _ = run(["import", "--endpoint-url", endpoint, bad], expect=1)
            rec = json.loads([ln for ln in r.stderr.splitlines() if ln.startswith("{")][0])
            assert rec["ErrorCode"] == "InvalidFinding" and "[count.Resources] /Resources" in rec["ErrorMessage"], rec
            # sign: prints the stages with credentials from the chain
            r, _ = run(["sign", "--method", "GET", "--url", "https://securityhub.us-east-1.amazonaws.com/accounts",
                        "--time", "20240501T120000Z", "--region", "us-east-1", "--service", "securityhub"])
            assert "AWS4-HMAC-SHA256\n20240501T120000Z\n20240501/us-east-1/securityhub/aws4_request" in r.stdout, r.stdout
            assert "Credential=AKIDCLITEST/20240501/us-east-1/securityhub/aws4_request" in r.stdout
            # hub in a list of regions: one JSON line each
            run(["hub", "enable", "--endpoint-url", endpoint, "--regions", "us-west-2,eu-west-1", "--tag", "team=sec"])
            r, _ = run(["hub", "describe", "--endpoint-url", endpoint, "--regions", "us-west-2,eu-west-1"])
            lines = [json.loads(ln) for ln in r.stdout.splitlines()]
            assert [ln["Region"] for ln in lines] == ["us-west-2", "eu-west-1"], lines
            assert lines[1]["Response"]["HubArn"].startswith("arn:aws:securityhub:eu-west-1:"), lines
            # members from a CSV (header line skipped), then listed
            csv = os.path.join(tmp, "members.csv")
            with open(csv, "w") as f:
                f.write("AccountId,Email\n111111111111,a@example.com\n\n222222222222, b@example.com\n")
            run(["members", "add", "--csv", csv, "--endpoint-url", endpoint])
            r, _ = run(["members", "list", "--endpoint-url", endpoint])
            assert "111111111111" in r.stdout and "222222222222" in r.stdout, r.stdout
            with open(csv, "w") as f:
                f.write("AccountId,Email\n12345,a@example.com\n")
            run(["members", "add", "--csv", csv, "--endpoint-url", endpoint], expect=1)
            # errors: a bad filter
            run(["export", "--endpoint-url", endpoint, "--filters", "[1]"], expect=2)
            # actions and tags (moto lacks them): against the fault server's echo
            fault = subprocess.Popen([sys.executable, os.path.join(HERE, "servers", "fault_server.py"),
                                      "--exit-on-eof"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            try:
                fep = "http://127.0.0.1:%d" % int(fault.stdout.readline().split()[1])
                for args, method, path in (
                        (["actions", "create", "--name", "Send", "--description", "d", "--id", "send"], "POST",
                         "/actionTargets"),
                        (["actions", "list"], "POST", "/actionTargets/get"),
                        (["actions", "delete", "arn:aws:securityhub:us-east-1:1:action/custom/send"], "DELETE",
                         "/actionTargets/arn%3Aaws%3Asecurityhub%3Aus-east-1%3A1%3Aaction/custom/send"),
                        (["tags", "add", "arn:h", "a=1", "b=2"], "POST", "/tags/arn%3Ah"),
                        (["tags", "list", "arn:h"], "GET", "/tags/arn%3Ah"),
                        (["tags", "remove", "arn:h", "a", "b"], "DELETE", "/tags/arn%3Ah")):
                    r, _ = run(args + ["--endpoint-url", fep])
                    echo = json.loads(r.stdout)
                    assert echo["Method"] == method and echo["Path"] == path, (args, echo)
                assert echo["Query"] == "tagKeys=a&tagKeys=b", echo
            finally:
                fault.terminate()
                fault.wait(10)
            print("round trip of %d findings: import %.2f s, export %.2f s" % (n, t_import, t_export))
    finally:
        harness.stdin.close()
        harness.wait(20)
    everything = "\n".join(printed)
    if SECRET in everything or TOKEN in everything:
        print("a secret appeared in the output of asff", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
