/* Internal pieces shared by the files of lib/validate; not installed. */
#ifndef ASFF_VALIDATE_INTERNAL_H
#define ASFF_VALIDATE_INTERNAL_H

#include "asff/validate.h"
#include "core/internal.h"

struct asff_report {
    const asff_allocator *alloc;
    asff_arena *arena;            /* every string of the entries; reset by clear */
    asff_violation *v;
    size_t nv, cv;
    asff_change *c;
    size_t nc, cc;
    size_t errors, warnings, advice;
    asff_buf ptr;                 /* scratch: JSON Pointer of the value being checked */
    asff_buf spath;               /* scratch: dotted schema path ("Resources.Details.Other") */
    asff_buf json;                /* asff_report_to_json output */
    struct v_plan **plans;        /* per type id, built on first use (validate.c plan_of) */
    size_t ntypes;
};

/* What the walk needs of one member of a type: its offset, its documented rules and flags. */
typedef struct v_slot {
    uint32_t offset;
    uint16_t rfirst;              /* its rules: asff__v_rules[rfirst], nrules of them */
    uint8_t nrules;
    uint8_t flags;                /* V_SLOT_* */
    uint16_t maxlen, minlen;      /* V_SLOT_PLAIN, V_SLOT_PAIRS' values: byte lengths that pass the
                                     length rules without counting code points */
    uint16_t kmaxlen, kminlen;    /* V_SLOT_PAIRS: the same for the keys */
} v_slot;

#define V_SLOT_REQUIRED 1u        /* a required member */
#define V_SLOT_PLAIN 2u           /* a string whose checks are at most lengths and a timestamp: inline */
#define V_SLOT_TIMESTAMP 4u       /* ... that is a timestamp */
#define V_SLOT_ENUM 32u           /* ... whose value must be one of the member's enum */
#define V_SLOT_PAIRS 8u           /* a map of strings whose checks are lengths (and tag values): inline */
#define V_SLOT_TAGS 16u           /* ... whose values are tag values (RES-7) */

typedef struct v_plan {
    bool required;                /* the type has required members */
    v_slot slot[];                /* one per member, in the type's member order */
} v_plan;

/* Append a violation. The rule id is cat, or cat "." spath, or cat "." spath "." suffix (each part
 * only when non-NULL). path "" = whole finding. Strings are copied. */
asff_status asff__vr_add(asff_report *r, asff_level level, const char *cat, const char *spath, const char *suffix,
                   const char *ref, const char *path, const char *limit, const char *actual, uint64_t finding,
                   const char *fmt, ...) ASFF_PRINTF(11, 12);
/* The same with a va_list. cat, ref and a fmt without '%' must be static strings: they are not copied. */
asff_status asff__vr_addv(asff_report *r, asff_level level, const char *cat, const char *spath, const char *suffix,
                    const char *ref, const char *path, const char *limit, const char *actual, uint64_t finding,
                    const char *fmt, va_list ap) ASFF_PRINTF(11, 0);
/* A violation whose strings are all static (nothing is copied). */
asff_status asff__vr_add_static(asff_report *r, asff_level level, const char *id, const char *ref, const char *path,
                          const char *message, uint64_t finding);
/* Append a change (values copied; NULL = absent). */
asff_status asff__vr_change(asff_report *r, const char *rule, const char *path, const char *old_value,
                      const char *new_value, uint64_t finding);

/* UTF-8 helpers (the input is valid UTF-8 from the parser; anything else is counted bytewise). */
size_t asff__v_codepoints(const char *s, size_t len);
/* Byte length of the longest prefix of s[len] with at most n code points. */
size_t asff__v_prefix_codepoints(const char *s, size_t len, size_t n);
/* Byte length <= max that ends on a code point boundary. */
size_t asff__v_prefix_bytes(const char *s, size_t len, size_t max);
/* Whether s holds a character that is not white space (the model's pattern .*\S.*). */
bool asff__v_has_nonspace(const char *s, size_t len);

/* The value of a JSON number text s[len] as an exact whole number: 1 and *out set; 0 when it is
 * not a whole number (0.5); -1 when it is whole but outside int64; -2 when it is not a number. */
int asff__number_int(const char *s, size_t len, int64_t *out);

/* The parts of a ProductArn that passes the ID-14 syntax check. */
typedef struct v_arn {
    const char *partition, *region, *account, *company, *product;
    size_t partition_len, region_len, account_len, company_len, product_len;
} v_arn;
/* Parse s against ^arn:aws[a-z-]*:securityhub:[a-z0-9-]+:([0-9]{12})?:product/[^/]+/[^/]+$ */
bool asff__v_parse_product_arn(const char *s, v_arn *out);
/* A known partition (aws, aws-cn, aws-us-gov). */
bool asff__v_known_partition(const char *s, size_t len);
/* A /default ARN (custom integration): company id = account = 12 digits, product "default". */
bool asff__v_arn_is_default(const v_arn *a);

/* Documented checks per member (validate.c): what normalize needs to know about limits. */
typedef enum v_check {
    V_LEN = 1,      /* string length in code points: min..max */
    V_COUNT,        /* list items or map pairs: min..max */
    V_RANGE,        /* integer value: min..max */
    V_TS,           /* timestamp (TS-*) */
    V_TYPES,        /* Types entries (TY-*) */
    V_KEYLEN,       /* map keys: length max */
    V_VALLEN,       /* map values: length max */
    V_SCHEMA,       /* SchemaVersion literal */
    V_ACCOUNT,      /* 12 digits */
    V_ARN,          /* ProductArn syntax */
    V_TAGS          /* RES-7 tag values (warning) */
} v_check;

typedef struct v_rule {
    unsigned tid;            /* ASFF_TID_ of the type holding the member */
    uint32_t offset;         /* the member's offset in its struct (asff_member.offset) */
    const char *member;
    uint8_t check;           /* v_check */
    int64_t min, max;
    const char *ref;         /* docs/reference/rules.md id */
} v_rule;

extern const v_rule asff__v_rules[];   /* sorted by (tid, offset) */
extern const size_t asff__v_rule_count;

/* The rules of type tid: *count entries from the returned one (binary search). */
const v_rule *asff__v_rules_of(unsigned tid, size_t *count);

/* The string limit every value has (SZ-3: shorter than 32768 bytes). */
#define V_MAX_STRING_BYTES 32767

#endif
