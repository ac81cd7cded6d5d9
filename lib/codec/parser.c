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
#include "codec_internal.h"
#include "core/text.h"

/* ---- positions (positions.c) --------------------------------------------------------------- */


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
    asff__buf_append(b, tmp + n, sizeof tmp - n);
}

/* JSON Pointer of the value being read, from the frames (upto frames). */
void asff__codec_build_path(asff_parser *p, asff_buf *b, size_t upto, bool with_last)
{
    size_t i;
    asff__buf_reset(b);
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
        case FK_DRY:
            return;
        default:
            if (f->key)
                asff__buf_pointer_token(b, f->key, f->key_len);
            break;
        }
    }
}

/* ---- errors ------------------------------------------------------------------------------ */

static void set_errorv(asff_parser *p, asff_status code, uint64_t offset, const char *fmt, va_list ap)
{
    memset(&p->e, 0, sizeof p->e);
    p->e.code = code;
    asff__text_vformat(p->e.message, sizeof p->e.message, fmt, ap); /* may quote input */
    asff__codec_build_path(p, &p->path, p->nframes, true);
    asff__copy_string(p->e.path, sizeof p->e.path, p->path.data ? p->path.data : "");
    p->e.offset = offset;
    asff__codec_line_col(p, offset, &p->e.line, &p->e.column);
}

void asff__codec_set_errorf(asff_parser *p, asff_status code, uint64_t offset, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_errorv(p, code, offset, fmt, ap);
    va_end(ap);
}

static void pop_frame(asff_parser *p);
static void reset_item_arena(asff_parser *p, bool top);


/*
 * A model error at the current position. With skip_invalid inside a finding, the finding is turned
 * into a skipped value (its frames are dropped and the rest of its bytes ignored) and parsing goes
 * on; otherwise the error is final. opening: the failing callback opens a container (yajl will close
 * it). Returns the value for the yajl callback.
 */
int asff__codec_fail(asff_parser *p, asff_status code, int opening, const char *fmt, ...)
{
    va_list ap;
    uint64_t at;
    bool final;
    if (p->fast) { /* simdjson is driving: the yajl path reads the value again and reports it */
        p->fast_failed = true;
        return 0;
    }
    at = p->at_set ? p->at : p->y && !p->between ? asff__codec_pos_now(p) : p->total;
    final = p->final_next;
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
    if (p->in_finding && asff__codec_skippable(code) && !final) {
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
    return asff__codec_fail(p, ASFF_ERR_NOMEM, 0, "out of memory");
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
        frame *nf = asff__realloc(p->alloc, p->frames, c * sizeof *nf);
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
        (void)asff_arena_new(p->alloc, a, NULL);
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
        tmp = asff__malloc(p->alloc, len + 1); /* numbers this long are rare; the result is exact either way */
        if (!tmp)
            return false;
    }
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    *out = asff__c_strtod(tmp, NULL);
    if (tmp != buf)
        asff__free(p->alloc, tmp);
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
                return asff__codec_fail(p, ASFF_ERR_RANGE, 0, "number %.*s is out of the range of a double",
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
    return asff__codec_fail(p, ASFF_ERR_TYPE, 0, "expected %s, got %s", kname(kind), jname(jt));
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
        return asff__codec_fail(p, ASFF_ERR_LIMIT, 0, "too many members in one object");
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
    return asff__codec_name_add(f, name, f->key_len) ? 1 : nomem(p);
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
    return asff__codec_name_add(f, f->key, f->key_len) ? 1 : nomem(p);
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
    uint64_t o = asff__codec_pos_now(p);
    uint64_t col;
    p->f_start = o ? o - 1 : 0;
    asff__codec_line_col(p, p->f_start, &p->f_line, &col);
    asff__codec_build_path(p, &p->fpath, frame_index, true);
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
    if (p->fast && p->dry_on) {
        asff__codec_dry_clear(obj);
        if (p->proj.want_whole && p->proj.want_whole(p->proj.ctx, obj)) {
            p->redo_whole = true; /* fast.c reads the same bytes again, building every member */
            p->fast_failed = true;
            return 0;
        }
    }
    fill_info(p, &info, asff__codec_pos_now(p));
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
        asff__copy_string(p->e.message, sizeof p->e.message, "the finding callback asked to stop");
        asff__copy_string(p->e.path, sizeof p->e.path, info.path);
        p->e.offset = info.offset;
        p->e.line = info.line;
        return 0;
    }
    return 1;
}

/* A bad item was skipped (skip_invalid): report it. err is its error; its length runs to end. */
int asff__codec_report_skipped(asff_parser *p, const asff_error *err, bool top_level, uint64_t end)
{
    asff_finding_info info;
    int rc = 0;
    fill_info(p, &info, end);
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
        asff__copy_string(p->e.message, sizeof p->e.message, "the error callback asked to stop");
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
    uint64_t o = asff__codec_pos_now(p);
    p->in_value = true;
    p->value_start = o ? o - 1 : 0;
    {
        uint64_t col;
        asff__codec_line_col(p, p->value_start, &p->value_line, &col);
    }
    doc_clear_fields(&p->doc);
    if (p->values > 0 || p->opt.envelope == ASFF_ENVELOPE_NDJSON)
        p->doc.envelope = ASFF_ENVELOPE_NDJSON;
    /* A top arena still held here belongs to no finding (an envelope, or a skipped value). */
    reset_item_arena(p, true);
}

void asff__codec_value_end(asff_parser *p)
{
    p->in_value = false;
    p->values++;
    p->doc.values = p->values;
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
    asff__buf_reset(&p->other);
    if (!((asff_object *)f->obj)->norder)
        return 1;
    st = asff__codec_object_json(f->obj, &p->other, &e);
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
            return asff__codec_fail(p, ASFF_ERR_ENVELOPE, 0, "the object has no %s",
                        p->opt.envelope == ASFF_ENVELOPE_EVENT ? "detail object" : "Findings array");
        }
        /* An object without Findings or detail is a finding. */
        doc_clear_fields(&p->doc);
        set_envelope(p, ASFF_ENVELOPE_FINDING);
        return deliver_finding(p, f->obj, true);
    }
    if (f->switched == 2 && auto_envelope(p) && (f->tflags & (TF_DTYPE | TF_SOURCE)) != (TF_DTYPE | TF_SOURCE))
        return asff__codec_fail(p, ASFF_ERR_ENVELOPE, 0,
                    "an object with a detail object but without %s is neither an EventBridge event nor a finding",
                    (f->tflags & TF_DTYPE) ? "source" : (f->tflags & TF_SOURCE) ? "detail-type" : "detail-type and source");
    return update_other(p, f);
}

/* ---- yajl callbacks ---------------------------------------------------------------------- */

/* yajl reading stand-in bytes (fast.c) calls only start_map, map_key, end_map and start_array. */
#define MUTED(ctx)                                                                                  \
    do {                                                                                            \
        if (((asff_parser *)(ctx))->mute)                                                           \
            return 1;                                                                               \
    } while (0)

/* Every callback notes where the last token yajl accepted ends (syntax error positions). */
#define P                                                                                           \
    asff_parser *p = ctx;                                                                           \
    uint64_t stop_ = asff__codec_stop_point(p);                                                     \
    p->last_ok = asff__codec_pos_now(p);                                                            \
    if (p->last_ok > stop_ && !p->fast)                                                             \
    return asff__codec_past_stop(p, stop_)

/* Where the token s[len] ends (P_TOKEN). */
static inline uint64_t token_end(asff_parser *p, const void *s, size_t len, int quote)
{
    uintptr_t rel = (uintptr_t)s - (uintptr_t)p->pdata;
    return rel < p->plen ? p->pbase + rel + len + (uint64_t)quote : asff__codec_pos_now(p);
}

/* The same for a string, key or number token, without asking yajl: when s points into the piece
 * (yajl copies a token only if it has escapes or spans pieces), the token ends after it (and its
 * closing quote, quote = 1). This runs for most tokens, so the saved call counts. */
/* A number is reported only once yajl has seen the byte after it: it must end before the stop. */
#define P_TOKEN(s, len, quote)                                                                      \
    asff_parser *p = ctx;                                                                           \
    uint64_t stop_ = asff__codec_stop_point(p);                                                     \
    do {                                                                                            \
        p->last_ok = token_end(p, s, len, quote);                                                   \
        ASFF_CHECK_POS(p);                                                                          \
    } while (0);                                                                                    \
    if (p->last_ok + !(quote) > stop_ && !p->fast)                                                  \
    return asff__codec_past_stop(p, stop_)

/* -DASFF_PARSER_CHECK_POS: check P_TOKEN against yajl's count (used when changing the above). */
#ifdef ASFF_PARSER_CHECK_POS
#include <stdio.h>
#define ASFF_CHECK_POS(p)                                                                           \
    do {                                                                                            \
        if ((p)->last_ok != asff__codec_pos_now(p)) {                                                           \
            fprintf(stderr, "P_TOKEN %llu != yajl %llu\n", (unsigned long long)(p)->last_ok,         \
                    (unsigned long long)asff__codec_pos_now(p));                                                \
            abort();                                                                                \
        }                                                                                           \
    } while (0)
#else
#define ASFF_CHECK_POS(p) ((void)0)
#endif

uint64_t asff__codec_stop_point(const asff_parser *p)
{
    if (p->in_unit)
        return p->unit_start + p->opt.max_finding + 1u;
    return p->last_ok + (uint64_t)p->opt.max_string * 6u + 64u + 1u; /* a decoded byte takes at most 6 input bytes (\u00XX) */
}

int asff__codec_past_stop(asff_parser *p, uint64_t v)
{
    bool unit = p->in_unit;
    p->at_set = true;
    p->at = v;
    p->final_next = true; /* the rest of the value is not read */
    p->stop_hit = true;
    p->stop_at = v;
    if (unit)
        return asff__codec_fail(p, ASFF_ERR_LIMIT, 0, "finding larger than %zu bytes", p->opt.max_finding);
    return asff__codec_fail(p, ASFF_ERR_LIMIT, 0, "a string, number or run of blanks larger than %zu bytes",
                            p->opt.max_string * 6u + 64u);
}

/* The unit being read (a finding, or one top-level member of an envelope) may not exceed max_finding. */
static int check_unit(asff_parser *p, int opening)
{
    if (p->in_unit && p->last_ok - p->unit_start > p->opt.max_finding) {
        p->final_next = true; /* stop reading the finding: what is left of it is not read */
        return asff__codec_fail(p, ASFF_ERR_LIMIT, opening, "finding larger than %zu bytes", p->opt.max_finding);
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
    asff__codec_set_errorf(p, ASFF_ERR_TYPE, asff__codec_pos_now(p), "expected a finding object, got %s", jname(jt));
    if (!p->opt.skip_invalid) {
        p->st = ASFF_ERR_TYPE;
        return 0;
    }
    p->ferr = p->e;
    if (!asff__codec_report_skipped(p, &p->ferr, false, asff__codec_pos_now(p)))
        return 0;
    f = top(p);
    f->index++;
    return 1;
}

/* Projection's dry frames (below, before cb_map_key). */
static int dry_unsure(asff_parser *p);
static bool dry_scalar_ok(asff_parser *p, int kind, int jt, const char *s, size_t len);
static int dry_scalar(asff_parser *p, frame *f, int jt, const char *s, size_t len);
static int dry_mark(asff_parser *p, frame *f);
static int dry_open(asff_parser *p, frame *f, int jt);
static int dry_open_kind(asff_parser *p, int kind, const asff_member *m, int jt, bool member);

static int scalar(asff_parser *p, int jt, const char *s, size_t len, int b)
{
    frame *f = top(p);
    const char *json;
    size_t jlen;
    void *v;
    if (!f) {
        value_begin(p);
        if (p->opt.skip_invalid && asff__codec_record_envelope(p)) {
            /* NDJSON: a line that is a scalar is a bad record; the next line goes on. */
            asff__codec_set_errorf(p, ASFF_ERR_ENVELOPE, asff__codec_pos_now(p), "the value is %s, not an object or array of findings",
                       jname(jt));
            p->f_start = p->value_start;
            p->f_line = p->value_line;
            asff__codec_build_path(p, &p->fpath, 0, true);
            p->ferr = p->e;
            if (!asff__codec_report_skipped(p, &p->ferr, true, asff__codec_pos_now(p)))
                return 0;
            asff__codec_value_end(p);
            return 1;
        }
        return asff__codec_fail(p, ASFF_ERR_ENVELOPE, 0, "the document is %s, not an object or array of findings", jname(jt));
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
    case FK_DRY:
        return dry_scalar(p, f, jt, s, len);
    case FK_OBJECT:
        if (f->special == SP_DOCSTR || f->special == SP_NEXTTOKEN) {
            if (jt == J_STR && !(*f->doc = asff_arena_strdup_fast(arena_of(f->obj), s, len)))
                return nomem(p);
        }
        if (f->dry && jt != J_NULL)
            return dry_scalar_ok(p, f->m->kind, jt, s, len) ? dry_mark(p, f) : dry_unsure(p);
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
            return asff__codec_fail(p, ASFF_ERR_LIMIT, 0, "more than %zu items in one array", p->opt.max_members);
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
        /* A finding that is not an object. (No max_members here: the findings of a container are
         * streamed one at a time, so their number costs no memory.) */
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
        return asff__codec_fail(p, ASFF_ERR_LIMIT, 0, "%s longer than %zu bytes", what, p->opt.max_string);
    /* yajl refuses raw control characters, so a NUL can only come from a \u0000 escape, and then
     * yajl hands over a decoded copy instead of a pointer into our input. */
    if (!p->fast && (uintptr_t)s - (uintptr_t)p->pdata >= p->plen && memchr(s, 0, len)) /* the fast path leaves U+0000 escapes to yajl */
        return asff__codec_fail(p, ASFF_ERR_UTF8, 0, "%s contains U+0000", what);
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
    if (f && f->kind == FK_OBJECT && f->typed && f->special == SP_NONE && f->m && f->m->kind == ASFF_KIND_STRING &&
        !f->dry) {
        char *v = asff_arena_strdup_fast(arena_of(f->obj), (const char *)s, len);
        if (!v)
            return done(p, nomem(p));
        set_slot(f->obj, f->m, v);
        return done(p, note(p, f, (uint32_t)(f->m - f->type->members)));
    }
    return done(p, scalar(p, J_STR, (const char *)s, len, 0));
}

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
    uint64_t a, b, h = asff__codec_name_words(s, len, &a, &b);
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

/* ---- projection: values read and checked, not built (FK_DRY; docs/codec.md, Projection) -------
 * Only on the fast path. A dry frame checks what the full build would refuse (types against the
 * model, duplicates, member and item counts, doubles out of range; strings, depth and size are
 * checked by the callbacks before they get here) and never reports: anything it cannot accept
 * makes the fast path give the finding to the yajl path, which builds it whole and reports the
 * error exactly as without projection. A dry member's value (not null) is checked by simd.cpp's
 * dry_slot instead (asff__codec_dry_take, asff__codec_dry_key), with these rules: a change here is
 * one there too (test_projection's test_dry_values and test_dry_keys, and fuzz/project.c, compare
 * both with the full build). */

static int dry_unsure(asff_parser *p)
{
    p->fast_failed = true;
    return 0;
}

/* Names of an unknown member or map key seen in dry frame f (its slice of p->dkeys). */
static bool dry_name_seen(const asff_parser *p, const frame *f, const char *s, size_t len)
{
    size_t i, end = (size_t)f->hcap + f->hcount;
    for (i = f->hcap; i < end; i++)
        if (p->dkeys[i].len == len && memcmp(p->dkeys[i].s, s, len) == 0)
            return true;
    return false;
}

/* The names point into simdjson's string buffer, which lives through the value's walk. */
static int dry_name_add(asff_parser *p, frame *f, const char *s, size_t len)
{
    if (f->hcount >= 64 || p->ndkeys != (size_t)f->hcap + f->hcount)
        return dry_unsure(p); /* many names: the full build's hash set decides */
    if (p->ndkeys == p->cdkeys) {
        size_t c = p->cdkeys ? p->cdkeys * 2 : 64;
        asff__dkey *k = asff__realloc(p->alloc, p->dkeys, c * sizeof *k);
        if (!k)
            return dry_unsure(p);
        p->dkeys = k;
        p->cdkeys = c;
    }
    p->dkeys[p->ndkeys].s = s;
    p->dkeys[p->ndkeys].len = len;
    p->ndkeys++;
    f->hcount++;
    return 1;
}

static int dry_push(asff_parser *p, int dk, const asff_type *t, const asff_member *m)
{
    frame *f = push(p, FK_DRY, 1);
    if (!f)
        return 0;
    f->special = (uint8_t)dk;
    f->type = t;
    f->m = m;
    f->depth = 1;
    f->hcap = (uint32_t)p->ndkeys;
    return 1;
}

/* A container for a slot of the given kind (member: a member's value; else a list item or map value). */
static int dry_open_kind(asff_parser *p, int kind, const asff_member *m, int jt, bool member)
{
    if (kind == ASFF_KIND_JSON)
        return dry_push(p, DK_ANY, NULL, NULL);
    if (kind == ASFF_KIND_OBJECT && jt == J_OBJ)
        return dry_push(p, DK_OBJ, m->type, NULL);
    if (member && kind == ASFF_KIND_LIST && jt == J_ARR)
        return dry_push(p, DK_LIST, NULL, m);
    if (member && kind == ASFF_KIND_MAP && jt == J_OBJ)
        return dry_push(p, DK_MAP, NULL, m);
    return dry_unsure(p);
}

static int dry_open(asff_parser *p, frame *f, int jt)
{
    switch (f->special) {
    case DK_ANY:
        f->depth++;
        return 1;
    case DK_OBJ:
        if (!f->m)
            return dry_push(p, DK_ANY, NULL, NULL);
        return dry_open_kind(p, f->m->kind, f->m, jt, true);
    case DK_LIST:
        if (++f->count > p->opt.max_members)
            return dry_unsure(p);
        return dry_open_kind(p, f->m->elem_kind, f->m, jt, false);
    default:
        return dry_open_kind(p, f->m->elem_kind, f->m, jt, false);
    }
}

static bool dry_scalar_ok(asff_parser *p, int kind, int jt, const char *s, size_t len)
{
    double d;
    switch (kind) {
    case ASFF_KIND_STRING:
        return jt == J_STR;
    case ASFF_KIND_INT:
        return jt == J_NUM;
    case ASFF_KIND_DOUBLE:
        if (jt != J_NUM)
            return false;
        if (len < 300 && !memchr(s, 'e', len) && !memchr(s, 'E', len))
            return true; /* fewer than 300 digits, no exponent: far below DBL_MAX */
        return number_value(p, s, len, &d) && isfinite(d);
    case ASFF_KIND_BOOL:
        return jt == J_BOOL;
    case ASFF_KIND_JSON:
        return true;
    default:
        return false;
    }
}

static int dry_scalar(asff_parser *p, frame *f, int jt, const char *s, size_t len)
{
    int kind;
    switch (f->special) {
    case DK_ANY:
        return 1;
    case DK_OBJ:
        if (!f->m)
            return 1;
        kind = f->m->kind;
        break;
    case DK_LIST:
        if (++f->count > p->opt.max_members)
            return dry_unsure(p);
        kind = f->m->elem_kind;
        break;
    default:
        kind = f->m->elem_kind;
        break;
    }
    return jt == J_NULL || dry_scalar_ok(p, kind, jt, s, len) ? 1 : dry_unsure(p);
}

static int dry_key(asff_parser *p, frame *f, const unsigned char *s, size_t len)
{
    const asff_member *m;
    if (f->special == DK_ANY)
        return 1;
    if (++f->count > p->opt.max_members || f->count > 60000) /* 60000: below the order array's 65535 */
        return dry_unsure(p);
    if (!check_unit(p, 0))
        return 0;
    if (f->special == DK_MAP)
        return dry_name_seen(p, f, (const char *)s, len) ? dry_unsure(p) : dry_name_add(p, f, (const char *)s, len);
    f->m = m = find_member(p, f->type, (const char *)s, len);
    if (m) {
        size_t i = (size_t)(m - f->type->members) & 127u;
        uint64_t bit = (uint64_t)1 << (i & 63);
        if (f->bloom[i >> 6] & bit)
            return dry_unsure(p); /* a duplicate, or two members that share a bit */
        f->bloom[i >> 6] |= bit;
        return 1;
    }
    return dry_name_seen(p, f, (const char *)s, len) ? dry_unsure(p) : dry_name_add(p, f, (const char *)s, len);
}

/* A finding's member outside the projection was read: it counts as present (duplicates) until the
 * finding is delivered (asff__codec_dry_clear). */
static int dry_mark(asff_parser *p, frame *f)
{
    set_slot(f->obj, f->m, (void *)(uintptr_t)asff__codec_dry_mark);
    return note(p, f, (uint32_t)(f->m - f->type->members));
}

/* A container (jt) of member m that the walker may check: below the depth limit (start() reports
 * it) and of a JSON type the member's kind takes (the rest is replayed and reported). */
static bool dry_container_ok(const asff_parser *p, const asff_member *m, int jt)
{
    int kind = m->kind;
    return p->jdepth < p->opt.max_depth &&
           (kind == ASFF_KIND_JSON || (kind == ASFF_KIND_OBJECT && jt == J_OBJ) || (kind == ASFF_KIND_LIST && jt == J_ARR) ||
            (kind == ASFF_KIND_MAP && jt == J_OBJ));
}

/* The walker checks the value of f's current member: mark it present; 1 (*m set), -1 out of memory. */
static int dry_taken(asff_parser *p, frame *f, const asff_member **m)
{
    if (!dry_mark(p, f))
        return -1;
    p->last_kind = 2;
    *m = f->m;
    return 1;
}

/* fast.c: the member whose key was just read holds a value (jt, not null) that projection leaves
 * unbuilt (a dry member): 1 and *m set when the walker may check the value itself instead of
 * replaying it (the member is then marked present, as dry_open_kind and dry_mark would); 0 to
 * replay it; -1 when out of memory. The cases that scalar(), start() and open_container treat
 * otherwise are replayed. */
int asff__codec_dry_take(asff_parser *p, int jt, const asff_member **m)
{
    frame *f = top(p);
    if (!f || f->kind != FK_OBJECT || !f->dry || !f->m || p->mute)
        return 0;
    if (jt != J_OBJ && jt != J_ARR) { /* a scalar: the walker's dry_scalar is scalar()'s dry branch */
        if (f->special != SP_NONE)
            return 0; /* an envelope's field */
    } else if ((f->role == ROLE_TOP && !f->switched && f->special != SP_NONE) || !dry_container_ok(p, f->m, jt)) {
        return 0; /* a container of an envelope, or one the events report */
    }
    return dry_taken(p, f, m);
}

/* fast.c: a finding's member outside the projection in one step, the most common name of all in a
 * projected read: what cb_map_key and then asff__codec_dry_take leave when the name s[len] is one of
 * the item type's members, not an envelope's, not seen before, and its value of JSON type jt (not
 * null) is one the walker may check itself. 1: done so (*m set); 0: not that case, nothing changed
 * (the two events then decide); -1: out of memory. A change to either of them is one here too
 * (test_projection and fuzz/project.c compare projected reads with whole ones). */
int asff__codec_dry_key(asff_parser *p, const unsigned char *s, size_t len, int jt, const asff_member **m)
{
    frame *f = top(p);
    const asff_member *mm;
    uint64_t end;
    if (!p->dry_on || !p->fast || p->mute || !f || f->kind != FK_OBJECT || !f->typed || !f->pset ||
        f->nextra || f->count >= p->opt.max_members || len > p->opt.max_string || len == 0 ||
        (f->role != ROLE_TOP && f->special != SP_NONE))
        return 0;
    /* An envelope's name at the top (cb_map_key's ROLE_TOP branch) starts with a lowercase letter,
     * or is one of these two; a finding's members start with a capital. */
    if (f->role == ROLE_TOP &&
        (f->switched || s[0] < 'A' || s[0] > 'Z' || key_is(s, len, "Findings", 8) || key_is(s, len, "NextToken", 9)))
        return 0;
    end = token_end(p, s, len, 1);
    if (p->in_unit && end - p->unit_start > p->opt.max_finding)
        return 0; /* check_unit reports it */
    mm = find_member(p, f->type, (const char *)s, len);
    if (!mm || *(void **)((char *)f->obj + mm->offset) || asff__codec_projected(f->pset, f->type, mm) ||
        ((jt == J_OBJ || jt == J_ARR) && !dry_container_ok(p, mm, jt)))
        return 0;
    p->last_ok = end;
    f->count++;
    if (f->role == ROLE_TOP) {
        f->special = SP_NONE;
        f->doc = NULL;
        f->tflags |= TF_NONEVENT | TF_MEMBER;
    }
    f->m = mm;
    f->key = mm->name;
    f->key_len = mm->name_len;
    f->dry = 1;
    return dry_taken(p, f, m);
}

const asff_member *asff__codec_find_member(asff_parser *p, const asff_type *t, const char *s, size_t len)
{
    return find_member(p, t, s, len);
}

static int cb_map_key(void *ctx, const unsigned char *s, size_t len)
{
    MUTED(ctx);
    P_TOKEN(s, len, 1);
    p->last_kind = 1;
    frame *f = top(p);
    const asff__codec_key *ek;
    if (!f || f->kind == FK_SKIP)
        return 1;
    if (!check_string(p, s, len, "member name"))
        return done(p, 0);
    if (f->kind == FK_CAPTURE)
        return done(p, yajl_gen_string(p->cap, s, len) == yajl_gen_status_ok && !p->ya.failed ? 1 : nomem(p));
    if (f->kind == FK_DRY)
        return done(p, dry_key(p, f, s, len));
    f->key = (const char *)s; /* until the branches below store it: error paths name the new key */
    f->key_len = len;
    if (++f->count > p->opt.max_members)
        return done(p, asff__codec_fail(p, ASFF_ERR_LIMIT, 0, "more than %zu members in one object", p->opt.max_members));
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
                return done(p, asff__codec_fail(p, ASFF_ERR_DUPLICATE, 0, "member findings appears twice in the event's detail"));
            f->tflags |= TF_FINDINGS;
        }
        if ((ek = asff__codec_envelope_key(s, len, true)) != NULL) {
            f->special = (uint8_t)ek->special;
            f->doc = (const char **)((char *)&p->doc + ek->field);
            f->key = ek->name;
            f->key_len = ek->len;
        }
        return 1;
    }
    if (f->kind == FK_MAP) {
        char *k;
        f->key = (const char *)s; /* for the error path only: yajl's buffer lives during the callback */
        f->key_len = len;
        if (asff__codec_name_seen(f, (const char *)s, len))
            return done(p, asff__codec_fail(p, ASFF_ERR_DUPLICATE, 0, "key \"%.*s\" appears twice", (int)(len > 64 ? 64 : len), s));
        if (!(k = asff_arena_strdup_fast(arena_of(f->obj), (const char *)s, len)))
            return done(p, nomem(p));
        f->key = k;
        f->key_len = len;
        return 1;
    }
    /* FK_OBJECT */
    f->dry = 0;
    if (f->role == ROLE_TOP) {
        asff_envelope env = p->opt.envelope;
        bool event_member = key_is(s, len, "version", 7);
        f->special = SP_NONE;
        f->doc = NULL;
        if (key_is(s, len, "Findings", 8) && env != ASFF_ENVELOPE_EVENT)
            f->special = SP_FINDINGS;
        else if (key_is(s, len, "detail", 6) && env != ASFF_ENVELOPE_FINDINGS)
            f->special = SP_DETAIL;
        else if ((ek = asff__codec_envelope_key(s, len, false)) != NULL) {
            f->special = (uint8_t)ek->special;
            f->doc = (const char **)((char *)&p->doc + ek->field);
            event_member = ek->special != SP_NEXTTOKEN;
        }
        if (key_is(s, len, "detail-type", 11))
            f->tflags |= TF_DTYPE;
        else if (key_is(s, len, "source", 6))
            f->tflags |= TF_SOURCE;
        if (f->switched) {
            if ((f->switched == 1 && f->special == SP_FINDINGS) || (f->switched == 2 && f->special == SP_DETAIL))
                return done(p, asff__codec_fail(p, ASFF_ERR_DUPLICATE, 0, "member %.*s appears twice", (int)len, s));
            if (f->special == SP_FINDINGS || f->special == SP_DETAIL)
                return done(p, asff__codec_fail(p, ASFF_ERR_ENVELOPE, 0,
                                    "the object holds two finding containers (an event's detail and a Findings array)"));
            if (auto_envelope(p) && find_member(p, p->holder_type, (const char *)s, len))
                return done(p, asff__codec_fail(p, ASFF_ERR_ENVELOPE, 0,
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
        if (*(void **)((char *)f->obj + f->m->offset) || (f->nextra && asff__codec_name_seen(f, (const char *)s, len)))
            return done(p, asff__codec_fail(p, ASFF_ERR_DUPLICATE, 0, "member %s appears twice", f->m->name));
        f->dry = p->dry_on && p->fast && f->pset && !asff__codec_projected(f->pset, f->type, f->m);
        return 1;
    }
    f->key = (const char *)s; /* for the error path only, as above */
    f->key_len = len;
    if (f->nextra && asff__codec_name_seen(f, (const char *)s, len))
        return done(p, asff__codec_fail(p, ASFF_ERR_DUPLICATE, 0, "member \"%.*s\" appears twice", (int)(len > 64 ? 64 : len), s));
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
    f->pset = p->dry_on && p->fast ? p->proj.members : NULL;
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

/* The members to build in the value of f's current member (an object, or a list's objects): its
 * nested entry when f is a projected finding (asff_projection.nested), else NULL (all of them). */
static const uint64_t *nested_set(const asff_parser *p, const frame *f)
{
    uint32_t key;
    size_t k;
    if (f->pset != p->proj.members)
        return NULL;
    key = (uint32_t)(f->m - f->type->members) + 1;
    for (k = 0; k < ASFF_PROJECTION_NESTED; k++)
        if (p->proj.nested[k].member == key)
            return p->proj.nested[k].members;
    return NULL;
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
                return asff__codec_fail(p, ASFF_ERR_ENVELOPE, 1, "expected an object, got an array");
            set_envelope(p, ASFF_ENVELOPE_ARRAY);
            return push(p, FK_ARRAY, 1) != NULL;
        }
        if (env == ASFF_ENVELOPE_ARRAY)
            return asff__codec_fail(p, ASFF_ERR_ENVELOPE, 1, "expected an array of findings, got an object");
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
    case FK_DRY:
        return dry_open(p, f, jt);
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
        if (f->dry) {
            size_t fi = p->nframes - 1;
            if (!dry_open_kind(p, f->m->kind, f->m, jt, true))
                return 0;
            return dry_mark(p, &p->frames[fi]);
        }
        if (!f->m || !f->typed || f->m->kind == ASFF_KIND_JSON)
            return begin_capture(p, jt);
        if (f->m->kind == ASFF_KIND_OBJECT && jt == J_OBJ) {
            size_t fi = p->nframes - 1;
            const uint64_t *ns = nested_set(p, f);
            frame *c = begin_object(p, arena_of(f->obj), f->m->type, &o);
            if (!c)
                return 0;
            c->pset = ns;
            f = &p->frames[fi]; /* push may have moved the frames */
            set_slot(f->obj, f->m, o);
            return note(p, f, (uint32_t)(f->m - f->type->members));
        }
        if ((f->m->kind == ASFF_KIND_LIST && jt == J_ARR) || (f->m->kind == ASFF_KIND_MAP && jt == J_OBJ)) {
            frame *c;
            void *owner = f->obj;
            const asff_member *m = f->m;
            const uint64_t *ns = m->kind == ASFF_KIND_LIST ? nested_set(p, f) : NULL;
            if (!note(p, f, (uint32_t)(m - f->type->members)) || !init_container(p, owner, m))
                return 0;
            c = push(p, m->kind == ASFF_KIND_LIST ? FK_LIST : FK_MAP, 1);
            if (!c)
                return 0;
            c->pset = ns;
            c->obj = owner;
            c->m = m;
            c->slot = (char *)owner + m->offset;
            return 1;
        }
        return asff__codec_fail(p, ASFF_ERR_TYPE, 1, "expected %s, got %s", kname(f->m->kind), jname(jt));
    case FK_LIST:
        if (f->index >= p->opt.max_members)
            return asff__codec_fail(p, ASFF_ERR_LIMIT, 1, "more than %zu items in one array", p->opt.max_members);
        if (f->m->elem_kind == ASFF_KIND_JSON)
            return begin_capture(p, jt);
        if (f->m->elem_kind == ASFF_KIND_OBJECT && jt == J_OBJ) {
            void *owner = f->obj, *slot = f->slot;
            const uint64_t *ns = f->pset;
            frame *c = begin_object(p, arena_of(owner), f->m->type, &o);
            if (!c)
                return 0;
            c->pset = ns;
            return list_push(p, owner, slot, o);
        }
        return asff__codec_fail(p, ASFF_ERR_TYPE, 1, "expected %s, got %s", kname(f->m->elem_kind), jname(jt));
    case FK_MAP:
        if (f->m->elem_kind == ASFF_KIND_JSON)
            return begin_capture(p, jt);
        if (f->m->elem_kind == ASFF_KIND_OBJECT && jt == J_OBJ) {
            frame *mf = f;
            if (!begin_object(p, arena_of(mf->obj), mf->m->type, &o))
                return 0;
            return map_push(p, &p->frames[p->nframes - 2], o);
        }
        return asff__codec_fail(p, ASFF_ERR_TYPE, 1, "expected %s, got %s", kname(f->m->elem_kind), jname(jt));
    case FK_ARRAY: /* the container of findings: not counted against max_members (streamed) */
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
            return asff__codec_fail(p, ASFF_ERR_TYPE, 1, "expected a finding object, got an array");
        }
    case FK_DETAIL:
        if (f->special == SP_FINDINGS) {
            if (jt != J_ARR)
                return asff__codec_fail(p, ASFF_ERR_TYPE, 1, "expected an array of findings, got an object");
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
    if (p->jdepth <= 64) {
        uint64_t bit = (uint64_t)1 << (p->jdepth - 1);
        p->objbits = jt == J_OBJ ? p->objbits | bit : p->objbits & ~bit;
    }
    /* The depth limit holds in skipped values too (yajl's own stack grows with the depth). */
    if (p->jdepth > p->opt.max_depth) {
        p->final_next = true;
        return done(p, asff__codec_fail(p, ASFF_ERR_LIMIT, 1, "nesting deeper than %zu", p->opt.max_depth));
    }
    if (f && f->kind == FK_SKIP) {
        f->depth++;
        return 1;
    }
    if (!check_unit(p, 1))
        return done(p, 0);
    return done(p, open_container(p, jt));
}

/* Stop yajl where the fast path may take over (fast.c): between findings. */
static int fast_stop(asff_parser *p, int rc)
{
    if (rc && asff__codec_fast_point(p)) {
        p->fast_stop = true;
        return 0;
    }
    return rc;
}

static int cb_start_map(void *ctx)
{
    MUTED(ctx);
    P;
    return start(p, J_OBJ);
}

static int cb_start_array(void *ctx)
{
    MUTED(ctx);
    P;
    return fast_stop(p, start(p, J_ARR));
}

/* The value of the frame below the one just popped is complete. */
static int after_pop(asff_parser *p)
{
    if (!p->nframes) {
        if (!p->line_mode) {
            /* A value that began and ended on one line: the stream's lines are records. */
            uint64_t l, c;
            asff__codec_line_col(p, p->last_ok ? p->last_ok - 1 : 0, &l, &c);
            p->line_mode = l == p->value_line;
        }
        asff__codec_value_end(p);
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
        if (!asff__codec_report_skipped(p, &p->ferr, top_level, asff__codec_pos_now(p)))
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
    if (f->kind == FK_DRY) {
        if (f->special == DK_ANY && --f->depth > 0)
            return 1;
        p->ndkeys = f->hcap;
        pop_frame(p);
        return 1;
    }
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
        if (f->pset) /* a nested entry's object: the marks of its unbuilt members go */
            asff__codec_dry_clear(f->obj);
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
    MUTED(ctx);
    P;
    p->last_kind = 2;
    p->jdepth--;
    return fast_stop(p, done(p, end_any(p, J_OBJ)));
}

static int cb_end_array(void *ctx)
{
    P;
    p->last_kind = 2;
    p->jdepth--;
    return fast_stop(p, done(p, end_any(p, J_ARR)));
}

const yajl_callbacks asff__codec_callbacks = {cb_null,      cb_boolean, NULL,       NULL,           cb_number, cb_string,
                                         cb_start_map, cb_map_key, cb_end_map, cb_start_array, cb_end_array};

/* ---- the handle -------------------------------------------------------------------------- */

yajl_handle asff__codec_new_yajl(asff_parser *p)
{
    yajl_handle y = yajl_alloc(&asff__codec_callbacks, &p->ya.funcs, p);
    /* Several top-level values: NDJSON and concatenated JSON. UTF-8 validation stays on. */
    if (y)
        yajl_config(y, yajl_allow_multiple_values, 1);
    return y;
}

static asff_parser *parser_create(const asff_parse_options *options, asff_finding_fn on_finding,
                                  asff_parse_error_fn on_error, void *ctx)
{
    asff_parse_options def = ASFF_PARSE_OPTIONS_INIT;
    const asff_allocator *alloc;
    asff_parser *p;
    const asff_type *t;
    if (!options)
        options = &def;
    if (options->version > ASFF_PARSE_OPTIONS_VERSION || (unsigned)options->envelope > ASFF_ENVELOPE_NDJSON)
        return NULL;
    t = asff_type_get(options->type_id ? options->type_id : ASFF_TID_AwsSecurityFinding);
    if (!t)
        return NULL;
    alloc = asff__alloc_or_default(options->allocator);
    p = asff__malloc(alloc, sizeof *p);
    if (!p)
        return NULL;
    memset(p, 0, sizeof *p);
    p->opt = def;
    (void)asff__codec_options_copy(&p->opt, options);
    if (p->opt.projection) {
        /* ASFF_PROJECTION=off builds every member (tests compare the two) */
        const char *env = getenv("ASFF_PROJECTION");
        if (options->version == 2) /* before nested entries */
            memcpy(&p->proj, p->opt.projection, offsetof(asff_projection, nested));
        else
            p->proj = *p->opt.projection;
        p->opt.projection = NULL;
        p->projecting = !(env && strcmp(env, "off") == 0);
    }
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
    asff__yalloc_init(&p->ya, alloc);
    asff__buf_init(&p->other, alloc);
    asff__buf_init(&p->fpath, alloc);
    asff__buf_init(&p->path, alloc);
    asff__buf_init(&p->hold, alloc);
    asff__buf_init(&p->carry, alloc);
    p->line_mode = p->opt.envelope == ASFF_ENVELOPE_NDJSON;
    p->mcache = asff__malloc(alloc, MCACHE_SIZE * sizeof *p->mcache);
    if (p->mcache)
        memset(p->mcache, 0, MCACHE_SIZE * sizeof *p->mcache);
    p->y = asff__codec_new_yajl(p);
    p->cap = yajl_gen_alloc(&p->ya.funcs);
    if (!p->mcache || !p->y || !p->cap || p->ya.failed || !asff__codec_fast_init(p)) {
        asff_parser_free(p);
        return NULL;
    }
    return p;
}

asff_status asff_parser_new(const asff_parse_options *options, asff_finding_fn on_finding,
                            asff_parse_error_fn on_error, void *ctx, asff_parser **out, asff_error *err)
{
    if (!out)
        return asff_error_set(err, ASFF_ERR_INVALID_ARG, "asff_parser_new: out is NULL");
    *out = NULL;
    if (options && options->version > ASFF_PARSE_OPTIONS_VERSION)
        return asff__error_setf(err, ASFF_ERR_INVALID_ARG, "asff_parse_options version %u is unknown",
                                options->version);
    if (options && (unsigned)options->envelope > ASFF_ENVELOPE_NDJSON)
        return asff_error_set(err, ASFF_ERR_INVALID_ARG, "asff_parse_options: unknown envelope");
    if (options && options->type_id && !asff_type_get(options->type_id))
        return asff_error_set(err, ASFF_ERR_INVALID_ARG, "asff_parse_options: unknown type_id");
    *out = parser_create(options, on_finding, on_error, ctx);
    return *out ? ASFF_OK : asff_error_set(err, ASFF_ERR_NOMEM, NULL);
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
    asff__buf_reset(&p->other);
    p->pdata = NULL;
    p->plen = 0;
    p->pbase = p->ybase = p->scan = p->total = 0;
    p->line = p->pline = 1;
    p->line_start = p->pline_start = p->prev_line_start = 0;
    p->st = ASFF_OK;
    memset(&p->e, 0, sizeof p->e);
    p->finished = p->dead = p->skip_line = p->in_value = p->in_finding = p->in_unit = false;
    p->nl_pending = p->final_next = p->at_set = false;
    p->last_nb = 0;
    p->line_mode = p->opt.envelope == ASFF_ENVELOPE_NDJSON;
    asff__buf_reset(&p->hold);
    asff__buf_reset(&p->carry);
    p->after_nl = false;
    p->ucarry_len = 0;
    p->es = 0;
    p->values = p->count = p->skipped = p->items = 0;
    p->last_ok = 0;
    p->stop_hit = false;
    p->last_kind = 0;
    p->fast_ready = p->fast_on;
    p->fast_stop = p->fast = p->fast_failed = p->mute = false;
    if (p->y)
        yajl_free(p->y);
    p->ya.failed = false;
    p->y = asff__codec_new_yajl(p);
    yajl_gen_reset(p->cap, NULL);
    yajl_gen_clear(p->cap);
    if (!p->y || p->ya.failed) {
        /* Out of memory: the parser stays unusable and says so at the next feed. */
        p->dead = true;
        p->e.code = ASFF_ERR_NOMEM;
        asff__copy_string(p->e.message, sizeof p->e.message, "out of memory");
    }
}

void asff__codec_continue_lines(asff_parser *p)
{
    p->values = 1;
    p->doc.values = 1;
    p->line_mode = true;
}

bool asff__codec_at_rest(const asff_parser *p, bool lines)
{
    return  p->st == ASFF_OK && !p->dead && !p->nframes && !p->in_value && !p->hold.len && !p->carry.len && !p->ucarry_len && !p->es &&
           !p->nl_pending && !p->skip_line && (!lines || p->line_mode);
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
    return p ? p->total + p->carry.len : 0; /* (the kept bytes were fed: feed.c, tail_len) */
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
    asff__buf_cleanup(&p->other);
    asff__buf_cleanup(&p->fpath);
    asff__buf_cleanup(&p->path);
    asff__buf_cleanup(&p->hold);
    asff__buf_cleanup(&p->carry);
    asff__codec_fast_free(p);
    asff__free(p->alloc, p->frames);
    asff__free(p->alloc, p->dkeys);
    asff__free(p->alloc, p->mcache);
    asff__free(p->alloc, p);
}

