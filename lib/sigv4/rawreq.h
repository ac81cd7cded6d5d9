/* A raw HTTP/1.1 request as the AWS SigV4 test vectors write it (.req files), parsed for signing.
 * Used by the tests, the fuzzer and `asff sign`-style debugging; internal. */
#ifndef ASFF_SIGV4_RAWREQ_H
#define ASFF_SIGV4_RAWREQ_H

#include "asff/sigv4.h"
#include "core/internal.h"

typedef struct asff_rawreq {
    const char *method;            /* NUL-terminated */
    const char *path;              /* request target up to '?', NUL-terminated */
    size_t path_len;
    const char *query;             /* after '?', NULL when there is none */
    size_t query_len;
    asff_sigv4_header *headers;    /* names and values NUL-terminated; folded lines joined with a space */
    size_t header_count;
    const char *body;              /* after the empty line; NULL (and 0) when there is none */
    size_t body_len;
    size_t head_len;               /* bytes of the request line and header lines, without the last newline */
    char *store;
    const asff_allocator *alloc;
} asff_rawreq;

/* Request line split on the first and the last space (a path may hold spaces); "Name:value" header
 * lines; lines starting with a space or tab continue the previous value; the head ends at an empty
 * line or at the end of the data. LF or CRLF. ASFF_ERR_SYNTAX with the line number otherwise. */
asff_status asff__rawreq_parse(const char *data, size_t len, const asff_allocator *alloc, asff_rawreq *out,
                              asff_error *err);
void asff__rawreq_cleanup(asff_rawreq *r);

#endif
