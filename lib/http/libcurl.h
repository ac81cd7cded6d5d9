/* libcurl, loaded the first time libasff is about to make an HTTP request.
 *
 * Why: libcurl and the ~30 libraries it pulls in (TLS, Kerberos, LDAP, SSH, IDN, ...) take 10 ms to
 * map and relocate, more than half of the start of `asff validate` on a small file, and reading,
 * checking and filtering findings never needs them. With ASFF_LIBCURL_DLOPEN (the default where
 * dlopen exists) libasff does not link libcurl: it opens it by its soname (ASFF_LIBCURL_SONAME) on
 * first use. Without it, the table below holds libcurl's own functions, linked as usual.
 *
 * A file that includes this header calls curl_* as usual: the names below become calls through the
 * table. Call asff__libcurl_load first (it is cheap once loaded). */
#ifndef ASFF_HTTP_LIBCURL_H
#define ASFF_HTTP_LIBCURL_H

#include <curl/curl.h>
#include "asff/core.h"

/* The libcurl functions libasff uses (curl_ + each name), one list for the table and its fillers. */
#define ASFF__LIBCURL_FUNCTIONS(X) \
    X(global_init) X(easy_init) X(easy_cleanup) X(easy_setopt) X(easy_getinfo) X(easy_perform) \
    X(easy_strerror) X(easy_escape) X(free) X(slist_append) X(slist_free_all) X(url) X(url_cleanup) \
    X(url_get) X(url_set)

/* The table, typed from the installed headers (curl_##f is not followed by '(': no typecheck macro). */
#define ASFF__LIBCURL_FIELD(f) __typeof__(&curl_##f) f;
typedef struct asff__libcurl {
    ASFF__LIBCURL_FUNCTIONS(ASFF__LIBCURL_FIELD)
} asff__libcurl;
#undef ASFF__LIBCURL_FIELD

/* Filled by asff__libcurl_load; read only after it returned ASFF_OK. */
extern asff__libcurl asff__libcurl_fns;

/* Load libcurl once per process (thread-safe) and call curl_global_init(CURL_GLOBAL_DEFAULT) once,
 * so that handles can then be made from any thread. ASFF_ERR_UNSUPPORTED, naming the library and
 * dlerror's reason, when it cannot be opened or lacks a function; the same answer every time. */
asff_status asff__libcurl_load(asff_error *err);

/* Open the library named soname into *out without touching the process-wide table (the loader's
 * work, for tests: a missing library, a library without curl's functions). The handle stays open
 * on success (*handle, for dlclose); nothing stays open on failure. */
asff_status asff__libcurl_open(const char *soname, asff__libcurl *out, void **handle, asff_error *err);

/* Whether this build opens libcurl at run time (1) or links it (0). */
int asff__libcurl_dlopen(void);

#ifndef ASFF_HTTP_LIBCURL_IMPL
#undef curl_easy_setopt
#undef curl_easy_getinfo
#define curl_global_init (asff__libcurl_fns.global_init)
#define curl_easy_init (asff__libcurl_fns.easy_init)
#define curl_easy_cleanup (asff__libcurl_fns.easy_cleanup)
#define curl_easy_setopt (asff__libcurl_fns.easy_setopt)
#define curl_easy_getinfo (asff__libcurl_fns.easy_getinfo)
#define curl_easy_perform (asff__libcurl_fns.easy_perform)
#define curl_easy_strerror (asff__libcurl_fns.easy_strerror)
#define curl_easy_escape (asff__libcurl_fns.easy_escape)
#define curl_free (asff__libcurl_fns.free)
#define curl_slist_append (asff__libcurl_fns.slist_append)
#define curl_slist_free_all (asff__libcurl_fns.slist_free_all)
#define curl_url (asff__libcurl_fns.url)
#define curl_url_cleanup (asff__libcurl_fns.url_cleanup)
#define curl_url_get (asff__libcurl_fns.url_get)
#define curl_url_set (asff__libcurl_fns.url_set)
#endif

#endif
