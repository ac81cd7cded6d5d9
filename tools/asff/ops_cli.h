/* Pieces shared by the commands built on asff_client_call_op (call, update, standards, controls,
 * history): responses are printed re-serialized (control characters escaped, UTF-8 checked), never
 * raw, since they are a third party's bytes. Static functions: include once per command file. */
#ifndef ASFF_OPS_CLI_H
#define ASFF_OPS_CLI_H

#include <yajl/yajl_parse.h>
#include "client_cli.h"

static int oj_null(void *g) { return yajl_gen_null(g) == yajl_gen_status_ok; }
static int oj_bool(void *g, int b) { return yajl_gen_bool(g, b) == yajl_gen_status_ok; }
static int oj_num(void *g, const char *s, size_t l) { return yajl_gen_number(g, s, l) == yajl_gen_status_ok; }
static int oj_str(void *g, const unsigned char *s, size_t l) { return yajl_gen_string(g, s, l) == yajl_gen_status_ok; }
static int oj_om(void *g) { return yajl_gen_map_open(g) == yajl_gen_status_ok; }
static int oj_cm(void *g) { return yajl_gen_map_close(g) == yajl_gen_status_ok; }
static int oj_oa(void *g) { return yajl_gen_array_open(g) == yajl_gen_status_ok; }
static int oj_ca(void *g) { return yajl_gen_array_close(g) == yajl_gen_status_ok; }

/* Print JSON text compact on one line, re-serialized by yajl; "{}" for an empty body. False (and a
 * message) when the text is not JSON. */
static inline bool ops_print_json(FILE *out, const char *text, size_t len)
{
    static const yajl_callbacks cb = {oj_null, oj_bool, NULL, NULL, oj_num, oj_str, oj_om, oj_str, oj_cm, oj_oa, oj_ca};
    yajl_gen g = yajl_gen_alloc(cli_yajl_funcs());
    yajl_handle h;
    const unsigned char *buf;
    size_t n;
    bool ok;
    if (!len) {
        fputs("{}\n", out);
        yajl_gen_free(g);
        return true;
    }
    yajl_gen_config(g, yajl_gen_validate_utf8, 1);
    h = yajl_alloc(&cb, cli_yajl_funcs(), g);
    ok = yajl_parse(h, (const unsigned char *)text, len) == yajl_status_ok && yajl_complete_parse(h) == yajl_status_ok;
    if (ok) {
        yajl_gen_get_buf(g, &buf, &n);
        fwrite(buf, 1, n, out);
        fputc('\n', out);
    } else {
        fprintf(stderr, "asff: the response is not valid JSON (%zu bytes, not shown)\n", len);
    }
    yajl_free(h);
    yajl_gen_free(g);
    return ok;
}

/* Call operation with input and print the response. Exit code. */
static inline int ops_call_print(asff_client *c, const char *operation, const char *input)
{
    asff_response r;
    asff_error e;
    bool ok;
    if (asff_client_call_op(c, operation, input, input ? strlen(input) : 0, &r, &e) != ASFF_OK) {
        cli_client_error(operation, &e);
        if (e.code == ASFF_ERR_INVALID_ARG && e.path[0])
            fprintf(stderr, "asff: %s: request member at %s\n", operation, e.path);
        return e.code == ASFF_ERR_INVALID_ARG ? ASFF_EXIT_USAGE : ASFF_EXIT_IO;
    }
    ok = ops_print_json(stdout, r.body, r.len);
    asff_response_cleanup(c, &r);
    return ok ? ASFF_EXIT_OK : ASFF_EXIT_IO;
}

static int ops_page_print(void *ctx, const asff_response *page, uint64_t n)
{
    (void)ctx;
    (void)n;
    return ops_print_json(stdout, page->body, page->len) ? 0 : 1;
}

static int ops_item_print(void *ctx, const char *item, size_t len)
{
    (void)ctx;
    return ops_print_json(stdout, item, len) ? 0 : 1;
}

/* Every page of a paginated operation: one JSON line per page, or per item of the result list. */
static inline int ops_paginate_print(asff_client *c, const char *operation, const char *input, bool items)
{
    asff_error e;
    if (asff_client_paginate(c, operation, input, input ? strlen(input) : 0, items ? NULL : ops_page_print,
                             items ? ops_item_print : NULL, NULL, NULL, &e) != ASFF_OK) {
        cli_client_error(operation, &e);
        if (e.code == ASFF_ERR_INVALID_ARG && e.path[0])
            fprintf(stderr, "asff: %s: request member at %s\n", operation, e.path);
        return e.code == ASFF_ERR_INVALID_ARG ? ASFF_EXIT_USAGE : ASFF_EXIT_IO;
    }
    return ASFF_EXIT_OK;
}

/* A client for the command's global options, then one call or pager printed; the exit code. */
static inline int ops_run(const cli_aws *g, const char *operation, const char *input, bool paginate_items)
{
    asff_client *c = cli_make_client(g, NULL);
    int rc;
    if (!c)
        return ASFF_EXIT_IO;
    rc = paginate_items ? ops_paginate_print(c, operation, input, true) : ops_call_print(c, operation, input);
    asff_client_free(c);
    return rc;
}

/* The start of a command with actions: the AWS options taken, --help anywhere, an action named. -1 to
 * go on; otherwise the exit code. */
static inline int ops_start(int *argc, char **argv, cli_aws *g, void (*usage)(FILE *), const char *cmd,
                            const char *actions)
{
    int i;
    if (cli_take_aws(argc, argv, g) != 0)
        return ASFF_EXIT_USAGE;
    for (i = 1; i < *argc; i++)
        if (cli_is_help(argv[i])) {
            usage(stdout);
            return ASFF_EXIT_OK;
        }
    if (*argc < 2) {
        fprintf(stderr, "asff %s: which action? %s\n", cmd, actions);
        usage(stderr);
        return ASFF_EXIT_USAGE;
    }
    return -1;
}

/* Take "--name VALUE" at argv[*i]; NULL (and a message naming the option) when the value is missing. */
static inline const char *ops_value(int argc, char **argv, int *i, const char *cmd)
{
    if (*i + 1 >= argc) {
        fprintf(stderr, "asff %s: %s needs a value\n", cmd, argv[*i]);
        return NULL;
    }
    return argv[++*i];
}

/* asff export --v2: GetFindingsV2 (OCSF findings of Security Hub's new API), every page, one finding
 * per line as it arrives. Options: --filters JSON|@FILE (OcsfFindingFilters), --max-results N (page
 * size), the AWS options. */
static inline int ops_export_v2(int argc, char **argv)
{
    cli_aws g;
    char *filters = NULL;
    const char *page = NULL;
    size_t flen = 0;
    int i, rc;
    yajl_gen gen;
    if (cli_take_aws(&argc, argv, &g) != 0)
        return ASFF_EXIT_USAGE;
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--v2") == 0)
            continue;
        if (cli_is_help(argv[i])) {
            printf("usage: asff export --v2 [--filters JSON|@FILE] [--max-results N]\n"
                   "Writes every OCSF finding GetFindingsV2 returns (all pages), one JSON line each.\n\n"
                   "options:\n"
                   "  --filters JSON|@FILE  OcsfFindingFilters\n"
                   "  --max-results N       page size (1..100)\n" CLI_AWS_HELP);
            free(filters);
            return ASFF_EXIT_OK;
        } else if (strcmp(argv[i], "--filters") == 0) {
            const char *v = ops_value(argc, argv, &i, "export --v2");
            free(filters);
            if (!v)
                return ASFF_EXIT_USAGE;
            if (!(filters = cli_read_arg(v, &flen)))
                return ASFF_EXIT_IO;
        } else if (strcmp(argv[i], "--max-results") == 0) {
            if (!(page = ops_value(argc, argv, &i, "export --v2"))) {
                free(filters);
                return ASFF_EXIT_USAGE;
            }
        } else {
            fprintf(stderr, "asff export --v2: unknown option %s\n", argv[i]);
            free(filters);
            return ASFF_EXIT_USAGE;
        }
    }
    gen = yajl_gen_alloc(cli_yajl_funcs());
    yajl_gen_map_open(gen);
    if (page) {
        char *end;
        (void)strtol(page, &end, 10);
        if (!*page || *end) {
            fprintf(stderr, "asff export --v2: --max-results wants an integer\n");
            yajl_gen_free(gen);
            free(filters);
            return ASFF_EXIT_USAGE;
        }
        cli_gen_str(gen, "MaxResults");
        yajl_gen_number(gen, page, strlen(page));
    }
    yajl_gen_map_close(gen);
    {
        /* the filters are spliced in as given; the request check reads them before anything is sent */
        const char *base = cli_gen_text(gen);
        size_t bl = strlen(base), total = bl + flen + 16;
        char *input = malloc(total);
        if (!input) {
            yajl_gen_free(gen);
            free(filters);
            return ASFF_EXIT_IO;
        }
        if (filters)
            snprintf(input, total, "{\"Filters\":%s%s%s", filters, bl > 2 ? "," : "}", bl > 2 ? base + 1 : "");
        else
            snprintf(input, total, "%s", base);
        {
            asff_error e;
            if (asff_operation_check("GetFindingsV2", input, strlen(input), &e) != ASFF_OK) {
                fprintf(stderr, "asff export --v2: %s\n", e.message);
                free(input);
                yajl_gen_free(gen);
                free(filters);
                return ASFF_EXIT_USAGE;
            }
        }
        rc = ops_run(&g, "GetFindingsV2", input, true);
        free(input);
    }
    yajl_gen_free(gen);
    free(filters);
    return rc;
}

#endif
