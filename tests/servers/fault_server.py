#!/usr/bin/env python3
"""A fault-injecting stand-in for Security Hub, for libasff's client tests (stdlib only).

It answers every request of the API with a small JSON echo, and BatchImportFindings
(POST /findings/import) like Security Hub does: {"FailedCount","SuccessCount","FailedFindings"}.
Faults, drawn from a seeded random generator (deterministic for one sequence of requests):
  --throttle P     HTTP 429 with {"__type":"TooManyRequestsException"} (or LimitExceededException)
  --error500 P     HTTP 500 InternalException        --error503 P   HTTP 503 (no AWS body)
  --reset P        the connection is reset (RST) before anything is answered
  --slow P         the answer waits --slow-ms milliseconds
  --fail P         each finding of an import fails with probability P (InvalidInput, or
                   InternalFailure with --retryable-share of them)
  --verify-secret S  check every request's SigV4 signature with botocore's signer and secret key S
                   (403 InvalidSignatureException on a mismatch; botocore must be installed)
  --exit-on-eof    exit when stdin reaches EOF (a test that dies takes its server along)
  --findings FILE  answer GetFindings (POST /findings) with the findings of FILE (NDJSON), in pages of
                   MaxResults (default 100) with NextToken; Filters are ignored
  --tls DIR        serve https with a self-signed certificate for 127.0.0.1 made in DIR with the
                   openssl command (DIR/cert.pem is the CA bundle a client needs to trust it)
Control endpoints (not signed, not faulted):
  POST /__script   a JSON list of scripted answers served before any random fault:
                   {"status":N,"body":"...","headers":{...}} | {"reset":true} | {"delay_ms":N}
  GET  /__log      every request received: {"requests":[{t,method,path,query,auth,headers,body|ids,status}]}
  GET  /__outcomes {"<finding Id>": ["imported"|"<ErrorCode>", ...]} over every import request
  POST /__clear    forget the log, the outcomes and the script; re-seed
The chosen port is printed on stdout as "PORT <n>" once the server listens.
"""
import argparse
import json
import random
import socket
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

LOCK = threading.Lock()
STATE = {}


def reset_state(args):
    STATE["rng"] = random.Random(args.seed)
    STATE["log"] = []
    STATE["outcomes"] = {}
    STATE["script"] = []
    STATE["t0"] = time.monotonic()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fault_server/1"

    def log_message(self, fmt, *a):  # quiet
        pass

    def _send(self, status, body, headers=None, close=False):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-amzn-RequestId", "req-%06d" % len(STATE["log"]))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if close:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)

    def _reset(self):
        # SO_LINGER with a zero timeout makes close() send a RST: a "connection reset by peer".
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()

    def do_GET(self):
        self._handle("GET")

    def do_POST(self):
        self._handle("POST")

    def do_PATCH(self):
        self._handle("PATCH")

    def do_DELETE(self):
        self._handle("DELETE")

    def do_PUT(self):
        self._handle("PUT")

    def _signature_error(self, method, body):
        """None when the request's signature is what botocore computes, else the reason."""
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("AWS4-HMAC-SHA256 "):
            return "no SigV4 Authorization header"
        fields = dict(p.strip().split("=", 1) for p in auth[len("AWS4-HMAC-SHA256 "):].split(","))
        akid, date, region, service, term = fields["Credential"].split("/")
        signed = fields["SignedHeaders"].split(";")
        for need in ("host", "x-amz-date"):
            if need not in signed:
                return "%s is not signed" % need
        token = self.headers.get("X-Amz-Security-Token")
        if token and "x-amz-security-token" not in signed:
            return "the session token is not signed"
        headers = {h: self.headers.get(h) for h in signed}
        req = AWSRequest(method=method, url="http://%s%s" % (self.headers.get("Host"), self.path), data=body,
                         headers=headers)
        req.context["timestamp"] = self.headers.get("X-Amz-Date")
        signer = SigV4Auth(Credentials(akid, self.server.args.verify_secret, token), service, region)
        creq = signer.canonical_request(req)
        want = signer.signature(signer.string_to_sign(req, creq), req)
        if want != fields["Signature"]:
            return "signature mismatch; botocore's canonical request:\n" + creq
        return None

    def _handle(self, method):
        args = self.server.args
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        url = urlsplit(self.path)
        if url.path.startswith("/__"):
            return self._control(method, url.path, body)
        if args.verify_secret:
            why = self._signature_error(method, body)
            if why:
                with LOCK:
                    STATE["log"].append({"method": method, "path": url.path, "status": 403, "sigerror": why})
                return self._send(403, json.dumps({"__type": "InvalidSignatureException",
                                                   "message": "The request signature we calculated does not match "
                                                              "the signature you provided"}))
        with LOCK:
            rng = STATE["rng"]
            entry = {"t": time.monotonic() - STATE["t0"], "method": method, "path": url.path,
                     "query": url.query, "auth": self.headers.get("Authorization", ""),
                     "headers": {k.lower(): v for k, v in self.headers.items()
                                 if k.lower() in ("user-agent", "x-amz-date", "x-amz-security-token",
                                                  "content-type", "host", "x-amz-content-sha256")}}
            entry["len"] = len(body)
            STATE["log"].append(entry)
            scripted = STATE["script"].pop(0) if STATE["script"] else None
            # Draw every random number of this request now, under the lock, so that the sequence
            # is the same for one seed whatever the thread interleaving.
            r = rng.random()
            slow = rng.random() < args.slow
        is_import = method == "POST" and url.path == "/findings/import"
        try:
            doc = json.loads(body) if body else None
        except ValueError:
            doc = None
        if is_import and isinstance(doc, dict):
            entry["ids"] = [f.get("Id") for f in doc.get("Findings", []) if isinstance(f, dict)]
        else:
            entry["body"] = body.decode("utf-8", "replace")
        if scripted is not None:
            if scripted.get("delay_ms"):
                time.sleep(scripted["delay_ms"] / 1000.0)
            if scripted.get("reset"):
                entry["status"] = "reset"
                return self._reset()
            if "status" in scripted:
                entry["status"] = scripted["status"]
                return self._send(scripted["status"], scripted.get("body", ""), scripted.get("headers"))
        if slow:
            time.sleep(args.slow_ms / 1000.0)
        edge = 0.0
        for kind, p in (("throttle", args.throttle), ("500", args.error500), ("503", args.error503),
                        ("reset", args.reset)):
            edge += p
            if r < edge:
                if kind == "throttle":
                    entry["status"] = 429
                    code = "TooManyRequestsException" if r < edge - p / 2 else "LimitExceededException"
                    return self._send(429, json.dumps({"__type": code, "message": "Rate exceeded"}),
                                      {"x-amzn-ErrorType": code + ":http://internal.amazon.com/"})
                if kind == "500":
                    entry["status"] = 500
                    return self._send(500, json.dumps({"__type": "InternalException",
                                                       "Message": "Internal service error"}))
                if kind == "503":
                    entry["status"] = 503
                    return self._send(503, "<html>Service Unavailable</html>")
                entry["status"] = "reset"
                return self._reset()
        if is_import:
            return self._import(doc, entry)
        if method == "POST" and url.path == "/findings" and args.findings:
            return self._get_findings(doc if isinstance(doc, dict) else {}, entry)
        if method == "PATCH" and url.path == "/findings/batchupdate" and isinstance(doc, dict) and \
                doc.get("FindingIdentifiers"):
            return self._update(doc, entry)
        entry["status"] = 200
        self._send(200, json.dumps({"Method": method, "Path": url.path, "Query": url.query,
                                    "Body": body.decode("utf-8", "replace")}))

    def _import(self, doc, entry):
        args = self.server.args
        if not isinstance(doc, dict) or not isinstance(doc.get("Findings"), list):
            entry["status"] = 400
            return self._send(400, json.dumps({"__type": "InvalidInputException", "Message": "bad body"}))
        findings = doc["Findings"]
        if len(findings) > 100:
            entry["status"] = 400
            msg = "Invalid parameter 'Findings'. Size '%d' is greater than maximum value: 100" % len(findings)
            return self._send(400, json.dumps({"__type": "InvalidInputException", "Message": msg}))
        failed = []
        with LOCK:
            rng = STATE["rng"]
            for f in findings:
                fid = f.get("Id") if isinstance(f, dict) else None
                if rng.random() < args.fail:
                    code = "InternalFailure" if rng.random() < args.retryable_share else "InvalidInput"
                    failed.append({"Id": fid, "ErrorCode": code, "ErrorMessage": "injected %s for %s" % (code, fid)})
                    STATE["outcomes"].setdefault(fid, []).append(code)
                else:
                    STATE["outcomes"].setdefault(fid, []).append("imported")
        entry["status"] = 200
        self._send(200, json.dumps({"FailedCount": len(failed), "SuccessCount": len(findings) - len(failed),
                                    "FailedFindings": failed}))

    def _get_findings(self, doc, entry):
        """GetFindings over the --findings file: pages of MaxResults, NextToken = next index."""
        if "findings" not in STATE:
            with open(self.server.args.findings, encoding="utf-8") as fh:
                STATE["findings"] = [json.loads(line) for line in fh if line.strip()]
        start = int(doc.get("NextToken") or 0)
        size = int(doc.get("MaxResults") or 100)
        page = STATE["findings"][start:start + size]
        out = {"Findings": page}
        if start + size < len(STATE["findings"]):
            out["NextToken"] = str(start + size)
        entry["status"] = 200
        self._send(200, json.dumps(out))

    def _update(self, doc, entry):
        """BatchUpdateFindings: each identifier unprocessed (FindingNotFound) with probability --fail."""
        ids = doc.get("FindingIdentifiers") or []
        entry["ids"] = [i.get("Id") for i in ids if isinstance(i, dict)]
        if len(ids) > 100:
            entry["status"] = 400
            return self._send(400, json.dumps({"__type": "InvalidInputException", "Message": "too many"}))
        done, not_done = [], []
        with LOCK:
            rng = STATE["rng"]
            for i in ids:
                if rng.random() < self.server.args.fail:
                    not_done.append({"FindingIdentifier": i, "ErrorCode": "FindingNotFound",
                                     "ErrorMessage": "no finding %s" % i.get("Id")})
                else:
                    done.append(i)
        entry["status"] = 200
        self._send(200, json.dumps({"ProcessedFindings": done, "UnprocessedFindings": not_done}))

    def _control(self, method, path, body):
        with LOCK:
            if path == "/__script" and method == "POST":
                STATE["script"].extend(json.loads(body))
                out = {"queued": len(STATE["script"])}
            elif path == "/__log":
                out = {"requests": STATE["log"]}
            elif path == "/__outcomes":
                out = STATE["outcomes"]
            elif path == "/__clear":
                reset_state(self.server.args)
                out = {}
            else:
                return self._send(404, "{}")
        self._send(200, json.dumps(out))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--throttle", type=float, default=0.0)
    ap.add_argument("--error500", type=float, default=0.0)
    ap.add_argument("--error503", type=float, default=0.0)
    ap.add_argument("--reset", type=float, default=0.0)
    ap.add_argument("--slow", type=float, default=0.0)
    ap.add_argument("--slow-ms", type=int, default=2000)
    ap.add_argument("--fail", type=float, default=0.0)
    ap.add_argument("--retryable-share", type=float, default=0.0)
    ap.add_argument("--verify-secret", default=None)
    ap.add_argument("--tls", default=None)
    ap.add_argument("--findings", default=None)
    ap.add_argument("--exit-on-eof", action="store_true",
                    help="exit when stdin reaches EOF (the test that started it has gone)")
    args = ap.parse_args()
    reset_state(args)
    srv = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    srv.daemon_threads = True
    if args.tls:
        import os
        import ssl
        import subprocess
        cert, key = os.path.join(args.tls, "cert.pem"), os.path.join(args.tls, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
                        "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    srv.args = args
    print("PORT %d" % srv.server_address[1], flush=True)
    if args.exit_on_eof:
        import os
        import threading

        def watch():
            while sys.stdin.buffer.read(4096):
                pass
            os._exit(0)

        threading.Thread(target=watch, daemon=True).start()
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
