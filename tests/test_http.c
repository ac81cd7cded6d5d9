/* lib/http: libcurl opened at first use, once, from any thread; and what happens when it cannot be. */
#define _GNU_SOURCE /* dl_iterate_phdr */
#include <link.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "http/libcurl.h"

static int find_curl(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    if (info->dlpi_name && strstr(info->dlpi_name, "libcurl"))
        *(int *)data = 1;
    return 0;
}

static int curl_mapped(void)
{
    int found = 0;
    dl_iterate_phdr(find_curl, &found);
    return found;
}

static void *load_in_thread(void *arg)
{
    asff_error e;
    memset(&e, 0, sizeof e);
    *(asff_status *)arg = asff__libcurl_load(&e);
    return NULL;
}

/* Runs first (cmocka keeps the order): nothing of the test has needed HTTP yet. */
static void test_loaded_at_first_use(void **state)
{
    pthread_t th[4];
    asff_status st[4];
    CURL *h;
    char *esc;
    int i;
    (void)state;
    assert_int_equal(curl_mapped(), !asff__libcurl_dlopen());
    for (i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&th[i], NULL, load_in_thread, &st[i]), 0);
    for (i = 0; i < 4; i++) {
        assert_int_equal(pthread_join(th[i], NULL), 0);
        assert_int_equal(st[i], ASFF_OK);
    }
    assert_true(curl_mapped());
    assert_int_equal(asff__libcurl_load(NULL), ASFF_OK);
    /* the table works: a handle, an escape, a URL taken apart */
    h = curl_easy_init();
    assert_non_null(h);
    esc = curl_easy_escape(h, "a b/c", 0);
    assert_string_equal(esc, "a%20b%2Fc");
    curl_free(esc);
    curl_easy_cleanup(h);
    {
        CURLU *u = curl_url();
        char *host = NULL;
        assert_non_null(u);
        assert_int_equal(curl_url_set(u, CURLUPART_URL, "http://127.0.0.1:8/x", 0), CURLUE_OK);
        assert_int_equal(curl_url_get(u, CURLUPART_HOST, &host, 0), CURLUE_OK);
        assert_string_equal(host, "127.0.0.1");
        curl_free(host);
        curl_url_cleanup(u);
    }
}

static void test_missing_library(void **state)
{
    asff__libcurl t;
    void *handle = NULL;
    asff_error e;
    (void)state;
    memset(&e, 0, sizeof e);
    if (!asff__libcurl_dlopen()) { /* linked: the name is not used, the linked functions are given */
        assert_int_equal(asff__libcurl_open("libasff-no-such-curl.so.4", &t, &handle, &e), ASFF_OK);
        assert_ptr_equal(t.easy_init, asff__libcurl_fns.easy_init);
        return;
    }
    assert_int_equal(asff__libcurl_open("libasff-no-such-curl.so.4", &t, &handle, &e), ASFF_ERR_UNSUPPORTED);
    assert_int_equal(e.code, ASFF_ERR_UNSUPPORTED);
    assert_non_null(strstr(e.message, "libasff-no-such-curl.so.4 cannot be loaded"));
    assert_null(handle);
}

/* A library that is there but is not libcurl (zlib: libasff links it anyway). */
static void test_not_libcurl(void **state)
{
    asff__libcurl t;
    void *handle = NULL;
    asff_error e;
    (void)state;
    if (!asff__libcurl_dlopen())
        return; /* test_missing_library checked the linked table */
    memset(&e, 0, sizeof e);
    assert_int_equal(asff__libcurl_open("libz.so.1", &t, &handle, &e), ASFF_ERR_UNSUPPORTED);
    assert_non_null(strstr(e.message, "libz.so.1 is not a libcurl"));
    assert_non_null(strstr(e.message, "lacks curl_global_init"));
    assert_null(handle);
}

/* The asff tool does not need libcurl to start (a dlopen build); ldd lists what the ELF needs. */
static void test_cli_needs(void **state)
{
#ifdef ASFF_CLI
    char line[512];
    int curl = 0, yajl = 0;
    FILE *p = popen("ldd '" ASFF_CLI "'", "r");
    (void)state;
    assert_non_null(p);
    while (fgets(line, sizeof line, p)) {
        curl |= strstr(line, "libcurl") != NULL;
        yajl |= strstr(line, "libyajl") != NULL;
    }
    assert_int_equal(pclose(p), 0);
    assert_true(yajl); /* ldd did list the libraries */
    assert_int_equal(curl, !asff__libcurl_dlopen());
#else
    (void)state;
    fail_msg("built without the asff tool (ASFF_BUILD_CLI=OFF): nothing to check");
#endif
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_loaded_at_first_use),
        cmocka_unit_test(test_missing_library),
        cmocka_unit_test(test_not_libcurl),
        cmocka_unit_test(test_cli_needs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
