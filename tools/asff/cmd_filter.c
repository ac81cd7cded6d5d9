/* asff filter: stream the findings that pass a Security Hub filter, optionally sorted and limited. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cli.h"

ASFF_CMD_PROTOTYPE(filter);

const char asff_cmd_filter_summary[] = "findings that pass AwsSecurityFindingFilters (--filters), sorted/limited";

static void help(FILE *out)
{
    fprintf(out,
            "usage: asff filter [--filters JSON|@FILE] [--sort Field[:asc|desc]]... [--limit N]\n"
            "                   [--format ndjson|array|batch|pretty] [--now TIME] [--local] [--skip-invalid]\n"
            "                   [--strict] [FILE...]\n\n"
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
            "  --strict              parse every NDJSON line; by default a line that cannot match (a\n"
            "                        required value is not in its text) is skipped unparsed, so a broken\n"
            "                        line is only reported when it could have matched\n\n"
            "exit codes: 0 ok; 1 invalid input or skipped findings; 2 usage or bad filter; 3 I/O error\n");
}

/* The value of an option: JSON text, or the contents of FILE for @FILE (malloc'd). */
static char *read_arg(const char *v, size_t *len)
{
    FILE *f;
    char *buf = NULL;
    size_t n = 0, cap = 0, got;
    if (v[0] != '@') {
        *len = strlen(v);
        buf = malloc(*len + 1);
        if (buf)
            memcpy(buf, v, *len + 1);
        return buf;
    }
    f = fopen(v + 1, "rb");
    if (!f) {
        fprintf(stderr, "asff: %s: %s\n", v + 1, strerror(errno));
        return NULL;
    }
    do {
        if (n + 4096 > cap) {
            char *p = realloc(buf, cap = cap ? cap * 2 : 65536);
            if (!p) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = p;
        }
        got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
    } while (got > 0);
    fclose(f);
    buf[n] = 0;
    *len = n;
    return buf;
}

static bool parse_now(const char *v, int64_t *out)
{
    int64_t ms;
    char *end;
    long long s;
    if (asff_timestamp_to_ms(v, strlen(v), &ms) == ASFF_OK) {
        *out = ms >= 0 ? ms / 1000 : -((999 - ms) / 1000); /* floor to whole seconds */
        return true;
    }
    errno = 0;
    s = strtoll(v, &end, 10);
    if (errno || end == v || *end)
        return false;
    *out = s;
    return true;
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
} filter_ctx;

static int on_finding(void *ctx, void *finding, const asff_finding_info *info)
{
    filter_ctx *c = ctx;
    (void)info;
    if (!asff_filter_match(c->filter, finding)) {
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

/* An input stream read through the NDJSON prefilter, relaying findings to fn(ctx, ...). */
typedef struct prefilter_src {
    const asff_filter *filter;
    asff_finding_fn fn;
    void *ctx;
    const char *name;            /* current input, for error messages */
    unsigned long skipped;
} prefilter_src;

static int relay_finding(void *ctx, void *finding, const asff_finding_info *info)
{
    prefilter_src *s = ctx;
    return s->fn(s->ctx, finding, info);
}

static int relay_skip(void *ctx, const asff_error *err, const asff_finding_info *info)
{
    prefilter_src *s = ctx;
    (void)info;
    cli_print_error(s->name, err);
    s->skipped++;
    return 0;
}

/* Feed n newlines: skipped NDJSON lines keep the parser's line numbers right. */
static asff_status feed_newlines(asff_parser *p, size_t n, asff_error *err)
{
    static const char nl[64] = "\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n"
                               "\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n";
    asff_status st = ASFF_OK;
    while (n && st == ASFF_OK) {
        size_t k = n < sizeof nl ? n : sizeof nl;
        st = asff_parser_feed(p, nl, k, err);
        n -= k;
    }
    return st;
}

/* Feed the complete lines of data[len] (and the last one at eof) that may match; *used gets the
 * bytes consumed, *pending the newlines of skipped lines not yet fed. */
static asff_status scan_lines(asff_parser *p, prefilter_src *c, const char *data, size_t len, bool eof, size_t *used,
                              size_t *pending, asff_error *err)
{
    size_t start = 0;
    asff_status st = ASFF_OK;
    while (st == ASFF_OK && start < len) {
        const char *nl = memchr(data + start, '\n', len - start);
        size_t end = nl ? (size_t)(nl - data) + 1 : (eof ? len : start);
        if (end == start)
            break;
        if (asff_filter_prefilter(c->filter, data + start, end - start)) {
            if (*pending)
                st = feed_newlines(p, *pending, err);
            *pending = 0;
            if (st == ASFF_OK)
                st = asff_parser_feed(p, data + start, end - start, err);
        } else
            *pending += nl != NULL;
        start = end;
    }
    *used = start;
    return st;
}

/*
 * One input. NDJSON (the first line is a whole object) goes line by line through
 * asff_filter_prefilter, and only lines that may match are parsed; anything else is parsed whole.
 */
static int filter_input(FILE *in, const char *name, const asff_parse_options *po, prefilter_src *c, bool strict)
{
    asff_parse_options o = *po;
    asff_parser *p = NULL;
    asff_error err;
    asff_status st = ASFF_OK;
    size_t cap = 1 << 20, len = 0, pending = 0, n;
    char *buf = malloc(cap);
    bool ndjson = false, eof = false, decided = false;
    c->name = name;
    c->skipped = 0;
    asff_error_clear(&err);
    if (!strict && buf) {
        /* a regular file: scan it mapped, without copying it through read() */
        struct stat sb;
        off_t off = ftello(in);
        if (off == 0 && fstat(fileno(in), &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 0 &&
            (uint64_t)sb.st_size < (uint64_t)SIZE_MAX) {
            size_t size = (size_t)sb.st_size;
            char *m = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fileno(in), 0);
            if (m != MAP_FAILED) {
                const char *nl = memchr(m, '\n', size);
                size_t a = 0, b = nl ? (size_t)(nl - m) : size, used;
                while (a < b && (m[a] == ' ' || m[a] == '\t' || m[a] == '\r'))
                    a++;
                while (b > a && (m[b - 1] == ' ' || m[b - 1] == '\t' || m[b - 1] == '\r'))
                    b--;
                if (b > a && m[a] == '{' && m[b - 1] == '}') {
                    /* scan in windows and unmap what is done, so that RSS stays small */
                    size_t pos = 0, done = 0, win = 4u << 20, page = (size_t)sysconf(_SC_PAGESIZE);
                    posix_madvise(m, size, POSIX_MADV_SEQUENTIAL);
                    o.envelope = ASFF_ENVELOPE_NDJSON;
                    p = asff_parser_new(&o, relay_finding, po->skip_invalid ? relay_skip : NULL, c);
                    st = p ? ASFF_OK : ASFF_ERR_NOMEM;
                    while (st == ASFF_OK && pos < size) {
                        size_t end = size - pos > win ? pos + win : size;
                        st = scan_lines(p, c, m + pos, end - pos, end == size, &used, &pending, &err);
                        if (used == 0 && end < size) {
                            win *= 2; /* a line longer than the window */
                            continue;
                        }
                        pos += used;
                        if (page && pos / page * page > done) {
                            munmap(m + done, pos / page * page - done);
                            done = pos / page * page;
                        }
                    }
                    munmap(m + done, size - done);
                    eof = true; /* skip the read loop */
                } else
                    munmap(m, size);
            }
        }
    }
    if (!buf) {
        fprintf(stderr, "asff filter: out of memory\n");
        return ASFF_EXIT_IO;
    }
    while (st == ASFF_OK && !eof) {
        size_t start = 0;
        if (len == cap) {
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                st = ASFF_ERR_NOMEM;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        n = fread(buf + len, 1, cap - len, in);
        eof = n == 0;
        len += n;
        if (!decided && (eof || memchr(buf, '\n', len))) {
            /* NDJSON when the first line is one object: '{' ... '}' */
            const char *nl = memchr(buf, '\n', len);
            size_t a = 0, b = nl ? (size_t)(nl - buf) : len;
            while (a < b && (buf[a] == ' ' || buf[a] == '\t' || buf[a] == '\r'))
                a++;
            while (b > a && (buf[b - 1] == ' ' || buf[b - 1] == '\t' || buf[b - 1] == '\r'))
                b--;
            ndjson = !strict && b > a && buf[a] == '{' && buf[b - 1] == '}';
            if (ndjson)
                o.envelope = ASFF_ENVELOPE_NDJSON;
            p = asff_parser_new(&o, relay_finding, po->skip_invalid ? relay_skip : NULL, c);
            if (!p) {
                st = ASFF_ERR_NOMEM;
                break;
            }
            decided = true;
        }
        if (!decided)
            continue;
        if (!ndjson) {
            st = asff_parser_feed(p, buf, len, &err);
            len = 0;
            continue;
        }
        st = scan_lines(p, c, buf, len, eof, &start, &pending, &err);
        memmove(buf, buf + start, len - start);
        len -= start;
        if (len == cap && cap >= (64u << 20) && st == ASFF_OK) {
            /* a line longer than 64 MiB: stop prefiltering, stream the rest to the parser */
            st = feed_newlines(p, pending, &err);
            if (st == ASFF_OK)
                st = asff_parser_feed(p, buf, len, &err);
            pending = len = 0;
            ndjson = false;
        }
    }
    if (st == ASFF_OK && ferror(in)) {
        fprintf(stderr, "asff: %s: read error: %s\n", name, strerror(errno));
        st = ASFF_ERR_IO;
    } else if (st == ASFF_OK && p)
        st = asff_parser_finish(p, &err);
    asff_parser_free(p);
    free(buf);
    if (st == ASFF_ERR_ABORTED)
        return ASFF_EXIT_IO; /* the callback stopped: --limit reached or a write failed */
    if (st == ASFF_ERR_NOMEM) {
        fprintf(stderr, "asff filter: out of memory\n");
        return ASFF_EXIT_IO;
    }
    if (st != ASFF_OK) {
        cli_print_error(name, &err);
        return st == ASFF_ERR_IO ? ASFF_EXIT_IO : ASFF_EXIT_FINDINGS;
    }
    return c->skipped ? ASFF_EXIT_FINDINGS : ASFF_EXIT_OK;
}

/* Shared with cmd_insight.c: parse every input (files, or stdin when none or "-") like
 * cli_parse_inputs, but read NDJSON through asff_filter_prefilter(filter) unless strict. */
int cli_filter_inputs(int nfiles, char **files, const asff_parse_options *po, const asff_filter *filter, bool strict,
                      asff_finding_fn fn, void *ctx);

int cli_filter_inputs(int nfiles, char **files, const asff_parse_options *po, const asff_filter *filter, bool strict,
                      asff_finding_fn fn, void *ctx)
{
    prefilter_src src;
    int i, worst = ASFF_EXIT_OK;
    src.filter = filter;
    src.fn = fn;
    src.ctx = ctx;
    if (nfiles == 0)
        return filter_input(stdin, "<stdin>", po, &src, strict);
    for (i = 0; i < nfiles; i++) {
        int rc;
        if (strcmp(files[i], "-") == 0) {
            rc = filter_input(stdin, "<stdin>", po, &src, strict);
        } else {
            FILE *f = fopen(files[i], "rb");
            if (!f) {
                fprintf(stderr, "asff: %s: %s\n", files[i], strerror(errno));
                rc = ASFF_EXIT_IO;
            } else {
                rc = filter_input(f, files[i], po, &src, strict);
                fclose(f);
            }
        }
        if (rc > worst)
            worst = rc;
        if (rc == ASFF_EXIT_IO)
            break;
    }
    return worst;
}

int asff_cmd_filter(int argc, char **argv)
{
    asff_parse_options po = ASFF_PARSE_OPTIONS_INIT;
    asff_write_options wo = ASFF_WRITE_OPTIONS_INIT;
    asff_filter_options fo = ASFF_FILTER_OPTIONS_INIT;
    const char *filters = "{}";
    asff_sort *sort = asff_sort_new(NULL);
    bool sorted = false, strict = false;
    filter_ctx c;
    char *text;
    size_t len, k;
    int i, rc = ASFF_EXIT_OK;
    asff_error err;
    memset(&c, 0, sizeof c);
    c.limit = UINT64_MAX;
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
        } else if (strcmp(a, "--strict") == 0) {
            strict = true;
        } else if (strcmp(a, "--") == 0) {
            i++;
            break;
        } else if (a[0] == '-' && a[1] && !v) {
            fprintf(stderr, "asff filter: %s needs a value (asff filter --help)\n", a);
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
                fprintf(stderr, "asff filter: --sort: %s\n", err.message);
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
            if (!parse_now(v, &fo.now_seconds)) {
                fprintf(stderr, "asff filter: --now takes an ISO 8601 timestamp or epoch seconds\n");
                rc = ASFF_EXIT_USAGE;
                break;
            }
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "asff filter: unknown option '%s' (asff filter --help)\n", a);
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
    text = read_arg(filters, &len);
    if (!text) {
        asff_sort_free(sort);
        return ASFF_EXIT_IO;
    }
    if (asff_filter_compile(text, len, &fo, &c.filter, &err) != ASFF_OK) {
        fprintf(stderr, "asff filter: --filters: %s%s%s\n", err.path, err.path[0] ? ": " : "", err.message);
        free(text);
        asff_sort_free(sort);
        return ASFF_EXIT_USAGE;
    }
    free(text);
    c.w = asff_writer_new_file(stdout, &wo);
    if (sorted) {
        po.keep = true;
        c.keep = true;
        if (c.limit != UINT64_MAX && !(c.topk = asff_topk_new(sort, (size_t)c.limit, NULL)))
            c.failed = true;
    }
    if (!c.w || c.failed) {
        fprintf(stderr, "asff filter: out of memory\n");
        rc = ASFF_EXIT_IO;
    } else {
        rc = cli_filter_inputs(argc - i, argv + i, &po, c.filter, strict, on_finding, &c);
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
    asff_topk_free(c.topk);
    free(c.all);
    asff_filter_free(c.filter);
    asff_sort_free(sort);
    return rc;
}
