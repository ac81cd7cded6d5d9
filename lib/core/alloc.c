/* The default allocator, the error formatter and a small growable buffer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"
#include "text.h"

static void *libc_malloc(void *ctx, size_t size)
{
    (void)ctx;
    return malloc(size ? size : 1);
}

static void *libc_realloc(void *ctx, void *ptr, size_t size)
{
    (void)ctx;
    return realloc(ptr, size ? size : 1);
}

static void libc_free(void *ctx, void *ptr)
{
    (void)ctx;
    free(ptr);
}

static const asff_allocator libc_allocator = {libc_malloc, libc_realloc, libc_free, NULL};

const asff_allocator *asff_default_allocator(void)
{
    return &libc_allocator;
}

const asff_allocator *asff__alloc_or_default(const asff_allocator *a)
{
    return a ? a : &libc_allocator;
}

void *asff__malloc(const asff_allocator *a, size_t size)
{
    a = asff__alloc_or_default(a);
    return a->malloc(a->ctx, size);
}

void *asff__realloc(const asff_allocator *a, void *ptr, size_t size)
{
    a = asff__alloc_or_default(a);
    return a->realloc(a->ctx, ptr, size);
}

void asff__free(const asff_allocator *a, void *ptr)
{
    if (!ptr)
        return;
    a = asff__alloc_or_default(a);
    a->free(a->ctx, ptr);
}

/* A string handed to a caller: the allocator it came from sits in front of it, so asff_free_string
 * needs no handle. */
typedef union string_head {
    const asff_allocator *alloc;
    max_align_t align;
} string_head;

char *asff__string_dup(const asff_allocator *a, const char *s, size_t len)
{
    string_head *h;
    char *p;
    a = asff__alloc_or_default(a);
    if (len > SIZE_MAX - sizeof *h - 1)
        return NULL;
    h = asff__malloc(a, sizeof *h + len + 1);
    if (!h)
        return NULL;
    h->alloc = a;
    p = (char *)(h + 1);
    if (len)
        memcpy(p, s, len);
    p[len] = 0;
    return p;
}

void asff_free_string(char *s)
{
    string_head *h;
    if (!s)
        return;
    h = (string_head *)(void *)s - 1;
    asff__free(h->alloc, h);
}

asff_status asff__error_setf(asff_error *err, asff_status code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        err->code = code;
        va_start(ap, fmt);
        asff__text_vformat(err->message, sizeof err->message, fmt, ap); /* may quote input */
        va_end(ap);
    }
    return code;
}

void asff__buf_init(asff_buf *b, const asff_allocator *alloc)
{
    b->data = NULL;
    b->len = b->cap = 0;
    b->alloc = asff__alloc_or_default(alloc);
}

asff_status asff__buf_reserve(asff_buf *b, size_t extra)
{
    size_t need, cap;
    char *p;
    if (extra > SIZE_MAX - b->len - 1)
        return ASFF_ERR_NOMEM;
    need = b->len + extra + 1;
    if (need <= b->cap)
        return ASFF_OK;
    cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    p = asff__realloc(b->alloc, b->data, cap);
    if (!p)
        return ASFF_ERR_NOMEM;
    b->data = p;
    b->cap = cap;
    return ASFF_OK;
}

asff_status asff__buf_append(asff_buf *b, const void *data, size_t len)
{
    if (asff__buf_reserve(b, len) != ASFF_OK)
        return ASFF_ERR_NOMEM;
    if (len)
        memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
    return ASFF_OK;
}

asff_status asff__buf_putc(asff_buf *b, char c)
{
    return asff__buf_append(b, &c, 1);
}

asff_status asff__buf_appendf(asff_buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return ASFF_ERR_INTERNAL;
    if (asff__buf_reserve(b, (size_t)n) != ASFF_OK)
        return ASFF_ERR_NOMEM;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return ASFF_OK;
}

void asff__buf_reset(asff_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

void asff__buf_cleanup(asff_buf *b)
{
    asff__free(b->alloc, b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

asff_status asff__buf_pointer_token(asff_buf *b, const char *name, size_t len)
{
    size_t i;
    if (asff__buf_putc(b, '/') != ASFF_OK)
        return ASFF_ERR_NOMEM;
    for (i = 0; i < len; i++) {
        asff_status st;
        if (name[i] == '~')
            st = asff__buf_append(b, "~0", 2);
        else if (name[i] == '/')
            st = asff__buf_append(b, "~1", 2);
        else
            st = asff__buf_putc(b, name[i]);
        if (st != ASFF_OK)
            return st;
    }
    return ASFF_OK;
}
