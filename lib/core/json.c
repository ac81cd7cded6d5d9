/*
 * The library's reader for JSON that is not a finding (json.h): yajl's push parser builds a tree in
 * an arena with an explicit stack of open containers, so nothing recurses with the input's depth,
 * and freeing the tree is freeing the arena.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>
#include "json.h"

/* ---- UTF-8 (RFC 3629, table 3-7 of Unicode) ------------------------------------------------------ */

size_t asff__utf8_valid_prefix(const char *text, size_t len)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0;
    while (i < len) {
        unsigned c = s[i];
        size_t n;
        unsigned lo = 0x80, hi = 0xBF;
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF)
            n = 1;
        else if (c >= 0xE0 && c <= 0xEF) {
            n = 2;
            if (c == 0xE0)
                lo = 0xA0; /* no overlong three-byte forms */
            else if (c == 0xED)
                hi = 0x9F; /* no surrogates */
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 3;
            if (c == 0xF0)
                lo = 0x90; /* no overlong four-byte forms */
            else if (c == 0xF4)
                hi = 0x8F; /* nothing above U+10FFFF */
        } else
            return i; /* C0, C1, F5..FF, or a stray continuation byte */
        if (len - i <= n)
            return i;
        if (s[i + 1] < lo || s[i + 1] > hi)
            return i;
        for (size_t k = 2; k <= n; k++)
            if ((s[i + k] & 0xC0) != 0x80)
                return i;
        i += n + 1;
    }
    return len;
}

static int hex4(const char *s, unsigned *out)
{
    unsigned v = 0;
    for (int k = 0; k < 4; k++) {
        char c = s[k];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (unsigned)(c - 'A' + 10);
        else
            return 0;
    }
    *out = v;
    return 1;
}

/* Offset of the first \u escape that is a surrogate without its pair, or len. yajl would turn a lone
 * high surrogate into '?' and write a lone low one as invalid UTF-8; both are refused instead. A
 * backslash outside a string is a syntax error that yajl reports, so escapes are found by pairs. */
static size_t lone_surrogate(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        const char *b = memchr(s + i, '\\', len - i);
        unsigned u, v;
        if (!b)
            return len;
        i = (size_t)(b - s);
        if (i + 1 >= len)
            return len;
        if (s[i + 1] != 'u' || len - i < 6 || !hex4(s + i + 2, &u)) {
            i += 2;
            continue;
        }
        if (u >= 0xDC00 && u <= 0xDFFF)
            return i;
        if (u >= 0xD800 && u <= 0xDBFF) {
            if (len - i < 12 || s[i + 6] != '\\' || s[i + 7] != 'u' || !hex4(s + i + 8, &v) || v < 0xDC00 ||
                v > 0xDFFF)
                return i;
            i += 12;
            continue;
        }
        i += 6;
    }
    return len;
}

/* ---- the tree builder ---------------------------------------------------------------------------- */

typedef struct frame {
    yajl_val node;      /* the open array or object */
    size_t first;       /* its first value on the value stack */
    size_t nkeys_first; /* its first key on the key stack */
} frame;

typedef struct builder {
    const asff_allocator *alloc;
    asff_arena *arena;
    size_t max_depth;
    frame *frames;
    size_t nframes, cframes;
    yajl_val *values;
    size_t nvalues, cvalues;
    const char **keys;
    size_t nkeys, ckeys;
    yajl_val root;
    asff_status status; /* set by a callback that stops the parse */
    const char *why;
} builder;

/* The tree's root is allocated with the arena pointer beside it, so freeing needs only the root. */
typedef struct json_root {
    struct yajl_val_s v;
    asff_arena *arena;
} json_root;

static int stop(builder *b, asff_status code, const char *why)
{
    b->status = code;
    b->why = why;
    return 0;
}

static int grow(builder *b, void **items, size_t *cap, size_t need, size_t size)
{
    size_t n;
    void *p;
    if (need <= *cap)
        return 1;
    n = *cap ? *cap * 2 : 16;
    while (n < need)
        n *= 2;
    p = asff__realloc(b->alloc, *items, n * size);
    if (!p)
        return stop(b, ASFF_ERR_NOMEM, "out of memory");
    *items = p;
    *cap = n;
    return 1;
}

static yajl_val new_node(builder *b, yajl_type t)
{
    yajl_val v;
    if (!b->root) {
        json_root *r = asff_arena_alloc(b->arena, sizeof *r);
        if (!r)
            return NULL;
        r->arena = b->arena;
        v = &r->v;
    } else {
        v = asff_arena_alloc(b->arena, sizeof *v);
        if (!v)
            return NULL;
    }
    v->type = t;
    return v;
}

/* Place a finished value: the root, or the next value of the innermost open container. */
static int place(builder *b, yajl_val v)
{
    if (!v)
        return stop(b, ASFF_ERR_NOMEM, "out of memory");
    if (!b->nframes) {
        if (!b->root)
            b->root = v;
        return 1;
    }
    if (!grow(b, (void **)&b->values, &b->cvalues, b->nvalues + 1, sizeof *b->values))
        return 0;
    b->values[b->nvalues++] = v;
    return 1;
}

static char *arena_copy(builder *b, const char *s, size_t len)
{
    return asff_arena_strdup(b->arena, s, len);
}

static int cb_null(void *ctx)
{
    builder *b = ctx;
    return place(b, new_node(b, yajl_t_null));
}

static int cb_bool(void *ctx, int value)
{
    builder *b = ctx;
    return place(b, new_node(b, value ? yajl_t_true : yajl_t_false));
}

static int cb_number(void *ctx, const char *s, size_t len)
{
    builder *b = ctx;
    yajl_val v = new_node(b, yajl_t_number);
    char *end;
    if (!v || !(v->u.number.r = arena_copy(b, s, len)))
        return stop(b, ASFF_ERR_NOMEM, "out of memory");
    v->u.number.flags = 0;
    errno = 0;
    v->u.number.i = strtoll(v->u.number.r, &end, 10);
    if (errno == 0 && *end == 0)
        v->u.number.flags |= YAJL_NUMBER_INT_VALID;
    errno = 0;
    v->u.number.d = asff__c_strtod(v->u.number.r, &end);
    if (errno == 0 && *end == 0)
        v->u.number.flags |= YAJL_NUMBER_DOUBLE_VALID;
    return place(b, v);
}

/* yajl hands over decoded text: U+0000 can only come from an escape, and would cut a C string. */
static int text_ok(builder *b, const unsigned char *s, size_t len)
{
    if (memchr(s, 0, len))
        return stop(b, ASFF_ERR_SYNTAX, "a string holds U+0000, which is not allowed");
    if (asff__utf8_valid_prefix((const char *)s, len) != len)
        return stop(b, ASFF_ERR_UTF8, "a string is not valid UTF-8");
    return 1;
}

static int cb_string(void *ctx, const unsigned char *s, size_t len)
{
    builder *b = ctx;
    yajl_val v;
    if (!text_ok(b, s, len))
        return 0;
    v = new_node(b, yajl_t_string);
    if (!v || !(v->u.string = arena_copy(b, (const char *)s, len)))
        return stop(b, ASFF_ERR_NOMEM, "out of memory");
    return place(b, v);
}

static int cb_key(void *ctx, const unsigned char *s, size_t len)
{
    builder *b = ctx;
    char *k;
    if (!text_ok(b, s, len))
        return 0;
    if (!(k = arena_copy(b, (const char *)s, len)))
        return stop(b, ASFF_ERR_NOMEM, "out of memory");
    if (!grow(b, (void **)&b->keys, &b->ckeys, b->nkeys + 1, sizeof *b->keys))
        return 0;
    b->keys[b->nkeys++] = k;
    return 1;
}

static int open_container(builder *b, yajl_type t)
{
    yajl_val v;
    if (b->nframes >= b->max_depth)
        return stop(b, ASFF_ERR_LIMIT, "nested deeper than the limit");
    v = new_node(b, t);
    if (!v)
        return stop(b, ASFF_ERR_NOMEM, "out of memory");
    if (!place(b, v))
        return 0;
    if (!grow(b, (void **)&b->frames, &b->cframes, b->nframes + 1, sizeof *b->frames))
        return 0;
    b->frames[b->nframes].node = v;
    b->frames[b->nframes].first = b->nvalues;
    b->frames[b->nframes].nkeys_first = b->nkeys;
    b->nframes++;
    return 1;
}

static int cb_start_map(void *ctx)
{
    return open_container(ctx, yajl_t_object);
}

static int cb_start_array(void *ctx)
{
    return open_container(ctx, yajl_t_array);
}

static int cmp_keys(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A key twice in one object is refused: readers that take the first and readers that take the last
 * would otherwise see two different documents. */
static int has_duplicate(builder *b, const char **keys, size_t n)
{
    if (n <= 16) {
        for (size_t i = 1; i < n; i++)
            for (size_t j = 0; j < i; j++)
                if (strcmp(keys[i], keys[j]) == 0)
                    return 1;
        return 0;
    }
    {
        const char **tmp = asff__malloc(b->alloc, n * sizeof *tmp);
        int dup = 0;
        if (!tmp)
            return -1;
        memcpy(tmp, keys, n * sizeof *tmp);
        qsort(tmp, n, sizeof *tmp, cmp_keys);
        for (size_t i = 1; i < n && !dup; i++)
            dup = strcmp(tmp[i - 1], tmp[i]) == 0;
        asff__free(b->alloc, tmp);
        return dup;
    }
}

static int close_container(builder *b)
{
    frame *f = &b->frames[b->nframes - 1];
    size_t n = b->nvalues - f->first;
    yajl_val *vals = NULL;
    if (n) {
        vals = asff_arena_alloc(b->arena, n * sizeof *vals);
        if (!vals)
            return stop(b, ASFF_ERR_NOMEM, "out of memory");
        memcpy(vals, b->values + f->first, n * sizeof *vals);
    }
    if (f->node->type == yajl_t_object) {
        const char **keys = NULL;
        int dup;
        if (n) {
            keys = asff_arena_alloc(b->arena, n * sizeof *keys);
            if (!keys)
                return stop(b, ASFF_ERR_NOMEM, "out of memory");
            memcpy(keys, b->keys + f->nkeys_first, n * sizeof *keys);
        }
        dup = has_duplicate(b, keys, n);
        if (dup < 0)
            return stop(b, ASFF_ERR_NOMEM, "out of memory");
        if (dup)
            return stop(b, ASFF_ERR_DUPLICATE, "an object has the same member twice"); /* path: the last one */
        f->node->u.object.keys = keys;
        f->node->u.object.values = vals;
        f->node->u.object.len = n;
        b->nkeys = f->nkeys_first;
    } else {
        f->node->u.array.values = vals;
        f->node->u.array.len = n;
    }
    b->nvalues = f->first;
    b->nframes--;
    return 1;
}

static int cb_end(void *ctx)
{
    return close_container(ctx);
}

static const yajl_callbacks callbacks = {cb_null, cb_bool, NULL, NULL, cb_number, cb_string,
                                         cb_start_map, cb_key, cb_end, cb_start_array, cb_end};

/* ---- errors: JSON Pointer of the value being read, offset, line and column ------------------------ */

static void error_path(const builder *b, asff_buf *out)
{
    for (size_t i = 0; i < b->nframes; i++) {
        const frame *f = &b->frames[i];
        size_t next = i + 1 < b->nframes ? b->frames[i + 1].first : b->nvalues;
        size_t nvals = next - f->first; /* values of this container so far (the child counts) */
        if (f->node->type == yajl_t_object) {
            size_t kend = i + 1 < b->nframes ? b->frames[i + 1].nkeys_first : b->nkeys;
            if (kend > f->nkeys_first) {
                const char *k = b->keys[kend - 1];
                (void)asff__buf_pointer_token(out, k, strlen(k));
            }
        } else {
            size_t idx = i + 1 < b->nframes ? nvals - 1 : nvals;
            (void)asff__buf_appendf(out, "/%zu", idx);
        }
    }
}

static asff_status fail(builder *b, const char *text, size_t len, size_t offset, asff_status code,
                        const char *why, asff_error *err)
{
    if (!err)
        return code;
    asff__error_setf(err, code, "JSON %s", why);
    err->offset = offset;
    err->line = 1;
    err->column = 1;
    for (size_t i = 0; i < offset && i < len; i++) {
        if (text[i] == '\n') {
            err->line++;
            err->column = 1;
        } else if (((unsigned char)text[i] & 0xC0) != 0x80)
            err->column++;
    }
    {
        asff_buf p;
        asff__buf_init(&p, b->alloc);
        error_path(b, &p);
        if (p.data && p.len)
            asff__copy_string(err->path, sizeof err->path, p.data);
        else
            err->path[0] = 0;
        asff__buf_cleanup(&p);
    }
    return code;
}

static void builder_cleanup(builder *b)
{
    asff__free(b->alloc, b->frames);
    asff__free(b->alloc, b->values);
    asff__free(b->alloc, (void *)b->keys);
}

asff_status asff__json_parse(const char *text, size_t len, const asff__json_limits *limits,
                             const asff_allocator *alloc, yajl_val *out, asff_error *err)
{
    builder b;
    asff_yalloc ya;
    yajl_handle h;
    yajl_status ys;
    size_t max_bytes = limits && limits->max_bytes ? limits->max_bytes : ASFF__JSON_BYTES;
    size_t bad, consumed;
    bool at_end = false; /* yajl stopped only when told the text ended */
    asff_status code = ASFF_OK;

    if (!out)
        return asff_error_set(err, ASFF_ERR_INVALID_ARG, "asff__json_parse: out is NULL");
    *out = NULL;
    if (!text && len)
        return asff_error_set(err, ASFF_ERR_INVALID_ARG, "asff__json_parse: text is NULL");
    memset(&b, 0, sizeof b);
    b.alloc = asff__alloc_or_default(alloc);
    b.max_depth = limits && limits->max_depth ? limits->max_depth : ASFF__JSON_DEPTH;
    if (len > max_bytes)
        return fail(&b, text, len, max_bytes, ASFF_ERR_LIMIT, "text is larger than the limit", err);
    if ((bad = asff__utf8_valid_prefix(text, len)) != len)
        return fail(&b, text, len, bad, ASFF_ERR_UTF8, "text is not valid UTF-8", err);
    if ((bad = lone_surrogate(text, len)) != len)
        return fail(&b, text, len, bad, ASFF_ERR_UTF8, "escape is a surrogate without its pair", err);

    if (asff_arena_new(b.alloc, &b.arena, NULL) != ASFF_OK)
        return asff_error_set(err, ASFF_ERR_NOMEM, "out of memory");
    asff__yalloc_init(&ya, b.alloc);
    h = yajl_alloc(&callbacks, &ya.funcs, &b);
    ys = yajl_parse(h, (const unsigned char *)text, len);
    consumed = yajl_get_bytes_consumed(h);
    if (ys == yajl_status_ok && b.status == ASFF_OK && !ya.failed) {
        at_end = true;
        ys = yajl_complete_parse(h);
        if (ys == yajl_status_ok && !b.root && b.status == ASFF_OK)
            b.status = ASFF_ERR_TRUNCATED, b.why = "text holds no value";
        consumed = len;
    }
    if (ya.failed)
        code = fail(&b, text, len, consumed, ASFF_ERR_NOMEM, "parse ran out of memory", err);
    else if (b.status != ASFF_OK)
        code = fail(&b, text, len, consumed ? consumed - 1 : 0, b.status, b.why, err);
    else if (ys != yajl_status_ok) {
        /* yajl's own message names the problem; the token it stopped at decides the status */
        unsigned char *m = yajl_get_error(h, 0, NULL, 0);
        const char *why = m ? (const char *)m : "syntax error";
        bool truncated = at_end;
        char msg[160];
        char *nl;
        snprintf(msg, sizeof msg, "%s%s", truncated ? "text ends inside a value: " : "syntax error: ", why);
        while ((nl = strchr(msg, '\n')) != NULL)
            *nl = nl[1] ? ' ' : 0;
        code = fail(&b, text, len, consumed ? consumed - 1 : 0, truncated ? ASFF_ERR_TRUNCATED : ASFF_ERR_SYNTAX,
                    msg, err);
        if (m)
            yajl_free_error(h, m);
    }
    yajl_free(h);
    builder_cleanup(&b);
    if (code != ASFF_OK) {
        asff_arena_free(b.arena);
        return code;
    }
    *out = b.root;
    return ASFF_OK;
}

void asff__json_free(yajl_val v, const asff_allocator *alloc)
{
    (void)alloc; /* the arena remembers its allocator */
    if (v)
        asff_arena_free(((json_root *)(void *)v)->arena);
}
