/* asff sign: show every stage of a SigV4 signature, to debug signature mismatches. */
#include "client_cli.h"
#include <strings.h>
#include <time.h>
#include "asff/sigv4.h"

ASFF_CMD_PROTOTYPE(sign);

const char asff_cmd_sign_summary[] = "print the SigV4 canonical request, string to sign and headers of a request";

/* Print text with every occurrence of secret (the session token, which the canonical request
 * carries when it is signed) replaced. */
static void print_redacted(const char *text, const char *secret)
{
    size_t n = secret ? strlen(secret) : 0;
    const char *hit;
    while (n && (hit = strstr(text, secret)) != NULL) {
        fwrite(text, 1, (size_t)(hit - text), stdout);
        fputs("(redacted)", stdout);
        text = hit + n;
    }
    fputs(text, stdout);
}

static void usage(FILE *out)
{
    fprintf(out, "usage: asff sign --method M --url URL --region R --service S [options]\n\n"
                 "options:\n"
                 "  --header 'Name: value'  a header of the request (repeatable)\n"
                 "  --body-file F           the body (default: none)\n"
                 "  --time YYYYMMDDTHHMMSSZ the signing time (default: now)\n"
                 "  --profile P             credentials from this profile (else the usual chain)\n"
                 "Credentials come from the normal chain; the secret key and token are never printed.\n");
}

int asff_cmd_sign(int argc, char **argv)
{
    asff_sigv4_request req = ASFF_SIGV4_REQUEST_INIT;
    asff_sigv4_header headers[64];
    asff_aws_options ao = ASFF_AWS_OPTIONS_INIT;
    asff_aws *aws = NULL;
    asff_sigv4 *s = NULL;
    asff_credentials creds;
    asff_error e;
    const char *region = NULL, *service = NULL, *body_file = NULL, *when = NULL;
    const asff_sigv4_header *add;
    char *body = NULL;
    size_t nh = 0, nadd = 0, blen = 0, k;
    int64_t t = (int64_t)time(NULL);
    int i, rc = ASFF_EXIT_OK;
    for (i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (cli_is_help(argv[i])) {
            usage(stdout);
            return ASFF_EXIT_OK;
        } else if (strcmp(argv[i], "--method") == 0 && v)
            req.method = argv[++i];
        else if (strcmp(argv[i], "--url") == 0 && v)
            req.url = argv[++i];
        else if (strcmp(argv[i], "--region") == 0 && v)
            region = argv[++i];
        else if (strcmp(argv[i], "--service") == 0 && v)
            service = argv[++i];
        else if (strcmp(argv[i], "--profile") == 0 && v)
            ao.profile = argv[++i];
        else if (strcmp(argv[i], "--body-file") == 0 && v)
            body_file = argv[++i];
        else if (strcmp(argv[i], "--time") == 0 && v)
            when = argv[++i];
        else if (strcmp(argv[i], "--header") == 0 && v && strchr(v, ':') && nh < 64) {
            const char *colon = strchr(v, ':');
            const char *val = colon + 1;
            while (*val == ' ' || *val == '\t')
                val++;
            headers[nh].name = v;
            headers[nh].name_len = (size_t)(colon - v);
            headers[nh].value = val;
            headers[nh].value_len = strlen(val);
            nh++;
            i++;
        } else {
            usage(stderr);
            return ASFF_EXIT_USAGE;
        }
    }
    if (!req.method || !req.url || !region || !service) {
        usage(stderr);
        return ASFF_EXIT_USAGE;
    }
    if (when && asff_sigv4_parse_time(when, &t) != ASFF_OK) {
        fprintf(stderr, "asff: --time wants YYYYMMDDTHHMMSSZ\n");
        return ASFF_EXIT_USAGE;
    }
    if (body_file) {
        FILE *f = fopen(body_file, "rb");
        size_t cap = 0, n;
        if (!f) {
            fprintf(stderr, "asff: %s: cannot open\n", body_file);
            return ASFF_EXIT_IO;
        }
        do {
            if (cap - blen < 4096) {
                char *nb = realloc(body, cap ? cap * 2 : 8192);
                if (!nb)
                    break;
                body = nb;
                cap = cap ? cap * 2 : 8192;
            }
            n = fread(body + blen, 1, cap - blen, f);
            blen += n;
        } while (n > 0);
        fclose(f);
    }
    req.headers = headers;
    req.header_count = nh;
    req.body = body;
    req.body_len = blen;
    ao.region = region;
    if (asff_aws_new(&ao, &aws, &e) != ASFF_OK || asff_aws_credentials(aws, 0, &creds, &e) != ASFF_OK) {
        cli_client_error("credentials", &e);
        rc = ASFF_EXIT_IO;
    } else if (asff_sigv4_new(NULL, &s, NULL) != ASFF_OK) {
        rc = ASFF_EXIT_IO;
    } else if (asff_sigv4_sign(s, &req, &creds, region, service, t, &e) != ASFF_OK) {
        cli_client_error("sign", &e);
        rc = ASFF_EXIT_USAGE;
    } else {
        printf("# canonical request\n");
        print_redacted(asff_sigv4_canonical_request(s), creds.session_token);
        printf("\n\n# string to sign\n%s\n\n# signature\n%s\n\n# headers added\n", asff_sigv4_string_to_sign(s),
               asff_sigv4_signature(s));
        add = asff_sigv4_headers(s, &nadd);
        for (k = 0; k < nadd; k++) {
            bool token = add[k].name_len == 20 && strncasecmp(add[k].name, "X-Amz-Security-Token", 20) == 0;
            /* the session token is a secret: name it, never print it */
            printf("%.*s: %.*s\n", (int)add[k].name_len, add[k].name, token ? 10 : (int)add[k].value_len,
                   token ? "(redacted)" : add[k].value);
        }
        printf("\n# credentials: access key %s from %s\n", creds.access_key_id,
               asff_credentials_source_name(asff_aws_credentials_source(aws)));
    }
    asff_sigv4_free(s);
    asff_aws_free(aws);
    free(body);
    return rc;
}
