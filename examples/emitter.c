/* An emitter: builds a finding with the construction API (never sizeof on a model struct), checks
 * it, and prints it as JSON, the way a scanner would before sending it to Security Hub. */
#include <stdio.h>
#include <asff/asff.h>

int main(void)
{
    asff_AwsSecurityFinding *f = ASFF_NEW_ROOT(AwsSecurityFinding, NULL);
    asff_Resource *r;
    asff_error err;
    char *json = NULL;
    size_t len = 0;
    if (!f)
        return 3;
    f->SchemaVersion = "2018-10-08";
    f->Id = "example-scanner/finding/1";
    f->ProductArn = "arn:aws:securityhub:us-east-1:123456789012:product/123456789012/default";
    f->GeneratorId = "example-scanner/rule/open-port";
    f->AwsAccountId = "123456789012";
    f->CreatedAt = "2026-11-27T12:00:00.000Z";
    f->UpdatedAt = "2026-11-27T12:00:00.000Z";
    f->Title = "Port 22 open to the world";
    f->Description = "Security group sg-1 allows 0.0.0.0/0 on port 22.";
    asff_list_append_string(f, "Types", "Software and Configuration Checks/AWS Security Best Practices");
    f->Severity = ASFF_NEW(f, Severity);
    f->Severity->Label = "HIGH";
    r = asff_list_append_object(f, "Resources");
    if (!r) {
        asff_object_free(f);
        return 3;
    }
    r->Type = "AwsEc2SecurityGroup";
    r->Id = "arn:aws:ec2:us-east-1:123456789012:security-group/sg-1";
    asff_map_set(f, "ProductFields", "example-scanner/version", "1.0");
    if (asff_to_json(f, true, &json, &len, &err) != ASFF_OK) {
        fprintf(stderr, "emitter: %s\n", err.message);
        asff_object_free(f);
        return 3;
    }
    printf("%s\n", json);
    fprintf(stderr, "emitter: %zu bytes, libasff %s, model %s\n", len, asff_version(), asff_model_version());
    asff_free_string(json);
    asff_object_free(f);
    return 0;
}
