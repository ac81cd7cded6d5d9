/* The validation report: violations and changes, their strings in one arena, JSON output on yajl. */
#include <stdio.h>
#include <string.h>
#include <yajl/yajl_gen.h>
#include "vinternal.h"
#include "core/json.h"

static asff_report *report_create(const asff_allocator *alloc)
{
    const asff_allocator *a = asff__alloc_or_default(alloc);
    asff_report *r = asff__malloc(a, sizeof *r);
    if (!r)
        return NULL;
    memset(r, 0, sizeof *r);
    r->alloc = a;
    (void)asff_arena_new(a, &r->arena, NULL);
    if (!r->arena) {
        asff__free(a, r);
        return NULL;
    }
    asff__buf_init(&r->ptr, a);
    asff__buf_init(&r->spath, a);
    asff__buf_init(&r->json, a);
    r->ntypes = (size_t)asff_type_count() + 1;
    r->plans = asff__malloc(a, r->ntypes * sizeof *r->plans);
    if (!r->plans) {
        asff_arena_free(r->arena);
        asff__free(a, r);
        return NULL;
    }
    memset(r->plans, 0, r->ntypes * sizeof *r->plans);
    return r;
}

asff_status asff_report_new(const asff_allocator *alloc, asff_report **out, asff_error *err)
{
    if (!out)
        return asff_error_set(err, ASFF_ERR_INVALID_ARG, "asff_report_new: out is NULL");
    *out = report_create(alloc);
    return *out ? ASFF_OK : asff_error_set(err, ASFF_ERR_NOMEM, NULL);
}

void asff_report_free(asff_report *r)
{
    size_t i;
    if (!r)
        return;
    asff_arena_free(r->arena);
    asff__free(r->alloc, r->v);
    asff__free(r->alloc, r->c);
    for (i = 0; i < r->ntypes; i++)
        asff__free(r->alloc, r->plans[i]);
    asff__free(r->alloc, r->plans);
    asff__buf_cleanup(&r->ptr);
    asff__buf_cleanup(&r->spath);
    asff__buf_cleanup(&r->json);
    asff__free(r->alloc, r);
}

void asff_report_clear(asff_report *r)
{
    if (!r)
        return;
    asff_arena_reset(r->arena);
    r->nv = r->nc = 0;
    r->errors = r->warnings = r->advice = 0;
}

size_t asff_report_count(const asff_report *r)
{
    return r ? r->nv : 0;
}

size_t asff_report_errors(const asff_report *r)
{
    return r ? r->errors : 0;
}

size_t asff_report_warnings(const asff_report *r)
{
    return r ? r->warnings : 0;
}

size_t asff_report_advice(const asff_report *r)
{
    return r ? r->advice : 0;
}

const asff_violation *asff_report_get(const asff_report *r, size_t i)
{
    return r && i < r->nv ? &r->v[i] : NULL;
}

const asff_violation *asff_report_find(const asff_report *r, const char *rule, const char *path)
{
    size_t i;
    if (!r || !rule)
        return NULL;
    for (i = 0; i < r->nv; i++)
        if (strcmp(r->v[i].rule, rule) == 0 && (!path || strcmp(r->v[i].path, path) == 0))
            return &r->v[i];
    return NULL;
}

size_t asff_report_change_count(const asff_report *r)
{
    return r ? r->nc : 0;
}

const asff_change *asff_report_change(const asff_report *r, size_t i)
{
    return r && i < r->nc ? &r->c[i] : NULL;
}

const char *asff_level_name(asff_level level)
{
    switch (level) {
    case ASFF_LEVEL_ERROR:
        return "error";
    case ASFF_LEVEL_WARNING:
        return "warning";
    case ASFF_LEVEL_ADVICE:
        return "advice";
    }
    return "unknown";
}

static const char *dup_or_null(asff_report *r, const char *s, bool *fail)
{
    char *d;
    if (!s)
        return NULL;
    d = asff_arena_strdup(r->arena, s, strlen(s));
    if (!d)
        *fail = true;
    return d;
}

/* Room for one more violation (not yet counted), or NULL when out of memory. */
static asff_violation *next_slot(asff_report *r)
{
    if (r->nv == r->cv) {
        size_t cap = r->cv ? r->cv * 2 : 16;
        asff_violation *nvv = asff__realloc(r->alloc, r->v, cap * sizeof *nvv);
        if (!nvv)
            return NULL;
        r->v = nvv;
        r->cv = cap;
    }
    return &r->v[r->nv];
}

static void count_level(asff_report *r, asff_level level)
{
    if (level == ASFF_LEVEL_ERROR)
        r->errors++;
    else if (level == ASFF_LEVEL_WARNING)
        r->warnings++;
    else
        r->advice++;
}

asff_status asff__vr_addv(asff_report *r, asff_level level, const char *cat, const char *spath, const char *suffix,
                    const char *ref, const char *path, const char *limit, const char *actual, uint64_t finding,
                    const char *fmt, va_list ap)
{
    asff_violation *v;
    bool fail = false;
    if (!(v = next_slot(r)))
        return ASFF_ERR_NOMEM;
    if (!spath && !suffix) {
        v->rule = cat;  /* a static id */
    } else {
        size_t lc = strlen(cat), ls = spath ? strlen(spath) : 0, lx = suffix ? strlen(suffix) : 0;
        char *rule = asff_arena_alloc(r->arena, lc + ls + lx + 3), *p = rule;
        if (!rule)
            return ASFF_ERR_NOMEM;
        memcpy(p, cat, lc);
        p += lc;
        if (spath) {
            *p++ = '.';
            memcpy(p, spath, ls);
            p += ls;
        }
        if (suffix) {
            *p++ = '.';
            memcpy(p, suffix, lx);
            p += lx;
        }
        *p = '\0';
        v->rule = rule;
    }
    if (!strchr(fmt, '%')) {
        v->message = fmt;  /* static text */
    } else {
        char msg[512];
        vsnprintf(msg, sizeof msg, fmt, ap);
        v->message = dup_or_null(r, msg, &fail);
    }
    v->level = level;
    v->ref = ref;  /* static strings */
    v->path = dup_or_null(r, path ? path : "", &fail);
    v->limit = dup_or_null(r, limit, &fail);
    v->actual = dup_or_null(r, actual, &fail);
    v->finding = finding;
    if (fail)
        return ASFF_ERR_NOMEM;
    r->nv++;
    count_level(r, level);
    return ASFF_OK;
}

asff_status asff_report_add(asff_report *r, const asff_violation *vs, size_t count)
{
    size_t i;
    if (!r || (!vs && count))
        return ASFF_ERR_INVALID_ARG;
    for (i = 0; i < count; i++) {
        asff_violation *v = next_slot(r);
        bool fail = false;
        if (!v)
            return ASFF_ERR_NOMEM;
        v->level = vs[i].level;
        v->rule = dup_or_null(r, vs[i].rule, &fail);
        v->ref = dup_or_null(r, vs[i].ref, &fail);
        v->path = dup_or_null(r, vs[i].path, &fail);
        v->message = dup_or_null(r, vs[i].message, &fail);
        v->limit = dup_or_null(r, vs[i].limit, &fail);
        v->actual = dup_or_null(r, vs[i].actual, &fail);
        v->finding = vs[i].finding;
        if (fail)
            return ASFF_ERR_NOMEM;
        r->nv++;
        count_level(r, v->level);
    }
    return ASFF_OK;
}

asff_status asff__vr_add_static(asff_report *r, asff_level level, const char *id, const char *ref, const char *path,
                          const char *message, uint64_t finding)
{
    asff_violation *v;
    if (!(v = next_slot(r)))
        return ASFF_ERR_NOMEM;
    r->nv++;
    v->level = level;
    v->rule = id;
    v->ref = ref;
    v->path = path;
    v->message = message;
    v->limit = NULL;
    v->actual = NULL;
    v->finding = finding;
    count_level(r, level);
    return ASFF_OK;
}

asff_status asff__vr_add(asff_report *r, asff_level level, const char *cat, const char *spath, const char *suffix,
                   const char *ref, const char *path, const char *limit, const char *actual, uint64_t finding,
                   const char *fmt, ...)
{
    va_list ap;
    asff_status st;
    va_start(ap, fmt);
    st = asff__vr_addv(r, level, cat, spath, suffix, ref, path, limit, actual, finding, fmt, ap);
    va_end(ap);
    return st;
}

asff_status asff__vr_change(asff_report *r, const char *rule, const char *path, const char *old_value,
                      const char *new_value, uint64_t finding)
{
    asff_change *c;
    bool fail = false;
    if (!r)
        return ASFF_OK;
    if (r->nc == r->cc) {
        size_t cap = r->cc ? r->cc * 2 : 16;
        asff_change *ncc = asff__realloc(r->alloc, r->c, cap * sizeof *ncc);
        if (!ncc)
            return ASFF_ERR_NOMEM;
        r->c = ncc;
        r->cc = cap;
    }
    c = &r->c[r->nc];
    c->rule = rule;  /* static strings */
    c->path = dup_or_null(r, path ? path : "", &fail);
    c->old_value = dup_or_null(r, old_value, &fail);
    c->new_value = dup_or_null(r, new_value, &fail);
    c->finding = finding;
    if (fail)
        return ASFF_ERR_NOMEM;
    r->nc++;
    return ASFF_OK;
}

/* ---- JSON output through yajl_gen (escaping is yajl's job) ---------------------------------- */

static void y_str(yajl_gen g, const char *s)
{
    yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

static void y_kv(yajl_gen g, const char *k, const char *v)
{
    if (!v)
        return;
    y_str(g, k);
    y_str(g, v);
}

static void y_num(yajl_gen g, const char *k, uint64_t n)
{
    char buf[24];
    int len = snprintf(buf, sizeof buf, "%llu", (unsigned long long)n);
    y_str(g, k);
    yajl_gen_number(g, buf, (size_t)len);
}

asff_status asff_report_to_json(asff_report *r, const char **out, size_t *len)
{
    asff_yalloc ya;
    yajl_gen g;
    const unsigned char *buf;
    size_t n, i;
    asff_status st;
    if (!r || !out)
        return ASFF_ERR_INVALID_ARG;
    asff__yalloc_init(&ya, r->alloc);
    g = yajl_gen_alloc(&ya.funcs);
    if (!g)
        return ASFF_ERR_NOMEM;
    /* Keep non-ASCII text as UTF-8 rather than \u escapes; paths hold user keys. */
    yajl_gen_config(g, yajl_gen_validate_utf8, 0);
    yajl_gen_map_open(g);
    y_num(g, "errors", r->errors);
    y_num(g, "warnings", r->warnings);
    y_num(g, "advice", r->advice);
    y_str(g, "violations");
    yajl_gen_array_open(g);
    for (i = 0; i < r->nv; i++) {
        const asff_violation *v = &r->v[i];
        yajl_gen_map_open(g);
        y_kv(g, "level", asff_level_name(v->level));
        y_kv(g, "rule", v->rule);
        y_kv(g, "ref", v->ref);
        y_kv(g, "path", v->path);
        y_kv(g, "message", v->message);
        y_kv(g, "limit", v->limit);
        y_kv(g, "actual", v->actual);
        y_num(g, "finding", v->finding);
        yajl_gen_map_close(g);
    }
    yajl_gen_array_close(g);
    y_str(g, "changes");
    yajl_gen_array_open(g);
    for (i = 0; i < r->nc; i++) {
        const asff_change *c = &r->c[i];
        yajl_gen_map_open(g);
        y_kv(g, "rule", c->rule);
        y_kv(g, "path", c->path);
        y_kv(g, "old", c->old_value);
        y_kv(g, "new", c->new_value);
        y_num(g, "finding", c->finding);
        yajl_gen_map_close(g);
    }
    yajl_gen_array_close(g);
    yajl_gen_map_close(g);
    if (yajl_gen_get_buf(g, &buf, &n) != yajl_gen_status_ok) {
        yajl_gen_free(g);
        return ASFF_ERR_INTERNAL;
    }
    if (ya.failed) { /* the guard lent libc memory when the caller's allocator failed */
        yajl_gen_free(g);
        return ASFF_ERR_NOMEM;
    }
    asff__buf_reset(&r->json);
    st = asff__buf_append(&r->json, buf, n);
    yajl_gen_free(g);
    if (st != ASFF_OK)
        return st;
    *out = r->json.data;
    if (len)
        *len = r->json.len;
    return ASFF_OK;
}
