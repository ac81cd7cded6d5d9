/* Fuzz target: arbitrary bytes parsed as a raw HTTP request (the SigV4 test-vector .req format), then
 * canonicalized, signed and presigned. Must never crash; every stage must stay consistent. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "asff/sigv4.h"
#include "sigv4/rawreq.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    asff_rawreq raw;
    asff_error err;
    asff_sigv4_options o = ASFF_SIGV4_OPTIONS_INIT;
    asff_sigv4_request r = ASFF_SIGV4_REQUEST_INIT;
    asff_credentials c = {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", NULL, 0};
    asff_sigv4 *s;
    unsigned flags = size ? data[0] : 0;
    /* The first byte picks the options, so that every switch is explored. */
    if (size) {
        data++;
        size--;
    }
    o.no_normalize_path = flags & 1;
    o.no_double_encode_path = flags & 2;
    o.unsigned_payload = (flags & 4) != 0;
    o.add_content_sha256 = (flags & 8) != 0;
    o.token_after_signing = flags & 16;
    if (flags & 32)
        c.session_token = "AQoDYXdzEPT//////////wEXAMPLE+token=";
    if (asff__rawreq_parse((const char *)data, size, NULL, &raw, &err) != ASFF_OK)
        return 0;
    (void)asff_sigv4_new(&o, &s, NULL);
    if (!s) {
        asff__rawreq_cleanup(&raw);
        return 0;
    }
    r.method = raw.method;
    if (flags & 64) {
        /* The target as a whole URL ("https://host/path?query" in the request line). */
        r.url = raw.path;
    } else {
        r.path = raw.path;
        r.path_len = raw.path_len;
        r.query = raw.query;
        r.query_len = raw.query_len;
    }
    r.headers = raw.headers;
    r.header_count = raw.header_count;
    r.body = raw.body;
    r.body_len = raw.body_len;
    if (asff_sigv4_sign(s, &r, &c, "us-east-1", "service", INT64_C(1440938160), &err) == ASFF_OK) {
        char sts[512];
        const char *creq = asff_sigv4_canonical_request(s);
        size_t n, i;
        const asff_sigv4_header *h = asff_sigv4_headers(s, &n);
        /* The string to sign must be reproducible from the canonical request alone. */
        if (asff_sigv4_make_string_to_sign(creq, strlen(creq), INT64_C(1440938160), "us-east-1", "service", sts,
                                           sizeof sts) != ASFF_OK ||
            strcmp(sts, asff_sigv4_string_to_sign(s)) != 0 || strlen(asff_sigv4_signature(s)) != 64 || n == 0)
            abort();
        for (i = 0; i < n; i++)
            if (strlen(h[i].value) != h[i].value_len)
                abort();
    }
    if (asff_sigv4_presign(s, &r, &c, "us-east-1", "service", INT64_C(1440938160), 900, &err) == ASFF_OK &&
        !strstr(asff_sigv4_presigned_query(s), "X-Amz-Signature="))
        abort();
    asff_sigv4_free(s);
    asff__rawreq_cleanup(&raw);
    return 0;
}
