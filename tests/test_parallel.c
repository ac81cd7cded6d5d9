/* asff_parse_file_parallel (docs/codec.md, Parallel reading): the same callbacks, in the same order,
 * with the same infos, findings and errors, and the same final status as one parser fed the same
 * bytes, whatever the threads and part sizes; the work callback; stopping; allocation chaos. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "asff/codec.h"
#include "support.h"

/* ---- inputs ------------------------------------------------------------------------------------ */

typedef struct text {
    char *s;
    size_t len, cap;
} text;

static void put(text *t, const char *fmt, ...)
{
    va_list ap;
    int n;
    for (;;) {
        va_start(ap, fmt);
        n = vsnprintf(t->s ? t->s + t->len : NULL, t->s ? t->cap - t->len : 0, fmt, ap);
        va_end(ap);
        assert_true(n >= 0);
        if (t->s && t->len + (size_t)n < t->cap)
            break;
        t->cap = (t->cap + (size_t)n + 1) * 2;
        t->s = realloc(t->s, t->cap);
        assert_non_null(t->s);
    }
    t->len += (size_t)n;
}

/* Finding i as compact JSON; bad: 1 a model error, 2 a line cut inside it, 3 a lone surrogate, 5 a
 * line break between two of its members. */
static void finding(text *t, int i, int bad)
{
    put(t, "{\"SchemaVersion\":\"2018-10-08\",%s\"Id\":\"f-%d\",\"ProductArn\":\"arn:aws:securityhub:us-east-1::product/x/y\","
           "\"GeneratorId\":\"g\",\"AwsAccountId\":\"111122223333\",\"Types\":[\"Software and Configuration Checks\"],"
           "\"CreatedAt\":\"2024-01-01T00:00:00Z\",\"UpdatedAt\":\"2024-01-01T00:00:00Z\",\"Severity\":{\"Label\":\"HIGH\"},",
        bad == 5 ? "\n" : "", i);
    if (bad == 1)
        put(t, "\"Title\":%d,", i);
    else if (bad == 3)
        put(t, "\"Title\":\"\\ud800 %d\",", i);
    else
        put(t, "\"Title\":\"t\\u00e9 %d\",", i);
    if (bad == 2) {
        put(t, "\"Description\":\"cut");
        return;
    }
    put(t, "\"Description\":\"%0*d\",\"Resources\":[{\"Type\":\"Other\",\"Id\":\"r-%d\"}]}", 200 + i % 50, i, i);
}

enum { NDJSON, FINDINGS, ARRAY, EVENT };

/* n findings in a shape; finding `bad_at` (or none: -1) damaged as `bad`; cut: truncated at 2/3. */
static char *input(int shape, int n, int bad_at, int bad, bool cut, size_t *len)
{
    text t = {0};
    int i;
    if (shape == FINDINGS)
        put(&t, "{\"Findings\":[");
    else if (shape == ARRAY)
        put(&t, "[");
    else if (shape == EVENT)
        put(&t, "{\"version\":\"0\",\"id\":\"e\",\"detail-type\":\"Security Hub Findings - Imported\","
                "\"source\":\"aws.securityhub\",\"detail\":{\"findings\":[");
    if (shape == NDJSON && bad == 6)
        put(&t, "{\"Findings\":[\n]}\n"); /* a value over two lines first: not lines of values */
    if (shape == NDJSON && bad == 8) {
        /* a value over two lines that ends past the first part (700 bytes), then finding bad_at
         * with a line break in it: one parser is not in line mode there */
        put(&t, "{\"Findings\":[\n%*s]}\n", 720, "");
    }
    if (shape == NDJSON && bad == 7) {
        /* a document over three lines, its line in the middle a finding of its own when read alone */
        put(&t, "{\"Findings\":[\n");
        finding(&t, -1, 0);
        put(&t, "\n]}\n");
    }
    for (i = 0; i < n; i++) {
        if (i && shape != NDJSON)
            put(&t, ",");
        if (shape == NDJSON && i == n / 2 && bad == 4)
            put(&t, "{\"Findings\":[]}\n"); /* an envelope line: read by the parser in place */
        finding(&t, i, i == bad_at ? (bad == 8 ? 5 : bad) : 0);
        if (shape == NDJSON)
            put(&t, "\n");
    }
    if (shape == FINDINGS)
        put(&t, "],\"NextToken\":\"x\"}");
    else if (shape == ARRAY)
        put(&t, "]");
    else if (shape == EVENT)
        put(&t, "]}}");
    if (cut)
        t.len = t.len * 2 / 3;
    *len = t.len;
    return t.s;
}

/* ---- what the callbacks saw ------------------------------------------------------------------------ */

typedef struct seen {
    text log;
    bool keep;
    int stop_at;                 /* on_finding returns 1 at this index; -1: never */
    pthread_mutex_t mu;
    long works, works_freed;     /* results made by work, and freed (by the callback or work_free) */
    bool sparse;                 /* ASFF_PARALLEL_SPARSE: the work wants only every third finding */
} seen;

/* With sparse: the findings the work has a result for (the others come as NULL; the first is not
 * wanted, so that a file of one finding has none). */
static bool wanted(const seen *s, const asff_finding_info *info)
{
    return !s->sparse || info->index % 3 == 1;
}

static void log_info(seen *s, const asff_finding_info *info)
{
    put(&s->log, " #%llu %s @%llu+%llu L%llu", (unsigned long long)info->index, info->path,
        (unsigned long long)info->offset, (unsigned long long)info->length, (unsigned long long)info->line);
}

static int on_finding(void *ctx, void *f, const asff_finding_info *info)
{
    seen *s = ctx;
    char *json = NULL;
    if (!wanted(s, info)) {
        put(&s->log, "F");
        log_info(s, info);
        put(&s->log, " -\n");
        if (s->keep)
            asff_object_free(f);
        return (int)info->index == s->stop_at;
    }
    assert_int_equal(asff_to_json(f, false, &json, NULL, NULL), ASFF_OK);
    put(&s->log, "F");
    log_info(s, info);
    put(&s->log, " %s\n", json);
    asff_free_string(json);
    if (s->keep)
        asff_object_free(f);
    return (int)info->index == s->stop_at;
}

static int on_error(void *ctx, const asff_error *err, const asff_finding_info *info)
{
    seen *s = ctx;
    put(&s->log, "E %d %s %s @%llu L%llu C%llu", err->code, err->message, err->path, (unsigned long long)err->offset,
        (unsigned long long)err->line, (unsigned long long)err->column);
    log_info(s, info);
    put(&s->log, "\n");
    return 0;
}

static void log_end(seen *s, asff_status st, const asff_error *err)
{
    put(&s->log, "END %d %s %s @%llu L%llu C%llu\n", st, err->message, err->path, (unsigned long long)err->offset,
        (unsigned long long)err->line, (unsigned long long)err->column);
}

static void *work(void *ctx, unsigned worker, const void *f, const asff_finding_info *info)
{
    seen *s = ctx;
    char *r;
    (void)worker;
    if (!wanted(s, info))
        return NULL;
    r = malloc(64);
    assert_non_null(r);
    snprintf(r, 64, "%s|%llu", ((const asff_AwsSecurityFinding *)f)->Id, (unsigned long long)info->index);
    pthread_mutex_lock(&s->mu);
    s->works++;
    pthread_mutex_unlock(&s->mu);
    return r;
}

static void work_free(void *ctx, void *r)
{
    seen *s = ctx;
    free(r);
    pthread_mutex_lock(&s->mu);
    s->works_freed++;
    pthread_mutex_unlock(&s->mu);
}

static int on_ordered(void *ctx, void *f, const asff_finding_info *info, void *w)
{
    seen *s = ctx;
    char want[64];
    if (s->sparse && !w) {
        assert_false(wanted(s, info));
        assert_null(f); /* not wanted: not kept for us */
    }
    if (w) {
        snprintf(want, sizeof want, "%s|%llu", ((const asff_AwsSecurityFinding *)f)->Id,
                 (unsigned long long)info->index);
        assert_string_equal(w, want); /* the work of this very finding */
        work_free(s, w);
    }
    return on_finding(ctx, f, info);
}

/* The reference: one parser fed the bytes in 4 KiB chunks. */
static void sequential(const char *data, size_t len, const asff_parse_options *po, seen *s)
{
    asff_parser *p;
    asff_error err;
    asff_status st = ASFF_OK;
    size_t off = 0;
    asff_error_clear(&err);
    assert_int_equal(asff_parser_new(po, on_finding, on_error, s, &p, NULL), ASFF_OK);
    while (st == ASFF_OK && off < len) {
        size_t n = len - off < 4096 ? len - off : 4096;
        st = asff_parser_feed(p, data + off, n, &err);
        off += n;
    }
    if (st == ASFF_OK)
        st = asff_parser_finish(p, &err);
    log_end(s, st, st == ASFF_OK ? &(asff_error){0} : &err);
    asff_parser_free(p);
}

static FILE *file_of(const char *data, size_t len)
{
    FILE *f = tmpfile();
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    rewind(f);
    return f;
}

static void parallel(FILE *f, const asff_parse_options *po, const asff_parallel_options *o, seen *s)
{
    asff_error err;
    asff_status st;
    rewind(f);
    asff_error_clear(&err);
    st = asff_parse_file_parallel(f, po, o, on_ordered, on_error, s, &err);
    log_end(s, st, st == ASFF_OK ? &(asff_error){0} : &err);
}

static void seen_init(seen *s, bool keep, int stop_at)
{
    memset(s, 0, sizeof *s);
    s->keep = keep;
    s->stop_at = stop_at;
    pthread_mutex_init(&s->mu, NULL);
    put(&s->log, "");
}

static void seen_free(seen *s)
{
    free(s->log.s);
    pthread_mutex_destroy(&s->mu);
}

/* One input: the parallel reader against the reference, for each thread count and part size. */
static void check_same(const char *data, size_t len, bool skip, bool keep, int stop_at)
{
    static const unsigned jobs[] = {2, 3, 7};
    static const size_t parts[] = {1, 700, 0};
    asff_parse_options po = ASFF_PARSE_OPTIONS_INIT;
    seen ref;
    FILE *f = file_of(data, len);
    size_t j, k;
    int fe, sparse;
    po.skip_invalid = skip;
    po.keep = keep;
    for (sparse = 0; sparse < 2; sparse++) {
    seen_init(&ref, keep, stop_at);
    ref.sparse = sparse != 0;
    sequential(data, len, &po, &ref);
    for (fe = 0; fe < 2; fe++)
    for (j = 0; j < sizeof jobs / sizeof jobs[0]; j++)
        for (k = 0; k < sizeof parts / sizeof parts[0]; k++) {
            asff_parallel_options o = ASFF_PARALLEL_OPTIONS_INIT;
            seen got;
            o.jobs = jobs[j];
            o.part_size = parts[k];
            o.work = work;
            o.work_free = work_free;
            o.flags = sparse ? ASFF_PARALLEL_SPARSE : 0;
            seen_init(&got, keep, stop_at);
            got.sparse = sparse;
            o.work_ctx = &got;
            if (fe)
                setenv("ASFF_FRONTEND", "yajl", 1); /* no fast path: lines read by segments */
            parallel(f, &po, &o, &got);
            unsetenv("ASFF_FRONTEND");
            if (strcmp(ref.log.s, got.log.s) != 0) {
                print_error("%s, jobs %u, parts %zu, skip %d, keep %d, sparse %d:\n--- one parser:\n%.3000s\n--- parallel:\n%.3000s\n",
                            fe ? "yajl alone" : "default front-end", jobs[j], parts[k], skip, keep, sparse, ref.log.s, got.log.s);
                fail();
            }
            assert_int_equal(got.works, got.works_freed); /* every result delivered or freed */
            seen_free(&got);
        }
    seen_free(&ref);
    }
    fclose(f);
}

static void test_same_as_one_parser(void **state)
{
    static const struct {
        int shape, n, bad_at, bad;
        bool cut;
    } cases[] = {
        {NDJSON, 300, -1, 0, false},  {FINDINGS, 300, -1, 0, false}, {ARRAY, 300, -1, 0, false},
        {EVENT, 300, -1, 0, false},   {NDJSON, 300, 150, 1, false},  {FINDINGS, 300, 150, 1, false},
        {NDJSON, 300, 150, 2, false}, {NDJSON, 300, 150, 3, false},  {ARRAY, 300, 150, 3, false},
        {NDJSON, 300, -1, 4, false},  {FINDINGS, 300, -1, 0, true},  {NDJSON, 300, -1, 0, true},
        {ARRAY, 300, 20, 2, false},   {NDJSON, 300, 150, 5, false},  {NDJSON, 300, 0, 5, false},
        {NDJSON, 300, -1, 6, false},  {EVENT, 300, 150, 5, false},   {NDJSON, 300, 299, 5, false},
        {NDJSON, 300, -1, 7, false},  {NDJSON, 300, 0, 8, false},
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t len;
        char *data = input(cases[i].shape, cases[i].n, cases[i].bad_at, cases[i].bad, cases[i].cut, &len);
        int skip, keep;
        for (skip = 0; skip < 2; skip++)
            for (keep = 0; keep < 2; keep++)
                check_same(data, len, skip, keep, -1);
        free(data);
    }
}

/* A file of one finding (its path is ""), and one finding a line, not wanted or wanted. */
static void test_one_finding(void **state)
{
    text t = {0};
    (void)state;
    finding(&t, 0, 0);
    check_same(t.s, t.len, false, false, -1);
    check_same(t.s, t.len, false, true, -1);
    put(&t, "\n");
    finding(&t, 1, 0);
    put(&t, "\n\n");
    check_same(t.s, t.len, true, false, -1);
    free(t.s);
}

/* Lines of events with two findings each: a segment's guess (a finding a line) is wrong, read again,
 * and the segments after it wait for their base. */
static void test_event_lines(void **state)
{
    text t = {0};
    int i;
    (void)state;
    for (i = 0; i < 60; i++) {
        put(&t, "{\"version\":\"0\",\"id\":\"e%d\",\"detail-type\":\"Security Hub Findings - Imported\","
                "\"source\":\"aws.securityhub\",\"detail\":{\"findings\":[", i);
        finding(&t, 2 * i, 0);
        put(&t, ",");
        finding(&t, 2 * i + 1, 0);
        put(&t, "]}}\n");
    }
    check_same(t.s, t.len, false, false, -1);
    check_same(t.s, t.len, true, true, -1);
    free(t.s);
}

static void test_stop(void **state)
{
    size_t len;
    char *data = input(FINDINGS, 300, -1, 0, false, &len);
    (void)state;
    check_same(data, len, false, false, 10);  /* ASFF_ERR_ABORTED at finding 10, results of later ones freed */
    check_same(data, len, false, true, 299);
    free(data);
    data = input(NDJSON, 300, 200, 1, false, &len);
    check_same(data, len, true, false, 100);  /* stopped before the rerun a bad finding would need */
    check_same(data, len, true, false, 250);  /* ... and after it */
    free(data);
}

/* The first n bytes of an options struct in a block of exactly that size (free it). */
static void *short_copy(const void *opts, size_t n)
{
    void *v = malloc(n);
    assert_non_null(v);
    memcpy(v, opts, n);
    return v;
}

static void test_options(void **state)
{
    asff_parallel_options o = ASFF_PARALLEL_OPTIONS_INIT;
    asff_parse_options po = ASFF_PARSE_OPTIONS_INIT;
    asff_error err;
    FILE *f = file_of("{}", 2);
    (void)state;
    assert_int_equal(asff_parse_file_parallel(NULL, NULL, NULL, NULL, NULL, NULL, &err), ASFF_ERR_INVALID_ARG);
    o.version = 99;
    assert_int_equal(asff_parse_file_parallel(f, NULL, &o, NULL, NULL, NULL, &err), ASFF_ERR_INVALID_ARG);
    po.version = 99;
    assert_int_equal(asff_parse_file_parallel(f, &po, NULL, NULL, NULL, NULL, &err), ASFF_ERR_INVALID_ARG);
    po.version = ASFF_PARSE_OPTIONS_VERSION;
    assert_int_equal(asff_parse_file_parallel(f, &po, NULL, NULL, NULL, NULL, NULL), ASFF_OK); /* defaults */
    o.version = ASFF_PARALLEL_OPTIONS_VERSION;
    o.flags = 2; /* unknown */
    assert_int_equal(asff_parse_file_parallel(f, NULL, &o, NULL, NULL, NULL, &err), ASFF_ERR_INVALID_ARG);
    assert_non_null(strstr(err.message, "flags"));
    {
        /* version 1 structs end before flags (parallel) and projection (parse): what lies past them
         * is not read (ASan sees it) */
        asff_parallel_options one = ASFF_PARALLEL_OPTIONS_INIT;
        asff_parse_options pone = ASFF_PARSE_OPTIONS_INIT;
        void *v1;
        one.version = pone.version = 1;
        v1 = short_copy(&one, offsetof(asff_parallel_options, flags));
        rewind(f);
        assert_int_equal(asff_parse_file_parallel(f, NULL, v1, NULL, NULL, NULL, &err), ASFF_OK);
        free(v1);
        v1 = short_copy(&pone, offsetof(asff_parse_options, projection));
        rewind(f);
        assert_int_equal(asff_parse_file_parallel(f, v1, NULL, NULL, NULL, NULL, &err), ASFF_OK);
        free(v1);
    }
    fclose(f);
}

/* ---- allocation chaos, on an allocator that several threads share ------------------------------------ */

static pthread_mutex_t chaos_mu = PTHREAD_MUTEX_INITIALIZER;
static test_alloc *chaos_inner;

static void *locked_malloc(void *ctx, size_t n)
{
    void *p;
    (void)ctx;
    pthread_mutex_lock(&chaos_mu);
    p = chaos_inner->a.malloc(chaos_inner, n);
    pthread_mutex_unlock(&chaos_mu);
    return p;
}

static void *locked_realloc(void *ctx, void *ptr, size_t n)
{
    void *p;
    (void)ctx;
    pthread_mutex_lock(&chaos_mu);
    p = chaos_inner->a.realloc(chaos_inner, ptr, n);
    pthread_mutex_unlock(&chaos_mu);
    return p;
}

static void locked_free(void *ctx, void *ptr)
{
    (void)ctx;
    pthread_mutex_lock(&chaos_mu);
    chaos_inner->a.free(chaos_inner, ptr);
    pthread_mutex_unlock(&chaos_mu);
}

typedef struct chaos_in {
    FILE *f;
    unsigned jobs;
    bool keep;
} chaos_in;

static int chaos_finding(void *ctx, void *f, const asff_finding_info *info, void *w)
{
    const chaos_in *in = ctx;
    (void)info;
    (void)w;
    if (in->keep)
        asff_object_free(f);
    return 0;
}

static asff_status chaos_run(const asff_allocator *alloc, void *ctx)
{
    chaos_in *in = ctx;
    asff_allocator locked = {locked_malloc, locked_realloc, locked_free, NULL};
    asff_parse_options po = ASFF_PARSE_OPTIONS_INIT;
    asff_parallel_options o = ASFF_PARALLEL_OPTIONS_INIT;
    asff_error err;
    chaos_inner = (test_alloc *)alloc->ctx;
    po.allocator = &locked;
    po.keep = in->keep;
    o.jobs = in->jobs;
    o.part_size = 2000;
    rewind(in->f);
    return asff_parse_file_parallel(in->f, &po, &o, chaos_finding, NULL, in, &err);
}

static void test_alloc_chaos_parallel(void **state)
{
    size_t len;
    char *data = input(FINDINGS, 40, -1, 0, false, &len);
    chaos_in in = {file_of(data, len), 2, false};
    int k;
    (void)state;
    assert_true(test_alloc_chaos(chaos_run, &in) > 0);
    in.keep = true;
    in.jobs = 3;
    assert_true(test_alloc_chaos(chaos_run, &in) > 0);
    fclose(in.f);
    free(data);
    /* segments (yajl alone): NDJSON, each thread's parser and the parts' arenas failing in turn */
    data = input(NDJSON, 40, -1, 0, false, &len);
    in.f = file_of(data, len);
    setenv("ASFF_FRONTEND", "yajl", 1);
    for (k = 0; k < 2; k++) {
        in.keep = k == 1;
        in.jobs = 2u + (unsigned)k;
        assert_true(test_alloc_chaos(chaos_run, &in) > 0);
    }
    unsetenv("ASFF_FRONTEND");
    fclose(in.f);
    free(data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_as_one_parser),
        cmocka_unit_test(test_one_finding),
        cmocka_unit_test(test_event_lines),
        cmocka_unit_test(test_stop),
        cmocka_unit_test(test_options),
        cmocka_unit_test(test_alloc_chaos_parallel),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
