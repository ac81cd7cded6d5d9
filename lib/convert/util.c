/* Helpers shared by the converters: UTF-8 truncation and a yajl_gen into a buffer. */
#include "convert_internal.h"

size_t asff__utf8_prefix(const char *s, size_t len, size_t max_chars)
{
    size_t i = 0, n = 0;
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        size_t w = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
        if (n == max_chars || w > len - i)
            break;
        i += w;
        n++;
    }
    return i;
}

/* White space as ECMAScript's \\s sees it (what Security Hub's NonEmptyString pattern tests). */
static bool space_cp(uint32_t c)
{
    return c == 0x20 || (c >= 0x09 && c <= 0x0D) || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) ||
           c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000 || c == 0xFEFF;
}

const char *asff__skip_space(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    for (;;) {
        uint32_t c;
        size_t n;
        if (p[0] < 0x80) {
            c = p[0];
            n = 1;
        } else if ((p[0] & 0xE0) == 0xC0 && (p[1] & 0xC0) == 0x80) {
            c = ((uint32_t)(p[0] & 0x1F) << 6) | (p[1] & 0x3F);
            n = 2;
        } else if ((p[0] & 0xF0) == 0xE0 && (p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80) {
            c = ((uint32_t)(p[0] & 0x0F) << 12) | ((uint32_t)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
            n = 3;
        } else {
            return (const char *)p;
        }
        if (c == 0 || !space_cp(c))
            return (const char *)p;
        p += n;
    }
}

static void gen_print(void *ctx, const char *s, size_t len)
{
    asff__genout *o = ctx;
    if (!o->failed && asff__buf_append(&o->buf, s, len) != ASFF_OK)
        o->failed = true;
}

yajl_gen asff__convert_gen(asff_yalloc *ya, asff__genout *out, bool pretty)
{
    yajl_gen g = yajl_gen_alloc(&ya->funcs);
    if (!g)
        return NULL;
    yajl_gen_config(g, yajl_gen_print_callback, gen_print, (void *)out);
    if (pretty) {
        yajl_gen_config(g, yajl_gen_beautify, 1);
        yajl_gen_config(g, yajl_gen_indent_string, "  ");
    }
    return g;
}
