/* GetFindings: page after page, each page parsed with the streaming parser and handed on finding by
 * finding. One page (<= 100 findings) is held at a time, so memory does not grow with the result. */
#include <string.h>
#include "asff/codec.h"
#include <stdio.h>
#include <yajl/yajl_parse.h>
#include "client/client_internal.h"

typedef struct pager_ctx {
    asff_get_findings_fn fn;
    void *ctx;
    uint64_t delivered;
    uint64_t max;
    bool stopped;        /* the caller said stop */
    bool full;           /* max reached */
} pager_ctx;

static int on_finding(void *ctx, void *finding, const asff_finding_info *info)
{
    pager_ctx *p = ctx;
    (void)info;
    if (p->full)
        return 1;
    p->delivered++;
    if (p->fn(p->ctx, finding) != 0) {
        p->stopped = true;
        return 1;
    }
    if (p->max && p->delivered >= p->max) {
        p->full = true;
        return 1;
    }
    return 0;
}

typedef struct gen_sink {
    asff_buf *b;
    asff_status st;
} gen_sink;

static void sink_print(void *ctx, const char *s, size_t len)
{
    gen_sink *k = ctx;
    if (k->st == ASFF_OK)
        k->st = asff__buf_append(k->b, s, len);
}

/* The request body: {"Filters":..,"SortCriteria":..,"MaxResults":n,"NextToken":..}, the filters read
 * with the core JSON reader and written back with yajl_gen, on the client's allocator. */
static asff_status request_body(asff_client *c, const asff_get_findings_options *o, const char *token,
                                asff_buf *out, asff_error *err)
{
    yajl_gen g;
    yajl_val filters = NULL;
    char *typed = NULL;
    asff_status st = ASFF_OK;
    const char *ftext = o->filters_json;
    char num[32];
    asff_yalloc ya;
    gen_sink k;
    if (!ftext && o->filters) {
        size_t len;
        st = asff_to_json(o->filters, false, &typed, &len, err);
        if (st != ASFF_OK)
            return st;
        ftext = typed;
    }
    if (ftext) {
        asff_error e;
        asff_error_clear(&e);
        st = asff__json_parse(ftext, strlen(ftext), NULL, c->alloc, &filters, &e);
        asff_free_string(typed);
        if (st == ASFF_ERR_NOMEM)
            return asff_error_set(err, st, "out of memory");
        if (st != ASFF_OK || !YAJL_IS_OBJECT(filters)) {
            asff__json_free(filters, c->alloc);
            asff__error_setf(err, ASFF_ERR_FILTER, "Filters must be a JSON object (AwsSecurityFindingFilters)%s%s",
                            st != ASFF_OK ? ": " : "", st != ASFF_OK ? e.message : "");
            if (err && st != ASFF_OK) {
                asff__copy_string(err->path, sizeof err->path, e.path);
                err->offset = e.offset;
            }
            return ASFF_ERR_FILTER;
        }
    }
    asff__yalloc_init(&ya, c->alloc);
    g = yajl_gen_alloc(&ya.funcs);
    if (!g) {
        asff__json_free(filters, c->alloc);
        return asff_error_set(err, ASFF_ERR_NOMEM, "out of memory");
    }
    asff__buf_reset(out);
    k.b = out;
    k.st = ASFF_OK;
    yajl_gen_config(g, yajl_gen_print_callback, sink_print, &k);
    yajl_gen_map_open(g);
    if (filters) {
        yajl_gen_string(g, (const unsigned char *)"Filters", 7);
        if (!asff__client_gen_value(g, filters))
            st = asff_error_set(err, ASFF_ERR_LIMIT, "Filters are nested too deeply");
        asff__json_free(filters, c->alloc);
    }
    if (o->sort_field && o->sort_field[0]) {
        yajl_gen_string(g, (const unsigned char *)"SortCriteria", 12);
        yajl_gen_array_open(g);
        yajl_gen_map_open(g);
        yajl_gen_string(g, (const unsigned char *)"Field", 5);
        yajl_gen_string(g, (const unsigned char *)o->sort_field, strlen(o->sort_field));
        yajl_gen_string(g, (const unsigned char *)"SortOrder", 9);
        yajl_gen_string(g, (const unsigned char *)(o->sort_descending ? "desc" : "asc"), o->sort_descending ? 4 : 3);
        yajl_gen_map_close(g);
        yajl_gen_array_close(g);
    }
    snprintf(num, sizeof num, "%u", o->page_size ? o->page_size : 100u);
    yajl_gen_string(g, (const unsigned char *)"MaxResults", 10);
    yajl_gen_number(g, num, strlen(num));
    if (token) {
        yajl_gen_string(g, (const unsigned char *)"NextToken", 9);
        yajl_gen_string(g, (const unsigned char *)token, strlen(token));
    }
    yajl_gen_map_close(g);
    yajl_gen_free(g);
    if (st == ASFF_OK && (k.st != ASFF_OK || ya.failed))
        st = asff_error_set(err, ASFF_ERR_NOMEM, "out of memory");
    return st;
}

/* ---- the shape of a page: {"Findings": [...], "NextToken": "..."}, checked as a stream (no tree) ---- */

typedef struct page_scan {
    size_t depth;
    int want;            /* the value being read at depth 1: 1 Findings, 2 NextToken, 0 another */
    bool findings;       /* Findings seen, as an array */
    const char *why;     /* the first thing wrong */
} page_scan;

/* A value starts; container: 1 object, 2 array, 0 a scalar (string: is_string). */
static int scan_value(page_scan *p, int container, bool is_string, bool is_null)
{
    if (p->depth == 0 && container != 1)
        p->why = "is not an object";
    else if (p->depth == 1 && p->want == 1 && container != 2)
        p->why = "has a Findings member that is not an array";
    else if (p->depth == 1 && p->want == 1 && p->findings)
        p->why = "has Findings twice";
    else if (p->depth == 1 && p->want == 2 && !is_string && !is_null)
        p->why = "has a NextToken that is not a string";
    if (p->depth == 1 && p->want == 1)
        p->findings = true;
    if (p->depth == 1)
        p->want = 0;
    if (container)
        p->depth++;
    return p->why == NULL;
}

static int ps_null(void *ctx) { return scan_value(ctx, 0, false, true); }
static int ps_bool(void *ctx, int b) { (void)b; return scan_value(ctx, 0, false, false); }
static int ps_number(void *ctx, const char *s, size_t l) { (void)s; (void)l; return scan_value(ctx, 0, false, false); }
static int ps_string(void *ctx, const unsigned char *s, size_t l) { (void)s; (void)l; return scan_value(ctx, 0, true, false); }
static int ps_start_map(void *ctx) { return scan_value(ctx, 1, false, false); }
static int ps_start_array(void *ctx) { return scan_value(ctx, 2, false, false); }

static int ps_key(void *ctx, const unsigned char *s, size_t l)
{
    page_scan *p = ctx;
    if (p->depth == 1)
        p->want = (l == 8 && memcmp(s, "Findings", 8) == 0) ? 1 : (l == 9 && memcmp(s, "NextToken", 9) == 0) ? 2 : 0;
    return 1;
}

static int ps_end(void *ctx)
{
    page_scan *p = ctx;
    p->depth--;
    return 1;
}

static const yajl_callbacks page_callbacks = {ps_null, ps_bool, NULL, NULL, ps_number, ps_string, ps_start_map,
                                              ps_key, ps_end, ps_start_array, ps_end};

/* The check of every 2xx answer of GetFindings: the page's top level (the typed parser checks the
 * findings themselves). */
static asff_status check_page(void *ctx, const char *body, size_t len, asff_error *err)
{
    asff_client *c = ctx;
    page_scan p;
    asff_yalloc ya;
    yajl_handle h;
    yajl_status ys;
    memset(&p, 0, sizeof p);
    asff__yalloc_init(&ya, c->alloc);
    h = yajl_alloc(&page_callbacks, &ya.funcs, &p);
    if (!h)
        return asff_error_set(err, ASFF_ERR_NOMEM, "out of memory");
    ys = yajl_parse(h, (const unsigned char *)body, len);
    if (ys == yajl_status_ok)
        ys = yajl_complete_parse(h);
    yajl_free(h);
    if (ya.failed)
        return asff_error_set(err, ASFF_ERR_NOMEM, "out of memory");
    if (ys == yajl_status_ok && !p.findings)
        p.why = "has no Findings array";
    if (ys != yajl_status_ok && !p.why)
        return asff_error_set(err, ASFF_ERR_SYNTAX, "GetFindings answer is not JSON");
    if (p.why)
        return asff__error_setf(err, ASFF_ERR_TYPE, "GetFindings answer does not match its shape: it %s", p.why);
    return ASFF_OK;
}

/* Say which page an error is about (err keeps its other fields). */
static void page_error(asff_error *err, uint64_t page, asff_status st)
{
    char msg[ASFF_ERROR_MESSAGE_SIZE];
    if (!err || st == ASFF_ERR_NOMEM)
        return;
    asff__copy_string(msg, sizeof msg, err->message);
    asff__error_setf(err, st, "GetFindings page %llu: %s", (unsigned long long)page, msg);
}

asff_status asff_client_get_findings(asff_client *c, const asff_get_findings_options *options,
                                     asff_get_findings_fn fn, void *ctx, uint64_t *count, asff_error *err)
{
    static const asff_get_findings_options defaults = ASFF_GET_FINDINGS_OPTIONS_INIT;
    asff_parse_options po = ASFF_PARSE_OPTIONS_INIT;
    asff_parser *parser;
    pager_ctx pc;
    asff_buf body, path, token;
    asff_status st = ASFF_OK;
    uint64_t page = 0;
    asff_error_clear(err);
    if (count)
        *count = 0;
    if (!c || !fn)
        return asff_error_set(err, ASFF_ERR_INVALID_ARG, "asff_client_get_findings: needs a client and a callback");
    if (!options)
        options = &defaults;
    if ((options->version && options->version != ASFF_GET_FINDINGS_OPTIONS_VERSION) || options->page_size > 100)
        return asff_error_set(err, ASFF_ERR_INVALID_ARG, "GetFindings options: unknown version or page_size over 100");
    po.envelope = ASFF_ENVELOPE_FINDINGS;
    po.allocator = c->alloc;
    memset(&pc, 0, sizeof pc);
    pc.fn = fn;
    pc.ctx = ctx;
    pc.max = options->max_findings;
    (void)asff_parser_new(&po, on_finding, NULL, &pc, &parser, NULL);
    if (!parser)
        return asff_error_set(err, ASFF_ERR_NOMEM, "out of memory");
    asff__buf_init(&body, c->alloc);
    asff__buf_init(&path, c->alloc);
    asff__buf_init(&token, c->alloc);
    if (asff__buf_appendf(&path, "%s/findings", ASFF_BASE_PATH(c)) != ASFF_OK)
        st = asff_error_set(err, ASFF_ERR_NOMEM, "out of memory");
    while (st == ASFF_OK) {
        asff_response resp;
        const asff_document *doc;
        st = request_body(c, options, token.len ? token.data : NULL, &body, err);
        if (st != ASFF_OK)
            break;
        page++;
        st = asff__client_send_checked(c, ASFF_OP_GetFindings, "POST", path.data, NULL, body.data, body.len, check_page,
                                       c, &resp, err);
        if (st != ASFF_OK) {
            page_error(err, page, st);
            break;
        }
        asff_parser_reset(parser);
        st = asff_parser_feed(parser, resp.body, resp.len, err);
        if (st == ASFF_OK)
            st = asff_parser_finish(parser, err);
        asff_response_cleanup(c, &resp);
        if (st == ASFF_ERR_ABORTED && pc.full) {
            st = ASFF_OK;
            break;
        }
        if (st != ASFF_OK) {
            if (st == ASFF_ERR_ABORTED)
                asff_error_set(err, st, "GetFindings stopped by the caller");
            else
                page_error(err, page, st);
            asff__redact_error(err, &c->secrets);
            break;
        }
        doc = asff_parser_document(parser);
        if (!doc || !doc->next_token || !doc->next_token[0])
            break;
        if (token.len && strcmp(token.data, doc->next_token) == 0) {
            /* the same token again would page forever */
            st = asff_error_set(err, ASFF_ERR_STATE, "GetFindings returned the NextToken it was given");
            break;
        }
        asff__buf_reset(&token);
        if (asff__buf_append(&token, doc->next_token, strlen(doc->next_token)) != ASFF_OK)
            st = asff_error_set(err, ASFF_ERR_NOMEM, "out of memory");
    }
    if (count)
        *count = pc.delivered;
    asff_parser_free(parser);
    asff__buf_cleanup(&body);
    asff__buf_cleanup(&path);
    asff__buf_cleanup(&token);
    return st;
}
