/* Fuzz target: AwsSecurityFindingFilters JSON (untrusted --filters input) and SortCriteria.
 * Compiles in both modes; a filter that compiles must match without crashing, write canonical JSON
 * that compiles again to the same canonical JSON, drive an insight, and prefilter the input's own text
 * over many lines as it does line by line. A third pass compiles at the most negative current time. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "asff/filter.h"
#include "asff/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static asff_AwsSecurityFinding *sample(void)
{
    asff_AwsSecurityFinding *f = ASFF_NEW_ROOT(AwsSecurityFinding, NULL);
    asff_Resource *r;
    if (!f)
        return NULL;
    asff_set_string(f, "Id", "id-1");
    asff_set_string(f, "Title", "Title");
    asff_set_string(f, "UpdatedAt", "2024-05-30T10:00:00.123Z");
    asff_set_string(asff_get_object(f, "Severity", true), "Label", "HIGH");
    asff_set_int(f, "Confidence", 50);
    asff_set_bool(f, "Sample", true);
    asff_list_append_string(f, "Types", "TTPs/Discovery");
    asff_map_set(f, "UserDefinedFields", "k", "v");
    asff_set_string(asff_get_object(f, "Network", true), "SourceIpV4", "10.1.2.3");
    asff_set_string(asff_get_object(f, "Network", true), "SourceIpV6", "2001:db8::1");
    r = asff_list_append_object(f, "Resources");
    if (r) {
        asff_set_string(r, "Type", "AwsEc2Instance");
        asff_set_string(r, "Id", "i-1");
        asff_map_set(r, "Tags", "env", "prod");
    }
    return f;
}

/* asff_filter_prefilter_next must stop at the line that asff_filter_prefilter finds line by line. */
static void check_prefilter_next(const asff_filter *flt, const char *text, size_t len)
{
    size_t pos = 0, lines = 0, got_lines;
    size_t got = asff_filter_prefilter_next(flt, text, len, &got_lines);
    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) + 1 : len;
        if (asff_filter_prefilter(flt, text + pos, end - pos))
            break;
        lines += nl != NULL;
        pos = end;
    }
    if (got != pos || got_lines != lines)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    asff_AwsSecurityFinding *f = sample();
    int pass;
    asff_sort *s;
    for (pass = 0; pass < 3; pass++) {
        int mode = pass & 1;
        asff_filter_options o = ASFF_FILTER_OPTIONS_INIT;
        asff_filter *flt = NULL, *again = NULL;
        asff_error err;
        char *a = NULL, *b = NULL;
        o.mode = mode ? ASFF_FILTER_RULE : ASFF_FILTER_FINDINGS;
        o.has_now = true;
        o.now_seconds = pass < 2 ? 1717200000 : INT64_MIN; /* DateRange arithmetic at the bottom of int64 */
        if (asff_filter_compile((const char *)data, size, &o, &flt, &err) != ASFF_OK) {
            if (flt || err.code == ASFF_OK || !err.message[0])
                abort();
            continue;
        }
        (void)asff_filter_match(flt, f);
        check_prefilter_next(flt, (const char *)data, size); /* the input as NDJSON text */
        if (asff_filter_to_json(flt, &a, NULL, &err) == ASFF_OK) {
            o.local = true; /* the canonical form may list ignored attributes' absence, never more */
            if (asff_filter_compile(a, strlen(a), &o, &again, &err) != ASFF_OK)
                abort();
            if (asff_filter_to_json(again, &b, NULL, &err) != ASFF_OK || strcmp(a, b) != 0)
                abort();
            if (asff_filter_match(again, f) != asff_filter_match(flt, f))
                abort();
            asff_free_string(b);
            asff_filter_free(again);
            asff_free_string(a);
        }
        {
            asff_insight *ins;
            if (asff_insight_new(flt, "ResourceType", NULL, &ins, NULL) == ASFF_OK) {
                (void)asff_insight_add(ins, f);
                asff_insight_free(ins);
            }
        }
        asff_filter_free(flt);
    }
    (void)asff_sort_new(NULL, &s, NULL);
    if (s) {
        if (asff_sort_add_json(s, (const char *)data, size, NULL) == ASFF_OK)
            (void)asff_sort_compare(s, f, f);
        asff_sort_free(s);
    }
    asff_object_free(f);
    return 0;
}
