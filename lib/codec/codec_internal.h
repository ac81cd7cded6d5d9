/* Internal pieces shared by the parser and the writer of lib/codec. */
#ifndef ASFF_CODEC_INTERNAL_H
#define ASFF_CODEC_INTERNAL_H

#include "asff/codec.h"
#include "../core/internal.h"
#include "../core/json.h"


/* Compact JSON of one model object appended to out (used for asff_document.other_members). */
asff_status asff__codec_object_json(const void *object, asff_buf *out, asff_error *err);

/* The shortest of %.15g, %.16g and %.17g that reads back as v; buf must hold 32 bytes. Returns the
 * length, or 0 when v is not finite (JSON has no inf or nan). */
size_t asff__codec_format_double(double v, char *buf);

#endif
