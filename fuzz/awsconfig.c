/* Fuzz target: the AWS shared config / credentials file parser, both styles, and lookups. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "asff/aws.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int style;
    for (style = 0; style < 2; style++) {
        asff_aws_ini *ini = NULL;
        asff_error err;
        size_t i, n;
        if (asff_aws_ini_parse((const char *)data, size, style == 1, NULL, &ini, &err) != ASFF_OK) {
            if (ini || err.code == ASFF_OK || !err.message[0])
                abort();
            continue;
        }
        n = asff_aws_ini_section_count(ini);
        for (i = 0; i < n; i++) {
            const char *name = asff_aws_ini_section_name(ini, i);
            if (!name)
                abort();
            (void)asff_aws_ini_get(ini, name, "region");
            (void)asff_aws_ini_get(ini, name, "aws_access_key_id");
            (void)asff_aws_ini_get(ini, name, "s3.max_concurrent_requests");
        }
        if (asff_aws_ini_section_name(ini, n) != NULL)
            abort();
        asff_aws_ini_free(ini);
    }
    return 0;
}
