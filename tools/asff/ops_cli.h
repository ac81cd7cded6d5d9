/* Pieces shared by the commands built on asff_client_call_op (call, update, standards, controls,
 * history): responses are printed re-serialized (control characters escaped, UTF-8 checked), never
 * raw, since they are a third party's bytes. Static functions: include once per command file. */
#ifndef ASFF_OPS_CLI_H
#define ASFF_OPS_CLI_H

#include <yajl/yajl_parse.h>
#include "client_cli.h"

static int oj_null(void *g) { return yajl_gen_null(g) == yajl_gen_status_ok; }
static int oj_bool(void *g, int b) { return yajl_gen_bool(g, b) == yajl_gen_status_ok; }
static int oj_num(void *g, const char *s, size_t l) { return yajl_gen_number(g, s, l) == yajl_gen_status_ok; }
static int oj_str(void *g, const unsigned char *s, size_t l) { return yajl_gen_string(g, s, l) == yajl_gen_status_ok; }
static int oj_om(void *g) { return yajl_gen_map_open(g) == yajl_gen_status_ok; }
static int oj_cm(void *g) { return yajl_gen_map_close(g) == yajl_gen_status_ok; }
static int oj_oa(void *g) { return yajl_gen_array_open(g) == yajl_gen_status_ok; }
static int oj_ca(void *g) { return yajl_gen_array_close(g) == yajl_gen_status_ok; }

/* Print JSON text compact on one line, re-serialized by yajl; "{}" for an empty body. False (and a
 * message) when the text is not JSON. */
static inline bool ops_print_json(FILE *out, const char *text, size_t len)
{
    static const yajl_callbacks cb = {oj_null, oj_bool, NULL, NULL, oj_num, oj_str, oj_om, oj_str, oj_cm, oj_oa, oj_ca};
    yajl_gen g = yajl_gen_alloc(NULL);
    yajl_handle h;
    const unsigned char *buf;
    size_t n;
    bool ok;
    if (!len) {
        fputs("{}\n", out);
        yajl_gen_free(g);
        return true;
    }
    yajl_gen_config(g, yajl_gen_validate_utf8, 1);
    h = yajl_alloc(&cb, NULL, g);
    ok = yajl_parse(h, (const unsigned char *)text, len) == yajl_status_ok && yajl_complete_parse(h) == yajl_status_ok;
    if (ok) {
        yajl_gen_get_buf(g, &buf, &n);
        fwrite(buf, 1, n, out);
        fputc('\n', out);
    } else {
        fprintf(stderr, "asff: the response is not valid JSON (%zu bytes, not shown)\n", len);
    }
    yajl_free(h);
    yajl_gen_free(g);
    return ok;
}

/* Call operation with input and print the response. Exit code. */
static inline int ops_call_print(asff_client *c, const char *operation, const char *input)
{
    asff_response r;
    asff_error e;
    bool ok;
    if (asff_client_call_op(c, operation, input, input ? strlen(input) : 0, &r, &e) != ASFF_OK) {
        cli_client_error(operation, &e);
        if (e.code == ASFF_ERR_INVALID_ARG && e.path[0])
            fprintf(stderr, "asff: %s: request member at %s\n", operation, e.path);
        return e.code == ASFF_ERR_INVALID_ARG ? ASFF_EXIT_USAGE : ASFF_EXIT_IO;
    }
    ok = ops_print_json(stdout, r.body, r.len);
    asff_response_cleanup(c, &r);
    return ok ? ASFF_EXIT_OK : ASFF_EXIT_IO;
}

static int ops_page_print(void *ctx, const asff_response *page, uint64_t n)
{
    (void)ctx;
    (void)n;
    return ops_print_json(stdout, page->body, page->len) ? 0 : 1;
}

static int ops_item_print(void *ctx, const char *item, size_t len)
{
    (void)ctx;
    return ops_print_json(stdout, item, len) ? 0 : 1;
}

/* Every page of a paginated operation: one JSON line per page, or per item of the result list. */
static inline int ops_paginate_print(asff_client *c, const char *operation, const char *input, bool items)
{
    asff_error e;
    if (asff_client_paginate(c, operation, input, input ? strlen(input) : 0, items ? NULL : ops_page_print,
                             items ? ops_item_print : NULL, NULL, NULL, &e) != ASFF_OK) {
        cli_client_error(operation, &e);
        if (e.code == ASFF_ERR_INVALID_ARG && e.path[0])
            fprintf(stderr, "asff: %s: request member at %s\n", operation, e.path);
        return e.code == ASFF_ERR_INVALID_ARG ? ASFF_EXIT_USAGE : ASFF_EXIT_IO;
    }
    return ASFF_EXIT_OK;
}

#endif
