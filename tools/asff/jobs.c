/* --jobs N of fmt, validate, filter and insight: regular files read by asff_parse_file_parallel
 * (docs/codec.md, Parallel reading), output and messages exactly as with one job. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cli.h"

unsigned cli_jobs = 1; /* the commands with --jobs set 0 (one per core) before reading options */
cli_work_hook cli_work = {NULL, NULL, NULL, false};

static bool have_result;
static void *result;

unsigned cli_jobs_count(void)
{
    long n;
    if (cli_jobs)
        return cli_jobs;
    n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1u : n > 256 ? 256u : (unsigned)n;
}

int cli_take_jobs(const char *cmd, int argc, char **argv, int *i)
{
    const char *a = argv[*i], *v;
    char *end;
    unsigned long n;
    if (strcmp(a, "--jobs") == 0)
        v = *i + 1 < argc ? argv[++*i] : NULL;
    else if (strncmp(a, "--jobs=", 7) == 0)
        v = a + 7;
    else
        return -1;
    errno = 0;
    n = v && v[0] >= '0' && v[0] <= '9' ? strtoul(v, &end, 10) : 0;
    if (!v || !(v[0] >= '0' && v[0] <= '9') || *end || errno || n > 256) {
        fprintf(stderr, "asff %s: --jobs takes a number of threads, 0 to 256 (0: one per core)\n", cmd);
        return ASFF_EXIT_USAGE;
    }
    cli_jobs = (unsigned)n;
    return ASFF_EXIT_OK;
}

bool cli_work_result(void **out)
{
    if (!have_result)
        return false;
    *out = result;
    have_result = false;
    return true;
}

typedef struct jrelay {
    asff_finding_fn fn;
    void *ctx;
    const char *file;
    unsigned long skipped;
    cli_error_fn efn;
    void *ectx;
} jrelay;

static int relay_finding(void *ctx, void *finding, const asff_finding_info *info, void *work)
{
    jrelay *r = ctx;
    int rc;
    have_result = cli_work.fn != NULL;
    result = work;
    rc = r->fn(r->ctx, finding, info);
    if (have_result && cli_work.free && work)
        cli_work.free(cli_work.ctx, work); /* the command did not take it */
    have_result = false;
    return rc;
}

static int relay_error(void *ctx, const asff_error *err, const asff_finding_info *info)
{
    jrelay *r = ctx;
    (void)info;
    cli_print_error(r->file, err);
    if (r->efn)
        r->efn(r->ectx, r->file, err);
    r->skipped++;
    return 0;
}

int cli_parse_parallel(FILE *in, const char *name, const asff_parse_options *opts, asff_finding_fn fn, void *ctx,
                       cli_error_fn efn, void *ectx)
{
    asff_parallel_options o = ASFF_PARALLEL_OPTIONS_INIT;
    asff_error err = CLI_ERROR_INIT;
    jrelay r = {fn, ctx, name, 0, efn, ectx};
    const char *part = getenv("ASFF_JOBS_PART_SIZE"); /* tests: tiny parts, every boundary exercised */
    asff_status st;
    o.jobs = cli_jobs_count();
    o.part_size = part ? (size_t)strtoull(part, NULL, 10) : 0;
    o.work = cli_work.fn;
    o.work_ctx = cli_work.ctx;
    o.work_free = cli_work.free;
    o.flags = cli_work.sparse ? ASFF_PARALLEL_SPARSE : 0;
    st = asff_parse_file_parallel(in, opts, &o, relay_finding, relay_error, &r, &err);
    if (st == ASFF_ERR_ABORTED)
        return ASFF_EXIT_IO;
    if (st != ASFF_OK) {
        cli_print_error(name, &err);
        if (efn)
            efn(ectx, name, &err);
        return st == ASFF_ERR_NOMEM || st == ASFF_ERR_IO ? ASFF_EXIT_IO : ASFF_EXIT_FINDINGS;
    }
    return r.skipped ? ASFF_EXIT_FINDINGS : ASFF_EXIT_OK;
}

bool cli_parallel_input(FILE *in)
{
    struct stat sb;
    /* stdin too when it is a regular file (`asff filter < FILE`): read from where it stands */
    return cli_jobs_count() > 1 && fstat(fileno(in), &sb) == 0 && S_ISREG(sb.st_mode);
}
