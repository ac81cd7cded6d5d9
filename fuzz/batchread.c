/* Fuzz target: arbitrary bytes through the batch reader (asff_batch_reader_*). The first byte picks
 * the options: bit 0 a filter (SeverityLabel HIGH), bit 1 the prefilter, bit 2 arrays (group_bytes),
 * bit 3 a projection (Id, Title), bit 4 a 300-byte buffer (grown on ASFF_ERR_LIMIT), bits 5-6 the
 * read chunk (default, 1, 7, 61 bytes), bit 7 a limit of 2. Every line handed out must parse again
 * (a finding, or an array of them), and the counts must add up. The same input is then read again
 * with the same options in the pickle format (ASFF_BATCH_PICKLE) and the reader's thread (readahead):
 * every pickle must hold only the writer's opcodes, and its values must equal those of the NDJSON
 * lines (fuzz/pickle_check.h prints both as canonical text), with the same final status. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "asff/codec.h"
#include "asff/filter.h"
#include "pickle_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The same read in the pickle format: its canonical text must be want's. */
static void check_pickles(const uint8_t *data, size_t size, asff_batch_options o, asff_status want_st,
                          const pk_text *want)
{
    asff_batch_reader *r = NULL;
    asff_error e;
    size_t cap = 1 << 16, n = 0, c, pos, used;
    char *buf = malloc(cap);
    pk_text got = {0};
    uint64_t findings = 0, counted = 0;
    asff_status st;
    o.format = ASFF_BATCH_PICKLE;
    o.readahead = true;   /* the worker thread must hand out what the caller's own reads do */
    if (!buf || asff_batch_reader_new_buffer(data, size, &o, &r, &e) != ASFF_OK)
        abort();
    for (;;) {
        st = asff_batch_reader_next(r, buf, cap, &n, &c, &e);
        if (st == ASFF_ERR_LIMIT && n > cap) {
            char *nb = realloc(buf, n);
            if (!nb)
                abort();
            buf = nb;
            cap = n;
            continue;
        }
        if (st != ASFF_OK || n == 0)
            break;
        for (pos = 0; pos < n; pos += used)
            if (pk_canon_pickle((const unsigned char *)buf + pos, n - pos, &got, &used, &findings) != 0)
                abort();   /* an opcode or a shape the writer must not produce */
        counted += c;
    }
    if (st != want_st || counted != findings)
        abort();
    if ((got.len || want->len) && (got.len != want->len || memcmp(got.data, want->data, got.len) != 0))
        abort();   /* other values than the NDJSON path's */
    free(got.data);
    free(buf);
    asff_batch_reader_free(r);
}

static void check_lines(const char *buf, size_t len, bool arrays, uint64_t *findings)
{
    size_t i = 0;
    while (i < len) {
        const char *nl = memchr(buf + i, '\n', len - i);
        size_t n = (size_t)(nl - (buf + i));
        asff_parse_options o = ASFF_PARSE_OPTIONS_INIT;
        asff_finding_list *list = NULL;
        asff_error e;
        if (!nl)
            abort();   /* only whole lines are handed out */
        o.envelope = arrays ? ASFF_ENVELOPE_ARRAY : ASFF_ENVELOPE_FINDING;
        if (asff_parse_buffer(buf + i, n, &o, &list, &e) != ASFF_OK)
            abort();   /* what the reader hands out reads back */
        *findings += list->count;
        asff_finding_list_free(list);
        i += n + 1;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const fields[] = {"Id", "Title"};
    static const size_t chunks[] = {0, 1, 7, 61};
    static const char flt[] = "{\"SeverityLabel\":[{\"Value\":\"HIGH\",\"Comparison\":\"EQUALS\"}]}";
    asff_batch_options o = {0};
    asff_batch_reader *r = NULL;
    asff_filter *f = NULL;
    asff_error e;
    size_t cap, n = 0, c;
    uint64_t got = 0, counted = 0, passed, canon_n = 0;
    char *buf;
    pk_text canon = {0};
    asff_status last = ASFF_OK;
    uint8_t b;
    if (size < 1)
        return 0;
    b = data[0];
    data++;
    size--;
    if ((b & 1) && asff_filter_compile(flt, sizeof flt - 1, NULL, &f, &e) != ASFF_OK)
        abort();
    o.filter = f;
    o.prefilter = (b & 2) != 0;
    o.group_bytes = (b & 4) ? 100 : 0;
    if (b & 8) {
        o.fields = fields;
        o.field_count = 2;
    }
    cap = (b & 16) ? 300 : 1 << 16;
    o.chunk_size = chunks[(b >> 5) & 3];
    o.limit = (b & 128) ? 2 : 0;
    if (asff_batch_reader_new_buffer(data, size, &o, &r, &e) != ASFF_OK)
        abort();
    buf = malloc(cap);
    for (; buf;) {
        asff_status st = asff_batch_reader_next(r, buf, cap, &n, &c, &e);
        last = st;
        if (st == ASFF_ERR_LIMIT && n > cap) {
            char *nb = realloc(buf, n);
            if (!nb)
                break;
            buf = nb;
            cap = n;
            continue;
        }
        if (st != ASFF_OK || n == 0)
            break;
        check_lines(buf, n, o.group_bytes != 0, &got);
        if (pk_canon_json(buf, n, o.group_bytes != 0, &canon, &canon_n) != 0)
            abort();
        counted += c;
    }
    asff_batch_reader_counts(r, NULL, &passed, NULL);
    if (got != counted || counted != passed || (o.limit && passed > o.limit))
        abort();
    free(buf);
    asff_batch_reader_free(r);
    if (last != ASFF_ERR_LIMIT)   /* (a buffer that could not grow) */
        check_pickles(data, size, o, last, &canon);
    free(canon.data);
    asff_filter_free(f);
    return 0;
}
