#!/usr/bin/env bash
# pip-installs the bindings into a fresh venv with no network (no index, build isolation on) and
# runs the documented one-liner against libasff installed into a prefix.
set -euo pipefail
py=${1:?python}; build=${2:?build dir}
here=$(cd "$(dirname "$0")/.." && pwd)
src=$(cd "$here/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" >/dev/null
"$py" -m venv "$work/venv"
# --no-index: nothing may come from a package index; the in-tree backend needs nothing.
PIP_NO_INDEX=1 PIP_DISABLE_PIP_VERSION_CHECK=1 "$work/venv/bin/pip" install -q --no-index "$here"
lib=$(find "$work/prefix" -name 'libasff.so.0' -print -quit)
export PKG_CONFIG_PATH=$(dirname "$(find "$work/prefix" -name asff.pc -print -quit)")
cd "$work"
# 1. found through pkg-config's libdir (no ASFF_LIBRARY)
n=$(LD_LIBRARY_PATH= "$work/venv/bin/python" -c "import asff; print(sum(1 for _ in asff.iter_findings('$src/examples/findings/getfindings-export.json', filters={'ComplianceStatus': [{'Value': 'FAILED', 'Comparison': 'EQUALS'}]})))")
expected=$(grep -o '"Status": *"FAILED"' "$src/examples/findings/getfindings-export.json" | wc -l)
echo "installed bindings: $n FAILED findings (grep counts $expected)"
[ "$n" -eq "$expected" ] && [ "$n" -gt 0 ]
# 2. ASFF_LIBRARY wins; a wrong one gives an error that names what was tried
ASFF_LIBRARY="$lib" "$work/venv/bin/python" -c "import asff; assert asff.library_version() == '0.1.0'"
if ASFF_LIBRARY=/nonexistent/libasff.so "$work/venv/bin/python" -c "import asff; asff.library_version()" 2>"$work/err"; then
  echo "expected LibraryNotFound"; exit 1
fi
grep -q "/nonexistent/libasff.so" "$work/err"
echo "python_install: ok"
