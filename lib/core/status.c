/* Status names and messages, and the asff_error helpers. */
#include <string.h>
#include "asff/core.h"
#include "internal.h"
#include "text.h"

static const struct {
    const char *name;
    const char *message;
} statuses[ASFF_STATUS_COUNT] = {
    {"ASFF_OK", "success"},
    {"ASFF_ERR_NOMEM", "out of memory"},
    {"ASFF_ERR_INVALID_ARG", "invalid argument"},
    {"ASFF_ERR_SYNTAX", "JSON syntax error"},
    {"ASFF_ERR_TYPE", "value of the wrong type for the model"},
    {"ASFF_ERR_LIMIT", "limit exceeded"},
    {"ASFF_ERR_UTF8", "invalid UTF-8"},
    {"ASFF_ERR_IO", "input/output error"},
    {"ASFF_ERR_NOT_FOUND", "not found"},
    {"ASFF_ERR_DUPLICATE", "duplicate"},
    {"ASFF_ERR_TRUNCATED", "input ended inside a value"},
    {"ASFF_ERR_ABORTED", "aborted by a callback"},
    {"ASFF_ERR_ENVELOPE", "not a document that holds findings"},
    {"ASFF_ERR_INVALID", "the finding breaks a rule"},
    {"ASFF_ERR_FILTER", "malformed filter, sort criterion, insight or rule"},
    {"ASFF_ERR_UNSUPPORTED", "not supported"},
    {"ASFF_ERR_STATE", "call out of order for this handle"},
    {"ASFF_ERR_RANGE", "number out of range"},
    {"ASFF_ERR_NETWORK", "network error"},
    {"ASFF_ERR_TIMEOUT", "timed out"},
    {"ASFF_ERR_HTTP", "HTTP error"},
    {"ASFF_ERR_AWS", "AWS returned an error"},
    {"ASFF_ERR_THROTTLED", "throttled by AWS; retries exhausted"},
    {"ASFF_ERR_CREDENTIALS", "no usable AWS credentials"},
    {"ASFF_ERR_INTERNAL", "internal error in libasff"},
    {"ASFF_ERR_PARTIAL", "some items failed"},
};

const char *asff_status_name(asff_status status)
{
    if (status < 0 || status >= ASFF_STATUS_COUNT)
        return "ASFF_ERR_UNKNOWN";
    return statuses[status].name;
}

const char *asff_status_message(asff_status status)
{
    if (status < 0 || status >= ASFF_STATUS_COUNT)
        return "unknown status";
    return statuses[status].message;
}

void asff_error_clear(asff_error *err)
{
    if (err)
        memset(err, 0, sizeof *err);
}

asff_status asff_error_set(asff_error *err, asff_status code, const char *message)
{
    if (err) {
        err->code = code;
        /* messages may quote input: escaped for display (text.h) */
        asff__text_show(err->message, sizeof err->message, message ? message : asff_status_message(code));
    }
    return code;
}

void asff__copy_string(char *dst, size_t size, const char *src)
{
    size_t n;
    if (size == 0)
        return;
    n = strlen(src);
    if (n >= size)
        n = size - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

const char *asff_version(void)
{
    return ASFF_VERSION_STRING;
}

unsigned asff_version_number(void)
{
    return ASFF_VERSION_NUMBER;
}
