#!/bin/sh
# Regenerate clang-analyzer.sarif from src/buggy.c with clang's static analyzer (Debian clang 14 made
# the committed file). The analyzer writes absolute file:// URIs; they are made relative to this
# folder so that the file does not depend on where the tree is checked out.
set -eu
cd "$(dirname "$0")"
clang --analyze --analyzer-output sarif -o clang-analyzer.sarif src/buggy.c
sed -i "s|file://$(pwd)/||g" clang-analyzer.sarif
