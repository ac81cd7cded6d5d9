#!/usr/bin/env python3
"""Issue 14's done-when for the request side: for EVERY operation of the Security Hub model, random
valid inputs (generated from the model, seeded) go through `asff call` to a loopback recording server,
and the request that arrives must have the method, path, query string and JSON body (compared as
parsed JSON) that botocore's rest-json serializer produces for the same input (nothing is sent by
botocore: its serializer is called directly).

  ops_botocore.py ASFF_BINARY MODEL.json.gz [PER_OP] [SEED]
Also checks `asff call --list` (109 operations) and a request refused before sending (MaxResult)."""
import gzip
import json
import os
import random
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "servers"))
import recording_server  # noqa: E402

from botocore.model import ServiceModel  # noqa: E402
from botocore.serialize import create_serializer  # noqa: E402
from botocore.utils import percent_encode_sequence  # noqa: E402

CHARS = "abcXYZ019-_.~ /:+%&=?#\"\\é€\u2713"


class Gen:
    def __init__(self, shapes, rng):
        self.shapes, self.rng = shapes, rng

    def string(self, s):
        if "enum" in s:
            return self.rng.choice(s["enum"])
        lo = s.get("min", 0)
        hi = min(s.get("max", lo + 12), lo + 12)
        n = self.rng.randint(lo, hi)
        out = "".join(self.rng.choice(CHARS) for _ in range(n))
        if n >= 4 and self.rng.random() < 0.2:
            out = out[:2] + "//" + out[4:]   # an empty URI segment (issue 11)
        return out

    def value(self, name, depth):
        s = self.shapes[name]
        t = s["type"]
        r = self.rng
        if t == "string":
            return self.string(s)
        if t in ("integer", "long"):
            lo = int(s.get("min", 0))
            hi = int(s.get("max", lo + 1000))
            return r.randint(lo, min(hi, lo + 1000))
        if t in ("double", "float"):
            lo = float(s.get("min", 0))
            return round(lo + r.random() * 100, 3)
        if t == "boolean":
            return r.random() < 0.5
        if t == "timestamp":
            return "20%02d-%02d-%02dT%02d:%02d:%02dZ" % (r.randint(10, 30), r.randint(1, 12), r.randint(1, 28),
                                                          r.randint(0, 23), r.randint(0, 59), r.randint(0, 59))
        if t == "list":
            lo = s.get("min", 0)
            n = r.randint(lo, min(s.get("max", lo + 2), lo + 2)) if depth < 6 else lo
            return [self.value(s["member"]["shape"], depth + 1) for _ in range(n)]
        if t == "map":
            lo = s.get("min", 0)
            n = r.randint(lo, min(s.get("max", lo + 2), lo + 2)) if depth < 6 else lo
            out = {}
            while len(out) < n:
                k = self.string(self.shapes[s["key"]["shape"]]) or "k"
                out[k] = self.value(s["value"]["shape"], depth + 1)
            return out
        if t == "structure":
            members = s.get("members", {})
            if s.get("union"):
                m = r.choice(sorted(members))
                return {m: self.value(members[m]["shape"], depth + 1)}
            req = set(s.get("required", []))
            out = {}
            p = 0.6 if depth < 3 else 0.3 if depth < 6 else 0.0
            for m in members:
                if m in req or r.random() < p:
                    out[m] = self.value(members[m]["shape"], depth + 1)
            return out
        raise AssertionError(t)


def main():
    asff, model_path = sys.argv[1], sys.argv[2]
    per_op = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    seed = int(sys.argv[4]) if len(sys.argv) > 4 else 14
    with gzip.open(model_path) as fh:
        model = json.load(fh)
    sm = ServiceModel(model, "securityhub")
    ser = create_serializer("rest-json", include_validation=False)
    env = dict(os.environ)
    env.update({"AWS_ACCESS_KEY_ID": "AKIDOPS", "AWS_SECRET_ACCESS_KEY": "opssecret", "AWS_REGION": "us-east-1",
                "AWS_CONFIG_FILE": "/nonexistent/c", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/k",
                "AWS_EC2_METADATA_DISABLED": "true", "NO_PROXY": "127.0.0.1"})
    for k in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SECURITYHUB", "AWS_SESSION_TOKEN"):
        env.pop(k, None)
    failures = []

    listed = subprocess.run([asff, "call", "--list"], capture_output=True, text=True, env=env).stdout.split()
    if sorted(listed) != sorted(model["operations"]) or len(listed) != 109:
        failures.append("call --list: %d operations, expected the model's %d" % (len(listed), len(model["operations"])))

    srv, records = recording_server.start()
    url = "http://127.0.0.1:%d" % srv.server_address[1]
    rng = random.Random(seed)
    gen = Gen(model["shapes"], rng)
    calls = 0
    try:
        bad = subprocess.run([asff, "call", "GetFindings", "--input", '{"MaxResult":3}', "--endpoint-url", url],
                             capture_output=True, text=True, env=env)
        if bad.returncode != 2 or "/MaxResult" not in bad.stderr or records:
            failures.append("MaxResult: rc %d, stderr %r, %d requests sent" % (bad.returncode, bad.stderr, len(records)))
        for name in sorted(model["operations"]):
            op = sm.operation_model(name)
            for k in range(per_op):
                params = gen.value(model["operations"][name]["input"]["shape"], 0)
                expect = ser.serialize_to_request(params, op)
                del records[:]
                p = subprocess.run([asff, "call", name, "--input", json.dumps(params), "--endpoint-url", url],
                                   capture_output=True, text=True, env=env)
                calls += 1
                where = "%s #%d input %s" % (name, k, json.dumps(params)[:300])
                if p.returncode != 0 or len(records) != 1:
                    failures.append("%s: rc %d, %d requests, stderr %s" % (where, p.returncode, len(records),
                                                                          p.stderr.strip()[:300]))
                    continue
                got = records[0]
                want_query = percent_encode_sequence(expect["query_string"]) if expect["query_string"] else ""
                want_body = expect["body"].decode() if isinstance(expect["body"], bytes) else expect["body"]
                problems = []
                if got["method"] != expect["method"]:
                    problems.append("method %s != %s" % (got["method"], expect["method"]))
                if got["path"] != expect["url_path"]:
                    problems.append("path %r != %r" % (got["path"], expect["url_path"]))
                if got["query"] != want_query:
                    problems.append("query %r != %r" % (got["query"], want_query))
                if bool(got["body"]) != bool(want_body):
                    problems.append("body %r != %r" % (got["body"][:200], want_body[:200]))
                elif want_body and json.loads(got["body"]) != json.loads(want_body):
                    problems.append("body %r != %r" % (got["body"][:300], want_body[:300]))
                if problems:
                    failures.append("%s: %s" % (where, "; ".join(problems)))
    finally:
        srv.shutdown()
    for f in failures[:40]:
        print("FAIL", f)
    print("%d operations, %d calls, %d failures" % (len(model["operations"]), calls, len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
