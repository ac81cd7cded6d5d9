/*
 * asff_normalize: canonical form. Every step only rewrites a value when the result is valid for
 * that member, so normalizing never adds an error, and every step is a fixed point of itself, so a
 * second call changes nothing (tests/test_validate.c checks both over generated findings).
 */
#include <stdio.h>
#include <string.h>
#include "vinternal.h"

typedef struct nwalk {
    asff_report *r;
    const asff_normalize_options *o;
    void *root;
    asff_buf *ptr, *spath;      /* the report's scratch buffers, or local ones */
    asff_buf own_ptr, own_spath;
    asff_status st;
} nwalk;

static void fail(nwalk *w, asff_status st)
{
    if (w->st == ASFF_OK)
        w->st = st;
}

static size_t push(nwalk *w, const char *name, bool schema, size_t *smark)
{
    size_t m = w->ptr->len;
    *smark = w->spath->len;
    if (asff__buf_pointer_token(w->ptr, name, strlen(name)) != ASFF_OK)
        fail(w, ASFF_ERR_NOMEM);
    if (schema && ((w->spath->len && asff__buf_putc(w->spath, '.') != ASFF_OK) ||
                   asff__buf_append(w->spath, name, strlen(name)) != ASFF_OK))
        fail(w, ASFF_ERR_NOMEM);
    return m;
}

static void pop(nwalk *w, size_t m, size_t sm)
{
    if (w->ptr->data && m <= w->ptr->len) {
        w->ptr->len = m;
        w->ptr->data[m] = '\0';
    }
    if (w->spath->data && sm <= w->spath->len) {
        w->spath->len = sm;
        w->spath->data[sm] = '\0';
    }
}

static const char *cur_path(nwalk *w)
{
    return w->ptr->data ? w->ptr->data : "";
}

static void change(nwalk *w, const char *rule, const char *path, const char *old_value, const char *new_value)
{
    asff_status st;
    if (!w->r)
        return;
    st = asff__vr_change(w->r, rule, path, old_value, new_value, w->o->index);
    if (st != ASFF_OK)
        fail(w, st);
}

/* ---- truncation (on request) -------------------------------------------------------------- */

/* The cut version of s for a limit of max code points (0 = none) and 32767 bytes, or NULL when s
 * fits or no valid cut exists. types: a Types entry, where a cut must not leave a trailing '/'. */
static char *cut(nwalk *w, const char *s, int64_t max, bool types)
{
    size_t len = strlen(s), n = len;
    char *out;
    if (max > 0 && len > (size_t)max)
        n = asff__v_prefix_codepoints(s, len, (size_t)max);
    n = asff__v_prefix_bytes(s, n, V_MAX_STRING_BYTES);
    if (n == len)
        return NULL;
    if (types)
        while (n > 0 && s[n - 1] == '/')
            n--;
    if (n == 0 || !asff__v_has_nonspace(s, n))
        return NULL;  /* a blank cut would break REQ-7: keep the value, validation reports it */
    out = asff_strndup(w->root, s, n);
    if (!out)
        fail(w, ASFF_ERR_NOMEM);
    return out;
}

static void truncated(nwalk *w, const char *old_value, const char *new_value, const char *ref)
{
    char lim[24], act[24];
    asff_status st;
    change(w, "normalize.truncate", cur_path(w), old_value, new_value);
    if (!w->r || w->st != ASFF_OK)
        return;
    snprintf(lim, sizeof lim, "%zu", asff__v_codepoints(new_value, strlen(new_value)));
    snprintf(act, sizeof act, "%zu", asff__v_codepoints(old_value, strlen(old_value)));
    st = asff__vr_add(w->r, ASFF_LEVEL_WARNING, "truncated", w->spath->len ? w->spath->data : NULL, NULL, ref, cur_path(w),
                lim, act, w->o->index, "value cut from %s to %s characters", act, lim);
    if (st != ASFF_OK)
        fail(w, st);
}

/* ---- timestamps --------------------------------------------------------------------------- */

static char *canonical_ts(nwalk *w, const char *s)
{
    int64_t ms;
    char buf[25];
    char *out;
    if (asff_timestamp_to_ms(s, strlen(s), &ms) != ASFF_OK || asff_timestamp_from_ms(ms, buf) != ASFF_OK)
        return NULL;
    if (strcmp(buf, s) == 0)
        return NULL;
    out = asff_strdup(w->root, buf);
    if (!out)
        fail(w, ASFF_ERR_NOMEM);
    return out;
}

/* ---- the walk ----------------------------------------------------------------------------- */

/* Members whose value names something (identity, ids, enums): never cut. */
static bool never_cut(const asff_member *m, const v_rule *const *rs, size_t nrs, unsigned tid)
{
    size_t i;
    if (m->enumeration)
        return true;
    if (tid == ASFF_TID_AwsSecurityFinding && (strcmp(m->name, "Id") == 0 || strcmp(m->name, "GeneratorId") == 0))
        return true;
    for (i = 0; i < nrs; i++)
        if (rs[i]->check == V_ARN || rs[i]->check == V_ACCOUNT || rs[i]->check == V_SCHEMA || rs[i]->check == V_TS)
            return true;
    return false;
}

static void norm_object(nwalk *w, void *obj, unsigned depth);

static void norm_string_slot(nwalk *w, char **slot, const asff_member *m, const v_rule *const *rs, size_t nrs,
                             unsigned tid, int64_t maxlen, bool types, bool ts)
{
    char *s = *slot, *n;
    if (w->o->truncate && !never_cut(m, rs, nrs, tid) && (n = cut(w, s, maxlen, types)) != NULL) {
        const char *ref = "SZ-3";
        size_t i;
        for (i = 0; i < nrs; i++)
            if (rs[i]->check == V_LEN || rs[i]->check == V_VALLEN)
                ref = rs[i]->ref;
        *slot = n;
        truncated(w, s, n, ref);
        s = n;
    }
    if (ts && !w->o->skip_timestamps && (n = canonical_ts(w, s)) != NULL) {
        *slot = n;
        change(w, "normalize.timestamp", cur_path(w), s, n);
    }
}

static void norm_member(nwalk *w, void *obj, const asff_member *m, const v_rule *const *rs, size_t nrs,
                        unsigned tid, unsigned depth)
{
    void *slot = asff_member_slot(obj, m);
    int64_t maxlen = 0, vallen = 0;
    bool ts = (m->flags & ASFF_MF_TIMESTAMP) != 0, types = false;
    size_t i;
    for (i = 0; i < nrs; i++) {
        if (rs[i]->check == V_LEN)
            maxlen = rs[i]->max;
        else if (rs[i]->check == V_VALLEN)
            vallen = rs[i]->max;
        else if (rs[i]->check == V_TS)
            ts = true;
        else if (rs[i]->check == V_TYPES)
            types = true;
    }
    if (m->kind == ASFF_KIND_STRING && (m->flags & ASFF_MF_HAS_MAX) && (maxlen == 0 || m->max < maxlen))
        maxlen = m->max;
    switch ((asff_kind)m->kind) {
    case ASFF_KIND_STRING: {
        char *s;
        memcpy(&s, slot, sizeof s);
        norm_string_slot(w, &s, m, rs, nrs, tid, maxlen, false, ts);
        memcpy(slot, &s, sizeof s);
        break;
    }
    case ASFF_KIND_OBJECT: {
        void *child;
        memcpy(&child, slot, sizeof child);
        norm_object(w, child, depth + 1);
        break;
    }
    case ASFF_KIND_LIST: {
        asff_list l;
        memcpy(&l, slot, sizeof l);
        for (i = 0; i < l.count && w->st == ASFF_OK; i++) {
            size_t mk = w->ptr->len;
            if (!l.items[i])
                continue;
            if (asff__buf_appendf(w->ptr, "/%zu", i) != ASFF_OK) {
                fail(w, ASFF_ERR_NOMEM);
                break;
            }
            if (m->elem_kind == ASFF_KIND_STRING) {
                char *s = l.items[i];
                norm_string_slot(w, &s, m, rs, nrs, tid, 0, types, false);
                l.items[i] = s;
            } else if (m->elem_kind == ASFF_KIND_OBJECT) {
                norm_object(w, l.items[i], depth + 1);
            }
            w->ptr->len = mk;
            w->ptr->data[mk] = '\0';
        }
        break;
    }
    case ASFF_KIND_MAP: {
        asff_map mp;
        memcpy(&mp, slot, sizeof mp);
        for (i = 0; i < mp.count && w->st == ASFF_OK; i++) {
            size_t sm, mk;
            if (!mp.values[i])
                continue;
            mk = push(w, mp.keys[i], false, &sm);
            if (m->elem_kind == ASFF_KIND_STRING) {
                char *s = mp.values[i];
                norm_string_slot(w, &s, m, rs, nrs, tid, vallen, false, false);
                mp.values[i] = s;
            } else if (m->elem_kind == ASFF_KIND_OBJECT) {
                norm_object(w, mp.values[i], depth + 1);
            }
            pop(w, mk, sm);
        }
        break;
    }
    default:
        break;
    }
}

static void norm_object(nwalk *w, void *obj, unsigned depth)
{
    const asff_type *t = asff_object_type(obj);
    const v_rule *rules;
    size_t nrules, i = 0, k;
    if (!t || depth > 200 || w->st != ASFF_OK)
        return;
    rules = asff__v_rules_of(t->id, &nrules);
    for (k = 0; k < t->nmembers && w->st == ASFF_OK; k++) {
        const asff_member *m = &t->members[k];
        const v_rule *mrs[16];
        size_t nm = 0, mk, sm;
        while (i < nrules && rules[i].offset < m->offset)
            i++;
        while (i + nm < nrules && rules[i + nm].offset == m->offset && nm < 16) {
            mrs[nm] = &rules[i + nm];
            nm++;
        }
        if (!asff_member_present(obj, m))
            continue;
        mk = push(w, m->name, true, &sm);
        norm_member(w, obj, m, mrs, nm, t->id, depth);
        pop(w, mk, sm);
    }
}

/* ---- finding-level steps ------------------------------------------------------------------ */

/* TY-7: drop repeated entries, keeping the first of each. */
static void dedupe(nwalk *w, void *list_slot, const char *path)
{
    asff_list l;
    size_t i, j, out = 0;
    memcpy(&l, list_slot, sizeof l);
    for (i = 0; i < l.count; i++) {
        bool dup = false;
        for (j = 0; j < out && l.items[i]; j++)
            if (l.items[j] && strcmp(l.items[j], l.items[i]) == 0) {
                dup = true;
                break;
            }
        if (dup) {
            char p[96];
            snprintf(p, sizeof p, "%s/%zu", path, i);
            change(w, "normalize.dedupe_types", p, l.items[i], NULL);
            continue;
        }
        l.items[out++] = l.items[i];
    }
    l.count = out;
    memcpy(list_slot, &l, sizeof l);
}

static const char *aws_product_name(const char *id, size_t len)
{
    static const char *const map[][2] = {
        {"guardduty", "GuardDuty"},   {"inspector", "Inspector"},
        {"macie", "Macie"},           {"securityhub", "Security Hub"},
        {"config", "Config"},         {"access-analyzer", "IAM Access Analyzer"},
        {"firewall-manager", "Firewall Manager"}, {"health", "Health"}};
    size_t i;
    for (i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strlen(map[i][0]) == len && memcmp(map[i][0], id, len) == 0)
            return map[i][1];
    return NULL;
}

/* Set *slot to name (len bytes) when it is a valid value of limit max code points. */
static void derive(nwalk *w, char **slot, const char *name, size_t len, size_t max, const char *path)
{
    if (*slot || len == 0 || len > V_MAX_STRING_BYTES || !asff__v_has_nonspace(name, len) || asff__v_codepoints(name, len) > max)
        return;
    *slot = asff_strndup(w->root, name, len);
    if (!*slot) {
        fail(w, ASFF_ERR_NOMEM);
        return;
    }
    change(w, "normalize.derive", path, NULL, *slot);
}

asff_status asff_normalize(asff_AwsSecurityFinding *f, const asff_normalize_options *options, asff_report *r)
{
    static const asff_normalize_options defaults = ASFF_NORMALIZE_OPTIONS_INIT;
    nwalk w;
    if (!f || asff_object_type(f) != asff_type_get(ASFF_TID_AwsSecurityFinding))
        return ASFF_ERR_INVALID_ARG;
    if (options && (options->version && options->version != ASFF_NORMALIZE_OPTIONS_VERSION))
        return ASFF_ERR_INVALID_ARG;
    w.r = r;
    w.o = options ? options : &defaults;
    w.root = f;
    w.st = ASFF_OK;
    /* The report's scratch buffers when there is a report (no allocation once warm). */
    asff__buf_init(&w.own_ptr, asff__arena_allocator(asff_object_arena(f)));
    asff__buf_init(&w.own_spath, asff__arena_allocator(asff_object_arena(f)));
    w.ptr = r ? &r->ptr : &w.own_ptr;
    w.spath = r ? &r->spath : &w.own_spath;
    asff__buf_reset(w.ptr);
    asff__buf_reset(w.spath);

    if (w.o->truncate || !w.o->skip_timestamps)
        norm_object(&w, f, 0);

    if (w.st == ASFF_OK && !w.o->skip_schema_version && !f->SchemaVersion) {
        f->SchemaVersion = asff_strdup(f, "2018-10-08");
        if (!f->SchemaVersion)
            fail(&w, ASFF_ERR_NOMEM);
        else
            change(&w, "normalize.schema_version", "/SchemaVersion", NULL, f->SchemaVersion);
    }
    if (w.st == ASFF_OK && !w.o->skip_severity && f->Severity) {
        asff_Severity *s = f->Severity;
        if (!s->Label && s->Normalized && !s->Normalized->text && asff_severity_label(s->Normalized->value)) {
            s->Label = (char *)asff_severity_label(s->Normalized->value);  /* static, lives forever */
            change(&w, "normalize.severity_label", "/Severity/Label", NULL, s->Label);
        } else if (s->Label && !s->Normalized && asff_severity_normalized(s->Label) >= 0) {
            char buf[8];
            s->Normalized = asff_int_new(f, asff_severity_normalized(s->Label));
            if (!s->Normalized) {
                fail(&w, ASFF_ERR_NOMEM);
            } else {
                snprintf(buf, sizeof buf, "%d", asff_severity_normalized(s->Label));
                change(&w, "normalize.severity_normalized", "/Severity/Normalized", NULL, buf);
            }
        }
    }
    if (w.st == ASFF_OK && !w.o->skip_dedupe_types) {
        dedupe(&w, &f->Types, "/Types");
        if (f->FindingProviderFields)
            dedupe(&w, &f->FindingProviderFields->Types, "/FindingProviderFields/Types");
    }
    if (w.st == ASFF_OK && w.o->derive_product && f->ProductArn) {
        v_arn a;
        if (asff__v_parse_product_arn(f->ProductArn, &a)) {
            bool aws = a.company_len == 3 && memcmp(a.company, "aws", 3) == 0;
            const char *pn = aws ? aws_product_name(a.product, a.product_len) : NULL;
            derive(&w, &f->Region, a.region, a.region_len, 16, "/Region");
            if (aws)
                derive(&w, &f->CompanyName, "AWS", 3, 128, "/CompanyName");
            else
                derive(&w, &f->CompanyName, a.company, a.company_len, 128, "/CompanyName");
            if (pn)
                derive(&w, &f->ProductName, pn, strlen(pn), 128, "/ProductName");
            else
                derive(&w, &f->ProductName, a.product, a.product_len, 128, "/ProductName");
        }
    }
    asff__buf_reset(w.ptr);
    asff__buf_reset(w.spath);
    asff__buf_cleanup(&w.own_ptr);
    asff__buf_cleanup(&w.own_spath);
    return w.st;
}
