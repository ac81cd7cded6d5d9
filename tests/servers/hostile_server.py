#!/usr/bin/env python3
"""A loopback HTTP server that answers with hostile bytes, for the asff tool's output tests
(tests/cli_hostile.py): whatever it sends must reach the terminal escaped.

Every request is answered with the next queued answer, or with the default one:
  POST /__next     queue answers: a JSON list of {"status": N, "body_b64": "...",
                   "headers": [["Name", "<value, base64>"], ...], "delay_ms": N} (header values
                   are sent as raw bytes: anything but CR and LF; delay_ms waits before answering)
  POST /__default  the same object: the answer when the queue is empty
                   (initially 200 {"FailedCount":0,"SuccessCount":<findings>,"FailedFindings":[]}
                   for an import, {} otherwise)
  POST /__clear    forget the queued answers
  GET  /__count    {"requests": N}
The chosen port is printed on stdout as "PORT <n>"; the server exits when stdin reaches EOF.
  hostile_server.py --default-file PATH   the default answer is 200 with the bytes of PATH
"""
import base64
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
STATE = {"queue": [], "default": None, "count": 0}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _answer(self, status, body, headers):
        self.wfile.write(b"HTTP/1.1 %d X\r\n" % status)
        self.wfile.write(b"Content-Type: application/json\r\n")
        self.wfile.write(b"Content-Length: %d\r\n" % len(body))
        for name, value in headers:
            self.wfile.write(name.encode() + b": " + value + b"\r\n")
        self.wfile.write(b"\r\n" + body)
        self.wfile.flush()

    def _control(self, body):
        if self.path == "/__count":
            return json.dumps({"requests": STATE["count"]}).encode()
        if self.path == "/__clear":
            STATE["queue"] = []
            return b"{}"
        items = json.loads(body)
        if self.path == "/__next":
            STATE["queue"].extend(items)
        elif self.path == "/__default":
            STATE["default"] = items
        return b"{}"

    def do_GET(self):
        self.do_POST()

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        with LOCK:
            if self.path.startswith("/__"):
                return self._answer(200, self._control(body), [])
            STATE["count"] += 1
            a = STATE["queue"].pop(0) if STATE["queue"] else STATE["default"]
        if a is None:
            out = b"{}"
            if self.path.startswith("/findings/import"):
                count = len(json.loads(body or b"{}").get("Findings", []))
                out = json.dumps({"FailedCount": 0, "SuccessCount": count, "FailedFindings": []}).encode()
            return self._answer(200, out, [(("x-amzn-RequestId"), b"req-1")])
        if a.get("delay_ms"):
            time.sleep(a["delay_ms"] / 1000.0)
        headers = [(k, base64.b64decode(v)) for k, v in a.get("headers", [])]
        return self._answer(a.get("status", 200), base64.b64decode(a.get("body_b64", "")), headers)


class Server(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # a client that gave up (--timeout) is expected here


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--default-file":
        with open(sys.argv[2], "rb") as f:
            STATE["default"] = {"status": 200, "body_b64": base64.b64encode(f.read()).decode()}
    srv = Server(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    print("PORT %d" % srv.server_address[1], flush=True)
    sys.stdin.read()
    srv.shutdown()


if __name__ == "__main__":
    main()
