/* Fuzz target: arbitrary bytes into the SARIF reader. The first byte picks the feeding (whole,
 * 1-byte, 7-byte or 61-byte chunks) and small limits; every finding is validated, written as JSON,
 * as OCSF and as CSV, so that the converters downstream see what the reader builds. */
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
    asff_report *r = NULL;
    (void)asff_report_new(NULL, &r, NULL);
    char *json = NULL;
    asff_error e;
    (void)info;
    /* the reader's findings must always be valid */
    if (r && asff_validate(finding, NULL, r) == ASFF_ERR_INVALID)
        abort();
    asff_report_free(r);
    if (asff_to_json(finding, false, &json, NULL, &e) == ASFF_OK)
        asff_free_string(json);
    (void)asff_to_ocsf(finding, NULL, sink, NULL, &e);
    (void)asff_csv_writer_write(csv, finding, &e);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const size_t chunks[] = {0, 1, 7, 61};
    asff_sarif_options o = ASFF_SARIF_OPTIONS_INIT;
    asff_sarif_reader *r;
    asff_csv_writer *csv;
    asff_error e;
    asff_status st = ASFF_OK;
    size_t chunk, off = 0;
    if (size < 1)
        return 0;
    chunk = chunks[data[0] & 3];
    if (data[0] & 4) {
        o.max_depth = 8;
        o.max_result = 256;
        o.max_tool = 512;
        o.max_string = 32;
    }
    o.product_arn = "arn:aws:securityhub:us-east-1:123456789012:product/123456789012/default";
    o.account_id = "123456789012";
    o.timestamp = "2024-01-01T00:00:00Z";
    data++;
    size--;
    if (asff_csv_writer_new(NULL, sink, NULL, &csv, &e) != ASFF_OK)
        return 0;
    if (asff_sarif_reader_new(&o, on_finding, csv, &r, &e) != ASFF_OK) {
        asff_csv_writer_free(csv);
        return 0;
    }
    if (chunk == 0)
        chunk = size ? size : 1;
    while (st == ASFF_OK && off < size) {
        size_t n = size - off < chunk ? size - off : chunk;
        st = asff_sarif_reader_feed(r, data + off, n, &e);
        off += n;
    }
    if (st == ASFF_OK)
        (void)asff_sarif_reader_finish(r, &e);
    asff_sarif_reader_free(r);
    asff_csv_writer_free(csv);
    return 0;
}
