/* Growable buffers for secrets: like asff_buf, but every block they give back is wiped first
 * (OPENSSL_cleanse), so a session token or secret key never lingers in freed memory. Internal. */
#ifndef ASFF_SIGV4_SECBUF_H
#define ASFF_SIGV4_SECBUF_H

#include "core/internal.h"

asff_status asff__sbuf_reserve(asff_buf *b, size_t extra);
asff_status asff__sbuf_append(asff_buf *b, const void *data, size_t len);
asff_status asff__sbuf_puts(asff_buf *b, const char *s);
asff_status asff__sbuf_putc(asff_buf *b, char c);
/* Wipe the bytes held and empty the buffer (keeps the block). */
void asff__sbuf_clear(asff_buf *b);
/* Wipe and free. */
void asff__sbuf_cleanup(asff_buf *b);
/* A wiped-on-free copy of len bytes at s, NUL-terminated; NULL when out of memory. */
char *asff__sbuf_strdup(const asff_allocator *a, const char *s, size_t len);
/* Wipe and free a string from asff__sbuf_strdup (NULL is allowed). */
void asff__sbuf_strfree(const asff_allocator *a, char *s);

#endif
