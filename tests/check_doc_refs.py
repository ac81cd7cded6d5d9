#!/usr/bin/env python3
"""Every document the repository points to must be in the repository.

Fails (exit 1, one line per problem) when a tracked text file
  (a) links to a path that does not exist (markdown links `](path)` in *.md files),
  (b) names a *.md document that does not exist (a bare mention of a document name ending in .md, with or without its folder),
      or points outside the repository (`../shared`, `/work/shared`), or
  (c) cites a rule id (TS-1, FLD-9, FS-30, AR-7, ...) that docs/reference/*.md does not define.
A user's clone has only what git tracks, so that is what is checked (plus new, not yet
ignored files, so a page can be checked before it is committed). Python 3 stdlib only.

Usage: check_doc_refs.py [REPO_ROOT]   (default: the repository holding this script)
       check_doc_refs.py --self-test     (builds a small tree with one problem of each kind in a
                                          temporary folder and checks that each one is reported)
"""
import os
import re
import subprocess
import sys

# Rule-id families of docs/reference/rules.md and docs/reference/filter-semantics.md. Other
# upper-case ids in the tree (NIST controls such as AC-8 in test data, SHA-256) are not ours.
FAMILIES = ("FMT", "BI", "REQ", "FLD", "SZ", "TY", "SEV", "ID", "TS", "RES", "THR", "RD", "ERR",
            "UPD", "RET", "EV", "OC", "IN", "FS", "FA", "AR")
ID_RE = re.compile(r"(?<![\w-])(%s)-([0-9]+)(?![\w])" % "|".join(FAMILIES))
# A definition is the first cell of a table row in a reference page: "| TS-1 | ...".
DEF_RE = re.compile(r"^\|\s*(%s)-([0-9]+)\s*\|" % "|".join(FAMILIES))
LINK_RE = re.compile(r"\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
MD_RE = re.compile(r"(?<![\w./~-])([\w./~-]*[\w-]\.md)(?![\w])")
URL_RE = re.compile(r"(?<![\w+.-])[a-zA-Z][\w+.-]*://\S+")
# "rules.md §18", "filter-semantics.md section 13": the page must have a "## 18." heading.
PAGE_RE = re.compile(r"\b(rules|filter-semantics)\.md\b")
SECTION_RE = re.compile(r"(?:§\s?|\bsection )([0-9]+)")
HEADING_RE = re.compile(r"^##\s+([0-9]+)\.")
OUTSIDE_RE = re.compile(r"\.\./shared\b|/work/shared\b")

REFERENCE_DIR = "docs/reference"
SELF = "tests/check_doc_refs.py"
# Upstream files named in provenance tables (tests/data/*/README.md), not documents of ours.
EXTERNAL_NAMES: set = set()
# Documents being written on another branch at the time of writing; allowed while missing,
# reported as a note. Remove an entry once its document is merged.
PENDING: set = set()


def tracked_files(root):
    try:
        out = subprocess.run(["git", "-C", root, "ls-files", "-z", "--cached", "--others", "--exclude-standard"], check=True,
                             capture_output=True).stdout
        return [p for p in out.decode("utf-8", "surrogateescape").split("\0") if p]
    except (OSError, subprocess.CalledProcessError):
        # Not a git checkout (release tarball): every file except build output.
        files = []
        for d, dirs, names in os.walk(root):
            dirs[:] = [x for x in dirs if x not in (".git", "build") and not x.startswith("build-")]
            files += [os.path.relpath(os.path.join(d, n), root).replace(os.sep, "/") for n in names]
        return files


def read_text(path):
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return None
    if b"\0" in data[:8192]:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def is_ignored(root, rel):
    """Generated output (bench/out/results.txt) is named on purpose and gitignored."""
    try:
        if subprocess.run(["git", "-C", root, "check-ignore", "-q", "--no-index", rel],
                          capture_output=True).returncode == 0:
            return True
    except OSError:
        pass
    # Not a git checkout: the folder patterns of the top-level .gitignore ("bench/out/").
    try:
        with open(os.path.join(root, ".gitignore"), encoding="utf-8") as f:
            pats = [l.strip().strip("/") for l in f if l.strip().endswith("/")]
    except OSError:
        return False
    return any(rel == p or rel.startswith(p + "/") or ("/" not in p and ("/" + p + "/") in ("/" + rel))
               for p in pats if p and not p.startswith("#"))


def main(argv):
    root = os.path.abspath(argv[0] if argv else
                           os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    files = tracked_files(root)
    present = set(files)
    alldirs = set()
    for p in files:
        d = os.path.dirname(p)
        while d and d not in alldirs:
            alldirs.add(d)
            d = os.path.dirname(d)
    basenames = {os.path.basename(p) for p in files}
    top = {p.split("/", 1)[0] for p in files}
    problems, notes = [], []

    def exists(rel):
        rel = os.path.normpath(rel).replace(os.sep, "/")
        return rel in present or rel in alldirs or rel == "."

    def resolve(src, target):
        """Repository-relative path of target as seen from file src, or None if outside."""
        rel = os.path.normpath(os.path.join(os.path.dirname(src), target)).replace(os.sep, "/")
        return None if rel.startswith("../") or rel == ".." else rel

    # Rule ids the reference pages define.
    defined = set()
    sections = {}   # page stem -> section numbers
    for p in files:
        if p.startswith(REFERENCE_DIR + "/") and p.endswith(".md"):
            stem = os.path.basename(p)[:-3]
            for line in (read_text(os.path.join(root, p)) or "").splitlines():
                m = DEF_RE.match(line)
                if m:
                    defined.add("%s-%s" % (m.group(1), m.group(2)))
                h = HEADING_RE.match(line)
                if h:
                    sections.setdefault(stem, set()).add(h.group(1))

    for p in files:
        if p == SELF:
            continue
        text = read_text(os.path.join(root, p))
        if text is None:
            continue
        is_md = p.endswith(".md")
        for n, line in enumerate(text.splitlines(), 1):
            where = "%s:%d" % (p, n)
            if OUTSIDE_RE.search(line):
                problems.append("%s: points outside the repository: %s" % (where, OUTSIDE_RE.search(line).group(0)))
            for m in ID_RE.finditer(line):
                rid = "%s-%s" % (m.group(1), m.group(2))
                if rid not in defined:
                    problems.append("%s: rule id %s is not defined in %s/*.md" % (where, rid, REFERENCE_DIR))
            pages = PAGE_RE.findall(line)
            if len(set(pages)) == 1:
                for m in SECTION_RE.finditer(line):
                    if m.group(1) not in sections.get(pages[0], set()):
                        problems.append("%s: %s.md has no section %s" % (where, pages[0], m.group(1)))
            if is_md:
                for m in LINK_RE.finditer(line):
                    target = m.group(1).split("#", 1)[0]
                    if not target or re.match(r"^[a-zA-Z][\w+.-]*:", target):
                        continue
                    rel = resolve(p, target)
                    if rel is None or not exists(rel):
                        if rel in PENDING:
                            notes.append("%s: link to %s (pending, see PENDING)" % (where, target))
                        else:
                            problems.append("%s: link to missing %s" % (where, target))
            if ".md" not in line:
                continue
            scan = LINK_RE.sub(" ", line) if is_md else line
            if "://" in scan:
                scan = URL_RE.sub(" ", scan)
            for m in MD_RE.finditer(scan):
                name = m.group(1)
                if "/" not in name:
                    if name in basenames or name in EXTERNAL_NAMES:
                        continue
                    problems.append("%s: names %s, which is not in the repository" % (where, name))
                    continue
                first = name.split("/", 1)[0]
                if first not in top and first not in (".", ".."):
                    continue   # a path in someone else's repository (doc_source/...)
                cands = [resolve(p, name), os.path.normpath(name).replace(os.sep, "/")]
                if any(c and exists(c) for c in cands):
                    continue
                if any(c in PENDING for c in cands):
                    notes.append("%s: names %s (pending, see PENDING)" % (where, name))
                    continue
                if any(c and is_ignored(root, c) for c in cands):
                    continue
                problems.append("%s: names %s, which is not in the repository" % (where, name))

    for line in notes:
        print("note: " + line)
    for line in problems:
        print(line)
    if problems:
        print("check_doc_refs: %d problem(s); rule ids defined: %d" % (len(problems), len(defined)))
        return 1
    print("check_doc_refs: ok (%d files, %d rule ids defined)" % (len(files), len(defined)))
    return 0


def self_test():
    """A tree with one instance of every problem (and some look-alikes that are fine)."""
    files = {
        "docs/reference/rules%MD%": "## 9. Timestamps\n| TS-1 | ok |\n| FS-30 | ok |\n",
        "docs/a%MD%": "[ok](reference/rules%MD%#9-timestamps) [bad](../../shared/docs/asff-rules%MD%)\n"
                     "See docs/reference/rules%MD% TS-1, FS-30, AC-8, SHA-256 and https://x.test/y/DESIGN%MD%.\n"
                     "Beyond DESIGN%MD%; also [gone](gone%MD%) and `docs/missing%MD%`.\n",
        "lib/b.c": "/* asff-rules%MD% TS-99; filter-semantics%MD% FS-30; /work/shared/testdata */\n"
                   "/* docs/reference/rules%MD% §9 and section 9 are fine, §12 is not */\n",
        "README%MD%": "docs/a%MD% bench/out/results%MD%\n",
        ".gitignore": "bench/out/\n",
    }
    expect = ["docs/a%MD%:1: points outside the repository",
              "docs/a%MD%:1: link to missing ../../shared/docs/asff-rules%MD%",
              "docs/a%MD%:3: names DESIGN%MD%", "docs/a%MD%:3: link to missing gone%MD%",
              "docs/a%MD%:3: names docs/missing%MD%", "lib/b.c:1: rule id TS-99",
              "lib/b.c:1: names asff-rules%MD%", "lib/b.c:1: names filter-semantics%MD%",
              "lib/b.c:1: points outside the repository", "lib/b.c:2: rules%MD% has no section 12"]
    # the fixture names documents that must not exist; they are spelled at run time so that this file
    # itself cites none of them
    files = {k.replace("%MD%", ".md"): v.replace("%MD%", ".md") for k, v in files.items()}
    expect = [e.replace("%MD%", ".md") for e in expect]
    return check_fixture(main, files, expect, "check_doc_refs")


def check_fixture(main_fn, files, expect, name):
    """Run main_fn on a git tree of files in a temporary folder; every line it prints must start with
    one of expect (or with "name:"), and each of expect must be printed. Returns an exit status."""
    import contextlib
    import io
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        for rel, text in files.items():
            os.makedirs(os.path.join(d, os.path.dirname(rel)), exist_ok=True)
            with open(os.path.join(d, rel), "w", encoding="utf-8") as f:
                f.write(text)
        subprocess.run(["git", "init", "-q", d], check=True)
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            rc = main_fn([d])
        lines = out.getvalue().splitlines()
    missing = [e for e in expect if not any(l.startswith(e) for l in lines)]
    extra = [l for l in lines if not l.startswith(name + ":") and not any(l.startswith(e) for e in expect)]
    if rc != 1 or missing or extra:
        print("self-test failed: rc=%d\nmissing: %s\nunexpected: %s" % (rc, missing, extra))
        return 1
    print("%s self-test: ok (%d problems found as expected)" % (name, len(expect)))
    return 0


if __name__ == "__main__":
    if sys.argv[1:] == ["--self-test"]:
        sys.exit(self_test())
    sys.exit(main(sys.argv[1:]))
