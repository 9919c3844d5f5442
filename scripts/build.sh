#!/usr/bin/env bash
# Builds one variant: release (build/), asan (build-asan/, ASan+UBSan), fuzz
# (build-fuzz/, clang + libFuzzer).
set -euo pipefail
cd "$(dirname "$0")/.."
variant=${1:-release}
jobs=$(nproc)
# ccache keys on paths relative to the checkout, so that a copy of the tree
# (tests/integration/test_module.py builds one) reuses this build's objects.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD} CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-1}
case "$variant" in
  release) dir=build; args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo) ;;
  asan)    dir=build-asan; args=(-DCMAKE_BUILD_TYPE=Debug -DMEDSENTRY_SANITIZE=ON) ;;
  fuzz)    dir=build-fuzz; args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DMEDSENTRY_FUZZ=ON -DMEDSENTRY_TESTS=OFF
                                 -DCMAKE_CXX_COMPILER=clang++) ;;
  *) echo "usage: scripts/build.sh [release|asan|fuzz]" >&2; exit 2 ;;
esac
cmake -S . -B "$dir" -G Ninja "${args[@]}" >/dev/null
ninja -C "$dir" -j "$jobs"
