/* Helpers shared by the cmocka tests: a counting allocator that can fail the Nth allocation, and the
 * loop that runs an entry point with every N failing in turn (allocation chaos). Header-only. */
#ifndef ASFF_TESTS_SUPPORT_H
#define ASFF_TESTS_SUPPORT_H

#include <stdlib.h>
#include "asff/core.h"

typedef struct test_alloc {
    long live;       /* blocks held */
    long calls;      /* successful malloc/realloc calls */
    long fail_at;    /* the call (counted from 0) that fails, and every later one; -1: none */
    asff_allocator a;
} test_alloc;

static inline void *test_alloc_malloc(void *ctx, size_t n)
{
    test_alloc *t = ctx;
    void *p;
    if (t->fail_at >= 0 && t->calls >= t->fail_at)
        return NULL;
    p = malloc(n ? n : 1);
    if (p) {
        t->calls++;
        t->live++;
    }
    return p;
}

static inline void *test_alloc_realloc(void *ctx, void *ptr, size_t n)
{
    test_alloc *t = ctx;
    void *p;
    if (!ptr)
        return test_alloc_malloc(ctx, n);
    if (t->fail_at >= 0 && t->calls >= t->fail_at)
        return NULL;
    p = realloc(ptr, n ? n : 1);
    if (p)
        t->calls++;
    return p;
}

static inline void test_alloc_free(void *ctx, void *p)
{
    test_alloc *t = ctx;
    if (p)
        t->live--;
    free(p);
}

/* A counting allocator that fails from call fail_at on (-1: never). */
static inline const asff_allocator *test_alloc_init(test_alloc *t, long fail_at)
{
    t->live = 0;
    t->calls = 0;
    t->fail_at = fail_at;
    t->a.malloc = test_alloc_malloc;
    t->a.realloc = test_alloc_realloc;
    t->a.free = test_alloc_free;
    t->a.ctx = t;
    return &t->a;
}

/*
 * Allocation chaos: run(alloc, ctx) with allocation N failing, for N = 0, 1, 2, ... until a run
 * succeeds without reaching N. Every failing run must return ASFF_ERR_NOMEM and leave nothing
 * allocated; the last run must succeed. Returns the number of allocations the successful run made.
 */
typedef asff_status (*test_alloc_run_fn)(const asff_allocator *alloc, void *ctx);
static inline long test_alloc_chaos(test_alloc_run_fn run, void *ctx)
{
    for (long n = 0;; n++) {
        test_alloc t;
        asff_status st = run(test_alloc_init(&t, n), ctx);
        if (t.live != 0) {
            print_error("allocation %ld failing: %ld blocks leaked (status %d)\n", n, t.live, st);
            fail();
        }
        if (t.calls < n || st == ASFF_OK) {
            if (st != ASFF_OK) {
                print_error("allocation %ld failing: the run ended in %d without reaching it\n", n, st);
                fail();
            }
            return t.calls;
        }
        if (st != ASFF_ERR_NOMEM) {
            print_error("allocation %ld failing: status %d, expected ASFF_ERR_NOMEM\n", n, st);
            fail();
        }
    }
}

#endif
