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
scripts/build.sh release >/dev/null
python3 bench/run.py "$CAP" "$@"
