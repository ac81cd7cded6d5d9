"""The converters from Python: to_ocsf / ocsf_class_uid on real findings and the OCSF project's
samples, from_sarif on real scanner logs (valid findings, stable Ids), to_csv, and their errors."""
import csv
import glob
import io
import json
import os
import pathlib
import unittest

import asff

DATA = os.environ.get("ASFF_TEST_DATA") or os.path.join(os.path.dirname(__file__), "..", "..", "..", "tests", "data")
OCSF = os.path.join(DATA, "convert", "ocsf")
SARIF = os.path.join(DATA, "convert", "sarif")
REAL = os.path.join(DATA, "real")
ARN = "arn:aws:securityhub:eu-west-1:123456789012:product/123456789012/default"
ACCOUNT = "123456789012"
SEVERITY_ID = {"INFORMATIONAL": 1, "LOW": 2, "MEDIUM": 3, "HIGH": 4, "CRITICAL": 5}


class TestOcsf(unittest.TestCase):
    def test_samples(self):
        # the OCSF project's own mappings of Security Hub findings
        for name in ("sechub-pci", "sechub-guardduty"):
            events = asff.to_ocsf(os.path.join(OCSF, name + ".raw"))
            with open(os.path.join(OCSF, name + ".ocsf")) as fh:
                want = json.load(fh)
            self.assertEqual(len(events), 1)
            for key in ("class_uid", "severity_id", "category_uid", "activity_id"):
                self.assertEqual(events[0][key], want[key], (name, key))
            self.assertEqual(events[0]["finding_info"]["uid"], want["finding_info"]["uid"])
            self.assertEqual(events[0]["cloud"]["account"]["uid"], want["cloud"]["account"]["uid"])

    def test_real_findings_class_and_severity(self):
        cases = {
            "awsdocs/guardduty-typical-finding.json": 2004,
            "awsdocs/access-analyzer-typical-finding.json": 2004,
            "awsdocs/inspector-typical-finding.json": 2002,
            "awsdocs/config-typical-finding.json": 2003,
            "awsdocs/sample-control-finding-fsbp.json": 2003,
            "asr/afsbp-ec2.1.json": 2003,
            "trivy/secrets.asff.golden.json": 2004,
        }
        for rel, uid in cases.items():
            path = os.path.join(REAL, rel)
            findings = asff.load(path)
            events = asff.to_ocsf(path)
            self.assertEqual(len(events), len(findings), rel)
            for f, e in zip(findings, events):
                self.assertEqual(e["class_uid"], uid, rel)
                self.assertEqual(asff.ocsf_class_uid(f), uid, rel)
                self.assertEqual(e["severity_id"], SEVERITY_ID[f["Severity"]["Label"]], rel)
                self.assertEqual(e["finding_info"]["uid"], f["Id"], rel)

    def test_every_real_file_converts(self):
        n = 0
        for path in sorted(glob.glob(os.path.join(REAL, "*", "*.json"))):
            if "MALFORMED" in path or "insight-results" in path:
                continue
            for e in asff.to_ocsf(path):
                self.assertIn(e["class_uid"], (2002, 2003, 2004), path)
                n += 1
        self.assertGreater(n, 30)

    def test_input_forms_agree(self):
        path = os.path.join(REAL, "heimdall2", "asff_sample.json")
        findings = asff.load(path)
        want = asff.to_ocsf(path)
        self.assertEqual(len(want), len(findings))
        with open(path, "rb") as fh:
            raw = fh.read()
        self.assertEqual(asff.to_ocsf(raw), want)
        self.assertEqual(asff.to_ocsf(pathlib.Path(path)), want)
        self.assertEqual(asff.to_ocsf(io.BytesIO(raw)), want)
        self.assertEqual(asff.to_ocsf(findings), want)
        self.assertEqual(asff.to_ocsf(iter(findings)), want)
        self.assertEqual(asff.to_ocsf(findings[1]), [want[1]])
        self.assertEqual(list(asff.iter_ocsf(findings)), want)
        self.assertEqual(asff.to_ocsf([]), [])

    def test_errors(self):
        with self.assertRaises(asff.ParseError) as cm:
            asff.to_ocsf(b'[{"Id": "x"}, {"Id": ')
        self.assertTrue(cm.exception.offset > 0)
        with self.assertRaises(asff.ParseError):
            asff.to_ocsf({"Id": 5})
        with self.assertRaises(TypeError):
            asff.ocsf_class_uid([])  # type: ignore[arg-type]
        with self.assertRaises(FileNotFoundError):
            asff.to_ocsf("/nonexistent/findings.json")


class TestSarif(unittest.TestCase):
    def logs(self):
        paths = sorted(glob.glob(os.path.join(SARIF, "*.sarif")))
        self.assertGreaterEqual(len(paths), 5)
        return paths

    def test_real_logs_give_valid_findings_with_stable_ids(self):
        total = 0
        for path in self.logs():
            a = asff.from_sarif(path, product_arn=ARN, account=ACCOUNT)
            self.assertTrue(a, path)
            errors = [v for v in asff.validate(a, batch=True) if v["level"] == "error"]
            self.assertEqual(errors, [], path)
            for f in a:
                self.assertEqual(f["ProductArn"], ARN)
                self.assertEqual(f["AwsAccountId"], ACCOUNT)
                self.assertEqual(f["Resources"][0]["Region"], "eu-west-1")
            with open(path, "rb") as fh:
                raw = fh.read()
            b = asff.from_sarif(io.BytesIO(raw), product_arn=ARN, account=ACCOUNT, region="us-east-2")
            self.assertEqual([f["Id"] for f in a], [f["Id"] for f in b], path)
            self.assertEqual(b[0]["Resources"][0]["Region"], "us-east-2")
            c = asff.from_sarif(json.loads(raw), product_arn=ARN, account=ACCOUNT)
            self.assertEqual([f["Id"] for f in a], [f["Id"] for f in c], path)
            total += len(a)
        self.assertGreater(total, 10)

    def test_eslint(self):
        path = os.path.join(SARIF, "eslint.sarif")
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
        fs = asff.from_sarif(text, ARN, ACCOUNT, timestamp="2024-01-02T03:04:05Z")
        self.assertEqual(len(fs), len(json.loads(text)["runs"][0]["results"]))
        self.assertTrue(all(f["GeneratorId"].startswith("sarif/ESLint/") for f in fs))
        self.assertEqual({f["CreatedAt"] for f in fs}, {"2024-01-02T03:04:05Z"})
        # the findings go on through the rest of the package
        self.assertEqual(len(asff.to_ocsf(fs)), len(fs))

    def test_errors(self):
        with self.assertRaises(asff.ParseError) as cm:
            asff.from_sarif(b'{"version": "2.1.0", "runs": [', ARN, ACCOUNT)
        self.assertEqual(cm.exception.status, "ASFF_ERR_TRUNCATED")
        with self.assertRaises(asff.ParseError) as cm:
            asff.from_sarif(b'{"version": "2.1.0"}', ARN, ACCOUNT)
        self.assertEqual(cm.exception.status, "ASFF_ERR_ENVELOPE")
        with self.assertRaises(asff.ParseError) as cm:
            asff.from_sarif(b'{"runs": [{"results": [{"ruleId": "a"}, 7]}]}', ARN, ACCOUNT)
        self.assertIn("/runs/0/results", cm.exception.path)
        with self.assertRaises(ValueError):
            asff.from_sarif(b'{"runs": []}', "not-an-arn", ACCOUNT)
        with self.assertRaises(ValueError):
            asff.from_sarif(b'{"runs": []}', ARN, "12")
        with self.assertRaises(TypeError):
            asff.from_sarif([{"runs": []}], ARN, ACCOUNT)
        with self.assertRaises(asff.ParseError):
            asff.from_sarif(os.path.join(SARIF, "eslint.sarif"), ARN, ACCOUNT, max_string=8)


class TestCsv(unittest.TestCase):
    def test_columns_and_rows(self):
        path = os.path.join(REAL, "heimdall2", "asff_sample.json")
        findings = asff.load(path)
        text = asff.to_csv(path, ["Id", "Severity.Label", "Resources[].Id"])
        self.assertTrue(text.endswith("\r\n"))
        rows = list(csv.reader(io.StringIO(text)))
        self.assertEqual(rows[0], ["Id", "Severity.Label", "Resources[].Id"])
        self.assertEqual(len(rows), len(findings) + 1)
        for f, r in zip(findings, rows[1:]):
            self.assertEqual(r[0], f["Id"])
            self.assertEqual(r[1], f["Severity"]["Label"])
            self.assertEqual(r[2], "; ".join(x["Id"] for x in f["Resources"]))
        self.assertEqual(asff.to_csv(findings, "Id,Severity.Label", join="|", header=False),
                         "".join("%s,%s\r\n" % (f["Id"], f["Severity"]["Label"]) for f in findings))

    def test_defaults_and_errors(self):
        header = asff.to_csv([])
        self.assertTrue(header.startswith("Id,AwsAccountId,Region,"))
        self.assertEqual(asff.to_csv([], header=False), "")
        with self.assertRaises(ValueError) as cm:
            asff.to_csv([], ["Id", "NoSuchMember"])
        self.assertIn("NoSuchMember", str(cm.exception))
        with self.assertRaises(ValueError):
            asff.to_csv([], ["Id,Title"])
        with self.assertRaises(asff.ParseError):
            asff.to_csv(b"[{", ["Id"])

    def test_formula_cells_neutralized(self):
        f = asff.load(os.path.join(REAL, "awsdocs", "config-typical-finding.json"))[0]
        f["Title"] = "=HYPERLINK(\"http://x\")"
        row = list(csv.reader(io.StringIO(asff.to_csv(f, ["Title"], header=False))))[0]
        self.assertFalse(row[0].startswith("="))


if __name__ == "__main__":
    unittest.main()
