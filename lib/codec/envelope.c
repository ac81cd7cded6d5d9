/* The members of envelopes that fill asff_document (codec_internal.h, docs/codec.md Envelopes). */
#include <stddef.h>
#include <string.h>
#include "codec_internal.h"

static const asff__codec_key top_keys[] = {
    {"id", 2, offsetof(asff_document, event_id), SP_DOCSTR},
    {"detail-type", 11, offsetof(asff_document, detail_type), SP_DOCSTR},
    {"source", 6, offsetof(asff_document, source), SP_DOCSTR},
    {"account", 7, offsetof(asff_document, account), SP_DOCSTR},
    {"time", 4, offsetof(asff_document, time), SP_DOCSTR},
    {"region", 6, offsetof(asff_document, region), SP_DOCSTR},
    {"resources", 9, offsetof(asff_document, resources), SP_DOCJSON},
    {"NextToken", 9, offsetof(asff_document, next_token), SP_NEXTTOKEN},
}, detail_keys[] = {
    {"actionName", 10, offsetof(asff_document, action_name), SP_DOCSTR},
    {"actionDescription", 17, offsetof(asff_document, action_description), SP_DOCSTR},
    {"insightArn", 10, offsetof(asff_document, insight_arn), SP_DOCSTR},
    {"insightName", 11, offsetof(asff_document, insight_name), SP_DOCSTR},
    {"resultType", 10, offsetof(asff_document, result_type), SP_DOCSTR},
    {"insightResults", 14, offsetof(asff_document, insight_results), SP_DOCJSON},
};

const asff__codec_key *asff__codec_envelope_key(const unsigned char *s, size_t len, bool detail)
{
    const asff__codec_key *k = detail ? detail_keys : top_keys;
    size_t i, n = detail ? sizeof detail_keys / sizeof detail_keys[0] : sizeof top_keys / sizeof top_keys[0];
    /* every top-level member of a finding comes here: most are refused by their first byte (the
     * keys above begin with a lowercase letter or "N"; a finding's members with an uppercase one) */
    if (!len || (s[0] < 'a' && s[0] != 'N'))
        return NULL;
    for (i = 0; i < n; i++)
        if (k[i].len == len && memcmp(s, k[i].name, len) == 0)
            return &k[i];
    return NULL;
}
