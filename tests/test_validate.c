/* Tests of lib/validate: the rule table (tests/data/validate/cases.tsv), the report, timestamps,
 * severity, normalization (idempotence over 10,000 generated findings), batches, the real corpus. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <yajl/yajl_tree.h>
#include "asff/asff.h"
#include "validate/vinternal.h"
#include "support.h"

#define SLEN(s) (s), strlen(s)

/* ---- the base finding: valid, no warnings ---------------------------------------------------- */

static asff_AwsSecurityFinding *base_finding(void)
{
    asff_AwsSecurityFinding *f = ASFF_NEW_ROOT(AwsSecurityFinding, NULL);
    asff_Resource *r;
    assert_non_null(f);
    f->SchemaVersion = "2018-10-08";
    f->Id = "finding-1";
    f->ProductArn = "arn:aws:securityhub:us-east-1:123456789012:product/123456789012/default";
    f->GeneratorId = "gen-1";
    f->AwsAccountId = "123456789012";
    assert_int_equal(asff_list_append_string(f, "Types", "Software and Configuration Checks/Vulnerabilities/CVE"),
                     ASFF_OK);
    f->CreatedAt = "2024-01-02T03:04:05.000Z";
    f->UpdatedAt = "2024-01-02T03:04:05.000Z";
    f->Severity = ASFF_NEW(f, Severity);
    f->Severity->Label = "HIGH";
    f->Severity->Normalized = asff_int_new(f, 70);
    f->Title = "EC2 instance has a public IP";
    f->Description = "Instance i-1 is reachable from the internet";
    r = asff_list_append_object(f, "Resources");
    assert_non_null(r);
    r->Type = "AwsEc2Instance";
    r->Id = "arn:aws:ec2:us-east-1:123456789012:instance/i-1";
    r->Partition = "aws";
    r->Region = "us-east-1";
    assert_int_equal(asff_map_set(r, "Tags", "env", "prod"), ASFF_OK);
    return f;
}

/* ---- mutations: /json/pointer=value on a built finding --------------------------------------- */

static char *decode_value(void *obj, const char *v)
{
    if (v[0] == 'R' && v[1] >= '0' && v[1] <= '9' && strchr(v, ':')) {
        char *end;
        long n = strtol(v + 1, &end, 10);
        if (*end == ':') {
            const char *chunk = end + 1;
            size_t cl = strlen(chunk), i;
            char *out = asff_arena_alloc(asff_object_arena(obj), cl * (size_t)n + 1);
            assert_non_null(out);
            for (i = 0; i < (size_t)n; i++)
                memcpy(out + i * cl, chunk, cl);
            out[cl * (size_t)n] = '\0';
            return out;
        }
    }
    return asff_strdup(obj, v);
}

static void make_present_empty(void *obj, const asff_member *m)
{
    void *slot = asff_member_slot(obj, m);
    void *one = asff_arena_alloc(asff_object_arena(obj), sizeof(void *));
    if (m->kind == ASFF_KIND_LIST) {
        asff_list l = {NULL, 0, 0};
        l.items = one;
        l.capacity = 1;
        memcpy(slot, &l, sizeof l);
    } else {
        asff_map mp = {NULL, NULL, 0, 0};
        mp.keys = one;
        mp.values = asff_arena_alloc(asff_object_arena(obj), sizeof(void *));
        mp.capacity = 1;
        memcpy(slot, &mp, sizeof mp);
    }
}

static void set_member(void *obj, const asff_member *m, const char *val)
{
    if (strcmp(val, "-") == 0) {
        assert_int_equal(asff_unset(obj, m->name), ASFF_OK);
        return;
    }
    switch ((asff_kind)m->kind) {
    case ASFF_KIND_STRING: {
        char *s = decode_value(obj, val);
        memcpy(asff_member_slot(obj, m), &s, sizeof s);
        break;
    }
    case ASFF_KIND_INT:
        if (strncmp(val, "big:", 4) == 0) {
            asff_int *v = asff_int_new(obj, INT64_MAX);
            v->text = asff_strdup(obj, val + 4);
            memcpy(asff_member_slot(obj, m), &v, sizeof v);
        } else {
            assert_int_equal(asff_set_int(obj, m->name, strtoll(val, NULL, 10)), ASFF_OK);
        }
        break;
    case ASFF_KIND_DOUBLE:
        assert_int_equal(asff_set_double(obj, m->name, strtod(val, NULL)), ASFF_OK);
        break;
    case ASFF_KIND_BOOL:
        assert_int_equal(asff_set_bool(obj, m->name, strcmp(val, "true") == 0), ASFF_OK);
        break;
    case ASFF_KIND_OBJECT:
        assert_string_equal(val, "{}");
        assert_non_null(asff_get_object(obj, m->name, true));
        break;
    case ASFF_KIND_LIST:
    case ASFF_KIND_MAP:
        assert_string_equal(val, "[]");
        make_present_empty(obj, m);
        break;
    default:
        fail_msg("cannot set %s", m->name);
    }
}

/* Substitute {i} and {i+1}. */
static void subst(char *out, size_t size, const char *in, int i)
{
    size_t n = 0;
    while (*in && n + 16 < size) {
        if (strncmp(in, "{i}", 3) == 0) {
            n += (size_t)snprintf(out + n, size - n, "%d", i);
            in += 3;
        } else if (strncmp(in, "{i+1}", 5) == 0) {
            n += (size_t)snprintf(out + n, size - n, "%d", i + 1);
            in += 5;
        } else {
            out[n++] = *in++;
        }
    }
    out[n] = '\0';
}

static void apply_one(asff_AwsSecurityFinding *f, const char *spec)
{
    char buf[1024], *tokens[32], *val, *p;
    size_t ntok = 0, i;
    void *obj = f;
    bool extra = spec[0] == '!';
    assert_true(strlen(spec) < sizeof buf);
    strcpy(buf, spec + (extra ? 1 : 0));
    val = strchr(buf, '=');
    assert_non_null(val);
    *val++ = '\0';
    assert_true(buf[0] == '/');
    for (p = buf + 1; p; ) {
        char *slash = strchr(p, '/');
        if (slash)
            *slash = '\0';
        tokens[ntok++] = p;
        p = slash ? slash + 1 : NULL;
    }
    for (i = 0; i < ntok; i++) {
        const asff_type *t = asff_object_type(obj);
        const asff_member *m = asff_member_find(t, tokens[i], strlen(tokens[i]));
        bool last = i + 1 == ntok;
        if (extra && last) {
            if (m)
                asff_unset(obj, tokens[i]);
            assert_int_equal(asff_extra_set(obj, tokens[i], val), ASFF_OK);
            return;
        }
        if (!m)
            fail_msg("no member %s in %s (%s)", tokens[i], t->name, spec);
        if (last) {
            set_member(obj, m, val);
            return;
        }
        if (m->kind == ASFF_KIND_OBJECT) {
            obj = asff_get_object(obj, m->name, true);
        } else if (m->kind == ASFF_KIND_LIST) {
            asff_list l;
            const char *ix = tokens[++i];
            void *slot = asff_member_slot(obj, m);
            memcpy(&l, slot, sizeof l);
            if (m->elem_kind == ASFF_KIND_STRING) {
                char *s = decode_value(obj, val);
                if (strcmp(ix, "-") == 0 || (size_t)atol(ix) >= l.count)
                    assert_int_equal(asff_list_push(obj, slot, s), ASFF_OK);
                else
                    l.items[atol(ix)] = s;
                return;
            }
            while (l.count <= (size_t)atol(ix)) {
                assert_non_null(asff_list_append_object(obj, m->name));
                memcpy(&l, slot, sizeof l);
            }
            obj = l.items[atol(ix)];
            if (i + 1 == ntok)
                return;
        } else if (m->kind == ASFF_KIND_MAP) {
            const char *key = tokens[++i];
            if (m->elem_kind == ASFF_KIND_STRING) {
                char *k = asff_strdup(obj, key), *v = decode_value(obj, val);
                assert_int_equal(asff_map_push(obj, asff_member_slot(obj, m), k, v), ASFF_OK);
                return;
            }
            obj = asff_map_get_object(obj, m->name, key, true);
        } else {
            fail_msg("cannot descend into %s", m->name);
        }
        assert_non_null(obj);
    }
}

static void apply(asff_AwsSecurityFinding *f, const char *spec)
{
    int n = 1, i;
    char one[1024];
    const char *sp = strchr(spec, ' ');
    if (spec[0] >= '0' && spec[0] <= '9' && sp && sp[-1] == 'x') {
        n = atoi(spec);
        spec = sp + 1;
    }
    for (i = 0; i < n; i++) {
        subst(one, sizeof one, spec, i);
        apply_one(f, one);
    }
}

/* ---- the case table --------------------------------------------------------------------------- */

typedef struct vcase {
    int line;
    bool fail;
    asff_level level;
    char *rule, *path, *opts;
    char *muts[64];
    int nmuts;
} vcase;

static char *unescape(char *s)
{
    char *r = s, *w = s;
    while (*r) {
        if (r[0] == '\\' && r[1] == 't') {
            *w++ = '\t';
            r += 2;
        } else if (r[0] == '\\' && r[1] == 'n') {
            *w++ = '\n';
            r += 2;
        } else {
            *w++ = *r++;
        }
    }
    *w = '\0';
    return s;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    char *data;
    long n;
    if (!fp)
        return NULL;
    fseek(fp, 0, SEEK_END);
    n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    data = malloc((size_t)n + 1);
    if (data && fread(data, 1, (size_t)n, fp) != (size_t)n) {
        free(data);
        data = NULL;
    }
    fclose(fp);
    if (data) {
        data[n] = '\0';
        if (len)
            *len = (size_t)n;
    }
    return data;
}

static vcase *load_cases(char **text, size_t *count)
{
    size_t cap = 512, n = 0;
    vcase *cs = calloc(cap, sizeof *cs);
    char *line, *save = NULL;
    int lineno = 0;
    *text = slurp(ASFF_TEST_DATA "/validate/cases.tsv", NULL);
    assert_non_null(*text);
    assert_non_null(cs);
    for (line = strtok_r(*text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *cols[72], *p, *tab;
        int nc = 0, i;
        vcase *c;
        lineno++;
        if (line[0] == '#' || line[0] == '\0')
            continue;
        for (p = line; p && nc < 72; p = tab ? tab + 1 : NULL) {
            tab = strchr(p, '\t');
            if (tab)
                *tab = '\0';
            cols[nc++] = unescape(p);
        }
        assert_true(nc >= 5);
        assert_true(n < cap);
        c = &cs[n++];
        c->line = lineno;
        c->fail = strcmp(cols[0], "fail") == 0;
        c->level = strcmp(cols[1], "warning") == 0 ? ASFF_LEVEL_WARNING : ASFF_LEVEL_ERROR;
        c->rule = cols[2];
        c->path = cols[3];
        c->opts = cols[4];
        for (i = 5; i < nc; i++)
            c->muts[c->nmuts++] = cols[i];
    }
    *count = n;
    return cs;
}

static void print_report(const asff_report *r)
{
    size_t i;
    for (i = 0; i < asff_report_count(r); i++) {
        const asff_violation *v = asff_report_get(r, i);
        printf("    %s %s %s: %s [limit %s, actual %.40s]\n", asff_level_name(v->level), v->rule, v->path, v->message,
               v->limit ? v->limit : "-", v->actual ? v->actual : "-");
    }
}

static void test_case_table(void **state)
{
    char *text;
    size_t n, i, j, failures = 0, nfail = 0;
    vcase *cs = load_cases(&text, &n);
    asff_report *r = NULL;
    (void)asff_report_new(NULL, &r, NULL);
    (void)state;
    assert_non_null(r);
    assert_true(n >= 150);
    for (i = 0; i < n; i++) {
        const vcase *c = &cs[i];
        asff_AwsSecurityFinding *f = base_finding();
        asff_validate_options o = ASFF_VALIDATE_OPTIONS_INIT;
        const asff_violation *v;
        int k;
        bool ok;
        o.strict_taxonomy = strstr(c->opts, "strict") != NULL;
        o.skip_service_owned = strstr(c->opts, "skip_service_owned") != NULL;
        for (k = 0; k < c->nmuts; k++)
            apply(f, c->muts[k]);
        asff_report_clear(r);
        (void)asff_validate(f, &o, r);
        if (c->fail) {
            v = asff_report_find(r, c->rule, c->path);
            ok = v && v->level == c->level && v->message[0] && v->ref;
            nfail++;
        } else {
            ok = asff_report_find(r, c->rule, NULL) == NULL && asff_report_errors(r) == 0;
        }
        /* one violation is reported once (a member with a model flag and a rule for the same check
         * was once reported twice) */
        for (j = 0; ok && j < asff_report_count(r); j++) {
            size_t k2;
            const asff_violation *a = asff_report_get(r, j);
            for (k2 = j + 1; ok && k2 < asff_report_count(r); k2++) {
                const asff_violation *b = asff_report_get(r, k2);
                ok = !(strcmp(a->rule, b->rule) == 0 && strcmp(a->path, b->path) == 0);
            }
        }
        if (!ok) {
            failures++;
            printf("cases.tsv line %d: %s %s %s: got\n", c->line, c->fail ? "fail" : "pass", c->rule, c->path);
            print_report(r);
        }
        asff_object_free(f);
    }
    /* Every rule has a failing and a passing case. */
    for (i = 0; i < n; i++) {
        bool other = false;
        for (j = 0; j < n && !other; j++)
            other = strcmp(cs[i].rule, cs[j].rule) == 0 && cs[i].fail != cs[j].fail;
        if (!other) {
            failures++;
            printf("cases.tsv line %d: rule %s has no %s case\n", cs[i].line, cs[i].rule, cs[i].fail ? "pass" : "fail");
        }
    }
    printf("%zu cases (%zu failing, %zu passing), %zu mismatches\n", n, nfail, n - nfail, failures);
    asff_report_free(r);
    free(cs);
    free(text);
    assert_int_equal(failures, 0);
}

/* rules.c is sorted by (type id, member offset), and every entry names a member of its type. */
static void test_rules_table(void **state)
{
    size_t i, n;
    (void)state;
    assert_true(asff__v_rule_count > 90);
    for (i = 0; i < asff__v_rule_count; i++) {
        const v_rule *r = &asff__v_rules[i];
        const asff_type *t = asff_type_get(r->tid);
        const asff_member *m;
        assert_non_null(t);
        m = asff_member_find(t, r->member, strlen(r->member));
        assert_non_null(m);
        assert_int_equal(m->offset, r->offset);
        assert_non_null(r->ref);
        if (i > 0)
            assert_true(asff__v_rules[i - 1].tid < r->tid ||
                        (asff__v_rules[i - 1].tid == r->tid && asff__v_rules[i - 1].offset <= r->offset));
    }
    assert_non_null(asff__v_rules_of(ASFF_TID_AwsSecurityFinding, &n));
    assert_true(n >= 30);
    assert_non_null(asff__v_rules_of(ASFF_TID_Malware, &n));
    assert_int_equal(n, 2);
    asff__v_rules_of(ASFF_TID_Workflow, &n);
    assert_int_equal(n, 0);
}

static void test_base_is_clean(void **state)
{
    asff_AwsSecurityFinding *f = base_finding();
    asff_report *r = NULL;
    (void)asff_report_new(NULL, &r, NULL);
    (void)state;
    assert_int_equal(asff_validate(f, NULL, r), ASFF_OK);
    print_report(r);
    assert_int_equal(asff_report_count(r), 0);
    asff_report_free(r);
    asff_object_free(f);
}

/* ---- report API and JSON ---------------------------------------------------------------------- */

static void test_report_json(void **state)
{
    asff_AwsSecurityFinding *f = base_finding();
    asff_report *r = NULL;
    (void)asff_report_new(NULL, &r, NULL);
    const char *json;
    size_t len;
    char errbuf[128];
    yajl_val root, vs, v0;
    const char *p_viol[] = {"violations", NULL}, *p_err[] = {"errors", NULL}, *p_rule[] = {"rule", NULL},
               *p_path[] = {"path", NULL}, *p_lim[] = {"limit", NULL}, *p_act[] = {"actual", NULL};
    (void)state;
    f->Title = "T\"itle/\xc3\xa9";
    apply(f, "/Severity/Label=HUGE");
    apply(f, "/Description=R1025:d");
    apply(f, "/ProductFields/a~b=x");
    assert_int_equal(asff_validate(f, NULL, r), ASFF_ERR_INVALID);
    assert_int_equal(asff_report_errors(r), 2);
    assert_int_equal(asff_report_warnings(r), 0);
    assert_non_null(asff_report_find(r, "enum.Severity.Label", "/Severity/Label"));
    assert_null(asff_report_find(r, "enum.Severity.Label", "/Title"));
    assert_null(asff_report_get(r, 2));
    assert_int_equal(asff_report_to_json(r, &json, &len), ASFF_OK);
    assert_int_equal(strlen(json), len);
    root = yajl_tree_parse(json, errbuf, sizeof errbuf);
    assert_non_null(root);
    assert_int_equal(YAJL_GET_INTEGER(yajl_tree_get(root, p_err, yajl_t_number)), 2);
    vs = yajl_tree_get(root, p_viol, yajl_t_array);
    assert_non_null(vs);
    assert_int_equal(YAJL_GET_ARRAY(vs)->len, 2);
    v0 = YAJL_GET_ARRAY(vs)->values[1]; /* model order: Severity comes before Description */
    assert_string_equal(YAJL_GET_STRING(yajl_tree_get(v0, p_rule, yajl_t_string)), "length.Description");
    assert_string_equal(YAJL_GET_STRING(yajl_tree_get(v0, p_path, yajl_t_string)), "/Description");
    assert_string_equal(YAJL_GET_STRING(yajl_tree_get(v0, p_lim, yajl_t_string)), "1024");
    assert_string_equal(YAJL_GET_STRING(yajl_tree_get(v0, p_act, yajl_t_string)), "1025");
    yajl_tree_free(root);
    /* clear keeps nothing */
    asff_report_clear(r);
    assert_int_equal(asff_report_count(r), 0);
    assert_int_equal(asff_report_to_json(r, &json, NULL), ASFF_OK);
    assert_string_equal(json, "{\"errors\":0,\"warnings\":0,\"advice\":0,\"violations\":[],\"changes\":[]}");
    assert_string_equal(asff_level_name(ASFF_LEVEL_ADVICE), "advice");
    assert_int_equal(asff_validate(NULL, NULL, r), ASFF_ERR_INVALID_ARG);
    assert_int_equal(asff_validate(f, NULL, NULL), ASFF_ERR_INVALID_ARG);
    asff_report_free(r);
    asff_object_free(f);
}

/* Map keys with '/' and '~' are escaped in paths (RFC 6901). */
static void test_pointer_escaping(void **state)
{
    asff_AwsSecurityFinding *f = base_finding();
    asff_report *r = NULL;
    (void)asff_report_new(NULL, &r, NULL);
    (void)state;
    assert_int_equal(asff_map_set(f, "ProductFields", "a/b~c", " "), ASFF_OK);
    (void)asff_validate(f, NULL, r);
    assert_non_null(asff_report_find(r, "nonempty.ProductFields.value", "/ProductFields/a~1b~0c"));
    asff_report_free(r);
    asff_object_free(f);
}

/* Validation allocates nothing per finding once the report is warm. */
static size_t g_allocs;
static void *count_malloc(void *ctx, size_t n)
{
    (void)ctx;
    g_allocs++;
    return malloc(n);
}
static void *count_realloc(void *ctx, void *p, size_t n)
{
    (void)ctx;
    g_allocs++;
    return realloc(p, n);
}
static void count_free(void *ctx, void *p)
{
    (void)ctx;
    free(p);
}

static void test_no_allocation_when_warm(void **state)
{
    asff_allocator a = {count_malloc, count_realloc, count_free, NULL};
    asff_report *r = NULL;
    (void)asff_report_new(&a, &r, NULL);
    asff_AwsSecurityFinding *f = base_finding();
    size_t before;
    int i;
    (void)state;
    apply(f, "/Title=R300:t");  /* one violation, so the report's strings are exercised */
    apply(f, "/Resources/0/Details/AwsEc2Instance/ImageId=ami-1");
    (void)asff_validate(f, NULL, r);
    asff_report_clear(r);
    (void)asff_validate(f, NULL, r);
    before = g_allocs;
    for (i = 0; i < 100; i++) {
        asff_report_clear(r);
        assert_int_equal(asff_validate(f, NULL, r), ASFF_ERR_INVALID);
    }
    assert_int_equal(g_allocs, before);
    asff_report_free(r);
    asff_object_free(f);
}

/* ---- timestamps and severity ------------------------------------------------------------------ */

static void ts_is(const char *in, const char *out)
{
    int64_t ms;
    char buf[25];
    assert_int_equal(asff_timestamp_to_ms(in, strlen(in), &ms), ASFF_OK);
    assert_int_equal(asff_timestamp_from_ms(ms, buf), ASFF_OK);
    assert_string_equal(buf, out);
}

static void test_timestamps(void **state)
{
    int64_t ms;
    char buf[25];
    (void)state;
    ts_is("1970-01-01T00:00:00Z", "1970-01-01T00:00:00.000Z");
    assert_int_equal(asff_timestamp_to_ms("1970-01-01T00:00:01.5Z", 22, &ms), ASFF_OK);
    assert_int_equal(ms, 1500);
    ts_is("2024-01-02T03:04:05.123456789Z", "2024-01-02T03:04:05.123Z");
    ts_is("2024-01-02T03:04:05.1235Z", "2024-01-02T03:04:05.124Z");       /* half up on the 4th digit */
    ts_is("2024-01-02T03:04:05.1234999Z", "2024-01-02T03:04:05.123Z");    /* only the 4th digit counts */
    ts_is("2024-12-31T23:59:59.9996Z", "2025-01-01T00:00:00.000Z");       /* carry into the next year */
    ts_is("2016-12-31T23:59:60Z", "2017-01-01T00:00:00.000Z");            /* TS-5 */
    ts_is("2024-01-02T03:04:05-05:00", "2024-01-02T08:04:05.000Z");
    ts_is("2024-01-02T03:04:05+0530", "2024-01-01T21:34:05.000Z");
    ts_is("2024-01-02T03:04:05+01", "2024-01-02T02:04:05.000Z");
    ts_is("2024-02-29T00:00:00+18:00", "2024-02-28T06:00:00.000Z");
    ts_is("1969-12-31T23:59:59.999Z", "1969-12-31T23:59:59.999Z");
    ts_is("0000-03-01T00:00:00Z", "0000-03-01T00:00:00.000Z");
    assert_int_equal(asff_timestamp_to_ms("2024-01-02T03:04:05", 19, &ms), ASFF_ERR_SYNTAX);
    assert_int_equal(asff_timestamp_to_ms("2100-02-29T00:00:00Z", 20, &ms), ASFF_ERR_RANGE);
    assert_int_equal(asff_timestamp_to_ms("0000-01-01T00:00:00+01:00", 25, &ms), ASFF_OK);
    assert_int_equal(asff_timestamp_from_ms(ms, buf), ASFF_ERR_RANGE);  /* year -1 */
    assert_int_equal(asff_timestamp_to_ms("9999-12-31T23:59:59.9999Z", 25, &ms), ASFF_OK);
    assert_int_equal(asff_timestamp_from_ms(ms, buf), ASFF_ERR_RANGE);  /* year 10000 */
    assert_int_equal(asff_timestamp_to_ms(NULL, 0, &ms), ASFF_ERR_SYNTAX);
}

static void test_severity_maps(void **state)
{
    (void)state;
    assert_string_equal(asff_severity_label(0), "INFORMATIONAL");
    assert_string_equal(asff_severity_label(1), "LOW");
    assert_string_equal(asff_severity_label(39), "LOW");
    assert_string_equal(asff_severity_label(40), "MEDIUM");
    assert_string_equal(asff_severity_label(69), "MEDIUM");
    assert_string_equal(asff_severity_label(70), "HIGH");
    assert_string_equal(asff_severity_label(89), "HIGH");
    assert_string_equal(asff_severity_label(90), "CRITICAL");
    assert_string_equal(asff_severity_label(100), "CRITICAL");
    assert_null(asff_severity_label(101));
    assert_null(asff_severity_label(-1));
    assert_int_equal(asff_severity_normalized("INFORMATIONAL"), 0);
    assert_int_equal(asff_severity_normalized("LOW"), 1);
    assert_int_equal(asff_severity_normalized("MEDIUM"), 40);
    assert_int_equal(asff_severity_normalized("HIGH"), 70);
    assert_int_equal(asff_severity_normalized("CRITICAL"), 90);
    assert_int_equal(asff_severity_normalized("low"), -1);
}

/* ---- normalize -------------------------------------------------------------------------------- */

static const asff_change *find_change(const asff_report *r, const char *rule, const char *path)
{
    size_t i;
    for (i = 0; i < asff_report_change_count(r); i++) {
        const asff_change *c = asff_report_change(r, i);
        if (strcmp(c->rule, rule) == 0 && strcmp(c->path, path) == 0)
            return c;
    }
    return NULL;
}

static void test_normalize_steps(void **state)
{
    asff_AwsSecurityFinding *f = base_finding();
    asff_report *r = NULL;
    (void)asff_report_new(NULL, &r, NULL);
    asff_normalize_options o = ASFF_NORMALIZE_OPTIONS_INIT;
    const asff_change *c;
    (void)state;
    f->SchemaVersion = NULL;
    f->CreatedAt = "2024-01-02T03:04:05.123456-05:00";
    f->UpdatedAt = "2024-01-02T09:04:05Z";
    f->Severity->Label = NULL;
    f->Severity->Normalized = asff_int_new(f, 45);
    apply(f, "/Types/-=Effects/Data Exposure");
    apply(f, "/Types/-=Software and Configuration Checks/Vulnerabilities/CVE");
    apply(f, "/Types/-=Effects/Data Exposure");
    apply(f, "/FindingProviderFields/Types/-=TTPs");
    apply(f, "/FindingProviderFields/Types/-=TTPs");
    apply(f, "/Note/UpdatedAt=2024-01-02T03:04:05+00:00");
    apply(f, "/Note/Text=n");
    apply(f, "/Note/UpdatedBy=me");
    apply(f, "/Description=R1030:\xc3\xa9");
    apply(f, "/Resources/0/Details/Other/k=R1100:o");
    apply(f, "/Resources/0/Id=R33000:i");
    apply(f, "/Title=R300:\xf0\x9f\x98\x80");
    o.truncate = true;
    o.derive_product = true;
    o.index = 7;
    assert_int_equal(asff_normalize(f, &o, r), ASFF_OK);
    assert_string_equal(f->SchemaVersion, "2018-10-08");
    assert_string_equal(f->CreatedAt, "2024-01-02T08:04:05.123Z");
    assert_string_equal(f->UpdatedAt, "2024-01-02T09:04:05.000Z");
    assert_string_equal(f->Note->UpdatedAt, "2024-01-02T03:04:05.000Z");
    assert_string_equal(f->Severity->Label, "MEDIUM");
    assert_int_equal(f->Types.count, 2);
    assert_string_equal(f->Types.items[1], "Effects/Data Exposure");
    assert_int_equal(f->FindingProviderFields->Types.count, 1);
    assert_string_equal(f->Region, "us-east-1");
    assert_string_equal(f->CompanyName, "123456789012");
    assert_string_equal(f->ProductName, "default");
    assert_int_equal(strlen(f->Description), 2048);  /* 1024 two-byte characters */
    assert_int_equal(strlen(f->Title), 1024);        /* 256 four-byte characters */
    assert_int_equal(strlen(f->Resources.items[0]->Id), 32767);
    c = find_change(r, "normalize.timestamp", "/CreatedAt");
    assert_non_null(c);
    assert_string_equal(c->old_value, "2024-01-02T03:04:05.123456-05:00");
    assert_string_equal(c->new_value, "2024-01-02T08:04:05.123Z");
    assert_int_equal(c->finding, 7);
    assert_non_null(find_change(r, "normalize.severity_label", "/Severity/Label"));
    assert_non_null(find_change(r, "normalize.schema_version", "/SchemaVersion"));
    assert_non_null(find_change(r, "normalize.dedupe_types", "/Types/3"));
    assert_non_null(find_change(r, "normalize.dedupe_types", "/FindingProviderFields/Types/1"));
    assert_non_null(find_change(r, "normalize.derive", "/Region"));
    assert_non_null(find_change(r, "normalize.truncate", "/Resources/0/Details/Other/k"));
    /* a warning per truncation */
    assert_non_null(asff_report_find(r, "truncated.Description", "/Description"));
    assert_non_null(asff_report_find(r, "truncated.Title", "/Title"));
    assert_non_null(asff_report_find(r, "truncated.Resources.Details.Other", "/Resources/0/Details/Other/k"));
    assert_non_null(asff_report_find(r, "truncated.Resources.Id", "/Resources/0/Id"));
    assert_int_equal(asff_report_warnings(r), 4);
    /* idempotent */
    asff_report_clear(r);
    assert_int_equal(asff_normalize(f, &o, r), ASFF_OK);
    assert_int_equal(asff_report_change_count(r), 0);
    assert_int_equal(asff_report_count(r), 0);
    /* and the result is valid apart from the service-owned members it derived */
    asff_report_clear(r);
    assert_int_equal(asff_validate(f, NULL, r), ASFF_OK);
    asff_report_free(r);
    asff_object_free(f);
}

static void test_normalize_defaults_and_aws_names(void **state)
{
    asff_AwsSecurityFinding *f = base_finding();
    asff_normalize_options o = ASFF_NORMALIZE_OPTIONS_INIT;
    asff_report *r = NULL;
    (void)asff_report_new(NULL, &r, NULL);
    (void)state;
    f->ProductArn = "arn:aws:securityhub:eu-west-1::product/aws/guardduty";
    f->Severity->Normalized = NULL;
    f->Description = "R1030";
    apply(f, "/Description=R1030:d");
    /* defaults: no derive, no truncation */
    assert_int_equal(asff_normalize(f, NULL, r), ASFF_OK);
    assert_null(f->Region);
    assert_int_equal(strlen(f->Description), 1030);
    assert_int_equal(f->Severity->Normalized->value, 70);
    assert_non_null(find_change(r, "normalize.severity_normalized", "/Severity/Normalized"));
    o.derive_product = true;
    assert_int_equal(asff_normalize(f, &o, NULL), ASFF_OK);
    assert_string_equal(f->Region, "eu-west-1");
    assert_string_equal(f->CompanyName, "AWS");
    assert_string_equal(f->ProductName, "GuardDuty");
    /* a Types cut never leaves a trailing '/' */
    asff_object_free(f);
    f = base_finding();
    apply(f, "/Types/0=R32766:a");
    f->Types.items[0][32767 - 1] = '\0';  /* 32766 bytes */
    {
        char *s = asff_arena_alloc(asff_object_arena(f), 32770);
        memset(s, 'a', 32769);
        s[32767] = '/';
        s[32766] = '/';
        s[32769] = '\0';
        f->Types.items[0] = s;
    }
    o.truncate = true;
    assert_int_equal(asff_normalize(f, &o, NULL), ASFF_OK);
    assert_int_equal(strlen(f->Types.items[0]), 32766);
    assert_int_equal(f->Types.items[0][32765], 'a');
    /* a cut that would leave only blanks is not made */
    apply(f, "/Note/Text=R600: ");
    f->Note->Text[599] = 'x';
    f->Note->UpdatedBy = "me";
    f->Note->UpdatedAt = "2024-01-01T00:00:00Z";
    assert_int_equal(asff_normalize(f, &o, NULL), ASFF_OK);
    assert_int_equal(strlen(f->Note->Text), 600);
    assert_int_equal(asff_normalize(NULL, NULL, NULL), ASFF_ERR_INVALID_ARG);
    asff_report_free(r);
    asff_object_free(f);
}

/* ---- generated findings: normalize is idempotent and never adds an error ---------------------- */

typedef struct rng {
    uint64_t s;
} rng;

static uint32_t next(rng *g)
{
    g->s = g->s * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(g->s >> 33);
}

static const char *pick(rng *g, const char *const *v, size_t n)
{
    return v[next(g) % n];
}

static char *gen_string(rng *g, void *f, size_t maxlen)
{
    static const char *const pieces[] = {"a", " ", "\xc3\xa9", "/", "\xe2\x80\x83", "Z", "9", "\xf0\x9f\x98\x80", "-"};
    size_t n = next(g) % (maxlen + 1), i, len = 0;
    char *s = asff_arena_alloc(asff_object_arena(f), n * 4 + 1);
    for (i = 0; i < n; i++) {
        const char *p = pick(g, pieces, sizeof pieces / sizeof pieces[0]);
        memcpy(s + len, p, strlen(p));
        len += strlen(p);
    }
    s[len] = '\0';
    return s;
}

static const char *const g_ts[] = {
    "2024-01-02T03:04:05Z", "2024-01-02T03:04:05.1Z", "2024-01-02T03:04:05.123456789+05:30",
    "2024-02-29T23:59:60Z", "2016-12-31T23:59:60-0100", "2024-01-02T03:04:05.9995+01", "2024-01-02",
    "2024-13-02T03:04:05Z", "9999-12-31T23:59:59.9999Z", "0000-01-01T00:00:00+18:00", "2024-01-02T03:04:05.000Z",
    "1999-12-31T23:59:59.99949-18:00", "x"};
static const char *const g_types[] = {"Effects", "Effects/Data Exposure", "TTPs/Collection", "MITRE/T1", "a//b",
                                      "Effects/", "x/y/z/w", "Software and Configuration Checks/Vulnerabilities/CVE",
                                      " ", "Sensitive Data Identifications/PII"};
static const char *const g_labels[] = {"LOW", "MEDIUM", "HIGH", "CRITICAL", "INFORMATIONAL", "bad"};
static const char *const g_arns[] = {
    "arn:aws:securityhub:us-east-1:123456789012:product/123456789012/default",
    "arn:aws:securityhub:eu-west-1::product/aws/securityhub", "arn:aws-cn:securityhub:cn-north-1::product/x/y",
    "arn:aws:securityhub:a-region-name-longer-than-16::product/c/p", "arn:aws:securityhub:us-east-1::product/ /p",
    "not an arn"};

static asff_AwsSecurityFinding *gen_finding(rng *g)
{
    asff_AwsSecurityFinding *f = base_finding();
    unsigned i, n;
    if (next(g) % 4 == 0)
        f->SchemaVersion = NULL;
    f->ProductArn = (char *)pick(g, g_arns, sizeof g_arns / sizeof g_arns[0]);
    f->CreatedAt = (char *)pick(g, g_ts, sizeof g_ts / sizeof g_ts[0]);
    f->UpdatedAt = (char *)pick(g, g_ts, sizeof g_ts / sizeof g_ts[0]);
    if (next(g) % 2)
        f->FirstObservedAt = (char *)pick(g, g_ts, sizeof g_ts / sizeof g_ts[0]);
    switch (next(g) % 4) {
    case 0:
        f->Severity->Label = NULL;
        f->Severity->Normalized = asff_int_new(f, (int64_t)(next(g) % 110) - 3);
        break;
    case 1:
        f->Severity->Normalized = NULL;
        f->Severity->Label = (char *)pick(g, g_labels, sizeof g_labels / sizeof g_labels[0]);
        break;
    case 2:
        f->Severity = NULL;
        break;
    default:
        break;
    }
    n = next(g) % 8;
    for (i = 0; i < n; i++)
        asff_list_append_string(f, "Types", pick(g, g_types, sizeof g_types / sizeof g_types[0]));
    if (next(g) % 3 == 0) {
        n = next(g) % 4;
        for (i = 0; i < n; i++)
            asff_list_append_string(asff_get_object(f, "FindingProviderFields", true), "Types",
                                    pick(g, g_types, sizeof g_types / sizeof g_types[0]));
    }
    f->Title = gen_string(g, f, next(g) % 8 == 0 ? 300 : 20);
    f->Description = gen_string(g, f, next(g) % 8 == 0 ? 1100 : 40);
    if (next(g) % 5 == 0) {
        apply(f, "/Note/UpdatedBy=me");
        f->Note->Text = gen_string(g, f, 600);
        f->Note->UpdatedAt = (char *)pick(g, g_ts, sizeof g_ts / sizeof g_ts[0]);
    }
    if (next(g) % 5 == 0)
        asff_map_set(f, "ProductFields", "k", gen_string(g, f, 2100));
    if (next(g) % 50 == 0)
        f->Resources.items[0]->Id = gen_string(g, f, 9000);  /* up to 36 KB: SZ-3 */
    if (next(g) % 6 == 0)
        f->Region = gen_string(g, f, 20);
    if (next(g) % 6 == 0)
        f->ProductName = gen_string(g, f, 140);
    return f;
}

typedef struct rule_count {
    const char *rule[256];
    size_t n[256];
    size_t count;
} rule_count;

static void count_errors(const asff_report *r, rule_count *rc)
{
    size_t i, j;
    rc->count = 0;
    for (i = 0; i < asff_report_count(r); i++) {
        const asff_violation *v = asff_report_get(r, i);
        if (v->level != ASFF_LEVEL_ERROR)
            continue;
        for (j = 0; j < rc->count && strcmp(rc->rule[j], v->rule) != 0; j++)
            ;
        if (j == rc->count) {
            assert_true(rc->count < 256);
            rc->rule[rc->count] = v->rule;
            rc->n[rc->count++] = 0;
        }
        rc->n[j]++;
    }
}

/* The check the fuzz target makes too: per rule, no more errors after normalizing. */
static void assert_no_new_errors(const rule_count *before, const rule_count *after, unsigned seed)
{
    size_t i, j;
    for (i = 0; i < after->count; i++) {
        size_t was = 0;
        for (j = 0; j < before->count; j++)
            if (strcmp(before->rule[j], after->rule[i]) == 0)
                was = before->n[j];
        if (after->n[i] > was)
            fail_msg("finding %u: normalize added %s errors (%zu -> %zu)", seed, after->rule[i], was, after->n[i]);
    }
}

static void test_normalize_generated(void **state)
{
    rng g = {42};
    asff_report *r1 = NULL, *r2 = NULL;
    (void)asff_report_new(NULL, &r1, NULL);
    (void)asff_report_new(NULL, &r2, NULL);
    asff_normalize_options o = ASFF_NORMALIZE_OPTIONS_INIT;
    static rule_count before, after;
    char *rules_before[256];
    size_t changes = 0, i;
    unsigned k;
    (void)state;
    (void)rules_before;
    o.truncate = true;
    o.derive_product = true;
    for (k = 0; k < 10000; k++) {
        asff_AwsSecurityFinding *f = gen_finding(&g);
        asff_report_clear(r1);
        (void)asff_validate(f, NULL, r1);
        count_errors(r1, &before);
        asff_report_clear(r2);
        assert_int_equal(asff_normalize(f, k % 2 ? &o : NULL, r2), ASFF_OK);
        changes += asff_report_change_count(r2);
        asff_report_clear(r2);
        assert_int_equal(asff_normalize(f, k % 2 ? &o : NULL, r2), ASFF_OK);
        if (asff_report_change_count(r2) != 0)
            fail_msg("finding %u: second normalize changed %s (%s -> %s)", k, asff_report_change(r2, 0)->path,
                     asff_report_change(r2, 0)->old_value ? asff_report_change(r2, 0)->old_value : "(absent)",
                     asff_report_change(r2, 0)->new_value ? asff_report_change(r2, 0)->new_value : "(absent)");
        asff_report_clear(r2);
        (void)asff_validate(f, NULL, r2);
        count_errors(r2, &after);
        /* rule strings of r1 stay valid: r1 is not cleared until the next round */
        assert_no_new_errors(&before, &after, k);
        asff_object_free(f);
    }
    printf("10000 generated findings, %zu changes, idempotent\n", changes);
    assert_true(changes > 10000);
    for (i = 0; i < 1; i++)
        ;
    asff_report_free(r1);
    asff_report_free(r2);
}

/* ---- batches ---------------------------------------------------------------------------------- */

static void test_batch(void **state)
{
    asff_AwsSecurityFinding *fs[120];
    asff_report *r = NULL;
    (void)asff_report_new(NULL, &r, NULL);
    const asff_violation *v;
    size_t i;
    (void)state;
    for (i = 0; i < 120; i++) {
        char id[32];
        fs[i] = base_finding();
        snprintf(id, sizeof id, "f-%zu", i);
        fs[i]->Id = asff_strdup(fs[i], id);
    }
    /* a clean batch of 3 */
    assert_int_equal(asff_validate_batch((const asff_AwsSecurityFinding *const *)fs, 3, NULL, r), ASFF_OK);
    assert_int_equal(asff_report_count(r), 0);
    /* duplicates, other accounts, other Regions */
    fs[2]->Id = "f-0";
    fs[1]->AwsAccountId = "210987654321";
    fs[1]->ProductArn = "arn:aws:securityhub:us-east-1:210987654321:product/210987654321/default";
    fs[3]->ProductArn = "arn:aws:securityhub:eu-west-1::product/prowler/prowler";
    fs[4]->Title = NULL;
    asff_report_clear(r);
    assert_int_equal(asff_validate_batch((const asff_AwsSecurityFinding *const *)fs, 5, NULL, r), ASFF_ERR_INVALID);
    v = asff_report_find(r, "batch.duplicate", "/Id");
    assert_non_null(v);
    assert_int_equal(v->finding, 2);
    assert_string_equal(v->actual, "0");
    v = asff_report_find(r, "batch.account", "/AwsAccountId");
    assert_non_null(v);
    assert_int_equal(v->finding, 1);
    v = asff_report_find(r, "batch.region", "/ProductArn");
    assert_non_null(v);
    assert_int_equal(v->finding, 3);
    v = asff_report_find(r, "required.Title", "/Title");
    assert_non_null(v);
    assert_int_equal(v->finding, 4);
    assert_null(asff_report_find(r, "batch.count", NULL));
    /* 120 findings: advice to split */
    asff_report_clear(r);
    (void)asff_validate_batch((const asff_AwsSecurityFinding *const *)fs, 120, NULL, r);
    v = asff_report_find(r, "batch.count", "");
    assert_non_null(v);
    assert_int_equal(v->level, ASFF_LEVEL_ADVICE);
    assert_string_equal(v->actual, "120");
    assert_int_equal(asff_report_advice(r), 1);
    /* 6 MB: 30 findings of ~220 KB */
    for (i = 0; i < 30; i++)
        apply(fs[10 + i], "24x /Resources/{i+1}/Id=R9000:x");
    for (i = 0; i < 30; i++)
        apply(fs[10 + i], "24x /Resources/{i+1}/Type=Other");
    asff_report_clear(r);
    (void)asff_validate_batch((const asff_AwsSecurityFinding *const *)fs + 10, 30, NULL, r);
    assert_non_null(asff_report_find(r, "batch.size", ""));
    assert_null(asff_report_find(r, "size.finding", NULL));
    assert_int_equal(asff_validate_batch(NULL, 2, NULL, r), ASFF_ERR_INVALID_ARG);
    for (i = 0; i < 120; i++)
        asff_object_free(fs[i]);
    asff_report_free(r);
}

/* ---- the real corpus (tests/data/real, README there) ------------------------------------------ */

typedef struct expect {
    const char *file;
    const char *rule;     /* NULL: no errors at all */
    const char *path;
    unsigned findings;    /* how many findings carry the rule (0 = at least one) */
} expect;

static const expect g_real[] = {
    {"asr/CIS-1.3.json", NULL, NULL, 0},
    {"asr/CIS-bad.json", "required.GeneratorId", "/GeneratorId", 1},
    {"asr/afsbp-ec2.7.json", NULL, NULL, 0},
    {"asr/CIS_1-6-multi-select.json", NULL, NULL, 0},
    {"asr/custom-action-mismatch.json", NULL, NULL, 0},
    {"asr/afsbp_rds6.json", NULL, NULL, 0},
    {"asr/cis1314-save.json", NULL, NULL, 0},
    {"asr/afsbp-ec2.1.json", NULL, NULL, 0},
    {"asr/afsbp-iam.8-nodetails.json", NULL, NULL, 0},
    {"asr/afsbp-lambda.1.json", NULL, NULL, 0},
    {"asr/afsbp-rds.2.json", NULL, NULL, 0},
    {"asr/afsbp-redshift.1.json", NULL, NULL, 0},
    {"asr/afsbp-s3.1.json", NULL, NULL, 0},
    {"asr/cis-31.json", NULL, NULL, 0},
    {"asr/cis15111.json", NULL, NULL, 0},
    {"asr/cis24.json", NULL, NULL, 0},
    {"asr/pci-ec2.1.json", NULL, NULL, 0},
    {"asr/pci-s3.1.json", NULL, NULL, 0},
    {"heimdall2/asff_sample.json", NULL, NULL, 0},
    {"heimdall2/prowler_sample.json", NULL, NULL, 0},
    {"heimdall2/prowler-sample.asff-json.jsonl", NULL, NULL, 0},
    {"heimdall2/trivy-image_golang-1.12-alpine_sample.json", "length.Description", "/Description", 6},
    {"heimdall2/rhel7_V-71931_asff.json", "format.AwsAccountId", "/AwsAccountId", 3},
    {"heimdall2/rhel7_V-71931_asff.json", "types.empty_segment", "/FindingProviderFields/Types/17", 1},
    {"heimdall2/restrictions-test-results.asff.json", "format.AwsAccountId", "/AwsAccountId", 4},
    {"heimdall2/undefined-code.asff.json", "format.AwsAccountId", "/AwsAccountId", 2},
    {"trivy/alpine-310.asff.golden.json", NULL, NULL, 0},
    {"trivy/secrets.asff.golden.json", NULL, NULL, 0},
    {"jfrog-xray/sec_hub_finding_security.json", NULL, NULL, 0},
    {"jfrog-xray/sec_hub_finding_op_risk.json", NULL, NULL, 0},
    {"jfrog-xray/sec_hub_findings_license.json", NULL, NULL, 0},
    {"awsdocs/guardduty-typical-finding.json", "format.ProductArn", "/ProductArn", 1},
    {"awsdocs/inspector-typical-finding.json", NULL, NULL, 0},
    {"awsdocs/access-analyzer-typical-finding.json", NULL, NULL, 0},
    {"awsdocs/config-typical-finding.json", NULL, NULL, 0},
    {"awsdocs/sample-control-finding-fsbp.json", NULL, NULL, 0},
    {"awsdocs/sample-control-finding-cis-1.2.json", NULL, NULL, 0},
    {"awsdocs/sample-control-finding-control-tower.json", NULL, NULL, 0},
};

static void test_real_corpus(void **state)
{
    size_t i, j, k, total = 0, failures = 0;
    asff_report *r = NULL, *rn = NULL;
    (void)asff_report_new(NULL, &r, NULL);
    (void)asff_report_new(NULL, &rn, NULL);
    asff_validate_options vo = ASFF_VALIDATE_OPTIONS_INIT;
    asff_normalize_options no = ASFF_NORMALIZE_OPTIONS_INIT;
    (void)state;
    vo.skip_service_owned = true;
    no.truncate = true;
    no.derive_product = true;
    for (i = 0; i < sizeof g_real / sizeof g_real[0]; i++) {
        const expect *e = &g_real[i];
        char path[512];
        FILE *fp;
        asff_finding_list *list = NULL;
        asff_error err;
        unsigned hits = 0;
        snprintf(path, sizeof path, "%s/real/%s", ASFF_TEST_DATA, e->file);
        fp = fopen(path, "rb");
        if (!fp)
            fail_msg("missing %s", path);
        if (asff_parse_file(fp, NULL, &list, &err) != ASFF_OK)
            fail_msg("%s: %s %s", e->file, err.path, err.message);
        fclose(fp);
        assert_true(list->count > 0);
        for (j = 0; j < list->count; j++) {
            const asff_AwsSecurityFinding *f = list->items[j];
            bool hit = false;
            asff_report_clear(r);
            vo.index = j;
            (void)asff_validate(f, &vo, r);
            if (!e->rule && asff_report_errors(r) != 0) {
                printf("%s finding %zu: unexpected errors\n", e->file, j);
                print_report(r);
                failures++;
            }
            for (k = 0; e->rule && k < asff_report_count(r); k++) {
                const asff_violation *v = asff_report_get(r, k);
                if (v->level == ASFF_LEVEL_ERROR && strcmp(v->rule, e->rule) == 0 &&
                    (!e->path || strcmp(v->path, e->path) == 0))
                    hit = true;
            }
            hits += hit;
            total++;
        }
        if (e->rule && (e->findings ? hits != e->findings : hits == 0)) {
            printf("%s: %s at %s in %u findings, expected %u\n", e->file, e->rule, e->path ? e->path : "*", hits,
                   e->findings);
            failures++;
        }
        /* normalize: idempotent, never adds an error */
        for (j = 0; j < list->count; j++) {
            asff_AwsSecurityFinding *f = list->items[j];
            static rule_count before, after;
            asff_report_clear(r);
            (void)asff_validate(f, &vo, r);
            count_errors(r, &before);
            asff_report_clear(rn);
            assert_int_equal(asff_normalize(f, &no, rn), ASFF_OK);
            asff_report_clear(rn);
            assert_int_equal(asff_normalize(f, &no, rn), ASFF_OK);
            if (asff_report_change_count(rn)) {
                printf("%s finding %zu: normalize not idempotent at %s\n", e->file, j,
                       asff_report_change(rn, 0)->path);
                failures++;
            }
            asff_report_clear(rn);
            (void)asff_validate(f, &vo, rn);
            count_errors(rn, &after);
            assert_no_new_errors(&before, &after, (unsigned)j);
        }
        asff_finding_list_free(list);
    }
    printf("%zu real findings checked\n", total);
    asff_report_free(r);
    asff_report_free(rn);
    assert_int_equal(failures, 0);
    assert_true(total >= 100);
}

/* The batch rules on a real file: Trivy's sample repeats Ids. */
static void test_real_batch(void **state)
{
    FILE *fp = fopen(ASFF_TEST_DATA "/real/heimdall2/trivy-image_golang-1.12-alpine_sample.json", "rb");
    asff_finding_list *list = NULL;
    asff_report *r = NULL;
    (void)asff_report_new(NULL, &r, NULL);
    size_t i, dups = 0;
    (void)state;
    assert_non_null(fp);
    assert_int_equal(asff_parse_file(fp, NULL, &list, NULL), ASFF_OK);
    fclose(fp);
    assert_int_equal(list->count, 44);
    (void)asff_validate_batch((const asff_AwsSecurityFinding *const *)list->items, list->count, NULL, r);
    for (i = 0; i < asff_report_count(r); i++)
        dups += strcmp(asff_report_get(r, i)->rule, "batch.duplicate") == 0;
    assert_int_equal(dups, 21);
    asff_finding_list_free(list);
    asff_report_free(r);
}

/* ---- issue 20: "-0" and "1e2" are the numbers 0 and 100 ----------------------------------------- */

static void test_confidence_minus_zero_and_1e2_in_range(void **state)
{
    static const struct {
        const char *text;
        int64_t clamped;
        bool ok;
    } cases[] = {
        {"-0", 0, true}, {"1e2", 100, true}, {"1E+2", 100, true}, {"100.0", 100, true}, {"0.0e5", 0, true},
        {"10000e-2", 100, true}, {"1.5", 1, false}, {"1e3", 1000, false}, {"-1e0", -1, false},
        {"1e999", INT64_MAX, false}, {"99999999999999999999", INT64_MAX, false}, {"1e-999", 0, false},
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof cases / sizeof *cases; i++) {
        asff_AwsSecurityFinding *f = base_finding();
        asff_report *r = NULL;
        (void)asff_report_new(NULL, &r, NULL);
        asff_status st;
        f->Confidence = asff_int_new(f, cases[i].clamped);
        assert_non_null(f->Confidence);
        f->Confidence->text = cases[i].text; /* as the codec keeps a number that is not plain int64 text */
        st = asff_validate(f, NULL, r);
        if ((st == ASFF_OK) != cases[i].ok)
            fail_msg("Confidence %s: status %d, expected %s", cases[i].text, st, cases[i].ok ? "valid" : "invalid");
        if (!cases[i].ok) {
            const asff_violation *v = asff_report_find(r, "range.Confidence", "/Confidence");
            assert_non_null(v);
            /* a fraction says so; a whole number says out of range */
            assert_non_null(strstr(v->message, cases[i].clamped == 1 || cases[i].clamped == 0 ? "whole" : "out of range"));
        }
        asff_report_free(r);
        asff_object_free(f);
    }
}

static void test_number_int_helper(void **state)
{
    int64_t v = 42;
    (void)state;
    assert_int_equal(asff__number_int(SLEN("-9223372036854775808"), &v), 1);
    assert_true(v == INT64_MIN);
    assert_int_equal(asff__number_int(SLEN("9223372036854775808"), &v), -1);
    assert_int_equal(asff__number_int(SLEN("92233720368547758.07e2"), &v), 1);
    assert_true(v == INT64_MAX);
    assert_int_equal(asff__number_int(SLEN("0.000000000000000000000000000000000001e36"), &v), 1);
    assert_int_equal(v, 1);
    assert_int_equal(asff__number_int(SLEN("1e"), &v), -2);
    assert_int_equal(asff__number_int(SLEN("x"), &v), -2);
    assert_int_equal(asff__number_int(SLEN("1.2.3"), &v), -2);
    assert_int_equal(asff__number_int(SLEN("0.5"), &v), 0);
}

/* ---- allocation chaos (issue 11 item 6): every entry point that takes an allocator ------------ */

/* A finding on the test allocator, built with no failure and not counted: the calls that follow are. */
static asff_AwsSecurityFinding *chaos_finding(const asff_allocator *a, bool messy)
{
    test_alloc *t = a->ctx;
    long saved = t->fail_at;
    asff_AwsSecurityFinding *f;
    t->fail_at = -1;
    f = ASFF_NEW_ROOT(AwsSecurityFinding, a);
    assert_non_null(f);
    f->SchemaVersion = messy ? NULL : "2018-10-08";
    f->Id = "finding-1";
    f->ProductArn = "arn:aws:securityhub:us-east-1:123456789012:product/123456789012/default";
    f->GeneratorId = "gen-1";
    f->AwsAccountId = "123456789012";
    assert_int_equal(asff_list_append_string(f, "Types", "Software and Configuration Checks/Vulnerabilities/CVE"),
                     ASFF_OK);
    if (messy)
        assert_int_equal(asff_list_append_string(f, "Types", "Software and Configuration Checks/Vulnerabilities/CVE"),
                         ASFF_OK);
    f->CreatedAt = messy ? "2024-01-02T04:04:05+01:00" : "2024-01-02T03:04:05.000Z";
    f->UpdatedAt = messy ? "2024-01-02T03:04:05.5Z" : "2024-01-02T03:04:05.000Z";
    f->Severity = ASFF_NEW(f, Severity);
    assert_non_null(f->Severity);
    if (messy)
        f->Severity->Normalized = asff_int_new(f, 70);
    else
        f->Severity->Label = "HUGE";
    f->Confidence = asff_int_new(f, 101);
    f->Title = "EC2 instance has a public IP";
    f->Description = "Instance i-1 is reachable from the internet";
    assert_int_equal(asff_map_set(f, "ProductFields", "a/b~c", "x"), ASFF_OK);
    {
        asff_Resource *r = asff_list_append_object(f, "Resources");
        assert_non_null(r);
        r->Type = "AwsEc2Instance";
        r->Id = "i-1";
    }
    t->calls = 0;
    t->fail_at = saved;
    return f;
}

static asff_status run_report_new(const asff_allocator *a, void *ctx)
{
    asff_report *r = NULL;
    (void)asff_report_new(a, &r, NULL);
    (void)ctx;
    if (!r)
        return ASFF_ERR_NOMEM;
    asff_report_free(r);
    return ASFF_OK;
}

static void test_chaos_report_new(void **state)
{
    (void)state;
    assert_true(test_alloc_chaos(run_report_new, NULL) >= 1);
}

static asff_status run_validate(const asff_allocator *a, void *ctx)
{
    asff_AwsSecurityFinding *f = chaos_finding(a, false);
    asff_report *r = NULL;
    (void)asff_report_new(a, &r, NULL);
    asff_status st = ASFF_ERR_NOMEM;
    (void)ctx;
    if (r) {
        st = asff_validate(f, NULL, r);
        if (st == ASFF_ERR_INVALID) { /* the finding has errors: finding them all is success */
            assert_true(asff_report_errors(r) >= 2);
            st = ASFF_OK;
        }
    }
    asff_report_free(r);
    asff_object_free(f);
    return st;
}

static void test_chaos_validate(void **state)
{
    (void)state;
    assert_true(test_alloc_chaos(run_validate, NULL) > 2);
}

static asff_status run_validate_batch(const asff_allocator *a, void *ctx)
{
    const asff_AwsSecurityFinding *fs[2];
    asff_AwsSecurityFinding *f = chaos_finding(a, false), *g;
    asff_report *r;
    asff_status st = ASFF_ERR_NOMEM;
    (void)ctx;
    {
        test_alloc *t = a->ctx;
        long saved = t->fail_at, calls = t->calls;
        g = chaos_finding(a, false); /* resets the count: keep the first one's */
        t->calls = calls;
        t->fail_at = saved;
    }
    fs[0] = f;
    fs[1] = g;
    (void)asff_report_new(a, &r, NULL);
    if (r) {
        st = asff_validate_batch(fs, 2, NULL, r);
        if (st == ASFF_ERR_INVALID) {
            assert_non_null(asff_report_find(r, "batch.duplicate", "/Id"));
            st = ASFF_OK;
        }
    }
    asff_report_free(r);
    asff_object_free(f);
    asff_object_free(g);
    return st;
}

static void test_chaos_validate_batch(void **state)
{
    (void)state;
    assert_true(test_alloc_chaos(run_validate_batch, NULL) > 2);
}

static asff_status run_report_json(const asff_allocator *a, void *ctx)
{
    asff_AwsSecurityFinding *f = chaos_finding(a, false);
    asff_report *r = NULL;
    (void)asff_report_new(a, &r, NULL);
    asff_status st = ASFF_ERR_NOMEM;
    const char *json = NULL;
    size_t len = 0;
    (void)ctx;
    if (r) {
        st = asff_validate(f, NULL, r);
        if (st == ASFF_ERR_INVALID && (st = asff_report_to_json(r, &json, &len)) == ASFF_OK) {
            assert_int_equal(strlen(json), len);
            assert_non_null(strstr(json, "HUGE"));
        }
    }
    asff_report_free(r);
    asff_object_free(f);
    return st;
}

static void test_chaos_report_json(void **state)
{
    (void)state;
    assert_true(test_alloc_chaos(run_report_json, NULL) > 2);
}

static asff_status run_normalize(const asff_allocator *a, void *ctx)
{
    asff_AwsSecurityFinding *f = chaos_finding(a, true);
    asff_report *r = NULL;
    (void)asff_report_new(a, &r, NULL);
    asff_status st = ASFF_ERR_NOMEM;
    (void)ctx;
    if (r && (st = asff_normalize(f, NULL, r)) == ASFF_OK) {
        assert_string_equal(f->CreatedAt, "2024-01-02T03:04:05.000Z");
        assert_string_equal(f->Severity->Label, "HIGH");
        assert_true(asff_report_change_count(r) >= 4);
    }
    asff_report_free(r);
    asff_object_free(f);
    return st;
}

static void test_chaos_normalize(void **state)
{
    (void)state;
    assert_true(test_alloc_chaos(run_normalize, NULL) > 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rules_table),
        cmocka_unit_test(test_base_is_clean),
        cmocka_unit_test(test_case_table),
        cmocka_unit_test(test_report_json),
        cmocka_unit_test(test_pointer_escaping),
        cmocka_unit_test(test_no_allocation_when_warm),
        cmocka_unit_test(test_timestamps),
        cmocka_unit_test(test_severity_maps),
        cmocka_unit_test(test_normalize_steps),
        cmocka_unit_test(test_normalize_defaults_and_aws_names),
        cmocka_unit_test(test_normalize_generated),
        cmocka_unit_test(test_batch),
        cmocka_unit_test(test_real_corpus),
        cmocka_unit_test(test_real_batch),
        cmocka_unit_test(test_confidence_minus_zero_and_1e2_in_range),
        cmocka_unit_test(test_number_int_helper),
        cmocka_unit_test(test_chaos_report_new),
        cmocka_unit_test(test_chaos_validate),
        cmocka_unit_test(test_chaos_validate_batch),
        cmocka_unit_test(test_chaos_report_json),
        cmocka_unit_test(test_chaos_normalize),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
