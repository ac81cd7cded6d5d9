/* Reading inputs through a filter's text prefilter (asff --prefilter): NDJSON lines that cannot
 * pass the filter are not parsed at all. Used by `asff filter` and `asff insight`.
 *
 * The output must equal the output without --prefilter on every well-formed input, so a line is
 * skipped only when it is certainly one whole top-level value: it starts with '{' and ends with '}'
 * (blanks aside) and the next non-blank line starts with '{'. A JSON string cannot span lines and
 * after a '}' inside a value only ',', '}' or ']' may come, so such a line ends at the top level.
 * At the first line that is not of that shape (a pretty-printed finding, a document written on one
 * line, a line longer than the finding limit) the rest of the input is parsed whole, as without
 * --prefilter. The parser sees the same envelope detection (AUTO) either way, and memory stays
 * bounded by the finding limit whatever the input's shape. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cli.h"

/* An input stream read through the NDJSON prefilter, relaying findings to fn(ctx, ...). */
typedef struct prefilter_src {
    const asff_filter *filter;
    asff_finding_fn fn;
    void *ctx;
    const char *name;            /* current input, for error messages */
    unsigned long skipped;
    bool raw;                    /* prefiltering stopped: everything goes to the parser */
    size_t bound;                /* the longest line buffered before giving up prefiltering */
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

static bool is_blank(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

/* The first non-blank byte of data[i, len), or len. */
static size_t next_nonblank(const char *data, size_t i, size_t len)
{
    while (i < len && is_blank(data[i]))
        i++;
    return i;
}

/* data[a, b) (one line) is blank: 0; starts with '{' and ends with '}': 1; anything else: -1. */
static int line_shape(const char *data, size_t a, size_t b)
{
    while (a < b && is_blank(data[a]))
        a++;
    while (b > a && is_blank(data[b - 1]))
        b--;
    if (a == b)
        return 0;
    return data[a] == '{' && data[b - 1] == '}' ? 1 : -1;
}

/* Stop prefiltering: the pending newlines, then data[from, len) and everything after go to the parser. */
static asff_status go_raw(asff_parser *p, prefilter_src *c, const char *data, size_t from, size_t len, size_t *pending,
                          asff_error *err)
{
    asff_status st = feed_newlines(p, *pending, err);
    *pending = 0;
    c->raw = true;
    if (st == ASFF_OK && len > from)
        st = asff_parser_feed(p, data + from, len - from, err);
    return st;
}

/*
 * Feed data[len] (a last line without its newline only at eof): lines that cannot match and are
 * certainly whole values are skipped, the others parsed. *used gets the bytes consumed (the rest
 * must be offered again with more data), *pending the newlines of skipped lines not yet fed.
 */
static asff_status scan_lines(asff_parser *p, prefilter_src *c, const char *data, size_t len, bool eof, size_t *used,
                              size_t *pending, asff_error *err)
{
    size_t start = 0, end = len;
    asff_status st = ASFF_OK;
    if (c->raw) {
        *used = len;
        return len ? asff_parser_feed(p, data, len, err) : ASFF_OK;
    }
    if (!eof) /* whole lines only: the last one may still be growing */
        while (end > 0 && data[end - 1] != '\n')
            end--;
    while (st == ASFF_OK && start < end) {
        size_t at = start + asff_filter_prefilter_next(c->filter, data + start, end - start, NULL), q = start, le, nx;
        const char *nl;
        int shape;
        /* the lines the prefilter skips: each must be a whole value (see the top of this file) */
        while (q < at) {
            nl = memchr(data + q, '\n', at - q);
            le = nl ? (size_t)(nl - data) + 1 : at;
            shape = line_shape(data, q, le);
            if (shape < 0)
                return *used = len, go_raw(p, c, data, q, len, pending, err);
            if (shape > 0) {
                nx = next_nonblank(data, le, len);
                if (nx == len && !eof) {
                    *used = q; /* is the next line a '{' line? wait for it */
                    return ASFF_OK;
                }
                if (nx < len && data[nx] != '{')
                    return *used = len, go_raw(p, c, data, q, len, pending, err);
            }
            ++*pending;
            q = le;
        }
        if (at == end) {
            start = end;
            break;
        }
        /* a line that may match: parsed, and the same shape rule decides whether to go on */
        nl = memchr(data + at, '\n', end - at);
        le = nl ? (size_t)(nl - data) + 1 : end;
        nx = next_nonblank(data, le, len);
        if (nx == len && !eof) {
            *used = at;
            return ASFF_OK;
        }
        if (line_shape(data, at, le) < 0 || (nx < len && data[nx] != '{'))
            return *used = len, go_raw(p, c, data, at, len, pending, err);
        st = feed_newlines(p, *pending, err);
        *pending = 0;
        if (st == ASFF_OK)
            st = asff_parser_feed(p, data + at, le - at, err);
        start = le;
    }
    *used = start;
    return st;
}

/* A regular file, scanned mapped in windows (unmapped as they are done, so RSS stays small).
 * false when it cannot be mapped (the caller reads it instead). */
static bool scan_mapped(FILE *in, asff_parser *p, prefilter_src *c, size_t *pending, asff_status *st, asff_error *err)
{
    struct stat sb;
    size_t size, pos = 0, done = 0, win = 1u << 20, page = (size_t)sysconf(_SC_PAGESIZE), used;
    char *m;
    if (ftello(in) != 0 || fstat(fileno(in), &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size <= 0 ||
        (uint64_t)sb.st_size >= (uint64_t)SIZE_MAX)
        return false;
    size = (size_t)sb.st_size;
    m = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fileno(in), 0);
    if (m == MAP_FAILED)
        return false;
    posix_madvise(m, size, POSIX_MADV_SEQUENTIAL);
    while (*st == ASFF_OK && pos < size) {
        size_t end = size - pos > win ? pos + win : size;
        *st = scan_lines(p, c, m + pos, end - pos, end == size, &used, pending, err);
        if (*st == ASFF_OK && used == 0 && end < size) {
            if (win >= c->bound) /* a line longer than any finding: parse the rest whole */
                *st = go_raw(p, c, m + pos, 0, end - pos, pending, err), used = end - pos;
            else {
                win *= 2;
                continue;
            }
        }
        pos += used;
        if (page && pos / page * page > done) {
            munmap(m + done, pos / page * page - done);
            done = pos / page * page;
        }
    }
    munmap(m + done, size - done);
    return true;
}

/* One input through the prefilter. */
static int filter_input(FILE *in, const char *name, const asff_parse_options *po, prefilter_src *c)
{
    asff_parser *p;
    asff_error err = CLI_ERROR_INIT;
    asff_status st = ASFF_OK;
    size_t cap = 1 << 16, len = 0, pending = 0, used;
    char *buf = NULL;
    bool eof = false;
    c->name = name;
    c->skipped = 0;
    c->raw = false;
    c->bound = (po->max_finding ? po->max_finding : (size_t)4 << 20) + ((size_t)64 << 10);
    (void)asff_parser_new(po, relay_finding, po->skip_invalid ? relay_skip : NULL, c, &p, NULL);
    if (!p) {
        fprintf(stderr, "asff: out of memory\n");
        return ASFF_EXIT_IO;
    }
    if (!scan_mapped(in, p, c, &pending, &st, &err)) {
        buf = malloc(cap);
        if (!buf)
            st = asff_error_set(&err, ASFF_ERR_NOMEM, "out of memory");
        while (st == ASFF_OK && !eof) {
            size_t n;
            if (len == cap) {
                char *nb;
                if (cap >= c->bound) { /* a line longer than any finding: parse the rest whole */
                    st = go_raw(p, c, buf, 0, len, &pending, &err);
                    len = 0;
                    continue;
                }
                if (!(nb = realloc(buf, cap * 2))) {
                    st = asff_error_set(&err, ASFF_ERR_NOMEM, "out of memory");
                    break;
                }
                buf = nb;
                cap *= 2;
            }
            n = fread(buf + len, 1, cap - len, in);
            if (n == 0 && ferror(in)) {
                st = asff_error_set(&err, ASFF_ERR_IO, strerror(errno));
                break;
            }
            eof = n == 0;
            len += n;
            st = scan_lines(p, c, buf, len, eof, &used, &pending, &err);
            memmove(buf, buf + used, len - used);
            len -= used;
        }
    }
    if (st == ASFF_OK)
        st = feed_newlines(p, pending, &err);
    if (st == ASFF_OK)
        st = asff_parser_finish(p, &err);
    asff_parser_free(p);
    free(buf);
    if (st == ASFF_ERR_ABORTED)
        return ASFF_EXIT_IO; /* the callback stopped: --limit reached or a write failed */
    if (st != ASFF_OK) {
        cli_print_error(name, &err);
        return st == ASFF_ERR_IO || st == ASFF_ERR_NOMEM ? ASFF_EXIT_IO : ASFF_EXIT_FINDINGS;
    }
    return c->skipped ? ASFF_EXIT_FINDINGS : ASFF_EXIT_OK;
}

int cli_filter_inputs(int nfiles, char **files, const asff_parse_options *po, const asff_filter *filter, bool strict,
                      asff_finding_fn fn, void *ctx)
{
    prefilter_src src;
    int i, worst = ASFF_EXIT_OK;
    if (strict) /* every line parsed: the plain streaming reader */
        return cli_parse_inputs(nfiles, files, po, fn, ctx);
    memset(&src, 0, sizeof src);
    src.filter = filter;
    src.fn = fn;
    src.ctx = ctx;
    if (nfiles == 0)
        return filter_input(stdin, "<stdin>", po, &src);
    for (i = 0; i < nfiles; i++) {
        int rc;
        if (strcmp(files[i], "-") == 0) {
            rc = filter_input(stdin, "<stdin>", po, &src);
        } else {
            FILE *f = fopen(files[i], "rb");
            if (!f) {
                asff_error e = CLI_ERROR_INIT;
                asff_error_set(&e, ASFF_ERR_IO, strerror(errno));
                cli_print_error(files[i], &e);
                rc = ASFF_EXIT_IO;
            } else {
                rc = filter_input(f, files[i], po, &src);
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
