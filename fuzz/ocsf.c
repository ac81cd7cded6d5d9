/* Fuzz target: findings parsed from arbitrary bytes (any envelope, invalid ones skipped) into the
 * OCSF converter (compact and pretty) and the CSV writer with columns that cross lists and maps. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include "asff/asff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int sink(void *ctx, const char *data, size_t len)
{
    (void)ctx;
    (void)data;
    (void)len;
    return 0;
}

static int on_finding(void *ctx, void *finding, const asff_finding_info *info)
{
    asff_csv_writer *csv = ctx;
    asff_ocsf_options o = ASFF_OCSF_OPTIONS_INIT;
    asff_error e;
    (void)info;
    (void)asff_to_ocsf(finding, &o, sink, NULL, &e);
    o.pretty = true;
    (void)asff_to_ocsf(finding, &o, sink, NULL, &e);
    (void)asff_csv_writer_write(csv, finding, &e);
    return 0;
}

static int on_error(void *ctx, const asff_error *err, const asff_finding_info *info)
{
    (void)ctx;
    (void)err;
    (void)info;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    asff_parse_options po = ASFF_PARSE_OPTIONS_INIT;
    asff_csv_options co = ASFF_CSV_OPTIONS_INIT;
    asff_csv_writer *csv;
    asff_parser *p;
    asff_error e;
    co.columns = "Id,Title,Types,Resources[].Id,Resources[].Tags,Resources.Details,ProductFields,"
                 "ProductFields.aws/securityhub/FindingId,Severity,Vulnerabilities[].Cvss[].BaseScore,Confidence,Sample";
    if (asff_csv_writer_new(&co, sink, NULL, &csv, &e) != ASFF_OK)
        return 0;
    po.skip_invalid = true;
    (void)asff_parser_new(&po, on_finding, on_error, csv, &p, NULL);
    if (p) {
        if (asff_parser_feed(p, data, size, &e) == ASFF_OK)
            (void)asff_parser_finish(p, &e);
        asff_parser_free(p);
    }
    asff_csv_writer_free(csv);
    return 0;
}
