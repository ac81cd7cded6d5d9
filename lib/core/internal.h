/* Internal helpers shared by the modules of libasff; not installed. */
#ifndef ASFF_CORE_INTERNAL_H
#define ASFF_CORE_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>
#include "asff/core.h"

#if defined(__GNUC__) || defined(__clang__)
#define ASFF_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define ASFF_PRINTF(f, a)
#endif

/* Copy src into dst[size], truncating, always NUL-terminated (size > 0). */
void asff_copy_string(char *dst, size_t size, const char *src);
/* asff_error_set with a printf-style message. Returns code. */
asff_status asff_error_setf(asff_error *err, asff_status code, const char *fmt, ...) ASFF_PRINTF(3, 4);

/* The allocator to use: a or the libc one. */
const asff_allocator *asff_alloc_or_default(const asff_allocator *a);
void *asff_malloc(const asff_allocator *a, size_t size);
void *asff_realloc(const asff_allocator *a, void *ptr, size_t size);
void asff_free(const asff_allocator *a, void *ptr);

/* The allocator an arena takes its blocks from. */
const asff_allocator *asff_arena_allocator(const asff_arena *arena);

/* Growable byte buffer on an allocator; data is NUL-terminated after every append. */
typedef struct asff_buf {
    char *data;
    size_t len;
    size_t cap;
    const asff_allocator *alloc;
} asff_buf;

void asff_buf_init(asff_buf *b, const asff_allocator *alloc);
asff_status asff_buf_reserve(asff_buf *b, size_t extra);
asff_status asff_buf_append(asff_buf *b, const void *data, size_t len);
asff_status asff_buf_appendf(asff_buf *b, const char *fmt, ...) ASFF_PRINTF(2, 3);
asff_status asff_buf_putc(asff_buf *b, char c);
void asff_buf_reset(asff_buf *b);
void asff_buf_cleanup(asff_buf *b);

/* Append a JSON Pointer reference token (RFC 6901 escaping of ~ and /) for name[len] to b. */
asff_status asff_buf_pointer_token(asff_buf *b, const char *name, size_t len);

#endif
