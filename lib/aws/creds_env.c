/* Static keys: the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN) and a
 * profile's aws_access_key_id / aws_secret_access_key / aws_session_token in the shared credentials
 * file or the config file. */
#include <stdio.h>
#include "aws/aws_internal.h"

/* Both or neither of key and secret. */
static asff_status take_keys(asff_aws *a, const char *key, const char *secret, const char *token, asff__creds *out,
                             const char *what, asff_error *err)
{
    if (!key && !secret)
        return ASFF_ERR_NOT_FOUND;
    if (!key || !secret || !key[0] || !secret[0])
        return asff__error_setf(err, ASFF_ERR_CREDENTIALS,
                               "%s: an access key id without a secret access key, or the other way round", what);
    if (asff__creds_set(a, out, key, secret, token, 0) != ASFF_OK)
        return asff_error_set(err, ASFF_ERR_NOMEM, "aws: out of memory");
    return ASFF_OK;
}

asff_status asff__creds_env(asff_aws *a, const char *profile, asff__creds *out, char *detail, asff_error *err)
{
    (void)profile;
    (void)detail;
    return take_keys(a, asff__aws_env(a, "AWS_ACCESS_KEY_ID"), asff__aws_env(a, "AWS_SECRET_ACCESS_KEY"),
                     asff__aws_env(a, "AWS_SESSION_TOKEN"), out,
                     "environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)", err);
}

static asff_status ini_keys(asff_aws *a, const asff_aws_ini *ini, const char *path, const char *profile,
                            asff__creds *out, char *detail, asff_error *err)
{
    char what[600];
    asff_status st;
    snprintf(what, sizeof what, "%.400s, profile \"%.64s\"", path ? path : "(no file)", profile);
    st = take_keys(a, asff_aws_ini_get(ini, profile, "aws_access_key_id"),
                   asff_aws_ini_get(ini, profile, "aws_secret_access_key"),
                   asff_aws_ini_get(ini, profile, "aws_session_token"), out, what, err);
    if (st == ASFF_OK)
        snprintf(detail, ASFF__DETAIL, "profile \"%.64s\" in %.400s", profile, path ? path : "");
    return st;
}

asff_status asff__creds_profile_keys(asff_aws *a, const char *profile, asff__creds *out, char *detail,
                                     asff_error *err)
{
    return ini_keys(a, a->credentials, a->credentials_path, profile, out, detail, err);
}

asff_status asff__creds_config_keys(asff_aws *a, const char *profile, asff__creds *out, char *detail,
                                    asff_error *err)
{
    return ini_keys(a, a->config, a->config_path, profile, out, detail, err);
}
