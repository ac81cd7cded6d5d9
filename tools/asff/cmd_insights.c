/* asff insights list: the managed-insight catalog compiled into libasff. */
#include <string.h>
#include <yajl/yajl_gen.h>
#include "cli.h"

ASFF_CMD_PROTOTYPE(insights);

const char asff_cmd_insights_summary[] = "list the 32 managed insights (templates for asff insight --managed)";

static void help(FILE *out)
{
    fprintf(out,
            "usage: asff insights list [--format table|json]\n\n"
            "Prints Security Hub's managed insights as libasff knows them: number, group-by attribute,\n"
            "name (table), or number, name, ARN, GroupByAttribute and Filters (json, one object per line).\n"
            "Use one with `asff insight --managed N`, or copy its filters as a template for a custom one.\n");
}

#define GS(g, s) yajl_gen_string((g), (const unsigned char *)(s), strlen(s))

/* One catalog entry as a compact JSON line; the filters are already JSON and go in verbatim. */
static bool print_json(const asff_managed_insight *m)
{
    yajl_gen g = yajl_gen_alloc(NULL);
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

int asff_cmd_insights(int argc, char **argv)
{
    bool json = false;
    unsigned i;
    int a;
    if (argc < 2 || cli_is_help(argv[1])) {
        help(argc < 2 ? stderr : stdout);
        return argc < 2 ? ASFF_EXIT_USAGE : ASFF_EXIT_OK;
    }
    if (strcmp(argv[1], "list") != 0) {
        fprintf(stderr, "asff insights: unknown subcommand '%s' (asff insights --help)\n", argv[1]);
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
            fprintf(stderr, "asff insights: bad argument '%s' (asff insights --help)\n", argv[a]);
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
