#!/usr/bin/env python3
"""Writes a large inventory database for the console's bench (bench/console.py):
N devices and M alerts, in the schema `medsentry analyze` creates (the
analyzer itself creates the database from the README's sample, then rows are
added directly in SQLite). Deterministic (a fixed seed).

  bench/make_console_inventory.py --binary build/medsentry --db OUT.db [--devices 100000] [--alerts 1000000]
"""
import argparse
import json
import os
import random
import sqlite3
import subprocess
import tempfile

TYPES = [("patient monitor", 1, "mobile"), ("infusion pump", 1, "mobile"), ("CT", 1, "stationary"),
         ("MR", 1, "stationary"), ("X-ray/DR/CR", 1, "stationary"), ("ultrasound", 1, "mobile"),
         ("PACS/archive", 1, "stationary"), ("imaging workstation", 1, "stationary"), ("lab analyzer", 1, "stationary"),
         ("HL7/interface engine", 1, "stationary"), ("general workstation/server", 0, "stationary"),
         ("printer", 0, "stationary"), ("network infrastructure", 0, "stationary"), ("unknown", 0, "unknown")]
VENDORS = ["Philips", "GE Healthcare", "Siemens Healthineers", "BD", "Baxter", "Dell", "HP", "Cisco", "Mindray", "Draeger"]
RULES = [("phi_cleartext", 1007, "Patient data in cleartext", 0), ("default_credential", 1003, "Login with a vendor default credential", 2),
         ("insecure_service", 1010, "Medical device offers a cleartext service", 0), ("scan", 1001, "Port scan", 3),
         ("dicom_exfil", 1005, "Unusual DICOM export", 3), ("smb1", 1012, "SMBv1 in use", 2),
         ("weak_tls", 1011, "Weak TLS", 1), ("new_peer", 1020, "New talker", 1), ("dos", 1002, "Flood", 4),
         ("lateral", 1006, "Lateral movement", 4)]
SEVERITIES = ["info", "low", "medium", "high", "critical"]
DAY = 86400 * 10**9


def ip_of(i):
    return "10.%d.%d.%d" % (i >> 16 & 255, i >> 8 & 255, i & 255 or 1)


def devices(n, t0, rnd):
    for i in range(n):
        typ, med, cls = TYPES[rnd.randrange(len(TYPES))]
        mac = "02:00:%02x:%02x:%02x:%02x" % (i >> 24 & 255, i >> 16 & 255, i >> 8 & 255, i & 255)
        vendor = VENDORS[rnd.randrange(len(VENDORS))]
        first = t0 + rnd.randrange(60) * DAY
        last = first + rnd.randrange(30 * DAY)
        ip = ip_of(i + 1)
        rec = json.dumps({"id": "mac:" + mac, "mac": mac, "ips": [{"ip": ip}], "hostname": "host-%d" % i,
                          "manufacturer": vendor, "type": typ, "class": cls, "medical": bool(med), "conclusions": {}})
        yield ("mac:" + mac, mac, ip, ip, vendor, vendor, "model-%d" % (i % 50), "1.%d" % (i % 9), "", typ, cls, med,
               "", 0, "host-%d" % i, first, last, "digest-%d" % i, rec)


def alerts(m, n_dev, capture, t0, rnd):
    for i in range(m):
        rule, sid, name, sev = RULES[rnd.randrange(len(RULES))]
        sev = min(4, max(0, sev + rnd.choice((-1, 0, 0, 1))))
        src, dst = ip_of(rnd.randrange(n_dev) + 1), ip_of(rnd.randrange(n_dev) + 1)
        first = t0 + rnd.randrange(90 * DAY)
        aid = "%016x" % (rnd.getrandbits(64))
        js = json.dumps({"id": aid, "signature_id": sid, "rule": rule, "name": name, "severity": SEVERITIES[sev],
                         "src": {"ip": src}, "dest": {"ip": dst}, "count": 1, "evidence": {"n": i}})
        yield (aid, capture, sid, rule, SEVERITIES[sev], sev, src, dst, "tcp", first, first + rnd.randrange(3600 * 10**9), 1, js)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--db", required=True)
    ap.add_argument("--devices", type=int, default=100000)
    ap.add_argument("--alerts", type=int, default=1000000)
    a = ap.parse_args()
    for f in (a.db, a.db + "-wal", a.db + "-shm"):
        if os.path.exists(f):
            os.unlink(f)
    sample = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "samples", "clinic-sample.pcap")
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, MEDSENTRY_PHI_KEY=os.path.join(tmp, "phi.key"))
        subprocess.run([a.binary, "analyze", sample, "-o", tmp, "--db", a.db, "--no-progress", "--quiet"], check=True, env=env)
    rnd = random.Random(20)
    con = sqlite3.connect(a.db)
    capture = con.execute("SELECT max(id) FROM captures").fetchone()[0]
    t0 = 1_780_000_000 * 10**9
    con.execute("BEGIN")
    con.executemany("INSERT OR IGNORE INTO devices(id, mac, ip, ips, mac_vendor, manufacturer, model, version, serial, type, "
                    "class, medical, os, os_eol, hostname, first_ns, last_ns, digest, record) "
                    "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", devices(a.devices, t0, rnd))
    con.executemany("INSERT OR IGNORE INTO alerts(id, capture, signature_id, rule, severity, severity_rank, src_ip, dest_ip, "
                    "protocol, first_ns, last_ns, count, json) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    alerts(a.alerts, a.devices, capture, t0, rnd))
    con.execute("COMMIT")
    n_dev = con.execute("SELECT count(*) FROM devices").fetchone()[0]
    n_al = con.execute("SELECT count(*) FROM alerts").fetchone()[0]
    con.close()
    print("%s: %d devices, %d alerts" % (a.db, n_dev, n_al))


if __name__ == "__main__":
    main()
