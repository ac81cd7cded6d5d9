/* Shared pieces of the asff tool's commands: input loop, error printing, formats. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

bool cli_is_help(const char *s)
{
    return strcmp(s, "-h") == 0 || strcmp(s, "--help") == 0;
}

void cli_print_error(const char *file, const asff_error *err)
{
    if (err->line)
        fprintf(stderr, "asff: %s: line %llu, column %llu: %s%s%s\n", file, (unsigned long long)err->line,
                (unsigned long long)err->column, err->path, err->path[0] ? ": " : "", err->message);
    else
        fprintf(stderr, "asff: %s: %s%s%s\n", file, err->path, err->path[0] ? ": " : "", err->message);
}

bool cli_parse_format(const char *name, asff_write_options *out)
{
    out->pretty = false;
    if (strcmp(name, "ndjson") == 0)
        out->format = ASFF_FORMAT_NDJSON;
    else if (strcmp(name, "array") == 0)
        out->format = ASFF_FORMAT_ARRAY;
    else if (strcmp(name, "batch") == 0)
        out->format = ASFF_FORMAT_BATCH;
    else if (strcmp(name, "pretty") == 0) {
        out->format = ASFF_FORMAT_ARRAY;
        out->pretty = true;
    } else
        return false;
    return true;
}

typedef struct skip_ctx {
    const char *file;
    unsigned long skipped;
} skip_ctx;

static int on_skip(void *ctx, const asff_error *err, const asff_finding_info *info)
{
    skip_ctx *s = ctx;
    (void)info;
    cli_print_error(s->file, err);
    s->skipped++;
    return 0;
}

typedef struct relay {
    asff_finding_fn fn;
    void *ctx;
    skip_ctx skip;
} relay;

static int relay_finding(void *ctx, void *finding, const asff_finding_info *info)
{
    relay *r = ctx;
    return r->fn(r->ctx, finding, info);
}

static int relay_error(void *ctx, const asff_error *err, const asff_finding_info *info)
{
    relay *r = ctx;
    return on_skip(&r->skip, err, info);
}

static int parse_one(FILE *in, const char *name, const asff_parse_options *opts, asff_finding_fn fn, void *ctx)
{
    static char buf[1 << 16];
    relay r;
    asff_parser *p;
    asff_error err;
    asff_status st = ASFF_OK;
    size_t n;
    r.fn = fn;
    r.ctx = ctx;
    r.skip.file = name;
    r.skip.skipped = 0;
    asff_error_clear(&err);
    (void)asff_parser_new(opts, relay_finding, relay_error, &r, &p, NULL);
    if (!p) {
        fprintf(stderr, "asff: out of memory\n");
        return ASFF_EXIT_IO;
    }
    while (st == ASFF_OK && (n = fread(buf, 1, sizeof buf, in)) > 0)
        st = asff_parser_feed(p, buf, n, &err);
    if (st == ASFF_OK && ferror(in)) {
        fprintf(stderr, "asff: %s: read error: %s\n", name, strerror(errno));
        asff_parser_free(p);
        return ASFF_EXIT_IO;
    }
    if (st == ASFF_OK)
        st = asff_parser_finish(p, &err);
    asff_parser_free(p);
    if (st == ASFF_ERR_ABORTED)
        return ASFF_EXIT_IO;
    if (st != ASFF_OK) {
        cli_print_error(name, &err);
        return st == ASFF_ERR_NOMEM || st == ASFF_ERR_IO ? ASFF_EXIT_IO : ASFF_EXIT_FINDINGS;
    }
    return r.skip.skipped ? ASFF_EXIT_FINDINGS : ASFF_EXIT_OK;
}

int cli_parse_inputs(int nfiles, char **files, const asff_parse_options *opts, asff_finding_fn fn, void *ctx)
{
    int i, worst = ASFF_EXIT_OK;
    if (nfiles == 0)
        return parse_one(stdin, "<stdin>", opts, fn, ctx);
    for (i = 0; i < nfiles; i++) {
        int rc;
        if (strcmp(files[i], "-") == 0) {
            rc = parse_one(stdin, "<stdin>", opts, fn, ctx);
        } else {
            FILE *f = fopen(files[i], "rb");
            if (!f) {
                fprintf(stderr, "asff: %s: %s\n", files[i], strerror(errno));
                rc = ASFF_EXIT_IO;
            } else {
                rc = parse_one(f, files[i], opts, fn, ctx);
                fclose(f);
            }
        }
        if (rc > worst)
            worst = rc;
        if (rc == ASFF_EXIT_IO)
            break;
    }
    return worst;
}

char *cli_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t n = 0, cap = 0, got;
    if (!f) {
        fprintf(stderr, "asff: %s: %s\n", path, strerror(errno));
        return NULL;
    }
    do {
        if (n + 4096 > cap) {
            char *p = realloc(buf, cap = cap ? cap * 2 : 65536);
            if (!p) {
                free(buf);
                fclose(f);
                fprintf(stderr, "asff: %s: out of memory\n", path);
                return NULL;
            }
            buf = p;
        }
        got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
    } while (got > 0);
    if (ferror(f)) {
        fprintf(stderr, "asff: %s: read error: %s\n", path, strerror(errno));
        free(buf);
        fclose(f);
        return NULL;
    }
    fclose(f);
    buf[n] = 0;
    *len = n;
    return buf;
}

char *cli_read_arg(const char *v, size_t *len)
{
    char *buf;
    if (v[0] == '@')
        return cli_read_file(v + 1, len);
    *len = strlen(v);
    buf = malloc(*len + 1);
    if (buf)
        memcpy(buf, v, *len + 1);
    else
        fprintf(stderr, "asff: out of memory\n");
    return buf;
}
