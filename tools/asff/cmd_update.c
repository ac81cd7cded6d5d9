/*
 * asff update: BatchUpdateFindings over every finding GetFindings returns for filters, or over the
 * findings of files / stdin. The identifiers are collected first (and made unique), then updated in
 * calls of 100 (asff_client_batch_update_findings), so that an update which takes findings out of the
 * filter's result cannot disturb its pagination. One JSON line per finding: updated or failed.
 */
#include "ops_cli.h"
#include "asff/codec.h"

ASFF_CMD_PROTOTYPE(update);

const char asff_cmd_update_summary[] = "update findings (BatchUpdateFindings) selected by filters or read from files";

static void usage(FILE *out)
{
    fprintf(out, "usage: asff update (--filters JSON|@FILE | [FILE...]) CHANGE... [options]\n"
                 "Updates every finding that GetFindings returns for the filters, or the findings of the\n"
                 "files (stdin when none), in BatchUpdateFindings calls of 100 within the rate limits.\n\n"
                 "changes (at least one):\n"
                 "  --workflow STATUS          Workflow.Status (NEW, NOTIFIED, RESOLVED, SUPPRESSED)\n"
                 "  --severity LABEL           Severity.Label (INFORMATIONAL, LOW, MEDIUM, HIGH, CRITICAL)\n"
                 "  --note TEXT --updated-by WHO  Note (both together)\n"
                 "  --verification-state S     UNKNOWN, TRUE_POSITIVE, FALSE_POSITIVE, BENIGN_POSITIVE\n"
                 "  --confidence N             0..100\n"
                 "  --criticality N            0..100\n"
                 "  --user-defined-fields K=V  repeatable\n\n"
                 "options:\n"
                 "  --filters JSON|@FILE       AwsSecurityFindingFilters for GetFindings\n"
                 "  --dry-run                  check and split the request, send no update (no connection with\n"
                 "                             FILEs; with --filters GetFindings still selects the findings):\n"
                 "                             one line per BatchUpdateFindings call that would be made, then\n"
                 "                             \"N calls, M findings, B bytes\"\n"
                 "  --no-rate-limit            do not pace BatchUpdateFindings (10/s, burst 30) on this side\n" CLI_AWS_HELP
                 "Prints one JSON line per finding: {\"Id\",\"ProductArn\",\"Status\":\"updated\"} or\n"
                 "{..., \"Status\":\"failed\", \"ErrorCode\", \"ErrorMessage\"}. Exit 1 when any failed.\n");
}

typedef struct ident {
    char *id, *product_arn;
} ident;

typedef struct collect {
    ident *items;
    size_t count, cap;
    bool nomem;
} collect;

static void add_ident(collect *c, const char *id, const char *arn)
{
    if (c->count == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 256;
        ident *n = realloc(c->items, cap * sizeof *n);
        if (!n) {
            c->nomem = true;
            return;
        }
        c->items = n;
        c->cap = cap;
    }
    c->items[c->count].id = strdup(id ? id : "");
    c->items[c->count].product_arn = strdup(arn ? arn : "");
    if (!c->items[c->count].id || !c->items[c->count].product_arn) {
        c->nomem = true;
        return;
    }
    c->count++;
}

static int on_found(void *ctx, const asff_AwsSecurityFinding *f)
{
    collect *c = ctx;
    add_ident(c, f->Id, f->ProductArn);
    return c->nomem;
}

static int on_file_finding(void *ctx, void *finding, const asff_finding_info *info)
{
    (void)info;
    return on_found(ctx, finding);
}

static int cmp_ident(const void *a, const void *b)
{
    const ident *x = a, *y = b;
    int r = strcmp(x->product_arn, y->product_arn);
    return r ? r : strcmp(x->id, y->id);
}

typedef struct run {
    uint64_t updated, failed, warnings;
    cli_tally tally; /* --dry-run */
} run;

static void on_call(void *ctx, const asff_call_info *ci)
{
    run *r = ctx;
    if (!ci->sent)
        cli_tally_call(&r->tally, ci->operation, ci->region, NULL, ci->findings, ci->bytes);
}

static void on_warning(void *ctx, const char *message)
{
    run *r = ctx;
    r->warnings++;
    fprintf(stderr, "asff update: warning: %s\n", message); /* printable and redacted by the library */
}

static int on_outcome(void *ctx, const asff_update_outcome *o)
{
    run *r = ctx;
    yajl_gen g;
    if (o->error_code && strcmp(o->error_code, "DryRun") == 0)
        return 0; /* the call lines say it all */
    g = yajl_gen_alloc(cli_yajl_funcs());
    yajl_gen_config(g, yajl_gen_validate_utf8, 1);
    yajl_gen_map_open(g);
    cli_gen_kv(g, "Id", o->id ? o->id : "");
    cli_gen_kv(g, "ProductArn", o->product_arn ? o->product_arn : "");
    cli_gen_kv(g, "Status", o->processed ? "updated" : "failed");
    if (!o->processed) {
        cli_gen_kv(g, "ErrorCode", o->error_code ? o->error_code : "");
        cli_gen_kv(g, "ErrorMessage", o->error_message ? o->error_message : "");
        r->failed++;
    } else {
        r->updated++;
    }
    yajl_gen_map_close(g);
    printf("%s\n", cli_gen_text(g));
    yajl_gen_free(g);
    return 0;
}

static bool is_int(const char *s)
{
    char *end;
    if (!*s)
        return false;
    (void)strtol(s, &end, 10);
    return *end == '\0';
}

int asff_cmd_update(int argc, char **argv)
{
    cli_aws g;
    const char *workflow = NULL, *severity = NULL, *note = NULL, *by = NULL, *vstate = NULL;
    const char *confidence = NULL, *criticality = NULL, *udf[128];
    char *filters = NULL, *files[256];
    int nudf = 0, nfiles = 0, i, rc = ASFF_EXIT_OK;
    bool dry = false, no_rate = false;
    collect col;
    yajl_gen changes;
    asff_client *c = NULL;
    run r;
    size_t k, n;
    if (cli_take_aws(&argc, argv, &g) != 0)
        return ASFF_EXIT_USAGE;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **slot = NULL;
        if (cli_is_help(a)) {
            usage(stdout);
            free(filters);
            return ASFF_EXIT_OK;
        }
        if (strcmp(a, "--workflow") == 0)
            slot = &workflow;
        else if (strcmp(a, "--severity") == 0)
            slot = &severity;
        else if (strcmp(a, "--note") == 0)
            slot = &note;
        else if (strcmp(a, "--updated-by") == 0)
            slot = &by;
        else if (strcmp(a, "--verification-state") == 0)
            slot = &vstate;
        else if (strcmp(a, "--confidence") == 0)
            slot = &confidence;
        else if (strcmp(a, "--criticality") == 0)
            slot = &criticality;
        if (slot || strcmp(a, "--user-defined-fields") == 0 || strcmp(a, "--filters") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "asff update: %s needs a value\n", a);
                free(filters);
                return ASFF_EXIT_USAGE;
            }
            if (slot) {
                *slot = argv[++i];
            } else if (strcmp(a, "--filters") == 0) {
                size_t len;
                free(filters);
                if (!(filters = cli_read_arg(argv[++i], &len)))
                    return ASFF_EXIT_IO;
            } else {
                if (!strchr(argv[i + 1], '=') || argv[i + 1][0] == '=' || nudf == 128) {
                    fprintf(stderr, "asff update: --user-defined-fields wants KEY=VALUE\n");
                    free(filters);
                    return ASFF_EXIT_USAGE;
                }
                udf[nudf++] = argv[++i];
            }
        } else if (strcmp(a, "--dry-run") == 0) {
            dry = true;
        } else if (strcmp(a, "--no-rate-limit") == 0) {
            no_rate = true;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "asff update: unknown option %s\n", a);
            free(filters);
            return ASFF_EXIT_USAGE;
        } else if (nfiles < 256) {
            files[nfiles++] = argv[i];
        } else {
            fprintf(stderr, "asff update: too many files\n");
            free(filters);
            return ASFF_EXIT_USAGE;
        }
    }
    if (!workflow && !severity && !note && !by && !vstate && !confidence && !criticality && !nudf) {
        fprintf(stderr, "asff update: nothing to change (--workflow, --severity, --note, ...)\n");
        free(filters);
        return ASFF_EXIT_USAGE;
    }
    if (!note != !by) {
        fprintf(stderr, "asff update: %s needs %s\n", note ? "--note" : "--updated-by", note ? "--updated-by" : "--note");
        free(filters);
        return ASFF_EXIT_USAGE;
    }
    if ((confidence && !is_int(confidence)) || (criticality && !is_int(criticality))) {
        fprintf(stderr, "asff update: %s wants an integer\n", confidence && !is_int(confidence) ? "--confidence"
                                                                                                   : "--criticality");
        free(filters);
        return ASFF_EXIT_USAGE;
    }
    if (filters && nfiles) {
        fprintf(stderr, "asff update: --filters or FILEs, not both\n");
        free(filters);
        return ASFF_EXIT_USAGE;
    }
    /* the changes, as the members of every call besides FindingIdentifiers */
    changes = yajl_gen_alloc(cli_yajl_funcs());
    yajl_gen_map_open(changes);
    if (workflow) {
        cli_gen_str(changes, "Workflow");
        yajl_gen_map_open(changes);
        cli_gen_kv(changes, "Status", workflow);
        yajl_gen_map_close(changes);
    }
    if (severity) {
        cli_gen_str(changes, "Severity");
        yajl_gen_map_open(changes);
        cli_gen_kv(changes, "Label", severity);
        yajl_gen_map_close(changes);
    }
    if (note) {
        cli_gen_str(changes, "Note");
        yajl_gen_map_open(changes);
        cli_gen_kv(changes, "Text", note);
        cli_gen_kv(changes, "UpdatedBy", by);
        yajl_gen_map_close(changes);
    }
    if (vstate)
        cli_gen_kv(changes, "VerificationState", vstate);
    if (confidence) {
        cli_gen_str(changes, "Confidence");
        yajl_gen_number(changes, confidence, strlen(confidence));
    }
    if (criticality) {
        cli_gen_str(changes, "Criticality");
        yajl_gen_number(changes, criticality, strlen(criticality));
    }
    if (nudf) {
        cli_gen_str(changes, "UserDefinedFields");
        yajl_gen_map_open(changes);
        for (i = 0; i < nudf; i++) {
            const char *eq = strchr(udf[i], '=');
            yajl_gen_string(changes, (const unsigned char *)udf[i], (size_t)(eq - udf[i]));
            cli_gen_str(changes, eq + 1);
        }
        yajl_gen_map_close(changes);
    }
    yajl_gen_map_close(changes);
    /* check the request shape once, with a stand-in identifier, before reading or sending anything */
    {
        const char *ch = cli_gen_text(changes);
        size_t cl = strlen(ch);
        char *probe = malloc(cl + 64);
        asff_error e;
        asff_status st;
        if (!probe) {
            yajl_gen_free(changes);
            free(filters);
            return ASFF_EXIT_IO;
        }
        snprintf(probe, cl + 64, "{\"FindingIdentifiers\":[{\"Id\":\"x\",\"ProductArn\":\"x\"}]%s%s",
                 cl > 2 ? "," : "", ch + 1);
        st = asff_operation_check("BatchUpdateFindings", probe, strlen(probe), &e);
        free(probe);
        if (st != ASFF_OK) {
            fprintf(stderr, "asff update: %s\n", e.message);
            yajl_gen_free(changes);
            free(filters);
            return ASFF_EXIT_USAGE;
        }
    }
    memset(&col, 0, sizeof col);
    memset(&r, 0, sizeof r);
    {
        c = cli_make_client(&g, NULL);
        if (!c) {
            yajl_gen_free(changes);
            free(filters);
            return ASFF_EXIT_IO;
        }
        if (no_rate) /* else the default rate stays */
            (void)asff_client_set_rate(c, ASFF_OP_BatchUpdateFindings, 0, 0);
    }
    if (filters) {
        asff_get_findings_options go = ASFF_GET_FINDINGS_OPTIONS_INIT;
        asff_error e;
        go.filters_json = filters;
        if (asff_client_get_findings(c, &go, on_found, &col, NULL, &e) != ASFF_OK) {
            cli_client_error("update: GetFindings", &e);
            rc = e.code == ASFF_ERR_FILTER || e.code == ASFF_ERR_INVALID_ARG ? ASFF_EXIT_USAGE : ASFF_EXIT_IO;
            goto done;
        }
    } else {
        asff_parse_options po = ASFF_PARSE_OPTIONS_INIT;
        rc = cli_parse_inputs(nfiles, files, &po, on_file_finding, &col);
        if (rc != ASFF_EXIT_OK)
            goto done;
    }
    if (col.nomem) {
        fprintf(stderr, "asff update: out of memory\n");
        rc = ASFF_EXIT_IO;
        goto done;
    }
    /* one update per finding, however often it was listed */
    if (col.count)
        qsort(col.items, col.count, sizeof *col.items, cmp_ident);
    for (k = 0, n = 0; k < col.count; k++) {
        if (n && cmp_ident(&col.items[n - 1], &col.items[k]) == 0) {
            free(col.items[k].id);
            free(col.items[k].product_arn);
            continue;
        }
        col.items[n++] = col.items[k];
    }
    col.count = n;
    for (k = 0; k < col.count; k += 100) {
        size_t end = k + 100 < col.count ? k + 100 : col.count, j;
        yajl_gen req = yajl_gen_alloc(cli_yajl_funcs());
        const char *ch = cli_gen_text(changes);
        asff_error e;
        asff_status st;
        const unsigned char *buf;
        size_t len;
        yajl_gen_map_open(req);
        cli_gen_str(req, "FindingIdentifiers");
        yajl_gen_array_open(req);
        for (j = k; j < end; j++) {
            yajl_gen_map_open(req);
            cli_gen_kv(req, "Id", col.items[j].id);
            cli_gen_kv(req, "ProductArn", col.items[j].product_arn);
            yajl_gen_map_close(req);
        }
        yajl_gen_array_close(req);
        yajl_gen_get_buf(req, &buf, &len);
        {
            /* FindingIdentifiers, then the changes' members */
            size_t cl = strlen(ch), total = len + cl + 2;
            char *text = malloc(total);
            if (!text) {
                yajl_gen_free(req);
                rc = ASFF_EXIT_IO;
                goto done;
            }
            memcpy(text, buf, len);
            if (cl > 2) {
                text[len] = ',';
                memcpy(text + len + 1, ch + 1, cl - 1);
                text[len + cl] = '\0';
            } else {
                memcpy(text + len, "}", 2);
            }
            asff_update_options uo = ASFF_UPDATE_OPTIONS_INIT;
            uo.on_warning = on_warning;
            uo.dry_run = dry;
            uo.on_call = on_call;
            st = asff_client_batch_update_findings(c, text, strlen(text), &uo, on_outcome, &r, NULL, &e);
            free(text);
        }
        yajl_gen_free(req);
        if (st != ASFF_OK && st != ASFF_ERR_PARTIAL) {
            cli_client_error("update", &e);
            rc = ASFF_EXIT_IO;
            goto done;
        }
    }
    if (dry) {
        cli_tally_print(&r.tally);
        rc = ASFF_EXIT_OK;
        goto done;
    }
    fflush(stdout);
    fprintf(stderr, "asff update: %llu updated, %llu failed", (unsigned long long)r.updated,
            (unsigned long long)r.failed);
    if (r.warnings)
        fprintf(stderr, ", %llu warnings about the answers", (unsigned long long)r.warnings);
    fputc('\n', stderr);
    rc = r.failed ? ASFF_EXIT_FINDINGS : ASFF_EXIT_OK;
done:
    for (k = 0; k < col.count; k++) {
        free(col.items[k].id);
        free(col.items[k].product_arn);
    }
    free(col.items);
    yajl_gen_free(changes);
    free(filters);
    asff_client_free(c);
    return rc;
}
