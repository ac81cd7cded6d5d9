/* JSON text -> Python pickle opcodes, for the batch reader's ASFF_BATCH_PICKLE format (pickle.c). */
#ifndef ASFF_FILTER_PICKLE_H
#define ASFF_FILTER_PICKLE_H

#include "core/internal.h"

typedef struct asff__pickle_slot {
    uint32_t generation, hash, off, len, idx;
} asff__pickle_slot;

/* State kept between values: the memo of member names (one per pickle: reset it when a new pickle
 * starts, since memo indices are written from 0), and scratch buffers. */
typedef struct asff__pickler {
    const asff_allocator *alloc;
    asff__pickle_slot *slots;   /* member name -> memo index, open addressing */
    uint32_t generation, next_memo, used;
    asff_buf keys;              /* the memoized names' bytes */
    asff_buf tmp;               /* an unescaped string, a number's text */
    asff_buf stack;             /* '{' or '[' per open container */
} asff__pickler;

void asff__pickler_init(asff__pickler *p, const asff_allocator *alloc);
void asff__pickler_reset_memo(asff__pickler *p);
void asff__pickler_cleanup(asff__pickler *p);
/* Append the opcodes that push the value of json[len] (one JSON value the parser accepted) to out.
 * ASFF_ERR_SYNTAX when the text is not such a value, ASFF_ERR_NOMEM; out may then hold a part. */
asff_status asff__pickle_json(asff__pickler *p, asff_buf *out, const char *json, size_t len);

#endif
