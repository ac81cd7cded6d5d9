/* The operation table generated from the API model (lib/client/ops_tables.c, tools/codegen/asffgen.py). */
#ifndef ASFF_OPS_TABLES_H
#define ASFF_OPS_TABLES_H

#include <stdbool.h>
#include "asff/operations.h"

/* One input member the model binds outside the body. */
typedef struct asff__op_binding {
    const char *member;     /* member of the input shape */
    const char *wire;       /* URI label, query parameter or header name */
    char where;             /* 'u' URI, 'q' query string, 'h' header */
    bool greedy;            /* {Label+}: '/' is kept unescaped */
} asff__op_binding;

typedef struct asff__op {
    const char *name;
    const char *method;
    const char *uri;                  /* the model's requestUri template ("/insights/{InsightArn+}") */
    unsigned input_tid, output_tid;   /* ASFF_TID_* of the input and output shapes */
    const asff__op_binding *bindings;
    unsigned binding_count;
    const char *input_token;          /* pagination (paginators-1.json); all NULL when not paginated */
    const char *output_token;
    const char *result_key;
    const char *limit_key;
    const char *const *errors;        /* the error shapes the model documents */
    unsigned error_count;
    unsigned rate, burst;             /* default pacing: Security Hub's documented quota */
    bool has_body_members;            /* the input has members outside URI/query/headers: body is at least {} */
} asff__op;

extern const asff__op asff__ops[ASFF_OP_COUNT];

#endif
