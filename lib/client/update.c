/* BatchUpdateFindings in calls of <= 100 identifiers, every identifier reported exactly once. */
#include <stdarg.h>
#include <stdio.h>
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

typedef struct gen_sink {
    asff_buf *b;
    asff_status st;
} gen_sink;

static void sink(void *ctx, const char *s, size_t len)
{
    gen_sink *k = ctx;
    if (k->st == ASFF_OK)
        k->st = asff__buf_append(k->b, s, len);
}

typedef struct update_run {
    asff_client *c;
    asff_update_fn fn;
    asff_update_warn_fn on_warning;
    asff_call_fn on_call;     /* options version 2 */
    bool dry_run;
    void *ctx;
    asff_update_stats stats;
    bool aborted;
    yajl_val answer;     /* the last answer that matched BatchUpdateFindingsResponse */
    asff_buf code, msg;  /* redacted texts of the outcome being reported */
} update_run;

static void report(update_run *u, uint64_t index, yajl_val ident, bool processed, const char *code, const char *msg)
{
    asff_update_outcome o;
    o.index = index;
    o.id = member_string(ident, "Id");
    o.product_arn = member_string(ident, "ProductArn");
    o.processed = processed;
    if (processed)
        u->stats.processed++;
    else
        u->stats.unprocessed++;
    o.error_code = processed ? NULL : code;
    o.error_message = processed ? NULL : (msg ? msg : "");
    if (!processed) {
        /* texts from the server never carry the credentials' secrets */
        asff__redact_outcome(&u->code, &u->msg, &o.error_code, &o.error_message, &u->c->secrets);
    }
    if (u->fn && u->fn(u->ctx, &o) != 0)
        u->aborted = true;
}

/* A warning about an answer: counted, and told to on_warning as one printable, redacted line. */
static void warn(update_run *u, uint64_t *counter, const char *fmt, ...) ASFF_PRINTF(3, 4);
static void warn(update_run *u, uint64_t *counter, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    (*counter)++;
    if (!u->on_warning)
        return;
    va_start(ap, fmt);
    asff__warning_line(line, sizeof line, &u->c->secrets, fmt, ap);
    va_end(ap);
    u->on_warning(u->ctx, line);
}

/* An AwsSecurityFindingIdentifier: Id and ProductArn strings. */
static bool is_identifier(yajl_val v)
{
    return member_string(v, "Id") && member_string(v, "ProductArn");
}

static asff_status answer_error(asff_error *err, const char *list, size_t i, const char *what)
{
    asff__error_setf(err, ASFF_ERR_TYPE, "BatchUpdateFindings response does not match its shape: /%s/%zu %s", list,
                    i, what);
    if (err)
        snprintf(err->path, sizeof err->path, "/%s/%zu", list, i);
    return ASFF_ERR_TYPE;
}

/* The check of every 2xx answer: BatchUpdateFindingsResponse (both lists required by the model). */
static asff_status check_answer(void *ctx, const char *body, size_t len, asff_error *err)
{
    update_run *u = ctx;
    yajl_val v = NULL, done, not_done;
    asff_status st;
    size_t i;
    asff__json_free(u->answer, u->c->alloc);
    u->answer = NULL;
    st = asff__json_parse(body, len, NULL, u->c->alloc, &v, err);
    if (st != ASFF_OK) {
        u->stats.invalid_responses++;
        return st;
    }
    done = member(v, "ProcessedFindings");
    not_done = member(v, "UnprocessedFindings");
    if (!YAJL_IS_ARRAY(done) || !YAJL_IS_ARRAY(not_done)) {
        asff__json_free(v, u->c->alloc);
        u->stats.invalid_responses++;
        asff_error_set(err, ASFF_ERR_TYPE, "BatchUpdateFindings response does not match its shape: it needs "
                                           "ProcessedFindings and UnprocessedFindings arrays");
        return ASFF_ERR_TYPE;
    }
    for (i = 0; st == ASFF_OK && i < done->u.array.len; i++)
        if (!is_identifier(done->u.array.values[i]))
            st = answer_error(err, "ProcessedFindings", i, "is not a finding identifier");
    for (i = 0; st == ASFF_OK && i < not_done->u.array.len; i++) {
        yajl_val e = not_done->u.array.values[i];
        if (!is_identifier(member(e, "FindingIdentifier")) || !member_string(e, "ErrorCode") ||
            !member_string(e, "ErrorMessage"))
            st = answer_error(err, "UnprocessedFindings", i, "needs FindingIdentifier, ErrorCode and ErrorMessage");
    }
    if (st != ASFF_OK) {
        asff__json_free(v, u->c->alloc);
        u->stats.invalid_responses++;
        return st;
    }
    u->answer = v;
    return ASFF_OK;
}

/* Does entry (an object with Id and ProductArn, possibly under "FindingIdentifier") name ident? */
static bool same_finding(yajl_val entry, yajl_val ident)
{
    const char *a = member_string(entry, "Id"), *b = member_string(entry, "ProductArn");
    const char *x = member_string(ident, "Id"), *y = member_string(ident, "ProductArn");
    return a && b && x && y && strcmp(a, x) == 0 && strcmp(b, y) == 0;
}

/* The end of the call that starts at start: at most UPDATE_MAX_IDS identifiers, and none twice (an
 * answer names findings, so a repeated one would match two positions). */
static size_t call_end(yajl_val ids, size_t start)
{
    size_t end, j;
    for (end = start + 1; end < ids->u.array.len && end - start < UPDATE_MAX_IDS; end++)
        for (j = start; j < end; j++)
            if (same_finding(ids->u.array.values[j], ids->u.array.values[end]))
                return end;
    return end;
}

/* One entry of the answer's list, for the identifiers [start, end): the position it names (its
 * count in named[] goes up), or end with a warning when it names none of them or one already named. */
static size_t match_entry(update_run *u, yajl_val ids, size_t start, size_t end, unsigned char *named, yajl_val ident,
                          const char *list, size_t q)
{
    size_t i;
    for (i = start; i < end; i++)
        if (same_finding(ident, ids->u.array.values[i]))
            break;
    if (i == end) {
        warn(u, &u->stats.unknown_ids,
             "BatchUpdateFindings answer names Id '%.200s' (ProductArn '%.200s') in %s/%zu, which was not in the call",
             member_string(ident, "Id"), member_string(ident, "ProductArn"), list, q);
        return end;
    }
    if (named[i - start]) {
        warn(u, &u->stats.duplicate_ids, "BatchUpdateFindings answer names Id '%.200s' more than once (%s/%zu)",
             member_string(ident, "Id"), list, q);
        if (named[i - start] < 2)
            named[i - start] = 2; /* named twice: never counted processed */
        return end;
    }
    named[i - start] = 1;
    return i;
}

/* Report [start, end) from a well-formed answer. An identifier is processed only when the answer lists
 * it in ProcessedFindings, once, and nowhere in UnprocessedFindings. */
static void report_answer(update_run *u, yajl_val ids, size_t start, size_t end)
{
    yajl_val done = member(u->answer, "ProcessedFindings"), not_done = member(u->answer, "UnprocessedFindings");
    unsigned char named[UPDATE_MAX_IDS];
    size_t unproc[UPDATE_MAX_IDS]; /* index into not_done + 1, 0 = none */
    bool proc[UPDATE_MAX_IDS];
    size_t q, i;
    memset(named, 0, sizeof named);
    memset(unproc, 0, sizeof unproc);
    memset(proc, 0, sizeof proc);
    /* the unprocessed first: a finding the answer lists in both lists is not processed */
    for (q = 0; q < not_done->u.array.len; q++) {
        i = match_entry(u, ids, start, end, named, member(not_done->u.array.values[q], "FindingIdentifier"),
                        "UnprocessedFindings", q);
        if (i < end)
            unproc[i - start] = q + 1;
    }
    for (q = 0; q < done->u.array.len; q++) {
        i = match_entry(u, ids, start, end, named, done->u.array.values[q], "ProcessedFindings", q);
        if (i < end)
            proc[i - start] = true;
    }
    for (i = start; i < end; i++) {
        yajl_val ident = ids->u.array.values[i];
        if (unproc[i - start]) {
            yajl_val entry = not_done->u.array.values[unproc[i - start] - 1];
            report(u, i, ident, false, member_string(entry, "ErrorCode"), member_string(entry, "ErrorMessage"));
        } else if (named[i - start] > 1) {
            report(u, i, ident, false, "InvalidResponse",
                   "the answer named this finding more than once, in contradiction with itself");
        } else if (proc[i - start]) {
            report(u, i, ident, true, NULL, NULL);
        } else {
            report(u, i, ident, false, "NotReported", "the answer named this finding nowhere");
        }
    }
}

/* The request with FindingIdentifiers [start, end) into body. */
static asff_status write_call(update_run *u, yajl_val root, yajl_val ids, size_t start, size_t end, asff_buf *body,
                              asff_error *err)
{
    asff_yalloc ya;
    yajl_gen g;
    gen_sink k;
    size_t i;
    bool written = true;
    asff__yalloc_init(&ya, u->c->alloc);
    g = yajl_gen_alloc(&ya.funcs);
    if (!g)
        return asff_error_set(err, ASFF_ERR_NOMEM, "out of memory");
    asff__buf_reset(body);
    k.b = body;
    k.st = ASFF_OK;
    yajl_gen_config(g, yajl_gen_print_callback, sink, &k);
    yajl_gen_map_open(g);
    for (i = 0; written && i < root->u.object.len; i++) {
        const char *key = root->u.object.keys[i];
        yajl_gen_string(g, (const unsigned char *)key, strlen(key));
        if (root->u.object.values[i] == ids) {
            size_t j;
            yajl_gen_array_open(g);
            for (j = start; j < end; j++)
                asff__client_gen_value(g, ids->u.array.values[j]);
            yajl_gen_array_close(g);
        } else {
            written = asff__client_gen_value(g, root->u.object.values[i]);
        }
    }
    yajl_gen_map_close(g);
    yajl_gen_free(g);
    if (k.st != ASFF_OK || ya.failed)
        return asff_error_set(err, ASFF_ERR_NOMEM, "out of memory");
    if (!written || !body->len || body->data[body->len - 1] != '}')
        return asff_error_set(err, ASFF_ERR_LIMIT, "BatchUpdateFindings request cannot be written (too deep?)");
    return ASFF_OK;
}

asff_status asff_client_batch_update_findings(asff_client *c, const char *request, size_t len,
                                              const asff_update_options *options, asff_update_fn fn, void *ctx,
                                              asff_update_stats *stats, asff_error *err)
{
    yajl_val root = NULL, ids;
    asff_buf body, path;
    update_run u;
    size_t start, end, i, next = 0;
    asff_status st = ASFF_OK;
    asff_error_clear(err);
    if (stats)
        memset(stats, 0, sizeof *stats);
    if (!c || !request)
        return asff_error_set(err, ASFF_ERR_INVALID_ARG, "asff_client_batch_update_findings: bad arguments");
    if (options && options->version > ASFF_UPDATE_OPTIONS_VERSION)
        return asff_error_set(err, ASFF_ERR_INVALID_ARG, "asff_update_options: unknown version");
    st = asff__json_parse(request, len, NULL, c->alloc, &root, err);
    if (st == ASFF_ERR_TRUNCATED && err)
        err->code = ASFF_ERR_SYNTAX; /* cut short is not JSON either, as asff_client_invoke says */
    if (st != ASFF_OK)
        return st == ASFF_ERR_TRUNCATED ? ASFF_ERR_SYNTAX : st;
    ids = member(root, "FindingIdentifiers");
    if (!YAJL_IS_ARRAY(ids)) {
        asff__json_free(root, c->alloc);
        return asff_error_set(err, ASFF_ERR_INVALID_ARG, "BatchUpdateFindings request needs a FindingIdentifiers array");
    }
    for (i = 0; i < ids->u.array.len; i++)
        if (!is_identifier(ids->u.array.values[i])) {
            asff__error_setf(err, ASFF_ERR_INVALID_ARG, "FindingIdentifiers/%zu needs Id and ProductArn strings", i);
            if (err)
                snprintf(err->path, sizeof err->path, "/FindingIdentifiers/%zu", i);
            asff__json_free(root, c->alloc);
            return ASFF_ERR_INVALID_ARG;
        }
    memset(&u, 0, sizeof u);
    u.c = c;
    u.fn = fn;
    u.on_warning = options ? options->on_warning : NULL;
    if (options && options->version != 1) { /* version 1 structs end at on_warning */
        u.dry_run = options->dry_run;
        u.on_call = options->on_call;
    }
    u.ctx = ctx;
    u.stats.identifiers = ids->u.array.len;
    asff__buf_init(&u.code, c->alloc);
    asff__buf_init(&u.msg, c->alloc);
    asff__buf_init(&body, c->alloc);
    asff__buf_init(&path, c->alloc);
    if (asff__buf_appendf(&path, "%s/findings/batchupdate", ASFF_BASE_PATH(c)) != ASFF_OK)
        st = asff_error_set(err, ASFF_ERR_NOMEM, "out of memory");
    for (start = 0; st == ASFF_OK && start < ids->u.array.len; start = end) {
        asff_error e;
        asff_status cs;
        bool sent = !u.aborted;
        end = call_end(ids, start);
        st = write_call(&u, root, ids, start, end, &body, err);
        if (st != ASFF_OK)
            break;
        asff_error_clear(&e);
        if (sent && u.on_call) {
            asff_call_info ci = {"BatchUpdateFindings", asff_client_region(c), NULL, (uint64_t)(end - start), body.len,
                                 !u.dry_run};
            u.on_call(u.ctx, &ci);
        }
        if (sent && u.dry_run) {
            for (i = start; i < end; i++)
                report(&u, i, ids->u.array.values[i], false, "DryRun", "not sent (dry run)");
            next = end;
            continue;
        }
        cs = !sent ? asff_error_set(&e, ASFF_ERR_ABORTED, "stopped by the caller")
                   : asff__client_send_checked(c, ASFF_OP_BatchUpdateFindings, "PATCH", path.data, NULL, body.data,
                                               body.len, check_answer, &u, NULL, &e);
        if (sent)
            u.stats.calls++;
        next = end;
        if (cs == ASFF_OK) {
            report_answer(&u, ids, start, end);
            asff__json_free(u.answer, c->alloc);
            u.answer = NULL;
        } else {
            for (i = start; i < end; i++)
                report(&u, i, ids->u.array.values[i], false, asff__call_code(cs, &e), e.message);
            if (sent)
                u.stats.failed_calls++;
            if (err)
                *err = e;
            if (cs == ASFF_ERR_NOMEM || cs == ASFF_ERR_CREDENTIALS || cs == ASFF_ERR_ABORTED)
                st = cs;
        }
    }
    /* identifiers of calls never made (after a fatal error) are reported too */
    for (i = next; i < ids->u.array.len; i++)
        report(&u, i, ids->u.array.values[i], false, st == ASFF_ERR_ABORTED ? "Aborted" : "Internal",
               "not sent: the update stopped before this call");
    if (st == ASFF_OK && u.aborted)
        st = asff_error_set(err, ASFF_ERR_ABORTED, "BatchUpdateFindings stopped by the caller");
    if (st == ASFF_OK && u.stats.failed_calls)
        st = ASFF_ERR_PARTIAL;
    if (stats)
        *stats = u.stats;
    asff__json_free(u.answer, c->alloc);
    asff__buf_cleanup(&u.code);
    asff__buf_cleanup(&u.msg);
    asff__buf_cleanup(&body);
    asff__buf_cleanup(&path);
    asff__json_free(root, c->alloc);
    return st;
}
