/*
 * The simdjson front-end (docs/codec.md, Front-ends). Where the builder waits for a finding (between
 * top-level values, or for the next item of a findings array) a boundary scanner finds the bytes of
 * the next object, and simdjson (simd.cpp) replays them as the callbacks' events; yajl is given a
 * stand-in ("{}") so that its state stays that of the real input. Whatever the fast path cannot
 * decide exactly as the yajl path would (any error, a limit, an envelope, line breaks that may end
 * an NDJSON record, escapes of surrogates or U+0000) is undone and left to the yajl path from the
 * object's first byte: findings and errors are the same whichever front-end is built.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include "codec_internal.h"
#include "asff/codec.h"

#ifdef ASFF_HAVE_SIMDJSON
#include "simd.h"

const char *asff_json_frontend(void)
{
    return "simdjson";
}

bool asff__codec_fast_init(asff_parser *p)
{
    const char *env = getenv("ASFF_FRONTEND");
    asff__buf_init(&p->pad, p->alloc);
    if (env && strcmp(env, "yajl") == 0)
        return true; /* the reference path alone (tests run both) */
    p->simd = asff__simd_new();
    if (!p->simd)
        return false;
    p->fast_on = p->fast_ready = true;
    return true;
}

void asff__codec_fast_free(asff_parser *p)
{
    asff__simd_free(p->simd);
    asff__buf_cleanup(&p->pad);
}

/* ---- yajl brought to the state of the input ------------------------------------------------- */

static bool feed_muted(asff_parser *p, const char *s, size_t n)
{
    yajl_status ys;
    p->mute = true;
    ys = yajl_parse(p->y, (const unsigned char *)s, n);
    p->mute = false;
    return ys == yajl_status_ok && !p->ya.failed;
}

/* After an item of a findings array, or after a top-level value, yajl wants what follows a value. */
static bool after_value(const asff_parser *p)
{
    return p->nframes ? p->frames[p->nframes - 1].index > 0 : true;
}

bool asff__codec_fast_resume(asff_parser *p)
{
    char pre[64 * 4 + 2];
    size_t n = 0;
    uint32_t d;
    yajl_handle y = asff__codec_new_yajl(p);
    if (!y)
        return false;
    yajl_free(p->y);
    p->y = y;
    /* the open containers: an object with a member being read, or an array */
    for (d = 0; d < p->jdepth; d++) {
        if ((p->objbits >> d) & 1u) {
            memcpy(pre + n, "{\"\":", 4);
            n += 4;
        } else {
            pre[n++] = '[';
        }
    }
    if (after_value(p)) {
        pre[n++] = '{';
        pre[n++] = '}';
    }
    if (n && !feed_muted(p, pre, n))
        return false;
    p->fast_ready = true;
    return true;
}

/* ---- the events, from simdjson to the builder ----------------------------------------------- */

/* Stream offset o as the callbacks' position (asff__codec_pos_now) until yajl is called again. */
static void set_pos(asff_parser *p, uint64_t o)
{
    p->ybase = o - yajl_get_bytes_consumed(p->y);
}

static int ok(asff_parser *p, int rc)
{
    return rc && !p->fast_failed;
}

static int ev_null(void *ctx)
{
    return ok(ctx, asff__codec_callbacks.yajl_null(ctx));
}

static int ev_boolean(void *ctx, int b)
{
    return ok(ctx, asff__codec_callbacks.yajl_boolean(ctx, b));
}

static int ev_number(void *ctx, const char *s, size_t len)
{
    return ok(ctx, asff__codec_callbacks.yajl_number(ctx, s, len));
}

static int ev_string(void *ctx, const unsigned char *s, size_t len)
{
    return ok(ctx, asff__codec_callbacks.yajl_string(ctx, s, len));
}

/* 2 when the object opened is one that projects (its members through the member event). */
static int ev_start_map(void *ctx)
{
    asff_parser *p = ctx;
    size_t n = p->nframes;
    p->fast_depth++;
    if (!ok(p, asff__codec_callbacks.yajl_start_map(ctx)))
        return 0;
    return p->nframes == n + 1 && p->frames[n].kind == FK_OBJECT && p->frames[n].pset && !p->mute ? 2 : 1;
}

static int ev_start_array(void *ctx)
{
    asff_parser *p = ctx;
    p->fast_depth++;
    return ok(p, asff__codec_callbacks.yajl_start_array(ctx));
}

static int ev_map_key(void *ctx, const unsigned char *s, size_t len)
{
    asff_parser *p = ctx;
    /* A top-level object with a findings container is an envelope: its findings would be delivered
     * before the value is read whole, and then a later error could not be undone. */
    if (p->fast_depth == 1 && p->nframes == 1 && p->frames[0].role == ROLE_TOP &&
        ((len == 8 && memcmp(s, "Findings", 8) == 0) || (len == 6 && memcmp(s, "detail", 6) == 0))) {
        p->fast_failed = true;
        return 0;
    }
    if (!ok(p, asff__codec_callbacks.yajl_map_key(ctx, s, len)))
        return 0;
    return p->nframes && p->frames[p->nframes - 1].kind == FK_OBJECT && p->frames[p->nframes - 1].dry ? 2 : 1;
}

static int ev_end(asff_parser *p, int (*cb)(void *))
{
    if (--p->fast_depth == 0)
        set_pos(p, p->fast_end); /* the finding ends here (its length, the line of the next value) */
    return ok(p, cb(p));
}

static int ev_end_map(void *ctx)
{
    return ev_end(ctx, asff__codec_callbacks.yajl_end_map);
}

static int ev_end_array(void *ctx)
{
    return ev_end(ctx, asff__codec_callbacks.yajl_end_array);
}

/* A member name and the JSON type of its value (ASFF__SIMD_T_*, -1 for null), when projecting: 0 to
 * stop, 1 to replay the value as events, 2 when the walker checks it itself (d filled). The common
 * case in one call (asff__codec_dry_key), else the key's event and then dry_take's question. */
static int ev_member(void *ctx, const unsigned char *s, size_t len, int type, asff__simd_dry *d)
{
    static const int jt[] = {[ASFF__SIMD_T_OBJECT] = J_OBJ, [ASFF__SIMD_T_ARRAY] = J_ARR, [ASFF__SIMD_T_STRING] = J_STR,
                             [ASFF__SIMD_T_NUMBER] = J_NUM, [ASFF__SIMD_T_BOOL] = J_BOOL};
    asff_parser *p = ctx;
    const asff_member *m = NULL;
    int rc = type < 0 ? 0 : asff__codec_dry_key(p, s, len, jt[type], &m);
    if (rc == 0) {
        int key = ev_map_key(ctx, s, len);
        if (key != 2 || type < 0) /* null: the builder's event leaves the member absent */
            return key ? 1 : 0;
        if ((rc = asff__codec_dry_take(p, jt[type], &m)) == 0)
            return 1;
    }
    if (rc < 0)
        return 0;
    d->member = m;
    d->depth_left = p->opt.max_depth - p->jdepth;
    d->max_members = p->opt.max_members;
    d->max_string = p->opt.max_string;
    return 2;
}

static const void *ev_dry_member(void *ctx, const void *type, const char *s, size_t len)
{
    return asff__codec_find_member(ctx, type, s, len);
}

static const asff__simd_events events = {ev_null,      ev_boolean, ev_number,      ev_string,    ev_start_map,
                                         ev_map_key,   ev_end_map, ev_start_array, ev_end_array, ev_member,
                                         ev_dry_member};

/* ---- the boundary scanner ------------------------------------------------------------------- */

static bool value_first(unsigned char c)
{
    return c == '{' || c == '[' || c == '"' || c == '-' || (c >= '0' && c <= '9') || c == 't' || c == 'f' || c == 'n';
}

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20;
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* A newline at d[i] inside an open top-level value: could the yajl path end the record there
 * (asff__codec_line_cut)? Then the fast path leaves the value to it. */
static bool nl_unsure(const asff_parser *p, const unsigned char *d, size_t i, size_t n)
{
    if (!asff__codec_record_envelope(p))
        return false;
    return p->line_mode || i + 1 >= n || value_first(d[i + 1]);
}

/* What the scanner looks at: in a string '"', '\\' and raw control characters; outside, also the
 * brackets and '\n' (the blanks \t and \r are controls that it passes over). */
enum { C_PLAIN, C_QUOTE, C_BSLASH, C_CTRL, C_OPEN, C_CLOSE };
#define CTRL4(x) [x] = C_CTRL, [x + 1] = C_CTRL, [x + 2] = C_CTRL, [x + 3] = C_CTRL
static const unsigned char cls[256] = {CTRL4(0),  CTRL4(4),  CTRL4(8),  CTRL4(12), CTRL4(16), CTRL4(20),
                                       CTRL4(24), CTRL4(28), ['"'] = C_QUOTE, ['\\'] = C_BSLASH,
                                       ['{'] = C_OPEN, ['['] = C_OPEN, ['}'] = C_CLOSE, [']'] = C_CLOSE};

/* A \u escape at d[i] (just after the backslash): false when only the yajl path decides it (U+0000,
 * a surrogate: paired or not, they are checked there), or when it does not end before lim. */
static bool plain_u_escape(const unsigned char *d, size_t i, size_t lim)
{
    int h0, h1, h2, h3;
    unsigned v;
    if (i + 5 > lim)
        return false;
    h0 = hexval(d[i + 1]);
    h1 = hexval(d[i + 2]);
    h2 = hexval(d[i + 3]);
    h3 = hexval(d[i + 4]);
    if (h0 < 0 || h1 < 0 || h2 < 0 || h3 < 0)
        return false;
    v = (unsigned)(h0 << 12 | h1 << 8 | h2 << 4 | h3);
    return v != 0 && (v < 0xD800 || v > 0xDFFF);
}

/* The first byte of d[i, lim) that ends a run of plain string bytes ('"', '\\' or a control
 * character; brackets too in the scalar loop, which the caller passes over), or lim. */
static size_t string_run(const unsigned char *d, size_t i, size_t lim)
{
#if defined(__SSE2__) && (defined(__GNUC__) || defined(__clang__))
    const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\'), c1f = _mm_set1_epi8(0x1f);
    while (i + 16 <= lim) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(d + i));
        __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bslash)),
                                 _mm_cmpeq_epi8(_mm_max_epu8(v, c1f), c1f)); /* v <= 0x1f */
        unsigned mask = (unsigned)_mm_movemask_epi8(m);
        if (mask)
            return i + (size_t)__builtin_ctz(mask);
        i += 16;
    }
#endif
    while (i + 4 <= lim && !cls[d[i]] && !cls[d[i + 1]] && !cls[d[i + 2]] && !cls[d[i + 3]])
        i += 4;
    while (i < lim && !cls[d[i]])
        i++;
    return i;
}

/* What scan_scalar returns when it reached its stop with the object still open. */
#define SCAN_MORE ((size_t)-1)

/*
 * The byte-at-a-time scanner: reads d[*pi, stop) (a string or an escape that begins before stop is
 * read to its end, up to lim) with the state in *in_str and *depth. Returns the object's end, 0 for
 * what only the yajl path decides (below), or SCAN_MORE with *pi where it stopped.
 */
static size_t scan_scalar(const asff_parser *p, const unsigned char *d, size_t *pi, size_t stop, size_t lim, size_t n,
                          bool *in_str, uint32_t *depth, bool *nl)
{
    size_t i = *pi;
    for (;;) {
        unsigned char c;
        if (*in_str) {
            for (;;) {
                i = string_run(d, i, lim);
                if (i >= lim)
                    return 0;
                c = d[i++];
                if (c == '"')
                    break;
                if (c == '\\') {
                    if (i >= lim)
                        return 0;
                    if (d[i] == 'u') {
                        if (!plain_u_escape(d, i, lim))
                            return 0;
                        i += 5;
                    } else {
                        i++;
                    }
                } else if (cls[c] == C_CTRL) {
                    return 0;
                } /* brackets inside a string are plain text */
            }
            *in_str = false;
        }
        if (i >= stop)
            break;
        c = d[i];
        switch (cls[c]) {
        case C_PLAIN:
            i++;
            break;
        case C_QUOTE:
            i++;
            *in_str = true;
            break;
        case C_OPEN:
            ++*depth;
            i++;
            break;
        case C_CLOSE:
            i++;
            if (--*depth == 0)
                return i;
            break;
        case C_CTRL:
            if (c == '\n') {
                if (nl_unsure(p, d, i, n))
                    return 0;
                *nl = true;
            }
            i++;
            break;
        default: /* a backslash outside a string: not JSON */
            return 0;
        }
    }
    *pi = i;
    return SCAN_MORE;
}

#if defined(__SSE2__) && (defined(__GNUC__) || defined(__clang__))
#define SCAN_BLOCKS 1
/* The 64 bytes at d as bit masks (bit k for d[k]). */
typedef struct block {
    uint64_t quote, bslash, open, close, nl, ctrl;
} block;

static void block_load(const unsigned char *d, block *b)
{
    const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\'), c1f = _mm_set1_epi8(0x1f),
                  x20 = _mm_set1_epi8(0x20), open = _mm_set1_epi8('{'), close = _mm_set1_epi8('}'),
                  nl = _mm_set1_epi8('\n');
    int k;
    memset(b, 0, sizeof *b);
    for (k = 0; k < 4; k++) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(d + 16 * k));
        __m128i low = _mm_or_si128(v, x20); /* '[' | 0x20 == '{', ']' | 0x20 == '}' */
        unsigned sh = 16u * (unsigned)k;
        b->quote |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, quote)) << sh;
        b->bslash |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, bslash)) << sh;
        b->open |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(low, open)) << sh;
        b->close |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(low, close)) << sh;
        b->nl |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, nl)) << sh;
        b->ctrl |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_max_epu8(v, c1f), c1f)) << sh;
    }
}

/* The bits set in x (the compiler's builtin is a library call without -mpopcnt). */
static uint32_t popcount64(uint64_t x)
{
#if defined(__POPCNT__)
    return (uint32_t)__builtin_popcountll(x);
#else
    x = x - ((x >> 1) & 0x5555555555555555ull);
    x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
    x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
    return (uint32_t)((x * 0x0101010101010101ull) >> 56);
#endif
}

/* Bit k of the result: the parity of the bits 0..k of x (with x the quotes: inside a string). */
static uint64_t prefix_xor(uint64_t x)
{
    x ^= x << 1;
    x ^= x << 2;
    x ^= x << 4;
    x ^= x << 8;
    x ^= x << 16;
    x ^= x << 32;
    return x;
}
#endif

/*
 * The end (one past the closing brace) of the object that starts at d[s], or 0 when it does not end
 * before lim or holds what only the yajl path decides: a raw control character in a string (yajl's
 * error), a \u escape of U+0000 or a surrogate, a newline that may end an NDJSON record.
 * *nl: whether a line break (between tokens) came before the end. 64 bytes at a time where a block has no backslash (the strings are then the runs between
 * quotes); a block with one goes byte by byte, as the end of the input does.
 */
static size_t scan_object(const asff_parser *p, const unsigned char *d, size_t s, size_t lim, size_t n, bool *nl)
{
    size_t i = s, r;
    uint32_t depth = 0;
    bool in_str = false;
    *nl = false;
#ifdef SCAN_BLOCKS
    while (i + 64 <= lim) {
        block b;
        uint64_t instr, op, cl, before = ~(uint64_t)0, bad;
        size_t end = 0;
        block_load(d + i, &b);
        if (b.bslash) {
            if ((r = scan_scalar(p, d, &i, i + 64, lim, n, &in_str, &depth, nl)) != SCAN_MORE)
                return r;
            continue;
        }
        instr = prefix_xor(b.quote) ^ (in_str ? ~(uint64_t)0 : 0); /* an opening quote is in, a closing one out */
        op = b.open & ~instr;
        cl = b.close & ~instr;
        if (cl && popcount64(cl) >= depth) { /* the depth may reach 0 here */
            uint64_t br = op | cl;
            uint32_t dd = depth;
            while (br) {
                int k = __builtin_ctzll(br);
                if ((op >> k) & 1u) {
                    dd++;
                } else if (--dd == 0) {
                    end = (size_t)k + 1;
                    break;
                }
                br &= br - 1;
            }
            if (end && end < 64)
                before = ((uint64_t)1 << end) - 1;
            depth = dd;
        } else {
            depth += popcount64(op);
            depth -= popcount64(cl);
        }
        if ((b.ctrl & instr & before) != 0)
            return 0; /* a raw control character in a string */
        for (bad = b.nl & ~instr & before; bad; bad &= bad - 1) {
            if (nl_unsure(p, d, i + (size_t)__builtin_ctzll(bad), n))
                return 0;
            *nl = true;
        }
        if (end)
            return i + end;
        in_str = (instr >> 63) & 1u;
        i += 64;
    }
#endif
    r = scan_scalar(p, d, &i, lim, lim, n, &in_str, &depth, nl);
    return r == SCAN_MORE ? 0 : r;
}

/* ---- the fast path -------------------------------------------------------------------------- */

/* What a failed attempt changed in the builder, put back. */
typedef struct snapshot {
    size_t nframes, ffr;
    frame parent;
    bool in_finding, in_unit, in_value, line_mode;
    uint64_t f_start, f_line, unit_start, value_start, value_line, last_ok, objbits;
    int last_kind;
    uint32_t jdepth;
    asff_error e;
    asff_document doc;
} snapshot;

static void take(const asff_parser *p, snapshot *s)
{
    s->nframes = p->nframes;
    if (p->nframes)
        s->parent = p->frames[p->nframes - 1];
    s->ffr = p->ffr;
    s->in_finding = p->in_finding;
    s->in_unit = p->in_unit;
    s->in_value = p->in_value;
    s->line_mode = p->line_mode;
    s->f_start = p->f_start;
    s->f_line = p->f_line;
    s->unit_start = p->unit_start;
    s->value_start = p->value_start;
    s->value_line = p->value_line;
    s->last_ok = p->last_ok;
    s->objbits = p->objbits;
    s->last_kind = p->last_kind;
    s->jdepth = p->jdepth;
    s->e = p->e;
    s->doc = p->doc;
}

static void undo(asff_parser *p, const snapshot *s)
{
    asff_arena *a = s->nframes ? p->item_arena : p->top_arena;
    p->nframes = s->nframes;
    if (s->nframes)
        p->frames[s->nframes - 1] = s->parent;
    p->ffr = s->ffr;
    p->in_finding = s->in_finding;
    p->in_unit = s->in_unit;
    p->in_value = s->in_value;
    p->line_mode = s->line_mode;
    p->f_start = s->f_start;
    p->f_line = s->f_line;
    p->unit_start = s->unit_start;
    p->value_start = s->value_start;
    p->value_line = s->value_line;
    p->last_ok = s->last_ok;
    p->objbits = s->objbits;
    p->last_kind = s->last_kind;
    p->jdepth = s->jdepth;
    p->e = s->e;
    p->doc = s->doc;
    p->at_set = p->final_next = false;
    yajl_gen_reset(p->cap, NULL);
    yajl_gen_clear(p->cap);
    if (a && !p->shared)
        asff_arena_reset(a); /* what the attempt allocated; the yajl path starts the finding over */
}

/* Parallel reading: the builder gets "{}" for the object d[s, end) at its place, and the finding
 * callback finds the object's bytes in p->dg_* (parallel.c reads them on another thread). */
static int hand_over(asff_parser *p, const unsigned char *d, size_t s, size_t end, bool nl)
{
    snapshot snap;
    int rc;
    bool keep = p->opt.keep;
    take(p, &snap);
    p->opt.keep = false; /* the stand-in stays the parser's */
    p->fast = true;
    p->fast_failed = false;
    p->fast_depth = 0;
    p->fast_end = p->pbase + end;
    p->dg_data = d + s;
    p->dg_len = end - s;
    p->dg_depth = p->jdepth;
    p->dg_top = p->nframes == 0;
    p->dg_nl = nl;
    set_pos(p, p->pbase + s + 1);
    rc = ev_start_map(p) && ev_end_map(p);
    p->fast = false;
    p->dg_data = NULL;
    p->opt.keep = keep;
    if (rc && !p->fast_failed)
        return ASFF__SIMD_OK;
    if (p->st != ASFF_OK && !p->fast_failed)
        return ASFF__SIMD_STOPPED;
    undo(p, &snap);
    return ASFF__SIMD_UNSURE;
}

bool asff__codec_delegate(asff_parser *p)
{
    p->delegate = p->fast_on;
    return p->delegate;
}

/* Read the object d[s, end) with simdjson (flags: asff__simd_walk's); ASFF__SIMD_OK when the
 * builder took it whole. */
static int read_object(asff_parser *p, const unsigned char *d, size_t s, size_t end, size_t n, unsigned flags)
{
    snapshot snap;
    size_t len = end - s;
    const unsigned char *json = d + s;
    size_t cap = n - s;
    int rc;
    if (cap < len + ASFF__SIMD_PADDING) {
        /* too near the end of the piece: a padded copy */
        asff__buf_reset(&p->pad);
        if (asff__buf_append(&p->pad, json, len) != ASFF_OK || asff__buf_reserve(&p->pad, ASFF__SIMD_PADDING) != ASFF_OK)
            return ASFF__SIMD_UNSURE;
        memset(p->pad.data + len, 0, ASFF__SIMD_PADDING);
        json = (const unsigned char *)p->pad.data;
        cap = len + ASFF__SIMD_PADDING;
    }
    take(p, &snap);
    p->dry_on = p->projecting;
    for (unsigned again = 0;; again = ASFF__SIMD_AGAIN) {
        p->fast = true;
        p->fast_failed = p->redo_whole = false;
        p->fast_depth = 0;
        p->fast_end = p->pbase + end;
        p->ndkeys = 0;
        set_pos(p, p->pbase + s + 1); /* just after the opening brace, as yajl would say */
        rc = asff__simd_walk(p->simd, json, len, cap, flags | again, &events, p);
        p->fast = false;
        if (rc == ASFF__SIMD_OK && !p->fast_failed) {
            p->fast_reads++;
            return rc;
        }
        if (p->st != ASFF_OK && !p->fast_failed)
            return ASFF__SIMD_STOPPED; /* the finding callback asked to stop: a final outcome */
        undo(p, &snap);
        if (!p->redo_whole)
            return ASFF__SIMD_UNSURE;
        p->dry_on = false; /* want_whole: the same bytes again, every member built */
    }
}

/*
 * A top-level object that starts at d[s] and may be its line (NDJSON): the end of the line before
 * lim, blanks left off, when it ends with '}', else 0. simdjson then reads the line without the
 * boundary scanner (ASFF__SIMD_WHOLE checks that the object is all of it); a line that is not one
 * object goes to the scanner as before.
 */
static size_t line_object(const asff_parser *p, const unsigned char *d, size_t s, size_t lim)
{
    const unsigned char *nl;
    size_t t;
    if (p->delegate || p->dg_trust || (nl = memchr(d + s, '\n', lim - s)) == NULL)
        return 0; /* (hand-over mode and trusted ends keep their own path: no scan for them) */
    for (t = (size_t)(nl - d); t > s && (d[t - 1] == ' ' || d[t - 1] == '\t' || d[t - 1] == '\r'); t--)
        ;
    return t - s >= 2 && d[t - 1] == '}' && t - s <= p->opt.max_finding ? t : 0;
}

size_t asff__codec_fast_run(asff_parser *p, const unsigned char *d, size_t off, size_t lim, size_t n)
{
    p->fast_ready = false;
    for (;;) {
        const frame *f = p->nframes ? &p->frames[p->nframes - 1] : NULL;
        bool in_array = f != NULL, comma = false, nl = true;
        size_t i = off, s, end;
        int rc;
        if (in_array ? f->kind != FK_ARRAY : p->in_value)
            return off;
        /* A line break before the comma may end the record (asff__codec_line_cut: a value with no
         * comma after it); after the comma or the opening bracket only in line mode. */
        for (; i < lim && asff__codec_blank(d[i]); i++)
            if (d[i] == '\n' && in_array && nl_unsure(p, d, i, n) && (p->line_mode || f->index > 0))
                return off;
        if (!in_array && i == n) {
            /* only blanks (or nothing) to the end of the piece, between top-level values: yajl reads
             * them (a line break there matters to what follows, a bad value's recovery say), and the
             * next piece starts on this path again (a reader that feeds one line at a time, as the
             * batch reader's prefilter does, stays on it; so does a line kept by feed.c that ended
             * with its value) */
            p->fast_ready = true;
            return off;
        }
        if (in_array && f->index > 0) {
            if (i >= lim || d[i] != ',')
                return off;
            comma = true;
            for (i++; i < lim && asff__codec_blank(d[i]); i++)
                if (d[i] == '\n' && p->line_mode && asff__codec_record_envelope(p))
                    return off;
        }
        if (i >= lim || d[i] != '{' || p->pbase + i >= asff__codec_stop_point(p))
            return off; /* (past the stop point yajl stops the value: feed.c) */
        s = i;
        rc = ASFF__SIMD_UNSURE;
        if (!in_array && (end = line_object(p, d, s, lim)) != 0 &&
            (rc = read_object(p, d, s, end, n, ASFF__SIMD_WHOLE)) == ASFF__SIMD_OK)
            p->line_reads++;
        if (rc == ASFF__SIMD_UNSURE) {
            if (p->dg_trust && p->pbase + s == p->dg_trust_at && p->dg_trust <= lim - s)
                end = s + p->dg_trust; /* parallel.c: found by the same scanner in the object's real place */
            else
                end = scan_object(p, d, s, lim, n, &nl);
            p->dg_trust = 0;
            if (!end || end - s > p->opt.max_finding)
                return off;
            if (p->delegate) {
                /* handed over only where it is read as a finding, within the depth limit */
                if ((!in_array && !asff__codec_record_envelope(p)) || p->jdepth >= p->opt.max_depth)
                    return off;
                rc = hand_over(p, d, s, end, nl);
            } else {
                rc = read_object(p, d, s, end, n, 0);
            }
            if (rc == ASFF__SIMD_UNSURE)
                return off;
        }
        /* the finding is read (or the callback stopped): yajl reads a stand-in for it */
        if (!feed_muted(p, comma ? ",{}" : "{}", comma ? 3u : 2u)) {
            if (p->st == ASFF_OK) {
                asff_status code = p->ya.failed ? ASFF_ERR_NOMEM : ASFF_ERR_INTERNAL;
                asff__codec_set_errorf(p, code, p->pbase + end, code == ASFF_ERR_NOMEM ? "out of memory"
                                                                                     : "yajl refused the stand-in for a finding");
                p->st = code;
            }
            return end;
        }
        p->last_ok = p->pbase + end;
        p->last_nb = '}';
        p->last_nb_at = p->pbase + end - 1;
        off = end;
        if (rc != ASFF__SIMD_OK)
            return off;
    }
}

#else /* yajl alone */

const char *asff_json_frontend(void)
{
    return "yajl";
}

bool asff__codec_fast_init(asff_parser *p)
{
    asff__buf_init(&p->pad, p->alloc); /* feed.c uses it too */
    return true;
}

void asff__codec_fast_free(asff_parser *p)
{
    asff__buf_cleanup(&p->pad);
}

bool asff__codec_fast_resume(asff_parser *p)
{
    (void)p;
    return true;
}

bool asff__codec_delegate(asff_parser *p)
{
    (void)p;
    return false;
}

size_t asff__codec_fast_run(asff_parser *p, const unsigned char *d, size_t off, size_t lim, size_t n)
{
    (void)d;
    (void)lim;
    (void)n;
    p->fast_ready = false;
    return off;
}

#endif
