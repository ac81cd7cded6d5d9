"""unittest suite of the asff Python package, run by ctest against the freshly built libasff
(ASFF_LIBRARY and ASFF_TEST_DATA are set by bindings/python/CMakeLists.txt)."""
import io
import json
import os
import subprocess
import sys
import threading
import unittest

import asff

DATA = os.environ.get("ASFF_TEST_DATA") or os.path.join(os.path.dirname(__file__), "..", "..", "..", "tests", "data")
REAL = os.path.join(DATA, "real")
EXAMPLES = os.path.join(os.path.dirname(__file__), "..", "..", "..", "examples", "findings")
EXPORT = os.path.join(EXAMPLES, "getfindings-export.json")
EVENT = os.path.join(EXAMPLES, "custom-action-event.json")
NDJSON = os.path.join(EXAMPLES, "prowler.ndjson")
TRIVY_BAD = os.path.join(EXAMPLES, "trivy-invalid.json")


def read_json(path):
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def finding(**kw):
    f = {
        "SchemaVersion": "2018-10-08", "Id": "f-1",
        "ProductArn": "arn:aws:securityhub:us-east-1:123456789012:product/123456789012/default",
        "GeneratorId": "gen", "AwsAccountId": "123456789012",
        "Types": ["Software and Configuration Checks/Vulnerabilities/CVE"],
        "CreatedAt": "2024-01-02T03:04:05.000Z", "UpdatedAt": "2024-01-02T03:04:05.000Z",
        "Severity": {"Label": "HIGH"}, "Title": "t", "Description": "d",
        "Resources": [{"Type": "AwsEc2Instance", "Id": "i-1"}],
    }
    f.update(kw)
    return f


class TestCodec(unittest.TestCase):
    def test_versions(self):
        self.assertEqual(asff.library_version(), "0.1.0")
        self.assertIn("2018-10-26", asff.model_version())

    def test_iter_path_bytes_file(self):
        by_path = list(asff.iter_findings(EXPORT))
        self.assertEqual(len(by_path), 18)
        with open(EXPORT, "rb") as fh:
            data = fh.read()
        self.assertEqual(list(asff.iter_findings(data)), by_path)
        self.assertEqual(list(asff.iter_findings(io.BytesIO(data))), by_path)
        # the same dicts json gives
        self.assertEqual(by_path, json.loads(data)["Findings"])

    def test_envelopes(self):
        ev = asff.load(EVENT)
        self.assertEqual(len(ev), 2)
        self.assertEqual(len(asff.load(NDJSON)), 10)
        self.assertEqual(len(asff.load(NDJSON, envelope="ndjson")), 10)
        with self.assertRaises(ValueError):
            asff.load(NDJSON, envelope="nope")

    def test_loads_and_dumps_roundtrip(self):
        fs = [finding(Id="a"), finding(Id="b", Unknown={"x": [1, 2.5, None]}, Confidence=9007199254740993)]
        text = asff.dumps(fs)
        self.assertEqual(len(text.strip().split("\n")), 2)
        back = asff.loads(text)
        self.assertEqual(back, fs)
        self.assertIn("9007199254740993", text)  # exact beyond 2^53
        arr = json.loads(asff.dumps(fs, format="array"))
        self.assertEqual(arr, fs)
        batch = json.loads(asff.dumps(fs, format="batch"))
        self.assertEqual(batch, {"Findings": fs})
        pretty = asff.dumps(fs, format="pretty")
        self.assertIn("\n", pretty.strip())
        self.assertEqual(json.loads(pretty), fs)
        self.assertEqual(list(json.loads(asff.dumps(fs[1]))), list(fs[1]))  # member order kept
        with self.assertRaises(ValueError):
            asff.dumps(fs, format="xml")

    def test_errors(self):
        with self.assertRaises(asff.AsffError) as cm:
            asff.loads(b'{"Findings": [{"Id": "x"}, {"Id": 5}]}')
        e = cm.exception
        self.assertEqual(e.status, "ASFF_ERR_TYPE")
        self.assertEqual(e.path, "/Findings/1/Id")
        self.assertGreater(e.offset, 0)
        with self.assertRaises(asff.AsffError) as cm:
            asff.loads(b'[{"Id": "x"},\n {"Id" "y"}]')
        self.assertEqual(cm.exception.status, "ASFF_ERR_SYNTAX")
        self.assertEqual(cm.exception.line, 2)
        with self.assertRaises(TypeError):
            list(asff.iter_findings(12))

    def test_malformed_real_file(self):
        path = os.path.join(REAL, "awsdocs", "sample-control-finding-consolidated.MALFORMED.json")
        with self.assertRaises(asff.AsffError) as cm:
            asff.load(path)
        self.assertEqual(cm.exception.status, "ASFF_ERR_SYNTAX")
        self.assertEqual(cm.exception.line, 38)

    def test_threads(self):
        results = []

        def work():
            results.append(len(asff.load(EXPORT)))
        ts = [threading.Thread(target=work) for _ in range(4)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        self.assertEqual(results, [18] * 4)


class TestFilter(unittest.TestCase):
    def test_filter_in_iter(self):
        flt = {"ComplianceStatus": [{"Value": "FAILED", "Comparison": "EQUALS"}]}
        got = list(asff.iter_findings(EXPORT, filters=flt))
        ref = [f for f in read_json(EXPORT)["Findings"] if f.get("Compliance", {}).get("Status") == "FAILED"]
        self.assertEqual(got, ref)
        self.assertGreater(len(got), 0)
        self.assertEqual(list(asff.iter_findings(EXPORT, filters=json.dumps(flt))), ref)

    def test_filter_object(self):
        f = asff.Filter({"SeverityLabel": [{"Value": "HIGH", "Comparison": "EQUALS"},
                                           {"Value": "CRITICAL", "Comparison": "EQUALS"}]})
        self.assertTrue(f.match(finding()))
        self.assertFalse(f.match(finding(Severity={"Label": "LOW"})))
        canon = json.loads(f.to_json())
        self.assertEqual(len(canon["SeverityLabel"]), 2)
        neg = asff.Filter({"Id": [{"Value": "f-", "Comparison": "PREFIX_NOT_EQUALS"}]})
        self.assertFalse(neg.match(finding()))
        self.assertTrue(neg.match(finding(Id="g-1")))

    def test_filter_errors(self):
        with self.assertRaises(asff.AsffError) as cm:
            asff.Filter({"NoSuchAttribute": [{"Value": "x", "Comparison": "EQUALS"}]})
        self.assertEqual(cm.exception.status, "ASFF_ERR_FILTER")
        with self.assertRaises(asff.AsffError):
            asff.Filter("{not json")

    def test_date_range_now(self):
        now = 1704164645 + 86400  # a day after CreatedAt
        f = asff.Filter({"CreatedAt": [{"DateRange": {"Value": 2, "Unit": "DAYS"}}]}, now=now)
        self.assertTrue(f.match(finding()))
        f = asff.Filter({"CreatedAt": [{"DateRange": {"Value": 2, "Unit": "DAYS"}}]}, now=now + 5 * 86400)
        self.assertFalse(f.match(finding()))

    def test_insight(self):
        got = asff.insight(EXPORT, group_by="ComplianceStatus")
        ref = {}
        for f in read_json(EXPORT)["Findings"]:
            v = f.get("Compliance", {}).get("Status")
            if v is not None:
                ref[v] = ref.get(v, 0) + 1
        self.assertEqual(dict(got), ref)
        counts = [c for _, c in got]
        self.assertEqual(counts, sorted(counts, reverse=True))
        rt = asff.insight(EXPORT, group_by="ResourceType", filters={"RecordState": [
            {"Value": "ACTIVE", "Comparison": "EQUALS"}]})
        self.assertTrue(all(c > 0 for _, c in rt))

    def test_managed_insights(self):
        ms = asff.managed_insights()
        self.assertEqual(len(ms), 32)
        self.assertEqual(ms[0]["number"], 1)
        self.assertTrue(all(m["arn"].startswith("arn:aws:securityhub:::insight/securityhub/default/") for m in ms))
        by_number = asff.insight(EXPORT, managed=ms[0]["number"])
        by_hand = asff.insight(EXPORT, group_by=ms[0]["group_by"], filters=ms[0]["filters"])
        self.assertEqual(by_number, by_hand)
        with self.assertRaises(KeyError):
            asff.insight(EXPORT, managed="no such insight")
        with self.assertRaises(ValueError):
            asff.insight(EXPORT)


class TestValidate(unittest.TestCase):
    def test_valid_finding(self):
        v = asff.validate(finding())
        self.assertEqual([x for x in v if x["level"] == "error"], [])

    def test_errors_have_rule_and_path(self):
        v = asff.validate(finding(Title="x" * 300))
        errs = [x for x in v if x["level"] == "error"]
        self.assertEqual(len(errs), 1)
        self.assertEqual(errs[0]["path"], "/Title")
        self.assertIn("Title", errs[0]["rule"])
        f = finding()
        del f["Resources"][0]["Id"]
        v = asff.validate([finding(), f])
        self.assertTrue(any(x["path"] == "/Resources/0/Id" and x["finding"] == 1 for x in v))

    def test_real_invalid_file(self):
        v = asff.validate(TRIVY_BAD)
        self.assertTrue(any(x["level"] == "error" and x["path"] == "/Description" for x in v))
        b = asff.validate(TRIVY_BAD, batch=True)
        self.assertGreater(len(b), len(v))  # duplicate Ids are batch findings

    def test_normalize(self):
        changes = []
        n = asff.normalize(finding(Severity={"Normalized": 95}, CreatedAt="2024-01-02T03:04:05Z"), changes=changes)
        self.assertEqual(n["Severity"]["Label"], "CRITICAL")
        self.assertEqual(n["CreatedAt"], "2024-01-02T03:04:05.000Z")
        self.assertTrue(changes)
        again = []
        self.assertEqual(asff.normalize(n, changes=again), n)
        self.assertEqual(again, [])
        many = asff.normalize([finding(), finding(Id="b")])
        self.assertEqual(len(many), 2)


class TestLoading(unittest.TestCase):
    def test_bad_library_path(self):
        env = dict(os.environ, ASFF_LIBRARY="/nonexistent/libasff.so.0")
        p = subprocess.run([sys.executable, "-c", "import asff; asff.library_version()"], env=env,
                           capture_output=True, text=True)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("LibraryNotFound", p.stderr)
        self.assertIn("/nonexistent/libasff.so.0", p.stderr)


if __name__ == "__main__":
    unittest.main()
