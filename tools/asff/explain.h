/* Why a filter matched nothing: each attribute's condition evaluated alone over the findings read
 * (asff_filter_match_attribute), so that `asff insight` and `asff filter` can say which attribute
 * emptied the result (docs/cli.md). */
#ifndef ASFF_EXPLAIN_H
#define ASFF_EXPLAIN_H

#include "cli.h"

typedef struct explain {
    const asff_filter *filter;
    uint64_t read;      /* findings seen */
    uint64_t matched;   /* findings that passed the whole filter */
    uint64_t *pass;     /* per attribute: findings that passed its condition alone */
    uint64_t *absent;   /* per attribute: findings without a value at its path */
    size_t n;
} explain;

/* Start counting for filter (kept, not owned); false when out of memory (then nothing is counted). */
bool explain_init(explain *x, const asff_filter *filter);
/* One finding read. Once one has matched, the per-attribute counts are no longer needed or kept. */
void explain_add(explain *x, const void *finding);
/* When findings were read and none matched: one line on stderr, "asff CMD: none of N findings
 * matched; ATTR (CONDITION) matched K (M findings have no PATH)", naming the attribute that passed
 * fewest. Nothing otherwise. */
void explain_report(const explain *x, const char *cmd);
void explain_free(explain *x);

#endif
