/**
 * @file
 * libasff aws: where AWS settings come from, as the AWS SDKs resolve them.
 *  - credentials, in the SDKs' order: explicit; environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
 *    AWS_SESSION_TOKEN); shared files (AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials `[name]`,
 *    then AWS_CONFIG_FILE or ~/.aws/config `[profile name]` / `[default]`, profile from AWS_PROFILE or
 *    "default"); container credentials (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI against 169.254.170.2,
 *    or AWS_CONTAINER_CREDENTIALS_FULL_URI, with `AWS_CONTAINER_AUTHORIZATION_TOKEN(_FILE)`); EC2
 *    instance metadata with an IMDSv2 token (AWS_EC2_METADATA_DISABLED,
 *    AWS_EC2_METADATA_SERVICE_ENDPOINT); temporary credentials are refreshed before they expire;
 *  - region: explicit, AWS_REGION, AWS_DEFAULT_REGION, the profile's `region`;
 *  - the Security Hub endpoint: explicit, AWS_ENDPOINT_URL_SECURITYHUB, AWS_ENDPOINT_URL, the profile's
 *    `services` section (securityhub = / endpoint_url = ...), the profile's endpoint_url, else derived
 *    from the region's partition (aws, aws-cn, aws-us-gov), FIPS on request;
 *  - the regions where Security Hub runs (built in, overridable), for "every region".
 *  - further credential sources (botocore's order, see docs/credentials.md): assume role (role_arn with
 *    source_profile chains or credential_source), web identity (AWS_WEB_IDENTITY_TOKEN_FILE /
 *    web_identity_token_file), IAM Identity Center (`sso_session` / `sso_*`), credential_process;
 *  - STS and SSO endpoints configured like Security Hub's (`AWS_ENDPOINT_URL_STS`, `_SSO`, `_SSO_OIDC`).
 * Secrets never appear in error messages. HTTP is libcurl, JSON is yajl, STS XML is expat.
 */
#ifndef ASFF_AWS_H
#define ASFF_AWS_H

#include "asff/sigv4.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- shared config / credentials files ---------------------------------------------------------- */

/**
 * A parsed AWS shared config or credentials file (INI as the SDKs read it): `[section]` headers,
 * `key = value` lines, comments starting with '#' or ';' (also after a value when preceded by
 * whitespace); keys are lowercased (as botocore's configparser does), section names kept. Indented
 * lines after `key =` with an empty value form a sub-section (`s3 =` / `  max_concurrent_requests = 10`),
 * read back as "s3.max_concurrent_requests"; other indented lines continue the previous value (joined
 * with a newline). Keys may also be separated by ':' (configparser). A later duplicate key in a
 * section overrides the earlier; a section that appears twice is merged. A setting before the first
 * section is an error (ASFF_ERR_SYNTAX), as in botocore. Error messages give the line, never its text.
 *
 * Config style (config_style true): `[profile NAME]` is profile NAME, `[default]` is "default",
 * `[profile default]` wins over `[default]`, other sections keep their type prefix ("sso-session x",
 * "services x"); credentials style: `[NAME]` is profile NAME.
 */
typedef struct asff_aws_ini asff_aws_ini;

/** Limits of the parser (ASFF_ERR_LIMIT beyond them). */
#define ASFF_AWS_INI_MAX_SIZE (1024u * 1024u)   /**< bytes of one file */
#define ASFF_AWS_INI_MAX_LINE 8192u             /**< bytes of one line */

/** Parse len bytes. On error *out is NULL and err has the line (and offset) that failed. */
ASFF_NODISCARD ASFF_API asff_status asff_aws_ini_parse(const char *data, size_t len, bool config_style,
                                        const asff_allocator *allocator, asff_aws_ini **out, asff_error *err);
/** Read and parse a file. ASFF_ERR_NOT_FOUND when it does not exist. */
ASFF_NODISCARD ASFF_API asff_status asff_aws_ini_load(const char *path, bool config_style, const asff_allocator *allocator,
                                       asff_aws_ini **out, asff_error *err);
/** Value of key ("region", "s3.max_concurrent_requests") in section (profile name, or "services x"),
 * NULL when absent. Owned by the ini. */
ASFF_API const char *asff_aws_ini_get(const asff_aws_ini *ini, const char *section, const char *key);
/** Sections, in the order first seen. */
ASFF_API size_t asff_aws_ini_section_count(const asff_aws_ini *ini);
/** The name of section index (0 <= index < asff_aws_ini_section_count), NULL beyond; owned by the ini. */
ASFF_API const char *asff_aws_ini_section_name(const asff_aws_ini *ini, size_t index);
/** Free, wiping the values (they may be secrets). NULL is allowed. */
ASFF_API void asff_aws_ini_free(asff_aws_ini *ini);

/* ---- partitions, endpoints, regions --------------------------------------------------------------- */

/** "aws-cn" for cn-*, "aws-us-gov" for us-gov-*, else "aws"; static storage. */
ASFF_API const char *asff_aws_partition(const char *region);
/** The DNS suffix of region's partition: "amazonaws.com.cn" or "amazonaws.com". */
ASFF_API const char *asff_aws_dns_suffix(const char *region);

/** The Security Hub endpoint for region: "https://securityhub.REGION.amazonaws.com" (aws-cn:
 * ".amazonaws.com.cn"); with fips "https://securityhub-fips.REGION.amazonaws.com" where Security Hub
 * has one (us-east-1, us-east-2, us-west-1, us-west-2, us-gov-east-1, us-gov-west-1, as botocore's
 * endpoints.json lists them), else ASFF_ERR_UNSUPPORTED. Written NUL-terminated into out[size]. Region names must be
 * [a-z0-9-]+ (ASFF_ERR_INVALID_ARG). */
ASFF_NODISCARD ASFF_API asff_status asff_securityhub_endpoint(const char *region, bool fips, char *out, size_t size,
                                               asff_error *err);

/** The built-in list of regions where Security Hub runs (commercial, China and GovCloud); static. */
ASFF_API const char *const *asff_securityhub_regions(size_t *count);

/* ---- resolved settings and the credentials chain ---------------------------------------------------- */

/** Which source gave the credentials. */
typedef enum asff_credentials_source {
    ASFF_CREDS_NONE = 0,
    ASFF_CREDS_EXPLICIT = 1,
    ASFF_CREDS_ENVIRONMENT = 2,
    ASFF_CREDS_CREDENTIALS_FILE = 3,     /**< shared credentials file */
    ASFF_CREDS_CONFIG_FILE = 4,          /**< aws_access_key_id in the config file's profile */
    ASFF_CREDS_CONTAINER = 5,            /**< ECS / EKS container endpoint */
    ASFF_CREDS_IMDS = 6,                 /**< EC2 instance metadata (IMDSv2) */
    ASFF_CREDS_ASSUME_ROLE = 7,          /**< STS AssumeRole (role_arn in a profile, or options.role_arn) */
    ASFF_CREDS_WEB_IDENTITY = 8,         /**< STS AssumeRoleWithWebIdentity (token file) */
    ASFF_CREDS_SSO = 9,                  /**< IAM Identity Center GetRoleCredentials */
    ASFF_CREDS_PROCESS = 10              /**< credential_process */
} asff_credentials_source;

/** Asked for the current code of an MFA device (mfa_serial of a role profile): write it NUL-terminated
 * into code[size] and return ASFF_OK; anything else cancels (the status is returned to the caller). */
typedef asff_status (*asff_mfa_callback)(void *ctx, const char *mfa_serial, char *code, size_t size);

/** Options. Every string is copied; NULL means "resolve as the SDKs do". */
typedef struct asff_aws_options {
    unsigned version;                /**< ASFF_AWS_OPTIONS_VERSION */
    const char *profile;             /**< NULL: AWS_PROFILE, else "default" */
    const char *region;              /**< NULL: AWS_REGION, AWS_DEFAULT_REGION, profile's region */
    const char *endpoint_url;        /**< NULL: env / config overrides, else derived from the region */
    const char *access_key_id;       /**< explicit credentials: both key id and secret, or neither */
    const char *secret_access_key; /**< the secret access key that goes with access_key_id */
    const char *session_token; /**< the session token of temporary credentials; NULL: none */
    const char *config_file;         /**< NULL: AWS_CONFIG_FILE, else ~/.aws/config */
    const char *credentials_file;    /**< NULL: AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials */
    const char *regions;             /**< comma-separated list replacing the built-in Security Hub regions */
    bool use_fips;                   /**< FIPS endpoints (also AWS_USE_FIPS_ENDPOINT=true, use_fips_endpoint) */
    bool no_environment;             /**< ignore every environment variable (tests, sandboxes) */
    bool no_container;               /**< skip the container credentials source */
    bool no_imds;                    /**< skip EC2 instance metadata (also AWS_EC2_METADATA_DISABLED=true) */
    long http_timeout_ms;            /**< container / IMDS connect+transfer timeout; 0 = 1000 */
    int64_t refresh_margin;          /**< refresh temporary credentials this many seconds before expiry; 0 = 300 */
    const asff_allocator *allocator; /**< NULL = libc */
    /* Assume this role with the credentials the chain finds (multi-account work): */
    const char *role_arn;            /**< NULL: use the chain's credentials as they are */
    const char *role_session_name;   /**< NULL: "libasff-<unix time>" */
    const char *external_id;         /**< NULL: none */
    asff_mfa_callback mfa_callback;  /**< NULL: a profile with mfa_serial is refused (ASFF_ERR_UNSUPPORTED) */
    void *mfa_ctx; /**< passed back to mfa_callback */
    long process_timeout_ms;         /**< credential_process: 0 = 60000 */
} asff_aws_options;

#define ASFF_AWS_OPTIONS_VERSION 1 /**< the current version of asff_aws_options (its version field) */
/** Initializer of asff_aws_options: the current version, every other field zero (its default). */
#define ASFF_AWS_OPTIONS_INIT {ASFF_AWS_OPTIONS_VERSION, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, \
                               false, false, false, false, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL, 0}

/** Limits. */
#define ASFF_AWS_MAX_HTTP_RESPONSE (64u * 1024u) /**< bytes of a container / IMDS answer */
#define ASFF_AWS_MAX_URL 2048u                   /**< bytes of an endpoint URL */
#define ASFF_AWS_MAX_ROLE_CHAIN 16u              /**< profiles in one role_arn/source_profile chain */

/** Opaque handle; made, used and freed by the asff_aws_ functions below. */
typedef struct asff_aws asff_aws;

/**
 * Resolve profile, region and endpoint settings now (reading the environment and the shared files;
 * a missing file is not an error, a malformed one is ASFF_ERR_SYNTAX with the file and line in the
 * message; a profile named by options.profile or AWS_PROFILE that is in neither file is
 * ASFF_ERR_NOT_FOUND; a malformed region or endpoint URL is ASFF_ERR_INVALID_ARG). Credentials are
 * resolved lazily by asff_aws_credentials. options may be NULL. Container, IMDS and SSO credentials
 * use libcurl, which libasff opens (and initializes, once, thread-safely) at the first request; where
 * it cannot be loaded those sources fail with ASFF_ERR_UNSUPPORTED.
 */
ASFF_NODISCARD ASFF_API asff_status asff_aws_new(const asff_aws_options *options, asff_aws **out, asff_error *err);
/** Free, wiping every secret held. NULL is allowed. */
ASFF_API void asff_aws_free(asff_aws *a);

/** The profile in use ("default" if none was named); owned by the handle. */
ASFF_API const char *asff_aws_profile(const asff_aws *a);
/** The resolved region, or NULL when no source named one. */
ASFF_API const char *asff_aws_region(const asff_aws *a);
/** A value of the active profile: the credentials file's section first for aws_* keys, the config file
 * otherwise ("output", "s3.addressing_style"); NULL when absent. */
ASFF_API const char *asff_aws_profile_get(const asff_aws *a, const char *key);

/**
 * The Security Hub endpoint URL for region (NULL = the resolved region) into out[size]: an override
 * when one is configured (the same for every region), else asff_securityhub_endpoint with the FIPS
 * setting. ASFF_ERR_INVALID_ARG when there is no region at all. *is_override (may be NULL) tells
 * whether it came from an override (plain http is allowed only then).
 */
ASFF_NODISCARD ASFF_API asff_status asff_aws_endpoint(const asff_aws *a, const char *region, char *out, size_t size,
                                       bool *is_override, asff_error *err);

/**
 * The endpoint of service ("securityhub", "sts", "sso" (the IAM Identity Center portal) or "sso-oidc")
 * as the SDKs configure it: unless AWS_IGNORE_CONFIGURED_ENDPOINT_URLS (or the profile's
 * ignore_configured_endpoint_urls) is true, AWS_ENDPOINT_URL_<SERVICE> (SECURITYHUB, STS, SSO,
 * SSO_OIDC), AWS_ENDPOINT_URL, the profile's `services` section (`sts = ` / `  endpoint_url = ...`),
 * the profile's endpoint_url; else derived from region (NULL = the resolved region; STS and SSO fall
 * back to us-east-1): https://sts.REGION.amazonaws.com, https://portal.sso.REGION..., https://oidc.REGION...
 * (sts-fips / securityhub-fips with FIPS). For "securityhub", options.endpoint_url comes first.
 */
ASFF_NODISCARD ASFF_API asff_status asff_aws_service_endpoint(const asff_aws *a, const char *service, const char *region, char *out,
                                               size_t size, bool *is_override, asff_error *err);

/** The regions for "every region": options.regions when given, else the built-in list for the
 * partition of the resolved region (all of aws when there is none). Owned by the handle. */
ASFF_API const char *const *asff_aws_regions(const asff_aws *a, size_t *count);

/**
 * Current credentials, walking the chain on first use and again when the cached ones expire within
 * refresh_margin of now (Unix seconds; 0 = the system clock). The strings in *out are owned by the
 * handle and valid until the next call (by any thread: threads sharing a handle copy them before
 * another thread may call) or free. ASFF_ERR_CREDENTIALS when no source has any (the
 * message lists what was tried), ASFF_ERR_NETWORK / ASFF_ERR_TIMEOUT / ASFF_ERR_SYNTAX when a source
 * that was configured failed. Never prints; secrets never appear in err.
 */
ASFF_NODISCARD ASFF_API asff_status asff_aws_credentials(asff_aws *a, int64_t now, asff_credentials *out, asff_error *err);
/** Where the current credentials came from (ASFF_CREDS_NONE before the first success). */
ASFF_API asff_credentials_source asff_aws_credentials_source(const asff_aws *a);
/** A short name for a source: "explicit", "environment", "credentials-file", "config-file",
 * "container", "imds", "assume-role", "web-identity", "sso", "process", "none". */
ASFF_API const char *asff_credentials_source_name(asff_credentials_source source);

/** Who the current credentials belong to (STS GetCallerIdentity). */
typedef struct asff_caller_identity {
    char account[16];    /**< 12 digits */
    char arn[512]; /**< the ARN of the caller (user or assumed role) */
    char user_id[256]; /**< the unique id of the caller */
} asff_caller_identity;

/** Ask STS GetCallerIdentity with the current credentials (in the resolved region's STS endpoint, or
 * the configured STS endpoint). ASFF_ERR_AWS with aws_code/request id when STS refuses. */
ASFF_NODISCARD ASFF_API asff_status asff_aws_caller_identity(asff_aws *a, asff_caller_identity *out, asff_error *err);

/** A short text saying where the credentials came from beyond the source ("role arn:aws:iam::1:role/B
 * via profile b", "process of profile p", ...), "" when there is nothing more; owned by the handle,
 * never holds a secret. */
ASFF_API const char *asff_aws_credentials_detail(const asff_aws *a);

#ifdef __cplusplus
}
#endif
#endif /* ASFF_AWS_H */
