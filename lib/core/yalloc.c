/* The allocator bridge between asff_allocator and yajl (see json.h): every yajl handle of the library takes its allocations through it. */
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>
#include "json.h"

/* Each block starts with a header that says where it came from and how big it is. */
typedef union yhdr {
    struct {
        size_t size;
        bool from_libc;
    } h;
    max_align_t align;
} yhdr;

static void *y_malloc(void *ctx, size_t sz)
{
    asff_yalloc *ya = ctx;
    yhdr *b;
    if (sz > SIZE_MAX - sizeof(yhdr))
        sz = SIZE_MAX - sizeof(yhdr);
    b = asff__malloc(ya->alloc, sizeof(yhdr) + sz);
    if (b) {
        b->h.from_libc = false;
    } else {
        ya->failed = true;
        b = malloc(sizeof(yhdr) + sz);
        if (!b)
            return NULL; /* nothing is left to try */
        b->h.from_libc = true;
    }
    b->h.size = sz;
    return b + 1;
}

static void y_free(void *ctx, void *ptr)
{
    asff_yalloc *ya = ctx;
    yhdr *b;
    if (!ptr)
        return;
    b = (yhdr *)ptr - 1;
    if (b->h.from_libc)
        free(b);
    else
        asff__free(ya->alloc, b);
}

static void *y_realloc(void *ctx, void *ptr, size_t sz)
{
    asff_yalloc *ya = ctx;
    yhdr *b, *nb;
    void *np;
    if (!ptr)
        return y_malloc(ctx, sz);
    b = (yhdr *)ptr - 1;
    if (!b->h.from_libc && sz <= SIZE_MAX - sizeof(yhdr)) {
        nb = asff__realloc(ya->alloc, b, sizeof(yhdr) + sz);
        if (nb) {
            nb->h.size = sz;
            return nb + 1;
        }
    }
    np = y_malloc(ctx, sz);
    if (!np)
        return NULL;
    memcpy(np, ptr, b->h.size < sz ? b->h.size : sz);
    y_free(ctx, ptr);
    return np;
}

void asff__yalloc_init(asff_yalloc *ya, const asff_allocator *alloc)
{
    ya->alloc = asff__alloc_or_default(alloc);
    ya->failed = false;
    ya->funcs.malloc = y_malloc;
    ya->funcs.realloc = y_realloc;
    ya->funcs.free = y_free;
    ya->funcs.ctx = ya;
}

yajl_gen asff__ygen_alloc(asff_yalloc *ya, const asff_allocator *alloc)
{
    asff__yalloc_init(ya, alloc);
    return yajl_gen_alloc(&ya->funcs);
}
