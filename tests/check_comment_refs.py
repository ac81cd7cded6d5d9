#!/usr/bin/env python3
"""Every file and function a source comment names exists.

Scans the comments of lib/, include/, tools/, tests/, bindings/ (C and headers: /* */ and //;
Python: # comments and docstrings; CMake and shell: # comments) for
  (a) file names: `dir/x.c`, `x.h`, `tools/codegen/x.py`, ... (a path must resolve from the file's
      folder, from the repository root or as the tail of a tracked path; a bare name must be the
      name of a tracked file; a system header under /usr/include counts as present), and
  (b) functions: `asff_name(` must be a name the code (outside comments) declares or uses.
*.md names are checked everywhere by tests/check_doc_refs.py, whose file listing this reuses.

Usage: check_comment_refs.py [REPO_ROOT]
       check_comment_refs.py --self-test
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check_doc_refs  # noqa: E402  (tracked_files, read_text, is_ignored)

DIRS = ("lib/", "include/", "tools/", "tests/", "bindings/")
EXTS = "c|h|py|sh|cmake|txt|json|tsv|in|map|inc|scd|csv|ndjson|sarif|gz"
FILE_RE = re.compile(r"(?<![\w./<{*$@=-])((?:[\w.-]+/)*[\w-]+(?:\.[\w-]+)*\.(?:%s))(?![\w/*-])" % EXTS)
FUNC_RE = re.compile(r"(?<![\w.])(asff_\w+)\s*\(")
C_COMMENT_RE = re.compile(r"/\*.*?\*/|//[^\n]*|\"(?:\\.|[^\"\\\n])*\"|'(?:\\.|[^'\\\n])*'", re.S)
PY_COMMENT_RE = re.compile(r"\"\"\"(?:.|\n)*?\"\"\"|'''(?:.|\n)*?'''|#[^\n]*|\"(?:\\.|[^\"\\\n])*\"|"
                           r"'(?:\\.|[^'\\\n])*'")
HASH_COMMENT_RE = re.compile(r"(?m)(?:^|(?<=\s))#[^\n]*")
SELF = "tests/check_comment_refs.py"
# Names that are not files of this repository: botocore's data files, the files the partition writer
# creates, a user's file in usage examples.
NOT_OURS = {"endpoints.json", "paginators-1.json", "service-2.json", "part-00000.ndjson",
            "part-00000.ndjson.gz", "export.json"}
# An upper-case path segment is a placeholder ("asff-COMMAND.1.scd", "MODEL.json.gz", "D/part-...").
PLACEHOLDER_RE = re.compile(r"(?:^|[/.-])(?!README|LICENSE|NOTICE|CHANGELOG)[A-Z]+(?:[/.-]|$)")


def comments(path, text):
    """(line number, comment text) of each comment; code and string literals are left out."""
    out = []
    if path.endswith((".c", ".h", ".inc")):
        pieces = [(m.start(), m.group(0)) for m in C_COMMENT_RE.finditer(text) if m.group(0)[0] == "/"]
    elif path.endswith(".py"):
        pieces = [(m.start(), m.group(0)) for m in PY_COMMENT_RE.finditer(text)
                  if m.group(0).startswith(("#", '"""', "'''"))]
    elif path.endswith((".cmake", ".sh", "CMakeLists.txt", ".bash")) or text.startswith("#!"):
        pieces = [(m.start(), m.group(0)) for m in HASH_COMMENT_RE.finditer(text)]
    else:
        return out
    for start, piece in pieces:
        first = text.count("\n", 0, start) + 1
        for i, line in enumerate(piece.split("\n")):
            out.append((first + i, line))
    return out


def code_only(path, text):
    """The text with comments blanked, for the set of names the code uses."""
    if path.endswith((".c", ".h", ".inc")):
        return C_COMMENT_RE.sub(lambda m: " " if m.group(0)[0] == "/" else m.group(0), text)
    if path.endswith(".py"):
        return PY_COMMENT_RE.sub(lambda m: " " if m.group(0).startswith(("#", '"""', "'''")) else m.group(0), text)
    return text


def main(argv):
    root = os.path.abspath(argv[0] if argv else os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    files = check_doc_refs.tracked_files(root)
    present = set(files)
    basenames = {os.path.basename(p) for p in files}
    texts = {}
    for p in files:
        if p.startswith(DIRS) or p.endswith(("CMakeLists.txt", ".cmake")):
            t = check_doc_refs.read_text(os.path.join(root, p))
            if t is not None:
                texts[p] = t
    used = set()
    for p, t in texts.items():
        if p.endswith((".c", ".h", ".py", ".inc", ".map", ".txt")):
            used.update(re.findall(r"\basff_\w+", code_only(p, t)))

    def file_exists(src, name):
        if "/" not in name:
            return name in basenames
        cands = [os.path.normpath(os.path.join(os.path.dirname(src), name)), os.path.normpath(name)]
        if any(c.replace(os.sep, "/") in present for c in cands):
            return True
        tail = "/" + name.lstrip("./")
        return any(p.endswith(tail) for p in present) or check_doc_refs.is_ignored(root, name)

    problems = []
    for p in sorted(texts):
        if p == SELF or not p.startswith(DIRS) and not p.endswith(("CMakeLists.txt", ".cmake")):
            continue
        for n, line in comments(p, texts[p]):
            scan = check_doc_refs.URL_RE.sub(" ", line) if "://" in line else line
            for m in FILE_RE.finditer(scan):
                name = m.group(1)
                if (name.startswith(("e.g.", "i.e.")) or os.path.basename(name) in NOT_OURS
                        or PLACEHOLDER_RE.search(name) or os.path.exists("/usr/include/" + name)):
                    continue
                if not file_exists(p, name):
                    problems.append("%s:%d: names %s, which is not in the repository" % (p, n, name))
            for m in FUNC_RE.finditer(scan):
                if m.group(1) not in used:
                    problems.append("%s:%d: names %s(), which the code does not have" % (p, n, m.group(1)))
    for line in problems:
        print(line)
    if problems:
        print("check_comment_refs: %d problem(s)" % len(problems))
        return 1
    print("check_comment_refs: ok (%d files)" % len(texts))
    return 0


def self_test():
    """A tree with one bad file name and one bad function in comments, and look-alikes that are fine."""
    tree = {
        "lib/a/x.c": "/* see a/y.h and lib/a/x.c, asff_real() and <stdio.h>; not %GONE%.h */\n"
                     "int asff_real(void) { return 0; } /* asff_%NOPE%() */\n"
                     'const char *s = "asff_%INSTRING%() in a string is not a comment";\n',
        "lib/a/y.h": "// y: the header of x.c\n",
        "tools/t.py": '"""Reads tools/%MISSING%.tsv."""\n# calls asff_real()\nx = 1  # a/y.h\n',
    }
    tree = {k: v.replace("%GONE%", "gone").replace("%NOPE%", "nope").replace("%MISSING%", "missing")
            .replace("%INSTRING%", "instring") for k, v in tree.items()}
    expect = ["lib/a/x.c:1: names gone.h", "lib/a/x.c:2: names asff_nope()", "tools/t.py:1: names tools/missing.tsv"]
    return check_doc_refs.check_fixture(main, tree, expect, "check_comment_refs")


if __name__ == "__main__":
    if sys.argv[1:] == ["--self-test"]:
        sys.exit(self_test())
    sys.exit(main(sys.argv[1:]))
