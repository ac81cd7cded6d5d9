/* asff members add --csv FILE | list: member accounts of the administrator account. */
#include <ctype.h>
#include <yajl/yajl_tree.h>
#include "client_cli.h"

ASFF_CMD_PROTOTYPE(members);

const char asff_cmd_members_summary[] = "add member accounts from a CSV of AccountId,Email, or list them";

/* CreateMembers takes at most 50 accounts a call (the model's limit). */
#define MEMBERS_PER_CALL 50

static void usage(FILE *out)
{
    fprintf(out, "usage: asff members add --csv FILE [--invite] [--regions all|R1,R2]\n"
                 "       asff members list [--only-associated] [--regions all|R1,R2]\n\n"
                 "The CSV has one AccountId,Email per line; a header line and blank lines are skipped.\n"
                 "--regions runs the command in each region in turn.\n" CLI_AWS_HELP);
}

static bool is_account(const char *s, size_t n)
{
    size_t i;
    if (n != 12)
        return false;
    for (i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return false;
    return true;
}

static int send_members(asff_client *c, char ids[][13], char emails[][256], int n, bool invite)
{
    yajl_gen g = yajl_gen_alloc(cli_yajl_funcs());
    int i, rc;
    yajl_gen_map_open(g);
    cli_gen_str(g, "AccountDetails");
    yajl_gen_array_open(g);
    for (i = 0; i < n; i++) {
        yajl_gen_map_open(g);
        cli_gen_kv(g, "AccountId", ids[i]);
        if (emails[i][0])
            cli_gen_kv(g, "Email", emails[i]);
        yajl_gen_map_close(g);
    }
    yajl_gen_array_close(g);
    yajl_gen_map_close(g);
    rc = cli_invoke_print(c, ASFF_OP_CreateMembers, cli_gen_text(g));
    yajl_gen_free(g);
    if (rc == ASFF_EXIT_OK && invite) {
        g = yajl_gen_alloc(cli_yajl_funcs());
        yajl_gen_map_open(g);
        cli_gen_str(g, "AccountIds");
        yajl_gen_array_open(g);
        for (i = 0; i < n; i++)
            cli_gen_str(g, ids[i]);
        yajl_gen_array_close(g);
        yajl_gen_map_close(g);
        rc = cli_invoke_print(c, ASFF_OP_InviteMembers, cli_gen_text(g));
        yajl_gen_free(g);
    }
    return rc;
}

static int add(asff_client *c, const char *csv, bool invite)
{
    static char ids[MEMBERS_PER_CALL][13], emails[MEMBERS_PER_CALL][256];
    FILE *f = fopen(csv, "r");
    char line[1024];
    int n = 0, rc = ASFF_EXIT_OK;
    unsigned long lineno = 0;
    if (!f) {
        char b[CLI_SHOW];
        fprintf(stderr, "asff members: --csv %s: %s\n", cli_show(b, sizeof b, csv), strerror(errno));
        return ASFF_EXIT_IO;
    }
    while (fgets(line, sizeof line, f)) {
        char *p = line, *comma;
        size_t len;
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            continue;
        comma = strchr(p, ',');
        len = comma ? (size_t)(comma - p) : strlen(p);
        while (len && (p[len - 1] == ' ' || p[len - 1] == '"'))
            len--;
        if (*p == '"') {
            p++;
            len = len ? len - 1 : 0;
        }
        if (!is_account(p, len)) {
            if (lineno == 1)
                continue; /* header */
            char b1[CLI_SHOW], b2[CLI_SHOW];
            fprintf(stderr, "asff: %s: line %lu: '%s' is not a 12-digit account id\n", cli_show(b1, sizeof b1, csv),
                    lineno, (asff__text_escape(b2, sizeof b2, p, len), b2));
            rc = ASFF_EXIT_FINDINGS;
            continue;
        }
        memcpy(ids[n], p, 12);
        ids[n][12] = '\0';
        emails[n][0] = '\0';
        if (comma) {
            char *e = comma + 1;
            size_t el;
            while (*e == ' ' || *e == '"')
                e++;
            el = strcspn(e, ",\"");
            while (el && e[el - 1] == ' ')
                el--;
            snprintf(emails[n], sizeof emails[n], "%.*s", (int)el, e);
        }
        if (++n == MEMBERS_PER_CALL) {
            int r = send_members(c, ids, emails, n, invite);
            rc = r != ASFF_EXIT_OK ? r : rc;
            n = 0;
        }
    }
    fclose(f);
    if (n) {
        int r = send_members(c, ids, emails, n, invite);
        rc = r != ASFF_EXIT_OK ? r : rc;
    }
    return rc;
}

/* ListMembers page after page; each page's body printed on its own line. */
static int list(asff_client *c, bool only_associated)
{
    char *token = NULL;
    int rc = ASFF_EXIT_OK;
    do {
        yajl_gen g = yajl_gen_alloc(cli_yajl_funcs());
        asff_response r;
        asff_error e = CLI_ERROR_INIT;
        yajl_val v = NULL, next;
        asff_error pe;
        const char *path[] = {"NextToken", NULL};
        yajl_gen_map_open(g);
        cli_gen_str(g, "OnlyAssociated");
        yajl_gen_bool(g, only_associated);
        if (token)
            cli_gen_kv(g, "NextToken", token);
        yajl_gen_map_close(g);
        free(token);
        token = NULL;
        if (asff_client_invoke(c, ASFF_OP_ListMembers, cli_gen_text(g), strlen(cli_gen_text(g)), &r, &e) != ASFF_OK) {
            cli_client_error("ListMembers", &e);
            yajl_gen_free(g);
            return cli_client_exit(e.code);
        }
        yajl_gen_free(g);
        if (!cli_print_response(stdout, "ListMembers", r.body, r.len)) {
            asff_response_cleanup(c, &r);
            return ASFF_EXIT_IO;
        }
        if (asff__json_parse(r.body ? r.body : "", r.len, NULL, NULL, &v, &pe) != ASFF_OK)
            v = NULL; /* printed above already; no NextToken to follow */
        next = v ? yajl_tree_get(v, path, yajl_t_string) : NULL;
        if (next && YAJL_IS_STRING(next) && next->u.string[0])
            token = strdup(next->u.string);
        asff__json_free(v, NULL);
        asff_response_cleanup(c, &r);
    } while (token);
    return rc;
}

/* The command in one region (NULL: the resolved one). */
static int run_in(const cli_aws *g, const char *region, const char *cmd, const char *csv, bool invite, bool only)
{
    asff_client *c = cli_make_client(g, region);
    int rc;
    if (!c)
        return ASFF_EXIT_IO;
    rc = strcmp(cmd, "add") == 0 ? add(c, csv, invite) : list(c, only);
    asff_client_free(c);
    return rc;
}

int asff_cmd_members(int argc, char **argv)
{
    cli_aws g;
    const char *csv = NULL, *regions = NULL;
    bool invite = false, only = false;
    int i, rc = ASFF_EXIT_OK;
    if (cli_take_aws(&argc, argv, &g) != 0)
        return ASFF_EXIT_USAGE;
    if (argc < 2 || cli_is_help(argv[1])) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? ASFF_EXIT_USAGE : ASFF_EXIT_OK;
    }
    for (i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--csv") == 0 && i + 1 < argc)
            csv = argv[++i];
        else if (strcmp(argv[i], "--invite") == 0)
            invite = true;
        else if (strcmp(argv[i], "--only-associated") == 0)
            only = true;
        else if (strcmp(argv[i], "--regions") == 0 && i + 1 < argc)
            regions = argv[++i];
        else
            return cli_bad_arg("members", argv[i]);
    }
    if (strcmp(argv[1], "add") != 0 && strcmp(argv[1], "list") != 0)
        return cli_bad_arg("members", argv[1]);
    if (strcmp(argv[1], "add") == 0 && !csv) {
        fprintf(stderr, "asff members add: --csv FILE is required (asff members --help)\n");
        return ASFF_EXIT_USAGE;
    }
    if (!regions)
        return run_in(&g, NULL, argv[1], csv, invite, only);
    if (strcmp(regions, "all") == 0) {
        asff_aws_options ao = ASFF_AWS_OPTIONS_INIT;
        asff_aws *aws = NULL;
        asff_error e;
        size_t n = 0, k;
        const char *const *list_of;
        ao.profile = g.profile;
        ao.region = g.region;
        if (asff_aws_new(&ao, &aws, &e) != ASFF_OK) {
            cli_client_error("regions", &e);
            return ASFF_EXIT_IO;
        }
        list_of = asff_aws_regions(aws, &n);
        for (k = 0; k < n; k++) {
            int r = run_in(&g, list_of[k], argv[1], csv, invite, only);
            rc = r != ASFF_EXIT_OK ? r : rc;
        }
        asff_aws_free(aws);
    } else {
        char *copy = strdup(regions), *save = NULL, *r;
        for (r = copy ? strtok_r(copy, ",", &save) : NULL; r; r = strtok_r(NULL, ",", &save)) {
            int x = run_in(&g, r, argv[1], csv, invite, only);
            rc = x != ASFF_EXIT_OK ? x : rc;
        }
        free(copy);
    }
    return rc;
}
