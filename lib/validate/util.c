/* Small pure helpers of the rules: UTF-8 counting, white space, ProductArn, timestamps, severity. */
#include <string.h>
#include "vinternal.h"

/* ---- UTF-8 -------------------------------------------------------------------------------- */

size_t asff__v_codepoints(const char *s, size_t len)
{
    size_t i, n = 0;
    for (i = 0; i < len; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            n++;
    return n;
}

size_t asff__v_prefix_codepoints(const char *s, size_t len, size_t n)
{
    size_t i, seen = 0;
    for (i = 0; i < len; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80) {
            if (seen == n)
                return i;
            seen++;
        }
    return len;
}

size_t asff__v_prefix_bytes(const char *s, size_t len, size_t max)
{
    if (len <= max)
        return len;
    while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
        max--;
    return max;
}

/* White space as the service's JSON-Schema validator (ECMAScript \s) sees it. */
static bool is_space_cp(uint32_t c)
{
    return c == 0x20 || (c >= 0x09 && c <= 0x0D) || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) ||
           c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000 || c == 0xFEFF;
}

bool asff__v_has_nonspace(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned char b = (unsigned char)s[i];
        uint32_t c;
        size_t n;
        if (b < 0x80) {
            if (!is_space_cp(b))
                return true;
            i++;
            continue;
        }
        if (b >= 0xE0 && b < 0xF0 && i + 2 < len) {
            c = ((uint32_t)(b & 0x0F) << 12) | ((uint32_t)(s[i + 1] & 0x3F) << 6) | (uint32_t)(s[i + 2] & 0x3F);
            n = 3;
        } else if (b >= 0xC0 && b < 0xE0 && i + 1 < len) {
            c = ((uint32_t)(b & 0x1F) << 6) | (uint32_t)(s[i + 1] & 0x3F);
            n = 2;
        } else {
            return true;  /* 4-byte sequences hold no white space; bad bytes are not white space */
        }
        if (!is_space_cp(c))
            return true;
        i += n;
    }
    return false;
}

/* ---- ProductArn --------------------------------------------------------------------------- */

static bool all_in(const char *s, size_t n, const char *set)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || strchr(set, s[i]) != NULL) || s[i] == '\0')
            return false;
    return true;
}

static bool all_digits(const char *s, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

bool asff__v_parse_product_arn(const char *s, v_arn *a)
{
    const char *p, *c;
    memset(a, 0, sizeof *a);
    if (!s || strncmp(s, "arn:aws", 7) != 0)
        return false;
    a->partition = s + 4;
    c = strchr(a->partition, ':');
    if (!c)
        return false;
    a->partition_len = (size_t)(c - a->partition);
    if (!all_in(a->partition + 3, a->partition_len - 3, "-"))
        return false;
    p = c + 1;
    if (strncmp(p, "securityhub:", 12) != 0)
        return false;
    a->region = p + 12;
    c = strchr(a->region, ':');
    if (!c || c == a->region)
        return false;
    a->region_len = (size_t)(c - a->region);
    if (!all_in(a->region, a->region_len, "0123456789-"))
        return false;
    a->account = c + 1;
    c = strchr(a->account, ':');
    if (!c)
        return false;
    a->account_len = (size_t)(c - a->account);
    if (a->account_len != 0 && (a->account_len != 12 || !all_digits(a->account, 12)))
        return false;
    p = c + 1;
    if (strncmp(p, "product/", 8) != 0)
        return false;
    a->company = p + 8;
    c = strchr(a->company, '/');
    if (!c || c == a->company)
        return false;
    a->company_len = (size_t)(c - a->company);
    a->product = c + 1;
    a->product_len = strlen(a->product);
    return a->product_len > 0 && memchr(a->product, '/', a->product_len) == NULL;
}

bool asff__v_known_partition(const char *s, size_t len)
{
    return (len == 3 && memcmp(s, "aws", 3) == 0) || (len == 6 && memcmp(s, "aws-cn", 6) == 0) ||
           (len == 10 && memcmp(s, "aws-us-gov", 10) == 0);
}

bool asff__v_arn_is_default(const v_arn *a)
{
    return a->company_len == 12 && all_digits(a->company, 12) && a->product_len == 7 &&
           memcmp(a->product, "default", 7) == 0;
}

/* ---- timestamps (TS-1..TS-5, TS-10) ------------------------------------------------------- */

/* ---- severity (SEV-3, SEV-4) -------------------------------------------------------------- */

const char *asff_severity_label(int64_t n)
{
    if (n < 0 || n > 100)
        return NULL;
    if (n == 0)
        return "INFORMATIONAL";
    if (n < 40)
        return "LOW";
    if (n < 70)
        return "MEDIUM";
    if (n < 90)
        return "HIGH";
    return "CRITICAL";
}

int asff_severity_normalized(const char *label)
{
    static const struct {
        const char *label;
        int value;
    } map[] = {{"INFORMATIONAL", 0}, {"LOW", 1}, {"MEDIUM", 40}, {"HIGH", 70}, {"CRITICAL", 90}};
    size_t i;
    if (!label)
        return -1;
    for (i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(map[i].label, label) == 0)
            return map[i].value;
    return -1;
}

/* The exact value of a JSON number text when it is a whole number in int64 ("-0" is 0, "1e2" and
 * "100.0" are 100): JSON numbers carry no type, so Security Hub's Integer members take any spelling
 * of a whole number. Works on the digits, so no rounding happens on the way. */
int asff__number_int(const char *s, size_t len, int64_t *out)
{
    const char *end = s + len, *p = s;
    char dig[24];
    size_t nd = 0;
    long long exp = 0, frac = 0, e = 0;
    bool neg = false, eneg = false, any = false, zero = true;
    uint64_t v = 0;
    if (p < end && (*p == '-' || *p == '+'))
        neg = *p++ == '-';
    for (; p < end && (*p == '.' || (*p >= '0' && *p <= '9')); p++) {
        if (*p == '.') {
            if (frac)
                return -2;
            frac = 1;
            continue;
        }
        any = true;
        if (frac)
            exp--;
        if (*p == '0' && zero)
            continue;
        zero = false;
        if (nd == sizeof dig)
            exp++; /* beyond 24 significant digits it cannot fit: count the scale only */
        else
            dig[nd++] = *p;
    }
    if (!any)
        return -2;
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < end && (*p == '-' || *p == '+'))
            eneg = *p++ == '-';
        if (p >= end)
            return -2;
        for (; p < end && *p >= '0' && *p <= '9'; p++)
            if (e < 100000)
                e = e * 10 + (*p - '0');
    }
    if (p != end)
        return -2;
    if (zero) {
        *out = 0;
        return 1;
    }
    exp += eneg ? -e : e;
    while (nd && dig[nd - 1] == '0' && exp < 0) /* "100.0": trailing zeros of the fraction */
        nd--, exp++;
    if (exp < 0)
        return 0; /* not a whole number */
    if ((long long)nd + exp > 19)
        return -1;
    for (size_t i = 0; i < nd; i++)
        v = v * 10 + (uint64_t)(dig[i] - '0');
    for (long long i = 0; i < exp; i++)
        v *= 10;
    if (v > (uint64_t)INT64_MAX + (neg ? 1u : 0u))
        return -1;
    *out = neg ? (v == (uint64_t)INT64_MAX + 1u ? INT64_MIN : -(int64_t)v) : (int64_t)v;
    return 1;
}
