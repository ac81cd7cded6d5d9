/* Resolved AWS settings: profile, region, endpoints of Security Hub, STS and SSO, the regions of
 * "every region". The credentials chain is in chain.c, its providers in creds_*.c. See
 * include/asff/aws.h and docs/credentials.md. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "asff/aws.h"
#include "aws/aws_internal.h"
#include "sigv4/secbuf.h"

#define DEFAULT_TIMEOUT_MS 1000L
#define DEFAULT_REFRESH_MARGIN 300
#define DEFAULT_PROCESS_TIMEOUT_MS 60000L

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

const char *asff__aws_env(const asff_aws *a, const char *name)
{
    const char *v;
    if (a->opt.no_environment)
        return NULL;
    v = getenv(name);
    return v && v[0] ? v : NULL;
}

bool asff__aws_is_true(const char *v)
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

static const char *config_get(const asff_aws *a, const char *key)
{
    return asff_aws_ini_get(a->config, a->profile, key);
}

const char *asff__aws_prof_get(const asff_aws *a, const char *profile, const char *key)
{
    const char *v = asff_aws_ini_get(a->credentials, profile, key);
    return v ? v : asff_aws_ini_get(a->config, profile, key);
}

bool asff__aws_profile_exists(const asff_aws *a, const char *profile)
{
    return asff__aws_ini_has_section(a->config, profile) || asff__aws_ini_has_section(a->credentials, profile);
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

const char *asff__aws_sts_region(const asff_aws *a, const char *profile)
{
    const char *r = a->region;
    if (!r && profile)
        r = asff_aws_ini_get(a->config, profile, "region");
    return r && asff__aws_valid_region(r) ? r : "us-east-1";
}

char *asff__aws_expand_home(const asff_aws *a, const char *path)
{
    const char *home;
    asff_buf b;
    if (path[0] != '~' || (path[1] != '/' && path[1] != '\0'))
        return dup_str(a, path);
    home = asff__aws_env(a, "HOME");
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
    const char *p = given ? given : asff__aws_env(a, var);
    asff_status st;
    if (!p)
        p = def;
    *path = asff__aws_expand_home(a, p);
    if (!*path) {
        if (p[0] == '~' && !asff__aws_env(a, "HOME"))
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

/* ---- endpoints ----------------------------------------------------------------------------------- */

/* The services this library calls: name, AWS_ENDPOINT_URL_<env> suffix, key in a `services` section. */
static const struct service {
    const char *name, *env, *key;
} services[] = {
    {"securityhub", "AWS_ENDPOINT_URL_SECURITYHUB", "securityhub"},
    {"sts", "AWS_ENDPOINT_URL_STS", "sts"},
    {"sso", "AWS_ENDPOINT_URL_SSO", "sso"},
    {"sso-oidc", "AWS_ENDPOINT_URL_SSO_OIDC", "sso_oidc"},
};

static const struct service *find_service(const char *name)
{
    size_t i;
    for (i = 0; name && i < sizeof services / sizeof services[0]; i++)
        if (strcmp(services[i].name, name) == 0)
            return &services[i];
    return NULL;
}

/* The configured (not derived) endpoint of a service, NULL when none. */
static const char *configured_endpoint(const asff_aws *a, const struct service *s)
{
    const char *v, *sec;
    if (asff__aws_is_true(asff__aws_env(a, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")) ||
        asff__aws_is_true(config_get(a, "ignore_configured_endpoint_urls")))
        return NULL;
    if ((v = asff__aws_env(a, s->env)) != NULL || (v = asff__aws_env(a, "AWS_ENDPOINT_URL")) != NULL)
        return v;
    sec = config_get(a, "services");
    if (sec) {
        char name[300], key[64];
        snprintf(name, sizeof name, "services %.280s", sec);
        snprintf(key, sizeof key, "%s.endpoint_url", s->key);
        if ((v = asff_aws_ini_get(a->config, name, key)) != NULL)
            return v;
    }
    return config_get(a, "endpoint_url");
}

asff_status asff_aws_service_endpoint(const asff_aws *a, const char *service, const char *region, char *out,
                                      size_t size, bool *is_override, asff_error *err)
{
    const struct service *s = find_service(service);
    const char *v;
    int n;
    if (is_override)
        *is_override = false;
    if (!a || !out || !size || !s)
        return asff__error_setf(err, ASFF_ERR_INVALID_ARG, "endpoint: no handle, output buffer or known service");
    out[0] = '\0';
    if (s == &services[0])
        return asff_aws_endpoint(a, region, out, size, is_override, err);
    v = configured_endpoint(a, s);
    if (v) {
        size_t len = strlen(v);
        if (!valid_endpoint_url(v))
            return asff__error_setf(err, ASFF_ERR_INVALID_ARG,
                                   "aws: the configured %s endpoint URL is not http(s)://host[:port][/path]", s->name);
        while (len > 8 && v[len - 1] == '/')
            len--;
        if (len >= size)
            return asff__error_setf(err, ASFF_ERR_LIMIT, "endpoint: the buffer is too small");
        memcpy(out, v, len);
        out[len] = '\0';
        if (is_override)
            *is_override = true;
        return ASFF_OK;
    }
    if (!region)
        region = a->region ? a->region : "us-east-1";
    if (!asff__aws_valid_region(region))
        return asff__error_setf(err, ASFF_ERR_INVALID_ARG, "endpoint: \"%.64s\" is not a region name", region);
    if (s == &services[1])
        n = snprintf(out, size, "https://sts%s.%s.%s", a->fips ? "-fips" : "", region, asff_aws_dns_suffix(region));
    else if (s == &services[2])
        n = snprintf(out, size, "https://portal.sso.%s.%s", region, asff_aws_dns_suffix(region));
    else
        n = snprintf(out, size, "https://oidc.%s.%s", region, asff_aws_dns_suffix(region));
    if (n < 0 || (size_t)n >= size)
        return asff__error_setf(err, ASFF_ERR_LIMIT, "endpoint: the buffer is too small");
    return ASFF_OK;
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

/* ---- regions ------------------------------------------------------------------------------------- */

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

static asff_status builtin_regions(asff_aws *a, asff_error *err)
{
    size_t n, i;
    const char *const *all = asff_securityhub_regions(&n);
    const char *part = asff_aws_partition(a->region);
    a->regions = asff__malloc(a->alloc, (n + 1) * sizeof *a->regions);
    if (!a->regions)
        return asff_error_set(err, ASFF_ERR_NOMEM, "aws: out of memory");
    for (i = 0; i < n; i++)
        if (strcmp(asff_aws_partition(all[i]), part) == 0)
            a->regions[a->nregions++] = all[i];
    a->regions[a->nregions] = NULL;
    return ASFF_OK;
}

const char *const *asff_aws_regions(const asff_aws *a, size_t *count)
{
    if (count)
        *count = a ? a->nregions : 0;
    return a ? a->regions : NULL;
}

/* ---- the handle ---------------------------------------------------------------------------------- */

void asff_aws_free(asff_aws *a)
{
    if (!a)
        return;
    free_str(a, &a->profile);
    free_str(a, &a->region);
    free_str(a, &a->endpoint);
    free_str(a, &a->config_path);
    free_str(a, &a->credentials_path);
    free_str(a, &a->role_arn);
    free_str(a, &a->role_session_name);
    free_str(a, &a->external_id);
    asff__creds_clear(a, &a->explicit_creds);
    asff__creds_clear(a, &a->cur);
    asff__creds_clear(a, &a->prev);
    free_str(a, &a->regions_store);
    asff__free(a->alloc, (void *)a->regions);
    asff_aws_ini_free(a->config);
    asff_aws_ini_free(a->credentials);
    if (a->lock_ready)
        pthread_mutex_destroy(&a->lock);
    asff__free(a->alloc, a);
}

/* Copy an optional string option; false when out of memory. */
static bool copy_opt(asff_aws *a, char **dst, const char *src)
{
    if (!src)
        return true;
    *dst = dup_str(a, src);
    return *dst != NULL;
}

/* The steps of asff_aws_new after the handle exists; the caller frees the handle on error. */
static asff_status setup(asff_aws *a, const asff_aws_options *options, asff_error *err)
{
    asff_status st;
    const char *v;

    if (pthread_mutex_init(&a->lock, NULL) != 0)
        return asff_error_set(err, ASFF_ERR_NOMEM, "aws: cannot create a mutex");
    a->lock_ready = true;
    v = options->profile ? options->profile : asff__aws_env(a, "AWS_PROFILE");
    if (!v)
        v = asff__aws_env(a, "AWS_DEFAULT_PROFILE");
    a->profile = dup_str(a, v ? v : "default");
    if (!a->profile || !copy_opt(a, &a->role_arn, options->role_arn) ||
        !copy_opt(a, &a->role_session_name, options->role_session_name) ||
        !copy_opt(a, &a->external_id, options->external_id))
        return asff_error_set(err, ASFF_ERR_NOMEM, "aws: out of memory");
    if (options->access_key_id &&
        asff__creds_set(a, &a->explicit_creds, options->access_key_id, options->secret_access_key,
                        options->session_token, 0) != ASFF_OK)
        return asff_error_set(err, ASFF_ERR_NOMEM, "aws: out of memory");

    st = load_file(a, options->config_file, "AWS_CONFIG_FILE", "~/.aws/config", true, &a->config_path, &a->config,
                   err);
    if (st == ASFF_OK)
        st = load_file(a, options->credentials_file, "AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials", false,
                       &a->credentials_path, &a->credentials, err);
    if (st != ASFF_OK)
        return st;
    /* A profile named explicitly must exist somewhere (as the SDKs insist); "default" may be absent. */
    if ((options->profile || asff__aws_env(a, "AWS_PROFILE")) && strcmp(a->profile, "default") != 0 &&
        !asff__aws_profile_exists(a, a->profile) && !a->explicit_creds.key)
        return asff__error_setf(err, ASFF_ERR_NOT_FOUND, "aws: the profile \"%.64s\" is in neither %s nor %s",
                               a->profile, a->credentials_path ? a->credentials_path : "(no credentials file)",
                               a->config_path ? a->config_path : "(no config file)");

    /* Region: explicit, AWS_REGION, AWS_DEFAULT_REGION, the profile's. */
    v = options->region;
    if (!v)
        v = asff__aws_env(a, "AWS_REGION");
    if (!v)
        v = asff__aws_env(a, "AWS_DEFAULT_REGION");
    if (!v)
        v = config_get(a, "region");
    if (v && v[0]) {
        if (!asff__aws_valid_region(v))
            return asff__error_setf(err, ASFF_ERR_INVALID_ARG, "aws: \"%.64s\" is not a region name (a-z, 0-9, -)", v);
        if (!(a->region = dup_str(a, v)))
            return asff_error_set(err, ASFF_ERR_NOMEM, "aws: out of memory");
    }
    a->fips = options->use_fips || asff__aws_is_true(asff__aws_env(a, "AWS_USE_FIPS_ENDPOINT")) ||
              asff__aws_is_true(config_get(a, "use_fips_endpoint"));

    /* Security Hub's endpoint override: explicit, else as configured (see configured_endpoint). */
    v = options->endpoint_url ? options->endpoint_url : configured_endpoint(a, &services[0]);
    if (v && v[0]) {
        size_t n;
        if (!valid_endpoint_url(v)) /* not quoted: the URL may carry user:password */
            return asff__error_setf(err, ASFF_ERR_INVALID_ARG,
                                   "aws: the configured endpoint URL is not http(s)://host[:port][/path]");
        if (!(a->endpoint = dup_str(a, v)))
            return asff_error_set(err, ASFF_ERR_NOMEM, "aws: out of memory");
        n = strlen(a->endpoint);
        while (n > 8 && a->endpoint[n - 1] == '/')
            a->endpoint[--n] = '\0';
    }
    return options->regions ? parse_regions(a, options->regions, err) : builtin_regions(a, err);
}

asff_status asff_aws_new(const asff_aws_options *options, asff_aws **out, asff_error *err)
{
    asff_aws_options def = ASFF_AWS_OPTIONS_INIT;
    const asff_allocator *al;
    asff_aws *a;
    asff_status st;
    if (!out)
        return asff__error_setf(err, ASFF_ERR_INVALID_ARG, "aws: no output handle");
    *out = NULL;
    if (options && options->version != ASFF_AWS_OPTIONS_VERSION)
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
    a->opt.regions = a->opt.role_arn = a->opt.role_session_name = a->opt.external_id = NULL;
    if (a->opt.http_timeout_ms <= 0)
        a->opt.http_timeout_ms = DEFAULT_TIMEOUT_MS;
    if (a->opt.refresh_margin <= 0)
        a->opt.refresh_margin = DEFAULT_REFRESH_MARGIN;
    if (a->opt.process_timeout_ms <= 0)
        a->opt.process_timeout_ms = DEFAULT_PROCESS_TIMEOUT_MS;
    st = setup(a, options, err);
    if (st != ASFF_OK) {
        asff_aws_free(a);
        return st;
    }
    *out = a;
    return ASFF_OK;
}
