"""The bindings' Python API: every input form, every exception class, context managers, closed
objects, the batch reader's options, and the C struct layouts and constants the package relies on
(compiled from the headers here, so they are never trusted as copied by hand)."""
import gc
import io
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import threading
import time
import unittest

import asff
from asff import _lib

DATA = os.environ.get("ASFF_TEST_DATA") or os.path.join(os.path.dirname(__file__), "..", "..", "..", "tests", "data")
EXAMPLES = os.path.join(os.path.dirname(__file__), "..", "..", "..", "examples", "findings")
EXPORT = os.path.join(EXAMPLES, "getfindings-export.json")
NDJSON = os.path.join(EXAMPLES, "prowler.ndjson")
EVENT = os.path.join(EXAMPLES, "custom-action-event.json")
HIGH = {"SeverityLabel": [{"Value": "HIGH", "Comparison": "EQUALS"}]}


def finding(**kw):
    f = {"SchemaVersion": "2018-10-08", "Id": "f-1",
         "ProductArn": "arn:aws:securityhub:us-east-1:123456789012:product/123456789012/default",
         "GeneratorId": "gen", "AwsAccountId": "123456789012", "Types": ["Software and Configuration Checks"],
         "CreatedAt": "2024-01-02T03:04:05.000Z", "UpdatedAt": "2024-01-02T03:04:05.000Z",
         "Severity": {"Label": "HIGH"}, "Title": "t", "Description": "d",
         "Resources": [{"Type": "AwsEc2Instance", "Id": "i-1"}]}
    f.update(kw)
    return f


class TestInputs(unittest.TestCase):
    """Each source form gives the same findings."""

    @classmethod
    def setUpClass(cls):
        with open(EXPORT, "rb") as fh:
            cls.data = fh.read()
        cls.ref = json.loads(cls.data)["Findings"]

    def test_path_forms(self):
        self.assertEqual(asff.load(EXPORT), self.ref)
        self.assertEqual(asff.load(pathlib.Path(EXPORT)), self.ref)

    def test_bytes_forms(self):
        self.assertEqual(asff.load(self.data), self.ref)
        self.assertEqual(asff.load(bytearray(self.data)), self.ref)
        self.assertEqual(asff.load(memoryview(self.data)), self.ref)

    def test_json_text_is_never_a_file_name(self):
        text = self.data.decode("utf-8")
        self.assertEqual(asff.load(text), self.ref)
        self.assertEqual(asff.load("  \n" + text), self.ref)
        self.assertEqual(asff.loads(text), self.ref)
        v = asff.validate(json.dumps(finding()))
        self.assertEqual([x for x in v if x["level"] == "error"], [])
        # not JSON text: a path, which does not exist
        with self.assertRaises(FileNotFoundError):
            asff.load("SchemaVersion.json")

    def test_file_objects(self):
        self.assertEqual(asff.load(io.BytesIO(self.data)), self.ref)
        self.assertEqual(asff.load(io.StringIO(self.data.decode("utf-8"))), self.ref)
        with open(EXPORT, "rb") as fh:
            self.assertEqual(asff.load(fh), self.ref)
        with open(EXPORT, encoding="utf-8") as fh:
            self.assertEqual(asff.load(fh), self.ref)

    def test_dicts(self):
        f = finding()
        self.assertEqual(asff.loads(f), [f])
        self.assertEqual(asff.load(f), [f])
        event = {"version": "0", "id": "e", "detail-type": "Security Hub Findings - Imported",
                 "source": "aws.securityhub", "account": "123456789012", "time": "2024-01-02T03:04:05Z",
                 "region": "us-east-1", "resources": [], "detail": {"findings": [f, finding(Id="f-2")]}}
        self.assertEqual([x["Id"] for x in asff.loads(event)], ["f-1", "f-2"])
        fs = [finding(Id="g-%d" % i) for i in range(300)]
        self.assertEqual(asff.load(fs), fs)
        self.assertEqual(asff.load(iter(fs)), fs)
        self.assertEqual(asff.normalize(f)["Id"], "f-1")
        self.assertEqual(len(asff.normalize(iter(fs))), 300)

    def test_envelopes(self):
        self.assertEqual(len(asff.load(EVENT)), 2)
        self.assertEqual(len(asff.load(NDJSON, envelope="ndjson")), 10)
        with self.assertRaises(ValueError):
            asff.load(NDJSON, envelope="nope")

    def test_bad_types(self):
        with self.assertRaises(TypeError):
            asff.load(12)
        with self.assertRaises(TypeError):
            asff.load([finding(), 5])
        with self.assertRaises(TypeError):
            asff.loads(pathlib.Path(EXPORT))


class TestBatchReader(unittest.TestCase):
    def test_filter_fields_limit(self):
        ref = [f for f in asff.load(NDJSON) if f.get("Severity", {}).get("Label") == "HIGH"]
        self.assertGreater(len(ref), 0)
        self.assertEqual(list(asff.iter_findings(NDJSON, filters=HIGH)), ref)
        self.assertEqual(list(asff.iter_findings(NDJSON, filters=HIGH, prefilter=True)), ref)
        self.assertEqual(list(asff.iter_findings(NDJSON, filters=HIGH, readahead=False)), ref)
        self.assertEqual(list(asff.iter_findings(NDJSON, filters=HIGH, limit=1)), ref[:1])
        self.assertEqual(list(asff.iter_findings(NDJSON, limit=0)), [])
        ids = list(asff.iter_findings(NDJSON, fields=["Id", "Severity"]))
        self.assertEqual(ids, [{"Id": f["Id"], "Severity": f["Severity"]} for f in asff.load(NDJSON)])
        with asff.Filter(HIGH) as flt:
            self.assertEqual(list(asff.iter_findings(NDJSON, filters=flt)), ref)

    def test_large_stream_in_many_batches(self):
        fs = [finding(Id="id-%05d" % i, Title="é" * (i % 50)) for i in range(3000)]
        data = "\n".join(json.dumps(f) for f in fs).encode()   # ASCII escapes: decoded to the same dicts
        it = asff.iter_findings(data)
        self.assertEqual(list(it), fs)
        self.assertEqual((it.read, it.passed), (3000, 3000))
        # a finding bigger than the batch buffer
        big = finding(Big1="x" * 1000000, Big2="y" * 500000)
        self.assertEqual(asff.load([finding(), big, finding(Id="z")])[1], big)

    def test_error_after_the_findings_before_it(self):
        text = json.dumps(finding(Id="a")) + "\n" + json.dumps(finding(Id="b")) + "\n{\"Id\": 5}\n"
        got = []
        with self.assertRaises(asff.ParseError) as cm:
            for f in asff.iter_findings(text.encode()):
                got.append(f["Id"])
        self.assertEqual(got, ["a", "b"])
        self.assertEqual(cm.exception.status, "ASFF_ERR_TYPE")
        self.assertEqual(cm.exception.line, 3)
        self.assertEqual(cm.exception.path, "/2/Id")

    def test_iterator_lifetime(self):
        it = asff.iter_findings(EXPORT)
        self.assertIn("open", repr(it))
        next(it)
        it.close()
        self.assertIn("closed", repr(it))
        with self.assertRaises(ValueError):
            next(it)
        it.close()  # idempotent
        with asff.iter_findings(EXPORT) as it2:
            next(it2)
        with self.assertRaises(ValueError):
            next(it2)
        # exhausted: StopIteration, again and again
        it3 = asff.iter_findings(NDJSON)
        self.assertEqual(len(list(it3)), 10)
        self.assertEqual(list(it3), [])
        # an abandoned iterator stops its read-ahead thread when collected
        before = threading.active_count()
        for _ in range(5):
            it4 = asff.iter_findings(EXPORT)
            next(it4)
            del it4
        gc.collect()
        deadline = time.time() + 5
        while threading.active_count() > before and time.time() < deadline:
            time.sleep(0.05)
        self.assertLessEqual(threading.active_count(), before)

    def test_load_keeps_gc_state(self):
        self.assertTrue(gc.isenabled())
        asff.load(EXPORT)
        self.assertTrue(gc.isenabled())
        gc.disable()
        try:
            asff.load(EXPORT)
            self.assertFalse(gc.isenabled())
        finally:
            gc.enable()


class TestExceptions(unittest.TestCase):
    def test_hierarchy(self):
        for cls in (asff.ParseError, asff.ValidationError, asff.FilterError, asff.ClientError):
            self.assertTrue(issubclass(cls, asff.AsffError))
        for cls in (asff.ThrottlingError, asff.AccessDeniedError, asff.ResourceNotFoundError,
                    asff.InvalidInputError, asff.InvalidAccessError, asff.LimitExceededError,
                    asff.ResourceConflictError, asff.CredentialsError, asff.NetworkError,
                    asff.ImportFailedError, asff.UpdateFailedError):
            self.assertTrue(issubclass(cls, asff.ClientError))

    def test_parse_errors(self):
        for bad, status in ((b'[{"Id": "x"},\n {"Id" "y"}]', "ASFF_ERR_SYNTAX"), (b'{"Id": 5}', "ASFF_ERR_TYPE"),
                            (b'{"Id": "\xff"}', "ASFF_ERR_UTF8"), (b'[{"Id": "x"}', "ASFF_ERR_TRUNCATED")):
            with self.assertRaises(asff.ParseError) as cm:
                asff.loads(bad)
            self.assertEqual(cm.exception.status, status)
            self.assertIn(status, repr(cm.exception))
        with self.assertRaises(asff.ParseError) as cm:
            asff.dumps(finding(Title="\ud800"))
        self.assertEqual(cm.exception.status, "ASFF_ERR_UTF8")
        for text in ('{"Id": "\ud800"}', io.StringIO('{"Id": "\ud800"}')):
            with self.assertRaises(asff.ParseError) as cm:
                asff.load(text)
            self.assertEqual(cm.exception.status, "ASFF_ERR_UTF8")

    def test_validation_error(self):
        with self.assertRaises(asff.ValidationError) as cm:
            asff.loads(b'{"Id": "x", "Severity": {"Product": 1e999}}')
        self.assertEqual(cm.exception.status, "ASFF_ERR_RANGE")
        self.assertEqual(cm.exception.path, "/Severity/Product")
        with self.assertRaises(asff.ValidationError) as cm:
            asff.validate([finding(), finding(Title="x" * 300)], raise_on_error=True)
        self.assertEqual(cm.exception.status, "ASFF_ERR_INVALID")
        self.assertEqual(cm.exception.path, "/Title")
        self.assertTrue(cm.exception.results)
        self.assertEqual(asff.validate(finding(), raise_on_error=True), [])

    def test_filter_errors(self):
        with self.assertRaises(asff.FilterError):
            asff.Filter({"NoSuchAttribute": [{"Value": "x", "Comparison": "EQUALS"}]})
        with self.assertRaises(asff.FilterError):
            asff.Filter("{not json")
        with self.assertRaises(asff.FilterError):
            list(asff.iter_findings(EXPORT, filters={"SeverityLabel": "HIGH"}))

    def test_client_error_response(self):
        err = _lib.Error()
        err.message = b"Rate exceeded"
        err.aws_code = b"ThrottlingException"
        err.http_status = 400
        err.request_id = b"req-1"
        from asff import _errors
        e = _errors.from_c(_lib.lib().status("ASFF_ERR_THROTTLED"), err, client=True)
        self.assertIsInstance(e, asff.ThrottlingError)
        self.assertEqual(e.response, {"Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"},
                                      "ResponseMetadata": {"RequestId": "req-1", "HTTPStatusCode": 400}})
        for code, cls in (("AccessDeniedException", asff.AccessDeniedError),
                          ("ResourceNotFoundException", asff.ResourceNotFoundError),
                          ("InvalidInputException", asff.InvalidInputError),
                          ("InvalidAccessException", asff.InvalidAccessError),
                          ("LimitExceededException", asff.LimitExceededError),
                          ("ResourceConflictException", asff.ResourceConflictError),
                          ("SomethingNew", asff.ClientError)):
            err.aws_code = code.encode()
            self.assertIs(type(_errors.from_c(_lib.lib().status("ASFF_ERR_AWS"), err, client=True)), cls)
        err.aws_code = b""
        self.assertIs(type(_errors.from_c(_lib.lib().status("ASFF_ERR_CREDENTIALS"), err, client=True)),
                      asff.CredentialsError)
        self.assertIs(type(_errors.from_c(_lib.lib().status("ASFF_ERR_NETWORK"), err, client=True)),
                      asff.NetworkError)


class TestFilterAndSort(unittest.TestCase):
    def test_now_defaults_to_the_clock(self):
        recent = finding(CreatedAt=time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(time.time() - 3600)))
        flt = {"CreatedAt": [{"DateRange": {"Value": 1, "Unit": "DAYS"}}]}
        with asff.Filter(flt) as f:
            self.assertTrue(f.match(recent))
            self.assertFalse(f.match(finding()))   # 2024
        self.assertEqual(len(list(asff.iter_findings([recent, finding()], filters=flt))), 1)
        self.assertEqual(asff.insight([recent, finding()], group_by="SeverityLabel", filters=flt), [("HIGH", 1)])

    def test_closed_filter(self):
        f = asff.Filter(HIGH)
        self.assertIn("SeverityLabel", repr(f))
        f.close()
        self.assertEqual(repr(f), "<asff.Filter closed>")
        with self.assertRaises(ValueError):
            f.match(finding())
        with self.assertRaises(ValueError):
            asff.iter_findings(EXPORT, filters=f)

    def test_sort_criteria(self):
        from asff._client import sort_criteria
        self.assertEqual(sort_criteria("UpdatedAt:desc"), [{"Field": "UpdatedAt", "SortOrder": "desc"}])
        self.assertEqual(sort_criteria("Title"), [{"Field": "Title", "SortOrder": "asc"}])
        boto = [{"Field": "SeverityNormalized", "SortOrder": "desc"}, {"Field": "Id", "SortOrder": "asc"}]
        self.assertEqual(sort_criteria(boto), boto)
        self.assertEqual(sort_criteria({"Field": "Id"}), [{"Field": "Id", "SortOrder": "asc"}])
        with self.assertRaises(ValueError):
            sort_criteria("Id:sideways")
        with self.assertRaises(ValueError):
            sort_criteria([{"SortOrder": "asc"}])


class TestModule(unittest.TestCase):
    def test_version_and_names(self):
        self.assertEqual(asff.__version__, asff.library_version())
        names = dir(asff)
        for stray in ("ctypes", "json", "os", "gc", "collections", "_lib", "_read"):
            self.assertNotIn(stray, names)
        for name in asff.__all__:
            obj = getattr(asff, name)
            if name in ("__version__", "Source"):
                continue
            self.assertTrue((obj.__doc__ or "").strip(), name)
        for cls in (asff.Filter, asff.Client, asff.FindingIterator, asff.ImportResult):
            for attr, v in vars(cls).items():
                if not attr.startswith("_") and callable(v):
                    self.assertTrue((v.__doc__ or "").strip(), "%s.%s" % (cls.__name__, attr))
        here = os.path.dirname(asff.__file__)
        self.assertTrue(os.path.exists(os.path.join(here, "py.typed")))

    def test_results_repr(self):
        r = asff.ImportResult([{"index": 0, "imported": True}, {"index": 1, "imported": False}])
        self.assertEqual(len(r.failed), 1)
        self.assertIn("1 imported, 1 failed", repr(r))
        u = asff.UpdateResult([{"index": 0, "processed": False}])
        self.assertEqual(len(u.failed), 1)


class TestAbi(unittest.TestCase):
    """Sizes and member offsets of the ctypes structs, option versions and status codes, against
    what the C compiler makes of the installed headers."""

    def test_layouts(self):
        cc = os.environ.get("ASFF_CC", "cc")
        inc = os.environ.get("ASFF_INCLUDE") or os.path.join(os.path.dirname(__file__), "..", "..", "..", "include")
        lines = ["#include <stdio.h>", "#include <stddef.h>", "#include \"asff/asff.h\"", "int main(void) {"]
        for cname, cls in _lib.STRUCTS.items():
            lines.append('printf("%s %%zu\\n", sizeof(%s));' % (cname, cname))
            for field, _ in cls._fields_:
                lines.append('printf("%s.%s %%zu\\n", offsetof(%s, %s));' % (cname, field, cname, field))
        for macro in _lib.VERSIONS:
            lines.append('printf("%s %%d\\n", (int)%s);' % (macro, macro))
        lines.append("return 0; }")
        with tempfile.TemporaryDirectory() as d:
            src, exe = os.path.join(d, "layout.c"), os.path.join(d, "layout")
            with open(src, "w") as fh:
                fh.write("\n".join(lines) + "\n")
            subprocess.run([cc, "-std=c11", "-I", inc, src, "-o", exe], check=True)
            out = subprocess.run([exe], check=True, capture_output=True, text=True).stdout
        c = dict(line.rsplit(" ", 1) for line in out.splitlines())
        for cname, cls in _lib.STRUCTS.items():
            self.assertEqual(int(c[cname]), ctypes_sizeof(cls), cname)
            for field, _ in cls._fields_:
                self.assertEqual(int(c["%s.%s" % (cname, field)]), getattr(cls, field).offset, (cname, field))
        for macro, v in _lib.VERSIONS.items():
            self.assertEqual(int(c[macro]), v, macro)

    def test_status_codes_from_the_library(self):
        L = _lib.lib()
        self.assertEqual(L.status_names[0], "ASFF_OK")
        self.assertIn("ASFF_ERR_PARTIAL", L.status_codes)
        from asff import _errors
        for name in _errors._BY_STATUS:
            self.assertIn(name, L.status_codes)


def ctypes_sizeof(cls):
    import ctypes
    return ctypes.sizeof(cls)


if __name__ == "__main__":
    unittest.main()
