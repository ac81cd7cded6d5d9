/* BatchImportFindings: batches of <= 100 findings and <= 6 MB, every finding reported exactly once. */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include "asff/codec.h"
#include "asff/validate.h"
#include "client/client_internal.h"

/* The batch's Ids by hash, open addressing; over twice the largest batch, so probes stay short. */
#define ID_SLOTS 256u
_Static_assert(ID_SLOTS >= 2 * ASFF_BATCH_MAX_FINDINGS && (ID_SLOTS & (ID_SLOTS - 1)) == 0, "ID_SLOTS");

/* A finding of the batch. Its JSON is already in the body being built and its Id and ProductArn in
 * `names`, by offset (both buffers grow): no allocation per finding. */
typedef struct pending {
    uint64_t index;
    size_t off;           /* its compact JSON: body.data + off */
    size_t len;
    size_t id_off;        /* names.data + id_off: Id, NUL, ProductArn, NUL */
    size_t arn_off;
    uint64_t id_hash;     /* of the Id: the duplicate check compares these before strings */
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
    asff_buf body;        /* {"Findings":[ and the batch's findings joined by ',' */
    asff_buf names;       /* the batch's Ids and ProductArns */
    asff_buf body2, names2; /* where the next batch starts (resubmissions) while the last is reported */
    asff_buf scratch, id, arn;
    uint16_t ids[ID_SLOTS]; /* batch index + 1 by Id hash, 0 = free */
    asff_writer *writer;  /* asff_importer_add: one writer for all findings, output to scratch */
    bool scratch_nomem;   /* the writer's output did not fit in memory */
    bool aborted;
    asff_status fatal;    /* the importer cannot go on: every later finding is reported failed */
    asff_error fatal_err;
    asff__import_response answer; /* the last answer that matched its shape */
    asff_report *report;  /* validation before sending */
    asff_buf text, text2; /* redacted error code and message of the outcome being reported */
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

static uint64_t hash_string(const char *s)
{
    return asff__hash_bytes(s, strlen(s), 0);
}

static const char *pending_id(const asff_importer *imp, const pending *p)
{
    return imp->names.data + p->id_off;
}

static const char *pending_arn(const asff_importer *imp, const pending *p)
{
    return imp->names.data + p->arn_off;
}

static void report(asff_importer *imp, uint64_t index, const char *id, const char *arn, const char *code,
                   const char *message, unsigned attempts)
{
    asff_import_outcome o;
    const asff__secrets *sec = &imp->c->secrets;
    o.index = index;
    o.id = id ? id : "";
    o.product_arn = arn ? arn : "";
    o.imported = code == NULL;
    o.error_code = code;
    o.error_message = code ? (message ? message : "") : NULL;
    o.attempts = attempts;
    if (code && sec->n) {
        /* texts that came from a server never carry the credentials' secrets */
        asff__redact_outcome(&imp->text, &imp->text2, &o.error_code, &o.error_message, sec);
    }
    if (code)
        imp->stats.failed++;
    else
        imp->stats.imported++;
    /* after a stop the callback still hears of every finding; its answer no longer matters */
    if (imp->fn && imp->fn(imp->ctx, &o) != 0)
        imp->aborted = true;
}

/* A warning about an answer: counted, and told to on_warning as one printable, redacted line. */
static void warn(asff_importer *imp, uint64_t *counter, const char *fmt, ...) ASFF_PRINTF(3, 4);
static void warn(asff_importer *imp, uint64_t *counter, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    (*counter)++;
    if (!imp->opt.on_warning)
        return;
    va_start(ap, fmt);
    asff__warning_line(line, sizeof line, &imp->c->secrets, fmt, ap);
    va_end(ap);
    imp->opt.on_warning(imp->ctx, line);
}

asff_status asff_importer_new(asff_client *c, const asff_import_options *options, asff_import_fn on_outcome,
                              void *ctx, asff_importer **out, asff_error *err)
{
    static const asff_import_options defaults = ASFF_IMPORT_OPTIONS_INIT;
    asff_importer *imp;
    asff_import_options opt = defaults;
    asff_error_clear(err);
    if (!out)
        return asff_error_set(err, ASFF_ERR_INVALID_ARG, "asff_importer_new: out is NULL");
    *out = NULL;
    if (!c)
        return asff_error_set(err, ASFF_ERR_INVALID_ARG, "asff_importer_new: no client");
    if (options && (options->version < 1 || options->version > ASFF_IMPORT_OPTIONS_VERSION))
        return asff__error_setf(err, ASFF_ERR_INVALID_ARG, "asff_import_options version %u is unknown",
                               options->version);
    if (options) {
        /* older callers' structs end earlier: version 1 at no_validate, version 2 at dry_run */
        if (options->version == 1)
            memcpy(&opt, options, offsetof(asff_import_options, no_validate));
        else if (options->version == 2)
            memcpy(&opt, options, offsetof(asff_import_options, dry_run));
        else
            opt = *options;
    }
    options = &opt;
    if (options->max_findings > ASFF_BATCH_MAX_FINDINGS || options->max_body > ASFF_BATCH_MAX_BYTES ||
        (options->max_body && options->max_body < ASFF_FINDING_MAX_BYTES + BODY_OVERHEAD))
        return asff__error_setf(err, ASFF_ERR_INVALID_ARG,
                               "max_findings must be 1..%u and max_body %u..%u bytes", ASFF_BATCH_MAX_FINDINGS,
                               ASFF_FINDING_MAX_BYTES + BODY_OVERHEAD, ASFF_BATCH_MAX_BYTES);
    imp = asff__malloc(c->alloc, sizeof *imp);
    if (!imp)
        return asff_error_set(err, ASFF_ERR_NOMEM, "out of memory");
    memset(imp, 0, sizeof *imp);
    imp->c = c;
    imp->opt = *options;
    imp->opt.version = ASFF_IMPORT_OPTIONS_VERSION;
    if (!imp->opt.max_findings)
        imp->opt.max_findings = ASFF_BATCH_MAX_FINDINGS;
    if (!imp->opt.max_body)
        imp->opt.max_body = ASFF_BATCH_MAX_BYTES;
    imp->fn = on_outcome;
    imp->ctx = ctx;
    imp->batch = asff__malloc(c->alloc, imp->opt.max_findings * sizeof *imp->batch);
    imp->again = asff__malloc(c->alloc, imp->opt.max_findings * sizeof *imp->again);
    if (!imp->opt.no_validate)
        (void)asff_report_new(c->alloc, &imp->report, NULL);
    if (!imp->batch || !imp->again || (!imp->opt.no_validate && !imp->report)) {
        asff__free(c->alloc, imp->batch);
        asff__free(c->alloc, imp->again);
        asff_report_free(imp->report);
        asff__free(c->alloc, imp);
        return asff_error_set(err, ASFF_ERR_NOMEM, "out of memory");
    }
    asff__buf_init(&imp->body, c->alloc);
    asff__buf_init(&imp->names, c->alloc);
    asff__buf_init(&imp->body2, c->alloc);
    asff__buf_init(&imp->names2, c->alloc);
    asff__buf_init(&imp->scratch, c->alloc);
    asff__buf_init(&imp->id, c->alloc);
    asff__buf_init(&imp->arn, c->alloc);
    asff__buf_init(&imp->text, c->alloc);
    asff__buf_init(&imp->text2, c->alloc);
    *out = imp;
    return ASFF_OK;
}

static size_t id_slot(const asff_importer *imp, uint64_t h, const char *id);

/* The answer's FailedFindings entry f for the batch: the finding it names fails (or goes back for
 * resubmission); an Id not in the batch, or named before, is a warning. */
static void on_failed(asff_importer *imp, const asff_failed_finding *f)
{
    size_t k = imp->ids[id_slot(imp, hash_string(f->id), f->id)];
    pending *p;
    if (!k) {
        warn(imp, &imp->stats.unknown_ids,
             "BatchImportFindings answer names Id '%.200s' in FailedFindings, which was not in the batch", f->id);
        return;
    }
    p = &imp->batch[k - 1];
    if (p->done) {
        warn(imp, &imp->stats.duplicate_ids, "BatchImportFindings answer names Id '%.200s' more than once",
             f->id);
        return;
    }
    p->done = true;
    if (code_retryable(f->code) && p->resubmits < imp->opt.resubmit && imp->again_count < imp->opt.max_findings) {
        p->resubmits++;
        imp->stats.resubmitted++;
        imp->again[imp->again_count++] = *p; /* moved: copied into the next batch by send_batch */
    } else {
        report(imp, p->index, pending_id(imp, p), pending_arn(imp, p), f->code, f->message, p->attempts);
    }
}

/* The check of every 2xx answer (asff__client_send_checked): the shape of BatchImportFindingsResponse.
 * The answer is kept for send_batch. */
static asff_status check_answer(void *ctx, const char *body, size_t len, asff_error *err)
{
    asff_importer *imp = ctx;
    asff_status st;
    asff__import_response_free(&imp->answer, imp->c->alloc);
    st = asff__import_response_parse(body, len, imp->c->alloc, &imp->answer, err);
    if (st != ASFF_OK && st != ASFF_ERR_NOMEM)
        imp->stats.invalid_responses++;
    return st;
}

/* Add a finding's JSON and names to the batch being built in body and names (the caller has
 * checked that it fits). On failure both are as they were. */
static asff_status batch_append(asff_buf *body, asff_buf *names, pending *p, const char *json, const char *id,
                                const char *arn)
{
    size_t body_len = body->len, names_len = names->len, idlen = strlen(id), arnlen = strlen(arn);
    asff_status st = body->len ? asff__buf_putc(body, ',') : asff__buf_append(body, "{\"Findings\":[", 13);
    if (st == ASFF_OK) {
        p->off = body->len;
        st = asff__buf_append(body, json, p->len);
    }
    if (st == ASFF_OK) {
        p->id_off = names->len;
        p->arn_off = p->id_off + idlen + 1;
        st = asff__buf_append(names, id, idlen + 1);
    }
    if (st == ASFF_OK)
        st = asff__buf_append(names, arn, arnlen + 1);
    if (st != ASFF_OK) {
        body->len = body_len;
        names->len = names_len;
        if (body->data)
            body->data[body_len] = '\0';
        if (names->data)
            names->data[names_len] = '\0';
    }
    return st;
}

/* The slot of Id id (hash h) in imp->ids: where it is, or the free one where it would go. */
static size_t id_slot(const asff_importer *imp, uint64_t h, const char *id)
{
    size_t k = (size_t)h & (ID_SLOTS - 1);
    while (imp->ids[k]) {
        const pending *p = &imp->batch[imp->ids[k] - 1];
        if (p->id_hash == h && strcmp(pending_id(imp, p), id) == 0)
            break;
        k = (k + 1) & (ID_SLOTS - 1);
    }
    return k;
}

static bool id_in_batch(const asff_importer *imp, uint64_t h, const char *id)
{
    return imp->ids[id_slot(imp, h, id)] != 0;
}

/* p becomes the batch's next finding (its names are in imp->names). */
static void batch_push(asff_importer *imp, const pending *p)
{
    imp->batch[imp->count++] = *p;
    imp->bytes += p->len;
    imp->ids[id_slot(imp, p->id_hash, pending_id(imp, p))] = (uint16_t)imp->count;
}

/* on_call of the batch about to be sent (its body complete). */
static void tell_call(asff_importer *imp, bool sent)
{
    asff_call_info ci;
    if (!imp->opt.on_call)
        return;
    ci.operation = "BatchImportFindings";
    ci.region = asff_client_region(imp->c);
    ci.account = NULL;
    ci.findings = imp->count;
    ci.bytes = imp->body.len;
    ci.sent = sent;
    imp->opt.on_call(imp->ctx, &ci);
}

/* Send the batch; report or move every finding in it; the batch is empty afterwards. */
static asff_status send_batch(asff_importer *imp, asff_error *err)
{
    asff_client *c = imp->c;
    asff_error e;
    asff_status st, ret = ASFF_OK;
    size_t i, n;
    bool dry = false;
    if (!imp->count)
        return ASFF_OK;
    for (i = 0; i < imp->count; i++) {
        imp->batch[i].attempts++;
        imp->batch[i].done = false;
    }
    /* the findings are in the body already: close it */
    st = asff__buf_append(&imp->body, "]}", 2);
    asff_error_clear(&e);
    if (st != ASFF_OK)
        st = asff_error_set(&e, ASFF_ERR_NOMEM, "out of memory");
    else if (imp->fatal != ASFF_OK) {
        e = imp->fatal_err;
        st = imp->fatal;
    } else if (imp->aborted)
        st = asff_error_set(&e, ASFF_ERR_ABORTED, "import stopped by the caller");
    else if (imp->opt.dry_run) {
        tell_call(imp, false);
        dry = true;
    } else {
        tell_call(imp, true);
        asff_buf path;
        asff__buf_init(&path, c->alloc);
        if (asff__buf_appendf(&path, "%s/findings/import", ASFF_BASE_PATH(c)) != ASFF_OK)
            st = asff_error_set(&e, ASFF_ERR_NOMEM, "out of memory");
        else
            st = asff__client_send_checked(c, ASFF_OP_BatchImportFindings, "POST", path.data, NULL, imp->body.data,
                                           imp->body.len, check_answer, imp, NULL, &e);
        asff__buf_cleanup(&path);
        imp->stats.calls++;
    }
    if (st == ASFF_OK && !dry) {
        /* a well-formed answer: what it names failed, what it names nowhere was imported */
        const asff__import_response *a = &imp->answer;
        for (i = 0; i < a->nfailed; i++)
            on_failed(imp, &a->failed[i]);
        if (a->failed_count != (int64_t)a->nfailed)
            warn(imp, &imp->stats.count_mismatches,
                 "BatchImportFindings answer says FailedCount %lld but lists %zu FailedFindings",
                 (long long)a->failed_count, a->nfailed);
        else if (a->success_count + a->failed_count != (int64_t)imp->count)
            warn(imp, &imp->stats.count_mismatches,
                 "BatchImportFindings answer counts %lld succeeded and %lld failed for a batch of %zu",
                 (long long)a->success_count, (long long)a->failed_count, imp->count);
    }
    asff__import_response_free(&imp->answer, c->alloc);
    for (i = 0; i < imp->count; i++) {
        pending *p = &imp->batch[i];
        if (!p->done && dry)
            report(imp, p->index, pending_id(imp, p), pending_arn(imp, p), "DryRun", "not sent (dry run)", p->attempts);
        else if (!p->done)
            report(imp, p->index, pending_id(imp, p), pending_arn(imp, p), st == ASFF_OK ? NULL : asff__call_code(st, &e),
                   e.message, p->attempts);
    }
    imp->count = 0;
    imp->bytes = 0;
    /* errors that end the importer, as opposed to errors of this batch alone */
    if (st == ASFF_ERR_NOMEM || st == ASFF_ERR_CREDENTIALS || st == ASFF_ERR_ABORTED || st == ASFF_ERR_INVALID_ARG) {
        if (imp->fatal == ASFF_OK) {
            imp->fatal = st;
            imp->fatal_err = e;
        }
        if (err)
            *err = e;
        ret = st;
    }
    if (imp->aborted && ret == ASFF_OK)
        ret = asff_error_set(err, ASFF_ERR_ABORTED, "import stopped by the caller");
    if (imp->aborted && imp->fatal == ASFF_OK) {
        imp->fatal = ASFF_ERR_ABORTED;
        asff_error_clear(&imp->fatal_err);
        asff_error_set(&imp->fatal_err, ASFF_ERR_ABORTED, "import stopped by the caller");
    }
    /* retryable failures start the next batch, built beside this one, which then makes way */
    asff__buf_reset(&imp->body2);
    asff__buf_reset(&imp->names2);
    for (i = 0, n = 0; i < imp->again_count; i++) {
        const pending *p = &imp->again[i];
        pending q = *p;
        if (batch_append(&imp->body2, &imp->names2, &q, imp->body.data + p->off, pending_id(imp, p),
                         pending_arn(imp, p)) != ASFF_OK) {
            report(imp, p->index, pending_id(imp, p), pending_arn(imp, p), "Internal", "out of memory", p->attempts);
            continue;
        }
        imp->again[n++] = q; /* with its offsets in body2 and names2 (n <= i) */
    }
    {
        asff_buf t = imp->body;
        imp->body = imp->body2;
        imp->body2 = t;
        t = imp->names;
        imp->names = imp->names2;
        imp->names2 = t;
    }
    memset(imp->ids, 0, sizeof imp->ids);
    for (i = 0; i < n; i++)
        batch_push(imp, &imp->again[i]);
    imp->again_count = 0;
    return ret;
}

/* The importer stopped for good: the finding is reported failed with the reason, which is returned. */
static asff_status refuse(asff_importer *imp, uint64_t index, const char *id, const char *arn, asff_error *err)
{
    report(imp, index, id, arn, asff__call_code(imp->fatal, &imp->fatal_err), imp->fatal_err.message, 0);
    if (err)
        *err = imp->fatal_err;
    return imp->fatal;
}

/* Check a finding with Security Hub's rules before it is sent (typed f, or json parsed here): 0 when
 * it may go, 1 when it has errors (reported failed "InvalidFinding" with each rule id and JSON
 * Pointer), -1 when out of memory (reported too). */
static int check_finding(asff_importer *imp, const asff_AwsSecurityFinding *f, const char *json, size_t len,
                         uint64_t index, const char *id, const char *arn)
{
    asff_validate_options vo = ASFF_VALIDATE_OPTIONS_INIT;
    void *obj = NULL;
    asff_status st;
    asff_buf msg;
    size_t i, errors = 0;
    int verdict = 0;
    asff_report_clear(imp->report);
    asff__buf_init(&msg, imp->c->alloc);
    if (!f) {
        asff_parse_options po = ASFF_PARSE_OPTIONS_INIT;
        asff_error e;
        asff_error_clear(&e);
        po.allocator = imp->c->alloc;
        st = asff_parse_object(json, len, 0, &po, &obj, &e);
        if (st != ASFF_OK) {
            if (st == ASFF_ERR_NOMEM) {
                report(imp, index, id, arn, "Internal", "out of memory", 0);
                return -1;
            }
            /* the model does not hold it: Security Hub would refuse it too */
            if (asff__buf_appendf(&msg, "not sent: [model] %s: %s", e.path[0] ? e.path : "/", e.message) != ASFF_OK) {
                report(imp, index, id, arn, "Internal", "out of memory", 0);
                return -1;
            }
            imp->stats.invalid++;
            report(imp, index, id, arn, "InvalidFinding", msg.data, 0);
            asff__buf_cleanup(&msg);
            return 1;
        }
        f = obj;
    }
    vo.skip_size = true; /* measured by the importer itself (FindingTooLarge) */
    st = asff_validate(f, &vo, imp->report);
    if (st == ASFF_ERR_INVALID) {
        st = asff__buf_append(&msg, "not sent:", 9);
        for (i = 0; st == ASFF_OK && i < asff_report_count(imp->report); i++) {
            const asff_violation *v = asff_report_get(imp->report, i);
            if (v->level != ASFF_LEVEL_ERROR)
                continue;
            st = asff__buf_appendf(&msg, "%s [%s] %s: %s", errors ? ";" : "", v->rule, v->path[0] ? v->path : "/",
                                  v->message);
            errors++;
        }
    }
    if (st == ASFF_OK && errors) {
        imp->stats.invalid++;
        report(imp, index, id, arn, "InvalidFinding", msg.data, 0);
        verdict = 1;
    } else if (st != ASFF_OK) {
        report(imp, index, id, arn, "Internal", "out of memory", 0);
        verdict = -1;
    }
    asff__buf_cleanup(&msg);
    if (obj)
        asff_object_free(obj);
    return verdict;
}

/* Add a compact finding (json[len], copied; typed f when the caller has it) to the batch; the batch is
 * sent first when it would not fit. */
static asff_status enqueue(asff_importer *imp, const char *json, size_t len, const char *id, const char *arn,
                           const asff_AwsSecurityFinding *f, asff_error *err)
{
    uint64_t index = imp->stats.added++;
    pending p;
    asff_status st;
    if (imp->fatal != ASFF_OK)
        return refuse(imp, index, id, arn, err);
    if (!id || !id[0]) {
        report(imp, index, "", arn, "MissingId", "the finding has no Id", 0);
        return imp->aborted ? asff_error_set(err, ASFF_ERR_ABORTED, "import stopped by the caller") : ASFF_OK;
    }
    if (len > ASFF_FINDING_MAX_BYTES) {
        char msg[128];
        snprintf(msg, sizeof msg, "the finding is %zu bytes of compact JSON, over the limit of %u", len,
                 ASFF_FINDING_MAX_BYTES);
        report(imp, index, id, arn, "FindingTooLarge", msg, 0);
        return imp->aborted ? asff_error_set(err, ASFF_ERR_ABORTED, "import stopped by the caller") : ASFF_OK;
    }
    if (!arn)
        arn = "";
    if (!imp->opt.no_validate) {
        int v = check_finding(imp, f, json, len, index, id, arn);
        if (v < 0)
            return asff_error_set(err, ASFF_ERR_NOMEM, "out of memory");
        if (v > 0)
            return imp->aborted ? asff_error_set(err, ASFF_ERR_ABORTED, "import stopped by the caller") : ASFF_OK;
    }
    memset(&p, 0, sizeof p);
    p.index = index;
    p.len = len;
    p.id_hash = hash_string(id);
    while (imp->count && (imp->count >= imp->opt.max_findings ||
                          imp->bytes + imp->count + len + BODY_OVERHEAD > imp->opt.max_body ||
                          id_in_batch(imp, p.id_hash, id))) {
        st = send_batch(imp, err);
        if (st != ASFF_OK)
            return refuse(imp, p.index, id, arn, err);
    }
    if (batch_append(&imp->body, &imp->names, &p, json, id, arn) != ASFF_OK) {
        report(imp, index, id, arn, "Internal", "out of memory", 0);
        return asff_error_set(err, ASFF_ERR_NOMEM, "out of memory");
    }
    batch_push(imp, &p);
    return ASFF_OK;
}

asff_status asff_importer_add_json(asff_importer *imp, const char *json, size_t len, asff_error *err)
{
    asff_status st;
    asff_error_clear(err);
    if (!imp || (!json && len))
        return asff_error_set(err, ASFF_ERR_INVALID_ARG, "asff_importer_add_json: bad arguments");
    asff__buf_reset(&imp->scratch);
    st = asff__json_compact_finding(json ? json : "", len, &imp->scratch, &imp->id, &imp->arn, err);
    if (st != ASFF_OK) {
        asff_error e;
        char msg[ASFF_ERROR_MESSAGE_SIZE];
        if (!err) {
            asff_error_clear(&e);
            asff__json_compact_finding(json ? json : "", len, &imp->scratch, &imp->id, &imp->arn, &e);
            err = &e;
        }
        asff__copy_string(msg, sizeof msg, err->message);
        report(imp, imp->stats.added++, "", "", "InvalidJson", msg, 0);
        if (st == ASFF_ERR_NOMEM)
            return st;
        return imp->aborted ? asff_error_set(err, ASFF_ERR_ABORTED, "import stopped by the caller") : ASFF_OK;
    }
    return enqueue(imp, imp->scratch.data, imp->scratch.len, imp->id.data ? imp->id.data : "",
                   imp->arn.data ? imp->arn.data : "", NULL, err);
}

static int to_scratch(void *ctx, const char *data, size_t len)
{
    asff_importer *imp = ctx;
    if (asff__buf_append(&imp->scratch, data, len) == ASFF_OK)
        return 0;
    imp->scratch_nomem = true;
    return -1;
}

asff_status asff_importer_add(asff_importer *imp, const asff_AwsSecurityFinding *finding, asff_error *err)
{
    asff_status st;
    asff_error_clear(err);
    if (!imp || !finding)
        return asff_error_set(err, ASFF_ERR_INVALID_ARG, "asff_importer_add: bad arguments");
    /* One writer for every finding: no generator, buffers and handle to set up per finding. */
    if (!imp->writer) {
        asff_write_options wo = ASFF_WRITE_OPTIONS_INIT;
        wo.format = ASFF_FORMAT_VALUE;
        wo.allocator = imp->c->alloc;
        (void)asff_writer_new_callback(to_scratch, imp, &wo, &imp->writer, NULL);
        if (!imp->writer) {
            report(imp, imp->stats.added++, finding->Id, finding->ProductArn, "Internal", "out of memory", 0);
            return asff_error_set(err, ASFF_ERR_NOMEM, "out of memory");
        }
    }
    asff__buf_reset(&imp->scratch);
    imp->scratch_nomem = false;
    st = asff_writer_write(imp->writer, finding, err);
    if ((st == ASFF_OK && !imp->scratch.data && asff__buf_reserve(&imp->scratch, 0) != ASFF_OK) || imp->scratch_nomem)
        st = asff_error_set(err, ASFF_ERR_NOMEM, "out of memory");
    if (st != ASFF_OK) {
        /* a failed write leaves the writer unusable: the next finding gets a new one */
        asff_writer_free(imp->writer);
        imp->writer = NULL;
        report(imp, imp->stats.added++, finding->Id, finding->ProductArn, "Internal",
               "the finding could not be serialized", 0);
        return st == ASFF_ERR_NOMEM ? st : ASFF_OK;
    }
    return enqueue(imp, imp->scratch.data, imp->scratch.len, finding->Id ? finding->Id : "",
                   finding->ProductArn ? finding->ProductArn : "", finding, err);
}

asff_status asff_importer_flush(asff_importer *imp, asff_error *err)
{
    asff_status st = ASFF_OK;
    asff_error_clear(err);
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
    for (i = 0; i < imp->count; i++)
        report(imp, imp->batch[i].index, pending_id(imp, &imp->batch[i]), pending_arn(imp, &imp->batch[i]),
               "Internal", "importer freed before flush", imp->batch[i].attempts);
    asff__free(imp->c->alloc, imp->batch);
    asff__free(imp->c->alloc, imp->again);
    asff__buf_cleanup(&imp->body);
    asff__buf_cleanup(&imp->names);
    asff__buf_cleanup(&imp->body2);
    asff__buf_cleanup(&imp->names2);
    asff__buf_cleanup(&imp->scratch);
    asff__buf_cleanup(&imp->id);
    asff__buf_cleanup(&imp->arn);
    asff_writer_free(imp->writer);
    asff_report_free(imp->report);
    asff__import_response_free(&imp->answer, imp->c->alloc);
    asff__buf_cleanup(&imp->text);
    asff__buf_cleanup(&imp->text2);
    asff__free(imp->c->alloc, imp);
}
