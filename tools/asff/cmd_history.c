/* asff history ID: the history of one finding (GetFindingHistory), one JSON line per record. */
#include "ops_cli.h"

ASFF_CMD_PROTOTYPE(history);

const char asff_cmd_history_summary[] = "show the history of a finding (GetFindingHistory)";

static void usage(FILE *out)
{
    fprintf(out, "usage: asff history FINDING_ID [--product-arn ARN] [--start TIME] [--end TIME]\n"
                 "Prints the finding's history records (GetFindingHistory, all pages), one JSON line each.\n"
                 "Without --product-arn, the finding is looked up with GetFindings to learn its ProductArn.\n\n"
                 "options:\n"
                 "  --product-arn ARN   the finding's ProductArn\n"
                 "  --start TIME        ISO 8601 (2024-05-01T00:00:00Z)\n"
                 "  --end TIME          ISO 8601\n" CLI_AWS_HELP);
}

typedef struct lookup {
    char arn[2048];
    unsigned found;
} lookup;

static int on_finding(void *ctx, const asff_AwsSecurityFinding *f)
{
    lookup *l = ctx;
    if (f->ProductArn && strlen(f->ProductArn) < sizeof l->arn) {
        strcpy(l->arn, f->ProductArn);
        l->found++;
    }
    return 0;
}

int asff_cmd_history(int argc, char **argv)
{
    cli_aws g;
    const char *id = NULL, *arn = NULL, *start = NULL, *end = NULL;
    lookup l;
    asff_client *c;
    yajl_gen gen;
    int i, rc;
    if (cli_take_aws(&argc, argv, &g) != 0)
        return ASFF_EXIT_USAGE;
    for (i = 1; i < argc; i++) {
        const char **slot = NULL;
        if (cli_is_help(argv[i])) {
            usage(stdout);
            return ASFF_EXIT_OK;
        }
        if (strcmp(argv[i], "--product-arn") == 0)
            slot = &arn;
        else if (strcmp(argv[i], "--start") == 0)
            slot = &start;
        else if (strcmp(argv[i], "--end") == 0)
            slot = &end;
        if (slot) {
            if (!(*slot = ops_value(argc, argv, &i, "history")))
                return ASFF_EXIT_USAGE;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "asff history: unknown option %s\n", argv[i]);
            return ASFF_EXIT_USAGE;
        } else if (!id) {
            id = argv[i];
        } else {
            fprintf(stderr, "asff history: one FINDING_ID only (%s is extra)\n", argv[i]);
            return ASFF_EXIT_USAGE;
        }
    }
    if (!id) {
        fprintf(stderr, "asff history: which finding? (FINDING_ID)\n");
        usage(stderr);
        return ASFF_EXIT_USAGE;
    }
    c = cli_make_client(&g, NULL);
    if (!c)
        return ASFF_EXIT_IO;
    gen = yajl_gen_alloc(cli_yajl_funcs());
    if (!arn) {
        asff_get_findings_options go = ASFF_GET_FINDINGS_OPTIONS_INIT;
        asff_error e;
        yajl_gen_map_open(gen);
        cli_gen_str(gen, "Id");
        yajl_gen_array_open(gen);
        yajl_gen_map_open(gen);
        cli_gen_kv(gen, "Value", id);
        cli_gen_kv(gen, "Comparison", "EQUALS");
        yajl_gen_map_close(gen);
        yajl_gen_array_close(gen);
        yajl_gen_map_close(gen);
        go.filters_json = cli_gen_text(gen);
        go.max_findings = 2;
        memset(&l, 0, sizeof l);
        if (asff_client_get_findings(c, &go, on_finding, &l, NULL, &e) != ASFF_OK) {
            cli_client_error("history: GetFindings", &e);
            rc = ASFF_EXIT_IO;
            goto done;
        }
        if (l.found != 1) {
            fprintf(stderr, "asff history: %s: %s; give --product-arn\n", id,
                    l.found ? "several findings have this Id" : "no finding has this Id");
            rc = ASFF_EXIT_USAGE;
            goto done;
        }
        arn = l.arn;
        yajl_gen_clear(gen);
        yajl_gen_reset(gen, NULL);
    }
    yajl_gen_map_open(gen);
    cli_gen_str(gen, "FindingIdentifier");
    yajl_gen_map_open(gen);
    cli_gen_kv(gen, "Id", id);
    cli_gen_kv(gen, "ProductArn", arn);
    yajl_gen_map_close(gen);
    if (start)
        cli_gen_kv(gen, "StartTime", start);
    if (end)
        cli_gen_kv(gen, "EndTime", end);
    yajl_gen_map_close(gen);
    rc = ops_paginate_print(c, "GetFindingHistory", cli_gen_text(gen), true);
done:
    yajl_gen_free(gen);
    asff_client_free(c);
    return rc;
}
