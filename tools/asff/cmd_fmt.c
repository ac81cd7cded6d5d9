/* asff fmt: re-emit findings from any envelope as NDJSON, an array, a batch or pretty JSON. */
#include <string.h>
#include "cli.h"

ASFF_CMD_PROTOTYPE(fmt);

const char asff_cmd_fmt_summary[] = "re-emit findings (NDJSON by default, or array, batch, pretty)";

static void help(FILE *out)
{
    fprintf(out,
            "usage: asff fmt [--format ndjson|array|batch|pretty] [--skip-invalid] [FILE...]\n\n"
            "Reads findings from FILEs (stdin when none or '-') in any envelope (one finding, an array,\n"
            "{\"Findings\": [...]}, EventBridge events, NDJSON) and writes them to stdout, one at a time.\n\n"
            "  --format ndjson   one compact finding per line (default)\n"
            "  --format array    a compact JSON array\n"
            "  --format batch    {\"Findings\": [...]}, the BatchImportFindings body\n"
            "  --format pretty   an indented JSON array\n"
            "  --skip-invalid    report a finding that does not match the model (or a broken NDJSON\n"
            "                    line) on stderr and go on with the next one\n\n"
            "exit codes: 0 ok; 1 invalid input or skipped findings; 2 usage; 3 I/O or internal error\n");
}

typedef struct fmt_ctx {
    asff_writer *w;
    asff_error err;
    bool failed;
} fmt_ctx;

static int write_one(void *ctx, void *finding, const asff_finding_info *info)
{
    fmt_ctx *c = ctx;
    (void)info;
    if (asff_writer_write(c->w, finding, &c->err) != ASFF_OK) {
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
    int i, rc;
    for (i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            help(stdout);
            return ASFF_EXIT_OK;
        } else if (strcmp(argv[i], "--format") == 0 || strncmp(argv[i], "--format=", 9) == 0) {
            const char *v = argv[i][8] == '=' ? argv[i] + 9 : (i + 1 < argc ? argv[++i] : NULL);
            if (!v || !cli_parse_format(v, &wo)) {
                fprintf(stderr, "asff fmt: --format takes ndjson, array, batch or pretty\n");
                return ASFF_EXIT_USAGE;
            }
        } else if (strcmp(argv[i], "--skip-invalid") == 0) {
            po.skip_invalid = true;
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
    c.w = asff_writer_new_file(stdout, &wo);
    if (!c.w) {
        fprintf(stderr, "asff fmt: out of memory\n");
        return ASFF_EXIT_IO;
    }
    rc = cli_parse_inputs(argc - i, argv + i, &po, write_one, &c);
    if (c.failed) {
        cli_print_error("<stdout>", &c.err);
        rc = ASFF_EXIT_IO;
    } else if (asff_writer_finish(c.w, &c.err) != ASFF_OK) {
        cli_print_error("<stdout>", &c.err);
        rc = ASFF_EXIT_IO;
    }
    asff_writer_free(c.w);
    return rc;
}
