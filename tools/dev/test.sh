#!/usr/bin/env bash
# Builds libasff and runs every test: gcc -Werror build + ctest, clang -Werror build,
# ASan+UBSan build + ctest, and the install/consumer tests (pkg-config, pkg-config --static,
# find_package). This is what CI runs (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/../.."
bash tools/dev/deps.sh
jobs=$(nproc)
started=$(date +%s)

step() { printf '\n==== %s (%ss)\n' "$*" $(( $(date +%s) - started )); }

step "gcc build, warnings as errors"
cmake -S . -B build/gcc -DCMAKE_C_COMPILER=gcc -DASFF_WERROR=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build/gcc -j"$jobs"
step "ctest (gcc)"
ctest --test-dir build/gcc --output-on-failure -j"$jobs"

step "clang build, warnings as errors, yajl alone (-DASFF_WITH_SIMDJSON=OFF)"
cmake -S . -B build/clang -DCMAKE_C_COMPILER=clang -DASFF_WERROR=ON -DASFF_BUILD_TESTS=ON -DASFF_WITH_SIMDJSON=OFF >/dev/null
cmake --build build/clang -j"$jobs"
step "ctest (clang, yajl alone: the codec, parallel (segments), --jobs, validate and filter tests; libcurl at first use)"
ctest --test-dir build/clang --output-on-failure -j"$jobs" -R 'test_http|test_codec|test_parallel|jobs_cli|test_validate|test_filter|filter_cli|validate_cli|hostile_cli|fuzz_replay_(parse|frontends|roundtrip|validate|filter|json)|abi_'

step "AddressSanitizer + UndefinedBehaviorSanitizer build"
cmake -S . -B build/asan -DCMAKE_C_COMPILER=clang -DASFF_WERROR=ON -DASFF_SANITIZE=ON \
  -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build build/asan -j"$jobs"
step "ctest (ASan + UBSan)"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build/asan --output-on-failure -j"$jobs"

step "install + consumers (pkg-config, pkg-config --static, find_package)"
bash tests/consumers.sh build/gcc

step "done"
