#!/usr/bin/env python3
"""A local Lambda Runtime API (the 2018-06-01 interface a custom runtime's `bootstrap` speaks), for
docs/guide/07-custom-actions.md. Python standard library only.

  lambda_runtime.py --event FILE [--event FILE...] [--timeout S] -- COMMAND [ARG...]
Starts COMMAND with AWS_LAMBDA_RUNTIME_API=127.0.0.1:PORT and serves it the events in order:
  GET  /2018-06-01/runtime/invocation/next          the next event, with Lambda-Runtime-Aws-Request-Id,
                                                    -Deadline-Ms, -Invoked-Function-Arn, -Trace-Id
                                                    (when none is left, it waits, as Lambda does)
  POST /2018-06-01/runtime/invocation/ID/response   the result of invocation ID
  POST /2018-06-01/runtime/invocation/ID/error      its error ({"errorType", "errorMessage"})
  POST /2018-06-01/runtime/init/error               the runtime could not start
Prints one JSON line per event, {"event": NAME, "response": ...} or {"event": NAME, "error": ...,
"errorType": the Lambda-Runtime-Function-Error-Type header}, then stops COMMAND (SIGTERM). Exit 0
when every event was answered; 1 when the runtime reported an init error, exited or timed out
before; a repeated or unknown request id is answered 400 and fails the run too.
"""
import argparse
import json
import os
import queue
import subprocess
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PREFIX = "/2018-06-01/runtime/"


def make_handler(events, answers, pending, problems):
    class H(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def send(self, status, body, headers=()):
            data = json.dumps(body).encode() if not isinstance(body, bytes) else body
            self.send_response(status)
            for k, v in headers:
                self.send_header(k, v)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            if self.path != PREFIX + "invocation/next":
                return self.send(404, {"errorMessage": "no such path"})
            name, body = events.get()  # blocks when every event was handed out
            rid = str(uuid.uuid4())
            pending[rid] = name
            self.send(200, body, [("Lambda-Runtime-Aws-Request-Id", rid),
                                  ("Lambda-Runtime-Deadline-Ms", str(int(time.time() * 1000) + 30000)),
                                  ("Lambda-Runtime-Invoked-Function-Arn",
                                   "arn:aws:lambda:us-east-1:123456789012:function:guide"),
                                  ("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000")])

        def do_POST(self):
            n = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(n) if n else b""
            try:
                body = json.loads(raw) if raw.strip() else None
            except ValueError:
                body = raw.decode("utf-8", "replace")
            parts = self.path[len(PREFIX):].split("/") if self.path.startswith(PREFIX) else []
            if parts == ["init", "error"]:
                problems.append("init error: %s" % json.dumps(body))
                answers.put(None)
                return self.send(202, {"status": "OK"})
            if len(parts) != 3 or parts[0] != "invocation" or parts[2] not in ("response", "error"):
                return self.send(404, {"errorMessage": "no such path"})
            name = pending.pop(parts[1], None)
            if name is None:
                problems.append("an answer for an unknown or already answered request id %r" % parts[1])
                answers.put(None)
                return self.send(400, {"errorMessage": "unknown request id"})
            if parts[2] == "response":
                line = {"event": name, "response": body}
            else:
                line = {"event": name, "error": body,
                        "errorType": self.headers.get("Lambda-Runtime-Function-Error-Type")}
            answers.put(line)
            return self.send(202, {"status": "OK"})
    return H


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            super().handle_error(request, client_address)  # a runtime stopped while it waited is normal


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--event", action="append", required=True)
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("command", nargs="+")
    a = ap.parse_args()
    events, answers, pending, problems = queue.Queue(), queue.Queue(), {}, []
    for path in a.event:
        with open(path, "rb") as f:
            events.put((os.path.basename(path), f.read()))
    srv = _Server(("127.0.0.1", 0), make_handler(events, answers, pending, problems))
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    env = dict(os.environ, AWS_LAMBDA_RUNTIME_API="127.0.0.1:%d" % srv.server_address[1])
    child = subprocess.Popen(a.command, env=env)
    # the child's exit is an answer too: it ends the wait
    threading.Thread(target=lambda: (child.wait(), answers.put("exited")), daemon=True).start()
    deadline = time.monotonic() + a.timeout
    ok = 0
    while ok < len(a.event) and not problems:
        try:
            line = answers.get(timeout=max(0.1, deadline - time.monotonic()))
        except queue.Empty:
            problems.append("no answer within %g s" % a.timeout)
            break
        if line == "exited":
            problems.append("the runtime exited with status %s after %d of %d events" % (child.returncode, ok,
                                                                                           len(a.event)))
        elif line is not None:
            print(json.dumps(line, sort_keys=True), flush=True)
            ok += 1
    if child.poll() is None:
        child.terminate()
        try:
            child.wait(10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
    srv.shutdown()
    for p in problems:
        print("lambda_runtime: " + p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
