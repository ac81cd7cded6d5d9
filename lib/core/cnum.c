/* Numbers in JSON's notation whatever the program's locale: strtod and printf follow LC_NUMERIC,
 * and a program that calls setlocale(LC_ALL, "") in a locale with a decimal comma would otherwise
 * read "7.5" as 7 and write 7.5 as "7,5". The "C" locale is switched in for the call only
 * (uselocale is per thread). */
#define _POSIX_C_SOURCE 200809L
#include <locale.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include "internal.h"

static _Atomic(locale_t) c_locale; /* created on first use, never freed (one per process) */

static locale_t get_c_locale(void)
{
    locale_t l = atomic_load(&c_locale), expected = (locale_t)0;
    if (l)
        return l;
    l = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
    if (!l)
        return (locale_t)0;
    if (!atomic_compare_exchange_strong(&c_locale, &expected, l)) {
        freelocale(l); /* another thread was first */
        l = expected;
    }
    return l;
}

double asff__c_strtod(const char *s, char **end)
{
    locale_t c = get_c_locale(), old = c ? uselocale(c) : (locale_t)0;
    double d = strtod(s, end);
    if (c)
        uselocale(old);
    return d;
}

int asff__c_format_g(char *buf, size_t size, int precision, double v)
{
    locale_t c = get_c_locale(), old = c ? uselocale(c) : (locale_t)0;
    int n = snprintf(buf, size, "%.*g", precision, v);
    if (c)
        uselocale(old);
    return n;
}
