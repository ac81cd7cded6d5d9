#!/usr/bin/env python3
"""Independent reference for libasff's filter and insight engine: plain Python, json + loops.

Implements docs/reference/filter-semantics.md directly (FS-1..FS-48 for matching, FS-62..FS-70 for grouping) without
sharing code with the C engine; only the data files (attribute paths, managed insights) are shared.
test_filter runs it and requires identical results from the C engine.

Usage:
  filter_ref.py --now SECONDS [--insight N | --filters JSON --group-by ATTR] FILE...
  filter_ref.py --now SECONDS --cli PATH/TO/asff FILE   (ctest filter_cli: the tool against the reference)
Prints one JSON object: {"<insight number>": {"matched": n, "results": [[value, count], ...]}, ...}
with every group (no 100 limit), count descending then value ascending. Without --insight or
--filters, all managed insights are computed. Files: a finding, an array, {"Findings": [...]}, an
EventBridge event, or NDJSON (.jsonl); files that are not JSON are skipped.
"""
import argparse
import csv
import ipaddress
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "lib", "filter", "data")

TS = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}(?::?\d{2})?)$")


def days_from_civil(y, m, d):
    # days since 1970-01-01, proleptic Gregorian, by counting (no datetime: years 0000-9999 allowed)
    def leap(y):
        return y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)
    days = 0
    if y >= 1970:
        for yy in range(1970, y):
            days += 366 if leap(yy) else 365
    else:
        for yy in range(y, 1970):
            days -= 366 if leap(yy) else 365
    mdays = [31, 29 if leap(y) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    return days + sum(mdays[:m - 1]) + d - 1, mdays


def parse_ts(s):
    """(seconds, nanos) or None."""
    if not isinstance(s, str):
        return None
    m = TS.match(s)
    if not m:
        return None
    y, mo, d, h, mi, se = (int(m.group(i)) for i in range(1, 7))
    if not (1 <= mo <= 12) or h > 23 or mi > 59:
        return None
    days, mdays = days_from_civil(y, mo, d)
    if not (1 <= d <= mdays[mo - 1]):
        return None
    if se > 59 and not (se == 60 and h == 23 and mi == 59):
        return None
    frac = m.group(7) or ""
    ns = int((frac + "000000000")[:9]) if frac else 0
    z = m.group(8)
    off = 0
    if z != "Z":
        sign = -1 if z[0] == "-" else 1
        digits = z[1:].replace(":", "")
        oh = int(digits[:2])
        om = int(digits[2:4]) if len(digits) > 2 else 0
        if om > 59 or oh * 60 + om > 18 * 60:
            return None
        off = sign * (oh * 3600 + om * 60)
    return (days * 86400 + h * 3600 + mi * 60 + se - off, ns)


def load_attrs():
    attrs = {}
    with open(os.path.join(DATA, "filter-attributes.tsv"), newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f, delimiter="\t"):
            attrs[r["attribute"]] = (r["filter_type"], r["asff_path"])
    return attrs


def values(obj, path):
    """All leaf values at path ('A.B[].C', '[]' any element, '{}' a map)."""
    cur = [obj]
    for seg in path.split("."):
        name = seg.rstrip("[]{}")
        nxt = []
        for o in cur:
            if not isinstance(o, dict) or name not in o:
                continue
            v = o[name]
            if seg.endswith("[]"):
                if isinstance(v, list):
                    nxt.extend(v)
            elif seg.endswith("{}"):
                if isinstance(v, dict):
                    nxt.append(v)
            else:
                nxt.append(v)
        cur = nxt
    return cur


def str_test(comp, x, v):
    if comp in ("EQUALS", "NOT_EQUALS"):
        return x == v
    if comp in ("PREFIX", "PREFIX_NOT_EQUALS"):
        return x.startswith(v)
    return v in x


NEG = ("NOT_EQUALS", "PREFIX_NOT_EQUALS", "NOT_CONTAINS")


def attr_match(ftype, path, entries, finding, now):
    vals = values(finding, path)
    if ftype == "String":
        strs = [v for v in vals if isinstance(v, str)]
        pos = [e for e in entries if e["Comparison"] not in NEG]
        neg = [e for e in entries if e["Comparison"] in NEG]
        for e in neg:
            for x in strs:
                if str_test(e["Comparison"], x, e["Value"]):
                    return False
        if not pos:
            return True  # FS-30: negatives hold on absent fields
        for e in pos:
            for x in strs:
                if str_test(e["Comparison"], x, e["Value"]):
                    return True
        return False
    if ftype == "Map":
        maps = [m for m in vals if isinstance(m, dict)]
        pos = [e for e in entries if e["Comparison"] not in NEG]
        neg = [e for e in entries if e["Comparison"] in NEG]
        for e in neg:
            for m in maps:
                x = m.get(e["Key"])
                if isinstance(x, str) and str_test(e["Comparison"], x, e["Value"]):
                    return False
        if not pos:
            return True
        for e in pos:
            for m in maps:
                x = m.get(e["Key"])
                if isinstance(x, str) and str_test(e["Comparison"], x, e["Value"]):
                    return True
        return False
    if ftype == "Number":
        nums = [v for v in vals if isinstance(v, (int, float)) and not isinstance(v, bool)]
        for e in entries:
            for x in nums:
                ok = True
                for k, n in e.items():
                    ok = ok and {"Gte": x >= n, "Lte": x <= n, "Eq": x == n, "Gt": x > n, "Lt": x < n}[k]
                if ok:
                    return True
        return False
    if ftype == "Date":
        ts = [t for t in (parse_ts(v) for v in vals) if t is not None]
        for e in entries:
            for t in ts:
                if "DateRange" in e:
                    cutoff = (now - e["DateRange"]["Value"] * 86400, 0)
                    if e["DateRange"].get("Comparison", "WITHIN") == "WITHIN":
                        if t >= cutoff:
                            return True
                    elif t < cutoff:
                        return True
                elif parse_ts(e["Start"]) <= t <= parse_ts(e["End"]):
                    return True
        return False
    if ftype == "Ip":
        for e in entries:
            net = ipaddress.ip_network(e["Cidr"], strict=False)
            for v in vals:
                try:
                    a = ipaddress.ip_address(v)
                except (ValueError, TypeError):
                    continue
                if a.version == net.version and a in net:
                    return True
        return False
    if ftype == "Boolean":
        b = [v for v in vals if isinstance(v, bool)]
        actual = b[0] if b else False
        return any(e["Value"] == actual for e in entries)
    raise ValueError("unsupported filter type " + ftype)


def matches(attrs, filters, finding, now):
    for name, entries in filters.items():
        if not entries:
            continue
        ftype, path = attrs[name]
        if not attr_match(ftype, path, entries, finding, now):
            return False
    return True


def group(attrs, filters, group_by, findings, now):
    counts = {}
    matched = 0
    path = attrs[group_by][1]
    for f in findings:
        if not matches(attrs, filters, f, now):
            continue
        matched += 1
        seen = set()
        for v in values(f, path):
            if isinstance(v, str) and v and v not in seen:
                seen.add(v)
                counts[v] = counts.get(v, 0) + 1
    res = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return {"matched": matched, "results": [[k, c] for k, c in res]}


def load_findings(paths):
    out = []
    for p in paths:
        try:
            with open(p, encoding="utf-8") as f:
                text = f.read()
            if p.endswith(".jsonl"):
                docs = [json.loads(line) for line in text.splitlines() if line.strip()]
            else:
                docs = [json.loads(text)]
        except (ValueError, UnicodeDecodeError):
            continue
        for d in docs:
            if isinstance(d, list):
                out.extend(x for x in d if isinstance(x, dict))
            elif isinstance(d, dict) and isinstance(d.get("Findings"), list):
                out.extend(x for x in d["Findings"] if isinstance(x, dict))
            elif isinstance(d, dict) and isinstance(d.get("detail"), dict):
                out.extend(x for x in d["detail"].get("findings", []) if isinstance(x, dict))
            elif isinstance(d, dict):
                out.append(d)
    return out


CLI_FILTERS = [
    {"SeverityLabel": [{"Value": "CRITICAL", "Comparison": "EQUALS"}],
     "RecordState": [{"Value": "ACTIVE", "Comparison": "EQUALS"}]},
    {"Type": [{"Value": "TTPs/Discovery", "Comparison": "PREFIX"},
              {"Value": "Effects/Data Exposure/S3 Public Read", "Comparison": "EQUALS"}]},
    {"ResourceType": [{"Value": "AwsIam", "Comparison": "PREFIX"},
                      {"Value": "AwsIamPolicy", "Comparison": "NOT_EQUALS"}]},
    {"ResourceTags": [{"Key": "env", "Value": "prod", "Comparison": "EQUALS"}],
     "WorkflowStatus": [{"Value": "NEW", "Comparison": "EQUALS"}]},
    {"UpdatedAt": [{"DateRange": {"Value": 3, "Unit": "DAYS"}}], "AwsAccountId": [{"Value": "2", "Comparison": "PREFIX"}]},
    {"ResourceAwsEc2InstanceIpV4Addresses": [{"Cidr": "10.0.2.0/23"}],
     "ComplianceStatus": [{"Value": "FAILED", "Comparison": "NOT_EQUALS"}]},
    {"Title": [{"Value": "t1", "Comparison": "PREFIX"}], "ProductName": [{"Value": "Guard", "Comparison": "PREFIX"}]},
]


def escape_all(obj):
    """JSON text in which every string spells '/' as \\/ and upper-case letters as \\u00XX."""
    text = json.dumps(obj, separators=(",", ":"))
    out = []
    in_str = esc = False
    for ch in text:
        if in_str and not esc and ch == "\\":
            esc = True
            out.append(ch)
            continue
        if esc:
            esc = False
            out.append(ch)
            continue
        if ch == '"':
            in_str = not in_str
            out.append(ch)
        elif in_str and ch == "/":
            out.append("\\/")
        elif in_str and "A" <= ch <= "Z":
            out.append("\\u%04x" % ord(ch))
        else:
            out.append(ch)
    return "".join(out)


def check_cli(asff, now, findings_file):
    """Run `asff filter` and `asff insight` over NDJSON (plain and escaped) and a document; compare."""
    import subprocess
    import tempfile
    attrs = load_attrs()
    findings = load_findings([findings_file])
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        plain, escaped, doc = (os.path.join(tmp, n) for n in ("plain.ndjson", "escaped.ndjson", "doc.json"))
        with open(plain, "w") as f:
            f.writelines(json.dumps(x, separators=(",", ":")) + "\n" for x in findings)
        with open(escaped, "w") as f:
            f.writelines(escape_all(x) + "\n" for x in findings)
        with open(doc, "w") as f:
            json.dump({"Findings": findings}, f, indent=1)
        for i, flt in enumerate(CLI_FILTERS):
            want = [x["Id"] for x in findings if matches(attrs, flt, x, now)]
            for path in (plain, escaped, doc):
                for extra in ([], ["--prefilter"]):
                    r = subprocess.run([asff, "filter", "--now", str(now), "--filters", json.dumps(flt)] + extra + [path],
                                       capture_output=True, text=True)
                    got = [json.loads(line)["Id"] for line in r.stdout.splitlines()]
                    if r.returncode != 0 or got != want:
                        failures += 1
                        print("filter %d on %s %s: rc %d, %d findings, reference %d %s" % (
                            i, os.path.basename(path), extra, r.returncode, len(got), len(want), r.stderr.strip()))
        # sorting (FS-56): criteria in order, then UpdatedAt desc, ProductArn asc, Id asc
        def tie(x):
            t = parse_ts(x.get("UpdatedAt"))
            return ((0, -t[0], -t[1]) if t else (1, 0, 0), x.get("ProductArn", "\uffff"), x.get("Id", "\uffff"))
        sorts = [
            (["Title:desc"], 7, sorted(findings, key=lambda x: x["Title"], reverse=True)[:7]),
            (["AwsAccountId:asc"], None, sorted(findings, key=lambda x: (x["AwsAccountId"],) + tie(x))),
            (["UpdatedAt:asc", "Id:desc"], 5, sorted(findings, key=lambda x: parse_ts(x["UpdatedAt"]))[:5]),
        ]
        for args, limit, want in sorts:
            cmd = [asff, "filter"]
            for a in args:
                cmd += ["--sort", a]
            if limit:
                cmd += ["--limit", str(limit)]
            for path in (plain, doc):
                r = subprocess.run(cmd + [path], capture_output=True, text=True)
                got = [json.loads(line)["Id"] for line in r.stdout.splitlines()]
                if r.returncode != 0 or got != [x["Id"] for x in want]:
                    failures += 1
                    print("sort %s limit %s on %s: order differs from the reference" % (args, limit, os.path.basename(path)))
        for number in range(1, 33):
            with open(os.path.join(DATA, "managed-insights.json"), encoding="utf-8") as f:
                ins = [x for x in json.load(f) if x["number"] == number][0]
            want = group(attrs, ins["filters"], ins["group_by"], findings, now)["results"][:100]
            for path in (plain, escaped, doc):
                r = subprocess.run([asff, "insight", "--managed", str(number), "--now", str(now), "--format", "json", path],
                                   capture_output=True, text=True)
                try:
                    res = json.loads(r.stdout)["InsightResults"]
                    got = [[v["GroupByAttributeValue"], v["Count"]] for v in res["ResultValues"]]
                    ok = r.returncode == 0 and got == want and res["InsightArn"] == ins["arn"]
                except (ValueError, KeyError):
                    ok = False
                if not ok:
                    failures += 1
                    print("insight %d on %s: rc %d, output differs from the reference %s" % (
                        number, os.path.basename(path), r.returncode, r.stderr.strip()))
    print("cli check: %d failures" % failures)
    return 1 if failures else 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--now", type=int, required=True)
    ap.add_argument("--cli", help="check the asff tool at this path against the reference")
    ap.add_argument("--insight", type=int)
    ap.add_argument("--filters")
    ap.add_argument("--group-by")
    ap.add_argument("files", nargs="+")
    a = ap.parse_args()
    if a.cli:
        return check_cli(a.cli, a.now, a.files[0])
    attrs = load_attrs()
    findings = load_findings(a.files)
    out = {}
    if a.filters is not None:
        out["custom"] = group(attrs, json.loads(a.filters), a.group_by, findings, a.now)
    else:
        with open(os.path.join(DATA, "managed-insights.json"), encoding="utf-8") as f:
            catalog = json.load(f)
        for ins in catalog:
            if a.insight is None or ins["number"] == a.insight:
                out[str(ins["number"])] = group(attrs, ins["filters"], ins["group_by"], findings, a.now)
    json.dump(out, sys.stdout, ensure_ascii=False, sort_keys=True)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
