/* The batch reader: findings in, filtered and projected, handed out many at a time as bytes
 * (include/asff/filter.h). Built for bindings: one call per batch instead of one per finding. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "asff/filter.h"
#include "asff/codec.h"
#include "core/internal.h"
#include "pickle.h"

#define DEFAULT_CHUNK (64u * 1024u)
#define PICKLE_HEAD 11u   /* PROTO 4, FRAME and its 8-byte length */

enum { SRC_FILE, SRC_FD, SRC_BUFFER, SRC_READ };

/* readahead on a regular file: a thread of its own reads the file into a ring of blocks, so that
 * the worker spends its time parsing rather than copying from the page cache */
#define IO_BLOCK (256u * 1024u)
#define IO_BLOCKS 4u
typedef struct io_block {
    char *data;
    size_t len, pos;
    bool full;                  /* filled (len 0: the end of the file, or a read error) */
} io_block;

/* One whole output line (a finding, or an array of them) ends at `end` in the output buffer. */
typedef struct line_rec {
    size_t end;
    size_t count;
} line_rec;

struct asff_batch_reader {
    const asff_allocator *alloc;
    asff_batch_options opt;
    char **fields;              /* copies of the projection's names */
    asff_parser *parser;
    asff_writer *writer;        /* compact writer into wout, for projected or multi-line findings */
    asff_buf *wout;             /* out (NDJSON) or scratch (pickle) */
    asff_buf scratch;           /* pickle format: a finding's JSON when not its own bytes */
    asff__pickler pickler;
    bool pickle;
    bool wout_nomem;
    bool projected;             /* a filter's projection: a passing finding may lack members */
    int kind;
    FILE *file;
    int fd;
    const unsigned char *data;
    size_t data_len, data_pos;
    asff_read_fn fn;
    void *fn_ctx;
    /* Bytes fed to the parser from parser offset in_base on: a finding's own bytes are sliced from
     * here when it completes. Older bytes are dropped once no finding can still start in them. */
    asff_buf in;
    uint64_t in_base;
    uint64_t last_end;          /* parser offset just past the last finding read */
    uint64_t fed_nonws_end;     /* parser offset just past the last non-blank byte fed */
    /* prefilter mode: bytes read but not yet fed or skipped (whole lines first, then a partial one) */
    asff_buf pend;
    size_t pend_pos;
    uint64_t skipped_bytes, skipped_lines, skipped_findings;
    /* output waiting to be handed out */
    asff_buf out;
    line_rec *lines;
    size_t nlines, lines_cap;
    bool group_open;
    size_t group_start, group_count;
    uint64_t passed, bytes;
    bool eof, finished;
    asff_status failed;         /* final error, handed out once the lines before it are */
    asff_error ferr;
    asff_status cb_status;      /* an error inside the finding callback (memory, writer) */
    asff_error cb_err;
    /* readahead: a worker pumps (reads, parses, writes output) while the caller uses the last batch.
     * Everything above belongs to whoever holds mu with busy false, or to the worker while busy. */
    bool ahead, ahead_init, started, busy, quit, want;
    size_t ahead_cap;           /* the caller's last cap: the worker keeps up to twice that ready */
    uint64_t snap[3];           /* counts as of the last batch handed out (read, passed, bytes) */
    pthread_t worker;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    /* the reading thread: the FILE and the ring are its own, the blocks handed over under io_mu
     * (never taken while it waits for mu: the caller may pump while holding mu) */
    bool io_started, io_quit;
    int io_errno;
    uint64_t io_fill, io_take;  /* blocks filled, blocks used up */
    io_block io_ring[IO_BLOCKS];
    pthread_t io;
    pthread_mutex_t io_mu;
    pthread_cond_t io_cv;
};

static bool wanted(const asff_batch_reader *r, const char *name)
{
    size_t i;
    for (i = 0; i < r->opt.field_count; i++)
        if (strcmp(r->fields[i], name) == 0)
            return true;
    return false;
}

static asff_status push_line(asff_batch_reader *r, size_t count)
{
    if (r->nlines == r->lines_cap) {
        size_t cap = r->lines_cap ? r->lines_cap * 2 : 64;
        line_rec *n = asff__realloc(r->alloc, r->lines, cap * sizeof *n);
        if (!n)
            return ASFF_ERR_NOMEM;
        r->lines = n;
        r->lines_cap = cap;
    }
    r->lines[r->nlines].end = r->out.len;
    r->lines[r->nlines].count = count;
    r->nlines++;
    return ASFF_OK;
}

static asff_status close_group(asff_batch_reader *r)
{
    asff_status st;
    if (!r->group_open)
        return ASFF_OK;
    r->group_open = false;
    /* pickle: APPENDS, STOP */
    if ((st = asff__buf_append(&r->out, r->pickle ? "e." : "]\n", 2)) != ASFF_OK)
        return st;
    if (r->pickle) {
        /* the FRAME's length: the unpickler of a file reads the whole pickle in one read() */
        uint64_t n = r->out.len - r->group_start - PICKLE_HEAD;
        int i;
        for (i = 0; i < 8; i++)
            r->out.data[r->group_start + 3 + (size_t)i] = (char)((n >> (8 * i)) & 0xff);
    }
    return push_line(r, r->group_count);
}

static int write_out(void *ctx, const char *data, size_t len)
{
    asff_batch_reader *r = ctx;
    if (asff__buf_append(r->wout, data, len) == ASFF_OK)
        return 0;
    r->wout_nomem = true;   /* the writer reports a failed callback as ASFF_ERR_IO */
    return 1;
}

/* Append one finding to the output: its own bytes when they are one line and no projection
 * applies, else the writer's compact form of the (projected) finding. */
static asff_status emit(asff_batch_reader *r, void *finding, const asff_finding_info *info)
{
    asff_status st;
    const char *raw = NULL;
    size_t rawlen = (size_t)info->length;
    size_t before = r->out.len;
    bool opened = false;
    if (info->offset >= r->in_base && info->offset - r->in_base + info->length <= r->in.len)
        raw = r->in.data + (info->offset - r->in_base);
    if (r->opt.group_bytes || r->pickle) {
        if (!r->group_open) {
            r->group_open = opened = true;
            r->group_start = r->out.len;
            r->group_count = 0;
            if (r->pickle)
                asff__pickler_reset_memo(&r->pickler);
            /* pickle: PROTO 4, FRAME (its length set by close_group), EMPTY_LIST, MARK */
            st = r->pickle ? asff__buf_append(&r->out, "\x80\x04\x95\0\0\0\0\0\0\0\0](", PICKLE_HEAD + 2)
                           : asff__buf_putc(&r->out, '[');
        } else {
            st = r->pickle ? ASFF_OK : asff__buf_putc(&r->out, ',');
        }
        if (st != ASFF_OK)
            goto undo;
    }
    /* (the pickle format follows the same rule, so that both formats give the same values: the writer
     * may respell a number, 2.0 as 2) */
    if (raw && !r->fields && !memchr(raw, '\n', rawlen) && !memchr(raw, '\r', rawlen)) {
        st = r->pickle ? asff__pickle_json(&r->pickler, &r->out, raw, rawlen) : asff__buf_append(&r->out, raw, rawlen);
        if (st != ASFF_OK)
            goto undo;
    } else {
        void *whole = NULL;
        if (r->projected && !r->fields) {
            /* a projected finding spread over lines: built whole from its own bytes for the writer */
            asff_parse_options po = ASFF_PARSE_OPTIONS_INIT;
            if (!raw) {
                st = asff__error_setf(&r->cb_err, ASFF_ERR_INTERNAL, "a finding's bytes left the input window");
                goto undo;
            }
            po.allocator = r->opt.allocator;
            po.max_finding = r->opt.max_finding;
            if ((st = asff_parse_object(raw, rawlen, 0, &po, &whole, &r->cb_err)) != ASFF_OK)
                goto undo;
            finding = whole;
        }
        if (r->fields) {
            const asff_type *t = asff_object_type(finding);
            const asff_object *h = finding;
            const asff_extra *e;
            uint32_t i;
            for (i = 0; t && i < t->nmembers; i++)
                if (!wanted(r, t->members[i].name))
                    asff_unset(finding, t->members[i].name);
            for (e = h->extra; e; e = e->next)
                if (e->json && !wanted(r, e->name))
                    asff_unset(finding, e->name);
        }
        if (!r->writer) {
            asff_write_options wo = ASFF_WRITE_OPTIONS_INIT;
            wo.format = ASFF_FORMAT_VALUE;
            wo.allocator = r->opt.allocator;
            if (asff_writer_new_callback(write_out, r, &wo, &r->writer, NULL) != ASFF_OK)
                return asff__error_setf(&r->cb_err, ASFF_ERR_NOMEM, "out of memory (writer)");
        }
        asff__buf_reset(&r->scratch);
        r->wout_nomem = false;
        st = asff_writer_write(r->writer, finding, &r->cb_err);
        asff_object_free(whole);
        if (st != ASFF_OK) {
            if (r->wout_nomem)
                st = asff__error_setf(&r->cb_err, ASFF_ERR_NOMEM, "out of memory (batch output)");
            /* a broken writer takes no more writes: the next finding gets a new one */
            asff_writer_free(r->writer);
            r->writer = NULL;
            goto undo;
        }
        if (r->pickle && (st = asff__pickle_json(&r->pickler, &r->out, r->scratch.data, r->scratch.len)) != ASFF_OK)
            goto undo;
    }
    r->passed++;
    if (r->pickle && !r->opt.group_bytes) {
        r->group_count++;
        return close_group(r);
    }
    if (!r->opt.group_bytes) {
        if ((st = asff__buf_putc(&r->out, '\n')) != ASFF_OK)
            return st;
        return push_line(r, 1);
    }
    r->group_count++;
    if (r->out.len - r->group_start >= r->opt.group_bytes)
        return close_group(r);
    return ASFF_OK;
undo:
    r->out.len = before;   /* the lines before stay whole */
    if (opened)
        r->group_open = false;
    return st;
}

/* Projection (docs/codec.md): with a filter, only what it reads is built, and a finding it passes
 * is built whole for output. */
static int want_whole(void *ctx, const void *finding)
{
    asff_batch_reader *r = ctx;
    /* Without fields the output is the finding's own bytes (emit): nothing to build. */
    return r->fields ? asff_filter_match(r->opt.filter, finding) : 0;
}

static int on_finding(void *ctx, void *finding, const asff_finding_info *info)
{
    asff_batch_reader *r = ctx;
    asff_status st;
    r->last_end = info->offset + info->length;
    if (r->opt.filter && !asff_filter_match(r->opt.filter, finding))
        return 0;
    if ((st = emit(r, finding, info)) != ASFF_OK) {
        if (r->cb_err.code != st)
            asff__error_setf(&r->cb_err, st, "out of memory (batch output)");
        r->cb_status = st;
        return 1;
    }
    return r->opt.limit && r->passed >= r->opt.limit ? 1 : 0;
}

static void *io_main(void *arg)
{
    asff_batch_reader *r = arg;
    pthread_mutex_lock(&r->io_mu);
    for (;;) {
        io_block *b = &r->io_ring[r->io_fill % IO_BLOCKS];
        size_t n;
        int e;
        while (!r->io_quit && b->full)
            pthread_cond_wait(&r->io_cv, &r->io_mu);
        if (r->io_quit)
            break;
        pthread_mutex_unlock(&r->io_mu);
        n = fread(b->data, 1, IO_BLOCK, r->file);
        e = n == 0 && ferror(r->file) ? (errno ? errno : EIO) : 0;
        pthread_mutex_lock(&r->io_mu);
        b->len = n;
        b->pos = 0;
        b->full = true;
        r->io_fill++;
        pthread_cond_broadcast(&r->io_cv);
        if (n == 0) {
            r->io_errno = e;
            break;
        }
    }
    pthread_mutex_unlock(&r->io_mu);
    return NULL;
}

/* Start the reading thread when the source is a regular file; without it (no memory, no thread)
 * the worker reads the file itself. */
static void io_start(asff_batch_reader *r)
{
    struct stat st;
    unsigned i;
    if (r->kind != SRC_FILE || fstat(fileno(r->file), &st) != 0 || !S_ISREG(st.st_mode))
        return;
    for (i = 0; i < IO_BLOCKS; i++)
        if (!(r->io_ring[i].data = asff__malloc(r->alloc, IO_BLOCK)))
            goto fail;
    if (pthread_mutex_init(&r->io_mu, NULL) != 0)
        goto fail;
    if (pthread_cond_init(&r->io_cv, NULL) != 0) {
        pthread_mutex_destroy(&r->io_mu);
        goto fail;
    }
    if (pthread_create(&r->io, NULL, io_main, r) == 0) {
        r->io_started = true;
        return;
    }
    pthread_cond_destroy(&r->io_cv);
    pthread_mutex_destroy(&r->io_mu);
fail:
    for (i = 0; i < IO_BLOCKS; i++) {
        asff__free(r->alloc, r->io_ring[i].data);
        r->io_ring[i].data = NULL;
    }
}

static void io_stop(asff_batch_reader *r)
{
    unsigned i;
    if (!r->io_started)
        return;
    pthread_mutex_lock(&r->io_mu);
    r->io_quit = true;
    pthread_cond_broadcast(&r->io_cv);
    pthread_mutex_unlock(&r->io_mu);
    pthread_join(r->io, NULL);
    pthread_cond_destroy(&r->io_cv);
    pthread_mutex_destroy(&r->io_mu);
    for (i = 0; i < IO_BLOCKS; i++)
        asff__free(r->alloc, r->io_ring[i].data);
    r->io_started = false;
}

/* Up to cap bytes from the reading thread's next block; 0 at the end. */
static asff_status io_read(asff_batch_reader *r, char *buf, size_t cap, size_t *got, asff_error *err)
{
    io_block *b = &r->io_ring[r->io_take % IO_BLOCKS];
    size_t n;
    pthread_mutex_lock(&r->io_mu);
    while (!b->full)
        pthread_cond_wait(&r->io_cv, &r->io_mu);
    pthread_mutex_unlock(&r->io_mu);
    if (b->len == 0) {   /* the end: the block stays full, so every later call ends here too */
        if (r->io_errno)
            return asff__error_setf(err, ASFF_ERR_IO, "read error: %s", strerror(r->io_errno));
        return ASFF_OK;
    }
    n = b->len - b->pos < cap ? b->len - b->pos : cap;
    memcpy(buf, b->data + b->pos, n);
    b->pos += n;
    *got = n;
    if (b->pos == b->len) {
        pthread_mutex_lock(&r->io_mu);
        b->full = false;
        r->io_take++;
        pthread_cond_broadcast(&r->io_cv);
        pthread_mutex_unlock(&r->io_mu);
    }
    return ASFF_OK;
}

/* Read up to cap bytes from the source; 0 at the end. */
static asff_status source_read(asff_batch_reader *r, void *buf, size_t cap, size_t *got, asff_error *err)
{
    *got = 0;
    switch (r->kind) {
    case SRC_FILE: {
        size_t n;
        if (r->io_started)
            return io_read(r, buf, cap, got, err);
        n = fread(buf, 1, cap, r->file);
        if (n == 0 && ferror(r->file))
            return asff__error_setf(err, ASFF_ERR_IO, "read error: %s", strerror(errno));
        *got = n;
        return ASFF_OK;
    }
    case SRC_FD:
        for (;;) {
            ssize_t n = read(r->fd, buf, cap);
            if (n >= 0) {
                *got = (size_t)n;
                return ASFF_OK;
            }
            if (errno != EINTR)
                return asff__error_setf(err, ASFF_ERR_IO, "read error: %s", strerror(errno));
        }
    case SRC_BUFFER: {
        size_t n = r->data_len - r->data_pos;
        if (n > cap)
            n = cap;
        if (n)
            memcpy(buf, r->data + r->data_pos, n);
        r->data_pos += n;
        *got = n;
        return ASFF_OK;
    }
    default: {
        long n = r->fn(r->fn_ctx, buf, cap);
        if (n < 0 || (size_t)n > cap)
            return asff__error_setf(err, ASFF_ERR_IO, "the read callback failed");
        *got = (size_t)n;
        return ASFF_OK;
    }
    }
}

/* Drop window bytes in which no finding can still start: before the end of the last finding, or
 * more than twice the finding limit back (a longer finding is an error anyway). */
static void trim_window(asff_batch_reader *r)
{
    uint64_t fed = r->in_base + r->in.len;
    uint64_t keep = r->last_end;
    uint64_t lim = 2 * (uint64_t)(r->opt.max_finding ? r->opt.max_finding : ASFF_DEFAULT_MAX_FINDING);
    size_t drop;
    if (fed > lim && fed - lim > keep)
        keep = fed - lim;
    if (keep <= r->in_base)
        return;
    drop = (size_t)(keep - r->in_base);
    memmove(r->in.data, r->in.data + drop, r->in.len - drop);
    r->in.len -= drop;
    r->in_base = keep;
}

/* Feed the last len bytes of the window to the parser. */
static asff_status feed_tail(asff_batch_reader *r, size_t len, asff_error *err)
{
    asff_status st;
    const char *d = r->in.data + r->in.len - len;
    size_t i;
    for (i = len; i > 0; i--) {
        char c = d[i - 1];
        if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
            r->fed_nonws_end = r->in_base + r->in.len - len + i;
            break;
        }
    }
    st = asff_parser_feed(r->parser, d, len, err);
    trim_window(r);
    return st;
}

/* Feed data[len] to the parser through the window. */
static asff_status feed(asff_batch_reader *r, const char *data, size_t len, asff_error *err)
{
    asff_status st;
    if (!len)
        return ASFF_OK;
    if ((st = asff__buf_append(&r->in, data, len)) != ASFF_OK)
        return asff__error_setf(err, st, "out of memory (input window)");
    return feed_tail(r, len, err);
}

/* What the prefilter may skip, once the stream is between values: 1 for a blank line, 2 for a line
 * that is one object; 0 for anything else (it may be part of a value spread over lines). */
static int skippable(const char *s, size_t n)
{
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    while (n && (*s == ' ' || *s == '\t')) {
        s++;
        n--;
    }
    if (n == 0)
        return 1;
    return s[0] == '{' && s[n - 1] == '}' ? 2 : 0;
}

/* Prefilter mode: whole lines of pend are skipped (when they cannot match) or fed one by one. */
static asff_status feed_lines(asff_batch_reader *r, bool at_eof, asff_error *err)
{
    asff_status st;
    const char *base = r->pend.data;
    size_t end = r->pend.len;
    if (!at_eof) {
        while (end > r->pend_pos && base[end - 1] != '\n')
            end--;
    }
    while (r->pend_pos < end) {
        const char *p = base + r->pend_pos;
        size_t avail = end - r->pend_pos, linelen;
        const char *nl;
        if (r->last_end >= r->fed_nonws_end) {
            size_t nlines = 0;
            size_t cand = asff_filter_prefilter_next(r->opt.filter, p, avail, &nlines);
            size_t off = 0;
            while (off < cand) {
                const char *q = memchr(p + off, '\n', cand - off);
                size_t ll = q ? (size_t)(q - (p + off)) + 1 : cand - off;
                int kind = skippable(p + off, ll);
                if (!kind)
                    break;
                r->skipped_bytes += ll;
                r->skipped_lines += q ? 1 : 0;
                r->skipped_findings += kind == 2 ? 1 : 0;
                off += ll;
            }
            r->pend_pos += off;
            p += off;
            avail -= off;
            if (!avail)
                break;
        }
        nl = memchr(p, '\n', avail);
        linelen = nl ? (size_t)(nl - p) + 1 : avail;
        st = feed(r, p, linelen, err);
        r->pend_pos += linelen;
        if (st != ASFF_OK)
            return st;
    }
    /* keep the partial line at the front */
    if (r->pend_pos) {
        memmove(r->pend.data, r->pend.data + r->pend_pos, r->pend.len - r->pend_pos);
        r->pend.len -= r->pend_pos;
        r->pend_pos = 0;
    }
    return ASFF_OK;
}

static void fail(asff_batch_reader *r, asff_status st, const asff_error *e)
{
    if (r->cb_status) {
        st = r->cb_status;
        e = &r->cb_err;
    }
    r->failed = st;
    if (e && e->code)
        r->ferr = *e;
    else
        asff__error_setf(&r->ferr, st, "%s", asff_status_message(st));
    /* positions count the lines the prefilter skipped too */
    r->ferr.offset += r->skipped_bytes;
    if (r->ferr.line)
        r->ferr.line += r->skipped_lines;
    close_group(r);
    r->finished = true;
}

/* Read and feed one chunk; at the end of input finish the parser. */
static void pump(asff_batch_reader *r)
{
    asff_error e;
    asff_status st = ASFF_OK;
    size_t chunk = r->opt.chunk_size ? r->opt.chunk_size : DEFAULT_CHUNK, got = 0;
    bool pre = r->opt.prefilter && r->opt.filter;
    asff_buf *dst = pre ? &r->pend : &r->in;
    asff_error_clear(&e);
    if ((st = asff__buf_reserve(dst, chunk)) != ASFF_OK) {
        fail(r, st, NULL);
        return;
    }
    if ((st = source_read(r, dst->data + dst->len, chunk, &got, &e)) != ASFF_OK) {
        fail(r, st, &e);
        return;
    }
    r->bytes += got;
    if (pre) {
        r->pend.len += got;
        st = feed_lines(r, got == 0, &e);
    } else if (got) {
        /* the bytes were read into the window: feed them from there */
        r->in.len += got;
        st = feed_tail(r, got, &e);
    }
    if (st == ASFF_ERR_ABORTED && !r->cb_status) {
        /* the limit was reached */
        r->finished = true;
        close_group(r);
        return;
    }
    if (st != ASFF_OK) {
        fail(r, st, &e);
        return;
    }
    if (got == 0) {
        st = asff_parser_finish(r->parser, &e);
        if (st != ASFF_OK && !(st == ASFF_ERR_ABORTED && !r->cb_status)) {
            fail(r, st, &e);
            return;
        }
        r->finished = true;
        if ((st = close_group(r)) != ASFF_OK)
            fail(r, st, NULL);
    }
}

/* Output ready to hand out: at least cap bytes of whole lines, or the end. */
static bool ready(const asff_batch_reader *r, size_t cap)
{
    return r->finished || (r->nlines && r->lines[r->nlines - 1].end >= cap);
}

static void count_now(const asff_batch_reader *r, uint64_t *c)
{
    c[0] = asff_parser_count(r->parser) + asff_parser_skipped(r->parser) + r->skipped_findings;
    c[1] = r->passed;
    c[2] = r->bytes;
}

/* Whether the worker has nothing to do: up to two batches ahead, or one when the caller waits. */
static bool idle(const asff_batch_reader *r)
{
    size_t two = r->ahead_cap > SIZE_MAX / 2 ? SIZE_MAX : 2 * r->ahead_cap;
    return r->finished || ready(r, two) || (r->want && ready(r, r->ahead_cap));
}

/* The worker: pumps (one chunk at a time, the lock released) while it is not idle. */
static void *work(void *arg)
{
    asff_batch_reader *r = arg;
    pthread_mutex_lock(&r->mu);
    for (;;) {
        while (!r->quit && idle(r))
            pthread_cond_wait(&r->cv, &r->mu);
        if (r->quit)
            break;
        r->busy = true;
        pthread_mutex_unlock(&r->mu);
        pump(r);
        pthread_mutex_lock(&r->mu);
        r->busy = false;
        pthread_cond_broadcast(&r->cv);
    }
    pthread_mutex_unlock(&r->mu);
    return NULL;
}

static asff_status take(asff_batch_reader *r, char *buf, size_t cap, size_t *len, size_t *count, asff_error *err);

asff_status asff_batch_reader_next(asff_batch_reader *r, char *buf, size_t cap, size_t *len, size_t *count,
                                   asff_error *err)
{
    asff_status st;
    if (len)
        *len = 0;
    if (count)
        *count = 0;
    if (!r || !buf || !len)
        return asff__error_setf(err, ASFF_ERR_INVALID_ARG, "reader, buffer and len are required");
    if (!r->ahead)
        return take(r, buf, cap, len, count, err);
    pthread_mutex_lock(&r->mu);
    r->ahead_cap = cap;
    if (!r->started && !r->finished) {
        /* no worker (no thread to be had): the caller pumps, as without readahead */
        io_start(r);
        r->started = pthread_create(&r->worker, NULL, work, r) == 0;
        r->ahead = r->started;
    }
    r->want = true;
    pthread_cond_broadcast(&r->cv);
    while (r->ahead && (r->busy || !ready(r, cap)))
        pthread_cond_wait(&r->cv, &r->mu);
    r->want = false;
    st = take(r, buf, cap, len, count, err);
    count_now(r, r->snap);
    pthread_cond_broadcast(&r->cv);   /* room for more */
    pthread_mutex_unlock(&r->mu);
    return st;
}

/* Hand out the whole lines that fit in cap (pumping first when fewer are ready). */
static asff_status take(asff_batch_reader *r, char *buf, size_t cap, size_t *len, size_t *count, asff_error *err)
{
    size_t used = 0, n = 0, k = 0, i;
    /* pending bytes up to cap, or the end */
    while (!ready(r, cap))
        pump(r);
    while (k < r->nlines && r->lines[k].end <= cap) {
        used = r->lines[k].end;
        n += r->lines[k].count;
        k++;
    }
    if (k == 0 && r->nlines) {
        *len = r->lines[0].end;
        return asff__error_setf(err, ASFF_ERR_LIMIT, "the next line needs a buffer of %zu bytes", r->lines[0].end);
    }
    if (k == 0) {
        if (r->failed) {
            if (err)
                *err = r->ferr;
            return r->failed;
        }
        return ASFF_OK;
    }
    memcpy(buf, r->out.data, used);
    memmove(r->out.data, r->out.data + used, r->out.len - used);
    r->out.len -= used;
    if (r->group_open)
        r->group_start -= used;
    for (i = k; i < r->nlines; i++) {
        r->lines[i - k].end = r->lines[i].end - used;
        r->lines[i - k].count = r->lines[i].count;
    }
    r->nlines -= k;
    *len = used;
    if (count)
        *count = n;
    return ASFF_OK;
}

void asff_batch_reader_counts(const asff_batch_reader *r, uint64_t *read, uint64_t *passed, uint64_t *bytes)
{
    uint64_t c[3] = {0, 0, 0};
    if (r && r->started)
        memcpy(c, r->snap, sizeof c);   /* the worker may be counting on: as of the last batch */
    else if (r)
        count_now(r, c);
    if (read)
        *read = c[0];
    if (passed)
        *passed = c[1];
    if (bytes)
        *bytes = c[2];
}

void asff_batch_reader_free(asff_batch_reader *r)
{
    size_t i;
    if (!r)
        return;
    if (r->started) {
        pthread_mutex_lock(&r->mu);
        r->quit = true;
        pthread_cond_broadcast(&r->cv);
        pthread_mutex_unlock(&r->mu);
        pthread_join(r->worker, NULL);
    }
    io_stop(r);
    if (r->ahead_init) {
        pthread_cond_destroy(&r->cv);
        pthread_mutex_destroy(&r->mu);
    }
    if (r->file)
        fclose(r->file);
    asff_parser_free(r->parser);
    asff_writer_free(r->writer);
    if (r->fields) {
        for (i = 0; i < r->opt.field_count; i++)
            asff__free(r->alloc, r->fields[i]);
        asff__free(r->alloc, r->fields);
    }
    asff__buf_cleanup(&r->in);
    asff__buf_cleanup(&r->pend);
    asff__buf_cleanup(&r->out);
    asff__buf_cleanup(&r->scratch);
    asff__pickler_cleanup(&r->pickler);
    asff__free(r->alloc, r->lines);
    asff__free(r->alloc, r);
}

static asff_status make(const asff_batch_options *options, asff_batch_reader **out, asff_error *err)
{
    asff_batch_reader *r;
    asff_parse_options po = ASFF_PARSE_OPTIONS_INIT;
    asff_projection proj = {.want_whole = want_whole};
    const asff_allocator *alloc;
    size_t i;
    if (!out)
        return asff__error_setf(err, ASFF_ERR_INVALID_ARG, "out is required");
    *out = NULL;
    if (options && options->version > ASFF_BATCH_OPTIONS_VERSION)
        return asff__error_setf(err, ASFF_ERR_INVALID_ARG, "unknown asff_batch_options version %u", options->version);
    if (options && options->version != 1 && (unsigned)options->format > ASFF_BATCH_PICKLE)
        return asff__error_setf(err, ASFF_ERR_INVALID_ARG, "unknown batch format %d", (int)options->format);
    if (options && (unsigned)options->envelope > ASFF_ENVELOPE_NDJSON)
        return asff__error_setf(err, ASFF_ERR_INVALID_ARG, "unknown envelope %d", (int)options->envelope);
    if (options && options->field_count && !options->fields)
        return asff__error_setf(err, ASFF_ERR_INVALID_ARG, "field_count without fields");
    alloc = asff__alloc_or_default(options ? options->allocator : NULL);
    if (!(r = asff__malloc(alloc, sizeof *r)))
        return asff__error_setf(err, ASFF_ERR_NOMEM, "out of memory");
    memset(r, 0, sizeof *r);
    r->alloc = alloc;
    if (options && options->version == 1)   /* the older, shorter structs: no format, no readahead */
        memcpy(&r->opt, options, offsetof(asff_batch_options, format));
    else if (options && options->version == 2)
        memcpy(&r->opt, options, offsetof(asff_batch_options, readahead));
    else if (options)
        r->opt = *options;
    r->opt.version = ASFF_BATCH_OPTIONS_VERSION;
    r->pickle = r->opt.format == ASFF_BATCH_PICKLE;
    if (r->opt.readahead) {
        if (pthread_mutex_init(&r->mu, NULL) != 0) {
            asff__free(alloc, r);
            return asff__error_setf(err, ASFF_ERR_NOMEM, "out of memory (mutex)");
        }
        if (pthread_cond_init(&r->cv, NULL) != 0) {
            pthread_mutex_destroy(&r->mu);
            asff__free(alloc, r);
            return asff__error_setf(err, ASFF_ERR_NOMEM, "out of memory (condition)");
        }
        r->ahead_init = r->ahead = true;
    }
    asff__buf_init(&r->scratch, alloc);
    asff__pickler_init(&r->pickler, alloc);
    r->wout = r->pickle ? &r->scratch : &r->out;
    asff__buf_init(&r->in, alloc);
    asff__buf_init(&r->pend, alloc);
    asff__buf_init(&r->out, alloc);
    if (r->opt.fields) {
        if (!(r->fields = asff__malloc(alloc, (r->opt.field_count ? r->opt.field_count : 1) * sizeof *r->fields))) {
            r->opt.field_count = 0;
            asff_batch_reader_free(r);
            return asff__error_setf(err, ASFF_ERR_NOMEM, "out of memory");
        }
        for (i = 0; i < r->opt.field_count; i++) {
            const char *f = r->opt.fields[i] ? r->opt.fields[i] : "";
            size_t n = strlen(f);
            if (!(r->fields[i] = asff__malloc(alloc, n + 1))) {
                r->opt.field_count = i;
                asff_batch_reader_free(r);
                return asff__error_setf(err, ASFF_ERR_NOMEM, "out of memory");
            }
            memcpy(r->fields[i], f, n + 1);
        }
        r->opt.fields = NULL;   /* borrowed: not kept */
    }
    po.envelope = r->opt.envelope;
    po.max_finding = r->opt.max_finding;
    po.allocator = r->opt.allocator;
    proj.ctx = r;
    if (r->opt.filter && asff_filter_projection(r->opt.filter, &proj, NULL) == ASFF_OK) {
        po.projection = &proj; /* copied by asff_parser_new */
        r->projected = true;
    }
    if (asff_parser_new(&po, on_finding, NULL, r, &r->parser, NULL) != ASFF_OK) {
        asff_batch_reader_free(r);
        return asff__error_setf(err, ASFF_ERR_NOMEM, "out of memory (parser)");
    }
    *out = r;
    return ASFF_OK;
}

asff_status asff_batch_reader_new_path(const char *path, const asff_batch_options *options,
                                       asff_batch_reader **out, asff_error *err)
{
    asff_status st;
    FILE *f;
    if (out)
        *out = NULL;
    if (!path)
        return asff__error_setf(err, ASFF_ERR_INVALID_ARG, "path is required");
    if ((st = make(options, out, err)) != ASFF_OK)
        return st;
    if (!(f = fopen(path, "rb"))) {
        int e = errno;
        asff_batch_reader_free(*out);
        *out = NULL;
        return asff__error_setf(err, e == ENOENT ? ASFF_ERR_NOT_FOUND : ASFF_ERR_IO, "cannot open the file: %s",
                               strerror(e));
    }
    (*out)->kind = SRC_FILE;
    (*out)->file = f;
    return ASFF_OK;
}

asff_status asff_batch_reader_new_fd(int fd, const asff_batch_options *options, asff_batch_reader **out,
                                     asff_error *err)
{
    asff_status st;
    if (out)
        *out = NULL;
    if (fd < 0)
        return asff__error_setf(err, ASFF_ERR_INVALID_ARG, "fd must be a file descriptor");
    if ((st = make(options, out, err)) != ASFF_OK)
        return st;
    (*out)->kind = SRC_FD;
    (*out)->fd = fd;
    return ASFF_OK;
}

asff_status asff_batch_reader_new_buffer(const void *data, size_t len, const asff_batch_options *options,
                                         asff_batch_reader **out, asff_error *err)
{
    asff_status st;
    if (out)
        *out = NULL;
    if (!data && len)
        return asff__error_setf(err, ASFF_ERR_INVALID_ARG, "data is NULL");
    if ((st = make(options, out, err)) != ASFF_OK)
        return st;
    (*out)->kind = SRC_BUFFER;
    (*out)->data = data;
    (*out)->data_len = len;
    return ASFF_OK;
}

asff_status asff_batch_reader_new_read(asff_read_fn fn, void *ctx, const asff_batch_options *options,
                                       asff_batch_reader **out, asff_error *err)
{
    asff_status st;
    if (out)
        *out = NULL;
    if (!fn)
        return asff__error_setf(err, ASFF_ERR_INVALID_ARG, "a read function is required");
    if ((st = make(options, out, err)) != ASFF_OK)
        return st;
    (*out)->kind = SRC_READ;
    (*out)->ahead = false;   /* fn is called in the caller's thread only */
    (*out)->fn = fn;
    (*out)->fn_ctx = ctx;
    return ASFF_OK;
}
