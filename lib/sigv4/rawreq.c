/* Parser for raw HTTP/1.1 requests in the SigV4 test-vector format (see rawreq.h). */
#include <string.h>
#include "sigv4/rawreq.h"
#include "sigv4/secbuf.h"

/* One line: [start, end) without the newline (and without a CR before it); next = after the newline. */
static void next_line(const char *d, size_t len, size_t pos, size_t *end, size_t *next)
{
    const char *nl = memchr(d + pos, '\n', len - pos);
    size_t e = nl ? (size_t)(nl - d) : len;
    *next = nl ? e + 1 : len;
    if (e > pos && d[e - 1] == '\r')
        e--;
    *end = e;
}

void asff__rawreq_cleanup(asff_rawreq *r)
{
    if (!r)
        return;
    asff__free(r->alloc, r->headers);
    asff__free(r->alloc, r->store);
    memset(r, 0, sizeof *r);
}

asff_status asff__rawreq_parse(const char *d, size_t len, const asff_allocator *alloc, asff_rawreq *out,
                              asff_error *err)
{
    size_t pos = 0, end, next, line = 1, nheaders = 0, i, sp1, sp2;
    size_t *offs = NULL; /* per header: name offset, value offset in store */
    bool has_query = false;
    asff_buf store;
    asff_status st = ASFF_OK;
    memset(out, 0, sizeof *out);
    out->alloc = asff__alloc_or_default(alloc);
    if (!d && len)
        return asff__error_setf(err, ASFF_ERR_INVALID_ARG, "request: NULL data");
    asff__buf_init(&store, out->alloc);
    /* Every byte goes to the store at most once plus a NUL per piece: reserve it all so that no
     * realloc moves it. */
    if (asff__buf_reserve(&store, len + 8) != ASFF_OK)
        return asff_error_set(err, ASFF_ERR_NOMEM, "request: out of memory");

    next_line(d, len, 0, &end, &next);
    for (sp1 = 0; sp1 < end && d[sp1] != ' '; sp1++)
        ;
    for (sp2 = end; sp2 > 0 && d[sp2 - 1] != ' '; sp2--)
        ;
    if (sp1 >= end || sp2 == 0 || sp2 - 1 <= sp1) {
        asff__buf_cleanup(&store);
        return asff__error_setf(err, ASFF_ERR_SYNTAX, "request: line 1: expected METHOD TARGET VERSION");
    }
    sp2--;
    if (memchr(d, '\0', end)) {
        asff__buf_cleanup(&store);
        return asff__error_setf(err, ASFF_ERR_SYNTAX, "request: line 1: NUL byte");
    }
    asff__buf_append(&store, d, sp1);
    asff__buf_putc(&store, '\0');
    {
        const char *t = d + sp1 + 1;
        size_t tlen = sp2 - sp1 - 1;
        const char *q = memchr(t, '?', tlen);
        size_t plen = q ? (size_t)(q - t) : tlen;
        out->path_len = plen;
        asff__buf_append(&store, t, plen);
        asff__buf_putc(&store, '\0');
        if (q) {
            has_query = true;
            out->query_len = tlen - plen - 1;
            asff__buf_append(&store, q + 1, out->query_len);
            asff__buf_putc(&store, '\0');
        }
    }
    out->head_len = end;
    pos = next;
    /* Headers: count first, then copy. */
    while (pos < len) {
        line++;
        next_line(d, len, pos, &end, &next);
        if (end == pos)
            break;
        if (d[pos] == ' ' || d[pos] == '\t') {
            size_t a = pos;
            if (!nheaders) {
                st = asff__error_setf(err, ASFF_ERR_SYNTAX, "request: line %zu: continuation without a header", line);
                goto fail;
            }
            while (a < end && (d[a] == ' ' || d[a] == '\t'))
                a++;
            /* obs-fold: the line joins the previous value after one space (RFC 7230 3.2.4) */
            store.len--; /* drop the value's NUL */
            asff__buf_putc(&store, ' ');
            asff__buf_append(&store, d + a, end - a);
            asff__buf_putc(&store, '\0');
        } else {
            const char *colon = memchr(d + pos, ':', end - pos);
            size_t *o;
            if (!colon || colon == d + pos) {
                st = asff__error_setf(err, ASFF_ERR_SYNTAX, "request: line %zu: expected Name:value", line);
                goto fail;
            }
            if (nheaders >= ASFF_SIGV4_MAX_HEADERS) {
                st = asff__error_setf(err, ASFF_ERR_LIMIT, "request: line %zu: more than %d headers", line,
                                     ASFF_SIGV4_MAX_HEADERS);
                goto fail;
            }
            o = asff__realloc(out->alloc, offs, (nheaders + 1) * 2 * sizeof *offs);
            if (!o) {
                st = asff_error_set(err, ASFF_ERR_NOMEM, "request: out of memory");
                goto fail;
            }
            offs = o;
            offs[2 * nheaders] = store.len;
            asff__buf_append(&store, d + pos, (size_t)(colon - (d + pos)));
            asff__buf_putc(&store, '\0');
            offs[2 * nheaders + 1] = store.len;
            asff__buf_append(&store, colon + 1, (size_t)(d + end - colon - 1));
            asff__buf_putc(&store, '\0');
            nheaders++;
        }
        out->head_len = end;
        pos = next;
    }
    if (pos < len && next <= len && end == pos) {
        out->body = d + next;
        out->body_len = len - next;
    }
    out->headers = asff__malloc(out->alloc, (nheaders ? nheaders : 1) * sizeof *out->headers);
    if (!out->headers) {
        st = asff_error_set(err, ASFF_ERR_NOMEM, "request: out of memory");
        goto fail;
    }
    out->store = store.data;
    out->method = store.data;
    out->path = store.data + sp1 + 1;
    out->query = has_query ? out->path + out->path_len + 1 : NULL;
    for (i = 0; i < nheaders; i++) {
        asff_sigv4_header *h = &out->headers[i];
        h->name = store.data + offs[2 * i];
        h->name_len = strlen(h->name);
        h->value = store.data + offs[2 * i + 1];
        h->value_len = strlen(h->value);
    }
    out->header_count = nheaders;
    asff__free(out->alloc, offs);
    return ASFF_OK;
fail:
    asff__free(out->alloc, offs);
    asff__buf_cleanup(&store);
    memset(out, 0, sizeof *out);
    return st;
}
