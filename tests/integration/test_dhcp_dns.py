"""DHCPv4/v6 and DNS, mDNS, LLMNR, NBNS (issue 5): Suricata's and Zeek's own
expected outputs, tshark as an oracle on every corpus capture that carries
them, the lab's dnsmasq + dhclient (vendor classes, host names), and
look-alikes that must not be recognised."""
import json
import os

import mstest
import pcapgen

# Suricata's names for DHCP parameter request list items (its dhcp logger).
SURICATA_PARAMS = {"subnet_mask": 1, "router": 3, "dns_server": 6, "domain": 15, "ntp_server": 42,
                   "routers": 3, "hostname": 12, "broadcast_address": 28, "time_offset": 2}


def test_dhcp_agrees_with_suricata():
    run = mstest.analyze(mstest.corpus("suricata-verify/tests/dhcp-eve-extended/input.pcap"), mstest.workdir("sv"))
    ours = run.of_type("dhcp")
    checks = [m for _, m in mstest.suricata_checks("dhcp-eve-extended") if m.get("event_type") == "dhcp"]
    assert len(checks) == 2 and len(ours) == 2
    for m, e in zip(checks, ours):
        d = e["dhcp"]
        compared = 0
        for k, v in m.items():
            if not k.startswith("dhcp.") or k in ("dhcp.dhcp_type",):
                continue
            key = k[5:]
            if "[" in key:
                name, idx = key[:-1].split("[")
                if name == "params":
                    # Suricata names the items it knows; ours are the codes, in order.
                    assert SURICATA_PARAMS[v] in d["params"], (v, d["params"])
                else:
                    assert d[name][int(idx)] == v, (k, d.get(name), v)
            else:
                assert d[key] == v, (k, d.get(key), v)
            compared += 1
        assert d["dhcp_type"] == m["dhcp.dhcp_type"]
        assert compared >= 6
        assert (e["src_ip"], e["dest_ip"]) == (m["src_ip"], m["dest_ip"]) or (e["src_ip"], e["dest_ip"]) == (m["dest_ip"], m["src_ip"])


def test_dhcp_agrees_with_zeek_dhcp_log():
    cases = [("dhcp-all-msg-types", "dhcp.pcap"), ("dhcp-discover-msg-types", "dhcp_discover_param_req_and_client_id.pcap"),
             ("inform", "dhcp_inform.pcap")]
    for i, (baseline, trace) in enumerate(cases):
        rows = mstest.zeek_log("scripts.base.protocols.dhcp." + baseline, "dhcp.log")
        run = mstest.analyze(mstest.corpus("zeek/testing/btest/Traces/dhcp", trace), mstest.workdir("zeek%d" % i))
        ours = [e["dhcp"] for e in run.of_type("dhcp")]
        assert ours, trace
        by_mac = {}
        for d in ours:
            by_mac.setdefault(d.get("client_mac", "-"), []).append(d)
        zeek_types = {}
        for z in rows:
            zeek_types.setdefault(z["mac"], []).extend(t.lower() for t in z["msg_types"].split(","))
            mine = by_mac.get(z["mac"], [])
            assert mine, (trace, z["mac"], list(by_mac))
            if z["host_name"] != "-":
                assert z["host_name"] in {d.get("hostname") for d in mine}, (trace, z["host_name"])
            if z["requested_addr"] != "-":
                assert z["requested_addr"] in {d.get("requested_ip") for d in mine}
            if z["assigned_addr"] != "-":
                assert z["assigned_addr"] in {d.get("assigned_ip") for d in mine} | {d.get("client_ip") for d in mine}
            if z["lease_time"] != "-":
                assert int(float(z["lease_time"])) in {d.get("lease_time") for d in mine}
            if z["server_message"] != "-":
                assert z["server_message"] in {d.get("message") for d in mine}
            if z["domain"] != "-":
                assert z["domain"] in {d.get("domain") for d in mine}
        for mac, types in zeek_types.items():
            assert sorted(types) == sorted(d["dhcp_type"] for d in by_mac[mac]), (trace, mac, types)


def tshark_dhcp(pcap):
    # DHCP inside CAPWAP (802.11 frames tunnelled to a wireless controller) is
    # not decoded by medsentry: tshark's view of it is left out.
    rows = mstest.tshark_fields(pcap, "dhcp && !(udp.port == 5247)", ["dhcp.hw.mac_addr", "dhcp.option.dhcp", "dhcp.option.hostname",
                                                "dhcp.option.vendor_class_id", "dhcp.option.request_list_item",
                                                "dhcp.id"])
    out = []
    for mac, typ, host, vci, params, xid in rows:
        out.append({"client_mac": mac[0] if mac else None, "type": int(typ[0]) if typ else None,
                    "hostname": host[0] if host else None, "vendor_class": vci[0] if vci else None,
                    "params": [int(p) for p in params], "id": int(xid[0], 16) if xid else None})
    return out


def test_dhcp_agrees_with_tshark_on_corpus():
    names = {1: "discover", 2: "offer", 3: "request", 4: "decline", 5: "ack", 6: "nak", 7: "release", 8: "inform"}
    compared = 0
    for i, cap in enumerate(mstest.corpus_with("dhcp")):
        ts = tshark_dhcp(cap)
        if not ts:
            continue
        run = mstest.analyze(cap, mstest.workdir("ts%03d" % i))
        ours = sorted((e["timestamp"], e["dhcp"]) for e in run.of_type("dhcp") if e["dhcp"]["version"] == 4)
        ours = [d for _, d in ours]
        # tshark shows every DHCP frame; medsentry one event per message of a
        # decodable flow. Compare per (transaction id, type) in order.
        theirs = [t for t in ts if t["id"] is not None]
        assert len(ours) == len(theirs), (cap, len(ours), len(theirs))
        key = lambda x: (x["id"], x["client_mac"])
        for t in theirs:
            match = [d for d in ours if (d["id"], d.get("client_mac")) == key(t)
                     and d["dhcp_type"] == names.get(t["type"], d["dhcp_type"])]
            assert match, (cap, t)
            d = match[0]
            if t["hostname"] is not None:
                # tshark drops a trailing NUL ("nas1\0"); medsentry keeps the bytes sent.
                assert any(m.get("hostname", "").rstrip("\0") == t["hostname"] for m in match), (cap, t["hostname"])
            if t["vendor_class"] is not None:
                assert any(m.get("vendor_class") == t["vendor_class"] for m in match), (cap, t["vendor_class"])
            if t["params"]:
                assert any(m.get("params") == t["params"] for m in match), (cap, t["params"], d.get("params"))
            compared += 1
    print("DHCP messages compared with tshark: %d" % compared)
    assert compared >= 20


def test_dhcp_lab_vendor_classes_and_names():
    cap = mstest.lab_capture("identity")
    truth = json.load(open(os.path.join(os.path.dirname(cap), "truth.json")))
    run = mstest.analyze(cap, mstest.workdir("lab_out"))
    reqs = [e["dhcp"] for e in run.of_type("dhcp") if e["dhcp"]["type"] == "request"]
    seen = {(d["client_mac"], d.get("hostname"), d.get("vendor_class")) for d in reqs}
    assert ("f8:c6:78:00:70:21", "ALARIS-PCU-0421", "BD-Alaris-PCU") in seen, seen
    assert ("00:09:5c:00:70:41", "MX450-ICU-02", "Philips IntelliVue") in seen, seen
    # dhclient's request list, in its order (the fingerprint of the client software).
    tsr = [t for t in tshark_dhcp(cap) if t["type"] == 1]
    assert tsr and all(d["params"] == tsr[0]["params"] for d in reqs if d["dhcp_type"] == "discover")
    assert all(d["param_fingerprint"] == ",".join(map(str, d["params"])) for d in reqs)
    acks = [e["dhcp"] for e in run.of_type("dhcp") if e["dhcp"]["dhcp_type"] == "ack"]
    assert {a["assigned_ip"] for a in acks} == {"10.60.0.121", "10.60.0.141"}
    assert all(a["server_id"] == "10.60.0.1" and a["lease_time"] == 3600 for a in acks)
    assert truth["devices"]


def test_dhcpv6_basics():
    compared = 0
    for i, cap in enumerate(mstest.corpus_with("dhcpv6")):
        rows = mstest.tshark_fields(cap, "dhcpv6", ["dhcpv6.msgtype", "dhcpv6.xid", "dhcpv6.duidll.link_layer_addr",
                                                                        "dhcpv6.duidllt.link_layer_addr", "dhcpv6.vendorclass.enterprise"])
        if not rows:
            continue
        run = mstest.analyze(cap, mstest.workdir("v6_%03d" % i))
        ours = [e["dhcp"] for e in run.of_type("dhcp") if e["dhcp"]["version"] == 6]
        assert len(ours) == len(rows), (cap, len(ours), len(rows))
        for (typ, xid, ll, llt, ent), d in zip(rows, ours):
            assert d["id"] == int(xid[0], 16)
            mac = (ll or llt or [None])[0]
            if mac:
                assert d["client_mac"] == mac, (d, mac)
            if ent:
                assert d["vendor_enterprise"] == int(ent[0])
            compared += 1
    assert compared >= 3, compared


def dns_rows(pcap, filt="dns"):
    return mstest.tshark_fields(pcap, filt, ["dns.id", "dns.flags.response", "dns.qry.name", "dns.qry.type",
                                             "dns.count.answers", "dns.a", "udp.srcport", "udp.dstport", "dns.time"])


def test_dns_agrees_with_tshark_on_corpus():
    compared = timed = 0
    for i, cap in enumerate(mstest.corpus_with("dns", "mdns", "llmnr")):
        rows = [r for r in dns_rows(cap, "dns && udp && !icmp && !icmpv6")]
        if not rows:
            continue
        run = mstest.analyze(cap, mstest.workdir("dns%03d" % i))
        ours = [e["dns"] for e in run.of_type("dns") if e["dns"]["protocol"] in ("dns", "mdns", "llmnr")]
        # A unicast query and its answer are one medsentry event: tshark's query
        # row matches any event with its id, its answer row a response event.
        by_id = {}
        for d in ours:
            by_id.setdefault(d["id"], []).append(d)
        for did, resp, qnames, qtypes, ancount, addrs, sp, dp, rtt in rows:
            is_resp = resp == ["1"] or resp == ["True"]
            cands = [d for d in by_id.get(int(did[0], 16), []) if d["type"] == "response" or not is_resp]
            assert cands, (cap, did, resp, qnames)
            names = [[q["rrname"] for q in d.get("queries", [])] for d in cands]
            assert qnames in names or (not qnames and [] in names), (cap, qnames, names)
            d = cands[names.index(qnames)] if qnames in names else cands[0]
            if is_resp and rtt and "rtt" in d and len([c for c in cands if c.get("rtt") is not None]) == 1:
                # tshark's dns.time: from the query to this answer, as medsentry's rtt.
                assert abs(d["rtt"] - float(rtt[0])) < 2e-6, (cap, d["rtt"], rtt)
                timed += 1
            if is_resp and ancount and ancount[0] != "0":
                assert len(d.get("answers", [])) == int(ancount[0]), (cap, qnames, ancount, d.get("answers"))
                # Retransmitted answers with the same id may list the records
                # in another order (round robin): any of them may match.
                # tshark's dns.a covers every section (glue records too).
                options = [[a["rdata"] for sec in ("answers", "authorities", "additionals") for a in c.get(sec, [])
                            if a["rrtype"] == "A"] for c in cands]
                assert addrs in options, (cap, addrs, options)
            compared += 1
    print("DNS messages compared with tshark: %d, round-trip times: %d" % (compared, timed))
    assert compared >= 100 and timed >= 30


def test_mdns_agrees_with_suricata():
    run = mstest.analyze(mstest.corpus("suricata-verify/tests/ipv6-evasion/ipv6-malformed-fragments-9/frag-9.pcap"),
                         mstest.workdir("mdns"))
    ours = [e["dns"] for e in run.of_type("dns")]
    assert all(d["protocol"] == "mdns" for d in ours)
    resp = [d for d in ours if d["type"] == "response"]
    query = [d for d in ours if d["type"] == "query"]
    checks = [m for _, m in mstest.suricata_checks("mdns") if m.get("event_type") == "mdns"]
    for m in checks:
        d = resp[0] if m["mdns.type"] == "response" else query[0]
        for k, v in m.items():
            if not k.startswith("mdns.") or k == "mdns.type":
                continue
            sec, _, field = k[5:].partition(".")
            name, idx = sec[:-1].split("[")
            rec = d[name][int(idx)]
            if field == "ptr":
                assert rec["rrtype"] == "PTR" and rec["rdata"] == v
            elif field == "rrtype":
                assert rec["rrtype"].lower() == v
            else:
                assert rec[field] == v, (k, rec, v)


def test_nbns_names_agree_with_tshark():
    compared = 0
    for i, cap in enumerate(mstest.corpus_with("nbns")):
        rows = mstest.tshark_fields(cap, "nbns && udp", ["nbns.id", "nbns.name"])
        if not rows:
            continue
        run = mstest.analyze(cap, mstest.workdir("nbns%03d" % i))
        ours = {}
        for e in run.of_type("dns"):
            d = e["dns"]
            if d["protocol"] == "nbns":
                names = [q["rrname"] for q in d.get("queries", [])] + [a["rrname"] for a in d.get("answers", [])]
                ours.setdefault(d["id"], set()).update(names)
        for nid, names in rows:
            # tshark writes "NAME<20>"; so do we.
            for n in names:
                n = n.split(" (")[0]  # tshark adds the suffix's meaning: "NAME<03> (Messenger service/Main name)"
                assert n in ours.get(int(nid[0], 16), set()), (cap, n, ours.get(int(nid[0], 16)))
                compared += 1
    assert compared >= 20, compared


def test_host_names_claimed_by_mdns_and_nbns():
    run = mstest.analyze(mstest.corpus("nDPI/pcap/iphone.pcap"), mstest.workdir("claims"))
    claims = [(e["src_ip"] if e["dns"]["type"] == "response" else None, n) for e in run.of_type("dns")
              for n in e["dns"].get("host_names", [])]
    assert claims, "an iPhone announces its name over mDNS"
    rows = mstest.tshark_fields(mstest.corpus("nDPI/pcap/iphone.pcap"), "mdns && dns.flags.response==1 && dns.a",
                                ["ip.src", "dns.resp.name", "dns.a"])
    # Every claim is an mDNS answer from that address, naming it, that binds the
    # name to the sender's own address.
    v4 = [c for c in claims if c[0] and ":" not in c[0]]
    assert v4
    for ip, name in v4:
        assert any(r[0] == [ip] and name in r[1] and ip in r[2] for r in rows), (ip, name)


def test_lookalikes_are_not_dhcp_or_dns():
    d = mstest.workdir("lookalike")
    ex = [pcapgen.UdpExchange(("10.1.0.30", 68), ("10.1.0.20", 67)).send(0, b"\x01\x01\x06\x00" + b"\x00" * 300),
          pcapgen.UdpExchange(("10.1.0.31", 40001), ("10.1.0.20", 53)).send(0, b"hello DNS server, this is text\n"),
          pcapgen.UdpExchange(("10.1.0.32", 40002), ("10.1.0.20", 53)).send(0, bytes(range(12)) + b"\xff" * 40),
          pcapgen.UdpExchange(("10.1.0.33", 40003), ("10.1.0.20", 547)).send(0, b"\x01\x00\x00\x01" + b"\x00\x63" * 20),
          pcapgen.UdpExchange(("10.1.0.34", 5353), ("224.0.0.251", 5353)).send(0, b"\x00" * 12)]
    pcap = os.path.join(d, "lookalike.pcap")
    pcapgen.write(pcap, ex)
    run = mstest.analyze(pcap, os.path.join(d, "out"))
    assert not run.of_type("dhcp") and not run.of_type("dns"), (run.of_type("dhcp") + run.of_type("dns"))[:1]


if __name__ == "__main__":
    mstest.main(globals())
