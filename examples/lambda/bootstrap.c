/* A Lambda function in C (custom runtime, provided.al2023): the handler of the Security Hub custom
 * action "Resolve CIS 2.4". For each finding of a "Security Hub Findings - Custom Action" event that
 * is the CIS 2.4 check (CloudTrail trails deliver to CloudWatch Logs), it sets Workflow.Status to
 * RESOLVED with a Note, in BatchUpdateFindings calls; other findings are left alone.
 *
 * The runtime loop speaks the Lambda Runtime API at $AWS_LAMBDA_RUNTIME_API: GET invocation/next
 * (the event and its request id), then POST invocation/ID/response or invocation/ID/error. */
#define _POSIX_C_SOURCE 200809L /* strncasecmp */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <curl/curl.h>
#include <asff/asff.h>

#define MAX_EVENT (6u * 1024u * 1024u) /* Lambda's largest synchronous payload */

struct buf {
    char *data;
    size_t len;
};

static size_t on_body(char *p, size_t size, size_t n, void *ctx)
{
    struct buf *b = ctx;
    char *d;
    if (n && size > (MAX_EVENT - b->len) / n)
        return 0; /* too large: curl stops with an error */
    d = realloc(b->data, b->len + size * n + 1);
    if (!d)
        return 0;
    memcpy(d + b->len, p, size * n);
    b->data = d;
    b->len += size * n;
    d[b->len] = '\0';
    return size * n;
}

static size_t on_header(char *p, size_t size, size_t n, void *ctx)
{
    static const char name[] = "Lambda-Runtime-Aws-Request-Id:";
    char *id = ctx;
    size_t len = size * n, k;
    if (len > sizeof name - 1 && strncasecmp(p, name, sizeof name - 1) == 0) {
        p += sizeof name - 1;
        len -= sizeof name - 1;
        while (len && (*p == ' ' || *p == '\t'))
            p++, len--;
        for (k = 0; k < len && k < 127 && p[k] != '\r' && p[k] != '\n'; k++)
            id[k] = strchr("0123456789abcdefABCDEF-", p[k]) ? p[k] : '_'; /* it goes into a URL */
        id[k] = '\0';
    }
    return size * n;
}

/* One request to the Runtime API; 0 when it was answered 2xx. */
static int runtime_call(CURL *h, const char *url, const char *body, const char *error_type, struct buf *out,
                        char *request_id)
{
    struct curl_slist *headers = NULL;
    char type_header[96];
    long status = 0;
    CURLcode rc;
    curl_easy_reset(h);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_NOPROXY, "*"); /* the Runtime API is local */
    if (body) {
        headers = curl_slist_append(headers, "Content-Type: application/json");
        if (error_type) {
            snprintf(type_header, sizeof type_header, "Lambda-Runtime-Function-Error-Type: %s", error_type);
            headers = curl_slist_append(headers, type_header);
        }
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    }
    if (out) {
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(h, CURLOPT_WRITEDATA, out);
    }
    if (request_id) {
        curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
        curl_easy_setopt(h, CURLOPT_HEADERDATA, request_id);
    }
    rc = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(headers);
    if (rc != CURLE_OK || status < 200 || status > 299) {
        fprintf(stderr, "bootstrap: %s: %s (HTTP %ld)\n", url, curl_easy_strerror(rc), status);
        return -1;
    }
    return 0;
}

/* text as the inside of a JSON string, into out (cut to fit). */
static void json_text(char *out, size_t size, const char *text)
{
    size_t o = 0;
    for (; *text && o + 7 < size; text++) {
        unsigned char ch = (unsigned char)*text;
        if (ch == '"' || ch == '\\')
            o += (size_t)snprintf(out + o, size - o, "\\%c", ch);
        else if (ch < 0x20)
            o += (size_t)snprintf(out + o, size - o, "\\u%04x", ch);
        else
            out[o++] = (char)ch;
    }
    out[o] = '\0';
}

struct event {
    asff_BatchUpdateFindingsRequest *request;
    unsigned findings, matched;
    int not_custom_action;
};

static int is_cis_2_4(const asff_AwsSecurityFinding *f)
{
    static const char rule[] = "cis-aws-foundations-benchmark/v/1.2.0/rule/2.4";
    size_t n = f->GeneratorId ? strlen(f->GeneratorId) : 0;
    if (n >= sizeof rule - 1 && strcmp(f->GeneratorId + n - (sizeof rule - 1), rule) == 0)
        return 1;
    /* with consolidated control findings, CIS 2.4 is the security control CloudTrail.5 */
    return f->Compliance && f->Compliance->SecurityControlId &&
           strcmp(f->Compliance->SecurityControlId, "CloudTrail.5") == 0;
}

static int on_finding(void *ctx, void *finding, const asff_finding_info *info)
{
    struct event *ev = ctx;
    asff_AwsSecurityFinding *f = finding;
    asff_AwsSecurityFindingIdentifier *id;
    const char *type = info->document->detail_type;
    if (!type || strcmp(type, "Security Hub Findings - Custom Action") != 0) {
        ev->not_custom_action = 1;
        return 1;
    }
    ev->findings++;
    if (!is_cis_2_4(f) || !f->Id || !f->ProductArn)
        return 0;
    id = asff_list_append_object(ev->request, "FindingIdentifiers");
    if (!id)
        return 1;
    id->Id = asff_strdup(ev->request, f->Id);
    id->ProductArn = asff_strdup(ev->request, f->ProductArn);
    ev->matched++;
    return 0;
}

/* Handle one event: 0 with the response in out, else -1 with an error body in out. */
static int handle(asff_client *c, const struct buf *in, char *out, size_t size)
{
    asff_parse_options po = ASFF_PARSE_OPTIONS_INIT;
    asff_update_stats stats = {0};
    struct event ev = {NULL, 0, 0, 0};
    asff_parser *p = NULL;
    asff_error err;
    asff_status st;
    char *json = NULL, msg[512];
    size_t len = 0;
    int rc = -1;

    po.envelope = ASFF_ENVELOPE_EVENT;
    ev.request = ASFF_NEW_ROOT(BatchUpdateFindingsRequest, NULL);
    if (!ev.request || asff_parser_new(&po, on_finding, NULL, &ev, &p, &err) != ASFF_OK) {
        snprintf(out, size, "{\"errorType\":\"Internal\",\"errorMessage\":\"out of memory\"}");
        asff_object_free(ev.request);
        return -1;
    }
    st = asff_parser_feed(p, in->data, in->len, &err);
    if (st == ASFF_OK)
        st = asff_parser_finish(p, &err);
    asff_parser_free(p);
    if (ev.not_custom_action) {
        snprintf(out, size, "{\"errorType\":\"InvalidEvent\",\"errorMessage\":\"not a Security Hub Findings - "
                            "Custom Action event\"}");
        goto done;
    }
    if (st != ASFF_OK) {
        json_text(msg, sizeof msg, err.message);
        snprintf(out, size, "{\"errorType\":\"InvalidEvent\",\"errorMessage\":\"%s\"}", msg);
        goto done;
    }
    if (ev.matched == 0) {
        snprintf(out, size, "{\"resolved\":0,\"skipped\":%u}", ev.findings);
        rc = 0;
        goto done;
    }
    ev.request->Workflow = ASFF_NEW(ev.request, WorkflowUpdate);
    ev.request->Note = ASFF_NEW(ev.request, NoteUpdate);
    if (!ev.request->Workflow || !ev.request->Note) {
        snprintf(out, size, "{\"errorType\":\"Internal\",\"errorMessage\":\"out of memory\"}");
        goto done;
    }
    ev.request->Workflow->Status = "RESOLVED";
    ev.request->Note->Text = "CIS 2.4: the trail delivers to CloudWatch Logs; resolved by the custom action";
    ev.request->Note->UpdatedBy = "cis-2.4-custom-action";
    if (asff_to_json(ev.request, false, &json, &len, &err) != ASFF_OK) {
        snprintf(out, size, "{\"errorType\":\"Internal\",\"errorMessage\":\"cannot write the request\"}");
        goto done;
    }
    st = asff_client_batch_update_findings(c, json, len, NULL, NULL, NULL, &stats, &err);
    if (st != ASFF_OK && st != ASFF_ERR_PARTIAL) {
        json_text(msg, sizeof msg, err.message);
        snprintf(out, size, "{\"errorType\":\"UpdateFailed\",\"errorMessage\":\"%s\"}", msg);
    } else if (stats.unprocessed) {
        snprintf(out, size, "{\"errorType\":\"UpdateFailed\",\"errorMessage\":\"%llu of %llu findings not updated\"}",
                 (unsigned long long)stats.unprocessed, (unsigned long long)stats.identifiers);
    } else {
        snprintf(out, size, "{\"resolved\":%llu,\"skipped\":%u}", (unsigned long long)stats.processed,
                 ev.findings - ev.matched);
        rc = 0;
    }
done:
    asff_free_string(json);
    asff_object_free(ev.request);
    return rc;
}

int main(void)
{
    const char *api = getenv("AWS_LAMBDA_RUNTIME_API");
    asff_client_options co = ASFF_CLIENT_OPTIONS_INIT;
    asff_client *c = NULL;
    asff_error err;
    char url[512], id[128], out[1024];
    CURL *h;
    if (!api) {
        fprintf(stderr, "bootstrap: AWS_LAMBDA_RUNTIME_API is not set (run me in Lambda)\n");
        return 1;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK || !(h = curl_easy_init()))
        return 1;
    /* one client for every invocation: connections and credentials are reused while the sandbox lives */
    co.allow_http = true; /* only an endpoint you set yourself may be http:// (tests on loopback) */
    if (asff_client_new(&co, &c, &err) != ASFF_OK) {
        json_text(id, sizeof id, err.message);
        snprintf(out, sizeof out, "{\"errorType\":\"InitError\",\"errorMessage\":\"%s\"}", id);
        snprintf(url, sizeof url, "http://%s/2018-06-01/runtime/init/error", api);
        (void)runtime_call(h, url, out, "InitError", NULL, NULL);
        curl_easy_cleanup(h);
        return 1;
    }
    for (;;) {
        struct buf event = {NULL, 0};
        int rc;
        id[0] = '\0';
        snprintf(url, sizeof url, "http://%s/2018-06-01/runtime/invocation/next", api);
        if (runtime_call(h, url, NULL, NULL, &event, id) != 0 || !id[0] || !event.data) {
            free(event.data);
            break; /* Lambda restarts a runtime that exits */
        }
        rc = handle(c, &event, out, sizeof out);
        free(event.data);
        fprintf(stderr, "bootstrap: %s: %s\n", id, out);
        snprintf(url, sizeof url, "http://%s/2018-06-01/runtime/invocation/%s/%s", api, id,
                 rc == 0 ? "response" : "error");
        if (runtime_call(h, url, out, rc == 0 ? NULL : "Unhandled", NULL, NULL) != 0)
            break;
    }
    asff_client_free(c);
    curl_easy_cleanup(h);
    curl_global_cleanup();
    return 1;
}
