/* asff insight: GetInsightResults computed locally, for a custom group-by or a managed insight. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cli.h"
#include "explain.h"
#include "narrow.h"

ASFF_CMD_PROTOTYPE(insight);


const char asff_cmd_insight_summary[] = "count findings by an attribute, as GetInsightResults (or a managed insight)";

static void help(FILE *out)
{
    fprintf(out,
            "usage: asff insight --group-by ATTR [--filters JSON|@FILE] [options] [FILE...]\n"
            "       asff insight --managed N|NAME [options] [FILE...]\n\n"
            "Filters the findings, then counts each distinct value of the group-by attribute once per\n"
            "matching finding (every resource counts for Resource* attributes), highest count first, as\n"
            "Security Hub's GetInsightResults does (docs/filter.md). `asff insights list` lists the\n"
            "32 managed insights.\n\n"
            "  --group-by ATTR       a String or Ip filter attribute (ResourceId, Type, SeverityLabel, ...)\n"
            "  --filters JSON|@FILE  AwsSecurityFindingFilters (with --managed: narrows the template's, both\n"
            "                        must match: rules N1..N7 of docs/filter.md)\n"
            "  --managed N|NAME      a managed insight by number (1-32), name or ARN\n"
            "  --format table|json   a table (default) or the GetInsightResults JSON\n"
            "  --max N               at most N values (default 100, as the service); 0 = all\n"
            "  --now TIME            \"now\" for DateRange filters: ISO 8601 or epoch seconds (default: the clock)\n"
            "  --local               lift the service limits on filters\n"
            "  --skip-invalid        report unreadable findings on stderr and go on\n"
            "  --prefilter           skip NDJSON lines that cannot pass the filters without parsing them\n"
            "                        (faster; a broken line is then not always reported: asff filter --help)\n"
            "  --jobs N              read and match regular files on N threads (default: one per core;\n"
            "                        1: one thread; not with --prefilter); the output is the same whatever N\n\n"
            "exit codes: 0 ok; 1 invalid input or skipped findings; 2 usage or bad filter; 3 I/O error\n");
}

typedef struct ins_ctx {
    asff_insight *ins;
    explain why; /* which attribute emptied the result, if it comes to that */
    const explain_match *em; /* --jobs: the match on the reading threads */
    bool failed;
} ins_ctx;

static int on_finding(void *ctx, void *finding, const asff_finding_info *info)
{
    ins_ctx *c = ctx;
    void *worked;
    (void)info;
    if (cli_work_result(&worked)) {
        if (!explain_result(&c->why, c->em, worked))
            return 0; /* matched on a reading thread: it does not pass (and may come as NULL) */
    } else {
        explain_add(&c->why, finding);
    }
    if (asff_insight_add(c->ins, finding) != ASFF_OK) {
        c->failed = true;
        return 1;
    }
    return 0;
}

int asff_cmd_insight(int argc, char **argv)
{
    asff_parse_options po = ASFF_PARSE_OPTIONS_INIT;
    asff_projection proj = {.want_whole = NULL};
    asff_filter_options fo = ASFF_FILTER_OPTIONS_INIT;
    asff_insight_options io = ASFF_INSIGHT_OPTIONS_INIT;
    const asff_managed_insight *m = NULL;
    const char *group_by = NULL, *filters = NULL, *managed = NULL;
    bool json = false, strict = true;
    asff_filter *flt = NULL;
    ins_ctx c;
    explain_match em;
    asff_error err = CLI_ERROR_INIT;
    char *text;
    size_t len;
    int i, rc = ASFF_EXIT_OK, jrc;
    char *narrowed = NULL;
    memset(&c, 0, sizeof c);
    cli_jobs = 0; /* --jobs: one thread per core unless told */
    fo.has_now = true;
    fo.now_seconds = (int64_t)time(NULL);
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (cli_is_help(a)) {
            help(stdout);
            return ASFF_EXIT_OK;
        } else if (strcmp(a, "--local") == 0) {
            fo.local = true;
            continue;
        } else if (strcmp(a, "--skip-invalid") == 0) {
            po.skip_invalid = true;
            continue;
        } else if (strcmp(a, "--prefilter") == 0) {
            strict = false;
            continue;
        } else if ((jrc = cli_take_jobs("insight", argc, argv, &i)) >= 0) {
            if (jrc)
                return jrc;
            continue;
        } else if (strcmp(a, "--") == 0) {
            i++;
            break;
        } else if (a[0] != '-' || !a[1]) {
            break;
        }
        if (!v) {
            char b[CLI_SHOW];
            fprintf(stderr, "asff insight: %s needs a value (asff insight --help)\n", cli_show(b, sizeof b, a));
            return ASFF_EXIT_USAGE;
        }
        i++;
        if (strcmp(a, "--group-by") == 0)
            group_by = v;
        else if (strcmp(a, "--filters") == 0)
            filters = v;
        else if (strcmp(a, "--managed") == 0)
            managed = v;
        else if (strcmp(a, "--format") == 0 && (strcmp(v, "table") == 0 || strcmp(v, "json") == 0))
            json = strcmp(v, "json") == 0;
        else if (strcmp(a, "--max") == 0 && strspn(v, "0123456789") == strlen(v) && v[0]) {
            unsigned long long n = strtoull(v, NULL, 10);
            io.max_results = n == 0 || n > SIZE_MAX ? SIZE_MAX : (size_t)n;
        } else if (strcmp(a, "--now") == 0) {
            if (!cli_parse_now(v, &fo.now_seconds)) {
                fprintf(stderr, "asff insight: --now takes an ISO 8601 timestamp or epoch seconds (years 1-9999)\n");
                return ASFF_EXIT_USAGE;
            }
        } else {
            char b1[CLI_SHOW], b2[CLI_SHOW];
            fprintf(stderr, "asff insight: bad option or value '%s %s' (asff insight --help)\n",
                    cli_show(b1, sizeof b1, a), cli_show(b2, sizeof b2, v));
            return ASFF_EXIT_USAGE;
        }
    }
    if (managed) {
        m = asff_managed_insight_find(managed);
        if (!m) {
            char b[CLI_SHOW];
            fprintf(stderr, "asff insight: no managed insight '%s' (asff insights list)\n",
                    cli_show(b, sizeof b, managed));
            return ASFF_EXIT_USAGE;
        }
        if (!group_by)
            group_by = m->group_by;
        io.insight_arn = m->arn;
        if (filters) {
            /* --filters narrows the template: what matches both (docs/filter.md, N1..N7) */
            int nrc = cli_narrow_managed("insight", m, filters, &fo, &narrowed);
            if (nrc != ASFF_EXIT_OK)
                return nrc;
            filters = narrowed;
        } else {
            filters = m->filters;
        }
    }
    if (!group_by) {
        fprintf(stderr, "asff insight: --group-by or --managed is required (asff insight --help)\n");
        return ASFF_EXIT_USAGE;
    }
    text = narrowed ? narrowed : cli_read_arg(filters ? filters : "{}", &len);
    if (!text)
        return ASFF_EXIT_IO;
    if (narrowed)
        len = strlen(narrowed);
    if (asff_filter_compile(text, len, &fo, &flt, &err) != ASFF_OK) {
        cli_print_error("filters", &err);
        free(text);
        return ASFF_EXIT_USAGE;
    }
    free(text);
    if (asff_insight_new(flt, group_by, &io, &c.ins, &err) != ASFF_OK) {
        cli_print_error("insight", &err);
        asff_filter_free(flt);
        return err.code == ASFF_ERR_NOMEM ? ASFF_EXIT_IO : ASFF_EXIT_USAGE;
    }
    if (asff_insight_projection(c.ins, &proj, NULL) == ASFF_OK)
        po.projection = &proj; /* build only what the insight reads (docs/filter.md, Projection) */
    explain_match_init(&em, flt);
    c.em = &em;
    cli_work.fn = explain_match_work;
    cli_work.ctx = &em;
    cli_work.free = explain_match_free;
    cli_work.sparse = true;
    if (!explain_init(&c.why, flt))
        c.failed = true;
    else
        rc = cli_filter_inputs(argc - i, argv + i, &po, flt, strict, on_finding, &c);
    if (!c.failed)
        explain_report(&c.why, "insight");
    if (c.failed) {
        fprintf(stderr, "asff insight: out of memory\n");
        rc = ASFF_EXIT_IO;
    } else if (json) {
        char *out;
        if (asff_insight_to_json(c.ins, true, &out, &len, &err) != ASFF_OK) {
            cli_print_error("insight", &err);
            rc = ASFF_EXIT_IO;
        } else {
            fwrite(out, 1, len, stdout);
            asff_free_string(out);
        }
    } else {
        const asff_insight_result *r;
        size_t n, k;
        if (asff_insight_results(c.ins, &r, &n) != ASFF_OK) {
            fprintf(stderr, "asff insight: out of memory\n");
            rc = ASFF_EXIT_IO;
        } else {
            char b[CLI_SHOW * 4];
            if (m)
                printf("# %d. %s\n", m->number, m->name);
            printf("# %llu matching findings, grouped by %s\n%10s  %s\n",
                   (unsigned long long)asff_insight_matched(c.ins), cli_show(b, sizeof b, group_by), "COUNT", "VALUE");
            /* values come from the findings: escaped and bounded, one line each (docs/cli.md) */
            for (k = 0; k < n; k++)
                printf("%10llu  %s\n", (unsigned long long)r[k].count, cli_show(b, sizeof b, r[k].value));
        }
    }
    if (fflush(stdout) != 0 && rc == ASFF_EXIT_OK)
        rc = ASFF_EXIT_IO;
    asff_insight_free(c.ins);
    explain_free(&c.why);
    asff_filter_free(flt);
    return rc;
}
