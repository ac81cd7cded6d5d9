/* The client's parsers of untrusted bytes: HTTP header lines, AWS error bodies, BatchImportFindings
 * responses, and the finding compactor. All of them are fuzzed (fuzz/httpresp.c). */
#include <ctype.h>
#include <string.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_parse.h>
#include <yajl/yajl_tree.h>
#include "client/client_internal.h"

/* Error bodies are small; anything larger is not read as JSON (bounds the tree yajl builds). */
#define ERROR_BODY_MAX (64u * 1024u)

static bool ieq_prefix(const char *s, size_t len, const char *name)
{
    size_t n = strlen(name), i;
    if (len < n)
        return false;
    for (i = 0; i < n; i++)
        if (tolower((unsigned char)s[i]) != name[i])
            return false;
    return true;
}

/* Copy len bytes into dst[size] as printable ASCII (anything else becomes '?'), trimmed. */
static void copy_trimmed(char *dst, size_t size, const char *s, size_t len)
{
    size_t i, o = 0;
    while (len && (*s == ' ' || *s == '\t')) {
        s++;
        len--;
    }
    while (len && (s[len - 1] == '\r' || s[len - 1] == '\n' || s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    for (i = 0; i < len && o + 1 < size; i++) {
        unsigned char ch = (unsigned char)s[i];
        dst[o++] = (ch >= 0x20 && ch < 0x7f) ? (char)ch : '?';
    }
    dst[o] = '\0';
}

void asff__http_header_line(asff_http_headers *h, const char *line, size_t len)
{
    if (len >= 5 && memcmp(line, "HTTP/", 5) == 0) {
        size_t i = 5;
        int status = 0, digits = 0;
        memset(h, 0, sizeof *h);
        while (i < len && line[i] != ' ')
            i++;
        while (i < len && line[i] == ' ')
            i++;
        while (i < len && digits < 3 && line[i] >= '0' && line[i] <= '9') {
            status = status * 10 + (line[i] - '0');
            digits++;
            i++;
        }
        h->status = digits == 3 ? status : 0;
        return;
    }
    if (ieq_prefix(line, len, "x-amzn-requestid:"))
        copy_trimmed(h->request_id, sizeof h->request_id, line + 17, len - 17);
    else if (ieq_prefix(line, len, "x-amz-request-id:") && !h->request_id[0])
        copy_trimmed(h->request_id, sizeof h->request_id, line + 17, len - 17);
    else if (ieq_prefix(line, len, "x-amzn-errortype:"))
        copy_trimmed(h->error_type, sizeof h->error_type, line + 17, len - 17);
}

static const char *const throttling_codes[] = {
    "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
    "TooManyRequestsException", "ProvisionedThroughputExceededException", "TransactionInProgressException",
    "RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled",
    "SlowDown", "PriorRequestNotComplete", "EC2ThrottledException", NULL};

bool asff_client_is_throttling_code(const char *aws_code)
{
    size_t i;
    if (!aws_code)
        return false;
    for (i = 0; throttling_codes[i]; i++)
        if (strcmp(aws_code, throttling_codes[i]) == 0)
            return true;
    return false;
}

bool asff_client_is_retryable(const asff_error *err)
{
    if (!err)
        return false;
    switch (err->code) {
    case ASFF_ERR_THROTTLED:
    case ASFF_ERR_NETWORK:
    case ASFF_ERR_TIMEOUT:
        return true;
    case ASFF_ERR_AWS:
    case ASFF_ERR_HTTP:
        return err->http_status >= 500 && err->http_status <= 599 && err->http_status != 501;
    default:
        return false;
    }
}

uint64_t asff_client_backoff_ms(unsigned attempt, unsigned base_ms, unsigned cap_ms, uint64_t r)
{
    uint64_t ceiling = base_ms;
    unsigned i;
    if (attempt == 0)
        return 0;
    for (i = 1; i < attempt && ceiling < cap_ms; i++)
        ceiling *= 2;
    if (ceiling > cap_ms)
        ceiling = cap_ms;
    return r % (ceiling + 1);
}

static const char *tree_string(yajl_val obj, const char *name)
{
    size_t i;
    if (!YAJL_IS_OBJECT(obj))
        return NULL;
    for (i = 0; i < obj->u.object.len; i++)
        if (strcmp(obj->u.object.keys[i], name) == 0 && YAJL_IS_STRING(obj->u.object.values[i]))
            return obj->u.object.values[i]->u.string;
    return NULL;
}

/* yajl_tree_parse needs a NUL-terminated copy. */
static yajl_val parse_tree(const char *body, size_t len, const asff_allocator *alloc, char *errbuf, size_t errsize)
{
    char *copy = asff__malloc(alloc, len + 1);
    yajl_val v;
    if (!copy)
        return NULL;
    memcpy(copy, body, len);
    copy[len] = '\0';
    v = yajl_tree_parse(copy, errbuf, errsize);
    asff__free(alloc, copy);
    return v;
}

asff_status asff_client_parse_error(int http_status, const char *error_type, const char *request_id,
                                    const char *body, size_t body_len, asff_error *err)
{
    char code[ASFF_ERROR_AWS_SIZE] = "";
    char message[ASFF_ERROR_MESSAGE_SIZE] = "";
    asff_status st;
    if (http_status >= 200 && http_status <= 299) {
        asff_error_clear(err);
        if (err) {
            err->http_status = http_status;
            asff__copy_string(err->request_id, sizeof err->request_id, request_id ? request_id : "");
        }
        return ASFF_OK;
    }
    if (error_type && error_type[0]) {
        size_t n = strcspn(error_type, ":");
        copy_trimmed(code, sizeof code, error_type, n);
    }
    if (body && body_len && body_len <= ERROR_BODY_MAX) {
        char ebuf[64];
        yajl_val v = parse_tree(body, body_len, NULL, ebuf, sizeof ebuf);
        if (v) {
            const char *t = tree_string(v, "__type");
            const char *m = tree_string(v, "message");
            if (!t)
                t = tree_string(v, "code");
            if (!t)
                t = tree_string(v, "Code");
            if (!m)
                m = tree_string(v, "Message");
            if (t && !code[0]) {
                const char *hash = strrchr(t, '#');
                const char *s = hash ? hash + 1 : t;
                copy_trimmed(code, sizeof code, s, strcspn(s, ":"));
            }
            if (m)
                copy_trimmed(message, sizeof message, m, strlen(m));
            yajl_tree_free(v);
        }
    }
    if (asff_client_is_throttling_code(code) || http_status == 429)
        st = ASFF_ERR_THROTTLED;
    else if (code[0])
        st = ASFF_ERR_AWS;
    else
        st = ASFF_ERR_HTTP;
    if (!err)
        return st;
    asff_error_clear(err);
    if (code[0] && message[0])
        asff__error_setf(err, st, "%s (HTTP %d): %s", code, http_status, message);
    else if (code[0])
        asff__error_setf(err, st, "%s (HTTP %d)", code, http_status);
    else
        asff__error_setf(err, st, "HTTP %d from the endpoint", http_status);
    err->http_status = http_status;
    asff__copy_string(err->aws_code, sizeof err->aws_code, code);
    asff__copy_string(err->request_id, sizeof err->request_id, request_id ? request_id : "");
    return st;
}

asff_status asff__parse_import_response(const char *body, size_t len, const asff_allocator *alloc,
                                       void (*fn)(void *ctx, const asff_failed_finding *f), void *ctx,
                                       asff_error *err)
{
    char ebuf[128];
    yajl_val v, failed = NULL;
    size_t i;
    bool has_counts = false;
    v = parse_tree(body, len, alloc, ebuf, sizeof ebuf);
    if (!v)
        return asff__error_setf(err, ASFF_ERR_SYNTAX, "BatchImportFindings response is not JSON");
    if (!YAJL_IS_OBJECT(v)) {
        yajl_tree_free(v);
        return asff__error_setf(err, ASFF_ERR_TYPE, "BatchImportFindings response is not an object");
    }
    for (i = 0; i < v->u.object.len; i++) {
        if (strcmp(v->u.object.keys[i], "FailedFindings") == 0)
            failed = v->u.object.values[i];
        else if (strcmp(v->u.object.keys[i], "SuccessCount") == 0 && YAJL_IS_NUMBER(v->u.object.values[i]))
            has_counts = true;
    }
    if (!has_counts && !failed) {
        yajl_tree_free(v);
        return asff__error_setf(err, ASFF_ERR_TYPE, "BatchImportFindings response has neither SuccessCount "
                                                   "nor FailedFindings");
    }
    if (failed && !YAJL_IS_NULL(failed)) {
        if (!YAJL_IS_ARRAY(failed)) {
            yajl_tree_free(v);
            return asff__error_setf(err, ASFF_ERR_TYPE, "FailedFindings is not an array");
        }
        for (i = 0; i < failed->u.array.len; i++) {
            asff_failed_finding f;
            yajl_val e = failed->u.array.values[i];
            f.id = tree_string(e, "Id");
            f.code = tree_string(e, "ErrorCode");
            f.message = tree_string(e, "ErrorMessage");
            if (!f.id)
                continue;
            if (!f.code)
                f.code = "Unknown";
            if (!f.message)
                f.message = "";
            fn(ctx, &f);
        }
    }
    yajl_tree_free(v);
    return ASFF_OK;
}

/* ---- compactor: yajl parser events replayed into a yajl generator ---------------------------------- */

typedef struct compact_ctx {
    yajl_gen g;
    asff_buf *out, *id, *product_arn;
    int depth;
    int want;            /* 1: the next value is the top-level Id, 2: ProductArn */
    bool done;           /* the top-level object closed */
    asff_status st;
} compact_ctx;

static void gen_print(void *ctx, const char *s, size_t len)
{
    compact_ctx *c = ctx;
    if (c->st == ASFF_OK && asff__buf_append(c->out, s, len) != ASFF_OK)
        c->st = ASFF_ERR_NOMEM;
}

static int value_start(compact_ctx *c, bool container)
{
    if (c->depth == 0 && (!container || c->done))
        return 0; /* the top level must be exactly one object */
    c->want = container ? 0 : c->want;
    return c->st == ASFF_OK;
}

static int cb_null(void *ctx)
{
    compact_ctx *c = ctx;
    if (!value_start(c, false))
        return 0;
    c->want = 0;
    return yajl_gen_null(c->g) == yajl_gen_status_ok;
}

static int cb_bool(void *ctx, int b)
{
    compact_ctx *c = ctx;
    if (!value_start(c, false))
        return 0;
    c->want = 0;
    return yajl_gen_bool(c->g, b) == yajl_gen_status_ok;
}

static int cb_number(void *ctx, const char *s, size_t len)
{
    compact_ctx *c = ctx;
    if (!value_start(c, false))
        return 0;
    c->want = 0;
    return yajl_gen_number(c->g, s, len) == yajl_gen_status_ok;
}

static int cb_string(void *ctx, const unsigned char *s, size_t len)
{
    compact_ctx *c = ctx;
    asff_buf *target;
    if (!value_start(c, false))
        return 0;
    target = c->want == 1 ? c->id : c->want == 2 ? c->product_arn : NULL;
    c->want = 0;
    if (target) {
        asff__buf_reset(target);
        if (asff__buf_append(target, s, len) != ASFF_OK) {
            c->st = ASFF_ERR_NOMEM;
            return 0;
        }
    }
    return yajl_gen_string(c->g, s, len) == yajl_gen_status_ok;
}

static int cb_start_map(void *ctx)
{
    compact_ctx *c = ctx;
    if (!value_start(c, true))
        return 0;
    c->depth++;
    return yajl_gen_map_open(c->g) == yajl_gen_status_ok;
}

static int cb_map_key(void *ctx, const unsigned char *s, size_t len)
{
    compact_ctx *c = ctx;
    c->want = 0;
    if (c->depth == 1 && len == 2 && memcmp(s, "Id", 2) == 0)
        c->want = 1;
    else if (c->depth == 1 && len == 10 && memcmp(s, "ProductArn", 10) == 0)
        c->want = 2;
    return yajl_gen_string(c->g, s, len) == yajl_gen_status_ok;
}

static int cb_end_map(void *ctx)
{
    compact_ctx *c = ctx;
    c->depth--;
    if (c->depth == 0)
        c->done = true;
    return yajl_gen_map_close(c->g) == yajl_gen_status_ok;
}

static int cb_start_array(void *ctx)
{
    compact_ctx *c = ctx;
    if (c->depth == 0)
        return 0;
    c->want = 0;
    c->depth++;
    return yajl_gen_array_open(c->g) == yajl_gen_status_ok;
}

static int cb_end_array(void *ctx)
{
    compact_ctx *c = ctx;
    c->depth--;
    return yajl_gen_array_close(c->g) == yajl_gen_status_ok;
}

static const yajl_callbacks compact_callbacks = {cb_null,     cb_bool,    NULL,         NULL,          cb_number,
                                                 cb_string,   cb_start_map, cb_map_key, cb_end_map,
                                                 cb_start_array, cb_end_array};

asff_status asff__json_compact_finding(const char *json, size_t len, asff_buf *out, asff_buf *id,
                                      asff_buf *product_arn, asff_error *err)
{
    compact_ctx c;
    yajl_handle h;
    yajl_status ys;
    memset(&c, 0, sizeof c);
    c.out = out;
    c.id = id;
    c.product_arn = product_arn;
    asff__buf_reset(id);
    asff__buf_reset(product_arn);
    c.g = yajl_gen_alloc(NULL);
    if (!c.g)
        return asff_error_set(err, ASFF_ERR_NOMEM, "out of memory");
    yajl_gen_config(c.g, yajl_gen_print_callback, gen_print, &c);
    /* depth limit of the generator: yajl_gen refuses deeper than 128 levels, so do we */
    h = yajl_alloc(&compact_callbacks, NULL, &c);
    if (!h) {
        yajl_gen_free(c.g);
        return asff_error_set(err, ASFF_ERR_NOMEM, "out of memory");
    }
    ys = yajl_parse(h, (const unsigned char *)json, len);
    if (ys == yajl_status_ok)
        ys = yajl_complete_parse(h);
    if (c.st == ASFF_OK && (ys != yajl_status_ok || !c.done)) {
        if (ys == yajl_status_client_canceled || (ys == yajl_status_ok && !c.done))
            c.st = asff__error_setf(err, ASFF_ERR_TYPE, "a finding must be one JSON object");
        else {
            c.st = asff__error_setf(err, ASFF_ERR_SYNTAX, "finding is not valid JSON");
            if (err)
                err->offset = yajl_get_bytes_consumed(h);
        }
    } else if (c.st != ASFF_OK)
        asff_error_set(err, c.st, "out of memory");
    yajl_free(h);
    yajl_gen_free(c.g);
    return c.st;
}
