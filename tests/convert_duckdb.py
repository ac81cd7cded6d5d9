#!/usr/bin/env python3
"""A real query engine over a partitioned export (docs/scale-out.md).

Usage: convert_duckdb.py ASFF_CLI DATA_DIR GEN_CORPUS NODE_DIR

NODE_DIR holds node_modules/@duckdb/node-api (tools/dev/deps.sh installs it into build/node). The
test writes a corpus (the real findings that carry a Region, and 500 generated ones) as
Hive-style partitioned NDJSON with `asff fmt --partition-by`, creates the view that
`asff schema --dialect duckdb` prints, and checks that DuckDB's counts by severity, account and
region equal `asff insight --group-by`'s over the same findings, with plain and with `--gzip` files. Then `asff export --partition-by`
from moto_server (tests/servers/moto_harness), after `asff import` of the generated findings, must
give the same folders and line counts as `asff fmt --partition-by` of them."""
import json
import os
import shutil
import subprocess
import sys
import tempfile

CLI, DATA, GEN, NODE = sys.argv[1:5]
ENV = dict(os.environ, AWS_EC2_METADATA_DISABLED="true")
MODULE = os.path.join(NODE, "node_modules", "@duckdb", "node-api")
if not os.path.isdir(MODULE):
    print(f"missing {MODULE}: run tools/dev/deps.sh (it installs @duckdb/node-api with npm)")
    sys.exit(1)

QUERY = r"""
import { DuckDBInstance } from '@duckdb/node-api';
import fs from 'node:fs';
const inst = await DuckDBInstance.create(':memory:');
const con = await inst.connect();
await con.run(fs.readFileSync(process.argv[2], 'utf8'));
// one scan of the files, then the counts
// bounded: the full Resources type has thousands of leaves, so only the columns counted are read
await con.run("SET threads = 2; SET memory_limit = '1GB'");
await con.run('CREATE TABLE t AS SELECT Severity.Label AS sev, account, region, yyyy, mm, dd FROM asff_findings');
const out = {};
for (const [name, sql] of Object.entries({
  total: 'SELECT count(*) AS n FROM t',
  severity: 'SELECT sev AS v, count(*) AS n FROM t WHERE sev IS NOT NULL GROUP BY 1 ORDER BY 1',
  account: 'SELECT account AS v, count(*) AS n FROM t GROUP BY 1 ORDER BY 1',
  region: 'SELECT region AS v, count(*) AS n FROM t GROUP BY 1 ORDER BY 1',
  days: 'SELECT count(DISTINCT (yyyy, mm, dd)) AS n FROM t',
})) {
  const r = await con.runAndReadAll(sql);
  out[name] = r.getRowObjectsJson();
}
console.log(JSON.stringify(out));
"""


def run(*args, **kw):
    p = subprocess.run(list(args), capture_output=True, env=ENV, **kw)
    if p.returncode != 0:
        print(f"{' '.join(args)}: exit {p.returncode}\n{p.stderr.decode('utf-8', 'replace')}")
        sys.exit(1)
    return p.stdout.decode("utf-8")


def layout(root):
    return {os.path.relpath(os.path.join(d, f), root): sum(1 for _ in open(os.path.join(d, f)))
            for d, _, fs in os.walk(root) for f in fs}


def export_check(tmp, generated):
    """asff export --partition-by against moto_server: the same layout as asff fmt --partition-by."""
    src = os.path.join(tmp, "generated.ndjson")
    with open(src, "w") as fh:
        fh.write("\n".join(generated) + "\n")
    env = dict(ENV, AWS_ACCESS_KEY_ID="AKIDTEST", AWS_SECRET_ACCESS_KEY="test-secret", AWS_REGION="us-east-1",
               AWS_CONFIG_FILE="/nonexistent/c", AWS_SHARED_CREDENTIALS_FILE="/nonexistent/k",
               NO_PROXY="127.0.0.1,localhost")
    for k in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SECURITYHUB"):
        env.pop(k, None)
    harness = subprocess.Popen([sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)), "servers",
                                                             "moto_harness")],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        line = harness.stdout.readline()
        if not line.startswith("PORT "):
            return ["moto_harness did not start"]
        ep = "http://127.0.0.1:%d" % int(line.split()[1])
        for args in (["hub", "enable"], ["import", src],
                     ["export", "--partition-by", "region/account/yyyy/mm/dd", "-o", os.path.join(tmp, "exported")]):
            p = subprocess.run([CLI, args[0], "--endpoint-url", ep] + args[1:], capture_output=True, env=env)
            if p.returncode != 0:
                return [f"asff {args[0]}: exit {p.returncode}: {p.stderr.decode('utf-8', 'replace')[-500:]}"]
    finally:
        harness.stdin.close()
        harness.wait(timeout=60)
    run(CLI, "fmt", "--partition-by", "region/account/yyyy/mm/dd", "-o", os.path.join(tmp, "formatted"), src)
    a, b = layout(os.path.join(tmp, "exported")), layout(os.path.join(tmp, "formatted"))
    return [] if a == b and sum(a.values()) == len(generated) else [
        f"export --partition-by: {len(a)} files, {sum(a.values())} lines; fmt: {len(b)} files, {sum(b.values())} lines"]


tmp = tempfile.mkdtemp(prefix="asff-duckdb-")
try:
    corpus = os.path.join(tmp, "corpus.ndjson")
    real = os.path.join(DATA, "real")
    files = sorted(os.path.join(d, n) for d, _, ns in os.walk(real) for n in ns if n.endswith((".json", ".jsonl")))
    lines = []
    for f in files:
        p = subprocess.run([CLI, "fmt", "--skip-invalid", f], capture_output=True, env=ENV)
        lines += [l for l in p.stdout.decode("utf-8").splitlines() if l.strip() and json.loads(l).get("Region")]
    generated = run(sys.executable, GEN, "--count", "500", "--seed", "7").splitlines()
    lines += generated
    with open(corpus, "w") as fh:
        fh.write("\n".join(lines) + "\n")

    with open(os.path.join(tmp, "q.mjs"), "w") as fh:
        fh.write(QUERY)
    os.symlink(os.path.join(os.path.abspath(NODE), "node_modules"), os.path.join(tmp, "node_modules"))

    def duck_over(out_dir, *gzip):
        """asff fmt --partition-by (gzip or not) and the view asff schema prints, queried by DuckDB."""
        run(CLI, "fmt", "--partition-by", "region/account/yyyy/mm/dd", *gzip, "-o", out_dir, corpus)
        ddl = run(CLI, "schema", "--dialect", "duckdb", "--location", out_dir, *gzip)
        with open(os.path.join(tmp, "schema.sql"), "w") as fh:
            fh.write(ddl)
        return json.loads(run("node", os.path.join(tmp, "q.mjs"), os.path.join(tmp, "schema.sql")))

    out_dir = os.path.join(tmp, "findings")
    got = duck_over(out_dir)
    # the same folders with --gzip: every file gzip-compressed, DuckDB's answers unchanged
    gz_dir = os.path.join(tmp, "findings-gz")
    got_gz = duck_over(gz_dir, "--gzip")

    def insight(attr):
        res = json.loads(run(CLI, "insight", "--group-by", attr, "--format", "json", "--max", "0", "--local", corpus))
        return {v["GroupByAttributeValue"]: v["Count"] for v in res["InsightResults"]["ResultValues"]}

    def duck(name):
        return {r["v"]: int(r["n"]) for r in got[name]}

    failures = []
    total = int(got["total"][0]["n"])
    if total != len(lines):
        failures.append(f"DuckDB reads {total} findings, the corpus has {len(lines)}")
    for name, attr in (("severity", "SeverityLabel"), ("account", "AwsAccountId"), ("region", "Region")):
        want, have = insight(attr), duck(name)
        if want != have:
            failures.append(f"{name}: asff insight {want} != DuckDB {have}")
    if got_gz != got:
        failures.append(f"--gzip: DuckDB answers {got_gz}, without {got}")
    names = sorted(os.path.relpath(os.path.join(d, f), gz_dir) for d, _, fs in os.walk(gz_dir) for f in fs)
    plain = sorted(os.path.relpath(os.path.join(d, f), out_dir) + ".gz" for d, _, fs in os.walk(out_dir) for f in fs)
    if names != plain:
        failures.append(f"--gzip: {len(names)} files, without {len(plain)}; first {names[:1]} vs {plain[:1]}")
    failures += export_check(tmp, generated)
    if failures:
        print("\n".join(failures))
        sys.exit(1)
    print(f"ok: DuckDB over {total} findings in {sum(len(fs) for _, _, fs in os.walk(out_dir))} partitions "
          f"({int(got['days'][0]['n'])} days), plain and --gzip: counts by severity, account and region equal "
          f"asff insight's; "
          f"asff export --partition-by from moto_server gives the layout of asff fmt --partition-by")
finally:
    shutil.rmtree(tmp, ignore_errors=True)
