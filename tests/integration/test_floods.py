"""Floods (issue 14): the sensor holds up under the attacks it must report, and
reports them. Smaller versions of bench/floods.py's captures (the bench has the
full sizes, times and memory): a spoofed-source SYN flood against a PACS, a
fragment flood against a monitor, a SYN scan of a /20. Each raises its alert
naming the target (dos) or the scanner (scan); none turns spoofed or silent
addresses into devices. Benign twins: a busy archive receiving many real
connections below the flood rate, and a short burst over it, raise no dos."""
import json
import os
import subprocess
import sys

import mstest


_CAPS = []


def make(kind, name, *args):
    if not _CAPS:
        _CAPS.append(mstest.workdir("captures"))  # emptied once, on first use
    path = os.path.join(_CAPS[0], name)
    if not os.path.exists(path):
        subprocess.run([sys.executable, mstest.repo("bench", "make_floods.py"), kind, path, *args], check=True)
    return path


def run(pcap, name):
    wd = mstest.workdir(name)
    r = mstest.analyze(pcap, wd)
    db = os.path.join(wd, "inventory.db")
    alerts = json.loads(subprocess.run([mstest.ARGS.binary, "alerts", "--db", db, "--format", "json"],
                                       capture_output=True, text=True, check=True).stdout)
    inv = json.loads(subprocess.run([mstest.ARGS.binary, "inventory", "--db", db, "--format", "json"],
                                    capture_output=True, text=True, check=True).stdout)
    return r, alerts, inv


def test_spoofed_syn_flood_is_one_dos_alert_and_no_devices():
    # 30,000 SYNs at 3,000 a second (10 s) from random sources to 104/tcp.
    r, alerts, inv = run(make("syn", "syn.pcap", "--count", "30000", "--rate", "3000"), "syn")
    floods = r.of_type("flood")
    assert len(floods) == 1, floods
    f = floods[0]["flood"]
    assert f["kind"] == "syn" and f["target"] == "10.20.1.50" and f["port"] == 104
    assert f["packets"] == 30000 and f["top_sources"] == []
    assert 0.75 * 30000 < f["distinct_sources"] < 1.25 * 30000, f
    dos = [a for a in alerts if a["rule"] == "dos"]
    assert len(dos) == 1, [a["rule"] for a in alerts]
    a = dos[0]
    assert a["dest"]["ip"] == "10.20.1.50" and a["protocol"] == "tcp"
    assert a["evidence"]["packets"] == 30000 and a["evidence"]["kind"] == "syn"
    assert a["mitre_ics"] == "T0814"
    # The spoofed sources are no devices: the PACS and the router only.
    assert len(inv) <= 2, [d.get("ips") for d in inv]
    # Evidence: a flood names no flows, so its packets are those to and from
    # the target over the alert's span: all 30,000 SYNs.
    wd = os.path.join(mstest.ARGS.workdir, "syn")
    cut = os.path.join(wd, "dos.pcap")
    p = subprocess.run([mstest.ARGS.binary, "evidence", a["id"], "--db", os.path.join(wd, "inventory.db"), "-o", cut],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    n = subprocess.run(["tcpdump", "-r", cut, "-nn", "tcp[tcpflags] == tcp-syn and dst host 10.20.1.50"],
                       capture_output=True, text=True).stdout.count("\n")
    assert n == 30000, n


def test_fragment_flood_names_its_sources():
    r, alerts, inv = run(make("frag", "frag.pcap", "--count", "20000", "--rate", "4000"), "frag")
    dos = [a for a in alerts if a["rule"] == "dos"]
    assert len(dos) == 1, [a["rule"] for a in alerts]
    ev = dos[0]["evidence"]
    assert dos[0]["dest"]["ip"] == "10.20.2.31" and ev["kind"] == "fragment"
    assert sorted(s["ip"] for s in ev["top_sources"]) == ["10.20.9.%d" % i for i in range(10, 14)]


def test_subnet_scan_is_a_scan_not_thousands_of_devices():
    r, alerts, inv = run(make("scan", "scan.pcap", "--count", "4096", "--rate", "2000"), "scan")
    scans = [a for a in alerts if a["rule"] == "scan"]
    assert len(scans) == 1 and scans[0]["src"]["ip"] == "10.20.7.7", [a["rule"] for a in alerts]
    assert scans[0]["evidence"]["distinct_hosts"] == 4096
    assert not [a for a in alerts if a["rule"] == "dos"]
    assert not r.of_type("flood")
    assert len(inv) <= 2, len(inv)


def test_a_hub_with_thousands_of_peers_keeps_its_services():
    # An archive that 5,000 workstations each connect to (handshake, request,
    # answer): its peers are capped, counted, and never crowd out its own
    # service (before, the device's 4,096 observations were all peers).
    import pcapgen
    sessions = []
    for i in range(5000):
        c = ("10.30.%d.%d" % (i // 250, 1 + i % 250), 40000 + i % 1000)
        sessions.append(pcapgen.TcpSession(client=c, server=("10.20.1.60", 104), t0=1767225600.0 + i * 0.01)
                        .send(0, b"\x01\x00" + b"x" * 30).send(1, b"\x02\x00" + b"y" * 30))
    pcap = os.path.join(mstest.workdir("hub_cap"), "hub.pcap")
    pcapgen.write(pcap, sessions)
    r, alerts, inv = run(pcap, "hub")
    hub = [d for d in inv if "10.20.1.60" in json.dumps(d.get("ips", d.get("ip", "")))]
    assert len(hub) == 1, len(inv)
    rec = hub[0]
    assert any(s.get("port") == 104 for s in rec.get("services", [])), rec.get("services")
    assert rec["peer_count"] == 1024, rec["peer_count"]
    assert rec["not_listed"]["peer"]["observations"] == 5000 - 1024, rec.get("not_listed")


def test_benign_twins_busy_archive_and_short_burst():
    # A busy archive: 400 real connection attempts a second for 10 s from 20
    # modalities and workstations, under the 500/s rate; one second of 2,000
    # (a study pushed by many nodes at once), under the 2 s it takes.
    busy = make("syn", "busy.pcap", "--count", "4000", "--rate", "400", "--sources", "20")
    burst = make("syn", "burst.pcap", "--count", "2000", "--rate", "2100", "--sources", "40")
    # A storm: 40 real clients each connecting 22 times a second for 10 s
    # (an HL7 feed that connects per message; the bench mix has one), over
    # the rate but from few sources, none hammering.
    storm = make("syn", "storm.pcap", "--count", "9000", "--rate", "900", "--sources", "40")
    for pcap, name in ((busy, "busy"), (burst, "burst"), (storm, "storm")):
        r, alerts, inv = run(pcap, name)
        assert not r.of_type("flood"), name
        assert not [a for a in alerts if a["rule"] == "dos"], name


if __name__ == "__main__":
    mstest.main(globals())
