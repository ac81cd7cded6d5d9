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
The same cases answer BatchUpdateFindings (PATCH /findings/batchupdate) in its own shape: malformed is
{"ProcessedFindings": "all", "UnprocessedFindings": [{"FindingIdentifier": 5}]}, counts lists every
identifier processed twice, ids names an identifier that was not sent and the call's first one in both
lists, missing gives UnprocessedFindings entries without ErrorMessage, secrets echoes the token.
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

    def _request(self, path, key, item):
        """The request's list under key, each entry through item, counted in STATS; None when the
        request was answered here already (another path, not the operation's shape)."""
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        if self.path != path:
            self._send(404, {"__type": "NotFound", "message": "not served here"})
            return None
        try:
            ids = [item(f) for f in json.loads(body)[key]]
        except (ValueError, KeyError, TypeError, AttributeError):
            self._send(400, {"__type": "InvalidInputException", "message": "bad request"})
            return None
        with LOCK:
            STATS["requests"] += 1
            for i in ids:
                name = i["Id"] if isinstance(i, dict) else i
                STATS["ids"][name] = STATS["ids"].get(name, 0) + 1
            return ids, STATS["requests"]

    def _transport_lie(self, case, start):
        """The lies of both operations that are not about the answer's members."""
        if case == "redirect":
            return self._send(302, b"", {"Location": "http://127.0.0.2:9" + self.path})
        if case == "truncated":
            self.close_connection = True
            return self._send(200, start, length=4096)
        return self._send(200, b"[" * 1000000 + b"]" * 1000000)

    def do_PATCH(self):
        got = self._request("/findings/batchupdate", "FindingIdentifiers",
                            lambda f: {"Id": f["Id"], "ProductArn": f["ProductArn"]})
        if got is None:
            return None
        ids, k = got
        case = self.server.case
        token = self.headers.get("X-Amz-Security-Token", "")
        honest = {"ProcessedFindings": ids, "UnprocessedFindings": []}
        bad = b'{"ProcessedFindings": "all", "UnprocessedFindings": [{"FindingIdentifier": 5}]}'
        if case == "honest":
            return self._send(200, honest)
        if case == "malformed":
            return self._send(200, bad)
        if case == "flaky":
            return self._send(200, bad if k % 2 else honest)
        if case == "counts":
            return self._send(200, {"ProcessedFindings": ids + ids, "UnprocessedFindings": []})
        if case == "ids":
            stranger = {"Id": "not-sent-%d" % k, "ProductArn": ids[0]["ProductArn"]}
            return self._send(200, {"ProcessedFindings": ids + [stranger], "UnprocessedFindings": [
                {"FindingIdentifier": ids[0], "ErrorCode": "FindingNotFound", "ErrorMessage": "first"}]})
        if case == "secrets":
            hdr = {"x-amzn-RequestId": "rid-" + token}
            if k % 3 == 0:
                return self._send(400, {"__type": "InvalidInputException",
                                        "message": "token " + token + " is not welcome " + token}, hdr)
            half = len(ids) // 2
            return self._send(200, {"ProcessedFindings": ids[half:], "UnprocessedFindings": [
                {"FindingIdentifier": i, "ErrorCode": "Code" + token, "ErrorMessage": "echo " + token + " end"}
                for i in ids[:half]]}, hdr)
        if case in ("redirect", "truncated", "deep"):
            return self._transport_lie(case, b'{"ProcessedFindings":[')
        if case == "missing":
            return self._send(200, {"ProcessedFindings": ids[1:], "UnprocessedFindings": [
                {"FindingIdentifier": ids[0], "ErrorCode": "FindingNotFound"}]})
        return self._send(500, {"__type": "InternalException", "message": "unknown case"})

    def do_POST(self):
        got = self._request("/findings/import", "Findings", lambda f: f.get("Id"))
        if got is None:
            return None
        ids, k = got
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
        if case in ("redirect", "truncated", "deep"):
            return self._transport_lie(case, b'{"FailedCount":0,"SuccessCount":')
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
