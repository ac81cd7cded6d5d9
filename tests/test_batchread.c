/* Tests of the batch reader (lib/filter/batchread.c): findings handed out many at a time as NDJSON
 * or arrays, with filter, projection, limit, prefilter, every source kind, errors after the good
 * lines before them, and a buffer too small for a line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <cmocka.h>
#include "asff/filter.h"
#include "asff/codec.h"

#define F1 "{\"Id\":\"a\",\"Severity\":{\"Label\":\"HIGH\"},\"Title\":\"t1\",\"X\":[1,2.50]}"
#define F2 "{\"Id\":\"b\",\"Severity\":{\"Label\":\"LOW\"},\"Title\":\"t2\"}"
#define F3 "{\"Id\":\"c\",\"Severity\":{\"Label\":\"CRITICAL\"},\"Title\":\"t3\"}"
#define NDJSON F1 "\n" F2 "\n" F3 "\n"

/* Everything the reader hands out, through a buffer of cap bytes; status of the last call. */
static asff_status drain(asff_batch_reader *r, size_t cap, char *out, size_t outcap, size_t *total,
                         asff_error *err)
{
    char *buf = malloc(cap);
    size_t len = 0, n, c;
    asff_status st;
    assert_non_null(buf);
    *total = 0;
    for (;;) {
        st = asff_batch_reader_next(r, buf, cap, &n, &c, err);
        if (st != ASFF_OK || n == 0)
            break;
        assert_true(len + n < outcap);
        memcpy(out + len, buf, n);
        len += n;
        *total += c;
    }
    out[len] = '\0';
    free(buf);
    return st;
}

static asff_filter *compile(const char *json)
{
    asff_filter *f = NULL;
    asff_error e;
    assert_int_equal(asff_filter_compile(json, strlen(json), NULL, &f, &e), ASFF_OK);
    return f;
}

static void test_ndjson_verbatim(void **state)
{
    asff_batch_reader *r;
    asff_error e;
    char out[4096];
    size_t n;
    uint64_t read, passed, bytes;
    (void)state;
    assert_int_equal(asff_batch_reader_new_buffer(NDJSON, strlen(NDJSON), NULL, &r, &e), ASFF_OK);
    assert_int_equal(drain(r, 1 << 16, out, sizeof out, &n, &e), ASFF_OK);
    assert_string_equal(out, NDJSON);   /* each finding's own bytes ("2.50" kept) */
    assert_int_equal(n, 3);
    asff_batch_reader_counts(r, &read, &passed, &bytes);
    assert_int_equal(read, 3);
    assert_int_equal(passed, 3);
    assert_int_equal(bytes, strlen(NDJSON));
    asff_batch_reader_free(r);
}

static void test_groups_filter_limit(void **state)
{
    asff_batch_options o = {0};
    asff_batch_reader *r;
    asff_error e;
    char out[4096];
    size_t n;
    const char *doc = "{\"Findings\":[" F1 "," F2 "," F3 "]}";
    (void)state;
    o.filter = compile("{\"SeverityLabel\":[{\"Value\":\"LOW\",\"Comparison\":\"NOT_EQUALS\"}]}");
    o.group_bytes = 1;   /* every finding closes its array */
    assert_int_equal(asff_batch_reader_new_buffer(doc, strlen(doc), &o, &r, &e), ASFF_OK);
    assert_int_equal(drain(r, 1 << 16, out, sizeof out, &n, &e), ASFF_OK);
    assert_string_equal(out, "[" F1 "]\n[" F3 "]\n");
    assert_int_equal(n, 2);
    asff_batch_reader_free(r);

    o.group_bytes = 1 << 20;   /* one array */
    o.limit = 1;
    assert_int_equal(asff_batch_reader_new_buffer(doc, strlen(doc), &o, &r, &e), ASFF_OK);
    assert_int_equal(drain(r, 1 << 16, out, sizeof out, &n, &e), ASFF_OK);
    assert_string_equal(out, "[" F1 "]\n");
    assert_int_equal(n, 1);
    asff_batch_reader_free(r);
    asff_filter_free((asff_filter *)o.filter);
}

static void test_projection_and_pretty(void **state)
{
    static const char *const fields[] = {"Id", "Unknown"};
    asff_batch_options o = {0};
    asff_batch_reader *r;
    asff_error e;
    char out[4096];
    size_t n;
    const char *pretty = "[\n  {\n    \"Id\": \"a\",\n    \"Unknown\": {\"k\": true},\n    \"Title\": \"t\"\n  },\n"
                         "  {\"Id\": \"b\", \"Title\": \"u\"}\n]\n";
    (void)state;
    /* a finding spread over lines is written compactly, on one line */
    assert_int_equal(asff_batch_reader_new_buffer(pretty, strlen(pretty), NULL, &r, &e), ASFF_OK);
    assert_int_equal(drain(r, 1 << 16, out, sizeof out, &n, &e), ASFF_OK);
    assert_string_equal(out, "{\"Id\":\"a\",\"Unknown\":{\"k\":true},\"Title\":\"t\"}\n{\"Id\": \"b\", \"Title\": \"u\"}\n");
    asff_batch_reader_free(r);
    o.fields = fields;
    o.field_count = 2;
    assert_int_equal(asff_batch_reader_new_buffer(pretty, strlen(pretty), &o, &r, &e), ASFF_OK);
    assert_int_equal(drain(r, 1 << 16, out, sizeof out, &n, &e), ASFF_OK);
    assert_string_equal(out, "{\"Id\":\"a\",\"Unknown\":{\"k\":true}}\n{\"Id\":\"b\"}\n");
    assert_int_equal(n, 2);
    asff_batch_reader_free(r);
}

static void test_error_after_good_lines(void **state)
{
    asff_batch_reader *r;
    asff_error e;
    char buf[4096];
    size_t n, c;
    const char *text = F1 "\n" F2 "\n{\"Id\": 5}\n" F3 "\n";
    (void)state;
    assert_int_equal(asff_batch_reader_new_buffer(text, strlen(text), NULL, &r, &e), ASFF_OK);
    assert_int_equal(asff_batch_reader_next(r, buf, sizeof buf, &n, &c, &e), ASFF_OK);
    assert_int_equal(c, 2);
    assert_int_equal(n, strlen(F1 "\n" F2 "\n"));
    assert_int_equal(asff_batch_reader_next(r, buf, sizeof buf, &n, &c, &e), ASFF_ERR_TYPE);
    assert_int_equal(n, 0);
    assert_int_equal(e.line, 3);
    assert_string_equal(e.path, "/2/Id");
    /* final */
    assert_int_equal(asff_batch_reader_next(r, buf, sizeof buf, &n, &c, &e), ASFF_ERR_TYPE);
    asff_batch_reader_free(r);
}

static void test_small_buffer(void **state)
{
    asff_batch_reader *r;
    asff_error e;
    char buf[4096];
    size_t n, c;
    (void)state;
    assert_int_equal(asff_batch_reader_new_buffer(NDJSON, strlen(NDJSON), NULL, &r, &e), ASFF_OK);
    assert_int_equal(asff_batch_reader_next(r, buf, 10, &n, &c, &e), ASFF_ERR_LIMIT);
    assert_int_equal(n, strlen(F1) + 1);
    assert_int_equal(asff_batch_reader_next(r, buf, n, &n, &c, &e), ASFF_OK);
    assert_int_equal(c, 1);
    assert_memory_equal(buf, F1 "\n", n);
    asff_batch_reader_free(r);
    assert_int_equal(asff_batch_reader_next(NULL, buf, 1, &n, &c, &e), ASFF_ERR_INVALID_ARG);
    assert_int_equal(asff_batch_reader_new_buffer(NULL, 3, NULL, &r, &e), ASFF_ERR_INVALID_ARG);
    assert_null(r);
}

static void test_prefilter(void **state)
{
    asff_batch_options o = {0};
    asff_batch_reader *r;
    asff_error e;
    char out[4096];
    size_t n;
    uint64_t read, passed;
    /* line 2 cannot match and is skipped unparsed; line 4 may match and is broken */
    const char *text = F1 "\n{\"Id\": broken LOW}\n" F3 "\n{\"Id\":\"d\",\"Severity\":{\"Label\":\"HIGH\"},}\n";
    const char *multi = "{\n\"Id\": \"m\",\n\"Severity\": {\"Label\": \"HIGH\"}}\n{\"Id\":\"x\",\n\"T\":1}\n" F1 "\n";
    (void)state;
    o.filter = compile("{\"SeverityLabel\":[{\"Value\":\"HIGH\",\"Comparison\":\"EQUALS\"}]}");
    o.prefilter = true;
    assert_int_equal(asff_batch_reader_new_buffer(text, strlen(text), &o, &r, &e), ASFF_OK);
    assert_int_equal(drain(r, 1 << 16, out, sizeof out, &n, &e), ASFF_ERR_SYNTAX);
    assert_string_equal(out, F1 "\n");
    assert_int_equal(e.line, 4);   /* counted over every line, skipped ones too */
    asff_batch_reader_counts(r, &read, &passed, NULL);
    assert_int_equal(read, 3);
    assert_int_equal(passed, 1);
    asff_batch_reader_free(r);
    /* lines of a finding spread over lines are never skipped */
    o.chunk_size = 7;
    assert_int_equal(asff_batch_reader_new_buffer(multi, strlen(multi), &o, &r, &e), ASFF_OK);
    assert_int_equal(drain(r, 1 << 16, out, sizeof out, &n, &e), ASFF_OK);
    assert_string_equal(out, "{\"Id\":\"m\",\"Severity\":{\"Label\":\"HIGH\"}}\n" F1 "\n");
    asff_batch_reader_free(r);
    asff_filter_free((asff_filter *)o.filter);
}

static long from_string(void *ctx, void *buf, size_t cap)
{
    const char **p = ctx;
    size_t n = strlen(*p);
    if (n > cap)
        n = cap;
    if (n > 3)
        n = 3;   /* tiny reads */
    memcpy(buf, *p, n);
    *p += n;
    return (long)n;
}

static long failing(void *ctx, void *buf, size_t cap)
{
    (void)ctx;
    (void)buf;
    (void)cap;
    return -1;
}

static void test_sources(void **state)
{
    asff_batch_reader *r;
    asff_error e;
    char out[4096], path[] = "/tmp/asff_batchread_XXXXXX";
    size_t n;
    const char *p = NDJSON;
    int fd = mkstemp(path);
    (void)state;
    assert_true(fd >= 0);
    assert_int_equal(write(fd, NDJSON, strlen(NDJSON)), (ssize_t)strlen(NDJSON));
    assert_int_equal(asff_batch_reader_new_path(path, NULL, &r, &e), ASFF_OK);
    assert_int_equal(drain(r, 1 << 16, out, sizeof out, &n, &e), ASFF_OK);
    assert_string_equal(out, NDJSON);
    asff_batch_reader_free(r);
    assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
    assert_int_equal(asff_batch_reader_new_fd(fd, NULL, &r, &e), ASFF_OK);
    assert_int_equal(drain(r, 1 << 16, out, sizeof out, &n, &e), ASFF_OK);
    assert_string_equal(out, NDJSON);
    asff_batch_reader_free(r);
    close(fd);
    unlink(path);
    assert_int_equal(asff_batch_reader_new_path(path, NULL, &r, &e), ASFF_ERR_NOT_FOUND);
    assert_null(r);
    assert_int_equal(asff_batch_reader_new_read(from_string, &p, NULL, &r, &e), ASFF_OK);
    assert_int_equal(drain(r, 40, out, sizeof out, &n, &e), ASFF_ERR_LIMIT);
    asff_batch_reader_free(r);
    p = NDJSON;
    assert_int_equal(asff_batch_reader_new_read(from_string, &p, NULL, &r, &e), ASFF_OK);
    assert_int_equal(drain(r, 1 << 16, out, sizeof out, &n, &e), ASFF_OK);
    assert_string_equal(out, NDJSON);
    asff_batch_reader_free(r);
    assert_int_equal(asff_batch_reader_new_read(failing, NULL, NULL, &r, &e), ASFF_OK);
    assert_int_equal(drain(r, 1 << 16, out, sizeof out, &n, &e), ASFF_ERR_IO);
    asff_batch_reader_free(r);
}

/* 10^6 levels, as a document and as an NDJSON line between two good ones: a clean ASFF_ERR_LIMIT
 * with its line, after the findings before it. */
static void test_deep(void **state)
{
    const size_t levels = 1000000;
    size_t pre = strlen(F1) + 1, i, n;
    char *doc = malloc(pre + 2 * levels + strlen(F2) + 3), out[4096];
    asff_batch_reader *r;
    asff_error e;
    (void)state;
    assert_non_null(doc);
    for (i = 0; i < 2; i++) {
        size_t at = i ? pre : 0;
        if (i)
            memcpy(doc, F1 "\n", pre);
        memset(doc + at, '[', levels);
        memset(doc + at + levels, ']', levels);
        memcpy(doc + at + 2 * levels, i ? "\n" F2 "\n" : "", i ? strlen(F2) + 3 : 1);
        assert_int_equal(asff_batch_reader_new_buffer(doc, strlen(doc), NULL, &r, &e), ASFF_OK);
        assert_int_equal(drain(r, 1 << 16, out, sizeof out, &n, &e), ASFF_ERR_LIMIT);
        assert_int_equal(n, i); /* the finding before it */
        assert_int_equal(e.line, i + 1);
        asff_batch_reader_free(r);
    }
    free(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ndjson_verbatim),
        cmocka_unit_test(test_groups_filter_limit),
        cmocka_unit_test(test_projection_and_pretty),
        cmocka_unit_test(test_error_after_good_lines),
        cmocka_unit_test(test_small_buffer),
        cmocka_unit_test(test_prefilter),
        cmocka_unit_test(test_sources),
        cmocka_unit_test(test_deep),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
