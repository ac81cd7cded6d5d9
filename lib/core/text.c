/* Display escaping: the one rule for text that may carry third-party bytes (text.h). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "text.h"

/* Length of the valid UTF-8 sequence at s[0..len) (RFC 3629), 0 when invalid; *cp gets the code point. */
static size_t utf8_seq(const unsigned char *s, size_t len, uint32_t *cp)
{
    unsigned char c = s[0];
    size_t n, i;
    uint32_t v, min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xc2 && c <= 0xdf)
        n = 2, v = c & 0x1fu, min = 0x80;
    else if (c >= 0xe0 && c <= 0xef)
        n = 3, v = c & 0x0fu, min = 0x800;
    else if (c >= 0xf0 && c <= 0xf4)
        n = 4, v = c & 0x07u, min = 0x10000;
    else
        return 0;
    if (len < n)
        return 0;
    for (i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3fu);
    }
    if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
        return 0;
    *cp = v;
    return n;
}

/* Code points shown as \uXXXX: C1 controls, bidi controls, line and paragraph separators. */
static bool is_escaped_cp(uint32_t cp)
{
    return (cp >= 0x80 && cp <= 0x9f) || cp == 0x061c || cp == 0x200e || cp == 0x200f || cp == 0x2028 ||
           cp == 0x2029 || (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

/* The display form of the character at s (at most 6 bytes + NUL in piece); returns the bytes of s it covers. */
static size_t next_piece(const unsigned char *s, size_t len, char piece[8], size_t *plen)
{
    static const char hex[] = "0123456789abcdef";
    uint32_t cp = 0;
    size_t n = utf8_seq(s, len, &cp);
    if (n == 0 || (n == 1 && (cp < 0x20 || cp == 0x7f))) {
        unsigned char c = s[0];
        if (c == '\n' || c == '\r' || c == '\t') {
            piece[0] = '\\';
            piece[1] = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
            *plen = 2;
        } else {
            piece[0] = '\\';
            piece[1] = 'x';
            piece[2] = hex[c >> 4];
            piece[3] = hex[c & 15];
            *plen = 4;
        }
        return 1;
    }
    if (is_escaped_cp(cp)) {
        piece[0] = '\\';
        piece[1] = 'u';
        piece[2] = hex[(cp >> 12) & 15];
        piece[3] = hex[(cp >> 8) & 15];
        piece[4] = hex[(cp >> 4) & 15];
        piece[5] = hex[cp & 15];
        *plen = 6;
        return n;
    }
    memcpy(piece, s, n);
    *plen = n;
    return n;
}

size_t asff__text_escape(char *out, size_t size, const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0, o = 0, total = 0, room;
    char piece[8];
    size_t plen;
    if (size == 0)
        return 0;
    /* most text is printable ASCII that fits: shown as it is */
    while (i < len && u[i] >= 0x20 && u[i] < 0x7f)
        i++;
    if (i == len && len <= size - 1) {
        memcpy(out, s, len);
        out[len] = '\0';
        return len;
    }
    i = 0;
    /* first pass: does the whole escaped text fit? if not, keep room for "..." */
    while (i < len && total <= size - 1) {
        i += next_piece(u + i, len - i, piece, &plen);
        total += plen;
    }
    room = total <= size - 1 ? size - 1 : size > 4 ? size - 4 : size - 1;
    for (i = 0; i < len;) {
        size_t used = next_piece(u + i, len - i, piece, &plen);
        if (o + plen > room)
            break;
        memcpy(out + o, piece, plen);
        o += plen;
        i += used;
    }
    if (i < len && size > 4) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o] = '\0';
    return o;
}

const char *asff__text_show(char *out, size_t size, const char *s)
{
    if (size == 0)
        return out;
    if (!s)
        out[0] = '\0';
    else
        asff__text_escape(out, size, s, strlen(s));
    return out;
}

size_t asff__text_vformat(char *out, size_t size, const char *fmt, va_list ap)
{
    char raw[1024];
    int n = vsnprintf(raw, sizeof raw, fmt, ap);
    size_t len = n < 0 ? 0 : (size_t)n < sizeof raw ? (size_t)n : sizeof raw - 1;
    if (size == 0)
        return 0;
    if (n >= 0 && (size_t)n >= sizeof raw && size > 4) {
        /* cut by vsnprintf: escape what we have into room that leaves space for the ellipsis */
        size_t o = asff__text_escape(out, size - 3, raw, len);
        if (o >= 3 && memcmp(out + o - 3, "...", 3) == 0)
            return o;
        memcpy(out + o, "...", 4);
        return o + 3;
    }
    return asff__text_escape(out, size, raw, len);
}

size_t asff__text_char(const char *s, size_t len, unsigned long *cp)
{
    uint32_t v = 0;
    size_t n = utf8_seq((const unsigned char *)s, len, &v);
    *cp = v;
    return n;
}

bool asff__text_escaped_cp(unsigned long cp)
{
    return cp <= 0x10ffff && is_escaped_cp((uint32_t)cp);
}

bool asff__text_is_clean(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        uint32_t cp = 0;
        size_t n = utf8_seq(u + i, len - i, &cp);
        if (n == 0 || cp < 0x20 || cp == 0x7f || is_escaped_cp(cp))
            return false;
        i += n;
    }
    return true;
}
