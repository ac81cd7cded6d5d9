/* Internal pieces of lib/aws shared between its files: the handle, the credential providers' common
 * shape, HTTP, JSON credential answers and STS. */
#ifndef ASFF_AWS_INTERNAL_H
#define ASFF_AWS_INTERNAL_H

#include <pthread.h>
#include <yajl/yajl_tree.h>
#include "asff/aws.h"
#include "core/internal.h"

/* True when the ini has the section (config style: `[profile NAME]` or, for default, `[default]`). */
bool asff__aws_ini_has_section(const asff_aws_ini *ini, const char *section);

/* Region names: [a-z0-9-]{1,64}, not starting or ending with a dash. */
bool asff__aws_valid_region(const char *region);

/* One set of credentials; strings are wiped-on-free copies (asff__sbuf_strdup). */
typedef struct asff__creds {
    char *key, *secret, *token;
    int64_t expiration;            /* Unix seconds, 0 = does not expire */
} asff__creds;

struct asff_aws {
    const asff_allocator *alloc;
    asff_aws_options opt;      /* strings below are the handle's own copies */
    char *profile;
    char *region;
    char *endpoint;            /* Security Hub override, NULL when derived */
    char *config_path;
    char *credentials_path;
    asff_aws_ini *config;
    asff_aws_ini *credentials;
    bool fips;
    char *role_arn, *role_session_name, *external_id;   /* options.role_* copies */
    asff__creds explicit_creds;
    /* The cache: current credentials and the previous ones (kept one refresh longer, so a thread
     * that read them just before a refresh never sees freed memory). */
    pthread_mutex_t lock;
    bool lock_ready;
    asff__creds cur, prev;
    asff_credentials_source source;
    char detail[600];
    /* regions for "every region" */
    const char **regions;
    size_t nregions;
    char *regions_store;
};

/* A credential provider: fills out for profile and returns ASFF_OK, ASFF_ERR_NOT_FOUND when it is not
 * configured there (the chain goes on), or the error of a configured source that failed. detail
 * (size ASFF__DETAIL) may be given a short description without secrets. */
#define ASFF__DETAIL 600u
typedef asff_status (*asff__provider_fn)(asff_aws *a, const char *profile, asff__creds *out, char *detail,
                                         asff_error *err);

asff_status asff__creds_env(asff_aws *a, const char *profile, asff__creds *out, char *detail, asff_error *err);
asff_status asff__creds_profile_keys(asff_aws *a, const char *profile, asff__creds *out, char *detail,
                                     asff_error *err);
asff_status asff__creds_config_keys(asff_aws *a, const char *profile, asff__creds *out, char *detail,
                                    asff_error *err);
asff_status asff__creds_assume_role(asff_aws *a, const char *profile, asff__creds *out, char *detail,
                                    asff_error *err);
asff_status asff__creds_web_identity(asff_aws *a, const char *profile, asff__creds *out, char *detail,
                                     asff_error *err);
asff_status asff__creds_web_identity_profile(asff_aws *a, const char *profile, asff__creds *out, char *detail,
                                             asff_error *err);
asff_status asff__creds_sso(asff_aws *a, const char *profile, asff__creds *out, char *detail, asff_error *err);
asff_status asff__creds_process(asff_aws *a, const char *profile, asff__creds *out, char *detail, asff_error *err);
asff_status asff__creds_container(asff_aws *a, const char *profile, asff__creds *out, char *detail,
                                  asff_error *err);
asff_status asff__creds_imds(asff_aws *a, const char *profile, asff__creds *out, char *detail, asff_error *err);

/* The credentials of a profile at the base of a role chain (source_profile): static keys, web
 * identity, SSO, credential_process, in botocore's order; NOT_FOUND when it has none. */
asff_status asff__creds_profile_source(asff_aws *a, const char *profile, asff__creds *out, char *detail,
                                       asff_error *err);

/* Credentials helpers. set: copies (token may be NULL or empty); NOMEM leaves out cleared. */
asff_status asff__creds_set(const asff_aws *a, asff__creds *out, const char *key, const char *secret,
                            const char *token, int64_t expiration);
void asff__creds_clear(const asff_aws *a, asff__creds *c);

/* Settings helpers. */
const char *asff__aws_env(const asff_aws *a, const char *name);   /* NULL: unset, empty or ignored */
bool asff__aws_is_true(const char *v);
/* A key of profile: the credentials file's section first, then the config file's. */
const char *asff__aws_prof_get(const asff_aws *a, const char *profile, const char *key);
bool asff__aws_profile_exists(const asff_aws *a, const char *profile);
/* "~/x" -> "$HOME/x" (a wiped-on-free string); NULL when out of memory or no HOME. */
char *asff__aws_expand_home(const asff_aws *a, const char *path);
/* The region STS and SSO calls use when none is configured. */
const char *asff__aws_sts_region(const asff_aws *a, const char *profile);

/* Read a small file (a token) into a wiped buffer, trailing white space cut; ASFF_ERR_IO naming the
 * path (never the content). */
asff_status asff__aws_read_token_file(const asff_aws *a, const char *path, asff_buf *out, const char *what,
                                      asff_error *err);

/* One HTTP request. headers: "Name: value" strings, NULL-terminated (may be NULL). body may be NULL.
 * link_local: never through a proxy (metadata endpoints). The answer (at most
 * ASFF_AWS_MAX_HTTP_RESPONSE bytes) goes into out, a wiped buffer; *status is the HTTP status (0 when
 * there was no answer). Returns ASFF_ERR_NETWORK/TIMEOUT/LIMIT/NOMEM or ASFF_OK. */
asff_status asff__aws_http(const asff_aws *a, const char *method, const char *url, const char *const *headers,
                           const char *body, size_t body_len, bool link_local, asff_buf *out, long *status,
                           asff_error *err, const char *what);

/* "2026-11-27T22:00:00Z" (also with fractional seconds) -> Unix seconds. */
bool asff__parse_iso8601(const char *s, int64_t *out);

/* JSON answers: parse text[len] with the core reader (limits, caller's allocator). On error the
 * message names what and the position, never the content. Free with asff__json_free. */
asff_status asff__aws_json(const asff_aws *a, const char *text, size_t len, yajl_val *out, const char *what,
                           asff_error *err);
const char *asff__json_str(yajl_val obj, const char *name);
/* Credentials from a JSON object: names of the key id, secret, token and expiration members; the
 * expiration is ISO 8601 text, or (ms_number) a number of milliseconds. The tree's copies of the
 * secrets are wiped. */
asff_status asff__creds_from_json(const asff_aws *a, yajl_val obj, const char *const names[4], bool ms_number,
                                  asff__creds *out, const char *what, asff_error *err);
/* The answer of the container endpoint or IMDS: an object of AccessKeyId, SecretAccessKey, Token and
 * Expiration, where a "Code" other than "Success" is a refusal. */
asff_status asff__creds_from_meta(const asff_aws *a, const char *text, size_t len, asff__creds *out, const char *what,
                                  asff_error *err);

/* ---- STS ---- */
/* What an STS answer holds (the fields wanted; each bounded). */
#define ASFF__STS_FIELD 2048u
typedef struct asff__sts_result {
    char key[128], secret[256], expiration[64];
    char token[ASFF__STS_FIELD];
    char account[16], arn[512], user_id[256];
    char code[64], message[512], request_id[64];
    bool is_error;
} asff__sts_result;
/* Parse an STS Query answer (XML) with expat: only the fields above, depth <= 16, size <= 64 KiB, no
 * DOCTYPE. ASFF_ERR_SYNTAX/LIMIT with the byte offset. Wipe r with OPENSSL_cleanse after use. */
asff_status asff__sts_parse(const char *xml, size_t len, asff__sts_result *r, asff_error *err);

asff_status asff__sts_assume_role(asff_aws *a, const asff__creds *with, const char *region, const char *role_arn,
                                  const char *session_name, const char *external_id, long duration,
                                  const char *mfa_serial, const char *mfa_code, asff__creds *out, asff_error *err);
asff_status asff__sts_web_identity(asff_aws *a, const char *region, const char *role_arn, const char *session_name,
                                   const char *token, asff__creds *out, asff_error *err);
asff_status asff__sts_caller_identity(asff_aws *a, const asff__creds *with, const char *region,
                                      asff_caller_identity *out, asff_error *err);

/* ---- SSO cache ---- */
/* The cache file name of the AWS CLI: lowercase hex SHA-1 of key (session name or start URL) + ".json". */
void asff__sso_cache_name(const char *key, char out[46]);
/* The fields of a cached SSO token (pointers into tree). */
typedef struct asff__sso_token {
    const char *access_token, *expires_at, *refresh_token, *client_id, *client_secret;
} asff__sso_token;
asff_status asff__sso_token_read(yajl_val tree, asff__sso_token *t, asff_error *err);

#endif
