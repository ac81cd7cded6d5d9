#!/usr/bin/env python3
"""Run one page of docs/guide/ from its own text (the markers are documented in docs/guide/README.md).

  guide_run.py PAGE --asff BIN --build DIR --source DIR [--cc CC] [--sanitize] [--preload LIB]
  guide_run.py --self-test      (the block parser and the output matcher, on small cases)

The fenced blocks whose info string carries a marker are taken in page order, in one temporary
directory that holds a copy of docs/guide/files/ as files/:
  ```sh run            run with bash -e -o pipefail; `exit=N` expects that exit status
  ```python run        run with python3 (the bindings of the source tree on PYTHONPATH)
  ```LANG file=NAME    written to NAME (a C file is then compiled by a later sh block, as a reader would);
                       `same=PATH` also requires the text to equal that file of the repository
  ```text output       the stdout of the block run just before (`output stderr`: its stderr); a line
                       "..." stands for any number of lines, "..." inside a line for any text
Blocks without a marker are prose. The environment is a user's with a Security Hub on loopback:
moto_server (tests/servers/moto_harness) behind tests/servers/rollout_server.py (invitations) behind
tests/servers/guide_hub.py (what moto lacks); AWS_ENDPOINT_URL names the outermost, HOME holds
fake credentials and region us-east-1, `asff` and `cc` (the library's compiler) are on PATH and
`pkg-config asff` describes the build tree. ASFF_SOURCE and ASFF_BUILD name the checkout and build.
A page must run at least one shell block, one C file and one Python block: the CLI, the C and the
Python way. Any failure, or a page that lacks one of them, fails the test.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
FENCE = re.compile(r"^(`{3,})(.*)$")


def blocks(text):
    """Yield (line, language, attributes, body) for each fenced block."""
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        fence, info = m.group(1), m.group(2).split()
        start = i + 1
        j = start
        while j < len(lines) and lines[j].rstrip() != fence:
            j += 1
        if j == len(lines):
            raise SystemExit("line %d: a fence that never closes" % (i + 1))
        attrs = {}
        for word in info[1:]:
            k, _, v = word.partition("=")
            attrs[k] = v
        yield i + 1, (info[0] if info else ""), attrs, "\n".join(lines[start:j]) + "\n"
        i = j + 1


def expect_regex(expected):
    parts = []
    for line in expected.rstrip("\n").split("\n"):
        if line.strip() == "...":
            parts.append(r"(?:[^\n]*\n)*?")
        else:
            parts.append(".*?".join(re.escape(p) for p in line.rstrip().split("...")) + r"\n")
    return re.compile("".join(parts))


def matches(expected, actual):
    actual = "\n".join(ln.rstrip() for ln in actual.rstrip("\n").split("\n")) + "\n" if actual.strip() else ""
    return expect_regex(expected).fullmatch(actual) is not None if expected.strip() else actual == ""


def self_test():
    """The parser and the output matcher on small cases (no server, no build)."""
    page = "x\n```sh run exit=1\nfalse\n```\n````text output stderr\n```\n````\n```c\nint x;\n```\n"
    got = [(lang, attrs, body) for _, lang, attrs, body in blocks(page)]
    want = [("sh", {"run": "", "exit": "1"}, "false\n"), ("text", {"output": "", "stderr": ""}, "```\n"),
            ("c", {}, "int x;\n")]
    cases = [("a\nb\n", "a\nb\n", True), ("a\n", "a\nb\n", False), ("a\n...\nd\n", "a\nb\nc\nd\n", True),
             ("a\n...\n", "a\n", True), ("x...z\n", "xyyz  \n", True), ("x...z\n", "xyy\n", False),
             ("", "", True), ("", "a\n", False), ("a.b\n", "axb\n", False), ("[1]\n", "[1]\n", True)]
    bad = [c for c in cases if matches(c[0], c[1]) != c[2]]
    if got != want or bad:
        print("guide_run self-test: blocks %r; matcher cases failing: %r" % (got, bad), file=sys.stderr)
        return 1
    print("guide_run self-test: ok (%d matcher cases)" % len(cases))
    return 0


def start_line(cmd, **kw):
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, **kw)
    line = p.stdout.readline()
    if not line.startswith("PORT "):
        raise SystemExit("%s did not start" % " ".join(cmd))
    return p, "http://127.0.0.1:%d" % int(line.split()[1])


def write_env(work, a):
    """The reader's machine: HOME with fake credentials, pkg-config, cc and asff on PATH."""
    home = os.path.join(work, ".home")
    os.makedirs(os.path.join(home, ".aws"))
    with open(os.path.join(home, ".aws", "credentials"), "w") as f:
        f.write("[default]\naws_access_key_id = AKIAGUIDEEXAMPLE0001\naws_secret_access_key = guide-secret\n")
    with open(os.path.join(home, ".aws", "config"), "w") as f:
        f.write("[default]\nregion = us-east-1\n")
    pc = os.path.join(work, ".pkgconfig")
    os.makedirs(pc)
    san = " -fsanitize=address,undefined -fno-omit-frame-pointer" if a.sanitize else ""
    with open(os.path.join(pc, "asff.pc"), "w") as f:
        f.write("libdir=%s\nincludedir=%s\n\nName: asff\nDescription: libasff (build tree)\nVersion: 0\n"
                "Libs: -L${libdir} -Wl,-rpath,${libdir} -lasff%s\nCflags: -I${includedir}%s\n"
                % (a.build, os.path.join(a.source, "include"), san, san))
    bindir = os.path.join(work, ".bin")
    os.makedirs(bindir)
    wrappers = {"cc": 'exec "%s" "$@"\n' % (shutil.which(a.cc) or a.cc)}
    if a.preload:
        # A sanitizer build of libasff loads into Python only with its runtime first; the programs
        # Python starts (asff, a bootstrap) carry their own, so sitecustomize takes the preload back.
        site = os.path.join(work, ".pysite")
        os.makedirs(site)
        with open(os.path.join(site, "sitecustomize.py"), "w") as f:
            f.write("import os\nos.environ.pop('LD_PRELOAD', None)\n"
                    "os.environ['ASAN_OPTIONS'] = os.environ.pop('GUIDE_ASAN_OPTIONS', '')\n")
        wrappers["python3"] = ('GUIDE_ASAN_OPTIONS="$ASAN_OPTIONS" LD_PRELOAD="%s" ASAN_OPTIONS=detect_leaks=0 '
                               'PYTHONPATH="%s${PYTHONPATH:+:$PYTHONPATH}" exec "%s" "$@"\n'
                               % (a.preload, site, sys.executable))
    else:
        wrappers["python3"] = 'exec "%s" "$@"\n' % sys.executable
    for name, body in wrappers.items():
        path = os.path.join(bindir, name)
        with open(path, "w") as f:
            f.write("#!/bin/sh\n" + body)
        os.chmod(path, 0o755)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("AWS_") and k.lower() not in ("http_proxy", "https_proxy", "all_proxy")}
    env.update({"HOME": home, "PATH": os.pathsep.join([bindir, os.path.dirname(os.path.abspath(a.asff)),
                                                       env.get("PATH", "/usr/bin:/bin")]),
                "PKG_CONFIG_PATH": pc, "PYTHONPATH": os.path.join(a.source, "bindings", "python"),
                "PYTHONDONTWRITEBYTECODE": "1", "AWS_EC2_METADATA_DISABLED": "true",
                "NO_PROXY": "127.0.0.1,localhost", "ASFF_SOURCE": a.source, "ASFF_BUILD": a.build})
    return env


def main():
    if sys.argv[1:] == ["--self-test"]:
        return self_test()
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("page")
    ap.add_argument("--asff", required=True)
    ap.add_argument("--build", required=True)
    ap.add_argument("--source", required=True)
    ap.add_argument("--cc", default="cc")
    ap.add_argument("--sanitize", action="store_true")
    ap.add_argument("--preload")
    a = ap.parse_args()
    a.build, a.source = os.path.abspath(a.build), os.path.abspath(a.source)
    if not os.path.isfile(a.page):
        print("guide_run: no page %s" % a.page, file=sys.stderr)
        return 1
    with open(a.page, encoding="utf-8") as f:
        page = list(blocks(f.read()))
    name = os.path.basename(a.page)
    servers = []
    work = tempfile.mkdtemp(prefix="guide-")
    ways = {"sh": 0, "c": 0, "python": 0}
    try:
        shutil.copytree(os.path.join(os.path.dirname(os.path.abspath(a.page)), "files"), os.path.join(work, "files"))
        env = write_env(work, a)
        moto, url = start_line([sys.executable, os.path.join(HERE, "servers", "moto_harness")])
        servers.append(moto)
        inv, url = start_line([sys.executable, os.path.join(HERE, "servers", "rollout_server.py"), "--upstream", url])
        servers.append(inv)
        hub, url = start_line([sys.executable, os.path.join(HERE, "servers", "guide_hub.py"), "--upstream", url])
        servers.append(hub)
        env["AWS_ENDPOINT_URL"] = url
        last = None
        for line, lang, attrs, body in page:
            where = "%s:%d" % (name, line)
            if "file" in attrs:
                target = os.path.join(work, attrs["file"])
                os.makedirs(os.path.dirname(target), exist_ok=True)
                with open(target, "w", encoding="utf-8") as f:
                    f.write(body)
                if "same" in attrs:
                    with open(os.path.join(a.source, attrs["same"]), encoding="utf-8") as f:
                        if f.read() != body:
                            print("%s: the block differs from %s" % (where, attrs["same"]), file=sys.stderr)
                            return 1
                ways[lang] = ways.get(lang, 0) + 1
                print("%s: wrote %s" % (where, attrs["file"]))
            if "run" in attrs:
                cmd = {"sh": ["bash", "-e", "-o", "pipefail", "-c", body],
                       "python": ["python3", "-c", body]}.get(lang)
                if not cmd:
                    print("%s: cannot run a %r block" % (where, lang), file=sys.stderr)
                    return 1
                print("%s: running\n%s" % (where, body.rstrip()))
                r = subprocess.run(cmd, cwd=work, env=env, capture_output=True, text=True, timeout=120)
                print(r.stdout.rstrip() + ("\n[stderr]\n" + r.stderr.rstrip() if r.stderr.strip() else ""))
                want = int(attrs.get("exit") or 0)
                if r.returncode != want:
                    print("%s: exit %d, the page expects %d" % (where, r.returncode, want), file=sys.stderr)
                    return 1
                ways[lang] += 1
                last = (where, r)
            if "output" in attrs:
                if last is None:
                    print("%s: an output block with no block run before it" % where, file=sys.stderr)
                    return 1
                got = last[1].stderr if "stderr" in attrs else last[1].stdout
                if not matches(body, got):
                    print("%s: the output of %s differs from the page:\n--- page\n%s--- got\n%s"
                          % (where, last[0], body, got), file=sys.stderr)
                    return 1
        missing = [w for w, n in ways.items() if n == 0]
        if missing:
            print("%s: no %s block runs (each recipe has the CLI, the C and the Python way)"
                  % (name, ", ".join(missing)), file=sys.stderr)
            return 1
        print("guide %s: ok (%d shell, %d C, %d Python blocks)" % (name, ways["sh"], ways["c"], ways["python"]))
        return 0
    finally:
        for p in reversed(servers):
            p.stdin.close()
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
