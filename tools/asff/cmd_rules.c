/* asff rules apply: run automation rules (V1) over findings, write the updated findings. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cli.h"

ASFF_CMD_PROTOTYPE(rules);

const char asff_cmd_rules_summary[] = "apply automation rules (FINDING_FIELDS_UPDATE) to findings";

static void help(FILE *out)
{
    fprintf(out,
            "usage: asff rules apply RULES.json [--format ndjson|array|batch|pretty] [--now TIME]\n"
            "                        [--not-chained] [--local] [--quiet] [--skip-invalid] [FILE...]\n\n"
            "RULES.json holds one rule (CreateAutomationRule input), an array of rules, or\n"
            "{\"Rules\": [...]} (BatchGetAutomationRules output). Enabled rules run in RuleOrder (ties:\n"
            "earlier UpdatedAt, then RuleArn); a terminal rule that matches stops the rest. Updated findings\n"
            "go to stdout; for each finding that a rule changed, stderr gets `Id: rule, rule, ...`.\n\n"
            "  --now TIME      \"now\" for DateRange criteria and Note.UpdatedAt (default: the clock)\n"
            "  --not-chained   evaluate every rule on the finding as it arrived (default: later rules\n"
            "                  see what earlier ones wrote)\n"
            "  --local         lift the service limits on criteria\n"
            "  --quiet         do not report fired rules\n\n"
            "exit codes: 0 ok; 1 invalid input or skipped findings; 2 usage or bad rules; 3 I/O error\n");
}

typedef struct rules_ctx {
    asff_rules *rules;
    asff_writer *w;
    asff_error err;
    bool failed, quiet;
    const char *id;
    size_t nfired;
    unsigned long long findings, changed;
} rules_ctx;

static void on_fired(void *ctx, size_t index, const char *name)
{
    rules_ctx *c = ctx;
    char i[CLI_SHOW], n[CLI_SHOW];
    (void)index;
    if (c->quiet)
        return;
    /* the Id comes from the finding and the name from the rules: both escaped (docs/cli.md) */
    if (c->nfired++ == 0)
        fprintf(stderr, "%s: %s", cli_show(i, sizeof i, c->id), cli_show(n, sizeof n, name));
    else
        fprintf(stderr, ", %s", cli_show(n, sizeof n, name));
}

static int on_finding(void *ctx, void *finding, const asff_finding_info *info)
{
    rules_ctx *c = ctx;
    asff_AwsSecurityFinding *f = finding;
    size_t fired;
    (void)info;
    c->id = f->Id ? f->Id : "(no Id)";
    c->nfired = 0;
    c->findings++;
    if (asff_rules_apply(c->rules, f, on_fired, c, &fired, &c->err) != ASFF_OK) {
        c->failed = true;
        return 1;
    }
    if (c->nfired)
        fputc('\n', stderr);
    c->changed += fired > 0;
    if (asff_writer_write(c->w, f, &c->err) != ASFF_OK) {
        c->failed = true;
        return 1;
    }
    return 0;
}

int asff_cmd_rules(int argc, char **argv)
{
    asff_parse_options po = ASFF_PARSE_OPTIONS_INIT;
    asff_write_options wo = ASFF_WRITE_OPTIONS_INIT;
    asff_rules_options ro = ASFF_RULES_OPTIONS_INIT;
    rules_ctx c;
    char *text;
    size_t len;
    int i, rc;
    memset(&c, 0, sizeof c);
    if (argc < 2 || cli_is_help(argv[1])) {
        help(argc < 2 ? stderr : stdout);
        return argc < 2 ? ASFF_EXIT_USAGE : ASFF_EXIT_OK;
    }
    if (strcmp(argv[1], "apply") != 0 || argc < 3) {
        fprintf(stderr, "asff rules: usage: asff rules apply RULES.json [FILE...] (asff rules --help)\n");
        return ASFF_EXIT_USAGE;
    }
    ro.has_now = true;
    ro.now_seconds = (int64_t)time(NULL);
    for (i = 3; i < argc; i++) {
        const char *a = argv[i];
        if (cli_is_help(a)) {
            help(stdout);
            return ASFF_EXIT_OK;
        } else if (strcmp(a, "--not-chained") == 0)
            ro.not_chained = true;
        else if (strcmp(a, "--local") == 0)
            ro.local = true;
        else if (strcmp(a, "--quiet") == 0)
            c.quiet = true;
        else if (strcmp(a, "--skip-invalid") == 0)
            po.skip_invalid = true;
        else if (strcmp(a, "--format") == 0 && i + 1 < argc) {
            if (!cli_parse_format(argv[++i], &wo)) {
                fprintf(stderr, "asff rules: --format takes ndjson, array, batch or pretty\n");
                return ASFF_EXIT_USAGE;
            }
        } else if (strcmp(a, "--now") == 0 && i + 1 < argc) {
            if (!cli_parse_now(argv[++i], &ro.now_seconds)) {
                fprintf(stderr, "asff rules: --now takes an ISO 8601 timestamp or epoch seconds (years 1-9999)\n");
                return ASFF_EXIT_USAGE;
            }
        } else if (strcmp(a, "--") == 0) {
            i++;
            break;
        } else if (a[0] == '-' && a[1]) {
            char b[CLI_SHOW];
            fprintf(stderr, "asff rules: unknown option or missing value '%s' (asff rules --help)\n",
                    cli_show(b, sizeof b, a));
            return ASFF_EXIT_USAGE;
        } else
            break;
    }
    text = cli_read_file(argv[2], &len);
    if (!text)
        return ASFF_EXIT_IO;
    if (asff_rules_parse(text, len, &ro, &c.rules, &c.err) != ASFF_OK) {
        cli_print_error(argv[2], &c.err);
        free(text);
        return ASFF_EXIT_USAGE;
    }
    free(text);
    (void)asff_writer_new_file(stdout, &wo, &c.w, NULL);
    if (!c.w) {
        asff_rules_free(c.rules);
        fprintf(stderr, "asff rules: out of memory\n");
        return ASFF_EXIT_IO;
    }
    rc = cli_parse_inputs(argc - i, argv + i, &po, on_finding, &c);
    if (c.failed) {
        cli_print_error("<stdout>", &c.err);
        rc = ASFF_EXIT_IO;
    } else if (asff_writer_finish(c.w, &c.err) != ASFF_OK) {
        cli_print_error("<stdout>", &c.err);
        rc = ASFF_EXIT_IO;
    }
    if (!c.quiet)
        fprintf(stderr, "asff rules: %llu findings, %llu changed by %zu rules\n", c.findings, c.changed,
                asff_rules_count(c.rules));
    asff_writer_free(c.w);
    asff_rules_free(c.rules);
    return rc;
}
