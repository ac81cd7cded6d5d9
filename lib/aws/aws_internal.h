/* Internal pieces of lib/aws shared between its files. */
#ifndef ASFF_AWS_INTERNAL_H
#define ASFF_AWS_INTERNAL_H

#include "asff/aws.h"
#include "core/internal.h"

/* True when the ini has the section (config style: `[profile NAME]` or, for default, `[default]`). */
bool asff__aws_ini_has_section(const asff_aws_ini *ini, const char *section);


/* Region names: [a-z0-9-]{1,64}, not starting or ending with a dash. */
bool asff__aws_valid_region(const char *region);
#endif
