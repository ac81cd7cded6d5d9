/* Tests of lib/convert: SARIF -> ASFF (every log in tests/data/convert/sarif, stable Ids, valid
 * findings, any chunking, errors with positions, limits, allocation failures), ASFF -> CSV
 * (quoting, formula cells, control characters, columns), ASFF -> OCSF (classes, unmapped, sink
 * errors). The OCSF samples and the real corpus are checked by tests/convert_ocsf.py. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <unistd.h>
#include <zlib.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <cmocka.h>
#include "asff/asff.h"
#include "convert/convert_internal.h"
#include "support.h"

#define SARIF_DIR ASFF_TEST_DATA "/convert/sarif"
#define ARN "arn:aws:securityhub:eu-west-1:123456789012:product/123456789012/default"

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return buf;
}

/* ---- SARIF ----------------------------------------------------------------------------------- */

typedef struct collect {
    char ids[512][160];
    char paths[512][64];
    char *jsons[512];
    size_t n;
    size_t errors;
    asff_report *report;
    asff_buf json;
} collect;

static int on_finding(void *ctx, void *finding, const asff_finding_info *info)
{
    collect *c = ctx;
    asff_AwsSecurityFinding *f = finding;
    char *json = NULL;
    assert_true(c->n < 512);
    snprintf(c->ids[c->n], sizeof c->ids[0], "%s", f->Id);
    snprintf(c->paths[c->n], sizeof c->paths[0], "%s", info->path);
    asff_report_clear(c->report);
    if (asff_validate(f, NULL, c->report) != ASFF_OK) {
        const char *rj;
        size_t rl;
        assert_int_equal(asff_report_to_json(c->report, &rj, &rl), ASFF_OK);
        print_message("invalid finding %s: %s\n", f->Id, rj);
        c->errors++;
    }
    {
        /* the test's own copy, on libc: asff_to_json would use the finding's allocator, which
         * test_sarif_nomem makes fail */
        asff_write_options wo = ASFF_WRITE_OPTIONS_INIT;
        asff_writer *w = NULL;
        const char *text;
        size_t n;
        wo.format = ASFF_FORMAT_VALUE;
        assert_int_equal(asff_writer_new_buffer(&wo, &w, NULL), ASFF_OK);
        assert_int_equal(asff_writer_write(w, f, NULL), ASFF_OK);
        text = asff_writer_buffer(w, &n);
        assert_non_null(json = malloc(n + 1));
        memcpy(json, text, n);
        json[n] = '\0';
        asff_writer_free(w);
    }
    assert_int_equal(asff__buf_append(&c->json, json, strlen(json)), ASFF_OK);
    assert_int_equal(asff__buf_putc(&c->json, '\n'), ASFF_OK);
    c->jsons[c->n] = json;
    c->n++;
    return 0;
}

static asff_status convert(const char *data, size_t len, size_t chunk, const asff_sarif_options *o, collect *c,
                           asff_error *err)
{
    asff_sarif_options opts = ASFF_SARIF_OPTIONS_INIT;
    asff_sarif_reader *r;
    asff_status st;
    size_t at = 0;
    if (!o) {
        opts.product_arn = ARN;
        opts.account_id = "123456789012";
        opts.timestamp = "2024-05-06T07:08:09Z";
        o = &opts;
    }
    st = asff_sarif_reader_new(o, on_finding, c, &r, err);
    if (st != ASFF_OK)
        return st;
    while (st == ASFF_OK && at < len) {
        size_t n = len - at < chunk ? len - at : chunk;
        st = asff_sarif_reader_feed(r, data + at, n, err);
        at += n;
    }
    if (st == ASFF_OK)
        st = asff_sarif_reader_finish(r, err);
    if (st == ASFF_OK)
        assert_int_equal(asff_sarif_reader_count(r), c->n);
    asff_sarif_reader_free(r);
    return st;
}

static collect *collect_new(void)
{
    collect *c = calloc(1, sizeof *c);
    assert_non_null(c);
    (void)asff_report_new(NULL, &c->report, NULL);
    asff__buf_init(&c->json, NULL);
    return c;
}

static void collect_free(collect *c)
{
    size_t i;
    for (i = 0; i < c->n; i++)
        free(c->jsons[i]);
    asff_report_free(c->report);
    asff__buf_cleanup(&c->json);
    free(c);
}

/* Every SARIF log of the test data: valid findings, the same Ids twice, any chunking. */
static void test_sarif_corpus(void **state)
{
    DIR *d = opendir(SARIF_DIR);
    struct dirent *e;
    size_t files = 0, total = 0;
    (void)state;
    assert_non_null(d);
    while ((e = readdir(d)) != NULL) {
        char path[1024];
        size_t len, i;
        char *data;
        collect *a, *b, *one;
        asff_error err;
        size_t n = strlen(e->d_name);
        if (n < 6 || strcmp(e->d_name + n - 6, ".sarif") != 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", SARIF_DIR, e->d_name);
        data = read_all(path, &len);
        a = collect_new();
        b = collect_new();
        one = collect_new();
        assert_int_equal(convert(data, len, len, NULL, a, &err), ASFF_OK);
        assert_int_equal(convert(data, len, 7, NULL, b, &err), ASFF_OK);
        assert_int_equal(convert(data, len, 1, NULL, one, &err), ASFF_OK);
        print_message("%s: %zu findings\n", e->d_name, a->n);
        assert_true(a->n > 0);
        assert_int_equal(a->errors, 0);
        assert_int_equal(a->n, b->n);
        assert_string_equal(a->json.data, b->json.data); /* same Ids, same findings */
        assert_string_equal(a->json.data, one->json.data);
        for (i = 0; i < a->n; i++) {
            size_t k;
            assert_string_equal(a->ids[i], b->ids[i]);
            assert_true(strncmp(a->paths[i], "/runs/", 6) == 0);
            for (k = 0; k < i; k++) /* an Id twice only for a result repeated as is (markdownlint does) */
                if (strcmp(a->ids[i], a->ids[k]) == 0)
                    assert_string_equal(a->jsons[i], a->jsons[k]);
        }
        total += a->n;
        files++;
        collect_free(a);
        collect_free(b);
        collect_free(one);
        free(data);
    }
    closedir(d);
    assert_true(files >= 4);
    print_message("%zu SARIF logs, %zu findings\n", files, total);
}

/* The mapping of one hand-made result: Id, GeneratorId, severity, types, resource, limits. */
static void test_sarif_mapping(void **state)
{
    /* a title of 300 'é' (2 bytes each) must be cut at 256 characters, never mid-character */
    static char doc[8192];
    char title[700];
    collect *c = collect_new();
    asff_error err;
    size_t i;
    (void)state;
    for (i = 0; i < 300; i++)
        memcpy(title + 2 * i, "\xc3\xa9", 2);
    title[600] = '\0';
    snprintf(doc, sizeof doc,
             "{\"version\":\"2.1.0\",\"runs\":[{\"tool\":{\"driver\":{\"name\":\"Scan\",\"version\":\"1.0\",\"rules\":["
             "{\"id\":\"R1\",\"shortDescription\":{\"text\":\"%s\"},\"properties\":{\"security-severity\":\"9.1\"}},"
             "{\"id\":\"CVE-2024-1\",\"defaultConfiguration\":{\"level\":\"note\"}}]}},"
             "\"versionControlProvenance\":[{\"repositoryUri\":\"https://example.com/r\",\"revisionId\":\"abc123\"}],"
             "\"results\":["
             "{\"ruleId\":\"R1\",\"ruleIndex\":0,\"message\":{\"text\":\"bad {0}\",\"arguments\":[\"thing\"]},"
             "\"locations\":[{\"physicalLocation\":{\"artifactLocation\":{\"uri\":\"a/b.c\"},\"region\":{\"startLine\":12}}}],"
             "\"partialFingerprints\":{\"h\":\"1\"}},"
             "{\"ruleId\":\"CVE-2024-1\",\"message\":{\"text\":\"   \"}},"
             "{\"ruleId\":\"R1\",\"level\":\"error\",\"message\":{\"text\":\"x\"},"
             "\"locations\":[{\"physicalLocation\":{\"artifactLocation\":{\"uri\":\"a/b.c\"},\"region\":{\"startLine\":12}}}],"
             "\"partialFingerprints\":{\"h\":\"2\"}}]}]}",
             title);
    assert_int_equal(convert(doc, strlen(doc), 4096, NULL, c, &err), ASFF_OK);
    assert_int_equal(c->n, 3);
    assert_int_equal(c->errors, 0);
    assert_string_not_equal(c->ids[0], c->ids[2]); /* same rule and line, other fingerprint */
    assert_true(strncmp(c->ids[0], "sarif/Scan/", 11) == 0);
    assert_string_equal(c->paths[1], "/runs/0/results/1");
    assert_non_null(strstr(c->json.data, "\"GeneratorId\":\"sarif/Scan/R1\""));
    assert_non_null(strstr(c->json.data, "\"Label\":\"CRITICAL\",\"Original\":\"9.1\""));
    assert_non_null(strstr(c->json.data, "\"Description\":\"bad thing\""));
    assert_non_null(strstr(c->json.data, "Software and Configuration Checks/Vulnerabilities\""));
    assert_non_null(strstr(c->json.data, "Software and Configuration Checks/Vulnerabilities/CVE"));
    assert_non_null(strstr(c->json.data, "\"Label\":\"LOW\",\"Original\":\"note\""));
    assert_non_null(strstr(c->json.data, "\"Commit\":\"abc123\""));
    assert_non_null(strstr(c->json.data, "\"StartLine\":\"12\""));
    assert_non_null(strstr(c->json.data, "\"Type\":\"Other\",\"Id\":\"a/b.c\""));
    {
        /* the Title: 256 characters = 512 bytes of 'é' */
        const char *t = strstr(c->json.data, "\"Title\":\"");
        const char *end;
        assert_non_null(t);
        t += 9;
        end = strchr(t, '"');
        assert_int_equal((size_t)(end - t), 512);
    }
    collect_free(c);
}

/* Bad input: a status, a path and a position; nothing crashes. */
static void test_sarif_errors(void **state)
{
    static const struct {
        const char *doc;
        asff_status code;
        const char *path;
        uint64_t line, column;
    } cases[] = {
        {"{\"runs\":[{\"tool\":{\"driver\":{\"name\":\"x\"}},\n\"results\":[{\"message\":{\"text\":\"a\"}},\n  3]}]}",
         ASFF_ERR_TYPE, "/runs/0/results/1", 3, 4},
        {"{\"runs\":[{\"tool\":{\"driver\":{\"name\":\"x\"}},\"results\":[{\"a\":tru}]}]}", ASFF_ERR_SYNTAX,
         "/runs/0/results/0", 1, 0},
        {"{\"runs\":[{\"tool\":{\"driver\":{\"name\":\"x\"}},\"results\":[{\"a\":", ASFF_ERR_TRUNCATED, "", 0, 0},
        {"[1,2]", ASFF_ERR_ENVELOPE, "", 1, 1},
        {"{\"version\":\"2.1.0\"}", ASFF_ERR_ENVELOPE, "", 0, 0},
        {"{\"runs\":{}}", ASFF_ERR_TYPE, "", 1, 9},
        {"", ASFF_ERR_ENVELOPE, "", 0, 0},
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        collect *c = collect_new();
        asff_error err;
        asff_status st;
        asff_error_clear(&err);
        st = convert(cases[i].doc, strlen(cases[i].doc), 5, NULL, c, &err);
        print_message("case %zu: %s %s line %llu col %llu: %s\n", i, asff_status_name(st), err.path,
                      (unsigned long long)err.line, (unsigned long long)err.column, err.message);
        assert_int_equal(st, cases[i].code);
        if (cases[i].path[0])
            assert_string_equal(err.path, cases[i].path);
        if (cases[i].line)
            assert_int_equal(err.line, cases[i].line);
        if (cases[i].column)
            assert_int_equal(err.column, cases[i].column);
        collect_free(c);
    }
}

static void test_sarif_limits(void **state)
{
    asff_sarif_options o = ASFF_SARIF_OPTIONS_INIT;
    asff_error err;
    collect *c;
    char *deep;
    size_t i, n = 1000000; /* 10^6 levels: no recursion anywhere */
    const char *big = "{\"runs\":[{\"tool\":{\"driver\":{\"name\":\"x\"}},\"results\":[{\"message\":{\"text\":"
                      "\"0123456789012345678901234567890123456789\"}}]}]}";
    (void)state;
    o.product_arn = ARN;
    o.account_id = "123456789012";
    o.max_result = 30;
    c = collect_new();
    assert_int_equal(convert(big, strlen(big), 3, &o, c, &err), ASFF_ERR_LIMIT);
    assert_string_equal(err.path, "/runs/0/results/0");
    collect_free(c);
    o.max_result = 0;
    o.max_string = 10;
    c = collect_new();
    assert_int_equal(convert(big, strlen(big), 1000, &o, c, &err), ASFF_ERR_LIMIT);
    collect_free(c);
    /* nesting beyond max_depth anywhere, kept or skipped */
    o.max_string = 0;
    deep = malloc(2 * n + 64);
    assert_non_null(deep);
    strcpy(deep, "{\"runs\":[{\"x\":");
    i = strlen(deep);
    memset(deep + i, '[', n);
    deep[i + n] = '\0';
    c = collect_new();
    assert_int_equal(convert(deep, strlen(deep), 1000, &o, c, &err), ASFF_ERR_LIMIT);
    collect_free(c);
    free(deep);
    /* a missing or malformed product ARN or account */
    o.account_id = "12345";
    c = collect_new();
    assert_int_equal(convert("{}", 2, 2, &o, c, &err), ASFF_ERR_INVALID_ARG);
    collect_free(c);
    o.account_id = "123456789012";
    o.product_arn = "x";
    c = collect_new();
    assert_int_equal(convert("{}", 2, 2, &o, c, &err), ASFF_ERR_INVALID_ARG);
    collect_free(c);
    o.product_arn = NULL;
    c = collect_new();
    assert_int_equal(convert("{}", 2, 2, &o, c, &err), ASFF_ERR_INVALID_ARG);
    collect_free(c);
}

/* An allocator that fails after a number of allocations. */
typedef struct failing {
    size_t left;
} failing;

static void *f_malloc(void *ctx, size_t n)
{
    failing *f = ctx;
    if (f->left == 0)
        return NULL;
    f->left--;
    return malloc(n);
}

static void *f_realloc(void *ctx, void *p, size_t n)
{
    failing *f = ctx;
    if (f->left == 0)
        return NULL;
    f->left--;
    return realloc(p, n);
}

static void f_free(void *ctx, void *p)
{
    (void)ctx;
    free(p);
}

static void test_sarif_nomem(void **state)
{
    size_t len, k;
    char *data = read_all(SARIF_DIR "/codeql-fingerprinting2.input.sarif", &len);
    bool done = false;
    (void)state;
    for (k = 0; k < 200 && !done; k++) {
        failing f = {k};
        asff_allocator a = {f_malloc, f_realloc, f_free, &f};
        asff_sarif_options o = ASFF_SARIF_OPTIONS_INIT;
        collect *c = collect_new();
        asff_error err;
        asff_status st;
        o.product_arn = ARN;
        o.account_id = "123456789012";
        o.allocator = &a;
        st = convert(data, len, 100, &o, c, &err);
        assert_true(st == ASFF_OK || st == ASFF_ERR_NOMEM);
        assert_int_equal(c->errors, 0); /* never a half-built finding */
        done = st == ASFF_OK;
        collect_free(c);
    }
    assert_true(done);
    free(data);
}

/* ---- CSV --------------------------------------------------------------------------------------- */

static int to_buf(void *ctx, const char *data, size_t len)
{
    return asff__buf_append(ctx, data, len) == ASFF_OK ? 0 : 1;
}

static asff_AwsSecurityFinding *finding(const char *json)
{
    void *f = NULL;
    asff_error err;
    assert_int_equal(asff_parse_object(json, strlen(json), 0, NULL, &f, &err), ASFF_OK);
    return f;
}

static void test_csv(void **state)
{
    asff_csv_options o = ASFF_CSV_OPTIONS_INIT;
    asff_csv_writer *w;
    asff_buf out;
    asff_error err;
    asff_AwsSecurityFinding *f = finding(
        "{\"Id\":\"=HYPERLINK(\\\"x\\\")\",\"Title\":\"a,b \\\"q\\\"\\nline\",\"Description\":\"-1+2\","
        "\"Types\":[\"T/1\",\"T/2\"],\"Severity\":{\"Label\":\"HIGH\",\"Normalized\":70},"
        "\"Resources\":[{\"Id\":\"r1\",\"Type\":\"Other\",\"Tags\":{\"k\":\"v\"}},{\"Id\":\"@r2\",\"Type\":\"Other\"}],"
        "\"ProductFields\":{\"aws/x.y\":\"\\u001b[31mred\",\"k2\":\"v2\"},\"Confidence\":5,\"Sample\":true}");
    (void)state;
    asff__buf_init(&out, NULL);
    o.columns = "Id,Title,Description,Types,Severity.Label,Severity.Normalized,Resources[].Id,Resources.Type,"
                "ProductFields.aws/x.y,Confidence,Sample,Resources[].Tags,Remediation.Recommendation.Url,Severity";
    assert_int_equal(asff_csv_writer_new(&o, to_buf, &out, &w, &err), ASFF_OK);
    assert_int_equal(asff_csv_writer_write(w, f, &err), ASFF_OK);
    assert_int_equal(asff_csv_writer_finish(w, &err), ASFF_OK);
    print_message("%s", out.data);
    assert_string_equal(out.data,
                        "Id,Title,Description,Types,Severity.Label,Severity.Normalized,Resources[].Id,Resources.Type,"
                        "ProductFields.aws/x.y,Confidence,Sample,Resources[].Tags,Remediation.Recommendation.Url,"
                        "Severity\r\n"
                        "\"'=HYPERLINK(\"\"x\"\")\",\"a,b \"\"q\"\"\nline\",\"'-1+2\",T/1; T/2,HIGH,70,r1; @r2,Other; Other,"
                        "\xef\xbf\xbd[31mred,5,true,k=v,,\"{\"\"Label\"\":\"\"HIGH\"\",\"\"Normalized\"\":70}\"\r\n");
    asff_csv_writer_free(w);
    asff_object_free(f);

    /* the default columns, and a header even without rows */
    asff__buf_reset(&out);
    assert_int_equal(asff_csv_writer_new(NULL, to_buf, &out, &w, &err), ASFF_OK);
    assert_int_equal(asff_csv_writer_finish(w, &err), ASFF_OK);
    assert_string_equal(out.data, "Id,AwsAccountId,Region,ProductName,GeneratorId,Severity.Label,Title,Types,"
                                  "Resources[].Type,Resources[].Id,Compliance.Status,Workflow.Status,RecordState,"
                                  "FirstObservedAt,LastObservedAt,CreatedAt,UpdatedAt\r\n");
    asff_csv_writer_free(w);

    /* bad columns */
    o.columns = "Id,Nope";
    assert_int_equal(asff_csv_writer_new(&o, to_buf, &out, &w, &err), ASFF_ERR_NOT_FOUND);
    assert_non_null(strstr(err.message, "Nope"));
    o.columns = "Id,,Title";
    assert_int_equal(asff_csv_writer_new(&o, to_buf, &out, &w, &err), ASFF_ERR_INVALID_ARG);
    o.columns = "Title[]";
    assert_int_equal(asff_csv_writer_new(&o, to_buf, &out, &w, &err), ASFF_ERR_INVALID_ARG);
    o.columns = "Id.";
    assert_int_equal(asff_csv_writer_new(&o, to_buf, &out, &w, &err), ASFF_ERR_INVALID_ARG);
    o.columns = "Title.Text";
    assert_int_equal(asff_csv_writer_new(&o, to_buf, &out, &w, &err), ASFF_ERR_INVALID_ARG);
    asff__buf_cleanup(&out);
}

/* ---- OCSF -------------------------------------------------------------------------------------- */

static int failing_sink(void *ctx, const char *data, size_t len)
{
    (void)ctx;
    (void)data;
    (void)len;
    return 1;
}

static void test_ocsf(void **state)
{
    asff_buf out;
    asff_error err;
    asff_AwsSecurityFinding *f = finding(
        "{\"Id\":\"i\",\"ProductArn\":\"arn:aws:securityhub:us-east-1:123456789012:product/123456789012/default\","
        "\"AwsAccountId\":\"123456789012\",\"CreatedAt\":\"2024-01-01T00:00:00Z\",\"UpdatedAt\":\"2024-01-01T00:00:00Z\","
        "\"Severity\":{\"Normalized\":95},\"Workflow\":{\"Status\":\"SUPPRESSED\"},\"Types\":[\"a\"],"
        "\"Resources\":[{\"Id\":\"r\",\"Type\":\"Other\"}],\"Unknown\":{\"x\":1},\"Note\":{\"Text\":\"n\",\"UpdatedBy\":\"u\","
        "\"UpdatedAt\":\"2024-01-01T00:00:00Z\"}}");
    (void)state;
    asff__buf_init(&out, NULL);
    assert_int_equal(asff_ocsf_class_uid(f), 2004);
    assert_int_equal(asff_to_ocsf(f, NULL, to_buf, &out, &err), ASFF_OK);
    print_message("%s\n", out.data);
    assert_non_null(strstr(out.data, "\"severity\":\"Critical\",\"severity_id\":5"));
    assert_non_null(strstr(out.data, "\"status\":\"Suppressed\",\"status_id\":3"));
    assert_non_null(strstr(out.data, "\"activity_id\":1,"));
    assert_non_null(strstr(out.data, "\"type_uid\":200401"));
    assert_non_null(strstr(out.data, "\"time\":1704067200000"));
    assert_non_null(strstr(out.data, "\"message\":\"n\""));
    assert_non_null(strstr(out.data, "\"Unknown\":\"{\\\"x\\\":1}\""));
    assert_non_null(strstr(out.data, "\"Note.UpdatedBy\":\"u\""));
    assert_null(strstr(out.data, "\"Note.Text\""));
    assert_int_equal(asff_to_ocsf(f, NULL, failing_sink, NULL, &err), ASFF_ERR_IO);
    assert_int_equal(asff_to_ocsf(NULL, NULL, to_buf, &out, &err), ASFF_ERR_INVALID_ARG);
    asff_object_free(f);

    f = finding("{\"Id\":\"i\",\"Compliance\":{\"Status\":\"PASSED\",\"StatusReasons\":[{\"ReasonCode\":\"A\"},"
                "{\"ReasonCode\":\"B\",\"Description\":\"d\"}]},\"Resources\":[{\"Id\":\"r1\",\"Type\":\"T\"},"
                "{\"Id\":\"r2\",\"Type\":\"T\"}]}");
    asff__buf_reset(&out);
    assert_int_equal(asff_ocsf_class_uid(f), 2003);
    assert_int_equal(asff_to_ocsf(f, NULL, to_buf, &out, &err), ASFF_OK);
    assert_non_null(strstr(out.data, "\"status_code\":\"A; B\",\"status_detail\":\"d\""));
    assert_non_null(strstr(out.data, "\"resource\":{\"type\":\"T\",\"uid\":\"r1\"}"));
    assert_non_null(strstr(out.data, "\"resources\":[{\"type\":\"T\",\"uid\":\"r1\"},{\"type\":\"T\",\"uid\":\"r2\"}]"));
    assert_non_null(strstr(out.data, "\"severity_id\":0,\"status\":\"Unknown\",\"status_id\":0"));
    asff_object_free(f);
    asff__buf_cleanup(&out);
}

/* ---- schema and partitions ------------------------------------------------------------------- */

static void test_schema(void **state)
{
    static const char *const q[] = {"`%s` ", "`%s` ", "\"%s\" ", "`%s` ", "'%s': "};
    const asff_type *t = asff_type_get(ASFF_TID_AwsSecurityFinding);
    asff_buf out;
    asff_error err;
    int d;
    unsigned i;
    (void)state;
    asff__buf_init(&out, NULL);
    for (d = ASFF_DIALECT_ATHENA; d <= ASFF_DIALECT_DUCKDB; d++) {
        asff_schema_options o = ASFF_SCHEMA_OPTIONS_INIT;
        o.dialect = (asff_dialect)d;
        o.partition_by = "";
        asff__buf_reset(&out);
        assert_int_equal(asff_schema_ddl(&o, to_buf, &out, &err), ASFF_OK);
        /* every member of AwsSecurityFinding is a column */
        for (i = 0; i < t->nmembers; i++) {
            char col[128];
            snprintf(col, sizeof col, q[d - 1], t->members[i].name);
            if (!strstr(out.data, col))
                fail_msg("dialect %d: no column %s", d, col);
        }
        assert_null(strstr(out.data, d == ASFF_DIALECT_DUCKDB ? "'JSON'" : "zzz")); /* no shape cut short */
        /* partitions, and the Region member carried by the region partition */
        o.partition_by = NULL;
        asff__buf_reset(&out);
        assert_int_equal(asff_schema_ddl(&o, to_buf, &out, &err), ASFF_OK);
        assert_non_null(strstr(out.data, "is read through the partition column"));
        /* a depth bound types deeper shapes as JSON text */
        o.max_depth = 2;
        asff__buf_reset(&out);
        assert_int_equal(asff_schema_ddl(&o, to_buf, &out, &err), ASFF_OK);
    }
    {
        asff_schema_options o = ASFF_SCHEMA_OPTIONS_INIT;
        o.dialect = ASFF_DIALECT_TRINO;
        asff__buf_reset(&out);
        assert_int_equal(asff_schema_ddl(&o, to_buf, &out, &err), ASFF_OK);
        assert_non_null(strstr(out.data, "\"Types\" ARRAY(varchar)"));
        assert_non_null(strstr(out.data, "\"ProductFields\" MAP(varchar, varchar)"));
        assert_non_null(strstr(out.data, "\"Severity\" ROW(\"Product\" double, \"Label\" varchar, \"Normalized\" bigint"));
        assert_non_null(strstr(out.data, "\"CreatedAt\" varchar COMMENT"));
        assert_non_null(strstr(out.data, "partitioned_by = ARRAY['region', 'account', 'yyyy', 'mm', 'dd']"));
        o.dialect = ASFF_DIALECT_BIGQUERY;
        asff__buf_reset(&out);
        assert_int_equal(asff_schema_ddl(&o, to_buf, &out, &err), ASFF_OK);
        assert_non_null(strstr(out.data, "`ProductFields` JSON"));
        o.partition_by = "region/Bad";
        assert_int_equal(asff_schema_ddl(&o, to_buf, &out, &err), ASFF_ERR_INVALID_ARG);
        o.partition_by = NULL;
        o.location = "s3://x/'; DROP";
        assert_int_equal(asff_schema_ddl(&o, to_buf, &out, &err), ASFF_ERR_INVALID_ARG);
        o.location = NULL;
        o.dialect = (asff_dialect)0;
        assert_int_equal(asff_schema_ddl(&o, to_buf, &out, &err), ASFF_ERR_INVALID_ARG);
    }
    asff__buf_cleanup(&out);
}

static void test_partitions(void **state)
{
    char dir[] = "/tmp/asff-part-XXXXXX";
    asff_partition_options o = ASFF_PARTITION_OPTIONS_INIT;
    asff_partition_writer *w;
    asff_error err;
    asff_AwsSecurityFinding *a, *b, *c;
    char path[512];
    FILE *f;
    char line[4096];
    int n = 0;
    (void)state;
    assert_non_null(mkdtemp(dir));
    a = finding("{\"Id\":\"a\",\"AwsAccountId\":\"123456789012\",\"Region\":\"../../etc\","
                "\"UpdatedAt\":\"2024-01-02T23:30:00-02:00\"}");
    b = finding("{\"Id\":\"b\",\"AwsAccountId\":\"123456789012\",\"Resources\":[{\"Id\":\"r\",\"Type\":\"T\","
                "\"Region\":\"eu-west-1\"}],\"UpdatedAt\":\"2024-01-03T01:30:00Z\"}");
    c = finding("{\"Id\":\"c\",\"ProductArn\":\"arn:aws:securityhub:us-east-2::product/aws/x\"}");
    o.max_open = 1; /* every switch closes and reopens */
    assert_int_equal(asff_partition_writer_new(dir, &o, &w, &err), ASFF_OK);
    assert_int_equal(asff_partition_writer_write(w, a, &err), ASFF_OK);
    assert_int_equal(asff_partition_writer_write(w, b, &err), ASFF_OK);
    assert_int_equal(asff_partition_writer_write(w, a, &err), ASFF_OK);
    assert_int_equal(asff_partition_writer_write(w, c, &err), ASFF_OK);
    assert_int_equal(asff_partition_writer_finish(w, &err), ASFF_OK);
    assert_int_equal(asff_partition_writer_count(w), 3);
    asff_partition_writer_free(w);
    /* UTC day of UpdatedAt; a region cannot climb out of the folder; the first resource's region */
    snprintf(path, sizeof path, "%s/region=..%%2F..%%2Fetc/account=123456789012/yyyy=2024/mm=01/dd=03/part-00000.ndjson", dir);
    f = fopen(path, "r");
    assert_non_null(f);
    while (fgets(line, sizeof line, f))
        n++;
    fclose(f);
    assert_int_equal(n, 2); /* appended after the reopen, not truncated */
    snprintf(path, sizeof path, "%s/region=eu-west-1/account=123456789012/yyyy=2024/mm=01/dd=03/part-00000.ndjson", dir);
    f = fopen(path, "r");
    assert_non_null(f);
    fclose(f);
    snprintf(path, sizeof path,
             "%s/region=us-east-2/account=__HIVE_DEFAULT_PARTITION__/yyyy=__HIVE_DEFAULT_PARTITION__/mm=__HIVE_DEFAULT_PARTITION__/"
             "dd=__HIVE_DEFAULT_PARTITION__/part-00000.ndjson", dir);
    f = fopen(path, "r");
    assert_non_null(f);
    fclose(f);
    o.partition_by = "region/nope";
    assert_int_equal(asff_partition_writer_new(dir, &o, &w, &err), ASFF_ERR_INVALID_ARG);
    asff_object_free(a);
    asff_object_free(b);
    asff_object_free(c);
    snprintf(line, sizeof line, "rm -rf '%s'", dir);
    assert_int_equal(system(line), 0);
}

/* gzip partitions: every reopen adds a gzip member, which zlib's reader joins; the lines come back
 * whole, in order, and parse as the findings written. */
static asff_status write_gzip_partitions(const asff_allocator *alloc, void *ctx)
{
    const char *dir = ctx;
    asff_partition_options o = ASFF_PARTITION_OPTIONS_INIT;
    asff_partition_writer *w;
    asff_error err;
    asff_status st;
    asff_AwsSecurityFinding *f[2];
    int i;
    f[0] = finding("{\"Id\":\"g-a\",\"AwsAccountId\":\"111111111111\",\"Region\":\"us-east-1\"}");
    f[1] = finding("{\"Id\":\"g-b\",\"AwsAccountId\":\"222222222222\",\"Region\":\"us-east-1\"}");
    o.partition_by = "region/account";
    o.gzip = true;
    o.max_open = 1; /* every switch closes a member and starts another */
    o.allocator = alloc;
    st = asff_partition_writer_new(dir, &o, &w, &err);
    for (i = 0; st == ASFF_OK && i < 300; i++)
        st = asff_partition_writer_write(w, f[(i / 7) % 2], &err);
    if (st == ASFF_OK)
        st = asff_partition_writer_finish(w, &err);
    asff_partition_writer_free(w);
    asff_object_free(f[0]);
    asff_object_free(f[1]);
    return st;
}

static void test_partitions_gzip(void **state)
{
    char dir[] = "/tmp/asff-gz-XXXXXX", path[512], line[4096];
    gzFile gz;
    int n = 0, i;
    (void)state;
    assert_non_null(mkdtemp(dir));
    assert_int_equal(write_gzip_partitions(NULL, dir), ASFF_OK);
    for (i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s/region=us-east-1/account=%s/part-00000.ndjson.gz", dir,
                 i ? "222222222222" : "111111111111");
        gz = gzopen(path, "rb");
        assert_non_null(gz);
        n = 0;
        while (gzgets(gz, line, sizeof line)) {
            asff_AwsSecurityFinding *f = finding(line);
            assert_string_equal(f->Id, i ? "g-b" : "g-a");
            asff_object_free(f);
            n++;
        }
        assert_int_equal(gzclose(gz), Z_OK);
        assert_int_equal(n, i ? 147 : 153); /* runs of 7, alternating, over 300 */
    }
    /* no plain file beside it */
    snprintf(path, sizeof path, "%s/region=us-east-1/account=111111111111/part-00000.ndjson", dir);
    assert_int_equal(access(path, F_OK), -1);
    /* every allocation (the deflate streams' included) failing in turn: NOMEM, nothing leaked */
    assert_true(test_alloc_chaos(write_gzip_partitions, dir) > 10);
    snprintf(line, sizeof line, "rm -rf '%s'", dir);
    assert_int_equal(system(line), 0);
}

/* ---- allocation chaos of OCSF, CSV and schemas (the partition writer's is in test_partitions_gzip) ---- */

#define CHAOS_FINDING                                                                                            \
    "{\"Id\":\"i\",\"AwsAccountId\":\"123456789012\",\"UpdatedAt\":\"2024-01-01T00:00:00Z\",\"Types\":[\"a\",\"b\"]," \
    "\"Severity\":{\"Label\":\"HIGH\"},\"Compliance\":{\"Status\":\"FAILED\",\"StatusReasons\":[{\"ReasonCode\":"     \
    "\"A\"}]},\"Resources\":[{\"Id\":\"r1\",\"Type\":\"T\",\"Tags\":{\"k\":\"v\"}},{\"Id\":\"r2\",\"Type\":\"T\"}],"    \
    "\"ProductFields\":{\"p\":\"q\"},\"Unknown\":{\"x\":[1,{\"y\":null}]}}"

static int count_sink(void *ctx, const char *data, size_t len)
{
    (void)data;
    *(size_t *)ctx += len;
    return 0;
}

static asff_status run_ocsf(const asff_allocator *alloc, void *ctx)
{
    asff_ocsf_options o = ASFF_OCSF_OPTIONS_INIT;
    asff_error err;
    size_t n = 0;
    asff_status st;
    o.allocator = alloc;
    o.pretty = true;
    st = asff_to_ocsf(ctx, &o, count_sink, &n, &err);
    return st == ASFF_OK && n < 100 ? ASFF_ERR_STATE : st;
}

/* run under allocation chaos with CHAOS_FINDING as its ctx. */
static void chaos_on_finding(test_alloc_run_fn run)
{
    asff_AwsSecurityFinding *f = finding(CHAOS_FINDING);
    assert_true(test_alloc_chaos(run, f) > 2);
    asff_object_free(f);
}

static void test_chaos_ocsf(void **state)
{
    (void)state;
    chaos_on_finding(run_ocsf);
}

static asff_status run_csv(const asff_allocator *alloc, void *ctx)
{
    asff_csv_options o = ASFF_CSV_OPTIONS_INIT;
    asff_csv_writer *w = NULL;
    asff_error err;
    size_t n = 0;
    int i;
    asff_status st;
    o.allocator = alloc;
    o.columns = "Id,Types,Resources[].Id,Resources[].Tags,Compliance,ProductFields.p,Severity.Label";
    st = asff_csv_writer_new(&o, count_sink, &n, &w, &err);
    for (i = 0; st == ASFF_OK && i < 3; i++)
        st = asff_csv_writer_write(w, ctx, &err);
    if (st == ASFF_OK)
        st = asff_csv_writer_finish(w, &err);
    asff_csv_writer_free(w);
    return st == ASFF_OK && n < 100 ? ASFF_ERR_STATE : st;
}

static void test_chaos_csv(void **state)
{
    (void)state;
    chaos_on_finding(run_csv);
}

static asff_status run_schema(const asff_allocator *alloc, void *ctx)
{
    asff_schema_options o = ASFF_SCHEMA_OPTIONS_INIT;
    asff_error err;
    size_t n = 0;
    asff_status st;
    o.allocator = alloc;
    o.dialect = *(const asff_dialect *)ctx;
    st = asff_schema_ddl(&o, count_sink, &n, &err);
    return st == ASFF_OK && n < 1000 ? ASFF_ERR_STATE : st;
}

static void test_chaos_schema(void **state)
{
    asff_dialect d;
    (void)state;
    for (d = ASFF_DIALECT_ATHENA; d <= ASFF_DIALECT_DUCKDB; d = (asff_dialect)(d + 1))
        assert_true(test_alloc_chaos(run_schema, &d) >= 1);
}

static void test_utf8_prefix(void **state)
{
    (void)state;
    assert_int_equal(asff__utf8_prefix("abc", 3, 2), 2);
    assert_int_equal(asff__utf8_prefix("a\xc3\xa9z", 4, 2), 3);
    assert_int_equal(asff__utf8_prefix("\xf0\x9f\x98\x80x", 5, 1), 4);
    assert_int_equal(asff__utf8_prefix("\xf0\x9f\x98", 3, 5), 0); /* never a cut character */
    assert_int_equal(asff__utf8_prefix("", 0, 5), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sarif_corpus), cmocka_unit_test(test_sarif_mapping),
        cmocka_unit_test(test_sarif_errors), cmocka_unit_test(test_sarif_limits),
        cmocka_unit_test(test_sarif_nomem),  cmocka_unit_test(test_csv),
        cmocka_unit_test(test_partitions_gzip),
        cmocka_unit_test(test_ocsf),         cmocka_unit_test(test_utf8_prefix),
        cmocka_unit_test(test_schema),       cmocka_unit_test(test_partitions),
        cmocka_unit_test(test_chaos_ocsf),
        cmocka_unit_test(test_chaos_csv),
        cmocka_unit_test(test_chaos_schema),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
