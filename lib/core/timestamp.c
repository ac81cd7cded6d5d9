/* Timestamps as ASFF takes them (docs/reference/rules.md TS-1..TS-5, TS-10): one parser for the whole library. */
#include <stdbool.h>
#include <stdint.h>
#include "asff/core.h"
#include "internal.h"

/* Two decimal digits at s: their value in *out, and whether both were digits. */
static inline bool dig2(const char *s, int *out)
{
    unsigned a = (unsigned)(unsigned char)s[0] - '0', b = (unsigned)(unsigned char)s[1] - '0';
    *out = (int)(a * 10 + b);
    return a <= 9 && b <= 9;
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

typedef struct ts_parts {
    int Y, M, D, h, mi, sec, oh, om, sign;
    int32_t ns;
} ts_parts;

/* Syntax and ranges; the arithmetic is left to the caller (validation needs only the verdict). */
static asff_status ts_split(const char *s, size_t len, ts_parts *t)
{
    size_t i = 19, nfrac = 0;
    t->oh = t->om = t->sign = 0;
    t->ns = 0;
    if (!s || len < 20)
        return ASFF_ERR_SYNTAX;
    {
        /* the fixed part, unrolled: this runs for every timestamp of every finding validated */
        int y1, y2;
        bool ok = dig2(s, &y1) && dig2(s + 2, &y2) && dig2(s + 5, &t->M) && dig2(s + 8, &t->D) &&
                  dig2(s + 11, &t->h) && dig2(s + 14, &t->mi) && dig2(s + 17, &t->sec);
        if (!ok || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':')
            return ASFF_ERR_SYNTAX;
        t->Y = y1 * 100 + y2;
    }
    if (s[i] == '.') {
        i++;
        while (i < len && s[i] >= '0' && s[i] <= '9') {
            if (++nfrac > 9)
                return ASFF_ERR_SYNTAX;
            t->ns = t->ns * 10 + (s[i] - '0');
            i++;
        }
        if (nfrac == 0)
            return ASFF_ERR_SYNTAX;
        while (nfrac++ < 9)
            t->ns *= 10;
    }
    if (i >= len)
        return ASFF_ERR_SYNTAX;
    if (s[i] == 'Z') {
        if (i + 1 != len)
            return ASFF_ERR_SYNTAX;
    } else if (s[i] == '+' || s[i] == '-') {
        t->sign = s[i] == '+' ? 1 : -1;
        i++;
        if (len - i == 2) {
            if (!dig2(s + i, &t->oh))
                return ASFF_ERR_SYNTAX;
        } else if (len - i == 4) {
            if (!dig2(s + i, &t->oh) || !dig2(s + i + 2, &t->om))
                return ASFF_ERR_SYNTAX;
        } else if (len - i == 5) {
            if (!dig2(s + i, &t->oh) || s[i + 2] != ':' || !dig2(s + i + 3, &t->om))
                return ASFF_ERR_SYNTAX;
        } else {
            return ASFF_ERR_SYNTAX;
        }
    } else {
        return ASFF_ERR_SYNTAX;
    }
    if (t->M < 1 || t->M > 12 || t->D < 1 || t->D > days_in_month(t->Y, t->M) || t->h > 23 || t->mi > 59 ||
        t->om > 59 || t->oh * 60 + t->om > 18 * 60)
        return ASFF_ERR_RANGE;
    if (t->sec > 59 && !(t->sec == 60 && t->h == 23 && t->mi == 59))
        return ASFF_ERR_RANGE;  /* TS-5: a leap second only as 23:59:60 */
    return ASFF_OK;
}

asff_status asff__timestamp_check(const char *s, size_t len)
{
    ts_parts t;
    return ts_split(s, len, &t);
}

asff_status asff_timestamp_parse(const char *s, size_t len, int64_t *seconds, int32_t *nanos)
{
    ts_parts t;
    asff_status st = ts_split(s, len, &t);
    if (st != ASFF_OK)
        return st;
    *seconds = days_from_civil(t.Y, t.M, t.D) * 86400 + t.h * 3600 + t.mi * 60 + t.sec -
               (int64_t)t.sign * (t.oh * 3600 + t.om * 60);
    *nanos = t.ns;
    return ASFF_OK;
}

asff_status asff_timestamp_to_ms(const char *s, size_t len, int64_t *epoch_ms)
{
    int64_t secs;
    int32_t ns;
    asff_status st = asff_timestamp_parse(s, len, &secs, &ns);
    if (st == ASFF_OK)
        *epoch_ms = secs * 1000 + (ns + 500000) / 1000000; /* half up on the fourth digit (TS-10) */
    return st;
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

