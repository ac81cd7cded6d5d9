/* STS over its Query protocol: a form-encoded POST (Version=2011-06-15) answered in XML. The XML is
 * read with expat, streaming, keeping only the few fields wanted (bounded), at most 16 levels deep,
 * with no DOCTYPE (so no entities at all). Errors (<ErrorResponse><Error><Code>/<Message>) become
 * ASFF_ERR_AWS with the code, a bounded printable message and the request id. */
#include <stdio.h>
#include <string.h>
#include <expat.h>
#include <openssl/crypto.h>
#include "aws/aws_internal.h"
#include "sigv4/secbuf.h"

#define STS_VERSION "2011-06-15"
#define XML_MAX_DEPTH 16

/* ---- the XML answer ------------------------------------------------------------------------------ */

typedef struct xml_ctx {
    XML_Parser p;
    asff__sts_result *r;
    char names[XML_MAX_DEPTH + 1][64];   /* the open elements (names[0] is "") */
    char *field;            /* where character data goes, NULL: nowhere */
    size_t cap, len;
    unsigned depth;
    asff_status failed;     /* ASFF_OK, or why the parser was stopped */
} xml_ctx;

static void on_start(void *ud, const XML_Char *name, const XML_Char **attrs)
{
    xml_ctx *x = ud;
    asff__sts_result *r = x->r;
    (void)attrs;
    if (++x->depth > XML_MAX_DEPTH) {
        x->failed = ASFF_ERR_LIMIT;
        XML_StopParser(x->p, XML_FALSE);
        return;
    }
    snprintf(x->names[x->depth], sizeof x->names[0], "%s", name);
    x->field = NULL;
    x->len = 0;
    if (x->depth == 1 && strcmp(name, "ErrorResponse") == 0)
        r->is_error = true;
#define FIELD(n, parent_name, dst)                                                                                   \
    if (strcmp(name, n) == 0 && (parent_name[0] == '*' || strcmp(x->names[x->depth - 1], parent_name) == 0)) {     \
        x->field = dst;                                                                                              \
        x->cap = sizeof dst;                                                                                         \
        dst[0] = '\0';                                                                                               \
        return;                                                                                                      \
    }
    FIELD("AccessKeyId", "Credentials", r->key)
    FIELD("SecretAccessKey", "Credentials", r->secret)
    FIELD("SessionToken", "Credentials", r->token)
    FIELD("Expiration", "Credentials", r->expiration)
    FIELD("Account", "GetCallerIdentityResult", r->account)
    FIELD("Arn", "GetCallerIdentityResult", r->arn)
    FIELD("UserId", "GetCallerIdentityResult", r->user_id)
    FIELD("Arn", "AssumedRoleUser", r->arn)
    FIELD("Code", "Error", r->code)
    FIELD("Message", "Error", r->message)
    FIELD("RequestId", "*", r->request_id)
#undef FIELD
}

static void on_end(void *ud, const XML_Char *name)
{
    xml_ctx *x = ud;
    (void)name;
    if (x->depth)
        x->depth--;
    x->field = NULL;
}

static void on_text(void *ud, const XML_Char *s, int len)
{
    xml_ctx *x = ud;
    if (!x->field || len <= 0)
        return;
    if (x->len + (size_t)len >= x->cap) {
        x->failed = ASFF_ERR_LIMIT;
        XML_StopParser(x->p, XML_FALSE);
        return;
    }
    memcpy(x->field + x->len, s, (size_t)len);
    x->len += (size_t)len;
    x->field[x->len] = '\0';
}

static void on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid, const XML_Char *pubid, int internal)
{
    xml_ctx *x = ud;
    (void)name;
    (void)sysid;
    (void)pubid;
    (void)internal;
    x->failed = ASFF_ERR_SYNTAX;
    XML_StopParser(x->p, XML_FALSE);
}

/* Trim white space around a field (pretty-printed answers). */
static void trim(char *s)
{
    size_t n = strlen(s), i = 0;
    while (n && strchr(" \t\r\n", s[n - 1]))
        s[--n] = '\0';
    while (s[i] && strchr(" \t\r\n", s[i]))
        i++;
    if (i)
        memmove(s, s + i, n - i + 1);
}

asff_status asff__sts_parse(const char *xml, size_t len, asff__sts_result *r, asff_error *err)
{
    xml_ctx x;
    enum XML_Status ok;
    asff_status st = ASFF_OK;
    memset(r, 0, sizeof *r);
    if (len > ASFF_AWS_MAX_HTTP_RESPONSE)
        return asff__error_setf(err, ASFF_ERR_LIMIT, "sts: answer larger than %u bytes", ASFF_AWS_MAX_HTTP_RESPONSE);
    memset(&x, 0, sizeof x);
    x.r = r;
    x.p = XML_ParserCreate("UTF-8");
    if (!x.p)
        return asff_error_set(err, ASFF_ERR_NOMEM, "sts: out of memory");
    XML_SetUserData(x.p, &x);
    XML_SetElementHandler(x.p, on_start, on_end);
    XML_SetCharacterDataHandler(x.p, on_text);
    XML_SetStartDoctypeDeclHandler(x.p, on_doctype);
    ok = XML_Parse(x.p, xml ? xml : "", (int)len, XML_TRUE);
    if (ok != XML_STATUS_OK || x.failed != ASFF_OK) {
        unsigned long long off = (unsigned long long)XML_GetCurrentByteIndex(x.p);
        if (x.failed == ASFF_ERR_LIMIT)
            st = asff__error_setf(err, ASFF_ERR_LIMIT, "sts: the XML answer is too deep or a field too long (byte %llu)",
                                 off);
        else if (x.failed == ASFF_ERR_SYNTAX)
            st = asff__error_setf(err, ASFF_ERR_SYNTAX, "sts: the XML answer has a DOCTYPE (byte %llu)", off);
        else if (XML_GetErrorCode(x.p) == XML_ERROR_NO_MEMORY)
            st = asff_error_set(err, ASFF_ERR_NOMEM, "sts: out of memory");
        else
            st = asff__error_setf(err, ASFF_ERR_SYNTAX, "sts: the answer is not XML: %s (line %lu, byte %llu)",
                                 XML_ErrorString(XML_GetErrorCode(x.p)),
                                 (unsigned long)XML_GetCurrentLineNumber(x.p), off);
        if (err)
            err->offset = off;
        OPENSSL_cleanse(r, sizeof *r);
    } else {
        trim(r->key);
        trim(r->secret);
        trim(r->token);
        trim(r->expiration);
        trim(r->account);
        trim(r->arn);
        trim(r->user_id);
        trim(r->code);
        trim(r->message);
        trim(r->request_id);
    }
    XML_ParserFree(x.p);
    return st;
}

/* ---- requests ------------------------------------------------------------------------------------ */

/* Append &key=value, value percent-encoded (RFC 3986 unreserved kept). Secrets may pass through. */
static asff_status form_add(asff_buf *b, const char *key, const char *value)
{
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *p;
    if ((b->len && asff__sbuf_putc(b, '&') != ASFF_OK) || asff__sbuf_puts(b, key) != ASFF_OK ||
        asff__sbuf_putc(b, '=') != ASFF_OK)
        return ASFF_ERR_NOMEM;
    for (p = (const unsigned char *)value; *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || strchr("-._~", *p)) {
            if (asff__sbuf_putc(b, (char)*p) != ASFF_OK)
                return ASFF_ERR_NOMEM;
        } else {
            char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};
            if (asff__sbuf_append(b, e, 3) != ASFF_OK)
                return ASFF_ERR_NOMEM;
        }
    }
    return ASFF_OK;
}

/* A printable, bounded copy of an AWS message (third-party text: never raw to a terminal). */
static void printable(char *dst, size_t size, const char *src)
{
    size_t i, o = 0;
    for (i = 0; src[i] && o + 1 < size; i++)
        dst[o++] = ((unsigned char)src[i] >= 0x20 && (unsigned char)src[i] < 0x7f) ? src[i] : '?';
    dst[o] = '\0';
}

/* POST body to STS in region; signed with `with` unless it is NULL. Fills r on success. */
static asff_status sts_call(asff_aws *a, const asff__creds *with, const char *region, const asff_buf *body,
                            asff__sts_result *r, const char *what, asff_error *err)
{
    char url[ASFF_AWS_MAX_URL + 2];
    const char *headers[8];
    asff_buf hdrs[6], answer;
    size_t nh = 0, i, nadd = 0;
    asff_sigv4 *sig = NULL;
    long status = 0;
    asff_status st;
    st = asff_aws_service_endpoint(a, "sts", region, url, sizeof url - 1, NULL, err);
    if (st != ASFF_OK)
        return st;
    strcat(url, "/");
    for (i = 0; i < 6; i++)
        asff__buf_init(&hdrs[i], a->alloc);
    asff__buf_init(&answer, a->alloc);
    headers[nh++] = "Content-Type: application/x-www-form-urlencoded; charset=utf-8";
    if (with) {
        asff_sigv4_header in[1] = {{"Content-Type", 12, "application/x-www-form-urlencoded; charset=utf-8", 48}};
        asff_sigv4_request req = ASFF_SIGV4_REQUEST_INIT;
        asff_credentials c = {with->key, with->secret, with->token, with->expiration};
        asff_sigv4_options so = ASFF_SIGV4_OPTIONS_INIT;
        const asff_sigv4_header *add;
        req.method = "POST";
        req.url = url;
        req.headers = in;
        req.header_count = 1;
        req.body = body->data;
        req.body_len = body->len;
        so.allocator = a->alloc;
        (void)asff_sigv4_new(&so, &sig, NULL);
        if (!sig) {
            st = asff__error_setf(err, ASFF_ERR_NOMEM, "%s: out of memory", what);
            goto done;
        }
        st = asff_sigv4_sign(sig, &req, &c, region, "sts", 0, err);
        if (st != ASFF_OK)
            goto done;
        add = asff_sigv4_headers(sig, &nadd);
        for (i = 0; i < nadd && i < 6; i++) {
            if (asff__sbuf_append(&hdrs[i], add[i].name, add[i].name_len) != ASFF_OK ||
                asff__sbuf_puts(&hdrs[i], ": ") != ASFF_OK ||
                asff__sbuf_append(&hdrs[i], add[i].value, add[i].value_len) != ASFF_OK ||
                asff__sbuf_putc(&hdrs[i], '\0') != ASFF_OK) {
                st = asff__error_setf(err, ASFF_ERR_NOMEM, "%s: out of memory", what);
                goto done;
            }
            headers[nh++] = hdrs[i].data;
        }
    }
    headers[nh] = NULL;
    st = asff__aws_http(a, "POST", url, headers, body->data, body->len, false, &answer, &status, err, what);
    if (st != ASFF_OK)
        goto done;
    st = asff__sts_parse(answer.data, answer.len, r, err);
    if (st != ASFF_OK) {
        if (status != 200 && st != ASFF_ERR_NOMEM) {
            st = asff__error_setf(err, ASFF_ERR_HTTP, "%s: HTTP %ld from STS", what, status);
            if (err)
                err->http_status = (int)status;
        }
        goto done;
    }
    if (status != 200 || r->is_error) {
        char msg[300];
        printable(msg, sizeof msg, r->message);
        st = asff__error_setf(err, ASFF_ERR_AWS, "%s: STS refused: %s", what, msg[0] ? msg : "(no message)");
        if (err) {
            err->http_status = (int)status;
            printable(err->aws_code, sizeof err->aws_code, r->code);
            printable(err->request_id, sizeof err->request_id, r->request_id);
        }
        OPENSSL_cleanse(r, sizeof *r);
    }
done:
    asff_sigv4_free(sig);
    for (i = 0; i < 6; i++)
        asff__sbuf_cleanup(&hdrs[i]);
    asff__sbuf_cleanup(&answer);
    return st;
}

static asff_status take_result(asff_aws *a, asff__sts_result *r, asff__creds *out, const char *what, asff_error *err)
{
    int64_t exp = 0;
    asff_status st;
    if (!r->key[0] || !r->secret[0])
        st = asff__error_setf(err, ASFF_ERR_SYNTAX, "%s: the STS answer has no credentials", what);
    else if (r->expiration[0] && !asff__parse_iso8601(r->expiration, &exp))
        st = asff__error_setf(err, ASFF_ERR_SYNTAX, "%s: the STS Expiration is not an ISO 8601 time", what);
    else if (asff__creds_set(a, out, r->key, r->secret, r->token, exp) != ASFF_OK)
        st = asff__error_setf(err, ASFF_ERR_NOMEM, "%s: out of memory", what);
    else
        st = ASFF_OK;
    OPENSSL_cleanse(r, sizeof *r);
    return st;
}

asff_status asff__sts_assume_role(asff_aws *a, const asff__creds *with, const char *region, const char *role_arn,
                                  const char *session_name, const char *external_id, long duration,
                                  const char *mfa_serial, const char *mfa_code, asff__creds *out, asff_error *err)
{
    asff_buf body;
    asff__sts_result r;
    asff_status st = ASFF_OK;
    char dur[24];
    const char *what = "sts AssumeRole";
    asff__buf_init(&body, a->alloc);
    snprintf(dur, sizeof dur, "%ld", duration);
    if (form_add(&body, "Action", "AssumeRole") != ASFF_OK || form_add(&body, "Version", STS_VERSION) != ASFF_OK ||
        form_add(&body, "RoleArn", role_arn) != ASFF_OK || form_add(&body, "RoleSessionName", session_name) != ASFF_OK ||
        (external_id && form_add(&body, "ExternalId", external_id) != ASFF_OK) ||
        (duration > 0 && form_add(&body, "DurationSeconds", dur) != ASFF_OK) ||
        (mfa_serial && (form_add(&body, "SerialNumber", mfa_serial) != ASFF_OK ||
                        form_add(&body, "TokenCode", mfa_code ? mfa_code : "") != ASFF_OK)))
        st = asff__error_setf(err, ASFF_ERR_NOMEM, "%s: out of memory", what);
    if (st == ASFF_OK)
        st = sts_call(a, with, region, &body, &r, what, err);
    if (st == ASFF_OK)
        st = take_result(a, &r, out, what, err);
    asff__sbuf_cleanup(&body);
    return st;
}

asff_status asff__sts_web_identity(asff_aws *a, const char *region, const char *role_arn, const char *session_name,
                                   const char *token, asff__creds *out, asff_error *err)
{
    asff_buf body;
    asff__sts_result r;
    asff_status st = ASFF_OK;
    const char *what = "sts AssumeRoleWithWebIdentity";
    asff__buf_init(&body, a->alloc);
    if (form_add(&body, "Action", "AssumeRoleWithWebIdentity") != ASFF_OK ||
        form_add(&body, "Version", STS_VERSION) != ASFF_OK || form_add(&body, "RoleArn", role_arn) != ASFF_OK ||
        form_add(&body, "RoleSessionName", session_name) != ASFF_OK ||
        form_add(&body, "WebIdentityToken", token) != ASFF_OK)
        st = asff__error_setf(err, ASFF_ERR_NOMEM, "%s: out of memory", what);
    if (st == ASFF_OK)
        st = sts_call(a, NULL, region, &body, &r, what, err);
    if (st == ASFF_OK)
        st = take_result(a, &r, out, what, err);
    asff__sbuf_cleanup(&body);
    return st;
}

asff_status asff__sts_caller_identity(asff_aws *a, const asff__creds *with, const char *region,
                                      asff_caller_identity *out, asff_error *err)
{
    asff_buf body;
    asff__sts_result r;
    asff_status st = ASFF_OK;
    const char *what = "sts GetCallerIdentity";
    asff__buf_init(&body, a->alloc);
    if (form_add(&body, "Action", "GetCallerIdentity") != ASFF_OK || form_add(&body, "Version", STS_VERSION) != ASFF_OK)
        st = asff__error_setf(err, ASFF_ERR_NOMEM, "%s: out of memory", what);
    if (st == ASFF_OK)
        st = sts_call(a, with, region, &body, &r, what, err);
    if (st == ASFF_OK) {
        printable(out->account, sizeof out->account, r.account);
        printable(out->arn, sizeof out->arn, r.arn);
        printable(out->user_id, sizeof out->user_id, r.user_id);
        OPENSSL_cleanse(&r, sizeof r);
        if (!out->account[0])
            st = asff__error_setf(err, ASFF_ERR_SYNTAX, "%s: the answer has no Account", what);
    }
    asff__sbuf_cleanup(&body);
    return st;
}

asff_status asff_aws_caller_identity(asff_aws *a, asff_caller_identity *out, asff_error *err)
{
    asff_credentials c;
    asff__creds view;
    asff_status st;
    if (!a || !out)
        return asff__error_setf(err, ASFF_ERR_INVALID_ARG, "aws: no handle or output");
    memset(out, 0, sizeof *out);
    st = asff_aws_credentials(a, 0, &c, err);
    if (st != ASFF_OK)
        return st;
    view.key = (char *)c.access_key_id;
    view.secret = (char *)c.secret_access_key;
    view.token = (char *)c.session_token;
    view.expiration = c.expiration;
    return asff__sts_caller_identity(a, &view, asff__aws_sts_region(a, a->profile), out, err);
}
