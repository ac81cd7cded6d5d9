/* Shared pieces of the asff tool's commands. */
#ifndef ASFF_CLI_H
#define ASFF_CLI_H

#include <stdio.h>
#include <yajl/yajl_gen.h>
#include "asff/asff.h"
#include "core/json.h" /* the yajl allocator bridge and the JSON reader of the library */
#include "core/text.h" /* the display-escaping rule, shared with the library (docs/cli.md) */

/* Exit codes (documented in asff --help and docs/cli.md). */
#define ASFF_EXIT_OK 0       /* success */
#define ASFF_EXIT_FINDINGS 1 /* invalid or failed findings */
#define ASFF_EXIT_USAGE 2    /* bad command line */
#define ASFF_EXIT_IO 3       /* I/O or internal error */

/* Each command: int asff_cmd_<name>(int argc, char **argv), argv[0] = command name. It prints its own
 * help for --help/-h and returns an exit code. It must also define
 *   const char asff_cmd_<name>_summary[] = "one line for asff --help"; */

/* Declares a command's two symbols (-Wmissing-prototypes wants a declaration before the definition):
 * put ASFF_CMD_PROTOTYPE(name); at the top of cmd_<name>.c. */
#define ASFF_CMD_PROTOTYPE(name) \
    int asff_cmd_##name(int argc, char **argv); \
    extern const char asff_cmd_##name##_summary[]

/* Parse every input (files, or stdin when none or "-") with opts, calling fn per finding.
 * Errors are printed as "FILE: line L, column C: /path: message" on stderr. Returns an exit code
 * (ASFF_EXIT_FINDINGS when findings were skipped or the input was invalid). */
int cli_parse_inputs(int nfiles, char **files, const asff_parse_options *opts, asff_finding_fn fn, void *ctx);

/* Called for each input error besides printing it (validate --format json puts them in its report). */
typedef void (*cli_error_fn)(void *ctx, const char *file, const asff_error *err);

/* cli_parse_inputs that also hands every error (skipped finding or final) to efn(ectx, ...). */
int cli_parse_inputs_errors(int nfiles, char **files, const asff_parse_options *opts, asff_finding_fn fn, void *ctx,
                            cli_error_fn efn, void *ectx);

/* Like cli_parse_inputs, but unless strict, NDJSON input goes line by line through
 * asff_filter_prefilter(filter) and lines that cannot pass the filter are not parsed (prefilter.c):
 * faster, but a broken line that could not have matched is not reported. */
int cli_filter_inputs(int nfiles, char **files, const asff_parse_options *po, const asff_filter *filter, bool strict,
                      asff_finding_fn fn, void *ctx);

/* --jobs N (jobs.c): regular files are read on N threads, output as with one job. 0: one per online
 * CPU (the default of fmt, validate, filter and insight, which set it); 1: one parser, the plain
 * reader (the default of the other commands). */
extern unsigned cli_jobs;
/* The number of threads --jobs asks for (0 resolved to the online CPUs). */
unsigned cli_jobs_count(void);
/* argv[*i] is --jobs N or --jobs=N: take it (advancing *i) and return 0, or print a usage message and
 * return ASFF_EXIT_USAGE; -1 when it is another argument. */
int cli_take_jobs(const char *cmd, int argc, char **argv, int *i);
/* Per-finding work the command runs on the reading threads (validate, a filter match): set before
 * reading. The finding callback takes its result with cli_work_result: false when it was not run
 * (one job: the callback does the work itself). free releases a result not taken. */
typedef struct cli_work_hook {
    asff_work_fn fn;
    void *ctx;
    void (*free)(void *ctx, void *result);
    bool sparse;  /* a finding whose result is NULL is not needed: it comes as NULL (ASFF_PARALLEL_SPARSE) */
} cli_work_hook;
extern cli_work_hook cli_work;
bool cli_work_result(void **out);
/* Whether in is read in parallel (a regular file, more than one job), and the reader that does it. */
bool cli_parallel_input(FILE *in);
int cli_parse_parallel(FILE *in, const char *name, const asff_parse_options *opts, asff_finding_fn fn, void *ctx,
                       cli_error_fn efn, void *ectx);

/* Every asff_error the tool prints starts from this: a field never set is never printed. */
#define CLI_ERROR_INIT {ASFF_OK, "", "", 0, 0, 0, 0, "", ""}

/* Buffer size for one value shown in a message or a text report: escaped and bounded (core/text.h). */
#define CLI_SHOW 256

/* s escaped for display into buf[size] (bounded, "..." when cut); returns buf. */
const char *cli_show(char *buf, size_t size, const char *s);

/* Write JSON text (a server's response) to g as yajl re-generates it: validated, compact, every
 * string escaped by construction. false (nothing sensible written) when text is not one JSON value. */
bool cli_json_copy(yajl_gen g, const char *text, size_t len);

/* The allocation functions of every yajl handle of the tool: lib/core's bridge on the default
 * allocator (the tool is single-threaded). */
yajl_alloc_funcs *cli_yajl_funcs(void);

/* Write JSON text (as yajl generates it: valid UTF-8, controls escaped) to out with DEL, the C1
 * controls and the bidi controls inside its strings also written as \u escapes: the same JSON,
 * harmless on a terminal (server responses, import failure records). */
void cli_put_json(FILE *out, const char *json, size_t len);

/* Write text to out line by line, each line escaped for display (a canonical request, ...). */
void cli_put_lines(FILE *out, const char *text);

/* Print "asff: FILE: ..." for err on stderr (every field escaped; unset fields left out). */
void cli_print_error(const char *file, const asff_error *err);

/* "ndjson" | "array" | "batch" | "pretty" (pretty array) into options; false if unknown. */
bool cli_parse_format(const char *name, asff_write_options *out);

/* The contents of the file at path, malloc'd and NUL-terminated; *len gets its length. NULL (with a
 * message on stderr) when it cannot be read. */
char *cli_read_file(const char *path, size_t *len);

/* An option's value: the text itself, or for "@FILE" the contents of FILE. malloc'd, NUL-terminated,
 * *len gets its length; NULL (with a message on stderr) when FILE cannot be read. */
char *cli_read_arg(const char *value, size_t *len);

/* True when the output path out names the same file as one of inputs[n] ("-", or none at all, is
 * stdin): by device and inode when out exists, else by name. Checked before anything is opened, so
 * that `--failed X X` cannot empty its own input. */
bool cli_same_file(const char *out, int n, char **inputs);

/* --now: an ISO 8601 timestamp or epoch seconds, within years 1..9999 (so that every time derived
 * from it can be written as a timestamp); floored to whole seconds. false when it is neither. */
bool cli_parse_now(const char *v, int64_t *out);

/* True when s is -h or --help. */
bool cli_is_help(const char *s);

#endif
