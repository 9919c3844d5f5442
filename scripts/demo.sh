#!/usr/bin/env bash
# The README's first command: install, build, analyse the bundled sample.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh release >/dev/null
build/medsentry analyze samples/clinic-sample.pcap -o medsentry-out
echo
build/medsentry inventory
