/* Arenas: findings are many small allocations that die together, so bump-allocate in blocks. */
#include <stdalign.h>
#include <stdint.h>
#include <string.h>
#include "internal.h"

typedef struct asff_arena_block block;  /* the layout is in internal.h, for the inline fast paths */

#define ARENA_FIRST_BLOCK 4096u
#define ARENA_LINE 64u /* a cache line */
_Static_assert(sizeof(asff_arena) <= ARENA_LINE, "an arena fits on one cache line");

asff_status asff_arena_new(const asff_allocator *alloc, asff_arena **out, asff_error *err)
{
    asff_arena *a;
    char *raw;
    if (!out)
        return asff_error_set(err, ASFF_ERR_INVALID_ARG, "asff_arena_new: out is NULL");
    alloc = asff__alloc_or_default(alloc);
    /* Alone on its cache line: arenas are made side by side and then written (at every allocation)
     * by different threads, which would otherwise stall each other (docs/performance.md). */
    *out = a = NULL;
    raw = asff__malloc(alloc, 2 * ARENA_LINE - 1);
    if (!raw)
        return asff_error_set(err, ASFF_ERR_NOMEM, NULL);
    *out = a = (asff_arena *)(void *)(raw + (ARENA_LINE - (uintptr_t)raw % ARENA_LINE) % ARENA_LINE);
    a->raw = raw;
    a->alloc = alloc;
    a->head = NULL;
    a->used = a->capacity = 0;
    return ASFF_OK;
}

static void free_blocks(asff_arena *a, block *b)
{
    while (b) {
        block *next = b->next;
        a->capacity -= b->size;
        asff__free(a->alloc, b);
        b = next;
    }
}

void asff_arena_free(asff_arena *a)
{
    if (!a)
        return;
    free_blocks(a, a->head);
    asff__free(a->alloc, a->raw);
}

void asff_arena_reset(asff_arena *a)
{
    block *keep;
    if (!a || !a->head)
        return;
    /* Keep the largest block: the oldest ones are smallest, the newest largest. */
    keep = a->head;
    free_blocks(a, keep->next);
    keep->next = NULL;
    keep->used = 0;
    a->used = 0;
}

/* asff_arena_bump found no room in the current block: a new block, twice as large, for size bytes
 * (its data is aligned for any type, so align is met at its start). */
void *asff__arena_bump_slow(asff_arena *a, size_t size, size_t align)
{
    block *b;
    size_t bsize;
    (void)align;
    if (size > SIZE_MAX / 2 - sizeof(block))
        return NULL;
    bsize = a->head ? a->head->size * 2 : ARENA_FIRST_BLOCK;
    if (bsize < size)
        bsize = size;
    b = asff__malloc(a->alloc, sizeof(block) + bsize);
    if (!b)
        return NULL;
    b->next = a->head;
    b->size = bsize;
    b->used = size;
    a->head = b;
    a->capacity += bsize;
    a->used += size;
    return b->data;
}

void asff__arena_rewind(asff_arena *a, asff_arena_mark m)
{
    block *b = a->head;
    if (b != m.block) {
        /* blocks came after the mark: keep the newest one, empty, in front of the mark's block
         * (whose free tail is left unused) */
        block *mid = b->next;
        while (mid != m.block) {
            block *next = mid->next;
            a->capacity -= mid->size;
            asff__free(a->alloc, mid);
            mid = next;
        }
        b->next = m.block;
        b->used = 0;
    } else if (b) {
        b->used = m.block_used;
    }
    a->used = m.used;
}

void *asff_arena_alloc(asff_arena *a, size_t size)
{
    return asff_arena_alloc_fast(a, size);
}

char *asff_arena_strdup(asff_arena *a, const char *s, size_t len)
{
    return asff_arena_strdup_fast(a, s, len);
}

size_t asff_arena_used(const asff_arena *a)
{
    return a ? a->used : 0;
}

size_t asff_arena_capacity(const asff_arena *a)
{
    return a ? a->capacity : 0;
}

const asff_allocator *asff__arena_allocator(const asff_arena *a)
{
    return a ? a->alloc : asff_default_allocator();
}
