/* Shared pieces of the asff tool's commands: input loop, error printing, formats. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yajl/yajl_parse.h>
#include "cli.h"

bool cli_is_help(const char *s)
{
    return strcmp(s, "-h") == 0 || strcmp(s, "--help") == 0;
}

const char *cli_show(char *buf, size_t size, const char *s)
{
    return asff__text_show(buf, size, s);
}

void cli_print_error(const char *file, const asff_error *err)
{
    char f[CLI_SHOW], p[ASFF_ERROR_PATH_SIZE], m[ASFF_ERROR_MESSAGE_SIZE * 2];
    cli_show(f, sizeof f, file);
    cli_show(p, sizeof p, err->path);
    cli_show(m, sizeof m, err->message[0] ? err->message : asff_status_message(err->code));
    if (err->line)
        fprintf(stderr, "asff: %s: line %llu, column %llu: %s%s%s\n", f, (unsigned long long)err->line,
                (unsigned long long)err->column, p, p[0] ? ": " : "", m);
    else
        fprintf(stderr, "asff: %s: %s%s%s\n", f, p, p[0] ? ": " : "", m);
}

/* yajl parse callbacks that replay each token into a generator (cli_json_copy) */
static int jc_null(void *g)
{
    return yajl_gen_null(g) == yajl_gen_status_ok;
}
static int jc_bool(void *g, int b)
{
    return yajl_gen_bool(g, b) == yajl_gen_status_ok;
}
static int jc_number(void *g, const char *s, size_t n)
{
    return yajl_gen_number(g, s, n) == yajl_gen_status_ok;
}
static int jc_string(void *g, const unsigned char *s, size_t n)
{
    return yajl_gen_string(g, s, n) == yajl_gen_status_ok;
}
static int jc_map_open(void *g)
{
    return yajl_gen_map_open(g) == yajl_gen_status_ok;
}
static int jc_map_close(void *g)
{
    return yajl_gen_map_close(g) == yajl_gen_status_ok;
}
static int jc_array_open(void *g)
{
    return yajl_gen_array_open(g) == yajl_gen_status_ok;
}
static int jc_array_close(void *g)
{
    return yajl_gen_array_close(g) == yajl_gen_status_ok;
}

yajl_alloc_funcs *cli_yajl_funcs(void)
{
    static asff_yalloc ya;
    if (!ya.funcs.malloc)
        asff__yalloc_init(&ya, NULL);
    return &ya.funcs;
}

bool cli_json_copy(yajl_gen g, const char *text, size_t len)
{
    static const yajl_callbacks cb = {jc_null,     jc_bool,       NULL,         NULL,          jc_number, jc_string,
                                      jc_map_open, jc_string,     jc_map_close, jc_array_open, jc_array_close};
    yajl_handle h = yajl_alloc(&cb, cli_yajl_funcs(), g);
    bool ok;
    if (!h)
        return false;
    yajl_gen_config(g, yajl_gen_validate_utf8, 1);
    ok = yajl_parse(h, (const unsigned char *)text, len) == yajl_status_ok && yajl_complete_parse(h) == yajl_status_ok;
    yajl_free(h);
    return ok;
}

void cli_put_json(FILE *out, const char *json, size_t len)
{
    size_t i = 0, from = 0;
    while (i < len) {
        unsigned long cp = 0;
        size_t n = asff__text_char(json + i, len - i, &cp);
        if (!n || cp == 0x7f || asff__text_escaped_cp(cp)) {
            /* only inside strings: yajl writes nothing else beyond ASCII */
            fwrite(json + from, 1, i - from, out);
            fprintf(out, "\\u%04lx", n ? cp : 0xfffdUL);
            from = i + (n ? n : 1);
        }
        i += n ? n : 1;
    }
    fwrite(json + from, 1, len - from, out);
}

void cli_put_lines(FILE *out, const char *text)
{
    char buf[4096];
    while (*text) {
        const char *nl = strchr(text, '\n');
        size_t n = nl ? (size_t)(nl - text) : strlen(text);
        asff__text_escape(buf, sizeof buf, text, n);
        fputs(buf, out);
        if (nl)
            fputc('\n', out);
        text += n + (nl != NULL);
    }
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
    cli_error_fn efn;
    void *ectx;
} skip_ctx;

static void report_error(const skip_ctx *s, const asff_error *err)
{
    cli_print_error(s->file, err);
    if (s->efn)
        s->efn(s->ectx, s->file, err);
}

static int on_skip(void *ctx, const asff_error *err, const asff_finding_info *info)
{
    skip_ctx *s = ctx;
    (void)info;
    report_error(s, err);
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

static int parse_one(FILE *in, const char *name, const asff_parse_options *opts, asff_finding_fn fn, void *ctx,
                     cli_error_fn efn, void *ectx)
{
    static char buf[1 << 20]; /* large reads: a finding cut by a read's end is read by yajl (libasff's READ_CHUNK) */
    relay r;
    asff_parser *p;
    asff_error err;
    asff_status st = ASFF_OK;
    size_t n;
    if (cli_parallel_input(in))
        return cli_parse_parallel(in, name, opts, fn, ctx, efn, ectx);
    r.fn = fn;
    r.ctx = ctx;
    r.skip.file = name;
    r.skip.skipped = 0;
    r.skip.efn = efn;
    r.skip.ectx = ectx;
    asff_error_clear(&err);
    (void)asff_parser_new(opts, relay_finding, relay_error, &r, &p, NULL);
    if (!p) {
        fprintf(stderr, "asff: out of memory\n");
        return ASFF_EXIT_IO;
    }
    while (st == ASFF_OK && (n = fread(buf, 1, sizeof buf, in)) > 0)
        st = asff_parser_feed(p, buf, n, &err);
    if (st == ASFF_OK && ferror(in)) {
        asff_error_set(&err, ASFF_ERR_IO, strerror(errno));
        report_error(&r.skip, &err);
        asff_parser_free(p);
        return ASFF_EXIT_IO;
    }
    if (st == ASFF_OK)
        st = asff_parser_finish(p, &err);
    asff_parser_free(p);
    if (st == ASFF_ERR_ABORTED)
        return ASFF_EXIT_IO;
    if (st != ASFF_OK) {
        report_error(&r.skip, &err);
        return st == ASFF_ERR_NOMEM || st == ASFF_ERR_IO ? ASFF_EXIT_IO : ASFF_EXIT_FINDINGS;
    }
    return r.skip.skipped ? ASFF_EXIT_FINDINGS : ASFF_EXIT_OK;
}

int cli_parse_inputs_errors(int nfiles, char **files, const asff_parse_options *opts, asff_finding_fn fn, void *ctx,
                            cli_error_fn efn, void *ectx)
{
    int i, worst = ASFF_EXIT_OK;
    if (nfiles == 0)
        return parse_one(stdin, "<stdin>", opts, fn, ctx, efn, ectx);
    for (i = 0; i < nfiles; i++) {
        int rc;
        if (strcmp(files[i], "-") == 0) {
            rc = parse_one(stdin, "<stdin>", opts, fn, ctx, efn, ectx);
        } else {
            FILE *f = fopen(files[i], "rb");
            if (!f) {
                asff_error e = CLI_ERROR_INIT;
                skip_ctx s = {files[i], 0, efn, ectx};
                asff_error_set(&e, ASFF_ERR_IO, strerror(errno));
                report_error(&s, &e);
                rc = ASFF_EXIT_IO;
            } else {
                rc = parse_one(f, files[i], opts, fn, ctx, efn, ectx);
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

int cli_parse_inputs(int nfiles, char **files, const asff_parse_options *opts, asff_finding_fn fn, void *ctx)
{
    return cli_parse_inputs_errors(nfiles, files, opts, fn, ctx, NULL, NULL);
}

bool cli_parse_now(const char *v, int64_t *out)
{
    /* 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z in epoch seconds */
    const long long lo = -62135596800LL, hi = 253402300799LL;
    int64_t ms;
    long long s;
    char *end;
    if (asff_timestamp_to_ms(v, strlen(v), &ms) == ASFF_OK) {
        if (ms < lo * 1000 || ms > hi * 1000 + 999)
            return false;
        s = ms >= 0 ? ms / 1000 : (ms - 999) / 1000; /* floor to whole seconds */
    } else {
        errno = 0;
        s = strtoll(v, &end, 10);
        if (errno || end == v || *end)
            return false;
    }
    if (s < lo || s > hi)
        return false;
    *out = (int64_t)s;
    return true;
}

bool cli_same_file(const char *out, int n, char **inputs)
{
    struct stat so, si;
    int i;
    if (stat(out, &so) != 0) {
        for (i = 0; i < n; i++)
            if (strcmp(out, inputs[i]) == 0)
                return true;
        return false;
    }
    if (n == 0)
        return fstat(STDIN_FILENO, &si) == 0 && si.st_dev == so.st_dev && si.st_ino == so.st_ino && S_ISREG(so.st_mode);
    for (i = 0; i < n; i++) {
        int r = strcmp(inputs[i], "-") == 0 ? fstat(STDIN_FILENO, &si) : stat(inputs[i], &si);
        if (r == 0 && si.st_dev == so.st_dev && si.st_ino == so.st_ino && S_ISREG(so.st_mode))
            return true;
    }
    return false;
}

char *cli_read_file(const char *path, size_t *len)
{
    /* filters and rules: far below this; a device that never ends must not exhaust memory */
    const size_t max = (size_t)64 << 20;
    FILE *f = fopen(path, "rb");
    char *buf = NULL, shown[CLI_SHOW];
    size_t n = 0, cap = 0, got;
    cli_show(shown, sizeof shown, path);
    if (!f) {
        fprintf(stderr, "asff: %s: %s\n", shown, strerror(errno));
        return NULL;
    }
    do {
        if (n + 4096 > cap) {
            char *p;
            if (cap >= max) {
                fprintf(stderr, "asff: %s: larger than %zu bytes (or never ends)\n", shown, max);
                free(buf);
                fclose(f);
                return NULL;
            }
            p = realloc(buf, cap = cap ? cap * 2 : 65536);
            if (!p) {
                free(buf);
                fclose(f);
                fprintf(stderr, "asff: %s: out of memory\n", shown);
                return NULL;
            }
            buf = p;
        }
        got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
    } while (got > 0);
    if (ferror(f)) {
        fprintf(stderr, "asff: %s: read error: %s\n", shown, strerror(errno));
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
