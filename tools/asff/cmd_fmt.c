/* asff fmt: re-emit findings from any envelope as NDJSON, an array, a batch or pretty JSON. */
#include <string.h>
#include "cli.h"

ASFF_CMD_PROTOTYPE(fmt);

static int cli_write_stdout(void *ctx, const char *data, size_t len)
{
    (void)ctx;
    return fwrite(data, 1, len, stdout) == len ? 0 : 1;
}

const char asff_cmd_fmt_summary[] = "re-emit findings (NDJSON by default, or array, batch, pretty)";

static void help(FILE *out)
{
    fprintf(out,
            "usage: asff fmt [--format ndjson|array|batch|pretty|csv] [--columns LIST] [--skip-invalid]\n"
            "               [--jobs N] [FILE...]\n\n"
            "Reads findings from FILEs (stdin when none or '-') in any envelope (one finding, an array,\n"
            "{\"Findings\": [...]}, EventBridge events, NDJSON) and writes them to stdout, one at a time.\n\n"
            "  --format ndjson   one compact finding per line (default)\n"
            "  --format array    a compact JSON array\n"
            "  --format batch    {\"Findings\": [...]}, the BatchImportFindings body\n"
            "  --format pretty   an indented JSON array\n"
            "  --format csv      RFC 4180 CSV with a header (docs/convert.md); --columns Id,Severity.Label,\n"
            "                    Resources[].Id,... picks the member paths (list values joined with \"; \")\n"
            "  --partition-by 'region/account/yyyy/mm/dd' -o DIR\n"
            "                    Hive-style partitioned NDJSON under DIR (docs/scale-out.md)\n"
            "  --gzip            with --partition-by: gzip-compressed files (part-00000.ndjson.gz)\n"
            "  --skip-invalid    report a finding that does not match the model (or a broken NDJSON\n"
            "                    line) on stderr and go on with the next one\n"
            "  --jobs N          read regular files on N threads (default: one per core; 1: one\n"
            "                    thread); the output is the same whatever N\n\n"
            "exit codes: 0 ok; 1 invalid input or skipped findings; 2 usage; 3 I/O or internal error\n");
}

typedef struct fmt_ctx {
    asff_writer *w;
    asff_csv_writer *csv;
    asff_partition_writer *part;
    asff_error err;
    bool failed;
} fmt_ctx;

static int write_one(void *ctx, void *finding, const asff_finding_info *info)
{
    fmt_ctx *c = ctx;
    (void)info;
    if (c->part ? asff_partition_writer_write(c->part, finding, &c->err) != ASFF_OK
        : c->csv ? asff_csv_writer_write(c->csv, finding, &c->err) != ASFF_OK
                 : asff_writer_write(c->w, finding, &c->err) != ASFF_OK) {
        c->failed = true;
        return 1;
    }
    return 0;
}

int asff_cmd_fmt(int argc, char **argv)
{
    asff_parse_options po = ASFF_PARSE_OPTIONS_INIT;
    asff_write_options wo = ASFF_WRITE_OPTIONS_INIT;
    fmt_ctx c;
    asff_csv_options co = ASFF_CSV_OPTIONS_INIT;
    asff_partition_options pa = ASFF_PARTITION_OPTIONS_INIT;
    const char *out_dir = NULL;
    bool csv = false;
    int i, rc, jrc;
    cli_jobs = 0; /* --jobs: one thread per core unless told */
    for (i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            help(stdout);
            return ASFF_EXIT_OK;
        } else if (strcmp(argv[i], "--format") == 0 || strncmp(argv[i], "--format=", 9) == 0) {
            const char *v = argv[i][8] == '=' ? argv[i] + 9 : (i + 1 < argc ? argv[++i] : NULL);
            csv = v && strcmp(v, "csv") == 0;
            if (!v || (!csv && !cli_parse_format(v, &wo))) {
                fprintf(stderr, "asff fmt: --format takes ndjson, array, batch, pretty or csv\n");
                return ASFF_EXIT_USAGE;
            }
        } else if (strcmp(argv[i], "--partition-by") == 0 && i + 1 < argc) {
            pa.partition_by = argv[++i];
        } else if (strcmp(argv[i], "--gzip") == 0) {
            pa.gzip = true;
        } else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
            out_dir = argv[++i];
        } else if (strcmp(argv[i], "--columns") == 0 && i + 1 < argc) {
            co.columns = argv[++i];
        } else if (strcmp(argv[i], "--skip-invalid") == 0) {
            po.skip_invalid = true;
        } else if ((jrc = cli_take_jobs("fmt", argc, argv, &i)) >= 0) {
            if (jrc)
                return jrc;
        } else if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            char b[CLI_SHOW];
            fprintf(stderr, "asff fmt: unknown option '%s' (asff fmt --help)\n", cli_show(b, sizeof b, argv[i]));
            return ASFF_EXIT_USAGE;
        } else {
            break;
        }
    }
    memset(&c, 0, sizeof c);
    if (csv && asff_csv_writer_new(&co, cli_write_stdout, NULL, &c.csv, &c.err) != ASFF_OK) {
        cli_print_error("--columns", &c.err);
        return c.err.code == ASFF_ERR_NOMEM ? ASFF_EXIT_IO : ASFF_EXIT_USAGE;
    }
    if ((pa.partition_by != NULL) != (out_dir != NULL) || (pa.gzip && !out_dir)) {
        fprintf(stderr, "asff fmt: --partition-by and -o DIR go together (--gzip with them)\n");
        asff_csv_writer_free(c.csv);
        return ASFF_EXIT_USAGE;
    }
    if (out_dir && asff_partition_writer_new(out_dir, &pa, &c.part, &c.err) != ASFF_OK) {
        cli_print_error(out_dir, &c.err);
        asff_csv_writer_free(c.csv);
        return ASFF_EXIT_USAGE;
    }
    (void)asff_writer_new_file(stdout, &wo, &c.w, NULL);
    if (!c.w) {
        fprintf(stderr, "asff fmt: out of memory\n");
        return ASFF_EXIT_IO;
    }
    rc = cli_parse_inputs(argc - i, argv + i, &po, write_one, &c);
    if (c.failed) {
        cli_print_error("<stdout>", &c.err);
        rc = ASFF_EXIT_IO;
    } else if (c.part ? asff_partition_writer_finish(c.part, &c.err) != ASFF_OK
               : c.csv ? asff_csv_writer_finish(c.csv, &c.err) != ASFF_OK
                       : asff_writer_finish(c.w, &c.err) != ASFF_OK) {
        cli_print_error("<stdout>", &c.err);
        rc = ASFF_EXIT_IO;
    }
    asff_writer_free(c.w);
    asff_csv_writer_free(c.csv);
    asff_partition_writer_free(c.part);
    return rc;
}
