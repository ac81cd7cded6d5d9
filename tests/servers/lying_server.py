#!/usr/bin/env python3
"""A Security Hub stand-in that answers BatchImportFindings badly, on purpose (stdlib only).

Serves 127.0.0.1 on a free port (printed as "PORT <n>"), one behaviour per run (--case):
  honest      answers as Security Hub does (every finding imported)
  malformed   200 with {"FailedCount": "x", "SuccessCount": null, "FailedFindings": [{"Id": 5, ...}, "str", null]}
  flaky       every other request malformed (as above), the others honest: retries end in success
  counts      200 with {"FailedCount": 0, "SuccessCount": 99999, "FailedFindings": []}
  ids         200 naming an Id that was not sent, the batch's first Id twice, and wrong counts
  secrets     the request's session token echoed: in FailedFindings messages and codes, in the
              x-amzn-RequestId header, and (every third request) in a 400 error message
  redirect    302 to another host (which does not exist)
  truncated   Content-Length longer than the body, then the connection is closed
  deep        200 with 2 MB of nesting, 1,000,000 deep
  missing     200 with FailedFindings entries that lack ErrorMessage
GET /__stats answers {"requests": N, "ids": {Id: times received}} (not part of the lie).
--exit-on-eof: exit when stdin closes (a test that dies takes its server along).
"""
import argparse
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
STATS = {"requests": 0, "ids": {}}
MALFORMED = b'{"FailedCount": "x", "SuccessCount": null, "FailedFindings": [{"Id": 5, "ErrorCode": ["a"]}, "str", null]}'


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *a):
        pass

    def _send(self, status, body, headers=None, length=None):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data) if length is None else length))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/__stats":
            with LOCK:
                return self._send(200, STATS)
        self._send(404, {"__type": "NotFound", "message": "no"})

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        if self.path != "/findings/import":
            return self._send(404, {"__type": "NotFound", "message": "only BatchImportFindings here"})
        try:
            ids = [f.get("Id") for f in json.loads(body)["Findings"]]
        except (ValueError, KeyError, TypeError):
            return self._send(400, {"__type": "InvalidInputException", "message": "bad request"})
        with LOCK:
            STATS["requests"] += 1
            k = STATS["requests"]
            for i in ids:
                STATS["ids"][i] = STATS["ids"].get(i, 0) + 1
        case = self.server.case
        token = self.headers.get("X-Amz-Security-Token", "")
        honest = {"FailedCount": 0, "SuccessCount": len(ids), "FailedFindings": []}
        if case == "honest":
            return self._send(200, honest)
        if case == "malformed":
            return self._send(200, MALFORMED)
        if case == "flaky":
            return self._send(200, MALFORMED if k % 2 else honest)
        if case == "counts":
            return self._send(200, {"FailedCount": 0, "SuccessCount": 99999, "FailedFindings": []})
        if case == "ids":
            failed = [{"Id": "not-sent-%d" % k, "ErrorCode": "InvalidInput", "ErrorMessage": "who?"},
                      {"Id": ids[0], "ErrorCode": "InvalidInput", "ErrorMessage": "first"},
                      {"Id": ids[0], "ErrorCode": "InvalidInput", "ErrorMessage": "again"}]
            return self._send(200, {"FailedCount": 3, "SuccessCount": len(ids), "FailedFindings": failed})
        if case == "secrets":
            hdr = {"x-amzn-RequestId": "rid-" + token}
            if k % 3 == 0:
                return self._send(400, {"__type": "InvalidInputException",
                                        "message": "token " + token + " is not welcome " + token}, hdr)
            failed = [{"Id": i, "ErrorCode": "Code" + token, "ErrorMessage": "echo " + token + " end"}
                      for i in ids[: len(ids) // 2]]
            return self._send(200, {"FailedCount": len(failed), "SuccessCount": len(ids) - len(failed),
                                    "FailedFindings": failed}, hdr)
        if case == "redirect":
            return self._send(302, b"", {"Location": "http://127.0.0.2:9/findings/import"})
        if case == "truncated":
            self.close_connection = True
            return self._send(200, b'{"FailedCount":0,"SuccessCount":', length=4096)
        if case == "deep":
            return self._send(200, b"[" * 1000000 + b"]" * 1000000)
        if case == "missing":
            failed = [{"Id": i, "ErrorCode": "InvalidInput"} for i in ids[:1]]
            return self._send(200, {"FailedCount": 1, "SuccessCount": len(ids) - 1, "FailedFindings": failed})
        return self._send(500, {"__type": "InternalException", "message": "unknown case"})


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--case", required=True)
    ap.add_argument("--exit-on-eof", action="store_true")
    args = ap.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    srv.case = args.case
    print("PORT %d" % srv.server_address[1], flush=True)
    if args.exit_on_eof:
        def watch():
            sys.stdin.read()
            os._exit(0)
        threading.Thread(target=watch, daemon=True).start()
    srv.serve_forever()


if __name__ == "__main__":
    main()
