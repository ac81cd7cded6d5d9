/* Fuzz target: projection (docs/codec.md, Projection) against the full build on the same bytes. A
 * filter and an insight group-by (picked by the second byte from a table) give the projection set;
 * the input is read by a parser that builds every member and by one that projects (simdjson where
 * built, with want_whole building the findings that match), and everything they report must be the
 * same: each finding's info, its match and the match and presence of each attribute, the JSON of the
 * findings that match, the insight's results, each skipped item's error, the final status and error
 * (code, message, path, offset, line, column) and the counters. The first byte picks the options as
 * in fuzz/frontends.c: bits 0-2 the envelope (mod 6), bit 3 skip_invalid, bit 4 small limits, bits
 * 6-7 the chunks (whole, 1, 61 or 4096 bytes). */
#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "asff/codec.h"
#include "asff/filter.h"
#include "core/internal.h"
#include "codec_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct {
    const char *filters, *group_by;
} readers[] = {
    {"{\"SeverityLabel\":[{\"Value\":\"CRITICAL\",\"Comparison\":\"EQUALS\"}],"
     "\"RecordState\":[{\"Value\":\"ACTIVE\",\"Comparison\":\"EQUALS\"}]}", "ResourceId"},
    {"{\"ProductFields\":[{\"Key\":\"k\",\"Value\":\"v\",\"Comparison\":\"EQUALS\"}]}", "Type"},
    {"{\"Title\":[{\"Value\":\"t\",\"Comparison\":\"PREFIX\"}],\"NetworkSourcePort\":[{\"Gte\":1}]}", "AwsAccountId"},
    {"{\"Confidence\":[{\"Lte\":50}],\"ResourceTags\":[{\"Key\":\"a\",\"Value\":\"1\",\"Comparison\":\"EQUALS\"}]}", "ResourceType"},
    {"{}", "SeverityLabel"},
};

typedef struct fz {
    asff_buf log;
    asff_filter *flt;
    asff_insight *ins;
} fz;

static int want_whole(void *ctx, const void *finding)
{
    return asff_filter_match(((fz *)ctx)->flt, finding);
}

static int on_finding(void *ctx, void *finding, const asff_finding_info *info)
{
    fz *z = ctx;
    size_t i, n = asff_filter_attribute_count(z->flt);
    int m = asff_filter_match(z->flt, finding);
    (void)asff__buf_appendf(&z->log, "F %d", m);
    for (i = 0; i < n; i++)
        (void)asff__buf_appendf(&z->log, " %d%d", asff_filter_match_attribute(z->flt, i, finding),
                                asff_filter_attribute_present(z->flt, i, finding));
    fz_log_info(&z->log, info);
    if (m) {
        char *json = NULL;
        size_t len = 0;
        if (asff_to_json(finding, false, &json, &len, NULL) == ASFF_OK)
            (void)asff__buf_appendf(&z->log, "%s\n", json);
        asff_free_string(json);
    }
    if (asff_insight_add(z->ins, finding) != ASFF_OK)
        (void)asff__buf_appendf(&z->log, "insight failed\n");
    return 0;
}

static int on_error(void *ctx, const asff_error *err, const asff_finding_info *info)
{
    fz *z = ctx;
    fz_log_error(&z->log, "E", err);
    fz_log_info(&z->log, info);
    return 0;
}

static void run(asff_parse_options *o, unsigned r, bool project, const uint8_t *data, size_t size, size_t chunk,
                asff_buf *b)
{
    asff_projection proj = {.want_whole = want_whole};
    asff_parser *p = NULL;
    asff_error e;
    asff_status st = ASFF_OK;
    size_t off = 0, jlen;
    char *json = NULL;
    fz z;
    memset(&e, 0, sizeof e);
    z.log = *b;
    if (asff_filter_compile(readers[r].filters, strlen(readers[r].filters), NULL, &z.flt, NULL) != ASFF_OK ||
        asff_insight_new(z.flt, readers[r].group_by, NULL, &z.ins, NULL) != ASFF_OK ||
        (project && asff_insight_projection(z.ins, &proj, NULL) != ASFF_OK))
        abort();
    proj.ctx = &z;
    o->projection = project ? &proj : NULL;
    if (asff_parser_new(o, on_finding, on_error, &z, &p, NULL) != ASFF_OK)
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
    (void)asff__buf_appendf(&z.log, "end %d count %" PRIu64 " skipped %" PRIu64 "\n", (int)st, asff_parser_count(p),
                            asff_parser_skipped(p));
    if (asff_insight_to_json(z.ins, false, &json, &jlen, NULL) == ASFF_OK)
        (void)asff__buf_appendf(&z.log, "%s\n", json);
    asff_free_string(json);
    asff_parser_free(p);
    asff_insight_free(z.ins);
    asff_filter_free(z.flt);
    *b = z.log;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const size_t chunks[] = {0, 1, 61, 4096};
    asff_parse_options o = ASFF_PARSE_OPTIONS_INIT;
    asff_buf full, projected;
    size_t chunk;
    unsigned r;
    uint8_t b;
    if (size < 2)
        return 0;
    b = data[0];
    r = data[1] % (sizeof readers / sizeof *readers);
    data += 2;
    size -= 2;
    o.envelope = (asff_envelope)((b & 7) % 6);
    o.skip_invalid = (b & 8) != 0;
    if (b & 16) {
        o.max_depth = 6;
        o.max_string = 16;
        o.max_finding = 200;
        o.max_members = 5;
    }
    chunk = chunks[b >> 6];
    if (!chunk)
        chunk = size ? size : 1;
    asff__buf_init(&full, NULL);
    asff__buf_init(&projected, NULL);
    run(&o, r, false, data, size, chunk, &full);
    run(&o, r, true, data, size, chunk, &projected);
    if (full.len != projected.len || memcmp(full.data, projected.data, full.len) != 0) {
        fprintf(stderr, "projection differs (%s)\n--- full:\n%.*s--- projected:\n%.*s", asff_json_frontend(),
                (int)full.len, full.data ? full.data : "", (int)projected.len, projected.data ? projected.data : "");
        abort();
    }
    asff__buf_cleanup(&full);
    asff__buf_cleanup(&projected);
    return 0;
}
