/* Tests of lib/codec: the streaming parser, the envelopes, errors and limits, and the writer. */
#include <inttypes.h>
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_parse.h>
#include "codec/codec_internal.h"
#include "asff/codec.h"
#include "asff/filter.h"
#include "support.h"

/* ---- helpers ----------------------------------------------------------------------------- */

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;
    if (!f)
        fail_msg("cannot open %s", path);
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

static char *read_data(const char *rel, size_t *len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", ASFF_TEST_DATA, rel);
    return read_file(path, len);
}

static char *read_real(const char *rel, size_t *len)
{
    char path[512];
    snprintf(path, sizeof path, "real/%s", rel);
    return read_data(path, len);
}

/* What one parse produced: every finding as NDJSON, skipped items with their errors. */
typedef struct result {
    asff_status status;
    asff_error err;
    asff_writer *w;
    uint64_t count, skipped;
    char skips[4096];            /* "index path code line col;" per skipped item */
    char infos[4096];            /* "index path line;" per finding (first ones) */
    asff_document doc;           /* copied at the last finding (strings not kept) */
    char doc_strings[2048];      /* event fields seen at the last finding */
    int stop_after;              /* return nonzero from the callback after this many (0 = never) */
} result;

static int stop_after; /* parse_chunks: the callback stops after this many findings (0 = never) */

static void append(char *dst, size_t size, const char *fmt, ...)
{
    size_t n = strlen(dst);
    va_list ap;
    if (n + 1 >= size)
        return;
    va_start(ap, fmt);
    vsnprintf(dst + n, size - n, fmt, ap);
    va_end(ap);
}

static int on_finding(void *ctx, void *finding, const asff_finding_info *info)
{
    result *r = ctx;
    const asff_document *d = info->document;
    asff_error e;
    assert_int_equal(asff_writer_write(r->w, finding, &e), ASFF_OK);
    r->count++;
    append(r->infos, sizeof r->infos, "%llu %s %llu;", (unsigned long long)info->index, info->path,
           (unsigned long long)info->line);
    r->doc = *d;
    r->doc_strings[0] = '\0';
    append(r->doc_strings, sizeof r->doc_strings, "env=%d id=%s type=%s src=%s acct=%s time=%s region=%s res=%s "
           "action=%s desc=%s next=%s other=%s", (int)d->envelope, d->event_id ? d->event_id : "-",
           d->detail_type ? d->detail_type : "-", d->source ? d->source : "-", d->account ? d->account : "-",
           d->time ? d->time : "-", d->region ? d->region : "-", d->resources ? d->resources : "-",
           d->action_name ? d->action_name : "-", d->action_description ? d->action_description : "-",
           d->next_token ? d->next_token : "-", d->other_members ? d->other_members : "-");
    return r->stop_after && r->count >= (uint64_t)r->stop_after;
}

static int on_error(void *ctx, const asff_error *err, const asff_finding_info *info)
{
    result *r = ctx;
    r->skipped++;
    append(r->skips, sizeof r->skips, "%llu %s %s %s %llu %llu;", (unsigned long long)info->index, info->path,
           asff_status_name(err->code), err->path, (unsigned long long)err->line, (unsigned long long)err->column);
    return 0;
}

/* Parse data fed in chunks of `chunk` bytes (0 = all at once). r->w holds the NDJSON output. */
static void parse_chunks(const char *data, size_t len, const asff_parse_options *opt, size_t chunk, result *r)
{
    asff_parser *p;
    size_t off = 0;
    memset(r, 0, sizeof *r);
    r->stop_after = stop_after;
    (void)asff_writer_new_buffer(NULL, &r->w, NULL);
    assert_non_null(r->w);
    (void)asff_parser_new(opt, on_finding, on_error, r, &p, NULL);
    assert_non_null(p);
    r->status = ASFF_OK;
    if (!chunk)
        chunk = len ? len : 1;
    while (off < len && r->status == ASFF_OK) {
        size_t n = len - off < chunk ? len - off : chunk;
        r->status = asff_parser_feed(p, data + off, n, &r->err);
        off += n;
    }
    if (r->status == ASFF_OK)
        r->status = asff_parser_finish(p, &r->err);
    assert_int_equal(asff_parser_count(p), r->count);
    assert_int_equal(asff_parser_skipped(p), r->skipped);
    asff_parser_free(p);
}

static void result_free(result *r)
{
    asff_writer_free(r->w);
}

static const char *output(result *r)
{
    return asff_writer_buffer(r->w, NULL);
}

static void parse_text(const char *text, const asff_parse_options *opt, result *r)
{
    parse_chunks(text, strlen(text), opt, 0, r);
}

/* Parse text (one finding expected) and return its compact JSON, newline stripped. */
static char *roundtrip(const char *text)
{
    result r;
    char *out;
    size_t n;
    parse_text(text, NULL, &r);
    if (r.status != ASFF_OK)
        fail_msg("%s: %s at %s", asff_status_name(r.status), r.err.message, r.err.path);
    out = strdup(output(&r));
    n = strlen(out);
    if (n && out[n - 1] == '\n')
        out[n - 1] = '\0';
    result_free(&r);
    return out;
}

static void assert_roundtrip_same(const char *text)
{
    char *out = roundtrip(text);
    assert_string_equal(out, text);
    free(out);
}

/* ---- the real files ---------------------------------------------------------------------- */

typedef struct real_file {
    const char *path;
    uint64_t findings;          /* from tests/data/real/README.md */
    asff_envelope envelope;
} real_file;

static const real_file real_files[] = {
    {"asr/CIS-1.3.json", 1, ASFF_ENVELOPE_EVENT},
    {"asr/CIS-bad.json", 1, ASFF_ENVELOPE_EVENT},
    {"asr/CIS_1-6-multi-select.json", 2, ASFF_ENVELOPE_EVENT},
    {"asr/afsbp-ec2.1.json", 1, ASFF_ENVELOPE_FINDING},
    {"asr/afsbp-ec2.7.json", 1, ASFF_ENVELOPE_EVENT},
    {"asr/afsbp-iam.8-nodetails.json", 1, ASFF_ENVELOPE_FINDING},
    {"asr/afsbp-lambda.1.json", 1, ASFF_ENVELOPE_FINDING},
    {"asr/afsbp-rds.2.json", 1, ASFF_ENVELOPE_FINDING},
    {"asr/afsbp-redshift.1.json", 1, ASFF_ENVELOPE_FINDING},
    {"asr/afsbp-s3.1.json", 1, ASFF_ENVELOPE_FINDING},
    {"asr/afsbp_rds6.json", 1, ASFF_ENVELOPE_EVENT},
    {"asr/cis-31.json", 1, ASFF_ENVELOPE_FINDING},
    {"asr/cis1314-save.json", 1, ASFF_ENVELOPE_EVENT},
    {"asr/cis15111.json", 1, ASFF_ENVELOPE_FINDING},
    {"asr/cis24.json", 1, ASFF_ENVELOPE_FINDING},
    {"asr/custom-action-mismatch.json", 1, ASFF_ENVELOPE_EVENT},
    {"asr/pci-ec2.1.json", 1, ASFF_ENVELOPE_FINDING},
    {"asr/pci-s3.1.json", 1, ASFF_ENVELOPE_FINDING},
    {"awsdocs/access-analyzer-typical-finding.json", 1, ASFF_ENVELOPE_FINDING},
    {"awsdocs/config-typical-finding.json", 1, ASFF_ENVELOPE_FINDING},
    {"awsdocs/eventbridge-insight-results-example.json", 0, ASFF_ENVELOPE_EVENT},
    {"awsdocs/guardduty-typical-finding.json", 1, ASFF_ENVELOPE_FINDING},
    {"awsdocs/inspector-typical-finding.json", 1, ASFF_ENVELOPE_FINDING},
    {"awsdocs/sample-control-finding-cis-1.2.json", 1, ASFF_ENVELOPE_FINDING},
    {"awsdocs/sample-control-finding-control-tower.json", 1, ASFF_ENVELOPE_FINDING},
    {"awsdocs/sample-control-finding-fsbp.json", 1, ASFF_ENVELOPE_FINDING},
    {"heimdall2/asff_sample.json", 18, ASFF_ENVELOPE_FINDINGS},
    {"heimdall2/prowler-sample.asff-json.jsonl", 10, ASFF_ENVELOPE_NDJSON},
    {"heimdall2/prowler_sample.json", 10, ASFF_ENVELOPE_FINDINGS},
    {"heimdall2/restrictions-test-results.asff.json", 4, ASFF_ENVELOPE_ARRAY},
    {"heimdall2/rhel7_V-71931_asff.json", 3, ASFF_ENVELOPE_ARRAY},
    {"heimdall2/trivy-image_golang-1.12-alpine_sample.json", 44, ASFF_ENVELOPE_FINDINGS},
    {"heimdall2/undefined-code.asff.json", 2, ASFF_ENVELOPE_ARRAY},
    {"jfrog-xray/sec_hub_finding_op_risk.json", 1, ASFF_ENVELOPE_ARRAY},
    {"jfrog-xray/sec_hub_finding_security.json", 2, ASFF_ENVELOPE_ARRAY},
    {"jfrog-xray/sec_hub_findings_license.json", 1, ASFF_ENVELOPE_ARRAY},
    {"trivy/alpine-310.asff.golden.json", 4, ASFF_ENVELOPE_FINDINGS},
    {"trivy/secrets.asff.golden.json", 2, ASFF_ENVELOPE_FINDINGS},
};
#define NREAL (sizeof real_files / sizeof real_files[0])

static const char *malformed = "awsdocs/sample-control-finding-consolidated.MALFORMED.json";

/* Every file parses, with the README's number of findings, in the envelope it has, and writes
 * exactly what an independent route (tests/data/codec/make_canonical.py, plain Python json) says. */
static void test_real_files(void **state)
{
    size_t i, total = 0;
    (void)state;
    for (i = 0; i < NREAL; i++) {
        size_t len, clen;
        char *data = read_real(real_files[i].path, &len), *canon, cpath[512], *slash;
        result r;
        parse_chunks(data, len, NULL, 0, &r);
        if (r.status != ASFF_OK)
            fail_msg("%s: %s %s at %s", real_files[i].path, asff_status_name(r.status), r.err.message, r.err.path);
        if (r.count != real_files[i].findings)
            fail_msg("%s: %llu findings, README says %llu", real_files[i].path, (unsigned long long)r.count,
                     (unsigned long long)real_files[i].findings);
        if (r.count)
            assert_int_equal(r.doc.envelope, real_files[i].envelope);
        snprintf(cpath, sizeof cpath, "codec/real-canonical/%s.ndjson", real_files[i].path);
        slash = strchr(cpath + strlen("codec/real-canonical/"), '/');
        memmove(slash + 2, slash + 1, strlen(slash + 1) + 1);
        slash[0] = '_';
        slash[1] = '_';
        canon = read_data(cpath, &clen);
        if (strcmp(output(&r), canon) != 0)
            fail_msg("%s: output differs from %s", real_files[i].path, cpath);
        total += r.count;
        free(canon);
        result_free(&r);
        free(data);
    }
    assert_int_equal(total, 127); /* README: 127 finding records */
}

/* parse -> write -> parse -> write gives the same text, for every file. */
static void test_real_roundtrip(void **state)
{
    size_t i;
    (void)state;
    for (i = 0; i < NREAL; i++) {
        size_t len;
        char *data = read_real(real_files[i].path, &len);
        result a, b;
        parse_chunks(data, len, NULL, 0, &a);
        assert_int_equal(a.status, ASFF_OK);
        parse_text(output(&a), NULL, &b);
        assert_int_equal(b.status, ASFF_OK);
        assert_int_equal(a.count, b.count);
        assert_string_equal(output(&a), output(&b));
        result_free(&a);
        result_free(&b);
        free(data);
    }
}

/* The malformed file: missing comma after ProductFields' closing brace (line 37); the next member
 * starts at line 38, column 3. */
static void test_real_malformed(void **state)
{
    size_t len;
    char *data = read_real(malformed, &len);
    result r;
    (void)state;
    parse_chunks(data, len, NULL, 0, &r);
    assert_int_equal(r.status, ASFF_ERR_SYNTAX);
    assert_int_equal(r.err.code, ASFF_ERR_SYNTAX);
    assert_int_equal(r.err.line, 38);
    assert_int_equal(r.err.column, 3);
    assert_int_equal(data[r.err.offset], '"');
    assert_int_equal(strncmp(data + r.err.offset, "\"Resources\"", 11), 0);
    assert_int_equal(r.count, 0);
    result_free(&r);
    /* skip_invalid does not turn a broken pretty-printed document into line records */
    {
        asff_parse_options o = ASFF_PARSE_OPTIONS_INIT;
        o.skip_invalid = true;
        parse_chunks(data, len, &o, 0, &r);
        assert_int_equal(r.status, ASFF_ERR_SYNTAX);
        assert_int_equal(r.err.line, 38);
        result_free(&r);
    }
    free(data);
}

/* bad (one line) is refused with ASFF_ERR_SYNTAX at offset err_at, at every chunk size (ctest
 * runs this file on each front-end); with skip_invalid between good lines, NDJSON recovery goes on
 * at the next line. A long line follows it: 64 bytes or more after a value make simdjson read it in
 * place rather than from a padded copy. */
static void refused_everywhere(const char *bad, uint64_t err_at)
{
    static const size_t chunks[] = {0, 1, 7, 61};
    size_t k;
    result r;
    for (k = 0; k < sizeof chunks / sizeof *chunks; k++) {
        char text[512];
        asff_parse_options o = ASFF_PARSE_OPTIONS_INIT;
        snprintf(text, sizeof text, "%s{\"Id\":\"n\",\"Title\":\"%080d\"}\n", bad, 0);
        parse_chunks(text, strlen(text), NULL, chunks[k], &r);
        assert_int_equal(r.status, ASFF_ERR_SYNTAX);
        assert_int_equal(r.count, 0);
        assert_int_equal(r.err.offset, err_at);
        result_free(&r);
        snprintf(text, sizeof text, "{\"Id\":\"g1\"}\n%s{\"Id\":\"n\",\"Title\":\"%080d\"}\n", bad, 0);
        o.skip_invalid = true;
        parse_chunks(text, strlen(text), &o, chunks[k], &r);
        assert_int_equal(r.status, ASFF_OK);
        assert_int_equal(r.count, 2);
        assert_int_equal(r.skipped, 1);
        result_free(&r);
    }
}

/* A string value followed by ':' (found by fuzz/parse): simdjson's On Demand skips a value left
 * unread and takes a string before ':' for a key, so the object seemed to end well at its last '}'.
 * Refused at the ':' as yajl does. */
static void test_string_then_colon(void **state)
{
    static const char *const bad[] = {
        "{\"Id\":\"a\",\"Title\":\"b\":[\"x\"]}}\n",
        "{\"Id\":\"a\",\"T\":\"b\":[1]}}\n",
        "{\"Id\":\"a\",\"ProductFields\":{\"k\":\"v\":{\"x\":\"1\"}}},\"Title\":\"t\"}\n",
        "{\"Id\":\"a\",\"Types\":[\"x\":\"y\"]}}\n",
    };
    static const char *const value[] = {"\"b\":", "\"b\":", "\"v\":", "\"x\":"}; /* the value before the ':' */
    size_t i;
    (void)state;
    for (i = 0; i < sizeof bad / sizeof *bad; i++)
        refused_everywhere(bad[i], (uint64_t)(strstr(bad[i], value[i]) + 3 - bad[i]));
}

/* A vertical tab or form feed is not JSON whitespace (yajl took both for it; found by
 * fuzz/batchread, whose output check refused the line handed out): refused where it stands. */
static void test_vt_ff_not_blank(void **state)
{
    static const char *const bad[] = {
        "{\"Id\":\"a\",\f\"Title\":\"t\"}\n",
        "{\"Id\":\"a\",\"Title\":\v\"t\"}\n",
        "\f{\"Id\":\"a\"}\n",
        "{\"Id\":\"a\",\"Types\":[\"x\",\f\"y\"]}\n",
        "{\"Id\":\"a\f\"}\n",
    };
    static const unsigned past[] = {1, 1, 1, 1, 0}; /* yajl: just past the byte, in a string at it */
    size_t i;
    result r;
    (void)state;
    for (i = 0; i < sizeof bad / sizeof *bad; i++)
        refused_everywhere(bad[i], (uint64_t)(strpbrk(bad[i], "\v\f") - bad[i]) + past[i]);
    /* between values: "}\f{" and a trailing one */
    {
        static const char between[] = "{\"Id\":\"a\"}\f{\"Id\":\"b\"}", trailing[] = "{\"Id\":\"a\"}\v";
        parse_chunks(between, sizeof between - 1, NULL, 0, &r);
        assert_int_equal(r.status, ASFF_ERR_SYNTAX);
        assert_int_equal(r.count, 1);
        assert_int_equal(r.err.offset, 11); /* just past the form feed, as yajl reports a bad byte */
        result_free(&r);
        parse_chunks(trailing, sizeof trailing - 1, NULL, 0, &r);
    }
    assert_int_equal(r.status, ASFF_ERR_SYNTAX);
    assert_int_equal(r.count, 1);
    result_free(&r);
}

/* Any chunk size gives the same findings, output and errors. */
static void check_chunks(const char *rel, bool every)
{
    static const size_t sizes[] = {1, 2, 3, 7, 64, 4096};
    size_t len, c, n;
    char *data = strncmp(rel, "codec/", 6) == 0 ? read_data(rel, &len) : read_real(rel, &len);
    result whole;
    parse_chunks(data, len, NULL, 0, &whole);
    n = every ? len : sizeof sizes / sizeof sizes[0];
    for (c = 0; c < n; c++) {
        size_t chunk = every ? c + 1 : sizes[c];
        result r;
        parse_chunks(data, len, NULL, chunk, &r);
        if (r.status != whole.status || r.count != whole.count || strcmp(output(&r), output(&whole)) != 0 ||
            r.err.offset != whole.err.offset || r.err.line != whole.err.line || r.err.column != whole.err.column ||
            strcmp(r.err.path, whole.err.path) != 0 || strcmp(r.infos, whole.infos) != 0)
            fail_msg("%s: chunk size %zu differs (status %d/%d, line %llu/%llu, col %llu/%llu, path %s/%s)", rel,
                     chunk, r.status, whole.status, (unsigned long long)r.err.line,
                     (unsigned long long)whole.err.line, (unsigned long long)r.err.column,
                     (unsigned long long)whole.err.column, r.err.path, whole.err.path);
        result_free(&r);
    }
    result_free(&whole);
    free(data);
}

static void test_chunk_sizes(void **state)
{
    (void)state;
    check_chunks("asr/CIS_1-6-multi-select.json", true);
    check_chunks("awsdocs/inspector-typical-finding.json", true);
    check_chunks("heimdall2/prowler-sample.asff-json.jsonl", true);
    check_chunks(malformed, true);
    check_chunks("codec/type-error/input.json", true);
    check_chunks("heimdall2/asff_sample.json", false);
    check_chunks("heimdall2/restrictions-test-results.asff.json", false);
    check_chunks("heimdall2/trivy-image_golang-1.12-alpine_sample.json", false);
}

/* ---- golden cases: tests/data/codec/<case>/input.json + expected.ndjson | expected-error.txt -- */

static const char *const golden_cases[] = {
    "unknown-members", "nulls", "big-integers", "doubles", "findings-wrapper", "event-custom-action",
    "event-insight", "ndjson", "concatenated", "type-error", "duplicate", "truncated", "not-findings",
    "utf8-invalid", "nul-escape", "empty",
};

static void test_golden(void **state)
{
    size_t i;
    (void)state;
    for (i = 0; i < sizeof golden_cases / sizeof golden_cases[0]; i++) {
        char rel[256], path[512];
        size_t len, elen;
        char *in, *expected;
        FILE *f;
        result r;
        snprintf(rel, sizeof rel, "codec/%s/input.json", golden_cases[i]);
        in = read_data(rel, &len);
        parse_chunks(in, len, NULL, 0, &r);
        snprintf(path, sizeof path, "%s/codec/%s/expected-error.txt", ASFF_TEST_DATA, golden_cases[i]);
        f = fopen(path, "r");
        if (f) {
            char line[1024];
            fclose(f);
            snprintf(rel, sizeof rel, "codec/%s/expected-error.txt", golden_cases[i]);
            expected = read_data(rel, &elen);
            snprintf(line, sizeof line, "%s %llu:%llu %s\n", asff_status_name(r.status),
                     (unsigned long long)r.err.line, (unsigned long long)r.err.column,
                     r.err.path[0] ? r.err.path : "-");
            if (strcmp(line, expected) != 0)
                fail_msg("%s: got \"%s\" (%s), expected \"%s\"", golden_cases[i], line, r.err.message, expected);
        } else {
            snprintf(rel, sizeof rel, "codec/%s/expected.ndjson", golden_cases[i]);
            expected = read_data(rel, &elen);
            if (r.status != ASFF_OK)
                fail_msg("%s: %s %s at %s", golden_cases[i], asff_status_name(r.status), r.err.message, r.err.path);
            if (strcmp(output(&r), expected) != 0)
                fail_msg("%s: got\n%s\nexpected\n%s", golden_cases[i], output(&r), expected);
        }
        free(expected);
        free(in);
        result_free(&r);
    }
}

/* ---- values ------------------------------------------------------------------------------ */

static void test_unknown_members(void **state)
{
    (void)state;
    assert_roundtrip_same("{\"SchemaVersion\":\"2018-10-08\",\"NewTopLevel\":{\"a\":[1,2.50,\"x\\\"y\",null,true,"
                          "{\"deep\":{}}],\"b\":[]},\"Id\":\"i\",\"Severity\":{\"Label\":\"LOW\",\"Future\":1e400},"
                          "\"Resources\":[{\"Type\":\"Other\",\"Id\":\"r\",\"Zz\":\"\xc3\xa9\\n\\t\\u001F\"}],\"Last\":-0}");
}

static void test_big_integers(void **state)
{
    static const char *const text =
        "{\"Severity\":{\"Normalized\":9007199254740993},\"Criticality\":-9223372036854775808,"
        "\"Confidence\":18446744073709551616,\"Count\":9223372036854775807}";
    asff_AwsSecurityFinding *f;
    asff_error e;
    (void)state;
    assert_roundtrip_same(text);
    assert_int_equal(asff_parse_object(text, strlen(text), ASFF_TID_AwsSecurityFinding, NULL, (void **)&f, &e),
                     ASFF_OK);
    assert_true(f->Severity->Normalized->value == 9007199254740993LL);
    assert_null(f->Severity->Normalized->text);
    assert_true(f->Criticality->value == INT64_MIN);
    assert_null(f->Criticality->text);
    assert_true(f->Confidence->value == INT64_MAX);
    assert_string_equal(f->Confidence->text, "18446744073709551616");
    asff_object_free(f);
}

static void test_nulls(void **state)
{
    static const char *const text =
        "{\"Id\":null,\"Types\":[\"a\",null],\"ProductFields\":{\"k\":null,\"j\":\"v\"},\"Note\":null,\"X\":null}";
    asff_AwsSecurityFinding *f;
    asff_error e;
    const asff_extra *x;
    (void)state;
    assert_roundtrip_same(text);
    assert_int_equal(asff_parse_object(text, strlen(text), ASFF_TID_AwsSecurityFinding, NULL, (void **)&f, &e),
                     ASFF_OK);
    assert_null(f->Id);                      /* the typed slot stays absent */
    x = asff_extra_get(f, "Id");             /* and the null is kept where it was */
    assert_non_null(x);
    assert_string_equal(x->json, "null");
    assert_int_equal(f->Types.count, 2);
    assert_null(f->Types.items[1]);
    assert_int_equal(f->ProductFields.count, 2);
    assert_null(f->ProductFields.values[0]);
    assert_null(f->Note);
    assert_non_null(asff_extra_get(f, "X"));
    /* a member that was null, then present again, is a duplicate */
    {
        static const char *const dup = "{\"Id\":null,\"Id\":\"x\"}";
        void *o = NULL;
        assert_int_equal(asff_parse_object(dup, strlen(dup), ASFF_TID_AwsSecurityFinding, NULL, &o, &e),
                         ASFF_ERR_DUPLICATE);
        assert_string_equal(e.path, "/Id");
        assert_null(o);
    }
    asff_object_free(f);
}

static void test_empty_containers(void **state)
{
    (void)state;
    assert_roundtrip_same("{\"Types\":[],\"ProductFields\":{},\"Resources\":[{\"Details\":{}}],\"Note\":{}}");
}

static void test_strings_utf8(void **state)
{
    result r;
    (void)state;
    assert_roundtrip_same("{\"Title\":\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x92 \\\\ \\\"\"}");
    parse_text("{\"Title\":\"bad \xc3\x28\"}", NULL, &r);
    assert_int_equal(r.status, ASFF_ERR_UTF8);
    assert_int_equal(r.err.line, 1);
    result_free(&r);
    parse_text("{\"Title\":\"a\\u0000b\"}", NULL, &r);
    assert_int_equal(r.status, ASFF_ERR_UTF8);
    assert_string_equal(r.err.path, "/Title");
    result_free(&r);
    parse_text("{\"a\\u0000\":1}", NULL, &r);
    assert_int_equal(r.status, ASFF_ERR_UTF8);
    result_free(&r);
}

static void test_doubles(void **state)
{
    static const struct {
        double v;
        const char *text;
    } cases[] = {{0.1, "0.1"}, {6.0, "6"}, {-0.0, "-0"}, {1e21, "1e+21"}, {5e-324, "4.94065645841247e-324"},
                 {0.30000000000000004, "0.30000000000000004"}, {123.456, "123.456"}, {1.7976931348623157e308,
                 "1.7976931348623157e+308"}};
    size_t i;
    char buf[200];
    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        asff_Severity *s = ASFF_NEW_ROOT(Severity, NULL);
        char *out;
        asff_error e;
        assert_non_null(s);
        s->Product = asff_double_new(s, cases[i].v);
        assert_int_equal(asff_to_json(s, false, &out, NULL, &e), ASFF_OK);
        snprintf(buf, sizeof buf, "{\"Product\":%s}", cases[i].text);
        assert_string_equal(out, buf);
        asff_free_string(out);
        asff_object_free(s);
    }
    {
        asff_Severity *s = ASFF_NEW_ROOT(Severity, NULL);
        char *out = NULL;
        asff_error e;
        s->Product = asff_double_new(s, 1.0 / 0.0);
        assert_int_equal(asff_to_json(s, false, &out, NULL, &e), ASFF_ERR_RANGE);
        assert_null(out);
        assert_int_equal(asff_json_size(s), 0);
        asff_object_free(s);
    }
    {
        /* a double that overflows is an error at parse time, with its path */
        result r;
        parse_text("{\"Severity\":{\"Product\":1e999}}", NULL, &r);
        assert_int_equal(r.status, ASFF_ERR_RANGE);
        assert_string_equal(r.err.path, "/Severity/Product");
        result_free(&r);
    }
}

/* ---- errors ------------------------------------------------------------------------------ */

static void test_type_errors(void **state)
{
    static const char *const text = "{\"Findings\": [\n"
                                    "  {\"Id\": \"a\"},\n"
                                    "  {\"Id\": \"b\", \"Resources\": [{\"Id\": \"r\", \"Details\": \"oops\"}]}\n"
                                    "]}";
    result r;
    (void)state;
    parse_text(text, NULL, &r);
    assert_int_equal(r.status, ASFF_ERR_TYPE);
    assert_string_equal(r.err.path, "/Findings/1/Resources/0/Details");
    assert_int_equal(r.err.line, 3);
    assert_int_equal(r.err.column, 58);  /* just after the offending string */
    assert_int_equal(text[r.err.offset - 1], '"');
    assert_non_null(strstr(r.err.message, "expected an object, got a string"));
    assert_int_equal(r.count, 1);
    result_free(&r);

    parse_text("{\"Types\": {\"a\": 1}}", NULL, &r);
    assert_int_equal(r.status, ASFF_ERR_TYPE);
    assert_string_equal(r.err.path, "/Types");
    result_free(&r);
    parse_text("{\"Types\": [1]}", NULL, &r);
    assert_int_equal(r.status, ASFF_ERR_TYPE);
    assert_string_equal(r.err.path, "/Types/0");
    result_free(&r);
    parse_text("{\"Severity\": {\"Normalized\": \"40\"}}", NULL, &r);
    assert_int_equal(r.status, ASFF_ERR_TYPE);
    assert_string_equal(r.err.path, "/Severity/Normalized");
    result_free(&r);
    parse_text("{\"Sample\": 1}", NULL, &r);
    assert_int_equal(r.status, ASFF_ERR_TYPE);
    result_free(&r);
    parse_text("{\"ProductFields\": {\"a/b~c\": 1}}", NULL, &r);
    assert_int_equal(r.status, ASFF_ERR_TYPE);
    assert_string_equal(r.err.path, "/ProductFields/a~1b~0c");
    result_free(&r);
}

static void test_duplicates(void **state)
{
    char text[8192];
    int i;
    result r;
    (void)state;
    parse_text("{\"Id\":\"a\",\"Id\":\"b\"}", NULL, &r);
    assert_int_equal(r.status, ASFF_ERR_DUPLICATE);
    assert_string_equal(r.err.path, "/Id");
    result_free(&r);
    parse_text("{\"U\":1,\"U\":2}", NULL, &r);
    assert_int_equal(r.status, ASFF_ERR_DUPLICATE);
    result_free(&r);
    parse_text("{\"ProductFields\":{\"k\":\"1\",\"k\":\"2\"}}", NULL, &r);
    assert_int_equal(r.status, ASFF_ERR_DUPLICATE);
    assert_string_equal(r.err.path, "/ProductFields/k");
    result_free(&r);
    parse_text("{\"Findings\":[],\"Findings\":[]}", NULL, &r);
    assert_int_equal(r.status, ASFF_ERR_DUPLICATE);
    result_free(&r);
    /* many names: the hashed set takes over from the linear scan */
    for (int pass = 1; pass >= 0; pass--) {
        strcpy(text, "{\"ProductFields\":{");
        for (i = 0; i < 200; i++)
            sprintf(text + strlen(text), "%s\"key%d\":\"v\"", i ? "," : "", i);
        strcat(text, pass ? ",\"key150\":\"again\"}," : "},");
        for (i = 0; i < 200; i++)
            sprintf(text + strlen(text), "%s\"u%d\":%d", i ? "," : "", i, i);
        strcat(text, "}");
        parse_text(text, NULL, &r);
        if (pass == 0) {
            assert_int_equal(r.status, ASFF_OK);
            assert_int_equal(strncmp(output(&r), text, strlen(text)), 0);
        } else {
            assert_int_equal(r.status, ASFF_ERR_DUPLICATE);
            assert_string_equal(r.err.path, "/ProductFields/key150");
        }
        result_free(&r);
    }
    text[strlen(text) - 1] = '\0';
    strcat(text, ",\"u77\":1}");
    parse_text(text, NULL, &r);
    assert_int_equal(r.status, ASFF_ERR_DUPLICATE);
    assert_string_equal(r.err.path, "/u77");
    result_free(&r);
}

static void test_limits(void **state)
{
    asff_parse_options o = ASFF_PARSE_OPTIONS_INIT;
    char text[4096];
    result r;
    int i;
    (void)state;
    /* depth */
    o.max_depth = 4;
    parse_text("[{\"Note\":{\"Text\":\"x\"}}]", &o, &r);
    assert_int_equal(r.status, ASFF_OK);
    result_free(&r);
    parse_text("[{\"X\":{\"a\":{\"b\":1}}}]", &o, &r);
    assert_int_equal(r.status, ASFF_OK);
    result_free(&r);
    parse_text("[{\"X\":{\"a\":{\"b\":[1]}}}]", &o, &r);
    assert_int_equal(r.status, ASFF_ERR_LIMIT);
    assert_int_equal(r.err.column, 17); /* the fifth opening bracket */
    result_free(&r);
    parse_text("[{\"Note\":{\"X\":[[1]]}}]", &o, &r);
    assert_int_equal(r.status, ASFF_ERR_LIMIT);
    assert_string_equal(r.err.path, "/0/Note/X");
    result_free(&r);
    /* the default depth stops a deep unknown member */
    strcpy(text, "{\"X\":");
    for (i = 0; i < 100; i++)
        strcat(text, "[");
    parse_text(text, NULL, &r);
    assert_int_equal(r.status, ASFF_ERR_LIMIT); /* the depth limit stops the work at once */
    assert_int_equal(r.err.column, 5 + 64);
    result_free(&r);
    for (i = 0; i < 100; i++)
        strcat(text, "]");
    strcat(text, "}");
    parse_text(text, NULL, &r);
    assert_int_equal(r.status, ASFF_ERR_LIMIT);
    assert_int_equal(r.err.column, 5 + 64);
    assert_string_equal(r.err.path, "/X");
    result_free(&r);
    /* string bytes */
    o = (asff_parse_options)ASFF_PARSE_OPTIONS_INIT;
    o.max_string = 8;
    parse_text("{\"Id\":\"12345678\"}", &o, &r);
    assert_int_equal(r.status, ASFF_OK);
    result_free(&r);
    parse_text("{\"Id\":\"123456789\"}", &o, &r);
    assert_int_equal(r.status, ASFF_ERR_LIMIT);
    assert_string_equal(r.err.path, "/Id");
    result_free(&r);
    parse_text("{\"Id123456789\":1}", &o, &r);
    assert_int_equal(r.status, ASFF_ERR_LIMIT);
    result_free(&r);
    /* members per object and items per array */
    o = (asff_parse_options)ASFF_PARSE_OPTIONS_INIT;
    o.max_members = 3;
    parse_text("{\"a\":1,\"b\":2,\"c\":3}", &o, &r);
    assert_int_equal(r.status, ASFF_OK);
    result_free(&r);
    parse_text("{\"a\":1,\"b\":2,\"c\":3,\"d\":4}", &o, &r);
    assert_int_equal(r.status, ASFF_ERR_LIMIT);
    assert_string_equal(r.err.path, "/d");
    result_free(&r);
    parse_text("{\"Types\":[\"a\",\"b\",\"c\",\"d\"]}", &o, &r);
    assert_int_equal(r.status, ASFF_ERR_LIMIT);
    assert_string_equal(r.err.path, "/Types/3");
    result_free(&r);
    /* ...but not the findings of a container: they are streamed, one at a time (a 2 GB document
     * holds 850,000 of them); a list inside one of them still counts */
    {
        static const char event[] =
            "{\"detail-type\":\"Security Hub Findings - Imported\",\"source\":\"aws.securityhub\","
            "\"detail\":{\"findings\":[{\"Id\":\"a\"},{\"Id\":\"b\"},{\"Id\":\"c\"},{\"Id\":\"d\"},{\"Id\":\"e\"}]}}";
        static const char *const containers[] = {
            "[{\"Id\":\"a\"},{\"Id\":\"b\"},{\"Id\":\"c\"},{\"Id\":\"d\"},{\"Id\":\"e\"}]",
            "{\"Findings\":[{\"Id\":\"a\"},{\"Id\":\"b\"},{\"Id\":\"c\"},{\"Id\":\"d\"},{\"Id\":\"e\"}]}",
            event};
        size_t c;
        for (c = 0; c < sizeof containers / sizeof containers[0]; c++) {
            parse_text(containers[c], &o, &r);
            assert_int_equal(r.status, ASFF_OK);
            assert_int_equal(r.count, 5);
            result_free(&r);
        }
        parse_text("[{\"Id\":\"a\"},{\"Id\":\"b\"},{\"Id\":\"c\"},{\"Id\":\"d\",\"Types\":[\"a\",\"b\",\"c\",\"d\"]}]", &o, &r);
        assert_int_equal(r.status, ASFF_ERR_LIMIT);
        assert_string_equal(r.err.path, "/3/Types/3");
        result_free(&r);
    }
    /* finding bytes: inside callbacks and across feeds */
    o = (asff_parse_options)ASFF_PARSE_OPTIONS_INIT;
    o.max_finding = 100;
    strcpy(text, "[{\"Id\":\"a\"},{\"Title\":\"");
    for (i = 0; i < 200; i++)
        strcat(text, "x");
    strcat(text, "\"}]");
    parse_text(text, &o, &r);
    assert_int_equal(r.status, ASFF_ERR_LIMIT);
    assert_int_equal(r.count, 1);
    assert_string_equal(r.err.path, "/1/Title");
    result_free(&r);
    parse_chunks(text, strlen(text), &o, 1, &r);
    assert_int_equal(r.status, ASFF_ERR_LIMIT);
    assert_int_equal(r.count, 1);
    result_free(&r);
    /* a long string is stopped where the finding passes its limit (byte 1 + 100 + 1), not read to
     * its end, in one big feed or in small ones alike */
    {
        size_t blen = 200000;
        char *big = malloc(blen + 1);
        assert_non_null(big);
        memset(big, 'x', blen);
        memcpy(big, "[{\"Title\":\"", 11);
        memcpy(big + blen - 4, "\"}]\n", 4);
        big[blen] = '\0';
        parse_chunks(big, blen, &o, 0, &r);
        assert_int_equal(r.status, ASFF_ERR_LIMIT);
        assert_int_equal(r.err.offset, 102);
        assert_string_equal(r.err.path, "/0/Title");
        result_free(&r);
        parse_chunks(big, blen, &o, 7, &r);
        assert_int_equal(r.status, ASFF_ERR_LIMIT);
        assert_int_equal(r.err.offset, 102);
        assert_string_equal(r.err.path, "/0/Title");
        result_free(&r);
        /* the limit stops the work: an array has no next line to go on at */
        o.skip_invalid = true;
        parse_chunks(big, blen, &o, 0, &r);
        assert_int_equal(r.status, ASFF_ERR_LIMIT);
        assert_int_equal(r.skipped, 0);
        result_free(&r);
        /* in NDJSON the next line goes on */
        {
            char *two = malloc(blen + 32);
            assert_non_null(two);
            memset(two, 'x', blen);
            memcpy(two, "{\"Title\":\"", 10);
            memcpy(two + blen - 3, "\"}\n", 3);
            memcpy(two + blen, "{\"Id\":\"b\"}\n", 11);
            parse_chunks(two, blen + 11, &o, 0, &r);
            assert_int_equal(r.status, ASFF_OK);
            assert_int_equal(r.skipped, 1);
            assert_int_equal(r.count, 1);
            result_free(&r);
            free(two);
        }
        free(big);
    }
    /* invalid options */
    asff_parser *p = NULL;
    asff_error e;
    o = (asff_parse_options)ASFF_PARSE_OPTIONS_INIT;
    o.version = 99;
    assert_int_equal(asff_parser_new(&o, NULL, NULL, NULL, &p, &e), ASFF_ERR_INVALID_ARG);
    assert_null(p);
    assert_non_null(strstr(e.message, "version"));
    o.version = ASFF_PARSE_OPTIONS_VERSION;
    o.type_id = 999999;
    assert_int_equal(asff_parser_new(&o, NULL, NULL, NULL, &p, &e), ASFF_ERR_INVALID_ARG);
    assert_null(p);
    o.type_id = 0;
    o.envelope = (asff_envelope)77;
    assert_int_equal(asff_parser_new(&o, NULL, NULL, NULL, &p, &e), ASFF_ERR_INVALID_ARG);
    assert_int_equal(asff_parser_new(NULL, NULL, NULL, NULL, NULL, &e), ASFF_ERR_INVALID_ARG);
}

/* A skipped value's length runs to its error, wherever the input was cut: yajl's own position after
 * a grammar error is inside or after the bad token depending on whether the token came in one
 * call (found by fuzz/frontends: the front-ends cut yajl's input at different places and reported
 * lengths 135 and 107 for the same item). */
static int note_skip(void *ctx, const asff_error *err, const asff_finding_info *info)
{
    char *out = ctx;
    append(out, 256, "%llu+%llu@%llu;", (unsigned long long)info->offset, (unsigned long long)info->length,
           (unsigned long long)err->offset);
    return 0;
}

static void test_skip_length_any_cut(void **state)
{
    static const char text[] = "{\"Id\":\"1es.0\"\n          } {\"astObserve\": \"84.10348\", \"OAsn\": 4766, "
                               "\"AsnOrg\": \"Korea Telecom\", \"Isp\": \"Kocom\", \"Org\": \"Korea Tecom\" "
                               "\"standards/aws-foundatio arnED\"";
    static const size_t chunks[] = {0, 1, 7, 64, 130, 140};
    asff_parse_options o = ASFF_PARSE_OPTIONS_INIT;
    size_t i;
    (void)state;
    o.skip_invalid = true;
    o.max_depth = 6;
    o.max_string = 16;
    o.max_finding = 200;
    o.max_members = 5;
    for (i = 0; i < sizeof chunks / sizeof chunks[0]; i++) {
        char skips[256] = "";
        asff_parser *p = NULL;
        size_t off = 0, len = sizeof text - 1, chunk = chunks[i] ? chunks[i] : len;
        assert_int_equal(asff_parser_new(&o, NULL, note_skip, skips, &p, NULL), ASFF_OK);
        while (off < len) {
            size_t n = len - off < chunk ? len - off : chunk;
            assert_int_equal(asff_parser_feed(p, text + off, n, NULL), ASFF_OK);
            off += n;
        }
        assert_int_equal(asff_parser_finish(p, NULL), ASFF_OK);
        asff_parser_free(p);
        assert_string_equal(skips, "26+105@131;"); /* the value at 26, its error at the string at 131 */
    }
}

/* How many of the values in text the simdjson front-end read (0 on the yajl path alone); *lines: of
 * which, lines read whole without the boundary scanner (fast.c, line_object). */
static uint64_t fast_count(const char *text, size_t n, const asff_parse_options *o, uint64_t *lines)
{
    asff_parser *p = NULL;
    uint64_t k;
    result r;
    memset(&r, 0, sizeof r);
    (void)asff_writer_new_buffer(NULL, &r.w, NULL);
    (void)asff_parser_new(o, on_finding, on_error, &r, &p, NULL);
    assert_non_null(p);
    assert_int_equal(asff_parser_feed(p, text, n, NULL), ASFF_OK);
    assert_int_equal(asff_parser_finish(p, NULL), ASFF_OK);
    k = p->fast_reads;
    if (lines)
        *lines = p->line_reads;
    asff_parser_free(p);
    result_free(&r);
    return k;
}

static uint64_t fast_reads(const char *text, size_t n, const asff_parse_options *o)
{
    return fast_count(text, n, o, NULL);
}

static uint64_t line_reads(const char *text, size_t n, const asff_parse_options *o)
{
    uint64_t lines;
    (void)fast_count(text, n, o, &lines);
    return lines;
}

/* The simdjson front-end's boundary scanner reads 64-byte blocks (a block with a backslash byte by
 * byte): brackets, quotes, escapes, a raw control character and line breaks at every position
 * within a block give what the yajl path gives (this test runs on both front-ends, with the same
 * expectations). */
static void test_scanner_blocks(void **state)
{
    asff_parse_options o = ASFF_PARSE_OPTIONS_INIT;
    char text[512], want[160];
    size_t pad;
    result r;
    const char *fe = getenv("ASFF_FRONTEND");
    bool fast = strcmp(asff_json_frontend(), "simdjson") == 0 && !(fe && strcmp(fe, "yajl") == 0);
    (void)state;
    o.envelope = ASFF_ENVELOPE_NDJSON;
    o.skip_invalid = true;
    for (pad = 0; pad < 140; pad++) {
        size_t n, ctrl;
        /* brackets and escapes inside strings, nested objects, the end anywhere in a block */
        strcpy(text, "{\"Id\":\"");
        memset(text + 7, 'x', pad);
        n = 7 + pad;
        n += (size_t)sprintf(text + n, "\",\"Title\":\"a{b[c]d}e\\\"f\\\\g}\",\"ProductFields\":{\"k\":\"v]}\"},"
                                       "\"Types\":[\"t\"]}\n{\"Id\":\"z\"}\n");
        parse_chunks(text, n, &o, 0, &r);
        assert_int_equal(r.status, ASFF_OK);
        assert_int_equal(r.count, 2);
        assert_int_equal(r.skipped, 0);
        assert_non_null(strstr(output(&r), "\"Title\":\"a{b[c]d}e\\\"f\\\\g}\""));
        assert_non_null(strstr(output(&r), "\"k\":\"v]}\""));
        result_free(&r);
        assert_int_equal(fast_reads(text, n, &o), fast ? 2 : 0); /* both read by simdjson where built */
        /* a raw control character in a string: that line is skipped, the next one read */
        ctrl = 7 + pad / 2;
        text[ctrl] = '\x01';
        parse_chunks(text, n, &o, 0, &r);
        assert_int_equal(r.status, ASFF_OK);
        assert_int_equal(r.count, 1);
        assert_int_equal(r.skipped, 1);
        snprintf(want, sizeof want, "0 /0 ASFF_ERR_SYNTAX /0/Id 1 %zu;", ctrl + 1);
        assert_string_equal(r.skips, want);
        result_free(&r);
        assert_int_equal(fast_reads(text, n, &o), fast ? 1 : 0); /* the broken line is the yajl path's */
        /* a line break between tokens: in auto mode the value runs on, one finding of two lines */
        text[ctrl] = 'x';
        n = 7 + pad;
        n += (size_t)sprintf(text + n, "\",\n\"Title\":\"t\"}\n{\"Id\":\"z\"}\n");
        o.envelope = ASFF_ENVELOPE_AUTO;
        parse_chunks(text, n, &o, 0, &r);
        o.envelope = ASFF_ENVELOPE_NDJSON;
        assert_int_equal(r.status, ASFF_OK);
        assert_int_equal(r.count, 2);
        assert_int_equal(r.skipped, 0);
        result_free(&r);
    }
}

/* Lines cut by the caller's chunks (feed.c, carry_tail): with simdjson the unfinished last line of
 * a feed is kept and read with the next one, so every line is read by simdjson whatever the chunks;
 * a feed still delivers the findings it completes, and the offset counts every byte fed. */
static void test_chunk_carry(void **state)
{
    static const size_t chunks[] = {1, 7, 64, 100, 1000};
    asff_parse_options o = ASFF_PARSE_OPTIONS_INIT;
    char text[4096];
    size_t n = 0, i, c;
    int k;
    result whole, r;
    asff_parser *p = NULL;
    const char *fe = getenv("ASFF_FRONTEND");
    bool fast = strcmp(asff_json_frontend(), "simdjson") == 0 && !(fe && strcmp(fe, "yajl") == 0);
    (void)state;
    for (k = 0; k < 40; k++)
        n += (size_t)sprintf(text + n, "{\"SchemaVersion\":\"2018-10-08\",\"Id\":\"id-%d\",\"Title\":\"t %d\"}\n", k, k);
    parse_chunks(text, n, &o, 0, &whole);
    assert_int_equal(whole.status, ASFF_OK);
    assert_int_equal(whole.count, 40);
    for (c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
        size_t off = 0;
        parse_chunks(text, n, &o, chunks[c], &r);
        assert_int_equal(r.status, ASFF_OK);
        assert_string_equal(output(&r), output(&whole));
        assert_string_equal(r.infos, whole.infos);
        result_free(&r);
        memset(&r, 0, sizeof r);
        (void)asff_writer_new_buffer(NULL, &r.w, NULL);
        assert_int_equal(asff_parser_new(&o, on_finding, on_error, &r, &p, NULL), ASFF_OK);
        for (off = 0; off < n; off += chunks[c]) {
            size_t m = n - off < chunks[c] ? n - off : chunks[c];
            assert_int_equal(asff_parser_feed(p, text + off, m, NULL), ASFF_OK);
            assert_int_equal(asff_parser_offset(p), off + m);
        }
        assert_int_equal(asff_parser_finish(p, NULL), ASFF_OK);
        assert_int_equal(r.count, 40);
        assert_int_equal(p->fast_reads, fast ? 40 : 0); /* every line read by simdjson where built */
        asff_parser_free(p);
        result_free(&r);
    }
    result_free(&whole);
    /* a feed delivers what it completes: a last line that ends a value, and the lines before a cut */
    {
        static const char *const feeds[] = {"{\"Id\":\"a\"}", "\n{\"Id\":\"b\"}\n{\"Id\":", "\"c\"}", "\n{\"Id\":\"d\","};
        static const uint64_t counts[] = {1, 2, 3, 3};
        char all[128] = "";
        size_t fed = 0;
        memset(&r, 0, sizeof r);
        (void)asff_writer_new_buffer(NULL, &r.w, NULL);
        assert_int_equal(asff_parser_new(&o, on_finding, on_error, &r, &p, NULL), ASFF_OK);
        for (i = 0; i < 4; i++) {
            assert_int_equal(asff_parser_feed(p, feeds[i], strlen(feeds[i]), NULL), ASFF_OK);
            fed += strlen(feeds[i]);
            strcat(all, feeds[i]);
            assert_int_equal(r.count, counts[i]);
            assert_int_equal(asff_parser_offset(p), fed);
        }
        assert_int_equal(asff_parser_finish(p, &r.err), ASFF_ERR_TRUNCATED); /* the kept line, read by finish */
        assert_int_equal(r.count, 3);
        asff_parser_free(p);
        parse_chunks(all, fed, &o, 0, &whole); /* the same error as the bytes fed at once */
        assert_int_equal(whole.status, ASFF_ERR_TRUNCATED);
        assert_int_equal(r.err.offset, whole.err.offset);
        assert_int_equal(r.err.line, whole.err.line);
        assert_int_equal(r.err.column, whole.err.column);
        result_free(&whole);
        result_free(&r);
    }
    /* a model error in a line that the chunks cut anywhere: the same finding, error and offset */
    for (i = 1; i <= 12; i++) {
        const char *t = "{\"Id\":\"a\"}\n{\"Id\":\"b\",\"Title\":[1]}\n{\"Id\":\"c\"}";
        parse_chunks(t, strlen(t), &o, i, &r);
        assert_int_equal(r.status, ASFF_ERR_TYPE);
        assert_int_equal(r.err.offset, 29); /* the [ of Title */
        assert_int_equal(r.count, 1);
        result_free(&r);
    }
}

/* text read by this build's front-end and by yajl alone (ASFF_FRONTEND=yajl), whole and in chunks:
 * the same findings, output, skipped items and errors. */
static void same_as_yajl(const char *text, size_t n, const asff_parse_options *o)
{
    static const size_t chunks[] = {0, 7, 64, 4096};
    size_t i;
    for (i = 0; i < sizeof chunks / sizeof chunks[0]; i++) {
        result a, b;
        const char *fe = getenv("ASFF_FRONTEND");
        char *saved = fe ? strdup(fe) : NULL;
        parse_chunks(text, n, o, chunks[i], &a);
        setenv("ASFF_FRONTEND", "yajl", 1);
        parse_chunks(text, n, o, chunks[i], &b);
        if (saved)
            setenv("ASFF_FRONTEND", saved, 1);
        else
            unsetenv("ASFF_FRONTEND");
        free(saved);
        assert_int_equal(a.status, b.status);
        assert_int_equal(a.count, b.count);
        assert_int_equal(a.skipped, b.skipped);
        assert_string_equal(a.skips, b.skips);
        assert_string_equal(a.infos, b.infos);
        assert_string_equal(output(&a), output(&b));
        result_free(&a);
        result_free(&b);
    }
}

/* NDJSON lines that simdjson reads whole, without the boundary scanner, and lines it must leave to
 * the scanner or to yajl (an escape of U+0000 or a surrogate, a raw control character, something
 * after the object, a value that runs on to the next line): the same as yajl alone either way. */
static void test_whole_lines(void **state)
{
    static const char *const lines[] = {
        "{\"Id\":\"a\"}\n",
        "{\"Id\":\"b\"} \t\r\n",                         /* blanks after the object */
        "{\"Id\":\"c\\u0000\"}\n",                      /* U+0000: yajl's error */
        "{\"Id\":\"d\",\"x\\u0000y\":1}\n",             /* the same in a name */
        "{\"Id\":\"e\\ud83d\\ude00\"}\n",               /* a surrogate pair: decoded by yajl */
        "{\"Id\":\"f\\ud800\"}\n",                      /* a lone surrogate */
        "{\"Id\":\"g\\u00e9\\n\\\"q\\/\",\"Title\":\"t\"}\n", /* plain escapes: read whole */
        "{\"Id\":\"h\x01\"}\n",                         /* a raw control character */
        "{\"Id\":\"i\"}{\"Id\":\"j\"}\n",               /* two objects on one line */
        "{\"Id\":\"k\"} x}\n",                          /* something after the object */
        "{\"Id\":\"l\"]}\n",                            /* a bracket that does not match */
        "{\"I\\u0064\":\"n\",\"Resources\":[{\"Type\":\"Other\",\"Id\":\"r\"}]}\n", /* escaped name: read whole */
        "{\"Id\":\"o\",\n\"Title\":\"two lines\"}\n",   /* runs on (auto), or two bad lines (NDJSON) */
        "{\"Id\":\"p\",\"ProductFields\":{\"k\\\"\":\"v\"},\"Types\":[]}\n", /* read whole */
        "{\"Id\":\"q\",\"Title\":\"\\u0041\\ud83d\"}\n", /* a lone surrogate after a plain escape */
        "{}\n",
        "{\"Id\":\"s\",\"Id\":\"t\"}\n",                /* a duplicate: the builder's error */
    };
    asff_parse_options o = ASFF_PARSE_OPTIONS_INIT;
    const char *fe = getenv("ASFF_FRONTEND");
    bool fast = strcmp(asff_json_frontend(), "simdjson") == 0 && !(fe && strcmp(fe, "yajl") == 0);
    char text[2048], *big;
    size_t i, n = 0;
    (void)state;
    text[0] = '\0';
    for (i = 0; i < sizeof lines / sizeof lines[0]; i++)
        append(text, sizeof text, "%s", lines[i]);
    n = strlen(text);
    o.skip_invalid = true;
    o.envelope = ASFF_ENVELOPE_NDJSON;
    same_as_yajl(text, n, &o);
    /* a, b, g, n, p, {} and s (the builder reports the duplicate) read whole; the others by the
     * scanner or yajl */
    assert_int_equal(line_reads(text, n, &o), fast ? 7 : 0);
    o.envelope = ASFF_ENVELOPE_AUTO;
    same_as_yajl(text, n, &o);
    /* a line longer than a piece (64 KiB) between short ones, fed whole: the pieces end at line
     * breaks where there is one in their second half */
    big = malloc(3 * 70000);
    assert_non_null(big);
    n = 0;
    for (i = 0; i < 40; i++)
        n += (size_t)sprintf(big + n, "{\"Id\":\"short-%zu\",\"Title\":\"%0*d\"}\n", i, (int)(i * 53), 0);
    n += (size_t)sprintf(big + n, "{\"Id\":\"long\",\"Title\":\"");
    memset(big + n, 'y', 70000);
    n += 70000;
    n += (size_t)sprintf(big + n, "\"}\n");
    for (i = 0; i < 2000; i++)
        n += (size_t)sprintf(big + n, "{\"Id\":\"after-%zu\"}\n", i);
    o.envelope = ASFF_ENVELOPE_NDJSON;
    same_as_yajl(big, n, &o);
    /* fed whole, every short line is read whole: no line is cut by a piece's end */
    assert_int_equal(line_reads(big, n, &o), fast ? 2040 : 0);
    free(big);
}

/* A limit stops a value at the same byte however the input is fed: the stop point is a stream
 * offset (the finding's first byte + max_finding + 1, or the last token + the longest token), so the
 * skipped items, their errors and where reading resumes are the same in one feed and in many (found
 * by fuzz/parse: fed a byte at a time the finding stopped at its limit on line 3, fed whole the
 * long string's error waited and a syntax error on line 4 was reported instead). */
/* text parsed whole and in chunks of 1, 2, 7, 61 and 64 bytes: everywhere one finding, `skipped`
 * items, the first skipped as `first_skip` says, and the same skip list. */
static void same_at_every_chunking(const char *text, const asff_parse_options *o, uint64_t skipped,
                                   const char *first_skip)
{
    static const size_t chunks[] = {0, 1, 2, 7, 61, 64};
    char first[4096];
    size_t i;
    result r;
    for (i = 0; i < sizeof chunks / sizeof chunks[0]; i++) {
        parse_chunks(text, strlen(text), o, chunks[i], &r);
        assert_int_equal(r.status, ASFF_OK);
        assert_int_equal(r.count, 1);
        assert_int_equal(r.skipped, skipped);
        assert_ptr_equal(strstr(r.skips, first_skip), r.skips);
        if (i == 0)
            strcpy(first, r.skips);
        else
            assert_string_equal(r.skips, first);
        result_free(&r);
    }
}

static void test_limit_stop_any_chunks(void **state)
{
    asff_parse_options o = ASFF_PARSE_OPTIONS_INIT;
    char text[512];
    (void)state;
    o.envelope = ASFF_ENVELOPE_NDJSON;
    o.skip_invalid = true;
    o.max_string = 16;
    o.max_finding = 200;
    /* a pretty finding left open, a 146-byte Id ending past byte 200, then a line "w": the finding
     * stops at its limit (line 3), the next line is an item of its own */
    strcpy(text, "{\n  \"SchemaVersion\": \"2018-10-08\",\n  \"Id\": \"");
    while (strlen(text) < 205)
        strcat(text, "x");
    strcat(text, "\"\nw\n{\"Id\":\"ok\"}\n");
    same_at_every_chunking(text, &o, 2, "0 /0 ASFF_ERR_LIMIT /0/Id 3 ");
    /* blanks run past the limit on line 1, the next token is on line 2: the finding stops on
     * line 1, and line 2 is read as values of its own (the string "Title", then the ':') */
    strcpy(text, "{\"Id\":\"a\",");
    while (strlen(text) < 205)
        strcat(text, " ");
    strcat(text, "\n  \"Title\":\"t\"}\n{\"Id\":\"ok\"}\n");
    same_at_every_chunking(text, &o, 3, "0 /0 ASFF_ERR_LIMIT /0/Id 1 ");
}

/* A grammar error on the line after a broken value is placed at its token in any chunks (found by
 * fuzz/parallel: the broken value's last accepted token, a key, was taken as still due a ':', so a
 * ':' there was passed over and the error placed where the piece ended, or at the next token). */
static void test_bad_token_after_recovery_any_chunks(void **state)
{
    static const char text[] = "{\"a\":\"g\n\n:\n\n\nPart\n{\"Id\":\"ok\"}\n";
    asff_parse_options o = ASFF_PARSE_OPTIONS_INIT;
    (void)state;
    o.skip_invalid = true;
    /* the ':' is item 1, its error on its own line (3), column 1 */
    same_at_every_chunking(text, &o, 3, "0  ASFF_ERR_SYNTAX /a 1 8;1 /1 ASFF_ERR_SYNTAX /1 3 1;2 /2 ");
}

/* A line that starts with a byte yajl refuses is reported once: yajl stops before that byte, and
 * reading goes on after its line, not at it again (found by fuzz/parse: fed whole, a "/" and a ':'
 * at a line's start were reported twice). */
static void test_bad_line_start_once(void **state)
{
    static const size_t chunks[] = {0, 1, 2, 3};
    static const char text[] = "0\n/\t\r\n]\n{\"Id\":\"ok\"}\n";
    static const char text2[] = "{\"Id\":\"a\"\n:\"1\"\n{\"Id\":\"ok\"}\n";
    asff_parse_options o = ASFF_PARSE_OPTIONS_INIT;
    size_t i;
    result r;
    (void)state;
    o.skip_invalid = true;
    for (i = 0; i < sizeof chunks / sizeof chunks[0]; i++) {
        parse_chunks(text, strlen(text), &o, chunks[i], &r);
        assert_int_equal(r.status, ASFF_OK);
        assert_int_equal(r.count, 1);
        assert_int_equal(r.skipped, 3); /* the number, the "/" line, the "]" line */
        assert_string_equal(r.skips, "0  ASFF_ERR_ENVELOPE  1 2;1 /1 ASFF_ERR_SYNTAX /1 2 1;2 /2 ASFF_ERR_SYNTAX /2 3 1;");
        result_free(&r);
        /* a token out of place at a line's start (yajl stops before it): the open value and that
         * line are one item */
        parse_chunks(text2, strlen(text2), &o, chunks[i], &r);
        assert_int_equal(r.status, ASFF_OK);
        assert_int_equal(r.count, 1);
        assert_string_equal(r.skips, "0  ASFF_ERR_SYNTAX /Id 2 1;");
        result_free(&r);
    }
}

/* ---- skipping bad findings --------------------------------------------------------------- */

static void test_skip_invalid(void **state)
{
    asff_parse_options o = ASFF_PARSE_OPTIONS_INIT;
    result r;
    (void)state;
    o.skip_invalid = true;
    parse_text("{\"Findings\":[{\"Id\":\"a\"},{\"Id\":1,\"Resources\":[{\"Id\":{\"deep\":[1]}}]},7,[1,[2]],"
               "{\"Id\":\"b\",\"Types\":[\"x\",{\"y\":1}]},{\"Id\":\"c\"}],\"NextToken\":\"t\"}",
               &o, &r);
    assert_int_equal(r.status, ASFF_OK);
    assert_int_equal(r.count, 2);
    assert_int_equal(r.skipped, 4);
    assert_string_equal(output(&r), "{\"Id\":\"a\"}\n{\"Id\":\"c\"}\n");
    assert_string_equal(r.skips, "1 /Findings/1 ASFF_ERR_TYPE /Findings/1/Id 1 32;"
                                 "2 /Findings/2 ASFF_ERR_TYPE /Findings/2 1 69;"
                                 "3 /Findings/3 ASFF_ERR_TYPE /Findings/3 1 70;"
                                 "4 /Findings/4 ASFF_ERR_TYPE /Findings/4/Types/1 1 101;");
    assert_string_equal(r.infos, "0 /Findings/0 1;5 /Findings/5 1;");
    result_free(&r);

    /* NDJSON: a broken line is skipped, the next line goes on */
    parse_text("{\"Id\":\"a\"}\n{\"Id\":\"b\",\n{\"Id\":\"c\"}\n{\"Id\":1}\n{\"Id\" \"d\"}\n{\"Id\":\"e\"}", &o, &r);
    assert_int_equal(r.status, ASFF_OK);
    assert_string_equal(output(&r), "{\"Id\":\"a\"}\n{\"Id\":\"c\"}\n{\"Id\":\"e\"}\n");
    assert_int_equal(r.skipped, 3);
    /* the cut line is reported at its own line (2), not where the next one fails to continue it */
    assert_string_equal(r.skips, "1 /1 ASFF_ERR_TRUNCATED /1/Id 2 11;3 /3 ASFF_ERR_TYPE /3/Id 4 8;"
                                 "4 /4 ASFF_ERR_SYNTAX /4/Id 5 7;");
    assert_string_equal(r.infos, "0  1;2 /2 3;5 /5 6;");
    result_free(&r);

    /* without skip_invalid, the first error is final */
    parse_text("{\"Id\":\"a\"}\n{\"Id\":1}\n{\"Id\":\"e\"}", NULL, &r);
    assert_int_equal(r.status, ASFF_ERR_TYPE);
    assert_int_equal(r.count, 1);
    assert_int_equal(r.err.line, 2);
    assert_string_equal(r.err.path, "/1/Id");
    result_free(&r);

    /* a syntax error inside an array is final even with skip_invalid */
    parse_text("[{\"Id\":\"a\"},{\"Id\" 1},{\"Id\":\"c\"}]", &o, &r);
    assert_int_equal(r.status, ASFF_ERR_SYNTAX);
    assert_int_equal(r.count, 1);
    result_free(&r);

    /* a truncated last NDJSON line is skipped too */
    parse_text("{\"Id\":\"a\"}\n{\"Id\":\"b\"", &o, &r);
    assert_int_equal(r.status, ASFF_OK);
    assert_int_equal(r.count, 1);
    assert_int_equal(r.skipped, 1);
    result_free(&r);
}

/* ---- envelopes --------------------------------------------------------------------------- */

static void test_envelopes(void **state)
{
    result r;
    asff_parse_options o = ASFF_PARSE_OPTIONS_INIT;
    (void)state;
    /* {"Findings": ...} with members before and after */
    parse_text("{\"Meta\":{\"a\":1},\"Findings\":[{\"Id\":\"x\"}],\"NextToken\":\"nt\"}", NULL, &r);
    assert_int_equal(r.status, ASFF_OK);
    assert_int_equal(r.doc.envelope, ASFF_ENVELOPE_FINDINGS);
    assert_non_null(strstr(r.doc_strings, "other={\"Meta\":{\"a\":1}}"));
    result_free(&r);
    {
        static const char *const t = "{\"NextToken\":\"nt\",\"Findings\":[{\"Id\":\"x\"}]}";
        asff_parser *p;
        asff_error e;
        const asff_document *d;
        (void)asff_parser_new(NULL, NULL, NULL, NULL, &p, NULL);
        assert_int_equal(asff_parser_feed(p, t, strlen(t), &e), ASFF_OK);
        assert_int_equal(asff_parser_finish(p, &e), ASFF_OK);
        d = asff_parser_document(p);
        assert_int_equal(d->envelope, ASFF_ENVELOPE_FINDINGS);
        assert_string_equal(d->next_token, "nt");
        assert_string_equal(d->other_members, "{\"NextToken\":\"nt\"}");
        assert_int_equal(d->values, 1);
        assert_int_equal(asff_parser_count(p), 1);
        assert_int_equal(asff_parser_offset(p), strlen(t));
        /* reset: a new stream */
        asff_parser_reset(p);
        assert_int_equal(asff_parser_count(p), 0);
        assert_int_equal(asff_parser_feed(p, "[{},{}]", 7, &e), ASFF_OK);
        assert_int_equal(asff_parser_finish(p, &e), ASFF_OK);
        assert_int_equal(asff_parser_count(p), 2);
        assert_int_equal(asff_parser_document(p)->envelope, ASFF_ENVELOPE_ARRAY);
        assert_int_equal(asff_parser_feed(p, "{}", 2, &e), ASFF_ERR_STATE);
        asff_parser_free(p);
    }
    /* EventBridge: imported */
    {
        size_t len;
        char *data = read_real("asr/CIS-1.3.json", &len);
        parse_chunks(data, len, NULL, 0, &r);
        assert_int_equal(r.count, 1);
        assert_non_null(strstr(r.doc_strings, "env=4 "));
        assert_non_null(strstr(r.doc_strings, "type=Security Hub Findings - Imported src=aws.securityhub "
                                              "acct=111111111111"));
        assert_non_null(strstr(r.doc_strings, "res=[\"arn:aws:securityhub:"));
        result_free(&r);
        free(data);
        data = read_real("asr/CIS_1-6-multi-select.json", &len);
        parse_chunks(data, len, NULL, 0, &r);
        assert_int_equal(r.count, 2);
        assert_non_null(strstr(r.doc_strings, "type=Security Hub Findings - Custom Action"));
        assert_null(strstr(r.doc_strings, "action=- "));
        assert_null(strstr(r.doc_strings, "desc=- "));
        assert_string_equal(r.infos, "0 /detail/findings/0 16;1 /detail/findings/1 85;");
        result_free(&r);
        free(data);
    }
    /* forced envelopes */
    o.envelope = ASFF_ENVELOPE_ARRAY;
    parse_text("{\"Id\":\"a\"}", &o, &r);
    assert_int_equal(r.status, ASFF_ERR_ENVELOPE);
    result_free(&r);
    o.envelope = ASFF_ENVELOPE_FINDINGS;
    parse_text("{\"Id\":\"a\"}", &o, &r);
    assert_int_equal(r.status, ASFF_ERR_ENVELOPE);
    result_free(&r);
    parse_text("{\"Severity\":\"not a finding member here\",\"Findings\":[{\"Id\":\"a\"}]}", &o, &r);
    assert_int_equal(r.status, ASFF_OK);
    assert_int_equal(r.count, 1);
    result_free(&r);
    o.envelope = ASFF_ENVELOPE_EVENT;
    parse_text("{\"Findings\":[{\"Id\":\"a\"}]}", &o, &r);
    assert_int_equal(r.status, ASFF_ERR_ENVELOPE);
    result_free(&r);
    o.envelope = ASFF_ENVELOPE_FINDING;
    parse_text("{\"Findings\":[{\"Id\":\"a\"}]}", &o, &r);
    assert_int_equal(r.status, ASFF_OK);
    assert_int_equal(r.count, 1);
    assert_string_equal(output(&r), "{\"Findings\":[{\"Id\":\"a\"}]}\n");
    result_free(&r);
    parse_text("[]", &o, &r);
    assert_int_equal(r.status, ASFF_ERR_ENVELOPE);
    result_free(&r);
    o.envelope = ASFF_ENVELOPE_NDJSON;
    parse_text("{\"Id\":\"a\"}\n[{\"Id\":\"b\"}]\n{\"Findings\":[{\"Id\":1}]}", &o, &r);
    assert_int_equal(r.status, ASFF_ERR_TYPE);
    assert_string_equal(r.err.path, "/2/Findings/0/Id");
    assert_string_equal(r.infos, "0 /0 1;1 /1/0 2;");
    result_free(&r);
    /* a scalar is not a document of findings */
    parse_text("42", NULL, &r);
    assert_int_equal(r.status, ASFF_ERR_ENVELOPE);
    result_free(&r);
}

/* ---- callbacks, keep, truncation --------------------------------------------------------- */

typedef struct kept {
    asff_AwsSecurityFinding *items[8];
    int n;
} kept;

static int keep_cb(void *ctx, void *finding, const asff_finding_info *info)
{
    kept *k = ctx;
    (void)info;
    k->items[k->n++] = finding;
    return 0;
}

static void test_keep_and_abort(void **state)
{
    asff_parse_options o = ASFF_PARSE_OPTIONS_INIT;
    static const char *const t = "[{\"Id\":\"a\",\"Types\":[\"t\"]},{\"Id\":\"b\"}]\n{\"Id\":\"c\"}";
    kept k = {{NULL}, 0};
    asff_parser *p;
    asff_error e;
    result r;
    int i;
    (void)state;
    o.keep = true;
    (void)asff_parser_new(&o, keep_cb, NULL, &k, &p, NULL);
    assert_int_equal(asff_parser_feed(p, t, strlen(t), &e), ASFF_OK);
    assert_int_equal(asff_parser_finish(p, &e), ASFF_OK);
    asff_parser_free(p);
    assert_int_equal(k.n, 3);
    assert_string_equal(k.items[0]->Id, "a");
    assert_string_equal(k.items[0]->Types.items[0], "t");
    assert_string_equal(k.items[1]->Id, "b");
    assert_string_equal(k.items[2]->Id, "c");
    for (i = 0; i < k.n; i++)
        asff_object_free(k.items[i]);

    stop_after = 1;
    parse_text("[{\"Id\":\"a\"},{\"Id\":\"b\"}]", NULL, &r);
    assert_int_equal(r.status, ASFF_ERR_ABORTED);
    assert_int_equal(r.count, 1);
    result_free(&r);
    stop_after = 0;

    parse_text("{\"Findings\":[{\"Id\":\"a\"},{\"Id\":", NULL, &r);
    assert_int_equal(r.status, ASFF_ERR_TRUNCATED);
    assert_int_equal(r.count, 1);
    result_free(&r);
    parse_text("  \n ", NULL, &r);
    assert_int_equal(r.status, ASFF_OK);
    assert_int_equal(r.count, 0);
    result_free(&r);
    parse_text("{\"Id\":\"a\"} x", NULL, &r);
    assert_int_equal(r.status, ASFF_ERR_SYNTAX);
    assert_int_equal(r.err.column, 13); /* yajl places lexical errors just after the bad byte */
    result_free(&r);
}

/* ---- whole-buffer helpers ---------------------------------------------------------------- */

static void test_parse_buffer_file_object(void **state)
{
    size_t len;
    char *data = read_real("heimdall2/asff_sample.json", &len);
    char path[512];
    asff_finding_list *l = NULL;
    asff_error e;
    FILE *f;
    void *obj = NULL;
    (void)state;
    assert_int_equal(asff_parse_buffer(data, len, NULL, &l, &e), ASFF_OK);
    assert_int_equal(l->count, 18);
    assert_non_null(l->items[17]->Id);
    assert_int_equal(asff_object_arena(l->items[0]), l->arena);
    asff_finding_list_free(l);
    snprintf(path, sizeof path, "%s/real/heimdall2/prowler-sample.asff-json.jsonl", ASFF_TEST_DATA);
    f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(asff_parse_file(f, NULL, &l, &e), ASFF_OK);
    fclose(f);
    assert_int_equal(l->count, 10);
    asff_finding_list_free(l);
    l = (asff_finding_list *)1;
    assert_int_equal(asff_parse_buffer("[1]", 3, NULL, &l, &e), ASFF_ERR_TYPE);
    assert_null(l);
    free(data);

    assert_int_equal(asff_parse_object("{\"Label\":\"LOW\",\"Original\":\"3\"}", 30, ASFF_TID_Severity, NULL, &obj, &e),
                     ASFF_OK);
    assert_string_equal(((asff_Severity *)obj)->Label, "LOW");
    asff_object_free(obj);
    assert_int_equal(asff_parse_object("{} {}", 5, ASFF_TID_Severity, NULL, &obj, &e), ASFF_ERR_SYNTAX);
    assert_null(obj);
    assert_int_equal(asff_parse_object("", 0, ASFF_TID_Severity, NULL, &obj, &e), ASFF_ERR_TRUNCATED);
    assert_int_equal(asff_parse_object("[]", 2, ASFF_TID_Severity, NULL, &obj, &e), ASFF_ERR_ENVELOPE);
    assert_int_equal(asff_parse_object("{}", 2, 999999, NULL, &obj, &e), ASFF_ERR_INVALID_ARG);
}

/* ---- writer ------------------------------------------------------------------------------ */

static int collect_cb(void *ctx, const char *data, size_t len)
{
    char *dst = ctx;
    strncat(dst, data, len);
    return strstr(dst, "FAIL") != NULL;
}

static void test_writer_formats(void **state)
{
    asff_AwsSecurityFinding *a = ASFF_NEW_ROOT(AwsSecurityFinding, NULL);
    asff_write_options o = ASFF_WRITE_OPTIONS_INIT;
    asff_writer *w;
    asff_error e;
    char cb[1024] = "";
    char *s;
    size_t n;
    (void)state;
    assert_non_null(a);
    a->Id = "i";
    a->Severity = ASFF_NEW(a, Severity);
    a->Severity->Label = "LOW";
    assert_int_equal(asff_list_append_string(a, "Types", "t1"), ASFF_OK);
    assert_int_equal(asff_extra_set(a, "Custom", "{\"k\":[1,2]}"), ASFF_OK);

    o.format = ASFF_FORMAT_ARRAY;
    (void)asff_writer_new_buffer(&o, &w, NULL);
    assert_int_equal(asff_writer_finish(w, &e), ASFF_OK);
    assert_string_equal(asff_writer_buffer(w, NULL), "[]\n");
    assert_int_equal(asff_writer_write(w, a, &e), ASFF_ERR_STATE);
    asff_writer_free(w);

    o.format = ASFF_FORMAT_BATCH;
    (void)asff_writer_new_buffer(&o, &w, NULL);
    assert_int_equal(asff_writer_write(w, a, &e), ASFF_OK);
    assert_int_equal(asff_writer_write(w, a, &e), ASFF_OK);
    assert_int_equal(asff_writer_finish(w, &e), ASFF_OK);
    assert_string_equal(asff_writer_buffer(w, &n),
                        "{\"Findings\":[{\"Id\":\"i\",\"Types\":[\"t1\"],\"Severity\":{\"Label\":\"LOW\"},"
                        "\"Custom\":{\"k\":[1,2]}},{\"Id\":\"i\",\"Types\":[\"t1\"],\"Severity\":{\"Label\":\"LOW\"},"
                        "\"Custom\":{\"k\":[1,2]}}]}\n");
    assert_int_equal(n, strlen(asff_writer_buffer(w, NULL)));
    asff_writer_free(w);

    o.format = ASFF_FORMAT_ARRAY;
    o.pretty = true;
    (void)asff_writer_new_buffer(&o, &w, NULL);
    assert_int_equal(asff_writer_write(w, a, &e), ASFF_OK);
    assert_int_equal(asff_writer_finish(w, &e), ASFF_OK);
    assert_string_equal(asff_writer_buffer(w, NULL), "[\n"
                                                     "  {\n"
                                                     "    \"Id\": \"i\",\n"
                                                     "    \"Types\": [\n"
                                                     "      \"t1\"\n"
                                                     "    ],\n"
                                                     "    \"Severity\": {\n"
                                                     "      \"Label\": \"LOW\"\n"
                                                     "    },\n"
                                                     "    \"Custom\": {\n"
                                                     "      \"k\": [\n"
                                                     "        1,\n"
                                                     "        2\n"
                                                     "      ]\n"
                                                     "    }\n"
                                                     "  }\n"
                                                     "]\n");
    asff_writer_free(w);

    /* NDJSON stays one line per finding even when pretty is asked for */
    o.format = ASFF_FORMAT_NDJSON;
    (void)asff_writer_new_callback(collect_cb, cb, &o, &w, NULL);
    assert_int_equal(asff_writer_write(w, a->Severity, &e), ASFF_OK);
    assert_int_equal(asff_writer_write(w, a->Severity, &e), ASFF_OK);
    assert_int_equal(asff_writer_finish(w, &e), ASFF_OK);
    assert_string_equal(cb, "{\"Label\":\"LOW\"}\n{\"Label\":\"LOW\"}\n");
    assert_null(asff_writer_buffer(w, &n));
    assert_int_equal(n, 0);
    asff_writer_free(w);
    /* a failing callback is an I/O error */
    strcpy(cb, "FAIL");
    (void)asff_writer_new_callback(collect_cb, cb, &o, &w, NULL);
    assert_int_equal(asff_writer_write(w, a, &e), ASFF_ERR_IO);
    assert_int_equal(asff_writer_write(w, a, &e), ASFF_ERR_STATE);
    asff_writer_free(w);

    /* FILE */
    {
        FILE *f = tmpfile();
        char buf[256];
        size_t got;
        o = (asff_write_options)ASFF_WRITE_OPTIONS_INIT;
        o.format = ASFF_FORMAT_VALUE;
        (void)asff_writer_new_file(f, &o, &w, NULL);
        assert_int_equal(asff_writer_write(w, a->Severity, &e), ASFF_OK);
        assert_int_equal(asff_writer_write(w, a->Severity, &e), ASFF_OK);
        assert_int_equal(asff_writer_finish(w, &e), ASFF_OK);
        asff_writer_free(w);
        rewind(f);
        got = fread(buf, 1, sizeof buf - 1, f);
        buf[got] = '\0';
        assert_string_equal(buf, "{\"Label\":\"LOW\"}{\"Label\":\"LOW\"}");
        fclose(f);
    }

    assert_int_equal(asff_to_json(a, true, &s, &n, &e), ASFF_OK);
    assert_int_equal(s[n - 1], '}');
    asff_free_string(s);
    assert_int_equal(asff_to_json(a, false, &s, &n, &e), ASFF_OK);
    assert_int_equal(asff_json_size(a), n);
    assert_int_equal(strlen(s), n);
    asff_free_string(s);
    assert_int_equal(asff_json_size(NULL), 0);
    {
        w = (asff_writer *)&e;
        assert_int_equal(asff_writer_new_file(NULL, NULL, &w, &e), ASFF_ERR_INVALID_ARG);
        assert_null(w);
        assert_int_equal(asff_writer_new_callback(NULL, NULL, NULL, &w, &e), ASFF_ERR_INVALID_ARG);
        assert_null(w);
        o.version = 7;
        assert_int_equal(asff_writer_new_buffer(&o, &w, &e), ASFF_ERR_INVALID_ARG);
        assert_null(w);
        assert_non_null(strstr(e.message, "version"));
        o.version = ASFF_WRITE_OPTIONS_VERSION;
        o.format = (asff_format)9;
        assert_int_equal(asff_writer_new_buffer(&o, &w, &e), ASFF_ERR_INVALID_ARG);
    }
    asff_object_free(a);
}

/* ---- the writer against yajl_gen ----------------------------------------------------------- */

/* The compact writer writes JSON by itself and pretty strings take a shortcut through
 * yajl_gen_number: both must give exactly yajl_gen's bytes. The reference here re-generates one
 * output with yajl alone (yajl parser events into a yajl_gen) in the other layout. */
static int y_null(void *g)
{
    return yajl_gen_null(g) == yajl_gen_status_ok;
}
static int y_bool(void *g, int b)
{
    return yajl_gen_bool(g, b) == yajl_gen_status_ok;
}
static int y_number(void *g, const char *s, size_t l)
{
    return yajl_gen_number(g, s, l) == yajl_gen_status_ok;
}
static int y_string(void *g, const unsigned char *s, size_t l)
{
    return yajl_gen_string(g, s, l) == yajl_gen_status_ok;
}
static int y_map_open(void *g)
{
    return yajl_gen_map_open(g) == yajl_gen_status_ok;
}
static int y_map_close(void *g)
{
    return yajl_gen_map_close(g) == yajl_gen_status_ok;
}
static int y_array_open(void *g)
{
    return yajl_gen_array_open(g) == yajl_gen_status_ok;
}
static int y_array_close(void *g)
{
    return yajl_gen_array_close(g) == yajl_gen_status_ok;
}

/* json regenerated by yajl_gen, compact or indented by two spaces (without yajl's final newline) */
static char *yajl_regen(const char *json, int pretty)
{
    static const yajl_callbacks cb = {y_null, y_bool, NULL, NULL, y_number, y_string, y_map_open,
                                      y_string, y_map_close, y_array_open, y_array_close};
    yajl_gen g = yajl_gen_alloc(NULL);
    yajl_handle h = yajl_alloc(&cb, NULL, g);
    const unsigned char *buf;
    size_t len;
    char *out;
    if (pretty) {
        yajl_gen_config(g, yajl_gen_beautify, 1);
        yajl_gen_config(g, yajl_gen_indent_string, "  ");
    }
    yajl_config(h, yajl_dont_validate_strings, 1);
    assert_int_equal(yajl_parse(h, (const unsigned char *)json, strlen(json)), yajl_status_ok);
    assert_int_equal(yajl_complete_parse(h), yajl_status_ok);
    yajl_gen_get_buf(g, &buf, &len);
    if (len && buf[len - 1] == '\n')
        len--;
    out = malloc(len + 1);
    memcpy(out, buf, len);
    out[len] = '\0';
    yajl_free(h);
    yajl_gen_free(g);
    return out;
}

static void check_like_yajl(const void *object)
{
    char *compact, *pretty, *ref;
    size_t n;
    asff_error e;
    assert_int_equal(asff_to_json(object, false, &compact, &n, &e), ASFF_OK);
    assert_int_equal(asff_json_size(object), n);
    assert_int_equal(asff_to_json(object, true, &pretty, NULL, &e), ASFF_OK);
    ref = yajl_regen(pretty, 0);
    assert_string_equal(compact, ref);
    free(ref);
    ref = yajl_regen(compact, 1);
    assert_string_equal(pretty, ref);
    free(ref);
    asff_free_string(compact);
    asff_free_string(pretty);
}

static void test_writer_like_yajl(void **state)
{
    static const unsigned char specials[] = {'"', '\\', '/', 0x7f, 0x80, 0xc3, 0xff, 'a'};
    static const size_t lengths[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 15, 16, 17, 23, 24, 25, 31, 32, 33, 40};
    unsigned id, c;
    size_t i, li, pos;
    (void)state;
    /* the compact writer copies model member names without escaping them */
    for (id = 1; id <= asff_type_count(); id++) {
        const asff_type *t = asff_type_get(id);
        for (i = 0; t && i < t->nmembers; i++) {
            const unsigned char *p = (const unsigned char *)t->members[i].name;
            assert_int_equal(strlen(t->members[i].name), t->members[i].name_len);
            for (; *p; p++)
                if (*p < 0x20 || *p == '"' || *p == '\\')
                    fail_msg("%s.%s needs escaping", t->name, t->members[i].name);
        }
    }
    /* every byte that yajl escapes, and some it does not, at every place of strings around the block
     * sizes of the scanner; as a value, a list item, a map key and value, an unknown member's name */
    for (li = 0; li < sizeof lengths / sizeof lengths[0]; li++) {
        for (pos = 0; pos < lengths[li]; pos++) {
            for (c = 1; c < 0x20 + sizeof specials; c++) {
                asff_AwsSecurityFinding *a = ASFF_NEW_ROOT(AwsSecurityFinding, NULL);
                char str[64];
                memset(str, 'x', lengths[li]);
                str[lengths[li]] = '\0';
                str[pos] = (char)(c < 0x20 ? c : specials[c - 0x20]);
                assert_non_null(a);
                a->Title = str;
                assert_int_equal(asff_list_append_string(a, "Types", str), ASFF_OK);
                assert_int_equal(asff_list_append_string(a, "Types", "t"), ASFF_OK);
                assert_int_equal(asff_map_set(a, "UserDefinedFields", str, str), ASFF_OK);
                assert_int_equal(asff_extra_set(a, str, "[1,\"\\u0001\",{\"k\":null}]"), ASFF_OK);
                check_like_yajl(a);
                asff_object_free(a);
            }
        }
    }
    /* empty strings and multi-byte UTF-8 */
    {
        asff_AwsSecurityFinding *a = ASFF_NEW_ROOT(AwsSecurityFinding, NULL);
        assert_non_null(a);
        a->Id = "";
        a->Title = "caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x94\x92 and a long tail after the four-byte one";
        a->Description = "\t\"quoted\"\n\\";
        assert_int_equal(asff_map_set(a, "ProductFields", "", ""), ASFF_OK);
        check_like_yajl(a);
        asff_object_free(a);
    }
    /* every finding of the real files */
    for (i = 0; i < NREAL; i++) {
        size_t len, k;
        char *data = read_real(real_files[i].path, &len);
        asff_parse_options po = ASFF_PARSE_OPTIONS_INIT;
        asff_finding_list *l = NULL;
        asff_error e;
        assert_int_equal(asff_parse_buffer(data, len, &po, &l, &e), ASFF_OK);
        for (k = 0; k < l->count; k++)
            check_like_yajl(l->items[k]);
        asff_finding_list_free(l);
        free(data);
    }
}

/* ---- out of memory ----------------------------------------------------------------------- */

typedef struct failing {
    long left;      /* allocations that succeed before the failures start; < 0 = never fail */
    long calls;
} failing;

static void *f_malloc(void *ctx, size_t n)
{
    failing *f = ctx;
    f->calls++;
    if (f->left == 0)
        return NULL;
    if (f->left > 0)
        f->left--;
    return malloc(n ? n : 1);
}

static void *f_realloc(void *ctx, void *p, size_t n)
{
    failing *f = ctx;
    f->calls++;
    if (f->left == 0)
        return NULL;
    if (f->left > 0)
        f->left--;
    return realloc(p, n ? n : 1);
}

static void f_free(void *ctx, void *p)
{
    (void)ctx;
    free(p);
}

static void test_out_of_memory(void **state)
{
    size_t len;
    char *data = read_real("asr/CIS_1-6-multi-select.json", &len);
    static const char *const nd = "{\"Id\":\"a\",\"U\":[1,{\"x\":\"\\u00e9\"}]}\n{\"Findings\":[{\"Id\":\"b\"}],\"N\":1}";
    long n, total;
    int pass;
    (void)state;
    for (pass = 0; pass < 3; pass++) {
        failing fa = {-1, 0};
        asff_allocator alloc = {f_malloc, f_realloc, f_free, &fa};
        asff_parse_options o = ASFF_PARSE_OPTIONS_INIT;
        asff_finding_list *l = NULL;
        asff_error e;
        const char *in = pass == 1 ? nd : data;
        size_t inlen = pass == 1 ? strlen(nd) : len;
        o.allocator = &alloc;
        o.keep = pass == 2;
        assert_int_equal(asff_parse_buffer(in, inlen, &o, &l, &e), ASFF_OK);
        asff_finding_list_free(l);
        total = fa.calls;
        assert_true(total > 5);
        for (n = 0; n < total; n++) {
            asff_status st;
            fa.left = n;
            fa.calls = 0;
            l = NULL;
            st = asff_parse_buffer(in, inlen, &o, &l, &e);
            if (st == ASFF_OK) {
                asff_finding_list_free(l);
            } else {
                assert_int_equal(st, ASFF_ERR_NOMEM);
                assert_null(l);
            }
        }
        /* the streaming parser with keep: findings that were handed over are the caller's */
        for (n = 0; n < total; n++) {
            kept k = {{NULL}, 0};
            asff_parser *p;
            asff_status st = ASFF_OK;
            int i;
            fa.left = n;
            o.keep = true;
            (void)asff_parser_new(&o, keep_cb, NULL, &k, &p, NULL);
            if (p) {
                st = asff_parser_feed(p, in, inlen, &e);
                if (st == ASFF_OK)
                    st = asff_parser_finish(p, &e);
                asff_parser_free(p);
            }
            assert_true(st == ASFF_OK || st == ASFF_ERR_NOMEM);
            for (i = 0; i < k.n; i++)
                asff_object_free(k.items[i]);
        }
    }
    /* the writer */
    {
        failing fa = {-1, 0};
        asff_allocator alloc = {f_malloc, f_realloc, f_free, &fa};
        asff_parse_options po = ASFF_PARSE_OPTIONS_INIT;
        asff_write_options o = ASFF_WRITE_OPTIONS_INIT;
        asff_finding_list *l = NULL;
        asff_error e;
        assert_int_equal(asff_parse_buffer(data, len, &po, &l, &e), ASFF_OK);
        o.allocator = &alloc;
        for (pass = 0; pass < 2; pass++) {
            o.pretty = pass == 1;
            o.format = ASFF_FORMAT_BATCH;
            for (n = 0; n < 200; n++) {
                asff_writer *w;
                asff_status st = ASFF_OK;
                size_t i;
                fa.left = n;
                (void)asff_writer_new_buffer(&o, &w, NULL);
                if (!w)
                    continue;
                for (i = 0; i < l->count && st == ASFF_OK; i++)
                    st = asff_writer_write(w, l->items[i], &e);
                if (st == ASFF_OK)
                    st = asff_writer_finish(w, &e);
                assert_true(st == ASFF_OK || st == ASFF_ERR_NOMEM);
                asff_writer_free(w);
                if (st == ASFF_OK && n > 0)
                    break;
            }
        }
        asff_finding_list_free(l);
    }
    free(data);
}

/* Doubles in JSON's notation under a locale with a decimal comma (a program that called
 * setlocale(LC_ALL, "")): read, written and compared in filters as "7.5", not "7,5".
 * tools/dev/deps.sh generates de_DE.UTF-8; without it this test fails rather than pass blind. */
/* ---- allocation chaos and deep nesting ----------------------------------------------------- */

/* Inputs that reach every allocating path of the parser: envelopes (other_members), captures,
 * maps and lists, a number longer than the parser's stack buffer, NDJSON recovery (a new yajl
 * handle), a long token held back, a skipped finding. */
typedef struct chaos_in {
    const char *data;
    size_t len;
    size_t chunk;
    bool skip;
} chaos_in;

static char *chaos_text(size_t *len)
{
    static const char head[] =
        "{\"Findings\":[{\"Id\":\"a\",\"Types\":[\"t\"],\"ProductFields\":{\"k\":\"v\"},\"X\":[1,{\"y\":null}],"
        "\"Confidence\":";
    char *out;
    out = malloc(16384);
    assert_non_null(out);
    strcpy(out, head);
    memset(out + strlen(out), '1', 300);
    out[sizeof head - 1 + 300] = '\0';
    strcat(out, "}],\"NextToken\":\"n\",\"Other\":{\"z\":[true]}}\n{\"Title\":\n{\"Id\":\"b\",\"Title\":\"");
    {
        size_t n = strlen(out);
        memset(out + n, 'x', 6000);
        out[n + 6000] = '\0';
    }
    strcat(out, "\"}\n42\n{\"Id\":1}\n{\"detail-type\":\"d\",\"source\":\"s\",\"detail\":{\"findings\":[{\"Id\":\"c\"}]}}\n");
    *len = strlen(out);
    return out;
}

static int chaos_cb(void *ctx, void *finding, const asff_finding_info *info)
{
    (void)ctx;
    (void)finding;
    (void)info;
    return 0;
}

static asff_status chaos_stream(const asff_allocator *alloc, void *ctx)
{
    chaos_in *in = ctx;
    asff_parse_options o = ASFF_PARSE_OPTIONS_INIT;
    asff_parser *p;
    asff_error e;
    asff_status st = ASFF_OK;
    size_t off;
    o.allocator = alloc;
    o.skip_invalid = in->skip;
    (void)asff_parser_new(&o, chaos_cb, NULL, NULL, &p, NULL);
    if (!p)
        return ASFF_ERR_NOMEM;
    for (off = 0; off < in->len && st == ASFF_OK; off += in->chunk)
        st = asff_parser_feed(p, in->data + off, in->len - off < in->chunk ? in->len - off : in->chunk, &e);
    if (st == ASFF_OK)
        st = asff_parser_finish(p, &e);
    asff_parser_free(p);
    return st;
}

static asff_status chaos_buffer(const asff_allocator *alloc, void *ctx)
{
    chaos_in *in = ctx;
    asff_parse_options o = ASFF_PARSE_OPTIONS_INIT;
    asff_finding_list *l = NULL;
    asff_error e;
    asff_status st;
    o.allocator = alloc;
    o.skip_invalid = in->skip;
    st = asff_parse_buffer(in->data, in->len, &o, &l, &e);
    if (st == ASFF_OK) {
        assert_int_equal(l->count, 3);
        asff_finding_list_free(l);
    } else {
        assert_null(l);
    }
    return st;
}

static asff_status chaos_object(const asff_allocator *alloc, void *ctx)
{
    chaos_in *in = ctx;
    asff_parse_options o = ASFF_PARSE_OPTIONS_INIT;
    void *obj = NULL;
    asff_error e;
    asff_status st;
    o.allocator = alloc;
    st = asff_parse_object(in->data, in->len, 0, &o, &obj, &e);
    if (st == ASFF_OK)
        asff_object_free(obj);
    else
        assert_null(obj);
    return st;
}

/* asff_parse_object on the allocator, then asff_to_json: the string and its scratch come from
 * the object's arena's allocator, so every allocation is counted (and the string is live until
 * asff_free_string). */
static asff_status chaos_to_json(const asff_allocator *alloc, void *ctx)
{
    chaos_in *in = ctx;
    asff_parse_options o = ASFF_PARSE_OPTIONS_INIT;
    void *obj = NULL;
    char *json = NULL;
    size_t n = 0;
    asff_error e;
    asff_status st;
    o.allocator = alloc;
    st = asff_parse_object(in->data, in->len, 0, &o, &obj, &e);
    if (st != ASFF_OK)
        return st;
    const test_alloc *t = alloc->ctx;
    long before = t->live;
    st = asff_to_json(obj, in->chunk != 0, &json, &n, &e);
    if (st == ASFF_OK) {
        assert_int_equal(t->live, before + 1); /* the string, nothing else */
        assert_int_equal(n, strlen(json));
        assert_memory_equal(json, "{", 1);
    } else {
        assert_null(json);
    }
    asff_free_string(json);
    asff_object_free(obj);
    return st;
}

typedef struct chaos_w {
    asff_finding_list *l;
    asff_format format;
    bool pretty;
    int sink; /* 0 buffer, 1 callback */
} chaos_w;

static int chaos_sink(void *ctx, const char *data, size_t len)
{
    (void)ctx;
    (void)data;
    (void)len;
    return 0;
}

static asff_status chaos_writer(const asff_allocator *alloc, void *ctx)
{
    chaos_w *c = ctx;
    asff_write_options o = ASFF_WRITE_OPTIONS_INIT;
    asff_writer *w;
    asff_error e;
    asff_status st = ASFF_OK;
    size_t i;
    o.allocator = alloc;
    o.format = c->format;
    o.pretty = c->pretty;
    w = NULL;
    if (c->sink)
        (void)asff_writer_new_callback(chaos_sink, NULL, &o, &w, NULL);
    else
        (void)asff_writer_new_buffer(&o, &w, NULL);
    if (!w)
        return ASFF_ERR_NOMEM;
    for (i = 0; i < c->l->count && st == ASFF_OK; i++)
        st = asff_writer_write(w, c->l->items[i], &e);
    if (st == ASFF_OK)
        st = asff_writer_finish(w, &e);
    asff_writer_free(w);
    return st;
}

static void test_alloc_chaos_parser(void **state)
{
    size_t len;
    char *text = chaos_text(&len);
    chaos_in in = {text, len, 65536, true};
    (void)state;
    assert_true(test_alloc_chaos(chaos_stream, &in) > 10);
    in.chunk = 1000; /* tokens across feeds, the long one held back */
    test_alloc_chaos(chaos_stream, &in);
    assert_true(test_alloc_chaos(chaos_buffer, &in) > 10);
    free(text);
}

static void test_alloc_chaos_object(void **state)
{
    size_t len;
    char *data = read_real("asr/CIS_1-6-multi-select.json", &len);
    static const char one[] = "{\"Id\":\"a\",\"Types\":[\"t\"],\"Resources\":[{\"Id\":\"r\",\"Tags\":{\"a\":\"b\"}}],"
                              "\"Confidence\":1.5e3,\"U\":{\"x\":[\"\\u00e9\"]}}";
    chaos_in in = {one, sizeof one - 1, 0, false};
    (void)state;
    assert_true(test_alloc_chaos(chaos_object, &in) > 3);
    assert_true(test_alloc_chaos(chaos_to_json, &in) > 4); /* compact */
    in.chunk = 1;
    assert_true(test_alloc_chaos(chaos_to_json, &in) > 4); /* pretty */
    in.chunk = 0;
    {
        /* the writer, every format, to memory and to a callback */
        asff_finding_list *l = NULL;
        asff_error e;
        chaos_w c;
        int f, pretty, sink;
        assert_int_equal(asff_parse_buffer(data, len, NULL, &l, &e), ASFF_OK);
        assert_true(l->count > 0);
        c.l = l;
        for (f = ASFF_FORMAT_NDJSON; f <= ASFF_FORMAT_VALUE; f++)
            for (pretty = 0; pretty < 2; pretty++)
                for (sink = 0; sink < 2; sink++) {
                    c.format = (asff_format)f;
                    c.pretty = pretty != 0;
                    c.sink = sink;
                    test_alloc_chaos(chaos_writer, &c);
                }
        asff_finding_list_free(l);
    }
    free(data);
}

/* asff_parse_file of the chaos text, then every finding to asff_writer_new_file. */
typedef struct chaos_files {
    FILE *in, *out;
} chaos_files;

static asff_status chaos_file(const asff_allocator *alloc, void *ctx)
{
    chaos_files *f = ctx;
    asff_parse_options po = ASFF_PARSE_OPTIONS_INIT;
    asff_write_options wo = ASFF_WRITE_OPTIONS_INIT;
    asff_finding_list *l = NULL;
    asff_writer *w = NULL;
    asff_error e;
    asff_status st;
    size_t i;
    po.allocator = wo.allocator = alloc;
    po.skip_invalid = true;
    rewind(f->in);
    rewind(f->out);
    st = asff_parse_file(f->in, &po, &l, &e);
    if (st != ASFF_OK) {
        assert_null(l);
        return st;
    }
    assert_int_equal(l->count, 3);
    st = asff_writer_new_file(f->out, &wo, &w, &e);
    for (i = 0; st == ASFF_OK && i < l->count; i++)
        st = asff_writer_write(w, l->items[i], &e);
    if (st == ASFF_OK)
        st = asff_writer_finish(w, &e);
    asff_writer_free(w);
    asff_finding_list_free(l);
    if (st == ASFF_OK && (fflush(f->out) != 0 || ftell(f->out) < 20))
        return ASFF_ERR_IO;
    return st;
}

static void test_alloc_chaos_files(void **state)
{
    size_t len;
    char *text = chaos_text(&len);
    chaos_files f = {tmpfile(), tmpfile()};
    (void)state;
    assert_non_null(f.in);
    assert_non_null(f.out);
    assert_int_equal(fwrite(text, 1, len, f.in), len);
    assert_true(test_alloc_chaos(chaos_file, &f) > 10);
    fclose(f.in);
    fclose(f.out);
    free(text);
}

static int deep_error(void *ctx, const asff_error *err, const asff_finding_info *info)
{
    (void)info;
    *(asff_error *)ctx = *err;
    return 0;
}

/* 10^6 levels of [ and of {"a": : the depth limit ends the work at once, with its position. */
static void test_deep_nesting(void **state)
{
    const size_t levels = 1000000;
    int shape;
    (void)state;
    for (shape = 0; shape < 2; shape++) {
        const char *unit = shape ? "{\"a\":" : "[";
        size_t ul = strlen(unit), len = levels * ul, i;
        char *text = malloc(len);
        asff_parse_options o = ASFF_PARSE_OPTIONS_INIT;
        asff_parser *p;
        asff_error e;
        void *obj = NULL;
        int skip;
        assert_non_null(text);
        for (i = 0; i < levels; i++)
            memcpy(text + i * ul, unit, ul);
        for (skip = 0; skip < 2; skip++) {
            asff_error seen;
            memset(&seen, 0, sizeof seen);
            o.skip_invalid = skip != 0;
            (void)asff_parser_new(&o, NULL, deep_error, &seen, &p, NULL);
            assert_non_null(p);
            if (skip && shape) {
                /* a top-level object is a record of its own: reported, and the stream goes on */
                assert_int_equal(asff_parser_feed(p, text, len, &e), ASFF_OK);
                assert_int_equal(asff_parser_finish(p, &e), ASFF_OK);
                assert_int_equal(asff_parser_skipped(p), 1);
                e = seen;
            } else {
                assert_int_equal(asff_parser_feed(p, text, len, &e), ASFF_ERR_LIMIT);
            }
            assert_int_equal(e.code, ASFF_ERR_LIMIT);
            assert_int_equal(e.offset, ASFF_DEFAULT_MAX_DEPTH * ul);
            assert_int_equal(e.line, 1);
            assert_int_equal(e.column, ASFF_DEFAULT_MAX_DEPTH * ul + 1);
            asff_parser_free(p);
        }
        assert_int_equal(asff_parse_object(text, len, 0, NULL, &obj, &e), shape ? ASFF_ERR_LIMIT : ASFF_ERR_ENVELOPE);
        assert_null(obj);
        if (shape)
            assert_int_equal(e.offset, ASFF_DEFAULT_MAX_DEPTH * ul);
        free(text);
    }
}

/* An unknown member 10^6 levels deep (asff_extra_set copies it unchecked) reaches the writer: compact
 * output copies it as it is; pretty output replays it through yajl: a clean ASFF_ERR_LIMIT, no
 * output, nothing held (it was a "not valid JSON" syntax error). */
static void test_deep_extra_write(void **state)
{
    const size_t levels = 1000000;
    char *deep = malloc(2 * levels + 1), *out = (char *)&out;
    void *f = ASFF_NEW_ROOT(AwsSecurityFinding, NULL);
    asff_error e;
    size_t len = 0;
    int pretty;
    (void)state;
    assert_non_null(deep);
    assert_non_null(f);
    memset(deep, '[', levels);
    memset(deep + levels, ']', levels);
    deep[2 * levels] = '\0';
    assert_int_equal(asff_extra_set(f, "Deep", deep), ASFF_OK);
    for (pretty = 0; pretty < 2; pretty++) {
        asff_status st = asff_to_json(f, pretty != 0, &out, &len, &e);
        if (!pretty) {
            assert_int_equal(st, ASFF_OK);
            assert_int_equal(len, 2 * levels + 9); /* {"Deep":...} */
            asff_free_string(out);
            continue;
        }
        assert_int_equal(st, ASFF_ERR_LIMIT);
        assert_null(out);
        assert_non_null(strstr(e.message, "deeper"));
    }
    asff_object_free(f);
    free(deep);
}

/* ---- the hostile-input table (tests/data/hostile/cases.tsv, from gen_hostile.py) ------------ */

typedef struct hcase {
    char name[128];
    char status[2][40];          /* without, with skip_invalid */
    long count[2], skipped;
    unsigned char *data;
    size_t len;
} hcase;

static int hexdigit(int c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* One line of the table; false at the end or for a comment. */
static bool hcase_parse(char *line, hcase *c)
{
    char *f[7], *save = NULL, *tok;
    int n = 0;
    size_t cap = 0;
    if (line[0] == '#' || line[0] == '\0')
        return false;
    for (tok = strtok_r(line, "\t\n", &save); tok && n < 7; tok = strtok_r(NULL, "\t\n", &save))
        f[n++] = tok;
    assert_int_equal(n, 7);
    snprintf(c->name, sizeof c->name, "%s", f[0]);
    snprintf(c->status[0], sizeof c->status[0], "%s", f[1]);
    c->count[0] = atol(f[2]);
    snprintf(c->status[1], sizeof c->status[1], "%s", f[3]);
    c->count[1] = atol(f[4]);
    c->skipped = atol(f[5]);
    c->data = NULL;
    c->len = 0;
    if (strcmp(f[6], "-") == 0)
        return true;
    for (tok = strtok_r(f[6], " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
        char *star = strchr(tok, '*');
        size_t hl = star ? (size_t)(star - tok) : strlen(tok), rep = star ? (size_t)atol(star + 1) : 1, k, r;
        assert_int_equal(hl % 2, 0);
        if (c->len + hl / 2 * rep > cap) {
            cap = (c->len + hl / 2 * rep) * 2 + 64;
            c->data = realloc(c->data, cap);
            assert_non_null(c->data);
        }
        for (r = 0; r < rep; r++)
            for (k = 0; k < hl; k += 2)
                c->data[c->len++] = (unsigned char)(hexdigit(tok[k]) * 16 + hexdigit(tok[k + 1]));
    }
    return true;
}

typedef struct hrun {
    long count, skipped;
    asff_error last_skip;
} hrun;

static int hrun_finding(void *ctx, void *finding, const asff_finding_info *info)
{
    (void)finding;
    (void)info;
    ((hrun *)ctx)->count++;
    return 0;
}

static int hrun_error(void *ctx, const asff_error *err, const asff_finding_info *info)
{
    hrun *r = ctx;
    (void)info;
    r->skipped++;
    r->last_skip = *err;
    return 0;
}

/* An error must say where: a line and column, and a message. */
static bool has_position(const asff_error *e)
{
    return e->line >= 1 && e->column >= 1 && e->message[0] != '\0';
}

static int hostile_one(const hcase *c, int skip, size_t chunk, asff_error *out)
{
    asff_parse_options o = ASFF_PARSE_OPTIONS_INIT;
    hrun r = {0, 0, {0}};
    asff_parser *p;
    asff_error e;
    asff_status st = ASFF_OK;
    size_t off;
    int bad = 0;
    o.skip_invalid = skip != 0;
    (void)asff_parser_new(&o, hrun_finding, hrun_error, &r, &p, NULL);
    assert_non_null(p);
    memset(&e, 0, sizeof e);
    for (off = 0; off < c->len && st == ASFF_OK; off += chunk)
        st = asff_parser_feed(p, c->data + off, c->len - off < chunk ? c->len - off : chunk, &e);
    if (st == ASFF_OK)
        st = asff_parser_finish(p, &e);
    if (strcmp(asff_status_name(st), c->status[skip]) != 0 || r.count != c->count[skip] ||
        (skip && r.skipped != c->skipped) || (st != ASFF_OK && !has_position(&e)) ||
        (r.skipped && !has_position(&r.last_skip))) {
        print_error("hostile %s (skip_invalid %d, chunk %zu): %s, %ld findings, %ld skipped; expected %s, %ld, %ld"
                    " [%s at %" PRIu64 ":%" PRIu64 " %s]\n",
                    c->name, skip, chunk, asff_status_name(st), r.count, r.skipped, c->status[skip], c->count[skip],
                    skip ? c->skipped : 0L, e.message, e.line, e.column, e.path);
        bad = 1;
    }
    if (out)
        *out = st == ASFF_OK ? r.last_skip : e;
    asff_parser_free(p);
    return bad;
}

static void test_hostile(void **state)
{
    char path[1024];
    FILE *f;
    char *line = NULL;
    size_t cap = 0;
    int bad = 0, n = 0;
    (void)state;
    snprintf(path, sizeof path, "%s/hostile/cases.tsv", ASFF_TEST_DATA);
    f = fopen(path, "r");
    assert_non_null(f);
    while (getline(&line, &cap, f) > 0) {
        hcase c;
        int skip;
        if (!hcase_parse(line, &c))
            continue;
        n++;
        for (skip = 0; skip < 2; skip++) {
            static const size_t chunks[] = {1, 7, 64, 4096, 65536};
            asff_error whole, part;
            asff_finding_list *l = NULL;
            asff_parse_options o = ASFF_PARSE_OPTIONS_INIT;
            asff_status st;
            size_t k;
            bad += hostile_one(&c, skip, c.len ? c.len : 1, &whole);
            for (k = 0; k < sizeof chunks / sizeof chunks[0]; k++) {
                if (chunks[k] >= c.len || (chunks[k] < 4096 && c.len > 65536) || (chunks[k] < 64 && c.len > 8192))
                    continue;
                bad += hostile_one(&c, skip, chunks[k], &part);
                /* the same error at the same place, whatever the chunks */
                /* (limits between pieces are checked where a piece ends: the line only) */
                if (part.code != whole.code || part.line != whole.line ||
                    (part.offset != whole.offset && part.code != ASFF_ERR_LIMIT)) {
                    print_error("hostile %s (skip_invalid %d, chunk %zu): error at %" PRIu64 " (line %" PRIu64
                                "), whole: at %" PRIu64 " (line %" PRIu64 ")\n",
                                c.name, skip, chunks[k], part.offset, part.line, whole.offset, whole.line);
                    bad++;
                }
            }
            /* asff_parse_buffer: all of them or an error */
            o.skip_invalid = skip != 0;
            st = asff_parse_buffer(c.data, c.len, &o, &l, &part);
            if (strcmp(asff_status_name(st), c.status[skip]) != 0 ||
                (st == ASFF_OK && (long)l->count != c.count[skip]) || (st != ASFF_OK && (l || !has_position(&part)))) {
                print_error("hostile %s (asff_parse_buffer, skip_invalid %d): %s, %ld findings\n", c.name, skip,
                            asff_status_name(st), l ? (long)l->count : -1L);
                bad++;
            }
            asff_finding_list_free(l);
        }
        free(c.data);
    }
    free(line);
    fclose(f);
    assert_true(n >= 300);
    assert_int_equal(bad, 0);
}

/* A long number, string or escape run fed in small chunks is refused at the limit in time linear in
 * it (yajl alone lexes a token spanning feeds again from its start on every feed: quadratic). */
static void test_long_tokens_linear(void **state)
{
    static const char *const heads[] = {"", "{\"Title\":\"", "{\"Title\":\"", "{\"Confidence\":"};
    static const char *const units[] = {"1", "x", "\\u00e9", "1"};
    const size_t size = 12u << 20;
    int k;
    (void)state;
    for (k = 0; k < 4; k++) {
        size_t hl = strlen(heads[k]), ul = strlen(units[k]), len = hl, off;
        char *text = malloc(size + 64);
        asff_parser *p = NULL;
        (void)asff_parser_new(NULL, NULL, NULL, NULL, &p, NULL);
        asff_error e;
        asff_status st = ASFF_OK;
        clock_t t0 = clock();
        assert_non_null(text);
        assert_non_null(p);
        memcpy(text, heads[k], hl);
        while (len + ul <= size) {
            memcpy(text + len, units[k], ul);
            len += ul;
        }
        for (off = 0; off < len && st == ASFF_OK; off += 1000)
            st = asff_parser_feed(p, text + off, len - off < 1000 ? len - off : 1000, &e);
        assert_int_equal(st, ASFF_ERR_LIMIT);
        assert_true(e.offset < (7u << 20)); /* stopped at the limit, not at the end */
        /* generous: linear takes a small fraction of a second, quadratic minutes */
        assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 10.0);
        asff_parser_free(p);
        free(text);
    }
}

static void test_numbers_ignore_locale(void **state)
{
    static const char in[] = "{\"Id\":\"x\",\"Severity\":{\"Product\":7.5,\"Normalized\":40}}";
    static const char filter[] = "{\"SeverityProduct\":[{\"Gte\":7.25,\"Lte\":7.75}]}";
    asff_AwsSecurityFinding *f = NULL;
    asff_filter *flt = NULL;
    asff_error e;
    char *json = NULL, *saved;
    const char *was = setlocale(LC_NUMERIC, NULL);
    (void)state;
    saved = strdup(was ? was : "C");
    if (!setlocale(LC_NUMERIC, "de_DE.UTF-8"))
        fail_msg("locale de_DE.UTF-8 is missing (tools/dev/deps.sh generates it)");
    assert_string_equal(localeconv()->decimal_point, ",");
    assert_int_equal(asff_parse_object(in, sizeof in - 1, ASFF_TID_AwsSecurityFinding, NULL, (void **)&f, &e), ASFF_OK);
    assert_non_null(f->Severity->Product);
    assert_true(*f->Severity->Product == 7.5);
    assert_int_equal(asff_to_json(f, false, &json, NULL, &e), ASFF_OK);
    assert_non_null(strstr(json, "\"Product\":7.5"));
    assert_int_equal(asff_filter_compile(filter, sizeof filter - 1, NULL, &flt, &e), ASFF_OK);
    assert_true(asff_filter_match(flt, f));
    asff_free_string(json);
    json = NULL;
    assert_int_equal(asff_filter_to_json(flt, &json, NULL, &e), ASFF_OK);
    assert_non_null(strstr(json, "7.25"));
    asff_free_string(json);
    asff_filter_free(flt);
    asff_object_free(f);
    setlocale(LC_NUMERIC, saved);
    free(saved);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_real_files),
        cmocka_unit_test(test_real_roundtrip),
        cmocka_unit_test(test_real_malformed),
        cmocka_unit_test(test_string_then_colon),
        cmocka_unit_test(test_vt_ff_not_blank),
        cmocka_unit_test(test_chunk_sizes),
        cmocka_unit_test(test_golden),
        cmocka_unit_test(test_unknown_members),
        cmocka_unit_test(test_big_integers),
        cmocka_unit_test(test_nulls),
        cmocka_unit_test(test_empty_containers),
        cmocka_unit_test(test_strings_utf8),
        cmocka_unit_test(test_doubles),
        cmocka_unit_test(test_type_errors),
        cmocka_unit_test(test_duplicates),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_limit_stop_any_chunks),
        cmocka_unit_test(test_bad_token_after_recovery_any_chunks),
        cmocka_unit_test(test_scanner_blocks),
        cmocka_unit_test(test_chunk_carry),
        cmocka_unit_test(test_whole_lines),
        cmocka_unit_test(test_skip_length_any_cut),
        cmocka_unit_test(test_bad_line_start_once),
        cmocka_unit_test(test_skip_invalid),
        cmocka_unit_test(test_envelopes),
        cmocka_unit_test(test_keep_and_abort),
        cmocka_unit_test(test_parse_buffer_file_object),
        cmocka_unit_test(test_writer_formats),
        cmocka_unit_test(test_writer_like_yajl),
        cmocka_unit_test(test_out_of_memory),
        cmocka_unit_test(test_numbers_ignore_locale),
        cmocka_unit_test(test_alloc_chaos_parser),
        cmocka_unit_test(test_alloc_chaos_object),
        cmocka_unit_test(test_alloc_chaos_files),
        cmocka_unit_test(test_deep_nesting),
        cmocka_unit_test(test_deep_extra_write),
        cmocka_unit_test(test_hostile),
        cmocka_unit_test(test_long_tokens_linear),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
