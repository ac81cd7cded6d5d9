#!/usr/bin/env python3
"""Random requests and botocore's canonical request for each, for the differential test in
tests/test_sigv4.c (test_botocore_differential). Deterministic for a seed.

usage: sigv4_botocore_cases.py COUNT SEED
Writes COUNT records to stdout: the raw request (.req format), 0x1d, botocore's canonical request,
0x1e. Paths may hold dot segments, repeated slashes, raw UTF-8, reserved characters and escapes;
queries are correctly encoded (botocore signs a URL's query as it is, libasff re-encodes it: they
agree on encoded queries); headers repeat, with tabs, runs of spaces and quotes; some have bodies."""
import random
import sys

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.compat import HTTPHeaders
from botocore.credentials import Credentials

PATH = list("abcXYZ019-._~!$&'()*+,;=:@%") + ["%20", "%2F", "%41", "..", ".", "//", "\u00e9", "%E1%88%B4"]
QUERY = list("abcXYZ019-._~") + ["%20", "%2B", "%24", "%3D", "%26", "%E1%88%B4", "%2F", "%25"]
NAMES = ["X-A", "x-a", "My-Header", "Content-Type", "ZZ", "a"]
VALUE = list('ab  c\t"xyz')


def rstr(rng, chars, n):
    return "".join(rng.choice(chars) for _ in range(rng.randint(0, n)))


def main():
    count, seed = int(sys.argv[1]), int(sys.argv[2])
    rng = random.Random(seed)
    auth = SigV4Auth(Credentials("AKIDEXAMPLE", "secret"), "svc", "us-east-1")
    out = sys.stdout.buffer
    made = 0
    while made < count:
        path = "/" + rstr(rng, PATH, 12)
        pairs = []
        for _ in range(rng.randint(0, 4)):
            k = rstr(rng, QUERY, 5)
            pairs.append(k + ("=" + rstr(rng, QUERY, 5) if rng.random() < 0.8 else ""))
        q = "&".join(p for p in pairs if p)
        hdrs = [("Host", "example.amazonaws.com"), ("X-Amz-Date", "20150830T123600Z")]
        for _ in range(rng.randint(0, 4)):
            hdrs.append((rng.choice(NAMES), rstr(rng, VALUE, 10)))
        body = rstr(rng, list("abc={}"), 20).encode() if rng.random() < 0.3 else b""
        method = rng.choice(["GET", "POST"])
        req = AWSRequest(method=method, url="https://example.amazonaws.com" + path + ("?" + q if q else ""),
                         data=body)
        h = HTTPHeaders()
        for k, v in hdrs:
            h.add_header(k, v)
        req.headers = h
        creq = auth.canonical_request(req)
        raw = ("%s %s%s HTTP/1.1\n" % (method, path, "?" + q if q else "")).encode()
        raw += "".join("%s:%s\n" % kv for kv in hdrs).encode()
        if body:
            raw += b"\n" + body
        out.write(raw + b"\x1d" + creq.encode() + b"\x1e")
        made += 1


if __name__ == "__main__":
    main()
