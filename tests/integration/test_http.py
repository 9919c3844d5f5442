"""HTTP/1.x (issue 5): Zeek's own http.log baselines and tshark's HTTP
dissector as oracles, passwords never written (only a strength verdict),
device page titles, DICOM files in HTTP bodies (CVE-2019-11687 preambles,
STOW-RS multipart), look-alikes that must not be recognised."""
import collections
import re
import os
import subprocess

import mstest
import pcapgen

ZEEK = "zeek/testing/btest"


def zeek_http_log(baseline):
    return mstest.zeek_log(baseline, "http.log")


def test_agrees_with_zeek_http_log():
    cases = [("http-basic-auth-colon", "basic-auth-with-colon.pcap"),
             ("http-basic-auth-extra-space", "basic-auth-with-extra-space.pcap")]
    for i, (baseline, trace) in enumerate(cases):
        rows = zeek_http_log("scripts.base.protocols.http." + baseline)
        run = mstest.analyze(mstest.corpus(ZEEK, "Traces", "http", trace), mstest.workdir("zeek%d" % i))
        ours = [e for e in run.of_type("http")]
        assert len(ours) == len(rows), (trace, len(ours), len(rows))
        for z, e in zip(rows, sorted(ours, key=lambda e: e["timestamp"])):
            h = e["http"]
            assert (h["http_method"], h["hostname"], h["url"]) == (z["method"], z["host"], z["uri"]), (z, h)
            # Zeek's version column is the reply's; medsentry's protocol is the
            # request's (as Suricata's): not compared.
            assert h["http_user_agent"] == z["user_agent"]
            assert h["status"] == int(z["status_code"])
            assert h["request_body_bytes"] == int(z["request_body_len"])
            assert h["length"] == int(z["response_body_len"]), (h, z)
            if z["username"] != "-":
                assert h["authorization"]["username"] == z["username"]
                assert h["authorization"]["password_present"] is (z["password"] not in ("-", ""))


def tshark_transactions(pcap, ports=()):
    cmd = ["tshark", "-r", pcap, "-Y", "http.request || http.response", "-T", "fields", "-E", "separator=\t",
           "-E", "occurrence=f"]
    for p in ports:
        cmd += ["-d", "tcp.port==%d,http" % p]
    for f in ("ip.src", "tcp.srcport", "ip.dst", "tcp.dstport", "http.request.method", "http.request.uri",
              "http.host", "http.user_agent", "http.response.code"):
        cmd += ["-e", f]
    reqs, resps = collections.defaultdict(list), collections.defaultdict(list)
    for line in mstest.run_cmd(cmd).stdout.splitlines():
        src, sp, dst, dp, method, uri, host, ua, code = (line.split("\t") + [""] * 9)[:9]
        a, b = (src, int(sp)), (dst, int(dp))
        k = (a, b) if a <= b else (b, a)
        if method:
            reqs[k].append((method, person_ids_masked(uri.split("?")[0]), host, ua))
        # 1xx responses (100 Continue) are interim (RFC 9110 §15.2): medsentry
        # records each transaction's final response.
        if code and not code.startswith("1"):
            resps[k].append(int(code))
    return reqs, resps


PERSON_TYPES = ("Patient", "Person", "RelatedPerson")


IDENTIFIER = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{0,4}[0-9]{5,}[A-Za-z]{0,2}(?![A-Za-z0-9])")


def person_ids_masked(path):
    """medsentry writes the logical id of a person resource (/Patient/123) and
    identifier-like runs (src/dissectors/phi_scrub.h) as tokens; both sides are
    compared with those masked."""
    segs = path.split("/")
    segs = ["<person-id>" if i > 0 and segs[i - 1] in PERSON_TYPES and seg else seg for i, seg in enumerate(segs)]
    out = []
    for seg in segs:
        if re.fullmatch(r"[0-9]+(\.[0-9]+){2,}", seg):  # UIDs and addresses are kept
            out.append(seg)
        else:
            out.append(IDENTIFIER.sub("<id>", re.sub(r"phi:[0-9a-f]{16}", "<id>", seg)))
    return "/".join(out)


def compare_with_tshark(pcap, out, ports=()):
    run = mstest.analyze(pcap, out)
    t_req, t_resp = tshark_transactions(pcap, ports)
    m_req, m_resp = collections.defaultdict(list), collections.defaultdict(list)
    for e in sorted(run.of_type("http"), key=lambda e: e["timestamp"]):
        h = e["http"]
        a, b = (e["src_ip"], e["src_port"]), (e["dest_ip"], e["dest_port"])
        k = (a, b) if a <= b else (b, a)
        if "http_method" in h:
            assert all(seg.startswith("phi:") for i, seg in enumerate(h["url"].split("/"))
                       if i > 0 and h["url"].split("/")[i - 1] in PERSON_TYPES and seg), h["url"]
            m_req[k].append((h["http_method"], person_ids_masked(h["url"]), h.get("hostname", ""),
                             h.get("http_user_agent", "")))
        # tshark shows a response only once its body is reassembled; one the
        # capture cut off is not shown. medsentry reports it, marked so.
        if "status" in h and h.get("response_complete", True):
            m_resp[k].append(h["status"])
    # A request line with extra whitespace (an evasion): tshark splits at the
    # first space and reports an empty URI; medsentry reads the target a
    # lenient server reads, and raises http.request_line_whitespace.
    odd = {k for k in m_req for e in run.of_type("anomaly")
           if e["anomaly"]["event"] == "http.request_line_whitespace"
           and k == tuple(sorted([(e["src_ip"], e["src_port"]), (e["dest_ip"], e["dest_port"])]))}
    for k in odd:
        for i, (t, m) in enumerate(zip(t_req[k], m_req[k])):
            if t[1] == "" and m[1]:
                t_req[k][i] = (t[0], m[1], t[2], t[3])
    assert dict(t_req) == dict(m_req), "%s requests:\ntshark %s\nmedsentry %s" % (pcap, dict(t_req), dict(m_req))
    assert dict(t_resp) == dict(m_resp), "%s responses:\ntshark %s\nmedsentry %s" % (pcap, dict(t_resp), dict(m_resp))
    return sum(len(v) for v in t_req.values()), run


def test_agrees_with_tshark_on_corpus_captures():
    caps = ["nDPI/pcap/http_auth.pcap", "nDPI/pcap/http-manipulated.pcap", "nDPI-2025/pcap/http-pwd.pcapng",
            "suricata-verify/tests/http-auth-bearer/input.pcap", "suricata-verify/tests/http-auth-unrecognized/input.pcap",
            "zeek/testing/btest/Traces/http/basic-auth-with-colon.pcap", "nDPI/pcap/ipp.pcap"]
    total = 0
    for i, c in enumerate(caps):
        n, run = compare_with_tshark(mstest.corpus(c), mstest.workdir("corpus%d" % i))
        total += n
        if c.endswith("http-manipulated.pcap"):
            assert [e for e in run.of_type("anomaly") if e["anomaly"]["event"] == "http.request_line_whitespace"]
    print("corpus HTTP requests compared with tshark: %d" % total)
    assert total >= 10




def all_output(outdir):
    return b"".join(open(os.path.join(outdir, f), "rb").read() for f in os.listdir(outdir))


def test_lab_titles_credentials_and_dicom_files():
    assert os.geteuid() == 0, "the lab needs root"
    n, run = compare_with_tshark(mstest.lab_capture("attack_default_login"), mstest.workdir("login"))
    eds = [e["http"] for e in run.of_type("http") if e["dest_ip"] == "10.60.0.50"]
    assert eds and eds[0]["title"] == "Lantronix EDS-MD16 Medical Device Server"
    assert eds[0]["authorization"] == {"scheme": "Basic", "username": "admin", "password_present": True,
                                       "password_strength": "weak"}
    assert b'"PASS"' not in all_output(mstest.workdir("login")) and b":PASS" not in all_output(mstest.workdir("login"))

    n, run = compare_with_tshark(mstest.lab_capture("icu"), mstest.workdir("icu"))
    mon = [e["http"] for e in run.of_type("http")][0]
    assert mon["authorization"]["password_strength"] == "strong" and mon["title"] == "IntelliVue MX800 - Service"
    assert b"Icu4!Mon-7781" not in all_output(mstest.workdir("icu"))

    for name, preamble, executable in (("attack_dicom_preamble", "elf", True), ("benign_dicom_preamble", "tiff", False)):
        n, run = compare_with_tshark(mstest.lab_capture(name), mstest.workdir("files_" + name))
        # The scenario also copies a file over SMB (test_smb's); the HTTP upload is ours.
        files = [e["dicom_file"] for e in run.of_type("dicom_file") if e["dicom_file"]["transport"] == "http"]
        assert len(files) == 1, files
        assert files[0]["preamble"] == preamble and files[0]["executable_preamble"] is executable
        assert files[0]["object"]["modality"] == "CT" and files[0]["object"]["patient_id"].startswith("phi:")


def test_stow_rs_multipart_and_chunked():
    """Two DICOM files in one multipart/related POST (chunked), one with a PE preamble."""
    d = mstest.workdir("stow")
    v = subprocess.run(["/usr/bin/python3", "-c", """
import sys; sys.path.insert(0, sys.argv[1])
import content
content.dicom_file(sys.argv[2] + '/a.dcm', 'MR', {'name': 'ROE^RICHARD', 'id': 'PID445120'}, {'manufacturer': 'Siemens'})
content.dicom_file(sys.argv[2] + '/b.dcm', 'CT', {'name': 'DOE^JANE', 'id': 'PID778812'}, {}, preamble_kind='pe')
""", mstest.repo("tests", "lab"), d], capture_output=True, text=True)
    assert v.returncode == 0, v.stderr
    parts = [open(os.path.join(d, f), "rb").read() for f in ("a.dcm", "b.dcm")]
    body = b"".join(b"--XyZ\r\nContent-Type: application/dicom\r\n\r\n" + p + b"\r\n" for p in parts) + b"--XyZ--\r\n"
    chunked = b"".join(b"%x\r\n" % len(body[i:i + 1000]) + body[i:i + 1000] + b"\r\n" for i in range(0, len(body), 1000))
    chunked += b"0\r\n\r\n"
    req = (b"POST /dicomweb/studies HTTP/1.1\r\nHost: pacs\r\nTransfer-Encoding: chunked\r\n"
           b"Content-Type: multipart/related; type=\"application/dicom\"; boundary=XyZ\r\n\r\n") + chunked
    s = pcapgen.TcpSession(("10.1.0.30", 40200), ("10.1.0.20", 8042))
    s.send(0, req).send(1, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}").close()
    pcap = os.path.join(d, "stow.pcap")
    pcapgen.write(pcap, [s])
    run = mstest.analyze(pcap, os.path.join(d, "out"))
    files = sorted((e["dicom_file"] for e in run.of_type("dicom_file")), key=lambda f: f["object"]["modality"])
    assert [f["object"]["modality"] for f in files] == ["CT", "MR"], files
    assert [f["preamble"] for f in files] == ["pe", "zeros"]
    h = run.of_type("http")[0]["http"]
    assert h["request_body_bytes"] == len(body) and h["status"] == 200
    out = all_output(os.path.join(d, "out"))
    assert b"PID445120" not in out and b"RICHARD" not in out


def test_lookalikes_are_not_http():
    d = mstest.workdir("lookalike")
    texts = [b"GET ready for the next shift\r\n", b"HTTP/1.1 is a protocol\r\n", b"POST office closed\n",
             b"GETS /x HTTP/1.1\r\n\r\n"]
    sessions = []
    for i, t in enumerate(texts):
        s = pcapgen.TcpSession(("10.1.0.30", 41000 + i), ("10.1.0.20", 80), t0=1700000000.0 + i)
        sessions.append(s.send(0, t * 3).send(1, b"ok\r\n").close())
    pcap = os.path.join(d, "lookalike.pcap")
    pcapgen.write(pcap, sessions)
    run = mstest.analyze(pcap, os.path.join(d, "out"))
    assert not run.of_type("http"), run.of_type("http")[:1]


if __name__ == "__main__":
    mstest.main(globals())
