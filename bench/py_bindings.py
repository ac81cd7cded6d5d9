#!/usr/bin/env python3
"""Benchmark of the Python bindings (issue 7): asff.iter_findings with a filter against json.load +
a list comprehension, on the same {"Findings": [...]} file, in one run. Each side runs in its own
child process so that peak RSS (ru_maxrss of the child) is its own.

  py_bindings.py FILE [--lib build/libasff.so.0] [--runs 3]
"""
import argparse
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BINDINGS = os.path.join(os.path.dirname(HERE), "bindings", "python")

FILTER = {"SeverityLabel": [{"Value": "CRITICAL", "Comparison": "EQUALS"}],
          "RecordState": [{"Value": "ACTIVE", "Comparison": "EQUALS"}]}

SIDES = {
    "json.load + comprehension": (
        "import json,sys\n"
        "with open(sys.argv[1], 'rb') as fh: doc = json.load(fh)\n"
        "m = [f for f in doc['Findings'] if f.get('Severity', {}).get('Label') == 'CRITICAL'"
        " and f.get('RecordState') == 'ACTIVE']\n"
        "print(len(m))\n"),
    "asff.iter_findings(filters=...)": (
        "import asff,sys\n"
        "flt = %r\n"
        "print(sum(1 for _ in asff.iter_findings(sys.argv[1], filters=flt)))\n" % (FILTER,)),
}


def run(code, path, env):
    t0 = time.perf_counter()
    p = subprocess.Popen([sys.executable, "-c", code, path], stdout=subprocess.PIPE, env=env)
    out = p.stdout.read()
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    if status != 0:
        raise SystemExit("child failed: %r" % code)
    return wall, ru.ru_maxrss / 1024.0, int(out.strip())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--lib", default=os.environ.get("ASFF_LIBRARY"))
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    env = dict(os.environ, PYTHONPATH=BINDINGS)
    if a.lib:
        env["ASFF_LIBRARY"] = os.path.abspath(a.lib)
    size = os.path.getsize(a.file) / 1e6
    res = {}
    for name, code in SIDES.items():
        best = None
        for _ in range(a.runs):
            r = run(code, a.file, env)
            best = r if best is None or r[0] < best[0] else best
        res[name] = best
    counts = {r[2] for r in res.values()}
    if len(counts) != 1:
        raise SystemExit("the two sides disagree on the number of matches: %r" % res)
    base = res["json.load + comprehension"]
    print("python bindings, %.0f MB, %d matches, best of %d" % (size, counts.pop(), a.runs))
    print("%-34s %9s %9s %10s" % ("side", "seconds", "peak MB", "speedup"))
    for name, (wall, rss, _) in res.items():
        print("%-34s %9.2f %9.1f %9.1fx" % (name, wall, rss, base[0] / wall))
    ours = res["asff.iter_findings(filters=...)"]
    print("ratio: time %.1fx faster, peak memory %.1f%% of json.load's" % (base[0] / ours[0], 100 * ours[1] / base[1]))


if __name__ == "__main__":
    main()
