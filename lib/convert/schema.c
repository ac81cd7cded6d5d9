/*
 * CREATE TABLE statements for query engines, generated from the model's descriptor tables
 * (docs/scale-out.md). Every member of AwsSecurityFinding becomes a column whose type is the full
 * nested struct of its shape: structs for objects, arrays for lists, maps for maps (JSON for
 * BigQuery, which has no map type), strings for timestamps and JSON documents.
 *
 * A shape that contains itself would give an infinite type: a shape already on the path being
 * rendered, and anything nested deeper than max_depth, is typed as JSON text instead. The
 * recursion below is bounded by max_depth (at most 64), never by input.
 */
#include <stdio.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>
#include "convert_internal.h"

#define TS_NOTE "ISO 8601 timestamp as text, e.g. 2024-01-02T03:04:05.000Z"

typedef struct gen {
    const asff_schema_options *o;
    asff_buf out;
    unsigned path[64];     /* type ids being rendered */
    unsigned depth;
    unsigned max_depth;
    bool failed;
    char (*parts)[32];     /* partition columns */
    size_t nparts;
} gen;

static void put(gen *g, const char *s)
{
    if (!g->failed && asff__buf_append(&g->out, s, strlen(s)) != ASFF_OK)
        g->failed = true;
}

/* An identifier, quoted as the dialect needs (reserved words, and any character). */
static void ident(gen *g, const char *name)
{
    char q = g->o->dialect == ASFF_DIALECT_TRINO || g->o->dialect == ASFF_DIALECT_DUCKDB ? '"' : '`';
    char qs[2] = {q, '\0'};
    const char *p;
    put(g, qs);
    for (p = name; *p; p++) {
        char c[3] = {*p, '\0', '\0'};
        if (*p == q)
            c[1] = q; /* doubled */
        put(g, c);
    }
    put(g, qs);
}

static const char *scalar(const gen *g, asff_kind k)
{
    static const char *const names[5][5] = {
        /* string, int, double, bool, json */
        {"string", "bigint", "double", "boolean", "string"},    /* athena */
        {"STRING", "BIGINT", "DOUBLE", "BOOLEAN", "STRING"},    /* spark */
        {"varchar", "bigint", "double", "boolean", "varchar"},  /* trino */
        {"STRING", "INT64", "FLOAT64", "BOOL", "JSON"},         /* bigquery */
        {"VARCHAR", "BIGINT", "DOUBLE", "BOOLEAN", "JSON"},     /* duckdb */
    };
    int d = (int)g->o->dialect - 1;
    switch (k) {
    case ASFF_KIND_INT:
        return names[d][1];
    case ASFF_KIND_DOUBLE:
        return names[d][2];
    case ASFF_KIND_BOOL:
        return names[d][3];
    case ASFF_KIND_JSON:
        return names[d][4];
    default:
        return names[d][0];
    }
}

static void member_type(gen *g, const asff_member *m);

static void struct_of(gen *g, const asff_type *t)
{
    asff_dialect d = g->o->dialect;
    unsigned i;
    bool on_path = false;
    for (i = 0; i < g->depth; i++)
        on_path = on_path || g->path[i] == t->id;
    if (on_path || g->depth >= g->max_depth) {
        put(g, scalar(g, ASFF_KIND_JSON));
        return;
    }
    g->path[g->depth++] = t->id;
    put(g, d == ASFF_DIALECT_TRINO ? "ROW(" : d == ASFF_DIALECT_DUCKDB ? "STRUCT(" : d == ASFF_DIALECT_ATHENA ? "struct<" : "STRUCT<");
    for (i = 0; i < t->nmembers; i++) {
        const asff_member *m = &t->members[i];
        if (i)
            put(g, ", ");
        ident(g, m->name);
        put(g, d == ASFF_DIALECT_ATHENA || d == ASFF_DIALECT_SPARK ? ":" : " ");
        member_type(g, m);
    }
    put(g, d == ASFF_DIALECT_TRINO || d == ASFF_DIALECT_DUCKDB ? ")" : ">");
    g->depth--;
}

/* The type of a list item, a map value or a plain member. */
static void elem(gen *g, asff_kind k, const asff_type *t)
{
    if (k == ASFF_KIND_OBJECT && t)
        struct_of(g, t);
    else
        put(g, scalar(g, k));
}

static void member_type(gen *g, const asff_member *m)
{
    asff_dialect d = g->o->dialect;
    if (m->kind == ASFF_KIND_LIST) {
        if (d == ASFF_DIALECT_DUCKDB) {
            elem(g, (asff_kind)m->elem_kind, m->type);
            put(g, "[]");
        } else {
            put(g, d == ASFF_DIALECT_TRINO ? "ARRAY(" : d == ASFF_DIALECT_ATHENA ? "array<" : "ARRAY<");
            elem(g, (asff_kind)m->elem_kind, m->type);
            put(g, d == ASFF_DIALECT_TRINO ? ")" : ">");
        }
    } else if (m->kind == ASFF_KIND_MAP) {
        if (d == ASFF_DIALECT_BIGQUERY) {
            put(g, "JSON"); /* no map type: keys such as aws/securityhub/FindingId stay data */
        } else {
            put(g, d == ASFF_DIALECT_TRINO ? "MAP(varchar, " : d == ASFF_DIALECT_DUCKDB ? "MAP(VARCHAR, "
                   : d == ASFF_DIALECT_ATHENA ? "map<string," : "MAP<STRING, ");
            elem(g, (asff_kind)m->elem_kind, m->type);
            put(g, d == ASFF_DIALECT_TRINO || d == ASFF_DIALECT_DUCKDB ? ")" : ">");
        }
    } else {
        elem(g, (asff_kind)m->kind, m->type);
    }
}

/* A member that a partition column of the same name (engines compare names case-insensitively)
 * stands for: Region and the region partition, which the partition writer takes from Region. */
static bool is_partition(const gen *g, const char *name)
{
    size_t i;
    for (i = 0; i < g->nparts; i++)
        if (strcasecmp(g->parts[i], name) == 0)
            return true;
    return false;
}

/* Columns of AwsSecurityFinding; DuckDB's are entries of read_json's columns struct. */
static void columns(gen *g, const asff_type *t)
{
    asff_dialect d = g->o->dialect;
    unsigned i;
    bool first = true;
    for (i = 0; i < t->nmembers; i++) {
        const asff_member *m = &t->members[i];
        if (is_partition(g, m->name))
            continue;
        put(g, first ? "  " : ",\n  ");
        first = false;
        if (d == ASFF_DIALECT_DUCKDB) {
            put(g, "'");
            put(g, m->name); /* model names are letters and digits */
            put(g, "': '");
            g->path[0] = t->id;
            g->depth = 1;
            member_type(g, m);
            put(g, "'");
            continue;
        }
        ident(g, m->name);
        put(g, " ");
        g->path[0] = t->id;
        g->depth = 1;
        member_type(g, m);
        if (m->flags & ASFF_MF_TIMESTAMP)
            put(g, d == ASFF_DIALECT_BIGQUERY ? " OPTIONS(description='" TS_NOTE "')" : " COMMENT '" TS_NOTE "'");
    }
}

/* "region/account/yyyy" -> its names; each [a-z_][a-z0-9_]*. */
static asff_status partition_names(const char *spec, char names[8][32], size_t *n, asff_error *err)
{
    const char *p = spec;
    *n = 0;
    while (*p) {
        size_t len = strcspn(p, "/");
        size_t i;
        if (len == 0 || len >= 32 || *n == 8)
            return asff_error_set(err, ASFF_ERR_INVALID_ARG, "partition_by takes up to 8 names of 1-31 characters, '/'-separated");
        for (i = 0; i < len; i++) {
            char c = p[i];
            if (!((c >= 'a' && c <= 'z') || c == '_' || (i > 0 && c >= '0' && c <= '9')))
                return asff_error_set(err, ASFF_ERR_INVALID_ARG, "a partition name is lower-case letters, digits and '_'");
        }
        memcpy(names[*n], p, len);
        names[(*n)++][len] = '\0';
        p += len;
        if (*p == '/')
            p++;
    }
    return ASFF_OK;
}

asff_status asff_schema_ddl(const asff_schema_options *options, asff_write_fn fn, void *ctx, asff_error *err)
{
    asff_schema_options o;
    const asff_type *t = asff_type_get(ASFF_TID_AwsSecurityFinding);
    char parts[8][32];
    size_t nparts, i;
    gen g;
    asff_status st;
    if (!options || !fn || options->dialect < ASFF_DIALECT_ATHENA || options->dialect > ASFF_DIALECT_DUCKDB)
        return asff_error_set(err, ASFF_ERR_INVALID_ARG, "asff_schema_ddl needs a dialect and a sink");
    if (options->version > ASFF_SCHEMA_OPTIONS_VERSION)
        return asff_error_set(err, ASFF_ERR_INVALID_ARG, "asff_schema_options: unknown version");
    if (options->version == 1) { /* a version 1 struct ends before gzip */
        memset(&o, 0, sizeof o);
        memcpy(&o, options, offsetof(asff_schema_options, gzip));
    } else {
        o = *options;
    }
    if (!o.table)
        o.table = "asff_findings";
    if (!o.location)
        o.location = o.dialect == ASFF_DIALECT_DUCKDB ? "findings" : o.dialect == ASFF_DIALECT_BIGQUERY
                                                                          ? "gs://BUCKET/PREFIX"
                                                                          : "s3://BUCKET/PREFIX/";
    if (!o.partition_by)
        o.partition_by = "region/account/yyyy/mm/dd";
    if ((st = partition_names(o.partition_by, parts, &nparts, err)) != ASFF_OK)
        return st;
    if (strchr(o.location, '\'') || strchr(o.table, '\'') || strchr(o.table, '`') || strchr(o.table, '"'))
        return asff_error_set(err, ASFF_ERR_INVALID_ARG, "quotes in the table name or location");
    memset(&g, 0, sizeof g);
    g.o = &o;
    g.parts = parts;
    g.nparts = nparts;
    g.max_depth = o.max_depth ? (o.max_depth < 64 ? o.max_depth : 64) : 32;
    asff__buf_init(&g.out, o.allocator);

    put(&g, "-- AwsSecurityFinding of ");
    put(&g, asff_model_version());
    put(&g, ", generated by libasff (docs/scale-out.md).\n"
            "-- Timestamps are ISO 8601 text. Input: NDJSON, one finding per line, in Hive-style\n"
            "-- partitions (asff fmt --partition-by / asff export --partition-by).\n");
    for (i = 0; i < t->nmembers; i++)
        if (is_partition(&g, t->members[i].name)) {
            put(&g, "-- The member ");
            put(&g, t->members[i].name);
            put(&g, " is read through the partition column of the same name.\n");
        }
    switch (o.dialect) {
    case ASFF_DIALECT_ATHENA:
    case ASFF_DIALECT_SPARK:
        put(&g, o.dialect == ASFF_DIALECT_ATHENA ? "CREATE EXTERNAL TABLE IF NOT EXISTS " : "CREATE TABLE IF NOT EXISTS ");
        ident(&g, o.table);
        put(&g, " (\n");
        columns(&g, t);
        if (o.dialect == ASFF_DIALECT_SPARK)
            for (i = 0; i < nparts; i++) {
                put(&g, ",\n  ");
                ident(&g, parts[i]);
                put(&g, " STRING");
            }
        put(&g, "\n)\n");
        if (o.dialect == ASFF_DIALECT_SPARK)
            put(&g, "USING json\n");
        if (nparts) {
            put(&g, "PARTITIONED BY (");
            for (i = 0; i < nparts; i++) {
                put(&g, i ? ", " : "");
                ident(&g, parts[i]);
                if (o.dialect == ASFF_DIALECT_ATHENA)
                    put(&g, " string");
            }
            put(&g, ")\n");
        }
        if (o.dialect == ASFF_DIALECT_ATHENA)
            put(&g, "ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'\n"
                    "WITH SERDEPROPERTIES ('ignore.malformed.json' = 'FALSE')\n"
                    "STORED AS INPUTFORMAT 'org.apache.hadoop.mapred.TextInputFormat'\n"
                    "OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'\n");
        put(&g, "LOCATION '");
        put(&g, o.location);
        put(&g, "';\n");
        if (o.dialect == ASFF_DIALECT_ATHENA && nparts)
            put(&g, "-- then: MSCK REPAIR TABLE, or partition projection (docs/scale-out.md)\n");
        break;
    case ASFF_DIALECT_TRINO:
        put(&g, "CREATE TABLE IF NOT EXISTS ");
        ident(&g, o.table);
        put(&g, " (\n");
        columns(&g, t);
        for (i = 0; i < nparts; i++) {
            put(&g, ",\n  ");
            ident(&g, parts[i]);
            put(&g, " varchar");
        }
        put(&g, "\n)\nWITH (\n  format = 'JSON',\n  external_location = '");
        put(&g, o.location);
        put(&g, "'");
        if (nparts) {
            put(&g, ",\n  partitioned_by = ARRAY[");
            for (i = 0; i < nparts; i++) {
                put(&g, i ? ", '" : "'");
                put(&g, parts[i]);
                put(&g, "'");
            }
            put(&g, "]");
        }
        put(&g, "\n);\n");
        break;
    case ASFF_DIALECT_BIGQUERY:
        put(&g, "CREATE EXTERNAL TABLE IF NOT EXISTS ");
        ident(&g, o.table);
        put(&g, " (\n");
        columns(&g, t);
        put(&g, "\n)\n");
        if (nparts) {
            put(&g, "WITH PARTITION COLUMNS (");
            for (i = 0; i < nparts; i++) {
                put(&g, i ? ", " : "");
                ident(&g, parts[i]);
                put(&g, " STRING");
            }
            put(&g, ")\n");
        }
        put(&g, "OPTIONS (\n  format = 'NEWLINE_DELIMITED_JSON',\n");
        if (o.gzip)
            put(&g, "  compression = 'GZIP',\n");
        put(&g, "  uris = ['");
        put(&g, o.location);
        put(&g, "/*']");
        if (nparts) {
            put(&g, ",\n  hive_partition_uri_prefix = '");
            put(&g, o.location);
            put(&g, "'");
        }
        put(&g, "\n);\n");
        break;
    case ASFF_DIALECT_DUCKDB:
        put(&g, "CREATE OR REPLACE VIEW ");
        ident(&g, o.table);
        put(&g, " AS SELECT * FROM read_json('");
        put(&g, o.location);
        put(&g, nparts ? "/**/*.ndjson" : "/*.ndjson");
        put(&g, o.gzip ? ".gz'" : "'");
        put(&g, ", format = 'newline_delimited'");
        if (nparts) {
            put(&g, ", hive_partitioning = true, hive_types = {");
            for (i = 0; i < nparts; i++) {
                put(&g, i ? ", '" : "'");
                put(&g, parts[i]);
                put(&g, "': 'VARCHAR'");
            }
            put(&g, "}");
        }
        put(&g, ", columns = {\n");
        columns(&g, t);
        put(&g, "\n});\n");
        break;
    }
    if (g.failed) {
        asff__buf_cleanup(&g.out);
        return asff_error_set(err, ASFF_ERR_NOMEM, "out of memory");
    }
    st = fn(ctx, g.out.data, g.out.len) == 0 ? ASFF_OK : asff_error_set(err, ASFF_ERR_IO, "the schema sink failed");
    asff__buf_cleanup(&g.out);
    return st;
}
