/* Resolved AWS settings (profile, region, endpoint, regions) and the credentials chain, in the order
 * of the AWS SDKs. See include/asff/aws.h. HTTP for the container and instance-metadata sources is
 * libcurl, their JSON is parsed with yajl_tree. Secrets live in wiped-on-free memory and never reach
 * an error message. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <curl/curl.h>
#include <openssl/crypto.h>
#include <yajl/yajl_tree.h>
#include "asff/aws.h"
#include "aws/aws_internal.h"
#include "sigv4/secbuf.h"

#define DEFAULT_TIMEOUT_MS 1000L
#define DEFAULT_REFRESH_MARGIN 300
#define IMDS_DEFAULT_ENDPOINT "http://169.254.169.254"
#define CONTAINER_HOST "http://169.254.170.2"
#define IMDS_TOKEN_TTL "21600"

struct asff_aws {
    const asff_allocator *alloc;
    asff_aws_options opt;      /* strings below are the handle's own copies */
    char *profile;
    char *region;
    char *endpoint;            /* override, NULL when derived */
    char *config_path;
    char *credentials_path;
    asff_aws_ini *config;
    asff_aws_ini *credentials;
    bool fips;
    /* explicit credentials and the current ones */
    char *explicit_key, *explicit_secret, *explicit_token;
    char *key, *secret, *token;
    int64_t expiration;
    asff_credentials_source source;
    /* regions for "every region" */
    const char **regions;
    size_t nregions;
    char *regions_store;
};

const char *asff_credentials_source_name(asff_credentials_source s)
{
    switch (s) {
    case ASFF_CREDS_EXPLICIT: return "explicit";
    case ASFF_CREDS_ENVIRONMENT: return "environment";
    case ASFF_CREDS_CREDENTIALS_FILE: return "credentials-file";
    case ASFF_CREDS_CONFIG_FILE: return "config-file";
    case ASFF_CREDS_CONTAINER: return "container";
    case ASFF_CREDS_IMDS: return "imds";
    default: return "none";
    }
}

/* ---- small helpers ------------------------------------------------------------------------------- */

static char *dup_str(const asff_aws *a, const char *s)
{
    return s ? asff__sbuf_strdup(a->alloc, s, strlen(s)) : NULL;
}

static void free_str(const asff_aws *a, char **s)
{
    asff__sbuf_strfree(a->alloc, *s);
    *s = NULL;
}

/* An environment variable, NULL when unset, empty, or the environment is ignored. */
static const char *env(const asff_aws *a, const char *name)
{
    const char *v;
    if (a->opt.no_environment)
        return NULL;
    v = getenv(name);
    return v && v[0] ? v : NULL;
}

static bool is_true(const char *v)
{
    return v && (strcmp(v, "true") == 0 || strcmp(v, "TRUE") == 0 || strcmp(v, "True") == 0);
}

const char *asff_aws_profile(const asff_aws *a)
{
    return a ? a->profile : NULL;
}

const char *asff_aws_region(const asff_aws *a)
{
    return a ? a->region : NULL;
}

asff_credentials_source asff_aws_credentials_source(const asff_aws *a)
{
    return a ? a->source : ASFF_CREDS_NONE;
}

static const char *config_get(const asff_aws *a, const char *key)
{
    return asff_aws_ini_get(a->config, a->profile, key);
}

const char *asff_aws_profile_get(const asff_aws *a, const char *key)
{
    const char *v = NULL;
    if (!a || !key)
        return NULL;
    if (strncmp(key, "aws_", 4) == 0)
        v = asff_aws_ini_get(a->credentials, a->profile, key);
    if (!v)
        v = config_get(a, key);
    return v;
}

/* "~/x" -> "$HOME/x"; NULL when it needs HOME and there is none. */
static char *expand_home(const asff_aws *a, const char *path)
{
    const char *home;
    asff_buf b;
    if (path[0] != '~' || (path[1] != '/' && path[1] != '\0'))
        return dup_str(a, path);
    home = env(a, "HOME");
    if (!home)
        return NULL;
    asff__buf_init(&b, a->alloc);
    if (asff__buf_append(&b, home, strlen(home)) != ASFF_OK || asff__buf_append(&b, path + 1, strlen(path + 1)) != ASFF_OK) {
        asff__buf_cleanup(&b);
        return NULL;
    }
    return b.data;
}

/* Load one shared file; a missing one is no error. */
static asff_status load_file(asff_aws *a, const char *given, const char *var, const char *def, bool config_style,
                             char **path, asff_aws_ini **ini, asff_error *err)
{
    const char *p = given ? given : env(a, var);
    asff_status st;
    if (!p)
        p = def;
    *path = expand_home(a, p);
    if (!*path) {
        if (p[0] == '~' && !env(a, "HOME"))
            return ASFF_OK; /* no HOME: no default file */
        return asff_error_set(err, ASFF_ERR_NOMEM, "aws: out of memory");
    }
    st = asff_aws_ini_load(*path, config_style, a->alloc, ini, err);
    if (st == ASFF_ERR_NOT_FOUND) {
        asff_error_clear(err);
        return ASFF_OK;
    }
    return st;
}

static bool valid_endpoint_url(const char *u)
{
    size_t i;
    if (strncmp(u, "https://", 8) != 0 && strncmp(u, "http://", 7) != 0)
        return false;
    if (strlen(u) >= ASFF_AWS_MAX_URL)
        return false;
    for (i = 0; u[i]; i++)
        if ((unsigned char)u[i] <= ' ' || (unsigned char)u[i] >= 0x7f)
            return false;
    return u[strlen(u) > 8 ? 8 : 7] != '\0';
}

static asff_status parse_regions(asff_aws *a, const char *list, asff_error *err)
{
    size_t n = 1, i, len = strlen(list);
    char *p;
    for (i = 0; i < len; i++)
        n += list[i] == ',';
    a->regions_store = dup_str(a, list);
    a->regions = asff__malloc(a->alloc, (n + 1) * sizeof *a->regions);
    if (!a->regions_store || !a->regions)
        return asff_error_set(err, ASFF_ERR_NOMEM, "aws: out of memory");
    a->nregions = 0;
    p = a->regions_store;
    while (p) {
        char *comma = strchr(p, ','), *s = p, *e;
        if (comma)
            *comma = '\0';
        e = s + strlen(s);
        while (*s == ' ' || *s == '\t')
            s++;
        while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
            *--e = '\0';
        if (*s) {
            if (!asff__aws_valid_region(s))
                return asff__error_setf(err, ASFF_ERR_INVALID_ARG, "aws: \"%.64s\" in the region list is not a region",
                                       s);
            a->regions[a->nregions++] = s;
        }
        p = comma ? comma + 1 : NULL;
    }
    a->regions[a->nregions] = NULL;
    if (!a->nregions)
        return asff__error_setf(err, ASFF_ERR_INVALID_ARG, "aws: the region list is empty");
    return ASFF_OK;
}

void asff_aws_free(asff_aws *a)
{
    if (!a)
        return;
    free_str(a, &a->profile);
    free_str(a, &a->region);
    free_str(a, &a->endpoint);
    free_str(a, &a->config_path);
    free_str(a, &a->credentials_path);
    free_str(a, &a->explicit_key);
    free_str(a, &a->explicit_secret);
    free_str(a, &a->explicit_token);
    free_str(a, &a->key);
    free_str(a, &a->secret);
    free_str(a, &a->token);
    free_str(a, &a->regions_store);
    asff__free(a->alloc, (void *)a->regions);
    asff_aws_ini_free(a->config);
    asff_aws_ini_free(a->credentials);
    asff__free(a->alloc, a);
}

asff_status asff_aws_new(const asff_aws_options *options, asff_aws **out, asff_error *err)
{
    asff_aws_options def = ASFF_AWS_OPTIONS_INIT;
    const asff_allocator *al;
    asff_aws *a;
    asff_status st;
    const char *v;
    if (!out)
        return asff__error_setf(err, ASFF_ERR_INVALID_ARG, "aws: no output handle");
    *out = NULL;
    if (options && (options->version && options->version != ASFF_AWS_OPTIONS_VERSION))
        return asff__error_setf(err, ASFF_ERR_INVALID_ARG, "aws: unknown options version %u", options->version);
    if (!options)
        options = &def;
    if ((options->access_key_id == NULL) != (options->secret_access_key == NULL))
        return asff__error_setf(err, ASFF_ERR_INVALID_ARG,
                               "aws: explicit credentials need both an access key id and a secret access key");
    al = asff__alloc_or_default(options->allocator);
    a = asff__malloc(al, sizeof *a);
    if (!a)
        return asff_error_set(err, ASFF_ERR_NOMEM, "aws: out of memory");
    memset(a, 0, sizeof *a);
    a->alloc = al;
    a->opt = *options;
    /* The option strings are copied; the copy of opt must not keep the caller's pointers. */
    a->opt.profile = a->opt.region = a->opt.endpoint_url = a->opt.access_key_id = NULL;
    a->opt.secret_access_key = a->opt.session_token = a->opt.config_file = a->opt.credentials_file = NULL;
    a->opt.regions = NULL;
    if (a->opt.http_timeout_ms <= 0)
        a->opt.http_timeout_ms = DEFAULT_TIMEOUT_MS;
    if (a->opt.refresh_margin <= 0)
        a->opt.refresh_margin = DEFAULT_REFRESH_MARGIN;

    v = options->profile ? options->profile : env(a, "AWS_PROFILE");
    if (!v)
        v = env(a, "AWS_DEFAULT_PROFILE");
    a->profile = dup_str(a, v ? v : "default");
    if (options->access_key_id) {
        a->explicit_key = dup_str(a, options->access_key_id);
        a->explicit_secret = dup_str(a, options->secret_access_key);
        if (options->session_token)
            a->explicit_token = dup_str(a, options->session_token);
        if (!a->explicit_key || !a->explicit_secret || (options->session_token && !a->explicit_token)) {
            asff_aws_free(a);
            return asff_error_set(err, ASFF_ERR_NOMEM, "aws: out of memory");
        }
    }
    if (!a->profile) {
        asff_aws_free(a);
        return asff_error_set(err, ASFF_ERR_NOMEM, "aws: out of memory");
    }
    st = load_file(a, options->config_file, "AWS_CONFIG_FILE", "~/.aws/config", true, &a->config_path, &a->config,
                   err);
    if (st == ASFF_OK)
        st = load_file(a, options->credentials_file, "AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials", false,
                       &a->credentials_path, &a->credentials, err);
    if (st != ASFF_OK) {
        asff_aws_free(a);
        return st;
    }
    /* A profile named explicitly must exist somewhere (as the SDKs insist); "default" may be absent. */
    if ((options->profile || env(a, "AWS_PROFILE")) && strcmp(a->profile, "default") != 0 &&
        !asff__aws_ini_has_section(a->config, a->profile) && !asff__aws_ini_has_section(a->credentials, a->profile) &&
        !a->explicit_key) {
        st = asff__error_setf(err, ASFF_ERR_NOT_FOUND, "aws: the profile \"%.64s\" is in neither %s nor %s", a->profile,
                             a->credentials_path ? a->credentials_path : "(no credentials file)",
                             a->config_path ? a->config_path : "(no config file)");
        asff_aws_free(a);
        return st;
    }

    /* Region: explicit, AWS_REGION, AWS_DEFAULT_REGION, the profile's. */
    v = options->region;
    if (!v)
        v = env(a, "AWS_REGION");
    if (!v)
        v = env(a, "AWS_DEFAULT_REGION");
    if (!v)
        v = config_get(a, "region");
    if (v && v[0]) {
        if (!asff__aws_valid_region(v)) {
            st = asff__error_setf(err, ASFF_ERR_INVALID_ARG, "aws: \"%.64s\" is not a region name (a-z, 0-9, -)", v);
            asff_aws_free(a);
            return st;
        }
        if (!(a->region = dup_str(a, v))) {
            asff_aws_free(a);
            return asff_error_set(err, ASFF_ERR_NOMEM, "aws: out of memory");
        }
    }

    a->fips = options->use_fips || is_true(env(a, "AWS_USE_FIPS_ENDPOINT")) || is_true(config_get(a, "use_fips_endpoint"));

    /* Endpoint override: explicit, then (unless configured endpoints are ignored) the service's and the
     * global environment variable, the profile's services section, the profile's endpoint_url. */
    v = options->endpoint_url;
    if (!v && !is_true(env(a, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")) &&
        !is_true(config_get(a, "ignore_configured_endpoint_urls"))) {
        v = env(a, "AWS_ENDPOINT_URL_SECURITYHUB");
        if (!v)
            v = env(a, "AWS_ENDPOINT_URL");
        if (!v) {
            const char *services = config_get(a, "services");
            if (services) {
                char name[300];
                snprintf(name, sizeof name, "services %s", services);
                v = asff_aws_ini_get(a->config, name, "securityhub.endpoint_url");
            }
        }
        if (!v)
            v = config_get(a, "endpoint_url");
    }
    if (v && v[0]) {
        size_t n;
        if (!valid_endpoint_url(v)) {
            /* The URL is not quoted: it may carry user:password. */
            st = asff__error_setf(err, ASFF_ERR_INVALID_ARG,
                                 "aws: the configured endpoint URL is not http(s)://host[:port][/path]");
            asff_aws_free(a);
            return st;
        }
        if (!(a->endpoint = dup_str(a, v))) {
            asff_aws_free(a);
            return asff_error_set(err, ASFF_ERR_NOMEM, "aws: out of memory");
        }
        n = strlen(a->endpoint);
        while (n > 8 && a->endpoint[n - 1] == '/')
            a->endpoint[--n] = '\0';
    }

    if (options->regions) {
        if ((st = parse_regions(a, options->regions, err)) != ASFF_OK) {
            asff_aws_free(a);
            return st;
        }
    } else {
        /* The built-in list, narrowed to the partition of the resolved region. */
        size_t n, i;
        const char *const *all = asff_securityhub_regions(&n);
        const char *part = asff_aws_partition(a->region);
        a->regions = asff__malloc(a->alloc, (n + 1) * sizeof *a->regions);
        if (!a->regions) {
            asff_aws_free(a);
            return asff_error_set(err, ASFF_ERR_NOMEM, "aws: out of memory");
        }
        for (i = 0; i < n; i++)
            if (strcmp(asff_aws_partition(all[i]), part) == 0)
                a->regions[a->nregions++] = all[i];
        a->regions[a->nregions] = NULL;
    }
    *out = a;
    return ASFF_OK;
}

const char *const *asff_aws_regions(const asff_aws *a, size_t *count)
{
    if (count)
        *count = a ? a->nregions : 0;
    return a ? a->regions : NULL;
}

asff_status asff_aws_endpoint(const asff_aws *a, const char *region, char *out, size_t size, bool *is_override,
                              asff_error *err)
{
    if (is_override)
        *is_override = false;
    if (!a || !out || !size)
        return asff__error_setf(err, ASFF_ERR_INVALID_ARG, "endpoint: no handle or output buffer");
    out[0] = '\0';
    if (a->endpoint) {
        if (strlen(a->endpoint) >= size)
            return asff__error_setf(err, ASFF_ERR_LIMIT, "endpoint: the buffer is too small");
        memcpy(out, a->endpoint, strlen(a->endpoint) + 1);
        if (is_override)
            *is_override = true;
        return ASFF_OK;
    }
    if (!region)
        region = a->region;
    if (!region)
        return asff__error_setf(err, ASFF_ERR_INVALID_ARG,
                               "endpoint: no region (set --region, AWS_REGION, AWS_DEFAULT_REGION or the profile's "
                               "region)");
    return asff_securityhub_endpoint(region, a->fips, out, size, err);
}

/* ---- HTTP (container and instance metadata) ------------------------------------------------------ */

typedef struct http_body {
    asff_buf buf;
    bool too_big;
} http_body;

static size_t on_body(char *data, size_t size, size_t n, void *ctx)
{
    http_body *b = ctx;
    size_t len = size * n;
    if (b->buf.len + len > ASFF_AWS_MAX_HTTP_RESPONSE) {
        b->too_big = true;
        return 0;
    }
    if (asff__sbuf_append(&b->buf, data, len) != ASFF_OK)
        return 0;
    return len;
}

/* One request; *status is the HTTP status (0 when there was no answer). The body goes to out
 * (a wiped buffer: it may hold credentials). Returns ASFF_ERR_NETWORK/TIMEOUT/LIMIT or OK. */
static asff_status http_call(const asff_aws *a, const char *method, const char *url, const char *const *headers,
                             asff_buf *out, long *status, asff_error *err, const char *what)
{
    CURL *c = curl_easy_init();
    struct curl_slist *hl = NULL, *t;
    http_body body;
    CURLcode rc;
    size_t i;
    asff_status st = ASFF_OK;
    *status = 0;
    if (!c)
        return asff__error_setf(err, ASFF_ERR_NOMEM, "%s: cannot create a curl handle", what);
    body.buf = *out;
    body.too_big = false;
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
    if (strcmp(method, "PUT") == 0) {
        curl_easy_setopt(c, CURLOPT_UPLOAD, 0L);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, 0L);
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, a->opt.http_timeout_ms);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, a->opt.http_timeout_ms);
    /* Metadata endpoints are link-local: never through a proxy, never redirected elsewhere. */
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
#else
    curl_easy_setopt(c, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    curl_easy_setopt(c, CURLOPT_USERAGENT, "libasff/" ASFF_VERSION_STRING);
    rc = curl_easy_perform(c);
    *out = body.buf;
    if (rc == CURLE_OK) {
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
    } else if (body.too_big) {
        st = asff__error_setf(err, ASFF_ERR_LIMIT, "%s: answer larger than %u bytes", what, ASFF_AWS_MAX_HTTP_RESPONSE);
    } else if (rc == CURLE_OPERATION_TIMEDOUT) {
        st = asff__error_setf(err, ASFF_ERR_TIMEOUT, "%s: timed out after %ld ms", what, a->opt.http_timeout_ms);
    } else {
        st = asff__error_setf(err, ASFF_ERR_NETWORK, "%s: %s", what, curl_easy_strerror(rc));
    }
    curl_slist_free_all(hl);
    curl_easy_cleanup(c);
    return st;
}

/* "2026-11-27T22:00:00Z" (also with fractional seconds or +00:00) -> Unix seconds. */
static bool parse_iso8601(const char *s, int64_t *out)
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

static const char *json_string(yajl_val root, const char *name)
{
    const char *path[] = {name, NULL};
    yajl_val v = yajl_tree_get(root, path, yajl_t_string);
    return v ? YAJL_GET_STRING(v) : NULL;
}

static void set_current(asff_aws *a, char *key, char *secret, char *token, int64_t exp, asff_credentials_source src)
{
    free_str(a, &a->key);
    free_str(a, &a->secret);
    free_str(a, &a->token);
    a->key = key;
    a->secret = secret;
    a->token = token;
    a->expiration = exp;
    a->source = src;
}

/* The credentials JSON of the container endpoint and of IMDS:
 * {"AccessKeyId", "SecretAccessKey", "Token", "Expiration", ("Code": "Success")}. */
static asff_status take_json_credentials(asff_aws *a, asff_buf *body, asff_credentials_source src, const char *what,
                                         asff_error *err)
{
    char ebuf[128];
    yajl_val root;
    const char *k, *s, *t, *x, *code;
    int64_t exp = 0;
    char *key, *secret, *token = NULL;
    bool has_token;
    if (asff__sbuf_putc(body, '\0') != ASFF_OK)
        return asff__error_setf(err, ASFF_ERR_NOMEM, "%s: out of memory", what);
    root = yajl_tree_parse(body->data, ebuf, sizeof ebuf);
    /* yajl's message quotes the input, which holds secrets: it is not passed on. */
    OPENSSL_cleanse(ebuf, sizeof ebuf);
    if (!root || !YAJL_IS_OBJECT(root)) {
        if (root)
            yajl_tree_free(root);
        return asff__error_setf(err, ASFF_ERR_SYNTAX, "%s: the credentials answer is not a JSON object", what);
    }
    code = json_string(root, "Code");
    k = json_string(root, "AccessKeyId");
    s = json_string(root, "SecretAccessKey");
    t = json_string(root, "Token");
    x = json_string(root, "Expiration");
    if (code && strcmp(code, "Success") != 0) {
        yajl_tree_free(root);
        return asff__error_setf(err, ASFF_ERR_CREDENTIALS, "%s: the credentials answer says Code=%.40s", what, code);
    }
    if (!k || !k[0] || !s || !s[0]) {
        yajl_tree_free(root);
        return asff__error_setf(err, ASFF_ERR_SYNTAX, "%s: the credentials answer has no AccessKeyId/SecretAccessKey",
                               what);
    }
    if (x && !parse_iso8601(x, &exp)) {
        yajl_tree_free(root);
        return asff__error_setf(err, ASFF_ERR_SYNTAX, "%s: the credentials' Expiration is not an ISO 8601 time", what);
    }
    has_token = t && t[0];
    key = dup_str(a, k);
    secret = dup_str(a, s);
    if (has_token)
        token = dup_str(a, t);
    /* Wipe the parsed tree's copies of the secrets before yajl frees them. */
    OPENSSL_cleanse((void *)s, strlen(s));
    if (t)
        OPENSSL_cleanse((void *)t, strlen(t));
    yajl_tree_free(root);
    if (!key || !secret || (has_token && !token)) {
        asff__sbuf_strfree(a->alloc, key);
        asff__sbuf_strfree(a->alloc, secret);
        asff__sbuf_strfree(a->alloc, token);
        return asff__error_setf(err, ASFF_ERR_NOMEM, "%s: out of memory", what);
    }
    set_current(a, key, secret, token, exp, src);
    return ASFF_OK;
}

/* True when url is one the SDKs allow for container credentials over plain http: loopback, or the
 * ECS (169.254.170.2) and EKS (169.254.170.23) agents. https is allowed to any host. */
static bool container_url_allowed(const char *url)
{
    const char *h, *e;
    size_t n;
    if (strncmp(url, "https://", 8) == 0)
        return true;
    if (strncmp(url, "http://", 7) != 0)
        return false;
    h = url + 7;
    e = h + strcspn(h, "/?#");
    n = (size_t)(e - h);
    {
        const char *colon = h[0] == '[' ? memchr(h, ']', n) : memchr(h, ':', n);
        if (colon && h[0] == '[')
            colon++;
        if (colon && colon < e)
            n = (size_t)(colon - h);
    }
    return (n >= 4 && strncmp(h, "127.", 4) == 0) || (n == 9 && strncmp(h, "localhost", 9) == 0) ||
           (n == 5 && strncmp(h, "[::1]", 5) == 0) || (n == 13 && strncmp(h, "169.254.170.2", 13) == 0) ||
           (n == 14 && strncmp(h, "169.254.170.23", 14) == 0) || (n == 16 && strncmp(h, "[fd00:ec2::23]", 14) == 0);
}

/* Container credentials. *tried is set when the source is configured. */
static asff_status from_container(asff_aws *a, bool *tried, asff_error *err)
{
    const char *rel = env(a, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
    const char *full = env(a, "AWS_CONTAINER_CREDENTIALS_FULL_URI");
    const char *tok = env(a, "AWS_CONTAINER_AUTHORIZATION_TOKEN");
    const char *tok_file = env(a, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
    asff_buf url, hdr, body;
    const char *headers[2] = {NULL, NULL};
    long status = 0;
    asff_status st;
    int attempt;
    *tried = false;
    if (a->opt.no_container || (!rel && !full))
        return ASFF_ERR_NOT_FOUND;
    *tried = true;
    asff__buf_init(&url, a->alloc);
    asff__buf_init(&hdr, a->alloc);
    asff__buf_init(&body, a->alloc);
    if (rel) {
        if (rel[0] != '/')
            return asff__error_setf(err, ASFF_ERR_INVALID_ARG,
                                   "container credentials: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI must start with /");
        st = asff__buf_appendf(&url, "%s%s", CONTAINER_HOST, rel);
    } else {
        if (!container_url_allowed(full))
            return asff__error_setf(err, ASFF_ERR_INVALID_ARG,
                                   "container credentials: AWS_CONTAINER_CREDENTIALS_FULL_URI must be https, or http to "
                                   "a loopback or ECS/EKS agent address");
        st = asff__buf_appendf(&url, "%s", full);
    }
    if (st != ASFF_OK)
        return asff_error_set(err, ASFF_ERR_NOMEM, "container credentials: out of memory");
    /* The token file wins over the variable (it is rotated by the EKS agent). */
    if (tok_file) {
        FILE *f = fopen(tok_file, "rb");
        char buf[4096];
        size_t n;
        if (!f) {
            asff__buf_cleanup(&url);
            return asff__error_setf(err, ASFF_ERR_IO, "container credentials: cannot read %s", tok_file);
        }
        n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
            n--;
        buf[n] = '\0';
        st = asff__sbuf_puts(&hdr, "Authorization: ") == ASFF_OK && asff__sbuf_puts(&hdr, buf) == ASFF_OK ? ASFF_OK
                                                                                                         : ASFF_ERR_NOMEM;
        OPENSSL_cleanse(buf, sizeof buf);
    } else if (tok) {
        st = asff__sbuf_puts(&hdr, "Authorization: ") == ASFF_OK && asff__sbuf_puts(&hdr, tok) == ASFF_OK ? ASFF_OK
                                                                                                       : ASFF_ERR_NOMEM;
    }
    if (st != ASFF_OK) {
        asff__buf_cleanup(&url);
        asff__sbuf_cleanup(&hdr);
        return asff_error_set(err, ASFF_ERR_NOMEM, "container credentials: out of memory");
    }
    if (hdr.len) {
        if (strpbrk(hdr.data, "\r\n")) {
            asff__buf_cleanup(&url);
            asff__sbuf_cleanup(&hdr);
            return asff__error_setf(err, ASFF_ERR_INVALID_ARG,
                                   "container credentials: the authorization token holds a line break");
        }
        headers[0] = hdr.data;
    }
    /* Two attempts, as the SDKs retry this local endpoint once. */
    for (attempt = 0; attempt < 2; attempt++) {
        asff__sbuf_clear(&body);
        st = http_call(a, "GET", url.data, headers, &body, &status, err, "container credentials");
        if (st == ASFF_OK && status == 200)
            break;
        if (st == ASFF_OK && status != 200 && (status < 500 || attempt == 1)) {
            st = asff__error_setf(err, status == 401 || status == 403 ? ASFF_ERR_CREDENTIALS : ASFF_ERR_HTTP,
                                 "container credentials: HTTP %ld from the credentials endpoint", status);
            if (err)
                err->http_status = (int)status;
            break;
        }
        if (st == ASFF_ERR_LIMIT)
            break;
        st = st == ASFF_OK ? ASFF_ERR_HTTP : st;
    }
    if (st == ASFF_OK)
        st = take_json_credentials(a, &body, ASFF_CREDS_CONTAINER, "container credentials", err);
    asff__buf_cleanup(&url);
    asff__sbuf_cleanup(&hdr);
    asff__sbuf_cleanup(&body);
    return st;
}

/* EC2 instance metadata with an IMDSv2 session token (IMDSv1 only when the token call answers 404/405,
 * i.e. an old IMDS without token support). *tried is set when an endpoint answered at all. */
static asff_status from_imds(asff_aws *a, bool *tried, asff_error *err)
{
    const char *base = env(a, "AWS_EC2_METADATA_SERVICE_ENDPOINT");
    asff_buf url, hdr, body;
    const char *headers[2] = {NULL, NULL};
    char role[256];
    long status = 0;
    asff_status st;
    size_t n;
    *tried = false;
    if (a->opt.no_imds || is_true(env(a, "AWS_EC2_METADATA_DISABLED")))
        return ASFF_ERR_NOT_FOUND;
    if (!base)
        base = config_get(a, "ec2_metadata_service_endpoint");
    if (!base)
        base = IMDS_DEFAULT_ENDPOINT;
    if (strncmp(base, "http://", 7) != 0 && strncmp(base, "https://", 8) != 0)
        return asff__error_setf(err, ASFF_ERR_INVALID_ARG, "instance metadata: the endpoint must be http(s)://");
    n = strlen(base);
    while (n && base[n - 1] == '/')
        n--;
    asff__buf_init(&url, a->alloc);
    asff__buf_init(&hdr, a->alloc);
    asff__buf_init(&body, a->alloc);

    if (asff__buf_appendf(&url, "%.*s/latest/api/token", (int)n, base) != ASFF_OK)
        return asff_error_set(err, ASFF_ERR_NOMEM, "instance metadata: out of memory");
    headers[0] = "X-aws-ec2-metadata-token-ttl-seconds: " IMDS_TOKEN_TTL;
    st = http_call(a, "PUT", url.data, headers, &body, &status, err, "instance metadata");
    if (st != ASFF_OK) {
        /* Nothing listens: not on EC2. The chain ends with "no credentials", not a network error. */
        goto done;
    }
    *tried = true;
    headers[0] = NULL;
    if (status == 200) {
        if (asff__sbuf_puts(&hdr, "X-aws-ec2-metadata-token: ") != ASFF_OK ||
            asff__sbuf_append(&hdr, body.data ? body.data : "", body.len) != ASFF_OK) {
            st = asff_error_set(err, ASFF_ERR_NOMEM, "instance metadata: out of memory");
            goto done;
        }
        if (strpbrk(hdr.data, "\r\n")) {
            st = asff__error_setf(err, ASFF_ERR_SYNTAX, "instance metadata: the session token holds a line break");
            goto done;
        }
        headers[0] = hdr.data;
    } else if (status != 404 && status != 405) {
        st = asff__error_setf(err, status == 403 ? ASFF_ERR_CREDENTIALS : ASFF_ERR_HTTP,
                             "instance metadata: HTTP %ld for the IMDSv2 session token", status);
        if (err)
            err->http_status = (int)status;
        goto done;
    }

    /* The role name. */
    asff__buf_reset(&url);
    asff__sbuf_clear(&body);
    if (asff__buf_appendf(&url, "%.*s/latest/meta-data/iam/security-credentials/", (int)n, base) != ASFF_OK) {
        st = asff_error_set(err, ASFF_ERR_NOMEM, "instance metadata: out of memory");
        goto done;
    }
    st = http_call(a, "GET", url.data, headers, &body, &status, err, "instance metadata");
    if (st != ASFF_OK)
        goto done;
    if (status != 200) {
        st = asff__error_setf(err, status == 404 ? ASFF_ERR_CREDENTIALS : ASFF_ERR_HTTP,
                             "instance metadata: HTTP %ld for the role name%s", status,
                             status == 404 ? " (no instance profile attached)" : "");
        if (err)
            err->http_status = (int)status;
        goto done;
    }
    {
        size_t len = body.data ? strcspn(body.data, "\r\n") : 0, i;
        if (len == 0 || len >= sizeof role) {
            st = asff__error_setf(err, ASFF_ERR_SYNTAX, "instance metadata: no role name");
            goto done;
        }
        for (i = 0; i < len; i++) {
            unsigned char c = (unsigned char)body.data[i];
            if (!(isalnum(c) || strchr("+=,.@_-", c))) {
                st = asff__error_setf(err, ASFF_ERR_SYNTAX, "instance metadata: the role name is malformed");
                goto done;
            }
        }
        memcpy(role, body.data, len);
        role[len] = '\0';
    }
    asff__buf_reset(&url);
    asff__sbuf_clear(&body);
    if (asff__buf_appendf(&url, "%.*s/latest/meta-data/iam/security-credentials/%s", (int)n, base, role) != ASFF_OK) {
        st = asff_error_set(err, ASFF_ERR_NOMEM, "instance metadata: out of memory");
        goto done;
    }
    st = http_call(a, "GET", url.data, headers, &body, &status, err, "instance metadata");
    if (st != ASFF_OK)
        goto done;
    if (status != 200) {
        st = asff__error_setf(err, ASFF_ERR_HTTP, "instance metadata: HTTP %ld for the role's credentials", status);
        if (err)
            err->http_status = (int)status;
        goto done;
    }
    st = take_json_credentials(a, &body, ASFF_CREDS_IMDS, "instance metadata", err);
done:
    asff__buf_cleanup(&url);
    asff__sbuf_cleanup(&hdr);
    asff__sbuf_cleanup(&body);
    return st;
}

/* Static keys from a section: both or neither. */
static asff_status from_keys(asff_aws *a, const char *key, const char *secret, const char *token,
                             asff_credentials_source src, const char *what, asff_error *err)
{
    char *k, *s, *t = NULL;
    if (!key && !secret)
        return ASFF_ERR_NOT_FOUND;
    if (!key || !secret || !key[0] || !secret[0])
        return asff__error_setf(err, ASFF_ERR_CREDENTIALS, "%s: an access key id without a secret access key, or the "
                                                          "other way round", what);
    k = dup_str(a, key);
    s = dup_str(a, secret);
    if (token && token[0])
        t = dup_str(a, token);
    if (!k || !s || (token && token[0] && !t)) {
        asff__sbuf_strfree(a->alloc, k);
        asff__sbuf_strfree(a->alloc, s);
        asff__sbuf_strfree(a->alloc, t);
        return asff_error_set(err, ASFF_ERR_NOMEM, "aws: out of memory");
    }
    set_current(a, k, s, t, 0, src);
    return ASFF_OK;
}

static void fill(const asff_aws *a, asff_credentials *out)
{
    out->access_key_id = a->key;
    out->secret_access_key = a->secret;
    out->session_token = a->token;
    out->expiration = a->expiration;
}

/* Walk the chain. ASFF_ERR_NOT_FOUND from a step means "not configured here, go on". */
static asff_status resolve(asff_aws *a, asff_error *err)
{
    asff_status st;
    bool tried_container = false, tried_imds = false;
    char what[600];

    if (a->explicit_key)
        return from_keys(a, a->explicit_key, a->explicit_secret, a->explicit_token, ASFF_CREDS_EXPLICIT,
                         "explicit credentials", err);
    st = from_keys(a, env(a, "AWS_ACCESS_KEY_ID"), env(a, "AWS_SECRET_ACCESS_KEY"), env(a, "AWS_SESSION_TOKEN"),
                   ASFF_CREDS_ENVIRONMENT, "environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)", err);
    if (st != ASFF_ERR_NOT_FOUND)
        return st;
    snprintf(what, sizeof what, "%.400s, profile \"%.64s\"", a->credentials_path ? a->credentials_path : "credentials file",
             a->profile);
    st = from_keys(a, asff_aws_ini_get(a->credentials, a->profile, "aws_access_key_id"),
                   asff_aws_ini_get(a->credentials, a->profile, "aws_secret_access_key"),
                   asff_aws_ini_get(a->credentials, a->profile, "aws_session_token"), ASFF_CREDS_CREDENTIALS_FILE, what,
                   err);
    if (st != ASFF_ERR_NOT_FOUND)
        return st;
    snprintf(what, sizeof what, "%.400s, profile \"%.64s\"", a->config_path ? a->config_path : "config file",
             a->profile);
    st = from_keys(a, config_get(a, "aws_access_key_id"), config_get(a, "aws_secret_access_key"),
                   config_get(a, "aws_session_token"), ASFF_CREDS_CONFIG_FILE, what, err);
    if (st != ASFF_ERR_NOT_FOUND)
        return st;
    /* Sources of the SDKs that libasff does not implement: say so rather than "no credentials". */
    {
        static const char *const unsupported[] = {"role_arn", "credential_process", "sso_session", "sso_start_url",
                                                  "web_identity_token_file", NULL};
        size_t i;
        for (i = 0; unsupported[i]; i++)
            if (config_get(a, unsupported[i]) || asff_aws_ini_get(a->credentials, a->profile, unsupported[i]))
                return asff__error_setf(err, ASFF_ERR_UNSUPPORTED,
                                       "aws: profile \"%.64s\" uses %s, which libasff does not support; export "
                                       "credentials (aws configure export-credentials) or use static keys",
                                       a->profile, unsupported[i]);
    }
    st = from_container(a, &tried_container, err);
    if (st != ASFF_ERR_NOT_FOUND)
        return st;
    st = from_imds(a, &tried_imds, err);
    if (st == ASFF_OK || tried_imds)
        return st;
    return asff__error_setf(err, ASFF_ERR_CREDENTIALS,
                           "aws: no credentials: tried explicit, environment, %.200s, %.200s (profile \"%.64s\"), "
                           "container (%s), instance metadata (%s)",
                           a->credentials_path ? a->credentials_path : "no credentials file",
                           a->config_path ? a->config_path : "no config file", a->profile,
                           tried_container ? "failed" : "not configured",
                           a->opt.no_imds || is_true(env(a, "AWS_EC2_METADATA_DISABLED")) ? "disabled" : "unreachable");
}

asff_status asff_aws_credentials(asff_aws *a, int64_t now, asff_credentials *out, asff_error *err)
{
    asff_status st;
    if (!a || !out)
        return asff__error_setf(err, ASFF_ERR_INVALID_ARG, "aws: no handle or output");
    memset(out, 0, sizeof *out);
    if (now == 0)
        now = (int64_t)time(NULL);
    if (a->key && (a->expiration == 0 || now < a->expiration - a->opt.refresh_margin)) {
        fill(a, out);
        return ASFF_OK;
    }
    st = resolve(a, err);
    if (st != ASFF_OK) {
        /* A failed refresh while the old credentials are still valid: keep using them. */
        if (a->key && a->expiration && now < a->expiration) {
            asff_error_clear(err);
            fill(a, out);
            return ASFF_OK;
        }
        return st;
    }
    fill(a, out);
    return ASFF_OK;
}
