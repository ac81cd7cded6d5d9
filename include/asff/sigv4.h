/**
 * @file
 * libasff sigv4: AWS Signature Version 4 (AWS4-HMAC-SHA256), header signing and presigned URLs.
 *
 * The signer is a pure function of (request, credentials, region, service, time): it never reads the
 * clock, the environment or the network. Every stage is kept and can be read back after a call, for
 * tests and for debugging signature mismatches (`asff sign`): canonical request, string to sign,
 * signature, Authorization value and the headers to add. A signer handle caches the derived signing
 * key per (secret, date, region, service) and wipes it (OPENSSL_cleanse) when freed. HMAC and SHA-256
 * come from OpenSSL. See docs/sigv4.md for the canonicalization rules.
 *
 * A handle is used by one thread at a time; independent handles run in parallel.
 */
#ifndef ASFF_SIGV4_H
#define ASFF_SIGV4_H

#include "asff/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/** AWS credentials. Strings are NUL-terminated; session_token NULL or "" means none. Borrowed: the
 * signer copies nothing it does not need and keeps only the derived key (wiped on free). */
typedef struct asff_credentials {
    const char *access_key_id; /**< the access key id */
    const char *secret_access_key; /**< the secret access key */
    const char *session_token; /**< the session token, or NULL */
    int64_t expiration;          /**< Unix seconds when they expire; 0 = never (informational here) */
} asff_credentials;

/** One HTTP header: name and value as pointer + length (need not be NUL-terminated). */
typedef struct asff_sigv4_header {
    const char *name; /**< the header name */
    size_t name_len; /**< bytes in name */
    const char *value; /**< the value */
    size_t value_len; /**< bytes in value */
} asff_sigv4_header;

/**
 * The request to sign. Give either url, or path (+ query). Headers must include Host unless url is
 * given (then the signer signs the host of the url, and adds Host to the headers it returns when the
 * request has none). Headers are signed in the order the canonicalization requires; repeated names
 * are joined with commas in the order given.
 *
 * path: as it goes on the wire ("/findings/import"); with options.encode_path the signer
 * percent-encodes it once more (what AWS wants for every service but S3, and what the AWS test
 * vectors expect), otherwise it is used as is. query: the raw query string without '?', its
 * parameters as sent ("a=1&b=x%20y"); the signer re-encodes each key and value in canonical form.
 */
typedef struct asff_sigv4_request {
    unsigned version;                    /**< ASFF_SIGV4_REQUEST_VERSION */
    const char *method;                  /**< "GET", "POST", ... (NUL-terminated) */
    const char *url;                     /**< "https://host[:port]/path?query" or NULL */
    const char *path;                    /**< used when url is NULL; NULL or "" = "/" */
    size_t path_len; /**< bytes in path */
    const char *query;                   /**< used when url is NULL; NULL = none */
    size_t query_len; /**< bytes in query */
    const asff_sigv4_header *headers; /**< the request's headers */
    size_t header_count; /**< entries in headers */
    const void *body;                    /**< hashed unless payload_hash is given */
    size_t body_len; /**< bytes in body */
    const char *payload_hash;            /**< hex SHA-256 of the body, or "UNSIGNED-PAYLOAD"; NULL = hash body */
} asff_sigv4_request;

#define ASFF_SIGV4_REQUEST_VERSION 1 /**< the current version of asff_sigv4_request (its version field) */
/** Initializer of asff_sigv4_request: the current version, every other field zero (its default). */
#define ASFF_SIGV4_REQUEST_INIT {ASFF_SIGV4_REQUEST_VERSION, NULL, NULL, NULL, 0, NULL, 0, NULL, 0, NULL, 0, NULL}

/** Signer options. Zero (and the INIT macro) gives what AWS's JSON services (Security Hub) want. */
typedef struct asff_sigv4_options {
    unsigned version;            /**< ASFF_SIGV4_OPTIONS_VERSION */
    bool no_normalize_path;      /**< keep dot segments and repeated slashes (S3: true) */
    bool no_double_encode_path;  /**< do not percent-encode the path once more (S3 with encoded paths: true) */
    bool token_after_signing;    /**< add X-Amz-Security-Token after signing, unsigned (some services) */
    bool unsigned_payload;       /**< use UNSIGNED-PAYLOAD as the payload hash (false) */
    bool add_content_sha256;     /**< add and sign X-Amz-Content-Sha256 (false; S3 requires it) */
    const asff_allocator *allocator; /**< NULL = libc */
} asff_sigv4_options;

#define ASFF_SIGV4_OPTIONS_VERSION 1 /**< the current version of asff_sigv4_options (its version field) */
/** Initializer of asff_sigv4_options: the current version, every other field zero (its default). */
#define ASFF_SIGV4_OPTIONS_INIT {ASFF_SIGV4_OPTIONS_VERSION, false, false, false, false, false, NULL}

/** Limits on what the signer accepts (ASFF_ERR_LIMIT beyond them). */
#define ASFF_SIGV4_MAX_HEADERS 256       /**< headers in one request */
#define ASFF_SIGV4_MAX_QUERY_PARAMS 1024 /**< query parameters in one request */
#define ASFF_SIGV4_MAX_PRESIGN_EXPIRES 604800 /**< seconds (7 days), AWS's limit */

/** Opaque handle; made, used and freed by the asff_sigv4_ functions below. */
typedef struct asff_sigv4 asff_sigv4;

/** A new signer in *out; options may be NULL (ASFF_SIGV4_OPTIONS_INIT). ASFF_ERR_INVALID_ARG when the
 * options' version is unknown, ASFF_ERR_NOMEM; *out is NULL on error. */
ASFF_NODISCARD ASFF_API asff_status asff_sigv4_new(const asff_sigv4_options *options, asff_sigv4 **out, asff_error *err);
/** Free the signer, wiping its cached keys and every stage it kept. NULL is allowed. */
ASFF_API void asff_sigv4_free(asff_sigv4 *s);

/**
 * Sign req with creds for region and service at time (Unix seconds, UTC). On success the stages below
 * hold this request's values until the next sign/presign call or free. Errors: ASFF_ERR_INVALID_ARG
 * (missing method, credentials, region, service or Host; malformed url or header name),
 * ASFF_ERR_LIMIT, ASFF_ERR_NOMEM. Messages never contain the secret key or the session token.
 */
ASFF_NODISCARD ASFF_API asff_status asff_sigv4_sign(asff_sigv4 *s, const asff_sigv4_request *req, const asff_credentials *creds,
                                     const char *region, const char *service, int64_t time, asff_error *err);

/**
 * Presign req (query-string signing): the signature goes into the query string with X-Amz-Algorithm,
 * X-Amz-Credential, X-Amz-Date, X-Amz-Expires (1..ASFF_SIGV4_MAX_PRESIGN_EXPIRES), X-Amz-SignedHeaders,
 * X-Amz-Security-Token (signed, when there is one) and X-Amz-Signature. The payload hash follows the
 * rules of asff_sigv4_sign (as botocore's SigV4QueryAuth); set unsigned_payload for S3-style URLs. No
 * header is added (asff_sigv4_headers gives none). Read the result with asff_sigv4_presigned_query/_url.
 */
ASFF_NODISCARD ASFF_API asff_status asff_sigv4_presign(asff_sigv4 *s, const asff_sigv4_request *req, const asff_credentials *creds,
                                        const char *region, const char *service, int64_t time, int64_t expires,
                                        asff_error *err);

/** The stages of the last successful call, NUL-terminated and owned by the signer ("" before any). */
ASFF_API const char *asff_sigv4_canonical_request(const asff_sigv4 *s);
/** The string to sign of the last successful call ("" before any); owned by the signer. */
ASFF_API const char *asff_sigv4_string_to_sign(const asff_sigv4 *s);
/** Lowercase hex HMAC-SHA256 of the string to sign (64 characters). */
ASFF_API const char *asff_sigv4_signature(const asff_sigv4 *s);
/** "x-amz-date;host;..." as signed. */
ASFF_API const char *asff_sigv4_signed_headers(const asff_sigv4 *s);
/** Sign: the Authorization header value ("AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=..."). */
ASFF_API const char *asff_sigv4_authorization(const asff_sigv4 *s);
/** Sign: the headers to add to the request, in this order: Host (only when a url was signed and the
 * request had none), X-Amz-Date (unless the request had one), X-Amz-Security-Token (when there is a
 * token and the request had none), X-Amz-Content-Sha256 (with add_content_sha256), Authorization.
 * Valid until the next call; *count receives their number. */
ASFF_API const asff_sigv4_header *asff_sigv4_headers(const asff_sigv4 *s, size_t *count);
/** Presign: the full canonical query string with the X-Amz-* parameters and X-Amz-Signature. */
ASFF_API const char *asff_sigv4_presigned_query(const asff_sigv4 *s);
/** Presign with a url: scheme://host[:port]/path?query as it should be sent; "" otherwise. */
ASFF_API const char *asff_sigv4_presigned_url(const asff_sigv4 *s);

/* ---- stages as pure functions (no handle) ------------------------------------------------------ */

/** The signing key: HMAC chain "AWS4"+secret -> date (YYYYMMDD) -> region -> service -> "aws4_request". */
ASFF_NODISCARD ASFF_API asff_status asff_sigv4_signing_key(const char *secret_access_key, const char *date, const char *region,
                                            const char *service, unsigned char key[32]);

/** The string to sign for a canonical request: "AWS4-HMAC-SHA256\n<time>\n<scope>\n<hex sha256(creq)>",
 * written NUL-terminated into out[size] (at least 256 bytes for usual region/service names).
 * ASFF_ERR_LIMIT when it does not fit. */
ASFF_NODISCARD ASFF_API asff_status asff_sigv4_make_string_to_sign(const char *canonical_request, size_t len, int64_t time,
                                                    const char *region, const char *service, char *out,
                                                    size_t size);

/** Lowercase hex SHA-256 of len bytes at data into hex[65]. */
ASFF_API void asff_sigv4_sha256_hex(const void *data, size_t len, char hex[65]);

/** Unix seconds -> "YYYYMMDDTHHMMSSZ" in out[17]; and back (ASFF_ERR_INVALID_ARG if malformed). */
ASFF_NODISCARD ASFF_API asff_status asff_sigv4_format_time(int64_t time, char out[17]);
/** "YYYYMMDDTHHMMSSZ" -> Unix seconds in *time; ASFF_ERR_INVALID_ARG if malformed. */
ASFF_NODISCARD ASFF_API asff_status asff_sigv4_parse_time(const char *text, int64_t *time);

#ifdef __cplusplus
}
#endif
#endif /* ASFF_SIGV4_H */
