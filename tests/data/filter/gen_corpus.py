#!/usr/bin/env python3
"""Write tests/data/filter/generated.json: a deterministic synthetic corpus for the insight tests.

The findings exercise what managed insights count: Types prefixes, several resources per finding
(repeated types and ids), resource details, workflow and record states, compliance, dates around the
test's fixed "now" (2024-06-01T00:00:00Z), threat-intel values, missing members. Not valid ASFF in
every respect (the filter engine does not need it). Usage: gen_corpus.py [OUT]
"""
import json
import os
import random
import sys

NOW = 1717200000  # 2024-06-01T00:00:00Z
TYPES = [
    "Effects/Data Exposure/S3 Public Read", "Effects/Data Exfiltration/Trojan:EC2", "Effects/Data Exfiltration/",
    "Effects/Resource Consumption/Cryptocurrency", "Effects/Resource Consumption/UnauthorizedAccess",
    "TTPs/Discovery/Recon:EC2-PortProbe", "TTPs/Command and Control/Backdoor", "TTPs/Initial Access/Trojan",
    "TTPs/Command and Control/CryptoCurrency", "TTPs/Initial Access/UnauthorizedAccess",
    "Sensitive Data Identifications/Passwords/AWS Secret Key", "Sensitive Data Identifications/PII/Name",
    "Software and Configuration Checks/Vulnerabilities/CVE", "Software and Configuration Checks/Backdoor",
    "Software and Configuration Checks/AWS Security Best Practices/Network Reachability - Recognized port",
    "Software and Configuration Checks/Industry and Regulatory Standards/AWS Security Best Practices",
    "Software and Configuration Checks/Industry and Regulatory Standards/CIS AWS Foundations Benchmark",
    "Unusual Behaviors/VM/Backdoor", "Unusual Behaviors/User/UnauthorizedAccess", "unusual behaviors/lowercase",
]
RTYPES = ["AwsS3Bucket", "AwsEc2Instance", "AwsIamAccessKey", "AwsIamUser", "AwsIamPolicy", "AwsEc2Instance"]


def iso(t, style):
    import time
    tm = time.gmtime(t)
    base = time.strftime("%Y-%m-%dT%H:%M:%S", tm)
    return [base + "Z", base + ".123Z", base + ".000000+00:00", base + ".5Z"][style]


def resource(rng, i):
    t = rng.choice(RTYPES)
    r = {"Type": t, "Id": "arn:aws:%s:::res-%d" % (t.lower(), rng.randrange(25)), "Partition": "aws",
         "Region": rng.choice(["us-east-1", "eu-west-1"])}
    if t == "AwsEc2Instance" and rng.random() < 0.8:
        r["Details"] = {"AwsEc2Instance": {"ImageId": "ami-%04d" % rng.randrange(8),
                                           "IpV4Addresses": ["10.0.%d.%d" % (rng.randrange(4), rng.randrange(256))]}}
    elif t == "AwsIamAccessKey" and rng.random() < 0.8:
        d = {"PrincipalName": rng.choice(["alice", "bob", "carol"])}
        if rng.random() < 0.6:
            d["UserName"] = rng.choice(["alice", "bob", "dave"])
        r["Details"] = {"AwsIamAccessKey": d}
    elif t == "AwsIamUser" and rng.random() < 0.8:
        r["Details"] = {"AwsIamUser": {"UserName": rng.choice(["alice", "eve", "mallory"])}}
    if rng.random() < 0.3:
        r["Tags"] = {"env": rng.choice(["prod", "dev"])}
    return r


def finding(rng, i):
    upd = NOW - rng.randrange(0, 10 * 86400)
    created = upd - rng.randrange(0, 5 * 86400)
    f = {
        "SchemaVersion": "2018-10-08",
        "Id": "finding-%04d" % i,
        "ProductArn": rng.choice(["arn:aws:securityhub:us-east-1::product/aws/securityhub",
                                  "arn:aws:securityhub:us-east-1::product/aws/guardduty",
                                  "arn:aws:securityhub:us-east-1:123456789012:product/123456789012/default"]),
        "GeneratorId": rng.choice(["arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0/rule/1.%d" %
                                   rng.randrange(1, 15), "security-control/S3.1", "generator-x"]),
        "AwsAccountId": rng.choice(["111111111111", "222222222222", "333333333333"]),
        "CreatedAt": iso(created, rng.randrange(4)),
        "UpdatedAt": iso(upd, rng.randrange(4)),
        "Severity": {"Label": rng.choice(["INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL"])},
        "Title": "t%d" % i,
        "Description": "d",
        "Resources": [resource(rng, i) for _ in range(rng.choice([1, 1, 1, 2, 3]))],
    }
    if rng.random() < 0.95:
        f["Types"] = rng.sample(TYPES, rng.choice([1, 1, 2, 3]))
    if rng.random() < 0.9:
        f["ProductName"] = rng.choice(["Security Hub", "GuardDuty", "Inspector"])
    if rng.random() < 0.92:
        f["RecordState"] = rng.choice(["ACTIVE", "ACTIVE", "ACTIVE", "ARCHIVED"])
    if rng.random() < 0.9:
        f["Workflow"] = {"Status": rng.choice(["NEW", "NEW", "NOTIFIED", "RESOLVED", "SUPPRESSED"])}
    if rng.random() < 0.6:
        f["Compliance"] = {"Status": rng.choice(["PASSED", "FAILED", "FAILED", "WARNING", "NOT_AVAILABLE"])}
    if rng.random() < 0.2:
        f["ThreatIntelIndicators"] = [{"Type": "IPV4_ADDRESS", "Value": "198.51.100.%d" % rng.randrange(6)}
                                      for _ in range(rng.choice([1, 2]))]
    return f


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                             "generated.json")
    rng = random.Random(20240601)
    doc = {"Findings": [finding(rng, i) for i in range(400)]}
    with open(out, "w", encoding="utf-8") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
