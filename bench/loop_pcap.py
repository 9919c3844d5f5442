#!/usr/bin/env python3
"""A long capture from a short one, for the soak at CPU speed (issue 17):
the packets of CAPTURE N times over, each copy's timestamps shifted by the
capture's duration plus GAP, as `tcpreplay --loop=N` would play them live.
`medsentry monitor --read` then runs 30 minutes of packet time in about a
minute (bench/soak.sh --read). Classic pcap only (micro- or nanosecond,
either byte order; `editcap -F pcap` converts pcapng). OUT "-" is stdout,
so a FIFO spares the disk several gigabytes.

Usage: bench/loop_pcap.py CAPTURE OUT --loops N [--gap SECONDS]
"""
import argparse
import struct
import sys

MAGICS = {  # magic as read little-endian -> (byte order, units per second)
    0xA1B2C3D4: ("<", 1_000_000),
    0xD4C3B2A1: (">", 1_000_000),
    0xA1B23C4D: ("<", 1_000_000_000),
    0x4D3CB2A1: (">", 1_000_000_000),
}


def records(data, order, start):
    """(offset, length, ts_sec, ts_frac) of each record; stops at a cut one."""
    rec = struct.Struct(order + "IIII")
    off = start
    while off + 16 <= len(data):
        sec, frac, incl, _orig = rec.unpack_from(data, off)
        if off + 16 + incl > len(data):
            break
        yield off, 16 + incl, sec, frac
        off += 16 + incl


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("capture")
    ap.add_argument("out")
    ap.add_argument("--loops", type=int, required=True)
    ap.add_argument("--gap", type=float, default=0.01, help="seconds between copies (default 0.01)")
    a = ap.parse_args()
    if a.loops < 1 or a.gap < 0:
        sys.exit("loop_pcap.py: --loops must be >= 1 and --gap >= 0")
    with open(a.capture, "rb") as f:
        data = f.read()
    if len(data) < 24 or struct.unpack_from("<I", data, 0)[0] not in MAGICS:
        sys.exit(f"loop_pcap.py: {a.capture}: not a classic pcap file (editcap -F pcap converts)")
    order, per_sec = MAGICS[struct.unpack_from("<I", data, 0)[0]]
    recs = list(records(data, order, 24))
    if not recs:
        sys.exit(f"loop_pcap.py: {a.capture}: no packets")
    first = recs[0][2] * per_sec + recs[0][3]
    last = max(r[2] * per_sec + r[3] for r in recs)
    step = last - first + int(a.gap * per_sec)
    hdr = struct.Struct(order + "II")
    out = sys.stdout.buffer if a.out == "-" else open(a.out, "wb")
    try:
        out.write(data[:24])
        for n in range(a.loops):
            shift = n * step
            buf = bytearray()
            for off, length, sec, frac in recs:
                t = sec * per_sec + frac + shift
                buf += hdr.pack(t // per_sec, t % per_sec)
                buf += data[off + 8:off + length]
                if len(buf) > (8 << 20):
                    out.write(buf)
                    buf = bytearray()
            out.write(buf)
        out.flush()
    except BrokenPipeError:
        sys.exit(1)
    finally:
        if out is not sys.stdout.buffer:
            out.close()


if __name__ == "__main__":
    main()
