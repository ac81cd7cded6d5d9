/* The man pages of the asff tool as plain text, for `asff help COMMAND` (cmd_help.c). The table is
 * generated at build time from docs/man/ by tools/codegen/manpages.py; help_pages_none.c is the
 * empty table of a build without man pages (ASFF_BUILD_MAN=OFF), where help falls back to --help. */
#ifndef ASFF_HELP_PAGES_H
#define ASFF_HELP_PAGES_H

typedef struct asff_help_page {
    const char *name;         /* "filter" for asff-filter(1), "asff" for asff(1); NULL ends the table */
    const char *const *lines; /* the rendered page, one line each, NULL-terminated */
} asff_help_page;

extern const asff_help_page asff_help_pages[];

#endif
