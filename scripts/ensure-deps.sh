#!/usr/bin/env bash
# Installs what lrsim needs on a fresh Debian machine, only where it is missing:
#   libopenblas-dev (BLAS), libgmp-dev (exact reference), zlib1g-dev (traces),
#   dataset-fashion-mnist (the real data), gtkwave + librsvg2-bin (tests open VCD / render SVG),
#   python3 vcdvcd (a VCD reader the tests use).
set -euo pipefail
need=()
pkg-config --exists openblas 2>/dev/null || need+=(libopenblas-dev)
pkg-config --exists gmp 2>/dev/null || need+=(libgmp-dev)
pkg-config --exists zlib 2>/dev/null || need+=(zlib1g-dev)
[ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] || need+=(dataset-fashion-mnist)
command -v gtkwave >/dev/null 2>&1 || need+=(gtkwave)
command -v rsvg-convert >/dev/null 2>&1 || need+=(librsvg2-bin)
command -v pkg-config >/dev/null 2>&1 || need+=(pkg-config)
if [ ${#need[@]} -gt 0 ]; then
  echo "ensure-deps: installing ${need[*]}" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
if command -v python3 >/dev/null 2>&1 && ! python3 -c "import vcdvcd" 2>/dev/null; then
  python3 -m pip install -q vcdvcd >/dev/null 2>&1 || echo "ensure-deps: vcdvcd not installed (VCD parse test will skip)" >&2
fi
