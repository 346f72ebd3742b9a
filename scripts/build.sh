#!/usr/bin/env bash
# Configures and builds recbench into build/ (ccache-backed; pass extra CMake -D flags as args).
set -euo pipefail
cd "$(dirname "$0")/.."

export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}"
export CCACHE_BASEDIR="$PWD"
jobs="${RECBENCH_JOBS:-$(nproc)}"
if [ ! -f build/build.ninja ] || [ $# -gt 0 ]; then
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
fi
ninja -C build -j "$jobs" --quiet
