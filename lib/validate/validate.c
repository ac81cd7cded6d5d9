/*
 * asff_validate: one recursive pass over the typed finding, driven by the generated descriptors
 * (required members, enums, model bounds) and by the documented rule table (rules.c), then the
 * finding-wide rules (severity presence, consistency, size). No allocation beyond the report's
 * reused buffers and the strings of the violations found.
 */
#include <stdio.h>
#include <string.h>
#include "asff/codec.h"
#include "vinternal.h"

/* Until lib/codec lands in every build, measure only when asff_json_size is linked in. */
#if defined(__GNUC__) || defined(__clang__)
extern size_t asff_json_size(const void *object) __attribute__((weak));
#define HAVE_JSON_SIZE() (asff_json_size != NULL)
#else
#define HAVE_JSON_SIZE() 1
#endif

/* One step of the path to the value being checked. Paths are built only when a violation is
 * reported: the walk itself copies no strings. */
typedef struct frame {
    const char *name;           /* member name or map key; NULL for a list index */
    size_t index;
    bool schema;                /* a member: part of the dotted schema path of rule ids */
} frame;

#define MAX_FRAMES 256          /* 2 per nesting level; the parser's default depth limit is 64 */

typedef struct vwalk {
    asff_report *r;
    const asff_validate_options *o;
    asff_status st;             /* first failure of the report itself (out of memory) */
    size_t bound;               /* upper bound of the compact JSON size, to skip measuring it */
    bool arn_ok;                /* the finding's ProductArn parsed (once, for every rule using it) */
    const asff_AwsSecurityFinding *finding;
    bool created_ok, updated_ok; /* CreatedAt/UpdatedAt parsed by the walk (for TS-10 order) */
    int64_t created_ms, updated_ms;
    v_arn arn;
    unsigned nf;
    frame f[MAX_FRAMES];
} vwalk;

/* Worst case of one string in JSON: every byte escaped as \u00XX, plus quotes. */
#define STR_BOUND(n) (6 * (n) + 2)

static bool fpush(vwalk *w, const char *name, size_t index, bool schema)
{
    if (w->nf == MAX_FRAMES)
        return false;
    w->f[w->nf].name = name;
    w->f[w->nf].index = index;
    w->f[w->nf].schema = schema;
    w->nf++;
    return true;
}

/* The JSON Pointer and the dotted schema path of the current value, into the report's buffers. */
static bool materialize(vwalk *w)
{
    asff_buf *p = &w->r->ptr, *sp = &w->r->spath;
    unsigned i;
    asff__buf_reset(p);
    asff__buf_reset(sp);
    if (asff__buf_reserve(p, 64) != ASFF_OK || asff__buf_reserve(sp, 64) != ASFF_OK)
        return false;
    for (i = 0; i < w->nf; i++) {
        const frame *fr = &w->f[i];
        if (!fr->name) {
            if (asff__buf_appendf(p, "/%zu", fr->index) != ASFF_OK)
                return false;
            continue;
        }
        if (asff__buf_pointer_token(p, fr->name, strlen(fr->name)) != ASFF_OK)
            return false;
        if (fr->schema && ((sp->len && asff__buf_putc(sp, '.') != ASFF_OK) ||
                           asff__buf_append(sp, fr->name, strlen(fr->name)) != ASFF_OK))
            return false;
    }
    return true;
}

/* ---- adding violations ---------------------------------------------------------------------- */

/* A violation at the current path, rule id cat "." spath ["." suffix]. */
static void vadd(vwalk *w, asff_level lvl, const char *cat, const char *suffix, const char *ref, const char *limit,
                 const char *actual, const char *fmt, ...) ASFF_PRINTF(8, 9);
static void vadd(vwalk *w, asff_level lvl, const char *cat, const char *suffix, const char *ref, const char *limit,
                 const char *actual, const char *fmt, ...)
{
    va_list ap;
    asff_status s;
    if (w->st != ASFF_OK)
        return;
    if (!materialize(w)) {
        w->st = ASFF_ERR_NOMEM;
        return;
    }
    va_start(ap, fmt);
    s = asff__vr_addv(w->r, lvl, cat, w->r->spath.len ? w->r->spath.data : NULL, suffix, ref, w->r->ptr.data, limit, actual,
                w->o->index, fmt, ap);
    va_end(ap);
    if (s != ASFF_OK)
        w->st = s;
}

/* A violation with a fixed (static) rule id at path, or at the current path when path is NULL. */
static void vadd_id(vwalk *w, asff_level lvl, const char *id, const char *ref, const char *path, const char *limit,
                    const char *actual, const char *fmt, ...) ASFF_PRINTF(8, 9);
static void vadd_id(vwalk *w, asff_level lvl, const char *id, const char *ref, const char *path, const char *limit,
                    const char *actual, const char *fmt, ...)
{
    va_list ap;
    asff_status s;
    if (w->st != ASFF_OK)
        return;
    if (!path) {
        if (!materialize(w)) {
            w->st = ASFF_ERR_NOMEM;
            return;
        }
        path = w->r->ptr.data;
    }
    va_start(ap, fmt);
    s = asff__vr_addv(w->r, lvl, id, NULL, NULL, ref, path, limit, actual, w->o->index, fmt, ap);
    va_end(ap);
    if (s != ASFF_OK)
        w->st = s;
}

/* A violation of static strings only (the finding-wide warnings that every export triggers). */
static void vadd_static(vwalk *w, asff_level lvl, const char *id, const char *ref, const char *path, const char *msg)
{
    asff_status s;
    if (w->st != ASFF_OK)
        return;
    s = asff__vr_add_static(w->r, lvl, id, ref, path, msg, w->o->index);
    if (s != ASFF_OK)
        w->st = s;
}

/* A short quotable excerpt of a value for "actual". */
static const char *excerpt(const char *s, char *buf, size_t size)
{
    size_t len = strlen(s), n = asff__v_prefix_bytes(s, len, size - 4);
    if (n == len)
        return s;
    memcpy(buf, s, n);
    memcpy(buf + n, "...", 4);
    return buf;
}

/* Suffixes of map rule ids; compared by address. */
static const char SUFFIX_KEY[] = "key";
static const char SUFFIX_VALUE[] = "value";

static bool all_digits12(const char *s, size_t len)
{
    size_t i;
    if (len != 12)
        return false;
    for (i = 0; i < 12; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

/* REQ-7 with the common case inline: a printable ASCII first byte. */
static bool nonspace(const char *s, size_t len)
{
    unsigned char c = (unsigned char)s[0];
    if (c > 0x20 && c < 0x7F)
        return true;
    return asff__v_has_nonspace(s, len);
}

/* ---- checks on one value ------------------------------------------------------------------ */

static void length_slow(vwalk *w, const char *s, size_t len, int64_t min, int64_t max, const char *suffix,
                        const char *ref)
{
    size_t cp;
    char lim[48], act[24];
    cp = asff__v_codepoints(s, len);
    if ((int64_t)cp > max) {
        snprintf(lim, sizeof lim, "%lld", (long long)max);
        snprintf(act, sizeof act, "%zu", cp);
        vadd(w, ASFF_LEVEL_ERROR, "length", suffix, ref, lim, act, "longer than %lld characters (%zu)",
             (long long)max, cp);
    } else if ((int64_t)cp < min && cp > 0) {
        snprintf(lim, sizeof lim, "%lld", (long long)min);
        snprintf(act, sizeof act, "%zu", cp);
        vadd(w, ASFF_LEVEL_ERROR, "length", suffix, ref, lim, act, "shorter than %lld characters (%zu)",
             (long long)min, cp);
    }
}

/* Cheap exit inline: byte length bounds code points from above, and any byte is at least one. */
static inline void check_length(vwalk *w, const char *s, size_t len, int64_t min, int64_t max, const char *suffix,
                                const char *ref)
{
    if (len <= (size_t)max && (min <= 1 || len >= (size_t)min * 4))
        return;
    length_slow(w, s, len, min, max, suffix, ref);
}

static void check_timestamp(vwalk *w, const char *s, size_t len)
{
    int64_t ms;
    char ex[72];
    bool keep = s == w->finding->CreatedAt || s == w->finding->UpdatedAt;
    asff_status st = keep ? asff_timestamp_to_ms(s, len, &ms) : asff__timestamp_check(s, len);
    if (st == ASFF_OK && keep) {
        if (s == w->finding->CreatedAt) {
            w->created_ok = true;
            w->created_ms = ms;
        } else if (s == w->finding->UpdatedAt) {
            w->updated_ok = true;
            w->updated_ms = ms;
        }
    } else if (st == ASFF_ERR_SYNTAX)
        vadd(w, ASFF_LEVEL_ERROR, "timestamp", NULL, "TS-1", "YYYY-MM-DDTHH:MM:SS[.fffffffff](Z|+HH:MM)",
             excerpt(s, ex, sizeof ex), "not a timestamp of the form YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM)");
    else if (st == ASFF_ERR_RANGE)
        vadd(w, ASFF_LEVEL_ERROR, "timestamp", NULL, "TS-10", NULL, excerpt(s, ex, sizeof ex),
             "date, time or offset out of range");
}

static const char *const taxonomy_ns[] = {"Software and Configuration Checks", "TTPs", "Effects",
                                          "Unusual Behaviors", "Sensitive Data Identifications"};

/* Documented categories per namespace (TY-4), only consulted in strict mode. */
static const char *const taxonomy_cat[][11] = {
    {"Vulnerabilities", "AWS Security Best Practices", "Industry and Regulatory Standards", "Patch Management", NULL},
    {"Initial Access", "Execution", "Persistence", "Privilege Escalation", "Defense Evasion", "Credential Access",
     "Discovery", "Lateral Movement", "Collection", "Command and Control", NULL},
    {"Data Exposure", "Data Exfiltration", "Data Destruction", "Denial of Service", "Resource Consumption", NULL},
    {"Application", "Network Flow", "IP address", "User", "VM", "Container", "Serverless", "Process", "Database",
     "Data", NULL},
    {"PII", "Passwords", "Legal", "Financial", "Security", "Business", NULL},
};

static int find_ns(const char *s, size_t n)
{
    size_t i;
    for (i = 0; i < sizeof taxonomy_ns / sizeof taxonomy_ns[0]; i++)
        if (strlen(taxonomy_ns[i]) == n && memcmp(taxonomy_ns[i], s, n) == 0)
            return (int)i;
    return -1;
}

static bool known_category(int ns, const char *s, size_t n)
{
    size_t i;
    for (i = 0; taxonomy_cat[ns][i]; i++)
        if (strlen(taxonomy_cat[ns][i]) == n && memcmp(taxonomy_cat[ns][i], s, n) == 0)
            return true;
    return false;
}

/* TY-5, TY-6, TY-8 on one entry. */
static void check_type_entry(vwalk *w, const char *s)
{
    const char *seg[3] = {NULL, NULL, NULL};
    size_t seglen[3] = {0, 0, 0};
    size_t nseg = 0, start = 0, i, len = strlen(s);
    bool empty = false;
    char ex[72], n[24];
    int ns;
    for (;;) {
        const char *slash = memchr(s + start, '/', len - start);
        i = slash ? (size_t)(slash - s) : len;
        if (i == start)
            empty = true;
        if (nseg < 3) {
            seg[nseg] = s + start;
            seglen[nseg] = i - start;
        }
        nseg++;
        if (!slash)
            break;
        start = i + 1;
    }
    if (empty)
        vadd_id(w, ASFF_LEVEL_ERROR, "types.empty_segment", "TY-6", NULL, NULL, excerpt(s, ex, sizeof ex),
                "Types entry with an empty segment (leading, trailing or double '/')");
    if (nseg > 3) {
        snprintf(n, sizeof n, "%zu", nseg);
        vadd_id(w, ASFF_LEVEL_ERROR, "types.segments", "TY-5", NULL, "3", n,
                "Types entry with %zu segments; at most 3 (namespace/category/classifier)", nseg);
    }
    if (seglen[0] == 0)
        return;
    ns = find_ns(seg[0], seglen[0]);
    if (ns < 0) {
        size_t nl = seglen[0] < 60 ? seglen[0] : 60;
        memcpy(ex, seg[0], nl);
        ex[nl] = '\0';
        vadd_id(w, w->o->strict_taxonomy ? ASFF_LEVEL_ERROR : ASFF_LEVEL_WARNING, "types.namespace", "TY-8",
                NULL, NULL, ex, "Types namespace outside the ASFF taxonomy");
    } else if (w->o->strict_taxonomy && nseg >= 2 && seglen[1] > 0 && !known_category(ns, seg[1], seglen[1])) {
        size_t nl = seglen[1] < 60 ? seglen[1] : 60;
        memcpy(ex, seg[1], nl);
        ex[nl] = '\0';
        vadd_id(w, ASFF_LEVEL_WARNING, "types.category", "TY-4", NULL, NULL, ex,
                "Types category not documented for namespace '%s'", taxonomy_ns[ns]);
    }
}

static bool enum_has(const asff_enum *e, const char *s)
{
    unsigned i;
    for (i = 0; i < e->count; i++)
        if (e->values[i] && e->values[i][0] == s[0] && strcmp(e->values[i], s) == 0)
            return true;
    return false;
}

/* Checks every string gets (SZ-3, REQ-7), then the model's and the documented ones. suffix is
 * "key"/"value" for map keys and values, NULL otherwise. */
/* Violation reports of check_string, kept out of line so that the common path stays small. */
#if defined(__GNUC__) || defined(__clang__)
#define COLD __attribute__((noinline, cold))
#else
#define COLD
#endif

static COLD void bad_size(vwalk *w, size_t len)
{
    char act[24];
    snprintf(act, sizeof act, "%zu", len);
    vadd_id(w, ASFF_LEVEL_ERROR, "size.string", "SZ-3", NULL, "32767", act,
            "string of %zu bytes; every value must be shorter than 32768 bytes", len);
}

static COLD void bad_blank(vwalk *w, size_t len, const char *suffix)
{
    vadd(w, ASFF_LEVEL_ERROR, "nonempty", suffix, "REQ-7", NULL, len ? "white space" : "",
         len ? "only white space; a non-blank value is required" : "empty string; a non-blank value is required");
}

static COLD void bad_value(vwalk *w, asff_level lvl, const char *cat, const char *suffix, const char *ref,
                           const char *limit, const char *s, const char *msg)
{
    char act[72];
    vadd(w, lvl, cat, suffix, ref, limit, excerpt(s, act, sizeof act), "%s", msg);
}

static COLD void bad_enum(vwalk *w, const char *s, const asff_enum *e)
{
    char act[72];
    vadd(w, ASFF_LEVEL_ERROR, "enum", NULL, "FLD-13", e->name, excerpt(s, act, sizeof act), "'%s' is not a %s value",
         excerpt(s, act, sizeof act), e->name);
}

/*
 * Model patterns. `.*\S.*` (NonEmptyString) is REQ-7 above; the one other pattern on a member
 * reachable from a finding is AwsIamRoleAssumeRolePolicyDocument's `[\t\n\r\x20-\x7E\xA1-\xFF]+`
 * (code points), checked by hand since the library has no regex engine. Patterns of request shapes
 * (ClientToken, TagKey, ...) are not reached from findings; an unknown pattern is not checked.
 */
#define PATTERN_NONBLANK ".*\\S.*"
#define PATTERN_POLICY "[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u00A1-\\u00FF]+"

/* The flag first: most strings are NonEmptyString, and the flags share a cache line with the name
 * while the pattern pointer sits at the end of the descriptor. */
static bool exotic_pattern(const asff_member *m)
{
    return !(m->flags & ASFF_MF_NONEMPTY) && m->pattern && strcmp(m->pattern, PATTERN_NONBLANK) != 0;
}

/* [\t\n\r\x20-\x7E\xA1-\xFF]+ over the UTF-8 text: U+00A1..U+00FF are C2 A1..BF and C3 80..BF. */
static bool policy_chars_ok(const unsigned char *s, size_t len)
{
    size_t i;
    if (!len)
        return false;
    for (i = 0; i < len; i++) {
        unsigned char c = s[i];
        if ((c >= 0x20 && c <= 0x7E) || c == '\t' || c == '\n' || c == '\r')
            continue;
        if (i + 1 < len && ((c == 0xC2 && s[i + 1] >= 0xA1 && s[i + 1] <= 0xBF) ||
                            (c == 0xC3 && s[i + 1] >= 0x80 && s[i + 1] <= 0xBF))) {
            i++;
            continue;
        }
        return false;
    }
    return true;
}

static COLD void check_pattern(vwalk *w, const char *s, size_t len, const asff_member *m)
{
    if (strcmp(m->pattern, PATTERN_POLICY) == 0 && !policy_chars_ok((const unsigned char *)s, len))
        bad_value(w, ASFF_LEVEL_ERROR, "pattern", NULL, "M", m->pattern, s,
                  "a character outside tab, LF, CR, U+0020-U+007E and U+00A1-U+00FF (the model's pattern)");
}

/* RES-7: tag values from A-Z a-z 0-9 space . : + = @ _ / - */
static bool tag_value_ok(const char *s, size_t len, int64_t max)
{
    size_t i;
    if (len > (size_t)max)
        return false;  /* every allowed character is one byte */
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ' ' || c == '.' ||
              c == ':' || c == '+' || c == '=' || c == '@' || c == '_' || c == '/' || c == '-'))
            return false;
    }
    return true;
}

static void check_string(vwalk *w, const char *s, size_t len, const asff_member *m, const v_rule *rs,
                         size_t nrs, const char *suffix, bool is_list_item)
{
    size_t i;
    if (len > V_MAX_STRING_BYTES)
        bad_size(w, len);
    if (!m->enumeration && !nonspace(s, len)) {
        bad_blank(w, len, suffix);
        return;
    }
    if (suffix == SUFFIX_KEY) {
        for (i = 0; i < nrs; i++)
            if (rs[i].check == V_KEYLEN)
                check_length(w, s, len, rs[i].min, rs[i].max, suffix, rs[i].ref);
        return;
    }
    if (m->enumeration && !enum_has(m->enumeration, s))
        bad_enum(w, s, m->enumeration);
    if (exotic_pattern(m) && suffix != SUFFIX_VALUE)
        check_pattern(w, s, len, m);
    if (m->kind == ASFF_KIND_STRING && (m->flags & (ASFF_MF_HAS_MIN | ASFF_MF_HAS_MAX)))
        check_length(w, s, len, (m->flags & ASFF_MF_HAS_MIN) ? m->min : 0,
                     (m->flags & ASFF_MF_HAS_MAX) ? m->max : INT64_MAX, suffix, "M");
    if (m->flags & ASFF_MF_TIMESTAMP)
        check_timestamp(w, s, len);
    for (i = 0; i < nrs; i++) {
        const v_rule *r = &rs[i];
        switch (r->check) {
        case V_LEN:
            if (!suffix && !is_list_item)
                check_length(w, s, len, r->min, r->max, NULL, r->ref);
            break;
        case V_VALLEN:
            if (suffix)
                check_length(w, s, len, r->min, r->max, suffix, r->ref);
            break;
        case V_TS:
            if (!(m->flags & ASFF_MF_TIMESTAMP)) /* checked above already */
                check_timestamp(w, s, len);
            break;
        case V_TYPES:
            check_type_entry(w, s);
            break;
        case V_SCHEMA:
            if (len != 10 || memcmp(s, "2018-10-08", 10) != 0)
                bad_value(w, ASFF_LEVEL_ERROR, "format", NULL, r->ref, "2018-10-08", s,
                          "SchemaVersion must be 2018-10-08");
            break;
        case V_ACCOUNT:
            if (!all_digits12(s, len))
                bad_value(w, ASFF_LEVEL_ERROR, "format", NULL, r->ref, "12 digits", s,
                          "an AWS account id is exactly 12 digits");
            break;
        case V_ARN: {
            v_arn a;
            bool top = r->tid == ASFF_TID_AwsSecurityFinding, ok = top ? w->arn_ok : asff__v_parse_product_arn(s, &a);
            if (top)
                a = w->arn;
            if (!ok)
                bad_value(w, ASFF_LEVEL_ERROR, "format", NULL, r->ref,
                          "arn:<partition>:securityhub:<region>:[<account>]:product/<company>/<product>", s,
                          "not a ProductArn");
            else if (!asff__v_known_partition(a.partition, a.partition_len))
                bad_value(w, ASFF_LEVEL_WARNING, "format", "partition", "ID-14", "aws|aws-cn|aws-us-gov", s,
                          "unknown partition in ProductArn");
            break;
        }
        case V_TAGS:
            if (suffix == SUFFIX_VALUE && !tag_value_ok(s, len, r->max))
                bad_value(w, ASFF_LEVEL_WARNING, "format", "value", r->ref, "256 of [A-Za-z0-9 .:+=@_/-]", s,
                          "not a valid AWS tag value");
            break;
        default:
            break;
        }
    }
}

static void check_int(vwalk *w, const asff_int *v, const asff_member *m, const v_rule *rs, size_t nrs)
{
    char lim[48], act[48];
    size_t i;
    int64_t lo = INT64_MIN, hi = INT64_MAX;
    const char *ref = "M";
    bool have = false;
    if (m->flags & ASFF_MF_HAS_MIN) {
        lo = m->min;
        have = true;
    }
    if (m->flags & ASFF_MF_HAS_MAX) {
        hi = m->max;
        have = true;
    }
    for (i = 0; i < nrs; i++)
        if (rs[i].check == V_RANGE) {
            lo = rs[i].min > lo ? rs[i].min : lo;
            hi = rs[i].max < hi ? rs[i].max : hi;
            ref = rs[i].ref;
            have = true;
        }
    if (!have)
        return;
    /* A number the codec kept as text (beyond int64, or spelled "-0", "1e2", "100.0") counts by its
     * exact value: a whole number in range is valid whatever its spelling. */
    int64_t val = v->value;
    int kind = v->text ? asff__number_int(v->text, strlen(v->text), &val) : 1;
    if (kind != 1 || val < lo || val > hi) {
        snprintf(lim, sizeof lim, "%lld..%lld", (long long)lo, (long long)hi);
        if (v->text)
            snprintf(act, sizeof act, "%.40s", v->text);
        else
            snprintf(act, sizeof act, "%lld", (long long)v->value);
        if (kind == 0)
            vadd(w, ASFF_LEVEL_ERROR, "range", NULL, ref, lim, act, "%s is not a whole number (range %s)", act, lim);
        else
            vadd(w, ASFF_LEVEL_ERROR, "range", NULL, ref, lim, act, "%s out of range %s", act, lim);
    }
}

static void check_count(vwalk *w, size_t n, const asff_member *m, const v_rule *rs, size_t nrs)
{
    char lim[48], act[24];
    size_t i;
    for (i = 0; i <= nrs; i++) {
        int64_t lo, hi;
        const char *ref;
        if (i == nrs) {
            if (!(m->flags & (ASFF_MF_HAS_MIN | ASFF_MF_HAS_MAX)))
                continue;
            lo = (m->flags & ASFF_MF_HAS_MIN) ? m->min : 0;
            hi = (m->flags & ASFF_MF_HAS_MAX) ? m->max : INT64_MAX;
            ref = "M";
        } else {
            if (rs[i].check != V_COUNT)
                continue;
            lo = rs[i].min;
            hi = rs[i].max;
            ref = rs[i].ref;
        }
        if ((int64_t)n < lo || (int64_t)n > hi) {
            snprintf(lim, sizeof lim, "%lld..%lld", (long long)lo, (long long)hi);
            snprintf(act, sizeof act, "%zu", n);
            vadd(w, ASFF_LEVEL_ERROR, "count", NULL, ref, lim, act, "%zu %s; allowed %s", n,
                 m->kind == ASFF_KIND_MAP ? "pairs" : "items", lim);
            return;
        }
    }
}

/* ---- the walk ----------------------------------------------------------------------------- */

static void walk_object(vwalk *w, const void *obj, unsigned depth);

static const void *slot_ptr(const void *obj, uint32_t offset)
{
    const void *p;
    memcpy(&p, (const char *)obj + offset, sizeof p);
    return p; /* lists and maps start with items/keys: NULL means absent */
}

/* A string that neither its lengths nor REQ-7 (blank) would report: the lengths in bytes bound the
 * code points, and a printable first byte is not blank. */
static inline bool settled_text(const char *s, size_t len, size_t min, size_t max)
{
    unsigned char c = (unsigned char)s[0];
    return len <= max && len >= min && c > 0x20 && c < 0x7F;
}

/* A key or value of a V_SLOT_PAIRS map that no check would report (REQ-7, lengths, RES-7). */
static inline bool pair_string_ok(const char *s, size_t len, size_t min, size_t max, bool tag)
{
    return settled_text(s, len, min, max) && (!tag || tag_value_ok(s, len, (int64_t)max));
}

static void walk_member(vwalk *w, const void *obj, const asff_member *m, const v_slot *sl, unsigned depth)
{
    const void *slot = (const char *)obj + m->offset;
    const v_rule *rs = asff__v_rules + sl->rfirst;
    size_t i, nrs = sl->nrules;
    bool types = false;
    for (i = 0; i < nrs; i++)
        if (rs[i].check == V_TYPES)
            types = true;
    switch ((asff_kind)m->kind) {
    case ASFF_KIND_STRING: {
        const char *s = slot_ptr(obj, m->offset);
        size_t len = strlen(s);
        w->bound += STR_BOUND(len);
        check_string(w, s, len, m, rs, nrs, NULL, false);
        break;
    }
    case ASFF_KIND_INT: {
        const asff_int *v = slot_ptr(obj, m->offset);
        w->bound += v->text ? strlen(v->text) : 20;
        check_int(w, v, m, rs, nrs);
        break;
    }
    case ASFF_KIND_OBJECT:
        walk_object(w, slot_ptr(obj, m->offset), depth + 1);
        break;
    case ASFF_KIND_LIST: {
        asff_list l;
        memcpy(&l, slot, sizeof l);
        check_count(w, l.count, m, rs, nrs);
        for (i = 0; i < l.count && w->st == ASFF_OK; i++) {
            if (!l.items[i] || !fpush(w, NULL, i, false))
                continue;
            if (m->elem_kind == ASFF_KIND_STRING) {
                size_t len = strlen(l.items[i]);
                w->bound += 1 + STR_BOUND(len);
                check_string(w, l.items[i], len, m, rs, nrs, NULL, true);
                /* TY-7; quadratic, so only up to a bound far above the 50-entry limit (FLD-11). */
                if (types && l.count <= 1000) {
                    size_t j;
                    for (j = 0; j < i; j++)
                        if (l.items[j] && strcmp(l.items[j], l.items[i]) == 0) {
                            char ex[72];
                            vadd_id(w, ASFF_LEVEL_ERROR, "types.duplicate", "TY-7", NULL, NULL,
                                    excerpt(l.items[i], ex, sizeof ex), "duplicate of Types entry %zu", j);
                            break;
                        }
                }
            } else if (m->elem_kind == ASFF_KIND_OBJECT) {
                w->bound += 1;
                walk_object(w, l.items[i], depth + 1);
            } else {
                w->bound += 33;
                if (m->elem_kind == ASFF_KIND_INT)
                    check_int(w, l.items[i], m, rs, nrs);
            }
            w->nf--;
        }
        break;
    }
    case ASFF_KIND_MAP: {
        asff_map mp;
        memcpy(&mp, slot, sizeof mp);
        check_count(w, mp.count, m, rs, nrs);
        for (i = 0; i < mp.count && w->st == ASFF_OK; i++) {
            if ((sl->flags & V_SLOT_PAIRS) && mp.values[i]) {
                size_t klen = strlen(mp.keys[i]), vlen = strlen(mp.values[i]);
                if (pair_string_ok(mp.keys[i], klen, sl->kminlen, sl->kmaxlen, false) &&
                    pair_string_ok(mp.values[i], vlen, sl->minlen, sl->maxlen, (sl->flags & V_SLOT_TAGS) != 0)) {
                    w->bound += STR_BOUND(klen) + 2 + STR_BOUND(vlen);
                    continue;
                }
            }
            if (!fpush(w, mp.keys[i], 0, false))
                continue;
            size_t klen = strlen(mp.keys[i]);
            w->bound += STR_BOUND(klen) + 2;
            check_string(w, mp.keys[i], klen, m, rs, nrs, SUFFIX_KEY, false);
            if (mp.values[i]) {
                if (m->elem_kind == ASFF_KIND_STRING) {
                    size_t vlen = strlen(mp.values[i]);
                    w->bound += STR_BOUND(vlen);
                    check_string(w, mp.values[i], vlen, m, rs, nrs, SUFFIX_VALUE, false);
                }
                else if (m->elem_kind == ASFF_KIND_OBJECT)
                    walk_object(w, mp.values[i], depth + 1);
            }
            w->nf--;
        }
        break;
    }
    case ASFF_KIND_JSON:
        w->bound += strlen(slot_ptr(obj, m->offset));
        break;
    default:  /* double, bool: nothing documented to check */
        w->bound += 32;
        break;
    }
}

/* Whether member m (rules rs[n]) is a string whose only checks are lengths (the model's bounds, V_LEN),
 * a timestamp and an enum: then plain_ok settles a value that passes them, without a call (most members).
 * CreatedAt and UpdatedAt of the finding are not: check_timestamp keeps their value (TS-10). */
static bool plain_slot(const asff_type *t, const asff_member *m, const v_rule *rs, size_t n, v_slot *s)
{
    int64_t lo = 0, hi = V_MAX_STRING_BYTES;
    bool ts = (m->flags & ASFF_MF_TIMESTAMP) != 0;
    size_t i;
    if (m->kind != ASFF_KIND_STRING || exotic_pattern(m))
        return false;
    if (t->id == ASFF_TID_AwsSecurityFinding && (strcmp(m->name, "CreatedAt") == 0 || strcmp(m->name, "UpdatedAt") == 0))
        return false;
    if (m->flags & ASFF_MF_HAS_MAX)
        hi = m->max < hi ? m->max : hi;
    if ((m->flags & ASFF_MF_HAS_MIN) && m->min > 1)
        lo = m->min * 4;
    for (i = 0; i < n; i++) {
        if (rs[i].check == V_TS) {
            ts = true;
        } else if (rs[i].check == V_LEN) {
            hi = rs[i].max < hi ? rs[i].max : hi;
            if (rs[i].min > 1 && rs[i].min * 4 > lo)
                lo = rs[i].min * 4;
        } else {
            return false;
        }
    }
    if (hi < 0 || lo > V_MAX_STRING_BYTES)
        return false;
    s->maxlen = (uint16_t)hi;
    s->minlen = (uint16_t)lo;
    s->flags |= (ts ? V_SLOT_TIMESTAMP : 0) | (m->enumeration ? V_SLOT_ENUM : 0);
    return true;
}

/* Whether map member m (rules rs[n]) holds strings whose only checks are lengths of keys and values
 * and tag values: then walk_member settles a pair that passes them inline (V_SLOT_PAIRS). */
static bool pairs_slot(const asff_member *m, const v_rule *rs, size_t n, v_slot *s)
{
    int64_t klo = 0, khi = V_MAX_STRING_BYTES, vlo = 0, vhi = V_MAX_STRING_BYTES;
    bool tags = false;
    size_t i;
    if (m->kind != ASFF_KIND_MAP || m->elem_kind != ASFF_KIND_STRING || m->enumeration ||
        (m->flags & ASFF_MF_TIMESTAMP))
        return false;
    for (i = 0; i < n; i++) {
        int64_t lo = rs[i].min > 1 ? rs[i].min * 4 : 0;
        switch (rs[i].check) {
        case V_COUNT: /* check_count's */
        case V_LEN:   /* not for keys and values */
            break;
        case V_KEYLEN:
            khi = rs[i].max < khi ? rs[i].max : khi;
            klo = lo > klo ? lo : klo;
            break;
        case V_VALLEN:
            vhi = rs[i].max < vhi ? rs[i].max : vhi;
            vlo = lo > vlo ? lo : vlo;
            break;
        case V_TAGS: /* tag_value_ok: at most max bytes of its characters */
            vhi = rs[i].max < vhi ? rs[i].max : vhi;
            tags = true;
            break;
        default:
            return false;
        }
    }
    if (khi < 0 || vhi < 0 || klo > V_MAX_STRING_BYTES || vlo > V_MAX_STRING_BYTES)
        return false;
    s->kmaxlen = (uint16_t)khi;
    s->kminlen = (uint16_t)klo;
    s->maxlen = (uint16_t)vhi;
    s->minlen = (uint16_t)vlo;
    s->flags |= tags ? V_SLOT_TAGS : 0;
    return true;
}

/*
 * What the walk needs of type t, built once per report: per member its offset, the slice of the
 * documented rules that apply to it, and whether it is a plain string (most members are) that the
 * walk settles without a call. NULL only when out of memory.
 */
static const v_plan *plan_of(vwalk *w, const asff_type *t)
{
    asff_report *r = w->r;
    const v_rule *rules;
    size_t nrules, i;
    v_plan *p;
    uint32_t k;
    if (t->id < r->ntypes && r->plans[t->id])
        return r->plans[t->id];
    if (t->id >= r->ntypes || !(p = asff__malloc(r->alloc, sizeof *p + (t->nmembers + 1) * sizeof p->slot[0]))) /* + 1: never 0 bytes */
        return NULL;
    p->required = false;
    rules = asff__v_rules_of(t->id, &nrules);
    for (k = 0; k < t->nmembers; k++) {
        const asff_member *m = &t->members[k];
        v_slot *s = &p->slot[k];
        size_t n = 0;
        s->offset = m->offset;
        for (i = 0; i < nrules && rules[i].offset != m->offset; i++)
            ;
        s->rfirst = (uint16_t)(rules + i - asff__v_rules);
        while (i + n < nrules && rules[i + n].offset == m->offset && n < 255)
            n++;
        s->nrules = (uint8_t)n;
        s->flags = 0;
        s->maxlen = s->minlen = s->kmaxlen = s->kminlen = 0;
        if (m->flags & ASFF_MF_REQUIRED) {
            s->flags |= V_SLOT_REQUIRED;
            p->required = true;
        }
        if (plain_slot(t, m, rules + i, n, s))
            s->flags |= V_SLOT_PLAIN;
        else if (pairs_slot(m, rules + i, n, s))
            s->flags |= V_SLOT_PAIRS;
    }
    return r->plans[t->id] = p;
}

static COLD void missing(vwalk *w, const asff_type *t, const asff_member *m)
{
    if (fpush(w, m->name, 0, true)) {
        vadd(w, ASFF_LEVEL_ERROR, "required", NULL, t->id == ASFF_TID_AwsSecurityFinding ? "REQ-1" : "REQ-8", NULL,
             NULL, "required member missing");
        w->nf--;
    }
}

/* A plain string member s (V_SLOT_PLAIN) that no check would report: true, its size counted. */
static inline bool plain_ok(vwalk *w, const asff_member *m, const v_slot *sl, const char *s)
{
    size_t len = strlen(s);
    if (!settled_text(s, len, sl->minlen, sl->maxlen) ||
        ((sl->flags & V_SLOT_TIMESTAMP) && asff__timestamp_check(s, len) != ASFF_OK) ||
        ((sl->flags & V_SLOT_ENUM) && !enum_has(m->enumeration, s)))
        return false;
    w->bound += STR_BOUND(m->name_len) + 2 + STR_BOUND(len);
    return true;
}

static void visit(vwalk *w, const void *obj, const asff_member *m, const v_slot *sl, unsigned depth)
{
    if (!fpush(w, m->name, 0, true))
        return;
    w->bound += STR_BOUND(m->name_len) + 2 + (m->kind >= ASFF_KIND_OBJECT ? 2 : 0);
    walk_member(w, obj, m, sl, depth);
    w->nf--;
}

static void walk_object(vwalk *w, const void *obj, unsigned depth)
{
    const asff_object *o = obj;
    const asff_type *t = o ? o->type : NULL;
    const v_plan *plan;
    const asff_extra *x;
    uint32_t k;
    if (!t || depth > 200 || w->st != ASFF_OK)
        return;
    if ((plan = plan_of(w, t)) == NULL) {
        w->st = ASFF_ERR_NOMEM;
        return;
    }
    if (o->norder && t->nmembers > 32 && t->nmembers <= 512 && !plan->required) {
        /* Wide types (ResourceDetails has 100 members, one or two set): visit what was read. */
        uint64_t seen[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        uint32_t n;
        for (n = 0; n < o->norder && w->st == ASFF_OK; n++) {
            uint32_t idx = o->order[n];
            const v_slot *sl = &plan->slot[idx];
            const void *v;
            if (idx >= t->nmembers || ((seen[idx / 64] >> (idx % 64)) & 1u))
                continue;
            seen[idx / 64] |= (uint64_t)1 << (idx % 64);
            if (!(v = slot_ptr(obj, sl->offset)) || ((sl->flags & V_SLOT_PLAIN) && plain_ok(w, &t->members[idx], sl, v)))
                continue;
            visit(w, obj, &t->members[idx], sl, depth);
        }
        /* members set after parsing are not in the order: */
        for (k = 0; k < t->nmembers && w->st == ASFF_OK; k++) {
            const v_slot *sl = &plan->slot[k];
            const void *v;
            if (!(v = slot_ptr(obj, sl->offset)) || ((seen[k / 64] >> (k % 64)) & 1u) ||
                ((sl->flags & V_SLOT_PLAIN) && plain_ok(w, &t->members[k], sl, v)))
                continue;
            visit(w, obj, &t->members[k], sl, depth);
        }
    } else {
        /* In member order: the order of the report's entries. */
        for (k = 0; k < t->nmembers && w->st == ASFF_OK; k++) {
            const v_slot *sl = &plan->slot[k];
            const void *v = slot_ptr(obj, sl->offset);
            if (!v) {
                if (sl->flags & V_SLOT_REQUIRED)
                    missing(w, t, &t->members[k]);
                continue;
            }
            if ((sl->flags & V_SLOT_PLAIN) && plain_ok(w, &t->members[k], sl, v))
                continue;
            visit(w, obj, &t->members[k], sl, depth);
        }
    }
    for (x = o->extra; x && w->st == ASFF_OK; x = x->next) {
        if (!x->json || !fpush(w, x->name, 0, true))
            continue;
        w->bound += STR_BOUND(strlen(x->name)) + 2 + strlen(x->json);
        if (asff_member_find(t, x->name, strlen(x->name)))
            vadd(w, ASFF_LEVEL_WARNING, "null", NULL, "FLD-40", NULL, "null", "JSON null: the member counts as absent");
        else
            vadd(w, ASFF_LEVEL_WARNING, "unknown", NULL, "M", NULL, NULL, "member not in the model (%s)", t->name);
        w->nf--;
    }
}

/* ---- finding-wide rules ------------------------------------------------------------------- */

static bool resource_type_known(const char *type)
{
    if (strcmp(type, "AwsAccount") == 0)
        return true;
    return asff_member_find(asff_type_get(ASFF_TID_ResourceDetails), type, strlen(type)) != NULL;
}

static void finding_rules(vwalk *w, const asff_AwsSecurityFinding *f)
{
    const asff_Severity *sev = f->Severity;
    const asff_FindingProviderFields *fpf = f->FindingProviderFields;
    v_arn arn = w->arn;
    bool arn_ok = w->arn_ok;
    size_t i;
    char buf[64], buf2[64];

    /* REQ-2..REQ-4: a usable severity somewhere. */
    if (!(sev && (sev->Label || sev->Normalized)) && !(fpf && fpf->Severity && fpf->Severity->Label))
        vadd_static(w, ASFF_LEVEL_ERROR, "required.Severity", "REQ-2", "/Severity",
                    "a severity is required: Severity.Label, Severity.Normalized or FindingProviderFields.Severity.Label");
    /* SEV-5: Label is authoritative; a Normalized outside the Label's band is suspicious. */
    if (sev && sev->Label && sev->Normalized && !sev->Normalized->text) {
        const char *l = asff_severity_label(sev->Normalized->value);
        if (l && asff_severity_normalized(sev->Label) >= 0 && strcmp(l, sev->Label) != 0) {
            snprintf(buf, sizeof buf, "%lld", (long long)sev->Normalized->value);
            vadd_id(w, ASFF_LEVEL_WARNING, "severity.mismatch", "SEV-5", "/Severity/Normalized", sev->Label, buf,
                    "Normalized %lld means %s, but Label is %s", (long long)sev->Normalized->value, l, sev->Label);
        }
    }
    /* REQ-5 */
    if (!f->Types.items && !(fpf && fpf->Types.items))
        vadd_static(w, ASFF_LEVEL_WARNING, "recommended.Types", "REQ-5", "/Types",
                    "no Types: the User Guide lists Types among the required attributes");
    /* ID-13 */
    if (arn_ok && asff__v_arn_is_default(&arn) && f->AwsAccountId &&
        (strlen(f->AwsAccountId) != 12 || memcmp(f->AwsAccountId, arn.company, 12) != 0)) {
        memcpy(buf, arn.company, 12);
        buf[12] = '\0';
        vadd_id(w, ASFF_LEVEL_WARNING, "consistency.AwsAccountId", "ID-13", "/AwsAccountId", buf,
                excerpt(f->AwsAccountId, buf2, sizeof buf2),
                "AwsAccountId differs from the account of the /default ProductArn");
    }
    /* ID-15, ID-16 */
    if (!w->o->skip_service_owned) {
        if (f->Region)
            vadd_static(w, ASFF_LEVEL_WARNING, "service_owned.Region", "ID-15", "/Region",
                        "Region is set by Security Hub; strip it before import");
        if (f->ProcessedAt)
            vadd_static(w, ASFF_LEVEL_WARNING, "service_owned.ProcessedAt", "ID-15", "/ProcessedAt",
                        "ProcessedAt is set by Security Hub; strip it before import");
        if (!(arn_ok && asff__v_arn_is_default(&arn))) {
            if (f->ProductName)
                vadd_static(w, ASFF_LEVEL_WARNING, "service_owned.ProductName", "ID-16", "/ProductName",
                            "ProductName is set by Security Hub except for custom integrations (/default ProductArn)");
            if (f->CompanyName)
                vadd_static(w, ASFF_LEVEL_WARNING, "service_owned.CompanyName", "ID-16", "/CompanyName",
                            "CompanyName is set by Security Hub except for custom integrations (/default ProductArn)");
        }
    }
    /* RES-2 and ID-12 */
    for (i = 0; i < f->Resources.count; i++) {
        const asff_Resource *res = f->Resources.items[i];
        char path[64];
        if (!res)
            continue;
        if (res->Type && !resource_type_known(res->Type)) {
            snprintf(path, sizeof path, "/Resources/%zu/Type", i);
            vadd_id(w, ASFF_LEVEL_WARNING, "resource.Type", "RES-2", path, NULL, excerpt(res->Type, buf, sizeof buf),
                    "resource type is neither a ResourceDetails type nor AwsAccount; use Other");
        }
        if (res->Partition && arn_ok && asff__v_known_partition(res->Partition, strlen(res->Partition)) &&
            (strlen(res->Partition) != arn.partition_len ||
             memcmp(res->Partition, arn.partition, arn.partition_len) != 0)) {
            snprintf(path, sizeof path, "/Resources/%zu/Partition", i);
            memcpy(buf2, arn.partition, arn.partition_len < 63 ? arn.partition_len : 63);
            buf2[arn.partition_len < 63 ? arn.partition_len : 63] = '\0';
            vadd_id(w, ASFF_LEVEL_WARNING, "consistency.Partition", "ID-12", path, buf2, res->Partition,
                    "resource partition differs from the ProductArn partition");
        }
    }
    /* TS-10: CreatedAt later than UpdatedAt */
    if (w->created_ok && w->updated_ok && w->created_ms > w->updated_ms)
        vadd_id(w, ASFF_LEVEL_WARNING, "timestamp.order", "TS-10", "/CreatedAt", f->UpdatedAt, f->CreatedAt,
                "CreatedAt is later than UpdatedAt");
    /* SZ-1, SZ-2: the compact JSON encoding. */
    /* Serializing costs about as much as parsing: only when the bound says it could matter. */
    if (!w->o->skip_size && w->bound + 2 > 240000 && HAVE_JSON_SIZE()) {
        size_t n = asff_json_size(f);
        if (n > 240000) {
            bool hard = n > ASFF_FINDING_MAX_BYTES;
            snprintf(buf, sizeof buf, "%zu", n);
            vadd_id(w, hard ? ASFF_LEVEL_ERROR : ASFF_LEVEL_WARNING, "size.finding", hard ? "SZ-1" : "SZ-2", "",
                    hard ? "245760" : "240000", buf, "finding of %zu bytes of compact JSON; the limit is 240 KB", n);
        }
    }
}

asff_status asff_validate(const asff_AwsSecurityFinding *f, const asff_validate_options *options, asff_report *r)
{
    static const asff_validate_options defaults = ASFF_VALIDATE_OPTIONS_INIT;
    vwalk w;
    size_t errors;
    if (!f || !r || asff_object_type(f) != asff_type_get(ASFF_TID_AwsSecurityFinding))
        return ASFF_ERR_INVALID_ARG;
    if (options && (options->version && options->version != ASFF_VALIDATE_OPTIONS_VERSION))
        return ASFF_ERR_INVALID_ARG;
    w.r = r;
    w.o = options ? options : &defaults;
    w.st = ASFF_OK;
    w.bound = 2;
    w.nf = 0;
    w.finding = f;
    w.created_ok = w.updated_ok = false;
    w.arn_ok = f->ProductArn && asff__v_parse_product_arn(f->ProductArn, &w.arn);
    errors = r->errors;
    walk_object(&w, f, 0);
    if (w.st == ASFF_OK)
        finding_rules(&w, f);
    if (w.st != ASFF_OK)
        return w.st;
    return r->errors > errors ? ASFF_ERR_INVALID : ASFF_OK;
}
