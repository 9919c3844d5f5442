#!/usr/bin/env bash
# The README's second command (and CI's): install, build, run every test in
# a release build and again in an ASan/UBSan build, then fuzz for a bounded time.
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZ_SECONDS=${FUZZ_SECONDS:-30}
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
# Seeds: small corpus captures for the packet path.
mkdir -p "$work/packet/corpus" "$work/packet/seeds"
find ../shared/corpus -name '*.pcap*' -size -64k -exec cp {} "$work/packet/seeds/" \;
cp tests/fuzz/regressions/* "$work/packet/seeds/" 2>/dev/null || true
# Dissector seeds: the target's committed reproducers, then from each capture
# the TCP streams (byte 0 chooses the chunking, then the payload) or the UDP
# datagrams the filter selects; the lab's identity capture is always added.
C=../shared/corpus
LABCAPS=$(ls build/tests/work/*/lab_identity/capture.pcap 2>/dev/null | head -1 || true)
seed_from() {  # target regressions-dir tcp|udp filter capture...
  local target=$1 regdir=$2 kind=$3 filter=$4 n=0 cap st
  shift 4
  mkdir -p "$work/$target/corpus" "$work/$target/seeds"
  cp "tests/fuzz/$regdir"/* "$work/$target/seeds/" 2>/dev/null || true
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
seed_from dicom regressions_dicom tcp "tcp.port==104 || ftp-data" samples/clinic-sample.pcap $C/nDPI-2025/pcap/*.pcap $C/tapirx/testdata/*.pcap build/tests/work/test_lab/lab_*/capture.pcap
# DIMSE/data sets: the committed files (each encoding), the lab's DICOM files.
mkdir -p "$work/dimse/corpus" "$work/dimse/seeds"
cp tests/fuzz/regressions_dimse/* "$work/dimse/seeds/" 2>/dev/null || true
ls build/tests/work/*/lab_*/work/out/*.dcm 2>/dev/null | head -40 | xargs -r cp -t "$work/dimse/seeds/" 2>/dev/null || true
seed_from hl7 regressions_hl7 tcp "tcp.port==2575" samples/clinic-sample.pcap $C/nDPI-2025/pcap/*.pcap $C/tapirx/testdata/*.pcap build/tests/work/test_lab/lab_*/capture.pcap
seed_from http regressions_http tcp "tcp.port==80" samples/clinic-sample.pcap $C/nDPI-2025/pcap/*.pcap $C/tapirx/testdata/*.pcap build/tests/work/test_lab/lab_*/capture.pcap
mkdir -p "$work/fhir/corpus" "$work/fhir/seeds"
cp tests/fuzz/regressions_fhir/* "$work/fhir/seeds/" 2>/dev/null || true
for f in build/tests/work/test_fhir/lab_ehr/work/out/*.json build/tests/work/test_fhir/lab_ehr/work/fhir/*.json; do
  if [ -f "$f" ]; then cp "$f" "$work/fhir/seeds/"; fi
done
seed_from dhcp regressions_identity udp "dhcp || dhcpv6" $C/zeek/testing/btest/Traces/dhcp/*.pcap $C/suricata-verify/tests/dhcp-*/input.pcap
seed_from dns regressions_identity udp "dns || nbns" $C/nDPI/pcap/dns.pcap $C/nDPI/pcap/netbios.pcap $C/zeek/testing/btest/Traces/dns/*.pcap
seed_from snmp regressions_identity udp snmp $C/zeek/testing/btest/Traces/snmp/*.pcap $C/suricata-verify/tests/snmp-*/*.pcap
seed_from ssdp regressions_identity udp ssdp $C/nDPI/pcap/ssdp-m-search*.pcap $C/nDPI/pcap/iphone.pcap
seed_from ftp regressions_identity tcp "tcp.port==21" $C/nDPI/pcap/ftp*.pcap $C/zeek/testing/btest/Traces/ftp/*.pcap
seed_from telnet regressions_identity tcp "tcp.port==23" $C/nDPI/pcap/telnet.pcap
seed_from ssh regressions_identity tcp "tcp.port==22" $C/nDPI/pcap/ssh*.pcap $C/zeek/testing/btest/Traces/ssh/*.pcap $C/suricata-verify/tests/ssh-*/input.pcap
seed_from tls regressions_identity tcp "tcp.port==443" $C/nDPI/pcap/tls*.pcap $C/zeek/testing/btest/Traces/tls/*.pcap $C/suricata-verify/tests/ja4-*/input.pcap
seed_from smb regressions_identity tcp "tcp.port==445 || tcp.port==139" $C/suricata-verify/tests/smb*/*.pcap $C/zeek/testing/btest/Traces/smb/*.pcap
seed_from rdp regressions_identity tcp "tcp.port==3389" $C/nDPI/pcap/rdp.pcap $C/zeek/testing/btest/Traces/rdp/*.pcap
mkdir -p "$work/discovery/corpus" "$work/discovery/seeds"
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
mkdir -p "$work/inventory/corpus" "$work/inventory/seeds"
cp tests/fuzz/regressions_inventory/* "$work/inventory/seeds/" 2>/dev/null || true
n=0
for ev in build/tests/work/test_lab/lab_*/medsentry/events.jsonl build/tests/work/test_cli/*/events.jsonl; do
  [ -f "$ev" ] || continue
  n=$((n + 1))
  grep -v '"event_type":"flow"' "$ev" | split -l 40 - "$work/inventory/seeds/ev$n-" || true
done
# The detections read events too, flows included.
mkdir -p "$work/detect/corpus" "$work/detect/seeds"
cp tests/fuzz/regressions_detect/* "$work/detect/seeds/" 2>/dev/null || true
n=0
for ev in build/tests/work/test_lab/lab_*/medsentry/events.jsonl; do
  [ -f "$ev" ] || continue
  n=$((n + 1))
  split -l 40 "$ev" "$work/detect/seeds/ev$n-" || true
done
# Two targets at a time (one per core).
failed=0
run_fuzz() {
  local target=$1
  local bin="$repo/build-fuzz/tests/fuzz/fuzz_$([ $target = packet ] && echo packet_path || echo $target)"
  local log="$work/$target.log"
  (cd "$work/$target" && "$bin" -max_total_time="$FUZZ_SECONDS" -max_len=65536 -rss_limit_mb=2048 \
     -print_final_stats=1 corpus seeds > "$log" 2>&1 || true)
  echo "-- fuzz_$target ($(ls "$work/$target/seeds" | wc -l) seeds): $(grep -E "^stat::number_of_executed_units" "$log" | tr -s ' ')"
  grep -E "ERROR|SUMMARY" "$log" | head -5 || true
}
targets=(packet dicom dimse hl7 http fhir dhcp dns snmp ssdp ftp telnet ssh tls smb rdp discovery inventory detect)
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
