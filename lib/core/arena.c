/* Arenas: findings are many small allocations that die together, so bump-allocate in blocks. */
#include <stdalign.h>
#include <stdint.h>
#include <string.h>
#include "internal.h"

typedef struct block {
    struct block *next;
    size_t size;   /* usable bytes after the header */
    size_t used;
    max_align_t data[];
} block;

struct asff_arena {
    const asff_allocator *alloc;
    block *head;      /* current block, newest first */
    size_t used;      /* bytes handed out since reset */
    size_t capacity;  /* bytes held in blocks */
};

#define ARENA_FIRST_BLOCK 4096u
#define ALIGN (alignof(max_align_t))

asff_arena *asff_arena_new(const asff_allocator *alloc)
{
    asff_arena *a;
    alloc = asff_alloc_or_default(alloc);
    a = asff_malloc(alloc, sizeof *a);
    if (!a)
        return NULL;
    a->alloc = alloc;
    a->head = NULL;
    a->used = a->capacity = 0;
    return a;
}

static void free_blocks(asff_arena *a, block *b)
{
    while (b) {
        block *next = b->next;
        a->capacity -= b->size;
        asff_free(a->alloc, b);
        b = next;
    }
}

void asff_arena_free(asff_arena *a)
{
    if (!a)
        return;
    free_blocks(a, a->head);
    asff_free(a->alloc, a);
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

/* size bytes, not zeroed. */
static void *bump(asff_arena *a, size_t size)
{
    block *b = a->head;
    size_t rounded;
    void *p;
    if (size > SIZE_MAX - ALIGN)
        return NULL;
    rounded = (size + ALIGN - 1) & ~(size_t)(ALIGN - 1);
    if (rounded == 0)
        rounded = ALIGN;
    if (!b || b->size - b->used < rounded) {
        size_t bsize = b ? b->size * 2 : ARENA_FIRST_BLOCK;
        if (bsize < rounded)
            bsize = rounded;
        if (bsize > SIZE_MAX - sizeof(block))
            return NULL;
        b = asff_malloc(a->alloc, sizeof(block) + bsize);
        if (!b)
            return NULL;
        b->next = a->head;
        b->size = bsize;
        b->used = 0;
        a->head = b;
        a->capacity += bsize;
    }
    p = (char *)b->data + b->used;
    b->used += rounded;
    a->used += rounded;
    return p;
}

void *asff_arena_alloc(asff_arena *a, size_t size)
{
    void *p = bump(a, size);
    if (p)
        memset(p, 0, size);
    return p;
}

char *asff_arena_strdup(asff_arena *a, const char *s, size_t len)
{
    char *p;
    if (len == SIZE_MAX)
        return NULL;
    p = bump(a, len + 1);
    if (!p)
        return NULL;
    if (len)
        memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

size_t asff_arena_used(const asff_arena *a)
{
    return a ? a->used : 0;
}

size_t asff_arena_capacity(const asff_arena *a)
{
    return a ? a->capacity : 0;
}

const asff_allocator *asff_arena_allocator(const asff_arena *a)
{
    return a ? a->alloc : asff_default_allocator();
}
