#!/usr/bin/env python3
"""The flood bench (issue 14): does the sensor hold up under the attacks it
must report? Builds (bench/make_floods.py, once) a 1,000,000-SYN flood from
spoofed sources against a PACS, a 200,000-fragment flood against a monitor and
a /16 SYN scan, then runs medsentry on each with everything on and with
`--no-inventory --no-detect`, in turns, and prints the median time, the ratio,
the peak memory, and the alert each flood raised.

Targets: everything-on at most 2x the stripped run's time; peak memory under
1 GiB on the 1 M-SYN file; each flood raises its alert (dos or scan) naming the
target.

Usage: bench/floods.py [--runs N] [--binary build/medsentry] [--dir /var/tmp/medsentry-floods]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from run import timed  # noqa: E402  (the main bench's GNU time wrapper)

FLOODS = [
    # file, make_floods kind, the alert it must raise and the address it names
    ("syn-1m.pcap", "syn", "dos", "10.20.1.50"),
    ("frag-200k.pcap", "frag", "dos", "10.20.2.31"),
    ("scan-16.pcap", "scan", "scan", "10.20.7.7"),
]


def alerts_of(outdir):
    found = []
    with open(os.path.join(outdir, "events.jsonl"), encoding="utf-8") as f:
        for line in f:
            if '"event_type":"alert"' in line:
                a = json.loads(line)["alert"]
                found.append((a["rule"], a.get("src", {}).get("ip", ""), a.get("dest", {}).get("ip", "")))
    return found


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--binary", default=os.path.join(HERE, "..", "build", "medsentry"))
    ap.add_argument("--dir", default="/var/tmp/medsentry-floods")
    a = ap.parse_args()
    os.makedirs(a.dir, exist_ok=True)
    work = tempfile.mkdtemp(prefix="ms-floods-", dir="/var/tmp")
    print("%-16s %-28s %5s %8s %9s %8s" % ("capture", "command", "runs", "seconds", "peak MB", "CPU s"))
    ok = True
    for name, kind, rule, who in FLOODS:
        path = os.path.join(a.dir, name)
        if not os.path.exists(path):
            subprocess.run([sys.executable, os.path.join(HERE, "make_floods.py"), kind, path], check=True)
        cmds = {
            "everything on": [a.binary, "analyze", path, "-o", work + "/on", "-q", "--db", work + "/on.db"],
            "--no-inventory --no-detect": [a.binary, "analyze", path, "-o", work + "/off", "-q", "--no-inventory",
                                           "--no-detect"],
        }
        res = {k: [] for k in cmds}
        for _ in range(a.runs):
            for k, cmd in cmds.items():  # in turns: a noisy moment falls on both
                if os.path.exists(work + "/on.db"):
                    os.unlink(work + "/on.db")
                res[k].append(timed(cmd))
        med = {}
        for k, runs in res.items():
            med[k] = (statistics.median(r[0] for r in runs), max(r[1] for r in runs),
                      statistics.median(r[2] for r in runs))
            print("%-16s %-28s %5d %8.2f %9.1f %8.2f" % (name, k, a.runs, *med[k]))
        ratio = med["everything on"][0] / max(med["--no-inventory --no-detect"][0], 1e-3)
        alerts = alerts_of(work + "/on")
        hit = [x for x in alerts if x[0] == rule and who in (x[1], x[2])]
        print("%-16s ratio %.2fx (target <= 2x)%s; %s alert naming %s: %s" % (
            name, ratio, "" if kind != "syn" else "; peak %.0f MB (target < 1024)" % med["everything on"][1],
            rule, who, "yes" if hit else "NO"))
        ok = ok and bool(hit) and ratio <= 2.0 and (kind != "syn" or med["everything on"][1] < 1024)
    subprocess.run(["rm", "-rf", work])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
