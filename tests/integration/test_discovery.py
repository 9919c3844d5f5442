"""Discovery protocols (issue 5): SSDP/UPnP, LLDP (with LLDP-MED) and CDP.
tshark is the oracle on the corpus captures (Zeek logs LLDP and CDP only as
unknown protocols, with their first bytes, which are checked too), nDPI's
SSDP results, the lab's lldpd, and look-alikes."""
import json
import os

import mstest
import pcapgen


def test_lldp_agrees_with_tshark_and_zeek():
    compared = 0
    for i, cap in enumerate(mstest.corpus_with("lldp")):
        rows = mstest.tshark_fields(cap, "lldp", ["eth.src", "lldp.tlv.system.name", "lldp.tlv.system.desc",
                                                  "lldp.port.id", "lldp.mgn.addr.ip4", "lldp.time_to_live"])
        if not rows:
            continue
        run = mstest.analyze(cap, mstest.workdir("lldp%03d" % i))
        ours = [e["lldp"] for e in run.of_type("lldp")]
        assert len(ours) == len(rows), (cap, len(ours), len(rows))
        for (src, name, desc, port, mgmt, ttl), o in zip(rows, ours):
            assert o["src_mac"] == src[0]
            assert o.get("system_name") == (name[0] if name else None)
            assert o.get("system_description") == (desc[0] if desc else None)
            assert o["ttl"] == int(ttl[0])
            if mgmt:
                assert o["management_addresses"] == mgmt
            compared += 1
    # Zeek's unknown_protocols.log: the first bytes are the chassis id TLV.
    z = mstest.zeek_log("core.unknown-protocol-log", "unknown_protocols.log")[0]
    assert z["protocol_id"] == "0x88cc" and z["first_bytes"].startswith("020704")
    run = mstest.analyze(mstest.corpus("zeek/testing/btest/Traces/lldp.pcap"), mstest.workdir("zeek_lldp"))
    mac = z["first_bytes"][6:18]
    assert run.of_type("lldp")[0]["lldp"]["chassis_id"] == ":".join(mac[i:i + 2] for i in range(0, 12, 2))
    assert compared >= 2


def test_cdp_agrees_with_tshark_and_zeek():
    compared = 0
    for i, cap in enumerate(mstest.corpus_with("cdp")):
        rows = mstest.tshark_fields(cap, "cdp && !capwap", ["eth.src", "cdp.deviceid", "cdp.platform", "cdp.portid",
                                                            "cdp.software_version", "cdp.nrgyz.ip_address"])
        if not rows:
            continue
        run = mstest.analyze(cap, mstest.workdir("cdp%03d" % i))
        ours = [e["cdp"] for e in run.of_type("cdp")]
        assert len(ours) == len(rows), (cap, len(ours), len(rows))
        for (src, dev, plat, port, sw, addr), o in zip(rows, ours):
            assert (o["src_mac"], o["device_id"], o["platform"], o["port_id"]) == (src[0], dev[0], plat[0], port[0])
            # tshark shows each line of the version text as one occurrence.
            assert o["software_version"].split("\n") == sw, (o["software_version"], sw)
            compared += 1
    z = mstest.zeek_log("scripts.base.protocols.snap.snap-cdp", "unknown_protocols.log")[0]
    run = mstest.analyze(mstest.corpus("zeek/testing/btest/Traces/cdp-v1.pcap"), mstest.workdir("zeek_cdp"))
    c = run.of_type("cdp")[0]["cdp"]
    # first bytes: version 01, ttl b4, checksum, TLV 0001 (device id) of length 6: "R1".
    assert z["first_bytes"][:4] == "01b4" and (c["version"], c["ttl"], c["device_id"]) == (1, 0xb4, "R1")
    assert compared >= 2


def test_ssdp_agrees_with_tshark_and_ndpi():
    compared = 0
    for i, cap in enumerate(mstest.corpus_with("ssdp")):
        rows = mstest.tshark_fields(cap, "ssdp && udp.port == 1900", ["http.request.method", "http.server", "http.user_agent",
                                                                      "http.location"])
        if not rows:
            continue
        run = mstest.analyze(cap, mstest.workdir("ssdp%03d" % i))
        ours = [e["ssdp"] for e in run.of_type("ssdp")]
        assert len(ours) == len(rows), (cap, len(ours), len(rows))
        for (method, server, ua, loc), o in zip(rows, ours):
            assert o["method"] == (method[0] if method else "response")
            if server:
                assert o["server"] == server[0]
            if ua:
                assert o["user_agent"] == ua[0]
            compared += 1
    assert compared >= 20, compared
    for name in ("ssdp-m-search.pcap", "ssdp-m-search-ua.pcap"):
        assert "SSDP" in str(mstest.ndpi_flows(name))
        run = mstest.analyze(mstest.corpus("nDPI/pcap", name), mstest.workdir("ndpi_" + name))
        assert run.of_type("ssdp") and all(e["ssdp"]["method"] == "M-SEARCH" for e in run.of_type("ssdp"))


def test_lab_lldpd_and_arp():
    cap = mstest.lab_capture("identity")
    run = mstest.analyze(cap, mstest.workdir("lab_out"))
    # ARP: every claim by a lab host binds its own MAC to its own address.
    with open(os.path.join(os.path.dirname(cap), "truth.json")) as f:
        mac_of = {d["ip"]: d["mac"] for d in json.load(f)["devices"]}
    claims = [e["arp"] for e in run.of_type("arp") if e["arp"]["sender_ip"] in mac_of]
    assert claims
    assert all(a["sender_mac"] == mac_of[a["sender_ip"]] for a in claims), claims[:3]
    ll = [e["lldp"] for e in run.of_type("lldp")]
    assert len(ll) >= 2, "lldpd announces every 2 s in the lab"
    assert {(l["src_mac"], l["system_name"], l["system_description"]) for l in ll} == {
        ("00:09:5c:00:70:20", "PACS-ARCHIVE-01", "Philips IntelliSpace PACS 4.4 on Windows Server 2016")}
    assert all("10.60.0.20" in l.get("management_addresses", []) for l in ll)


def test_arp_agrees_with_tshark():
    """Every distinct Ethernet/IPv4 ARP claim tshark decodes on the corpus is
    one `arp` event (repeats within 60 s are written once)."""
    caps = sorted(set(mstest.corpus_with("dhcp", "dns", "smb", "snmp", "lldp", "cdp", "ssdp", "http", "dicom", "hl7")),
                  key=os.path.getsize)
    # ARP inside CAPWAP data tunnels is not ours: medsentry does not open CAPWAP (as for CDP above).
    filt = ("arp && !capwap && !capwap.data && arp.hw.type == 1 && arp.proto.type == 0x0800 && arp.hw.size == 6"
            " && arp.proto.size == 4")
    checked = 0
    for i, cap in enumerate(caps):
        rows = mstest.tshark_fields(cap, filt, ["arp.opcode", "arp.src.hw_mac", "arp.src.proto_ipv4", "arp.dst.hw_mac",
                                                "arp.dst.proto_ipv4"])
        if not rows:
            continue
        want = {("request" if r[0] == ["1"] else "reply", r[1][0], r[2][0], r[3][0], r[4][0]) for r in rows
                if r[0] in (["1"], ["2"])}
        run = mstest.analyze(cap, mstest.workdir("arp%d" % i), extra=["--no-inventory"])
        got = {(a["operation"], a["sender_mac"], a["sender_ip"], a["target_mac"], a["target_ip"])
               for a in (e["arp"] for e in run.of_type("arp"))}
        assert got == want, (cap, sorted(want - got)[:3], sorted(got - want)[:3])
        checked += 1
        print("arp: %s, %d claims agree" % (os.path.basename(cap), len(want)))
        if checked >= 12:
            break
    assert checked >= 5, checked


def test_lookalikes_are_not_discovery():
    d = mstest.workdir("lookalike")
    ex = [pcapgen.UdpExchange(("10.1.0.30", 40000), ("239.255.255.250", 1900)).send(0, b"NOTIFY me when you are ready\r\n"),
          pcapgen.UdpExchange(("10.1.0.31", 40001), ("10.1.0.20", 1900)).send(0, b"HTTP/1.1 200 OK\r\nServer: x\r\n\r\n")]
    # Link-layer look-alikes: an LLDP ethertype without a chassis TLV first; Cisco's
    # DTP (same OUI as CDP, PID 0x2004) and a SNAP-encapsulated IP frame.
    class Frames:
        frames = []
    src, dst_lldp, dst_cdp = bytes.fromhex("00095c000020"), bytes.fromhex("0180c200000e"), bytes.fromhex("01000ccccccc")
    lldp_like = dst_lldp + src + b"\x88\xcc" + bytes.fromhex("0a0548656c6c6f") + b"\x00" * 40
    dtp = dst_cdp + src + (46).to_bytes(2, "big") + bytes.fromhex("aaaa0300000c2004") + b"\x01" * 38
    snap_ip = dst_cdp + src + (46).to_bytes(2, "big") + bytes.fromhex("aaaa030000000800") + b"\x45" * 38
    # ARP look-alikes: RARP (its own ethertype, same layout) and ARP for IEEE 802 hardware.
    bcast = b"\xff" * 6
    arp_body = bytes.fromhex("0001080006040001") + src + bytes([10, 1, 0, 20]) + b"\x00" * 6 + bytes([10, 1, 0, 1])
    rarp = bcast + src + b"\x80\x35" + arp_body + b"\x00" * 18
    arp_802 = bcast + src + b"\x08\x06" + bytes.fromhex("0006") + arp_body[2:] + b"\x00" * 18
    Frames.frames = [(1700000001.0 + i, f) for i, f in enumerate((lldp_like, dtp, snap_ip, rarp, arp_802))]
    pcap = os.path.join(d, "lookalike.pcap")
    pcapgen.write(pcap, ex + [Frames])
    run = mstest.analyze(pcap, os.path.join(d, "out"))
    assert not run.of_type("ssdp"), run.of_type("ssdp")[:1]
    assert not run.of_type("lldp") and not run.of_type("cdp"), (run.of_type("lldp") + run.of_type("cdp"))[:1]
    assert not run.of_type("arp"), run.of_type("arp")[:1]
    assert [e["anomaly"]["event"] for e in run.of_type("anomaly")] == ["lldp.malformed", "arp.malformed"]


if __name__ == "__main__":
    mstest.main(globals())
