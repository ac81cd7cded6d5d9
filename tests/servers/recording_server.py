#!/usr/bin/env python3
"""A loopback HTTP server that records every request (method, raw path, raw query, body) and answers
200 with a JSON body (default {}; POST /__rec/answer sets the next answers). Python standard library.

Run alone:  recording_server.py [--port 0]   prints "PORT n"; GET /__rec/log returns the records as a
JSON list and clears them. Imported: start() returns (server, records) with the server running in a
thread (server.shutdown() stops it)."""
import argparse
import http.server
import json
import socketserver
import sys
import threading


class _Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def _handler(records, answers, lock):
    class H(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def _any(self):
            n = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(n) if n else b""
            path, _, query = self.path.partition("?")
            if path == "/__rec/log":
                with lock:
                    out = json.dumps(records).encode()
                    del records[:]
                return self._send(200, out)
            if path == "/__rec/answer":
                with lock:
                    answers.extend(json.loads(body))
                return self._send(200, b"{}")
            with lock:
                records.append({"method": self.command, "path": path, "query": query,
                                "body": body.decode("utf-8", "replace"),
                                "content_type": self.headers.get("Content-Type")})
                answer = answers.pop(0) if answers else None
            if answer is None:
                return self._send(200, b"{}")
            return self._send(answer.get("status", 200), json.dumps(answer.get("body", {})).encode())

        def _send(self, status, data):
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("x-amzn-RequestId", "rec-0001")
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _any
    return H


def start(port=0):
    records, answers, lock = [], [], threading.Lock()
    srv = _Server(("127.0.0.1", port), _handler(records, answers, lock))
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    srv.records, srv.answers, srv.lock = records, answers, lock
    return srv, records


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--port", type=int, default=0)
    a = ap.parse_args()
    srv, _ = start(a.port)
    print("PORT %d" % srv.server_address[1], flush=True)
    try:
        sys.stdin.read()  # runs until stdin closes
    finally:
        srv.shutdown()


if __name__ == "__main__":
    main()
