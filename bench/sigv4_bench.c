/* Signatures per second of the libasff SigV4 signer on a typical Security Hub call
 * (POST /findings/import, JSON body, session token), for comparison with botocore's SigV4Auth
 * (bench/sigv4_botocore.py runs both). Usage: sigv4_bench [SECONDS] [BODY_BYTES]. Prints one JSON line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "asff/sigv4.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    double seconds = argc > 1 ? atof(argv[1]) : 2.0, t0, t;
    size_t body_len = argc > 2 ? (size_t)atol(argv[2]) : 2048, i;
    char *body = malloc(body_len + 1);
    asff_sigv4_header h[] = {{"Content-Type", 12, "application/json", 16}, {"User-Agent", 10, "libasff/0.1.0", 13}};
    asff_credentials c = {"ASIAEXAMPLEEXAMPLE12", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                          "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQExampleSessionToken+/=", 0};
    asff_sigv4_request r = ASFF_SIGV4_REQUEST_INIT;
    asff_sigv4 *s = NULL;
    (void)asff_sigv4_new(NULL, &s, NULL);
    asff_error err;
    unsigned long n = 0;
    int64_t when = INT64_C(1795813200);
    if (!body || !s)
        return 1;
    for (i = 0; i < body_len; i++)
        body[i] = "{\"Findings\":[]} abcdefghij"[i % 26];
    r.method = "POST";
    r.url = "https://securityhub.eu-west-1.amazonaws.com/findings/import";
    r.headers = h;
    r.header_count = 2;
    r.body = body;
    r.body_len = body_len;
    t0 = now();
    do {
        for (i = 0; i < 1000; i++, n++) {
            /* A new second per call, as a real client signs at the current time. */
            if (asff_sigv4_sign(s, &r, &c, "eu-west-1", "securityhub", when + (int64_t)(n % 3600), &err) != ASFF_OK) {
                fprintf(stderr, "sign: %s\n", err.message);
                return 1;
            }
        }
        t = now() - t0;
    } while (t < seconds);
    printf("{\"impl\": \"libasff\", \"signatures\": %lu, \"seconds\": %.3f, \"per_second\": %.0f, \"body_bytes\": %zu}\n",
           n, t, (double)n / t, body_len);
    asff_sigv4_free(s);
    free(body);
    return 0;
}
