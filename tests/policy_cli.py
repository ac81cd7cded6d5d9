#!/usr/bin/env python3
"""`asff policy` against what the commands really call (issue 17).

Every networked command runs, with each of its subcommands and options that reach another operation,
against the recording server (tests/servers/recording_server.py; rollout against moto_server behind
tests/servers/rollout_server.py, as tests/rollout_cli.py). Each request's method and path is mapped
to its operation through botocore's Security Hub model (the same model libasff is generated from).
The rules checked:
  P1 every operation a command called is among the securityhub: actions of `asff policy COMMAND`;
  P2 every securityhub: action of `asff policy COMMAND` was called by one of the runs of that command
     (the policy lists nothing the command cannot call). `call` is the exception: it may call any
     operation, so its policy is the whole model, and P1 is checked on a sample;
  P3 a command that calls nothing gets no document (a message, exit 0); an unknown command exit 2;
  P4 --list agrees with the documents, and the document is well-formed (sorted, unique actions).

  policy_cli.py ASFF_BINARY"""
import json
import os
import re
import subprocess
import sys
import tempfile

import botocore.session

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "servers"))
import recording_server  # noqa: E402

ARN = "arn:aws:securityhub:us-east-1:123456789012:product/123456789012/default"
FAIL = []
LOCAL = ["convert", "credentials", "filter", "fmt", "insight", "normalize", "policy", "rules", "schema", "sign",
         "validate"]


def check(cond, what):
    if not cond:
        FAIL.append(what)
    return cond


def routes():
    """(method, compiled path regex, literal length, operation) for every operation of the model."""
    model = botocore.session.get_session().get_service_model("securityhub")
    out = []
    for name in model.operation_names:
        http = model.operation_model(name).http
        uri = http["requestUri"].split("?")[0]
        parts, lit = [], 0
        for piece in re.split(r"(\{[^}]+\})", uri):
            if piece.startswith("{"):
                parts.append(".+" if piece.endswith("+}") else "[^/]+")
            else:
                parts.append(re.escape(piece))
                lit += len(piece)
        out.append((http["method"], re.compile("^" + "".join(parts) + "$"), lit, name))
    return out


ROUTES = routes()


def operation(method, path):
    """The operation of a request: the matching route with the most literal text."""
    best = None
    for m, rx, lit, name in ROUTES:
        if m == method and rx.match(path) and (best is None or lit > best[0]):
            best = (lit, name)
    return best[1] if best else "?%s %s" % (method, path)


def finding(i):
    return {"SchemaVersion": "2018-10-08", "Id": "pol-%03d" % i, "ProductArn": ARN, "GeneratorId": "g",
            "AwsAccountId": "123456789012", "Types": ["Software and Configuration Checks"],
            "CreatedAt": "2024-05-01T12:00:00.000Z", "UpdatedAt": "2024-05-01T12:00:00.000Z",
            "Severity": {"Label": "LOW"}, "Title": "t", "Description": "d",
            "Resources": [{"Type": "Other", "Id": "r%d" % i}]}


def policy(asff, env, *cmds):
    p = subprocess.run([asff, "policy"] + list(cmds), capture_output=True, text=True, env=env)
    return p


def actions_of(asff, env, cmd):
    p = policy(asff, env, cmd)
    if not p.stdout.strip():
        return set(), set()
    doc = json.loads(p.stdout)
    sh, other = set(), set()
    check(doc["Version"] == "2012-10-17", "%s: Version %r" % (cmd, doc["Version"]))
    for st in doc["Statement"]:
        acts = st["Action"]
        check(acts == sorted(set(acts)) and acts, "%s: actions not sorted/unique/non-empty: %r" % (cmd, acts))
        check(st["Effect"] == "Allow" and st["Resource"] == "*" and st["Sid"].startswith("Asff"),
              "%s: statement %r" % (cmd, st))
        for a in acts:
            (sh if a.startswith("securityhub:") else other).add(a.split(":", 1)[1] if a.startswith("securityhub:")
                                                                else a)
    return sh, other


def recorded_runs(asff, env, tmp):
    """command -> set of operations called, over every run against the recording server."""
    srv, records = recording_server.start()
    url = "http://127.0.0.1:%d" % srv.server_address[1]
    fpath = os.path.join(tmp, "f.json")
    with open(fpath, "w") as f:
        json.dump([finding(i) for i in range(3)], f)
    csv = os.path.join(tmp, "m.csv")
    with open(csv, "w") as f:
        f.write("AccountId,Email\n111111111111,a@example.com\n")
    empty_page = {"body": {"Findings": []}}
    one_page = {"body": {"Findings": [finding(1)]}}
    runs = {
        "import": [(["import", fpath], [{"body": {"SuccessCount": 3, "FailedCount": 0, "FailedFindings": []}}])],
        "export": [(["export"], [empty_page]), (["export", "--v2"], [{"body": {"Findings": []}}])],
        "update": [(["update", fpath, "--workflow", "NOTIFIED"],
                    [{"body": {"ProcessedFindings": [{"Id": "pol-%03d" % i, "ProductArn": ARN} for i in range(3)],
                               "UnprocessedFindings": []}}]),
                   (["update", "--filters", "{}", "--workflow", "NOTIFIED"], [empty_page])],
        "insights": [(["insights", "create", "--name", "n", "--group-by", "ResourceType", "--filters", "{}"], []),
                     (["insights", "list", "--hub"], []),
                     (["insights", "results", "arn:aws:securityhub:us-east-1:123456789012:insight/x"], []),
                     (["insights", "delete", "arn:aws:securityhub:us-east-1:123456789012:insight/x"], [])],
        "hub": [(["hub", x], []) for x in ("enable", "describe", "disable")],
        "members": [(["members", "add", "--csv", csv, "--invite"], []), (["members", "list"], [])],
        "actions": [(["actions", "create", "--name", "n", "--description", "d", "--id", "i"], []),
                    (["actions", "list"], []), (["actions", "delete", "arn:aws:securityhub:x"], [])],
        "tags": [(["tags", "add", "arn:aws:securityhub:x", "k=v"], []), (["tags", "list", "arn:aws:securityhub:x"], []),
                 (["tags", "remove", "arn:aws:securityhub:x", "k"], [])],
        "standards": [(["standards", "list"], []), (["standards", "list", "--enabled"], []),
                      (["standards", "enable", "arn:aws:securityhub:::standards/x"], []),
                      (["standards", "disable", "arn:aws:securityhub:us-east-1:1:subscription/x"], []),
                      (["standards", "controls", "arn:aws:securityhub:us-east-1:1:subscription/x"], [])],
        "controls": [(["controls", "list"], []), (["controls", "get", "IAM.1"], []),
                     (["controls", "associations", "IAM.1"], []),
                     (["controls", "update", "arn:aws:securityhub:us-east-1:1:control/x", "--status", "ENABLED"], []),
                     (["controls", "update", "--control", "IAM.1", "--standard", "arn:aws:securityhub:::standards/x",
                       "--status", "ENABLED"], [])],
        "history": [(["history", "pol-001"], [one_page]), (["history", "pol-001", "--product-arn", ARN], [])],
        "call": [(["call", op], []) for op in ("DescribeHub", "GetAdministratorAccount", "ListFindingAggregators")],
    }
    called = {}
    try:
        for cmd, variants in runs.items():
            ops = called.setdefault(cmd, set())
            for args, answers in variants:
                with srv.lock:
                    del records[:]
                    del srv.answers[:]
                    srv.answers.extend(answers)
                subprocess.run([asff] + args + ["--endpoint-url", url], capture_output=True, text=True, env=env,
                               timeout=120)
                with srv.lock:
                    got = [operation(r["method"], r["path"]) for r in records]
                check(got, "%s: no request at all" % " ".join(args))
                ops.update(got)
    finally:
        srv.shutdown()
    return called


def rollout_runs(asff, tmp):
    """The operations rollout calls (invitations, then --organization) on moto + rollout_server."""
    import urllib.request
    moto = subprocess.Popen([sys.executable, os.path.join(HERE, "servers", "moto_harness")],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    proxy = None
    ops = set()
    try:
        line = moto.stdout.readline()
        if not check(line.startswith("PORT "), "moto_harness did not start"):
            return ops
        upstream = "http://127.0.0.1:%d" % int(line.split()[1])
        proxy = subprocess.Popen([sys.executable, os.path.join(HERE, "servers", "rollout_server.py"),
                                  "--upstream", upstream], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        endpoint = "http://127.0.0.1:%d" % int(proxy.stdout.readline().split()[1])
        home = os.path.join(tmp, "home")
        os.makedirs(os.path.join(home, ".aws"))
        with open(os.path.join(home, ".aws", "credentials"), "w") as f:
            f.write("[default]\naws_access_key_id = AKIAPOLICYADMIN00001\naws_secret_access_key = s\n")
        with open(os.path.join(home, ".aws", "config"), "w") as f:
            f.write("[default]\nregion = us-east-1\n")
        csv = os.path.join(tmp, "r.csv")
        with open(csv, "w") as f:
            f.write("AccountId,Email\n100000000001,a@example.com\n")
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update({"HOME": home, "AWS_EC2_METADATA_DISABLED": "true", "AWS_ENDPOINT_URL": endpoint,
                    "NO_PROXY": "127.0.0.1,localhost"})
        base = ["rollout", "--accounts", csv, "--role-name", "OrgRole"]
        p = subprocess.run([asff] + base + ["--regions", "us-east-1"], env=env, capture_output=True, text=True,
                           timeout=300)
        check(p.returncode == 0, "rollout: %d %s" % (p.returncode, p.stderr[-500:]))
        req = urllib.request.Request(
            upstream + "/", data=json.dumps({"FeatureSet": "ALL"}).encode(), method="POST",
            headers={"Authorization": "AWS4-HMAC-SHA256 Credential=AKIAPOLICYADMIN00001/20240101/us-east-1/"
                                      "organizations/aws4_request, SignedHeaders=host, Signature=0",
                     "X-Amz-Target": "AWSOrganizationsV20161128.CreateOrganization",
                     "Content-Type": "application/x-amz-json-1.1"})
        urllib.request.urlopen(req, timeout=60).read()
        p = subprocess.run([asff] + base + ["--organization", "--regions", "eu-central-1"], env=env,
                           capture_output=True, text=True, timeout=300)
        check(p.returncode == 0, "rollout --organization: %d %s" % (p.returncode, p.stderr[-500:]))
        counts = json.loads(urllib.request.urlopen(endpoint + "/__log", timeout=30).read())["counts"]
        for name in counts:
            if " " not in name:
                ops.add(name)
            elif name != "POST /":  # STS (form-encoded, served by moto)
                method, path = name.split(" ", 1)
                ops.add(operation(method, path.split("?")[0]))
    finally:
        for p in (proxy, moto):
            if p:
                p.stdin.close()
                p.wait(timeout=30)
    return ops


def main():
    asff = sys.argv[1]
    env = dict(os.environ)
    env.update({"AWS_ACCESS_KEY_ID": "AKIDPOLICY", "AWS_SECRET_ACCESS_KEY": "policysecret",
                "AWS_REGION": "us-east-1", "AWS_CONFIG_FILE": "/nonexistent/c",
                "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/k", "AWS_EC2_METADATA_DISABLED": "true",
                "NO_PROXY": "127.0.0.1"})
    for k in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SECURITYHUB", "AWS_SESSION_TOKEN"):
        env.pop(k, None)
    with tempfile.TemporaryDirectory() as tmp:
        called = recorded_runs(asff, env, tmp)
        called["rollout"] = rollout_runs(asff, tmp)
    model_ops = {name for _, _, _, name in ROUTES}
    for cmd, ops in sorted(called.items()):
        sh, other = actions_of(asff, env, cmd)
        check(not (ops - sh), "P1 %s called %s, not in its policy" % (cmd, sorted(ops - sh)))
        if cmd == "call":
            check(sh == model_ops, "call: policy is not the whole model (%d vs %d)" % (len(sh), len(model_ops)))
        else:
            check(not (sh - ops), "P2 %s: policy lists %s, never called" % (cmd, sorted(sh - ops)))
        check(cmd == "rollout" or not other, "%s: other-service actions %r" % (cmd, other))
    _, other = actions_of(asff, env, "rollout")
    check("sts:AssumeRole" in other, "rollout: no sts:AssumeRole")
    # P3
    for cmd in LOCAL:
        p = policy(asff, env, cmd)
        check(p.returncode == 0 and not p.stdout and "no policy needed" in p.stderr,
              "P3 %s: %d %r %r" % (cmd, p.returncode, p.stdout, p.stderr))
    p = policy(asff, env, "import", "no-such-command")
    check(p.returncode == 2 and "no-such-command" in p.stderr and not p.stdout, "P3 unknown: %r" % (p.stderr,))
    # several commands: the union
    sh, _ = actions_of(asff, env, "import")
    sh2, _ = actions_of(asff, env, "export")
    p = policy(asff, env, "import", "export", "fmt")
    doc = json.loads(p.stdout)
    check(doc["Statement"][0]["Action"] == sorted("securityhub:" + a for a in sh | sh2), "union: %r" % doc)
    # P4
    p = policy(asff, env, "--list")
    listed = {}
    for line in p.stdout.splitlines():
        words = line.split()
        listed[words[0]] = set(words[1:]) - {"-"}
    check(set(LOCAL) <= set(listed) and set(called) <= set(listed), "--list commands: %r" % sorted(listed))
    for cmd, acts in listed.items():
        sh, other = actions_of(asff, env, cmd)
        check(acts == sh | other, "--list %s: %r vs %r" % (cmd, acts, sh | other))
    if FAIL:
        print("\n".join(FAIL), file=sys.stderr)
        return 1
    print("policy_cli: ok (%d commands checked against %d recorded operations)"
          % (len(called), sum(len(v) for v in called.values())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
