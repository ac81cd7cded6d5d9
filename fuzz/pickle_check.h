/* Checks of the batch reader's pickles (ASFF_BATCH_PICKLE), shared by fuzz/batchread.c and
 * tests/test_batchread.c; header-only.
 *
 * pk_canon_pickle walks one pickle and refuses anything but the writer's shapes (PROTO 4, a FRAME
 * whose length is right, a list of values built only from EMPTY_DICT/EMPTY_LIST + MARK + SETITEMS/
 * APPENDS, strings, ints, floats, True/False/None, memo puts/gets of member names, STOP last);
 * it prints every finding as canonical text, one a line. pk_canon_json prints the findings of JSON
 * text (an NDJSON line or an array line) the same way, independently of the writer: strings decoded
 * (surrogate pairs joined, lone ones as their 3-byte form) and re-escaped, integers up to 18 digits
 * as int64 and longer ones verbatim, others strtod'ed and printed %.17g. Members stay in input order,
 * repeated names included. Both return 0 on success, -1 on a malformed input. */
#ifndef ASFF_PICKLE_CHECK_H
#define ASFF_PICKLE_CHECK_H

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct pk_text {
    char *data;
    size_t len, cap;
} pk_text;

static int pk_put(pk_text *t, const void *s, size_t n)
{
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 256;
        char *d;
        while (cap < t->len + n + 1)
            cap *= 2;
        if (!(d = realloc(t->data, cap)))
            return -1;
        t->data = d;
        t->cap = cap;
    }
    memcpy(t->data + t->len, s, n);
    t->len += n;
    t->data[t->len] = '\0';
    return 0;
}

static int pk_putc(pk_text *t, char c)
{
    return pk_put(t, &c, 1);
}

/* A decoded string (UTF-8; surrogates allowed as 3-byte forms) as canonical quoted text. */
static int pk_put_string(pk_text *t, const unsigned char *s, size_t n)
{
    size_t i = 0;
    if (pk_putc(t, '"'))
        return -1;
    while (i < n) {
        unsigned char c = s[i];
        size_t k, len = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
        if (!len || i + len > n || (len == 2 && c < 0xc2) || (len == 4 && c > 0xf4))
            return -1;
        for (k = 1; k < len; k++)
            if ((s[i + k] & 0xc0) != 0x80)
                return -1;
        if (c == '"' || c == '\\') {
            char e[2] = {'\\', (char)c};
            if (pk_put(t, e, 2))
                return -1;
        } else if (c < 0x20) {
            char e[8];
            snprintf(e, sizeof e, "\\u%04x", c);
            if (pk_put(t, e, 6))
                return -1;
        } else if (pk_put(t, s + i, len)) {
            return -1;
        }
        i += len;
    }
    return pk_putc(t, '"');
}

static int pk_put_i64(pk_text *t, int64_t v)
{
    char b[32];
    int n = snprintf(b, sizeof b, "%" PRId64, v);
    return pk_put(t, b, (size_t)n);
}

static int pk_put_double(pk_text *t, double d)
{
    char b[40];
    int n = snprintf(b, sizeof b, "%.17g", d);
    return pk_put(t, b, (size_t)n);
}

/* ---- the pickle side ---------------------------------------------------------------------- */

#define PK_MAX_MEMO 4096
#define PK_MAX_DEPTH 4096

static uint64_t pk_le(const unsigned char *p, int n)
{
    uint64_t v = 0;
    int i;
    for (i = n - 1; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

/* One pickle at p[0..avail): its canonical findings appended to t, its size in *used. */
static int pk_canon_pickle(const unsigned char *p, size_t avail, pk_text *t, size_t *used, uint64_t *findings)
{
    static size_t memo_off[PK_MAX_MEMO], memo_len[PK_MAX_MEMO];
    static char kind[PK_MAX_DEPTH];   /* '{' or '[' */
    static size_t items[PK_MAX_DEPTH];
    pk_text keys = {0};
    size_t i, end, depth = 0, nmemo = 0;
    int rc = -1;
    bool last_was_str = false;
    size_t last_off = 0, last_len = 0;
    if (avail < 11 || p[0] != 0x80 || p[1] != 4 || p[2] != 0x95)
        return -1;
    end = 11 + (size_t)pk_le(p + 3, 8);
    if (end > avail || end < 11 + 4 || p[11] != ']' || p[12] != '(' || p[end - 2] != 'e' || p[end - 1] != '.')
        return -1;
    memset(memo_len, 0, sizeof memo_len);
    for (i = 13; i < end - 2;) {
        unsigned char op = p[i++];
        size_t soff = 0, slen = 0;
        bool str = false, done = true;   /* done: a value is complete (not for opening a container) */
        /* inside a dict, items alternate: even ones are member names */
        bool key = depth && kind[depth - 1] == '{' && items[depth - 1] % 2 == 0;
        if (op == 'q' || op == 'r') {   /* BINPUT, LONG_BINPUT: only right after a member name */
            size_t idx;
            if (i + (op == 'q' ? 1 : 4) > end - 2 || !last_was_str)
                goto out;
            idx = op == 'q' ? p[i] : (size_t)pk_le(p + i, 4);
            i += op == 'q' ? 1 : 4;
            if (idx >= PK_MAX_MEMO || idx > nmemo)
                goto out;
            memo_off[idx] = last_off;
            memo_len[idx] = last_len + 1;   /* 0: unset */
            if (idx == nmemo)
                nmemo++;
            last_was_str = false;
            continue;
        }
        if (op != 'u' && op != 'e' && depth) {   /* the separator before a value */
            const char *sep = kind[depth - 1] == '{' && !key ? ":" : items[depth - 1] ? "," : "";
            if (pk_put(t, sep, strlen(sep)))
                goto out;
        }
        switch (op) {
        case '}': case ']':
            if (i >= end - 2 || p[i] != '(' || depth >= PK_MAX_DEPTH || key)
                goto out;
            i++;
            if (pk_putc(t, op == '}' ? '{' : '['))
                goto out;
            kind[depth] = op == '}' ? '{' : '[';
            items[depth++] = 0;
            done = false;
            break;
        case 'u': case 'e':
            if (!depth || kind[depth - 1] != (op == 'u' ? '{' : '[') || (op == 'u' && items[depth - 1] % 2))
                goto out;
            if (pk_putc(t, op == 'u' ? '}' : ']'))
                goto out;
            depth--;
            break;
        case 0x8c: case 'X': {   /* SHORT_BINUNICODE, BINUNICODE */
            size_t h = op == 0x8c ? 1 : 4, n;
            if (i + h > end - 2)
                goto out;
            n = (size_t)pk_le(p + i, (int)h);
            i += h;
            if (n > end - 2 - i)
                goto out;
            soff = keys.len;
            if (pk_put_string(&keys, p + i, n))   /* canonical form, kept for the memo */
                goto out;
            slen = keys.len - soff;
            if (pk_put(t, keys.data + soff, slen))
                goto out;
            i += n;
            str = true;
            break;
        }
        case 'h': case 'j': {   /* BINGET, LONG_BINGET: member names only */
            size_t idx;
            if (i + (op == 'h' ? 1 : 4) > end - 2)
                goto out;
            idx = op == 'h' ? p[i] : (size_t)pk_le(p + i, 4);
            i += op == 'h' ? 1 : 4;
            if (idx >= PK_MAX_MEMO || !memo_len[idx] || !key)
                goto out;
            if (pk_put(t, keys.data + memo_off[idx], memo_len[idx] - 1))
                goto out;
            break;
        }
        case 'K':
            if (i + 1 > end - 2 || key || pk_put_i64(t, p[i]))
                goto out;
            i += 1;
            break;
        case 'M':
            if (i + 2 > end - 2 || key || pk_put_i64(t, (int64_t)pk_le(p + i, 2)))
                goto out;
            i += 2;
            break;
        case 'J':
            if (i + 4 > end - 2 || key || pk_put_i64(t, (int32_t)(uint32_t)pk_le(p + i, 4)))
                goto out;
            i += 4;
            break;
        case 0x8a:   /* LONG1 of 8 bytes */
            if (i + 9 > end - 2 || p[i] != 8 || key || pk_put_i64(t, (int64_t)pk_le(p + i + 1, 8)))
                goto out;
            i += 9;
            break;
        case 'L': {   /* LONG: decimal text, '\n' */
            const unsigned char *nl = memchr(p + i, '\n', end - 2 - i);
            size_t k;
            if (!nl || nl == p + i || key)
                goto out;
            for (k = i + (p[i] == '-'); p + k < nl; k++)
                if (p[k] < '0' || p[k] > '9')
                    goto out;
            if (pk_put(t, p + i, (size_t)(nl - (p + i))))
                goto out;
            i = (size_t)(nl - p) + 1;
            break;
        }
        case 'G': {   /* BINFLOAT, big-endian */
            uint64_t u = 0;
            double d;
            int k;
            if (i + 8 > end - 2 || key)
                goto out;
            for (k = 0; k < 8; k++)
                u = (u << 8) | p[i + (size_t)k];
            memcpy(&d, &u, sizeof d);
            if (pk_put_double(t, d))
                goto out;
            i += 8;
            break;
        }
        case 0x88: case 0x89: case 'N':
            if (key || pk_put(t, op == 0x88 ? "true" : op == 0x89 ? "false" : "null", op == 0x89 ? 5 : 4))
                goto out;
            break;
        default:
            goto out;   /* any other opcode (a global above all) is refused */
        }
        last_was_str = str && key;
        last_off = soff;
        last_len = slen;
        if (!done)
            continue;
        if (depth) {
            items[depth - 1]++;
        } else {   /* a finding (an item of the outer list) is complete */
            if (op != 'u' || pk_putc(t, '\n'))
                goto out;   /* findings are dicts */
            (*findings)++;
        }
    }
    if (depth)
        goto out;
    *used = end;
    rc = 0;
out:
    free(keys.data);
    return rc;
}

/* ---- the JSON side ------------------------------------------------------------------------- */

static int pk_hex4(const char *s)
{
    int v = 0, i;
    for (i = 0; i < 4; i++) {
        char c = s[i];
        v = v * 16 + (c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1000);
    }
    return v < 0 ? -1 : v;
}

static void pk_utf8(pk_text *d, unsigned long cp)
{
    unsigned char u[4];
    size_t n;
    if (cp < 0x80) { u[0] = (unsigned char)cp; n = 1; }
    else if (cp < 0x800) { u[0] = (unsigned char)(0xc0 | (cp >> 6)); u[1] = (unsigned char)(0x80 | (cp & 0x3f)); n = 2; }
    else if (cp < 0x10000) { u[0] = (unsigned char)(0xe0 | (cp >> 12)); u[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f)); u[2] = (unsigned char)(0x80 | (cp & 0x3f)); n = 3; }
    else { u[0] = (unsigned char)(0xf0 | (cp >> 18)); u[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f)); u[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f)); u[3] = (unsigned char)(0x80 | (cp & 0x3f)); n = 4; }
    pk_put(d, u, n);
}

/* JSON text (a finding per line, or arrays of them with arrays != 0) as canonical lines. */
static int pk_canon_json(const char *s, size_t n, int arrays, pk_text *t, uint64_t *findings)
{
    const char *end = s + n;
    pk_text tmp = {0};
    int depth = 0, rc = -1;
    while (s < end) {
        char c = *s;
        if (c == ' ' || c == '\t' || c == '\r') {
            s++;
        } else if (c == '\n') {
            s++;
        } else if (c == ',' ) {
            if (depth > arrays && pk_putc(t, ','))   /* not between the findings of an array line */
                goto out;
            s++;
        } else if (c == ':') {
            if (pk_putc(t, ':'))
                goto out;
            s++;
        } else if (c == '{' || c == '[') {
            if (depth >= arrays && pk_putc(t, c))
                goto out;
            depth++;
            s++;
        } else if (c == '}' || c == ']') {
            depth--;
            if (depth >= arrays && pk_putc(t, c))
                goto out;
            if (depth == arrays) {
                if (pk_putc(t, '\n'))
                    goto out;
                (*findings)++;
            }
            s++;
        } else if (c == '"') {
            tmp.len = 0;
            for (s++; s < end && *s != '"';) {
                if (*s != '\\') {
                    pk_put(&tmp, s, 1);
                    s++;
                    continue;
                }
                if (end - s < 2)
                    goto out;
                switch (s[1]) {
                case 'b': pk_putc(&tmp, '\b'); break;
                case 'f': pk_putc(&tmp, '\f'); break;
                case 'n': pk_putc(&tmp, '\n'); break;
                case 'r': pk_putc(&tmp, '\r'); break;
                case 't': pk_putc(&tmp, '\t'); break;
                case 'u': {
                    int cp, lo;
                    if (end - s < 6 || (cp = pk_hex4(s + 2)) < 0)
                        goto out;
                    if (cp >= 0xd800 && cp <= 0xdbff && end - s >= 12 && s[6] == '\\' && s[7] == 'u' &&
                        (lo = pk_hex4(s + 8)) >= 0xdc00 && lo <= 0xdfff) {
                        pk_utf8(&tmp, 0x10000ul + ((unsigned long)(cp - 0xd800) << 10) + (unsigned long)(lo - 0xdc00));
                        s += 6;
                    } else {
                        pk_utf8(&tmp, (unsigned long)cp);
                    }
                    s += 4;
                    break;
                }
                default: pk_putc(&tmp, s[1]); break;
                }
                s += 2;
            }
            if (s >= end || pk_put_string(t, (const unsigned char *)(tmp.data ? tmp.data : ""), tmp.len))
                goto out;
            s++;
        } else if (c == 't' || c == 'f' || c == 'n') {
            size_t k = c == 'f' ? 5 : 4;
            if ((size_t)(end - s) < k || pk_put(t, s, k))
                goto out;
            s += k;
        } else {
            const char *b = s;
            size_t digits = 0;
            int integer = 1;
            char num[512];
            s += *s == '-';
            while (s < end && *s >= '0' && *s <= '9') {
                s++;
                digits++;
            }
            while (s < end && (*s == '.' || *s == 'e' || *s == 'E' || *s == '+' || *s == '-' || (*s >= '0' && *s <= '9'))) {
                s++;
                integer = 0;
            }
            if (!digits || (size_t)(s - b) >= sizeof num)
                goto out;
            memcpy(num, b, (size_t)(s - b));
            num[s - b] = '\0';
            if (integer && digits > 18) {
                if (pk_put(t, b, (size_t)(s - b)))
                    goto out;
            } else if (integer) {
                if (pk_put_i64(t, strtoll(num, NULL, 10)))
                    goto out;
            } else if (pk_put_double(t, strtod(num, NULL))) {
                goto out;
            }
        }
    }
    rc = depth == 0 ? 0 : -1;
out:
    free(tmp.data);
    return rc;
}

#endif
