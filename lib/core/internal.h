/* Internal helpers shared by the modules of libasff; not installed. */
#ifndef ASFF_CORE_INTERNAL_H
#define ASFF_CORE_INTERNAL_H

#include <stdarg.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "asff/core.h"

#if defined(__GNUC__) || defined(__clang__)
#define ASFF_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define ASFF_PRINTF(f, a)
#endif

/* Copy src into dst[size], truncating, always NUL-terminated (size > 0). */
void asff__copy_string(char *dst, size_t size, const char *src);
/* asff_object.order's capacity is implied by norder: ASFF_ORDER_FIRST slots at the first note,
 * doubled whenever norder reaches a power of two from there on (asff_object_note_order grows it;
 * the parser allocates the first slots with each object and appends inline). */
#define ASFF_ORDER_FIRST 8u

/* strtod and snprintf("%.*g") in the "C" locale: JSON's '.' whatever LC_NUMERIC says (cnum.c). */
double asff__c_strtod(const char *s, char **end);
int asff__c_format_g(char *buf, size_t size, int precision, double v);
/* asff_timestamp_parse's verdict (OK, SYNTAX or RANGE) without computing the instant. */
asff_status asff__timestamp_check(const char *text, size_t len);
/* asff_error_set with a printf-style message. Returns code. */
asff_status asff__error_setf(asff_error *err, asff_status code, const char *fmt, ...) ASFF_PRINTF(3, 4);

/* A 64-bit hash of data[n] for the lookup tables (insight groups, a batch's duplicate ids, the
 * importer's ids, OCSF's unmapped names): 8 bytes a step where byte-at-a-time FNV-1a spent a
 * multiply on every byte of an ARN. Chain two with the first as the second's seed. */
static inline uint64_t asff__hash_bytes(const void *data, size_t n, uint64_t seed)
{
    const uint64_t k = 0x9E3779B97F4A7C15ull;
    const unsigned char *p = data;
    uint64_t h = seed ^ ((uint64_t)n * k), w;
    for (; n >= 8; p += 8, n -= 8) {
        memcpy(&w, p, 8);
        h = (h ^ w) * k;
        h ^= h >> 29;
    }
    if (n) {
        w = 0;
        memcpy(&w, p, n);
        h = (h ^ w) * k;
        h ^= h >> 29;
    }
    h ^= h >> 32; /* the low bits pick the slot: every input bit reaches them */
    h *= 0xD6E8FEB86659FD93ull;
    return h ^ (h >> 32);
}

/* The allocator to use: a or the libc one. */
const asff_allocator *asff__alloc_or_default(const asff_allocator *a);
void *asff__malloc(const asff_allocator *a, size_t size);
void *asff__realloc(const asff_allocator *a, void *ptr, size_t size);
void asff__free(const asff_allocator *a, void *ptr);
/* A NUL-terminated copy of s[len] that the caller frees with asff_free_string (it remembers a). */
char *asff__string_dup(const asff_allocator *a, const char *s, size_t len);

/* The allocator an arena takes its blocks from. */
const asff_allocator *asff__arena_allocator(const asff_arena *arena);

/* The arena's layout, here so that the parser's allocations (one or two per JSON value) take the
 * inline fast paths below instead of a call. */
struct asff_arena_block {
    struct asff_arena_block *next;
    size_t size;   /* usable bytes after the header */
    size_t used;
    max_align_t data[];
};
struct asff_arena {
    const asff_allocator *alloc;
    struct asff_arena_block *head;  /* current block, newest first */
    size_t used;                    /* bytes handed out since reset */
    size_t capacity;                /* bytes held in blocks */
    void *raw;                      /* what was allocated: the arena sits on a cache line of its own */
};
/* asff_arena_bump when the current block has no room (arena.c). */
void *asff__arena_bump_slow(asff_arena *a, size_t size, size_t align);

static inline void *asff_arena_bump(asff_arena *a, size_t size, size_t align)
{
    struct asff_arena_block *b = a->head;
    if (b) {
        size_t at = (b->used + align - 1) & ~(align - 1);
        if (at <= b->size && b->size - at >= size) {
            b->used = at + size;
            a->used += size;
            return (char *)b->data + at;
        }
    }
    return asff__arena_bump_slow(a, size, align);
}

/* A place in an arena to go back to: what was allocated after it is forgotten by
 * asff__arena_rewind, and the memory is handed out again (parallel reading gives a finding's memory
 * back as soon as it is known not to be wanted, so the next finding is built in memory still in
 * cache). */
typedef struct asff_arena_mark {
    struct asff_arena_block *block;
    size_t block_used, used;
} asff_arena_mark;

static inline asff_arena_mark asff__arena_mark(const asff_arena *a)
{
    asff_arena_mark m;
    m.block = a->head;
    m.block_used = a->head ? a->head->used : 0;
    m.used = a->used;
    return m;
}
/* Forget what was allocated in a since m was taken; a block that came after m is kept for reuse
 * (the newest, the largest), any others between are freed. */
void asff__arena_rewind(asff_arena *a, asff_arena_mark m);

/* asff_arena_alloc: zeroed, aligned for any type. */
static inline void *asff_arena_alloc_fast(asff_arena *a, size_t size)
{
    void *p = a ? asff_arena_bump(a, size ? size : 1, alignof(max_align_t)) : NULL;
    if (p)
        memset(p, 0, size);
    return p;
}

/* asff_arena_strdup: strings need no alignment, so they pack tightly. */
static inline char *asff_arena_strdup_fast(asff_arena *a, const char *s, size_t len)
{
    char *p = a && len < SIZE_MAX / 2 ? asff_arena_bump(a, len + 1, 1) : NULL;
    if (p) {
        if (len)
            memcpy(p, s, len);
        p[len] = '\0';
    }
    return p;
}

/* Growable byte buffer on an allocator; data is NUL-terminated after every append. */
typedef struct asff_buf {
    char *data;
    size_t len;
    size_t cap;
    const asff_allocator *alloc;
} asff_buf;

void asff__buf_init(asff_buf *b, const asff_allocator *alloc);
asff_status asff__buf_reserve(asff_buf *b, size_t extra);
asff_status asff__buf_append(asff_buf *b, const void *data, size_t len);
asff_status asff__buf_appendf(asff_buf *b, const char *fmt, ...) ASFF_PRINTF(2, 3);
asff_status asff__buf_putc(asff_buf *b, char c);
void asff__buf_reset(asff_buf *b);
void asff__buf_cleanup(asff_buf *b);

/* Append a JSON Pointer reference token (RFC 6901 escaping of ~ and /) for name[len] to b. */
asff_status asff__buf_pointer_token(asff_buf *b, const char *name, size_t len);

#endif
