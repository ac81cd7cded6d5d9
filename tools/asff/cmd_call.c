/* asff call OPERATION: any operation of the Security Hub API model, input as the API's JSON. */
#include "ops_cli.h"

ASFF_CMD_PROTOTYPE(call);

const char asff_cmd_call_summary[] = "call any Security Hub API operation with its JSON input (--list: all of them)";

static void usage(FILE *out)
{
    fprintf(out, "usage: asff call OPERATION [--input JSON|@FILE] [--paginate [--items]] [--check]\n"
                 "       asff call --list\n\n"
                 "options:\n"
                 "  --input JSON|@FILE  the operation's input shape as JSON (default {}), as the AWS CLI's\n"
                 "                      --cli-input-json; checked against the model before it is sent\n"
                 "  --paginate          follow NextToken: one JSON line per page\n"
                 "  --items             with --paginate: one JSON line per item of the result list instead\n"
                 "  --check             check the input against the model and send nothing\n"
                 "  --list              print the operations of the API model, one per line\n" CLI_AWS_HELP
                 "Prints the API's response JSON on one line. Exit 2 when the input does not fit the model\n"
                 "(the message names the member by its JSON Pointer), 3 when the call fails.\n");
}

int asff_cmd_call(int argc, char **argv)
{
    cli_aws g;
    const char *op = NULL, *input_arg = NULL;
    bool paginate = false, items = false, check = false, list = false;
    char *input = NULL;
    size_t len = 0;
    int i, rc;
    asff_client *c;
    if (cli_take_aws(&argc, argv, &g) != 0)
        return ASFF_EXIT_USAGE;
    for (i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            usage(stdout);
            return ASFF_EXIT_OK;
        } else if (strcmp(argv[i], "--list") == 0) {
            list = true;
        } else if (strcmp(argv[i], "--paginate") == 0) {
            paginate = true;
        } else if (strcmp(argv[i], "--items") == 0) {
            items = true;
        } else if (strcmp(argv[i], "--check") == 0) {
            check = true;
        } else if (strcmp(argv[i], "--input") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "asff call: --input needs a value (JSON or @FILE)\n");
                return ASFF_EXIT_USAGE;
            }
            input_arg = argv[++i];
        } else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "asff call: unknown option %s\n", argv[i]);
            return ASFF_EXIT_USAGE;
        } else if (!op) {
            op = argv[i];
        } else {
            fprintf(stderr, "asff call: one operation only (%s is extra)\n", argv[i]);
            return ASFF_EXIT_USAGE;
        }
    }
    if (list) {
        for (i = 0; i < ASFF_OP_COUNT; i++)
            if (asff_operation_name((asff_operation)i))
                printf("%s\n", asff_operation_name((asff_operation)i));
        return ASFF_EXIT_OK;
    }
    if (!op) {
        fprintf(stderr, "asff call: which operation? (asff call --list)\n");
        usage(stderr);
        return ASFF_EXIT_USAGE;
    }
    if (asff_operation_find(op) < 0) {
        fprintf(stderr, "asff call: unknown operation %s (asff call --list)\n", op);
        return ASFF_EXIT_USAGE;
    }
    if (items && !paginate) {
        fprintf(stderr, "asff call: --items goes with --paginate\n");
        return ASFF_EXIT_USAGE;
    }
    if (paginate) {
        asff_operation_paging pg;
        if (asff_operation_paging_get(op, &pg) != ASFF_OK || !pg.input_token) {
            fprintf(stderr, "asff call: --paginate: %s is not paginated\n", op);
            return ASFF_EXIT_USAGE;
        }
    }
    if (input_arg && !(input = cli_read_arg(input_arg, &len)))
        return ASFF_EXIT_IO;
    {
        asff_error e;
        if (asff_operation_check(op, input, len, &e) != ASFF_OK) {
            fprintf(stderr, "asff call: --input: %s\n", e.message);
            free(input);
            return ASFF_EXIT_USAGE;
        }
    }
    if (check) {
        free(input);
        return ASFF_EXIT_OK;
    }
    c = cli_make_client(&g, NULL);
    if (!c) {
        free(input);
        return ASFF_EXIT_IO;
    }
    rc = paginate ? ops_paginate_print(c, op, input, items) : ops_call_print(c, op, input);
    asff_client_free(c);
    free(input);
    return rc;
}
