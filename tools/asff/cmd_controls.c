/* asff controls list|get|update: security controls and their enablement in standards. */
#include "ops_cli.h"

ASFF_CMD_PROTOTYPE(controls);

const char asff_cmd_controls_summary[] = "list, show and enable/disable security controls";

static void usage(FILE *out)
{
    fprintf(out, "usage: asff controls list [--standard STANDARDS_ARN]\n"
                 "       asff controls get SECURITY_CONTROL_ID...\n"
                 "       asff controls associations SECURITY_CONTROL_ID\n"
                 "       asff controls update STANDARDS_CONTROL_ARN --status ENABLED|DISABLED [--reason TEXT]\n"
                 "       asff controls update --control ID --standard STANDARDS_ARN --status ENABLED|DISABLED\n"
                 "                            [--reason TEXT]\n\n"
                 "  list          security control definitions (ListSecurityControlDefinitions), one JSON line each\n"
                 "  get           BatchGetSecurityControls\n"
                 "  associations  the standards a control is in (ListStandardsControlAssociations)\n"
                 "  update        a control of one standard subscription (UpdateStandardsControl), or with\n"
                 "                --control: a security control in a standard\n"
                 "                (BatchUpdateStandardsControlAssociations)\n\n"
                 "options:\n" CLI_AWS_HELP);
}

int asff_cmd_controls(int argc, char **argv)
{
    cli_aws g;
    const char *sub, *standard = NULL, *control = NULL, *status = NULL, *reason = NULL;
    char *args[64];
    int i, nargs = 0, rc;
    yajl_gen gen;
    if ((rc = ops_start(&argc, argv, &g, usage, "controls", "list, get, associations or update")) >= 0)
        return rc;
    sub = argv[1];
    for (i = 2; i < argc; i++) {
        const char **slot = NULL;
        if (strcmp(argv[i], "--standard") == 0)
            slot = &standard;
        else if (strcmp(argv[i], "--control") == 0)
            slot = &control;
        else if (strcmp(argv[i], "--status") == 0)
            slot = &status;
        else if (strcmp(argv[i], "--reason") == 0)
            slot = &reason;
        if (slot) {
            if (!(*slot = ops_value(argc, argv, &i, "controls")))
                return ASFF_EXIT_USAGE;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "asff controls %s: unknown option %s\n", sub, argv[i]);
            return ASFF_EXIT_USAGE;
        } else if (nargs < 64) {
            args[nargs++] = argv[i];
        } else {
            fprintf(stderr, "asff controls %s: too many arguments\n", sub);
            return ASFF_EXIT_USAGE;
        }
    }
    gen = yajl_gen_alloc(cli_yajl_funcs());
    yajl_gen_map_open(gen);
    if (strcmp(sub, "list") == 0) {
        if (nargs || control || status || reason) {
            fprintf(stderr, "asff controls list: takes only --standard\n");
            rc = ASFF_EXIT_USAGE;
            goto done;
        }
        if (standard)
            cli_gen_kv(gen, "StandardsArn", standard);
        yajl_gen_map_close(gen);
        rc = ops_run(&g, "ListSecurityControlDefinitions", cli_gen_text(gen), true);
    } else if (strcmp(sub, "get") == 0) {
        if (!nargs) {
            fprintf(stderr, "asff controls get: wants at least one SECURITY_CONTROL_ID\n");
            rc = ASFF_EXIT_USAGE;
            goto done;
        }
        cli_gen_str(gen, "SecurityControlIds");
        yajl_gen_array_open(gen);
        for (i = 0; i < nargs; i++)
            cli_gen_str(gen, args[i]);
        yajl_gen_array_close(gen);
        yajl_gen_map_close(gen);
        rc = ops_run(&g, "BatchGetSecurityControls", cli_gen_text(gen), false);
    } else if (strcmp(sub, "associations") == 0) {
        if (nargs != 1) {
            fprintf(stderr, "asff controls associations: wants one SECURITY_CONTROL_ID\n");
            rc = ASFF_EXIT_USAGE;
            goto done;
        }
        cli_gen_kv(gen, "SecurityControlId", args[0]);
        yajl_gen_map_close(gen);
        rc = ops_run(&g, "ListStandardsControlAssociations", cli_gen_text(gen), true);
    } else if (strcmp(sub, "update") == 0) {
        if (!status) {
            fprintf(stderr, "asff controls update: --status ENABLED|DISABLED is required\n");
            rc = ASFF_EXIT_USAGE;
            goto done;
        }
        if (control) {
            if (!standard || nargs) {
                fprintf(stderr, "asff controls update: --control goes with --standard and no ARN argument\n");
                rc = ASFF_EXIT_USAGE;
                goto done;
            }
            cli_gen_str(gen, "StandardsControlAssociationUpdates");
            yajl_gen_array_open(gen);
            yajl_gen_map_open(gen);
            cli_gen_kv(gen, "StandardsArn", standard);
            cli_gen_kv(gen, "SecurityControlId", control);
            cli_gen_kv(gen, "AssociationStatus", status);
            if (reason)
                cli_gen_kv(gen, "UpdatedReason", reason);
            yajl_gen_map_close(gen);
            yajl_gen_array_close(gen);
            yajl_gen_map_close(gen);
            rc = ops_run(&g, "BatchUpdateStandardsControlAssociations", cli_gen_text(gen), false);
        } else {
            if (nargs != 1 || standard) {
                fprintf(stderr, "asff controls update: wants one STANDARDS_CONTROL_ARN (or --control and --standard)\n");
                rc = ASFF_EXIT_USAGE;
                goto done;
            }
            cli_gen_kv(gen, "StandardsControlArn", args[0]);
            cli_gen_kv(gen, "ControlStatus", status);
            if (reason)
                cli_gen_kv(gen, "DisabledReason", reason);
            yajl_gen_map_close(gen);
            rc = ops_run(&g, "UpdateStandardsControl", cli_gen_text(gen), false);
        }
    } else {
        fprintf(stderr, "asff controls: unknown action %s (list, get, associations, update)\n", sub);
        rc = ASFF_EXIT_USAGE;
    }
done:
    yajl_gen_free(gen);
    return rc;
}
