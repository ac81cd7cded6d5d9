/* Partitions, Security Hub endpoints and the regions where Security Hub runs. The lists follow
 * botocore's endpoints.json (botocore 1.43.11): aws, aws-cn and aws-us-gov; the isolated partitions
 * (aws-iso*, aws-eusc) are left out: their endpoints are not public. */
#include <stdio.h>
#include <string.h>
#include "asff/aws.h"
#include "aws/aws_internal.h"

static const char *const securityhub_regions[] = {
    /* aws */
    "af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1",
    "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5",
    "ap-southeast-6", "ap-southeast-7", "ca-central-1", "ca-west-1", "eu-central-1", "eu-central-2", "eu-north-1",
    "eu-south-1", "eu-south-2", "eu-west-1", "eu-west-2", "eu-west-3", "il-central-1", "me-central-1", "me-south-1",
    "mx-central-1", "sa-east-1", "us-east-1", "us-east-2", "us-west-1", "us-west-2",
    /* aws-cn */
    "cn-north-1", "cn-northwest-1",
    /* aws-us-gov */
    "us-gov-east-1", "us-gov-west-1",
    NULL};

/* Where Security Hub has a FIPS endpoint (securityhub-fips.REGION.amazonaws.com). */
static const char *const fips_regions[] = {"us-east-1", "us-east-2", "us-west-1", "us-west-2", "us-gov-east-1",
                                           "us-gov-west-1", NULL};

const char *const *asff_securityhub_regions(size_t *count)
{
    if (count)
        *count = sizeof securityhub_regions / sizeof securityhub_regions[0] - 1;
    return securityhub_regions;
}

const char *asff_aws_partition(const char *region)
{
    if (region && strncmp(region, "cn-", 3) == 0)
        return "aws-cn";
    if (region && strncmp(region, "us-gov-", 7) == 0)
        return "aws-us-gov";
    return "aws";
}

const char *asff_aws_dns_suffix(const char *region)
{
    return strcmp(asff_aws_partition(region), "aws-cn") == 0 ? "amazonaws.com.cn" : "amazonaws.com";
}

bool asff__aws_valid_region(const char *region)
{
    size_t i;
    if (!region || !region[0] || region[0] == '-')
        return false;
    for (i = 0; region[i]; i++) {
        char c = region[i];
        if (i >= 64 || !((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
            return false;
    }
    return region[i - 1] != '-';
}

asff_status asff_securityhub_endpoint(const char *region, bool fips, char *out, size_t size, asff_error *err)
{
    int n;
    if (!out || !size)
        return asff__error_setf(err, ASFF_ERR_INVALID_ARG, "endpoint: no output buffer");
    out[0] = '\0';
    if (!asff__aws_valid_region(region))
        return asff__error_setf(err, ASFF_ERR_INVALID_ARG, "endpoint: \"%.64s\" is not a region name (a-z, 0-9, -)",
                               region ? region : "");
    if (fips) {
        size_t i;
        for (i = 0; fips_regions[i]; i++)
            if (strcmp(fips_regions[i], region) == 0)
                break;
        if (!fips_regions[i])
            return asff__error_setf(err, ASFF_ERR_UNSUPPORTED, "endpoint: Security Hub has no FIPS endpoint in %s",
                                   region);
    }
    n = snprintf(out, size, "https://securityhub%s.%s.%s", fips ? "-fips" : "", region, asff_aws_dns_suffix(region));
    if (n < 0 || (size_t)n >= size) {
        out[0] = '\0';
        return asff__error_setf(err, ASFF_ERR_LIMIT, "endpoint: the buffer is too small");
    }
    return ASFF_OK;
}
