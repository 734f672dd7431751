#!/usr/bin/env bash
# The README's first command: on a fresh machine, installs the missing Debian packages, builds lrsim (release) and
# runs `lrsim demo`: trains the Fashion-MNIST MLP with ALR (and LR and backprop), writes a trace, simulates and
# replays it on the default hardware model, runs a small precision sweep, writes the HTML report and prints a
# summary table. Measured from a fresh clone on this 2-core machine (packages already installed): 6-8 minutes,
# about 5 of them the first release build.
#
#   scripts/main-job.sh [OUTDIR] [lrsim demo options...]      (OUTDIR defaults to ./lrsim-demo)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-lrsim-demo}"; [ $# -gt 0 ] && shift
start=$(date +%s)
stamp() { printf '[main-job %4ds] %s\n' $(( $(date +%s) - start )) "$*" >&2; }

stamp "checking system packages (scripts/ensure-deps.sh)"
scripts/ensure-deps.sh
command -v swift >/dev/null || { echo "error: swift is not on PATH (Swift 6 toolchain required: https://swift.org/install)" >&2; exit 1; }

stamp "building lrsim in release mode (a clean build takes several minutes on 2 cores)"
# Show SwiftPM's [n/m] progress on one line per step, without the compiler's chatter.
show_progress() {
  while IFS= read -r line; do
    case "$line" in
      *error:*) echo "$line" >&2 ;;
      \[*\]*|Build*) printf '  %s\n' "$line" >&2 ;;
    esac
  done
}
if ! swift build -c release --product lrsim 2>&1 | show_progress; then
  echo "error: the release build failed (run: swift build -c release --product lrsim)" >&2; exit 1
fi
bin="$(swift build -c release --show-bin-path)/lrsim"

stamp "running $bin demo --out $out"
"$bin" demo --out "$out" "$@"
stamp "finished; open $out/report.html"
