/*
 * JSON that is not a finding (server responses, filters, rules, config and token files): the one
 * way the library reads it, and the one bridge between asff_allocator and yajl. Internal.
 *
 * Findings go through the typed streaming parser (lib/codec); everything else goes through
 * asff__json_parse: a yajl_tree-shaped tree (so YAJL_IS_* and yajl_tree_get work on it) built without
 * recursion, on the caller's allocator, with explicit depth and size limits, complete UTF-8
 * validation (RFC 3629) and strings that never hold U+0000.
 */
#ifndef ASFF_CORE_JSON_H
#define ASFF_CORE_JSON_H

#include <yajl/yajl_common.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>
#include "internal.h"

/*
 * yajl does not check the results of its allocations (a NULL from malloc is dereferenced). It gets
 * the caller's allocator through this wrapper, which, when the caller's allocator fails, takes the
 * block from libc instead and raises `failed`: yajl never sees NULL, and the caller then fails the
 * call with ASFF_ERR_NOMEM.
 */
typedef struct asff_yalloc {
    const asff_allocator *alloc;
    bool failed;
    yajl_alloc_funcs funcs;
} asff_yalloc;

void asff__yalloc_init(asff_yalloc *ya, const asff_allocator *alloc);
/* A yajl generator on the bridge: initializes *ya for alloc (NULL: the default) and allocates the
 * generator through it. NULL when even that fails; check ya->failed once the text is generated. */
yajl_gen asff__ygen_alloc(asff_yalloc *ya, const asff_allocator *alloc);

/* Length of the longest prefix of s[len] that is valid UTF-8 (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF); len when all of it is. */
size_t asff__utf8_valid_prefix(const char *s, size_t len);

/* Limits of asff__json_parse; zero means the default. */
typedef struct asff__json_limits {
    size_t max_depth;   /* nesting of arrays and objects; default ASFF__JSON_DEPTH */
    size_t max_bytes;   /* size of the text; default ASFF__JSON_BYTES */
} asff__json_limits;
#define ASFF__JSON_DEPTH 64u
#define ASFF__JSON_BYTES ((size_t)64 << 20)

/*
 * Parse exactly one JSON value from text[len] into *out. Errors: ASFF_ERR_SYNTAX (not JSON, or a
 * string holding U+0000), ASFF_ERR_UTF8, ASFF_ERR_LIMIT (depth or size), ASFF_ERR_TRUNCATED (the text
 * ends inside the value; empty text too), ASFF_ERR_NOMEM; err gets the JSON Pointer of the value
 * being read, the byte offset, line and column. Numbers are read in the C locale; a number keeps
 * its text (u.number.r) and the flags of yajl_tree. Free with asff__json_free.
 */
asff_status asff__json_parse(const char *text, size_t len, const asff__json_limits *limits,
                             const asff_allocator *alloc, yajl_val *out, asff_error *err);
/* Free a tree of asff__json_parse (NULL is allowed); alloc must be the one it was parsed with. */
void asff__json_free(yajl_val v, const asff_allocator *alloc);

#endif
