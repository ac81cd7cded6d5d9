#!/usr/bin/env python3
"""CPU time of importing N findings into moto_server: `asff import` against a boto3 script that does
the same batching (100 findings a call). Issue 6's goal: asff at most 1/10 of boto3's CPU.

  bench/client_import.py ASFF_BINARY [N]
Each side gets a fresh moto_server (tests/servers/moto_harness). asff's CPU is its process's user+sys
time; boto3's is this process's CPU time from creating the client to the last call. Not a ctest: run
it by hand."""
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

HERE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests", "servers")
sys.path.insert(0, os.path.dirname(HERE))
from cli_client_roundtrip import finding  # noqa: E402


def moto():
    h = subprocess.Popen([sys.executable, os.path.join(HERE, "moto_harness")], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, text=True)
    return h, "http://127.0.0.1:%d" % int(h.stdout.readline().split()[1])


def main():
    asff = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
    os.environ.update({"AWS_ACCESS_KEY_ID": "AKIDBENCH", "AWS_SECRET_ACCESS_KEY": "bench-secret",
                       "AWS_REGION": "us-east-1", "AWS_CONFIG_FILE": "/nonexistent/c",
                       "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/k", "AWS_EC2_METADATA_DISABLED": "true",
                       "NO_PROXY": "127.0.0.1"})
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "in.ndjson")
        with open(src, "w") as f:
            for i in range(n):
                f.write(json.dumps(finding(i)) + "\n")
        h, ep = moto()
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.monotonic()
        subprocess.run([asff, "import", "--quiet", "--endpoint-url", ep, src], check=True)
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        asff_cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
        asff_wall = time.monotonic() - t0
        h.stdin.close()
        h.wait()
        h, ep = moto()
        import boto3
        c0, t0 = time.process_time(), time.monotonic()
        client = boto3.client("securityhub", endpoint_url=ep, region_name="us-east-1")
        batch, size = [], 0
        with open(src) as f:
            for line in f:
                d = json.loads(line)
                s = len(json.dumps(d, separators=(",", ":")))
                if batch and (len(batch) == 100 or size + s > 6000000):
                    assert client.batch_import_findings(Findings=batch)["FailedCount"] == 0
                    batch, size = [], 0
                batch.append(d)
                size += s
        if batch:
            assert client.batch_import_findings(Findings=batch)["FailedCount"] == 0
        boto_cpu, boto_wall = time.process_time() - c0, time.monotonic() - t0
        h.stdin.close()
        h.wait()
    print("import of %d findings: asff cpu %.3f s (wall %.2f s), boto3 cpu %.3f s (wall %.2f s): boto3/asff = %.1fx"
          % (n, asff_cpu, asff_wall, boto_cpu, boto_wall, boto_cpu / asff_cpu))


if __name__ == "__main__":
    sys.exit(main())
