#!/usr/bin/env python3
"""Local stand-ins for what moto_server lacks, for libasff's credentials tests (stdlib only):

  IAM Identity Center portal   GET  /federation/credentials?account_id=A&role_name=R
                               header x-amz-sso_bearer_token must be a token this server issued
  SSO OIDC CreateToken         POST /token  {"grantType":"refresh_token","clientId","clientSecret","refreshToken"}
  container credentials        GET  /container  (Authorization must be the token given with --pod-token)
  STS                          POST /  AssumeRoleWithWebIdentity with a WebIdentityToken "WEB-TOKEN-<X>" answers
                               AccessKeyId "ASIAWEB<X>" (so a test sees which token was sent); any other
                               call: 403 <ErrorResponse> AccessDenied, request id "req-denied-1"

Tokens: "SSO-ACCESS-1" is valid from the start; a refresh with "SSO-REFRESH-1" (client "cid" /
"SSO-CLIENT-SECRET") issues "SSO-ACCESS-2" and "SSO-REFRESH-2". GET /__log lists the requests
(paths and which call, never the tokens). Prints "PORT <n>"; exits when stdin reaches EOF.
"""
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

STATE = {"valid": {"SSO-ACCESS-1"}, "log": [], "pod_token": "POD-IDENTITY-TOKEN-DO-NOT-PRINT"}
LOCK = threading.Lock()


def creds(prefix):
    exp = int(time.time() + 3600)
    return {"AccessKeyId": "ASIA%s00000000001" % prefix, "SecretAccessKey": "%s-SECRET-DO-NOT-PRINT" % prefix,
            "Token": "%s-SESSION-DO-NOT-PRINT" % prefix,
            "Expiration": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(exp))}


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        u = urlsplit(self.path)
        with LOCK:
            STATE["log"].append({"method": "GET", "path": u.path})
        if u.path == "/__log":
            return self.answer(200, {"requests": STATE["log"]})
        if u.path == "/federation/credentials":
            q = parse_qs(u.query)
            tok = self.headers.get("x-amz-sso_bearer_token", "")
            if tok not in STATE["valid"]:
                return self.answer(401, {"message": "Session token not found or invalid"})
            if q.get("account_id") != ["555555555555"] or q.get("role_name") != ["Admin"]:
                return self.answer(403, {"message": "No access"})
            c = creds("SSO")
            return self.answer(200, {"roleCredentials": {
                "accessKeyId": c["AccessKeyId"], "secretAccessKey": c["SecretAccessKey"],
                "sessionToken": c["Token"], "expiration": int(time.time() + 3600) * 1000}})
        if u.path == "/container":
            if self.headers.get("Authorization") != STATE["pod_token"]:
                return self.answer(401, {"message": "bad token"})
            return self.answer(200, creds("POD"))
        return self.answer(404, {"message": "not found"})

    def do_POST(self):
        u = urlsplit(self.path)
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n)
        with LOCK:
            STATE["log"].append({"method": "POST", "path": u.path})
        if u.path == "/":
            form = parse_qs(body.decode("utf-8", "replace"))
            tok = form.get("WebIdentityToken", [""])[0]
            if form.get("Action") == ["AssumeRoleWithWebIdentity"] and tok.startswith("WEB-TOKEN-"):
                exp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3600))
                data = ("<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><Credentials>"
                        "<AccessKeyId>ASIAWEB%s</AccessKeyId><SecretAccessKey>WEB-SECRET</SecretAccessKey>"
                        "<SessionToken>WEB-SESSION</SessionToken><Expiration>%s</Expiration></Credentials>"
                        "</AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>"
                        % (tok[10:], exp)).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                return None
            data = (b'<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>'
                    b'<Code>AccessDenied</Code><Message>User is not authorized\n to perform: sts:AssumeRole'
                    b'</Message></Error><RequestId>req-denied-1</RequestId></ErrorResponse>')
            self.send_response(403)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return None
        if u.path == "/token":
            try:
                d = json.loads(body)
            except ValueError:
                return self.answer(400, {"error": "invalid_request"})
            if (d.get("grantType") != "refresh_token" or d.get("clientId") != "cid"
                    or d.get("clientSecret") != "SSO-CLIENT-SECRET" or d.get("refreshToken") != "SSO-REFRESH-1"):
                return self.answer(400, {"error": "invalid_grant"})
            with LOCK:
                STATE["valid"].add("SSO-ACCESS-2")
            return self.answer(200, {"accessToken": "SSO-ACCESS-2", "expiresIn": 3600, "tokenType": "Bearer",
                                     "refreshToken": "SSO-REFRESH-2"})
        return self.answer(404, {"message": "not found"})


def main():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    print("PORT %d" % srv.server_address[1], flush=True)
    sys.stdin.read()
    srv.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
