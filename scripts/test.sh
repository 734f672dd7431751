#!/usr/bin/env bash
# The test command: installs missing system packages, then builds and runs the whole suite (debug build).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh
# Every target declares the modules it imports (the build fails on an undeclared import).
swift build --build-tests --explicit-target-dependency-import-check=error
swift test --skip-build --parallel --num-workers 2 "$@"
