/* Fuzz target: the STS Query-protocol XML answer reader (lib/aws/sts.c, expat). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "aws/aws_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    asff__sts_result r;
    asff_error err;
    asff_error_clear(&err);
    if (asff__sts_parse((const char *)data, size, &r, &err) != ASFF_OK) {
        if (err.code == ASFF_OK || !err.message[0])
            abort();
        return 0;
    }
    /* Every field is a bounded C string. */
    if (strlen(r.key) >= sizeof r.key || strlen(r.token) >= sizeof r.token || strlen(r.message) >= sizeof r.message ||
        strlen(r.code) >= sizeof r.code || strlen(r.account) >= sizeof r.account)
        abort();
    return 0;
}
