/* Fuzz target: the two JSON front-ends (docs/codec.md, Front-ends) on the same bytes. The input is
 * parsed by a parser made with ASFF_FRONTEND=yajl (the reference path alone) and by one made
 * without it (simdjson where it can, when built with it), and everything they report must be the
 * same: each finding's bytes out of the writer and its info (index, path, offset, length, line),
 * each skipped item's error, the final status and error (code, message, path, offset, line,
 * column), the counters and the document. The first byte picks the options as in fuzz/parse.c:
 * bits 0-2 the envelope (mod 6), bit 3 skip_invalid, bit 4 small limits, bit 5 keep; bits 6-7 the
 * chunks (whole, 1, 61 or 4096 bytes) — both parsers get the same chunks. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* setenv (the fuzzer build does not define it) */
#endif
#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "asff/codec.h"
#include "core/internal.h"
#include "codec_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct fz {
    asff_buf log;
    asff_writer *w;
    bool keep;
} fz;

static void log_info(asff_buf *b, const asff_finding_info *info)
{
    const asff_document *d = info->document;
    (void)asff__buf_appendf(b, "  #%" PRIu64 " %s @%" PRIu64 "+%" PRIu64 " line %" PRIu64 " env %d values %" PRIu64 "\n",
                            info->index, info->path, info->offset, info->length, info->line, (int)d->envelope,
                            d->values);
}

static int on_finding(void *ctx, void *finding, const asff_finding_info *info)
{
    fz *z = ctx;
    asff_error e;
    asff_status st = asff_writer_write(z->w, finding, &e);
    (void)asff__buf_appendf(&z->log, "F %d\n", (int)st);
    log_info(&z->log, info);
    if (z->keep)
        asff_object_free(finding);
    return 0;
}

static int on_error(void *ctx, const asff_error *err, const asff_finding_info *info)
{
    fz *z = ctx;
    fz_log_error(&z->log, "E", err);
    log_info(&z->log, info);
    return 0;
}

/* Everything one parser reports, as text (in b). */
static void run(const asff_parse_options *o, const uint8_t *data, size_t size, size_t chunk, asff_buf *b)
{
    asff_write_options wo = ASFF_WRITE_OPTIONS_INIT;
    asff_parser *p = NULL;
    asff_error e;
    asff_status st = ASFF_OK;
    const asff_document *d;
    const char *out;
    size_t off = 0, len = 0;
    fz z;
    memset(&e, 0, sizeof e);
    z.log = *b;
    z.keep = o->keep;
    wo.format = ASFF_FORMAT_NDJSON;
    if (asff_writer_new_buffer(&wo, &z.w, NULL) != ASFF_OK ||
        asff_parser_new(o, on_finding, on_error, &z, &p, NULL) != ASFF_OK)
        abort();
    while (off < size && st == ASFF_OK) {
        size_t n = size - off < chunk ? size - off : chunk;
        st = asff_parser_feed(p, data + off, n, &e);
        off += n;
    }
    if (st == ASFF_OK)
        st = asff_parser_finish(p, &e);
    if (st != ASFF_OK)
        fz_log_error(&z.log, "S", &e);
    d = asff_parser_document(p);
    (void)asff__buf_appendf(&z.log, "end %d count %" PRIu64 " skipped %" PRIu64 " env %d values %" PRIu64 " next %s other %s\n",
                            (int)st, asff_parser_count(p), asff_parser_skipped(p), (int)d->envelope, d->values,
                            d->next_token ? d->next_token : "-", d->other_members ? d->other_members : "-");
    asff_parser_free(p);
    (void)asff_writer_finish(z.w, &e);
    out = asff_writer_buffer(z.w, &len);
    if (out) /* the findings' bytes out of the writer */
        (void)asff__buf_append(&z.log, out, len);
    asff_writer_free(z.w);
    *b = z.log;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const size_t chunks[] = {0, 1, 61, 4096};
    asff_parse_options o = ASFF_PARSE_OPTIONS_INIT;
    asff_buf ref, fast;
    size_t chunk;
    uint8_t b;
    if (size < 1)
        return 0;
    b = data[0];
    data++;
    size--;
    fz_parse_options(b, &o);
    chunk = chunks[b >> 6];
    if (!chunk)
        chunk = size ? size : 1;
    asff__buf_init(&ref, NULL);
    asff__buf_init(&fast, NULL);
    setenv("ASFF_FRONTEND", "yajl", 1);
    run(&o, data, size, chunk, &ref);
    unsetenv("ASFF_FRONTEND");
    run(&o, data, size, chunk, &fast);
    if (ref.len != fast.len || memcmp(ref.data, fast.data, ref.len) != 0) {
        fprintf(stderr, "front-ends differ (%s)\n--- yajl:\n%.*s--- %s:\n%.*s", asff_json_frontend(), (int)ref.len,
                ref.data ? ref.data : "", asff_json_frontend(), (int)fast.len, fast.data ? fast.data : "");
        abort();
    }
    asff__buf_cleanup(&ref);
    asff__buf_cleanup(&fast);
    return 0;
}
