/* Internal: the generated tables (lib/model/model_tables.c), seen by the model runtime only. */
#ifndef ASFF_MODEL_TABLES_H
#define ASFF_MODEL_TABLES_H

#include <stdint.h>
#include "asff/object.h"

extern const asff_type *const asff__model_types[];      /* index = type id; [0] and retired ids NULL */
extern const unsigned asff__model_type_count;
extern const uint16_t asff__model_types_by_name[];     /* ids of live types sorted by name */
extern const asff_enum asff__model_enums[];
extern const unsigned asff__model_enum_count;
extern const char asff__model_version[];
extern const char asff__model_sha256[];

#endif
