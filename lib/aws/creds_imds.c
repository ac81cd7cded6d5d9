/* EC2 instance metadata with an IMDSv2 session token (IMDSv1 only when the token call answers 404/405,
 * i.e. an old IMDS without token support). AWS_EC2_METADATA_DISABLED=true turns it off;
 * AWS_EC2_METADATA_SERVICE_ENDPOINT / ec2_metadata_service_endpoint move it. Not configured (NOT_FOUND)
 * when nothing answers: the chain then ends with "no credentials", not a network error. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include "aws/aws_internal.h"
#include "core/json.h"
#include "sigv4/secbuf.h"

#define IMDS_DEFAULT_ENDPOINT "http://169.254.169.254"
#define IMDS_TOKEN_TTL "21600"

static asff_status http_fail(asff_error *err, asff_status code, long status, const char *fmt)
{
    asff__error_setf(err, code, "instance metadata: HTTP %ld %s", status, fmt);
    if (err)
        err->http_status = (int)status;
    return code;
}

/* GET base[n]/latest/meta-data/iam/security-credentials/role into body (url is scratch); "" lists the role. */
static asff_status get_role_path(const asff_aws *a, asff_buf *url, asff_buf *body, const char *base, size_t n,
                                 const char *role, const char *const *headers, long *status, asff_error *err)
{
    const char *what = "instance metadata";
    asff__buf_reset(url);
    asff__sbuf_clear(body);
    if (asff__buf_appendf(url, "%.*s/latest/meta-data/iam/security-credentials/%s", (int)n, base, role) != ASFF_OK)
        return asff__error_setf(err, ASFF_ERR_NOMEM, "%s: out of memory", what);
    return asff__aws_http(a, "GET", url->data, headers, NULL, 0, true, body, status, err, what);
}

asff_status asff__creds_imds(asff_aws *a, const char *profile, asff__creds *out, char *detail, asff_error *err)
{
    const char *base = asff__aws_env(a, "AWS_EC2_METADATA_SERVICE_ENDPOINT");
    const char *what = "instance metadata";
    asff_buf url, hdr, body;
    const char *headers[2] = {NULL, NULL};
    char role[256];
    long status = 0;
    asff_status st;
    size_t n;
    if (a->opt.no_imds || asff__aws_is_true(asff__aws_env(a, "AWS_EC2_METADATA_DISABLED")))
        return ASFF_ERR_NOT_FOUND;
    if (!base)
        base = asff_aws_ini_get(a->config, profile, "ec2_metadata_service_endpoint");
    if (!base)
        base = IMDS_DEFAULT_ENDPOINT;
    if (strncmp(base, "http://", 7) != 0 && strncmp(base, "https://", 8) != 0)
        return asff__error_setf(err, ASFF_ERR_INVALID_ARG, "%s: the endpoint must be http(s)://", what);
    n = strlen(base);
    while (n && base[n - 1] == '/')
        n--;
    asff__buf_init(&url, a->alloc);
    asff__buf_init(&hdr, a->alloc);
    asff__buf_init(&body, a->alloc);

    if (asff__buf_appendf(&url, "%.*s/latest/api/token", (int)n, base) != ASFF_OK) {
        st = asff__error_setf(err, ASFF_ERR_NOMEM, "%s: out of memory", what);
        goto done;
    }
    headers[0] = "X-aws-ec2-metadata-token-ttl-seconds: " IMDS_TOKEN_TTL;
    st = asff__aws_http(a, "PUT", url.data, headers, NULL, 0, true, &body, &status, err, what);
    if (st != ASFF_OK) {
        /* Nothing listens: not on EC2. */
        if (st == ASFF_ERR_NETWORK || st == ASFF_ERR_TIMEOUT) {
            asff_error_clear(err);
            st = ASFF_ERR_NOT_FOUND;
        }
        goto done;
    }
    headers[0] = NULL;
    if (status == 200) {
        if (asff__sbuf_puts(&hdr, "X-aws-ec2-metadata-token: ") != ASFF_OK ||
            asff__sbuf_append(&hdr, body.data ? body.data : "", body.len) != ASFF_OK ||
            asff__sbuf_putc(&hdr, '\0') != ASFF_OK) {
            st = asff__error_setf(err, ASFF_ERR_NOMEM, "%s: out of memory", what);
            goto done;
        }
        if (strpbrk(hdr.data, "\r\n") || strlen(hdr.data) != hdr.len - 1) {
            st = asff__error_setf(err, ASFF_ERR_SYNTAX, "%s: the session token holds a line break", what);
            goto done;
        }
        headers[0] = hdr.data;
    } else if (status != 404 && status != 405) {
        st = http_fail(err, status == 403 ? ASFF_ERR_CREDENTIALS : ASFF_ERR_HTTP, status,
                       "for the IMDSv2 session token");
        goto done;
    }

    /* The role name. */
    st = get_role_path(a, &url, &body, base, n, "", headers, &status, err);
    if (st != ASFF_OK)
        goto done;
    if (status != 200) {
        st = http_fail(err, status == 404 ? ASFF_ERR_CREDENTIALS : ASFF_ERR_HTTP, status,
                       status == 404 ? "for the role name (no instance profile attached)" : "for the role name");
        goto done;
    }
    {
        size_t len = 0, i;
        while (len < body.len && body.data[len] != '\r' && body.data[len] != '\n')
            len++;
        if (len == 0 || len >= sizeof role) {
            st = asff__error_setf(err, ASFF_ERR_SYNTAX, "%s: no role name", what);
            goto done;
        }
        for (i = 0; i < len; i++) {
            unsigned char c = (unsigned char)body.data[i];
            if (!(isalnum(c) || strchr("+=,.@_-", c))) {
                st = asff__error_setf(err, ASFF_ERR_SYNTAX, "%s: the role name is malformed", what);
                goto done;
            }
        }
        memcpy(role, body.data, len);
        role[len] = '\0';
    }
    st = get_role_path(a, &url, &body, base, n, role, headers, &status, err);
    if (st != ASFF_OK)
        goto done;
    if (status != 200) {
        st = http_fail(err, ASFF_ERR_HTTP, status, "for the role's credentials");
        goto done;
    }
    st = asff__creds_from_meta(a, body.data, body.len, out, what, err);
    if (st == ASFF_OK)
        snprintf(detail, ASFF__DETAIL, "instance profile role %s", role);
done:
    asff__buf_cleanup(&url);
    asff__sbuf_cleanup(&hdr);
    asff__sbuf_cleanup(&body);
    return st;
}
