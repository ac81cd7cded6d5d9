/* SortCriteria over findings (FS-53..FS-56) and bounded top-K. */
#include <stdio.h>
#include <string.h>
#include "filter/filter_int.h"

typedef struct scrit {
    const filter_attr_def *def;
    fpath path;
    bool desc;
} scrit;

struct asff_sort {
    const asff_allocator *alloc;
    scrit *crit;
    size_t n, cap;
};

asff_status asff_sort_new(const asff_allocator *alloc, asff_sort **out, asff_error *err)
{
    const asff_allocator *a = asff__alloc_or_default(alloc);
    asff_sort *s;
    if (!out)
        return asff_error_set(err, ASFF_ERR_INVALID_ARG, "asff_sort_new: out is NULL");
    *out = s = asff__malloc(a, sizeof *s);
    if (!s)
        return asff_error_set(err, ASFF_ERR_NOMEM, NULL);
    memset(s, 0, sizeof *s);
    s->alloc = a;
    return ASFF_OK;
}

void asff_sort_free(asff_sort *s)
{
    if (!s)
        return;
    asff__free(s->alloc, s->crit);
    asff__free(s->alloc, s);
}

asff_status asff_sort_add(asff_sort *s, const char *field, bool descending, asff_error *err)
{
    const filter_attr_def *d;
    scrit *c;
    if (!s || !field)
        return asff__filter_fail(err, ASFF_ERR_INVALID_ARG, "", "sort or field is NULL");
    d = asff__filter_attr_find(field, strlen(field));
    if (!d)
        return asff__filter_fail(err, ASFF_ERR_FILTER, "", "unknown sort field %s", field);
    if (d->type == FT_MAP || d->type == FT_KEYWORD)
        return asff__filter_fail(err, ASFF_ERR_FILTER, "", "cannot sort by %s (a %s attribute)", field,
                           asff_filter_attribute_type(field));
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 4;
        scrit *p = asff__realloc(s->alloc, s->crit, cap * sizeof *p);
        if (!p)
            return asff__filter_fail(err, ASFF_ERR_NOMEM, "", "out of memory");
        s->crit = p;
        s->cap = cap;
    }
    c = &s->crit[s->n];
    c->def = d;
    c->desc = descending;
    if (asff__fpath_resolve(d->path, &c->path) != ASFF_OK)
        return asff__filter_fail(err, ASFF_ERR_INTERNAL, "", "cannot resolve %s", d->path);
    s->n++;
    return ASFF_OK;
}

asff_status asff_sort_add_json(asff_sort *s, const char *json, size_t len, asff_error *err)
{
    yajl_val root;
    size_t i, j;
    asff_status st;
    if (!s)
        return asff__filter_fail(err, ASFF_ERR_INVALID_ARG, "", "sort is NULL");
    if ((st = asff__filter_parse_json(json, len, s->alloc, &root, err)) != ASFF_OK)
        return st;
    if (!YAJL_IS_ARRAY(root)) {
        asff__json_free(root, s->alloc);
        return asff__filter_fail(err, ASFF_ERR_FILTER, "", "SortCriteria must be an array");
    }
    for (i = 0; i < root->u.array.len && st == ASFF_OK; i++) {
        yajl_val c = root->u.array.values[i];
        const char *field = NULL, *order = "asc";
        char path[32];
        snprintf(path, sizeof path, "/%zu", i);
        if (!YAJL_IS_OBJECT(c)) {
            st = asff__filter_fail(err, ASFF_ERR_FILTER, path, "a sort criterion must be an object");
            break;
        }
        for (j = 0; j < c->u.object.len && st == ASFF_OK; j++) {
            const char *k = c->u.object.keys[j];
            yajl_val v = c->u.object.values[j];
            if (strcmp(k, "Field") == 0 && YAJL_IS_STRING(v))
                field = v->u.string;
            else if (strcmp(k, "SortOrder") == 0 && YAJL_IS_STRING(v))
                order = v->u.string;
            else {
                char mp[ASFF_ERROR_PATH_SIZE];
                size_t n = strlen(path), q;
                /* the member's JSON Pointer (RFC 6901) */
                memcpy(mp, path, n);
                mp[n++] = '/';
                for (q = 0; k[q] && n + 3 < sizeof mp; q++) {
                    if (k[q] == '~' || k[q] == '/') {
                        mp[n++] = '~';
                        mp[n++] = k[q] == '~' ? '0' : '1';
                    } else
                        mp[n++] = k[q];
                }
                mp[n] = 0;
                st = asff__filter_fail(err, ASFF_ERR_FILTER, mp, "%s %s", strcmp(k, "Field") == 0 ||
                                 strcmp(k, "SortOrder") == 0 ? "must be a string:" : "unknown member", k);
            }
        }
        if (st)
            break;
        if (!field)
            st = asff__filter_fail(err, ASFF_ERR_FILTER, path, "Field is required");
        else if (strcmp(order, "asc") != 0 && strcmp(order, "desc") != 0)
            st = asff__filter_fail(err, ASFF_ERR_FILTER, path, "SortOrder must be asc or desc (FS-17)");
        else if ((st = asff_sort_add(s, field, strcmp(order, "desc") == 0, err)) != ASFF_OK && err)
            asff__copy_string(err->path, sizeof err->path, path);
    }
    asff__json_free(root, s->alloc);
    return st;
}

/* The sort key of one finding: the minimum (asc) or maximum (desc) of the attribute's values. */
typedef struct skey {
    unsigned type;
    bool want_max, have;
    const char *s;
    double d;
    int64_t ts;
    int32_t tn;
} skey;

static int key_visit(void *ctx, unsigned kind, const void *v)
{
    skey *k = ctx;
    int c;
    switch (k->type) {
    case FT_NUMBER: {
        double x;
        if (kind == ASFF_KIND_INT)
            x = (double)((const asff_int *)v)->value;
        else if (kind == ASFF_KIND_DOUBLE)
            x = *(const double *)v;
        else
            return 0;
        if (!k->have || (k->want_max ? x > k->d : x < k->d))
            k->d = x;
        break;
    }
    case FT_DATE: {
        int64_t s;
        int32_t n;
        if (kind != ASFF_KIND_STRING || !asff__filter_ts_parse(v, strlen(v), &s, &n))
            return 0;
        c = !k->have ? 0 : s != k->ts ? (s < k->ts ? -1 : 1) : (n < k->tn ? -1 : n > k->tn);
        if (!k->have || (k->want_max ? c > 0 : c < 0))
            k->ts = s, k->tn = n;
        break;
    }
    case FT_BOOLEAN:
        if (kind != ASFF_KIND_BOOL)
            return 0;
        k->d = *(const bool *)v ? 1 : 0;
        break;
    default:
        if (kind != ASFF_KIND_STRING)
            return 0;
        if (!k->have || (k->want_max ? strcmp(v, k->s) > 0 : strcmp(v, k->s) < 0))
            k->s = v;
    }
    k->have = true;
    return 0;
}

static int key_cmp(const skey *a, const skey *b)
{
    switch (a->type) {
    case FT_NUMBER:
    case FT_BOOLEAN:
        return a->d < b->d ? -1 : a->d > b->d;
    case FT_DATE:
        return a->ts != b->ts ? (a->ts < b->ts ? -1 : 1) : (a->tn < b->tn ? -1 : a->tn > b->tn);
    default:
        return strcmp(a->s, b->s);
    }
}

static int str_field_cmp(const char *a, const char *b)
{
    if (!a || !b)
        return a ? -1 : b ? 1 : 0; /* missing last */
    return strcmp(a, b);
}

int asff_sort_compare(const asff_sort *s, const void *a, const void *b)
{
    const asff_AwsSecurityFinding *fa = a, *fb = b;
    size_t i;
    int c;
    for (i = 0; s && i < s->n; i++) {
        const scrit *cr = &s->crit[i];
        skey ka, kb;
        memset(&ka, 0, sizeof ka);
        ka.type = cr->def->type;
        ka.want_max = cr->desc;
        kb = ka;
        asff__fpath_visit(a, &cr->path, key_visit, &ka);
        asff__fpath_visit(b, &cr->path, key_visit, &kb);
        if (!ka.have || !kb.have) {
            if (ka.have != kb.have)
                return ka.have ? -1 : 1; /* missing values last in both directions */
            continue;
        }
        c = key_cmp(&ka, &kb);
        if (c)
            return cr->desc ? -c : c;
    }
    /* FS-56 tie-breakers: UpdatedAt desc, ProductArn asc, Id asc */
    if (fa->UpdatedAt && fb->UpdatedAt) {
        c = asff__fvalue_compare_ts(fa->UpdatedAt, fb->UpdatedAt);
        if (c)
            return -c;
    } else if (fa->UpdatedAt || fb->UpdatedAt)
        return fa->UpdatedAt ? -1 : 1;
    c = str_field_cmp(fa->ProductArn, fb->ProductArn);
    return c ? c : str_field_cmp(fa->Id, fb->Id);
}

static void merge_sort(const asff_sort *s, void **v, void **tmp, size_t n)
{
    size_t mid = n / 2, i = 0, j = mid, k = 0;
    if (n < 2)
        return;
    merge_sort(s, v, tmp, mid);
    merge_sort(s, v + mid, tmp, n - mid);
    while (i < mid && j < n)
        tmp[k++] = asff_sort_compare(s, v[j], v[i]) < 0 ? v[j++] : v[i++];
    while (i < mid)
        tmp[k++] = v[i++];
    while (j < n)
        tmp[k++] = v[j++];
    memcpy(v, tmp, n * sizeof *v);
}

asff_status asff_sort_findings(const asff_sort *s, void **findings, size_t count)
{
    const asff_allocator *a = s ? s->alloc : asff_default_allocator();
    void **tmp;
    if (count < 2)
        return ASFF_OK;
    if (!findings || count > SIZE_MAX / sizeof *tmp)
        return ASFF_ERR_INVALID_ARG;
    tmp = asff__malloc(a, count * sizeof *tmp);
    if (!tmp)
        return ASFF_ERR_NOMEM;
    merge_sort(s, findings, tmp, count);
    asff__free(a, tmp);
    return ASFF_OK;
}

/* ---- top-K: a heap whose root is the finding that sorts last ------------------------------- */

struct asff_topk {
    const asff_allocator *alloc;
    const asff_sort *sort;
    void **heap;
    size_t n, k, cap;    /* the heap grows up to k, so a huge k costs nothing up front */
    bool sorted;   /* heap holds the sorted order; re-heapify on the next push */
};

asff_status asff_topk_new(const asff_sort *sort, size_t k, const asff_allocator *alloc, asff_topk **out,
                          asff_error *err)
{
    const asff_allocator *a = asff__alloc_or_default(alloc);
    asff_topk *t;
    if (!out)
        return asff_error_set(err, ASFF_ERR_INVALID_ARG, "asff_topk_new: out is NULL");
    *out = t = asff__malloc(a, sizeof *t);
    if (!t)
        return asff_error_set(err, ASFF_ERR_NOMEM, NULL);
    memset(t, 0, sizeof *t);
    t->alloc = a;
    t->sort = sort;
    t->k = k;
    return ASFF_OK;
}

static void sift_down(asff_topk *t, size_t i, size_t n)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        void *x;
        if (l < n && asff_sort_compare(t->sort, t->heap[l], t->heap[m]) > 0)
            m = l;
        if (r < n && asff_sort_compare(t->sort, t->heap[r], t->heap[m]) > 0)
            m = r;
        if (m == i)
            return;
        x = t->heap[i], t->heap[i] = t->heap[m], t->heap[m] = x;
        i = m;
    }
}

static void heapify(asff_topk *t)
{
    size_t i = t->n / 2;
    while (i-- > 0)
        sift_down(t, i, t->n);
    t->sorted = false;
}

asff_AwsSecurityFinding *asff_topk_push(asff_topk *t, asff_AwsSecurityFinding *finding)
{
    void *out;
    if (!t || !finding)
        return finding;
    if (t->sorted)
        heapify(t);
    if (t->n < t->k) {
        size_t i;
        if (t->n == t->cap) {
            size_t cap = t->cap ? t->cap * 2 : 64;
            void **h;
            if (cap > t->k)
                cap = t->k;
            if (cap > SIZE_MAX / sizeof *h || !(h = asff__realloc(t->alloc, t->heap, cap * sizeof *h)))
                return finding; /* out of memory: the finding is not kept */
            t->heap = h;
            t->cap = cap;
        }
        i = t->n++;
        t->heap[i] = finding;
        while (i > 0) {
            size_t p = (i - 1) / 2;
            void *x;
            if (asff_sort_compare(t->sort, t->heap[i], t->heap[p]) <= 0)
                break;
            x = t->heap[i], t->heap[i] = t->heap[p], t->heap[p] = x;
            i = p;
        }
        return NULL;
    }
    if (t->k == 0 || asff_sort_compare(t->sort, finding, t->heap[0]) >= 0)
        return finding;
    out = t->heap[0];
    t->heap[0] = finding;
    sift_down(t, 0, t->n);
    return out;
}

void **asff_topk_sorted(asff_topk *t, size_t *count)
{
    size_t n;
    if (!t) {
        if (count)
            *count = 0;
        return NULL;
    }
    if (!t->sorted) {
        /* heap sort in place: the last-sorting finding moves to the end each round */
        for (n = t->n; n > 1; n--) {
            void *x = t->heap[0];
            t->heap[0] = t->heap[n - 1];
            t->heap[n - 1] = x;
            sift_down(t, 0, n - 1);
        }
        t->sorted = true;
    }
    if (count)
        *count = t->n;
    return t->heap;
}

void asff_topk_free(asff_topk *t)
{
    if (!t)
        return;
    asff__free(t->alloc, t->heap);
    asff__free(t->alloc, t);
}

asff_status asff_sort_projection(const asff_sort *s, asff_projection *proj, asff_error *err)
{
    static const char *const ties[] = {"UpdatedAt", "ProductArn", "Id"};
    size_t i;
    asff_status st = ASFF_OK;
    if (!s || !proj)
        return asff_error_set(err, ASFF_ERR_INVALID_ARG, "asff_sort_projection: sort and proj are required");
    for (i = 0; i < s->n && st == ASFF_OK; i++)
        st = asff__filter_project_attr(s->crit[i].def, proj, err);
    for (i = 0; i < sizeof ties / sizeof *ties && st == ASFF_OK; i++)
        st = asff_projection_add(proj, ASFF_TID_AwsSecurityFinding, ties[i], err);
    return st;
}
