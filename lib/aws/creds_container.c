/* Container credentials (ECS task roles, EKS Pod Identity): AWS_CONTAINER_CREDENTIALS_RELATIVE_URI
 * against 169.254.170.2, or AWS_CONTAINER_CREDENTIALS_FULL_URI (https anywhere; http only to loopback,
 * the ECS agent or the EKS Pod Identity agent 169.254.170.23 / [fd00:ec2::23]), with
 * AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (re-read on every refresh: the agent rotates it) or
 * AWS_CONTAINER_AUTHORIZATION_TOKEN. */
#include <stdio.h>
#include <string.h>
#include "aws/aws_internal.h"
#include "core/json.h"
#include "sigv4/secbuf.h"

#define CONTAINER_HOST "http://169.254.170.2"

static bool host_is(const char *h, size_t n, const char *name)
{
    return n == strlen(name) && strncmp(h, name, n) == 0;
}

/* True when url is one the SDKs allow for container credentials. */
static bool container_url_allowed(const char *url)
{
    const char *h, *e, *colon;
    size_t n;
    if (strncmp(url, "https://", 8) == 0)
        return true;
    if (strncmp(url, "http://", 7) != 0)
        return false;
    h = url + 7;
    e = h + strcspn(h, "/?#");
    n = (size_t)(e - h);
    if (memchr(h, '@', n))
        return false;
    if (h[0] == '[') {
        colon = memchr(h, ']', n);
        if (!colon)
            return false;
        n = (size_t)(colon + 1 - h);
    } else if ((colon = memchr(h, ':', n)) != NULL) {
        n = (size_t)(colon - h);
    }
    return (n > 4 && strncmp(h, "127.", 4) == 0) || host_is(h, n, "localhost") || host_is(h, n, "[::1]") ||
           host_is(h, n, "169.254.170.2") || host_is(h, n, "169.254.170.23") || host_is(h, n, "[fd00:ec2::23]");
}

asff_status asff__creds_container(asff_aws *a, const char *profile, asff__creds *out, char *detail, asff_error *err)
{
    const char *rel = asff__aws_env(a, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
    const char *full = asff__aws_env(a, "AWS_CONTAINER_CREDENTIALS_FULL_URI");
    const char *tok = asff__aws_env(a, "AWS_CONTAINER_AUTHORIZATION_TOKEN");
    const char *tok_file = asff__aws_env(a, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
    const char *what = "container credentials";
    asff_buf url, hdr, tokbuf, body;
    const char *headers[2] = {NULL, NULL};
    long status = 0;
    asff_status st = ASFF_OK;
    int attempt;
    (void)profile;
    if (a->opt.no_container || (!rel && !full))
        return ASFF_ERR_NOT_FOUND;
    if (rel && rel[0] != '/')
        return asff__error_setf(err, ASFF_ERR_INVALID_ARG,
                               "%s: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI must start with /", what);
    if (!rel && !container_url_allowed(full))
        return asff__error_setf(err, ASFF_ERR_INVALID_ARG,
                               "%s: AWS_CONTAINER_CREDENTIALS_FULL_URI must be https, or http to a loopback, ECS or "
                               "EKS Pod Identity agent address", what);
    asff__buf_init(&url, a->alloc);
    asff__buf_init(&hdr, a->alloc);
    asff__buf_init(&tokbuf, a->alloc);
    asff__buf_init(&body, a->alloc);
    if ((rel ? asff__buf_appendf(&url, "%s%s", CONTAINER_HOST, rel) : asff__buf_appendf(&url, "%s", full)) != ASFF_OK) {
        st = asff__error_setf(err, ASFF_ERR_NOMEM, "%s: out of memory", what);
        goto done;
    }
    if (tok_file) {
        st = asff__aws_read_token_file(a, tok_file, &tokbuf, what, err);
        if (st != ASFF_OK)
            goto done;
        tok = tokbuf.data;
    }
    if (tok) {
        if (strpbrk(tok, "\r\n")) {
            st = asff__error_setf(err, ASFF_ERR_INVALID_ARG, "%s: the authorization token holds a line break", what);
            goto done;
        }
        if (asff__sbuf_puts(&hdr, "Authorization: ") != ASFF_OK || asff__sbuf_puts(&hdr, tok) != ASFF_OK ||
            asff__sbuf_putc(&hdr, '\0') != ASFF_OK) {
            st = asff__error_setf(err, ASFF_ERR_NOMEM, "%s: out of memory", what);
            goto done;
        }
        headers[0] = hdr.data;
    }
    /* Two attempts, as the SDKs retry this local endpoint once. */
    for (attempt = 0; attempt < 2; attempt++) {
        asff__sbuf_clear(&body);
        st = asff__aws_http(a, "GET", url.data, headers, NULL, 0, true, &body, &status, err, what);
        if (st == ASFF_OK && status == 200)
            break;
        if (st == ASFF_OK && (status < 500 || attempt == 1)) {
            st = asff__error_setf(err, status == 401 || status == 403 ? ASFF_ERR_CREDENTIALS : ASFF_ERR_HTTP,
                                 "%s: HTTP %ld from the credentials endpoint", what, status);
            if (err)
                err->http_status = (int)status;
            break;
        }
        if (st == ASFF_ERR_LIMIT || st == ASFF_ERR_NOMEM)
            break;
        st = st == ASFF_OK ? ASFF_ERR_HTTP : st;
    }
    if (st != ASFF_OK)
        goto done;
    st = asff__creds_from_meta(a, body.data, body.len, out, what, err);
    if (st == ASFF_OK)
        snprintf(detail, ASFF__DETAIL, "%s", rel ? "ECS task role" : "container endpoint (FULL_URI)");
done:
    asff__buf_cleanup(&url);
    asff__sbuf_cleanup(&hdr);
    asff__sbuf_cleanup(&tokbuf);
    asff__sbuf_cleanup(&body);
    return st;
}
