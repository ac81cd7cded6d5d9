/* Internal pieces shared by the parser and the writer of lib/codec. */
#ifndef ASFF_CODEC_INTERNAL_H
#define ASFF_CODEC_INTERNAL_H

#include <yajl/yajl_common.h>
#include "asff/codec.h"
#include "../core/internal.h"

/*
 * yajl does not check the results of its allocations (a NULL from malloc is dereferenced). It gets
 * the caller's allocator through this wrapper, which, when the caller's allocator fails, takes the
 * block from libc instead and raises `failed`: yajl never sees NULL, and the codec then fails the
 * call with ASFF_ERR_NOMEM.
 */
typedef struct asff_yalloc {
    const asff_allocator *alloc;
    bool failed;
    yajl_alloc_funcs funcs;
} asff_yalloc;

void asff_yalloc_init(asff_yalloc *ya, const asff_allocator *alloc);

/* Compact JSON of one model object appended to out (used for asff_document.other_members). */
asff_status asff_codec_object_json(const void *object, asff_buf *out, asff_error *err);

/* The shortest of %.15g, %.16g and %.17g that reads back as v; buf must hold 32 bytes. Returns the
 * length, or 0 when v is not finite (JSON has no inf or nan). */
size_t asff_codec_format_double(double v, char *buf);

#endif
