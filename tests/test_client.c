/* Tests of lib/client against real local endpoints: tests/servers/fault_server.py (faults on demand)
 * and moto_server (through tests/servers/moto_harness). Never AWS: every endpoint is 127.0.0.1. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <unistd.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <cmocka.h>
#include <yajl/yajl_tree.h>
#include "asff/client.h"
#include "asff/codec.h"
#include "client/client_internal.h"
#include "support.h"

#define SECRET "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzzSECRETzz"
#define TOKEN "FwoGZXIvYXdzEXAMPLETOKENzzTOKENzz"

/* ---- servers -------------------------------------------------------------------------------------- */

typedef struct server {
    pid_t pid;
    int in_fd;    /* the child's stdin (moto_harness stops when it closes) */
    int port;
    char endpoint[64];
} server;

/* Servers still running (copies), stopped by the teardown when a test failed half-way. */
static server running[4];

static void track(const server *s, bool on)
{
    size_t i;
    for (i = 0; i < 4; i++)
        if (on ? running[i].pid == 0 : running[i].pid == s->pid) {
            if (on)
                running[i] = *s;
            else
                memset(&running[i], 0, sizeof running[i]);
            return;
        }
}

/* Start argv (a script printing "PORT n") and read its port. */
static void server_start(server *s, char *const argv[])
{
    int out[2], in[2];
    FILE *f;
    char line[128];
    assert_int_equal(pipe(out), 0);
    assert_int_equal(pipe(in), 0);
    s->pid = fork();
    assert_true(s->pid >= 0);
    if (s->pid == 0) {
        dup2(out[1], 1);
        dup2(in[0], 0);
        close(out[0]);
        close(out[1]);
        close(in[0]);
        close(in[1]);
        execvp(argv[0], argv);
        _exit(127);
    }
    close(out[1]);
    close(in[0]);
    s->in_fd = in[1];
    f = fdopen(out[0], "r");
    assert_non_null(f);
    s->port = 0;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "PORT %d", &s->port) == 1)
            break;
    fclose(f);
    if (s->port <= 0)
        fail_msg("server %s did not start", argv[1] ? argv[1] : argv[0]);
    snprintf(s->endpoint, sizeof s->endpoint, "http://127.0.0.1:%d", s->port);
    track(s, true);
}

static void server_stop(server *s)
{
    int status;
    close(s->in_fd);
    kill(s->pid, SIGTERM);
    waitpid(s->pid, &status, 0);
    track(s, false);
}

static int stop_servers(void **state)
{
    size_t i;
    (void)state;
    for (i = 0; i < 4; i++)
        if (running[i].pid > 0) {
            server copy = running[i];
            server_stop(&copy);
        }
    return 0;
}

static void fault_start(server *s, const char *flags)
{
    char *argv[24];
    char buf[512];
    int n = 0;
    char *tok;
    argv[n++] = "python3";
    argv[n++] = ASFF_SOURCE_DIR "/tests/servers/fault_server.py";
    argv[n++] = "--exit-on-eof"; /* if this test dies, the server goes too */
    snprintf(buf, sizeof buf, "%s", flags ? flags : "");
    for (tok = strtok(buf, " "); tok && n < 22; tok = strtok(NULL, " "))
        argv[n++] = tok;
    argv[n] = NULL;
    server_start(s, argv);
}

typedef struct membuf {
    char *data;
    size_t len;
} membuf;

static size_t membuf_write(char *p, size_t size, size_t n, void *ctx)
{
    membuf *m = ctx;
    m->data = realloc(m->data, m->len + size * n + 1);
    memcpy(m->data + m->len, p, size * n);
    m->len += size * n;
    m->data[m->len] = '\0';
    return size * n;
}

/* A control request to the fault server (not through the client). */
static yajl_val control(server *s, const char *path, const char *post)
{
    CURL *h = curl_easy_init();
    membuf m = {NULL, 0};
    char url[256], ebuf[128];
    yajl_val v;
    snprintf(url, sizeof url, "%s%s", s->endpoint, path);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, membuf_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &m);
    curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
    if (post)
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, post);
    assert_int_equal(curl_easy_perform(h), CURLE_OK);
    curl_easy_cleanup(h);
    assert_non_null(m.data);
    v = yajl_tree_parse(m.data, ebuf, sizeof ebuf);
    free(m.data);
    assert_non_null(v);
    return v;
}

static yajl_val get(yajl_val obj, const char *name)
{
    const char *path[2];
    path[0] = name;
    path[1] = NULL;
    return yajl_tree_get(obj, path, yajl_t_any);
}

/* Every error message the tests saw, to grep for secrets at the end. */
static char seen_messages[1 << 16];

static void remember(const asff_error *e)
{
    size_t n = strlen(seen_messages);
    snprintf(seen_messages + n, sizeof seen_messages - n, "%s|%s|%s\n", e->message, e->aws_code, e->request_id);
}

static void set_env(void)
{
    setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLETEST", 1);
    setenv("AWS_SECRET_ACCESS_KEY", SECRET, 1);
    setenv("AWS_SESSION_TOKEN", TOKEN, 1);
    setenv("AWS_REGION", "us-east-1", 1);
    setenv("AWS_CONFIG_FILE", "/nonexistent/asff-test-config", 1);
    setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/asff-test-credentials", 1);
    setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
    unsetenv("AWS_PROFILE");
    unsetenv("AWS_ENDPOINT_URL");
    unsetenv("AWS_ENDPOINT_URL_SECURITYHUB");
    setenv("NO_PROXY", "127.0.0.1,localhost", 1);
}

static asff_client *make_client(const server *s, asff_client_options *o)
{
    asff_client_options d = ASFF_CLIENT_OPTIONS_INIT;
    asff_client *c = NULL;
    asff_error e;
    if (!o)
        o = &d;
    o->endpoint_url = s->endpoint;
    o->allow_http = true;
    if (!o->backoff_base_ms)
        o->backoff_base_ms = 5;
    if (asff_client_new(o, &c, &e) != ASFF_OK)
        fail_msg("asff_client_new: %s", e.message);
    return c;
}

/* ---- pure parts ---------------------------------------------------------------------------------- */

static void test_parse_error(void **state)
{
    asff_error e;
    const char *b1 = "{\"__type\":\"com.amazon.coral#InvalidInputException\",\"message\":\"bad Filters\"}";
    const char *b2 = "{\"code\":\"ThrottlingException\",\"Message\":\"Rate exceeded\"}";
    (void)state;
    assert_int_equal(asff_client_parse_error(400, NULL, "rid-1", b1, strlen(b1), &e), ASFF_ERR_AWS);
    assert_string_equal(e.aws_code, "InvalidInputException");
    assert_string_equal(e.request_id, "rid-1");
    assert_int_equal(e.http_status, 400);
    assert_non_null(strstr(e.message, "bad Filters"));
    assert_false(asff_client_is_retryable(&e));
    assert_int_equal(asff_client_parse_error(400, NULL, NULL, b2, strlen(b2), &e), ASFF_ERR_THROTTLED);
    assert_string_equal(e.aws_code, "ThrottlingException");
    assert_true(asff_client_is_retryable(&e));
    /* the header wins over the body and is cut at ':' */
    assert_int_equal(asff_client_parse_error(403, "AccessDeniedException:http://internal.amazon.com/", NULL, b1,
                                             strlen(b1), &e),
                     ASFF_ERR_AWS);
    assert_string_equal(e.aws_code, "AccessDeniedException");
    /* 429 without a body, 503 with HTML, LimitExceededException */
    assert_int_equal(asff_client_parse_error(429, NULL, NULL, "", 0, &e), ASFF_ERR_THROTTLED);
    assert_int_equal(asff_client_parse_error(503, NULL, NULL, "<html>", 6, &e), ASFF_ERR_HTTP);
    assert_true(asff_client_is_retryable(&e));
    assert_int_equal(asff_client_parse_error(404, NULL, NULL, "<html>", 6, &e), ASFF_ERR_HTTP);
    assert_false(asff_client_is_retryable(&e));
    assert_int_equal(asff_client_parse_error(429, "LimitExceededException", NULL, NULL, 0, &e), ASFF_ERR_THROTTLED);
    assert_int_equal(asff_client_parse_error(500, NULL, NULL, "{\"__type\":\"InternalException\"}", 30, &e),
                     ASFF_ERR_AWS);
    assert_true(asff_client_is_retryable(&e));
    /* the length is respected: no read past body_len */
    assert_int_equal(asff_client_parse_error(400, NULL, NULL, b1, 10, &e), ASFF_ERR_HTTP);
    assert_int_equal(asff_client_parse_error(200, NULL, "x", "{}", 2, &e), ASFF_OK);
    assert_true(asff_client_is_throttling_code("TooManyRequestsException"));
    assert_true(asff_client_is_throttling_code("RequestLimitExceeded"));
    assert_false(asff_client_is_throttling_code("InvalidInputException"));
    assert_false(asff_client_is_throttling_code(NULL));
}

static void test_header_lines(void **state)
{
    asff_http_headers h;
    (void)state;
    memset(&h, 0, sizeof h);
    asff__http_header_line(&h, "HTTP/1.1 100 Continue\r\n", 23);
    assert_int_equal(h.status, 100);
    asff__http_header_line(&h, "HTTP/1.1 429 Too Many\r\n", 23);
    asff__http_header_line(&h, "X-Amzn-RequestId:  abc-123 \r\n", 29);
    asff__http_header_line(&h, "x-amzn-ErrorType: ThrottlingException:http://x\r\n", 48);
    assert_int_equal(h.status, 429);
    assert_string_equal(h.request_id, "abc-123");
    assert_string_equal(h.error_type, "ThrottlingException:http://x");
    asff__http_header_line(&h, "HTTP/2 200\r\n", 12);
    assert_int_equal(h.status, 200);
    assert_string_equal(h.request_id, "");
    asff__http_header_line(&h, "x-amzn-requestid: \x01\xff\r\n", 21);
    assert_string_equal(h.request_id, "??");
}

static void test_backoff(void **state)
{
    unsigned a;
    (void)state;
    assert_int_equal(asff_client_backoff_ms(0, 100, 20000, 12345), 0);
    assert_int_equal(asff_client_backoff_ms(1, 100, 20000, 100), 100);  /* r % 101 */
    assert_int_equal(asff_client_backoff_ms(1, 100, 20000, 101), 0);
    assert_int_equal(asff_client_backoff_ms(2, 100, 20000, 200), 200);
    assert_int_equal(asff_client_backoff_ms(3, 100, 20000, UINT64_MAX), UINT64_MAX % 401);
    for (a = 1; a < 64; a++)
        assert_true(asff_client_backoff_ms(a, 100, 20000, UINT64_MAX - a) <= 20000);
    assert_int_equal(asff_client_backoff_ms(40, 100, 20000, 20000), 20000);
}

/* A BatchImportFindings answer is checked against its shape before anything in it is believed. */
static asff_status parse_answer(const char *body, asff__import_response *r, asff_error *e)
{
    return asff__import_response_parse(body, strlen(body), NULL, r, e);
}

static void test_import_response(void **state)
{
    asff__import_response r;
    asff_error e;
    const char *ok = "{\"FailedCount\":1,\"SuccessCount\":1,\"FailedFindings\":[{\"Id\":\"a\",\"ErrorCode\":\"InvalidInput\","
                     "\"ErrorMessage\":\"m\"}],\"Unknown\":{\"x\":1}}";
    static const char *const bad[][2] = {
        {"[]", ""},
        {"{}", "/FailedCount"},
        {"{\"SuccessCount\":3}", "/FailedCount"},
        {"{\"FailedCount\":\"x\",\"SuccessCount\":null,\"FailedFindings\":[{\"Id\":5,\"ErrorCode\":[\"a\"]},\"str\",null]}",
         "/FailedCount"},
        {"{\"FailedCount\":0,\"SuccessCount\":null}", "/SuccessCount"},
        {"{\"FailedCount\":-1,\"SuccessCount\":1}", "/FailedCount"},
        {"{\"FailedCount\":1.5,\"SuccessCount\":1}", "/FailedCount"},
        {"{\"FailedCount\":0,\"SuccessCount\":1,\"FailedFindings\":3}", "/FailedFindings"},
        {"{\"FailedCount\":1,\"SuccessCount\":1,\"FailedFindings\":[\"str\"]}", "/FailedFindings/0"},
        {"{\"FailedCount\":1,\"SuccessCount\":1,\"FailedFindings\":[{\"ErrorCode\":\"X\",\"ErrorMessage\":\"m\"}]}",
         "/FailedFindings/0/Id"},
        {"{\"FailedCount\":1,\"SuccessCount\":1,\"FailedFindings\":[{\"Id\":\"a\",\"ErrorMessage\":\"m\"}]}",
         "/FailedFindings/0/ErrorCode"},
        {"{\"FailedCount\":1,\"SuccessCount\":1,\"FailedFindings\":[{\"Id\":\"a\",\"ErrorCode\":\"X\"}]}",
         "/FailedFindings/0/ErrorMessage"},
    };
    size_t i;
    (void)state;
    assert_int_equal(parse_answer(ok, &r, &e), ASFF_OK);
    assert_int_equal(r.nfailed, 1);
    assert_int_equal(r.failed_count, 1);
    assert_int_equal(r.success_count, 1);
    assert_string_equal(r.failed[0].id, "a");
    assert_string_equal(r.failed[0].code, "InvalidInput");
    asff__import_response_free(&r, NULL);
    /* FailedFindings may be absent (the model does not require it) */
    assert_int_equal(parse_answer("{\"FailedCount\":0,\"SuccessCount\":3}", &r, &e), ASFF_OK);
    assert_int_equal(r.nfailed, 0);
    asff__import_response_free(&r, NULL);
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        asff_error_clear(&e);
        if (parse_answer(bad[i][0], &r, &e) != ASFF_ERR_TYPE)
            fail_msg("accepted: %s", bad[i][0]);
        assert_string_equal(e.path, bad[i][1]);
        assert_null(r.tree);
    }
    assert_int_equal(parse_answer("{\"Fa", &r, &e), ASFF_ERR_TRUNCATED);
    assert_int_equal(parse_answer("", &r, &e), ASFF_ERR_TRUNCATED);
    assert_int_equal(parse_answer("{\"FailedCount\":0,\"SuccessCount\":1}x", &r, &e), ASFF_ERR_SYNTAX);
}

/* 2 MB of nesting, 1,000,000 deep: a clean error, no recursion, nothing left allocated. */
static void test_deep_response(void **state)
{
    size_t depth = 1000000, i;
    char *body = malloc(2 * depth + 1);
    asff__import_response r;
    asff_error e;
    test_alloc t;
    (void)state;
    assert_non_null(body);
    for (i = 0; i < depth; i++) {
        body[i] = '[';
        body[2 * depth - 1 - i] = ']';
    }
    body[2 * depth] = '\0';
    assert_int_equal(asff__import_response_parse(body, 2 * depth, test_alloc_init(&t, -1), &r, &e), ASFF_ERR_LIMIT);
    assert_int_equal(t.live, 0);
    /* the same as an error body and as an object nest */
    assert_int_not_equal(asff_client_parse_error(500, NULL, NULL, body, 2 * depth, &e), ASFF_OK);
    memcpy(body, "{\"FailedCount\":", 15);
    assert_int_equal(asff__import_response_parse(body, 2 * depth, NULL, &r, &e), ASFF_ERR_LIMIT);
    assert_int_equal(asff_client_parse_error(400, NULL, NULL, body, 40000, &e), ASFF_ERR_HTTP);
    /* requests as deep: refused before anything is sent, on the client's allocator */
    {
        server s;
        asff_client_options o = ASFF_CLIENT_OPTIONS_INIT;
        asff_client *c;
        asff_response resp;
        memset(&s, 0, sizeof s);
        snprintf(s.endpoint, sizeof s.endpoint, "http://127.0.0.1:9");
        set_env();
        o.allocator = test_alloc_init(&t, -1);
        c = make_client(&s, &o);
        memset(body, '[', depth);
        memcpy(body, "{\"FindingIdentifiers\":", 22);
        /* the request check refuses it (one streaming pass, no recursion) */
        assert_int_equal(asff_client_invoke(c, ASFF_OP_GetInsights, body, 2 * depth, &resp, &e), ASFF_ERR_INVALID_ARG);
        assert_int_equal(asff_client_batch_update_findings(c, body, 2 * depth, NULL, NULL, NULL, NULL, &e), ASFF_ERR_LIMIT);
        asff_client_free(c);
        assert_int_equal(t.live, 0);
    }
    /* a finding as deep, as the importer compacts it (asff_importer_add_json): refused at the
     * parser's depth, at its offset (it was "not one JSON object" from yajl_gen's limit of 128) */
    {
        asff_buf out, id, arn;
        memcpy(body, "{\"Id\":", 6);
        memset(body + 6, '[', depth - 6);
        body[2 * depth - 1] = '}';
        asff__buf_init(&out, test_alloc_init(&t, -1));
        asff__buf_init(&id, &t.a);
        asff__buf_init(&arn, &t.a);
        assert_int_equal(asff__json_compact_finding(body, 2 * depth, &out, &id, &arn, &e), ASFF_ERR_LIMIT);
        assert_non_null(strstr(e.message, "deeper"));
        assert_true(e.offset > 64 && e.offset < 128);
        asff__buf_cleanup(&out);
        asff__buf_cleanup(&id);
        asff__buf_cleanup(&arn);
        assert_int_equal(t.live, 0);
    }
    free(body);
}

/* Secrets are replaced wherever they occur, also at the cut of a truncated copy. */
static void test_redact(void **state)
{
    asff__secrets s;
    asff_buf b;
    char out[64];
    asff_error e;
    const char *tok = "TOKENabcdefghijklmnop";
    (void)state;
    memset(&s, 0, sizeof s);
    assert_int_equal(asff__secrets_add(&s, NULL, tok, strlen(tok)), ASFF_OK);
    assert_int_equal(asff__secrets_add(&s, NULL, tok, strlen(tok)), ASFF_OK);
    assert_int_equal(asff__secrets_add(&s, NULL, "abc", 3), ASFF_OK); /* too short to redact */
    assert_int_equal(s.n, 1);
    asff__buf_init(&b, NULL);
    assert_int_equal(asff__redact_buf(&b, "x TOKENabcdefghijklmnop y TOKENabcdefghijklmnopTOKENabcdefghijklmnop", 68, &s),
                     ASFF_OK);
    assert_string_equal(b.data, "x <redacted> y <redacted><redacted>");
    asff__buf_cleanup(&b);
    asff__redact_into(out, 20, "message: TOKENabcdefghijklmnop", 30, &s);
    assert_string_equal(out, "message: <redacted>");
    asff__redact_into(out, 16, "message: TOKENabcdefghijklmnop", 30, &s);
    assert_string_equal(out, "message: ");  /* no room for the marker: the start of the token goes */
    asff_error_clear(&e);
    snprintf(e.message, sizeof e.message, "bad token %s here", tok);
    snprintf(e.request_id, sizeof e.request_id, "%s", tok);
    asff__redact_error(&e, &s);
    assert_string_equal(e.message, "bad token <redacted> here");
    assert_string_equal(e.request_id, "<redacted>");
    /* the error-body parser redacts before it cuts */
    {
        char body[600];
        snprintf(body, sizeof body, "{\"__type\":\"X\",\"message\":\"%0*d%s\"}", 230, 0, tok);
        assert_int_equal(asff__parse_error(NULL, &s, 400, NULL, NULL, body, strlen(body), &e), ASFF_ERR_AWS);
        assert_null(strstr(e.message, "TOKENabcd"));
    }
    asff__secrets_clear(&s, NULL);
    assert_int_equal(s.n, 0);
}

static void test_compact(void **state)
{
    asff_buf out, id, arn;
    asff_error e;
    const char *f = "{ \"SchemaVersion\" : \"2018-10-08\",\n \"Id\": \"id-1\", \"X\": {\"Id\": \"inner\"},\n"
                    " \"ProductArn\": \"arn:p\", \"N\": 12345678901234567890123, \"L\": [1, 2.50, true, null] }";
    (void)state;
    asff__buf_init(&out, NULL);
    asff__buf_init(&id, NULL);
    asff__buf_init(&arn, NULL);
    assert_int_equal(asff__json_compact_finding(f, strlen(f), &out, &id, &arn, &e), ASFF_OK);
    assert_string_equal(out.data, "{\"SchemaVersion\":\"2018-10-08\",\"Id\":\"id-1\",\"X\":{\"Id\":\"inner\"},"
                                  "\"ProductArn\":\"arn:p\",\"N\":12345678901234567890123,\"L\":[1,2.50,true,null]}");
    assert_string_equal(id.data, "id-1");
    assert_string_equal(arn.data, "arn:p");
    asff__buf_reset(&out);
    assert_int_equal(asff__json_compact_finding("[1]", 3, &out, &id, &arn, &e), ASFF_ERR_TYPE);
    assert_int_equal(asff__json_compact_finding("\"s\"", 3, &out, &id, &arn, &e), ASFF_ERR_TYPE);
    assert_int_equal(asff__json_compact_finding("{\"a\":", 5, &out, &id, &arn, &e), ASFF_ERR_SYNTAX);
    assert_int_equal(asff__json_compact_finding("{} {}", 5, &out, &id, &arn, &e), ASFF_ERR_SYNTAX);
    assert_int_equal(asff__json_compact_finding("{\"a\":\"\xff\"}", 9, &out, &id, &arn, &e), ASFF_ERR_SYNTAX);
    asff__buf_cleanup(&out);
    asff__buf_cleanup(&id);
    asff__buf_cleanup(&arn);
}

static void test_operations_table(void **state)
{
    int i;
    (void)state;
    for (i = 0; i < ASFF_OP_COUNT; i++)
        assert_int_equal(asff_operation_find(asff_operation_name((asff_operation)i)), i);
    assert_int_equal(asff_operation_find("NoSuchOperation"), -1);
    assert_null(asff_operation_name(ASFF_OP_COUNT));
}

static void test_options(void **state)
{
    asff_client_options o = ASFF_CLIENT_OPTIONS_INIT;
    asff_client *c = NULL;
    asff_error e;
    (void)state;
    set_env();
    o.endpoint_url = "http://127.0.0.1:9";
    assert_int_equal(asff_client_new(&o, &c, &e), ASFF_ERR_INVALID_ARG); /* http without allow_http */
    assert_null(c);
    remember(&e);
    o.endpoint_url = NULL;
    o.region = "eu-west-1";
    o.allow_http = true;
    assert_int_equal(asff_client_new(&o, &c, &e), ASFF_OK);
    assert_string_equal(asff_client_endpoint(c), "https://securityhub.eu-west-1.amazonaws.com");
    assert_string_equal(asff_client_region(c), "eu-west-1");
    asff_client_free(c);
    o.version = 99;
    assert_int_equal(asff_client_new(&o, &c, &e), ASFF_ERR_INVALID_ARG);
    o.version = ASFF_CLIENT_OPTIONS_VERSION;
    o.max_attempts = 1000;
    assert_int_equal(asff_client_new(&o, &c, &e), ASFF_ERR_INVALID_ARG);
}

/* ---- against the fault server -------------------------------------------------------------------- */

static void test_retries(void **state)
{
    server s;
    asff_client *c;
    asff_response r;
    asff_error e;
    asff_client_stats st;
    yajl_val log, reqs;
    (void)state;
    set_env();
    fault_start(&s, "");
    c = make_client(&s, NULL);
    /* 429, reset, then success: two retries, one call */
    yajl_tree_free(control(&s, "/__script",
                           "[{\"status\":429,\"body\":\"{\\\"__type\\\":\\\"TooManyRequestsException\\\"}\"},"
                           "{\"reset\":true}]"));
    assert_int_equal(asff_client_invoke(c, ASFF_OP_DescribeHub, NULL, 0, &r, &e), ASFF_OK);
    assert_int_equal(r.http_status, 200);
    assert_non_null(strstr(r.body, "\"Path\": \"/accounts\""));
    assert_string_equal(r.request_id, "req-000003");
    asff_response_cleanup(c, &r);
    asff_client_get_stats(c, &st);
    /* curl itself resends once when a reused connection turns out dead, so the reset may cost no
     * attempt of ours */
    assert_int_equal(st.calls, 1);
    assert_true(st.attempts >= 2 && st.attempts <= 3);
    assert_int_equal(st.retries, st.attempts - 1);
    assert_int_equal(st.throttled, 1);
    /* a validation error is not retried */
    yajl_tree_free(control(&s, "/__script",
                           "[{\"status\":400,\"body\":\"{\\\"__type\\\":\\\"InvalidInputException\\\",\\\"Message\\\":"
                           "\\\"Invalid parameter\\\"}\",\"headers\":{\"x-amzn-RequestId\":\"rid-400\"}}]"));
    assert_int_equal(asff_client_invoke(c, ASFF_OP_GetInsights, "{}", 2, &r, &e), ASFF_ERR_AWS);
    remember(&e);
    assert_string_equal(e.aws_code, "InvalidInputException");
    assert_int_equal(e.http_status, 400);
    assert_non_null(strstr(e.message, "Invalid parameter"));
    assert_null(r.body);
    {
        uint64_t before = st.attempts;
        asff_client_get_stats(c, &st);
        assert_int_equal(st.attempts, before + 1);
    }
    /* three 500s: the default of 3 attempts is used up */
    yajl_tree_free(control(&s, "/__script",
                           "[{\"status\":500,\"body\":\"{}\"},{\"status\":502,\"body\":\"\"},{\"status\":503,\"body\":\"\"},"
                           "{\"status\":200,\"body\":\"{}\"}]"));
    assert_int_equal(asff_client_invoke(c, ASFF_OP_GetInsights, NULL, 0, &r, &e), ASFF_ERR_HTTP);
    remember(&e);
    assert_int_equal(e.http_status, 503);
    assert_non_null(strstr(e.message, "after 3 attempts"));
    /* the scripted 200 is still queued: the next call takes it */
    assert_int_equal(asff_client_call(c, "GET", "/anything", NULL, NULL, 0, &r, &e), ASFF_OK);
    assert_string_equal(r.body, "{}");
    asff_response_cleanup(c, &r);
    /* throttling until the end: ASFF_ERR_THROTTLED */
    yajl_tree_free(control(&s, "/__script", "[{\"status\":429,\"body\":\"\"},{\"status\":429,\"body\":\"\"},"
                                            "{\"status\":429,\"body\":\"\"}]"));
    assert_int_equal(asff_client_invoke(c, ASFF_OP_GetInsights, NULL, 0, &r, &e), ASFF_ERR_THROTTLED);
    remember(&e);
    /* signed requests: Authorization, token header, User-Agent, no secret anywhere */
    log = control(&s, "/__log", NULL);
    reqs = get(log, "requests");
    assert_true(YAJL_IS_ARRAY(reqs));
    {
        yajl_val first = reqs->u.array.values[0];
        yajl_val hdrs = get(first, "headers");
        const char *auth = YAJL_GET_STRING(get(first, "auth"));
        const char *p1[] = {"x-amz-security-token", NULL}, *p2[] = {"user-agent", NULL};
        assert_non_null(auth);
        assert_non_null(strstr(auth, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLETEST/"));
        assert_non_null(strstr(auth, "/us-east-1/securityhub/aws4_request"));
        assert_null(strstr(auth, SECRET));
        assert_string_equal(YAJL_GET_STRING(yajl_tree_get(hdrs, p1, yajl_t_string)), TOKEN);
        assert_string_equal(YAJL_GET_STRING(yajl_tree_get(hdrs, p2, yajl_t_string)), "libasff/" ASFF_VERSION_STRING);
    }
    yajl_tree_free(log);
    asff_client_free(c);
    server_stop(&s);
}

static void test_timeout_and_network(void **state)
{
    server s;
    asff_client_options o = ASFF_CLIENT_OPTIONS_INIT;
    asff_client *c;
    asff_response r;
    asff_error e;
    (void)state;
    set_env();
    fault_start(&s, "");
    o.timeout_ms = 300;
    o.max_attempts = 2;
    c = make_client(&s, &o);
    yajl_tree_free(control(&s, "/__script", "[{\"delay_ms\":1500,\"status\":200,\"body\":\"{}\"},"
                                            "{\"delay_ms\":1500,\"status\":200,\"body\":\"{}\"}]"));
    assert_int_equal(asff_client_invoke(c, ASFF_OP_DescribeHub, NULL, 0, &r, &e), ASFF_ERR_TIMEOUT);
    remember(&e);
    assert_true(asff_client_is_retryable(&e));
    asff_client_free(c);
    server_stop(&s);
    /* nobody listens any more: a network error after the attempts */
    c = make_client(&s, &o);
    assert_int_equal(asff_client_invoke(c, ASFF_OP_DescribeHub, NULL, 0, &r, &e), ASFF_ERR_NETWORK);
    remember(&e);
    asff_client_free(c);
}

/* Each operation goes out with the method, path, query and body of the model. */
static void test_bindings(void **state)
{
    static const struct {
        asff_operation op;
        const char *input;
        const char *method, *path, *query, *body;
    } cases[] = {
        {ASFF_OP_DescribeHub, "{\"HubArn\":\"arn:aws:securityhub:us-east-1:1:hub/default\"}", "GET", "/accounts",
         "HubArn=arn%3Aaws%3Asecurityhub%3Aus-east-1%3A1%3Ahub%2Fdefault", ""},
        {ASFF_OP_EnableSecurityHub, "{\"EnableDefaultStandards\":false,\"Tags\":{\"k\":\"v\"}}", "POST", "/accounts", "",
         "{\"EnableDefaultStandards\":false,\"Tags\":{\"k\":\"v\"}}"},
        {ASFF_OP_DisableSecurityHub, NULL, "DELETE", "/accounts", "", ""},
        {ASFF_OP_UpdateInsight, "{\"InsightArn\":\"arn:aws:securityhub:us-east-1:1:insight/1/custom/a b\",\"Name\":\"n\"}",
         "PATCH", "/insights/arn%3Aaws%3Asecurityhub%3Aus-east-1%3A1%3Ainsight/1/custom/a%20b", "", "{\"Name\":\"n\"}"},
        {ASFF_OP_DeleteActionTarget, "{\"ActionTargetArn\":\"arn:x:action/custom/t\"}", "DELETE",
         "/actionTargets/arn%3Ax%3Aaction/custom/t", "", ""},
        {ASFF_OP_TagResource, "{\"ResourceArn\":\"arn:a/b\",\"Tags\":{\"team\":\"sec\"}}", "POST", "/tags/arn%3Aa%2Fb", "",
         "{\"Tags\":{\"team\":\"sec\"}}"},
        {ASFF_OP_UntagResource, "{\"ResourceArn\":\"arn:a\",\"TagKeys\":[\"k1\",\"k 2\"]}", "DELETE", "/tags/arn%3Aa",
         "tagKeys=k1&tagKeys=k%202", ""},
        {ASFF_OP_ListMembers, "{\"OnlyAssociated\":true,\"MaxResults\":5,\"NextToken\":\"t/1=\"}", "GET", "/members",
         "OnlyAssociated=true&MaxResults=5&NextToken=t%2F1%3D", ""},
        {ASFF_OP_GetInsightResults, "{\"InsightArn\":\"arn:i/1\"}", "GET", "/insights/results/arn%3Ai/1", "", ""},
        {ASFF_OP_CreateActionTarget, "{\"Name\":\"Send\",\"Description\":\"d\",\"Id\":\"Send\"}", "POST", "/actionTargets",
         "", "{\"Name\":\"Send\",\"Description\":\"d\",\"Id\":\"Send\"}"},
        {ASFF_OP_BatchEnableStandards, "{\"StandardsSubscriptionRequests\":[{\"StandardsArn\":\"s\"}]}", "POST",
         "/standards/register", "", "{\"StandardsSubscriptionRequests\":[{\"StandardsArn\":\"s\"}]}"},
        {ASFF_OP_ListEnabledProductsForImport, "{\"MaxResults\":10}", "GET", "/productSubscriptions", "MaxResults=10", ""},
        {ASFF_OP_GetAdministratorAccount, "", "GET", "/administrator", "", ""},
        {ASFF_OP_ListInvitations, "{\"MaxResults\":3}", "GET", "/invitations", "MaxResults=3", ""},
        {ASFF_OP_EnableOrganizationAdminAccount, "{\"AdminAccountId\":\"1\"}", "POST", "/organization/admin/enable",
         "", "{\"AdminAccountId\":\"1\"}"},
        {ASFF_OP_UpdateOrganizationConfiguration, "{\"AutoEnable\":true}", "POST", "/organization/configuration", "",
         "{\"AutoEnable\":true}"},
        {ASFF_OP_ListOrganizationAdminAccounts, "{\"MaxResults\":5}", "GET", "/organization/admin", "MaxResults=5", ""},
        {ASFF_OP_DescribeOrganizationConfiguration, NULL, "GET", "/organization/configuration", "", ""},
        {ASFF_OP_GetInsights, "{\"MaxResults\":2}", "POST", "/insights/get", "", "{\"MaxResults\":2}"},
        {ASFF_OP_CreateInsight, "{\"Name\":\"n\",\"Filters\":{},\"GroupByAttribute\":\"ResourceId\"}", "POST", "/insights",
         "", "{\"Name\":\"n\",\"Filters\":{},\"GroupByAttribute\":\"ResourceId\"}"},
        {ASFF_OP_DeleteInsight, "{\"InsightArn\":\"arn:i/2\"}", "DELETE", "/insights/arn%3Ai/2", "", ""},
        {ASFF_OP_DescribeActionTargets, "{}", "POST", "/actionTargets/get", "", "{}"},
        {ASFF_OP_UpdateActionTarget, "{\"ActionTargetArn\":\"arn:t\",\"Name\":\"x\"}", "PATCH", "/actionTargets/arn%3At",
         "", "{\"Name\":\"x\"}"},
        {ASFF_OP_ListTagsForResource, "{\"ResourceArn\":\"arn:h\"}", "GET", "/tags/arn%3Ah", "", ""},
        {ASFF_OP_InviteMembers, "{\"AccountIds\":[\"1\"]}", "POST", "/members/invite", "", "{\"AccountIds\":[\"1\"]}"},
        {ASFF_OP_DeleteMembers, "{\"AccountIds\":[\"1\"]}", "POST", "/members/delete", "", "{\"AccountIds\":[\"1\"]}"},
        {ASFF_OP_AcceptAdministratorInvitation, "{\"AdministratorId\":\"1\",\"InvitationId\":\"i\"}", "POST",
         "/administrator", "", "{\"AdministratorId\":\"1\",\"InvitationId\":\"i\"}"},
        {ASFF_OP_GetEnabledStandards, NULL, "POST", "/standards/get", "", "{}"},
        {ASFF_OP_EnableImportFindingsForProduct, "{\"ProductArn\":\"arn:p\"}", "POST", "/productSubscriptions", "",
         "{\"ProductArn\":\"arn:p\"}"},
        {ASFF_OP_CreateMembers, "{\"AccountDetails\":[{\"AccountId\":\"1\"}]}", "POST", "/members", "",
         "{\"AccountDetails\":[{\"AccountId\":\"1\"}]}"},
        {ASFF_OP_GetMembers, "{\"AccountIds\":[\"1\"]}", "POST", "/members/get", "", "{\"AccountIds\":[\"1\"]}"},
        {ASFF_OP_GetFindings, "{\"MaxResults\":1}", "POST", "/findings", "", "{\"MaxResults\":1}"},
    };
    server s;
    asff_client *c;
    asff_response r;
    asff_error e;
    size_t i;
    (void)state;
    set_env();
    /* the server checks every signature with botocore's signer */
    fault_start(&s, "--verify-secret " SECRET);
    c = make_client(&s, NULL);
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        yajl_val v;
        char ebuf[128];
        const char *in = cases[i].input;
        if (asff_client_invoke(c, cases[i].op, in, in ? strlen(in) : 0, &r, &e) != ASFF_OK)
            fail_msg("%s: %s", asff_operation_name(cases[i].op), e.message);
        v = yajl_tree_parse(r.body, ebuf, sizeof ebuf);
        assert_non_null(v);
        if (!get(v, "Method"))
            fail_msg("%s: not an echo: %s", asff_operation_name(cases[i].op), r.body);
        assert_string_equal(YAJL_GET_STRING(get(v, "Method")), cases[i].method);
        assert_string_equal(YAJL_GET_STRING(get(v, "Path")), cases[i].path);
        assert_string_equal(YAJL_GET_STRING(get(v, "Query")), cases[i].query);
        assert_string_equal(YAJL_GET_STRING(get(v, "Body")), cases[i].body);
        yajl_tree_free(v);
        asff_response_cleanup(c, &r);
    }
    /* every operation of the first table has a case (all 109 against botocore: tests/ops_botocore.py) */
    {
        int covered[ASFF_OP_COUNT] = {0}, k;
        for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
            covered[cases[i].op] = 1;
        covered[ASFF_OP_BatchImportFindings] = 1; /* the importer tests check its calls */
        covered[ASFF_OP_BatchUpdateFindings] = 1; /* the fault server answers it (test_batch_update) */
        for (k = 0; k <= ASFF_OP_ListEnabledProductsForImport; k++)
            if (!covered[k])
                fail_msg("no binding case for %s", asff_operation_name((asff_operation)k));
    }
    /* missing URI member, bad input */
    assert_int_equal(asff_client_invoke(c, ASFF_OP_DeleteInsight, "{}", 2, &r, &e), ASFF_ERR_INVALID_ARG);
    remember(&e);
    assert_int_equal(asff_client_invoke(c, ASFF_OP_DeleteInsight, "[1]", 3, &r, &e), ASFF_ERR_INVALID_ARG);
    assert_int_equal(asff_client_invoke(c, ASFF_OP_DeleteInsight, "{", 1, &r, &e), ASFF_ERR_INVALID_ARG);
    assert_int_equal(asff_client_invoke(c, ASFF_OP_UntagResource, "{\"ResourceArn\":\"a\",\"TagKeys\":[{}]}", 34, &r, &e),
                     ASFF_ERR_INVALID_ARG);
    asff_client_free(c);
    server_stop(&s);
    /* the check can fail: a server that knows another secret refuses the signature */
    fault_start(&s, "--verify-secret another-secret");
    c = make_client(&s, NULL);
    assert_int_equal(asff_client_invoke(c, ASFF_OP_DescribeHub, NULL, 0, &r, &e), ASFF_ERR_AWS);
    remember(&e);
    assert_string_equal(e.aws_code, "InvalidSignatureException");
    assert_int_equal(e.http_status, 403);
    asff_client_free(c);
    server_stop(&s);
}

/* A clock that only moves when the client sleeps: pacing becomes exact arithmetic. */
typedef struct fake_clock {
    uint64_t now;
    uint64_t slept;
} fake_clock;

static uint64_t fake_now(void *ctx)
{
    return ((fake_clock *)ctx)->now;
}

static void fake_sleep(void *ctx, uint64_t ms)
{
    ((fake_clock *)ctx)->now += ms;
    ((fake_clock *)ctx)->slept += ms;
}

static uint64_t fake_random(void *ctx)
{
    (void)ctx;
    return UINT64_MAX;
}

static void test_rate_limiter(void **state)
{
    server s;
    asff_client_options o = ASFF_CLIENT_OPTIONS_INIT;
    asff_client *c;
    asff_response r;
    asff_error e;
    fake_clock clk = {1000, 0};
    int i;
    (void)state;
    set_env();
    fault_start(&s, "");
    o.hooks.now_ms = fake_now;
    o.hooks.sleep_ms = fake_sleep;
    o.hooks.random = fake_random;
    o.hooks.ctx = &clk;
    {
        /* options can set rates too; a bad one is refused */
        static const asff_rate_limit bad = {ASFF_OP_GetInsights, 5, 0.5};
        static const asff_rate_limit ok = {ASFF_OP_GetInsights, 2, 2};
        asff_client *b = NULL;
        o.endpoint_url = s.endpoint;
        o.allow_http = true;
        o.rate_limits = &bad;
        o.rate_limit_count = 1;
        assert_int_equal(asff_client_new(&o, &b, &e), ASFF_ERR_INVALID_ARG);
        assert_null(b);
        o.rate_limits = &ok;
    }
    c = make_client(&s, &o);
    /* GetInsights at 2/s burst 2 from the options: 4 calls = 2 from the bucket + 2 at 500 ms */
    for (i = 0; i < 4; i++) {
        assert_int_equal(asff_client_invoke(c, ASFF_OP_GetInsights, NULL, 0, &r, &e), ASFF_OK);
        asff_response_cleanup(c, &r);
    }
    assert_true(clk.slept >= 1000 && clk.slept <= 1002);
    clk.slept = 0;
    /* GetFindings: 3/s, burst 6. 12 calls = 6 from the bucket + 6 paced at 334 ms */
    for (i = 0; i < 12; i++) {
        assert_int_equal(asff_client_invoke(c, ASFF_OP_GetFindings, NULL, 0, &r, &e), ASFF_OK);
        asff_response_cleanup(c, &r);
    }
    assert_true(clk.slept >= 6 * 333 && clk.slept <= 6 * 335);
    /* configurable: 1/s, burst 1 for a generic call bucket */
    assert_int_equal(asff_client_set_rate(c, ASFF_OP_COUNT, 1, 1), ASFF_OK);
    clk.slept = 0;
    for (i = 0; i < 4; i++) {
        assert_int_equal(asff_client_call(c, "GET", "/x", NULL, NULL, 0, &r, &e), ASFF_OK);
        asff_response_cleanup(c, &r);
    }
    assert_true(clk.slept >= 3000 && clk.slept <= 3003);
    assert_int_equal(asff_client_set_rate(c, ASFF_OP_COUNT, 1, 0), ASFF_ERR_INVALID_ARG);
    /* backoff: the injected random source decides the sleeps (base 5 ms) */
    assert_int_equal(asff_client_set_rate(c, ASFF_OP_COUNT, 0, 0), ASFF_OK);
    clk.slept = 0;
    yajl_tree_free(control(&s, "/__script", "[{\"status\":500,\"body\":\"\"},{\"status\":500,\"body\":\"\"}]"));
    assert_int_equal(asff_client_call(c, "GET", "/x", NULL, NULL, 0, &r, &e), ASFF_OK);
    asff_response_cleanup(c, &r);
    assert_int_equal(clk.slept, asff_client_backoff_ms(1, 5, 20000, UINT64_MAX) +
                                    asff_client_backoff_ms(2, 5, 20000, UINT64_MAX));
    asff_client_free(c);
    server_stop(&s);
}

/* ---- the importer ----------------------------------------------------------------------------------- */

typedef struct outcome_log {
    size_t n;
    unsigned char *seen;       /* per index: times reported */
    char **code;               /* per index: NULL = imported */
    char **id;
    size_t failed, imported;
} outcome_log;

static int on_outcome(void *ctx, const asff_import_outcome *o)
{
    outcome_log *l = ctx;
    assert_true(o->index < l->n);
    l->seen[o->index]++;
    free(l->id[o->index]);
    l->id[o->index] = strdup(o->id);
    if (o->imported)
        l->imported++;
    else {
        assert_non_null(o->error_code);
        assert_non_null(o->error_message);
        assert_true(o->error_code[0] != '\0');
        free(l->code[o->index]);
        l->code[o->index] = strdup(o->error_code);
        l->failed++;
        if (strlen(seen_messages) < sizeof seen_messages - 600) {
            size_t k = strlen(seen_messages);
            snprintf(seen_messages + k, sizeof seen_messages - k, "%s\n", o->error_message);
        }
    }
    return 0;
}

static void log_init(outcome_log *l, size_t n)
{
    l->n = n;
    l->seen = calloc(n, 1);
    l->code = calloc(n, sizeof *l->code);
    l->id = calloc(n, sizeof *l->id);
    l->failed = l->imported = 0;
}

static void log_free(outcome_log *l)
{
    size_t i;
    for (i = 0; i < l->n; i++) {
        free(l->code[i]);
        free(l->id[i]);
    }
    free(l->seen);
    free(l->code);
    free(l->id);
}

static char *finding_json(size_t i, size_t pad)
{
    size_t cap = 1024 + pad;
    char *s = malloc(cap);
    char *padding = malloc(pad + 1);
    memset(padding, 'x', pad);
    padding[pad] = '\0';
    snprintf(s, cap,
             "{\"SchemaVersion\":\"2018-10-08\",\"Id\":\"finding-%zu\","
             "\"ProductArn\":\"arn:aws:securityhub:us-east-1:123456789012:product/123456789012/default\","
             "\"GeneratorId\":\"libasff-test\",\"AwsAccountId\":\"123456789012\",\"Types\":[\"Software and "
             "Configuration Checks\"],\"CreatedAt\":\"2024-01-01T00:00:00Z\",\"UpdatedAt\":\"2024-01-01T00:00:00Z\","
             "\"Severity\":{\"Label\":\"LOW\"},\"Title\":\"t %zu\",\"Description\":\"d%s\","
             "\"Resources\":[{\"Type\":\"Other\",\"Id\":\"r-%zu\"}]}",
             i, i, padding, i);
    free(padding);
    return s;
}

static void test_importer_limits(void **state)
{
    server s;
    asff_client *c;
    asff_importer *imp;
    asff_import_options io = ASFF_IMPORT_OPTIONS_INIT;
    asff_import_stats st;
    asff_error e;
    outcome_log l;
    yajl_val log, reqs;
    size_t i;
    char *big;
    (void)state;
    set_env();
    fault_start(&s, "");
    c = make_client(&s, NULL);
    assert_int_equal(asff_client_set_rate(c, ASFF_OP_BatchImportFindings, 0, 0), ASFF_OK);
    log_init(&l, 260);
    io.max_body = 300000;
    io.no_validate = true; /* Descriptions of 60,000 bytes: over the limit, but this is about batching */
    assert_int_equal(asff_importer_new(c, &io, on_outcome, &l, &imp, &e), ASFF_OK);
    /* 0..199: small; 200: too large; 201..209: ~60 KB each (5 per 300 KB body); 210: duplicate of 209;
     * 211: no Id; 212: not JSON */
    for (i = 0; i < 200; i++) {
        char *f = finding_json(i, 10);
        assert_int_equal(asff_importer_add_json(imp, f, strlen(f), &e), ASFF_OK);
        free(f);
    }
    big = finding_json(200, ASFF_FINDING_MAX_BYTES);
    assert_int_equal(asff_importer_add_json(imp, big, strlen(big), &e), ASFF_OK);
    free(big);
    for (i = 201; i < 210; i++) {
        char *f = finding_json(i, 60000);
        assert_int_equal(asff_importer_add_json(imp, f, strlen(f), &e), ASFF_OK);
        free(f);
    }
    {
        char *f = finding_json(209, 5);
        assert_int_equal(asff_importer_add_json(imp, f, strlen(f), &e), ASFF_OK);
        free(f);
    }
    assert_int_equal(asff_importer_add_json(imp, "{\"Title\":\"no id\"}", 17, &e), ASFF_OK);
    assert_int_equal(asff_importer_add_json(imp, "{\"Id\":", 6, &e), ASFF_OK);
    assert_int_equal(asff_importer_flush(imp, &e), ASFF_OK);
    asff_importer_get_stats(imp, &st);
    assert_int_equal(st.added, 213);
    assert_int_equal(st.imported, 210);
    assert_int_equal(st.failed, 3);
    for (i = 0; i < 213; i++)
        assert_int_equal(l.seen[i], 1);
    assert_string_equal(l.code[200], "FindingTooLarge");
    assert_string_equal(l.code[211], "MissingId");
    assert_string_equal(l.code[212], "InvalidJson");
    asff_importer_free(imp);
    /* what the server got: <= 100 findings and <= 300000 bytes a call, the big one never, and the two
     * finding-209 in different calls */
    log = control(&s, "/__log", NULL);
    reqs = get(log, "requests");
    {
        int with209 = 0;
        for (i = 0; i < reqs->u.array.len; i++) {
            yajl_val ids = get(reqs->u.array.values[i], "ids");
            size_t k, n209 = 0;
            assert_true(YAJL_IS_ARRAY(ids));
            assert_true(ids->u.array.len <= 100);
            assert_true(YAJL_GET_INTEGER(get(reqs->u.array.values[i], "len")) <= 300000);
            for (k = 0; k < ids->u.array.len; k++) {
                const char *id = YAJL_GET_STRING(ids->u.array.values[k]);
                assert_string_not_equal(id, "finding-200");
                if (strcmp(id, "finding-209") == 0)
                    n209++;
            }
            assert_true(n209 <= 1);
            with209 += (int)n209;
        }
        assert_int_equal(with209, 2);
        /* 2 calls of 100, then the 60 KB findings 4 per call (5 would pass 300000) and the duplicate */
        assert_true(reqs->u.array.len >= 5);
    }
    yajl_tree_free(log);
    /* a whole call refused: every finding in it reported with the AWS code */
    yajl_tree_free(control(&s, "/__script", "[{\"status\":403,\"body\":\"{\\\"__type\\\":\\\"AccessDeniedException\\\","
                                            "\\\"message\\\":\\\"not allowed\\\"}\"}]"));
    log_free(&l);
    log_init(&l, 3);
    assert_int_equal(asff_importer_new(c, NULL, on_outcome, &l, &imp, &e), ASFF_OK);
    for (i = 0; i < 3; i++) {
        char *f = finding_json(i, 1);
        assert_int_equal(asff_importer_add_json(imp, f, strlen(f), &e), ASFF_OK);
        free(f);
    }
    assert_int_equal(asff_importer_flush(imp, &e), ASFF_OK);
    for (i = 0; i < 3; i++) {
        assert_int_equal(l.seen[i], 1);
        assert_string_equal(l.code[i], "AccessDeniedException");
    }
    asff_importer_free(imp);
    log_free(&l);
    asff_client_free(c);
    server_stop(&s);
}

static int stop_after_first(void *ctx, const asff_import_outcome *o)
{
    on_outcome(ctx, o);
    return 1;
}

/* When the importer cannot go on (no credentials, the caller stops it), every finding is still
 * reported exactly once. */
static void test_importer_fatal(void **state)
{
    server s;
    asff_client *c;
    asff_importer *imp;
    asff_error e;
    outcome_log l;
    asff_import_options io = ASFF_IMPORT_OPTIONS_INIT;
    size_t i;
    (void)state;
    set_env();
    fault_start(&s, "");
    c = make_client(&s, NULL);
    /* the caller stops after the first outcome: the batch of 10 is reported, later adds are refused */
    log_init(&l, 30);
    io.max_findings = 10;
    assert_int_equal(asff_importer_new(c, &io, stop_after_first, &l, &imp, &e), ASFF_OK);
    for (i = 0; i < 10; i++) {
        char *f = finding_json(i, 1);
        assert_int_equal(asff_importer_add_json(imp, f, strlen(f), &e), ASFF_OK);
        free(f);
    }
    {
        char *f = finding_json(10, 1);
        assert_int_equal(asff_importer_add_json(imp, f, strlen(f), &e), ASFF_ERR_ABORTED);
        free(f);
    }
    assert_int_equal(asff_importer_flush(imp, &e), ASFF_OK);
    asff_importer_free(imp);
    for (i = 0; i < 11; i++)
        assert_int_equal(l.seen[i], 1);
    assert_int_equal(l.imported, 10);
    assert_string_equal(l.code[10], "Aborted");
    log_free(&l);
    asff_client_free(c);
    /* no credentials anywhere */
    unsetenv("AWS_ACCESS_KEY_ID");
    unsetenv("AWS_SECRET_ACCESS_KEY");
    unsetenv("AWS_SESSION_TOKEN");
    unsetenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
    unsetenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
    c = make_client(&s, NULL);
    log_init(&l, 3);
    assert_int_equal(asff_importer_new(c, NULL, on_outcome, &l, &imp, &e), ASFF_OK);
    for (i = 0; i < 3; i++) {
        char *f = finding_json(i, 1);
        assert_int_equal(asff_importer_add_json(imp, f, strlen(f), &e), ASFF_OK);
        free(f);
    }
    assert_int_equal(asff_importer_flush(imp, &e), ASFF_ERR_CREDENTIALS);
    remember(&e);
    asff_importer_free(imp);
    for (i = 0; i < 3; i++) {
        assert_int_equal(l.seen[i], 1);
        assert_string_equal(l.code[i], "Credentials");
    }
    log_free(&l);
    asff_client_free(c);
    server_stop(&s);
    set_env();
}

/* After a flush under resubmissions: every one of n findings imported or failed, some resubmitted;
 * *st gets the stats. */
static void check_all_accounted(const asff_importer *imp, size_t n, asff_import_stats *st)
{
    asff_importer_get_stats(imp, st);
    assert_int_equal(st->added, n);
    assert_int_equal(st->imported + st->failed, n);
    assert_true(st->resubmitted > 0);
}

/* asff_importer_add: typed findings through one reused writer, batches built as findings arrive and
 * rebuilt from resubmissions. Each call's body is exactly {"Findings":[...]} of the findings' compact
 * JSON, and every finding is reported once. */
static void test_importer_typed(void **state)
{
    enum { N = 300 };
    server s;
    asff_client *c;
    asff_importer *imp;
    asff_import_options io = ASFF_IMPORT_OPTIONS_INIT;
    asff_import_stats st;
    asff_error e;
    outcome_log l;
    size_t sizes[N], i, k, calls = 0;
    yajl_val log, reqs;
    (void)state;
    set_env();
    fault_start(&s, "--seed 3 --fail 0.3 --retryable-share 1.0");
    c = make_client(&s, NULL);
    (void)asff_client_set_rate(c, ASFF_OP_BatchImportFindings, 0, 0);
    log_init(&l, N);
    io.resubmit = 2;
    io.max_findings = 40;
    assert_int_equal(asff_importer_new(c, &io, on_outcome, &l, &imp, &e), ASFF_OK);
    for (i = 0; i < N; i++) {
        char *f = finding_json(i, i % 7 * 10);
        void *obj = NULL;
        assert_int_equal(asff_parse_object(f, strlen(f), 0, NULL, &obj, &e), ASFF_OK);
        sizes[i] = asff_json_size(obj);
        assert_true(sizes[i] > 0);
        assert_int_equal(asff_importer_add(imp, obj, &e), ASFF_OK);
        asff_object_free(obj); /* the importer keeps its own copy */
        free(f);
    }
    assert_int_equal(asff_importer_flush(imp, &e), ASFF_OK);
    check_all_accounted(imp, N, &st);
    asff_importer_free(imp);
    for (i = 0; i < N; i++) {
        char id[32];
        snprintf(id, sizeof id, "finding-%zu", i);
        assert_int_equal(l.seen[i], 1);
        assert_string_equal(l.id[i], id);
    }
    log = control(&s, "/__log", NULL);
    reqs = get(log, "requests");
    for (i = 0; i < reqs->u.array.len; i++) {
        yajl_val ids = get(reqs->u.array.values[i], "ids");
        size_t want = 15; /* {"Findings":[ ]} */
        assert_true(YAJL_IS_ARRAY(ids)); /* the server read the body as JSON */
        assert_true(ids->u.array.len >= 1 && ids->u.array.len <= 40);
        for (k = 0; k < ids->u.array.len; k++) {
            const char *id = YAJL_GET_STRING(ids->u.array.values[k]);
            assert_non_null(id);
            assert_int_equal(strncmp(id, "finding-", 8), 0);
            want += sizes[strtoul(id + 8, NULL, 10)] + (k ? 1 : 0);
        }
        assert_int_equal(YAJL_GET_INTEGER(get(reqs->u.array.values[i], "len")), (long long)want);
        calls++;
    }
    assert_true(calls > N / 40);
    yajl_tree_free(log);
    log_free(&l);
    asff_client_free(c);
    server_stop(&s);
}

/* The done-when of issue 6: 10,000 findings against 20% throttling, 5% 500s, 2% resets and partial
 * FailedFindings; each is reported exactly once, as the server saw it; the rate is respected. */
static void test_import_under_faults(void **state)
{
    enum { N = 10000 };
    server s;
    asff_client_options o = ASFF_CLIENT_OPTIONS_INIT;
    asff_client *c;
    asff_importer *imp;
    asff_import_options io = ASFF_IMPORT_OPTIONS_INIT;
    asff_import_stats st;
    asff_error e;
    outcome_log l;
    yajl_val outcomes, log, reqs;
    size_t i, matched_failed = 0, call_failed = 0;
    const double rate = 40, burst = 5;
    (void)state;
    set_env();
    fault_start(&s, "--seed 7 --throttle 0.20 --error500 0.05 --reset 0.02 --fail 0.03 --retryable-share 0.5 "
                    "--verify-secret " SECRET);
    o.max_attempts = 4;
    c = make_client(&s, &o);
    assert_int_equal(asff_client_set_rate(c, ASFF_OP_BatchImportFindings, rate, burst), ASFF_OK);
    log_init(&l, N);
    io.resubmit = 2;
    assert_int_equal(asff_importer_new(c, &io, on_outcome, &l, &imp, &e), ASFF_OK);
    for (i = 0; i < N; i++) {
        char *f = finding_json(i, 20);
        assert_int_equal(asff_importer_add_json(imp, f, strlen(f), &e), ASFF_OK);
        free(f);
    }
    assert_int_equal(asff_importer_flush(imp, &e), ASFF_OK);
    check_all_accounted(imp, N, &st);
    asff_importer_free(imp);
    outcomes = control(&s, "/__outcomes", NULL);
    for (i = 0; i < N; i++) {
        char id[32];
        yajl_val seen;
        const char *last;
        if (l.seen[i] != 1)
            fail_msg("finding %zu reported %d times", i, l.seen[i]);
        snprintf(id, sizeof id, "finding-%zu", i);
        assert_string_equal(l.id[i], id);
        seen = get(outcomes, id);
        if (!l.code[i]) {
            /* imported: the server's last word on it was "imported" */
            assert_true(YAJL_IS_ARRAY(seen));
            last = YAJL_GET_STRING(seen->u.array.values[seen->u.array.len - 1]);
            assert_string_equal(last, "imported");
        } else if (strcmp(l.code[i], "InvalidInput") == 0 || strcmp(l.code[i], "InternalFailure") == 0) {
            /* failed in FailedFindings: the server failed it with that code last time */
            assert_true(YAJL_IS_ARRAY(seen));
            last = YAJL_GET_STRING(seen->u.array.values[seen->u.array.len - 1]);
            assert_string_equal(last, l.code[i]);
            matched_failed++;
        } else {
            /* the whole call failed after every attempt: a throttling, 5xx or network reason */
            assert_true(strcmp(l.code[i], "TooManyRequestsException") == 0 ||
                        strcmp(l.code[i], "LimitExceededException") == 0 ||
                        strcmp(l.code[i], "InternalException") == 0 || strcmp(l.code[i], "HttpError") == 0 ||
                        strcmp(l.code[i], "NetworkError") == 0);
            call_failed++;
        }
    }
    assert_true(matched_failed > 0);
    assert_int_equal(matched_failed + call_failed, st.failed);
    yajl_tree_free(outcomes);
    /* the rate: in any window of the log, at most burst + rate * window requests (+1 for rounding).
     * Requests the server reset are left out: libcurl resends a request by itself, without asking us,
     * when a kept-alive connection turns out dead, so the reset one and its resend share one token. */
    log = control(&s, "/__log", NULL);
    reqs = get(log, "requests");
    {
        size_t n = reqs->u.array.len, a, b = 0, m = 0;
        double *t = malloc(n * sizeof *t);
        for (a = 0; a < n; a++) {
            yajl_val status = get(reqs->u.array.values[a], "status");
            if (YAJL_IS_STRING(status) && strcmp(status->u.string, "reset") == 0)
                continue;
            t[m++] = YAJL_GET_DOUBLE(get(reqs->u.array.values[a], "t"));
        }
        for (a = 0; a < m; a++) {
            /* windows of 1 second from each request */
            while (b < m && t[b] < t[a] + 1.0)
                b++;
            if ((double)(b - a) > burst + rate * 1.0 + 1)
                fail_msg("%zu requests within 1 s from request %zu (rate %.0f burst %.0f)", b - a, a, rate, burst);
        }
        print_message("import under faults: %zu requests, %llu imported, %llu failed (%zu in FailedFindings), "
                      "%llu resubmitted\n",
                      n, (unsigned long long)st.imported, (unsigned long long)st.failed, matched_failed,
                      (unsigned long long)st.resubmitted);
        free(t);
    }
    yajl_tree_free(log);
    log_free(&l);
    asff_client_free(c);
    server_stop(&s);
}

/* Every allocation of the client and the importer goes through the caller's allocator, and all of it
 * is given back. */
typedef struct counting {
    long live, total;
} counting;

static void *count_malloc(void *ctx, size_t n)
{
    counting *k = ctx;
    void *p = malloc(n);
    if (p) {
        k->live++;
        k->total++;
    }
    return p;
}

static void *count_realloc(void *ctx, void *p, size_t n)
{
    counting *k = ctx;
    void *q = realloc(p, n);
    if (q && !p) {
        k->live++;
        k->total++;
    }
    return q;
}

static void count_free(void *ctx, void *p)
{
    counting *k = ctx;
    if (p)
        k->live--;
    free(p);
}

static void test_allocator(void **state)
{
    server s;
    counting k = {0, 0};
    asff_allocator a;
    asff_client_options o = ASFF_CLIENT_OPTIONS_INIT;
    asff_client *c;
    asff_importer *imp;
    asff_response r;
    asff_error e;
    outcome_log l;
    size_t i;
    (void)state;
    a.malloc = count_malloc;
    a.realloc = count_realloc;
    a.free = count_free;
    a.ctx = &k;
    set_env();
    fault_start(&s, "");
    o.allocator = &a;
    c = make_client(&s, &o);
    {
        const char *in = "{\"ResourceArn\":\"a\",\"Tags\":{\"k\":\"v\"}}";
        assert_int_equal(asff_client_invoke(c, ASFF_OP_TagResource, in, strlen(in), &r, &e), ASFF_OK);
    }
    asff_response_cleanup(c, &r);
    log_init(&l, 5);
    assert_int_equal(asff_importer_new(c, NULL, on_outcome, &l, &imp, &e), ASFF_OK);
    for (i = 0; i < 5; i++) {
        char *f = finding_json(i, 1);
        assert_int_equal(asff_importer_add_json(imp, f, strlen(f), &e), ASFF_OK);
        free(f);
    }
    assert_int_equal(asff_importer_flush(imp, &e), ASFF_OK);
    asff_importer_free(imp);
    assert_int_equal(l.imported, 5);
    log_free(&l);
    asff_client_free(c);
    assert_true(k.total > 10);
    assert_int_equal(k.live, 0);
    server_stop(&s);
}

/* TLS is always verified: an https endpoint with a certificate nobody vouches for fails (and is not
 * retried), the same endpoint with its certificate as ca_bundle works. */
static void test_tls(void **state)
{
    server s;
    asff_client_options o = ASFF_CLIENT_OPTIONS_INIT;
    asff_client *c = NULL;
    asff_response r;
    asff_error e;
    asff_client_stats st;
    char dir[] = "/tmp/asff-tls-XXXXXX", flags[128], cert[64];
    (void)state;
    set_env();
    assert_non_null(mkdtemp(dir));
    snprintf(flags, sizeof flags, "--tls %s", dir);
    snprintf(cert, sizeof cert, "%s/cert.pem", dir);
    fault_start(&s, flags);
    snprintf(s.endpoint, sizeof s.endpoint, "https://127.0.0.1:%d", s.port);
    o.endpoint_url = s.endpoint;
    assert_int_equal(asff_client_new(&o, &c, &e), ASFF_OK);
    assert_int_equal(asff_client_invoke(c, ASFF_OP_DescribeHub, NULL, 0, &r, &e), ASFF_ERR_NETWORK);
    remember(&e);
    asff_client_get_stats(c, &st);
    assert_int_equal(st.attempts, 1);
    asff_client_free(c);
    o.ca_bundle = cert;
    assert_int_equal(asff_client_new(&o, &c, &e), ASFF_OK);
    if (asff_client_invoke(c, ASFF_OP_DescribeHub, NULL, 0, &r, &e) != ASFF_OK)
        fail_msg("with the CA bundle: %s", e.message);
    assert_non_null(strstr(r.body, "/accounts"));
    asff_response_cleanup(c, &r);
    asff_client_free(c);
    server_stop(&s);
    unlink(cert);
    snprintf(cert, sizeof cert, "%s/key.pem", dir);
    unlink(cert);
    rmdir(dir);
}

typedef struct update_log {
    unsigned char seen[300];
    size_t processed, unprocessed;
    char first_code[64];
} update_log;

static int on_update(void *ctx, const asff_update_outcome *o)
{
    update_log *u = ctx;
    char want[32];
    assert_true(o->index < 300);
    u->seen[o->index]++;
    snprintf(want, sizeof want, "f-%llu", (unsigned long long)o->index);
    assert_string_equal(o->id, want);
    assert_string_equal(o->product_arn, "arn:p");
    if (o->processed)
        u->processed++;
    else {
        u->unprocessed++;
        assert_non_null(o->error_code);
        if (!u->first_code[0])
            snprintf(u->first_code, sizeof u->first_code, "%s", o->error_code);
    }
    return 0;
}

/* on_call of the dry runs: the calls told, none sent. */
typedef struct call_log {
    size_t n;
    uint64_t findings[8];
    size_t bytes[8];
    int sent;
} call_log;

static call_log *calls_seen; /* where on_call_log writes (the tests run one at a time) */

static void on_call_log(void *ctx, const asff_call_info *ci)
{
    call_log *cl = calls_seen;
    (void)ctx;
    assert_non_null(ci->operation);
    assert_string_equal(ci->region, "us-east-1");
    assert_null(ci->account);
    if (cl->n < 8) {
        cl->findings[cl->n] = ci->findings;
        cl->bytes[cl->n] = ci->bytes;
    }
    cl->n++;
    cl->sent += ci->sent;
}

static size_t server_requests(server *s)
{
    yajl_val log = control(s, "/__log", NULL);
    size_t n = get(log, "requests")->u.array.len;
    yajl_tree_free(log);
    return n;
}

/* asff_import_options.dry_run (version 3): batches built and told to on_call, nothing sent, each
 * finding reported "DryRun"; a version 2 struct knows no dry_run and sends. */
static void test_importer_dry_run(void **state)
{
    server s;
    asff_client *c;
    asff_importer *imp;
    asff_import_options io = ASFF_IMPORT_OPTIONS_INIT;
    asff_import_stats st;
    asff_error e;
    outcome_log l;
    call_log cl;
    size_t i;
    (void)state;
    set_env();
    fault_start(&s, "");
    c = make_client(&s, NULL);
    assert_int_equal(asff_client_set_rate(c, ASFF_OP_BatchImportFindings, 0, 0), ASFF_OK);
    memset(&cl, 0, sizeof cl);
    calls_seen = &cl;
    log_init(&l, 250);
    io.dry_run = true;
    io.on_call = on_call_log;
    assert_int_equal(io.version, 3);
    assert_int_equal(asff_importer_new(c, &io, on_outcome, &l, &imp, &e), ASFF_OK);
    for (i = 0; i < 250; i++) {
        char *f = finding_json(i, 1);
        assert_int_equal(asff_importer_add_json(imp, f, strlen(f), &e), ASFF_OK);
        free(f);
    }
    assert_int_equal(asff_importer_flush(imp, &e), ASFF_OK);
    asff_importer_get_stats(imp, &st);
    asff_importer_free(imp);
    assert_int_equal(st.added, 250);
    assert_int_equal(st.calls, 0);
    assert_int_equal(st.failed, 250);
    for (i = 0; i < 250; i++) {
        assert_int_equal(l.seen[i], 1);
        assert_string_equal(l.code[i], "DryRun");
    }
    assert_int_equal(cl.n, 3);
    assert_int_equal(cl.sent, 0);
    assert_int_equal(cl.findings[0], 100);
    assert_int_equal(cl.findings[2], 50);
    assert_true(cl.bytes[0] > 100 * 300 && cl.bytes[2] < cl.bytes[0]);
    assert_int_equal(server_requests(&s), 0);
    log_free(&l);
    /* version 2 callers: dry_run and on_call are past their struct's end, never read */
    log_init(&l, 3);
    memset(&cl, 0, sizeof cl);
    io.version = 2;
    assert_int_equal(asff_importer_new(c, &io, on_outcome, &l, &imp, &e), ASFF_OK);
    for (i = 0; i < 3; i++) {
        char *f = finding_json(i, 1);
        assert_int_equal(asff_importer_add_json(imp, f, strlen(f), &e), ASFF_OK);
        free(f);
    }
    assert_int_equal(asff_importer_flush(imp, &e), ASFF_OK);
    asff_importer_free(imp);
    assert_int_equal(cl.n, 0);
    assert_int_equal(l.imported, 3);
    assert_int_equal(server_requests(&s), 1);
    log_free(&l);
    io.version = 4;
    assert_int_equal(asff_importer_new(c, &io, on_outcome, &l, &imp, &e), ASFF_ERR_INVALID_ARG);
    asff_client_free(c);
}

/* asff_update_options.dry_run (version 2): calls told, none sent, every identifier "DryRun"; a
 * version 1 struct ends at on_warning. */
static void test_update_dry_run(void **state)
{
    server s;
    asff_client *c;
    asff_error e;
    update_log u;
    asff_update_options uo = ASFF_UPDATE_OPTIONS_INIT;
    asff_update_stats st;
    asff_buf req;
    call_log cl;
    size_t i;
    (void)state;
    set_env();
    fault_start(&s, "");
    c = make_client(&s, NULL);
    asff__buf_init(&req, NULL);
    asff__buf_appendf(&req, "{\"FindingIdentifiers\":[");
    for (i = 0; i < 150; i++)
        asff__buf_appendf(&req, "%s{\"Id\":\"f-%zu\",\"ProductArn\":\"arn:p\"}", i ? "," : "", i);
    asff__buf_appendf(&req, "],\"Workflow\":{\"Status\":\"NOTIFIED\"}}");
    memset(&u, 0, sizeof u);
    memset(&cl, 0, sizeof cl);
    calls_seen = &cl;
    uo.dry_run = true;
    uo.on_call = on_call_log;
    assert_int_equal(uo.version, 2);
    assert_int_equal(asff_client_batch_update_findings(c, req.data, req.len, &uo, on_update, &u, &st, &e), ASFF_OK);
    for (i = 0; i < 150; i++)
        assert_int_equal(u.seen[i], 1);
    assert_int_equal(u.unprocessed, 150);
    assert_string_equal(u.first_code, "DryRun");
    assert_int_equal(st.calls, 0);
    assert_int_equal(cl.n, 2);
    assert_int_equal(cl.sent, 0);
    assert_int_equal(cl.findings[0], 100);
    assert_int_equal(cl.findings[1], 50);
    assert_true(cl.bytes[0] > 100 * 30);
    assert_int_equal(server_requests(&s), 0);
    /* version 1: dry_run is not read, the calls go out */
    memset(&u, 0, sizeof u);
    memset(&cl, 0, sizeof cl);
    uo.version = 1;
    assert_int_equal(asff_client_batch_update_findings(c, req.data, req.len, &uo, on_update, &u, &st, &e), ASFF_OK);
    assert_int_equal(cl.n, 0);
    assert_int_equal(st.calls, 2);
    assert_int_equal(server_requests(&s), 2);
    asff__buf_cleanup(&req);
    asff_client_free(c);
}

/* BatchUpdateFindings with 250 identifiers: 3 calls of <= 100, every identifier reported once. */
static void test_batch_update(void **state)
{
    server s;
    asff_client *c;
    asff_error e;
    update_log u;
    asff_buf req;
    yajl_val log, reqs;
    size_t i;
    (void)state;
    set_env();
    fault_start(&s, "--fail 0.1 --verify-secret " SECRET);
    c = make_client(&s, NULL);
    asff__buf_init(&req, NULL);
    asff__buf_appendf(&req, "{\"Note\":{\"Text\":\"triaged\",\"UpdatedBy\":\"t\"},\"FindingIdentifiers\":[");
    for (i = 0; i < 250; i++)
        asff__buf_appendf(&req, "%s{\"Id\":\"f-%zu\",\"ProductArn\":\"arn:p\"}", i ? "," : "", i);
    asff__buf_appendf(&req, "],\"Workflow\":{\"Status\":\"NOTIFIED\"}}");
    memset(&u, 0, sizeof u);
    if (asff_client_batch_update_findings(c, req.data, req.len, NULL, on_update, &u, NULL, &e) != ASFF_OK)
        fail_msg("BatchUpdateFindings: %s", e.message);
    for (i = 0; i < 250; i++)
        assert_int_equal(u.seen[i], 1);
    assert_int_equal(u.processed + u.unprocessed, 250);
    assert_true(u.unprocessed > 5 && u.unprocessed < 60);
    assert_string_equal(u.first_code, "FindingNotFound");
    log = control(&s, "/__log", NULL);
    reqs = get(log, "requests");
    assert_int_equal(reqs->u.array.len, 3);
    assert_int_equal(get(reqs->u.array.values[0], "ids")->u.array.len, 100);
    assert_int_equal(get(reqs->u.array.values[2], "ids")->u.array.len, 50);
    yajl_tree_free(log);
    /* a call refused as a whole: its identifiers reported with the code, ASFF_ERR_PARTIAL */
    yajl_tree_free(control(&s, "/__script", "[{\"status\":400,\"body\":\"{\\\"__type\\\":\\\"InvalidInputException\\\"}\"}]"));
    memset(&u, 0, sizeof u);
    assert_int_equal(asff_client_batch_update_findings(c, req.data, req.len, NULL, on_update, &u, NULL, &e), ASFF_ERR_PARTIAL);
    remember(&e);
    for (i = 0; i < 250; i++)
        assert_int_equal(u.seen[i], 1);
    assert_string_equal(u.first_code, "InvalidInputException");
    assert_true(u.unprocessed >= 100);
    /* malformed requests */
    assert_int_equal(asff_client_batch_update_findings(c, "{}", 2, NULL, on_update, &u, NULL, &e), ASFF_ERR_INVALID_ARG);
    {
        const char *bad = "{\"FindingIdentifiers\":[{\"Id\":\"x\"}]}";
        assert_int_equal(asff_client_batch_update_findings(c, bad, strlen(bad), NULL, on_update, &u, NULL, &e), ASFF_ERR_INVALID_ARG);
    }
    assert_string_equal(e.path, "/FindingIdentifiers/0");
    assert_int_equal(asff_client_batch_update_findings(c, "{", 1, NULL, on_update, &u, NULL, &e), ASFF_ERR_SYNTAX);
    asff__buf_cleanup(&req);
    asff_client_free(c);
    server_stop(&s);
}

/* ---- against moto_server ------------------------------------------------------------------------------- */

typedef struct count_ctx {
    uint64_t n;
    uint64_t ids_ok;
} count_ctx;

static int count_finding(void *ctx, const asff_AwsSecurityFinding *f)
{
    count_ctx *k = ctx;
    k->n++;
    if (f->Id && strncmp(f->Id, "finding-", 8) == 0 && f->Severity && f->Severity->Label &&
        strcmp(f->Severity->Label, "LOW") == 0)
        k->ids_ok++;
    return 0;
}

static asff_status invoke_str(asff_client *c, asff_operation op, const char *in, asff_response *r, asff_error *e)
{
    return asff_client_invoke(c, op, in, strlen(in), r, e);
}

static void test_moto(void **state)
{
    char *argv[] = {"python3", ASFF_SOURCE_DIR "/tests/servers/moto_harness", NULL};
    server s;
    asff_client *c;
    asff_response r;
    asff_error e;
    asff_importer *imp;
    outcome_log l;
    asff_get_findings_options go = ASFF_GET_FINDINGS_OPTIONS_INIT;
    count_ctx k = {0, 0};
    uint64_t n = 0;
    size_t i;
    (void)state;
    set_env();
    server_start(&s, argv);
    c = make_client(&s, NULL);
    assert_int_equal(invoke_str(c, ASFF_OP_EnableSecurityHub, "{\"EnableDefaultStandards\":false}", &r, &e),
                     ASFF_OK);
    asff_response_cleanup(c, &r);
    assert_int_equal(asff_client_invoke(c, ASFF_OP_DescribeHub, NULL, 0, &r, &e), ASFF_OK);
    assert_non_null(strstr(r.body, "arn:aws:securityhub:us-east-1:123456789012:hub/default"));
    asff_response_cleanup(c, &r);
    /* import 250, read them back in pages of 100 */
    log_init(&l, 250);
    assert_int_equal(asff_importer_new(c, NULL, on_outcome, &l, &imp, &e), ASFF_OK);
    for (i = 0; i < 250; i++) {
        char *f = finding_json(i, 3);
        assert_int_equal(asff_importer_add_json(imp, f, strlen(f), &e), ASFF_OK);
        free(f);
    }
    assert_int_equal(asff_importer_flush(imp, &e), ASFF_OK);
    asff_importer_free(imp);
    assert_int_equal(l.imported, 250);
    log_free(&l);
    go.page_size = 100;
    if (asff_client_get_findings(c, &go, count_finding, &k, &n, &e) != ASFF_OK)
        fail_msg("GetFindings: %s", e.message);
    assert_int_equal(n, 250);
    assert_int_equal(k.n, 250);
    assert_int_equal(k.ids_ok, 250);
    /* max_findings stops early */
    k.n = 0;
    go.max_findings = 120;
    assert_int_equal(asff_client_get_findings(c, &go, count_finding, &k, &n, &e), ASFF_OK);
    assert_int_equal(n, 120);
    /* members */
    assert_int_equal(invoke_str(c, ASFF_OP_CreateMembers, "{\"AccountDetails\":[{\"AccountId\":\"111111111111\",\"Email\":\"a@example.com\"}]}", &r, &e),
                     ASFF_OK);
    asff_response_cleanup(c, &r);
    assert_int_equal(invoke_str(c, ASFF_OP_ListMembers, "{\"OnlyAssociated\":false}", &r, &e), ASFF_OK);
    assert_non_null(strstr(r.body, "111111111111"));
    asff_response_cleanup(c, &r);
    assert_int_equal(invoke_str(c, ASFF_OP_GetMembers, "{\"AccountIds\":[\"111111111111\"]}", &r, &e),
                     ASFF_OK);
    assert_non_null(strstr(r.body, "a@example.com"));
    asff_response_cleanup(c, &r);
    assert_int_equal(asff_client_invoke(c, ASFF_OP_GetAdministratorAccount, NULL, 0, &r, &e), ASFF_OK);
    asff_response_cleanup(c, &r);
    /* an operation moto lacks comes back as an error, not a crash */
    assert_true(invoke_str(c, ASFF_OP_CreateActionTarget, "{\"Name\":\"a\",\"Description\":\"b\",\"Id\":\"c\"}", &r, &e) != ASFF_OK);
    remember(&e);
    assert_int_equal(asff_client_invoke(c, ASFF_OP_DisableSecurityHub, NULL, 0, &r, &e), ASFF_OK);
    asff_response_cleanup(c, &r);
    asff_client_free(c);
    server_stop(&s);
}

/* GetFindings against scripted pages: NextToken followed, a page that fails is retried whole, the
 * request carries Filters (typed or text), SortCriteria and MaxResults, a repeated token stops. */
static void test_get_findings_pages(void **state)
{
    server s;
    asff_client *c;
    asff_error e;
    asff_get_findings_options go = ASFF_GET_FINDINGS_OPTIONS_INIT;
    count_ctx k = {0, 0};
    uint64_t n = 0;
    void *filters = NULL;
    yajl_val log, reqs;
    const char *ftext = "{\"SeverityLabel\":[{\"Value\":\"LOW\",\"Comparison\":\"EQUALS\"}]}";
    (void)state;
    set_env();
    fault_start(&s, "");
    c = make_client(&s, NULL);
    yajl_tree_free(control(&s, "/__script",
        "[{\"status\":200,\"body\":\"{\\\"Findings\\\":[{\\\"Id\\\":\\\"finding-1\\\",\\\"Severity\\\":{\\\"Label\\\":\\\"LOW\\\"}}],"
        "\\\"NextToken\\\":\\\"tok-1\\\"}\"},"
        "{\"reset\":true},{\"status\":503,\"body\":\"\"},"
        "{\"status\":200,\"body\":\"{\\\"Findings\\\":[{\\\"Id\\\":\\\"finding-2\\\",\\\"Severity\\\":{\\\"Label\\\":\\\"LOW\\\"}}],"
        "\\\"NextToken\\\":null}\"}]"));
    assert_int_equal(asff_parse_object(ftext, strlen(ftext), ASFF_TID_AwsSecurityFindingFilters, NULL, &filters, &e),
                     ASFF_OK);
    go.filters = filters;
    go.sort_field = "UpdatedAt";
    go.sort_descending = true;
    go.page_size = 50;
    if (asff_client_get_findings(c, &go, count_finding, &k, &n, &e) != ASFF_OK)
        fail_msg("GetFindings: %s", e.message);
    assert_int_equal(n, 2);
    assert_int_equal(k.ids_ok, 2);
    log = control(&s, "/__log", NULL);
    reqs = get(log, "requests");
    {
        size_t i;
        const char *first = YAJL_GET_STRING(get(reqs->u.array.values[0], "body"));
        const char *last = YAJL_GET_STRING(get(reqs->u.array.values[reqs->u.array.len - 1], "body"));
        assert_non_null(strstr(first, "\"Filters\":{\"SeverityLabel\":[{\"Value\":\"LOW\",\"Comparison\":\"EQUALS\"}]}"));
        assert_non_null(strstr(first, "\"SortCriteria\":[{\"Field\":\"UpdatedAt\",\"SortOrder\":\"desc\"}]"));
        assert_non_null(strstr(first, "\"MaxResults\":50"));
        assert_null(strstr(first, "NextToken"));
        assert_non_null(strstr(last, "\"NextToken\":\"tok-1\""));
        for (i = 0; i < reqs->u.array.len; i++)
            assert_string_equal(YAJL_GET_STRING(get(reqs->u.array.values[i], "path")), "/findings");
    }
    yajl_tree_free(log);
    asff_object_free(filters);
    /* a server that hands back the token it got: an error, not an endless loop */
    yajl_tree_free(control(&s, "/__script",
        "[{\"status\":200,\"body\":\"{\\\"Findings\\\":[],\\\"NextToken\\\":\\\"same\\\"}\"},"
        "{\"status\":200,\"body\":\"{\\\"Findings\\\":[],\\\"NextToken\\\":\\\"same\\\"}\"}]"));
    go = (asff_get_findings_options)ASFF_GET_FINDINGS_OPTIONS_INIT;
    go.filters_json = "[1]";
    assert_int_equal(asff_client_get_findings(c, &go, count_finding, &k, &n, &e), ASFF_ERR_FILTER);
    go.filters_json = NULL;
    assert_int_equal(asff_client_get_findings(c, &go, count_finding, &k, &n, &e), ASFF_ERR_STATE);
    remember(&e);
    /* a page that is not a Findings document */
    yajl_tree_free(control(&s, "/__script", "[{\"status\":200,\"body\":\"{\\\"Findings\\\":[1]}\"}]"));
    assert_true(asff_client_get_findings(c, &go, count_finding, &k, &n, &e) != ASFF_OK);
    remember(&e);
    asff_client_free(c);
    server_stop(&s);
}

/* ---- issue 14: requests checked against the model before anything is sent ---------------------- */

/* Each bad request is refused with ASFF_ERR_INVALID_ARG and the JSON Pointer of the culprit. */
static void test_request_check(void **state)
{
    static const struct {
        const char *op, *input, *path;
    } bad[] = {
        {"GetFindings", "{\"MaxResult\":3}", "/MaxResult"},                                 /* unknown member */
        {"GetFindings", "{\"MaxResults\":\"3\"}", "/MaxResults"},                           /* wrong type */
        {"GetFindings", "{\"MaxResults\":2.5}", "/MaxResults"},                             /* not an integer */
        {"GetFindings", "{\"MaxResults\":0}", "/MaxResults"},                               /* below min 1 */
        {"GetFindings", "{\"MaxResults\":101}", "/MaxResults"},                             /* above max 100 */
        {"GetFindings", "{\"Filters\":{\"SeverityLabel\":[{\"Value\":\"HIGH\",\"Comparison\":1}]}}",
         "/Filters/SeverityLabel/0/Comparison"},                                              /* nested type */
        {"GetFindings", "{\"Filters\":{\"Bogus\":[]}}", "/Filters/Bogus"},                  /* nested unknown */
        {"GetFindings", "{\"Filters\":[]}", "/Filters"},                                     /* array for object */
        {"BatchUpdateFindings", "{\"FindingIdentifiers\":[{\"Id\":\"a\"}]}", "/FindingIdentifiers/0/ProductArn"},
        {"BatchUpdateFindings", "{\"Note\":{\"Text\":\"t\",\"UpdatedBy\":\"u\"}}", "/FindingIdentifiers"},
        {"BatchDisableStandards", "{\"StandardsSubscriptionArns\":[]}", "/StandardsSubscriptionArns"}, /* count < 1 */
        {"BatchEnableStandards", "{\"StandardsSubscriptionRequests\":[{\"StandardsArn\":\"a\"},{\"StandardsArn\":\"a\"},"
         "{\"StandardsArn\":\"a\"},{\"StandardsArn\":\"a\"},{\"StandardsArn\":\"a\"},{\"StandardsArn\":\"a\"},"
         "{\"StandardsArn\":\"a\"},{\"StandardsArn\":\"a\"},{\"StandardsArn\":\"a\"},{\"StandardsArn\":\"a\"},"
         "{\"StandardsArn\":\"a\"},{\"StandardsArn\":\"a\"},{\"StandardsArn\":\"a\"},{\"StandardsArn\":\"a\"},"
         "{\"StandardsArn\":\"a\"},{\"StandardsArn\":\"a\"},{\"StandardsArn\":\"a\"},{\"StandardsArn\":\"a\"},"
         "{\"StandardsArn\":\"a\"},{\"StandardsArn\":\"a\"},{\"StandardsArn\":\"a\"},{\"StandardsArn\":\"a\"},"
         "{\"StandardsArn\":\"a\"},{\"StandardsArn\":\"a\"},{\"StandardsArn\":\"a\"},{\"StandardsArn\":\"a\"}]}",
         "/StandardsSubscriptionRequests"},                                                  /* count above max 25 */
        {"UpdateInsight", "{\"Name\":\"n\"}", "/InsightArn"},                               /* missing URI member */
        {"DescribeHub", "{\"HubArn\":true}", "/HubArn"},
        {"DescribeHub", "{\"HubArn\":\"a\",\"HubArn\":\"b\"}", "/HubArn"},                  /* twice */
        {"DescribeHub", "[1]", ""},                                                          /* not an object */
        {"DescribeHub", "{", ""},                                                            /* not JSON */
        {"DescribeHub", "{} {}", ""},                                                        /* two values */
        {"UntagResource", "{\"ResourceArn\":\"a\",\"TagKeys\":[{}]}", "/TagKeys/0"},
        {"GetFindingHistory", "{\"FindingIdentifier\":{\"Id\":\"a\",\"ProductArn\":\"p\"},\"StartTime\":\"yesterday\"}",
         "/StartTime"},                                                                      /* not a timestamp */
        {"NoSuchOperation", "{}", ""},
    };
    asff_error e;
    size_t i;
    (void)state;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memset(&e, 0x5a, sizeof e); /* every field set by the call, whatever was there */
        if (asff_operation_check(bad[i].op, bad[i].input, strlen(bad[i].input), &e) != ASFF_ERR_INVALID_ARG)
            fail_msg("%s %s: accepted", bad[i].op, bad[i].input);
        assert_int_equal(e.code, ASFF_ERR_INVALID_ARG);
        if (strcmp(e.path, bad[i].path) != 0)
            fail_msg("%s %s: path \"%s\", expected \"%s\" (%s)", bad[i].op, bad[i].input, e.path, bad[i].path,
                     e.message);
        assert_true(strlen(e.message) > 10);
        /* the offset is inside the input, past the start of the culprit's name */
        assert_true(e.offset <= strlen(bad[i].input));
        if (bad[i].path[0] && strstr(bad[i].input, strrchr(bad[i].path, '/') + 1))
            assert_true(e.offset >= (uint64_t)(strstr(bad[i].input, strrchr(bad[i].path, '/') + 1) - bad[i].input));
    }
    /* a string's length counts characters (code points), as the model means */
    {
        char in[400], tok[200];
        /* CreateAggregatorV2 ClientToken: 1..63 characters; 63 two-byte characters are fine */
        for (i = 0; i < 63; i++)
            memcpy(tok + 2 * i, "\xc3\xa9", 2);
        tok[126] = '\0';
        snprintf(in, sizeof in, "{\"RegionLinkingMode\":\"x\",\"ClientToken\":\"%s\"}", tok);
        assert_int_equal(asff_operation_check("CreateAggregatorV2", in, strlen(in), &e), ASFF_OK);
        snprintf(in, sizeof in, "{\"RegionLinkingMode\":\"x\",\"ClientToken\":\"%sa\"}", tok);
        assert_int_equal(asff_operation_check("CreateAggregatorV2", in, strlen(in), &e), ASFF_ERR_INVALID_ARG);
        assert_string_equal(e.path, "/ClientToken");
        snprintf(in, sizeof in, "{\"RegionLinkingMode\":\"x\",\"ClientToken\":\"\"}");
        assert_int_equal(asff_operation_check("CreateAggregatorV2", in, strlen(in), &e), ASFF_ERR_INVALID_ARG);
        assert_string_equal(e.path, "/ClientToken");
    }
    /* good requests, null as absent, blank as {} */
    assert_int_equal(asff_operation_check("GetFindings", "{\"MaxResults\":100,\"NextToken\":null}",
                                          strlen("{\"MaxResults\":100,\"NextToken\":null}"), &e),
                     ASFF_OK);
    assert_int_equal(asff_operation_check("DescribeStandards", NULL, 0, &e), ASFF_OK);
    assert_int_equal(asff_operation_check("DescribeStandards", " \n", 2, &e), ASFF_OK);
    assert_int_equal(e.code, ASFF_OK);
    assert_string_equal(e.path, "");
    /* a union takes exactly one member */
    {
        const char *in = "{\"Name\":\"n\",\"ConfigurationPolicy\":{}}";
        assert_int_equal(asff_operation_check("CreateConfigurationPolicy", in, strlen(in), &e), ASFF_ERR_INVALID_ARG);
    }
    assert_string_equal(e.path, "/ConfigurationPolicy");
}

/* Binding as botocore binds: greedy labels, empty segments (issue 11), query lists, timestamps, bodies. */
static void test_request_build(void **state)
{
    static const struct {
        const char *op, *input, *path, *query, *body;
        bool has_body;
    } cases[] = {
        /* issue 11: an empty segment stays empty, '/' kept in a greedy label */
        {"GetInsightResults", "{\"InsightArn\":\"arn:aws:x//y\"}", "/insights/results/arn%3Aaws%3Ax//y", "", "", false},
        {"GetInsightResults", "{\"InsightArn\":\"\"}", "/insights/results/", "", "", false},
        /* a plain label escapes '/' */
        {"TagResource", "{\"ResourceArn\":\"arn:a/b c\",\"Tags\":{\"k\":\"v\"}}", "/tags/arn%3Aa%2Fb%20c", "",
         "{\"Tags\":{\"k\":\"v\"}}", true},
        {"UntagResource", "{\"ResourceArn\":\"r\",\"TagKeys\":[\"a b\",\"c~\"]}", "/tags/r", "tagKeys=a%20b&tagKeys=c~", "",
         false},
        {"ListMembers", "{\"OnlyAssociated\":false,\"MaxResults\":7}", "/members", "OnlyAssociated=false&MaxResults=7",
         "", false},
        /* botocore normalizes an iso8601 timestamp to UTC */
        {"GetFindingHistory",
         "{\"FindingIdentifier\":{\"Id\":\"i\",\"ProductArn\":\"p\"},\"StartTime\":\"2024-03-01T01:30:00+02:00\","
         "\"EndTime\":1709256600.5}",
         "/findingHistory/get", "",
         "{\"FindingIdentifier\":{\"Id\":\"i\",\"ProductArn\":\"p\"},\"StartTime\":\"2024-02-29T23:30:00Z\","
         "\"EndTime\":\"2024-03-01T01:30:00.500000Z\"}",
         true},
        /* a shape with body members sends {} when none is given; one without sends nothing */
        {"GetEnabledStandards", NULL, "/standards/get", "", "{}", true},
        {"DescribeStandards", "{}", "/standards", "", "", false},
        /* numbers as written, unicode kept */
        {"GetInsights", "{\"MaxResults\":2,\"InsightArns\":[\"\xc3\xa9\"]}", "/insights/get", "",
         "{\"MaxResults\":2,\"InsightArns\":[\"\xc3\xa9\"]}", true},
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        asff__request req;
        asff_error e;
        const char *in = cases[i].input;
        if (asff__request_build(asff__op_find(cases[i].op), in, in ? strlen(in) : 0, NULL, NULL, NULL, &req, &e) !=
            ASFF_OK)
            fail_msg("%s: %s", cases[i].op, e.message);
        assert_string_equal(req.path.data, cases[i].path);
        assert_string_equal(req.query.data, cases[i].query);
        assert_int_equal(req.has_body, cases[i].has_body);
        assert_string_equal(req.has_body ? req.body.data : "", cases[i].body);
        asff__request_cleanup(&req);
    }
    /* the pager's token replaces the input's own */
    {
        asff__request req;
        asff_error e;
        const char *in = "{\"NextToken\":\"old\",\"MaxResults\":5}";
        assert_int_equal(asff__request_build(asff__op_find("ListMembers"), in, strlen(in), "NextToken", "new/1", NULL,
                                             &req, &e),
                         ASFF_OK);
        assert_string_equal(req.query.data, "MaxResults=5&NextToken=new%2F1");
        asff__request_cleanup(&req);
    }
    /* the generated table: 109 operations, the first 29 where they always were */
    {
        int n = 0, k;
        asff_operation_paging pg;
        for (k = 0; k < ASFF_OP_COUNT; k++)
            n += asff_operation_name((asff_operation)k) != NULL;
        assert_int_equal(n, 109);
        assert_int_equal(ASFF_OP_ListEnabledProductsForImport, 28);
        assert_string_equal(asff_operation_name(ASFF_OP_ListEnabledProductsForImport), "ListEnabledProductsForImport");
        assert_int_equal(asff_operation_paging_get("GetFindings", &pg), ASFF_OK);
        assert_string_equal(pg.result_key, "Findings");
        assert_string_equal(pg.limit_key, "MaxResults");
        assert_int_equal(asff_operation_paging_get("DescribeHub", &pg), ASFF_OK);
        assert_null(pg.input_token);
        assert_int_equal(asff_operation_paging_get("Nope", &pg), ASFF_ERR_NOT_FOUND);
    }
}

typedef struct page_log {
    int pages, items;
    char first[64];
} page_log;

static int on_page(void *ctx, const asff_response *page, uint64_t n)
{
    page_log *l = ctx;
    (void)page;
    l->pages = (int)n;
    return 0;
}

static int on_item(void *ctx, const char *item, size_t len)
{
    page_log *l = ctx;
    if (!l->items++)
        snprintf(l->first, sizeof l->first, "%.*s", (int)len, item);
    return 0;
}

/* asff_client_call_op sends nothing for a bad request; the pager follows tokens and splits items. */
static void test_call_op(void **state)
{
    server s;
    asff_client *c;
    asff_response r;
    asff_error e;
    yajl_val v, log;
    page_log l;
    uint64_t pages;
    (void)state;
    set_env();
    fault_start(&s, "--verify-secret " SECRET);
    c = make_client(&s, NULL);
    assert_int_equal(asff_client_call_op(c, "DescribeStandards", "{\"MaxResults\":2}", 16, &r, &e), ASFF_OK);
    v = yajl_tree_parse(r.body, NULL, 0);
    assert_string_equal(YAJL_GET_STRING(get(v, "Method")), "GET");
    assert_string_equal(YAJL_GET_STRING(get(v, "Path")), "/standards");
    assert_string_equal(YAJL_GET_STRING(get(v, "Query")), "MaxResults=2");
    yajl_tree_free(v);
    asff_response_cleanup(c, &r);
    /* refused requests never reach the server */
    yajl_tree_free(control(&s, "/__clear", ""));
    assert_int_equal(asff_client_call_op(c, "GetFindings", "{\"MaxResult\":3}", 15, &r, &e), ASFF_ERR_INVALID_ARG);
    assert_string_equal(e.path, "/MaxResult");
    assert_null(r.body);
    assert_int_equal(asff_client_call_op(c, "Bogus", NULL, 0, &r, &e), ASFF_ERR_INVALID_ARG);
    log = control(&s, "/__log", NULL);
    assert_int_equal(YAJL_GET_ARRAY(get(log, "requests"))->len, 0);
    yajl_tree_free(log);
    /* three pages of DescribeStandards, items split out */
    yajl_tree_free(control(&s, "/__script",
                           "[{\"status\":200,\"body\":\"{\\\"Standards\\\":[{\\\"StandardsArn\\\":\\\"a\\\"},{\\\"x\\\":[1,{}]}],"
                           "\\\"NextToken\\\":\\\"t1\\\"}\"},"
                           "{\"status\":200,\"body\":\"{\\\"NextToken\\\":\\\"t2\\\",\\\"Standards\\\":[]}\"},"
                           "{\"status\":200,\"body\":\"{\\\"Standards\\\":[\\\"s\\\"],\\\"NextToken\\\":\\\"\\\"}\"}]"));
    memset(&l, 0, sizeof l);
    assert_int_equal(asff_client_paginate(c, "DescribeStandards", NULL, 0, on_page, on_item, &l, &pages, &e), ASFF_OK);
    assert_int_equal(pages, 3);
    assert_int_equal(l.pages, 3);
    assert_int_equal(l.items, 3);
    assert_string_equal(l.first, "{\"StandardsArn\":\"a\"}");
    log = control(&s, "/__log", NULL);
    {
        yajl_val reqs = get(log, "requests");
        size_t n = YAJL_GET_ARRAY(reqs)->len;
        assert_string_equal(YAJL_GET_STRING(get(YAJL_GET_ARRAY(reqs)->values[n - 2], "query")), "NextToken=t1");
        assert_string_equal(YAJL_GET_STRING(get(YAJL_GET_ARRAY(reqs)->values[n - 1], "query")), "NextToken=t2");
    }
    yajl_tree_free(log);
    /* not paginated */
    assert_int_equal(asff_client_paginate(c, "DescribeHub", NULL, 0, on_page, NULL, &l, NULL, &e), ASFF_ERR_INVALID_ARG);
    remember(&e);
    asff_client_free(c);
    server_stop(&s);
}

/* Last: nothing any test saw in an error contains the secret key or the session token. */
/* Answers that do not match their shape, for BatchUpdateFindings, GetFindings and BatchImportFindings:
 * errors of the call (retried, then reported per finding), never a silent success or a silent end. */
typedef struct warn_log {
    outcome_log *l;
    int warnings;
    char last[512];
} warn_log;

static int on_outcome_w(void *ctx, const asff_import_outcome *o)
{
    warn_log *w = ctx;
    return on_outcome(w->l, o);
}

static void on_warn(void *ctx, const char *message)
{
    warn_log *w = ctx;
    w->warnings++;
    snprintf(w->last, sizeof w->last, "%s", message);
}

/* BatchUpdateFindings outcomes and warnings in one context (the warn_log first: on_warn reads it) */
typedef struct update_acc {
    warn_log w;
    char code[2][64];
} update_acc;

static int on_update_acc(void *ctx, const asff_update_outcome *o)
{
    update_acc *a = ctx;
    assert_true(o->index < 2);
    snprintf(a->code[o->index], sizeof a->code[0], "%s", o->processed ? "processed" : o->error_code);
    return 0;
}

static void test_lying_answers(void **state)
{
    server s;
    asff_client *c;
    asff_client_options co = ASFF_CLIENT_OPTIONS_INIT;
    asff_error e;
    update_log u;
    asff_importer *imp;
    asff_import_options io = ASFF_IMPORT_OPTIONS_INIT;
    asff_import_stats st;
    outcome_log l;
    warn_log w;
    size_t i;
    const char *req = "{\"FindingIdentifiers\":[{\"Id\":\"f-0\",\"ProductArn\":\"arn:p\"},{\"Id\":\"f-1\",\"ProductArn\":\"arn:p\"}],"
                      "\"Workflow\":{\"Status\":\"NOTIFIED\"}}";
    asff_get_findings_options go = ASFF_GET_FINDINGS_OPTIONS_INIT;
    count_ctx k = {0, 0};
    uint64_t n = 0;
    (void)state;
    set_env();
    fault_start(&s, "");
    co.max_attempts = 2;
    c = make_client(&s, &co);
    /* BatchUpdateFindings: an UnprocessedFindings entry without ErrorCode, twice: InvalidResponse */
    yajl_tree_free(control(&s, "/__script",
        "[{\"status\":200,\"body\":\"{\\\"ProcessedFindings\\\":[],\\\"UnprocessedFindings\\\":[{\\\"FindingIdentifier\\\":"
        "{\\\"Id\\\":\\\"f-0\\\",\\\"ProductArn\\\":\\\"arn:p\\\"}}]}\"},"
        "{\"status\":200,\"body\":\"{\\\"ProcessedFindings\\\":\\\"all\\\"}\"}]"));
    memset(&u, 0, sizeof u);
    assert_int_equal(asff_client_batch_update_findings(c, req, strlen(req), NULL, on_update, &u, NULL, &e), ASFF_ERR_PARTIAL);
    assert_int_equal(u.seen[0] + u.seen[1], 2);
    assert_int_equal(u.processed, 0);
    assert_string_equal(u.first_code, "InvalidResponse");
    assert_string_equal(e.aws_code, "InvalidResponse");
    assert_int_equal(e.http_status, 200);
    /* a malformed answer first, a good one on the retry: processed */
    yajl_tree_free(control(&s, "/__script", "[{\"status\":200,\"body\":\"[]\"}]"));
    memset(&u, 0, sizeof u);
    assert_int_equal(asff_client_batch_update_findings(c, req, strlen(req), NULL, on_update, &u, NULL, &e), ASFF_OK);
    assert_int_equal(u.processed, 2);
    /* BatchUpdateFindings accounting: f-0 named in both lists (a duplicate: unprocessed, with the
     * answer's code), an identifier not in the call (unknown), f-1 named nowhere (NotReported); the
     * session token echoed in the warning is redacted */
    {
        asff_update_options uo = ASFF_UPDATE_OPTIONS_INIT;
        asff_update_stats us;
        update_acc uw;
        const char *twice = "{\"FindingIdentifiers\":[{\"Id\":\"f-0\",\"ProductArn\":\"arn:p\"},"
                            "{\"Id\":\"f-0\",\"ProductArn\":\"arn:p\"}],\"Note\":{\"Text\":\"n\",\"UpdatedBy\":\"t\"}}";
        memset(&uw, 0, sizeof uw);
        uo.on_warning = on_warn;
        yajl_tree_free(control(&s, "/__script",
            "[{\"status\":200,\"body\":\"{\\\"ProcessedFindings\\\":[{\\\"Id\\\":\\\"f-0\\\",\\\"ProductArn\\\":\\\"arn:p\\\"},"
            "{\\\"Id\\\":\\\"" TOKEN "\\\",\\\"ProductArn\\\":\\\"arn:p\\\"}],\\\"UnprocessedFindings\\\":[{\\\"FindingIdentifier\\\":"
            "{\\\"Id\\\":\\\"f-0\\\",\\\"ProductArn\\\":\\\"arn:p\\\"},\\\"ErrorCode\\\":\\\"FindingNotFound\\\","
            "\\\"ErrorMessage\\\":\\\"gone\\\"}]}\"}]"));
        memset(&u, 0, sizeof u);
        assert_int_equal(asff_client_batch_update_findings(c, req, strlen(req), &uo, on_update_acc, &uw, &us, &e), ASFF_OK);
        assert_string_equal(uw.code[0], "FindingNotFound");
        assert_string_equal(uw.code[1], "NotReported");
        assert_int_equal(uw.w.warnings, 2);
        assert_non_null(strstr(uw.w.last, "more than once") ? uw.w.last : strstr(uw.w.last, "<redacted>"));
        assert_null(strstr(uw.w.last, TOKEN));
        assert_int_equal(us.identifiers, 2);
        assert_int_equal(us.processed, 0);
        assert_int_equal(us.unprocessed, 2);
        assert_int_equal(us.unknown_ids, 1);
        assert_int_equal(us.duplicate_ids, 1);
        assert_int_equal(us.calls, 1);
        /* an identifier repeated in the request goes into a call of its own */
        assert_int_equal(asff_client_batch_update_findings(c, twice, strlen(twice), NULL, NULL, NULL, &us, &e), ASFF_OK);
        assert_int_equal(us.calls, 2);
        assert_int_equal(us.identifiers, 2);
        assert_int_equal(us.processed + us.unprocessed, 2);
    }
    /* GetFindings: page 2 is not a Findings document (twice): an error naming the page */
    yajl_tree_free(control(&s, "/__script",
        "[{\"status\":200,\"body\":\"{\\\"Findings\\\":[],\\\"NextToken\\\":\\\"t1\\\"}\"},"
        "{\"status\":200,\"body\":\"{\\\"Items\\\":[]}\"},{\"status\":200,\"body\":\"{\\\"Findings\\\":{}}\"}]"));
    assert_int_equal(asff_client_get_findings(c, &go, count_finding, &k, &n, &e), ASFF_ERR_TYPE);
    assert_non_null(strstr(e.message, "page 2"));
    assert_string_equal(e.aws_code, "InvalidResponse");
    yajl_tree_free(control(&s, "/__script",
        "[{\"status\":200,\"body\":\"{\\\"Findings\\\":[],\\\"NextToken\\\":5}\"},"
        "{\"status\":200,\"body\":\"{\\\"Findings\\\":[],\\\"NextToken\\\":5}\"}]"));
    assert_int_equal(asff_client_get_findings(c, &go, count_finding, &k, &n, &e), ASFF_ERR_TYPE);
    assert_non_null(strstr(e.message, "page 1"));
    /* BatchImportFindings: an Id not in the batch, an Id twice, counts that disagree, and the session
     * token echoed in a message: warnings, one failure, the token redacted */
    log_init(&l, 3);
    memset(&w, 0, sizeof w);
    w.l = &l;
    io.on_warning = on_warn;
    assert_int_equal(asff_importer_new(c, &io, on_outcome_w, &w, &imp, &e), ASFF_OK);
    for (i = 0; i < 3; i++) {
        char *f = finding_json(i, 1);
        assert_int_equal(asff_importer_add_json(imp, f, strlen(f), &e), ASFF_OK);
        free(f);
    }
    yajl_tree_free(control(&s, "/__script",
        "[{\"status\":200,\"body\":\"{\\\"FailedCount\\\":3,\\\"SuccessCount\\\":7,\\\"FailedFindings\\\":["
        "{\\\"Id\\\":\\\"finding-1\\\",\\\"ErrorCode\\\":\\\"InvalidInput\\\",\\\"ErrorMessage\\\":\\\"bad " TOKEN "!\\\"},"
        "{\\\"Id\\\":\\\"finding-1\\\",\\\"ErrorCode\\\":\\\"InvalidInput\\\",\\\"ErrorMessage\\\":\\\"again\\\"},"
        "{\\\"Id\\\":\\\"stranger\\\",\\\"ErrorCode\\\":\\\"X\\\",\\\"ErrorMessage\\\":\\\"y\\\"}]}\"}]"));
    assert_int_equal(asff_importer_flush(imp, &e), ASFF_OK);
    asff_importer_get_stats(imp, &st);
    asff_importer_free(imp);
    assert_int_equal(l.imported, 2);
    assert_string_equal(l.code[1], "InvalidInput");
    assert_int_equal(st.unknown_ids, 1);
    assert_int_equal(st.duplicate_ids, 1);
    assert_int_equal(st.count_mismatches, 1);
    assert_int_equal(w.warnings, 3);
    assert_non_null(strstr(seen_messages, "bad <redacted>!"));
    log_free(&l);
    /* a 200 that is not an answer, on every attempt: every finding failed InvalidResponse */
    log_init(&l, 2);
    w.l = &l;
    assert_int_equal(asff_importer_new(c, &io, on_outcome_w, &w, &imp, &e), ASFF_OK);
    for (i = 0; i < 2; i++) {
        char *f = finding_json(i, 1);
        assert_int_equal(asff_importer_add_json(imp, f, strlen(f), &e), ASFF_OK);
        free(f);
    }
    yajl_tree_free(control(&s, "/__script",
        "[{\"status\":200,\"body\":\"{\\\"FailedCount\\\":\\\"x\\\",\\\"SuccessCount\\\":null}\"},"
        "{\"status\":200,\"body\":\"\"}]"));
    assert_int_equal(asff_importer_flush(imp, &e), ASFF_OK);
    asff_importer_get_stats(imp, &st);
    asff_importer_free(imp);
    assert_int_equal(l.imported, 0);
    assert_string_equal(l.code[0], "InvalidResponse");
    assert_string_equal(l.code[1], "InvalidResponse");
    assert_int_equal(st.invalid_responses, 2);
    log_free(&l);
    asff_client_free(c);
    server_stop(&s);
}

/* Allocation chaos through the importer's request building and answer checking, and BatchUpdateFindings':
 * every allocation failing in turn ends in ASFF_ERR_NOMEM (or a per-finding "out of memory"), with
 * nothing leaked. The client is made with a working allocator; the importer, the answers and the
 * update run on the failing one (asff__import_response_parse and the update take the client's). */
typedef struct chaos_ctx {
    const char *answer;
    size_t len;
} chaos_ctx;

static asff_status chaos_answer(const asff_allocator *alloc, void *ctx)
{
    chaos_ctx *x = ctx;
    asff__import_response r;
    asff_error e;
    asff_status st = asff__import_response_parse(x->answer, x->len, alloc, &r, &e);
    if (st == ASFF_OK)
        asff__import_response_free(&r, alloc);
    return st;
}

static asff_status chaos_compact(const asff_allocator *alloc, void *ctx)
{
    asff_buf out, id, arn;
    asff_error e;
    asff_status st;
    char *f = finding_json(7, 30);
    (void)ctx;
    asff__buf_init(&out, alloc);
    asff__buf_init(&id, alloc);
    asff__buf_init(&arn, alloc);
    st = asff__json_compact_finding(f, strlen(f), &out, &id, &arn, &e);
    free(f);
    asff__buf_cleanup(&out);
    asff__buf_cleanup(&id);
    asff__buf_cleanup(&arn);
    return st;
}

static asff_status chaos_parse_error(const asff_allocator *alloc, void *ctx)
{
    asff__secrets sec;
    asff_error e;
    const char *body = "{\"__type\":\"InvalidInputException\",\"message\":\"no " TOKEN "\"}";
    asff_status st;
    (void)ctx;
    memset(&sec, 0, sizeof sec);
    st = asff__secrets_add(&sec, alloc, TOKEN, strlen(TOKEN));
    if (st == ASFF_OK)
        st = asff__parse_error(alloc, &sec, 400, NULL, NULL, body, strlen(body), &e);
    asff__secrets_clear(&sec, alloc);
    if (st == ASFF_ERR_AWS && strstr(e.message, "<redacted>"))
        return ASFF_OK;
    /* a body that could not be read for want of memory gives no code: HTTP error, not NOMEM */
    return st == ASFF_ERR_HTTP ? ASFF_ERR_NOMEM : st;
}

static server chaos_server;

/* A client on alloc for s: one attempt, no pacing (every allocation failure ends the run). */
static asff_status chaos_client(const asff_allocator *alloc, const server *s, asff_client **c, asff_error *e)
{
    asff_client_options o = ASFF_CLIENT_OPTIONS_INIT;
    o.allocator = alloc;
    o.endpoint_url = s->endpoint;
    o.allow_http = true;
    o.no_rate_limit = true;
    o.max_attempts = 1;
    return asff_client_new(&o, c, e);
}

typedef struct importer_run {
    int findings;
    outcome_log *l;
    bool typed; /* asff_importer_add of parsed findings (parsed on libc), not asff_importer_add_json */
} importer_run;

static asff_status chaos_importer(const asff_allocator *alloc, void *ctx)
{
    importer_run *x = ctx;
    asff_client *c = NULL;
    asff_importer *imp = NULL;
    asff_error e;
    asff_status st, ret = ASFF_OK;
    int i;
    st = chaos_client(alloc, &chaos_server, &c, &e);
    if (st != ASFF_OK)
        return st;
    memset(x->l->seen, 0, x->l->n);
    st = asff_importer_new(c, NULL, NULL, NULL, &imp, &e);
    for (i = 0; st == ASFF_OK && i < x->findings; i++) {
        char *f = finding_json((size_t)i, 1);
        void *obj = NULL;
        if (!x->typed)
            st = asff_importer_add_json(imp, f, strlen(f), &e);
        else if ((st = asff_parse_object(f, strlen(f), 0, NULL, &obj, &e)) == ASFF_OK)
            st = asff_importer_add(imp, obj, &e);
        asff_object_free(obj);
        free(f);
    }
    if (imp) {
        /* after an error the caller flushes: every finding added is then reported */
        asff_status fs = asff_importer_flush(imp, &e);
        if (st == ASFF_OK)
            st = fs;
    }
    if (imp) {
        asff_import_stats s;
        asff_importer_get_stats(imp, &s);
        /* out of memory may also fail single findings ("Internal", "out of memory"): count those */
        if (st == ASFF_OK && s.failed)
            ret = ASFF_ERR_NOMEM;
        if (s.imported + s.failed != s.added)
            ret = ASFF_ERR_STATE;
        asff_importer_free(imp);
    }
    asff_client_free(c);
    return ret != ASFF_OK ? ret : st;
}

/* A whole importer run (3 findings, JSON or typed) against the fault server, under allocation chaos. */
static void importer_chaos(bool typed)
{
    importer_run r;
    outcome_log l;
    set_env();
    fault_start(&chaos_server, "");
    log_init(&l, 8);
    r.findings = 3;
    r.l = &l;
    r.typed = typed;
    print_message("%simporter: %ld allocations, each failed in turn\n", typed ? "typed " : "",
                  test_alloc_chaos(chaos_importer, &r));
    log_free(&l);
    server_stop(&chaos_server);
}

static void test_alloc_chaos_client(void **state)
{
    chaos_ctx x;
    const char *answer = "{\"FailedCount\":1,\"SuccessCount\":1,\"FailedFindings\":[{\"Id\":\"a\",\"ErrorCode\":\"E\","
                         "\"ErrorMessage\":\"m\"}]}";
    (void)state;
    x.answer = answer;
    x.len = strlen(answer);
    assert_true(test_alloc_chaos(chaos_answer, &x) > 0);
    assert_true(test_alloc_chaos(chaos_compact, NULL) > 0);
    assert_true(test_alloc_chaos(chaos_parse_error, NULL) > 0);
    importer_chaos(false);
}

/* The importer fed typed findings (asff_importer_add writes each on the client's allocator). */
static void test_alloc_chaos_importer_typed(void **state)
{
    (void)state;
    importer_chaos(true);
}

/* Allocation chaos through request building (the request check's yajl parser and generator run on
 * the caller's allocator through lib/core's bridge), with URI, query and body members. */
static asff_status chaos_request(const asff_allocator *alloc, void *ctx)
{
    static const struct {
        const char *op, *input;
    } reqs[] = {
        {"GetFindings", "{\"Filters\":{\"Title\":[{\"Value\":\"t\\u00e9\",\"Comparison\":\"PREFIX\"}],"
                        "\"Confidence\":[{\"Gte\":1.5}]},\"SortCriteria\":[{\"Field\":\"Title\",\"SortOrder\":\"asc\"}],"
                        "\"MaxResults\":10,\"NextToken\":\"n\"}"},
        {"UpdateInsight", "{\"InsightArn\":\"arn:aws:securityhub:us-east-1:1:insight/1/custom/a b\",\"Name\":\"n\"}"},
        {"DescribeHub", "{\"HubArn\":\"arn:aws:securityhub:us-east-1:1:hub/default\"}"},
    };
    size_t i;
    (void)ctx;
    for (i = 0; i < sizeof reqs / sizeof reqs[0]; i++) {
        asff__request req, ref;
        asff_error e;
        asff_status st = asff__request_build(asff__op_find(reqs[i].op), reqs[i].input, strlen(reqs[i].input),
                                             i == 0 ? "NextToken" : NULL, i == 0 ? "tok" : NULL, alloc, &req, &e);
        if (st != ASFF_OK)
            return st;
        /* a request built is the one built with memory to spare */
        assert_int_equal(asff__request_build(asff__op_find(reqs[i].op), reqs[i].input, strlen(reqs[i].input),
                                             i == 0 ? "NextToken" : NULL, i == 0 ? "tok" : NULL, NULL, &ref, &e),
                         ASFF_OK);
        assert_string_equal(req.path.data, ref.path.data);
        assert_string_equal(req.query.data ? req.query.data : "", ref.query.data ? ref.query.data : "");
        assert_string_equal(req.body.data ? req.body.data : "", ref.body.data ? ref.body.data : "");
        asff__request_cleanup(&ref);
        asff__request_cleanup(&req);
    }
    return ASFF_OK;
}

/* A server whose every answer is the bytes of a file (tests/servers/hostile_server.py). */
static void answer_server_start(server *s, const char *path, const char *body, size_t len)
{
    char *argv[] = {"python3", ASFF_SOURCE_DIR "/tests/servers/hostile_server.py", "--default-file", (char *)path, NULL};
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(body, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
    server_start(s, argv);
}

static server page_server;

static int count_item(void *ctx, const char *item, size_t len)
{
    (void)item;
    (void)len;
    (*(int *)ctx)++;
    return 0;
}

/* A page split into its items (lib/client/oppager.c) on the client's allocator. */
static asff_status chaos_paginate(const asff_allocator *alloc, void *ctx)
{
    asff_client *c = NULL;
    asff_error e;
    asff_status st;
    int items = 0;
    (void)ctx;
    st = chaos_client(alloc, &page_server, &c, &e);
    if (st != ASFF_OK)
        return st;
    st = asff_client_paginate(c, "GetFindings", "{}", 2, NULL, count_item, &items, NULL, &e);
    asff_client_free(c);
    if (st == ASFF_OK && items != 3)
        return ASFF_ERR_STATE; /* an item lost or invented */
    return st;
}

static void test_alloc_chaos_requests(void **state)
{
    static const char page[] = "{\"Findings\":[{\"Id\":\"a\"},{\"Id\":\"b\",\"X\":[1,{\"y\":null,\"z\":\"\\u00e9\"}]},"
                               "[true,false,-0.5]]}";
    char path[] = "/tmp/asff_chaos_page_XXXXXX";
    long calls;
    int fd = mkstemp(path);
    (void)state;
    assert_true(fd >= 0);
    close(fd);
    assert_true(test_alloc_chaos(chaos_request, NULL) > 3);
    set_env();
    answer_server_start(&page_server, path, page, sizeof page - 1);
    calls = test_alloc_chaos(chaos_paginate, NULL);
    print_message("paginate: %ld allocations, each failed in turn\n", calls);
    assert_true(calls > 10);
    server_stop(&page_server);
    unlink(path);
}

/* ---- allocation chaos of asff_rollout ------------------------------------------------------------- */

/* Fixed answers by request (tests/servers/route_server.py), the same on every run: the caller is
 * 111111111111, no hub is enabled yet, member 222222222222 is listed (Created) on ListMembers' second
 * page, 333333333333 is not; both find the administrator's invitation. */
static const char rollout_routes[] =
    "[[\"Action=GetCallerIdentity\",200,\"<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::"
    "111111111111:user/a</Arn><UserId>AIDA</UserId><Account>111111111111</Account></GetCallerIdentityResult>"
    "</GetCallerIdentityResponse>\"],"
    "[\"Action=AssumeRole\",200,\"<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>ASIAMEMBER0001"
    "</AccessKeyId><SecretAccessKey>member-secret-key</SecretAccessKey><SessionToken>member-session-token"
    "</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials></AssumeRoleResult>"
    "</AssumeRoleResponse>\"],"
    "[\"GET /accounts\",400,\"{\\\"__type\\\":\\\"InvalidAccessException\\\",\\\"message\\\":\\\"not subscribed\\\"}\"],"
    "[\"POST /accounts\",200,\"{}\"],"
    "[\"NextToken=p2\",200,\"{\\\"Members\\\":[{\\\"AccountId\\\":\\\"222222222222\\\",\\\"MemberStatus\\\":"
    "\\\"Created\\\"}]}\"],"
    "[\"GET /members\",200,\"{\\\"Members\\\":[],\\\"NextToken\\\":\\\"p2\\\"}\"],"
    "[\"POST /members/invite\",200,\"{\\\"UnprocessedAccounts\\\":[]}\"],"
    "[\"POST /members\",200,\"{\\\"UnprocessedAccounts\\\":[]}\"],"
    "[\"GET /invitations\",200,\"{\\\"Invitations\\\":[{\\\"AccountId\\\":\\\"111111111111\\\",\\\"InvitationId\\\":"
    "\\\"inv-1\\\",\\\"MemberStatus\\\":\\\"Invited\\\"}]}\"],"
    "[\"POST /administrator\",200,\"{}\"],"
    "[\"GET /organization/admin\",200,\"{\\\"AdminAccounts\\\":[]}\"],"
    "[\"POST /organization/admin/enable\",200,\"{}\"],"
    "[\"GET /organization/configuration\",200,\"{\\\"AutoEnable\\\":false}\"],"
    "[\"POST /organization/configuration\",200,\"{}\"]]";

static const asff_rollout_member rollout_members[] = {{"222222222222", "a@example.com"},
                                                      {"333333333333", "b@example.com"}};
static const char *const rollout_regions[] = {"us-east-1"};
static server rollout_server;

/* The lines of a rollout: how many were ok, and their actions ("admin|member|member"). */
typedef struct rollout_seen {
    int ok;
    char actions[256];
} rollout_seen;

static void rollout_line(void *ctx, const asff_rollout_line *l)
{
    rollout_seen *s = ctx;
    size_t n = strlen(s->actions);
    s->ok += l->ok;
    snprintf(s->actions + n, sizeof s->actions - n, "%s%s", n ? "|" : "", l->actions);
}

static void rollout_call(void *ctx, const asff_call_info *ci)
{
    (void)ci;
    ((rollout_seen *)ctx)->ok++;
}

/* A rollout of both members on alloc; ctx: NULL (invitations), "dry" (a dry run) or "org" (the
 * organization form). A run that ends well must have told every line ok (dry run: every call). */
static asff_status chaos_rollout(const asff_allocator *alloc, void *ctx)
{
    asff_client_options co = ASFF_CLIENT_OPTIONS_INIT;
    asff_rollout_options o = ASFF_ROLLOUT_OPTIONS_INIT;
    rollout_seen seen;
    asff_error e;
    asff_status st;
    memset(&seen, 0, sizeof seen);
    co.allocator = alloc;
    co.endpoint_url = rollout_server.endpoint;
    co.allow_http = true;
    co.no_rate_limit = true;
    co.max_attempts = 1;
    o.role_name = "OrgRole";
    o.regions = rollout_regions;
    o.region_count = 1;
    o.client = &co;
    o.on_line = rollout_line;
    o.on_call = rollout_call;
    o.ctx = &seen;
    o.dry_run = ctx && strcmp(ctx, "dry") == 0;
    o.organization = ctx && strcmp(ctx, "org") == 0;
    if (o.organization)
        o.role_name = NULL; /* auto-enable reaches the members */
    st = asff_rollout(rollout_members, 2, &o, &e);
    if (st == ASFF_OK && seen.ok != (o.dry_run ? 15 : 3))
        return ASFF_ERR_STATE;
    if (st == ASFF_OK && o.organization)
        assert_string_equal(seen.actions, "hub-enabled,org-admin-enabled,auto-enable||member-created");
    else if (st == ASFF_OK && !o.dry_run)
        assert_string_equal(seen.actions, "hub-enabled|hub-enabled,invited,accepted|"
                                          "hub-enabled,member-created,invited,accepted");
    return st;
}

/* tests/servers/route_server.py with routes (its JSON list), written to path (a mkstemp template). */
static void route_server_start(server *s, char *path, const char *routes)
{
    char *argv[] = {"python3", ASFF_SOURCE_DIR "/tests/servers/route_server.py", path, NULL};
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, routes, strlen(routes)), (ssize_t)strlen(routes));
    close(fd);
    set_env();
    server_start(s, argv);
}

/* A rollout in form mode (see chaos_rollout) under allocation chaos against rollout_routes. */
static void rollout_chaos(const char *mode)
{
    char path[] = "/tmp/asff_chaos_routes_XXXXXX";
    long calls;
    route_server_start(&rollout_server, path, rollout_routes);
    setenv("AWS_ENDPOINT_URL", rollout_server.endpoint, 1); /* STS too */
    calls = test_alloc_chaos(chaos_rollout, (void *)mode);
    print_message("rollout%s%s: %ld allocations, each failed in turn\n", mode ? " " : "", mode ? mode : "", calls);
    assert_true(calls > 100);
    unsetenv("AWS_ENDPOINT_URL");
    server_stop(&rollout_server);
    unlink(path);
}

static void test_alloc_chaos_rollout(void **state)
{
    (void)state;
    rollout_chaos(NULL);
}

/* The organization form: delegation and auto-enable instead of invitations. */
static void test_alloc_chaos_rollout_organization(void **state)
{
    (void)state;
    rollout_chaos("org");
}

/* The dry run builds the request bodies it tells of on the client options' allocator. */
static void test_alloc_chaos_rollout_dry_run(void **state)
{
    (void)state;
    assert_true(test_alloc_chaos(chaos_rollout, "dry") > 2);
}

/* ---- allocation chaos of the other calls: generic, by name, BatchUpdateFindings, GetFindings ---------- */

static const char calls_routes[] =
    "[[\"PATCH /findings/batchupdate\",200,\"{\\\"ProcessedFindings\\\":[{\\\"Id\\\":\\\"a\\\",\\\"ProductArn\\\":"
    "\\\"p\\\"}],\\\"UnprocessedFindings\\\":[{\\\"FindingIdentifier\\\":{\\\"Id\\\":\\\"b\\\",\\\"ProductArn\\\":"
    "\\\"p\\\"},\\\"ErrorCode\\\":\\\"E\\\",\\\"ErrorMessage\\\":\\\"m\\\"}]}\"],"
    "[\"POST /findings \",200,\"{\\\"Findings\\\":[{\\\"Id\\\":\\\"f1\\\",\\\"Title\\\":\\\"t\\\"},{\\\"Id\\\":"
    "\\\"f2\\\",\\\"Types\\\":[\\\"x\\\"],\\\"Resources\\\":[{\\\"Id\\\":\\\"r\\\",\\\"Tags\\\":{\\\"k\\\":"
    "\\\"v\\\"}}]}],\\\"NextToken\\\":null}\"],"
    "[\"GET /accounts\",200,\"{\\\"HubArn\\\":\\\"arn:aws:securityhub:us-east-1:1:hub/default\\\",\\\"AutoEnableControls\\\":true}\"],"
    "[\"\",200,\"{\\\"a\\\":[1,2,{\\\"b\\\":null}]}\"]]";
static server calls_server;

/* The generic call and the call by name; each answer must arrive whole. */
static asff_status chaos_calls(const asff_allocator *alloc, void *ctx)
{
    asff_client *c = NULL;
    asff_response r;
    asff_error e;
    asff_status st;
    static const char hub[] = "{\"HubArn\":\"arn:aws:securityhub:us-east-1:1:hub/default\"}";
    (void)ctx;
    st = chaos_client(alloc, &calls_server, &c, &e);
    if (st == ASFF_OK)
        st = asff_client_call(c, "POST", "/anything", "a=1", "{\"x\":1}", 7, &r, &e);
    if (st == ASFF_OK) {
        if (r.len != 22)
            print_error("call: %zu bytes answered: %s\n", r.len, r.body);
        st = r.len == 22 ? ASFF_OK : ASFF_ERR_STATE;
        asff_response_cleanup(c, &r);
    }
    if (st == ASFF_OK)
        st = asff_client_call_op(c, "DescribeHub", hub, sizeof hub - 1, &r, &e);
    if (st == ASFF_OK) {
        if (!strstr(r.body, "AutoEnableControls"))
            print_error("call_op: %zu bytes answered: %s\n", r.len, r.body);
        st = strstr(r.body, "AutoEnableControls") ? ASFF_OK : ASFF_ERR_STATE;
        asff_response_cleanup(c, &r);
    }
    asff_client_free(c);
    return st;
}

static int count_update(void *ctx, const asff_update_outcome *o)
{
    (*(int *)ctx) += o->processed ? 1 : 10;
    return 0;
}

/* BatchUpdateFindings: one identifier processed, one not; both told. */
static asff_status chaos_update(const asff_allocator *alloc, void *ctx)
{
    static const char req[] = "{\"FindingIdentifiers\":[{\"Id\":\"a\",\"ProductArn\":\"p\"},{\"Id\":\"b\","
                              "\"ProductArn\":\"p\"}],\"Note\":{\"Text\":\"x\",\"UpdatedBy\":\"me\"}}";
    asff_client *c = NULL;
    asff_error e;
    asff_status st;
    int told = 0;
    (void)ctx;
    st = chaos_client(alloc, &calls_server, &c, &e);
    if (st == ASFF_OK)
        st = asff_client_batch_update_findings(c, req, sizeof req - 1, NULL, count_update, &told, NULL, &e);
    asff_client_free(c);
    if (st == ASFF_OK && told != 11)
        return ASFF_ERR_STATE; /* an identifier lost, or out of memory taken for an answer */
    return st;
}

static int count_got(void *ctx, const asff_AwsSecurityFinding *f)
{
    (void)f;
    (*(int *)ctx)++;
    return 0;
}

/* GetFindings: the page's two findings, parsed on the client's allocator. */
static asff_status chaos_get_findings(const asff_allocator *alloc, void *ctx)
{
    asff_get_findings_options go = ASFF_GET_FINDINGS_OPTIONS_INIT;
    asff_client *c = NULL;
    asff_error e;
    asff_status st;
    uint64_t n = 0;
    int got = 0;
    (void)ctx;
    go.filters_json = "{\"Title\":[{\"Value\":\"t\",\"Comparison\":\"EQUALS\"}]}";
    st = chaos_client(alloc, &calls_server, &c, &e);
    if (st == ASFF_OK)
        st = asff_client_get_findings(c, &go, count_got, &got, &n, &e);
    asff_client_free(c);
    if (st == ASFF_OK && (got != 2 || n != 2))
        return ASFF_ERR_STATE;
    return st;
}

/* run under allocation chaos against calls_routes. */
static void chaos_against_routes(const char *what, test_alloc_run_fn run)
{
    char path[] = "/tmp/asff_chaos_calls_XXXXXX";
    route_server_start(&calls_server, path, calls_routes);
    print_message("%s: %ld allocations, each failed in turn\n", what, test_alloc_chaos(run, NULL));
    server_stop(&calls_server);
    unlink(path);
}

static void test_alloc_chaos_calls(void **state)
{
    (void)state;
    chaos_against_routes("call and call_op", chaos_calls);
}

static void test_alloc_chaos_batch_update(void **state)
{
    (void)state;
    chaos_against_routes("batch update", chaos_update);
}

static void test_alloc_chaos_get_findings(void **state)
{
    (void)state;
    chaos_against_routes("get findings", chaos_get_findings);
}

/* A page nested 10^6 levels deep: ASFF_ERR_LIMIT, nothing handed over, nothing left allocated. */
static void test_deep_page(void **state)
{
    size_t depth = 1000000, pre = 13, i;
    char *body = malloc(pre + 2 * depth + 3);
    char path[] = "/tmp/asff_deep_page_XXXXXX";
    asff_client_options o = ASFF_CLIENT_OPTIONS_INIT;
    asff_client *c;
    asff_error e;
    test_alloc t;
    int items = 0, fd = mkstemp(path);
    (void)state;
    assert_non_null(body);
    assert_true(fd >= 0);
    close(fd);
    memcpy(body, "{\"Findings\":[", pre);
    for (i = 0; i < depth; i++) {
        body[pre + i] = '[';
        body[pre + 2 * depth - 1 - i] = ']';
    }
    memcpy(body + pre + 2 * depth, "]}", 3);
    set_env();
    answer_server_start(&page_server, path, body, pre + 2 * depth + 2);
    o.allocator = test_alloc_init(&t, -1);
    c = make_client(&page_server, &o);
    assert_int_equal(asff_client_paginate(c, "GetFindings", "{}", 2, NULL, count_item, &items, NULL, &e), ASFF_ERR_LIMIT);
    assert_non_null(strstr(e.message, "deeper"));
    assert_int_equal(items, 0);
    asff_client_free(c);
    assert_int_equal(t.live, 0);
    server_stop(&page_server);
    unlink(path);
    free(body);
}

/* Every field of asff_error is set on every path, early refusals included (issue 14 item 5: a garbled
 * "HTTP -946253824, request id \251\177" came from fields an early return never touched). */
static void check_clean(const asff_error *e, asff_status st)
{
    assert_int_not_equal(st, ASFF_OK);
    assert_int_equal(e->code, st);
    assert_int_equal(e->http_status, 0);
    assert_string_equal(e->aws_code, "");
    assert_string_equal(e->request_id, "");
    assert_true(strlen(e->message) > 0);
}

static void test_error_initialized(void **state)
{
    server s;
    asff_client *c;
    asff_client_options o = ASFF_CLIENT_OPTIONS_INIT;
    asff_importer *imp;
    asff_response r;
    asff_error e;
    asff_status st;
    (void)state;
    set_env();
    memset(&s, 0, sizeof s);
    snprintf(s.endpoint, sizeof s.endpoint, "http://127.0.0.1:9");
    c = make_client(&s, NULL);
#define GARBLE() memset(&e, 0xa9, sizeof e)
    GARBLE();
    o.version = 99;
    check_clean(&e, asff_client_new(&o, &(asff_client *){NULL}, &e));
    GARBLE();
    check_clean(&e, asff_client_invoke(c, ASFF_OP_InviteMembers, "{", 1, &r, &e));
    GARBLE();
    check_clean(&e, asff_client_invoke(c, ASFF_OP_UpdateInsight, "{}", 2, &r, &e));
    GARBLE();
    check_clean(&e, asff_client_call(c, "GET", "no-slash", NULL, NULL, 0, &r, &e));
    GARBLE();
    check_clean(&e, asff_importer_new(NULL, NULL, NULL, NULL, &imp, &e));
    GARBLE();
    check_clean(&e, asff_importer_add_json(NULL, "{}", 2, &e));
    GARBLE();
    check_clean(&e, asff_importer_flush(NULL, &e));
    GARBLE();
    check_clean(&e, asff_client_batch_update_findings(c, "{", 1, NULL, NULL, NULL, NULL, &e));
    GARBLE();
    check_clean(&e, asff_client_get_findings(c, NULL, NULL, NULL, NULL, &e));
    /* a network failure: no HTTP status, no request id, and a code that says what */
    GARBLE();
    st = asff_client_invoke(c, ASFF_OP_DescribeHub, NULL, 0, &r, &e);
    assert_int_equal(st, ASFF_ERR_NETWORK);
    check_clean(&e, st);
#undef GARBLE
    asff_client_free(c);
}

static void test_no_secrets(void **state)
{
    (void)state;
    assert_true(strlen(seen_messages) > 100);
    assert_null(strstr(seen_messages, SECRET));
    assert_null(strstr(seen_messages, TOKEN));
    assert_null(strstr(seen_messages, "wJalrXUtnFEMI"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_parse_error, stop_servers),       cmocka_unit_test_teardown(test_header_lines, stop_servers),
        cmocka_unit_test_teardown(test_backoff, stop_servers),           cmocka_unit_test_teardown(test_import_response, stop_servers),
        cmocka_unit_test(test_deep_response), cmocka_unit_test(test_redact),
        cmocka_unit_test_teardown(test_compact, stop_servers),           cmocka_unit_test_teardown(test_operations_table, stop_servers),
        cmocka_unit_test_teardown(test_options, stop_servers),           cmocka_unit_test_teardown(test_retries, stop_servers),
        cmocka_unit_test_teardown(test_timeout_and_network, stop_servers), cmocka_unit_test_teardown(test_bindings, stop_servers),
        cmocka_unit_test_teardown(test_rate_limiter, stop_servers),      cmocka_unit_test_teardown(test_importer_limits, stop_servers),
        cmocka_unit_test_teardown(test_importer_fatal, stop_servers),
        cmocka_unit_test_teardown(test_importer_typed, stop_servers),
        cmocka_unit_test_teardown(test_import_under_faults, stop_servers), cmocka_unit_test_teardown(test_allocator, stop_servers),
        cmocka_unit_test_teardown(test_tls, stop_servers),
        cmocka_unit_test_teardown(test_batch_update, stop_servers),
        cmocka_unit_test_teardown(test_importer_dry_run, stop_servers),
        cmocka_unit_test_teardown(test_update_dry_run, stop_servers),
        cmocka_unit_test_teardown(test_moto, stop_servers),
        cmocka_unit_test_teardown(test_get_findings_pages, stop_servers),
        cmocka_unit_test_teardown(test_lying_answers, stop_servers),
        cmocka_unit_test_teardown(test_error_initialized, stop_servers),
        cmocka_unit_test_teardown(test_alloc_chaos_client, stop_servers),
        cmocka_unit_test_teardown(test_alloc_chaos_importer_typed, stop_servers),
        cmocka_unit_test_teardown(test_alloc_chaos_requests, stop_servers),
        cmocka_unit_test_teardown(test_alloc_chaos_rollout, stop_servers),
        cmocka_unit_test_teardown(test_alloc_chaos_rollout_organization, stop_servers),
        cmocka_unit_test(test_alloc_chaos_rollout_dry_run),
        cmocka_unit_test_teardown(test_alloc_chaos_calls, stop_servers),
        cmocka_unit_test_teardown(test_alloc_chaos_batch_update, stop_servers),
        cmocka_unit_test_teardown(test_alloc_chaos_get_findings, stop_servers),
        cmocka_unit_test_teardown(test_deep_page, stop_servers),
        cmocka_unit_test_teardown(test_request_check, stop_servers),
        cmocka_unit_test_teardown(test_request_build, stop_servers),
        cmocka_unit_test_teardown(test_call_op, stop_servers),
        cmocka_unit_test_teardown(test_no_secrets, stop_servers),
    };
    signal(SIGPIPE, SIG_IGN);
    /* client_internal.h makes this file's own curl_* calls go through the library's table
     * (lib/http/libcurl.h): loaded here, which also calls curl_global_init */
    if (asff__libcurl_load(NULL) != ASFF_OK)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
