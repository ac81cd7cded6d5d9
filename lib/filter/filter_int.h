/* Internals of lib/filter shared by its files; not installed. */
#ifndef ASFF_FILTER_INT_H
#define ASFF_FILTER_INT_H

#include <yajl/yajl_tree.h>
#include "asff/filter.h"
#include "asff/model.h"
#include "core/internal.h"
#include "core/json.h"

/* Filter types of the attributes (filter-attributes.tsv column filter_type). */
enum { FT_STRING, FT_NUMBER, FT_DATE, FT_IP, FT_MAP, FT_BOOLEAN, FT_KEYWORD };

#define FA_DEPRECATED 1u
#define FA_RULE 2u       /* also an AutomationRulesFindingFilters criterion */
#define FA_RULE100 4u    /* up to 100 entries as a rule criterion */

typedef struct filter_attr_def {
    const char *name;
    unsigned char type;
    const char *path;    /* "Resources[].Details.AwsEc2Instance.IpV4Addresses[]"; "" for Keyword */
    unsigned flags;
} filter_attr_def;

extern const filter_attr_def asff__filter_attrs[];     /* sorted by name (bytewise) */
extern const unsigned asff__filter_attr_count;
extern const asff_managed_insight asff__filter_managed[];
extern const unsigned asff__filter_managed_count;

const filter_attr_def *asff__filter_attr_find(const char *name, size_t len);
/* Add the finding member that attribute d reads to proj (Keyword: every member). */
asff_status asff__filter_project_attr(const filter_attr_def *d, asff_projection *proj, asff_error *err);

/* A resolved ASFF path: one step per member, offsets into the structs. */
#define FPATH_MAX 8
typedef struct fstep {
    uint32_t offset;
    uint8_t kind;        /* asff_kind of the member */
    uint8_t elem_kind;   /* LIST/MAP: kind of the items */
} fstep;

typedef struct fpath {
    fstep steps[FPATH_MAX];
    unsigned n;
} fpath;

asff_status asff__fpath_resolve(const char *path, fpath *out);

/* Leaf visitor: kind is STRING (v = const char *), INT (asff_int *), DOUBLE (double *), BOOL (bool *)
 * or MAP (asff_strmap *). Return nonzero to stop. */
typedef int (*fvisit_fn)(void *ctx, unsigned kind, const void *v);
int asff__fpath_visit(const void *object, const fpath *p, fvisit_fn fn, void *ctx);

/* Comparisons of String and Map entries. Negatives are the positive ones + 3. */
enum { CMP_EQUALS, CMP_PREFIX, CMP_CONTAINS, CMP_NOT_EQUALS, CMP_PREFIX_NOT_EQUALS, CMP_NOT_CONTAINS };

/* Number keys (bit i set when key i is given). */
enum { NUM_GTE, NUM_LTE, NUM_EQ, NUM_GT, NUM_LT, NUM_KEYS };

enum { DATE_FIXED, DATE_WITHIN, DATE_OLDER_THAN };

typedef struct fentry {
    uint8_t op;          /* String/Map: CMP_*; Date: DATE_*; Number: key bits */
    uint8_t family;      /* Ip: 4 or 6 */
    uint8_t prefix;      /* Ip: prefix length */
    bool bval;           /* Boolean */
    const char *str;     /* String/Map value; Keyword value */
    size_t len;
    const char *key;     /* Map key */
    const char *start, *end;   /* Date: the original text; Ip: Cidr text in start */
    int64_t drange;      /* DateRange.Value */
    int64_t t0s, t1s;    /* Date: bounds (seconds, nanos) */
    int32_t t0n, t1n;
    double num[NUM_KEYS];
    uint8_t ip[16];
} fentry;

typedef struct fcond {
    const filter_attr_def *def;
    fpath path;
    fentry *entries;     /* String/Map: positives first, then negatives; else input order */
    size_t n, npos;
    fentry *orig;        /* entries in input order (for canonical JSON) */
} fcond;

struct asff_filter {
    const asff_allocator *alloc;
    bool portable_scan;  /* tests: the portable prefilter scan even where SIMD is built */
    const asff_type *finding_type;
    asff_arena *arena;
    fcond *conds;        /* sorted by attribute name */
    size_t n;
    asff_filter_options opt;
    uint16_t lit[16];    /* prefilter: conds whose values must occur in the text, most selective first */
    size_t nlit;
    bool lit_slash, lit_special;  /* some prefilter value holds '/'; or '"', '\\' or a control char */
};

/* Compile an already parsed filter object; base is the JSON Pointer of node ("" or "/Criteria"). */
asff_status asff__filter_compile_node(yajl_val node, const char *base, const asff_filter_options *opt,
                                asff_filter **out, asff_error *err);
/* The limits of every JSON text lib/filter reads (filters, rules, sort criteria). */
#define ASFF__FILTER_MAX_DEPTH 64u
#define ASFF__FILTER_MAX_BYTES ((size_t)16 << 20)
/* asff__json_parse of json[len] with those limits: no recursion, no U+0000, no duplicate keys, valid
 * UTF-8. Free the tree with asff__json_free(tree, alloc). */
asff_status asff__filter_parse_json(const char *json, size_t len, const asff_allocator *alloc, yajl_val *out,
                                    asff_error *err);
/* Fill err with code, message and path. */
asff_status asff__filter_fail(asff_error *err, asff_status code, const char *path, const char *fmt, ...) ASFF_PRINTF(4, 5);

/* dst[size] = a + b, truncated. */
void asff__filter_path_cat(char *dst, size_t size, const char *a, const char *b);

/* asff_timestamp_parse as a predicate: the filter compares instants at full (nanosecond) precision. */
bool asff__filter_ts_parse(const char *s, size_t len, int64_t *seconds, int32_t *nanos);

/* Sort key helpers. */
int asff__fvalue_compare_ts(const char *a, const char *b);

/* A JSON number of a yajl_tree as a double, read from its text in the C locale (yajl_tree's own
 * double follows LC_NUMERIC). False when v is not a number or out of a double's range. */
bool asff__fjson_double(yajl_val v, double *out);

/* Tests: true runs the prefilter's portable scan where the SIMD one is built (filter.c). */
/* Tests: run the portable prefilter scan in SIMD builds too. */
void asff__filter_use_portable_scan(asff_filter *f, bool on);

#endif
