#!/usr/bin/env python3
"""Bounded memory of the converters: peak RSS of `asff convert --to ocsf`, `asff fmt --format csv`
and `asff convert --from sarif` over about 30 MB of input stays under LIMIT_MB (32; more under
sanitizers, which CMake passes). Usage: convert_rss.py ASFF_CLI GEN_CORPUS LIMIT_MB"""
import json
import os
import subprocess
import sys
import tempfile
import time

CLI, GEN, LIMIT = sys.argv[1], sys.argv[2], int(sys.argv[3])
ENV = dict(os.environ, AWS_EC2_METADATA_DISABLED="true")
# Under AddressSanitizer, freed memory waits in a quarantine (256 MB by default): keep it small so
# that growth, not the quarantine, is what the limit sees.
ENV["ASAN_OPTIONS"] = ":".join(filter(None, [os.environ.get("ASAN_OPTIONS"), "quarantine_size_mb=8"]))


def peak_mb(args):
    """VmHWM of the child, read from /proc while it runs (ru_maxrss would include the memory of the
    Python process that forked it). The conversions are flat, so the last reading is the peak."""
    peak = 0
    with open(os.devnull, "wb") as null, tempfile.TemporaryFile() as errf:
        p = subprocess.Popen(args, stdout=null, stderr=errf, env=ENV)
        while p.poll() is None:
            try:
                with open(f"/proc/{p.pid}/status") as st:
                    for line in st:
                        if line.startswith("VmHWM:"):
                            peak = max(peak, int(line.split()[1]))
            except (OSError, ValueError):
                pass
            time.sleep(0.005)
        if p.returncode != 0:
            errf.seek(0)
            print(f"{' '.join(args)}: {errf.read().decode('utf-8', 'replace')}")
            sys.exit(1)
    if peak == 0:
        print(f"{' '.join(args)}: finished before its memory could be read")
        sys.exit(1)
    return peak / 1024.0


with tempfile.TemporaryDirectory(prefix="asff-rss-") as tmp:
    corpus = os.path.join(tmp, "corpus.ndjson")
    subprocess.run([sys.executable, GEN, "--size", "30M", "--seed", "5", "--out", corpus], check=True,
                   capture_output=True)
    # a SARIF log of the same order of size: one run, 200 rules, 40,000 results
    sarif = os.path.join(tmp, "big.sarif")
    with open(sarif, "w") as fh:
        rules = [{"id": f"R{i}", "shortDescription": {"text": f"rule {i} " + "x" * 200},
                  "properties": {"security-severity": str(i % 10)}} for i in range(200)]
        fh.write('{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"gen","rules":')
        fh.write(json.dumps(rules))
        fh.write('}},"results":[')
        for i in range(40000):
            if i:
                fh.write(",")
            fh.write(json.dumps({"ruleId": f"R{i % 200}", "ruleIndex": i % 200,
                                 "message": {"text": f"problem {i} " + "y" * 500},
                                 "locations": [{"physicalLocation": {"artifactLocation": {"uri": f"src/f{i % 997}.c"},
                                                                     "region": {"startLine": i + 1}}}]}))
        fh.write("]}]}\n")
    size = os.path.getsize(corpus) / 1e6
    runs = {
        "ocsf": [CLI, "convert", "--to", "ocsf", corpus],
        "csv": [CLI, "fmt", "--format", "csv", corpus],
        "sarif": [CLI, "convert", "--from", "sarif", "--product-arn",
                  "arn:aws:securityhub:us-east-1:123456789012:product/123456789012/default",
                  "--account", "123456789012", sarif],
    }
    bad = []
    for name, args in runs.items():
        mb = peak_mb(args)
        print(f"{name}: peak RSS {mb:.1f} MB")
        if mb > LIMIT:
            bad.append(f"{name}: {mb:.1f} MB > {LIMIT} MB")
    print(f"inputs: {size:.0f} MB of findings, {os.path.getsize(sarif) / 1e6:.0f} MB of SARIF")
    if bad:
        print("\n".join(bad))
        sys.exit(1)
