#!/usr/bin/env python3
"""Generate cases.tsv: the hostile-input table of the codec tests (tests/test_codec.c, test_hostile;
tests/hostile_cli.py runs the same table through `asff fmt`).

Each case states what the input holds, by construction, not by running the library:
  name, status and count without skip_invalid (count: findings delivered before the error),
  status, count and skipped with skip_invalid, and the input as space-separated segments, each
  HEX or HEX*N (the bytes repeated N times).

Run `python3 gen_hostile.py > cases.tsv` to regenerate; the output is deterministic.
"""
import math
import sys

OK = "ASFF_OK"
SYNTAX = "ASFF_ERR_SYNTAX"
TYPE = "ASFF_ERR_TYPE"
LIMIT = "ASFF_ERR_LIMIT"
UTF8 = "ASFF_ERR_UTF8"
DUP = "ASFF_ERR_DUPLICATE"
TRUNC = "ASFF_ERR_TRUNCATED"
ENV = "ASFF_ERR_ENVELOPE"
RANGE = "ASFF_ERR_RANGE"

cases = []
names = set()


def seg(b, n=1):
    return b.hex() + ("*%d" % n if n != 1 else "")


def rle(b):
    """Bytes as segments, runs of one byte (32 or more) as HEX*N."""
    out, i, lit = [], 0, bytearray()
    while i < len(b):
        j = i
        while j < len(b) and b[j] == b[i]:
            j += 1
        if j - i >= 32:
            if lit:
                out.append(bytes(lit).hex())
                lit = bytearray()
            out.append(seg(b[i:i + 1], j - i))
        else:
            lit += b[i:j]
        i = j
    if lit:
        out.append(bytes(lit).hex())
    return " ".join(out)


def add(name, st, cnt, sst, scnt, sskip, *segments):
    assert name not in names, name
    names.add(name)
    spec = " ".join(s if isinstance(s, str) else rle(s) for s in segments)
    cases.append((name, st, cnt, sst, scnt, sskip, spec or "-"))


def good(i):
    return b'{"Id":"g%d","Title":"t"}' % i


# ---- envelopes ----------------------------------------------------------------------------------
G = good(0)
add("env-one-finding", OK, 1, OK, 1, 0, G)
add("env-array", OK, 2, OK, 2, 0, b"[" + G + b"," + good(1) + b"]")
add("env-empty-array", OK, 0, OK, 0, 0, b"[]")
add("env-findings", OK, 2, OK, 2, 0, b'{"Findings":[' + G + b"," + good(1) + b'],"NextToken":"n"}')
add("env-findings-empty", OK, 0, OK, 0, 0, b'{"Findings":[]}')
add("env-findings-boto3", OK, 1, OK, 1, 0, b'{"Findings":[' + G + b'],"ResponseMetadata":{"HTTPStatusCode":200}}')
add("env-finding-detail-member", OK, 1, OK, 1, 0, b'{"Id":"a","detail":{"findings":[' + G + b"]}}")
add("env-finding-detail-member-late", OK, 1, OK, 1, 0, b'{"Title":"t","Id":"a","detail":{"x":1}}')
add("env-finding-findings-member", OK, 1, OK, 1, 0, b'{"Id":"a","Findings":[' + G + b"]}")
add("env-finding-findings-object", OK, 1, OK, 1, 0, b'{"Findings":{"a":1}}')
add("env-finding-detail-string", OK, 1, OK, 1, 0, b'{"detail":"x","Id":"a"}')
add("env-finding-detail-after-unknown", OK, 1, OK, 1, 0, b'{"Custom":1,"detail":{"findings":[' + G + b"]}}")
add("env-two-containers", ENV, 1, ENV, 1, 0,
    b'{"detail-type":"d","source":"s","detail":{"findings":[' + G + b']},"Findings":[' + good(1) + b"," + good(2) + b"]}")
add("env-two-containers-anon", ENV, 1, ENV, 1, 0,
    b'{"detail":{"findings":[' + G + b']},"Findings":[' + good(1) + b"," + good(2) + b"]}")
add("env-findings-then-detail", ENV, 1, ENV, 1, 0, b'{"Findings":[' + G + b'],"detail":{"findings":[]}}')
add("env-dup-findings", DUP, 1, DUP, 1, 0, b'{"Findings":[' + G + b'],"Findings":[' + good(1) + b"]}")
add("env-dup-detail", DUP, 1, DUP, 1, 0,
    b'{"detail-type":"d","source":"s","detail":{"findings":[' + G + b']},"detail":{"findings":[]}}')
add("env-dup-detail-findings", DUP, 1, DUP, 1, 0,
    b'{"detail-type":"d","source":"s","detail":{"findings":[' + G + b'],"findings":[' + good(1) + b"]}}")
add("env-event", OK, 1, OK, 1, 0,
    b'{"version":"0","id":"i","detail-type":"Security Hub Findings - Imported","source":"aws.securityhub",'
    b'"account":"1","time":"t","region":"r","resources":["x"],"detail":{"findings":[' + G + b"]}}")
add("env-event-sorted-keys", OK, 2, OK, 2, 0,
    b'{"account":"1","detail":{"findings":[' + G + b"," + good(1) + b']},"detail-type":"d","id":"i","region":"r",'
    b'"resources":[],"source":"s","time":"t","version":"0"}')
add("env-event-no-type", ENV, 1, OK, 1, 1, b'{"source":"s","detail":{"findings":[' + G + b"]}}")
add("env-event-no-source", ENV, 1, OK, 1, 1, b'{"detail-type":"d","detail":{"findings":[' + G + b"]}}")
add("env-event-bare-detail", ENV, 1, OK, 1, 1, b'{"detail":{"findings":[' + G + b"]}}")
add("env-event-insight", OK, 0, OK, 0, 0,
    b'{"detail-type":"Security Hub Insight Results","source":"aws.securityhub","detail":{"actionName":"a",'
    b'"insightResults":[{"x":1}],"number of results":"1"}}')
add("env-event-finding-member-after", ENV, 1, ENV, 1, 0,
    b'{"detail-type":"d","source":"s","detail":{"findings":[' + G + b']},"Title":"t"}')
add("env-findings-finding-member-after", ENV, 1, ENV, 1, 0, b'{"Findings":[' + G + b'],"Id":"x"}')
add("env-event-findings-not-array", TYPE, 0, TYPE, 0, 0, b'{"detail-type":"d","source":"s","detail":{"findings":{}}}')
add("env-top-number", ENV, 0, OK, 0, 1, b"42")
add("env-top-string", ENV, 0, OK, 0, 1, b'"s"')
add("env-top-null", ENV, 0, OK, 0, 1, b"null")
add("env-top-true", ENV, 0, OK, 0, 1, b"true")
add("env-empty", OK, 0, OK, 0, 0)
add("env-blanks", OK, 0, OK, 0, 0, b" \n\t\r\n ")
add("env-array-of-scalars", TYPE, 0, OK, 1, 2, b"[1," + G + b',"x"]')
add("env-array-of-arrays", TYPE, 0, OK, 1, 1, b"[[1]," + G + b"]")
add("env-findings-scalar-item", TYPE, 1, OK, 2, 1, b'{"Findings":[' + G + b',7,' + good(1) + b"]}")
add("env-concatenated", OK, 3, OK, 3, 0, G + good(1) + b"[" + good(2) + b"]")
add("env-mixed-ndjson", OK, 4, OK, 4, 0,
    G + b"\n[" + good(1) + b"]\n" + b'{"Findings":[' + good(2) + b"]}\n" +
    b'{"detail-type":"d","source":"s","detail":{"findings":[' + good(3) + b"]}}\n")
add("env-bom", SYNTAX, 0, OK, 0, 1, b"\xef\xbb\xbf" + G)
add("env-trailing-comma", SYNTAX, 1, SYNTAX, 1, 0, b"[" + G + b",]")
add("env-unclosed-array", TRUNC, 1, TRUNC, 1, 0, b"[" + G)
add("env-unclosed-findings", TRUNC, 1, TRUNC, 1, 0, b'{"Findings":[' + G)

# ---- UTF-8 --------------------------------------------------------------------------------------
bad_utf8 = {
    "overlong-c0af": b"\xc0\xaf", "overlong-c1bf": b"\xc1\xbf", "overlong-e080af": b"\xe0\x80\xaf",
    "overlong-e09fbf": b"\xe0\x9f\xbf", "overlong-f08080af": b"\xf0\x80\x80\xaf",
    "overlong-f08fbfbf": b"\xf0\x8f\xbf\xbf", "surrogate-eda080": b"\xed\xa0\x80",
    "surrogate-edbfbf": b"\xed\xbf\xbf", "surrogate-pair-raw": b"\xed\xa0\xbd\xed\xb8\x80",
    "above-f4908080": b"\xf4\x90\x80\x80", "above-f5": b"\xf5\x80\x80\x80", "above-f7": b"\xf7\xbf\xbf\xbf",
    "byte-f8": b"\xf8\x88\x80\x80\x80", "byte-fe": b"\xfe", "byte-ff": b"\xff", "stray-80": b"\x80",
    "stray-bf": b"\xbf", "cut-e282": b"\xe2\x82", "cut-f09f98": b"\xf0\x9f\x98", "cut-c3": b"\xc3",
    "lead-then-ascii": b"\xc3A", "esc-lone-high": b"\\ud800", "esc-lone-high-dbff": b"\\udbff",
    "esc-lone-low": b"\\udc00", "esc-lone-low-dfff": b"\\udfff", "esc-high-then-ascii-escape": b"\\ud800\\u0041",
    "esc-high-then-char": b"\\ud800x", "esc-high-high": b"\\ud800\\ud800", "esc-high-then-n": b"\\ud800\\n",
    "esc-low-high": b"\\udc00\\ud800",
}
good_utf8 = {
    "e-acute": b"\xc3\xa9", "euro": b"\xe2\x82\xac", "emoji": b"\xf0\x9f\x98\x80", "u-ffff": b"\xef\xbf\xbf",
    "u-10ffff": b"\xf4\x8f\xbf\xbf", "u-d7ff": b"\xed\x9f\xbf", "u-e000": b"\xee\x80\x80", "u-0080": b"\xc2\x80",
    "u-0800": b"\xe0\xa0\x80", "u-10000": b"\xf0\x90\x80\x80", "esc-pair": b"\\ud83d\\ude00",
    "esc-pair-max": b"\\udbff\\udfff", "esc-e9": b"\\u00e9", "esc-backslash-u": b"\\\\ud800",
    "esc-many": b"\\u00e9" * 50,
}
for k, v in bad_utf8.items():
    # a broken top-level value: with skip_invalid it is reported as skipped
    add("utf8-bad-%s-value" % k, UTF8, 0, OK, 0, 1, b'{"Id":"a","Title":"' + v + b'"}')
    add("utf8-bad-%s-name" % k, UTF8, 0, OK, 0, 1, b'{"Id":"a","X' + v + b'":1}')
    add("utf8-bad-%s-ndjson" % k, UTF8, 1, OK, 2, 1, G + b'\n{"Title":"' + v + b'"}\n' + good(1) + b"\n")
    add("utf8-bad-%s-array" % k, UTF8, 1, UTF8, 1, 0, b"[" + G + b',{"Title":"' + v + b'"},' + good(1) + b"]")
for k, v in good_utf8.items():
    add("utf8-good-%s-value" % k, OK, 1, OK, 1, 0, b'{"Id":"a","Title":"' + v + b'"}')
    add("utf8-good-%s-unknown" % k, OK, 1, OK, 1, 0, b'{"Id":"a","U":{"x":["' + v + b'"]}}')
add("utf8-nul-escape", UTF8, 0, OK, 1, 1, b'{"Title":"a\\u0000b"}\n' + G + b"\n")
add("utf8-raw-control", SYNTAX, 0, OK, 1, 1, b'{"Title":"a\x01b"}\n' + G + b"\n")

# ---- NDJSON damage: good line, bad line, good line -------------------------------------------------
# (name, bad line, status without skip_invalid, findings the bad line itself holds)
damage = [
    ("scalar-int", b"42", ENV, 0), ("scalar-neg", b"-1.5", ENV, 0), ("scalar-string", b'"s"', ENV, 0),
    ("scalar-null", b"null", ENV, 0), ("scalar-true", b"true", ENV, 0), ("scalar-false", b"false", ENV, 0),
    ("cut-after-colon", b'{"Title":', TRUNC, 0), ("cut-after-colon-space", b'{"Title": ', TRUNC, 0),
    ("cut-after-comma", b'{"Id":"x",', TRUNC, 0), ("cut-in-string", b'{"Id":"x', SYNTAX, 0),
    ("cut-in-name", b'{"Id', SYNTAX, 0), ("cut-after-open", b"{", TRUNC, 0),
    ("cut-after-bracket", b'{"Types":[', TRUNC, 0), ("cut-no-close", b'{"Id":"x"', TRUNC, 0),
    ("cut-array-open", b"[", TRUNC, 0), ("cut-array-item", b"[" + good(9) + b",", TRUNC, 1),
    ("cut-findings", b'{"Findings":[' + good(9), TRUNC, 1), ("extra-close", good(9) + b"}", SYNTAX, 1),
    ("garbage", b"xyz", SYNTAX, 0), ("garbage-after", good(9) + b" xyz", SYNTAX, 1),
    ("two-on-a-line", good(8) + good(9), OK, 2), ("type-error", b'{"Id":1}', TYPE, 0),
    ("type-error-nested", b'{"Severity":{"Label":[]}}', TYPE, 0), ("duplicate", b'{"Id":"a","Id":"b"}', DUP, 0),
    ("array-line", b"[1]", TYPE, 0), ("empty-object", b"{}", OK, 1), ("colon-garbage", b'{"Id"::"x"}', SYNTAX, 0),
    ("single-quotes", b"{'Id':'x'}", SYNTAX, 0), ("nan", b'{"Confidence":NaN}', SYNTAX, 0),
    ("comment", b"// c", SYNTAX, 0), ("nul-byte", b'{"Id":"a\x00"}', SYNTAX, 0),
    ("bad-utf8", b'{"Title":"\xc0\xaf"}', UTF8, 0), ("lone-surrogate", b'{"Title":"\\udc00"}', UTF8, 0),
    ("deep", b'{"a":' * 70, LIMIT, 0), ("long-string", b'{"Title":"' + b"x" * 1100000 + b'"}', LIMIT, 0),
    ("double-range", b'{"Severity":{"Product":1e999}}', RANGE, 0),
    ("event-no-type", b'{"detail":{"findings":[' + good(9) + b"]}}", ENV, 1),
    ("two-containers", b'{"Findings":[' + good(9) + b'],"detail":{}}', ENV, 1),
    # whitespace is space, tab, CR and LF only (yajl also took VT and FF); a string value before ':'
    ("form-feed", b'{"Id":"x",\x0c"Title":"t"}', SYNTAX, 0), ("vertical-tab", b'{"Id":"x","Title":\x0b"t"}', SYNTAX, 0),
    ("form-feed-first", b'\x0c{"Id":"x"}', SYNTAX, 0),
    ("string-then-colon", b'{"Id":"x","Title":"b":["y"]}}', SYNTAX, 0),
]
for name, bad, st, held in damage:
    text = G + b"\n" + bad + b"\n" + good(1) + b"\n"
    skipped = 0 if st == OK else 1
    add("ndjson-%s" % name, st, (2 if st == OK else 1) + held, OK, 2 + held, skipped, text)
    # the bad line last, without its newline
    if st not in (TRUNC,) and not name.startswith("cut"):
        add("ndjson-%s-last" % name, st, 1 + held, OK, 1 + held, skipped, G + b"\n" + bad)
    # CRLF lines
    add("ndjson-%s-crlf" % name, st, (2 if st == OK else 1) + held, OK, 2 + held, skipped,
        G + b"\r\n" + bad + b"\r\n" + good(1) + b"\r\n")
# the same damage followed by a line long enough (64 bytes or more) for simdjson to read in place
LONG = b'{"Id":"g1","Title":"' + b"t" * 100 + b'"}'
for name, bad in (("string-then-colon", b'{"Id":"x","Title":"b":["y"]}}'), ("form-feed", b'{"Id":"x",\x0c"Title":"t"}')):
    add("ndjson-%s-long-next" % name, SYNTAX, 1, OK, 2, 1, G + b"\n" + bad + b"\n" + LONG + b"\n")
add("ndjson-first-line-cut", TRUNC, 0, OK, 2, 1, b'{"Title":\n' + G + b"\n" + good(1) + b"\n")
add("ndjson-blank-lines", OK, 2, OK, 2, 0, b"\n\n" + G + b"\n\n\n" + good(1) + b"\n\n")
add("ndjson-last-truncated", TRUNC, 1, OK, 1, 1, G + b'\n{"Id":"x"')
add("ndjson-many-bad", TRUNC, 1, OK, 3, 5,
    G + b'\n{"Title":\n42\n{"Id":"x",\n' + good(1) + b'\n"s"\n{bad\n' + good(2) + b"\n")
add("ndjson-pretty-first", OK, 2, OK, 2, 0, b'{\n  "Id": "a",\n  "Title": "t"\n}\n' + good(1) + b"\n")
add("ndjson-pretty-doc", OK, 2, OK, 2, 0, b'{\n  "Findings": [\n    {\n      "Id": "a"\n    },\n    {"Id": "b"}\n  ]\n}\n')

# ---- numbers --------------------------------------------------------------------------------------
# Confidence is an integer member (kept verbatim beyond int64), Severity.Product a double
numbers_ok = [b"0", b"-0", b"1", b"-1", b"100", b"9223372036854775807", b"-9223372036854775808",
              b"9223372036854775808", b"18446744073709551616", b"-9223372036854775809", b"1e2", b"1E+2", b"1.5",
              b"1e999", b"-1e999", b"1e-999", b"0.0", b"-0.0", b"12345678901234567890123456789012345678901234567890",
              b"1" * 400, b"0." + b"0" * 300 + b"1"]
numbers_bad = [b"01", b"-01", b"00", b"1.", b".5", b"1e", b"1e+", b"-", b"+1", b"0x10", b"1.e3", b"NaN",
               b"Infinity", b"-Infinity", b"1_000", b"--1", b"1e1.5"]
for i, v in enumerate(numbers_ok):
    add("num-int-ok-%d" % i, OK, 1, OK, 1, 0, b'{"Id":"a","Confidence":' + v + b"}")
    dbl_range = math.isinf(float(v))
    add("num-double-%d" % i, RANGE if dbl_range else OK, 0 if dbl_range else 1, OK, 0 if dbl_range else 1,
        1 if dbl_range else 0, b'{"Id":"a","Severity":{"Product":' + v + b"}}")
    add("num-unknown-%d" % i, OK, 1, OK, 1, 0, b'{"Id":"a","U":[' + v + b"]}")
for i, v in enumerate(numbers_bad):
    add("num-bad-%d" % i, SYNTAX, 0, OK, 1, 1, b'{"Id":"a","Confidence":' + v + b"}\n" + G + b"\n")
add("num-int-in-string", TYPE, 0, OK, 1, 1, b'{"Confidence":"1"}\n' + G + b"\n")
add("num-huge-ndjson", LIMIT, 1, OK, 2, 1,
    G + b'\n{"Confidence":' + b"1" * 5000000 + b"}\n" + good(1) + b"\n")
add("num-huge-top", LIMIT, 1, OK, 2, 1, G + b"\n" + b"1" * 7000000 + b"\n" + good(1) + b"\n")

# ---- depth ----------------------------------------------------------------------------------------
for d in (62, 63, 64, 65, 66, 200, 10000):
    # the finding itself is level 1: an unknown member nested d more levels deep
    text = b'{"Id":"a","U":' + b"[" * d + b"]" * d + b"}"
    st = OK if d + 1 <= 64 else LIMIT
    bad = st != OK
    add("depth-unknown-%d" % d, st, 0 if bad else 1, OK, 0 if bad else 1, 1 if bad else 0, text)
    text = G + b'\n{"U":' + b"[" * d + b"]" * d + b"}\n" + good(1) + b"\n"
    add("depth-ndjson-%d" % d, st, 1 if bad else 3, OK, 2 if bad else 3, 1 if bad else 0, text)
    text = b"[" + G + b',{"U":' + b"[" * d + b"]" * d + b"}]"
    st2 = OK if d + 2 <= 64 else LIMIT
    add("depth-array-%d" % d, st2, 2 if st2 == OK else 1, st2, 2 if st2 == OK else 1, 0, text)
add("depth-million-brackets", LIMIT, 0, LIMIT, 0, 0, b"[" * 1000000)
add("depth-million-members", LIMIT, 0, OK, 0, 1, seg(b'{"a":', 1000000))
add("depth-million-objects-array", LIMIT, 0, LIMIT, 0, 0, b"[", seg(b'{"a":', 1000000))

# ---- sizes ----------------------------------------------------------------------------------------
MS = 1024 * 1024
add("size-string-at-limit", OK, 1, OK, 1, 0, b'{"Id":"a","Title":"', b"x" * MS, b'"}')
add("size-string-over-limit", LIMIT, 0, OK, 1, 1, b'{"Id":"a","Title":"', seg(b"x", MS + 1), b'"}\n', G, b"\n")
add("size-name-over-limit", LIMIT, 0, OK, 1, 1, b'{"', seg(b"x", MS + 1), b'":1}\n', G, b"\n")
add("size-escapes-over-limit", LIMIT, 0, OK, 1, 1, b'{"Title":"', seg(b"\\u00e9", 600000), b'"}\n', G, b"\n")
add("size-finding-over-limit", LIMIT, 0, OK, 1, 1,
    b'{"Id":"a","U":[', seg(b'"' + b"x" * 1000 + b'",', 4300), b'1]}\n', G, b"\n")
add("size-finding-over-limit-array", LIMIT, 1, LIMIT, 1, 0,
    b"[" + G + b',{"U":[', seg(b'"' + b"x" * 1000 + b'",', 4300), b"1]}]")
add("size-string-huge", LIMIT, 0, OK, 1, 1, b'{"Title":"', seg(b"x", 9 * MS), b'"}\n', G, b"\n")
add("size-top-string-huge", LIMIT, 0, OK, 1, 1, b'"', seg(b"x", 7 * MS), b'"\n', G, b"\n")
add("size-items-at-limit", OK, 1, OK, 1, 0, b'{"Types":[', seg(b'"a",', 99999), b'"a"]}')
add("size-items-over-limit", LIMIT, 0, OK, 1, 1, b'{"Types":[', seg(b'"a",', 100000), b'"a"]}\n', G, b"\n")
add("size-blanks", OK, 2, OK, 2, 0, G, seg(b" ", 100000), b"\n", seg(b"\n", 100000), good(1))

out = sys.stdout
out.write("# name\tstatus\tcount\tskip_status\tskip_count\tskip_skipped\tinput (HEX or HEX*N segments)\n")
for name, st, cnt, sst, scnt, sskip, spec in cases:
    out.write("%s\t%s\t%d\t%s\t%d\t%d\t%s\n" % (name, st, cnt, sst, scnt, sskip, spec))
