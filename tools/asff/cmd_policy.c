/* asff policy: the least-privilege IAM policy for a program using the given commands. The table below
 * is the one place that says which operations each command may call; tests/policy_cli.py runs every
 * networked command against a recording server and checks that what it really calls is listed here,
 * and that each operation listed here is called by some option of the command (docs/cli.md). */
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "asff/client.h"

ASFF_CMD_PROTOTYPE(policy);

const char asff_cmd_policy_summary[] = "the IAM policy (least privilege) the given commands need";

/* Every command of the tool (generated from the cmd_*.c files). */
static const char *const all_commands[] = {
#define ASFF_COMMAND(name) #name,
#include "commands.inc"
#undef ASFF_COMMAND
    NULL};

#define L(...) (const char *const[]){__VA_ARGS__, NULL}

typedef struct needs {
    const char *command;
    const char *const *ops;   /* Security Hub operations (API names = IAM action names) */
    const char *const *other; /* actions of other services, NULL: none */
} needs;

/* Commands absent from this table call nothing that needs a permission. `call` may call any
 * operation of the model (handled apart). */
static const needs table[] = {
    {"actions", L("CreateActionTarget", "DeleteActionTarget", "DescribeActionTargets"), NULL},
    {"controls",
     L("BatchGetSecurityControls", "BatchUpdateStandardsControlAssociations", "ListSecurityControlDefinitions",
       "ListStandardsControlAssociations", "UpdateStandardsControl"),
     NULL},
    {"export", L("GetFindings", "GetFindingsV2"), NULL},
    {"history", L("GetFindingHistory", "GetFindings"), NULL},
    {"hub", L("DescribeHub", "DisableSecurityHub", "EnableSecurityHub"), NULL},
    {"import", L("BatchImportFindings"), NULL},
    {"insights", L("CreateInsight", "DeleteInsight", "GetInsightResults", "GetInsights"), NULL},
    {"members", L("CreateMembers", "InviteMembers", "ListMembers"), NULL},
    /* sts:AssumeRole: the role of --role-name in each member account (and the administrator's when it
     * is not the caller); organizations:*: what Security Hub itself does for the management account
     * when EnableOrganizationAdminAccount designates the administrator (--organization). */
    {"rollout",
     L("AcceptAdministratorInvitation", "CreateMembers", "DescribeHub", "DescribeOrganizationConfiguration",
       "EnableOrganizationAdminAccount", "EnableSecurityHub", "InviteMembers", "ListInvitations", "ListMembers",
       "ListOrganizationAdminAccounts", "UpdateOrganizationConfiguration"),
     L("organizations:EnableAWSServiceAccess", "organizations:RegisterDelegatedAdministrator", "sts:AssumeRole")},
    {"standards",
     L("BatchDisableStandards", "BatchEnableStandards", "DescribeStandards", "DescribeStandardsControls",
       "GetEnabledStandards"),
     NULL},
    {"tags", L("ListTagsForResource", "TagResource", "UntagResource"), NULL},
    {"update", L("BatchUpdateFindings", "GetFindings"), NULL},
};

static void help(FILE *out)
{
    fprintf(out,
            "usage: asff policy COMMAND...\n"
            "       asff policy --list\n\n"
            "Prints the IAM policy (JSON) a program needs to run the commands with any of their options:\n"
            "one statement allowing the securityhub: actions they may call, and one for the actions of\n"
            "other services where a command needs them (rollout: sts:AssumeRole, organizations:...).\n"
            "A command that calls nothing needing a permission gets no document: a message, exit 0.\n"
            "STS GetCallerIdentity (credentials, rollout) needs no permission.\n\n"
            "  --list   one line per command: the command and the actions it may call ('-': none)\n\n"
            "exit codes: 0 ok; 2 an unknown command\n");
}

static const needs *find(const char *cmd)
{
    size_t i;
    for (i = 0; i < sizeof table / sizeof *table; i++)
        if (strcmp(table[i].command, cmd) == 0)
            return &table[i];
    return NULL;
}

static bool known(const char *cmd)
{
    const char *const *c;
    for (c = all_commands; *c; c++)
        if (strcmp(*c, cmd) == 0)
            return true;
    return false;
}

/* A set of action names ("securityhub:X", "sts:Y"), kept sorted and unique on output. */
typedef struct actions {
    char **v;
    size_t n, cap;
} actions;

static bool add(actions *a, const char *prefix, const char *name)
{
    size_t len = strlen(prefix) + strlen(name) + 1;
    char *s;
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 64;
        char **v = realloc(a->v, cap * sizeof *v);
        if (!v)
            return false;
        a->v = v;
        a->cap = cap;
    }
    if (!(s = malloc(len)))
        return false;
    snprintf(s, len, "%s%s", prefix, name);
    a->v[a->n++] = s;
    return true;
}

static int cmp(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

static void sort_unique(actions *a)
{
    size_t i, o = 0;
    if (a->n)
        qsort(a->v, a->n, sizeof *a->v, cmp);
    for (i = 0; i < a->n; i++) {
        if (o && strcmp(a->v[o - 1], a->v[i]) == 0)
            free(a->v[i]);
        else
            a->v[o++] = a->v[i];
    }
    a->n = o;
}

static void release(actions *a)
{
    size_t i;
    for (i = 0; i < a->n; i++)
        free(a->v[i]);
    free(a->v);
}

/* The actions of cmd into sh (securityhub) and other; false when out of memory. */
static bool collect(const char *cmd, actions *sh, actions *other)
{
    const needs *n = find(cmd);
    const char *const *p;
    if (strcmp(cmd, "call") == 0) {
        int i;
        for (i = 0; i < ASFF_OP_COUNT; i++)
            if (!add(sh, "securityhub:", asff_operation_name((asff_operation)i)))
                return false;
        return true;
    }
    if (!n)
        return true;
    for (p = n->ops; *p; p++)
        if (!add(sh, "securityhub:", *p))
            return false;
    for (p = n->other; p && *p; p++)
        if (!add(other, "", *p))
            return false;
    return true;
}

static void statement(const char *sid, const actions *a, bool more)
{
    size_t i;
    printf("    {\n      \"Sid\": \"%s\",\n      \"Effect\": \"Allow\",\n      \"Action\": [\n", sid);
    for (i = 0; i < a->n; i++)
        printf("        \"%s\"%s\n", a->v[i], i + 1 < a->n ? "," : "");
    printf("      ],\n      \"Resource\": \"*\"\n    }%s\n", more ? "," : "");
}

static int list(void)
{
    const char *const *c;
    for (c = all_commands; *c; c++) {
        actions sh = {NULL, 0, 0}, other = {NULL, 0, 0};
        size_t i;
        bool ok = collect(*c, &sh, &other);
        sort_unique(&sh);
        sort_unique(&other);
        printf("%s", *c);
        for (i = 0; i < sh.n; i++)
            printf(" %s", sh.v[i] + strlen("securityhub:"));
        for (i = 0; i < other.n; i++)
            printf(" %s", other.v[i]);
        printf("%s\n", sh.n + other.n ? "" : " -");
        release(&sh);
        release(&other);
        if (!ok) {
            fprintf(stderr, "asff policy: out of memory\n");
            return ASFF_EXIT_IO;
        }
    }
    return ASFF_EXIT_OK;
}

int asff_cmd_policy(int argc, char **argv)
{
    actions sh = {NULL, 0, 0}, other = {NULL, 0, 0};
    int i, rc = ASFF_EXIT_OK;
    if (argc < 2) {
        help(stderr);
        return ASFF_EXIT_USAGE;
    }
    for (i = 1; i < argc; i++)
        if (cli_is_help(argv[i])) {
            help(stdout);
            return ASFF_EXIT_OK;
        }
    if (argc == 2 && strcmp(argv[1], "--list") == 0)
        return list();
    for (i = 1; i < argc; i++) {
        if (!known(argv[i])) {
            char b[CLI_SHOW];
            fprintf(stderr, "asff policy: unknown command '%s' (asff --help lists them)\n",
                    cli_show(b, sizeof b, argv[i]));
            rc = ASFF_EXIT_USAGE;
            goto done;
        }
        if (!collect(argv[i], &sh, &other)) {
            fprintf(stderr, "asff policy: out of memory\n");
            rc = ASFF_EXIT_IO;
            goto done;
        }
    }
    sort_unique(&sh);
    sort_unique(&other);
    if (!sh.n && !other.n) {
        /* an empty Action list is not a valid IAM statement: say so instead */
        fprintf(stderr, "asff policy: %s call%s nothing that needs an IAM permission: no policy needed\n",
                argc == 2 ? argv[1] : "these commands", argc == 2 ? "s" : "");
        goto done;
    }
    printf("{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n");
    if (sh.n)
        statement("AsffSecurityHub", &sh, other.n > 0);
    if (other.n)
        statement("AsffOtherServices", &other, false);
    printf("  ]\n}\n");
done:
    release(&sh);
    release(&other);
    return rc;
}
