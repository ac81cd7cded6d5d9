/* Positions over the whole stream (codec_internal.h): newlines are counted forward once, as the
 * pieces pass; an error found behind the count (a syntax error found late, a finding's first byte)
 * is placed by counting back through the last bytes kept in hist. */
#include <string.h>
#include "codec_internal.h"

/* ---- positions ---------------------------------------------------------------------------- */

/* Count newlines up to stream offset o (within the current piece), moving forward only. */
void asff__codec_advance(asff_parser *p, uint64_t o)
{
    const unsigned char *s, *end, *nl;
    if (o > p->pbase + p->plen)
        o = p->pbase + p->plen;
    if (o <= p->scan)
        return;
    s = p->pdata + (p->scan - p->pbase);
    end = p->pdata + (o - p->pbase);
    while (s < end && (nl = memchr(s, '\n', (size_t)(end - s))) != NULL) {
        p->line++;
        p->prev_line_start = p->line_start;
        p->line_start = p->pbase + (uint64_t)(nl - p->pdata) + 1;
        s = nl + 1;
    }
    p->scan = o;
}

/* The byte at stream offset o: in the current piece, or among the last bytes before it. */
unsigned char asff__codec_byte_at(const asff_parser *p, uint64_t o)
{
    return o >= p->pbase ? p->pdata[o - p->pbase] : p->hist[o % sizeof p->hist];
}

void asff__codec_line_col(asff_parser *p, uint64_t o, uint64_t *line, uint64_t *col)
{
    uint64_t lo = p->pbase > sizeof p->hist ? p->pbase - sizeof p->hist : 0, i, n = 0;
    if (o >= p->scan) {
        asff__codec_advance(p, o);
        *line = p->line;
        *col = o - p->line_start + 1;
        return;
    }
    /* Behind what was counted (a syntax error found late, a finding's first byte): on the counted
     * line or the one before it (a line break that ended the last piece), where they start is
     * known; further back, count back through the bytes kept. */
    if (o >= p->prev_line_start) {
        *line = o >= p->line_start ? p->line : p->line - 1;
        *col = o - (o >= p->line_start ? p->line_start : p->prev_line_start) + 1;
        return;
    }
    if (o < lo)
        o = lo;
    for (i = o; i < p->scan; i++)
        n += asff__codec_byte_at(p, i) == '\n';
    *line = p->line - n;
    if (*line == p->pline) {
        *col = o - p->pline_start + 1;
        return;
    }
    for (i = o; i > lo; i--)
        if (asff__codec_byte_at(p, i - 1) == '\n')
            break;
    *col = o - i + 1;
}

/* The last bytes of the stream, indexed by offset modulo the size of hist. */
void asff__codec_keep_history(asff_parser *p, const unsigned char *d, size_t n)
{
    size_t keep = n < sizeof p->hist ? n : sizeof p->hist;
    size_t at = (size_t)((p->pbase + n - keep) % sizeof p->hist), first = sizeof p->hist - at;
    if (first > keep)
        first = keep;
    memcpy(p->hist + at, d + n - keep, first);
    memcpy(p->hist, d + n - keep + first, keep - first);
}
