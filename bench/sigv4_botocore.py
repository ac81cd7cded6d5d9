#!/usr/bin/env python3
"""SigV4 signatures per second: libasff (bench/sigv4_bench.c) against botocore's SigV4Auth, on the
same request (POST /findings/import to Security Hub, a JSON body, a session token), in one run.

usage: sigv4_botocore.py PATH/TO/sigv4_bench [--seconds S] [--body BYTES[,BYTES...]]
Prints both rates and the ratio for each body size (default 0, 256 and 2048 bytes; goal: libasff
>= 30x botocore). Both sides hash the body with OpenSSL's SHA-256, so the ratio falls as the body
grows: the signer's own work is what the small bodies measure."""
import argparse
import json
import subprocess
import sys
import time

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def botocore_rate(seconds, body_len):
    creds = Credentials("ASIAEXAMPLEEXAMPLE12", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                        "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQExampleSessionToken+/=")
    pattern = b'{"Findings":[]} abcdefghij'
    body = (pattern * (body_len // len(pattern) + 1))[:body_len]
    signer = SigV4Auth(creds, "securityhub", "eu-west-1")
    n = 0
    t0 = time.perf_counter()
    while True:
        for _ in range(100):
            req = AWSRequest(method="POST", url="https://securityhub.eu-west-1.amazonaws.com/findings/import",
                             data=body, headers={"Content-Type": "application/json",
                                                 "User-Agent": "libasff/0.1.0"})
            signer.add_auth(req)
            n += 1
        t = time.perf_counter() - t0
        if t >= seconds:
            return n, t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bench")
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--body", default="0,256,2048")
    a = ap.parse_args()
    import botocore
    for body in [int(x) for x in a.body.split(",")]:
        out = subprocess.run([a.bench, str(a.seconds), str(body)], check=True, capture_output=True, text=True)
        c = json.loads(out.stdout)
        n, t = botocore_rate(a.seconds, body)
        py = n / t
        print(json.dumps({"libasff_per_second": round(c["per_second"]), "botocore_per_second": round(py),
                          "ratio": round(c["per_second"] / py, 1), "body_bytes": body,
                          "botocore_version": botocore.__version__}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
