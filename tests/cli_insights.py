#!/usr/bin/env python3
"""`asff insights create|list --hub|results|delete` against tests/servers/fault_server.py (moto lacks the
insight operations): each subcommand sends the right request (method, path, body, signed) and prints
the answer; a bad filter is refused before anything is sent.

  cli_insights.py ASFF_BINARY
"""
import json
import os
import subprocess
import sys
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ARN = "arn:aws:securityhub:us-east-1:123456789012:insight/123456789012/custom/0123abcd"


def main():
    asff = sys.argv[1]
    env = dict(os.environ, AWS_ACCESS_KEY_ID="AKIDINSIGHTS", AWS_SECRET_ACCESS_KEY="insightsSECRETkey",
               AWS_REGION="us-east-1", AWS_CONFIG_FILE="/nonexistent/c", AWS_SHARED_CREDENTIALS_FILE="/nonexistent/k",
               AWS_EC2_METADATA_DISABLED="true", NO_PROXY="127.0.0.1,localhost")
    for k in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SECURITYHUB"):
        env.pop(k, None)
    srv = subprocess.Popen([sys.executable, os.path.join(HERE, "servers", "fault_server.py"), "--exit-on-eof"],
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        line = srv.stdout.readline()
        assert line.startswith("PORT "), line
        base = "http://127.0.0.1:%d" % int(line.split()[1])

        def run(*args, expect=0):
            r = subprocess.run([asff, "insights"] + list(args) + ["--endpoint-url", base], env=env,
                               capture_output=True, text=True)
            if r.returncode != expect:
                sys.exit("asff insights %s: exit %d (expected %d)\n%s" % (" ".join(args), r.returncode, expect,
                                                                            r.stderr))
            assert "insightsSECRETkey" not in r.stdout + r.stderr
            return r

        flt = {"SeverityLabel": [{"Value": "CRITICAL", "Comparison": "EQUALS"}]}
        run("create", "--name", "critical by type", "--group-by", "ResourceType", "--filters", json.dumps(flt))
        run("create", "--name", "from managed 1", "--managed", "1")
        run("list", "--hub")
        run("results", ARN)
        run("delete", ARN)
        # refused locally: an unknown attribute, and a missing --group-by
        r = run("create", "--name", "bad", "--group-by", "ResourceType", "--filters",
                '{"NoSuchAttribute":[{"Value":"x","Comparison":"EQUALS"}]}', expect=2)
        assert "NoSuchAttribute" in r.stderr, r.stderr
        run("create", "--name", "bad", "--filters", json.dumps(flt), expect=2)
        # the catalog still lists without any endpoint
        r = subprocess.run([asff, "insights", "list", "--format", "json"], capture_output=True, text=True)
        assert r.returncode == 0 and len(r.stdout.strip().split("\n")) == 32

        log = json.load(urllib.request.urlopen(base + "/__log"))["requests"]
        got = [(q["method"], q["path"]) for q in log]
        quoted = urllib.parse.quote(ARN, safe="/")
        want = [("POST", "/insights"), ("POST", "/insights"), ("POST", "/insights/get"),
                ("GET", "/insights/results/" + quoted), ("DELETE", "/insights/" + quoted)]
        if [(m, urllib.parse.unquote(p)) for m, p in got] != [(m, urllib.parse.unquote(p)) for m, p in want]:
            sys.exit("requests differ:\n got  %r\n want %r" % (got, want))
        first, second = json.loads(log[0]["body"]), json.loads(log[1]["body"])
        assert first == {"Name": "critical by type", "Filters": flt, "GroupByAttribute": "ResourceType"}, first
        assert second["Name"] == "from managed 1" and second["GroupByAttribute"] and second["Filters"], second
        assert all(q["auth"].startswith("AWS4-HMAC-SHA256 Credential=AKIDINSIGHTS/") for q in log)
        print("cli_insights: %d requests as expected" % len(log))
        return 0
    finally:
        srv.stdin.close()
        srv.terminate()
        srv.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
