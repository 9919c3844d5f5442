"""SMB1/2/3 and NTLMSSP (issue 5): Suricata's smb expectations and Zeek's
smb_files/smb_mapping logs as oracles, tshark's NTLMSSP fields on every corpus
capture, the lab's Samba server with smbclient over SMB3 and SMB1, DICOM files
written to a share, and look-alikes."""
import os

import mstest
import pcapgen

SV = "suricata-verify/tests"


def smb_events(run, command=None):
    return [e["smb"] for e in run.of_type("smb") if command is None or e["smb"]["command"] == command]


def sv_check(test, pcap):
    run = mstest.analyze(mstest.corpus(SV, pcap), mstest.workdir(test))
    ours = smb_events(run)
    checked = 0
    for _, m in mstest.suricata_checks(test):
        if m.get("event_type") != "smb":
            continue
        want = {}
        for k, v in m.items():
            if k == "smb.share" or k == "smb.named_pipe":
                want["share"] = v
            elif k.startswith("smb.ntlmssp."):
                want.setdefault("ntlmssp", {})[k[12:]] = v
            elif k in ("smb.dialect", "smb.filename"):
                want[k[4:]] = v
            elif k == "smb.status":
                want["status"] = v
        if "ntlmssp" not in want and "share" not in want and "filename" not in want and "dialect" not in want:
            continue
        def ok(s):
            for k, v in want.items():
                if k == "ntlmssp":
                    if any(s.get("ntlmssp", {}).get(a) != b for a, b in v.items()):
                        return False
                elif k == "dialect" and v == "unknown":
                    continue  # Suricata did not see the negotiation (midstream); medsentry may
                elif s.get(k) != v:
                    return False
            return True
        assert any(ok(s) for s in ours), (test, want, ours[:6])
        checked += 1
    return checked


def test_agrees_with_suricata():
    n = 0
    n += sv_check("smb3-01", "smb3-01/input.pcap")
    n += sv_check("smb2-ntlmssp-negotiateflags", "smb2-ntlmssp-negotiateflags/input.pcap")
    n += sv_check("smb2-ntlmssp-order", "smb2-ntlmssp-order/smb2.pcap")
    n += sv_check("output-eve-smb-01", "output-eve-smb-01/input.pcap")
    n += sv_check("smb1-01", "smb1-01/smb1.pcap")
    assert n >= 6, n


def test_agrees_with_zeek_logs():
    run = mstest.analyze(mstest.corpus("zeek/testing/btest/Traces/smb/smb3.pcap"), mstest.workdir("zeek3"))
    shares = {(s["share"], s.get("share_type", "").upper()) for s in smb_events(run, "tree_connect")}
    for z in mstest.zeek_log("scripts.base.protocols.smb.smb3", "smb_mapping.log"):
        assert (z["path"].replace("\\\\", "\\"), z["share_type"]) in shares, (z, shares)  # Zeek escapes "\\"
    for base, trace in (("smb2-read-write", "smb2readwrite.pcap"), ("smb1", "smb1.pcap")):
        run = mstest.analyze(mstest.corpus("zeek/testing/btest/Traces/smb", trace), mstest.workdir(base))
        names = {s["filename"] for s in smb_events(run, "create")}
        files = {s["filename"]: s for s in smb_events(run, "file")}
        for z in mstest.zeek_log("scripts.base.protocols.smb." + base, "smb_files.log"):
            if z["name"] == "<share_root>":
                continue  # Zeek's name for an empty path
            assert z["name"].replace("\\\\", "\\") in names, (z["name"], names)
            if z["action"] == "SMB::FILE_WRITE" and z["size"] not in ("-", "0"):
                assert files[z["name"]]["bytes_written"] > 0
            if z["action"] == "SMB::FILE_READ" and z["size"] not in ("-", "0"):
                assert files[z["name"]]["bytes_read"] == int(z["size"]), (z, files[z["name"]])


def test_ntlmssp_agrees_with_tshark_on_corpus():
    compared = 0
    for i, cap in enumerate(mstest.corpus_with("smb", "smb2")):
        rows = mstest.tshark_fields(cap, "ntlmssp.messagetype == 3 && smb2 || ntlmssp.messagetype == 3 && smb",
                                    ["ntlmssp.auth.username", "ntlmssp.auth.domain", "ntlmssp.auth.hostname"])
        if not rows:
            continue
        run = mstest.analyze(cap, mstest.workdir("ts%03d" % i))
        ours = {(n.get("user", "NULL"), n.get("domain", "NULL"), n.get("host", "NULL"))
                for s in smb_events(run, "session_setup") for n in [s.get("ntlmssp", {})]}
        for user, domain, host in rows:
            t = (user[0] if user else "NULL", domain[0] if domain else "NULL", host[0] if host else "NULL")
            assert t in ours, (cap, t, ours)
            compared += 1
    print("NTLMSSP logins compared with tshark: %d" % compared)
    assert compared >= 8


def test_lab_smb1_and_smb3():
    cap = mstest.lab_capture("identity")
    run = mstest.analyze(cap, mstest.workdir("lab_out"))
    neg = smb_events(run, "negotiate")
    assert {s["version"] for s in neg} == {1, 3}, neg  # smbclient -m NT1 speaks SMB1: that is what gets flagged
    assert any(s["dialect"] == "3.11" for s in neg)
    setups = smb_events(run, "session_setup")
    assert len(setups) == 3 and all(s["ntlmssp"]["user"] == "labtech" and s["status"] == "STATUS_SUCCESS" for s in setups)
    assert all(s["ntlmssp"]["server_nb_computer"] == "LISFILES" for s in setups)
    files = {f["filename"].lstrip("\\"): f for f in smb_events(run, "file")}
    txt = [f for n, f in files.items() if n.endswith(".txt")]
    assert len(txt) == 2 and all(f["bytes_written"] == len("report\n") for f in txt), files
    dcm = [f for n, f in files.items() if n.endswith(".dcm")]
    assert len(dcm) == 1 and dcm[0]["bytes_written"] == os.path.getsize(
        os.path.join(os.path.dirname(cap), "work", "out", dcm[0]["filename"]))
    # The CT's image on the share is a DICOM Part 10 file: identity, no patient in clear.
    df = [e["dicom_file"] for e in run.of_type("dicom_file")]
    assert len(df) == 1 and df[0]["transport"] == "smb" and df[0]["direction"] == "to_server"
    assert df[0]["object"]["manufacturer"] == "GE MEDICAL SYSTEMS" and df[0]["phi"] is True
    assert b"DOE^JANE" not in mstest.all_text(run.outdir) and b"PID778812" not in mstest.all_text(run.outdir)
    shares = {s["share"].lower() for s in smb_events(run, "tree_connect")}
    assert "\\\\10.60.0.50\\results" in shares


def test_lookalikes_are_not_smb():
    d = mstest.workdir("lookalike")
    sessions = [
        pcapgen.TcpSession(("10.1.0.30", 41000), ("10.1.0.20", 445)).send(0, b"\x00\x00\x00\x10" + b"\xfeSMX" + b"\x00" * 12).close(),
        pcapgen.TcpSession(("10.1.0.31", 41001), ("10.1.0.20", 445)).send(0, b"SMB over here please\r\n").close(),
        pcapgen.TcpSession(("10.1.0.32", 41002), ("10.1.0.20", 139)).send(0, b"\x05\x00\x00\x04\xffSMB").close(),
    ]
    pcap = os.path.join(d, "lookalike.pcap")
    pcapgen.write(pcap, sessions)
    run = mstest.analyze(pcap, os.path.join(d, "out"))
    assert not run.of_type("smb"), run.of_type("smb")[:1]


if __name__ == "__main__":
    mstest.main(globals())
