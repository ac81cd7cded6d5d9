/* What the credential providers share: HTTP (libcurl), JSON answers (the core reader), credentials
 * copies in wiped memory, token files, ISO 8601 times. Nothing here quotes a secret or a body. */
#include <stdio.h>
#include <string.h>
#include "http/libcurl.h"
#include <openssl/crypto.h>
#include "aws/aws_internal.h"
#include "core/json.h"
#include "sigv4/secbuf.h"

asff_status asff__creds_set(const asff_aws *a, asff__creds *out, const char *key, const char *secret,
                            const char *token, int64_t expiration)
{
    asff__creds c;
    memset(&c, 0, sizeof c);
    c.key = asff__sbuf_strdup(a->alloc, key, strlen(key));
    c.secret = asff__sbuf_strdup(a->alloc, secret, strlen(secret));
    if (token && token[0])
        c.token = asff__sbuf_strdup(a->alloc, token, strlen(token));
    c.expiration = expiration;
    if (!c.key || !c.secret || (token && token[0] && !c.token)) {
        asff__creds_clear(a, &c);
        return ASFF_ERR_NOMEM;
    }
    asff__creds_clear(a, out);
    *out = c;
    return ASFF_OK;
}

void asff__creds_clear(const asff_aws *a, asff__creds *c)
{
    asff__sbuf_strfree(a->alloc, c->key);
    asff__sbuf_strfree(a->alloc, c->secret);
    asff__sbuf_strfree(a->alloc, c->token);
    memset(c, 0, sizeof *c);
}

asff_status asff__aws_read_token_file(const asff_aws *a, const char *path, asff_buf *out, const char *what,
                                      asff_error *err)
{
    FILE *f = fopen(path, "rb");
    char buf[4096];
    size_t n;
    asff_status st;
    if (!f)
        return asff__error_setf(err, ASFF_ERR_IO, "%s: cannot read the token file %.300s", what, path);
    (void)a;
    asff__sbuf_clear(out);
    st = ASFF_OK;
    while (st == ASFF_OK && (n = fread(buf, 1, sizeof buf, f)) > 0) {
        if (out->len + n > 64u * 1024u)
            st = asff__error_setf(err, ASFF_ERR_LIMIT, "%s: the token file %.300s is larger than 64 KiB", what, path);
        else if (asff__sbuf_append(out, buf, n) != ASFF_OK)
            st = asff__error_setf(err, ASFF_ERR_NOMEM, "%s: out of memory", what);
    }
    OPENSSL_cleanse(buf, sizeof buf);
    fclose(f);
    if (st != ASFF_OK)
        return st;
    while (out->len && strchr(" \t\r\n", out->data[out->len - 1]))
        out->len--;
    if (!out->len)
        return asff__error_setf(err, ASFF_ERR_CREDENTIALS, "%s: the token file %.300s is empty", what, path);
    if (asff__sbuf_putc(out, '\0') != ASFF_OK)
        return asff__error_setf(err, ASFF_ERR_NOMEM, "%s: out of memory", what);
    out->len--;
    if (memchr(out->data, '\0', out->len) || strpbrk(out->data, "\r\n"))
        return asff__error_setf(err, ASFF_ERR_CREDENTIALS, "%s: the token in %.300s holds a line break or NUL", what,
                               path);
    return ASFF_OK;
}

/* ---- HTTP ---------------------------------------------------------------------------------------- */

typedef struct http_body {
    asff_buf buf;
    bool too_big, nomem;
} http_body;

static size_t on_body(char *data, size_t size, size_t n, void *ctx)
{
    http_body *b = ctx;
    size_t len = size * n;
    if (b->buf.len + len > ASFF_AWS_MAX_HTTP_RESPONSE) {
        b->too_big = true;
        return 0;
    }
    if (asff__sbuf_append(&b->buf, data, len) != ASFF_OK) {
        b->nomem = true;
        return 0;
    }
    return len;
}

asff_status asff__aws_http(const asff_aws *a, const char *method, const char *url, const char *const *headers,
                           const char *body, size_t body_len, bool link_local, asff_buf *out, long *status,
                           asff_error *err, const char *what)
{
    CURL *c;
    struct curl_slist *hl = NULL, *t;
    http_body hb;
    CURLcode rc;
    size_t i;
    asff_status st = asff__libcurl_load(err);
    *status = 0;
    if (st != ASFF_OK)
        return st;
    c = curl_easy_init();
    if (!c)
        return asff__error_setf(err, ASFF_ERR_NOMEM, "%s: cannot create a curl handle", what);
    hb.buf = *out;
    hb.too_big = hb.nomem = false;
    for (i = 0; headers && headers[i]; i++) {
        t = curl_slist_append(hl, headers[i]);
        if (!t) {
            curl_slist_free_all(hl);
            curl_easy_cleanup(c);
            return asff__error_setf(err, ASFF_ERR_NOMEM, "%s: out of memory", what);
        }
        hl = t;
    }
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (body || strcmp(method, "PUT") == 0 || strcmp(method, "POST") == 0) {
        curl_easy_setopt(c, CURLOPT_UPLOAD, 0L);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body ? body : "");
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)(body ? body_len : 0));
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &hb);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    /* STS and SSO get a longer time than the link-local metadata endpoints. */
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, link_local ? a->opt.http_timeout_ms : 30000L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, link_local ? a->opt.http_timeout_ms : 10000L);
    /* Metadata endpoints are link-local: never through a proxy. Nothing is redirected elsewhere. */
    if (link_local)
        curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
#else
    curl_easy_setopt(c, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    curl_easy_setopt(c, CURLOPT_USERAGENT, "libasff/" ASFF_VERSION_STRING);
    /* STS and SSO behind a TLS-inspecting proxy: the CA bundle the SDKs read (AWS_CA_BUNDLE). */
    if (!link_local && asff__aws_env(a, "AWS_CA_BUNDLE"))
        curl_easy_setopt(c, CURLOPT_CAINFO, asff__aws_env(a, "AWS_CA_BUNDLE"));
    rc = curl_easy_perform(c);
    *out = hb.buf;
    if (rc == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
    else if (hb.too_big)
        st = asff__error_setf(err, ASFF_ERR_LIMIT, "%s: answer larger than %u bytes", what, ASFF_AWS_MAX_HTTP_RESPONSE);
    else if (hb.nomem)
        st = asff__error_setf(err, ASFF_ERR_NOMEM, "%s: out of memory", what);
    else if (rc == CURLE_OPERATION_TIMEDOUT)
        st = asff__error_setf(err, ASFF_ERR_TIMEOUT, "%s: timed out", what);
    else
        st = asff__error_setf(err, ASFF_ERR_NETWORK, "%s: %s", what, curl_easy_strerror(rc));
    curl_slist_free_all(hl);
    curl_easy_cleanup(c);
    return st;
}

/* ---- times and JSON ------------------------------------------------------------------------------ */

bool asff__parse_iso8601(const char *s, int64_t *out)
{
    char compact[17];
    size_t n = strlen(s);
    if (n < 19 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') || s[13] != ':' || s[16] != ':')
        return false;
    memcpy(compact, s, 4);
    memcpy(compact + 4, s + 5, 2);
    memcpy(compact + 6, s + 8, 2);
    compact[8] = 'T';
    memcpy(compact + 9, s + 11, 2);
    memcpy(compact + 11, s + 14, 2);
    memcpy(compact + 13, s + 17, 2);
    compact[15] = 'Z';
    compact[16] = '\0';
    return asff_sigv4_parse_time(compact, out) == ASFF_OK;
}

asff_status asff__aws_json(const asff_aws *a, const char *text, size_t len, yajl_val *out, const char *what,
                           asff_error *err)
{
    asff__json_limits lim = {16, ASFF_AWS_MAX_HTTP_RESPONSE};
    asff_error e;
    asff_status st = asff__json_parse(text, len, &lim, a->alloc, out, &e);
    if (st == ASFF_OK)
        return ASFF_OK;
    /* The reader's message may describe the content; only the position is passed on. */
    st = asff__error_setf(err, st == ASFF_ERR_NOMEM ? ASFF_ERR_NOMEM : ASFF_ERR_SYNTAX,
                         "%s: the answer is not a JSON object (%s at byte %llu)", what, asff_status_name(e.code),
                         (unsigned long long)e.offset);
    if (err) {
        err->offset = e.offset;
        memcpy(err->path, e.path, sizeof err->path);
    }
    OPENSSL_cleanse(&e, sizeof e);
    return st;
}

const char *asff__json_str(yajl_val obj, const char *name)
{
    const char *path[] = {name, NULL};
    yajl_val v = obj ? yajl_tree_get(obj, path, yajl_t_string) : NULL;
    return v ? YAJL_GET_STRING(v) : NULL;
}

asff_status asff__creds_from_json(const asff_aws *a, yajl_val obj, const char *const names[4], bool ms_number,
                                  asff__creds *out, const char *what, asff_error *err)
{
    const char *k, *s, *t, *x = NULL;
    const char *path[] = {names[3], NULL};
    int64_t exp = 0;
    asff_status st;
    if (!YAJL_IS_OBJECT(obj))
        return asff__error_setf(err, ASFF_ERR_SYNTAX, "%s: the credentials answer is not a JSON object", what);
    k = asff__json_str(obj, names[0]);
    s = asff__json_str(obj, names[1]);
    t = asff__json_str(obj, names[2]);
    if (ms_number) {
        yajl_val v = yajl_tree_get(obj, path, yajl_t_number);
        if (v && YAJL_IS_INTEGER(v))
            exp = YAJL_GET_INTEGER(v) / 1000;
        else if (v)
            return asff__error_setf(err, ASFF_ERR_SYNTAX, "%s: %s is not a whole number", what, names[3]);
    } else {
        x = asff__json_str(obj, names[3]);
    }
    if (!k || !k[0] || !s || !s[0])
        return asff__error_setf(err, ASFF_ERR_SYNTAX, "%s: the credentials answer has no %s/%s", what, names[0],
                               names[1]);
    if (x && !asff__parse_iso8601(x, &exp))
        return asff__error_setf(err, ASFF_ERR_SYNTAX, "%s: the credentials' %s is not an ISO 8601 time", what,
                               names[3]);
    st = asff__creds_set(a, out, k, s, t, exp);
    /* Wipe the tree's copies of the secrets before it is freed. */
    OPENSSL_cleanse((void *)s, strlen(s));
    if (t)
        OPENSSL_cleanse((void *)t, strlen(t));
    return st == ASFF_OK ? ASFF_OK : asff__error_setf(err, ASFF_ERR_NOMEM, "%s: out of memory", what);
}

asff_status asff__creds_from_meta(const asff_aws *a, const char *text, size_t len, asff__creds *out, const char *what,
                                  asff_error *err)
{
    static const char *const names[4] = {"AccessKeyId", "SecretAccessKey", "Token", "Expiration"};
    yajl_val root = NULL;
    asff_status st = asff__aws_json(a, text ? text : "", len, &root, what, err);
    if (st == ASFF_OK) {
        const char *code = asff__json_str(root, "Code");
        if (code && strcmp(code, "Success") != 0)
            st = asff__error_setf(err, ASFF_ERR_CREDENTIALS, "%s: the credentials answer says Code=%.40s", what, code);
        else
            st = asff__creds_from_json(a, root, names, false, out, what, err);
    }
    asff__json_free(root, a->alloc);
    return st;
}
