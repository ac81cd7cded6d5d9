/* Fuzz target: parse -> write -> parse -> write. When the input parses, its output must parse
 * again and give the very same bytes (the writer's form is a fixed point); a mismatch aborts,
 * which is the one place where aborting is right. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "asff/codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
    asff_writer *w = asff_writer_new_buffer(NULL);
    asff_parser *p;
    asff_error e;
    asff_status st;
    char *out = NULL;
    o.envelope = env;
    p = asff_parser_new(&o, write_finding, NULL, w);
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
    free(a);
    free(b);
    return 0;
}
