/* Fuzz target: the JSON of credentials sources: a credential_process answer, an SSO cache file, an
 * SSO GetRoleCredentials answer, a container / IMDS answer (lib/aws/creds_common.c, creds_sso.c). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "aws/aws_internal.h"
#include "core/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const process[4] = {"AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"};
    static const char *const sso[4] = {"accessKeyId", "secretAccessKey", "sessionToken", "expiration"};
    const char *rc_path[] = {"roleCredentials", NULL};
    asff_aws_options o = ASFF_AWS_OPTIONS_INIT;
    asff_aws *a = NULL;
    asff__creds c;
    asff__sso_token t;
    yajl_val root = NULL;
    asff_error err;
    o.no_environment = true;
    o.config_file = "/nonexistent/config";
    o.credentials_file = "/nonexistent/credentials";
    if (asff_aws_new(&o, &a, &err) != ASFF_OK)
        abort();
    memset(&c, 0, sizeof c);
    if (asff__aws_json(a, (const char *)data, size, &root, "fuzz", &err) == ASFF_OK) {
        if (asff__creds_from_json(a, root, process, false, &c, "fuzz", &err) == ASFF_OK && (!c.key || !c.secret))
            abort();
        asff__creds_clear(a, &c);
        if (asff__creds_from_json(a, yajl_tree_get(root, rc_path, yajl_t_object), sso, true, &c, "fuzz", &err) ==
                ASFF_OK &&
            (!c.key || !c.secret))
            abort();
        asff__creds_clear(a, &c);
        if (asff__sso_token_read(root, &t, &err) == ASFF_OK && (!t.access_token || !t.expires_at))
            abort();
        asff__json_free(root, a->alloc);
    } else if (err.code == ASFF_OK || !err.message[0]) {
        abort();
    }
    asff_aws_free(a);
    return 0;
}
