"""Flow orientation from the first captured packet (issue 16): a capture that
starts with a DNS response, a SYN-ACK or a server's first bytes must still
make the querier the client, as Zeek (likely_server_ports, partial
connections) and Suricata (FlowSwap after protocol detection) do, and no
reversed flow may give a client a server role in the inventory."""
import json
import os
import struct

import mstest
import pcapgen

PHONE, RESOLVER, WEB = "10.1.0.10", "10.1.0.53", "10.1.0.20"


def dns_message(qid, name, response, answer_ip=None):
    """A DNS message (RFC 1035 §4.1): one A question; a response with one answer."""
    flags = 0x8180 if response else 0x0100
    q = b"".join(bytes([len(x)]) + x.encode() for x in name.split(".")) + b"\0" + struct.pack("!HH", 1, 1)
    msg = struct.pack("!HHHHHH", qid, flags, 1, 1 if answer_ip else 0, 0, 0) + q
    if answer_ip:
        msg += b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 300, 4) + bytes(int(x) for x in answer_ip.split("."))
    return msg


def response_first_capture(path, raw_ip=False):
    """Each flow's first captured packet is the server's: the resolver's
    answers (their queries were lost), an HTTP response and an FTP greeting
    picked up midstream, a SYN-ACK whose SYN was missed; and a multicast mDNS
    answer, which must not flip."""
    sessions = []
    for i in range(3):
        u = pcapgen.UdpExchange((PHONE, 40000 + i), (RESOLVER, 53), t0=1700000000.0 + i)
        u.send(1, dns_message(0x100 + i, "intranet%d.example.org" % i, True, "10.1.0.%d" % (80 + i)))
        sessions.append(u)
    http = pcapgen.TcpSession((PHONE, 51000), (WEB, 80), t0=1700000010.0)
    http.send(1, b"HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Length: 2\r\n\r\nok")
    http.frames = http.frames[3:]  # no handshake: the capture started later
    sessions.append(http)
    # An FTP greeting on a port no list knows: only its first bytes say server.
    ftp = pcapgen.TcpSession((PHONE, 51002), (WEB, 2121), t0=1700000015.0)
    ftp.send(1, b"220 ProFTPD Server ready.\r\n")
    ftp.frames = ftp.frames[3:]
    sessions.append(ftp)
    tls = pcapgen.TcpSession((PHONE, 51001), (WEB, 443), t0=1700000020.0)
    tls.frames = tls.frames[1:]  # the SYN was lost: the SYN-ACK comes first
    sessions.append(tls)
    mdns = pcapgen.UdpExchange(("224.0.0.251", 5353), (RESOLVER, 5353), t0=1700000030.0)
    mdns.send(1, dns_message(0, "printer.local", True, RESOLVER))
    sessions.append(mdns)
    pcapgen.write(path, sessions, raw_ip=raw_ip)


def inventory(db):
    """The device holding each address (pcapgen gives the servers one MAC)."""
    p = mstest.run_cmd([mstest.ARGS.binary, "inventory", "--db", db, "--format", "json"])
    assert p.returncode == 0, p.stderr
    return {a["ip"]: d for d in json.loads(p.stdout) for a in d["ips"]}


def check(raw_ip):
    out = mstest.workdir("raw" if raw_ip else "eth")
    pcap = os.path.join(out, "capture.pcap")
    response_first_capture(pcap, raw_ip)
    run = mstest.analyze(pcap, out)
    flows = run.of_type("flow")
    unicast = [f for f in flows if f["dest_ip"] != "224.0.0.251" and f["src_ip"] != "224.0.0.251"]
    assert len(unicast) == 6, flows
    for f in unicast:
        assert f["src_ip"] == PHONE and f["dest_ip"] in (RESOLVER, WEB), f
        assert f["dest_port"] in (53, 80, 443, 2121), f
    mdns = [f for f in flows if "224.0.0.251" in (f["src_ip"], f["dest_ip"])]
    assert len(mdns) == 1 and mdns[0]["src_ip"] == RESOLVER, mdns
    dns = [e for e in run.of_type("dns") if e["dest_port"] == 53]
    assert len(dns) == 3 and all(e["src_ip"] == PHONE for e in dns), dns
    inv = inventory(os.path.join(out, "inventory.db"))
    phone, resolver = inv[PHONE], inv[RESOLVER]
    assert "dns_server" not in phone.get("roles", []), phone.get("roles")
    assert phone["type"] != "network infrastructure", phone["type"]
    assert not any(s["port"] in (53, 80, 443) for s in phone.get("services", [])), phone.get("services")
    assert "dns_server" in resolver.get("roles", []), resolver.get("roles")
    assert any(s["port"] == 80 for s in inv[WEB].get("services", [])), inv[WEB].get("services")


def test_response_first_ethernet():
    check(raw_ip=False)


def test_response_first_raw_ip():
    check(raw_ip=True)


if __name__ == "__main__":
    mstest.main(globals())
