/* Shared pieces of the commands that talk to Security Hub (import, export, hub, members, actions,
 * tags): the global options --region, --profile, --endpoint-url, client construction and error
 * printing. Static functions: each command file includes this header once. */
#ifndef ASFF_CLIENT_CLI_H
#define ASFF_CLIENT_CLI_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>
#include "asff/client.h"
#include "cli.h"

typedef struct cli_aws {
    const char *region;
    const char *profile;
    const char *endpoint_url;
} cli_aws;

#define CLI_AWS_HELP \
    "  --region R          AWS region (else AWS_REGION, AWS_DEFAULT_REGION, the profile's region)\n" \
    "  --profile P         profile of the shared config files (else AWS_PROFILE or default)\n" \
    "  --endpoint-url URL  endpoint override (http:// allowed only here, for local tests)\n"

/* Take --region/--profile/--endpoint-url (anywhere) out of argv; argc is updated. -1 when one lacks
 * its value (message printed). */
static inline int cli_take_aws(int *argc, char **argv, cli_aws *g)
{
    int i, o = 1;
    memset(g, 0, sizeof *g);
    for (i = 1; i < *argc; i++) {
        const char **slot = NULL;
        if (strcmp(argv[i], "--region") == 0)
            slot = &g->region;
        else if (strcmp(argv[i], "--profile") == 0)
            slot = &g->profile;
        else if (strcmp(argv[i], "--endpoint-url") == 0)
            slot = &g->endpoint_url;
        if (!slot) {
            argv[o++] = argv[i];
            continue;
        }
        if (i + 1 >= *argc) {
            fprintf(stderr, "asff: %s needs a value\n", argv[i]);
            return -1;
        }
        *slot = argv[++i];
    }
    *argc = o;
    argv[o] = NULL;
    return 0;
}

static inline void cli_client_error(const char *what, const asff_error *e)
{
    fprintf(stderr, "asff: %s: %s", what, e->message);
    if (e->aws_code[0] || e->http_status || e->request_id[0]) {
        fprintf(stderr, " [");
        if (e->aws_code[0])
            fprintf(stderr, "%s", e->aws_code);
        if (e->http_status)
            fprintf(stderr, "%sHTTP %d", e->aws_code[0] ? ", " : "", e->http_status);
        if (e->request_id[0])
            fprintf(stderr, ", request id %s", e->request_id);
        fprintf(stderr, "]");
    }
    fprintf(stderr, "\n");
}

/* A client for g (region: region when non-NULL); NULL after printing the error. */
static inline asff_client *cli_make_client(const cli_aws *g, const char *region)
{
    asff_client_options o = ASFF_CLIENT_OPTIONS_INIT;
    asff_client *c = NULL;
    asff_error e;
    o.region = region ? region : g->region;
    o.profile = g->profile;
    o.endpoint_url = g->endpoint_url;
    /* the library allows http only for an endpoint override; asking for one is explicit enough */
    o.allow_http = true;
    if (asff_client_new(&o, &c, &e) != ASFF_OK) {
        cli_client_error("client", &e);
        return NULL;
    }
    return c;
}

/* Invoke op with input (JSON text or NULL) and print the response body on stdout. Exit code. */
static inline int cli_invoke_print(asff_client *c, asff_operation op, const char *input)
{
    asff_response r;
    asff_error e;
    if (asff_client_invoke(c, op, input, input ? strlen(input) : 0, &r, &e) != ASFF_OK) {
        cli_client_error(asff_operation_name(op), &e);
        return ASFF_EXIT_IO;
    }
    fwrite(r.body, 1, r.len, stdout);
    if (!r.len || r.body[r.len - 1] != '\n')
        fputc('\n', stdout);
    asff_response_cleanup(c, &r);
    return ASFF_EXIT_OK;
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
