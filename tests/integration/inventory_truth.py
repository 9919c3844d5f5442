"""Scores medsentry's inventory against a lab scenario's truth, field by field.

For each truth device (matched by MAC) and field, a truth value the inventory
gives is a true positive, a truth value it misses or gets wrong a false
negative, and a value it states that the truth contradicts a false positive.
Where the truth says nothing (a host with no model), nothing is judged.

- vendor, type, class, hostname, version: equal, case-insensitive (the
  displayed value); os: the truth's name is part of the inventory's
  ("Windows" in "Windows 10").
- model: the inventory's model, letters and digits only, is part of the
  truth's (it may name the product line, "Alaris" for "Alaris 8015", or
  write "XN1000" for "XN-1000"; never another product).
- ae_titles, hl7_apps: sets; each truth item found is a TP, each missing one
  an FN, each extra one an FP.
- services: the truth's servers that tshark saw answer in the capture must be
  in the inventory (a server nobody talked to cannot be seen); each inventory
  service that is not one of the host's configured servers is an FP.
- devices: a truth host missing is an FN; an inventory device that is no lab
  host (by MAC) is an FP.
Hosts of type "external" (the attack scenarios' outside address) are peers,
not devices of the hospital: one listed in the inventory with its outside
address is a false positive (issue 15). In a "seen" scenario (the shared ward, where most hosts
are silent in any one scenario) the hosts that send a frame must be present
with their vendor; nothing else is judged there.
"""
import collections
import json
import re
import subprocess

FIELDS = ["devices", "vendor", "model", "version", "os", "type", "class", "hostname", "ae_titles", "hl7_apps", "services"]


def inventory_json(binary, db):
    out = subprocess.run([binary, "inventory", "--db", db, "--format", "json"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def answered_services(pcap):
    """(ip, "proto/port") of every server tshark sees answer: SYN-ACKs and UDP
    replies from a well-known or registered port."""
    out = subprocess.run(["tshark", "-r", pcap, "-T", "fields", "-e", "ip.src", "-e", "tcp.srcport", "-e", "udp.srcport",
                          "-Y", "(tcp.flags.syn==1 && tcp.flags.ack==1) || (udp && !(ip.dst==255.255.255.255))"],
                         capture_output=True, text=True, timeout=120).stdout
    seen = set()
    for line in out.splitlines():
        f = line.split("\t")
        if len(f) < 3 or not f[0]:
            continue
        if f[1]:
            seen.add((f[0], "tcp/" + f[1]))
        elif f[2]:
            seen.add((f[0], "udp/" + f[2]))
    return seen


def alnum(s):
    return re.sub(r"[^a-z0-9]", "", s.lower())


def ethernet_sources(pcap):
    out = subprocess.run(["tshark", "-r", pcap, "-T", "fields", "-e", "eth.src"], capture_output=True, text=True,
                         timeout=120).stdout
    return set(out.split())


def score(truth, devices, pcap):
    """Returns {field: Counter(tp, fp, fn)} and a list of human-readable misses."""
    res = {f: collections.Counter() for f in FIELDS}
    misses = []
    seen_only = truth.get("inventory_scope") == "seen"
    senders = ethernet_sources(pcap) if seen_only else None
    by_mac = {d.get("mac"): d for d in devices if d.get("mac")}
    truth_macs = {t["mac"] for t in truth["devices"]}
    answered = answered_services(pcap)
    for d in devices:
        if d.get("mac") not in truth_macs:
            res["devices"]["fp"] += 1
            misses.append("extra device %s (%s)" % (d.get("id"), ", ".join(x["ip"] for x in d.get("ips", []))))
    for t in truth["devices"]:
        name = "%s/%s" % (truth["scenario"], t["name"])
        if seen_only and t["mac"] not in senders:
            continue  # silent in this scenario: nothing to see
        d = by_mac.get(t["mac"])
        if t.get("type") == "external":
            # The lab's outside host sits on the bridge: its IPv6 link-local
            # chatter may make a MAC-only record; its address must not.
            if d is not None and t.get("ip") in {x.get("ip") for x in d.get("ips", [])}:
                res["devices"]["fp"] += 1
                misses.append("%s: an external address is listed as a device" % name)
            continue
        if d is None:
            res["devices"]["fn"] += 1
            misses.append("%s: not in the inventory" % name)
            continue
        res["devices"]["tp"] += 1

        def single(field, want, got, ok):
            if not want:
                return
            if ok:
                res[field]["tp"] += 1
            else:
                res[field]["fn"] += 1
                if got:
                    res[field]["fp"] += 1
                misses.append("%s: %s is %r, truth %r" % (name, field, got, want))

        got_vendor = d.get("manufacturer", "")
        single("vendor", t.get("vendor"), got_vendor, got_vendor.lower() == t.get("vendor", "").lower())
        if seen_only:
            continue  # a ward scenario: only who is there, and the vendor
        got_model = d.get("model", "")
        single("model", t.get("model"), got_model, bool(alnum(got_model)) and alnum(got_model) in alnum(t.get("model", "")))
        got_version = d.get("version", "")
        single("version", t.get("version"), got_version, got_version.lower() == t.get("version", "").lower())
        got_os = d.get("os", "")
        single("os", t.get("os"), got_os, bool(t.get("os")) and t.get("os", "").lower() in got_os.lower())
        single("type", t.get("type"), d.get("type"), d.get("type") == t.get("type"))
        single("class", t.get("class"), d.get("class"), d.get("class") == t.get("class"))
        got_host = d.get("hostname", "")
        single("hostname", t.get("hostname"), got_host, got_host.lower() == t.get("hostname", "").lower())
        for field, key in (("ae_titles", "ae_titles"), ("hl7_apps", "hl7_apps")):
            want = set(t.get(key) or [])
            got = set(d.get(key) or [])
            res[field]["tp"] += len(want & got)
            res[field]["fn"] += len(want - got)
            if want:
                res[field]["fp"] += len(got - want)
            for x in sorted(want - got):
                misses.append("%s: %s missing %s (has %s)" % (name, field, x, sorted(got)))
            if want:
                for x in sorted(got - want):
                    misses.append("%s: %s has extra %s" % (name, field, x))
        configured = {"/".join(s.split("/")[1:]) for s in t.get("services", [])}
        got = {"%s/%d" % (s["proto"], s["port"]) for s in d.get("services", [])}
        expected = {s for s in configured if (t.get("ip"), s) in answered}
        res["services"]["tp"] += len(expected & got)
        res["services"]["fn"] += len(expected - got)
        res["services"]["fp"] += len(got - configured)
        for s in sorted(expected - got):
            misses.append("%s: service %s not found" % (name, s))
        for s in sorted(got - configured):
            misses.append("%s: service %s is not one of the host's servers" % (name, s))
    return res, misses


def add(total, res):
    for f, c in res.items():
        total.setdefault(f, collections.Counter()).update(c)


def table(total):
    lines = ["%-10s %5s %5s %5s %9s %7s" % ("field", "tp", "fp", "fn", "precision", "recall")]
    for f in FIELDS:
        c = total.get(f, collections.Counter())
        p = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 1.0
        r = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 1.0
        lines.append("%-10s %5d %5d %5d %8.1f%% %6.1f%%" % (f, c["tp"], c["fp"], c["fn"], 100 * p, 100 * r))
    return "\n".join(lines)


def perfect(total):
    return all(c["fp"] == 0 and c["fn"] == 0 for c in total.values())


if __name__ == "__main__":
    # python3 inventory_truth.py BINARY LABDIR SCENARIO... (LABDIR/SCENARIO/{capture.pcap,truth.json}):
    # analyses each capture into its own inventory and prints the scores.
    import os
    import sys
    binary, labdir = sys.argv[1], sys.argv[2]
    total = {}
    for sc in sys.argv[3:]:
        d = os.path.join(labdir, sc)
        db = os.path.join(d, "inv.db")
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(db + suffix):
                os.unlink(db + suffix)
        subprocess.run([binary, "analyze", os.path.join(d, "capture.pcap"), "-o", os.path.join(d, "ms"), "--db", db, "-q",
                        "--no-progress", "--phi-key", os.path.join(labdir, "phi.key")], check=True)
        with open(os.path.join(d, "truth.json")) as f:
            truth = json.load(f)
        res, misses = score(truth, inventory_json(binary, db), os.path.join(d, "capture.pcap"))
        add(total, res)
        for m in misses:
            print("  " + m)
    print(table(total))
