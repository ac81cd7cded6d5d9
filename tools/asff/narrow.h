/* Narrowing a filter set by another: the filters that match what BOTH match, in Security Hub's filter
 * language (rules N1..N7 in docs/filter.md). Used by `asff insight --managed N --filters` and
 * `asff insights create --managed N --filters`. */
#ifndef ASFF_NARROW_H
#define ASFF_NARROW_H

#include <stddef.h>
#include "asff/asff.h"

typedef enum narrow_result {
    NARROW_OK = 0,       /* *out holds the combined AwsSecurityFindingFilters */
    NARROW_EMPTY,        /* the two sets have nothing in common: why names the attribute */
    NARROW_INEXPRESSIBLE,/* the intersection cannot be written as one filter set: why names the attribute */
    NARROW_ERROR         /* not JSON objects, or out of memory: why says which */
} narrow_result;

/* Combine base[blen] and extra[elen] (AwsSecurityFindingFilters objects, or request bodies holding one
 * under "Filters"; both already checked by asff_filter_compile). *out is malloc'd, NUL-terminated
 * compact JSON on NARROW_OK; why[size] is one line (attribute names and values as given: escape it
 * before printing) otherwise. */
narrow_result narrow_filters(const char *base, size_t blen, const char *extra, size_t elen, char **out, char *why,
                             size_t size);

/* The command-line side: the managed insight m narrowed by filters_arg (JSON or @FILE). The result,
 * compiled once with fo (NULL: defaults) to check it, goes to *out (malloc'd JSON). An exit code: 0; 2
 * (message printed) when --filters is not a valid filter, when the two sets leave nothing (naming the
 * attribute) or when their intersection cannot be written as one filter set; 3 when it cannot be read. */
int cli_narrow_managed(const char *cmd, const asff_managed_insight *m, const char *filters_arg,
                       const asff_filter_options *fo, char **out);

#endif
