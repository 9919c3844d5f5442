"""Differential test: medsentry's flows against tshark's TCP and UDP conversations.

For every capture of ../shared/corpus (MANIFEST), three views of each
conversation (the 5-tuple, directions kept) are compared:

  T  tshark -q -z conv,tcp -z conv,udp   (frames exact, bytes as tshark prints them)
  F  tshark's own per-frame decoding (-T fields), summed per 5-tuple by this test
  M  medsentry's flow events, summed per 5-tuple (flows split by a timeout,
     port reuse or VLAN are one tshark conversation)

A conversation passes when M equals T. Where it does not, M must equal F and
the difference must fall under one of these explanations, each counted:

  conv_table   tshark's conversation table disagrees with tshark's own frames:
               it lists SNMP request/response twice (mirrored) with one frame
               each way, and keeps one entry when TCP ports are reused.
  tunnel       a frame tunnelled inside UDP (CAPWAP carrying 802.11) that
               tshark opens and medsentry does not: medsentry counts the outer
               UDP flow, tshark the inner one.
  icmp_quote   a TCP/UDP header quoted inside an ICMP error: tshark counts it
               in a TCP/UDP conversation, medsentry in the ICMP flow.

Anything else fails the test. At least 20 captures must agree with T exactly.
"""
import collections
import os
import re
import subprocess

import mstest

CONV_LINE = re.compile(r"^(\S+)\s+<->\s+(\S+)\s+(\d+)\s+(\d+)\s+(\S+)\s+(\d+)\s+(\d+)\s+(\S+)\s+(\d+)\s+(\d+)\s+(\S+)\s+")


def tshark_size(n):
    """Bytes as tshark 4.0 prints them (format_size, SI prefixes, truncated)."""
    for div, unit in ((10**9, "GB"), (10**6, "MB"), (10**3, "kB")):
        if n // div >= 10:
            return "%d %s" % (n // div, unit)
    return "%d bytes" % n


def endpoint(s):
    addr, port = s.rsplit(":", 1)
    return addr, int(port)


def normalise(proto, a, b, ab, ba):
    """Key with the lower endpoint first; values (frames, bytes) lower->higher, higher->lower."""
    if a <= b:
        return (proto, a, b), (ab, ba)
    return (proto, b, a), (ba, ab)


def conv_table(path):
    out = mstest.run_cmd(["tshark", "-r", path, "-q", "-z", "conv,tcp", "-z", "conv,udp"]).stdout
    convs = {}
    proto = None
    for line in out.splitlines():
        if line.startswith("TCP Conversations"):
            proto = "TCP"
        elif line.startswith("UDP Conversations"):
            proto = "UDP"
        m = CONV_LINE.match(line)
        if m and proto:
            a, b = endpoint(m.group(1)), endpoint(m.group(2))
            ba = (int(m.group(3)), m.group(4) + " " + m.group(5))
            ab = (int(m.group(6)), m.group(7) + " " + m.group(8))
            k, v = normalise(proto, a, b, ab, ba)
            convs[k] = v
    return convs


FIELDS = ["frame.protocols", "frame.len", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst",
          "tcp.srcport", "tcp.dstport", "udp.srcport", "udp.dstport"]


def frame_view(path):
    """tshark's per-frame decoding summed per 5-tuple of the first TCP/UDP
    header (the one medsentry keys a flow on). Returns (sums, reasons) where
    reasons maps a key to the explanations its frames call for."""
    cmd = ["tshark", "-r", path, "-T", "fields", "-E", "separator=\t", "-E", "occurrence=a"]
    for f in FIELDS:
        cmd += ["-e", f]
    out = mstest.run_cmd(cmd).stdout
    sums = collections.defaultdict(lambda: [[0, 0], [0, 0]])
    reasons = collections.defaultdict(set)
    for line in out.splitlines():
        cols = line.split("\t")
        cols += [""] * (len(FIELDS) - len(cols))
        row = dict(zip(FIELDS, cols))
        protos = row["frame.protocols"].split(":")
        transports = [i for i, p in enumerate(protos) if p in ("tcp", "udp")]
        if not transports:
            continue

        def key_at(ti):
            """5-tuple of the transport at protocol index ti (and its IP header)."""
            proto = protos[ti]
            l3 = max(i for i in range(ti) if protos[i] in ("ip", "ipv6"))
            fam = protos[l3]
            nth_ip = sum(1 for p in protos[:l3 + 1] if p == fam) - 1
            nth_l4 = sum(1 for p in protos[:ti + 1] if p == proto) - 1
            src = row[fam + ".src"].split(",")[nth_ip]
            dst = row[fam + ".dst"].split(",")[nth_ip]
            sp = int(row[proto + ".srcport"].split(",")[nth_l4])
            dp = int(row[proto + ".dstport"].split(",")[nth_l4])
            return proto.upper(), (src, sp), (dst, dp)

        first = transports[0]
        if any(p in ("icmp", "icmpv6") for p in protos[:first]):
            proto, a, b = key_at(first)
            k, _ = normalise(proto, a, b, 0, 0)
            reasons[k].add("icmp_quote")
            continue
        if len(transports) > 1:
            proto, a, b = key_at(transports[-1])
            k, _ = normalise(proto, a, b, 0, 0)
            reasons[k].add("tunnel")
        proto, a, b = key_at(first)
        k, _ = normalise(proto, a, b, 0, 0)
        d = 0 if (a <= b) else 1
        sums[k][d][0] += 1
        sums[k][d][1] += int(row["frame.len"])
    return {k: ((v[0][0], v[0][1]), (v[1][0], v[1][1])) for k, v in sums.items()}, reasons


def medsentry_view(run):
    sums = collections.defaultdict(lambda: [[0, 0], [0, 0]])
    for e in run.of_type("flow"):
        if e["proto"] not in ("TCP", "UDP"):
            continue
        f = e["flow"]
        a = (e["src_ip"], e["src_port"])
        b = (e["dest_ip"], e["dest_port"])
        k, (ab, ba) = normalise(e["proto"], a, b, (f["pkts_toserver"], f["bytes_toserver"]),
                                (f["pkts_toclient"], f["bytes_toclient"]))
        for d, (p, by) in enumerate((ab, ba)):
            sums[k][d][0] += p
            sums[k][d][1] += by
    return {k: ((v[0][0], v[0][1]), (v[1][0], v[1][1])) for k, v in sums.items()}


def printed(v):
    return ((v[0][0], tshark_size(v[0][1])), (v[1][0], tshark_size(v[1][1])))


def corpus_captures():
    with open(mstest.corpus("manifest_pcaps.tsv")) as f:
        rows = [line.split("\t")[0] for line in f.read().splitlines()[1:]]
    return [mstest.corpus(r) for r in rows if r]


def compare(path, out, inventory=False):
    T = conv_table(path)
    F, reasons = frame_view(path)
    # Flows only: the inventory is tested elsewhere (test_inventory, test_lab).
    M = medsentry_view(mstest.analyze(path, out, extra=[] if inventory else ["--no-inventory"]))
    result = collections.Counter()
    unexplained = []
    for k in sorted(set(T) | set(M), key=str):
        t, m = T.get(k), M.get(k)
        if m is not None and t is not None and printed(m) == t:
            result["agree"] += 1
            continue
        f = F.get(k)
        if m is not None and f == m and t is not None and k not in reasons:
            result["conv_table"] += 1  # tshark's table disagrees with tshark's frames
            continue
        if m is not None and f == m and t is None:
            result["conv_table"] += 1  # a conversation tshark's table leaves out
            continue
        if t is not None and m is None and reasons.get(k):
            for r in reasons[k]:
                result[r] += 1
            continue
        if m is not None and f == m and reasons.get(k):
            for r in reasons[k]:
                result[r] += 1
            continue
        unexplained.append((k, "tshark conv %s, tshark frames %s, medsentry %s" % (t, f, m)))
    return result, unexplained


def test_flows_agree_with_tshark_conversations():
    exact = 0
    total = collections.Counter()
    failures = []
    checked = 0
    for i, path in enumerate(corpus_captures()):
        out = mstest.workdir("c%03d" % i)
        result, unexplained = compare(path, out)
        if not result and not unexplained:
            continue  # no TCP/UDP in this capture
        checked += 1
        total.update(result)
        if set(result) == {"agree"} and not unexplained:
            exact += 1
        for k, why in unexplained:
            failures.append("%s: %s %s" % (os.path.relpath(path, mstest.corpus()), k, why))
    print("captures with TCP/UDP: %d, agreeing exactly with tshark's conversation table: %d" % (checked, exact))
    print("conversations: " + ", ".join("%s %d" % kv for kv in sorted(total.items())))
    assert not failures, "unexplained differences:\n  " + "\n  ".join(failures[:30])
    assert exact >= 20, "only %d captures agree exactly" % exact
    assert total["agree"] > 10 * (total["conv_table"] + total["tunnel"] + total["icmp_quote"])


if __name__ == "__main__":
    mstest.main(globals())
