/* AWS Signature Version 4: canonical request, string to sign, signing key, signature, headers and
 * presigned query strings. A pure function of its arguments; see include/asff/sigv4.h and
 * docs/sigv4.md. HMAC and SHA-256 are OpenSSL's. */
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/params.h>
#include "asff/sigv4.h"
#include "core/internal.h"
#include "sigv4/secbuf.h"

#define ALGORITHM "AWS4-HMAC-SHA256"
#define KEY_CACHE_SLOTS 4
#define MAX_NAME 64 /* bytes of a region or service name */
#define EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

typedef struct key_slot {
    bool used;
    char date[9];
    char region[MAX_NAME + 1];
    char service[MAX_NAME + 1];
    char *secret;                    /* which secret the key was derived from */
    size_t secret_len;
    unsigned char key[32];
} key_slot;

/* OpenSSL objects fetched once per signer: implicit fetches in one-shot EVP_Digest/HMAC cost more
 * than the hashing of a typical request. NULL = the one-shot functions (the handle-less API). */
typedef struct crypto {
    EVP_MD *md;
    EVP_MD_CTX *mdctx;
    EVP_MAC *mac;
    EVP_MAC_CTX *macctx;
    unsigned char loaded[32];  /* the 32-byte key macctx holds, when loaded_ok */
    bool loaded_ok;
} crypto;

/* A header or query parameter being canonicalized: name and value in s->work. */
typedef struct entry {
    const char *name;
    size_t name_len;
    const char *value;
    size_t value_len;
    size_t order;      /* input position: keeps repeated headers in the order given */
} entry;

struct asff_sigv4 {
    asff_sigv4_options opt;
    const asff_allocator *alloc;
    asff_buf creq, sts, signed_headers, canon_headers, authz, query, url, added_store, work;
    char signature[65];
    asff_sigv4_header added[5];
    size_t nadded;
    entry *entries;
    size_t entries_cap;
    key_slot cache[KEY_CACHE_SLOTS];
    unsigned next_slot;
    crypto crypto;
};

/* ---- small helpers --------------------------------------------------------------------------- */

static const char HEX[] = "0123456789ABCDEF";
static const char hexl[] = "0123456789abcdef";

static void to_hex(const unsigned char *in, size_t n, char *out)
{
    size_t i;
    for (i = 0; i < n; i++) {
        out[2 * i] = hexl[in[i] >> 4];
        out[2 * i + 1] = hexl[in[i] & 15];
    }
    out[2 * n] = '\0';
}

static bool is_unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
           c == '_' || c == '~';
}

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static bool eq_nocase(const char *a, size_t alen, const char *b)
{
    size_t i, blen = strlen(b);
    if (alen != blen)
        return false;
    for (i = 0; i < alen; i++)
        if (lower(a[i]) != lower(b[i]))
            return false;
    return true;
}

/* RFC 7230 token characters: what a header name may hold. */
static bool is_tchar(unsigned char c)
{
    return is_unreserved(c) || (c && strchr("!#$%&'*+^`|", c) != NULL);
}

static bool is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Region and service: [A-Za-z0-9._-]{1,64}. */
static bool valid_name(const char *s)
{
    size_t i;
    if (!s || !s[0])
        return false;
    for (i = 0; s[i]; i++)
        if (i >= MAX_NAME || !is_unreserved((unsigned char)s[i]) || s[i] == '~')
            return false;
    return true;
}

static void crypto_free(crypto *c)
{
    OPENSSL_cleanse(c->loaded, sizeof c->loaded);
    EVP_MAC_CTX_free(c->macctx);
    EVP_MAC_free(c->mac);
    EVP_MD_CTX_free(c->mdctx);
    EVP_MD_free(c->md);
    memset(c, 0, sizeof *c);
}

static bool crypto_init(crypto *c)
{
    OSSL_PARAM params[2];
    memset(c, 0, sizeof *c);
    c->md = EVP_MD_fetch(NULL, "SHA256", NULL);
    c->mdctx = EVP_MD_CTX_new();
    c->mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    c->macctx = c->mac ? EVP_MAC_CTX_new(c->mac) : NULL;
    params[0] = OSSL_PARAM_construct_utf8_string("digest", (char *)"SHA256", 0);
    params[1] = OSSL_PARAM_construct_end();
    if (!c->md || !c->mdctx || !c->macctx || !EVP_MAC_CTX_set_params(c->macctx, params)) {
        crypto_free(c);
        return false;
    }
    return true;
}

static asff_status sha256(const crypto *c, const void *data, size_t len, unsigned char out[32])
{
    unsigned int n = 0;
    if (c) {
        if (!EVP_DigestInit_ex2(c->mdctx, c->md, NULL) || !EVP_DigestUpdate(c->mdctx, data, len) ||
            !EVP_DigestFinal_ex(c->mdctx, out, &n) || n != 32)
            return ASFF_ERR_INTERNAL;
        return ASFF_OK;
    }
    if (!EVP_Digest(data, len, out, &n, EVP_sha256(), NULL) || n != 32)
        return ASFF_ERR_INTERNAL;
    return ASFF_OK;
}

static asff_status hmac(crypto *c, const void *key, size_t klen, const void *data, size_t dlen,
                        unsigned char out[32])
{
    unsigned int n = 0;
    if (c) {
        size_t m = 0;
        crypto *w = c;
        /* Signing with the cached key again: OpenSSL reuses the prepared inner/outer pads when
         * EVP_MAC_init gets no key, which saves the key setup on every request. */
        bool same = klen == 32 && w->loaded_ok && CRYPTO_memcmp(w->loaded, key, 32) == 0;
        if (!EVP_MAC_init(w->macctx, same ? NULL : key, same ? 0 : klen, NULL)) {
            w->loaded_ok = false;
            return ASFF_ERR_INTERNAL;
        }
        if (!same) {
            w->loaded_ok = klen == 32;
            if (w->loaded_ok)
                memcpy(w->loaded, key, 32);
        }
        if (!EVP_MAC_update(w->macctx, data, dlen) || !EVP_MAC_final(w->macctx, out, &m, 32) || m != 32)
            return ASFF_ERR_INTERNAL;
        return ASFF_OK;
    }
    if (!HMAC(EVP_sha256(), key, (int)klen, data, dlen, out, &n) || n != 32)
        return ASFF_ERR_INTERNAL;
    return ASFF_OK;
}

static void sha256_hex(const crypto *c, const void *data, size_t len, char hex[65])
{
    unsigned char d[32];
    if (sha256(c, data ? data : "", data ? len : 0, d) != ASFF_OK) {
        hex[0] = '\0';
        return;
    }
    to_hex(d, 32, hex);
}

void asff_sigv4_sha256_hex(const void *data, size_t len, char hex[65])
{
    sha256_hex(NULL, data, len, hex);
}

/* ---- time -------------------------------------------------------------------------------------- */

/* Days since 1970-01-01 of a civil date, and back (Howard Hinnant's algorithms): no libc time zone. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    int64_t era;
    unsigned yoe, doy, doe;
    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = (unsigned)(y - era * 400);
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    int64_t era;
    unsigned doe, yoe, doy, mp;
    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = (unsigned)(z - era * 146097);
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

#define MAX_TIME INT64_C(253402300799) /* 9999-12-31T23:59:59Z */

asff_status asff_sigv4_format_time(int64_t t, char out[17])
{
    int64_t y, days, secs;
    unsigned m, d, i;
    char tmp[17];
    if (t < 0 || t > MAX_TIME) {
        out[0] = '\0';
        return ASFF_ERR_RANGE;
    }
    days = t / 86400;
    secs = t % 86400;
    civil_from_days(days, &y, &m, &d);
    /* Fixed-width digits by hand: snprintf of int64 would need PRId64 and warns on truncation. */
    {
        unsigned v[6] = {(unsigned)y, m, d, (unsigned)(secs / 3600), (unsigned)(secs / 60 % 60), (unsigned)(secs % 60)};
        char *p = tmp;
        for (i = 0; i < 4; i++)
            p[3 - i] = (char)('0' + (v[0] / (i == 0 ? 1 : i == 1 ? 10 : i == 2 ? 100 : 1000)) % 10);
        p += 4;
        for (i = 1; i < 6; i++) {
            if (i == 3)
                *p++ = 'T';
            *p++ = (char)('0' + v[i] / 10);
            *p++ = (char)('0' + v[i] % 10);
        }
        *p++ = 'Z';
        *p = '\0';
    }
    memcpy(out, tmp, 17);
    return ASFF_OK;
}

asff_status asff_sigv4_parse_time(const char *s, int64_t *out)
{
    unsigned v[6] = {0};
    static const unsigned widths[6] = {4, 2, 2, 2, 2, 2};
    unsigned i, j, pos = 0;
    static const unsigned mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (!s || !out || strlen(s) != 16 || s[8] != 'T' || s[15] != 'Z')
        return ASFF_ERR_INVALID_ARG;
    for (i = 0; i < 6; i++) {
        if (i == 3)
            pos++; /* 'T' */
        for (j = 0; j < widths[i]; j++, pos++) {
            if (s[pos] < '0' || s[pos] > '9')
                return ASFF_ERR_INVALID_ARG;
            v[i] = v[i] * 10 + (unsigned)(s[pos] - '0');
        }
    }
    if (v[0] < 1970 || v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > mdays[v[1] - 1] || v[3] > 23 || v[4] > 59 ||
        v[5] > 60)
        return ASFF_ERR_INVALID_ARG;
    if (v[1] == 2 && v[2] == 29 && !((v[0] % 4 == 0 && v[0] % 100 != 0) || v[0] % 400 == 0))
        return ASFF_ERR_INVALID_ARG;
    *out = days_from_civil(v[0], v[1], v[2]) * 86400 + v[3] * 3600 + v[4] * 60 + (v[5] > 59 ? 59 : v[5]);
    return ASFF_OK;
}

/* ---- key derivation ---------------------------------------------------------------------------- */

static asff_status derive_key(crypto *c, const asff_allocator *alloc, const char *secret, const char *date,
                              const char *region, const char *service, unsigned char key[32])
{
    unsigned char k[32];
    asff_buf seed;
    asff_status st;
    if (!secret || !secret[0] || !date || strlen(date) != 8 || !region || !region[0] || !service || !service[0] ||
        !key)
        return ASFF_ERR_INVALID_ARG;
    asff__buf_init(&seed, alloc);
    if (asff__sbuf_puts(&seed, "AWS4") != ASFF_OK || asff__sbuf_puts(&seed, secret) != ASFF_OK) {
        asff__sbuf_cleanup(&seed);
        return ASFF_ERR_NOMEM;
    }
    st = hmac(c, seed.data, seed.len, date, 8, k);
    asff__sbuf_cleanup(&seed);
    if (st == ASFF_OK)
        st = hmac(c, k, 32, region, strlen(region), k);
    if (st == ASFF_OK)
        st = hmac(c, k, 32, service, strlen(service), k);
    if (st == ASFF_OK)
        st = hmac(c, k, 32, "aws4_request", 12, key);
    OPENSSL_cleanse(k, sizeof k);
    return st;
}

asff_status asff_sigv4_signing_key(const char *secret, const char *date, const char *region, const char *service,
                                   unsigned char key[32])
{
    return derive_key(NULL, NULL, secret, date, region, service, key);
}

/* The cached key for (secret, date, region, service), derived on a miss. The slot keeps a wiped-on-free
 * copy of the secret it was derived from, so new credentials never reuse an old key. */
static asff_status cached_key(asff_sigv4 *s, const char *secret, const char *date, const char *region,
                              const char *service, unsigned char key[32])
{
    key_slot *slot;
    unsigned i;
    size_t slen = strlen(secret);
    asff_status st;
    for (i = 0; i < KEY_CACHE_SLOTS; i++) {
        slot = &s->cache[i];
        if (slot->used && slot->secret_len == slen && strcmp(slot->date, date) == 0 &&
            strcmp(slot->region, region) == 0 && strcmp(slot->service, service) == 0 &&
            CRYPTO_memcmp(slot->secret, secret, slen) == 0) {
            memcpy(key, slot->key, 32);
            return ASFF_OK;
        }
    }
    st = derive_key(&s->crypto, s->alloc, secret, date, region, service, key);
    if (st == ASFF_OK) {
        char *copy = asff__sbuf_strdup(s->alloc, secret, slen);
        if (!copy)
            return ASFF_OK; /* signed all the same, just not cached */
        slot = &s->cache[s->next_slot];
        s->next_slot = (s->next_slot + 1) % KEY_CACHE_SLOTS;
        asff__sbuf_strfree(s->alloc, slot->secret);
        OPENSSL_cleanse(slot, sizeof *slot);
        slot->used = true;
        memcpy(slot->date, date, 9);
        memcpy(slot->region, region, strlen(region) + 1);
        memcpy(slot->service, service, strlen(service) + 1);
        slot->secret = copy;
        slot->secret_len = slen;
        memcpy(slot->key, key, 32);
    }
    return st;
}

static asff_status make_sts(const crypto *c, const char *creq, size_t len, int64_t time, const char *region,
                            const char *service, char *out, size_t size)
{
    char stamp[17], hex[65];
    size_t need;
    if (!creq || !out || !size || !valid_name(region) || !valid_name(service))
        return ASFF_ERR_INVALID_ARG;
    if (asff_sigv4_format_time(time, stamp) != ASFF_OK)
        return ASFF_ERR_RANGE;
    sha256_hex(c, creq, len, hex);
    need = strlen(ALGORITHM) + 1 + 16 + 1 + 8 + 1 + strlen(region) + 1 + strlen(service) + 1 + 12 + 1 + 64 + 1;
    if (need > size) {
        out[0] = '\0';
        return ASFF_ERR_LIMIT;
    }
    memcpy(out, ALGORITHM "\n", strlen(ALGORITHM) + 1);
    out += strlen(ALGORITHM) + 1;
    memcpy(out, stamp, 16);
    out[16] = '\n';
    out += 17;
    memcpy(out, stamp, 8);
    out[8] = '/';
    out += 9;
    memcpy(out, region, strlen(region));
    out += strlen(region);
    *out++ = '/';
    memcpy(out, service, strlen(service));
    out += strlen(service);
    memcpy(out, "/aws4_request\n", 14);
    out += 14;
    memcpy(out, hex, 65);
    return ASFF_OK;
}

asff_status asff_sigv4_make_string_to_sign(const char *creq, size_t len, int64_t time, const char *region,
                                           const char *service, char *out, size_t size)
{
    return make_sts(NULL, creq, len, time, region, service, out, size);
}

/* ---- handle ------------------------------------------------------------------------------------ */

asff_status asff_sigv4_new(const asff_sigv4_options *options, asff_sigv4 **out, asff_error *err)
{
    asff_sigv4_options def = ASFF_SIGV4_OPTIONS_INIT;
    const asff_allocator *a;
    asff_sigv4 *s;
    if (!out)
        return asff_error_set(err, ASFF_ERR_INVALID_ARG, "asff_sigv4_new: out is NULL");
    *out = NULL;
    if (options && (options->version && options->version != ASFF_SIGV4_OPTIONS_VERSION))
        return asff__error_setf(err, ASFF_ERR_INVALID_ARG, "asff_sigv4_options version %u is unknown",
                                options->version);
    if (!options)
        options = &def;
    a = asff__alloc_or_default(options->allocator);
    s = asff__malloc(a, sizeof *s);
    if (!s)
        return asff_error_set(err, ASFF_ERR_NOMEM, NULL);
    memset(s, 0, sizeof *s);
    if (!crypto_init(&s->crypto)) {
        asff__free(a, s);
        return asff_error_set(err, ASFF_ERR_NOMEM, "OpenSSL could not set up HMAC/SHA-256");
    }
    s->opt = *options;
    s->alloc = a;
    asff__buf_init(&s->creq, a);
    asff__buf_init(&s->sts, a);
    asff__buf_init(&s->signed_headers, a);
    asff__buf_init(&s->canon_headers, a);
    asff__buf_init(&s->authz, a);
    asff__buf_init(&s->query, a);
    asff__buf_init(&s->url, a);
    asff__buf_init(&s->added_store, a);
    asff__buf_init(&s->work, a);
    *out = s;
    return ASFF_OK;
}

void asff_sigv4_free(asff_sigv4 *s)
{
    if (!s)
        return;
    asff__sbuf_cleanup(&s->creq);
    asff__sbuf_cleanup(&s->sts);
    asff__sbuf_cleanup(&s->signed_headers);
    asff__sbuf_cleanup(&s->canon_headers);
    asff__sbuf_cleanup(&s->authz);
    asff__sbuf_cleanup(&s->query);
    asff__sbuf_cleanup(&s->url);
    asff__sbuf_cleanup(&s->added_store);
    asff__sbuf_cleanup(&s->work);
    asff__free(s->alloc, s->entries);
    {
        unsigned i;
        for (i = 0; i < KEY_CACHE_SLOTS; i++)
            asff__sbuf_strfree(s->alloc, s->cache[i].secret);
    }
    OPENSSL_cleanse(s->cache, sizeof s->cache);
    /* The MAC context held the last key; freeing it lets OpenSSL clear it. */
    crypto_free(&s->crypto);
    OPENSSL_cleanse(s->signature, sizeof s->signature);
    asff__free(s->alloc, s);
}

static const char *buf_str(const asff_buf *b)
{
    return b->data ? b->data : "";
}

const char *asff_sigv4_canonical_request(const asff_sigv4 *s)
{
    return s ? buf_str(&s->creq) : "";
}
const char *asff_sigv4_string_to_sign(const asff_sigv4 *s)
{
    return s ? buf_str(&s->sts) : "";
}
const char *asff_sigv4_signature(const asff_sigv4 *s)
{
    return s ? s->signature : "";
}
const char *asff_sigv4_signed_headers(const asff_sigv4 *s)
{
    return s ? buf_str(&s->signed_headers) : "";
}
const char *asff_sigv4_authorization(const asff_sigv4 *s)
{
    return s ? buf_str(&s->authz) : "";
}
const char *asff_sigv4_presigned_query(const asff_sigv4 *s)
{
    return s ? buf_str(&s->query) : "";
}
const char *asff_sigv4_presigned_url(const asff_sigv4 *s)
{
    return s ? buf_str(&s->url) : "";
}
const asff_sigv4_header *asff_sigv4_headers(const asff_sigv4 *s, size_t *count)
{
    if (count)
        *count = s ? s->nadded : 0;
    return s ? s->added : NULL;
}

static void reset_stages(asff_sigv4 *s)
{
    asff__sbuf_clear(&s->creq);
    asff__sbuf_clear(&s->sts);
    asff__sbuf_clear(&s->signed_headers);
    asff__sbuf_clear(&s->canon_headers);
    asff__sbuf_clear(&s->authz);
    asff__sbuf_clear(&s->query);
    asff__sbuf_clear(&s->url);
    asff__sbuf_clear(&s->added_store);
    asff__sbuf_clear(&s->work);
    s->signature[0] = '\0';
    s->nadded = 0;
}

/* ---- canonicalization -------------------------------------------------------------------------- */

/* The parts of a url. */
typedef struct url_parts {
    const char *scheme;
    size_t scheme_len;
    const char *host; /* host[:port] as written */
    size_t host_len;
    const char *path;
    size_t path_len;
    const char *query;
    size_t query_len;
    bool has_query;
} url_parts;

static asff_status split_url(const char *url, url_parts *u, asff_error *err)
{
    const char *p = strstr(url, "://"), *h, *end;
    size_t i;
    memset(u, 0, sizeof *u);
    if (!p || p == url)
        return asff__error_setf(err, ASFF_ERR_INVALID_ARG, "sigv4: the url has no scheme://");
    u->scheme = url;
    u->scheme_len = (size_t)(p - url);
    if (!eq_nocase(url, u->scheme_len, "https") && !eq_nocase(url, u->scheme_len, "http"))
        return asff__error_setf(err, ASFF_ERR_INVALID_ARG, "sigv4: the url's scheme is not http or https");
    h = p + 3;
    end = h + strcspn(h, "/?#");
    if (end == h)
        return asff__error_setf(err, ASFF_ERR_INVALID_ARG, "sigv4: the url has no host");
    for (i = 0; h + i < end; i++) {
        unsigned char c = (unsigned char)h[i];
        if (c <= ' ' || c >= 0x7f || c == '@' || c == '\\')
            return asff__error_setf(err, ASFF_ERR_INVALID_ARG, "sigv4: the url's host is malformed");
    }
    u->host = h;
    u->host_len = (size_t)(end - h);
    /* Drop the scheme's default port: HTTP clients leave it out of the Host header. */
    if (eq_nocase(url, u->scheme_len, "https") && u->host_len > 4 && memcmp(end - 4, ":443", 4) == 0)
        u->host_len -= 4;
    else if (eq_nocase(url, u->scheme_len, "http") && u->host_len > 3 && memcmp(end - 3, ":80", 3) == 0)
        u->host_len -= 3;
    u->path = end;
    u->path_len = strcspn(end, "?#");
    if (end[u->path_len] == '?') {
        u->has_query = true;
        u->query = end + u->path_len + 1;
        u->query_len = strcspn(u->query, "#");
    }
    return ASFF_OK;
}

static asff_status put_encoded(asff_buf *b, const char *p, size_t n, bool keep_slash)
{
    size_t i;
    if (asff__sbuf_reserve(b, 3 * n) != ASFF_OK)
        return ASFF_ERR_NOMEM;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (is_unreserved(c) || (keep_slash && c == '/')) {
            b->data[b->len++] = (char)c;
        } else {
            b->data[b->len++] = '%';
            b->data[b->len++] = HEX[c >> 4];
            b->data[b->len++] = HEX[c & 15];
        }
    }
    b->data[b->len] = '\0';
    return ASFF_OK;
}

/* The canonical URI into b: dot segments and empty segments removed as botocore's
 * remove_dot_segments does (normalize), then every byte but unreserved and '/' percent-encoded. */
static asff_status put_canonical_uri(asff_sigv4 *s, asff_buf *b, const char *path, size_t n)
{
    asff_buf *t = &s->work;
    size_t start = t->len, i = 0;
    const char *src = path;
    size_t srclen = n;
    if (n == 0)
        return asff__sbuf_putc(b, '/');
    if (!s->opt.no_normalize_path) {
        bool trailing = path[n - 1] == '/';
        size_t segs = 0;
        if (asff__sbuf_reserve(t, n + 2) != ASFF_OK)
            return ASFF_ERR_NOMEM;
        while (i < n) {
            size_t j = i;
            while (j < n && path[j] != '/')
                j++;
            if (j > i && !(j - i == 1 && path[i] == '.')) {
                if (j - i == 2 && path[i] == '.' && path[i + 1] == '.') {
                    if (segs) { /* drop the last segment */
                        while (t->len > start && t->data[t->len - 1] != '/')
                            t->len--;
                        t->len--;
                        segs--;
                    }
                } else {
                    t->data[t->len++] = '/';
                    memcpy(t->data + t->len, path + i, j - i);
                    t->len += j - i;
                    segs++;
                }
            }
            i = j + 1;
        }
        if (segs == 0)
            t->data[t->len++] = '/';
        else if (trailing)
            t->data[t->len++] = '/';
        t->data[t->len] = '\0';
        src = t->data + start;
        srclen = t->len - start;
    } else if (path[0] != '/') {
        if (asff__sbuf_putc(b, '/') != ASFF_OK)
            return ASFF_ERR_NOMEM;
    }
    if (!s->opt.no_double_encode_path)
        return put_encoded(b, src, srclen, true);
    return asff__sbuf_append(b, src, srclen);
}

static asff_status grow_entries(asff_sigv4 *s, size_t n)
{
    entry *e;
    if (n <= s->entries_cap)
        return ASFF_OK;
    e = asff__realloc(s->alloc, s->entries, n * sizeof *e);
    if (!e)
        return ASFF_ERR_NOMEM;
    s->entries = e;
    s->entries_cap = n;
    return ASFF_OK;
}

static int cmp_entry(const void *pa, const void *pb)
{
    const entry *a = pa, *b = pb;
    size_t n = a->name_len < b->name_len ? a->name_len : b->name_len;
    int c = memcmp(a->name, b->name, n);
    if (c)
        return c;
    if (a->name_len != b->name_len)
        return a->name_len < b->name_len ? -1 : 1;
    n = a->value_len < b->value_len ? a->value_len : b->value_len;
    c = memcmp(a->value, b->value, n);
    if (c)
        return c;
    if (a->value_len != b->value_len)
        return a->value_len < b->value_len ? -1 : 1;
    return a->order < b->order ? -1 : a->order > b->order;
}

/* Encode with the unreserved set; with decode, first decode %XX (and '+' as a space, as botocore's
 * parse_qsl does) since the caller's query is as sent on the wire. */
static void put_query_part(asff_buf *t, const char *p, size_t n, bool decode)
{
    size_t i;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (!decode) {
            /* the presigner's own values are raw */
        } else if (c == '%' && i + 2 < n && hexval((unsigned char)p[i + 1]) >= 0 && hexval((unsigned char)p[i + 2]) >= 0) {
            c = (unsigned char)(hexval((unsigned char)p[i + 1]) * 16 + hexval((unsigned char)p[i + 2]));
            i += 2;
        } else if (c == '+') {
            c = ' ';
        }
        if (is_unreserved(c)) {
            t->data[t->len++] = (char)c;
        } else {
            t->data[t->len++] = '%';
            t->data[t->len++] = HEX[c >> 4];
            t->data[t->len++] = HEX[c & 15];
        }
    }
}

typedef struct extra_param {
    const char *name;
    const char *value;
    size_t value_len;
} extra_param;

/* The canonical query string into b: parameters decoded, re-encoded, sorted by key then value.
 * extra: parameters the presigner adds (their values are encoded too). */
static asff_status put_canonical_query(asff_sigv4 *s, asff_buf *b, const char *q, size_t n, const extra_param *extra,
                                       size_t nextra, asff_error *err)
{
    asff_buf *t = &s->work;
    size_t count = 0, i, k, base, need = 0;
    asff_status st;
    for (i = 0; i < n; i++)
        count += q[i] == '&';
    count += 1 + nextra;
    if (count > ASFF_SIGV4_MAX_QUERY_PARAMS + nextra)
        return asff__error_setf(err, ASFF_ERR_LIMIT, "sigv4: more than %d query parameters",
                               ASFF_SIGV4_MAX_QUERY_PARAMS);
    if ((st = grow_entries(s, count)) != ASFF_OK)
        return asff_error_set(err, st, "sigv4: out of memory");
    for (k = 0; k < nextra; k++)
        need += 3 * (strlen(extra[k].name) + extra[k].value_len) + 2;
    /* Reserve everything first so that entries can point into t->data. */
    if (asff__sbuf_reserve(t, 3 * n + need + 2) != ASFF_OK)
        return asff_error_set(err, ASFF_ERR_NOMEM, "sigv4: out of memory");
    count = 0;
    i = 0;
    while (i < n) {
        size_t j = i, eq;
        while (j < n && q[j] != '&')
            j++;
        if (j > i) {
            entry *e = &s->entries[count];
            eq = i;
            while (eq < j && q[eq] != '=')
                eq++;
            base = t->len;
            put_query_part(t, q + i, eq - i, true);
            e->name = t->data + base;
            e->name_len = t->len - base;
            base = t->len;
            if (eq < j)
                put_query_part(t, q + eq + 1, j - eq - 1, true);
            e->value = t->data + base;
            e->value_len = t->len - base;
            e->order = count++;
        }
        i = j + 1;
    }
    for (k = 0; k < nextra; k++) {
        entry *e = &s->entries[count];
        base = t->len;
        put_query_part(t, extra[k].name, strlen(extra[k].name), false);
        e->name = t->data + base;
        e->name_len = t->len - base;
        base = t->len;
        put_query_part(t, extra[k].value, extra[k].value_len, false);
        e->value = t->data + base;
        e->value_len = t->len - base;
        e->order = count++;
    }
    t->data[t->len] = '\0';
    qsort(s->entries, count, sizeof *s->entries, cmp_entry);
    for (i = 0; i < count; i++) {
        const entry *e = &s->entries[i];
        if ((i && asff__sbuf_putc(b, '&') != ASFF_OK) || asff__sbuf_append(b, e->name, e->name_len) != ASFF_OK ||
            asff__sbuf_putc(b, '=') != ASFF_OK || asff__sbuf_append(b, e->value, e->value_len) != ASFF_OK)
            return asff_error_set(err, ASFF_ERR_NOMEM, "sigv4: out of memory");
    }
    return ASFF_OK;
}

/* Headers that proxies and clients change on the way: never signed (as botocore). */
static bool skip_header(const char *lname, size_t n)
{
    return (n == 13 && memcmp(lname, "authorization", 13) == 0) || (n == 10 && memcmp(lname, "user-agent", 10) == 0) ||
           (n == 6 && memcmp(lname, "expect", 6) == 0) || (n == 15 && memcmp(lname, "x-amzn-trace-id", 15) == 0);
}

/* Append header name (lowercased) and value (trimmed, whitespace runs squeezed to one space) to the
 * work buffer as an entry. The buffer was reserved for every entry, so nothing here reallocates (the
 * entries point into it); false when the reservation would not hold this one. */
static bool add_header_entry(asff_sigv4 *s, size_t *count, const char *name, size_t nlen, const char *value,
                             size_t vlen)
{
    asff_buf *t = &s->work;
    entry *e = &s->entries[*count];
    size_t i, base = t->len;
    bool space = false;
    if (!t->data || t->cap - t->len <= nlen || t->cap - t->len - nlen <= vlen)
        return false;
    for (i = 0; i < nlen; i++)
        t->data[t->len++] = lower(name[i]);
    e->name = t->data + base;
    e->name_len = nlen;
    base = t->len;
    /* Most values (dates, hashes, tokens) have no white space to fold: copy them whole. */
    if (vlen && !memchr(value, ' ', vlen) && !memchr(value, '\t', vlen)) {
        memcpy(t->data + t->len, value, vlen);
        t->len += vlen;
        vlen = 0;
    }
    for (i = 0; i < vlen; i++) {
        if (is_ws(value[i])) {
            space = true;
            continue;
        }
        if (space && t->len > base)
            t->data[t->len++] = ' ';
        space = false;
        t->data[t->len++] = value[i];
    }
    e->value = t->data + base;
    e->value_len = t->len - base;
    e->order = *count;
    (*count)++;
    return true;
}

static bool has_header(const asff_sigv4_request *r, const char *lname)
{
    size_t i;
    for (i = 0; i < r->header_count; i++)
        if (eq_nocase(r->headers[i].name, r->headers[i].name_len, lname))
            return true;
    return false;
}

/* Checks every header: RFC 7230 token names; values without control characters but tab (a CR or LF
 * could inject a header when the request is sent). */
static asff_status check_headers(const asff_sigv4_request *r, asff_error *err)
{
    size_t i, j;
    if (r->header_count > ASFF_SIGV4_MAX_HEADERS)
        return asff__error_setf(err, ASFF_ERR_LIMIT, "sigv4: more than %d headers", ASFF_SIGV4_MAX_HEADERS);
    if (r->header_count && !r->headers)
        return asff__error_setf(err, ASFF_ERR_INVALID_ARG, "sigv4: headers is NULL");
    for (i = 0; i < r->header_count; i++) {
        const asff_sigv4_header *h = &r->headers[i];
        if (!h->name || !h->name_len || (!h->value && h->value_len))
            return asff__error_setf(err, ASFF_ERR_INVALID_ARG, "sigv4: header %zu has no name", i);
        for (j = 0; j < h->name_len; j++)
            if (!is_tchar((unsigned char)h->name[j]))
                return asff__error_setf(err, ASFF_ERR_INVALID_ARG, "sigv4: header %zu: invalid character in its name",
                                       i);
        for (j = 0; j < h->value_len; j++) {
            unsigned char c = (unsigned char)h->value[j];
            if ((c < 0x20 && c != '\t') || c == 0x7f)
                return asff__error_setf(err, ASFF_ERR_INVALID_ARG,
                                       "sigv4: header %zu: control character in its value", i);
        }
    }
    return ASFF_OK;
}

static asff_status check_credentials(const asff_credentials *c, asff_error *err)
{
    size_t i;
    if (!c || !c->access_key_id || !c->access_key_id[0] || !c->secret_access_key || !c->secret_access_key[0])
        return asff__error_setf(err, ASFF_ERR_INVALID_ARG, "sigv4: credentials need an access key id and a secret");
    for (i = 0; c->access_key_id[i]; i++) {
        unsigned char ch = (unsigned char)c->access_key_id[i];
        if (i >= 256 || !(is_unreserved(ch)))
            return asff__error_setf(err, ASFF_ERR_INVALID_ARG, "sigv4: the access key id is malformed");
    }
    if (c->session_token)
        for (i = 0; c->session_token[i]; i++) {
            unsigned char ch = (unsigned char)c->session_token[i];
            if (ch <= ' ' || ch >= 0x7f)
                return asff__error_setf(err, ASFF_ERR_INVALID_ARG,
                                       "sigv4: the session token holds a character a header cannot carry");
        }
    return ASFF_OK;
}

static void add_output(asff_sigv4 *s, const char *name, size_t value_off, size_t value_len)
{
    asff_sigv4_header *h = &s->added[s->nadded++];
    h->name = name;
    h->name_len = strlen(name);
    h->value = (const char *)(uintptr_t)value_off; /* fixed up to a pointer at the end */
    h->value_len = value_len;
}

/* One signing: the inputs and what the stages derive from them. */
typedef struct sign_job {
    const asff_sigv4_request *req;
    const asff_credentials *creds;
    const char *region, *service;
    int64_t time;
    int64_t presign_expires;     /* < 0 for header signing */
    bool presign;
    url_parts u;                 /* when req->url is set */
    const char *path, *query;
    size_t path_len, query_len;
    const char *token;           /* session token, NULL when none */
    char stamp[17];              /* YYYYMMDDTHHMMSSZ */
    char date[9];                /* YYYYMMDD */
    char scope[8 + 1 + MAX_NAME + 1 + MAX_NAME + 1 + 12 + 1];
    char payload[65];            /* the payload hash, or UNSIGNED-PAYLOAD */
    bool add_host, add_date, add_token, sign_token, add_sha;
} sign_job;

/* Stage 1: every input checked, the URL split, the credential scope formed. */
static asff_status check_request(sign_job *j, asff_error *err)
{
    const asff_sigv4_request *req = j->req;
    asff_status st;
    size_t i;
    int n;
    if ((req->version && req->version != ASFF_SIGV4_REQUEST_VERSION))
        return asff__error_setf(err, ASFF_ERR_INVALID_ARG, "sigv4: unknown request version %u", req->version);
    if (!req->method || !req->method[0])
        return asff__error_setf(err, ASFF_ERR_INVALID_ARG, "sigv4: the request has no method");
    for (i = 0; req->method[i]; i++)
        if (!is_tchar((unsigned char)req->method[i]) || i > 32)
            return asff__error_setf(err, ASFF_ERR_INVALID_ARG, "sigv4: the method is malformed");
    if ((st = check_credentials(j->creds, err)) != ASFF_OK)
        return st;
    if (!valid_name(j->region))
        return asff__error_setf(err, ASFF_ERR_INVALID_ARG, "sigv4: the region must be 1-64 of [A-Za-z0-9._-]");
    if (!valid_name(j->service))
        return asff__error_setf(err, ASFF_ERR_INVALID_ARG, "sigv4: the service must be 1-64 of [A-Za-z0-9._-]");
    if (asff_sigv4_format_time(j->time, j->stamp) != ASFF_OK)
        return asff__error_setf(err, ASFF_ERR_RANGE, "sigv4: the time is out of range");
    if (j->presign && (j->presign_expires < 1 || j->presign_expires > ASFF_SIGV4_MAX_PRESIGN_EXPIRES))
        return asff__error_setf(err, ASFF_ERR_RANGE, "sigv4: presign expiry must be 1..%d seconds",
                               ASFF_SIGV4_MAX_PRESIGN_EXPIRES);
    if ((st = check_headers(req, err)) != ASFF_OK)
        return st;
    if (req->body_len && !req->body)
        return asff__error_setf(err, ASFF_ERR_INVALID_ARG, "sigv4: body is NULL");
    if (req->url) {
        if ((st = split_url(req->url, &j->u, err)) != ASFF_OK)
            return st;
        j->path = j->u.path;
        j->path_len = j->u.path_len;
        j->query = j->u.query;
        j->query_len = j->u.query_len;
        j->add_host = !has_header(req, "host");
    } else {
        j->path = req->path ? req->path : "";
        j->path_len = req->path ? req->path_len : 0;
        j->query = req->query ? req->query : "";
        j->query_len = req->query ? req->query_len : 0;
        if (!has_header(req, "host"))
            return asff__error_setf(err, ASFF_ERR_INVALID_ARG, "sigv4: the request has no Host header and no url");
    }
    if (memchr(j->path, '\0', j->path_len))
        return asff__error_setf(err, ASFF_ERR_INVALID_ARG, "sigv4: NUL byte in the path");
    memcpy(j->date, j->stamp, 8);
    j->date[8] = '\0';
    /* region and service are at most MAX_NAME bytes (valid_name), so the scope always fits */
    n = snprintf(j->scope, sizeof j->scope, "%s/%s/%s/aws4_request", j->date, j->region, j->service);
    if (n < 0 || (size_t)n >= sizeof j->scope)
        return asff__error_setf(err, ASFF_ERR_INTERNAL, "sigv4: the credential scope does not fit");
    return ASFF_OK;
}

/* Stage 2: the payload hash, and which headers the signer adds (and signs). */
static asff_status plan_headers(asff_sigv4 *s, sign_job *j, asff_error *err)
{
    const asff_sigv4_request *req = j->req;
    size_t i;
    if (req->payload_hash) {
        size_t n = strlen(req->payload_hash);
        if (n > 64 || n == 0)
            return asff__error_setf(err, ASFF_ERR_INVALID_ARG, "sigv4: payload_hash must be 64 hex digits or "
                                                              "UNSIGNED-PAYLOAD");
        for (i = 0; i < n; i++)
            if (!is_unreserved((unsigned char)req->payload_hash[i]))
                return asff__error_setf(err, ASFF_ERR_INVALID_ARG, "sigv4: payload_hash is malformed");
        memcpy(j->payload, req->payload_hash, n + 1);
    } else if (s->opt.unsigned_payload) {
        memcpy(j->payload, "UNSIGNED-PAYLOAD", 17);
    } else {
        sha256_hex(&s->crypto, req->body, req->body_len, j->payload);
    }
    j->add_date = !j->presign && !has_header(req, "x-amz-date");
    j->add_token = !j->presign && j->token && !has_header(req, "x-amz-security-token");
    j->sign_token = j->add_token && !s->opt.token_after_signing;
    j->add_sha = !j->presign && s->opt.add_content_sha256 && !has_header(req, "x-amz-content-sha256");
    if (!j->presign && !j->add_date) {
        /* The X-Amz-Date the caller gave must be the signing time, or AWS rejects the signature. */
        for (i = 0; i < req->header_count; i++) {
            const asff_sigv4_header *h = &req->headers[i];
            if (eq_nocase(h->name, h->name_len, "x-amz-date")) {
                size_t a = 0, b = h->value_len;
                while (a < b && is_ws(h->value[a]))
                    a++;
                while (b > a && is_ws(h->value[b - 1]))
                    b--;
                if (b - a != 16 || memcmp(h->value + a, j->stamp, 16) != 0)
                    return asff__error_setf(err, ASFF_ERR_INVALID_ARG,
                                           "sigv4: the X-Amz-Date header is not the signing time %s", j->stamp);
            }
        }
    }
    return ASFF_OK;
}

/* Stage 3: canonical headers and the signed-header list. The entries' bytes go to s->work, reserved
 * for exactly what add_header_entry can write (names and values never grow when folded). */
static asff_status canonical_headers(asff_sigv4 *s, sign_job *j, asff_error *err)
{
    const asff_sigv4_request *req = j->req;
    size_t i, count = 0, need = 0;
    size_t token_len = j->token ? strlen(j->token) : 0, payload_len = strlen(j->payload);
    bool ok = true;
    for (i = 0; i < req->header_count; i++)
        need += req->headers[i].name_len + req->headers[i].value_len;
    if (j->add_host)
        need += 4 + j->u.host_len;
    if (j->add_date)
        need += 10 + 16;
    if (j->sign_token)
        need += 20 + token_len;
    if (j->add_sha)
        need += 20 + payload_len;
    if (grow_entries(s, req->header_count + 4) != ASFF_OK || asff__sbuf_reserve(&s->work, need) != ASFF_OK)
        return asff_error_set(err, ASFF_ERR_NOMEM, "sigv4: out of memory");
    for (i = 0; i < req->header_count && ok; i++) {
        const asff_sigv4_header *h = &req->headers[i];
        char lname[16];
        size_t k, n = h->name_len < sizeof lname ? h->name_len : sizeof lname;
        for (k = 0; k < n; k++)
            lname[k] = lower(h->name[k]);
        if (!skip_header(lname, h->name_len))
            ok = add_header_entry(s, &count, h->name, h->name_len, h->value ? h->value : "", h->value_len);
    }
    ok = ok && (!j->add_host || add_header_entry(s, &count, "host", 4, j->u.host, j->u.host_len)) &&
         (!j->add_date || add_header_entry(s, &count, "x-amz-date", 10, j->stamp, 16)) &&
         (!j->sign_token || add_header_entry(s, &count, "x-amz-security-token", 20, j->token, token_len)) &&
         (!j->add_sha || add_header_entry(s, &count, "x-amz-content-sha256", 20, j->payload, payload_len));
    if (!ok)
        return asff__error_setf(err, ASFF_ERR_INTERNAL, "sigv4: header bytes overran their reservation");
    /* Sort by name only, keeping the input order within a name (insertion sort is stable; header
     * lists are short and bounded by ASFF_SIGV4_MAX_HEADERS). */
    for (i = 1; i < count; i++) {
        entry e = s->entries[i];
        size_t k = i;
        while (k > 0) {
            const entry *p = &s->entries[k - 1];
            size_t n = p->name_len < e.name_len ? p->name_len : e.name_len;
            int c = memcmp(p->name, e.name, n);
            if (c < 0 || (c == 0 && p->name_len <= e.name_len))
                break;
            s->entries[k] = *p;
            k--;
        }
        s->entries[k] = e;
    }
    for (i = 0; i < count; i++) {
        const entry *e = &s->entries[i];
        bool same = i && e->name_len == s->entries[i - 1].name_len &&
                    memcmp(e->name, s->entries[i - 1].name, e->name_len) == 0;
        if (same) {
            /* Repeated header: one line, values joined with commas in the order given. */
            s->canon_headers.len--;
            ok = asff__sbuf_putc(&s->canon_headers, ',') == ASFF_OK;
        } else {
            ok = (!i || asff__sbuf_putc(&s->signed_headers, ';') == ASFF_OK) &&
                 asff__sbuf_append(&s->signed_headers, e->name, e->name_len) == ASFF_OK &&
                 asff__sbuf_append(&s->canon_headers, e->name, e->name_len) == ASFF_OK &&
                 asff__sbuf_putc(&s->canon_headers, ':') == ASFF_OK;
        }
        if (!ok || asff__sbuf_append(&s->canon_headers, e->value, e->value_len) != ASFF_OK ||
            asff__sbuf_putc(&s->canon_headers, '\n') != ASFF_OK)
            return asff_error_set(err, ASFF_ERR_NOMEM, "sigv4: out of memory");
    }
    asff__sbuf_clear(&s->work); /* reused by the query */
    if (count == 0)
        return asff__error_setf(err, ASFF_ERR_INVALID_ARG, "sigv4: nothing to sign (no Host header)");
    return ASFF_OK;
}

/* Stage 4: the canonical request (and, presigning, the query that carries the signature). */
static asff_status canonical_request(asff_sigv4 *s, sign_job *j, asff_error *err)
{
    asff_buf *c = &s->creq;
    size_t qstart;
    asff_status st;
    if (asff__sbuf_puts(c, j->req->method) != ASFF_OK || asff__sbuf_putc(c, '\n') != ASFF_OK ||
        put_canonical_uri(s, c, j->path, j->path_len) != ASFF_OK || asff__sbuf_putc(c, '\n') != ASFF_OK)
        return asff_error_set(err, ASFF_ERR_NOMEM, "sigv4: out of memory");
    qstart = c->len;
    if (j->presign) {
        char cred[300], exp[24];
        extra_param ex[6];
        size_t nex = 0;
        int m = snprintf(cred, sizeof cred, "%s/%s", j->creds->access_key_id, j->scope);
        if (m < 0 || (size_t)m >= sizeof cred)
            return asff_error_set(err, ASFF_ERR_LIMIT, "sigv4: the access key id is too long");
        snprintf(exp, sizeof exp, "%lld", (long long)j->presign_expires);
        ex[nex++] = (extra_param){"X-Amz-Algorithm", ALGORITHM, strlen(ALGORITHM)};
        ex[nex++] = (extra_param){"X-Amz-Credential", cred, strlen(cred)};
        ex[nex++] = (extra_param){"X-Amz-Date", j->stamp, 16};
        ex[nex++] = (extra_param){"X-Amz-Expires", exp, strlen(exp)};
        ex[nex++] = (extra_param){"X-Amz-SignedHeaders", s->signed_headers.data, s->signed_headers.len};
        if (j->token)
            ex[nex++] = (extra_param){"X-Amz-Security-Token", j->token, strlen(j->token)};
        st = put_canonical_query(s, c, j->query, j->query_len, ex, nex, err);
    } else {
        st = put_canonical_query(s, c, j->query, j->query_len, NULL, 0, err);
    }
    if (st != ASFF_OK)
        return st;
    if (j->presign && asff__sbuf_append(&s->query, c->data + qstart, c->len - qstart) != ASFF_OK)
        return asff_error_set(err, ASFF_ERR_NOMEM, "sigv4: out of memory");
    if (asff__sbuf_putc(c, '\n') != ASFF_OK ||
        asff__sbuf_append(c, s->canon_headers.data, s->canon_headers.len) != ASFF_OK ||
        asff__sbuf_putc(c, '\n') != ASFF_OK ||
        asff__sbuf_append(c, s->signed_headers.data, s->signed_headers.len) != ASFF_OK ||
        asff__sbuf_putc(c, '\n') != ASFF_OK || asff__sbuf_puts(c, j->payload) != ASFF_OK)
        return asff_error_set(err, ASFF_ERR_NOMEM, "sigv4: out of memory");
    return ASFF_OK;
}

/* Stage 5: string to sign and signature. */
static asff_status signature(asff_sigv4 *s, sign_job *j, asff_error *err)
{
    char sts[sizeof ALGORITHM + 17 + sizeof j->scope + 66];
    unsigned char key[32], mac[32];
    asff_status st = make_sts(&s->crypto, s->creq.data, s->creq.len, j->time, j->region, j->service, sts,
                              sizeof sts);
    if (st != ASFF_OK)
        return asff_error_set(err, st, "sigv4: cannot build the string to sign");
    if (asff__sbuf_puts(&s->sts, sts) != ASFF_OK)
        return asff_error_set(err, ASFF_ERR_NOMEM, "sigv4: out of memory");
    st = cached_key(s, j->creds->secret_access_key, j->date, j->region, j->service, key);
    if (st == ASFF_OK)
        st = hmac(&s->crypto, key, 32, s->sts.data, s->sts.len, mac);
    OPENSSL_cleanse(key, sizeof key);
    if (st != ASFF_OK)
        return asff_error_set(err, st, "sigv4: HMAC failed");
    to_hex(mac, 32, s->signature);
    OPENSSL_cleanse(mac, sizeof mac);
    return ASFF_OK;
}

/* Stage 6a: the presigned query and URL. */
static asff_status presigned_output(asff_sigv4 *s, const sign_job *j, asff_error *err)
{
    const url_parts *u = &j->u;
    if (asff__sbuf_puts(&s->query, "&X-Amz-Signature=") != ASFF_OK || asff__sbuf_puts(&s->query, s->signature) != ASFF_OK)
        return asff_error_set(err, ASFF_ERR_NOMEM, "sigv4: out of memory");
    if (j->req->url &&
        (asff__sbuf_append(&s->url, u->scheme, u->scheme_len) != ASFF_OK || asff__sbuf_puts(&s->url, "://") != ASFF_OK ||
         asff__sbuf_append(&s->url, u->host, u->host_len) != ASFF_OK ||
         asff__sbuf_append(&s->url, u->path_len ? u->path : "/", u->path_len ? u->path_len : 1) != ASFF_OK ||
         asff__sbuf_putc(&s->url, '?') != ASFF_OK || asff__sbuf_append(&s->url, s->query.data, s->query.len) != ASFF_OK))
        return asff_error_set(err, ASFF_ERR_NOMEM, "sigv4: out of memory");
    return ASFF_OK;
}

/* A header the signer adds: its value appended to added_store (offsets become pointers at the end,
 * once the store no longer moves). */
static bool add_value(asff_sigv4 *s, const char *name, const char *value, size_t len)
{
    asff_buf *o = &s->added_store;
    size_t off = o->len;
    if (asff__sbuf_append(o, value, len) != ASFF_OK || asff__sbuf_putc(o, '\0') != ASFF_OK)
        return false;
    add_output(s, name, off, len);
    return true;
}

/* Stage 6b: the Authorization header and the headers to add. */
static asff_status header_output(asff_sigv4 *s, const sign_job *j, asff_error *err)
{
    size_t i;
    bool ok;
    if (asff__sbuf_puts(&s->authz, ALGORITHM " Credential=") != ASFF_OK ||
        asff__sbuf_puts(&s->authz, j->creds->access_key_id) != ASFF_OK || asff__sbuf_putc(&s->authz, '/') != ASFF_OK ||
        asff__sbuf_puts(&s->authz, j->scope) != ASFF_OK || asff__sbuf_puts(&s->authz, ", SignedHeaders=") != ASFF_OK ||
        asff__sbuf_append(&s->authz, s->signed_headers.data, s->signed_headers.len) != ASFF_OK ||
        asff__sbuf_puts(&s->authz, ", Signature=") != ASFF_OK || asff__sbuf_puts(&s->authz, s->signature) != ASFF_OK)
        return asff_error_set(err, ASFF_ERR_NOMEM, "sigv4: out of memory");
    ok = (!j->add_host || add_value(s, "Host", j->u.host, j->u.host_len)) &&
         (!j->add_date || add_value(s, "X-Amz-Date", j->stamp, 16)) &&
         (!j->add_token || add_value(s, "X-Amz-Security-Token", j->token, strlen(j->token))) &&
         (!j->add_sha || add_value(s, "X-Amz-Content-Sha256", j->payload, strlen(j->payload)));
    if (!ok)
        return asff_error_set(err, ASFF_ERR_NOMEM, "sigv4: out of memory");
    for (i = 0; i < s->nadded; i++)
        s->added[i].value = s->added_store.data + (uintptr_t)s->added[i].value;
    s->added[s->nadded].name = "Authorization";
    s->added[s->nadded].name_len = 13;
    s->added[s->nadded].value = s->authz.data;
    s->added[s->nadded].value_len = s->authz.len;
    s->nadded++;
    return ASFF_OK;
}

/* Everything sign and presign share, stage by stage. presign_expires < 0 for header signing. */
static asff_status sign_common(asff_sigv4 *s, const asff_sigv4_request *req, const asff_credentials *creds,
                               const char *region, const char *service, int64_t time, int64_t presign_expires,
                               asff_error *err)
{
    sign_job j;
    asff_status st;
    if (!s || !req)
        return asff__error_setf(err, ASFF_ERR_INVALID_ARG, "sigv4: no signer or request");
    reset_stages(s);
    memset(&j, 0, sizeof j);
    j.req = req;
    j.creds = creds;
    j.region = region;
    j.service = service;
    j.time = time;
    j.presign_expires = presign_expires;
    j.presign = presign_expires >= 0;
    j.token = creds && creds->session_token && creds->session_token[0] ? creds->session_token : NULL;
    if ((st = check_request(&j, err)) != ASFF_OK || (st = plan_headers(s, &j, err)) != ASFF_OK ||
        (st = canonical_headers(s, &j, err)) != ASFF_OK || (st = canonical_request(s, &j, err)) != ASFF_OK ||
        (st = signature(s, &j, err)) != ASFF_OK)
        return st;
    return j.presign ? presigned_output(s, &j, err) : header_output(s, &j, err);
}

asff_status asff_sigv4_sign(asff_sigv4 *s, const asff_sigv4_request *req, const asff_credentials *creds,
                            const char *region, const char *service, int64_t time, asff_error *err)
{
    asff_status st = sign_common(s, req, creds, region, service, time, -1, err);
    if (st != ASFF_OK && s)
        reset_stages(s);
    return st;
}

asff_status asff_sigv4_presign(asff_sigv4 *s, const asff_sigv4_request *req, const asff_credentials *creds,
                               const char *region, const char *service, int64_t time, int64_t expires,
                               asff_error *err)
{
    asff_status st;
    if (expires < 0)
        return asff__error_setf(err, ASFF_ERR_RANGE, "sigv4: presign expiry must be 1..%d seconds",
                               ASFF_SIGV4_MAX_PRESIGN_EXPIRES);
    st = sign_common(s, req, creds, region, service, time, expires, err);
    if (st != ASFF_OK && s)
        reset_stages(s);
    return st;
}
