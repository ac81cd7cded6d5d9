/*
 * Request building for every operation of the model: the input JSON is checked against the
 * operation's input shape (one streaming pass, no recursion: an explicit stack of frames) and bound
 * as botocore's rest-json serializer binds it: URI labels, query parameters, the rest as the body.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_parse.h>
#include "client/client_internal.h"
#include "core/json.h"

#define MAX_DEPTH 48     /* deeper than any input shape of the model */
#define MAX_BINDINGS 8   /* URI/query/header members of one operation (the model has at most 4) */

typedef struct frame {
    char kind;                   /* 'o' typed object, 'l' list, 'm' map */
    const asff_type *type;       /* 'o' */
    const asff_member *member;   /* 'l', 'm': the member whose value this is (element kinds, bounds) */
    const asff__op_binding *bind;/* a list bound to the query string (TagKeys) */
    uint64_t count;
    size_t path_len;             /* length of the container's own JSON Pointer */
    unsigned char seen[64];      /* 'o': members present (512 members at most, model.h) */
} frame;

typedef struct rq {
    const asff__op *op;
    const asff_type *root_type;
    frame stack[MAX_DEPTH];
    size_t depth;
    bool root_done;
    const asff_member *want;     /* the member whose value (or element, want_elem) comes next */
    bool want_elem;
    const asff__op_binding *want_bind; /* the next value is a top-level URI/query member */
    asff_buf path;
    asff_buf key;                /* key not yet written to the body (a null value drops it) */
    bool key_pending;
    asff_yalloc ya; /* the generator's and the parser's allocations */
    yajl_gen g;
    bool body_members;
    asff_buf *query;
    asff_buf labels[MAX_BINDINGS];
    bool label_set[MAX_BINDINGS];
    const char *ovr_member, *ovr_value; /* a top-level string member replacing the input's (pagers) */
    bool drop;                   /* the input's own value of ovr_member: checked, not sent */
    yajl_handle h;               /* for the byte offset of an error */
    asff_status st;
    asff_error *err;
} rq;

static int fail(rq *r, asff_status code, const char *fmt, const char *a, const char *b)
{
    char msg[ASFF_ERROR_MESSAGE_SIZE];
    if (r->st != ASFF_OK)
        return 0;
    snprintf(msg, sizeof msg, fmt, a ? a : "", b ? b : "");
    r->st = asff__error_setf(r->err, code, "%s: %s (at \"%s\")", r->op->name, msg,
                            r->path.data && r->path.len ? r->path.data : "");
    if (r->err) {
        asff__copy_string(r->err->path, sizeof r->err->path, r->path.data ? r->path.data : "");
        /* the end of the token at fault: yajl has consumed it when the callback runs */
        r->err->offset = r->h ? yajl_get_bytes_consumed(r->h) : 0;
    }
    return 0;
}

static int nomem(rq *r)
{
    if (r->st == ASFF_OK)
        r->st = asff_error_set(r->err, ASFF_ERR_NOMEM, "out of memory");
    return 0;
}

static void path_truncate(rq *r, size_t len)
{
    r->path.len = len;
    if (r->path.data)
        r->path.data[len] = '\0';
}

/* Percent-encode as botocore does: unreserved characters kept, '/' kept in greedy labels. */
static asff_status pct(asff_buf *b, const char *s, size_t len, bool keep_slash)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t i;
    for (i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        asff_status st;
        if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' ||
            ch == '_' || ch == '.' || ch == '~' || (keep_slash && ch == '/')) {
            st = asff__buf_putc(b, (char)ch);
        } else {
            char e[3] = {'%', hex[ch >> 4], hex[ch & 15]};
            st = asff__buf_append(b, e, 3);
        }
        if (st != ASFF_OK)
            return st;
    }
    return ASFF_OK;
}

static frame *top(rq *r)
{
    return r->depth ? &r->stack[r->depth - 1] : NULL;
}

static const char *kind_name(int kind)
{
    switch (kind) {
    case ASFF_KIND_STRING: return "a string";
    case ASFF_KIND_INT: return "an integer";
    case ASFF_KIND_DOUBLE: return "a number";
    case ASFF_KIND_BOOL: return "a boolean";
    case ASFF_KIND_OBJECT: return "an object";
    case ASFF_KIND_LIST: return "an array";
    case ASFF_KIND_MAP: return "an object (map)";
    default: return "a JSON value";
    }
}

/* Where the value about to start sits, and what it must be. */
static int expected(rq *r, int *kind, const asff_type **type)
{
    frame *f = top(r);
    if (!f) {
        if (r->root_done)
            return fail(r, ASFF_ERR_INVALID_ARG, "more than one JSON value%s%s", NULL, NULL);
        *kind = ASFF_KIND_OBJECT;
        *type = r->root_type;
        return 1;
    }
    if (f->kind == 'l') {
        char idx[24];
        path_truncate(r, f->path_len);
        snprintf(idx, sizeof idx, "/%llu", (unsigned long long)f->count);
        if (asff__buf_append(&r->path, idx, strlen(idx)) != ASFF_OK)
            return nomem(r);
        f->count++;
        r->want = f->member;
        r->want_elem = true;
    }
    *kind = r->want_elem ? r->want->elem_kind : r->want->kind;
    *type = r->want->type;
    return 1;
}

static bool emitting(rq *r)
{
    frame *f = top(r);
    return r->want_bind == NULL && !(f && f->bind);
}

static int flush_key(rq *r)
{
    if (r->key_pending && emitting(r)) {
        if (yajl_gen_string(r->g, (const unsigned char *)r->key.data, r->key.len) != yajl_gen_status_ok)
            return nomem(r);
        if (r->depth == 1)
            r->body_members = true;
    }
    r->key_pending = false;
    return 1;
}

/* Code points of UTF-8 text (yajl has validated it). */
static uint64_t code_points(const unsigned char *s, size_t len)
{
    uint64_t n = 0;
    size_t i;
    for (i = 0; i < len; i++)
        if ((s[i] & 0xC0) != 0x80)
            n++;
    return n;
}

static int check_bounds(rq *r, const asff_member *m, int64_t v, const char *what)
{
    char a[64], b[64];
    if ((m->flags & ASFF_MF_HAS_MIN) && v < m->min) {
        snprintf(a, sizeof a, "%s %lld", what, (long long)v);
        snprintf(b, sizeof b, "%lld", (long long)m->min);
        return fail(r, ASFF_ERR_INVALID_ARG, "%s is below the minimum %s", a, b);
    }
    if ((m->flags & ASFF_MF_HAS_MAX) && v > m->max) {
        snprintf(a, sizeof a, "%s %lld", what, (long long)v);
        snprintf(b, sizeof b, "%lld", (long long)m->max);
        return fail(r, ASFF_ERR_INVALID_ARG, "%s is above the maximum %s", a, b);
    }
    return 1;
}

/* A scalar taken out of the body: a URI label or query parameter. */
static int capture(rq *r, const char *s, size_t len)
{
    frame *f = top(r);
    const asff__op_binding *b = r->want_bind ? r->want_bind : f->bind;
    if (b->where == 'u') {
        size_t i = (size_t)(b - r->op->bindings);
        asff__buf_reset(&r->labels[i]);
        if (asff__buf_append(&r->labels[i], s, len) != ASFF_OK || asff__buf_putc(&r->labels[i], '\0') != ASFF_OK)
            return nomem(r);
        r->labels[i].len--;
        r->label_set[i] = true;
    } else if (b->where == 'q') {
        if ((r->query->len && asff__buf_putc(r->query, '&') != ASFF_OK) ||
            pct(r->query, b->wire, strlen(b->wire), false) != ASFF_OK || asff__buf_putc(r->query, '=') != ASFF_OK ||
            pct(r->query, s, len, false) != ASFF_OK)
            return nomem(r);
    } else {
        return fail(r, ASFF_ERR_UNSUPPORTED, "header members are not supported%s%s", NULL, NULL);
    }
    return 1;
}

static int value_done(rq *r)
{
    r->want_bind = NULL;
    return 1;
}

/* "2024-01-02T03:04:05[.ffffff][Z|+hh:mm]" -> seconds since the epoch and microseconds. */
static bool iso_parse(const char *s, size_t len, long long *out, long *usec)
{
    int y, mo, d, h, mi, sec, n = 0;
    long long days, t;
    char buf[64];
    const char *p;
    if (len >= sizeof buf)
        return false;
    memcpy(buf, s, len);
    buf[len] = '\0';
    if (sscanf(buf, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 || n != 19)
        return false;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59)
        return false;
    p = buf + n;
    *usec = 0;
    if (*p == '.') {
        long scale = 100000;
        for (p++; *p >= '0' && *p <= '9'; p++, scale /= 10)
            *usec += scale * (*p - '0');
    }
    /* days from civil (Howard Hinnant's algorithm) */
    {
        int yy = y - (mo <= 2);
        int era = (yy >= 0 ? yy : yy - 399) / 400;
        unsigned yoe = (unsigned)(yy - era * 400);
        unsigned doy = (unsigned)((153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1);
        unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        days = (long long)era * 146097 + (long long)doe - 719468;
    }
    t = days * 86400 + h * 3600 + mi * 60 + sec;
    if ((*p == 'Z' || *p == 'z') && p[1] == '\0') {
        *out = t;
        return true;
    }
    if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':') {
        int oh, om;
        if (sscanf(p + 1, "%2d:%2d", &oh, &om) != 2)
            return false;
        *out = *p == '+' ? t - (oh * 3600 + om * 60) : t + (oh * 3600 + om * 60);
        return true;
    }
    if (*p == '\0') {
        *out = t;
        return true;
    }
    return false;
}

/* The model's Timestamp shape is iso8601: botocore sends it in UTC as "%Y-%m-%dT%H:%M:%SZ", with
 * ".%f" (microseconds) when there are any. */
static void iso_format(long long t, long usec, char *out, size_t size)
{
    long long days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    long long rem = t - days * 86400;
    long long z = days + 719468;
    long long era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long long y = (long long)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    unsigned d = doy - (153 * mp + 2) / 5 + 1;
    unsigned m = mp < 10 ? mp + 3 : mp - 9;
    unsigned hh = (unsigned)(rem / 3600), mm = (unsigned)(rem / 60 % 60), ss = (unsigned)(rem % 60);
    unsigned us = (unsigned)(usec % 1000000);
    y += m <= 2;
    if (us)
        snprintf(out, size, "%04d-%02u-%02uT%02u:%02u:%02u.%06uZ", (int)y, m % 13, d % 32, hh % 24, mm % 60, ss % 60,
                 us);
    else
        snprintf(out, size, "%04d-%02u-%02uT%02u:%02u:%02uZ", (int)y, m % 13, d % 32, hh % 24, mm % 60, ss % 60);
}

static bool is_timestamp_shape(const asff_member *m, bool elem)
{
    return !elem && m->shape && strcmp(m->shape, "Timestamp") == 0;
}

/* One scalar JSON value: yajl type 's' string, 'n' number, 'b' boolean. */
static int scalar(rq *r, char jt, const char *s, size_t len, bool bval)
{
    int kind;
    const asff_type *type;
    const asff_member *m;
    bool elem;
    if (r->st != ASFF_OK || !expected(r, &kind, &type))
        return 0;
    m = r->want;
    elem = r->want_elem;
    if (!top(r))
        return fail(r, ASFF_ERR_INVALID_ARG, "the input must be a JSON object%s%s", NULL, NULL);
    switch (kind) {
    case ASFF_KIND_STRING:
        if (jt == 's') {
            if (!elem && !check_bounds(r, m, (int64_t)code_points((const unsigned char *)s, len), "length"))
                return 0;
            break;
        }
        if (jt == 'n' && is_timestamp_shape(m, elem))
            break;
        return fail(r, ASFF_ERR_INVALID_ARG, "expected %s, found %s", kind_name(kind),
                    jt == 'n' ? "a number" : "a boolean");
    case ASFF_KIND_INT:
        if (jt != 'n' || memchr(s, '.', len) || memchr(s, 'e', len) || memchr(s, 'E', len))
            return fail(r, ASFF_ERR_INVALID_ARG, "expected %s, found %s", kind_name(kind),
                        jt == 'n' ? "a fraction" : jt == 's' ? "a string" : "a boolean");
        if (!elem) {
            char num[32];
            long long v;
            int sign = s[0] == '-';
            if (len >= sizeof num || len > 19 + (size_t)sign)
                return fail(r, ASFF_ERR_INVALID_ARG, "integer out of range%s%s", NULL, NULL);
            memcpy(num, s, len);
            num[len] = '\0';
            v = strtoll(num, NULL, 10);
            if (!check_bounds(r, m, v, "value"))
                return 0;
        }
        break;
    case ASFF_KIND_DOUBLE:
        if (jt != 'n')
            return fail(r, ASFF_ERR_INVALID_ARG, "expected %s, found %s", kind_name(kind),
                        jt == 's' ? "a string" : "a boolean");
        break;
    case ASFF_KIND_BOOL:
        if (jt != 'b')
            return fail(r, ASFF_ERR_INVALID_ARG, "expected %s, found %s", kind_name(kind),
                        jt == 's' ? "a string" : "a number");
        break;
    default:
        return fail(r, ASFF_ERR_INVALID_ARG, "expected %s, found %s", kind_name(kind),
                    jt == 's' ? "a string" : jt == 'n' ? "a number" : "a boolean");
    }
    if (r->drop) {
        r->drop = false;
        r->key_pending = false;
        return value_done(r);
    }
    if (!emitting(r)) {
        if (jt == 'b')
            return capture(r, bval ? "true" : "false", bval ? 4 : 5) && value_done(r);
        return capture(r, s, len) && value_done(r);
    }
    if (!flush_key(r))
        return 0;
    if (kind == ASFF_KIND_STRING && is_timestamp_shape(m, elem)) {
        long long t;
        long usec = 0;
        char text[96];
        if (jt == 'n') {
            char num[40];
            double v;
            if (len >= sizeof num)
                return fail(r, ASFF_ERR_INVALID_ARG, "timestamp out of range%s%s", NULL, NULL);
            memcpy(num, s, len);
            num[len] = '\0';
            v = strtod(num, NULL);
            if (!(v > -1e11 && v < 1e11))
                return fail(r, ASFF_ERR_INVALID_ARG, "timestamp out of range%s%s", NULL, NULL);
            t = (long long)v;
            if (v < 0 && (double)t != v)
                t--;
            usec = (long)((v - (double)t) * 1e6 + 0.5);
            if (usec >= 1000000) {
                t++;
                usec -= 1000000;
            }
        } else if (!iso_parse(s, len, &t, &usec)) {
            return fail(r, ASFF_ERR_INVALID_ARG, "not an ISO 8601 timestamp%s%s", NULL, NULL);
        }
        iso_format(t, usec, text, sizeof text);
        if (yajl_gen_string(r->g, (const unsigned char *)text, strlen(text)) != yajl_gen_status_ok)
            return nomem(r);
        return value_done(r);
    }
    if ((jt == 's' && yajl_gen_string(r->g, (const unsigned char *)s, len) != yajl_gen_status_ok) ||
        (jt == 'n' && yajl_gen_number(r->g, s, len) != yajl_gen_status_ok) ||
        (jt == 'b' && yajl_gen_bool(r->g, bval) != yajl_gen_status_ok))
        return nomem(r);
    return value_done(r);
}

static int on_string(void *ctx, const unsigned char *s, size_t len)
{
    return scalar(ctx, 's', (const char *)s, len, false);
}

static int on_number(void *ctx, const char *s, size_t len)
{
    return scalar(ctx, 'n', s, len, false);
}

static int on_bool(void *ctx, int b)
{
    return scalar(ctx, 'b', NULL, 0, b != 0);
}

static int on_null(void *ctx)
{
    rq *r = ctx;
    frame *f = top(r);
    /* a null member is an absent member, as botocore skips None */
    if (f && f->kind == 'o') {
        const asff_member *m = r->want;
        size_t i = (size_t)(m - f->type->members);
        f->seen[i / 8] &= (unsigned char)~(1u << (i % 8));
        r->key_pending = false;
        r->drop = false;
        return value_done(r);
    }
    return fail(r, ASFF_ERR_INVALID_ARG, "null is not allowed here%s%s", NULL, NULL);
}

static int push(rq *r, char kind, const asff_type *type)
{
    frame *f;
    if (r->depth >= MAX_DEPTH)
        return fail(r, ASFF_ERR_LIMIT, "nested too deep%s%s", NULL, NULL);
    f = &r->stack[r->depth];
    memset(f, 0, sizeof *f);
    f->kind = kind;
    f->type = type;
    f->member = r->want;
    f->bind = r->want_bind ? r->want_bind : (r->depth && r->stack[r->depth - 1].bind ? r->stack[r->depth - 1].bind : NULL);
    f->path_len = r->path.len;
    r->want_bind = NULL;
    r->depth++;
    return 1;
}

static int on_start_map(void *ctx)
{
    rq *r = ctx;
    int kind;
    const asff_type *type;
    if (r->st != ASFF_OK || !expected(r, &kind, &type))
        return 0;
    if (kind != ASFF_KIND_OBJECT && kind != ASFF_KIND_MAP)
        return fail(r, ASFF_ERR_INVALID_ARG, "expected %s, found an object%s", kind_name(kind), NULL);
    if (r->want_bind || (top(r) && top(r)->bind))
        return fail(r, ASFF_ERR_INVALID_ARG, "expected a scalar for a URI or query member%s%s", NULL, NULL);
    if (!flush_key(r))
        return 0;
    if (yajl_gen_map_open(r->g) != yajl_gen_status_ok)
        return nomem(r);
    return push(r, kind == ASFF_KIND_OBJECT ? 'o' : 'm', type);
}

static int on_start_array(void *ctx)
{
    rq *r = ctx;
    int kind;
    const asff_type *type;
    if (r->st != ASFF_OK || !expected(r, &kind, &type))
        return 0;
    if (!top(r))
        return fail(r, ASFF_ERR_INVALID_ARG, "the input must be a JSON object%s%s", NULL, NULL);
    if (kind != ASFF_KIND_LIST)
        return fail(r, ASFF_ERR_INVALID_ARG, "expected %s, found an array%s", kind_name(kind), NULL);
    if (r->want_bind && r->want_bind->where != 'q')
        return fail(r, ASFF_ERR_INVALID_ARG, "expected a scalar for a URI member%s%s", NULL, NULL);
    if (!flush_key(r))
        return 0;
    if (emitting(r) && yajl_gen_array_open(r->g) != yajl_gen_status_ok)
        return nomem(r);
    return push(r, 'l', NULL);
}

static int on_key(void *ctx, const unsigned char *k, size_t len)
{
    rq *r = ctx;
    frame *f = top(r);
    if (r->st != ASFF_OK)
        return 0;
    path_truncate(r, f->path_len);
    if (asff__buf_pointer_token(&r->path, (const char *)k, len) != ASFF_OK)
        return nomem(r);
    asff__buf_reset(&r->key);
    if (asff__buf_append(&r->key, k, len) != ASFF_OK)
        return nomem(r);
    r->key_pending = true;
    if (f->kind == 'm') {
        f->count++;
        r->want = f->member;
        r->want_elem = true;
        return 1;
    }
    {
        const asff_member *m = asff_member_find(f->type, (const char *)k, len);
        size_t i;
        char name[128];
        if (!m) {
            size_t n = len < sizeof name - 1 ? len : sizeof name - 1;
            memcpy(name, k, n);
            name[n] = '\0';
            return fail(r, ASFF_ERR_INVALID_ARG, "unknown member %s of %s", name, f->type->name);
        }
        i = (size_t)(m - f->type->members);
        if (f->seen[i / 8] & (1u << (i % 8)))
            return fail(r, ASFF_ERR_INVALID_ARG, "member %s given twice%s", m->name, NULL);
        f->seen[i / 8] |= (unsigned char)(1u << (i % 8));
        f->count++;
        r->want = m;
        r->want_elem = false;
        r->want_bind = NULL;
        if (r->depth == 1 && (m->flags & ASFF_MF_LOCATION)) {
            unsigned b;
            for (b = 0; b < r->op->binding_count; b++)
                if (strcmp(r->op->bindings[b].member, m->name) == 0)
                    r->want_bind = &r->op->bindings[b];
        }
        r->drop = r->depth == 1 && r->ovr_member && strcmp(m->name, r->ovr_member) == 0;
    }
    return 1;
}

static int end_object(rq *r, frame *f)
{
    unsigned i, present = 0;
    path_truncate(r, f->path_len);
    for (i = 0; i < f->type->nmembers; i++) {
        const asff_member *m = &f->type->members[i];
        bool seen = (f->seen[i / 8] & (1u << (i % 8))) != 0;
        present += seen;
        if ((m->flags & ASFF_MF_REQUIRED) && !seen &&
            !(r->depth == 1 && r->ovr_member && strcmp(m->name, r->ovr_member) == 0)) {
            if (asff__buf_pointer_token(&r->path, m->name, strlen(m->name)) != ASFF_OK)
                return nomem(r);
            return fail(r, ASFF_ERR_INVALID_ARG, "missing required member %s of %s", m->name, f->type->name);
        }
    }
    if ((f->type->flags & ASFF_TF_UNION) && present != 1)
        return fail(r, ASFF_ERR_INVALID_ARG, "%s is a union: exactly one member must be set%s", f->type->name, NULL);
    return 1;
}

static int on_end_map(void *ctx)
{
    rq *r = ctx;
    frame *f = top(r);
    if (r->st != ASFF_OK)
        return 0;
    if (r->depth == 1 && r->ovr_member) {
        /* the pager's token goes in as if it had been written last */
        const asff_member *m = asff_member_find(f->type, r->ovr_member, strlen(r->ovr_member));
        size_t i;
        if (!m)
            return fail(r, ASFF_ERR_INVALID_ARG, "no member %s%s", r->ovr_member, NULL);
        i = (size_t)(m - f->type->members);
        f->seen[i / 8] |= (unsigned char)(1u << (i % 8));
        r->want = m;
        r->want_elem = false;
        r->want_bind = NULL;
        if (m->flags & ASFF_MF_LOCATION) {
            unsigned b;
            for (b = 0; b < r->op->binding_count; b++)
                if (strcmp(r->op->bindings[b].member, m->name) == 0)
                    r->want_bind = &r->op->bindings[b];
        }
        asff__buf_reset(&r->key);
        if (asff__buf_append(&r->key, m->name, strlen(m->name)) != ASFF_OK)
            return nomem(r);
        r->key_pending = true;
        {
            const char *save = r->ovr_member;
            r->ovr_member = NULL;
            if (!scalar(r, 's', r->ovr_value, strlen(r->ovr_value), false))
                return 0;
            r->ovr_member = save;
        }
    }
    if (f->kind == 'o' && !end_object(r, f))
        return 0;
    if (f->kind == 'm') {
        path_truncate(r, f->path_len);
        if (f->member && !check_bounds(r, f->member, (int64_t)f->count, "entries"))
            return 0;
    }
    if (yajl_gen_map_close(r->g) != yajl_gen_status_ok)
        return nomem(r);
    r->depth--;
    if (!r->depth)
        r->root_done = true;
    return value_done(r);
}

static int on_end_array(void *ctx)
{
    rq *r = ctx;
    frame *f = top(r);
    bool bound;
    if (r->st != ASFF_OK)
        return 0;
    path_truncate(r, f->path_len);
    if (!check_bounds(r, f->member, (int64_t)f->count, "items"))
        return 0;
    bound = f->bind != NULL;
    r->depth--;
    if (!bound && yajl_gen_array_close(r->g) != yajl_gen_status_ok)
        return nomem(r);
    return value_done(r);
}

static const yajl_callbacks callbacks = {
    on_null, on_bool, NULL, NULL, on_number, on_string, on_start_map, on_key, on_end_map, on_start_array,
    on_end_array,
};

typedef struct sink {
    asff_buf *b;
    asff_status st;
} sink;

static void sink_print(void *ctx, const char *s, size_t len)
{
    sink *k = ctx;
    if (k->st == ASFF_OK)
        k->st = asff__buf_append(k->b, s, len);
}

static asff_status expand_uri(rq *r, asff__request *req)
{
    const char *u = r->op->uri;
    while (*u && *u != '?') {
        if (*u == '{') {
            const char *end = strchr(u, '}');
            size_t n;
            unsigned b;
            bool greedy;
            if (!end)
                return asff_error_set(r->err, ASFF_ERR_INTERNAL, "bad URI template");
            n = (size_t)(end - u - 1);
            greedy = n && u[n] == '+';
            if (greedy)
                n--;
            for (b = 0; b < r->op->binding_count; b++) {
                const asff__op_binding *bd = &r->op->bindings[b];
                if (bd->where == 'u' && strlen(bd->wire) == n && memcmp(bd->wire, u + 1, n) == 0)
                    break;
            }
            if (b == r->op->binding_count || !r->label_set[b]) {
                asff__buf_reset(&r->path);
                if (b < r->op->binding_count &&
                    asff__buf_pointer_token(&r->path, r->op->bindings[b].member,
                                           strlen(r->op->bindings[b].member)) != ASFF_OK)
                    return asff_error_set(r->err, ASFF_ERR_NOMEM, "out of memory");
                fail(r, ASFF_ERR_INVALID_ARG, "missing required URI member %s%s",
                     b < r->op->binding_count ? r->op->bindings[b].member : "?", NULL);
                return r->st;
            }
            /* an empty label is an empty segment: nothing to escape */
            if (r->labels[b].len && pct(&req->path, r->labels[b].data, r->labels[b].len, greedy) != ASFF_OK)
                return asff_error_set(r->err, ASFF_ERR_NOMEM, "out of memory");
            u = end + 1;
            continue;
        }
        if (asff__buf_putc(&req->path, *u) != ASFF_OK)
            return asff_error_set(r->err, ASFF_ERR_NOMEM, "out of memory");
        u++;
    }
    if (*u == '?' && u[1]) {
        /* literal query in the template comes first */
        asff_buf rest;
        asff__buf_init(&rest, req->query.alloc);
        if (asff__buf_append(&rest, u + 1, strlen(u + 1)) != ASFF_OK ||
            (req->query.len && asff__buf_putc(&rest, '&') != ASFF_OK) ||
            (req->query.len && asff__buf_append(&rest, req->query.data, req->query.len) != ASFF_OK)) {
            asff__buf_cleanup(&rest);
            return asff_error_set(r->err, ASFF_ERR_NOMEM, "out of memory");
        }
        asff__buf_cleanup(&req->query);
        req->query = rest;
    }
    return ASFF_OK;
}

const asff__op *asff__op_find(const char *name)
{
    int i = asff_operation_find(name);
    return i < 0 ? NULL : &asff__ops[i];
}

void asff__request_cleanup(asff__request *req)
{
    asff__buf_cleanup(&req->path);
    asff__buf_cleanup(&req->query);
    asff__buf_cleanup(&req->body);
}

asff_status asff__request_build(const asff__op *op, const char *input, size_t len, const char *ovr_member,
                                const char *ovr_value, const asff_allocator *alloc, asff__request *req,
                                asff_error *err)
{
    rq *r;
    yajl_handle h = NULL;
    sink body_sink;
    asff_status st = ASFF_OK;
    unsigned i;
    bool blank = true;
    asff__buf_init(&req->path, alloc);
    asff__buf_init(&req->query, alloc);
    asff__buf_init(&req->body, alloc);
    req->has_body = false;
    if (err)
        asff_error_clear(err);
    if (!op)
        return asff_error_set(err, ASFF_ERR_INVALID_ARG, "unknown operation");
    if (op->binding_count > MAX_BINDINGS)
        return asff_error_set(err, ASFF_ERR_UNSUPPORTED, "too many URI/query members");
    r = asff__malloc(alloc, sizeof *r);
    if (!r)
        return asff_error_set(err, ASFF_ERR_NOMEM, "out of memory");
    memset(r, 0, sizeof *r);
    r->op = op;
    r->root_type = asff_type_get(op->input_tid);
    r->err = err;
    r->query = &req->query;
    r->ovr_member = ovr_member;
    r->ovr_value = ovr_value;
    asff__buf_init(&r->path, alloc);
    asff__buf_init(&r->key, alloc);
    for (i = 0; i < MAX_BINDINGS; i++)
        asff__buf_init(&r->labels[i], alloc);
    body_sink.b = &req->body;
    body_sink.st = ASFF_OK;
    r->g = asff__ygen_alloc(&r->ya, alloc);
    h = r->g ? yajl_alloc(&callbacks, &r->ya.funcs, r) : NULL;
    r->h = h;
    if (!h || asff__buf_putc(&r->path, '\0') != ASFF_OK) {
        st = asff_error_set(err, ASFF_ERR_NOMEM, "out of memory");
        goto done;
    }
    r->path.len = 0;
    yajl_gen_config(r->g, yajl_gen_print_callback, sink_print, &body_sink);
    yajl_gen_config(r->g, yajl_gen_validate_utf8, 1);
    for (i = 0; input && i < len; i++)
        if (input[i] != ' ' && input[i] != '\t' && input[i] != '\n' && input[i] != '\r')
            blank = false;
    {
        static const char empty[] = "{}";
        const char *text = blank ? empty : input;
        size_t n = blank ? 2 : len;
        yajl_status ys = yajl_parse(h, (const unsigned char *)text, n);
        if (ys == yajl_status_ok)
            ys = yajl_complete_parse(h);
        if (r->st != ASFF_OK) {
            st = r->st;
            goto done;
        }
        if (ys != yajl_status_ok) {
            size_t off = yajl_get_bytes_consumed(h);
            st = asff__error_setf(err, ASFF_ERR_INVALID_ARG, "%s: the input is not valid JSON (byte %zu)", op->name, off);
            if (err) {
                err->offset = off;
                asff__copy_string(err->path, sizeof err->path, r->path.data ? r->path.data : "");
            }
            goto done;
        }
    }
    if (body_sink.st != ASFF_OK || r->ya.failed) {
        st = asff_error_set(err, ASFF_ERR_NOMEM, "out of memory");
        goto done;
    }
    st = expand_uri(r, req);
    if (st != ASFF_OK)
        goto done;
    req->has_body = r->body_members || op->has_body_members;
    if (!req->has_body)
        asff__buf_reset(&req->body);
    if (asff__buf_putc(&req->path, '\0') != ASFF_OK || asff__buf_putc(&req->query, '\0') != ASFF_OK ||
        asff__buf_putc(&req->body, '\0') != ASFF_OK) {
        st = asff_error_set(err, ASFF_ERR_NOMEM, "out of memory");
        goto done;
    }
    req->path.len--;
    req->query.len--;
    req->body.len--;
done:
    if (h)
        yajl_free(h);
    if (r->g)
        yajl_gen_free(r->g);
    asff__buf_cleanup(&r->path);
    asff__buf_cleanup(&r->key);
    for (i = 0; i < MAX_BINDINGS; i++)
        asff__buf_cleanup(&r->labels[i]);
    asff__free(alloc, r);
    if (st != ASFF_OK)
        asff__request_cleanup(req);
    return st;
}

asff_status asff_operation_check(const char *operation, const char *input, size_t input_len, asff_error *err)
{
    asff__request req;
    const asff__op *op = operation ? asff__op_find(operation) : NULL;
    asff_status st;
    if (err)
        asff_error_clear(err);
    if (!op)
        return asff__error_setf(err, ASFF_ERR_INVALID_ARG, "unknown operation %.64s", operation ? operation : "(null)");
    st = asff__request_build(op, input, input_len, NULL, NULL, NULL, &req, err);
    if (st == ASFF_OK)
        asff__request_cleanup(&req);
    return st;
}
