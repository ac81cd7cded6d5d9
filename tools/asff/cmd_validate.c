/* asff validate: check findings against Security Hub's rules (docs/validate.md). */
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>
#include "cli.h"

ASFF_CMD_PROTOTYPE(validate);

const char asff_cmd_validate_summary[] = "check findings against Security Hub's rules (errors, warnings)";

static void help(FILE *out)
{
    fprintf(out,
            "usage: asff validate [--strict] [--batch] [--no-service-owned] [--format text|json]\n"
            "                     [--jobs N] [FILE...]\n\n"
            "Checks every finding of FILEs (stdin when none or '-') against the rules Security Hub applies\n"
            "on import (docs/validate.md lists them with their ids).\n\n"
            "  --strict            warnings count as failures; a Types namespace outside the ASFF\n"
            "                      taxonomy is an error\n"
            "  --batch             also check each file as one BatchImportFindings request: duplicate\n"
            "                      (ProductArn, Id), several accounts or Regions, the 100-finding and\n"
            "                      6 MB limits (keeps the file's findings in memory)\n"
            "  --no-service-owned  no warnings for members Security Hub sets itself (Region,\n"
            "                      ProcessedAt, ProductName, CompanyName): for GetFindings exports\n"
            "  --format text       one line per violation and a summary line (default):\n"
            "                      FILE: finding N (Id ID): PATH: LEVEL: MESSAGE [RULE]\n"
            "  --valid-out FILE    write the findings without errors there (NDJSON), as asff import sends\n"
            "  --invalid-out FILE  write the findings with errors there (NDJSON), as asff import refuses\n"
            "  --format json       one JSON object per file on stdout:\n"
            "                      {\"file\":...,\"findings\":N,\"input_errors\":N,\"input_error_list\":[...],\n"
            "                       \"report\":{\"errors\":..,\"violations\":[...]}} (input errors: findings\n"
            "                      that could not be read, with code, message, path, line, column)\n"
            "  --jobs N            read and check regular files on N threads (default: one per core;\n"
            "                      1: one thread); the output is the same whatever N\n\n"
            "exit codes: 0 no errors; 1 errors (with --strict: warnings too) or unreadable findings;\n"
            "            2 usage; 3 I/O or internal error\n");
}

typedef struct vctx {
    const char *file;
    bool json, batch;
    asff_validate_options vo;
    asff_report *report;
    uint64_t findings;
    /* --batch: the file's findings, owned here */
    asff_AwsSecurityFinding **kept;
    size_t nkept, capkept;
    bool nomem;
    asff_writer *valid_out, *invalid_out; /* --valid-out, --invalid-out */
    bool write_failed;
    /* --format json: the file's input errors (unreadable findings, broken input), as JSON items */
    yajl_gen perr;
    unsigned long nperr;
    /* --jobs, text format: what the reading threads found (not kept in the report) */
    size_t w_errors, w_warnings, w_advice;
} vctx;

/* --valid-out / --invalid-out: the finding goes to one of them (errors decide, as asff import does). */
static void split_out(vctx *c, const asff_AwsSecurityFinding *f, bool has_errors)
{
    asff_writer *w = has_errors ? c->invalid_out : c->valid_out;
    asff_error e;
    if (w && asff_writer_write(w, f, &e) != ASFF_OK)
        c->write_failed = true;
}

/* At most this many input errors are listed in a JSON report (all are counted). */
#define MAX_LISTED_ERRORS 1000

static void gen_str(yajl_gen g, const char *s)
{
    yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

static void on_input_error(void *ctx, const char *file, const asff_error *err)
{
    vctx *c = ctx;
    yajl_gen g = c->perr;
    (void)file;
    if (!g || c->nperr++ >= MAX_LISTED_ERRORS)
        return;
    yajl_gen_map_open(g);
    gen_str(g, "code");
    gen_str(g, asff_status_name(err->code));
    gen_str(g, "message");
    gen_str(g, err->message);
    gen_str(g, "path");
    gen_str(g, err->path);
    if (err->line) {
        gen_str(g, "line");
        yajl_gen_integer(g, (long long)err->line);
        gen_str(g, "column");
        yajl_gen_integer(g, (long long)err->column);
    }
    gen_str(g, "offset");
    yajl_gen_integer(g, (long long)err->offset);
    yajl_gen_map_close(g);
}

/* A violation's text line fits in this. */
#define LINE_SIZE (4 * CLI_SHOW + ASFF_ERROR_PATH_SIZE + 1024 + 64)

/* One violation as a text line into buf[LINE_SIZE]; every value from the finding escaped and bounded
 * (docs/cli.md). Returns its length. */
static size_t format_violation(char *buf, const char *file, const asff_violation *v, const char *id)
{
    char f[CLI_SHOW], i[CLI_SHOW], p[ASFF_ERROR_PATH_SIZE], m[1024], r[CLI_SHOW];
    int n;
    cli_show(p, sizeof p, v->path);
    n = snprintf(buf, LINE_SIZE, "%s: finding %llu%s%s%s: %s%s%s: %s [%s]\n", cli_show(f, sizeof f, file),
                 (unsigned long long)v->finding, id ? " (Id " : "", id ? cli_show(i, sizeof i, id) : "", id ? ")" : "",
                 p, p[0] ? ": " : "", asff_level_name(v->level), cli_show(m, sizeof m, v->message),
                 cli_show(r, sizeof r, v->rule));
    return n < 0 ? 0 : (size_t)n < LINE_SIZE ? (size_t)n : LINE_SIZE - 1;
}

static void print_violation(const vctx *c, const asff_violation *v, const char *id)
{
    char line[LINE_SIZE];
    fwrite(line, 1, format_violation(line, c->file, v, id), stdout);
}

static void print_text(vctx *c, size_t from, const char *const *ids)
{
    size_t i;
    for (i = from; i < asff_report_count(c->report); i++) {
        const asff_violation *v = asff_report_get(c->report, i);
        print_violation(c, v, ids ? ids[v->finding] : NULL);
    }
}

/* --jobs: each finding is checked on a reading thread, into that thread's scratch report; what it
 * found comes here in one block (vpack), in order: the text lines and the counts (text), or the
 * violations for the file's report (json). */
typedef struct vwork {
    asff_validate_options vo;
    const vctx *c;          /* its file name and format (fixed while a file is read) */
    asff_report **scratch;  /* one per thread */
} vwork;

typedef struct vpack {
    bool failed;            /* out of memory on the thread: checked here again */
    size_t errors, warnings, advice;
    size_t text_len;        /* text: the lines, after the violations */
    char *text;
    size_t n;               /* json: the violations, then their strings */
    asff_violation v[];
} vpack;

static char *pack_str(char **at, const char *s)
{
    char *d = *at;
    size_t n;
    if (!s)
        return NULL;
    n = strlen(s) + 1;
    memcpy(d, s, n);
    *at += n;
    return d;
}

static void *validate_work(void *ctx, unsigned worker, const void *finding, const asff_finding_info *info)
{
    static vpack failed = {.failed = true};
    vwork *w = ctx;
    asff_validate_options vo = w->vo;
    asff_report *r = w->scratch[worker];
    asff_status st;
    size_t i, n, bytes;
    vpack *pk;
    char *at;
    vo.index = info->index;
    asff_report_clear(r);
    st = asff_validate(finding, &vo, r);
    if (st != ASFF_OK && st != ASFF_ERR_INVALID)
        return &failed;
    if ((n = asff_report_count(r)) == 0)
        return NULL; /* nothing to report */
    if (!w->c->json) {
        const char *id = ((const asff_AwsSecurityFinding *)finding)->Id;
        char line[LINE_SIZE];
        size_t cap = 1024;
        if (!(pk = malloc(sizeof *pk + cap)))
            return &failed;
        memset(pk, 0, sizeof *pk);
        for (i = 0; i < n; i++) {
            size_t len = format_violation(line, w->c->file, asff_report_get(r, i), id);
            if (pk->text_len + len > cap) {
                vpack *grown = realloc(pk, sizeof *pk + (cap = 2 * (pk->text_len + len)));
                if (!grown) {
                    free(pk);
                    return &failed;
                }
                pk = grown;
            }
            memcpy((char *)&pk->v[0] + pk->text_len, line, len);
            pk->text_len += len;
        }
        pk->text = (char *)&pk->v[0];
        pk->errors = asff_report_errors(r);
        pk->warnings = asff_report_warnings(r);
        pk->advice = asff_report_advice(r);
        return pk;
    }
    bytes = sizeof *pk + n * sizeof pk->v[0];
    for (i = 0; i < n; i++) {
        const asff_violation *v = asff_report_get(r, i);
        const char *s[6] = {v->rule, v->ref, v->path, v->message, v->limit, v->actual};
        size_t k;
        for (k = 0; k < 6; k++)
            bytes += s[k] ? strlen(s[k]) + 1 : 0;
    }
    if (!(pk = malloc(bytes)))
        return &failed;
    memset(pk, 0, sizeof *pk);
    pk->n = n;
    pk->errors = asff_report_errors(r);
    at = (char *)&pk->v[n];
    for (i = 0; i < n; i++) {
        const asff_violation *v = asff_report_get(r, i);
        pk->v[i] = *v;
        pk->v[i].rule = pack_str(&at, v->rule);
        pk->v[i].ref = pack_str(&at, v->ref);
        pk->v[i].path = pack_str(&at, v->path);
        pk->v[i].message = pack_str(&at, v->message);
        pk->v[i].limit = pack_str(&at, v->limit);
        pk->v[i].actual = pack_str(&at, v->actual);
    }
    return pk;
}

static void validate_work_free(void *ctx, void *result)
{
    (void)ctx;
    if (result && !((vpack *)result)->failed)
        free(result);
}

static int on_finding(void *ctx, void *finding, const asff_finding_info *info)
{
    vctx *c = ctx;
    asff_AwsSecurityFinding *f = finding;
    void *worked;
    c->vo.index = info->index;
    c->findings++;
    if (!c->batch && cli_work_result(&worked) && (!worked || !((vpack *)worked)->failed)) {
        /* checked on a reading thread */
        vpack *pk = worked;
        bool nomem = pk && pk->n && asff_report_add(c->report, pk->v, pk->n) != ASFF_OK;
        if (pk && !c->json) {
            fwrite(pk->text, 1, pk->text_len, stdout);
            c->w_errors += pk->errors;
            c->w_warnings += pk->warnings;
            c->w_advice += pk->advice;
        }
        split_out(c, f, pk && pk->errors);
        validate_work_free(NULL, pk);
        if (nomem) {
            c->nomem = true;
            return 1;
        }
        return 0;
    }
    if (c->batch) {
        if (c->nkept == c->capkept) {
            size_t cap = c->capkept ? c->capkept * 2 : 64;
            asff_AwsSecurityFinding **k = realloc(c->kept, cap * sizeof *k);
            if (!k) {
                c->nomem = true;
                asff_object_free(f);
                return 1;
            }
            c->kept = k;
            c->capkept = cap;
        }
        c->kept[c->nkept++] = f;  /* validated with the whole file */
        return 0;
    }
    {
        size_t from = asff_report_count(c->report);
        asff_status st = asff_validate(f, &c->vo, c->report);
        if (st != ASFF_OK && st != ASFF_ERR_INVALID) {
            c->nomem = true;
            return 1;
        }
        split_out(c, f, st == ASFF_ERR_INVALID);
        if (!c->json) {
            size_t i;
            for (i = from; i < asff_report_count(c->report); i++)
                print_violation(c, asff_report_get(c->report, i), f->Id);
        }
    }
    return 0;
}

static void print_json(vctx *c)
{
    const char *json;
    yajl_gen g = yajl_gen_alloc(cli_yajl_funcs());
    const unsigned char *buf, *ebuf;
    size_t len, elen;
    if (!g || asff_report_to_json(c->report, &json, NULL) != ASFF_OK) {
        if (g)
            yajl_gen_free(g);
        c->nomem = true;
        return;
    }
    yajl_gen_string(g, (const unsigned char *)c->file, strlen(c->file));  /* escaping is yajl's job */
    yajl_gen_get_buf(g, &buf, &len);
    yajl_gen_array_close(c->perr);
    yajl_gen_get_buf(c->perr, &ebuf, &elen);
    printf("{\"file\":%.*s,\"findings\":%llu,\"input_errors\":%lu,\"input_error_list\":%.*s,\"report\":%s}\n",
           (int)len, (const char *)buf, (unsigned long long)c->findings, c->nperr, (int)elen, (const char *)ebuf, json);
    yajl_gen_free(g);
}

int asff_cmd_validate(int argc, char **argv)
{
    asff_parse_options po = ASFF_PARSE_OPTIONS_INIT;
    vctx c;
    int i, rc = ASFF_EXIT_OK, nfiles, jrc;
    vwork work;
    unsigned nscratch = 0, k2;
    bool strict = false;
    const char *valid_path = NULL, *invalid_path = NULL;
    FILE *valid_file = NULL, *invalid_file = NULL;
    char *stdin_name[1] = {"-"};
    char **files;
    unsigned long long total = 0, errors = 0, warnings = 0, advice = 0;
    memset(&c, 0, sizeof c);
    c.vo = (asff_validate_options)ASFF_VALIDATE_OPTIONS_INIT;
    cli_jobs = 0; /* --jobs: one thread per core unless told */
    for (i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            help(stdout);
            return ASFF_EXIT_OK;
        } else if (strcmp(argv[i], "--strict") == 0) {
            strict = true;
            c.vo.strict_taxonomy = true;
        } else if (strcmp(argv[i], "--batch") == 0) {
            c.batch = true;
        } else if ((strcmp(argv[i], "--valid-out") == 0 || strcmp(argv[i], "--invalid-out") == 0) && i + 1 < argc) {
            *(argv[i][2] == 'v' ? &valid_path : &invalid_path) = argv[i + 1];
            i++;
        } else if ((jrc = cli_take_jobs("validate", argc, argv, &i)) >= 0) {
            if (jrc)
                return jrc;
        } else if (strcmp(argv[i], "--no-service-owned") == 0) {
            c.vo.skip_service_owned = true;
        } else if (strcmp(argv[i], "--format") == 0 || strncmp(argv[i], "--format=", 9) == 0) {
            const char *v = argv[i][8] == '=' ? argv[i] + 9 : (i + 1 < argc ? argv[++i] : NULL);
            if (!v || (strcmp(v, "text") != 0 && strcmp(v, "json") != 0)) {
                fprintf(stderr, "asff validate: --format takes text or json\n");
                return ASFF_EXIT_USAGE;
            }
            c.json = strcmp(v, "json") == 0;
        } else if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            char b[CLI_SHOW];
            fprintf(stderr, "asff validate: unknown option '%s' (asff validate --help)\n", cli_show(b, sizeof b, argv[i]));
            return ASFF_EXIT_USAGE;
        } else {
            break;
        }
    }
    {
        asff_write_options wo = ASFF_WRITE_OPTIONS_INIT;
        if ((valid_path && !(valid_file = fopen(valid_path, "w"))) ||
            (invalid_path && !(invalid_file = fopen(invalid_path, "w")))) {
            fprintf(stderr, "asff validate: %s: cannot open for writing\n",
                    valid_path && !valid_file ? valid_path : invalid_path);
            if (valid_file)
                fclose(valid_file);
            return ASFF_EXIT_IO;
        }
        c.valid_out = NULL;
        if (valid_file)
            (void)asff_writer_new_file(valid_file, &wo, &c.valid_out, NULL);
        c.invalid_out = NULL;
        if (invalid_file)
            (void)asff_writer_new_file(invalid_file, &wo, &c.invalid_out, NULL);
        if ((valid_file && !c.valid_out) || (invalid_file && !c.invalid_out))
            c.write_failed = true;
    }
    (void)asff_report_new(NULL, &c.report, NULL);
    if (!c.report) {
        fprintf(stderr, "asff validate: out of memory\n");
        return ASFF_EXIT_IO;
    }
    memset(&work, 0, sizeof work);
    if (!c.batch && cli_jobs_count() > 1) {
        /* a scratch report per reading thread; without them the findings are checked here */
        work.vo = c.vo;
        work.c = &c;
        nscratch = cli_jobs_count();
        work.scratch = calloc(nscratch, sizeof *work.scratch);
        for (k2 = 0; work.scratch && k2 < nscratch; k2++)
            if (asff_report_new(NULL, &work.scratch[k2], NULL) != ASFF_OK)
                break;
        if (work.scratch && k2 == nscratch) {
            cli_work.fn = validate_work;
            cli_work.ctx = &work;
            cli_work.free = validate_work_free;
            cli_work.sparse = !c.valid_out; /* a finding with nothing to say is only counted */
        }
    }
    po.keep = c.batch;
    po.skip_invalid = true;  /* report a finding that does not fit the model and go on */
    nfiles = argc - i;
    files = nfiles ? argv + i : stdin_name;
    if (!nfiles)
        nfiles = 1;
    for (i = 0; i < nfiles; i++) {
        int frc;
        size_t k;
        c.file = strcmp(files[i], "-") == 0 ? "<stdin>" : files[i];
        c.findings = 0;
        c.w_errors = c.w_warnings = c.w_advice = 0;
        asff_report_clear(c.report);
        c.nperr = 0;
        if (c.json) {
            if (c.perr)
                yajl_gen_free(c.perr);
            if (!(c.perr = yajl_gen_alloc(cli_yajl_funcs())) || yajl_gen_array_open(c.perr) != yajl_gen_status_ok) {
                c.nomem = true;
                break;
            }
        }
        frc = cli_parse_inputs_errors(1, files + i, &po, on_finding, &c, on_input_error, &c);
        if (c.batch) {
            const char **ids = malloc((c.nkept ? c.nkept : 1) * sizeof *ids);
            asff_status st;
            if (!ids) {
                c.nomem = true;
            } else {
                for (k = 0; k < c.nkept; k++)
                    ids[k] = c.kept[k]->Id;
                c.vo.index = 0;  /* violation.finding = position in the file, which indexes ids */
                st = asff_validate_batch((const asff_AwsSecurityFinding *const *)c.kept, c.nkept, &c.vo, c.report);
                if (st != ASFF_OK && st != ASFF_ERR_INVALID)
                    c.nomem = true;
                else if (!c.json)
                    print_text(&c, 0, ids);
                free(ids);
                for (k = 0; k < c.nkept && (c.valid_out || c.invalid_out); k++) {
                    size_t v;
                    bool bad = false;
                    for (v = 0; v < asff_report_count(c.report) && !bad; v++) {
                        const asff_violation *x = asff_report_get(c.report, v);
                        bad = x->level == ASFF_LEVEL_ERROR && x->finding == k;
                    }
                    split_out(&c, c.kept[k], bad);
                }
            }
            for (k = 0; k < c.nkept; k++)
                asff_object_free(c.kept[k]);
            c.nkept = 0;
        }
        if (c.json)
            print_json(&c);
        total += c.findings;
        errors += asff_report_errors(c.report) + c.w_errors;
        warnings += asff_report_warnings(c.report) + c.w_warnings;
        advice += asff_report_advice(c.report) + c.w_advice;
        if (c.nomem) {
            fprintf(stderr, "asff validate: out of memory\n");
            frc = ASFF_EXIT_IO;
        }
        if (frc > rc)
            rc = frc;
        if (frc == ASFF_EXIT_IO)
            break;
    }
    if (!c.json) {
        printf("%llu findings: %llu errors, %llu warnings", total, errors, warnings);
        if (advice)
            printf(", %llu advice", advice);
        printf("\n");
    }
    if (rc == ASFF_EXIT_OK && (errors || (strict && warnings)))
        rc = ASFF_EXIT_FINDINGS;
    {
        asff_error e;
        if ((c.valid_out && asff_writer_finish(c.valid_out, &e) != ASFF_OK) ||
            (c.invalid_out && asff_writer_finish(c.invalid_out, &e) != ASFF_OK))
            c.write_failed = true;
        asff_writer_free(c.valid_out);
        asff_writer_free(c.invalid_out);
        if (valid_file && fclose(valid_file) != 0)
            c.write_failed = true;
        if (invalid_file && fclose(invalid_file) != 0)
            c.write_failed = true;
        if (c.write_failed) {
            fprintf(stderr, "asff validate: cannot write --valid-out / --invalid-out\n");
            rc = ASFF_EXIT_IO;
        }
    }
    if (c.nomem && rc != ASFF_EXIT_IO) {
        fprintf(stderr, "asff validate: out of memory\n");
        rc = ASFF_EXIT_IO;
    }
    if (c.perr)
        yajl_gen_free(c.perr);
    cli_work.fn = NULL;
    cli_work.free = NULL;
    cli_work.sparse = false;
    for (k2 = 0; work.scratch && k2 < nscratch; k2++)
        asff_report_free(work.scratch[k2]);
    free(work.scratch);
    free(c.kept);
    asff_report_free(c.report);
    return rc;
}
