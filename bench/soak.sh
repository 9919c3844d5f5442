#!/usr/bin/env bash
# Soak test of the live sensor (issue 17), not in CI: `medsentry monitor` on a
# veth in network namespaces while tcpreplay plays a capture into the other
# end in a loop for N minutes. Samples the sensor's resident memory every
# 10 s and says whether it stayed within 10% of its value after minute one.
# As root. Exit 0: flat; 1: it grew or shrank by more; 2: could not run.
#
# Usage: bench/soak.sh --run|--read [--minutes N] [--mbps R] [CAPTURE]
#   --run        required (the flag that keeps it out of every automatic run)
#   --read       instead of --run: the same minutes of packet time at CPU
#                speed (`monitor --read` on the capture looped by
#                bench/loop_pcap.py), sampled from the stats events every
#                10 s of packet time; judged on each minute's lowest heap
#                in use against minute two's, since at CPU speed full queues
#                make RSS and the heap jump by their contents and minute one
#                is the process's first second (no root needed)
#   --minutes N  default 30
#   --mbps R     replay rate in Mbit/s (default: the capture's own timing)
#   CAPTURE      default /var/tmp/medsentry-bench/clinical.pcap
set -uo pipefail
cd "$(dirname "$0")/.."
RUN=0 MINUTES=30 MBPS="" CAP=/var/tmp/medsentry-bench/clinical.pcap
while [ $# -gt 0 ]; do
  case "$1" in
    --run) RUN=1 ;;
    --read) RUN=read ;;
    --minutes) MINUTES=$2; shift ;;
    --mbps) MBPS=$2; shift ;;
    -*) echo "soak.sh: unknown option $1" >&2; exit 2 ;;
    *) CAP=$1 ;;
  esac
  shift
done
[ "$RUN" != 0 ] || { sed -n '2,19p' "$0" >&2; exit 2; }
[ "$RUN" = read ] && exec python3 bench/soak_read.py --minutes "$MINUTES" "$CAP"
[ "$(id -u)" = 0 ] || { echo "soak.sh: needs root" >&2; exit 2; }
for t in ip tcpreplay; do command -v $t >/dev/null || { echo "soak.sh: needs $t (scripts/install-deps.sh)" >&2; exit 2; }; done
[ -s "$CAP" ] || { echo "soak.sh: $CAP: no such capture (../shared/bench/make_pcap.sh builds it)" >&2; exit 2; }
BIN=$PWD/build/medsentry
NI=mssoak-in NO=mssoak-out A=mssoak-a B=mssoak-b
WORK=$(mktemp -d /var/tmp/ms-soak-XXXXXX)
cleanup() {
  [ -n "${RP:-}" ] && kill "$RP" 2>/dev/null
  [ -n "${MP:-}" ] && kill -TERM "$MP" 2>/dev/null && wait "$MP" 2>/dev/null
  ip netns del $NI 2>/dev/null; ip netns del $NO 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
ip netns del $NI 2>/dev/null; ip netns del $NO 2>/dev/null
ip netns add $NI && ip netns add $NO
ip link add $A type veth peer name $B
ip link set $A netns $NI && ip link set $B netns $NO
for ns in $NI $NO; do ip netns exec $ns sysctl -qw net.ipv6.conf.all.disable_ipv6=1; done
ip netns exec $NI ip link set $A mtu 9000 up
ip netns exec $NO ip link set $B mtu 9000 up

MEDSENTRY_PHI_KEY=$WORK/phi.key ip netns exec $NI "$BIN" monitor -i $A -o "$WORK/out" --db "$WORK/inv.db" \
  --workers 2 --stats-interval 60 -q 2>"$WORK/monitor.err" &
MP=$!
sleep 2
RATE=(); [ -n "$MBPS" ] && RATE=(--mbps="$MBPS")
# --loop=0 is forever; the loop ends when the time is up.
ip netns exec $NO tcpreplay -q -i $B --loop=0 "${RATE[@]}" "$CAP" >/dev/null 2>&1 &
RP=$!
start=$(date +%s) base="" worst=0
echo "seconds  rss_MB  vs_minute_1"
while [ $(( $(date +%s) - start )) -lt $((MINUTES * 60)) ]; do
  sleep 10
  kill -0 $MP 2>/dev/null || { echo "soak.sh: the monitor died" >&2; cat "$WORK/monitor.err" >&2; exit 1; }
  rss=$(awk '/VmRSS/ {print $2}' /proc/$MP/status)
  el=$(( $(date +%s) - start ))
  if [ -z "$base" ] && [ $el -ge 60 ]; then base=$rss; fi
  if [ -n "$base" ]; then
    dev=$(awk -v r=$rss -v b=$base 'BEGIN { d = (r - b) * 100 / b; printf "%+.1f%%", d }')
    worst=$(awk -v r=$rss -v b=$base -v w=$worst 'BEGIN { d = (r - b) * 100 / b; if (d < 0) d = -d; print (d > w ? d : w) }')
  else
    dev="(learning)"
  fi
  printf "%7d %7.1f  %s\n" $el "$(awk -v r=$rss 'BEGIN { print r / 1024 }')" "$dev"
done
drops=$(grep -o 'the kernel dropped [0-9]*' "$WORK/monitor.err" | awk '{s += $4} END {print s + 0}')
echo "kernel drops reported: $drops"
if [ -z "$base" ]; then echo "soak.sh: run at least 2 minutes" >&2; exit 2; fi
if awk -v w=$worst 'BEGIN { exit !(w <= 10) }'; then
  echo "RSS within 10% of its value after minute one (worst ${worst}%): flat"
  exit 0
fi
echo "RSS moved ${worst}% from its value after minute one: NOT flat"
exit 1
