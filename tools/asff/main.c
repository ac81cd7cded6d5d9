/* asff: the libasff command-line tool. `asff <command> [options] [FILE...]`. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"

#define ASFF_COMMAND(name) \
    int asff_cmd_##name(int argc, char **argv); \
    extern const char asff_cmd_##name##_summary[];
#include "commands.inc"
#undef ASFF_COMMAND

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} command;

static const command commands[] = {
#define ASFF_COMMAND(name) {#name, asff_cmd_##name, asff_cmd_##name##_summary},
#include "commands.inc"
#undef ASFF_COMMAND
    {NULL, NULL, NULL}};

static void usage(FILE *out)
{
    const command *c;
    fprintf(out,
            "usage: asff <command> [options] [FILE...]\n"
            "       asff <command> --help\n"
            "       asff help <command>     (its manual page)\n\n"
            "Reads ASFF findings from FILEs (stdin when none or '-') in any envelope: one finding,\n"
            "an array, {\"Findings\": [...]}, EventBridge events or NDJSON.\n\ncommands:\n");
    for (c = commands; c->name; c++)
        fprintf(out, "  %-12s %s\n", c->name, c->summary);
    fprintf(out,
            "\nexit codes: 0 ok; 1 invalid or failed findings; 2 usage; 3 I/O or internal error\n"
            "libasff %s, model %s\n",
            asff_version(), asff_model_version());
}

/* Every command's output is checked once more here: a write that failed anywhere (a full disk,
 * a closed pipe) or a failed final flush/close is exit 3 with the reason, whatever the command. */
static int finish(int rc)
{
    int bad = ferror(stdout);
    errno = 0;
    if (fflush(stdout) != 0)
        bad = 1;
    if (fclose(stdout) != 0)
        bad = 1;
    if (bad && rc == ASFF_EXIT_IO && ferror(stdout))
        return rc; /* the command has said why */
    if (bad) {
        fprintf(stderr, "asff: <stdout>: write error: %s\n", errno ? strerror(errno) : "output was lost");
        return ASFF_EXIT_IO;
    }
    return rc;
}

int main(int argc, char **argv)
{
    const command *c;
    if (argc < 2) {
        usage(stderr);
        return ASFF_EXIT_USAGE;
    }
    if (cli_is_help(argv[1])) {
        usage(stdout);
        return finish(ASFF_EXIT_OK);
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("asff %s (model %s, JSON front-end %s)\n", asff_version(), asff_model_version(), asff_json_frontend());
        return finish(ASFF_EXIT_OK);
    }
    for (c = commands; c->name; c++)
        if (strcmp(c->name, argv[1]) == 0)
            return finish(c->run(argc - 1, argv + 1));
    {
        char b[CLI_SHOW];
        fprintf(stderr, "asff: unknown command '%s' (asff --help lists them)\n", cli_show(b, sizeof b, argv[1]));
    }
    return ASFF_EXIT_USAGE;
}
