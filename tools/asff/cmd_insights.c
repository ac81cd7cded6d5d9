/* asff insights: the managed-insight catalog compiled into libasff, and the custom insights of a
 * hub (CreateInsight, GetInsights, GetInsightResults, DeleteInsight). */
#include <time.h>
#include "client_cli.h"
#include "narrow.h"

ASFF_CMD_PROTOTYPE(insights);

const char asff_cmd_insights_summary[] = "managed insights catalog; create, list, results, delete a hub's insights";

static void help(FILE *out)
{
    fprintf(out,
            "usage: asff insights list [--format table|json]\n"
            "       asff insights list --hub [AWS options]\n"
            "       asff insights create --name NAME --group-by ATTR --filters JSON|@FILE [AWS options]\n"
            "       asff insights create --name NAME --managed N|NAME [--filters JSON|@FILE] [--group-by ATTR]\n"
            "                            [AWS options]\n"
            "       asff insights results ARN [AWS options]\n"
            "       asff insights delete ARN [AWS options]\n\n"
            "list prints Security Hub's managed insights as libasff knows them: number, group-by attribute,\n"
            "name (table), or number, name, ARN, GroupByAttribute and Filters (json, one object per line).\n"
            "Use one with `asff insight --managed N`, or as the template of a custom insight: create\n"
            "--managed N takes its filters (and its group-by attribute unless --group-by is given);\n"
            "--filters beside it narrows them: the insight matches what both match (docs/filter.md, N1..N7),\n"
            "and nothing is sent when the two leave nothing or cannot be written as one filter set.\n"
            "With --hub, list, create, results and delete work on the hub's insights (GetInsights,\n"
            "CreateInsight, GetInsightResults, DeleteInsight) and print Security Hub's JSON answer.\n\n"
            "AWS options:\n" CLI_AWS_HELP);
}

#define GS(g, s) yajl_gen_string((g), (const unsigned char *)(s), strlen(s))

/* One catalog entry as a compact JSON line; the filters are already JSON and go in verbatim. */
static bool print_json(const asff_managed_insight *m)
{
    yajl_gen g = yajl_gen_alloc(cli_yajl_funcs());
    const unsigned char *buf;
    size_t len;
    if (!g)
        return false;
    yajl_gen_map_open(g);
    GS(g, "Number"), yajl_gen_integer(g, m->number);
    GS(g, "Name"), GS(g, m->name);
    GS(g, "InsightArn"), GS(g, m->arn);
    GS(g, "GroupByAttribute"), GS(g, m->group_by);
    GS(g, "Filters"), yajl_gen_number(g, m->filters, strlen(m->filters)); /* raw JSON text */
    yajl_gen_map_close(g);
    yajl_gen_get_buf(g, &buf, &len);
    fwrite(buf, 1, len, stdout);
    putchar('\n');
    yajl_gen_free(g);
    return true;
}

/* create / results / delete / list --hub: one call to the hub. */
static int hub_command(int argc, char **argv, const cli_aws *g)
{
    const char *name = NULL, *group_by = NULL, *filters = NULL, *managed = NULL, *arn = NULL;
    char *ftext = NULL;
    size_t flen = 0;
    bool hub = false;
    asff_operation op;
    asff_client *c;
    yajl_gen gen;
    int a, rc;
    for (a = 2; a < argc; a++) {
        const char **slot = NULL;
        if (strcmp(argv[a], "--name") == 0)
            slot = &name;
        else if (strcmp(argv[a], "--group-by") == 0)
            slot = &group_by;
        else if (strcmp(argv[a], "--filters") == 0)
            slot = &filters;
        else if (strcmp(argv[a], "--managed") == 0)
            slot = &managed;
        else if (strcmp(argv[a], "--hub") == 0) {
            hub = true;
            continue;
        } else if (argv[a][0] != '-' && !arn) {
            arn = argv[a];
            continue;
        }
        if (!slot || a + 1 >= argc) {
            char b[CLI_SHOW];
            fprintf(stderr, "asff insights: bad argument '%s' (asff insights --help)\n", cli_show(b, sizeof b, argv[a]));
            return ASFF_EXIT_USAGE;
        }
        *slot = argv[++a];
    }
    if (strcmp(argv[1], "create") == 0) {
        const asff_managed_insight *m = managed ? asff_managed_insight_find(managed) : NULL;
        if (managed && !m) {
            char b[CLI_SHOW];
            fprintf(stderr, "asff insights: no managed insight '%s' (asff insights list)\n", cli_show(b, sizeof b, managed));
            return ASFF_EXIT_USAGE;
        }
        if (!name || (!filters && !m) || (!group_by && !m) || arn) {
            fprintf(stderr, "asff insights create: needs --name, and --managed or --group-by with --filters "
                            "(asff insights --help)\n");
            return ASFF_EXIT_USAGE;
        }
        if (filters && m) {
            asff_filter_options fo = ASFF_FILTER_OPTIONS_INIT;
            int nrc;
            fo.has_now = true; /* DateRange entries are checked, not evaluated */
            fo.now_seconds = (int64_t)time(NULL);
            if ((nrc = cli_narrow_managed("insights create", m, filters, &fo, &ftext)) != ASFF_EXIT_OK)
                return nrc;
            flen = strlen(ftext);
        } else if (filters) {
            asff_filter *check = NULL;
            asff_error e = CLI_ERROR_INIT;
            if (!(ftext = cli_read_arg(filters, &flen)))
                return ASFF_EXIT_USAGE;
            /* refuse what Security Hub would refuse, before sending it */
            if (asff_filter_compile(ftext, flen, NULL, &check, &e) != ASFF_OK) {
                cli_print_error("insights create: --filters", &e);
                free(ftext);
                return ASFF_EXIT_USAGE;
            }
            asff_filter_free(check);
        } else {
            flen = strlen(m->filters);
        }
        op = ASFF_OP_CreateInsight;
    } else if (strcmp(argv[1], "results") == 0 && arn && !hub) {
        op = ASFF_OP_GetInsightResults;
    } else if (strcmp(argv[1], "delete") == 0 && arn && !hub) {
        op = ASFF_OP_DeleteInsight;
    } else if (strcmp(argv[1], "list") == 0 && hub && !arn) {
        op = ASFF_OP_GetInsights;
    } else {
        fprintf(stderr, "asff insights: bad arguments (asff insights --help)\n");
        return ASFF_EXIT_USAGE;
    }
    gen = yajl_gen_alloc(cli_yajl_funcs());
    if (!gen) {
        free(ftext);
        return ASFF_EXIT_IO;
    }
    yajl_gen_map_open(gen);
    if (op == ASFF_OP_CreateInsight) {
        const asff_managed_insight *m = managed ? asff_managed_insight_find(managed) : NULL;
        cli_gen_kv(gen, "Name", name);
        cli_gen_str(gen, "Filters");
        yajl_gen_number(gen, ftext ? ftext : m->filters, flen); /* already JSON: inserted verbatim */
        cli_gen_kv(gen, "GroupByAttribute", group_by ? group_by : m->group_by);
    } else if (op != ASFF_OP_GetInsights) {
        cli_gen_kv(gen, "InsightArn", arn);
    }
    yajl_gen_map_close(gen);
    c = cli_make_client(g, NULL);
    rc = c ? cli_invoke_print(c, op, cli_gen_text(gen)) : ASFF_EXIT_IO;
    asff_client_free(c);
    yajl_gen_free(gen);
    free(ftext);
    return rc;
}

int asff_cmd_insights(int argc, char **argv)
{
    bool json = false;
    unsigned i;
    int a;
    cli_aws g;
    if (cli_take_aws(&argc, argv, &g) != 0)
        return ASFF_EXIT_USAGE;
    if (argc < 2 || cli_is_help(argv[1])) {
        help(argc < 2 ? stderr : stdout);
        return argc < 2 ? ASFF_EXIT_USAGE : ASFF_EXIT_OK;
    }
    for (a = 2; a < argc; a++)
        if (strcmp(argv[a], "--hub") == 0)
            return hub_command(argc, argv, &g);
    if (strcmp(argv[1], "create") == 0 || strcmp(argv[1], "results") == 0 || strcmp(argv[1], "delete") == 0)
        return hub_command(argc, argv, &g);
    if (strcmp(argv[1], "list") != 0) {
        char b[CLI_SHOW];
        fprintf(stderr, "asff insights: unknown subcommand '%s' (asff insights --help)\n", cli_show(b, sizeof b, argv[1]));
        return ASFF_EXIT_USAGE;
    }
    for (a = 2; a < argc; a++) {
        if (strcmp(argv[a], "--format") == 0 && a + 1 < argc &&
            (strcmp(argv[a + 1], "json") == 0 || strcmp(argv[a + 1], "table") == 0)) {
            json = strcmp(argv[++a], "json") == 0;
        } else if (cli_is_help(argv[a])) {
            help(stdout);
            return ASFF_EXIT_OK;
        } else {
            char b[CLI_SHOW];
            fprintf(stderr, "asff insights: bad argument '%s' (asff insights --help)\n", cli_show(b, sizeof b, argv[a]));
            return ASFF_EXIT_USAGE;
        }
    }
    if (!json)
        printf("%3s  %-38s  %s\n", "#", "GROUP BY", "NAME");
    for (i = 0; i < asff_managed_insight_count(); i++) {
        const asff_managed_insight *m = asff_managed_insight_get(i);
        if (!json) {
            printf("%3d  %-38s  %s\n", m->number, m->group_by, m->name);
            continue;
        }
        if (!print_json(m)) {
            fprintf(stderr, "asff insights: out of memory\n");
            return ASFF_EXIT_IO;
        }
    }
    return fflush(stdout) == 0 ? ASFF_EXIT_OK : ASFF_EXIT_IO;
}
