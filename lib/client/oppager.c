/*
 * The pager of every paginated operation (the model's paginators): one page at a time; its result
 * list is split into items with a streaming pass (no tree, no recursion), and its output token is
 * taken into the next request's input token.
 */
#include <string.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_parse.h>
#include "client/client_internal.h"

typedef struct split {
    const asff__op *op;
    asff_page_item_fn item_fn;
    void *ctx;
    unsigned depth;          /* JSON nesting: 1 = inside the page object */
    bool key_is_token, key_is_result, in_result;
    asff_yalloc ya;          /* the allocations of g and of the parser */
    yajl_gen g;              /* the current item */
    asff_buf token;
    bool have_token;
    bool aborted, nomem, deep;
} split;

/* A page nested deeper than the JSON reader's limit is refused (yajl_gen would stop at 128 levels
 * and hand over a broken item). */
static int sp_deeper(split *s)
{
    if (s->depth >= ASFF__JSON_DEPTH) {
        s->deep = true;
        return 0;
    }
    s->depth++;
    return 1;
}

static int item_done(split *s)
{
    const unsigned char *buf;
    size_t len;
    yajl_gen_get_buf(s->g, &buf, &len);
    if (s->ya.failed) { /* the item may be incomplete: never hand it over */
        s->nomem = true;
        return 0;
    }
    if (s->item_fn && s->item_fn(s->ctx, (const char *)buf, len) != 0) {
        s->aborted = true;
        return 0;
    }
    yajl_gen_clear(s->g);
    yajl_gen_reset(s->g, NULL);
    return 1;
}

/* Scalars and containers inside the result list are copied to the item generator. */
#define IN_ITEM(s) ((s)->in_result && (s)->depth >= 3)

static int sp_scalar_end(split *s)
{
    if (s->in_result && s->depth == 2)
        return item_done(s);
    s->key_is_token = s->key_is_result = false;
    return 1;
}

static int sp_null(void *ctx)
{
    split *s = ctx;
    if (s->in_result && s->depth == 2)
        yajl_gen_null(s->g);
    else if (IN_ITEM(s))
        yajl_gen_null(s->g);
    return sp_scalar_end(s);
}

static int sp_bool(void *ctx, int b)
{
    split *s = ctx;
    if (s->in_result && s->depth >= 2)
        yajl_gen_bool(s->g, b);
    return sp_scalar_end(s);
}

static int sp_number(void *ctx, const char *t, size_t len)
{
    split *s = ctx;
    if (s->in_result && s->depth >= 2)
        yajl_gen_number(s->g, t, len);
    return sp_scalar_end(s);
}

static int sp_string(void *ctx, const unsigned char *t, size_t len)
{
    split *s = ctx;
    if (s->in_result && s->depth >= 2)
        yajl_gen_string(s->g, t, len);
    else if (s->depth == 1 && s->key_is_token) {
        asff__buf_reset(&s->token);
        if (asff__buf_append(&s->token, t, len) != ASFF_OK || asff__buf_putc(&s->token, '\0') != ASFF_OK) {
            s->nomem = true;
            return 0;
        }
        s->token.len--;
        s->have_token = len > 0;
    }
    return sp_scalar_end(s);
}

static int sp_start_map(void *ctx)
{
    split *s = ctx;
    if (s->in_result && s->depth >= 2)
        yajl_gen_map_open(s->g);
    s->key_is_token = s->key_is_result = false;
    return sp_deeper(s);
}

static int sp_key(void *ctx, const unsigned char *k, size_t len)
{
    split *s = ctx;
    if (IN_ITEM(s)) {
        yajl_gen_string(s->g, k, len);
    } else if (s->depth == 1) {
        s->key_is_token = s->op->output_token && strlen(s->op->output_token) == len &&
                          memcmp(k, s->op->output_token, len) == 0;
        s->key_is_result = s->op->result_key && strlen(s->op->result_key) == len &&
                           memcmp(k, s->op->result_key, len) == 0;
    }
    return 1;
}

static int sp_end_map(void *ctx)
{
    split *s = ctx;
    s->depth--;
    if (s->in_result && s->depth >= 2) {
        yajl_gen_map_close(s->g);
        if (s->depth == 2)
            return item_done(s);
    }
    return 1;
}

static int sp_start_array(void *ctx)
{
    split *s = ctx;
    if (s->in_result && s->depth >= 2)
        yajl_gen_array_open(s->g);
    else if (s->depth == 1 && s->key_is_result)
        s->in_result = true;
    s->key_is_token = s->key_is_result = false;
    return sp_deeper(s);
}

static int sp_end_array(void *ctx)
{
    split *s = ctx;
    s->depth--;
    if (s->in_result && s->depth >= 2) {
        yajl_gen_array_close(s->g);
        if (s->depth == 2)
            return item_done(s);
    } else if (s->in_result && s->depth == 1) {
        s->in_result = false;
    }
    return 1;
}

static const yajl_callbacks split_callbacks = {
    sp_null, sp_bool, NULL, NULL, sp_number, sp_string, sp_start_map, sp_key, sp_end_map, sp_start_array,
    sp_end_array,
};

asff_status asff_client_paginate(asff_client *c, const char *operation, const char *input, size_t input_len,
                                 asff_page_fn page_fn, asff_page_item_fn item_fn, void *ctx, uint64_t *pages,
                                 asff_error *err)
{
    const asff__op *op = operation ? asff__op_find(operation) : NULL;
    asff_buf token, prev;
    asff_status st = ASFF_OK;
    uint64_t n = 0;
    if (pages)
        *pages = 0;
    if (err)
        asff_error_clear(err);
    if (!c || !op)
        return asff__error_setf(err, ASFF_ERR_INVALID_ARG, "unknown operation \"%.64s\"", operation ? operation : "");
    if (!op->input_token || !op->output_token)
        return asff__error_setf(err, ASFF_ERR_INVALID_ARG, "%s is not paginated", op->name);
    asff__buf_init(&token, c->alloc);
    asff__buf_init(&prev, c->alloc);
    for (;;) {
        asff__request req;
        asff_response r;
        split s;
        yajl_handle h;
        yajl_status ys;
        st = asff__request_build(op, input, input_len, n ? op->input_token : NULL, n ? token.data : NULL, c->alloc,
                                 &req, err);
        if (st != ASFF_OK)
            break;
        st = asff__request_send(c, op, &req, &r, err);
        asff__request_cleanup(&req);
        if (st != ASFF_OK)
            break;
        n++;
        if (page_fn && page_fn(ctx, &r, n) != 0) {
            asff_response_cleanup(c, &r);
            st = asff_error_set(err, ASFF_ERR_ABORTED, "stopped by the page callback");
            break;
        }
        memset(&s, 0, sizeof s);
        s.op = op;
        s.item_fn = item_fn;
        s.ctx = ctx;
        asff__buf_init(&s.token, c->alloc);
        s.g = asff__ygen_alloc(&s.ya, c->alloc);
        h = s.g ? yajl_alloc(&split_callbacks, &s.ya.funcs, &s) : NULL;
        if (!h) {
            if (s.g)
                yajl_gen_free(s.g);
            asff_response_cleanup(c, &r);
            st = asff_error_set(err, ASFF_ERR_NOMEM, "out of memory");
            break;
        }
        ys = yajl_parse(h, (const unsigned char *)r.body, r.len);
        if (ys == yajl_status_ok)
            ys = yajl_complete_parse(h);
        yajl_free(h);
        yajl_gen_free(s.g);
        asff_response_cleanup(c, &r);
        s.nomem = s.nomem || s.ya.failed;
        if (s.aborted || s.nomem || s.deep || ys != yajl_status_ok) {
            asff__buf_cleanup(&s.token);
            st = s.aborted ? asff_error_set(err, ASFF_ERR_ABORTED, "stopped by the item callback")
                 : s.nomem ? asff_error_set(err, ASFF_ERR_NOMEM, "out of memory")
                 : s.deep  ? asff__error_setf(err, ASFF_ERR_LIMIT, "%s: page %llu nests deeper than %u levels",
                                              op->name, (unsigned long long)n, ASFF__JSON_DEPTH)
                           : asff__error_setf(err, ASFF_ERR_SYNTAX, "%s: page %llu is not JSON", op->name,
                                             (unsigned long long)n);
            break;
        }
        if (!s.have_token) {
            asff__buf_cleanup(&s.token);
            break;
        }
        if (token.len == s.token.len && token.len && memcmp(token.data, s.token.data, token.len) == 0) {
            asff__buf_cleanup(&s.token);
            st = asff__error_setf(err, ASFF_ERR_INTERNAL, "%s: the service returned the same %s twice", op->name,
                                 op->output_token);
            break;
        }
        asff__buf_cleanup(&token);
        token = s.token;
    }
    asff__buf_cleanup(&token);
    asff__buf_cleanup(&prev);
    if (pages)
        *pages = n;
    return st;
}
