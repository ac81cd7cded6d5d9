/* IAM Identity Center (SSO): the token `aws sso login` cached under ~/.aws/sso/cache/<sha1>.json (the
 * SHA-1 of the sso_session name, or of the start URL for legacy sso_* profiles), refreshed with its
 * refresh token through SSO OIDC CreateToken when it has expired (sso_session only, as the CLI), then
 * GetRoleCredentials for sso_account_id / sso_role_name. Tokens never appear in an error. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include "http/libcurl.h"
#include <yajl/yajl_gen.h>
#include "aws/aws_internal.h"
#include "core/json.h"
#include "sigv4/secbuf.h"

void asff__sso_cache_name(const char *key, char out[46])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0, i;
    static const char hex[] = "0123456789abcdef";
    EVP_Digest(key, strlen(key), md, &n, EVP_sha1(), NULL);
    for (i = 0; i < n && i < 20; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    memcpy(out + 40, ".json", 6);
}

asff_status asff__sso_token_read(yajl_val tree, asff__sso_token *t, asff_error *err)
{
    memset(t, 0, sizeof *t);
    if (!YAJL_IS_OBJECT(tree))
        return asff_error_set(err, ASFF_ERR_SYNTAX, "sso: the cached token is not a JSON object");
    t->access_token = asff__json_str(tree, "accessToken");
    t->expires_at = asff__json_str(tree, "expiresAt");
    t->refresh_token = asff__json_str(tree, "refreshToken");
    t->client_id = asff__json_str(tree, "clientId");
    t->client_secret = asff__json_str(tree, "clientSecret");
    if (!t->access_token || !t->access_token[0] || !t->expires_at)
        return asff_error_set(err, ASFF_ERR_SYNTAX, "sso: the cached token has no accessToken/expiresAt");
    return ASFF_OK;
}

static asff_status read_file(const asff_aws *a, const char *path, asff_buf *out)
{
    FILE *f = fopen(path, "rb");
    char buf[4096];
    size_t n;
    asff_status st = ASFF_OK;
    if (!f)
        return ASFF_ERR_NOT_FOUND;
    (void)a;
    while (st == ASFF_OK && (n = fread(buf, 1, sizeof buf, f)) > 0)
        st = out->len + n > ASFF_AWS_MAX_HTTP_RESPONSE ? ASFF_ERR_LIMIT : asff__sbuf_append(out, buf, n);
    OPENSSL_cleanse(buf, sizeof buf);
    fclose(f);
    return st;
}

/* Write the refreshed token back to the cache (as the CLI does), through a temporary file. */
static void write_cache(const asff_aws *a, const char *path, const char *start_url, const char *region,
                        const char *access, int64_t expires, const char *refresh, const asff__sso_token *old)
{
    asff_yalloc ya;
    yajl_gen g;
    const unsigned char *buf;
    size_t len;
    char tmp[1200], ts[32];
    struct tm tm;
    time_t t = (time_t)expires;
    FILE *f;
    g = asff__ygen_alloc(&ya, a->alloc);
    if (!g)
        return;
    gmtime_r(&t, &tm);
    strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
#define KV(k, v)                                                                                                     \
    if (v) {                                                                                                         \
        yajl_gen_string(g, (const unsigned char *)k, strlen(k));                                                     \
        yajl_gen_string(g, (const unsigned char *)(v), strlen(v));                                                   \
    }
    yajl_gen_map_open(g);
    KV("startUrl", start_url)
    KV("region", region)
    KV("accessToken", access)
    yajl_gen_string(g, (const unsigned char *)"expiresAt", 9);
    yajl_gen_string(g, (const unsigned char *)ts, strlen(ts));
    KV("clientId", old->client_id)
    KV("clientSecret", old->client_secret)
    KV("refreshToken", refresh ? refresh : old->refresh_token)
    yajl_gen_map_close(g);
#undef KV
    yajl_gen_get_buf(g, &buf, &len);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    f = ya.failed ? NULL : fopen(tmp, "wb"); /* short of memory: the cache stays as it was */
    if (f) {
        chmod(tmp, 0600);
        if (fwrite(buf, 1, len, f) == len && fclose(f) == 0)
            rename(tmp, path);
        else
            remove(tmp);
    }
    OPENSSL_cleanse((void *)buf, len);
    yajl_gen_free(g);
}

/* SSO OIDC CreateToken with the refresh token; new access token into acc (wiped buffer). */
static asff_status refresh_token(asff_aws *a, const char *region, const asff__sso_token *t, asff_buf *acc,
                                 asff_buf *newrefresh, int64_t *expires, asff_error *err)
{
    char url[ASFF_AWS_MAX_URL + 8];
    const char *headers[] = {"Content-Type: application/json", NULL};
    asff_yalloc ya;
    yajl_gen g;
    const unsigned char *buf;
    size_t len;
    asff_buf body;
    long status = 0;
    yajl_val root = NULL, v;
    const char *exp_path[] = {"expiresIn", NULL};
    asff_status st = asff_aws_service_endpoint(a, "sso-oidc", region, url, sizeof url - 8, NULL, err);
    if (st != ASFF_OK)
        return st;
    strcat(url, "/token");
    g = asff__ygen_alloc(&ya, a->alloc);
    if (!g)
        return asff_error_set(err, ASFF_ERR_NOMEM, "sso: out of memory");
    yajl_gen_map_open(g);
    yajl_gen_string(g, (const unsigned char *)"clientId", 8);
    yajl_gen_string(g, (const unsigned char *)t->client_id, strlen(t->client_id));
    yajl_gen_string(g, (const unsigned char *)"clientSecret", 12);
    yajl_gen_string(g, (const unsigned char *)t->client_secret, strlen(t->client_secret));
    yajl_gen_string(g, (const unsigned char *)"grantType", 9);
    yajl_gen_string(g, (const unsigned char *)"refresh_token", 13);
    yajl_gen_string(g, (const unsigned char *)"refreshToken", 12);
    yajl_gen_string(g, (const unsigned char *)t->refresh_token, strlen(t->refresh_token));
    yajl_gen_map_close(g);
    yajl_gen_get_buf(g, &buf, &len);
    if (ya.failed) {
        OPENSSL_cleanse((void *)buf, len);
        yajl_gen_free(g);
        return asff_error_set(err, ASFF_ERR_NOMEM, "sso: out of memory");
    }
    asff__buf_init(&body, a->alloc);
    st = asff__aws_http(a, "POST", url, headers, (const char *)buf, len, false, &body, &status, err,
                        "sso-oidc CreateToken");
    OPENSSL_cleanse((void *)buf, len);
    yajl_gen_free(g);
    if (st == ASFF_OK && status != 200) {
        st = asff__error_setf(err, ASFF_ERR_CREDENTIALS,
                             "sso: the cached token has expired and could not be refreshed (HTTP %ld); run aws sso "
                             "login", status);
        if (err)
            err->http_status = (int)status;
    }
    if (st == ASFF_OK)
        st = asff__aws_json(a, body.data ? body.data : "", body.len, &root, "sso-oidc CreateToken", err);
    if (st == ASFF_OK) {
        const char *at = asff__json_str(root, "accessToken"), *rt = asff__json_str(root, "refreshToken");
        v = yajl_tree_get(root, exp_path, yajl_t_number);
        if (!at || !at[0] || !v || !YAJL_IS_INTEGER(v))
            st = asff_error_set(err, ASFF_ERR_SYNTAX, "sso-oidc CreateToken: no accessToken/expiresIn in the answer");
        else if (asff__sbuf_puts(acc, at) != ASFF_OK || asff__sbuf_putc(acc, '\0') != ASFF_OK ||
                 (rt && (asff__sbuf_puts(newrefresh, rt) != ASFF_OK || asff__sbuf_putc(newrefresh, '\0') != ASFF_OK)))
            st = asff_error_set(err, ASFF_ERR_NOMEM, "sso: out of memory");
        else
            *expires = (int64_t)time(NULL) + YAJL_GET_INTEGER(v);
        if (at)
            OPENSSL_cleanse((void *)at, strlen(at));
        if (rt)
            OPENSSL_cleanse((void *)rt, strlen(rt));
    }
    asff__json_free(root, a->alloc);
    asff__sbuf_cleanup(&body);
    return st;
}

/* GetRoleCredentials with the access token. */
static asff_status role_credentials(asff_aws *a, const char *region, const char *token, const char *account,
                                    const char *role, asff__creds *out, asff_error *err)
{
    static const char *const names[4] = {"accessKeyId", "secretAccessKey", "sessionToken", "expiration"};
    char base[ASFF_AWS_MAX_URL];
    asff_buf url, hdr, body;
    const char *headers[2] = {NULL, NULL};
    char *ea = NULL, *er = NULL;
    long status = 0;
    yajl_val root = NULL;
    const char *rc_path[] = {"roleCredentials", NULL};
    asff_status st = asff_aws_service_endpoint(a, "sso", region, base, sizeof base, NULL, err);
    if (st == ASFF_OK)
        st = asff__libcurl_load(err); /* curl_easy_escape below */
    if (st != ASFF_OK)
        return st;
    asff__buf_init(&url, a->alloc);
    asff__buf_init(&hdr, a->alloc);
    asff__buf_init(&body, a->alloc);
    {
        CURL *c = curl_easy_init();
        if (c) {
            ea = curl_easy_escape(c, account, 0);
            er = curl_easy_escape(c, role, 0);
            curl_easy_cleanup(c);
        }
    }
    if (!ea || !er || asff__buf_appendf(&url, "%s/federation/credentials?account_id=%s&role_name=%s", base, ea, er) != ASFF_OK ||
        asff__sbuf_puts(&hdr, "x-amz-sso_bearer_token: ") != ASFF_OK || asff__sbuf_puts(&hdr, token) != ASFF_OK ||
        asff__sbuf_putc(&hdr, '\0') != ASFF_OK) {
        st = asff_error_set(err, ASFF_ERR_NOMEM, "sso: out of memory");
        goto done;
    }
    if (strpbrk(token, "\r\n")) {
        st = asff_error_set(err, ASFF_ERR_SYNTAX, "sso: the cached token holds a line break");
        goto done;
    }
    headers[0] = hdr.data;
    st = asff__aws_http(a, "GET", url.data, headers, NULL, 0, false, &body, &status, err, "sso GetRoleCredentials");
    if (st == ASFF_OK && status != 200) {
        st = asff__error_setf(err, status == 401 || status == 403 ? ASFF_ERR_CREDENTIALS : ASFF_ERR_HTTP,
                             "sso GetRoleCredentials: HTTP %ld%s", status,
                             status == 401 ? " (the SSO session is no longer valid; run aws sso login)" : "");
        if (err)
            err->http_status = (int)status;
    }
    if (st == ASFF_OK)
        st = asff__aws_json(a, body.data ? body.data : "", body.len, &root, "sso GetRoleCredentials", err);
    if (st == ASFF_OK)
        st = asff__creds_from_json(a, yajl_tree_get(root, rc_path, yajl_t_object), names, true, out,
                                   "sso GetRoleCredentials", err);
done:
    curl_free(ea);
    curl_free(er);
    asff__json_free(root, a->alloc);
    asff__buf_cleanup(&url);
    asff__sbuf_cleanup(&hdr);
    asff__sbuf_cleanup(&body);
    return st;
}

asff_status asff__creds_sso(asff_aws *a, const char *profile, asff__creds *out, char *detail, asff_error *err)
{
    const char *session = asff__aws_prof_get(a, profile, "sso_session");
    const char *start_url, *region, *account, *role;
    char section[300], name[46];
    char *dir = NULL;
    asff_buf path, text, acc, newref;
    yajl_val tree = NULL;
    asff__sso_token t;
    int64_t exp = 0;
    asff_status st;
    if (session) {
        snprintf(section, sizeof section, "sso-session %.250s", session);
        if (!asff__aws_ini_has_section(a->config, section))
            return asff__error_setf(err, ASFF_ERR_INVALID_ARG,
                                   "sso: profile \"%.64s\" names sso_session \"%.64s\", which the config file lacks",
                                   profile, session);
        start_url = asff_aws_ini_get(a->config, section, "sso_start_url");
        region = asff_aws_ini_get(a->config, section, "sso_region");
    } else {
        start_url = asff__aws_prof_get(a, profile, "sso_start_url");
        region = asff__aws_prof_get(a, profile, "sso_region");
        if (!start_url)
            return ASFF_ERR_NOT_FOUND;
    }
    account = asff__aws_prof_get(a, profile, "sso_account_id");
    role = asff__aws_prof_get(a, profile, "sso_role_name");
    if (!start_url || !region || !account || !role)
        return asff__error_setf(err, ASFF_ERR_INVALID_ARG,
                               "sso: profile \"%.64s\" needs sso_start_url, sso_region, sso_account_id and "
                               "sso_role_name", profile);
    if (!asff__aws_valid_region(region))
        return asff__error_setf(err, ASFF_ERR_INVALID_ARG, "sso: \"%.64s\" is not a region", region);
    asff__sso_cache_name(session ? session : start_url, name);
    asff__buf_init(&path, a->alloc);
    asff__buf_init(&text, a->alloc);
    asff__buf_init(&acc, a->alloc);
    asff__buf_init(&newref, a->alloc);
    dir = asff__aws_expand_home(a, "~/.aws/sso/cache");
    if (!dir || asff__buf_appendf(&path, "%s/%s", dir, name) != ASFF_OK) {
        bool home = dir || asff__aws_env(a, "HOME"); /* with HOME, NULL means out of memory */
        st = asff_error_set(err, home ? ASFF_ERR_NOMEM : ASFF_ERR_CREDENTIALS,
                            home ? "sso: out of memory" : "sso: no HOME for ~/.aws/sso/cache");
        goto done;
    }
    st = read_file(a, path.data, &text);
    if (st == ASFF_ERR_NOT_FOUND) {
        st = asff__error_setf(err, ASFF_ERR_CREDENTIALS,
                             "sso: no cached token for profile \"%.64s\" (%.300s); run aws sso login --profile %.64s",
                             profile, path.data, profile);
        goto done;
    }
    if (st != ASFF_OK) {
        st = asff__error_setf(err, st, "sso: cannot read %.300s", path.data);
        goto done;
    }
    st = asff__aws_json(a, text.data ? text.data : "", text.len, &tree, "sso cache", err);
    if (st == ASFF_OK)
        st = asff__sso_token_read(tree, &t, err);
    if (st != ASFF_OK)
        goto done;
    if (!asff__parse_iso8601(t.expires_at, &exp)) {
        st = asff_error_set(err, ASFF_ERR_SYNTAX, "sso: the cached token's expiresAt is not an ISO 8601 time");
        goto done;
    }
    if (exp <= (int64_t)time(NULL) + 60) {
        if (!session || !t.refresh_token || !t.client_id || !t.client_secret) {
            st = asff__error_setf(err, ASFF_ERR_CREDENTIALS,
                                 "sso: the cached token of profile \"%.64s\" has expired; run aws sso login --profile "
                                 "%.64s", profile, profile);
            goto done;
        }
        st = refresh_token(a, region, &t, &acc, &newref, &exp, err);
        if (st != ASFF_OK)
            goto done;
        write_cache(a, path.data, start_url, region, acc.data, exp, newref.len ? newref.data : NULL, &t);
    } else if (asff__sbuf_puts(&acc, t.access_token) != ASFF_OK || asff__sbuf_putc(&acc, '\0') != ASFF_OK) {
        st = asff_error_set(err, ASFF_ERR_NOMEM, "sso: out of memory");
        goto done;
    }
    st = role_credentials(a, region, acc.data, account, role, out, err);
    if (st == ASFF_OK)
        snprintf(detail, ASFF__DETAIL, "role %.64s in account %.20s via %.200s", role, account, start_url);
done:
    if (tree) {
        /* wipe the tokens of the tree before it is freed */
        const char *const keys[] = {"accessToken", "refreshToken", "clientSecret"};
        size_t i;
        for (i = 0; i < 3; i++) {
            const char *s = asff__json_str(tree, keys[i]);
            if (s)
                OPENSSL_cleanse((void *)s, strlen(s));
        }
    }
    asff__json_free(tree, a->alloc);
    asff__sbuf_strfree(a->alloc, dir);
    asff__buf_cleanup(&path);
    asff__sbuf_cleanup(&text);
    asff__sbuf_cleanup(&acc);
    asff__sbuf_cleanup(&newref);
    return st;
}
