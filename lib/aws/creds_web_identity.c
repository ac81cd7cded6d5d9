/* Web identity (EKS IRSA, GitHub/GitLab OIDC): STS AssumeRoleWithWebIdentity with the token read from
 * a file on every refresh (the issuer rotates it). The profile's web_identity_token_file / role_arn /
 * role_session_name first, else AWS_WEB_IDENTITY_TOKEN_FILE / AWS_ROLE_ARN / AWS_ROLE_SESSION_NAME.
 * The token never appears in an error. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "aws/aws_internal.h"
#include "sigv4/secbuf.h"

static asff_status web_identity(asff_aws *a, const char *profile, bool use_env, asff__creds *out, char *detail,
                                asff_error *err)
{
    const char *file = asff__aws_prof_get(a, profile, "web_identity_token_file");
    const char *arn = asff__aws_prof_get(a, profile, "role_arn");
    const char *name = asff__aws_prof_get(a, profile, "role_session_name");
    char session[64], *path;
    asff_buf tok;
    asff_status st;
    if (!file && use_env) {
        file = asff__aws_env(a, "AWS_WEB_IDENTITY_TOKEN_FILE");
        arn = asff__aws_env(a, "AWS_ROLE_ARN");
        name = asff__aws_env(a, "AWS_ROLE_SESSION_NAME");
    }
    if (!file)
        return ASFF_ERR_NOT_FOUND;
    if (!arn)
        return asff__error_setf(err, ASFF_ERR_CREDENTIALS,
                               "web identity: a token file is configured but no role (role_arn / AWS_ROLE_ARN)");
    if (!name) {
        snprintf(session, sizeof session, "libasff-session-%lld", (long long)time(NULL));
        name = session;
    }
    path = asff__aws_expand_home(a, file);
    if (!path)
        return asff_error_set(err, ASFF_ERR_IO, "web identity: cannot expand the token file path");
    asff__buf_init(&tok, a->alloc);
    st = asff__aws_read_token_file(a, path, &tok, "web identity", err);
    if (st == ASFF_OK)
        st = asff__sts_web_identity(a, asff__aws_sts_region(a, profile), arn, name, tok.data, out, err);
    if (st == ASFF_OK)
        snprintf(detail, ASFF__DETAIL, "role %.300s with the token in %.200s", arn, path);
    asff__sbuf_cleanup(&tok);
    asff__sbuf_strfree(a->alloc, path);
    return st;
}

asff_status asff__creds_web_identity(asff_aws *a, const char *profile, asff__creds *out, char *detail,
                                     asff_error *err)
{
    return web_identity(a, profile, true, out, detail, err);
}

asff_status asff__creds_web_identity_profile(asff_aws *a, const char *profile, asff__creds *out, char *detail,
                                             asff_error *err)
{
    return web_identity(a, profile, false, out, detail, err);
}
