/* asff standards list|enable|disable|controls: the security standards of Security Hub. */
#include "ops_cli.h"

ASFF_CMD_PROTOTYPE(standards);

const char asff_cmd_standards_summary[] = "list, enable or disable security standards and list their controls";

static void usage(FILE *out)
{
    fprintf(out, "usage: asff standards list [--enabled]\n"
                 "       asff standards enable STANDARDS_ARN...\n"
                 "       asff standards disable SUBSCRIPTION_ARN...\n"
                 "       asff standards controls SUBSCRIPTION_ARN\n\n"
                 "  list       the standards Security Hub offers (DescribeStandards), one JSON line each;\n"
                 "             --enabled: the subscriptions of this account (GetEnabledStandards)\n"
                 "  enable     BatchEnableStandards (up to 25 ARNs)\n"
                 "  disable    BatchDisableStandards (up to 25 subscription ARNs)\n"
                 "  controls   the controls of an enabled standard (DescribeStandardsControls), one line each\n\n"
                 "options:\n" CLI_AWS_HELP);
}

/* {"<list>":[{"<key>":arg}...]} or {"<list>":[arg...]} when key is NULL. */
static const char *arn_list(yajl_gen g, const char *list, const char *key, int n, char **args)
{
    int i;
    yajl_gen_map_open(g);
    cli_gen_str(g, list);
    yajl_gen_array_open(g);
    for (i = 0; i < n; i++) {
        if (key) {
            yajl_gen_map_open(g);
            cli_gen_kv(g, key, args[i]);
            yajl_gen_map_close(g);
        } else {
            cli_gen_str(g, args[i]);
        }
    }
    yajl_gen_array_close(g);
    yajl_gen_map_close(g);
    return cli_gen_text(g);
}

int asff_cmd_standards(int argc, char **argv)
{
    cli_aws g;
    const char *sub;
    int i, rc, nargs = 0;
    bool enabled = false;
    char **args;
    yajl_gen gen;
    if ((rc = ops_start(&argc, argv, &g, usage, "standards", "list, enable, disable or controls")) >= 0)
        return rc;
    sub = argv[1];
    args = argv + 2;
    for (i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--enabled") == 0 && strcmp(sub, "list") == 0) {
            enabled = true;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "asff standards %s: unknown option %s\n", sub, argv[i]);
            return ASFF_EXIT_USAGE;
        } else {
            args[nargs++] = argv[i];
        }
    }
    if (strcmp(sub, "list") == 0) {
        if (nargs) {
            fprintf(stderr, "asff standards list: unexpected argument %s\n", args[0]);
            return ASFF_EXIT_USAGE;
        }
        return ops_run(&g, enabled ? "GetEnabledStandards" : "DescribeStandards", NULL, true);
    }
    if (strcmp(sub, "enable") != 0 && strcmp(sub, "disable") != 0 && strcmp(sub, "controls") != 0) {
        fprintf(stderr, "asff standards: unknown action %s (list, enable, disable, controls)\n", sub);
        return ASFF_EXIT_USAGE;
    }
    if (!nargs || (strcmp(sub, "controls") == 0 && nargs != 1)) {
        fprintf(stderr, "asff standards %s: %s\n", sub,
                strcmp(sub, "controls") == 0 ? "wants one SUBSCRIPTION_ARN" : "wants at least one ARN");
        return ASFF_EXIT_USAGE;
    }
    gen = yajl_gen_alloc(cli_yajl_funcs());
    if (strcmp(sub, "enable") == 0) {
        rc = ops_run(&g, "BatchEnableStandards",
                     arn_list(gen, "StandardsSubscriptionRequests", "StandardsArn", nargs, args), false);
    } else if (strcmp(sub, "disable") == 0) {
        rc = ops_run(&g, "BatchDisableStandards", arn_list(gen, "StandardsSubscriptionArns", NULL, nargs, args), false);
    } else {
        yajl_gen_map_open(gen);
        cli_gen_kv(gen, "StandardsSubscriptionArn", args[0]);
        yajl_gen_map_close(gen);
        rc = ops_run(&g, "DescribeStandardsControls", cli_gen_text(gen), true);
    }
    yajl_gen_free(gen);
    return rc;
}
