#!/usr/bin/env python3
"""CPU time of importing N findings into moto_server: `asff import` against a boto3 script that does
the same batching (100 findings a call). Issue 6's goal: asff at most 1/10 of boto3's CPU.

  bench/client_import.py ASFF_BINARY [N]
Each run gets a fresh moto_server (tests/servers/moto_harness). CPU is user+sys:
  asff             the `asff import` process as a whole (start-up included), from RUSAGE_CHILDREN;
  boto3 in-process this process's CPU from creating the client to the last call (the figure issue 6
                   was first measured with: no Python start-up, no `import boto3`);
  boto3 process    the same batching code run as a child process (`--boto3-child`), as a whole, from
                   RUSAGE_CHILDREN: Python start-up and `import boto3` included, like asff's figure.
Not a ctest: run it by hand."""
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

HERE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests", "servers")


def moto():
    h = subprocess.Popen([sys.executable, os.path.join(HERE, "moto_harness")], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, text=True)
    return h, "http://127.0.0.1:%d" % int(h.stdout.readline().split()[1])


def stop(h):
    h.stdin.close()
    h.wait()


def boto3_import(src, ep):
    """The boto3 side: batches of at most 100 findings and 6,000,000 bytes, as asff import makes."""
    import boto3
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


def child_cpu(cmd):
    """user+sys CPU seconds and wall seconds of running cmd to its end."""
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    subprocess.run(cmd, check=True)
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime), time.monotonic() - t0


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--boto3-child":
        boto3_import(sys.argv[2], sys.argv[3])
        return 0
    asff = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
    os.environ.update({"AWS_ACCESS_KEY_ID": "AKIDBENCH", "AWS_SECRET_ACCESS_KEY": "bench-secret",
                       "AWS_REGION": "us-east-1", "AWS_CONFIG_FILE": "/nonexistent/c",
                       "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/k", "AWS_EC2_METADATA_DISABLED": "true",
                       "NO_PROXY": "127.0.0.1"})
    sys.path.insert(0, os.path.dirname(HERE))
    from cli_client_roundtrip import finding
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "in.ndjson")
        with open(src, "w") as f:
            for i in range(n):
                f.write(json.dumps(finding(i)) + "\n")
        # moto's own CPU is not counted: the harness is waited for (stop) only after each measurement
        h, ep = moto()
        asff_cpu, asff_wall = child_cpu([asff, "import", "--quiet", "--endpoint-url", ep, src])
        stop(h)
        h, ep = moto()
        import boto3  # noqa: F401  (before the clock starts: this figure leaves the import out)
        c0, t0 = time.process_time(), time.monotonic()
        boto3_import(src, ep)
        boto_cpu, boto_wall = time.process_time() - c0, time.monotonic() - t0
        stop(h)
        h, ep = moto()
        proc_cpu, proc_wall = child_cpu([sys.executable, os.path.abspath(__file__), "--boto3-child", src, ep])
        stop(h)
    print("import of %d findings into moto_server, CPU = user+sys:" % n)
    print("  asff import, whole process          %.3f s (wall %.2f s)" % (asff_cpu, asff_wall))
    print("  boto3, from client creation         %.3f s (wall %.2f s)" % (boto_cpu, boto_wall))
    print("  boto3, whole process                %.3f s (wall %.2f s)" % (proc_cpu, proc_wall))
    print("boto3/asff = %.1fx from boto3's client creation (issue 6's figure; goal >= 10x)"
          % (boto_cpu / asff_cpu))
    print("boto3/asff = %.1fx whole process against whole process" % (proc_cpu / asff_cpu))
    print("RESULT n=%d asff_cpu_s=%.4f boto3_cpu_s=%.4f boto3_process_cpu_s=%.4f ratio=%.2f ratio_process=%.2f"
          % (n, asff_cpu, boto_cpu, proc_cpu, boto_cpu / asff_cpu, proc_cpu / asff_cpu))
    return 0


if __name__ == "__main__":
    sys.exit(main())
