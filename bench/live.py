#!/usr/bin/env python3
"""Live throughput (issue 17): tcpreplay plays a capture into one end of a veth
pair (network namespaces made here), and a receiver listens on the other end:
`medsentry monitor` with 1 and 2 workers, `tcpdump -i` and `ndpiReader -i`,
one after the other on the same replay, at full speed (--topspeed) and at
fixed rates (--mbps). Prints, per receiver and rate: packets sent, received,
lost (sent - received), the kernel's drop count where the tool reports it,
and the receiver's CPU seconds (user + system, from /proc) and cores.

Not in CI (it takes minutes and both cores). As root.
Usage: bench/live.py [CAPTURE] [--rates topspeed,1000,300] [--limit N] [--binary build/medsentry]
Default capture: /var/tmp/medsentry-bench/clinical.pcap (../shared/bench/make_pcap.sh builds it).
"""
import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

NS_IN, NS_OUT, IF_IN, IF_OUT = "msbench-in", "msbench-out", "msbench-a", "msbench-b"


def sh(*cmd, check=True):
    return subprocess.run(list(cmd), capture_output=True, text=True, check=check)


def setup():
    teardown()
    sh("ip", "netns", "add", NS_IN)
    sh("ip", "netns", "add", NS_OUT)
    sh("ip", "link", "add", IF_IN, "type", "veth", "peer", "name", IF_OUT)
    sh("ip", "link", "set", IF_IN, "netns", NS_IN)
    sh("ip", "link", "set", IF_OUT, "netns", NS_OUT)
    for ns, i in ((NS_IN, IF_IN), (NS_OUT, IF_OUT)):
        sh("ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1")
        sh("ip", "netns", "exec", ns, "ip", "link", "set", i, "mtu", "9000", "up")  # the capture has jumbo segments
    time.sleep(0.3)


def teardown():
    for ns in (NS_IN, NS_OUT):
        sh("ip", "netns", "del", ns, check=False)


def cpu_seconds(pid):
    """User + system seconds of a process and its waited-for children."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return sum(int(fields[i]) for i in (11, 12, 13, 14)) / tick


def replay(pcap, rate, limit):
    cmd = ["ip", "netns", "exec", NS_OUT, "tcpreplay", "-i", IF_OUT]
    cmd += ["--topspeed"] if rate == "topspeed" else ["--mbps=" + rate]
    if limit:
        cmd += ["--limit=%d" % limit]
    out = sh(*cmd, pcap).stdout
    m = re.search(r"Actual: (\d+) packets", out)
    return int(m.group(1)) if m else 0


def receivers(binary, tmp):
    def monitor(workers):
        def parse(rundir, _out):
            last = None
            with open(os.path.join(rundir(), "events.jsonl")) as f:
                for line in f:
                    if '"event_type":"stats"' in line:
                        last = json.loads(line)
            live = last["stats"]["live"]
            return live["packets"], live["kernel_drops"]
        out = os.path.join(tmp, "w%d" % workers)

        def rundir():
            return os.path.join(out, sorted(os.listdir(out))[-1])
        cmd = [binary, "monitor", "-i", IF_IN, "-o", out, "--db", out + ".db", "--workers", str(workers), "-q"]
        return ("medsentry monitor --workers %d" % workers, cmd, lambda o: parse(rundir, o))

    def tcpdump_parse(o):
        rec = int(re.search(r"(\d+) packets? captured", o).group(1))
        drop = int(re.search(r"(\d+) packets? dropped by kernel", o).group(1))
        return rec, drop

    def ndpi_parse(o):
        m = re.search(r"of (\d+) packets total", o)
        return (int(m.group(1)) if m else 0), None
    out = [monitor(1), monitor(2),
           ("tcpdump -i", ["tcpdump", "-i", IF_IN, "-nn", "-q", "-w", "/dev/null"], tcpdump_parse)]
    if shutil.which("ndpiReader"):
        out.append(("ndpiReader -i", ["ndpiReader", "-i", IF_IN], ndpi_parse))
    else:
        print("ndpiReader not installed (Debian: libndpi-bin): left out", file=sys.stderr)
    return out


def one(name, cmd, parse, pcap, rate, limit):
    proc = subprocess.Popen(["ip", "netns", "exec", NS_IN, *cmd], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    time.sleep(1.5)  # sockets bound
    t0 = time.time()
    cpu0 = cpu_seconds(proc.pid)
    sent = replay(pcap, rate, limit)
    time.sleep(2)  # the receiver drains its ring
    secs = time.time() - t0
    cpu = cpu_seconds(proc.pid) - cpu0
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=300)
    rec, kdrop = parse(out)
    return sent, rec, kdrop, cpu, secs


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("capture", nargs="?", default="/var/tmp/medsentry-bench/clinical.pcap")
    ap.add_argument("--rates", default="topspeed,1000,300", help="topspeed and/or Mbit/s, comma-separated")
    ap.add_argument("--limit", type=int, default=0, help="replay only the first N packets")
    ap.add_argument("--binary", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "build",
                                                     "medsentry"))
    a = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("bench/live.py: needs root (network namespaces, packet sockets)")
    for tool in ("ip", "tcpreplay", "tcpdump"):
        if not shutil.which(tool):
            sys.exit("bench/live.py: needs %s (scripts/install-deps.sh)" % tool)
    tmp = tempfile.mkdtemp(prefix="ms-live-bench-", dir="/var/tmp")
    os.environ["MEDSENTRY_PHI_KEY"] = os.path.join(tmp, "phi.key")
    print("capture: %s (%.1f MB)%s; %d cores" % (a.capture, os.path.getsize(a.capture) / 1e6,
                                                 ", first %d packets" % a.limit if a.limit else "", os.cpu_count()))
    print("%-32s %9s %9s %9s %7s %8s %7s %6s" % ("receiver", "rate", "sent", "received", "lost %", "k.drops",
                                                "CPU s", "cores"))
    setup()
    try:
        for rate in a.rates.split(","):
            for name, cmd, parse in receivers(os.path.abspath(a.binary), tmp):
                sent, rec, kdrop, cpu, secs = one(name, cmd, parse, a.capture, rate, a.limit)
                lost = 100.0 * max(0, sent - rec) / sent if sent else 0
                print("%-32s %9s %9d %9d %7.3f %8s %7.2f %6.2f" % (
                    name, rate if rate == "topspeed" else rate + "M", sent, rec, lost,
                    "-" if kdrop is None else kdrop, cpu, cpu / secs), flush=True)
    finally:
        teardown()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
