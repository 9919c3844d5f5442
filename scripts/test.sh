#!/usr/bin/env bash
# The README's second command (and CI's): install, build, run every test in
# a release build and again in an ASan/UBSan build, then fuzz for a bounded time.
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
scripts/install-deps.sh
jobs=$(nproc)

echo "== release build and tests"
scripts/build.sh release
(cd build && ctest --output-on-failure -j "$jobs")

echo "== ASan/UBSan build and tests"
scripts/build.sh asan
(cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --output-on-failure -j "$jobs" -LE lab)

echo "== fuzzing the packet path for ${FUZZ_SECONDS}s"
scripts/build.sh fuzz
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus" "$work/seeds"
find ../shared/corpus -name '*.pcap*' -size -64k -exec cp {} "$work/seeds/" \;
cp tests/fuzz/regressions/* "$work/seeds/" 2>/dev/null || true
(cd "$work" && "$OLDPWD/build-fuzz/tests/fuzz/fuzz_packet_path" -max_total_time="$FUZZ_SECONDS" -max_len=65536 \
   -rss_limit_mb=2048 -print_final_stats=1 corpus seeds 2>&1 | grep -E "^stat::|ERROR|SUMMARY|Done" || true)
if ls "$work"/crash-* "$work"/leak-* "$work"/timeout-* >/dev/null 2>&1; then
  echo "fuzzing found a failure; reproducers:" >&2
  mkdir -p fuzz-findings && cp "$work"/crash-* "$work"/leak-* "$work"/timeout-* fuzz-findings/ 2>/dev/null || true
  ls fuzz-findings >&2
  exit 1
fi
echo "fuzz: no crash"
