/*
 * Hive-style partitioned NDJSON (docs/scale-out.md): DIR/region=us-east-1/account=123456789012/
 * yyyy=2024/mm=01/dd=02/part-00000.ndjson, the layout that the tables of asff_schema_ddl read.
 *
 * Files stay open between findings, at most max_open at a time (the least recently used is closed
 * and reopened for appending when needed), so memory is bounded by max_open writers plus the list
 * of partition folders seen. With gzip, each open file has its own deflate stream (~270 KB with
 * zlib's defaults) on the writer's allocator; a file reopened for appending gets a new gzip member.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>
#include "convert_internal.h"

enum pkey { P_REGION, P_ACCOUNT, P_YYYY, P_MM, P_DD, P_HH, P_PRODUCT, P_COUNT };
static const char *const key_names[P_COUNT] = {"region", "account", "yyyy", "mm", "dd", "hh", "product"};

/* A deflate stream in gzip framing from the finding writer into a FILE. */
typedef struct gz_sink {
    z_stream z;
    FILE *file;
    bool failed;
    unsigned char out[16384];
} gz_sink;

typedef struct open_file {
    char *path;           /* the partition folder, relative to dir */
    FILE *file;
    gz_sink *gz;          /* NULL without gzip */
    asff_writer *w;
    uint64_t used;        /* last use, for LRU */
} open_file;

struct asff_partition_writer {
    const asff_allocator *alloc;
    char *dir;
    char *file_name;      /* "part-00000.ndjson" */
    int keys[8];
    size_t nkeys;
    bool gzip;
    open_file *open;
    size_t nopen, max_open;
    char **seen;          /* partition folders created by this writer (truncated on first open) */
    size_t nseen, capseen;
    uint64_t clock;
    asff_buf path;
};

static char *dup_s(const asff_allocator *a, const char *s)
{
    size_t n = strlen(s);
    char *p = asff__malloc(a, n + 1);
    if (p)
        memcpy(p, s, n + 1);
    return p;
}

asff_status asff_partition_writer_new(const char *dir, const asff_partition_options *options,
                                      asff_partition_writer **out, asff_error *err)
{
    asff_partition_options defaults = ASFF_PARTITION_OPTIONS_INIT;
    const asff_partition_options *o = options ? options : &defaults;
    const char *spec = o->partition_by ? o->partition_by : "region/account/yyyy/mm/dd";
    const asff_allocator *alloc = asff__alloc_or_default(o->allocator);
    asff_partition_writer *w;
    const char *p = spec;
    char name[64];
    if (out)
        *out = NULL;
    if (!dir || !*dir || !out)
        return asff_error_set(err, ASFF_ERR_INVALID_ARG, "a partitioned export needs an output folder");
    if (o->version > ASFF_PARTITION_OPTIONS_VERSION)
        return asff_error_set(err, ASFF_ERR_INVALID_ARG, "asff_partition_options: unknown version");
    w = asff__malloc(alloc, sizeof *w);
    if (!w)
        return asff_error_set(err, ASFF_ERR_NOMEM, "out of memory");
    memset(w, 0, sizeof *w);
    w->alloc = alloc;
    w->max_open = o->max_open ? o->max_open : 64;
    asff__buf_init(&w->path, alloc);
    while (*p) {
        size_t len = strcspn(p, "/"), k;
        if (len == 0 || len >= sizeof name || w->nkeys == 8) {
            asff_partition_writer_free(w);
            return asff_error_set(err, ASFF_ERR_INVALID_ARG, "partition_by is up to 8 '/'-separated names");
        }
        memcpy(name, p, len);
        name[len] = '\0';
        for (k = 0; k < P_COUNT && strcmp(name, key_names[k]) != 0; k++)
            ;
        if (k == P_COUNT) {
            asff_partition_writer_free(w);
            return asff__error_setf(err, ASFF_ERR_INVALID_ARG,
                                   "unknown partition '%s' (region, account, yyyy, mm, dd, hh, product)", name);
        }
        w->keys[w->nkeys++] = (int)k;
        p += len;
        if (*p == '/')
            p++;
    }
    w->gzip = o->version >= 2 && o->gzip; /* a version 1 struct ends before gzip */
    w->dir = dup_s(alloc, dir);
    w->file_name = dup_s(alloc, o->file_name ? o->file_name : w->gzip ? "part-00000.ndjson.gz" : "part-00000.ndjson");
    w->open = asff__malloc(alloc, w->max_open * sizeof *w->open);
    if (!w->dir || !w->file_name || !w->open) {
        asff_partition_writer_free(w);
        return asff_error_set(err, ASFF_ERR_NOMEM, "out of memory");
    }
    if (strchr(w->file_name, '/')) {
        asff_partition_writer_free(w);
        return asff_error_set(err, ASFF_ERR_INVALID_ARG, "the file name has a '/'");
    }
    *out = w;
    return ASFF_OK;
}

/* Append a partition value, escaped as Hive does: bytes outside [A-Za-z0-9_.-] as %XX, and a value
 * made only of dots escaped whole, so that no value can name another folder. */
static asff_status put_value(asff_buf *b, const char *v)
{
    bool dots = v[strspn(v, ".")] == '\0';
    asff_status st = ASFF_OK;
    if (!*v)
        return asff__buf_append(b, "__HIVE_DEFAULT_PARTITION__", 26);
    for (; *v && st == ASFF_OK; v++) {
        unsigned char c = (unsigned char)*v;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
            (c == '.' && !dots))
            st = asff__buf_putc(b, (char)c);
        else
            st = asff__buf_appendf(b, "%%%02X", c);
    }
    return st;
}

static const char *arn_region(const char *arn, char *buf, size_t size)
{
    const char *p = arn;
    int i;
    for (i = 0; p && i < 3; i++)
        p = strchr(p, ':') ? strchr(p, ':') + 1 : NULL;
    if (p) {
        size_t n = strcspn(p, ":");
        if (n && n < size) {
            memcpy(buf, p, n);
            buf[n] = '\0';
            return buf;
        }
    }
    return "";
}

static asff_status partition_path(asff_partition_writer *w, const asff_AwsSecurityFinding *f, asff_error *err)
{
    char ts[25] = "", rbuf[64], tmp[8];
    const char *v;
    size_t i;
    asff_status st = ASFF_OK;
    int64_t ms;
    if (f->UpdatedAt && asff_timestamp_to_ms(f->UpdatedAt, strlen(f->UpdatedAt), &ms) == ASFF_OK)
        (void)asff_timestamp_from_ms(ms, ts);
    asff__buf_reset(&w->path);
    for (i = 0; i < w->nkeys && st == ASFF_OK; i++) {
        switch (w->keys[i]) {
        case P_REGION:
            v = f->Region ? f->Region
                : f->Resources.count && f->Resources.items[0] && f->Resources.items[0]->Region
                    ? f->Resources.items[0]->Region
                    : arn_region(f->ProductArn, rbuf, sizeof rbuf);
            break;
        case P_ACCOUNT:
            v = f->AwsAccountId ? f->AwsAccountId : "";
            break;
        case P_PRODUCT:
            v = f->ProductName ? f->ProductName : "";
            break;
        default: {
            /* yyyy, mm, dd, hh of UpdatedAt in UTC: "YYYY-MM-DDTHH" */
            static const int at[] = {0, 5, 8, 11}, len[] = {4, 2, 2, 2};
            int k = w->keys[i] - P_YYYY;
            if (ts[0]) {
                memcpy(tmp, ts + at[k], (size_t)len[k]);
                tmp[len[k]] = '\0';
                v = tmp;
            } else {
                v = "";
            }
        }
        }
        st = asff__buf_appendf(&w->path, "%s%s=", i ? "/" : "", key_names[w->keys[i]]);
        if (st == ASFF_OK)
            st = put_value(&w->path, v);
    }
    if (st != ASFF_OK)
        return asff_error_set(err, ASFF_ERR_NOMEM, "out of memory");
    return ASFF_OK;
}

/* mkdir -p of dir/rel. */
static asff_status make_dirs(asff_partition_writer *w, const char *full, asff_error *err)
{
    char *p = dup_s(w->alloc, full), *s;
    if (!p)
        return asff_error_set(err, ASFF_ERR_NOMEM, "out of memory");
    for (s = p + 1; ; s++) {
        if (*s == '/' || *s == '\0') {
            char c = *s;
            *s = '\0';
            if (mkdir(p, 0777) != 0 && errno != EEXIST) {
                asff__error_setf(err, ASFF_ERR_IO, "cannot create folder %s: %s", p, strerror(errno));
                asff__free(w->alloc, p);
                return ASFF_ERR_IO;
            }
            *s = c;
            if (!c)
                break;
        }
    }
    asff__free(w->alloc, p);
    return ASFF_OK;
}

/* zlib allocates through the writer's allocator */
static voidpf gz_alloc(voidpf opaque, uInt items, uInt size)
{
    if (size && items > SIZE_MAX / size)
        return Z_NULL;
    return asff__malloc(opaque, (size_t)items * size);
}

static void gz_release(voidpf opaque, voidpf p)
{
    asff__free(opaque, p);
}

/* Run deflate over what is in z's input with flush, writing every output byte to the file. */
static int gz_pump(gz_sink *g, int flush)
{
    int r;
    do {
        g->z.next_out = g->out;
        g->z.avail_out = sizeof g->out;
        r = deflate(&g->z, flush);
        if (r == Z_STREAM_ERROR)
            return -1;
        if (fwrite(g->out, 1, sizeof g->out - g->z.avail_out, g->file) != sizeof g->out - g->z.avail_out)
            return -1;
    } while (g->z.avail_out == 0 || (flush == Z_FINISH && r != Z_STREAM_END));
    return 0;
}

static int gz_write(void *ctx, const char *data, size_t len)
{
    gz_sink *g = ctx;
    while (!g->failed && len) {
        uInt n = len > UINT_MAX ? UINT_MAX : (uInt)len;
        g->z.next_in = (Bytef *)(uintptr_t)data; /* deflate does not write its input */
        g->z.avail_in = n;
        if (gz_pump(g, Z_NO_FLUSH) != 0)
            g->failed = true;
        data += n;
        len -= n;
    }
    return g->failed ? -1 : 0;
}

static asff_status gz_open(asff_partition_writer *w, open_file *o)
{
    o->gz = asff__malloc(w->alloc, sizeof *o->gz);
    if (!o->gz)
        return ASFF_ERR_NOMEM;
    memset(o->gz, 0, sizeof *o->gz);
    o->gz->file = o->file;
    o->gz->z.zalloc = gz_alloc;
    o->gz->z.zfree = gz_release;
    o->gz->z.opaque = (voidpf)(uintptr_t)w->alloc;
    /* windowBits 15 + 16: a gzip header and trailer around the deflate stream */
    if (deflateInit2(&o->gz->z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        asff__free(w->alloc, o->gz);
        o->gz = NULL;
        return ASFF_ERR_NOMEM;
    }
    return ASFF_OK;
}

/* End the gzip member (when finish) and free the stream; nonzero when a byte could not be written. */
static int gz_close(asff_partition_writer *w, open_file *o, bool finish)
{
    int r = 0;
    if (!o->gz)
        return 0;
    if (finish && (o->gz->failed || gz_pump(o->gz, Z_FINISH) != 0))
        r = -1;
    deflateEnd(&o->gz->z);
    asff__free(w->alloc, o->gz);
    o->gz = NULL;
    return r;
}

static void close_one(asff_partition_writer *w, size_t i, asff_error *err, asff_status *st)
{
    open_file *o = &w->open[i];
    if (asff_writer_finish(o->w, err) != ASFF_OK && *st == ASFF_OK)
        *st = ASFF_ERR_IO;
    asff_writer_free(o->w);
    if (gz_close(w, o, true) != 0 && *st == ASFF_OK)
        *st = asff_error_set(err, ASFF_ERR_IO, "writing a compressed partition file failed");
    if (fclose(o->file) != 0 && *st == ASFF_OK)
        *st = asff_error_set(err, ASFF_ERR_IO, "closing a partition file failed");
    asff__free(w->alloc, o->path);
    w->open[i] = w->open[--w->nopen];
}

static open_file *get_file(asff_partition_writer *w, asff_error *err, asff_status *st)
{
    size_t i, lru = 0;
    bool seen = false;
    open_file *o;
    asff_buf full;
    FILE *file;
    for (i = 0; i < w->nopen; i++)
        if (strcmp(w->open[i].path, w->path.data) == 0) {
            w->open[i].used = ++w->clock;
            return &w->open[i];
        }
    if (w->nopen == w->max_open) {
        for (i = 1; i < w->nopen; i++)
            if (w->open[i].used < w->open[lru].used)
                lru = i;
        close_one(w, lru, err, st);
        if (*st != ASFF_OK)
            return NULL;
    }
    for (i = 0; i < w->nseen && !seen; i++)
        seen = strcmp(w->seen[i], w->path.data) == 0;
    asff__buf_init(&full, w->alloc);
    if (asff__buf_appendf(&full, "%s/%s", w->dir, w->path.data) != ASFF_OK) {
        *st = asff_error_set(err, ASFF_ERR_NOMEM, "out of memory");
        return NULL;
    }
    if (!seen && (*st = make_dirs(w, full.data, err)) != ASFF_OK) {
        asff__buf_cleanup(&full);
        return NULL;
    }
    if (asff__buf_appendf(&full, "/%s", w->file_name) != ASFF_OK) {
        asff__buf_cleanup(&full);
        *st = asff_error_set(err, ASFF_ERR_NOMEM, "out of memory");
        return NULL;
    }
    /* a folder seen for the first time starts a new file; a reopened one is appended to */
    file = fopen(full.data, seen ? "ab" : "wb");
    if (!file) {
        *st = asff__error_setf(err, ASFF_ERR_IO, "cannot open %s: %s", full.data, strerror(errno));
        asff__buf_cleanup(&full);
        return NULL;
    }
    asff__buf_cleanup(&full);
    if (!seen) {
        if (w->nseen == w->capseen) {
            size_t n = w->capseen ? w->capseen * 2 : 16;
            char **s = asff__realloc(w->alloc, w->seen, n * sizeof *s);
            if (!s) {
                fclose(file);
                *st = asff_error_set(err, ASFF_ERR_NOMEM, "out of memory");
                return NULL;
            }
            w->seen = s;
            w->capseen = n;
        }
        if ((w->seen[w->nseen] = dup_s(w->alloc, w->path.data)) == NULL) {
            fclose(file);
            *st = asff_error_set(err, ASFF_ERR_NOMEM, "out of memory");
            return NULL;
        }
        w->nseen++;
    }
    o = &w->open[w->nopen];
    memset(o, 0, sizeof *o);
    o->file = file;
    o->path = dup_s(w->alloc, w->path.data);
    {
        asff_write_options wo = ASFF_WRITE_OPTIONS_INIT;
        wo.allocator = w->alloc;
        if (!w->gzip)
            (void)asff_writer_new_file(file, &wo, &o->w, NULL);
        else if (gz_open(w, o) == ASFF_OK)
            (void)asff_writer_new_callback(gz_write, o->gz, &wo, &o->w, NULL);
    }
    if (!o->path || !o->w) {
        asff_writer_free(o->w);
        (void)gz_close(w, o, false);
        asff__free(w->alloc, o->path);
        fclose(file);
        *st = asff_error_set(err, ASFF_ERR_NOMEM, "out of memory");
        return NULL;
    }
    o->used = ++w->clock;
    w->nopen++;
    return o;
}

asff_status asff_partition_writer_write(asff_partition_writer *w, const asff_AwsSecurityFinding *f, asff_error *err)
{
    asff_status st = ASFF_OK;
    open_file *o;
    if (!w || !f)
        return asff_error_set(err, ASFF_ERR_INVALID_ARG, "no writer or no finding");
    if ((st = partition_path(w, f, err)) != ASFF_OK)
        return st;
    o = get_file(w, err, &st);
    if (!o)
        return st;
    return asff_writer_write(o->w, f, err);
}

asff_status asff_partition_writer_finish(asff_partition_writer *w, asff_error *err)
{
    asff_status st = ASFF_OK;
    if (!w)
        return asff_error_set(err, ASFF_ERR_INVALID_ARG, "no writer");
    while (w->nopen)
        close_one(w, w->nopen - 1, err, &st);
    return st;
}

uint64_t asff_partition_writer_count(const asff_partition_writer *w)
{
    return w ? w->nseen : 0;
}

void asff_partition_writer_free(asff_partition_writer *w)
{
    size_t i;
    if (!w)
        return;
    for (i = 0; i < w->nopen; i++) {
        asff_writer_free(w->open[i].w);
        (void)gz_close(w, &w->open[i], false);
        fclose(w->open[i].file);
        asff__free(w->alloc, w->open[i].path);
    }
    for (i = 0; i < w->nseen; i++)
        asff__free(w->alloc, w->seen[i]);
    asff__free(w->alloc, w->seen);
    asff__free(w->alloc, w->open);
    asff__free(w->alloc, w->dir);
    asff__free(w->alloc, w->file_name);
    asff__buf_cleanup(&w->path);
    asff__free(w->alloc, w);
}
