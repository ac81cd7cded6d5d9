#!/usr/bin/env python3
"""Issue 18: what findings and servers carry never steers the terminal.

A table of hostile values (newlines, CR, ESC sequences, OSC 8 hyperlinks, bidi overrides, C1
controls, DEL, NUL escapes, 1 MB strings, invalid UTF-8) goes into findings (Id, Title,
ProductFields keys and values, Types, resources, rule names, filters) and into server answers
(error messages and codes, request ids, response bodies) of tests/servers/hostile_server.py. Every
command's text output and every error path is checked: no raw byte below 0x20 other than the
newline, no DEL, no C1 control, no bidi control and no invalid UTF-8 on stdout or stderr; JSON and
NDJSON outputs must parse as exact JSON (which escapes by construction).

  cli_hostile.py ASFF_BINARY
"""
import base64
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
BIDI = set(range(0x202A, 0x202F)) | set(range(0x2066, 0x206A)) | {0x061C, 0x200E, 0x200F, 0x2028, 0x2029}

# name -> text put into a JSON string (json.dumps escapes the controls; the parser decodes them)
HOSTILE = {
    "newline": "evil\nasff: fake-file: finding 9 (Id x): /Foo: error: injected",
    "cr": "ok\roverwritten",
    "esc": "\x1b[31mred\x1b[0m\x1b[2J",
    "osc8": "\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\",
    "bidi": "abc\u202eevil\u2066x\u2069\u200f",
    "c1": "x\u009b31m\u0085y\u0080",
    "del": "a\x7fb",
    "tab": "a\tb",
    "controls": "".join(chr(c) for c in range(1, 32)),
    "long": "L" * 1000000 + "\x1b[31m",
}
# raw bytes spliced into the JSON text of a finding (invalid UTF-8 and a NUL escape: error paths)
RAW = {
    "invalid-utf8": b"\xff\xfe\xc0\xaf\xed\xa0\x80",
    "nul-escape": b"a\\u0000\\u001b[31m",
}


def base_finding(i, v):
    """A finding with v in many members (a 1 MB v only in Title and one ProductFields key: 4 MiB limit)."""
    w = v if len(v) < 100000 else "w\x1b[1m"
    return {
        "SchemaVersion": "2018-10-08", "Id": "id-%d-%s" % (i, w), "ProductArn":
        "arn:aws:securityhub:us-east-1:123456789012:product/123456789012/default", "GeneratorId": w,
        "AwsAccountId": "123456789012", "Types": ["Software and Configuration Checks/" + w, w, w],
        "CreatedAt": "2024-01-01T00:00:00+02:00", "UpdatedAt": "2024-01-01T00:00:00Z",
        "Severity": {"Label": "HIGH"}, "Title": v, "Description": w,
        "ProductFields": {v: w, "k": w}, "Resources": [{"Type": w, "Id": w}],
        "Compliance": {"Status": w}, "RecordState": w,
    }


def bad_text(data):
    """Why data (bytes meant for a terminal) is unsafe, or None."""
    for i, c in enumerate(data):
        if (c < 0x20 and c != 0x0A) or c == 0x7F:
            return "raw byte 0x%02x at offset %d: %r" % (c, i, data[max(0, i - 40):i + 40])
    try:
        s = data.decode("utf-8")
    except UnicodeDecodeError as e:
        return "invalid UTF-8: %s" % e
    for i, ch in enumerate(s):
        if 0x80 <= ord(ch) <= 0x9F or ord(ch) in BIDI:
            return "U+%04X at character %d: %r" % (ord(ch), i, s[max(0, i - 40):i + 40])
    return None


def bad_json(data, whole):
    """Why data is not exact JSON (one document, or one per line), or None."""
    try:
        s = data.decode("utf-8")
        if whole:
            if s.strip():
                json.loads(s)
        else:
            for line in s.split("\n"):
                if line:
                    json.loads(line)
    except (UnicodeDecodeError, ValueError) as e:
        return "not exact JSON: %s: %r" % (e, data[:200])
    return None


class Runner:
    def __init__(self, asff, env):
        self.asff, self.env, self.runs, self.failures = asff, env, 0, []

    def run(self, name, args, stdout="text", stdin=None, codes=None):
        r = subprocess.run([self.asff] + args, input=stdin, env=self.env, capture_output=True, timeout=120)
        self.runs += 1
        why = bad_text(r.stderr)
        if why:
            self.failures.append("%s: stderr: %s" % (name, why))
        if stdout == "text":
            why = bad_text(r.stdout)
        else:
            why = bad_json(r.stdout, stdout == "json")
        if why:
            self.failures.append("%s: stdout: %s" % (name, why))
        if codes is not None and r.returncode not in codes:
            self.failures.append("%s: exit %d, expected %s: %r" % (name, r.returncode, codes, r.stderr[-300:]))
        if r.returncode < 0:
            self.failures.append("%s: killed by signal %d" % (name, -r.returncode))
        if b"Sanitizer" in r.stderr or b"runtime error:" in r.stderr:
            self.failures.append("%s: sanitizer report: %r" % (name, r.stderr[-600:]))
        return r


def local_commands(t, tmp):
    findings = os.path.join(tmp, "findings.ndjson")
    with open(findings, "w") as f:
        for i, (k, v) in enumerate(sorted(HOSTILE.items())):
            f.write(json.dumps(base_finding(i, v)) + "\n")
    rules = os.path.join(tmp, "rules.json")
    with open(rules, "w") as f:
        json.dump([{"RuleOrder": i + 1, "RuleName": v[:200] if k != "long" else v[:255], "Description": v,
                    "Criteria": {"AwsAccountId": [{"Value": "123456789012", "Comparison": "EQUALS"}]},
                    "Actions": [{"Type": "FINDING_FIELDS_UPDATE",
                                 "FindingFieldsUpdate": {"Note": {"Text": v[:500], "UpdatedBy": v[:100]}}}]}
                   for i, (k, v) in enumerate(sorted(HOSTILE.items()))], f)
    text_cmds = [
        ("validate", ["validate", findings]),
        ("validate --batch", ["validate", "--batch", findings]),
        ("validate --strict", ["validate", "--strict", findings]),
        ("insight Title", ["insight", "--group-by", "Title", findings]),
        ("insight ResourceId", ["insight", "--group-by", "ResourceId", "--max", "0", findings]),
        ("insight Type", ["insight", "--group-by", "Type", findings]),
        ("insight GeneratorId --prefilter", ["insight", "--prefilter", "--group-by", "GeneratorId", findings]),
        ("insight ComplianceStatus", ["insight", "--group-by", "ComplianceStatus", findings]),
    ]
    for name, args in text_cmds:
        r = t.run(name, args, "text")
        if name == "validate" and (b"\\x1b[31mred" not in r.stdout or b"\\u202e" not in r.stdout or
                                   b"evil\\nasff: fake-file" not in r.stdout):
            t.failures.append("validate: the escaped values are not in its report: %r" % r.stdout[:600])
        if name == "insight Title" and b"L..." not in r.stdout:
            t.failures.append("insight: a 1 MB value is not cut with an ellipsis: %r" % r.stdout[:600])
    json_cmds = [
        ("fmt", ["fmt", findings], "lines"),
        ("fmt pretty", ["fmt", "--format", "pretty", findings], "json"),
        ("fmt batch", ["fmt", "--format", "batch", findings], "json"),
        ("normalize", ["normalize", findings], "lines"),
        ("normalize --truncate --derive", ["normalize", "--truncate", "--derive", findings], "lines"),
        ("filter", ["filter", findings], "lines"),
        ("filter --prefilter", ["filter", "--prefilter", "--filters",
                                '{"AwsAccountId":[{"Value":"123456789012","Comparison":"EQUALS"}]}', findings],
         "lines"),
        ("filter --sort", ["filter", "--sort", "Title:desc", "--format", "array", findings], "json"),
        ("validate --format json", ["validate", "--format", "json", findings], "lines"),
        ("insight --format json", ["insight", "--group-by", "Title", "--format", "json", findings], "json"),
        ("rules apply", ["rules", "apply", rules, "--now", "2024-06-01T00:00:00Z", findings], "lines"),
    ]
    for name, args, kind in json_cmds:
        t.run(name, args, kind)
    # error paths: each hostile value where the parser, the filter compiler or the rules reject it
    for k, v in sorted(HOSTILE.items()):
        bad = [
            json.dumps({"Id": "x", "ProductFields": {v: 5}}),               # type error under a hostile key
            json.dumps({"Id": "x", "ProductFields": {"k": v}})[:-1] + ', "ProductFields": {}}',  # duplicate
            '{"Id": "x", "%s": 1, "%s": 2}' % (json.dumps(v)[1:-1], json.dumps(v)[1:-1]),        # dup hostile key
            json.dumps({"Title": v}) + "\n" + json.dumps(v),                 # a scalar document
            '{"Title": %s' % json.dumps(v),                                  # truncated
            '{"Id": %s, "Title": 5}' % json.dumps(v),
        ]
        # all the broken documents as NDJSON lines of one input: each reader reports every one it meets
        data = "\n".join(bad).encode() + b"\n"
        for cmd in (["fmt", "--skip-invalid"], ["fmt"], ["validate"], ["filter", "--prefilter", "--skip-invalid"],
                    ["insight", "--skip-invalid", "--group-by", "Title"], ["normalize"]):
            kind = "text" if cmd[0] in ("validate", "insight") else "lines"
            t.run("%s on bad input with %s" % (" ".join(cmd), k), cmd + ["-"], kind, stdin=data)
        t.run("validate --format json on bad input with %s" % k, ["validate", "--format", "json", "-"], "lines",
              stdin=data)
        if k in ("cr", "tab", "del"):
            continue  # the argument and rules cases below: covered by "controls"
        quoted = json.dumps(v)
        fa, fc = os.path.join(tmp, "fa.json"), os.path.join(tmp, "fc.json")
        with open(fa, "w") as f:
            f.write('{%s:[{"Value":"a","Comparison":"EQUALS"}]}' % quoted)
        with open(fc, "w") as f:
            f.write('{"Title":[{"Value":"a","Comparison":%s}]}' % quoted)
        for name, args in [
            ("filter attribute", ["filter", "--filters", "@" + fa]),
            ("filter comparison", ["filter", "--filters", "@" + fc]),
            ("insight filter attribute", ["insight", "--group-by", "Title", "--filters", "@" + fa]),
            ("filter sort", ["filter", "--sort", v[:1000]]),
            ("insight group-by", ["insight", "--group-by", v[:1000]]),
            ("insight managed", ["insight", "--managed", v[:1000]]),
            ("unknown option", ["fmt", "--" + v[:1000]]),
            ("unknown command", [v[:1000]]),
            ("format", ["validate", "--format", v[:1000]]),
            ("now", ["filter", "--now", v[:1000]]),
        ]:
            t.run("%s with %s" % (name, k), args, "lines", stdin=b"")
        rules_bad = os.path.join(tmp, "rules-bad.json")
        with open(rules_bad, "w") as f:
            f.write('[{"RuleOrder": 1, "RuleName": "r", "Criteria": {%s: []}, "Actions": []}]' % quoted)
        t.run("rules with %s" % k, ["rules", "apply", rules_bad], "lines", stdin=b"")
    for k, raw in sorted(RAW.items()):
        data = b'{"Id": "x", "Title": "' + raw + b'", "ProductFields": {"' + raw + b'": 5}}\n'
        for cmd in (["fmt"], ["validate"], ["validate", "--format", "json"], ["normalize"], ["filter"],
                    ["filter", "--prefilter"], ["insight", "--group-by", "Title"]):
            kind = "text" if cmd in (["validate"], ["insight", "--group-by", "Title"]) else "lines"
            t.run("%s with %s" % (" ".join(cmd), k), cmd + ["-"], kind, stdin=data)
        # file names are shown escaped too
        path = os.path.join(tmp, "x\x1b[31m\u202e.json")
        with open(path, "wb") as f:
            f.write(data)
        t.run("file name with %s" % k, ["validate", path], "text")


def server_commands(t, tmp, base):
    import urllib.request

    def queue(answers, where="/__next"):
        req = urllib.request.Request(base + where, data=json.dumps(answers).encode(), method="POST")
        urllib.request.urlopen(req).read()

    def answer(status, body, headers=()):
        if isinstance(body, str):
            body = body.encode()
        return {"status": status, "body_b64": base64.b64encode(body).decode(),
                "headers": [[k, base64.b64encode(v).decode()] for k, v in headers]}

    ep = ["--endpoint-url", base, "--region", "us-east-1"]
    findings = os.path.join(tmp, "import.ndjson")
    with open(findings, "w") as f:
        for i, (k, v) in enumerate(sorted(HOSTILE.items())):
            fd = base_finding(i, v if k != "long" else v[:1000])
            fd["Id"] = "imp-%d" % i
            f.write(json.dumps(fd) + "\n")
    arn = "arn:aws:securityhub:us-east-1:123456789012:hub/default"
    raw_values = dict((k, v.encode()) for k, v in HOSTILE.items())
    raw_values.update(RAW)
    raw_values["long"] = raw_values["long"][:100000]
    for k, rv in sorted(raw_values.items()):
        if k in ("cr", "tab", "nul-escape", "del", "esc"):
            continue  # covered by "controls"; keeps the run short
        hv = rv.replace(b"\r", b"").replace(b"\n", b"")[:4000] or b"x"  # header values: no CR/LF
        jv = json.dumps(rv.decode("utf-8", "replace"))
        err_json = ('{"__type": %s, "message": %s, "Message": %s}' % (jv, jv, jv)).encode()
        errors = [
            answer(400, err_json, [("x-amzn-RequestId", hv), ("x-amzn-ErrorType", hv)]),
            answer(404, b'{"__type": "' + rv + b'", "message": "m"}', [("x-amzn-RequestId", hv)]),
            answer(500, rv, [("x-amzn-RequestId", hv)]),
        ]
        failed = {"FailedCount": 2, "SuccessCount": 8, "FailedFindings": [
            {"Id": "imp-0", "ErrorCode": rv.decode("utf-8", "replace"), "ErrorMessage": rv.decode("utf-8", "replace")},
            {"Id": rv.decode("utf-8", "replace"), "ErrorCode": "InvalidInput", "ErrorMessage": "m"}]}
        cases = [
            ("import failures", ["import", findings], "lines", [answer(200, json.dumps(failed), [("x-amzn-RequestId", hv)])]),
            ("import raw body", ["import", findings], "lines", [answer(200, rv, [("x-amzn-RequestId", hv)])]),
            ("export findings", ["export"], "lines",
             [answer(200, json.dumps({"Findings": [base_finding(0, rv.decode("utf-8", "replace"))]}))]),
            ("export raw", ["export"], "lines", [answer(200, b'{"Findings": [{"Id": "' + rv + b'"}]}')]),
            ("hub describe", ["hub", "describe"], "lines", [answer(200, '{"HubArn": %s, %s: 1}' % (jv, jv))]),
            ("hub describe raw", ["hub", "describe"], "lines", [answer(200, rv)]),
            ("members list", ["members", "list"], "lines", [answer(200, '{"Members": [{"Email": %s}]}' % jv)]),
            ("members list raw", ["members", "list"], "lines", [answer(200, b"{" + rv)]),
            ("actions list", ["actions", "list"], "lines", [answer(200, '{"ActionTargets": [{"Name": %s}]}' % jv)]),
            ("tags list", ["tags", "list", arn], "lines", [answer(200, rv)]),
            ("insights results", ["insights", "results", arn + "x"], "lines", [answer(200, b'{"a":"' + rv + b'"}')]),
        ]
        for name, args, kind, answers in cases:
            queue(answers)
            t.run("%s with %s" % (name, k), args + ep, kind)
            queue([], "/__clear")
        for n, e in enumerate(errors):
            for name, args in [("import", ["import", "--quiet", findings]), ("export", ["export"]),
                               ("hub describe", ["hub", "describe"])]:
                # enough copies for the client's retries of a 500
                queue([e] * 4)
                t.run("%s error %d with %s" % (name, n, k), args + ep, "lines")
                queue([], "/__clear")


def main():
    asff = sys.argv[1]
    env = dict(os.environ, AWS_ACCESS_KEY_ID="AKIDHOSTILE", AWS_SECRET_ACCESS_KEY="hostileSECRET",
               AWS_REGION="us-east-1", AWS_CONFIG_FILE="/nonexistent/c", AWS_SHARED_CREDENTIALS_FILE="/nonexistent/k",
               AWS_EC2_METADATA_DISABLED="true", NO_PROXY="127.0.0.1,localhost", AWS_MAX_ATTEMPTS="1")
    for k in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SECURITYHUB"):
        env.pop(k, None)
    t = Runner(asff, env)
    with tempfile.TemporaryDirectory() as tmp:
        local_commands(t, tmp)
        srv = subprocess.Popen([sys.executable, os.path.join(HERE, "servers", "hostile_server.py")],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        try:
            line = srv.stdout.readline()
            assert line.startswith("PORT "), line
            server_commands(t, tmp, "http://127.0.0.1:%d" % int(line.split()[1]))
        finally:
            srv.stdin.close()
            srv.wait(timeout=10)
        # sign: what it prints comes from the command line, the credentials chain and the signer
        for k, v in sorted(HOSTILE.items()):
            hv = v.replace("\n", " ").replace("\r", " ")[:2000]
            t.run("sign header with %s" % k, ["sign", "--method", "GET", "--url", "https://h.example/" + hv[:100],
                                             "--region", "us-east-1", "--service", "s", "--header", "X-A: " + hv],
                  "text")
            e2 = dict(env, AWS_ACCESS_KEY_ID="AKID" + hv[:200])
            r = subprocess.run([asff, "sign", "--method", "GET", "--url", "https://h.example/", "--region",
                                "us-east-1", "--service", "s"], env=e2, capture_output=True, timeout=60)
            t.runs += 1
            for what, data in (("stdout", r.stdout), ("stderr", r.stderr)):
                why = bad_text(data)
                if why:
                    t.failures.append("sign with access key %s: %s: %s" % (k, what, why))
    for f in t.failures[:40]:
        print("FAIL", f)
    print("%d runs, %d failures" % (t.runs, len(t.failures)))
    return 1 if t.failures else 0


if __name__ == "__main__":
    sys.exit(main())
