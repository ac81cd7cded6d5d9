/*
 * libasff client: Security Hub over HTTPS (libcurl), signed with SigV4 (asff/sigv4.h), configured as the
 * AWS SDKs are (asff/aws.h).
 *
 *  - one libcurl easy handle per client: connections are reused; TLS is always verified (a CA bundle
 *    may be given); proxies come from the usual environment variables (curl reads them); plain http
 *    only when an endpoint override asks for it and options.allow_http is set;
 *  - retries as the SDKs' standard mode: max_attempts (default 3), exponential backoff with full
 *    jitter (base 100 ms, cap 20 s) on throttling, HTTP 429, 5xx, connection resets and timeouts;
 *    never on validation errors;
 *  - a token-bucket rate limiter per operation with Security Hub's documented rates (configurable);
 *  - AWS errors become ASFF_ERR_AWS / ASFF_ERR_THROTTLED / ASFF_ERR_HTTP / ASFF_ERR_NETWORK /
 *    ASFF_ERR_TIMEOUT with err->aws_code, err->message, err->http_status and err->request_id.
 *    Secrets never appear in messages.
 *
 * Every operation of the API takes its input shape as JSON text, as the AWS CLI's --cli-input-json
 * does: members the model binds to the URI or the query string (HubArn, InsightArn, ResourceArn,
 * TagKeys, NextToken of ListMembers, ...) are moved there; the rest is the body. Responses come back
 * as JSON text; asff_parse_object (asff/codec.h) types them when wanted.
 * BatchImportFindings has its own batching importer (asff_importer) and GetFindings a streaming
 * pager (asff_client_get_findings). See docs/client.md.
 *
 * A client is used by one thread at a time; independent clients run in parallel.
 */
#ifndef ASFF_CLIENT_H
#define ASFF_CLIENT_H

#include "asff/core.h"
#include "asff/model.h"
#include "asff/aws.h"
#include "asff/validate.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Security Hub operations the client knows the HTTP binding of (from the model's "http" traits). */
typedef enum asff_operation {
    ASFF_OP_BatchImportFindings = 0,
    ASFF_OP_BatchUpdateFindings,
    ASFF_OP_GetFindings,
    ASFF_OP_GetInsights,
    ASFF_OP_CreateInsight,
    ASFF_OP_UpdateInsight,
    ASFF_OP_DeleteInsight,
    ASFF_OP_GetInsightResults,
    ASFF_OP_CreateActionTarget,
    ASFF_OP_DescribeActionTargets,
    ASFF_OP_UpdateActionTarget,
    ASFF_OP_DeleteActionTarget,
    ASFF_OP_EnableSecurityHub,
    ASFF_OP_DescribeHub,
    ASFF_OP_DisableSecurityHub,
    ASFF_OP_TagResource,
    ASFF_OP_UntagResource,
    ASFF_OP_ListTagsForResource,
    ASFF_OP_CreateMembers,
    ASFF_OP_InviteMembers,
    ASFF_OP_ListMembers,
    ASFF_OP_GetMembers,
    ASFF_OP_DeleteMembers,
    ASFF_OP_AcceptAdministratorInvitation,
    ASFF_OP_GetAdministratorAccount,
    ASFF_OP_GetEnabledStandards,
    ASFF_OP_BatchEnableStandards,
    ASFF_OP_EnableImportFindingsForProduct,
    ASFF_OP_ListEnabledProductsForImport,
    ASFF_OP_ListInvitations,
    ASFF_OP_EnableOrganizationAdminAccount,
    ASFF_OP_UpdateOrganizationConfiguration,
    ASFF_OP_ListOrganizationAdminAccounts,
    ASFF_OP_DescribeOrganizationConfiguration,
    ASFF_OP_COUNT
} asff_operation;

/* The operation's API name ("DescribeHub"), or NULL when op is out of range. */
ASFF_API const char *asff_operation_name(asff_operation op);
/* The operation called name, or -1. */
ASFF_API int asff_operation_find(const char *name);

/* Injectable clock, sleep and random source (tests); NULL members use the system's. */
typedef struct asff_client_hooks {
    uint64_t (*now_ms)(void *ctx);          /* a monotonic clock in milliseconds */
    void (*sleep_ms)(void *ctx, uint64_t ms);
    uint64_t (*random)(void *ctx);          /* uniform 64-bit random numbers (jitter) */
    void *ctx;
} asff_client_hooks;

/* One pacing rule: op (ASFF_OP_COUNT = generic calls) at rate calls/s with a bucket of burst calls;
 * rate 0 = no pacing for op. */
typedef struct asff_rate_limit {
    asff_operation op;
    double rate;
    double burst;
} asff_rate_limit;

/* Client options. Strings are copied. Zero in a number means its default. */
typedef struct asff_client_options {
    unsigned version;                /* ASFF_CLIENT_OPTIONS_VERSION */
    const char *region;              /* NULL: as the SDKs resolve it (asff/aws.h) */
    const char *profile;             /* NULL: AWS_PROFILE or "default" */
    const char *endpoint_url;        /* NULL: AWS_ENDPOINT_URL(_SECURITYHUB), config, else from the region */
    const char *ca_bundle;           /* PEM file of trusted CAs; NULL: the system's */
    bool allow_http;                 /* accept an http:// endpoint override (never a derived endpoint) */
    long connect_timeout_ms;         /* 0 = 10000 */
    long timeout_ms;                 /* whole request, 0 = 60000 */
    unsigned max_attempts;           /* attempts per call including the first, 0 = 3 */
    unsigned backoff_base_ms;        /* 0 = 100 */
    unsigned backoff_cap_ms;         /* 0 = 20000 */
    bool no_rate_limit;              /* do not pace calls on the client side */
    const asff_rate_limit *rate_limits; /* rates replacing the defaults for some operations (copied) */
    size_t rate_limit_count;
    asff_client_hooks hooks;         /* tests: clock, sleep, random */
    const asff_aws_options *aws;     /* further settings for the credentials chain; NULL = defaults */
    const asff_allocator *allocator; /* NULL = libc */
} asff_client_options;

#define ASFF_CLIENT_OPTIONS_VERSION 1
#define ASFF_CLIENT_OPTIONS_INIT {ASFF_CLIENT_OPTIONS_VERSION, NULL, NULL, NULL, NULL, false, 0, 0, 0, 0, 0, \
                                  false, NULL, 0, {NULL, NULL, NULL, NULL}, NULL, NULL}

/* Limits. */
#define ASFF_CLIENT_MAX_RESPONSE (64u * 1024u * 1024u) /* bytes of one response body */
#define ASFF_CLIENT_MAX_ATTEMPTS 20u
/* The batch limits (ASFF_BATCH_MAX_FINDINGS, ASFF_BATCH_MAX_BYTES, ASFF_FINDING_MAX_BYTES) are in
 * asff/validate.h: the importer splits by the same numbers that validation checks. */

typedef struct asff_client asff_client;

/* A new client: resolves region, endpoint and profile now, credentials on the first call.
 * Errors: ASFF_ERR_INVALID_ARG (no region, http endpoint without allow_http, bad options), the
 * errors of asff_aws_new, ASFF_ERR_NOMEM. */
ASFF_NODISCARD ASFF_API asff_status asff_client_new(const asff_client_options *options, asff_client **out, asff_error *err);
/* Free the client and its connection. NULL is allowed. */
ASFF_API void asff_client_free(asff_client *c);
/* The region and endpoint in use; owned by the client. */
ASFF_API const char *asff_client_region(const asff_client *c);
ASFF_API const char *asff_client_endpoint(const asff_client *c);

/* Pace op at rate calls per second with a bucket of burst calls (rate <= 0: no pacing for op; burst
 * must be >= 1 otherwise). op = ASFF_OP_COUNT is the bucket of generic calls (asff_client_call).
 * Defaults (Security Hub quotas): BatchImportFindings, BatchUpdateFindings and every other operation
 * 10/s burst 30; GetFindings 3/s burst 6; BatchEnableStandards 1/s burst 1. */
ASFF_NODISCARD ASFF_API asff_status asff_client_set_rate(asff_client *c, asff_operation op, double rate, double burst);

/* Counters since the client was made. */
typedef struct asff_client_stats {
    uint64_t calls;          /* API calls made (an import batch is one call) */
    uint64_t attempts;       /* HTTP requests sent, retries included */
    uint64_t retries;        /* attempts after the first */
    uint64_t throttled;      /* answers that were throttling errors */
    uint64_t slept_ms;       /* time spent in backoff and in the rate limiter */
} asff_client_stats;
ASFF_API void asff_client_get_stats(const asff_client *c, asff_client_stats *out);

/* A response body: NUL-terminated JSON text, allocated with the client's allocator. */
typedef struct asff_response {
    char *body;
    size_t len;
    int http_status;
    char request_id[ASFF_ERROR_AWS_SIZE];
} asff_response;

/* Free a response's body (with c's allocator) and zero it. */
ASFF_API void asff_response_cleanup(asff_client *c, asff_response *r);

/*
 * Any request (the generic call): method ("GET", "POST", ...), path as sent ("/findings"; percent-
 * encoded by the caller; the endpoint's own path, if any, is put in front), query ("a=1&b=2" or NULL),
 * body (JSON or NULL/0). The request is signed, paced under the bucket of generic calls (10/s, burst
 * 30; asff_client_set_rate with ASFF_OP_COUNT), retried, and a 2xx answer lands in *out (which the
 * caller cleans up). Errors as above; on an error *out holds nothing.
 */
ASFF_NODISCARD ASFF_API asff_status asff_client_call(asff_client *c, const char *method, const char *path, const char *query,
                                      const char *body, size_t body_len, asff_response *out, asff_error *err);

/*
 * One operation with its input shape as JSON text (NULL or "" = {}): URI and query members are bound
 * as the model says, the others form the body. Before sending: ASFF_ERR_SYNTAX when the input is not
 * JSON (or nested deeper than 64 levels), ASFF_ERR_TYPE when it is not an object or a query member is
 * not a scalar, ASFF_ERR_INVALID_ARG when a URI member is missing or not a non-empty string.
 */
ASFF_NODISCARD ASFF_API asff_status asff_client_invoke(asff_client *c, asff_operation op, const char *input, size_t input_len,
                                        asff_response *out, asff_error *err);

/* ---- BatchImportFindings -------------------------------------------------------------------------- */

/* What became of one finding. Strings are valid during the callback only. */
typedef struct asff_import_outcome {
    uint64_t index;              /* 0-based position of the finding in the order it was added */
    const char *id;              /* its Id ("" when it had none) */
    const char *product_arn;     /* its ProductArn ("" when it had none) */
    bool imported;
    const char *error_code;      /* when not imported: ErrorCode from FailedFindings, the AWS error code
                                    of the whole call, or one of libasff's: "FindingTooLarge",
                                    "MissingId", "InvalidJson", "InvalidFinding", "NetworkError",
                                    "Timeout", "HttpError", "InvalidResponse", "Credentials", "Aborted",
                                    "Internal". Texts from the server are redacted of the credentials'
                                    secrets ("<redacted>") */
    const char *error_message;
    unsigned attempts;           /* BatchImportFindings calls that carried this finding */
} asff_import_outcome;

/* Called once per finding added, exactly once. Return 0 to go on; nonzero stops the importer
 * (the current and later calls return ASFF_ERR_ABORTED; the rest are still reported). */
typedef int (*asff_import_fn)(void *ctx, const asff_import_outcome *outcome);

/* Told of an answer that contradicts the batch (FailedFindings Ids not in it or listed twice, counts
 * that disagree); message is one printable line, redacted of secrets, valid during the call. */
typedef void (*asff_import_warn_fn)(void *ctx, const char *message);

typedef struct asff_import_options {
    unsigned version;            /* ASFF_IMPORT_OPTIONS_VERSION (1: the first four members only) */
    size_t max_findings;         /* findings per call, 1..100; 0 = 100 */
    size_t max_body;             /* body bytes per call; 0 = 6,000,000 */
    unsigned resubmit;           /* times a finding failed with a retryable ErrorCode (InternalFailure,
                                    ConcurrentUpdateError, throttling) is sent again; 0 = never */
    bool no_validate;            /* do not check findings with asff_validate before sending; false = check
                                    (a finding with errors is not sent: failed "InvalidFinding") */
    asff_import_warn_fn on_warning; /* NULL = warnings only counted in the stats; called with ctx */
} asff_import_options;

#define ASFF_IMPORT_OPTIONS_VERSION 2
#define ASFF_IMPORT_OPTIONS_INIT {ASFF_IMPORT_OPTIONS_VERSION, 0, 0, 0, false, NULL}

/* Totals of an importer. */
typedef struct asff_import_stats {
    uint64_t added;
    uint64_t imported;
    uint64_t failed;
    uint64_t calls;              /* BatchImportFindings calls that were answered or gave up */
    uint64_t resubmitted;        /* findings sent again after a retryable failure */
    uint64_t invalid;            /* not sent: asff_validate found errors (failed, "InvalidFinding") */
    uint64_t invalid_responses;  /* 2xx answers that did not match BatchImportFindingsResponse */
    uint64_t unknown_ids;        /* FailedFindings entries naming an Id that was not in the batch */
    uint64_t duplicate_ids;      /* FailedFindings entries naming an Id already named */
    uint64_t count_mismatches;   /* answers whose FailedCount/SuccessCount contradict the batch or list */
} asff_import_stats;

typedef struct asff_importer asff_importer;

/* A batching importer on c: it holds at most one batch (<= max_findings, <= max_body) at a time. */
ASFF_NODISCARD ASFF_API asff_status asff_importer_new(asff_client *c, const asff_import_options *options, asff_import_fn on_outcome,
                                       void *ctx, asff_importer **out, asff_error *err);
/*
 * Add one finding (serialized compactly; a finding over ASFF_FINDING_MAX_BYTES bytes is reported
 * failed with "FindingTooLarge" and never sent; unless options.no_validate, one that asff_validate
 * finds errors in is reported failed with "InvalidFinding", each error's rule id and JSON Pointer in
 * the message, and never sent). A full batch is sent first. A finding whose Id is
 * already in the pending batch starts a new batch, so that FailedFindings (which name Ids only)
 * match back to exactly one finding. Returns ASFF_OK even when findings failed (they go to the
 * callback); an error only when the importer cannot go on (ASFF_ERR_NOMEM, ASFF_ERR_ABORTED,
 * ASFF_ERR_CREDENTIALS, ...) - findings affected are still reported, as failed.
 */
ASFF_NODISCARD ASFF_API asff_status asff_importer_add(asff_importer *imp, const asff_AwsSecurityFinding *finding, asff_error *err);
/* The same with the finding as JSON text (one object; it is sent as given, made compact). */
ASFF_NODISCARD ASFF_API asff_status asff_importer_add_json(asff_importer *imp, const char *json, size_t len, asff_error *err);
/* Send what is pending and resubmit retryable failures; after it every finding added was reported. */
ASFF_NODISCARD ASFF_API asff_status asff_importer_flush(asff_importer *imp, asff_error *err);
ASFF_API void asff_importer_get_stats(const asff_importer *imp, asff_import_stats *out);
/* Free; findings still pending are reported as failed ("Internal", "importer freed before flush"). */
ASFF_API void asff_importer_free(asff_importer *imp);

/* ---- BatchUpdateFindings ----------------------------------------------------------------------------- */

/* What became of one finding identifier of a BatchUpdateFindings request. Valid during the callback. */
typedef struct asff_update_outcome {
    uint64_t index;              /* position in FindingIdentifiers */
    const char *id;
    const char *product_arn;
    bool processed;
    const char *error_code;      /* when not processed: from UnprocessedFindings, or the AWS code of the
                                    whole call, or "NotReported" when the answer named it nowhere */
    const char *error_message;
} asff_update_outcome;

typedef int (*asff_update_fn)(void *ctx, const asff_update_outcome *outcome);

/*
 * BatchUpdateFindings with any number of FindingIdentifiers: the request (its input shape as JSON) is
 * sent in calls of at most 100 identifiers, each with the same other members (Note, Severity,
 * Workflow, ...). fn (may be NULL) hears of every identifier exactly once, processed or not. Returns
 * ASFF_OK when every call was answered (identifiers may still be unprocessed), ASFF_ERR_PARTIAL when
 * some calls failed as a whole (their identifiers were reported with the error; an answer that does not
 * match BatchUpdateFindingsResponse, after the retries, is such a failure: "InvalidResponse"), the error
 * itself when the client cannot go on (credentials, memory, a callback that returned nonzero:
 * ASFF_ERR_ABORTED). A malformed request, before anything is sent: ASFF_ERR_SYNTAX (not JSON),
 * ASFF_ERR_LIMIT or ASFF_ERR_UTF8 (too deep, bad UTF-8), ASFF_ERR_INVALID_ARG (no FindingIdentifiers
 * array, an identifier without Id and ProductArn strings: err.path says which). Codes and messages
 * from the server are redacted of the credentials' secrets.
 */
ASFF_NODISCARD ASFF_API asff_status asff_client_batch_update_findings(asff_client *c, const char *request, size_t len,
                                                       asff_update_fn fn, void *ctx, asff_error *err);

/* ---- GetFindings ---------------------------------------------------------------------------------- */

/* Called with each finding, parsed into the generated struct; it lives until the callback returns.
 * Return 0 to go on, nonzero to stop (ASFF_ERR_ABORTED). */
typedef int (*asff_get_findings_fn)(void *ctx, const asff_AwsSecurityFinding *finding);

typedef struct asff_get_findings_options {
    unsigned version;            /* ASFF_GET_FINDINGS_OPTIONS_VERSION */
    const char *filters_json;    /* AwsSecurityFindingFilters as JSON text, or NULL */
    const asff_AwsSecurityFindingFilters *filters; /* typed filters (used when filters_json is NULL) */
    const char *sort_field;      /* SortCriteria: one field, or NULL */
    bool sort_descending;
    unsigned page_size;          /* MaxResults per call, 1..100; 0 = 100 */
    uint64_t max_findings;       /* stop after this many; 0 = all */
} asff_get_findings_options;

#define ASFF_GET_FINDINGS_OPTIONS_VERSION 1
#define ASFF_GET_FINDINGS_OPTIONS_INIT {ASFF_GET_FINDINGS_OPTIONS_VERSION, NULL, NULL, NULL, false, 0, 0}

/* Every finding that matches, page after page (NextToken), each streamed to fn as it is parsed:
 * memory is bounded by a page, not by the result. *count (may be NULL) receives the number delivered.
 * A page that is not {"Findings":[...],"NextToken":string|null} is retried like a 5xx, then an error
 * (ASFF_ERR_TYPE / ASFF_ERR_SYNTAX, aws_code "InvalidResponse") whose message names the page. */
ASFF_NODISCARD ASFF_API asff_status asff_client_get_findings(asff_client *c, const asff_get_findings_options *options,
                                              asff_get_findings_fn fn, void *ctx, uint64_t *count,
                                              asff_error *err);

/* ---- errors --------------------------------------------------------------------------------------- */

/*
 * Map an HTTP answer to a status and fill err: the AWS error code from the x-amzn-ErrorType header
 * (error_type, may be NULL; the part before ':') or the body's "__type" / "code" (the part after '#'),
 * the message from "message" / "Message". 2xx -> ASFF_OK. Throttling codes and 429 ->
 * ASFF_ERR_THROTTLED; other AWS codes -> ASFF_ERR_AWS; no code -> ASFF_ERR_HTTP. Never reads past
 * body_len; a body that is not JSON is fine. request_id may be NULL.
 */
ASFF_NODISCARD ASFF_API asff_status asff_client_parse_error(int http_status, const char *error_type, const char *request_id,
                                             const char *body, size_t body_len, asff_error *err);
/* True for codes the SDKs retry as throttling (ThrottlingException, TooManyRequestsException, ...). */
ASFF_API bool asff_client_is_throttling_code(const char *aws_code);
/* True when a call that ended with err is worth retrying (throttling, 5xx, network, timeout). */
ASFF_API bool asff_client_is_retryable(const asff_error *err);

/* The backoff before retry number attempt (1 = the first retry): a uniform random value in
 * [0, min(cap, base * 2^(attempt-1))] (full jitter), r being a uniform 64-bit random number. */
ASFF_API uint64_t asff_client_backoff_ms(unsigned attempt, unsigned base_ms, unsigned cap_ms, uint64_t r);

/* ---- rollout: Security Hub in every region of every member account ---------------------------------- */

/* A member account: 12 digits and the e-mail address Security Hub's CreateMembers takes. */
typedef struct asff_rollout_member {
    const char *account_id;
    const char *email;
} asff_rollout_member;

/* What happened to one account in one region. Strings are valid during the callback only. */
typedef struct asff_rollout_line {
    const char *account_id;
    const char *region;
    bool administrator;          /* the administrator account's own line */
    bool ok;
    const char *actions;         /* done now, comma-separated: hub-enabled, member-created, invited, accepted,
                                    org-admin-enabled, auto-enable; "" when nothing was needed */
    const char *failed_step;     /* when !ok: assume-role, enable-hub, list-members, create-member, invite,
                                    list-invitations, accept, org-admin, org-config */
    const asff_error *error;     /* when !ok */
} asff_rollout_line;

typedef void (*asff_rollout_callback)(void *ctx, const asff_rollout_line *line);

typedef struct asff_rollout_options {
    unsigned version;                    /* ASFF_ROLLOUT_OPTIONS_VERSION */
    const char *role_name;               /* role assumed in each member account (arn:PARTITION:iam::ID:role/NAME) */
    const char *const *regions;          /* the regions (required) */
    size_t region_count;
    const char *administrator_account;   /* NULL: the account of the base credentials (GetCallerIdentity);
                                            another account is entered through role_name */
    bool organization;                   /* EnableOrganizationAdminAccount + UpdateOrganizationConfiguration
                                            (AutoEnable) instead of invitations */
    const asff_client_options *client;   /* base settings: profile, endpoint, credentials chain; NULL = defaults */
    asff_rollout_callback on_line;       /* one call per account and region; may be NULL */
    void *ctx;
} asff_rollout_options;
#define ASFF_ROLLOUT_OPTIONS_VERSION 1
#define ASFF_ROLLOUT_OPTIONS_INIT {ASFF_ROLLOUT_OPTIONS_VERSION, NULL, NULL, 0, NULL, false, NULL, NULL, NULL}

/*
 * Security Hub's first best practice, idempotently: in each region, enable Security Hub in the
 * administrator account and (assuming role_name) in every member account — already enabled counts as
 * done —, create the members that the administrator lacks, invite those not yet invited, and accept
 * the administrator's invitation from each member (ListInvitations, AcceptAdministratorInvitation).
 * With organization: EnableOrganizationAdminAccount and UpdateOrganizationConfiguration(AutoEnable).
 * A second run finds everything done and changes nothing. ASFF_OK when every line is ok,
 * ASFF_ERR_PARTIAL when some failed (each told to on_line), another status when nothing could start
 * (no regions, no credentials, a malformed account id).
 */
ASFF_NODISCARD ASFF_API asff_status asff_rollout(const asff_rollout_member *members, size_t count, const asff_rollout_options *o,
                                  asff_error *err);

#ifdef __cplusplus
}
#endif
#endif /* ASFF_CLIENT_H */
