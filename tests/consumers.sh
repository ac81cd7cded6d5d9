#!/usr/bin/env bash
# Installs a build into a temporary prefix and builds programs against it the three ways users do:
# pkg-config (shared), pkg-config --static (static libasff), CMake find_package. Each is run.
set -euo pipefail
build=${1:?usage: consumers.sh BUILD_DIR}
src=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix
cmake --install "$build" --prefix "$prefix" >/dev/null
pcdir=$(dirname "$(find "$prefix" -name asff.pc -print -quit)")
libdir=$(dirname "$pcdir")
export PKG_CONFIG_PATH=$pcdir
cc=${CC:-cc}
fail=0
check() { # name, command...
  local name=$1; shift
  if out=$("$@" 2>&1); then
    if grep -q '"SchemaVersion": "2018-10-08"' <<<"$out"; then echo "consumer $name: ok"; return; fi
  fi
  echo "consumer $name: FAILED"; echo "$out" | head -20; fail=1
}
# 1. pkg-config, shared library
$cc -std=c11 -Wall -Wextra -Werror "$src/examples/emitter.c" $(pkg-config --cflags --libs asff) -o "$work/emitter_shared"
# ldd's output is captured first: with pipefail, `ldd | grep -q` fails when grep quits early.
libs=$(ldd "$work/emitter_shared" || true)
grep -q 'libasff.so.0' <<<"$libs" || { echo "emitter_shared does not link libasff.so.0"; fail=1; }
check pkg-config env LD_LIBRARY_PATH="$libdir" "$work/emitter_shared"
# 2. pkg-config --static: libasff.a plus every private dependency pkg-config lists
$cc -std=c11 -Wall -Wextra -Werror "$src/examples/emitter.c" $(pkg-config --static --cflags asff) \
  $(pkg-config --static --libs asff | sed 's/-lasff\b/-l:libasff.a/') -o "$work/emitter_static"
libs=$(ldd "$work/emitter_static" || true)
if grep -q libasff <<<"$libs"; then echo "emitter_static links libasff dynamically"; fail=1; fi
check pkg-config-static "$work/emitter_static"
# 3. CMake find_package
cmake -S "$src/examples/cmake-consumer" -B "$work/cm" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$work/cm" >/dev/null
check find_package env LD_LIBRARY_PATH="$libdir" "$work/cm/emitter"
check find_package-static "$work/cm/emitter_static"
# The event handler example, streaming an EventBridge event from the bundled findings
$cc -std=c11 -Wall -Wextra -Werror "$src/examples/event_handler.c" $(pkg-config --cflags --libs asff) -o "$work/handler"
n=$(LD_LIBRARY_PATH="$libdir" "$work/handler" < "$src/examples/findings/custom-action-event.json" | wc -l)
if [ "$n" -ne 2 ]; then echo "event_handler: expected 2 findings, got $n"; fail=1; else echo "consumer event_handler: ok"; fi
# Built with the simdjson front-end, libasff.a holds C++: pkg-config --static must name simdjson and
# the C++ runtime (the static consumers above link with them), and the static program reads findings.
if grep -q simdjson "$pcdir/asff.pc"; then
  sl=$(pkg-config --static --libs asff)
  if grep -q -- '-lsimdjson' <<<"$sl" && grep -q -- '-lstdc++' <<<"$sl"; then
    echo "consumer pkg-config-static (simdjson, -lstdc++): ok"
  else
    echo "pkg-config --static --libs asff lacks -lsimdjson or -lstdc++: $sl"; fail=1
  fi
  $cc -std=c11 -Wall -Wextra -Werror "$src/examples/event_handler.c" $(pkg-config --static --cflags asff) \
    $(pkg-config --static --libs asff | sed 's/-lasff\b/-l:libasff.a/') -o "$work/handler_static"
  n=$("$work/handler_static" < "$src/examples/findings/custom-action-event.json" | wc -l)
  if [ "$n" -ne 2 ]; then echo "event_handler (static): expected 2 findings, got $n"; fail=1; else echo "consumer event_handler-static: ok"; fi
fi
exit $fail
