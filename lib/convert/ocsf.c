/*
 * ASFF -> OCSF 1.1.0, one finding at a time (docs/convert.md has the mapping table).
 *
 * The event is generated with yajl_gen into a buffer and handed to the sink in one call. Members
 * the mapping does not name are flattened into `unmapped` ("Severity.Normalized": "40"), as the
 * samples of the OCSF examples repository do: keys are member paths with "." between members and
 * "[]" for list items, values are text, and the values of one key in several list items are
 * joined with ",".
 */
#include <stdio.h>
#include <string.h>
#include "asff/validate.h"
#include "convert_internal.h"

#define OCSF_VULN 2002
#define OCSF_COMPLIANCE 2003
#define OCSF_DETECTION 2004

/* ---- class ---------------------------------------------------------------------------------- */

/* "arn:aws:securityhub:us-east-1::product/aws/inspector" -> whether its product part is name. */
static bool product_is(const char *arn, const char *name)
{
    const char *p = arn ? strstr(arn, ":product/") : NULL;
    size_t n = strlen(name);
    return p && strncmp(p + 9, name, n) == 0 && p[9 + n] == '\0';
}

int asff_ocsf_class_uid(const asff_AwsSecurityFinding *f)
{
    if (!f)
        return 0;
    if (product_is(f->ProductArn, "aws/inspector"))
        return OCSF_VULN;
    if (product_is(f->ProductArn, "aws/securityhub"))
        return OCSF_COMPLIANCE;
    if (product_is(f->ProductArn, "aws/guardduty") || product_is(f->ProductArn, "aws/macie"))
        return OCSF_DETECTION;
    if (f->Vulnerabilities.count > 0)
        return OCSF_VULN;
    if (f->Compliance)
        return OCSF_COMPLIANCE;
    return OCSF_DETECTION;
}

static const char *class_name(int cls)
{
    return cls == OCSF_VULN ? "Vulnerability Finding" : cls == OCSF_COMPLIANCE ? "Compliance Finding"
                                                                                 : "Detection Finding";
}

/* ---- which ASFF members the mapping consumes (flattened paths; a prefix covers what is below) -- */

static const char *const mapped_common[] = {
    "SchemaVersion", "ProductName", "ProductArn", "CompanyName", "GeneratorId", "ProcessedAt", "Region",
    "AwsAccountId", "UpdatedAt", "Id", "SourceUrl", "Types", "FirstObservedAt", "LastObservedAt",
    "CreatedAt", "Title", "Description", "RelatedFindings[].ProductArn", "RelatedFindings[].Id",
    "Note.Text", "Resources[].Type", "Resources[].Id", "Resources[].Partition", "Resources[].Region",
    "Resources[].Tags", "Resources[].Details", "Severity.Label", "Workflow.Status", NULL};
static const char *const mapped_compliance[] = {
    "Confidence", "Criticality", "Compliance.SecurityControlId", "Compliance.Status",
    "Compliance.RelatedRequirements", "Compliance.StatusReasons[].Description",
    "Compliance.StatusReasons[].ReasonCode", "Compliance.AssociatedStandards[].StandardsId",
    "Remediation.Recommendation.Text", "Remediation.Recommendation.Url", NULL};
static const char *const mapped_vuln[] = {
    "Vulnerabilities[].Id", "Vulnerabilities[].Cvss[].BaseScore", "Vulnerabilities[].Cvss[].BaseVector",
    "Vulnerabilities[].Cvss[].Version", "Vulnerabilities[].Vendor.VendorCreatedAt",
    "Vulnerabilities[].Vendor.VendorUpdatedAt", "Vulnerabilities[].EpssScore", "Vulnerabilities[].Vendor.Url",
    "Vulnerabilities[].ReferenceUrls", "Vulnerabilities[].RelatedVulnerabilities",
    "Vulnerabilities[].Vendor.Name", "Vulnerabilities[].VulnerablePackages[].Architecture",
    "Vulnerabilities[].VulnerablePackages[].Epoch", "Vulnerabilities[].VulnerablePackages[].FilePath",
    "Vulnerabilities[].VulnerablePackages[].FixedInVersion",
    "Vulnerabilities[].VulnerablePackages[].PackageManager", "Vulnerabilities[].VulnerablePackages[].Name",
    "Vulnerabilities[].VulnerablePackages[].Release", "Vulnerabilities[].VulnerablePackages[].Version",
    "Vulnerabilities[].VulnerablePackages[].Remediation", "Vulnerabilities[].CodeVulnerabilities[].SourceArn",
    "Vulnerabilities[].CodeVulnerabilities[].FilePath", "Vulnerabilities[].CodeVulnerabilities[].Cwes",
    "Vulnerabilities[].FixAvailable", "Vulnerabilities[].ExploitAvailable", "Remediation.Recommendation.Text",
    "Remediation.Recommendation.Url", NULL};

/* GuardDuty's flattened ProductFields keys that become evidences[] (Detection Finding). */
#define GD "aws/guardduty/service/"
enum {
    EV_DATA, EV_API, EV_API_K8S, EV_ERROR, EV_SERVICE, EV_IP, EV_IP_K8S, EV_COUNTRY, EV_COUNTRY_K8S,
    EV_CITY, EV_CITY_K8S, EV_LAT, EV_LON, EV_LAT_K8S, EV_LON_K8S, EV_HOST, EV_PROTO, EV_FEATURE,
    EV_OWNER, EV_COUNT
};
static const char *const ev_keys[EV_COUNT] = {
    GD "additionalInfo/value",
    GD "action/awsApiCallAction/api",
    GD "action/kubernetesApiCallAction/verb",
    GD "action/awsApiCallAction/errorCode",
    GD "action/awsApiCallAction/serviceName",
    GD "action/awsApiCallAction/remoteIpDetails/ipAddressV4",
    GD "action/kubernetesApiCallAction/remoteIpDetails/ipAddressV4",
    GD "action/awsApiCallAction/remoteIpDetails/country/countryName",
    GD "action/kubernetesApiCallAction/remoteIpDetails/country/countryName",
    GD "action/awsApiCallAction/remoteIpDetails/city/cityName",
    GD "action/kubernetesApiCallAction/remoteIpDetails/city/cityName",
    GD "action/awsApiCallAction/remoteIpDetails/geoLocation/lat",
    GD "action/awsApiCallAction/remoteIpDetails/geoLocation/lon",
    GD "action/kubernetesApiCallAction/remoteIpDetails/geoLocation/lat",
    GD "action/kubernetesApiCallAction/remoteIpDetails/geoLocation/lon",
    GD "action/dnsRequestAction/domainWithSuffix",
    GD "action/dnsRequestAction/protocol",
    GD "featureName",
    "ResourceOwnerAccount",
};

static bool covers(const char *prefix, const char *key)
{
    size_t n = strlen(prefix);
    return strncmp(prefix, key, n) == 0 && (key[n] == '\0' || key[n] == '.' || key[n] == '[');
}

static bool in_list(const char *const *list, const char *key)
{
    for (; *list; list++)
        if (covers(*list, key))
            return true;
    return false;
}

static bool is_mapped(int cls, const char *key)
{
    size_t i;
    if (in_list(mapped_common, key))
        return true;
    if (cls == OCSF_COMPLIANCE)
        return in_list(mapped_compliance, key);
    if (cls == OCSF_VULN)
        return in_list(mapped_vuln, key);
    /* Detection: Confidence, Criticality and the GuardDuty keys the evidence uses */
    if (covers("Confidence", key) || covers("Criticality", key))
        return true;
    if (strncmp(key, "ProductFields.", 14) == 0)
        for (i = 0; i < EV_COUNT; i++)
            if (strcmp(key + 14, ev_keys[i]) == 0)
                return true;
    return false;
}

/* ---- the unmapped table: key -> joined text, in first-seen order, hashed for lookups ---------- */

typedef struct um_entry {
    char *key;
    asff_buf value;
    size_t next;      /* hash chain: index + 1, 0 = end */
} um_entry;

typedef struct ocsf_ctx {
    const asff_allocator *alloc;
    int cls;
    asff_buf key;          /* current flattened path */
    size_t marks[64];      /* key length before each open container (the model nests less deep) */
    unsigned depth;
    um_entry *entries;
    size_t count, cap;
    size_t *heads;         /* hash buckets: index + 1 */
    size_t nheads;
    asff_status status;
} ocsf_ctx;

static uint64_t hash_str(const char *s)
{
    return asff__hash_bytes(s, strlen(s), 0);
}

static asff_status um_rehash(ocsf_ctx *c)
{
    size_t n = c->nheads ? c->nheads * 2 : 64, i;
    size_t *h = asff__malloc(c->alloc, n * sizeof *h);
    if (!h)
        return ASFF_ERR_NOMEM;
    memset(h, 0, n * sizeof *h);
    for (i = 0; i < c->count; i++) {
        size_t b = (size_t)(hash_str(c->entries[i].key) % n);
        c->entries[i].next = h[b];
        h[b] = i + 1;
    }
    asff__free(c->alloc, c->heads);
    c->heads = h;
    c->nheads = n;
    return ASFF_OK;
}

static asff_status um_add(ocsf_ctx *c, const char *key, const char *value, size_t vlen)
{
    size_t b, i;
    um_entry *e;
    if (!c->heads || c->count >= c->nheads) {
        if (um_rehash(c) != ASFF_OK)
            return ASFF_ERR_NOMEM;
    }
    b = (size_t)(hash_str(key) % c->nheads);
    for (i = c->heads[b]; i; i = c->entries[i - 1].next) {
        e = &c->entries[i - 1];
        if (strcmp(e->key, key) == 0) {
            if (asff__buf_putc(&e->value, ',') != ASFF_OK)
                return ASFF_ERR_NOMEM;
            return asff__buf_append(&e->value, value, vlen);
        }
    }
    if (c->count == c->cap) {
        size_t ncap = c->cap ? c->cap * 2 : 32;
        um_entry *ne = asff__realloc(c->alloc, c->entries, ncap * sizeof *ne);
        if (!ne)
            return ASFF_ERR_NOMEM;
        c->entries = ne;
        c->cap = ncap;
    }
    e = &c->entries[c->count];
    memset(e, 0, sizeof *e);
    asff__buf_init(&e->value, c->alloc);
    e->key = asff__malloc(c->alloc, strlen(key) + 1);
    if (!e->key)
        return ASFF_ERR_NOMEM;
    strcpy(e->key, key);
    c->count++;
    if (asff__buf_append(&e->value, value, vlen) != ASFF_OK)
        return ASFF_ERR_NOMEM;
    e->next = c->heads[b];
    c->heads[b] = c->count;
    return ASFF_OK;
}

static void um_free(ocsf_ctx *c)
{
    size_t i;
    for (i = 0; i < c->count; i++) {
        asff__free(c->alloc, c->entries[i].key);
        asff__buf_cleanup(&c->entries[i].value);
    }
    asff__free(c->alloc, c->entries);
    asff__free(c->alloc, c->heads);
    asff__buf_cleanup(&c->key);
}

/* Text of a scalar for `unmapped`. */
static asff_status scalar_text(asff_kind k, const void *v, char *tmp, const char **out, size_t *len)
{
    switch (k) {
    case ASFF_KIND_STRING:
    case ASFF_KIND_JSON:
        *out = v;
        break;
    case ASFF_KIND_INT: {
        const asff_int *i = v;
        if (i->text)
            *out = i->text;
        else {
            snprintf(tmp, 32, "%lld", (long long)i->value);
            *out = tmp;
        }
        break;
    }
    case ASFF_KIND_DOUBLE:
        if (asff__codec_format_double(*(const double *)v, tmp) == 0)
            return ASFF_ERR_RANGE;
        *out = tmp;
        break;
    case ASFF_KIND_BOOL:
        *out = *(const bool *)v ? "true" : "false";
        break;
    default:
        *out = "";
    }
    *len = strlen(*out);
    return ASFF_OK;
}

static int flatten(void *ctx, const asff_walk_item *it)
{
    ocsf_ctx *c = ctx;
    size_t mark = c->key.len;
    const char *seg = it->name;
    asff_status st = ASFF_OK;
    if (it->depth == 0) /* the finding itself */
        return 0;
    if (it->event == ASFF_WALK_OBJECT_END || it->event == ASFF_WALK_LIST_END || it->event == ASFF_WALK_MAP_END) {
        if (c->depth > 0) {
            c->depth--;
            c->key.len = c->marks[c->depth];
            c->key.data[c->key.len] = '\0';
        }
        return 0;
    }
    /* the segment of this value: ".Name", ".key" (map value) or "[]" (list item) */
    if (!seg && it->event != ASFF_WALK_EXTRA)
        st = asff__buf_append(&c->key, "[]", 2);
    else {
        if (c->key.len)
            st = asff__buf_putc(&c->key, '.');
        if (st == ASFF_OK)
            st = asff__buf_append(&c->key, seg, strlen(seg));
    }
    if (st != ASFF_OK) {
        c->status = st;
        return 2;
    }
    if (it->event == ASFF_WALK_OBJECT_BEGIN || it->event == ASFF_WALK_LIST_BEGIN || it->event == ASFF_WALK_MAP_BEGIN) {
        /* asff_walk sends the END event of a skipped container too, so push in both cases */
        if (c->depth >= 64) {
            c->status = ASFF_ERR_LIMIT;
            return 2;
        }
        c->marks[c->depth++] = mark;
        return is_mapped(c->cls, c->key.data) ? ASFF_WALK_SKIP : 0;
    }
    if (!is_mapped(c->cls, c->key.data)) {
        char tmp[40];
        const char *text;
        size_t len;
        const asff_kind k = it->event == ASFF_WALK_EXTRA ? ASFF_KIND_JSON : it->kind;
        const void *v = it->event == ASFF_WALK_EXTRA ? (const void *)it->extra->json : it->value;
        if (!(it->event == ASFF_WALK_EXTRA && strcmp(it->extra->json, "null") == 0)) {
            st = scalar_text(k, v, tmp, &text, &len);
            if (st == ASFF_OK)
                st = um_add(c, c->key.data, text, len);
        }
    }
    c->key.len = mark;
    c->key.data[mark] = '\0';
    if (st != ASFF_OK) {
        c->status = st;
        return 2;
    }
    return 0;
}

/* ---- emission helpers ------------------------------------------------------------------------ */

#define KEY(g, k) yajl_gen_string((g), (const unsigned char *)(k), strlen(k))

static void put_str(yajl_gen g, const char *k, const char *v)
{
    if (v) {
        KEY(g, k);
        yajl_gen_string(g, (const unsigned char *)v, strlen(v));
    }
}

static void put_int(yajl_gen g, const char *k, long long v)
{
    KEY(g, k);
    yajl_gen_integer(g, v);
}

static void put_double(yajl_gen g, const char *k, double v)
{
    char tmp[40];
    size_t n = asff__codec_format_double(v, tmp);
    if (n) {
        KEY(g, k);
        yajl_gen_number(g, tmp, n);
    }
}

static void put_int_text(yajl_gen g, const char *k, const asff_int *v)
{
    char tmp[32];
    if (!v)
        return;
    KEY(g, k);
    if (v->text)
        yajl_gen_number(g, v->text, strlen(v->text));
    else {
        snprintf(tmp, sizeof tmp, "%lld", (long long)v->value);
        yajl_gen_number(g, tmp, strlen(tmp));
    }
}

static void put_strlist(yajl_gen g, const char *k, char *const *items, size_t count)
{
    size_t i;
    if (!items)
        return;
    KEY(g, k);
    yajl_gen_array_open(g);
    for (i = 0; i < count; i++)
        if (items[i])
            yajl_gen_string(g, (const unsigned char *)items[i], strlen(items[i]));
    yajl_gen_array_close(g);
}

static const char *pf_get(const asff_AwsSecurityFinding *f, const char *key)
{
    size_t i;
    for (i = 0; i < f->ProductFields.count; i++)
        if (f->ProductFields.keys[i] && strcmp(f->ProductFields.keys[i], key) == 0)
            return f->ProductFields.values[i];
    return NULL;
}

/* severity_id from Severity.Label, or from Severity.Normalized when there is no label. */
static int severity_id(const asff_AwsSecurityFinding *f, const char **name)
{
    static const char *const labels[] = {"INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL"};
    static const char *const names[] = {"Informational", "Low", "Medium", "High", "Critical"};
    const char *label = f->Severity ? f->Severity->Label : NULL;
    int i;
    if (!label && f->Severity && f->Severity->Normalized)
        label = asff_severity_label(f->Severity->Normalized->value);
    for (i = 0; label && i < 5; i++)
        if (strcmp(label, labels[i]) == 0) {
            *name = names[i];
            return i + 1;
        }
    *name = "Unknown";
    return 0;
}

static int status_id(const char *ws, const char **name)
{
    static const char *const st[] = {"NEW", "NOTIFIED", "SUPPRESSED", "RESOLVED"};
    static const char *const names[] = {"New", "In Progress", "Suppressed", "Resolved"};
    int i;
    for (i = 0; ws && i < 4; i++)
        if (strcmp(ws, st[i]) == 0) {
            *name = names[i];
            return i + 1;
        }
    *name = ws ? "Other" : "Unknown";
    return ws ? 99 : 0;
}

static asff_status put_resource(yajl_gen g, const asff_AwsSecurityFinding *f, const asff_Resource *r, int cls,
                                const asff_allocator *alloc)
{
    size_t i;
    yajl_gen_map_open(g);
    put_str(g, "cloud_partition", r->Partition);
    if (f->Criticality && cls != OCSF_VULN) {
        char tmp[32];
        snprintf(tmp, sizeof tmp, "%lld", (long long)f->Criticality->value);
        put_str(g, "criticality", tmp);
    }
    if (r->Details) {
        /* the sample output carries Details as a JSON string */
        asff_buf b;
        asff_status st;
        asff__buf_init(&b, alloc);
        st = asff__codec_object_json(r->Details, &b, NULL);
        if (st != ASFF_OK) {
            asff__buf_cleanup(&b);
            return st;
        }
        KEY(g, "data");
        yajl_gen_string(g, (const unsigned char *)(b.data ? b.data : "{}"), b.data ? b.len : 2);
        asff__buf_cleanup(&b);
    }
    if (r->Tags.keys) {
        KEY(g, "labels");
        yajl_gen_array_open(g);
        for (i = 0; i < r->Tags.count; i++) {
            asff_buf b;
            asff__buf_init(&b, alloc);
            if (asff__buf_appendf(&b, "%s=%s", r->Tags.keys[i], r->Tags.values[i] ? r->Tags.values[i] : "") !=
                ASFF_OK) {
                asff__buf_cleanup(&b);
                return ASFF_ERR_NOMEM;
            }
            yajl_gen_string(g, (const unsigned char *)b.data, b.len);
            asff__buf_cleanup(&b);
        }
        yajl_gen_array_close(g);
    }
    if (cls == OCSF_DETECTION && pf_get(f, "ResourceOwnerAccount")) {
        KEY(g, "owner");
        yajl_gen_map_open(g);
        KEY(g, "account");
        yajl_gen_map_open(g);
        put_str(g, "uid", pf_get(f, "ResourceOwnerAccount"));
        yajl_gen_map_close(g);
        yajl_gen_map_close(g);
    }
    put_str(g, "region", r->Region);
    put_str(g, "type", r->Type);
    put_str(g, "uid", r->Id);
    yajl_gen_map_close(g);
    return ASFF_OK;
}

static void put_compliance(yajl_gen g, const asff_Compliance *c, const asff_allocator *alloc)
{
    size_t i;
    KEY(g, "compliance");
    yajl_gen_map_open(g);
    put_str(g, "control", c->SecurityControlId);
    put_strlist(g, "requirements", c->RelatedRequirements.items, c->RelatedRequirements.count);
    if (c->AssociatedStandards.items) {
        KEY(g, "standards");
        yajl_gen_array_open(g);
        for (i = 0; i < c->AssociatedStandards.count; i++)
            if (c->AssociatedStandards.items[i] && c->AssociatedStandards.items[i]->StandardsId)
                yajl_gen_string(g, (const unsigned char *)c->AssociatedStandards.items[i]->StandardsId,
                                strlen(c->AssociatedStandards.items[i]->StandardsId));
        yajl_gen_array_close(g);
    }
    put_str(g, "status", c->Status);
    if (c->StatusReasons.count) {
        /* several reasons: their codes and descriptions joined with "; " */
        asff_buf code, desc;
        asff__buf_init(&code, alloc);
        asff__buf_init(&desc, alloc);
        for (i = 0; i < c->StatusReasons.count; i++) {
            const asff_StatusReason *r = c->StatusReasons.items[i];
            if (!r)
                continue;
            if (r->ReasonCode)
                (void)asff__buf_appendf(&code, "%s%s", code.len ? "; " : "", r->ReasonCode);
            if (r->Description)
                (void)asff__buf_appendf(&desc, "%s%s", desc.len ? "; " : "", r->Description);
        }
        put_str(g, "status_code", code.data);
        put_str(g, "status_detail", desc.data);
        asff__buf_cleanup(&code);
        asff__buf_cleanup(&desc);
    }
    yajl_gen_map_close(g);
}

static void put_remediation(yajl_gen g, const asff_AwsSecurityFinding *f)
{
    const asff_Recommendation *r = f->Remediation ? f->Remediation->Recommendation : NULL;
    if (!r || (!r->Text && !r->Url))
        return;
    KEY(g, "remediation");
    yajl_gen_map_open(g);
    put_str(g, "desc", r->Text);
    if (r->Url) {
        KEY(g, "references");
        yajl_gen_array_open(g);
        yajl_gen_string(g, (const unsigned char *)r->Url, strlen(r->Url));
        yajl_gen_array_close(g);
    }
    yajl_gen_map_close(g);
}

static void put_vulnerability(yajl_gen g, const asff_AwsSecurityFinding *f, const asff_Vulnerability *v)
{
    size_t i;
    yajl_gen_map_open(g);
    if (v->CodeVulnerabilities.count) {
        KEY(g, "affected_code");
        yajl_gen_array_open(g);
        for (i = 0; i < v->CodeVulnerabilities.count; i++) {
            const asff_VulnerabilityCodeVulnerabilities *cv = v->CodeVulnerabilities.items[i];
            if (!cv)
                continue;
            yajl_gen_map_open(g);
            if (cv->FilePath)
                put_int_text(g, "end_line", cv->FilePath->EndLine);
            KEY(g, "file");
            yajl_gen_map_open(g);
            if (cv->FilePath) {
                put_str(g, "name", cv->FilePath->FileName);
                put_str(g, "path", cv->FilePath->FilePath);
            }
            put_str(g, "uid", cv->SourceArn);
            yajl_gen_map_close(g);
            if (cv->FilePath)
                put_int_text(g, "start_line", cv->FilePath->StartLine);
            yajl_gen_map_close(g);
        }
        yajl_gen_array_close(g);
    }
    if (v->VulnerablePackages.count) {
        KEY(g, "affected_packages");
        yajl_gen_array_open(g);
        for (i = 0; i < v->VulnerablePackages.count; i++) {
            const asff_SoftwarePackage *p = v->VulnerablePackages.items[i];
            if (!p)
                continue;
            yajl_gen_map_open(g);
            put_str(g, "architecture", p->Architecture);
            put_str(g, "epoch", p->Epoch);
            put_str(g, "fixed_in_version", p->FixedInVersion);
            put_str(g, "name", p->Name);
            put_str(g, "package_manager", p->PackageManager);
            put_str(g, "path", p->FilePath);
            put_str(g, "release", p->Release);
            if (p->Remediation) {
                KEY(g, "remediation");
                yajl_gen_map_open(g);
                put_str(g, "desc", p->Remediation);
                yajl_gen_map_close(g);
            }
            put_str(g, "version", p->Version);
            yajl_gen_map_close(g);
        }
        yajl_gen_array_close(g);
    }
    KEY(g, "cve");
    yajl_gen_map_open(g);
    if (v->Vendor)
        put_str(g, "created_time_dt", v->Vendor->VendorCreatedAt);
    if (v->Cvss.count) {
        KEY(g, "cvss");
        yajl_gen_array_open(g);
        for (i = 0; i < v->Cvss.count; i++) {
            const asff_Cvss *s = v->Cvss.items[i];
            if (!s)
                continue;
            yajl_gen_map_open(g);
            if (s->BaseScore)
                put_double(g, "base_score", *s->BaseScore);
            put_str(g, "vector_string", s->BaseVector);
            put_str(g, "version", s->Version);
            yajl_gen_map_close(g);
        }
        yajl_gen_array_close(g);
    }
    if (v->EpssScore) {
        KEY(g, "epss");
        yajl_gen_map_open(g);
        put_double(g, "score", *v->EpssScore);
        yajl_gen_map_close(g);
    }
    if (v->Vendor) {
        put_str(g, "modified_time_dt", v->Vendor->VendorUpdatedAt);
        if (v->Vendor->Url)
            put_strlist(g, "references", &v->Vendor->Url, 1);
    }
    put_str(g, "uid", v->Id);
    yajl_gen_map_close(g);
    if (v->CodeVulnerabilities.count && v->CodeVulnerabilities.items[0] &&
        v->CodeVulnerabilities.items[0]->Cwes.count && v->CodeVulnerabilities.items[0]->Cwes.items[0]) {
        KEY(g, "cwe");
        yajl_gen_map_open(g);
        put_str(g, "uid", v->CodeVulnerabilities.items[0]->Cwes.items[0]);
        yajl_gen_map_close(g);
    }
    if (v->ExploitAvailable) {
        KEY(g, "is_exploit_available");
        yajl_gen_bool(g, strcmp(v->ExploitAvailable, "YES") == 0);
    }
    if (v->FixAvailable) {
        /* PARTIAL: a fix exists for some of the packages */
        KEY(g, "is_fix_available");
        yajl_gen_bool(g, strcmp(v->FixAvailable, "NO") != 0);
    }
    put_strlist(g, "references", v->ReferenceUrls.items, v->ReferenceUrls.count);
    put_strlist(g, "related_vulnerabilities", v->RelatedVulnerabilities.items, v->RelatedVulnerabilities.count);
    put_remediation(g, f);
    if (v->Vendor)
        put_str(g, "vendor_name", v->Vendor->Name);
    yajl_gen_map_close(g);
}

static void put_evidence(yajl_gen g, const asff_AwsSecurityFinding *f)
{
    const char *v[EV_COUNT];
    const char *api, *ip, *country, *city, *lat, *lon;
    size_t i;
    bool any = false;
    for (i = 0; i < EV_COUNT; i++) {
        v[i] = pf_get(f, ev_keys[i]);
        if (v[i] && i < EV_FEATURE)
            any = true;
    }
    if (!any)
        return;
    api = v[EV_API] ? v[EV_API] : v[EV_API_K8S];
    ip = v[EV_IP] ? v[EV_IP] : v[EV_IP_K8S];
    country = v[EV_COUNTRY] ? v[EV_COUNTRY] : v[EV_COUNTRY_K8S];
    city = v[EV_CITY] ? v[EV_CITY] : v[EV_CITY_K8S];
    lat = v[EV_LAT] ? v[EV_LAT] : v[EV_LAT_K8S];
    lon = v[EV_LON] ? v[EV_LON] : v[EV_LON_K8S];
    KEY(g, "evidences");
    yajl_gen_array_open(g);
    yajl_gen_map_open(g);
    if (api || v[EV_ERROR] || v[EV_SERVICE]) {
        KEY(g, "api");
        yajl_gen_map_open(g);
        put_str(g, "operation", api);
        if (v[EV_ERROR]) {
            KEY(g, "response");
            yajl_gen_map_open(g);
            put_str(g, "error", v[EV_ERROR]);
            yajl_gen_map_close(g);
        }
        if (v[EV_SERVICE]) {
            KEY(g, "service");
            yajl_gen_map_open(g);
            put_str(g, "name", v[EV_SERVICE]);
            yajl_gen_map_close(g);
        }
        yajl_gen_map_close(g);
    }
    if (v[EV_PROTO]) {
        KEY(g, "connection_info");
        yajl_gen_map_open(g);
        put_str(g, "protocol_name", v[EV_PROTO]);
        yajl_gen_map_close(g);
    }
    put_str(g, "data", v[EV_DATA]);
    if (v[EV_HOST]) {
        KEY(g, "query");
        yajl_gen_map_open(g);
        put_str(g, "hostname", v[EV_HOST]);
        yajl_gen_map_close(g);
    }
    if (ip || country || city || (lat && lon)) {
        KEY(g, "src_endpoint");
        yajl_gen_map_open(g);
        put_str(g, "ip", ip);
        if (country || city || (lat && lon)) {
            KEY(g, "location");
            yajl_gen_map_open(g);
            put_str(g, "city", city);
            if (lat && lon) {
                char *e1, *e2;
                double dlon = asff__c_strtod(lon, &e1), dlat = asff__c_strtod(lat, &e2);
                char t1[40], t2[40];
                size_t n1 = asff__codec_format_double(dlon, t1), n2 = asff__codec_format_double(dlat, t2);
                if (*lon && *lat && !*e1 && !*e2 && n1 && n2) {
                    KEY(g, "coordinates"); /* OCSF order: longitude, latitude */
                    yajl_gen_array_open(g);
                    yajl_gen_number(g, t1, n1);
                    yajl_gen_number(g, t2, n2);
                    yajl_gen_array_close(g);
                }
            }
            put_str(g, "country", country);
            yajl_gen_map_close(g);
        }
        yajl_gen_map_close(g);
    }
    yajl_gen_map_close(g);
    yajl_gen_array_close(g);
}

static void put_observable(yajl_gen g, const char *name, const char *type, int type_id, const char *value)
{
    yajl_gen_map_open(g);
    put_str(g, "name", name);
    put_str(g, "type", type);
    put_int(g, "type_id", type_id);
    put_str(g, "value", value);
    yajl_gen_map_close(g);
}

/* ---- the event ------------------------------------------------------------------------------- */

static asff_status gen_event(yajl_gen g, const asff_AwsSecurityFinding *f, int cls, ocsf_ctx *um,
                             const asff_allocator *alloc)
{
    const char *sev_name, *status_name, *ip;
    int sev = severity_id(f, &sev_name);
    int stid = status_id(f->Workflow ? f->Workflow->Status : NULL, &status_name);
    int activity = f->CreatedAt && f->UpdatedAt && strcmp(f->CreatedAt, f->UpdatedAt) != 0 ? 2 : 1;
    char type_name[64];
    size_t i;
    asff_status st;

    yajl_gen_map_open(g);
    put_int(g, "activity_id", activity);
    put_str(g, "activity_name", activity == 1 ? "Create" : "Update");
    put_str(g, "category_name", "Findings");
    put_int(g, "category_uid", 2);
    put_str(g, "class_name", class_name(cls));
    put_int(g, "class_uid", cls);

    KEY(g, "cloud");
    yajl_gen_map_open(g);
    if (f->AwsAccountId) {
        KEY(g, "account");
        yajl_gen_map_open(g);
        put_str(g, "uid", f->AwsAccountId);
        yajl_gen_map_close(g);
    }
    put_str(g, "provider", "AWS");
    put_str(g, "region", f->Region);
    yajl_gen_map_close(g);

    if (cls == OCSF_COMPLIANCE && f->Compliance)
        put_compliance(g, f->Compliance, alloc);
    if (cls != OCSF_VULN && f->Confidence)
        put_int_text(g, "confidence_score", f->Confidence);
    if (cls == OCSF_DETECTION)
        put_evidence(g, f);

    KEY(g, "finding_info");
    yajl_gen_map_open(g);
    put_str(g, "created_time_dt", f->CreatedAt);
    put_str(g, "desc", f->Description);
    put_str(g, "first_seen_time_dt", f->FirstObservedAt);
    put_str(g, "last_seen_time_dt", f->LastObservedAt);
    put_str(g, "modified_time_dt", f->UpdatedAt);
    if (f->RelatedFindings.count) {
        KEY(g, "related_events");
        yajl_gen_array_open(g);
        for (i = 0; i < f->RelatedFindings.count; i++) {
            const asff_RelatedFinding *r = f->RelatedFindings.items[i];
            if (!r)
                continue;
            yajl_gen_map_open(g);
            put_str(g, "product_uid", r->ProductArn);
            put_str(g, "uid", r->Id);
            yajl_gen_map_close(g);
        }
        yajl_gen_array_close(g);
    }
    put_str(g, "src_url", f->SourceUrl);
    put_str(g, "title", f->Title);
    put_strlist(g, "types", f->Types.items, f->Types.count);
    put_str(g, "uid", f->Id);
    yajl_gen_map_close(g);

    if (f->Note && f->Note->Text)
        put_str(g, "message", f->Note->Text);

    KEY(g, "metadata");
    yajl_gen_map_open(g);
    if (cls == OCSF_DETECTION) {
        KEY(g, "extensions");
        yajl_gen_array_open(g);
        yajl_gen_map_open(g);
        put_str(g, "name", "linux");
        put_str(g, "uid", "1");
        put_str(g, "version", "1.1.0");
        yajl_gen_map_close(g);
        yajl_gen_array_close(g);
    }
    put_str(g, "log_version", f->SchemaVersion);
    put_str(g, "processed_time_dt", f->ProcessedAt);
    KEY(g, "product");
    yajl_gen_map_open(g);
    if (f->GeneratorId || (cls == OCSF_DETECTION && pf_get(f, ev_keys[EV_FEATURE]))) {
        KEY(g, "feature");
        yajl_gen_map_open(g);
        if (cls == OCSF_DETECTION)
            put_str(g, "name", pf_get(f, ev_keys[EV_FEATURE]));
        put_str(g, "uid", f->GeneratorId);
        yajl_gen_map_close(g);
    }
    put_str(g, "name", f->ProductName);
    put_str(g, "uid", f->ProductArn);
    put_str(g, "vendor_name", f->CompanyName ? f->CompanyName : "AWS");
    yajl_gen_map_close(g);
    KEY(g, "profiles");
    yajl_gen_array_open(g);
    yajl_gen_string(g, (const unsigned char *)"cloud", 5);
    yajl_gen_string(g, (const unsigned char *)"datetime", 8);
    if (cls == OCSF_DETECTION)
        yajl_gen_string(g, (const unsigned char *)"linux", 5);
    yajl_gen_array_close(g);
    put_str(g, "version", "1.1.0");
    yajl_gen_map_close(g);

    /* observables: every resource uid, and the remote IP of the evidence */
    ip = pf_get(f, ev_keys[EV_IP]) ? pf_get(f, ev_keys[EV_IP]) : pf_get(f, ev_keys[EV_IP_K8S]);
    if (f->Resources.count || (cls == OCSF_DETECTION && ip)) {
        KEY(g, "observables");
        yajl_gen_array_open(g);
        if (cls == OCSF_DETECTION && ip)
            put_observable(g, "evidences[].src_endpoint.ip", "IP Address", 2, ip);
        for (i = 0; i < f->Resources.count; i++)
            if (f->Resources.items[i] && f->Resources.items[i]->Id)
                put_observable(g, cls == OCSF_DETECTION ? "resources[].uid" : "resource.uid", "Resource UID", 10,
                               f->Resources.items[i]->Id);
        yajl_gen_array_close(g);
    }

    if (cls == OCSF_COMPLIANCE)
        put_remediation(g, f);

    /* Compliance and Vulnerability Finding carry one `resource` (the mapping's singular); the
     * others, when there are several, follow in `resources`. Detection Finding has `resources`. */
    if (f->Resources.count && f->Resources.items[0] && cls != OCSF_DETECTION) {
        KEY(g, "resource");
        if ((st = put_resource(g, f, f->Resources.items[0], cls, alloc)) != ASFF_OK)
            return st;
    }
    if (f->Resources.count && (cls == OCSF_DETECTION || f->Resources.count > 1)) {
        KEY(g, "resources");
        yajl_gen_array_open(g);
        for (i = 0; i < f->Resources.count; i++)
            if (f->Resources.items[i] && (st = put_resource(g, f, f->Resources.items[i], cls, alloc)) != ASFF_OK)
                return st;
        yajl_gen_array_close(g);
    }

    put_str(g, "severity", sev_name);
    put_int(g, "severity_id", sev);
    put_str(g, "status", status_name);
    put_int(g, "status_id", stid);
    if (f->UpdatedAt) {
        int64_t ms;
        if (asff_timestamp_to_ms(f->UpdatedAt, strlen(f->UpdatedAt), &ms) == ASFF_OK)
            put_int(g, "time", (long long)ms);
        put_str(g, "time_dt", f->UpdatedAt);
    }
    snprintf(type_name, sizeof type_name, "%s: %s", class_name(cls), activity == 1 ? "Create" : "Update");
    put_str(g, "type_name", type_name);
    put_int(g, "type_uid", cls * 100 + activity);

    if (um->count) {
        KEY(g, "unmapped");
        yajl_gen_map_open(g);
        for (i = 0; i < um->count; i++) {
            KEY(g, um->entries[i].key);
            yajl_gen_string(g, (const unsigned char *)um->entries[i].value.data, um->entries[i].value.len);
        }
        yajl_gen_map_close(g);
    }
    if (cls == OCSF_VULN && f->Vulnerabilities.count) {
        KEY(g, "vulnerabilities");
        yajl_gen_array_open(g);
        for (i = 0; i < f->Vulnerabilities.count; i++)
            if (f->Vulnerabilities.items[i])
                put_vulnerability(g, f, f->Vulnerabilities.items[i]);
        yajl_gen_array_close(g);
    }
    yajl_gen_map_close(g);
    return ASFF_OK;
}

asff_status asff_to_ocsf(const asff_AwsSecurityFinding *finding, const asff_ocsf_options *options,
                         asff_write_fn fn, void *ctx, asff_error *err)
{
    asff_ocsf_options defaults = ASFF_OCSF_OPTIONS_INIT;
    const asff_ocsf_options *o = options ? options : &defaults;
    const asff_allocator *alloc = asff__alloc_or_default(o->allocator);
    asff_yalloc ya;
    asff__genout out;
    ocsf_ctx um;
    yajl_gen g = NULL;
    asff_status st;

    if (!finding || !fn || asff_object_type(finding) != asff_type_get(ASFF_TID_AwsSecurityFinding))
        return asff_error_set(err, ASFF_ERR_INVALID_ARG, "asff_to_ocsf takes an AwsSecurityFinding and a sink");
    memset(&um, 0, sizeof um);
    um.alloc = alloc;
    um.cls = asff_ocsf_class_uid(finding);
    asff__buf_init(&um.key, alloc);
    memset(&out, 0, sizeof out);
    asff__buf_init(&out.buf, alloc);
    asff__yalloc_init(&ya, alloc);

    st = asff__buf_reserve(&um.key, 128);
    if (st == ASFF_OK) {
        um.key.data[0] = '\0';
        st = asff_walk(finding, flatten, &um);
        if (st == ASFF_ERR_ABORTED)
            st = um.status;
    }
    if (st == ASFF_OK) {
        g = asff__convert_gen(&ya, &out, o->pretty);
        st = g ? gen_event(g, finding, um.cls, &um, alloc) : ASFF_ERR_NOMEM;
    }
    if (st == ASFF_OK && (ya.failed || out.failed))
        st = ASFF_ERR_NOMEM;
    if (st == ASFF_OK && fn(ctx, out.buf.data, out.buf.len) != 0)
        st = asff_error_set(err, ASFF_ERR_IO, "the OCSF sink failed");
    else if (st != ASFF_OK)
        asff_error_set(err, st, st == ASFF_ERR_RANGE ? "a number of the finding cannot be written as JSON"
                                                     : asff_status_message(st));
    if (g)
        yajl_gen_free(g);
    asff__buf_cleanup(&out.buf);
    um_free(&um);
    return st;
}
