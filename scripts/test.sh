#!/usr/bin/env bash
# The README's second command (and CI's): install, build, run every test in
# a release build and again in an ASan/UBSan build, then fuzz for a bounded time.
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZ_SECONDS=${FUZZ_SECONDS:-20}
# STAGES: which of release, asan, fuzz to run (all by default; CI runs all).
STAGES=${STAGES:-release,asan,fuzz}
scripts/install-deps.sh
jobs=$(nproc)

if [[ ,$STAGES, == *,release,* ]]; then
  echo "== release build and tests"
  scripts/build.sh release
  (cd build && ctest --output-on-failure -j "$jobs")
fi

if [[ ,$STAGES, == *,asan,* ]]; then
  echo "== ASan/UBSan build and tests"
  scripts/build.sh asan
  (cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --output-on-failure -j "$jobs" -LE lab)
fi

[[ ,$STAGES, == *,fuzz,* ]] || exit 0

echo "== fuzzing for ${FUZZ_SECONDS}s per target"
scripts/build.sh fuzz
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
repo=$PWD
# Dissector seeds: the target's committed reproducers, then from each capture
# the TCP streams (byte 0 chooses the chunking, then the payload) or the UDP
# datagrams the filter selects; the lab's identity capture is always added.
C=../shared/corpus
LABCAPS=$(ls build/tests/work/*/lab_identity/capture.pcap 2>/dev/null | head -1 || true)
seed_from() {  # target tcp|udp filter capture...
  local target=$1 kind=$2 filter=$3 n=0 cap st
  shift 3
  for cap in "$@" $LABCAPS; do
    [ -f "$cap" ] || continue
    if [ "$kind" = udp ]; then
      for hex in $(tshark -r "$cap" -Y "$filter" -T fields -e udp.payload 2>/dev/null | head -40); do
        n=$((n + 1)); echo "$hex" | xxd -r -p > "$work/$target/seeds/d$n.bin"
      done
    else
      for st in $(tshark -r "$cap" -Y "($filter) && tcp.len>0" -T fields -e tcp.stream 2>/dev/null | sort -u | head -20); do
        n=$((n + 1))
        { printf '\x55'; tshark -r "$cap" -Y "tcp.stream==$st && tcp.len>0" -T fields -e tcp.payload 2>/dev/null | tr -d '\n' | xxd -r -p; } > "$work/$target/seeds/s$n.bin"
      done
    fi
  done
}
# The targets, found as the build finds them (cmake/fuzz_targets.cmake); each
# names in its header the reproducer directories it replays (its first seeds)
# and, for a dissector, the captures its seeds are cut from.
header() {  # file key: the values of its "// fuzz-<key>:" lines
  sed -n "s|^// fuzz-$2: *||p" "$1" | tr '\n' ' ' | sed 's/ *$//'
}
targets=()
for src in tests/fuzz/fuzz_*.cc src/dissectors/*/fuzz_*.cc; do
  target=$(basename "$src" .cc)
  target=${target#fuzz_}
  targets+=("$target")
  mkdir -p "$work/$target/corpus" "$work/$target/seeds"
  for item in $(header "$src" replay); do
    case $item in */) cp "$item"* "$work/$target/seeds/" 2>/dev/null || true ;; esac
  done
  seed=$(header "$src" seed)
  if [ -n "$seed" ]; then
    # shellcheck disable=SC2046  # the capture globs expand here
    seed_from "$target" "${seed%% *}" "${seed#* }" $(header "$src" seed-captures)
  fi
done
# Targets whose seeds are not cut from captures by a filter.
# The packet path: small corpus captures.
find ../shared/corpus -name '*.pcap*' -size -64k -exec cp {} "$work/packet_path/seeds/" \;
# DIMSE/data sets: the lab's DICOM files.
ls build/tests/work/*/lab_*/work/out/*.dcm 2>/dev/null | head -40 | xargs -r cp -t "$work/dimse/seeds/" 2>/dev/null || true
# FHIR: the lab EHR's resources.
for f in build/tests/work/test_fhir/lab_ehr/work/out/*.json build/tests/work/test_fhir/lab_ehr/work/fhir/*.json; do
  if [ -f "$f" ]; then cp "$f" "$work/fhir/seeds/"; fi
done
# Discovery: the frames of LLDP, CDP and ARP.
for cap in $C/zeek/testing/btest/Traces/lldp.pcap $C/zeek/testing/btest/Traces/cdp-v1.pcap $C/nDPI/pcap/capwap.pcap $LABCAPS; do
  n=0
  tshark -r "$cap" -Y "lldp || cdp || arp" -w "$work/discovery/frames.pcap" 2>/dev/null || continue
  # the bytes after the Ethernet header (14 bytes) and, for 802.3, the length field
  for hex in $(tshark -r "$work/discovery/frames.pcap" -T fields -e frame.number 2>/dev/null); do
    n=$((n + 1))
    tshark -r "$work/discovery/frames.pcap" -Y "frame.number==$hex" -x 2>/dev/null | cut -c7-54 | tr -d ' \n' | xxd -r -p | tail -c +15 \
      > "$work/discovery/seeds/$(basename "$cap")-$n.bin"
  done
done
# The inventory reads events: lines of the lab's and the sample's events.jsonl,
# a few dozen per seed.
n=0
for ev in build/tests/work/test_lab/lab_*/medsentry/events.jsonl build/tests/work/test_cli/*/events.jsonl; do
  [ -f "$ev" ] || continue
  n=$((n + 1))
  grep -v '"event_type":"flow"' "$ev" | split -l 40 - "$work/inventory/seeds/ev$n-" || true
done
# The detections read events too, flows included.
n=0
for ev in build/tests/work/test_lab/lab_*/medsentry/events.jsonl; do
  [ -f "$ev" ] || continue
  n=$((n + 1))
  split -l 40 "$ev" "$work/detect/seeds/ev$n-" || true
done
# Both also take captures, which the real dissectors turn into typed events:
# the sample and the small lab captures.
for cap in samples/clinic-sample.pcap $(ls build/tests/work/test_lab/lab_*/capture.pcap 2>/dev/null | head -8); do
  [ -f "$cap" ] && [ "$(stat -c %s "$cap")" -le 262144 ] || continue
  cp "$cap" "$work/inventory/seeds/cap-$(basename "$(dirname "$cap")").pcap"
  cp "$cap" "$work/detect/seeds/cap-$(basename "$(dirname "$cap")").pcap"
done
# Two targets at a time (one per core).
failed=0
run_fuzz() {
  local target=$1
  local bin="$repo/build-fuzz/tests/fuzz/fuzz_$target"
  local log="$work/$target.log"
  (cd "$work/$target" && "$bin" -max_total_time="$FUZZ_SECONDS" -max_len=65536 -rss_limit_mb=2048 \
     -print_final_stats=1 corpus seeds > "$log" 2>&1 || true)
  echo "-- fuzz_$target ($(ls "$work/$target/seeds" | wc -l) seeds): $(grep -E "^stat::number_of_executed_units" "$log" | tr -s ' ')"
  grep -E "ERROR|SUMMARY" "$log" | head -5 || true
}
for ((i = 0; i < ${#targets[@]}; i += 2)); do
  run_fuzz "${targets[i]}" &
  if [ $((i + 1)) -lt ${#targets[@]} ]; then run_fuzz "${targets[i+1]}" & fi
  wait
done
for target in "${targets[@]}"; do
  found=$(find "$work/$target" -maxdepth 1 \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) -print)
  if [ -n "$found" ]; then
    mkdir -p fuzz-findings
    for f in $found; do cp "$f" "fuzz-findings/$target-$(basename "$f")"; done
    echo "fuzz_$target found a failure; reproducers in fuzz-findings/" >&2
    failed=1
  fi
done
[ $failed -eq 0 ] || exit 1
echo "fuzz: no crash"
