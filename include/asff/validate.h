/**
 * @file
 * libasff validate: Security Hub's rules for findings (docs/validate.md), and normalization into
 * the canonical form Security Hub stores.
 *
 * asff_validate checks one finding against every rule of docs/reference/rules.md and appends what it finds to
 * a report: errors (Security Hub would reject the finding), warnings (suspicious but accepted) and
 * advice (batch limits the client handles by splitting). Each entry has a stable rule id
 * ("length.Title", "required.Resources.Id", "enum.Severity.Label"), the docs/reference/rules.md id it comes
 * from ("FLD-9"), a JSON Pointer path inside the finding, a message, the limit and the actual value.
 *
 * asff_normalize rewrites a finding into canonical form and records every change in the report.
 *
 * A report is an opaque handle that owns all of its strings; reuse one across findings
 * (asff_report_clear keeps its memory) and validation allocates nothing per finding once warm.
 * A report is used by one thread at a time.
 */
#ifndef ASFF_VALIDATE_H
#define ASFF_VALIDATE_H

#include "asff/model.h"

#ifdef __cplusplus
extern "C" {
#endif

/** How bad a violation is. */
typedef enum asff_level {
    ASFF_LEVEL_ERROR = 1,    /**< Security Hub would reject the finding, or the model forbids it */
    ASFF_LEVEL_WARNING = 2,  /**< accepted, but suspicious */
    ASFF_LEVEL_ADVICE = 3    /**< batch limits: split the request (the client does) */
} asff_level;

/** One violation. Strings are NUL-terminated, owned by the report, valid until clear/free. */
typedef struct asff_violation {
    asff_level level; /**< error, warning or advice */
    const char *rule;        /**< stable rule id: "length.Title" (docs/validate.md) */
    const char *ref;         /**< the docs/reference/rules.md rule: "FLD-9" */
    const char *path;        /**< JSON Pointer inside the finding: "/Resources/0/Id"; "" = whole finding */
    const char *message;     /**< English, one line */
    const char *limit;       /**< the limit broken ("256", "2018-10-08", "SeverityLabel"), or NULL */
    const char *actual;      /**< the actual value or measure ("300", "HIGHEST"), or NULL */
    uint64_t finding;        /**< index of the finding (options.index, or its position in a batch) */
} asff_violation;

/** One change made by asff_normalize. Values are the plain text of the value (strings without
 * quotes, numbers in decimal); NULL = absent. */
typedef struct asff_change {
    const char *rule;        /**< "normalize.timestamp", "normalize.severity_label", ... */
    const char *path;        /**< JSON Pointer inside the finding */
    const char *old_value; /**< the value before, or NULL when absent */
    const char *new_value; /**< the value after, or NULL when removed */
    uint64_t finding; /**< index of the finding (options.index) */
} asff_change;

/** Opaque handle; made, used and freed by the asff_report_ functions below. */
typedef struct asff_report asff_report;

/** A new empty report in *out (alloc NULL = libc). ASFF_ERR_NOMEM; *out is NULL on error. */
ASFF_NODISCARD ASFF_API asff_status asff_report_new(const asff_allocator *alloc, asff_report **out, asff_error *err);
/** Free a report and every string it handed out. NULL is allowed. */
ASFF_API void asff_report_free(asff_report *report);
/** Forget all entries; memory is kept for reuse. */
ASFF_API void asff_report_clear(asff_report *report);
/** Number of violations; errors, warnings and advice among them. */
ASFF_API size_t asff_report_count(const asff_report *report);
/** Number of errors. */
ASFF_API size_t asff_report_errors(const asff_report *report);
/** Number of warnings. */
ASFF_API size_t asff_report_warnings(const asff_report *report);
/** Number of advice entries. */
ASFF_API size_t asff_report_advice(const asff_report *report);
/** Violation i (0 <= i < count) in the order found; NULL when out of range. */
ASFF_API const asff_violation *asff_report_get(const asff_report *report, size_t i);
/** The first violation with this rule id (and path, when path is not NULL), or NULL. */
ASFF_API const asff_violation *asff_report_find(const asff_report *report, const char *rule, const char *path);
/** Append copies of violations[0 .. count) (strings copied into the report; NULL limit and actual
 * stay NULL) and count their levels: the violations another report found, say on another thread
 * (asff validate --jobs). ASFF_ERR_INVALID_ARG for a NULL report (or NULL violations with a count),
 * ASFF_ERR_NOMEM (the report then holds the violations appended before). */
ASFF_NODISCARD ASFF_API asff_status asff_report_add(asff_report *report, const asff_violation *violations, size_t count);
/** Changes recorded by asff_normalize. */
ASFF_API size_t asff_report_change_count(const asff_report *report);
/** Change i (0 <= i < asff_report_change_count), NULL when out of range. */
ASFF_API const asff_change *asff_report_change(const asff_report *report, size_t i);
/**
 * The report as compact JSON:
 * {"errors":N,"warnings":N,"advice":N,"violations":[{"level":"error","rule":...,"ref":...,"path":...,
 *  "message":...,"limit":...,"actual":...,"finding":N}],"changes":[{"rule","path","old","new","finding"}]}
 * (limit/actual/old/new are omitted when NULL). *out is owned by the report, valid until the next
 * call on it; *len (may be NULL) gets its length. ASFF_ERR_NOMEM when an allocation fails.
 */
ASFF_NODISCARD ASFF_API asff_status asff_report_to_json(asff_report *report, const char **out, size_t *len);

/** Short name of a level: "error", "warning", "advice". */
ASFF_API const char *asff_level_name(asff_level level);

/* --- validation ---------------------------------------------------------------------------- */

/** Validation options. Zero in a field means its default. */
typedef struct asff_validate_options {
    unsigned version;            /**< ASFF_VALIDATE_OPTIONS_VERSION */
    bool strict_taxonomy;        /**< TY-8: a Types namespace outside the taxonomy is an error, and an
                                    unknown category of a documented namespace a warning */
    bool skip_size;              /**< do not measure the serialized size (SZ-1/SZ-2) */
    bool skip_service_owned;     /**< no warnings for service-owned members (ID-15, ID-16), e.g. when
                                    checking GetFindings output rather than an import */
    uint64_t index;              /**< recorded as asff_violation.finding */
} asff_validate_options;

#define ASFF_VALIDATE_OPTIONS_VERSION 1 /**< the current version of asff_validate_options (its version field) */
/** Initializer of asff_validate_options: the current version, every other field zero (its default). */
#define ASFF_VALIDATE_OPTIONS_INIT {ASFF_VALIDATE_OPTIONS_VERSION, false, false, false, 0}

/**
 * Check one finding; violations are appended to report (which is not cleared first).
 * options may be NULL (defaults). Returns ASFF_OK when no error was found (warnings allowed),
 * ASFF_ERR_INVALID when at least one error was added, ASFF_ERR_NOMEM or ASFF_ERR_INVALID_ARG.
 */
ASFF_NODISCARD ASFF_API asff_status asff_validate(const asff_AwsSecurityFinding *finding, const asff_validate_options *options,
                                   asff_report *report);

/** BatchImportFindings limits (BI-2, BI-4). */
#define ASFF_BATCH_MAX_FINDINGS 100u       /**< findings per BatchImportFindings call */
#define ASFF_BATCH_MAX_BYTES 6000000u      /**< bytes of one BatchImportFindings body */
#define ASFF_FINDING_MAX_BYTES 245760u     /**< compact JSON bytes of one finding (240 KiB) */

/**
 * Validate count findings as one BatchImportFindings request: each finding (violation.finding = its
 * position), then the batch rules: duplicate (ProductArn, Id) (BI-10, warning), more than 100
 * findings or 6,000,000 bytes (BI-2, BI-4: advice, the client splits), /default findings of several
 * accounts (BI-6, warning), ProductArn Regions that differ (warning: one call goes to one Region).
 * Returns like asff_validate.
 */
ASFF_NODISCARD ASFF_API asff_status asff_validate_batch(const asff_AwsSecurityFinding *const *findings, size_t count,
                                         const asff_validate_options *options, asff_report *report);

/* --- normalization ------------------------------------------------------------------------- */

/** Normalization options. Zero in a field means its default: every step on. */
typedef struct asff_normalize_options {
    unsigned version;            /**< ASFF_NORMALIZE_OPTIONS_VERSION */
    /* The four steps below run by default; each skip_ field turns one off. */
    bool skip_severity;          /**< Severity.Label from Normalized, Normalized from Label (SEV-3/4) */
    bool skip_timestamps;        /**< timestamps to UTC 'Z' with milliseconds (TS-6, TS-10) */
    bool skip_schema_version;    /**< SchemaVersion 2018-10-08 when absent */
    bool skip_dedupe_types;      /**< remove repeated Types entries (TY-7), first one kept */
    bool derive_product;         /**< ProductName, CompanyName, Region from ProductArn when absent */
    bool truncate;               /**< cut strings over their limit (code points; 32767 bytes), with a
                                    warning per cut ("truncated.<path>") */
    uint64_t index;              /**< recorded as asff_change.finding */
} asff_normalize_options;

#define ASFF_NORMALIZE_OPTIONS_VERSION 1 /**< the current version of asff_normalize_options (its version field) */
/** Initializer of asff_normalize_options: the current version, every other field zero (its default). */
#define ASFF_NORMALIZE_OPTIONS_INIT {ASFF_NORMALIZE_OPTIONS_VERSION, false, false, false, false, false, false, 0}

/**
 * Put finding into canonical form. New strings go into the finding's arena. Every change is
 * appended to report (may be NULL). Idempotent: a second call changes nothing. Never turns a valid
 * member into an invalid one. Returns ASFF_OK, ASFF_ERR_NOMEM or ASFF_ERR_INVALID_ARG.
 */
ASFF_NODISCARD ASFF_API asff_status asff_normalize(asff_AwsSecurityFinding *finding, const asff_normalize_options *options,
                                    asff_report *report);

/* --- helpers the rules use ----------------------------------------------------------------- */

/** The severity label of a Normalized value (SEV-3), NULL outside 0..100; and back (SEV-4), -1 when unknown. */
ASFF_API const char *asff_severity_label(int64_t normalized);
/** The Normalized value of a severity label (SEV-4), -1 when unknown. */
ASFF_API int asff_severity_normalized(const char *label);

#ifdef __cplusplus
}
#endif
#endif /* ASFF_VALIDATE_H */
