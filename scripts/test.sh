#!/usr/bin/env bash
# The README's second command (and CI's): install, build, run every test in
# a release build and again in an ASan/UBSan build, then fuzz for a bounded time.
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZ_SECONDS=${FUZZ_SECONDS:-30}
scripts/install-deps.sh
jobs=$(nproc)

echo "== release build and tests"
scripts/build.sh release
(cd build && ctest --output-on-failure -j "$jobs")

echo "== ASan/UBSan build and tests"
scripts/build.sh asan
(cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --output-on-failure -j "$jobs" -LE lab)

echo "== fuzzing for ${FUZZ_SECONDS}s per target"
scripts/build.sh fuzz
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
repo=$PWD
# Seeds: small corpus captures for the packet path; the TCP payload of every
# DICOM stream (sample, corpus, the lab captures the tests just made) for DICOM.
mkdir -p "$work/packet/corpus" "$work/packet/seeds"
find ../shared/corpus -name '*.pcap*' -size -64k -exec cp {} "$work/packet/seeds/" \;
cp tests/fuzz/regressions/* "$work/packet/seeds/" 2>/dev/null || true
# Dissector seeds: byte 0 (chunking), then the TCP payload of each stream on
# the protocol's port, from the sample, the corpus and the lab captures.
seed_streams() {  # target port
  mkdir -p "$work/$1/corpus" "$work/$1/seeds"
  local n=0 cap st
  for cap in samples/clinic-sample.pcap ../shared/corpus/nDPI-2025/pcap/*.pcap ../shared/corpus/tapirx/testdata/*.pcap \
             build/tests/work/test_lab/lab_*/capture.pcap; do
    [ -f "$cap" ] || continue
    for st in $(tshark -r "$cap" -Y "tcp.port==$2 && tcp.len>0" -T fields -e tcp.stream 2>/dev/null | sort -u | head -20); do
      n=$((n + 1))
      { printf '\x55'; tshark -r "$cap" -Y "tcp.stream==$st && tcp.len>0" -T fields -e tcp.payload 2>/dev/null | tr -d '\n' | xxd -r -p; } > "$work/$1/seeds/s$n.bin"
    done
  done
}
seed_streams dicom 104
seed_streams hl7 2575
seed_streams http 80
mkdir -p "$work/fhir/corpus" "$work/fhir/seeds"
cp tests/fuzz/regressions_fhir/* "$work/fhir/seeds/" 2>/dev/null || true
for f in build/tests/work/test_fhir/lab_ehr/work/out/*.json build/tests/work/test_fhir/lab_ehr/work/fhir/*.json; do
  if [ -f "$f" ]; then cp "$f" "$work/fhir/seeds/"; fi
done
failed=0
for target in packet dicom hl7 http fhir; do
  bin="$repo/build-fuzz/tests/fuzz/fuzz_$([ $target = packet ] && echo packet_path || echo $target)"
  echo "-- fuzz_$target ($(ls "$work/$target/seeds" | wc -l) seeds)"
  (cd "$work/$target" && "$bin" -max_total_time="$FUZZ_SECONDS" -max_len=65536 -rss_limit_mb=2048 \
     -print_final_stats=1 corpus seeds 2>&1 | grep -E "^stat::number_of_executed_units|^stat::new_units|ERROR|SUMMARY|Done" || true)
  if ls "$work/$target"/crash-* "$work/$target"/leak-* "$work/$target"/timeout-* >/dev/null 2>&1; then
    mkdir -p fuzz-findings && cp "$work/$target"/crash-* "$work/$target"/leak-* "$work/$target"/timeout-* fuzz-findings/ 2>/dev/null || true
    echo "fuzz_$target found a failure; reproducers in fuzz-findings/" >&2
    failed=1
  fi
done
[ $failed -eq 0 ] || exit 1
echo "fuzz: no crash"
