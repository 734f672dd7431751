#!/usr/bin/env bash
# The test command: installs missing system packages, then builds and runs the whole suite (debug build).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh
swift build --build-tests
swift test --skip-build --parallel --num-workers 2 "$@"
