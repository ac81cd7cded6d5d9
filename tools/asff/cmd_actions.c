/* asff actions create|list|delete: custom actions (action targets) for EventBridge. */
#include "client_cli.h"

ASFF_CMD_PROTOTYPE(actions);

const char asff_cmd_actions_summary[] = "create, list or delete custom actions (action targets)";

static void usage(FILE *out)
{
    fprintf(out, "usage: asff actions create --name NAME --description TEXT --id ID\n"
                 "       asff actions list\n"
                 "       asff actions delete ARN\n" CLI_AWS_HELP);
}

int asff_cmd_actions(int argc, char **argv)
{
    cli_aws g;
    asff_client *c;
    const char *name = NULL, *desc = NULL, *id = NULL, *arn = NULL;
    yajl_gen gen;
    int i, rc;
    asff_operation op;
    if (cli_take_aws(&argc, argv, &g) != 0)
        return ASFF_EXIT_USAGE;
    if (argc < 2 || cli_is_help(argv[1])) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? ASFF_EXIT_USAGE : ASFF_EXIT_OK;
    }
    for (i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--name") == 0 && i + 1 < argc)
            name = argv[++i];
        else if (strcmp(argv[i], "--description") == 0 && i + 1 < argc)
            desc = argv[++i];
        else if (strcmp(argv[i], "--id") == 0 && i + 1 < argc)
            id = argv[++i];
        else if (argv[i][0] != '-' && !arn)
            arn = argv[i];
        else
            return cli_bad_arg("actions", argv[i]);
    }
    gen = yajl_gen_alloc(cli_yajl_funcs());
    yajl_gen_map_open(gen);
    if (strcmp(argv[1], "create") == 0 && name && desc && id) {
        op = ASFF_OP_CreateActionTarget;
        cli_gen_kv(gen, "Name", name);
        cli_gen_kv(gen, "Description", desc);
        cli_gen_kv(gen, "Id", id);
    } else if (strcmp(argv[1], "list") == 0) {
        op = ASFF_OP_DescribeActionTargets;
    } else if (strcmp(argv[1], "delete") == 0 && arn) {
        op = ASFF_OP_DeleteActionTarget;
        cli_gen_kv(gen, "ActionTargetArn", arn);
    } else {
        yajl_gen_free(gen);
        fprintf(stderr, "asff actions: create needs --name, --description and --id; delete needs an ARN; "
                        "list takes nothing (asff actions --help)\n");
        return ASFF_EXIT_USAGE;
    }
    yajl_gen_map_close(gen);
    c = cli_make_client(&g, NULL);
    rc = c ? cli_invoke_print(c, op, cli_gen_text(gen)) : ASFF_EXIT_IO;
    yajl_gen_free(gen);
    asff_client_free(c);
    return rc;
}
