/* Insights: group matching findings by an attribute, counted as GetInsightResults counts
 * (FS-62..FS-72); and the managed-insight catalog. */
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>
#include "filter/filter_int.h"

/* A group value with its counters, in the arena; the table holds only a pointer and the hash, so
 * that a table of many distinct values (resource ids) stays small (16 bytes a slot). */
typedef struct gval {
    uint64_t count;
    uint64_t stamp;    /* the finding that counted last: a value counts once per finding (FS-68) */
    size_t len;
    char value[];
} gval;

typedef struct gslot {
    gval *g;           /* NULL = empty slot */
    uint32_t hash;
} gslot;

struct asff_insight {
    const asff_allocator *alloc;
    asff_arena *arena;          /* group values */
    const asff_filter *filter;
    const filter_attr_def *def;
    fpath path;
    gslot *slots;
    size_t cap, used;
    uint64_t seq, matched;
    size_t max_results;
    char *arn;
    asff_insight_result *results;
    size_t nresults;
    asff_status oom;
};

asff_status asff_insight_new(const asff_filter *filter, const char *group_by, const asff_insight_options *opt,
                             asff_insight **out, asff_error *err)
{
    asff_insight_options defaults = ASFF_INSIGHT_OPTIONS_INIT;
    const asff_allocator *a;
    const filter_attr_def *d;
    asff_insight *ins;
    if (!out || !group_by)
        return asff__filter_fail(err, ASFF_ERR_INVALID_ARG, "", "out or group_by is NULL");
    *out = NULL;
    if (!opt)
        opt = &defaults;
    if ((opt->version && opt->version != ASFF_INSIGHT_OPTIONS_VERSION))
        return asff__filter_fail(err, ASFF_ERR_INVALID_ARG, "", "unknown asff_insight_options version");
    d = asff__filter_attr_find(group_by, strlen(group_by));
    if (!d)
        return asff__filter_fail(err, ASFF_ERR_FILTER, "/GroupByAttribute", "unknown GroupByAttribute %s", group_by);
    if (d->type != FT_STRING && d->type != FT_IP)
        return asff__filter_fail(err, ASFF_ERR_FILTER, "/GroupByAttribute",
                           "cannot group by %s: only String and Ip attributes group (FS-72)", group_by);
    a = asff__alloc_or_default(opt->allocator);
    ins = asff__malloc(a, sizeof *ins);
    if (!ins)
        return asff__filter_fail(err, ASFF_ERR_NOMEM, "", "out of memory");
    memset(ins, 0, sizeof *ins);
    ins->alloc = a;
    ins->filter = filter;
    ins->def = d;
    ins->max_results = opt->max_results ? opt->max_results : 100;
    (void)asff_arena_new(a, &ins->arena, NULL);
    ins->cap = 64;
    ins->slots = asff__malloc(a, ins->cap * sizeof *ins->slots);
    ins->arn = ins->arena ? asff_arena_strdup(ins->arena, opt->insight_arn ? opt->insight_arn : "",
                                              opt->insight_arn ? strlen(opt->insight_arn) : 0)
                          : NULL;
    if (!ins->arena || !ins->slots || !ins->arn) {
        asff_insight_free(ins);
        return asff__filter_fail(err, ASFF_ERR_NOMEM, "", "out of memory");
    }
    memset(ins->slots, 0, ins->cap * sizeof *ins->slots);
    if (asff__fpath_resolve(d->path, &ins->path) != ASFF_OK) {
        asff_insight_free(ins);
        return asff__filter_fail(err, ASFF_ERR_INTERNAL, "", "cannot resolve %s", d->path);
    }
    *out = ins;
    return ASFF_OK;
}

static bool grow(asff_insight *ins)
{
    size_t cap = ins->cap * 2, i;
    gslot *s = asff__malloc(ins->alloc, cap * sizeof *s);
    if (!s)
        return false;
    memset(s, 0, cap * sizeof *s);
    for (i = 0; i < ins->cap; i++) {
        size_t j;
        if (!ins->slots[i].g)
            continue;
        j = ins->slots[i].hash & (cap - 1);
        while (s[j].g)
            j = (j + 1) & (cap - 1);
        s[j] = ins->slots[i];
    }
    asff__free(ins->alloc, ins->slots);
    ins->slots = s;
    ins->cap = cap;
    return true;
}

static int count_value(void *ctx, unsigned kind, const void *v)
{
    asff_insight *ins = ctx;
    const char *s = v;
    uint32_t h;
    size_t j, len;
    gval *g;
    if (kind != ASFF_KIND_STRING || !s[0])
        return 0; /* FS-69: no empty group */
    len = strlen(s);
    h = (uint32_t)asff__hash_bytes(s, len, 0);
    for (j = h & (ins->cap - 1); ins->slots[j].g; j = (j + 1) & (ins->cap - 1))
        if (ins->slots[j].hash == h && ins->slots[j].g->len == len && memcmp(ins->slots[j].g->value, s, len) == 0) {
            g = ins->slots[j].g;
            if (g->stamp != ins->seq) {
                g->stamp = ins->seq;
                g->count++;
            }
            return 0;
        }
    if ((ins->used + 1) * 10 > ins->cap * 7) {
        if (!grow(ins)) {
            ins->oom = ASFF_ERR_NOMEM;
            return 1;
        }
        for (j = h & (ins->cap - 1); ins->slots[j].g; j = (j + 1) & (ins->cap - 1))
            ;
    }
    /* every field is set below: no zeroing (a table of many distinct ids spent its time there) */
    g = len < SIZE_MAX / 2 ? asff_arena_bump(ins->arena, sizeof *g + len + 1, alignof(gval)) : NULL;
    if (!g) {
        ins->oom = ASFF_ERR_NOMEM;
        return 1;
    }
    memcpy(g->value, s, len + 1);
    g->len = len;
    g->count = 1;
    g->stamp = ins->seq;
    ins->slots[j].g = g;
    ins->slots[j].hash = h;
    ins->used++;
    return 0;
}

asff_status asff_insight_add(asff_insight *ins, const asff_AwsSecurityFinding *finding)
{
    if (!ins || !finding || asff_object_type(finding) != asff_type_get(ASFF_TID_AwsSecurityFinding))
        return ASFF_ERR_INVALID_ARG;
    if (ins->filter && !asff_filter_match(ins->filter, finding))
        return ASFF_OK;
    ins->seq++;
    ins->matched++;
    ins->oom = ASFF_OK;
    asff__fpath_visit(finding, &ins->path, count_value, ins);
    return ins->oom;
}

uint64_t asff_insight_matched(const asff_insight *ins)
{
    return ins ? ins->matched : 0;
}

static int result_cmp(const void *a, const void *b)
{
    const asff_insight_result *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1; /* FS-64 */
    return strcmp(x->value, y->value);      /* FS-70: ties by value */
}

/* h[0, n) a heap whose first entry ranks last (result_cmp): h[i] moved down to its place. */
static void sift_down(asff_insight_result *h, size_t n, size_t i)
{
    for (;;) {
        size_t c = 2 * i + 1;
        asff_insight_result t;
        if (c >= n)
            return;
        if (c + 1 < n && result_cmp(&h[c + 1], &h[c]) > 0)
            c++;
        if (result_cmp(&h[c], &h[i]) <= 0)
            return;
        t = h[i];
        h[i] = h[c];
        h[c] = t;
        i = c;
    }
}

asff_status asff_insight_results(asff_insight *ins, const asff_insight_result **results, size_t *count)
{
    size_t i, n = 0, k;
    if (!ins || !results || !count)
        return ASFF_ERR_INVALID_ARG;
    k = ins->max_results < ins->used ? ins->max_results : ins->used;
    asff__free(ins->alloc, ins->results);
    ins->results = asff__malloc(ins->alloc, (k ? k : 1) * sizeof *ins->results);
    if (!ins->results)
        return ASFF_ERR_NOMEM;
    /* The best k of the groups: a heap of k with the one that ranks last on top, then sorted; a
     * table of many distinct values (one per resource) is not sorted whole for its first 100. */
    for (i = 0; i < ins->cap && k; i++)
        if (ins->slots[i].g) {
            asff_insight_result r = {ins->slots[i].g->value, ins->slots[i].g->count};
            if (n < k) {
                ins->results[n++] = r;
                if (n == k) /* full: made a heap once */
                    for (size_t j = k / 2; j-- > 0;)
                        sift_down(ins->results, k, j);
            } else if (result_cmp(&r, &ins->results[0]) < 0) {
                ins->results[0] = r;
                sift_down(ins->results, n, 0);
            }
        }
    qsort(ins->results, n, sizeof *ins->results, result_cmp);
    ins->nresults = n;
    *results = ins->results;
    *count = ins->nresults;
    return ASFF_OK;
}

#define GS(g, s) yajl_gen_string((g), (const unsigned char *)(s), strlen(s))

asff_status asff_insight_to_json(asff_insight *ins, bool pretty, char **out, size_t *len, asff_error *err)
{
    const asff_insight_result *r;
    size_t n, i, blen;
    const unsigned char *buf;
    asff_yalloc ya;
    yajl_gen g;
    asff_status st;
    if (!ins || !out)
        return asff__filter_fail(err, ASFF_ERR_INVALID_ARG, "", "insight or out is NULL");
    if ((st = asff_insight_results(ins, &r, &n)) != ASFF_OK)
        return asff__filter_fail(err, st, "", "out of memory");
    *out = NULL;
    asff__yalloc_init(&ya, ins->alloc);
    g = yajl_gen_alloc(&ya.funcs);
    if (!g)
        return asff__filter_fail(err, ASFF_ERR_NOMEM, "", "out of memory");
    yajl_gen_config(g, yajl_gen_beautify, pretty ? 1 : 0);
    yajl_gen_map_open(g);
    GS(g, "InsightResults");
    yajl_gen_map_open(g);
    GS(g, "InsightArn"), GS(g, ins->arn);
    GS(g, "GroupByAttribute"), GS(g, ins->def->name);
    GS(g, "ResultValues");
    yajl_gen_array_open(g);
    for (i = 0; i < n; i++) {
        yajl_gen_map_open(g);
        GS(g, "GroupByAttributeValue"), GS(g, r[i].value);
        GS(g, "Count"), yajl_gen_integer(g, (long long)r[i].count);
        yajl_gen_map_close(g);
    }
    yajl_gen_array_close(g);
    yajl_gen_map_close(g);
    yajl_gen_map_close(g);
    /* the guard lent libc memory when the caller's allocator failed: the call fails */
    if (yajl_gen_get_buf(g, &buf, &blen) != yajl_gen_status_ok || ya.failed ||
        !(*out = asff__string_dup(ins->alloc, (const char *)buf, blen))) {
        yajl_gen_free(g);
        return asff__filter_fail(err, ASFF_ERR_NOMEM, "", "out of memory");
    }
    if (len)
        *len = blen;
    yajl_gen_free(g);
    return ASFF_OK;
}


void asff_insight_free(asff_insight *ins)
{
    if (!ins)
        return;
    asff_arena_free(ins->arena);
    asff__free(ins->alloc, ins->slots);
    asff__free(ins->alloc, ins->results);
    asff__free(ins->alloc, ins);
}

/* ---- managed insights ------------------------------------------------------------------------ */

unsigned asff_managed_insight_count(void)
{
    return asff__filter_managed_count;
}

const asff_managed_insight *asff_managed_insight_get(unsigned index)
{
    return index < asff__filter_managed_count ? &asff__filter_managed[index] : NULL;
}

const asff_managed_insight *asff_managed_insight_find(const char *key)
{
    unsigned i;
    if (!key || !key[0])
        return NULL;
    if (strspn(key, "0123456789") == strlen(key) && strlen(key) < 4) {
        int n = atoi(key);
        for (i = 0; i < asff__filter_managed_count; i++)
            if (asff__filter_managed[i].number == n)
                return &asff__filter_managed[i];
        return NULL;
    }
    for (i = 0; i < asff__filter_managed_count; i++)
        if (strcmp(asff__filter_managed[i].name, key) == 0 || strcmp(asff__filter_managed[i].arn, key) == 0)
            return &asff__filter_managed[i];
    return NULL;
}

asff_status asff_insight_projection(const asff_insight *ins, asff_projection *proj, asff_error *err)
{
    asff_status st;
    if (!ins || !proj)
        return asff_error_set(err, ASFF_ERR_INVALID_ARG, "asff_insight_projection: insight and proj are required");
    st = asff__filter_project_attr(ins->def, proj, err);
    if (st == ASFF_OK && ins->filter)
        st = asff_filter_projection(ins->filter, proj, err);
    return st;
}
