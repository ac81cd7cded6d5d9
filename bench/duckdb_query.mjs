// DuckDB reference for bench/run.sh --duckdb: the filter or the insight of the benchmark through
// read_json over the same NDJSON corpus, in this one node process (so runstat sees its peak RSS).
//
//   node duckdb_query.mjs NODE_DIR filter|insight CORPUS.ndjson OUT
//
// NODE_DIR holds node_modules/@duckdb/node-api (tools/dev/deps.sh installs it into build/node).
// filter:  the findings with Severity.Label CRITICAL and RecordState ACTIVE, as NDJSON into OUT;
// insight: distinct non-empty Resources[].Id per finding counted, top 100 by count then value, in
//          the GetInsightResults shape of bench/py_insight.py, into OUT.
// DuckDB infers the schema itself (read_json's defaults) and uses both cores.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';

const [nodeDir, mode, corpus, out] = process.argv.slice(2);
const require = createRequire(path.join(path.resolve(nodeDir), 'package.json'));
const { DuckDBInstance } = require('@duckdb/node-api');

const q = (s) => "'" + s.replaceAll("'", "''") + "'";
const src = `read_json(${q(corpus)}, format = 'newline_delimited')`;
const inst = await DuckDBInstance.create(':memory:');
const con = await inst.connect();
await con.run('SET threads = 2');
if (mode === 'filter') {
  await con.run(`COPY (SELECT * FROM ${src} WHERE Severity.Label = 'CRITICAL' AND RecordState = 'ACTIVE')
                 TO ${q(out)} (FORMAT json)`);
} else if (mode === 'insight') {
  const r = await con.runAndReadAll(`
    SELECT v, count(*) AS n FROM (
      SELECT unnest(list_distinct(list_filter(list_transform(Resources, r -> r.Id), x -> x IS NOT NULL AND x <> ''))) AS v
      FROM ${src})
    GROUP BY v ORDER BY n DESC, v LIMIT 100`);
  const values = r.getRowObjectsJson().map((o) => ({ GroupByAttributeValue: o.v, Count: Number(o.n) }));
  fs.writeFileSync(out, JSON.stringify({ InsightResults: { GroupByAttribute: 'ResourceId', ResultValues: values } }) + '\n');
} else {
  console.error(`duckdb_query.mjs: unknown mode ${mode}`);
  process.exit(2);
}
