/*
 * bench_codec: codec throughput over one in-memory corpus, all modes in the same run.
 *
 *   bench_codec [--runs N] [--chunk BYTES] [--modes LIST] [--out OUTFILE] FILE
 *
 * The file is read into memory first, then each round runs every mode once over the same bytes
 * (interleaved, so that load from other processes hits all modes alike); the best round of N counts.
 *   yajl      yajl_parse with callbacks that do nothing: the tokenizer baseline. Every callback is set
 *             (yajl_number instead of integer/double, so yajl converts no numbers), strings are
 *             UTF-8-validated as in the codec, multiple top-level values allowed (NDJSON).
 *   parse     asff_parser: typed streaming parse, the callback counts findings.
 *   write     parse -> asff_writer (NDJSON, compact) into a callback that discards the bytes.
 *   validate  parse -> asff_validate on each finding (when lib/validate is built).
 * --out writes what parse -> write produces to OUTFILE once more after the timed runs, to check it.
 * Input is fed in chunks (default 64 KiB) in every mode, as a stream reader would.
 * Output: one line per mode with best wall and CPU time, MB/s (MB = 10^6 bytes) and the ratio to yajl,
 * then a line "RESULT mode=... wall_s=... cpu_s=... mbps=... ratio=..." per mode for scripts.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <yajl/yajl_parse.h>
#include "asff/codec.h"
#include "asff/validate.h"

enum { MODE_YAJL, MODE_PARSE, MODE_WRITE, MODE_VALIDATE, MODE_COUNT };
static const char *const mode_names[MODE_COUNT] = {"yajl", "parse", "write", "validate"};

typedef struct result {
    double wall, cpu;    /* best of the runs, seconds */
    unsigned long long items, out_bytes;
    int ran;
    FILE *out;           /* write mode: to this file instead of discarding (untimed check) */
} result;

static double now(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---- (a) yajl only ------------------------------------------------------------------------ */

static int y_null(void *ctx) { (void)ctx; return 1; }
static int y_bool(void *ctx, int b) { (void)ctx; (void)b; return 1; }
static int y_number(void *ctx, const char *s, size_t l) { (void)ctx; (void)s; (void)l; return 1; }
static int y_string(void *ctx, const unsigned char *s, size_t l) { (void)ctx; (void)s; (void)l; return 1; }
static int y_start_map(void *ctx) { (void)ctx; return 1; }
static int y_end_map(void *ctx) { (void)ctx; return 1; }
static int y_start_array(void *ctx) { (void)ctx; return 1; }
static int y_end_array(void *ctx) { (void)ctx; return 1; }

static const yajl_callbacks noop_callbacks = {y_null, y_bool, NULL, NULL, y_number, y_string,
                                              y_start_map, y_string, y_end_map, y_start_array, y_end_array};

static int run_yajl(const unsigned char *data, size_t len, size_t chunk, result *r)
{
    yajl_handle h = yajl_alloc(&noop_callbacks, NULL, NULL);
    size_t off;
    if (!h)
        return -1;
    yajl_config(h, yajl_allow_multiple_values, 1);
    for (off = 0; off < len; off += chunk) {
        size_t n = len - off < chunk ? len - off : chunk;
        if (yajl_parse(h, data + off, n) != yajl_status_ok)
            goto fail;
    }
    if (yajl_complete_parse(h) != yajl_status_ok)
        goto fail;
    r->items = 0;
    yajl_free(h);
    return 0;
fail: {
        unsigned char *msg = yajl_get_error(h, 0, NULL, 0);
        fprintf(stderr, "bench_codec: yajl: %s\n", (const char *)msg);
        yajl_free_error(h, msg);
        yajl_free(h);
        return -1;
    }
}

/* ---- (b, c, d) the codec ------------------------------------------------------------------ */

typedef struct codec_ctx {
    int mode;
    FILE *out;
    unsigned long long findings, out_bytes, invalid;
    asff_writer *writer;
    asff_report *report;
    asff_error err;
} codec_ctx;

static int discard(void *ctx, const char *data, size_t len)
{
    (void)data;
    ((codec_ctx *)ctx)->out_bytes += len;
    return 0;
}

static int on_finding(void *vctx, void *finding, const asff_finding_info *info)
{
    codec_ctx *c = vctx;
    (void)info;
    c->findings++;
    if (c->mode == MODE_WRITE && asff_writer_write(c->writer, finding, &c->err) != ASFF_OK)
        return 1;
    if (c->mode == MODE_VALIDATE) {
        asff_status s;
        asff_report_clear(c->report);
        s = asff_validate(finding, NULL, c->report);
        if (s == ASFF_ERR_INVALID)
            c->invalid++;
        else if (s != ASFF_OK)
            return 1;
    }
    return 0;
}

static int run_codec(int mode, const unsigned char *data, size_t len, size_t chunk, result *r)
{
    asff_parse_options po = ASFF_PARSE_OPTIONS_INIT;
    asff_write_options wo = ASFF_WRITE_OPTIONS_INIT;
    codec_ctx c;
    asff_parser *p;
    asff_status s = ASFF_OK;
    size_t off;
    int rc = -1;

    memset(&c, 0, sizeof c);
    c.mode = mode;
    if (mode == MODE_WRITE) {
        wo.format = ASFF_FORMAT_NDJSON;
        if (r->out)
            (void)asff_writer_new_file(r->out, &wo, &c.writer, NULL);
        else
            (void)asff_writer_new_callback(discard, &c, &wo, &c.writer, NULL);
        if (!c.writer)
            return -1;
    }
    if (mode == MODE_VALIDATE && asff_report_new(NULL, &c.report, NULL) != ASFF_OK)
        return -1;
    if (asff_parser_new(&po, on_finding, NULL, &c, &p, NULL) != ASFF_OK)
        goto out;
    for (off = 0; off < len && s == ASFF_OK; off += chunk) {
        size_t n = len - off < chunk ? len - off : chunk;
        s = asff_parser_feed(p, data + off, n, &c.err);
    }
    if (s == ASFF_OK)
        s = asff_parser_finish(p, &c.err);
    if (s == ASFF_OK && c.writer)
        s = asff_writer_finish(c.writer, &c.err);
    if (s != ASFF_OK) {
        fprintf(stderr, "bench_codec: %s: %s: %s at '%s' (offset %llu, line %llu)\n", mode_names[mode],
                asff_status_name(s), c.err.message, c.err.path, (unsigned long long)c.err.offset,
                (unsigned long long)c.err.line);
        goto out;
    }
    r->items = c.findings;
    r->out_bytes = c.out_bytes;
    if (c.invalid)
        fprintf(stderr, "bench_codec: validate: %llu of %llu findings have errors\n", c.invalid, c.findings);
    rc = 0;
out:
    asff_parser_free(p);
    asff_writer_free(c.writer);
    asff_report_free(c.report);
    return rc;
}

static int run_mode(int mode, const unsigned char *data, size_t len, size_t chunk, result *best)
{
    result r = {0, 0, 0, 0, 0, NULL};
    double w0 = now(CLOCK_MONOTONIC), c0 = now(CLOCK_PROCESS_CPUTIME_ID);
    int rc = mode == MODE_YAJL ? run_yajl(data, len, chunk, &r) : run_codec(mode, data, len, chunk, &r);
    r.wall = now(CLOCK_MONOTONIC) - w0;
    r.cpu = now(CLOCK_PROCESS_CPUTIME_ID) - c0;
    if (rc != 0)
        return rc;
    if (!best->ran || r.wall < best->wall)
        best->wall = r.wall;
    if (!best->ran || r.cpu < best->cpu)
        best->cpu = r.cpu;
    best->items = r.items;
    best->out_bytes = r.out_bytes;
    best->ran = 1;
    return 0;
}

static unsigned char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf = NULL;
    long size;
    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (buf = malloc((size_t)size + 1)) != NULL && fread(buf, 1, (size_t)size, f) == (size_t)size) {
        *len = (size_t)size;
    } else {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    return buf;
}

static void usage(FILE *out)
{
    fprintf(out, "usage: bench_codec [--runs N] [--chunk BYTES] [--modes yajl,parse,write,validate] [--out OUTFILE] FILE\n");
}

int main(int argc, char **argv)
{
    int want[MODE_COUNT] = {1, 1, 1, 0};
    int runs = 3, i, m;
    size_t chunk = 64 * 1024, len = 0;
    const char *path = NULL, *out_path = NULL;
    unsigned char *data;
    result res[MODE_COUNT];
    want[MODE_VALIDATE] = 1;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc) {
            runs = atoi(argv[++i]);
        } else if (strcmp(argv[i], "--chunk") == 0 && i + 1 < argc) {
            chunk = (size_t)strtoul(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc) {
            out_path = argv[++i];
        } else if (strcmp(argv[i], "--modes") == 0 && i + 1 < argc) {
            const char *list = argv[++i];
            for (m = 0; m < MODE_COUNT; m++) {
                const char *hit = strstr(list, mode_names[m]);
                size_t n = strlen(mode_names[m]);
                want[m] = hit && (hit == list || hit[-1] == ',') && (hit[n] == '\0' || hit[n] == ',');
            }
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (argv[i][0] == '-' || path) {
            usage(stderr);
            return 2;
        } else {
            path = argv[i];
        }
    }
    if (!path || runs < 1 || chunk == 0) {
        usage(stderr);
        return 2;
    }
    if (!(data = read_file(path, &len))) {
        fprintf(stderr, "bench_codec: %s: %s\n", path, strerror(errno));
        return 3;
    }
    memset(res, 0, sizeof res);
    printf("bench_codec: %s, %zu bytes (%.1f MB), chunk %zu, best of %d runs\n", path, len, (double)len / 1e6, chunk, runs);
    for (i = 0; i < runs; i++)
        for (m = 0; m < MODE_COUNT; m++)
            if (want[m] && run_mode(m, data, len, chunk, &res[m]) != 0) {
                free(data);
                return 1;
            }
    printf("%-9s %10s %10s %9s %11s %11s %10s\n", "mode", "wall s", "cpu s", "MB/s", "ratio wall", "ratio cpu", "findings");
    for (m = 0; m < MODE_COUNT; m++) {
        double rw, rc;
        if (!want[m])
            continue;
        rw = want[MODE_YAJL] ? res[m].wall / res[MODE_YAJL].wall : 0;
        rc = want[MODE_YAJL] ? res[m].cpu / res[MODE_YAJL].cpu : 0;
        printf("%-9s %10.3f %10.3f %9.1f %11.2f %11.2f %10llu\n", mode_names[m], res[m].wall, res[m].cpu,
               (double)len / 1e6 / res[m].wall, rw, rc, res[m].items);
    }
    if (want[MODE_PARSE] && want[MODE_VALIDATE])
        printf("validate / parse: %.2f wall, %.2f cpu\n", res[MODE_VALIDATE].wall / res[MODE_PARSE].wall,
               res[MODE_VALIDATE].cpu / res[MODE_PARSE].cpu);
    for (m = 0; m < MODE_COUNT; m++)
        if (want[m])
            printf("RESULT mode=%s bytes=%zu wall_s=%.4f cpu_s=%.4f mbps=%.1f ratio=%.3f ratio_cpu=%.3f findings=%llu out_bytes=%llu\n",
                   mode_names[m], len, res[m].wall, res[m].cpu, (double)len / 1e6 / res[m].wall,
                   want[MODE_YAJL] ? res[m].wall / res[MODE_YAJL].wall : 0,
                   want[MODE_YAJL] ? res[m].cpu / res[MODE_YAJL].cpu : 0, res[m].items, res[m].out_bytes);
    if (out_path && want[MODE_WRITE]) {
        result check;
        memset(&check, 0, sizeof check);
        if (!(check.out = fopen(out_path, "wb"))) {
            fprintf(stderr, "bench_codec: %s: %s\n", out_path, strerror(errno));
            free(data);
            return 3;
        }
        i = run_codec(MODE_WRITE, data, len, chunk, &check);
        if (fclose(check.out) != 0 || i != 0) {
            fprintf(stderr, "bench_codec: writing %s failed\n", out_path);
            free(data);
            return 1;
        }
    }
    free(data);
    return 0;
}
