#!/usr/bin/env python3
"""Generate libasff's typed model from the Security Hub API model (Python 3 standard library only).

Reads botocore's securityhub service-2.json(.gz) and writes:
  include/asff/model.h        a C struct per model structure, type ids, enum constants
  lib/model/model_tables.c    descriptor tables: members (JSON name, kind, offset, nested type,
                              flags, bounds), by-name indices and enum string tables
  include/asff/operations.h   enum asff_operation: every operation of the model
  lib/client/ops_tables.c     per operation: HTTP method, URI template, URI/query/header bindings,
                              input/output type ids, pagination (paginators file beside the model),
                              error shapes and the client's default pacing

Which structures: every structure reachable from AwsSecurityFinding, from the engine shapes
(filters, sort criteria, insights, action targets, automation rules) and from the input and output
of every operation, so that the client has typed shapes for the whole API.

ABI: ids.json (next to this script) fixes the numbering of type ids, the order of members inside
each struct and the order of enum values. New types, members and values are appended, so a newer
model never moves anything an older compiled caller knows. Output is deterministic: running it twice
on the same model gives identical bytes. No documentation text from the model is copied.

Usage: asffgen.py [--model PATH] [--paginators PATH] [--out DIR] [--ids PATH] [--check]
"""
import argparse
import gzip
import hashlib
import json
import os
import re
import sys

ROOTS = [
    "AwsSecurityFinding", "AwsSecurityFindingFilters", "SortCriterion", "Insight", "InsightResults",
    "ActionTarget", "AutomationRulesFindingFilters", "AutomationRulesAction", "AutomationRulesConfig",
]

C_KEYWORDS = set("""auto break case char const continue default do double else enum extern float for goto
if inline int long register restrict return short signed sizeof static struct switch typedef union
unsigned void volatile while _Bool _Complex _Imaginary bool true false""".split())

KIND = {"STRING": "ASFF_KIND_STRING", "INT": "ASFF_KIND_INT", "DOUBLE": "ASFF_KIND_DOUBLE",
        "BOOL": "ASFF_KIND_BOOL", "OBJECT": "ASFF_KIND_OBJECT", "LIST": "ASFF_KIND_LIST",
        "MAP": "ASFF_KIND_MAP", "JSON": "ASFF_KIND_JSON", "NONE": "ASFF_KIND_NONE"}

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))


def installed_model_path():
    try:
        import botocore  # noqa: only to locate the data file
    except ImportError:
        return None
    p = os.path.join(os.path.dirname(botocore.__file__), "data", "securityhub", "2018-10-26",
                     "service-2.json.gz")
    if os.path.exists(p):
        return p
    p = p[:-3]
    return p if os.path.exists(p) else None


def botocore_version():
    try:
        import botocore
        return botocore.__version__
    except ImportError:
        return None


def read_model(path):
    with open(path, "rb") as fh:
        raw = fh.read()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    return raw, json.loads(raw)


def scalar_kind(shape):
    t = shape["type"]
    if t in ("string", "timestamp", "blob"):
        return "STRING"
    if t in ("integer", "long"):
        return "INT"
    if t in ("double", "float"):
        return "DOUBLE"
    if t == "boolean":
        return "BOOL"
    return None


def shape_kind(shapes, name):
    s = shapes[name]
    if s["type"] == "structure":
        return "JSON" if s.get("document") else "OBJECT"
    if s["type"] == "list":
        return "LIST"
    if s["type"] == "map":
        return "MAP"
    k = scalar_kind(s)
    if k is None:
        raise SystemExit("unsupported shape type %s for %s" % (s["type"], name))
    return k


def reachable(shapes, roots):
    seen, order, stack = set(), [], list(reversed(roots))
    while stack:
        n = stack.pop()
        if n in seen:
            continue
        seen.add(n)
        s = shapes[n]
        if s["type"] == "structure":
            if not s.get("document"):
                order.append(n)
            stack.extend(reversed([m["shape"] for m in s["members"].values()]))
        elif s["type"] == "list":
            stack.append(s["member"]["shape"])
        elif s["type"] == "map":
            stack.append(s["value"]["shape"])
            stack.append(s["key"]["shape"])
    return order


def all_roots(model):
    roots = list(ROOTS)
    for op in sorted(model["operations"]):
        o = model["operations"][op]
        for k in ("input", "output"):
            if k in o:
                roots.append(o[k]["shape"])
    return roots


def c_ident(name):
    ident = re.sub(r"[^A-Za-z0-9_]", "_", name)
    if ident[0].isdigit():
        ident = "_" + ident
    if ident in C_KEYWORDS or ident == "_obj":
        ident += "_"
    return ident


def cstr(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


class Member:
    pass


def describe_member(shapes, struct, mname, mref):
    m = Member()
    m.name = mname
    m.ident = c_ident(mname)
    m.shape = mref["shape"]
    target = shapes[m.shape]
    m.kind = shape_kind(shapes, m.shape)
    m.elem_kind = "NONE"
    m.type = None
    m.enum = None
    m.flags = []
    m.min = m.max = None
    m.pattern = None
    if mname in struct.get("required", []):
        m.flags.append("ASFF_MF_REQUIRED")
    if mref.get("deprecated") or target.get("deprecated"):
        m.flags.append("ASFF_MF_DEPRECATED")
    if mref.get("location") in ("uri", "querystring", "header", "headers"):
        m.flags.append("ASFF_MF_LOCATION")
    elem = None
    if m.kind == "OBJECT":
        m.type = m.shape
    elif m.kind == "LIST":
        elem = target["member"]["shape"]
        m.elem_kind = shape_kind(shapes, elem)
        if m.elem_kind in ("LIST", "MAP"):
            raise SystemExit("nested containers are not supported: %s" % m.shape)
        if m.elem_kind == "OBJECT":
            m.type = elem
    elif m.kind == "MAP":
        if shape_kind(shapes, target["key"]["shape"]) != "STRING":
            raise SystemExit("non-string map keys are not supported: %s" % m.shape)
        elem = target["value"]["shape"]
        m.elem_kind = shape_kind(shapes, elem)
        if m.elem_kind in ("LIST", "MAP"):
            raise SystemExit("nested containers are not supported: %s" % m.shape)
        if m.elem_kind == "OBJECT":
            m.type = elem
    # Bounds and string traits come from the member's own shape; for lists of strings, the enum and
    # pattern of the element shape are what matter to a validator.
    if "min" in target:
        m.min = int(target["min"])
        m.flags.append("ASFF_MF_HAS_MIN")
    if "max" in target:
        m.max = int(target["max"])
        m.flags.append("ASFF_MF_HAS_MAX")
    scalar = target if m.kind == "STRING" else (shapes[elem] if elem and m.elem_kind == "STRING" else None)
    scalar_name = m.shape if m.kind == "STRING" else elem
    if scalar is not None:
        if "enum" in scalar:
            m.enum = scalar_name
        if scalar.get("pattern"):
            m.pattern = scalar["pattern"]
            if scalar["pattern"] == ".*\\S.*":
                m.flags.append("ASFF_MF_NONEMPTY")
        if scalar["type"] == "timestamp":
            m.flags.append("ASFF_MF_TIMESTAMP")
    # ASFF keeps most timestamps in string shapes; the model marks them by linking the member to the
    # API reference's Timestamps section. Only that marker is read, no documentation text is copied.
    if m.kind == "STRING" and "Welcome.html#timestamps" in mref.get("documentation", "") and \
            "ASFF_MF_TIMESTAMP" not in m.flags:
        m.flags.append("ASFF_MF_TIMESTAMP")
    return m


def c_member_decl(m):
    if m.kind == "STRING" or m.kind == "JSON":
        return "char *%s;" % m.ident
    if m.kind == "INT":
        return "asff_int *%s;" % m.ident
    if m.kind == "DOUBLE":
        return "double *%s;" % m.ident
    if m.kind == "BOOL":
        return "bool *%s;" % m.ident
    if m.kind == "OBJECT":
        return "asff_%s *%s;" % (m.type, m.ident)
    item = {"STRING": "char *", "JSON": "char *", "INT": "asff_int *", "DOUBLE": "double *",
            "BOOL": "bool *"}.get(m.elem_kind) or ("asff_%s *" % m.type)
    if m.kind == "LIST":
        return "struct { %s*items; size_t count; size_t capacity; } %s;" % (item, m.ident)
    if m.kind == "MAP":
        if m.elem_kind == "STRING":
            return "asff_strmap %s;" % m.ident
        return "struct { char **keys; %s*values; size_t count; size_t capacity; } %s;" % (item, m.ident)
    raise AssertionError(m.kind)


def enum_const(enum, value):
    return "ASFF_%s_%s" % (enum, re.sub(r"[^A-Za-z0-9]", "_", value).upper())


def load_ids(path):
    if os.path.exists(path):
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    return {"types": [], "members": {}, "enums": {}, "operations": []}


def stable_order(known, current):
    """Known names keep their places (retired ones stay as None); new names are appended in model order."""
    cur = set(current)
    out = [n if n in cur else None for n in known]
    have = set(n for n in known)
    out.extend(n for n in current if n not in have)
    return out


# Security Hub's documented request rates (calls/s, burst); every other operation gets the default.
RATES = {"GetFindings": (3, 6), "BatchEnableStandards": (1, 1)}
DEFAULT_RATE = (10, 30)


def gen_operations(model, paginators, op_order, tid, banner):
    """enum asff_operation (public) and the table of HTTP bindings (lib/client/ops_tables.c)."""
    shapes, ops = model["shapes"], model["operations"]
    h = [banner()]
    h.append("#ifndef ASFF_OPERATIONS_H\n#define ASFF_OPERATIONS_H\n\n"
             "/* Security Hub operations. The numbers are stable across model versions\n"
             " * (tools/codegen/ids.json): a newer model appends. */\n"
             "typedef enum asff_operation {\n")
    for i, n in enumerate(op_order):
        if n:
            h.append("    ASFF_OP_%s = %d,\n" % (n, i))
    h.append("    ASFF_OP_COUNT = %d\n} asff_operation;\n\n#endif /* ASFF_OPERATIONS_H */\n" % len(op_order))

    c = [banner()]
    c.append("#include <stddef.h>\n#include \"asff/model.h\"\n#include \"client/ops_tables.h\"\n\n")
    rows = []
    for i, n in enumerate(op_order):
        if not n:
            rows.append("    {NULL, NULL, NULL, 0, 0, NULL, 0, NULL, NULL, NULL, NULL, NULL, 0, 0, 0, false},\n")
            continue
        o = ops[n]
        http = o["http"]
        in_shape = shapes[o["input"]["shape"]] if "input" in o else {"members": {}}
        binds = []
        body = False
        for mname, mref in in_shape["members"].items():
            loc = mref.get("location")
            if loc == "uri":
                wire = mref.get("locationName", mname)
                greedy = ("{%s+}" % wire) in http["requestUri"]
                binds.append("{%s, %s, 'u', %s}" % (cstr(mname), cstr(wire), "true" if greedy else "false"))
            elif loc == "querystring":
                binds.append("{%s, %s, 'q', false}" % (cstr(mname), cstr(mref.get("locationName", mname))))
            elif loc == "header":
                binds.append("{%s, %s, 'h', false}" % (cstr(mname), cstr(mref.get("locationName", mname))))
            elif loc is not None:
                raise SystemExit("asffgen: unsupported location %s in %s" % (loc, n))
            else:
                body = True
        if binds:
            c.append("static const asff__op_binding bind_%s[] = {%s};\n" % (n, ", ".join(binds)))
        errs = [e["shape"] for e in o.get("errors", [])]
        if errs:
            c.append("static const char *const errors_%s[] = {%s};\n" % (n, ", ".join(cstr(e) for e in errs)))
        pg = paginators.get(n, {})

        def one(k):
            v = pg.get(k)
            if isinstance(v, list):
                raise SystemExit("asffgen: %s: several %s are not supported" % (n, k))
            return cstr(v) if v else "NULL"
        rate, burst = RATES.get(n, DEFAULT_RATE)
        rows.append("    {%s, %s, %s, %s, %s, %s, %d, %s, %s, %s, %s, %s, %d, %d, %d, %s},\n" % (
            cstr(n), cstr(http["method"]), cstr(http["requestUri"]),
            ("ASFF_TID_%s" % o["input"]["shape"]) if "input" in o else "0",
            ("ASFF_TID_%s" % o["output"]["shape"]) if "output" in o else "0",
            ("bind_%s" % n) if binds else "NULL", len(binds),
            one("input_token"), one("output_token"), one("result_key"), one("limit_key"),
            ("errors_%s" % n) if errs else "NULL", len(errs), rate, burst, "true" if body else "false"))
    c.append("\nconst asff__op asff__ops[ASFF_OP_COUNT] = {\n")
    c.extend(rows)
    c.append("};\n")
    return "".join(h), "".join(c)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", help="service-2.json(.gz); default: the installed botocore's")
    ap.add_argument("--out", default=TOP, help="project root to write into")
    ap.add_argument("--ids", default=os.path.join(HERE, "ids.json"))
    ap.add_argument("--paginators", default=os.path.join(HERE, "model", "securityhub-2018-10-26.paginators.json"),
                    help="botocore paginators-1.json for the same model")
    ap.add_argument("--check", action="store_true",
                    help="write nothing; exit 1 if the committed files differ from what would be written")
    args = ap.parse_args()

    path = args.model or installed_model_path()
    if not path:
        sys.exit("asffgen: no --model given and botocore is not installed")
    raw, model = read_model(path)
    sha = hashlib.sha256(raw).hexdigest()
    shapes = model["shapes"]
    api = model["metadata"].get("apiVersion", "?")
    bv = None
    if args.model is None:
        bv = botocore_version()
    else:
        vendored = os.path.join(HERE, "model", "securityhub-2018-10-26.json.gz")
        if os.path.abspath(path) == os.path.abspath(vendored):
            bv = "1.43.11"
    # The version string must not depend on where the model was read from, only on its bytes:
    # identify it by botocore release when known, and always by hash.
    known_versions = {"1d2962323446689cd108f6921a9cd8198758e088c51b68b8ab01635a5606aafc": "1.43.11"}
    bv = known_versions.get(sha, bv or "unknown")
    version = "securityhub %s (botocore %s)" % (api, bv)

    structs = reachable(shapes, all_roots(model))
    finding_structs = reachable(shapes, ["AwsSecurityFinding"])

    ids = load_ids(args.ids)
    type_order = stable_order(ids["types"], sorted(structs))
    members_order = {}
    for t in structs:
        members_order[t] = stable_order(ids["members"].get(t, []), list(shapes[t]["members"]))
    enums_used = set()
    types = {}
    for t in structs:
        s = shapes[t]
        ms = []
        for mname in members_order[t]:
            if mname is None:
                ms.append(None)
                continue
            m = describe_member(shapes, s, mname, s["members"][mname])
            if m.enum:
                enums_used.add(m.enum)
            ms.append(m)
        idents = [m.ident for m in ms if m]
        if len(set(idents)) != len(idents):
            sys.exit("asffgen: member identifiers collide in %s" % t)
        types[t] = ms
    enum_order = {}
    for e in sorted(enums_used):
        enum_order[e] = stable_order(ids["enums"].get(e, []), list(shapes[e]["enum"]))
    op_order = stable_order(ids.get("operations", []), sorted(model["operations"]))
    new_ids = {"types": type_order, "members": {t: members_order[t] for t in sorted(members_order)},
               "enums": {e: enum_order[e] for e in sorted(enum_order)}, "operations": op_order}
    # Keep ids of types that disappeared from the model, so their numbers are never reused.
    for t, ms in ids["members"].items():
        new_ids["members"].setdefault(t, ms)
    for e, vs in ids["enums"].items():
        new_ids["enums"].setdefault(e, vs)

    max_members = max(len(v) for v in types.values())
    if max_members > 512:
        sys.exit("asffgen: a type has more than 512 members; widen asff_iter.seen")

    banner_lines = [
        "GENERATED FILE - DO NOT EDIT.",
        "Generated by tools/codegen/asffgen.py (make regen) from the AWS Security Hub API model:",
        "%s, sha256 %s." % (version, sha),
        "%d structures (%d reachable from AwsSecurityFinding), %d enums." % (
            len(structs), len(finding_structs), len(enum_order)),
    ]

    def banner(prefix="/*", mid=" * ", end=" */"):
        return prefix + "\n" + "\n".join(mid + l for l in banner_lines) + "\n" + end + "\n"

    tid = {t: i + 1 for i, t in enumerate(type_order) if t}

    # ---- model.h
    h = [banner()]
    h.append("#ifndef ASFF_MODEL_H\n#define ASFF_MODEL_H\n\n#include \"asff/object.h\"\n\n"
             "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n")
    h.append("#define ASFF_MODEL_VERSION %s\n#define ASFF_MODEL_SHA256 %s\n\n" % (cstr(version), cstr(sha)))
    h.append("/* Type ids: stable across model versions (tools/codegen/ids.json). */\nenum asff_type_id {\n")
    for t in type_order:
        if t:
            h.append("    ASFF_TID_%s = %d,\n" % (t, tid[t]))
    h.append("    ASFF_TID_MAX_ = %d\n};\n\n" % len(type_order))
    h.append("/* Enum values: index into asff_enum_find(\"<Enum>\")->values. */\n")
    for e in sorted(enum_order):
        h.append("enum asff_%s {\n" % e)
        vals = enum_order[e]
        for i, v in enumerate(vals):
            if v is not None:
                h.append("    %s = %d,\n" % (enum_const(e, v), i))
        h.append("    ASFF_%s_COUNT_ = %d\n};\n" % (e, len(vals)))
    h.append("\n")
    for t in type_order:
        if t:
            h.append("typedef struct asff_%s asff_%s;\n" % (t, t))
    h.append("\n")
    for t in type_order:
        if not t:
            continue
        h.append("struct asff_%s {\n    asff_object _obj;\n" % t)
        for i, m in enumerate(types[t]):
            if m is None:
                h.append("    void *retired_%d_;\n" % i)
            else:
                h.append("    %s\n" % c_member_decl(m))
        h.append("};\n\n")
    h.append("#ifdef __cplusplus\n}\n#endif\n#endif /* ASFF_MODEL_H */\n")

    # ---- model_tables.c
    c = [banner()]
    c.append("#include <stddef.h>\n#include \"asff/model.h\"\n#include \"model_tables.h\"\n\n")
    for e in sorted(enum_order):
        vals = enum_order[e]
        c.append("static const char *const enum_%s_values[] = {%s};\n" % (
            e, ", ".join(cstr(v) if v is not None else "NULL" for v in vals)))
    # Short local names keep the table readable and the file small.
    c.append("\n#define OFF(T, m) offsetof(asff_##T, m)\n")
    for k in KIND:
        c.append("#define K_%s %s\n" % (k, KIND[k]))
    for f in ("REQUIRED", "DEPRECATED", "NONEMPTY", "TIMESTAMP", "HAS_MIN", "HAS_MAX", "LOCATION"):
        c.append("#define F_%s ASFF_MF_%s\n" % (f, f))
    patterns = sorted(set(m.pattern for ms in types.values() for m in ms if m and m.pattern))
    pat_index = {p: i for i, p in enumerate(patterns)}
    for i, p in enumerate(patterns):
        c.append("#define PAT%d %s\n" % (i, cstr(p)))
    shape_names = sorted(set(m.shape for ms in types.values() for m in ms if m))
    shape_index = {p: i for i, p in enumerate(shape_names)}
    for i, p in enumerate(shape_names):
        c.append("#define SH%d %s\n" % (i, cstr(p)))

    def pattern_ref(p):
        return ("PAT%d" % pat_index[p]) if p else "NULL"

    def shape_ref(p):
        return "SH%d" % shape_index[p]

    c.append("\nconst asff_enum asff__model_enums[] = {\n")
    enum_index = {}
    for i, e in enumerate(sorted(enum_order)):
        enum_index[e] = i
        c.append("    {%s, %d, enum_%s_values},\n" % (cstr(e), len(enum_order[e]), e))
    c.append("};\nconst unsigned asff__model_enum_count = %d;\n\n" % len(enum_order))
    for t in type_order:
        if t:
            c.append("static const asff_type type_%s;\n" % t)
    c.append("\n")
    for t in type_order:
        if not t:
            continue
        ms = [m for m in types[t] if m is not None]
        if ms:
            c.append("static const asff_member members_%s[] = {\n" % t)
            for m in ms:
                flags = " | ".join(m.flags) if m.flags else "0"
                flags = flags.replace("ASFF_MF_", "F_")
                c.append("    {%s, %d, K_%s, K_%s, OFF(%s, %s), %s, %s, %s, %s, %d, %d, %s},\n" % (
                    cstr(m.name), len(m.name.encode()), m.kind, m.elem_kind, t, m.ident, flags,
                    ("&type_%s" % m.type) if m.type else "NULL",
                    ("&asff__model_enums[%d]" % enum_index[m.enum]) if m.enum else "NULL",
                    shape_ref(m.shape), m.min if m.min is not None else 0, m.max if m.max is not None else 0,
                    pattern_ref(m.pattern)))
            c.append("};\n")
            order = sorted(range(len(ms)), key=lambda i: ms[i].name.encode())
            c.append("static const uint16_t byname_%s[] = {%s};\n" % (t, ", ".join(map(str, order))))
        flags = "ASFF_TF_UNION" if shapes[t].get("union") else "0"
        c.append("static const asff_type type_%s = {%s, %d, sizeof(asff_%s), %s, %d, %s, %s};\n\n" % (
            t, cstr(t), tid[t], t, flags, len(ms),
            ("members_%s" % t) if ms else "NULL", ("byname_%s" % t) if ms else "NULL"))
    c.append("const asff_type *const asff__model_types[] = {\n    NULL,\n")
    for t in type_order:
        c.append("    %s,\n" % (("&type_%s" % t) if t else "NULL"))
    c.append("};\nconst unsigned asff__model_type_count = %d;\n\n" % len(type_order))
    byname = sorted((t for t in type_order if t), key=lambda s: s.encode())
    c.append("/* Type ids sorted by name, for asff_type_find. */\nconst uint16_t asff__model_types_by_name[] = {\n")
    for i in range(0, len(byname), 12):
        c.append("    " + ", ".join(str(tid[t]) for t in byname[i:i + 12]) + ",\n")
    c.append("};\nconst char asff__model_version[] = %s;\nconst char asff__model_sha256[] = %s;\n" % (
        cstr(version), cstr(sha)))

    with open(args.paginators, encoding="utf-8") as fh:
        paginators = json.load(fh)["pagination"]
    tid_of = dict(tid)
    ops_h, ops_c = gen_operations(model, paginators, op_order, tid_of, banner)

    outputs = {
        os.path.join(args.out, "include", "asff", "operations.h"): ops_h,
        os.path.join(args.out, "lib", "client", "ops_tables.c"): ops_c,
        os.path.join(args.out, "include", "asff", "model.h"): "".join(h),
        os.path.join(args.out, "lib", "model", "model_tables.c"): "".join(c),
        args.ids: json.dumps(new_ids, indent=1, sort_keys=True) + "\n",
    }
    if args.check:
        bad = []
        for p, text in outputs.items():
            try:
                with open(p, encoding="utf-8") as fh:
                    if fh.read() != text:
                        bad.append(p)
            except OSError:
                bad.append(p)
        if bad:
            print("asffgen: differs from a fresh generation: " + ", ".join(bad), file=sys.stderr)
            return 1
        print("asffgen: generated files are up to date (%s)" % version)
        return 0
    for p, text in outputs.items():
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
    print("asffgen: %d structures (%d from AwsSecurityFinding), %d enums, model %s" % (
        len(structs), len(finding_structs), len(enum_order), version))
    return 0


if __name__ == "__main__":
    sys.exit(main())
