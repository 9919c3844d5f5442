#!/usr/bin/env python3
"""Throughput of medsentry beside its peers on one capture, in one run.

Runs each command several times (tshark fewer: it is slow), takes the median
wall time, and prints MB/s, packets/s and peak resident memory (GNU time).
Usage: bench/run.py CAPTURE [--runs N] [--binary build/medsentry]
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile


def count_packets(path):
    out = subprocess.run(["tcpdump", "-r", path, "-nn", "-q", "--count"], capture_output=True, text=True)
    for line in (out.stdout + out.stderr).splitlines():
        if line.endswith("packets") or "packet" in line:
            parts = line.split()
            if parts and parts[0].isdigit():
                return int(parts[0])
    raise SystemExit("cannot count packets: " + out.stderr)


def timed(cmd):
    """(seconds, peak RSS in MB) of one run, via GNU time.

    The previous run's output directory is removed first, untimed: deleting
    100 MB of old events is the file system's work, not the analysis's."""
    if "-o" in cmd:
        shutil.rmtree(cmd[cmd.index("-o") + 1], ignore_errors=True)
    with tempfile.NamedTemporaryFile("r") as tf:
        proc = subprocess.run(["/usr/bin/time", "-f", "%e %M", "-o", tf.name] + cmd,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if proc.returncode != 0:
            raise SystemExit("failed: %s\n%s" % (" ".join(cmd), proc.stderr[-2000:]))
        secs, kb = tf.read().split()[-2:]
    return float(secs), int(kb) / 1024.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("capture")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--binary", default=os.path.join(os.path.dirname(__file__), "..", "build", "medsentry"))
    ap.add_argument("--dicom", help="a DICOM-heavy capture: also compare with and without the DICOM dissector")
    a = ap.parse_args()
    size_mb = os.path.getsize(a.capture) / 1e6
    packets = count_packets(a.capture)
    out = tempfile.mkdtemp(prefix="ms-bench-", dir="/var/tmp")
    tools = [
        ("medsentry analyze --workers 1", [a.binary, "analyze", a.capture, "-o", out + "/w1", "--workers", "1", "-q",
                                           "--db", out + "/w1.db"], a.runs),
        ("medsentry analyze --workers 2", [a.binary, "analyze", a.capture, "-o", out + "/w2", "--workers", "2", "-q",
                                           "--db", out + "/w2.db"], a.runs),
        ("medsentry --workers 1 --no-inventory", [a.binary, "analyze", a.capture, "-o", out + "/w1n", "--workers", "1",
                                                  "-q", "--no-inventory"], a.runs),
        ("medsentry --workers 1 --no-detect", [a.binary, "analyze", a.capture, "-o", out + "/w1d", "--workers", "1",
                                               "-q", "--db", out + "/w1d.db", "--no-detect"], a.runs),
        ("ndpiReader -i", ["ndpiReader", "-i", a.capture, "-q"], a.runs),
        ("tshark -q -z conv,tcp", ["tshark", "-r", a.capture, "-q", "-z", "conv,tcp"], max(1, a.runs // 2)),
        ("tcpdump -w /dev/null", ["tcpdump", "-r", a.capture, "-w", "/dev/null"], a.runs),
    ]
    print("capture: %s (%.1f MB, %d packets), median of runs, %d cores" % (a.capture, size_mb, packets, os.cpu_count()))
    print("%-32s %5s %9s %9s %12s %9s" % ("command", "runs", "seconds", "MB/s", "packets/s", "peak MB"))
    results = {}
    for name, cmd, runs in tools:
        times, mems = [], []
        for _ in range(runs):
            s, m = timed(cmd)
            times.append(s)
            mems.append(m)
        med = statistics.median(times)
        results[name] = med
        print("%-32s %5d %9.2f %9.1f %12.0f %9.1f" % (name, runs, med, size_mb / med, packets / med, max(mems)))
    w1, w2 = results["medsentry analyze --workers 1"], results["medsentry analyze --workers 2"]
    print("medsentry 1 worker vs ndpiReader: %.2fx as fast (target >= 1.0)" % (results["ndpiReader -i"] / w1))
    print("medsentry 2 workers vs 1 worker:  %.2fx (target >= 1.7)" % (w1 / w2))
    if a.dicom:
        mb = os.path.getsize(a.dicom) / 1e6
        print()
        print("DICOM-heavy capture: %s (%.1f MB), 1 worker, median of %d runs" % (a.dicom, mb, a.runs))
        res = {}
        for name, extra in (("without the DICOM dissector", ["--disable-dissector", "dicom"]), ("with it", [])):
            times = sorted(timed([a.binary, "analyze", a.dicom, "-o", out + "/d", "--workers", "1", "-q",
                                  "--db", out + "/d.db"] + extra)[0]
                           for _ in range(a.runs))
            res[name] = statistics.median(times)
            print("%-32s %9.2f s %9.1f MB/s" % (name, res[name], mb / res[name]))
        print("DICOM dissector cost: %.2fx the core pipeline's time (target <= 1.5)" %
              (res["with it"] / res["without the DICOM dissector"]))
    shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
