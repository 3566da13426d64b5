#!/usr/bin/env bash
# Builds mpactor and runs the whole test suite (unit, multi-process, examples).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cd build
ctest --output-on-failure -j"$(nproc)" --timeout 300
