/* asff hub enable|describe|disable: Security Hub itself, in one region, a list, or every region. */
#include "client_cli.h"

ASFF_CMD_PROTOTYPE(hub);

const char asff_cmd_hub_summary[] = "enable, describe or disable Security Hub (one, some or all regions)";

static void usage(FILE *out)
{
    fprintf(out, "usage: asff hub enable|describe|disable [options]\n\n"
                 "options:\n"
                 "  --regions all|R1,R2  run in these regions (all: every region where Security Hub runs)\n"
                 "  --no-default-standards  enable: do not turn on the default standards\n"
                 "  --tag KEY=VALUE      enable: tag the hub (repeatable)\n" CLI_AWS_HELP
                 "Prints one JSON line per region: {\"Region\":..., \"Response\":{...}} or {\"Region\":..., \"Error\":...}\n"
                 "enable on a hub that is already enabled is a success: {\"Region\":..., \"AlreadyEnabled\":true}\n");
}

/* Run op in one region and print its line. Returns true on success. */
static bool run_region(const cli_aws *g, const char *region, asff_operation op, const char *input)
{
    asff_client *c = cli_make_client(g, region);
    asff_response r;
    asff_error e = CLI_ERROR_INIT;
    yajl_gen gen;
    bool ok;
    if (!c)
        return false;
    gen = yajl_gen_alloc(cli_yajl_funcs());
    asff_error_clear(&e);
    ok = asff_client_invoke(c, op, input, input ? strlen(input) : 0, &r, &e) == ASFF_OK;
    yajl_gen_map_open(gen);
    cli_gen_kv(gen, "Region", asff_client_region(c));
    if (!ok && op == ASFF_OP_EnableSecurityHub && strcmp(e.aws_code, "ResourceConflictException") == 0) {
        /* enabling what is enabled is the state asked for: success, said so */
        cli_gen_str(gen, "AlreadyEnabled");
        yajl_gen_bool(gen, 1);
        yajl_gen_map_close(gen);
        printf("%s\n", cli_gen_text(gen));
        fprintf(stderr, "asff: hub enable: Security Hub was already enabled in %s\n", asff_client_region(c));
        yajl_gen_free(gen);
        asff_client_free(c);
        return true;
    }
    if (ok) {
        /* the response re-generated through yajl: no raw server byte reaches the output */
        cli_gen_str(gen, "Response");
        if (r.len == 0)
            yajl_gen_map_open(gen), yajl_gen_map_close(gen);
        else if (!cli_json_copy(gen, r.body, r.len)) {
            char w[CLI_SHOW];
            fprintf(stderr, "asff: %s: %s: the response is not JSON (%zu bytes)\n", asff_operation_name(op),
                    cli_show(w, sizeof w, asff_client_region(c)), r.len);
            ok = false;
        }
        if (ok) {
            yajl_gen_map_close(gen);
            cli_put_json(stdout, cli_gen_text(gen), strlen(cli_gen_text(gen)));
            putchar('\n');
        }
        asff_response_cleanup(c, &r);
    } else {
        cli_gen_kv(gen, "Error", e.message);
        cli_gen_kv(gen, "ErrorCode", e.aws_code);
        yajl_gen_map_close(gen);
        cli_put_json(stdout, cli_gen_text(gen), strlen(cli_gen_text(gen)));
        putchar('\n');
        cli_client_error(asff_operation_name(op), &e);
    }
    yajl_gen_free(gen);
    asff_client_free(c);
    return ok;
}

int asff_cmd_hub(int argc, char **argv)
{
    cli_aws g;
    asff_operation op;
    const char *regions = NULL;
    bool no_std = false;
    yajl_gen body;
    int i, ntags = 0, failures = 0;
    const char *tags[64];
    if (cli_take_aws(&argc, argv, &g) != 0)
        return ASFF_EXIT_USAGE;
    if (argc < 2 || cli_is_help(argv[1])) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? ASFF_EXIT_USAGE : ASFF_EXIT_OK;
    }
    if (strcmp(argv[1], "enable") == 0)
        op = ASFF_OP_EnableSecurityHub;
    else if (strcmp(argv[1], "describe") == 0)
        op = ASFF_OP_DescribeHub;
    else if (strcmp(argv[1], "disable") == 0)
        op = ASFF_OP_DisableSecurityHub;
    else
        return cli_bad_arg("hub", argv[1]);
    for (i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--regions") == 0 && i + 1 < argc)
            regions = argv[++i];
        else if (strcmp(argv[i], "--no-default-standards") == 0)
            no_std = true;
        else if (strcmp(argv[i], "--tag") == 0 && i + 1 < argc && strchr(argv[i + 1], '=') && ntags < 64)
            tags[ntags++] = argv[++i];
        else if (strcmp(argv[i], "--tag") == 0 && ntags >= 64) {
            fprintf(stderr, "asff hub: --tag: at most 64 tags\n");
            return ASFF_EXIT_USAGE;
        } else
            return cli_bad_arg("hub", argv[i]);
    }
    body = yajl_gen_alloc(cli_yajl_funcs());
    yajl_gen_map_open(body);
    if (op == ASFF_OP_EnableSecurityHub) {
        cli_gen_str(body, "EnableDefaultStandards");
        yajl_gen_bool(body, !no_std);
        if (ntags) {
            cli_gen_str(body, "Tags");
            yajl_gen_map_open(body);
            for (i = 0; i < ntags; i++) {
                const char *eq = strchr(tags[i], '=');
                yajl_gen_string(body, (const unsigned char *)tags[i], (size_t)(eq - tags[i]));
                cli_gen_str(body, eq + 1);
            }
            yajl_gen_map_close(body);
        }
    }
    yajl_gen_map_close(body);
    if (!regions) {
        failures += !run_region(&g, NULL, op, cli_gen_text(body));
    } else if (strcmp(regions, "all") == 0) {
        asff_aws_options ao = ASFF_AWS_OPTIONS_INIT;
        asff_aws *aws = NULL;
        asff_error e = CLI_ERROR_INIT;
        size_t n = 0, k;
        const char *const *list;
        ao.profile = g.profile;
        ao.region = g.region;
        if (asff_aws_new(&ao, &aws, &e) != ASFF_OK) {
            cli_client_error("regions", &e);
            yajl_gen_free(body);
            return ASFF_EXIT_IO;
        }
        list = asff_aws_regions(aws, &n);
        for (k = 0; k < n; k++)
            failures += !run_region(&g, list[k], op, cli_gen_text(body));
        asff_aws_free(aws);
    } else {
        char *copy = strdup(regions), *save = NULL, *r;
        for (r = strtok_r(copy, ",", &save); r; r = strtok_r(NULL, ",", &save))
            failures += !run_region(&g, r, op, cli_gen_text(body));
        free(copy);
    }
    yajl_gen_free(body);
    return failures ? ASFF_EXIT_IO : ASFF_EXIT_OK;
}
