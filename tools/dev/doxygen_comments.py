#!/usr/bin/env python3
"""Turn the plain comments of public headers into Doxygen comments, in place (idempotent).

  tools/dev/doxygen_comments.py include/asff/NAME.h...

The headers' comments are Doxygen comments (docs/conventions.md): the first comment of a file gets
`@file`, a comment on its own line before a declaration becomes `/** ... */`, and a comment after
code on the same line (a struct member, an enum value, a macro) becomes `/**< ... */`. Comments
inside a struct on their own line and section rulers (`/* ---- ... */`) stay plain; generated
headers are left alone. For a header
written before the change (a branch merged later); afterwards `ctest -R api_docs` names whatever
still needs words of its own.
"""
import re
import sys

TRAILING_RE = re.compile(r"^(\s*\S.*?)(\s)/\*(?!\*)")
NOT_A_DECLARATION = ("#endif", "#ifdef __cplusplus", "#include", "}", "/*")


def convert(text):
    lines = text.split("\n")
    out, first, i = [], True, 0
    while i < len(lines):
        line = lines[i]
        s = line.lstrip()
        if s.startswith("/*"):
            j = i
            while "*/" not in lines[j]:
                j += 1
            if first:
                first = False
                if not s.startswith("/**"):
                    line = line.replace("/*", "/**\n * @file" if s == "/*" else "/** @file\n *", 1)
            elif not s.startswith("/**"):
                nxt = lines[j + 1].strip() if j + 1 < len(lines) else ""
                indented = line[:1] in " \t"
                if nxt and not indented and "----" not in s and not nxt.startswith(NOT_A_DECLARATION):
                    line = line.replace("/*", "/**", 1)
            out.append(line)
            i += 1
            continue
        m = TRAILING_RE.search(line)
        if m and not s.startswith("*") and (not s.startswith("#") or s.startswith("#define")):
            line = line[:m.end(2)] + "/**<" + line[m.end():]
        out.append(line)
        i += 1
    return "\n".join(out)


def main(paths):
    for path in paths:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        if "GENERATED FILE" in text[:300]:
            continue  # model.h, operations.h: their generator owns them
        new = convert(text)
        if new != text:
            with open(path, "w", encoding="utf-8") as f:
                f.write(new)
            print("converted %s" % path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
