/* The credentials chain: a table of providers in botocore's order, walked on first use and again when
 * the cached credentials come within refresh_margin of their expiry; a mutex makes the refresh safe
 * when a client is shared by threads. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "aws/aws_internal.h"

static const struct provider {
    asff_credentials_source source;
    asff__provider_fn fn;
    const char *name;
} chain[] = {
    {ASFF_CREDS_ENVIRONMENT, asff__creds_env, "environment"},
    {ASFF_CREDS_ASSUME_ROLE, asff__creds_assume_role, "assume role"},
    {ASFF_CREDS_WEB_IDENTITY, asff__creds_web_identity, "web identity"},
    {ASFF_CREDS_SSO, asff__creds_sso, "sso"},
    {ASFF_CREDS_CREDENTIALS_FILE, asff__creds_profile_keys, "credentials file"},
    {ASFF_CREDS_PROCESS, asff__creds_process, "credential_process"},
    {ASFF_CREDS_CONFIG_FILE, asff__creds_config_keys, "config file"},
    {ASFF_CREDS_CONTAINER, asff__creds_container, "container"},
    {ASFF_CREDS_IMDS, asff__creds_imds, "instance metadata"},
};

/* What a source_profile may hold (botocore's _resolve_credentials_from_profile). */
static const asff__provider_fn profile_sources[] = {
    asff__creds_profile_keys, asff__creds_config_keys, asff__creds_web_identity_profile, asff__creds_sso,
    asff__creds_process,
};

asff_status asff__creds_profile_source(asff_aws *a, const char *profile, asff__creds *out, char *detail,
                                       asff_error *err)
{
    size_t i;
    for (i = 0; i < sizeof profile_sources / sizeof profile_sources[0]; i++) {
        asff_status st = profile_sources[i](a, profile, out, detail, err);
        if (st != ASFF_ERR_NOT_FOUND)
            return st;
    }
    return ASFF_ERR_NOT_FOUND;
}

const char *asff_credentials_source_name(asff_credentials_source s)
{
    switch (s) {
    case ASFF_CREDS_EXPLICIT: return "explicit";
    case ASFF_CREDS_ENVIRONMENT: return "environment";
    case ASFF_CREDS_CREDENTIALS_FILE: return "credentials-file";
    case ASFF_CREDS_CONFIG_FILE: return "config-file";
    case ASFF_CREDS_CONTAINER: return "container";
    case ASFF_CREDS_IMDS: return "imds";
    case ASFF_CREDS_ASSUME_ROLE: return "assume-role";
    case ASFF_CREDS_WEB_IDENTITY: return "web-identity";
    case ASFF_CREDS_SSO: return "sso";
    case ASFF_CREDS_PROCESS: return "process";
    default: return "none";
    }
}

asff_credentials_source asff_aws_credentials_source(const asff_aws *a)
{
    return a ? a->source : ASFF_CREDS_NONE;
}

const char *asff_aws_credentials_detail(const asff_aws *a)
{
    return a ? a->detail : "";
}

/* Walk the chain into *out. */
static asff_status resolve(asff_aws *a, asff__creds *out, asff_credentials_source *src, char *detail,
                           asff_error *err)
{
    size_t i;
    asff_status st;
    if (a->explicit_creds.key) {
        *src = ASFF_CREDS_EXPLICIT;
        return asff__creds_set(a, out, a->explicit_creds.key, a->explicit_creds.secret, a->explicit_creds.token, 0) ==
                       ASFF_OK
                   ? ASFF_OK
                   : asff_error_set(err, ASFF_ERR_NOMEM, "aws: out of memory");
    }
    for (i = 0; i < sizeof chain / sizeof chain[0]; i++) {
        detail[0] = '\0';
        st = chain[i].fn(a, a->profile, out, detail, err);
        if (st == ASFF_OK)
            *src = chain[i].source;
        if (st != ASFF_ERR_NOT_FOUND)
            return st;
    }
    /* the short outcomes first: the file paths may be long, and the message is cut at its size */
    return asff__error_setf(err, ASFF_ERR_CREDENTIALS,
                           "aws: no credentials: tried explicit, environment, container (%s), instance metadata (%s), "
                           "profile \"%.64s\" (roles, web identity, sso, process, keys in %.120s and %.120s)",
                           a->opt.no_container ? "disabled" : "not configured",
                           a->opt.no_imds || asff__aws_is_true(asff__aws_env(a, "AWS_EC2_METADATA_DISABLED"))
                               ? "disabled"
                               : "unreachable",
                           a->profile, a->credentials_path ? a->credentials_path : "no credentials file",
                           a->config_path ? a->config_path : "no config file");
}

/* options.role_arn: assume it with what the chain found. */
static asff_status assume_option_role(asff_aws *a, asff__creds *c, char *detail, asff_error *err)
{
    asff__creds r;
    char session[64];
    const char *name = a->role_session_name;
    asff_status st;
    memset(&r, 0, sizeof r);
    if (!name) {
        snprintf(session, sizeof session, "libasff-%lld", (long long)time(NULL));
        name = session;
    }
    st = asff__sts_assume_role(a, c, asff__aws_sts_region(a, a->profile), a->role_arn, name, a->external_id, 0, NULL,
                               NULL, &r, err);
    if (st != ASFF_OK)
        return st;
    asff__creds_clear(a, c);
    *c = r;
    snprintf(detail, ASFF__DETAIL, "role %.300s (options)", a->role_arn);
    return ASFF_OK;
}

static void fill(const asff__creds *c, asff_credentials *out)
{
    out->access_key_id = c->key;
    out->secret_access_key = c->secret;
    out->session_token = c->token;
    out->expiration = c->expiration;
}

asff_status asff_aws_credentials(asff_aws *a, int64_t now, asff_credentials *out, asff_error *err)
{
    asff__creds fresh;
    asff_credentials_source src = ASFF_CREDS_NONE;
    char detail[ASFF__DETAIL];
    asff_status st;
    if (!a || !out)
        return asff__error_setf(err, ASFF_ERR_INVALID_ARG, "aws: no handle or output");
    memset(out, 0, sizeof *out);
    if (now == 0)
        now = (int64_t)time(NULL);
    pthread_mutex_lock(&a->lock);
    if (a->cur.key && (a->cur.expiration == 0 || now < a->cur.expiration - a->opt.refresh_margin)) {
        fill(&a->cur, out);
        pthread_mutex_unlock(&a->lock);
        return ASFF_OK;
    }
    memset(&fresh, 0, sizeof fresh);
    detail[0] = '\0';
    st = resolve(a, &fresh, &src, detail, err);
    if (st == ASFF_OK && a->role_arn) {
        st = assume_option_role(a, &fresh, detail, err);
        src = ASFF_CREDS_ASSUME_ROLE;
    }
    if (st != ASFF_OK) {
        asff__creds_clear(a, &fresh);
        /* A failed refresh while the old credentials are still valid: keep using them. */
        if (a->cur.key && a->cur.expiration && now < a->cur.expiration) {
            asff_error_clear(err);
            fill(&a->cur, out);
            st = ASFF_OK;
        }
        pthread_mutex_unlock(&a->lock);
        return st;
    }
    asff__creds_clear(a, &a->prev);
    a->prev = a->cur;
    a->cur = fresh;
    a->source = src;
    memcpy(a->detail, detail, sizeof a->detail);
    fill(&a->cur, out);
    pthread_mutex_unlock(&a->lock);
    return ASFF_OK;
}
