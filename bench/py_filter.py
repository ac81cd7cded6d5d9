#!/usr/bin/env python3
"""Reference for the filter benchmark: plain Python json + a loop, no libasff.

Writes (NDJSON, compact) the findings with Severity.Label == CRITICAL and RecordState == ACTIVE, i.e.
the AwsSecurityFindingFilters {"SeverityLabel": [{"Value": "CRITICAL", "Comparison": "EQUALS"}],
"RecordState": [{"Value": "ACTIVE", "Comparison": "EQUALS"}]}.
Input: NDJSON (streamed line by line) or, with --document, one JSON array / {"Findings": [...]} loaded whole.

  py_filter.py [--document] [FILE]      (stdin when no FILE)
"""
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
    args = [a for a in sys.argv[1:] if a != "--document"]
    document = len(args) != len(sys.argv) - 1
    f = open(args[0], "rb") if args else sys.stdin.buffer
    out = sys.stdout
    dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
    n = 0
    for finding in findings(f, document):
        sev = finding.get("Severity") or {}
        if sev.get("Label") == "CRITICAL" and finding.get("RecordState") == "ACTIVE":
            out.write(dumps(finding))
            out.write("\n")
            n += 1
    print("py_filter: %d findings matched" % n, file=sys.stderr)


if __name__ == "__main__":
    main()
