/* Fuzz target: the core JSON reader (lib/core/json.h) that every non-finding JSON text goes through.
 * Checks: an error always says what and where (a message on one line, an offset inside the input, a
 * JSON Pointer); what it accepts is valid UTF-8 without U+0000 or duplicate keys, and yajl_tree reads
 * the same text to the same tree (the reader is yajl, stricter: never more lenient). */
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>
#include "core/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Same tree? The reader's depth limit (64) bounds this recursion. */
static int same(yajl_val a, yajl_val b)
{
    size_t i;
    if (a->type != b->type)
        return 0;
    switch (a->type) {
    case yajl_t_string:
        return strcmp(a->u.string, b->u.string) == 0;
    case yajl_t_number:
        return strcmp(a->u.number.r, b->u.number.r) == 0;
    case yajl_t_object:
        if (a->u.object.len != b->u.object.len)
            return 0;
        for (i = 0; i < a->u.object.len; i++)
            if (strcmp(a->u.object.keys[i], b->u.object.keys[i]) != 0 ||
                !same(a->u.object.values[i], b->u.object.values[i]))
                return 0;
        return 1;
    case yajl_t_array:
        if (a->u.array.len != b->u.array.len)
            return 0;
        for (i = 0; i < a->u.array.len; i++)
            if (!same(a->u.array.values[i], b->u.array.values[i]))
                return 0;
        return 1;
    default:
        return 1;
    }
}

/* Every string and key of the tree: no U+0000 (C strings), valid UTF-8; no key twice in an object. */
static int clean(yajl_val v)
{
    size_t i, j;
    if (YAJL_IS_STRING(v))
        return asff__utf8_valid_prefix(v->u.string, strlen(v->u.string)) == strlen(v->u.string);
    if (YAJL_IS_OBJECT(v)) {
        for (i = 0; i < v->u.object.len; i++) {
            const char *k = v->u.object.keys[i];
            if (asff__utf8_valid_prefix(k, strlen(k)) != strlen(k) || !clean(v->u.object.values[i]))
                return 0;
            for (j = 0; j < i; j++)
                if (strcmp(k, v->u.object.keys[j]) == 0)
                    return 0;
        }
    }
    if (YAJL_IS_ARRAY(v))
        for (i = 0; i < v->u.array.len; i++)
            if (!clean(v->u.array.values[i]))
                return 0;
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    yajl_val tree = NULL;
    asff_error err;
    asff_status st;
    asff_error_clear(&err);
    st = asff__json_parse((const char *)data, size, NULL, NULL, &tree, &err);
    if (st != ASFF_OK) {
        if (tree || err.code != st || !err.message[0] || strchr(err.message, '\n') || err.offset > size ||
            (err.path[0] && err.path[0] != '/') || err.line < 1)
            abort();
        return 0;
    }
    if (!tree || asff__utf8_valid_prefix((const char *)data, size) != size || !clean(tree))
        abort();
    {
        /* yajl_tree wants a NUL-terminated copy; the text holds no NUL outside strings, and none inside */
        char *copy = malloc(size + 1);
        char ebuf[128];
        yajl_val ref;
        if (!copy)
            abort();
        memcpy(copy, data, size);
        copy[size] = 0;
        ref = strlen(copy) == size ? yajl_tree_parse(copy, ebuf, sizeof ebuf) : NULL;
        if (!ref || !same(tree, ref))
            abort();
        yajl_tree_free(ref);
        free(copy);
    }
    asff__json_free(tree, NULL);
    return 0;
}
