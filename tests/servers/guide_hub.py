#!/usr/bin/env python3
"""Security Hub for the guide's recipes (docs/guide/): a proxy to --upstream (moto_server, or
tests/servers/rollout_server.py in front of it) that serves itself what moto lacks. Stdlib only.

  guide_hub.py --upstream http://127.0.0.1:PORT
Served here, per account (asked from moto's STS by the caller's access key) and region (from the
signature's scope):
  standards  DescribeStandards, GetEnabledStandards, BatchEnableStandards, BatchDisableStandards,
             DescribeStandardsControls, UpdateStandardsControl (a DISABLED control needs a reason)
  controls   ListSecurityControlDefinitions, BatchGetSecurityControls,
             ListStandardsControlAssociations, BatchUpdateStandardsControlAssociations
  tags       TagResource, UntagResource, ListTagsForResource (EnableSecurityHub's Tags are kept too)
  actions    CreateActionTarget, DescribeActionTargets, DeleteActionTarget
  insights   CreateInsight, GetInsights, DeleteInsight
  findings   BatchUpdateFindings on the findings imported through here (others: FindingNotFound);
             GetFindings answers from moto with those updates laid over the findings
Two standards (FSBP 1.0.0 and CIS 1.2.0) with a few controls each; EnableSecurityHub with default
standards enables both, as Security Hub does. Everything else goes to the upstream unchanged.
Prints "PORT <n>"; exits when stdin reaches EOF.
"""
import argparse
import datetime
import json
import os
import sys
import threading
import urllib.error
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rollout_server  # noqa: E402  (the caller's account and region, as the rollout server reads them)

LOCK = threading.Lock()
STATE = {}      # (account, region) -> dict
OVERLAY = {}    # (Id, ProductArn) -> fields BatchUpdateFindings set
KNOWN = set()   # (Id, ProductArn) imported through here

FSBP = ("aws-foundational-security-best-practices/v/1.0.0", "arn:aws:securityhub:{r}::standards/",
        "AWS Foundational Security Best Practices v1.0.0")
CIS = ("cis-aws-foundations-benchmark/v/1.2.0", "arn:aws:securityhub:::ruleset/", "CIS AWS Foundations Benchmark v1.2.0")
STANDARDS = [FSBP, CIS]
# security control id, title, severity, {standard path: the control's id in that standard}
CONTROLS = [
    ("CloudTrail.1", "CloudTrail is on, with at least one multi-Region trail", "HIGH", {FSBP[0]: "CloudTrail.1", CIS[0]: "2.1"}),
    ("CloudTrail.5", "CloudTrail trails deliver to CloudWatch Logs", "LOW", {CIS[0]: "2.4"}),
    ("IAM.4", "The root user has no access key", "CRITICAL", {FSBP[0]: "IAM.4", CIS[0]: "1.12"}),
    ("EC2.2", "Default security groups allow no traffic", "HIGH", {FSBP[0]: "EC2.2", CIS[0]: "4.3"}),
    ("S3.1", "S3 buckets block public access", "MEDIUM", {FSBP[0]: "S3.1"}),
]


def now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")[:-4] + "Z"


def std_arn(std, region):
    return std[1].format(r=region) + std[0]


def state(acct, region):
    return STATE.setdefault((acct, region), {"enabled": {}, "controls": {}, "tags": {}, "actions": {}, "insights": {}})


class Handler(rollout_server.Handler):
    def reply(self, status, body, headers=None):
        if not isinstance(body, bytes):
            body = json.dumps(body, separators=(",", ":")).encode()
        return super().reply(status, body, headers)

    def error(self, status, code, message):
        return self.reply(status, {"__type": code, "message": message},
                          {"Content-Type": "application/json", "x-amzn-ErrorType": code})

    def handle_any(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        url = urlsplit(self.path)
        path, query = url.path, parse_qs(url.query)
        auth = self.headers.get("Authorization")
        try:
            data = json.loads(body) if body.strip() else {}
        except ValueError:
            data = None
        route = (self.command, path)
        if self.own(route, path, query, data, auth):
            return None
        status, out, headers = self.forward(body)
        if status == 200:
            out = self.after(route, data, out, auth)
        return self.reply(status, out, headers)

    def own(self, route, path, query, data, auth):
        """Answer an operation served here; False when it is the upstream's."""
        m, p = route
        names = {("GET", "/standards"): self.describe_standards, ("POST", "/standards/get"): self.enabled_standards,
                 ("POST", "/standards/register"): self.enable_standards,
                 ("POST", "/standards/deregister"): self.disable_standards,
                 ("GET", "/securityControls/definitions"): self.definitions,
                 ("POST", "/securityControls/batchGet"): self.get_controls,
                 ("GET", "/associations"): self.associations, ("PATCH", "/associations"): self.update_associations,
                 ("POST", "/actionTargets"): self.create_action, ("POST", "/actionTargets/get"): self.describe_actions,
                 ("POST", "/insights"): self.create_insight, ("POST", "/insights/get"): self.get_insights,
                 ("PATCH", "/findings/batchupdate"): self.batch_update}
        fn = names.get(route)
        arg = None
        for prefix, method, f in (("/standards/controls/", "GET", self.describe_controls),
                                  ("/standards/control/", "PATCH", self.update_control),
                                  ("/tags/", None, self.tags), ("/actionTargets/", "DELETE", self.delete_action),
                                  ("/insights/", "DELETE", self.delete_insight)):
            if fn is None and p.startswith(prefix) and method in (None, m):
                fn, arg = f, unquote(p[len(prefix):])
        if fn is None:
            return False
        if data is None:
            self.error(400, "InvalidInputException", "the body is not JSON")
            return True
        acct, region = rollout_server.caller_account(auth), rollout_server.region_of(auth)
        with LOCK:
            rollout_server.count(fn.__name__)
            fn(state(acct, region), acct, region, data, query, arg)
        return True

    # ---- standards and controls
    def describe_standards(self, st, acct, region, data, query, arg):
        return self.reply(200, {"Standards": [{"StandardsArn": std_arn(s, region), "Name": s[2], "EnabledByDefault": True,
                                               "Description": s[2], "StandardsManagedBy":
                                               {"Company": "AWS", "Product": "Security Hub"}} for s in STANDARDS]})

    def subscription(self, std, acct, region):
        return "arn:aws:securityhub:%s:%s:subscription/%s" % (region, acct, std[0])

    def enabled_standards(self, st, acct, region, data, query, arg, status="READY"):
        subs = [{"StandardsSubscriptionArn": self.subscription(s, acct, region), "StandardsArn": std_arn(s, region),
                 "StandardsInput": {}, "StandardsStatus": status} for s in STANDARDS if s[0] in st["enabled"]]
        return self.reply(200, {"StandardsSubscriptions": subs})

    def enable_standards(self, st, acct, region, data, query, arg):
        by_arn = {std_arn(s, region): s for s in STANDARDS}
        reqs = data.get("StandardsSubscriptionRequests") or []
        if any(r.get("StandardsArn") not in by_arn for r in reqs):
            return self.error(400, "InvalidInputException", "unknown standard")
        for r in reqs:
            st["enabled"][by_arn[r["StandardsArn"]][0]] = True
        subs = [{"StandardsSubscriptionArn": self.subscription(by_arn[r["StandardsArn"]], acct, region),
                 "StandardsArn": r["StandardsArn"], "StandardsInput": {}, "StandardsStatus": "PENDING"} for r in reqs]
        return self.reply(200, {"StandardsSubscriptions": subs})

    def disable_standards(self, st, acct, region, data, query, arg):
        out = []
        for sub in data.get("StandardsSubscriptionArns") or []:
            std = next((s for s in STANDARDS if self.subscription(s, acct, region) == sub and s[0] in st["enabled"]), None)
            if std is None:
                return self.error(404, "ResourceNotFoundException", "no such subscription")
            del st["enabled"][std[0]]
            out.append({"StandardsSubscriptionArn": sub, "StandardsArn": std_arn(std, region), "StandardsInput": {},
                        "StandardsStatus": "DELETING"})
        return self.reply(200, {"StandardsSubscriptions": out})

    def control_state(self, st, std, sec_id):
        return st["controls"].setdefault((std[0], sec_id), {"status": "ENABLED", "reason": None, "at": now()})

    def describe_controls(self, st, acct, region, data, query, arg):
        std = next((s for s in STANDARDS if self.subscription(s, acct, region) == arg and s[0] in st["enabled"]), None)
        if std is None:
            return self.error(404, "ResourceNotFoundException", "no such subscription")
        out = []
        for sec_id, title, sev, ids in CONTROLS:
            if std[0] in ids:
                c = self.control_state(st, std, sec_id)
                item = {"StandardsControlArn": "arn:aws:securityhub:%s:%s:control/%s/%s" % (region, acct, std[0], ids[std[0]]),
                        "ControlStatus": c["status"], "ControlStatusUpdatedAt": c["at"], "ControlId": ids[std[0]],
                        "Title": title, "SeverityRating": sev, "RelatedRequirements": []}
                if c["reason"]:
                    item["DisabledReason"] = c["reason"]
                out.append(item)
        return self.reply(200, {"Controls": out})

    def update_control(self, st, acct, region, data, query, arg):
        for std in STANDARDS:
            for sec_id, _, _, ids in CONTROLS:
                if std[0] in ids and arg == "arn:aws:securityhub:%s:%s:control/%s/%s" % (region, acct, std[0], ids[std[0]]):
                    return self.set_control(st, std, sec_id, data.get("ControlStatus"), data.get("DisabledReason"))
        return self.error(404, "ResourceNotFoundException", "no such control")

    def set_control(self, st, std, sec_id, status, reason):
        if status not in ("ENABLED", "DISABLED"):
            return self.error(400, "InvalidInputException", "ControlStatus is ENABLED or DISABLED")
        if status == "DISABLED" and not reason:
            return self.error(400, "InvalidInputException", "a disabled control needs a DisabledReason")
        st["controls"][(std[0], sec_id)] = {"status": status, "reason": reason if status == "DISABLED" else None,
                                            "at": now()}
        return self.reply(200, {})

    def definitions(self, st, acct, region, data, query, arg):
        want = query.get("StandardsArn", [None])[0]
        return self.reply(200, {"SecurityControlDefinitions": [
            {"SecurityControlId": c[0], "Title": c[1], "Description": c[1], "SeverityRating": c[2],
             "RemediationUrl": "https://example.com/controls/" + c[0], "CurrentRegionAvailability": "AVAILABLE"}
            for c in CONTROLS if want is None or any(std_arn(s, region) == want and s[0] in c[3] for s in STANDARDS)]})

    def get_controls(self, st, acct, region, data, query, arg):
        ids = data.get("SecurityControlIds") or []
        known = {c[0]: c for c in CONTROLS}
        out = []
        for i in ids:
            if i in known:
                c = known[i]
                on = any(s[0] in st["enabled"] and s[0] in c[3] and self.control_state(st, s, i)["status"] == "ENABLED"
                         for s in STANDARDS)
                out.append({"SecurityControlId": i, "SecurityControlArn": "arn:aws:securityhub:%s:%s:security-control/%s"
                            % (region, acct, i), "Title": c[1], "Description": c[1], "SeverityRating": c[2],
                            "RemediationUrl": "https://example.com/controls/" + i,
                            "SecurityControlStatus": "ENABLED" if on else "DISABLED"})
        return self.reply(200, {"SecurityControls": out, "UnprocessedIds": [
            {"SecurityControlId": i, "ErrorCode": "NOT_FOUND", "ErrorReason": "no such control"} for i in ids if i not in known]})

    def associations(self, st, acct, region, data, query, arg):
        sec_id = query.get("SecurityControlId", [""])[0]
        c = next((c for c in CONTROLS if c[0] == sec_id), None)
        if c is None:
            return self.error(404, "ResourceNotFoundException", "no such control")
        out = []
        for s in STANDARDS:
            if s[0] in st["enabled"] and s[0] in c[3]:
                x = self.control_state(st, s, sec_id)
                item = {"StandardsArn": std_arn(s, region), "SecurityControlId": sec_id, "SecurityControlArn":
                        "arn:aws:securityhub:%s:%s:security-control/%s" % (region, acct, sec_id),
                        "AssociationStatus": x["status"], "RelatedRequirements": [], "UpdatedAt": x["at"],
                        "StandardsControlTitle": c[1]}
                if x["reason"]:
                    item["UpdatedReason"] = x["reason"]
                out.append(item)
        return self.reply(200, {"StandardsControlAssociationSummaries": out})

    def update_associations(self, st, acct, region, data, query, arg):
        bad = []
        for u in data.get("StandardsControlAssociationUpdates") or []:
            std = next((s for s in STANDARDS if std_arn(s, region) == u.get("StandardsArn")), None)
            c = next((c for c in CONTROLS if c[0] == u.get("SecurityControlId")), None)
            if std is None or c is None or std[0] not in c[3] or std[0] not in st["enabled"]:
                bad.append({"StandardsControlAssociationUpdate": u, "ErrorCode": "RESOURCE_NOT_FOUND",
                            "ErrorReason": "the standard is not enabled or has no such control"})
                continue
            st["controls"][(std[0], c[0])] = {"status": u.get("AssociationStatus"), "at": now(),
                                              "reason": u.get("UpdatedReason")}
        return self.reply(200, {"UnprocessedAssociationUpdates": bad})

    # ---- tags, custom actions, insights
    def tags(self, st, acct, region, data, query, arg):
        if not arg.startswith("arn:aws:securityhub:%s:%s:" % (region, acct)):
            return self.error(404, "ResourceNotFoundException", "no such resource in this account and region")
        tags = st["tags"].setdefault(arg, {})
        if self.command == "POST":
            tags.update(data.get("Tags") or {})
        elif self.command == "DELETE":
            for k in query.get("tagKeys", []):
                tags.pop(k, None)
        else:
            return self.reply(200, {"Tags": tags})
        return self.reply(200, {})

    def create_action(self, st, acct, region, data, query, arg):
        arn = "arn:aws:securityhub:%s:%s:action/custom/%s" % (region, acct, data.get("Id"))
        if arn in st["actions"]:
            return self.error(409, "ResourceConflictException", "the action target exists")
        st["actions"][arn] = {"ActionTargetArn": arn, "Name": data.get("Name"), "Description": data.get("Description")}
        return self.reply(200, {"ActionTargetArn": arn})

    def describe_actions(self, st, acct, region, data, query, arg):
        want = data.get("ActionTargetArns")
        return self.reply(200, {"ActionTargets": [a for k, a in st["actions"].items() if not want or k in want]})

    def delete_action(self, st, acct, region, data, query, arg):
        if st["actions"].pop(arg, None) is None:
            return self.error(404, "ResourceNotFoundException", "no such action target")
        return self.reply(200, {"ActionTargetArn": arg})

    def create_insight(self, st, acct, region, data, query, arg):
        arn = "arn:aws:securityhub:%s:%s:insight/%s/custom/%s" % (region, acct, acct, uuid.uuid4())
        st["insights"][arn] = {"InsightArn": arn, "Name": data.get("Name"), "Filters": data.get("Filters") or {},
                               "GroupByAttribute": data.get("GroupByAttribute")}
        return self.reply(200, {"InsightArn": arn})

    def get_insights(self, st, acct, region, data, query, arg):
        want = data.get("InsightArns")
        return self.reply(200, {"Insights": [i for k, i in st["insights"].items() if not want or k in want]})

    def delete_insight(self, st, acct, region, data, query, arg):
        if st["insights"].pop(arg, None) is None:
            return self.error(404, "ResourceNotFoundException", "no such insight")
        return self.reply(200, {"InsightArn": arg})

    # ---- findings
    def batch_update(self, st, acct, region, data, query, arg):
        note = data.get("Note")
        if note is not None and not (note.get("Text") and note.get("UpdatedBy")):
            return self.error(400, "InvalidInputException", "a Note needs Text and UpdatedBy")
        done, bad = [], []
        for ident in data.get("FindingIdentifiers") or []:
            key = (ident.get("Id"), ident.get("ProductArn"))
            if key not in KNOWN:
                bad.append({"FindingIdentifier": ident, "ErrorCode": "FindingNotFound", "ErrorMessage": "Finding Not Found"})
                continue
            o = OVERLAY.setdefault(key, {})
            if note is not None:
                o["Note"] = dict(note, UpdatedAt=now())
            for k in ("Workflow", "Severity", "VerificationState", "Confidence", "Criticality", "UserDefinedFields"):
                if k in data:
                    o[k] = data[k]
            done.append(ident)
        return self.reply(200, {"ProcessedFindings": done, "UnprocessedFindings": bad})

    def after(self, route, data, out, auth):
        """Answers of the upstream, completed with what is kept here."""
        if route == ("POST", "/findings/import") and data:
            failed = {f.get("Id") for f in json.loads(out).get("FailedFindings") or []}
            with LOCK:
                KNOWN.update((f.get("Id"), f.get("ProductArn")) for f in data.get("Findings") or []
                             if f.get("Id") not in failed)
        elif route == ("POST", "/findings"):
            d = json.loads(out)
            with LOCK:
                for f in d.get("Findings") or []:
                    for k, v in OVERLAY.get((f.get("Id"), f.get("ProductArn")), {}).items():
                        if k == "Severity":
                            f.setdefault("Severity", {}).update(v)
                        else:
                            f[k] = v
            out = json.dumps(d).encode()
        elif route == ("POST", "/accounts") and data is not None:
            acct, region = rollout_server.caller_account(auth), rollout_server.region_of(auth)
            with LOCK:
                st = state(acct, region)
                st["tags"].setdefault("arn:aws:securityhub:%s:%s:hub/default" % (region, acct), {}).update(
                    data.get("Tags") or {})
                if data.get("EnableDefaultStandards", True):
                    for s in STANDARDS:
                        st["enabled"][s[0]] = True
        return out

    do_GET = do_POST = do_DELETE = do_PATCH = handle_any


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--upstream", required=True)
    rollout_server.UPSTREAM = ap.parse_args().upstream.rstrip("/")
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    print("PORT %d" % srv.server_address[1], flush=True)
    sys.stdin.read()
    srv.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
