#!/usr/bin/env bash
# Builds libasff and the asff tool, then runs it on the findings bundled in examples/findings/.
set -eu  # no pipefail: `| head` ends asff early on purpose
cd "$(dirname "$0")/../.."
bash tools/dev/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DASFF_BUILD_CLI=ON >/dev/null
cmake --build build -j"$(nproc)" --target asff_cli >/dev/null
asff=build/tools/asff/asff
echo "== asff --version"; $asff --version
echo "== asff fmt: every bundled envelope re-emitted as NDJSON (first 3 lines)"
$asff fmt examples/findings/*.json examples/findings/*.ndjson | head -n 3 | cut -c1-160
echo "== count of findings per file"
for f in examples/findings/*.json examples/findings/*.ndjson; do printf '%6d  %s\n' "$($asff fmt "$f" | wc -l)" "$f"; done
for cmd in validate filter insight; do
  [ -f "tools/asff/cmd_$cmd.c" ] || continue
  case $cmd in
    validate) echo "== asff validate"; $asff validate examples/findings/*.json examples/findings/*.ndjson | tail -n 5 || true ;;
    filter) echo "== asff filter: HIGH or CRITICAL"; $asff filter --filters \
      '{"SeverityLabel":[{"Value":"HIGH","Comparison":"EQUALS"},{"Value":"CRITICAL","Comparison":"EQUALS"}]}' \
      examples/findings/*.json examples/findings/*.ndjson | wc -l ;;
    insight) echo "== asff insight --group-by ResourceType"; \
      $asff insight --group-by ResourceType examples/findings/*.json examples/findings/*.ndjson | head -n 8 ;;
  esac
done
