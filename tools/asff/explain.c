/* Which attribute emptied a filter's result (explain.h). */
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>
#include "explain.h"

bool explain_init(explain *x, const asff_filter *filter)
{
    memset(x, 0, sizeof *x);
    x->filter = filter;
    x->n = asff_filter_attribute_count(filter);
    x->pass = calloc(x->n + 1, sizeof *x->pass);
    x->absent = calloc(x->n + 1, sizeof *x->absent);
    if (!x->pass || !x->absent) {
        explain_free(x);
        return false;
    }
    return true;
}

void explain_add(explain *x, const void *finding)
{
    size_t i;
    x->read++;
    if (x->matched || !x->pass)
        return;
    if (asff_filter_match(x->filter, finding)) {
        x->matched++;
        return;
    }
    for (i = 0; i < x->n; i++) {
        if (asff_filter_match_attribute(x->filter, i, finding))
            x->pass[i]++;
        if (!asff_filter_attribute_present(x->filter, i, finding))
            x->absent[i]++;
    }
}

static void cat(char *buf, size_t size, const char *s)
{
    size_t n = strlen(buf);
    if (n + 1 < size)
        snprintf(buf + n, size - n, "%s", s);
}

static const char *text_of(yajl_val v, char *tmp, size_t size)
{
    if (YAJL_IS_STRING(v))
        return v->u.string;
    if (YAJL_IS_NUMBER(v))
        return v->u.number.r;
    if (YAJL_IS_TRUE(v) || YAJL_IS_FALSE(v))
        return YAJL_IS_TRUE(v) ? "true" : "false";
    if (YAJL_IS_OBJECT(v)) { /* DateRange */
        const char *p1[] = {"Comparison", NULL}, *p2[] = {"Value", NULL}, *p3[] = {"Unit", NULL};
        yajl_val c = yajl_tree_get(v, p1, yajl_t_string), n = yajl_tree_get(v, p2, yajl_t_number),
                 u = yajl_tree_get(v, p3, yajl_t_string);
        snprintf(tmp, size, "%s %s %s", c ? c->u.string : "WITHIN", n ? n->u.number.r : "?", u ? u->u.string : "");
        return tmp;
    }
    return "?";
}

/* "EQUALS NEW|NOTIFIED", "Gte 7", "DateRange WITHIN 7 DAYS", "EQUALS key=value": the attribute's
 * entries, the values of one comparison joined by '|'. */
static void describe(const asff_filter *f, const char *attr, char *out, size_t size)
{
    char *json = NULL;
    size_t len, i, k;
    yajl_val root = NULL, list;
    const char *path[] = {attr, NULL};
    const char *last = NULL;
    out[0] = '\0';
    if (asff_filter_to_json(f, &json, &len, NULL) != ASFF_OK)
        return;
    if (asff__json_parse(json, len, NULL, NULL, &root, NULL) != ASFF_OK)
        root = NULL;
    list = root ? yajl_tree_get(root, path, yajl_t_array) : NULL;
    for (i = 0; list && i < list->u.array.len; i++) {
        yajl_val e = list->u.array.values[i];
        const char *cmp = NULL, *key = NULL;
        char tmp[128];
        for (k = 0; YAJL_IS_OBJECT(e) && k < e->u.object.len; k++) {
            if (strcmp(e->u.object.keys[k], "Comparison") == 0)
                cmp = e->u.object.values[k]->u.string;
            else if (strcmp(e->u.object.keys[k], "Key") == 0)
                key = e->u.object.values[k]->u.string;
        }
        for (k = 0; YAJL_IS_OBJECT(e) && k < e->u.object.len; k++) {
            const char *name = e->u.object.keys[k];
            if (strcmp(name, "Comparison") == 0 || strcmp(name, "Key") == 0)
                continue;
            if (cmp && last && strcmp(last, cmp) == 0) {
                cat(out, size, "|");
            } else {
                if (out[0])
                    cat(out, size, ", ");
                cat(out, size, cmp ? cmp : name);
                cat(out, size, " ");
            }
            if (key) {
                cat(out, size, key);
                cat(out, size, "=");
            }
            cat(out, size, text_of(e->u.object.values[k], tmp, sizeof tmp));
            last = cmp;
        }
    }
    asff__json_free(root, NULL);
    asff_free_string(json);
}

void explain_report(const explain *x, const char *cmd)
{
    size_t i, best = 0;
    char cond[512], shown[CLI_SHOW * 4];
    if (!x->read || x->matched || !x->pass || !x->n)
        return;
    for (i = 1; i < x->n; i++)
        if (x->pass[i] < x->pass[best])
            best = i;
    fprintf(stderr, "asff %s: none of %llu findings matched; ", cmd, (unsigned long long)x->read);
    if (x->pass[best]) {
        /* every attribute alone keeps some findings: it is their combination that empties the set */
        fprintf(stderr, "each attribute alone matches some (");
        for (i = 0; i < x->n; i++)
            fprintf(stderr, "%s%s %llu", i ? ", " : "", asff_filter_attribute_name(x->filter, i),
                    (unsigned long long)x->pass[i]);
        fprintf(stderr, "), no finding all of them\n");
        return;
    }
    describe(x->filter, asff_filter_attribute_name(x->filter, best), cond, sizeof cond);
    /* the condition holds values from the filter: escaped for the terminal */
    fprintf(stderr, "%s (%s) matched 0", asff_filter_attribute_name(x->filter, best), cli_show(shown, sizeof shown, cond));
    if (x->absent[best])
        fprintf(stderr, " (%llu findings have no %s)", (unsigned long long)x->absent[best],
                asff_filter_attribute_path(asff_filter_attribute_name(x->filter, best)));
    fputc('\n', stderr);
}

void explain_free(explain *x)
{
    free(x->pass);
    free(x->absent);
    x->pass = x->absent = NULL;
}

void explain_match_init(explain_match *m, const asff_filter *filter)
{
    m->filter = filter;
    m->n = asff_filter_attribute_count(filter);
    atomic_init(&m->passed, false);
}

void *explain_match_work(void *ctx, unsigned worker, const void *finding, const asff_finding_info *info)
{
    explain_match *m = ctx;
    unsigned char *said;
    size_t i;
    (void)worker;
    (void)info;
    if (asff_filter_match(m->filter, finding)) {
        atomic_store_explicit(&m->passed, true, memory_order_relaxed);
        return m;
    }
    if (atomic_load_explicit(&m->passed, memory_order_relaxed))
        return NULL; /* one has passed: nothing will be explained */
    said = malloc(2 * m->n + 1);
    for (i = 0; said && i < m->n; i++) {
        said[i] = asff_filter_match_attribute(m->filter, i, finding);
        said[m->n + i] = !asff_filter_attribute_present(m->filter, i, finding);
    }
    return said; /* (out of memory: NULL, one finding fewer in the explanation's counts) */
}

void explain_match_free(void *ctx, void *result)
{
    if (result != ctx)
        free(result);
}

bool explain_result(explain *x, const explain_match *m, void *result)
{
    const unsigned char *said = result;
    size_t i;
    x->read++;
    if (result == m) {
        x->matched++;
        return true;
    }
    for (i = 0; said && !x->matched && x->pass && i < x->n && i < m->n; i++) {
        x->pass[i] += said[i];
        x->absent[i] += said[m->n + i];
    }
    free(result);
    return false;
}
