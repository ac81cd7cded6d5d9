#!/usr/bin/env python3
"""A managed insight as the template of a custom one (issue 17; docs/filter.md, rules N1..N7).

Local `asff insight --managed N --filters F` over tests/data/filter/generated.json counts what the
two filter sets match together (checked against a count made here in Python); the combinations that
leave nothing or cannot be written as one set are refused (exit 2) naming the attribute.
`asff insights create --managed N --filters F` sends the combined filters: moto_server has no
CreateInsight, so the recording server (tests/servers/recording_server.py) shows the request body.
The explanation of an empty result (`asff insight`, `asff filter`) names the attribute that emptied
it, and how many findings lack it; the exit status stays 0.

  insight_narrow.py ASFF_BINARY DATA_DIR"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "servers"))
import recording_server  # noqa: E402

FAIL = []


def check(cond, what):
    if not cond:
        FAIL.append(what)
    return cond


def eq(attr, *values, cmp="EQUALS"):
    return {attr: [{"Value": v, "Comparison": cmp} for v in values]}


def main():
    asff, data = sys.argv[1], sys.argv[2]
    corpus = os.path.join(data, "filter", "generated.json")
    findings = json.load(open(corpus))["Findings"]
    env = dict(os.environ, AWS_EC2_METADATA_DISABLED="true")

    def run(*args):
        return subprocess.run([asff] + list(args), capture_output=True, text=True, env=env, timeout=120)

    def matched(p):
        for line in p.stdout.splitlines():
            if "matching findings" in line:
                return int(line.split()[1])
        return None

    def active_open(f):
        return f.get("RecordState") == "ACTIVE" and (f.get("Workflow") or {}).get("Status") in ("NEW", "NOTIFIED")

    # N1: an attribute of --filters only is added to the template's
    p = run("insight", "--managed", "1", "--filters", json.dumps(eq("SeverityLabel", "HIGH")), corpus)
    want = sum(1 for f in findings if active_open(f) and f.get("Severity", {}).get("Label") == "HIGH")
    check(p.returncode == 0 and matched(p) == want, "N1: %r vs %d (%s)" % (matched(p), want, p.stderr))
    check(want > 0, "N1: the corpus has no such finding")
    # N2: both EQUALS: the common values
    p = run("insight", "--managed", "1", "--filters", json.dumps(eq("WorkflowStatus", "NEW", "RESOLVED")), corpus)
    want = sum(1 for f in findings if f.get("RecordState") == "ACTIVE" and (f.get("Workflow") or {}).get("Status") == "NEW")
    check(p.returncode == 0 and matched(p) == want, "N2: %r vs %d (%s)" % (matched(p), want, p.stderr))
    # N2, empty: refused, naming the attribute
    p = run("insight", "--managed", "1", "--filters", json.dumps(eq("WorkflowStatus", "RESOLVED")), corpus)
    check(p.returncode == 2 and "WorkflowStatus" in p.stderr and "leave nothing" in p.stderr and not p.stdout,
          "N2 empty: %d %r" % (p.returncode, p.stderr))
    # N4: a negative removes EQUALS values (EQUALS beside NOT_EQUALS is refused by Security Hub)
    p = run("insight", "--managed", "1", "--filters", json.dumps(eq("WorkflowStatus", "NOTIFIED", cmp="NOT_EQUALS")),
            corpus)
    check(p.returncode == 0 and matched(p) == want, "N4: %r vs %d (%s)" % (matched(p), want, p.stderr))
    # N2 on a list attribute (Resources[].Type): different values cannot be combined
    p = run("insight", "--managed", "5", "--filters", json.dumps(eq("ResourceType", "AwsS3Bucket")), corpus)
    check(p.returncode == 2 and "ResourceType" in p.stderr and "cannot narrow" in p.stderr,
          "N2 list: %d %r" % (p.returncode, p.stderr))
    # ... but one that implies the other is kept (PREFIX Aws implied by EQUALS AwsEc2Instance)
    p = run("insight", "--managed", "5", "--filters", json.dumps(eq("ResourceType", "Aws", cmp="PREFIX")), corpus)
    p5 = run("insight", "--managed", "5", corpus)
    check(p.returncode == 0 and matched(p) == matched(p5), "N2 implied: %r vs %r %s" % (matched(p), matched(p5), p.stderr))
    # N5: numbers, the tighter bound
    flt = {"SeverityNormalized": [{"Gte": 40}]}
    p = run("insight", "--managed", "1", "--filters", json.dumps(flt), corpus)
    want = sum(1 for f in findings if active_open(f) and f.get("Severity", {}).get("Normalized", -1) >= 40)
    check(p.returncode == 0 and matched(p) == want, "N5: %r vs %d (%s)" % (matched(p), want, p.stderr))
    # a bad --filters is a usage error with the filter's own message
    p = run("insight", "--managed", "1", "--filters", '{"Nope":[]}', corpus)
    check(p.returncode == 2 and "Nope" in p.stderr, "bad filters: %d %r" % (p.returncode, p.stderr))

    # the explanation of an empty result: findings without Workflow
    no_wf = [f for f in findings if not f.get("Workflow")]
    path = os.path.join(os.environ.get("TMPDIR", "/tmp"), "insight_narrow_%d.json" % os.getpid())
    with open(path, "w") as fh:
        json.dump(no_wf, fh)
    try:
        p = run("insight", "--managed", "1", path)
        line = "none of %d findings matched; WorkflowStatus (EQUALS NEW|NOTIFIED) matched 0 (%d findings have no " \
               "Workflow.Status)" % (len(no_wf), len(no_wf))
        check(p.returncode == 0 and matched(p) == 0 and p.stderr.strip() == "asff insight: " + line,
              "explain insight: %d %r" % (p.returncode, p.stderr))
        p = run("filter", "--filters", json.dumps(eq("WorkflowStatus", "NEW")), path)
        check(p.returncode == 0 and not p.stdout.strip("[]\n") and "asff filter: none of" in p.stderr
              and "WorkflowStatus (EQUALS NEW) matched 0" in p.stderr, "explain filter: %d %r" % (p.returncode, p.stderr))
    finally:
        os.unlink(path)
    # each attribute alone keeps some, their combination none
    flt = dict(eq("SeverityLabel", "HIGH"), **eq("ProductName", "Nope", "Inspector"))
    flt["Title"] = [{"Value": "no such title", "Comparison": "EQUALS"}]
    p = run("filter", "--filters", json.dumps(flt), corpus)
    check("Title (EQUALS no such title) matched 0" in p.stderr, "explain names the empty attribute: %r" % p.stderr)
    flt = dict(eq("SeverityLabel", "HIGH"), **eq("Id", findings[0]["Id"]))
    if findings[0].get("Severity", {}).get("Label") != "HIGH":
        p = run("filter", "--filters", json.dumps(flt), corpus)
        check("each attribute alone matches some" in p.stderr, "explain combination: %r" % p.stderr)
    # a result that is not empty says nothing
    p = run("insight", "--managed", "1", corpus)
    check(p.returncode == 0 and not p.stderr, "non-empty: %r" % p.stderr)

    # insights create --managed N --filters: the combined filters are what is sent
    srv, records = recording_server.start()
    url = "http://127.0.0.1:%d" % srv.server_address[1]
    aws = dict(env, AWS_ACCESS_KEY_ID="AKIDNARROW", AWS_SECRET_ACCESS_KEY="s", AWS_REGION="us-east-1",
               AWS_CONFIG_FILE="/nonexistent/c", AWS_SHARED_CREDENTIALS_FILE="/nonexistent/k", NO_PROXY="127.0.0.1")
    try:
        with srv.lock:
            srv.answers.append({"body": {"InsightArn": "arn:aws:securityhub:us-east-1:123456789012:insight/x"}})
        p = subprocess.run([asff, "insights", "create", "--managed", "1", "--name", "open high", "--filters",
                            json.dumps(dict(eq("SeverityLabel", "HIGH"), **eq("WorkflowStatus", "NEW"))),
                            "--endpoint-url", url], capture_output=True, text=True, env=aws, timeout=60)
        check(p.returncode == 0 and len(records) == 1, "create: %d %r %r" % (p.returncode, p.stderr, records))
        if records:
            body = json.loads(records[0]["body"])
            check(records[0]["path"] == "/insights" and body["Name"] == "open high"
                  and body["GroupByAttribute"] == "ResourceId"
                  and body["Filters"] == dict(eq("RecordState", "ACTIVE"), **eq("WorkflowStatus", "NEW"),
                                              **eq("SeverityLabel", "HIGH")), "create body: %r" % body)
        del records[:]
        # N6: two DateRanges WITHIN of one unit: the tighter; N1 for a Number attribute
        with srv.lock:
            srv.answers.append({"body": {"InsightArn": "arn:aws:securityhub:us-east-1:123456789012:insight/y"}})
        flt = {"UpdatedAt": [{"DateRange": {"Value": 7, "Unit": "DAYS"}}], "SeverityNormalized": [{"Gte": 70}]}
        p = subprocess.run([asff, "insights", "create", "--managed", "31", "--name", "n6", "--filters", json.dumps(flt),
                            "--endpoint-url", url], capture_output=True, text=True, env=aws, timeout=60)
        check(p.returncode == 0 and len(records) == 1, "create N6: %d %r" % (p.returncode, p.stderr))
        if records:
            f = json.loads(records[0]["body"])["Filters"]
            check(f["UpdatedAt"] == [{"DateRange": {"Value": 1, "Unit": "DAYS"}}] and
                  f["SeverityNormalized"] == [{"Gte": 70}] and f["ComplianceStatus"] == eq("ComplianceStatus", "FAILED")
                  ["ComplianceStatus"], "create N6 body: %r" % f)
        del records[:]
        # N6: a fixed period against a DateRange is refused, naming the attribute
        flt = {"UpdatedAt": [{"Start": "2024-01-01T00:00:00Z", "End": "2024-02-01T00:00:00Z"}]}
        p = subprocess.run([asff, "insights", "create", "--managed", "31", "--name", "n6", "--filters", json.dumps(flt),
                            "--endpoint-url", url], capture_output=True, text=True, env=aws, timeout=60)
        check(p.returncode == 2 and not records and "UpdatedAt" in p.stderr, "create N6 fixed: %d %r" % (p.returncode,
                                                                                                     p.stderr))
        p = subprocess.run([asff, "insights", "create", "--managed", "1", "--name", "n", "--filters",
                            json.dumps(eq("WorkflowStatus", "SUPPRESSED")), "--endpoint-url", url],
                           capture_output=True, text=True, env=aws, timeout=60)
        check(p.returncode == 2 and not records and "WorkflowStatus" in p.stderr,
              "create empty: %d %r %r" % (p.returncode, p.stderr, records))
    finally:
        srv.shutdown()
    if FAIL:
        print("\n".join(FAIL), file=sys.stderr)
        return 1
    print("insight_narrow: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
