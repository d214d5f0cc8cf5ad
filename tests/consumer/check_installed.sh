#!/usr/bin/env bash
# Installs a built tree to a scratch prefix, builds tests/consumer against
# it with find_package(rekeysim), runs the consumer's test and the installed
# `rekeysim test` on the installed case library. Removes the prefix after.
# Usage: tests/consumer/check_installed.sh BUILD_DIR   (e.g. build/release)
set -euo pipefail
build=${1:?usage: check_installed.sh BUILD_DIR}
src=$(cd "$(dirname "$0")" && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cmake --install "$build" --prefix "$scratch/prefix" >/dev/null
cmake -S "$src" -B "$scratch/consumer" -DCMAKE_PREFIX_PATH="$scratch/prefix" \
  -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$scratch/consumer"
ctest --test-dir "$scratch/consumer" --output-on-failure
"$scratch/prefix/bin/rekeysim" test "$scratch/prefix/share/rekeysim/scenarios/cases" | tail -n 1
