/* asff help [COMMAND]: a command's man page as plain text, embedded at build time (help_pages.h), so
 * that it needs neither man nor scdoc at run time; without pages, the command's --help text. */
#include <string.h>
#include "cli.h"
#include "help_pages.h"

ASFF_CMD_PROTOTYPE(help);

const char asff_cmd_help_summary[] = "print a command's manual page (asff help filter); alone: list the commands";

#define ASFF_COMMAND(name) ASFF_CMD_PROTOTYPE(name);
#include "commands.inc"
#undef ASFF_COMMAND

typedef struct help_command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} help_command;

static const help_command commands[] = {
#define ASFF_COMMAND(name) {#name, asff_cmd_##name, asff_cmd_##name##_summary},
#include "commands.inc"
#undef ASFF_COMMAND
    {NULL, NULL, NULL}};

static void usage(FILE *out)
{
    fprintf(out, "usage: asff help [COMMAND]\n\n"
                 "Prints the manual page of COMMAND (the same text as `man asff-COMMAND`), or of asff itself\n"
                 "for `asff help asff`. Without COMMAND, lists the commands.\n\n"
                 "exit codes: 0 ok; 2 unknown command or usage\n");
}

static void list(FILE *out)
{
    const help_command *c;
    fprintf(out, "commands (asff help COMMAND prints one's manual page):\n");
    for (c = commands; c->name; c++)
        fprintf(out, "  %-12s %s\n", c->name, c->summary);
}

static const asff_help_page *find_page(const char *name)
{
    const asff_help_page *p;
    for (p = asff_help_pages; p->name; p++)
        if (strcmp(p->name, name) == 0)
            return p;
    return NULL;
}

int asff_cmd_help(int argc, char **argv)
{
    const help_command *c;
    const asff_help_page *page;
    if (argc == 1) {
        list(stdout);
        return ASFF_EXIT_OK;
    }
    if (cli_is_help(argv[1])) {
        usage(stdout);
        return ASFF_EXIT_OK;
    }
    if (argc > 2) {
        usage(stderr);
        return ASFF_EXIT_USAGE;
    }
    page = find_page(argv[1]);
    if (page) {
        const char *const *l;
        for (l = page->lines; *l; l++)
            printf("%s\n", *l);
        return ASFF_EXIT_OK;
    }
    if (strcmp(argv[1], "asff") == 0) {
        list(stdout); /* a build without man pages */
        return ASFF_EXIT_OK;
    }
    for (c = commands; c->name; c++)
        if (strcmp(c->name, argv[1]) == 0) {
            /* a build without man pages: the command's own usage text */
            char *args[] = {argv[1], (char *)"--help", NULL};
            return c->run(2, args);
        }
    {
        char b[CLI_SHOW];
        fprintf(stderr, "asff: help: unknown command '%s' (asff help lists them)\n", cli_show(b, sizeof b, argv[1]));
    }
    return ASFF_EXIT_USAGE;
}
