/* Deliberately buggy code for clang's static analyzer: tests/data/convert/sarif/regen.sh turns the
 * analyzer's report into clang-analyzer.sarif, a real SARIF log for the converter tests. */
#include <stdlib.h>
#include <string.h>

int use_after_free(void)
{
    int *p = malloc(sizeof *p);
    if (!p)
        return 0;
    *p = 1;
    free(p);
    return *p;
}

int null_deref(int flag)
{
    int *q = NULL;
    if (flag)
        return *q;
    return 0;
}

void leak(size_t n)
{
    char *buf = malloc(n);
    if (buf)
        memset(buf, 0, n);
}

int divide(int a)
{
    int zero = 0;
    return a / zero;
}

int uninitialized(int c)
{
    int x;
    if (c > 3)
        x = 2;
    return x + c;
}
