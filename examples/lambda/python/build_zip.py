#!/usr/bin/env python3
"""Build the deployment package of the Python custom-action handler (docs/guide/07-custom-actions.md):
a zip with handler.py, the asff package and libasff beside it (asff/libasff.so.0, where the package
looks first), and in lib/ the libraries libasff needs that Lambda's Python runtime lacks (yajl).

  build_zip.py --library PATH/libasff.so.0 [--out cis-2.4.zip] [--bundle NAME...]
Python standard library only; ldd finds the libraries to bundle."""
import argparse
import os
import re
import subprocess
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGE = os.path.join(HERE, "..", "..", "..", "bindings", "python", "asff")


def bundled(library, names):
    """Paths of the shared libraries library links to whose names start with one of names."""
    out = subprocess.run(["ldd", library], capture_output=True, text=True, check=True).stdout
    found = re.findall(r"^\s*(\S+) => (/\S+)", out, re.M)
    return [(soname, path) for soname, path in found if any(soname.startswith("lib%s." % n) for n in names)]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--library", required=True, help="the libasff.so.0 to ship")
    ap.add_argument("--out", default="cis-2.4.zip")
    ap.add_argument("--bundle", action="append", default=None, help="library to put in lib/ (default: yajl)")
    a = ap.parse_args()
    with zipfile.ZipFile(a.out, "w", zipfile.ZIP_DEFLATED) as z:
        z.write(os.path.join(HERE, "handler.py"), "handler.py")
        for name in sorted(os.listdir(PACKAGE)):
            if name.endswith(".py") or name == "py.typed":
                z.write(os.path.join(PACKAGE, name), "asff/" + name)
        z.write(os.path.realpath(a.library), "asff/libasff.so.0")
        for soname, path in bundled(a.library, a.bundle or ["yajl"]):
            z.write(os.path.realpath(path), "lib/" + soname)  # Lambda puts /var/task/lib on LD_LIBRARY_PATH
    print("%s: %d files" % (a.out, len(zipfile.ZipFile(a.out).namelist())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
