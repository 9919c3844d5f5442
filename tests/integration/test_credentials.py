"""Clear-text logins and the `credential` event (issue 5): FTP, Telnet, SNMP,
RDP and HTTP Basic compared with Zeek's, Suricata's and nDPI's own expected
outputs; the lab's real logins (curl, an FTP client, telnet, snmpget, smbclient)
with vendor-default matching; no password ever written; look-alikes."""
import json
import os

import mstest
import pcapgen

LAB_SECRETS = [b"xn1000", b"Lab#Results-2026", b"icu-R3ad!only", b"#bigguy"]


def creds(run, proto=None):
    return [e["credential"] for e in run.of_type("credential") if proto is None or e["credential"]["protocol"] == proto]


def test_ftp_agrees_with_zeek_ftp_log():
    rows = mstest.zeek_log("scripts.base.protocols.ftp.ftp-ipv4", "ftp.log")
    run = mstest.analyze(mstest.corpus("zeek/testing/btest/Traces/ftp/ipv4.pcap"), mstest.workdir("zeek_ftp"))
    ours = [e["ftp"] for e in run.of_type("ftp") if "command" in e["ftp"]]
    # Zeek logs the commands that matter (not USER/PASS/SYST/TYPE...); each
    # must be ours, in order, with the same reply and user.
    it = iter(ours)
    for z in rows:
        for o in it:
            if o["command"] == z["command"]:
                break
        else:
            raise AssertionError("Zeek's %s not found in order" % z["command"])
        assert o["reply_code"] == int(z["reply_code"]) and o["reply"] == z["reply_msg"], (o, z)
        assert o["user"] == z["user"]
        if z["command"] in ("PASV", "PORT"):
            assert o["data_channel"]["port"] == int(z["data_channel.resp_p"])
            assert o["data_channel"]["passive"] == (z["data_channel.passive"] == "T")
        if z["command"] == "RETR":
            assert z["arg"].endswith(o["arg"].lstrip("/"))
    c = creds(run, "ftp")
    assert c and c[0]["username"] == "anonymous" and c[0]["method"] == "anonymous" and c[0]["result"] == "success"
    assert b"test" not in b"".join(json.dumps(e).encode() for e in run.of_type("ftp"))  # Zeek's password column


def test_ftp_agrees_with_ndpi():
    for name, user, failed in (("ftp.pcap", "anonymous", False), ("ftp_failed.pcap", "hello", True)):
        flows = [f for _, f in mstest.ndpi_flows(name) if "User" in f]
        assert flows and flows[0]["User"] == user
        assert ("Auth Failed" in "".join(k for _, f in mstest.ndpi_flows(name) for k in f)) == failed
        run = mstest.analyze(mstest.corpus("nDPI/pcap", name), mstest.workdir("ndpi_" + name))
        c = creds(run, "ftp")
        assert c[0]["username"] == user
        assert (c[0]["result"] == "failure") == failed, c


def test_telnet_agrees_with_ndpi_and_suricata():
    pcap = mstest.corpus("nDPI/pcap/telnet.pcap")
    flows = mstest.ndpi_flows("telnet.pcap")
    assert flows[0][1]["Username"] == "fake"
    run = mstest.analyze(pcap, mstest.workdir("telnet"))
    t = run.of_type("telnet")
    assert len(t) == 1 and t[0]["telnet"]["username"] == "fake"
    # Suricata recognises exactly one telnet flow in the same capture.
    assert sum(1 for f in run.of_type("flow") if f.get("app_proto") == "telnet") == 1
    assert [m for _, m in mstest.suricata_checks("telnet/telnet-01") if m.get("event_type") == "flow" and m.get("app_proto") == "telnet"]
    assert t[0]["telnet"]["login_result"] == "success"  # "Last login: ..." then a shell prompt
    assert t[0]["telnet"]["commands"][:3] == ["/sbin/ping www.yahoo.com", "ls", "ls -a"]
    # What the user typed at the password prompt (tshark shows it) is not in the output.
    typed = b'"user"'
    c = creds(run, "telnet")
    assert c == [{"protocol": "telnet", "method": "login_prompt", "username": "fake", "password_seen": True,
                  "password_strength": "weak", "default_credential": c[0]["default_credential"], "result": "success"}
                 | ({"default_medical": c[0]["default_medical"], "default_vendors": c[0]["default_vendors"]}
                    if c[0]["default_credential"] else {})]
    assert typed not in json.dumps(t).encode()


def test_snmp_agrees_with_suricata():
    cases = [("snmp-v2c-get", "snmp-v2c-get/SNMPv2c_get_requests.pcap"), ("snmp-v3-unauth", "snmp-v3-unauth/snmp-v3-get-bulk-unauth.pcap"),
             ("snmp-pdu-type", "snmp-v2c-get/SNMPv2c_get_requests.pcap")]
    for i, (test, pcap) in enumerate(cases):
        run = mstest.analyze(mstest.corpus("suricata-verify/tests", pcap), mstest.workdir("sv_snmp%d" % i))
        ours = [e["snmp"] for e in run.of_type("snmp")]
        for count, m in mstest.suricata_checks(test):
            if m.get("event_type") != "snmp":
                continue
            def ok(s):
                for k, v in m.items():
                    if k == "snmp.community":
                        continue  # a secret: medsentry writes a credential event instead
                    if k.startswith("snmp."):
                        if s.get(k[5:]) != v:
                            return False
                return True
            n = sum(1 for s in ours if ok(s))
            assert count is None or n == count, (test, m, n, count)
            if "snmp.community" in m:
                # The community is the credential; it is never written.
                assert all(m["snmp.community"].encode() not in mstest.all_text(run.outdir) for _ in [0])
                assert creds(run, "snmp") and creds(run, "snmp")[0]["password_seen"]


def test_snmp_values_agree_with_zeek():
    run = mstest.analyze(mstest.corpus("zeek/testing/btest/Traces/snmp/snmpv1_get.pcap"), mstest.workdir("zeek_snmp"))
    values = {v["oid"]: v["value"] for e in run.of_type("snmp") for v in e["snmp"].get("values", [])}
    expected = {}
    oid = None
    with open(mstest.corpus("zeek/testing/btest/Baseline/scripts.base.protocols.snmp.v1/out1")) as f:
        for line in f:
            line = line.strip()
            if line.startswith("oid: "):
                oid = line[5:]
            elif line.startswith("value (tag=0x04): ") or line.startswith("value (tag=0x06): "):
                if "\\x" not in line:  # binary strings: Zeek escapes them, medsentry writes hex
                    expected[oid] = line.split("): ", 1)[1]
    assert len(expected) >= 3
    for o, v in expected.items():
        assert values.get(o) == v, (o, values.get(o), v)
    names = {v.get("name") for e in run.of_type("snmp") for v in e["snmp"].get("values", [])}
    assert {"sys_name", "sys_object_id", "sys_location"} <= names


def test_snmp_communities_agree_with_ndpi():
    run = mstest.analyze(mstest.corpus("nDPI/pcap/snmp.pcap"), mstest.workdir("ndpi_snmp"))
    c = creds(run, "snmp")
    community = [x for x in c if x["method"] == "community"]
    # nDPI sees the communities public, public2c and adsl: "public" is a known default.
    assert any(x["default_credential"] for x in community)
    for secret in (b"public2c", b"adsl"):
        assert secret not in mstest.all_text(run.outdir)


def test_cleartext_credential_risks_agree_with_ndpi():
    """Every flow nDPI flags with "Clear-Text Credentials" has a credential event
    with the user nDPI names."""
    checked = 0
    for folder in ("nDPI", "nDPI-2025"):
        for out in sorted(os.listdir(mstest.corpus(folder, "result"))):
            flows = [(t, f) for t, f in mstest.ndpi_flows(out[:-4], folder) if "Clear-Text Credentials" in f.get("Risk", "")]
            if not flows:
                continue
            run = mstest.analyze(mstest.corpus(folder, "pcap", out[:-4]), mstest.workdir("risk_" + out))
            ours = {(e["dest_port"], e["credential"].get("username")) for e in run.of_type("credential")}
            for (proto, a, b), f in flows:
                port = int(b.rsplit(":", 1)[1])
                user = f.get("User") or f.get("Username")
                if user is None:
                    m = [v for k, v in f.items() if k == "Risk Info"]
                    user = m[0].split("(")[-1].rstrip(")") if m and "(" in m[0] else None
                assert any(p == port and (user is None or u == user) for p, u in ours), (out, port, user, ours)
                checked += 1
    assert checked >= 4, checked


def test_rdp_agrees_with_zeek():
    z = mstest.zeek_log("scripts.base.protocols.rdp.rdp-x509", "rdp.log")[0]
    run = mstest.analyze(mstest.corpus("zeek/testing/btest/Traces/rdp/rdp-x509.pcap"), mstest.workdir("rdp"))
    r = run.of_type("rdp")[0]["rdp"]
    assert r["cookie"] == "mstshash=" + z["cookie"]
    assert r["client_name"] == z["client_name"]
    assert (r["desktop_width"], r["desktop_height"]) == (int(z["desktop_width"]), int(z["desktop_height"]))
    assert r["security_protocol"] == z["security_protocol"].lower() and r["result"] == z["result"].lower()
    assert r["keyboard_layout"] == 1033 and z["keyboard_layout"] == "English - United States"
    assert z["client_build"] == "RDP 8.1" and r["client_build"] == 9600  # MS-RDPBCGR: build 9600 is RDP 8.1
    assert creds(run, "rdp")[0]["username"] == z["cookie"]
    run2 = mstest.analyze(mstest.corpus("nDPI/pcap/rdp.pcap"), mstest.workdir("rdp_ndpi"))
    assert run2.of_type("rdp") and mstest.ndpi_flows("rdp.pcap")[0][1]["proto"].startswith("88/RDP")


def test_lab_logins():
    cap = mstest.lab_capture("identity")
    run = mstest.analyze(cap, mstest.workdir("lab_out"))
    by = {}
    for c in creds(run):
        by.setdefault(c["protocol"], []).append(c)
    # Telnet to the pump's Lantronix module: admin/admin refused, admin/PASS (the
    # EDS-MD default, SCADAPASS) accepted.
    tel = by["telnet"]
    assert [(c["username"], c["result"]) for c in tel] == [("admin", "failure"), ("admin", "success")], tel
    assert tel[1]["default_credential"] and tel[1]["default_medical"]
    assert any("Lantronix" in v for v in tel[1]["default_vendors"])
    # curl with Basic auth: admin/admin is a default of many products.
    http = by["http"][0]
    assert http["username"] == "admin" and http["default_credential"] and http["password_strength"] == "weak"
    # FTP upload: the analyzer's own account, accepted, not a default.
    ftp = by["ftp"][0]
    assert (ftp["username"], ftp["result"], ftp["default_credential"]) == ("analyzer", "success", False)
    # SNMP: the monitor's own community (answered) and "public" (a default, no answer).
    snmp = sorted(by["snmp"], key=lambda c: c["default_credential"])
    assert snmp[0]["result"] == "success" and snmp[0]["password_strength"] == "strong"
    assert snmp[1]["default_credential"] and snmp[1]["result"] == "unknown"
    # SMB1 and SMB3 logins through NTLMSSP: user and domain, no password.
    ntlm = by["ntlmssp"]
    assert len(ntlm) == 3 and all(c["username"] == "labtech" and c["result"] == "success" and not c["password_seen"] for c in ntlm)
    text = mstest.all_text(run.outdir)
    for s in LAB_SECRETS + [b":admin"]:
        assert s not in text, s
    # The pump's password "PASS" is also FTP's command name: look at the telnet records only.
    assert b"PASS" not in json.dumps(run.of_type("telnet")).encode()


def test_lookalikes_are_not_login_protocols():
    d = mstest.workdir("lookalike")
    sessions = [
        pcapgen.TcpSession(("10.1.0.30", 41000), ("10.1.0.20", 21)).send(1, b"220 ESMTP mail.example ready\r\n").send(0, b"EHLO x\r\n").close(),
        pcapgen.TcpSession(("10.1.0.31", 41001), ("10.1.0.20", 23)).send(1, b"Welcome to the console\r\n").send(0, b"help\r\n").close(),
        # An ISO-on-TCP (S7, MMS) connection request with TSAP parameters, on RDP's port.
        pcapgen.TcpSession(("10.1.0.32", 41002), ("10.1.0.20", 3389)).send(
            0, bytes.fromhex("0300001611e00000000100c0010ac1020100c2020102")).close(),
        pcapgen.TcpSession(("10.1.0.33", 41003), ("10.1.0.20", 21)).send(0, b"USERS list please\r\n").close(),
    ]
    ex = [pcapgen.UdpExchange(("10.1.0.34", 40000), ("10.1.0.20", 161)).send(0, b"\x30\x10\x02\x01\x07" + b"\x00" * 13),
          pcapgen.UdpExchange(("10.1.0.35", 40001), ("10.1.0.20", 161)).send(0, b"public GET sysDescr\n")]
    pcap = os.path.join(d, "lookalike.pcap")
    pcapgen.write(pcap, sessions + ex)
    run = mstest.analyze(pcap, os.path.join(d, "out"))
    for t in ("ftp", "telnet", "rdp", "snmp", "credential"):
        assert not run.of_type(t), (t, run.of_type(t)[:1])
    # Real ISO-on-TCP: Siemens S7comm (nDPI's capture) is not RDP.
    s7 = mstest.analyze(mstest.corpus("nDPI/pcap/s7comm.pcap"), os.path.join(d, "s7"))
    assert not s7.of_type("rdp")


if __name__ == "__main__":
    mstest.main(globals())
