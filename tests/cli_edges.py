#!/usr/bin/env python3
"""Issue 20, the asff tool's share: each edge a hostile tester found, kept fixed by a case named
after it. Runs the built asff binary; servers are tests/servers/hostile_server.py on 127.0.0.1.

  cli_edges.py ASFF_BINARY
"""
import base64
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = []


def case(fn):
    CASES.append(fn)
    return fn


class Ctx:
    pass


def run(c, args, stdin=None, env=None, timeout=60, stdout=None):
    kw = {"stdout": stdout} if stdout is not None else {"stdout": subprocess.PIPE}
    r = subprocess.run([c.asff] + args, input=stdin, env=env or c.env, stderr=subprocess.PIPE, timeout=timeout, **kw)
    if r.returncode < 0:
        raise AssertionError("%s: killed by signal %d" % (args, -r.returncode))
    if r.stderr and (b"Sanitizer" in r.stderr or b"runtime error:" in r.stderr):
        raise AssertionError("%s: sanitizer report: %r" % (args, r.stderr[-600:]))
    return r


def expect(cond, what):
    if not cond:
        raise AssertionError(what)


def finding(i, title="match me", pretty=False):
    f = {"SchemaVersion": "2018-10-08", "Id": "f-%d" % i, "Title": title, "AwsAccountId": "123456789012",
         "Resources": [{"Type": "AwsEc2Instance", "Id": "i-%d" % i}, {"Type": "Other", "Id": "r"}],
         "Severity": {"Label": "HIGH"}, "ProductFields": {"k": "v"},
         "CreatedAt": "2024-01-01T00:00:00Z", "UpdatedAt": "2024-01-01T00:00:00Z"}
    return json.dumps(f, indent=2 if pretty else None)


def write(c, name, data):
    path = os.path.join(c.tmp, name)
    with open(path, "wb") as f:
        f.write(data.encode() if isinstance(data, str) else data)
    return path


# ---- --prefilter: the output equals the default output on every input -------------------------
PREFILTER_INPUTS = {
    "pretty first finding": "\n".join([finding(0, pretty=True), finding(1), finding(2)]) + "\n",
    "pretty middle finding": "\n".join([finding(0), finding(1, pretty=True), finding(2)]) + "\n",
    "pretty last finding": "\n".join([finding(0), finding(1), finding(2, pretty=True)]),
    "every finding pretty": "\n".join(finding(i, pretty=True) for i in range(3)),
    "non-matching pretty between": "\n".join([finding(0), finding(9, "other", True), finding(2)]) + "\n",
    "compact NDJSON": "\n".join(finding(i, "match me" if i % 2 else "other") for i in range(9)) + "\n",
    "blank lines": "\n\n" + "\n\n".join(finding(i) for i in range(3)) + "\n\n\n",
    "CRLF": "\r\n".join(finding(i) for i in range(3)) + "\r\n",
    "no final newline": "\n".join(finding(i) for i in range(3)),
    "newline-free Findings": '{"Findings":[%s]}' % ",".join(finding(i) for i in range(3)),
    "Findings lines": "\n".join('{"Findings":[%s]}' % finding(i) for i in range(3)) + "\n",
    "array": "[" + ",\n".join(finding(i) for i in range(3)) + "]\n",
    "object ending a line inside a finding": finding(0)[:-1] + ',"X":{"a":1}\n}\n' + finding(1) + "\n",
    "nested object alone on a line": '{"Id":"a","Title":"match me",\n{"x":1}\n}\n' + finding(1) + "\n",
    "event": json.dumps({"detail-type": "x", "detail": {"findings": [json.loads(finding(0))]}}) + "\n" + finding(1),
}


@case
def prefilter_output_equals_default_on_every_input(c):
    flt = '{"Title":[{"Value":"match","Comparison":"PREFIX"}]}'
    for name, text in PREFILTER_INPUTS.items():
        path = write(c, "pf.json", text)
        for cmd in (["filter", "--filters", flt], ["insight", "--group-by", "ResourceId", "--filters", flt],
                    ["filter", "--skip-invalid", "--filters", flt]):
            want = run(c, cmd + [path])
            for got in (run(c, cmd + ["--prefilter", path]), run(c, cmd + ["--prefilter", "-"], stdin=text.encode())):
                expect(got.stdout == want.stdout and got.returncode == want.returncode,
                       "%s, %s: --prefilter gave %r (exit %d), the default %r (exit %d)" %
                       (name, cmd[0], got.stdout[:300], got.returncode, want.stdout[:300], want.returncode))
    # the original report: `{` alone on line 1, three matches
    path = write(c, "pf3.ndjson", PREFILTER_INPUTS["pretty first finding"])
    r = run(c, ["filter", "--prefilter", "--filters", flt, path])
    expect(r.returncode == 0 and len(r.stdout.splitlines()) == 3, "pretty first finding: %r %r" % (r.stdout, r.stderr))


# ---- --now ------------------------------------------------------------------------------------
@case
def now_min_int64_is_refused_without_overflow(c):
    flt = '{"CreatedAt":[{"DateRange":{"Value":5,"Unit":"DAYS"}}]}'
    src = finding(0).encode()
    for v in ("-9223372036854775808", "9223372036854775807", "99999999999999999999", "-99999999999999999999",
              "12abc", "", "253402300800", "-62135596801"):
        for cmd in (["filter", "--filters", flt], ["insight", "--group-by", "Title", "--filters", flt],
                    ["rules", "apply", c.rules]):
            r = run(c, cmd + ["--now", v, "-"], stdin=src)
            expect(r.returncode == 2 and b"--now" in r.stderr, "%s --now %r: exit %d %r" % (cmd[0], v, r.returncode,
                                                                                            r.stderr))
    for v in ("253402300799", "-62135596800", "0", "2024-06-01T00:00:00Z"):
        r = run(c, ["filter", "--filters", flt, "--now", v, "-"], stdin=src)
        expect(r.returncode == 0, "filter --now %s: exit %d %r" % (v, r.returncode, r.stderr))
        r = run(c, ["rules", "apply", c.rules, "--quiet", "--now", v, "-"], stdin=src)
        expect(r.returncode == 0, "rules --now %s: exit %d %r" % (v, r.returncode, r.stderr))
        ts = json.loads(r.stdout)["Note"]["UpdatedAt"]
        expect(re.match(r"^\d{4}-\d\d-\d\dT", ts), "rules --now %s wrote UpdatedAt %r" % (v, ts))


# ---- output paths that are inputs ----------------------------------------------------------------
@case
def import_failed_same_file_is_refused_before_reading(c):
    path = write(c, "in.ndjson", "\n".join(finding(i) for i in range(250)) + "\n")
    before = open(path, "rb").read()
    link = os.path.join(c.tmp, "hardlink.ndjson")
    os.link(path, link)
    sym = os.path.join(c.tmp, "symlink.ndjson")
    os.symlink(path, sym)
    for args, stdin in ((["--failed", path, path], None), (["--failed", link, path], None),
                        (["--failed", sym, path], None), (["--failed", path], before),
                        (["--failed", os.path.join(c.tmp, "new.ndjson"), os.path.join(c.tmp, "new.ndjson")], None)):
        if stdin is not None:
            with open(path, "rb") as f:
                r = subprocess.run([c.asff, "import"] + args + c.ep, stdin=f, env=c.env, capture_output=True)
        else:
            r = run(c, ["import"] + args + c.ep)
        expect(r.returncode == 2 and b"refused" in r.stderr, "import %s: exit %d %r" % (args, r.returncode, r.stderr))
        expect(open(path, "rb").read() == before, "import %s changed its input" % args)
    expect(c.requests() == 0, "import sent requests although it was refused")


@case
def export_output_same_as_filters_file_is_refused(c):
    path = write(c, "f.json", "{}")
    r = run(c, ["export", "-o", path, "--filters", "@" + path] + c.ep)
    expect(r.returncode == 2 and open(path).read() == "{}", "export -o F --filters @F: %d %r" % (r.returncode, r.stderr))


# ---- write errors --------------------------------------------------------------------------------
@case
def dev_full_gives_exit_3_for_every_command(c):
    src = write(c, "ok.ndjson", "\n".join(finding(i) for i in range(50)) + "\n")
    body = write(c, "body.txt", "x")
    arn = "arn:aws:securityhub:us-east-1:123456789012:hub/default"
    commands = [
        ["--help"], ["--version"], ["fmt", src], ["fmt", "--help"], ["validate", src], ["validate", "--format", "json", src],
        ["normalize", src], ["filter", src], ["filter", "--sort", "Title", src], ["insight", "--group-by", "Title", src],
        ["insight", "--group-by", "Title", "--format", "json", src], ["rules", "apply", c.rules, src],
        ["insights", "list"], ["insights", "list", "--format", "json"],
        ["sign", "--method", "POST", "--url", "https://h.example/", "--region", "us-east-1", "--service", "s",
         "--body-file", body],
        ["hub", "describe"] + c.ep, ["members", "list"] + c.ep, ["actions", "list"] + c.ep,
        ["tags", "list", arn] + c.ep, ["insights", "results", arn + "/x"] + c.ep, ["export"] + c.ep,
    ]
    c.default({"status": 200, "body_b64": base64.b64encode(json.dumps(
        {"Findings": [json.loads(finding(i)) for i in range(20)]}).encode()).decode()})
    try:
        for args in commands:
            with open("/dev/full", "wb") as full:
                r = run(c, args, stdout=full)
            expect(r.returncode == 3 and r.stderr.strip(), "%s >/dev/full: exit %d %r" % (args, r.returncode, r.stderr))
            expect(b"stopped by the caller" not in r.stderr, "%s: %r" % (args, r.stderr))
    finally:
        c.default(None)
    # import writes its failures to --failed: a full disk there is exit 3 too
    c.queue([{"status": 200, "body_b64": base64.b64encode(json.dumps({"FailedCount": 1, "SuccessCount": 0,
             "FailedFindings": [{"Id": "f-0", "ErrorCode": "InvalidInput", "ErrorMessage": "no"}]}).encode()).decode()}])
    r = run(c, ["import", "--failed", "/dev/full", "-"] + c.ep, stdin=finding(0).encode())
    c.clear()
    expect(r.returncode == 3 and b"write error" in r.stderr, "import --failed /dev/full: %d %r" % (r.returncode, r.stderr))


# ---- endpoints -----------------------------------------------------------------------------------
@case
def empty_or_malformed_endpoint_url_is_a_usage_error(c):
    arn = "arn:aws:securityhub:us-east-1:123456789012:hub/default"
    for url in ("", "not a url", "ftp://127.0.0.1/", "http://", "https:///path", "127.0.0.1:8080"):
        for cmd in (["import", "-"], ["export"], ["hub", "describe"], ["members", "list"], ["actions", "list"],
                    ["tags", "list", arn], ["insights", "results", arn]):
            r = run(c, cmd + ["--endpoint-url", url, "--region", "us-east-1"], stdin=b"", timeout=20)
            expect(r.returncode == 2 and b"--endpoint-url" in r.stderr,
                   "%s --endpoint-url %r: exit %d %r" % (cmd, url, r.returncode, r.stderr))


@case
def network_failure_exits_3(c):
    dead = ["--endpoint-url", "http://127.0.0.1:%d" % c.dead_port, "--region", "us-east-1", "--timeout", "2"]
    # the finding is not a valid one: --no-validate, so that import reaches the network
    for cmd in (["import", "--no-validate", "-"], ["export"], ["hub", "describe"], ["members", "list"],
                ["actions", "list"]):
        r = run(c, cmd + dead, stdin=finding(0).encode(), timeout=60)
        expect(r.returncode == 3, "%s on a closed port: exit %d %r" % (cmd, r.returncode, r.stderr))
        check_error_fields(cmd, r.stderr)


def check_error_fields(cmd, err):
    text = err.decode("utf-8", "replace")
    expect("HTTP 0" not in text and "HTTP -" not in text and "[, " not in text and "request id ]" not in text,
           "%s printed unset error fields: %r" % (cmd, text))
    expect(all(ch == "\n" or 0x20 <= ord(ch) < 0x7f or ord(ch) > 0x9f for ch in text),
           "%s printed unprintable bytes: %r" % (cmd, text))


@case
def timeout_option_bounds_a_hung_server(c):
    c.queue([{"status": 200, "body_b64": "e30=", "delay_ms": 8000}] * 4)
    t0 = time.time()
    r = run(c, ["hub", "describe", "--timeout", "1"] + c.ep, timeout=60)
    took = time.time() - t0
    c.clear()
    expect(r.returncode == 3, "--timeout 1 on a hung server: exit %d %r" % (r.returncode, r.stderr))
    expect(took < 7.5, "--timeout 1 took %.1f s" % took)
    for bad in ("0", "-1", "abc", "", "1e9"):
        r = run(c, ["hub", "describe", "--timeout", bad] + c.ep)
        expect(r.returncode == 2 and b"--timeout" in r.stderr, "--timeout %r: %d %r" % (bad, r.returncode, r.stderr))


@case
def client_error_prints_only_fields_that_are_set(c):
    c.queue([{"status": 400, "body_b64": base64.b64encode(b'{"__type":"InvalidInputException","message":"bad"}')
              .decode(), "headers": [["x-amzn-RequestId", base64.b64encode(b"rid-42").decode()]]}])
    r = run(c, ["hub", "describe"] + c.ep)
    c.clear()
    text = r.stderr.decode()
    expect(r.returncode == 3 and "InvalidInputException" in text and "HTTP 400" in text and "request id rid-42" in text,
           "error fields: %r" % text)
    check_error_fields("hub describe", r.stderr)


# ---- sign --body-file ------------------------------------------------------------------------------
@case
def sign_body_file_refuses_directory_and_endless_stream(c):
    base = ["sign", "--method", "POST", "--url", "https://h.example/", "--region", "us-east-1", "--service", "s"]
    r = run(c, base + ["--body-file", c.tmp])
    expect(r.returncode == 2 and b"directory" in r.stderr, "--body-file DIR: %d %r" % (r.returncode, r.stderr))
    t0 = time.time()
    r = run(c, base + ["--body-file", "/dev/zero"], timeout=60)
    expect(r.returncode == 2 and b"--body-file" in r.stderr and time.time() - t0 < 30,
           "--body-file /dev/zero: %d %r" % (r.returncode, r.stderr))
    r = run(c, base + ["--body-file", os.path.join(c.tmp, "missing")])
    expect(r.returncode == 3 and b"--body-file" in r.stderr, "--body-file missing: %d %r" % (r.returncode, r.stderr))


@case
def sign_65_headers_says_which_option(c):
    args = ["sign", "--method", "GET", "--url", "https://h.example/", "--region", "us-east-1", "--service", "s"]
    for i in range(65):
        args += ["--header", "X-H%d: v" % i]
    r = run(c, args)
    expect(r.returncode == 2 and b"--header" in r.stderr and b"usage:" not in r.stderr,
           "65 headers: %d %r" % (r.returncode, r.stderr))


# ---- messages ------------------------------------------------------------------------------------
@case
def validate_json_includes_parse_errors(c):
    r = run(c, ["validate", "--format", "json", "-"], stdin=b'{"Id": 5}\n{broken\n')
    doc = json.loads(r.stdout)
    expect(r.returncode == 1 and doc["input_errors"] == 2 and len(doc["input_error_list"]) == 2,
           "validate --format json: %r" % r.stdout)
    e = doc["input_error_list"][0]
    expect(e["path"] and e["line"] == 1 and e["code"] == "ASFF_ERR_TYPE", "input error: %r" % e)


@case
def read_error_prints_no_empty_message_line(c):
    for cmd in (["filter"], ["filter", "--prefilter"], ["insight", "--group-by", "Title"],
                ["insight", "--prefilter", "--group-by", "Title"], ["fmt"], ["validate"]):
        r = run(c, cmd + [c.tmp])
        lines = r.stderr.decode().splitlines()
        expect(r.returncode == 3 and lines and all(not re.match(r"^asff: [^:]*: *$", l) for l in lines),
               "%s DIR: exit %d %r" % (cmd, r.returncode, r.stderr))
        expect(len(lines) == 1, "%s DIR: %d lines on stderr: %r" % (cmd, len(lines), r.stderr))


COMMANDS = ["fmt", "validate", "normalize", "filter", "insight", "insights", "rules", "import", "export", "hub",
            "members", "actions", "tags", "sign"]


@case
def every_help_exits_0_on_stdout(c):
    for cmd in [[]] + [[x] for x in COMMANDS]:
        for h in ("--help", "-h"):
            r = run(c, cmd + [h])
            expect(r.returncode == 0 and r.stdout.startswith(b"usage") and not r.stderr,
                   "%s %s: exit %d, stdout %r, stderr %r" % (cmd, h, r.returncode, r.stdout[:80], r.stderr))


@case
def usage_errors_exit_2_and_name_the_option(c):
    sub = {"rules": ["rules", "apply", "RULES"], "hub": ["hub", "describe"], "members": ["members", "list"],
           "actions": ["actions", "list"], "insights": ["insights", "list"], "sign": ["sign"]}
    for cmd in COMMANDS:
        args = sub.get(cmd, [cmd]) + ["--bogus-option-xyz"]
        if cmd == "rules":
            args[2] = c.rules
        r = run(c, args, stdin=b"")
        expect(r.returncode == 2 and b"--bogus-option-xyz" in r.stderr,
               "%s: exit %d %r" % (args, r.returncode, r.stderr))
    for args in (["filter", "--limit", "x"], ["export", "--max", "x"] + [], ["import", "--resubmit", "x"],
                 ["insight", "--max", "x", "--group-by", "Title"], ["validate", "--format", "xml"]):
        r = run(c, args, stdin=b"")
        expect(r.returncode == 2 and args[1].encode() in r.stderr, "%s: exit %d %r" % (args, r.returncode, r.stderr))


def main():
    c = Ctx()
    c.asff = sys.argv[1]
    c.env = dict(os.environ, AWS_ACCESS_KEY_ID="AKIDEDGES", AWS_SECRET_ACCESS_KEY="edgesSECRET",
                 AWS_REGION="us-east-1", AWS_CONFIG_FILE="/nonexistent/c", AWS_SHARED_CREDENTIALS_FILE="/nonexistent/k",
                 AWS_EC2_METADATA_DISABLED="true", NO_PROXY="127.0.0.1,localhost")
    for k in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SECURITYHUB"):
        c.env.pop(k, None)
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    c.dead_port = s.getsockname()[1]  # bound, never listening: connections are refused
    srv = subprocess.Popen([sys.executable, os.path.join(HERE, "servers", "hostile_server.py")],
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    failures = 0
    try:
        line = srv.stdout.readline()
        assert line.startswith("PORT "), line
        base = "http://127.0.0.1:%d" % int(line.split()[1])
        c.ep = ["--endpoint-url", base, "--region", "us-east-1"]

        def post(where, obj):
            req = urllib.request.Request(base + where, data=json.dumps(obj).encode(), method="POST")
            return json.loads(urllib.request.urlopen(req).read() or b"{}")

        c.queue = lambda answers: post("/__next", answers)
        c.default = lambda answer: post("/__default", answer)
        c.clear = lambda: post("/__clear", [])
        count0 = [0]

        def requests():
            n = json.loads(urllib.request.urlopen(base + "/__count").read())["requests"]
            d, count0[0] = n - count0[0], n
            return d
        c.requests = requests
        with tempfile.TemporaryDirectory() as tmp:
            c.tmp = tmp
            c.rules = write(c, "rules.json", json.dumps({"RuleOrder": 1, "RuleName": "r", "Criteria": {},
                "Actions": [{"Type": "FINDING_FIELDS_UPDATE", "FindingFieldsUpdate": {
                    "Note": {"Text": "t", "UpdatedBy": "u"}}}]}))
            for fn in CASES:
                c.clear()
                requests()
                try:
                    fn(c)
                    print("ok   %s" % fn.__name__)
                except AssertionError as e:
                    failures += 1
                    print("FAIL %s: %s" % (fn.__name__, e))
    finally:
        srv.stdin.close()
        srv.wait(timeout=10)
        s.close()
    print("%d cases, %d failed" % (len(CASES), failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
