/* GetFindings: page after page, each page parsed with the streaming parser and handed on finding by
 * finding. One page (<= 100 findings) is held at a time, so memory does not grow with the result. */
#include <string.h>
#include "asff/codec.h"
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

static void sink_print(void *ctx, const char *s, size_t len)
{
    asff_buf *b = ctx;
    asff__buf_append(b, s, len); /* a failure shows up as a short body that the service refuses */
}

/* The request body without NextToken: {"Filters":..,"SortCriteria":..,"MaxResults":n} as a tree-validated
 * filter, written with yajl_gen. */
static asff_status request_body(asff_client *c, const asff_get_findings_options *o, const char *token,
                                asff_buf *out, asff_error *err)
{
    yajl_gen g;
    yajl_val filters = NULL;
    char *typed = NULL;
    asff_status st = ASFF_OK;
    char ebuf[128];
    const char *ftext = o->filters_json;
    char num[32];
    if (!ftext && o->filters) {
        size_t len;
        st = asff_to_json(o->filters, false, &typed, &len, err);
        if (st != ASFF_OK)
            return st;
        ftext = typed;
    }
    if (ftext) {
        filters = yajl_tree_parse(ftext, ebuf, sizeof ebuf);
        if (!filters || !YAJL_IS_OBJECT(filters)) {
            if (filters)
                yajl_tree_free(filters);
            asff_free_string(typed);
            return asff__error_setf(err, ASFF_ERR_FILTER, "Filters must be a JSON object (AwsSecurityFindingFilters)");
        }
    }
    asff_free_string(typed);
    g = yajl_gen_alloc(NULL);
    if (!g) {
        if (filters)
            yajl_tree_free(filters);
        return asff_error_set(err, ASFF_ERR_NOMEM, "out of memory");
    }
    asff__buf_reset(out);
    yajl_gen_config(g, yajl_gen_print_callback, sink_print, out);
    yajl_gen_map_open(g);
    if (filters) {
        yajl_gen_string(g, (const unsigned char *)"Filters", 7);
        if (!asff__client_gen_value(g, filters))
            st = asff_error_set(err, ASFF_ERR_LIMIT, "Filters are nested too deeply");
        yajl_tree_free(filters);
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
    (void)c;
    return st;
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
        st = asff__client_send(c, ASFF_OP_GetFindings, "POST", path.data, NULL, body.data, body.len, &resp, err);
        if (st != ASFF_OK)
            break;
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
