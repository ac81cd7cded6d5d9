/* asff convert: findings to OCSF 1.1.0, SARIF 2.1.0 results to findings (docs/convert.md). */
#include <string.h>
#include "cli.h"

ASFF_CMD_PROTOTYPE(convert);

const char asff_cmd_convert_summary[] = "convert findings to OCSF, or SARIF results to findings";

static void help(FILE *out)
{
    fprintf(out,
            "usage: asff convert --to ocsf [--pretty] [--skip-invalid] [FILE...]\n"
            "       asff convert --from sarif --product-arn ARN --account ID [--region R]\n"
            "                    [--timestamp T] [--format ndjson|array|batch|pretty] [FILE...]\n\n"
            "Reads FILEs (stdin when none or '-') and writes to stdout, one item at a time.\n\n"
            "  --to ocsf         each finding (any envelope) as an OCSF 1.1.0 event, one per line:\n"
            "                    Compliance, Vulnerability or Detection Finding by producer\n"
            "  --pretty          indented OCSF events\n"
            "  --skip-invalid    report a finding that does not match the model on stderr and go on\n"
            "  --from sarif      each result of a SARIF 2.1.0 log as an ASFF finding (NDJSON by default)\n"
            "  --product-arn ARN ProductArn of the findings (required with --from sarif)\n"
            "  --account ID      AwsAccountId of the findings (required with --from sarif)\n"
            "  --region R        Region (default: the region of the product ARN)\n"
            "  --timestamp T     CreatedAt/UpdatedAt (default: the run's end time, else now)\n\n"
            "exit codes: 0 ok; 1 invalid input; 2 usage; 3 I/O or internal error\n");
}

typedef struct conv_ctx {
    asff_ocsf_options oo;
    asff_writer *w;
    asff_error err;
    bool failed;
} conv_ctx;

static int out_stdout(void *ctx, const char *data, size_t len)
{
    (void)ctx;
    return fwrite(data, 1, len, stdout) == len ? 0 : 1;
}

static int ocsf_one(void *ctx, void *finding, const asff_finding_info *info)
{
    conv_ctx *c = ctx;
    (void)info;
    if (asff_to_ocsf(finding, &c->oo, out_stdout, NULL, &c->err) != ASFF_OK || fputc('\n', stdout) == EOF) {
        c->failed = true;
        return 1;
    }
    return 0;
}

static int asff_one(void *ctx, void *finding, const asff_finding_info *info)
{
    conv_ctx *c = ctx;
    (void)info;
    if (asff_writer_write(c->w, finding, &c->err) != ASFF_OK) {
        c->failed = true;
        return 1;
    }
    return 0;
}

static int sarif_file(FILE *in, const char *name, const asff_sarif_options *so, conv_ctx *c)
{
    asff_sarif_reader *r = NULL;
    asff_error err;
    static char buf[65536];
    size_t n;
    asff_status st = asff_sarif_reader_new(so, asff_one, c, &r, &err);
    while (st == ASFF_OK && (n = fread(buf, 1, sizeof buf, in)) > 0)
        st = asff_sarif_reader_feed(r, buf, n, &err);
    if (st == ASFF_OK && ferror(in)) {
        fprintf(stderr, "asff convert: %s: read error\n", name);
        asff_sarif_reader_free(r);
        return ASFF_EXIT_IO;
    }
    if (st == ASFF_OK)
        st = asff_sarif_reader_finish(r, &err);
    asff_sarif_reader_free(r);
    if (c->failed) {
        cli_print_error("<stdout>", &c->err);
        return ASFF_EXIT_IO;
    }
    if (st != ASFF_OK) {
        cli_print_error(name, &err);
        return st == ASFF_ERR_NOMEM || st == ASFF_ERR_INVALID_ARG ? ASFF_EXIT_IO : ASFF_EXIT_FINDINGS;
    }
    return ASFF_EXIT_OK;
}

static const char *opt_value(int argc, char **argv, int *i, const char *name)
{
    size_t n = strlen(name);
    if (strncmp(argv[*i], name, n) == 0 && argv[*i][n] == '=')
        return argv[*i] + n + 1;
    if (strcmp(argv[*i], name) == 0)
        return *i + 1 < argc ? argv[++*i] : NULL;
    return NULL;
}

static bool is_opt(const char *arg, const char *name)
{
    size_t n = strlen(name);
    return strncmp(arg, name, n) == 0 && (arg[n] == '\0' || arg[n] == '=');
}

int asff_cmd_convert(int argc, char **argv)
{
    asff_parse_options po = ASFF_PARSE_OPTIONS_INIT;
    asff_write_options wo = ASFF_WRITE_OPTIONS_INIT;
    asff_sarif_options so = ASFF_SARIF_OPTIONS_INIT;
    asff_ocsf_options oo = ASFF_OCSF_OPTIONS_INIT;
    const char *to = NULL, *from = NULL;
    conv_ctx c;
    int i, rc = ASFF_EXIT_OK;
    for (i = 1; i < argc; i++) {
        const char *v;
        if (cli_is_help(argv[i])) {
            help(stdout);
            return ASFF_EXIT_OK;
        }
#define OPT(name, dst)                                                                  \
    if (is_opt(argv[i], name)) {                                                        \
        if ((v = opt_value(argc, argv, &i, name)) == NULL) {                            \
            fprintf(stderr, "asff convert: %s needs a value (asff convert --help)\n", name); \
            return ASFF_EXIT_USAGE;                                                     \
        }                                                                               \
        dst = v;                                                                        \
        continue;                                                                       \
    }
        OPT("--to", to)
        OPT("--from", from)
        OPT("--product-arn", so.product_arn)
        OPT("--account", so.account_id)
        OPT("--region", so.region)
        OPT("--timestamp", so.timestamp)
#undef OPT
        if (is_opt(argv[i], "--format")) {
            v = opt_value(argc, argv, &i, "--format");
            if (!v || !cli_parse_format(v, &wo)) {
                fprintf(stderr, "asff convert: --format takes ndjson, array, batch or pretty\n");
                return ASFF_EXIT_USAGE;
            }
        } else if (strcmp(argv[i], "--pretty") == 0) {
            oo.pretty = true;
        } else if (strcmp(argv[i], "--skip-invalid") == 0) {
            po.skip_invalid = true;
        } else if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, "asff convert: unknown option '%s' (asff convert --help)\n", argv[i]);
            return ASFF_EXIT_USAGE;
        } else {
            break;
        }
    }
    memset(&c, 0, sizeof c);
    c.oo = oo;
    if (to && !from) {
        if (strcmp(to, "ocsf") != 0) {
            fprintf(stderr, "asff convert: --to takes ocsf\n");
            return ASFF_EXIT_USAGE;
        }
        rc = cli_parse_inputs(argc - i, argv + i, &po, ocsf_one, &c);
        if (c.failed) {
            cli_print_error("<stdout>", &c.err);
            rc = ASFF_EXIT_IO;
        }
        return rc;
    }
    if (!from || to || strcmp(from, "sarif") != 0) {
        fprintf(stderr, "asff convert: give --to ocsf or --from sarif (asff convert --help)\n");
        return ASFF_EXIT_USAGE;
    }
    if (!so.product_arn || !so.account_id) {
        fprintf(stderr, "asff convert: --from sarif needs --product-arn and --account\n");
        return ASFF_EXIT_USAGE;
    }
    (void)asff_writer_new_file(stdout, &wo, &c.w, NULL);
    if (!c.w) {
        fprintf(stderr, "asff convert: out of memory\n");
        return ASFF_EXIT_IO;
    }
    if (i == argc)
        rc = sarif_file(stdin, "<stdin>", &so, &c);
    for (; i < argc && rc != ASFF_EXIT_IO; i++) {
        FILE *in = strcmp(argv[i], "-") == 0 ? stdin : fopen(argv[i], "rb");
        int r;
        if (!in) {
            fprintf(stderr, "asff convert: cannot open %s\n", argv[i]);
            rc = ASFF_EXIT_IO;
            break;
        }
        r = sarif_file(in, argv[i], &so, &c);
        if (in != stdin)
            fclose(in);
        if (r > rc)
            rc = r;
    }
    if (rc != ASFF_EXIT_IO && asff_writer_finish(c.w, &c.err) != ASFF_OK) {
        cli_print_error("<stdout>", &c.err);
        rc = ASFF_EXIT_IO;
    }
    asff_writer_free(c.w);
    return rc;
}
