#!/usr/bin/env python3
"""Deterministic generator of realistic ASFF findings for the benchmarks (Python 3 stdlib only).

Findings average about 2 KB of compact JSON and mix three producers, modelled on the public samples
in the project's test data (AWS documentation, aws-solutions/automated-security-response-on-aws,
Trivy, GuardDuty and Inspector samples):
  * Security Hub control findings (FSBP and CIS standards): Compliance, ProductFields aws/securityhub/*;
  * GuardDuty-like threat findings: Network, Action (NetworkConnectionAction or AwsApiCallAction),
    Details.AwsEc2Instance;
  * Inspector-like vulnerability findings: Vulnerabilities (Cvss, VulnerablePackages, Vendor) on an
    AwsEcrContainerImage or AwsEc2Instance resource.
Severity, RecordState and Workflow.Status follow skewed, realistic distributions over several accounts
and regions, with 1-3 resources per finding. The same --seed always gives the same bytes.

  gen_corpus.py --size 200M --envelope ndjson --out bench/out/corpus.ndjson
  gen_corpus.py --count 1000 --envelope findings          # to stdout
  gen_corpus.py --size 200M --match 0.22 --envelope findings --oneline   # 22% match, no newline at all
"""
import argparse
import json
import random
import sys

ACCOUNTS = ["111122223333", "123456789012", "210987654321", "444455556666", "555566667777",
            "777788889999", "888899990000", "901234567890"]
REGIONS = [("us-east-1", 30), ("us-east-2", 12), ("us-west-2", 18), ("eu-west-1", 15),
           ("eu-central-1", 10), ("ap-southeast-2", 6), ("ap-northeast-1", 5), ("sa-east-1", 4)]

FSBP = "aws-foundational-security-best-practices/v/1.0.0"
CIS = "cis-aws-foundations-benchmark/v/1.2.0"
# (standard, control, severity of a failure, resource type, title)
CONTROLS = [
    (FSBP, "EC2.2", "HIGH", "AwsEc2SecurityGroup", "VPC default security groups should not allow inbound or outbound traffic"),
    (FSBP, "EC2.7", "MEDIUM", "AwsAccount", "EBS default encryption should be enabled"),
    (FSBP, "EC2.8", "HIGH", "AwsEc2Instance", "EC2 instances should use Instance Metadata Service Version 2 (IMDSv2)"),
    (FSBP, "EC2.19", "CRITICAL", "AwsEc2SecurityGroup", "Security groups should not allow unrestricted access to ports with high risk"),
    (FSBP, "S3.1", "MEDIUM", "AwsAccount", "S3 Block Public Access setting should be enabled"),
    (FSBP, "S3.2", "CRITICAL", "AwsS3Bucket", "S3 buckets should prohibit public read access"),
    (FSBP, "S3.5", "MEDIUM", "AwsS3Bucket", "S3 buckets should require requests to use Secure Socket Layer"),
    (FSBP, "IAM.1", "HIGH", "AwsIamPolicy", "IAM policies should not allow full \"*\" administrative privileges"),
    (FSBP, "IAM.8", "MEDIUM", "AwsIamUser", "Unused IAM user credentials should be removed"),
    (FSBP, "CloudTrail.2", "MEDIUM", "AwsCloudTrailTrail", "CloudTrail should have encryption at-rest enabled"),
    (FSBP, "RDS.2", "CRITICAL", "AwsRdsDbInstance", "RDS DB Instances should prohibit public access, as determined by the PubliclyAccessible configuration"),
    (FSBP, "Lambda.1", "CRITICAL", "AwsLambdaFunction", "Lambda function policies should prohibit public access"),
    (FSBP, "KMS.4", "MEDIUM", "AwsKmsKey", "AWS KMS key rotation should be enabled"),
    (CIS, "1.3", "MEDIUM", "AwsIamUser", "Ensure credentials unused for 90 days or greater are disabled"),
    (CIS, "1.14", "CRITICAL", "AwsAccount", "Ensure hardware MFA is enabled for the \"root\" account"),
    (CIS, "2.4", "LOW", "AwsCloudTrailTrail", "Ensure CloudTrail trails are integrated with CloudWatch Logs"),
    (CIS, "3.1", "LOW", "AwsAccount", "Ensure a log metric filter and alarm exist for unauthorized API calls"),
    (CIS, "4.1", "HIGH", "AwsEc2SecurityGroup", "Ensure no security groups allow ingress from 0.0.0.0/0 to port 22"),
]
GD_NET = [
    ("UnauthorizedAccess:EC2/SSHBruteForce", "TTPs/Initial Access/UnauthorizedAccess:EC2-SSHBruteForce", 22, "SSH", "INBOUND"),
    ("UnauthorizedAccess:EC2/RDPBruteForce", "TTPs/Initial Access/UnauthorizedAccess:EC2-RDPBruteForce", 3389, "RDP", "INBOUND"),
    ("Recon:EC2/PortProbeUnprotectedPort", "TTPs/Discovery/Recon:EC2-PortProbeUnprotectedPort", 8080, "HTTP", "INBOUND"),
    ("CryptoCurrency:EC2/BitcoinTool.B!DNS", "TTPs/Command and Control/CryptoCurrency:EC2-BitcoinTool.B!DNS", 3333, "Unknown", "OUTBOUND"),
    ("Backdoor:EC2/C&CActivity.B", "TTPs/Command and Control/Backdoor:EC2-C&CActivity.B", 443, "HTTPS", "OUTBOUND"),
]
GD_API = [
    ("Recon:IAMUser/MaliciousIPCaller", "TTPs/Discovery/Recon:IAMUser-MaliciousIPCaller", "DescribeInstances", "ec2.amazonaws.com"),
    ("UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS", "TTPs/Initial Access/UnauthorizedAccess:IAMUser-InstanceCredentialExfiltration.OutsideAWS", "ListBuckets", "s3.amazonaws.com"),
    ("Policy:IAMUser/RootCredentialUsage", "TTPs/Policy:IAMUser-RootCredentialUsage", "GetAccountSummary", "iam.amazonaws.com"),
    ("Discovery:S3/MaliciousIPCaller", "TTPs/Discovery/Discovery:S3-MaliciousIPCaller", "GetBucketPolicy", "s3.amazonaws.com"),
]
PLACES = [("US", "United States", "Ashburn", 39.0438, -77.4874, 14618, "AMAZON-AES"),
          ("BR", "Brazil", "São Paulo", -23.5475, -46.6361, 28573, "Claro NXT"),
          ("DE", "Germany", "Frankfurt am Main", 50.1155, 8.6842, 3320, "Deutsche Telekom AG"),
          ("CN", "China", "Shenzhen", 22.5455, 114.0683, 4134, "Chinanet"),
          ("RU", "Russia", "Moscow", 55.7522, 37.6156, 12389, "Rostelecom"),
          ("NL", "Netherlands", "Amsterdam", 52.374, 4.8897, 14061, "DigitalOcean, LLC"),
          ("KR", "South Korea", "Seoul", 37.566, 126.9784, 4766, "Korea Telecom")]
PACKAGES = [("openssl", "1.1.1k", "1.1.1w", "OS"), ("glibc", "2.28", "2.28-10", "OS"),
            ("curl", "7.74.0", "7.88.1", "OS"), ("zlib", "1.2.11", "1.2.13", "OS"),
            ("log4j-core", "2.14.1", "2.17.1", "JAR"), ("requests", "2.25.1", "2.31.0", "PIP"),
            ("lodash", "4.17.15", "4.17.21", "NPM"), ("golang.org/x/net", "0.0.0-2021", "0.17.0", "GOMOD"),
            ("libxml2", "2.9.10", "2.9.14", "OS"), ("busybox", "1.31.1", "1.35.0", "OS")]
REPOS = ["payments-api", "web-frontend", "batch-worker", "auth-service", "data-pipeline", "nginx-edge"]
LABEL_SCORE = {"INFORMATIONAL": 0, "LOW": 1, "MEDIUM": 40, "HIGH": 70, "CRITICAL": 90}
BASE_EPOCH = 1704067200  # 2024-01-01T00:00:00Z


def wchoice(rng, pairs):
    """Pick from [(value, weight), ...]."""
    total = sum(w for _, w in pairs)
    x = rng.random() * total
    for v, w in pairs:
        x -= w
        if x < 0:
            return v
    return pairs[-1][0]


def ts(epoch, ms=True):
    days, rem = divmod(int(epoch), 86400)
    # civil-from-days (Howard Hinnant), so no datetime objects in the hot loop
    z = days + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    y = yoe + era * 400
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + 3 if mp < 10 else mp - 9
    y += m <= 2
    s = "%04d-%02d-%02dT%02d:%02d:%02d" % (y, m, d, rem // 3600, rem // 60 % 60, rem % 60)
    return s + (".%03dZ" % int((epoch % 1) * 1000) if ms else "Z")


class Gen:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        rng = self.rng
        # a stable fleet per account, so that resources repeat across findings like in a real export
        self.instances = ["i-%017x" % rng.getrandbits(68) for _ in range(400)]
        self.buckets = ["%s-%s-%d" % (a, b, rng.randint(1, 99)) for a in ("logs", "backup", "assets", "data", "tf-state")
                        for b in ("prod", "dev", "staging", "shared")]
        self.users = ["alice", "bob", "ci-deploy", "terraform", "svc-backup", "carol", "dave", "readonly"]

    def hexs(self, n):
        return "%0*x" % (n, self.rng.getrandbits(4 * n))

    def uuid(self):
        h = self.hexs(32)
        return "%s-%s-%s-%s-%s" % (h[:8], h[8:12], h[12:16], h[16:20], h[20:])

    def ip(self, private=False):
        r = self.rng
        if private:
            return "172.31.%d.%d" % (r.randint(0, 255), r.randint(1, 254))
        return "%d.%d.%d.%d" % (r.randint(11, 223), r.randint(0, 255), r.randint(0, 255), r.randint(1, 254))

    def common(self, account, region, product, updated):
        r = self.rng
        created = updated - r.randint(0, 90 * 86400) - r.random()
        rs = wchoice(r, [("ACTIVE", 85), ("ARCHIVED", 15)])
        ws = wchoice(r, [("NEW", 60), ("NOTIFIED", 15), ("RESOLVED", 20), ("SUPPRESSED", 5)])
        return {
            "SchemaVersion": "2018-10-08",
            "Id": None,  # filled in by the producer; keeps Id second like AWS's own output
            "ProductArn": "arn:aws:securityhub:%s::product/aws/%s" % (region, product),
            "AwsAccountId": account,
            "Region": region,
            "FirstObservedAt": ts(created),
            "LastObservedAt": ts(updated - r.randint(0, 3600)),
            "CreatedAt": ts(created),
            "UpdatedAt": ts(updated),
        }, rs, ws

    def tail(self, f, rs, ws):
        f["WorkflowState"] = "NEW" if ws == "NEW" else "ASSIGNED" if ws == "NOTIFIED" else "RESOLVED" if ws == "RESOLVED" else "DEFERRED"
        f["Workflow"] = {"Status": ws}
        f["RecordState"] = rs
        return f

    def ec2_resource(self, account, region, instance=None):
        r = self.rng
        inst = instance or r.choice(self.instances)
        return {
            "Type": "AwsEc2Instance",
            "Id": "arn:aws:ec2:%s:%s:instance/%s" % (region, account, inst),
            "Partition": "aws",
            "Region": region,
            "Tags": {"Name": r.choice(["web", "bastion", "worker", "kubectl", "db-proxy"]) + "-%d" % r.randint(1, 9)},
            "Details": {"AwsEc2Instance": {
                "Type": r.choice(["t3.micro", "t3.large", "m5.xlarge", "c6g.2xlarge", "r5.large"]),
                "ImageId": "ami-%017x" % r.getrandbits(68),
                "IpV4Addresses": [self.ip(), self.ip(True)],
                "VpcId": "vpc-%08x" % r.getrandbits(32),
                "SubnetId": "subnet-%08x" % r.getrandbits(32),
                "LaunchedAt": ts(BASE_EPOCH - r.randint(0, 400 * 86400), ms=False),
            }},
        }

    def control(self):
        r = self.rng
        account = r.choice(ACCOUNTS)
        region = wchoice(r, REGIONS)
        std, ctrl, sev, rtype, title = wchoice(r, [(c, 1 if c[2] == "CRITICAL" else 3) for c in CONTROLS])
        updated = BASE_EPOCH + r.randint(0, 330 * 86400) + r.random()
        f, rs, ws = self.common(account, region, "securityhub", updated)
        status = wchoice(r, [("PASSED", 55), ("FAILED", 38), ("WARNING", 4), ("NOT_AVAILABLE", 3)])
        label = "INFORMATIONAL" if status == "PASSED" else sev
        if status == "PASSED" and ws in ("NEW", "NOTIFIED"):
            ws = "RESOLVED"
        fid = "arn:aws:securityhub:%s:%s:subscription/%s/%s/finding/%s" % (region, account, std, ctrl, self.uuid())
        prefix = "CIS.%s" % ctrl if std == CIS else ctrl
        res_ids = []
        resources = []
        for _ in range(wchoice(r, [(1, 80), (2, 15), (3, 5)])):
            if rtype == "AwsAccount":
                rid = "AWS::::Account:%s" % account
            elif rtype == "AwsS3Bucket":
                rid = "arn:aws:s3:::%s" % r.choice(self.buckets)
            elif rtype == "AwsEc2Instance":
                resources.append(self.ec2_resource(account, region))
                res_ids.append(resources[-1]["Id"])
                continue
            elif rtype == "AwsEc2SecurityGroup":
                rid = "arn:aws:ec2:%s:%s:security-group/sg-%017x" % (region, account, r.getrandbits(68))
            elif rtype in ("AwsIamUser", "AwsIamPolicy"):
                kind = "user" if rtype == "AwsIamUser" else "policy"
                rid = "arn:aws:iam::%s:%s/%s" % (account, kind, r.choice(self.users))
            elif rtype == "AwsLambdaFunction":
                rid = "arn:aws:lambda:%s:%s:function:%s" % (region, account, r.choice(REPOS))
            elif rtype == "AwsRdsDbInstance":
                rid = "arn:aws:rds:%s:%s:db:%s-db-%d" % (region, account, r.choice(REPOS), r.randint(1, 4))
            elif rtype == "AwsKmsKey":
                rid = "arn:aws:kms:%s:%s:key/%s" % (region, account, self.uuid())
            else:
                rid = "arn:aws:cloudtrail:%s:%s:trail/%s" % (region, account, r.choice(["management", "org-trail", "audit"]))
            res = {"Type": rtype, "Id": rid, "Partition": "aws", "Region": region}
            if r.random() < 0.3:
                res["Tags"] = {"Owner": r.choice(self.users), "CostCenter": str(r.randint(1000, 9999))}
            resources.append(res)
            res_ids.append(rid)
        slug = "securityhub-%s-%s" % (ctrl.lower().replace(".", "-"), self.hexs(8))
        pf = {
            "StandardsArn": "arn:aws:securityhub:::standards/%s" % std,
            "ControlId": ctrl,
            "RecommendationUrl": "https://docs.aws.amazon.com/console/securityhub/%s/remediation" % prefix,
            "RelatedAWSResources:0/name": slug,
            "StandardsControlArn": "arn:aws:securityhub:%s:%s:control/%s/%s" % (region, account, std, ctrl),
            "aws/securityhub/ProductName": "Security Hub",
            "aws/securityhub/CompanyName": "AWS",
            "aws/securityhub/FindingId": "arn:aws:securityhub:%s::product/aws/securityhub/%s" % (region, fid),
        }
        sec_types = ["Software and Configuration Checks/Industry and Regulatory Standards/%s" %
                     ("AWS-Foundational-Security-Best-Practices" if std == FSBP else "CIS AWS Foundations Benchmark")]
        f.update({
            "Id": fid,
            "ProductName": "Security Hub",
            "CompanyName": "AWS",
            "GeneratorId": "%s/%s" % (std, ctrl) if std == FSBP else "arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0/rule/%s" % ctrl,
            "Types": sec_types,
            "Severity": {"Product": LABEL_SCORE[label], "Label": label, "Normalized": LABEL_SCORE[label], "Original": label},
            "Title": "%s %s" % (prefix, title),
            "Description": "This control checks whether %s." % (title[0].lower() + title[1:]),
            "Remediation": {"Recommendation": {
                "Url": pf["RecommendationUrl"]}},
            "ProductFields": pf,
            "Resources": resources,
            "Compliance": {"Status": status, "SecurityControlId": ctrl if std == FSBP else "CIS." + ctrl,
                           "AssociatedStandards": [{"StandardsId": "standards/" + std}]},
            "FindingProviderFields": {"Severity": {"Label": label, "Original": label}, "Types": sec_types},
        })
        if status in ("WARNING", "NOT_AVAILABLE"):
            f["Compliance"]["StatusReasons"] = [{"ReasonCode": "CONFIG_EVALUATIONS_EMPTY",
                                                 "Description": "AWS Config evaluated your resources against the rule. The rule did not apply to the AWS resources in its scope."}]
        if r.random() < 0.05:
            f["Note"] = {"Text": "Ticket SEC-%d opened; owner notified." % r.randint(1000, 99999),
                         "UpdatedBy": "arn:aws:iam::%s:user/%s" % (account, r.choice(self.users)), "UpdatedAt": f["UpdatedAt"]}
        return self.tail(f, rs, ws)

    def guardduty(self):
        r = self.rng
        account = r.choice(ACCOUNTS)
        region = wchoice(r, REGIONS)
        updated = BASE_EPOCH + r.randint(0, 330 * 86400) + r.random()
        f, rs, ws = self.common(account, region, "guardduty", updated)
        label = wchoice(r, [("LOW", 30), ("MEDIUM", 45), ("HIGH", 20), ("CRITICAL", 5)])
        product = {"LOW": 2.0, "MEDIUM": 5.0, "HIGH": 8.0, "CRITICAL": 9.0}[label]
        detector = self.hexs(32)
        gid = self.hexs(32)
        fid = "arn:aws:guardduty:%s:%s:detector/%s/finding/%s" % (region, account, detector, gid)
        cc, country, city, lat, lon, asn, org = r.choice(PLACES)
        remote = self.ip()
        rip = {"IpAddressV4": remote,
               "Organization": {"Asn": asn, "AsnOrg": org, "Isp": org, "Org": org},
               "Country": {"CountryCode": cc, "CountryName": country},
               "City": {"CityName": city},
               "GeoLocation": {"Lon": lon, "Lat": lat}}
        instance = r.choice(self.instances)
        resources = [self.ec2_resource(account, region, instance)]
        count = r.randint(1, 500)
        if r.random() < 0.6:
            gtype, ftype, port, pname, direction = r.choice(GD_NET)
            local = resources[0]["Details"]["AwsEc2Instance"]["IpV4Addresses"][1]
            rport = r.randint(1024, 65535)
            inbound = direction == "INBOUND"
            f["Network"] = {"Direction": "IN" if inbound else "OUT", "Protocol": "TCP",
                            "SourceIpV4": remote if inbound else local, "SourcePort": rport if inbound else port,
                            "DestinationIpV4": local if inbound else remote, "DestinationPort": port if inbound else rport}
            f["Action"] = {"ActionType": "NETWORK_CONNECTION", "NetworkConnectionAction": {
                "ConnectionDirection": direction, "RemoteIpDetails": rip,
                "RemotePortDetails": {"Port": rport, "PortName": "Unknown"},
                "LocalPortDetails": {"Port": port, "PortName": pname},
                "Protocol": "TCP", "Blocked": False}}
            title = "%s is performing %s against %s." % (remote, gtype.split(":")[1].split("/")[1], instance)
        else:
            gtype, ftype, api, svc = r.choice(GD_API)
            user = r.choice(self.users)
            f["Action"] = {"ActionType": "AWS_API_CALL", "AwsApiCallAction": {
                "Api": api, "ServiceName": svc, "CallerType": "Remote IP", "RemoteIpDetails": rip,
                "FirstSeen": f["FirstObservedAt"], "LastSeen": f["LastObservedAt"]}}
            resources.insert(0, {"Type": "AwsIamAccessKey", "Id": "AWS::IAM::AccessKey:ASIA%016X" % r.getrandbits(64),
                                 "Partition": "aws", "Region": region,
                                 "Details": {"AwsIamAccessKey": {"PrincipalName": user, "PrincipalType": "IAMUser",
                                                                 "UserName": user, "Status": "Active"}}})
            title = "API %s was invoked from a known malicious IP address %s." % (api, remote)
            if r.random() < 0.5:
                resources.pop()
        f.update({
            "Id": fid,
            "ProductName": "GuardDuty",
            "CompanyName": "Amazon",
            "GeneratorId": "arn:aws:guardduty:%s:%s:detector/%s" % (region, account, detector),
            "Types": [ftype],
            "Severity": {"Product": product, "Label": label, "Normalized": LABEL_SCORE[label]},
            "Title": title,
            "Description": "%s activity from %s (%s, %s)." % (gtype, remote, city, country),
            "ProductFields": {
                "aws/guardduty/service/archived": "false",
                "aws/guardduty/service/count": str(count),
                "aws/guardduty/service/detectorId": detector,
                "aws/guardduty/service/serviceName": "guardduty",
                "aws/securityhub/FindingId": "arn:aws:securityhub:%s::product/aws/guardduty/%s" % (region, fid),
                "aws/securityhub/ProductName": "GuardDuty",
                "aws/securityhub/CompanyName": "Amazon"},
            "Resources": resources,
            "FindingProviderFields": {"Severity": {"Label": label, "Original": str(product)}, "Types": [ftype]},
        })
        if r.random() < 0.15:
            f["Sample"] = False
        return self.tail(f, rs, ws)

    def inspector(self):
        r = self.rng
        account = r.choice(ACCOUNTS)
        region = wchoice(r, REGIONS)
        updated = BASE_EPOCH + r.randint(0, 330 * 86400) + r.random()
        f, rs, ws = self.common(account, region, "inspector", updated)
        label = wchoice(r, [("LOW", 18), ("MEDIUM", 45), ("HIGH", 27), ("CRITICAL", 8), ("INFORMATIONAL", 2)])
        score = {"INFORMATIONAL": 0.0, "LOW": round(r.uniform(0.1, 3.9), 1), "MEDIUM": round(r.uniform(4.0, 6.9), 1),
                 "HIGH": round(r.uniform(7.0, 8.9), 1), "CRITICAL": round(r.uniform(9.0, 10.0), 1)}[label]
        year = r.randint(2018, 2024)
        cve = "CVE-%d-%d" % (year, r.randint(1000, 49999))
        fid = "arn:aws:inspector2:%s:%s:finding/%s" % (region, account, self.hexs(32))
        pkgs = []
        for name, ver, fixed, mgr in r.sample(PACKAGES, wchoice(r, [(1, 75), (2, 20), (3, 5)])):
            pkgs.append({"Name": name, "Version": ver, "Epoch": "0", "Release": "%d.amzn2" % r.randint(1, 40),
                         "Architecture": r.choice(["X86_64", "ARM64"]), "PackageManager": mgr,
                         "FixedInVersion": "0:%s" % fixed})
        vector = "CVSS:3.1/AV:%s/AC:L/PR:N/UI:N/S:U/C:H/I:%s/A:H" % (r.choice("NAL"), r.choice("HLN"))
        vuln = {"Id": cve, "VulnerablePackages": pkgs,
                "Cvss": [{"Version": "3.1", "BaseScore": score, "BaseVector": vector, "Source": "NVD"}],
                "Vendor": {"Name": "NVD", "Url": "https://nvd.nist.gov/vuln/detail/%s" % cve, "VendorSeverity": label,
                           "VendorCreatedAt": ts(BASE_EPOCH - r.randint(30, 2000) * 86400, ms=False),
                           "VendorUpdatedAt": ts(BASE_EPOCH - r.randint(0, 29) * 86400, ms=False)},
                "FixAvailable": wchoice(r, [("YES", 80), ("NO", 15), ("PARTIAL", 5)]),
                "ExploitAvailable": wchoice(r, [("NO", 85), ("YES", 15)]),
                "EpssScore": round(r.random() * 0.2, 5)}
        if r.random() < 0.6:
            repo = r.choice(REPOS)
            digest = "sha256:" + self.hexs(64)
            resources = [{"Type": "AwsEcrContainerImage",
                          "Id": "arn:aws:ecr:%s:%s:repository/%s/%s" % (region, account, repo, digest),
                          "Partition": "aws", "Region": region,
                          "Details": {"AwsEcrContainerImage": {
                              "RegistryId": account, "RepositoryName": repo,
                              "Architecture": r.choice(["amd64", "arm64"]), "ImageDigest": digest,
                              "ImageTags": ["v%d.%d.%d" % (r.randint(1, 3), r.randint(0, 20), r.randint(0, 9)), "latest"][:r.randint(1, 2)],
                              "ImagePublishedAt": ts(updated - r.randint(86400, 60 * 86400), ms=False)}}}]
            where = "%s:%s" % (repo, resources[0]["Details"]["AwsEcrContainerImage"]["ImageTags"][0])
        else:
            resources = [self.ec2_resource(account, region)]
            where = resources[0]["Id"].rsplit("/", 1)[1]
        f.update({
            "Id": fid,
            "ProductName": "Inspector",
            "CompanyName": "Amazon",
            "GeneratorId": "AWSInspector",
            "Types": ["Software and Configuration Checks/Vulnerabilities/CVE"],
            "Severity": {"Label": label, "Normalized": LABEL_SCORE[label]},
            "Title": "%s - %s" % (cve, ", ".join(p["Name"] for p in pkgs)),
            "Description": "A flaw in %s (%s) allows a remote attacker to cause a denial of service. Found in %s." % (pkgs[0]["Name"], pkgs[0]["Version"], where),
            "Remediation": {"Recommendation": {"Text": "Upgrade %s to %s or later." % (pkgs[0]["Name"], pkgs[0]["FixedInVersion"])}},
            "ProductFields": {"aws/inspector/FindingStatus": "ACTIVE" if rs == "ACTIVE" else "CLOSED",
                              "aws/inspector/inspectorScore": str(score),
                              "aws/inspector/ProductVersion": "2",
                              "aws/securityhub/FindingId": "arn:aws:securityhub:%s::product/aws/inspector/%s" % (region, fid),
                              "aws/securityhub/ProductName": "Inspector",
                              "aws/securityhub/CompanyName": "Amazon"},
            "Resources": resources,
            "Vulnerabilities": [vuln],
            "FindingProviderFields": {"Severity": {"Label": label}, "Types": ["Software and Configuration Checks/Vulnerabilities/CVE"]},
        })
        return self.tail(f, rs, ws)

    def finding(self):
        kind = wchoice(self.rng, [(self.control, 55), (self.guardduty, 20), (self.inspector, 25)])
        return kind()


def set_match(f, match):
    """Make f match (or not) SeverityLabel CRITICAL and RecordState ACTIVE, keeping its members consistent."""
    if match:
        sev = f["Severity"]
        sev["Label"] = "CRITICAL"
        sev["Normalized"] = LABEL_SCORE["CRITICAL"]
        if "Product" in sev:  # GuardDuty's scale is 0-10 (a float), the controls' 0-100
            sev["Product"] = 9.0 if isinstance(sev["Product"], float) else LABEL_SCORE["CRITICAL"]
        if "Original" in sev:
            sev["Original"] = "CRITICAL"
        fpf = f["FindingProviderFields"]["Severity"]
        fpf["Label"] = "CRITICAL"
        if "Original" in fpf:
            fpf["Original"] = str(sev["Product"]) if isinstance(sev.get("Product"), float) else "CRITICAL"
        if f.get("Compliance", {}).get("Status") == "PASSED":
            f["Compliance"]["Status"] = "FAILED"
        f["RecordState"] = "ACTIVE"
    elif f["Severity"]["Label"] == "CRITICAL" and f["RecordState"] == "ACTIVE":
        f["RecordState"] = "ARCHIVED"
    return f


def parse_size(s):
    mult = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    s = s.strip().upper()
    if s and s[-1] in mult:
        return int(float(s[:-1]) * mult[s[-1]])
    return int(s)


def main():
    ap = argparse.ArgumentParser(description="Generate a deterministic corpus of realistic ASFF findings.")
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--count", type=int, help="number of findings")
    g.add_argument("--size", type=parse_size, help="approximate output bytes (e.g. 200M, 1G); stops at the first finding past it")
    ap.add_argument("--envelope", choices=["ndjson", "array", "findings"], default="ndjson")
    ap.add_argument("--seed", type=int, default=20240101)
    ap.add_argument("--out", default="-", help="output file, '-' for stdout (default)")
    ap.add_argument("--match", type=float, metavar="FRACTION",
                    help="this fraction of the findings (drawn apart from --seed's stream) match SeverityLabel CRITICAL "
                         "and RecordState ACTIVE, the others not (default: as generated, about 0.05)")
    ap.add_argument("--oneline", action="store_true",
                    help="no newline anywhere: the array or {\"Findings\"} document on one line (not with ndjson)")
    args = ap.parse_args()

    out = sys.stdout.buffer if args.out == "-" else open(args.out, "wb")
    gen = Gen(args.seed)
    enc = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
    head, sep, foot = {"ndjson": (b"", b"\n", b"\n"), "array": (b"[\n", b",\n", b"\n]\n"),
                       "findings": (b'{"Findings":[\n', b",\n", b'\n]}\n')}[args.envelope]
    if args.oneline:
        if args.envelope == "ndjson":
            ap.error("--oneline needs --envelope array or findings")
        head, sep, foot = head.replace(b"\n", b""), b",", foot.replace(b"\n", b"")
    # its own stream, so that --match changes only the two members, not the rest of the bytes
    pick = random.Random(args.seed ^ 0x5e1ec7).random if args.match is not None else None
    written = len(head)
    n = 0
    buf = [head]
    try:
        while (args.count is not None and n < args.count) or (args.size is not None and written < args.size):
            f = gen.finding()
            if pick is not None:
                set_match(f, pick() < args.match)
            b = enc(f).encode("utf-8")
            if n:
                buf.append(sep)
                written += len(sep)
            buf.append(b)
            written += len(b)
            n += 1
            if len(buf) >= 512:
                out.write(b"".join(buf))
                buf = []
        if n == 0 and args.envelope == "ndjson":
            foot = b""  # no findings: an empty file, not an empty line
        buf.append(foot)
        out.write(b"".join(buf))
        out.flush()
    except BrokenPipeError:
        sys.stderr.close()  # the reader stopped early (head, a failing consumer): not our error
        return 0
    if out is not sys.stdout.buffer:
        out.close()
    print("gen_corpus: %d findings, %d bytes, envelope %s, seed %d" % (n, written + len(foot), args.envelope, args.seed),
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
