"""HL7 v2 (issue 4): tshark's HL7 dissector as the oracle on real traffic
(python3-hl7's mllp_send in the lab, the corpus captures), acknowledgements
matched to their messages, raw framing, look-alikes that must not be
recognised, patient identifiers as tokens only."""
import collections
import os
import re

import mstest
import pcapgen

IP_LINE = re.compile(r"^Internet Protocol Version \d, Src: (\S+), Dst: (\S+)")
TCP_LINE = re.compile(r"^Transmission Control Protocol, Src Port: (\d+), Dst Port: (\d+)")
FIELD_LINE = re.compile(r"^\s+field (\d+): (.*)$")


def tshark_messages(pcap, ports=(2575,)):
    """Per flow, the messages tshark decodes: (type, event, control id,
    sending app, receiving app, version) from each MSH."""
    cmd = ["tshark", "-r", pcap, "-Y", "hl7", "-O", "hl7"]
    for p in ports:
        cmd += ["-d", "tcp.port==%d,hl7" % p]
    out = collections.defaultdict(collections.Counter)
    src = dst = sp = dp = None
    msh = None

    def close():
        if msh is not None:
            a, b = (src, sp), (dst, dp)
            mtype = msh.get(9, "").split("^")
            out[(a, b) if a <= b else (b, a)][(mtype[0], mtype[1] if len(mtype) > 1 else "", msh.get(10, ""),
                                                msh.get(3, ""), msh.get(5, ""), msh.get(12, ""))] += 1

    for line in mstest.run_cmd(cmd).stdout.splitlines():
        m = IP_LINE.match(line)
        if m:
            close()
            msh = None
            src, dst = m.group(1), m.group(2)
            continue
        m = TCP_LINE.match(line)
        if m:
            sp, dp = int(m.group(1)), int(m.group(2))
            continue
        if line.strip().startswith("MSH (Message Header)"):
            close()
            msh = {}
            continue
        if msh is not None:
            m = FIELD_LINE.match(line)
            if m and re.match(r"^\s{8}field", line):
                msh[int(m.group(1))] = m.group(2).strip()
            elif not line.startswith("        "):
                close()
                msh = None
    close()
    return out


def medsentry_messages(run):
    out = collections.defaultdict(collections.Counter)
    for e in run.of_type("hl7"):
        h = e["hl7"]
        a, b = (e["src_ip"], e["src_port"]), (e["dest_ip"], e["dest_port"])
        out[(a, b) if a <= b else (b, a)][(h.get("message_type", ""), h.get("trigger_event", ""), h.get("control_id", ""),
                                            h.get("sending_application", ""), h.get("receiving_application", ""),
                                            h.get("version", ""))] += 1
    return out


def compare(pcap, outdir, ports=(2575,)):
    run = mstest.analyze(pcap, outdir)
    t, m = tshark_messages(pcap, ports), medsentry_messages(run)
    assert t == m, "%s: tshark %s\nmedsentry %s" % (pcap, dict(t), dict(m))
    return sum(sum(c.values()) for c in t.values()), run




def test_agrees_with_tshark_on_lab_captures():
    assert os.geteuid() == 0, "the lab needs root"
    total = 0
    for name in ("icu", "lab", "clinic", "attack_phi_exfil", "benign_phi_exfil"):
        n, run = compare(mstest.lab_capture(name), mstest.workdir("cmp_" + name))
        total += n
        for e in run.of_type("hl7"):
            h = e["hl7"]
            if h.get("message_type") != "ACK":
                assert h["ack"]["status"] == "accepted", h  # the lab's engine acknowledges everything
                assert h["phi"] and all(t.startswith("phi:") for t in h["patient_ids"])
    print("lab HL7 messages compared with tshark: %d" % total)
    assert total >= 20


def test_agrees_with_tshark_on_corpus_captures():
    caps = [mstest.corpus("nDPI-2025", "pcap", "hl7.pcap"), mstest.corpus("nDPI", "pcap", "hl7.pcap")] + sorted(
        mstest.corpus("tapirx", "testdata", f) for f in os.listdir(mstest.corpus("tapirx", "testdata"))
        if f.startswith("HL7"))
    total = 0
    for i, p in enumerate(caps):
        # nDPI's newer capture runs HL7 on 6661: tshark needs to be told.
        n, _ = compare(p, mstest.workdir("corpus%d" % i), ports=(2575, 6661))
        total += n
    print("corpus HL7 messages compared with tshark: %d" % total)
    assert total >= 6


def test_equipment_and_acknowledgement_errors():
    d = mstest.workdir("ack")
    msg = ("MSH|^~\\&|ALARIS|ICU4|HL7ENGINE|GOODHEALTH|20261123083000||ORU^R01^ORU_R01|C1|P|2.6\r"
           "PID|1||PID100232^^^ICU4^MR||JONES^BOB||19620110|M\r"
           "OBX|1|NM|RATE||42|mL/h|||||F|||20261123083000||||ALARIS-8015-0042^BD\r"
           + "|".join(["PRT", "1", "AD", "", "EQUIP", "", "", "", "", "", "PUMP-UID-0042", "", "", "", "", "",
                       "(01)00885403123456(21)0042"]) + "\r")  # PRT-10 device, PRT-16 UDI
    nak = ("MSH|^~\\&|HL7ENGINE|GOODHEALTH|ALARIS|ICU4|20261123083001||ACK|A1|P|2.6\r"
           "MSA|AE|C1\rERR|||207^Application internal error^HL70357|E\r")
    s = pcapgen.TcpSession(("10.1.0.30", 40100), ("10.1.0.40", 7777))  # not a usual HL7 port
    s.send(0, b"\x0b" + msg.encode() + b"\x1c\x0d").send(1, b"\x0b" + nak.encode() + b"\x1c\x0d").close()
    raw = pcapgen.TcpSession(("10.1.0.30", 40101), ("10.1.0.40", 7778), t0=1700000010.0)  # HL7 without MLLP
    raw.send(0, msg.replace("C1", "C2").encode() + msg.replace("C1", "C3").encode()).close()
    pcap = os.path.join(d, "ack.pcap")
    pcapgen.write(pcap, [s, raw])
    run = mstest.analyze(pcap, os.path.join(d, "out"))
    by_id = {e["hl7"]["control_id"]: e["hl7"] for e in run.of_type("hl7")}
    c1 = by_id["C1"]
    assert c1["framing"] == "mllp"
    assert c1["ack"]["status"] == "error" and c1["ack"]["code"] == "AE" and c1["ack"]["error_code"] == "207", c1
    assert c1["equipment"] == ["ALARIS-8015-0042^BD", "PUMP-UID-0042", "(01)00885403123456(21)0042"], c1
    assert by_id["A1"]["acknowledges"] == "C1" and by_id["A1"]["ack_status"] == "error"
    assert by_id["C2"]["framing"] == "raw" and by_id["C3"]["framing"] == "raw"
    assert by_id["C2"]["ack"]["status"] == "none"
    data = open(os.path.join(d, "out", "events.jsonl"), "rb").read() + open(os.path.join(d, "out", "medsentry.db"), "rb").read()
    for secret in (b"JONES", b"PID100232", b"19620110"):
        assert secret not in data, secret


def test_batch_is_split_into_messages():
    d = mstest.workdir("batch")
    msgs = ["MSH|^~\\&|LAB|L|LIS|L|20261123||ORU^R01|B%d|P|2.5\rPID|1||PID55220%d||MILLER^CARL||19800525\r" % (i, i)
            for i in range(1, 4)]
    batch = "FHS|^~\\&|LAB\rBHS|^~\\&|LAB\r" + "".join(msgs) + "BTS|3\rFTS|1\r"
    s = pcapgen.TcpSession(("10.1.0.30", 40400), ("10.1.0.40", 2575))
    s.send(0, b"\x0b" + batch.encode() + b"\x1c\x0d").close()
    pcap = os.path.join(d, "batch.pcap")
    pcapgen.write(pcap, [s])
    run = mstest.analyze(pcap, os.path.join(d, "out"))
    ids = sorted(e["hl7"]["control_id"] for e in run.of_type("hl7"))
    assert ids == ["B1", "B2", "B3"], ids
    assert run.of_type("hl7")[0]["hl7"]["batch"] is True  # the first carries the batch header


def test_lookalikes_are_not_hl7():
    d = mstest.workdir("lookalike")
    lines = [b"MSH is the message header, everybody knows\r\n", b"MSH|abcd|not encoding characters\r",
             b"\x0bMSH is framed but is not HL7\x1c\x0d", b"MSHX^~\\&Xfield separator is a letter\r"]
    sessions = []
    for i, text in enumerate(lines):
        s = pcapgen.TcpSession(("10.1.0.30", 41000 + i), ("10.1.0.40", 2575), t0=1700000000.0 + i)
        sessions.append(s.send(0, text * 3).send(1, b"OK\r\n").close())
    pcap = os.path.join(d, "lookalike.pcap")
    pcapgen.write(pcap, sessions)
    run = mstest.analyze(pcap, os.path.join(d, "out"))
    assert not run.of_type("hl7"), run.of_type("hl7")[:1]
    assert all(e["app_proto"] == "unknown" for e in run.of_type("flow"))


if __name__ == "__main__":
    mstest.main(globals())
