/* Shared pieces of the commands that talk to Security Hub (import, export, hub, members, actions,
 * tags): the global options --region, --profile, --endpoint-url, client construction and error
 * printing. Static functions: each command file includes this header once. */
#ifndef ASFF_CLIENT_CLI_H
#define ASFF_CLIENT_CLI_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "http/libcurl.h"
#include <yajl/yajl_gen.h>
#include "asff/client.h"
#include "cli.h"

typedef struct cli_aws {
    const char *region;
    const char *profile;
    const char *endpoint_url;
    long timeout_ms; /* --timeout, 0: the library's default */
} cli_aws;

#define CLI_AWS_HELP \
    "  --region R          AWS region (else AWS_REGION, AWS_DEFAULT_REGION, the profile's region)\n" \
    "  --profile P         profile of the shared config files (else AWS_PROFILE or default)\n" \
    "  --endpoint-url URL  endpoint override (http:// allowed only here, for local tests)\n" \
    "  --timeout SECONDS   give up on one HTTP request after this long (default 60)\n"

/* True when v is an http(s) URL with a host (an empty or malformed override must never fall back to
 * the real endpoint). */
static inline bool cli_endpoint_ok(const char *v)
{
    CURLU *u;
    char *scheme = NULL, *host = NULL;
    const char *sep = strstr(v, "://");
    bool ok;
    if (asff__libcurl_load(NULL) != ASFF_OK)
        return true; /* making the client fails next, with the reason: no request is made */
    u = curl_url();
    /* curl reads "https:///x" as host "x": an empty authority is refused here first */
    ok = u && sep && sep[3] && sep[3] != '/' && curl_url_set(u, CURLUPART_URL, v, 0) == CURLUE_OK &&
              curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
              curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK && host[0] &&
              (strcmp(scheme, "http") == 0 || strcmp(scheme, "https") == 0);
    curl_free(scheme);
    curl_free(host);
    curl_url_cleanup(u);
    return ok;
}

/* Take --region/--profile/--endpoint-url/--timeout (anywhere) out of argv; argc is updated. -1 when
 * one lacks its value or has a bad one (message printed: a usage error). */
static inline int cli_take_aws(int *argc, char **argv, cli_aws *g)
{
    int i, o = 1;
    memset(g, 0, sizeof *g);
    for (i = 1; i < *argc; i++) {
        const char **slot = NULL, *timeout = NULL;
        if (strcmp(argv[i], "--region") == 0)
            slot = &g->region;
        else if (strcmp(argv[i], "--profile") == 0)
            slot = &g->profile;
        else if (strcmp(argv[i], "--endpoint-url") == 0)
            slot = &g->endpoint_url;
        else if (strcmp(argv[i], "--timeout") == 0)
            slot = &timeout;
        if (!slot) {
            argv[o++] = argv[i];
            continue;
        }
        if (i + 1 >= *argc) {
            fprintf(stderr, "asff: %s needs a value\n", argv[i]);
            return -1;
        }
        *slot = argv[++i];
        if (slot == &g->endpoint_url && !cli_endpoint_ok(*slot)) {
            char b[CLI_SHOW];
            fprintf(stderr, "asff: --endpoint-url: '%s' is not an http:// or https:// URL with a host\n",
                    cli_show(b, sizeof b, *slot));
            return -1;
        }
        if ((slot == &g->region || slot == &g->profile) && !**slot) {
            fprintf(stderr, "asff: %s: the value is empty\n", argv[i - 1]);
            return -1;
        }
        if (timeout) {
            char *end;
            double t;
            errno = 0;
            t = strtod(timeout, &end);
            if (errno || end == timeout || *end || !(t > 0) || t > 86400) {
                char b[CLI_SHOW];
                fprintf(stderr, "asff: --timeout: '%s' is not a number of seconds (0 < N <= 86400)\n",
                        cli_show(b, sizeof b, timeout));
                return -1;
            }
            g->timeout_ms = (long)(t * 1000) > 0 ? (long)(t * 1000) : 1;
        }
    }
    *argc = o;
    argv[o] = NULL;
    return 0;
}

/* "asff: WHAT: message [code, HTTP n, request id r]": every field escaped, bounded, and only when set. */
static inline void cli_client_error(const char *what, const asff_error *e)
{
    char w[CLI_SHOW], m[ASFF_ERROR_MESSAGE_SIZE * 2], code[CLI_SHOW], rid[CLI_SHOW];
    const char *sep = "";
    fprintf(stderr, "asff: %s: %s", cli_show(w, sizeof w, what),
            cli_show(m, sizeof m, e->message[0] ? e->message : asff_status_message(e->code)));
    if (e->aws_code[0] || e->http_status || e->request_id[0]) {
        fprintf(stderr, " [");
        if (e->aws_code[0]) {
            fprintf(stderr, "%s", cli_show(code, sizeof code, e->aws_code));
            sep = ", ";
        }
        if (e->http_status) {
            fprintf(stderr, "%sHTTP %d", sep, e->http_status);
            sep = ", ";
        }
        if (e->request_id[0])
            fprintf(stderr, "%srequest id %s", sep, cli_show(rid, sizeof rid, e->request_id));
        fprintf(stderr, "]");
    }
    fprintf(stderr, "\n");
}

/* Exit code for a failed client call: usage for a bad filter or argument, 3 for everything else
 * (network, credentials, HTTP and AWS errors, as the help says). */
static inline int cli_client_exit(asff_status st)
{
    return st == ASFF_ERR_FILTER || st == ASFF_ERR_INVALID_ARG ? ASFF_EXIT_USAGE : ASFF_EXIT_IO;
}

/* "asff CMD: unknown option or missing value 'ARG' (asff CMD --help)": a usage error naming the
 * argument. Returns ASFF_EXIT_USAGE. */
static inline int cli_bad_arg(const char *cmd, const char *arg)
{
    char b[CLI_SHOW];
    fprintf(stderr, "asff %s: unknown option, bad value or missing value: '%s' (asff %s --help)\n", cmd,
            cli_show(b, sizeof b, arg), cmd);
    return ASFF_EXIT_USAGE;
}

/* A client for g (region: region when non-NULL); NULL after printing the error. */
static inline asff_client *cli_make_client(const cli_aws *g, const char *region)
{
    asff_client_options o = ASFF_CLIENT_OPTIONS_INIT;
    asff_client *c = NULL;
    asff_error e = CLI_ERROR_INIT;
    o.region = region ? region : g->region;
    o.profile = g->profile;
    o.endpoint_url = g->endpoint_url;
    o.timeout_ms = g->timeout_ms;
    if (g->timeout_ms && g->timeout_ms < 10000)
        o.connect_timeout_ms = g->timeout_ms; /* the connection within the whole request's time */
    /* the library allows http only for an endpoint override; asking for one is explicit enough */
    o.allow_http = true;
    if (asff_client_new(&o, &c, &e) != ASFF_OK) {
        cli_client_error("client", &e);
        return NULL;
    }
    return c;
}

/* Print a server's JSON response on out as one line, re-generated (cli_json_copy): no raw server
 * byte reaches the output. false (message printed) when the body is not JSON. */
static inline bool cli_print_response(FILE *out, const char *what, const char *body, size_t len)
{
    yajl_gen g;
    const unsigned char *buf;
    size_t n;
    if (len == 0) {
        fputs("{}\n", out);
        return true;
    }
    g = yajl_gen_alloc(cli_yajl_funcs());
    if (!g || !cli_json_copy(g, body, len)) {
        char w[CLI_SHOW];
        fprintf(stderr, "asff: %s: the response is not JSON (%zu bytes)\n", cli_show(w, sizeof w, what), len);
        if (g)
            yajl_gen_free(g);
        return false;
    }
    yajl_gen_get_buf(g, &buf, &n);
    cli_put_json(out, (const char *)buf, n);
    fputc('\n', out);
    yajl_gen_free(g);
    return true;
}

/* Invoke op with input (JSON text or NULL) and print the response body on stdout. Exit code. */
static inline int cli_invoke_print(asff_client *c, asff_operation op, const char *input)
{
    asff_response r;
    asff_error e = CLI_ERROR_INIT;
    asff_status st;
    int rc = ASFF_EXIT_OK;
    if ((st = asff_client_invoke(c, op, input, input ? strlen(input) : 0, &r, &e)) != ASFF_OK) {
        cli_client_error(asff_operation_name(op), &e);
        return cli_client_exit(st);
    }
    if (!cli_print_response(stdout, asff_operation_name(op), r.body, r.len))
        rc = ASFF_EXIT_IO;
    asff_response_cleanup(c, &r);
    return rc;
}

/* --dry-run of import, update and rollout: one stdout line per call that would be made, then the
 * totals (docs/cli.md). account is NULL when unknown (printed "-"). */
typedef struct cli_tally {
    uint64_t calls, findings, bytes;
} cli_tally;

static inline void cli_tally_call(cli_tally *t, const char *operation, const char *region, const char *account,
                                  uint64_t findings, uint64_t bytes)
{
    char r[CLI_SHOW];
    printf("%s region=%s account=%s findings=%llu bytes=%llu\n", operation, cli_show(r, sizeof r, region ? region : "-"),
           account ? account : "-", (unsigned long long)findings, (unsigned long long)bytes);
    t->calls++;
    t->findings += findings;
    t->bytes += bytes;
}

static inline void cli_tally_print(const cli_tally *t)
{
    printf("%llu calls, %llu findings, %llu bytes\n", (unsigned long long)t->calls, (unsigned long long)t->findings,
           (unsigned long long)t->bytes);
}

/* yajl_gen shorthands for building request bodies. */
static inline void cli_gen_str(yajl_gen g, const char *s)
{
    yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

static inline void cli_gen_kv(yajl_gen g, const char *k, const char *v)
{
    cli_gen_str(g, k);
    cli_gen_str(g, v);
}

/* The generator's text, NUL-terminated, owned by g. */
static inline const char *cli_gen_text(yajl_gen g)
{
    const unsigned char *buf;
    size_t len;
    yajl_gen_get_buf(g, &buf, &len);
    return (const char *)buf;
}

#endif
