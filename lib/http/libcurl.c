/* libcurl loaded on first use (libcurl.h says why). */
#define ASFF_HTTP_LIBCURL_IMPL
#include "http/libcurl.h"

#include <pthread.h>
#include "core/internal.h"
#ifdef ASFF_LIBCURL_DLOPEN
#include <dlfcn.h>
#endif

asff__libcurl asff__libcurl_fns;

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static asff_error load_error; /* what load() found: ASFF_OK, or the error every caller gets */

int asff__libcurl_dlopen(void)
{
#ifdef ASFF_LIBCURL_DLOPEN
    return 1;
#else
    return 0;
#endif
}

#ifdef ASFF_LIBCURL_DLOPEN
/* dlsym's answer as a function pointer: POSIX guarantees the conversion, ISO C does not say, so
 * the bytes are copied (no -Wpedantic object-to-function cast). */
static int take(void *lib, const char *name, void *slot, size_t size, const char **missing)
{
    void *sym = dlsym(lib, name);
    if (!sym) {
        *missing = name;
        return 0;
    }
    memcpy(slot, &sym, size);
    return 1;
}

#define TAKE(f) &&take(lib, "curl_" #f, &t.f, sizeof t.f, &missing)

asff_status asff__libcurl_open(const char *soname, asff__libcurl *out, void **handle, asff_error *err)
{
    asff__libcurl t;
    const char *missing = NULL;
    void *lib = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        const char *why = dlerror();
        return asff__error_setf(err, ASFF_ERR_UNSUPPORTED, "HTTP needs libcurl, and %s cannot be loaded: %s", soname,
                                why ? why : "unknown reason");
    }
    memset(&t, 0, sizeof t);
    if (!(1 ASFF__LIBCURL_FUNCTIONS(TAKE))) {
        dlclose(lib);
        return asff__error_setf(err, ASFF_ERR_UNSUPPORTED, "%s is not a libcurl of 7.62 or later: it lacks %s", soname,
                                missing);
    }
    *out = t;
    if (handle)
        *handle = lib;
    return ASFF_OK;
}
#undef TAKE
#else
asff_status asff__libcurl_open(const char *soname, asff__libcurl *out, void **handle, asff_error *err)
{
    (void)soname;
    (void)err;
#define LINKED(f) out->f = curl_##f;
    ASFF__LIBCURL_FUNCTIONS(LINKED)
#undef LINKED
    if (handle)
        *handle = NULL;
    return ASFF_OK;
}
#endif

static void load(void)
{
    asff__libcurl t;
    CURLcode rc;
    /* the library stays open for the life of the process: handles may be made at any time */
    if (asff__libcurl_open(ASFF_LIBCURL_SONAME, &t, NULL, &load_error) != ASFF_OK)
        return;
    /* once, here: pthread_once makes it the one call that curl_global_init's docs ask for */
    if ((rc = t.global_init(CURL_GLOBAL_DEFAULT)) != CURLE_OK) {
        asff__error_setf(&load_error, ASFF_ERR_NETWORK, "curl_global_init failed: %s", t.easy_strerror(rc));
        return;
    }
    asff__libcurl_fns = t;
}

asff_status asff__libcurl_load(asff_error *err)
{
    pthread_once(&load_once, load);
    if (load_error.code != ASFF_OK && err)
        *err = load_error; /* (its message is escaped already: copied, not set again) */
    return load_error.code;
}
