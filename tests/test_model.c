/* Tests of lib/model: generated tables against the API model, construction, reflection. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "asff/model.h"
#include "support.h"

static const char *kind_name(unsigned k)
{
    static const char *names[] = {"NONE", "STRING", "INT", "DOUBLE", "BOOL", "OBJECT", "LIST", "MAP", "JSON"};
    return k < 9 ? names[k] : "?";
}

/* Every structure and member reachable from AwsSecurityFinding, as tests/model_expect.py lists
 * them from the model, is in the tables with the same kind and nested type. */
static void test_coverage(void **state)
{
    FILE *f = fopen(ASFF_MODEL_EXPECT, "r");
    char line[1024];
    long structs = 0, members = 0;
    (void)state;
    assert_non_null(f);
    while (fgets(line, sizeof line, f)) {
        char a[256], b[256], k[32], ek[32], nested[256];
        int n;
        if (line[0] == 'S') {
            const asff_type *t;
            assert_int_equal(sscanf(line, "S %255s %d", a, &n), 2);
            t = asff_type_find(a, strlen(a));
            if (!t)
                fail_msg("structure %s is not in the generated model", a);
            assert_int_equal(t->nmembers, n);
            assert_ptr_equal(asff_type_get(t->id), t);
            structs++;
        } else if (line[0] == 'M') {
            const asff_type *t;
            const asff_member *m;
            assert_int_equal(sscanf(line, "M %255s %255s %31s %31s %255s", a, b, k, ek, nested), 5);
            t = asff_type_find(a, strlen(a));
            assert_non_null(t);
            m = asff_member_find(t, b, strlen(b));
            if (!m)
                fail_msg("member %s.%s is missing", a, b);
            assert_string_equal(m->name, b);
            assert_int_equal(m->name_len, strlen(b));
            assert_string_equal(kind_name(m->kind), k);
            assert_string_equal(kind_name(m->elem_kind), ek);
            if (strcmp(nested, "-") == 0)
                assert_null(m->type);
            else
                assert_string_equal(m->type->name, nested);
            members++;
        }
    }
    fclose(f);
    assert_int_equal(structs, 610);
    assert_int_equal(members, 2811);
}

static void test_lookups(void **state)
{
    const asff_type *t = asff_type_get(ASFF_TID_AwsSecurityFinding);
    const asff_member *m;
    const asff_enum *e;
    unsigned i, live = 0;
    (void)state;
    assert_non_null(t);
    assert_string_equal(t->name, "AwsSecurityFinding");
    assert_int_equal(t->size, sizeof(asff_AwsSecurityFinding));
    m = asff_member_find(t, "Severity", 8);
    assert_non_null(m);
    assert_int_equal(m->kind, ASFF_KIND_OBJECT);
    assert_int_equal(m->offset, offsetof(asff_AwsSecurityFinding, Severity));
    assert_string_equal(m->type->name, "Severity");
    assert_null(asff_member_find(t, "Severit", 7));
    assert_null(asff_member_find(t, "severity", 8));
    assert_null(asff_member_find(t, "Zzz", 3));
    m = asff_member_find(t, "Resources", 9);
    assert_true(m->flags & ASFF_MF_REQUIRED);
    assert_int_equal(m->kind, ASFF_KIND_LIST);
    assert_int_equal(m->elem_kind, ASFF_KIND_OBJECT);
    m = asff_member_find(t, "ProductFields", 13);
    assert_int_equal(m->kind, ASFF_KIND_MAP);
    assert_int_equal(m->elem_kind, ASFF_KIND_STRING);
    m = asff_member_find(t, "RecordState", 11);
    assert_non_null(m->enumeration);
    assert_string_equal(m->enumeration->name, "RecordState");
    m = asff_member_find(asff_type_find("Severity", 8), "Label", 5);
    e = m->enumeration;
    assert_non_null(e);
    assert_int_equal(e->count, 5);
    assert_int_equal(asff_enum_index(e, "CRITICAL", 8), ASFF_SeverityLabel_CRITICAL);
    assert_int_equal(asff_enum_index(e, "critical", 8), -1);
    assert_ptr_equal(asff_enum_find("SeverityLabel", 13), e);
    assert_null(asff_enum_find("NoSuchEnum", 10));
    /* every type is found by its name, and every member by its name */
    for (i = 1; i <= asff_type_count(); i++) {
        const asff_type *ti = asff_type_get(i);
        unsigned j;
        if (!ti)
            continue;
        live++;
        assert_int_equal(ti->id, i);
        assert_ptr_equal(asff_type_find(ti->name, strlen(ti->name)), ti);
        for (j = 0; j < ti->nmembers; j++)
            assert_ptr_equal(asff_member_find(ti, ti->members[j].name, ti->members[j].name_len), &ti->members[j]);
    }
    assert_true(live >= 610);
    assert_null(asff_type_get(0));
    assert_null(asff_type_get(asff_type_count() + 1));
    assert_non_null(strstr(asff_model_version(), "2018-10-26"));
    assert_int_equal(strlen(asff_model_sha256()), 64);
    assert_string_equal(asff_model_version(), ASFF_MODEL_VERSION);
}

/* Builds a complete finding the way an emitter does: no sizeof on model structs. */
static asff_AwsSecurityFinding *build_finding(void)
{
    asff_AwsSecurityFinding *f = ASFF_NEW_ROOT(AwsSecurityFinding, NULL);
    asff_Resource *r;
    asff_AwsEc2InstanceDetails *ec2;
    assert_non_null(f);
    f->SchemaVersion = asff_strdup(f, "2018-10-08");
    f->Id = asff_strdup(f, "finding-1");
    f->ProductArn = "arn:aws:securityhub:us-east-1:123456789012:product/123456789012/default";
    f->GeneratorId = asff_strdup(f, "gen-1");
    f->AwsAccountId = asff_strdup(f, "123456789012");
    assert_int_equal(asff_list_append_string(f, "Types", "Software and Configuration Checks/Vulnerabilities/CVE"), ASFF_OK);
    f->CreatedAt = asff_strdup(f, "2024-01-02T03:04:05.000Z");
    f->UpdatedAt = asff_strdup(f, "2024-01-02T03:04:05.000Z");
    f->Severity = ASFF_NEW(f, Severity);
    f->Severity->Label = asff_strdup(f, "HIGH");
    f->Severity->Normalized = asff_int_new(f, 70);
    f->Severity->Product = asff_double_new(f, 7.5);
    assert_int_equal(asff_set_string(f, "Title", "EC2 instance has a public IP"), ASFF_OK);
    assert_int_equal(asff_set_string(f, "Description", "Instance i-1 is reachable"), ASFF_OK);
    assert_int_equal(asff_map_set(f, "ProductFields", "scanner/version", "1.2.3"), ASFF_OK);
    assert_int_equal(asff_map_set(f, "ProductFields", "scanner/rule", "R-9"), ASFF_OK);
    assert_int_equal(asff_map_set(f, "ProductFields", "scanner/version", "1.2.4"), ASFF_OK); /* replaces */
    r = asff_list_append_object(f, "Resources");
    assert_non_null(r);
    r->Type = asff_strdup(f, "AwsEc2Instance");
    r->Id = asff_strdup(f, "arn:aws:ec2:us-east-1:123456789012:instance/i-1");
    r->Region = asff_strdup(f, "us-east-1");
    r->Details = ASFF_NEW(f, ResourceDetails);
    ec2 = ASFF_NEW(f, AwsEc2InstanceDetails);
    r->Details->AwsEc2Instance = ec2;
    ec2->Type = asff_strdup(f, "t3.micro");
    ec2->ImageId = asff_strdup(f, "ami-1");
    assert_int_equal(asff_list_append_string(ec2, "IpV4Addresses", "10.0.0.1"), ASFF_OK);
    assert_int_equal(asff_list_append_string(ec2, "IpV4Addresses", "54.1.2.3"), ASFF_OK);
    assert_int_equal(asff_set_int(asff_get_object(ec2, "MetadataOptions", true), "HttpPutResponseHopLimit", 2),
                     ASFF_OK);
    assert_int_equal(asff_set_bool(f, "Sample", true), ASFF_OK);
    assert_int_equal(asff_map_set(r, "Tags", "env", "prod"), ASFF_OK);
    return f;
}

typedef struct collect {
    char text[8192];
} collect;

static int collect_fn(void *ctx, const asff_walk_item *it)
{
    collect *c = ctx;
    char v[512];
    size_t n = strlen(c->text);
    switch (it->event) {
    case ASFF_WALK_SCALAR:
        if (it->kind == ASFF_KIND_STRING)
            snprintf(v, sizeof v, "%s=\"%s\"\n", it->path, (const char *)it->value);
        else if (it->kind == ASFF_KIND_INT)
            snprintf(v, sizeof v, "%s=%lld\n", it->path, (long long)((const asff_int *)it->value)->value);
        else if (it->kind == ASFF_KIND_DOUBLE)
            snprintf(v, sizeof v, "%s=%g\n", it->path, *(const double *)it->value);
        else if (it->kind == ASFF_KIND_BOOL)
            snprintf(v, sizeof v, "%s=%s\n", it->path, *(const bool *)it->value ? "true" : "false");
        else
            snprintf(v, sizeof v, "%s=?\n", it->path);
        break;
    case ASFF_WALK_OBJECT_BEGIN:
        snprintf(v, sizeof v, "%s{\n", it->path);
        break;
    case ASFF_WALK_LIST_BEGIN:
        snprintf(v, sizeof v, "%s[\n", it->path);
        break;
    case ASFF_WALK_MAP_BEGIN:
        snprintf(v, sizeof v, "%s<\n", it->path);
        break;
    case ASFF_WALK_EXTRA:
        snprintf(v, sizeof v, "%s~%s\n", it->path, it->extra->json);
        break;
    default:
        return 0;
    }
    snprintf(c->text + n, sizeof c->text - n, "%s", v);
    return 0;
}

static void test_construct_and_walk(void **state)
{
    asff_AwsSecurityFinding *f = build_finding();
    collect c;
    const char *expected =
        "{\n"
        "/SchemaVersion=\"2018-10-08\"\n"
        "/Id=\"finding-1\"\n"
        "/ProductArn=\"arn:aws:securityhub:us-east-1:123456789012:product/123456789012/default\"\n"
        "/GeneratorId=\"gen-1\"\n"
        "/AwsAccountId=\"123456789012\"\n"
        "/Types[\n"
        "/Types/0=\"Software and Configuration Checks/Vulnerabilities/CVE\"\n"
        "/CreatedAt=\"2024-01-02T03:04:05.000Z\"\n"
        "/UpdatedAt=\"2024-01-02T03:04:05.000Z\"\n"
        "/Severity{\n"
        "/Severity/Product=7.5\n"
        "/Severity/Label=\"HIGH\"\n"
        "/Severity/Normalized=70\n"
        "/Title=\"EC2 instance has a public IP\"\n"
        "/Description=\"Instance i-1 is reachable\"\n"
        "/ProductFields<\n"
        "/ProductFields/scanner~1version=\"1.2.4\"\n"
        "/ProductFields/scanner~1rule=\"R-9\"\n"
        "/Resources[\n"
        "/Resources/0{\n"
        "/Resources/0/Type=\"AwsEc2Instance\"\n"
        "/Resources/0/Id=\"arn:aws:ec2:us-east-1:123456789012:instance/i-1\"\n"
        "/Resources/0/Region=\"us-east-1\"\n"
        "/Resources/0/Tags<\n"
        "/Resources/0/Tags/env=\"prod\"\n"
        "/Resources/0/Details{\n"
        "/Resources/0/Details/AwsEc2Instance{\n"
        "/Resources/0/Details/AwsEc2Instance/Type=\"t3.micro\"\n"
        "/Resources/0/Details/AwsEc2Instance/ImageId=\"ami-1\"\n"
        "/Resources/0/Details/AwsEc2Instance/IpV4Addresses[\n"
        "/Resources/0/Details/AwsEc2Instance/IpV4Addresses/0=\"10.0.0.1\"\n"
        "/Resources/0/Details/AwsEc2Instance/IpV4Addresses/1=\"54.1.2.3\"\n"
        "/Resources/0/Details/AwsEc2Instance/MetadataOptions{\n"
        "/Resources/0/Details/AwsEc2Instance/MetadataOptions/HttpPutResponseHopLimit=2\n"
        "/Sample=true\n";
    (void)state;
    memset(&c, 0, sizeof c);
    assert_int_equal(asff_walk(f, collect_fn, &c), ASFF_OK);
    assert_string_equal(c.text, expected);
    /* typed access sees the same */
    assert_int_equal(f->Resources.count, 1);
    assert_string_equal(f->Resources.items[0]->Details->AwsEc2Instance->IpV4Addresses.items[1], "54.1.2.3");
    assert_int_equal(f->ProductFields.count, 2);
    assert_true(*f->Sample);
    asff_object_free(f);
}

static int stop_at_severity(void *ctx, const asff_walk_item *it)
{
    int *n = ctx;
    (*n)++;
    if (it->event == ASFF_WALK_OBJECT_BEGIN && it->name && strcmp(it->name, "Severity") == 0)
        return 7;
    return 0;
}

static int skip_objects(void *ctx, const asff_walk_item *it)
{
    int *n = ctx;
    if (it->event == ASFF_WALK_SCALAR)
        (*n)++;
    return it->depth > 0 && it->event == ASFF_WALK_OBJECT_BEGIN ? ASFF_WALK_SKIP : 0;
}

static void test_walk_control(void **state)
{
    asff_AwsSecurityFinding *f = build_finding();
    int n = 0;
    (void)state;
    assert_int_equal(asff_walk(f, stop_at_severity, &n), ASFF_ERR_ABORTED);
    assert_true(n > 5 && n < 15);
    n = 0;
    assert_int_equal(asff_walk(f, skip_objects, &n), ASFF_OK);
    assert_int_equal(n, 13); /* top-level scalars, Types and ProductFields entries; not the Severity or Resource values */
    assert_int_equal(asff_walk(NULL, skip_objects, &n), ASFF_ERR_INVALID_ARG);
    asff_object_free(f);
}

static void test_setters_errors(void **state)
{
    asff_AwsSecurityFinding *f = ASFF_NEW_ROOT(AwsSecurityFinding, NULL);
    asff_Severity *sev;
    (void)state;
    assert_int_equal(asff_set_string(f, "NoSuchMember", "x"), ASFF_ERR_NOT_FOUND);
    assert_int_equal(asff_set_string(f, "Severity", "x"), ASFF_ERR_TYPE);
    assert_int_equal(asff_set_int(f, "Title", 1), ASFF_ERR_TYPE);
    assert_int_equal(asff_list_append_string(f, "Resources", "x"), ASFF_ERR_TYPE);
    assert_null(asff_list_append_object(f, "Types"));
    assert_int_equal(asff_map_set(f, "Types", "a", "b"), ASFF_ERR_TYPE);
    assert_int_equal(asff_set_string(NULL, "Title", "x"), ASFF_ERR_INVALID_ARG);
    sev = asff_get_object(f, "Severity", false);
    assert_null(sev);
    sev = asff_get_object(f, "Severity", true);
    assert_non_null(sev);
    assert_ptr_equal(sev, f->Severity);
    assert_ptr_equal(asff_object_type(sev), asff_type_get(ASFF_TID_Severity));
    assert_ptr_equal(asff_object_arena(sev), asff_object_arena(f));
    assert_int_equal(asff_set_string(f, "Title", "t"), ASFF_OK);
    assert_int_equal(asff_unset(f, "Title"), ASFF_OK);
    assert_null(f->Title);
    assert_int_equal(asff_unset(f, "Nope"), ASFF_ERR_NOT_FOUND);
    asff_object_free(sev); /* not a root: ignored */
    asff_object_free(f);
}

/* Parsed objects keep the order they were read in, unknown members included. */
static void test_order_and_extras(void **state)
{
    asff_Severity *s = ASFF_NEW_ROOT(Severity, NULL);
    const asff_type *t = asff_object_type(s);
    asff_iter it;
    asff_field fl;
    char seq[256] = "";
    uint32_t label = (uint32_t)(asff_member_find(t, "Label", 5) - t->members);
    uint32_t orig = (uint32_t)(asff_member_find(t, "Original", 8) - t->members);
    (void)state;
    s->Label = "LOW";
    s->Original = "3";
    s->Normalized = asff_int_new(s, 10); /* set, but never "read": goes after the ordered ones */
    assert_int_equal(asff_object_note_order(s, orig), ASFF_OK);
    assert_int_equal(asff_extra_set(s, "Vendor", "{\"x\":[1,2]}"), ASFF_OK); /* appended to the order */
    assert_int_equal(asff_object_note_order(s, label), ASFF_OK);
    asff_iter_init(&it, s);
    while (asff_iter_next(&it, &fl)) {
        strcat(seq, fl.member ? fl.member->name : fl.extra->name);
        strcat(seq, ",");
    }
    assert_string_equal(seq, "Original,Vendor,Label,Normalized,");
    assert_string_equal(asff_extra_get(s, "Vendor")->json, "{\"x\":[1,2]}");
    assert_int_equal(asff_extra_set(s, "Vendor", "3"), ASFF_OK);
    assert_string_equal(asff_extra_get(s, "Vendor")->json, "3");
    assert_int_equal(asff_unset(s, "Vendor"), ASFF_OK);
    assert_null(asff_extra_get(s, "Vendor"));
    asff_object_free(s);
}

static void test_many_list_items(void **state)
{
    asff_AwsSecurityFinding *f = ASFF_NEW_ROOT(AwsSecurityFinding, NULL);
    char key[32];
    int i;
    (void)state;
    for (i = 0; i < 1000; i++) {
        asff_Resource *r = asff_list_append_object(f, "Resources");
        assert_non_null(r);
        snprintf(key, sizeof key, "k%d", i);
        assert_int_equal(asff_map_set(f, "UserDefinedFields", key, key), ASFF_OK);
        r->Id = asff_strdup(f, key);
    }
    assert_int_equal(f->Resources.count, 1000);
    assert_string_equal(f->Resources.items[999]->Id, "k999");
    assert_int_equal(f->UserDefinedFields.count, 1000);
    assert_string_equal(f->UserDefinedFields.values[500], "k500");
    asff_object_free(f);
}

/* Allocation chaos of construction: a root on the failing allocator, then every kind of setter. Each
 * failure is ASFF_ERR_NOMEM (or NULL), and freeing the root returns everything. */
#define NOMEM_IF_NULL(p)                                                                                     \
    do {                                                                                                     \
        if (!(p)) {                                                                                          \
            st = ASFF_ERR_NOMEM;                                                                             \
            goto done;                                                                                       \
        }                                                                                                    \
    } while (0)
#define NOMEM_IF_ERR(e)                                                                                      \
    do {                                                                                                     \
        if ((st = (e)) != ASFF_OK)                                                                           \
            goto done;                                                                                       \
    } while (0)

static asff_status run_construct(const asff_allocator *alloc, void *ctx)
{
    asff_AwsSecurityFinding *f = ASFF_NEW_ROOT(AwsSecurityFinding, alloc);
    void *r, *d;
    char big[3000];
    int i;
    asff_status st = ASFF_OK;
    (void)ctx;
    if (!f)
        return ASFF_ERR_NOMEM;
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    NOMEM_IF_ERR(asff_set_string(f, "Id", "chaos"));
    NOMEM_IF_ERR(asff_set_string(f, "Description", big)); /* larger than a small block */
    NOMEM_IF_ERR(asff_set_int(f, "Confidence", 5));
    NOMEM_IF_ERR(asff_set_bool(f, "Sample", true));
    NOMEM_IF_ERR(asff_set_double(asff_get_object(f, "Severity", true), "Product", 1.5));
    for (i = 0; i < 40; i++) {
        NOMEM_IF_ERR(asff_list_append_string(f, "Types", "a/b/c"));
        NOMEM_IF_ERR(asff_map_set(f, "ProductFields", i % 2 ? "k1" : big + i, "v"));
    }
    NOMEM_IF_NULL(r = asff_list_append_object(f, "Resources"));
    NOMEM_IF_ERR(asff_set_string(r, "Id", "r"));
    NOMEM_IF_NULL(d = asff_get_object(r, "Details", true));
    NOMEM_IF_ERR(asff_map_set(d, "Other", "k", "v"));
    NOMEM_IF_ERR(asff_extra_set(f, "Unknown", "{\"a\":[1,2]}"));
    NOMEM_IF_NULL(asff_strndup(f, big, 2000));
    NOMEM_IF_NULL(asff_int_new(f, 1));
done:
    asff_object_free(f);
    return st;
}

static void test_chaos_construct(void **state)
{
    (void)state;
    assert_true(test_alloc_chaos(run_construct, NULL) >= 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_coverage),
        cmocka_unit_test(test_lookups),
        cmocka_unit_test(test_construct_and_walk),
        cmocka_unit_test(test_walk_control),
        cmocka_unit_test(test_setters_errors),
        cmocka_unit_test(test_order_and_extras),
        cmocka_unit_test(test_many_list_items),
        cmocka_unit_test(test_chaos_construct),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
