"""Writes small pcap files of TCP conversations for tests: a handshake, the
given payloads each way in order (split into segments), and a FIN exchange.
Used where the bytes themselves are the test vector (a peer's encoded PDUs,
look-alike traffic); protocol behaviour is tested on real programs' captures."""
import struct


def _csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def _ip(a):
    return bytes(int(x) for x in a.split("."))


class TcpSession:
    def __init__(self, client=("10.1.0.10", 40000), server=("10.1.0.20", 104), t0=1700000000.0, mss=1400,
                 macs=("00095c000020", "444b5d000011")):
        """macs: the server's and the client's Ethernet addresses (hex)."""
        self.c, self.s, self.t, self.mss = client, server, t0, mss
        self.macs = macs
        self.seq = {0: 1000, 1: 5000}
        self.frames = []
        self._packet(0, 0x02, b"")          # SYN
        self.seq[0] += 1
        self._packet(1, 0x12, b"")          # SYN-ACK
        self.seq[1] += 1
        self._packet(0, 0x10, b"")          # ACK

    def _packet(self, d, flags, payload):
        src, dst = (self.c, self.s) if d == 0 else (self.s, self.c)
        ack = self.seq[1 - d] if flags != 0x02 else 0
        tcp = struct.pack("!HHIIBBHHH", src[1], dst[1], self.seq[d] & 0xFFFFFFFF, ack & 0xFFFFFFFF, 0x50, flags,
                          65535, 0, 0)
        pseudo = _ip(src[0]) + _ip(dst[0]) + struct.pack("!BBH", 0, 6, len(tcp) + len(payload))
        tcp = tcp[:16] + struct.pack("!H", _csum(pseudo + tcp + payload)) + tcp[18:]
        iph = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp) + len(payload), 1, 0x4000, 64, 6, 0,
                          _ip(src[0]), _ip(dst[0]))
        iph = iph[:10] + struct.pack("!H", _csum(iph)) + iph[12:]
        srv, cli = self.macs
        eth = bytes.fromhex(srv if d == 0 else cli) + bytes.fromhex(cli if d == 0 else srv) + b"\x08\x00"
        self.t += 0.001
        self.frames.append((self.t, eth + iph + tcp + payload))

    def send(self, d, data):
        """Payload from the client (d=0) or the server (d=1), in MSS-sized segments."""
        for i in range(0, len(data), self.mss):
            chunk = data[i:i + self.mss]
            self._packet(d, 0x18, chunk)
            self.seq[d] += len(chunk)
        self._packet(1 - d, 0x10, b"")
        return self

    def close(self):
        self._packet(0, 0x11, b"")
        self.seq[0] += 1
        self._packet(1, 0x11, b"")
        self.seq[1] += 1
        self._packet(0, 0x10, b"")
        return self


class UdpExchange:
    """UDP datagrams between two endpoints: each send() is one datagram."""
    def __init__(self, client=("10.1.0.10", 40000), server=("10.1.0.20", 53), t0=1700000000.0):
        self.c, self.s, self.t = client, server, t0
        self.frames = []

    def send(self, d, payload):
        src, dst = (self.c, self.s) if d == 0 else (self.s, self.c)
        udp = struct.pack("!HHHH", src[1], dst[1], 8 + len(payload), 0)
        pseudo = _ip(src[0]) + _ip(dst[0]) + struct.pack("!BBH", 0, 17, len(udp) + len(payload))
        udp = udp[:6] + struct.pack("!H", _csum(pseudo + udp + payload) or 0xFFFF)
        iph = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp) + len(payload), 1, 0x4000, 64, 17, 0,
                          _ip(src[0]), _ip(dst[0]))
        iph = iph[:10] + struct.pack("!H", _csum(iph)) + iph[12:]
        eth = bytes.fromhex("00095c000020444b5d0000110800" if d == 0 else "444b5d00001100095c0000200800")
        self.t += 0.001
        self.frames.append((self.t, eth + iph + udp + payload))
        return self


def write(path, sessions, raw_ip=False):
    """raw_ip: link type RAW (101), the IP datagrams without their Ethernet
    header, as a phone's capture app writes them."""
    frames = sorted(f for s in sessions for f in s.frames)
    if raw_ip:
        frames = [(t, data[14:]) for t, data in frames]
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 101 if raw_ip else 1))
        for t, data in frames:
            f.write(struct.pack("<IIII", int(t), int(round((t - int(t)) * 1e6)), len(data), len(data)))
            f.write(data)
