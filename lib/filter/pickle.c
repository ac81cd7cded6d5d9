/* JSON text -> Python pickle opcodes (protocol 4 subset), for the batch reader's ASFF_BATCH_PICKLE
 * format: Python decodes a batch with pickle's C unpickler instead of json.loads (docs/filter.md
 * "Batch reader").
 *
 * The input is a JSON value the parser has already accepted. The output uses only opcodes that build
 * plain values (dict, list, str, int, float, True/False/None, memo get/put): never a global, so even
 * a writer bug could not make the unpickler import or call anything. Every string is written with its
 * exact decoded length, so no byte of a finding's strings can be read as an opcode. Values are those
 * json.loads gives for the same text: \u escapes of a surrogate pair join into one code point, a lone
 * surrogate stays a lone surrogate (written as its 3-byte form, which the unpickler's "surrogatepass"
 * UTF-8 decoding reads back), integers of any size stay integers, and the rest are floats rounded by
 * strtod (correctly rounded, like Python's float(); overflow gives inf as json.loads does). */
#include <stdint.h>
#include <string.h>
#include "asff/filter.h"
#include "core/internal.h"
#include "pickle.h"

#define MEMO_SLOTS 1024u   /* distinct member names memoized per group; more are written in full */

static uint64_t load8(const char *s)
{
    uint64_t v;
    memcpy(&v, s, 8);
    return v;
}

/* Member names are short and few: the length and the first and last 8 bytes make a good enough
 * hash (a collision only costs a memcmp), at a fixed cost per name. */
static uint32_t hash_bytes(const char *s, size_t n)
{
    uint64_t h = n * 0x9e3779b97f4a7c15u;
    if (n >= 8) {
        h ^= load8(s) * 0xc2b2ae3d27d4eb4fu;
        h ^= load8(s + n - 8) * 0x165667b19e3779f9u;
    } else {
        size_t i;
        for (i = 0; i < n; i++)
            h = (h ^ (unsigned char)s[i]) * 0x100000001b3u;
    }
    h ^= h >> 29;
    return (uint32_t)(h ^ (h >> 32));
}

#define ONES 0x0101010101010101u
#define HIGHS 0x8080808080808080u

/* The first '"' or '\\' in s[0..end), or end: 8 bytes a step (a zero byte of v ^ c is a c). */
static const char *string_stop(const char *s, const char *end)
{
    while (end - s >= 8) {
        uint64_t v = load8(s), q = v ^ (ONES * '"'), b = v ^ (ONES * '\\');
        uint64_t m = ((q - ONES) & ~q & HIGHS) | ((b - ONES) & ~b & HIGHS);
        if (m)
            break;   /* the byte loop below finds which */
        s += 8;
    }
    while (s < end && *s != '"' && *s != '\\')
        s++;
    return s;
}

void asff__pickler_init(asff__pickler *p, const asff_allocator *alloc)
{
    memset(p, 0, sizeof *p);
    p->alloc = alloc;
    asff__buf_init(&p->keys, alloc);
    asff__buf_init(&p->tmp, alloc);
    asff__buf_init(&p->stack, alloc);
}

void asff__pickler_cleanup(asff__pickler *p)
{
    asff__free(p->alloc, p->slots);
    p->slots = NULL;
    asff__buf_cleanup(&p->keys);
    asff__buf_cleanup(&p->tmp);
    asff__buf_cleanup(&p->stack);
}

void asff__pickler_reset_memo(asff__pickler *p)
{
    p->generation++;
    p->next_memo = 0;
    p->used = 0;
    asff__buf_reset(&p->keys);
}

/* Output is written through a cursor into space reserved up front: a JSON value of n bytes never
 * needs more than 3n + 16 bytes of opcodes (the widest case is a 3-character float, 9 bytes), and
 * any text at all (a 2-character "float" such as "1." then '[': 3 bytes to 11) less than 4n + 16. */
static char *put_u32(char *w, char op, uint32_t v)
{
    w[0] = op;
    w[1] = (char)(v & 0xff);
    w[2] = (char)((v >> 8) & 0xff);
    w[3] = (char)((v >> 16) & 0xff);
    w[4] = (char)((v >> 24) & 0xff);
    return w + 5;
}

static char *put_str(char *w, const char *s, size_t n)
{
    if (n < 256) {
        *w++ = '\x8c';   /* SHORT_BINUNICODE */
        *w++ = (char)n;
    } else {
        w = put_u32(w, 'X', (uint32_t)n);   /* BINUNICODE */
    }
    memcpy(w, s, n);
    return w + n;
}

static char *put_memo_op(char *w, char short_op, char long_op, uint32_t idx)
{
    if (idx < 256) {
        w[0] = short_op;
        w[1] = (char)idx;
        return w + 2;
    }
    return put_u32(w, long_op, idx);
}

/* A member name without escapes: BINGET when this group wrote it before, else the string and BINPUT. */
static asff_status put_key(asff__pickler *p, char **wp, const char *s, size_t n)
{
    uint32_t h = hash_bytes(s, n), i;
    char *w = *wp;
    if (!p->slots) {
        if (!(p->slots = asff__malloc(p->alloc, MEMO_SLOTS * sizeof *p->slots)))
            return ASFF_ERR_NOMEM;
        memset(p->slots, 0, MEMO_SLOTS * sizeof *p->slots);
        p->generation = 1;
    }
    for (i = h & (MEMO_SLOTS - 1);; i = (i + 1) & (MEMO_SLOTS - 1)) {
        asff__pickle_slot *sl = &p->slots[i];
        if (sl->generation != p->generation)
            break;
        if (sl->hash == h && sl->len == n && memcmp(p->keys.data + sl->off, s, n) == 0) {
            *wp = put_memo_op(w, 'h', 'j', sl->idx);   /* BINGET, LONG_BINGET */
            return ASFF_OK;
        }
    }
    *wp = w = put_str(w, s, n);
    if (p->used < MEMO_SLOTS / 2 && p->keys.len <= UINT32_MAX - n) {   /* else: not memoized */
        asff__pickle_slot *sl = &p->slots[i];
        if (asff__buf_append(&p->keys, s, n) != ASFF_OK)
            return ASFF_ERR_NOMEM;
        sl->generation = p->generation;
        sl->hash = h;
        sl->len = (uint32_t)n;
        sl->off = (uint32_t)(p->keys.len - n);
        sl->idx = p->next_memo;
        p->used++;
        *wp = put_memo_op(w, 'q', 'r', p->next_memo++);   /* BINPUT, LONG_BINPUT */
    }
    return ASFF_OK;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* The code unit of the \uXXXX at s (s[0] == '\\'), or -1. */
static long u_escape(const char *s, const char *end)
{
    long v = 0;
    int i;
    if (end - s < 6 || s[0] != '\\' || s[1] != 'u')
        return -1;
    for (i = 2; i < 6; i++) {
        int d = hexval(s[i]);
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    return v;
}

static void utf8(asff_buf *b, unsigned long cp)
{
    char u[4];
    size_t n;
    if (cp < 0x80) {
        u[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xc0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3f));
        n = 2;
    } else if (cp < 0x10000) {   /* lone surrogates too: the unpickler decodes with surrogatepass */
        u[0] = (char)(0xe0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        u[2] = (char)(0x80 | (cp & 0x3f));
        n = 3;
    } else {
        u[0] = (char)(0xf0 | (cp >> 18));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
        u[3] = (char)(0x80 | (cp & 0x3f));
        n = 4;
    }
    /* reserved by the caller */
    memcpy(b->data + b->len, u, n);
    b->len += n;
}

/* Decode the escaped string body s[0..n) into p->tmp. */
static asff_status unescape(asff__pickler *p, const char *s, const char *end)
{
    asff_status st;
    asff_buf *t = &p->tmp;
    asff__buf_reset(t);
    if ((st = asff__buf_reserve(t, (size_t)(end - s) + 4)) != ASFF_OK)   /* never longer than the text */
        return st;
    while (s < end) {
        const char *q = s;
        while (q < end && *q != '\\')
            q++;
        memcpy(t->data + t->len, s, (size_t)(q - s));
        t->len += (size_t)(q - s);
        s = q;
        if (s >= end)
            break;
        if (end - s < 2)
            return ASFF_ERR_SYNTAX;
        switch (s[1]) {
        case '"': case '\\': case '/':
            t->data[t->len++] = s[1];
            s += 2;
            break;
        case 'b': t->data[t->len++] = '\b'; s += 2; break;
        case 'f': t->data[t->len++] = '\f'; s += 2; break;
        case 'n': t->data[t->len++] = '\n'; s += 2; break;
        case 'r': t->data[t->len++] = '\r'; s += 2; break;
        case 't': t->data[t->len++] = '\t'; s += 2; break;
        case 'u': {
            long c = u_escape(s, end), lo;
            if (c < 0)
                return ASFF_ERR_SYNTAX;
            s += 6;
            if (c >= 0xd800 && c <= 0xdbff && (lo = u_escape(s, end)) >= 0xdc00 && lo <= 0xdfff) {
                c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
                s += 6;
            }
            utf8(t, (unsigned long)c);   /* at most 4 bytes for 6 or 12 of text */
            break;
        }
        default:
            return ASFF_ERR_SYNTAX;
        }
    }
    return ASFF_OK;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static asff_status put_number(asff__pickler *p, char **wp, const char *s, size_t n)
{
    asff_status st;
    size_t i = 0, digits;
    bool neg = false;
    char *w = *wp;
    if (s[0] == '-') {
        neg = true;
        i = 1;
    }
    digits = 0;
    while (i + digits < n && is_digit(s[i + digits]))
        digits++;
    if (digits == 0)
        return ASFF_ERR_SYNTAX;
    if (i + digits == n && digits <= 18) {
        int64_t v = 0;
        size_t k;
        for (k = i; k < n; k++)
            v = v * 10 + (s[k] - '0');
        if (neg)
            v = -v;
        if (v >= 0 && v < 256) {
            *w++ = 'K';   /* BININT1 */
            *w++ = (char)v;
        } else if (v >= 0 && v < 65536) {
            *w++ = 'M';   /* BININT2 */
            *w++ = (char)(v & 0xff);
            *w++ = (char)(v >> 8);
        } else if (v >= INT32_MIN && v <= INT32_MAX) {
            w = put_u32(w, 'J', (uint32_t)v);   /* BININT: two's complement */
        } else {
            uint64_t u = (uint64_t)v;
            int k2;
            *w++ = '\x8a';   /* LONG1: 8 bytes, little-endian two's complement */
            *w++ = 8;
            for (k2 = 0; k2 < 8; k2++)
                *w++ = (char)((u >> (8 * k2)) & 0xff);
        }
    } else if (i + digits == n) {
        /* LONG: decimal text (JSON has no leading zeros, which int(x, 0) would refuse); n + 2 bytes */
        *w++ = 'L';
        memcpy(w, s, n);
        w += n;
        *w++ = '\n';
    } else {
        char *endp = NULL;
        double d;
        uint64_t u;
        int k;
        asff__buf_reset(&p->tmp);
        if ((st = asff__buf_append(&p->tmp, s, n)) != ASFF_OK)   /* NUL-terminated */
            return st;
        d = asff__c_strtod(p->tmp.data, &endp);
        if (endp != p->tmp.data + n)
            return ASFF_ERR_SYNTAX;
        memcpy(&u, &d, sizeof u);
        *w++ = 'G';   /* BINFLOAT: IEEE 754 big-endian */
        for (k = 0; k < 8; k++)
            *w++ = (char)((u >> (56 - 8 * k)) & 0xff);
    }
    *wp = w;
    return ASFF_OK;
}

asff_status asff__pickle_json(asff__pickler *p, asff_buf *out, const char *json, size_t len)
{
    const char *s = json, *end = json + len;
    asff_status st = ASFF_OK;
    bool want_key = false;
    char *w;
    if (len > (SIZE_MAX - 16) / 4)
        return ASFF_ERR_LIMIT;
    if ((st = asff__buf_reserve(out, 4 * len + 16)) != ASFF_OK)
        return st;
    w = out->data + out->len;
    asff__buf_reset(&p->stack);
    while (s < end && st == ASFF_OK) {
        char c = *s;
        switch (c) {
        case ' ': case '\t': case '\n': case '\r': case ':':
            s++;
            break;
        case ',':
            want_key = p->stack.len && p->stack.data[p->stack.len - 1] == '{';
            s++;
            break;
        case '{': case '[':
            *w++ = c == '{' ? '}' : ']';   /* EMPTY_DICT or EMPTY_LIST, then MARK */
            *w++ = '(';
            st = asff__buf_putc(&p->stack, c);
            want_key = c == '{';
            s++;
            break;
        case '}': case ']':
            if (!p->stack.len || p->stack.data[p->stack.len - 1] != (c == '}' ? '{' : '['))
                return ASFF_ERR_SYNTAX;
            p->stack.len--;
            *w++ = c == '}' ? 'u' : 'e';   /* SETITEMS, APPENDS */
            want_key = false;
            s++;
            break;
        case '"': {
            const char *b = ++s;
            bool esc = false;
            for (;;) {
                s = string_stop(s, end);
                if (s < end && *s == '\\') {
                    esc = true;
                    s += 2;
                    continue;
                }
                break;
            }
            if (s >= end)
                return ASFF_ERR_SYNTAX;
            if ((size_t)(s - b) > UINT32_MAX)
                return ASFF_ERR_LIMIT;
            if (!esc && want_key)
                st = put_key(p, &w, b, (size_t)(s - b));
            else if (!esc)
                w = put_str(w, b, (size_t)(s - b));
            else if ((st = unescape(p, b, s)) == ASFF_OK)
                w = put_str(w, p->tmp.data, p->tmp.len);   /* never longer than the text */
            want_key = false;
            s++;
            break;
        }
        case 't':
            if (end - s < 4 || memcmp(s, "true", 4) != 0)
                return ASFF_ERR_SYNTAX;
            *w++ = '\x88';   /* NEWTRUE */
            s += 4;
            break;
        case 'f':
            if (end - s < 5 || memcmp(s, "false", 5) != 0)
                return ASFF_ERR_SYNTAX;
            *w++ = '\x89';   /* NEWFALSE */
            s += 5;
            break;
        case 'n':
            if (end - s < 4 || memcmp(s, "null", 4) != 0)
                return ASFF_ERR_SYNTAX;
            *w++ = 'N';   /* NONE */
            s += 4;
            break;
        default: {
            const char *b = s;
            if (c != '-' && !is_digit(c))
                return ASFF_ERR_SYNTAX;
            s++;
            while (s < end && (is_digit(*s) || *s == '.' || *s == 'e' || *s == 'E' || *s == '+' || *s == '-'))
                s++;
            st = put_number(p, &w, b, (size_t)(s - b));
            break;
        }
        }
    }
    if (st == ASFF_OK && p->stack.len)
        st = ASFF_ERR_SYNTAX;
    if (st == ASFF_OK) {
        out->len = (size_t)(w - out->data);
        out->data[out->len] = '\0';
    }
    return st;
}
