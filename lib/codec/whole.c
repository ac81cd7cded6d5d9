/* Whole buffers, files and single objects on top of the streaming parser (codec.h). */
#include <errno.h>
#include <string.h>
#include "codec_internal.h"

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
        asff_AwsSecurityFinding **items = asff__realloc(c->alloc, l->items, cap * sizeof *items);
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
        return asff__error_setf(err, ASFF_ERR_INVALID_ARG, "out and data are required");
    *out = NULL;
    if (options)
        (void)asff__codec_options_copy(&o, options);
    o.keep = false;
    c.alloc = asff__alloc_or_default(o.allocator);
    c.nomem = false;
    l = asff__malloc(c.alloc, sizeof *l);
    if (!l)
        return asff__error_setf(err, ASFF_ERR_NOMEM, "out of memory");
    memset(l, 0, sizeof *l);
    c.list = l;
    (void)asff_arena_new(c.alloc, &l->arena, NULL);
    p = NULL;
    if (l->arena)
        (void)asff_parser_new(&o, collect_finding, NULL, &c, &p, NULL);
    if (!p) {
        asff_arena_free(l->arena);
        asff__free(c.alloc, l);
        return asff__error_setf(err, options && options->version > ASFF_PARSE_OPTIONS_VERSION ? ASFF_ERR_INVALID_ARG
                                                                                             : ASFF_ERR_NOMEM,
                               "cannot create a parser");
    }
    p->shared = l->arena;
    if (file) {
        char *buf = asff__malloc(c.alloc, READ_CHUNK);
        size_t n;
        st = buf ? ASFF_OK : asff__error_setf(err, ASFF_ERR_NOMEM, "out of memory");
        while (st == ASFF_OK && (n = fread(buf, 1, READ_CHUNK, file)) > 0)
            st = asff_parser_feed(p, buf, n, err);
        if (st == ASFF_OK && ferror(file))
            st = asff__error_setf(err, ASFF_ERR_IO, "read error: %s", strerror(errno));
        asff__free(c.alloc, buf);
    } else {
        st = asff_parser_feed(p, data, len, err);
    }
    if (st == ASFF_OK)
        st = asff_parser_finish(p, err);
    if (c.nomem)
        st = asff__error_setf(err, ASFF_ERR_NOMEM, "out of memory");
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
        return asff__error_setf(err, ASFF_ERR_INVALID_ARG, "file is required");
    return parse_into_list(NULL, 0, file, options, out, err);
}

void asff_finding_list_free(asff_finding_list *list)
{
    const asff_allocator *alloc;
    if (!list)
        return;
    alloc = asff__arena_allocator(list->arena);
    asff__free(alloc, list->items);
    asff_arena_free(list->arena);
    asff__free(alloc, list);
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
        return asff__error_setf(err, ASFF_ERR_INVALID_ARG, "data and out are required");
    *out = NULL;
    if (options)
        (void)asff__codec_options_copy(&o, options);
    o.envelope = ASFF_ENVELOPE_FINDING;
    o.type_id = type_id;
    o.keep = true;
    o.skip_invalid = false;
    (void)asff_parser_new(&o, take_one, NULL, &r, &p, NULL);
    if (!p)
        return asff__error_setf(err, asff_type_get(type_id ? type_id : ASFF_TID_AwsSecurityFinding) ? ASFF_ERR_NOMEM
                                                                                                     : ASFF_ERR_INVALID_ARG,
                               "cannot create a parser");
    st = asff_parser_feed(p, data, len, err);
    if (st == ASFF_OK)
        st = asff_parser_finish(p, err);
    asff_parser_free(p);
    if (st == ASFF_OK && r.n != 1)
        st = asff__error_setf(err, r.n ? ASFF_ERR_SYNTAX : ASFF_ERR_TRUNCATED,
                             r.n ? "more than one JSON value" : "no JSON value");
    if (st != ASFF_OK) {
        asff_object_free(r.obj);
        return st;
    }
    *out = r.obj;
    return ASFF_OK;
}
