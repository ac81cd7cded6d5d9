/* Internal pieces of the Security Hub client, shared with its fuzz target; not installed. */
#ifndef ASFF_CLIENT_INTERNAL_H
#define ASFF_CLIENT_INTERNAL_H

#include <stdarg.h>
#include "asff/client.h"
#include "core/internal.h"
#include "core/json.h"

/* What the client keeps of a response's header lines. */
typedef struct asff_http_headers {
    int status;                          /* from the status line, 0 before one */
    char request_id[ASFF_ERROR_AWS_SIZE];
    char error_type[ASFF_ERROR_AWS_SIZE];
} asff_http_headers;

/* Feed one header line as curl delivers it ("HTTP/1.1 429 ...\r\n", "x-amzn-RequestId: abc\r\n").
 * A status line starts a new response (interim 100 answers, redirects). Lines of any bytes are fine. */
void asff__http_header_line(asff_http_headers *h, const char *line, size_t len);

/* Secrets of the credentials in use, redacted from every text that came from a server (issue 19):
 * the secret key, the session token, and whatever else a credentials source adds. */
#define ASFF__MAX_SECRETS 8u
#define ASFF__REDACTED "<redacted>"
typedef struct asff__secrets {
    char *v[ASFF__MAX_SECRETS];   /* owned copies, wiped when dropped */
    size_t len[ASFF__MAX_SECRETS];
    size_t n;
} asff__secrets;

/* Remember a secret (copied with alloc; one already held is not added twice; shorter than 4 bytes is
 * ignored: redacting it would mangle every text). When full, the oldest is wiped and dropped. */
asff_status asff__secrets_add(asff__secrets *s, const asff_allocator *alloc, const char *secret, size_t len);
/* Wipe and free every secret. */
void asff__secrets_clear(asff__secrets *s, const asff_allocator *alloc);
/* Copy src[len] into dst[size] (NUL-terminated, truncated) with every secret replaced by <redacted>;
 * a truncated copy that ends in the start of a secret loses that start too. s may be NULL. */
size_t asff__redact_into(char *dst, size_t size, const char *src, size_t len, const asff__secrets *s);
/* The same, appended to out (no truncation). */
asff_status asff__redact_buf(asff_buf *out, const char *src, size_t len, const asff__secrets *s);
/* A failed finding's server code and message (both non-NULL) redacted into cb and mb, and pointed
 * there; out of memory: a fixed "Internal" outcome instead, the server's text withheld. */
void asff__redact_outcome(asff_buf *cb, asff_buf *mb, const char **code, const char **message,
                          const asff__secrets *s);
/* Redact the text fields of err in place (message, path, aws_code, request_id). */
void asff__redact_error(asff_error *err, const asff__secrets *s);
/* The code an item (a finding, an identifier) fails with when its whole call failed with st: the
 * AWS code, else one of libasff's (NetworkError, Timeout, HttpError, Aborted, Credentials, Internal). */
const char *asff__call_code(asff_status st, const asff_error *e);
/* A warning about a server's answer as one printable line: vsnprintf(fmt, ap) into line[size], redacted
 * of the secrets, every byte outside printable ASCII replaced by '?' (it may quote the server). */
void asff__warning_line(char *line, size_t size, const asff__secrets *s, const char *fmt, va_list ap)
    ASFF_PRINTF(4, 0);

/* One entry of FailedFindings. Strings point into the parsed tree (valid until it is freed). */
typedef struct asff_failed_finding {
    const char *id;
    const char *code;
    const char *message;
} asff_failed_finding;

/* A BatchImportFindings response checked against its shape (model: FailedCount and SuccessCount
 * integers >= 0, FailedFindings a list of {Id, ErrorCode, ErrorMessage} strings). */
typedef struct asff__import_response {
    int64_t failed_count;
    int64_t success_count;
    asff_failed_finding *failed;  /* the FailedFindings entries (strings in tree) */
    size_t nfailed;
    yajl_val tree;
} asff__import_response;

/* Parse and check a BatchImportFindings response body (asff__json_parse: depth and size limited).
 * ASFF_ERR_SYNTAX / ASFF_ERR_UTF8 / ASFF_ERR_LIMIT / ASFF_ERR_TRUNCATED when it is not JSON,
 * ASFF_ERR_TYPE when it does not match the shape (err.path: the culprit), ASFF_ERR_NOMEM. On an
 * error *out holds nothing. */
asff_status asff__import_response_parse(const char *body, size_t len, const asff_allocator *alloc,
                                        asff__import_response *out, asff_error *err);
void asff__import_response_free(asff__import_response *r, const asff_allocator *alloc);

/* asff_client_parse_error on alloc, with the message redacted of secrets (s may be NULL). */
asff_status asff__parse_error(const asff_allocator *alloc, const asff__secrets *s, int http_status,
                              const char *error_type, const char *request_id, const char *body, size_t body_len,
                              asff_error *err);

/* Compact one JSON object (kept verbatim otherwise: numbers as written, member order, unknown members)
 * into out, and copy its top-level "Id" and "ProductArn" strings (when they are strings) into the
 * NUL-terminated buffers given. ASFF_ERR_SYNTAX / ASFF_ERR_TYPE (not one object) / ASFF_ERR_UTF8. */
asff_status asff__json_compact_finding(const char *json, size_t len, asff_buf *out, asff_buf *id,
                                      asff_buf *product_arn, asff_error *err);

#include "http/libcurl.h"
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>
#include "asff/sigv4.h"

/* A token bucket (rate calls/s, burst calls). */
typedef struct asff_bucket {
    double rate, burst, tokens;
    uint64_t last_ms;
    bool started;
} asff_bucket;

struct asff_client {
    const asff_allocator *alloc;
    asff_aws *aws;
    asff_sigv4 *signer;
    CURL *curl;
    char *region;
    char *endpoint;
    bool https;
    asff_buf host;       /* host[:port] as sent in Host */
    asff_buf base_url;   /* scheme://host[:port] */
    asff_buf base_path;  /* the endpoint's own path, without a trailing slash ("" mostly) */
    asff_client_hooks hooks;
    uint64_t rng;
    unsigned max_attempts, base_ms, cap_ms;
    asff_bucket buckets[ASFF_OP_COUNT + 1]; /* the last: generic calls */
    asff_client_stats stats;
    asff_http_headers headers;
    asff_buf response;
    bool response_too_large;
    char curl_error[CURL_ERROR_SIZE];
    asff__secrets secrets; /* of the credentials used so far: redacted from what servers say */
};

/* The endpoint's path prefix, never NULL. */
#define ASFF_BASE_PATH(c) ((c)->base_path.data ? (c)->base_path.data : "")

/* One API call with retries and pacing under bucket op (ASFF_OP_COUNT = generic); path is complete
 * (base path included), query raw or NULL. */
asff_status asff__client_send(asff_client *c, int op, const char *method, const char *path, const char *query,
                             const char *body, size_t body_len, asff_response *out, asff_error *err);

/* A check of a 2xx answer's body (the operation's response shape): not ASFF_OK makes the attempt
 * fail like a 5xx, retried (ASFF_ERR_NOMEM is not retried); err.aws_code is then "InvalidResponse". */
typedef asff_status (*asff__check_fn)(void *ctx, const char *body, size_t len, asff_error *err);

/* asff__client_send with check applied to every 2xx answer (check may be NULL). */
asff_status asff__client_send_checked(asff_client *c, int op, const char *method, const char *path,
                                      const char *query, const char *body, size_t body_len, asff__check_fn check,
                                      void *check_ctx, asff_response *out, asff_error *err);
/* ---- requests of any operation (reqcheck.c, call.c) ---- */
#include "client/ops_tables.h"

/* A request bound from an input shape: path from the URI template (no endpoint prefix), query string,
 * body (empty with has_body false when the model's input has no body members). */
typedef struct asff__request {
    asff_buf path, query, body;
    bool has_body;
} asff__request;

/* The table row of an operation by API name, or NULL. */
const asff__op *asff__op_find(const char *name);
/* Check input (JSON text; NULL/blank = {}) against op's input shape and bind it. ovr_member (may be
 * NULL) is a top-level string member set to ovr_value whatever the input says (a pager's token).
 * ASFF_ERR_INVALID_ARG with err->path at the culprit. On error req holds nothing. */
asff_status asff__request_build(const asff__op *op, const char *input, size_t len, const char *ovr_member,
                                const char *ovr_value, const asff_allocator *alloc, asff__request *req,
                                asff_error *err);
void asff__request_cleanup(asff__request *req);
/* Send a built request under op's rate bucket. */
asff_status asff__request_send(asff_client *c, const asff__op *op, const asff__request *req, asff_response *out,
                               asff_error *err);

/* Write a yajl tree value with g (numbers as written). False when g refuses (depth, memory). */
bool asff__client_gen_value(yajl_gen g, yajl_val v);

#endif
