/* Tests of the batch reader (lib/filter/batchread.c): findings handed out many at a time as NDJSON
 * or arrays, with filter, projection, limit, prefilter, every source kind, errors after the good
 * lines before them, and a buffer too small for a line; the pickle format (ASFF_BATCH_PICKLE)
 * against the NDJSON one, its exact bytes, option versions, and allocation chaos; the readahead
 * thread. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>
#include <cmocka.h>
#include "asff/filter.h"
#include "asff/codec.h"
#include "support.h"
#include "../fuzz/pickle_check.h"

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

/* With a filter, the parser builds only what the filter reads; what passes is still handed out
 * whole: its own bytes on one line, or (spread over lines) built whole again for the writer. Both
 * formats, both front-ends (ctest runs this file with each). */
static void test_filter_output_whole(void **state)
{
    asff_batch_options o = {0};
    asff_batch_reader *r;
    asff_error e;
    char out[4096];
    size_t n;
    const char *pretty = "{\"Findings\": [\n  {\n    \"Id\": \"a\",\n    \"Severity\": {\"Label\": \"HIGH\", \"Normalized\": 70},\n"
                         "    \"Unknown\": {\"k\": [true, 2.50]},\n    \"Resources\": [{\"Id\": \"r\", \"Type\": \"Other\"}],\n"
                         "    \"Title\": \"t\"\n  },\n  {\"Id\": \"b\", \"Severity\": {\"Label\": \"LOW\"}, \"Title\": \"u\"},\n"
                         "  {\"Id\": \"c\", \"Severity\": {\"Label\": \"HIGH\"}, \"Title\": \"v\", \"X\": 1.0}\n]}\n";
    (void)state;
    o.filter = compile("{\"SeverityLabel\":[{\"Value\":\"HIGH\",\"Comparison\":\"EQUALS\"}]}");
    assert_int_equal(asff_batch_reader_new_buffer(pretty, strlen(pretty), &o, &r, &e), ASFF_OK);
    assert_int_equal(drain(r, 1 << 16, out, sizeof out, &n, &e), ASFF_OK);
    assert_string_equal(out, "{\"Id\":\"a\",\"Severity\":{\"Label\":\"HIGH\",\"Normalized\":70},\"Unknown\":{\"k\":[true,2.50]},"
                             "\"Resources\":[{\"Id\":\"r\",\"Type\":\"Other\"}],\"Title\":\"t\"}\n"
                             "{\"Id\": \"c\", \"Severity\": {\"Label\": \"HIGH\"}, \"Title\": \"v\", \"X\": 1.0}\n");
    assert_int_equal(n, 2);
    asff_batch_reader_free(r);
    /* the pickle format carries the same members */
    o.format = ASFF_BATCH_PICKLE;
    o.version = ASFF_BATCH_OPTIONS_VERSION;
    assert_int_equal(asff_batch_reader_new_buffer(pretty, strlen(pretty), &o, &r, &e), ASFF_OK);
    {
        char buf[4096];
        size_t len = 0, c = 0;
        assert_int_equal(asff_batch_reader_next(r, buf, sizeof buf, &len, &c, &e), ASFF_OK);
        assert_int_equal(c, 2);
        static const char *const want[] = {"Resources", "Unknown", "Other", "Normalized"};
        size_t i, k;
        for (k = 0; k < 4; k++) {
            size_t wl = strlen(want[k]);
            for (i = 0; i + wl <= len && memcmp(buf + i, want[k], wl) != 0; i++)
                ;
            assert_true(i + wl <= len); /* a member the filter does not read is there */
        }
    }
    asff_batch_reader_free(r);
    asff_filter_free((asff_filter *)o.filter);
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

/* ---- the pickle format ---------------------------------------------------------------------- */

/* All the pickles of r as canonical text (fuzz/pickle_check.h); the number of findings in *n. */
static asff_status drain_pickles(asff_batch_reader *r, size_t cap, pk_text *t, uint64_t *n, asff_error *err)
{
    char *buf = malloc(cap);
    size_t len, c, pos, used = 0;
    asff_status st;
    uint64_t counted = 0;
    assert_non_null(buf);
    *n = 0;
    for (;;) {
        st = asff_batch_reader_next(r, buf, cap, &len, &c, err);
        if (st != ASFF_OK || len == 0)
            break;
        for (pos = 0; pos < len; pos += used)
            assert_int_equal(pk_canon_pickle((const unsigned char *)buf + pos, len - pos, t, &used, n), 0);
        counted += c;
    }
    assert_int_equal(counted, *n);
    free(buf);
    return st;
}

static void canon_json(const char *text, int arrays, pk_text *t, uint64_t *n)
{
    *n = 0;
    assert_int_equal(pk_canon_json(text, strlen(text), arrays, t, n), 0);
}

#define HOSTILE "{\"Id\":\"q\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0041\\u00e9\\u20ac\\ud83d\\ude00\",\"Title\":\"" \
    "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\",\"X\":[0,-0,255,256,65535,65536,-1,2147483647,2147483648," \
    "-2147483648,-2147483649,9223372036854775807,-9223372036854775808,123456789012345678901234567890," \
    "-99999999999999999999,1.5,-0.0,1e400,-1e400,5e-324,1E2,0.1,{},[],[[[[{}]]]],true,false,null]," \
    "\"Y\":{\"Id\":{\"Id\":1}},\"Z\":2}"

static void test_pickle_equals_ndjson(void **state)
{
    static const char *const fields[] = {"Id", "Unknown"};
    const char *pretty = "[\n  {\n    \"Id\": \"a\",\n    \"Unknown\": {\"k\": true},\n    \"Title\": \"t\"\n  },\n"
                         "  {\"Id\": \"b\", \"Title\": \"u\"}\n]\n";
    const char *inputs[] = {NDJSON, HOSTILE "\n" F1, pretty};
    size_t i, cap, g;
    (void)state;
    for (i = 0; i < 3; i++)
        for (g = 0; g < 3; g++)
            for (cap = 64; cap <= 1 << 16; cap *= 32) {
                asff_batch_options o = {0};
                asff_batch_reader *r;
                asff_error e;
                char out[8192];
                size_t n;
                uint64_t np, nj;
                pk_text tp = {0}, tj = {0};
                o.group_bytes = g == 0 ? 0 : g == 1 ? 1 : 1 << 20;
                o.fields = i == 2 && g == 2 ? fields : NULL;
                o.field_count = o.fields ? 2 : 0;
                assert_int_equal(asff_batch_reader_new_buffer(inputs[i], strlen(inputs[i]), &o, &r, &e), ASFF_OK);
                assert_int_equal(drain(r, 1 << 16, out, sizeof out, &n, &e), ASFF_OK);
                asff_batch_reader_free(r);
                canon_json(out, o.group_bytes != 0, &tj, &nj);
                assert_int_equal(nj, n);
                o.format = ASFF_BATCH_PICKLE;
                assert_int_equal(asff_batch_reader_new_buffer(inputs[i], strlen(inputs[i]), &o, &r, &e), ASFF_OK);
                for (;;) {   /* a buffer too small for a pickle: ASFF_ERR_LIMIT says how large */
                    asff_status st = drain_pickles(r, cap, &tp, &np, &e);
                    if (st == ASFF_OK)
                        break;
                    assert_int_equal(st, ASFF_ERR_LIMIT);
                    cap = cap * 4;
                }
                asff_batch_reader_free(r);
                assert_int_equal(np, nj);
                assert_string_equal(tp.data, tj.data);
                free(tp.data);
                free(tj.data);
            }
}

static void pickle_bytes(const char *in, size_t group, const char *want, size_t wantlen)
{
    asff_batch_options o = {0};
    asff_batch_reader *r;
    asff_error e;
    char buf[256];
    size_t len = 0, c = 0, got = 0;
    o.format = ASFF_BATCH_PICKLE;
    o.group_bytes = group;
    assert_int_equal(asff_batch_reader_new_buffer(in, strlen(in), &o, &r, &e), ASFF_OK);
    while (asff_batch_reader_next(r, buf + got, sizeof buf - got, &len, &c, &e) == ASFF_OK && len)
        got += len;
    asff_batch_reader_free(r);
    assert_int_equal(got, wantlen);
    assert_memory_equal(buf, want, wantlen);
}

static void test_pickle_bytes(void **state)
{
    /* PROTO 4, FRAME 16, EMPTY_LIST MARK, EMPTY_DICT MARK, "Id" BINPUT 0, "a", SETITEMS, APPENDS, STOP;
     * each pickle memoizes its member names again from index 0 */
    static const char one[] = "\x80\x04\x95\x10\0\0\0\0\0\0\0](}(\x8c\x02Idq\0\x8c\x01" "aue."
                              "\x80\x04\x95\x1d\0\0\0\0\0\0\0](}(\x8c\x02Idq\0\x8c\x01" "c\x8c\x01Xq\x01K\x07\x8c\x01Yq\x02Nue.";
    /* two findings in one pickle: the second gets "Id" by BINGET */
    static const char two[] = "\x80\x04\x95\x18\0\0\0\0\0\0\0](}(\x8c\x02Idq\0\x8c\x01" "au}(h\0\x8c\x01" "bue.";
    (void)state;
    pickle_bytes("{\"Id\":\"a\"}\n{\"Id\":\"c\",\"X\":7,\"Y\":null}", 0, one, sizeof one - 1);
    pickle_bytes("{\"Id\":\"a\"}\n{\"Id\":\"c\",\"X\":7,\"Y\":null}", 1, one, sizeof one - 1);
    pickle_bytes("[{\"Id\":\"a\"}, {\"Id\":\"b\"}]", 100, two, sizeof two - 1);
}

static void test_pickle_options(void **state)
{
    asff_batch_options o = {0};
    asff_batch_reader *r = (asff_batch_reader *)&o;
    asff_error e;
    char out[4096];
    size_t n;
    (void)state;
    o.version = 1;                 /* a version 1 struct has no format: NDJSON whatever follows */
    o.format = ASFF_BATCH_PICKLE;
    assert_int_equal(asff_batch_reader_new_buffer(NDJSON, strlen(NDJSON), &o, &r, &e), ASFF_OK);
    assert_int_equal(drain(r, 1 << 16, out, sizeof out, &n, &e), ASFF_OK);
    assert_string_equal(out, NDJSON);
    asff_batch_reader_free(r);
    o.version = ASFF_BATCH_OPTIONS_VERSION;
    o.format = (asff_batch_format)7;
    assert_int_equal(asff_batch_reader_new_buffer(NDJSON, strlen(NDJSON), &o, &r, &e), ASFF_ERR_INVALID_ARG);
    assert_null(r);
    o.version = ASFF_BATCH_OPTIONS_VERSION + 1;
    o.format = ASFF_BATCH_PICKLE;
    assert_int_equal(asff_batch_reader_new_buffer(NDJSON, strlen(NDJSON), &o, &r, &e), ASFF_ERR_INVALID_ARG);
}

static uint64_t pickle_expected;   /* findings of a run that nothing fails */

static asff_status run_pickle(const asff_allocator *a, void *ctx)
{
    static const char *const fields[] = {"Id", "X"};
    const char *in = ctx;
    asff_batch_options o = {0};
    asff_batch_reader *r = NULL;
    asff_filter_options fo = ASFF_FILTER_OPTIONS_INIT;
    asff_filter *f = NULL;
    asff_status st;
    char buf[4096];
    size_t len, c;
    uint64_t total = 0;
    const char *flt = "{\"SeverityLabel\":[{\"Value\":\"LOW\",\"Comparison\":\"NOT_EQUALS\"}]}";
    fo.allocator = a;
    if ((st = asff_filter_compile(flt, strlen(flt), &fo, &f, NULL)) != ASFF_OK)
        return st;
    o.allocator = a;
    o.format = ASFF_BATCH_PICKLE;
    o.group_bytes = 64;
    o.filter = f;
    o.fields = fields;
    o.field_count = 2;
    o.chunk_size = 16;
    if ((st = asff_batch_reader_new_buffer(in, strlen(in), &o, &r, NULL)) == ASFF_OK) {
        while ((st = asff_batch_reader_next(r, buf, sizeof buf, &len, &c, NULL)) == ASFF_OK && len)
            total += c;
    }
    asff_batch_reader_free(r);
    asff_filter_free(f);
    if (st == ASFF_OK && total != pickle_expected)
        return ASFF_ERR_INTERNAL;   /* a failure went unreported */
    return st;
}

static void test_pickle_chaos(void **state)
{
    (void)state;
    pickle_expected = 3;   /* the hostile finding (no severity), F1 and F3 */
    assert_true(test_alloc_chaos(run_pickle, HOSTILE "\n" NDJSON) > 5);
}

/* readahead: the worker thread's output is the same as the caller's own, through small and large
 * buffers, with a filter, a limit, an error, an early free and a version 2 struct (no readahead) */
/* readahead on a regular file: a reading thread fills a ring of 256 KiB blocks. Over a file of
 * several blocks the output is the one of a reader without threads, with the prefilter too, a
 * small chunk size (many reads a block), an early free while the ring is full, and an error. */
static void test_readahead_file(void **state)
{
    asff_batch_options o = {0};
    asff_batch_reader *r;
    asff_error e;
    static char want[3 << 20], got[3 << 20];
    char path[] = "/tmp/asff_readahead_XXXXXX", buf[256];
    size_t n, m, len = 0, i;
    int fd = mkstemp(path);
    FILE *f;
    (void)state;
    assert_true(fd >= 0);
    assert_non_null(f = fdopen(fd, "wb"));
    for (i = 0; len < (5u << 19); i++) /* 2.5 MiB: ten blocks and a part */
        len += (size_t)fprintf(f, "%s", NDJSON);
    assert_int_equal(fclose(f), 0);
    o.version = ASFF_BATCH_OPTIONS_VERSION;
    for (int pre = 0; pre < 2; pre++) {
        for (int chunk = 0; chunk < 2; chunk++) {
            o.chunk_size = chunk ? 1000 : 0;
            o.prefilter = pre != 0;
            o.filter = pre ? compile("{\"SeverityLabel\":[{\"Value\":\"CRITICAL\",\"Comparison\":\"EQUALS\"}]}") : NULL;
            o.readahead = false;
            assert_int_equal(asff_batch_reader_new_path(path, &o, &r, &e), ASFF_OK);
            assert_int_equal(drain(r, 1 << 16, want, sizeof want, &n, &e), ASFF_OK);
            asff_batch_reader_free(r);
            assert_int_equal(n, pre ? i : 3 * i);
            o.readahead = true;
            assert_int_equal(asff_batch_reader_new_path(path, &o, &r, &e), ASFF_OK);
            assert_int_equal(drain(r, 1 << 16, got, sizeof got, &m, &e), ASFF_OK);
            assert_int_equal(m, n);
            assert_string_equal(got, want);
            asff_batch_reader_free(r);
            asff_filter_free((asff_filter *)o.filter);
        }
    }
    o.filter = NULL;
    o.prefilter = false;
    /* freed after one small batch: the reading thread waits on a full ring */
    assert_int_equal(asff_batch_reader_new_path(path, &o, &r, &e), ASFF_OK);
    assert_int_equal(asff_batch_reader_next(r, buf, sizeof buf, &n, NULL, &e), ASFF_OK);
    assert_true(n > 0 && n <= sizeof buf);
    assert_memory_equal(buf, NDJSON NDJSON, n); /* the file's first bytes */
    {
        struct timespec ts = {0, 20000000};
        nanosleep(&ts, NULL);
    }
    asff_batch_reader_free(r);
    /* a bad line at the end: the findings before it, then the error at its line */
    assert_non_null(f = fopen(path, "ab"));
    fputs("{\"Id\": 5}\n", f);
    assert_int_equal(fclose(f), 0);
    for (int ahead = 0; ahead < 2; ahead++) {
        o.readahead = ahead != 0;
        assert_int_equal(asff_batch_reader_new_path(path, &o, &r, &e), ASFF_OK);
        assert_int_equal(drain(r, 1 << 16, got, sizeof got, &m, &e), ASFF_ERR_TYPE);
        assert_int_equal(m, 3 * i);
        assert_int_equal(e.line, 3 * i + 1);
        assert_int_equal(e.offset, len + 8); /* as the parser places it, threads or not */
        asff_batch_reader_free(r);
    }
    unlink(path);
}

static void test_readahead(void **state)
{
    asff_batch_options o = {0};
    asff_batch_reader *r;
    asff_error e;
    static char big[1 << 18], want[1 << 18], got[1 << 18];
    char buf[256];
    size_t n, m, len = 0, caps[] = {128, 300, 1 << 16};
    uint64_t read, passed;
    int i, k;
    const char *bad = F1 "\n" F2 "\n{\"Id\": 5}\n" F3 "\n";
    (void)state;
    for (i = 0; len + 3 * sizeof NDJSON < sizeof big; i++)
        len += (size_t)sprintf(big + len, "%s", NDJSON);
    o.chunk_size = 100;
    for (k = 0; k < 3; k++) {
        o.readahead = false;
        assert_int_equal(asff_batch_reader_new_buffer(big, len, &o, &r, &e), ASFF_OK);
        assert_int_equal(drain(r, caps[k], want, sizeof want, &n, &e), ASFF_OK);
        asff_batch_reader_free(r);
        o.readahead = true;
        assert_int_equal(asff_batch_reader_new_buffer(big, len, &o, &r, &e), ASFF_OK);
        assert_int_equal(drain(r, caps[k], got, sizeof got, &m, &e), ASFF_OK);
        assert_int_equal(m, n);
        assert_string_equal(got, want);
        asff_batch_reader_counts(r, &read, &passed, NULL);
        assert_int_equal(read, (uint64_t)i * 3);
        assert_int_equal(passed, (uint64_t)i * 3);
        asff_batch_reader_free(r);
    }
    /* filter, prefilter and limit */
    o.filter = compile("{\"SeverityLabel\":[{\"Value\":\"HIGH\",\"Comparison\":\"EQUALS\"}]}");
    o.prefilter = true;
    o.limit = 5;
    assert_int_equal(asff_batch_reader_new_buffer(big, len, &o, &r, &e), ASFF_OK);
    assert_int_equal(drain(r, 300, got, sizeof got, &m, &e), ASFF_OK);
    assert_int_equal(m, 5);
    assert_string_equal(got, F1 "\n" F1 "\n" F1 "\n" F1 "\n" F1 "\n");
    asff_batch_reader_free(r);
    asff_filter_free((asff_filter *)o.filter);
    o.filter = NULL;
    o.limit = 0;
    /* an error after the good lines, and final */
    assert_int_equal(asff_batch_reader_new_buffer(bad, strlen(bad), &o, &r, &e), ASFF_OK);
    assert_int_equal(drain(r, 1 << 16, got, sizeof got, &m, &e), ASFF_ERR_TYPE);
    assert_string_equal(got, F1 "\n" F2 "\n");
    assert_int_equal(e.line, 3);
    assert_int_equal(asff_batch_reader_next(r, buf, sizeof buf, &n, NULL, &e), ASFF_ERR_TYPE);
    asff_batch_reader_free(r);
    /* freed while the worker runs ahead; freed before any batch */
    assert_int_equal(asff_batch_reader_new_buffer(big, len, &o, &r, &e), ASFF_OK);
    assert_int_equal(asff_batch_reader_next(r, buf, sizeof buf, &n, NULL, &e), ASFF_OK);
    assert_memory_equal(buf, big, n);
    asff_batch_reader_free(r);
    assert_int_equal(asff_batch_reader_new_buffer(big, len, &o, &r, &e), ASFF_OK);
    asff_batch_reader_free(r);
    /* a version 2 struct has no readahead: whatever follows is not read */
    o.version = 2;
    assert_int_equal(asff_batch_reader_new_buffer(NDJSON, strlen(NDJSON), &o, &r, &e), ASFF_OK);
    assert_int_equal(drain(r, 1 << 16, got, sizeof got, &m, &e), ASFF_OK);
    assert_string_equal(got, NDJSON);
    asff_batch_reader_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ndjson_verbatim),
        cmocka_unit_test(test_groups_filter_limit),
        cmocka_unit_test(test_projection_and_pretty),
        cmocka_unit_test(test_filter_output_whole),
        cmocka_unit_test(test_error_after_good_lines),
        cmocka_unit_test(test_small_buffer),
        cmocka_unit_test(test_prefilter),
        cmocka_unit_test(test_sources),
        cmocka_unit_test(test_deep),
        cmocka_unit_test(test_pickle_equals_ndjson),
        cmocka_unit_test(test_pickle_bytes),
        cmocka_unit_test(test_pickle_options),
        cmocka_unit_test(test_pickle_chaos),
        cmocka_unit_test(test_readahead),
        cmocka_unit_test(test_readahead_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
