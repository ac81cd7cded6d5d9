/* Fuzz target: request checking and binding (lib/client/reqcheck.c), what the client does with a
 * caller's JSON before anything is sent. The first byte picks the operation, the second whether a
 * pager token overrides the input's; the rest is the input. Nothing may crash or read out of bounds;
 * an accepted request has a path, and for an operation without URI/query members binding its own
 * body again gives the same body (the check is idempotent). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "client/client_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const asff__op *op;
    asff__request req;
    asff_error err;
    asff_status st;
    const char *ovr = NULL;
    if (size < 2)
        return 0;
    op = &asff__ops[data[0] % ASFF_OP_COUNT];
    if (!op->name)
        return 0;
    if ((data[1] & 1) && op->input_token)
        ovr = op->input_token;
    st = asff__request_build(op, (const char *)data + 2, size - 2, ovr, ovr ? "tok/en" : NULL, NULL, &req, &err);
    if (st != ASFF_OK) {
        /* a refusal says why and where */
        if (err.code != st || !err.message[0] || strlen(err.path) >= sizeof err.path)
            abort();
        return 0;
    }
    if (err.code != ASFF_OK || !req.path.data || req.path.data[0] != '/')
        abort();
    if (op->binding_count == 0 && req.has_body && !ovr) {
        asff__request again;
        if (asff__request_build(op, req.body.data, req.body.len, NULL, NULL, NULL, &again, &err) != ASFF_OK)
            abort();
        if (again.body.len != req.body.len || memcmp(again.body.data, req.body.data, req.body.len) != 0)
            abort();
        asff__request_cleanup(&again);
    }
    asff__request_cleanup(&req);
    return 0;
}
