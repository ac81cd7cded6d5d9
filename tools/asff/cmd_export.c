/* asff export: every finding that matches, from GetFindings, paginated and streamed. */
#include "ops_cli.h"

ASFF_CMD_PROTOTYPE(export);

const char asff_cmd_export_summary[] = "read findings from Security Hub (GetFindings) with filters and sorting";

typedef struct export_ctx {
    asff_writer *w;
    asff_partition_writer *part; /* --partition-by: Hive-style folders under -o DIR */
    asff_error err;
    asff_status st;
} export_ctx;

static int on_finding(void *ctx, const asff_AwsSecurityFinding *f)
{
    export_ctx *x = ctx;
    x->st = x->part ? asff_partition_writer_write(x->part, f, &x->err) : asff_writer_write(x->w, f, &x->err);
    return x->st != ASFF_OK;
}

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t len = 0, cap = 0, n;
    if (!f)
        return NULL;
    do {
        if (cap - len < 4096) {
            char *nb = realloc(buf, cap ? cap * 2 : 8192);
            if (!nb) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = nb;
            cap = cap ? cap * 2 : 8192;
        }
        n = fread(buf + len, 1, cap - len - 1, f);
        len += n;
    } while (n > 0);
    fclose(f);
    buf[len] = '\0';
    return buf;
}

static void usage(FILE *out)
{
    fprintf(out, "usage: asff export [options]\n"
                 "Writes every finding GetFindings returns (all pages) as it arrives.\n\n"
                 "options:\n"
                 "  --filters JSON|@FILE  AwsSecurityFindingFilters\n"
                 "  --sort Field:asc|desc one sort criterion\n"
                 "  --format F            ndjson (default), array, batch, pretty\n"
                 "  --max N               stop after N findings\n"
                 "  -o FILE               output file (default: stdout)\n"
                 "  --partition-by SPEC   'region/account/yyyy/mm/dd': NDJSON in Hive-style folders under -o DIR\n"
                 "  --v2                  GetFindingsV2: OCSF findings as NDJSON (asff export --v2 --help)\n" CLI_AWS_HELP);
}

int asff_cmd_export(int argc, char **argv)
{
    cli_aws g;
    asff_get_findings_options go = ASFF_GET_FINDINGS_OPTIONS_INIT;
    asff_partition_options po = ASFF_PARTITION_OPTIONS_INIT;
    asff_write_options wo = ASFF_WRITE_OPTIONS_INIT;
    export_ctx x;
    asff_client *c;
    FILE *out = stdout;
    const char *out_path = NULL;
    char *filters = NULL, *sort = NULL;
    uint64_t n = 0;
    asff_status st;
    int i, rc = ASFF_EXIT_OK;
    for (i = 1; i < argc; i++)
        if (strcmp(argv[i], "--v2") == 0)
            return ops_export_v2(argc, argv);
    if (cli_take_aws(&argc, argv, &g) != 0)
        return ASFF_EXIT_USAGE;
    for (i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            usage(stdout);
            return ASFF_EXIT_OK;
        } else if (strcmp(argv[i], "--filters") == 0 && i + 1 < argc) {
            const char *v = argv[++i];
            free(filters);
            filters = v[0] == '@' ? read_all(v + 1) : strdup(v);
            if (!filters) {
                fprintf(stderr, "asff: %s: cannot read\n", v[0] == '@' ? v + 1 : "--filters");
                return ASFF_EXIT_IO;
            }
        } else if (strcmp(argv[i], "--sort") == 0 && i + 1 < argc) {
            char *colon;
            free(sort);
            sort = strdup(argv[++i]);
            colon = sort ? strrchr(sort, ':') : NULL;
            if (colon) {
                if (strcmp(colon + 1, "desc") == 0)
                    go.sort_descending = true;
                else if (strcmp(colon + 1, "asc") != 0) {
                    fprintf(stderr, "asff: --sort wants Field:asc or Field:desc\n");
                    free(sort);
                    free(filters);
                    return ASFF_EXIT_USAGE;
                }
                *colon = '\0';
            }
            go.sort_field = sort;
        } else if (strcmp(argv[i], "--format") == 0 && i + 1 < argc) {
            if (!cli_parse_format(argv[++i], &wo)) {
                fprintf(stderr, "asff: unknown format '%s'\n", argv[i]);
                free(sort);
                free(filters);
                return ASFF_EXIT_USAGE;
            }
        } else if (strcmp(argv[i], "--max") == 0 && i + 1 < argc)
            go.max_findings = strtoull(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
            out_path = argv[++i];
        else if (strcmp(argv[i], "--partition-by") == 0 && i + 1 < argc && (po.partition_by = argv[++i]) != NULL)
            ;
        else {
            usage(stderr);
            free(sort);
            free(filters);
            return ASFF_EXIT_USAGE;
        }
    }
    go.filters_json = filters;
    c = cli_make_client(&g, NULL);
    if (!c) {
        free(sort);
        free(filters);
        return ASFF_EXIT_IO;
    }
    memset(&x, 0, sizeof x);
    if (po.partition_by && (!out_path || asff_partition_writer_new(out_path, &po, &x.part, &x.err) != ASFF_OK)) {
        fprintf(stderr, "asff: --partition-by needs -o DIR: %s\n", out_path ? x.err.message : "none given");
        asff_client_free(c);
        free(sort);
        free(filters);
        return ASFF_EXIT_USAGE;
    }
    if (out_path && !x.part && !(out = fopen(out_path, "w"))) {
        fprintf(stderr, "asff: %s: cannot open for writing\n", out_path);
        asff_client_free(c);
        free(sort);
        free(filters);
        return ASFF_EXIT_IO;
    }
    (void)asff_writer_new_file(out, &wo, &x.w, NULL);
    if (!x.w) {
        rc = ASFF_EXIT_IO;
    } else {
        st = asff_client_get_findings(c, &go, on_finding, &x, &n, &x.err);
        if (st == ASFF_OK)
            st = x.part ? asff_partition_writer_finish(x.part, &x.err) : asff_writer_finish(x.w, &x.err);
        if (st != ASFF_OK) {
            cli_client_error("export", &x.err);
            rc = st == ASFF_ERR_FILTER ? ASFF_EXIT_USAGE : ASFF_EXIT_IO;
        }
        asff_writer_free(x.w);
    }
    asff_partition_writer_free(x.part);
    if (out != stdout && fclose(out) != 0)
        rc = ASFF_EXIT_IO;
    asff_client_free(c);
    free(sort);
    free(filters);
    return rc;
}
