/* The model runtime: lookups in the generated tables, construction, iteration and the walk. */
#include <string.h>
#include "asff/model.h"
#include "model_tables.h"
#include "../core/internal.h"

/* ---- lookups ------------------------------------------------------------------------------ */

const char *asff_model_version(void)
{
    return asff__model_version;
}

const char *asff_model_sha256(void)
{
    return asff__model_sha256;
}

unsigned asff_type_count(void)
{
    return asff__model_type_count;
}

const asff_type *asff_type_get(unsigned id)
{
    if (id == 0 || id > asff__model_type_count)
        return NULL;
    return asff__model_types[id];
}

/* Bytewise comparison of name[len] with a NUL-terminated table name, as the generator sorts. */
static int name_cmp(const char *name, size_t len, const char *table, size_t table_len)
{
    size_t n = len < table_len ? len : table_len;
    int c = memcmp(name, table, n);
    if (c)
        return c;
    return len < table_len ? -1 : len > table_len ? 1 : 0;
}

const asff_type *asff_type_find(const char *name, size_t len)
{
    size_t lo = 0, hi = 0;
    unsigned i;
    if (!name)
        return NULL;
    for (i = 1; i <= asff__model_type_count; i++)
        if (asff__model_types[i])
            hi++;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const asff_type *t = asff__model_types[asff__model_types_by_name[mid]];
        int c = name_cmp(name, len, t->name, strlen(t->name));
        if (c == 0)
            return t;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

const asff_member *asff_member_find(const asff_type *type, const char *name, size_t len)
{
    size_t lo = 0, hi;
    if (!type || !name)
        return NULL;
    hi = type->nmembers;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const asff_member *m = &type->members[type->by_name[mid]];
        int c = name_cmp(name, len, m->name, m->name_len);
        if (c == 0)
            return m;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

unsigned asff_enum_count(void)
{
    return asff__model_enum_count;
}

const asff_enum *asff_enum_get(unsigned index)
{
    return index < asff__model_enum_count ? &asff__model_enums[index] : NULL;
}

const asff_enum *asff_enum_find(const char *name, size_t len)
{
    unsigned i;
    if (!name)
        return NULL;
    for (i = 0; i < asff__model_enum_count; i++) {
        const asff_enum *e = &asff__model_enums[i];
        if (strlen(e->name) == len && memcmp(e->name, name, len) == 0)
            return e;
    }
    return NULL;
}

int asff_enum_index(const asff_enum *e, const char *value, size_t len)
{
    unsigned i;
    if (!e || !value)
        return -1;
    for (i = 0; i < e->count; i++)
        if (e->values[i] && strlen(e->values[i]) == len && memcmp(e->values[i], value, len) == 0)
            return (int)i;
    return -1;
}

/* ---- construction ------------------------------------------------------------------------- */

static asff_object *hdr(const void *object)
{
    return (asff_object *)object;
}

static void *new_in(asff_arena *arena, const asff_type *t)
{
    asff_object *o = asff_arena_alloc(arena, t->size);
    if (!o)
        return NULL;
    o->type = t;
    o->arena = arena;
    return o;
}

void *asff_object_new_root(unsigned type_id, const asff_allocator *alloc)
{
    const asff_type *t = asff_type_get(type_id);
    asff_arena *arena;
    asff_object *o;
    if (!t)
        return NULL;
    (void)asff_arena_new(alloc, &arena, NULL);
    if (!arena)
        return NULL;
    o = new_in(arena, t);
    if (!o) {
        asff_arena_free(arena);
        return NULL;
    }
    o->flags |= ASFF_OBJ_ROOT;
    return o;
}

void *asff_object_new(void *any_object, unsigned type_id)
{
    const asff_type *t = asff_type_get(type_id);
    if (!t || !any_object)
        return NULL;
    return new_in(hdr(any_object)->arena, t);
}

void asff_object_free(void *root)
{
    if (root && (hdr(root)->flags & ASFF_OBJ_ROOT))
        asff_arena_free(hdr(root)->arena);
}

const asff_type *asff_object_type(const void *object)
{
    return object ? hdr(object)->type : NULL;
}

asff_arena *asff_object_arena(const void *object)
{
    return object ? hdr(object)->arena : NULL;
}

char *asff_strndup(void *any_object, const char *s, size_t len)
{
    if (!any_object || (!s && len))
        return NULL;
    return asff_arena_strdup(hdr(any_object)->arena, s ? s : "", len);
}

char *asff_strdup(void *any_object, const char *s)
{
    return s ? asff_strndup(any_object, s, strlen(s)) : NULL;
}

asff_int *asff_int_new(void *any_object, int64_t value)
{
    asff_int *v = any_object ? asff_arena_alloc(hdr(any_object)->arena, sizeof *v) : NULL;
    if (v)
        v->value = value;
    return v;
}

double *asff_double_new(void *any_object, double value)
{
    double *v = any_object ? asff_arena_alloc(hdr(any_object)->arena, sizeof *v) : NULL;
    if (v)
        *v = value;
    return v;
}

bool *asff_bool_new(void *any_object, bool value)
{
    bool *v = any_object ? asff_arena_alloc(hdr(any_object)->arena, sizeof *v) : NULL;
    if (v)
        *v = value;
    return v;
}

void *asff_member_slot(const void *object, const asff_member *member)
{
    return (char *)object + member->offset;
}

/* Slots are read and written through memcpy: the generated members have typed pointers, the
 * runtime sees them as void *, and memcpy keeps that free of aliasing questions. */
static void *get_ptr(const void *slot)
{
    void *p;
    memcpy(&p, slot, sizeof p);
    return p;
}

static void set_ptr(void *slot, const void *p)
{
    memcpy(slot, &p, sizeof p);
}

bool asff_member_present(const void *object, const asff_member *m)
{
    const void *slot = asff_member_slot(object, m);
    return get_ptr(slot) != NULL;  /* lists: items; maps: keys; others: the pointer itself */
}

static const asff_member *member_of(void *object, const char *name, asff_kind kind, asff_status *st)
{
    const asff_member *m;
    if (!object || !name) {
        *st = ASFF_ERR_INVALID_ARG;
        return NULL;
    }
    m = asff_member_find(hdr(object)->type, name, strlen(name));
    if (!m) {
        *st = ASFF_ERR_NOT_FOUND;
        return NULL;
    }
    if (kind != ASFF_KIND_NONE && m->kind != kind) {
        *st = ASFF_ERR_TYPE;
        return NULL;
    }
    *st = ASFF_OK;
    return m;
}

asff_status asff_set_string(void *object, const char *member, const char *value)
{
    asff_status st;
    const asff_member *m = member_of(object, member, ASFF_KIND_STRING, &st);
    char *copy;
    if (!m)
        return st;
    copy = asff_strdup(object, value);
    if (value && !copy)
        return ASFF_ERR_NOMEM;
    set_ptr(asff_member_slot(object, m), copy);
    return ASFF_OK;
}

asff_status asff_set_int(void *object, const char *member, int64_t value)
{
    asff_status st;
    const asff_member *m = member_of(object, member, ASFF_KIND_INT, &st);
    asff_int *v;
    if (!m)
        return st;
    if (!(v = asff_int_new(object, value)))
        return ASFF_ERR_NOMEM;
    set_ptr(asff_member_slot(object, m), v);
    return ASFF_OK;
}

asff_status asff_set_double(void *object, const char *member, double value)
{
    asff_status st;
    const asff_member *m = member_of(object, member, ASFF_KIND_DOUBLE, &st);
    double *v;
    if (!m)
        return st;
    if (!(v = asff_double_new(object, value)))
        return ASFF_ERR_NOMEM;
    set_ptr(asff_member_slot(object, m), v);
    return ASFF_OK;
}

asff_status asff_set_bool(void *object, const char *member, bool value)
{
    asff_status st;
    const asff_member *m = member_of(object, member, ASFF_KIND_BOOL, &st);
    bool *v;
    if (!m)
        return st;
    if (!(v = asff_bool_new(object, value)))
        return ASFF_ERR_NOMEM;
    set_ptr(asff_member_slot(object, m), v);
    return ASFF_OK;
}

asff_status asff_unset(void *object, const char *member)
{
    const asff_member *m;
    asff_extra **pp;
    if (!object || !member)
        return ASFF_ERR_INVALID_ARG;
    m = asff_member_find(hdr(object)->type, member, strlen(member));
    if (m) {
        void *slot = asff_member_slot(object, m);
        if (m->kind == ASFF_KIND_LIST)
            memset(slot, 0, sizeof(asff_list));
        else if (m->kind == ASFF_KIND_MAP)
            memset(slot, 0, sizeof(asff_map));
        else
            set_ptr(slot, NULL);
    }
    /* A JSON null of a known member is kept as an extra: drop that too. Extras stay in the list
     * (their numbers are referenced by the order array) but lose their value. */
    for (pp = &hdr(object)->extra; *pp; pp = &(*pp)->next)
        if (strcmp((*pp)->name, member) == 0) {
            (*pp)->json = NULL;
            return ASFF_OK;
        }
    return m ? ASFF_OK : ASFF_ERR_NOT_FOUND;
}

void *asff_get_object(void *object, const char *member, bool create)
{
    asff_status st;
    const asff_member *m = member_of(object, member, ASFF_KIND_OBJECT, &st);
    void *slot, *child;
    if (!m)
        return NULL;
    slot = asff_member_slot(object, m);
    child = get_ptr(slot);
    if (!child && create) {
        child = new_in(hdr(object)->arena, m->type);
        if (child)
            set_ptr(slot, child);
    }
    return child;
}

asff_status asff_list_push(void *any_object, void *list_slot, void *item)
{
    asff_list l;
    memcpy(&l, list_slot, sizeof l);
    if (l.count == l.capacity) {
        size_t cap = l.capacity ? l.capacity * 2 : 4;
        void **items = asff_arena_alloc(hdr(any_object)->arena, cap * sizeof *items);
        if (!items)
            return ASFF_ERR_NOMEM;
        if (l.count)
            memcpy(items, l.items, l.count * sizeof *items);
        l.items = items;  /* the old array stays in the arena until it is freed */
        l.capacity = cap;
    }
    l.items[l.count++] = item;
    memcpy(list_slot, &l, sizeof l);
    return ASFF_OK;
}

static const asff_member *list_member(void *object, const char *name, asff_kind elem, asff_status *st)
{
    const asff_member *m = member_of(object, name, ASFF_KIND_LIST, st);
    if (m && m->elem_kind != elem) {
        *st = ASFF_ERR_TYPE;
        return NULL;
    }
    return m;
}

asff_status asff_list_append_string(void *object, const char *member, const char *value)
{
    asff_status st;
    const asff_member *m = list_member(object, member, ASFF_KIND_STRING, &st);
    char *copy;
    if (!m)
        return st;
    if (!value)
        return ASFF_ERR_INVALID_ARG;
    if (!(copy = asff_strdup(object, value)))
        return ASFF_ERR_NOMEM;
    return asff_list_push(object, asff_member_slot(object, m), copy);
}

asff_status asff_list_append_int(void *object, const char *member, int64_t value)
{
    asff_status st;
    const asff_member *m = list_member(object, member, ASFF_KIND_INT, &st);
    asff_int *v;
    if (!m)
        return st;
    if (!(v = asff_int_new(object, value)))
        return ASFF_ERR_NOMEM;
    return asff_list_push(object, asff_member_slot(object, m), v);
}

void *asff_list_append_object(void *object, const char *member)
{
    asff_status st;
    const asff_member *m = list_member(object, member, ASFF_KIND_OBJECT, &st);
    void *child;
    if (!m)
        return NULL;
    child = new_in(hdr(object)->arena, m->type);
    if (!child || asff_list_push(object, asff_member_slot(object, m), child) != ASFF_OK)
        return NULL;
    return child;
}

asff_status asff_map_push(void *any_object, void *map_slot, char *key, void *value)
{
    asff_map mp;
    size_t i;
    memcpy(&mp, map_slot, sizeof mp);
    for (i = 0; i < mp.count; i++)
        if (strcmp(mp.keys[i], key) == 0) {
            mp.values[i] = value;
            memcpy(map_slot, &mp, sizeof mp);
            return ASFF_OK;
        }
    if (mp.count == mp.capacity) {
        size_t cap = mp.capacity ? mp.capacity * 2 : 4;
        char **keys = asff_arena_alloc(hdr(any_object)->arena, cap * sizeof *keys);
        void **values = asff_arena_alloc(hdr(any_object)->arena, cap * sizeof *values);
        if (!keys || !values)
            return ASFF_ERR_NOMEM;
        if (mp.count) {
            memcpy(keys, mp.keys, mp.count * sizeof *keys);
            memcpy(values, mp.values, mp.count * sizeof *values);
        }
        mp.keys = keys;
        mp.values = values;
        mp.capacity = cap;
    }
    mp.keys[mp.count] = key;
    mp.values[mp.count] = value;
    mp.count++;
    memcpy(map_slot, &mp, sizeof mp);
    return ASFF_OK;
}

asff_status asff_map_set(void *object, const char *member, const char *key, const char *value)
{
    asff_status st;
    const asff_member *m = member_of(object, member, ASFF_KIND_MAP, &st);
    char *k, *v;
    if (!m)
        return st;
    if (m->elem_kind != ASFF_KIND_STRING)
        return ASFF_ERR_TYPE;
    if (!key || !value)
        return ASFF_ERR_INVALID_ARG;
    k = asff_strdup(object, key);
    v = asff_strdup(object, value);
    if (!k || !v)
        return ASFF_ERR_NOMEM;
    return asff_map_push(object, asff_member_slot(object, m), k, v);
}

void *asff_map_get_object(void *object, const char *member, const char *key, bool create)
{
    asff_status st;
    const asff_member *m = member_of(object, member, ASFF_KIND_MAP, &st);
    asff_map mp;
    size_t i;
    char *k;
    void *child;
    if (!m || m->elem_kind != ASFF_KIND_OBJECT || !key)
        return NULL;
    memcpy(&mp, asff_member_slot(object, m), sizeof mp);
    for (i = 0; i < mp.count; i++)
        if (strcmp(mp.keys[i], key) == 0)
            return mp.values[i];
    if (!create)
        return NULL;
    k = asff_strdup(object, key);
    child = new_in(hdr(object)->arena, m->type);
    if (!k || !child || asff_map_push(object, asff_member_slot(object, m), k, child) != ASFF_OK)
        return NULL;
    return child;
}

asff_status asff_extra_set(void *object, const char *name, const char *json)
{
    asff_object *o = hdr(object);
    asff_extra *x, **pp;
    uint32_t n = 0;
    if (!object || !name || !json)
        return ASFF_ERR_INVALID_ARG;
    for (pp = &o->extra; *pp; pp = &(*pp)->next, n++)
        if (strcmp((*pp)->name, name) == 0) {
            const char *copy = asff_strdup(object, json);
            if (!copy)
                return ASFF_ERR_NOMEM;
            (*pp)->json = copy;
            return ASFF_OK;
        }
    x = asff_arena_alloc(o->arena, sizeof *x);
    if (!x)
        return ASFF_ERR_NOMEM;
    x->name = asff_strdup(object, name);
    x->json = asff_strdup(object, json);
    if (!x->name || !x->json)
        return ASFF_ERR_NOMEM;
    *pp = x;
    /* Parsed objects list every member in order; keep the new one at the end of that order. */
    if (o->order)
        return asff_object_note_order(object, o->type->nmembers + n);
    return ASFF_OK;
}

const asff_extra *asff_extra_get(const void *object, const char *name)
{
    const asff_extra *x;
    if (!object || !name)
        return NULL;
    for (x = hdr(object)->extra; x; x = x->next)
        if (x->json && strcmp(x->name, name) == 0)
            return x;
    return NULL;
}

asff_status asff_object_note_order(void *object, uint32_t index)
{
    asff_object *o = hdr(object);
    uint32_t n = o->norder;
    if (index > UINT16_MAX || n == UINT32_MAX)
        return ASFF_ERR_LIMIT;
    /* Capacity is implied by norder (ASFF_ORDER_FIRST in core/internal.h). */
    if (n == 0 || (n >= ASFF_ORDER_FIRST && (n & (n - 1)) == 0)) {
        uint16_t *order = asff_arena_alloc(o->arena, (n ? (size_t)n * 2 : ASFF_ORDER_FIRST) * sizeof *order);
        if (!order)
            return ASFF_ERR_NOMEM;
        if (n)
            memcpy(order, o->order, n * sizeof *order);
        o->order = order;
    }
    o->order[o->norder++] = (uint16_t)index;
    return ASFF_OK;
}

/* ---- iteration ---------------------------------------------------------------------------- */

void asff_iter_init(asff_iter *it, const void *object)
{
    memset(it, 0, sizeof *it);
    it->object = object;
    it->next_extra = object ? hdr(object)->extra : NULL;
}

static const asff_extra *extra_at(const asff_object *o, uint32_t n)
{
    const asff_extra *x = o->extra;
    while (x && n--)
        x = x->next;
    return x;
}

bool asff_iter_next(asff_iter *it, asff_field *f)
{
    const asff_object *o = it->object ? hdr(it->object) : NULL;
    const asff_type *t;
    if (!o)
        return false;
    t = o->type;
    /* Phase 0: the order the members were read in. */
    while (it->phase == 0) {
        uint32_t idx;
        if (it->pos >= o->norder) {
            it->phase = 1;
            it->pos = 0;
            break;
        }
        idx = o->order[it->pos++];
        if (idx < t->nmembers) {
            const asff_member *m = &t->members[idx];
            if ((it->seen[idx / 64] >> (idx % 64)) & 1u)
                continue;
            it->seen[idx / 64] |= (uint64_t)1 << (idx % 64);
            if (!asff_member_present(it->object, m))
                continue;
            f->member = m;
            f->extra = NULL;
            f->slot = asff_member_slot(it->object, m);
            return true;
        } else {
            const asff_extra *x = extra_at(o, idx - t->nmembers);
            if (!x || !x->json)
                continue;
            f->member = NULL;
            f->extra = x;
            f->slot = NULL;
            return true;
        }
    }
    /* Phase 1: typed members not seen in the input, in model order. */
    while (it->phase == 1) {
        uint32_t idx = it->pos;
        if (idx >= t->nmembers) {
            it->phase = 2;
            break;
        }
        it->pos++;
        if ((it->seen[idx / 64] >> (idx % 64)) & 1u)
            continue;
        if (!asff_member_present(it->object, &t->members[idx]))
            continue;
        f->member = &t->members[idx];
        f->extra = NULL;
        f->slot = asff_member_slot(it->object, f->member);
        return true;
    }
    /* Phase 2: unknown members, when the object has no recorded order (built, not parsed). */
    if (o->norder == 0) {
        while (it->next_extra) {
            const asff_extra *x = it->next_extra;
            it->next_extra = x->next;
            if (!x->json)
                continue;
            f->member = NULL;
            f->extra = x;
            f->slot = NULL;
            return true;
        }
    }
    it->phase = 3;
    return false;
}

/* ---- walk --------------------------------------------------------------------------------- */

typedef struct walker {
    asff_walk_fn fn;
    void *ctx;
    asff_buf path;
    bool stop;
} walker;

static int emit(walker *w, asff_walk_event ev, unsigned depth, const asff_member *m, const char *name,
                size_t index, asff_kind kind, const void *value, const asff_extra *x)
{
    asff_walk_item item;
    int rc;
    item.event = ev;
    item.path = w->path.data ? w->path.data : "";
    item.depth = depth;
    item.member = m;
    item.name = name;
    item.index = index;
    item.kind = kind;
    item.value = value;
    item.extra = x;
    rc = w->fn(w->ctx, &item);
    if (rc != 0 && rc != ASFF_WALK_SKIP)
        w->stop = true;
    return rc;
}

static asff_status walk_object(walker *w, const void *obj, unsigned depth, const asff_member *via,
                               const char *name, size_t index);

/* Walk one value of kind k stored at *slot-pointer value p. */
static asff_status walk_value(walker *w, asff_kind k, const asff_member *m, const void *p, unsigned depth,
                              const char *name, size_t index)
{
    if (k == ASFF_KIND_OBJECT)
        return walk_object(w, p, depth, m, name, index);
    emit(w, ASFF_WALK_SCALAR, depth, m, name, index, k, p, NULL);
    return w->stop ? ASFF_ERR_ABORTED : ASFF_OK;
}

static asff_status walk_member(walker *w, const void *obj, const asff_field *f, unsigned depth)
{
    const asff_member *m = f->member;
    size_t mark = w->path.len, i;
    asff_status st = ASFF_OK;
    if (asff__buf_pointer_token(&w->path, f->member ? m->name : f->extra->name,
                               strlen(f->member ? m->name : f->extra->name)) != ASFF_OK)
        return ASFF_ERR_NOMEM;
    (void)obj;
    if (!m) {
        emit(w, ASFF_WALK_EXTRA, depth, NULL, f->extra->name, 0, ASFF_KIND_JSON, f->extra->json, f->extra);
        st = w->stop ? ASFF_ERR_ABORTED : ASFF_OK;
    } else if (m->kind == ASFF_KIND_LIST) {
        asff_list l;
        memcpy(&l, f->slot, sizeof l);
        if (emit(w, ASFF_WALK_LIST_BEGIN, depth, m, m->name, 0, ASFF_KIND_LIST, f->slot, NULL) == 0) {
            for (i = 0; i < l.count && st == ASFF_OK; i++) {
                size_t mk = w->path.len;
                if (asff__buf_appendf(&w->path, "/%zu", i) != ASFF_OK)
                    return ASFF_ERR_NOMEM;
                if (l.items[i])
                    st = walk_value(w, (asff_kind)m->elem_kind, m, l.items[i], depth + 1, NULL, i);
                w->path.len = mk;
                w->path.data[mk] = '\0';
            }
        }
        if (st == ASFF_OK && !w->stop)
            emit(w, ASFF_WALK_LIST_END, depth, m, m->name, 0, ASFF_KIND_LIST, f->slot, NULL);
    } else if (m->kind == ASFF_KIND_MAP) {
        asff_map mp;
        memcpy(&mp, f->slot, sizeof mp);
        if (emit(w, ASFF_WALK_MAP_BEGIN, depth, m, m->name, 0, ASFF_KIND_MAP, f->slot, NULL) == 0) {
            for (i = 0; i < mp.count && st == ASFF_OK; i++) {
                size_t mk = w->path.len;
                if (asff__buf_pointer_token(&w->path, mp.keys[i], strlen(mp.keys[i])) != ASFF_OK)
                    return ASFF_ERR_NOMEM;
                if (mp.values[i])
                    st = walk_value(w, (asff_kind)m->elem_kind, m, mp.values[i], depth + 1, mp.keys[i], i);
                w->path.len = mk;
                w->path.data[mk] = '\0';
            }
        }
        if (st == ASFF_OK && !w->stop)
            emit(w, ASFF_WALK_MAP_END, depth, m, m->name, 0, ASFF_KIND_MAP, f->slot, NULL);
    } else {
        st = walk_value(w, (asff_kind)m->kind, m, get_ptr(f->slot), depth, m->name, 0);
    }
    w->path.len = mark;
    if (w->path.data)
        w->path.data[mark] = '\0';
    if (st == ASFF_OK && w->stop)
        st = ASFF_ERR_ABORTED;
    return st;
}

static asff_status walk_object(walker *w, const void *obj, unsigned depth, const asff_member *via,
                               const char *name, size_t index)
{
    asff_iter it;
    asff_field f;
    asff_status st = ASFF_OK;
    int rc = emit(w, ASFF_WALK_OBJECT_BEGIN, depth, via, name, index, ASFF_KIND_OBJECT, obj, NULL);
    if (w->stop)
        return ASFF_ERR_ABORTED;
    if (rc == 0) {
        asff_iter_init(&it, obj);
        while (st == ASFF_OK && asff_iter_next(&it, &f))
            st = walk_member(w, obj, &f, depth + 1);
        if (st != ASFF_OK)
            return st;
    }
    emit(w, ASFF_WALK_OBJECT_END, depth, via, name, index, ASFF_KIND_OBJECT, obj, NULL);
    return w->stop ? ASFF_ERR_ABORTED : ASFF_OK;
}

asff_status asff_walk(const void *object, asff_walk_fn fn, void *ctx)
{
    walker w;
    asff_status st;
    if (!object || !fn)
        return ASFF_ERR_INVALID_ARG;
    w.fn = fn;
    w.ctx = ctx;
    w.stop = false;
    asff__buf_init(&w.path, asff__arena_allocator(hdr(object)->arena));
    if (asff__buf_reserve(&w.path, 64) != ASFF_OK)
        return ASFF_ERR_NOMEM;
    w.path.data[0] = '\0';
    st = walk_object(&w, object, 0, NULL, NULL, 0);
    asff__buf_cleanup(&w.path);
    return st;
}
