/*
 * The streaming parser. yajl's callbacks drive a stack of frames, one per open JSON container: a typed
 * object, a typed list or map, the array that holds findings, an event's detail object, a verbatim
 * capture (unknown members, document members) or a skipped value. Objects are filled straight from
 * the generated tables (asff_member_find); nothing is built as a generic tree first.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_parse.h>
#include "codec_internal.h"

enum { FK_OBJECT, FK_LIST, FK_MAP, FK_ARRAY, FK_DETAIL, FK_CAPTURE, FK_SKIP };
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

typedef struct frame {
    uint8_t kind, role, special, typed;
    uint8_t switched;           /* ROLE_TOP: became an envelope (FINDINGS or EVENT) */
    uint8_t bad_item;           /* FK_SKIP: a bad finding being skipped */
    uint8_t tflags;             /* ROLE_TOP and FK_DETAIL: what the members so far say (TF_*) */
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

    /* recovery and limits (docs/codec.md): */
    bool line_mode;               /* a top-level value began and ended on one line: lines are records */
    bool nl_pending;              /* the last byte fed was a newline inside an open top-level value */
    unsigned char last_nb;        /* the last byte fed that is not blank */
    uint64_t last_nb_at;          /* and its stream offset */
    bool final_next;              /* the next fail() is final (limits that stop the work) */
    bool at_set;                  /* fail() reports at `at` instead of yajl's position */
    uint64_t at;
    asff_buf hold;                /* input held back while one token is long (see feed_held) */
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
};

/* ---- positions ---------------------------------------------------------------------------- */

static uint64_t pos_now(asff_parser *p)
{
    return p->ybase + yajl_get_bytes_consumed(p->y);
}

/* Count newlines up to stream offset o (within the current piece), moving forward only. */
static void advance(asff_parser *p, uint64_t o)
{
    const unsigned char *s, *end, *nl;
    if (o > p->pbase + p->plen)
        o = p->pbase + p->plen;
    if (o <= p->scan)
        return;
    s = p->pdata + (p->scan - p->pbase);
    end = p->pdata + (o - p->pbase);
    while (s < end && (nl = memchr(s, '\n', (size_t)(end - s))) != NULL) {
        p->line++;
        p->line_start = p->pbase + (uint64_t)(nl - p->pdata) + 1;
        s = nl + 1;
    }
    p->scan = o;
}

/* The byte at stream offset o: in the current piece, or among the last bytes before it. */
static unsigned char byte_at(const asff_parser *p, uint64_t o)
{
    return o >= p->pbase ? p->pdata[o - p->pbase] : p->hist[o % sizeof p->hist];
}

static void line_col(asff_parser *p, uint64_t o, uint64_t *line, uint64_t *col)
{
    uint64_t lo = p->pbase > sizeof p->hist ? p->pbase - sizeof p->hist : 0, i, n = 0;
    if (o >= p->scan) {
        advance(p, o);
        *line = p->line;
        *col = o - p->line_start + 1;
        return;
    }
    /* Behind what was counted (a syntax error found late, a finding's first byte): count back. */
    if (o < lo)
        o = lo;
    for (i = o; i < p->scan; i++)
        n += byte_at(p, i) == '\n';
    *line = p->line - n;
    if (*line == p->pline) {
        *col = o - p->pline_start + 1;
        return;
    }
    for (i = o; i > lo; i--)
        if (byte_at(p, i - 1) == '\n')
            break;
    *col = o - i + 1;
}

/* ---- paths ------------------------------------------------------------------------------- */

static bool ndjson_paths(const asff_parser *p)
{
    return p->opt.envelope == ASFF_ENVELOPE_NDJSON || p->values > 0;
}

/* "/N" without printf (paths are built for every finding). */
static void put_index(asff_buf *b, uint64_t v)
{
    char tmp[24];
    size_t n = sizeof tmp;
    do {
        tmp[--n] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    tmp[--n] = '/';
    asff_buf_append(b, tmp + n, sizeof tmp - n);
}

/* JSON Pointer of the value being read, from the frames (upto frames). */
static void build_path(asff_parser *p, asff_buf *b, size_t upto, bool with_last)
{
    size_t i;
    asff_buf_reset(b);
    if (ndjson_paths(p))
        put_index(b, p->values);
    for (i = 0; i < upto; i++) {
        frame *f = &p->frames[i];
        if (i == upto - 1 && !with_last)
            break;
        switch (f->kind) {
        case FK_LIST:
        case FK_ARRAY:
            put_index(b, f->index);
            break;
        case FK_CAPTURE:
        case FK_SKIP:
            return;
        default:
            if (f->key)
                asff_buf_pointer_token(b, f->key, f->key_len);
            break;
        }
    }
}

/* ---- errors ------------------------------------------------------------------------------ */

static void set_errorv(asff_parser *p, asff_status code, uint64_t offset, const char *fmt, va_list ap)
{
    memset(&p->e, 0, sizeof p->e);
    p->e.code = code;
    vsnprintf(p->e.message, sizeof p->e.message, fmt, ap);
    build_path(p, &p->path, p->nframes, true);
    asff_copy_string(p->e.path, sizeof p->e.path, p->path.data ? p->path.data : "");
    p->e.offset = offset;
    line_col(p, offset, &p->e.line, &p->e.column);
}

static void set_errorf(asff_parser *p, asff_status code, uint64_t offset, const char *fmt, ...) ASFF_PRINTF(4, 5);
static void set_errorf(asff_parser *p, asff_status code, uint64_t offset, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_errorv(p, code, offset, fmt, ap);
    va_end(ap);
}

static void pop_frame(asff_parser *p);
static void reset_item_arena(asff_parser *p, bool top);

static bool skippable(asff_status code)
{
    return code == ASFF_ERR_TYPE || code == ASFF_ERR_LIMIT || code == ASFF_ERR_DUPLICATE ||
           code == ASFF_ERR_UTF8 || code == ASFF_ERR_RANGE;
}

/*
 * A model error at the current position. With skip_invalid inside a finding, the finding is turned
 * into a skipped value (its frames are dropped and the rest of its bytes ignored) and parsing goes
 * on; otherwise the error is final. opening: the failing callback opens a container (yajl will close
 * it). Returns the value for the yajl callback.
 */
#if defined(__GNUC__) || defined(__clang__)
#define PARSER_COLD __attribute__((noinline, cold))
#else
#define PARSER_COLD
#endif
static PARSER_COLD int fail(asff_parser *p, asff_status code, int opening, const char *fmt, ...) ASFF_PRINTF(4, 5);
static int fail(asff_parser *p, asff_status code, int opening, const char *fmt, ...)
{
    va_list ap;
    uint64_t at = p->at_set ? p->at : p->y && !p->between ? pos_now(p) : p->total;
    bool final = p->final_next;
    p->at_set = p->final_next = false;
    /* An opening bracket is one byte: point at it rather than after it. */
    if (opening && at)
        at--;
    va_start(ap, fmt);
    set_errorv(p, code, at, fmt, ap);
    va_end(ap);
    /* Inside a finding a model error waits for the end of the finding, so that a syntax error in
     * the same bytes (the more basic fault) is reported instead; with skip_invalid it skips. Limits
     * that stop the work (final) do not wait: the rest of the value is not read. */
    if (p->in_finding && skippable(code) && !final) {
        uint32_t open = (uint32_t)opening;
        size_t i;
        frame *f;
        for (i = p->ffr; i < p->nframes; i++)
            open += (p->frames[i].kind == FK_CAPTURE || p->frames[i].kind == FK_SKIP) ? p->frames[i].depth : 1;
        while (p->nframes > p->ffr + 1)
            pop_frame(p);
        yajl_gen_reset(p->cap, NULL);
        yajl_gen_clear(p->cap);
        f = &p->frames[p->ffr];
        memset(f, 0, sizeof *f);
        f->kind = FK_SKIP;
        f->bad_item = 1;
        f->depth = open;
        p->ferr = p->e;
        p->in_finding = false;
        p->in_unit = false;
        return 0; /* callers stop; the callback tells yajl to go on (see done()) */
    }
    p->st = code;
    return 0;
}

static int nomem(asff_parser *p)
{
    return fail(p, ASFF_ERR_NOMEM, 0, "out of memory");
}

/* ---- frames and arenas ------------------------------------------------------------------- */

static frame *top(asff_parser *p)
{
    return p->nframes ? &p->frames[p->nframes - 1] : NULL;
}

static frame *push(asff_parser *p, int kind, int opening)
{
    frame *f;
    (void)opening;
    if (p->nframes == p->cframes) {
        size_t c = p->cframes ? p->cframes * 2 : 16;
        frame *nf = asff_realloc(p->alloc, p->frames, c * sizeof *nf);
        if (!nf) {
            nomem(p);
            return NULL;
        }
        p->frames = nf;
        p->cframes = c;
    }
    f = &p->frames[p->nframes++];
    memset(f, 0, sizeof *f);
    f->kind = (uint8_t)kind;
    return f;
}

static void pop_frame(asff_parser *p)
{
    if (p->nframes)
        p->nframes--;
}

static asff_arena *arena_for(asff_parser *p, bool top_level)
{
    asff_arena **a;
    if (p->shared)
        return p->shared;
    a = top_level ? &p->top_arena : &p->item_arena;
    if (!*a)
        *a = asff_arena_new(p->alloc);
    return *a;
}

static void reset_item_arena(asff_parser *p, bool top_level)
{
    asff_arena **a = top_level ? &p->top_arena : &p->item_arena;
    if (!p->shared && *a)
        asff_arena_reset(*a);
}

/* Parsed objects note their member order; its first ASFF_ORDER_FIRST slots come with the object,
 * which saves an allocation per object. */
static void *new_object(asff_arena *a, const asff_type *t)
{
    asff_object *o = asff_arena_alloc_fast(a, (size_t)t->size + ASFF_ORDER_FIRST * sizeof(uint16_t));
    if (o) {
        o->type = t;
        o->arena = a;
        o->order = (uint16_t *)(void *)((char *)o + t->size); /* t->size is a multiple of 8 */
    }
    return o;
}

static asff_arena *arena_of(const void *obj)
{
    return ((const asff_object *)obj)->arena;
}

/* ---- values ------------------------------------------------------------------------------ */

static const char *jname(int jt)
{
    static const char *const names[] = {"null", "a boolean", "a number", "a string", "an object", "an array"};
    return names[jt];
}

static const char *kname(int kind)
{
    static const char *const names[] = {"nothing", "a string", "an integer", "a number", "a boolean",
                                        "an object", "an array", "an object", "any JSON"};
    return kind >= 0 && kind <= ASFF_KIND_JSON ? names[kind] : "?";
}

static bool parse_i64(const char *s, size_t len, int64_t *out)
{
    uint64_t v = 0, limit;
    size_t i = 0;
    bool neg = len && s[0] == '-';
    if (neg)
        i = 1;
    if (i == len)
        return false;
    limit = neg ? (uint64_t)INT64_MAX + 1u : (uint64_t)INT64_MAX;
    for (; i < len; i++) {
        unsigned d = (unsigned)(s[i] - '0');
        if (d > 9 || v > (limit - d) / 10)
            return false;
        v = v * 10 + d;
    }
    if (neg && v == 0)
        return false; /* "-0": keep the text */
    *out = neg ? (v == (uint64_t)INT64_MAX + 1u ? INT64_MIN : -(int64_t)v) : (int64_t)v;
    return true;
}

/* strtod (in the C locale) on a number that is not NUL-terminated; false when out of memory. */
static bool number_value(asff_parser *p, const char *s, size_t len, double *out)
{
    char buf[128];
    char *tmp = buf;
    if (len >= sizeof buf) {
        tmp = asff_malloc(p->alloc, len + 1); /* numbers this long are rare; the result is exact either way */
        if (!tmp)
            return false;
    }
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    *out = asff_c_strtod(tmp, NULL);
    if (tmp != buf)
        asff_free(p->alloc, tmp);
    return true;
}

/* A scalar for a typed slot of the given kind: *out is the pointer to store. */
static int make_scalar(asff_parser *p, asff_arena *a, int kind, int jt, const char *s, size_t len, int b,
                       void **out)
{
    switch (kind) {
    case ASFF_KIND_STRING:
        if (jt != J_STR)
            break;
        if (!(*out = asff_arena_strdup_fast(a, s, len)))
            return nomem(p);
        return 1;
    case ASFF_KIND_INT:
        if (jt != J_NUM)
            break;
        {
            asff_int *v = asff_arena_alloc_fast(a, sizeof *v);
            if (!v)
                return nomem(p);
            if (!parse_i64(s, len, &v->value)) {
                double d;
                if (!number_value(p, s, len, &d) || !(v->text = asff_arena_strdup_fast(a, s, len)))
                    return nomem(p);
                v->value = d >= 9223372036854775807.0 ? INT64_MAX
                           : d <= -9223372036854775808.0 ? INT64_MIN
                           : isnan(d) ? 0 : (int64_t)d;
            }
            *out = v;
            return 1;
        }
    case ASFF_KIND_DOUBLE:
        if (jt != J_NUM)
            break;
        {
            double *v = asff_arena_alloc_fast(a, sizeof *v);
            if (!v)
                return nomem(p);
            if (!number_value(p, s, len, v))
                return nomem(p);
            if (!isfinite(*v))
                return fail(p, ASFF_ERR_RANGE, 0, "number %.*s is out of the range of a double",
                            (int)(len > 40 ? 40 : len), s);
            *out = v;
            return 1;
        }
    case ASFF_KIND_BOOL:
        if (jt != J_BOOL)
            break;
        {
            bool *v = asff_arena_alloc_fast(a, sizeof *v);
            if (!v)
                return nomem(p);
            *v = b != 0;
            *out = v;
            return 1;
        }
    default:
        break;
    }
    return fail(p, ASFF_ERR_TYPE, 0, "expected %s, got %s", kname(kind), jname(jt));
}

/* Compact JSON text of a scalar: *out points into static storage, the capture generator or s. */
static int scalar_json(asff_parser *p, int jt, const char *s, size_t len, int b, const char **out, size_t *olen)
{
    switch (jt) {
    case J_NULL:
        *out = "null";
        *olen = 4;
        return 1;
    case J_BOOL:
        *out = b ? "true" : "false";
        *olen = b ? 4 : 5;
        return 1;
    case J_NUM:
        *out = s;
        *olen = len;
        return 1;
    default: {
        const unsigned char *buf;
        yajl_gen_reset(p->cap, NULL);
        yajl_gen_clear(p->cap);
        if (yajl_gen_string(p->cap, (const unsigned char *)s, len) != yajl_gen_status_ok || p->ya.failed)
            return nomem(p);
        yajl_gen_get_buf(p->cap, &buf, olen);
        *out = (const char *)buf;
        return 1;
    }
    }
}

/* ---- names already seen in one object or map (duplicates) -------------------------------- */

/* A name's first and last 8 bytes (the bytes themselves when shorter) and a cheap hash of them and
 * the length: no loop over the name. Good for a cache slot and a bit filter, not for a hash table
 * (names that differ only in the middle collide). */
static uint64_t name_words(const char *s, size_t len, uint64_t *a, uint64_t *b)
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

static uint32_t bloom_hash(const char *s, size_t len)
{
    uint64_t a, b, h = name_words(s, len, &a, &b);
    return (uint32_t)(h >> 32);
}

/* Names are hashed a word at a time: this runs for every key of the input. */
static uint32_t hash_name(const char *s, size_t len)
{
    uint64_t h = (uint64_t)len * 0x9E3779B97F4A7C15ull, w;
    while (len >= 8) {
        memcpy(&w, s, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdull;
        h ^= h >> 29;
        s += 8;
        len -= 8;
    }
    if (len) {
        w = 0;
        memcpy(&w, s, len);
        h = (h ^ w) * 0xff51afd7ed558ccdull;
        h ^= h >> 29;
    }
    h *= 0xc4ceb9fe1a85ec53ull;
    return (uint32_t)(h >> 32);
}

static bool same_name(const char *stored, const char *s, size_t len)
{
    return strncmp(stored, s, len) == 0 && stored[len] == '\0';
}

static bool hset_insert(frame *f, const char *name)
{
    uint32_t i = hash_name(name, strlen(name)) & (f->hcap - 1);
    while (f->hset[i]) {
        if (strcmp(f->hset[i], name) == 0)
            return false;
        i = (i + 1) & (f->hcap - 1);
    }
    f->hset[i] = name;
    f->hcount++;
    return true;
}

/* The names of f (extras of an object, keys of a map). */
static size_t names_count(const frame *f)
{
    if (f->kind == FK_MAP) {
        asff_map mp;
        memcpy(&mp, f->slot, sizeof mp);
        return mp.count;
    }
    return f->nextra;
}

static bool name_seen(frame *f, const char *s, size_t len)
{
    uint32_t h = bloom_hash(s, len);
    if (!((f->bloom[(h >> 6) & 1] >> (h & 63)) & 1u))
        return false;
    if (f->hset) {
        uint32_t i = hash_name(s, len) & (f->hcap - 1);
        while (f->hset[i]) {
            if (same_name(f->hset[i], s, len))
                return true;
            i = (i + 1) & (f->hcap - 1);
        }
        return false;
    }
    if (f->kind == FK_MAP) {
        asff_map mp;
        size_t i;
        memcpy(&mp, f->slot, sizeof mp);
        for (i = 0; i < mp.count; i++)
            if (same_name(mp.keys[i], s, len))
                return true;
        return false;
    } else {
        const asff_extra *x;
        for (x = ((asff_object *)f->obj)->extra; x; x = x->next)
            if (same_name(x->name, s, len))
                return true;
        return false;
    }
}

/* Record name (already stored in the object or map) as seen. */
static int name_add(asff_parser *p, frame *f, const char *name, size_t len)
{
    size_t n = names_count(f);
    uint32_t h = bloom_hash(name, len);
    f->bloom[(h >> 6) & 1] |= (uint64_t)1 << (h & 63);
    if (!f->hset && n <= NAMESET_LINEAR)
        return 1;
    if (!f->hset || (f->hcount + 1) * 2 > f->hcap) {
        /* (Re)build from the stored names: the old table stays in the arena until it is reset. */
        uint32_t cap = f->hcap ? f->hcap * 2 : 64;
        asff_arena *a = arena_of(f->obj);
        f->hset = asff_arena_alloc_fast(a, cap * sizeof *f->hset);
        if (!f->hset)
            return nomem(p);
        f->hcap = cap;
        f->hcount = 0;
        if (f->kind == FK_MAP) {
            asff_map mp;
            size_t i;
            memcpy(&mp, f->slot, sizeof mp);
            for (i = 0; i < mp.count; i++)
                hset_insert(f, mp.keys[i]);
        } else {
            const asff_extra *x;
            for (x = ((asff_object *)f->obj)->extra; x; x = x->next)
                hset_insert(f, x->name);
        }
        return 1;
    }
    hset_insert(f, name);
    return 1;
}

/* ---- storing into objects, lists and maps ------------------------------------------------ */

static int note(asff_parser *p, frame *f, uint32_t index)
{
    asff_object *o = f->obj;
    uint32_t n = o->norder;
    asff_status st;
    /* The common case inline; growth (ASFF_ORDER_FIRST's rule) happens in asff_object_note_order. */
    if (o->order && (n < ASFF_ORDER_FIRST || (n & (n - 1)) != 0) && index <= UINT16_MAX) {
        o->order[o->norder++] = (uint16_t)index;
        return 1;
    }
    st = asff_object_note_order(f->obj, index);
    if (st == ASFF_ERR_NOMEM)
        return nomem(p);
    if (st != ASFF_OK)
        return fail(p, ASFF_ERR_LIMIT, 0, "too many members in one object");
    return 1;
}

static void set_slot(void *obj, const asff_member *m, void *v)
{
    memcpy((char *)obj + m->offset, &v, sizeof v);
}

/* An unknown member (or a JSON null of a known one) named name with compact JSON json. */
static int add_extra(asff_parser *p, frame *f, const char *name, const char *json, size_t len)
{
    asff_object *o = f->obj;
    asff_arena *a = o->arena;
    asff_extra *x = asff_arena_alloc_fast(a, sizeof *x);
    if (!x || !(x->json = asff_arena_strdup_fast(a, json, len)))
        return nomem(p);
    x->name = name;
    if (f->tail)
        f->tail->next = x;
    else
        o->extra = x;
    f->tail = x;
    f->nextra++;
    if (!note(p, f, o->type->nmembers + f->nextra - 1))
        return 0;
    return name_add(p, f, name, f->key_len);
}

static int list_push(asff_parser *p, void *obj, void *slot, void *item)
{
    asff_list l;
    memcpy(&l, slot, sizeof l);
    if (l.count == l.capacity) {
        size_t cap = l.capacity ? l.capacity * 2 : 4;
        void **items = asff_arena_alloc_fast(arena_of(obj), cap * sizeof *items);
        if (!items)
            return nomem(p);
        if (l.count)
            memcpy(items, l.items, l.count * sizeof *items);
        l.items = items;
        l.capacity = cap;
    }
    l.items[l.count++] = item;
    memcpy(slot, &l, sizeof l);
    return 1;
}

/* Maps: the key was checked for duplicates and stored in f->key by the key callback. */
static int map_push(asff_parser *p, frame *f, void *value)
{
    asff_map mp;
    memcpy(&mp, f->slot, sizeof mp);
    if (mp.count == mp.capacity) {
        size_t cap = mp.capacity ? mp.capacity * 2 : 4;
        asff_arena *a = arena_of(f->obj);
        char **keys = asff_arena_alloc_fast(a, cap * sizeof *keys);
        void **values = asff_arena_alloc_fast(a, cap * sizeof *values);
        if (!keys || !values)
            return nomem(p);
        if (mp.count) {
            memcpy(keys, mp.keys, mp.count * sizeof *keys);
            memcpy(values, mp.values, mp.count * sizeof *values);
        }
        mp.keys = keys;
        mp.values = values;
        mp.capacity = cap;
    }
    mp.keys[mp.count] = (char *)f->key;
    mp.values[mp.count] = value;
    mp.count++;
    memcpy(f->slot, &mp, sizeof mp);
    return name_add(p, f, f->key, f->key_len);
}

/* Make a list or map member present (empty) so that [] and {} survive a round trip. */
static int init_container(asff_parser *p, void *obj, const asff_member *m)
{
    void *slot = (char *)obj + m->offset;
    asff_arena *a = arena_of(obj);
    if (m->kind == ASFF_KIND_LIST) {
        asff_list l = {NULL, 0, 4};
        if (!(l.items = asff_arena_alloc_fast(a, 4 * sizeof *l.items)))
            return nomem(p);
        memcpy(slot, &l, sizeof l);
    } else {
        asff_map mp = {NULL, NULL, 0, 4};
        mp.keys = asff_arena_alloc_fast(a, 4 * sizeof *mp.keys);
        mp.values = asff_arena_alloc_fast(a, 4 * sizeof *mp.values);
        if (!mp.keys || !mp.values)
            return nomem(p);
        memcpy(slot, &mp, sizeof mp);
    }
    return 1;
}

/* A finished JSON text for the value at the top frame f (unknown member, document member, list
 * item, event field). */
static int deliver_json(asff_parser *p, frame *f, const char *json, size_t len)
{
    switch (f->kind) {
    case FK_OBJECT:
        if (f->special == SP_DOCJSON && f->doc && !(*f->doc = asff_arena_strdup_fast(arena_of(f->obj), json, len)))
            return nomem(p);
        if (f->m && f->typed && f->m->kind == ASFF_KIND_JSON) {
            char *copy = asff_arena_strdup_fast(arena_of(f->obj), json, len);
            if (!copy)
                return nomem(p);
            set_slot(f->obj, f->m, copy);
            return note(p, f, (uint32_t)(f->m - f->type->members));
        }
        return add_extra(p, f, f->key, json, len);
    case FK_LIST: {
        char *copy = asff_arena_strdup_fast(arena_of(f->obj), json, len);
        if (!copy)
            return nomem(p);
        if (!list_push(p, f->obj, f->slot, copy))
            return 0;
        f->index++;
        return 1;
    }
    case FK_MAP: {
        char *copy = asff_arena_strdup_fast(arena_of(f->obj), json, len);
        if (!copy)
            return nomem(p);
        return map_push(p, f, copy);
    }
    case FK_DETAIL:
        if (f->special == SP_DOCJSON && f->doc &&
            !(*f->doc = asff_arena_strdup_fast(arena_for(p, true), json, len)))
            return nomem(p);
        return 1;
    default:
        return 1;
    }
}

/* ---- findings ---------------------------------------------------------------------------- */

static void begin_item(asff_parser *p, size_t frame_index)
{
    uint64_t o = pos_now(p);
    uint64_t col;
    p->f_start = o ? o - 1 : 0;
    line_col(p, p->f_start, &p->f_line, &col);
    build_path(p, &p->fpath, frame_index, true);
    p->ffr = frame_index;
    p->in_unit = true;
    p->unit_start = p->f_start;
}

static void fill_info(asff_parser *p, asff_finding_info *info, uint64_t end)
{
    info->index = p->items;
    info->path = p->fpath.data ? p->fpath.data : "";
    info->offset = p->f_start;
    info->length = end > p->f_start ? end - p->f_start : 0;
    info->line = p->f_line;
    info->document = &p->doc;
}

/* A finding is complete: hand it over. top_level: it lives in the top arena. */
static int deliver_finding(asff_parser *p, void *obj, bool top_level)
{
    asff_finding_info info;
    int rc = 0;
    bool keep = p->opt.keep && !p->shared;
    fill_info(p, &info, pos_now(p));
    p->in_finding = false;
    p->in_unit = false;
    p->items++;
    p->count++;
    if (keep) {
        ((asff_object *)obj)->flags |= ASFF_OBJ_ROOT;
        /* The finding owns its arena now; the next one gets a new arena. */
        if (top_level)
            p->top_arena = NULL;
        else
            p->item_arena = NULL;
    }
    if (p->on_finding)
        rc = p->on_finding(p->ctx, obj, &info);
    else if (keep)
        asff_object_free(obj);
    if (!keep)
        reset_item_arena(p, top_level);
    if (rc != 0) {
        p->st = ASFF_ERR_ABORTED;
        memset(&p->e, 0, sizeof p->e);
        p->e.code = ASFF_ERR_ABORTED;
        asff_copy_string(p->e.message, sizeof p->e.message, "the finding callback asked to stop");
        asff_copy_string(p->e.path, sizeof p->e.path, info.path);
        p->e.offset = info.offset;
        p->e.line = info.line;
        return 0;
    }
    return 1;
}

/* A bad item was skipped (skip_invalid): report it. err is its error. */
static int report_skipped(asff_parser *p, const asff_error *err, bool top_level)
{
    asff_finding_info info;
    int rc = 0;
    fill_info(p, &info, pos_now(p));
    p->in_finding = false;
    p->in_unit = false;
    p->items++;
    p->skipped++;
    reset_item_arena(p, top_level);
    if (p->on_error)
        rc = p->on_error(p->ctx, err, &info);
    if (rc != 0) {
        p->st = ASFF_ERR_ABORTED;
        p->e = *err;
        p->e.code = ASFF_ERR_ABORTED;
        asff_copy_string(p->e.message, sizeof p->e.message, "the error callback asked to stop");
        return 0;
    }
    return 1;
}

/* ---- the top-level value ----------------------------------------------------------------- */

static void doc_clear_fields(asff_document *d)
{
    asff_envelope env = d->envelope;
    uint64_t values = d->values;
    memset(d, 0, sizeof *d);
    d->envelope = env;
    d->values = values;
}

static void value_begin(asff_parser *p)
{
    uint64_t o = pos_now(p);
    p->in_value = true;
    p->value_start = o ? o - 1 : 0;
    {
        uint64_t col;
        line_col(p, p->value_start, &p->value_line, &col);
    }
    doc_clear_fields(&p->doc);
    if (p->values > 0 || p->opt.envelope == ASFF_ENVELOPE_NDJSON)
        p->doc.envelope = ASFF_ENVELOPE_NDJSON;
    /* A top arena still held here belongs to no finding (an envelope, or a skipped value). */
    reset_item_arena(p, true);
}

static void value_end(asff_parser *p)
{
    p->in_value = false;
    p->values++;
    p->doc.values = p->values;
}

/* Envelopes whose top-level values may be records of their own (NDJSON recovery). */
static bool record_envelope(const asff_parser *p)
{
    return p->opt.envelope == ASFF_ENVELOPE_AUTO || p->opt.envelope == ASFF_ENVELOPE_NDJSON ||
           p->opt.envelope == ASFF_ENVELOPE_FINDING;
}

/* Envelopes detected rather than forced. */
static bool auto_envelope(const asff_parser *p)
{
    return p->opt.envelope == ASFF_ENVELOPE_AUTO || p->opt.envelope == ASFF_ENVELOPE_NDJSON;
}

static void set_envelope(asff_parser *p, asff_envelope e)
{
    if (p->doc.envelope != ASFF_ENVELOPE_NDJSON)
        p->doc.envelope = e;
}

/* The members of an envelope other than its findings, as one JSON object (asff_document). */
static int update_other(asff_parser *p, frame *f)
{
    asff_error e;
    asff_status st;
    asff_buf_reset(&p->other);
    if (!((asff_object *)f->obj)->norder)
        return 1;
    st = asff_codec_object_json(f->obj, &p->other, &e);
    if (st != ASFF_OK) {
        p->st = st;
        p->e = e;
        return 0;
    }
    p->doc.other_members = p->other.data;
    return 1;
}

/* The top-level holder object is complete. */
static int end_holder(asff_parser *p, frame *f)
{
    if (!f->switched) {
        if (p->opt.envelope == ASFF_ENVELOPE_FINDINGS || p->opt.envelope == ASFF_ENVELOPE_EVENT) {
            return fail(p, ASFF_ERR_ENVELOPE, 0, "the object has no %s",
                        p->opt.envelope == ASFF_ENVELOPE_EVENT ? "detail object" : "Findings array");
        }
        /* An object without Findings or detail is a finding. */
        doc_clear_fields(&p->doc);
        set_envelope(p, ASFF_ENVELOPE_FINDING);
        return deliver_finding(p, f->obj, true);
    }
    if (f->switched == 2 && auto_envelope(p) && (f->tflags & (TF_DTYPE | TF_SOURCE)) != (TF_DTYPE | TF_SOURCE))
        return fail(p, ASFF_ERR_ENVELOPE, 0,
                    "an object with a detail object but without %s is neither an EventBridge event nor a finding",
                    (f->tflags & TF_DTYPE) ? "source" : (f->tflags & TF_SOURCE) ? "detail-type" : "detail-type and source");
    return update_other(p, f);
}

/* ---- yajl callbacks ---------------------------------------------------------------------- */

/* Every callback notes where the last token yajl accepted ends (syntax error positions). */
#define P                                                                                           \
    asff_parser *p = ctx;                                                                           \
    p->last_ok = pos_now(p)

/* The same for a string, key or number token, without asking yajl: when s points into the piece
 * (yajl copies a token only if it has escapes or spans pieces), the token ends after it (and its
 * closing quote, quote = 1). This runs for most tokens, so the saved call counts. */
#define P_TOKEN(s, len, quote)                                                                      \
    asff_parser *p = ctx;                                                                           \
    do {                                                                                            \
        uintptr_t rel_ = (uintptr_t)(s) - (uintptr_t)p->pdata;                                      \
        p->last_ok = rel_ < p->plen ? p->pbase + rel_ + (len) + (quote) : pos_now(p);               \
        ASFF_CHECK_POS(p);                                                                          \
    } while (0)

/* -DASFF_PARSER_CHECK_POS: check P_TOKEN against yajl's count (used when changing the above). */
#ifdef ASFF_PARSER_CHECK_POS
#include <stdio.h>
#define ASFF_CHECK_POS(p)                                                                           \
    do {                                                                                            \
        if ((p)->last_ok != pos_now(p)) {                                                           \
            fprintf(stderr, "P_TOKEN %llu != yajl %llu\n", (unsigned long long)(p)->last_ok,         \
                    (unsigned long long)pos_now(p));                                                \
            abort();                                                                                \
        }                                                                                           \
    } while (0)
#else
#define ASFF_CHECK_POS(p) ((void)0)
#endif

/* The unit being read (a finding, or one top-level member of an envelope) may not exceed max_finding. */
static int check_unit(asff_parser *p, int opening)
{
    if (p->in_unit && p->last_ok - p->unit_start > p->opt.max_finding) {
        p->final_next = true; /* stop reading the finding: what is left of it is not read */
        return fail(p, ASFF_ERR_LIMIT, opening, "finding larger than %zu bytes", p->opt.max_finding);
    }
    return 1;
}

/* After a value of the top frame's current item is complete. */
static void item_done(asff_parser *p)
{
    frame *f = top(p);
    if (f && (f->kind == FK_LIST || f->kind == FK_ARRAY))
        f->index++;
}

/* A scalar where the array of findings wants a finding: a bad item, skippable on its own. */
static int scalar_item(asff_parser *p, int jt)
{
    frame *f;
    set_errorf(p, ASFF_ERR_TYPE, pos_now(p), "expected a finding object, got %s", jname(jt));
    if (!p->opt.skip_invalid) {
        p->st = ASFF_ERR_TYPE;
        return 0;
    }
    p->ferr = p->e;
    if (!report_skipped(p, &p->ferr, false))
        return 0;
    f = top(p);
    f->index++;
    return 1;
}

static int scalar(asff_parser *p, int jt, const char *s, size_t len, int b)
{
    frame *f = top(p);
    const char *json;
    size_t jlen;
    void *v;
    if (!f) {
        value_begin(p);
        if (p->opt.skip_invalid && record_envelope(p)) {
            /* NDJSON: a line that is a scalar is a bad record; the next line goes on. */
            set_errorf(p, ASFF_ERR_ENVELOPE, pos_now(p), "the value is %s, not an object or array of findings",
                       jname(jt));
            p->f_start = p->value_start;
            p->f_line = p->value_line;
            build_path(p, &p->fpath, 0, true);
            p->ferr = p->e;
            if (!report_skipped(p, &p->ferr, true))
                return 0;
            value_end(p);
            return 1;
        }
        return fail(p, ASFF_ERR_ENVELOPE, 0, "the document is %s, not an object or array of findings", jname(jt));
    }
    switch (f->kind) {
    case FK_SKIP:
        return 1;
    case FK_CAPTURE: {
        yajl_gen_status gs;
        switch (jt) {
        case J_NULL:
            gs = yajl_gen_null(p->cap);
            break;
        case J_BOOL:
            gs = yajl_gen_bool(p->cap, b);
            break;
        case J_NUM:
            gs = yajl_gen_number(p->cap, s, len);
            break;
        default:
            gs = yajl_gen_string(p->cap, (const unsigned char *)s, len);
            break;
        }
        return gs == yajl_gen_status_ok && !p->ya.failed ? 1 : nomem(p);
    }
    case FK_OBJECT:
        if (f->special == SP_DOCSTR || f->special == SP_NEXTTOKEN) {
            if (jt == J_STR && !(*f->doc = asff_arena_strdup_fast(arena_of(f->obj), s, len)))
                return nomem(p);
        }
        if (!f->m || !f->typed || jt == J_NULL || f->m->kind == ASFF_KIND_JSON) {
            if (!scalar_json(p, jt, s, len, b, &json, &jlen))
                return 0;
            return deliver_json(p, f, json, jlen);
        }
        if (!make_scalar(p, arena_of(f->obj), f->m->kind, jt, s, len, b, &v))
            return 0;
        set_slot(f->obj, f->m, v);
        return note(p, f, (uint32_t)(f->m - f->type->members));
    case FK_LIST:
        if (f->index >= p->opt.max_members)
            return fail(p, ASFF_ERR_LIMIT, 0, "more than %zu items in one array", p->opt.max_members);
        if (jt == J_NULL)
            v = NULL;
        else if (f->m->elem_kind == ASFF_KIND_JSON) {
            if (!scalar_json(p, jt, s, len, b, &json, &jlen))
                return 0;
            return deliver_json(p, f, json, jlen);
        } else if (!make_scalar(p, arena_of(f->obj), f->m->elem_kind, jt, s, len, b, &v))
            return 0;
        if (!list_push(p, f->obj, f->slot, v))
            return 0;
        f->index++;
        return 1;
    case FK_MAP:
        if (jt == J_NULL)
            v = NULL;
        else if (f->m->elem_kind == ASFF_KIND_JSON) {
            if (!scalar_json(p, jt, s, len, b, &json, &jlen))
                return 0;
            return deliver_json(p, f, json, jlen);
        } else if (!make_scalar(p, arena_of(f->obj), f->m->elem_kind, jt, s, len, b, &v))
            return 0;
        return map_push(p, f, v);
    case FK_ARRAY:
        /* A finding that is not an object. */
        if (f->index >= p->opt.max_members)
            return fail(p, ASFF_ERR_LIMIT, 0, "more than %zu items in one array", p->opt.max_members);
        begin_item(p, p->nframes);
        return scalar_item(p, jt);
    case FK_DETAIL:
        if (f->special == SP_DOCSTR && jt == J_STR && !(*f->doc = asff_arena_strdup_fast(arena_for(p, true), s, len)))
            return nomem(p);
        if (f->special == SP_DOCJSON) {
            if (!scalar_json(p, jt, s, len, b, &json, &jlen))
                return 0;
            return deliver_json(p, f, json, jlen);
        }
        return 1;
    default:
        return 1;
    }
}

/* What a callback tells yajl: go on unless the error is final (a skipped finding is not). */
static int done(asff_parser *p, int rc)
{
    return rc ? 1 : p->st == ASFF_OK;
}

static int cb_null(void *ctx)
{
    P;
    p->last_kind = 2;
    return done(p, scalar(p, J_NULL, NULL, 0, 0));
}

static int cb_boolean(void *ctx, int b)
{
    P;
    p->last_kind = 2;
    return done(p, scalar(p, J_BOOL, NULL, 0, b));
}

static int cb_number(void *ctx, const char *s, size_t len)
{
    P_TOKEN(s, len, 0);
    p->last_kind = 2;
    return done(p, scalar(p, J_NUM, s, len, 0));
}

static int check_string(asff_parser *p, const unsigned char *s, size_t len, const char *what)
{
    if (len > p->opt.max_string)
        return fail(p, ASFF_ERR_LIMIT, 0, "%s longer than %zu bytes", what, p->opt.max_string);
    /* yajl refuses raw control characters, so a NUL can only come from a \u0000 escape, and then
     * yajl hands over a decoded copy instead of a pointer into our input. */
    if ((uintptr_t)s - (uintptr_t)p->pdata >= p->plen && memchr(s, 0, len))
        return fail(p, ASFF_ERR_UTF8, 0, "%s contains U+0000", what);
    return 1;
}

static int cb_string(void *ctx, const unsigned char *s, size_t len)
{
    P_TOKEN(s, len, 1);
    p->last_kind = 2;
    frame *f = top(p);
    if (f && f->kind == FK_SKIP)
        return 1;
    if (!check_string(p, s, len, "string") || !check_unit(p, 0))
        return done(p, 0);
    /* The most common value of all: a string for a typed string member. */
    if (f && f->kind == FK_OBJECT && f->typed && f->special == SP_NONE && f->m && f->m->kind == ASFF_KIND_STRING) {
        char *v = asff_arena_strdup_fast(arena_of(f->obj), (const char *)s, len);
        if (!v)
            return done(p, nomem(p));
        set_slot(f->obj, f->m, v);
        return done(p, note(p, f, (uint32_t)(f->m - f->type->members)));
    }
    return done(p, scalar(p, J_STR, (const char *)s, len, 0));
}

static const struct {
    const char *name;
    size_t len;
    size_t field;
    int special;
} top_keys[] = {
    {"id", 2, offsetof(asff_document, event_id), SP_DOCSTR},
    {"detail-type", 11, offsetof(asff_document, detail_type), SP_DOCSTR},
    {"source", 6, offsetof(asff_document, source), SP_DOCSTR},
    {"account", 7, offsetof(asff_document, account), SP_DOCSTR},
    {"time", 4, offsetof(asff_document, time), SP_DOCSTR},
    {"region", 6, offsetof(asff_document, region), SP_DOCSTR},
    {"resources", 9, offsetof(asff_document, resources), SP_DOCJSON},
    {"NextToken", 9, offsetof(asff_document, next_token), SP_NEXTTOKEN},
}, detail_keys[] = {
    {"actionName", 10, offsetof(asff_document, action_name), SP_DOCSTR},
    {"actionDescription", 17, offsetof(asff_document, action_description), SP_DOCSTR},
    {"insightArn", 10, offsetof(asff_document, insight_arn), SP_DOCSTR},
    {"insightName", 11, offsetof(asff_document, insight_name), SP_DOCSTR},
    {"resultType", 10, offsetof(asff_document, result_type), SP_DOCSTR},
    {"insightResults", 14, offsetof(asff_document, insight_results), SP_DOCJSON},
};

static bool key_is(const unsigned char *s, size_t len, const char *name, size_t nlen)
{
    return len == nlen && memcmp(s, name, len) == 0;
}

static bool mcache_hit(const mcache *e, const asff_type *t, const char *s, size_t len, uint64_t a, uint64_t b)
{
    /* Names of up to 16 bytes are wholly in a and b: no need to look at the table's string. */
    return e->t == t && e->len == len && e->a == a && e->b == b && (len <= 16 || memcmp(e->m->name, s, len) == 0);
}

/* Two ways per set: findings alternate between a few (type, name) pairs that share a set. */
static const asff_member *find_member(asff_parser *p, const asff_type *t, const char *s, size_t len)
{
    uint64_t a, b, h = name_words(s, len, &a, &b);
    mcache *e = &p->mcache[(((h ^ ((uint64_t)(uintptr_t)t * 0x94d049bb133111ebull)) >> 40) & (MCACHE_SIZE / 2 - 1)) * 2];
    const asff_member *m;
    if (mcache_hit(&e[0], t, s, len, a, b))
        return e[0].m;
    if (mcache_hit(&e[1], t, s, len, a, b))
        return e[1].m;
    m = asff_member_find(t, s, len);
    if (m) {
        e[1] = e[0];
        e[0].t = t;
        e[0].m = m;
        e[0].a = a;
        e[0].b = b;
        e[0].len = len;
    }
    return m;
}

static int cb_map_key(void *ctx, const unsigned char *s, size_t len)
{
    P_TOKEN(s, len, 1);
    p->last_kind = 1;
    frame *f = top(p);
    size_t i;
    if (!f || f->kind == FK_SKIP)
        return 1;
    if (!check_string(p, s, len, "member name"))
        return done(p, 0);
    if (f->kind == FK_CAPTURE)
        return done(p, yajl_gen_string(p->cap, s, len) == yajl_gen_status_ok && !p->ya.failed ? 1 : nomem(p));
    f->key = (const char *)s; /* until the branches below store it: error paths name the new key */
    f->key_len = len;
    if (++f->count > p->opt.max_members)
        return done(p, fail(p, ASFF_ERR_LIMIT, 0, "more than %zu members in one object", p->opt.max_members));
    if (!check_unit(p, 0))
        return done(p, 0);
    if (f->kind == FK_DETAIL) {
        f->special = SP_NONE;
        f->doc = NULL;
        f->key = "?";
        f->key_len = 1;
        if (key_is(s, len, "findings", 8)) {
            f->special = SP_FINDINGS;
            f->key = "findings";
            f->key_len = 8;
            if (f->tflags & TF_FINDINGS)
                return done(p, fail(p, ASFF_ERR_DUPLICATE, 0, "member findings appears twice in the event's detail"));
            f->tflags |= TF_FINDINGS;
        }
        for (i = 0; i < sizeof detail_keys / sizeof detail_keys[0]; i++)
            if (key_is(s, len, detail_keys[i].name, detail_keys[i].len)) {
                f->special = (uint8_t)detail_keys[i].special;
                f->doc = (const char **)((char *)&p->doc + detail_keys[i].field);
                f->key = detail_keys[i].name;
                f->key_len = detail_keys[i].len;
            }
        return 1;
    }
    if (f->kind == FK_MAP) {
        char *k;
        f->key = (const char *)s; /* for the error path only: yajl's buffer lives during the callback */
        f->key_len = len;
        if (name_seen(f, (const char *)s, len))
            return done(p, fail(p, ASFF_ERR_DUPLICATE, 0, "key \"%.*s\" appears twice", (int)(len > 64 ? 64 : len), s));
        if (!(k = asff_arena_strdup_fast(arena_of(f->obj), (const char *)s, len)))
            return done(p, nomem(p));
        f->key = k;
        f->key_len = len;
        return 1;
    }
    /* FK_OBJECT */
    if (f->role == ROLE_TOP) {
        asff_envelope env = p->opt.envelope;
        bool event_member = key_is(s, len, "version", 7);
        f->special = SP_NONE;
        f->doc = NULL;
        if (key_is(s, len, "Findings", 8) && env != ASFF_ENVELOPE_EVENT)
            f->special = SP_FINDINGS;
        else if (key_is(s, len, "detail", 6) && env != ASFF_ENVELOPE_FINDINGS)
            f->special = SP_DETAIL;
        else
            for (i = 0; i < sizeof top_keys / sizeof top_keys[0]; i++)
                if (key_is(s, len, top_keys[i].name, top_keys[i].len)) {
                    f->special = (uint8_t)top_keys[i].special;
                    f->doc = (const char **)((char *)&p->doc + top_keys[i].field);
                    event_member = top_keys[i].special != SP_NEXTTOKEN;
                }
        if (key_is(s, len, "detail-type", 11))
            f->tflags |= TF_DTYPE;
        else if (key_is(s, len, "source", 6))
            f->tflags |= TF_SOURCE;
        if (f->switched) {
            if ((f->switched == 1 && f->special == SP_FINDINGS) || (f->switched == 2 && f->special == SP_DETAIL))
                return done(p, fail(p, ASFF_ERR_DUPLICATE, 0, "member %.*s appears twice", (int)len, s));
            if (f->special == SP_FINDINGS || f->special == SP_DETAIL)
                return done(p, fail(p, ASFF_ERR_ENVELOPE, 0,
                                    "the object holds two finding containers (an event's detail and a Findings array)"));
            if (auto_envelope(p) && find_member(p, p->holder_type, (const char *)s, len))
                return done(p, fail(p, ASFF_ERR_ENVELOPE, 0,
                                    "member %.*s of a finding in %s: the object is neither a finding nor an envelope",
                                    (int)(len > 64 ? 64 : len), s,
                                    f->switched == 1 ? "a {\"Findings\": [...]} document" : "an EventBridge event"));
            p->in_unit = true;
            p->unit_start = p->last_ok;
        } else if (!event_member && f->special != SP_DETAIL) {
            f->tflags |= TF_NONEVENT;
        }
    }
    f->m = f->typed ? find_member(p, f->type, (const char *)s, len) : NULL;
    if (f->m && f->role == ROLE_TOP)
        f->tflags |= TF_MEMBER;
    if (f->m) {
        f->key = f->m->name;
        f->key_len = f->m->name_len;
        if (*(void **)((char *)f->obj + f->m->offset) || (f->nextra && name_seen(f, (const char *)s, len)))
            return done(p, fail(p, ASFF_ERR_DUPLICATE, 0, "member %s appears twice", f->m->name));
        return 1;
    }
    f->key = (const char *)s; /* for the error path only, as above */
    f->key_len = len;
    if (f->nextra && name_seen(f, (const char *)s, len))
        return done(p, fail(p, ASFF_ERR_DUPLICATE, 0, "member \"%.*s\" appears twice", (int)(len > 64 ? 64 : len), s));
    if (!(f->key = asff_arena_strdup_fast(arena_of(f->obj), (const char *)s, len)))
        return done(p, nomem(p));
    f->key_len = len;
    return 1;
}

/* Push a capture frame for a container value (unknown member, document member, event field). */
static int begin_capture(asff_parser *p, int jt)
{
    frame *c = push(p, FK_CAPTURE, 1);
    yajl_gen_status gs;
    if (!c)
        return 0;
    c->depth = 1;
    yajl_gen_reset(p->cap, NULL);
    yajl_gen_clear(p->cap);
    gs = jt == J_OBJ ? yajl_gen_map_open(p->cap) : yajl_gen_array_open(p->cap);
    return gs == yajl_gen_status_ok && !p->ya.failed ? 1 : nomem(p);
}

/* A typed object value: new object in the owner's arena, pushed as a frame. */
static frame *begin_object(asff_parser *p, asff_arena *a, const asff_type *t, void **out)
{
    void *o = new_object(a, t);
    frame *f;
    if (!o) {
        nomem(p);
        return NULL;
    }
    f = push(p, FK_OBJECT, 1);
    if (!f)
        return NULL;
    f->obj = o;
    f->type = t;
    f->typed = 1;
    *out = o;
    return f;
}

/* A new finding (or top-level holder) at frame index p->nframes. */
static int begin_finding(asff_parser *p, bool top_level, int role, bool typed)
{
    asff_arena *a = arena_for(p, top_level);
    const asff_type *t = role == ROLE_TOP ? p->holder_type : p->item_type;
    frame *f;
    void *o;
    if (!a)
        return nomem(p);
    if (role == ROLE_FINDING || typed) {
        begin_item(p, p->nframes);
        p->in_finding = true;
    }
    f = begin_object(p, a, t, &o);
    if (!f)
        return 0;
    f->role = (uint8_t)role;
    f->typed = typed;
    return 1;
}


/* The top-level object turned out to be an envelope: its "Findings" array or its event "detail"
 * holds the findings. switched remembers which (1 or 2), so a second one is a duplicate. */
static int enter_envelope(asff_parser *p, frame *f, uint8_t switched, const char *key, asff_envelope env, int kind)
{
    f->switched = switched;
    f->typed = 0;
    f->key = key;
    f->key_len = strlen(key);
    p->in_finding = false;
    p->in_unit = false;
    set_envelope(p, env);
    if (!update_other(p, f))
        return 0;
    return push(p, kind, 1) != NULL;
}

static int open_container(asff_parser *p, int jt)
{
    frame *f = top(p);
    void *o;
    if (!f) {
        asff_envelope env = p->opt.envelope;
        value_begin(p);
        if (jt == J_ARR) {
            if (env != ASFF_ENVELOPE_AUTO && env != ASFF_ENVELOPE_NDJSON && env != ASFF_ENVELOPE_ARRAY)
                return fail(p, ASFF_ERR_ENVELOPE, 1, "expected an object, got an array");
            set_envelope(p, ASFF_ENVELOPE_ARRAY);
            return push(p, FK_ARRAY, 1) != NULL;
        }
        if (env == ASFF_ENVELOPE_ARRAY)
            return fail(p, ASFF_ERR_ENVELOPE, 1, "expected an array of findings, got an object");
        if (env == ASFF_ENVELOPE_FINDING) {
            set_envelope(p, ASFF_ENVELOPE_FINDING);
            return begin_finding(p, true, ROLE_FINDING, true);
        }
        /* AUTO / NDJSON: a finding until a Findings array or an event detail shows otherwise. */
        return begin_finding(p, true, ROLE_TOP, env == ASFF_ENVELOPE_AUTO || env == ASFF_ENVELOPE_NDJSON);
    }
    switch (f->kind) {
    case FK_SKIP:
        f->depth++;
        return 1;
    case FK_CAPTURE: {
        f->depth++;
        return (jt == J_OBJ ? yajl_gen_map_open(p->cap) : yajl_gen_array_open(p->cap)) == yajl_gen_status_ok &&
                       !p->ya.failed
                   ? 1
                   : nomem(p);
    }
    case FK_OBJECT:
        if (f->role == ROLE_TOP && !f->switched) {
            /* Detected envelopes are strict: a Findings array after a member of the finding model,
             * or a detail object after a member that events do not have, is a finding's member. */
            bool a = auto_envelope(p);
            if (f->special == SP_FINDINGS && jt == J_ARR && !(a && (f->tflags & TF_MEMBER)))
                return enter_envelope(p, f, 1, "Findings", ASFF_ENVELOPE_FINDINGS, FK_ARRAY);
            if (f->special == SP_DETAIL && jt == J_OBJ && !(a && (f->tflags & TF_NONEVENT)))
                return enter_envelope(p, f, 2, "detail", ASFF_ENVELOPE_EVENT, FK_DETAIL);
        }
        if (!f->m || !f->typed || f->m->kind == ASFF_KIND_JSON)
            return begin_capture(p, jt);
        if (f->m->kind == ASFF_KIND_OBJECT && jt == J_OBJ) {
            size_t fi = p->nframes - 1;
            if (!begin_object(p, arena_of(f->obj), f->m->type, &o))
                return 0;
            f = &p->frames[fi]; /* push may have moved the frames */
            set_slot(f->obj, f->m, o);
            return note(p, f, (uint32_t)(f->m - f->type->members));
        }
        if ((f->m->kind == ASFF_KIND_LIST && jt == J_ARR) || (f->m->kind == ASFF_KIND_MAP && jt == J_OBJ)) {
            frame *c;
            void *owner = f->obj;
            const asff_member *m = f->m;
            if (!note(p, f, (uint32_t)(m - f->type->members)) || !init_container(p, owner, m))
                return 0;
            c = push(p, m->kind == ASFF_KIND_LIST ? FK_LIST : FK_MAP, 1);
            if (!c)
                return 0;
            c->obj = owner;
            c->m = m;
            c->slot = (char *)owner + m->offset;
            return 1;
        }
        return fail(p, ASFF_ERR_TYPE, 1, "expected %s, got %s", kname(f->m->kind), jname(jt));
    case FK_LIST:
        if (f->index >= p->opt.max_members)
            return fail(p, ASFF_ERR_LIMIT, 1, "more than %zu items in one array", p->opt.max_members);
        if (f->m->elem_kind == ASFF_KIND_JSON)
            return begin_capture(p, jt);
        if (f->m->elem_kind == ASFF_KIND_OBJECT && jt == J_OBJ) {
            void *owner = f->obj, *slot = f->slot;
            if (!begin_object(p, arena_of(owner), f->m->type, &o))
                return 0;
            return list_push(p, owner, slot, o);
        }
        return fail(p, ASFF_ERR_TYPE, 1, "expected %s, got %s", kname(f->m->elem_kind), jname(jt));
    case FK_MAP:
        if (f->m->elem_kind == ASFF_KIND_JSON)
            return begin_capture(p, jt);
        if (f->m->elem_kind == ASFF_KIND_OBJECT && jt == J_OBJ) {
            frame *mf = f;
            if (!begin_object(p, arena_of(mf->obj), mf->m->type, &o))
                return 0;
            return map_push(p, &p->frames[p->nframes - 2], o);
        }
        return fail(p, ASFF_ERR_TYPE, 1, "expected %s, got %s", kname(f->m->elem_kind), jname(jt));
    case FK_ARRAY:
        if (f->index >= p->opt.max_members)
            return fail(p, ASFF_ERR_LIMIT, 1, "more than %zu items in one array", p->opt.max_members);
        if (jt == J_OBJ)
            return begin_finding(p, false, ROLE_FINDING, true);
        begin_item(p, p->nframes);
        p->in_finding = true;
        {
            /* An array where a finding should be: a skip frame stands in for the finding. */
            frame *s = push(p, FK_SKIP, 1);
            if (!s)
                return 0;
            s->depth = 0;
            p->ffr = p->nframes - 1;
            return fail(p, ASFF_ERR_TYPE, 1, "expected a finding object, got an array");
        }
    case FK_DETAIL:
        if (f->special == SP_FINDINGS) {
            if (jt != J_ARR)
                return fail(p, ASFF_ERR_TYPE, 1, "expected an array of findings, got an object");
            return push(p, FK_ARRAY, 1) != NULL;
        }
        if (f->special == SP_DOCJSON)
            return begin_capture(p, jt);
        {
            frame *s = push(p, FK_SKIP, 1);
            if (s)
                s->depth = 1;
            return s != NULL;
        }
    default:
        return 1;
    }
}

static int start(asff_parser *p, int jt)
{
    frame *f = top(p);
    p->last_kind = 0;
    p->jdepth++;
    /* The depth limit holds in skipped values too (yajl's own stack grows with the depth). */
    if (p->jdepth > p->opt.max_depth) {
        p->final_next = true;
        return done(p, fail(p, ASFF_ERR_LIMIT, 1, "nesting deeper than %zu", p->opt.max_depth));
    }
    if (f && f->kind == FK_SKIP) {
        f->depth++;
        return 1;
    }
    if (!check_unit(p, 1))
        return done(p, 0);
    return done(p, open_container(p, jt));
}

static int cb_start_map(void *ctx)
{
    P;
    return start(p, J_OBJ);
}

static int cb_start_array(void *ctx)
{
    P;
    return start(p, J_ARR);
}

/* The value of the frame below the one just popped is complete. */
static int after_pop(asff_parser *p)
{
    if (!p->nframes) {
        if (!p->line_mode) {
            /* A value that began and ended on one line: the stream's lines are records. */
            uint64_t l, c;
            line_col(p, p->last_ok ? p->last_ok - 1 : 0, &l, &c);
            p->line_mode = l == p->value_line;
        }
        value_end(p);
        return 1;
    }
    item_done(p);
    return 1;
}

/* The end of a container inside a skipped value. */
static int close_skip(asff_parser *p, frame *f)
{
    if (f->depth > 1) {
        f->depth--;
        return 1;
    }
    if (f->bad_item) {
        bool top_level = p->nframes == 1;
        pop_frame(p);
        if (!p->opt.skip_invalid) {
            p->e = p->ferr;
            p->st = p->ferr.code;
            return 0;
        }
        if (!report_skipped(p, &p->ferr, top_level))
            return 0;
    } else {
        pop_frame(p);
    }
    return after_pop(p);
}

/* yajl has separate end callbacks; captures need to know which one. */
static int end_any(asff_parser *p, int jt)
{
    frame *f = top(p);
    if (!f)
        return 1;
    if (f->kind == FK_CAPTURE) {
        yajl_gen_status gs = jt == J_OBJ ? yajl_gen_map_close(p->cap) : yajl_gen_array_close(p->cap);
        if (gs != yajl_gen_status_ok || p->ya.failed)
            return nomem(p);
        if (--f->depth == 0) {
            const unsigned char *buf;
            size_t len;
            int rc;
            yajl_gen_get_buf(p->cap, &buf, &len);
            pop_frame(p);
            rc = deliver_json(p, top(p), (const char *)buf, len);
            yajl_gen_clear(p->cap);
            yajl_gen_reset(p->cap, NULL);
            return rc;
        }
        return 1;
    }
    if (f->kind == FK_SKIP)
        return close_skip(p, f);
    if (f->kind == FK_OBJECT) {
        if (f->role == ROLE_TOP) {
            int rc = end_holder(p, f);
            pop_frame(p);
            if (!rc)
                return 0;
            return after_pop(p);
        }
        if (f->role == ROLE_FINDING) {
            void *obj = f->obj;
            bool top_level = p->nframes == 1;
            pop_frame(p);
            if (!deliver_finding(p, obj, top_level))
                return 0;
            return after_pop(p);
        }
    }
    if (f->kind == FK_ARRAY && p->nframes >= 2 && p->frames[p->nframes - 2].kind == FK_OBJECT) {
        /* the Findings array of a {"Findings": ...} document: it is not a member of the holder */
        pop_frame(p);
        return 1;
    }
    if (f->kind == FK_DETAIL) {
        pop_frame(p);
        return 1;
    }
    pop_frame(p);
    return after_pop(p);
}

static int cb_end_map(void *ctx)
{
    P;
    p->last_kind = 2;
    p->jdepth--;
    return done(p, end_any(p, J_OBJ));
}

static int cb_end_array(void *ctx)
{
    P;
    p->last_kind = 2;
    p->jdepth--;
    return done(p, end_any(p, J_ARR));
}

static const yajl_callbacks callbacks = {cb_null,      cb_boolean, NULL,       NULL,           cb_number, cb_string,
                                         cb_start_map, cb_map_key, cb_end_map, cb_start_array, cb_end_array};

/* ---- the handle -------------------------------------------------------------------------- */

static yajl_handle new_yajl(asff_parser *p)
{
    yajl_handle y = yajl_alloc(&callbacks, &p->ya.funcs, p);
    /* Several top-level values: NDJSON and concatenated JSON. UTF-8 validation stays on. */
    if (y)
        yajl_config(y, yajl_allow_multiple_values, 1);
    return y;
}

asff_parser *asff_parser_new(const asff_parse_options *options, asff_finding_fn on_finding,
                             asff_parse_error_fn on_error, void *ctx)
{
    asff_parse_options def = ASFF_PARSE_OPTIONS_INIT;
    const asff_allocator *alloc;
    asff_parser *p;
    const asff_type *t;
    if (!options)
        options = &def;
    if (options->version != ASFF_PARSE_OPTIONS_VERSION || (unsigned)options->envelope > ASFF_ENVELOPE_NDJSON)
        return NULL;
    t = asff_type_get(options->type_id ? options->type_id : ASFF_TID_AwsSecurityFinding);
    if (!t)
        return NULL;
    alloc = asff_alloc_or_default(options->allocator);
    p = asff_malloc(alloc, sizeof *p);
    if (!p)
        return NULL;
    memset(p, 0, sizeof *p);
    p->opt = *options;
    if (!p->opt.max_depth)
        p->opt.max_depth = ASFF_DEFAULT_MAX_DEPTH;
    if (!p->opt.max_string)
        p->opt.max_string = ASFF_DEFAULT_MAX_STRING;
    if (!p->opt.max_finding)
        p->opt.max_finding = ASFF_DEFAULT_MAX_FINDING;
    if (!p->opt.max_members)
        p->opt.max_members = ASFF_DEFAULT_MAX_MEMBERS;
    p->alloc = alloc;
    p->on_finding = on_finding;
    p->on_error = on_error;
    p->ctx = ctx;
    p->item_type = t;
    p->holder_type = t;
    p->line = p->pline = 1;
    asff_yalloc_init(&p->ya, alloc);
    asff_buf_init(&p->other, alloc);
    asff_buf_init(&p->fpath, alloc);
    asff_buf_init(&p->path, alloc);
    asff_buf_init(&p->hold, alloc);
    p->line_mode = p->opt.envelope == ASFF_ENVELOPE_NDJSON;
    p->mcache = asff_malloc(alloc, MCACHE_SIZE * sizeof *p->mcache);
    if (p->mcache)
        memset(p->mcache, 0, MCACHE_SIZE * sizeof *p->mcache);
    p->y = new_yajl(p);
    p->cap = yajl_gen_alloc(&p->ya.funcs);
    if (!p->mcache || !p->y || !p->cap || p->ya.failed) {
        asff_parser_free(p);
        return NULL;
    }
    return p;
}

/* After an error that ends the current top-level value: may the stream go on at the next line
 * (skip_invalid over NDJSON)? at_line_end: the value is cut at the end of a line, which is a safe
 * place to resume in any value (an envelope too). */
static bool can_resync(const asff_parser *p, bool at_line_end)
{
    const frame *f = p->nframes ? &p->frames[0] : NULL;
    if (!p->opt.skip_invalid || !record_envelope(p))
        return false;
    if (!f || at_line_end)
        return true;
    if (f->kind == FK_OBJECT)
        return f->role == ROLE_FINDING || (f->role == ROLE_TOP && !f->switched);
    return f->kind == FK_SKIP && f->bad_item;
}

/* Errors from the callbacks that end a value without ending the stream (never NOMEM or ABORTED). */
static bool value_error(asff_status code)
{
    return skippable(code) || code == ASFF_ERR_ENVELOPE || code == ASFF_ERR_TRUNCATED;
}

/* Report the broken value as skipped and start over with a new yajl handle. */
static asff_status resync(asff_parser *p, uint64_t epos)
{
    asff_error e = p->e;
    uint64_t col;
    p->f_start = p->in_value ? p->value_start : epos;
    line_col(p, p->f_start, &p->f_line, &col);
    build_path(p, &p->fpath, 0, true);
    p->nframes = 0;
    p->jdepth = 0;
    p->in_finding = p->in_unit = false;
    /* The scanners start over with the next value. */
    p->es = 0;
    p->ucarry_len = 0;
    p->nl_pending = false;
    if (!report_skipped(p, &e, true))
        return p->st;
    value_end(p);
    yajl_free(p->y);
    p->y = new_yajl(p);
    yajl_gen_reset(p->cap, NULL);
    yajl_gen_clear(p->cap);
    if (!p->y || p->ya.failed) {
        if (p->y)
            yajl_free(p->y);
        p->y = NULL;
        set_errorf(p, ASFF_ERR_NOMEM, epos, "out of memory");
        p->st = ASFF_ERR_NOMEM;
        return p->st;
    }
    return ASFF_OK;
}

static asff_status yajl_failure(asff_parser *p, uint64_t epos, bool at_end)
{
    unsigned char *msg = yajl_get_error(p->y, 0, NULL, 0);
    const char *m = msg ? (const char *)msg : "syntax error";
    size_t n = strlen(m);
    asff_status code = strstr(m, "UTF8") ? ASFF_ERR_UTF8 : ASFF_ERR_SYNTAX;
    if (at_end && strstr(m, "premature EOF"))
        code = ASFF_ERR_TRUNCATED;
    while (n && (m[n - 1] == '\n' || m[n - 1] == ' '))
        n--;
    if (!at_end && strncmp(m, "parse error", 11) == 0 && p->last_ok + sizeof p->hist >= p->pbase) {
        /* yajl's offset for a grammar error is only near the bad token (it subtracts the decoded
         * length from the token's end, within the current chunk). The bad token is the first one
         * after the last token yajl accepted, past the separator that was due there. */
        uint64_t t = p->last_ok, end = p->pbase + p->plen;
        char sep = p->last_kind == 1 ? ':' : (p->last_kind == 2 && p->jdepth) ? ',' : 0;
        while (t < end) {
            unsigned char ch = t >= p->pbase ? p->pdata[t - p->pbase] : p->hist[t % sizeof p->hist];
            if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') {
                t++;
            } else if (sep && ch == (unsigned char)sep) {
                sep = 0;
                t++;
            } else {
                break;
            }
        }
        epos = t;
    }
    if (code == ASFF_ERR_TRUNCATED)
        set_errorf(p, code, epos, "input ended inside a value");
    else
        set_errorf(p, code, epos, "%.*s", (int)(n > 200 ? 200 : n), m);
    if (msg)
        yajl_free_error(p->y, msg);
    p->st = code;
    return code;
}

/* The last bytes of the stream, indexed by offset modulo the size of hist. */
static void keep_history(asff_parser *p, const unsigned char *d, size_t n)
{
    size_t keep = n < sizeof p->hist ? n : sizeof p->hist;
    size_t at = (size_t)((p->pbase + n - keep) % sizeof p->hist), first = sizeof p->hist - at;
    if (first > keep)
        first = keep;
    memcpy(p->hist + at, d + n - keep, first);
    memcpy(p->hist, d + n - keep + first, keep - first);
}

/* ---- complete UTF-8 and \u escapes -------------------------------------------------------- */

/* Bytes of the UTF-8 sequence that lead byte c starts (0: not a lead byte). */
static size_t utf8_seq_len(unsigned char c)
{
    return c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
}

/*
 * The first byte of d[i, n) where invalid UTF-8 starts, n when none; *at gets its stream offset. ASCII
 * is skipped 16 bytes at a time and each run of other bytes checked whole with
 * asff__utf8_valid_prefix (a valid sequence never holds an ASCII byte). A sequence cut at the end of
 * the piece is kept in ucarry and checked with the next piece.
 */
static size_t scan_utf8(asff_parser *p, const unsigned char *d, size_t i, size_t n, uint64_t *at)
{
    size_t from = i;
    if (p->ucarry_len) {
        size_t need = utf8_seq_len(p->ucarry[0]);
        while (p->ucarry_len < need && i < n)
            p->ucarry[p->ucarry_len++] = d[i++];
        if (p->ucarry_len < need)
            return n;
        p->ucarry_len = 0;
        if (asff__utf8_valid_prefix((const char *)p->ucarry, need) != need) {
            *at = p->ucarry_off;
            return from; /* before yajl sees more of it (it would report the bytes further on) */
        }
    }
    while (i < n) {
        size_t j, ok;
        while (i + 16 <= n) {
            uint64_t a, b;
            memcpy(&a, d + i, 8);
            memcpy(&b, d + i + 8, 8);
            if ((a | b) & 0x8080808080808080ull)
                break;
            i += 16;
        }
        while (i < n && d[i] < 0x80)
            i++;
        if (i == n)
            break;
        for (j = i; j < n && d[j] >= 0x80; j++)
            ;
        ok = asff__utf8_valid_prefix((const char *)d + i, j - i);
        if (ok == j - i) {
            i = j;
            continue;
        }
        i += ok;
        if (j == n && n - i < utf8_seq_len(d[i])) {
            /* cut by the end of the piece: check it when the rest comes */
            p->ucarry_len = n - i;
            memcpy(p->ucarry, d + i, n - i);
            p->ucarry_off = p->pbase + i;
            return n;
        }
        *at = p->pbase + i;
        return i;
    }
    return n;
}

enum { ES_NONE, ES_BS, ES_U, ES_HI, ES_HI_BS, ES_HI_U };

static int hexval(unsigned char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/*
 * \u escapes of surrogates must come as a high-low pair: yajl turns a lone high surrogate into '?'
 * (or pairs it with whatever escape follows) and a lone low one into invalid UTF-8. A small state
 * machine, carried across pieces, runs from each backslash (memchr finds them) to the end of its
 * escape. Returns the byte where a bad escape shows (n when none); *at gets the escape's offset.
 */
static size_t scan_escapes(asff_parser *p, const unsigned char *d, size_t i, size_t n, uint64_t *at)
{
    while (i < n) {
        int h;
        switch (p->es) {
        case ES_NONE: {
            const unsigned char *b = memchr(d + i, '\\', n - i);
            if (!b)
                return n;
            i = (size_t)(b - d) + 1;
            p->es = ES_BS;
            p->es_at = p->pbase + (size_t)(b - d);
            break;
        }
        case ES_BS:
            p->es = d[i++] == 'u' ? ES_U : ES_NONE; /* "\\" ends here too: the second one is escaped */
            p->es_n = 0;
            p->es_v = 0;
            break;
        case ES_U:
        case ES_HI_U:
            if ((h = hexval(d[i])) < 0) {
                p->es = ES_NONE; /* not an escape yajl accepts: its own error */
                break;
            }
            i++;
            p->es_v = p->es_v * 16 + (uint32_t)h;
            if (++p->es_n < 4)
                break;
            if (p->es == ES_U && p->es_v >= 0xD800 && p->es_v <= 0xDBFF) {
                p->es = ES_HI;
                break;
            }
            if ((p->es == ES_U && p->es_v >= 0xDC00 && p->es_v <= 0xDFFF) ||
                (p->es == ES_HI_U && (p->es_v < 0xDC00 || p->es_v > 0xDFFF))) {
                p->es = ES_NONE;
                *at = p->es_at;
                return i;
            }
            p->es = ES_NONE;
            break;
        case ES_HI:
        case ES_HI_BS:
            if (d[i] != (p->es == ES_HI ? '\\' : 'u')) {
                p->es = ES_NONE;
                *at = p->es_at;
                return i;
            }
            i++;
            if (p->es == ES_HI) {
                p->es = ES_HI_BS;
            } else {
                p->es = ES_HI_U;
                p->es_n = 0;
                p->es_v = 0;
            }
            break;
        default:
            p->es = ES_NONE;
            break;
        }
    }
    return n;
}

/* A bad byte or escape at stream offset at: the value being read is invalid. Inside a finding that
 * is already being skipped, or outside any value (yajl refuses it there), nothing to do. */
static void bad_text(asff_parser *p, uint64_t at, bool escape)
{
    size_t i;
    if (!p->nframes)
        return;
    for (i = 0; i < p->nframes; i++)
        if (p->frames[i].kind == FK_SKIP && p->frames[i].bad_item)
            return;
    p->at_set = true;
    p->at = at;
    p->final_next = true; /* like yajl's own UTF-8 errors: the value cannot be read further */
    if (escape)
        fail(p, ASFF_ERR_UTF8, 0, "a \\u escape of a UTF-16 surrogate without its pair");
    else
        fail(p, ASFF_ERR_UTF8, 0, "invalid UTF-8 (RFC 3629: an overlong form, a surrogate, a code point above U+10FFFF "
                                  "or a broken sequence)");
}

/* ---- lines as records -------------------------------------------------------------------- */

/* A newline at stream offset nl, followed by the byte c, inside an open top-level value: is the value
 * cut there? In line mode (the stream is NDJSON) when the value began on this line with more than
 * its opening bracket (a one-line record never goes on; a pretty-printed value starts with its
 * bracket alone); else, in line mode and after a member name whose value is missing (no JSON
 * printer breaks a line between a name and its value), when the next line starts a value. */
static bool line_cut(asff_parser *p, unsigned char c, uint64_t nl)
{
    if (!p->nframes || !record_envelope(p))
        return false;
    if (p->line_mode && p->last_nb_at != p->value_start) {
        uint64_t l, col;
        line_col(p, nl, &l, &col);
        if (l == p->value_line)
            return true;
    }
    if (!(c == '{' || c == '[' || c == '"' || c == '-' || (c >= '0' && c <= '9') || c == 't' || c == 'f' || c == 'n'))
        return false;
    return p->line_mode || p->last_kind == 1;
}

static bool blank(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* The last byte before d[end] that is not blank (looking back into earlier pieces through last_nb),
 * and its stream offset. */
static unsigned char last_nonblank(const asff_parser *p, const unsigned char *d, size_t off, size_t end, uint64_t *at)
{
    while (end > off && blank(d[end - 1]))
        end--;
    if (at)
        *at = end > off ? p->pbase + end - 1 : p->last_nb_at;
    return end > off ? d[end - 1] : p->last_nb;
}

/* Where to stop feeding yajl in d[off, end) to look at the start of the next line: after every
 * newline in line mode; before it, after a newline that follows a colon (a cut line), or a closing
 * bracket (the first value may end there, and then line mode starts). */
static size_t next_split(const asff_parser *p, const unsigned char *d, size_t off, size_t end)
{
    size_t s = off;
    const unsigned char *nl;
    if (!record_envelope(p))
        return end;
    while (s < end && (nl = memchr(d + s, '\n', end - s)) != NULL) {
        size_t i = (size_t)(nl - d);
        unsigned char c;
        if (p->line_mode)
            return i + 1;
        c = last_nonblank(p, d, off, i, NULL);
        if (c == ':' || c == '}' || c == ']')
            return i + 1;
        s = i + 1;
    }
    return end;
}

/* The top-level value is cut at the newline at stream offset nl: report it at its own line. */
static asff_status cut_line(asff_parser *p, uint64_t nl)
{
    set_errorf(p, ASFF_ERR_TRUNCATED, nl, "the line ends inside a value (the next line starts another one)");
    p->st = ASFF_ERR_TRUNCATED;
    if (!can_resync(p, true))
        return p->st;
    p->st = ASFF_OK;
    if (resync(p, nl) != ASFF_OK)
        return p->st;
    p->last_ok = nl + 1;
    return ASFF_OK;
}

#define NO_BAD UINT64_MAX

static asff_status feed_piece(asff_parser *p, const unsigned char *d, size_t n)
{
    size_t off = 0, unext = 0, enext = 0;
    uint64_t uat = 0, eat = 0;
    bool scanned = false;
    p->pdata = d;
    p->plen = n;
    p->pbase = p->total;
    p->pline = p->line;
    p->pline_start = p->line_start;
    if (p->skip_line) {
        const unsigned char *nl = memchr(d, '\n', n);
        if (!nl) {
            advance(p, p->pbase + n);
            keep_history(p, d, n);
            p->total += n;
            return ASFF_OK;
        }
        off = (size_t)(nl - d) + 1;
        p->skip_line = false;
        p->last_ok = p->pbase + off;
    }
    while (off < n) {
        yajl_status ys;
        uint64_t epos, vstart;
        size_t rel, i, end, stop;
        bool in_value, at_line_end = false, bad_here;
        if (p->nl_pending) {
            p->nl_pending = false;
            if (line_cut(p, d[off], p->pbase + off - 1)) {
                if (cut_line(p, p->pbase + off - 1) != ASFF_OK)
                    return p->st;
                scanned = false;
            }
        }
        if (!scanned || unext < off) {
            uat = NO_BAD;
            unext = scan_utf8(p, d, off, n, &uat);
        }
        if (!scanned || enext < off) {
            eat = NO_BAD;
            enext = scan_escapes(p, d, off, n, &eat);
        }
        scanned = true;
        /* (a bad sequence may show only at the piece's end: uat / eat say whether there is one) */
        stop = uat == NO_BAD ? n : unext;
        if (eat != NO_BAD && enext < stop)
            stop = enext;
        bad_here = (uat != NO_BAD && stop == unext) || (eat != NO_BAD && stop == enext);
        end = next_split(p, d, off, stop);
        p->ybase = p->pbase + off;
        ys = yajl_parse(p->y, d + off, end - off);
        if (p->ya.failed && p->st == ASFF_OK) {
            set_errorf(p, ASFF_ERR_NOMEM, pos_now(p), "out of memory");
            p->st = ASFF_ERR_NOMEM;
        }
        if (p->st != ASFF_OK) {
            /* A final error from a callback (a limit, an envelope): the value ends here. */
            if (!value_error(p->st) || !can_resync(p, p->line_mode))
                return p->st;
            epos = pos_now(p);
            in_value = p->in_value;
            vstart = p->value_start;
            goto recover;
        }
        if (ys == yajl_status_ok) {
            p->last_nb = last_nonblank(p, d, off, end, &p->last_nb_at);
            if (end > off && d[end - 1] == '\n' && record_envelope(p) && p->nframes &&
                (p->line_mode || p->last_nb == ':')) {
                /* a line ended: does the next one start a value while this one is open? */
                if (end == n)
                    p->nl_pending = true;
                else if (line_cut(p, d[end], p->pbase + end - 1)) {
                    if (cut_line(p, p->pbase + end - 1) != ASFF_OK)
                        return p->st;
                    scanned = false;
                    off = end;
                    continue;
                }
            }
            if (end == stop && bad_here) {
                /* bad UTF-8 or a lone surrogate escape starts here */
                bool is_u = uat != NO_BAD && stop == unext;
                uint64_t bat = is_u ? uat : eat;
                if (is_u)
                    uat = NO_BAD;
                else
                    eat = NO_BAD;
                bad_text(p, bat, !is_u);
                if (p->st != ASFF_OK) {
                    if (!can_resync(p, p->line_mode))
                        return p->st;
                    epos = bat;
                    in_value = p->in_value;
                    vstart = p->value_start;
                    goto recover;
                }
                if (is_u && stop < n)
                    unext = scan_utf8(p, d, stop + 1, n, &uat);
                else if (!is_u)
                    enext = scan_escapes(p, d, stop, n, &eat);
            }
            off = end;
            continue;
        }
        if (ys == yajl_status_client_canceled)
            return p->st != ASFF_OK ? p->st : ASFF_ERR_INTERNAL;
        epos = pos_now(p);
        in_value = p->in_value;
        vstart = p->value_start;
        if (yajl_failure(p, epos, false) != ASFF_OK && !can_resync(p, p->line_mode))
            return p->st;
    recover:
        /* Lines are records only in NDJSON: a value broken several lines after its start is a
         * broken document, not a broken record. */
        if (p->opt.envelope != ASFF_ENVELOPE_NDJSON && !p->line_mode && in_value && p->e.line > p->value_line + 1)
            return p->st;
        (void)at_line_end;
        p->st = ASFF_OK;
        if (resync(p, epos) != ASFF_OK)
            return p->st;
        scanned = false;
        /* Go on at the start of the line of the error when the broken value began on an earlier
         * line (the error line may hold the next value), else after the error's line. */
        rel = epos >= p->pbase ? (size_t)(epos - p->pbase) : 0;
        if (rel > n)
            rel = n;
        for (i = rel; i > off; i--)
            if (d[i - 1] == '\n')
                break;
        if (i > off && in_value && p->pbase + i > vstart && i < rel) {
            off = i;
            p->last_ok = p->pbase + off;
            continue;
        }
        {
            const unsigned char *nl = rel < n ? memchr(d + rel, '\n', n - rel) : NULL;
            if (!nl) {
                p->skip_line = true;
                break;
            }
            off = (size_t)(nl - d) + 1;
            p->last_ok = p->pbase + off;
        }
    }
    advance(p, p->pbase + n);
    keep_history(p, d, n);
    p->total += n;
    return ASFF_OK;
}

static asff_status give_error(asff_parser *p, asff_error *err)
{
    if (err)
        *err = p->e;
    return p->e.code;
}

/* ---- long tokens -------------------------------------------------------------------------- */

/*
 * yajl keeps a token that spans calls in a buffer and lexes it again from its start on every call,
 * so a long token fed in pieces costs time quadratic in its length. Once the bytes since the last
 * token yajl reported pass HOLD_AFTER, input is held back and given to yajl in one piece when the
 * held bytes are at least as many as yajl already has of the token: the pieces double, and the
 * work is linear. A run of more than token_limit bytes without a token (a string, a number, blanks)
 * stops the value (ASFF_ERR_LIMIT): memory stays bounded by the limit.
 */
#define HOLD_AFTER 4096u

static uint64_t token_limit(const asff_parser *p)
{
    return (uint64_t)p->opt.max_string * 6u + 64u; /* a decoded byte takes at most 6 input bytes (\u00XX) */
}

/* The value ends with a final error set at the stream's end so far (between pieces): go on at the
 * next line (skip_invalid over NDJSON), or stop for good. */
static asff_status stop_between(asff_parser *p)
{
    if (!can_resync(p, p->line_mode) || (p->opt.envelope != ASFF_ENVELOPE_NDJSON && !p->line_mode && p->in_value &&
                                  p->e.line > p->value_line + 1))
        return p->st;
    p->st = ASFF_OK;
    if (resync(p, p->total) != ASFF_OK)
        return p->st;
    p->skip_line = true;
    return ASFF_OK;
}

static asff_status limit_between(asff_parser *p, const char *what, uint64_t limit)
{
    p->pdata = NULL;
    p->plen = 0;
    p->pbase = p->ybase = p->total;
    set_errorf(p, ASFF_ERR_LIMIT, p->total, "%s larger than %" PRIu64 " bytes", what, limit);
    p->st = ASFF_ERR_LIMIT;
    return stop_between(p);
}

static asff_status flush_hold(asff_parser *p)
{
    asff_status st;
    size_t n = p->hold.len;
    if (!n)
        return ASFF_OK;
    p->hold.len = 0; /* the bytes stay in place while yajl reads them */
    st = feed_piece(p, (const unsigned char *)p->hold.data, n);
    return st;
}

asff_status asff_parser_feed(asff_parser *p, const void *data, size_t len, asff_error *err)
{
    const unsigned char *d = data;
    if (!p || (!data && len))
        return asff_error_setf(err, ASFF_ERR_INVALID_ARG, "parser and data are required");
    if (p->dead)
        return give_error(p, err);
    if (p->finished)
        return asff_error_setf(err, ASFF_ERR_STATE, "feed after finish");
    while (len) {
        size_t n = len < PIECE ? len : PIECE;
        asff_status st = ASFF_OK;
        uint64_t gap;
        if (p->in_unit && p->total + p->hold.len - p->unit_start > p->opt.max_finding) {
            /* A finding that grew too big without a callback (a long string, blanks): let yajl see
             * what is held (it may end the finding), then stop reading the finding. */
            st = flush_hold(p);
            if (st == ASFF_OK && p->in_unit && p->total - p->unit_start > p->opt.max_finding)
                st = limit_between(p, "finding", p->opt.max_finding);
            if (st != ASFF_OK)
                goto dead;
        }
        gap = p->total + p->hold.len - p->last_ok;
        if (!p->skip_line && p->y && (p->hold.len || gap > HOLD_AFTER)) {
            uint64_t lim = token_limit(p);
            size_t take = n;
            if (gap + take > lim + 1)
                take = gap > lim ? 0 : (size_t)(lim + 1 - gap);
            if (take && asff_buf_append(&p->hold, d, take) != ASFF_OK) {
                set_errorf(p, ASFF_ERR_NOMEM, p->total, "out of memory");
                p->st = ASFF_ERR_NOMEM;
                goto dead;
            }
            d += take;
            len -= take;
            if (take < n || p->hold.len >= p->total - p->last_ok) {
                st = flush_hold(p);
                if (st == ASFF_OK && p->y && p->total - p->last_ok > lim)
                    st = limit_between(p, "a string, number or run of blanks", lim);
                if (st != ASFF_OK)
                    goto dead;
            }
            continue;
        }
        if (feed_piece(p, d, n) != ASFF_OK)
            goto dead;
        d += n;
        len -= n;
    }
    return ASFF_OK;
dead:
    p->dead = true;
    return give_error(p, err);
}

asff_status asff_parser_finish(asff_parser *p, asff_error *err)
{
    yajl_status ys;
    if (!p)
        return asff_error_setf(err, ASFF_ERR_INVALID_ARG, "parser is required");
    if (p->dead)
        return give_error(p, err);
    if (p->finished)
        return asff_error_setf(err, ASFF_ERR_STATE, "finish called twice");
    p->finished = true;
    if (flush_hold(p) != ASFF_OK) {
        p->dead = true;
        return give_error(p, err);
    }
    p->pdata = NULL;
    p->plen = 0;
    p->pbase = p->ybase = p->total;
    ys = yajl_complete_parse(p->y);
    if (p->ya.failed && p->st == ASFF_OK) {
        set_errorf(p, ASFF_ERR_NOMEM, p->total, "out of memory");
        p->st = ASFF_ERR_NOMEM;
    }
    if (p->st != ASFF_OK) {
        p->dead = true;
        return give_error(p, err);
    }
    if (ys == yajl_status_ok)
        return ASFF_OK;
    if (ys == yajl_status_error) {
        unsigned char *msg = yajl_get_error(p->y, 0, NULL, 0);
        bool eof = msg && strstr((const char *)msg, "premature EOF");
        if (msg)
            yajl_free_error(p->y, msg);
        if (eof && !p->nframes && !p->in_value)
            return ASFF_OK; /* empty input, or only blanks after the last value */
        yajl_failure(p, p->total, true);
        if (can_resync(p, false)) {
            p->st = ASFF_OK;
            if (resync(p, p->total) == ASFF_OK)
                return ASFF_OK;
        }
    }
    if (p->st == ASFF_OK)
        p->st = ASFF_ERR_INTERNAL;
    p->dead = true;
    return give_error(p, err);
}

void asff_parser_reset(asff_parser *p)
{
    if (!p)
        return;
    p->nframes = 0;
    p->jdepth = 0;
    reset_item_arena(p, true);
    reset_item_arena(p, false);
    memset(&p->doc, 0, sizeof p->doc);
    asff_buf_reset(&p->other);
    p->pdata = NULL;
    p->plen = 0;
    p->pbase = p->ybase = p->scan = p->total = 0;
    p->line = p->pline = 1;
    p->line_start = p->pline_start = 0;
    p->st = ASFF_OK;
    memset(&p->e, 0, sizeof p->e);
    p->finished = p->dead = p->skip_line = p->in_value = p->in_finding = p->in_unit = false;
    p->nl_pending = p->final_next = p->at_set = false;
    p->last_nb = 0;
    p->line_mode = p->opt.envelope == ASFF_ENVELOPE_NDJSON;
    asff_buf_reset(&p->hold);
    p->ucarry_len = 0;
    p->es = 0;
    p->values = p->count = p->skipped = p->items = 0;
    p->last_ok = 0;
    p->last_kind = 0;
    if (p->y)
        yajl_free(p->y);
    p->ya.failed = false;
    p->y = new_yajl(p);
    yajl_gen_reset(p->cap, NULL);
    yajl_gen_clear(p->cap);
    if (!p->y || p->ya.failed) {
        /* Out of memory: the parser stays unusable and says so at the next feed. */
        p->dead = true;
        p->e.code = ASFF_ERR_NOMEM;
        asff_copy_string(p->e.message, sizeof p->e.message, "out of memory");
    }
}

const asff_document *asff_parser_document(const asff_parser *p)
{
    return p ? &p->doc : NULL;
}

uint64_t asff_parser_count(const asff_parser *p)
{
    return p ? p->count : 0;
}

uint64_t asff_parser_skipped(const asff_parser *p)
{
    return p ? p->skipped : 0;
}

uint64_t asff_parser_offset(const asff_parser *p)
{
    return p ? p->total : 0;
}

void asff_parser_free(asff_parser *p)
{
    if (!p)
        return;
    if (p->y)
        yajl_free(p->y);
    if (p->cap)
        yajl_gen_free(p->cap);
    asff_arena_free(p->top_arena);
    asff_arena_free(p->item_arena);
    asff_buf_cleanup(&p->other);
    asff_buf_cleanup(&p->fpath);
    asff_buf_cleanup(&p->path);
    asff_buf_cleanup(&p->hold);
    asff_free(p->alloc, p->frames);
    asff_free(p->alloc, p->mcache);
    asff_free(p->alloc, p);
}

/* ---- whole buffers and files ------------------------------------------------------------- */

typedef struct collect {
    asff_finding_list *list;
    const asff_allocator *alloc;
    bool nomem;
} collect;

static int collect_finding(void *ctx, void *finding, const asff_finding_info *info)
{
    collect *c = ctx;
    asff_finding_list *l = c->list;
    (void)info;
    if (l->count == l->capacity) {
        size_t cap = l->capacity ? l->capacity * 2 : 16;
        asff_AwsSecurityFinding **items = asff_realloc(c->alloc, l->items, cap * sizeof *items);
        if (!items) {
            c->nomem = true;
            return 1;
        }
        l->items = items;
        l->capacity = cap;
    }
    l->items[l->count++] = finding;
    return 0;
}

static asff_status parse_into_list(const void *data, size_t len, FILE *file, const asff_parse_options *options,
                                   asff_finding_list **out, asff_error *err)
{
    asff_parse_options o = ASFF_PARSE_OPTIONS_INIT;
    collect c;
    asff_parser *p;
    asff_status st;
    asff_finding_list *l;
    if (!out || (!data && len && !file))
        return asff_error_setf(err, ASFF_ERR_INVALID_ARG, "out and data are required");
    *out = NULL;
    if (options)
        o = *options;
    o.keep = false;
    c.alloc = asff_alloc_or_default(o.allocator);
    c.nomem = false;
    l = asff_malloc(c.alloc, sizeof *l);
    if (!l)
        return asff_error_setf(err, ASFF_ERR_NOMEM, "out of memory");
    memset(l, 0, sizeof *l);
    c.list = l;
    l->arena = asff_arena_new(c.alloc);
    p = l->arena ? asff_parser_new(&o, collect_finding, NULL, &c) : NULL;
    if (!p) {
        asff_arena_free(l->arena);
        asff_free(c.alloc, l);
        return asff_error_setf(err, options && options->version != ASFF_PARSE_OPTIONS_VERSION ? ASFF_ERR_INVALID_ARG
                                                                                             : ASFF_ERR_NOMEM,
                               "cannot create a parser");
    }
    p->shared = l->arena;
    if (file) {
        static const size_t bufsize = 65536;
        char *buf = asff_malloc(c.alloc, bufsize);
        size_t n;
        st = buf ? ASFF_OK : asff_error_setf(err, ASFF_ERR_NOMEM, "out of memory");
        while (st == ASFF_OK && (n = fread(buf, 1, bufsize, file)) > 0)
            st = asff_parser_feed(p, buf, n, err);
        if (st == ASFF_OK && ferror(file))
            st = asff_error_setf(err, ASFF_ERR_IO, "read error: %s", strerror(errno));
        asff_free(c.alloc, buf);
    } else {
        st = asff_parser_feed(p, data, len, err);
    }
    if (st == ASFF_OK)
        st = asff_parser_finish(p, err);
    if (c.nomem)
        st = asff_error_setf(err, ASFF_ERR_NOMEM, "out of memory");
    p->shared = NULL;
    asff_parser_free(p);
    if (st != ASFF_OK) {
        asff_finding_list_free(l);
        return st;
    }
    *out = l;
    return ASFF_OK;
}

asff_status asff_parse_buffer(const void *data, size_t len, const asff_parse_options *options,
                              asff_finding_list **out, asff_error *err)
{
    return parse_into_list(data, len, NULL, options, out, err);
}

asff_status asff_parse_file(FILE *file, const asff_parse_options *options, asff_finding_list **out,
                            asff_error *err)
{
    if (!file)
        return asff_error_setf(err, ASFF_ERR_INVALID_ARG, "file is required");
    return parse_into_list(NULL, 0, file, options, out, err);
}

void asff_finding_list_free(asff_finding_list *list)
{
    const asff_allocator *alloc;
    if (!list)
        return;
    alloc = asff_arena_allocator(list->arena);
    asff_free(alloc, list->items);
    asff_arena_free(list->arena);
    asff_free(alloc, list);
}

typedef struct one {
    void *obj;
    uint64_t n;
} one;

static int take_one(void *ctx, void *finding, const asff_finding_info *info)
{
    one *o = ctx;
    (void)info;
    if (o->n++ == 0)
        o->obj = finding;
    else
        asff_object_free(finding);
    return 0;
}

asff_status asff_parse_object(const void *data, size_t len, unsigned type_id, const asff_parse_options *options,
                              void **out, asff_error *err)
{
    asff_parse_options o = ASFF_PARSE_OPTIONS_INIT;
    asff_parser *p;
    asff_status st;
    one r = {NULL, 0};
    if (!out || (!data && len))
        return asff_error_setf(err, ASFF_ERR_INVALID_ARG, "data and out are required");
    *out = NULL;
    if (options)
        o = *options;
    o.envelope = ASFF_ENVELOPE_FINDING;
    o.type_id = type_id;
    o.keep = true;
    o.skip_invalid = false;
    p = asff_parser_new(&o, take_one, NULL, &r);
    if (!p)
        return asff_error_setf(err, asff_type_get(type_id ? type_id : ASFF_TID_AwsSecurityFinding) ? ASFF_ERR_NOMEM
                                                                                                     : ASFF_ERR_INVALID_ARG,
                               "cannot create a parser");
    st = asff_parser_feed(p, data, len, err);
    if (st == ASFF_OK)
        st = asff_parser_finish(p, err);
    asff_parser_free(p);
    if (st == ASFF_OK && r.n != 1)
        st = asff_error_setf(err, r.n ? ASFF_ERR_SYNTAX : ASFF_ERR_TRUNCATED,
                             r.n ? "more than one JSON value" : "no JSON value");
    if (st != ASFF_OK) {
        asff_object_free(r.obj);
        return st;
    }
    *out = r.obj;
    return ASFF_OK;
}
