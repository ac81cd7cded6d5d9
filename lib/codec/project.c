/*
 * Projection (docs/codec.md, "Projection"): the set of a finding's top-level members to build, the
 * parse options that carry it (version 2; version 1 is still read), and the removal of the members
 * that were read but not built. The dry frames themselves are parser.c's (FK_DRY).
 */
#include <stddef.h>
#include <string.h>
#include "codec_internal.h"

const char asff__codec_dry_mark[1] = "";

/* The entry of nested whose member field is key (1 + a member's index; 0: a free entry), or NULL. */
static asff_projection_nested *nested_of(asff_projection *proj, uint32_t key)
{
    size_t k;
    for (k = 0; k < ASFF_PROJECTION_NESTED; k++)
        if (proj->nested[k].member == key)
            return &proj->nested[k];
    return NULL;
}

/* The member that the second step of a path names inside member m ("[].Id" of Resources, ".Label"
 * of Severity), or NULL: none, or not one the projection narrows (a map's, a list of scalars'). */
static const asff_member *second_step(const asff_member *m, const char *rest)
{
    if (m->kind == ASFF_KIND_OBJECT && rest[0] == '.')
        rest += 1;
    else if (m->kind == ASFF_KIND_LIST && m->elem_kind == ASFF_KIND_OBJECT && strncmp(rest, "[].", 3) == 0)
        rest += 3;
    else
        return NULL;
    return m->type ? asff_member_find(m->type, rest, strcspn(rest, ".[{")) : NULL;
}

asff_status asff_projection_add(asff_projection *proj, unsigned type_id, const char *path, asff_error *err)
{
    const asff_type *t = asff_type_get(type_id ? type_id : ASFF_TID_AwsSecurityFinding);
    const asff_member *m, *inner;
    asff_projection_nested *e;
    uint64_t bit;
    size_t n, i, j;
    if (!proj || !path || !t)
        return asff_error_set(err, ASFF_ERR_INVALID_ARG, "asff_projection_add: proj, path and a known type are required");
    if (!*path || strcmp(path, "*") == 0) {
        memset(proj->members, 0xff, sizeof proj->members);
        memset(proj->nested, 0, sizeof proj->nested);
        return ASFF_OK;
    }
    n = strcspn(path, ".[{");
    m = asff_member_find(t, path, n);
    if (!m)
        return asff__error_setf(err, ASFF_ERR_INVALID_ARG, "asff_projection_add: %s has no member %.*s", t->name,
                                (int)(n > 64 ? 64 : n), path);
    i = (size_t)(m - t->members);
    if (i >= 256)
        return ASFF_OK; /* always built */
    bit = (uint64_t)1 << (i & 63);
    inner = second_step(m, path + n);
    e = nested_of(proj, (uint32_t)(i + 1));
    j = inner ? (size_t)(inner - m->type->members) : 256;
    if (j >= 256) { /* the member whole */
        proj->members[i >> 6] |= bit;
        if (e)
            memset(e, 0, sizeof *e);
        return ASFF_OK;
    }
    if (!(proj->members[i >> 6] & bit)) {
        proj->members[i >> 6] |= bit;
        if ((e = nested_of(proj, 0)) == NULL)
            return ASFF_OK; /* no free entry: whole */
        e->member = (uint32_t)(i + 1);
    }
    if (e) /* else built whole already */
        e->members[j >> 6] |= (uint64_t)1 << (j & 63);
    return ASFF_OK;
}

bool asff__codec_options_copy(asff_parse_options *dst, const asff_parse_options *src)
{
    switch (src->version) {
    case 0:
    case ASFF_PARSE_OPTIONS_VERSION:
    case 2: /* its projection has no nested entries (asff_parser_new reads them from 3 on) */
        *dst = *src;
        return true;
    case 1: /* without projection: only the fields it has are read */
        memcpy(dst, src, offsetof(asff_parse_options, projection));
        dst->projection = NULL;
        return true;
    default:
        return false;
    }
}

void asff__codec_dry_clear(void *finding)
{
    const asff_type *t = ((asff_object *)finding)->type;
    uint32_t i;
    for (i = 0; i < t->nmembers; i++) {
        const asff_member *m = &t->members[i];
        char *slot = (char *)finding + m->offset;
        const void *v;
        memcpy(&v, slot, sizeof v);
        if (v != asff__codec_dry_mark)
            continue;
        if (m->kind == ASFF_KIND_LIST)
            memset(slot, 0, sizeof(asff_list));
        else if (m->kind == ASFF_KIND_MAP)
            memset(slot, 0, sizeof(asff_map));
        else
            memset(slot, 0, sizeof(void *));
    }
}
