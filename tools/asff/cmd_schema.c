/* asff schema: CREATE TABLE for Athena, Spark, Trino, BigQuery or DuckDB (docs/scale-out.md). */
#include <string.h>
#include "cli.h"

ASFF_CMD_PROTOTYPE(schema);

const char asff_cmd_schema_summary[] = "CREATE TABLE of the whole finding for Athena, Spark, Trino, BigQuery, DuckDB";

static void help(FILE *out)
{
    fprintf(out,
            "usage: asff schema --dialect athena|spark|trino|bigquery|duckdb [--table NAME]\n"
            "                   [--location URI] [--partition-by 'region/account/yyyy/mm/dd'|''] [--gzip]\n\n"
            "Prints the CREATE statement of a table over NDJSON findings, with every member of\n"
            "AwsSecurityFinding typed as the model says (structs, arrays, maps; timestamps as text), and\n"
            "the partition columns that asff fmt/export --partition-by write (--gzip: their --gzip files).\n\n"
            "exit codes: 0 ok; 2 usage; 3 I/O or internal error\n");
}

static int out_stdout(void *ctx, const char *data, size_t len)
{
    (void)ctx;
    return fwrite(data, 1, len, stdout) == len ? 0 : 1;
}

int asff_cmd_schema(int argc, char **argv)
{
    static const char *const names[] = {"athena", "spark", "trino", "bigquery", "duckdb"};
    asff_schema_options o = ASFF_SCHEMA_OPTIONS_INIT;
    asff_error err;
    int i;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (cli_is_help(a)) {
            help(stdout);
            return ASFF_EXIT_OK;
        }
        if (strcmp(a, "--gzip") == 0) {
            o.gzip = true;
            continue;
        }
        if (!v || a[0] != '-') {
            fprintf(stderr, "asff schema: unexpected '%s' (asff schema --help)\n", a);
            return ASFF_EXIT_USAGE;
        }
        i++;
        if (strcmp(a, "--dialect") == 0) {
            unsigned k;
            for (k = 0; k < 5; k++)
                if (strcmp(v, names[k]) == 0)
                    o.dialect = (asff_dialect)(k + 1);
            if (!o.dialect) {
                fprintf(stderr, "asff schema: --dialect takes athena, spark, trino, bigquery or duckdb\n");
                return ASFF_EXIT_USAGE;
            }
        } else if (strcmp(a, "--table") == 0) {
            o.table = v;
        } else if (strcmp(a, "--location") == 0) {
            o.location = v;
        } else if (strcmp(a, "--partition-by") == 0) {
            o.partition_by = v;
        } else {
            fprintf(stderr, "asff schema: unknown option '%s' (asff schema --help)\n", a);
            return ASFF_EXIT_USAGE;
        }
    }
    if (!o.dialect) {
        fprintf(stderr, "asff schema: give --dialect (asff schema --help)\n");
        return ASFF_EXIT_USAGE;
    }
    if (asff_schema_ddl(&o, out_stdout, NULL, &err) != ASFF_OK) {
        cli_print_error("asff schema", &err);
        return err.code == ASFF_ERR_INVALID_ARG ? ASFF_EXIT_USAGE : ASFF_EXIT_IO;
    }
    return ASFF_EXIT_OK;
}
