/* asff normalize: put findings into Security Hub's canonical form (docs/validate.md). */
#include <string.h>
#include "cli.h"

ASFF_CMD_PROTOTYPE(normalize);

const char asff_cmd_normalize_summary[] = "canonical form: severity, UTC timestamps, Types; changes on stderr";

static void help(FILE *out)
{
    fprintf(out,
            "usage: asff normalize [--derive] [--truncate] [--quiet] [--format ndjson|array|batch|pretty]\n"
            "                      [FILE...]\n\n"
            "Writes the findings of FILEs (stdin when none or '-') to stdout in canonical form and lists\n"
            "every change on stderr as FILE: finding N: PATH: OLD -> NEW [RULE]:\n"
            "  - Severity.Label from Normalized, Normalized from Label (SEV-3/SEV-4)\n"
            "  - timestamps in UTC with 'Z' and milliseconds (TS-6, TS-10)\n"
            "  - SchemaVersion 2018-10-08 when absent; repeated Types entries removed\n\n"
            "  --derive     ProductName, CompanyName and Region from the ProductArn when absent\n"
            "  --truncate   cut strings over their limit (at a character boundary), with a warning each\n"
            "  --quiet      do not list the changes\n"
            "  --format     output shape, as for asff fmt (default ndjson)\n\n"
            "exit codes: 0 ok; 1 unreadable findings; 2 usage; 3 I/O or internal error\n");
}

typedef struct nctx {
    const char *file;
    asff_normalize_options no;
    asff_report *report;
    asff_writer *w;
    asff_error err;
    bool quiet, failed;
    unsigned long long changes, findings;
} nctx;

/* A value for the change list: escaped and bounded (docs/cli.md). */
static const char *shown(const char *v, char *buf, size_t size)
{
    return v ? cli_show(buf, size, v) : "(absent)";
}

static int on_finding(void *ctx, void *finding, const asff_finding_info *info)
{
    nctx *c = ctx;
    size_t i;
    asff_report_clear(c->report);
    c->no.index = info->index;
    if (asff_normalize(finding, &c->no, c->report) != ASFF_OK) {
        asff_error_set(&c->err, ASFF_ERR_NOMEM, "out of memory");
        c->failed = true;
        return 1;
    }
    c->findings++;
    c->changes += asff_report_change_count(c->report);
    if (!c->quiet) {
        for (i = 0; i < asff_report_change_count(c->report); i++) {
            const asff_change *ch = asff_report_change(c->report, i);
            char a[84], b[84], f[CLI_SHOW], p[ASFF_ERROR_PATH_SIZE], r[CLI_SHOW];
            fprintf(stderr, "%s: finding %llu: %s: %s -> %s [%s]\n", cli_show(f, sizeof f, c->file),
                    (unsigned long long)ch->finding, cli_show(p, sizeof p, ch->path), shown(ch->old_value, a, sizeof a),
                    shown(ch->new_value, b, sizeof b), cli_show(r, sizeof r, ch->rule));
        }
        for (i = 0; i < asff_report_count(c->report); i++) {
            const asff_violation *v = asff_report_get(c->report, i);
            char f[CLI_SHOW], p[ASFF_ERROR_PATH_SIZE], m[1024], r[CLI_SHOW];
            fprintf(stderr, "%s: finding %llu: %s: %s: %s [%s]\n", cli_show(f, sizeof f, c->file),
                    (unsigned long long)v->finding, cli_show(p, sizeof p, v->path), asff_level_name(v->level),
                    cli_show(m, sizeof m, v->message), cli_show(r, sizeof r, v->rule));
        }
    }
    if (asff_writer_write(c->w, finding, &c->err) != ASFF_OK) {
        c->failed = true;
        return 1;
    }
    return 0;
}

int asff_cmd_normalize(int argc, char **argv)
{
    asff_parse_options po = ASFF_PARSE_OPTIONS_INIT;
    asff_write_options wo = ASFF_WRITE_OPTIONS_INIT;
    nctx c;
    int i, rc = ASFF_EXIT_OK, nfiles;
    char *stdin_name[1] = {"-"};
    char **files;
    memset(&c, 0, sizeof c);
    c.no = (asff_normalize_options)ASFF_NORMALIZE_OPTIONS_INIT;
    for (i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            help(stdout);
            return ASFF_EXIT_OK;
        } else if (strcmp(argv[i], "--derive") == 0) {
            c.no.derive_product = true;
        } else if (strcmp(argv[i], "--truncate") == 0) {
            c.no.truncate = true;
        } else if (strcmp(argv[i], "--quiet") == 0) {
            c.quiet = true;
        } else if (strcmp(argv[i], "--format") == 0 || strncmp(argv[i], "--format=", 9) == 0) {
            const char *v = argv[i][8] == '=' ? argv[i] + 9 : (i + 1 < argc ? argv[++i] : NULL);
            if (!v || !cli_parse_format(v, &wo)) {
                fprintf(stderr, "asff normalize: --format takes ndjson, array, batch or pretty\n");
                return ASFF_EXIT_USAGE;
            }
        } else if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            char b[CLI_SHOW];
            fprintf(stderr, "asff normalize: unknown option '%s' (asff normalize --help)\n", cli_show(b, sizeof b, argv[i]));
            return ASFF_EXIT_USAGE;
        } else {
            break;
        }
    }
    (void)asff_report_new(NULL, &c.report, NULL);
    (void)asff_writer_new_file(stdout, &wo, &c.w, NULL);
    if (!c.report || !c.w) {
        fprintf(stderr, "asff normalize: out of memory\n");
        asff_report_free(c.report);
        asff_writer_free(c.w);
        return ASFF_EXIT_IO;
    }
    po.skip_invalid = true;
    nfiles = argc - i;
    files = nfiles ? argv + i : stdin_name;
    if (!nfiles)
        nfiles = 1;
    for (i = 0; i < nfiles && !c.failed; i++) {
        int frc;
        c.file = strcmp(files[i], "-") == 0 ? "<stdin>" : files[i];
        frc = cli_parse_inputs(1, files + i, &po, on_finding, &c);
        if (frc > rc)
            rc = frc;
        if (frc == ASFF_EXIT_IO)
            break;
    }
    if (c.failed) {
        cli_print_error("<stdout>", &c.err);
        rc = ASFF_EXIT_IO;
    } else if (asff_writer_finish(c.w, &c.err) != ASFF_OK) {
        cli_print_error("<stdout>", &c.err);
        rc = ASFF_EXIT_IO;
    }
    if (!c.quiet)
        fprintf(stderr, "%llu findings, %llu changes\n", c.findings, c.changes);
    asff_writer_free(c.w);
    asff_report_free(c.report);
    return rc;
}
