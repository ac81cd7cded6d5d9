/* Batch rules: what holds between the findings of one BatchImportFindings request (BI-*). */
#include <stdio.h>
#include <string.h>
#include "asff/codec.h"
#include "vinternal.h"

#if defined(__GNUC__) || defined(__clang__)
extern size_t asff_json_size(const void *object) __attribute__((weak));
#define HAVE_JSON_SIZE() (asff_json_size != NULL)
#else
#define HAVE_JSON_SIZE() 1
#endif

static uint64_t key_hash(const char *arn, const char *id)
{
    return asff__hash_bytes(id, strlen(id), asff__hash_bytes(arn, strlen(arn), 0));
}

/* BI-10: a (ProductArn, Id) seen before in the batch. One table per batch, on the report's allocator. */
static asff_status duplicates(const asff_AwsSecurityFinding *const *fs, size_t n, uint64_t base, asff_report *r)
{
    size_t cap = 16, i;
    size_t *slots;
    asff_status st = ASFF_OK;
    while (cap < n * 2)
        cap *= 2;
    slots = asff__malloc(r->alloc, cap * sizeof *slots);
    if (!slots)
        return ASFF_ERR_NOMEM;
    for (i = 0; i < cap; i++)
        slots[i] = SIZE_MAX;
    for (i = 0; i < n && st == ASFF_OK; i++) {
        const asff_AwsSecurityFinding *f = fs[i];
        size_t h;
        if (!f || !f->ProductArn || !f->Id)
            continue;
        h = (size_t)(key_hash(f->ProductArn, f->Id) & (cap - 1));
        for (;; h = (h + 1) & (cap - 1)) {
            const asff_AwsSecurityFinding *g;
            if (slots[h] == SIZE_MAX) {
                slots[h] = i;
                break;
            }
            g = fs[slots[h]];
            if (strcmp(g->ProductArn, f->ProductArn) == 0 && strcmp(g->Id, f->Id) == 0) {
                char first[24];
                snprintf(first, sizeof first, "%zu", slots[h]);
                st = asff__vr_add(r, ASFF_LEVEL_WARNING, "batch.duplicate", NULL, NULL, "BI-10", "/Id", NULL, first,
                            base + i, "same ProductArn and Id as finding %zu of the batch; the last one wins",
                            slots[h]);
                slots[h] = i;  /* later duplicates point at the latest occurrence */
                break;
            }
        }
    }
    asff__free(r->alloc, slots);
    return st;
}

asff_status asff_validate_batch(const asff_AwsSecurityFinding *const *fs, size_t n,
                                const asff_validate_options *options, asff_report *r)
{
    static const asff_validate_options defaults = ASFF_VALIDATE_OPTIONS_INIT;
    asff_validate_options o;
    size_t errors, i, bytes = 13 + 2;  /* {"Findings":[ ... ]} */
    const char *account = NULL, *region = NULL;
    size_t region_len = 0;
    asff_status st;
    char lim[32], act[32];
    if (!r || (n && !fs))
        return ASFF_ERR_INVALID_ARG;
    if (options && (options->version && options->version != ASFF_VALIDATE_OPTIONS_VERSION))
        return ASFF_ERR_INVALID_ARG;
    o = options ? *options : defaults;
    errors = r->errors;
    for (i = 0; i < n; i++) {
        const asff_AwsSecurityFinding *f = fs[i];
        v_arn a;
        o.index = (options ? options->index : 0) + i;
        if (!f)
            return ASFF_ERR_INVALID_ARG;
        st = asff_validate(f, &o, r);
        if (st != ASFF_OK && st != ASFF_ERR_INVALID)
            return st;
        if (HAVE_JSON_SIZE())
            bytes += asff_json_size(f) + (i ? 1 : 0);
        if (!f->ProductArn || !asff__v_parse_product_arn(f->ProductArn, &a))
            continue;
        /* BI-6: with /default ARNs the caller must be the finding's account: one account per call. */
        if (asff__v_arn_is_default(&a) && f->AwsAccountId) {
            if (!account)
                account = f->AwsAccountId;
            else if (strcmp(account, f->AwsAccountId) != 0 &&
                     (st = asff__vr_add(r, ASFF_LEVEL_WARNING, "batch.account", NULL, NULL, "BI-6", "/AwsAccountId",
                                  account, f->AwsAccountId, o.index,
                                  "custom-integration findings of another account than the first (%s): one "
                                  "call can only import the caller's own findings", account)) != ASFF_OK)
                return st;
        }
        /* A call goes to one Region's endpoint; ProductArns of several Regions cannot share it. */
        if (!region) {
            region = a.region;
            region_len = a.region_len;
        } else if ((a.region_len != region_len || memcmp(a.region, region, region_len) != 0)) {
            char first[64];
            snprintf(first, sizeof first, "%.*s", (int)(region_len < 60 ? region_len : 60), region);
            snprintf(act, sizeof act, "%.*s", (int)(a.region_len < 30 ? a.region_len : 30), a.region);
            if ((st = asff__vr_add(r, ASFF_LEVEL_WARNING, "batch.region", NULL, NULL, "ID-11", "/ProductArn", first, act,
                             o.index, "ProductArn Region differs from the first finding's (%s)", first)) != ASFF_OK)
                return st;
        }
    }
    if ((st = duplicates(fs, n, options ? options->index : 0, r)) != ASFF_OK)
        return st;
    if (n > ASFF_BATCH_MAX_FINDINGS) {
        snprintf(lim, sizeof lim, "%d", ASFF_BATCH_MAX_FINDINGS);
        snprintf(act, sizeof act, "%zu", n);
        if ((st = asff__vr_add(r, ASFF_LEVEL_ADVICE, "batch.count", NULL, NULL, "BI-2", "", lim, act, o.index,
                         "%zu findings: split into %zu calls of at most 100", n, (n + 99) / 100)) != ASFF_OK)
            return st;
    }
    if (HAVE_JSON_SIZE() && bytes > ASFF_BATCH_MAX_BYTES) {
        snprintf(lim, sizeof lim, "%u", ASFF_BATCH_MAX_BYTES);
        snprintf(act, sizeof act, "%zu", bytes);
        if ((st = asff__vr_add(r, ASFF_LEVEL_ADVICE, "batch.size", NULL, NULL, "BI-4", "", lim, act, o.index,
                         "request body of %zu bytes: split into calls of at most 6,000,000", bytes)) != ASFF_OK)
            return st;
    }
    return r->errors > errors ? ASFF_ERR_INVALID : ASFF_OK;
}
