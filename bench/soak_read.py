#!/usr/bin/env python3
"""`bench/soak.sh --read`: the soak's minutes of packet time at CPU speed.
The capture is looped (bench/loop_pcap.py, through a FIFO: no big file) into
`medsentry monitor --read`, which runs the live stages paced by packet time
and writes a stats event every 10 s of it with the process's RSS and the
heap in use (tcmalloc's bytes held by the program). The table shows both;
the verdict is the soak's 10% rule on each minute's lowest heap in use,
against minute two (minute one is the process's first second here), because at CPU speed the queues between the stages run
full and make RSS and the heap jump by the batches in them. The live
`--run` judges RSS.
Exit 0: flat; 1: not flat; 2: could not run.
"""
import argparse
import json
import math
import os
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import loop_pcap  # noqa: E402


def duration_s(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack_from("<I", data, 0)[0] if len(data) >= 24 else 0
    if magic not in loop_pcap.MAGICS:
        sys.exit(f"soak.sh: {path}: not a classic pcap file (editcap -F pcap converts)")
    order, per_sec = loop_pcap.MAGICS[magic]
    times = [s * per_sec + f for _, _, s, f in loop_pcap.records(data, order, 24)]
    if not times:
        sys.exit(f"soak.sh: {path}: no packets")
    return (max(times) - min(times)) / per_sec


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=int, default=30)
    ap.add_argument("capture")
    a = ap.parse_args()
    binary = os.path.join(os.path.dirname(HERE), "build", "medsentry")
    if not os.access(binary, os.X_OK):
        print(f"soak.sh: {binary}: not built", file=sys.stderr)
        return 2
    if not os.path.isfile(a.capture):
        print(f"soak.sh: {a.capture}: no such capture", file=sys.stderr)
        return 2
    span = a.minutes * 60
    loops = max(1, math.ceil(span / max(duration_s(a.capture), 1.0)))
    with tempfile.TemporaryDirectory(prefix="ms-soak-read-", dir="/var/tmp") as work:
        fifo = os.path.join(work, "loop.pcap")
        os.mkfifo(fifo)
        feeder = subprocess.Popen([sys.executable, os.path.join(HERE, "loop_pcap.py"), a.capture, fifo,
                                   "--loops", str(loops)])
        env = dict(os.environ, MEDSENTRY_PHI_KEY=os.path.join(work, "phi.key"))
        mon = subprocess.run([binary, "monitor", "--read", fifo, "-o", os.path.join(work, "out"),
                              "--db", os.path.join(work, "inv.db"), "--workers", "2", "--stats-interval", "10",
                              "-q"], env=env, stderr=subprocess.PIPE, text=True)
        feeder.wait()
        if mon.returncode != 0:
            print(f"soak.sh: the monitor failed:\n{mon.stderr}", file=sys.stderr)
            return 1
        rows = []
        out = os.path.join(work, "out")
        for run in os.listdir(out):
            with open(os.path.join(out, run, "events.jsonl")) as f:
                for line in f:
                    if '"interim":true' not in line:
                        continue
                    live = json.loads(line)["stats"]["live"]
                    if live["uptime_s"] <= span:
                        rows.append((live["uptime_s"], live["rss_bytes"] / 2**20, live.get("heap_bytes", 0) / 2**20))
    rows.sort()
    if not rows or rows[-1][0] < 120 or not rows[-1][2]:
        print("soak.sh: fewer than 2 minutes of stats, or no heap figure (a build without tcmalloc)",
              file=sys.stderr)
        return 2
    # Each minute's lowest heap: the state kept, without the batches that
    # happen to be in the full queues at a sample.
    # The reference is minute 2: at CPU speed packet-minute one is the
    # process's first second, its start (the registries loading) still in
    # the heap; live, minute one is a minute of wall time.
    floors = {}
    for t, _, heap in rows:
        floors[t // 60] = min(heap, floors.get(t // 60, heap))
    if 2 not in floors:
        print("soak.sh: fewer than 3 minutes of stats", file=sys.stderr)
        return 2
    base = floors[2]
    last = rows[-1][0] // 60  # the last minute may be cut short: not judged
    devs = {m: (f - base) * 100 / base for m, f in floors.items() if 2 <= m < last}
    worst = max((abs(d) for d in devs.values()), default=0.0)
    print(f"{loops} loops of {a.capture} at CPU speed, 2 workers")
    print("packet_s  rss_MB  heap_MB  minute's_lowest_heap_vs_minute_2")
    for t, rss, heap in rows:
        dev = ""
        m = t // 60 - 1
        if t % 60 < 10 and m in devs:  # one line a minute says the minute before
            dev = f"minute {m}: {floors[m]:.1f} MB {devs[m]:+.1f}%"
        print(f"{t:8d} {rss:7.1f} {heap:8.1f}  {dev}")
    if worst <= 10:
        print(f"heap in use within 10% of its value in minute two (worst {worst:.1f}%): flat")
        return 0
    print(f"heap in use moved {worst:.1f}% from its value in minute two: NOT flat")
    return 1


if __name__ == "__main__":
    sys.exit(main())
