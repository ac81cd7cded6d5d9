/**
 * @file
 * libasff codec: a streaming, lossless ASFF parser and serializer on yajl.
 *
 * Parser: push bytes in chunks of any size; each finding goes to a callback as soon as its closing
 * brace is read, so memory is bounded by the largest finding, not by the document. Envelopes are
 * recognized automatically (or forced): one finding, a JSON array, {"Findings": [...]} (GetFindings
 * output and BatchImportFindings input, NextToken kept), EventBridge events (detail.findings) and
 * NDJSON / concatenated JSON values.
 *
 * Writer: compact or pretty JSON, to memory, a FILE or a callback, finding by finding.
 *
 * Values (docs/codec.md): strings are UTF-8-validated; U+0000 is refused (ASFF_ERR_UTF8) so that
 * strings stay C strings. Integers are exact in int64, and beyond it kept verbatim (asff_int.text).
 * A JSON null for a known member leaves it absent and is kept as an unknown member with value null,
 * so it is written back where it was. Unknown members are kept verbatim, in input order.
 */
#ifndef ASFF_CODEC_H
#define ASFF_CODEC_H

#include <stdio.h>
#include "asff/model.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Document shapes that hold findings. */
typedef enum asff_envelope {
    ASFF_ENVELOPE_AUTO = 0,      /**< detect from the first value (parse options only) */
    ASFF_ENVELOPE_FINDING = 1,   /**< one finding object */
    ASFF_ENVELOPE_ARRAY = 2,     /**< [finding, ...] */
    ASFF_ENVELOPE_FINDINGS = 3,  /**< {"Findings": [...], "NextToken": ..., ...} */
    ASFF_ENVELOPE_EVENT = 4,     /**< EventBridge event, findings in detail.findings */
    ASFF_ENVELOPE_NDJSON = 5     /**< a sequence of JSON values: one finding (or any envelope) per value */
} asff_envelope;

/** How many of a finding's object members (or lists of objects) a projection may narrow to some of
 * their own members (asff_projection.nested). */
#define ASFF_PROJECTION_NESTED 4

/** The members to build inside one of a finding's members (asff_projection.nested): in its object,
 * or in every object of its list. */
typedef struct asff_projection_nested {
    uint32_t member;             /**< 1 + the index of the finding's member (asff_type.members); 0: unused */
    uint64_t members[4];         /**< bit i: member i of that member's object type; beyond the 256th: built */
} asff_projection_nested;

/**
 * Projection (docs/codec.md, Projection): the members of each finding to build. Members left out
 * are still read and checked (the same errors, at the same places, as a full build), but not built:
 * they are absent from the finding handed to on_finding. Only the simdjson front-end projects;
 * findings it leaves to yajl are built whole, which is always correct for a reader of the projected
 * members. Fill it with asff_projection_add and the asff_filter/sort/insight projection functions
 * (asff/filter.h), starting from all zeros.
 */
typedef struct asff_projection {
    uint64_t members[4];         /**< bit i: member i of the item type (asff_type.members order);
                                    members beyond the 256th are always built */
    /** Optional: called with each projected finding before it is delivered; nonzero means "build
     * this one whole": the parser reads the same bytes again without projection and hands the whole
     * finding to on_finding (for example the findings a filter keeps for output). NULL: on_finding
     * gets the projected finding. */
    int (*want_whole)(void *ctx, const void *finding);
    void *ctx;                   /**< passed to want_whole */
    /* read with parse options version 3 and later */
    /** A projected member of object kind (or a list of objects) named here is built with only the
     * members of its entry: "Resources[].Id" builds each resource's Id and checks the rest. A
     * projected member without an entry is built whole. */
    asff_projection_nested nested[ASFF_PROJECTION_NESTED];
} asff_projection;

/** Add what the model path names ("Severity.Label", "Resources[].Id", "ProductFields{}") of the item
 * type type_id (0 = AwsSecurityFinding) to proj: its first step, a member of the finding, and when
 * that member is an object or a list of objects, the second step inside it (proj->nested; the member
 * is built whole when a path names it alone, when its second step is not one of the model's, or when
 * every entry of nested is taken). An empty path (or "*") adds every member, whole.
 * ASFF_ERR_INVALID_ARG when the first step is not a member of the type. */
ASFF_NODISCARD ASFF_API asff_status asff_projection_add(asff_projection *proj, unsigned type_id, const char *path,
                                                        asff_error *err);

/** Parser options. Zero in a size field means its default. */
typedef struct asff_parse_options {
    unsigned version;            /**< ASFF_PARSE_OPTIONS_VERSION */
    asff_envelope envelope;      /**< ASFF_ENVELOPE_AUTO */
    unsigned type_id;            /**< type of each item: 0 = ASFF_TID_AwsSecurityFinding */
    size_t max_depth;            /**< nesting depth, default 64 */
    size_t max_string;           /**< bytes of one string or member name, default 1 MiB */
    size_t max_finding;          /**< input bytes of one finding, default 4 MiB (ASFF allows 240 KB) */
    size_t max_members;          /**< members of one object (and items of one list), default 100000;
                                      the findings of a container are streamed and not counted */
    bool skip_invalid;           /**< report a bad finding to on_error and go on (arrays, NDJSON, Findings) */
    bool keep;                   /**< hand findings over: the callback owns each (asff_object_free) */
    const asff_allocator *allocator; /**< NULL = libc */
    /* version 2 */
    const asff_projection *projection; /**< NULL = build every member; read at asff_parser_new (copied);
                                            its nested entries from version 3 on */
} asff_parse_options;

#define ASFF_PARSE_OPTIONS_VERSION 3 /**< the current version of asff_parse_options (its version field);
                                        version 1 (without projection) and 2 (a projection without
                                        nested entries) are still read */
/** Initializer of asff_parse_options: the current version, every other field zero (its default). */
#define ASFF_PARSE_OPTIONS_INIT {ASFF_PARSE_OPTIONS_VERSION, ASFF_ENVELOPE_AUTO, 0, 0, 0, 0, 0, false, false, NULL, NULL}

/** Defaults of the parser limits (asff_parse_options). */
#define ASFF_DEFAULT_MAX_DEPTH 64 /**< nesting depth */
#define ASFF_DEFAULT_MAX_STRING (1024u * 1024u) /**< bytes of one string or member name */
#define ASFF_DEFAULT_MAX_FINDING (4u * 1024u * 1024u) /**< input bytes of one finding */
#define ASFF_DEFAULT_MAX_MEMBERS 100000u /**< members of one object, items of one list */

/** What the document around the findings said (docs/codec.md). Strings are NULL until seen; valid
 * until the next top-level value starts, or the parser is reset or freed. */
typedef struct asff_document {
    asff_envelope envelope;            /**< detected (or forced) shape of the current top-level value;
                                          ASFF_ENVELOPE_NDJSON once a second top-level value starts */
    const char *next_token;            /**< {"Findings":...}: NextToken */
    const char *other_members;         /**< {"Findings":...} or event: the top-level members except the
                                          findings container, as a JSON object (those read so far) */
    /* EventBridge events */
    const char *event_id;              /**< id */
    const char *detail_type;           /**< detail-type */
    const char *source;                /**< source */
    const char *account;               /**< account */
    const char *time;                  /**< time */
    const char *region;                /**< region */
    const char *resources;             /**< resources, as JSON text */
    const char *action_name;           /**< detail.actionName (custom actions) */
    const char *action_description;    /**< detail.actionDescription */
    const char *insight_arn;           /**< detail.insightArn (insight results) */
    const char *insight_name;          /**< detail.insightName */
    const char *result_type;           /**< detail.resultType */
    const char *insight_results;       /**< detail.insightResults, as JSON text */
    uint64_t values;                   /**< top-level JSON values read so far (NDJSON lines) */
} asff_document;

/** Where a finding came from. */
typedef struct asff_finding_info {
    uint64_t index;              /**< 0-based number of the item in the stream (good and bad alike) */
    const char *path;            /**< JSON Pointer of the finding ("/Findings/12"); once the stream has
                                    several values, prefixed by the value's number ("/3/Findings/0") */
    uint64_t offset;             /**< byte offset of its first byte in the stream */
    uint64_t length;             /**< bytes it spans (a skipped item: from its first byte to its error) */
    uint64_t line;               /**< line of its first byte (from 1) */
    const asff_document *document; /**< the document around the finding */
} asff_finding_info;

/** Called for each finding. Return 0 to go on, anything else to stop (feed returns ASFF_ERR_ABORTED).
 * Without options.keep the finding lives until the callback returns. */
typedef int (*asff_finding_fn)(void *ctx, void *finding, const asff_finding_info *info);
/** With skip_invalid: called for each item that was skipped; the stream goes on. Return 0 to go on. */
typedef int (*asff_parse_error_fn)(void *ctx, const asff_error *err, const asff_finding_info *info);

/** Opaque handle; made, used and freed by the asff_parser_ functions below. */
typedef struct asff_parser asff_parser;

/** A new parser in *out; options may be NULL (defaults). ASFF_ERR_INVALID_ARG for unknown options
 * (version, envelope, type_id), ASFF_ERR_NOMEM; *out is NULL on error. */
ASFF_NODISCARD ASFF_API asff_status asff_parser_new(const asff_parse_options *options, asff_finding_fn on_finding,
                                     asff_parse_error_fn on_error, void *ctx, asff_parser **out, asff_error *err);
/** Push the next len bytes (any chunk size). Errors are final for the parser (later calls return the
 * same error) except findings skipped under skip_invalid. err may be NULL. A model error inside a
 * finding is reported once the finding's closing brace is read (a syntax error in it wins). An
 * unfinished last line (after a line break, at most 64 KiB; not one that ends in '}' or ']') may be
 * kept and read with the next call or by asff_parser_finish, so that a finding cut between two
 * calls is still read by simdjson; every finding the bytes complete is delivered. */
ASFF_NODISCARD ASFF_API asff_status asff_parser_feed(asff_parser *p, const void *data, size_t len, asff_error *err);
/** End of input: ASFF_ERR_TRUNCATED when it ends inside a value. Empty input is not an error. */
ASFF_NODISCARD ASFF_API asff_status asff_parser_finish(asff_parser *p, asff_error *err);
/** Ready for a new stream with the same options and callbacks (counters and position back to 0). */
ASFF_API void asff_parser_reset(asff_parser *p);
/** The document around the current (or last) top-level value; NULL only for a NULL parser. */
ASFF_API const asff_document *asff_parser_document(const asff_parser *p);
/** Findings delivered, and items skipped, so far. */
ASFF_API uint64_t asff_parser_count(const asff_parser *p);
/** Items skipped so far (skip_invalid). */
ASFF_API uint64_t asff_parser_skipped(const asff_parser *p);
/** Bytes fed so far (the stream offset of the next byte). */
ASFF_API uint64_t asff_parser_offset(const asff_parser *p);
/** Free the parser and every finding it still holds (not those handed over with keep). */
ASFF_API void asff_parser_free(asff_parser *p);

/** The JSON front-end this library was built with: "simdjson" (simdjson reads findings, yajl the rest
 * and whatever simdjson leaves to it; the environment variable ASFF_FRONTEND=yajl turns simdjson
 * off for parsers created afterwards) or "yajl". Findings and errors are the same with either
 * (docs/codec.md, Front-ends). A static string. */
ASFF_API const char *asff_json_frontend(void);

/** A list of parsed findings that share one arena; free with asff_finding_list_free. */
typedef struct asff_finding_list {
    asff_AwsSecurityFinding **items; /**< the findings, in input order */
    size_t count; /**< number of findings */
    size_t capacity; /**< allocated slots in items */
    asff_arena *arena; /**< the arena every finding lives in */
} asff_finding_list;

/** Parse a whole buffer, or a FILE to its end, into a list (options->keep is ignored; with
 * skip_invalid, bad findings are left out silently). On error *out is NULL. */
ASFF_NODISCARD ASFF_API asff_status asff_parse_buffer(const void *data, size_t len, const asff_parse_options *options,
                                       asff_finding_list **out, asff_error *err);
/** The same, reading file to its end (not closed). */
ASFF_NODISCARD ASFF_API asff_status asff_parse_file(FILE *file, const asff_parse_options *options,
                                     asff_finding_list **out, asff_error *err);
/** Free the list and all its findings. NULL is allowed. */
ASFF_API void asff_finding_list_free(asff_finding_list *list);

/** Parse one JSON object of any model type (filters, rules, responses): *out is a root object,
 * free it with asff_object_free. Exactly one JSON value: none is ASFF_ERR_TRUNCATED, two are
 * ASFF_ERR_SYNTAX, an array is ASFF_ERR_ENVELOPE; type_id 0 means AwsSecurityFinding. */
ASFF_NODISCARD ASFF_API asff_status asff_parse_object(const void *data, size_t len, unsigned type_id,
                                       const asff_parse_options *options, void **out, asff_error *err);

/* ---- parallel reading ------------------------------------------------------------------- */

/** Per-finding work run on a reader thread (asff_parse_file_parallel): validate, match a filter, ...
 * worker is the thread's number, 0 .. jobs - 1 (for per-thread scratch state). The finding is
 * read-only here. The result goes to the ordered callback with the finding. */
typedef void *(*asff_work_fn)(void *ctx, unsigned worker, const void *finding, const asff_finding_info *info);
/** The ordered callback of asff_parse_file_parallel: each finding in input order, on the calling
 * thread, with the result of the work callback (NULL without one; the callback owns it); finding is
 * NULL when that result is NULL and ASFF_PARALLEL_SPARSE is set. Return 0 to go on, anything else to
 * stop (ASFF_ERR_ABORTED). */
typedef int (*asff_ordered_fn)(void *ctx, void *finding, const asff_finding_info *info, void *work);

/** Options of asff_parse_file_parallel. Zero in a field means its default. */
typedef struct asff_parallel_options {
    unsigned version;            /**< ASFF_PARALLEL_OPTIONS_VERSION */
    unsigned jobs;               /**< threads that read, the calling one included; 0 = online CPUs */
    size_t part_size;            /**< input bytes of one part handed to a thread, default 256 KiB */
    size_t parts;                /**< parts in flight (the memory bound), default 3 per job */
    asff_work_fn work;           /**< optional per-finding work on the reading threads */
    void *work_ctx;              /**< its context */
    void (*work_free)(void *work_ctx, void *result); /**< frees a result never delivered (after a stop) */
    /* version 2: */
    unsigned flags;              /**< ASFF_PARALLEL_SPARSE */
} asff_parallel_options;

/** A finding whose work result is NULL is not wanted: on_finding gets NULL in its place (its info and
 * the NULL result as ever), and the reading thread reuses its memory at once instead of keeping it
 * until delivery, which spares memory and time when most results are NULL (a filter that matches few
 * findings, a validation that finds few problems). With options->keep the finding is freed for you. */
#define ASFF_PARALLEL_SPARSE 1u

#define ASFF_PARALLEL_OPTIONS_VERSION 2 /**< the current version of asff_parallel_options (1: no flags) */
/** Initializer of asff_parallel_options: the current version, every other field zero (its default). */
#define ASFF_PARALLEL_OPTIONS_INIT {ASFF_PARALLEL_OPTIONS_VERSION, 0, 0, 0, NULL, NULL, NULL, 0}

/**
 * Read the findings of file (from its current position to its end; not closed) on several threads,
 * delivering each, and each skipped item, to on_finding / on_error in input order on the calling
 * thread, exactly as one asff_parser fed the same bytes would: the same findings, the same
 * asff_finding_info (index, path, offset, length, line), the same errors with the same JSON Pointer,
 * offset, line and column, the same final status (docs/codec.md, Parallel reading). A regular file
 * is read in parts; anything else (a pipe, a terminal), or jobs 1, is read by one parser on the
 * calling thread. A library built without simdjson (or run with ASFF_FRONTEND=yajl) reads NDJSON by
 * segments of lines, a parser per thread, and any other envelope with one parser; so does every
 * build with ASFF_PARALLEL_SPARSE and a work callback (docs/codec.md, Parallel reading). The work
 * callback may run more than once on a finding, and on findings never delivered: count in on_finding. info->document is the
 * document as far as it has been read, which may be ahead of the finding. Without options->keep a
 * finding lives until on_finding returns. options->allocator, when given, is called from every
 * reading thread: it must be thread-safe. Reading errors are ASFF_ERR_IO. ASFF_ERR_INVALID_ARG for
 * unknown options (either struct's version) or a NULL file.
 */
ASFF_NODISCARD ASFF_API asff_status asff_parse_file_parallel(FILE *file, const asff_parse_options *options,
                                              const asff_parallel_options *parallel, asff_ordered_fn on_finding,
                                              asff_parse_error_fn on_error, void *ctx, asff_error *err);

/* ---- writer ------------------------------------------------------------------------------ */

/** The shape of the document a writer produces. */
typedef enum asff_format {
    ASFF_FORMAT_NDJSON = 0,      /**< one compact finding per line */
    ASFF_FORMAT_ARRAY = 1,       /**< [f, ...] */
    ASFF_FORMAT_BATCH = 2,       /**< {"Findings":[f, ...]} */
    ASFF_FORMAT_VALUE = 3        /**< one value per write, nothing around it (one object, say) */
} asff_format;

/** Writer options. Zero in a field means its default. */
typedef struct asff_write_options {
    unsigned version;            /**< ASFF_WRITE_OPTIONS_VERSION */
    asff_format format; /**< the document shape, default ASFF_FORMAT_NDJSON */
    bool pretty;                 /**< indented output (NDJSON stays one line per finding) */
    const char *indent;          /**< pretty indent, default "  " */
    const asff_allocator *allocator; /**< NULL = libc */
} asff_write_options;

#define ASFF_WRITE_OPTIONS_VERSION 1 /**< the current version of asff_write_options (its version field) */
/** Initializer of asff_write_options: the current version, every other field zero (its default). */
#define ASFF_WRITE_OPTIONS_INIT {ASFF_WRITE_OPTIONS_VERSION, ASFF_FORMAT_NDJSON, false, NULL, NULL}

/** Receives output bytes; return 0, or nonzero to fail the write with ASFF_ERR_IO. */
typedef int (*asff_write_fn)(void *ctx, const char *data, size_t len);

/** Opaque handle; made, used and freed by the asff_writer_ functions below. */
typedef struct asff_writer asff_writer;

/** A writer in *out into memory (asff_writer_buffer), a FILE (not closed), or a callback. options
 * may be NULL (compact NDJSON). ASFF_ERR_INVALID_ARG for unknown options or a NULL file/fn,
 * ASFF_ERR_NOMEM; *out is NULL on error. */
ASFF_NODISCARD ASFF_API asff_status asff_writer_new_buffer(const asff_write_options *options, asff_writer **out, asff_error *err);
/** A writer to file (not closed). */
ASFF_NODISCARD ASFF_API asff_status asff_writer_new_file(FILE *file, const asff_write_options *options, asff_writer **out,
                                          asff_error *err);
/** A writer to fn, called with ctx and each piece of output. */
ASFF_NODISCARD ASFF_API asff_status asff_writer_new_callback(asff_write_fn fn, void *ctx, const asff_write_options *options,
                                              asff_writer **out, asff_error *err);
/** Write one object (a finding, or any model object) as the next item of the document; its bytes
 * reach the sink before the call returns. After an error the writer only accepts asff_writer_free
 * (ASFF_ERR_STATE). A double that is infinite or NaN is ASFF_ERR_RANGE; a failing sink ASFF_ERR_IO. */
ASFF_NODISCARD ASFF_API asff_status asff_writer_write(asff_writer *w, const void *object, asff_error *err);
/** Close the document (array or wrapper; an empty one when nothing was written) and flush. Compact
 * arrays and batches end with a newline, as pretty output and NDJSON lines do. */
ASFF_NODISCARD ASFF_API asff_status asff_writer_finish(asff_writer *w, asff_error *err);
/** Memory writers: the bytes so far, NUL-terminated; owned by the writer. NULL (and *len 0) for
 * file and callback writers. len may be NULL. */
ASFF_API const char *asff_writer_buffer(const asff_writer *w, size_t *len);
/** Free the writer (not the FILE). NULL is allowed. */
ASFF_API void asff_writer_free(asff_writer *w);

/** One object to compact (or pretty) JSON in a new NUL-terminated string (no trailing newline),
 * allocated, like the work it needs, with the allocator of the object's arena; free with
 * asff_free_string. len may be NULL. */
ASFF_NODISCARD ASFF_API asff_status asff_to_json(const void *object, bool pretty, char **out, size_t *len, asff_error *err);
/** Bytes of the compact JSON encoding of object (what the 240 KB limit measures); 0 on error. */
ASFF_API size_t asff_json_size(const void *object);

#ifdef __cplusplus
}
#endif
#endif /* ASFF_CODEC_H */
