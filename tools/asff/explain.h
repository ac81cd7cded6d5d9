/* Why a filter matched nothing: each attribute's condition evaluated alone over the findings read
 * (asff_filter_match_attribute), so that `asff insight` and `asff filter` can say which attribute
 * emptied the result (docs/cli.md). */
#ifndef ASFF_EXPLAIN_H
#define ASFF_EXPLAIN_H

#include <stdatomic.h>
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

/* filter and insight with --jobs: the filter is matched on the reading threads (the work callback,
 * docs/codec.md Parallel reading). The result is the explain_match itself for a finding that passes;
 * while no finding has passed, a finding that does not gets what each attribute alone said of it (for
 * explain_result), after that NULL (ASFF_PARALLEL_SPARSE: it is not kept). Counting happens on the
 * calling thread, in input order, once per finding delivered. */
typedef struct explain_match {
    const asff_filter *filter;
    size_t n;                   /* attributes */
    atomic_bool passed;         /* a thread has seen a finding pass */
} explain_match;

void explain_match_init(explain_match *m, const asff_filter *filter);
/* The work callback (asff_work_fn): ctx is the explain_match. */
void *explain_match_work(void *ctx, unsigned worker, const void *finding, const asff_finding_info *info);
/* Frees a result of explain_match_work (the work_free of asff_parallel_options). */
void explain_match_free(void *ctx, void *result);
/* A finding's work result counted in x, and freed; true when the finding passed. */
bool explain_result(explain *x, const explain_match *m, void *result);

#endif
