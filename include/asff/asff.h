/* libasff: every public header. Include this one, or only the modules you use. */
#ifndef ASFF_ASFF_H
#define ASFF_ASFF_H

#include "asff/core.h"
#include "asff/object.h"
#include "asff/model.h"
#include "asff/codec.h"

#endif
