/* The intersection of two AwsSecurityFindingFilters, written as one (docs/filter.md, rules N1..N7).
 * Security Hub ORs the positive entries of one attribute and ANDs its negatives and its attributes,
 * so a finding passes both sets exactly when, for every attribute, it passes both lists of entries:
 * each rule below keeps that exact, or refuses. Inputs were compiled by asff_filter_compile first
 * (valid, bounded nesting), so yajl_tree reads them here. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>
#include "asff/asff.h"
#include "cli.h"
#include "narrow.h"

static const char *const CMP[] = {"EQUALS", "PREFIX", "CONTAINS", "NOT_EQUALS", "PREFIX_NOT_EQUALS", "NOT_CONTAINS"};
enum { EQ, PFX, CON, NEQ, NPFX, NCON };

typedef struct sent {
    int cmp;
    const char *key; /* Map entries; NULL otherwise */
    const char *val;
} sent;

typedef struct range {
    bool has_lo, lo_in, has_hi, hi_in;
    double lo, hi;
    const char *lo_text, *hi_text;
} range;

typedef struct job {
    const char *attr;
    yajl_val a, b;     /* the two lists */
    bool array;        /* the attribute's path crosses an array or map: "any element" semantics */
    yajl_gen g;        /* the combined list goes here */
    char *why;
    size_t size;
} job;

static narrow_result say(job *j, narrow_result r, const char *fmt, ...)
{
    va_list ap;
    int n = snprintf(j->why, j->size, "%s: ", j->attr);
    va_start(ap, fmt);
    if (n >= 0 && (size_t)n < j->size)
        vsnprintf(j->why + n, j->size - (size_t)n, fmt, ap);
    va_end(ap);
    return r;
}

static yajl_val member(yajl_val o, const char *k)
{
    size_t i;
    if (!YAJL_IS_OBJECT(o))
        return NULL;
    for (i = 0; i < o->u.object.len; i++)
        if (strcmp(o->u.object.keys[i], k) == 0)
            return o->u.object.values[i];
    return NULL;
}

static const char *str_of(yajl_val o, const char *k)
{
    yajl_val v = member(o, k);
    return YAJL_IS_STRING(v) ? v->u.string : NULL;
}

static void gen_str(yajl_gen g, const char *s)
{
    yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

/* v as JSON; sorted: object members by name (the canonical form used to compare entries). */
static void emit(yajl_gen g, yajl_val v, bool sorted)
{
    size_t i, k, *ix;
    switch (v->type) {
    case yajl_t_string: gen_str(g, v->u.string); break;
    case yajl_t_number: yajl_gen_number(g, v->u.number.r, strlen(v->u.number.r)); break;
    case yajl_t_true: yajl_gen_bool(g, 1); break;
    case yajl_t_false: yajl_gen_bool(g, 0); break;
    case yajl_t_array:
        yajl_gen_array_open(g);
        for (i = 0; i < v->u.array.len; i++)
            emit(g, v->u.array.values[i], sorted);
        yajl_gen_array_close(g);
        break;
    case yajl_t_object:
        ix = malloc((v->u.object.len + 1) * sizeof *ix);
        yajl_gen_map_open(g);
        for (i = 0; ix && i < v->u.object.len; i++) {
            for (k = i; sorted && k > 0 && strcmp(v->u.object.keys[ix[k - 1]], v->u.object.keys[i]) > 0; k--)
                ix[k] = ix[k - 1];
            ix[sorted ? k : i] = i;
        }
        for (i = 0; ix && i < v->u.object.len; i++) {
            gen_str(g, v->u.object.keys[ix[i]]);
            emit(g, v->u.object.values[ix[i]], sorted);
        }
        yajl_gen_map_close(g);
        free(ix);
        break;
    default: yajl_gen_null(g); break;
    }
}

/* Two entries are the same condition when their canonical texts are equal. */
static bool same(yajl_val x, yajl_val y)
{
    yajl_gen a = yajl_gen_alloc(cli_yajl_funcs()), b = yajl_gen_alloc(cli_yajl_funcs());
    const unsigned char *ta, *tb;
    size_t la, lb;
    bool eq;
    emit(a, x, true);
    emit(b, y, true);
    yajl_gen_get_buf(a, &ta, &la);
    yajl_gen_get_buf(b, &tb, &lb);
    eq = la == lb && memcmp(ta, tb, la) == 0;
    yajl_gen_free(a);
    yajl_gen_free(b);
    return eq;
}

/* Every entry of x is one of y's: OR(x) implies OR(y), for any path (N2, first case). */
static bool subset(yajl_val x, yajl_val y)
{
    size_t i, k;
    for (i = 0; i < x->u.array.len; i++) {
        for (k = 0; k < y->u.array.len && !same(x->u.array.values[i], y->u.array.values[k]); k++)
            ;
        if (k == y->u.array.len)
            return false;
    }
    return true;
}

/* "; the first set has [...], the second [...]": both lists as compact JSON, for the message. */
static void both_lists(job *j, char *out, size_t size)
{
    yajl_gen a = yajl_gen_alloc(cli_yajl_funcs()), b = yajl_gen_alloc(cli_yajl_funcs());
    const unsigned char *ta, *tb;
    size_t la, lb;
    emit(a, j->a, false);
    emit(b, j->b, false);
    yajl_gen_get_buf(a, &ta, &la);
    yajl_gen_get_buf(b, &tb, &lb);
    snprintf(out, size, " (the template: %.*s; --filters: %.*s)", (int)(la < 160 ? la : 160), (const char *)ta,
             (int)(lb < 160 ? lb : 160), (const char *)tb);
    yajl_gen_free(a);
    yajl_gen_free(b);
}

static narrow_result empty(job *j, const char *what)
{
    char lists[400];
    both_lists(j, lists, sizeof lists);
    return say(j, NARROW_EMPTY, "%s%s", what, lists);
}

static void emit_list(job *j, yajl_val list)
{
    emit(j->g, list, false);
}

/* ---- String and Map ------------------------------------------------------------------------------ */

static bool starts(const char *s, const char *p)
{
    return strncmp(s, p, strlen(p)) == 0;
}

static bool same_key(const sent *x, const sent *y)
{
    return (!x->key && !y->key) || (x->key && y->key && strcmp(x->key, y->key) == 0);
}

static size_t read_sents(yajl_val list, sent *out)
{
    size_t i, n = 0;
    for (i = 0; i < list->u.array.len; i++) {
        yajl_val e = list->u.array.values[i];
        const char *c = str_of(e, "Comparison");
        int k;
        for (k = 0; c && k < 6 && strcmp(CMP[k], c) != 0; k++)
            ;
        out[n].cmp = k;
        out[n].key = str_of(e, "Key");
        out[n].val = str_of(e, "Value");
        if (c && k < 6 && out[n].val)
            n++;
    }
    return n;
}

/* x implies y (both positive): every value x admits, y admits. */
static bool sent_implies(const sent *x, const sent *y)
{
    if (!same_key(x, y))
        return false;
    if (x->cmp == y->cmp && strcmp(x->val, y->val) == 0)
        return true;
    if (y->cmp == PFX && (x->cmp == EQ || x->cmp == PFX))
        return starts(x->val, y->val);
    if (y->cmp == CON && x->cmp != CON)
        return x->cmp == EQ ? strstr(x->val, y->val) != NULL : false;
    return false;
}

static bool all_implied(const sent *x, size_t nx, const sent *y, size_t ny)
{
    size_t i, k;
    for (i = 0; i < nx; i++) {
        for (k = 0; k < ny && !sent_implies(&x[i], &y[k]); k++)
            ;
        if (k == ny)
            return false;
    }
    return true;
}

/* One positive of each set: 1 and *r when their intersection is one entry, 0 when empty, -1 when it
 * cannot be written as one entry. */
static int meet(const sent *x, const sent *y, sent *r)
{
    if (!same_key(x, y))
        return -1;
    if (sent_implies(x, y)) {
        *r = *x;
        return 1;
    }
    if (sent_implies(y, x)) {
        *r = *y;
        return 1;
    }
    if (x->cmp == CON || y->cmp == CON)
        return (x->cmp == EQ || y->cmp == EQ) ? 0 : -1;
    return 0; /* two different values, or prefixes neither of which extends the other */
}

static bool excludes(const sent *neg, const sent *v)
{
    if (!same_key(neg, v))
        return false;
    switch (neg->cmp) {
    case NEQ: return strcmp(v->val, neg->val) == 0;
    case NPFX: return starts(v->val, neg->val);
    default: return strstr(v->val, neg->val) != NULL;
    }
}

/* A negative still matters beside the positives left when some positive admits a value it excludes. */
static bool needed(const sent *neg, const sent *pos, size_t np)
{
    size_t i;
    for (i = 0; i < np; i++) {
        if (!same_key(neg, &pos[i]) && pos[i].key)
            continue;
        if (pos[i].cmp == CON || neg->cmp == NCON)
            return true;
        if (pos[i].cmp == PFX && (starts(neg->val, pos[i].val) || (neg->cmp == NPFX && starts(pos[i].val, neg->val))))
            return true;
        if (pos[i].cmp == EQ && excludes(neg, &pos[i]))
            return true;
    }
    return false;
}

static void put_sent(yajl_gen g, const sent *s)
{
    yajl_gen_map_open(g);
    if (s->key) {
        gen_str(g, "Key");
        gen_str(g, s->key);
    }
    gen_str(g, "Value");
    gen_str(g, s->val);
    gen_str(g, "Comparison");
    gen_str(g, CMP[s->cmp]);
    yajl_gen_map_close(g);
}

static bool has_sent(const sent *v, size_t n, const sent *s)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (v[i].cmp == s->cmp && same_key(&v[i], s) && strcmp(v[i].val, s->val) == 0)
            return true;
    return false;
}

static narrow_result strings(job *j)
{
    size_t na = j->a->u.array.len, nb = j->b->u.array.len, cap = na * nb + na + nb + 1;
    sent *a = malloc(na * sizeof *a + 1), *b = malloc(nb * sizeof *b + 1), *pa, *pb, *out = malloc(cap * sizeof *out);
    sent *neg = malloc((na + nb + 1) * sizeof *neg);
    size_t i, k, npa = 0, npb = 0, nout = 0, nneg = 0, ntot;
    narrow_result r = NARROW_OK;
    bool eqs = false;
    if (!a || !b || !out || !neg) {
        r = say(j, NARROW_ERROR, "out of memory");
        goto done;
    }
    na = read_sents(j->a, a);
    nb = read_sents(j->b, b);
    /* positives first, in place; negatives of both into neg (N3: their union) */
    for (i = 0; i < na; i++)
        if (a[i].cmp < NEQ)
            a[npa++] = a[i];
        else if (!has_sent(neg, nneg, &a[i]))
            neg[nneg++] = a[i];
    for (i = 0; i < nb; i++)
        if (b[i].cmp < NEQ)
            b[npb++] = b[i];
        else if (!has_sent(neg, nneg, &b[i]))
            neg[nneg++] = b[i];
    pa = a, pb = b;
    if (npa && npb) {
        if (all_implied(pa, npa, pb, npb)) { /* N2: one set's positives imply the other's */
            memcpy(out, pa, npa * sizeof *out);
            nout = npa;
        } else if (all_implied(pb, npb, pa, npa)) {
            memcpy(out, pb, npb * sizeof *out);
            nout = npb;
        } else if (j->array) {
            r = say(j, NARROW_INEXPRESSIBLE, "both sets ask for different values of a list or map (a finding may "
                                             "hold one element for each); Security Hub ORs them in one attribute");
            goto done;
        } else {
            for (i = 0; i < npa; i++)
                for (k = 0; k < npb; k++) {
                    sent m;
                    int got = meet(&pa[i], &pb[k], &m);
                    if (got < 0) {
                        r = say(j, NARROW_INEXPRESSIBLE, "%s %s and %s %s cannot be combined in one entry",
                                CMP[pa[i].cmp], pa[i].val, CMP[pb[k].cmp], pb[k].val);
                        goto done;
                    }
                    if (got && !has_sent(out, nout, &m))
                        out[nout++] = m;
                }
            if (!nout) {
                r = empty(j, "no value passes both sets");
                goto done;
            }
        }
    } else if (npa || npb) {
        memcpy(out, npa ? pa : pb, (npa ? npa : npb) * sizeof *out);
        nout = npa ? npa : npb;
    }
    /* N4: on a single value, a negative removes the EQUALS values it excludes, then goes if no
     * positive left can reach what it excludes (Security Hub refuses EQUALS beside a negative). */
    if (!j->array && nout && nneg) {
        size_t o = 0, before = nout;
        for (i = 0; i < nout; i++) {
            for (k = 0; k < nneg && !(out[i].cmp == EQ && excludes(&neg[k], &out[i])); k++)
                ;
            if (k == nneg)
                out[o++] = out[i];
        }
        nout = o;
        if (before && !nout) {
            r = empty(j, "every value the positive entries allow is excluded by a negative one");
            goto done;
        }
        for (i = 0, o = 0; i < nneg; i++)
            if (needed(&neg[i], out, nout))
                neg[o++] = neg[i];
        nneg = nout ? o : nneg;
    }
    for (i = 0; i < nout; i++)
        eqs = eqs || out[i].cmp == EQ;
    for (i = 0; eqs && i < nneg; i++)
        if (neg[i].cmp == NEQ || neg[i].cmp == NPFX) {
            r = say(j, NARROW_INEXPRESSIBLE, "EQUALS %s would stand beside %s %s, a mix Security Hub refuses",
                    out[0].val, CMP[neg[i].cmp], neg[i].val);
            goto done;
        }
    ntot = nout + nneg;
    yajl_gen_array_open(j->g);
    for (i = 0; i < ntot; i++)
        put_sent(j->g, i < nout ? &out[i] : &neg[i - nout]);
    yajl_gen_array_close(j->g);
done:
    free(a);
    free(b);
    free(out);
    free(neg);
    return r;
}

/* ---- Number, Date, Boolean ------------------------------------------------------------------------ */

static void bound(range *r, yajl_val v, bool lower, bool incl)
{
    double d;
    if (!YAJL_IS_NUMBER(v))
        return;
    d = strtod(v->u.number.r, NULL);
    if (lower && (!r->has_lo || d > r->lo || (d == r->lo && !incl))) {
        r->has_lo = true, r->lo = d, r->lo_in = incl, r->lo_text = v->u.number.r;
    } else if (!lower && (!r->has_hi || d < r->hi || (d == r->hi && !incl))) {
        r->has_hi = true, r->hi = d, r->hi_in = incl, r->hi_text = v->u.number.r;
    }
}

static range to_range(yajl_val e)
{
    range r;
    memset(&r, 0, sizeof r);
    bound(&r, member(e, "Gte"), true, true);
    bound(&r, member(e, "Gt"), true, false);
    bound(&r, member(e, "Eq"), true, true);
    bound(&r, member(e, "Lte"), false, true);
    bound(&r, member(e, "Lt"), false, false);
    bound(&r, member(e, "Eq"), false, true);
    return r;
}

static bool range_empty(const range *r)
{
    return r->has_lo && r->has_hi && (r->lo > r->hi || (r->lo == r->hi && !(r->lo_in && r->hi_in)));
}

static void put_range(yajl_gen g, const range *r)
{
    yajl_gen_map_open(g);
    if (r->has_lo && r->has_hi && r->lo == r->hi) {
        gen_str(g, "Eq");
        yajl_gen_number(g, r->lo_text, strlen(r->lo_text));
    } else {
        if (r->has_lo) {
            gen_str(g, r->lo_in ? "Gte" : "Gt");
            yajl_gen_number(g, r->lo_text, strlen(r->lo_text));
        }
        if (r->has_hi) {
            gen_str(g, r->hi_in ? "Lte" : "Lt");
            yajl_gen_number(g, r->hi_text, strlen(r->hi_text));
        }
    }
    yajl_gen_map_close(g);
}

/* N5: the tighter bounds of each pair of ranges. */
static int meet_number(yajl_val x, yajl_val y, yajl_gen g)
{
    range a = to_range(x), b = to_range(y), r = a;
    if (b.has_lo && (!r.has_lo || b.lo > r.lo || (b.lo == r.lo && !b.lo_in)))
        r.has_lo = true, r.lo = b.lo, r.lo_in = b.lo_in, r.lo_text = b.lo_text;
    if (b.has_hi && (!r.has_hi || b.hi < r.hi || (b.hi == r.hi && !b.hi_in)))
        r.has_hi = true, r.hi = b.hi, r.hi_in = b.hi_in, r.hi_text = b.hi_text;
    if (range_empty(&r))
        return 0;
    put_range(g, &r);
    return 1;
}

static int ts_cmp(const char *x, const char *y)
{
    int64_t xs = 0, ys = 0;
    int32_t xn = 0, yn = 0;
    if (asff_timestamp_parse(x, strlen(x), &xs, &xn) != ASFF_OK || asff_timestamp_parse(y, strlen(y), &ys, &yn) != ASFF_OK)
        return 0;
    return xs != ys ? (xs < ys ? -1 : 1) : (xn != yn ? (xn < yn ? -1 : 1) : 0);
}

/* N6: fixed periods: the later Start, the earlier End; two DateRanges of one kind and unit: the
 * tighter one. A fixed period against a DateRange moves with "now": not one entry. */
static int meet_date(yajl_val x, yajl_val y, yajl_gen g)
{
    yajl_val dx = member(x, "DateRange"), dy = member(y, "DateRange");
    if (!dx && !dy) {
        const char *s1 = str_of(x, "Start"), *e1 = str_of(x, "End"), *s2 = str_of(y, "Start"), *e2 = str_of(y, "End");
        const char *s, *e;
        if (!s1 || !e1 || !s2 || !e2)
            return -1;
        s = ts_cmp(s1, s2) >= 0 ? s1 : s2;
        e = ts_cmp(e1, e2) <= 0 ? e1 : e2;
        if (ts_cmp(s, e) > 0)
            return 0;
        yajl_gen_map_open(g);
        gen_str(g, "Start");
        gen_str(g, s);
        gen_str(g, "End");
        gen_str(g, e);
        yajl_gen_map_close(g);
        return 1;
    }
    if (dx && dy) {
        const char *cx = str_of(dx, "Comparison"), *cy = str_of(dy, "Comparison"), *ux = str_of(dx, "Unit"),
                   *uy = str_of(dy, "Unit");
        yajl_val vx = member(dx, "Value"), vy = member(dy, "Value");
        bool within;
        double a, b;
        if (!cx)
            cx = "WITHIN";
        if (!cy)
            cy = "WITHIN";
        if (strcmp(cx, cy) != 0 || !ux || !uy || strcmp(ux, uy) != 0 || !YAJL_IS_NUMBER(vx) || !YAJL_IS_NUMBER(vy))
            return -1;
        within = strcmp(cx, "WITHIN") == 0;
        a = strtod(vx->u.number.r, NULL);
        b = strtod(vy->u.number.r, NULL);
        emit(g, (within ? a <= b : a >= b) ? x : y, false);
        return 1;
    }
    return -1;
}

static int meet_bool(yajl_val x, yajl_val y, yajl_gen g)
{
    if (!same(x, y))
        return 0;
    emit(g, x, false);
    return 1;
}

/* Pairwise over two ORed lists (exact when the attribute holds one value): the union of the pairs'
 * intersections. */
static narrow_result pairwise(job *j, int (*fn)(yajl_val, yajl_val, yajl_gen))
{
    size_t i, k, n = 0;
    yajl_gen_array_open(j->g);
    for (i = 0; i < j->a->u.array.len; i++)
        for (k = 0; k < j->b->u.array.len; k++) {
            int got = fn(j->a->u.array.values[i], j->b->u.array.values[k], j->g);
            if (got < 0)
                return say(j, NARROW_INEXPRESSIBLE, "entry %zu of the first set and entry %zu of the second cannot "
                                                    "be combined in one entry", i, k);
            n += (size_t)got;
        }
    yajl_gen_array_close(j->g);
    return n ? NARROW_OK : empty(j, "no value passes both sets");
}

static narrow_result combine(job *j)
{
    const char *type = asff_filter_attribute_type(j->attr);
    if (type && (strcmp(type, "String") == 0 || strcmp(type, "Map") == 0))
        return strings(j);
    /* N2 for every other type: the entries of one set are among the other's */
    if (subset(j->a, j->b)) {
        emit_list(j, j->a);
        return NARROW_OK;
    }
    if (subset(j->b, j->a)) {
        emit_list(j, j->b);
        return NARROW_OK;
    }
    if (!type || j->array)
        return say(j, NARROW_INEXPRESSIBLE, "the two sets' entries differ, and their intersection over a list "
                                            "cannot be written as one attribute");
    if (strcmp(type, "Number") == 0)
        return pairwise(j, meet_number);
    if (strcmp(type, "Date") == 0)
        return pairwise(j, meet_date);
    if (strcmp(type, "Boolean") == 0)
        return pairwise(j, meet_bool);
    return say(j, NARROW_INEXPRESSIBLE, "%s entries that differ are not combined (N7)", type);
}

/* The filters object of a parsed --filters value: itself, or its "Filters" member. */
static yajl_val filters_of(yajl_val root)
{
    yajl_val f = member(root, "Filters");
    return YAJL_IS_OBJECT(f) ? f : root;
}

static bool nonempty_list(yajl_val v)
{
    return YAJL_IS_ARRAY(v) && v->u.array.len > 0;
}

narrow_result narrow_filters(const char *base, size_t blen, const char *extra, size_t elen, char **out, char *why,
                             size_t size)
{
    yajl_val rb = NULL, re = NULL, fb, fe;
    yajl_gen g = NULL;
    narrow_result r = NARROW_OK;
    size_t i;
    *out = NULL;
    why[0] = '\0';
    if (asff__json_parse(base, blen, NULL, NULL, &rb, NULL) != ASFF_OK)
        rb = NULL;
    if (asff__json_parse(extra, elen, NULL, NULL, &re, NULL) != ASFF_OK)
        re = NULL;
    fb = filters_of(rb);
    fe = filters_of(re);
    if (!YAJL_IS_OBJECT(fb) || !YAJL_IS_OBJECT(fe) || !(g = yajl_gen_alloc(cli_yajl_funcs()))) {
        snprintf(why, size, "the filters are not JSON objects");
        r = NARROW_ERROR;
        goto done;
    }
    yajl_gen_map_open(g);
    /* N1: an attribute of one set only is kept as it is */
    for (i = 0; i < fb->u.object.len && r == NARROW_OK; i++) {
        const char *name = fb->u.object.keys[i];
        yajl_val other = member(fe, name), mine = fb->u.object.values[i];
        if (!nonempty_list(mine))
            continue;
        gen_str(g, name);
        if (!nonempty_list(other)) {
            emit(g, mine, false);
        } else {
            const char *path = asff_filter_attribute_path(name);
            job j = {name, mine, other, !path || strpbrk(path, "[{") != NULL, g, why, size};
            /* a Map is a set of keys: like a list */
            const char *type = asff_filter_attribute_type(name);
            if (type && strcmp(type, "Map") == 0)
                j.array = true;
            r = combine(&j);
        }
    }
    for (i = 0; i < fe->u.object.len && r == NARROW_OK; i++) {
        const char *name = fe->u.object.keys[i];
        if (!nonempty_list(fe->u.object.values[i]) || nonempty_list(member(fb, name)))
            continue;
        gen_str(g, name);
        emit(g, fe->u.object.values[i], false);
    }
    yajl_gen_map_close(g);
    if (r == NARROW_OK) {
        const unsigned char *buf;
        size_t len;
        yajl_gen_get_buf(g, &buf, &len);
        if ((*out = malloc(len + 1)) != NULL) {
            memcpy(*out, buf, len);
            (*out)[len] = '\0';
        } else {
            snprintf(why, size, "out of memory");
            r = NARROW_ERROR;
        }
    }
done:
    if (g)
        yajl_gen_free(g);
    asff__json_free(rb, NULL);
    asff__json_free(re, NULL);
    return r;
}

int cli_narrow_managed(const char *cmd, const asff_managed_insight *m, const char *filters_arg,
                       const asff_filter_options *fo, char **out)
{
    size_t len;
    char *text = cli_read_arg(filters_arg, &len), why[512], shown[CLI_SHOW * 4];
    asff_filter *check = NULL;
    asff_error e = CLI_ERROR_INIT;
    narrow_result r;
    *out = NULL;
    if (!text)
        return ASFF_EXIT_IO;
    if (asff_filter_compile(text, len, fo, &check, &e) != ASFF_OK) {
        cli_print_error("--filters", &e);
        free(text);
        return ASFF_EXIT_USAGE;
    }
    asff_filter_free(check);
    r = narrow_filters(m->filters, strlen(m->filters), text, len, out, why, sizeof why);
    free(text);
    if (r == NARROW_EMPTY) {
        fprintf(stderr, "asff %s: --filters leave nothing of managed insight %d (%s): %s\n", cmd, m->number, m->name,
                cli_show(shown, sizeof shown, why));
        return ASFF_EXIT_USAGE;
    }
    if (r != NARROW_OK) {
        fprintf(stderr, "asff %s: cannot narrow managed insight %d with --filters: %s\n", cmd, m->number,
                cli_show(shown, sizeof shown, why));
        return r == NARROW_ERROR ? ASFF_EXIT_IO : ASFF_EXIT_USAGE;
    }
    if (asff_filter_compile(*out, strlen(*out), fo, &check, &e) != ASFF_OK) {
        cli_print_error("the narrowed filters", &e);
        free(*out);
        *out = NULL;
        return ASFF_EXIT_USAGE;
    }
    asff_filter_free(check);
    return ASFF_EXIT_OK;
}
