"""asff.Client against real local endpoints: moto_server (import, export, hub) and the project's fault
server (operations moto lacks, throttling). Started on free 127.0.0.1 ports, stopped after."""
import json
import os
import subprocess
import sys
import threading
import unittest
import urllib.parse
import urllib.request

import asff

DATA = os.environ.get("ASFF_TEST_DATA") or os.path.join(os.path.dirname(__file__), "..", "..", "..", "tests", "data")
SERVERS = os.path.join(os.path.dirname(os.path.abspath(DATA)), "servers")
SECRET = "pyClientSECRETvalue"


def start(cmd):
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    line = p.stdout.readline()
    if not line.startswith("PORT "):
        p.kill()
        raise RuntimeError("server did not start: %r" % line)
    return p, "http://127.0.0.1:%d" % int(line.split()[1])


def finding(i):
    return {"SchemaVersion": "2018-10-08", "Id": "py-%04d" % i,
            "ProductArn": "arn:aws:securityhub:us-east-1:123456789012:product/123456789012/default",
            "GeneratorId": "py-client-test", "AwsAccountId": "123456789012",
            "Types": ["Software and Configuration Checks"], "CreatedAt": "2024-05-01T12:00:00.000Z",
            "UpdatedAt": "2024-05-01T12:00:00.000Z", "Severity": {"Label": "HIGH"}, "Title": "t%d" % i,
            "Description": "d", "Resources": [{"Type": "Other", "Id": "r-%d" % i}]}


class ClientTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.env = {"AWS_ACCESS_KEY_ID": "AKIDPYCLIENT", "AWS_SECRET_ACCESS_KEY": SECRET, "AWS_REGION": "us-east-1",
                   "AWS_CONFIG_FILE": "/nonexistent/c", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/k",
                   "AWS_EC2_METADATA_DISABLED": "true", "NO_PROXY": "127.0.0.1,localhost"}
        cls.saved = {k: os.environ.get(k) for k in list(cls.env) + ["AWS_SESSION_TOKEN", "AWS_PROFILE"]}
        os.environ.update(cls.env)
        os.environ.pop("AWS_SESSION_TOKEN", None)
        os.environ.pop("AWS_PROFILE", None)
        cls.moto, cls.moto_url = start([sys.executable, os.path.join(SERVERS, "moto_harness")])
        cls.fault, cls.fault_url = start([sys.executable, os.path.join(SERVERS, "fault_server.py"), "--exit-on-eof"])

    @classmethod
    def tearDownClass(cls):
        for p in (cls.moto, cls.fault):
            p.stdin.close()
            p.terminate()
            p.wait(timeout=20)
        for k, v in cls.saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v

    def test_import_export_hub(self):
        with asff.Client(endpoint_url=self.moto_url) as c:
            self.assertEqual(c.region, "us-east-1")
            self.assertEqual(c.endpoint, self.moto_url)
            c.enable_security_hub()
            self.assertIn("HubArn", c.describe_hub())
            fs = [finding(i) for i in range(250)]
            out = c.import_findings(fs)
            self.assertEqual([o["index"] for o in out], list(range(250)))
            self.assertTrue(all(o["imported"] for o in out), out[:3])
            got = list(c.get_findings(page_size=100))
            self.assertEqual(sorted(f["Id"] for f in got), sorted(f["Id"] for f in fs))
            self.assertEqual({f["Id"]: f["Title"] for f in got}, {f["Id"]: f["Title"] for f in fs})
            # early stop of the iterator ends the paging cleanly
            it = c.get_findings(page_size=10)
            self.assertEqual(len([next(it) for _ in range(15)]), 15)
            it.close()
            # a finding over 240 KiB is refused before sending; a path source works too
            big = finding(999)
            big["Description"] = "x" * 300000
            out = c.import_findings([finding(1000), big])
            self.assertEqual([o["imported"] for o in out], [True, False])
            self.assertEqual(out[1]["error_code"], "FindingTooLarge")
            members = c.list_members()
            self.assertIn("Members", members)

    def test_errors(self):
        with asff.Client(endpoint_url=self.fault_url, max_attempts=2) as c:
            with self.assertRaises(ValueError):
                c.invoke("NoSuchOperation")
            req = urllib.request.Request(self.fault_url + "/__script", method="POST", data=json.dumps([
                {"status": 400, "body": json.dumps({"__type": "InvalidInputException", "message": "bad name"})}
            ]).encode())
            urllib.request.urlopen(req).read()
            with self.assertRaises(asff.AsffError) as cm:
                c.create_insight("n", {}, "ResourceType")
            e = cm.exception
            self.assertEqual(e.status, "ASFF_ERR_AWS")
            self.assertEqual(e.aws_code, "InvalidInputException")
            self.assertEqual(e.http_status, 400)
            self.assertNotIn(SECRET, str(e))
            self.assertIsInstance(e, asff.InvalidInputError)
            self.assertEqual(e.response["Error"], {"Code": "InvalidInputException", "Message": "bad name"})
            self.assertEqual(e.response["ResponseMetadata"]["HTTPStatusCode"], 400)
            self.script([{"status": 404, "body": json.dumps({"__type": "ResourceNotFoundException",
                                                             "message": "no such insight"})}])
            with self.assertRaises(asff.ResourceNotFoundError):
                c.delete_insight("arn:aws:securityhub:us-east-1:123456789012:insight/123456789012/custom/no")
            self.script([{"status": 403, "body": json.dumps({"__type": "AccessDeniedException", "message": "no"})}])
            with self.assertRaises(asff.AccessDeniedError) as cm:
                c.describe_hub()
            self.assertIsInstance(cm.exception, asff.ClientError)
            self.script([{"status": 429, "body": json.dumps({"__type": "TooManyRequestsException"})}] * 2)
            with self.assertRaises(asff.ThrottlingError) as cm:
                c.describe_hub()
            self.assertEqual(cm.exception.response["Error"]["Code"], "TooManyRequestsException")

    def test_answers_that_contradict_the_call_are_warnings(self):
        # issue 19: an identifier the call did not hold, one named in both lists, one named nowhere
        with asff.Client(endpoint_url=self.fault_url, max_attempts=1) as c:
            ids = [{"Id": "a", "ProductArn": "arn:p"}, {"Id": "b", "ProductArn": "arn:p"}]
            self.script([{"status": 200, "body": json.dumps({
                "ProcessedFindings": [{"Id": "a", "ProductArn": "arn:p"}, {"Id": "stranger", "ProductArn": "arn:p"}],
                "UnprocessedFindings": [{"FindingIdentifier": {"Id": "a", "ProductArn": "arn:p"},
                                         "ErrorCode": "FindingNotFound", "ErrorMessage": "gone"}]})}])
            out = c.update_findings({"FindingIdentifiers": ids, "Note": {"Text": "n", "UpdatedBy": "t"}})
            self.assertEqual([r["error_code"] for r in out], ["FindingNotFound", "NotReported"])
            self.assertEqual([r["id"] for r in out.failed], ["a", "b"])
            self.assertEqual(len(out.warnings), 2, out.warnings)
            self.assertTrue(any("stranger" in w and "not in the call" in w for w in out.warnings), out.warnings)
            self.assertEqual(out.stats["unknown_ids"], 1)
            self.assertEqual(out.stats["duplicate_ids"], 1)
            self.assertEqual(out.stats["processed"], 0)
            # the importer's warnings reach the result too
            self.script([{"status": 200, "body": json.dumps({"FailedCount": 0, "SuccessCount": 5,
                                                             "FailedFindings": []})}])
            res = c.import_findings([finding(8000)])
            self.assertTrue(res[0]["imported"])
            self.assertEqual(len(res.warnings), 1, res.warnings)

    def script(self, answers):
        req = urllib.request.Request(self.fault_url + "/__script", method="POST", data=json.dumps(answers).encode())
        urllib.request.urlopen(req).read()

    def test_endpoint_from_environment_and_lifetime(self):
        # an http:// AWS_ENDPOINT_URL is taken as the CLI takes it
        os.environ["AWS_ENDPOINT_URL"] = self.fault_url
        try:
            c = asff.Client()
        finally:
            del os.environ["AWS_ENDPOINT_URL"]
        self.assertEqual(c.endpoint, self.fault_url)
        self.assertIn(self.fault_url, repr(c))
        self.assertIsInstance(c.describe_hub(), dict)
        # one client from several threads: calls are serialized, every one succeeds
        errors = []

        def work():
            try:
                for _ in range(5):
                    c.describe_hub()
            except Exception as e:  # noqa
                errors.append(e)
        ts = [threading.Thread(target=work) for _ in range(4)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        self.assertEqual(errors, [])
        c.close()
        self.assertEqual(repr(c), "<asff.Client closed>")
        with self.assertRaises(ValueError):
            c.describe_hub()
        with self.assertRaises(ValueError):
            c.import_findings([finding(1)])
        c.close()
        with self.assertRaises(ValueError):
            asff.Client(endpoint_url="")
        with self.assertRaises(asff.CredentialsError):
            saved = os.environ.pop("AWS_ACCESS_KEY_ID")
            try:
                with asff.Client(endpoint_url=self.fault_url, max_attempts=1) as c2:
                    c2.describe_hub()
            finally:
                os.environ["AWS_ACCESS_KEY_ID"] = saved

    def test_import_raising_part_way_keeps_results(self):
        # issue 20: a broken line at 220 of 250; what was read before is sent and reported
        with asff.Client(endpoint_url=self.moto_url, region="eu-west-1") as c:
            c.enable_security_hub()
            lines = [json.dumps(finding(5000 + i)) for i in range(250)]
            lines[219] = '{"SchemaVersion": "2018-10-08", "Id": '
            with self.assertRaises(asff.ParseError) as cm:
                c.import_findings("\n".join(lines).encode())
            res = cm.exception.results
            self.assertEqual(len(res), 219)
            self.assertTrue(all(r["imported"] for r in res))
            self.assertEqual([r["index"] for r in res], list(range(219)))
            # a lone surrogate in a dict
            fs = [finding(6000 + i) for i in range(150)]
            fs[120]["Title"] = "bad \ud800"
            with self.assertRaises(asff.ParseError) as cm:
                c.import_findings(fs)
            self.assertEqual(cm.exception.path, "/120")
            self.assertEqual(len(cm.exception.results), 120)
            self.assertTrue(all(r["imported"] for r in cm.exception.results))
            # failures are hard to miss
            big = finding(7000)
            big["Description"] = "x" * 300000
            out = c.import_findings([finding(7001), big])
            self.assertEqual([r["id"] for r in out.failed], ["py-7000"])
            self.assertIn("1 failed", repr(out))
            with self.assertRaises(asff.ImportFailedError) as cm:
                c.import_findings([big], raise_on_failure=True)
            self.assertEqual(cm.exception.results[0]["error_code"], "FindingTooLarge")
            # the sources iter_findings takes
            self.assertTrue(c.import_findings(finding(7002))[0]["imported"])
            self.assertTrue(c.import_findings(json.dumps(finding(7003)))[0]["imported"])

    def test_get_findings_in_the_callers_thread(self):
        with asff.Client(endpoint_url=self.moto_url, region="eu-central-1") as c:
            c.enable_security_hub()
            c.import_findings([finding(8000 + i) for i in range(30)])
            before = threading.active_count()
            with c.get_findings(filters={"Id": [{"Value": "py-80", "Comparison": "PREFIX"}]}, page_size=7,
                                sort=[{"Field": "Id", "SortOrder": "desc"}]) as it:
                got = []
                for f in it:
                    got.append(f["Id"])
                    self.assertEqual(threading.active_count(), before)
            self.assertEqual(sorted(got), ["py-%04d" % (8000 + i) for i in range(30)])
            it2 = c.get_findings(sort="Id:desc", max_results=3)
            self.assertEqual(len(list(it2)), 3)
            it2.close()
            with self.assertRaises(ValueError):
                next(it2)

    def test_operations_sent(self):
        arn = "arn:aws:securityhub:us-east-1:123456789012:insight/123456789012/custom/x1"
        urllib.request.urlopen(urllib.request.Request(self.fault_url + "/__clear", method="POST", data=b"")).read()
        with asff.Client(endpoint_url=self.fault_url) as c:
            c.create_insight("crit", {"SeverityLabel": [{"Value": "CRITICAL", "Comparison": "EQUALS"}]}, "ResourceType")
            c.get_insight_results(arn)
            c.delete_insight(arn)
            c.create_action_target("Send", "to ticketing", "send")
            c.tag_resource("arn:aws:securityhub:us-east-1:123456789012:hub/default", {"team": "sec"})
            out = c.update_findings({"FindingIdentifiers": [{"Id": "a", "ProductArn": "p"}],
                                     "Workflow": {"Status": "RESOLVED"}})
            self.assertEqual(len(out), 1)
            self.assertIsInstance(out, asff.UpdateResult)
            self.assertIsInstance(c.call("GET", "/accounts"), dict)
        log = json.load(urllib.request.urlopen(self.fault_url + "/__log"))["requests"]
        paths = [(q["method"], urllib.parse.unquote(q["path"])) for q in log]
        self.assertEqual(paths[:6], [("POST", "/insights"), ("GET", "/insights/results/" + arn),
                                     ("DELETE", "/insights/" + arn), ("POST", "/actionTargets"),
                                     ("POST", "/tags/arn:aws:securityhub:us-east-1:123456789012:hub/default"),
                                     ("PATCH", "/findings/batchupdate")])
        self.assertTrue(all(q["auth"].startswith("AWS4-HMAC-SHA256 Credential=AKIDPYCLIENT/") for q in log))


if __name__ == "__main__":
    unittest.main()
