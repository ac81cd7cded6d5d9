/**
 * @file
 * libasff filter engine: Security Hub's AwsSecurityFindingFilters, SortCriteria, insights
 * (GetInsightResults), the managed-insight catalog and automation rules (V1), evaluated locally.
 *
 * Semantics follow docs/filter.md (which cites the FS-/AR- rules of docs/reference/filter-semantics.md):
 *  - different attributes AND; String/Map positives (EQUALS, PREFIX, CONTAINS) OR, negatives
 *    (NOT_EQUALS, PREFIX_NOT_EQUALS, NOT_CONTAINS) AND; Number/Date/Ip/Boolean entries OR;
 *  - array paths match when any element matches a positive entry, and fail when any element matches
 *    the positive form of a negative entry;
 *  - values are case-sensitive and compared by bytes (UTF-8 code point order).
 * A compiled filter is immutable: asff_filter_match may run on one filter from several threads.
 */
#ifndef ASFF_FILTER_H
#define ASFF_FILTER_H

#include "asff/object.h"
#include "asff/model.h"
#include "asff/codec.h"   /* asff_projection */

#ifdef __cplusplus
extern "C" {
#endif

/* ---- filters ------------------------------------------------------------------------------- */

/** Which kind of filter is compiled: the two differ where docs/reference/filter-semantics.md says so (FS-13, FS-22, FS-23). */
typedef enum asff_filter_mode {
    ASFF_FILTER_FINDINGS = 0,   /**< GetFindings / insights: all 104 attributes, no CONTAINS */
    ASFF_FILTER_RULE = 1        /**< automation-rule criteria: 38 attributes, CONTAINS/NOT_CONTAINS allowed */
} asff_filter_mode;

/** Filter options. Zero in a field means its default. */
typedef struct asff_filter_options {
    unsigned version;                 /**< ASFF_FILTER_OPTIONS_VERSION */
    asff_filter_mode mode; /**< ASFF_FILTER_FINDINGS (default) or ASFF_FILTER_RULE */
    bool local;                       /**< lift the service limits (10 attributes, 20/100 entries per attribute) */
    bool negative_absent_fails;       /**< FS-30: by default a negative entry holds when the field is absent;
                                         true makes it fail there instead */
    bool allow_contains;              /**< FS-13: accept CONTAINS/NOT_CONTAINS in findings mode (default false) */
    bool has_now;                     /**< now_seconds is set; DateRange entries need it */
    int64_t now_seconds;              /**< "now" for DateRange, seconds since 1970-01-01T00:00:00Z */
    const asff_allocator *allocator;  /**< NULL = libc */
} asff_filter_options;

#define ASFF_FILTER_OPTIONS_VERSION 1 /**< the current version of asff_filter_options (its version field) */
/** Initializer of asff_filter_options: the current version, every other field zero (its default). */
#define ASFF_FILTER_OPTIONS_INIT {ASFF_FILTER_OPTIONS_VERSION, ASFF_FILTER_FINDINGS, false, false, false, false, 0, NULL}

/** Opaque handle; made, used and freed by the asff_filter_ functions below. */
typedef struct asff_filter asff_filter;

/**
 * Compile an AwsSecurityFindingFilters JSON object (json[len], the value of --filters; a request body
 * {"Filters": {...}, ...} is accepted too, with only request members beside Filters: SortCriteria,
 * NextToken, MaxResults, Name, GroupByAttribute, InsightArn). options may be NULL (defaults). On error
 * *out is NULL and err (may be NULL) holds ASFF_ERR_FILTER, or for the text ASFF_ERR_SYNTAX (also a
 * string holding U+0000 and a raw NUL byte), ASFF_ERR_TRUNCATED, ASFF_ERR_UTF8, ASFF_ERR_DUPLICATE (a
 * member twice), ASFF_ERR_LIMIT (nesting beyond 64 levels, text beyond 16 MiB); ASFF_ERR_UNSUPPORTED
 * for Keyword; ASFF_ERR_NOMEM; with a message naming the attribute and a JSON Pointer into the filter
 * document. The filter owns everything it needs; free it with asff_filter_free.
 */
ASFF_NODISCARD ASFF_API asff_status asff_filter_compile(const char *json, size_t len, const asff_filter_options *options,
                                         asff_filter **out, asff_error *err);
/** True when finding (an asff_AwsSecurityFinding) passes the filter. Allocates nothing; an empty
 * filter matches everything; NULL or an object of another type: false. */
ASFF_API bool asff_filter_match(const asff_filter *filter, const asff_AwsSecurityFinding *finding);
/**
 * A cheap test on raw JSON text (one or more whole findings, e.g. an NDJSON line) before parsing it:
 * false only when no finding in the text can pass, because some attribute is tested only by positive
 * String or Map comparisons and none of their values occurs in the text, and no escape in the text
 * could spell one (`\u`; `\/` for values with '/'; any for values with '"', '\' or controls). True
 * otherwise (then parse and match as usual). Allocates nothing.
 */
ASFF_API bool asff_filter_prefilter(const asff_filter *filter, const char *text, size_t len);
/**
 * asff_filter_prefilter over many NDJSON lines at once, in one pass over the text instead of one
 * search per line (what lets `asff filter --prefilter` skip most lines unparsed). text[len] holds
 * whole lines; the last one may lack its newline. Returns the offset of the first line for which
 * asff_filter_prefilter(line with its newline) is true, len if none. *lines (may be NULL) gets the
 * number of newlines before that offset, so that a caller skipping them keeps line numbers right
 * without a second pass. Allocates nothing.
 */
ASFF_API size_t asff_filter_prefilter_next(const asff_filter *filter, const char *text, size_t len, size_t *lines);
/** Number of attributes the filter tests. */
ASFF_API size_t asff_filter_attribute_count(const asff_filter *filter);
/**
 * Per-attribute evaluation (what `asff insight` uses to say which attribute emptied a result): the
 * name of attribute index, numbered 0..asff_filter_attribute_count()-1 in name order; NULL out of
 * range. Allocates nothing.
 */
ASFF_API const char *asff_filter_attribute_name(const asff_filter *filter, size_t index);
/** True when finding passes the condition of attribute index alone (its entries combined as
 * asff_filter_match combines them); a finding passes the filter exactly when it passes every
 * attribute. False out of range. Allocates nothing. */
ASFF_API bool asff_filter_match_attribute(const asff_filter *filter, size_t index, const asff_AwsSecurityFinding *finding);
/** True when finding holds at least one value at the path of attribute index (false out of range,
 * for an object of another type, or for Keyword). Allocates nothing. */
ASFF_API bool asff_filter_attribute_present(const asff_filter *filter, size_t index, const asff_AwsSecurityFinding *finding);
/** The filter as canonical JSON: attributes sorted by name, entries in input order, numbers in the
 * shortest form that reads back exactly. *out is NUL-terminated, free it with asff_free_string. */
ASFF_NODISCARD ASFF_API asff_status asff_filter_to_json(const asff_filter *filter, char **out, size_t *len, asff_error *err);
/** Free a filter. NULL is allowed. */
ASFF_API void asff_filter_free(asff_filter *filter);

/** The filter type of an attribute name ("String", "Number", "Date", "Ip", "Map", "Boolean",
 * "Keyword"), or NULL for an unknown name. */
ASFF_API const char *asff_filter_attribute_type(const char *name);
/** The ASFF path an attribute reads ("Workflow.Status", "Resources[].Type": "[]" marks an array
 * crossed, "{}" map values), or NULL for an unknown name; "" for Keyword. */
ASFF_API const char *asff_filter_attribute_path(const char *name);


/** Add to proj the members of a finding that filter reads (its attributes' paths; docs/filter.md,
 * Projection), so that a parser with options.projection builds only those. A filter with no
 * criteria reads nothing. ASFF_ERR_INVALID_ARG when an argument is NULL. */
ASFF_NODISCARD ASFF_API asff_status asff_filter_projection(const asff_filter *filter, asff_projection *proj, asff_error *err);

/* ---- sorting ------------------------------------------------------------------------------- */

/** Opaque handle; made, used and freed by the asff_sort_ functions below. */
typedef struct asff_sort asff_sort;

/** A sort with no criteria (the default order: UpdatedAt desc, ProductArn asc, Id asc). */
ASFF_NODISCARD ASFF_API asff_status asff_sort_new(const asff_allocator *alloc, asff_sort **out, asff_error *err);
/** Append a criterion: field is a String, Number, Date, Ip or Boolean attribute name. */
ASFF_NODISCARD ASFF_API asff_status asff_sort_add(asff_sort *sort, const char *field, bool descending, asff_error *err);
/** Append the criteria of a SortCriteria JSON array ([{"Field": ..., "SortOrder": "asc"|"desc"}]).
 * Errors: ASFF_ERR_FILTER, the text errors of asff_filter_compile, ASFF_ERR_NOMEM. */
ASFF_NODISCARD ASFF_API asff_status asff_sort_add_json(asff_sort *sort, const char *json, size_t len, asff_error *err);
/** <0, 0, >0 as finding a sorts before, with, after b (FS-56: missing values last in both directions,
 * ties by UpdatedAt desc, ProductArn asc, Id asc). Allocates nothing. a and b must be
 * asff_AwsSecurityFinding objects. */
ASFF_API int asff_sort_compare(const asff_sort *sort, const void *a, const void *b);
/** Stable sort of findings[count] (pointers to findings). ASFF_ERR_NOMEM possible. */
ASFF_NODISCARD ASFF_API asff_status asff_sort_findings(const asff_sort *sort, void **findings, size_t count);
/** Free a sort. NULL is allowed. */
ASFF_API void asff_sort_free(asff_sort *sort);
/** Add to proj the members sort reads: its criteria and the tie-breakers (UpdatedAt, ProductArn, Id). */
ASFF_NODISCARD ASFF_API asff_status asff_sort_projection(const asff_sort *sort, asff_projection *proj, asff_error *err);

/** Top-K: keeps the first k findings in sort order using memory for k pointers only. */
typedef struct asff_topk asff_topk;
/** sort (NULL: the default order) must outlive the top-K. ASFF_ERR_NOMEM; *out NULL on error. */
ASFF_NODISCARD ASFF_API asff_status asff_topk_new(const asff_sort *sort, size_t k, const asff_allocator *alloc, asff_topk **out,
                                   asff_error *err);
/** Offer a finding. Returns the finding that is no longer kept (finding itself, or one it evicted),
 * which the caller may free, or NULL when nothing dropped out. The pointer array grows as needed up
 * to k; when that allocation fails the finding itself is returned (not kept). */
ASFF_API asff_AwsSecurityFinding *asff_topk_push(asff_topk *topk, asff_AwsSecurityFinding *finding);
/** The kept findings in sort order (valid until the next push or free); *count gets their number. */
ASFF_API void **asff_topk_sorted(asff_topk *topk, size_t *count);
/** Free a top-K and its pointer array (not the findings it keeps). NULL is allowed. */
ASFF_API void asff_topk_free(asff_topk *topk);

/* ---- insights ------------------------------------------------------------------------------ */

/** Insight options. Zero in a field means its default. */
typedef struct asff_insight_options {
    unsigned version;                 /**< ASFF_INSIGHT_OPTIONS_VERSION */
    size_t max_results;               /**< 0 = 100 (GetInsightResults); SIZE_MAX = no limit */
    const char *insight_arn;          /**< for the JSON output; NULL = "" */
    const asff_allocator *allocator;  /**< NULL = libc */
} asff_insight_options;

#define ASFF_INSIGHT_OPTIONS_VERSION 1 /**< the current version of asff_insight_options (its version field) */
/** Initializer of asff_insight_options: the current version, every other field zero (its default). */
#define ASFF_INSIGHT_OPTIONS_INIT {ASFF_INSIGHT_OPTIONS_VERSION, 0, NULL, NULL}

/** Opaque handle; made, used and freed by the asff_insight_ functions below. */
typedef struct asff_insight asff_insight;

/** One group of an insight's results. */
typedef struct asff_insight_result {
    const char *value;   /**< GroupByAttributeValue */
    uint64_t count;      /**< matching findings that carry it */
} asff_insight_result;

/** A counter grouping the findings that pass filter (borrowed, must outlive the insight; NULL = all)
 * by group_by (a String or Ip attribute name, FS-72; else ASFF_ERR_FILTER). */
ASFF_NODISCARD ASFF_API asff_status asff_insight_new(const asff_filter *filter, const char *group_by,
                                      const asff_insight_options *options, asff_insight **out, asff_error *err);
/** Count one finding: each distinct value of the group-by attribute adds 1 (FS-63, FS-66, FS-68).
 * ASFF_ERR_INVALID_ARG when finding is not an asff_AwsSecurityFinding; ASFF_ERR_NOMEM. */
ASFF_NODISCARD ASFF_API asff_status asff_insight_add(asff_insight *insight, const asff_AwsSecurityFinding *finding);
/** Matching findings seen so far. */
ASFF_API uint64_t asff_insight_matched(const asff_insight *insight);
/** The results, count descending then value ascending, at most max_results. Valid until the next add. */
ASFF_NODISCARD ASFF_API asff_status asff_insight_results(asff_insight *insight, const asff_insight_result **results, size_t *count);
/** {"InsightResults":{"InsightArn":...,"GroupByAttribute":...,"ResultValues":[{"GroupByAttributeValue":...,
 * "Count":...}]}}; free with asff_free_string. */
ASFF_NODISCARD ASFF_API asff_status asff_insight_to_json(asff_insight *insight, bool pretty, char **out, size_t *len, asff_error *err);
/** Free an insight. NULL is allowed. */
ASFF_API void asff_insight_free(asff_insight *insight);
/** Add to proj the members insight reads: its group-by attribute and its filter's attributes. */
ASFF_NODISCARD ASFF_API asff_status asff_insight_projection(const asff_insight *insight, asff_projection *proj,
                                                            asff_error *err);

/* ---- managed insights ---------------------------------------------------------------------- */

/** One of Security Hub's managed insights (docs/reference/managed-insights.md). */
typedef struct asff_managed_insight {
    int number;             /**< 1..32, the User Guide's numbering */
    const char *name; /**< the name the console shows */
    const char *arn;        /**< arn:aws:securityhub:\::insight/securityhub/default/N */
    const char *group_by;   /**< GroupByAttribute */
    const char *filters;    /**< AwsSecurityFindingFilters as compact JSON */
    const char *note;       /**< "" unless something about it is uncertain */
} asff_managed_insight;

/** Number of managed insights (32). */
ASFF_API unsigned asff_managed_insight_count(void);
/** By index 0..count-1, NULL beyond. Static storage. */
ASFF_API const asff_managed_insight *asff_managed_insight_get(unsigned index);
/** By number ("3"), exact name, or ARN; NULL when none. */
ASFF_API const asff_managed_insight *asff_managed_insight_find(const char *key);

/* ---- automation rules ---------------------------------------------------------------------- */

/** Automation-rule options. Zero in a field means its default. */
typedef struct asff_rules_options {
    unsigned version;                 /**< ASFF_RULES_OPTIONS_VERSION */
    bool not_chained;                 /**< AR-11: evaluate every rule on the finding as it arrived */
    bool local;                       /**< lift the criteria limits */
    bool has_now;                     /**< now for DateRange criteria and Note.UpdatedAt */
    int64_t now_seconds; /**< "now", seconds since 1970-01-01T00:00:00Z (with has_now) */
    const asff_allocator *allocator; /**< NULL = libc */
} asff_rules_options;

#define ASFF_RULES_OPTIONS_VERSION 1 /**< the current version of asff_rules_options (its version field) */
/** Initializer of asff_rules_options: the current version, every other field zero (its default). */
#define ASFF_RULES_OPTIONS_INIT {ASFF_RULES_OPTIONS_VERSION, false, false, false, 0, NULL}

/** Opaque handle; made, used and freed by the asff_rules_ functions below. */
typedef struct asff_rules asff_rules;

/** Parse rules: one rule object (CreateAutomationRule input), an array of them, or {"Rules": [...]}
 * (BatchGetAutomationRules output). Rules are kept in application order (AR-6, AR-7): RuleOrder
 * ascending, then UpdatedAt ascending, then RuleArn ascending; two rules of equal RuleOrder that
 * neither tells apart are refused. Rules are checked like findings: unknown members, bad timestamps
 * and any value an action would write that asff_validate rejects (lengths, counts, enums, Types,
 * and Note.UpdatedAt from options.now_seconds) are ASFF_ERR_FILTER with the JSON Pointer of the
 * value; the text errors are those of asff_filter_compile; ASFF_ERR_NOMEM. */
ASFF_NODISCARD ASFF_API asff_status asff_rules_parse(const char *json, size_t len, const asff_rules_options *options,
                                      asff_rules **out, asff_error *err);
/** Number of rules (disabled ones included), and their names/ARNs in application order. */
ASFF_API size_t asff_rules_count(const asff_rules *rules);
/** The RuleName of rule index (0 <= index < count), NULL beyond. */
ASFF_API const char *asff_rules_name(const asff_rules *rules, size_t index);
/** The RuleArn of rule index, NULL beyond or when the rule has none. */
ASFF_API const char *asff_rules_arn(const asff_rules *rules, size_t index);

/** Called for each rule that fired, in application order. Return 0. */
typedef void (*asff_rule_fired_fn)(void *ctx, size_t rule_index, const char *rule_name);

/** Apply the enabled rules to finding (modified in place; new values live in its arena). *fired (may
 * be NULL) gets the number of rules that fired. */
ASFF_NODISCARD ASFF_API asff_status asff_rules_apply(const asff_rules *rules, asff_AwsSecurityFinding *finding, asff_rule_fired_fn fn, void *ctx,
                                      size_t *fired, asff_error *err);
/** Free the rules. NULL is allowed. */
ASFF_API void asff_rules_free(asff_rules *rules);

/* ---- batch reader -------------------------------------------------------------------------- */

#include "asff/codec.h"   /* asff_envelope */

/** How a batch holds its findings. ASFF_BATCH_PICKLE: each "line" is instead one Python pickle
 * (protocol 4 opcodes: PROTO, a FRAME holding the rest, and STOP last) of a list of findings: dicts, lists, str, int, float,
 * True/False/None and memo gets/puts only, never a global; pickle.loads of it gives what json.loads
 * gives for the finding's JSON. Pickles follow each other with no separator; each sets its memo
 * entries from index 0 before it uses them, so one Unpickler can read a batch with repeated load()s.
 * With group_bytes 0 each pickle holds one finding. */
typedef enum asff_batch_format {
    ASFF_BATCH_NDJSON = 0, /**< one finding a line (or one JSON array a line with group_bytes) */
    ASFF_BATCH_PICKLE = 1  /**< pickles of lists of findings, as described above */
} asff_batch_format;

/**
 * Reads findings from a path, a file descriptor, a buffer or a read callback (any envelope,
 * streaming: memory is bounded by the largest finding and the chunk sizes), keeps those an optional
 * compiled filter passes (up to a limit), optionally keeps only some top-level members, and hands
 * them out many at a time as bytes: what bindings (ctypes) need so that no call per finding crosses
 * the language boundary. A finding is handed out as the exact bytes it was read from when that text is
 * on one line and no projection applies (json.loads gives the same value either way), else written
 * compactly by the writer. With a filter the parser builds only the members the filter reads
 * (every member is still checked); a finding that passes is handed out whole all the same: its own
 * bytes, or, when it spans lines, its bytes parsed again whole for the writer.
 */
typedef struct asff_batch_options {
    unsigned version;             /**< ASFF_BATCH_OPTIONS_VERSION, or 0 (the current version) */
    asff_envelope envelope;       /**< ASFF_ENVELOPE_AUTO (0) detects it */
    const asff_filter *filter;    /**< NULL: every finding; borrowed, must outlive the reader */
    const char *const *fields;    /**< projection: top-level member names to keep; NULL: all */
    size_t field_count; /**< entries in fields */
    uint64_t limit;               /**< stop after this many findings passed the filter; 0: no limit */
    size_t group_bytes;           /**< 0: NDJSON, one finding a line; > 0: one JSON array a line,
                                     closed once it holds this many bytes or more */
    bool prefilter;               /**< with a filter: skip NDJSON lines that cannot match unparsed
                                     (asff_filter_prefilter); such lines are not checked either */
    size_t chunk_size;            /**< bytes read at a time, default 64 KiB */
    size_t max_finding;           /**< parser limit on one finding's input bytes, default 4 MiB */
    const asff_allocator *allocator; /**< NULL = libc */
    /* version 2 on */
    asff_batch_format format;     /**< ASFF_BATCH_NDJSON (0) or ASFF_BATCH_PICKLE */
    /* version 3 on */
    bool readahead;               /**< a thread of the reader's own reads, parses and writes the
                                     next batches while the caller uses this one (paths, fds and
                                     buffers; ignored for a read function); on a regular file a
                                     second thread reads it ahead in 4 blocks of 256 KiB */
} asff_batch_options;

/** 2 added format, 3 readahead; a version 1 or 2 struct (without them) is still accepted. */
#define ASFF_BATCH_OPTIONS_VERSION 3

/** Reads up to cap bytes into buf; returns the bytes read, 0 at the end, < 0 on a read error. */
typedef long (*asff_read_fn)(void *ctx, void *buf, size_t cap);

/** Opaque handle; made, used and freed by the asff_batch_reader_ functions below. */
typedef struct asff_batch_reader asff_batch_reader;

/** A reader of the file at path (opened here, closed by asff_batch_reader_free), of fd (read with
 * read(2), not closed), of data[len] (borrowed: it must outlive the reader) or of fn. options may be
 * NULL (defaults). On error *out is NULL: ASFF_ERR_INVALID_ARG, ASFF_ERR_IO (path), ASFF_ERR_NOMEM. */
ASFF_NODISCARD ASFF_API asff_status asff_batch_reader_new_path(const char *path, const asff_batch_options *options,
                                                asff_batch_reader **out, asff_error *err);
/** A reader of fd (read with read(2), not closed). */
ASFF_NODISCARD ASFF_API asff_status asff_batch_reader_new_fd(int fd, const asff_batch_options *options,
                                              asff_batch_reader **out, asff_error *err);
/** A reader of data[len] (borrowed: it must outlive the reader). */
ASFF_NODISCARD ASFF_API asff_status asff_batch_reader_new_buffer(const void *data, size_t len, const asff_batch_options *options,
                                                  asff_batch_reader **out, asff_error *err);
/** A reader of what fn returns (called with ctx). */
ASFF_NODISCARD ASFF_API asff_status asff_batch_reader_new_read(asff_read_fn fn, void *ctx, const asff_batch_options *options,
                                                asff_batch_reader **out, asff_error *err);
/**
 * Fill buf[cap] with the next whole lines (NDJSON findings, or arrays with group_bytes; pickles with
 * ASFF_BATCH_PICKLE) and no more;
 * *len gets the bytes written, *count (may be NULL) the findings in them. *len == 0 at the end of
 * the input (or the limit). When the next line alone is longer than cap: ASFF_ERR_LIMIT, *len gets
 * the capacity needed, and the same call with a buffer that large goes on. A read or parse error is
 * returned after the lines before it were handed out, with its path, offset and line; it is final.
 */
ASFF_NODISCARD ASFF_API asff_status asff_batch_reader_next(asff_batch_reader *r, char *buf, size_t cap, size_t *len,
                                            size_t *count, asff_error *err);
/** Findings read (parsed, or skipped by the prefilter), passed to the output, and input bytes read. */
ASFF_API void asff_batch_reader_counts(const asff_batch_reader *r, uint64_t *read, uint64_t *passed,
                                       uint64_t *bytes);
/** Free the reader (and close the file it opened). NULL is allowed. */
ASFF_API void asff_batch_reader_free(asff_batch_reader *r);

#ifdef __cplusplus
}
#endif
#endif /* ASFF_FILTER_H */
