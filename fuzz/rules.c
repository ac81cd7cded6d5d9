/* Fuzz target: automation rules JSON (untrusted `asff rules apply` input). Rules that parse are
 * applied (chained and not, at an ordinary and at an extreme current time) to a sample finding, which
 * must then hold no error under the members a rule writes: rules never write what validate rejects. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "asff/filter.h"
#include "asff/model.h"
#include "asff/validate.h"

/* An error of validate under a member automation rules write (missing required members aside). */
static int written_error(const asff_AwsSecurityFinding *f)
{
    static const char *const tops[] = {"/Note", "/Severity", "/VerificationState", "/Confidence", "/Criticality",
                                       "/Types", "/UserDefinedFields", "/Workflow", "/RelatedFindings"};
    asff_report *rep = NULL;
    (void)asff_report_new(NULL, &rep, NULL);
    size_t i, j, n;
    int bad = 0;
    if (!rep)
        return 0;
    (void)asff_validate(f, NULL, rep);
    n = asff_report_count(rep);
    for (i = 0; i < n; i++) {
        const asff_violation *v = asff_report_get(rep, i);
        if (v->level != ASFF_LEVEL_ERROR || strncmp(v->rule, "required", 8) == 0)
            continue;
        for (j = 0; j < sizeof tops / sizeof *tops; j++) {
            size_t l = strlen(tops[j]);
            if (strncmp(v->path, tops[j], l) == 0 && (v->path[l] == 0 || v->path[l] == '/'))
                bad = 1;
        }
    }
    asff_report_free(rep);
    return bad;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int64_t nows[] = {1717200000, INT64_C(253402300800)}; /* 2024-06-01, 10000-01-01 */
    int pass;
    for (pass = 0; pass < 4; pass++) {
        int chained = pass & 1;
        asff_rules_options o = ASFF_RULES_OPTIONS_INIT;
        asff_rules *r = NULL;
        asff_error err;
        asff_AwsSecurityFinding *f;
        size_t i, fired;
        o.not_chained = chained == 1;
        o.has_now = true;
        o.now_seconds = nows[pass >> 1];
        if (asff_rules_parse((const char *)data, size, &o, &r, &err) != ASFF_OK) {
            if (r || err.code == ASFF_OK)
                abort();
            continue;
        }
        for (i = 0; i < asff_rules_count(r); i++)
            if (!asff_rules_name(r, i) || !asff_rules_arn(r, i))
                abort();
        f = ASFF_NEW_ROOT(AwsSecurityFinding, NULL);
        if (f) {
            asff_set_string(f, "Id", "id-1");
            asff_set_string(f, "AwsAccountId", "111111111111");
            asff_set_string(asff_get_object(f, "Severity", true), "Label", "HIGH");
            asff_list_append_string(f, "Types", "TTPs/Discovery");
            if (asff_rules_apply(r, f, NULL, NULL, &fired, &err) == ASFF_OK && fired > asff_rules_count(r))
                abort();
            if (written_error(f))
                abort();
            /* a second pass sees the updated finding */
            (void)asff_rules_apply(r, f, NULL, NULL, &fired, &err);
            asff_object_free(f);
        }
        asff_rules_free(r);
    }
    return 0;
}
