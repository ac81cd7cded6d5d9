/* asff import: send findings to Security Hub with BatchImportFindings, none lost. */
#include <errno.h>
#include <unistd.h>
#include "client_cli.h"

ASFF_CMD_PROTOTYPE(import);

const char asff_cmd_import_summary[] = "send findings to Security Hub (BatchImportFindings), report failures";

typedef struct import_ctx {
    asff_importer *imp;
    FILE *failed;
    bool progress;
    uint64_t done, imported, failures;
    uint64_t transport;          /* failures of the call itself (network, timeout, HTTP, credentials) */
    uint64_t dry;                /* --dry-run: findings that would have been sent */
    cli_tally tally;
    asff_status fatal;
    asff_error err;
} import_ctx;

static void write_failed(FILE *out, const asff_import_outcome *o)
{
    yajl_gen g = yajl_gen_alloc(cli_yajl_funcs());
    if (!g)
        return;
    yajl_gen_map_open(g);
    cli_gen_kv(g, "Id", o->id);
    cli_gen_kv(g, "ErrorCode", o->error_code);
    cli_gen_kv(g, "ErrorMessage", o->error_message);
    yajl_gen_map_close(g);
    cli_put_json(out, cli_gen_text(g), strlen(cli_gen_text(g))); /* stderr may be a terminal */
    fputc('\n', out);
    yajl_gen_free(g);
}

static int on_outcome(void *ctx, const asff_import_outcome *o)
{
    import_ctx *x = ctx;
    x->done++;
    if (o->error_code && strcmp(o->error_code, "DryRun") == 0)
        x->dry++; /* not a failure: listed by the call lines */
    else if (o->imported)
        x->imported++;
    else {
        static const char *const transport[] = {"NetworkError", "Timeout", "HttpError", "InvalidResponse",
                                                 "Credentials", "Internal"};
        size_t k;
        x->failures++;
        for (k = 0; k < sizeof transport / sizeof *transport; k++)
            if (o->error_code && strcmp(o->error_code, transport[k]) == 0)
                x->transport++;
        write_failed(x->failed, o);
    }
    if (x->progress && x->done % 100 == 0)
        fprintf(stderr, "\rasff import: %llu imported, %llu failed", (unsigned long long)x->imported,
                (unsigned long long)x->failures);
    return 0;
}

static void on_call(void *ctx, const asff_call_info *ci)
{
    import_ctx *x = ctx;
    if (!ci->sent)
        cli_tally_call(&x->tally, ci->operation, ci->region, NULL, ci->findings, ci->bytes);
}

static void on_warning(void *ctx, const char *message)
{
    (void)ctx;
    fprintf(stderr, "asff import: warning: %s\n", message); /* printable and redacted by the library */
}

static int on_finding(void *ctx, void *finding, const asff_finding_info *info)
{
    import_ctx *x = ctx;
    asff_error e;
    asff_status st;
    (void)info;
    /* after a stop (no credentials, ...) reading goes on: every finding read is reported, as failed */
    st = asff_importer_add(x->imp, finding, &e);
    if (st != ASFF_OK && x->fatal == ASFF_OK) {
        x->fatal = st;
        x->err = e;
    }
    return 0;
}

static void usage(FILE *out)
{
    fprintf(out, "usage: asff import [options] [FILE...]\n"
                 "Sends the findings of FILEs (stdin when none or '-'; any envelope) to Security Hub in calls\n"
                 "of at most 100 findings and 6,000,000 bytes. Each finding is checked with Security Hub's\n"
                 "rules first (asff validate): one with errors is not sent (InvalidFinding, with the rule ids\n"
                 "and JSON Pointers). Each finding that fails is written as NDJSON {Id, ErrorCode,\n"
                 "ErrorMessage}. Answers that contradict the batch are warnings on stderr; an answer that\n"
                 "is not a BatchImportFindings response fails its findings (InvalidResponse).\n\n"
                 "options:\n"
                 "  --failed FILE       write failed findings there (default: stderr)\n"
                 "  --resubmit N        send findings that failed with a retryable code up to N times more\n"
                 "  --no-validate       send findings without checking them first\n"
                 "  --no-rate-limit     do not pace calls (10/s, burst 30) on this side\n"
                 "  --quiet             no progress and no summary\n"
                 "  --dry-run           validate and batch, send nothing (no connection): print each call that\n"
                 "                      would be made (operation, region, account, findings, bytes), then\n"
                 "                      \"N calls, M findings, B bytes\"; exit 0 when every finding is valid\n" CLI_AWS_HELP
                 "exit: 0 all imported; 1 some failed or input invalid; 2 usage; 3 I/O, credentials, network\n");
}

int asff_cmd_import(int argc, char **argv)
{
    cli_aws g;
    import_ctx x;
    asff_import_options io = ASFF_IMPORT_OPTIONS_INIT;
    asff_parse_options po = ASFF_PARSE_OPTIONS_INIT;
    asff_client *c;
    asff_import_stats st;
    const char *failed_path = NULL;
    bool quiet = false, no_rate = false;
    int i, nfiles = 0, rc;
    char **files;
    if (cli_take_aws(&argc, argv, &g) != 0)
        return ASFF_EXIT_USAGE;
    files = calloc((size_t)argc + 1, sizeof *files);
    if (!files)
        return ASFF_EXIT_IO;
    for (i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            usage(stdout);
            free(files);
            return ASFF_EXIT_OK;
        } else if (strcmp(argv[i], "--failed") == 0 && i + 1 < argc)
            failed_path = argv[++i];
        else if (strcmp(argv[i], "--resubmit") == 0 && i + 1 < argc) {
            const char *v = argv[++i];
            char *end;
            unsigned long n;
            errno = 0;
            n = strtoul(v, &end, 10);
            if (errno || end == v || *end || v[0] == '-' || n > 100) {
                char b[CLI_SHOW];
                fprintf(stderr, "asff import: --resubmit takes a number 0..100, not '%s'\n", cli_show(b, sizeof b, v));
                free(files);
                return ASFF_EXIT_USAGE;
            }
            io.resubmit = (unsigned)n;
        } else if (strcmp(argv[i], "--quiet") == 0)
            quiet = true;
        else if (strcmp(argv[i], "--no-validate") == 0)
            io.no_validate = true;
        else if (strcmp(argv[i], "--dry-run") == 0)
            io.dry_run = true;
        else if (strcmp(argv[i], "--no-rate-limit") == 0)
            no_rate = true;
        else if (argv[i][0] == '-' && argv[i][1]) {
            char b[CLI_SHOW];
            fprintf(stderr, "asff import: %s '%s' (asff import --help)\n",
                    strcmp(argv[i], "--failed") == 0 || strcmp(argv[i], "--resubmit") == 0 ? "missing value for"
                                                                                          : "unknown option",
                    cli_show(b, sizeof b, argv[i]));
            free(files);
            return ASFF_EXIT_USAGE;
        } else
            files[nfiles++] = argv[i];
    }
    if (failed_path && cli_same_file(failed_path, nfiles, files)) {
        char b[CLI_SHOW];
        fprintf(stderr, "asff import: --failed %s is also an input: refused before reading or writing anything\n",
                cli_show(b, sizeof b, failed_path));
        free(files);
        return ASFF_EXIT_USAGE;
    }
    memset(&x, 0, sizeof x);
    x.failed = stderr;
    if (failed_path && !(x.failed = fopen(failed_path, "w"))) {
        char b[CLI_SHOW];
        fprintf(stderr, "asff import: --failed %s: %s\n", cli_show(b, sizeof b, failed_path), strerror(errno));
        free(files);
        return ASFF_EXIT_IO;
    }
    x.progress = !quiet && isatty(2);
    io.on_warning = on_warning;
    io.on_call = on_call;
    c = cli_make_client(&g, NULL);
    if (!c) {
        free(files);
        return ASFF_EXIT_IO;
    }
    if (no_rate)
        (void)asff_client_set_rate(c, ASFF_OP_BatchImportFindings, 0, 0); /* else the default rate stays */
    if (asff_importer_new(c, &io, on_outcome, &x, &x.imp, &x.err) != ASFF_OK) {
        cli_client_error("import", &x.err);
        asff_client_free(c);
        free(files);
        return ASFF_EXIT_IO;
    }
    rc = cli_parse_inputs(nfiles, files, &po, on_finding, &x);
    {
        asff_error e;
        asff_status fst = asff_importer_flush(x.imp, &e);
        if (fst != ASFF_OK && x.fatal == ASFF_OK) {
            x.fatal = fst;
            x.err = e;
        }
    }
    asff_importer_get_stats(x.imp, &st);
    asff_importer_free(x.imp);
    if (x.progress)
        fprintf(stderr, "\r");
    if (io.dry_run)
        cli_tally_print(&x.tally);
    if (!quiet && io.dry_run) {
        fprintf(stderr, "asff import: dry run: %llu findings, %llu would be sent, %llu not (invalid or too large)\n",
                (unsigned long long)st.added, (unsigned long long)x.dry, (unsigned long long)(st.failed - x.dry));
    } else if (!quiet) {
        fprintf(stderr, "asff import: %llu findings: %llu imported, %llu failed, in %llu calls\n",
                (unsigned long long)st.added, (unsigned long long)st.imported, (unsigned long long)st.failed,
                (unsigned long long)st.calls);
        if (st.invalid)
            fprintf(stderr, "asff import: %llu findings not sent: invalid (asff validate)\n",
                    (unsigned long long)st.invalid);
        if (st.invalid_responses || st.unknown_ids || st.duplicate_ids || st.count_mismatches)
            fprintf(stderr,
                    "asff import: the service's answers: %llu unreadable, %llu unknown Ids, %llu duplicate Ids, "
                    "%llu with wrong counts\n",
                    (unsigned long long)st.invalid_responses, (unsigned long long)st.unknown_ids,
                    (unsigned long long)st.duplicate_ids, (unsigned long long)st.count_mismatches);
    }
    if (x.fatal != ASFF_OK) {
        cli_client_error("import", &x.err);
        rc = ASFF_EXIT_IO;
    } else if (x.transport) {
        rc = ASFF_EXIT_IO; /* the network, not the findings: exit 3 as the help says */
    } else if (st.failed > x.dry && rc == ASFF_EXIT_OK)
        rc = ASFF_EXIT_FINDINGS;
    if (x.failed != stderr) {
        bool bad = ferror(x.failed) != 0;
        if (fclose(x.failed) != 0 || bad) {
            char b[CLI_SHOW];
            fprintf(stderr, "asff import: --failed %s: write error: %s\n", cli_show(b, sizeof b, failed_path),
                    strerror(errno));
            rc = ASFF_EXIT_IO;
        }
    }
    asff_client_free(c);
    free(files);
    return rc;
}
