/** @file
 * libasff: every public header. Include this one, or only the modules you use. */
#ifndef ASFF_ASFF_H
#define ASFF_ASFF_H

#include "asff/core.h"
#include "asff/object.h"
#include "asff/model.h"
#include "asff/codec.h"
#include "asff/validate.h"
#include "asff/filter.h"
#include "asff/sigv4.h"
#include "asff/aws.h"
#include "asff/client.h"
#include "asff/convert.h"

#endif
