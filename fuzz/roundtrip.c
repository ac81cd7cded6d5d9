/* Fuzz target: parse -> write -> parse -> write. When the input parses, its output must parse
 * again and give the very same bytes (the writer's form is a fixed point), and every output line
 * must be what yajl_gen makes of it (the compact writer does not run on yajl_gen, but promises its
 * bytes); a mismatch aborts, which is the one place where aborting is right. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_parse.h>
#include "asff/codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* yajl_gen (compact) fed by yajl's parse of one JSON text: the reference for the writer's bytes. */
static int g_null(void *g)
{
    return yajl_gen_null(g) == yajl_gen_status_ok;
}
static int g_bool(void *g, int b)
{
    return yajl_gen_bool(g, b) == yajl_gen_status_ok;
}
static int g_number(void *g, const char *s, size_t n)
{
    return yajl_gen_number(g, s, n) == yajl_gen_status_ok;
}
static int g_string(void *g, const unsigned char *s, size_t n)
{
    return yajl_gen_string(g, s, n) == yajl_gen_status_ok;
}
static int g_map_open(void *g)
{
    return yajl_gen_map_open(g) == yajl_gen_status_ok;
}
static int g_map_close(void *g)
{
    return yajl_gen_map_close(g) == yajl_gen_status_ok;
}
static int g_array_open(void *g)
{
    return yajl_gen_array_open(g) == yajl_gen_status_ok;
}
static int g_array_close(void *g)
{
    return yajl_gen_array_close(g) == yajl_gen_status_ok;
}

static void check_like_yajl_gen(const char *line, size_t n)
{
    static const yajl_callbacks cb = {g_null, g_bool, NULL, NULL, g_number, g_string, g_map_open,
                                      g_string, g_map_close, g_array_open, g_array_close};
    yajl_gen g = yajl_gen_alloc(NULL);
    yajl_handle h = yajl_alloc(&cb, NULL, g);
    const unsigned char *buf;
    size_t len;
    if (!g || !h)
        abort();
    yajl_config(h, yajl_dont_validate_strings, 1);
    if (yajl_parse(h, (const unsigned char *)line, n) != yajl_status_ok || yajl_complete_parse(h) != yajl_status_ok)
        abort();
    yajl_gen_get_buf(g, &buf, &len);
    if (len != n || memcmp(buf, line, n) != 0) {
        fprintf(stderr, "writer differs from yajl_gen:\n%.*s\n---\n%.*s\n", (int)n, line, (int)len, (const char *)buf);
        abort();
    }
    yajl_free(h);
    yajl_gen_free(g);
}

static int write_finding(void *ctx, void *finding, const asff_finding_info *info)
{
    asff_error e;
    (void)info;
    if (asff_writer_write(ctx, finding, &e) != ASFF_OK)
        return 1;
    return 0;
}

/* NDJSON of the findings of data, or NULL when data does not parse (or a double cannot be written). */
static char *parse_write(const void *data, size_t size, asff_envelope env, size_t *len)
{
    asff_parse_options o = ASFF_PARSE_OPTIONS_INIT;
    asff_writer *w = NULL;
    (void)asff_writer_new_buffer(NULL, &w, NULL);
    asff_parser *p;
    asff_error e;
    asff_status st;
    char *out = NULL;
    o.envelope = env;
    (void)asff_parser_new(&o, write_finding, NULL, w, &p, NULL);
    if (!p || !w)
        abort();
    st = asff_parser_feed(p, data, size, &e);
    if (st == ASFF_OK)
        st = asff_parser_finish(p, &e);
    if (st == ASFF_OK) {
        const char *buf = asff_writer_buffer(w, len);
        out = malloc(*len + 1);
        if (!out)
            abort();
        memcpy(out, buf, *len + 1);
    }
    asff_parser_free(p);
    asff_writer_free(w);
    return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t n1, n2;
    char *a = parse_write(data, size, ASFF_ENVELOPE_AUTO, &n1), *b;
    if (!a)
        return 0;
    /* Each output line is one finding: read it back as such (a finding may hold an unknown
     * "Findings" or "detail" member that would otherwise look like an envelope). */
    b = parse_write(a, n1, ASFF_ENVELOPE_FINDING, &n2);
    if (!b || n1 != n2 || memcmp(a, b, n1) != 0) {
        fprintf(stderr, "roundtrip mismatch:\n%s\n---\n%s\n", a, b ? b : "(does not parse)");
        abort();
    }
    for (n2 = 0; n2 < n1;) {
        const char *nl = memchr(a + n2, '\n', n1 - n2);
        size_t end = nl ? (size_t)(nl - a) : n1;
        check_like_yajl_gen(a + n2, end - n2);
        n2 = end + 1;
    }
    free(a);
    free(b);
    return 0;
}
