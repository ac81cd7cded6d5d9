/* asff filter: stream the findings that pass a Security Hub filter, optionally sorted and limited. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cli.h"
#include "explain.h"

ASFF_CMD_PROTOTYPE(filter);

const char asff_cmd_filter_summary[] = "findings that pass AwsSecurityFindingFilters (--filters), sorted/limited";

static void help(FILE *out)
{
    fprintf(out,
            "usage: asff filter [--filters JSON|@FILE] [--sort Field[:asc|desc]]... [--limit N]\n"
            "                   [--format ndjson|array|batch|pretty] [--now TIME] [--local] [--skip-invalid]\n"
            "                   [--prefilter] [--jobs N] [FILE...]\n\n"
            "Writes the findings that pass the filters (the JSON that `aws securityhub get-findings --filters`\n"
            "takes, or a GetFindings request body with \"Filters\") with Security Hub's semantics\n"
            "(docs/filter.md). Without --sort, matches stream out as they are read.\n\n"
            "  --filters JSON|@FILE  AwsSecurityFindingFilters (default {}: every finding)\n"
            "  --sort Field:ORDER    sort by a filter attribute, asc (default) or desc; repeatable\n"
            "  --limit N             at most N findings (with --sort: the first N, in bounded memory)\n"
            "  --format F            ndjson (default), array, batch or pretty\n"
            "  --now TIME            \"now\" for DateRange filters: ISO 8601 or epoch seconds (default: the clock)\n"
            "  --local               lift the service limits (10 attributes, 20 values each)\n"
            "  --skip-invalid        report unreadable findings on stderr and go on\n"
            "  --prefilter           skip NDJSON lines that cannot match (a required value is not in their\n"
            "                        text) without parsing them: faster, but then a broken line is only\n"
            "                        reported when it could have matched (default: every line is parsed)\n"
            "  --jobs N              read and match regular files on N threads (default: one per core;\n"
            "                        1: one thread; not with --prefilter); the output is the same whatever N\n\n"
            "exit codes: 0 ok; 1 invalid input or skipped findings; 2 usage or bad filter; 3 I/O error\n");
}

typedef struct filter_ctx {
    asff_filter *filter;
    asff_writer *w;
    asff_error err;
    bool failed, keep;
    uint64_t limit, written;
    asff_topk *topk;             /* --sort with --limit */
    void **all;                  /* --sort without --limit */
    size_t nall, capall;
    explain why;                 /* which attribute emptied the result, if it comes to that */
    const explain_match *em;     /* --jobs: the match on the reading threads */
} filter_ctx;

/* Projection (docs/filter.md): findings are built whole only when they match, for output. */
static int want_whole(void *ctx, const void *finding)
{
    return asff_filter_match(((filter_ctx *)ctx)->filter, finding);
}

static int on_finding(void *ctx, void *finding, const asff_finding_info *info)
{
    filter_ctx *c = ctx;
    void *worked;
    (void)info;
    /* matched on a reading thread, where a finding that does not pass may not be kept (NULL) */
    if (cli_work_result(&worked) ? !explain_result(&c->why, c->em, worked)
                                 : (explain_add(&c->why, finding), !asff_filter_match(c->filter, finding))) {
        if (c->keep)
            asff_object_free(finding);
        return 0;
    }
    if (c->topk) {
        asff_object_free(asff_topk_push(c->topk, finding));
        return 0;
    }
    if (c->keep) {
        if (c->nall == c->capall) {
            size_t cap = c->capall ? c->capall * 2 : 1024;
            void **p = realloc(c->all, cap * sizeof *p);
            if (!p) {
                asff_object_free(finding);
                asff_error_set(&c->err, ASFF_ERR_NOMEM, "out of memory");
                c->failed = true;
                return 1;
            }
            c->all = p;
            c->capall = cap;
        }
        c->all[c->nall++] = finding;
        return 0;
    }
    if (c->written >= c->limit)
        return 1; /* --limit 0 */
    if (asff_writer_write(c->w, finding, &c->err) != ASFF_OK) {
        c->failed = true;
        return 1;
    }
    return ++c->written >= c->limit; /* stop reading once the limit is reached */
}

int asff_cmd_filter(int argc, char **argv)
{
    asff_parse_options po = ASFF_PARSE_OPTIONS_INIT;
    asff_write_options wo = ASFF_WRITE_OPTIONS_INIT;
    asff_filter_options fo = ASFF_FILTER_OPTIONS_INIT;
    const char *filters = "{}";
    asff_sort *sort = NULL;
    (void)asff_sort_new(NULL, &sort, NULL);
    bool sorted = false, strict = true;
    filter_ctx c;
    explain_match em;
    asff_projection proj = {.want_whole = want_whole};
    char *text;
    size_t len, k;
    int i, rc = ASFF_EXIT_OK, jrc;
    asff_error err = CLI_ERROR_INIT;
    memset(&c, 0, sizeof c);
    c.limit = UINT64_MAX;
    cli_jobs = 0; /* --jobs: one thread per core unless told */
    fo.has_now = true;
    fo.now_seconds = (int64_t)time(NULL);
    if (!sort) {
        fprintf(stderr, "asff filter: out of memory\n");
        return ASFF_EXIT_IO;
    }
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (cli_is_help(a)) {
            help(stdout);
            asff_sort_free(sort);
            return ASFF_EXIT_OK;
        } else if (strcmp(a, "--local") == 0) {
            fo.local = true;
        } else if (strcmp(a, "--skip-invalid") == 0) {
            po.skip_invalid = true;
        } else if (strcmp(a, "--prefilter") == 0) {
            strict = false;
        } else if ((jrc = cli_take_jobs("filter", argc, argv, &i)) >= 0) {
            rc = jrc;
        } else if (strcmp(a, "--") == 0) {
            i++;
            break;
        } else if (a[0] == '-' && a[1] && !v) {
            char b[CLI_SHOW];
            fprintf(stderr, "asff filter: %s needs a value (asff filter --help)\n", cli_show(b, sizeof b, a));
            rc = ASFF_EXIT_USAGE;
        } else if (strcmp(a, "--filters") == 0) {
            filters = argv[++i];
        } else if (strcmp(a, "--sort") == 0) {
            char field[128];
            const char *colon = strchr(v, ':');
            size_t fl = colon ? (size_t)(colon - v) : strlen(v);
            bool desc = colon && strcmp(colon + 1, "desc") == 0;
            i++;
            if (fl >= sizeof field || (colon && !desc && strcmp(colon + 1, "asc") != 0)) {
                fprintf(stderr, "asff filter: --sort takes Field, Field:asc or Field:desc\n");
                rc = ASFF_EXIT_USAGE;
                break;
            }
            memcpy(field, v, fl);
            field[fl] = 0;
            if (asff_sort_add(sort, field, desc, &err) != ASFF_OK) {
                cli_print_error("--sort", &err);
                rc = ASFF_EXIT_USAGE;
                break;
            }
            sorted = true;
        } else if (strcmp(a, "--limit") == 0) {
            char *end;
            unsigned long long n = strtoull(v, &end, 10);
            i++;
            if (*end || end == v || v[0] == '-') {
                fprintf(stderr, "asff filter: --limit takes a number\n");
                rc = ASFF_EXIT_USAGE;
                break;
            }
            c.limit = n;
        } else if (strcmp(a, "--format") == 0) {
            i++;
            if (!cli_parse_format(v, &wo)) {
                fprintf(stderr, "asff filter: --format takes ndjson, array, batch or pretty\n");
                rc = ASFF_EXIT_USAGE;
                break;
            }
        } else if (strcmp(a, "--now") == 0) {
            i++;
            if (!cli_parse_now(v, &fo.now_seconds)) {
                fprintf(stderr, "asff filter: --now takes an ISO 8601 timestamp or epoch seconds (years 1-9999)\n");
                rc = ASFF_EXIT_USAGE;
                break;
            }
        } else if (a[0] == '-' && a[1]) {
            char b[CLI_SHOW];
            fprintf(stderr, "asff filter: unknown option '%s' (asff filter --help)\n", cli_show(b, sizeof b, a));
            rc = ASFF_EXIT_USAGE;
        } else
            break;
        if (rc)
            break;
    }
    if (rc) {
        asff_sort_free(sort);
        return rc;
    }
    text = cli_read_arg(filters, &len);
    if (!text) {
        asff_sort_free(sort);
        return ASFF_EXIT_IO;
    }
    if (asff_filter_compile(text, len, &fo, &c.filter, &err) != ASFF_OK) {
        cli_print_error("--filters", &err);
        free(text);
        asff_sort_free(sort);
        return ASFF_EXIT_USAGE;
    }
    free(text);
    (void)asff_writer_new_file(stdout, &wo, &c.w, NULL);
    explain_match_init(&em, c.filter);
    c.em = &em;
    cli_work.fn = explain_match_work;
    cli_work.ctx = &em;
    cli_work.free = explain_match_free;
    cli_work.sparse = true;
    if (sorted) {
        po.keep = true;
        c.keep = true;
        if (c.limit != UINT64_MAX && asff_topk_new(sort, (size_t)c.limit, NULL, &c.topk, NULL) != ASFF_OK)
            c.failed = true;
    }
    if (!c.w || c.failed) {
        fprintf(stderr, "asff filter: out of memory\n");
        rc = ASFF_EXIT_IO;
    } else {
        proj.ctx = &c;
        if (asff_filter_projection(c.filter, &proj, NULL) == ASFF_OK &&
            (!sorted || asff_sort_projection(sort, &proj, NULL) == ASFF_OK))
            po.projection = &proj;
        if (!explain_init(&c.why, c.filter))
            c.failed = true, asff_error_set(&c.err, ASFF_ERR_NOMEM, "out of memory");
        else
            rc = cli_filter_inputs(argc - i, argv + i, &po, c.filter, strict, on_finding, &c);
        if (!c.failed)
            explain_report(&c.why, "filter");
        if (rc == ASFF_EXIT_IO && !c.failed && c.written >= c.limit)
            rc = ASFF_EXIT_OK; /* stopped at --limit */
        if (sorted) {
            void **v = c.all;
            size_t n = c.nall;
            if (c.topk)
                v = asff_topk_sorted(c.topk, &n);
            else if (!c.failed && asff_sort_findings(sort, v, n) != ASFF_OK)
                c.failed = true, asff_error_set(&c.err, ASFF_ERR_NOMEM, "out of memory");
            for (k = 0; k < n && !c.failed; k++)
                if (asff_writer_write(c.w, v[k], &c.err) != ASFF_OK)
                    c.failed = true;
            for (k = 0; k < n; k++)
                asff_object_free(v[k]);
        }
        if (c.failed) {
            cli_print_error("<stdout>", &c.err);
            rc = ASFF_EXIT_IO;
        } else if (asff_writer_finish(c.w, &c.err) != ASFF_OK) {
            cli_print_error("<stdout>", &c.err);
            rc = ASFF_EXIT_IO;
        }
    }
    asff_writer_free(c.w);
    explain_free(&c.why);
    asff_topk_free(c.topk);
    free(c.all);
    asff_filter_free(c.filter);
    asff_sort_free(sort);
    return rc;
}
