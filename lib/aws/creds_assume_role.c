/* Assume role from a profile: role_arn with source_profile (chains of profiles, walked without
 * recursion, cycles detected) or credential_source (Environment, Ec2InstanceMetadata, EcsContainer);
 * role_session_name, external_id, duration_seconds, mfa_serial (asked through options.mfa_callback,
 * refused without one). The roles are assumed from the base of the chain up to the profile. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/crypto.h>
#include "aws/aws_internal.h"

static bool has_role(const asff_aws *a, const char *p)
{
    return asff__aws_prof_get(a, p, "role_arn") &&
           (asff__aws_prof_get(a, p, "source_profile") || asff__aws_prof_get(a, p, "credential_source"));
}

static bool has_keys(const asff_aws *a, const char *p)
{
    return asff__aws_prof_get(a, p, "aws_access_key_id") != NULL;
}

static asff_status from_credential_source(asff_aws *a, const char *profile, const char *src, asff__creds *out,
                                          char *detail, asff_error *err)
{
    asff_status st;
    if (strcmp(src, "Environment") == 0)
        st = asff__creds_env(a, profile, out, detail, err);
    else if (strcmp(src, "Ec2InstanceMetadata") == 0)
        st = asff__creds_imds(a, profile, out, detail, err);
    else if (strcmp(src, "EcsContainer") == 0)
        st = asff__creds_container(a, profile, out, detail, err);
    else
        return asff__error_setf(err, ASFF_ERR_INVALID_ARG,
                               "aws: profile \"%.64s\": credential_source must be Environment, Ec2InstanceMetadata or "
                               "EcsContainer", profile);
    if (st == ASFF_ERR_NOT_FOUND)
        st = asff__error_setf(err, ASFF_ERR_CREDENTIALS, "aws: profile \"%.64s\": credential_source %.40s has no "
                             "credentials", profile, src);
    return st;
}

/* Assume the role of one profile with `with`, into out. */
static asff_status assume_one(asff_aws *a, const char *p, const asff__creds *with, asff__creds *out, asff_error *err)
{
    const char *arn = asff__aws_prof_get(a, p, "role_arn");
    const char *name = asff__aws_prof_get(a, p, "role_session_name");
    const char *ext = asff__aws_prof_get(a, p, "external_id");
    const char *dur = asff__aws_prof_get(a, p, "duration_seconds");
    const char *mfa = asff__aws_prof_get(a, p, "mfa_serial");
    char session[64], code[64];
    long duration = 0;
    asff_status st;
    if (dur) {
        char *end;
        duration = strtol(dur, &end, 10);
        if (*end || duration < 900 || duration > 43200)
            return asff__error_setf(err, ASFF_ERR_INVALID_ARG,
                                   "aws: profile \"%.64s\": duration_seconds must be 900..43200", p);
    }
    code[0] = '\0';
    if (mfa) {
        if (!a->opt.mfa_callback)
            return asff__error_setf(err, ASFF_ERR_UNSUPPORTED,
                                   "aws: profile \"%.64s\" needs an MFA code (mfa_serial) and nothing can ask for one "
                                   "here; use credentials from `aws configure export-credentials`, or a program that "
                                   "sets an MFA callback",
                                   p);
        st = a->opt.mfa_callback(a->opt.mfa_ctx, mfa, code, sizeof code);
        code[sizeof code - 1] = '\0';
        if (st != ASFF_OK) {
            OPENSSL_cleanse(code, sizeof code);
            return asff__error_setf(err, st, "aws: profile \"%.64s\": no MFA code was given", p);
        }
    }
    if (!name) {
        snprintf(session, sizeof session, "libasff-session-%lld", (long long)time(NULL));
        name = session;
    }
    st = asff__sts_assume_role(a, with, asff__aws_sts_region(a, p), arn, name, ext, duration, mfa, mfa ? code : NULL,
                               out, err);
    OPENSSL_cleanse(code, sizeof code);
    return st;
}

asff_status asff__creds_assume_role(asff_aws *a, const char *profile, asff__creds *out, char *detail, asff_error *err)
{
    const char *stack[ASFF_AWS_MAX_ROLE_CHAIN];
    size_t n = 0, i;
    const char *cur = profile, *cs = NULL;
    asff__creds base, next;
    char inner[ASFF__DETAIL];
    asff_status st = ASFF_OK;
    if (!has_role(a, profile))
        return ASFF_ERR_NOT_FOUND;
    if (asff__aws_prof_get(a, profile, "source_profile") && asff__aws_prof_get(a, profile, "credential_source"))
        return asff__error_setf(err, ASFF_ERR_INVALID_ARG,
                               "aws: profile \"%.64s\" has both source_profile and credential_source", profile);
    memset(&base, 0, sizeof base);
    memset(&next, 0, sizeof next);
    inner[0] = '\0';
    /* Walk source_profile links down to the profile that holds the base credentials. */
    for (;;) {
        const char *src;
        for (i = 0; i < n; i++)
            if (strcmp(stack[i], cur) == 0)
                return asff__error_setf(err, ASFF_ERR_INVALID_ARG,
                                       "aws: profile \"%.64s\": the source_profile chain comes back to \"%.64s\"",
                                       profile, cur);
        if (n == ASFF_AWS_MAX_ROLE_CHAIN)
            return asff__error_setf(err, ASFF_ERR_LIMIT, "aws: profile \"%.64s\": more than %u roles in the chain",
                                   profile, ASFF_AWS_MAX_ROLE_CHAIN);
        stack[n++] = cur;
        if ((cs = asff__aws_prof_get(a, cur, "credential_source")) != NULL) {
            st = from_credential_source(a, cur, cs, &base, inner, err);
            break;
        }
        src = asff__aws_prof_get(a, cur, "source_profile");
        if (!asff__aws_profile_exists(a, src))
            return asff__error_setf(err, ASFF_ERR_INVALID_ARG,
                                   "aws: profile \"%.64s\": its source_profile \"%.64s\" does not exist", cur, src);
        /* A role profile that is its own source holds the keys itself. */
        if (has_role(a, src) && !(strcmp(src, cur) == 0 && has_keys(a, src))) {
            cur = src;
            continue;
        }
        st = asff__creds_profile_source(a, src, &base, inner, err);
        if (st == ASFF_ERR_NOT_FOUND)
            st = asff__error_setf(err, ASFF_ERR_CREDENTIALS, "aws: profile \"%.64s\": the source profile \"%.64s\" has "
                                 "no credentials", cur, src);
        break;
    }
    /* Assume from the base up. */
    while (st == ASFF_OK && n > 0) {
        st = assume_one(a, stack[--n], &base, &next, err);
        asff__creds_clear(a, &base);
        base = next;
        memset(&next, 0, sizeof next);
    }
    if (st != ASFF_OK) {
        asff__creds_clear(a, &base);
        return st;
    }
    asff__creds_clear(a, out);
    *out = base;
    snprintf(detail, ASFF__DETAIL, "role %.300s of profile \"%.64s\" (from %.200s)",
             asff__aws_prof_get(a, profile, "role_arn"), profile, inner[0] ? inner : "?");
    return ASFF_OK;
}
