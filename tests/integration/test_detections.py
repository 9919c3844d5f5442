"""The detections (issue 7) beyond the lab's truth (test_lab scores every rule
on every scenario): `medsentry alerts` formats, filters and errors; `medsentry
evidence` cuts exactly an alert's flows out of its capture (tshark counts the
same packets); the configuration file (errors, allow-lists, disabled rules,
internal networks); and the corpus: every flow nDPI flags with clear-text
credentials, Zeek's FTP brute-force notice and its HTTP Basic logins each give
the alert. Alerts carry no patient data."""
import json
import os
import subprocess

import mstest


def cmd(*args, expect=0):
    p = subprocess.run([mstest.ARGS.binary, *args], capture_output=True, text=True, timeout=300)
    assert p.returncode == expect, (args, p.returncode, p.stdout[-400:], p.stderr)
    return p


def one_line_error(p):
    lines = p.stderr.strip().split("\n")
    assert len(lines) == 1 and lines[0].startswith("medsentry: error: "), p.stderr
    return lines[0]


def alerts(db, *args):
    return json.loads(cmd("alerts", "--db", db, "--format", "json", *args).stdout)


_LAB = {}


def lab(name):
    """A lab scenario's capture and truth, played once for this module."""
    if name not in _LAB:
        pcap = mstest.lab_capture(name)
        with open(os.path.join(os.path.dirname(pcap), "truth.json")) as f:
            _LAB[name] = (pcap, json.load(f))
    return _LAB[name]


def ip_of(truth, name):
    return next(d["ip"] for d in truth["devices"] if d["name"] == name)


def test_alerts_command():
    pcap, truth = lab("attack_default_login")
    out = mstest.workdir("adl")
    run = mstest.analyze(pcap, out)
    db = os.path.join(out, "inventory.db")
    events = [e["alert"] for e in run.of_type("alert")]
    assert len(events) >= 9, len(events)
    stats = run.stats["detect"]
    assert stats["alerts"] == len(events) == sum(stats["by_severity"].values())
    stored = alerts(db)
    assert sorted(a["id"] for a in stored) == sorted(a["id"] for a in events)
    # Most severe first; every alert says what to do.
    ranks = ["info", "low", "medium", "high", "critical"]
    assert [ranks.index(a["severity"]) for a in stored] == sorted((ranks.index(a["severity"]) for a in stored), reverse=True)
    for a in stored:
        assert [s.split(":")[0] for s in a["response"]][:1] == ["identify"], a["response"]
        assert any(s.startswith("preserve: medsentry evidence " + a["id"]) for s in a["response"])
    pump = ip_of(truth, "pump1")
    crit = alerts(db, "--severity", "critical")
    assert crit and all(a["severity"] == "critical" for a in crit)
    assert {a["rule"] for a in crit} == {"default_credential", "remote_shell_commands"}
    assert all(a["dest"]["ip"] == pump and a["dest"]["type"] == "infusion pump" for a in crit)
    bf = alerts(db, "--rule", "brute_force")
    assert len(bf) == 1 and bf[0]["evidence"]["failures"] == 5 and bf[0]["evidence"]["success_after_failures"]
    # The table: a header, one line per alert, the count.
    table = cmd("alerts", "--db", db).stdout.splitlines()
    assert table[0].split()[:3] == ["ID", "SEVERITY", "RULE"] and table[-1] == "%d alerts" % len(stored)
    assert len(table) == len(stored) + 2
    # Analysing the same capture again replaces its alerts.
    mstest.analyze(pcap, mstest.workdir("adl_again"), extra=["--db", db])
    assert sorted(a["id"] for a in alerts(db)) == sorted(a["id"] for a in stored)
    # Bad options: one line, exit 2; no database or a foreign one: exit 1.
    for args in (["--severity", "urgent"], ["--rule", "nope"], ["--format", "csv"], ["--bogus"]):
        one_line_error(cmd("alerts", "--db", db, *args, expect=2))
    one_line_error(cmd("alerts", "--db", os.path.join(out, "none.db"), expect=1))
    one_line_error(cmd("alerts", "--db", os.path.join(out, "medsentry.db"), expect=1))


def tshark_count(pcap, filt):
    return len(subprocess.run(["tshark", "-r", pcap, "-Y", filt, "-T", "fields", "-e", "frame.number"],
                              capture_output=True, text=True).stdout.split())


def flow_filter(f):
    a, b = f["src_ip"], f["dest_ip"]
    t = "tcp" if f["proto"] == "TCP" else "udp"
    return "(ip.addr==%s && ip.addr==%s && %s.port==%d && %s.port==%d)" % (a, b, t, f["src_port"], t, f["dest_port"])


def test_evidence_cuts_the_alerts_flows():
    pcap, truth = lab("attack_default_login")
    out = mstest.workdir("evidence")
    mstest.analyze(pcap, out)
    db = os.path.join(out, "inventory.db")
    for rule in ("brute_force", "remote_shell_commands"):
        a = alerts(db, "--rule", rule)[0]
        dest = os.path.join(out, rule + ".pcap")
        p = cmd("evidence", a["id"], "--db", db, "-o", dest)
        assert p.stdout.startswith(dest + ": "), p.stdout
        filt = " || ".join(flow_filter(f) for f in a["flows"])
        want = tshark_count(pcap, filt)
        assert want > 0
        # Exactly the packets of the alert's flows, in tshark's own count.
        assert tshark_count(dest, "frame") == want == tshark_count(dest, filt), (rule, want)
    # The scan of attack_scan: 40 probes, each flow with its own ports.
    spcap, struth = lab("attack_scan")
    sout = mstest.workdir("evidence_scan")
    mstest.analyze(spcap, sout)
    sdb = os.path.join(sout, "inventory.db")
    scan = alerts(sdb, "--rule", "scan")
    assert len(scan) == 1 and scan[0]["flows_total"] == len(scan[0]["flows"]) == 40
    dest = os.path.join(sout, "scan.pcap")
    cmd("evidence", scan[0]["id"], "--db", sdb, "-o", dest)
    ws = ip_of(struth, "ws")
    assert tshark_count(dest, "frame") == tshark_count(spcap, "ip.addr==%s && tcp && !(tcp.len>0)" % ws) - \
        tshark_count(spcap, "ip.addr==%s && tcp && tcp.stream in {%s}" % (ws, " ".join(
            s for s in subprocess.run(["tshark", "-r", spcap, "-Y", "tcp.len>0", "-T", "fields", "-e", "tcp.stream"],
                                      capture_output=True, text=True).stdout.split()) or "99999"))
    # A capture named by a relative path is found again from another working
    # directory (the console runs elsewhere): the database records it absolute.
    rel = mstest.workdir("evidence_relative")
    subprocess.run(["cp", pcap, os.path.join(rel, "cap.pcap")], check=True)
    p = subprocess.run([os.path.abspath(mstest.ARGS.binary), "analyze", "cap.pcap", "-o", "out", "--db", "rel.db", "-q"],
                       cwd=rel, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    ra = alerts(os.path.join(rel, "rel.db"), "--rule", "brute_force")[0]
    cmd("evidence", ra["id"], "--db", os.path.join(rel, "rel.db"), "-o", os.path.join(out, "rel.pcap"))
    assert tshark_count(os.path.join(out, "rel.pcap"), "frame") > 0
    # An unknown id, a capture that moved: one line, exit 1.
    one_line_error(cmd("evidence", "0123456789abcdef", "--db", db, expect=1))
    one_line_error(cmd("evidence", scan[0]["id"], "--db", sdb, os.path.join(sout, "missing.pcap"), "-o", dest, expect=1))
    one_line_error(cmd("evidence", "--db", db, expect=2))


def write(path, text):
    with open(path, "w") as f:
        f.write(text)
    return path


def test_configuration_file():
    pcap, truth = lab("attack_default_login")
    base = mstest.workdir("config")
    pump, ws = ip_of(truth, "pump1"), ip_of(truth, "ws")
    # A mistake: one line with the file and line, exit 2, nothing written.
    bad = write(os.path.join(base, "bad.toml"), "[thresholds]\nbrute_force_failures = -1\n")
    out = os.path.join(base, "bad_out")
    p = subprocess.run([mstest.ARGS.binary, "analyze", pcap, "-o", out, "--config", bad, "--db", os.path.join(base, "b.db")],
                       capture_output=True, text=True)
    assert p.returncode == 2 and one_line_error(p) == \
        "medsentry: error: %s:2: thresholds.brute_force_failures: -1 is not from 1 to 100000" % bad
    assert not os.path.exists(out) and not os.path.exists(os.path.join(base, "b.db"))
    # An allow-list entry silences one rule for one pair; a disabled rule is gone.
    good = write(os.path.join(base, "medsentry.toml"), """
disabled_rules = ["insecure_service"]
[thresholds]
brute_force_failures = 6
brute_force_failures_medical = 6
[[allow]]
rule = "default_credential"
src = "%s"
dst = "%s/32"
reason = "biomed's service laptop (ticket 4711)"
""" % (ws, pump))
    run = mstest.analyze(pcap, os.path.join(base, "good"), extra=["--config", good])
    got = [e["alert"] for e in run.of_type("alert")]
    assert not [a for a in got if a["rule"] == "default_credential" and a["dest"]["ip"] == pump]
    assert [a for a in got if a["rule"] == "default_credential" and a["dest"]["ip"] != pump]
    assert not [a for a in got if a["rule"] in ("insecure_service", "brute_force")]  # 5 failures < 6 (the CT is medical)
    assert run.stats["detect"]["allowed"] == 1
    # $MEDSENTRY_CONFIG is the default --config.
    env = dict(os.environ, MEDSENTRY_CONFIG=good)
    out = os.path.join(base, "env")
    subprocess.run([mstest.ARGS.binary, "analyze", pcap, "-o", out, "--db", os.path.join(out, "i.db"), "-q"], env=env, check=True)
    assert not [a for a in alerts(os.path.join(out, "i.db")) if a["rule"] == "insecure_service"]
    # The outside host declared internal: its PHI is no longer leaving.
    xpcap, xtruth = lab("attack_phi_exfil")
    ext = ip_of(xtruth, "ext")
    run = mstest.analyze(xpcap, os.path.join(base, "exfil"))
    assert len([e for e in run.of_type("alert") if e["alert"]["rule"] == "phi_exfiltration"]) == 3
    inside = write(os.path.join(base, "inside.toml"), '[networks]\ninternal = ["10.0.0.0/8", "%s/24"]\n' % ext)
    run = mstest.analyze(xpcap, os.path.join(base, "exfil_inside"), extra=["--config", inside])
    assert not [e for e in run.of_type("alert") if e["alert"]["rule"] == "phi_exfiltration"]
    # Known AE titles: the imaging department's C-MOVE to "VIEWER" and the
    # archive's stores to it become exfiltration candidates when VIEWER is
    # not on the list (high: inside the hospital).
    ipcap, itruth = lab("imaging")
    known = [ae for d in itruth["devices"] for ae in d.get("ae_titles") or [] if ae != "VIEWER"]
    aes = write(os.path.join(base, "aes.toml"), "[known]\nae_titles = [%s]\n" % ", ".join('"%s"' % a for a in known))
    run = mstest.analyze(ipcap, os.path.join(base, "aes"), extra=["--config", aes])
    ex = [e["alert"] for e in run.of_type("alert") if e["alert"]["rule"] == "phi_exfiltration"]
    ws1, pacs = ip_of(itruth, "ws1"), ip_of(itruth, "pacs")
    assert sorted((a["src"]["ip"], a["dest"]["ip"], a["severity"]) for a in ex) == sorted(
        [(ws1, pacs, "high"), (pacs, ws1, "high")]), ex
    assert {v for a in ex for k in ("unknown_move_destinations", "unknown_ae_titles") for v in a["evidence"].get(k, [])} == {"VIEWER"}
    run = mstest.analyze(ipcap, os.path.join(base, "aes_all"))
    assert not [e for e in run.of_type("alert") if e["alert"]["rule"] == "phi_exfiltration"]
    # --no-detect: no alert, no detect statistics.
    run = mstest.analyze(pcap, os.path.join(base, "off"), extra=["--no-detect"])
    assert not run.of_type("alert") and "detect" not in run.stats


def baseline_alerts(db):
    return [a for a in alerts(db) if a["rule"] in ("new_peer", "new_service", "new_external_network", "volume_spike")]


def test_baselines_learned_from_one_capture_applied_to_another():
    """Rule 10 with the lab's twins: what the workstation does in one
    scenario is its baseline for the next."""
    base = mstest.workdir("baseline")
    out = lambda n: os.path.join(base, n)
    learn = {}
    for name in ("benign_phi_exfil", "benign_scan"):
        pcap, truth = lab(name)
        learn[name] = out(name + ".baseline")
        run = mstest.analyze(pcap, out("learn_" + name), extra=["--learn-baseline", learn[name]])
        assert not baseline_alerts(os.path.join(out("learn_" + name), "inventory.db"))  # learning raises nothing
    with open(learn["benign_phi_exfil"]) as f:
        text = f.read()
    _, truth = lab("benign_phi_exfil")
    ws, engine, pacs = (ip_of(truth, n) for n in ("ws", "engine", "pacs"))
    assert "peer\t%s\t%s\ttcp/2575\n" % (ws, engine) in text and "peer\t%s\t%s\ttcp/104\n" % (ws, pacs) in text

    def judged(name, baseline, *extra):
        pcap, _ = lab(name)
        d = out("%s_vs_%s" % (name, os.path.basename(baseline)))
        mstest.analyze(pcap, d, extra=["--baseline", baseline, *extra])
        return baseline_alerts(os.path.join(d, "inventory.db"))

    # The same traffic against its own baseline: nothing new.
    assert judged("benign_phi_exfil", learn["benign_phi_exfil"]) == []
    # The exfiltration: a network never reached before.
    ext = ip_of(lab("attack_phi_exfil")[1], "ext")
    got = judged("attack_phi_exfil", learn["benign_phi_exfil"])
    assert [(a["rule"], a["src"]["ip"], a["dest"]["ip"], a["evidence"]["network"]) for a in got] == \
        [("new_external_network", ws, ext, ext.rsplit(".", 1)[0] + ".0/24")]
    assert sorted(a["evidence"]["services"] for a in got)[0] == ["tcp/104", "tcp/2575", "tcp/80"]
    # A new peer (the engine, never talked to in benign_scan) and a new
    # service of a known peer (the archive's web page after only DICOM).
    got = judged("benign_phi_exfil", learn["benign_scan"])
    assert [(a["rule"], a["dest"]["ip"], a["protocol"]) for a in got] == [("new_peer", engine, "tcp/2575")]
    got = judged("benign_scan", learn["benign_phi_exfil"])
    assert [(a["rule"], a["dest"]["ip"], a["protocol"]) for a in got] == [("new_service", pacs, "tcp/80")]
    # Volume: the lab's hosts send kilobytes, so the test lowers the floor.
    vol = write(out("volume.toml"), "[baseline]\nvolume_factor = 1\nvolume_min_bytes = 1\n")
    got = [a for a in judged("benign_dicom_preamble", learn["benign_phi_exfil"], "--config", vol) if a["rule"] == "volume_spike"]
    assert len(got) == 1 and got[0]["src"]["ip"] == ws
    assert got[0]["evidence"]["bytes_sent_in_hour"] > got[0]["evidence"]["baseline_busiest_hour_bytes"] > 0
    # Learning inside one run: the benign capture, then the attack an hour
    # later, with a 30-minute learning period.
    shifted, merged = out("shifted.pcap"), out("merged.pcap")
    subprocess.run(["editcap", "-t", "3600", lab("attack_phi_exfil")[0], shifted], check=True)
    subprocess.run(["mergecap", "-w", merged, lab("benign_phi_exfil")[0], shifted], check=True)
    inrun = write(out("inrun.toml"), "[baseline]\nlearning_period = 1800\n")
    d = out("inrun")
    mstest.analyze(merged, d, extra=["--config", inrun])
    got = baseline_alerts(os.path.join(d, "inventory.db"))
    assert [(a["rule"], a["dest"]["ip"]) for a in got] == [("new_external_network", ext)]
    assert got[0]["evidence"]["baseline"] == "the first 1800 s of this run"
    # A file that is not a baseline, a baseline without detections: exit 2.
    p = subprocess.run([mstest.ARGS.binary, "analyze", lab("benign_scan")[0], "-o", out("bad"), "--baseline", vol],
                       capture_output=True, text=True)
    assert p.returncode == 2 and "not a medsentry baseline" in one_line_error(p)
    p = subprocess.run([mstest.ARGS.binary, "analyze", lab("benign_scan")[0], "-o", out("bad"), "--no-detect",
                        "--learn-baseline", out("x")], capture_output=True, text=True)
    assert p.returncode == 2
    one_line_error(p)


def test_new_dicom_ae_against_a_learned_baseline():
    """Rule 8's third form with the lab's twins: the archive learned to
    accept the radiology workstation's AE title (benign_cfind); a calling AE
    title it never accepted (attack_cfind_harvest's WS30) is new_dicom_ae,
    and the learned traffic itself raises nothing."""
    base = mstest.workdir("new_ae")
    pcap, truth = lab("benign_cfind")
    learned = os.path.join(base, "cfind.baseline")
    mstest.analyze(pcap, os.path.join(base, "learn"), extra=["--learn-baseline", learned])
    pacs = ip_of(truth, "pacs")
    with open(learned) as f:
        assert "ae\t%s\tRADWS1\n" % pacs in f.read()

    def new_aes(name):
        d = os.path.join(base, name)
        mstest.analyze(lab(name)[0], d, extra=["--baseline", learned])
        return [a for a in alerts(os.path.join(d, "inventory.db")) if a["rule"] == "new_dicom_ae"]

    assert new_aes("benign_cfind") == []
    got = new_aes("attack_cfind_harvest")
    ws = ip_of(lab("attack_cfind_harvest")[1], "ws")
    assert [(a["src"]["ip"], a["dest"]["ip"], a["protocol"], a["evidence"]["calling_ae"]) for a in got] == \
        [(ws, pacs, "dicom", "WS30")]
    # The archive is a clinical server, not an endpoint: a finding, low.
    assert got[0]["severity"] == "low" and got[0]["response"]


def test_alerts_carry_no_patient_data():
    from test_lab import phi_spellings
    pcap, truth = lab("attack_phi_exfil")
    out = mstest.workdir("nophi")
    run = mstest.analyze(pcap, out)
    text = json.dumps([e for e in run.of_type("alert")]) + json.dumps(alerts(os.path.join(out, "inventory.db")))
    assert "phi:" not in text  # not even the tokens: counts and types only
    leaks = [x for p in truth["patients"] for x in phi_spellings(p) if x in text]
    assert not leaks, leaks


def test_cleartext_credentials_agree_with_ndpi():
    """Every flow nDPI flags with "Clear-Text Credentials" is in a
    cleartext_login alert for its pair of hosts."""
    checked = 0
    for folder in ("nDPI", "nDPI-2025"):
        for out in sorted(os.listdir(mstest.corpus(folder, "result"))):
            flows = [(t, f) for t, f in mstest.ndpi_flows(out[:-4], folder) if "Clear-Text Credentials" in f.get("Risk", "")]
            if not flows:
                continue
            wd = mstest.workdir("ndpi_" + out)
            mstest.analyze(mstest.corpus(folder, "pcap", out[:-4]), wd)
            ours = {frozenset((a["src"]["ip"], a["dest"]["ip"])) for a in alerts(os.path.join(wd, "inventory.db"), "--rule", "cleartext_login")}
            for (proto, a, b), f in flows:
                pair = frozenset((a.rsplit(":", 1)[0].strip("[]"), b.rsplit(":", 1)[0].strip("[]")))
                assert pair in ours, (out, pair, ours)
                checked += 1
    assert checked >= 4, checked


def test_zeek_ftp_bruteforce_and_http_basic():
    # Zeek's FTP::Bruteforcing notice: "192.168.56.1 had 20 failed logins on 1
    # FTP server" (20 is its threshold: it stops counting there).
    notice = mstest.zeek_log("scripts.policy.protocols.ftp.bruteforce", "notice.log")
    assert notice[0]["note"] == "FTP::Bruteforcing"
    wd = mstest.workdir("zeek_bruteforce")
    mstest.analyze(mstest.corpus("zeek/testing/btest/Traces/ftp/bruteforce.pcap"), wd)
    bf = alerts(os.path.join(wd, "inventory.db"), "--rule", "brute_force")
    assert len(bf) == 1 and bf[0]["src"]["ip"] == notice[0]["src"] and bf[0]["protocol"] == "ftp"
    assert bf[0]["evidence"]["failures"] >= int(notice[0]["msg"].split(" had ")[1].split()[0])
    ftp = mstest.zeek_log("scripts.policy.protocols.ftp.bruteforce", "ftp.log")
    assert bf[0]["dest"]["ip"] == ftp[0]["id.resp_h"] and bf[0]["evidence"]["usernames"] == [ftp[0]["user"]]
    # Zeek's HTTP Basic logins: a cleartext login alert with Zeek's user name.
    for base, trace in (("http-basic-auth-colon", "basic-auth-with-colon.pcap"),
                        ("http-basic-auth-extra-space", "basic-auth-with-extra-space.pcap")):
        rows = [r for r in mstest.zeek_log("scripts.base.protocols.http." + base, "http.log") if r["username"] != "-"]
        assert rows
        wd = mstest.workdir("zeek_" + base)
        mstest.analyze(mstest.corpus("zeek/testing/btest/Traces/http", trace), wd)
        got = alerts(os.path.join(wd, "inventory.db"), "--rule", "cleartext_login")
        for r in rows:
            assert any(a["src"]["ip"] == r["id.orig_h"] and a["dest"]["ip"] == r["id.resp_h"] and
                       r["username"] in a["evidence"]["usernames"] for a in got), (base, r["username"], got)


if __name__ == "__main__":
    mstest.main(globals())
