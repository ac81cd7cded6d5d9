#!/usr/bin/env python3
"""The man pages: every command `asff --help` lists has a page (docs/man/asff-COMMAND.1.scd,
rendered by the build), `man -l` and `groff -ww` render each without a warning and within 80
columns, `cmake --install` puts them under share/man, and `asff help COMMAND` prints each page
without man (unknown command: exit 2); each page names every option of the command's usage text.

  man_pages.py ASFF_BINARY MAN_DIR BUILD_DIR
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
    return cond


def commands(asff):
    out = subprocess.run([asff, "--help"], capture_output=True, text=True, check=True).stdout
    names, inside = [], False
    for line in out.splitlines():
        if line.startswith("commands:"):
            inside = True
        elif inside and not line.strip():
            break
        elif inside:
            names.append(line.split()[0])
    return names


def render(page):
    env = dict(os.environ, MANWIDTH="80", LC_ALL="C.UTF-8", MAN_KEEP_FORMATTING="")
    env.pop("MANPAGER", None)
    env.pop("PAGER", None)
    r = subprocess.run(["man", "-l", page], capture_output=True, env=env)  # stdout is a pipe
    text = r.stdout.decode("utf-8", "replace")
    check(r.returncode == 0 and "NAME" in text, "%s: man -l failed (%d)" % (page, r.returncode))
    check(not r.stderr.strip(), "%s: man -l warns: %s" % (page, r.stderr.decode("utf-8", "replace")[:500]))
    wide = [l for l in text.splitlines() if len(l) > 80]
    check(not wide, "%s: %d lines over 80 columns, first: %r" % (page, len(wide), wide[:1]))
    g = subprocess.run(["groff", "-ww", "-man", "-Tutf8", "-z", page], capture_output=True)
    check(g.returncode == 0 and not g.stderr.strip(),
          "%s: groff -ww warns: %s" % (page, g.stderr.decode("utf-8", "replace")[:500]))


def main():
    asff, man_dir, build_dir = sys.argv[1:4]
    for tool in ("man", "groff"):
        if not shutil.which(tool):
            print("man_pages: %s is not installed (tools/dev/deps.sh)" % tool)
            return 1
    names = commands(asff)
    check(len(names) >= 20 and "help" in names, "asff --help lists %r" % names)
    pages = sorted(os.listdir(man_dir))
    expected = ["asff.1", "libasff.3"] + ["asff-%s.1" % n for n in names]
    for p in expected:
        check(p in pages, "no page %s in %s" % (p, man_dir))
    for p in pages:
        render(os.path.join(man_dir, p))
    # asff(1) lists every command
    with open(os.path.join(man_dir, "asff.1"), encoding="utf-8") as f:
        main_page = f.read()
    for n in names:
        check("asff-%s" % n in main_page, "asff(1) does not list %s" % n)

    # asff help: the page's text, compiled in; alone: the list; unknown: 2.
    for n in names:
        r = subprocess.run([asff, "help", n], capture_output=True, text=True)
        check(r.returncode == 0 and re.search(r"^NAME$", r.stdout, re.M) and ("asff-%s - " % n) in r.stdout,
              "asff help %s: rc %d, %r" % (n, r.returncode, r.stdout[:200]))
        check(max(len(l) for l in r.stdout.splitlines()) <= 80, "asff help %s: a line over 80 columns" % n)
        # every option the command's usage text names is on its page
        usage = subprocess.run([asff, n, "--help"], capture_output=True, text=True).stdout
        if n == "export":
            usage += subprocess.run([asff, n, "--v2", "--help"], capture_output=True, text=True).stdout
        for opt in sorted(set(re.findall(r"--[a-z][a-z0-9-]*", usage)) - {"--help"}):
            check(opt in r.stdout, "asff help %s: the page does not describe %s" % (n, opt))
    r = subprocess.run([asff, "help", "filter"], capture_output=True, text=True)
    check("--prefilter" in r.stdout and "EXIT STATUS" in r.stdout and "\b" not in r.stdout,
          "asff help filter lacks its options or has overstrikes")
    r = subprocess.run([asff, "help"], capture_output=True, text=True)
    check(r.returncode == 0 and all(re.search(r"^  %s\s" % n, r.stdout, re.M) for n in names),
          "asff help does not list every command: %r" % r.stdout[:300])
    r = subprocess.run([asff, "help", "no-such-command"], capture_output=True, text=True)
    check(r.returncode == 2 and "unknown command" in r.stderr and not r.stdout, "asff help no-such-command: rc %d" % r.returncode)
    r = subprocess.run([asff, "help", "\x1b]0;title\x07\u202e"], capture_output=True)
    check(r.returncode == 2 and b"\x1b" not in r.stderr and b"\x07" not in r.stderr and "\u202e".encode() not in r.stderr,
          "asff help with control characters in the name: %r" % r.stderr)
    r = subprocess.run([asff, "help", "asff"], capture_output=True, text=True)
    check(r.returncode == 0 and "asff - " in r.stdout, "asff help asff: rc %d" % r.returncode)

    # cmake --install puts every page under share/man/manN.
    with tempfile.TemporaryDirectory() as prefix:
        r = subprocess.run(["cmake", "--install", build_dir, "--prefix", prefix], capture_output=True, text=True)
        if check(r.returncode == 0, "cmake --install failed: %s" % r.stderr[-500:]):
            found = []
            for d, _, files in os.walk(prefix):
                found += [os.path.relpath(os.path.join(d, f), prefix) for f in files]
            for p in expected:
                want = "man%s/%s" % (p.rsplit(".", 1)[1], p)
                check(any(f.endswith(want) and "/man/" in f for f in found), "not installed: %s" % want)

    for f in failures:
        print("FAIL: " + f)
    print("man_pages: %d pages, %d commands, %d failures" % (len(pages), len(names), len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
