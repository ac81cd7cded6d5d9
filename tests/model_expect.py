#!/usr/bin/env python3
"""List what the generated model must cover, straight from the Security Hub API model.

An independent reading (it shares no code with tools/codegen): every structure reachable from
AwsSecurityFinding, and every member with its kind, one per line:
    S <Structure> <member count>
    M <Structure> <Member> <kind> <element kind> <nested structure or ->
test_model compares the generated tables with this list.
"""
import argparse, gzip, json, os

HERE = os.path.dirname(os.path.abspath(__file__))
VENDORED = os.path.join(HERE, "..", "tools", "codegen", "model", "securityhub-2018-10-26.json.gz")


def kind(shapes, name):
    t = shapes[name]["type"]
    if t == "structure":
        return "JSON" if shapes[name].get("document") else "OBJECT"
    return {"string": "STRING", "timestamp": "STRING", "integer": "INT", "long": "INT", "double": "DOUBLE",
            "float": "DOUBLE", "boolean": "BOOL", "list": "LIST", "map": "MAP"}[t]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=VENDORED)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    with gzip.open(a.model) as fh:
        shapes = json.load(fh)["shapes"]
    seen, todo = set(), ["AwsSecurityFinding"]
    while todo:
        n = todo.pop()
        if n in seen:
            continue
        seen.add(n)
        s = shapes[n]
        if s["type"] == "structure":
            todo += [m["shape"] for m in s["members"].values()]
        elif s["type"] == "list":
            todo.append(s["member"]["shape"])
        elif s["type"] == "map":
            todo.append(s["value"]["shape"])
    lines = []
    for n in sorted(seen):
        s = shapes[n]
        if s["type"] != "structure" or s.get("document"):
            continue
        lines.append("S %s %d" % (n, len(s["members"])))
        for mn, mr in s["members"].items():
            k = kind(shapes, mr["shape"])
            ek, nested = "NONE", "-"
            if k == "OBJECT":
                nested = mr["shape"]
            elif k in ("LIST", "MAP"):
                t = shapes[mr["shape"]]
                e = t["member"]["shape"] if k == "LIST" else t["value"]["shape"]
                ek = kind(shapes, e)
                if ek == "OBJECT":
                    nested = e
            lines.append("M %s %s %s %s %s" % (n, mn, k, ek, nested))
    with open(a.out, "w") as fh:
        fh.write("\n".join(lines) + "\n")
    print("%d structures" % sum(1 for l in lines if l[0] == "S"))


if __name__ == "__main__":
    main()
