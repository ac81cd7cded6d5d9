/* Fuzz target: automation rules JSON (untrusted `asff rules apply` input). Rules that parse are
 * applied (chained and not) to a sample finding. */
#include <stdint.h>
#include <stdlib.h>
#include "asff/filter.h"
#include "asff/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int chained;
    for (chained = 0; chained < 2; chained++) {
        asff_rules_options o = ASFF_RULES_OPTIONS_INIT;
        asff_rules *r = NULL;
        asff_error err;
        asff_AwsSecurityFinding *f;
        size_t i, fired;
        o.not_chained = chained == 1;
        o.has_now = true;
        o.now_seconds = 1717200000;
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
            /* a second pass sees the updated finding */
            (void)asff_rules_apply(r, f, NULL, NULL, &fired, &err);
            asff_object_free(f);
        }
        asff_rules_free(r);
    }
    return 0;
}
