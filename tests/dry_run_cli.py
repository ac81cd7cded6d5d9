#!/usr/bin/env python3
"""--dry-run of `asff import`, `asff update` and `asff rollout` (issue 17): nothing is sent.

Each command runs twice: against an endpoint where nothing listens (a port bound, then closed: a
connection attempt would fail the command) and against the recording server, which must see zero
requests. Stdout is one line per call that would be made ("OPERATION region=R account=A findings=N
bytes=B") and the summary "N calls, M findings, B bytes", whose totals are the lines' sums; exit 0
when the input is valid. The import dry run's batches are those a real import makes (checked on the
recording server: same number of calls and findings per call).

  dry_run_cli.py ASFF_BINARY DATA_DIR"""
import json
import os
import re
import socket
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "servers"))
import recording_server  # noqa: E402

ARN = "arn:aws:securityhub:us-east-1:123456789012:product/123456789012/default"
LINE = re.compile(r"^(\S+) region=(\S+) account=(\S+) findings=(\d+) bytes=(\d+)$")
FAIL = []


def check(cond, what):
    if not cond:
        FAIL.append(what)
    return cond


def finding(i):
    return {"SchemaVersion": "2018-10-08", "Id": "dry-%04d" % i, "ProductArn": ARN, "GeneratorId": "g",
            "AwsAccountId": "123456789012", "Types": ["Software and Configuration Checks"],
            "CreatedAt": "2024-05-01T12:00:00.000Z", "UpdatedAt": "2024-05-01T12:00:00.000Z",
            "Severity": {"Label": "LOW"}, "Title": "t", "Description": "d",
            "Resources": [{"Type": "Other", "Id": "r%d" % i}]}


def dead_endpoint():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return "http://127.0.0.1:%d" % port


def parse(what, out):
    """The call lines and the summary; checks that the totals add up."""
    lines = out.splitlines()
    calls = [LINE.match(x) for x in lines[:-1]]
    if not check(lines and all(calls), "%s: malformed output %r" % (what, out[:500])):
        return []
    m = re.match(r"^(\d+) calls, (\d+) findings, (\d+) bytes$", lines[-1])
    if check(m, "%s: no summary line: %r" % (what, lines[-1])):
        check(int(m.group(1)) == len(calls) and int(m.group(2)) == sum(int(c.group(4)) for c in calls)
              and int(m.group(3)) == sum(int(c.group(5)) for c in calls), "%s: totals %r" % (what, lines[-1]))
    return [c.groups() for c in calls]


def main():
    asff = sys.argv[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({"AWS_ACCESS_KEY_ID": "AKIDDRYRUN", "AWS_SECRET_ACCESS_KEY": "s", "AWS_REGION": "eu-west-1",
                "AWS_CONFIG_FILE": "/nonexistent/c", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/k",
                "AWS_EC2_METADATA_DISABLED": "true", "NO_PROXY": "127.0.0.1"})
    srv, records = recording_server.start()
    rec = "http://127.0.0.1:%d" % srv.server_address[1]
    dead = dead_endpoint()

    def run(*args):
        return subprocess.run([asff] + list(args), capture_output=True, text=True, env=env, timeout=120)

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "f.ndjson")
        with open(path, "w") as f:
            for i in range(250):
                f.write(json.dumps(finding(i)) + "\n")
        csv = os.path.join(tmp, "m.csv")
        with open(csv, "w") as f:
            f.write("AccountId,Email\n111111111111,a@example.com\n222222222222,b@example.com\n")
        cases = {
            "import": ["import", "--dry-run", path],
            "update": ["update", "--dry-run", "--workflow", "NOTIFIED", path],
            "rollout": ["rollout", "--dry-run", "--accounts", csv, "--role-name", "R", "--regions",
                        "us-east-1,eu-west-1", "--administrator-account", "999999999999"],
        }
        got = {}
        for name, args in cases.items():
            for url in (dead, rec):
                p = run(*(args + ["--endpoint-url", url]))
                check(p.returncode == 0, "%s %s: exit %d %s" % (name, url, p.returncode, p.stderr[-500:]))
                got[name] = parse(name, p.stdout)
            with srv.lock:
                check(not records, "%s: the recording server got %d requests" % (name, len(records)))
                del records[:]
        imp = got["import"]
        check([c[0] for c in imp] == ["BatchImportFindings"] * 3 and [c[3] for c in imp] == ["100", "100", "50"]
              and all(c[1] == "eu-west-1" and c[2] == "-" for c in imp), "import lines: %r" % imp)
        upd = got["update"]
        check([c[0] for c in upd] == ["BatchUpdateFindings"] * 3 and [c[3] for c in upd] == ["100", "100", "50"],
              "update lines: %r" % upd)
        ro = got["rollout"]
        ops = [c[0] for c in ro]
        check(len(ro) == 2 * 15 and ops.count("sts:AssumeRole") == 4 and ops.count("CreateMembers") == 2
              and {c[1] for c in ro} == {"us-east-1", "eu-west-1"}
              and {c[2] for c in ro} == {"999999999999", "111111111111", "222222222222"}, "rollout lines: %r" % ro)
        # every operation the dry run names (but STS) is in `asff policy rollout`
        pol = json.loads(run("policy", "rollout").stdout)
        acts = {a for st in pol["Statement"] for a in st["Action"]}
        check({o if ":" in o else "securityhub:" + o for o in ops} <= acts, "rollout dry run vs policy: %r" % ops)

        # the same import for real: the batches the dry run announced
        with srv.lock:
            srv.answers.extend([{"body": {"SuccessCount": n, "FailedCount": 0, "FailedFindings": []}}
                                for n in (100, 100, 50)])
        p = run("import", path, "--endpoint-url", rec)
        with srv.lock:
            sent = [len(json.loads(r["body"])["Findings"]) for r in records]
            sizes = [len(r["body"].encode()) for r in records]
            del records[:]
        check(p.returncode == 0 and sent == [100, 100, 50], "real import: %d %r %s" % (p.returncode, sent, p.stderr))
        check(sizes == [int(c[4]) for c in imp], "bytes announced %r vs sent %r" % ([c[4] for c in imp], sizes))

        # an invalid finding: reported, not sent, exit 1; the valid ones still counted
        bad = os.path.join(tmp, "bad.json")
        with open(bad, "w") as f:
            json.dump([finding(1), dict(finding(2), Types=["Bad//Type"])], f)
        p = run("import", "--dry-run", bad, "--endpoint-url", dead)
        check(p.returncode == 1 and p.stdout.splitlines()[-1] == "1 calls, 1 findings, %s bytes"
              % p.stdout.splitlines()[0].rsplit("=", 1)[1] and "InvalidFinding" in p.stderr,
              "invalid: %d %r %r" % (p.returncode, p.stdout, p.stderr))
    srv.shutdown()
    if FAIL:
        print("\n".join(FAIL), file=sys.stderr)
        return 1
    print("dry_run_cli: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
