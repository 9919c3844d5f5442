"""Scores medsentry's alerts against a lab scenario's findings, rule by rule.

A truth finding (kind, src, dst, protocol, severity; host names resolved to
the hosts' addresses) is a true positive when an alert of that rule has the
same source, destination and protocol; the alert is then used up. A finding
no alert matches is a false negative; an alert that matches no finding is a
false positive. An alert that matches but with another severity counts as a
false negative and a false positive (the analyst would be told the wrong
thing). src = None matches any source (exposure findings are about the
device); a list of destinations (a scan) must all be among the alert's
evidence hosts.
"""
import collections
import json
import subprocess


def alerts_json(binary, db):
    out = subprocess.run([binary, "alerts", "--db", db, "--format", "json"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def _ip(truth, name):
    for d in truth["devices"]:
        if d["name"] == name:
            return d["ip"]
    raise KeyError("finding names unknown host %r" % name)


def _matches(truth, f, a):
    if a["rule"] != f["kind"]:
        return False
    if f.get("src") is not None and a.get("src", {}).get("ip") != _ip(truth, f["src"]):
        return False
    dst = f.get("dst")
    if isinstance(dst, list):
        hosts = set(a.get("evidence", {}).get("hosts", []))
        if a.get("dest", {}).get("ip"):
            hosts.add(a["dest"]["ip"])
        if not {_ip(truth, d) for d in dst} <= hosts:
            return False
    elif dst is not None and a.get("dest", {}).get("ip") != _ip(truth, dst):
        return False
    if f.get("protocol") and f["protocol"] not in a.get("protocol", "").split(","):
        return False
    return True


def score(truth, alerts):
    """Returns ({rule: Counter(tp, fp, fn)}, [explanations])."""
    res = collections.defaultdict(collections.Counter)
    notes = []
    left = list(alerts)
    for f in truth["findings"]:
        hit = next((a for a in left if _matches(truth, f, a)), None)
        desc = "%s %s -> %s %s" % (f["kind"], f.get("src"), f.get("dst"), f.get("protocol") or "")
        if hit is None:
            res[f["kind"]]["fn"] += 1
            notes.append("%s: missed %s" % (truth["scenario"], desc))
            continue
        left.remove(hit)
        if hit["severity"] != f["severity"]:
            res[f["kind"]]["fn"] += 1
            res[f["kind"]]["fp"] += 1
            notes.append("%s: %s raised as %s, truth says %s" % (truth["scenario"], desc, hit["severity"], f["severity"]))
        else:
            res[f["kind"]]["tp"] += 1
    for a in left:
        res[a["rule"]]["fp"] += 1
        notes.append("%s: unexpected %s %s %s -> %s %s" % (truth["scenario"], a["severity"], a["rule"],
                                                          a.get("src", {}).get("ip"), a.get("dest", {}).get("ip"),
                                                          a.get("protocol", "")))
    return res, notes


def add(total, res):
    for rule, c in res.items():
        total.setdefault(rule, collections.Counter()).update(c)


def table(total):
    lines = ["%-22s %4s %4s %4s" % ("rule", "tp", "fp", "fn")]
    for rule in sorted(total):
        c = total[rule]
        lines.append("%-22s %4d %4d %4d" % (rule, c["tp"], c["fp"], c["fn"]))
    return "\n".join(lines)


if __name__ == "__main__":
    # python3 detection_truth.py BINARY LABDIR SCENARIO... (LABDIR/SCENARIO/{capture.pcap,truth.json})
    import os
    import sys
    binary, labdir = sys.argv[1], sys.argv[2]
    total = {}
    for sc in sys.argv[3:]:
        d = os.path.join(labdir, sc)
        db = os.path.join(d, "det.db")
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(db + suffix):
                os.unlink(db + suffix)
        with open(os.path.join(d, "truth.json")) as f:
            truth = json.load(f)
        extra = []
        if truth.get("baseline_from"):  # judged against the baseline of another scenario's capture
            base = os.path.join(d, "learned.baseline")
            subprocess.run([binary, "analyze", os.path.join(labdir, truth["baseline_from"], "capture.pcap"), "-o",
                            os.path.join(d, "ms-learn"), "--no-inventory", "-q", "--no-progress", "--learn-baseline", base,
                            "--phi-key", os.path.join(labdir, "phi.key")], check=True)
            extra = ["--baseline", base]
        subprocess.run([binary, "analyze", os.path.join(d, "capture.pcap"), "-o", os.path.join(d, "ms"), "--db", db, "-q",
                        "--no-progress", "--phi-key", os.path.join(labdir, "phi.key"), *extra], check=True)
        res, notes = score(truth, alerts_json(binary, db))
        add(total, res)
        for n in notes:
            print("  " + n)
    print(table(total))
