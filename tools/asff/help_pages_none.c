/* The help page table of a build without man pages (ASFF_BUILD_MAN=OFF): empty, so that
 * `asff help COMMAND` prints the command's --help text instead. */
#include "help_pages.h"

const asff_help_page asff_help_pages[] = {{0, 0}};
