/* AwsSecurityFindingFilters: compile (validate, parse values once) and match (no allocation). */
#define _GNU_SOURCE /* memmem (POSIX 2024; glibc, musl, the BSDs and macOS have it) */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>
#include "filter/filter_int.h"

/* ---- errors ---------------------------------------------------------------------------------- */

asff_status asff__filter_fail(asff_error *err, asff_status code, const char *path, const char *fmt, ...)
{
    va_list ap;
    char msg[ASFF_ERROR_MESSAGE_SIZE];
    if (!err)
        return code;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    asff_error_clear(err);
    asff_error_set(err, code, msg);
    asff__copy_string(err->path, sizeof err->path, path ? path : "");
    return code;
}

/* path + "/" + token (RFC 6901 escaped) into out[ASFF_ERROR_PATH_SIZE]. */
static void ptr_join(char *out, const char *base, const char *token)
{
    size_t n = strlen(base), i;
    if (n >= ASFF_ERROR_PATH_SIZE - 1) {
        memmove(out, base, ASFF_ERROR_PATH_SIZE - 1);
        out[ASFF_ERROR_PATH_SIZE - 1] = 0;
        return;
    }
    memmove(out, base, n);
    out[n++] = '/';
    for (i = 0; token[i] && n < ASFF_ERROR_PATH_SIZE - 3; i++) {
        if (token[i] == '~' || token[i] == '/') {
            out[n++] = '~';
            out[n++] = token[i] == '~' ? '0' : '1';
        } else
            out[n++] = token[i];
    }
    out[n] = 0;
}

void asff__filter_path_cat(char *dst, size_t size, const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la >= size)
        la = size - 1;
    if (lb >= size - la)
        lb = size - la - 1;
    memmove(dst, a, la);
    memcpy(dst + la, b, lb);
    dst[la + lb] = 0;
}

static void ptr_index(char *out, const char *base, size_t i)
{
    char tok[32];
    snprintf(tok, sizeof tok, "%zu", i);
    ptr_join(out, base, tok);
}

/* ---- attribute table and paths --------------------------------------------------------------- */

const filter_attr_def *asff__filter_attr_find(const char *name, size_t len)
{
    size_t lo = 0, hi = asff__filter_attr_count;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        const char *m = asff__filter_attrs[mid].name;
        size_t ml = strlen(m);
        int c = memcmp(m, name, ml < len ? ml : len);
        if (c == 0)
            c = ml < len ? -1 : ml > len ? 1 : 0;
        if (c == 0)
            return &asff__filter_attrs[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static const char *const type_names[] = {"String", "Number", "Date", "Ip", "Map", "Boolean", "Keyword"};

const char *asff_filter_attribute_type(const char *name)
{
    const filter_attr_def *d = name ? asff__filter_attr_find(name, strlen(name)) : NULL;
    return d ? type_names[d->type] : NULL;
}

const char *asff_filter_attribute_path(const char *name)
{
    const filter_attr_def *d = name ? asff__filter_attr_find(name, strlen(name)) : NULL;
    return d ? d->path : NULL;
}

asff_status asff__fpath_resolve(const char *path, fpath *out)
{
    const asff_type *t = asff_type_get(ASFF_TID_AwsSecurityFinding);
    const char *p = path;
    out->n = 0;
    while (*p) {
        const char *e = p;
        const asff_member *m;
        fstep *s;
        while (*e && *e != '.' && *e != '[' && *e != '{')
            e++;
        if (!t || out->n == FPATH_MAX)
            return ASFF_ERR_INTERNAL;
        m = asff_member_find(t, p, (size_t)(e - p));
        if (!m)
            return ASFF_ERR_INTERNAL;
        s = &out->steps[out->n++];
        s->offset = m->offset;
        s->kind = m->kind;
        s->elem_kind = m->elem_kind;
        if (*e == '[' || *e == '{') {
            if ((*e == '[' && m->kind != ASFF_KIND_LIST) || (*e == '{' && m->kind != ASFF_KIND_MAP))
                return ASFF_ERR_INTERNAL;
            e += 2;
        } else if (m->kind == ASFF_KIND_LIST || m->kind == ASFF_KIND_MAP)
            return ASFF_ERR_INTERNAL;
        t = m->type;
        if (*e == '.')
            e++;
        p = e;
    }
    return out->n ? ASFF_OK : ASFF_ERR_INTERNAL;
}

static int visit_from(const void *obj, const fpath *p, unsigned i, fvisit_fn fn, void *ctx)
{
    const fstep *s = &p->steps[i];
    const char *slot = (const char *)obj + s->offset;
    bool last = i + 1 == p->n;
    void *v;
    switch (s->kind) {
    case ASFF_KIND_OBJECT:
        memcpy(&v, slot, sizeof v);
        return v && !last ? visit_from(v, p, i + 1, fn, ctx) : 0;
    case ASFF_KIND_LIST: {
        asff_list l;
        size_t k;
        int r;
        memcpy(&l, slot, sizeof l);
        if (!l.items)
            return 0;
        for (k = 0; k < l.count; k++) {
            if (!l.items[k])
                continue;
            r = last ? fn(ctx, s->elem_kind, l.items[k]) : visit_from(l.items[k], p, i + 1, fn, ctx);
            if (r)
                return r;
        }
        return 0;
    }
    case ASFF_KIND_MAP:
        return last ? fn(ctx, ASFF_KIND_MAP, slot) : 0;
    default:
        memcpy(&v, slot, sizeof v);
        return v && last ? fn(ctx, s->kind, v) : 0;
    }
}

int asff__fpath_visit(const void *object, const fpath *p, fvisit_fn fn, void *ctx)
{
    return visit_from(object, p, 0, fn, ctx);
}

/* ---- timestamps and addresses ---------------------------------------------------------------- */

static int digits(const char *s, size_t n)
{
    int v = 0;
    size_t i;
    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

bool asff__filter_ts_parse(const char *s, size_t len, int64_t *seconds, int32_t *nanos)
{
    return asff_timestamp_parse(s, len, seconds, nanos) == ASFF_OK;
}

/* Compare two instants. */
static int ts_cmp(int64_t as, int32_t an, int64_t bs, int32_t bn)
{
    if (as != bs)
        return as < bs ? -1 : 1;
    return an < bn ? -1 : an > bn;
}

int asff__fvalue_compare_ts(const char *a, const char *b)
{
    int64_t as, bs;
    int32_t an, bn;
    bool ga = asff__filter_ts_parse(a, strlen(a), &as, &an), gb = asff__filter_ts_parse(b, strlen(b), &bs, &bn);
    if (!ga || !gb)
        return ga ? -1 : gb ? 1 : 0;
    return ts_cmp(as, an, bs, bn);
}

/* A bare IPv4 or IPv6 address (FS-46/47) into ip[16]; family 4 or 6, 0 when not an address. */
static int ip_parse(const char *s, size_t len, uint8_t ip[16])
{
    char buf[64];
    if (len == 0 || len >= sizeof buf)
        return 0;
    memcpy(buf, s, len);
    buf[len] = 0;
    if (memchr(buf, ':', len))
        return inet_pton(AF_INET6, buf, ip) == 1 ? 6 : 0;
    return inet_pton(AF_INET, buf, ip) == 1 ? 4 : 0;
}

static bool ip_in(const fentry *e, const char *value)
{
    uint8_t ip[16];
    unsigned full, rest;
    int fam = ip_parse(value, strlen(value), ip);
    if (fam != e->family)
        return false;
    full = e->prefix / 8u;
    rest = e->prefix % 8u;
    if (memcmp(ip, e->ip, full) != 0)
        return false;
    return rest == 0 || ((ip[full] ^ e->ip[full]) & (uint8_t)(0xffu << (8 - rest))) == 0;
}

/* ---- matching -------------------------------------------------------------------------------- */

static bool str_test(unsigned op, const fentry *e, const char *x)
{
    switch (op) {
    case CMP_EQUALS:
        return x[0] == e->str[0] && strcmp(x, e->str) == 0;
    case CMP_PREFIX:
        return strncmp(x, e->str, e->len) == 0;
    default:
        return strstr(x, e->str) != NULL;
    }
}

typedef struct mctx {
    const fcond *c;
    bool pos_hit, neg_hit, any;
} mctx;

static int visit_string(void *ctx, unsigned kind, const void *v)
{
    mctx *m = ctx;
    const fcond *c = m->c;
    const char *x = v;
    size_t i;
    if (kind != ASFF_KIND_STRING)
        return 0;
    m->any = true;
    if (!m->pos_hit)
        for (i = 0; i < c->npos; i++)
            if (str_test(c->entries[i].op, &c->entries[i], x)) {
                m->pos_hit = true;
                break;
            }
    for (i = c->npos; i < c->n; i++)
        if (str_test(c->entries[i].op - 3u, &c->entries[i], x)) {
            m->neg_hit = true;
            return 1;
        }
    return m->pos_hit && c->npos == c->n; /* nothing more to learn */
}

static const char *strmap_get(const asff_strmap *map, const char *key)
{
    size_t i;
    if (!map->keys)
        return NULL;
    for (i = 0; i < map->count; i++)
        if (map->keys[i] && strcmp(map->keys[i], key) == 0)
            return map->values[i];
    return NULL;
}

static int visit_map(void *ctx, unsigned kind, const void *v)
{
    mctx *m = ctx;
    const fcond *c = m->c;
    size_t i;
    if (kind != ASFF_KIND_MAP)
        return 0;
    for (i = 0; i < c->n; i++) {
        const fentry *e = &c->entries[i];
        const char *x = strmap_get(v, e->key);
        if (!x)
            continue;
        m->any = true;
        if (i < c->npos) {
            if (!m->pos_hit && str_test(e->op, e, x))
                m->pos_hit = true;
        } else if (str_test(e->op - 3u, e, x)) {
            m->neg_hit = true;
            return 1;
        }
    }
    return 0;
}

static int visit_number(void *ctx, unsigned kind, const void *v)
{
    mctx *m = ctx;
    const fcond *c = m->c;
    double x;
    size_t i;
    if (kind == ASFF_KIND_INT)
        x = (double)((const asff_int *)v)->value;
    else if (kind == ASFF_KIND_DOUBLE)
        x = *(const double *)v;
    else
        return 0;
    for (i = 0; i < c->n; i++) {
        const fentry *e = &c->entries[i];
        unsigned k = e->op;
        if ((k & (1u << NUM_GTE)) && !(x >= e->num[NUM_GTE]))
            continue;
        if ((k & (1u << NUM_LTE)) && !(x <= e->num[NUM_LTE]))
            continue;
        if ((k & (1u << NUM_EQ)) && !(x == e->num[NUM_EQ]))
            continue;
        if ((k & (1u << NUM_GT)) && !(x > e->num[NUM_GT]))
            continue;
        if ((k & (1u << NUM_LT)) && !(x < e->num[NUM_LT]))
            continue;
        m->pos_hit = true;
        return 1;
    }
    return 0;
}

static int visit_date(void *ctx, unsigned kind, const void *v)
{
    mctx *m = ctx;
    const fcond *c = m->c;
    int64_t s;
    int32_t ns;
    size_t i;
    if (kind != ASFF_KIND_STRING || !asff__filter_ts_parse(v, strlen(v), &s, &ns))
        return 0; /* an unparsable finding date matches nothing */
    for (i = 0; i < c->n; i++) {
        const fentry *e = &c->entries[i];
        bool ok;
        if (e->op == DATE_FIXED)
            ok = ts_cmp(s, ns, e->t0s, e->t0n) >= 0 && ts_cmp(s, ns, e->t1s, e->t1n) <= 0;
        else if (e->op == DATE_WITHIN)
            ok = ts_cmp(s, ns, e->t0s, 0) >= 0;
        else
            ok = ts_cmp(s, ns, e->t0s, 0) < 0;
        if (ok) {
            m->pos_hit = true;
            return 1;
        }
    }
    return 0;
}

static int visit_ip(void *ctx, unsigned kind, const void *v)
{
    mctx *m = ctx;
    size_t i;
    if (kind != ASFF_KIND_STRING)
        return 0;
    for (i = 0; i < m->c->n; i++)
        if (ip_in(&m->c->entries[i], v)) {
            m->pos_hit = true;
            return 1;
        }
    return 0;
}

static int visit_bool(void *ctx, unsigned kind, const void *v)
{
    mctx *m = ctx;
    if (kind == ASFF_KIND_BOOL)
        m->any = true, m->neg_hit = *(const bool *)v; /* neg_hit carries the value here */
    return 1;
}

static bool cond_match(const asff_filter *f, const fcond *c, const void *finding)
{
    mctx m = {c, false, false, false};
    size_t i;
    switch (c->def->type) {
    case FT_STRING:
        if (c->path.n == 1 && c->path.steps[0].kind == ASFF_KIND_STRING) {
            /* top-level string member: the common case, without the visitor */
            const char *x;
            memcpy(&x, (const char *)finding + c->path.steps[0].offset, sizeof x);
            if (x)
                visit_string(&m, ASFF_KIND_STRING, x);
        } else
            asff__fpath_visit(finding, &c->path, visit_string, &m);
        break;
    case FT_MAP:
        asff__fpath_visit(finding, &c->path, visit_map, &m);
        break;
    case FT_NUMBER:
        asff__fpath_visit(finding, &c->path, visit_number, &m);
        return m.pos_hit;
    case FT_DATE:
        asff__fpath_visit(finding, &c->path, visit_date, &m);
        return m.pos_hit;
    case FT_IP:
        asff__fpath_visit(finding, &c->path, visit_ip, &m);
        return m.pos_hit;
    case FT_BOOLEAN:
        asff__fpath_visit(finding, &c->path, visit_bool, &m); /* FS-44: absent = false */
        for (i = 0; i < c->n; i++)
            if (c->entries[i].bval == m.neg_hit)
                return true;
        return false;
    default:
        return false;
    }
    if (m.neg_hit)
        return false;
    if (c->npos)
        return m.pos_hit;
    return m.any || !f->opt.negative_absent_fails; /* FS-30 */
}

bool asff_filter_match(const asff_filter *f, const asff_AwsSecurityFinding *finding)
{
    size_t i;
    if (!f || !finding || asff_object_type(finding) != f->finding_type)
        return false; /* the offsets are those of AwsSecurityFinding */
    for (i = 0; i < f->n; i++)
        if (!cond_match(f, &f->conds[i], finding))
            return false;
    return true;
}

/* Whether escapes in text could spell a prefilter value that is not in it verbatim. A value char
 * can be escaped only as \uXXXX, or as \/ for '/', or (for '"', '\\', controls) as \", \\, \n...;
 * other escapes only produce characters that the values do not hold. */
static bool escaped_spelling_possible(const asff_filter *f, const char *text, size_t len)
{
    if (!memchr(text, '\\', len))
        return false;
    if (f->lit_special)
        return true;
    return memmem(text, len, "\\u", 2) != NULL || (f->lit_slash && memmem(text, len, "\\/", 2) != NULL);
}

/* asff_filter_prefilter, without testing prefilter group `known` (found in the text already). */
static bool prefilter_text(const asff_filter *f, const char *text, size_t len, size_t known)
{
    size_t i, j;
    for (i = 0; i < f->nlit; i++) {
        const fcond *c = &f->conds[f->lit[i]];
        bool found = i == known;
        for (j = 0; j < c->n && !found; j++)
            found = memmem(text, len, c->entries[j].str, c->entries[j].len) != NULL;
        if (!found)
            return escaped_spelling_possible(f, text, len);
    }
    return true;
}

bool asff_filter_prefilter(const asff_filter *f, const char *text, size_t len)
{
    return !f || !text || prefilter_text(f, text, len, SIZE_MAX);
}

/* ---- the prefilter over many NDJSON lines ---------------------------------------------------- */

/* The values searched for by asff_filter_prefilter_next: those of one prefilter group. */
#define PF_MAX_NEEDLES 4

typedef struct pf_needle {
    const unsigned char *s;
    size_t len;
} pf_needle;

/* The group to search for: the first (most selective) one with 1..PF_MAX_NEEDLES values, none of
 * them empty (an empty value is in every line). Returns the count (0: every line may pass, since
 * every group has an empty value; SIZE_MAX: no group is small enough, go line by line); *group gets
 * its index in f->lit when a value found in a line is sure to lie inside it (no newline but last). */
static size_t pf_needles(const asff_filter *f, pf_needle *nd, size_t *group)
{
    size_t i, j, any_usable = 0;
    for (i = 0; i < f->nlit; i++) {
        const fcond *c = &f->conds[f->lit[i]];
        bool empty = false;
        for (j = 0; j < c->n; j++)
            empty |= c->entries[j].len == 0;
        if (empty)
            continue;
        any_usable = 1;
        if (c->n > PF_MAX_NEEDLES)
            continue;
        *group = i;
        for (j = 0; j < c->n; j++) {
            nd[j].s = (const unsigned char *)c->entries[j].str;
            nd[j].len = c->entries[j].len;
            if (memchr(nd[j].s, '\n', nd[j].len - 1))
                *group = SIZE_MAX;
        }
        return c->n;
    }
    return any_usable ? SIZE_MAX : 0;
}

/* Whether the backslash at p[0] (avail bytes on) starts an escape that escaped_spelling_possible
 * counts: any one when a value holds '"', '\\' or a control char, else \u, or \/ for values with '/'. */
static bool pf_escape_at(const asff_filter *f, const unsigned char *p, size_t avail)
{
    return f->lit_special || (avail > 1 && (p[1] == 'u' || (f->lit_slash && p[1] == '/')));
}

/* SSE2 is in every x86-64; -DASFF_NO_SIMD builds (and tests) the portable form. */
#if defined(__SSE2__) && defined(__GNUC__) && !defined(ASFF_NO_SIMD)
#include <emmintrin.h>
#ifndef PF_PREFETCH /* bytes ahead: the hardware prefetcher stops at each 4 KiB page, and page-cache
                      * pages are not contiguous (200 MB mmap'ed: ~52 ms without, ~35 ms with) */
#define PF_PREFETCH 4096
#endif
#define PF_LOAD(q) _mm_loadu_si128((const __m128i *)(const void *)(q))

static bool pf_needle_at(const unsigned char *p, size_t avail, const pf_needle *nd, size_t nn)
{
    size_t j;
    for (j = 0; j < nn; j++)
        if (nd[j].len <= avail && p[0] == nd[j].s[0] && memcmp(p, nd[j].s, nd[j].len) == 0)
            return true;
    return false;
}

static size_t pf_sum_bytes(__m128i acc)
{
    __m128i s = _mm_sad_epu8(acc, _mm_setzero_si128());
    return (size_t)_mm_cvtsi128_si32(s) + (size_t)_mm_cvtsi128_si32(_mm_srli_si128(s, 8));
}

/* 64 bytes at q: bit i set when q[i] is a backslash or may start a needle (first and last byte). */
static inline uint64_t pf_block_stops(const unsigned char *q, __m128i bs, const __m128i *first, const __m128i *last,
                                      const pf_needle *nd, size_t nn, const __m128i *x)
{
    __m128i c[4];
    size_t j, v;
    for (v = 0; v < 4; v++)
        c[v] = _mm_cmpeq_epi8(x[v], bs);
    for (j = 0; j < nn; j++)
        for (v = 0; v < 4; v++)
            c[v] = _mm_or_si128(c[v], _mm_and_si128(_mm_cmpeq_epi8(x[v], first[j]),
                                                    _mm_cmpeq_epi8(PF_LOAD(q + 16 * v + nd[j].len - 1), last[j])));
    if (!_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(c[0], c[1]), _mm_or_si128(c[2], c[3]))))
        return 0;
    return (uint64_t)(unsigned)_mm_movemask_epi8(c[0]) | (uint64_t)(unsigned)_mm_movemask_epi8(c[1]) << 16 |
           (uint64_t)(unsigned)_mm_movemask_epi8(c[2]) << 32 | (uint64_t)(unsigned)_mm_movemask_epi8(c[3]) << 48;
}

/* The first offset in p[n] where a needle or an escape that may spell one (pf_escape_at) starts, n if
 * none; *nl += the newlines before it. One pass, 64 bytes a step, newlines counted in byte lanes. */
static inline size_t pf_scan_simd(const asff_filter *f, const unsigned char *p, size_t n, const pf_needle *nd,
                                  size_t nn, size_t *nl)
{
    size_t i = 0, j, v, span = 64, lines = 0;
    for (j = 0; j < nn; j++)
        if (nd[j].len + 63 > span)
            span = nd[j].len + 63;
    if (n >= span) {
        const __m128i nlv = _mm_set1_epi8('\n'), bs = _mm_set1_epi8('\\');
        __m128i first[PF_MAX_NEEDLES], last[PF_MAX_NEEDLES], acc = _mm_setzero_si128();
        unsigned steps = 0;
        for (j = 0; j < nn; j++) {
            first[j] = _mm_set1_epi8((char)nd[j].s[0]);
            last[j] = _mm_set1_epi8((char)nd[j].s[nd[j].len - 1]);
        }
        for (; i + span <= n; i += 64) {
            const unsigned char *q = p + i;
            __m128i x[4];
            uint64_t stops;
            for (v = 0; v < 4; v++)
                x[v] = PF_LOAD(q + 16 * v);
            _mm_prefetch((const char *)q + PF_PREFETCH, _MM_HINT_T0);
            stops = pf_block_stops(q, bs, first, last, nd, nn, x);
            for (; stops; stops &= stops - 1) {
                size_t at = i + (size_t)__builtin_ctzll(stops), k;
                if (p[at] == '\\' ? pf_escape_at(f, p + at, n - at) : pf_needle_at(p + at, n - at, nd, nn)) {
                    for (k = i; k < at; k++)
                        lines += p[k] == '\n';
                    *nl += lines + pf_sum_bytes(acc);
                    return at;
                }
            }
            for (v = 0; v < 4; v++)
                acc = _mm_sub_epi8(acc, _mm_cmpeq_epi8(x[v], nlv));
            if (++steps == 63) { /* 4 per step: a byte lane holds up to 255 */
                lines += pf_sum_bytes(acc);
                acc = _mm_setzero_si128();
                steps = 0;
            }
        }
        lines += pf_sum_bytes(acc);
    }
    for (; i < n; i++) {
        if (p[i] == '\\' ? pf_escape_at(f, p + i, n - i) : pf_needle_at(p + i, n - i, nd, nn))
            break;
        lines += p[i] == '\n';
    }
    *nl += lines;
    return i;
}
#endif
/* Portable form: memchr for the next escape, memmem for each needle before it, 64 KiB at a time so
 * that a far escape is not searched for again after each hit. Always built: the tests run it in
 * SIMD builds too (asff__filter_use_portable_scan). */
static size_t pf_scan_portable(const asff_filter *f, const unsigned char *p, size_t n, const pf_needle *nd,
                               size_t nn, size_t *nl)
{
    size_t base = 0, stop = n, i, j, lines = 0;
    while (base < n && stop == n) {
        size_t end = n - base > 65536 ? base + 65536 : n;
        const unsigned char *b = memchr(p + base, '\\', end - base);
        size_t cut;
        while (b && !pf_escape_at(f, b, n - (size_t)(b - p)))
            b = memchr(b + 1, '\\', end - (size_t)(b + 1 - p));
        cut = b ? (size_t)(b - p) : end; /* a needle may start before cut */
        for (j = 0; j < nn; j++) {
            size_t lim = cut + nd[j].len - 1 < n ? cut + nd[j].len - 1 : n;
            const unsigned char *h = memmem(p + base, lim - base, nd[j].s, nd[j].len);
            if (h && (size_t)(h - p) < cut)
                cut = (size_t)(h - p);
        }
        if (b || cut < end)
            stop = cut;
        base = end;
    }
    for (i = 0; stop - i >= 128; i += 128) {
        unsigned char c = 0; /* byte counters: the compiler vectorizes this */
        for (j = 0; j < 128; j++)
            c += p[i + j] == '\n';
        lines += c;
    }
    for (; i < stop; i++)
        lines += p[i] == '\n';
    *nl += lines;
    return stop;
}

void asff__filter_use_portable_scan(asff_filter *f, bool on)
{
    if (f)
        f->portable_scan = on;
}

static inline size_t pf_scan(const asff_filter *f, const unsigned char *p, size_t n, const pf_needle *nd, size_t nn,
                             size_t *nl)
{
#ifdef PF_LOAD
    if (!f->portable_scan)
        return pf_scan_simd(f, p, n, nd, nn, nl);
#endif
    return pf_scan_portable(f, p, n, nd, nn, nl);
}

/* Start of the line holding text[at]. */
static size_t pf_line_start(const unsigned char *p, size_t at)
{
#ifdef __GLIBC__
    const unsigned char *e = memrchr(p, '\n', at);
    return e ? (size_t)(e - p) + 1 : 0;
#else
    while (at > 0 && p[at - 1] != '\n')
        at--;
    return at;
#endif
}

size_t asff_filter_prefilter_next(const asff_filter *f, const char *text, size_t len, size_t *lines)
{
    const unsigned char *p = (const unsigned char *)text;
    pf_needle nd[PF_MAX_NEEDLES];
    size_t nn, pos = 0, nl = 0, at, group = SIZE_MAX;
    if (lines)
        *lines = 0;
    if (!f || !text || f->nlit == 0 || (nn = pf_needles(f, nd, &group)) == 0)
        return 0;
    while (pos < len) {
        const unsigned char *e;
        size_t ls, le;
        if (nn == SIZE_MAX) {
            /* too many values to search for at once: line by line */
            ls = at = pos;
        } else {
            /* nn == 1 apart: the common case, with the needle loop unrolled */
            at = pos + (nn == 1 ? pf_scan(f, p + pos, len - pos, nd, 1, &nl)
                                : pf_scan(f, p + pos, len - pos, nd, nn, &nl));
            if (at == len) {
                pos = len;
                break;
            }
            ls = pf_line_start(p, at);
            if (p[at] == '\\') {
                pos = ls; /* an escape that may spell a value: the line is a candidate */
                break;
            }
        }
        /* a value starts at text[at]: test the whole line */
        e = memchr(p + at, '\n', len - at);
        le = e ? (size_t)(e - p) + 1 : len;
        if (prefilter_text(f, text + ls, le - ls, nn == SIZE_MAX ? SIZE_MAX : group)) {
            pos = ls;
            break;
        }
        nl += e != NULL;
        pos = le;
    }
    if (lines)
        *lines = nl;
    return pos;
}

size_t asff_filter_attribute_count(const asff_filter *f)
{
    return f ? f->n : 0;
}

const char *asff_filter_attribute_name(const asff_filter *f, size_t index)
{
    return f && index < f->n ? f->conds[index].def->name : NULL;
}

bool asff_filter_match_attribute(const asff_filter *f, size_t index, const asff_AwsSecurityFinding *finding)
{
    if (!f || index >= f->n || !finding || asff_object_type(finding) != f->finding_type)
        return false;
    return cond_match(f, &f->conds[index], finding);
}

static int visit_any(void *ctx, unsigned kind, const void *v)
{
    (void)kind;
    (void)v;
    *(bool *)ctx = true;
    return 1;
}

bool asff_filter_attribute_present(const asff_filter *f, size_t index, const asff_AwsSecurityFinding *finding)
{
    bool any = false;
    if (!f || index >= f->n || !finding || asff_object_type(finding) != f->finding_type)
        return false;
    if (f->conds[index].def->type == FT_KEYWORD)
        return false;
    asff__fpath_visit(finding, &f->conds[index].path, visit_any, &any);
    return any;
}

/* ---- compiling ------------------------------------------------------------------------------- */

bool asff__fjson_double(yajl_val v, double *out)
{
    char *end;
    double d;
    if (!YAJL_IS_NUMBER(v) || !v->u.number.r || !v->u.number.r[0])
        return false;
    errno = 0;
    d = asff__c_strtod(v->u.number.r, &end);
    /* ERANGE with a finite result is an underflow: the nearest double (0 or a subnormal) is the value */
    if (*end || isinf(d) || isnan(d))
        return false;
    *out = d;
    return true;
}

asff_status asff__filter_parse_json(const char *json, size_t len, const asff_allocator *alloc, yajl_val *out,
                                    asff_error *err)
{
    /* Filters, rules and sort criteria are small and shallow; the limits are explicit here so that
     * they read the same in every entry point of lib/filter (docs/filter.md). */
    asff__json_limits lim = {ASFF__FILTER_MAX_DEPTH, ASFF__FILTER_MAX_BYTES};
    *out = NULL;
    if (!json)
        return asff__filter_fail(err, ASFF_ERR_INVALID_ARG, "", "no JSON text");
    return asff__json_parse(json, len, &lim, alloc, out, err);
}

static const char *const cmp_names[] = {"EQUALS", "PREFIX", "CONTAINS", "NOT_EQUALS", "PREFIX_NOT_EQUALS",
                                        "NOT_CONTAINS"};
static const char *const num_names[] = {"Gte", "Lte", "Eq", "Gt", "Lt"};

static bool nonempty(const char *s)
{
    for (; *s; s++)
        if (!(*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '\f' || *s == '\v'))
            return true;
    return false;
}

typedef struct cctx {
    asff_filter *f;
    asff_error *err;
    char path[ASFF_ERROR_PATH_SIZE];
} cctx;

static char *arena_str(asff_filter *f, const char *s)
{
    return asff_arena_strdup(f->arena, s, strlen(s));
}

/* The string member key of object o (error when it is there but not a non-empty string). */
static asff_status get_str(cctx *cc, yajl_val o, const char *key, bool required, const char **out)
{
    size_t i;
    *out = NULL;
    for (i = 0; i < o->u.object.len; i++) {
        if (strcmp(o->u.object.keys[i], key) != 0)
            continue;
        if (!YAJL_IS_STRING(o->u.object.values[i]) || !nonempty(o->u.object.values[i]->u.string)) {
            char p[ASFF_ERROR_PATH_SIZE];
            ptr_join(p, cc->path, key);
            return asff__filter_fail(cc->err, ASFF_ERR_FILTER, p, "%s must be a non-empty string", key);
        }
        *out = o->u.object.values[i]->u.string;
        return ASFF_OK;
    }
    if (required) {
        return asff__filter_fail(cc->err, ASFF_ERR_FILTER, cc->path, "%s is required", key);
    }
    return ASFF_OK;
}

static asff_status check_keys(cctx *cc, yajl_val o, const char *const *allowed, size_t n)
{
    size_t i, j;
    for (i = 0; i < o->u.object.len; i++) {
        for (j = 0; j < n; j++)
            if (strcmp(o->u.object.keys[i], allowed[j]) == 0)
                break;
        if (j == n) {
            char p[ASFF_ERROR_PATH_SIZE];
            ptr_join(p, cc->path, o->u.object.keys[i]);
            return asff__filter_fail(cc->err, ASFF_ERR_FILTER, p, "unknown member %s", o->u.object.keys[i]);
        }
        for (j = 0; j < i; j++)
            if (strcmp(o->u.object.keys[i], o->u.object.keys[j]) == 0) {
                char p[ASFF_ERROR_PATH_SIZE];
                ptr_join(p, cc->path, o->u.object.keys[i]);
                return asff__filter_fail(cc->err, ASFF_ERR_FILTER, p, "duplicate member %s", o->u.object.keys[i]);
            }
    }
    return ASFF_OK;
}

static int cmp_index(const char *s)
{
    int i;
    for (i = 0; i < 6; i++)
        if (strcmp(s, cmp_names[i]) == 0)
            return i;
    return -1;
}

static asff_status compile_string_entry(cctx *cc, const filter_attr_def *d, yajl_val o, fentry *e)
{
    static const char *const skeys[] = {"Value", "Comparison"};
    static const char *const mkeys[] = {"Key", "Value", "Comparison"};
    const char *v, *c, *k = NULL;
    asff_status st;
    int op;
    bool map = d->type == FT_MAP;
    if ((st = check_keys(cc, o, map ? mkeys : skeys, map ? 3 : 2)) != ASFF_OK)
        return st;
    if ((st = get_str(cc, o, "Value", true, &v)) != ASFF_OK || (st = get_str(cc, o, "Comparison", true, &c)) != ASFF_OK)
        return st;
    if (map && (st = get_str(cc, o, "Key", true, &k)) != ASFF_OK)
        return st;
    op = cmp_index(c);
    if (op < 0) {
        char p[ASFF_ERROR_PATH_SIZE];
        ptr_join(p, cc->path, "Comparison");
        if (strcmp(c, "CONTAINS_WORD") == 0)
            return asff__filter_fail(cc->err, ASFF_ERR_FILTER, p, "%s: CONTAINS_WORD is only accepted by the V2 APIs", d->name);
        return asff__filter_fail(cc->err, ASFF_ERR_FILTER, p, "%s: unknown comparison %s", d->name, c);
    }
    if (map && (op == CMP_PREFIX || op == CMP_PREFIX_NOT_EQUALS)) {
        char p[ASFF_ERROR_PATH_SIZE];
        ptr_join(p, cc->path, "Comparison");
        return asff__filter_fail(cc->err, ASFF_ERR_FILTER, p, "%s: %s is not a Map comparison", d->name, c);
    }
    if ((op == CMP_CONTAINS || op == CMP_NOT_CONTAINS) && cc->f->opt.mode == ASFF_FILTER_FINDINGS &&
        !cc->f->opt.allow_contains) {
        char p[ASFF_ERROR_PATH_SIZE];
        ptr_join(p, cc->path, "Comparison");
        return asff__filter_fail(cc->err, ASFF_ERR_FILTER, p,
                           "%s: %s is accepted only in automation-rule criteria", d->name, c);
    }
    e->op = (uint8_t)op;
    e->str = arena_str(cc->f, v);
    e->len = strlen(v);
    e->key = k ? arena_str(cc->f, k) : NULL;
    if (!e->str || (k && !e->key))
        return asff__filter_fail(cc->err, ASFF_ERR_NOMEM, "", "out of memory");
    return ASFF_OK;
}

static asff_status compile_number_entry(cctx *cc, const filter_attr_def *d, yajl_val o, fentry *e)
{
    size_t i;
    asff_status st = check_keys(cc, o, num_names, NUM_KEYS);
    if (st)
        return st;
    for (i = 0; i < o->u.object.len; i++) {
        int k;
        for (k = 0; k < NUM_KEYS; k++)
            if (strcmp(o->u.object.keys[i], num_names[k]) == 0)
                break;
        if (!asff__fjson_double(o->u.object.values[i], &e->num[k])) {
            char p[ASFF_ERROR_PATH_SIZE];
            ptr_join(p, cc->path, o->u.object.keys[i]);
            if (YAJL_IS_NUMBER(o->u.object.values[i]))
                return asff__filter_fail(cc->err, ASFF_ERR_FILTER, p, "%s: %s is out of range (not a finite number)",
                                   d->name, num_names[k]);
            return asff__filter_fail(cc->err, ASFF_ERR_FILTER, p, "%s: %s must be a number", d->name, num_names[k]);
        }
        e->op |= (uint8_t)(1u << k);
    }
    if (!e->op)
        return asff__filter_fail(cc->err, ASFF_ERR_FILTER, cc->path, "%s: a NumberFilter needs Gte, Lte, Eq, Gt or Lt",
                           d->name);
    return ASFF_OK;
}

static asff_status compile_date_entry(cctx *cc, const filter_attr_def *d, yajl_val o, fentry *e)
{
    static const char *const keys[] = {"Start", "End", "DateRange"};
    static const char *const rkeys[] = {"Value", "Unit", "Comparison"};
    const char *s, *en;
    yajl_val r = NULL;
    size_t i;
    asff_status st;
    if ((st = check_keys(cc, o, keys, 3)) != ASFF_OK || (st = get_str(cc, o, "Start", false, &s)) != ASFF_OK ||
        (st = get_str(cc, o, "End", false, &en)) != ASFF_OK)
        return st;
    for (i = 0; i < o->u.object.len; i++)
        if (strcmp(o->u.object.keys[i], "DateRange") == 0)
            r = o->u.object.values[i];
    if (r && (s || en))
        return asff__filter_fail(cc->err, ASFF_ERR_FILTER, cc->path, "%s: DateRange cannot be combined with Start/End",
                           d->name);
    if (!r && !(s && en))
        return asff__filter_fail(cc->err, ASFF_ERR_FILTER, cc->path,
                           "%s: a DateFilter needs Start and End together, or DateRange", d->name);
    if (r) {
        const char *unit, *cmp;
        yajl_val v = NULL;
        char saved[ASFF_ERROR_PATH_SIZE];
        memcpy(saved, cc->path, sizeof saved);
        ptr_join(cc->path, saved, "DateRange");
        if (!YAJL_IS_OBJECT(r))
            return asff__filter_fail(cc->err, ASFF_ERR_FILTER, cc->path, "%s: DateRange must be an object", d->name);
        if ((st = check_keys(cc, r, rkeys, 3)) != ASFF_OK || (st = get_str(cc, r, "Unit", true, &unit)) != ASFF_OK ||
            (st = get_str(cc, r, "Comparison", false, &cmp)) != ASFF_OK)
            return st;
        for (i = 0; i < r->u.object.len; i++)
            if (strcmp(r->u.object.keys[i], "Value") == 0)
                v = r->u.object.values[i];
        if (!v || !YAJL_IS_INTEGER(v) || v->u.number.i < 0 || v->u.number.i > 1000000) {
            char p[ASFF_ERROR_PATH_SIZE];
            ptr_join(p, cc->path, "Value");
            return asff__filter_fail(cc->err, ASFF_ERR_FILTER, p, "%s: DateRange.Value must be an integer 0..1000000",
                               d->name);
        }
        if (strcmp(unit, "DAYS") != 0) {
            char p[ASFF_ERROR_PATH_SIZE];
            ptr_join(p, cc->path, "Unit");
            return asff__filter_fail(cc->err, ASFF_ERR_FILTER, p, "%s: DateRange.Unit must be DAYS", d->name);
        }
        if (cmp && strcmp(cmp, "WITHIN") != 0 && strcmp(cmp, "OLDER_THAN") != 0) {
            char p[ASFF_ERROR_PATH_SIZE];
            ptr_join(p, cc->path, "Comparison");
            return asff__filter_fail(cc->err, ASFF_ERR_FILTER, p, "%s: DateRange.Comparison must be WITHIN or OLDER_THAN",
                               d->name);
        }
        if (!cc->f->opt.has_now)
            return asff__filter_fail(cc->err, ASFF_ERR_FILTER, cc->path,
                               "%s: DateRange needs a current time (options.has_now)", d->name);
        memcpy(cc->path, saved, sizeof saved);
        e->op = cmp && strcmp(cmp, "OLDER_THAN") == 0 ? DATE_OLDER_THAN : DATE_WITHIN;
        e->drange = v->u.number.i;
        { /* FS-38: exact days back from now, saturated: an extreme now or Value must not overflow */
            int64_t days = e->drange, now = cc->f->opt.now_seconds;
            int64_t back = days > INT64_MAX / 86400 ? INT64_MAX : days < INT64_MIN / 86400 ? INT64_MIN : days * 86400;
            e->t0s = back > 0 && now < INT64_MIN + back   ? INT64_MIN
                     : back < 0 && now > INT64_MAX + back ? INT64_MAX
                                                          : now - back;
        }
        return ASFF_OK;
    }
    if (!asff__filter_ts_parse(s, strlen(s), &e->t0s, &e->t0n)) {
        char p[ASFF_ERROR_PATH_SIZE];
        ptr_join(p, cc->path, "Start");
        return asff__filter_fail(cc->err, ASFF_ERR_FILTER, p, "%s: Start is not an ISO 8601 timestamp", d->name);
    }
    if (!asff__filter_ts_parse(en, strlen(en), &e->t1s, &e->t1n)) {
        char p[ASFF_ERROR_PATH_SIZE];
        ptr_join(p, cc->path, "End");
        return asff__filter_fail(cc->err, ASFF_ERR_FILTER, p, "%s: End is not an ISO 8601 timestamp", d->name);
    }
    e->op = DATE_FIXED;
    e->start = arena_str(cc->f, s);
    e->end = arena_str(cc->f, en);
    return e->start && e->end ? ASFF_OK : asff__filter_fail(cc->err, ASFF_ERR_NOMEM, "", "out of memory");
}

static asff_status compile_ip_entry(cctx *cc, const filter_attr_def *d, yajl_val o, fentry *e)
{
    static const char *const keys[] = {"Cidr"};
    const char *c, *slash;
    char p[ASFF_ERROR_PATH_SIZE];
    size_t alen;
    int prefix = -1;
    asff_status st;
    if ((st = check_keys(cc, o, keys, 1)) != ASFF_OK || (st = get_str(cc, o, "Cidr", true, &c)) != ASFF_OK)
        return st;
    ptr_join(p, cc->path, "Cidr");
    slash = strchr(c, '/');
    alen = slash ? (size_t)(slash - c) : strlen(c);
    e->family = (uint8_t)ip_parse(c, alen, e->ip);
    if (!e->family)
        return asff__filter_fail(cc->err, ASFF_ERR_FILTER, p, "%s: %s is not an IPv4 or IPv6 CIDR block", d->name, c);
    if (slash) {
        size_t n = strlen(slash + 1);
        prefix = n >= 1 && n <= 3 && (n == 1 || slash[1] != '0') ? digits(slash + 1, n) : -1;
        if (prefix < 0 || prefix > (e->family == 4 ? 32 : 128))
            return asff__filter_fail(cc->err, ASFF_ERR_FILTER, p, "%s: bad prefix length in %s", d->name, c);
    } else
        prefix = e->family == 4 ? 32 : 128; /* FS-46: a bare address is one host */
    e->prefix = (uint8_t)prefix;
    {
        /* host bits beyond the prefix are ignored */
        unsigned i, bytes = e->family == 4 ? 4u : 16u;
        for (i = 0; i < bytes; i++) {
            unsigned lo = i * 8u;
            if (lo >= (unsigned)prefix)
                e->ip[i] = 0;
            else if (lo + 8u > (unsigned)prefix)
                e->ip[i] &= (uint8_t)(0xffu << (8u - ((unsigned)prefix - lo)));
        }
    }
    e->start = arena_str(cc->f, c);
    return e->start ? ASFF_OK : asff__filter_fail(cc->err, ASFF_ERR_NOMEM, "", "out of memory");
}

static asff_status compile_bool_entry(cctx *cc, const filter_attr_def *d, yajl_val o, fentry *e)
{
    static const char *const keys[] = {"Value"};
    asff_status st = check_keys(cc, o, keys, 1);
    if (st)
        return st;
    if (o->u.object.len != 1 || (!YAJL_IS_TRUE(o->u.object.values[0]) && !YAJL_IS_FALSE(o->u.object.values[0])))
        return asff__filter_fail(cc->err, ASFF_ERR_FILTER, cc->path, "%s: Value must be true or false", d->name);
    e->bval = YAJL_IS_TRUE(o->u.object.values[0]);
    return ASFF_OK;
}

/* FS-5..FS-8, FS-11: the validation matrix over the comparisons present on one attribute. */
static asff_status check_mix(cctx *cc, const filter_attr_def *d, unsigned seen)
{
    static const unsigned bad[][2] = {
        {CMP_EQUALS, CMP_NOT_EQUALS}, {CMP_EQUALS, CMP_PREFIX_NOT_EQUALS}, {CMP_CONTAINS, CMP_NOT_CONTAINS}};
    unsigned i, j;
    for (i = 0; i < 3; i++)
        if ((seen & (1u << bad[i][0])) && (seen & (1u << bad[i][1])))
            return asff__filter_fail(cc->err, ASFF_ERR_FILTER, cc->path, "%s: %s cannot be combined with %s", d->name,
                               cmp_names[bad[i][0]], cmp_names[bad[i][1]]);
    for (i = CMP_CONTAINS; i <= CMP_NOT_CONTAINS; i += 3)
        if (seen & (1u << i))
            for (j = 0; j < 6; j++)
                if (j != i && (seen & (1u << j)))
                    return asff__filter_fail(cc->err, ASFF_ERR_FILTER, cc->path, "%s: %s cannot be combined with %s",
                                       d->name, cmp_names[i], cmp_names[j]);
    return ASFF_OK;
}

static asff_status compile_attr(cctx *cc, const filter_attr_def *d, yajl_val list, fcond *c)
{
    const asff_filter_options *o = &cc->f->opt;
    size_t i, n, limit, k;
    unsigned seen = 0;
    asff_status st;
    char base[ASFF_ERROR_PATH_SIZE];
    if (!YAJL_IS_ARRAY(list))
        return asff__filter_fail(cc->err, ASFF_ERR_FILTER, cc->path, "%s must be an array of filters", d->name);
    n = list->u.array.len;
    limit = o->mode == ASFF_FILTER_RULE && (d->flags & FA_RULE100) ? 100 : 20;
    if (!o->local && n > limit)
        return asff__filter_fail(cc->err, ASFF_ERR_FILTER, cc->path, "%s: %zu filters, at most %zu are allowed", d->name, n,
                           limit);
    if (n == 0 && o->mode == ASFF_FILTER_RULE)
        return asff__filter_fail(cc->err, ASFF_ERR_FILTER, cc->path, "%s: a criterion needs at least one filter", d->name);
    c->def = d;
    if ((st = asff__fpath_resolve(d->path, &c->path)) != ASFF_OK)
        return asff__filter_fail(cc->err, ASFF_ERR_INTERNAL, cc->path, "%s: cannot resolve path %s", d->name, d->path);
    c->entries = asff_arena_alloc(cc->f->arena, (n ? n : 1) * sizeof *c->entries * 2);
    if (!c->entries)
        return asff__filter_fail(cc->err, ASFF_ERR_NOMEM, "", "out of memory");
    c->orig = c->entries + (n ? n : 1);
    memcpy(base, cc->path, sizeof base);
    for (i = 0; i < n; i++) {
        yajl_val v = list->u.array.values[i];
        fentry *e = &c->orig[i];
        ptr_index(cc->path, base, i);
        if (!YAJL_IS_OBJECT(v))
            return asff__filter_fail(cc->err, ASFF_ERR_FILTER, cc->path, "%s: a filter must be an object", d->name);
        switch (d->type) {
        case FT_STRING:
        case FT_MAP:
            st = compile_string_entry(cc, d, v, e);
            seen |= 1u << e->op;
            break;
        case FT_NUMBER:
            st = compile_number_entry(cc, d, v, e);
            break;
        case FT_DATE:
            st = compile_date_entry(cc, d, v, e);
            break;
        case FT_IP:
            st = compile_ip_entry(cc, d, v, e);
            break;
        case FT_BOOLEAN:
            st = compile_bool_entry(cc, d, v, e);
            break;
        default:
            st = ASFF_ERR_INTERNAL;
        }
        if (st)
            return st;
    }
    memcpy(cc->path, base, sizeof base);
    if ((d->type == FT_STRING || d->type == FT_MAP) && (st = check_mix(cc, d, seen)) != ASFF_OK)
        return st;
    /* positives first (FS-2) */
    for (i = 0, k = 0; i < n; i++)
        if (d->type != FT_STRING && d->type != FT_MAP ? true : c->orig[i].op < 3)
            c->entries[k++] = c->orig[i];
    c->npos = k;
    for (i = 0; i < n; i++)
        if ((d->type == FT_STRING || d->type == FT_MAP) && c->orig[i].op >= 3)
            c->entries[k++] = c->orig[i];
    c->n = n;
    if (d->type != FT_STRING && d->type != FT_MAP)
        c->npos = n;
    return ASFF_OK;
}

static size_t min_len(const fcond *c)
{
    size_t i, m = SIZE_MAX;
    for (i = 0; i < c->n; i++)
        if (c->entries[i].len < m)
            m = c->entries[i].len;
    return m;
}

static int cond_cmp(const void *a, const void *b)
{
    return strcmp(((const fcond *)a)->def->name, ((const fcond *)b)->def->name);
}

asff_status asff__filter_compile_node(yajl_val node, const char *base, const asff_filter_options *opt, asff_filter **out,
                                asff_error *err)
{
    asff_filter_options defaults = ASFF_FILTER_OPTIONS_INIT;
    const asff_allocator *a;
    asff_filter *f;
    cctx cc;
    size_t i, nattr = 0;
    asff_status st = ASFF_OK;
    *out = NULL;
    if (!opt)
        opt = &defaults;
    if ((opt->version && opt->version != ASFF_FILTER_OPTIONS_VERSION))
        return asff__filter_fail(err, ASFF_ERR_INVALID_ARG, "", "unknown asff_filter_options version %u", opt->version);
    a = asff__alloc_or_default(opt->allocator);
    if (!YAJL_IS_OBJECT(node))
        return asff__filter_fail(err, ASFF_ERR_FILTER, base, "filters must be a JSON object");
    f = asff__malloc(a, sizeof *f);
    if (!f)
        return asff__filter_fail(err, ASFF_ERR_NOMEM, "", "out of memory");
    memset(f, 0, sizeof *f);
    f->alloc = a;
    f->opt = *opt;
    f->finding_type = asff_type_get(ASFF_TID_AwsSecurityFinding);
    (void)asff_arena_new(a, &f->arena, NULL);
    f->conds = f->arena ? asff_arena_alloc(f->arena, (node->u.object.len + 1) * sizeof *f->conds) : NULL;
    if (!f->conds) {
        asff_filter_free(f);
        return asff__filter_fail(err, ASFF_ERR_NOMEM, "", "out of memory");
    }
    cc.f = f;
    cc.err = err;
    for (i = 0; i < node->u.object.len && st == ASFF_OK; i++) {
        const char *name = node->u.object.keys[i];
        const filter_attr_def *d = asff__filter_attr_find(name, strlen(name));
        size_t j;
        ptr_join(cc.path, base, name);
        for (j = 0; j < i; j++)
            if (strcmp(node->u.object.keys[j], name) == 0)
                break;
        if (j < i)
            st = asff__filter_fail(err, ASFF_ERR_FILTER, cc.path, "%s appears twice", name);
        else if (!d)
            st = asff__filter_fail(err, ASFF_ERR_FILTER, cc.path, "unknown filter attribute %s", name);
        else if (opt->mode == ASFF_FILTER_RULE && !(d->flags & FA_RULE))
            st = asff__filter_fail(err, ASFF_ERR_FILTER, cc.path, "%s is not an automation-rule criterion", name);
        else if (d->type == FT_KEYWORD)
            st = asff__filter_fail(err, ASFF_ERR_UNSUPPORTED, cc.path,
                             "unsupported attribute %s: KeywordFilter has no documented semantics", name);
        else if (YAJL_IS_ARRAY(node->u.object.values[i]) && node->u.object.values[i]->u.array.len == 0 &&
                 opt->mode == ASFF_FILTER_FINDINGS)
            continue; /* FS-23: an empty list is ignored */
        else if ((st = compile_attr(&cc, d, node->u.object.values[i], &f->conds[f->n])) == ASFF_OK) {
            f->n++;
            nattr++;
        }
    }
    if (st == ASFF_OK && opt->mode == ASFF_FILTER_FINDINGS && !opt->local && nattr > 10)
        st = asff__filter_fail(err, ASFF_ERR_FILTER, base, "%zu filter attributes, at most 10 are allowed", nattr);
    if (st) {
        asff_filter_free(f);
        return st;
    }
    qsort(f->conds, f->n, sizeof *f->conds, cond_cmp);
    /* prefilter groups: attributes tested only by positive String/Map comparisons, the one with the
     * longest shortest value (likely the rarest text) first */
    for (i = 0; i < f->n && f->nlit < sizeof f->lit / sizeof *f->lit; i++) {
        const fcond *c = &f->conds[i];
        size_t k;
        if ((c->def->type == FT_STRING || c->def->type == FT_MAP) && c->npos == c->n && c->n) {
            for (k = f->nlit++; k > 0 && min_len(&f->conds[f->lit[k - 1]]) < min_len(c); k--)
                f->lit[k] = f->lit[k - 1];
            f->lit[k] = (uint16_t)i;
            for (k = 0; k < c->n; k++) {
                const unsigned char *v = (const unsigned char *)c->entries[k].str;
                for (; *v; v++) {
                    f->lit_slash |= *v == '/';
                    f->lit_special |= *v == '"' || *v == '\\' || *v < 0x20;
                }
            }
        }
    }
    *out = f;
    return ASFF_OK;
}

/* Beside "Filters" only the members of the requests that carry filters (GetFindings, CreateInsight,
 * UpdateInsight, an Insight) may appear: anything else, a filter attribute above all, would be
 * silently ignored and the filter would match more than meant. */
static asff_status check_request_body(yajl_val root, asff_error *err)
{
    static const char *const members[] = {"Filters", "SortCriteria", "NextToken", "MaxResults",
                                          "Name", "GroupByAttribute", "InsightArn"};
    size_t i, j;
    for (i = 0; i < root->u.object.len; i++) {
        const char *k = root->u.object.keys[i];
        char p[ASFF_ERROR_PATH_SIZE];
        for (j = 0; j < sizeof members / sizeof *members; j++)
            if (strcmp(k, members[j]) == 0)
                break;
        if (j < sizeof members / sizeof *members)
            continue;
        ptr_join(p, "", k);
        if (asff__filter_attr_find(k, strlen(k)))
            return asff__filter_fail(err, ASFF_ERR_FILTER, p, "filter attribute %s beside Filters: move it into Filters", k);
        return asff__filter_fail(err, ASFF_ERR_FILTER, p, "unknown member %s beside Filters", k);
    }
    return ASFF_OK;
}

asff_status asff_filter_compile(const char *json, size_t len, const asff_filter_options *options, asff_filter **out,
                                asff_error *err)
{
    const asff_allocator *a = options ? options->allocator : NULL;
    yajl_val root, node;
    asff_status st;
    const char *base = "";
    size_t i;
    if (!out)
        return asff__filter_fail(err, ASFF_ERR_INVALID_ARG, "", "out is NULL");
    *out = NULL;
    if ((st = asff__filter_parse_json(json, len, a, &root, err)) != ASFF_OK)
        return st;
    node = root;
    /* a request body: {"Filters": {...}, "SortCriteria": ..., ...} */
    if (YAJL_IS_OBJECT(root))
        for (i = 0; i < root->u.object.len; i++)
            if (strcmp(root->u.object.keys[i], "Filters") == 0) {
                node = root->u.object.values[i];
                base = "/Filters";
            }
    st = node != root ? check_request_body(root, err) : ASFF_OK;
    if (st == ASFF_OK)
        st = asff__filter_compile_node(node, base, options, out, err);
    asff__json_free(root, a);
    if (st == ASFF_OK && err)
        asff_error_clear(err);
    return st;
}

void asff_filter_free(asff_filter *f)
{
    if (!f)
        return;
    asff_arena_free(f->arena);
    asff__free(f->alloc, f);
}

/* ---- canonical JSON ------------------------------------------------------------------------- */

#define GS(g, s) yajl_gen_string((g), (const unsigned char *)(s), strlen(s))

static void gen_number(yajl_gen g, double d)
{
    char buf[40];
    double back;
    asff__c_format_g(buf, sizeof buf, 15, d);
    back = asff__c_strtod(buf, NULL);
    if (back != d)
        asff__c_format_g(buf, sizeof buf, 17, d);
    yajl_gen_number(g, buf, strlen(buf));
}

static void gen_entry(yajl_gen g, const filter_attr_def *d, const fentry *e)
{
    int k;
    yajl_gen_map_open(g);
    switch (d->type) {
    case FT_STRING:
    case FT_MAP:
        if (d->type == FT_MAP)
            GS(g, "Key"), GS(g, e->key);
        GS(g, "Value"), GS(g, e->str);
        GS(g, "Comparison"), GS(g, cmp_names[e->op]);
        break;
    case FT_NUMBER:
        for (k = 0; k < NUM_KEYS; k++)
            if (e->op & (1u << k))
                GS(g, num_names[k]), gen_number(g, e->num[k]);
        break;
    case FT_DATE:
        if (e->op == DATE_FIXED) {
            GS(g, "Start"), GS(g, e->start);
            GS(g, "End"), GS(g, e->end);
        } else {
            GS(g, "DateRange");
            yajl_gen_map_open(g);
            GS(g, "Value"), yajl_gen_integer(g, e->drange);
            GS(g, "Unit"), GS(g, "DAYS");
            GS(g, "Comparison"), GS(g, e->op == DATE_WITHIN ? "WITHIN" : "OLDER_THAN");
            yajl_gen_map_close(g);
        }
        break;
    case FT_IP:
        GS(g, "Cidr"), GS(g, e->start);
        break;
    case FT_BOOLEAN:
        GS(g, "Value"), yajl_gen_bool(g, e->bval);
        break;
    default:
        break;
    }
    yajl_gen_map_close(g);
}

asff_status asff_filter_to_json(const asff_filter *f, char **out, size_t *len, asff_error *err)
{
    asff_yalloc ya;
    yajl_gen g;
    const unsigned char *buf;
    size_t n, i, j;
    if (!f || !out)
        return asff__filter_fail(err, ASFF_ERR_INVALID_ARG, "", "filter or out is NULL");
    *out = NULL;
    asff__yalloc_init(&ya, f->alloc);
    g = yajl_gen_alloc(&ya.funcs);
    if (!g)
        return asff__filter_fail(err, ASFF_ERR_NOMEM, "", "out of memory");
    yajl_gen_map_open(g);
    for (i = 0; i < f->n; i++) {
        const fcond *c = &f->conds[i];
        GS(g, c->def->name);
        yajl_gen_array_open(g);
        for (j = 0; j < c->n; j++)
            gen_entry(g, c->def, &c->orig[j]);
        yajl_gen_array_close(g);
    }
    yajl_gen_map_close(g);
    /* the guard lent libc memory when the caller's allocator failed: the call fails */
    if (yajl_gen_get_buf(g, &buf, &n) != yajl_gen_status_ok || ya.failed ||
        !(*out = asff__string_dup(f->alloc, (const char *)buf, n))) {
        yajl_gen_free(g);
        return asff__filter_fail(err, ASFF_ERR_NOMEM, "", "out of memory");
    }
    if (len)
        *len = n;
    yajl_gen_free(g);
    return ASFF_OK;
}


/* The first step of an attribute's path names the finding's member (asff_projection_add). */
asff_status asff__filter_project_attr(const filter_attr_def *d, asff_projection *proj, asff_error *err)
{
    return asff_projection_add(proj, ASFF_TID_AwsSecurityFinding, d->type == FT_KEYWORD ? "" : d->path, err);
}

asff_status asff_filter_projection(const asff_filter *f, asff_projection *proj, asff_error *err)
{
    size_t i;
    asff_status st = ASFF_OK;
    if (!f || !proj)
        return asff_error_set(err, ASFF_ERR_INVALID_ARG, "asff_filter_projection: filter and proj are required");
    for (i = 0; i < f->n && st == ASFF_OK; i++)
        st = asff__filter_project_attr(f->conds[i].def, proj, err);
    return st;
}
