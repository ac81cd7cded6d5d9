/* Tests of lib/core: statuses, errors, allocators, arenas, versions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "asff/core.h"

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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
