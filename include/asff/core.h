/**
 * @file
 * libasff core: export macro, versions, status codes, errors, allocators, arenas.
 *
 * Everything else in libasff stands on this header. Conventions (docs/conventions.md):
 *  - every fallible call returns asff_status (0 = ASFF_OK) and may fill a caller-owned asff_error;
 *  - the library never aborts, exits or prints;
 *  - every handle takes an optional allocator; NULL means the C library's malloc/realloc/free.
 */
#ifndef ASFF_CORE_H
#define ASFF_CORE_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

/** ASFF_API marks the exported functions; everything else is hidden (-fvisibility=hidden). */
#if defined(ASFF_STATIC)
#define ASFF_API
#elif defined(__GNUC__) || defined(__clang__)
#define ASFF_API __attribute__((visibility("default")))
#else
#define ASFF_API
#endif

/** ASFF_NODISCARD: a status must be looked at. Clang warns when one is dropped (a (void) cast says it
 * is dropped on purpose); so does GCC in C23 mode, where [[nodiscard]] honours that cast too (GCC's
 * older attribute does not, so it is not used there). */
#if defined(__clang__)
#define ASFF_NODISCARD __attribute__((warn_unused_result))
#elif defined(__STDC_VERSION__) && __STDC_VERSION__ > 201710L && defined(__has_c_attribute)
#if __has_c_attribute(nodiscard)
#define ASFF_NODISCARD [[nodiscard]]
#endif
#endif
#ifndef ASFF_NODISCARD
#define ASFF_NODISCARD
#endif

/** Release version of the headers. The shared library's SONAME (libasff.so.0) moves only on an ABI break. */
#define ASFF_VERSION_MAJOR 0 /**< major version */
#define ASFF_VERSION_MINOR 1 /**< minor version */
#define ASFF_VERSION_PATCH 0 /**< patch version */
#define ASFF_VERSION_STRING "0.1.0" /**< the version as text */
/** One number that grows with every release: 0xMMmmpp. */
#define ASFF_VERSION_NUMBER ((ASFF_VERSION_MAJOR << 16) | (ASFF_VERSION_MINOR << 8) | ASFF_VERSION_PATCH)

/** The release version of the library actually linked ("0.1.0"); static storage, never freed. */
ASFF_API const char *asff_version(void);
/** ASFF_VERSION_NUMBER of the library actually linked. */
ASFF_API unsigned asff_version_number(void);

/**
 * Status codes. Append-only: a code, once released, keeps its number and meaning.
 */
typedef int asff_status;
enum {
    ASFF_OK = 0,
    ASFF_ERR_NOMEM = 1,          /**< an allocation failed */
    ASFF_ERR_INVALID_ARG = 2,    /**< a caller passed an argument the call cannot take */
    ASFF_ERR_SYNTAX = 3,         /**< the bytes are not JSON */
    ASFF_ERR_TYPE = 4,           /**< JSON of another type than the model says (a string for an object, ...) */
    ASFF_ERR_LIMIT = 5,          /**< a configured limit (depth, string size, finding size, ...) was exceeded */
    ASFF_ERR_UTF8 = 6,           /**< invalid UTF-8 */
    ASFF_ERR_IO = 7,             /**< reading or writing a file or stream failed */
    ASFF_ERR_NOT_FOUND = 8,      /**< no such member, type, file, key or resource */
    ASFF_ERR_DUPLICATE = 9,      /**< a member appears twice in one object, or a key twice in a set */
    ASFF_ERR_TRUNCATED = 10,     /**< the input ended inside a value */
    ASFF_ERR_ABORTED = 11,       /**< a caller's callback asked to stop */
    ASFF_ERR_ENVELOPE = 12,      /**< the document is JSON, but not a shape that holds findings */
    ASFF_ERR_INVALID = 13,       /**< a finding breaks a rule (validation found errors) */
    ASFF_ERR_FILTER = 14,        /**< a filter, sort criterion, insight or rule is malformed */
    ASFF_ERR_UNSUPPORTED = 15,   /**< a valid request the library does not implement */
    ASFF_ERR_STATE = 16,         /**< the call does not fit the handle's state (feed after finish, ...) */
    ASFF_ERR_RANGE = 17,         /**< a number is out of the range its member takes */
    ASFF_ERR_NETWORK = 18,       /**< connect, TLS, reset or other transport failure */
    ASFF_ERR_TIMEOUT = 19,       /**< an operation ran out of time */
    ASFF_ERR_HTTP = 20,          /**< an HTTP response that is not a success and not an AWS error */
    ASFF_ERR_AWS = 21,           /**< AWS answered with an error (aws_code names it) */
    ASFF_ERR_THROTTLED = 22,     /**< AWS throttled the call and retries were exhausted */
    ASFF_ERR_CREDENTIALS = 23,   /**< no credentials could be found or refreshed */
    ASFF_ERR_INTERNAL = 24,      /**< a bug in libasff: please report it */
    ASFF_ERR_PARTIAL = 25        /**< some items of a batch failed; the result says which */
};
/** One more than the largest status code this library knows. */
#define ASFF_STATUS_COUNT 26

/** A short constant name for a status ("ASFF_ERR_SYNTAX"); "ASFF_ERR_UNKNOWN" for unknown codes. */
ASFF_API const char *asff_status_name(asff_status status);
/** A one-line English description of a status; static storage. */
ASFF_API const char *asff_status_message(asff_status status);

/** Sizes of the text fields of asff_error, terminating NUL included. */
#define ASFF_ERROR_MESSAGE_SIZE 256 /**< asff_error.message */
#define ASFF_ERROR_PATH_SIZE 512 /**< asff_error.path */
#define ASFF_ERROR_AWS_SIZE 128 /**< asff_error.aws_code and asff_error.request_id */

/**
 * What went wrong, and where. Caller-owned, fixed size (no allocation, easy for ctypes).
 * Strings are always NUL-terminated and truncated to fit. offset/line/column are counted over the
 * whole input stream (offset from 0, line and column from 1); 0 where they do not apply.
 */
typedef struct asff_error {
    asff_status code; /**< ASFF_OK, or what failed */
    char message[ASFF_ERROR_MESSAGE_SIZE]; /**< one line of English, escaped for display */
    char path[ASFF_ERROR_PATH_SIZE];        /**< JSON Pointer (RFC 6901), "" for the whole document */
    uint64_t offset; /**< byte offset in the input */
    uint64_t line; /**< line in the input */
    uint64_t column; /**< column in the line (bytes) */
    int http_status;                        /**< client calls: the HTTP status, 0 if none */
    char aws_code[ASFF_ERROR_AWS_SIZE];     /**< client calls: AWS error code ("ThrottlingException") */
    char request_id[ASFF_ERROR_AWS_SIZE];   /**< client calls: x-amzn-RequestId */
} asff_error;

/** Reset an error to ASFF_OK with empty strings. NULL is allowed. */
ASFF_API void asff_error_clear(asff_error *err);

/** Fill err (if non-NULL) with code and a formatted message; returns code. Path, offset and the AWS
 * fields are left as they are. Meant for the library and for code that extends it. */
ASFF_API asff_status asff_error_set(asff_error *err, asff_status code, const char *message);

/**
 * Allocator: every handle takes one (NULL = libc). ctx is passed back to each function.
 * realloc(ctx, NULL, n) must behave as malloc; free(ctx, NULL) must be a no-op.
 */
typedef struct asff_allocator {
    void *(*malloc)(void *ctx, size_t size); /**< as malloc(3) */
    void *(*realloc)(void *ctx, void *ptr, size_t size); /**< as realloc(3) */
    void (*free)(void *ctx, void *ptr); /**< as free(3) */
    void *ctx; /**< passed back to each function */
} asff_allocator;

/** The libc allocator; static storage. */
ASFF_API const asff_allocator *asff_default_allocator(void);

/** Free a string the library returned (asff_to_json, asff_filter_to_json, asff_insight_to_json, ...):
 * every returned string is freed with this one function, whatever allocator it came from (the
 * string remembers it). NULL is allowed. */
ASFF_API void asff_free_string(char *s);

/**
 * Arena: bump allocation in blocks, freed all at once. Findings live in arenas. An arena is used by
 * one thread at a time.
 */
typedef struct asff_arena asff_arena;

/** A new arena in *out that takes its blocks from alloc (NULL = libc). ASFF_ERR_NOMEM; *out is NULL
 * on error. */
ASFF_NODISCARD ASFF_API asff_status asff_arena_new(const asff_allocator *alloc, asff_arena **out, asff_error *err);
/** Free the arena and everything allocated in it. NULL is allowed. */
ASFF_API void asff_arena_free(asff_arena *arena);
/** Forget every allocation but keep the first block for reuse (what a streaming parser does per finding). */
ASFF_API void asff_arena_reset(asff_arena *arena);
/** size bytes aligned for any type, zero-filled; NULL when out of memory. Lives until reset/free. */
ASFF_API void *asff_arena_alloc(asff_arena *arena, size_t size);
/** A NUL-terminated copy of the len bytes at s; NULL when out of memory. */
ASFF_API char *asff_arena_strdup(asff_arena *arena, const char *s, size_t len);
/** Bytes handed out since the last reset, and bytes held from the allocator. */
ASFF_API size_t asff_arena_used(const asff_arena *arena);
/** Bytes the arena holds from its allocator. */
ASFF_API size_t asff_arena_capacity(const asff_arena *arena);

/**
 * ASFF timestamps (docs/reference/rules.md TS-1..TS-5): YYYY-MM-DDTHH:MM:SS, an optional fraction of 1 to 9
 * digits, then Z or an offset +HH, +HHMM or +HH:MM of at most 18 hours; a leap second only as
 * 23:59:60. *seconds gets the instant in seconds since 1970-01-01T00:00:00Z, *nanos the fraction.
 * Allocates nothing. ASFF_ERR_SYNTAX for a malformed text, ASFF_ERR_RANGE for a field out of range.
 */
ASFF_NODISCARD ASFF_API asff_status asff_timestamp_parse(const char *text, size_t len, int64_t *seconds, int32_t *nanos);
/** The same, in milliseconds rounded half up on the fourth fraction digit (TS-10). */
ASFF_NODISCARD ASFF_API asff_status asff_timestamp_to_ms(const char *text, size_t len, int64_t *epoch_ms);
/** Canonical text of an instant: "YYYY-MM-DDTHH:MM:SS.mmmZ" into out[25]. ASFF_ERR_RANGE outside
 * years 0000-9999. */
ASFF_NODISCARD ASFF_API asff_status asff_timestamp_from_ms(int64_t epoch_ms, char out[25]);

#ifdef __cplusplus
}
#endif
#endif /* ASFF_CORE_H */
