#!/usr/bin/env python3
"""Builds the flood captures of bench/floods.py (issue 14): what a sensor sees
during the denial-of-service and reconnaissance it must report.

  syn    N TCP SYNs from N spoofed sources (random, as hping3 --rand-source
         sends them) to one PACS port (DICOM, 104); the PACS answers none.
         ATT&CK for ICS T0814 (Denial of Service).
  frag   N IPv4 fragments of 1/8 of a datagram each (first fragments of
         distinct IP ids, never completed: the Teardrop/"Rose" style of
         reassembly-buffer exhaustion) from a few sources to one monitor.
  scan   a /16 ping-less SYN scan (nmap -sS -Pn -p 104 10.20.0.0/16): one
         source, 65,536 targets, one port. ATT&CK for ICS T0846.

Each capture starts with a short benign exchange so the target is a known
device (an ARP from its MAC). Writes classic pcap (microseconds, Ethernet).

Usage: make_floods.py KIND OUT.pcap [--count N] [--rate PPS]
"""
import argparse
import os
import random
import struct
import sys

# The IP/TCP checksum the test captures use (tests/integration/pcapgen.py).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "integration"))
from pcapgen import _csum as csum  # noqa: E402

PACS_MAC = bytes.fromhex("00095c000104")   # 00:09:5c Philips Medical Systems
MONITOR_MAC = bytes.fromhex("00095c000201")
ROUTER_MAC = bytes.fromhex("0000ac100001")
SCANNER_MAC = bytes.fromhex("52540012abcd")


def ip4(a):
    return bytes(int(x) for x in a.split("."))


class Writer:
    def __init__(self, path):
        self.f = open(path, "wb")
        self.f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))

    def frame(self, t, data):
        sec = int(t)
        usec = int(round((t - sec) * 1e6))
        if usec >= 1000000:
            sec, usec = sec + 1, usec - 1000000
        self.f.write(struct.pack("<IIII", sec, usec, len(data), len(data)))
        self.f.write(data)

    def close(self):
        self.f.close()


def ipv4(src, dst, proto, payload, ident=1, frag=0x4000, ttl=64):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident & 0xFFFF, frag, ttl, proto, 0, src, dst)
    return h[:10] + struct.pack("!H", csum(h)) + h[12:] + payload


def tcp_syn(src, dst, sport, dport, seq):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, 0, 0x50, 0x02, 64240, 0, 0)
    pseudo = src + dst + struct.pack("!BBH", 0, 6, len(tcp))
    return tcp[:16] + struct.pack("!H", csum(pseudo + tcp)) + tcp[18:]


def eth(dst_mac, src_mac, payload, etype=0x0800):
    return dst_mac + src_mac + struct.pack("!H", etype) + payload


def arp_reply(mac, ip):
    body = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 2, mac, ip4(ip), ROUTER_MAC, ip4("10.20.0.1"))
    return eth(ROUTER_MAC, mac, body, 0x0806)


def syn_flood(w, n, rate, rng, sources=0):
    t = 1767225600.0
    w.frame(t, arp_reply(PACS_MAC, "10.20.1.50"))
    dst = ip4("10.20.1.50")
    pool = [ip4("10.20.%d.%d" % (3 + k // 200, 10 + k % 200)) for k in range(sources)]
    for i in range(n):
        # Random spoofed sources (hping3 --rand-source), or with --sources a
        # fixed set of real clients (the benign twin: a busy archive).
        src = pool[i % sources] if sources else struct.pack("!I", rng.getrandbits(32))
        seg = tcp_syn(src, dst, rng.randint(1024, 65535), 104, rng.getrandbits(32))
        w.frame(t + 0.01 + i / rate, eth(PACS_MAC, ROUTER_MAC, ipv4(src, dst, 6, seg, ident=i)))


def frag_flood(w, n, rate, rng):
    t = 1767225600.0
    w.frame(t, arp_reply(MONITOR_MAC, "10.20.2.31"))
    dst = ip4("10.20.2.31")
    sources = [ip4("10.20.9.%d" % (10 + k)) for k in range(4)]
    payload = bytes(rng.getrandbits(8) for _ in range(64))
    for i in range(n):
        # A first fragment (MF set, offset 0) of a UDP datagram whose rest
        # never comes: each one holds a reassembly slot until it times out.
        src = sources[i % len(sources)]
        w.frame(t + 0.01 + i / rate,
                eth(MONITOR_MAC, ROUTER_MAC, ipv4(src, dst, 17, payload, ident=i, frag=0x2000)))


def scan16(w, n, rate, rng):
    t = 1767225600.0
    src = ip4("10.20.7.7")
    w.frame(t, arp_reply(SCANNER_MAC, "10.20.7.7"))
    targets = list(range(65536))
    rng.shuffle(targets)  # nmap randomises the target order
    for i, h in enumerate(targets[:n]):
        dst = ip4("10.20.0.0")[:2] + struct.pack("!H", h)
        seg = tcp_syn(src, dst, 40000 + (i % 8), 104, rng.getrandbits(32))
        w.frame(t + 0.01 + i / rate, eth(ROUTER_MAC, SCANNER_MAC, ipv4(src, dst, 6, seg, ident=i, ttl=44)))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("kind", choices=["syn", "frag", "scan"])
    ap.add_argument("out")
    ap.add_argument("--count", type=int, default=0, help="packets (default: 1,000,000 / 200,000 / 65,536)")
    ap.add_argument("--rate", type=float, default=0, help="packets per second (default 50,000 / 20,000 / 5,000)")
    ap.add_argument("--seed", type=int, default=14)
    ap.add_argument("--sources", type=int, default=0, help="syn: this many fixed sources instead of spoofed ones")
    a = ap.parse_args()
    n = a.count or {"syn": 1000000, "frag": 200000, "scan": 65536}[a.kind]
    rate = a.rate or {"syn": 50000.0, "frag": 20000.0, "scan": 5000.0}[a.kind]
    if n <= 0 or (a.kind == "scan" and n > 65536):
        print("make_floods: bad --count", file=sys.stderr)
        return 2
    rng = random.Random(a.seed)
    w = Writer(a.out)
    if a.kind == "syn":
        syn_flood(w, n, rate, rng, a.sources)
    else:
        {"frag": frag_flood, "scan": scan16}[a.kind](w, n, rate, rng)
    w.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
