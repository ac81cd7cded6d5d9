#!/usr/bin/env python3
"""The API reference: Doxygen runs over include/asff/ (docs/api/Doxyfile.in) with an empty warning
log; the reference pages (rules, filter semantics, filter attributes, managed insights, versioning)
are in it and linked from the main page; and every public function declared in the headers (each
ASFF_API declaration) appears in the generated XML as a documented function.

  api_docs.py DOXYGEN DOXYFILE OUTPUT_DIR INCLUDE_DIR
"""
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

# The reference pages the main page links to: the rules and semantics the code implements.
PAGES = ("md_docs_reference_rules", "md_docs_reference_filter_semantics",
         "md_docs_reference_filter_attributes", "md_docs_reference_managed_insights", "md_docs_versioning")
DECL_RE = re.compile(r"\bASFF_API\b[^;{]*?\b(asff_\w+)\s*\(", re.S)


def public_functions(include_dir):
    names = set()
    for name in sorted(os.listdir(include_dir)):
        if name.endswith(".h"):
            with open(os.path.join(include_dir, name), encoding="utf-8") as f:
                text = re.sub(r"/\*.*?\*/", " ", f.read(), flags=re.S)
            names.update(m.group(1) for m in DECL_RE.finditer(text))
    return names


def main():
    doxygen, doxyfile, out_dir, include_dir = sys.argv[1:5]
    if not shutil.which(doxygen):
        print("api_docs: doxygen is not installed (tools/dev/deps.sh)")
        return 1
    shutil.rmtree(out_dir, ignore_errors=True)
    os.makedirs(out_dir)
    r = subprocess.run([doxygen, doxyfile], capture_output=True, text=True)
    failures = []
    if r.returncode != 0:
        failures.append("doxygen failed (%d): %s" % (r.returncode, r.stderr[-800:]))
    log = os.path.join(out_dir, "warnings.log")
    warnings = open(log, encoding="utf-8").read().strip() if os.path.exists(log) else "no warnings.log"
    if warnings or r.stderr.strip():
        failures.append("doxygen warnings:\n%s%s" % (warnings, r.stderr))
    documented, pages = set(), set()
    index = os.path.join(out_dir, "xml", "index.xml")
    if os.path.exists(index):
        for compound in ET.parse(index).getroot():
            if compound.get("kind") == "page":
                pages.add(compound.findtext("name"))
            for member in compound.findall("member"):
                if member.get("kind") == "function":
                    documented.add(member.findtext("name"))
    else:
        failures.append("no xml/index.xml")
    mainpage = os.path.join(out_dir, "html", "index.html")
    main_html = open(mainpage, encoding="utf-8").read() if os.path.exists(mainpage) else ""
    for page in PAGES:
        if page not in pages or ('href="%s.html"' % page) not in main_html:
            failures.append("page %s missing from the reference or not linked from the main page" % page)
    functions = public_functions(include_dir)
    missing = sorted(functions - documented)
    if len(functions) < 200:
        failures.append("only %d public functions found in %s" % (len(functions), include_dir))
    if missing:
        failures.append("%d public functions missing from the reference: %s" % (len(missing), ", ".join(missing)))
    for f in failures:
        print("FAIL: " + f)
    print("api_docs: %d public functions, %d in the reference, %d failures" %
          (len(functions), len(functions & documented), len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
