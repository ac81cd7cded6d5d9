/* Recovery's view of the raw input (codec_internal.h): complete UTF-8 and \u-escape checks that
 * run ahead of yajl, and where a line of NDJSON ends its record. */
#include <string.h>
#include "codec_internal.h"

/* Bytes of the UTF-8 sequence that lead byte c starts (0: not a lead byte). */
static size_t utf8_seq_len(unsigned char c)
{
    return c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
}

/* Whether the 8 bytes hold a vertical tab or a form feed (exact: a zero byte of x ^ 0x0B.. or
 * x ^ 0x0C..). yajl takes both for whitespace; JSON's whitespace is space, tab, CR and LF only. */
static bool has_vt_ff(uint64_t x)
{
    const uint64_t low7 = 0x7F7F7F7F7F7F7F7Full;
    uint64_t a = x ^ 0x0B0B0B0B0B0B0B0Bull, b = x ^ 0x0C0C0C0C0C0C0C0Cull;
    uint64_t za = ~(((a & low7) + low7) | a | low7), zb = ~(((b & low7) + low7) | b | low7);
    return (za | zb) != 0;
}

/*
 * The first byte of d[i, n) where invalid UTF-8 starts, or a vertical tab or form feed (yajl would
 * take it for whitespace; asff__codec_is_vt_ff), n when none; *at gets its stream offset. ASCII is
 * skipped 32 bytes at a time and each run of other bytes checked whole with asff__utf8_valid_prefix
 * (a valid sequence never holds an ASCII byte). A sequence cut at the end of the piece is kept in
 * ucarry and checked with the next piece.
 */
size_t asff__codec_scan_utf8(asff_parser *p, const unsigned char *d, size_t i, size_t n, uint64_t *at)
{
    size_t from = i;
    if (p->ucarry_len) {
        size_t need = utf8_seq_len(p->ucarry[0]);
        while (p->ucarry_len < need && i < n)
            p->ucarry[p->ucarry_len++] = d[i++];
        if (p->ucarry_len < need)
            return n;
        p->ucarry_len = 0;
        if (asff__utf8_valid_prefix((const char *)p->ucarry, need) != need) {
            *at = p->ucarry_off;
            return from; /* before yajl sees more of it (it would report the bytes further on) */
        }
    }
    while (i < n) {
        size_t j, ok;
        while (i + 32 <= n) {
            uint64_t a, b, c, e;
            memcpy(&a, d + i, 8);
            memcpy(&b, d + i + 8, 8);
            memcpy(&c, d + i + 16, 8);
            memcpy(&e, d + i + 24, 8);
            if (((a | b | c | e) & 0x8080808080808080ull) || has_vt_ff(a) || has_vt_ff(b) || has_vt_ff(c) ||
                has_vt_ff(e))
                break;
            i += 32;
        }
        {
            size_t lim = n - i > 32 ? i + 32 : n;
            for (; i < lim && d[i] < 0x80; i++)
                if (asff__codec_is_vt_ff(d[i])) {
                    *at = p->pbase + i;
                    return i;
                }
            if (i == n)
                break;
            if (d[i] < 0x80)
                continue; /* 32 plain bytes: the word loop again */
        }
        for (j = i; j < n && d[j] >= 0x80; j++)
            ;
        ok = asff__utf8_valid_prefix((const char *)d + i, j - i);
        if (ok == j - i) {
            i = j;
            continue;
        }
        i += ok;
        if (j == n && n - i < utf8_seq_len(d[i])) {
            /* cut by the end of the piece: check it when the rest comes */
            p->ucarry_len = n - i;
            memcpy(p->ucarry, d + i, n - i);
            p->ucarry_off = p->pbase + i;
            return n;
        }
        *at = p->pbase + i;
        return i;
    }
    return n;
}

static int hexval(unsigned char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/*
 * \u escapes of surrogates must come as a high-low pair: yajl turns a lone high surrogate into '?'
 * (or pairs it with whatever escape follows) and a lone low one into invalid UTF-8. A small state
 * machine, carried across pieces, runs from each backslash (memchr finds them) to the end of its
 * escape. Returns the byte where a bad escape shows (n when none); *at gets the escape's offset.
 */
size_t asff__codec_scan_escapes(asff_parser *p, const unsigned char *d, size_t i, size_t n, uint64_t *at)
{
    while (i < n) {
        int h;
        switch (p->es) {
        case ES_NONE: {
            const unsigned char *b = memchr(d + i, '\\', n - i);
            if (!b)
                return n;
            i = (size_t)(b - d) + 1;
            p->es = ES_BS;
            p->es_at = p->pbase + (size_t)(b - d);
            break;
        }
        case ES_BS:
            p->es = d[i++] == 'u' ? ES_U : ES_NONE; /* "\\" ends here too: the second one is escaped */
            p->es_n = 0;
            p->es_v = 0;
            break;
        case ES_U:
        case ES_HI_U:
            if ((h = hexval(d[i])) < 0) {
                p->es = ES_NONE; /* not an escape yajl accepts: its own error */
                break;
            }
            i++;
            p->es_v = p->es_v * 16 + (uint32_t)h;
            if (++p->es_n < 4)
                break;
            if (p->es == ES_U && p->es_v >= 0xD800 && p->es_v <= 0xDBFF) {
                p->es = ES_HI;
                break;
            }
            if ((p->es == ES_U && p->es_v >= 0xDC00 && p->es_v <= 0xDFFF) ||
                (p->es == ES_HI_U && (p->es_v < 0xDC00 || p->es_v > 0xDFFF))) {
                p->es = ES_NONE;
                *at = p->es_at;
                return i;
            }
            p->es = ES_NONE;
            break;
        case ES_HI:
        case ES_HI_BS:
            if (d[i] != (p->es == ES_HI ? '\\' : 'u')) {
                p->es = ES_NONE;
                *at = p->es_at;
                return i;
            }
            i++;
            if (p->es == ES_HI) {
                p->es = ES_HI_BS;
            } else {
                p->es = ES_HI_U;
                p->es_n = 0;
                p->es_v = 0;
            }
            break;
        default:
            p->es = ES_NONE;
            break;
        }
    }
    return n;
}

/* ---- lines as records ------------------------------------------------------------------------ */

static bool value_start(unsigned char c)
{
    return c == '{' || c == '[' || c == '"' || c == '-' || (c >= '0' && c <= '9') || c == 't' || c == 'f' || c == 'n';
}

/*
 * A newline at stream offset nl, followed by the byte c, inside an open top-level value: is the value
 * cut there? In line mode (the stream is NDJSON) when the value began on this line with more than
 * its opening bracket (a one-line record never goes on; a pretty-printed value starts with its
 * bracket alone). Else when the next line starts a value at its first column and either the stream
 * is in line mode, or the JSON grammar cannot go on with it: after a value with no comma (only
 * , } ] may follow), where an object wants a member name (after { or ,) and the line does not start
 * one, or after a member name (no JSON printer breaks a line between a name and its value).
 */
bool asff__codec_line_cut(asff_parser *p, unsigned char c, uint64_t nl)
{
    bool in_object;
    if (!p->nframes || !asff__codec_record_envelope(p))
        return false;
    if (p->line_mode && p->last_nb_at != p->value_start) {
        uint64_t l, col;
        asff__codec_line_col(p, nl, &l, &col);
        if (l == p->value_line)
            return true;
    }
    if (!value_start(c))
        return false;
    if (p->line_mode || p->last_kind == 1)
        return true;
    if (p->last_kind == 2 && p->last_nb != ',')
        return true;
    in_object = p->jdepth >= 1 && p->jdepth <= 64 && ((p->objbits >> (p->jdepth - 1)) & 1u);
    return in_object && (p->last_nb == '{' || p->last_nb == ',') && c != '"';
}

/* The last byte before d[end] that is not blank (looking back into earlier pieces through last_nb),
 * and its stream offset. */
unsigned char asff__codec_last_nonblank(const asff_parser *p, const unsigned char *d, size_t off, size_t end, uint64_t *at)
{
    while (end > off && asff__codec_blank(d[end - 1]))
        end--;
    if (at)
        *at = end > off ? p->pbase + end - 1 : p->last_nb_at;
    return end > off ? d[end - 1] : p->last_nb;
}

/* Where to stop feeding yajl in d[off, end) to look at the start of the next line: after every
 * newline in line mode; before it, after a newline followed by a value's first byte, or after a
 * line with a closing bracket (a value may have ended on it, and then line mode starts). */
size_t asff__codec_next_split(const asff_parser *p, const unsigned char *d, size_t off, size_t end)
{
    size_t s = off;
    const unsigned char *nl;
    if (!asff__codec_record_envelope(p))
        return end;
    while (s < end && (nl = memchr(d + s, '\n', end - s)) != NULL) {
        size_t i = (size_t)(nl - d);
        unsigned char c;
        if (p->line_mode)
            return i + 1;
        c = asff__codec_last_nonblank(p, d, off, i, NULL);
        if (c == ':' || (i + 1 < end && value_start(d[i + 1])) || memchr(d + s, '}', i - s) ||
            memchr(d + s, ']', i - s))
            return i + 1;
        s = i + 1;
    }
    return end;
}
