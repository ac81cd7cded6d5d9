#!/usr/bin/env bash
# Installs what libasff needs to build and test, on Debian 12 (as root, or with sudo).
# Other systems: see "Dependencies" in README.md.
set -euo pipefail

pkgs=(build-essential cmake pkg-config python3 python3-venv python3-mypy clang libclang-rt-dev jq locales
      libyajl-dev libcurl4-openssl-dev libssl-dev libcmocka-dev libexpat1-dev
      # what `pkg-config --static --libs libcurl` names, for the static consumer test
      libnghttp2-dev librtmp-dev libssh2-1-dev libpsl-dev libkrb5-dev libldap2-dev libzstd-dev
      libbrotli-dev zlib1g-dev libidn2-dev
      # the guide: man pages from scdoc sources, rendered and checked with groff and man (ctest
      # man_pages); the API reference from the headers (target docs, ctest api_docs)
      scdoc groff-base man-db doxygen
      # the second JSON front-end (docs/architecture.md, Dependencies); CMake uses it when found
      libsimdjson-dev)

missing=()
for p in "${pkgs[@]}"; do
  # captured, not piped: with pipefail, `| grep -q` fails when grep quits before the writer ends
  st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ $st == *"install ok installed"* ]] || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if ! command -v apt-get >/dev/null; then
    echo "deps.sh: not a Debian system; install the equivalents of: ${missing[*]}" >&2
    exit 1
  fi
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO=sudo
  echo "deps.sh: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# test_codec reads and writes numbers under a decimal-comma locale (numbers must not follow it).
locales=$(locale -a 2>/dev/null || true)
if ! grep -qi '^de_DE\.utf-\?8$' <<<"$locales"; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO=sudo
  echo "deps.sh: generating the de_DE.UTF-8 locale"
  $SUDO sed -i 's/^# *de_DE.UTF-8 UTF-8/de_DE.UTF-8 UTF-8/' /etc/locale.gen
  grep -q '^de_DE.UTF-8 UTF-8' /etc/locale.gen || echo 'de_DE.UTF-8 UTF-8' | $SUDO tee -a /etc/locale.gen >/dev/null
  $SUDO locale-gen >/dev/null
fi
# tests/convert_duckdb.py runs DuckDB through the npm package @duckdb/node-api, installed into
# build/node (ignored by git; the test finds it there). After this, it needs no network.
if ! command -v npm >/dev/null; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO=sudo
  echo "deps.sh: installing nodejs and npm"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
node_dir="$(cd "$(dirname "$0")/../.." && pwd)/build/node"
if [ ! -d "$node_dir/node_modules/@duckdb/node-api" ]; then
  echo "deps.sh: installing @duckdb/node-api into $node_dir"
  mkdir -p "$node_dir"
  npm install --prefix "$node_dir" --no-audit --no-fund --silent @duckdb/node-api@1.5.6-r.1 >/dev/null
fi
# The client tests run against moto_server (pip package moto[server]); Debian has no package for it.
if ! command -v moto_server >/dev/null; then
  echo "deps.sh: warning: moto_server is not on PATH; the client tests will fail (pip install 'moto[server]')" >&2
fi
