/*
 * Fuzz target for validate + normalize: arbitrary bytes are parsed (any envelope); for each finding
 * validation must not crash, normalizing must be idempotent (a second pass changes nothing) and
 * must never add an error (per rule id, no more errors after normalizing than before).
 * Violations of these properties abort, which is how libFuzzer learns about them.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "asff/asff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_RULES 256

typedef struct counts {
    const char *rule[MAX_RULES];
    size_t n[MAX_RULES];
    size_t count;
} counts;

static void count_errors(const asff_report *r, counts *c)
{
    size_t i, j;
    c->count = 0;
    for (i = 0; i < asff_report_count(r); i++) {
        const asff_violation *v = asff_report_get(r, i);
        if (v->level != ASFF_LEVEL_ERROR)
            continue;
        for (j = 0; j < c->count && strcmp(c->rule[j], v->rule) != 0; j++)
            ;
        if (j == MAX_RULES)
            continue;
        if (j == c->count) {
            c->rule[c->count] = v->rule;
            c->n[c->count++] = 0;
        }
        c->n[j]++;
    }
}

static void check_finding(asff_AwsSecurityFinding *f, asff_report *before, asff_report *after, unsigned variant)
{
    static counts cb, ca;
    asff_validate_options vo = ASFF_VALIDATE_OPTIONS_INIT;
    asff_normalize_options no = ASFF_NORMALIZE_OPTIONS_INIT;
    const char *json;
    size_t i, j;
    vo.strict_taxonomy = variant & 1;
    no.truncate = (variant & 2) != 0;
    no.derive_product = (variant & 4) != 0;
    asff_report_clear(before);
    if (asff_validate(f, &vo, before) == ASFF_ERR_NOMEM)
        return;
    if (asff_report_to_json(before, &json, NULL) != ASFF_OK)
        return;
    count_errors(before, &cb);
    asff_report_clear(after);
    if (asff_normalize(f, &no, after) != ASFF_OK)
        return;
    asff_report_clear(after);
    if (asff_normalize(f, &no, after) != ASFF_OK)
        return;
    if (asff_report_change_count(after) != 0)
        abort();  /* not idempotent */
    asff_report_clear(after);
    if (asff_validate(f, &vo, after) == ASFF_ERR_NOMEM)
        return;
    count_errors(after, &ca);
    for (i = 0; i < ca.count; i++) {
        size_t was = 0;
        for (j = 0; j < cb.count; j++)
            if (strcmp(cb.rule[j], ca.rule[i]) == 0)
                was = cb.n[j];
        if (ca.n[i] > was)
            abort();  /* normalizing added an error */
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    asff_parse_options po = ASFF_PARSE_OPTIONS_INIT;
    asff_finding_list *list = NULL;
    asff_report *before, *after;
    size_t i;
    unsigned variant = size ? data[size - 1] : 0;
    po.skip_invalid = true;
    po.max_finding = 1u << 20;
    if (asff_parse_buffer(data, size, &po, &list, NULL) != ASFF_OK || !list) {
        asff_finding_list_free(list);
        return 0;
    }
    (void)asff_report_new(NULL, &before, NULL);
    (void)asff_report_new(NULL, &after, NULL);
    if (before && after) {
        (void)asff_validate_batch((const asff_AwsSecurityFinding *const *)list->items, list->count, NULL, before);
        for (i = 0; i < list->count; i++)
            check_finding(list->items[i], before, after, variant);
    }
    asff_report_free(before);
    asff_report_free(after);
    asff_finding_list_free(list);
    return 0;
}
