#!/usr/bin/env python3
"""Benchmark of the Python bindings (issues 7 and 15), every side in one run, each in its own child
process so that its peak RSS (ru_maxrss of the child) is its own. Runs are interleaved round by
round (load from other processes hits every side alike); the best of N counts.

  py_bindings.py DOC [--ndjson FILE] [--lib build/libasff.so.0] [--runs 3]

DOC is a {"Findings": [...]} document (bench/gen_corpus.py --envelope findings); the NDJSON sides
read --ndjson (the same findings one per line; made from DOC in a temporary file when not given).
The filter keeps SeverityLabel HIGH or CRITICAL: about 23% of the generated corpus.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BINDINGS = os.path.join(os.path.dirname(HERE), "bindings", "python")

FILTER = {"SeverityLabel": [{"Value": "HIGH", "Comparison": "EQUALS"},
                            {"Value": "CRITICAL", "Comparison": "EQUALS"}]}
TEST = "(f.get('Severity') or {}).get('Label') in ('HIGH', 'CRITICAL')"

# name -> (input: "doc" or "ndjson", code); the code prints the number of findings it produced
SIDES = {
    "json.loads per line": ("ndjson", (
        "import json,sys\nn = 0\n"
        "with open(sys.argv[1], 'rb') as fh:\n"
        "    for line in fh:\n"
        "        if line.strip():\n"
        "            f = json.loads(line); n += 1\n"
        "print(n)\n")),
    "asff.iter_findings": ("ndjson", (
        "import asff,sys\nprint(sum(1 for f in asff.iter_findings(sys.argv[1])))\n")),
    "json.load": ("doc", (
        "import json,sys\n"
        "with open(sys.argv[1], 'rb') as fh: doc = json.load(fh)\n"
        "print(len(doc['Findings']))\n")),
    "asff.load": ("doc", (
        "import asff,sys\nprint(len(asff.load(sys.argv[1])))\n")),
    "json.load + comprehension": ("doc", (
        "import json,sys\n"
        "with open(sys.argv[1], 'rb') as fh: doc = json.load(fh)\n"
        "print(len([f for f in doc['Findings'] if %s]))\n" % TEST)),
    "json.loads per line + test": ("ndjson", (
        "import json,sys\nn = 0\n"
        "with open(sys.argv[1], 'rb') as fh:\n"
        "    for line in fh:\n"
        "        if line.strip():\n"
        "            f = json.loads(line)\n"
        "            if %s: n += 1\n"
        "print(n)\n" % TEST)),
    "asff.iter_findings(filters) doc": ("doc", (
        "import asff,sys\nprint(sum(1 for f in asff.iter_findings(sys.argv[1], filters=%r)))\n" % (FILTER,))),
    "asff.iter_findings(filters) ndjson": ("ndjson", (
        "import asff,sys\nprint(sum(1 for f in asff.iter_findings(sys.argv[1], filters=%r)))\n" % (FILTER,))),
    "asff.iter_findings(filters, prefilter) ndjson": ("ndjson", (
        "import asff,sys\nprint(sum(1 for f in asff.iter_findings(sys.argv[1], filters=%r, prefilter=True)))\n"
        % (FILTER,))),
}


def run(code, path, env):
    t0 = time.perf_counter()
    p = subprocess.Popen([sys.executable, "-c", code, path], stdout=subprocess.PIPE, env=env)
    out = p.stdout.read()
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    if status != 0:
        raise SystemExit("child failed: %r" % code)
    return wall, ru.ru_maxrss / 1024.0, int(out.strip()), ru.ru_utime + ru.ru_stime


def ndjson_from(doc, tmpdir):
    path = os.path.join(tmpdir, "corpus.ndjson")
    with open(doc, "rb") as fh:
        findings = json.load(fh)["Findings"]
    with open(path, "w", encoding="utf-8") as out:
        for f in findings:
            out.write(json.dumps(f, ensure_ascii=False, separators=(",", ":")))
            out.write("\n")
    return path


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("doc")
    ap.add_argument("--ndjson")
    ap.add_argument("--lib", default=os.environ.get("ASFF_LIBRARY"))
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    env = dict(os.environ, PYTHONPATH=BINDINGS)
    if a.lib:
        env["ASFF_LIBRARY"] = os.path.abspath(a.lib)
    with tempfile.TemporaryDirectory() as tmp:
        # The package's bytecode is compiled once, untimed, as an installed package's is (pip writes
        # it at install time; the standard library's json is precompiled too). With
        # PYTHONDONTWRITEBYTECODE set, every run would compile the bindings' sources (~0.06 s of CPU).
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = os.path.join(tmp, "pycache")
        subprocess.run([sys.executable, "-c", "import asff"], env=env, check=True)
        nd = a.ndjson or ndjson_from(a.doc, tmp)
        nd_mb = os.path.getsize(nd) / 1e6  # (a temporary nd is gone after the with block)
        files = {"doc": a.doc, "ndjson": nd}
        best = {}
        cpu = {}
        for _ in range(a.runs):
            for name, (kind, code) in SIDES.items():
                r = run(code, files[kind], env)
                if name not in best or r[0] < best[name][0]:
                    best[name] = r
                cpu[name] = min(cpu.get(name, r[3]), r[3])
    t = {k: v[0] for k, v in best.items()}
    m = {k: v[1] for k, v in best.items()}
    n = {k: v[2] for k, v in best.items()}
    if n["asff.iter_findings"] != n["json.loads per line"] or n["asff.load"] != n["json.load"]:
        raise SystemExit("the sides disagree on the number of findings: %r" % n)
    if len({n[k] for k in n if "filters" in k or "test" in k or "comprehension" in k}) != 1:
        raise SystemExit("the sides disagree on the number of matches: %r" % n)
    print("python bindings: DOC %.0f MB (%d findings), NDJSON %.0f MB, %d matches (%.1f%%), best of %d" % (
        os.path.getsize(a.doc) / 1e6, n["json.load"], nd_mb, n["json.load + comprehension"],
        100.0 * n["json.load + comprehension"] / max(1, n["json.load"]), a.runs))
    print("load average %.2f at the end" % os.getloadavg()[0])
    print("%-46s %9s %9s %9s" % ("side", "seconds", "CPU s", "peak MB"))
    for name in SIDES:
        print("%-46s %9.2f %9.2f %9.1f" % (name, t[name], cpu[name], m[name]))
    pf = "asff.iter_findings(filters, prefilter) ndjson"
    pairs = [
        ("every finding: iter_findings / per-line json.loads", "asff.iter_findings", "json.loads per line", "<= 1.1"),
        ("asff.load / json.load", "asff.load", "json.load", "<= 0.8"),
        ("filter, doc: json.load+comprehension / iter_findings", "json.load + comprehension",
         "asff.iter_findings(filters) doc", ">= 5"),
        ("filter, ndjson: per-line+test / iter_findings(prefilter)", "json.loads per line + test", pf, ">= 3"),
        ("filter, ndjson: per-line+test / iter_findings (no prefilter)", "json.loads per line + test",
         "asff.iter_findings(filters) ndjson", "(>= 3)"),
    ]
    print("%-62s %6s %6s  %s" % ("ratio", "wall", "CPU", "goal"))
    for label, x, y, goal in pairs:
        print("%-62s %6.2f %6.2f  %s" % (label, t[x] / t[y], cpu[x] / cpu[y], goal))
    print("%-62s %6.2f %6s  %s" % ("asff.load / json.load, peak memory", m["asff.load"] / m["json.load"], "", "< 1"))
    doc_side = "asff.iter_findings(filters) doc"
    print("ratio: time %.1fx faster, peak memory %.1f%% of json.load's" % (
        t["json.load + comprehension"] / t[doc_side], 100 * m[doc_side] / m["json.load + comprehension"]))


if __name__ == "__main__":
    main()
