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
                 "  --gzip                with --partition-by: gzip-compressed files (part-00000.ndjson.gz)\n"
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
    const char *out_path = NULL, *filters_path = NULL;
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
            filters_path = v[0] == '@' ? v + 1 : NULL;
            filters = v[0] == '@' ? read_all(v + 1) : strdup(v);
            if (!filters) {
                char b[CLI_SHOW];
                fprintf(stderr, "asff export: --filters %s: cannot read\n", cli_show(b, sizeof b, v));
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
                char b[CLI_SHOW];
                fprintf(stderr, "asff export: --format: unknown format '%s'\n", cli_show(b, sizeof b, argv[i]));
                free(sort);
                free(filters);
                return ASFF_EXIT_USAGE;
            }
        } else if (strcmp(argv[i], "--max") == 0 && i + 1 < argc) {
            const char *v = argv[++i];
            char *end;
            errno = 0;
            go.max_findings = strtoull(v, &end, 10);
            if (errno || end == v || *end || v[0] == '-') {
                char b[CLI_SHOW];
                fprintf(stderr, "asff export: --max takes a number, not '%s'\n", cli_show(b, sizeof b, v));
                free(sort);
                free(filters);
                return ASFF_EXIT_USAGE;
            }
        } else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
            out_path = argv[++i];
        else if (strcmp(argv[i], "--partition-by") == 0 && i + 1 < argc && (po.partition_by = argv[++i]) != NULL)
            ;
        else if (strcmp(argv[i], "--gzip") == 0)
            po.gzip = true;
        else {
            char b[CLI_SHOW];
            fprintf(stderr, "asff export: %s '%s' (asff export --help)\n",
                    argv[i][0] == '-' && i + 1 >= argc ? "missing value for or unknown option" : "unknown option",
                    cli_show(b, sizeof b, argv[i]));
            free(sort);
            free(filters);
            return ASFF_EXIT_USAGE;
        }
        if (filters && out_path && filters_path && cli_same_file(out_path, 1, (char **)&filters_path)) {
            char b[CLI_SHOW];
            fprintf(stderr, "asff export: -o %s is also the --filters file: refused\n", cli_show(b, sizeof b, out_path));
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
    if (po.gzip && !po.partition_by) {
        fprintf(stderr, "asff export: --gzip goes with --partition-by\n");
        asff_client_free(c);
        free(sort);
        free(filters);
        return ASFF_EXIT_USAGE;
    }
    if (po.partition_by && (!out_path || asff_partition_writer_new(out_path, &po, &x.part, &x.err) != ASFF_OK)) {
        char b[CLI_SHOW];
        fprintf(stderr, "asff export: --partition-by needs -o DIR: %s\n",
                out_path ? cli_show(b, sizeof b, x.err.message) : "none given");
        asff_client_free(c);
        free(sort);
        free(filters);
        return ASFF_EXIT_USAGE;
    }
    if (out_path && !x.part && !(out = fopen(out_path, "w"))) {
        char b[CLI_SHOW];
        fprintf(stderr, "asff export: -o %s: %s\n", cli_show(b, sizeof b, out_path), strerror(errno));
        asff_client_free(c);
        free(sort);
        free(filters);
        return ASFF_EXIT_IO;
    }
    (void)asff_writer_new_file(out, &wo, &x.w, NULL);
    if (!x.w) {
        rc = ASFF_EXIT_IO;
    } else {
        asff_error ce = CLI_ERROR_INIT;
        st = asff_client_get_findings(c, &go, on_finding, &x, &n, &ce);
        if (st == ASFF_ERR_ABORTED && x.st != ASFF_OK) {
            /* our callback stopped it: the writer's error is the reason, not "stopped by the caller" */
            cli_print_error(out_path ? out_path : "<stdout>", &x.err);
            rc = ASFF_EXIT_IO;
        } else if (st != ASFF_OK) {
            cli_client_error("export", &ce);
            rc = cli_client_exit(st);
        } else if ((x.part ? asff_partition_writer_finish(x.part, &x.err) : asff_writer_finish(x.w, &x.err)) !=
                   ASFF_OK) {
            cli_print_error(out_path ? out_path : "<stdout>", &x.err);
            rc = ASFF_EXIT_IO;
        }
        asff_writer_free(x.w);
    }
    asff_partition_writer_free(x.part);
    if (out != stdout) {
        bool bad = ferror(out) != 0;
        if (fclose(out) != 0 || bad) {
            char b[CLI_SHOW];
            if (rc != ASFF_EXIT_IO)
                fprintf(stderr, "asff export: -o %s: write error: %s\n", cli_show(b, sizeof b, out_path),
                        strerror(errno));
            rc = ASFF_EXIT_IO;
        }
    }
    asff_client_free(c);
    free(sort);
    free(filters);
    return rc;
}
