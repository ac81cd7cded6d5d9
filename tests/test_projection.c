/*
 * Projection (docs/codec.md, Projection) against the full build: every input of tests/data, the
 * hostile table and generated corpora (clean and mutated) go through a filter + insight reader three
 * ways: every member built, projected (simdjson), projected with ASFF_FRONTEND=yajl. The transcripts
 * (each finding's position and match, the matched findings' JSON, the insight's results, each skipped
 * item's error and the final error with offset, line and column) must be the same bytes. The batch
 * reader with a filter gives the same output and error with ASFF_PROJECTION=off and without.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>
#include "asff/asff.h"

typedef struct reader {
    const char *filters, *group_by;
} reader;

static const reader readers[] = {
    {"{\"SeverityLabel\":[{\"Value\":\"CRITICAL\",\"Comparison\":\"EQUALS\"}],"
     "\"RecordState\":[{\"Value\":\"ACTIVE\",\"Comparison\":\"EQUALS\"}]}",
     "ResourceId"},
    {"{\"ProductFields\":[{\"Key\":\"aws/securityhub/ProductName\",\"Value\":\"GuardDuty\",\"Comparison\":\"EQUALS\"}],"
     "\"Title\":[{\"Value\":\"S3\",\"Comparison\":\"PREFIX_NOT_EQUALS\"}]}",
     "AwsAccountId"},
};

enum { FULL, PROJECTED, PROJECTED_YAJL, NMODES };

typedef struct run {
    FILE *t;
    asff_filter *flt;
    asff_insight *ins;
    uint64_t whole;
} run;

static void put_error(FILE *t, const char *tag, const asff_error *e)
{
    fprintf(t, "%s %d [%s] %s @%llu %llu:%llu\n", tag, (int)e->code, e->message, e->path, (unsigned long long)e->offset,
            (unsigned long long)e->line, (unsigned long long)e->column);
}

static void put_info(FILE *t, const asff_finding_info *i)
{
    fprintf(t, " #%llu %s @%llu+%llu L%llu\n", (unsigned long long)i->index, i->path, (unsigned long long)i->offset,
            (unsigned long long)i->length, (unsigned long long)i->line);
}

static int want_whole(void *ctx, const void *finding)
{
    run *r = ctx;
    int m = asff_filter_match(r->flt, finding);
    r->whole += (uint64_t)m;
    return m;
}

static int on_finding(void *ctx, void *finding, const asff_finding_info *info)
{
    run *r = ctx;
    int m = asff_filter_match(r->flt, finding);
    fprintf(r->t, "F%d", m);
    put_info(r->t, info);
    if (m) {
        char *json = NULL;
        size_t len = 0;
        if (asff_to_json(finding, false, &json, &len, NULL) == ASFF_OK)
            fprintf(r->t, "%s\n", json);
        asff_free_string(json);
    }
    assert_int_equal(asff_insight_add(r->ins, finding), ASFF_OK);
    return 0;
}

static int on_error(void *ctx, const asff_error *err, const asff_finding_info *info)
{
    run *r = ctx;
    put_error(r->t, "E", err);
    put_info(r->t, info);
    return 0;
}

/* Parser limits for transcript (zero: the defaults); test_dry_keys sets them. */
static asff_parse_options limits;

/* The transcript of data[len] read by reader rd in the given mode; free it. */
static char *transcript(const reader *rd, int mode, const unsigned char *data, size_t len, bool skip, size_t chunk)
{
    asff_parse_options po = ASFF_PARSE_OPTIONS_INIT;
    asff_projection proj = {.want_whole = want_whole};
    asff_parser *p = NULL;
    asff_error err;
    asff_status st = ASFF_OK;
    char *out = NULL, *json = NULL;
    size_t olen = 0, off, jlen;
    run r;
    memset(&r, 0, sizeof r);
    memset(&err, 0, sizeof err);
    assert_int_equal(asff_filter_compile(rd->filters, strlen(rd->filters), NULL, &r.flt, NULL), ASFF_OK);
    assert_int_equal(asff_insight_new(r.flt, rd->group_by, NULL, &r.ins, NULL), ASFF_OK);
    r.t = open_memstream(&out, &olen);
    assert_non_null(r.t);
    proj.ctx = &r;
    if (mode != FULL) {
        assert_int_equal(asff_insight_projection(r.ins, &proj, NULL), ASFF_OK);
        po.projection = &proj;
    }
    po.skip_invalid = skip;
    po.max_members = limits.max_members;
    po.max_depth = limits.max_depth;
    po.max_finding = limits.max_finding;
    if (mode == PROJECTED_YAJL)
        setenv("ASFF_FRONTEND", "yajl", 1);
    assert_int_equal(asff_parser_new(&po, on_finding, on_error, &r, &p, NULL), ASFF_OK);
    unsetenv("ASFF_FRONTEND");
    for (off = 0; off < len && st == ASFF_OK; off += chunk)
        st = asff_parser_feed(p, data + off, len - off < chunk ? len - off : chunk, &err);
    if (st == ASFF_OK)
        st = asff_parser_finish(p, &err);
    if (st != ASFF_OK)
        put_error(r.t, "X", &err);
    fprintf(r.t, "count %llu skipped %llu\n", (unsigned long long)asff_parser_count(p),
            (unsigned long long)asff_parser_skipped(p));
    if (asff_insight_to_json(r.ins, false, &json, &jlen, NULL) == ASFF_OK)
        fprintf(r.t, "%s\n", json);
    asff_free_string(json);
    asff_parser_free(p);
    fclose(r.t);
    asff_insight_free(r.ins);
    asff_filter_free(r.flt);
    return out;
}

/* The batch reader (the Python iterators' reader) with a filter: its output and error; with
 * ASFF_PROJECTION=off it builds every member. */
static char *batch_transcript(const reader *rd, bool project, const unsigned char *data, size_t len)
{
    asff_batch_options bo;
    asff_batch_reader *br = NULL;
    asff_filter *flt = NULL;
    asff_error err;
    asff_status st;
    char *out = NULL, buf[1 << 16];
    size_t olen = 0, n = 0, count = 0;
    uint64_t read = 0, passed = 0, bytes = 0;
    FILE *t = open_memstream(&out, &olen);
    assert_non_null(t);
    memset(&bo, 0, sizeof bo);
    memset(&err, 0, sizeof err);
    assert_int_equal(asff_filter_compile(rd->filters, strlen(rd->filters), NULL, &flt, NULL), ASFF_OK);
    bo.filter = flt;
    if (!project)
        setenv("ASFF_PROJECTION", "off", 1);
    assert_int_equal(asff_batch_reader_new_buffer(data, len, &bo, &br, NULL), ASFF_OK);
    unsetenv("ASFF_PROJECTION");
    while ((st = asff_batch_reader_next(br, buf, sizeof buf, &n, &count, &err)) == ASFF_OK && n)
        fprintf(t, "%zu %.*s", count, (int)n, buf);
    if (st != ASFF_OK)
        put_error(t, "X", &err);
    asff_batch_reader_counts(br, &read, &passed, &bytes);
    fprintf(t, "read %llu passed %llu bytes %llu\n", (unsigned long long)read, (unsigned long long)passed,
            (unsigned long long)bytes);
    asff_batch_reader_free(br);
    asff_filter_free(flt);
    fclose(t);
    return out;
}

static uint64_t ncompared, nbytes;

/* Every reader, with and without skip_invalid, whole and in 4 KiB pieces: the three modes agree. */
static void compare(const char *name, const unsigned char *data, size_t len)
{
    size_t k, s, c;
    static const size_t chunks[] = {(size_t)1 << 30, 4096};
    for (k = 0; k < sizeof readers / sizeof *readers; k++) {
        char *full = batch_transcript(&readers[k], false, data, len), *other = batch_transcript(&readers[k], true, data, len);
        if (strcmp(full, other) != 0) {
            fprintf(stderr, "%s: batch reader %zu differs\n--- full\n%.2000s\n--- projected\n%.2000s\n", name, k, full, other);
            fail();
        }
        free(full);
        free(other);
    }
    for (k = 0; k < sizeof readers / sizeof *readers; k++)
        for (s = 0; s < 2; s++)
            for (c = 0; c < 2; c++) {
                char *full = transcript(&readers[k], FULL, data, len, s != 0, chunks[c]);
                int mode;
                for (mode = PROJECTED; mode < NMODES; mode++) {
                    char *other = transcript(&readers[k], mode, data, len, s != 0, chunks[c]);
                    if (strcmp(full, other) != 0) {
                        fprintf(stderr, "%s: reader %zu skip %zu chunk %zu mode %d differs\n--- full\n%.2000s\n--- projected\n%.2000s\n",
                                name, k, s, chunks[c], mode, full, other);
                        fail();
                    }
                    free(other);
                }
                free(full);
                ncompared++;
            }
    nbytes += len;
}

/* compare() with the default limits, then max_members 1..members, max_depth 1..depth and max_finding
 * 60..140 bytes (limits, read by transcript). */
static void compare_limits(const char *name, const char *buf, size_t n, size_t members, size_t depth)
{
    size_t k;
    for (k = 0; k < 1 + members + depth + 5; k++) {
        memset(&limits, 0, sizeof limits);
        if (k >= 1 && k <= members)
            limits.max_members = k;
        else if (k > members && k <= members + depth)
            limits.max_depth = k - members;
        else if (k > members + depth)
            limits.max_finding = 60 + (k - members - depth - 1) * 20;
        compare(name, (const unsigned char *)buf, n);
    }
    memset(&limits, 0, sizeof limits);
}

static unsigned char *read_all(FILE *f, size_t *len)
{
    unsigned char *buf = NULL;
    size_t n = 0, cap = 0, got;
    for (;;) {
        if (n == cap) {
            cap = cap ? cap * 2 : 65536;
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
        got = fread(buf + n, 1, cap - n, f);
        if (!got)
            break;
        n += got;
    }
    *len = n;
    return buf;
}

static void walk_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    assert_non_null(d);
    while ((e = readdir(d)) != NULL) {
        char path[4096];
        struct stat st;
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (stat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            walk_dir(path);
        } else if (S_ISREG(st.st_mode) && st.st_size <= (1 << 20)) {
            FILE *f = fopen(path, "rb");
            size_t len;
            unsigned char *data;
            assert_non_null(f);
            data = read_all(f, &len);
            fclose(f);
            compare(path, data, len);
            free(data);
        }
    }
    closedir(d);
}

static void test_data_files(void **state)
{
    (void)state;
    ncompared = nbytes = 0;
    walk_dir(ASFF_TEST_DATA);
    printf("test_projection: %llu comparisons over %llu bytes of tests/data\n", (unsigned long long)ncompared,
           (unsigned long long)nbytes);
    assert_true(ncompared > 1000);
}

static int hexval(int c)
{
    return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

/* tests/data/hostile/cases.tsv: the last column is the input (HEX or HEX*N segments, "-" empty). */
static void test_hostile_table(void **state)
{
    FILE *f = fopen(ASFF_TEST_DATA "/hostile/cases.tsv", "r");
    char *line = NULL;
    size_t cap = 0, cases = 0;
    (void)state;
    assert_non_null(f);
    while (getline(&line, &cap, f) > 0) {
        char *spec = strrchr(line, '\t'), *seg, *save = NULL;
        unsigned char *data = NULL;
        size_t n = 0, dcap = 0;
        if (line[0] == '#' || !spec)
            continue;
        spec++;
        spec[strcspn(spec, "\r\n")] = 0;
        for (seg = strtok_r(spec, " ", &save); seg && strcmp(seg, "-") != 0; seg = strtok_r(NULL, " ", &save)) {
            char *star = strchr(seg, '*');
            size_t hl = star ? (size_t)(star - seg) : strlen(seg), rep = star ? strtoul(star + 1, NULL, 10) : 1, r, i;
            for (r = 0; r < rep; r++)
                for (i = 0; i + 1 < hl; i += 2) {
                    if (n == dcap) {
                        dcap = dcap ? dcap * 2 : 256;
                        data = realloc(data, dcap);
                        assert_non_null(data);
                    }
                    data[n++] = (unsigned char)(hexval(seg[i]) << 4 | hexval(seg[i + 1]));
                }
        }
        compare(line, data, n);
        free(data);
        cases++;
    }
    free(line);
    fclose(f);
    printf("test_projection: %zu hostile cases\n", cases);
    assert_true(cases > 400);
}

static unsigned char *corpus(const char *envelope, size_t count, size_t *len)
{
    char cmd[1024];
    FILE *f;
    unsigned char *data;
    snprintf(cmd, sizeof cmd, "python3 %s/bench/gen_corpus.py --count %zu --envelope %s --seed 7", ASFF_SOURCE_DIR, count,
             envelope);
    f = popen(cmd, "r");
    assert_non_null(f);
    data = read_all(f, len);
    assert_int_equal(pclose(f), 0);
    assert_true(*len > 1000);
    return data;
}

static uint64_t rnd(uint64_t *s)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return *s >> 33;
}

/* One edit at a random place: a byte changed, a string value made a number (a type error in most
 * members), a member repeated (a duplicate), a value cut short, an unknown member added. */
static size_t mutate(unsigned char *d, size_t len, size_t cap, uint64_t *seed)
{
    static const char bytes[] = "\"{}[],:1x\\ n\x80\xff\t";
    size_t at = rnd(seed) % len, i;
    const char *ins = NULL;
    switch (rnd(seed) % 6) {
    case 0:
        d[at] = (unsigned char)bytes[rnd(seed) % (sizeof bytes - 1)];
        return len;
    case 1: /* ":" before a string value: make it a number */
        for (i = at; i + 2 < len && !(d[i] == ':' && d[i + 1] == '"'); i++)
            ;
        ins = "7,\"Zz\":";
        at = i + 1;
        break;
    case 2: /* after an opening brace: a member that may already be there */
        for (i = at; i < len && d[i] != '{'; i++)
            ;
        {
            static const char *const dup[] = {"\"Id\":\"x\",", "\"Label\":\"LOW\",", "\"Type\":\"T\",", "\"Zz\":1,\"Zz\":2,",
                                              "\"Tags\":{\"a\":\"1\",\"a\":\"2\"},", "\"Product\":1e999,",
                                              "\"Normalized\":\"5\",", "\"Resources\":{},", "\"Title\":null,"};
            ins = dup[rnd(seed) % (sizeof dup / sizeof *dup)];
        }
        at = i + 1;
        break;
    case 3: /* a string that is too deep or an array where an object goes */
        for (i = at; i < len && d[i] != '{'; i++)
            ;
        ins = rnd(seed) % 2 ? "\"Severity\":[1]," : "\"Network\":{\"Zz\":[[[[{}]]]]},";
        at = i + 1;
        break;
    case 4:
        d[at] = '\n';
        return len;
    default:
        ins = "\"Unknown\\u00e9\":{\"k\":[true,false,null,-0.0e+1]},";
        for (i = at; i < len && d[i] != '{'; i++)
            ;
        at = i + 1;
        break;
    }
    if (at >= len)
        return len;
    {
        size_t n = strlen(ins);
        if (len + n > cap)
            return len;
        memmove(d + at + n, d + at, len - at);
        memcpy(d + at, ins, n);
        return len + n;
    }
}

static void test_generated(void **state)
{
    static const char *const envelopes[] = {"ndjson", "findings", "array"};
    size_t e, k;
    uint64_t seed = 12345;
    (void)state;
    for (e = 0; e < 3; e++) {
        size_t len;
        unsigned char *data = corpus(envelopes[e], 12, &len), *m;
        char name[64];
        compare(envelopes[e], data, len);
        m = malloc(len + 4096);
        assert_non_null(m);
        for (k = 0; k < 60; k++) {
            size_t n = len, j, edits = 1 + rnd(&seed) % 3;
            memcpy(m, data, len);
            for (j = 0; j < edits; j++)
                n = mutate(m, n, len + 4096, &seed);
            snprintf(name, sizeof name, "%s mutation %zu", envelopes[e], k);
            compare(name, m, n);
        }
        free(m);
        free(data);
    }
}

/* Members outside the projection hold containers that the simdjson walker checks without events
 * (simd.cpp, dry_slot): each fault inside one, at every depth, is reported as the full build reports
 * it, and what is valid is read. Each case is a finding line between two valid ones. */
static void test_dry_values(void **state)
{
    static const char *const members[] = {
        "\"Resources\":[{\"Type\":\"T\",\"Id\":\"i\",\"Details\":{\"AwsEc2Instance\":{\"IpV4Addresses\":[\"1.2.3.4\"]}}}]",
        "\"Resources\":[{\"Type\":\"T\",\"Id\":\"i\",\"Details\":{\"AwsEc2Instance\":{\"IpV4Addresses\":[1]}}}]",
        "\"Resources\":[{\"Type\":\"T\",\"Id\":\"i\",\"Details\":{\"AwsEc2Instance\":{\"IpV4Addresses\":\"1.2.3.4\"}}}]",
        "\"Resources\":[{\"Type\":\"T\",\"Id\":\"i\",\"Tags\":{\"a\":\"1\",\"a\":\"2\"}}]",
        "\"Resources\":[{\"Type\":\"T\",\"Id\":\"i\",\"Tags\":{\"a\":1}}]",
        "\"Resources\":[{\"Type\":\"T\",\"Id\":\"i\",\"Tags\":{\"a\":null,\"b\":\"\\u0041\"}}]",
        "\"Resources\":[[{\"Type\":\"T\"}]]",
        "\"Resources\":[null,{\"Type\":\"T\",\"Id\":\"i\",\"Type\":\"U\"}]",
        "\"Network\":{\"Direction\":\"IN\",\"SourcePort\":80,\"Zz\":{\"a\":[1,2.5e3,true,null,\"s\"]}}",
        "\"Network\":{\"SourcePort\":\"80\"}",
        "\"Network\":{\"SourcePort\":80.5}",
        "\"Network\":{\"Zz\":1,\"Zz\":2}",
        "\"Network\":{\"Direction\":\"\\u0000\"}",
        "\"Network\":{\"Direction\":\"\\uD800\"}",
        "\"Network\":{\"Direction\":\"I\\u004e\",\"Pro\\u0074ocol\":\"TCP\"}",
        "\"Network\":{\"Direction\":tru}",
        "\"Network\":{\"SourcePort\":01}",
        "\"Network\":{\"SourcePort\":-}",
        "\"Network\":{\"Direction\":\"IN\":[1]}",
        "\"Action\":{\"NetworkConnectionAction\":{\"RemoteIpDetails\":{\"GeoLocation\":{\"Lon\":1e999,\"Lat\":2}}}}",
        "\"Action\":{\"NetworkConnectionAction\":{\"RemoteIpDetails\":{\"GeoLocation\":{\"Lon\":1e2,\"Lat\":-0.5}}}}",
        "\"Action\":{\"NetworkConnectionAction\":{\"Blocked\":\"false\"}}",
        "\"Action\":{\"NetworkConnectionAction\":{\"Blocked\":false,\"RemotePortDetails\":[]}}",
        "\"ProductFields\":{\"k\":\"v\",\"k2\":[\"v\"]}",
        "\"UserDefinedFields\":{}",
        "\"Malware\":[{\"Name\":\"m\"},{}]",
        "\"Note\":{\"Text\":\"t\",\"UpdatedBy\":\"u\",\"UpdatedAt\":\"2024-01-01T00:00:00Z\"}",
    };
    const char *head = "{\"SchemaVersion\":\"2018-10-08\",\"Id\":\"x\",\"Severity\":{\"Label\":\"CRITICAL\"},"
                       "\"RecordState\":\"ACTIVE\",\"ProductArn\":\"p\",";
    const char *valid = "{\"Id\":\"v\",\"Severity\":{\"Label\":\"CRITICAL\"},\"RecordState\":\"ACTIVE\"}\n";
    size_t i, depth;
    char *buf = malloc(8192);
    (void)state;
    assert_non_null(buf);
    for (i = 0; i < sizeof members / sizeof *members; i++) {
        int n = snprintf(buf, 8192, "%s%s%s,\"Title\":\"t\"}\n%s", valid, head, members[i], valid);
        compare(members[i], (const unsigned char *)buf, (size_t)n);
    }
    /* nesting around the depth limit inside an unknown member of a dry object */
    for (depth = 60; depth <= 66; depth++) {
        size_t n = 0, k;
        n += (size_t)snprintf(buf + n, 8192 - n, "%s%s\"Network\":{\"Zz\":", valid, head);
        for (k = 0; k < depth; k++)
            buf[n++] = '[';
        for (k = 0; k < depth; k++)
            buf[n++] = ']';
        n += (size_t)snprintf(buf + n, 8192 - n, "}}\n%s", valid);
        compare("deep", (const unsigned char *)buf, n);
    }
    free(buf);
}

static int note_members(void *ctx, void *finding, const asff_finding_info *info)
{
    const asff_AwsSecurityFinding *f = finding;
    int *built = ctx;
    (void)info;
    built[0] = f->Id != NULL;
    built[1] = f->Title != NULL;
    built[2] = f->Severity != NULL && f->Severity->Label != NULL;
    built[3] = f->RecordState != NULL;
    return 0;
}

/* Read line with paths a and b projected, through frontend (NULL: the default) with parse options of
 * a version; fn notes into built what the finding holds. */
static void projected_line(const char *line, const char *a, const char *b, const char *frontend, unsigned version,
                           asff_finding_fn fn, int *built)
{
    asff_parse_options po = ASFF_PARSE_OPTIONS_INIT;
    asff_projection proj = {.want_whole = NULL};
    asff_parser *p = NULL;
    assert_int_equal(asff_projection_add(&proj, 0, a, NULL), ASFF_OK);
    assert_int_equal(asff_projection_add(&proj, 0, b, NULL), ASFF_OK);
    po.version = version;
    po.projection = &proj;
    if (frontend)
        setenv("ASFF_FRONTEND", frontend, 1);
    assert_int_equal(asff_parser_new(&po, fn, NULL, built, &p, NULL), ASFF_OK);
    unsetenv("ASFF_FRONTEND");
    assert_int_equal(asff_parser_feed(p, line, strlen(line), NULL), ASFF_OK);
    assert_int_equal(asff_parser_finish(p, NULL), ASFF_OK);
    assert_int_equal(asff_parser_count(p), 1);
    asff_parser_free(p);
}

/* Which of Id, Title, Severity.Label and RecordState a read projected on the last two builds. */
static void projected_read(const char *frontend, int built[4])
{
    memset(built, 0xff, 4 * sizeof *built);
    projected_line("{\"Id\":\"x\",\"Title\":\"t\",\"Severity\":{\"Label\":\"LOW\"},\"RecordState\":\"ACTIVE\"}\n",
                   "Severity.Label", "RecordState", frontend, ASFF_PARSE_OPTIONS_VERSION, note_members, built);
}

/* The entry of proj->nested for the finding's member name, or NULL. */
static const asff_projection_nested *entry_of(const asff_projection *proj, const char *name)
{
    const asff_type *t = asff_type_get(ASFF_TID_AwsSecurityFinding);
    const asff_member *m = asff_member_find(t, name, strlen(name));
    size_t k;
    assert_non_null(m);
    for (k = 0; k < ASFF_PROJECTION_NESTED; k++)
        if (proj->nested[k].member == (uint32_t)(m - t->members) + 1)
            return &proj->nested[k];
    return NULL;
}

/* Is the finding's member name (of.inner when inner is set) in proj? */
static bool in_proj(const asff_projection *proj, const char *name, const char *inner)
{
    const asff_type *t = asff_type_get(ASFF_TID_AwsSecurityFinding);
    const asff_member *m = asff_member_find(t, name, strlen(name)), *im;
    const asff_projection_nested *e = entry_of(proj, name);
    size_t i = (size_t)(m - t->members), j;
    if (!((proj->members[i >> 6] >> (i & 63)) & 1u))
        return false;
    if (!inner)
        return true;
    if (!e)
        return true; /* whole */
    im = asff_member_find(m->type, inner, strlen(inner));
    assert_non_null(im);
    j = (size_t)(im - m->type->members);
    return ((e->members[j >> 6] >> (j & 63)) & 1u) != 0;
}

/* asff_projection_add: a path's second step narrows an object member (or a list of objects) through
 * a nested entry; a path that names the member alone, or a step the model lacks, builds it whole
 * whatever the order; a map, a list of scalars, and a fifth narrowed member are built whole. */
static void test_projection_add(void **state)
{
    asff_projection proj = {.want_whole = NULL};
    asff_error err;
    (void)state;
    assert_int_equal(asff_projection_add(&proj, 0, "Resources[].Id", NULL), ASFF_OK);
    assert_non_null(entry_of(&proj, "Resources"));
    assert_true(in_proj(&proj, "Resources", "Id"));
    assert_false(in_proj(&proj, "Resources", "Type"));
    assert_int_equal(asff_projection_add(&proj, 0, "Resources[].Tags", NULL), ASFF_OK);
    assert_true(in_proj(&proj, "Resources", "Tags"));
    assert_false(in_proj(&proj, "Resources", "Details"));
    assert_int_equal(asff_projection_add(&proj, 0, "Resources", NULL), ASFF_OK); /* now whole */
    assert_null(entry_of(&proj, "Resources"));
    assert_int_equal(asff_projection_add(&proj, 0, "Resources[].Id", NULL), ASFF_OK); /* stays whole */
    assert_null(entry_of(&proj, "Resources"));
    assert_true(in_proj(&proj, "Resources", "Details"));
    assert_int_equal(asff_projection_add(&proj, 0, "Severity.Label", NULL), ASFF_OK);
    assert_true(in_proj(&proj, "Severity", "Label"));
    assert_false(in_proj(&proj, "Severity", "Normalized"));
    assert_int_equal(asff_projection_add(&proj, 0, "Network.Nope", NULL), ASFF_OK); /* not a member: whole */
    assert_null(entry_of(&proj, "Network"));
    assert_true(in_proj(&proj, "Network", "Direction"));
    assert_int_equal(asff_projection_add(&proj, 0, "ProductFields{}", NULL), ASFF_OK);
    assert_int_equal(asff_projection_add(&proj, 0, "Types[]", NULL), ASFF_OK);
    assert_null(entry_of(&proj, "ProductFields"));
    assert_null(entry_of(&proj, "Types"));
    assert_false(in_proj(&proj, "Note", NULL));
    assert_int_equal(asff_projection_add(&proj, 0, "Note.Text", NULL), ASFF_OK);
    assert_int_equal(asff_projection_add(&proj, 0, "Compliance.Status", NULL), ASFF_OK);
    assert_int_equal(asff_projection_add(&proj, 0, "Malware[].Name", NULL), ASFF_OK); /* 4 entries taken */
    assert_non_null(entry_of(&proj, "Malware"));
    assert_int_equal(asff_projection_add(&proj, 0, "Action.ActionType", NULL), ASFF_OK); /* none left: whole */
    assert_null(entry_of(&proj, "Action"));
    assert_true(in_proj(&proj, "Action", "NetworkConnectionAction"));
    assert_false(in_proj(&proj, "Note", "UpdatedBy"));
    memset(&err, 0, sizeof err);
    assert_int_equal(asff_projection_add(&proj, 0, "Nope.Id", &err), ASFF_ERR_INVALID_ARG);
    assert_non_null(strstr(err.message, "no member Nope"));
    assert_int_equal(asff_projection_add(&proj, 0, "*", NULL), ASFF_OK);
    assert_null(entry_of(&proj, "Severity"));
    assert_true(in_proj(&proj, "Note", "UpdatedBy"));
}

static int note_nested(void *ctx, void *finding, const asff_finding_info *info)
{
    const asff_AwsSecurityFinding *f = finding;
    int *built = ctx;
    (void)info;
    assert_non_null(f->Severity);
    assert_int_equal(f->Resources.count, 2);
    built[0] = f->Severity->Label != NULL;
    built[1] = f->Severity->Original != NULL;
    built[2] = f->Resources.items[1]->Id != NULL;
    built[3] = f->Resources.items[1]->Type != NULL;
    built[4] = f->Resources.items[1]->Details != NULL;
    built[5] = f->Resources.items[1]->Tags.count != 0;
    return 0;
}

/* Severity.Label and Resources[].Id projected, read through a front-end with parse options of a
 * version: which of Severity's Label and Original, and the second resource's Id, Type, Details and
 * Tags are built. */
static void nested_read(const char *frontend, unsigned version, int built[6])
{
    memset(built, 0xff, 6 * sizeof *built);
    projected_line("{\"Id\":\"x\",\"Severity\":{\"Original\":\"9\",\"Label\":\"LOW\"},"
                   "\"Resources\":[{\"Id\":\"a\",\"Type\":\"T\"},{\"Type\":\"T\",\"Id\":\"r\",\"Tags\":{\"k\":\"v\"},"
                   "\"Details\":{\"AwsEc2Instance\":{\"Type\":\"t\"}}}]}\n",
                   "Severity.Label", "Resources[].Id", frontend, version, note_nested, built);
}

/* A nested entry builds only its members inside the object or each object of the list (simdjson);
 * the others are absent, not left marked. yajl builds everything, and so do parse options of
 * version 2, which have no nested entries. */
static void test_nested_built(void **state)
{
    static const int narrowed[6] = {1, 0, 1, 0, 0, 0}, whole[6] = {1, 1, 1, 1, 1, 1};
    int built[6];
    (void)state;
    nested_read(NULL, ASFF_PARSE_OPTIONS_VERSION, built);
    assert_memory_equal(built, strcmp(asff_json_frontend(), "simdjson") == 0 ? narrowed : whole, sizeof built);
    nested_read("yajl", ASFF_PARSE_OPTIONS_VERSION, built);
    assert_memory_equal(built, whole, sizeof built);
    nested_read(NULL, 2, built);
    assert_memory_equal(built, whole, sizeof built);
}

/* Members of the objects that a nested entry narrows (reader 0: Severity.Label, Resources[].Id; reader
 * 1 leaves both objects unbuilt) against the full build: duplicates, escapes, unknown names, nulls,
 * wrong types, at the limits that count members, depth and size near them. */
static void test_nested_keys(void **state)
{
    static const char *const members[] = {
        "\"Severity\":{\"Label\":\"LOW\",\"Label\":\"HIGH\"}",
        "\"Severity\":{\"Original\":\"1\",\"Original\":\"2\"}",
        "\"Severity\":{\"Origin\\u0061l\":\"1\",\"Original\":\"2\"}",
        "\"Severity\":{\"Zz\":1,\"Original\":\"1\",\"Zz\":2}",
        "\"Severity\":{\"Original\":null,\"Original\":\"1\"}",
        "\"Severity\":{\"Original\":5}",
        "\"Severity\":{\"Normalized\":1.5}",
        "\"Severity\":{\"Normalized\":40,\"Product\":4.5e1}",
        "\"Severity\":[]",
        "\"Resources\":[{\"Id\":\"a\",\"Type\":\"T\",\"Type\":\"U\"}]",
        "\"Resources\":[{\"Id\":\"a\",\"Id\":\"b\"}]",
        "\"Resources\":[{\"Ty\\u0070e\":\"T\",\"Type\":\"U\",\"Id\":\"a\"}]",
        "\"Resources\":[{\"Type\":{},\"Id\":\"a\"}]",
        "\"Resources\":[{\"Tags\":{\"a\":\"1\"},\"Tags\":{}}]",
        "\"Resources\":[{\"Tags\":{\"a\":\"1\",\"a\":\"2\"},\"Id\":\"a\"}]",
        "\"Resources\":[{\"Details\":{\"AwsEc2Instance\":{\"Type\":1}},\"Id\":\"a\"}]",
        "\"Resources\":[{\"Details\":{\"Other\":{\"k\":\"v\"}},\"Region\":\"r\",\"Id\":\"a\"},{\"Id\":\"b\",\"Region\":[]}]",
        "\"Resources\":[{\"Zz\":[1,{\"a\":2}],\"Id\":\"a\",\"Partition\":\"aws\"},null,{}]",
        "\"Resources\":[{\"Id\":\"a\"}],\"Resources\":[]",
        "\"Resources\":[{\"\":1,\"Id\":\"a\",\"Type\":null}]",
    };
    size_t i;
    char *buf = malloc(8192);
    (void)state;
    assert_non_null(buf);
    for (i = 0; i < sizeof members / sizeof *members; i++) {
        int n = snprintf(buf, 8192, "{\"Id\":\"x\",\"RecordState\":\"ACTIVE\",%s}\n{\"Id\":\"y\",%s}\n", members[i],
                         members[i]);
        compare_limits(members[i], buf, (size_t)n, 6, 4);
    }
    free(buf);
}

/* A finding's own members outside the projection take a shortcut through the builder
 * (asff__codec_dry_key) when they are the model's, not seen before, and the walker may check their
 * value; everything else goes through the key event. Names at that border, at the top of a line, in
 * a {"Findings"} document and in an event, with the limits that count members, depth and size near
 * them: the same transcript as the full build. */
static void test_dry_keys(void **state)
{
    static const char *const members[] = {
        "\"Title\":\"a\",\"Title\":\"b\"",
        "\"Network\":{},\"Network\":{}",
        "\"Resources\":[],\"Resources\":[]",
        "\"Ti\\u0074le\":\"a\",\"Title\":\"b\"",
        "\"Zz\":1,\"Title\":\"a\"",
        "\"Zz\":1,\"Title\":\"a\",\"Title\":\"b\"",
        "\"Title\":null,\"Title\":\"x\"",
        "\"Title\":\"x\",\"Title\":null",
        "\"title\":\"x\",\"Title\":\"y\"",
        "\"Title\":{}",
        "\"Title\":[1]",
        "\"Title\":5",
        "\"Network\":[]",
        "\"Resources\":{}",
        "\"Confidence\":\"5\"",
        "\"Confidence\":5,\"Criticality\":true",
        "\"Types\":[\"a\",\"b\"],\"Types\":[]",
        "\"UserDefinedFields\":{\"a\":\"1\"},\"UserDefinedFields\":{\"b\":\"2\"}",
        "\"NextToken\":\"n\"",
        "\"Findings\":[]",
        "\"detail\":{}",
        "\"detail-type\":\"Security Hub Findings - Imported\",\"source\":\"aws.securityhub\"",
        "\"version\":\"0\",\"id\":\"e\"",
        "\"\":1",
        "\"N\":1,\"Note\":{\"Text\":\"t\"}",
        "\"Title\":\"t\"",
        "\"Title\":\"t\",\"Description\":\"d\",\"Types\":[\"a\"],\"Network\":{\"Direction\":\"IN\"}",
        "\"Title\":\"t\",\"detail-type\":\"Security Hub Findings - Imported\",\"source\":\"aws.securityhub\"",
    };
    static const char *const frames[][2] = {
        {"", "\n"},
        {"{\"Findings\":[", "]}\n"},
        {"[", "]\n"},
        {"{\"version\":\"0\",\"detail-type\":\"Security Hub Findings - Imported\",\"source\":\"aws.securityhub\","
         "\"detail\":{\"findings\":[",
         "]}}\n"},
    };
    const char *head = "\"Id\":\"x\",\"Severity\":{\"Label\":\"CRITICAL\"},\"RecordState\":\"ACTIVE\",";
    size_t i, f, h, k;
    int built[4];
    char *buf = malloc(8192);
    (void)state;
    assert_non_null(buf);
    /* The comparisons below mean something only if projection happens: with simdjson the names
     * outside it (Id, Title) are not built; with yajl alone everything is. */
    projected_read(NULL, built);
    if (strcmp(asff_json_frontend(), "simdjson") == 0) {
        assert_int_equal(built[0], 0);
        assert_int_equal(built[1], 0);
    } else {
        assert_int_equal(built[0], 1);
        assert_int_equal(built[1], 1);
    }
    assert_int_equal(built[2], 1);
    assert_int_equal(built[3], 1);
    projected_read("yajl", built);
    for (k = 0; k < 4; k++)
        assert_int_equal(built[k], 1);
    for (f = 0; f < sizeof frames / sizeof *frames; f++)
        for (h = 0; h < 2; h++) /* with projected members before, and with none */
            for (i = 0; i < sizeof members / sizeof *members; i++) {
                int n = snprintf(buf, 8192, "%s{%s%s}%s", frames[f][0], h ? "" : head, members[i], frames[f][1]);
                /* 1..10 members: every count the names reach */
                compare_limits(members[i], buf, (size_t)n, 10, 3);
            }
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_data_files),
        cmocka_unit_test(test_hostile_table),
        cmocka_unit_test(test_generated),
        cmocka_unit_test(test_dry_values),
        cmocka_unit_test(test_dry_keys),
        cmocka_unit_test(test_projection_add),
        cmocka_unit_test(test_nested_built),
        cmocka_unit_test(test_nested_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
