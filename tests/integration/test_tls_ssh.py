"""TLS and SSH (issue 5): Zeek's ssl.log and x509.log, Suricata's JA4 and
HASSH expectations, nDPI's JA3/JA3S/HASSH results and tshark's JA3 and HASSH
fields as oracles; the lab's openssl s_client/s_server (TLS 1.0, 1.2, 1.3) and
OpenSSH; look-alikes."""
import json
import os
import re
import subprocess

import mstest
import pcapgen

ZEEK_VERSION = {"TLSv10": "TLS 1.0", "TLSv11": "TLS 1.1", "TLSv12": "TLS 1.2", "TLSv13": "TLS 1.3"}


def test_tls_agrees_with_zeek():
    cases = [("ecdhe", "ecdhe.pcap"), ("tls-1.2", "tls1.2.pcap"), ("tls1_1", "tls1_1.pcap"),
             ("tls13-version", "tls13draft23-chrome67.0.3368.0-canary.pcap")]
    for i, (base, trace) in enumerate(cases):
        rows = mstest.zeek_log("scripts.base.protocols.ssl." + base, "ssl.log")
        run = mstest.analyze(mstest.corpus("zeek/testing/btest/Traces/tls", trace), mstest.workdir("zeek%d" % i))
        ours = {(e["src_ip"], e["src_port"]): e["tls"] for e in run.of_type("tls")}
        for z in rows:
            t = ours[(z["id.orig_h"], int(z["id.orig_p"]))]
            v = z["version"]
            assert t["version"] == ZEEK_VERSION.get(v, v.replace("TLSv13-draft", "TLS 1.3 draft ")), (t["version"], v)
            assert t["server"]["cipher_name"] == z["cipher"], (t["server"], z["cipher"])
            if z["server_name"] != "-":
                assert t["sni"] == z["server_name"]
            if z["cert_chain_fps"] not in ("-", "(empty)"):
                fps = z["cert_chain_fps"].split(",")
                assert t["certificate"]["sha256"] == fps[0] and t["chain_length"] == len(fps)
        x509 = os.path.join(mstest.corpus("zeek/testing/btest/Baseline", "scripts.base.protocols.ssl." + base), "x509.log")
        if os.path.exists(x509):
            certs = {t["certificate"]["sha256"]: t["certificate"] for t in ours.values() if "certificate" in t}
            for x in mstest.zeek_log("scripts.base.protocols.ssl." + base, "x509.log"):
                c = certs.get(x["fingerprint"])
                if c is None:
                    continue  # an intermediate: medsentry describes the server's own certificate
                assert (c["subject"], c["issuer"], c["serial"]) == (x["certificate.subject"], x["certificate.issuer"],
                                                                    x["certificate.serial"]), (c, x)
                assert c["key_bits"] == int(x["certificate.key_length"]) and c["key_type"] == x["certificate.key_type"]
                assert c["signature_algorithm"] == x["certificate.sig_alg"]
                if x["san.dns"] != "-":
                    assert c["san_dns"] == x["san.dns"].split(",")[:32]
                certs.pop(x["fingerprint"])
            assert not certs, "every server certificate was in Zeek's x509.log"
    # tls1.2.pcap negotiates RC4-MD5: a weak cipher.
    run = mstest.analyze(mstest.corpus("zeek/testing/btest/Traces/tls/tls1.2.pcap"), mstest.workdir("weak"))
    assert "cipher" in run.of_type("tls")[0]["tls"]["weak"]


def test_ja4_and_server_hello_agree_with_suricata():
    run = mstest.analyze(mstest.corpus("suricata-verify/tests/ja4-tls/input.pcap"), mstest.workdir("ja4"))
    expect = [m["tls.ja4"] for _, m in mstest.suricata_checks("ja4-tls") if "tls.ja4" in m]
    assert expect and [e["tls"]["client"]["ja4"] for e in run.of_type("tls")] == expect
    run = mstest.analyze(mstest.corpus("suricata-verify/tests/ja4-sv-handshake/input.pcap"), mstest.workdir("sv"))
    for _, m in mstest.suricata_checks("ja4-sv-handshake"):
        if "tls.server_handshake.version" not in m:
            continue
        s = run.of_type("tls")[0]["tls"]
        assert s["version"] == m["tls.server_handshake.version"]
        assert s["server"]["cipher"] == m["tls.server_handshake.cipher"]
        assert s["server"]["extensions"] == m["tls.server_handshake.exts"]


def test_ja3_ja3s_agree_with_ndpi():
    compared = 0
    for out in sorted(os.listdir(mstest.corpus("nDPI/result"))):
        text = open(mstest.corpus("nDPI/result", out)).read()
        ja3c = set(re.findall(r"JA3C: ([0-9a-f]{32})", text))
        if not ja3c:
            continue
        pcap = mstest.corpus("nDPI/pcap", out[:-4])
        run = mstest.analyze(pcap, mstest.workdir("ndpi_" + out))
        tls = [e["tls"] for e in run.of_type("tls")]
        ours_c = {t["client"]["ja3"]["hash"] for t in tls if "client" in t}
        ours_s = {t["server"]["ja3s"]["hash"] for t in tls if "server" in t}
        # nDPI also fingerprints QUIC's and DTLS's handshakes, which medsentry
        # does not read: every TLS-over-TCP fingerprint must be one of nDPI's.
        assert ours_c and ours_c <= ja3c, (out, ours_c - ja3c)
        assert ours_s <= set(re.findall(r"JA3S: ([0-9a-f]{32})", text)), out
        # JA4: nDPI 4.x wrote the ALPN characters differently (its "ht" for
        # http/1.1 is FoxIO's "h1"); the two hashes must agree.
        theirs4 = {j.split("_", 1)[1] for j in re.findall(r"JA4: ([0-9a-z_]+)\]", text)}
        ours4 = {t["client"]["ja4"].split("_", 1)[1] for t in tls if "ja4" in t.get("client", {})}
        assert ours4 <= theirs4, (out, ours4 - theirs4)
        compared += len(tls)
    assert compared >= 30, compared


def test_ja3_and_hassh_agree_with_tshark_on_corpus():
    tls_n = ssh_n = 0
    for i, cap in enumerate(mstest.corpus_with("tls", "ssh")):
        rows = mstest.tshark_fields(cap, "tls.handshake.type == 1 && tcp", ["tcp.srcport", "tls.handshake.ja3"])
        srows = mstest.tshark_fields(cap, "ssh.kex.hassh || ssh.kex.hasshserver", ["ssh.kex.hassh", "ssh.kex.hasshserver"])
        if not rows and not srows:
            continue
        run = mstest.analyze(cap, mstest.workdir("ts%03d" % i))
        ours = {}
        for e in run.of_type("tls"):
            if "client" in e["tls"]:
                ours.setdefault(e["src_port"], set()).add(e["tls"]["client"]["ja3"]["hash"])
        for port, ja3 in rows:
            if ja3:
                assert ja3[0] in ours.get(int(port[0]), set()), (cap, port, ja3)
                tls_n += 1
        hashes = {h for e in run.of_type("ssh") for side in ("client", "server") if "hassh" in e["ssh"].get(side, {})
                  for h in [e["ssh"][side]["hassh"]["hash"]]}
        for c, s in srows:
            for h in c + s:
                assert h in hashes, (cap, h, hashes)
                ssh_n += 1
    print("JA3 compared: %d, HASSH compared: %d" % (tls_n, ssh_n))
    assert tls_n >= 50 and ssh_n >= 4


def test_ssh_agrees_with_suricata_zeek_ndpi():
    run = mstest.analyze(mstest.corpus("suricata-verify/tests/ssh-hassh/input.pcap"), mstest.workdir("hassh"))
    s = run.of_type("ssh")[0]["ssh"]
    for _, m in mstest.suricata_checks("ssh-hassh"):
        if "ssh.client.hassh.hash" in m:
            assert s["client"]["hassh"]["hash"] == m["ssh.client.hassh.hash"]
            assert s["server"]["hassh"]["hash"] == m["ssh.server.hassh.hash"]
    run = mstest.analyze(mstest.corpus("suricata-verify/tests/ssh-banner-only/input.pcap"), mstest.workdir("banner"))
    s = run.of_type("ssh")[0]["ssh"]
    for _, m in mstest.suricata_checks("ssh-banner-only"):
        for k, v in m.items():
            if k.startswith("ssh."):
                side, field = k[4:].split(".")
                assert s[side][field] == v, (k, v, s)
    # Zeek: the server host key fingerprint (MD5, as ssh-keygen -E md5 prints it).
    run = mstest.analyze(mstest.corpus("zeek/testing/btest/Traces/ssh/ssh1-ssh2-fingerprints.pcap"), mstest.workdir("fp"))
    out = open(mstest.corpus("zeek/testing/btest/Baseline/scripts.base.protocols.ssh.fingerprints/out")).read()
    md5 = re.search(r"ssh server host key, ([0-9a-f:]{47})", out).group(1)
    sha = re.search(r"fingerprint, (SHA256:\S+)", out).group(1)
    keys = [e["ssh"]["server"]["host_key"] for e in run.of_type("ssh") if "host_key" in e["ssh"].get("server", {})]
    assert keys[0]["md5"] == md5 and keys[0]["sha256"].startswith(sha)
    # Zeek's pre-banner trace: the server sends lines before its version.
    run = mstest.analyze(mstest.corpus("zeek/testing/btest/Traces/ssh/server-pre-banner-data.pcap"), mstest.workdir("pre"))
    z = mstest.zeek_log("scripts.base.protocols.ssh.pre-banner", "ssh.log")[0]
    s = [e["ssh"] for e in run.of_type("ssh") if "server" in e["ssh"]][0]
    assert "SSH-%s-%s" % (s["client"]["proto_version"], s["client"]["software_version"]) == z["client"]
    assert "SSH-%s-%s %s" % (s["server"]["proto_version"], s["server"]["software_version"], s["server"]["comments"]) == z["server"]
    assert s["kex_algorithm"] == z["kex_alg"] and s["server"]["host_key"]["type"] == z["host_key_alg"]
    assert s["server"]["host_key"]["sha256"].startswith(z["host_key_fingerprint"])
    # nDPI: banners and HASSH of its ssh.pcap.
    text = open(mstest.corpus("nDPI/result/ssh.pcap.out")).read()
    run = mstest.analyze(mstest.corpus("nDPI/pcap/ssh.pcap"), mstest.workdir("ndpi_ssh"))
    hc = {h.lower() for h in re.findall(r"HASSH-C: ([0-9A-F]{32})", text)}
    hs = {h.lower() for h in re.findall(r"HASSH-S: ([0-9A-F]{32})", text)}
    ours = run.of_type("ssh")
    assert {e["ssh"]["client"]["hassh"]["hash"] for e in ours if "hassh" in e["ssh"].get("client", {})} == hc
    assert {e["ssh"]["server"]["hassh"]["hash"] for e in ours if "hassh" in e["ssh"].get("server", {})} == hs


def test_lab_tls_and_ssh():
    cap = mstest.lab_capture("identity")
    work = os.path.join(os.path.dirname(cap), "work")
    run = mstest.analyze(cap, mstest.workdir("lab_out"))
    tls = {e["tls"]["sni"]: e["tls"] for e in run.of_type("tls")}
    legacy, modern, v13 = tls["lis-legacy.hospital.example"], tls["pacs.hospital.example"], tls["lis13.hospital.example"]
    assert legacy["version"] == "TLS 1.0" and "version" in legacy["weak"] and "self_signed" in legacy["weak"]
    assert modern["version"] == "TLS 1.2" and "version" not in modern.get("weak", [])
    assert v13["version"] == "TLS 1.3" and "certificate" not in v13  # encrypted in 1.3
    for name, t in (("lis-legacy", legacy), ("pacs", modern)):
        crt = os.path.join(work, "tls", "%s.crt" % ("lis" if name != "pacs" else "pacs"))
        # The subject openssl put in the certificate it generated.
        subj = subprocess.run(["openssl", "x509", "-noout", "-subject", "-nameopt", "RFC2253", "-in", crt],
                              capture_output=True, text=True).stdout
        if name == "pacs":
            assert subj.strip() == "subject=" + t["certificate"]["subject"], (subj, t["certificate"])
        assert t["certificate"]["key_bits"] == 2048 and t["certificate"]["self_signed"]
    ts = {p[0]: j[0] for p, j in mstest.tshark_fields(cap, "tls.handshake.type == 1", ["tls.handshake.extensions_server_name",
                                                                                      "tls.handshake.ja3"])}
    for sni, t in tls.items():
        assert t["client"]["ja3"]["hash"] == ts[sni]
    ssh = run.of_type("ssh")[0]["ssh"]
    version = subprocess.run(["ssh", "-V"], capture_output=True, text=True).stderr  # "OpenSSH_9.2p1 Debian-2+deb12u3, ..."
    assert ssh["client"]["software_version"] == version.split()[0].rstrip(",")
    assert ssh["server"]["software_version"] == ssh["client"]["software_version"]
    fp = subprocess.run(["ssh-keygen", "-l", "-E", "md5", "-f", os.path.join(work, "ssh", "pacs_host_ed25519.pub")],
                        capture_output=True, text=True).stdout.split()[1]
    assert "MD5:" + ssh["server"]["host_key"]["md5"] == fp and ssh["server"]["host_key"]["type"] == "ssh-ed25519"
    fp256 = subprocess.run(["ssh-keygen", "-l", "-f", os.path.join(work, "ssh", "pacs_host_ed25519.pub")],
                           capture_output=True, text=True).stdout.split()[1]
    assert ssh["server"]["host_key"]["sha256"] == fp256
    th = mstest.tshark_fields(cap, "ssh.kex.hassh || ssh.kex.hasshserver", ["ssh.kex.hassh", "ssh.kex.hasshserver"])
    assert {ssh["client"]["hassh"]["hash"], ssh["server"]["hassh"]["hash"]} == {h for c, s in th for h in c + s}


def test_lookalikes_are_not_tls_or_ssh():
    d = mstest.workdir("lookalike")
    sessions = [
        pcapgen.TcpSession(("10.1.0.30", 41000), ("10.1.0.20", 443)).send(0, b"\x16\x03\x01\x00\x05hello").close(),
        pcapgen.TcpSession(("10.1.0.31", 41001), ("10.1.0.20", 443)).send(0, b"\x17\x03\x03\x00\x10" + b"\x00" * 16).close(),
        pcapgen.TcpSession(("10.1.0.32", 41002), ("10.1.0.20", 22)).send(1, b"SSH is not running here\r\n").close(),
        pcapgen.TcpSession(("10.1.0.33", 41003), ("10.1.0.20", 22)).send(0, b"SSH-x.y-Client\r\n").close(),
    ]
    pcap = os.path.join(d, "lookalike.pcap")
    pcapgen.write(pcap, sessions)
    run = mstest.analyze(pcap, os.path.join(d, "out"))
    assert not run.of_type("tls") and not run.of_type("ssh"), (run.of_type("tls") + run.of_type("ssh"))[:1]


if __name__ == "__main__":
    mstest.main(globals())
