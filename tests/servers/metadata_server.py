#!/usr/bin/env python3
"""A local stand-in for the EC2 instance metadata service (IMDSv2) and the ECS/EKS container
credentials endpoint, for tests/test_aws.c. Standard library only.

Binds 127.0.0.1 on a free port, prints the port on the first line of stdout, serves until killed.

  PUT /latest/api/token                              IMDSv2 session token (needs the TTL header)
  GET /latest/meta-data/iam/security-credentials/    role name (needs the session token)
  GET /latest/meta-data/iam/security-credentials/R   credentials JSON, a new key id on each call
  GET /container/creds                               container credentials (Authorization checked)
  GET /container/fail                                HTTP 500
  GET /container/bad-json                            not JSON
  GET /stats                                         what was called, as JSON
"""
import argparse
import datetime
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROLE = "test-role"
SESSION_TOKEN = "imds-session-token-0123456789"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--auth-token", default=None, help="Authorization the container endpoint requires")
    ap.add_argument("--expire-in", type=int, default=3600, help="seconds until the credentials expire")
    ap.add_argument("--imds-v1", action="store_true", help="no IMDSv2: the token call answers 404")
    ap.add_argument("--exit-on-eof", action="store_true",
                    help="exit when stdin closes (the test that started us ended, even by a crash)")
    args = ap.parse_args()
    stats = {"token_put": 0, "token_ttl": None, "role_get": 0, "creds_get": 0, "container_get": 0,
             "unauthorized": 0, "container_auth": None}

    def creds(prefix, n):
        exp = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=args.expire_in)
        return {"Code": "Success", "Type": "AWS-HMAC", "AccessKeyId": "%s%04d" % (prefix, n),
                "SecretAccessKey": "%s-secret-%d" % (prefix.lower(), n),
                "Token": "%s-session-token-%d" % (prefix.lower(), n),
                "Expiration": exp.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "LastUpdated": "2026-01-01T00:00:00Z"}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def send(self, code, body, ctype="text/plain"):
            data = body.encode() if isinstance(body, str) else body
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def v2_ok(self):
            if args.imds_v1:
                return True
            if self.headers.get("X-aws-ec2-metadata-token") != SESSION_TOKEN:
                stats["unauthorized"] += 1
                self.send(401, "")
                return False
            return True

        def do_PUT(self):
            n = int(self.headers.get("Content-Length") or 0)
            if n:
                self.rfile.read(n)
            if self.path != "/latest/api/token":
                return self.send(404, "")
            if args.imds_v1:
                return self.send(404, "")
            ttl = self.headers.get("X-aws-ec2-metadata-token-ttl-seconds")
            stats["token_put"] += 1
            stats["token_ttl"] = ttl
            if not ttl:
                return self.send(400, "")
            self.send(200, SESSION_TOKEN)

        def do_GET(self):
            p = self.path
            if p == "/stats":
                return self.send(200, json.dumps(stats), "application/json")
            if p == "/latest/meta-data/iam/security-credentials/":
                if self.v2_ok():
                    stats["role_get"] += 1
                    self.send(200, ROLE)
                return
            if p == "/latest/meta-data/iam/security-credentials/" + ROLE:
                if self.v2_ok():
                    stats["creds_get"] += 1
                    self.send(200, json.dumps(creds("ASIAIMDS", stats["creds_get"])), "application/json")
                return
            if p == "/container/creds":
                stats["container_auth"] = self.headers.get("Authorization")
                if args.auth_token is not None and self.headers.get("Authorization") != args.auth_token:
                    stats["unauthorized"] += 1
                    return self.send(401, "")
                stats["container_get"] += 1
                c = creds("ASIACONT", stats["container_get"])
                del c["Code"]
                return self.send(200, json.dumps(c), "application/json")
            if p == "/container/fail":
                stats["container_get"] += 1
                return self.send(500, "oops")
            if p == "/container/bad-json":
                return self.send(200, "{not json", "application/json")
            self.send(404, "")

    if args.exit_on_eof:
        def watch():
            sys.stdin.buffer.read()
            os._exit(0)
        threading.Thread(target=watch, daemon=True).start()
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    sys.stdout.write("%d\n" % srv.server_address[1])
    sys.stdout.flush()
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
