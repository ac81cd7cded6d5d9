/* Tests of lib/core: statuses, errors, allocators, arenas, versions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "asff/core.h"
#include "core/text.h"

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
    ar = asff_arena_new(&a);
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

static void test_arena_out_of_memory(void **state)
{
    counting c = {0, 0, 1};
    asff_allocator a = {c_malloc, c_realloc, c_free, &c};
    asff_arena *ar;
    (void)state;
    ar = asff_arena_new(&a); /* the first call succeeds */
    assert_non_null(ar);
    assert_null(asff_arena_alloc(ar, 16)); /* the block allocation fails cleanly */
    assert_null(asff_arena_strdup(ar, "x", 1));
    assert_null(asff_arena_alloc(ar, SIZE_MAX - 2));
    asff_arena_free(ar);
    assert_int_equal(c.live, 0);
    c.calls = 0;
    c.fail_after = 0;
    assert_null(asff_arena_new(&a));
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
        cmocka_unit_test(test_arena_out_of_memory),
        cmocka_unit_test(test_default_allocator),
        cmocka_unit_test(test_timestamps),
        cmocka_unit_test(test_text_escape),
        cmocka_unit_test(test_text_bound),
        cmocka_unit_test(test_error_message_escaped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
