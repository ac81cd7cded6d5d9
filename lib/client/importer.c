/* BatchImportFindings: batches of <= 100 findings and <= 6 MB, every finding reported exactly once. */
#include <string.h>
#include "asff/codec.h"
#include "client/client_internal.h"

typedef struct pending {
    uint64_t index;
    char *json;           /* compact JSON (allocator-owned) */
    size_t len;
    char *id;
    char *product_arn;
    unsigned attempts;    /* calls that carried it */
    unsigned resubmits;
    bool done;            /* reported (or moved to the resubmit list) in the current batch */
} pending;

struct asff_importer {
    asff_client *c;
    asff_import_options opt;
    asff_import_fn fn;
    void *ctx;
    pending *batch;       /* the batch being filled (at most opt.max_findings) */
    size_t count;
    size_t bytes;         /* sum of the findings' lengths */
    pending *again;       /* failed with a retryable code, to be sent once more */
    size_t again_count;
    asff_import_stats stats;
    asff_buf body, scratch, id, arn;
    bool aborted;
};

/* {"Findings":[ + items joined by ',' + ]} */
#define BODY_OVERHEAD 15u

static const char *const retryable_codes[] = {"InternalFailure", "InternalError", "InternalException",
                                              "ConcurrentUpdateError", "ServiceUnavailable", "Throttling",
                                              "ThrottlingException", "TooManyRequestsException",
                                              "LimitExceededException", NULL};

static bool code_retryable(const char *code)
{
    size_t i;
    for (i = 0; retryable_codes[i]; i++)
        if (strcmp(code, retryable_codes[i]) == 0)
            return true;
    return false;
}

static char *dup_n(const asff_allocator *a, const char *s, size_t n)
{
    char *d = asff_malloc(a, n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

static void pending_free(asff_importer *imp, pending *p)
{
    asff_free(imp->c->alloc, p->json);
    asff_free(imp->c->alloc, p->id);
    asff_free(imp->c->alloc, p->product_arn);
    p->json = p->id = p->product_arn = NULL;
}

static void report(asff_importer *imp, uint64_t index, const char *id, const char *arn, const char *code,
                   const char *message, unsigned attempts)
{
    asff_import_outcome o;
    o.index = index;
    o.id = id ? id : "";
    o.product_arn = arn ? arn : "";
    o.imported = code == NULL;
    o.error_code = code;
    o.error_message = code ? (message ? message : "") : NULL;
    o.attempts = attempts;
    if (code)
        imp->stats.failed++;
    else
        imp->stats.imported++;
    /* after a stop the callback still hears of every finding; its answer no longer matters */
    if (imp->fn && imp->fn(imp->ctx, &o) != 0)
        imp->aborted = true;
}

asff_status asff_importer_new(asff_client *c, const asff_import_options *options, asff_import_fn on_outcome,
                              void *ctx, asff_importer **out, asff_error *err)
{
    static const asff_import_options defaults = ASFF_IMPORT_OPTIONS_INIT;
    asff_importer *imp;
    if (!out)
        return asff_error_set(err, ASFF_ERR_INVALID_ARG, "asff_importer_new: out is NULL");
    *out = NULL;
    if (!c)
        return asff_error_set(err, ASFF_ERR_INVALID_ARG, "asff_importer_new: no client");
    if (!options)
        options = &defaults;
    if (options->version != ASFF_IMPORT_OPTIONS_VERSION)
        return asff_error_setf(err, ASFF_ERR_INVALID_ARG, "asff_import_options version %u is unknown",
                               options->version);
    if (options->max_findings > ASFF_IMPORT_MAX_FINDINGS || options->max_body > ASFF_IMPORT_MAX_BODY ||
        (options->max_body && options->max_body < ASFF_IMPORT_MAX_FINDING + BODY_OVERHEAD))
        return asff_error_setf(err, ASFF_ERR_INVALID_ARG,
                               "max_findings must be 1..%u and max_body %u..%u bytes", ASFF_IMPORT_MAX_FINDINGS,
                               ASFF_IMPORT_MAX_FINDING + BODY_OVERHEAD, ASFF_IMPORT_MAX_BODY);
    imp = asff_malloc(c->alloc, sizeof *imp);
    if (!imp)
        return asff_error_set(err, ASFF_ERR_NOMEM, "out of memory");
    memset(imp, 0, sizeof *imp);
    imp->c = c;
    imp->opt = *options;
    if (!imp->opt.max_findings)
        imp->opt.max_findings = ASFF_IMPORT_MAX_FINDINGS;
    if (!imp->opt.max_body)
        imp->opt.max_body = ASFF_IMPORT_MAX_BODY;
    imp->fn = on_outcome;
    imp->ctx = ctx;
    imp->batch = asff_malloc(c->alloc, imp->opt.max_findings * sizeof *imp->batch);
    imp->again = asff_malloc(c->alloc, imp->opt.max_findings * sizeof *imp->again);
    if (!imp->batch || !imp->again) {
        asff_free(c->alloc, imp->batch);
        asff_free(c->alloc, imp->again);
        asff_free(c->alloc, imp);
        return asff_error_set(err, ASFF_ERR_NOMEM, "out of memory");
    }
    asff_buf_init(&imp->body, c->alloc);
    asff_buf_init(&imp->scratch, c->alloc);
    asff_buf_init(&imp->id, c->alloc);
    asff_buf_init(&imp->arn, c->alloc);
    *out = imp;
    return ASFF_OK;
}

typedef struct match_ctx {
    asff_importer *imp;
    size_t unmatched;
} match_ctx;

static void on_failed(void *ctx, const asff_failed_finding *f)
{
    match_ctx *m = ctx;
    asff_importer *imp = m->imp;
    size_t i;
    /* a batch never holds one Id twice, so the first pending one is the one */
    for (i = 0; i < imp->count; i++) {
        pending *p = &imp->batch[i];
        if (p->done || strcmp(p->id, f->id) != 0)
            continue;
        p->done = true;
        if (code_retryable(f->code) && p->resubmits < imp->opt.resubmit && imp->again_count < imp->opt.max_findings) {
            p->resubmits++;
            imp->stats.resubmitted++;
            imp->again[imp->again_count++] = *p;
            p->json = p->id = p->product_arn = NULL; /* moved */
        } else {
            report(imp, p->index, p->id, p->product_arn, f->code, f->message, p->attempts);
        }
        return;
    }
    m->unmatched++;
}

/* Send the batch; report or move every finding in it; the batch is empty afterwards. */
static asff_status send_batch(asff_importer *imp, asff_error *err)
{
    asff_client *c = imp->c;
    asff_response resp;
    asff_error e;
    asff_status st, ret = ASFF_OK;
    size_t i;
    if (!imp->count)
        return ASFF_OK;
    for (i = 0; i < imp->count; i++) {
        imp->batch[i].attempts++;
        imp->batch[i].done = false;
    }
    asff_buf_reset(&imp->body);
    st = asff_buf_reserve(&imp->body, imp->bytes + imp->count + BODY_OVERHEAD);
    if (st == ASFF_OK)
        st = asff_buf_append(&imp->body, "{\"Findings\":[", 13);
    for (i = 0; st == ASFF_OK && i < imp->count; i++) {
        if (i)
            st = asff_buf_putc(&imp->body, ',');
        if (st == ASFF_OK)
            st = asff_buf_append(&imp->body, imp->batch[i].json, imp->batch[i].len);
    }
    if (st == ASFF_OK)
        st = asff_buf_append(&imp->body, "]}", 2);
    asff_error_clear(&e);
    memset(&resp, 0, sizeof resp);
    if (st != ASFF_OK)
        st = asff_error_set(&e, ASFF_ERR_NOMEM, "out of memory");
    else if (imp->aborted)
        st = asff_error_set(&e, ASFF_ERR_ABORTED, "import stopped by the caller");
    else {
        asff_buf path;
        asff_buf_init(&path, c->alloc);
        if (asff_buf_appendf(&path, "%s/findings/import", ASFF_BASE_PATH(c)) != ASFF_OK)
            st = asff_error_set(&e, ASFF_ERR_NOMEM, "out of memory");
        else
            st = asff_client_send(c, ASFF_OP_BatchImportFindings, "POST", path.data, NULL, imp->body.data,
                                  imp->body.len, &resp, &e);
        asff_buf_cleanup(&path);
        imp->stats.calls++;
    }
    if (st == ASFF_OK) {
        match_ctx m;
        m.imp = imp;
        m.unmatched = 0;
        st = asff_parse_import_response(resp.body, resp.len, c->alloc, on_failed, &m, &e);
        if (st != ASFF_OK) {
            /* a 200 we cannot read: the findings' fate is unknown, so report them failed */
            char msg[ASFF_ERROR_MESSAGE_SIZE];
            asff_copy_string(msg, sizeof msg, e.message);
            asff_error_setf(&e, st, "unreadable BatchImportFindings response: %s", msg);
            asff_copy_string(e.aws_code, sizeof e.aws_code, "InvalidResponse");
        }
    }
    asff_response_cleanup(c, &resp);
    for (i = 0; i < imp->count; i++) {
        pending *p = &imp->batch[i];
        if (!p->done) {
            if (st == ASFF_OK) {
                report(imp, p->index, p->id, p->product_arn, NULL, NULL, p->attempts);
            } else {
                const char *code = e.aws_code[0] ? e.aws_code
                                   : st == ASFF_ERR_NETWORK ? "NetworkError"
                                   : st == ASFF_ERR_TIMEOUT ? "Timeout"
                                   : st == ASFF_ERR_HTTP ? "HttpError"
                                   : st == ASFF_ERR_ABORTED ? "Aborted"
                                   : st == ASFF_ERR_CREDENTIALS ? "Credentials"
                                                               : "Internal";
                report(imp, p->index, p->id, p->product_arn, code, e.message, p->attempts);
            }
        }
        pending_free(imp, p);
    }
    imp->count = 0;
    imp->bytes = 0;
    /* errors that end the importer, as opposed to errors of this batch alone */
    if (st == ASFF_ERR_NOMEM || st == ASFF_ERR_CREDENTIALS || st == ASFF_ERR_ABORTED || st == ASFF_ERR_INVALID_ARG) {
        if (err)
            *err = e;
        ret = st;
    }
    if (imp->aborted && ret == ASFF_OK)
        ret = asff_error_set(err, ASFF_ERR_ABORTED, "import stopped by the caller");
    /* retryable failures start the next batch */
    for (i = 0; i < imp->again_count; i++) {
        imp->batch[imp->count++] = imp->again[i];
        imp->bytes += imp->again[i].len;
    }
    imp->again_count = 0;
    return ret;
}

static bool id_in_batch(const asff_importer *imp, const char *id)
{
    size_t i;
    for (i = 0; i < imp->count; i++)
        if (strcmp(imp->batch[i].id, id) == 0)
            return true;
    return false;
}

/* Take over a compact finding (json[len]); the batch is sent first when it would not fit. */
static asff_status enqueue(asff_importer *imp, const char *json, size_t len, const char *id, const char *arn,
                           asff_error *err)
{
    const asff_allocator *a = imp->c->alloc;
    uint64_t index = imp->stats.added++;
    pending p;
    asff_status st;
    if (!id || !id[0]) {
        report(imp, index, "", arn, "MissingId", "the finding has no Id", 0);
        return imp->aborted ? asff_error_set(err, ASFF_ERR_ABORTED, "import stopped by the caller") : ASFF_OK;
    }
    if (len > ASFF_IMPORT_MAX_FINDING) {
        char msg[128];
        snprintf(msg, sizeof msg, "the finding is %zu bytes of compact JSON, over the limit of %u", len,
                 ASFF_IMPORT_MAX_FINDING);
        report(imp, index, id, arn, "FindingTooLarge", msg, 0);
        return imp->aborted ? asff_error_set(err, ASFF_ERR_ABORTED, "import stopped by the caller") : ASFF_OK;
    }
    memset(&p, 0, sizeof p);
    p.index = index;
    p.len = len;
    p.json = dup_n(a, json, len);
    p.id = dup_n(a, id, strlen(id));
    p.product_arn = dup_n(a, arn ? arn : "", arn ? strlen(arn) : 0);
    if (!p.json || !p.id || !p.product_arn) {
        report(imp, index, id, arn, "Internal", "out of memory", 0);
        pending_free(imp, &p);
        return asff_error_set(err, ASFF_ERR_NOMEM, "out of memory");
    }
    while (imp->count && (imp->count >= imp->opt.max_findings ||
                          imp->bytes + imp->count + len + BODY_OVERHEAD > imp->opt.max_body || id_in_batch(imp, p.id))) {
        st = send_batch(imp, err);
        if (st != ASFF_OK) {
            report(imp, p.index, p.id, p.product_arn, st == ASFF_ERR_ABORTED ? "Aborted" : "Internal",
                   "the importer stopped before this finding was sent", 0);
            pending_free(imp, &p);
            return st;
        }
    }
    imp->batch[imp->count++] = p;
    imp->bytes += len;
    return ASFF_OK;
}

asff_status asff_importer_add_json(asff_importer *imp, const char *json, size_t len, asff_error *err)
{
    asff_status st;
    if (!imp || (!json && len))
        return asff_error_set(err, ASFF_ERR_INVALID_ARG, "asff_importer_add_json: bad arguments");
    asff_buf_reset(&imp->scratch);
    st = asff_json_compact_finding(json ? json : "", len, &imp->scratch, &imp->id, &imp->arn, err);
    if (st != ASFF_OK) {
        asff_error e;
        char msg[ASFF_ERROR_MESSAGE_SIZE];
        if (!err) {
            asff_error_clear(&e);
            asff_json_compact_finding(json ? json : "", len, &imp->scratch, &imp->id, &imp->arn, &e);
            err = &e;
        }
        asff_copy_string(msg, sizeof msg, err->message);
        report(imp, imp->stats.added++, "", "", "InvalidJson", msg, 0);
        if (st == ASFF_ERR_NOMEM)
            return st;
        return imp->aborted ? asff_error_set(err, ASFF_ERR_ABORTED, "import stopped by the caller") : ASFF_OK;
    }
    return enqueue(imp, imp->scratch.data, imp->scratch.len, imp->id.data ? imp->id.data : "",
                   imp->arn.data ? imp->arn.data : "", err);
}

asff_status asff_importer_add(asff_importer *imp, const asff_AwsSecurityFinding *finding, asff_error *err)
{
    char *json = NULL;
    size_t len = 0;
    asff_status st;
    if (!imp || !finding)
        return asff_error_set(err, ASFF_ERR_INVALID_ARG, "asff_importer_add: bad arguments");
    st = asff_to_json(finding, false, &json, &len, err);
    if (st != ASFF_OK) {
        report(imp, imp->stats.added++, finding->Id, finding->ProductArn, "Internal",
               "the finding could not be serialized", 0);
        return st == ASFF_ERR_NOMEM ? st : ASFF_OK;
    }
    st = enqueue(imp, json, len, finding->Id ? finding->Id : "", finding->ProductArn ? finding->ProductArn : "", err);
    asff_free_string(json);
    return st;
}

asff_status asff_importer_flush(asff_importer *imp, asff_error *err)
{
    asff_status st = ASFF_OK;
    if (!imp)
        return asff_error_set(err, ASFF_ERR_INVALID_ARG, "asff_importer_flush: no importer");
    /* resubmissions are bounded (opt.resubmit per finding), so this ends */
    while (imp->count && st == ASFF_OK)
        st = send_batch(imp, err);
    while (imp->count) /* after a fatal error: what is left still gets its report */
        send_batch(imp, NULL);
    return st;
}

void asff_importer_get_stats(const asff_importer *imp, asff_import_stats *out)
{
    if (imp && out)
        *out = imp->stats;
}

void asff_importer_free(asff_importer *imp)
{
    size_t i;
    if (!imp)
        return;
    for (i = 0; i < imp->count; i++) {
        report(imp, imp->batch[i].index, imp->batch[i].id, imp->batch[i].product_arn, "Internal",
               "importer freed before flush", imp->batch[i].attempts);
        pending_free(imp, &imp->batch[i]);
    }
    asff_free(imp->c->alloc, imp->batch);
    asff_free(imp->c->alloc, imp->again);
    asff_buf_cleanup(&imp->body);
    asff_buf_cleanup(&imp->scratch);
    asff_buf_cleanup(&imp->id);
    asff_buf_cleanup(&imp->arn);
    asff_free(imp->c->alloc, imp);
}
