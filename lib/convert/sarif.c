/*
 * SARIF 2.1.0 -> ASFF on yajl's push parser (docs/convert.md, "SARIF").
 *
 * Memory stays bounded by one result: the reader follows the document's structure with a depth
 * counter and builds a small tree only for the parts a finding needs: each run's `tool` (its rules
 * are referenced by the results), `invocations` and `versionControlProvenance`, kept until the
 * next run, and one result at a time, dropped as soon as its finding has been handed over.
 * Everything else is read and forgotten. Trees are built by the parser callbacks with a parent
 * pointer, and read with loops: no recursion anywhere.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <string.h>
#include <time.h>
#include <openssl/sha.h>
#include <yajl/yajl_parse.h>
#include "convert_internal.h"

#define SARIF_PIECE 65536u

typedef enum jtype { SJ_NULL, SJ_BOOL, SJ_NUM, SJ_STR, SJ_OBJ, SJ_ARR } jtype;

/* One JSON value of a kept subtree. Strings and numbers are NUL-terminated text. */
typedef struct jnode {
    struct jnode *parent, *child, *last, *next;
    const char *key;        /* member name inside an object, else NULL */
    const char *str;        /* SJ_STR, SJ_NUM: the text; SJ_BOOL: "true"/"false" */
    size_t len;
    size_t nchild;
    uint8_t type;
} jnode;

enum capture { CAP_NONE, CAP_TOOL, CAP_INVOCATIONS, CAP_VCP, CAP_RESULT };

/* A result read before its run's tool (clang writes members in alphabetical order): kept until the
 * tool arrives, within max_tool bytes. */
typedef struct pending {
    struct pending *next;
    jnode *root;
    uint64_t start, length, line;
    long index;
} pending;

struct asff_sarif_reader {
    asff_sarif_options o;
    const asff_allocator *alloc;
    asff_finding_fn on_finding;
    void *ctx;
    asff_yalloc ya;
    yajl_handle h;
    asff_arena *run_arena, *result_arena, *pending_arena;
    pending *pend_head, *pend_tail;
    uint64_t pend_bytes;
    uint64_t cap_line;

    /* where the parser is */
    size_t depth;
    bool top_seen, in_runs, in_results, runs_seen;
    int pending;                 /* the member whose value comes next, at depths 1 and 3 */
    long run_index, result_index;

    /* the subtree being kept */
    enum capture cap;
    size_t cap_depth;            /* depth at which the captured value was opened */
    uint64_t cap_start;
    jnode *cap_root, *cur;
    const char *next_key;

    /* the current run */
    jnode *tool, *invocations, *vcp;
    jnode **rules;
    size_t nrules;
    char now[32];

    /* positions */
    uint64_t base;               /* stream offset of the piece being parsed */
    const unsigned char *piece;
    size_t piece_len, scan;      /* line counting cursor inside the piece */
    uint64_t line, col_start;    /* line at the cursor and stream offset of that line's first byte */
    uint64_t last_token;         /* stream offset just after the last token */

    uint64_t count;
    bool failed;
    asff_error err;
    asff_buf path, tmp;
};

enum { K_NONE, K_RUNS, K_TOOL, K_RESULTS, K_INVOCATIONS, K_VCP, K_OTHER };

/* ---- positions and errors --------------------------------------------------------------------- */

static uint64_t cur_offset(const asff_sarif_reader *r)
{
    return r->base + (r->h ? yajl_get_bytes_consumed(r->h) : 0);
}

/* Advance the line cursor to stream offset off (inside the current piece). */
static void seek_line(asff_sarif_reader *r, uint64_t off)
{
    size_t to = off > r->base ? (size_t)(off - r->base) : 0;
    if (to > r->piece_len)
        to = r->piece_len;
    for (; r->scan < to; r->scan++)
        if (r->piece[r->scan] == '\n') {
            r->line++;
            r->col_start = r->base + r->scan + 1;
        }
}

static void set_path(asff_sarif_reader *r)
{
    asff__buf_reset(&r->path);
    if (r->cap == CAP_RESULT || (r->in_results && r->result_index >= 0))
        (void)asff__buf_appendf(&r->path, "/runs/%ld/results/%ld", r->run_index, r->result_index);
    else if (r->cap == CAP_TOOL)
        (void)asff__buf_appendf(&r->path, "/runs/%ld/tool", r->run_index);
    else if (r->run_index >= 0)
        (void)asff__buf_appendf(&r->path, "/runs/%ld", r->run_index);
}

static int fail_at(asff_sarif_reader *r, asff_status code, uint64_t off, const char *msg)
{
    if (r->failed)
        return 0;
    r->failed = true;
    asff_error_clear(&r->err);
    asff_error_set(&r->err, code, msg);
    set_path(r);
    asff__copy_string(r->err.path, sizeof r->err.path, r->path.data ? r->path.data : "");
    seek_line(r, off);
    r->err.offset = off;
    r->err.line = r->line;
    r->err.column = off - r->col_start + 1;
    return 0;
}

static int fail(asff_sarif_reader *r, asff_status code, const char *msg)
{
    return fail_at(r, code, cur_offset(r), msg);
}

/* ---- the kept subtree -------------------------------------------------------------------------- */

static asff_arena *cap_arena(const asff_sarif_reader *r)
{
    return r->cap == CAP_RESULT ? (r->tool ? r->result_arena : r->pending_arena) : r->run_arena;
}

static jnode *add_node(asff_sarif_reader *r, jtype t, const char *s, size_t len)
{
    asff_arena *a = cap_arena(r);
    jnode *n = asff_arena_alloc(a, sizeof *n);
    if (!n)
        return NULL;
    n->type = (uint8_t)t;
    n->key = r->next_key;
    r->next_key = NULL;
    if (s) {
        char *c = asff_arena_strdup(a, s, len);
        if (!c)
            return NULL;
        n->str = c;
        n->len = len;
    }
    if (r->cur) {
        n->parent = r->cur;
        if (r->cur->last)
            r->cur->last->next = n;
        else
            r->cur->child = n;
        r->cur->last = n;
        r->cur->nchild++;
    } else {
        r->cap_root = n;
    }
    return n;
}

static const jnode *get(const jnode *n, const char *key)
{
    const jnode *c;
    if (!n || n->type != SJ_OBJ)
        return NULL;
    for (c = n->child; c; c = c->next)
        if (c->key && strcmp(c->key, key) == 0)
            return c;
    return NULL;
}

static const jnode *at(const jnode *n, size_t i)
{
    const jnode *c;
    if (!n || n->type != SJ_ARR)
        return NULL;
    for (c = n->child; c && i; c = c->next)
        i--;
    return c;
}

/* The string at a path of member names ("driver", "name", NULL), or NULL. */
static const char *str_at(const jnode *n, ...)
{
    va_list ap;
    const char *k;
    va_start(ap, n);
    while (n && (k = va_arg(ap, const char *)) != NULL)
        n = get(n, k);
    va_end(ap);
    return n && (n->type == SJ_STR || n->type == SJ_NUM) ? n->str : NULL;
}

static bool blank(const char *s)
{
    return !s || *asff__skip_space(s) == '\0';
}

/* ---- one result -> one finding ---------------------------------------------------------------- */

/* Length-prefixed, so that ("ab", "c") and ("a", "bc") hash differently. */
static void hash_field(asff_buf *b, const char *s)
{
    uint64_t n = s ? strlen(s) : 0;
    unsigned char len[8];
    int i;
    for (i = 0; i < 8; i++)
        len[i] = (unsigned char)(n >> (8 * i));
    (void)asff__buf_append(b, len, sizeof len);
    if (n)
        (void)asff__buf_append(b, s, (size_t)n);
}

/* A copy of s cut to max characters on a character boundary, in the finding's arena. */
static char *cut(void *f, const char *s, size_t max)
{
    size_t len;
    if (!s)
        return NULL;
    s = asff__skip_space(s); /* so that the cut text is never blank when s is not */
    len = asff__utf8_prefix(s, strlen(s), max);
    return asff_strndup(f, s, len);
}

/* The nth field (0-based, ':'-separated) of an ARN, copied into buf. */
static const char *arn_field(const char *arn, int n, char *buf, size_t size)
{
    const char *p = arn, *e;
    size_t len;
    while (p && n-- > 0) {
        p = strchr(p, ':');
        if (p)
            p++;
    }
    if (!p)
        return NULL;
    e = strchr(p, ':');
    len = e ? (size_t)(e - p) : strlen(p);
    if (len == 0 || len >= size)
        return NULL;
    memcpy(buf, p, len);
    buf[len] = '\0';
    return buf;
}

static const jnode *find_rule(const asff_sarif_reader *r, const jnode *res, const char *rule_id)
{
    const char *idx = str_at(res, "ruleIndex", NULL);
    size_t i;
    if (!idx)
        idx = str_at(res, "rule", "index", NULL);
    if (idx) {
        char *end;
        long long v = strtoll(idx, &end, 10);
        if (*end == '\0' && v >= 0 && (size_t)v < r->nrules)
            return r->rules[v];
    }
    if (rule_id)
        for (i = 0; i < r->nrules; i++) {
            const char *id = str_at(r->rules[i], "id", NULL);
            if (id && strcmp(id, rule_id) == 0)
                return r->rules[i];
        }
    return NULL;
}

/* message.text, or the rule's messageStrings[message.id], with {n} replaced by arguments[n]. */
static const char *message_text(asff_sarif_reader *r, const jnode *res, const jnode *rule)
{
    const jnode *msg = get(res, "message");
    const char *text = str_at(msg, "text", NULL), *p;
    const jnode *args = get(msg, "arguments");
    if (!text && str_at(msg, "id", NULL))
        text = str_at(get(get(rule, "messageStrings"), str_at(msg, "id", NULL)), "text", NULL);
    if (!text || !args || args->type != SJ_ARR)
        return text;
    asff__buf_reset(&r->tmp);
    for (p = text; *p; p++) {
        if (*p == '{' && p[1] >= '0' && p[1] <= '9') {
            char *end;
            unsigned long n = strtoul(p + 1, &end, 10);
            const jnode *a = *end == '}' ? at(args, n) : NULL;
            if (a && a->str) {
                (void)asff__buf_append(&r->tmp, a->str, a->len);
                p = end;
                continue;
            }
        }
        (void)asff__buf_putc(&r->tmp, *p);
    }
    return r->tmp.data ? r->tmp.data : text;
}

static bool has_tag(const jnode *props, const char *word)
{
    const jnode *tags = get(props, "tags"), *t;
    for (t = tags && tags->type == SJ_ARR ? tags->child : NULL; t; t = t->next) {
        size_t n = strlen(word);
        const char *s = t->type == SJ_STR ? t->str : "";
        for (; *s; s++)
            if (strncasecmp(s, word, n) == 0)
                return true;
    }
    return false;
}

/* Severity label from security-severity (CVSS-like score), else the level. */
static const char *severity(const jnode *res, const jnode *rule, const char **original)
{
    const char *ss = str_at(res, "properties", "security-severity", NULL);
    const char *level;
    if (!ss)
        ss = str_at(rule, "properties", "security-severity", NULL);
    if (ss) {
        char *end;
        double v = asff__c_strtod(ss, &end);
        if (end != ss && *end == '\0') {
            *original = ss;
            return v >= 9.0 ? "CRITICAL" : v >= 7.0 ? "HIGH" : v >= 4.0 ? "MEDIUM" : v > 0.0 ? "LOW" : "INFORMATIONAL";
        }
    }
    level = str_at(res, "level", NULL);
    if (!level)
        level = str_at(rule, "defaultConfiguration", "level", NULL);
    if (!level) {
        const char *ps = str_at(rule, "properties", "problem.severity", NULL);
        if (ps) {
            *original = ps;
            return strcmp(ps, "error") == 0 ? "HIGH" : strcmp(ps, "warning") == 0 ? "MEDIUM" : "LOW";
        }
    }
    if (!level) {
        const char *kind = str_at(res, "kind", NULL);
        level = kind && strcmp(kind, "fail") != 0 ? "none" : "warning"; /* SARIF's default level */
    }
    *original = level;
    return strcmp(level, "error") == 0 ? "HIGH" : strcmp(level, "warning") == 0 ? "MEDIUM"
           : strcmp(level, "note") == 0 ? "LOW" : "INFORMATIONAL";
}

static asff_status emit_result(asff_sarif_reader *r, const jnode *res, long index, uint64_t start, uint64_t length,
                               uint64_t line)
{
    const jnode *driver = get(r->tool, "driver");
    const char *tool = str_at(driver, "name", NULL);
    const char *tool_version = str_at(driver, "semanticVersion", NULL);
    const char *rule_id = str_at(res, "ruleId", NULL);
    const jnode *rule, *loc, *phys, *region, *fps[2];
    const char *uri, *base_id, *msg, *sev, *sev_orig = NULL, *title, *desc;
    const char *commit = str_at(at(r->vcp, 0), "revisionId", NULL);
    const char *repo = str_at(at(r->vcp, 0), "repositoryUri", NULL);
    const char *branch = str_at(at(r->vcp, 0), "branch", NULL);
    const char *ts = r->o.timestamp, *help_uri, *help_text;
    char partition[32], region_buf[64], slug[65], hex[65], idbuf[160];
    unsigned char digest[SHA256_DIGEST_LENGTH];
    const char *region_name = r->o.region;
    asff_AwsSecurityFinding *f;
    asff_Resource *res_out;
    asff_ResourceDetails *det;
    asff_buf sha;
    asff_finding_info info;
    asff_buf gen;
    size_t i, k;
    int rc;
    bool security, oom = false;

    if (!tool || blank(tool))
        tool = "sarif";
    if (!tool_version)
        tool_version = str_at(driver, "version", NULL);
    if (!rule_id)
        rule_id = str_at(res, "rule", "id", NULL);
    rule = find_rule(r, res, rule_id);
    if (!rule_id)
        rule_id = str_at(rule, "id", NULL);
    loc = at(get(res, "locations"), 0);
    phys = get(loc, "physicalLocation");
    uri = str_at(phys, "artifactLocation", "uri", NULL);
    base_id = str_at(phys, "artifactLocation", "uriBaseId", NULL);
    region = get(phys, "region");
    msg = message_text(r, res, rule);
    sev = severity(res, rule, &sev_orig);
    fps[0] = get(res, "fingerprints");
    fps[1] = get(res, "partialFingerprints");

    /* Id: stable across runs of the same scan (docs/convert.md) */
    asff__buf_init(&sha, r->alloc);
    hash_field(&sha, tool);
    hash_field(&sha, rule_id);
    hash_field(&sha, base_id);
    hash_field(&sha, uri);
    if ((fps[0] && fps[0]->child) || (fps[1] && fps[1]->child)) {
        for (k = 0; k < 2; k++) {
            const jnode *c;
            for (c = fps[k] ? fps[k]->child : NULL; c; c = c->next) {
                hash_field(&sha, c->key);
                hash_field(&sha, c->str);
            }
        }
    } else {
        hash_field(&sha, str_at(region, "startLine", NULL));
        hash_field(&sha, str_at(region, "startColumn", NULL));
        hash_field(&sha, str_at(region, "endLine", NULL));
        hash_field(&sha, str_at(region, "endColumn", NULL));
        hash_field(&sha, msg);
    }
    if (!sha.data) {
        asff__buf_cleanup(&sha);
        return ASFF_ERR_NOMEM;
    }
    SHA256((const unsigned char *)sha.data, sha.len, digest);
    asff__buf_cleanup(&sha);
    for (i = 0; i < sizeof digest; i++)
        snprintf(hex + 2 * i, 3, "%02x", digest[i]);
    for (i = 0; tool[i] && i < 64; i++) {
        char ch = tool[i];
        slug[i] = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '.' ||
                          ch == '_' || ch == '-'
                      ? ch
                      : '-';
    }
    slug[i] = '\0';
    snprintf(idbuf, sizeof idbuf, "sarif/%s/%s", slug, hex);

    if (!region_name)
        region_name = arn_field(r->o.product_arn, 3, region_buf, sizeof region_buf);
    if (region_name && (strlen(region_name) > 16 || strspn(region_name, "abcdefghijklmnopqrstuvwxyz0123456789-") !=
                                                        strlen(region_name)))
        region_name = NULL; /* not a region code: Resources[].Region is 1-16 of them */
    if (!arn_field(r->o.product_arn, 1, partition, sizeof partition) ||
        (strcmp(partition, "aws") != 0 && strcmp(partition, "aws-cn") != 0 && strcmp(partition, "aws-us-gov") != 0))
        strcpy(partition, "aws");
    if (!ts)
        ts = r->now;

    f = asff_object_new_root(ASFF_TID_AwsSecurityFinding, r->alloc);
    if (!f)
        return ASFF_ERR_NOMEM;
    f->SchemaVersion = "2018-10-08";
    f->Id = asff_strdup(f, idbuf);
    f->ProductArn = (char *)r->o.product_arn;
    f->AwsAccountId = (char *)r->o.account_id;
    asff__buf_init(&gen, r->alloc);
    (void)asff__buf_appendf(&gen, "sarif/%s/%s", tool, rule_id && !blank(rule_id) ? rule_id : "result");
    f->GeneratorId = gen.data ? cut(f, gen.data, 512) : NULL;
    asff__buf_cleanup(&gen);
    f->CreatedAt = f->UpdatedAt = (char *)ts;

    title = str_at(rule, "shortDescription", "text", NULL);
    if (blank(title) && !blank(str_at(rule, "name", NULL)) && (!rule_id || strcmp(str_at(rule, "name", NULL), rule_id) != 0))
        title = str_at(rule, "name", NULL);
    if (blank(title) && !blank(rule_id) && !blank(msg)) {
        asff_buf t;
        asff__buf_init(&t, r->alloc);
        if (asff__buf_appendf(&t, "%s: %s", rule_id, msg) == ASFF_OK)
            title = cut(f, t.data, 256);
        asff__buf_cleanup(&t);
    }
    if (blank(title))
        title = msg;
    if (blank(title))
        title = rule_id;
    if (blank(title))
        title = "SARIF result";
    f->Title = cut(f, title, 256);
    desc = blank(msg) ? str_at(rule, "fullDescription", "text", NULL) : msg;
    if (blank(desc))
        desc = title;
    f->Description = cut(f, desc, 1024);

    f->Severity = ASFF_NEW(f, Severity);
    if (f->Severity) {
        f->Severity->Label = (char *)sev;
        if (sev_orig && !blank(sev_orig))
            f->Severity->Original = cut(f, sev_orig, 64);
    }
    security = str_at(res, "properties", "security-severity", NULL) || str_at(rule, "properties", "security-severity", NULL) ||
               has_tag(get(rule, "properties"), "security") || has_tag(get(res, "properties"), "security");
    if (rule_id && strncmp(rule_id, "CVE-", 4) == 0)
        oom |= asff_list_append_string(f, "Types", "Software and Configuration Checks/Vulnerabilities/CVE");
    else
        oom |= asff_list_append_string(f, "Types", security ? "Software and Configuration Checks/Vulnerabilities"
                                                           : "Software and Configuration Checks");

    help_uri = str_at(rule, "helpUri", NULL);
    help_text = str_at(rule, "help", "text", NULL);
    if (blank(help_text))
        help_text = str_at(rule, "fullDescription", "text", NULL);
    if (!blank(help_text) || (help_uri && !blank(help_uri))) {
        f->Remediation = ASFF_NEW(f, Remediation);
        if (f->Remediation && (f->Remediation->Recommendation = ASFF_NEW(f, Recommendation)) != NULL) {
            if (!blank(help_text))
                f->Remediation->Recommendation->Text = cut(f, help_text, 512);
            if (help_uri && !blank(help_uri))
                f->Remediation->Recommendation->Url = cut(f, help_uri, 2048);
        }
    }

    /* the location as a resource of type Other */
    res_out = asff_list_append_object(f, "Resources");
    if (res_out) {
        res_out->Type = "Other";
        res_out->Id = cut(f, uri && !blank(uri) ? uri : "sarif-artifact", 2048);
        res_out->Partition = asff_strdup(f, partition);
        if (region_name)
            res_out->Region = asff_strdup(f, region_name);
        det = res_out->Details = ASFF_NEW(f, ResourceDetails);
        if (det) {
            static const char *const keys[] = {"startLine", "startColumn", "endLine", "endColumn"};
            static const char *const names[] = {"StartLine", "StartColumn", "EndLine", "EndColumn"};
            if (uri && !blank(uri))
                oom |= asff_map_set(det, "Other", "File", cut(f, uri, 1024));
            for (k = 0; k < 4; k++)
                if (!blank(str_at(region, keys[k], NULL)))
                    oom |= asff_map_set(det, "Other", names[k], cut(f, str_at(region, keys[k], NULL), 64));
            if (commit && !blank(commit))
                oom |= asff_map_set(det, "Other", "Commit", cut(f, commit, 1024));
            if (repo && !blank(repo))
                oom |= asff_map_set(det, "Other", "Repository", cut(f, repo, 1024));
            if (branch && !blank(branch))
                oom |= asff_map_set(det, "Other", "Branch", cut(f, branch, 1024));
            if (!det->Other.keys)
                oom |= asff_map_set(det, "Other", "File", "unknown");
        }
    }

    oom |= asff_map_set(f, "ProductFields", "sarif/Tool", cut(f, tool, 1024));
    if (tool_version && !blank(tool_version))
        oom |= asff_map_set(f, "ProductFields", "sarif/ToolVersion", cut(f, tool_version, 1024));
    if (rule_id && !blank(rule_id))
        oom |= asff_map_set(f, "ProductFields", "sarif/RuleId", cut(f, rule_id, 1024));
    if (sev_orig && !blank(sev_orig))
        oom |= asff_map_set(f, "ProductFields", "sarif/Severity", cut(f, sev_orig, 1024));

    /* a failed allocation leaves a required member or an added item out */
    if (!f->Id || !f->GeneratorId || !f->Title || !f->Description || !f->Severity || !f->Types.count ||
        !f->Resources.count || !res_out || !res_out->Id || !res_out->Partition || !res_out->Details ||
        !res_out->Details->Other.count || !f->ProductFields.count || (region_name && !res_out->Region) || oom ||
        (sev_orig && !blank(sev_orig) && !f->Severity->Original) ||
        (f->Remediation && (!f->Remediation->Recommendation ||
                            (!f->Remediation->Recommendation->Text && !f->Remediation->Recommendation->Url)))) {
        asff_object_free(f);
        return ASFF_ERR_NOMEM;
    }
    asff__buf_reset(&r->path);
    (void)asff__buf_appendf(&r->path, "/runs/%ld/results/%ld", r->run_index, index);
    info.index = r->count;
    info.path = r->path.data ? r->path.data : "";
    info.offset = start;
    info.length = length;
    info.line = line;
    info.document = NULL;
    rc = r->on_finding(r->ctx, f, &info);
    asff_object_free(f);
    r->count++;
    if (rc != 0)
        return ASFF_ERR_ABORTED;
    return ASFF_OK;
}

/* ---- parser callbacks ------------------------------------------------------------------------- */

static void index_rules(asff_sarif_reader *r)
{
    const jnode *rules = get(get(r->tool, "driver"), "rules"), *c;
    size_t i = 0;
    r->rules = NULL;
    r->nrules = 0;
    if (!rules || rules->type != SJ_ARR || rules->nchild == 0)
        return;
    r->rules = asff_arena_alloc(r->run_arena, rules->nchild * sizeof *r->rules);
    if (!r->rules)
        return;
    for (c = rules->child; c; c = c->next)
        r->rules[i++] = (jnode *)c;
    r->nrules = i;
}

/* Convert the results that were read before the tool (or before the end of a run without one). */
static int flush_pending(asff_sarif_reader *r)
{
    pending *p;
    asff_status st = ASFF_OK;
    for (p = r->pend_head; p && st == ASFF_OK; p = p->next)
        st = emit_result(r, p->root, p->index, p->start, p->length, p->line);
    r->pend_head = r->pend_tail = NULL;
    r->pend_bytes = 0;
    asff_arena_reset(r->pending_arena);
    if (st == ASFF_ERR_ABORTED)
        return fail(r, st, "the callback stopped the conversion");
    if (st != ASFF_OK)
        return fail(r, st, asff_status_message(st));
    return 1;
}

/* A kept value is complete. */
static int capture_done(asff_sarif_reader *r)
{
    enum capture cap = r->cap;
    jnode *root = r->cap_root;
    asff_status st = ASFF_OK;
    r->cap = CAP_NONE;
    r->cur = NULL;
    r->cap_root = NULL;
    if (cap == CAP_TOOL) {
        r->tool = root;
        index_rules(r);
        return flush_pending(r);
    } else if (cap == CAP_INVOCATIONS) {
        const char *end;
        int64_t s;
        int32_t ns;
        r->invocations = root;
        end = str_at(at(root, 0), "endTimeUtc", NULL);
        if (!r->o.timestamp && end && strlen(end) < sizeof r->now &&
            asff_timestamp_parse(end, strlen(end), &s, &ns) == ASFF_OK && r->count == 0)
            strcpy(r->now, end);
    } else if (cap == CAP_VCP) {
        r->vcp = root;
    } else if (cap == CAP_RESULT) {
        if (!r->tool) {
            pending *p = asff_arena_alloc(r->pending_arena, sizeof *p);
            if (!p)
                return fail(r, ASFF_ERR_NOMEM, "out of memory");
            p->root = root;
            p->start = r->cap_start;
            p->length = cur_offset(r) - r->cap_start;
            p->line = r->cap_line;
            p->index = r->result_index;
            if (r->pend_tail)
                r->pend_tail->next = p;
            else
                r->pend_head = p;
            r->pend_tail = p;
            r->pend_bytes += p->length;
            if (r->pend_bytes > r->o.max_tool)
                return fail(r, ASFF_ERR_LIMIT, "the results before this SARIF run's tool exceed max_tool bytes");
            return 1;
        }
        st = emit_result(r, root, r->result_index, r->cap_start, cur_offset(r) - r->cap_start, r->cap_line);
        asff_arena_reset(r->result_arena);
        if (st == ASFF_ERR_ABORTED)
            return fail_at(r, st, r->cap_start, "the callback stopped the conversion");
        if (st != ASFF_OK)
            return fail(r, st, asff_status_message(st));
    }
    return 1;
}

static int check_capture(asff_sarif_reader *r)
{
    size_t limit = r->cap == CAP_RESULT ? r->o.max_result : r->o.max_tool;
    if (r->cap != CAP_NONE && cur_offset(r) - r->cap_start > limit)
        return fail(r, ASFF_ERR_LIMIT, r->cap == CAP_RESULT ? "a SARIF result exceeds max_result bytes"
                                                            : "a SARIF run's tool exceeds max_tool bytes");
    r->last_token = cur_offset(r);
    return 1;
}

/* Decide what a value that starts now is (outside kept subtrees), and start keeping it if needed. */
static int begin_value_at(asff_sarif_reader *r, jtype t, uint64_t off);

/* Errors about a container point at its opening bracket, about a scalar just after it. */
static int begin_value(asff_sarif_reader *r, jtype t)
{
    uint64_t off = cur_offset(r);
    return begin_value_at(r, t, t == SJ_OBJ || t == SJ_ARR ? off - 1 : off);
}

static int begin_value_at(asff_sarif_reader *r, jtype t, uint64_t off)
{
    if (r->cap != CAP_NONE)
        return 1;
    if (!r->top_seen) {
        r->top_seen = true;
        if (t != SJ_OBJ)
            return fail_at(r, ASFF_ERR_ENVELOPE, off, "a SARIF log is a JSON object");
        return 1;
    }
    if (r->depth == 1 && r->pending == K_RUNS) {
        if (t != SJ_ARR)
            return fail_at(r, ASFF_ERR_TYPE, off, "SARIF runs must be an array");
        r->in_runs = r->runs_seen = true;
        return 1;
    }
    if (r->in_runs && r->depth == 2) {
        if (t != SJ_OBJ)
            return fail_at(r, ASFF_ERR_TYPE, off, "a SARIF run must be an object");
        r->run_index++;
        r->result_index = -1;
        asff_arena_reset(r->run_arena);
        r->tool = r->invocations = r->vcp = NULL;
        r->rules = NULL;
        r->nrules = 0;
        return 1;
    }
    if (r->in_runs && r->depth == 3) {
        enum capture c = r->pending == K_TOOL ? CAP_TOOL : r->pending == K_INVOCATIONS ? CAP_INVOCATIONS
                         : r->pending == K_VCP ? CAP_VCP : CAP_NONE;
        if (r->pending == K_RESULTS) {
            if (t != SJ_ARR && t != SJ_NULL)
                return fail_at(r, ASFF_ERR_TYPE, off, "SARIF results must be an array");
            r->in_results = t == SJ_ARR;
            return 1;
        }
        if (c != CAP_NONE && (t == SJ_OBJ || t == SJ_ARR)) {
            r->cap = c;
            r->cap_depth = r->depth;
            r->cap_start = cur_offset(r) - 1;
        }
        return 1;
    }
    if (r->in_results && r->depth == 4) {
        r->result_index++;
        if (t != SJ_OBJ)
            return fail_at(r, ASFF_ERR_TYPE, off, "a SARIF result must be an object");
        r->cap = CAP_RESULT;
        r->cap_depth = r->depth;
        r->cap_start = cur_offset(r) - 1;
        seek_line(r, r->cap_start);
        r->cap_line = r->line;
    }
    return 1;
}

static int scalar(asff_sarif_reader *r, jtype t, const char *s, size_t len)
{
    if (!begin_value(r, t) || !check_capture(r))
        return 0;
    if (r->cap != CAP_NONE) {
        if (len > r->o.max_string)
            return fail(r, ASFF_ERR_LIMIT, "a SARIF string exceeds max_string bytes");
        if (!add_node(r, t, s, len))
            return fail(r, ASFF_ERR_NOMEM, "out of memory");
    }
    return 1;
}

static int cb_null(void *ctx)
{
    return scalar(ctx, SJ_NULL, NULL, 0);
}

static int cb_bool(void *ctx, int b)
{
    return scalar(ctx, SJ_BOOL, b ? "true" : "false", b ? 4 : 5);
}

static int cb_number(void *ctx, const char *s, size_t len)
{
    return scalar(ctx, SJ_NUM, s, len);
}

static int cb_string(void *ctx, const unsigned char *s, size_t len)
{
    asff_sarif_reader *r = ctx;
    if (len > r->o.max_string)
        return fail(r, ASFF_ERR_LIMIT, "a SARIF string exceeds max_string bytes");
    return scalar(ctx, SJ_STR, (const char *)s, len);
}

static int open_container(asff_sarif_reader *r, jtype t)
{
    if (r->depth >= r->o.max_depth)
        return fail(r, ASFF_ERR_LIMIT, "the SARIF document nests deeper than max_depth");
    if (!begin_value(r, t) || !check_capture(r))
        return 0;
    if (r->cap != CAP_NONE) {
        jnode *n = add_node(r, t, NULL, 0);
        if (!n)
            return fail(r, ASFF_ERR_NOMEM, "out of memory");
        r->cur = n;
    }
    r->depth++;
    r->pending = K_NONE;
    return 1;
}

static int close_container(asff_sarif_reader *r)
{
    if (!check_capture(r))
        return 0;
    r->depth--;
    r->pending = K_NONE;
    if (r->cap != CAP_NONE) {
        if (r->depth == r->cap_depth)
            return capture_done(r);
        r->cur = r->cur->parent;
        return 1;
    }
    if (r->in_results && r->depth == 3)
        r->in_results = false;
    else if (r->in_runs && r->depth == 2 && r->pend_head)
        return flush_pending(r); /* a run without a tool */
    else if (r->in_runs && r->depth == 1)
        r->in_runs = false;
    return 1;
}

static int cb_start_map(void *ctx)
{
    return open_container(ctx, SJ_OBJ);
}

static int cb_end_map(void *ctx)
{
    return close_container(ctx);
}

static int cb_start_array(void *ctx)
{
    return open_container(ctx, SJ_ARR);
}

static int cb_end_array(void *ctx)
{
    return close_container(ctx);
}

static int cb_key(void *ctx, const unsigned char *s, size_t len)
{
    asff_sarif_reader *r = ctx;
    if (len > r->o.max_string)
        return fail(r, ASFF_ERR_LIMIT, "a SARIF member name exceeds max_string bytes");
    if (!check_capture(r))
        return 0;
    if (r->cap != CAP_NONE) {
        char *k = asff_arena_strdup(cap_arena(r), (const char *)s, len);
        if (!k)
            return fail(r, ASFF_ERR_NOMEM, "out of memory");
        r->next_key = k;
        return 1;
    }
#define IS(lit) (len == sizeof lit - 1 && memcmp(s, lit, len) == 0)
    if (r->depth == 1)
        r->pending = IS("runs") ? K_RUNS : K_OTHER;
    else if (r->in_runs && r->depth == 3)
        r->pending = IS("tool") ? K_TOOL : IS("results") ? K_RESULTS : IS("invocations") ? K_INVOCATIONS
                     : IS("versionControlProvenance") ? K_VCP : K_OTHER;
#undef IS
    return 1;
}

static const yajl_callbacks callbacks = {cb_null, cb_bool, NULL, NULL, cb_number, cb_string, cb_start_map,
                                         cb_key, cb_end_map, cb_start_array, cb_end_array};

/* ---- public ------------------------------------------------------------------------------------ */

asff_status asff_sarif_reader_new(const asff_sarif_options *options, asff_finding_fn on_finding, void *ctx,
                                  asff_sarif_reader **out, asff_error *err)
{
    asff_sarif_reader *r;
    const asff_allocator *alloc;
    time_t now = time(NULL);
    struct tm tm;
    if (out)
        *out = NULL;
    if (!options || !out || !on_finding || blank(options->product_arn) || blank(options->account_id))
        return asff_error_set(err, ASFF_ERR_INVALID_ARG, "SARIF conversion needs a product ARN and an account id");
    if (strncmp(options->product_arn, "arn:aws", 7) != 0 || !strstr(options->product_arn, ":securityhub:") ||
        !strstr(options->product_arn, ":product/") || strlen(options->product_arn) > 2048)
        return asff_error_set(err, ASFF_ERR_INVALID_ARG, "the product ARN is not arn:PARTITION:securityhub:REGION:ACCOUNT:product/...");
    if (strlen(options->account_id) != 12 || strspn(options->account_id, "0123456789") != 12)
        return asff_error_set(err, ASFF_ERR_INVALID_ARG, "the account id is not 12 digits");
    if (options->timestamp && asff__timestamp_check(options->timestamp, strlen(options->timestamp)) != ASFF_OK)
        return asff_error_set(err, ASFF_ERR_INVALID_ARG, "the timestamp is not an ASFF timestamp");
    alloc = asff__alloc_or_default(options->allocator);
    r = asff__malloc(alloc, sizeof *r);
    if (!r)
        return asff_error_set(err, ASFF_ERR_NOMEM, "out of memory");
    memset(r, 0, sizeof *r);
    r->o = *options;
    r->alloc = alloc;
    r->on_finding = on_finding;
    r->ctx = ctx;
    if (!r->o.max_depth)
        r->o.max_depth = 64;
    if (!r->o.max_result)
        r->o.max_result = 4u * 1024u * 1024u;
    if (!r->o.max_tool)
        r->o.max_tool = 64u * 1024u * 1024u;
    if (!r->o.max_string)
        r->o.max_string = 1024u * 1024u;
    r->run_index = -1;
    r->result_index = -1;
    r->line = 1;
    asff__buf_init(&r->path, alloc);
    asff__buf_init(&r->tmp, alloc);
    gmtime_r(&now, &tm);
    strftime(r->now, sizeof r->now, "%Y-%m-%dT%H:%M:%SZ", &tm);
    asff__yalloc_init(&r->ya, alloc);
    (void)asff_arena_new(alloc, &r->run_arena, NULL);
    (void)asff_arena_new(alloc, &r->result_arena, NULL);
    (void)asff_arena_new(alloc, &r->pending_arena, NULL);
    r->h = yajl_alloc(&callbacks, &r->ya.funcs, r);
    if (!r->run_arena || !r->result_arena || !r->pending_arena || !r->h) {
        asff_sarif_reader_free(r);
        return asff_error_set(err, ASFF_ERR_NOMEM, "out of memory");
    }
    *out = r;
    return ASFF_OK;
}

static asff_status report(asff_sarif_reader *r, asff_error *err)
{
    if (err)
        *err = r->err;
    return r->err.code;
}

static asff_status parse_piece(asff_sarif_reader *r, const unsigned char *p, size_t n, bool final)
{
    yajl_status ys;
    r->piece = p;
    r->piece_len = n;
    r->scan = 0;
    ys = final ? yajl_complete_parse(r->h) : yajl_parse(r->h, p, n);
    if (r->ya.failed && !r->failed)
        fail(r, ASFF_ERR_NOMEM, "out of memory");
    if (ys == yajl_status_error && !r->failed) {
        unsigned char *msg = yajl_get_error(r->h, 0, p, n);
        char text[ASFF_ERROR_MESSAGE_SIZE];
        snprintf(text, sizeof text, "%s", msg ? (const char *)msg : "not JSON");
        if (msg)
            yajl_free_error(r->h, msg);
        /* yajl's message ends with a newline */
        text[strcspn(text, "\n")] = '\0';
        fail(r, ASFF_ERR_SYNTAX, text);
    }
    if (!r->failed) {
        seek_line(r, r->base + n);
        r->base += n;
        if (r->base - r->last_token > r->o.max_string + SARIF_PIECE)
            fail_at(r, ASFF_ERR_LIMIT, r->base, "a SARIF token exceeds max_string bytes");
    }
    return r->failed ? r->err.code : ASFF_OK;
}

asff_status asff_sarif_reader_feed(asff_sarif_reader *r, const void *data, size_t len, asff_error *err)
{
    const unsigned char *p = data;
    if (!r || (!data && len))
        return asff_error_set(err, ASFF_ERR_INVALID_ARG, "no reader or no data");
    if (r->failed)
        return report(r, err);
    while (len) {
        size_t n = len < SARIF_PIECE ? len : SARIF_PIECE;
        if (parse_piece(r, p, n, false) != ASFF_OK)
            return report(r, err);
        p += n;
        len -= n;
    }
    return ASFF_OK;
}

asff_status asff_sarif_reader_finish(asff_sarif_reader *r, asff_error *err)
{
    if (!r)
        return asff_error_set(err, ASFF_ERR_INVALID_ARG, "no reader");
    if (r->failed)
        return report(r, err);
    if (!r->top_seen) {
        fail_at(r, ASFF_ERR_ENVELOPE, r->base, "the input holds no SARIF log");
        return report(r, err);
    }
    if (r->depth > 0) {
        fail_at(r, ASFF_ERR_TRUNCATED, r->base, "the SARIF log ends inside a value");
        return report(r, err);
    }
    if (parse_piece(r, (const unsigned char *)"", 0, true) != ASFF_OK)
        return report(r, err);
    if (!r->runs_seen) {
        fail_at(r, ASFF_ERR_ENVELOPE, r->base, "the SARIF log has no runs array");
        return report(r, err);
    }
    return ASFF_OK;
}

uint64_t asff_sarif_reader_count(const asff_sarif_reader *r)
{
    return r ? r->count : 0;
}

void asff_sarif_reader_free(asff_sarif_reader *r)
{
    if (!r)
        return;
    if (r->h)
        yajl_free(r->h);
    asff_arena_free(r->run_arena);
    asff_arena_free(r->result_arena);
    asff_arena_free(r->pending_arena);
    asff__buf_cleanup(&r->path);
    asff__buf_cleanup(&r->tmp);
    asff__free(r->alloc, r);
}
