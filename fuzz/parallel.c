/* Fuzz target: parallel reading (docs/codec.md, Parallel reading) against one parser on the same
 * bytes. The input is written to a temporary file and read by asff_parse_file_parallel, with a work
 * callback, and by one asff_parser; everything they report must be the same: each finding's bytes
 * out of the writer and its info (index, path, offset, length, line), the work result that came with
 * it, each skipped item's error, the final status and error (code, message, path, offset, line,
 * column). The first byte picks the options: bits 0-2 the envelope (mod 6), bit 3 skip_invalid,
 * bit 4 small limits, bit 5 keep; bit 6 the way (set: ASFF_FRONTEND=yajl, so NDJSON by segments;
 * clear: the hand-over mode where simdjson is built in); bit 7 the part size (61 bytes or 1: every
 * line its own part). Two threads, three when the input's length is odd; when bit 1 of the length
 * is set, ASFF_PARALLEL_SPARSE with a work that wants only the findings of even index (the others
 * must come as NULL, and the threads read NDJSON by segments, numbered from a guess). */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* setenv, fileno (the fuzzer build does not define them) */
#endif
#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "asff/asff.h"
#include "core/internal.h"
#include "codec_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct fz {
    asff_buf log;
    asff_writer *w;
    bool keep;
    bool sparse;                 /* findings of odd index are not wanted */
} fz;

static bool unwanted(const fz *z, const asff_finding_info *info)
{
    return z->sparse && (info->index & 1);
}

/* What the work callback would say of a finding: its index and path, as it saw them. */
static char *work_of(const asff_finding_info *info)
{
    size_t n = strlen(info->path) + 32;
    char *s = malloc(n);
    if (!s)
        abort();
    snprintf(s, n, "%" PRIu64 "%s", info->index, info->path);
    return s;
}

static void *work(void *ctx, unsigned worker, const void *finding, const asff_finding_info *info)
{
    (void)worker;
    (void)finding;
    return unwanted(ctx, info) ? NULL : work_of(info);
}

static void work_free(void *ctx, void *result)
{
    (void)ctx;
    free(result);
}

static int on_finding(void *ctx, void *finding, const asff_finding_info *info)
{
    fz *z = ctx;
    asff_error e;
    asff_status st;
    if (unwanted(z, info)) {
        (void)asff__buf_appendf(&z->log, "F -\n");
        fz_log_info(&z->log, info);
        if (z->keep)
            asff_object_free(finding);
        return 0;
    }
    st = asff_writer_write(z->w, finding, &e);
    (void)asff__buf_appendf(&z->log, "F %d\n", (int)st);
    fz_log_info(&z->log, info);
    if (z->keep)
        asff_object_free(finding);
    return 0;
}

static int on_ordered(void *ctx, void *finding, const asff_finding_info *info, void *result)
{
    char *want = work_of(info);
    if (unwanted(ctx, info)) {
        if (result || finding) { /* not wanted: neither a result nor the finding */
            fprintf(stderr, "an unwanted finding came (%s)\n", want);
            abort();
        }
        free(want);
        return on_finding(ctx, finding, info);
    }
    if (!result || strcmp(result, want) != 0) { /* the work of another finding, or none */
        fprintf(stderr, "work result %s for the finding of %s\n", result ? (char *)result : "(none)", want);
        abort();
    }
    free(want);
    free(result);
    return on_finding(ctx, finding, info);
}

static int on_error(void *ctx, const asff_error *err, const asff_finding_info *info)
{
    fz *z = ctx;
    fz_log_error(&z->log, "E", err);
    fz_log_info(&z->log, info);
    return 0;
}

static void begin(fz *z, const asff_parse_options *o, bool sparse, asff_buf *b)
{
    asff_write_options wo = ASFF_WRITE_OPTIONS_INIT;
    z->log = *b;
    z->keep = o->keep;
    z->sparse = sparse;
    wo.format = ASFF_FORMAT_NDJSON;
    if (asff_writer_new_buffer(&wo, &z->w, NULL) != ASFF_OK)
        abort();
}

static void end(fz *z, asff_status st, const asff_error *e, asff_buf *b)
{
    asff_error scratch;
    const char *out;
    size_t len = 0;
    if (st != ASFF_OK)
        fz_log_error(&z->log, "S", e);
    (void)asff__buf_appendf(&z->log, "end %d\n", (int)st);
    (void)asff_writer_finish(z->w, &scratch);
    out = asff_writer_buffer(z->w, &len);
    if (out)
        (void)asff__buf_append(&z->log, out, len);
    asff_writer_free(z->w);
    *b = z->log;
}

/* One parser, fed 4 KiB at a time. */
static void one(const asff_parse_options *o, bool sparse, const uint8_t *data, size_t size, asff_buf *b)
{
    asff_parser *p = NULL;
    asff_error e;
    asff_status st = ASFF_OK;
    size_t off = 0;
    fz z;
    memset(&e, 0, sizeof e);
    begin(&z, o, sparse, b);
    if (asff_parser_new(o, on_finding, on_error, &z, &p, NULL) != ASFF_OK)
        abort();
    while (off < size && st == ASFF_OK) {
        size_t n = size - off < 4096 ? size - off : 4096;
        st = asff_parser_feed(p, data + off, n, &e);
        off += n;
    }
    if (st == ASFF_OK)
        st = asff_parser_finish(p, &e);
    asff_parser_free(p);
    end(&z, st, &e, b);
}

static void threads(const asff_parse_options *o, bool sparse, FILE *f, size_t part, unsigned jobs, asff_buf *b)
{
    asff_parallel_options po = ASFF_PARALLEL_OPTIONS_INIT;
    asff_error e;
    asff_status st;
    fz z;
    memset(&e, 0, sizeof e);
    begin(&z, o, sparse, b);
    po.jobs = jobs;
    po.part_size = part;
    po.work = work;
    po.work_ctx = &z;
    po.work_free = work_free;
    po.flags = sparse ? ASFF_PARALLEL_SPARSE : 0;
    rewind(f);
    st = asff_parse_file_parallel(f, o, &po, on_ordered, on_error, &z, &e);
    end(&z, st, &e, b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static FILE *f;
    asff_parse_options o = ASFF_PARSE_OPTIONS_INIT;
    asff_buf ref, par;
    unsigned jobs = 2u + (unsigned)(size & 1);
    bool sparse = (size & 2) != 0;
    uint8_t b;
    if (size < 1)
        return 0;
    if (!f && !(f = tmpfile()))
        abort();
    b = data[0];
    data++;
    size--;
    fz_parse_options(b, &o);
    rewind(f);
    if (ftruncate(fileno(f), 0) != 0 || (size && fwrite(data, 1, size, f) != size) || fflush(f) != 0)
        abort();
    asff__buf_init(&ref, NULL);
    asff__buf_init(&par, NULL);
    one(&o, sparse, data, size, &ref);
    if (b & 64)
        setenv("ASFF_FRONTEND", "yajl", 1);
    threads(&o, sparse, f, (b & 128) ? 1 : 61, jobs, &par);
    unsetenv("ASFF_FRONTEND");
    if (ref.len != par.len || memcmp(ref.data, par.data, ref.len) != 0) {
        fprintf(stderr, "parallel reading differs (%s, %u jobs%s)\n--- one parser:\n%.*s--- parallel:\n%.*s",
                (b & 64) ? "yajl alone" : asff_json_frontend(), jobs, sparse ? ", sparse" : "", (int)ref.len, ref.data ? ref.data : "",
                (int)par.len, par.data ? par.data : "");
        abort();
    }
    asff__buf_cleanup(&ref);
    asff__buf_cleanup(&par);
    return 0;
}
