/* Tests of lib/aws: the shared config/credentials parser, region and endpoint resolution, the
 * Security Hub region list, and the credentials chain against local files and a local metadata
 * server (tests/servers/metadata_server.py on 127.0.0.1, started and stopped here). Every error
 * message produced is checked for secrets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <cmocka.h>
#include <pthread.h>
#include <curl/curl.h>
#include "asff/aws.h"
#include "aws/aws_internal.h"

#define ADIR ASFF_TEST_DATA "/aws/"
#define SERVER ASFF_SOURCE_DIR "/tests/servers/metadata_server.py"

/* Every secret the tests use: none may appear in an error message. */
static const char *const secrets[] = {"DEFAULT-SECRET-FROM-FILE", "FILEKEYS-SECRET-FROM-FILE", "FILEKEYS-TOKEN-FROM-FILE",
                                      "DEV-SECRET-FROM-CONFIG", "ENV-SECRET-VALUE", "ENV-TOKEN-VALUE",
                                      "EXPLICIT-SECRET", "SECRET-IN-BAD-LINE", "asiaimds-secret", "asiacont-secret",
                                      "session-token", "container-auth-token-value", "XML-SECRET", "PROC-SECRET", "PROC-TOKEN", NULL};
static int messages_checked;

static void check_no_secret(const asff_error *err)
{
    size_t i;
    for (i = 0; secrets[i]; i++)
        if (strstr(err->message, secrets[i]))
            fail_msg("a secret (%s) leaked into an error message: %s", secrets[i], err->message);
    messages_checked++;
}

static void clear_env(void)
{
    static const char *const vars[] = {
        "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
        "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_SECURITYHUB", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "AWS_USE_FIPS_ENDPOINT",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "AWS_EC2_METADATA_DISABLED",
        "AWS_EC2_METADATA_SERVICE_ENDPOINT", "AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL_SSO",
        "AWS_ENDPOINT_URL_SSO_OIDC", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME", NULL};
    size_t i;
    for (i = 0; vars[i]; i++)
        unsetenv(vars[i]);
    /* No real ~/.aws, and never the real instance metadata address. */
    setenv("HOME", "/nonexistent-home-for-tests", 1);
    setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
}

static void use_files(void)
{
    setenv("AWS_CONFIG_FILE", ADIR "config", 1);
    setenv("AWS_SHARED_CREDENTIALS_FILE", ADIR "credentials", 1);
}

static int setup(void **state)
{
    (void)state;
    clear_env();
    return 0;
}

/* ---- a local metadata server ----------------------------------------------------------------------- */

typedef struct server {
    pid_t pid;
    int stdin_fd;
    int port;
    char base[64];
} server;

/* Start the server with its stdout on a pipe (for the port) and its stdin on another pipe that we
 * never write: when this process ends, even by a crash, the server sees EOF and exits. stderr goes
 * to /dev/null so that a server never holds ctest's output pipe open. */
static void server_start_script(server *s, const char *script, const char *arg1, const char *arg2);

static void server_start(server *s, const char *arg1, const char *arg2)
{
    server_start_script(s, SERVER, arg1, arg2);
}

/* script prints its port first, as "N" or "PORT N". */
static void server_start_script(server *s, const char *script, const char *arg1, const char *arg2)
{
    int out[2], in[2];
    FILE *f;
    char line[32];
    assert_int_equal(pipe(out), 0);
    assert_int_equal(pipe(in), 0);
    s->pid = fork();
    assert_true(s->pid >= 0);
    if (s->pid == 0) {
        int devnull = open("/dev/null", O_WRONLY);
        dup2(out[1], 1);
        dup2(in[0], 0);
        if (devnull >= 0)
            dup2(devnull, 2);
        close(out[0]);
        close(out[1]);
        close(in[0]);
        close(in[1]);
        execlp("python3", "python3", script, "--exit-on-eof", arg1, arg2, (char *)NULL);
        _exit(127);
    }
    close(out[1]);
    close(in[0]);
    s->stdin_fd = in[1];
    f = fdopen(out[0], "r");
    assert_non_null(f);
    if (!fgets(line, sizeof line, f))
        fail_msg("the metadata server did not start");
    fclose(f);
    s->port = atoi(strncmp(line, "PORT ", 5) == 0 ? line + 5 : line);
    assert_true(s->port > 0);
    snprintf(s->base, sizeof s->base, "http://127.0.0.1:%d", s->port);
}

static void server_stop(server *s)
{
    int status;
    if (s->pid <= 0)
        return;
    close(s->stdin_fd);
    kill(s->pid, SIGTERM);
    waitpid(s->pid, &status, 0);
    s->pid = 0;
}

static size_t collect(char *d, size_t size, size_t n, void *ctx)
{
    char *buf = ctx;
    size_t len = strlen(buf), add = size * n;
    if (len + add >= 4096)
        add = 4095 - len;
    memcpy(buf + len, d, add);
    buf[len + add] = '\0';
    return size * n;
}

/* GET /stats; the count named key (or -1). */
static long server_stat(const server *s, const char *key, char *text, size_t size)
{
    char url[128], body[4096] = "", pat[64];
    const char *p;
    CURL *c = curl_easy_init();
    snprintf(url, sizeof url, "%s/stats", s->base);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, body);
    assert_int_equal(curl_easy_perform(c), CURLE_OK);
    curl_easy_cleanup(c);
    snprintf(pat, sizeof pat, "\"%s\": ", key);
    p = strstr(body, pat);
    if (!p)
        return -1;
    p += strlen(pat);
    if (text) {
        size_t n = strcspn(p, ",}");
        snprintf(text, size, "%.*s", (int)n, p);
    }
    return atol(p);
}

/* ---- config parser --------------------------------------------------------------------------------- */

static asff_aws_ini *load(const char *name, bool config_style)
{
    asff_aws_ini *ini = NULL;
    asff_error err;
    if (asff_aws_ini_load(name, config_style, NULL, &ini, &err) != ASFF_OK)
        fail_msg("%s: %s", name, err.message);
    return ini;
}

static void test_ini_edges(void **state)
{
    asff_aws_ini *ini = load(ADIR "edge.ini", true);
    (void)state;
    assert_string_equal(asff_aws_ini_get(ini, "default", "region"), "eu-west-1");
    assert_string_equal(asff_aws_ini_get(ini, "default", "key_case"), "Upper");
    assert_null(asff_aws_ini_get(ini, "default", "KEY_Case")); /* keys are lowercased when read */
    assert_string_equal(asff_aws_ini_get(ini, "default", "url"), "http://x/a#frag");
    assert_string_equal(asff_aws_ini_get(ini, "default", "hash"), "a");
    assert_string_equal(asff_aws_ini_get(ini, "default", "semi"), "b;c");
    assert_string_equal(asff_aws_ini_get(ini, "default", "colon"), "value:with:colons");
    assert_string_equal(asff_aws_ini_get(ini, "default", "empty"), "");
    assert_string_equal(asff_aws_ini_get(ini, "default", "dup"), "second");
    assert_string_equal(asff_aws_ini_get(ini, "default", "multi"), "line1\nline2\nline3");
    assert_string_equal(asff_aws_ini_get(ini, "default", "sub.a"), "1");
    assert_string_equal(asff_aws_ini_get(ini, "default", "sub.b"), "two words");
    assert_string_equal(asff_aws_ini_get(ini, "default", "merged"), "yes"); /* [default] twice: merged */
    assert_string_equal(asff_aws_ini_get(ini, "other", "x"), "1");
    assert_string_equal(asff_aws_ini_get(ini, "p", "k"), "v");
    assert_null(asff_aws_ini_get(ini, "profile p", "k"));
    assert_null(asff_aws_ini_get(ini, "missing", "k"));
    assert_null(asff_aws_ini_get(ini, "default", "missing"));
    assert_int_equal(asff_aws_ini_section_count(ini), 3);
    assert_string_equal(asff_aws_ini_section_name(ini, 0), "default");
    assert_string_equal(asff_aws_ini_section_name(ini, 1), "other");
    assert_string_equal(asff_aws_ini_section_name(ini, 2), "p");
    assert_null(asff_aws_ini_section_name(ini, 3));
    asff_aws_ini_free(ini);

    /* Credentials style: [profile p] is a section named "profile p". */
    ini = load(ADIR "edge.ini", false);
    assert_string_equal(asff_aws_ini_get(ini, "profile p", "k"), "v");
    assert_null(asff_aws_ini_get(ini, "p", "k"));
    asff_aws_ini_free(ini);

    /* [profile default] wins over [default], in either order. */
    {
        static const char both[] = "[profile default]\nregion = a\n[default]\nregion = b\nonly = legacy\n";
        asff_error err;
        assert_int_equal(asff_aws_ini_parse(both, strlen(both), true, NULL, &ini, &err), ASFF_OK);
        assert_string_equal(asff_aws_ini_get(ini, "default", "region"), "a");
        assert_string_equal(asff_aws_ini_get(ini, "default", "only"), "legacy");
        asff_aws_ini_free(ini);
        assert_int_equal(asff_aws_ini_parse("", 0, true, NULL, &ini, &err), ASFF_OK);
        assert_int_equal(asff_aws_ini_section_count(ini), 0);
        asff_aws_ini_free(ini);
    }
}

static void test_ini_errors(void **state)
{
    static const struct {
        const char *file;
        asff_status code;
        const char *text;
    } bad[] = {{"bad-nosection.ini", ASFF_ERR_SYNTAX, "line 2: a setting before any [section]"},
               {"bad-header.ini", ASFF_ERR_SYNTAX, "line 3: section header without ']'"},
               {"bad-emptykey.ini", ASFF_ERR_SYNTAX, "line 3: empty key"},
               {"bad-noequals.ini", ASFF_ERR_SYNTAX, "line 3: expected key = value"},
               {"bad-indent.ini", ASFF_ERR_SYNTAX, "line 2: a setting before any [section]"}};
    size_t i;
    asff_aws_ini *ini = (asff_aws_ini *)1;
    asff_error err;
    (void)state;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char path[512];
        snprintf(path, sizeof path, ADIR "%s", bad[i].file);
        asff_error_clear(&err);
        assert_int_equal(asff_aws_ini_load(path, true, NULL, &ini, &err), bad[i].code);
        assert_null(ini);
        if (!strstr(err.message, bad[i].text) || !strstr(err.message, bad[i].file))
            fail_msg("%s: message \"%s\"", bad[i].file, err.message);
        check_no_secret(&err);
    }
    assert_int_equal(asff_aws_ini_load(ADIR "no-such-file", true, NULL, &ini, &err), ASFF_ERR_NOT_FOUND);
    /* Limits: one line, and the whole file. */
    {
        size_t n = ASFF_AWS_INI_MAX_LINE + 20;
        char *big = malloc(ASFF_AWS_INI_MAX_SIZE + 2);
        memcpy(big, "[a]\nk = ", 8);
        memset(big + 8, 'x', n);
        assert_int_equal(asff_aws_ini_parse(big, 8 + n, true, NULL, &ini, &err), ASFF_ERR_LIMIT);
        assert_non_null(strstr(err.message, "line 2"));
        memset(big, '#', ASFF_AWS_INI_MAX_SIZE + 1);
        assert_int_equal(asff_aws_ini_parse(big, ASFF_AWS_INI_MAX_SIZE + 1, true, NULL, &ini, &err), ASFF_ERR_LIMIT);
        free(big);
        assert_int_equal(asff_aws_ini_parse("[a]\nk\0 = v\n", 11, true, NULL, &ini, &err), ASFF_ERR_SYNTAX);
    }
}

/* An allocator that fails its Nth allocation: the parser returns ASFF_ERR_NOMEM and frees everything. */
static long fail_at, alloc_calls, live_blocks;
static void *failing_malloc(void *ctx, size_t n)
{
    (void)ctx;
    if (++alloc_calls == fail_at)
        return NULL;
    live_blocks++;
    return malloc(n);
}
static void *failing_realloc(void *ctx, void *p, size_t n)
{
    void *q;
    (void)ctx;
    if (++alloc_calls == fail_at)
        return NULL;
    q = realloc(p, n);
    if (!p && q)
        live_blocks++;
    return q;
}
static void counting_free(void *ctx, void *p)
{
    (void)ctx;
    if (p)
        live_blocks--;
    free(p);
}

static void test_ini_out_of_memory(void **state)
{
    asff_allocator al = {failing_malloc, failing_realloc, counting_free, NULL};
    bool done = false;
    (void)state;
    for (fail_at = 1; !done && fail_at < 2000; fail_at++) {
        asff_aws_ini *ini = NULL;
        asff_error err;
        asff_status st;
        alloc_calls = 0;
        live_blocks = 0;
        st = asff_aws_ini_load(ADIR "edge.ini", true, &al, &ini, &err);
        if (st == ASFF_OK) {
            assert_string_equal(asff_aws_ini_get(ini, "default", "multi"), "line1\nline2\nline3");
            asff_aws_ini_free(ini);
            done = alloc_calls < fail_at;
        } else {
            assert_int_equal(st, ASFF_ERR_NOMEM);
            assert_null(ini);
        }
        assert_int_equal(live_blocks, 0);
    }
    assert_true(done);
    assert_true(fail_at > 20);
}

/* One run of the credentials chain with allocation fail_at failing: ASFF_ERR_NOMEM or the credentials
 * with want_key, nothing left allocated. True when the run is complete (fewer allocations than fail_at). */
static bool creds_chaos_step(const asff_aws_options *o, const char *want_key)
{
    asff_aws *a = NULL;
    asff_credentials c;
    asff_error err;
    asff_status st;
    bool done = false;
    alloc_calls = 0;
    live_blocks = 0;
    st = asff_aws_new(o, &a, &err);
    if (st == ASFF_OK) {
        st = asff_aws_credentials(a, 0, &c, &err);
        if (st == ASFF_OK)
            assert_string_equal(c.access_key_id, want_key);
        else if (st != ASFF_ERR_NOMEM)
            fail_msg("allocation %ld failing: %s (status %d)", fail_at, err.message, st);
        asff_aws_free(a);
        done = st == ASFF_OK && alloc_calls < fail_at;
    } else {
        assert_int_equal(st, ASFF_ERR_NOMEM);
        assert_null(a);
    }
    assert_int_equal(live_blocks, 0);
    return done;
}

static void test_aws_out_of_memory(void **state)
{
    asff_allocator al = {failing_malloc, failing_realloc, counting_free, NULL};
    asff_aws_options o = ASFF_AWS_OPTIONS_INIT;
    bool done = false;
    (void)state;
    o.allocator = &al;
    o.no_environment = true;
    o.no_imds = true;
    o.profile = "filekeys";
    o.config_file = ADIR "config";
    o.credentials_file = ADIR "credentials";
    for (fail_at = 1; !done && fail_at < 5000; fail_at++)
        done = creds_chaos_step(&o, "AKIDFILEKEYS");
    assert_true(done);
}

/* IAM Identity Center with an expired cached token (tests/servers/sso_server.py): the refresh request
 * and the cache written back are made by yajl generators on the caller's allocator (through lib/core's
 * bridge); every allocation failing in turn ends in ASFF_ERR_NOMEM with nothing left allocated. */
static void test_sso_out_of_memory(void **state)
{
    asff_allocator al = {failing_malloc, failing_realloc, counting_free, NULL};
    asff_aws_options o = ASFF_AWS_OPTIONS_INIT;
    char home[] = "/tmp/asff_sso_home_XXXXXX", path[512], cache[600], name[46];
    const char *token = "{\"startUrl\":\"https://example.awsapps.com/start\",\"region\":\"us-east-1\","
                        "\"accessToken\":\"SSO-ACCESS-0\",\"expiresAt\":\"2020-01-01T00:00:00Z\",\"clientId\":\"cid\","
                        "\"clientSecret\":\"SSO-CLIENT-SECRET\",\"refreshToken\":\"SSO-REFRESH-1\"}";
    static const char *const dirs[] = {"/.aws/sso/cache", "/.aws/sso", "/.aws", ""};
    server s;
    FILE *f;
    size_t i;
    bool done = false;
    (void)state;
    clear_env();
    assert_non_null(mkdtemp(home));
    for (i = sizeof dirs / sizeof dirs[0] - 1; i > 0; i--) {
        snprintf(path, sizeof path, "%s%s", home, dirs[i - 1]);
        assert_int_equal(mkdir(path, 0700), 0);
    }
    asff__sso_cache_name("my-sso", name);
    snprintf(cache, sizeof cache, "%s/%s", path, name);
    snprintf(path, sizeof path, "%s/config", home);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("[profile sso]\nsso_session = my-sso\nsso_account_id = 555555555555\nsso_role_name = Admin\n"
          "region = us-east-1\n\n[sso-session my-sso]\nsso_start_url = https://example.awsapps.com/start\n"
          "sso_region = us-east-1\n", f);
    assert_int_equal(fclose(f), 0);
    server_start_script(&s, ASFF_SOURCE_DIR "/tests/servers/sso_server.py", NULL, NULL);
    setenv("HOME", home, 1);
    setenv("AWS_ENDPOINT_URL_SSO", s.base, 1);
    setenv("AWS_ENDPOINT_URL_SSO_OIDC", s.base, 1);
    setenv("NO_PROXY", "127.0.0.1", 1);
    o.allocator = &al;
    o.no_imds = true;
    o.profile = "sso";
    o.config_file = path;
    o.credentials_file = ADIR "nonexistent";
    for (fail_at = 1; !done && fail_at < 20000; fail_at++) {
        f = fopen(cache, "w"); /* expired again: every run refreshes */
        assert_non_null(f);
        fputs(token, f);
        assert_int_equal(fclose(f), 0);
        done = creds_chaos_step(&o, "ASIASSO00000000001");
    }
    assert_true(done);
    print_message("sso: %ld allocations, each failed in turn\n", fail_at - 1);
    { /* the last run refreshed the token and wrote the cache back */
        char text[1024] = "";
        f = fopen(cache, "r");
        assert_non_null(f);
        assert_true(fread(text, 1, sizeof text - 1, f) > 0);
        fclose(f);
        assert_non_null(strstr(text, "\"SSO-ACCESS-2\""));
    }
    server_stop(&s);
    clear_env();
    unlink(cache);
    unlink(path);
    for (i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        snprintf(path, sizeof path, "%s%s", home, dirs[i]);
        rmdir(path);
    }
}

/* ---- region, endpoint, regions ---------------------------------------------------------------------- */

static asff_aws *new_aws(const asff_aws_options *o)
{
    asff_aws *a = NULL;
    asff_error err;
    asff_aws_options local = ASFF_AWS_OPTIONS_INIT;
    if (o)
        local = *o;
    /* The metadata servers here are Python processes on a machine that may be busy: the default
     * 1 s would time out now and then. A test of the timeout itself sets its own. */
    if (local.http_timeout_ms == 0)
        local.http_timeout_ms = 15000;
    if (asff_aws_new(&local, &a, &err) != ASFF_OK)
        fail_msg("asff_aws_new: %s", err.message);
    return a;
}

/* Configuration JSON nested deep (a container/IMDS answer, a token cache, credential_process output
 * all go through asff__aws_json): 10^6 levels stop at the size limit, 30,000 (within it) at the depth
 * limit, each a clean ASFF_ERR_SYNTAX naming the limit, with its position; nothing left allocated. */
static void test_deep_config_json(void **state)
{
    static const size_t levels[] = {1000000, 30000};
    asff_allocator al = {failing_malloc, failing_realloc, counting_free, NULL};
    asff_aws_options o = ASFF_AWS_OPTIONS_INIT;
    asff_aws *a;
    size_t i;
    (void)state;
    fail_at = -1;
    live_blocks = 0;
    o.allocator = &al;
    o.no_environment = true;
    o.no_imds = true;
    o.config_file = ADIR "nonexistent";
    o.credentials_file = ADIR "nonexistent";
    a = new_aws(&o);
    for (i = 0; i < 2; i++) {
        size_t n = levels[i], len = 2 * n + 1;
        char *text = malloc(len + 1);
        asff__creds c;
        yajl_val v = NULL;
        asff_error err;
        assert_non_null(text);
        memcpy(text, "{\"Token\":", 9);
        memset(text + 9, '[', n - 9);
        memset(text + n, ']', n - 9);
        memcpy(text + 2 * n - 9, "]]]]]]]]]}", 11);
        memset(&c, 0, sizeof c);
        assert_int_not_equal(asff__creds_from_meta(a, text, len, &c, "container", &err), ASFF_OK);
        assert_non_null(strstr(err.message, "ASFF_ERR_LIMIT"));
        asff__creds_clear(a, &c);
        /* the reader's limit (16 levels, 64 KiB) is named; the content never is */
        assert_int_equal(asff__aws_json(a, text, len, &v, "sso cache", &err), ASFF_ERR_SYNTAX);
        assert_non_null(strstr(err.message, "ASFF_ERR_LIMIT"));
        assert_null(v);
        assert_true(i == 0 ? err.offset == ASFF_AWS_MAX_HTTP_RESPONSE : (err.offset > 16 && err.offset < 64));
        free(text);
    }
    asff_aws_free(a);
    assert_int_equal(live_blocks, 0);
}

static void expect_endpoint(const asff_aws *a, const char *region, const char *want, bool override)
{
    char out[ASFF_AWS_MAX_URL];
    bool ov = !override;
    asff_error err;
    if (asff_aws_endpoint(a, region, out, sizeof out, &ov, &err) != ASFF_OK)
        fail_msg("endpoint: %s", err.message);
    assert_string_equal(out, want);
    assert_int_equal(ov, override);
}

static void test_region_endpoint(void **state)
{
    asff_aws_options o = ASFF_AWS_OPTIONS_INIT;
    asff_aws *a;
    char out[128];
    asff_error err;
    (void)state;
    use_files();
    a = new_aws(NULL); /* profile default: config region */
    assert_string_equal(asff_aws_profile(a), "default");
    assert_string_equal(asff_aws_region(a), "eu-west-1");
    assert_string_equal(asff_aws_profile_get(a, "output"), "json");
    expect_endpoint(a, NULL, "https://securityhub.eu-west-1.amazonaws.com", false);
    expect_endpoint(a, "cn-northwest-1", "https://securityhub.cn-northwest-1.amazonaws.com.cn", false);
    asff_aws_free(a);
    setenv("AWS_DEFAULT_REGION", "ap-south-1", 1);
    a = new_aws(NULL);
    assert_string_equal(asff_aws_region(a), "ap-south-1");
    asff_aws_free(a);
    setenv("AWS_REGION", "sa-east-1", 1); /* AWS_REGION before AWS_DEFAULT_REGION */
    a = new_aws(NULL);
    assert_string_equal(asff_aws_region(a), "sa-east-1");
    asff_aws_free(a);
    o.region = "us-east-2"; /* explicit first */
    a = new_aws(&o);
    assert_string_equal(asff_aws_region(a), "us-east-2");
    asff_aws_free(a);
    unsetenv("AWS_REGION");
    unsetenv("AWS_DEFAULT_REGION");

    /* Profile via AWS_PROFILE; sub-properties; FIPS; partitions. */
    setenv("AWS_PROFILE", "dev", 1);
    a = new_aws(NULL);
    assert_string_equal(asff_aws_profile(a), "dev");
    assert_string_equal(asff_aws_region(a), "us-west-2");
    assert_string_equal(asff_aws_profile_get(a, "s3.addressing_style"), "path");
    asff_aws_free(a);
    setenv("AWS_PROFILE", "fips", 1);
    a = new_aws(NULL);
    expect_endpoint(a, NULL, "https://securityhub-fips.us-gov-west-1.amazonaws.com", false);
    assert_int_equal(asff_aws_endpoint(a, "eu-west-1", out, sizeof out, NULL, &err), ASFF_ERR_UNSUPPORTED);
    check_no_secret(&err);
    asff_aws_free(a);
    setenv("AWS_PROFILE", "china", 1);
    {
        size_t n, i;
        const char *const *r;
        a = new_aws(NULL);
        expect_endpoint(a, NULL, "https://securityhub.cn-north-1.amazonaws.com.cn", false);
        r = asff_aws_regions(a, &n);
        assert_int_equal(n, 2);
        assert_string_equal(r[0], "cn-north-1");
        assert_string_equal(r[1], "cn-northwest-1");
        assert_null(r[2]);
        asff_aws_free(a);
        r = asff_securityhub_regions(&n);
        assert_int_equal(n, 38);
        for (i = 0; i < n; i++)
            assert_int_equal(asff_securityhub_endpoint(r[i], false, out, sizeof out, &err), ASFF_OK);
    }
    setenv("AWS_PROFILE", "no-such-profile", 1);
    assert_int_equal(asff_aws_new(NULL, &a, &err), ASFF_ERR_NOT_FOUND);
    assert_null(a);
    assert_non_null(strstr(err.message, "no-such-profile"));
    check_no_secret(&err);

    /* Endpoint overrides, most specific first: explicit, AWS_ENDPOINT_URL_SECURITYHUB, AWS_ENDPOINT_URL,
     * the profile's services section, the profile's endpoint_url. */
    setenv("AWS_PROFILE", "endpoints", 1);
    a = new_aws(NULL);
    expect_endpoint(a, NULL, "http://127.0.0.1:4566", true);
    expect_endpoint(a, "eu-west-3", "http://127.0.0.1:4566", true);
    asff_aws_free(a);
    setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1111/", 1);
    a = new_aws(NULL);
    expect_endpoint(a, NULL, "http://127.0.0.1:1111", true); /* trailing slash dropped */
    asff_aws_free(a);
    setenv("AWS_ENDPOINT_URL_SECURITYHUB", "http://127.0.0.1:2222", 1);
    a = new_aws(NULL);
    expect_endpoint(a, NULL, "http://127.0.0.1:2222", true);
    asff_aws_free(a);
    o = (asff_aws_options)ASFF_AWS_OPTIONS_INIT;
    o.endpoint_url = "https://hub.example.test";
    a = new_aws(&o);
    expect_endpoint(a, NULL, "https://hub.example.test", true);
    asff_aws_free(a);
    setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true", 1);
    a = new_aws(NULL);
    expect_endpoint(a, NULL, "https://securityhub.us-east-1.amazonaws.com", false);
    asff_aws_free(a);
    unsetenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
    unsetenv("AWS_ENDPOINT_URL_SECURITYHUB");
    setenv("AWS_ENDPOINT_URL", "ftp://nope", 1);
    assert_int_equal(asff_aws_new(NULL, &a, &err), ASFF_ERR_INVALID_ARG);
    check_no_secret(&err);
    unsetenv("AWS_ENDPOINT_URL");

    /* Region list override; no region at all. */
    clear_env();
    o = (asff_aws_options)ASFF_AWS_OPTIONS_INIT;
    o.regions = " us-east-1, eu-west-1 ,,ap-south-1";
    a = new_aws(&o);
    {
        size_t n;
        const char *const *r = asff_aws_regions(a, &n);
        assert_int_equal(n, 3);
        assert_string_equal(r[1], "eu-west-1");
        assert_string_equal(r[2], "ap-south-1");
    }
    assert_null(asff_aws_region(a));
    assert_int_equal(asff_aws_endpoint(a, NULL, out, sizeof out, NULL, &err), ASFF_ERR_INVALID_ARG);
    assert_non_null(strstr(err.message, "no region"));
    check_no_secret(&err);
    expect_endpoint(a, "us-gov-east-1", "https://securityhub.us-gov-east-1.amazonaws.com", false);
    asff_aws_free(a);
    o.regions = "us-east-1,Not A Region";
    assert_int_equal(asff_aws_new(&o, &a, &err), ASFF_ERR_INVALID_ARG);
    o.regions = NULL;
    o.region = "../etc";
    assert_int_equal(asff_aws_new(&o, &a, &err), ASFF_ERR_INVALID_ARG);
    a = new_aws(NULL);
    {
        size_t n;
        asff_aws_regions(a, &n);
        assert_int_equal(n, 34); /* the aws partition when there is no region */
    }
    asff_aws_free(a);
    assert_string_equal(asff_aws_partition("us-gov-west-1"), "aws-us-gov");
    assert_string_equal(asff_aws_partition("cn-north-1"), "aws-cn");
    assert_string_equal(asff_aws_partition("eu-west-1"), "aws");
    assert_string_equal(asff_aws_partition(NULL), "aws");
    assert_int_equal(asff_securityhub_endpoint("us-east-1", false, out, 10, &err), ASFF_ERR_LIMIT);
}

/* ---- credentials chain ------------------------------------------------------------------------------- */

static void expect_creds(asff_aws *a, int64_t now, const char *key, const char *secret, const char *token,
                         asff_credentials_source src)
{
    asff_credentials c;
    asff_error err;
    if (asff_aws_credentials(a, now, &c, &err) != ASFF_OK)
        fail_msg("credentials: %s", err.message);
    assert_string_equal(c.access_key_id, key);
    if (secret)
        assert_string_equal(c.secret_access_key, secret);
    if (token)
        assert_string_equal(c.session_token, token);
    else
        assert_null(c.session_token);
    assert_int_equal(asff_aws_credentials_source(a), src);
}

static void expect_creds_error(asff_aws *a, asff_status code, const char *text)
{
    asff_credentials c;
    asff_error err;
    asff_error_clear(&err);
    assert_int_equal(asff_aws_credentials(a, 0, &c, &err), code);
    assert_null(c.access_key_id);
    if (!strstr(err.message, text))
        fail_msg("message \"%s\" lacks \"%s\"", err.message, text);
    check_no_secret(&err);
}

static void test_chain_order(void **state)
{
    asff_aws_options o = ASFF_AWS_OPTIONS_INIT;
    asff_aws *a;
    (void)state;
    use_files();
    setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "ENV-SECRET-VALUE", 1);
    setenv("AWS_SESSION_TOKEN", "ENV-TOKEN-VALUE", 1);
    o.access_key_id = "AKIDEXPLICIT";
    o.secret_access_key = "EXPLICIT-SECRET";
    a = new_aws(&o); /* 1. explicit */
    expect_creds(a, 0, "AKIDEXPLICIT", "EXPLICIT-SECRET", NULL, ASFF_CREDS_EXPLICIT);
    assert_string_equal(asff_credentials_source_name(asff_aws_credentials_source(a)), "explicit");
    asff_aws_free(a);
    a = new_aws(NULL); /* 2. environment */
    expect_creds(a, 0, "AKIDENV", "ENV-SECRET-VALUE", "ENV-TOKEN-VALUE", ASFF_CREDS_ENVIRONMENT);
    asff_aws_free(a);
    o = (asff_aws_options)ASFF_AWS_OPTIONS_INIT;
    o.no_environment = true; /* the environment can be ignored altogether */
    o.config_file = ADIR "config";
    o.credentials_file = ADIR "credentials";
    a = new_aws(&o);
    expect_creds(a, 0, "AKIDFILEDEFAULT", "DEFAULT-SECRET-FROM-FILE", NULL, ASFF_CREDS_CREDENTIALS_FILE);
    asff_aws_free(a);
    unsetenv("AWS_SESSION_TOKEN");
    unsetenv("AWS_SECRET_ACCESS_KEY"); /* half of the environment pair: an error, not a silent fallback */
    a = new_aws(NULL);
    expect_creds_error(a, ASFF_ERR_CREDENTIALS, "environment");
    asff_aws_free(a);
    unsetenv("AWS_ACCESS_KEY_ID");
    a = new_aws(NULL); /* 3. credentials file, [default] */
    expect_creds(a, 0, "AKIDFILEDEFAULT", "DEFAULT-SECRET-FROM-FILE", NULL, ASFF_CREDS_CREDENTIALS_FILE);
    asff_aws_free(a);
    setenv("AWS_PROFILE", "filekeys", 1);
    a = new_aws(NULL);
    expect_creds(a, 0, "AKIDFILEKEYS", NULL, "FILEKEYS-TOKEN-FROM-FILE", ASFF_CREDS_CREDENTIALS_FILE);
    assert_string_equal(asff_aws_region(a), "ap-southeast-2"); /* region from the config's [profile filekeys] */
    asff_aws_free(a);
    setenv("AWS_PROFILE", "dev", 1); /* 4. keys in the config file */
    a = new_aws(NULL);
    expect_creds(a, 0, "AKIDCONFIGDEV", "DEV-SECRET-FROM-CONFIG", NULL, ASFF_CREDS_CONFIG_FILE);
    asff_aws_free(a);
    setenv("AWS_PROFILE", "partial", 1);
    a = new_aws(NULL);
    expect_creds_error(a, ASFF_ERR_CREDENTIALS, "partial");
    asff_aws_free(a);
    setenv("AWS_PROFILE", "assume", 1); /* a role profile: STS is asked (here: nothing listens) */
    setenv("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:9", 1);
    a = new_aws(NULL);
    expect_creds_error(a, ASFF_ERR_NETWORK, "AssumeRole");
    asff_aws_free(a);
    unsetenv("AWS_ENDPOINT_URL_STS");
    setenv("AWS_PROFILE", "china", 1); /* nothing anywhere, IMDS disabled */
    a = new_aws(NULL);
    expect_creds_error(a, ASFF_ERR_CREDENTIALS, "no credentials");
    expect_creds_error(a, ASFF_ERR_CREDENTIALS, "instance metadata (disabled)");
    asff_aws_free(a);
    /* Explicit credentials need both halves. */
    {
        asff_error err;
        o = (asff_aws_options)ASFF_AWS_OPTIONS_INIT;
        o.access_key_id = "AKIDONLY";
        assert_int_equal(asff_aws_new(&o, &a, &err), ASFF_ERR_INVALID_ARG);
        check_no_secret(&err);
        o.version = 42;
        assert_int_equal(asff_aws_new(&o, &a, &err), ASFF_ERR_INVALID_ARG);
    }
}

static void test_container(void **state)
{
    server s;
    char url[128], text[256];
    asff_aws *a;
    FILE *f;
    char tokfile[] = "/tmp/asff-test-token-XXXXXX";
    int fd;
    (void)state;
    setenv("AWS_PROFILE", "china", 1);
    use_files();
    server_start(&s, "--auth-token", "container-auth-token-value");
    snprintf(url, sizeof url, "%s/container/creds", s.base);
    setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", url, 1);
    setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "container-auth-token-value", 1);
    a = new_aws(NULL);
    expect_creds(a, 0, "ASIACONT0001", "asiacont-secret-1", "asiacont-session-token-1", ASFF_CREDS_CONTAINER);
    /* Cached: no second call while valid. */
    expect_creds(a, 0, "ASIACONT0001", NULL, "asiacont-session-token-1", ASFF_CREDS_CONTAINER);
    assert_int_equal(server_stat(&s, "container_get", NULL, 0), 1);
    /* Within refresh_margin (300 s) of the expiry (3600 s): refreshed. */
    expect_creds(a, (int64_t)time(NULL) + 3600 - 100, "ASIACONT0002", NULL, "asiacont-session-token-2",
                 ASFF_CREDS_CONTAINER);
    asff_aws_free(a);

    /* The token file wins over the variable; a wrong token is refused by the server. */
    fd = mkstemp(tokfile);
    assert_true(fd >= 0);
    f = fdopen(fd, "w");
    fputs("wrong-token\n", f);
    fclose(f);
    setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", tokfile, 1);
    a = new_aws(NULL);
    expect_creds_error(a, ASFF_ERR_CREDENTIALS, "HTTP 401");
    asff_aws_free(a);
    assert_int_equal(server_stat(&s, "container_auth", text, sizeof text), 0);
    assert_string_equal(text, "\"wrong-token\"");
    f = fopen(tokfile, "w");
    fputs("container-auth-token-value\n", f);
    fclose(f);
    a = new_aws(NULL);
    expect_creds(a, 0, "ASIACONT0003", NULL, "asiacont-session-token-3", ASFF_CREDS_CONTAINER);
    asff_aws_free(a);
    unlink(tokfile);
    unsetenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");

    /* Failures of a configured source are reported, not skipped. */
    snprintf(url, sizeof url, "%s/container/fail", s.base);
    setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", url, 1);
    a = new_aws(NULL);
    expect_creds_error(a, ASFF_ERR_HTTP, "HTTP 500");
    asff_aws_free(a);
    snprintf(url, sizeof url, "%s/container/bad-json", s.base);
    setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", url, 1);
    a = new_aws(NULL);
    expect_creds_error(a, ASFF_ERR_SYNTAX, "not a JSON object");
    asff_aws_free(a);
    /* Plain http only to loopback and the ECS/EKS agents; relative URIs must be paths. */
    setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://example.com/creds", 1);
    a = new_aws(NULL);
    expect_creds_error(a, ASFF_ERR_INVALID_ARG, "FULL_URI");
    asff_aws_free(a);
    unsetenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
    setenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "no-slash", 1);
    a = new_aws(NULL);
    expect_creds_error(a, ASFF_ERR_INVALID_ARG, "RELATIVE_URI");
    asff_aws_free(a);
    unsetenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
    unsetenv("AWS_CONTAINER_AUTHORIZATION_TOKEN");
    server_stop(&s);
}

static void test_imds(void **state)
{
    server s, v1;
    char text[64];
    asff_aws *a;
    asff_aws_options o = ASFF_AWS_OPTIONS_INIT;
    (void)state;
    setenv("AWS_PROFILE", "china", 1);
    use_files();
    server_start(&s, "--expire-in", "3600");
    unsetenv("AWS_EC2_METADATA_DISABLED");
    setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", s.base, 1);
    a = new_aws(NULL);
    expect_creds(a, 0, "ASIAIMDS0001", "asiaimds-secret-1", "asiaimds-session-token-1", ASFF_CREDS_IMDS);
    /* IMDSv2: a session token was asked for with the TTL header, and every GET carried it. */
    assert_int_equal(server_stat(&s, "token_put", NULL, 0), 1);
    server_stat(&s, "token_ttl", text, sizeof text);
    assert_string_equal(text, "\"21600\"");
    assert_int_equal(server_stat(&s, "role_get", NULL, 0), 1);
    assert_int_equal(server_stat(&s, "unauthorized", NULL, 0), 0);
    expect_creds(a, 0, "ASIAIMDS0001", NULL, "asiaimds-session-token-1", ASFF_CREDS_IMDS);
    assert_int_equal(server_stat(&s, "creds_get", NULL, 0), 1);
    expect_creds(a, (int64_t)time(NULL) + 3500, "ASIAIMDS0002", NULL, "asiaimds-session-token-2", ASFF_CREDS_IMDS);
    assert_int_equal(server_stat(&s, "token_put", NULL, 0), 2);
    {
        /* A refresh that fails while the old credentials are still valid keeps them. */
        asff_credentials c;
        asff_error err;
        server_stop(&s);
        assert_int_equal(asff_aws_credentials(a, (int64_t)time(NULL) + 3500, &c, &err), ASFF_OK);
        assert_string_equal(c.access_key_id, "ASIAIMDS0002");
        /* ... and once they have expired, the failure is reported. */
        assert_int_equal(asff_aws_credentials(a, (int64_t)time(NULL) + 3 * 3600, &c, &err), ASFF_ERR_CREDENTIALS);
        check_no_secret(&err);
    }
    asff_aws_free(a);

    /* Unreachable metadata: the chain ends with "no credentials" quickly. */
    o.http_timeout_ms = 300;
    a = new_aws(&o);
    expect_creds_error(a, ASFF_ERR_CREDENTIALS, "instance metadata (unreachable)");
    asff_aws_free(a);
    /* The profile's ec2_metadata_service_endpoint, when the variable is unset (port 9: closed). */
    unsetenv("AWS_EC2_METADATA_SERVICE_ENDPOINT");
    setenv("AWS_PROFILE", "imds", 1);
    a = new_aws(&o);
    expect_creds_error(a, ASFF_ERR_CREDENTIALS, "unreachable");
    asff_aws_free(a);

    /* An IMDS without tokens (404 on PUT): IMDSv1. */
    server_start(&v1, "--imds-v1", NULL);
    setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", v1.base, 1);
    a = new_aws(NULL);
    expect_creds(a, 0, "ASIAIMDS0001", NULL, "asiaimds-session-token-1", ASFF_CREDS_IMDS);
    asff_aws_free(a);
    /* Disabled by variable and by option. */
    setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
    a = new_aws(NULL);
    expect_creds_error(a, ASFF_ERR_CREDENTIALS, "instance metadata (disabled)");
    asff_aws_free(a);
    unsetenv("AWS_EC2_METADATA_DISABLED");
    o.no_imds = true;
    a = new_aws(&o);
    expect_creds_error(a, ASFF_ERR_CREDENTIALS, "instance metadata (disabled)");
    asff_aws_free(a);
    assert_int_equal(server_stat(&v1, "creds_get", NULL, 0), 1);
    server_stop(&v1);
    setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
}

/* The secret grep ran over every error message above. */
static void test_no_secrets_anywhere(void **state)
{
    (void)state;
    assert_true(messages_checked >= 20);
}


/* ---- STS XML, endpoints of STS and SSO, credential_process, role chains ----------------------------- */

static const char sts_ok[] =
    "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n"
    "  <AssumeRoleResult>\n    <AssumedRoleUser><Arn>arn:aws:sts::222222222222:assumed-role/B/s</Arn>\n"
    "      <AssumedRoleId>AROA:s</AssumedRoleId></AssumedRoleUser>\n"
    "    <Credentials>\n      <AccessKeyId>ASIAXML</AccessKeyId>\n      <SecretAccessKey>XML-SECRET</SecretAccessKey>\n"
    "      <SessionToken>tok&amp;en</SessionToken>\n      <Expiration>2030-01-02T03:04:05Z</Expiration>\n"
    "    </Credentials>\n  </AssumeRoleResult>\n"
    "  <ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata>\n</AssumeRoleResponse>\n";

static void test_sts_xml(void **state)
{
    asff__sts_result r;
    asff_error err;
    char deep[2048], big[4096];
    size_t i, n = 0;
    (void)state;
    assert_int_equal(asff__sts_parse(sts_ok, strlen(sts_ok), &r, &err), ASFF_OK);
    assert_string_equal(r.key, "ASIAXML");
    assert_string_equal(r.secret, "XML-SECRET");
    assert_string_equal(r.token, "tok&en");
    assert_string_equal(r.expiration, "2030-01-02T03:04:05Z");
    assert_string_equal(r.arn, "arn:aws:sts::222222222222:assumed-role/B/s");
    assert_string_equal(r.request_id, "req-1");
    assert_false(r.is_error);
    {
        static const char e[] = "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>"
                                "<Message>not allowed</Message></Error><RequestId>r2</RequestId></ErrorResponse>";
        assert_int_equal(asff__sts_parse(e, strlen(e), &r, &err), ASFF_OK);
        assert_true(r.is_error);
        assert_string_equal(r.code, "AccessDenied");
        assert_string_equal(r.message, "not allowed");
        assert_string_equal(r.request_id, "r2");
    }
    {
        static const char id[] = "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::1:user/u</Arn>"
                                 "<UserId>AIDA</UserId><Account>123456789012</Account></GetCallerIdentityResult>"
                                 "</GetCallerIdentityResponse>";
        assert_int_equal(asff__sts_parse(id, strlen(id), &r, &err), ASFF_OK);
        assert_string_equal(r.account, "123456789012");
        assert_string_equal(r.user_id, "AIDA");
    }
    /* A credential outside <Credentials> is not taken. */
    {
        static const char x[] = "<R><AccessKeyId>K</AccessKeyId></R>";
        assert_int_equal(asff__sts_parse(x, strlen(x), &r, &err), ASFF_OK);
        assert_string_equal(r.key, "");
    }
    /* No DOCTYPE (so no entities), no depth beyond 16, no field beyond its bound, XML only. */
    {
        static const char dt[] = "<!DOCTYPE a [<!ENTITY x \"XML-SECRET\">]><a>&x;</a>";
        assert_int_equal(asff__sts_parse(dt, strlen(dt), &r, &err), ASFF_ERR_SYNTAX);
        check_no_secret(&err);
    }
    for (i = 0; i < 40; i++)
        n += (size_t)snprintf(deep + n, sizeof deep - n, "<a>");
    assert_int_equal(asff__sts_parse(deep, n, &r, &err), ASFF_ERR_LIMIT);
    n = (size_t)snprintf(big, sizeof big, "<R><Credentials><AccessKeyId>");
    memset(big + n, 'K', 300);
    n += 300;
    n += (size_t)snprintf(big + n, sizeof big - n, "</AccessKeyId></Credentials></R>");
    assert_int_equal(asff__sts_parse(big, n, &r, &err), ASFF_ERR_LIMIT);
    assert_int_equal(asff__sts_parse("not xml", 7, &r, &err), ASFF_ERR_SYNTAX);
    assert_int_equal(asff__sts_parse("<a>XML-SECRET", 13, &r, &err), ASFF_ERR_SYNTAX);
    check_no_secret(&err);
}

static void expect_service(const asff_aws *a, const char *svc, const char *region, const char *want)
{
    char out[ASFF_AWS_MAX_URL];
    asff_error err;
    if (asff_aws_service_endpoint(a, svc, region, out, sizeof out, NULL, &err) != ASFF_OK)
        fail_msg("%s endpoint: %s", svc, err.message);
    assert_string_equal(out, want);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_service_endpoints(void **state)
{
    asff_aws_options o = ASFF_AWS_OPTIONS_INIT;
    asff_aws *a;
    char dir[] = "/tmp/asff-aws-XXXXXX", cfg[200], name[46];
    char out[64];
    asff_error err;
    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(cfg, sizeof cfg, "%s/config", dir);
    write_file(cfg, "[profile svc]\nservices = local\nregion = eu-west-1\n\n"
                    "[services local]\nsts =\n  endpoint_url = http://127.0.0.1:7001\n"
                    "sso_oidc =\n  endpoint_url = http://127.0.0.1:7002/\n\n"
                    "[profile any]\nendpoint_url = http://127.0.0.1:7003\n");
    o.config_file = cfg;
    o.credentials_file = "/nonexistent/credentials";
    o.region = "eu-west-1";
    a = new_aws(&o);
    expect_service(a, "sts", NULL, "https://sts.eu-west-1.amazonaws.com");
    expect_service(a, "sts", "cn-north-1", "https://sts.cn-north-1.amazonaws.com.cn");
    expect_service(a, "sso", "us-east-2", "https://portal.sso.us-east-2.amazonaws.com");
    expect_service(a, "sso-oidc", NULL, "https://oidc.eu-west-1.amazonaws.com");
    assert_int_equal(asff_aws_service_endpoint(a, "s3", NULL, out, sizeof out, NULL, &err), ASFF_ERR_INVALID_ARG);
    asff_aws_free(a);
    o.use_fips = true;
    a = new_aws(&o);
    expect_service(a, "sts", "us-east-1", "https://sts-fips.us-east-1.amazonaws.com");
    asff_aws_free(a);
    o.use_fips = false;
    o.profile = "svc";
    a = new_aws(&o);
    expect_service(a, "sts", NULL, "http://127.0.0.1:7001");
    expect_service(a, "sso-oidc", NULL, "http://127.0.0.1:7002");
    expect_service(a, "sso", NULL, "https://portal.sso.eu-west-1.amazonaws.com");
    asff_aws_free(a);
    o.profile = "any";
    a = new_aws(&o);
    expect_service(a, "sts", NULL, "http://127.0.0.1:7003");
    expect_service(a, "sso", NULL, "http://127.0.0.1:7003");
    asff_aws_free(a);
    setenv("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:7004", 1);
    a = new_aws(&o);
    expect_service(a, "sts", NULL, "http://127.0.0.1:7004");
    expect_service(a, "securityhub", NULL, "http://127.0.0.1:7003");
    asff_aws_free(a);
    setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true", 1);
    a = new_aws(&o);
    expect_service(a, "sts", NULL, "https://sts.eu-west-1.amazonaws.com");
    asff_aws_free(a);
    /* The AWS CLI's SSO cache names. */
    asff__sso_cache_name("my-sso", name);
    assert_string_equal(name, "0ad374308c5a4e22f723adf10145eafad7c4031c.json");
    remove(cfg);
    rmdir(dir);
}

/* A handle on a config file written from text (credentials from a second text). */
static asff_aws *aws_on(const char *dir, const char *config, const char *creds, const char *profile, long timeout)
{
    asff_aws_options o = ASFF_AWS_OPTIONS_INIT;
    char c1[200], c2[200];
    snprintf(c1, sizeof c1, "%s/config", dir);
    snprintf(c2, sizeof c2, "%s/credentials", dir);
    write_file(c1, config);
    write_file(c2, creds);
    o.config_file = c1;
    o.credentials_file = c2;
    o.profile = profile;
    o.process_timeout_ms = timeout;
    o.no_imds = true;
    return new_aws(&o);
}

static asff_status mfa_code(void *ctx, const char *serial, char *code, size_t size)
{
    (void)serial;
    (*(int *)ctx)++;
    snprintf(code, size, "123456");
    return ASFF_OK;
}

static void test_process_and_roles(void **state)
{
    char dir[] = "/tmp/asff-aws-XXXXXX", cfg[1200], json[200];
    asff_aws *a;
    asff_credentials c;
    asff_error err;
    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(json, sizeof json, "%s/out.json", dir);
    write_file(json, "{\"Version\": 1, \"AccessKeyId\": \"AKIDPROC\", \"SecretAccessKey\": \"PROC-SECRET\",\n"
                     " \"SessionToken\": \"PROC-TOKEN\", \"Expiration\": \"2099-12-31T23:59:59Z\"}\n");
    /* No shell: a plain command is split at white space. */
    snprintf(cfg, sizeof cfg, "[profile p]\ncredential_process = /bin/cat %s\n", json);
    a = aws_on(dir, cfg, "", "p", 0);
    assert_int_equal(asff_aws_credentials(a, 0, &c, &err), ASFF_OK);
    assert_string_equal(c.access_key_id, "AKIDPROC");
    assert_string_equal(c.session_token, "PROC-TOKEN");
    assert_int_equal(asff_aws_credentials_source(a), ASFF_CREDS_PROCESS);
    assert_true(c.expiration > 4000000000LL);
    asff_aws_free(a);
    /* Shell syntax goes to /bin/sh -c. */
    snprintf(cfg, sizeof cfg, "[profile p]\ncredential_process = /bin/cat '%s' | /bin/cat\n", json);
    a = aws_on(dir, cfg, "", "p", 0);
    assert_int_equal(asff_aws_credentials(a, 0, &c, &err), ASFF_OK);
    assert_string_equal(c.access_key_id, "AKIDPROC");
    asff_aws_free(a);
    /* Failures: a timeout, a wrong version, not JSON, a missing program. */
    a = aws_on(dir, "[profile p]\ncredential_process = /bin/sleep 5\n", "", "p", 200);
    expect_creds_error(a, ASFF_ERR_TIMEOUT, "200 ms");
    asff_aws_free(a);
    a = aws_on(dir, "[profile p]\ncredential_process = /bin/echo '{\"Version\":2}'\n", "", "p", 0);
    expect_creds_error(a, ASFF_ERR_UNSUPPORTED, "Version");
    asff_aws_free(a);
    a = aws_on(dir, "[profile p]\ncredential_process = /bin/echo PROC-SECRET\n", "", "p", 0);
    expect_creds_error(a, ASFF_ERR_SYNTAX, "credential_process");
    asff_aws_free(a);
    a = aws_on(dir, "[profile p]\ncredential_process = /nonexistent/helper\n", "", "p", 0);
    expect_creds_error(a, ASFF_ERR_CREDENTIALS, "cannot run");
    asff_aws_free(a);

    /* Role chains: cycles, missing sources, both kinds of source, MFA without a callback. */
    a = aws_on(dir, "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\n"
                    "[profile b]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = a\n", "", "a", 0);
    expect_creds_error(a, ASFF_ERR_INVALID_ARG, "comes back");
    asff_aws_free(a);
    a = aws_on(dir, "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = zz\n", "", "a", 0);
    expect_creds_error(a, ASFF_ERR_INVALID_ARG, "does not exist");
    asff_aws_free(a);
    a = aws_on(dir, "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = a\ncredential_source = Environment\n",
               "", "a", 0);
    expect_creds_error(a, ASFF_ERR_INVALID_ARG, "both");
    asff_aws_free(a);
    a = aws_on(dir, "[profile a]\nrole_arn = arn:aws:iam::1:role/a\ncredential_source = Nowhere\n", "", "a", 0);
    expect_creds_error(a, ASFF_ERR_INVALID_ARG, "credential_source");
    asff_aws_free(a);
    a = aws_on(dir, "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = k\nmfa_serial = arn:mfa\n",
               "[k]\naws_access_key_id = AK\naws_secret_access_key = EXPLICIT-SECRET\n", "a", 0);
    expect_creds_error(a, ASFF_ERR_UNSUPPORTED, "MFA");
    asff_aws_free(a);
    a = aws_on(dir, "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = k\n",
               "[k]\nrole_arn = arn:aws:iam::1:role/k\n", "a", 0);
    expect_creds_error(a, ASFF_ERR_CREDENTIALS, "no credentials");
    asff_aws_free(a);
    /* With a callback, the code is asked for and STS is called (here nothing listens). */
    {
        asff_aws_options o = ASFF_AWS_OPTIONS_INIT;
        char c1[200], c2[200];
        int asked = 0;
        snprintf(c1, sizeof c1, "%s/config", dir);
        snprintf(c2, sizeof c2, "%s/credentials", dir);
        write_file(c1, "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = k\nmfa_serial = arn:mfa\n"
                       "duration_seconds = 3600\n");
        write_file(c2, "[k]\naws_access_key_id = AK\naws_secret_access_key = EXPLICIT-SECRET\n");
        o.config_file = c1;
        o.credentials_file = c2;
        o.profile = "a";
        o.mfa_callback = mfa_code;
        o.mfa_ctx = &asked;
        setenv("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:9", 1);
        a = new_aws(&o);
        expect_creds_error(a, ASFF_ERR_NETWORK, "AssumeRole");
        assert_int_equal(asked, 1);
        asff_aws_free(a);
        unsetenv("AWS_ENDPOINT_URL_STS");
        remove(c1);
        remove(c2);
    }
    /* Web identity without a role. */
    setenv("AWS_WEB_IDENTITY_TOKEN_FILE", json, 1);
    a = aws_on(dir, "", "", NULL, 0);
    expect_creds_error(a, ASFF_ERR_CREDENTIALS, "AWS_ROLE_ARN");
    asff_aws_free(a);
    unsetenv("AWS_WEB_IDENTITY_TOKEN_FILE");
    {
        char p[220];
        snprintf(p, sizeof p, "%s/config", dir);
        remove(p);
        snprintf(p, sizeof p, "%s/credentials", dir);
        remove(p);
    }
    remove(json);
    rmdir(dir);
}

/* Threads sharing a handle: every call refreshes (the clock is past the expiry), under the mutex.
 * The strings a call returns are valid until the next call by any thread, so the threads check the
 * status and the main thread the strings, once they are joined. */
typedef struct thread_arg {
    asff_aws *a;
    int failures;
} thread_arg;

static void *refresher(void *p)
{
    thread_arg *t = p;
    int i;
    for (i = 0; i < 10; i++) {
        asff_credentials c;
        asff_error err;
        if (asff_aws_credentials(t->a, 4200000000LL, &c, &err) != ASFF_OK || !c.access_key_id)
            t->failures++;
    }
    return NULL;
}

static void test_threads(void **state)
{
    char dir[] = "/tmp/asff-aws-XXXXXX", cfg[400], json[200];
    pthread_t th[4];
    thread_arg args[4];
    asff_aws *a;
    int i;
    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(json, sizeof json, "%s/out.json", dir);
    write_file(json, "{\"Version\": 1, \"AccessKeyId\": \"AKIDPROC\", \"SecretAccessKey\": \"PROC-SECRET\",\n"
                     " \"Expiration\": \"2099-12-31T23:59:59Z\"}\n");
    snprintf(cfg, sizeof cfg, "[profile p]\ncredential_process = /bin/cat %s\n", json);
    a = aws_on(dir, cfg, "", "p", 0);
    for (i = 0; i < 4; i++) {
        args[i].a = a;
        args[i].failures = 0;
        assert_int_equal(pthread_create(&th[i], NULL, refresher, &args[i]), 0);
    }
    for (i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(args[i].failures, 0);
    }
    {
        asff_credentials c;
        asff_error err;
        assert_int_equal(asff_aws_credentials(a, 4200000000LL, &c, &err), ASFF_OK);
        assert_string_equal(c.access_key_id, "AKIDPROC");
        assert_string_equal(c.secret_access_key, "PROC-SECRET");
    }
    asff_aws_free(a);
    snprintf(cfg, sizeof cfg, "%s/config", dir);
    remove(cfg);
    snprintf(cfg, sizeof cfg, "%s/credentials", dir);
    remove(cfg);
    remove(json);
    rmdir(dir);
}

/* Web identity: the token file is read again on every refresh (and not before). */
static void test_web_identity_refresh(void **state)
{
    char dir[] = "/tmp/asff-aws-XXXXXX", tok[200];
    asff_aws_options o = ASFF_AWS_OPTIONS_INIT;
    asff_credentials c;
    asff_error err;
    asff_aws *a;
    server s;
    int64_t now = (int64_t)time(NULL);
    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(tok, sizeof tok, "%s/token", dir);
    write_file(tok, "WEB-TOKEN-ONE\n");
    server_start_script(&s, ASFF_SOURCE_DIR "/tests/servers/sso_server.py", NULL, NULL);
    setenv("AWS_ENDPOINT_URL_STS", s.base, 1);
    setenv("AWS_WEB_IDENTITY_TOKEN_FILE", tok, 1);
    setenv("AWS_ROLE_ARN", "arn:aws:iam::444444444444:role/Irsa", 1);
    o.config_file = "/nonexistent/config";
    o.credentials_file = "/nonexistent/credentials";
    a = new_aws(&o);
    if (asff_aws_credentials(a, now, &c, &err) != ASFF_OK)
        fail_msg("web identity: %s", err.message);
    assert_string_equal(c.access_key_id, "ASIAWEBONE");
    assert_int_equal(asff_aws_credentials_source(a), ASFF_CREDS_WEB_IDENTITY);
    write_file(tok, "WEB-TOKEN-TWO\n");
    assert_int_equal(asff_aws_credentials(a, now + 60, &c, &err), ASFF_OK); /* still cached */
    assert_string_equal(c.access_key_id, "ASIAWEBONE");
    assert_int_equal(asff_aws_credentials(a, now + 3500, &c, &err), ASFF_OK); /* within the margin: refreshed */
    assert_string_equal(c.access_key_id, "ASIAWEBTWO");
    /* A token STS refuses: AWS code and request id, never the token. */
    write_file(tok, "BAD-TOKEN-VALUE\n");
    asff_error_clear(&err);
    assert_int_equal(asff_aws_credentials(a, now + 3 * 3600 + 7200, &c, &err), ASFF_ERR_AWS);
    assert_string_equal(err.aws_code, "AccessDenied");
    assert_string_equal(err.request_id, "req-denied-1");
    assert_null(strstr(err.message, "BAD-TOKEN"));
    asff_aws_free(a);
    server_stop(&s);
    unsetenv("AWS_ENDPOINT_URL_STS");
    remove(tok);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_ini_edges, setup),     cmocka_unit_test_setup(test_ini_errors, setup),
        cmocka_unit_test(test_ini_out_of_memory),  cmocka_unit_test(test_aws_out_of_memory),
        cmocka_unit_test(test_sso_out_of_memory),
        cmocka_unit_test_setup(test_deep_config_json, setup),
        cmocka_unit_test_setup(test_region_endpoint, setup), cmocka_unit_test_setup(test_chain_order, setup),
        cmocka_unit_test_setup(test_container, setup),     cmocka_unit_test_setup(test_imds, setup),
        cmocka_unit_test_setup(test_sts_xml, setup),       cmocka_unit_test_setup(test_service_endpoints, setup),
        cmocka_unit_test_setup(test_process_and_roles, setup),   cmocka_unit_test_setup(test_threads, setup),
        cmocka_unit_test_setup(test_web_identity_refresh, setup),
        cmocka_unit_test(test_no_secrets_anywhere),
    };
    int rc;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
