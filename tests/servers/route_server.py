#!/usr/bin/env python3
"""A loopback HTTP server with fixed answers chosen by what a request says, for tests that must see the
same answers however often and in whatever order they call (allocation chaos of asff_rollout in
tests/test_client.c). Standard library only.

  route_server.py ROUTES.json
ROUTES.json is a list of [needle, status, body]: a request is answered by the first route whose needle
occurs in "METHOD PATH?QUERY BODY" (the needle "" matches anything); no match: 404 {}. A status of 400 or
more also sends the body's "__type" as x-amzn-ErrorType. Prints "PORT <n>"; exits when stdin reaches EOF.
"""
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROUTES = []


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _any(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n).decode("utf-8", "replace") if n else ""
        said = "%s %s %s" % (self.command, self.path, body)
        status, answer = 404, "{}"
        for needle, st, text in ROUTES:
            if needle in said:
                status, answer = st, text
                break
        data = answer.encode()
        xml = answer.startswith("<")
        self.send_response(status)
        self.send_header("Content-Type", "text/xml" if xml else "application/json")
        self.send_header("Content-Length", str(len(data)))
        if status >= 400 and not xml:
            self.send_header("x-amzn-ErrorType", json.loads(answer).get("__type", ""))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _any


def main():
    with open(sys.argv[1]) as f:
        ROUTES.extend(json.load(f))
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    print("PORT %d" % srv.server_address[1], flush=True)
    sys.stdin.read()
    srv.shutdown()


if __name__ == "__main__":
    main()
