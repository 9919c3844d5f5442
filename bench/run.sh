#!/usr/bin/env bash
# One command: build the large clinical capture if it is not there yet (real
# dcmtk, HL7, HTTP, TLS, DNS traffic from ../shared/bench/make_pcap.sh, as
# root, ~2 min), build medsentry, and compare throughput with the peers.
# Usage: bench/run.sh [CAPTURE] [--runs N]
set -euo pipefail
cd "$(dirname "$0")/.."
CAP=${1:-/var/tmp/medsentry-bench/clinical.pcap}
shift || true
scripts/install-deps.sh
command -v ndpiReader >/dev/null || { sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo; $sudo apt-get install -y -qq libndpi-bin >/dev/null; }
if [ ! -s "$CAP" ]; then
  mkdir -p "$(dirname "$CAP")"
  bash ../shared/bench/make_pcap.sh "$CAP" 1 "$(dirname "$CAP")/work"
fi
# The DICOM-heavy capture: the lab's bench_dicom scenario (a CT storing 24
# large images with dcmtk), repeated 20 times a minute apart (~270 MB).
DCM=$(dirname "$CAP")/dicom-heavy.pcap
if [ ! -s "$DCM" ]; then
  d=$(mktemp -d)
  tests/lab/run bench_dicom "$d/lab" >/dev/null
  for i in $(seq 0 19); do editcap -t $((i * 60)) "$d/lab/capture.pcap" "$d/part$i.pcap"; done
  mergecap -a -w "$DCM" "$d"/part*.pcap
  rm -rf "$d"
fi
scripts/build.sh release >/dev/null
python3 bench/run.py "$CAP" --dicom "$DCM" "$@"
