/* The writer: model objects to JSON on yajl_gen, in the member order of asff_iter_next. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_parse.h>
#include "codec_internal.h"

enum { SINK_BUFFER, SINK_FILE, SINK_CALLBACK };

struct asff_writer {
    asff_write_options opt;
    const asff_allocator *alloc;
    asff_yalloc ya;
    yajl_gen g;
    int sink;
    FILE *file;
    asff_write_fn fn;
    void *ctx;
    asff_buf out;          /* SINK_BUFFER: everything written */
    uint64_t count;
    bool opened, finished, broken;
};

size_t asff_codec_format_double(double v, char *buf)
{
    int prec, n = 0;
    if (!isfinite(v))
        return 0;
    for (prec = 15; prec <= 17; prec++) {
        n = snprintf(buf, 32, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    return n > 0 ? (size_t)n : 0;
}

static asff_status gen_status(yajl_gen_status s, asff_error *err)
{
    switch (s) {
    case yajl_gen_status_ok:
        return ASFF_OK;
    case yajl_max_depth_exceeded:
        return asff_error_setf(err, ASFF_ERR_LIMIT, "object nesting deeper than the writer allows");
    case yajl_gen_invalid_string:
        return asff_error_setf(err, ASFF_ERR_UTF8, "string is not valid UTF-8");
    case yajl_gen_invalid_number:
        return asff_error_setf(err, ASFF_ERR_RANGE, "number cannot be written as JSON");
    default:
        return asff_error_setf(err, ASFF_ERR_INTERNAL, "JSON generator error %d", (int)s);
    }
}

#define GEN(call)                                                                                   \
    do {                                                                                            \
        yajl_gen_status gs_ = (call);                                                               \
        if (gs_ != yajl_gen_status_ok)                                                              \
            return gen_status(gs_, err);                                                            \
    } while (0)

/* ---- raw JSON (extras and document members) ------------------------------------------------ */

/* Pretty output re-indents a raw value by replaying it through yajl into the generator. */
typedef struct replay {
    yajl_gen g;
} replay;

static int r_null(void *c)
{
    return yajl_gen_null(((replay *)c)->g) == yajl_gen_status_ok;
}
static int r_bool(void *c, int b)
{
    return yajl_gen_bool(((replay *)c)->g, b) == yajl_gen_status_ok;
}
static int r_number(void *c, const char *s, size_t l)
{
    return yajl_gen_number(((replay *)c)->g, s, l) == yajl_gen_status_ok;
}
static int r_string(void *c, const unsigned char *s, size_t l)
{
    return yajl_gen_string(((replay *)c)->g, s, l) == yajl_gen_status_ok;
}
static int r_map_open(void *c)
{
    return yajl_gen_map_open(((replay *)c)->g) == yajl_gen_status_ok;
}
static int r_map_close(void *c)
{
    return yajl_gen_map_close(((replay *)c)->g) == yajl_gen_status_ok;
}
static int r_array_open(void *c)
{
    return yajl_gen_array_open(((replay *)c)->g) == yajl_gen_status_ok;
}
static int r_array_close(void *c)
{
    return yajl_gen_array_close(((replay *)c)->g) == yajl_gen_status_ok;
}

static const yajl_callbacks replay_callbacks = {r_null, r_bool, NULL, NULL, r_number, r_string, r_map_open,
                                                r_string, r_map_close, r_array_open, r_array_close};

static asff_status gen_raw(yajl_gen g, bool pretty, asff_yalloc *ya, const char *json, asff_error *err)
{
    size_t len = strlen(json);
    replay r;
    yajl_handle h;
    yajl_status s;
    if (!pretty) {
        /* yajl_gen_number writes its text verbatim with the separators a value needs: exactly what
         * a compact raw value wants. */
        GEN(yajl_gen_number(g, json, len));
        return ASFF_OK;
    }
    r.g = g;
    h = yajl_alloc(&replay_callbacks, &ya->funcs, &r);
    if (!h)
        return asff_error_setf(err, ASFF_ERR_NOMEM, "out of memory");
    s = yajl_parse(h, (const unsigned char *)json, len);
    if (s == yajl_status_ok)
        s = yajl_complete_parse(h);
    yajl_free(h);
    if (s != yajl_status_ok)
        return asff_error_setf(err, ASFF_ERR_SYNTAX, "a kept JSON value is not valid JSON");
    return ASFF_OK;
}

/* ---- objects ----------------------------------------------------------------------------- */

typedef struct genctx {
    yajl_gen g;
    bool pretty;
    asff_yalloc *ya;
} genctx;

static asff_status gen_object(genctx *c, const void *obj, asff_error *err);

static void *slot_ptr(const void *slot)
{
    void *p;
    memcpy(&p, slot, sizeof p);
    return p;
}

static asff_status gen_value(genctx *c, asff_kind kind, const void *v, asff_error *err)
{
    char num[32];
    size_t n;
    if (!v) {
        GEN(yajl_gen_null(c->g));
        return ASFF_OK;
    }
    switch (kind) {
    case ASFF_KIND_STRING:
        GEN(yajl_gen_string(c->g, v, strlen(v)));
        return ASFF_OK;
    case ASFF_KIND_INT: {
        const asff_int *i = v;
        if (i->text) {
            GEN(yajl_gen_number(c->g, i->text, strlen(i->text)));
        } else {
            n = (size_t)snprintf(num, sizeof num, "%" PRId64, i->value);
            GEN(yajl_gen_number(c->g, num, n));
        }
        return ASFF_OK;
    }
    case ASFF_KIND_DOUBLE:
        n = asff_codec_format_double(*(const double *)v, num);
        if (!n)
            return asff_error_setf(err, ASFF_ERR_RANGE, "%g cannot be written as JSON", *(const double *)v);
        GEN(yajl_gen_number(c->g, num, n));
        return ASFF_OK;
    case ASFF_KIND_BOOL:
        GEN(yajl_gen_bool(c->g, *(const bool *)v));
        return ASFF_OK;
    case ASFF_KIND_OBJECT:
        return gen_object(c, v, err);
    case ASFF_KIND_JSON:
        return gen_raw(c->g, c->pretty, c->ya, v, err);
    default:
        return asff_error_setf(err, ASFF_ERR_INTERNAL, "member kind %d cannot be written", (int)kind);
    }
}

static asff_status gen_member(genctx *c, const asff_field *f, asff_error *err)
{
    const asff_member *m = f->member;
    asff_status st;
    size_t i;
    if (!m) {
        GEN(yajl_gen_string(c->g, (const unsigned char *)f->extra->name, strlen(f->extra->name)));
        return gen_raw(c->g, c->pretty, c->ya, f->extra->json, err);
    }
    GEN(yajl_gen_string(c->g, (const unsigned char *)m->name, m->name_len));
    if (m->kind == ASFF_KIND_LIST) {
        asff_list l;
        memcpy(&l, f->slot, sizeof l);
        GEN(yajl_gen_array_open(c->g));
        for (i = 0; i < l.count; i++)
            if ((st = gen_value(c, (asff_kind)m->elem_kind, l.items[i], err)) != ASFF_OK)
                return st;
        GEN(yajl_gen_array_close(c->g));
        return ASFF_OK;
    }
    if (m->kind == ASFF_KIND_MAP) {
        asff_map mp;
        memcpy(&mp, f->slot, sizeof mp);
        GEN(yajl_gen_map_open(c->g));
        for (i = 0; i < mp.count; i++) {
            GEN(yajl_gen_string(c->g, (const unsigned char *)mp.keys[i], strlen(mp.keys[i])));
            if ((st = gen_value(c, (asff_kind)m->elem_kind, mp.values[i], err)) != ASFF_OK)
                return st;
        }
        GEN(yajl_gen_map_close(c->g));
        return ASFF_OK;
    }
    return gen_value(c, (asff_kind)m->kind, slot_ptr(f->slot), err);
}

/*
 * The members of one object in the order of asff_iter_next (input order, then typed members not in
 * the input in model order, then unknown members of objects built by code), but with a cursor over
 * the unknown members: asff_iter_next looks each one up from the head of the list, which is
 * quadratic for an object with many unknown members.
 */
static asff_status gen_object(genctx *c, const void *obj, asff_error *err)
{
    const asff_object *o = obj;
    const asff_type *t = o->type;
    uint64_t seen[8] = {0};
    const asff_extra *cur = o->extra;
    uint32_t curno = 0, i;
    asff_field f;
    asff_status st;
    GEN(yajl_gen_map_open(c->g));
    for (i = 0; i < o->norder; i++) {
        uint32_t idx = o->order[i];
        if (idx < t->nmembers) {
            if ((seen[idx / 64] >> (idx % 64)) & 1u)
                continue;
            seen[idx / 64] |= (uint64_t)1 << (idx % 64);
            f.member = &t->members[idx];
            if (!asff_member_present(obj, f.member))
                continue;
            f.extra = NULL;
            f.slot = asff_member_slot(obj, f.member);
        } else {
            uint32_t n = idx - t->nmembers;
            if (n < curno) {
                cur = o->extra;
                curno = 0;
            }
            while (cur && curno < n) {
                cur = cur->next;
                curno++;
            }
            if (!cur || !cur->json)
                continue;
            f.member = NULL;
            f.extra = cur;
            f.slot = NULL;
        }
        if ((st = gen_member(c, &f, err)) != ASFF_OK)
            return st;
    }
    for (i = 0; i < t->nmembers; i++) {
        if ((seen[i / 64] >> (i % 64)) & 1u)
            continue;
        f.member = &t->members[i];
        if (!asff_member_present(obj, f.member))
            continue;
        f.extra = NULL;
        f.slot = asff_member_slot(obj, f.member);
        if ((st = gen_member(c, &f, err)) != ASFF_OK)
            return st;
    }
    if (o->norder == 0) {
        for (cur = o->extra; cur; cur = cur->next) {
            if (!cur->json)
                continue;
            f.member = NULL;
            f.extra = cur;
            f.slot = NULL;
            if ((st = gen_member(c, &f, err)) != ASFF_OK)
                return st;
        }
    }
    GEN(yajl_gen_map_close(c->g));
    return ASFF_OK;
}

/* ---- the writer handle ------------------------------------------------------------------- */

static asff_writer *writer_new(int sink, const asff_write_options *options)
{
    asff_write_options def = ASFF_WRITE_OPTIONS_INIT;
    const asff_allocator *alloc;
    asff_writer *w;
    if (!options)
        options = &def;
    if (options->version != ASFF_WRITE_OPTIONS_VERSION || (unsigned)options->format > ASFF_FORMAT_VALUE)
        return NULL;
    alloc = asff_alloc_or_default(options->allocator);
    w = asff_malloc(alloc, sizeof *w);
    if (!w)
        return NULL;
    memset(w, 0, sizeof *w);
    w->opt = *options;
    w->alloc = alloc;
    w->sink = sink;
    asff_yalloc_init(&w->ya, alloc);
    asff_buf_init(&w->out, alloc);
    w->g = yajl_gen_alloc(&w->ya.funcs);
    if (!w->g || w->ya.failed) {
        if (w->g)
            yajl_gen_free(w->g);
        asff_free(alloc, w);
        return NULL;
    }
    /* NDJSON is one finding per line, so it is never indented. */
    if (w->opt.pretty && w->opt.format != ASFF_FORMAT_NDJSON) {
        yajl_gen_config(w->g, yajl_gen_beautify, 1);
        yajl_gen_config(w->g, yajl_gen_indent_string, w->opt.indent ? w->opt.indent : "  ");
    } else {
        w->opt.pretty = false;
    }
    if (sink == SINK_BUFFER) {
        if (asff_buf_reserve(&w->out, 0) != ASFF_OK) {
            asff_writer_free(w);
            return NULL;
        }
        w->out.data[0] = '\0';
    }
    return w;
}

asff_writer *asff_writer_new_buffer(const asff_write_options *options)
{
    return writer_new(SINK_BUFFER, options);
}

asff_writer *asff_writer_new_file(FILE *file, const asff_write_options *options)
{
    asff_writer *w;
    if (!file)
        return NULL;
    w = writer_new(SINK_FILE, options);
    if (w)
        w->file = file;
    return w;
}

asff_writer *asff_writer_new_callback(asff_write_fn fn, void *ctx, const asff_write_options *options)
{
    asff_writer *w;
    if (!fn)
        return NULL;
    w = writer_new(SINK_CALLBACK, options);
    if (w) {
        w->fn = fn;
        w->ctx = ctx;
    }
    return w;
}

static asff_status sink_write(asff_writer *w, const char *data, size_t len, asff_error *err)
{
    if (!len)
        return ASFF_OK;
    switch (w->sink) {
    case SINK_BUFFER:
        if (asff_buf_append(&w->out, data, len) != ASFF_OK)
            return asff_error_setf(err, ASFF_ERR_NOMEM, "out of memory");
        return ASFF_OK;
    case SINK_FILE:
        if (fwrite(data, 1, len, w->file) != len)
            return asff_error_setf(err, ASFF_ERR_IO, "write failed");
        return ASFF_OK;
    default:
        if (w->fn(w->ctx, data, len) != 0)
            return asff_error_setf(err, ASFF_ERR_IO, "the write callback failed");
        return ASFF_OK;
    }
}

/* Hand what the generator holds to the sink. */
static asff_status flush(asff_writer *w, asff_error *err)
{
    const unsigned char *buf;
    size_t len;
    asff_status st;
    if (w->ya.failed)
        return asff_error_setf(err, ASFF_ERR_NOMEM, "out of memory");
    yajl_gen_get_buf(w->g, &buf, &len);
    st = sink_write(w, (const char *)buf, len, err);
    yajl_gen_clear(w->g);
    return st;
}

static asff_status fail(asff_writer *w, asff_status st)
{
    /* The generator is in the middle of a value: the document cannot go on. */
    w->broken = true;
    return st;
}

static asff_status open_document(asff_writer *w, asff_error *err)
{
    w->opened = true;
    if (w->opt.format == ASFF_FORMAT_ARRAY) {
        GEN(yajl_gen_array_open(w->g));
    } else if (w->opt.format == ASFF_FORMAT_BATCH) {
        GEN(yajl_gen_map_open(w->g));
        GEN(yajl_gen_string(w->g, (const unsigned char *)"Findings", 8));
        GEN(yajl_gen_array_open(w->g));
    }
    return ASFF_OK;
}

asff_status asff_writer_write(asff_writer *w, const void *object, asff_error *err)
{
    genctx c;
    asff_status st;
    if (!w || !object)
        return asff_error_setf(err, ASFF_ERR_INVALID_ARG, "writer and object are required");
    if (w->finished || w->broken)
        return asff_error_setf(err, ASFF_ERR_STATE, "the writer is finished or failed");
    if (!w->opened && (st = open_document(w, err)) != ASFF_OK)
        return fail(w, st);
    if (w->opt.format == ASFF_FORMAT_NDJSON || w->opt.format == ASFF_FORMAT_VALUE)
        yajl_gen_reset(w->g, NULL);
    c.g = w->g;
    c.pretty = w->opt.pretty;
    c.ya = &w->ya;
    if ((st = gen_object(&c, object, err)) != ASFF_OK)
        return fail(w, st);
    if (w->opt.format == ASFF_FORMAT_NDJSON) {
        /* yajl has no raw output call; the newline goes straight to the sink after the value. */
        if ((st = flush(w, err)) != ASFF_OK || (st = sink_write(w, "\n", 1, err)) != ASFF_OK)
            return fail(w, st);
    } else if ((st = flush(w, err)) != ASFF_OK) {
        return fail(w, st);
    }
    w->count++;
    return ASFF_OK;
}

asff_status asff_writer_finish(asff_writer *w, asff_error *err)
{
    asff_status st;
    if (!w)
        return asff_error_setf(err, ASFF_ERR_INVALID_ARG, "writer is required");
    if (w->finished || w->broken)
        return asff_error_setf(err, ASFF_ERR_STATE, "the writer is finished or failed");
    if (!w->opened && (st = open_document(w, err)) != ASFF_OK)
        return fail(w, st);
    if (w->opt.format == ASFF_FORMAT_ARRAY) {
        GEN(yajl_gen_array_close(w->g));
    } else if (w->opt.format == ASFF_FORMAT_BATCH) {
        GEN(yajl_gen_array_close(w->g));
        GEN(yajl_gen_map_close(w->g));
    }
    if ((st = flush(w, err)) != ASFF_OK)
        return fail(w, st);
    /* Compact arrays and batches end with a newline like the other text formats. */
    if (!w->opt.pretty && (w->opt.format == ASFF_FORMAT_ARRAY || w->opt.format == ASFF_FORMAT_BATCH) &&
        (st = sink_write(w, "\n", 1, err)) != ASFF_OK)
        return fail(w, st);
    if (w->sink == SINK_FILE && fflush(w->file) != 0)
        return fail(w, asff_error_setf(err, ASFF_ERR_IO, "flush failed"));
    w->finished = true;
    return ASFF_OK;
}

const char *asff_writer_buffer(const asff_writer *w, size_t *len)
{
    if (!w || w->sink != SINK_BUFFER) {
        if (len)
            *len = 0;
        return NULL;
    }
    if (len)
        *len = w->out.len;
    return w->out.data;
}

void asff_writer_free(asff_writer *w)
{
    if (!w)
        return;
    if (w->g)
        yajl_gen_free(w->g);
    asff_buf_cleanup(&w->out);
    asff_free(w->alloc, w);
}

/* ---- one-shot helpers -------------------------------------------------------------------- */

static asff_status object_to_buf(const void *object, bool pretty, asff_buf *out, asff_error *err)
{
    asff_write_options o = ASFF_WRITE_OPTIONS_INIT;
    asff_writer *w;
    asff_status st;
    o.format = ASFF_FORMAT_VALUE;
    o.pretty = pretty;
    o.allocator = out->alloc;
    w = asff_writer_new_buffer(&o);
    if (!w)
        return asff_error_setf(err, ASFF_ERR_NOMEM, "out of memory");
    st = asff_writer_write(w, object, err);
    if (st == ASFF_OK && asff_buf_append(out, w->out.data, w->out.len) != ASFF_OK)
        st = asff_error_setf(err, ASFF_ERR_NOMEM, "out of memory");
    asff_writer_free(w);
    return st;
}

asff_status asff_codec_object_json(const void *object, asff_buf *out, asff_error *err)
{
    return object_to_buf(object, false, out, err);
}

asff_status asff_to_json(const void *object, bool pretty, char **out, size_t *len, asff_error *err)
{
    asff_buf b;
    asff_status st;
    if (!object || !out)
        return asff_error_setf(err, ASFF_ERR_INVALID_ARG, "object and out are required");
    *out = NULL;
    asff_buf_init(&b, NULL);
    st = object_to_buf(object, pretty, &b, err);
    if (st == ASFF_OK && !b.data && asff_buf_reserve(&b, 0) != ASFF_OK)
        st = asff_error_setf(err, ASFF_ERR_NOMEM, "out of memory");
    if (st != ASFF_OK) {
        asff_buf_cleanup(&b);
        return st;
    }
    /* Pretty yajl output ends with a newline; a value alone does not need it. */
    if (b.len && b.data[b.len - 1] == '\n')
        b.data[--b.len] = '\0';
    *out = b.data;
    if (len)
        *len = b.len;
    return ASFF_OK;
}

void asff_free_string(char *s)
{
    asff_free(NULL, s);
}

static int count_bytes(void *ctx, const char *data, size_t len)
{
    (void)data;
    *(size_t *)ctx += len;
    return 0;
}

size_t asff_json_size(const void *object)
{
    asff_write_options o = ASFF_WRITE_OPTIONS_INIT;
    asff_writer *w;
    size_t n = 0;
    asff_status st;
    if (!object)
        return 0;
    o.format = ASFF_FORMAT_VALUE;
    w = asff_writer_new_callback(count_bytes, &n, &o);
    if (!w)
        return 0;
    st = asff_writer_write(w, object, NULL);
    asff_writer_free(w);
    return st == ASFF_OK ? n : 0;
}
