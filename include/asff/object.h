/**
 * @file
 * libasff model runtime: the descriptor tables that describe every generated ASFF type, reflection
 * over them, and the construction API that emitters use to build findings.
 *
 * The structs themselves are generated into asff/model.h (one per Security Hub API shape). Their
 * layout rules (docs/conventions.md):
 *  - every struct starts with `asff_object _obj` (bookkeeping; do not touch), then the members of
 *    the shape, named exactly as in JSON (f->Severity->Label);
 *  - absent strings, objects, numbers and booleans are NULL (numbers and booleans are pointers so
 *    that absence differs from 0/false);
 *  - lists are {items, count, capacity}, maps {keys, values, count, capacity}; a list or map is
 *    present when items/keys is non-NULL, so an empty [] or {} survives a round trip;
 *  - structs are allocated only by the library (ASFF_NEW_ROOT, ASFF_NEW, asff_object_new, the parser): later model
 *    versions append members, so code must never use sizeof on a model struct or declare one.
 * Strings are NUL-terminated UTF-8 without NUL bytes inside. A string member may point to any string
 * that lives as long as the object (a literal, say); asff_strdup copies one into the object's arena.
 */
#ifndef ASFF_OBJECT_H
#define ASFF_OBJECT_H

#include "asff/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/** What a member holds. */
typedef enum asff_kind {
    ASFF_KIND_NONE = 0,
    ASFF_KIND_STRING = 1,   /**< char * */
    ASFF_KIND_INT = 2,      /**< asff_int * (model integer and long) */
    ASFF_KIND_DOUBLE = 3,   /**< double * (model double and float) */
    ASFF_KIND_BOOL = 4,     /**< bool * */
    ASFF_KIND_OBJECT = 5,   /**< asff_<Shape> * */
    ASFF_KIND_LIST = 6,     /**< {T **items; size_t count, capacity;}, element kind in elem_kind */
    ASFF_KIND_MAP = 7,      /**< {char **keys; T **values; size_t count, capacity;} (string keys) */
    ASFF_KIND_JSON = 8      /**< char *: a model "document" member, kept as compact JSON text */
} asff_kind;

/** An integer member. value is exact when text is NULL; integers that do not fit int64 keep their
 * digits verbatim in text (value is then clamped to INT64_MIN/INT64_MAX) and are written back as is. */
typedef struct asff_int {
    int64_t value; /**< the value (clamped when text is set) */
    const char *text; /**< the digits of a value beyond int64, else NULL */
} asff_int;

/** The generic shapes of every list and map member (the generated members have the same layout with
 * typed item pointers). A string map has char *values. */
typedef struct asff_list {
    void **items; /**< the items */
    size_t count; /**< number of items */
    size_t capacity; /**< allocated slots */
} asff_list;

/** The generic shape of a map member whose values are objects or numbers. */
typedef struct asff_map {
    char **keys; /**< the keys, in insertion order */
    void **values; /**< the value of each key */
    size_t count; /**< number of entries */
    size_t capacity; /**< allocated slots */
} asff_map;

/** A string -> string map (ProductFields, UserDefinedFields, Tags, ...), in insertion order. */
typedef struct asff_strmap {
    char **keys; /**< the keys, in insertion order */
    char **values; /**< the value of each key */
    size_t count; /**< number of entries */
    size_t capacity; /**< allocated slots */
} asff_strmap;

/** A member the model does not know, kept verbatim (AWS adds members often). */
typedef struct asff_extra {
    struct asff_extra *next; /**< the next unknown member, or NULL */
    const char *name;   /**< the member name, decoded */
    const char *json;   /**< its value as compact JSON text (numbers exactly as they were written) */
} asff_extra;

struct asff_type;

/** Bookkeeping at the start of every model struct. Read-only for callers. */
typedef struct asff_object {
    const struct asff_type *type; /**< the object's type */
    asff_arena *arena; /**< the arena it lives in */
    asff_extra *extra;     /**< unknown members, in input order; also JSON nulls of known members */
    uint16_t *order;       /**< member order as read: i < nmembers is members[i], else extra number i - nmembers */
    uint32_t norder; /**< entries in order */
    uint32_t flags;        /**< ASFF_OBJ_* */
} asff_object;

#define ASFF_OBJ_ROOT 1u   /**< owns its arena: asff_object_free frees it */

/** Member flags (asff_member.flags). */
#define ASFF_MF_REQUIRED 0x0001u    /**< the model's required list names it */
#define ASFF_MF_DEPRECATED 0x0002u  /**< the model marks it deprecated */
#define ASFF_MF_NONEMPTY 0x0004u    /**< string of shape NonEmptyString (pattern: a non-blank character somewhere) */
#define ASFF_MF_TIMESTAMP 0x0008u   /**< the model's timestamp type (ISO 8601 text) */
#define ASFF_MF_HAS_MIN 0x0010u     /**< min is set (length, count or value by kind) */
#define ASFF_MF_HAS_MAX 0x0020u     /**< max is set */
#define ASFF_MF_LOCATION 0x0040u    /**< request member sent in the URI or query string, not the body */

/** One member of a type. Tables are generated, read-only and live forever. Fields are appended only. */
typedef struct asff_member {
    const char *name;               /**< JSON name */
    uint16_t name_len; /**< bytes in name */
    uint8_t kind;                   /**< asff_kind */
    uint8_t elem_kind;              /**< list: kind of the items; map: kind of the values */
    uint32_t offset;                /**< byte offset inside the struct */
    uint32_t flags;                 /**< ASFF_MF_* */
    const struct asff_type *type;   /**< OBJECT, or LIST/MAP of objects: the element type */
    const struct asff_enum *enumeration; /**< STRING (or list of strings) with a model enum, else NULL */
    const char *shape;              /**< the model shape name behind the member ("NonEmptyString") */
    int64_t min;                    /**< model lower bound, valid under ASFF_MF_HAS_MIN */
    int64_t max;                    /**< model upper bound, valid under ASFF_MF_HAS_MAX */
    const char *pattern;            /**< model regular expression for strings, or NULL */
} asff_member;

/** One generated type (a structure of the Security Hub API model). */
typedef struct asff_type {
    const char *name;               /**< model shape name: "AwsSecurityFinding" */
    unsigned id;                    /**< ASFF_TID_<name>, stable across model versions */
    uint32_t size;                  /**< sizeof the struct */
    uint32_t flags;                 /**< ASFF_TF_* */
    uint32_t nmembers; /**< entries in members */
    const asff_member *members;     /**< in struct order */
    const uint16_t *by_name;        /**< member indices sorted by name (bytewise) */
} asff_type;

#define ASFF_TF_UNION 0x1u           /**< the model says at most one member is set */

/** An enum the model declares, with its values in table order (ASFF_<Enum>_<VALUE> constants). */
typedef struct asff_enum {
    const char *name; /**< the model's enum name */
    unsigned count; /**< number of values */
    const char *const *values; /**< the values */
} asff_enum;

/* --- the model ----------------------------------------------------------------------------- */

/** "securityhub 2018-10-26 (botocore 1.43.11)": the model the tables were generated from. */
ASFF_API const char *asff_model_version(void);
/** sha256 (hex) of the uncompressed model JSON. */
ASFF_API const char *asff_model_sha256(void);
/** Number of type ids (ids run from 1 to asff_type_count(); a retired id gives NULL). */
ASFF_API unsigned asff_type_count(void);
/** The type with id id, NULL for an unknown or retired id. */
ASFF_API const asff_type *asff_type_get(unsigned id);
/** The type named name (len bytes), NULL when none. */
ASFF_API const asff_type *asff_type_find(const char *name, size_t len);
/** The member of type named name (len bytes): binary search over by_name. NULL when none. */
ASFF_API const asff_member *asff_member_find(const asff_type *type, const char *name, size_t len);
/** The model's enums. */
ASFF_API unsigned asff_enum_count(void);
/** Enum index (0 <= index < asff_enum_count()), NULL beyond. */
ASFF_API const asff_enum *asff_enum_get(unsigned index);
/** The enum named name (len bytes), NULL when none. */
ASFF_API const asff_enum *asff_enum_find(const char *name, size_t len);
/** Index of value in e, or -1. */
ASFF_API int asff_enum_index(const asff_enum *e, const char *value, size_t len);

/* --- construction --------------------------------------------------------------------------
 * The setters below return ASFF_ERR_NOMEM (or ASFF_ERR_INVALID_ARG / _TYPE for a wrong name or kind)
 * without ASFF_NODISCARD: emitters chain many of them; a member a failed setter left unset stays
 * absent (asff_validate reports a missing required one). Check them where memory is tight. */

/** A new root object of type id in an arena of its own (alloc NULL = libc). Free with asff_object_free. */
ASFF_API void *asff_object_new_root(unsigned type_id, const asff_allocator *alloc);
/** A new object of type id in the arena of any_object (a root or anything inside one). */
ASFF_API void *asff_object_new(void *any_object, unsigned type_id);
/** Free a root object and everything in its arena. NULL and non-root objects are ignored. */
ASFF_API void asff_object_free(void *root);
/** The descriptor and arena of any model object. */
ASFF_API const asff_type *asff_object_type(const void *object);
/** The arena of any model object. */
ASFF_API asff_arena *asff_object_arena(const void *object);

/** Copies into the arena of any_object; NULL when out of memory. */
ASFF_API char *asff_strdup(void *any_object, const char *s);
/** A copy of the len bytes at s, NUL-terminated. */
ASFF_API char *asff_strndup(void *any_object, const char *s, size_t len);
/** A new asff_int holding value. */
ASFF_API asff_int *asff_int_new(void *any_object, int64_t value);
/** A new double holding value. */
ASFF_API double *asff_double_new(void *any_object, double value);
/** A new bool holding value. */
ASFF_API bool *asff_bool_new(void *any_object, bool value);

/** Typed shorthands: ASFF_NEW(f, Severity) is a new asff_Severity in f's arena. */
#define ASFF_NEW(any_object, Type) ((asff_##Type *)asff_object_new((any_object), ASFF_TID_##Type))
/** Typed shorthand: a new root asff_Type in an arena of its own (alloc NULL = libc). */
#define ASFF_NEW_ROOT(Type, alloc) ((asff_##Type *)asff_object_new_root(ASFF_TID_##Type, (alloc)))

/** Setters by member name, for bindings and generic code (C code may assign members directly).
 * ASFF_ERR_NOT_FOUND: no such member; ASFF_ERR_TYPE: the member holds another kind. Values are copied. */
ASFF_API asff_status asff_set_string(void *object, const char *member, const char *value);
/** Set an integer member. */
ASFF_API asff_status asff_set_int(void *object, const char *member, int64_t value);
/** Set a double member. */
ASFF_API asff_status asff_set_double(void *object, const char *member, double value);
/** Set a boolean member. */
ASFF_API asff_status asff_set_bool(void *object, const char *member, bool value);
/** Remove a member (typed or unknown) so that it is absent. */
ASFF_API asff_status asff_unset(void *object, const char *member);
/** The object-valued member, created empty when absent (create) or NULL when absent (!create). */
ASFF_API void *asff_get_object(void *object, const char *member, bool create);

/** Append to a list member (the list becomes present). asff_list_append_object returns the new
 * element (NULL on error: out of memory, no such list, or a list of another kind). */
ASFF_API asff_status asff_list_append_string(void *object, const char *member, const char *value);
/** Append an integer to a list member. */
ASFF_API asff_status asff_list_append_int(void *object, const char *member, int64_t value);
/** Append a new empty object to a list of objects and return it. */
ASFF_API void *asff_list_append_object(void *object, const char *member);
/** Generic append of an already-built item pointer to the list at slot (a member's storage). */
ASFF_API asff_status asff_list_push(void *any_object, void *list_slot, void *item);

/** Set key to value in a string map member (replacing an existing key, else appending). */
ASFF_API asff_status asff_map_set(void *object, const char *member, const char *key, const char *value);
/** Map of objects: the value object for key, created when absent. NULL on error. */
ASFF_API void *asff_map_get_object(void *object, const char *member, const char *key, bool create);
/** Generic insert at a map slot (key and value already allocated; key replaced if present). */
ASFF_API asff_status asff_map_push(void *any_object, void *map_slot, char *key, void *value);

/** Keep an unknown member: json must be one valid compact JSON value (it is copied, not checked).
 * Replaces an unknown member of the same name. */
ASFF_API asff_status asff_extra_set(void *object, const char *name, const char *json);
/** The unknown member name, or NULL. */
ASFF_API const asff_extra *asff_extra_get(const void *object, const char *name);

/** Record that member index (or nmembers + extra number) was read next; used by the parser. */
ASFF_API asff_status asff_object_note_order(void *object, uint32_t index);

/* --- reflection ---------------------------------------------------------------------------- */

/** Address of a member's storage inside object (e.g. a char ** for a string member). */
ASFF_API void *asff_member_slot(const void *object, const asff_member *member);
/** Whether the member is present (see presence rules above). */
ASFF_API bool asff_member_present(const void *object, const asff_member *member);

/**
 * Iterate the present members of one object in the order the writer uses: first the order they were
 * read in (parsed objects), then present typed members not seen in the input, in model order, then
 * unknown members not yet listed. Members that are JSON null in the input appear as extras.
 */
typedef struct asff_field {
    const asff_member *member;   /**< typed member, or NULL for an unknown one */
    const asff_extra *extra;     /**< unknown member, or NULL */
    void *slot;                  /**< typed member: its storage (asff_member_slot) */
} asff_field;

/** An iterator over the present members of an object (asff_iter_init, asff_iter_next); a plain struct the caller owns. */
typedef struct asff_iter {
    const void *object; /**< the object walked */
    uint32_t phase;              /**< internal: typed members, then unknown ones */
    uint32_t pos;                /**< internal: the next position */
    const asff_extra *next_extra; /**< internal: the next unknown member */
    uint64_t seen[8];            /**< typed members already yielded (types have at most 512 members) */
} asff_iter;

/** Start iterating over the members of object, typed members in read order first. */
ASFF_API void asff_iter_init(asff_iter *it, const void *object);
/** Fills *field and returns true, or returns false at the end. */
ASFF_API bool asff_iter_next(asff_iter *it, asff_field *field);

/** A depth-first walk over every present value below an object. */
typedef enum asff_walk_event {
    ASFF_WALK_OBJECT_BEGIN = 1,
    ASFF_WALK_OBJECT_END,
    ASFF_WALK_LIST_BEGIN,
    ASFF_WALK_LIST_END,
    ASFF_WALK_MAP_BEGIN,
    ASFF_WALK_MAP_END,
    ASFF_WALK_SCALAR,           /**< string, int, double, bool or JSON document */
    ASFF_WALK_EXTRA             /**< an unknown member: extra->json holds its value */
} asff_walk_event;

/** One value met by asff_walk; valid during the callback. */
typedef struct asff_walk_item {
    asff_walk_event event; /**< what was met */
    const char *path;            /**< JSON Pointer of the value ("/Resources/0/Id"), valid during the call */
    unsigned depth;              /**< 0 for the root object */
    const asff_member *member;   /**< the member holding the value (for list items and map values: the
                                    list or map member); NULL for the root and for extras */
    const char *name;            /**< member name, map key, or NULL for list items and the root */
    size_t index;                /**< list index or map position */
    asff_kind kind;              /**< the value's kind */
    const void *value;           /**< char *, asff_int *, double *, bool *, object, asff_list *, asff_map * */
    const asff_extra *extra;     /**< ASFF_WALK_EXTRA only */
} asff_walk_item;

/** Return 0 to go on, ASFF_WALK_SKIP (on a *_BEGIN) to skip the children, anything else to stop:
 * asff_walk then returns ASFF_ERR_ABORTED. */
#define ASFF_WALK_SKIP 1
/** Called by asff_walk for each event, with ctx. */
typedef int (*asff_walk_fn)(void *ctx, const asff_walk_item *item);

/** Walk object (any model object) depth-first. Paths longer than ASFF_ERROR_PATH_SIZE are truncated. */
ASFF_API asff_status asff_walk(const void *object, asff_walk_fn fn, void *ctx);

#ifdef __cplusplus
}
#endif
#endif /* ASFF_OBJECT_H */
