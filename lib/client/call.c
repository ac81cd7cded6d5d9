/* Any operation by name: check and bind the input (reqcheck.c), then send it under the operation's bucket. */
#include <string.h>
#include "client/client_internal.h"

asff_status asff__request_send(asff_client *c, const asff__op *op, const asff__request *req, asff_response *out,
                               asff_error *err)
{
    asff_buf full;
    asff_status st;
    asff__buf_init(&full, c->alloc);
    if (asff__buf_appendf(&full, "%s%s", ASFF_BASE_PATH(c), req->path.data ? req->path.data : "/") != ASFF_OK)
        return asff_error_set(err, ASFF_ERR_NOMEM, "out of memory");
    st = asff__client_send(c, (int)(op - asff__ops), op->method, full.data, req->query.len ? req->query.data : NULL,
                          req->has_body ? req->body.data : NULL, req->has_body ? req->body.len : 0, out, err);
    asff__buf_cleanup(&full);
    return st;
}

static asff_status call(asff_client *c, const asff__op *op, const char *input, size_t input_len, asff_response *out,
                        asff_error *err)
{
    asff__request req;
    asff_status st = asff__request_build(op, input, input_len, NULL, NULL, c->alloc, &req, err);
    if (st != ASFF_OK)
        return st;
    st = asff__request_send(c, op, &req, out, err);
    asff__request_cleanup(&req);
    return st;
}

asff_status asff_client_call_op(asff_client *c, const char *operation, const char *input, size_t input_len,
                                asff_response *out, asff_error *err)
{
    const asff__op *op = operation ? asff__op_find(operation) : NULL;
    if (out)
        memset(out, 0, sizeof *out);
    if (err)
        asff_error_clear(err);
    if (!c)
        return asff_error_set(err, ASFF_ERR_INVALID_ARG, "asff_client_call_op: no client");
    if (!op)
        return asff__error_setf(err, ASFF_ERR_INVALID_ARG, "unknown operation \"%.64s\" (asff call --list)",
                               operation ? operation : "");
    return call(c, op, input, input_len, out, err);
}

asff_status asff_client_invoke(asff_client *c, asff_operation op, const char *input, size_t input_len,
                               asff_response *out, asff_error *err)
{
    if (out)
        memset(out, 0, sizeof *out);
    if (err)
        asff_error_clear(err);
    if (!c || (int)op < 0 || op >= ASFF_OP_COUNT || !asff__ops[op].name)
        return asff_error_set(err, ASFF_ERR_INVALID_ARG, "asff_client_invoke: unknown operation");
    return call(c, &asff__ops[op], input, input_len, out, err);
}

asff_status asff_operation_paging_get(const char *operation, asff_operation_paging *out)
{
    const asff__op *op = operation ? asff__op_find(operation) : NULL;
    if (!out)
        return ASFF_ERR_INVALID_ARG;
    memset(out, 0, sizeof *out);
    if (!op)
        return ASFF_ERR_NOT_FOUND;
    out->input_token = op->input_token;
    out->output_token = op->output_token;
    out->result_key = op->result_key;
    out->limit_key = op->limit_key;
    return ASFF_OK;
}
