#!/usr/bin/env python3
"""A real query engine over a partitioned export (docs/scale-out.md).

Usage: convert_duckdb.py ASFF_CLI DATA_DIR GEN_CORPUS NODE_DIR

NODE_DIR holds node_modules/@duckdb/node-api (tools/dev/deps.sh installs it into build/node). The
test writes a corpus (the real findings that carry a Region, and 500 generated ones) as
Hive-style partitioned NDJSON with `asff fmt --partition-by`, creates the view that
`asff schema --dialect duckdb` prints, and checks that DuckDB's counts by severity, account and
region equal `asff insight --group-by`'s over the same findings."""
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
  severity: 'SELECT sev AS v, count(*) AS n FROM t WHERE sev IS NOT NULL GROUP BY 1',
  account: 'SELECT account AS v, count(*) AS n FROM t GROUP BY 1',
  region: 'SELECT region AS v, count(*) AS n FROM t GROUP BY 1',
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


tmp = tempfile.mkdtemp(prefix="asff-duckdb-")
try:
    corpus = os.path.join(tmp, "corpus.ndjson")
    real = os.path.join(DATA, "real")
    files = sorted(os.path.join(d, n) for d, _, ns in os.walk(real) for n in ns if n.endswith((".json", ".jsonl")))
    lines = []
    for f in files:
        p = subprocess.run([CLI, "fmt", "--skip-invalid", f], capture_output=True, env=ENV)
        lines += [l for l in p.stdout.decode("utf-8").splitlines() if l.strip() and json.loads(l).get("Region")]
    lines += run(sys.executable, GEN, "--count", "500", "--seed", "7").splitlines()
    with open(corpus, "w") as fh:
        fh.write("\n".join(lines) + "\n")

    out_dir = os.path.join(tmp, "findings")
    run(CLI, "fmt", "--partition-by", "region/account/yyyy/mm/dd", "-o", out_dir, corpus)
    ddl = run(CLI, "schema", "--dialect", "duckdb", "--location", out_dir)
    with open(os.path.join(tmp, "schema.sql"), "w") as fh:
        fh.write(ddl)
    with open(os.path.join(tmp, "q.mjs"), "w") as fh:
        fh.write(QUERY)
    os.symlink(os.path.join(os.path.abspath(NODE), "node_modules"), os.path.join(tmp, "node_modules"))
    got = json.loads(run("node", os.path.join(tmp, "q.mjs"), os.path.join(tmp, "schema.sql")))

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
    if failures:
        print("\n".join(failures))
        sys.exit(1)
    print(f"ok: DuckDB over {total} findings in {sum(len(fs) for _, _, fs in os.walk(out_dir))} partitions "
          f"({int(got['days'][0]['n'])} days): counts by severity, account and region equal asff insight's")
finally:
    shutil.rmtree(tmp, ignore_errors=True)
