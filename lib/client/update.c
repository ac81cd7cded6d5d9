/* BatchUpdateFindings in calls of <= 100 identifiers, every identifier reported exactly once. */
#include <string.h>
#include "client/client_internal.h"

#define UPDATE_MAX_IDS 100u /* docs/reference/rules.md RD-5 */

static const char *member_string(yajl_val obj, const char *name)
{
    size_t i;
    if (!YAJL_IS_OBJECT(obj))
        return NULL;
    for (i = 0; i < obj->u.object.len; i++)
        if (strcmp(obj->u.object.keys[i], name) == 0 && YAJL_IS_STRING(obj->u.object.values[i]))
            return obj->u.object.values[i]->u.string;
    return NULL;
}

static yajl_val member(yajl_val obj, const char *name)
{
    size_t i;
    if (!YAJL_IS_OBJECT(obj))
        return NULL;
    for (i = 0; i < obj->u.object.len; i++)
        if (strcmp(obj->u.object.keys[i], name) == 0)
            return obj->u.object.values[i];
    return NULL;
}

static void sink(void *ctx, const char *s, size_t len)
{
    asff_buf *b = ctx;
    asff__buf_append(b, s, len); /* a short body on failure: caught by the length check below */
}

typedef struct update_run {
    asff_update_fn fn;
    void *ctx;
    bool aborted;
} update_run;

static void report(update_run *u, uint64_t index, yajl_val ident, bool processed, const char *code, const char *msg)
{
    asff_update_outcome o;
    o.index = index;
    o.id = member_string(ident, "Id");
    o.product_arn = member_string(ident, "ProductArn");
    o.processed = processed;
    o.error_code = processed ? NULL : code;
    o.error_message = processed ? NULL : (msg ? msg : "");
    if (u->fn && u->fn(u->ctx, &o) != 0)
        u->aborted = true;
}

/* Does entry (an object with Id and ProductArn, possibly under "FindingIdentifier") name ident? */
static bool same_finding(yajl_val entry, yajl_val ident)
{
    const char *a = member_string(entry, "Id"), *b = member_string(entry, "ProductArn");
    const char *x = member_string(ident, "Id"), *y = member_string(ident, "ProductArn");
    return a && b && x && y && strcmp(a, x) == 0 && strcmp(b, y) == 0;
}

asff_status asff_client_batch_update_findings(asff_client *c, const char *request, size_t len, asff_update_fn fn,
                                              void *ctx, asff_error *err)
{
    yajl_val root, ids;
    char ebuf[128], *copy;
    asff_buf body, path;
    update_run u;
    size_t start, i, next = 0, failed_calls = 0;
    asff_status st = ASFF_OK;
    if (!c || !request)
        return asff_error_set(err, ASFF_ERR_INVALID_ARG, "asff_client_batch_update_findings: bad arguments");
    copy = asff__malloc(c->alloc, len + 1);
    if (!copy)
        return asff_error_set(err, ASFF_ERR_NOMEM, "out of memory");
    memcpy(copy, request, len);
    copy[len] = '\0';
    root = yajl_tree_parse(copy, ebuf, sizeof ebuf);
    asff__free(c->alloc, copy);
    if (!root)
        return asff_error_set(err, ASFF_ERR_SYNTAX, "BatchUpdateFindings request is not JSON");
    ids = member(root, "FindingIdentifiers");
    if (!YAJL_IS_ARRAY(ids)) {
        yajl_tree_free(root);
        return asff_error_set(err, ASFF_ERR_INVALID_ARG, "BatchUpdateFindings request needs a FindingIdentifiers array");
    }
    for (i = 0; i < ids->u.array.len; i++)
        if (!member_string(ids->u.array.values[i], "Id") || !member_string(ids->u.array.values[i], "ProductArn")) {
            asff__error_setf(err, ASFF_ERR_INVALID_ARG, "FindingIdentifiers/%zu needs Id and ProductArn strings", i);
            if (err)
                snprintf(err->path, sizeof err->path, "/FindingIdentifiers/%zu", i);
            yajl_tree_free(root);
            return ASFF_ERR_INVALID_ARG;
        }
    u.fn = fn;
    u.ctx = ctx;
    u.aborted = false;
    asff__buf_init(&body, c->alloc);
    asff__buf_init(&path, c->alloc);
    if (asff__buf_appendf(&path, "%s/findings/batchupdate", ASFF_BASE_PATH(c)) != ASFF_OK)
        st = asff_error_set(err, ASFF_ERR_NOMEM, "out of memory");
    for (start = 0; st == ASFF_OK && start < ids->u.array.len; start += UPDATE_MAX_IDS) {
        size_t end = start + UPDATE_MAX_IDS < ids->u.array.len ? start + UPDATE_MAX_IDS : ids->u.array.len;
        yajl_gen g = yajl_gen_alloc(NULL);
        asff_response resp;
        asff_error e;
        asff_status cs;
        if (!g) {
            st = asff_error_set(err, ASFF_ERR_NOMEM, "out of memory");
            break;
        }
        asff__buf_reset(&body);
        yajl_gen_config(g, yajl_gen_print_callback, sink, &body);
        yajl_gen_map_open(g);
        for (i = 0; i < root->u.object.len; i++) {
            const char *k = root->u.object.keys[i];
            yajl_gen_string(g, (const unsigned char *)k, strlen(k));
            if (root->u.object.values[i] == ids) {
                size_t j;
                yajl_gen_array_open(g);
                for (j = start; j < end; j++)
                    asff__client_gen_value(g, ids->u.array.values[j]);
                yajl_gen_array_close(g);
            } else if (!asff__client_gen_value(g, root->u.object.values[i])) {
                break;
            }
        }
        yajl_gen_map_close(g);
        yajl_gen_free(g);
        if (i < root->u.object.len || !body.len || body.data[body.len - 1] != '}') {
            st = asff_error_set(err, ASFF_ERR_LIMIT, "BatchUpdateFindings request cannot be written (too deep?)");
            break;
        }
        asff_error_clear(&e);
        cs = u.aborted ? asff_error_set(&e, ASFF_ERR_ABORTED, "stopped by the caller")
                       : asff__client_send(c, ASFF_OP_BatchUpdateFindings, "PATCH", path.data, NULL, body.data, body.len,
                                          &resp, &e);
        if (cs == ASFF_OK) {
            yajl_val ans = yajl_tree_parse(resp.body, ebuf, sizeof ebuf);
            yajl_val done = member(ans, "ProcessedFindings"), not_done = member(ans, "UnprocessedFindings");
            for (i = start; i < end; i++) {
                yajl_val ident = ids->u.array.values[i];
                size_t k;
                bool reported = false;
                for (k = 0; YAJL_IS_ARRAY(not_done) && k < not_done->u.array.len && !reported; k++) {
                    yajl_val entry = not_done->u.array.values[k];
                    if (same_finding(member(entry, "FindingIdentifier"), ident)) {
                        const char *code = member_string(entry, "ErrorCode");
                        report(&u, i, ident, false, code ? code : "Unknown", member_string(entry, "ErrorMessage"));
                        reported = true;
                    }
                }
                for (k = 0; YAJL_IS_ARRAY(done) && k < done->u.array.len && !reported; k++)
                    if (same_finding(done->u.array.values[k], ident)) {
                        report(&u, i, ident, true, NULL, NULL);
                        reported = true;
                    }
                if (!reported)
                    report(&u, i, ident, false, "NotReported", "the answer named this finding nowhere");
            }
            if (ans)
                yajl_tree_free(ans);
            asff_response_cleanup(c, &resp);
            next = end;
        } else {
            const char *code = e.aws_code[0] ? e.aws_code
                               : cs == ASFF_ERR_NETWORK ? "NetworkError"
                               : cs == ASFF_ERR_TIMEOUT ? "Timeout"
                               : cs == ASFF_ERR_HTTP ? "HttpError"
                               : cs == ASFF_ERR_ABORTED ? "Aborted"
                               : cs == ASFF_ERR_CREDENTIALS ? "Credentials"
                                                            : "Internal";
            for (i = start; i < end; i++)
                report(&u, i, ids->u.array.values[i], false, code, e.message);
            next = end;
            failed_calls++;
            if (cs == ASFF_ERR_NOMEM || cs == ASFF_ERR_CREDENTIALS || cs == ASFF_ERR_ABORTED) {
                if (err)
                    *err = e;
                st = cs;
            } else if (err) {
                *err = e;
            }
        }
    }
    /* identifiers of calls never made (after a fatal error) are reported too */
    for (i = next; i < ids->u.array.len; i++)
        report(&u, i, ids->u.array.values[i], false, st == ASFF_ERR_ABORTED ? "Aborted" : "Internal",
               "not sent: the update stopped before this call");
    if (st == ASFF_OK && u.aborted)
        st = asff_error_set(err, ASFF_ERR_ABORTED, "BatchUpdateFindings stopped by the caller");
    if (st == ASFF_OK && failed_calls)
        st = ASFF_ERR_PARTIAL;
    asff__buf_cleanup(&body);
    asff__buf_cleanup(&path);
    yajl_tree_free(root);
    return st;
}
