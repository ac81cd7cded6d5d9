/* asff tags add|list|remove: tags of a Security Hub resource (the hub, an automation rule, ...). */
#include "client_cli.h"

ASFF_CMD_PROTOTYPE(tags);

const char asff_cmd_tags_summary[] = "add, list or remove tags of a Security Hub resource (the hub, ...)";

static void usage(FILE *out)
{
    fprintf(out, "usage: asff tags add ARN KEY=VALUE...\n"
                 "       asff tags list ARN\n"
                 "       asff tags remove ARN KEY...\n" CLI_AWS_HELP);
}

int asff_cmd_tags(int argc, char **argv)
{
    cli_aws g;
    asff_client *c;
    asff_operation op;
    yajl_gen gen;
    int i, rc;
    if (cli_take_aws(&argc, argv, &g) != 0)
        return ASFF_EXIT_USAGE;
    if (argc >= 2 && cli_is_help(argv[1])) {
        usage(stdout);
        return ASFF_EXIT_OK;
    }
    if (argc < 3) {
        if (argc == 2)
            return cli_bad_arg("tags", argv[1]);
        usage(stderr);
        return ASFF_EXIT_USAGE;
    }
    gen = yajl_gen_alloc(cli_yajl_funcs());
    yajl_gen_map_open(gen);
    cli_gen_kv(gen, "ResourceArn", argv[2]);
    if (strcmp(argv[1], "add") == 0 && argc > 3) {
        op = ASFF_OP_TagResource;
        cli_gen_str(gen, "Tags");
        yajl_gen_map_open(gen);
        for (i = 3; i < argc; i++) {
            const char *eq = strchr(argv[i], '=');
            if (!eq) {
                char b[CLI_SHOW];
                fprintf(stderr, "asff tags add: '%s' is not KEY=VALUE\n", cli_show(b, sizeof b, argv[i]));
                yajl_gen_free(gen);
                return ASFF_EXIT_USAGE;
            }
            yajl_gen_string(gen, (const unsigned char *)argv[i], (size_t)(eq - argv[i]));
            cli_gen_str(gen, eq + 1);
        }
        yajl_gen_map_close(gen);
    } else if (strcmp(argv[1], "list") == 0 && argc == 3) {
        op = ASFF_OP_ListTagsForResource;
    } else if (strcmp(argv[1], "remove") == 0 && argc > 3) {
        op = ASFF_OP_UntagResource;
        cli_gen_str(gen, "TagKeys");
        yajl_gen_array_open(gen);
        for (i = 3; i < argc; i++)
            cli_gen_str(gen, argv[i]);
        yajl_gen_array_close(gen);
    } else {
        yajl_gen_free(gen);
        return cli_bad_arg("tags", argv[1]);
    }
    yajl_gen_map_close(gen);
    c = cli_make_client(&g, NULL);
    rc = c ? cli_invoke_print(c, op, cli_gen_text(gen)) : ASFF_EXIT_IO;
    yajl_gen_free(gen);
    asff_client_free(c);
    return rc;
}
