/* asff sign: show every stage of a SigV4 signature, to debug signature mismatches. */
#include "client_cli.h"
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include "asff/sigv4.h"

ASFF_CMD_PROTOTYPE(sign);

const char asff_cmd_sign_summary[] = "print the SigV4 canonical request, string to sign and headers of a request";

/* Print text with every occurrence of secret (the session token, which the canonical request
 * carries when it is signed) replaced. */
static bool print_redacted(const char *text, const char *secret)
{
    size_t n = secret ? strlen(secret) : 0, cap = strlen(text) + 1, len = 0;
    char *copy = malloc(cap); /* the redacted text, then printed line by line, escaped */
    const char *hit;
    if (!copy)
        return false;
    while (n && (hit = strstr(text, secret)) != NULL) {
        size_t k = (size_t)(hit - text);
        if (len + k + 10 >= cap) {
            char *nc = realloc(copy, cap = cap * 2 + k + 11);
            if (!nc) {
                free(copy);
                return false;
            }
            copy = nc;
        }
        memcpy(copy + len, text, k);
        memcpy(copy + len + k, "(redacted)", 10);
        len += k + 10;
        text = hit + n;
    }
    n = strlen(text);
    if (len + n + 1 > cap) {
        char *nc = realloc(copy, cap = len + n + 1);
        if (!nc) {
            free(copy);
            return false;
        }
        copy = nc;
    }
    memcpy(copy + len, text, n + 1);
    cli_put_lines(stdout, copy);
    free(copy);
    return true;
}

/* The largest --body-file read (Security Hub takes at most 6 MB a request). */
#define SIGN_BODY_MAX (16u << 20)

/* Read path into body and len: a regular file or a stream that ends within SIGN_BODY_MAX. Exit code. */
static int read_body(const char *path, char **body, size_t *len)
{
    char b[CLI_SHOW];
    struct stat sb;
    size_t cap = 0, n = 0, got;
    char *buf = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "asff sign: --body-file %s: %s\n", cli_show(b, sizeof b, path), strerror(errno));
        return ASFF_EXIT_IO;
    }
    if (fstat(fileno(f), &sb) == 0 && S_ISDIR(sb.st_mode)) {
        fprintf(stderr, "asff sign: --body-file %s: is a directory\n", cli_show(b, sizeof b, path));
        fclose(f);
        return ASFF_EXIT_USAGE;
    }
    do {
        if (n == cap) {
            char *nb;
            if (cap >= SIGN_BODY_MAX) {
                fprintf(stderr, "asff sign: --body-file %s: larger than %u bytes (or never ends)\n",
                        cli_show(b, sizeof b, path), SIGN_BODY_MAX);
                free(buf);
                fclose(f);
                return ASFF_EXIT_USAGE;
            }
            nb = realloc(buf, cap = cap ? cap * 2 : 8192);
            if (!nb) {
                fprintf(stderr, "asff sign: out of memory\n");
                free(buf);
                fclose(f);
                return ASFF_EXIT_IO;
            }
            buf = nb;
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
    } while (got > 0 && !(n < cap && feof(f)));
    if (ferror(f)) {
        fprintf(stderr, "asff sign: --body-file %s: read error: %s\n", cli_show(b, sizeof b, path), strerror(errno));
        free(buf);
        fclose(f);
        return ASFF_EXIT_IO;
    }
    fclose(f);
    *body = buf;
    *len = n;
    return ASFF_EXIT_OK;
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
    asff_error e = CLI_ERROR_INIT;
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
        else if (strcmp(argv[i], "--header") == 0 && v && nh >= 64) {
            fprintf(stderr, "asff sign: --header: at most 64 headers\n");
            return ASFF_EXIT_USAGE;
        } else if (strcmp(argv[i], "--header") == 0 && v && !strchr(v, ':')) {
            char b[CLI_SHOW];
            fprintf(stderr, "asff sign: --header: '%s' is not 'Name: value'\n", cli_show(b, sizeof b, v));
            return ASFF_EXIT_USAGE;
        } else if (strcmp(argv[i], "--header") == 0 && v) {
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
            char b[CLI_SHOW];
            fprintf(stderr, "asff sign: %s '%s' (asff sign --help)\n",
                    v || argv[i][0] != '-' ? "unknown option" : "missing value for", cli_show(b, sizeof b, argv[i]));
            return ASFF_EXIT_USAGE;
        }
    }
    if (!req.method || !req.url || !region || !service) {
        fprintf(stderr, "asff sign: --method, --url, --region and --service are required (asff sign --help)\n");
        return ASFF_EXIT_USAGE;
    }
    if (when && asff_sigv4_parse_time(when, &t) != ASFF_OK) {
        fprintf(stderr, "asff: --time wants YYYYMMDDTHHMMSSZ\n");
        return ASFF_EXIT_USAGE;
    }
    if (body_file && (rc = read_body(body_file, &body, &blen)) != ASFF_EXIT_OK)
        return rc;
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
        char n1[CLI_SHOW], v1[CLI_SHOW * 4];
        /* everything printed is escaped for display (docs/cli.md): the request's own text included */
        printf("# canonical request\n");
        if (!print_redacted(asff_sigv4_canonical_request(s), creds.session_token))
            rc = ASFF_EXIT_IO;
        printf("\n\n# string to sign\n");
        cli_put_lines(stdout, asff_sigv4_string_to_sign(s));
        printf("\n\n# signature\n%s\n\n# headers added\n", cli_show(n1, sizeof n1, asff_sigv4_signature(s)));
        add = asff_sigv4_headers(s, &nadd);
        for (k = 0; k < nadd; k++) {
            bool token = add[k].name_len == 20 && strncasecmp(add[k].name, "X-Amz-Security-Token", 20) == 0;
            /* the session token is a secret: name it, never print it */
            asff__text_escape(n1, sizeof n1, add[k].name, add[k].name_len);
            if (token)
                snprintf(v1, sizeof v1, "(redacted)");
            else
                asff__text_escape(v1, sizeof v1, add[k].value, add[k].value_len);
            printf("%s: %s\n", n1, v1);
        }
        printf("\n# credentials: access key %s from %s\n", cli_show(n1, sizeof n1, creds.access_key_id),
               asff_credentials_source_name(asff_aws_credentials_source(aws)));
    }
    asff_sigv4_free(s);
    asff_aws_free(aws);
    free(body);
    return rc;
}
