/* Internal: the generated tables (lib/model/model_tables.c), seen by the model runtime only. */
#ifndef ASFF_MODEL_TABLES_H
#define ASFF_MODEL_TABLES_H

#include <stdint.h>
#include "asff/object.h"

extern const asff_type *const asff_model_types_[];      /* index = type id; [0] and retired ids NULL */
extern const unsigned asff_model_type_count_;
extern const uint16_t asff_model_types_by_name_[];     /* ids of live types sorted by name */
extern const asff_enum asff_model_enums_[];
extern const unsigned asff_model_enum_count_;
extern const char asff_model_version_[];
extern const char asff_model_sha256_[];

#endif
