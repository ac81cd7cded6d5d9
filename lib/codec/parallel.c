/*
 * Parallel reading (codec.h asff_parse_file_parallel, docs/codec.md "Parallel reading").
 *
 * One parser on the calling thread reads the stream as usual, except that the fast path's boundary
 * scanner hands each finding it would give simdjson over instead (fast.c hand_over): the builder
 * gets "{}" in its place, so the parser's state, and every finding's index, path, offset and line,
 * are those of the real input. The handed-over bytes are copied into parts (a bounded ring);
 * reading threads parse each finding alone (into the part's arena) and run the work callback; the
 * calling thread delivers the parts in order, with what the parser read itself (a finding the scanner
 * left to it, a skipped item) at its place. A finding that a thread cannot read cleanly (an error, an envelope member) is
 * read by the parser in place in a sequential run: the stream is read again from its start, the
 * callbacks already made are not repeated, and everything after them comes from one parser, as
 * without threads. So findings and errors are those of one parser, whatever the parts.
 *
 * Without the fast path (yajl alone, ASFF_FRONTEND=yajl) there is no boundary scanner to hand
 * findings over: NDJSON is then read by segments of lines, each thread with a parser of its own
 * (below, "segments").
 */
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "codec_internal.h"

enum { P_FREE, P_FILLING, P_READY, P_BUSY, P_DONE };

#define LINE 64 /* a cache line: what two threads must not both write (lines_alloc) */

/* Blanks after each handed-over finding in its part: the front-end's padding (fast.c reads the
 * finding in place instead of copying it into a padded buffer). */
#define TAIL 64u
static const char blanks[TAIL + 1] = "                                                                ";

enum { E_HANDED, E_FINDING, E_ERROR };

/* A finding handed over (read by a thread), or read by the parser, or a skipped item. */
typedef struct entry {
    uint8_t kind;
    bool top;                    /* a top-level value */
    bool nl;                     /* a line break in it */
    bool anomaly;                /* not read cleanly alone: the sequential run reads it */
    uint32_t depth;              /* containers open around it */
    size_t at, len;              /* its bytes in part.bytes */
    size_t path;                 /* its JSON Pointer in part.paths */
    asff_finding_info info;      /* path and document are set when it is used */
    void *finding;               /* handed over: in the part's arena, or its own (keep); E_FINDING: its own */
    void *work;
    asff_error *err;             /* E_ERROR */
    asff_status st;              /* ASFF_ERR_NOMEM when a thread ran out of memory on it */
    asff_document *doc;          /* segments: the document as its finding came, in the part's arena */
} entry;

/* Segments: what one segment's parser read, and what came before it (the sums of the segments
 * before it): line breaks, top-level values, items. */
typedef struct seg_count {
    uint64_t lines, values, items;
} seg_count;

typedef struct part {
    _Alignas(LINE) int state;
    entry *e;
    size_t n, cap;
    asff_buf bytes, paths;
    asff_arena *arena;           /* the findings (without keep); segments: their documents too */
    /* segments (docs/codec.md, Parallel reading): */
    uint64_t seq;                /* its number, from 0 */
    uint64_t from, to;           /* its bytes in the file */
    bool eof;                    /* it ends the file */
    bool too_long;               /* a line longer than SEG_LINE_MAX: not read */
    bool parsed, based;          /* count is set; base is set */
    bool clean;                  /* read without an error, ending between top-level values */
    bool io;                     /* a reading error (io_errno) */
    int io_errno;
    seg_count count, base;
    seg_count pre;               /* speculation: its line breaks, and its lines with a value (a guess) */
    bool pre_done;               /* pre is set */
    bool spec;                   /* its entries are numbered from guess and worked */
    seg_count guess;
    asff_buf fixed;              /* the entries' paths renumbered (segments after the first) */
} part;

typedef struct reader reader;

typedef struct worker {
    _Alignas(LINE) reader *r;
    unsigned index;
    asff_parser *p;              /* reads one handed-over finding at a time, or a segment */
    void *got;
    bool reuse;                  /* p takes the next finding without a reset */
    pthread_t thread;
    bool started;
    /* segments: the part it reads (p reads it whole, with the caller's options) */
    part *cur;
    bool failed;                 /* an error, or out of memory: the segment is not clean */
    bool spec;                   /* speculation: entries numbered from base and worked as they come */
    seg_count base;              /* the base they are numbered from */
    asff_arena_mark mark;        /* the part's arena after the last finding taken */
} worker;

struct reader {
    const asff_allocator *alloc;
    asff_parse_options po;       /* the caller's */
    asff_parallel_options o;
    asff_ordered_fn on_finding;
    asff_parse_error_fn on_error;
    void *ctx;
    size_t max_depth;

    pthread_mutex_t mu;
    pthread_cond_t cv;           /* a part became ready, done, or the threads must stop */
    part *ring;
    void *ring_raw;              /* (lines_alloc) */
    size_t nring;
    uint64_t head, tail;         /* parts head .. tail-1 are in the ring; tail is filling */
    bool quit;
    worker *w;                   /* jobs of them; the last is the calling thread's */
    void *w_raw;                 /* (lines_alloc) */
    unsigned nw;

    asff_parser *main;
    bool nomem;                  /* a part could not grow */
    bool stop;                   /* stopped: a callback, an error, or the sequential run is needed */
    bool anomaly;
    asff_status st;              /* the outcome of delivering */
    asff_error e;
    uint64_t delivered;          /* callbacks made (findings and skipped items) */
    uint64_t mute;               /* sequential run: callbacks not to repeat */

    /* segments: each thread reads lines of the file with a parser of its own */
    int fd;
    uint64_t start, size;        /* the stream's first byte in the file, and the file's size */
    uint64_t next;               /* where the next segment starts */
    uint64_t bnext;              /* the segments before it are parsed, their counts summed in acc */
    seg_count acc;
    bool abandon;                /* the first segment is not lines of values: hand-over mode instead */
    bool halt;                   /* stop, as the other threads see it (under the lock) */
    bool unguessable;            /* a guess was wrong: the segments claimed after it wait for their base */
    bool segments;               /* the threads read segments (else handed-over findings) */
};

/* ---- parts ------------------------------------------------------------------------------------ */

/* n elements of size bytes (a multiple of LINE), zeroed, from a cache line's start: each thread
 * writes its own worker and the parts it reads, and neighbours sharing a line would make every such
 * write wait for the other core (docs/performance.md). *raw gets what to free; NULL when out of memory. */
static void *lines_alloc(reader *r, size_t n, size_t size, void **raw)
{
    char *p = n <= (SIZE_MAX - LINE) / size ? asff__malloc(r->alloc, n * size + LINE) : NULL;
    *raw = p;
    if (!p)
        return NULL;
    p += (LINE - (uintptr_t)p % LINE) % LINE;
    memset(p, 0, n * size);
    return p;
}

static part *filling(reader *r)
{
    return &r->ring[r->tail % r->nring];
}

/* The part's entries forgotten (their findings, results and errors freed), its bytes kept. */
static void entries_clear(reader *r, part *pt)
{
    size_t i;
    for (i = 0; i < pt->n; i++) {
        entry *e = &pt->e[i];
        if (e->finding && (r->po.keep || e->kind == E_FINDING))
            asff_object_free(e->finding);
        if (e->work && r->o.work_free)
            r->o.work_free(r->o.work_ctx, e->work);
        asff__free(r->alloc, e->err);
    }
    pt->n = 0;
    asff_arena_reset(pt->arena);
    asff__buf_reset(&pt->paths);
    asff__buf_reset(&pt->fixed);
}

static void part_clear(reader *r, part *pt)
{
    entries_clear(r, pt);
    asff__buf_reset(&pt->bytes);
    pt->parsed = pt->based = pt->clean = pt->io = pt->eof = pt->pre_done = false;
}

/* An entry's path: renumbered (segments) or as its parser gave it. */
static const char *path_of(const part *pt, const entry *e)
{
    return (pt->fixed.len ? pt->fixed.data : pt->paths.data) + e->path;
}

/* A new entry at the end of part pt, with info and its path copied; NULL when out of memory. */
static entry *add_entry_to(reader *r, part *pt, int kind, const asff_finding_info *info)
{
    entry *e;
    size_t path = pt->paths.len;
    if (pt->n == pt->cap) {
        size_t cap = pt->cap ? pt->cap * 2 : 64;
        entry *ne = asff__realloc(r->alloc, pt->e, cap * sizeof *ne);
        if (!ne)
            return NULL;
        pt->e = ne;
        pt->cap = cap;
    }
    if (asff__buf_append(&pt->paths, info->path ? info->path : "", info->path ? strlen(info->path) + 1 : 1) != ASFF_OK)
        return NULL;
    e = &pt->e[pt->n++];
    memset(e, 0, sizeof *e);
    e->kind = (uint8_t)kind;
    e->info = *info;
    e->path = path;
    return e;
}

static entry *add_entry(reader *r, int kind, const asff_finding_info *info)
{
    return add_entry_to(r, filling(r), kind, info);
}

/* ---- reading one part (any thread) --------------------------------------------------------- */

static int got_finding(void *ctx, void *finding, const asff_finding_info *info)
{
    worker *w = ctx;
    (void)info;
    if (w->got && w->r->po.keep)
        asff_object_free(w->got);
    w->got = finding;
    return 0;
}

/* A top-level object with one of these members may be an envelope: only the parser in place decides. */
static bool envelope_member(const void *finding)
{
    const asff_extra *x;
    for (x = ((const asff_object *)finding)->extra; x; x = x->next)
        if (strcmp(x->name, "Findings") == 0 || strcmp(x->name, "detail") == 0)
            return true;
    return false;
}

static void read_entry(worker *w, part *pt, entry *e)
{
    reader *r = w->r;
    asff_status st;
    uint64_t count;
    const char *bytes = pt->bytes.data + e->at;
    /* Findings follow each other on one line in the same parser (a new yajl handle per finding
     * costs more than its parse): a value on one line whatever came before. A finding with a line
     * break in it gets a parser of its own (in line mode its break could end a record). */
    bool alone = e->nl;
    if (!w->reuse || alone)
        asff_parser_reset(w->p);
    w->reuse = !alone;
    w->p->opt.max_depth = r->max_depth - e->depth;
    w->p->shared = r->po.keep ? NULL : pt->arena;
    w->p->fast_ready = w->p->fast_on; /* between two values: where the fast path may read */
    w->p->dg_trust = e->len;
    w->p->dg_trust_at = asff_parser_offset(w->p);
    w->got = NULL;
    count = asff_parser_count(w->p);
    st = asff_parser_feed(w->p, bytes, e->len + TAIL, NULL);
    if (st != ASFF_OK || w->p->in_value)
        w->reuse = false;
    if (st == ASFF_ERR_NOMEM)
        e->st = ASFF_ERR_NOMEM;
    else if (st != ASFF_OK || !w->got || asff_parser_count(w->p) != count + 1 || w->p->in_value ||
             (e->top && envelope_member(w->got)))
        e->anomaly = true;
    if (e->st == ASFF_OK && !e->anomaly)
        e->finding = w->got;
    else if (w->got && r->po.keep)
        asff_object_free(w->got);
    w->got = NULL;
    w->p->shared = NULL;
}

/* ASFF_PARALLEL_SPARSE: the work result is NULL, so nobody gets the finding. */
static bool unwanted(const reader *r, const void *work)
{
    return !work && r->o.work && (r->o.flags & ASFF_PARALLEL_SPARSE);
}

/* An unwanted finding given back: an object of its own freed (options->keep, or read by the parser
 * in place); in the part's arena, forgotten when nothing came after it (mark: before it). */
static void drop(reader *r, part *pt, entry *e, const asff_arena_mark *mark)
{
    if (r->po.keep || e->kind == E_FINDING)
        asff_object_free(e->finding);
    else if (mark)
        asff__arena_rewind(pt->arena, *mark);
    e->finding = NULL;
}

static void read_part(worker *w, part *pt)
{
    reader *r = w->r;
    size_t i;
    for (i = 0; i < pt->n; i++) {
        entry *e = &pt->e[i];
        asff_arena_mark mark = {NULL, 0, 0};
        if (pt->arena)
            mark = asff__arena_mark(pt->arena); /* (none with options->keep) */
        if (e->kind == E_HANDED)
            read_entry(w, pt, e);
        if (e->anomaly || e->st != ASFF_OK)
            break; /* what follows is the sequential run's */
        if (e->finding && r->o.work) {
            e->info.path = path_of(pt, e);
            e->info.document = NULL; /* the calling thread's parser moves it */
            e->work = r->o.work(r->o.work_ctx, w->index, e->finding, &e->info);
            if (unwanted(r, e->work))
                drop(r, pt, e, &mark); /* the next finding is built in the same memory */
        }
    }
}

/* The oldest part ready to be read, claimed; NULL when none. Under the lock. */
static part *claim(reader *r)
{
    uint64_t k;
    for (k = r->head; k < r->tail; k++) {
        part *pt = &r->ring[k % r->nring];
        if (pt->state == P_READY) {
            pt->state = P_BUSY;
            return pt;
        }
    }
    return NULL;
}

static part *seg_claim(reader *r);
static void seg_read(worker *w, part *pt);

static void *thread_main(void *arg)
{
    worker *w = arg;
    reader *r = w->r;
    pthread_mutex_lock(&r->mu);
    for (;;) {
        part *pt = r->quit ? NULL : r->segments ? seg_claim(r) : claim(r);
        if (r->quit)
            break;
        if (!pt) {
            pthread_cond_wait(&r->cv, &r->mu);
            continue;
        }
        pthread_mutex_unlock(&r->mu);
        if (r->segments)
            seg_read(w, pt);
        else
            read_part(w, pt);
        pthread_mutex_lock(&r->mu);
        pt->state = P_DONE;
        pthread_cond_broadcast(&r->cv);
    }
    pthread_mutex_unlock(&r->mu);
    return NULL;
}

/* ---- delivering, in order, on the calling thread ---------------------------------------------- */

static void stop_with(reader *r, asff_status code, const char *message, const asff_finding_info *info)
{
    r->stop = true;
    r->st = code;
    memset(&r->e, 0, sizeof r->e);
    r->e.code = code;
    asff__copy_string(r->e.message, sizeof r->e.message, message);
    if (info) {
        asff__copy_string(r->e.path, sizeof r->e.path, info->path);
        r->e.offset = info->offset;
        r->e.line = info->line;
    }
}

static void deliver_part(reader *r, part *pt)
{
    size_t i;
    for (i = 0; i < pt->n && !r->stop; i++) {
        entry *e = &pt->e[i];
        int rc;
        e->info.path = path_of(pt, e);
        e->info.document = e->doc ? e->doc : asff_parser_document(r->main);
        if (e->anomaly) {
            r->stop = r->anomaly = true;
            break;
        }
        if (e->st != ASFF_OK) {
            stop_with(r, e->st, "out of memory", &e->info);
            break;
        }
        r->delivered++;
        if (e->kind == E_ERROR) {
            rc = r->on_error ? r->on_error(r->ctx, e->err, &e->info) : 0;
            if (rc) {
                r->stop = true;
                r->st = ASFF_ERR_ABORTED;
                r->e = *e->err;
                r->e.code = ASFF_ERR_ABORTED;
                asff__copy_string(r->e.message, sizeof r->e.message, "the error callback asked to stop");
            }
            continue;
        }
        rc = r->on_finding ? r->on_finding(r->ctx, e->finding, &e->info, e->work) : 0;
        e->work = NULL;
        if (r->po.keep)
            e->finding = NULL;
        else if (e->kind == E_FINDING)
            asff_object_free(e->finding), e->finding = NULL;
        if (rc)
            stop_with(r, ASFF_ERR_ABORTED, "the finding callback asked to stop", &e->info);
    }
}

/* Deliver the parts at the head that are done; with wait, until the ring has room for one more
 * (all: until it is empty), reading parts on this thread while others are busy. */
static void drain(reader *r, bool all)
{
    worker *self = &r->w[r->nw - 1];
    pthread_mutex_lock(&r->mu);
    while (r->head < r->tail) {
        part *pt = &r->ring[r->head % r->nring], *mine;
        if (pt->state == P_DONE) {
            pthread_mutex_unlock(&r->mu);
            if (!r->stop)
                deliver_part(r, pt);
            part_clear(r, pt);
            pthread_mutex_lock(&r->mu);
            pt->state = P_FREE;
            r->head++;
            continue;
        }
        if (!all && r->tail - r->head < r->nring)
            break;
        if ((mine = claim(r)) != NULL) {
            pthread_mutex_unlock(&r->mu);
            if (!r->stop)
                read_part(self, mine);
            pthread_mutex_lock(&r->mu);
            mine->state = P_DONE;
            continue;
        }
        pthread_cond_wait(&r->cv, &r->mu);
    }
    pthread_mutex_unlock(&r->mu);
}

/* The filling part is complete: the threads may read it. */
static void seal(reader *r)
{
    part *pt = filling(r);
    if (!pt->n)
        return;
    pthread_mutex_lock(&r->mu);
    pt->state = P_READY;
    r->tail++;
    pthread_cond_signal(&r->cv);
    pthread_mutex_unlock(&r->mu);
    drain(r, false);
}

/* ---- the parser on the calling thread ----------------------------------------------------------- */

static void maybe_seal(reader *r)
{
    part *pt = filling(r);
    if (pt->bytes.len >= r->o.part_size || pt->n >= 8192)
        seal(r);
}

static int main_finding(void *ctx, void *finding, const asff_finding_info *info)
{
    reader *r = ctx;
    asff_parser *p = r->main;
    part *pt = filling(r);
    entry *e = add_entry(r, p->dg_data ? E_HANDED : E_FINDING, info);
    if (e && p->dg_data) {
        e->at = pt->bytes.len;
        e->len = p->dg_len;
        e->depth = p->dg_depth;
        e->top = p->dg_top;
        e->nl = p->dg_nl;
        if (asff__buf_append(&pt->bytes, p->dg_data, p->dg_len) != ASFF_OK ||
            asff__buf_append(&pt->bytes, blanks, TAIL) != ASFF_OK) {
            pt->n--;
            e = NULL;
        }
    } else if (e) {
        e->finding = finding; /* the parser's own: kept (the stand-ins are not) */
    } else if (!p->dg_data) {
        asff_object_free(finding);
    }
    if (!e) {
        r->nomem = true;
        return 1;
    }
    maybe_seal(r);
    return r->stop;
}

static int main_error(void *ctx, const asff_error *err, const asff_finding_info *info)
{
    reader *r = ctx;
    entry *e = add_entry(r, E_ERROR, info);
    if (e && !(e->err = asff__malloc(r->alloc, sizeof *e->err)))
        filling(r)->n--, e = NULL;
    if (!e) {
        r->nomem = true;
        return 1;
    }
    *e->err = *err;
    maybe_seal(r);
    return r->stop;
}

/* ---- the sequential run ------------------------------------------------------------------------- */

static int seq_finding(void *ctx, void *finding, const asff_finding_info *info)
{
    reader *r = ctx;
    void *work = NULL;
    if (r->mute) {
        r->mute--;
        if (r->po.keep)
            asff_object_free(finding);
        return 0;
    }
    if (r->o.work)
        work = r->o.work(r->o.work_ctx, r->nw ? r->nw - 1 : 0, finding, info);
    if (unwanted(r, work)) {
        if (r->po.keep)
            asff_object_free(finding);
        finding = NULL; /* unwanted: as from the threads */
    }
    return r->on_finding ? r->on_finding(r->ctx, finding, info, work) : 0;
}

static int seq_error(void *ctx, const asff_error *err, const asff_finding_info *info)
{
    reader *r = ctx;
    if (r->mute) {
        r->mute--;
        return 0;
    }
    return r->on_error ? r->on_error(r->ctx, err, info) : 0;
}

/* file read to its end by one parser, the first r->mute callbacks left out. */
static asff_status sequential(reader *r, FILE *file, asff_error *err)
{
    static const size_t chunk = READ_CHUNK;
    asff_parser *p = NULL;
    asff_status st = asff_parser_new(&r->po, seq_finding, seq_error, r, &p, err);
    char *buf = asff__malloc(r->alloc, chunk);
    size_t n;
    if (st == ASFF_OK && !buf)
        st = asff_error_set(err, ASFF_ERR_NOMEM, "out of memory");
    while (st == ASFF_OK && (n = fread(buf, 1, chunk, file)) > 0)
        st = asff_parser_feed(p, buf, n, err);
    if (st == ASFF_OK && ferror(file))
        st = asff_error_set(err, ASFF_ERR_IO, strerror(errno));
    if (st == ASFF_OK)
        st = asff_parser_finish(p, err);
    asff__free(r->alloc, buf);
    asff_parser_free(p);
    return st;
}

/* ---- the reader ----------------------------------------------------------------------------------- */

static unsigned online_cpus(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1u : n > 256 ? 256u : (unsigned)n;
}

static void reader_free(reader *r)
{
    unsigned i;
    size_t k;
    if (r->w) {
        pthread_mutex_lock(&r->mu);
        r->quit = true;
        pthread_cond_broadcast(&r->cv);
        pthread_mutex_unlock(&r->mu);
        for (i = 0; i < r->nw; i++) {
            if (r->w[i].started)
                pthread_join(r->w[i].thread, NULL);
            asff_parser_free(r->w[i].p);
        }
        asff__free(r->alloc, r->w_raw);
    }
    if (r->ring) {
        for (k = 0; k < r->nring; k++) {
            part_clear(r, &r->ring[k]);
            asff__free(r->alloc, r->ring[k].e);
            asff__buf_cleanup(&r->ring[k].bytes);
            asff__buf_cleanup(&r->ring[k].paths);
            asff__buf_cleanup(&r->ring[k].fixed);
            asff_arena_free(r->ring[k].arena);
        }
        asff__free(r->alloc, r->ring_raw);
    }
    asff_parser_free(r->main);
    pthread_cond_destroy(&r->cv);
    pthread_mutex_destroy(&r->mu);
}

/* The parts; false when out of memory (what was made is freed by reader_free). */
static bool ring_setup(reader *r, bool arenas)
{
    size_t k;
    r->ring = lines_alloc(r, r->nring, sizeof *r->ring, &r->ring_raw);
    if (!r->ring)
        return false;
    for (k = 0; k < r->nring; k++) {
        asff__buf_init(&r->ring[k].bytes, r->alloc);
        asff__buf_init(&r->ring[k].paths, r->alloc);
        asff__buf_init(&r->ring[k].fixed, r->alloc);
        if (arenas && asff_arena_new(r->alloc, &r->ring[k].arena, NULL) != ASFF_OK)
            return false;
    }
    return true;
}

/* A parser of options o with these callbacks for each of r->w (allocated, zeroed), and the threads
 * (the last worker is the calling thread's); false when out of memory or out of threads. */
static bool workers_start(reader *r, const asff_parse_options *o, asff_finding_fn fn, asff_parse_error_fn efn)
{
    unsigned i;
    for (i = 0; i < r->nw; i++) {
        r->w[i].r = r;
        r->w[i].index = i;
        if (asff_parser_new(o, fn, efn, &r->w[i], &r->w[i].p, NULL) != ASFF_OK)
            return false;
    }
    for (i = 0; i + 1 < r->nw; i++) {
        if (pthread_create(&r->w[i].thread, NULL, thread_main, &r->w[i]) != 0)
            return false;
        r->w[i].started = true;
    }
    return true;
}

/* Threads, parts and parsers; false when out of memory (what was made is freed by reader_free). */
static bool reader_setup(reader *r)
{
    asff_parse_options wo = r->po, mo = r->po;
    if (!ring_setup(r, !r->po.keep))
        return false;
    mo.keep = true; /* what the parser reads itself waits in its part (fast.c keeps the stand-ins) */
    if (asff_parser_new(&mo, main_finding, main_error, r, &r->main, NULL) != ASFF_OK)
        return false;
    r->max_depth = r->main->opt.max_depth;
    if (!asff__codec_delegate(r->main))
        return true; /* no fast path: the caller reads sequentially */
    r->w = lines_alloc(r, r->nw, sizeof *r->w, &r->w_raw);
    if (!r->w)
        return false;
    wo.envelope = ASFF_ENVELOPE_FINDING;
    wo.keep = true;
    wo.skip_invalid = false;
    return workers_start(r, &wo, got_finding, NULL);
}

/* Read the stream with the threads; ASFF_OK with r->anomaly set when the sequential run must finish. */
static asff_status run(reader *r, FILE *file, asff_error *err)
{
    /* Not READ_CHUNK: here the calling thread only finds the findings and hands them over, and a
     * read that stays in the cache measured 6% faster on a newline-free document than 1 MiB reads. */
    static const size_t chunk = 1 << 16;
    char *buf = asff__malloc(r->alloc, chunk);
    asff_status st = ASFF_OK;
    asff_error pe;
    bool eof = false;
    asff_error_clear(&pe);
    if (!buf)
        return asff_error_set(err, ASFF_ERR_NOMEM, "out of memory");
    while (st == ASFF_OK && !eof && !r->stop) {
        size_t n = fread(buf, 1, chunk, file);
        if (n == 0 && ferror(file))
            st = asff_error_set(&pe, ASFF_ERR_IO, strerror(errno));
        else if (n == 0)
            eof = true, st = asff_parser_finish(r->main, &pe);
        else
            st = asff_parser_feed(r->main, buf, n, &pe);
    }
    asff__free(r->alloc, buf);
    seal(r);
    drain(r, true);
    if (r->anomaly)
        return ASFF_OK;
    if (r->stop && r->st != ASFF_OK)
        return *err = r->e, r->st;
    if (r->nomem)
        return asff_error_set(err, ASFF_ERR_NOMEM, "out of memory");
    if (st != ASFF_OK)
        *err = pe;
    return st;
}

/* ---- segments: each thread reads lines of the file with a parser of its own ----------------------
 * A file of top-level values that each end with their line (NDJSON) is cut into segments of about
 * part_size bytes, each ending just after a line break. A thread reads a segment from the file
 * itself (pread) with its own parser; once the segments before it are read, their line breaks,
 * values and items counted, it renumbers what it found (offsets, lines, indexes, the value's number
 * that starts each path) and runs the work callback: only the results cross to the calling thread.
 * A segment counts when its parser reported nothing and ended between top-level values in line
 * mode: the one parser would then have been in the state the next segment's parser starts in. The
 * first segment decides: when it does not end so (a document, pretty-printed values, one long
 * line), the hand-over mode above reads the file; a later one that does not, and everything after
 * it, is read by the sequential run. */

/* The longest line a segment takes (a line of a {"Findings":[...]} page may hold many findings);
 * past it the sequential run reads on, in bounded memory. */
#define SEG_LINE_MAX ((uint64_t)16 << 20)

/* Where the segment that starts at from ends: one past the first line break at or after
 * from + part_size - 1, or the file's end. *too_long: no line break within SEG_LINE_MAX. False on a
 * reading error (*errnum). Under the lock: segments are cut in order. */
static bool seg_end(reader *r, uint64_t from, uint64_t *to, bool *too_long, int *errnum)
{
    char buf[4096];
    uint64_t at = r->o.part_size - 1 < r->size - from ? from + r->o.part_size - 1 : r->size;
    *too_long = false;
    while (at < r->size) {
        size_t want = r->size - at < sizeof buf ? (size_t)(r->size - at) : sizeof buf;
        ssize_t n = pread(r->fd, buf, want, (off_t)at);
        const char *nl;
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            *errnum = errno;
            return false;
        }
        if (n == 0) {
            r->size = at; /* the file shrank: its end is here */
            break;
        }
        if ((nl = memchr(buf, '\n', (size_t)n)) != NULL) {
            *to = at + (uint64_t)(nl - buf) + 1;
            return true;
        }
        at += (uint64_t)n;
        if (at - from - (r->o.part_size - 1) > SEG_LINE_MAX) {
            *to = at;
            *too_long = true;
            return true;
        }
    }
    *to = r->size;
    return true;
}

/* The bases of the segments whose predecessors are all read. Under the lock. */
static void seg_advance(reader *r)
{
    while (r->bnext < r->tail) {
        part *pt = &r->ring[r->bnext % r->nring];
        if (!pt->based) {
            pt->base = r->acc;
            pt->based = true;
            pthread_cond_broadcast(&r->cv);
        }
        if (!pt->parsed)
            break;
        r->acc.lines += pt->count.lines;
        r->acc.values += pt->count.values;
        r->acc.items += pt->count.items;
        r->bnext++;
    }
}

/* The next segment, cut and claimed; NULL when there is none to read now. Under the lock. */
static part *seg_claim(reader *r)
{
    part *pt;
    uint64_t to = r->size;
    bool too_long = false;
    int errnum = 0;
    if (r->halt || r->next >= r->size || r->tail - r->head >= r->nring)
        return NULL;
    pt = &r->ring[r->tail % r->nring]; /* free: the head's part is cleared before head moves on */
    pt->seq = r->tail;
    pt->from = r->next;
    pt->io = !seg_end(r, r->next, &to, &too_long, &errnum);
    pt->io_errno = errnum;
    pt->to = pt->io ? pt->from : to;
    pt->eof = pt->to >= r->size;
    pt->clean = pt->parsed = pt->based = false;
    pt->too_long = too_long;
    r->next = pt->io || too_long ? r->size : pt->to; /* nothing after a segment that cannot count */
    pt->state = P_BUSY;
    r->tail++;
    seg_advance(r);
    return pt;
}

/* Entry e of a segment after the first, numbered from base: its offset, line and index from the
 * file's start, and the value's number that starts its path ("/N", numbered from 1 in the segment).
 * False when out of memory. */
static bool renumber(reader *r, part *pt, entry *e, const seg_count *base)
{
    const char *rel = pt->paths.data + e->path, *q = rel + 1;
    uint64_t n = 0;
    size_t at = pt->fixed.len;
    char num[24], *d = num + sizeof num;
    if (rel[0] != '/' || *q < '0' || *q > '9')
        return false;
    for (; *q >= '0' && *q <= '9'; q++)
        n = n * 10 + (uint64_t)(*q - '0');
    if (n < 1)
        return false;
    n = n - 1 + base->values;
    do /* "/N", written backwards (a call to snprintf per finding showed in profiles) */
        *--d = (char)('0' + n % 10);
    while ((n /= 10) != 0);
    *--d = '/';
    if (asff__buf_append(&pt->fixed, d, (size_t)(num + sizeof num - d)) != ASFF_OK ||
        asff__buf_append(&pt->fixed, q, strlen(q) + 1) != ASFF_OK)
        return false;
    e->path = at;
    e->info.index += base->items;
    e->info.offset += pt->from - r->start;
    e->info.line += base->lines;
    return true;
}

static int seg_finding(void *ctx, void *finding, const asff_finding_info *info)
{
    worker *w = ctx;
    reader *r = w->r;
    part *pt = w->cur;
    const asff_document *d = info->document;
    entry *e = add_entry_to(r, pt, E_HANDED, info);
    asff_document *c = NULL;
    bool ok = e != NULL, first = pt->from == r->start;
    if (ok && w->spec) {
        /* numbered from the guessed base and worked now, while the finding is in cache */
        ok = first || renumber(r, pt, e, &w->base);
        if (ok && r->o.work) {
            e->info.path = path_of(pt, e);
            e->info.document = NULL; /* as in the hand-over mode (docs/codec.md) */
            e->work = r->o.work(r->o.work_ctx, w->index, finding, &e->info);
            if (unwanted(r, e->work)) {
                /* a value of its own: everything allocated since the mark is its */
                bool alone = !info->path[0] || !strchr(info->path + 1, '/');
                e->finding = finding;
                drop(r, pt, e, alone ? &w->mark : NULL);
                finding = NULL;
            }
        }
    }
    if (ok)
        c = asff_arena_alloc(pt->arena, sizeof *c);
    ok = c != NULL;
    if (c) {
        /* the document as it is now: the parser's strings do not outlive its value */
        *c = *d;
#define DUP(f) ok = ok && (!d->f || (c->f = asff_arena_strdup(pt->arena, d->f, strlen(d->f))) != NULL)
        DUP(next_token);
        DUP(other_members);
        DUP(event_id);
        DUP(detail_type);
        DUP(source);
        DUP(account);
        DUP(time);
        DUP(region);
        DUP(resources);
        DUP(action_name);
        DUP(action_description);
        DUP(insight_arn);
        DUP(insight_name);
        DUP(result_type);
        DUP(insight_results);
#undef DUP
        if (w->spec && !first)
            c->values = c->values - 1 + w->base.values;
    }
    if (!ok) {
        if (e) {
            if (e->work && r->o.work_free)
                r->o.work_free(r->o.work_ctx, e->work);
            pt->n--;
        }
        if (finding && r->po.keep)
            asff_object_free(finding);
        w->failed = true;
        return 1;
    }
    e->doc = c;
    e->finding = finding;
    w->mark = asff__arena_mark(pt->arena);
    return 0;
}

static int seg_error(void *ctx, const asff_error *err, const asff_finding_info *info)
{
    worker *w = ctx;
    (void)err;
    (void)info;
    w->failed = true; /* not counted: the sequential run reads the segment and reports it */
    return 1;
}

/* The entries of a segment after the first, renumbered from its base, the document's count of
 * values too. False when out of memory. */
static bool seg_renumber(reader *r, part *pt)
{
    size_t i;
    for (i = 0; i < pt->n; i++) {
        entry *e = &pt->e[i];
        if (!renumber(r, pt, e, &pt->base))
            return false;
        e->doc->values = e->doc->values - 1 + pt->base.values;
    }
    return true;
}

/* Speculation (ASFF_PARALLEL_SPARSE with a work callback): the base of segment pt guessed before
 * it is read, so that each finding is worked as it comes and, not wanted, gives its memory back at
 * once. Its line breaks are counted, and each line with something on it is taken for one value
 * holding one finding; the segments before it are taken so too, or as read when they are. A wrong
 * guess shows once the true base is known, and the segment is read again (seg_deliver), and the
 * segments after it are read without guessing. Sets w->base; false when the threads stop or a guess
 * was wrong. */
static bool seg_guess(worker *w, part *pt)
{
    reader *r = w->r;
    seg_count pre = {0, 0, 0}, g = {0, 0, 0};
    const char *q = pt->bytes.data, *end = q + (pt->to - pt->from);
    uint64_t k;
    bool ok = false;
    while (q < end) {
        const char *nl = memchr(q, '\n', (size_t)(end - q)), *stop = nl ? nl : end, *t = q;
        while (t < stop && (*t == ' ' || *t == '\t' || *t == '\r'))
            t++;
        pre.values += t < stop;
        if (!nl)
            break;
        pre.lines++;
        q = nl + 1;
    }
    pre.items = pre.values;
    pthread_mutex_lock(&r->mu);
    pt->pre = pre;
    pt->pre_done = true;
    pthread_cond_broadcast(&r->cv);
    while (!r->halt && !r->unguessable) {
        g = r->acc;
        for (k = r->bnext; k < pt->seq; k++) {
            const part *b = &r->ring[k % r->nring];
            const seg_count *n = b->parsed ? &b->count : b->pre_done ? &b->pre : NULL;
            if (!n)
                break;
            g.lines += n->lines;
            g.values += n->values;
            g.items += n->items;
        }
        if ((ok = k == pt->seq) != false)
            break;
        pthread_cond_wait(&r->cv, &r->mu);
    }
    pthread_mutex_unlock(&r->mu);
    w->base = g;
    return ok;
}

/* The bytes of segment pt read by w's parser (with spec, numbered from w->base and worked as they
 * come); c gets what it counted. True when it was read cleanly. */
static bool seg_parse(worker *w, part *pt, bool spec, seg_count *c)
{
    reader *r = w->r;
    asff_parser *p = w->p;
    bool first = pt->from == r->start, clean;
    size_t len = (size_t)(pt->to - pt->from);
    const char *q, *end = pt->bytes.data + len;
    asff_status st;
    asff_parser_reset(p);
    if (!first)
        asff__codec_continue_lines(p);
    p->shared = r->po.keep ? NULL : pt->arena;
    w->cur = pt;
    w->failed = false;
    w->spec = spec;
    w->mark = asff__arena_mark(pt->arena);
    st = asff_parser_feed(p, pt->bytes.data, len, NULL);
    if (st == ASFF_OK && pt->eof)
        st = asff_parser_finish(p, NULL);
    /* the last segment ends the stream: no line mode needed, nothing follows it */
    clean = st == ASFF_OK && !w->failed && asff__codec_at_rest(p, !pt->eof);
    p->shared = NULL;
    c->values = p->values - (first ? 0 : 1);
    c->items = p->items;
    c->lines = spec ? pt->pre.lines : 0; /* (the guess counted them) */
    for (q = pt->bytes.data; !spec && q < end && (q = memchr(q, '\n', (size_t)(end - q))) != NULL; q++)
        c->lines++;
    return clean;
}

/* Read segment pt on this thread: its bytes, its parser, then (the segments before it read) its
 * entries renumbered and their work done, unless speculation did it as they came. */
static void seg_read(worker *w, part *pt)
{
    reader *r = w->r;
    bool first = pt->from == r->start, clean = false, go, spec = false;
    size_t len = (size_t)(pt->to - pt->from), got = 0, i;
    seg_count c = {0, 0, 0};
    if (!pt->io && !pt->too_long && asff__buf_reserve(&pt->bytes, len) == ASFF_OK) {
        while (got < len) {
            ssize_t n = pread(r->fd, pt->bytes.data + got, len - got, (off_t)(pt->from + got));
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0) {
                pt->io = true;
                pt->io_errno = n < 0 ? errno : EIO; /* the file shrank under us */
                break;
            }
            got += (size_t)n;
        }
    }
    if (got == len && !pt->io && !pt->too_long) {
        spec = r->o.work && (r->o.flags & ASFF_PARALLEL_SPARSE) && seg_guess(w, pt);
        clean = seg_parse(w, pt, spec, &c);
    }
    pthread_mutex_lock(&r->mu);
    pt->count = c;
    pt->clean = clean;
    pt->parsed = true;
    pt->spec = spec;
    pt->guess = w->base;
    pthread_cond_broadcast(&r->cv); /* (a later segment's guess may wait for it) */
    seg_advance(r);
    /* speculation: the guess is checked where the segment is delivered (seg_deliver) */
    while (!spec && !pt->based && !r->halt)
        pthread_cond_wait(&r->cv, &r->mu);
    go = !spec && pt->based && !r->halt && clean;
    pthread_mutex_unlock(&r->mu);
    if (go && !first && !seg_renumber(r, pt))
        pt->clean = go = false; /* (read by the calling thread once the part is done) */
    for (i = 0; go && r->o.work && i < pt->n; i++) {
        entry *e = &pt->e[i];
        e->info.path = path_of(pt, e);
        e->info.document = NULL; /* as in the hand-over mode (docs/codec.md) */
        e->work = r->o.work(r->o.work_ctx, w->index, e->finding, &e->info);
        if (unwanted(r, e->work))
            drop(r, pt, e, NULL);
    }
}

/* A segment read, delivered on the calling thread, or what stops the delivery. */
static void seg_deliver(reader *r, part *pt)
{
    if (pt->io) {
        stop_with(r, ASFF_ERR_IO, strerror(pt->io_errno), NULL);
    } else if (!pt->clean) {
        r->stop = true;
        if (pt->seq == 0)
            r->abandon = true; /* nothing delivered yet: the hand-over mode reads the file */
        else
            r->anomaly = true; /* the sequential run reads on from this segment */
    } else {
        if (pt->spec && memcmp(&pt->guess, &pt->base, sizeof pt->base) != 0) {
            /* guessed wrong (two values on a line, an event of several findings before it;
             * blank lines are counted right): read again here, numbered from the true base (the
             * segments before it are delivered: it is known); the same bytes read the same way */
            worker *self = &r->w[r->nw - 1];
            seg_count c;
            /* lines of several findings each would be guessed wrong over and over, and read
             * twice: later segments wait for their base instead, as without the flag */
            pthread_mutex_lock(&r->mu);
            r->unguessable = true;
            pthread_mutex_unlock(&r->mu);
            entries_clear(r, pt);
            self->base = pt->base;
            if (!seg_parse(self, pt, true, &c)) {
                stop_with(r, ASFF_ERR_NOMEM, "out of memory", NULL); /* (the first time it was read cleanly) */
                return;
            }
        }
        deliver_part(r, pt);
    }
}

/* Segments are read by all threads, delivered by this one, until the file's end or a stop. */
static void seg_run(reader *r)
{
    worker *self = &r->w[r->nw - 1];
    pthread_mutex_lock(&r->mu);
    for (;;) {
        part *pt = r->head < r->tail ? &r->ring[r->head % r->nring] : NULL;
        if (pt && pt->state == P_DONE) {
            pthread_mutex_unlock(&r->mu);
            if (!r->stop)
                seg_deliver(r, pt);
            part_clear(r, pt);
            pthread_mutex_lock(&r->mu);
            pt->state = P_FREE;
            r->halt = r->stop;
            r->head++;
            pthread_cond_broadcast(&r->cv);
            continue;
        }
        if ((pt = seg_claim(r)) != NULL) {
            pthread_mutex_unlock(&r->mu);
            seg_read(self, pt);
            pthread_mutex_lock(&r->mu);
            pt->state = P_DONE;
            pthread_cond_broadcast(&r->cv);
            continue;
        }
        if (r->head == r->tail)
            break;
        pthread_cond_wait(&r->cv, &r->mu);
    }
    pthread_mutex_unlock(&r->mu);
}

/* Parts, a parser per thread, and the threads; false when out of memory (reader_free frees). */
static bool seg_setup(reader *r)
{
    if (!ring_setup(r, true))
        return false;
    r->w = lines_alloc(r, r->nw, sizeof *r->w, &r->w_raw);
    if (!r->w)
        return false;
    return workers_start(r, &r->po, seg_finding, seg_error);
}

static bool sync_init(reader *r)
{
    if (pthread_mutex_init(&r->mu, NULL) != 0)
        return false;
    if (pthread_cond_init(&r->cv, NULL) != 0) {
        pthread_mutex_destroy(&r->mu);
        return false;
    }
    return true;
}

/* Read the file [start, size) by segments. *done false when the first segment says it is not lines
 * of values: nothing was delivered, and r is as it was. */
static asff_status by_segments(reader *r, FILE *file, uint64_t start, uint64_t size, asff_error *err, bool *done)
{
    reader before = *r;
    *done = true;
    if (!sync_init(r))
        return asff_error_set(err, ASFF_ERR_NOMEM, "out of memory");
    r->segments = true;
    r->fd = fileno(file);
    r->start = r->next = start;
    r->size = size;
    if (!seg_setup(r)) {
        reader_free(r);
        return asff_error_set(err, ASFF_ERR_NOMEM, "out of memory");
    }
    seg_run(r);
    reader_free(r);
    if (r->abandon) {
        *r = before;
        *done = false;
        return ASFF_OK;
    }
    if (r->anomaly) {
        /* one parser from the start, the callbacks already made not repeated */
        r->mute = r->delivered;
        if (fseeko(file, (off_t)start, SEEK_SET) != 0)
            return asff_error_set(err, ASFF_ERR_IO, strerror(errno));
        return sequential(r, file, err);
    }
    if (r->stop && r->st != ASFF_OK)
        return *err = r->e, r->st;
    if (fseeko(file, (off_t)r->size, SEEK_SET) != 0) /* read to its end, as one parser leaves it */
        return asff_error_set(err, ASFF_ERR_IO, strerror(errno));
    return ASFF_OK;
}

asff_status asff_parse_file_parallel(FILE *file, const asff_parse_options *options, const asff_parallel_options *parallel,
                                     asff_ordered_fn on_finding, asff_parse_error_fn on_error, void *ctx, asff_error *err)
{
    asff_parse_options po = ASFF_PARSE_OPTIONS_INIT;
    asff_parallel_options o = ASFF_PARALLEL_OPTIONS_INIT;
    asff_error scratch;
    reader r;
    asff_status st;
    struct stat sb;
    off_t start;
    unsigned jobs;
    bool fast;
    if (!err)
        err = &scratch;
    asff_error_clear(err);
    if (!file)
        return asff_error_set(err, ASFF_ERR_INVALID_ARG, "file is required");
    if (parallel && parallel->version != ASFF_PARALLEL_OPTIONS_VERSION && parallel->version != 1)
        return asff__error_setf(err, ASFF_ERR_INVALID_ARG, "asff_parallel_options version %u is unknown",
                                parallel->version);
    if (parallel && parallel->version > 1 && parallel->flags & ~ASFF_PARALLEL_SPARSE)
        return asff__error_setf(err, ASFF_ERR_INVALID_ARG, "asff_parallel_options flags 0x%x are unknown",
                                parallel->flags & ~ASFF_PARALLEL_SPARSE);
    if (options && !asff__codec_options_copy(&po, options)) /* a shorter struct of an older version too */
        po.version = options->version;                     /* unknown: asff_parser_new below says so */
    if (parallel && parallel->version == 1)
        memcpy(&o, parallel, offsetof(asff_parallel_options, flags)); /* a version 1 struct ends there */
    else if (parallel)
        o = *parallel;
    memset(&r, 0, sizeof r);
    r.alloc = asff__alloc_or_default(po.allocator);
    r.po = po;
    r.on_finding = on_finding;
    r.on_error = on_error;
    r.ctx = ctx;
    jobs = o.jobs ? o.jobs : online_cpus();
    if (!o.part_size)
        o.part_size = (size_t)256 << 10;
    r.nw = jobs;
    r.nring = o.parts ? o.parts : 3u * jobs;
    if (r.nring < 2)
        r.nring = 2;
    r.o = o;
    start = ftello(file);
    {
        /* the options checked as asff_parser_new checks them; the fast path there or not */
        asff_parser *probe = NULL;
        st = asff_parser_new(&po, NULL, NULL, NULL, &probe, err);
        fast = st == ASFF_OK && asff__codec_delegate(probe);
        asff_parser_free(probe);
        if (st != ASFF_OK)
            return st;
    }
    if (jobs < 2 || start < 0 || fstat(fileno(file), &sb) != 0 || !S_ISREG(sb.st_mode)) {
        r.nw = 0;
        return sequential(&r, file, err);
    }
    if (!fast || (o.work && (o.flags & ASFF_PARALLEL_SPARSE))) {
        /* Lines by segments: yajl alone (the hand-over mode needs the fast path's scanner), or
         * findings mostly not wanted, which a thread then gives back as it reads them */
        bool done = false;
        if (po.envelope == ASFF_ENVELOPE_AUTO || po.envelope == ASFF_ENVELOPE_NDJSON || po.envelope == ASFF_ENVELOPE_FINDING)
            st = by_segments(&r, file, (uint64_t)start, (uint64_t)sb.st_size, err, &done);
        if (done)
            return st;
        if (!fast) {
            r.nw = 0;
            return sequential(&r, file, err);
        }
    }
    if (!sync_init(&r))
        return asff_error_set(err, ASFF_ERR_NOMEM, "out of memory");
    if (!reader_setup(&r)) {
        reader_free(&r);
        return asff_error_set(err, ASFF_ERR_NOMEM, "out of memory");
    }
    if (!r.w) { /* (the fast path is there: checked above) */
        r.nw = 0;
        reader_free(&r);
        return sequential(&r, file, err);
    }
    st = run(&r, file, err);
    reader_free(&r);
    if (r.anomaly) {
        /* a finding the threads could not read alone: one parser from the start, callbacks not repeated */
        r.mute = r.delivered;
        if (fseeko(file, start, SEEK_SET) != 0)
            st = asff_error_set(err, ASFF_ERR_IO, strerror(errno));
        else
            st = sequential(&r, file, err);
    }
    return st;
}
