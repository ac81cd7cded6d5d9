/* Internal pieces shared by the converters of lib/convert. */
#ifndef ASFF_CONVERT_INTERNAL_H
#define ASFF_CONVERT_INTERNAL_H

#include <yajl/yajl_gen.h>
#include "asff/convert.h"
#include "../codec/codec_internal.h"

/* Longest prefix of s[len] that holds at most max_chars UTF-8 characters and does not end inside
 * one (s is valid UTF-8: the model's strings are). Returns the byte length. */
size_t asff__utf8_prefix(const char *s, size_t len, size_t max_chars);

/* s after its leading white space (ECMAScript's \\s, as Security Hub's NonEmptyString pattern);
 * "" when s is blank. */
const char *asff__skip_space(const char *s);

/* Output of a yajl_gen: a buffer, and whether an append failed. */
typedef struct asff__genout {
    asff_buf buf;
    bool failed;
} asff__genout;

/* A yajl_gen that appends to out (through ya's allocator), or NULL when out of memory. */
yajl_gen asff__convert_gen(asff_yalloc *ya, asff__genout *out, bool pretty);

#endif
