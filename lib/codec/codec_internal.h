/* Internal pieces shared by the parser and the writer of lib/codec. */
#ifndef ASFF_CODEC_INTERNAL_H
#define ASFF_CODEC_INTERNAL_H

#include "asff/codec.h"
#include "../core/internal.h"
#include "../core/json.h"
#include <yajl/yajl_gen.h>
#include <yajl/yajl_parse.h>

/* ---- the parser's state, shared by parser.c (callbacks, feeding), positions.c, names.c, lines.c and
 * envelope.c ---------------------------------------------------------------------------------- */

enum { FK_OBJECT, FK_LIST, FK_MAP, FK_ARRAY, FK_DETAIL, FK_CAPTURE, FK_SKIP, FK_DRY };
/* FK_DRY (projection, docs/codec.md): a value read and checked, not built; what it is (frame.special). */
enum { DK_OBJ, DK_LIST, DK_MAP, DK_ANY };
enum { ROLE_NONE, ROLE_FINDING, ROLE_TOP };
/* What a key of the top-level object or of an event's detail means besides being a member. */
enum { SP_NONE, SP_FINDINGS, SP_DETAIL, SP_DOCSTR, SP_DOCJSON, SP_NEXTTOKEN };
/* Envelope recognition (docs/codec.md, Envelopes): what the top-level members read so far were. */
enum {
    TF_MEMBER = 1,      /* a member of the finding model (Id, Title, ...) */
    TF_NONEVENT = 2,    /* a member that an EventBridge event does not have */
    TF_DTYPE = 4,       /* detail-type */
    TF_SOURCE = 8,      /* source */
    TF_FINDINGS = 16    /* FK_DETAIL: findings */
};
/* JSON value types as the callbacks see them. */
enum { J_NULL, J_BOOL, J_NUM, J_STR, J_OBJ, J_ARR };

/* A direct-mapped cache of member lookups: findings repeat the same names over and over. */
#define MCACHE_SIZE 1024u
typedef struct mcache {
    const asff_type *t;
    const asff_member *m;
    uint64_t a, b;              /* the name's key words (name_words), checked before the name */
    size_t len;
} mcache;

#define NAMESET_LINEAR 16  /* names compared linearly up to this many, hashed beyond */
#define PIECE (64u * 1024u) /* feed yajl at most this much at once, so limits are checked between pieces */
/* What the file readers (whole.c, parallel.c) read at a time: a value cut by a read's end is read by
 * yajl (the fast path reads only values that end in their piece), so reads are large enough for that
 * to be rare (one NDJSON finding in ~400 rather than one in ~25 at 64 KiB). */
#define READ_CHUNK ((size_t)1 << 20)

typedef struct frame {
    uint8_t kind, role, special, typed;
    uint8_t switched;           /* ROLE_TOP: became an envelope (FINDINGS or EVENT) */
    uint8_t bad_item;           /* FK_SKIP: a bad finding being skipped */
    uint8_t tflags;             /* ROLE_TOP and FK_DETAIL: what the members so far say (TF_*) */
    uint8_t dry;                /* FK_OBJECT: the current member is outside the projection (pset) */
    const uint64_t *pset;       /* FK_OBJECT of a projected read: the members to build (a finding's,
                                   or a nested entry's); FK_LIST: its objects'; NULL: every member */
    const asff_type *type;      /* FK_OBJECT */
    void *obj;                  /* FK_OBJECT: the object; FK_LIST / FK_MAP: the owner */
    const asff_member *m;       /* FK_OBJECT: member of the current key (NULL: unknown); FK_LIST/FK_MAP: the member */
    void *slot;                 /* FK_LIST / FK_MAP: storage of the member */
    const char *key;            /* current key (paths, extras, map keys) */
    size_t key_len;
    const char **doc;           /* SP_DOCSTR / SP_DOCJSON target */
    uint64_t index;             /* FK_LIST / FK_ARRAY: index of the current item */
    size_t count;               /* members or items so far */
    uint32_t depth;             /* FK_CAPTURE / FK_SKIP: open containers */
    asff_extra *tail;           /* FK_OBJECT: last extra */
    uint32_t nextra;
    uint64_t bloom[2];          /* one bit per name seen (by hash): most new names skip the scan */
    const char **hset;          /* names seen, once there are more than NAMESET_LINEAR */
    uint32_t hcap, hcount;
} frame;

struct asff_parser {
    asff_parse_options opt;
    const asff_allocator *alloc;
    asff_yalloc ya;
    yajl_handle y;
    yajl_gen cap;                 /* captures unknown members as compact JSON */
    asff_finding_fn on_finding;
    asff_parse_error_fn on_error;
    void *ctx;
    const asff_type *item_type;
    const asff_type *holder_type;

    frame *frames;
    size_t nframes, cframes;

    asff_arena *top_arena;        /* the top-level value: envelope members, or a top-level finding */
    asff_arena *item_arena;       /* findings inside arrays */
    asff_arena *shared;           /* asff_parse_buffer: everything in one arena, nothing reset */
    asff_document doc;
    asff_buf other;               /* other_members text */

    /* position */
    const unsigned char *pdata;   /* current piece */
    size_t plen;
    uint64_t pbase;               /* stream offset of pdata[0] */
    uint64_t ybase;               /* stream offset of what yajl was last given */
    uint64_t scan;                /* newlines counted up to this stream offset */
    uint64_t line, line_start;    /* line (from 1) at scan, and offset where it starts */
    uint64_t prev_line_start;     /* where the line before it starts */
    uint64_t pline, pline_start;  /* the same at pbase */
    uint64_t total;

    /* state */
    asff_status st;
    asff_error e;
    bool finished, dead, skip_line, in_value;
    uint64_t values, count, skipped, items;
    uint64_t value_start, value_line;
    uint64_t last_ok;
    int last_kind;
    bool between;                 /* errors found between pieces sit at the stream's end so far */                /* what yajl accepted last: 0 an opening bracket, 1 a key, 2 a value */
    unsigned char hist[4096];     /* the bytes before the current piece (syntax error positions) */

    /* the finding being read */
    bool in_finding;
    size_t ffr;                   /* its frame */
    uint64_t f_start, f_line;
    asff_buf fpath;
    asff_error ferr;

    bool in_unit;
    uint64_t unit_start;
    bool stop_hit;                /* the error is a stop point (asff__codec_stop_point): recover at stop_at */
    uint64_t stop_at;

    /* recovery and limits (docs/codec.md): */
    bool line_mode;               /* a top-level value began and ended on one line: lines are records */
    bool nl_pending;              /* the last byte fed was a newline inside an open top-level value */
    unsigned char last_nb;        /* the last byte fed that is not blank */
    uint64_t objbits;             /* bit d-1: the container open at depth d (up to 64) is an object */
    uint64_t last_nb_at;          /* and its stream offset */
    bool final_next;              /* the next fail() is final (limits that stop the work) */
    bool at_set;                  /* fail() reports at `at` instead of yajl's position */
    uint64_t at;
    asff_buf hold;                /* input held back while one token is long (see flush_hold) */
    asff_buf carry;               /* the unfinished last line of the last feed (feed.c, tail_len) */
    bool after_nl;                /* the last byte fed was a line break */
    /* complete UTF-8 (yajl's own check lets overlongs, surrogates and > U+10FFFF through) */
    unsigned char ucarry[4];      /* a sequence cut at the end of the last piece */
    size_t ucarry_len;
    uint64_t ucarry_off;
    /* \u escapes: a surrogate must come in a high-low pair */
    uint8_t es, es_n;
    uint32_t es_v;
    uint64_t es_at;
    uint32_t jdepth;              /* open JSON containers */
    struct mcache *mcache;        /* member lookups by (type, name) */
    asff_buf path;

    /* the simdjson front-end (fast.c, docs/codec.md "Front-ends"); all false without it */
    bool fast_on;                 /* built with simdjson and not ASFF_FRONTEND=yajl */
    bool fast_ready;              /* yajl stopped at a place where a finding may start */
    bool fast_stop;               /* a callback stopped yajl there (fast_on only) */
    bool fast;                    /* simdjson is driving the callbacks now */
    bool fast_failed;             /* ... and one of them failed: the yajl path reads it again */
    bool mute;                    /* yajl reads stand-in bytes: its callbacks do nothing */
    uint32_t fast_depth;          /* containers open in the value simdjson reads */
    uint64_t fast_end;            /* its end (stream offset) */
    uint64_t fast_reads;          /* values the fast path read whole (tests tell it from the yajl path) */
    uint64_t line_reads;          /* of which lines read without the boundary scanner (fast.c, line_object) */
    struct asff__simd *simd;
    asff_buf pad;                 /* a value copied with simdjson's padding; feed.c: a piece whose
                                     vertical tab or form feed yajl reads as 0x01 */

    /* projection (project.c, docs/codec.md "Projection"): only on the fast path */
    asff_projection proj;
    bool projecting;              /* options.projection given (and ASFF_PROJECTION is not "off") */
    bool dry_on;                  /* this fast-path attempt projects */
    bool redo_whole;              /* want_whole asked for the finding: read it again without projection */
    struct asff__dkey *dkeys;     /* names seen in FK_DRY objects and maps (duplicates), a stack */
    size_t ndkeys, cdkeys;
    /* parallel reading (parallel.c): the fast path hands findings' bytes over instead of reading them */
    bool delegate;                /* set by asff__codec_delegate */
    const unsigned char *dg_data; /* during the finding callback of a handed-over finding: its bytes */
    size_t dg_len;
    uint32_t dg_depth;            /* containers open around it */
    bool dg_top;                  /* a top-level value (the finding callback saw "{}" in its place) */
    bool dg_nl;                   /* a line break in it (between tokens: the scanner refuses one in a string) */
    size_t dg_trust;              /* a reading thread's parser: the object at stream offset dg_trust_at
                                     is this long, as the scanner of the parser in place found (it is
                                     not scanned again) */
    uint64_t dg_trust_at;
};

typedef struct asff__dkey {
    const char *s;
    size_t len;
} asff__dkey;

/* project.c: the options of any known version into dst (ASFF_PARSE_OPTIONS_INIT beforehand); false
 * for an unknown version. */
bool asff__codec_options_copy(asff_parse_options *dst, const asff_parse_options *src);
/* Is member m of type t built where pset (a frame's) projects? */
static inline bool asff__codec_projected(const uint64_t *pset, const asff_type *t, const asff_member *m)
{
    size_t i = (size_t)(m - t->members);
    return i >= 256 || ((pset[i >> 6] >> (i & 63)) & 1u);
}
/* project.c: the stand-in that marks a member read but not built (duplicates), and its removal from
 * a finding before delivery. */
extern const char asff__codec_dry_mark[];
void asff__codec_dry_clear(void *finding);
/* The simdjson walker checks a dry member's value itself (parser.c; fast.c's ev_member). */
int asff__codec_dry_take(asff_parser *p, int jt, const asff_member **m);
/* Both in one step for the common case of a finding's member (parser.c); 0 when the two decide. */
int asff__codec_dry_key(asff_parser *p, const unsigned char *s, size_t len, int jt, const asff_member **m);
/* Member name s[len] of type t, through the parser's lookup cache; NULL when t has no such member. */
const asff_member *asff__codec_find_member(asff_parser *p, const asff_type *t, const char *s, size_t len);

/* The \\u-escape scanner's states (lines.c). */
enum { ES_NONE, ES_BS, ES_U, ES_HI, ES_HI_BS, ES_HI_U };

/* Envelopes whose top-level values may be records of their own (NDJSON recovery). */
static inline bool asff__codec_record_envelope(const asff_parser *p)
{
    return p->opt.envelope == ASFF_ENVELOPE_AUTO || p->opt.envelope == ASFF_ENVELOPE_NDJSON ||
           p->opt.envelope == ASFF_ENVELOPE_FINDING;
}

/* JSON's whitespace (a vertical tab or form feed is not). */
static inline bool asff__codec_blank(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* A name's first and last 8 bytes (the bytes themselves when shorter) and a cheap hash of them and
 * the length: no loop over the name. Good for a cache slot and a bit filter, not for a hash table
 * (names that differ only in the middle collide). */
static inline uint64_t asff__codec_name_words(const char *s, size_t len, uint64_t *a, uint64_t *b)
{
    *a = *b = 0;
    if (len >= 8) {
        memcpy(a, s, 8);
        memcpy(b, s + len - 8, 8);
    } else if (len >= 4) { /* two 4-byte loads that overlap cover every byte */
        uint32_t lo, hi;
        memcpy(&lo, s, 4);
        memcpy(&hi, s + len - 4, 4);
        *a = lo | (uint64_t)hi << 32;
    } else if (len) {
        *a = (unsigned char)s[0] | (uint64_t)(unsigned char)s[len / 2] << 8 | (uint64_t)(unsigned char)s[len - 1] << 16;
    }
    return (*a * 0x9E3779B97F4A7C15ull) ^ (*b * 0xc4ceb9fe1a85ec53ull) ^ ((uint64_t)len * 0xff51afd7ed558ccdull);
}

/* positions.c: count newlines up to stream offset o (in the current piece, forward only); the line
 * and column of offset o; keep the last bytes of a piece for positions behind it. */
void asff__codec_advance(asff_parser *p, uint64_t o);
void asff__codec_line_col(asff_parser *p, uint64_t o, uint64_t *line, uint64_t *col);
void asff__codec_keep_history(asff_parser *p, const unsigned char *d, size_t n);
/* positions.c: the byte at stream offset o, in the current piece or among the last bytes before it. */
unsigned char asff__codec_byte_at(const asff_parser *p, uint64_t o);

/* names.c: the slow paths of the two below (past the bit filter; the hash set). */
bool asff__codec_name_seen_slow(frame *f, const char *s, size_t len);
bool asff__codec_name_add_slow(frame *f, const char *name);

static inline uint32_t asff__codec_bloom_hash(const char *s, size_t len)
{
    uint64_t a, b, h = asff__codec_name_words(s, len, &a, &b);
    return (uint32_t)(h >> 32);
}

/* Has f (an object's unknown members or a map's keys) seen name s[len]? Most new names stop at the
 * bit filter, inline: this runs for every unknown member and map key. */
static inline bool asff__codec_name_seen(frame *f, const char *s, size_t len)
{
    uint32_t h = asff__codec_bloom_hash(s, len);
    if (!((f->bloom[(h >> 6) & 1] >> (h & 63)) & 1u))
        return false;
    return asff__codec_name_seen_slow(f, s, len);
}

/* Record a name already stored in the object or map as seen; false when out of memory. */
static inline bool asff__codec_name_add(frame *f, const char *name, size_t len)
{
    size_t n;
    uint32_t h = asff__codec_bloom_hash(name, len);
    f->bloom[(h >> 6) & 1] |= (uint64_t)1 << (h & 63);
    if (f->kind == FK_MAP) {
        asff_map mp;
        memcpy(&mp, f->slot, sizeof mp);
        n = mp.count;
    } else {
        n = f->nextra;
    }
    if (!f->hset && n <= NAMESET_LINEAR)
        return true;
    return asff__codec_name_add_slow(f, name);
}

/* lines.c: the first byte of d[i, n) where invalid UTF-8 (RFC 3629), or a \\u escape of a lone
 * surrogate, shows; n when none (*at, the stream offset of the bad sequence, is set only when one
 * is found; a sequence cut at the end of a piece is finished with the next). */
size_t asff__codec_scan_utf8(asff_parser *p, const unsigned char *d, size_t i, size_t n, uint64_t *at);
/* A vertical tab or a form feed: whitespace to yajl, not to JSON (feed.c gives yajl an invalid byte
 * in its place, so that it reports it where it stands, inside a string or not). */
static inline bool asff__codec_is_vt_ff(unsigned char c)
{
    return c == 0x0B || c == 0x0C;
}
size_t asff__codec_scan_escapes(asff_parser *p, const unsigned char *d, size_t i, size_t n, uint64_t *at);
/* lines.c: the last non-blank byte before d[end] (and its offset); where to stop feeding yajl to
 * look at the next line; whether the newline at nl, followed by c, cuts the open value. */
unsigned char asff__codec_last_nonblank(const asff_parser *p, const unsigned char *d, size_t off, size_t end,
                                        uint64_t *at);
size_t asff__codec_next_split(const asff_parser *p, const unsigned char *d, size_t off, size_t end);
bool asff__codec_line_cut(asff_parser *p, unsigned char c, uint64_t nl);

/* envelope.c: a member of an envelope that fills asff_document (top level, or an event's detail). */
typedef struct asff__codec_key {
    const char *name;
    size_t len;
    size_t field;   /* offset in asff_document */
    int special;    /* SP_* */
} asff__codec_key;
const asff__codec_key *asff__codec_envelope_key(const unsigned char *s, size_t len, bool detail);


/* Compact JSON of one model object appended to out (used for asff_document.other_members). */
asff_status asff__codec_object_json(const void *object, asff_buf *out, asff_error *err);

/* The shortest of %.15g, %.16g and %.17g that reads back as v; buf must hold 32 bytes. Returns the
 * length, or 0 when v is not finite (JSON has no inf or nan). */
size_t asff__codec_format_double(double v, char *buf);

/* ---- parser.c, for feed.c and whole.c ---------------------------------------------------------- */

#if defined(__GNUC__) || defined(__clang__)
#define ASFF__CODEC_COLD __attribute__((noinline, cold))
#else
#define ASFF__CODEC_COLD
#endif

/* Stream offset of the end of what yajl consumed. */
static inline uint64_t asff__codec_pos_now(asff_parser *p)
{
    return p->ybase + yajl_get_bytes_consumed(p->y);
}

/* Model errors: inside a finding they make it a skippable bad item. */
static inline bool asff__codec_skippable(asff_status code)
{
    return code == ASFF_ERR_TYPE || code == ASFF_ERR_LIMIT || code == ASFF_ERR_DUPLICATE ||
           code == ASFF_ERR_UTF8 || code == ASFF_ERR_RANGE;
}

/* The JSON Pointer of the value being read, from the first upto frames. */
void asff__codec_build_path(asff_parser *p, asff_buf *b, size_t upto, bool with_last);
/* Set p->e (code, message, path, offset, line and column). */
void asff__codec_set_errorf(asff_parser *p, asff_status code, uint64_t offset, const char *fmt, ...) ASFF_PRINTF(4, 5);
/* A model error at the current position (or p->at): the finding becomes a skipped item, or the error
 * is final (p->st); returns the value for a yajl callback. */
ASFF__CODEC_COLD int asff__codec_fail(asff_parser *p, asff_status code, int opening, const char *fmt, ...)
    ASFF_PRINTF(4, 5);
/*
 * How far yajl may read without a token ending (docs/codec.md, Limits): inside a unit (a finding,
 * or a top-level member of an envelope) up to its max_finding bytes, elsewhere a string, number or
 * run of blanks of at most max_string * 6 + 64 bytes after the last token. The stream offset
 * returned is the first byte past that: input that reaches it with no token ending stops the value.
 * feed.c cuts every piece it hands yajl there, and a token that ends past it is taken as if the
 * input had been cut there, so where the stop falls (and where reading resumes) does not depend on
 * how the input was split into feeds.
 */
uint64_t asff__codec_stop_point(const asff_parser *p);
/* The value stops at the stop point v (final ASFF_ERR_LIMIT, recovery at v); returns 0 for a callback. */
ASFF__CODEC_COLD int asff__codec_past_stop(asff_parser *p, uint64_t v);
/* Report a skipped item to on_error; 0 when the callback asked to stop. */
int asff__codec_report_skipped(asff_parser *p, const asff_error *err, bool top_level, uint64_t end);
/* A top-level value ended. */
void asff__codec_value_end(asff_parser *p);
/* A yajl handle on the parser's callbacks and allocator. */
yajl_handle asff__codec_new_yajl(asff_parser *p);
/* The callbacks themselves (the events every front-end gives the builder). */
extern const yajl_callbacks asff__codec_callbacks;

/* ---- fast.c: the simdjson front-end ----------------------------------------------------------- */

/* Set up (parser creation) and free the front-end; false when out of memory. */
bool asff__codec_fast_init(asff_parser *p);
void asff__codec_fast_free(asff_parser *p);
/* May yajl stop here for the fast path (after a callback that leaves the builder between findings)? */
static inline bool asff__codec_fast_point(const asff_parser *p)
{
    return p->fast_on && !p->fast && p->pdata && p->jdepth <= 64 &&
           (p->nframes ? p->frames[p->nframes - 1].kind == FK_ARRAY : !p->in_value);
}
/* yajl stopped at a fast point: a new handle brought to the same state; false when out of memory. */
bool asff__codec_fast_resume(asff_parser *p);
/* Read the findings that start at d[off] with simdjson while they can be, up to d[lim]; returns
 * where yajl goes on (p->fast_ready false then). p->st is set on a final error. */
size_t asff__codec_fast_run(asff_parser *p, const unsigned char *d, size_t off, size_t lim, size_t n);
/* parallel.c: the fast path's boundary scanner hands each finding it could read over (p->dg_*, an
 * empty finding delivered in its place) instead of reading it; false (nothing changed) without
 * the fast path. */
bool asff__codec_delegate(asff_parser *p);
/* Parallel reading by segments (parallel.c): a parser just reset reads a segment of lines that
 * follows other lines, as the parser that read them would on (line mode, values numbered from 1:
 * the caller renumbers them). */
void asff__codec_continue_lines(asff_parser *p);
/* Between top-level values with nothing pending and no error (in line mode when lines is set):
 * where a segment of lines may end. */
bool asff__codec_at_rest(const asff_parser *p, bool lines);

#endif
