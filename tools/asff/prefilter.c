/* Reading inputs through a filter's text prefilter (asff --prefilter): NDJSON lines that cannot
 * pass the filter are not parsed at all. Used by `asff filter` and `asff insight`. */
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

/* Feed the lines of data[len] that may match (a last line without its newline only at eof): one
 * asff_filter_prefilter_next call skips the lines up to the next candidate. *used gets the bytes
 * consumed, *pending the newlines of skipped lines not yet fed. */
static asff_status scan_lines(asff_parser *p, prefilter_src *c, const char *data, size_t len, bool eof, size_t *used,
                              size_t *pending, asff_error *err)
{
    size_t start = 0, end = len;
    asff_status st = ASFF_OK;
    if (!eof) /* whole lines only: the last one may still be growing */
        while (end > 0 && data[end - 1] != '\n')
            end--;
    while (st == ASFF_OK && start < end) {
        size_t lines, at = start + asff_filter_prefilter_next(c->filter, data + start, end - start, &lines), le;
        const char *nl;
        *pending += lines;
        if (at == end) {
            start = end;
            break;
        }
        nl = memchr(data + at, '\n', end - at);
        le = nl ? (size_t)(nl - data) + 1 : end;
        if (*pending)
            st = feed_newlines(p, *pending, err);
        *pending = 0;
        if (st == ASFF_OK)
            st = asff_parser_feed(p, data + at, le - at, err);
        start = le;
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
                    (void)asff_parser_new(&o, relay_finding, po->skip_invalid ? relay_skip : NULL, c, &p, NULL);
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
        fprintf(stderr, "asff: out of memory\n");
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
            (void)asff_parser_new(&o, relay_finding, po->skip_invalid ? relay_skip : NULL, c, &p, NULL);
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
        fprintf(stderr, "asff: out of memory\n");
        return ASFF_EXIT_IO;
    }
    if (st != ASFF_OK) {
        cli_print_error(name, &err);
        return st == ASFF_ERR_IO ? ASFF_EXIT_IO : ASFF_EXIT_FINDINGS;
    }
    return c->skipped ? ASFF_EXIT_FINDINGS : ASFF_EXIT_OK;
}

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

