/*
 * Fuzz target for the display-escaping rule (lib/core/text.c): whatever the bytes, the escaped text
 * fits its buffer (NUL-terminated, at most size - 1 bytes, "..." when cut), holds no byte below
 * 0x20, no DEL, no C1 control, no bidi control and only valid UTF-8 (checked here by an
 * independent decoder), and escaping it again changes nothing. The same holds for a message set
 * through asff_error_set, which quotes input. The first byte picks the buffer size.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "asff/asff.h"
#include "core/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* 0 when s[n] is safe for a terminal, else abort()s: the property libFuzzer hunts. */
static void check_safe(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i], cp, k, len;
        if (c < 0x20 || c == 0x7f)
            abort();
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf)
            len = 2, cp = c & 0x1f;
        else if (c >= 0xe0 && c <= 0xef)
            len = 3, cp = c & 0x0f;
        else if (c >= 0xf0 && c <= 0xf4)
            len = 4, cp = c & 0x07;
        else
            abort();
        if (i + len > n)
            abort();
        for (k = 1; k < len; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                abort();
            cp = (cp << 6) | (s[i + k] & 0x3f);
        }
        if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
            (cp >= 0xd800 && cp <= 0xdfff))
            abort();
        if ((cp >= 0x80 && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) ||
            cp == 0x200e || cp == 0x200f || cp == 0x061c || cp == 0x2028 || cp == 0x2029)
            abort();
        i += len;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const size_t sizes[] = {1, 2, 3, 4, 5, 6, 7, 8, 16, 64, 256, 4096};
    char *out, *again, *msg;
    size_t cap, n, m;
    asff_error err;
    if (size == 0)
        return 0;
    cap = sizes[data[0] % (sizeof sizes / sizeof *sizes)];
    data++, size--;
    out = malloc(cap + 1);
    again = malloc(cap + 1);
    if (!out || !again)
        abort();
    out[cap] = again[cap] = 0x55; /* a guard: never written */
    n = asff__text_escape(out, cap, (const char *)data, size);
    if (n > cap - 1 || out[n] != '\0' || strlen(out) != n || out[cap] != 0x55)
        abort();
    check_safe((const unsigned char *)out, n);
    if (!asff__text_is_clean(out, n))
        abort();
    /* idempotent: the escaped text is left as it is (it fits, being no longer than before) */
    m = asff__text_escape(again, cap, out, n);
    if (m != n || memcmp(out, again, n) != 0)
        abort();
    /* messages that quote input are escaped where they are set */
    msg = malloc(size + 1);
    if (!msg)
        abort();
    memcpy(msg, data, size);
    msg[size] = '\0';
    asff_error_clear(&err);
    asff_error_set(&err, ASFF_ERR_SYNTAX, msg);
    check_safe((const unsigned char *)err.message, strlen(err.message));
    free(msg);
    free(out);
    free(again);
    return 0;
}
