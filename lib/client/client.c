/* The Security Hub client: transport (libcurl), signing, retries, rate limits, operation bindings. */
#include <errno.h>
#include <string.h>
#include <time.h>
#include "http/libcurl.h"
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>
#include "asff/sigv4.h"
#include "client/client_internal.h"

/* ---- operations: generated from the model (lib/client/ops_tables.c) ---------------------------------- */

const char *asff_operation_name(asff_operation op)
{
    return (int)op >= 0 && op < ASFF_OP_COUNT ? asff__ops[op].name : NULL;
}

int asff_operation_find(const char *name)
{
    int i;
    if (!name)
        return -1;
    for (i = 0; i < ASFF_OP_COUNT; i++)
        if (asff__ops[i].name && strcmp(asff__ops[i].name, name) == 0)
            return i;
    return -1;
}

/* ---- hooks ----------------------------------------------------------------------------------------- */

static uint64_t sys_now_ms(void *ctx)
{
    struct timespec ts;
    (void)ctx;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void sys_sleep_ms(void *ctx, uint64_t ms)
{
    struct timespec ts;
    (void)ctx;
    ts.tv_sec = (time_t)(ms / 1000u);
    ts.tv_nsec = (long)(ms % 1000u) * 1000000L;
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* splitmix64: jitter needs spread, not secrecy. */
static uint64_t sys_random(void *ctx)
{
    uint64_t *state = ctx, z;
    z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint64_t client_now(asff_client *c)
{
    return c->hooks.now_ms ? c->hooks.now_ms(c->hooks.ctx) : sys_now_ms(NULL);
}

static void client_sleep(asff_client *c, uint64_t ms)
{
    if (!ms)
        return;
    c->stats.slept_ms += ms;
    if (c->hooks.sleep_ms)
        c->hooks.sleep_ms(c->hooks.ctx, ms);
    else
        sys_sleep_ms(NULL, ms);
}

static uint64_t client_random(asff_client *c)
{
    return c->hooks.random ? c->hooks.random(c->hooks.ctx) : sys_random(&c->rng);
}

/* ---- construction ---------------------------------------------------------------------------------- */

static char *dup_string(const asff_allocator *a, const char *s)
{
    size_t n;
    char *d;
    if (!s)
        return NULL;
    n = strlen(s);
    d = asff__malloc(a, n + 1);
    if (d)
        memcpy(d, s, n + 1);
    return d;
}

static size_t header_cb(char *data, size_t size, size_t n, void *ctx)
{
    asff_client *c = ctx;
    asff__http_header_line(&c->headers, data, size * n);
    return size * n;
}

static size_t write_cb(char *data, size_t size, size_t n, void *ctx)
{
    asff_client *c = ctx;
    size_t len = size * n;
    if (c->response.len + len > ASFF_CLIENT_MAX_RESPONSE) {
        c->response_too_large = true;
        return 0;
    }
    if (asff__buf_append(&c->response, data, len) != ASFF_OK)
        return 0;
    return len;
}

/* "/prefix/" + "/findings": the endpoint's path without its trailing slashes */
static size_t trimmed_len(const char *path)
{
    size_t n = strlen(path);
    while (n && path[n - 1] == '/')
        n--;
    return n;
}

static asff_status setup_curl(asff_client *c, const asff_client_options *o, bool http_ok, asff_error *err)
{
    CURLU *u;
    char *host = NULL, *port = NULL, *path = NULL;
    CURLUcode uc;
    asff_status st = asff__libcurl_load(err);
    if (st != ASFF_OK)
        return st;
    c->curl = curl_easy_init();
    if (!c->curl)
        return asff_error_set(err, ASFF_ERR_NOMEM, "curl_easy_init failed");
    u = curl_url();
    if (!u)
        return asff_error_set(err, ASFF_ERR_NOMEM, "out of memory");
    uc = curl_url_set(u, CURLUPART_URL, c->endpoint, 0);
    if (uc == CURLUE_OK)
        uc = curl_url_get(u, CURLUPART_HOST, &host, 0);
    if (uc == CURLUE_OK && curl_url_get(u, CURLUPART_PORT, &port, 0) != CURLUE_OK)
        port = NULL;
    if (uc == CURLUE_OK)
        uc = curl_url_get(u, CURLUPART_PATH, &path, 0);
    if (uc != CURLUE_OK) {
        curl_free(host);
        curl_free(port);
        curl_free(path);
        curl_url_cleanup(u);
        return asff__error_setf(err, ASFF_ERR_INVALID_ARG, "endpoint URL '%s' is malformed", c->endpoint);
    }
    c->https = strncmp(c->endpoint, "https://", 8) == 0;
    if (!c->https && !(http_ok && strncmp(c->endpoint, "http://", 7) == 0)) {
        curl_free(host);
        curl_free(port);
        curl_free(path);
        curl_url_cleanup(u);
        return asff__error_setf(err, ASFF_ERR_INVALID_ARG,
                               "endpoint '%s' is not https (plain http needs an endpoint override and allow_http)",
                               c->endpoint);
    }
    asff__buf_init(&c->host, c->alloc);
    asff__buf_init(&c->base_url, c->alloc);
    asff__buf_init(&c->base_path, c->alloc);
    if (asff__buf_appendf(&c->host, "%s%s%s", host, port ? ":" : "", port ? port : "") != ASFF_OK ||
        asff__buf_appendf(&c->base_url, "%s://%s", c->https ? "https" : "http", c->host.data) != ASFF_OK ||
        asff__buf_append(&c->base_path, path, trimmed_len(path)) != ASFF_OK) {
        curl_free(host);
        curl_free(port);
        curl_free(path);
        curl_url_cleanup(u);
        return asff_error_set(err, ASFF_ERR_NOMEM, "out of memory");
    }
    curl_free(host);
    curl_free(port);
    curl_free(path);
    curl_url_cleanup(u);

    curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(c->curl, CURLOPT_PROTOCOLS_STR, c->https ? "https" : "http");
#else
    curl_easy_setopt(c->curl, CURLOPT_PROTOCOLS, c->https ? (long)CURLPROTO_HTTPS : (long)CURLPROTO_HTTP);
#endif
    curl_easy_setopt(c->curl, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c->curl, CURLOPT_SSL_VERIFYHOST, 2L);
    if (o->ca_bundle)
        curl_easy_setopt(c->curl, CURLOPT_CAINFO, o->ca_bundle);
    curl_easy_setopt(c->curl, CURLOPT_CONNECTTIMEOUT_MS, o->connect_timeout_ms > 0 ? o->connect_timeout_ms : 10000L);
    curl_easy_setopt(c->curl, CURLOPT_TIMEOUT_MS, o->timeout_ms > 0 ? o->timeout_ms : 60000L);
    curl_easy_setopt(c->curl, CURLOPT_USERAGENT, "libasff/" ASFF_VERSION_STRING);
    curl_easy_setopt(c->curl, CURLOPT_HEADERFUNCTION, header_cb);
    curl_easy_setopt(c->curl, CURLOPT_HEADERDATA, c);
    curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, write_cb);
    curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, c);
    curl_easy_setopt(c->curl, CURLOPT_ERRORBUFFER, c->curl_error);
    /* A redirect would carry a signature made for another URL; Security Hub never redirects. */
    curl_easy_setopt(c->curl, CURLOPT_FOLLOWLOCATION, 0L);
    /* send the path as signed: no squashing of "/./" and "/../" (a label may hold dots, as botocore sends it) */
    curl_easy_setopt(c->curl, CURLOPT_PATH_AS_IS, 1L);
    return ASFF_OK;
}

asff_status asff_client_new(const asff_client_options *o, asff_client **out, asff_error *err)
{
    static const asff_client_options defaults = ASFF_CLIENT_OPTIONS_INIT;
    asff_aws_options ao = ASFF_AWS_OPTIONS_INIT;
    const asff_allocator *alloc;
    asff_client *c;
    asff_status st;
    char endpoint[ASFF_AWS_MAX_URL];
    bool is_override = false;
    int i;
    struct timespec ts;
    asff_error_clear(err);
    if (!out)
        return asff_error_set(err, ASFF_ERR_INVALID_ARG, "asff_client_new: out is NULL");
    *out = NULL;
    if (!o)
        o = &defaults;
    if ((o->version && o->version != ASFF_CLIENT_OPTIONS_VERSION))
        return asff__error_setf(err, ASFF_ERR_INVALID_ARG, "asff_client_options version %u is unknown", o->version);
    if (o->max_attempts > ASFF_CLIENT_MAX_ATTEMPTS)
        return asff__error_setf(err, ASFF_ERR_INVALID_ARG, "max_attempts %u is over the limit of %u",
                               o->max_attempts, ASFF_CLIENT_MAX_ATTEMPTS);
    alloc = asff__alloc_or_default(o->allocator);
    c = asff__malloc(alloc, sizeof *c);
    if (!c)
        return asff_error_set(err, ASFF_ERR_NOMEM, "out of memory");
    memset(c, 0, sizeof *c);
    c->alloc = alloc;
    c->hooks = o->hooks;
    clock_gettime(CLOCK_REALTIME, &ts);
    c->rng = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^ (uint64_t)(uintptr_t)c;
    c->max_attempts = o->max_attempts ? o->max_attempts : 3;
    c->base_ms = o->backoff_base_ms ? o->backoff_base_ms : 100;
    c->cap_ms = o->backoff_cap_ms ? o->backoff_cap_ms : 20000;
    asff__buf_init(&c->response, alloc);
    for (i = 0; i <= ASFF_OP_COUNT; i++) {
        c->buckets[i].rate = o->no_rate_limit ? 0 : (i < ASFF_OP_COUNT ? asff__ops[i].rate : 10);
        c->buckets[i].burst = i < ASFF_OP_COUNT ? asff__ops[i].burst : 30;
        c->buckets[i].tokens = c->buckets[i].burst;
        c->buckets[i].last_ms = 0;
        c->buckets[i].started = false;
    }
    for (i = 0; (size_t)i < o->rate_limit_count; i++) {
        const asff_rate_limit *rl = &o->rate_limits[i];
        if (asff_client_set_rate(c, rl->op, rl->rate, rl->burst) != ASFF_OK) {
            asff_client_free(c);
            return asff__error_setf(err, ASFF_ERR_INVALID_ARG, "rate_limits[%d]: unknown operation or burst < 1", i);
        }
    }
    if (o->aws)
        ao = *o->aws;
    if (o->region)
        ao.region = o->region;
    if (o->profile)
        ao.profile = o->profile;
    if (o->endpoint_url)
        ao.endpoint_url = o->endpoint_url;
    ao.allocator = alloc;
    st = asff_aws_new(&ao, &c->aws, err);
    if (st != ASFF_OK) {
        asff_client_free(c);
        return st;
    }
    if (!asff_aws_region(c->aws)) {
        asff_client_free(c);
        return asff_error_set(err, ASFF_ERR_INVALID_ARG,
                              "no region: set options.region (asff: --region), AWS_REGION or the profile's region");
    }
    c->region = dup_string(alloc, asff_aws_region(c->aws));
    st = asff_aws_endpoint(c->aws, NULL, endpoint, sizeof endpoint, &is_override, err);
    if (st != ASFF_OK) {
        asff_client_free(c);
        return st;
    }
    c->endpoint = dup_string(alloc, endpoint);
    if (!c->region || !c->endpoint) {
        asff_client_free(c);
        return asff_error_set(err, ASFF_ERR_NOMEM, "out of memory");
    }
    {
        asff_sigv4_options so = ASFF_SIGV4_OPTIONS_INIT;
        so.allocator = alloc;
        (void)asff_sigv4_new(&so, &c->signer, NULL);
        if (!c->signer) {
            asff_client_free(c);
            return asff_error_set(err, ASFF_ERR_NOMEM, "out of memory");
        }
    }
    st = setup_curl(c, o, o->allow_http && is_override, err);
    if (st != ASFF_OK) {
        asff_client_free(c);
        return st;
    }
    *out = c;
    return ASFF_OK;
}

void asff_client_free(asff_client *c)
{
    if (!c)
        return;
    if (c->curl)
        curl_easy_cleanup(c->curl);
    asff_sigv4_free(c->signer);
    asff_aws_free(c->aws);
    asff__buf_cleanup(&c->response);
    asff__buf_cleanup(&c->host);
    asff__buf_cleanup(&c->base_url);
    asff__buf_cleanup(&c->base_path);
    asff__free(c->alloc, c->region);
    asff__free(c->alloc, c->endpoint);
    asff__secrets_clear(&c->secrets, c->alloc);
    asff__free(c->alloc, c);
}

const char *asff_client_region(const asff_client *c)
{
    return c ? c->region : NULL;
}

const char *asff_client_endpoint(const asff_client *c)
{
    return c ? c->endpoint : NULL;
}

asff_status asff_client_set_rate(asff_client *c, asff_operation op, double rate, double burst)
{
    if (!c || (int)op < 0 || op > ASFF_OP_COUNT)
        return ASFF_ERR_INVALID_ARG;
    if (rate > 0 && burst < 1)
        return ASFF_ERR_INVALID_ARG;
    c->buckets[op].rate = rate > 0 ? rate : 0;
    c->buckets[op].burst = burst;
    c->buckets[op].tokens = burst;
    c->buckets[op].started = false;
    return ASFF_OK;
}

void asff_client_get_stats(const asff_client *c, asff_client_stats *out)
{
    if (c && out)
        *out = c->stats;
}

void asff_response_cleanup(asff_client *c, asff_response *r)
{
    if (!r)
        return;
    if (c)
        asff__free(c->alloc, r->body);
    memset(r, 0, sizeof *r);
}

/* ---- rate limiter: a token bucket per operation ---------------------------------------------------- */

static void take_token(asff_client *c, int op)
{
    asff_bucket *b = &c->buckets[op];
    uint64_t now;
    if (b->rate <= 0)
        return;
    now = client_now(c);
    if (!b->started) {
        b->started = true;
        b->last_ms = now;
    }
    b->tokens += (double)(now - b->last_ms) * b->rate / 1000.0;
    if (b->tokens > b->burst)
        b->tokens = b->burst;
    b->last_ms = now;
    if (b->tokens < 1.0) {
        /* wait until one token has accrued; round up so that we never come back early */
        uint64_t wait = (uint64_t)((1.0 - b->tokens) * 1000.0 / b->rate) + 1;
        client_sleep(c, wait);
        now = client_now(c);
        b->tokens += (double)(now - b->last_ms) * b->rate / 1000.0;
        b->last_ms = now;
        if (b->tokens > b->burst)
            b->tokens = b->burst;
        if (b->tokens < 1.0)
            b->tokens = 1.0; /* an injected clock that does not move: go on anyway */
    }
    b->tokens -= 1.0;
}

/* ---- one attempt ------------------------------------------------------------------------------------ */

static asff_status curl_status(CURLcode cc, asff_client *c, asff_error *err)
{
    asff_status st;
    switch (cc) {
    case CURLE_OPERATION_TIMEDOUT:
        st = ASFF_ERR_TIMEOUT;
        break;
    case CURLE_WRITE_ERROR:
        st = c->response_too_large ? ASFF_ERR_LIMIT : ASFF_ERR_NOMEM;
        break;
    case CURLE_OUT_OF_MEMORY:
        st = ASFF_ERR_NOMEM;
        break;
    default:
        st = ASFF_ERR_NETWORK;
    }
    asff_error_clear(err);
    if (st == ASFF_ERR_LIMIT)
        return asff__error_setf(err, st, "response body over the limit of %u bytes", ASFF_CLIENT_MAX_RESPONSE);
    return asff__error_setf(err, st, "%s: %s", curl_easy_strerror(cc), c->curl_error[0] ? c->curl_error : "");
}

/* Network errors after which a retry may succeed (not TLS verification, not a bad URL). */
static bool curl_retryable(CURLcode cc)
{
    switch (cc) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
        return true;
    default:
        return false;
    }
}

static asff_status attempt(asff_client *c, const char *method, const char *path, const char *query,
                           const char *body, size_t body_len, bool *retryable, asff_error *err)
{
    asff_credentials creds;
    asff_sigv4_request req = ASFF_SIGV4_REQUEST_INIT;
    asff_sigv4_header in[2];
    const asff_sigv4_header *add;
    size_t nadd = 0, i;
    struct curl_slist *hl = NULL, *tmp;
    asff_buf line, url;
    asff_status st;
    CURLcode cc;
    bool has_body = body && body_len;
    *retryable = false;
    st = asff_aws_credentials(c->aws, 0, &creds, err);
    if (st != ASFF_OK)
        return st;
    /* what a server says back is redacted of these (an echoed token must not reach a log) */
    if (asff__secrets_add(&c->secrets, c->alloc, creds.secret_access_key,
                          creds.secret_access_key ? strlen(creds.secret_access_key) : 0) != ASFF_OK ||
        asff__secrets_add(&c->secrets, c->alloc, creds.session_token,
                          creds.session_token ? strlen(creds.session_token) : 0) != ASFF_OK)
        return asff_error_set(err, ASFF_ERR_NOMEM, "out of memory");
    in[0].name = "host";
    in[0].name_len = 4;
    in[0].value = c->host.data;
    in[0].value_len = c->host.len;
    in[1].name = "content-type";
    in[1].name_len = 12;
    in[1].value = "application/json";
    in[1].value_len = 16;
    req.method = method;
    req.path = path;
    req.path_len = strlen(path);
    req.query = query;
    req.query_len = query ? strlen(query) : 0;
    req.headers = in;
    req.header_count = has_body ? 2 : 1;
    req.body = body;
    req.body_len = has_body ? body_len : 0;
    st = asff_sigv4_sign(c->signer, &req, &creds, c->region, "securityhub", (int64_t)time(NULL), err);
    if (st != ASFF_OK)
        return st;
    add = asff_sigv4_headers(c->signer, &nadd);

    asff__buf_init(&line, c->alloc);
    asff__buf_init(&url, c->alloc);
    st = asff__buf_appendf(&url, "%s%s%s%s", c->base_url.data, path, query && query[0] ? "?" : "",
                          query && query[0] ? query : "");
    if (st == ASFF_OK)
        st = asff__buf_appendf(&line, "Host: %s", c->host.data);
    if (st == ASFF_OK && (tmp = curl_slist_append(hl, line.data)) != NULL)
        hl = tmp;
    else
        st = ASFF_ERR_NOMEM;
    if (st == ASFF_OK && has_body) {
        tmp = curl_slist_append(hl, "Content-Type: application/json");
        hl = tmp ? tmp : hl;
        st = tmp ? ASFF_OK : ASFF_ERR_NOMEM;
    }
    if (st == ASFF_OK) {
        /* no "Expect: 100-continue" round trip for large bodies */
        tmp = curl_slist_append(hl, "Expect:");
        hl = tmp ? tmp : hl;
        st = tmp ? ASFF_OK : ASFF_ERR_NOMEM;
    }
    for (i = 0; st == ASFF_OK && i < nadd; i++) {
        if (add[i].name_len == 4 && strncmp(add[i].name, "host", 4) == 0)
            continue;
        asff__buf_reset(&line);
        st = asff__buf_append(&line, add[i].name, add[i].name_len);
        if (st == ASFF_OK)
            st = asff__buf_append(&line, ": ", 2);
        if (st == ASFF_OK)
            st = asff__buf_append(&line, add[i].value, add[i].value_len);
        if (st == ASFF_OK) {
            tmp = curl_slist_append(hl, line.data);
            hl = tmp ? tmp : hl;
            st = tmp ? ASFF_OK : ASFF_ERR_NOMEM;
        }
    }
    /* the line buffer held the session token: wipe it */
    if (line.data)
        memset(line.data, 0, line.cap);
    asff__buf_cleanup(&line);
    if (st != ASFF_OK) {
        curl_slist_free_all(hl);
        asff__buf_cleanup(&url);
        return asff_error_set(err, ASFF_ERR_NOMEM, "out of memory");
    }

    asff__buf_reset(&c->response);
    memset(&c->headers, 0, sizeof c->headers);
    c->response_too_large = false;
    c->curl_error[0] = '\0';
    curl_easy_setopt(c->curl, CURLOPT_URL, url.data);
    curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(c->curl, CURLOPT_NOBODY, 0L);
    if (strcmp(method, "GET") == 0 && !has_body) {
        curl_easy_setopt(c->curl, CURLOPT_CUSTOMREQUEST, NULL);
        curl_easy_setopt(c->curl, CURLOPT_HTTPGET, 1L);
    } else {
        curl_easy_setopt(c->curl, CURLOPT_POST, 1L);
        curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, has_body ? body : "");
        curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(has_body ? body_len : 0));
        curl_easy_setopt(c->curl, CURLOPT_CUSTOMREQUEST, strcmp(method, "POST") == 0 ? NULL : method);
    }
    c->stats.attempts++;
    cc = curl_easy_perform(c->curl);
    curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, NULL);
    curl_slist_free_all(hl);
    asff__buf_cleanup(&url);
    if (cc != CURLE_OK) {
        *retryable = curl_retryable(cc);
        return curl_status(cc, c, err);
    }
    {
        long code = 0;
        curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &code);
        c->headers.status = (int)code;
    }
    st = asff__parse_error(c->alloc, &c->secrets, c->headers.status, c->headers.error_type, c->headers.request_id,
                           c->response.data, c->response.len, err);
    if (st == ASFF_ERR_THROTTLED)
        c->stats.throttled++;
    *retryable = st != ASFF_OK && asff_client_is_retryable(err);
    return st;
}

/* A call: pace, attempt, back off and retry as the SDKs' standard mode does. */
asff_status asff__client_send_checked(asff_client *c, int op, const char *method, const char *path,
                                      const char *query, const char *body, size_t body_len, asff__check_fn check,
                                      void *check_ctx, asff_response *out, asff_error *err)
{
    unsigned n;
    asff_status st = ASFF_OK;
    asff_error local;
    asff_error *e = err ? err : &local;
    bool retryable = false;
    asff_error_clear(e);
    if (out)
        memset(out, 0, sizeof *out);
    c->stats.calls++;
    for (n = 1; n <= c->max_attempts; n++) {
        if (n > 1) {
            c->stats.retries++;
            client_sleep(c, asff_client_backoff_ms(n - 1, c->base_ms, c->cap_ms, client_random(c)));
        }
        take_token(c, op);
        st = attempt(c, method, path, query, body, body_len, &retryable, e);
        if (st != ASFF_OK)
            asff__redact_error(e, &c->secrets);
        if (st == ASFF_OK && check) {
            /* a 2xx whose body is not the operation's answer: an error of the call, like a 5xx */
            int status = c->headers.status;
            char rid[ASFF_ERROR_AWS_SIZE];
            asff__copy_string(rid, sizeof rid, c->headers.request_id);
            st = check(check_ctx, c->response.len ? c->response.data : "", c->response.len, e);
            if (st != ASFF_OK) {
                e->http_status = status;
                asff__copy_string(e->request_id, sizeof e->request_id, rid);
                if (st != ASFF_ERR_NOMEM)
                    asff__copy_string(e->aws_code, sizeof e->aws_code, "InvalidResponse");
                asff__redact_error(e, &c->secrets);
            }
            retryable = st != ASFF_ERR_NOMEM;
        }
        if (st == ASFF_OK || !retryable)
            break;
    }
    if (st == ASFF_OK && out) {
        out->body = asff__malloc(c->alloc, c->response.len + 1);
        if (!out->body)
            return asff_error_set(err, ASFF_ERR_NOMEM, "out of memory");
        memcpy(out->body, c->response.len ? c->response.data : "", c->response.len);
        out->body[c->response.len] = '\0';
        out->len = c->response.len;
        out->http_status = c->headers.status;
        asff__redact_into(out->request_id, sizeof out->request_id, c->headers.request_id,
                          strlen(c->headers.request_id), &c->secrets);
    } else if (st != ASFF_OK && n > 1 && e->message[0]) {
        char msg[ASFF_ERROR_MESSAGE_SIZE];
        asff__copy_string(msg, sizeof msg, e->message);
        /* keep the AWS fields; say how many attempts were made */
        asff__error_setf(e, st, "%s (after %u attempts)", msg, n > c->max_attempts ? c->max_attempts : n);
    }
    return st;
}

asff_status asff__client_send(asff_client *c, int op, const char *method, const char *path, const char *query,
                             const char *body, size_t body_len, asff_response *out, asff_error *err)
{
    return asff__client_send_checked(c, op, method, path, query, body, body_len, NULL, NULL, out, err);
}

asff_status asff_client_call(asff_client *c, const char *method, const char *path, const char *query,
                             const char *body, size_t body_len, asff_response *out, asff_error *err)
{
    asff_status st;
    asff_buf full;
    asff_error_clear(err);
    if (out)
        memset(out, 0, sizeof *out);
    if (!c || !method || !method[0] || !path || path[0] != '/')
        return asff_error_set(err, ASFF_ERR_INVALID_ARG, "asff_client_call: needs a client, a method and a "
                                                         "path starting with '/'");
    asff__buf_init(&full, c->alloc);
    if (asff__buf_appendf(&full, "%s%s", ASFF_BASE_PATH(c), path) != ASFF_OK)
        return asff_error_set(err, ASFF_ERR_NOMEM, "out of memory");
    st = asff__client_send(c, ASFF_OP_COUNT, method, full.data, query, body, body_len, out, err);
    asff__buf_cleanup(&full);
    return st;
}

/* ---- JSON helpers ------------------------------------------------------------------------------------- */

bool asff__client_gen_value(yajl_gen g, yajl_val v)
{
    size_t i;
    switch (v->type) {
    case yajl_t_string:
        return yajl_gen_string(g, (const unsigned char *)v->u.string, strlen(v->u.string)) == yajl_gen_status_ok;
    case yajl_t_number:
        return yajl_gen_number(g, v->u.number.r, strlen(v->u.number.r)) == yajl_gen_status_ok;
    case yajl_t_true:
        return yajl_gen_bool(g, 1) == yajl_gen_status_ok;
    case yajl_t_false:
        return yajl_gen_bool(g, 0) == yajl_gen_status_ok;
    case yajl_t_null:
        return yajl_gen_null(g) == yajl_gen_status_ok;
    case yajl_t_object:
        if (yajl_gen_map_open(g) != yajl_gen_status_ok)
            return false;
        for (i = 0; i < v->u.object.len; i++)
            if (yajl_gen_string(g, (const unsigned char *)v->u.object.keys[i], strlen(v->u.object.keys[i])) !=
                    yajl_gen_status_ok ||
                !asff__client_gen_value(g, v->u.object.values[i]))
                return false;
        return yajl_gen_map_close(g) == yajl_gen_status_ok;
    case yajl_t_array:
        if (yajl_gen_array_open(g) != yajl_gen_status_ok)
            return false;
        for (i = 0; i < v->u.array.len; i++)
            if (!asff__client_gen_value(g, v->u.array.values[i]))
                return false;
        return yajl_gen_array_close(g) == yajl_gen_status_ok;
    default:
        return false;
    }
}
