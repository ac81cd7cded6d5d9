"""The Security Hub custom action "Resolve CIS 2.4" for Lambda's Python runtime (handler.handler).

For each finding of a "Security Hub Findings - Custom Action" event that is the CIS 2.4 check
(CloudTrail trails deliver to CloudWatch Logs), sets Workflow.Status to RESOLVED with a Note, in
BatchUpdateFindings calls; other findings are left alone. An update that fails raises, so that the
invocation is reported as failed."""
import asff

CIS_2_4_RULE = "cis-aws-foundations-benchmark/v/1.2.0/rule/2.4"
NOTE = {"Text": "CIS 2.4: the trail delivers to CloudWatch Logs; resolved by the custom action",
        "UpdatedBy": "cis-2.4-custom-action"}
_hub = None  # one client while the execution environment lives: connections and credentials reused


def is_cis_2_4(finding):
    if finding.get("GeneratorId", "").endswith(CIS_2_4_RULE):
        return True
    # with consolidated control findings, CIS 2.4 is the security control CloudTrail.5
    return finding.get("Compliance", {}).get("SecurityControlId") == "CloudTrail.5"


def handler(event, context):
    global _hub
    if event.get("detail-type") != "Security Hub Findings - Custom Action":
        raise ValueError("not a Security Hub Findings - Custom Action event")
    findings = asff.load(event)
    ids = [{"Id": f["Id"], "ProductArn": f["ProductArn"]} for f in findings if is_cis_2_4(f)]
    if not ids:
        return {"resolved": 0, "skipped": len(findings)}
    if _hub is None:
        _hub = asff.Client()
    result = _hub.update_findings({"FindingIdentifiers": ids, "Workflow": {"Status": "RESOLVED"}, "Note": NOTE},
                                  raise_on_failure=True)
    return {"resolved": len(result), "skipped": len(findings) - len(ids)}
