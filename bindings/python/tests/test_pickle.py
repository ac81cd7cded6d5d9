"""The pickle batch format (ASFF_BATCH_PICKLE, the default of iter_findings and load) against the
NDJSON one decoded by json.loads: the same dicts, types included, for the real findings in
tests/data/real and every case of the hostile table (tests/data/hostile/cases.tsv), the same
errors after the same findings; only the writer's opcodes; and the unpickler refuses globals."""
import io
import json
import math
import os
import pickle
import pickletools
import unittest

import asff
from asff import _errors, _read

DATA = os.environ.get("ASFF_TEST_DATA") or os.path.join(os.path.dirname(__file__), "..", "..", "..", "tests", "data")

# what the writer may produce (lib/filter/pickle.c), and nothing else
ALLOWED = {"PROTO", "FRAME", "EMPTY_LIST", "EMPTY_DICT", "MARK", "APPENDS", "SETITEMS", "SHORT_BINUNICODE",
           "BINUNICODE", "BININT1", "BININT2", "BININT", "LONG1", "LONG", "BINFLOAT", "NEWTRUE", "NEWFALSE",
           "NONE", "BINPUT", "LONG_BINPUT", "BINGET", "LONG_BINGET", "STOP"}


def same(a, b):
    """Equal values of the same types all the way down (1 is not 1.0, -0.0 is not 0.0), members in
    the same order."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, float):
        return a == b and math.copysign(1, a) == math.copysign(1, b) or (a != a and b != b)
    return bool(a == b)


def read(source, pickled, **kw):
    """(findings, the exception's class and status or None)."""
    out = []
    try:
        for f in _read.FindingIterator(source, pickled=pickled, **kw):
            out.append(f)
    except _errors.AsffError as e:
        return out, (type(e), getattr(e, "status", None))
    return out, None


def hostile_cases():
    with open(os.path.join(DATA, "hostile", "cases.tsv"), encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#") or not line.strip():
                continue
            cols = line.rstrip("\n").split("\t")
            data = b""
            for seg in ([] if cols[6] == "-" else cols[6].split()):   # "-": empty input
                hexpart, _, n = seg.partition("*")
                data += bytes.fromhex(hexpart) * (int(n) if n else 1)
            yield cols[0], cols[1], data


class TestEquivalence(unittest.TestCase):
    def check(self, source, label, **kw):
        a, ea = read(source, True, **kw)
        b, eb = read(source, False, **kw)
        self.assertEqual(ea, eb, label)
        self.assertEqual(len(a), len(b), label)
        for i, (x, y) in enumerate(zip(a, b)):
            self.assertTrue(same(x, y), "%s: finding %d differs" % (label, i))
        return a

    def test_real_findings(self):
        files = []
        for root, _, names in os.walk(os.path.join(DATA, "real")):
            files += [os.path.join(root, n) for n in sorted(names) if n.endswith((".json", ".ndjson"))]
        self.assertGreater(len(files), 20)
        total = 0
        for path in files:
            for group in (0, 1, 1 << 20):
                total += len(self.check(path, path, group=group))
            self.check(path, path + " (no read-ahead)", readahead=False)
        self.assertGreater(total, 100)

    def test_hostile_table(self):
        n = ok = 0
        for name, status, data in hostile_cases():
            got = self.check(data, name)
            self.check(data, name + " (groups of one)", group=1, readahead=False)
            n += 1
            ok += status == "ASFF_OK" and bool(got)
        self.assertGreater(n, 100)
        self.assertGreater(ok, 20)

    def test_json_loads_values(self):
        """Single-line findings: exactly what json.loads gives for each line."""
        lines = [
            '{"Id":"a","S":"q\\"\\\\\\/\\b\\f\\n\\r\\t\\u0041\\u00e9\\u20ac\\ud83d\\ude00\\uffff","T":"\u00e9\u20ac\U0001f600"}',
            '{"Id":"b","N":[0,-0,255,256,65535,65536,-1,2147483647,2147483648,-2147483648,-2147483649,'
            '9223372036854775807,-9223372036854775808,9223372036854775808,123456789012345678901234567890,'
            '-99999999999999999999,1.5,-0.0,0.0,1e400,-1e400,5e-324,1E2,0.1,1.7976931348623157e308,2.5e-3]}',
            '{"Id":"c","D":' + '{"a":[' * 25 + '{}' + ']}' * 25 + ',"E":{},"F":[],"G":[true,false,null]}',
            '{"Id":"d","' + "k" * 300 + '":"' + "v" * 70000 + '","Id2":"' + "x" * 255 + '"}',
        ]
        text = "\n".join(lines).encode("utf-8")
        want = [json.loads(line) for line in lines]
        for pickled in (True, False):
            got = list(_read.FindingIterator(text, pickled=pickled))
            self.assertEqual(len(got), len(want))
            for g, w in zip(got, want):
                self.assertTrue(same(g, w), "pickled=%s: %r" % (pickled, g.get("Id")))

    def test_many_member_names(self):
        """More distinct member names than the writer memoizes, in one pickle."""
        f = {"Id": "m"}
        f.update(("K%04d" % i, i) for i in range(1500))
        text = (json.dumps(f) + "\n") * 3
        got = asff.load(text.encode())
        self.assertEqual(len(got), 3)
        for g in got:
            self.assertTrue(same(g, f))


class TestOpcodes(unittest.TestCase):
    def test_only_plain_values(self):
        path = os.path.join(DATA, "real")
        seen = set()
        for root, _, names in os.walk(path):
            for n in names:
                if not n.endswith(".json"):
                    continue
                it = _read.FindingIterator(os.path.join(root, n), readahead=False, group=4096)
                try:
                    while True:
                        data = it._fill()
                        if not data:
                            break
                        f = io.BytesIO(data)
                        while f.tell() < len(data):
                            for op, _, _ in pickletools.genops(f):
                                seen.add(op.name)
                except _errors.AsffError:
                    pass
                finally:
                    it.close()
        self.assertTrue(seen)
        self.assertLessEqual(seen, ALLOWED, seen - ALLOWED)

    def test_globals_refused(self):
        for obj in (os.system, pickle.loads, object()):
            data = pickle.dumps(obj, protocol=4)
            with self.assertRaises(pickle.UnpicklingError):
                _read._Values(io.BytesIO(data)).load()


if __name__ == "__main__":
    unittest.main()
