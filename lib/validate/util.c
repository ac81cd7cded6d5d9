/* Small pure helpers of the rules: UTF-8 counting, white space, ProductArn, timestamps, severity. */
#include <string.h>
#include "vinternal.h"

/* ---- UTF-8 -------------------------------------------------------------------------------- */

size_t v_codepoints(const char *s, size_t len)
{
    size_t i, n = 0;
    for (i = 0; i < len; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            n++;
    return n;
}

size_t v_prefix_codepoints(const char *s, size_t len, size_t n)
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

size_t v_prefix_bytes(const char *s, size_t len, size_t max)
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

bool v_has_nonspace(const char *s, size_t len)
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

bool v_parse_product_arn(const char *s, v_arn *a)
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

bool v_known_partition(const char *s, size_t len)
{
    return (len == 3 && memcmp(s, "aws", 3) == 0) || (len == 6 && memcmp(s, "aws-cn", 6) == 0) ||
           (len == 10 && memcmp(s, "aws-us-gov", 10) == 0);
}

bool v_arn_is_default(const v_arn *a)
{
    return a->company_len == 12 && all_digits(a->company, 12) && a->product_len == 7 &&
           memcmp(a->product, "default", 7) == 0;
}

/* ---- timestamps (TS-1..TS-5, TS-10) ------------------------------------------------------- */

static inline bool digits(const char *s, size_t n, int *out)
{
    size_t i;
    int v = 0;
    for (i = 0; i < n; i++) {
        unsigned d = (unsigned)(unsigned char)s[i] - '0';
        if (d > 9)
            return false;
        v = v * 10 + (int)d;
    }
    *out = v;
    return true;
}

static bool leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const int d[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : d[m - 1];
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    int64_t era, yoe, doy, doe;
    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    int64_t era, doe, yoe, doy, mp;
    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

asff_status asff_timestamp_to_ms(const char *s, size_t len, int64_t *epoch_ms)
{
    int Y, M, D, h, mi, sec, oh = 0, om = 0, ms = 0, sign = 0;
    size_t i = 19, nfrac = 0;
    int64_t days, t;
    if (!s || len < 20)
        return ASFF_ERR_SYNTAX;
    if (!digits(s, 4, &Y) || s[4] != '-' || !digits(s + 5, 2, &M) || s[7] != '-' || !digits(s + 8, 2, &D) ||
        s[10] != 'T' || !digits(s + 11, 2, &h) || s[13] != ':' || !digits(s + 14, 2, &mi) || s[16] != ':' ||
        !digits(s + 17, 2, &sec))
        return ASFF_ERR_SYNTAX;
    if (s[i] == '.') {
        i++;
        while (i < len && s[i] >= '0' && s[i] <= '9') {
            if (nfrac < 3)
                ms = ms * 10 + (s[i] - '0');
            else if (nfrac == 3 && s[i] >= '5')
                ms++;  /* half up on the fourth digit (TS-10) */
            nfrac++;
            i++;
        }
        if (nfrac == 0 || nfrac > 9)
            return ASFF_ERR_SYNTAX;
        if (nfrac == 1)
            ms *= 100;
        else if (nfrac == 2)
            ms *= 10;
    }
    if (i >= len)
        return ASFF_ERR_SYNTAX;
    if (s[i] == 'Z') {
        if (i + 1 != len)
            return ASFF_ERR_SYNTAX;
    } else if (s[i] == '+' || s[i] == '-') {
        sign = s[i] == '+' ? 1 : -1;
        i++;
        if (len - i == 2) {
            if (!digits(s + i, 2, &oh))
                return ASFF_ERR_SYNTAX;
        } else if (len - i == 4) {
            if (!digits(s + i, 2, &oh) || !digits(s + i + 2, 2, &om))
                return ASFF_ERR_SYNTAX;
        } else if (len - i == 5) {
            if (!digits(s + i, 2, &oh) || s[i + 2] != ':' || !digits(s + i + 3, 2, &om))
                return ASFF_ERR_SYNTAX;
        } else {
            return ASFF_ERR_SYNTAX;
        }
    } else {
        return ASFF_ERR_SYNTAX;
    }
    if (M < 1 || M > 12 || D < 1 || D > days_in_month(Y, M) || h > 23 || mi > 59 || om > 59 ||
        oh * 60 + om > 18 * 60)
        return ASFF_ERR_RANGE;
    if (sec > 59 && !(sec == 60 && h == 23 && mi == 59))
        return ASFF_ERR_RANGE;  /* TS-5: a leap second only as 23:59:60 */
    days = days_from_civil(Y, M, D);
    t = days * 86400 + h * 3600 + mi * 60 + sec - (int64_t)sign * (oh * 3600 + om * 60);
    *epoch_ms = t * 1000 + ms;
    return ASFF_OK;
}

asff_status asff_timestamp_from_ms(int64_t epoch_ms, char out[25])
{
    int64_t ms = epoch_ms % 1000, secs, days, sod, y;
    int m, d;
    if (ms < 0)
        ms += 1000;
    secs = (epoch_ms - ms) / 1000;
    sod = secs % 86400;
    if (sod < 0)
        sod += 86400;
    days = (secs - sod) / 86400;
    civil_from_days(days, &y, &m, &d);
    if (y < 0 || y > 9999)
        return ASFF_ERR_RANGE;
    out[0] = (char)('0' + y / 1000);
    out[1] = (char)('0' + y / 100 % 10);
    out[2] = (char)('0' + y / 10 % 10);
    out[3] = (char)('0' + y % 10);
    out[4] = '-';
    out[5] = (char)('0' + m / 10);
    out[6] = (char)('0' + m % 10);
    out[7] = '-';
    out[8] = (char)('0' + d / 10);
    out[9] = (char)('0' + d % 10);
    out[10] = 'T';
    out[11] = (char)('0' + sod / 36000);
    out[12] = (char)('0' + sod / 3600 % 10);
    out[13] = ':';
    out[14] = (char)('0' + sod % 3600 / 600);
    out[15] = (char)('0' + sod % 3600 / 60 % 10);
    out[16] = ':';
    out[17] = (char)('0' + sod % 60 / 10);
    out[18] = (char)('0' + sod % 10);
    out[19] = '.';
    out[20] = (char)('0' + ms / 100);
    out[21] = (char)('0' + ms / 10 % 10);
    out[22] = (char)('0' + ms % 10);
    out[23] = 'Z';
    out[24] = '\0';
    return ASFF_OK;
}

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
