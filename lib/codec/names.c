/* Names already seen in one object or map, for duplicate checks (codec_internal.h): a per-object
 * bit filter in front of a linear scan, and a hash set once an object has many unknown members or
 * map keys. */
#include <string.h>
#include "codec_internal.h"

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

bool asff__codec_name_seen_slow(frame *f, const char *s, size_t len)
{
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

/* Past NAMESET_LINEAR names: the hash set, built or grown when due. */
bool asff__codec_name_add_slow(frame *f, const char *name)
{
    if (!f->hset || (f->hcount + 1) * 2 > f->hcap) {
        /* (Re)build from the stored names: the old table stays in the arena until it is reset. */
        uint32_t cap = f->hcap ? f->hcap * 2 : 64;
        asff_arena *a = ((asff_object *)f->obj)->arena;
        f->hset = asff_arena_alloc_fast(a, cap * sizeof *f->hset);
        if (!f->hset)
            return false;
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
        return true;
    }
    hset_insert(f, name);
    return true;
}
