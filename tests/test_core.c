/* Tests of lib/core: statuses, errors, allocators, arenas, versions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "asff/core.h"
#include "core/json.h"
#include "support.h"
#include "core/text.h"
#include "core/internal.h"

static void test_version(void **state)
{
    (void)state;
    assert_string_equal(asff_version(), ASFF_VERSION_STRING);
    assert_int_equal(asff_version_number(), ASFF_VERSION_NUMBER);
    assert_int_equal(ASFF_VERSION_NUMBER, (ASFF_VERSION_MAJOR << 16) | (ASFF_VERSION_MINOR << 8) | ASFF_VERSION_PATCH);
}

static void test_status_names(void **state)
{
    int i;
    (void)state;
    assert_string_equal(asff_status_name(ASFF_OK), "ASFF_OK");
    assert_string_equal(asff_status_name(ASFF_ERR_SYNTAX), "ASFF_ERR_SYNTAX");
    assert_string_equal(asff_status_name(ASFF_ERR_PARTIAL), "ASFF_ERR_PARTIAL");
    assert_string_equal(asff_status_name(-1), "ASFF_ERR_UNKNOWN");
    assert_string_equal(asff_status_name(ASFF_STATUS_COUNT), "ASFF_ERR_UNKNOWN");
    for (i = 0; i < ASFF_STATUS_COUNT; i++) {
        assert_non_null(strstr(asff_status_name(i), "ASFF_"));
        assert_true(strlen(asff_status_message(i)) > 3);
    }
}

static void test_error(void **state)
{
    asff_error e;
    char longmsg[1000];
    (void)state;
    memset(&e, 0x55, sizeof e);
    asff_error_clear(&e);
    assert_int_equal(e.code, ASFF_OK);
    assert_string_equal(e.message, "");
    assert_int_equal(e.offset, 0);
    assert_int_equal(asff_error_set(&e, ASFF_ERR_IO, "disk gone"), ASFF_ERR_IO);
    assert_int_equal(e.code, ASFF_ERR_IO);
    assert_string_equal(e.message, "disk gone");
    asff_error_set(&e, ASFF_ERR_NOMEM, NULL);
    assert_string_equal(e.message, "out of memory");
    memset(longmsg, 'x', sizeof longmsg - 1);
    longmsg[sizeof longmsg - 1] = '\0';
    asff_error_set(&e, ASFF_ERR_LIMIT, longmsg);
    assert_int_equal(strlen(e.message), ASFF_ERROR_MESSAGE_SIZE - 1);
    assert_int_equal(asff_error_set(NULL, ASFF_ERR_TYPE, "x"), ASFF_ERR_TYPE);
    asff_error_clear(NULL);
}

/* A counting allocator: proves that arenas use the caller's allocator and free all of it. */
typedef struct counting {
    long live;
    long calls;
    long fail_after; /* fail the allocation after this many calls; -1 never */
} counting;

static void *c_malloc(void *ctx, size_t n)
{
    counting *c = ctx;
    void *p;
    if (c->fail_after >= 0 && c->calls >= c->fail_after)
        return NULL;
    c->calls++;
    p = malloc(n);
    if (p)
        c->live++;
    return p;
}

static void *c_realloc(void *ctx, void *ptr, size_t n)
{
    counting *c = ctx;
    if (!ptr)
        return c_malloc(ctx, n);
    c->calls++;
    return realloc(ptr, n);
}

static void c_free(void *ctx, void *p)
{
    counting *c = ctx;
    if (p)
        c->live--;
    free(p);
}

static void test_arena(void **state)
{
    counting c = {0, 0, -1};
    asff_allocator a = {c_malloc, c_realloc, c_free, &c};
    asff_arena *ar;
    char *s;
    int i;
    (void)state;
    (void)asff_arena_new(&a, &ar, NULL);
    assert_non_null(ar);
    s = asff_arena_strdup(ar, "hello, world", 5);
    assert_string_equal(s, "hello");
    for (i = 0; i < 10000; i++) {
        unsigned char *p = asff_arena_alloc(ar, (size_t)(i % 97) + 1);
        assert_non_null(p);
        assert_int_equal(p[0], 0);
        assert_int_equal(((uintptr_t)p) % sizeof(void *), 0);
        memset(p, 0xAB, (size_t)(i % 97) + 1);
    }
    assert_true(asff_arena_used(ar) > 10000 * 1);
    assert_true(asff_arena_capacity(ar) >= asff_arena_used(ar));
    assert_true(c.live > 2);
    asff_arena_reset(ar);
    assert_int_equal(asff_arena_used(ar), 0);
    assert_int_equal(c.live, 2); /* the arena itself and the block it keeps */
    assert_non_null(asff_arena_alloc(ar, 1 << 20)); /* larger than any block so far */
    asff_arena_free(ar);
    assert_int_equal(c.live, 0);
    asff_arena_free(NULL);
}

/* asff__arena_rewind (parallel reading): memory allocated after a mark is handed out again, what
 * came before it is intact, and blocks between are given back. */
static void test_arena_rewind(void **state)
{
    counting c = {0, 0, -1};
    asff_allocator a = {c_malloc, c_realloc, c_free, &c};
    asff_arena *ar;
    asff_arena_mark m;
    char *keep, *p, *q;
    size_t used;
    long live;
    int i;
    (void)state;
    (void)asff_arena_new(&a, &ar, NULL);
    keep = asff_arena_strdup(ar, "kept", 4);
    used = asff_arena_used(ar);
    /* within one block: the same memory again */
    m = asff__arena_mark(ar);
    p = asff_arena_alloc(ar, 100);
    asff__arena_rewind(ar, m);
    assert_int_equal(asff_arena_used(ar), used);
    q = asff_arena_alloc(ar, 100);
    assert_ptr_equal(p, q);
    asff__arena_rewind(ar, m);
    /* over several blocks: the newest is kept, the ones between are freed */
    live = c.live;
    for (i = 0; i < 100; i++)
        assert_non_null(asff_arena_alloc(ar, 1000));
    assert_true(c.live >= live + 3);
    asff__arena_rewind(ar, m);
    assert_int_equal(c.live, live + 1);
    assert_int_equal(asff_arena_used(ar), used);
    assert_string_equal(keep, "kept");
    live = c.live;
    used = asff_arena_capacity(ar);
    assert_non_null(asff_arena_alloc(ar, 1000)); /* in the kept block: nothing new from the allocator */
    assert_non_null(asff_arena_alloc(ar, 1000));
    assert_int_equal(c.live, live);
    assert_int_equal(asff_arena_capacity(ar), used);
    m = asff__arena_mark(ar);
    for (i = 0; i < 1000; i++)
        assert_non_null(asff_arena_alloc(ar, 1000));
    asff__arena_rewind(ar, m);
    assert_string_equal(keep, "kept");
    assert_true(asff_arena_capacity(ar) >= asff_arena_used(ar));
    /* a mark taken before anything was allocated */
    asff_arena_free(ar);
    (void)asff_arena_new(&a, &ar, NULL);
    m = asff__arena_mark(ar);
    assert_non_null(asff_arena_alloc(ar, 5000));
    asff__arena_rewind(ar, m);
    assert_int_equal(asff_arena_used(ar), 0);
    assert_non_null(asff_arena_alloc(ar, 10));
    asff_arena_free(ar);
    assert_int_equal(c.live, 0);
}

static void test_arena_out_of_memory(void **state)
{
    counting c = {0, 0, 1};
    asff_allocator a = {c_malloc, c_realloc, c_free, &c};
    asff_arena *ar;
    (void)state;
    assert_int_equal(asff_arena_new(&a, &ar, NULL), ASFF_OK); /* the first call succeeds */
    assert_non_null(ar);
    assert_null(asff_arena_alloc(ar, 16)); /* the block allocation fails cleanly */
    assert_null(asff_arena_strdup(ar, "x", 1));
    assert_null(asff_arena_alloc(ar, SIZE_MAX - 2));
    asff_arena_free(ar);
    assert_int_equal(c.live, 0);
    c.calls = 0;
    c.fail_after = 0;
    assert_int_equal(asff_arena_new(&a, &ar, NULL), ASFF_ERR_NOMEM);
    assert_null(ar);
}

static void test_default_allocator(void **state)
{
    const asff_allocator *a = asff_default_allocator();
    void *p;
    (void)state;
    p = a->malloc(a->ctx, 10);
    assert_non_null(p);
    p = a->realloc(a->ctx, p, 100);
    assert_non_null(p);
    a->free(a->ctx, p);
    a->free(a->ctx, NULL);
}

static void test_timestamps(void **state)
{
    int64_t s = 0, ms = 0;
    int32_t ns = -1;
    char buf[25];
    (void)state;
    assert_int_equal(asff_timestamp_parse("2024-01-02T03:04:05.123456789Z", 30, &s, &ns), ASFF_OK);
    assert_int_equal(s, 1704164645);
    assert_int_equal(ns, 123456789);
    assert_int_equal(asff_timestamp_parse("2024-01-02T03:04:05Z", 20, &s, &ns), ASFF_OK);
    assert_int_equal(ns, 0);
    assert_int_equal(asff_timestamp_parse("2024-01-02T04:04:05+01:00", 25, &s, &ns), ASFF_OK);
    assert_int_equal(s, 1704164645);
    assert_int_equal(asff_timestamp_parse("2024-01-01T22:04:05-0500", 24, &s, &ns), ASFF_OK);
    assert_int_equal(s, 1704164645);
    assert_int_equal(asff_timestamp_parse("2024-01-02T03:04:05.1234567891Z", 31, &s, &ns), ASFF_ERR_SYNTAX);
    assert_int_equal(asff_timestamp_parse("2024-01-02 03:04:05Z", 20, &s, &ns), ASFF_ERR_SYNTAX);
    assert_int_equal(asff_timestamp_parse("2024-01-02T03:04:05.Z", 21, &s, &ns), ASFF_ERR_SYNTAX);
    assert_int_equal(asff_timestamp_parse("2023-02-29T00:00:00Z", 20, &s, &ns), ASFF_ERR_RANGE);
    assert_int_equal(asff_timestamp_parse("2024-02-29T23:59:60Z", 20, &s, &ns), ASFF_OK); /* leap second */
    assert_int_equal(asff_timestamp_parse("2024-02-29T23:58:60Z", 20, &s, &ns), ASFF_ERR_RANGE);
    assert_int_equal(asff_timestamp_parse("2024-01-02T03:04:05+19:00", 25, &s, &ns), ASFF_ERR_RANGE);
    assert_int_equal(asff_timestamp_parse(NULL, 0, &s, &ns), ASFF_ERR_SYNTAX);
    /* milliseconds: half up on the fourth digit */
    assert_int_equal(asff_timestamp_to_ms("2024-01-02T03:04:05.1234Z", 25, &ms), ASFF_OK);
    assert_int_equal(ms, 1704164645123);
    assert_int_equal(asff_timestamp_to_ms("2024-01-02T03:04:05.9995Z", 25, &ms), ASFF_OK);
    assert_int_equal(ms, 1704164646000);
    assert_int_equal(asff_timestamp_from_ms(ms, buf), ASFF_OK);
    assert_string_equal(buf, "2024-01-02T03:04:06.000Z");
}

/* ---- the JSON reader of lib/core (json.h) ---------------------------------------------------------- */

static asff_status jparse(const char *text, size_t len, yajl_val *v, asff_error *e)
{
    asff_error_clear(e);
    return asff__json_parse(text, len, NULL, NULL, v, e);
}

static void test_json_values(void **state)
{
    const char *t = "{\"a\":[1,-2.5,\"x\\u00e9\",true,false,null,{}],\"big\":123456789012345678901234,\"e\":\"\"}";
    yajl_val v = NULL, x;
    asff_error e;
    const char *pa[] = {"a", NULL}, *pb[] = {"big", NULL};
    (void)state;
    assert_int_equal(jparse(t, strlen(t), &v, &e), ASFF_OK);
    assert_true(YAJL_IS_OBJECT(v));
    assert_int_equal(v->u.object.len, 3);
    x = yajl_tree_get(v, pa, yajl_t_array);
    assert_non_null(x);
    assert_int_equal(x->u.array.len, 7);
    assert_true(YAJL_IS_INTEGER(x->u.array.values[0]));
    assert_int_equal(YAJL_GET_INTEGER(x->u.array.values[0]), 1);
    assert_true(YAJL_IS_DOUBLE(x->u.array.values[1]));
    assert_true(YAJL_GET_DOUBLE(x->u.array.values[1]) == -2.5);
    assert_string_equal(YAJL_GET_STRING(x->u.array.values[2]), "x\xc3\xa9");
    assert_true(YAJL_IS_TRUE(x->u.array.values[3]));
    assert_true(YAJL_IS_FALSE(x->u.array.values[4]));
    assert_true(YAJL_IS_NULL(x->u.array.values[5]));
    assert_int_equal(x->u.array.values[6]->u.object.len, 0);
    x = yajl_tree_get(v, pb, yajl_t_number);
    assert_false(YAJL_IS_INTEGER(x)); /* beyond int64: the text is kept */
    assert_string_equal(YAJL_GET_NUMBER(x), "123456789012345678901234");
    asff__json_free(v, NULL);
    asff__json_free(NULL, NULL);
}

typedef struct jcase {
    const char *text;
    size_t len;         /* 0: strlen */
    asff_status code;
    const char *path;   /* expected JSON Pointer, NULL: not checked */
    uint64_t offset;    /* expected offset, (uint64_t)-1: not checked */
} jcase;

static void test_json_errors(void **state)
{
    static const jcase cases[] = {
        {"", 0, ASFF_ERR_TRUNCATED, "", (uint64_t)-1},
        {"   ", 0, ASFF_ERR_TRUNCATED, "", (uint64_t)-1},
        {"{\"a\":[1,2", 0, ASFF_ERR_TRUNCATED, "/a/2", (uint64_t)-1},
        {"{\"a\":1}x", 0, ASFF_ERR_SYNTAX, "", (uint64_t)-1},
        {"{\"a\":1}{}", 0, ASFF_ERR_SYNTAX, "", (uint64_t)-1},
        {"{\"a\":\"\xc0\xaf\"}", 0, ASFF_ERR_UTF8, NULL, 6},          /* overlong '/' */
        {"{\"a\":\"\xed\xa0\x80\"}", 0, ASFF_ERR_UTF8, NULL, 6},      /* encoded surrogate */
        {"{\"a\":\"\xf4\x90\x80\x80\"}", 0, ASFF_ERR_UTF8, NULL, 6},  /* above U+10FFFF */
        {"{\"a\":\"\xe2\x82\"}", 0, ASFF_ERR_UTF8, NULL, 6},          /* cut sequence */
        {"{\"a\":\"\\ud800\"}", 0, ASFF_ERR_UTF8, NULL, 6},           /* lone high surrogate */
        {"{\"a\":\"\\udc00x\"}", 0, ASFF_ERR_UTF8, NULL, 6},          /* lone low surrogate */
        {"{\"a\":\"\\\\ud800\"}", 0, ASFF_OK, NULL, (uint64_t)-1},    /* an escaped backslash, no escape */
        {"{\"a\":\"\\ud83d\\ude00\"}", 0, ASFF_OK, NULL, (uint64_t)-1},
        {"{\"a\":[0,\"x\\u0000y\"]}", 0, ASFF_ERR_SYNTAX, "/a/1", (uint64_t)-1},
        {"{\"k\\u0000\":1}", 0, ASFF_ERR_SYNTAX, "", (uint64_t)-1},
        {"{\"a\":1,\"b\":{\"c\":1,\"c\":2}}", 0, ASFF_ERR_DUPLICATE, "/b/c", (uint64_t)-1},
        {"{\"a/b~\":{\"x\":tru}}", 0, ASFF_ERR_SYNTAX, "/a~1b~0/x", (uint64_t)-1},
        {"[1,2,]", 0, ASFF_ERR_SYNTAX, NULL, (uint64_t)-1},
        {"{\"a\":01}", 0, ASFF_ERR_SYNTAX, NULL, (uint64_t)-1},
        {"\"a\x01\"", 0, ASFF_ERR_SYNTAX, NULL, (uint64_t)-1},
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const jcase *c = &cases[i];
        yajl_val v = (yajl_val)1;
        asff_error e;
        asff_status st = jparse(c->text, c->len ? c->len : strlen(c->text), &v, &e);
        if (st != c->code)
            print_error("case %zu (%s): status %d, expected %d (%s)\n", i, c->text, st, c->code, e.message);
        assert_int_equal(st, c->code);
        if (st != ASFF_OK) {
            assert_null(v);
            assert_int_equal(e.code, c->code);
            assert_true(e.message[0] != 0);
            assert_null(strchr(e.message, '\n'));
            assert_true(e.line >= 1);
            if (c->path)
                assert_string_equal(e.path, c->path);
            if (c->offset != (uint64_t)-1)
                assert_int_equal(e.offset, c->offset);
        }
        asff__json_free(st == ASFF_OK ? v : NULL, NULL);
    }
}

/* 10^6 levels: a clean limit error, no recursion, no stack overflow. */
static void test_json_deep(void **state)
{
    size_t n = 1000000;
    char *t = malloc(2 * n + 1);
    yajl_val v;
    asff_error e;
    asff__json_limits lim = {0, 0};
    (void)state;
    assert_non_null(t);
    memset(t, '[', n);
    memset(t + n, ']', n);
    assert_int_equal(jparse(t, 2 * n, &v, &e), ASFF_ERR_LIMIT);
    assert_int_equal(e.offset, ASFF__JSON_DEPTH);
    for (size_t i = 0; i + 5 <= 2 * n; i += 5)
        memcpy(t + i, "{\"a\":", 5);
    assert_int_equal(jparse(t, 2 * n - (2 * n) % 5, &v, &e), ASFF_ERR_LIMIT);
    assert_true(strncmp(e.path, "/a/a/a/a", 8) == 0);
    /* a raised limit reads deep documents without recursion */
    memset(t, '[', n);
    memset(t + n, ']', n);
    lim.max_depth = n;
    assert_int_equal(asff__json_parse(t, 2 * n, &lim, NULL, &v, &e), ASFF_OK);
    asff__json_free(v, NULL);
    lim.max_bytes = 10;
    assert_int_equal(asff__json_parse(t, 2 * n, &lim, NULL, &v, &e), ASFF_ERR_LIMIT);
    free(t);
}

static asff_status json_chaos_run(const asff_allocator *alloc, void *ctx)
{
    const char *t = ctx;
    yajl_val v;
    asff_error e;
    asff_status st = asff__json_parse(t, strlen(t), NULL, alloc, &v, &e);
    if (st == ASFF_OK)
        asff__json_free(v, alloc);
    return st;
}

static void test_json_allocation_chaos(void **state)
{
    char big[4096];
    size_t n = 0;
    (void)state;
    n += (size_t)snprintf(big + n, sizeof big - n, "{\"list\":[");
    for (int i = 0; i < 60; i++)
        n += (size_t)snprintf(big + n, sizeof big - n, "%s{\"k%d\":\"v%d\",\"n\":%d}", i ? "," : "", i, i, i);
    snprintf(big + n, sizeof big - n, "],\"z\":{\"a\":[[[[1]]]]}}");
    assert_true(test_alloc_chaos(json_chaos_run, big) > 5);
}

/* The display-escaping rule (lib/core/text.c, docs/cli.md). */
static void test_text_escape(void **state)
{
    static const struct {
        const char *in;
        size_t len;
        const char *out;
    } cases[] = {
        {"plain ASCII, a \\ backslash", sizeof "plain ASCII, a \\ backslash" - 1, "plain ASCII, a \\ backslash"},
        {"a\nb\rc\td", sizeof "a\nb\rc\td" - 1, "a\\nb\\rc\\td"},
        {"\x1b[31mred", sizeof "\x1b[31mred" - 1, "\\x1b[31mred"},
        {"nul\0x\x7f", sizeof "nul\0x\x7f" - 1, "nul\\x00x\\x7f"},
        {"c1 \xc2\x9b\xc2\x85", sizeof "c1 \xc2\x9b\xc2\x85" - 1, "c1 \\u009b\\u0085"},
        {"bidi \xe2\x80\xae\xe2\x81\xa6\xe2\x80\x8f", sizeof "bidi \xe2\x80\xae\xe2\x81\xa6\xe2\x80\x8f" - 1, "bidi \\u202e\\u2066\\u200f"},
        {"sep \xe2\x80\xa8", sizeof "sep \xe2\x80\xa8" - 1, "sep \\u2028"},
        {"\xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", sizeof "\xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80" - 1, "\xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"},
        {"bad \xff\xc0\xaf", sizeof "bad \xff\xc0\xaf" - 1, "bad \\xff\\xc0\\xaf"},
        {"surrogate \xed\xa0\x80", sizeof "surrogate \xed\xa0\x80" - 1, "surrogate \\xed\\xa0\\x80"},
        {"too high \xf4\x90\x80\x80", sizeof "too high \xf4\x90\x80\x80" - 1, "too high \\xf4\\x90\\x80\\x80"},
        {"cut \xe2\x82", sizeof "cut \xe2\x82" - 1, "cut \\xe2\\x82"},
    };
    char out[128];
    size_t i;
    (void)state;
    for (i = 0; i < sizeof cases / sizeof *cases; i++) {
        size_t n = asff__text_escape(out, sizeof out, cases[i].in, cases[i].len);
        assert_string_equal(out, cases[i].out);
        assert_int_equal(n, strlen(cases[i].out));
        assert_true(asff__text_is_clean(out, n));
    }
    assert_false(asff__text_is_clean("a\x1b", 2));
    assert_false(asff__text_is_clean("\xe2\x80\xae", 3));
}

static void test_text_bound(void **state)
{
    char out[16], big[4096];
    size_t n;
    (void)state;
    /* fits exactly: no ellipsis */
    n = asff__text_escape(out, sizeof out, "123456789012345", 15);
    assert_string_equal(out, "123456789012345");
    assert_int_equal(n, 15);
    /* one more: cut with "..." within size - 1 */
    n = asff__text_escape(out, sizeof out, "1234567890123456", 16);
    assert_string_equal(out, "123456789012...");
    assert_int_equal(n, 15);
    /* an escape is never split, nor a character */
    asff__text_escape(out, sizeof out, "123456789012\x1b", 13);
    assert_string_equal(out, "123456789012...");
    asff__text_escape(out, sizeof out, "123456789\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac", 18);
    assert_string_equal(out, "123456789\xe2\x82\xac...");
    asff__text_escape(out, sizeof out, "1234567890\xe2\x82\xac\xe2\x82\xac", 16);
    assert_string_equal(out, "1234567890...");
    /* tiny buffers */
    assert_int_equal(asff__text_escape(out, 1, "abc", 3), 0);
    assert_string_equal(out, "");
    asff__text_escape(out, 3, "abc", 3);
    assert_string_equal(out, "ab");
    /* a megabyte of escapes costs the bound, not the input */
    memset(big, 0x1b, sizeof big);
    n = asff__text_escape(out, sizeof out, big, sizeof big);
    assert_string_equal(out, "\\x1b\\x1b\\x1b...");
    assert_int_equal(n, 15);
}

static void test_error_message_escaped(void **state)
{
    asff_error e;
    (void)state;
    asff_error_clear(&e);
    asff_error_set(&e, ASFF_ERR_SYNTAX, "Id \"evil\nasff: fake\x1b[31m\xe2\x80\xae\"");
    assert_string_equal(e.message, "Id \"evil\\nasff: fake\\x1b[31m\\u202e\"");
    assert_int_equal(e.code, ASFF_ERR_SYNTAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_version),
        cmocka_unit_test(test_status_names),
        cmocka_unit_test(test_error),
        cmocka_unit_test(test_arena),
        cmocka_unit_test(test_arena_rewind),
        cmocka_unit_test(test_arena_out_of_memory),
        cmocka_unit_test(test_default_allocator),
        cmocka_unit_test(test_timestamps),
        cmocka_unit_test(test_json_values),
        cmocka_unit_test(test_json_errors),
        cmocka_unit_test(test_json_deep),
        cmocka_unit_test(test_json_allocation_chaos),
        cmocka_unit_test(test_text_escape),
        cmocka_unit_test(test_text_bound),
        cmocka_unit_test(test_error_message_escaped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
