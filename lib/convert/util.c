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

static void gen_print(void *ctx, const char *s, size_t len)
{
    asff__genout *o = ctx;
    if (!o->failed && asff_buf_append(&o->buf, s, len) != ASFF_OK)
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
