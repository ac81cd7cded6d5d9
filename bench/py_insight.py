#!/usr/bin/env python3
"""Reference for the insight benchmark: plain Python json + collections.Counter, no libasff.

Groups findings by ResourceId as GetInsightResults does (filter-semantics FS-66/68/69): every distinct,
non-empty Resources[].Id of a finding adds 1; ordered by count (highest first), then value; top 100.
Prints the GetInsightResults JSON shape.

  py_insight.py [--document] [--all] [FILE]      (stdin when no FILE; --all: no top-100 cut)
"""
import collections
import json
import sys


def findings(f, document):
    if document:
        doc = json.load(f)
        yield from (doc["Findings"] if isinstance(doc, dict) else doc)
        return
    for line in f:
        if line.strip():
            yield json.loads(line)


def main():
    args = [a for a in sys.argv[1:] if a not in ("--document", "--all")]
    document = "--document" in sys.argv[1:]
    everything = "--all" in sys.argv[1:]
    f = open(args[0], "rb") if args else sys.stdin.buffer
    counts = collections.Counter()
    for finding in findings(f, document):
        ids = {r.get("Id") for r in finding.get("Resources") or () if isinstance(r, dict)}
        ids.discard(None)
        ids.discard("")
        counts.update(ids)
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    if not everything:
        ranked = ranked[:100]
    json.dump({"InsightResults": {"GroupByAttribute": "ResourceId",
                                  "ResultValues": [{"GroupByAttributeValue": v, "Count": c} for v, c in ranked]}},
              sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
