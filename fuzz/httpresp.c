/* Fuzz target: what the client reads from the network. The input is an HTTP response as it comes off
 * the wire (header lines, a blank line, the body); the header lines go through the client's header
 * parser, the body through the AWS error-body parser, the BatchImportFindings response parser and
 * the finding compactor, and through the redaction of secrets. Nothing may crash, hang or read out
 * of bounds; results must be consistent; a secret never survives redaction. */
#define _GNU_SOURCE /* memmem */
#include <stdint.h>
#include <string.h>
#include "client/client_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void count_failed(void *ctx, const asff_failed_finding *f)
{
    size_t *n = ctx;
    /* every entry handed out has an Id, a code and a message */
    if (f->id && f->code && f->message)
        (*n)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data, *end = p + size, *body;
    asff_http_headers h;
    asff_error err;
    asff_buf out, id, arn;
    size_t failed = 0;
    asff_status st;
    memset(&h, 0, sizeof h);
    /* header lines up to the first empty one */
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
        asff__http_header_line(&h, p, len);
        p += len;
        if (len <= 2 && (len == 1 || p[-2] == '\r'))
            break;
    }
    body = p;
    if (strlen(h.request_id) >= sizeof h.request_id || strlen(h.error_type) >= sizeof h.error_type)
        __builtin_trap();
    st = asff_client_parse_error(h.status ? h.status : 400, h.error_type, h.request_id, body, (size_t)(end - body), &err);
    if (h.status >= 200 && h.status <= 299) {
        if (st != ASFF_OK)
            __builtin_trap();
    } else if (st != ASFF_ERR_AWS && st != ASFF_ERR_THROTTLED && st != ASFF_ERR_HTTP) {
        __builtin_trap();
    }
    if (strlen(err.message) >= sizeof err.message || strlen(err.aws_code) >= sizeof err.aws_code)
        __builtin_trap();
    (void)asff_client_is_retryable(&err);
    {
        /* redaction: a secret never survives, whatever surrounds it and wherever a copy is cut */
        asff__secrets sec;
        asff_buf red;
        size_t blen = (size_t)(end - body);
        memset(&sec, 0, sizeof sec);
        asff__secrets_add(&sec, NULL, "SECRETTOKEN", 11);
        asff__secrets_add(&sec, NULL, "wJalrXUtnFEMI", 13);
        asff__parse_error(NULL, &sec, h.status ? h.status : 400, h.error_type, h.request_id, body, blen, &err);
        if (strstr(err.message, "SECRETTOKEN") || strstr(err.request_id, "SECRETTOKEN") ||
            strstr(err.aws_code, "SECRETTOKEN"))
            __builtin_trap();
        asff__buf_init(&red, NULL);
        if (asff__redact_buf(&red, body, blen, &sec) == ASFF_OK && red.data &&
            memmem(red.data, red.len, "SECRETTOKEN", 11))
            __builtin_trap();
        asff__buf_cleanup(&red);
        asff__secrets_clear(&sec, NULL);
    }
    {
        asff__import_response r;
        if (asff__import_response_parse(body, (size_t)(end - body), NULL, &r, &err) == ASFF_OK) {
            size_t i;
            for (i = 0; i < r.nfailed; i++)
                count_failed(&failed, &r.failed[i]);
            if (failed != r.nfailed)
                __builtin_trap();
            asff__import_response_free(&r, NULL);
        }
    }
    asff__buf_init(&out, NULL);
    asff__buf_init(&id, NULL);
    asff__buf_init(&arn, NULL);
    if (asff__json_compact_finding(body, (size_t)(end - body), &out, &id, &arn, &err) == ASFF_OK) {
        /* compact output is itself one valid object that compacts to the same bytes */
        asff_buf again, id2, arn2;
        asff__buf_init(&again, NULL);
        asff__buf_init(&id2, NULL);
        asff__buf_init(&arn2, NULL);
        if (asff__json_compact_finding(out.data, out.len, &again, &id2, &arn2, &err) != ASFF_OK ||
            again.len != out.len || memcmp(again.data, out.data, out.len) != 0)
            __builtin_trap();
        asff__buf_cleanup(&again);
        asff__buf_cleanup(&id2);
        asff__buf_cleanup(&arn2);
    }
    asff__buf_cleanup(&out);
    asff__buf_cleanup(&id);
    asff__buf_cleanup(&arn);
    return 0;
}
