/**
 * @file
 * libasff convert: findings to and from other formats, one finding at a time (docs/convert.md).
 *
 *  - ASFF -> OCSF 1.1.0 (asff_to_ocsf): Compliance, Vulnerability or Detection Finding, chosen by
 *    producer as Amazon Security Lake does, with the field mapping of the OCSF project's examples.
 *  - SARIF 2.1.0 -> ASFF (asff_sarif_reader): a push parser that keeps one result (and its run's
 *    tool) in memory and hands each result over as a finding.
 *  - ASFF -> CSV (asff_csv_writer): RFC 4180 with a header, selectable columns, formula-like cells
 *    neutralized.
 * Every converter writes through an asff_write_fn (asff/codec.h) and holds at most one finding.
 */
#ifndef ASFF_CONVERT_H
#define ASFF_CONVERT_H

#include "asff/codec.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- ASFF -> OCSF --------------------------------------------------------------------------- */

/** Options of asff_to_ocsf. Zero means the default. */
typedef struct asff_ocsf_options {
    unsigned version;                /**< ASFF_OCSF_OPTIONS_VERSION */
    bool pretty;                     /**< indented output (default: compact, one line) */
    const asff_allocator *allocator; /**< NULL = libc */
} asff_ocsf_options;

#define ASFF_OCSF_OPTIONS_VERSION 1 /**< the current version of asff_ocsf_options (its version field) */
/** Initializer of asff_ocsf_options: the current version, every other field zero (its default). */
#define ASFF_OCSF_OPTIONS_INIT {ASFF_OCSF_OPTIONS_VERSION, false, NULL}

/** The OCSF class a finding maps to: 2002 Vulnerability, 2003 Compliance or 2004 Detection Finding
 * (docs/convert.md, "Class"). 0 for NULL. */
ASFF_API int asff_ocsf_class_uid(const asff_AwsSecurityFinding *finding);

/** Write the OCSF event of one finding to fn as one JSON object (no newline after it); fn is called
 * once, with the whole object. options may be NULL. ASFF_ERR_IO when fn fails, ASFF_ERR_RANGE for a
 * number JSON cannot hold, ASFF_ERR_NOMEM. */
ASFF_NODISCARD ASFF_API asff_status asff_to_ocsf(const asff_AwsSecurityFinding *finding, const asff_ocsf_options *options,
                                  asff_write_fn fn, void *ctx, asff_error *err);

/* ---- ASFF -> CSV ---------------------------------------------------------------------------- */

/** CSV writer options. Zero in a field means its default. */
typedef struct asff_csv_options {
    unsigned version;                /**< ASFF_CSV_OPTIONS_VERSION */
    const char *columns;             /**< comma-separated member paths ("Id,Severity.Label,Resources[].Id");
                                        NULL = ASFF_CSV_DEFAULT_COLUMNS */
    const char *join;                /**< between the values of one cell (lists, several resources): "; " */
    bool no_header;                  /**< leave out the header line */
    const asff_allocator *allocator; /**< NULL = libc */
} asff_csv_options;

#define ASFF_CSV_OPTIONS_VERSION 1 /**< the current version of asff_csv_options (its version field) */
/** Initializer of asff_csv_options: the current version, every other field zero (its default). */
#define ASFF_CSV_OPTIONS_INIT {ASFF_CSV_OPTIONS_VERSION, NULL, NULL, false, NULL}
/** The columns of a CSV writer when asff_csv_options.columns is NULL. */
#define ASFF_CSV_DEFAULT_COLUMNS                                                                    \
    "Id,AwsAccountId,Region,ProductName,GeneratorId,Severity.Label,Title,Types,Resources[].Type,"  \
    "Resources[].Id,Compliance.Status,Workflow.Status,RecordState,FirstObservedAt,LastObservedAt," \
    "CreatedAt,UpdatedAt"

/** Opaque handle; made, used and freed by the asff_csv_writer_ functions below. */
typedef struct asff_csv_writer asff_csv_writer;

/** A CSV writer to fn. Columns are checked against the model: an unknown member is
 * ASFF_ERR_NOT_FOUND (message names the column), a malformed list ASFF_ERR_INVALID_ARG. */
ASFF_NODISCARD ASFF_API asff_status asff_csv_writer_new(const asff_csv_options *options, asff_write_fn fn, void *ctx,
                                         asff_csv_writer **out, asff_error *err);
/** One row per finding (the header first, unless no_header). Lines end with CRLF. */
ASFF_NODISCARD ASFF_API asff_status asff_csv_writer_write(asff_csv_writer *w, const asff_AwsSecurityFinding *finding,
                                           asff_error *err);
/** Writes the header when no row was written (so an empty input still gives a header). */
ASFF_NODISCARD ASFF_API asff_status asff_csv_writer_finish(asff_csv_writer *w, asff_error *err);
/** NULL is allowed. */
ASFF_API void asff_csv_writer_free(asff_csv_writer *w);

/* ---- SARIF -> ASFF -------------------------------------------------------------------------- */

/** Options of a SARIF reader. product_arn and account_id are required; zero in another field means its default. */
typedef struct asff_sarif_options {
    unsigned version;                /**< ASFF_SARIF_OPTIONS_VERSION */
    const char *product_arn;         /**< ProductArn of every finding (required) */
    const char *account_id;          /**< AwsAccountId (required, 12 digits) */
    const char *region;              /**< Region and Resources[].Region; NULL = the region of product_arn */
    const char *timestamp;           /**< CreatedAt/UpdatedAt; NULL = the run's invocation end time, else
                                        the current time */
    size_t max_depth;                /**< JSON nesting depth, default 64 */
    size_t max_result;               /**< input bytes of one result, default 4 MiB */
    size_t max_tool;                 /**< input bytes of one run's tool object (rules), and of the results
                                        a run lists before its tool (kept until it comes), default 64 MiB */
    size_t max_string;               /**< bytes of one string, default 1 MiB */
    const asff_allocator *allocator; /**< NULL = libc */
} asff_sarif_options;

#define ASFF_SARIF_OPTIONS_VERSION 1 /**< the current version of asff_sarif_options (its version field) */
/** Initializer of asff_sarif_options: the current version, every other field zero (its default). */
#define ASFF_SARIF_OPTIONS_INIT {ASFF_SARIF_OPTIONS_VERSION, NULL, NULL, NULL, NULL, 0, 0, 0, 0, NULL}

/** Opaque handle; made, used and freed by the asff_sarif_reader_ functions below. */
typedef struct asff_sarif_reader asff_sarif_reader;

/** A SARIF reader: on_finding gets one finding per result, as soon as the result's closing brace is
 * read (info->path "/runs/0/results/7", offset, line). The finding lives until the callback returns.
 * ASFF_ERR_INVALID_ARG when product_arn is not a product ARN or account_id not 12 digits. */
ASFF_NODISCARD ASFF_API asff_status asff_sarif_reader_new(const asff_sarif_options *options, asff_finding_fn on_finding,
                                           void *ctx, asff_sarif_reader **out, asff_error *err);
/** Push the next len bytes. Errors (syntax, limits, a result that is not an object) are final and
 * carry path, offset, line and column. */
ASFF_NODISCARD ASFF_API asff_status asff_sarif_reader_feed(asff_sarif_reader *r, const void *data, size_t len, asff_error *err);
/** End of input: ASFF_ERR_TRUNCATED inside a value; ASFF_ERR_ENVELOPE when the document has no runs. */
ASFF_NODISCARD ASFF_API asff_status asff_sarif_reader_finish(asff_sarif_reader *r, asff_error *err);
/** Findings delivered so far. */
ASFF_API uint64_t asff_sarif_reader_count(const asff_sarif_reader *r);
/** NULL is allowed. */
ASFF_API void asff_sarif_reader_free(asff_sarif_reader *r);

/* ---- schemas for query engines (docs/scale-out.md) ------------------------------------------ */

/** The query engine a CREATE statement is written for. */
typedef enum asff_dialect {
    ASFF_DIALECT_ATHENA = 1,         /**< Hive DDL with the OpenX JSON SerDe */
    ASFF_DIALECT_SPARK = 2,          /**< Spark SQL, USING json */
    ASFF_DIALECT_TRINO = 3,          /**< Trino's Hive connector, format JSON */
    ASFF_DIALECT_BIGQUERY = 4,       /**< external table over NEWLINE_DELIMITED_JSON (maps as JSON) */
    ASFF_DIALECT_DUCKDB = 5          /**< a view over read_json */
} asff_dialect;

/** Options of asff_schema_ddl. dialect is required; zero in another field means its default. */
typedef struct asff_schema_options {
    unsigned version;                /**< ASFF_SCHEMA_OPTIONS_VERSION */
    asff_dialect dialect;            /**< required */
    const char *table;               /**< default "asff_findings" */
    const char *location;            /**< default s3://BUCKET/PREFIX/ (gs://... for BigQuery, "findings"
                                        for DuckDB): the folder that asff_partition_writer fills */
    const char *partition_by;        /**< default "region/account/yyyy/mm/dd"; "" for none */
    unsigned max_depth;              /**< nesting rendered as types, default 32, at most 64; deeper (and
                                        self-containing shapes) are typed as JSON text */
    const asff_allocator *allocator; /**< NULL = libc */
    bool gzip;                       /**< version 2: the files are gzip-compressed (asff_partition_options
                                        .gzip): DuckDB reads *.ndjson.gz, BigQuery is told GZIP; Athena,
                                        Spark and Trino know .gz files by their name */
} asff_schema_options;

#define ASFF_SCHEMA_OPTIONS_VERSION 2 /**< the current version of asff_schema_options (its version field) */
/** Initializer of asff_schema_options: the current version, every other field zero (its default). */
#define ASFF_SCHEMA_OPTIONS_INIT {ASFF_SCHEMA_OPTIONS_VERSION, (asff_dialect)0, NULL, NULL, NULL, 0, NULL, false}

/** The CREATE statement of a table of AwsSecurityFinding over NDJSON for options->dialect, written to
 * fn in one call: every member with its full type, timestamps as text (noted), partition columns. */
ASFF_NODISCARD ASFF_API asff_status asff_schema_ddl(const asff_schema_options *options, asff_write_fn fn, void *ctx,
                                     asff_error *err);

/* ---- Hive-style partitioned NDJSON (docs/scale-out.md) ---------------------------------------- */

/** Options of a partition writer. Zero in a field means its default. */
typedef struct asff_partition_options {
    unsigned version;                /**< ASFF_PARTITION_OPTIONS_VERSION */
    const char *partition_by;        /**< '/'-separated from region, account, yyyy, mm, dd, hh, product;
                                        default "region/account/yyyy/mm/dd" (dates: UpdatedAt in UTC) */
    const char *file_name;           /**< in each folder, default "part-00000.ndjson" */
    size_t max_open;                 /**< files open at once, default 64 (least recently used closed) */
    const asff_allocator *allocator; /**< NULL = libc */
    bool gzip;                       /**< version 2: gzip-compressed files (zlib, level 6), default name
                                        "part-00000.ndjson.gz"; a file reopened after it was closed gets
                                        another gzip member, which gzip readers join (RFC 1952) */
} asff_partition_options;

#define ASFF_PARTITION_OPTIONS_VERSION 2 /**< the current version of asff_partition_options (its version field) */
/** Initializer of asff_partition_options: the current version, every other field zero (its default). */
#define ASFF_PARTITION_OPTIONS_INIT {ASFF_PARTITION_OPTIONS_VERSION, NULL, NULL, 0, NULL, false}

/** Opaque handle; made, used and freed by the asff_partition_writer_ functions below. */
typedef struct asff_partition_writer asff_partition_writer;

/** Findings into dir/region=R/account=A/yyyy=Y/mm=M/dd=D/part-00000.ndjson (folders created; values
 * escaped as Hive does, %XX outside [A-Za-z0-9_.-]). A folder's file is truncated when this writer
 * first writes to it. */
ASFF_NODISCARD ASFF_API asff_status asff_partition_writer_new(const char *dir, const asff_partition_options *options,
                                               asff_partition_writer **out, asff_error *err);
/** Write one finding as one line of the file of its partition. */
ASFF_NODISCARD ASFF_API asff_status asff_partition_writer_write(asff_partition_writer *w, const asff_AwsSecurityFinding *finding,
                                                 asff_error *err);
/** Close every file (ASFF_ERR_IO when one fails). */
ASFF_NODISCARD ASFF_API asff_status asff_partition_writer_finish(asff_partition_writer *w, asff_error *err);
/** Partition folders written so far. */
ASFF_API uint64_t asff_partition_writer_count(const asff_partition_writer *w);
/** NULL is allowed; closes files still open. */
ASFF_API void asff_partition_writer_free(asff_partition_writer *w);

#ifdef __cplusplus
}
#endif
#endif /* ASFF_CONVERT_H */
