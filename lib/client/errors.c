/* The client's parsers of untrusted bytes: HTTP header lines, AWS error bodies, BatchImportFindings
 * responses, and the finding compactor. All of them are fuzzed (fuzz/httpresp.c). */
#include <ctype.h>
#include <string.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_parse.h>
#include <yajl/yajl_tree.h>
#include <stdio.h>
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

/* ---- redaction of secrets ------------------------------------------------------------------------- */

asff_status asff__secrets_add(asff__secrets *s, const asff_allocator *alloc, const char *secret, size_t len)
{
    size_t i;
    char *copy;
    if (!s || !secret || len < 4)
        return ASFF_OK;
    for (i = 0; i < s->n; i++)
        if (s->len[i] == len && memcmp(s->v[i], secret, len) == 0)
            return ASFF_OK;
    copy = asff__malloc(alloc, len + 1);
    if (!copy)
        return ASFF_ERR_NOMEM;
    memcpy(copy, secret, len);
    copy[len] = '\0';
    if (s->n == ASFF__MAX_SECRETS) {
        memset(s->v[0], 0, s->len[0]);
        asff__free(alloc, s->v[0]);
        memmove(s->v, s->v + 1, (ASFF__MAX_SECRETS - 1) * sizeof s->v[0]);
        memmove(s->len, s->len + 1, (ASFF__MAX_SECRETS - 1) * sizeof s->len[0]);
        s->n--;
    }
    s->v[s->n] = copy;
    s->len[s->n++] = len;
    return ASFF_OK;
}

void asff__secrets_clear(asff__secrets *s, const asff_allocator *alloc)
{
    size_t i;
    if (!s)
        return;
    for (i = 0; i < s->n; i++) {
        memset(s->v[i], 0, s->len[i]);
        asff__free(alloc, s->v[i]);
    }
    memset(s, 0, sizeof *s);
}

/* The length of the longest secret that starts at src[i..len), 0 when none does. */
static size_t secret_at(const char *src, size_t i, size_t len, const asff__secrets *s)
{
    size_t k, m = 0;
    for (k = 0; s && k < s->n; k++)
        if (s->len[k] > m && s->len[k] <= len - i && src[i] == s->v[k][0] && memcmp(src + i, s->v[k], s->len[k]) == 0)
            m = s->len[k];
    return m;
}

/* dst[0..*o) was cut: drop a tail that is the start (4 bytes or more) of a secret. */
static void drop_partial_tail(char *dst, size_t *o, const asff__secrets *s)
{
    size_t k, p;
    for (k = 0; s && k < s->n; k++)
        for (p = s->len[k] - 1 < *o ? s->len[k] - 1 : *o; p >= 4; p--)
            if (memcmp(dst + *o - p, s->v[k], p) == 0) {
                *o -= p;
                break;
            }
}

size_t asff__redact_into(char *dst, size_t size, const char *src, size_t len, const asff__secrets *s)
{
    static const char red[] = ASFF__REDACTED;
    size_t i = 0, o = 0;
    if (!size)
        return 0;
    while (i < len) {
        size_t m = secret_at(src, i, len, s);
        if (m) {
            if (o + sizeof red > size)
                break;
            memcpy(dst + o, red, sizeof red - 1);
            o += sizeof red - 1;
            i += m;
            continue;
        }
        if (o + 1 >= size)
            break;
        dst[o++] = src[i++];
    }
    if (i < len || o + 1 == size) /* cut here, or maybe cut before (a full field) */
        drop_partial_tail(dst, &o, s);
    dst[o] = '\0';
    return o;
}

asff_status asff__redact_buf(asff_buf *out, const char *src, size_t len, const asff__secrets *s)
{
    size_t i = 0, from = 0;
    asff_status st = ASFF_OK;
    while (i < len && st == ASFF_OK) {
        size_t m = secret_at(src, i, len, s);
        if (!m) {
            i++;
            continue;
        }
        st = asff__buf_append(out, src + from, i - from);
        if (st == ASFF_OK)
            st = asff__buf_append(out, ASFF__REDACTED, sizeof ASFF__REDACTED - 1);
        i += m;
        from = i;
    }
    if (st == ASFF_OK)
        st = asff__buf_append(out, src + from, len - from);
    return st;
}

void asff__redact_outcome(asff_buf *cb, asff_buf *mb, const char **code, const char **message,
                          const asff__secrets *s)
{
    asff__buf_reset(cb);
    asff__buf_reset(mb);
    if (asff__redact_buf(cb, *code, strlen(*code), s) == ASFF_OK && asff__buf_putc(cb, '\0') == ASFF_OK &&
        asff__redact_buf(mb, *message, strlen(*message), s) == ASFF_OK && asff__buf_putc(mb, '\0') == ASFF_OK) {
        *code = cb->data;
        *message = mb->data;
    } else {
        *code = "Internal";
        *message = "out of memory (the server's message is withheld)";
    }
}

static void redact_field(char *field, size_t size, const asff__secrets *s)
{
    char tmp[ASFF_ERROR_MESSAGE_SIZE > ASFF_ERROR_PATH_SIZE ? ASFF_ERROR_MESSAGE_SIZE : ASFF_ERROR_PATH_SIZE];
    size_t n = strlen(field);
    if (n >= sizeof tmp)
        n = sizeof tmp - 1;
    memcpy(tmp, field, n);
    asff__redact_into(field, size, tmp, n, s);
}

const char *asff__call_code(asff_status st, const asff_error *e)
{
    return e->aws_code[0] ? e->aws_code
           : st == ASFF_ERR_NETWORK ? "NetworkError"
           : st == ASFF_ERR_TIMEOUT ? "Timeout"
           : st == ASFF_ERR_HTTP ? "HttpError"
           : st == ASFF_ERR_ABORTED ? "Aborted"
           : st == ASFF_ERR_CREDENTIALS ? "Credentials"
                                        : "Internal";
}

void asff__warning_line(char *line, size_t size, const asff__secrets *s, const char *fmt, va_list ap)
{
    char raw[512];
    size_t i, n;
    vsnprintf(raw, sizeof raw, fmt, ap);
    n = asff__redact_into(line, size, raw, strlen(raw), s);
    for (i = 0; i < n; i++)
        if ((unsigned char)line[i] < 0x20 || (unsigned char)line[i] >= 0x7f)
            line[i] = '?';
}

void asff__redact_error(asff_error *err, const asff__secrets *s)
{
    if (!err || !s || !s->n)
        return;
    redact_field(err->message, sizeof err->message, s);
    redact_field(err->path, sizeof err->path, s);
    redact_field(err->aws_code, sizeof err->aws_code, s);
    redact_field(err->request_id, sizeof err->request_id, s);
}

/* ---- error bodies ----------------------------------------------------------------------------------- */

asff_status asff__parse_error(const asff_allocator *alloc, const asff__secrets *sec, int http_status,
                              const char *error_type, const char *request_id, const char *body, size_t body_len,
                              asff_error *err)
{
    char code[ASFF_ERROR_AWS_SIZE] = "";
    char message[ASFF_ERROR_MESSAGE_SIZE] = "";
    asff_status st;
    if (http_status >= 200 && http_status <= 299) {
        asff_error_clear(err);
        if (err) {
            err->http_status = http_status;
            asff__copy_string(err->request_id, sizeof err->request_id, request_id ? request_id : "");
            asff__redact_error(err, sec);
        }
        return ASFF_OK;
    }
    if (error_type && error_type[0]) {
        size_t n = strcspn(error_type, ":");
        copy_trimmed(code, sizeof code, error_type, n);
    }
    if (body && body_len && body_len <= ERROR_BODY_MAX) {
        yajl_val v = NULL;
        asff__json_limits lim = {16, ERROR_BODY_MAX};
        st = asff__json_parse(body, body_len, &lim, alloc, &v, NULL);
        if (st == ASFF_ERR_NOMEM) {
            /* not an HTTP error of the server's: the answer could not be read (never retried) */
            asff_error_clear(err);
            asff__error_setf(err, st, "out of memory reading an HTTP %d answer", http_status);
            if (err)
                err->http_status = http_status;
            return st;
        }
        if (st == ASFF_OK) {
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
            if (m) {
                /* secrets out before the message is cut or made printable */
                char red[ASFF_ERROR_MESSAGE_SIZE];
                size_t n = asff__redact_into(red, sizeof red, m, strlen(m), sec);
                copy_trimmed(message, sizeof message, red, n);
            }
        }
        asff__json_free(v, alloc);
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
    asff__redact_error(err, sec);
    return st;
}

asff_status asff_client_parse_error(int http_status, const char *error_type, const char *request_id,
                                    const char *body, size_t body_len, asff_error *err)
{
    return asff__parse_error(NULL, NULL, http_status, error_type, request_id, body, body_len, err);
}

/* ---- BatchImportFindings responses -------------------------------------------------------------- */

static yajl_val member_of(yajl_val obj, const char *name)
{
    size_t i;
    for (i = 0; i < obj->u.object.len; i++)
        if (strcmp(obj->u.object.keys[i], name) == 0)
            return obj->u.object.values[i];
    return NULL;
}

/* A count member: an integer >= 0 (JSON numbers without fraction or exponent). */
static bool count_value(yajl_val v, int64_t *out)
{
    if (!YAJL_IS_INTEGER(v) || v->u.number.i < 0)
        return false;
    *out = v->u.number.i;
    return true;
}

static asff_status shape_error(asff_error *err, const char *path, const char *what)
{
    asff__error_setf(err, ASFF_ERR_TYPE, "BatchImportFindings response does not match its shape: %s %s", path, what);
    if (err)
        asff__copy_string(err->path, sizeof err->path, path);
    return ASFF_ERR_TYPE;
}

asff_status asff__import_response_parse(const char *body, size_t len, const asff_allocator *alloc,
                                        asff__import_response *out, asff_error *err)
{
    yajl_val v = NULL, f = NULL;
    asff_status st;
    size_t i;
    memset(out, 0, sizeof *out);
    st = asff__json_parse(body ? body : "", body ? len : 0, NULL, alloc, &v, err);
    if (st != ASFF_OK) {
        if (st != ASFF_ERR_NOMEM && err) {
            char msg[ASFF_ERROR_MESSAGE_SIZE];
            asff__copy_string(msg, sizeof msg, err->message);
            asff__error_setf(err, st, "BatchImportFindings response is not JSON: %s", msg);
        }
        return st;
    }
    if (!YAJL_IS_OBJECT(v))
        st = shape_error(err, "", "is not an object");
    else if (!count_value(member_of(v, "FailedCount"), &out->failed_count))
        st = shape_error(err, "/FailedCount", "is not an integer >= 0");
    else if (!count_value(member_of(v, "SuccessCount"), &out->success_count))
        st = shape_error(err, "/SuccessCount", "is not an integer >= 0");
    else if ((f = member_of(v, "FailedFindings")) != NULL && !YAJL_IS_ARRAY(f))
        st = shape_error(err, "/FailedFindings", "is not an array");
    if (st == ASFF_OK && f && f->u.array.len) {
        out->failed = asff__malloc(alloc, f->u.array.len * sizeof *out->failed);
        if (!out->failed)
            st = asff_error_set(err, ASFF_ERR_NOMEM, "out of memory");
        for (i = 0; st == ASFF_OK && i < f->u.array.len; i++) {
            yajl_val e = f->u.array.values[i];
            asff_failed_finding *ff = &out->failed[i];
            char path[64];
            const char *missing = NULL;
            ff->id = tree_string(e, "Id");
            ff->code = tree_string(e, "ErrorCode");
            ff->message = tree_string(e, "ErrorMessage");
            if (!YAJL_IS_OBJECT(e))
                missing = "";
            else if (!ff->id)
                missing = "/Id";
            else if (!ff->code)
                missing = "/ErrorCode";
            else if (!ff->message)
                missing = "/ErrorMessage";
            if (missing) {
                snprintf(path, sizeof path, "/FailedFindings/%zu%s", i, missing);
                st = shape_error(err, path, missing[0] ? "is not a string" : "is not an object");
            }
        }
        out->nfailed = i;
    }
    if (st != ASFF_OK) {
        asff__free(alloc, out->failed);
        asff__json_free(v, alloc);
        memset(out, 0, sizeof *out);
        return st;
    }
    out->tree = v;
    return ASFF_OK;
}

void asff__import_response_free(asff__import_response *r, const asff_allocator *alloc)
{
    if (!r)
        return;
    asff__free(alloc, r->failed);
    asff__json_free(r->tree, alloc);
    memset(r, 0, sizeof *r);
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

/* As deep as the finding parser reads (yajl_gen would refuse at 128, which looked like a wrong type). */
static int deeper(compact_ctx *c)
{
    if (c->depth >= (int)ASFF__JSON_DEPTH) {
        c->st = ASFF_ERR_LIMIT;
        return 0;
    }
    c->depth++;
    return 1;
}

static int cb_start_map(void *ctx)
{
    compact_ctx *c = ctx;
    if (!value_start(c, true) || !deeper(c))
        return 0;
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
    if (c->depth == 0 || !deeper(c))
        return 0;
    c->want = 0;
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
    asff_yalloc ya;
    memset(&c, 0, sizeof c);
    c.out = out;
    c.id = id;
    c.product_arn = product_arn;
    asff__buf_reset(id);
    asff__buf_reset(product_arn);
    asff__yalloc_init(&ya, out->alloc);
    c.g = yajl_gen_alloc(&ya.funcs);
    if (!c.g)
        return asff_error_set(err, ASFF_ERR_NOMEM, "out of memory");
    yajl_gen_config(c.g, yajl_gen_print_callback, gen_print, &c);
    h = yajl_alloc(&compact_callbacks, &ya.funcs, &c);
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
    } else if (c.st == ASFF_ERR_LIMIT) {
        asff__error_setf(err, c.st, "a finding nests deeper than %u levels", ASFF__JSON_DEPTH);
        if (err)
            err->offset = yajl_get_bytes_consumed(h);
    } else if (c.st != ASFF_OK)
        asff_error_set(err, c.st, "out of memory");
    yajl_free(h);
    yajl_gen_free(c.g);
    if (c.st == ASFF_OK && ya.failed)
        c.st = asff_error_set(err, ASFF_ERR_NOMEM, "out of memory");
    return c.st;
}
