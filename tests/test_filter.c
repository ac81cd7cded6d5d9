/* Tests of lib/filter: filters (every attribute, comparison, combination, rejected mix, limits, CIDR
 * and date edges), canonical JSON, sorting and top-K, insights against the Python reference
 * (tests/filter_ref.py), the managed catalog and automation rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <yajl/yajl_tree.h>
#include "asff/filter.h"
#include "asff/model.h"
#include "filter/filter_int.h"
#include "support.h"

#define NOW 1717200000 /* 2024-06-01T00:00:00Z */
#define SL(s) (s), strlen(s) /* a literal and its length */

/* ---- building findings from JSON text (test helper; independent of the codec) ------------- */

static void build(void *obj, yajl_val v)
{
    const asff_type *t = asff_object_type(obj);
    size_t i, j;
    for (i = 0; i < v->u.object.len; i++) {
        const char *k = v->u.object.keys[i];
        yajl_val x = v->u.object.values[i];
        const asff_member *m = asff_member_find(t, k, strlen(k));
        void *slot;
        if (!m)
            continue;
        slot = asff_member_slot(obj, m);
        switch (m->kind) {
        case ASFF_KIND_STRING:
            if (YAJL_IS_STRING(x))
                assert_int_equal(asff_set_string(obj, k, x->u.string), ASFF_OK);
            break;
        case ASFF_KIND_INT:
            if (YAJL_IS_INTEGER(x))
                assert_int_equal(asff_set_int(obj, k, x->u.number.i), ASFF_OK);
            break;
        case ASFF_KIND_DOUBLE:
            if (YAJL_IS_NUMBER(x))
                assert_int_equal(asff_set_double(obj, k, x->u.number.d), ASFF_OK);
            break;
        case ASFF_KIND_BOOL:
            if (YAJL_IS_TRUE(x) || YAJL_IS_FALSE(x))
                assert_int_equal(asff_set_bool(obj, k, YAJL_IS_TRUE(x)), ASFF_OK);
            break;
        case ASFF_KIND_OBJECT:
            if (YAJL_IS_OBJECT(x)) {
                void *child = asff_get_object(obj, k, true);
                assert_non_null(child);
                build(child, x);
            }
            break;
        case ASFF_KIND_LIST:
            if (!YAJL_IS_ARRAY(x))
                break;
            for (j = 0; j < x->u.array.len; j++) {
                yajl_val e = x->u.array.values[j];
                if (m->elem_kind == ASFF_KIND_STRING && YAJL_IS_STRING(e))
                    assert_int_equal(asff_list_append_string(obj, k, e->u.string), ASFF_OK);
                else if (m->elem_kind == ASFF_KIND_OBJECT && YAJL_IS_OBJECT(e)) {
                    void *child = asff_list_append_object(obj, k);
                    assert_non_null(child);
                    build(child, e);
                } else if (m->elem_kind == ASFF_KIND_INT && YAJL_IS_INTEGER(e))
                    assert_int_equal(asff_list_append_int(obj, k, e->u.number.i), ASFF_OK);
            }
            if (x->u.array.len == 0) {
                asff_list *l = slot;
                l->items = asff_arena_alloc(asff_object_arena(obj), sizeof(void *));
            }
            break;
        case ASFF_KIND_MAP:
            if (!YAJL_IS_OBJECT(x))
                break;
            for (j = 0; j < x->u.object.len; j++) {
                yajl_val e = x->u.object.values[j];
                if (m->elem_kind == ASFF_KIND_STRING && YAJL_IS_STRING(e))
                    assert_int_equal(asff_map_set(obj, k, x->u.object.keys[j], e->u.string), ASFF_OK);
                else if (m->elem_kind == ASFF_KIND_OBJECT && YAJL_IS_OBJECT(e))
                    build(asff_map_get_object(obj, k, x->u.object.keys[j], true), e);
            }
            break;
        default:
            break;
        }
    }
}

static asff_AwsSecurityFinding *from_tree(yajl_val v)
{
    asff_AwsSecurityFinding *f = ASFF_NEW_ROOT(AwsSecurityFinding, NULL);
    assert_non_null(f);
    build(f, v);
    return f;
}

static asff_AwsSecurityFinding *F(const char *json)
{
    char eb[256];
    yajl_val v = yajl_tree_parse(json, eb, sizeof eb);
    asff_AwsSecurityFinding *f;
    if (!v || !YAJL_IS_OBJECT(v))
        fail_msg("bad test finding %s: %s", json, eb);
    f = from_tree(v);
    yajl_tree_free(v);
    return f;
}

static asff_filter *compile_opt(const char *json, const asff_filter_options *o)
{
    asff_filter *flt = NULL;
    asff_error err;
    asff_status st = asff_filter_compile(json, strlen(json), o, &flt, &err);
    if (st != ASFF_OK)
        fail_msg("compile %s: %s at %s", json, err.message, err.path);
    return flt;
}

static asff_filter *compile(const char *json)
{
    asff_filter_options o = ASFF_FILTER_OPTIONS_INIT;
    o.has_now = true;
    o.now_seconds = NOW;
    return compile_opt(json, &o);
}

static bool M(const char *filter, const char *finding)
{
    asff_filter *flt = compile(filter);
    asff_AwsSecurityFinding *f = F(finding);
    bool r = asff_filter_match(flt, f);
    asff_object_free(f);
    asff_filter_free(flt);
    return r;
}

/* ---- every attribute: a matching, a non-matching and a missing-member finding ------------------ */

/* Put a value at an attribute's path through the construction API. */
static void set_path(void *obj, const char *path, unsigned type, bool v6)
{
    const char *dot = strchr(path, '.');
    size_t n = dot ? (size_t)(dot - path) : strlen(path);
    char name[128];
    const asff_member *m;
    bool list = false;
    memcpy(name, path, n);
    name[n] = 0;
    if (n > 2 && (strcmp(name + n - 2, "[]") == 0 || strcmp(name + n - 2, "{}") == 0)) {
        list = name[n - 2] == '[';
        name[n - 2] = 0;
    }
    m = asff_member_find(asff_object_type(obj), name, strlen(name));
    assert_non_null(m);
    if (dot) {
        void *child = list ? asff_list_append_object(obj, name) : asff_get_object(obj, name, true);
        assert_non_null(child);
        set_path(child, dot + 1, type, v6);
        return;
    }
    switch (type) {
    case FT_STRING:
        if (list)
            assert_int_equal(asff_list_append_string(obj, name, "the-value"), ASFF_OK);
        else
            assert_int_equal(asff_set_string(obj, name, "the-value"), ASFF_OK);
        break;
    case FT_IP:
        if (list)
            assert_int_equal(asff_list_append_string(obj, name, v6 ? "2001:db8::5" : "10.1.2.3"), ASFF_OK);
        else
            assert_int_equal(asff_set_string(obj, name, v6 ? "2001:db8::5" : "10.1.2.3"), ASFF_OK);
        break;
    case FT_DATE:
        assert_int_equal(asff_set_string(obj, name, "2024-01-02T03:04:05.678+01:00"), ASFF_OK);
        break;
    case FT_NUMBER:
        if (m->kind == ASFF_KIND_DOUBLE)
            assert_int_equal(asff_set_double(obj, name, 42), ASFF_OK);
        else
            assert_int_equal(asff_set_int(obj, name, 42), ASFF_OK);
        break;
    case FT_MAP:
        assert_int_equal(asff_map_set(obj, name, "k", "the-value"), ASFF_OK);
        break;
    case FT_BOOLEAN:
        assert_int_equal(asff_set_bool(obj, name, true), ASFF_OK);
        break;
    default:
        fail();
    }
}

static void test_every_attribute(void **state)
{
    unsigned i, tested = 0;
    char yes[512], no[512];
    (void)state;
    assert_int_equal(asff__filter_attr_count, 104);
    for (i = 0; i < asff__filter_attr_count; i++) {
        const filter_attr_def *d = &asff__filter_attrs[i];
        bool v6 = strstr(d->name, "V6") != NULL;
        asff_AwsSecurityFinding *f, *empty;
        asff_filter *fy, *fn;
        if (i)
            assert_true(strcmp(asff__filter_attrs[i - 1].name, d->name) < 0);
        if (d->type == FT_KEYWORD)
            continue;
        switch (d->type) {
        case FT_STRING:
            snprintf(yes, sizeof yes, "{\"%s\":[{\"Value\":\"the-\",\"Comparison\":\"PREFIX\"}]}", d->name);
            snprintf(no, sizeof no, "{\"%s\":[{\"Value\":\"The-value\",\"Comparison\":\"EQUALS\"}]}", d->name);
            break;
        case FT_NUMBER:
            snprintf(yes, sizeof yes, "{\"%s\":[{\"Gte\":42,\"Lt\":43}]}", d->name);
            snprintf(no, sizeof no, "{\"%s\":[{\"Gt\":42}]}", d->name);
            break;
        case FT_DATE:
            snprintf(yes, sizeof yes, "{\"%s\":[{\"Start\":\"2024-01-02T02:04:05.678Z\",\"End\":\"2024-01-02T02:04:05.678Z\"}]}",
                     d->name);
            snprintf(no, sizeof no, "{\"%s\":[{\"Start\":\"2024-01-02T03:04:00Z\",\"End\":\"2024-01-02T03:05:00Z\"}]}",
                     d->name);
            break;
        case FT_IP:
            snprintf(yes, sizeof yes, "{\"%s\":[{\"Cidr\":\"%s\"}]}", d->name, v6 ? "2001:db8::/32" : "10.1.0.0/16");
            snprintf(no, sizeof no, "{\"%s\":[{\"Cidr\":\"%s\"}]}", d->name, v6 ? "2001:db9::/32" : "10.2.0.0/16");
            break;
        case FT_MAP:
            snprintf(yes, sizeof yes, "{\"%s\":[{\"Key\":\"k\",\"Value\":\"the-value\",\"Comparison\":\"EQUALS\"}]}",
                     d->name);
            snprintf(no, sizeof no, "{\"%s\":[{\"Key\":\"K\",\"Value\":\"the-value\",\"Comparison\":\"EQUALS\"}]}",
                     d->name);
            break;
        case FT_BOOLEAN:
            snprintf(yes, sizeof yes, "{\"%s\":[{\"Value\":true}]}", d->name);
            snprintf(no, sizeof no, "{\"%s\":[{\"Value\":false}]}", d->name);
            break;
        }
        f = ASFF_NEW_ROOT(AwsSecurityFinding, NULL);
        empty = ASFF_NEW_ROOT(AwsSecurityFinding, NULL);
        set_path(f, d->path, d->type, v6);
        fy = compile(yes);
        fn = compile(no);
        if (!asff_filter_match(fy, f))
            fail_msg("%s: %s should match", d->name, yes);
        if (asff_filter_match(fn, f))
            fail_msg("%s: %s should not match", d->name, no);
        /* a missing member: no positive match; Boolean treats absent as false (FS-44) */
        if (asff_filter_match(fy, empty))
            fail_msg("%s: missing member matched", d->name);
        if (d->type == FT_BOOLEAN)
            assert_true(asff_filter_match(fn, empty));
        asff_filter_free(fy);
        asff_filter_free(fn);
        asff_object_free(f);
        asff_object_free(empty);
        tested++;
    }
    assert_int_equal(tested, 103);
}

/* ---- comparisons and combinations ------------------------------------------------------------ */

typedef struct mcase {
    const char *filter, *finding;
    bool expect;
} mcase;

static void run_cases(const mcase *c, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (M(c[i].filter, c[i].finding) != c[i].expect)
            fail_msg("case %zu: %s on %s: expected %s", i, c[i].filter, c[i].finding, c[i].expect ? "match" : "no match");
}

#define SEV(l) "{\"Severity\":{\"Label\":\"" l "\"}}"
#define RES2(a, b) "{\"Resources\":[{\"Type\":\"" a "\",\"Id\":\"r1\"},{\"Type\":\"" b "\",\"Id\":\"r2\"}]}"

/* One attribute evaluated alone (what `asff insight` uses to explain an empty result). */
static void test_attribute_alone(void **state)
{
    asff_filter *flt = compile("{\"WorkflowStatus\":[{\"Value\":\"NEW\",\"Comparison\":\"EQUALS\"}],"
                               "\"ResourceType\":[{\"Value\":\"Aws\",\"Comparison\":\"PREFIX\"}],"
                               "\"Title\":[{\"Value\":\"x\",\"Comparison\":\"NOT_EQUALS\"}]}");
    asff_AwsSecurityFinding *a = F("{\"Title\":\"t\",\"Resources\":[{\"Type\":\"AwsS3Bucket\"}]}");
    asff_AwsSecurityFinding *b = F("{\"Title\":\"x\",\"Workflow\":{\"Status\":\"NEW\"}}");
    (void)state;
    assert_int_equal(asff_filter_attribute_count(flt), 3);
    /* name order */
    assert_string_equal(asff_filter_attribute_name(flt, 0), "ResourceType");
    assert_string_equal(asff_filter_attribute_name(flt, 1), "Title");
    assert_string_equal(asff_filter_attribute_name(flt, 2), "WorkflowStatus");
    assert_null(asff_filter_attribute_name(flt, 3));
    assert_null(asff_filter_attribute_name(NULL, 0));
    assert_true(asff_filter_match_attribute(flt, 0, a));
    assert_true(asff_filter_match_attribute(flt, 1, a));   /* a negative holds */
    assert_false(asff_filter_match_attribute(flt, 2, a));  /* no Workflow */
    assert_false(asff_filter_match(flt, a));
    assert_false(asff_filter_match_attribute(flt, 0, b));  /* no resource */
    assert_false(asff_filter_match_attribute(flt, 1, b));
    assert_true(asff_filter_match_attribute(flt, 2, b));
    assert_false(asff_filter_match_attribute(flt, 3, b));
    assert_true(asff_filter_attribute_present(flt, 0, a));
    assert_false(asff_filter_attribute_present(flt, 2, a));
    assert_true(asff_filter_attribute_present(flt, 2, b));
    assert_false(asff_filter_attribute_present(flt, 0, b));
    assert_false(asff_filter_attribute_present(flt, 9, b));
    assert_string_equal(asff_filter_attribute_path("WorkflowStatus"), "Workflow.Status");
    assert_string_equal(asff_filter_attribute_path("ResourceType"), "Resources[].Type");
    assert_null(asff_filter_attribute_path("Nope"));
    asff_object_free(a);
    asff_object_free(b);
    asff_filter_free(flt);
}

static void test_string_comparisons(void **state)
{
    static const mcase c[] = {
        {"{\"SeverityLabel\":[{\"Value\":\"HIGH\",\"Comparison\":\"EQUALS\"}]}", SEV("HIGH"), true},
        {"{\"SeverityLabel\":[{\"Value\":\"HIGH\",\"Comparison\":\"EQUALS\"}]}", SEV("high"), false}, /* FS-15 */
        {"{\"SeverityLabel\":[{\"Value\":\"HIG\",\"Comparison\":\"EQUALS\"}]}", SEV("HIGH"), false},
        {"{\"SeverityLabel\":[{\"Value\":\"HIGH\",\"Comparison\":\"EQUALS\"}]}", SEV("HIGHER"), false},
        {"{\"SeverityLabel\":[{\"Value\":\"HI\",\"Comparison\":\"PREFIX\"}]}", SEV("HIGH"), true},
        {"{\"SeverityLabel\":[{\"Value\":\"hi\",\"Comparison\":\"PREFIX\"}]}", SEV("HIGH"), false},
        {"{\"SeverityLabel\":[{\"Value\":\"HIGHEST\",\"Comparison\":\"PREFIX\"}]}", SEV("HIGH"), false},
        {"{\"SeverityLabel\":[{\"Value\":\"HIGH\",\"Comparison\":\"NOT_EQUALS\"}]}", SEV("LOW"), true},
        {"{\"SeverityLabel\":[{\"Value\":\"HIGH\",\"Comparison\":\"NOT_EQUALS\"}]}", SEV("HIGH"), false},
        {"{\"SeverityLabel\":[{\"Value\":\"HI\",\"Comparison\":\"PREFIX_NOT_EQUALS\"}]}", SEV("HIGH"), false},
        {"{\"SeverityLabel\":[{\"Value\":\"HI\",\"Comparison\":\"PREFIX_NOT_EQUALS\"}]}", SEV("LOW"), true},
        /* FS-2: positives ORed */
        {"{\"SeverityLabel\":[{\"Value\":\"LOW\",\"Comparison\":\"EQUALS\"},{\"Value\":\"HIGH\",\"Comparison\":\"EQUALS\"}]}",
         SEV("HIGH"), true},
        {"{\"SeverityLabel\":[{\"Value\":\"LOW\",\"Comparison\":\"EQUALS\"},{\"Value\":\"M\",\"Comparison\":\"PREFIX\"}]}",
         SEV("HIGH"), false},
        /* negatives ANDed */
        {"{\"SeverityLabel\":[{\"Value\":\"LOW\",\"Comparison\":\"NOT_EQUALS\"},{\"Value\":\"HIGH\",\"Comparison\":\"NOT_EQUALS\"}]}",
         SEV("HIGH"), false},
        {"{\"SeverityLabel\":[{\"Value\":\"LOW\",\"Comparison\":\"NOT_EQUALS\"},{\"Value\":\"HIGH\",\"Comparison\":\"NOT_EQUALS\"}]}",
         SEV("MEDIUM"), true},
        /* FS-9: PREFIX with NOT_EQUALS / PREFIX_NOT_EQUALS */
        {"{\"ResourceType\":[{\"Value\":\"AwsIam\",\"Comparison\":\"PREFIX\"},{\"Value\":\"AwsEc2\",\"Comparison\":\"PREFIX\"},"
         "{\"Value\":\"AwsIamPolicy\",\"Comparison\":\"NOT_EQUALS\"},{\"Value\":\"AwsEc2NetworkInterface\",\"Comparison\":\"NOT_EQUALS\"}]}",
         RES2("AwsIamRole", "AwsEc2Instance"), true},
        {"{\"ResourceType\":[{\"Value\":\"AwsIam\",\"Comparison\":\"PREFIX\"},{\"Value\":\"AwsEc2\",\"Comparison\":\"PREFIX\"},"
         "{\"Value\":\"AwsIamPolicy\",\"Comparison\":\"NOT_EQUALS\"},{\"Value\":\"AwsEc2NetworkInterface\",\"Comparison\":\"NOT_EQUALS\"}]}",
         RES2("AwsS3Bucket", "AwsEc2NetworkInterface"), false},
        {"{\"ResourceType\":[{\"Value\":\"Aws\",\"Comparison\":\"PREFIX\"},{\"Value\":\"AwsS3\",\"Comparison\":\"PREFIX_NOT_EQUALS\"}]}",
         RES2("AwsIamRole", "AwsS3Bucket"), false},
        /* FS-10: EQUALS + PREFIX, NOT_EQUALS + PREFIX_NOT_EQUALS */
        {"{\"Title\":[{\"Value\":\"abc\",\"Comparison\":\"EQUALS\"},{\"Value\":\"x\",\"Comparison\":\"PREFIX\"}]}",
         "{\"Title\":\"xyz\"}", true},
        {"{\"Title\":[{\"Value\":\"abc\",\"Comparison\":\"NOT_EQUALS\"},{\"Value\":\"x\",\"Comparison\":\"PREFIX_NOT_EQUALS\"}]}",
         "{\"Title\":\"xyz\"}", false},
        /* FS-25/26: array paths */
        {"{\"ResourceType\":[{\"Value\":\"AwsIamRole\",\"Comparison\":\"EQUALS\"}]}", RES2("AwsIamPolicy", "AwsIamRole"), true},
        {"{\"ResourceType\":[{\"Value\":\"AwsIamPolicy\",\"Comparison\":\"NOT_EQUALS\"}]}", RES2("AwsIamPolicy", "AwsIamRole"),
         false},
        {"{\"Type\":[{\"Value\":\"TTPs\",\"Comparison\":\"PREFIX\"}]}", "{\"Types\":[\"Effects/X\",\"TTPs/Y\"]}", true},
        {"{\"Type\":[{\"Value\":\"TTPs\",\"Comparison\":\"PREFIX\"}]}", "{\"Types\":[]}", false},
        /* FS-27: attributes over one array are independent */
        {"{\"ResourceType\":[{\"Value\":\"A\",\"Comparison\":\"EQUALS\"}],\"ResourceId\":[{\"Value\":\"r2\",\"Comparison\":\"EQUALS\"}]}",
         RES2("A", "B"), true},
        /* FS-28: nested arrays */
        {"{\"ComplianceSecurityControlParametersValue\":[{\"Value\":\"90\",\"Comparison\":\"EQUALS\"}]}",
         "{\"Compliance\":{\"SecurityControlParameters\":[{\"Name\":\"a\",\"Value\":[\"1\"]},{\"Name\":\"b\",\"Value\":[\"2\",\"90\"]}]}}",
         true},
        {"{\"ComplianceSecurityControlParametersValue\":[{\"Value\":\"9\",\"Comparison\":\"EQUALS\"}]}",
         "{\"Compliance\":{\"SecurityControlParameters\":[{\"Name\":\"a\",\"Value\":[\"1\"]},{\"Name\":\"b\",\"Value\":[\"2\",\"90\"]}]}}",
         false},
        /* FS-29/30: absent fields */
        {"{\"ComplianceStatus\":[{\"Value\":\"FAILED\",\"Comparison\":\"EQUALS\"}]}", "{\"Title\":\"x\"}", false},
        {"{\"ComplianceStatus\":[{\"Value\":\"FAILED\",\"Comparison\":\"NOT_EQUALS\"}]}", "{\"Title\":\"x\"}", true},
        {"{\"ComplianceStatus\":[{\"Value\":\"FAILED\",\"Comparison\":\"NOT_EQUALS\"}]}", "{\"Compliance\":{}}", true},
        /* FS-1: AND over attributes */
        {"{\"SeverityLabel\":[{\"Value\":\"HIGH\",\"Comparison\":\"EQUALS\"}],\"RecordState\":[{\"Value\":\"ACTIVE\",\"Comparison\":\"EQUALS\"}]}",
         "{\"Severity\":{\"Label\":\"HIGH\"},\"RecordState\":\"ARCHIVED\"}", false},
        {"{\"SeverityLabel\":[{\"Value\":\"HIGH\",\"Comparison\":\"EQUALS\"}],\"RecordState\":[{\"Value\":\"ACTIVE\",\"Comparison\":\"EQUALS\"}]}",
         "{\"Severity\":{\"Label\":\"HIGH\"},\"RecordState\":\"ACTIVE\"}", true},
        /* FS-23: an empty list is ignored; {} matches all */
        {"{\"SeverityLabel\":[]}", SEV("LOW"), true},
        {"{}", "{}", true},
        /* UTF-8 values compare bytewise */
        {"{\"Title\":[{\"Value\":\"h\\u00e9\",\"Comparison\":\"PREFIX\"}]}", "{\"Title\":\"h\\u00e9llo\"}", true},
        {"{\"Title\":[{\"Value\":\"he\",\"Comparison\":\"PREFIX\"}]}", "{\"Title\":\"h\\u00e9llo\"}", false},
        /* a request body */
        {"{\"Filters\":{\"Title\":[{\"Value\":\"a\",\"Comparison\":\"EQUALS\"}]},\"MaxResults\":10}", "{\"Title\":\"a\"}", true},
    };
    (void)state;
    run_cases(c, sizeof c / sizeof *c);
}

static void test_contains_and_modes(void **state)
{
    asff_filter_options o = ASFF_FILTER_OPTIONS_INIT;
    asff_filter *flt = NULL;
    asff_error err;
    asff_AwsSecurityFinding *f = F("{\"Title\":\"Security Hub finding\",\"UserDefinedFields\":{\"team\":\"Security team\"}}");
    const char *contains = "{\"Title\":[{\"Value\":\"Hub\",\"Comparison\":\"CONTAINS\"}]}";
    (void)state;
    /* FS-13: findings mode rejects CONTAINS */
    assert_int_equal(asff_filter_compile(contains, strlen(contains), NULL, &flt, &err), ASFF_ERR_FILTER);
    assert_null(flt);
    assert_string_equal(err.path, "/Title/0/Comparison");
    assert_non_null(strstr(err.message, "Title"));
    o.mode = ASFF_FILTER_RULE;
    flt = compile_opt(contains, &o);
    assert_true(asff_filter_match(flt, f));
    asff_filter_free(flt);
    o.mode = ASFF_FILTER_FINDINGS;
    o.allow_contains = true;
    flt = compile_opt("{\"Title\":[{\"Value\":\"hub\",\"Comparison\":\"CONTAINS\"}]}", &o);
    assert_false(asff_filter_match(flt, f));
    asff_filter_free(flt);
    flt = compile_opt("{\"Title\":[{\"Value\":\"Hub\",\"Comparison\":\"NOT_CONTAINS\"}]}", &o);
    assert_false(asff_filter_match(flt, f));
    asff_filter_free(flt);
    flt = compile_opt("{\"Title\":[{\"Value\":\"Macie\",\"Comparison\":\"NOT_CONTAINS\"},"
                      "{\"Value\":\"GuardDuty\",\"Comparison\":\"NOT_CONTAINS\"}]}", &o);
    assert_true(asff_filter_match(flt, f));
    asff_filter_free(flt);
    /* Map CONTAINS (section 3's example) */
    flt = compile_opt("{\"UserDefinedFields\":[{\"Key\":\"team\",\"Value\":\"Security\",\"Comparison\":\"CONTAINS\"}]}", &o);
    assert_true(asff_filter_match(flt, f));
    asff_filter_free(flt);
    /* CONTAINS_WORD is rejected in both modes */
    o.mode = ASFF_FILTER_RULE;
    assert_int_equal(asff_filter_compile(SL("{\"Title\":[{\"Value\":\"a\",\"Comparison\":\"CONTAINS_WORD\"}]}"), &o, &flt,
                                         &err),
                     ASFF_ERR_FILTER);
    assert_non_null(strstr(err.message, "V2"));
    /* rule mode: only the 38 criteria, no empty lists */
    assert_int_equal(asff_filter_compile(SL("{\"Region\":[{\"Value\":\"a\",\"Comparison\":\"EQUALS\"}]}"), &o, &flt, &err),
                     ASFF_ERR_FILTER);
    assert_string_equal(err.path, "/Region");
    assert_int_equal(asff_filter_compile(SL("{\"Title\":[]}"), &o, &flt, &err), ASFF_ERR_FILTER);
    asff_object_free(f);
}

static void test_rejected_mixes(void **state)
{
    static const char *const pairs[][2] = {
        {"EQUALS", "NOT_EQUALS"},        {"EQUALS", "PREFIX_NOT_EQUALS"}, {"CONTAINS", "NOT_CONTAINS"},
        {"CONTAINS", "EQUALS"},          {"CONTAINS", "PREFIX"},          {"CONTAINS", "NOT_EQUALS"},
        {"CONTAINS", "PREFIX_NOT_EQUALS"}, {"NOT_CONTAINS", "EQUALS"},    {"NOT_CONTAINS", "PREFIX"},
        {"NOT_CONTAINS", "NOT_EQUALS"},  {"NOT_CONTAINS", "PREFIX_NOT_EQUALS"}};
    static const char *const ok[][2] = {{"EQUALS", "PREFIX"}, {"PREFIX", "NOT_EQUALS"}, {"PREFIX", "PREFIX_NOT_EQUALS"},
                                        {"NOT_EQUALS", "PREFIX_NOT_EQUALS"}, {"EQUALS", "EQUALS"},
                                        {"CONTAINS", "CONTAINS"}, {"NOT_CONTAINS", "NOT_CONTAINS"}};
    asff_filter_options o = ASFF_FILTER_OPTIONS_INIT;
    char buf[256];
    size_t i;
    asff_filter *flt;
    asff_error err;
    (void)state;
    o.mode = ASFF_FILTER_RULE;
    for (i = 0; i < sizeof pairs / sizeof *pairs; i++) {
        int k;
        for (k = 0; k < 2; k++) {
            snprintf(buf, sizeof buf, "{\"Title\":[{\"Value\":\"a\",\"Comparison\":\"%s\"},{\"Value\":\"b\",\"Comparison\":\"%s\"}]}",
                     pairs[i][k], pairs[i][!k]);
            flt = NULL;
            if (asff_filter_compile(buf, strlen(buf), &o, &flt, &err) != ASFF_ERR_FILTER)
                fail_msg("%s + %s accepted", pairs[i][0], pairs[i][1]);
            assert_null(flt);
            assert_string_equal(err.path, "/Title");
            assert_non_null(strstr(err.message, "Title"));
        }
        /* FS-11: Map attributes across keys */
        if (strstr(pairs[i][0], "PREFIX") || strstr(pairs[i][1], "PREFIX"))
            continue;
        snprintf(buf, sizeof buf, "{\"ResourceTags\":[{\"Key\":\"a\",\"Value\":\"a\",\"Comparison\":\"%s\"},"
                 "{\"Key\":\"b\",\"Value\":\"b\",\"Comparison\":\"%s\"}]}", pairs[i][0], pairs[i][1]);
        assert_int_equal(asff_filter_compile(buf, strlen(buf), &o, &flt, &err), ASFF_ERR_FILTER);
        assert_string_equal(err.path, "/ResourceTags");
    }
    for (i = 0; i < sizeof ok / sizeof *ok; i++) {
        snprintf(buf, sizeof buf, "{\"Title\":[{\"Value\":\"a\",\"Comparison\":\"%s\"},{\"Value\":\"b\",\"Comparison\":\"%s\"}]}",
                 ok[i][0], ok[i][1]);
        assert_int_equal(asff_filter_compile(buf, strlen(buf), &o, &flt, &err), ASFF_OK);
        asff_filter_free(flt);
    }
    /* Map has no PREFIX */
    assert_int_equal(asff_filter_compile(SL("{\"ResourceTags\":[{\"Key\":\"a\",\"Value\":\"a\",\"Comparison\":\"PREFIX\"}]}"),
                                         &o, &flt, &err),
                     ASFF_ERR_FILTER);
}

static void expect_error(const char *json, const asff_filter_options *o, asff_status code, const char *path,
                         const char *word)
{
    asff_filter *flt = (asff_filter *)&flt;
    asff_error err;
    asff_status st = asff_filter_compile(json, strlen(json), o, &flt, &err);
    if (st != code)
        fail_msg("%s: status %d (%s), expected %d", json, st, err.message, code);
    assert_null(flt);
    assert_int_equal(err.code, code);
    if (path && strcmp(err.path, path) != 0)
        fail_msg("%s: path %s, expected %s", json, err.path, path);
    if (word && !strstr(err.message, word))
        fail_msg("%s: message '%s' lacks '%s'", json, err.message, word);
}

static void test_errors_and_limits(void **state)
{
    asff_filter_options o = ASFF_FILTER_OPTIONS_INIT;
    char buf[8192];
    size_t i, n, k;
    asff_filter *flt;
    (void)state;
    expect_error("{\"Title\":", NULL, ASFF_ERR_TRUNCATED, "/Title", NULL);
    {
        /* deep nesting is refused at the depth limit (the reader does not recurse) */
        char *deep = malloc(200003);
        assert_non_null(deep);
        deep[0] = '[';
        memset(deep + 1, '[', 100000);
        memset(deep + 100001, ']', 100000);
        memcpy(deep + 200001, "]", 2);
        expect_error(deep, NULL, ASFF_ERR_LIMIT, NULL, "deeper");
        strcpy(deep, "{\"Title\":[{\"Value\":\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\","
                     "\"Comparison\":\"EQUALS\"}]}");
        asff_filter_free(compile(deep)); /* brackets inside strings do not count */
        free(deep);
    }
    expect_error("[]", NULL, ASFF_ERR_FILTER, "", NULL);
    expect_error("{\"Nope\":[]}", NULL, ASFF_ERR_FILTER, "/Nope", "Nope");
    expect_error("{\"Title\":{}}", NULL, ASFF_ERR_FILTER, "/Title", "Title");
    expect_error("{\"Title\":[1]}", NULL, ASFF_ERR_FILTER, "/Title/0", "Title");
    expect_error("{\"Title\":[{\"Value\":\"a\"}]}", NULL, ASFF_ERR_FILTER, "/Title/0", "Comparison");
    expect_error("{\"Title\":[{\"Value\":\" \",\"Comparison\":\"EQUALS\"}]}", NULL, ASFF_ERR_FILTER, "/Title/0/Value", NULL);
    expect_error("{\"Title\":[{\"Value\":\"a\",\"Comparison\":\"equals\"}]}", NULL, ASFF_ERR_FILTER, "/Title/0/Comparison",
                 "equals");
    expect_error("{\"Title\":[{\"Value\":\"a\",\"Comparison\":\"EQUALS\",\"X\":1}]}", NULL, ASFF_ERR_FILTER, "/Title/0/X", NULL);
    expect_error("{\"Title\":[],\"Title\":[]}", NULL, ASFF_ERR_DUPLICATE, "/Title", "twice");
    expect_error("{\"Keyword\":[{\"Value\":\"x\"}]}", NULL, ASFF_ERR_UNSUPPORTED, "/Keyword", "Keyword");
    expect_error("{\"Confidence\":[{}]}", NULL, ASFF_ERR_FILTER, "/Confidence/0", "Confidence");
    expect_error("{\"Confidence\":[{\"Gte\":\"1\"}]}", NULL, ASFF_ERR_FILTER, "/Confidence/0/Gte", NULL);
    expect_error("{\"Sample\":[{\"Value\":\"true\"}]}", NULL, ASFF_ERR_FILTER, "/Sample/0", NULL);
    expect_error("{\"ResourceTags\":[{\"Value\":\"a\",\"Comparison\":\"EQUALS\"}]}", NULL, ASFF_ERR_FILTER, "/ResourceTags/0",
                 "Key");
    expect_error("{\"Filters\":{\"Nope\":[]}}", NULL, ASFF_ERR_FILTER, "/Filters/Nope", NULL);
    /* FS-20: 10 attributes x 20 entries, relaxed in local mode */
    n = (size_t)snprintf(buf, sizeof buf, "{");
    for (i = 0, k = 0; k < 11; i++)
        if (asff__filter_attrs[i].type == FT_STRING)
            n += (size_t)snprintf(buf + n, sizeof buf - n, "%s\"%s\":[{\"Value\":\"x\",\"Comparison\":\"EQUALS\"}]",
                                  k++ ? "," : "", asff__filter_attrs[i].name);
    snprintf(buf + n, sizeof buf - n, "}");
    o.local = false;
    expect_error(buf, &o, ASFF_ERR_FILTER, "", "10");
    o.local = true;
    flt = compile_opt(buf, &o);
    assert_int_equal(asff_filter_attribute_count(flt), 11);
    asff_filter_free(flt);
    n = (size_t)snprintf(buf, sizeof buf, "{\"ResourceId\":[");
    for (i = 0; i < 21; i++)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%s{\"Value\":\"r%zu\",\"Comparison\":\"EQUALS\"}", i ? "," : "", i);
    snprintf(buf + n, sizeof buf - n, "]}");
    o.local = false;
    expect_error(buf, &o, ASFF_ERR_FILTER, "/ResourceId", "20");
    o.mode = ASFF_FILTER_RULE; /* FS-22: ResourceId takes 100 as a criterion */
    flt = compile_opt(buf, &o);
    asff_filter_free(flt);
    o.mode = ASFF_FILTER_FINDINGS;
    o.local = true;
    flt = compile_opt(buf, &o);
    asff_filter_free(flt);
    /* options version */
    o.version = 99;
    expect_error("{}", &o, ASFF_ERR_INVALID_ARG, "", NULL);
}

static void test_numbers(void **state)
{
    static const mcase c[] = {
        {"{\"Confidence\":[{\"Gte\":50}]}", "{\"Confidence\":50}", true},
        {"{\"Confidence\":[{\"Gt\":50}]}", "{\"Confidence\":50}", false},
        {"{\"Confidence\":[{\"Lte\":50}]}", "{\"Confidence\":50}", true},
        {"{\"Confidence\":[{\"Lt\":50}]}", "{\"Confidence\":50}", false},
        {"{\"Confidence\":[{\"Eq\":50}]}", "{\"Confidence\":50}", true},
        {"{\"Confidence\":[{\"Eq\":50.5}]}", "{\"Confidence\":50}", false},
        /* FS-4: keys in one entry AND (a range); FS-3: entries OR */
        {"{\"Confidence\":[{\"Gte\":10,\"Lte\":20}]}", "{\"Confidence\":25}", false},
        {"{\"Confidence\":[{\"Gte\":10,\"Lte\":20},{\"Gt\":24}]}", "{\"Confidence\":25}", true},
        {"{\"SeverityProduct\":[{\"Gte\":7.25}]}", "{\"Severity\":{\"Product\":7.5}}", true},
        {"{\"SeverityProduct\":[{\"Gte\":7.75}]}", "{\"Severity\":{\"Product\":7.5}}", false},
        {"{\"SeverityNormalized\":[{\"Gte\":70}]}", "{\"Severity\":{\"Normalized\":90}}", true},
        {"{\"Confidence\":[{\"Gte\":0}]}", "{}", false}, /* FS-31 */
        {"{\"NetworkDestinationPort\":[{\"Eq\":443}]}", "{\"Network\":{\"DestinationPort\":443}}", true},
    };
    (void)state;
    run_cases(c, sizeof c / sizeof *c);
}

static void test_dates(void **state)
{
    static const mcase c[] = {
        /* FS-39: Start and End inclusive; FS-42: instants, offsets normalised */
        {"{\"UpdatedAt\":[{\"Start\":\"2024-01-01T00:00:00Z\",\"End\":\"2024-01-31T00:00:00Z\"}]}",
         "{\"UpdatedAt\":\"2024-01-01T00:00:00.000Z\"}", true},
        {"{\"UpdatedAt\":[{\"Start\":\"2024-01-01T00:00:00Z\",\"End\":\"2024-01-31T00:00:00Z\"}]}",
         "{\"UpdatedAt\":\"2024-01-31T00:00:00Z\"}", true},
        {"{\"UpdatedAt\":[{\"Start\":\"2024-01-01T00:00:00Z\",\"End\":\"2024-01-31T00:00:00Z\"}]}",
         "{\"UpdatedAt\":\"2024-01-31T00:00:00.000000001Z\"}", false},
        {"{\"UpdatedAt\":[{\"Start\":\"2024-01-01T00:00:00Z\",\"End\":\"2024-01-31T00:00:00Z\"}]}",
         "{\"UpdatedAt\":\"2024-01-01T00:59:59+01:00\"}", false},
        {"{\"UpdatedAt\":[{\"Start\":\"2024-01-01T00:00:00Z\",\"End\":\"2024-01-31T00:00:00Z\"}]}",
         "{\"UpdatedAt\":\"2023-12-31T19:00:00-0500\"}", true},
        {"{\"UpdatedAt\":[{\"Start\":\"2024-01-01T00:00:00+14:00\",\"End\":\"2024-01-01T00:00:00-14\"}]}",
         "{\"UpdatedAt\":\"2024-01-01T00:00:00Z\"}", true},
        {"{\"UpdatedAt\":[{\"Start\":\"2024-01-01T00:00:00Z\",\"End\":\"2024-12-31T00:00:00Z\"}]}",
         "{\"UpdatedAt\":\"2024-02-30T00:00:00Z\"}", false}, /* unparsable finding date */
        {"{\"UpdatedAt\":[{\"Start\":\"2016-12-31T23:59:59Z\",\"End\":\"2017-01-01T00:00:00Z\"}]}",
         "{\"UpdatedAt\":\"2016-12-31T23:59:60Z\"}", true}, /* TS-5 */
        /* FS-38: DateRange against NOW = 2024-06-01T00:00:00Z */
        {"{\"UpdatedAt\":[{\"DateRange\":{\"Value\":7,\"Unit\":\"DAYS\"}}]}", "{\"UpdatedAt\":\"2024-05-25T00:00:00Z\"}", true},
        {"{\"UpdatedAt\":[{\"DateRange\":{\"Value\":7,\"Unit\":\"DAYS\"}}]}", "{\"UpdatedAt\":\"2024-05-24T23:59:59.999Z\"}", false},
        {"{\"UpdatedAt\":[{\"DateRange\":{\"Value\":7,\"Unit\":\"DAYS\",\"Comparison\":\"WITHIN\"}}]}",
         "{\"UpdatedAt\":\"2030-01-01T00:00:00Z\"}", true},
        {"{\"UpdatedAt\":[{\"DateRange\":{\"Value\":7,\"Unit\":\"DAYS\",\"Comparison\":\"OLDER_THAN\"}}]}",
         "{\"UpdatedAt\":\"2024-05-24T23:59:59.999Z\"}", true},
        {"{\"UpdatedAt\":[{\"DateRange\":{\"Value\":7,\"Unit\":\"DAYS\",\"Comparison\":\"OLDER_THAN\"}}]}",
         "{\"UpdatedAt\":\"2024-05-25T00:00:00Z\"}", false},
        {"{\"UpdatedAt\":[{\"DateRange\":{\"Value\":0,\"Unit\":\"DAYS\"}}]}", "{\"UpdatedAt\":\"2024-06-01T00:00:00Z\"}", true},
        {"{\"UpdatedAt\":[{\"DateRange\":{\"Value\":1,\"Unit\":\"DAYS\"}}]}", "{}", false},
        /* entries ORed */
        {"{\"CreatedAt\":[{\"Start\":\"2020-01-01T00:00:00Z\",\"End\":\"2020-01-02T00:00:00Z\"},"
         "{\"DateRange\":{\"Value\":1,\"Unit\":\"DAYS\"}}]}",
         "{\"CreatedAt\":\"2024-05-31T12:00:00Z\"}", true},
        /* array path of dates */
        {"{\"ThreatIntelIndicatorLastObservedAt\":[{\"DateRange\":{\"Value\":1,\"Unit\":\"DAYS\"}}]}",
         "{\"ThreatIntelIndicators\":[{\"LastObservedAt\":\"2020-01-01T00:00:00Z\"},{\"LastObservedAt\":\"2024-05-31T12:00:00Z\"}]}",
         true},
    };
    asff_filter_options nonow = ASFF_FILTER_OPTIONS_INIT;
    (void)state;
    run_cases(c, sizeof c / sizeof *c);
    /* FS-40/41 and bad values */
    expect_error("{\"UpdatedAt\":[{\"Start\":\"2024-01-01T00:00:00Z\"}]}", NULL, ASFF_ERR_FILTER, "/UpdatedAt/0", "Start");
    expect_error("{\"UpdatedAt\":[{\"End\":\"2024-01-01T00:00:00Z\"}]}", NULL, ASFF_ERR_FILTER, "/UpdatedAt/0", NULL);
    expect_error("{\"UpdatedAt\":[{}]}", NULL, ASFF_ERR_FILTER, "/UpdatedAt/0", NULL);
    expect_error("{\"UpdatedAt\":[{\"Start\":\"2024-01-01T00:00:00Z\",\"End\":\"2024-01-02T00:00:00Z\","
                 "\"DateRange\":{\"Value\":1,\"Unit\":\"DAYS\"}}]}",
                 NULL, ASFF_ERR_FILTER, "/UpdatedAt/0", "DateRange");
    expect_error("{\"UpdatedAt\":[{\"Start\":\"2024-01-01\",\"End\":\"2024-01-02T00:00:00Z\"}]}", NULL, ASFF_ERR_FILTER,
                 "/UpdatedAt/0/Start", NULL);
    expect_error("{\"UpdatedAt\":[{\"Start\":\"Mon, 02 Jan 2006 15:04:05 MST\",\"End\":\"2024-01-02T00:00:00Z\"}]}", NULL,
                 ASFF_ERR_FILTER, "/UpdatedAt/0/Start", NULL); /* FS-51 */
    expect_error("{\"UpdatedAt\":[{\"Start\":\"2024-01-01T00:00:00Z\",\"End\":\"2024-01-02t00:00:00z\"}]}", NULL,
                 ASFF_ERR_FILTER, "/UpdatedAt/0/End", NULL);
    expect_error("{\"UpdatedAt\":[{\"DateRange\":{\"Value\":1,\"Unit\":\"DAYS\"}}]}", &nonow, ASFF_ERR_FILTER,
                 "/UpdatedAt/0/DateRange", "now");
    nonow.has_now = true;
    expect_error("{\"UpdatedAt\":[{\"DateRange\":{\"Value\":-1,\"Unit\":\"DAYS\"}}]}", &nonow, ASFF_ERR_FILTER,
                 "/UpdatedAt/0/DateRange/Value", NULL);
    expect_error("{\"UpdatedAt\":[{\"DateRange\":{\"Value\":1,\"Unit\":\"HOURS\"}}]}", &nonow, ASFF_ERR_FILTER,
                 "/UpdatedAt/0/DateRange/Unit", "DAYS");
    expect_error("{\"UpdatedAt\":[{\"DateRange\":{\"Value\":1,\"Unit\":\"DAYS\",\"Comparison\":\"BEFORE\"}}]}", &nonow,
                 ASFF_ERR_FILTER, "/UpdatedAt/0/DateRange/Comparison", NULL);
}

static void test_timestamp_parse(void **state)
{
    static const struct {
        const char *s;
        bool ok;
        int64_t sec;
        int32_t ns;
    } c[] = {
        {"1970-01-01T00:00:00Z", true, 0, 0},
        {"2024-06-01T00:00:00Z", true, NOW, 0},
        {"2024-06-01T02:00:00+02:00", true, NOW, 0},
        {"2024-06-01T02:00:00+0200", true, NOW, 0},
        {"2024-06-01T02:00:00+02", true, NOW, 0},
        {"2024-06-01T00:00:00.123456789Z", true, NOW, 123456789},
        {"2024-06-01T00:00:00.5Z", true, NOW, 500000000},
        {"1969-12-31T23:59:59Z", true, -1, 0},
        {"2000-02-29T00:00:00Z", true, 951782400, 0},
        {"1900-02-29T00:00:00Z", false, 0, 0},
        {"2024-06-01T00:00:00.1234567890Z", false, 0, 0},
        {"2024-06-01T00:00:00.Z", false, 0, 0},
        {"2024-06-01T00:00:00+18:01", false, 0, 0},
        {"2024-06-01T00:00:00+18:00", true, NOW - 18 * 3600, 0},
        {"2024-06-01T24:00:00Z", false, 0, 0},
        {"2024-06-01T12:00:60Z", false, 0, 0},
        {"2024-06-01 00:00:00Z", false, 0, 0},
        {"2024-06-01T00:00:00", false, 0, 0},
        {"2024-06-01T00:00:00Zx", false, 0, 0},
        {"2024-13-01T00:00:00Z", false, 0, 0},
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof c / sizeof *c; i++) {
        int64_t s = 0;
        int32_t ns = 0;
        bool ok = asff__filter_ts_parse(c[i].s, strlen(c[i].s), &s, &ns);
        if (ok != c[i].ok)
            fail_msg("%s: %s", c[i].s, ok ? "accepted" : "rejected");
        if (ok) {
            assert_int_equal(s, c[i].sec);
            assert_int_equal(ns, c[i].ns);
        }
    }
}

static void test_ip(void **state)
{
#define V4(cidr, ip) "{\"NetworkSourceIpV4\":[{\"Cidr\":\"" cidr "\"}]}", "{\"Network\":{\"SourceIpV4\":\"" ip "\"}}"
#define V6(cidr, ip) "{\"NetworkSourceIpV6\":[{\"Cidr\":\"" cidr "\"}]}", "{\"Network\":{\"SourceIpV6\":\"" ip "\"}}"
    static const mcase c[] = {
        {V4("10.0.0.0/8", "10.255.255.255"), true},
        {V4("10.0.0.0/8", "11.0.0.0"), false},
        {V4("10.0.0.0/8", "9.255.255.255"), false},
        {V4("192.168.1.0/31", "192.168.1.1"), true},
        {V4("192.168.1.0/31", "192.168.1.2"), false},
        {V4("192.168.1.7/32", "192.168.1.7"), true},
        {V4("192.168.1.7", "192.168.1.7"), true}, /* bare address = /32 */
        {V4("192.168.1.7", "192.168.1.6"), false},
        {V4("0.0.0.0/0", "203.0.113.9"), true},
        {V4("10.1.2.3/16", "10.1.200.1"), true}, /* host bits ignored */
        {V4("10.1.0.0/17", "10.1.128.0"), false},
        {V4("10.1.0.0/17", "10.1.127.255"), true},
        {V4("10.0.0.0/8", "2001:db8::1"), false},     /* family differs */
        {V4("10.0.0.0/8", "::ffff:10.0.0.1"), false}, /* FS-47: mapped is IPv6 */
        {V4("10.0.0.0/8", "010.0.0.1"), false},       /* unparsable value */
        {V4("10.0.0.0/8", "not an ip"), false},
        {V6("2001:db8::/32", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"), true},
        {V6("2001:db8::/32", "2001:db9::"), false},
        {V6("2001:db8::1/128", "2001:db8::1"), true},
        {V6("2001:db8::1/128", "2001:db8::2"), false},
        {V6("2001:db8::1", "2001:0db8:0000:0000:0000:0000:0000:0001"), true},
        {V6("::/0", "fe80::1"), true},
        {V6("::ffff:10.0.0.0/104", "::ffff:10.9.8.7"), true},
        {V6("::ffff:10.0.0.0/104", "::ffff:11.9.8.7"), false},
        {V6("2001:db8:8000::/33", "2001:db8:7fff::1"), false},
        {V6("2001:db8:8000::/33", "2001:db8:8000::1"), true},
        {V6("2001:db8::/32", "10.0.0.1"), false},
        /* array path, entries ORed */
        {"{\"ResourceAwsEc2InstanceIpV4Addresses\":[{\"Cidr\":\"192.0.2.0/24\"},{\"Cidr\":\"198.51.100.0/24\"}]}",
         "{\"Resources\":[{\"Type\":\"AwsEc2Instance\",\"Id\":\"i\",\"Details\":{\"AwsEc2Instance\":{\"IpV4Addresses\":[\"10.0.0.1\",\"198.51.100.7\"]}}}]}",
         true},
    };
    static const char *const bad[] = {"10.0.0.0/33", "10.0.0/8", "010.0.0.0/8", "10.0.0.0/08", "10.0.0.0/", "fe80::1%eth0/64",
                                      "2001:db8::/129", "2001:db8:::/32", "10.0.0.0/-1", "10.0.0.0/8/8"};
    size_t i;
    char buf[128];
    (void)state;
    run_cases(c, sizeof c / sizeof *c);
    for (i = 0; i < sizeof bad / sizeof *bad; i++) {
        snprintf(buf, sizeof buf, "{\"NetworkSourceIpV4\":[{\"Cidr\":\"%s\"}]}", bad[i]);
        expect_error(buf, NULL, ASFF_ERR_FILTER, "/NetworkSourceIpV4/0/Cidr", "NetworkSourceIpV4");
    }
}

static void test_maps_and_booleans(void **state)
{
    static const mcase c[] = {
        {"{\"ResourceTags\":[{\"Key\":\"env\",\"Value\":\"prod\",\"Comparison\":\"EQUALS\"}]}",
         "{\"Resources\":[{\"Type\":\"a\",\"Id\":\"1\",\"Tags\":{\"env\":\"dev\"}},{\"Type\":\"b\",\"Id\":\"2\",\"Tags\":{\"env\":\"prod\"}}]}",
         true},
        {"{\"ResourceTags\":[{\"Key\":\"env\",\"Value\":\"prod\",\"Comparison\":\"NOT_EQUALS\"}]}",
         "{\"Resources\":[{\"Type\":\"a\",\"Id\":\"1\",\"Tags\":{\"env\":\"dev\"}},{\"Type\":\"b\",\"Id\":\"2\",\"Tags\":{\"env\":\"prod\"}}]}",
         false},
        {"{\"ResourceTags\":[{\"Key\":\"env\",\"Value\":\"Prod\",\"Comparison\":\"EQUALS\"}]}",
         "{\"Resources\":[{\"Type\":\"a\",\"Id\":\"1\",\"Tags\":{\"env\":\"prod\"}}]}", false},
        {"{\"ResourceTags\":[{\"Key\":\"Env\",\"Value\":\"prod\",\"Comparison\":\"EQUALS\"}]}",
         "{\"Resources\":[{\"Type\":\"a\",\"Id\":\"1\",\"Tags\":{\"env\":\"prod\"}}]}", false}, /* FS-16 */
        {"{\"ResourceTags\":[{\"Key\":\"owner\",\"Value\":\"x\",\"Comparison\":\"NOT_EQUALS\"}]}",
         "{\"Resources\":[{\"Type\":\"a\",\"Id\":\"1\",\"Tags\":{\"env\":\"prod\"}}]}", true}, /* FS-30: missing key */
        {"{\"ProductFields\":[{\"Key\":\"aws/securityhub/ProductName\",\"Value\":\"GuardDuty\",\"Comparison\":\"EQUALS\"},"
         "{\"Key\":\"aws/securityhub/ProductName\",\"Value\":\"Macie\",\"Comparison\":\"EQUALS\"}]}",
         "{\"ProductFields\":{\"aws/securityhub/ProductName\":\"Macie\"}}", true},
        {"{\"ResourceDetailsOther\":[{\"Key\":\"a\",\"Value\":\"1\",\"Comparison\":\"EQUALS\"}]}",
         "{\"Resources\":[{\"Type\":\"a\",\"Id\":\"1\",\"Details\":{\"Other\":{\"a\":\"1\"}}}]}", true},
        {"{\"Sample\":[{\"Value\":true}]}", "{\"Sample\":true}", true},
        {"{\"Sample\":[{\"Value\":false}]}", "{\"Sample\":true}", false},
        {"{\"Sample\":[{\"Value\":false}]}", "{}", true}, /* FS-44 */
        {"{\"Sample\":[{\"Value\":true},{\"Value\":false}]}", "{}", true},
    };
    asff_filter_options o = ASFF_FILTER_OPTIONS_INIT;
    asff_filter *flt;
    asff_AwsSecurityFinding *f = F("{\"Title\":\"x\",\"Resources\":[{\"Type\":\"a\",\"Id\":\"1\",\"Tags\":{\"env\":\"prod\"}}]}");
    (void)state;
    run_cases(c, sizeof c / sizeof *c);
    /* FS-30 as an option: negatives need a value */
    o.negative_absent_fails = true;
    flt = compile_opt("{\"ResourceTags\":[{\"Key\":\"owner\",\"Value\":\"x\",\"Comparison\":\"NOT_EQUALS\"}]}", &o);
    assert_false(asff_filter_match(flt, f));
    asff_filter_free(flt);
    flt = compile_opt("{\"ResourceTags\":[{\"Key\":\"env\",\"Value\":\"x\",\"Comparison\":\"NOT_EQUALS\"}]}", &o);
    assert_true(asff_filter_match(flt, f));
    asff_filter_free(flt);
    flt = compile_opt("{\"ComplianceStatus\":[{\"Value\":\"FAILED\",\"Comparison\":\"NOT_EQUALS\"}]}", &o);
    assert_false(asff_filter_match(flt, f));
    assert_false(asff_filter_match(flt, NULL));
    {
        /* another model type (passed through void *) is never read with a finding's offsets */
        asff_Resource *r = ASFF_NEW_ROOT(Resource, NULL);
        asff_insight *ins;
        assert_non_null(r);
        assert_false(asff_filter_match(flt, (const void *)r));
        assert_int_equal(asff_insight_new(NULL, "ResourceId", NULL, &ins, NULL), ASFF_OK);
        assert_int_equal(asff_insight_add(ins, (const void *)r), ASFF_ERR_INVALID_ARG);
        asff_insight_free(ins);
        asff_object_free(r);
    }
    asff_filter_free(flt);
    asff_object_free(f);
}

static void test_canonical_json(void **state)
{
    const char *in = "{\"Title\":[{\"Comparison\":\"PREFIX\",\"Value\":\"a\\\"b\"}],\"Confidence\":[{\"Lte\":0.1,\"Gte\":5}],"
                     "\"UpdatedAt\":[{\"DateRange\":{\"Unit\":\"DAYS\",\"Value\":3}},{\"Start\":\"2024-01-01T00:00:00+01:00\","
                     "\"End\":\"2024-01-02T00:00:00Z\"}],\"NetworkSourceIpV6\":[{\"Cidr\":\"2001:db8::/32\"}],"
                     "\"ResourceTags\":[{\"Value\":\"v\",\"Comparison\":\"EQUALS\",\"Key\":\"k\"}],\"Sample\":[{\"Value\":false}],"
                     "\"SeverityLabel\":[]}";
    const char *want = "{\"Confidence\":[{\"Gte\":5,\"Lte\":0.1}],\"NetworkSourceIpV6\":[{\"Cidr\":\"2001:db8::/32\"}],"
                       "\"ResourceTags\":[{\"Key\":\"k\",\"Value\":\"v\",\"Comparison\":\"EQUALS\"}],\"Sample\":[{\"Value\":false}],"
                       "\"Title\":[{\"Value\":\"a\\\"b\",\"Comparison\":\"PREFIX\"}],\"UpdatedAt\":[{\"DateRange\":{\"Value\":3,"
                       "\"Unit\":\"DAYS\",\"Comparison\":\"WITHIN\"}},{\"Start\":\"2024-01-01T00:00:00+01:00\","
                       "\"End\":\"2024-01-02T00:00:00Z\"}]}";
    asff_filter *a = compile(in), *b;
    char *s1, *s2;
    size_t n;
    (void)state;
    assert_int_equal(asff_filter_to_json(a, &s1, &n, NULL), ASFF_OK);
    assert_string_equal(s1, want);
    assert_int_equal(n, strlen(want));
    b = compile(s1); /* a fixed point */
    assert_int_equal(asff_filter_to_json(b, &s2, NULL, NULL), ASFF_OK);
    assert_string_equal(s1, s2);
    asff_free_string(s1);
    asff_free_string(s2);
    asff_filter_free(a);
    asff_filter_free(b);
}

/* ---- the text prefilter ---------------------------------------------------------------------- */

static void test_prefilter(void **state)
{
    static const struct {
        const char *filter, *text;
        bool may;
    } c[] = {
        {"{\"SeverityLabel\":[{\"Value\":\"CRITICAL\",\"Comparison\":\"EQUALS\"}]}", "{\"Severity\":{\"Label\":\"LOW\"}}", false},
        {"{\"SeverityLabel\":[{\"Value\":\"CRITICAL\",\"Comparison\":\"EQUALS\"}]}", "{\"Severity\":{\"Label\":\"CRITICAL\"}}", true},
        {"{\"SeverityLabel\":[{\"Value\":\"CRITICAL\",\"Comparison\":\"EQUALS\"}]}", "{\"Title\":\"CRITICAL\"}", true},
        /* escaped spellings */
        {"{\"SeverityLabel\":[{\"Value\":\"CRITICAL\",\"Comparison\":\"EQUALS\"}]}", "{\"Severity\":{\"Label\":\"\\u0043RITICAL\"}}",
         true},
        {"{\"SeverityLabel\":[{\"Value\":\"CRITICAL\",\"Comparison\":\"EQUALS\"}]}", "{\"Title\":\"a \\\"b\\\"\"}", false},
        {"{\"Type\":[{\"Value\":\"TTPs/Discovery\",\"Comparison\":\"PREFIX\"}]}", "{\"Types\":[\"TTPs\\/Discovery\"]}", true},
        {"{\"Type\":[{\"Value\":\"TTPs/Discovery\",\"Comparison\":\"PREFIX\"}]}", "{\"Types\":[\"TTPs/Disco\"],\"T\":\"\\n\"}",
         false},
        {"{\"Title\":[{\"Value\":\"a\\\"b\",\"Comparison\":\"EQUALS\"}]}", "{\"Title\":\"x\\n\"}", true},
        {"{\"Title\":[{\"Value\":\"a\\\"b\",\"Comparison\":\"EQUALS\"}]}", "{\"Title\":\"x\"}", false},
        /* every attribute with only positives must find one of its values */
        {"{\"SeverityLabel\":[{\"Value\":\"HIGH\",\"Comparison\":\"EQUALS\"},{\"Value\":\"CRITICAL\",\"Comparison\":\"EQUALS\"}],"
         "\"RecordState\":[{\"Value\":\"ACTIVE\",\"Comparison\":\"EQUALS\"}]}",
         "{\"Severity\":{\"Label\":\"HIGH\"},\"RecordState\":\"ARCHIVED\"}", false},
        {"{\"SeverityLabel\":[{\"Value\":\"HIGH\",\"Comparison\":\"EQUALS\"},{\"Value\":\"CRITICAL\",\"Comparison\":\"EQUALS\"}],"
         "\"RecordState\":[{\"Value\":\"ACTIVE\",\"Comparison\":\"EQUALS\"}]}",
         "{\"Severity\":{\"Label\":\"HIGH\"},\"RecordState\":\"ACTIVE\"}", true},
        {"{\"ResourceTags\":[{\"Key\":\"env\",\"Value\":\"prod\",\"Comparison\":\"EQUALS\"}]}", "{\"Resources\":[]}", false},
        /* nothing to test on text: negatives, numbers, dates, no filter */
        {"{\"SeverityLabel\":[{\"Value\":\"CRITICAL\",\"Comparison\":\"NOT_EQUALS\"}]}", "{}", true},
        {"{\"SeverityLabel\":[{\"Value\":\"CRIT\",\"Comparison\":\"PREFIX\"},{\"Value\":\"C\",\"Comparison\":\"PREFIX_NOT_EQUALS\"}]}",
         "{}", true},
        {"{\"Confidence\":[{\"Gte\":1}]}", "{}", true},
        {"{}", "{}", true},
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof c / sizeof *c; i++) {
        asff_filter *flt = compile(c[i].filter);
        if (asff_filter_prefilter(flt, c[i].text, strlen(c[i].text)) != c[i].may)
            fail_msg("case %zu: prefilter(%s, %s) should be %d", i, c[i].filter, c[i].text, c[i].may);
        asff_filter_free(flt);
    }
    assert_true(asff_filter_prefilter(NULL, "x", 1));
}

/* asff_filter_prefilter_next through the SIMD scan, or the portable one (test_prefilter_next_portable). */
static bool use_portable_scan;
static size_t prefilter_next(asff_filter *f, const char *text, size_t len, size_t *lines)
{
    asff__filter_use_portable_scan(f, use_portable_scan);
    return asff_filter_prefilter_next(f, text, len, lines);
}

/* The first line of text[len] that asff_filter_prefilter passes, as asff_filter_prefilter_next
 * must find it: line by line, each with its newline. */
static size_t prefilter_lines(const asff_filter *flt, const char *text, size_t len, size_t *lines)
{
    size_t pos = 0;
    *lines = 0;
    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) + 1 : len;
        if (asff_filter_prefilter(flt, text + pos, end - pos))
            return pos;
        *lines += nl != NULL;
        pos = end;
    }
    return len;
}

#define PF_CRIT "{\"SeverityLabel\":[{\"Value\":\"CRITICAL\",\"Comparison\":\"EQUALS\"}]}"
#define PF_CRIT_ACTIVE                                                                                                 \
    "{\"SeverityLabel\":[{\"Value\":\"CRITICAL\",\"Comparison\":\"EQUALS\"}],"                                          \
    "\"RecordState\":[{\"Value\":\"ACTIVE\",\"Comparison\":\"EQUALS\"}]}"
#define PF_HIGH_CRIT                                                                                                   \
    "{\"SeverityLabel\":[{\"Value\":\"HIGH\",\"Comparison\":\"EQUALS\"},{\"Value\":\"CRITICAL\",\"Comparison\":\"EQUALS\"}]}"
#define PF_FIVE                                                                                                        \
    "{\"Title\":[{\"Value\":\"t1\",\"Comparison\":\"EQUALS\"},{\"Value\":\"t2\",\"Comparison\":\"EQUALS\"},"            \
    "{\"Value\":\"t3\",\"Comparison\":\"EQUALS\"},{\"Value\":\"t4\",\"Comparison\":\"EQUALS\"},"                        \
    "{\"Value\":\"CRITICAL\",\"Comparison\":\"PREFIX\"}]}"
#define PF_SLASH "{\"Type\":[{\"Value\":\"TTPs/Discovery\",\"Comparison\":\"PREFIX\"}]}"
#define PF_QUOTE "{\"Title\":[{\"Value\":\"a\\\"b\",\"Comparison\":\"EQUALS\"}]}"
#define PF_NEWLINE "{\"Title\":[{\"Value\":\"L\\n{\",\"Comparison\":\"EQUALS\"}]}"
#define PF_NONE "{\"SeverityLabel\":[{\"Value\":\"CRITICAL\",\"Comparison\":\"NOT_EQUALS\"}]}"

static void test_prefilter_next(void **state)
{
    static const struct {
        const char *filter, *text;
        size_t at, lines; /* SIZE_MAX: strlen(text) */
    } c[] = {
        {PF_CRIT, "", 0, 0},
        {PF_CRIT, "{\"L\":\"CRITICAL\"}\n{\"L\":\"LOW\"}\n", 0, 0},
        {PF_CRIT, "{\"L\":\"LOW\"}\n{\"L\":\"LOW\"}\n{\"L\":\"CRITICAL\"}\n{\"L\":\"LOW\"}\n", 24, 2},
        {PF_CRIT, "{\"L\":\"LOW\"}\n{\"L\":\"LOW\"}\n{\"L\":\"CRITICAL\"}", 24, 2}, /* no final newline */
        {PF_CRIT, "{\"L\":\"LOW\"}\n{\"L\":\"LOW\"}\n", SIZE_MAX, 2},
        {PF_CRIT, "{\"L\":\"LOW\"}\n{\"L\":\"LOW\"}", SIZE_MAX, 1},
        {PF_CRIT, "\n\n\n", SIZE_MAX, 3},
        {PF_CRIT, "CRITICAL", 0, 0},
        {PF_CRIT, "CRITICA", SIZE_MAX, 0},
        /* escapes: \u0043RITICAL may be CRITICAL, \" \n \\ cannot, \/ only for values with '/' */
        {PF_CRIT, "{\"L\":\"LOW\"}\n{\"L\":\"\\u0043RITICAL\"}\n{\"L\":\"CRITICAL\"}\n", 12, 1},
        {PF_CRIT, "{\"T\":\"a \\\"b\\\"\\n\\\\\"}\n{\"T\":\"a\\/b\"}\n{\"L\":\"CRITICAL\"}\n", 33, 2},
        {PF_CRIT, "{\"T\":\"\\\\u\"}\n{\"L\":\"CRITICAL\"}\n", 0, 0}, /* conservative, as the line test */
        {PF_CRIT, "{\"T\":\"x\\\"}\n", SIZE_MAX, 1},
        {PF_CRIT, "{\"T\":\"x\\", SIZE_MAX, 0}, /* a backslash last */
        {PF_CRIT, "{\"T\":\"\\\"\\\"\\\"\\\"\\\"\\\"\\\"\\\"\\\"\\\"\\\"\\\"\\\"\\\"\\\"\\\"\\\"\\\"\\\"\\\"\\\"\"}\n"
                  "{\"T\":\"\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\"}\n"
                  "{\"T\":\"x\\u\"}",
         99, 2}, /* dense backslashes, \u at the end */
        {PF_SLASH, "{\"Types\":[\"x\"]}\n{\"T\":\"a\\nb\"}\n{\"Types\":[\"TTPs\\/Discovery\"]}\n", 29, 2},
        {PF_SLASH, "{\"Types\":[\"TTPs/Disco\"]}\n{\"Types\":[\"TTPs/Discovery\"]}\n", 25, 1},
        {PF_QUOTE, "{\"Title\":\"x\"}\n{\"Title\":\"y\\n\"}\n", 14, 1}, /* any escape may spell '"' */
        {PF_QUOTE, "{\"Title\":\"x\"}\n{\"Title\":\"y\"}\n", SIZE_MAX, 2},
        /* every group must be found: CRITICAL without ACTIVE is skipped */
        {PF_CRIT_ACTIVE, "{\"L\":\"CRITICAL\",\"R\":\"ARCHIVED\"}\n{\"R\":\"ACTIVE\"}\n{\"L\":\"CRITICAL\",\"R\":\"ACTIVE\"}\n",
         47, 2},
        {PF_CRIT_ACTIVE, "{\"L\":\"CRITICAL\"}\n{\"R\":\"ACTIVE\"}\n", SIZE_MAX, 2},
        /* several values, and more than are searched for at once */
        {PF_HIGH_CRIT, "{\"L\":\"LOW\"}\n{\"L\":\"HIGH\"}\n", 12, 1},
        {PF_HIGH_CRIT, "{\"L\":\"LOW\"}\n{\"L\":\"MEDIUM\"}\n{\"L\":\"CRITICAL\"}", 27, 2},
        {PF_FIVE, "{\"Title\":\"t0\"}\n{\"Title\":\"t4\"}\n", 15, 1},
        {PF_FIVE, "{\"Title\":\"t0\"}\n{\"Title\":\"t5\"}\n", SIZE_MAX, 2},
        /* a value holding a newline is never inside one line */
        {PF_NEWLINE, "{\"Title\":\"L\n{\"Title\":\"x\"}\n", SIZE_MAX, 2},
        /* nothing to look for: every line may pass */
        {PF_NONE, "{}\n{}\n", 0, 0},
        {"{}", "{}\n", 0, 0},
    };
    size_t i, lines;
    (void)state;
    for (i = 0; i < sizeof c / sizeof *c; i++) {
        asff_filter *flt = compile(c[i].filter);
        size_t len = strlen(c[i].text), want = c[i].at == SIZE_MAX ? len : c[i].at, at, ref_lines;
        at = prefilter_next(flt, c[i].text, len, &lines);
        if (at != want || lines != c[i].lines)
            fail_msg("case %zu: prefilter_next(%s) = %zu (%zu lines), want %zu (%zu lines)", i, c[i].text, at, lines,
                     want, c[i].lines);
        if (prefilter_lines(flt, c[i].text, len, &ref_lines) != want || ref_lines != c[i].lines)
            fail_msg("case %zu: the table disagrees with asff_filter_prefilter", i);
        assert_int_equal(prefilter_next(flt, c[i].text, len, NULL), want);
        asff_filter_free(flt);
    }
    assert_int_equal(prefilter_next(NULL, "x\n", 2, &lines), 0);
    assert_int_equal(lines, 0);
    {
        /* many empty lines: the scan's per-byte newline counters must not wrap */
        static char many[40000 + 9];
        asff_filter *flt = compile(PF_CRIT);
        memset(many, '\n', 40000);
        assert_int_equal(prefilter_next(flt, many, 40000, &lines), 40000);
        assert_int_equal(lines, 40000);
        memcpy(many + 40000, "CRITICAL", 8);
        assert_int_equal(prefilter_next(flt, many, 40008, &lines), 40000);
        assert_int_equal(lines, 40000);
        asff_filter_free(flt);
    }
}

/* Long random lines (values across the 64-byte steps of the scan, at the end without a newline,
 * next to backslashes): every candidate line, in order, as asff_filter_prefilter finds them. */
static void test_prefilter_next_random(void **state)
{
    static const char *const filters[] = {PF_CRIT, PF_CRIT_ACTIVE, PF_HIGH_CRIT, PF_FIVE, PF_SLASH, PF_QUOTE, PF_NEWLINE};
    static const char *const pieces[] = {"CRITICAL", "ACTIVE", "HIGH", "CRITICA", "RITICAL", "\\u0043RITICAL", "\\\"",
                                         "\\n", "\\\\", "\\/", "TTPs/Discovery", "TTPs\\/Discovery", "a\"b", "t4",
                                         "L\n{", "\n", "\n", "\n", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "\"Title\":\"",
                                         "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy", "{", "}"};
    static char text[8192];
    uint32_t seed = 12345;
    size_t round, k;
    (void)state;
    for (round = 0; round < 3000; round++) {
        asff_filter *flt = compile(filters[round % (sizeof filters / sizeof *filters)]);
        size_t len = 0, npieces, pos = 0, lines_total = 0;
        seed = seed * 1103515245u + 12345u;
        npieces = (seed >> 16) % 200;
        for (k = 0; k < npieces; k++) {
            const char *pc;
            size_t n;
            seed = seed * 1103515245u + 12345u;
            /* mostly filler so that candidates are sparse */
            pc = (seed >> 16) % 4 ? pieces[18 + (seed >> 20) % 5] : pieces[(seed >> 20) % (sizeof pieces / sizeof *pieces)];
            n = strlen(pc);
            if (len + n > sizeof text)
                break;
            memcpy(text + len, pc, n);
            len += n;
        }
        /* every candidate in turn, skipping each found line as asff filter does */
        while (pos <= len) {
            size_t lines, ref_lines, at, ref;
            at = pos + prefilter_next(flt, text + pos, len - pos, &lines);
            ref = pos + prefilter_lines(flt, text + pos, len - pos, &ref_lines);
            if (at != ref || lines != ref_lines)
                fail_msg("round %zu at %zu: %zu (%zu lines), want %zu (%zu lines)", round, pos, at, lines, ref, ref_lines);
            lines_total += lines;
            if (at == len)
                break;
            {
                const char *nl = memchr(text + at, '\n', len - at);
                pos = nl ? (size_t)(nl - text) + 1 : len;
                lines_total += nl != NULL;
            }
        }
        {
            size_t nls = 0;
            for (k = 0; k < len; k++)
                nls += text[k] == '\n';
            assert_int_equal(lines_total, nls);
        }
        asff_filter_free(flt);
    }
}

/* The same two tests through the portable scan, which SIMD builds would otherwise never run
 * (lib/filter/filter.c; asff__filter_use_portable_scan is internal, visible to this static link). */
static void test_prefilter_next_portable(void **state)
{
    use_portable_scan = true;
    test_prefilter_next(state);
    test_prefilter_next_random(state);
    use_portable_scan = false;
}

/* ---- sorting --------------------------------------------------------------------------------- */

static void test_sort(void **state)
{
    const char *docs[] = {
        "{\"Id\":\"a\",\"ProductArn\":\"p\",\"UpdatedAt\":\"2024-01-01T00:00:00Z\",\"Confidence\":50,\"Severity\":{\"Label\":\"LOW\"}}",
        "{\"Id\":\"b\",\"ProductArn\":\"p\",\"UpdatedAt\":\"2024-01-03T00:00:00Z\",\"Confidence\":90,\"Severity\":{\"Label\":\"HIGH\"}}",
        "{\"Id\":\"c\",\"ProductArn\":\"p\",\"UpdatedAt\":\"2024-01-02T00:00:00+05:00\",\"Severity\":{\"Label\":\"CRITICAL\"}}",
        "{\"Id\":\"d\",\"ProductArn\":\"p\",\"UpdatedAt\":\"2024-01-02T00:00:00Z\",\"Confidence\":50,\"Severity\":{\"Label\":\"LOW\"}}",
        ("{\"Id\":\"e\",\"ProductArn\":\"o\",\"UpdatedAt\":\"2024-01-02T00:00:00Z\",\"Confidence\":50,"
         "\"Resources\":[{\"Type\":\"z\",\"Id\":\"1\"},{\"Type\":\"a\",\"Id\":\"2\"}]}"),
    };
    void *f[5], *g[5];
    char order[8];
    size_t i, n;
    asff_sort *s = NULL;
    (void)asff_sort_new(NULL, &s, NULL);
    asff_topk *t;
    asff_error err;
    (void)state;
    for (i = 0; i < 5; i++)
        f[i] = F(docs[i]);
#define ORDER(s_)                                                                                                  \
    do {                                                                                                           \
        memcpy(g, f, sizeof g);                                                                                    \
        assert_int_equal(asff_sort_findings((s_), g, 5), ASFF_OK);                                                 \
        for (i = 0; i < 5; i++)                                                                                    \
            order[i] = ((asff_AwsSecurityFinding *)g[i])->Id[0];                                                   \
        order[5] = 0;                                                                                              \
    } while (0)
    /* no criteria: UpdatedAt desc, ProductArn asc, Id asc */
    ORDER(s);
    assert_string_equal(order, "bedca");
    /* Confidence desc, missing last; ties by the default order */
    assert_int_equal(asff_sort_add_json(s, SL("[{\"Field\":\"Confidence\",\"SortOrder\":\"desc\"}]"), &err), ASFF_OK);
    ORDER(s);
    assert_string_equal(order, "bedac");
    asff_sort_free(s);
    (void)asff_sort_new(NULL, &s, NULL);
    assert_int_equal(asff_sort_add(s, "Confidence", false, NULL), ASFF_OK);
    assert_int_equal(asff_sort_add(s, "SeverityLabel", true, NULL), ASFF_OK);
    ORDER(s);
    assert_string_equal(order, "dae" "bc");
    asff_sort_free(s);
    /* arrays: asc uses the minimum element, desc the maximum; strings by code point */
    (void)asff_sort_new(NULL, &s, NULL);
    assert_int_equal(asff_sort_add(s, "ResourceType", false, NULL), ASFF_OK);
    ORDER(s);
    assert_int_equal(order[0], 'e');
    asff_sort_free(s);
    (void)asff_sort_new(NULL, &s, NULL);
    assert_int_equal(asff_sort_add(s, "UpdatedAt", false, NULL), ASFF_OK);
    ORDER(s);
    assert_string_equal(order, "acedb"); /* c is 2024-01-01T19:00Z */
    /* top-K keeps the first K of the full order */
    (void)asff_topk_new(s, 2, NULL, &t, NULL);
    for (i = 0; i < 5; i++) {
        void *out = asff_topk_push(t, f[4 - i]);
        if (i < 2)
            assert_null(out);
        else
            assert_non_null(out);
    }
    g[0] = asff_topk_sorted(t, &n)[0];
    assert_int_equal(n, 2);
    assert_string_equal(((asff_AwsSecurityFinding *)asff_topk_sorted(t, &n)[0])->Id, "a");
    assert_string_equal(((asff_AwsSecurityFinding *)asff_topk_sorted(t, &n)[1])->Id, "c");
    assert_ptr_equal(asff_topk_push(t, f[1]), f[1]); /* b sorts last: rejected, after sorted() too */
    asff_topk_free(t);
    asff_sort_free(s);
    {
        /* top-K over more findings than its first allocation equals the head of the full sort */
        void *many[300], *copy[300], **kept;
        char json[96];
        size_t kn;
        (void)asff_sort_new(NULL, &s, NULL);
        assert_int_equal(asff_sort_add(s, "Confidence", true, NULL), ASFF_OK);
        (void)asff_topk_new(s, 200, NULL, &t, NULL);
        for (i = 0; i < 300; i++) {
            snprintf(json, sizeof json, "{\"Id\":\"f%03zu\",\"Confidence\":%zu}", i, (i * 7) % 101);
            many[i] = F(json);
            copy[i] = many[i];
            asff_topk_push(t, many[i]);
        }
        assert_int_equal(asff_sort_findings(s, copy, 300), ASFF_OK);
        kept = asff_topk_sorted(t, &kn);
        assert_int_equal(kn, 200);
        for (i = 0; i < 200; i++)
            assert_ptr_equal(kept[i], copy[i]);
        assert_int_equal(((asff_AwsSecurityFinding *)kept[0])->Confidence->value, 100);
        asff_topk_free(t);
        asff_sort_free(s);
        for (i = 0; i < 300; i++)
            asff_object_free(many[i]);
    }
    /* errors */
    (void)asff_sort_new(NULL, &s, NULL);
    assert_int_equal(asff_sort_add(s, "ResourceTags", false, &err), ASFF_ERR_FILTER);
    assert_int_equal(asff_sort_add(s, "Nope", false, &err), ASFF_ERR_FILTER);
    assert_int_equal(asff_sort_add_json(s, SL("[{\"Field\":\"Title\",\"SortOrder\":\"DESC\"}]"), &err), ASFF_ERR_FILTER);
    assert_string_equal(err.path, "/0");
    assert_int_equal(asff_sort_add_json(s, SL("[{\"SortOrder\":\"asc\"}]"), &err), ASFF_ERR_FILTER);
    asff_sort_free(s);
    for (i = 0; i < 5; i++)
        asff_object_free(f[i]);
}

/* ---- insights ------------------------------------------------------------------------------- */

static void test_insight_counting(void **state)
{
    const char *docs[] = {
        ("{\"Id\":\"1\",\"Types\":[\"A\",\"B\",\"A\"],\"Resources\":[{\"Type\":\"AwsEc2Instance\",\"Id\":\"i-1\"},"
         "{\"Type\":\"AwsEc2Instance\",\"Id\":\"i-2\"},{\"Type\":\"AwsIamAccessKey\",\"Id\":\"k-1\"}],\"RecordState\":\"ACTIVE\"}"),
        "{\"Id\":\"2\",\"Types\":[\"A\"],\"Resources\":[{\"Type\":\"AwsS3Bucket\",\"Id\":\"i-1\"}],\"RecordState\":\"ACTIVE\"}",
        "{\"Id\":\"3\",\"Types\":[\"C\"],\"Resources\":[{\"Type\":\"AwsS3Bucket\",\"Id\":\"b\"}],\"RecordState\":\"ARCHIVED\"}",
        "{\"Id\":\"4\",\"Types\":[\"\"],\"RecordState\":\"ACTIVE\"}",
    };
    asff_filter *flt = compile("{\"RecordState\":[{\"Value\":\"ACTIVE\",\"Comparison\":\"EQUALS\"}],"
                               "\"ResourceType\":[{\"Value\":\"AwsEc2Instance\",\"Comparison\":\"EQUALS\"},"
                               "{\"Value\":\"AwsS3Bucket\",\"Comparison\":\"EQUALS\"}]}");
    asff_insight_options io = ASFF_INSIGHT_OPTIONS_INIT;
    asff_insight *ins, *it;
    const asff_insight_result *r;
    asff_error err;
    size_t n, i;
    char *js;
    void *f[4];
    (void)state;
    for (i = 0; i < 4; i++)
        f[i] = F(docs[i]);
    io.insight_arn = "arn:aws:securityhub:us-east-1:111:insight/111/custom/x";
    assert_int_equal(asff_insight_new(flt, "ResourceType", &io, &ins, &err), ASFF_OK);
    assert_int_equal(asff_insight_new(NULL, "Type", NULL, &it, &err), ASFF_OK);
    for (i = 0; i < 4; i++) {
        assert_int_equal(asff_insight_add(ins, f[i]), ASFF_OK);
        assert_int_equal(asff_insight_add(it, f[i]), ASFF_OK);
    }
    assert_int_equal(asff_insight_matched(ins), 2);
    /* FS-66/68: every resource of a matching finding, once per distinct value per finding */
    assert_int_equal(asff_insight_results(ins, &r, &n), ASFF_OK);
    assert_int_equal(n, 3);
    assert_string_equal(r[0].value, "AwsEc2Instance");
    assert_int_equal(r[0].count, 1);
    assert_string_equal(r[1].value, "AwsIamAccessKey");
    assert_string_equal(r[2].value, "AwsS3Bucket");
    assert_int_equal(asff_insight_to_json(ins, false, &js, NULL, &err), ASFF_OK);
    assert_string_equal(js, "{\"InsightResults\":{\"InsightArn\":\"arn:aws:securityhub:us-east-1:111:insight/111/custom/x\","
                            "\"GroupByAttribute\":\"ResourceType\",\"ResultValues\":[{\"GroupByAttributeValue\":\"AwsEc2Instance\","
                            "\"Count\":1},{\"GroupByAttributeValue\":\"AwsIamAccessKey\",\"Count\":1},{\"GroupByAttributeValue\":"
                            "\"AwsS3Bucket\",\"Count\":1}]}}");
    asff_free_string(js);
    /* Types: A twice in finding 1 counts once; "" is no group (FS-69) */
    assert_int_equal(asff_insight_results(it, &r, &n), ASFF_OK);
    assert_int_equal(n, 3);
    assert_string_equal(r[0].value, "A");
    assert_int_equal(r[0].count, 2);
    assert_string_equal(r[1].value, "B");
    assert_string_equal(r[2].value, "C");
    asff_insight_free(it);
    asff_insight_free(ins);
    /* group-by validation (FS-72) */
    assert_int_equal(asff_insight_new(NULL, "Confidence", NULL, &it, &err), ASFF_ERR_FILTER);
    assert_non_null(strstr(err.message, "Confidence"));
    assert_int_equal(asff_insight_new(NULL, "ResourceTags", NULL, &it, &err), ASFF_ERR_FILTER);
    assert_int_equal(asff_insight_new(NULL, "Nope", NULL, &it, &err), ASFF_ERR_FILTER);
    assert_int_equal(asff_insight_new(NULL, "NetworkSourceIpV4", NULL, &it, &err), ASFF_OK);
    asff_insight_free(it);
    asff_filter_free(flt);
    for (i = 0; i < 4; i++)
        asff_object_free(f[i]);
}

static void test_insight_limit(void **state)
{
    asff_insight *ins, *all;
    asff_insight_options io = ASFF_INSIGHT_OPTIONS_INIT;
    const asff_insight_result *r;
    size_t n, i;
    char json[128];
    (void)state;
    assert_int_equal(asff_insight_new(NULL, "Title", NULL, &ins, NULL), ASFF_OK);
    io.max_results = SIZE_MAX;
    assert_int_equal(asff_insight_new(NULL, "Title", &io, &all, NULL), ASFF_OK);
    for (i = 0; i < 1000; i++) {
        asff_AwsSecurityFinding *f;
        snprintf(json, sizeof json, "{\"Title\":\"t%04zu\"}", i % 250);
        f = F(json);
        assert_int_equal(asff_insight_add(ins, f), ASFF_OK);
        assert_int_equal(asff_insight_add(all, f), ASFF_OK);
        asff_object_free(f);
    }
    assert_int_equal(asff_insight_results(ins, &r, &n), ASFF_OK);
    assert_int_equal(n, 100); /* FS-65 */
    assert_string_equal(r[0].value, "t0000");
    assert_string_equal(r[99].value, "t0099"); /* FS-70: ties by value */
    assert_int_equal(r[99].count, 4);
    assert_int_equal(asff_insight_results(all, &r, &n), ASFF_OK);
    assert_int_equal(n, 250);
    asff_insight_free(ins);
    asff_insight_free(all);
}

/* The best max_results groups (picked with a heap) are the first ones of the whole sorted list, for
 * counts that vary and tie, whatever max_results. */
static void test_insight_top(void **state)
{
    static const size_t limits[] = {1, 2, 7, 100, 299, 300, 301};
    asff_insight *ins[sizeof limits / sizeof limits[0]], *all;
    asff_insight_options io = ASFF_INSIGHT_OPTIONS_INIT;
    const asff_insight_result *r, *ra;
    size_t n, na, i, k;
    char json[128];
    (void)state;
    io.max_results = SIZE_MAX;
    assert_int_equal(asff_insight_new(NULL, "Title", &io, &all, NULL), ASFF_OK);
    for (k = 0; k < sizeof limits / sizeof limits[0]; k++) {
        io.max_results = limits[k];
        assert_int_equal(asff_insight_new(NULL, "Title", &io, &ins[k], NULL), ASFF_OK);
    }
    for (i = 0; i < 300; i++) {
        size_t times = (i * 7919u) % 13u + 1u, t;
        snprintf(json, sizeof json, "{\"Title\":\"g%03zu\"}", (i * 37u) % 300u);
        for (t = 0; t < times; t++) {
            asff_AwsSecurityFinding *f = F(json);
            assert_int_equal(asff_insight_add(all, f), ASFF_OK);
            for (k = 0; k < sizeof limits / sizeof limits[0]; k++)
                assert_int_equal(asff_insight_add(ins[k], f), ASFF_OK);
            asff_object_free(f);
        }
    }
    assert_int_equal(asff_insight_results(all, &ra, &na), ASFF_OK);
    assert_int_equal(na, 300);
    for (i = 1; i < na; i++) /* count descending, then value ascending */
        assert_true(ra[i - 1].count > ra[i].count ||
                    (ra[i - 1].count == ra[i].count && strcmp(ra[i - 1].value, ra[i].value) < 0));
    for (k = 0; k < sizeof limits / sizeof limits[0]; k++) {
        assert_int_equal(asff_insight_results(ins[k], &r, &n), ASFF_OK);
        assert_int_equal(n, limits[k] < 300 ? limits[k] : 300);
        for (i = 0; i < n; i++) {
            assert_string_equal(r[i].value, ra[i].value);
            assert_int_equal(r[i].count, ra[i].count);
        }
        asff_insight_free(ins[k]);
    }
    asff_insight_free(all);
}

static void test_managed_catalog(void **state)
{
    unsigned i;
    (void)state;
    assert_int_equal(asff_managed_insight_count(), 32);
    for (i = 0; i < 32; i++) {
        const asff_managed_insight *m = asff_managed_insight_get(i);
        asff_filter *flt;
        asff_insight *ins;
        char num[8];
        assert_int_equal(m->number, (int)i + 1);
        snprintf(num, sizeof num, "%d", m->number);
        assert_ptr_equal(asff_managed_insight_find(num), m);
        assert_ptr_equal(asff_managed_insight_find(m->name), m);
        assert_ptr_equal(asff_managed_insight_find(m->arn), m);
        assert_non_null(strstr(m->arn, "arn:aws:securityhub:::insight/securityhub/default/"));
        flt = compile(m->filters); /* every template compiles */
        assert_int_equal(asff_insight_new(flt, m->group_by, NULL, &ins, NULL), ASFF_OK);
        asff_insight_free(ins);
        asff_filter_free(flt);
    }
    assert_null(asff_managed_insight_get(32));
    assert_null(asff_managed_insight_find("33"));
    assert_null(asff_managed_insight_find("0"));
    assert_null(asff_managed_insight_find(""));
    assert_string_equal(asff_managed_insight_find("24")->name, "Severity by counts of findings");
}

/* ---- managed insights against the Python reference ------------------------------------------- */

typedef struct corpus {
    asff_AwsSecurityFinding **f;
    size_t n, cap;
} corpus;

static void corpus_add_tree(corpus *c, yajl_val v)
{
    size_t i;
    const char *fp[] = {"Findings", NULL};
    const char *dp[] = {"detail", NULL};
    yajl_val list = NULL;
    if (YAJL_IS_ARRAY(v))
        list = v;
    else if (YAJL_IS_OBJECT(v) && YAJL_IS_ARRAY(yajl_tree_get(v, fp, yajl_t_array)))
        list = yajl_tree_get(v, fp, yajl_t_array);
    else if (YAJL_IS_OBJECT(v) && YAJL_IS_OBJECT(yajl_tree_get(v, dp, yajl_t_object))) {
        const char *ep[] = {"detail", "findings", NULL};
        list = yajl_tree_get(v, ep, yajl_t_array);
        if (!list)
            return;
    }
    if (list) {
        for (i = 0; i < list->u.array.len; i++)
            if (YAJL_IS_OBJECT(list->u.array.values[i]))
                corpus_add_tree(c, list->u.array.values[i]);
        return;
    }
    if (!YAJL_IS_OBJECT(v))
        return;
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 64;
        c->f = realloc(c->f, c->cap * sizeof *c->f);
        assert_non_null(c->f);
    }
    c->f[c->n++] = from_tree(v);
}

static char *slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    char *buf;
    long n;
    assert_non_null(fp);
    fseek(fp, 0, SEEK_END);
    n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
    buf[n] = 0;
    fclose(fp);
    *len = (size_t)n;
    return buf;
}

static void corpus_load(corpus *c, const char *path)
{
    size_t len;
    char *text = slurp(path, &len), eb[256];
    bool nd = strlen(path) > 6 && strcmp(path + strlen(path) - 6, ".jsonl") == 0;
    if (nd) {
        char *line = text, *nl;
        for (; *line; line = nl ? nl + 1 : line + strlen(line)) {
            yajl_val v;
            nl = strchr(line, '\n');
            if (nl)
                *nl = 0;
            if (!line[strspn(line, " \t\r")])
                continue;
            v = yajl_tree_parse(line, eb, sizeof eb);
            assert_non_null(v);
            corpus_add_tree(c, v);
            yajl_tree_free(v);
        }
    } else {
        yajl_val v = yajl_tree_parse(text, eb, sizeof eb);
        if (v) /* files that are not JSON are skipped, as filter_ref.py does */
            corpus_add_tree(c, v);
        yajl_tree_free(v);
    }
    free(text);
}

static const char *const real_files[] = {
    "asr/CIS-1.3.json", "asr/CIS-bad.json", "asr/CIS_1-6-multi-select.json", "asr/afsbp-ec2.1.json", "asr/afsbp-ec2.7.json",
    "asr/afsbp-iam.8-nodetails.json", "asr/afsbp-lambda.1.json", "asr/afsbp-rds.2.json", "asr/afsbp-redshift.1.json",
    "asr/afsbp-s3.1.json", "asr/afsbp_rds6.json", "asr/cis-31.json", "asr/cis1314-save.json", "asr/cis15111.json",
    "asr/cis24.json", "asr/custom-action-mismatch.json", "asr/pci-ec2.1.json", "asr/pci-s3.1.json",
    "awsdocs/access-analyzer-typical-finding.json", "awsdocs/config-typical-finding.json",
    "awsdocs/eventbridge-insight-results-example.json", "awsdocs/guardduty-typical-finding.json",
    "awsdocs/inspector-typical-finding.json", "awsdocs/sample-control-finding-cis-1.2.json",
    "awsdocs/sample-control-finding-consolidated.MALFORMED.json", "awsdocs/sample-control-finding-control-tower.json",
    "awsdocs/sample-control-finding-fsbp.json", "heimdall2/asff_sample.json", "heimdall2/prowler-sample.asff-json.jsonl",
    "heimdall2/prowler_sample.json", "heimdall2/restrictions-test-results.asff.json", "heimdall2/rhel7_V-71931_asff.json",
    "heimdall2/trivy-image_golang-1.12-alpine_sample.json", "heimdall2/undefined-code.asff.json",
    "jfrog-xray/sec_hub_finding_op_risk.json", "jfrog-xray/sec_hub_finding_security.json",
    "jfrog-xray/sec_hub_findings_license.json", "trivy/alpine-310.asff.golden.json", "trivy/secrets.asff.golden.json"};

/* Run filter_ref.py over files and compare every managed insight's complete result list. */
static void compare_with_reference(const char *const *files, size_t nfiles, size_t expect_findings, unsigned *nonempty)
{
    char cmd[16384], eb[256];
    size_t n, i, k;
    corpus c = {NULL, 0, 0};
    FILE *p;
    char *out = NULL;
    size_t olen = 0, ocap = 0;
    yajl_val ref;
    n = (size_t)snprintf(cmd, sizeof cmd, "%s %s/tests/filter_ref.py --now %d", ASFF_PYTHON, ASFF_SOURCE_DIR, NOW);
    for (i = 0; i < nfiles; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/filter/%s", ASFF_TEST_DATA, files[i]);
        n += (size_t)snprintf(cmd + n, sizeof cmd - n, " '%s'", path);
        corpus_load(&c, path);
    }
    assert_true(n < sizeof cmd);
    assert_int_equal(c.n, expect_findings);
    p = popen(cmd, "r");
    assert_non_null(p);
    for (;;) {
        size_t got;
        if (olen + 4096 > ocap) {
            ocap = ocap ? ocap * 2 : 65536;
            out = realloc(out, ocap);
            assert_non_null(out);
        }
        got = fread(out + olen, 1, ocap - olen - 1, p);
        if (!got)
            break;
        olen += got;
    }
    out[olen] = 0;
    assert_int_equal(pclose(p), 0);
    ref = yajl_tree_parse(out, eb, sizeof eb);
    assert_non_null(ref);
    for (i = 0; i < asff_managed_insight_count(); i++) {
        const asff_managed_insight *m = asff_managed_insight_get((unsigned)i);
        char num[8];
        const char *rp[] = {num, "results", NULL};
        const char *mp[] = {num, "matched", NULL};
        yajl_val want, matched;
        asff_filter *flt = compile(m->filters);
        asff_insight_options io = ASFF_INSIGHT_OPTIONS_INIT;
        asff_insight *ins;
        const asff_insight_result *r;
        size_t nr;
        snprintf(num, sizeof num, "%d", m->number);
        want = yajl_tree_get(ref, rp, yajl_t_array);
        matched = yajl_tree_get(ref, mp, yajl_t_number);
        assert_non_null(want);
        assert_non_null(matched);
        io.max_results = SIZE_MAX;
        assert_int_equal(asff_insight_new(flt, m->group_by, &io, &ins, NULL), ASFF_OK);
        for (k = 0; k < c.n; k++)
            assert_int_equal(asff_insight_add(ins, c.f[k]), ASFF_OK);
        assert_int_equal(asff_insight_results(ins, &r, &nr), ASFF_OK);
        if ((long long)asff_insight_matched(ins) != YAJL_GET_INTEGER(matched))
            fail_msg("insight %d: %llu findings matched, reference %lld", m->number,
                     (unsigned long long)asff_insight_matched(ins), YAJL_GET_INTEGER(matched));
        if (nr != want->u.array.len)
            fail_msg("insight %d: %zu groups, reference %zu", m->number, nr, want->u.array.len);
        for (k = 0; k < nr; k++) {
            yajl_val pair = want->u.array.values[k];
            const char *wv = YAJL_IS_STRING(pair->u.array.values[0]) ? pair->u.array.values[0]->u.string : "";
            if (strcmp(r[k].value, wv) != 0 ||
                (long long)r[k].count != YAJL_GET_INTEGER(pair->u.array.values[1]))
                fail_msg("insight %d row %zu: %s=%llu, reference %s=%lld", m->number, k, r[k].value,
                         (unsigned long long)r[k].count, wv,
                         YAJL_GET_INTEGER(pair->u.array.values[1]));
        }
        *nonempty += nr > 0;
        asff_insight_free(ins);
        asff_filter_free(flt);
    }
    yajl_tree_free(ref);
    free(out);
    for (k = 0; k < c.n; k++)
        asff_object_free(c.f[k]);
    free(c.f);
}

static void test_reference_real(void **state)
{
    unsigned nonempty = 0;
    (void)state;
    char *files[sizeof real_files / sizeof *real_files];
    size_t i;
    for (i = 0; i < sizeof real_files / sizeof *real_files; i++) {
        files[i] = malloc(strlen(real_files[i]) + 16);
        assert_non_null(files[i]);
        sprintf(files[i], "../real/%s", real_files[i]); /* the corpus of tests/data/real */
    }
    compare_with_reference((const char *const *)files, sizeof real_files / sizeof *real_files, 127, &nonempty);
    assert_true(nonempty >= 10);
    for (i = 0; i < sizeof real_files / sizeof *real_files; i++)
        free(files[i]);
}

static void test_reference_generated(void **state)
{
    static const char *const files[] = {"generated.json"};
    unsigned nonempty = 0;
    (void)state;
    compare_with_reference(files, 1, 400, &nonempty);
    assert_int_equal(nonempty, 32);
}

/* ---- automation rules ------------------------------------------------------------------------ */

typedef struct fired_log {
    char names[256];
} fired_log;

static void on_fired(void *ctx, size_t index, const char *name)
{
    fired_log *l = ctx;
    (void)index;
    strcat(l->names, name);
    strcat(l->names, ";");
}

static asff_rules *rules(const char *json, const asff_rules_options *o)
{
    asff_rules *r = NULL;
    asff_error err;
    if (asff_rules_parse(json, strlen(json), o, &r, &err) != ASFF_OK)
        fail_msg("rules: %s at %s", err.message, err.path);
    return r;
}

#define RULE(order, name, extra, crit, upd)                                                                          \
    "{\"RuleOrder\":" #order ",\"RuleName\":\"" name "\",\"Description\":\"d\"" extra ",\"Criteria\":" crit           \
    ",\"Actions\":[{\"Type\":\"FINDING_FIELDS_UPDATE\",\"FindingFieldsUpdate\":" upd "}]}"
#define HIGHC "{\"SeverityLabel\":[{\"Value\":\"HIGH\",\"Comparison\":\"EQUALS\"}]}"

static void test_rules_apply(void **state)
{
    asff_rules_options o = ASFF_RULES_OPTIONS_INIT;
    const char *doc =
        "{\"Rules\":["
        RULE(10, "late", "", "{\"AwsAccountId\":[{\"Value\":\"1\",\"Comparison\":\"EQUALS\"}]}",
             "{\"Workflow\":{\"Status\":\"NOTIFIED\"},\"Types\":[\"X/Y\"]}") ","
        RULE(1, "raise", ",\"RuleArn\":\"arn:b\"", HIGHC,
             "{\"Severity\":{\"Normalized\":95},\"Note\":{\"Text\":\"raised\",\"UpdatedBy\":\"rules\"},"
             "\"UserDefinedFields\":{\"k\":\"v\"},\"Confidence\":80,\"Criticality\":70,\"VerificationState\":\"TRUE_POSITIVE\","
             "\"RelatedFindings\":[{\"ProductArn\":\"p\",\"Id\":\"r\"}]}") ","
        RULE(1, "tie", ",\"RuleArn\":\"arn:a\"", HIGHC, "{\"Confidence\":10}") ","
        RULE(5, "chained", "", "{\"SeverityLabel\":[{\"Value\":\"CRITICAL\",\"Comparison\":\"EQUALS\"}]}",
             "{\"Criticality\":99}") ","
        RULE(3, "disabled", ",\"RuleStatus\":\"DISABLED\"", HIGHC, "{\"Confidence\":1}")
        "]}";
    asff_rules *r = rules(doc, &o), *nc;
    asff_AwsSecurityFinding *f = F("{\"AwsAccountId\":\"1\",\"Severity\":{\"Label\":\"HIGH\"},\"Types\":[\"A\"]}");
    fired_log log = {""};
    size_t fired;
    asff_error err;
    (void)state;
    assert_int_equal(asff_rules_count(r), 5);
    /* AR-6/AR-7: order, then RuleArn for equal order without UpdatedAt */
    assert_string_equal(asff_rules_name(r, 0), "tie");
    assert_string_equal(asff_rules_name(r, 1), "raise");
    assert_string_equal(asff_rules_arn(r, 1), "arn:b");
    assert_string_equal(asff_rules_name(r, 4), "late");
    assert_int_equal(asff_rules_apply(r, f, on_fired, &log, &fired, &err), ASFF_OK);
    assert_int_equal(fired, 4);
    assert_string_equal(log.names, "tie;raise;chained;late;");
    assert_string_equal(f->Severity->Label, "CRITICAL"); /* AR-15 */
    assert_int_equal(f->Severity->Normalized->value, 95);
    assert_int_equal(f->Confidence->value, 80); /* AR-10: the last applied value wins */
    assert_int_equal(f->Criticality->value, 99); /* AR-11: chained */
    assert_string_equal(f->Note->Text, "raised");
    assert_string_equal(f->Note->UpdatedBy, "rules");
    assert_null(f->Note->UpdatedAt); /* no now given */
    assert_string_equal(f->VerificationState, "TRUE_POSITIVE");
    assert_string_equal(f->Workflow->Status, "NOTIFIED");
    assert_int_equal(f->Types.count, 1); /* AR-16: replaced */
    assert_string_equal(f->Types.items[0], "X/Y");
    assert_int_equal(f->UserDefinedFields.count, 1);
    assert_string_equal(f->RelatedFindings.items[0]->Id, "r");
    asff_object_free(f);
    /* not chained: "chained" does not see the CRITICAL written by "raise" */
    o.not_chained = true;
    o.has_now = true;
    o.now_seconds = NOW;
    nc = rules(doc, &o);
    f = F("{\"AwsAccountId\":\"1\",\"Severity\":{\"Label\":\"HIGH\"}}");
    log.names[0] = 0;
    assert_int_equal(asff_rules_apply(nc, f, on_fired, &log, &fired, NULL), ASFF_OK);
    assert_string_equal(log.names, "tie;raise;late;");
    assert_null(f->Criticality == NULL ? NULL : (f->Criticality->value == 99 ? f : NULL));
    assert_string_equal(f->Note->UpdatedAt, "2024-06-01T00:00:00.000Z");
    asff_object_free(f);
    asff_rules_free(nc);
    asff_rules_free(r);
}

static void test_rules_terminal_and_errors(void **state)
{
    const char *doc = "["
        RULE(2, "stop", ",\"IsTerminal\":true", HIGHC, "{\"Workflow\":{\"Status\":\"SUPPRESSED\"}}") ","
        RULE(3, "never", "", HIGHC, "{\"Workflow\":{\"Status\":\"RESOLVED\"}}") ","
        RULE(2, "first", ",\"UpdatedAt\":\"2024-01-01T00:00:00Z\"", HIGHC, "{\"Severity\":{\"Label\":\"LOW\"}}") ","
        RULE(2, "second", ",\"UpdatedAt\":\"2024-02-01T00:00:00Z\"",
             "{\"SeverityLabel\":[{\"Value\":\"LOW\",\"Comparison\":\"EQUALS\"}],\"Title\":[{\"Value\":\"a\",\"Comparison\":\"CONTAINS\"}]}",
             "{\"Severity\":{\"Label\":\"HIGH\"}}")
        "]";
    static const struct {
        const char *json, *path;
    } bad[] = {
        {"{\"RuleName\":\"x\",\"Criteria\":{},\"Actions\":[]}", "/RuleOrder"},
        {RULE(0, "x", "", "{}", "{}"), "/RuleOrder"},
        {RULE(1001, "x", "", "{}", "{}"), "/RuleOrder"},
        {"[" RULE(1, "x", ",\"RuleStatus\":\"ON\"", "{}", "{}") "]", "/0/RuleStatus"},
        {RULE(1, "x", "", "{\"Region\":[{\"Value\":\"a\",\"Comparison\":\"EQUALS\"}]}", "{}"), "/Criteria/Region"},
        {RULE(1, "x", "", "{}", "{\"Confidence\":101}"), "/Actions/0/FindingFieldsUpdate/Confidence"},
        {RULE(1, "x", "", "{}", "{\"Note\":{\"Text\":\"a\"}}"), "/Actions/0/FindingFieldsUpdate/Note"},
        {RULE(1, "x", "", "{}", "{\"Severity\":{\"Label\":\"SEVERE\"}}"), "/Actions/0/FindingFieldsUpdate/Severity/Label"},
        {RULE(1, "x", "", "{}", "{\"Title\":\"t\"}"), "/Actions/0/FindingFieldsUpdate/Title"},
        {RULE(1, "x", "", "{}", "{\"Workflow\":{\"Status\":\"DONE\"}}"), "/Actions/0/FindingFieldsUpdate/Workflow/Status"},
        {"{\"Rules\":[" RULE(1, "x", "", "{\"Title\":[]}", "{}") "]}", "/Rules/0/Criteria/Title"},
        {"{\"RuleOrder\":1,\"RuleName\":\"x\",\"Criteria\":{},\"Actions\":[{\"Type\":\"OTHER\"}]}", "/Actions/0/Type"},
    };
    asff_rules *r = rules(doc, NULL), *x;
    asff_AwsSecurityFinding *f = F("{\"Title\":\"abc\",\"Severity\":{\"Label\":\"HIGH\",\"Normalized\":70}}");
    fired_log log = {""};
    size_t fired, i;
    asff_error err;
    (void)state;
    assert_string_equal(asff_rules_name(r, 0), "first"); /* AR-7: earlier UpdatedAt first */
    assert_string_equal(asff_rules_name(r, 1), "second");
    assert_string_equal(asff_rules_name(r, 2), "stop");
    assert_int_equal(asff_rules_apply(r, f, on_fired, &log, &fired, &err), ASFF_OK);
    assert_string_equal(log.names, "first;second;stop;"); /* AR-9 */
    assert_string_equal(f->Workflow->Status, "SUPPRESSED");
    assert_string_equal(f->Severity->Label, "HIGH");
    assert_int_equal(f->Severity->Normalized->value, 70); /* LOW (1) by "first", then HIGH by "second" */
    asff_object_free(f);
    asff_rules_free(r);
    for (i = 0; i < sizeof bad / sizeof *bad; i++) {
        x = (asff_rules *)&x;
        if (asff_rules_parse(bad[i].json, strlen(bad[i].json), NULL, &x, &err) != ASFF_ERR_FILTER)
            fail_msg("rule %zu accepted", i);
        assert_null(x);
        if (strcmp(err.path, bad[i].path) != 0)
            fail_msg("rule %zu: path %s, expected %s (%s)", i, err.path, bad[i].path, err.message);
    }
    assert_int_equal(asff_rules_parse("[", 1, NULL, &x, &err), ASFF_ERR_TRUNCATED);
    assert_int_equal(asff_rules_apply(NULL, NULL, NULL, NULL, NULL, &err), ASFF_ERR_INVALID_ARG);
}

/* ---- issue 20: NUL refused wherever a string enters ---------------------------------------- */

/* A JSON entry refused with code at path (message checked for word when given). */
static void expect_refused(asff_status (*entry)(const char *, size_t, asff_error *), const char *json, size_t len,
                           asff_status code, const char *path)
{
    asff_error err;
    asff_status st = entry(json, len, &err);
    if (st != code)
        fail_msg("status %d (%s at %s), expected %d", st, err.message, err.path, code);
    if (path && strcmp(err.path, path) != 0)
        fail_msg("path %s, expected %s (%s)", err.path, path, err.message);
}

static asff_status entry_filter(const char *json, size_t len, asff_error *err)
{
    asff_filter *f = (asff_filter *)&f;
    asff_status st = asff_filter_compile(json, len, NULL, &f, err);
    assert_true(st == ASFF_OK || f == NULL);
    asff_filter_free(f);
    return st;
}

static asff_status entry_rules(const char *json, size_t len, asff_error *err)
{
    asff_rules *r = (asff_rules *)&r;
    asff_status st = asff_rules_parse(json, len, NULL, &r, err);
    assert_true(st == ASFF_OK || r == NULL);
    asff_rules_free(r);
    return st;
}

static asff_status entry_sort(const char *json, size_t len, asff_error *err)
{
    asff_sort *s = NULL;
    (void)asff_sort_new(NULL, &s, NULL);
    asff_status st = asff_sort_add_json(s, json, len, err);
    asff_sort_free(s);
    return st;
}

static void test_nul_product_fields_key_refused(void **state)
{
    const char *j = "{\"ProductFields\":[{\"Key\":\"ProviderName\\u0000junk\",\"Value\":\"x\",\"Comparison\":\"EQUALS\"}]}";
    (void)state;
    expect_refused(entry_filter, SL(j), ASFF_ERR_SYNTAX, "/ProductFields/0/Key");
}

static void test_nul_title_prefix_refused(void **state)
{
    const char *j = "{\"Title\":[{\"Value\":\"[check12\\u0000ZZZZ\",\"Comparison\":\"PREFIX\"}]}";
    (void)state;
    expect_refused(entry_filter, SL(j), ASFF_ERR_SYNTAX, "/Title/0/Value");
}

static void test_nul_attribute_name_refused(void **state)
{
    const char *j = "{\"Title\\u0000x\":[]}";
    (void)state;
    expect_refused(entry_filter, SL(j), ASFF_ERR_SYNTAX, NULL);
}

static void test_nul_raw_byte_in_filter_refused(void **state)
{
    /* pointer + length: a raw NUL byte is not JSON, and the text is not cut at it */
    static const char j[] = "{\"Title\":[{\"Value\":\"a\0b\",\"Comparison\":\"EQUALS\"}]}";
    static const char tail[] = "{\"Title\":[]}\0{";
    (void)state;
    expect_refused(entry_filter, j, sizeof j - 1, ASFF_ERR_SYNTAX, NULL);
    expect_refused(entry_filter, tail, sizeof tail - 1, ASFF_ERR_SYNTAX, NULL);
}

static void test_nul_rule_note_text_refused(void **state)
{
    const char *j = RULE(1, "x", "", "{}", "{\"Note\":{\"Text\":\"ok\\u0000cut\",\"UpdatedBy\":\"me\"}}");
    (void)state;
    expect_refused(entry_rules, SL(j), ASFF_ERR_SYNTAX, "/Actions/0/FindingFieldsUpdate/Note/Text");
}

static void test_nul_rule_user_defined_fields_key_refused(void **state)
{
    const char *j = RULE(1, "x", "", "{}", "{\"UserDefinedFields\":{\"k\\u0000junk\":\"v\"}}");
    (void)state;
    expect_refused(entry_rules, SL(j), ASFF_ERR_SYNTAX, NULL);
}

static void test_nul_rule_types_refused(void **state)
{
    const char *j = RULE(1, "x", "", "{}", "{\"Types\":[\"A/B\\u0000C\"]}");
    (void)state;
    expect_refused(entry_rules, SL(j), ASFF_ERR_SYNTAX, "/Actions/0/FindingFieldsUpdate/Types/0");
}

static void test_nul_rule_criteria_refused(void **state)
{
    const char *j = RULE(1, "x", "", "{\"Title\":[{\"Value\":\"a\\u0000b\",\"Comparison\":\"EQUALS\"}]}", "{}");
    (void)state;
    expect_refused(entry_rules, SL(j), ASFF_ERR_SYNTAX, "/Criteria/Title/0/Value");
}

static void test_nul_sort_field_refused(void **state)
{
    const char *j = "[{\"Field\":\"Title\\u0000x\",\"SortOrder\":\"asc\"}]";
    static const char raw[] = "[{\"Field\":\"Title\"}]\0";
    (void)state;
    expect_refused(entry_sort, SL(j), ASFF_ERR_SYNTAX, "/0/Field");
    expect_refused(entry_sort, raw, sizeof raw - 1, ASFF_ERR_SYNTAX, NULL);
}

static void test_sort_unknown_member_refused(void **state)
{
    asff_error err;
    (void)state;
    expect_refused(entry_sort, SL("[{\"Field\":\"Title\"},{\"Field\":\"Id\",\"Sort/Order\":\"asc\"}]"),
                   ASFF_ERR_FILTER, "/1/Sort~1Order");
    assert_int_equal(entry_sort(SL("[{\"Field\":1}]"), &err), ASFF_ERR_FILTER);
    assert_string_equal(err.path, "/0/Field");
}

static void test_nul_prefilter_text_not_cut(void **state)
{
    /* the prefilter takes pointer + length: a NUL in the text does not end the search */
    static const char text[] = "{\"Id\":\"\0\",\"Title\":\"needle\"}";
    asff_filter *f = compile("{\"Title\":[{\"Value\":\"needle\",\"Comparison\":\"EQUALS\"}]}");
    (void)state;
    static const char lines[] = "{\"Id\":\"\0\"}\n{\"Title\":\"\0\"}\n{\"Title\":\"needle\"}\n";
    size_t nl = 99;
    assert_true(asff_filter_prefilter(f, text, sizeof text - 1));
    assert_false(asff_filter_prefilter(f, text, 8));
    assert_int_equal(asff_filter_prefilter_next(f, lines, sizeof lines - 1, &nl), 25);
    assert_int_equal(nl, 2);
    asff_filter_free(f);
}

/* ---- issue 20: rules and filters validated like findings ----------------------------------- */

static asff_status rules_now(const char *json, int64_t now, asff_error *err)
{
    asff_rules_options o = ASFF_RULES_OPTIONS_INIT;
    asff_rules *r = NULL;
    asff_status st;
    o.has_now = true;
    o.now_seconds = now;
    st = asff_rules_parse(json, strlen(json), &o, &r, err);
    asff_rules_free(r);
    return st;
}

#define NOTE_RULE RULE(1, "n", "", "{}", "{\"Note\":{\"Text\":\"t\",\"UpdatedBy\":\"me\"}}")

static void test_rules_note_updated_at_year_10000_refused(void **state)
{
    asff_error err;
    (void)state;
    /* 10000-01-01T00:00:00Z: a year of five digits is no ASFF timestamp */
    assert_int_equal(rules_now(NOTE_RULE, INT64_C(253402300800), &err), ASFF_ERR_FILTER);
    assert_string_equal(err.path, "/Actions/0/FindingFieldsUpdate/Note");
    assert_non_null(strstr(err.message, "10000-01-01T00:00:00.000Z"));
    assert_int_equal(rules_now(NOTE_RULE, INT64_C(253402300799), &err), ASFF_OK); /* 9999-12-31T23:59:59Z */
}

static void test_rules_note_updated_at_negative_year_refused(void **state)
{
    asff_error err;
    (void)state;
    assert_int_equal(rules_now(NOTE_RULE, INT64_C(-62167219200) - 86400, &err), ASFF_ERR_FILTER);
    assert_non_null(strstr(err.message, "-001-12-31"));
    assert_int_equal(rules_now(NOTE_RULE, INT64_MIN, &err), ASFF_ERR_FILTER);
    assert_int_equal(rules_now(NOTE_RULE, INT64_MAX, &err), ASFF_ERR_FILTER);
    /* a rule that writes no note does not care about the time */
    assert_int_equal(rules_now(RULE(1, "c", "", "{}", "{\"Confidence\":5}"), INT64_MIN, &err), ASFF_OK);
}

static void test_rules_note_text_600_refused(void **state)
{
    char text[601], json[2048];
    asff_error err;
    (void)state;
    memset(text, 'a', 600);
    text[600] = 0;
    snprintf(json, sizeof json, RULE(1, "x", "", "{}", "{\"Note\":{\"Text\":\"%s\",\"UpdatedBy\":\"me\"}}"), text);
    assert_int_equal(entry_rules(json, strlen(json), &err), ASFF_ERR_FILTER);
    assert_string_equal(err.path, "/Actions/0/FindingFieldsUpdate/Note/Text");
    text[512] = 0; /* FLD-21: 512 is the limit */
    snprintf(json, sizeof json, RULE(1, "x", "", "{}", "{\"Note\":{\"Text\":\"%s\",\"UpdatedBy\":\"me\"}}"), text);
    assert_int_equal(entry_rules(json, strlen(json), &err), ASFF_OK);
}

static void test_rules_action_limits_like_findings(void **state)
{
    static const struct {
        const char *upd, *path;
    } bad[] = {
        {"{\"UserDefinedFields\":{\"k\":\"\"}}", "/Actions/0/FindingFieldsUpdate/UserDefinedFields"},
        {"{\"RelatedFindings\":[]}", "/Actions/0/FindingFieldsUpdate/RelatedFindings"},
        {"{\"Types\":[\"A//B\"]}", "/Actions/0/FindingFieldsUpdate/Types/0"},
    };
    char json[1024];
    asff_error err;
    size_t i;
    (void)state;
    for (i = 0; i < sizeof bad / sizeof *bad; i++) {
        snprintf(json, sizeof json, RULE(1, "x", "", "{}", "%s"), bad[i].upd);
        if (entry_rules(json, strlen(json), &err) != ASFF_ERR_FILTER)
            fail_msg("%s accepted", bad[i].upd);
        if (strncmp(err.path, bad[i].path, strlen(bad[i].path)) != 0)
            fail_msg("%s: path %s, expected %s (%s)", bad[i].upd, err.path, bad[i].path, err.message);
    }
}

static void test_rules_duplicate_rule_order_refused(void **state)
{
    const char *dup = "[" RULE(7, "a", "", "{}", "{}") "," RULE(7, "b", "", "{}", "{}") "]";
    const char *by_arn = "[" RULE(7, "a", ",\"RuleArn\":\"arn:1\"", "{}", "{}") ","
                         RULE(7, "b", ",\"RuleArn\":\"arn:2\"", "{}", "{}") "]";
    asff_error err;
    (void)state;
    assert_int_equal(entry_rules(SL(dup), &err), ASFF_ERR_FILTER);
    assert_string_equal(err.path, "/1/RuleOrder");
    assert_non_null(strstr(err.message, "7"));
    /* AR-7: told apart by UpdatedAt or RuleArn, equal orders are fine */
    assert_int_equal(entry_rules(SL(by_arn), &err), ASFF_OK);
}

static void test_rules_unknown_member_refused(void **state)
{
    static const struct {
        const char *json, *path;
    } bad[] = {
        {RULE(1, "x", ",\"RuleOrdr\":2", "{}", "{}"), "/RuleOrdr"},
        {RULE(1, "x", "", "{}", "{\"Note\":{\"Text\":\"t\",\"UpdatedBy\":\"u\",\"UpdatedAt\":\"2024-01-01T00:00:00Z\"}}"),
         "/Actions/0/FindingFieldsUpdate/Note/UpdatedAt"},
        {RULE(1, "x", "", "{}", "{\"Severity\":{\"Label\":\"LOW\",\"Original\":\"x\"}}"),
         "/Actions/0/FindingFieldsUpdate/Severity/Original"},
        {RULE(1, "x", "", "{}", "{\"Workflow\":{\"Status\":\"NEW\",\"State\":\"x\"}}"),
         "/Actions/0/FindingFieldsUpdate/Workflow/State"},
        {RULE(1, "x", "", "{}", "{\"RelatedFindings\":[{\"ProductArn\":\"p\",\"Id\":\"i\",\"X\":1}]}"),
         "/Actions/0/FindingFieldsUpdate/RelatedFindings/0/X"},
        {"{\"RuleOrder\":1,\"RuleName\":\"x\",\"Criteria\":{},\"Actions\":[{\"Type\":\"FINDING_FIELDS_UPDATE\","
         "\"FindingFieldsUpdate\":{},\"Extra\":1}]}", "/Actions/0/Extra"},
        {RULE(1, "x", "", "{}", "{\"a/b\":1}"), "/Actions/0/FindingFieldsUpdate/a~1b"},
    };
    asff_error err;
    size_t i;
    (void)state;
    for (i = 0; i < sizeof bad / sizeof *bad; i++) {
        if (entry_rules(bad[i].json, strlen(bad[i].json), &err) != ASFF_ERR_FILTER)
            fail_msg("rule %zu accepted", i);
        if (strcmp(err.path, bad[i].path) != 0)
            fail_msg("rule %zu: path %s, expected %s (%s)", i, err.path, bad[i].path, err.message);
        assert_non_null(strstr(err.message, "unknown member"));
    }
}

static void test_rules_updated_at_yesterday_refused(void **state)
{
    const char *j = RULE(1, "x", ",\"UpdatedAt\":\"yesterday\"", "{}", "{}");
    const char *c = RULE(1, "x", ",\"CreatedAt\":\"2024-13-01T00:00:00Z\"", "{}", "{}");
    asff_error err;
    (void)state;
    assert_int_equal(entry_rules(SL(j), &err), ASFF_ERR_FILTER);
    assert_string_equal(err.path, "/UpdatedAt");
    assert_int_equal(entry_rules(SL(c), &err), ASFF_ERR_FILTER);
    assert_string_equal(err.path, "/CreatedAt");
}

static void test_rules_confidence_minus_zero_and_1e2(void **state)
{
    asff_rules *r = rules("[" RULE(1, "a", "", "{}", "{\"Confidence\":-0,\"Criticality\":1e2,"
                          "\"Severity\":{\"Normalized\":100.0}}") "]", NULL);
    asff_AwsSecurityFinding *f = F("{\"Id\":\"x\"}");
    asff_error err;
    (void)state;
    assert_int_equal(asff_rules_apply(r, f, NULL, NULL, NULL, &err), ASFF_OK);
    assert_int_equal(f->Confidence->value, 0);
    assert_int_equal(f->Criticality->value, 100);
    assert_int_equal(f->Severity->Normalized->value, 100);
    asff_object_free(f);
    asff_rules_free(r);
    /* not whole, or out of range, whatever the spelling */
    assert_int_equal(entry_rules(SL(RULE(1, "a", "", "{}", "{\"Confidence\":0.5}")), &err), ASFF_ERR_FILTER);
    assert_int_equal(entry_rules(SL(RULE(1, "a", "", "{}", "{\"Confidence\":1.01e2}")), &err), ASFF_ERR_FILTER);
    assert_int_equal(entry_rules(SL(RULE(1e3, "a", "", "{}", "{}")), &err), ASFF_OK);
    assert_int_equal(entry_rules(SL(RULE(1e999, "a", "", "{}", "{}")), &err), ASFF_ERR_FILTER);
}

static void test_filter_title_beside_filters_refused(void **state)
{
    const char *j = "{\"Filters\":{\"RecordState\":[{\"Value\":\"ACTIVE\",\"Comparison\":\"EQUALS\"}]},"
                    "\"Title\":[{\"Value\":\"x\",\"Comparison\":\"EQUALS\"}]}";
    const char *u = "{\"Filters\":{},\"SortCritera\":[]}";
    const char *ok = "{\"Filters\":{},\"SortCriteria\":[],\"MaxResults\":5,\"NextToken\":\"t\"}";
    asff_error err;
    (void)state;
    expect_refused(entry_filter, SL(j), ASFF_ERR_FILTER, "/Title");
    assert_int_equal(entry_filter(SL(u), &err), ASFF_ERR_FILTER);
    assert_string_equal(err.path, "/SortCritera");
    assert_non_null(strstr(err.message, "unknown member"));
    assert_int_equal(entry_filter(SL(ok), &err), ASFF_OK);
}

static void test_filter_gte_1e999_out_of_range(void **state)
{
    asff_error err;
    asff_filter *f;
    (void)state;
    assert_int_equal(entry_filter(SL("{\"Confidence\":[{\"Gte\":1e999}]}"), &err), ASFF_ERR_FILTER);
    assert_string_equal(err.path, "/Confidence/0/Gte");
    assert_non_null(strstr(err.message, "out of range"));
    assert_int_equal(entry_filter(SL("{\"Confidence\":[{\"Lte\":-1e999}]}"), &err), ASFF_ERR_FILTER);
    assert_non_null(strstr(err.message, "out of range"));
    assert_int_equal(entry_filter(SL("{\"Confidence\":[{\"Gte\":\"1\"}]}"), &err), ASFF_ERR_FILTER);
    assert_non_null(strstr(err.message, "must be a number"));
    /* -0, 1e2 and an underflow are plain numbers */
    f = compile("{\"Confidence\":[{\"Gte\":-0,\"Lte\":1e2},{\"Eq\":1e-400}]}");
    asff_filter_free(f);
}

static void test_filter_date_range_extreme_now(void **state)
{
    static const int64_t nows[] = {INT64_MIN, INT64_MIN + 1, INT64_MAX, -1, 0};
    asff_filter_options o = ASFF_FILTER_OPTIONS_INIT;
    asff_AwsSecurityFinding *fd = F("{\"UpdatedAt\":\"2024-01-01T00:00:00Z\"}");
    size_t i;
    (void)state;
    o.has_now = true;
    for (i = 0; i < sizeof nows / sizeof *nows; i++) {
        asff_filter *w, *old;
        o.now_seconds = nows[i];
        w = compile_opt("{\"UpdatedAt\":[{\"DateRange\":{\"Value\":1000000,\"Unit\":\"DAYS\"}}]}", &o);
        old = compile_opt("{\"UpdatedAt\":[{\"DateRange\":{\"Value\":1000000,\"Unit\":\"DAYS\","
                          "\"Comparison\":\"OLDER_THAN\"}}]}", &o);
        /* near the bottom of int64 nothing is older; everything is within */
        if (nows[i] < 0 && nows[i] < INT64_MIN / 2) {
            assert_true(asff_filter_match(w, fd));
            assert_false(asff_filter_match(old, fd));
        }
        if (nows[i] == INT64_MAX)
            assert_true(asff_filter_match(old, fd));
        asff_filter_free(w);
        asff_filter_free(old);
    }
    asff_object_free(fd);
}

/* ---- allocation chaos (issue 11 item 6) ---------------------------------------------------- */

#define CHAOS_FILTER "{\"Title\":[{\"Value\":\"a\",\"Comparison\":\"PREFIX\"},{\"Value\":\"b\",\"Comparison\":\"EQUALS\"}]," \
    "\"Confidence\":[{\"Gte\":1,\"Lt\":1e2}],\"UpdatedAt\":[{\"DateRange\":{\"Value\":3,\"Unit\":\"DAYS\"}}]," \
    "\"ResourceTags\":[{\"Key\":\"k\",\"Value\":\"v\",\"Comparison\":\"EQUALS\"}],\"NetworkSourceIpV4\":[{\"Cidr\":\"10.0.0.0/8\"}]}"

static asff_status chaos_compile(const asff_allocator *a, const char *json, asff_filter **out)
{
    asff_filter_options o = ASFF_FILTER_OPTIONS_INIT;
    o.allocator = a;
    o.has_now = true;
    o.now_seconds = NOW;
    *out = (asff_filter *)out;
    return asff_filter_compile(json, strlen(json), &o, out, NULL);
}

static asff_status run_filter_compile(const asff_allocator *a, void *ctx)
{
    asff_filter *f;
    asff_status st = chaos_compile(a, ctx, &f);
    if (st != ASFF_OK)
        assert_null(f);
    asff_filter_free(f);
    return st;
}

static void test_chaos_filter_compile(void **state)
{
    (void)state;
    assert_true(test_alloc_chaos(run_filter_compile, CHAOS_FILTER) > 2);
    assert_true(test_alloc_chaos(run_filter_compile, "{\"Filters\":" CHAOS_FILTER ",\"MaxResults\":1}") > 2);
}

static void test_chaos_filter_to_json(void **state)
{
    /* the SIGSEGV of issue 11: the 2nd or 3rd allocation of asff_filter_to_json failing */
    long n;
    (void)state;
    for (n = 0; n < 64; n++) {
        test_alloc t;
        asff_filter *f = NULL;
        char *js = (char *)&js;
        asff_error err;
        asff_status st;
        test_alloc_init(&t, -1);
        assert_int_equal(chaos_compile(&t.a, CHAOS_FILTER, &f), ASFF_OK);
        t.fail_at = t.calls + n;
        st = asff_filter_to_json(f, &js, NULL, &err);
        if (st == ASFF_OK) {
            assert_true(t.calls - (t.fail_at - n) <= n);
            asff_free_string(js);
            asff_filter_free(f);
            assert_int_equal(t.live, 0);
            return;
        }
        assert_int_equal(st, ASFF_ERR_NOMEM);
        assert_null(js);
        asff_filter_free(f);
        assert_int_equal(t.live, 0);
    }
    fail_msg("asff_filter_to_json never succeeded");
}

static asff_status run_sort(const asff_allocator *a, void *ctx)
{
    asff_sort *s = NULL;
    (void)asff_sort_new(a, &s, NULL);
    void **f = ctx, *g[3];
    asff_status st;
    if (!s)
        return ASFF_ERR_NOMEM;
    st = asff_sort_add_json(s, SL("[{\"Field\":\"Confidence\",\"SortOrder\":\"desc\"},{\"Field\":\"Title\"},"
                                  "{\"Field\":\"UpdatedAt\"},{\"Field\":\"Id\"},{\"Field\":\"SeverityLabel\"}]"), NULL);
    if (st == ASFF_OK) {
        memcpy(g, f, sizeof g);
        st = asff_sort_findings(s, g, 3);
    }
    asff_sort_free(s);
    return st;
}

static void test_chaos_sort(void **state)
{
    void *f[3];
    size_t i;
    (void)state;
    for (i = 0; i < 3; i++)
        f[i] = F(i == 0 ? "{\"Id\":\"a\",\"Confidence\":3}" : i == 1 ? "{\"Id\":\"b\"}" : "{\"Id\":\"c\",\"Title\":\"t\"}");
    assert_true(test_alloc_chaos(run_sort, f) > 1);
    for (i = 0; i < 3; i++)
        asff_object_free(f[i]);
}

static asff_status run_topk(const asff_allocator *a, void *ctx)
{
    void **f = ctx, **kept;
    asff_topk *t = NULL;
    (void)asff_topk_new(NULL, 8, a, &t, NULL);
    asff_status st = ASFF_OK;
    size_t i, n;
    if (!t)
        return ASFF_ERR_NOMEM;
    /* k is larger than the input: a finding handed back means its slot could not be allocated */
    for (i = 0; i < 3 && st == ASFF_OK; i++)
        if (asff_topk_push(t, f[i]) != NULL)
            st = ASFF_ERR_NOMEM;
    if (st == ASFF_OK) {
        kept = asff_topk_sorted(t, &n);
        assert_int_equal(n, 3);
        assert_non_null(kept);
    }
    asff_topk_free(t);
    return st;
}

static void test_chaos_topk(void **state)
{
    void *f[3];
    size_t i;
    (void)state;
    for (i = 0; i < 3; i++)
        f[i] = F(i == 0 ? "{\"Id\":\"a\"}" : i == 1 ? "{\"Id\":\"b\"}" : "{\"Id\":\"c\"}");
    assert_true(test_alloc_chaos(run_topk, f) >= 1);
    for (i = 0; i < 3; i++)
        asff_object_free(f[i]);
}

static asff_status run_insight_new(const asff_allocator *a, void *ctx)
{
    asff_insight_options o = ASFF_INSIGHT_OPTIONS_INIT;
    asff_insight *ins = (asff_insight *)&ins;
    asff_status st;
    o.allocator = a;
    o.insight_arn = "arn:x";
    st = asff_insight_new(ctx, "ResourceType", &o, &ins, NULL);
    if (st != ASFF_OK)
        assert_null(ins);
    asff_insight_free(st == ASFF_OK ? ins : NULL);
    return st;
}

static void test_chaos_insight_new(void **state)
{
    asff_filter *f = compile("{\"RecordState\":[{\"Value\":\"ACTIVE\",\"Comparison\":\"EQUALS\"}]}");
    (void)state;
    assert_true(test_alloc_chaos(run_insight_new, f) >= 1);
    asff_filter_free(f);
}

static asff_status run_insight_add_json(const asff_allocator *a, void *ctx)
{
    asff_insight_options o = ASFF_INSIGHT_OPTIONS_INIT;
    asff_insight *ins;
    void **f = ctx;
    asff_status st;
    size_t i;
    char *js = NULL;
    o.allocator = a;
    if ((st = asff_insight_new(NULL, "ResourceId", &o, &ins, NULL)) != ASFF_OK)
        return st;
    for (i = 0; i < 40 && st == ASFF_OK; i++)
        st = asff_insight_add(ins, f[i]);
    if (st == ASFF_OK && (st = asff_insight_to_json(ins, true, &js, NULL, NULL)) == ASFF_OK) {
        assert_non_null(strstr(js, "\"Count\": 1"));
        asff_free_string(js);
    }
    asff_insight_free(ins);
    return st;
}

static void test_chaos_insight_add_and_json(void **state)
{
    void *f[40];
    char buf[128];
    size_t i;
    (void)state;
    for (i = 0; i < 40; i++) {
        snprintf(buf, sizeof buf, "{\"Id\":\"%zu\",\"Resources\":[{\"Type\":\"T\",\"Id\":\"r-%zu\"},{\"Type\":\"T\",\"Id\":\"s-%zu\"}]}",
                 i, i, i);
        f[i] = F(buf);
    }
    assert_true(test_alloc_chaos(run_insight_add_json, f) > 3);
    for (i = 0; i < 40; i++)
        asff_object_free(f[i]);
}

#define CHAOS_RULES "{\"Rules\":[" \
    RULE(2, "b", ",\"UpdatedAt\":\"2024-01-01T00:00:00Z\"", HIGHC, \
         "{\"Note\":{\"Text\":\"n\",\"UpdatedBy\":\"me\"},\"Types\":[\"A/B\",\"C/D\"],\"UserDefinedFields\":{\"k\":\"v\",\"l\":\"w\"}," \
         "\"RelatedFindings\":[{\"ProductArn\":\"p\",\"Id\":\"i\"}],\"Severity\":{\"Normalized\":50},\"Workflow\":{\"Status\":\"NOTIFIED\"}}") "," \
    RULE(1, "a", "", "{\"Title\":[{\"Value\":\"x\",\"Comparison\":\"CONTAINS\"}]}", "{\"Confidence\":7,\"Criticality\":9}") \
    "]}"

static asff_status run_rules_parse(const asff_allocator *a, void *ctx)
{
    asff_rules_options o = ASFF_RULES_OPTIONS_INIT;
    asff_rules *r = (asff_rules *)&r;
    asff_status st;
    o.allocator = a;
    o.has_now = true;
    o.now_seconds = NOW;
    st = asff_rules_parse(ctx, strlen(ctx), &o, &r, NULL);
    if (st != ASFF_OK)
        assert_null(r);
    else
        asff_rules_free(r);
    return st;
}

static void test_chaos_rules_parse(void **state)
{
    (void)state;
    assert_true(test_alloc_chaos(run_rules_parse, CHAOS_RULES) > 3);
}

static void test_chaos_rules_apply(void **state)
{
    /* the finding's allocator fails: what a rule writes goes into the finding's arena */
    asff_rules_options o = ASFF_RULES_OPTIONS_INIT;
    asff_rules *r;
    long n;
    (void)state;
    o.has_now = true;
    o.now_seconds = NOW;
    o.not_chained = true;
    r = rules(CHAOS_RULES, &o);
    for (n = 0;; n++) {
        test_alloc t;
        char eb[64];
        yajl_val v = yajl_tree_parse("{\"Title\":\"xyz\",\"Severity\":{\"Label\":\"HIGH\"}}", eb, sizeof eb);
        asff_AwsSecurityFinding *f;
        asff_status st;
        size_t fired = 99;
        test_alloc_init(&t, -1);
        f = ASFF_NEW_ROOT(AwsSecurityFinding, &t.a);
        assert_non_null(f);
        build(f, v);
        yajl_tree_free(v);
        t.fail_at = t.calls + n;
        st = asff_rules_apply(r, f, NULL, NULL, &fired, NULL);
        asff_object_free(f);
        assert_int_equal(t.live, 0);
        if (st == ASFF_OK) {
            assert_int_equal(fired, 2);
            break;
        }
        assert_int_equal(st, ASFF_ERR_NOMEM);
        assert_true(n < 10000);
    }
    asff_rules_free(r);
}

/* ---- deep nesting: 10^6 levels end in a clean error, no stack overflow --------------------- */

static char *deep_text(const char *pre, size_t levels, const char *post)
{
    size_t lp = strlen(pre), lq = strlen(post);
    char *s = malloc(lp + 2 * levels + lq + 1);
    assert_non_null(s);
    memcpy(s, pre, lp);
    memset(s + lp, '[', levels);
    memset(s + lp + levels, ']', levels);
    memcpy(s + lp + 2 * levels, post, lq + 1);
    return s;
}

#define DEEP 1000000

static void test_deep_filter_json(void **state)
{
    char *s = deep_text("{\"Title\":", DEEP, "}");
    asff_error err;
    (void)state;
    assert_int_equal(entry_filter(s, strlen(s), &err), ASFF_ERR_LIMIT);
    assert_non_null(strstr(err.message, "deeper"));
    free(s);
}

static void test_deep_rules_json(void **state)
{
    char *s = deep_text("{\"Rules\":[{\"Criteria\":", DEEP, "}]}");
    asff_error err;
    (void)state;
    assert_int_equal(entry_rules(s, strlen(s), &err), ASFF_ERR_LIMIT);
    free(s);
}

static void test_deep_sort_json(void **state)
{
    char *s = deep_text("[{\"Field\":", DEEP, "}]");
    asff_error err;
    (void)state;
    assert_int_equal(entry_sort(s, strlen(s), &err), ASFF_ERR_LIMIT);
    free(s);
}

static void test_deep_insight_json(void **state)
{
    /* an insight definition (CreateInsight body): its filters are read by asff_filter_compile */
    char *s = deep_text("{\"Name\":\"n\",\"GroupByAttribute\":\"ResourceId\",\"Filters\":{\"Title\":", DEEP, "}}");
    asff_error err;
    (void)state;
    assert_int_equal(entry_filter(s, strlen(s), &err), ASFF_ERR_LIMIT);
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_attribute),
        cmocka_unit_test(test_string_comparisons),
        cmocka_unit_test(test_attribute_alone),
        cmocka_unit_test(test_contains_and_modes),
        cmocka_unit_test(test_rejected_mixes),
        cmocka_unit_test(test_errors_and_limits),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_timestamp_parse),
        cmocka_unit_test(test_ip),
        cmocka_unit_test(test_maps_and_booleans),
        cmocka_unit_test(test_canonical_json),
        cmocka_unit_test(test_prefilter),
        cmocka_unit_test(test_prefilter_next),
        cmocka_unit_test(test_prefilter_next_random),
        cmocka_unit_test(test_prefilter_next_portable),
        cmocka_unit_test(test_sort),
        cmocka_unit_test(test_insight_counting),
        cmocka_unit_test(test_insight_limit),
        cmocka_unit_test(test_insight_top),
        cmocka_unit_test(test_managed_catalog),
        cmocka_unit_test(test_reference_real),
        cmocka_unit_test(test_reference_generated),
        cmocka_unit_test(test_rules_apply),
        cmocka_unit_test(test_rules_terminal_and_errors),
        cmocka_unit_test(test_nul_product_fields_key_refused),
        cmocka_unit_test(test_nul_title_prefix_refused),
        cmocka_unit_test(test_nul_attribute_name_refused),
        cmocka_unit_test(test_nul_raw_byte_in_filter_refused),
        cmocka_unit_test(test_nul_rule_note_text_refused),
        cmocka_unit_test(test_nul_rule_user_defined_fields_key_refused),
        cmocka_unit_test(test_nul_rule_types_refused),
        cmocka_unit_test(test_nul_rule_criteria_refused),
        cmocka_unit_test(test_nul_sort_field_refused),
        cmocka_unit_test(test_nul_prefilter_text_not_cut),
        cmocka_unit_test(test_sort_unknown_member_refused),
        cmocka_unit_test(test_rules_note_updated_at_year_10000_refused),
        cmocka_unit_test(test_rules_note_updated_at_negative_year_refused),
        cmocka_unit_test(test_rules_note_text_600_refused),
        cmocka_unit_test(test_rules_action_limits_like_findings),
        cmocka_unit_test(test_rules_duplicate_rule_order_refused),
        cmocka_unit_test(test_rules_unknown_member_refused),
        cmocka_unit_test(test_rules_updated_at_yesterday_refused),
        cmocka_unit_test(test_rules_confidence_minus_zero_and_1e2),
        cmocka_unit_test(test_filter_title_beside_filters_refused),
        cmocka_unit_test(test_filter_gte_1e999_out_of_range),
        cmocka_unit_test(test_filter_date_range_extreme_now),
        cmocka_unit_test(test_chaos_filter_compile),
        cmocka_unit_test(test_chaos_filter_to_json),
        cmocka_unit_test(test_chaos_sort),
        cmocka_unit_test(test_chaos_topk),
        cmocka_unit_test(test_chaos_insight_new),
        cmocka_unit_test(test_chaos_insight_add_and_json),
        cmocka_unit_test(test_chaos_rules_parse),
        cmocka_unit_test(test_chaos_rules_apply),
        cmocka_unit_test(test_deep_filter_json),
        cmocka_unit_test(test_deep_rules_json),
        cmocka_unit_test(test_deep_sort_json),
        cmocka_unit_test(test_deep_insight_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
