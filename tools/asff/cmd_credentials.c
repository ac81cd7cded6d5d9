/* asff credentials: where the credentials come from, the access key id, the account and the expiry
 * (never the secret); --export prints them for a shell like `aws configure export-credentials
 * --format env`. */
#include <time.h>
#include "asff/aws.h"
#include "client_cli.h"

ASFF_CMD_PROTOTYPE(credentials);

const char asff_cmd_credentials_summary[] = "show where the AWS credentials come from and whose they are";

static void usage(FILE *out)
{
    fprintf(out, "usage: asff credentials [--export] [--no-identity] [options]\n\n"
                 "Resolves the credentials as the AWS SDKs do (environment, profile roles, web identity, SSO,\n"
                 "credential_process, shared files, container, instance metadata) and prints the source, the\n"
                 "access key id, the account and ARN (STS GetCallerIdentity) and the expiry. Never the secret.\n\n"
                 "options:\n"
                 "  --export            print `export AWS_ACCESS_KEY_ID=...` lines for a shell (with the secret)\n"
                 "  --no-identity       do not call STS GetCallerIdentity\n" CLI_AWS_HELP);
}

/* Values come from config files and servers: control characters never reach the terminal. */
static void put_safe(const char *label, const char *s)
{
    printf("%-14s ", label);
    for (; s && *s; s++)
        putchar((unsigned char)*s >= 0x20 && (unsigned char)*s != 0x7f ? *s : '?');
    putchar('\n');
}

static void format_time(int64_t t, char *out, size_t size)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* A value for a POSIX shell: single-quoted unless it is plain. */
static void put_export(const char *name, const char *v)
{
    const char *p;
    printf("export %s=", name);
    if (v[strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=._-:")] == '\0') {
        printf("%s\n", v);
        return;
    }
    putchar('\'');
    for (p = v; *p; p++) {
        if (*p == '\'')
            fputs("'\\''", stdout);
        else
            putchar(*p);
    }
    puts("'");
}

int asff_cmd_credentials(int argc, char **argv)
{
    cli_aws g;
    asff_aws_options o = ASFF_AWS_OPTIONS_INIT;
    asff_aws *a = NULL;
    asff_credentials c;
    asff_caller_identity id;
    asff_error e;
    bool do_export = false, identity = true;
    char when[32];
    int i, rc = ASFF_EXIT_OK;
    asff_error_clear(&e);
    if (cli_take_aws(&argc, argv, &g) != 0)
        return ASFF_EXIT_USAGE;
    for (i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            usage(stdout);
            return ASFF_EXIT_OK;
        } else if (strcmp(argv[i], "--export") == 0) {
            do_export = true;
        } else if (strcmp(argv[i], "--no-identity") == 0) {
            identity = false;
        } else {
            usage(stderr);
            return ASFF_EXIT_USAGE;
        }
    }
    o.profile = g.profile;
    o.region = g.region;
    o.endpoint_url = g.endpoint_url;
    if (asff_aws_new(&o, &a, &e) != ASFF_OK) {
        cli_client_error("credentials", &e);
        return ASFF_EXIT_IO;
    }
    if (asff_aws_credentials(a, 0, &c, &e) != ASFF_OK) {
        cli_client_error("credentials", &e);
        asff_aws_free(a);
        return ASFF_EXIT_IO;
    }
    if (c.expiration)
        format_time(c.expiration, when, sizeof when);
    if (do_export) {
        put_export("AWS_ACCESS_KEY_ID", c.access_key_id);
        put_export("AWS_SECRET_ACCESS_KEY", c.secret_access_key);
        if (c.session_token)
            put_export("AWS_SESSION_TOKEN", c.session_token);
        if (c.expiration)
            put_export("AWS_CREDENTIAL_EXPIRATION", when);
        asff_aws_free(a);
        return ASFF_EXIT_OK;
    }
    put_safe("source:", asff_credentials_source_name(asff_aws_credentials_source(a)));
    if (asff_aws_credentials_detail(a)[0])
        put_safe("from:", asff_aws_credentials_detail(a));
    put_safe("profile:", asff_aws_profile(a));
    put_safe("access key id:", c.access_key_id);
    put_safe("session token:", c.session_token ? "yes" : "no");
    put_safe("expires:", c.expiration ? when : "never");
    if (identity) {
        if (asff_aws_caller_identity(a, &id, &e) == ASFF_OK) {
            put_safe("account:", id.account);
            put_safe("arn:", id.arn);
        } else {
            cli_client_error("credentials", &e);
            rc = ASFF_EXIT_IO;
        }
    }
    asff_aws_free(a);
    return rc;
}
