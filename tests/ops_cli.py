#!/usr/bin/env python3
"""The CLI commands of issue 14 end to end.

moto_server (tests/servers/moto_harness) for what it implements: `asff call` of EnableSecurityHub,
DescribeHub, BatchImportFindings, GetFindings --paginate --items (pages followed), CreateMembers,
GetMembers, ListMembers (--paginate), GetAdministratorAccount, DisableSecurityHub; `asff hub enable` on an enabled hub (409 ResourceConflictException, scripted on the recording server)
reports success (exit 0).
The recording server (tests/servers/recording_server.py, answers scripted) for what moto lacks:
`asff standards list|enable|disable|controls`, `asff controls ...`, `asff history`, `asff export --v2`
(the requests checked, pages followed, one JSON line per item), and a response holding control
characters is printed escaped.

  ops_cli.py ASFF_BINARY"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "servers"))
import recording_server  # noqa: E402

ARN = "arn:aws:securityhub:us-east-1:123456789012:product/123456789012/default"
FAIL = []


def check(cond, what):
    if not cond:
        FAIL.append(what)
    return cond


def finding(i):
    return {"SchemaVersion": "2018-10-08", "Id": "cli-%03d" % i, "ProductArn": ARN, "GeneratorId": "g",
            "AwsAccountId": "123456789012", "Types": ["Software and Configuration Checks"],
            "CreatedAt": "2024-05-01T12:00:00.000Z", "UpdatedAt": "2024-05-01T12:00:00.000Z",
            "Severity": {"Label": "LOW"}, "Title": "t%d" % i, "Description": "d",
            "Resources": [{"Type": "Other", "Id": "r%d" % i}]}


def main():
    asff = sys.argv[1]
    env = dict(os.environ)
    env.update({"AWS_ACCESS_KEY_ID": "AKIDCLI", "AWS_SECRET_ACCESS_KEY": "clisecret", "AWS_REGION": "us-east-1",
                "AWS_CONFIG_FILE": "/nonexistent/c", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/k",
                "AWS_EC2_METADATA_DISABLED": "true", "NO_PROXY": "127.0.0.1"})
    for k in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SECURITYHUB", "AWS_SESSION_TOKEN"):
        env.pop(k, None)

    def run(url, *args, **kw):
        return subprocess.run([asff] + list(args) + ["--endpoint-url", url], capture_output=True, text=True,
                              env=env, **kw)

    # ---- moto
    harness = subprocess.Popen([sys.executable, os.path.join(HERE, "servers", "moto_harness")],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        line = harness.stdout.readline()
        if not check(line.startswith("PORT "), "moto_harness did not start"):
            return 1
        url = "http://127.0.0.1:%d" % int(line.split()[1])
        p = run(url, "call", "EnableSecurityHub", "--input", '{"EnableDefaultStandards":false}')
        check(p.returncode == 0, "moto EnableSecurityHub: %d %s" % (p.returncode, p.stderr))
        p = run(url, "hub", "enable")
        check(p.returncode == 0, "moto hub enable again: %d %r %r" % (p.returncode, p.stdout, p.stderr))
        p = run(url, "call", "DescribeHub")
        check(p.returncode == 0 and "HubArn" in json.loads(p.stdout), "moto DescribeHub: %r" % p.stdout)
        body = json.dumps({"Findings": [finding(i) for i in range(25)]})
        p = run(url, "call", "BatchImportFindings", "--input", body)
        check(p.returncode == 0 and json.loads(p.stdout).get("SuccessCount") == 25, "moto import: %r" % p.stdout)
        p = run(url, "call", "GetFindings", "--paginate", "--items", "--input", '{"MaxResults":10}')
        ids = [json.loads(x)["Id"] for x in p.stdout.splitlines()]
        check(p.returncode == 0 and sorted(ids) == sorted("cli-%03d" % i for i in range(25)),
              "moto GetFindings --paginate --items: %d items, rc %d %s" % (len(ids), p.returncode, p.stderr))
        p = run(url, "call", "GetFindings", "--paginate", "--input", '{"MaxResults":10}')
        check(p.returncode == 0 and len(p.stdout.splitlines()) == 3, "moto GetFindings pages: %r" % p.stdout[:200])
        for op in ("ListMembers", "GetAdministratorAccount"):
            p = run(url, "call", op)
            check(p.returncode == 0, "moto %s: %d %s" % (op, p.returncode, p.stderr))
        p = run(url, "call", "CreateMembers", "--input",
                '{"AccountDetails":[{"AccountId":"111122223333","Email":"a@example.com"}]}')
        check(p.returncode == 0, "moto CreateMembers: %d %s" % (p.returncode, p.stderr))
        p = run(url, "call", "GetMembers", "--input", '{"AccountIds":["111122223333"]}')
        check(p.returncode == 0 and "111122223333" in p.stdout, "moto GetMembers: %r" % p.stdout)
        p = run(url, "call", "ListMembers", "--paginate", "--items", "--input", '{"OnlyAssociated":false}')
        check(p.returncode == 0 and "111122223333" in p.stdout, "moto ListMembers --paginate: %r %s" % (p.stdout, p.stderr))
        p = run(url, "call", "DisableSecurityHub")
        check(p.returncode == 0, "moto DisableSecurityHub: %d %s" % (p.returncode, p.stderr))
        p = run(url, "call", "GetFindings", "--input", '{"MaxResult":10}')
        check(p.returncode == 2 and "/MaxResult" in p.stderr, "MaxResult refused: %d %r" % (p.returncode, p.stderr))
    finally:
        harness.stdin.close()
        harness.wait()

    # ---- recording server
    srv, records = recording_server.start()
    url = "http://127.0.0.1:%d" % srv.server_address[1]

    def script(*bodies):
        with srv.lock:
            srv.answers[:] = [{"body": b} for b in bodies]
        del records[:]

    try:
        script({"Standards": [{"StandardsArn": "a1"}], "NextToken": "t/2"}, {"Standards": [{"StandardsArn": "a2"}]})
        p = run(url, "standards", "list")
        check(p.returncode == 0 and [json.loads(x)["StandardsArn"] for x in p.stdout.splitlines()] == ["a1", "a2"],
              "standards list: %r" % p.stdout)
        check([(r["method"], r["path"], r["query"]) for r in records] ==
              [("GET", "/standards", ""), ("GET", "/standards", "NextToken=t%2F2")], "standards list requests %r" % records)
        script({"StandardsSubscriptions": [{"StandardsSubscriptionArn": "s1"}]})
        p = run(url, "standards", "list", "--enabled")
        check(p.returncode == 0 and records[0]["path"] == "/standards/get", "standards list --enabled")
        script({"StandardsSubscriptions": []})
        p = run(url, "standards", "enable", "arn:std/1", "arn:std/2")
        check(p.returncode == 0 and json.loads(records[0]["body"]) == {"StandardsSubscriptionRequests": [
            {"StandardsArn": "arn:std/1"}, {"StandardsArn": "arn:std/2"}]}, "standards enable %r" % records)
        script({})
        p = run(url, "standards", "disable", "arn:sub/1")
        check(p.returncode == 0 and records[0]["path"] == "/standards/deregister" and
              json.loads(records[0]["body"]) == {"StandardsSubscriptionArns": ["arn:sub/1"]}, "standards disable")
        script({"Controls": [{"ControlId": "C.1"}, {"ControlId": "C.2"}]})
        p = run(url, "standards", "controls", "arn:aws:securityhub:us-east-1:1:subscription/cis/1.2.0")
        check(p.returncode == 0 and len(p.stdout.splitlines()) == 2 and records[0]["path"] ==
              "/standards/controls/arn%3Aaws%3Asecurityhub%3Aus-east-1%3A1%3Asubscription/cis/1.2.0",
              "standards controls: %r %r" % (p.stdout, records))
        script({})
        p = run(url, "controls", "update", "arn:c/1", "--status", "DISABLED", "--reason", "not used")
        check(p.returncode == 0 and records[0]["method"] == "PATCH" and records[0]["path"] == "/standards/control/arn%3Ac/1"
              and json.loads(records[0]["body"]) == {"ControlStatus": "DISABLED", "DisabledReason": "not used"},
              "controls update %r" % records)
        script({"UnprocessedAssociationUpdates": []})
        p = run(url, "controls", "update", "--control", "IAM.1", "--standard", "arn:s", "--status", "ENABLED")
        check(p.returncode == 0 and records[0]["path"] == "/associations" and
              json.loads(records[0]["body"])["StandardsControlAssociationUpdates"][0]["SecurityControlId"] == "IAM.1",
              "controls update --control %r" % records)
        script({"SecurityControlDefinitions": [{"SecurityControlId": "IAM.1"}]})
        p = run(url, "controls", "list", "--standard", "arn:s")
        check(p.returncode == 0 and records[0]["query"] == "StandardsArn=arn%3As", "controls list %r" % records)
        for args, word in ((["hub", "enable", "--bogus"], "--bogus"), (["hub", "frob"], "frob"),
                           (["call", "GetFindings", "--input"], "--input"), (["call", "NoSuchOp"], "NoSuchOp"),
                           (["standards", "enable"], "ARN"), (["history", "a", "--start"], "--start"),
                           (["export", "--v2", "--filters", '{"X":1}'], "/Filters/X")):
            p = run(url, *args)
            check(p.returncode == 2 and word in p.stderr, "usage %s: %d %r" % (args, p.returncode, p.stderr))
        p = run(url, "controls", "update", "arn:c/1")
        check(p.returncode == 2 and "--status" in p.stderr, "controls update without --status")
        script({"Records": [{"FindingIdentifier": {"Id": "f1", "ProductArn": "p"}, "UpdateSource": {"Type": "X"}}],
                "NextToken": "n"}, {"Records": [{"FindingCreated": True}]})
        p = run(url, "history", "f1", "--product-arn", "p", "--start", "2024-01-01T00:00:00Z")
        check(p.returncode == 0 and len(p.stdout.splitlines()) == 2 and json.loads(records[1]["body"]) ==
              {"FindingIdentifier": {"Id": "f1", "ProductArn": "p"}, "StartTime": "2024-01-01T00:00:00Z",
               "NextToken": "n"}, "history: %r %r" % (p.stdout, records))
        script({"Findings": [{"id": 1}, {"id": 2}], "NextToken": "x"}, {"Findings": [{"id": 3}]})
        p = run(url, "export", "--v2", "--max-results", "2")
        check(p.returncode == 0 and [json.loads(x)["id"] for x in p.stdout.splitlines()] == [1, 2, 3] and
              records[0]["path"] == "/findingsv2", "export --v2: %r %r" % (p.stdout, records))
        # hub enable on an enabled hub: Security Hub answers 409 ResourceConflictException
        with srv.lock:
            srv.answers[:] = [{"status": 409, "body": {"__type": "ResourceConflictException",
                                                       "Message": "Account is already subscribed to Security Hub"}}]
        p = run(url, "hub", "enable")
        check(p.returncode == 0 and json.loads(p.stdout).get("AlreadyEnabled") is True and "already enabled" in p.stderr,
              "hub enable on an enabled hub: %d %r %r" % (p.returncode, p.stdout, p.stderr))
        with srv.lock:
            srv.answers[:] = [{"status": 403, "body": {"__type": "AccessDeniedException", "Message": "no"}}]
        p = run(url, "hub", "enable")
        check(p.returncode == 3, "hub enable refused: exit %d" % p.returncode)
        # a third party's control characters never reach the terminal raw
        script({"Hub": "a\u001b[31mred"})
        p = run(url, "call", "DescribeHub")
        check(p.returncode == 0 and "\x1b" not in p.stdout and "\\u001b" in p.stdout.lower(), "escape: %r" % p.stdout)
        # a loop of tokens stops
        script({"Standards": [], "NextToken": "same"}, {"Standards": [], "NextToken": "same"})
        p = run(url, "standards", "list")
        check(p.returncode == 3 and len(records) == 2, "repeated token: %d, %d requests" % (p.returncode, len(records)))
    finally:
        srv.shutdown()
    for f in FAIL:
        print("FAIL", f)
    return 1 if FAIL else 0


if __name__ == "__main__":
    sys.exit(main())
