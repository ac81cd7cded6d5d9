/* Automation rules (V1): parse, order (AR-6, AR-7), apply FINDING_FIELDS_UPDATE (AR-13..AR-16). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "filter/filter_int.h"
#include "asff/validate.h"
#include "validate/vinternal.h"

/* What one rule's FindingFieldsUpdate sets; strings live in the rule set's arena. */
typedef struct raction {
    const char *note_text, *note_by;
    bool has_sev;
    const char *sev_label;
    bool has_norm, has_prod;
    int64_t sev_norm;
    double sev_prod;
    const char *verification;
    bool has_conf, has_crit;
    int64_t conf, crit;
    bool has_types;
    const char **types;
    size_t ntypes;
    bool has_udf;
    const char **udf_keys, **udf_values;
    size_t nudf;
    const char *workflow;
    bool has_related;
    const char **rel_arn, **rel_id;
    size_t nrel;
} raction;

typedef struct rule {
    const char *arn, *name, *updated_at;
    int64_t order;
    bool enabled, terminal;
    size_t input_index;
    asff_filter *criteria;
    raction act;
} rule;

struct asff_rules {
    const asff_allocator *alloc;
    asff_arena *arena;
    rule *rules;
    size_t n;
    asff_rules_options opt;
    char now_text[64];
};

typedef struct pctx {
    asff_rules *rs;
    asff_error *err;
    char path[ASFF_ERROR_PATH_SIZE];
} pctx;

static yajl_val member(yajl_val o, const char *key)
{
    size_t i;
    for (i = 0; YAJL_IS_OBJECT(o) && i < o->u.object.len; i++)
        if (strcmp(o->u.object.keys[i], key) == 0)
            return o->u.object.values[i];
    return NULL;
}

static char *dup(asff_rules *rs, const char *s)
{
    return asff_arena_strdup(rs->arena, s, strlen(s));
}

static asff_status bad(pctx *pc, const char *sub, const char *msg)
{
    char p[ASFF_ERROR_PATH_SIZE];
    asff__filter_path_cat(p, sizeof p, pc->path, sub);
    return asff__filter_fail(pc->err, ASFF_ERR_FILTER, p, "%s", msg);
}

static const char *label_of(int64_t n)
{
    /* AR-15 */
    return n == 0 ? "INFORMATIONAL" : n < 40 ? "LOW" : n < 70 ? "MEDIUM" : n < 90 ? "HIGH" : "CRITICAL";
}

static int64_t norm_of(const char *label)
{
    /* filter-attributes.tsv: INFORMATIONAL=0 LOW=1 MEDIUM=40 HIGH=70 CRITICAL=90 */
    return label[0] == 'I' ? 0 : label[0] == 'L' ? 1 : label[0] == 'M' ? 40 : label[0] == 'H' ? 70 : 90;
}

/* A whole number lo..hi in any JSON spelling ("-0", "1e2", "100.0" are 0, 100, 100). */
static bool int_in(yajl_val v, int64_t lo, int64_t hi, int64_t *out)
{
    int64_t x;
    if (!v || !YAJL_IS_NUMBER(v) || !v->u.number.r ||
        asff__number_int(v->u.number.r, strlen(v->u.number.r), &x) != 1 || x < lo || x > hi)
        return false;
    *out = x;
    return true;
}

/* The first member of object o not in known[n] (NULL when all are known). */
static const char *unknown_member(yajl_val o, const char *const *known, size_t n)
{
    size_t i, j;
    for (i = 0; YAJL_IS_OBJECT(o) && i < o->u.object.len; i++) {
        for (j = 0; j < n && strcmp(o->u.object.keys[i], known[j]) != 0; j++)
            ;
        if (j == n)
            return o->u.object.keys[i];
    }
    return NULL;
}

/* ASFF_ERR_FILTER "unknown member K" at pc->path + sub + "/K" when o has a member outside known. */
static asff_status check_members(pctx *pc, yajl_val o, const char *sub, const char *const *known, size_t n)
{
    const char *k = unknown_member(o, known, n);
    char p[ASFF_ERROR_PATH_SIZE], q[ASFF_ERROR_PATH_SIZE];
    size_t i, j;
    if (!k)
        return ASFF_OK;
    asff__filter_path_cat(p, sizeof p, pc->path, sub);
    /* the key as a JSON Pointer token (RFC 6901) */
    for (i = 0, j = 0; k[i] && j + 3 < sizeof q; i++) {
        if (k[i] == '~' || k[i] == '/') {
            q[j++] = '~';
            q[j++] = k[i] == '~' ? '0' : '1';
        } else
            q[j++] = k[i];
    }
    q[j] = 0;
    asff__filter_path_cat(p, sizeof p, p, "/");
    asff__filter_path_cat(p, sizeof p, p, q);
    return asff__filter_fail(pc->err, ASFF_ERR_FILTER, p, "unknown member %s", k);
}
#define CHECK_MEMBERS(pc, o, sub, known) check_members((pc), (o), (sub), (known), sizeof(known) / sizeof *(known))

static bool str_ok(yajl_val v)
{
    return v && YAJL_IS_STRING(v) && v->u.string[0];
}

static asff_status parse_strlist(pctx *pc, yajl_val v, const char *sub, const char ***out, size_t *n)
{
    size_t i;
    if (!YAJL_IS_ARRAY(v))
        return bad(pc, sub, "must be an array of strings");
    *n = v->u.array.len;
    *out = asff_arena_alloc(pc->rs->arena, (*n + 1) * sizeof **out);
    if (!*out)
        return asff__filter_fail(pc->err, ASFF_ERR_NOMEM, "", "out of memory");
    for (i = 0; i < *n; i++) {
        if (!str_ok(v->u.array.values[i]))
            return bad(pc, sub, "must be an array of non-empty strings");
        if (!((*out)[i] = dup(pc->rs, v->u.array.values[i]->u.string)))
            return asff__filter_fail(pc->err, ASFF_ERR_NOMEM, "", "out of memory");
    }
    return ASFF_OK;
}

static asff_status parse_update(pctx *pc, yajl_val u, raction *a)
{
    static const char *const known[] = {"Note", "Severity", "VerificationState", "Confidence", "Criticality",
                                        "Types", "UserDefinedFields", "Workflow", "RelatedFindings"};
    asff_rules *rs = pc->rs;
    yajl_val v;
    size_t i, j;
    asff_status st;
    if (!YAJL_IS_OBJECT(u))
        return bad(pc, "/FindingFieldsUpdate", "must be an object");
    if ((st = CHECK_MEMBERS(pc, u, "/FindingFieldsUpdate", known)) != ASFF_OK)
        return st;
    if ((v = member(u, "Note")) != NULL) {
        static const char *const nk[] = {"Text", "UpdatedBy"};
        yajl_val t = member(v, "Text"), b = member(v, "UpdatedBy");
        if ((st = CHECK_MEMBERS(pc, v, "/FindingFieldsUpdate/Note", nk)) != ASFF_OK)
            return st;
        if (!str_ok(t) || !str_ok(b))
            return bad(pc, "/FindingFieldsUpdate/Note", "Note needs Text and UpdatedBy");
        a->note_text = dup(rs, t->u.string);
        a->note_by = dup(rs, b->u.string);
    }
    if ((v = member(u, "Severity")) != NULL) {
        yajl_val l = member(v, "Label"), n = member(v, "Normalized"), p = member(v, "Product");
        static const char *const labels[] = {"INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL"};
        static const char *const sk[] = {"Label", "Normalized", "Product"};
        if (!YAJL_IS_OBJECT(v) || (!l && !n && !p))
            return bad(pc, "/FindingFieldsUpdate/Severity", "Severity needs Label, Normalized or Product");
        if ((st = CHECK_MEMBERS(pc, v, "/FindingFieldsUpdate/Severity", sk)) != ASFF_OK)
            return st;
        a->has_sev = true;
        if (l) {
            for (j = 0; j < 5; j++)
                if (YAJL_IS_STRING(l) && strcmp(l->u.string, labels[j]) == 0)
                    a->sev_label = labels[j];
            if (!a->sev_label)
                return bad(pc, "/FindingFieldsUpdate/Severity/Label", "unknown severity label");
        }
        if (n) {
            if (!int_in(n, 0, 100, &a->sev_norm))
                return bad(pc, "/FindingFieldsUpdate/Severity/Normalized", "must be an integer 0..100");
            a->has_norm = true;
        }
        if (p) {
            if (!asff__fjson_double(p, &a->sev_prod))
                return bad(pc, "/FindingFieldsUpdate/Severity/Product",
                           YAJL_IS_NUMBER(p) ? "out of range (not a finite number)" : "must be a number");
            a->has_prod = true;
        }
    }
    if ((v = member(u, "VerificationState")) != NULL) {
        static const char *const vs[] = {"UNKNOWN", "TRUE_POSITIVE", "FALSE_POSITIVE", "BENIGN_POSITIVE"};
        for (j = 0; j < 4; j++)
            if (YAJL_IS_STRING(v) && strcmp(v->u.string, vs[j]) == 0)
                a->verification = vs[j];
        if (!a->verification)
            return bad(pc, "/FindingFieldsUpdate/VerificationState", "unknown verification state");
    }
    if ((v = member(u, "Confidence")) != NULL) {
        if (!int_in(v, 0, 100, &a->conf))
            return bad(pc, "/FindingFieldsUpdate/Confidence", "must be an integer 0..100");
        a->has_conf = true;
    }
    if ((v = member(u, "Criticality")) != NULL) {
        if (!int_in(v, 0, 100, &a->crit))
            return bad(pc, "/FindingFieldsUpdate/Criticality", "must be an integer 0..100");
        a->has_crit = true;
    }
    if ((v = member(u, "Types")) != NULL) {
        if ((st = parse_strlist(pc, v, "/FindingFieldsUpdate/Types", &a->types, &a->ntypes)) != ASFF_OK)
            return st;
        a->has_types = true;
    }
    if ((v = member(u, "UserDefinedFields")) != NULL) {
        if (!YAJL_IS_OBJECT(v))
            return bad(pc, "/FindingFieldsUpdate/UserDefinedFields", "must be an object of strings");
        a->nudf = v->u.object.len;
        a->udf_keys = asff_arena_alloc(rs->arena, (a->nudf + 1) * sizeof *a->udf_keys);
        a->udf_values = asff_arena_alloc(rs->arena, (a->nudf + 1) * sizeof *a->udf_values);
        if (!a->udf_keys || !a->udf_values)
            return asff__filter_fail(pc->err, ASFF_ERR_NOMEM, "", "out of memory");
        for (i = 0; i < a->nudf; i++) {
            if (!YAJL_IS_STRING(v->u.object.values[i]))
                return bad(pc, "/FindingFieldsUpdate/UserDefinedFields", "values must be strings");
            a->udf_keys[i] = dup(rs, v->u.object.keys[i]);
            a->udf_values[i] = dup(rs, v->u.object.values[i]->u.string);
        }
        a->has_udf = true;
    }
    if ((v = member(u, "Workflow")) != NULL) {
        static const char *const ws[] = {"NEW", "NOTIFIED", "RESOLVED", "SUPPRESSED"};
        static const char *const wk[] = {"Status"};
        yajl_val s = member(v, "Status");
        if ((st = CHECK_MEMBERS(pc, v, "/FindingFieldsUpdate/Workflow", wk)) != ASFF_OK)
            return st;
        for (j = 0; j < 4; j++)
            if (s && YAJL_IS_STRING(s) && strcmp(s->u.string, ws[j]) == 0)
                a->workflow = ws[j];
        if (!a->workflow)
            return bad(pc, "/FindingFieldsUpdate/Workflow/Status", "must be NEW, NOTIFIED, RESOLVED or SUPPRESSED");
    }
    if ((v = member(u, "RelatedFindings")) != NULL) {
        if (!YAJL_IS_ARRAY(v))
            return bad(pc, "/FindingFieldsUpdate/RelatedFindings", "must be an array");
        a->nrel = v->u.array.len;
        a->rel_arn = asff_arena_alloc(rs->arena, (a->nrel + 1) * sizeof *a->rel_arn);
        a->rel_id = asff_arena_alloc(rs->arena, (a->nrel + 1) * sizeof *a->rel_id);
        if (!a->rel_arn || !a->rel_id)
            return asff__filter_fail(pc->err, ASFF_ERR_NOMEM, "", "out of memory");
        for (i = 0; i < a->nrel; i++) {
            static const char *const rk[] = {"ProductArn", "Id"};
            yajl_val p = member(v->u.array.values[i], "ProductArn"), id = member(v->u.array.values[i], "Id");
            char sub[64];
            snprintf(sub, sizeof sub, "/FindingFieldsUpdate/RelatedFindings/%zu", i);
            if (!str_ok(p) || !str_ok(id))
                return bad(pc, sub, "each needs ProductArn and Id");
            if ((st = CHECK_MEMBERS(pc, v->u.array.values[i], sub, rk)) != ASFF_OK)
                return st;
            a->rel_arn[i] = dup(rs, p->u.string);
            a->rel_id[i] = dup(rs, id->u.string);
        }
        a->has_related = true;
    }
    return ASFF_OK;
}

static asff_status parse_rule(pctx *pc, yajl_val o, rule *r)
{
    asff_rules *rs = pc->rs;
    asff_filter_options fo = ASFF_FILTER_OPTIONS_INIT;
    yajl_val v, acts;
    asff_status st;
    char cpath[ASFF_ERROR_PATH_SIZE];
    static const char *const known[] = {"RuleArn", "RuleStatus", "RuleOrder", "RuleName", "Description",
                                        "IsTerminal", "Criteria", "Actions", "CreatedAt", "UpdatedAt",
                                        "CreatedBy", "Tags"};
    static const char *const ak[] = {"Type", "FindingFieldsUpdate"};
    static const char *const text[] = {"RuleArn", "Description", "CreatedBy"};
    static const char *const times[] = {"CreatedAt", "UpdatedAt"};
    size_t i;
    if (!YAJL_IS_OBJECT(o))
        return bad(pc, "", "a rule must be an object");
    if ((st = CHECK_MEMBERS(pc, o, "", known)) != ASFF_OK)
        return st;
    for (i = 0; i < 3; i++)
        if ((v = member(o, text[i])) != NULL && !str_ok(v)) {
            char sub[32];
            snprintf(sub, sizeof sub, "/%s", text[i]);
            return bad(pc, sub, "must be a non-empty string");
        }
    for (i = 0; i < 2; i++)
        if ((v = member(o, times[i])) != NULL &&
            (!YAJL_IS_STRING(v) || !asff__filter_ts_parse(v->u.string, strlen(v->u.string), &(int64_t){0}, &(int32_t){0}))) {
            char sub[32];
            snprintf(sub, sizeof sub, "/%s", times[i]);
            return bad(pc, sub, "must be an ISO 8601 timestamp (FS-49)");
        }
    if ((v = member(o, "Tags")) != NULL) {
        if (!YAJL_IS_OBJECT(v) || v->u.object.len < 1 || v->u.object.len > 50)
            return bad(pc, "/Tags", "Tags must be an object of 1 to 50 strings");
        for (i = 0; i < v->u.object.len; i++)
            if (!YAJL_IS_STRING(v->u.object.values[i]))
                return bad(pc, "/Tags", "Tags must be an object of 1 to 50 strings");
    }
    if (!int_in(member(o, "RuleOrder"), 1, 1000, &r->order))
        return bad(pc, "/RuleOrder", "RuleOrder must be an integer 1..1000");
    v = member(o, "RuleName");
    if (!str_ok(v))
        return bad(pc, "/RuleName", "RuleName is required");
    r->name = dup(rs, v->u.string);
    v = member(o, "RuleArn");
    r->arn = str_ok(v) ? dup(rs, v->u.string) : "";
    v = member(o, "UpdatedAt");
    r->updated_at = str_ok(v) ? dup(rs, v->u.string) : NULL;
    v = member(o, "RuleStatus");
    r->enabled = true;
    if (v) {
        if (!YAJL_IS_STRING(v) || (strcmp(v->u.string, "ENABLED") != 0 && strcmp(v->u.string, "DISABLED") != 0))
            return bad(pc, "/RuleStatus", "RuleStatus must be ENABLED or DISABLED");
        r->enabled = strcmp(v->u.string, "ENABLED") == 0;
    }
    v = member(o, "IsTerminal");
    if (v && !YAJL_IS_TRUE(v) && !YAJL_IS_FALSE(v))
        return bad(pc, "/IsTerminal", "IsTerminal must be true or false");
    r->terminal = v && YAJL_IS_TRUE(v);
    if (!r->name || !r->arn)
        return asff__filter_fail(pc->err, ASFF_ERR_NOMEM, "", "out of memory");
    v = member(o, "Criteria");
    if (!v)
        return bad(pc, "/Criteria", "Criteria is required");
    fo.mode = ASFF_FILTER_RULE;
    fo.local = rs->opt.local;
    fo.has_now = rs->opt.has_now;
    fo.now_seconds = rs->opt.now_seconds;
    fo.allocator = rs->alloc;
    asff__filter_path_cat(cpath, sizeof cpath, pc->path, "/Criteria");
    if ((st = asff__filter_compile_node(v, cpath, &fo, &r->criteria, pc->err)) != ASFF_OK)
        return st;
    acts = member(o, "Actions");
    if (!YAJL_IS_ARRAY(acts) || acts->u.array.len != 1)
        return bad(pc, "/Actions", "Actions must hold exactly one action (AR-13)");
    if ((st = CHECK_MEMBERS(pc, acts->u.array.values[0], "/Actions/0", ak)) != ASFF_OK)
        return st;
    v = member(acts->u.array.values[0], "Type");
    if (!v || !YAJL_IS_STRING(v) || strcmp(v->u.string, "FINDING_FIELDS_UPDATE") != 0)
        return bad(pc, "/Actions/0/Type", "Type must be FINDING_FIELDS_UPDATE");
    {
        char saved[ASFF_ERROR_PATH_SIZE];
        memcpy(saved, pc->path, sizeof saved);
        asff__filter_path_cat(pc->path, sizeof pc->path, saved, "/Actions/0");
        st = parse_update(pc, member(acts->u.array.values[0], "FindingFieldsUpdate"), &r->act);
        memcpy(pc->path, saved, sizeof saved);
    }
    return st;
}

static int rule_cmp_key(const rule *x, const rule *y)
{
    int c;
    if (x->order != y->order)
        return x->order < y->order ? -1 : 1;
    if (x->updated_at || y->updated_at) { /* AR-7: earlier UpdatedAt first; none = just edited, last */
        if (!x->updated_at || !y->updated_at)
            return x->updated_at ? -1 : 1;
        if ((c = asff__fvalue_compare_ts(x->updated_at, y->updated_at)) != 0)
            return c;
    }
    return strcmp(x->arn, y->arn);
}

static int rule_cmp(const void *a, const void *b)
{
    const rule *x = a, *y = b;
    int c = rule_cmp_key(x, y);
    if (c)
        return c;
    return x->input_index < y->input_index ? -1 : x->input_index > y->input_index;
}

static asff_status apply(const asff_rules *rs, const raction *a, asff_AwsSecurityFinding *f);

/* The members a FindingFieldsUpdate may write (AR-14): violations under them are the rule's. */
static bool written_path(const char *p)
{
    static const char *const tops[] = {"/Note", "/Severity", "/VerificationState", "/Confidence", "/Criticality",
                                       "/Types", "/UserDefinedFields", "/Workflow", "/RelatedFindings"};
    size_t i, n;
    for (i = 0; i < sizeof tops / sizeof *tops; i++) {
        n = strlen(tops[i]);
        if (strncmp(p, tops[i], n) == 0 && (p[n] == 0 || p[n] == '/'))
            return true;
    }
    return false;
}

/*
 * Rules are held to the limits of findings: the action is applied to an empty finding, which the
 * validate module checks; an error under a member the action writes (a 600-character Note.Text, a
 * Note.UpdatedAt of year 10000 from an extreme now) refuses the rule, so that `rules apply` never
 * writes what `validate` rejects. Missing required members of the empty finding are not the rule's.
 */
static asff_status check_action(pctx *pc, const raction *a)
{
    asff_validate_options vo = ASFF_VALIDATE_OPTIONS_INIT;
    asff_AwsSecurityFinding *f;
    asff_report *rep;
    asff_status st;
    size_t i, n;
    f = asff_object_new_root(ASFF_TID_AwsSecurityFinding, pc->rs->alloc);
    if (!f)
        return asff__filter_fail(pc->err, ASFF_ERR_NOMEM, "", "out of memory");
    st = apply(pc->rs, a, f);
    if (st == ASFF_OK && f->Note && !f->Note->UpdatedAt) /* no now: the time is not the rule's to check */
        st = (f->Note->UpdatedAt = asff_strdup(f, "2000-01-01T00:00:00.000Z")) ? ASFF_OK : ASFF_ERR_NOMEM;
    rep = NULL;
    if (st == ASFF_OK)
        (void)asff_report_new(pc->rs->alloc, &rep, NULL);
    if (st != ASFF_OK || !rep) {
        asff_object_free(f);
        return asff__filter_fail(pc->err, ASFF_ERR_NOMEM, "", "out of memory");
    }
    vo.skip_size = true;
    vo.skip_service_owned = true;
    st = asff_validate(f, &vo, rep);
    if (st == ASFF_ERR_NOMEM || st == ASFF_ERR_INVALID_ARG) {
        asff_report_free(rep);
        asff_object_free(f);
        return asff__filter_fail(pc->err, st, "", st == ASFF_ERR_NOMEM ? "out of memory" : "cannot check the rule's action");
    }
    st = ASFF_OK;
    n = asff_report_count(rep);
    for (i = 0; i < n && st == ASFF_OK; i++) {
        const asff_violation *v = asff_report_get(rep, i);
        char sub[ASFF_ERROR_PATH_SIZE], p[ASFF_ERROR_PATH_SIZE];
        bool now;
        if (v->level != ASFF_LEVEL_ERROR || !written_path(v->path) || strncmp(v->rule, "required", 8) == 0)
            continue;
        now = strcmp(v->path, "/Note/UpdatedAt") == 0;
        /* Note.UpdatedAt comes from the current time, not from the rule: name the Note */
        asff__filter_path_cat(sub, sizeof sub, "/Actions/0/FindingFieldsUpdate", now ? "/Note" : v->path);
        asff__filter_path_cat(p, sizeof p, pc->path, sub);
        if (now)
            st = asff__filter_fail(pc->err, ASFF_ERR_FILTER, p, "the current time %s would be written as Note.UpdatedAt: %s",
                             pc->rs->now_text, v->message);
        else
            st = asff__filter_fail(pc->err, ASFF_ERR_FILTER, p, "%s (%s)", v->message, v->ref ? v->ref : "");
    }
    asff_report_free(rep);
    asff_object_free(f);
    return st;
}

asff_status asff_rules_parse(const char *json, size_t len, const asff_rules_options *opt, asff_rules **out,
                             asff_error *err)
{
    asff_rules_options defaults = ASFF_RULES_OPTIONS_INIT;
    const asff_allocator *a;
    asff_rules *rs;
    yajl_val root, list;
    asff_status st;
    pctx pc;
    size_t i, n;
    bool is_array;
    const char *base = "";
    if (!out)
        return asff__filter_fail(err, ASFF_ERR_INVALID_ARG, "", "out is NULL");
    *out = NULL;
    if (!opt)
        opt = &defaults;
    if (opt->version != ASFF_RULES_OPTIONS_VERSION)
        return asff__filter_fail(err, ASFF_ERR_INVALID_ARG, "", "unknown asff_rules_options version");
    a = asff__alloc_or_default(opt->allocator);
    if ((st = asff__filter_parse_json(json, len, a, &root, err)) != ASFF_OK)
        return st;
    list = root;
    if (YAJL_IS_OBJECT(root) && member(root, "Rules")) {
        list = member(root, "Rules");
        base = "/Rules";
    }
    is_array = YAJL_IS_ARRAY(list);
    n = is_array ? list->u.array.len : 1;
    if (!YAJL_IS_ARRAY(list) && !YAJL_IS_OBJECT(list)) {
        asff__json_free(root, a);
        return asff__filter_fail(err, ASFF_ERR_FILTER, base, "rules must be an object, an array or {\"Rules\": [...]}");
    }
    rs = asff__malloc(a, sizeof *rs);
    if (!rs) {
        asff__json_free(root, a);
        return asff__filter_fail(err, ASFF_ERR_NOMEM, "", "out of memory");
    }
    memset(rs, 0, sizeof *rs);
    rs->alloc = a;
    rs->opt = *opt;
    (void)asff_arena_new(a, &rs->arena, NULL);
    rs->rules = rs->arena ? asff_arena_alloc(rs->arena, (n + 1) * sizeof *rs->rules) : NULL;
    if (!rs->rules) {
        asff__json_free(root, a);
        asff_rules_free(rs);
        return asff__filter_fail(err, ASFF_ERR_NOMEM, "", "out of memory");
    }
    if (opt->has_now) {
        /* Note.UpdatedAt of notes the rules write: now, canonical UTC with milliseconds */
        int64_t t = opt->now_seconds, days = t / 86400, sod = t % 86400, y, era, doe, yoe, doy, mp;
        unsigned m, d;
        if (sod < 0)
            sod += 86400, days--;
        days += 719468;
        era = (days >= 0 ? days : days - 146096) / 146097;
        doe = days - era * 146097;
        yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        y = yoe + era * 400;
        doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        mp = (5 * doy + 2) / 153;
        d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
        m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
        y += m <= 2;
        snprintf(rs->now_text, sizeof rs->now_text, "%04lld-%02u-%02uT%02d:%02d:%02d.000Z", (long long)y, m, d,
                 (int)(sod / 3600), (int)(sod / 60 % 60), (int)(sod % 60));
    }
    pc.rs = rs;
    pc.err = err;
    st = ASFF_OK;
    for (i = 0; i < n && st == ASFF_OK; i++) {
        yajl_val o = is_array ? list->u.array.values[i] : list;
        if (is_array)
            snprintf(pc.path, sizeof pc.path, "%s/%zu", base, i);
        else
            snprintf(pc.path, sizeof pc.path, "%s", base);
        rs->rules[i].input_index = i;
        st = parse_rule(&pc, o, &rs->rules[i]);
        rs->n = i + 1;
        if (st == ASFF_OK)
            st = check_action(&pc, &rs->rules[i].act);
    }
    asff__json_free(root, a);
    if (st) {
        asff_rules_free(rs);
        return st;
    }
    qsort(rs->rules, rs->n, sizeof *rs->rules, rule_cmp);
    /* AR-7 orders equal RuleOrder values by UpdatedAt, then (library) by RuleArn: two rules that
     * neither tells apart would run in input order, which the service does not promise */
    for (i = 1; i < rs->n; i++)
        if (rule_cmp_key(&rs->rules[i - 1], &rs->rules[i]) == 0) {
            char p[ASFF_ERROR_PATH_SIZE];
            const rule *r = rs->rules[i - 1].input_index > rs->rules[i].input_index ? &rs->rules[i - 1] : &rs->rules[i];
            long long order = (long long)r->order;
            if (is_array)
                snprintf(p, sizeof p, "%s/%zu/RuleOrder", base, r->input_index);
            else
                snprintf(p, sizeof p, "%s/RuleOrder", base);
            asff_rules_free(rs);
            return asff__filter_fail(err, ASFF_ERR_FILTER, p,
                               "duplicate RuleOrder %lld: rules with the same order need different UpdatedAt or "
                               "RuleArn values (AR-7)", order);
        }
    *out = rs;
    if (err)
        asff_error_clear(err);
    return ASFF_OK;
}

size_t asff_rules_count(const asff_rules *rs)
{
    return rs ? rs->n : 0;
}

const char *asff_rules_name(const asff_rules *rs, size_t i)
{
    return rs && i < rs->n ? rs->rules[i].name : NULL;
}

const char *asff_rules_arn(const asff_rules *rs, size_t i)
{
    return rs && i < rs->n ? rs->rules[i].arn : NULL;
}

void asff_rules_free(asff_rules *rs)
{
    size_t i;
    if (!rs)
        return;
    for (i = 0; rs->rules && i < rs->n; i++)
        asff_filter_free(rs->rules[i].criteria);
    asff_arena_free(rs->arena);
    asff__free(rs->alloc, rs);
}

#define NOMEM_IF(x)                                                                                                 \
    do {                                                                                                            \
        if (!(x))                                                                                                   \
            return ASFF_ERR_NOMEM;                                                                                  \
    } while (0)

static asff_status apply(const asff_rules *rs, const raction *a, asff_AwsSecurityFinding *f)
{
    size_t i;
    if (a->note_text) {
        asff_Note *n = ASFF_NEW(f, Note);
        NOMEM_IF(n);
        NOMEM_IF(n->Text = asff_strdup(f, a->note_text));
        NOMEM_IF(n->UpdatedBy = asff_strdup(f, a->note_by));
        if (rs->now_text[0])
            NOMEM_IF(n->UpdatedAt = asff_strdup(f, rs->now_text));
        f->Note = n;
    }
    if (a->has_sev) {
        if (!f->Severity)
            NOMEM_IF(f->Severity = ASFF_NEW(f, Severity));
        if (a->sev_label) {
            f->Severity->Label = (char *)a->sev_label; /* static storage */
            if (!a->has_norm && f->Severity->Normalized) /* keep a stored Normalized consistent */
                NOMEM_IF(f->Severity->Normalized = asff_int_new(f, norm_of(a->sev_label)));
        }
        if (a->has_norm) {
            NOMEM_IF(f->Severity->Normalized = asff_int_new(f, a->sev_norm));
            if (!a->sev_label)
                f->Severity->Label = (char *)label_of(a->sev_norm);
        }
        if (a->has_prod)
            NOMEM_IF(f->Severity->Product = asff_double_new(f, a->sev_prod));
    }
    if (a->verification)
        f->VerificationState = (char *)a->verification;
    if (a->has_conf)
        NOMEM_IF(f->Confidence = asff_int_new(f, a->conf));
    if (a->has_crit)
        NOMEM_IF(f->Criticality = asff_int_new(f, a->crit));
    if (a->has_types) {
        /* AR-16: replace */
        f->Types.items = NULL;
        f->Types.count = f->Types.capacity = 0;
        for (i = 0; i < a->ntypes; i++)
            if (asff_list_append_string(f, "Types", a->types[i]) != ASFF_OK)
                return ASFF_ERR_NOMEM;
        if (!a->ntypes)
            NOMEM_IF(f->Types.items = asff_arena_alloc(asff_object_arena(f), sizeof(char *)));
    }
    if (a->has_udf) {
        f->UserDefinedFields.keys = f->UserDefinedFields.values = NULL;
        f->UserDefinedFields.count = f->UserDefinedFields.capacity = 0;
        for (i = 0; i < a->nudf; i++)
            if (asff_map_set(f, "UserDefinedFields", a->udf_keys[i], a->udf_values[i]) != ASFF_OK)
                return ASFF_ERR_NOMEM;
        if (!a->nudf) {
            NOMEM_IF(f->UserDefinedFields.keys = asff_arena_alloc(asff_object_arena(f), sizeof(char *)));
            NOMEM_IF(f->UserDefinedFields.values = asff_arena_alloc(asff_object_arena(f), sizeof(char *)));
        }
    }
    if (a->workflow) {
        if (!f->Workflow)
            NOMEM_IF(f->Workflow = ASFF_NEW(f, Workflow));
        f->Workflow->Status = (char *)a->workflow;
    }
    if (a->has_related) {
        f->RelatedFindings.items = NULL;
        f->RelatedFindings.count = f->RelatedFindings.capacity = 0;
        for (i = 0; i < a->nrel; i++) {
            asff_RelatedFinding *r = asff_list_append_object(f, "RelatedFindings");
            NOMEM_IF(r);
            NOMEM_IF(r->ProductArn = asff_strdup(f, a->rel_arn[i]));
            NOMEM_IF(r->Id = asff_strdup(f, a->rel_id[i]));
        }
        if (!a->nrel)
            NOMEM_IF(f->RelatedFindings.items = asff_arena_alloc(asff_object_arena(f), sizeof(void *)));
    }
    return ASFF_OK;
}

asff_status asff_rules_apply(const asff_rules *rs, asff_AwsSecurityFinding *finding, asff_rule_fired_fn fn, void *ctx, size_t *fired,
                             asff_error *err)
{
    asff_AwsSecurityFinding *f = finding;
    size_t i, nf = 0, nmatch = 0;
    size_t stack_idx[64];
    size_t *matched = stack_idx;
    asff_status st = ASFF_OK;
    if (fired)
        *fired = 0;
    if (!rs || !f || asff_object_type(f) != asff_type_get(ASFF_TID_AwsSecurityFinding))
        return asff__filter_fail(err, ASFF_ERR_INVALID_ARG, "", "rules or finding is NULL or not a finding");
    if (rs->opt.not_chained) {
        /* AR-11 off: decide every match on the finding as it arrived, then apply */
        if (rs->n > 64 && !(matched = asff__malloc(rs->alloc, rs->n * sizeof *matched)))
            return asff__filter_fail(err, ASFF_ERR_NOMEM, "", "out of memory");
        for (i = 0; i < rs->n; i++) {
            const rule *r = &rs->rules[i];
            if (!r->enabled || !asff_filter_match(r->criteria, f))
                continue;
            matched[nmatch++] = i;
            if (r->terminal)
                break;
        }
        for (i = 0; i < nmatch && st == ASFF_OK; i++) {
            st = apply(rs, &rs->rules[matched[i]].act, f);
            if (st == ASFF_OK && fn)
                fn(ctx, matched[i], rs->rules[matched[i]].name);
            nf += st == ASFF_OK;
        }
        if (matched != stack_idx)
            asff__free(rs->alloc, matched);
    } else {
        for (i = 0; i < rs->n && st == ASFF_OK; i++) {
            const rule *r = &rs->rules[i];
            if (!r->enabled || !asff_filter_match(r->criteria, f))
                continue;
            st = apply(rs, &r->act, f);
            if (st != ASFF_OK)
                break;
            nf++;
            if (fn)
                fn(ctx, i, r->name);
            if (r->terminal) /* AR-9 */
                break;
        }
    }
    if (fired)
        *fired = nf;
    if (st)
        return asff__filter_fail(err, st, "", "out of memory while applying rules");
    return ASFF_OK;
}
