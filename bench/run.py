#!/usr/bin/env python3
"""Throughput of medsentry beside its peers on one capture, in one run.

Runs each command several times, in turns (tshark fewer: it is slow), takes
the median wall time, and prints MB/s, packets/s, peak resident memory and CPU
time (GNU time).
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
    """(seconds, peak RSS in MB, CPU seconds) of one run, via GNU time.

    The previous run's output directory is removed first, untimed: deleting
    100 MB of old events is the file system's work, not the analysis's."""
    if "-o" in cmd:
        shutil.rmtree(cmd[cmd.index("-o") + 1], ignore_errors=True)
    with tempfile.NamedTemporaryFile("r") as tf:
        proc = subprocess.run(["/usr/bin/time", "-f", "%e %M %U %S", "-o", tf.name] + cmd,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if proc.returncode != 0:
            raise SystemExit("failed: %s\n%s" % (" ".join(cmd), proc.stderr[-2000:]))
        secs, kb, user, system = tf.read().split()[-4:]
    return float(secs), int(kb) / 1024.0, float(user) + float(system)


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
        ("medsentry -w1 --no-inventory --no-detect", [a.binary, "analyze", a.capture, "-o", out + "/w1s", "--workers",
                                                      "1", "-q", "--no-inventory", "--no-detect"], a.runs),
        ("ndpiReader -i", ["ndpiReader", "-i", a.capture, "-q"], a.runs),
        ("tshark -q -z conv,tcp", ["tshark", "-r", a.capture, "-q", "-z", "conv,tcp"], max(1, a.runs // 2)),
        ("tcpdump -w /dev/null", ["tcpdump", "-r", a.capture, "-w", "/dev/null"], a.runs),
    ]
    print("capture: %s (%.1f MB, %d packets), median of runs, %d cores" % (a.capture, size_mb, packets, os.cpu_count()))
    # CPU s: user + system time of the run (median); cores: CPU s / seconds,
    # how many cores the run kept busy on average.
    print("%-36s %4s %8s %8s %11s %8s %7s %6s" % ("command", "runs", "seconds", "MB/s", "packets/s", "peak MB",
                                                  "CPU s", "cores"))
    # Round robin: run 1 of every command, then run 2 ..., so that a busy
    # moment of the machine (a shared VM is noisy) falls on all of them alike.
    samples = {name: [] for name, _, _ in tools}
    for r in range(max(runs for _, _, runs in tools)):
        for name, cmd, runs in tools:
            if r < runs:
                samples[name].append(timed(cmd))
    results, cpus = {}, {}
    for name, cmd, runs in tools:
        med = statistics.median(s for s, _, _ in samples[name])
        cpu = statistics.median(c for _, _, c in samples[name])
        results[name] = med
        cpus[name] = cpu
        print("%-36s %4d %8.2f %8.1f %11.0f %8.1f %7.2f %6.2f" % (name, runs, med, size_mb / med, packets / med,
                                                                 max(m for _, m, _ in samples[name]), cpu, cpu / med))
    w1, w2 = results["medsentry analyze --workers 1"], results["medsentry analyze --workers 2"]
    print("medsentry 1 worker vs ndpiReader: %.2fx as fast (issue 14 target >= 1.5)" % (results["ndpiReader -i"] / w1))
    stripped = "medsentry -w1 --no-inventory --no-detect"
    print("inventory + detections cost: %+.0f%% CPU, %+.0f%% time against %s (issue 14 target <= +15%% CPU)" % (
        100 * (cpus["medsentry analyze --workers 1"] / cpus[stripped] - 1),
        100 * (w1 / results[stripped] - 1), stripped))
    print("medsentry 2 workers vs 1 worker:  %.2fx (target >= 1.7; a second worker can only help when the "
          "one-worker run leaves a core idle: see its cores column)" % (w1 / w2))
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
