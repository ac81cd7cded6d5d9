/* asff rollout: Security Hub in every region of every member account (asff_rollout). */
#include "asff/aws.h"
#include "client_cli.h"

ASFF_CMD_PROTOTYPE(rollout);

const char asff_cmd_rollout_summary[] = "enable Security Hub in every region of every member account, and link them";

#define MAX_MEMBERS 5000
#define MAX_REGIONS 64

static void usage(FILE *out)
{
    fprintf(out, "usage: asff rollout --accounts members.csv --role-name ROLE --regions all|R1,R2\n"
                 "                    [--administrator-account ID] [--organization] [--dry-run] [options]\n\n"
                 "In each region: enables Security Hub in the administrator account and, assuming ROLE, in each\n"
                 "member account (already enabled counts as done), creates and invites the members the\n"
                 "administrator lacks and accepts the invitation from each member. --organization uses\n"
                 "EnableOrganizationAdminAccount and UpdateOrganizationConfiguration (AutoEnable) instead of\n"
                 "invitations. members.csv: AccountId,Email lines (a header line is skipped).\n"
                 "Prints one JSON line per account and region; exit 0 when every line is ok, 1 otherwise.\n\n"
                 "options:\n"
                 "  --dry-run           connect to nothing (not even STS): print each call the rollout may make\n"
                 "                      when nothing is done yet (operation, region, account, findings, bytes),\n"
                 "                      then \"N calls, M findings, B bytes\"\n" CLI_AWS_HELP);
}

static void on_line(void *ctx, const asff_rollout_line *l)
{
    yajl_gen g = yajl_gen_alloc(cli_yajl_funcs());
    const char *p, *q;
    (void)ctx;
    if (!g)
        return;
    yajl_gen_map_open(g);
    cli_gen_kv(g, "AccountId", l->account_id);
    cli_gen_kv(g, "Region", l->region);
    cli_gen_kv(g, "Role", l->administrator ? "administrator" : "member");
    cli_gen_str(g, "Ok");
    yajl_gen_bool(g, l->ok);
    cli_gen_str(g, "Actions");
    yajl_gen_array_open(g);
    for (p = l->actions; p && *p; p = *q ? q + 1 : q) {
        q = p + strcspn(p, ",");
        yajl_gen_string(g, (const unsigned char *)p, (size_t)(q - p));
    }
    yajl_gen_array_close(g);
    if (!l->ok) {
        cli_gen_kv(g, "Step", l->failed_step ? l->failed_step : "");
        cli_gen_kv(g, "Error", l->error ? l->error->message : "");
        cli_gen_kv(g, "ErrorCode", l->error ? l->error->aws_code : "");
    }
    yajl_gen_map_close(g);
    /* yajl_gen escapes control characters: the line is safe for a terminal. */
    printf("%s\n", cli_gen_text(g));
    fflush(stdout);
    yajl_gen_free(g);
}

static bool is_account(const char *p, size_t len)
{
    size_t i;
    if (len != 12)
        return false;
    for (i = 0; i < 12; i++)
        if (p[i] < '0' || p[i] > '9')
            return false;
    return true;
}

/* AccountId,Email lines into ids/emails; -1 after a message. */
static int read_csv(const char *csv, char (*ids)[13], char (*emails)[256], size_t *n)
{
    FILE *f = fopen(csv, "r");
    char line[1024];
    unsigned long lineno = 0;
    *n = 0;
    if (!f) {
        fprintf(stderr, "asff: %s: cannot open\n", csv);
        return -1;
    }
    while (fgets(line, sizeof line, f)) {
        char *p = line, *comma, *e;
        size_t len, el;
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        while (*p == ' ' || *p == '\t' || *p == '"')
            p++;
        if (!*p)
            continue;
        comma = strchr(p, ',');
        len = comma ? (size_t)(comma - p) : strlen(p);
        while (len && (p[len - 1] == ' ' || p[len - 1] == '"'))
            len--;
        if (!is_account(p, len)) {
            if (lineno == 1)
                continue; /* header */
            fprintf(stderr, "asff: %s: line %lu is not a 12-digit account id\n", csv, lineno);
            fclose(f);
            return -1;
        }
        if (*n == MAX_MEMBERS) {
            fprintf(stderr, "asff: %s: more than %d members\n", csv, MAX_MEMBERS);
            fclose(f);
            return -1;
        }
        memcpy(ids[*n], p, 12);
        ids[*n][12] = '\0';
        emails[*n][0] = '\0';
        if (comma) {
            e = comma + 1;
            while (*e == ' ' || *e == '"')
                e++;
            el = strcspn(e, ",\"");
            while (el && e[el - 1] == ' ')
                el--;
            snprintf(emails[*n], sizeof emails[*n], "%.*s", (int)el, e);
        }
        (*n)++;
    }
    fclose(f);
    return 0;
}

static void on_call(void *ctx, const asff_call_info *ci)
{
    cli_tally_call(ctx, ci->operation, ci->region, ci->account, ci->findings, ci->bytes);
}

int asff_cmd_rollout(int argc, char **argv)
{
    static char ids[MAX_MEMBERS][13], emails[MAX_MEMBERS][256];
    static asff_rollout_member members[MAX_MEMBERS];
    cli_aws g;
    asff_rollout_options o = ASFF_ROLLOUT_OPTIONS_INIT;
    asff_client_options co = ASFF_CLIENT_OPTIONS_INIT;
    const char *csv = NULL, *regions = NULL, *list[MAX_REGIONS];
    char *copy = NULL, *save = NULL, *r;
    asff_aws *aws = NULL;
    asff_error e;
    size_t n = 0, nreg = 0, i;
    int rc;
    asff_status st;
    cli_tally tally = {0, 0, 0};
    asff_error_clear(&e);
    if (cli_take_aws(&argc, argv, &g) != 0)
        return ASFF_EXIT_USAGE;
    for (i = 1; i < (size_t)argc; i++) {
        bool more = i + 1 < (size_t)argc;
        if (cli_is_help(argv[i])) {
            usage(stdout);
            return ASFF_EXIT_OK;
        } else if (strcmp(argv[i], "--accounts") == 0 && more) {
            csv = argv[++i];
        } else if (strcmp(argv[i], "--role-name") == 0 && more) {
            o.role_name = argv[++i];
        } else if (strcmp(argv[i], "--regions") == 0 && more) {
            regions = argv[++i];
        } else if (strcmp(argv[i], "--administrator-account") == 0 && more) {
            o.administrator_account = argv[++i];
        } else if (strcmp(argv[i], "--organization") == 0) {
            o.organization = true;
        } else if (strcmp(argv[i], "--dry-run") == 0) {
            o.dry_run = true;
        } else {
            usage(stderr);
            return ASFF_EXIT_USAGE;
        }
    }
    if (!csv || !regions || (!o.role_name && !o.organization)) {
        usage(stderr);
        return ASFF_EXIT_USAGE;
    }
    if (read_csv(csv, ids, emails, &n) != 0)
        return ASFF_EXIT_USAGE;
    for (i = 0; i < n; i++) {
        members[i].account_id = ids[i];
        members[i].email = emails[i];
    }
    if (strcmp(regions, "all") == 0) {
        asff_aws_options ao = ASFF_AWS_OPTIONS_INIT;
        const char *const *all;
        ao.profile = g.profile;
        ao.region = g.region;
        if (asff_aws_new(&ao, &aws, &e) != ASFF_OK) {
            cli_client_error("rollout", &e);
            return ASFF_EXIT_IO;
        }
        all = asff_aws_regions(aws, &nreg);
        for (i = 0; i < nreg && i < MAX_REGIONS; i++)
            list[i] = all[i];
        nreg = i;
    } else {
        copy = strdup(regions);
        for (r = copy ? strtok_r(copy, ",", &save) : NULL; r && nreg < MAX_REGIONS; r = strtok_r(NULL, ",", &save))
            list[nreg++] = r;
    }
    co.profile = g.profile;
    co.endpoint_url = g.endpoint_url;
    co.allow_http = true; /* only an override can be http; asking for one is explicit enough */
    o.client = &co;
    o.regions = list;
    o.region_count = nreg;
    o.on_line = on_line;
    o.on_call = on_call;
    o.ctx = &tally;
    st = asff_rollout(members, n, &o, &e);
    if (st == ASFF_OK && o.dry_run)
        cli_tally_print(&tally);
    if (st == ASFF_OK) {
        rc = ASFF_EXIT_OK;
    } else {
        cli_client_error("rollout", &e);
        rc = st == ASFF_ERR_PARTIAL ? ASFF_EXIT_FINDINGS : ASFF_EXIT_IO;
    }
    free(copy);
    asff_aws_free(aws);
    return rc;
}
