/* Buffers that wipe what they release (see secbuf.h). */
#include <string.h>
#include <stdint.h>
#include <openssl/crypto.h>
#include "sigv4/secbuf.h"

asff_status asff__sbuf_reserve(asff_buf *b, size_t extra)
{
    size_t need, cap;
    char *p;
    if (extra > SIZE_MAX / 2 - b->len - 1)
        return ASFF_ERR_NOMEM;
    need = b->len + extra + 1;
    if (need <= b->cap)
        return ASFF_OK;
    cap = b->cap ? b->cap : 128;
    while (cap < need)
        cap *= 2;
    /* malloc + copy + wipe instead of realloc, which could leave the old bytes behind. */
    p = asff__malloc(b->alloc, cap);
    if (!p)
        return ASFF_ERR_NOMEM;
    if (b->data) {
        memcpy(p, b->data, b->len + 1);
        OPENSSL_cleanse(b->data, b->cap);
        asff__free(b->alloc, b->data);
    } else {
        p[0] = '\0';
    }
    b->data = p;
    b->cap = cap;
    return ASFF_OK;
}

asff_status asff__sbuf_append(asff_buf *b, const void *data, size_t len)
{
    if (asff__sbuf_reserve(b, len) != ASFF_OK)
        return ASFF_ERR_NOMEM;
    if (len)
        memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
    return ASFF_OK;
}

asff_status asff__sbuf_puts(asff_buf *b, const char *s)
{
    return asff__sbuf_append(b, s, strlen(s));
}

asff_status asff__sbuf_putc(asff_buf *b, char c)
{
    return asff__sbuf_append(b, &c, 1);
}

void asff__sbuf_clear(asff_buf *b)
{
    if (b->data) {
        /* Only the bytes in use: every shrink of len goes through here, and the rest of the block
         * was wiped when it was last cleared (or is uninitialized). */
        OPENSSL_cleanse(b->data, b->len + 1 < b->cap ? b->len + 1 : b->cap);
        b->data[0] = '\0';
    }
    b->len = 0;
}

void asff__sbuf_cleanup(asff_buf *b)
{
    if (b->data) {
        OPENSSL_cleanse(b->data, b->cap);
        asff__free(b->alloc, b->data);
    }
    b->data = NULL;
    b->len = b->cap = 0;
}

char *asff__sbuf_strdup(const asff_allocator *a, const char *s, size_t len)
{
    char *p = asff__malloc(a, len + 1);
    if (!p)
        return NULL;
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

void asff__sbuf_strfree(const asff_allocator *a, char *s)
{
    if (!s)
        return;
    OPENSSL_cleanse(s, strlen(s));
    asff__free(a, s);
}
