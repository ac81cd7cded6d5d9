#!/usr/bin/env python3
"""Triage an export: count the active HIGH and CRITICAL findings per resource type, print the newest
ten, and (with --hub) resolve those of a given generator in Security Hub.

  triage.py export.json [--hub] [--generator ID]
"""
from __future__ import annotations

import argparse
import collections
from typing import Dict, List

import asff

SEVERE = {"SeverityLabel": [{"Value": "HIGH", "Comparison": "EQUALS"},
                            {"Value": "CRITICAL", "Comparison": "EQUALS"}],
          "RecordState": [{"Value": "ACTIVE", "Comparison": "EQUALS"}]}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("source")
    ap.add_argument("--hub", action="store_true")
    ap.add_argument("--generator")
    a = ap.parse_args()
    by_type: Dict[str, int] = collections.Counter()
    newest: List[Dict[str, str]] = []
    try:
        with asff.iter_findings(a.source, filters=SEVERE, fields=["Id", "ProductArn", "UpdatedAt", "Resources",
                                                                  "GeneratorId"]) as it:
            for f in it:
                for r in f.get("Resources", []):
                    by_type[r.get("Type", "?")] += 1
                newest.append({"Id": f["Id"], "ProductArn": f["ProductArn"], "UpdatedAt": f["UpdatedAt"],
                               "GeneratorId": f.get("GeneratorId", "")})
    except asff.ParseError as e:
        print("unreadable input at %s (line %d): %s" % (e.path, e.line, e.message))
        return 1
    for t, n in sorted(by_type.items(), key=lambda kv: -kv[1]):
        print("%6d %s" % (n, t))
    newest.sort(key=lambda f: f["UpdatedAt"], reverse=True)
    for f in newest[:10]:
        print(f["UpdatedAt"], f["Id"])
    if a.hub and a.generator:
        ids = [{"Id": f["Id"], "ProductArn": f["ProductArn"]} for f in newest if f["GeneratorId"] == a.generator]
        with asff.Client() as hub:
            try:
                res = hub.update_findings({"FindingIdentifiers": ids, "Workflow": {"Status": "RESOLVED"}},
                                          raise_on_failure=True)
                print("resolved %d findings" % len(res))
            except asff.UpdateFailedError as e:
                print("%d identifiers were not processed" % len([r for r in e.results or [] if not r["processed"]]))
                return 1
            except asff.ThrottlingError as e:
                print("throttled: %s" % e.response["Error"]["Message"])
                return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
