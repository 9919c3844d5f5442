"""Segmentation policies (issue 19, docs/segmentation.md): a policy learned
from a lab scenario's benign capture, simulated on its attack twin, exported
for firewalls, and enforced for real in the lab's switch (nftables in the
bridge namespace) while the twins play again with real programs.

The truth of "the attack's flows" comes from the scenario files, not from
medsentry: the conversations (client, server, protocol, server port, and the
administrative share an SMB copy goes to) of the attack's actions that the
benign twin's actions do not have. A firewall that filters by address and
port cannot tell more apart (a probe of the PACS's DICOM port is the PACS's
DICOM port), except the SMB tree connect to an administrative share, which
the policy guards (docs/segmentation.md); so that set is exactly what a
policy learned from the benign twin must deny."""
import json
import os
import random
import subprocess
import tomllib

import mstest

PAIRS = [("benign_lateral", "attack_lateral"), ("benign_scan", "attack_scan"),
         ("benign_phi_exfil", "attack_phi_exfil")]
# The server port of each lab action: the defaults of tests/lab/scenario.py's
# clients (storescu/echoscu 104, mllp_send 2575, curl 80, ssh 22, smbclient 445).
ACTION_PORTS = {"dicom_echo": 104, "dicom_store": 104, "hl7_send": 2575, "http_get": 80,
                "http_upload_dicom": 80, "ssh_connect": 22, "smb_put": 445}
GOLDEN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "segment")
VENDOR_FORMATS = ["cisco-ios", "cisco-asa", "paloalto", "fortigate", "ise-sgacl", "nftables", "nftables-bridge",
                  "iptables"]


def cmd(*args, ok=(0,)):
    p = mstest.run_cmd([mstest.ARGS.binary, *args], timeout=300)
    assert p.returncode in ok, (args, p.returncode, p.stderr)
    return p


def scenario(name):
    with open(mstest.repo("tests", "lab", "scenarios", name + ".toml"), "rb") as f:
        return tomllib.load(f)


def ports(spec):
    out = []
    for part in spec.split(","):
        lo, _, hi = part.partition("-")
        out += range(int(lo), int(hi or lo) + 1)
    return out


def admin_share(name):
    """ADMIN$, C$ ... (ATT&CK T1021.002); IPC$ is the named-pipe share."""
    return name.endswith("$") and len(name) > 1 and name.upper() != "IPC$"


def action_conversations(a, ips):
    if a["kind"] == "nmap":
        return {(ips[a["host"]], ips[t], "tcp", p, "") for t in a["targets"] for p in ports(a["ports"])}
    # An SMB copy to an administrative share is a conversation of its own:
    # the policy tells it from a copy to an ordinary share (the lab's
    # smbclient defaults to the share "results").
    share = a.get("share", "results") if a["kind"] == "smb_put" else ""
    return {(ips[a["host"]], ips[a["to"]], "tcp", a.get("port", ACTION_PORTS[a["kind"]]),
             share if admin_share(share) else "")}


def conversations(name, ips):
    out = set()
    for a in scenario(name).get("action", []):
        out |= action_conversations(a, ips)
    return out


_RUNS = {}


def analysed(name):
    """A scenario played in the lab (no ruleset) and analysed with its own
    inventory: (capture, outdir, db, ips by host name)."""
    if name not in _RUNS:
        pcap = mstest.lab_capture(name)
        with open(os.path.join(os.path.dirname(pcap), "truth.json")) as f:
            truth = json.load(f)
        out = mstest.workdir("an_" + name)
        mstest.analyze(pcap, out)
        ips = {d["name"]: d["ip"] for d in truth["devices"] if d.get("ip")}
        _RUNS[name] = (pcap, out, os.path.join(out, "inventory.db"), ips)
    return _RUNS[name]


_POLICIES = {}


def learned(name):
    """The policy learned from a scenario's analysis (once per module)."""
    if name not in _POLICIES:
        pcap, out, db, _ = analysed(name)
        policy = os.path.join(mstest.workdir("policy_" + name), "policy.toml")
        cmd("segment", "learn", "--db", db, "--events", out, "-o", policy)
        _POLICIES[name] = policy
    return _POLICIES[name]


def simulate(policy, *source):
    p = cmd("segment", "simulate", policy, *source, "--format", "json", ok=(0, 3, 4))
    return p.returncode, json.loads(p.stdout)


def denied_set(sim):
    return {(d["src_ip"], d["dest_ip"], d["proto"], d["port"], d.get("admin_shares", "")) for d in sim["denied"]}


def expected_denied(benign, attack, ips):
    return conversations(attack, ips) - conversations(benign, ips)


def test_simulation_denies_exactly_the_attack():
    for benign, attack in PAIRS:
        policy = learned(benign)
        ips = analysed(benign)[3]
        rc, sim = simulate(policy, "--events", analysed(benign)[1])
        assert rc == 0 and sim["denied"] == [], (benign, sim["denied"])
        want = expected_denied(benign, attack, ips)
        assert want, attack
        rc, sim = simulate(policy, "--events", analysed(attack)[1])
        assert denied_set(sim) == want, (attack, sorted(denied_set(sim) ^ want))
        assert rc == (4 if sim["clinical_workflow_denied"] else 3)
        # The same from the capture itself (analysed in a temporary directory).
        rc2, sim2 = simulate(policy, analysed(attack)[0])
        assert denied_set(sim2) == want and rc2 == rc, attack
        # Alerts whose flows are all denied are prevented; every critical
        # exfiltration alert of attack_phi_exfil is among them.
        with open(os.path.join(analysed(attack)[1], "events.jsonl")) as f:
            alerts = [json.loads(x)["alert"] for x in f if '"event_type":"alert"' in x]
        prevented = {a["id"] for a in sim["prevented_alerts"]}
        want4 = {k[:4] for k in want}
        for a in alerts:
            flows = {(x["src_ip"], x["dest_ip"], "tcp", x["dest_port"]) for x in a.get("flows", []) if "dest_port" in x}
            if flows and flows <= want4:
                assert a["id"] in prevented, (attack, a["rule"], a["id"])
            elif flows and not flows & want4:
                assert a["id"] not in prevented, (attack, a["rule"])
        if attack == "attack_phi_exfil":
            assert all(a["id"] in prevented for a in alerts if a["severity"] == "critical")


def test_monitor_mode_alerts():
    """analyze --policy: a policy_violation alert for each conversation the
    policy denies (the same set as the simulation), none on the benign twin."""
    for benign, attack in PAIRS:
        policy = learned(benign)
        want = expected_denied(benign, attack, analysed(benign)[3])
        for name, expect in ((benign, set()), (attack, want)):
            out = mstest.workdir("monitor_" + name)
            run = mstest.analyze(analysed(name)[0], out, extra=["--no-inventory", "--policy", policy])
            got = {(e["alert"]["src"]["ip"], e["alert"]["dest"]["ip"], e["proto"].lower(),
                    e["alert"]["flows"][0]["dest_port"], e["alert"]["evidence"].get("admin_share", ""))
                   for e in run.events if e["event_type"] == "alert" and e["alert"]["rule"] == "policy_violation"}
            assert got == expect, (name, sorted(got ^ expect))


def test_learning_rules():
    policy = learned("benign_phi_exfil")
    with open(policy) as f:
        text = f.read()
    # Deterministic: the same traffic, learned again or with its events in
    # another order, gives the same bytes.
    _, out, db, _ = analysed("benign_phi_exfil")
    again = os.path.join(mstest.workdir("policy_again"), "p.toml")
    shuffled = os.path.join(mstest.workdir("policy_again"), "events.jsonl")
    with open(os.path.join(out, "events.jsonl")) as f:
        lines = f.readlines()
    random.Random(7).shuffle(lines)
    with open(shuffled, "w") as f:
        f.writelines(lines)
    cmd("segment", "learn", "--db", db, "--events", shuffled, "-o", again)
    with open(again) as f:
        assert f.read() == text
    p = tomllib.loads(text)
    zones = {z["name"]: z["members"] for z in p["zone"]}
    ips = analysed("benign_phi_exfil")[3]
    assert ips["pacs"] in zones["pacs"] and ips["engine"] in zones["interface_engine"]
    rules = {(r["from"], r["to"], r["proto"], r["port"]): r for r in p["rule"]}
    dicom = [r for k, r in rules.items() if k[1] == "pacs" and k[3] == 104]
    assert len(dicom) == 1 and dicom[0]["clients"] == [ips["ws"]] and dicom[0]["servers"] == [ips["pacs"]]
    assert dicom[0]["flows"] >= 1 and dicom[0]["bytes"] > 0 and dicom[0]["first_seen"] <= dicom[0]["last_seen"]
    assert any(k[1] == "interface_engine" and k[3] == 2575 and r["service"] == "hl7" for k, r in rules.items())
    # Zones the user edited: `segment zones`, a zone renamed, `learn --zones`.
    zones = os.path.join(mstest.workdir("zones_edit"), "zones.toml")
    cmd("segment", "zones", "--db", db, "-o", zones)
    with open(zones) as f:
        ztext = f.read()
    assert "\n[[rule]]" not in ztext and 'name = "pacs"' in ztext
    with open(zones, "w") as f:
        f.write(ztext.replace('name = "pacs"', 'name = "radiology_archive"'))
    edited = os.path.join(mstest.workdir("zones_learned"), "p.toml")
    cmd("segment", "learn", "--zones", zones, "--events", out, "-o", edited)
    erules = tomllib.loads(open(edited).read())["rule"]
    assert {(r["to"], r["port"]) for r in erules} == {("radiology_archive" if k[1] == "pacs" else k[1], k[3])
                                                     for k in rules}
    _, aout, adb, _ = analysed("attack_phi_exfil")
    assert denied_set(simulate(edited, "--events", aout)[1]) == denied_set(simulate(policy, "--events", aout)[1])
    # Flows that raised high or critical alerts are never learned: the attack
    # twin's exfiltration gives no rule to the outside.
    bad = os.path.join(mstest.workdir("policy_attack"), "p.toml")
    cmd("segment", "learn", "--db", adb, "--events", aout, "-o", bad)
    with open(bad) as f:
        btext = f.read()
    assert all(r["to"] != "external" for r in tomllib.loads(btext).get("rule", []))
    assert "# not learned: raised a high or critical alert: 3 flows" in btext
    # A scan's unanswered probes are never learned either.
    _, sout, sdb, sips = analysed("attack_scan")
    scan = os.path.join(mstest.workdir("policy_scan"), "p.toml")
    cmd("segment", "learn", "--db", sdb, "--events", sout, "-o", scan)
    for r in tomllib.loads(open(scan).read()).get("rule", []):
        assert r["port"] not in (21, 24, 25, 3389), r


def test_hostile_inputs():
    wd = mstest.workdir("segment_hostile")
    good = os.path.join(GOLDEN, "policy.toml")
    with open(good) as f:
        base = f.read()
    bad = {
        "not_toml": "version = = 1\n",
        "version": base.replace("version = 1", "version = 2"),
        "unknown_zone": base.replace('to = "pacs"\nproto = "tcp"\nport = 104', 'to = "nowhere"\nproto = "tcp"\nport = 104'),
        "port_zero": base.replace("port = 104", "port = 0"),
        "port_big": base.replace("port = 104", "port = 70000"),
        "proto": base.replace('proto = "tcp"\nport = 104', 'proto = "sctp"\nport = 104'),
        "zone_name": base.replace('name = "pacs"', 'name = "pa cs; drop"'),
        "member": base.replace('"10.60.0.20"', '"10.60.0.20; reboot"'),
        "implicit": base.replace('name = "pacs"', 'name = "external"'),
        "share": base.replace('shares = ["IPC$", "images"]', 'shares = ["IPC$", "im\\\\ages"]'),
        "shares_not_list": base.replace('shares = ["IPC$", "images"]', 'shares = "images"'),
    }
    for name, text in bad.items():
        path = os.path.join(wd, name + ".toml")
        with open(path, "w") as f:
            f.write(text)
        for args in (("simulate", path, "--events", path), ("export", path, "--format", "nftables")):
            p = mstest.run_cmd([mstest.ARGS.binary, "segment", *args])
            lines = p.stderr.strip().split("\n")
            assert p.returncode != 0 and len(lines) == 1 and lines[0].startswith("medsentry: error: "), (name, p.stderr)
    p = mstest.run_cmd([mstest.ARGS.binary, "segment", "export", good, "--format", "bogus"])
    assert p.returncode == 2 and p.stderr.count("\n") == 1
    p = mstest.run_cmd([mstest.ARGS.binary, "segment", "learn", "--db", os.path.join(wd, "none.db"), "--events", wd])
    assert p.returncode == 1 and p.stderr.count("\n") == 1
    # Garbage, over-long and truncated lines among the events are skipped.
    _, out, db, _ = analysed("benign_phi_exfil")
    with open(os.path.join(out, "events.jsonl")) as f:
        lines = f.readlines()
    junk = os.path.join(wd, "events.jsonl")
    with open(junk, "w") as f:
        f.write('{"event_type":"flow","src_ip":' + "[" * 5000 + "\n")
        f.write('{"event_type":"flow","x":"' + "a" * (2 << 20) + '"}\n')
        f.write("\x00\xff not json\n")
        f.writelines(lines)
        f.write(lines[0][: len(lines[0]) // 2])
    a = os.path.join(wd, "a.toml")
    b = os.path.join(wd, "b.toml")
    cmd("segment", "learn", "--db", db, "--events", junk, "-o", a)
    cmd("segment", "learn", "--db", db, "--events", out, "-o", b)
    assert open(a).read() == open(b).read()


def netns(name):
    ns = "mstest-seg-%d-%s" % (os.getpid(), name)
    subprocess.run(["ip", "netns", "add", ns], check=True)
    return ns


def test_exports_accepted_by_real_tools():
    wd = mstest.workdir("segment_exports")
    policies = [os.path.join(GOLDEN, "policy.toml")] + [learned(b) for b, _ in PAIRS]
    ns = netns("load")
    try:
        for i, pol in enumerate(policies):
            for fmt in ("nftables", "nftables-bridge", "iptables"):
                path = os.path.join(wd, "%d.%s" % (i, fmt))
                cmd("segment", "export", pol, "--format", fmt, "-o", path)
                if fmt == "iptables":
                    tool = ["iptables-restore", "--test", path]
                else:
                    tool = ["nft", "-c", "-f", path]
                p = mstest.run_cmd(["ip", "netns", "exec", ns, *tool])
                assert p.returncode == 0, (pol, fmt, p.stderr)
            # Loaded for real (bridge): the ruleset's sets hold the zones.
            p = mstest.run_cmd(["ip", "netns", "exec", ns, "nft", "-f", os.path.join(wd, "%d.nftables-bridge" % i)])
            assert p.returncode == 0, p.stderr
            listed = mstest.run_cmd(["ip", "netns", "exec", ns, "nft", "list", "table", "bridge", "medsentry_segment"])
            assert "chain forward" in listed.stdout
            # Capirca: aclgen (Debian's python3-capirca) renders the cisco,
            # juniper and paloalto targets from the export.
            cap = os.path.join(wd, "capirca%d" % i)
            cmd("segment", "export", pol, "--format", "capirca", "-o", cap)
            p = mstest.run_cmd(["aclgen", "--base_directory=" + cap, "--definitions_directory=" + cap + "/def",
                                "--output_directory=" + cap + "/out"], cwd=cap)
            assert p.returncode == 0 and "error" not in p.stderr.lower(), p.stderr
            for ext in ("acl", "jcl", "xml"):
                assert os.path.getsize(os.path.join(cap, "out", "medsentry." + ext)) > 0, ext
            acl = open(os.path.join(cap, "out", "medsentry.acl")).read()
            assert "deny ip any any" in acl and " permit tcp " in acl
    finally:
        subprocess.run(["ip", "netns", "del", ns])


def test_export_golden_files():
    """Each export of a hand-written policy equals its golden file (reviewed
    against the vendor's documented syntax: see the comments of
    src/segment/export_*.cc)."""
    for fmt in VENDOR_FORMATS:
        got = cmd("segment", "export", os.path.join(GOLDEN, "policy.toml"), "--format", fmt).stdout
        with open(os.path.join(GOLDEN, "golden." + fmt)) as f:
            want = f.read()
        assert got == want, fmt


def lab_with_ruleset(name, ruleset):
    out = mstest.workdir("enforced_" + name)
    p = mstest.run_cmd([mstest.repo("tests", "lab", "run"), "--switch-ruleset", ruleset, name, out], timeout=400)
    assert p.returncode == 0, p.stderr
    with open(os.path.join(out, "truth.json")) as f:
        truth = json.load(f)
    an = os.path.join(out, "an")
    mstest.analyze(os.path.join(out, "capture.pcap"), an, extra=["--no-inventory"])
    flows = []
    with open(os.path.join(an, "events.jsonl")) as f:
        for x in f:
            e = json.loads(x)
            if e["event_type"] == "flow" and e["proto"] == "TCP":
                flows.append(e)
    return truth, flows, an


def tree_connects(pcap, an):
    """SMB2 tree connects to administrative shares, as (client, server, tcp,
    port, share): those the clients sent (tshark, MS-SMB2 2.2.9 requests) and
    those the servers answered (medsentry's smb tree_connect events, written
    for answers only)."""
    p = mstest.run_cmd(["tshark", "-r", pcap, "-Y", "smb2.cmd == 3 && smb2.flags.response == 0", "-T", "fields",
                        "-e", "ip.src", "-e", "ip.dst", "-e", "tcp.dstport", "-e", "smb2.tree"])
    assert p.returncode == 0, p.stderr
    requested = set()
    for line in p.stdout.splitlines():
        src, dst, port, tree = line.split("\t")
        share = tree.rsplit("\\", 1)[-1]
        if admin_share(share):
            requested.add((src, dst, "tcp", int(port), share))
    connected = set()
    with open(os.path.join(an, "events.jsonl")) as f:
        for x in f:
            e = json.loads(x)
            if e["event_type"] == "smb" and e["smb"]["command"] == "tree_connect":
                share = e["smb"].get("share", "").rsplit("\\", 1)[-1]
                if admin_share(share):
                    connected.add((e["src_ip"], e["dest_ip"], "tcp", e["dest_port"], share))
    return requested, connected


def answered(e):
    return (int(e.get("tcp", {}).get("tcp_flags_tc", "0"), 16) & 0x12) == 0x12


def test_enforced_in_the_lab():
    """The nftables export loaded in the lab's switch: the benign twin's
    programs all succeed (storescu stores, mllp_send gets its ACK, ssh and
    smbclient reach their servers, smbclient puts its image on the share);
    the attack twin's denied conversations get no answer and its clients
    that need only them fail: smbclient's copy to ADMIN$ is connected but
    its tree connect is never answered."""
    for benign, attack in PAIRS:
        policy = learned(benign)
        ips = analysed(benign)[3]
        rules = os.path.join(mstest.workdir("rules_" + benign), "bridge.nft")
        cmd("segment", "export", policy, "--format", "nftables-bridge", "-o", rules)
        truth, flows, an = lab_with_ruleset(benign, rules)
        assert truth["actions"] and all(a["ok"] for a in truth["actions"]), truth["actions"]
        assert flows and all(answered(e) for e in flows), benign
        rc, sim = simulate(policy, "--events", an)
        assert rc == 0, sim["denied"]
        want = expected_denied(benign, attack, ips)
        truth, flows, an = lab_with_ruleset(attack, rules)
        seen = {}
        for e in flows:
            k = (e["src_ip"], e["dest_ip"], "tcp", e["dest_port"], "")
            seen[k] = seen.get(k, False) or answered(e)
        requested, connected = tree_connects(os.path.join(os.path.dirname(an), "capture.pcap"), an)
        for k in want:
            if k[4]:
                # An administrative share on an allowed SMB conversation: the
                # connection is answered, the tree connect is sent (tshark
                # reads it in the capture) and never answered.
                assert seen.get(k[:4] + ("",)), (attack, k)
                assert k in requested and k not in connected, (attack, k, requested, connected)
            else:
                assert k in seen and not seen[k], (attack, k)  # tried, never answered
        for k, ok in seen.items():
            if k not in want:
                assert ok, (attack, k)  # what the policy allows still works
        for k in connected:
            assert k not in want, (attack, k)
        for a, outcome in zip(scenario(attack)["action"], truth["actions"]):
            if a["kind"] == "nmap":
                continue
            blocked = action_conversations(a, ips) <= want
            assert outcome["ok"] != blocked, (attack, outcome)


if __name__ == "__main__":
    mstest.main(globals())
