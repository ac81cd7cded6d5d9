/* Fuzz target: arbitrary bytes into the streaming parser. The first byte picks the options:
 * bits 0-2 the envelope (mod 6), bit 3 skip_invalid, bit 4 small limits, bit 5 keep,
 * bits 6-7 how the rest is fed (whole, 1-byte, 7-byte or 61-byte chunks). Every finding is also
 * written (compact and pretty) so that the writer sees what the parser builds. Checked: what is
 * written is valid UTF-8 (RFC 3629), and fed in chunks the input gives the same findings, skipped
 * items (NDJSON recovery under skip_invalid) and outcome (an error or not) as fed whole. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "asff/codec.h"
#include "core/json.h"
#include "codec_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct fz {
    asff_writer *w, *pw;
    bool keep;
} fz;

static int on_finding(void *ctx, void *finding, const asff_finding_info *info)
{
    fz *z = ctx;
    asff_error e;
    (void)info;
    (void)asff_writer_write(z->w, finding, &e);
    (void)asff_writer_write(z->pw, finding, &e);
    (void)asff_json_size(finding);
    if (z->keep)
        asff_object_free(finding);
    return 0;
}

static int on_error(void *ctx, const asff_error *err, const asff_finding_info *info)
{
    (void)ctx;
    (void)err;
    (void)info;
    return 0;
}

typedef struct outcome {
    asff_status st;
    uint64_t count, skipped;
} outcome;

static void check_utf8(const asff_writer *w)
{
    size_t len;
    const char *buf = asff_writer_buffer(w, &len);
    if (buf && asff__utf8_valid_prefix(buf, len) != len)
        abort();
}

static outcome run(const asff_parse_options *o, const uint8_t *data, size_t size, size_t chunk)
{
    asff_write_options wo = ASFF_WRITE_OPTIONS_INIT;
    asff_parser *p;
    asff_error e;
    outcome r = {ASFF_OK, 0, 0};
    size_t off = 0;
    fz z;
    z.keep = o->keep;
    wo.format = ASFF_FORMAT_ARRAY;
    (void)asff_writer_new_buffer(&wo, &z.w, NULL);
    wo.pretty = true;
    wo.format = ASFF_FORMAT_BATCH;
    (void)asff_writer_new_buffer(&wo, &z.pw, NULL);
    (void)asff_parser_new(o, on_finding, on_error, &z, &p, NULL);
    if (!p || !z.w || !z.pw)
        abort();
    while (off < size && r.st == ASFF_OK) {
        size_t n = size - off < chunk ? size - off : chunk;
        r.st = asff_parser_feed(p, data + off, n, &e);
        off += n;
    }
    if (r.st == ASFF_OK)
        r.st = asff_parser_finish(p, &e);
    (void)asff_parser_document(p);
    r.count = asff_parser_count(p);
    r.skipped = asff_parser_skipped(p);
    asff_parser_free(p);
    (void)asff_writer_finish(z.w, &e);
    (void)asff_writer_finish(z.pw, &e);
    check_utf8(z.w);
    check_utf8(z.pw);
    asff_writer_free(z.w);
    asff_writer_free(z.pw);
    return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const size_t chunks[] = {0, 1, 7, 61};
    asff_parse_options o = ASFF_PARSE_OPTIONS_INIT;
    outcome r;
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
    r = run(&o, data, size, chunk);
    if (chunk < size) {
        /* the chunks must not matter: the same findings and skips, an error or none (which limit
         * or syntax error stops a long token first may depend on where the pieces end) */
        outcome whole = run(&o, data, size, size);
        if ((whole.st == ASFF_OK) != (r.st == ASFF_OK) || whole.count != r.count || whole.skipped != r.skipped)
            abort();
    }
    return 0;
}
