/* What the codec's fuzz targets share (parse, frontends, project, parallel); header-only: the parse
 * options a target's first byte picks, and the text its logs compare (errors, finding infos). */
#ifndef ASFF_CODEC_FUZZ_H
#define ASFF_CODEC_FUZZ_H

#include <inttypes.h>
#include <stdint.h>
#include "asff/codec.h"
#include "core/internal.h"

/* Bits 0-2 of b the envelope (mod 6), bit 3 skip_invalid, bit 4 small limits, bit 5 keep; the top
 * two bits are the target's own. */
static inline void fz_parse_options(uint8_t b, asff_parse_options *o)
{
    o->envelope = (asff_envelope)((b & 7) % 6);
    o->skip_invalid = (b & 8) != 0;
    if (b & 16) {
        o->max_depth = 6;
        o->max_string = 16;
        o->max_finding = 200;
        o->max_members = 5;
    }
    o->keep = (b & 32) != 0;
}

static inline void fz_log_error(asff_buf *b, const char *what, const asff_error *e)
{
    (void)asff__buf_appendf(b, "%s %d [%s] %s @%" PRIu64 " %" PRIu64 ":%" PRIu64 "\n", what, (int)e->code, e->message,
                            e->path, e->offset, e->line, e->column);
}

/* A finding's or skipped item's info, without the document (see fuzz/frontends.c for one with). */
static inline void fz_log_info(asff_buf *b, const asff_finding_info *info)
{
    (void)asff__buf_appendf(b, "  #%" PRIu64 " %s @%" PRIu64 "+%" PRIu64 " line %" PRIu64 "\n", info->index, info->path,
                            info->offset, info->length, info->line);
}

#endif
