#!/usr/bin/env python3
"""The console's bench (issue 20; not in CI): an inventory of 100,000 devices
and 1,000,000 alerts (bench/make_console_inventory.py, made once), the real
server, and the server-side time (its Server-Timing header) of the device
list, the alert list and the overview, each the median of 5 requests.
Targets: lists under 200 ms, the overview under 1 s.

  bench/console.py --binary build/medsentry --workdir /tmp/console-bench
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = [  # (what, path, target ms)
    ("devices: first page", "/api/devices", 200),
    ("devices: page 1000", "/api/devices?offset=50000", 200),
    ("devices: by type, sorted by vendor", "/api/devices?type=CT&sort=manufacturer&order=asc", 200),
    ("devices: search", "/api/devices?q=host-4242", 200),
    ("devices: one subnet", "/api/devices?subnet=10.0.16.0/24", 200),
    ("alerts: first page", "/api/alerts", 200),
    ("alerts: high and above", "/api/alerts?severity=high", 200),
    ("alerts: one rule", "/api/alerts?rule=scan", 200),
    ("alerts: untriaged", "/api/alerts?state=new", 200),
    ("alerts: one address", "/api/alerts?ip=10.0.16.17", 200),
    ("alerts: latest first", "/api/alerts?sort=time", 200),
    ("alerts: page 100", "/api/alerts?offset=5000", 200),
    ("overview", "/api/overview", 1000),
    ("patient data flows", "/api/phi-flows", 1000),
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--devices", type=int, default=100000)
    ap.add_argument("--alerts", type=int, default=1000000)
    a = ap.parse_args()
    os.makedirs(a.workdir, exist_ok=True)
    db = os.path.join(a.workdir, "big.db")
    if not os.path.exists(db):
        subprocess.run([sys.executable, os.path.join(HERE, "make_console_inventory.py"), "--binary", a.binary, "--db", db,
                        "--devices", str(a.devices), "--alerts", str(a.alerts)], check=True)
    users = os.path.join(a.workdir, "users")
    if not os.path.exists(users):
        subprocess.run([a.binary, "user", "add", "bench", "--role", "analyst", "--users", users, "--password-stdin"],
                       input="bench-password-1\n", text=True, check=True, capture_output=True)
    t0 = time.time()
    srv = subprocess.Popen([a.binary, "console", "--db", db, "--users", users, "--listen", "127.0.0.1:0"],
                           stdout=subprocess.PIPE, text=True)
    line = srv.stdout.readline()
    print("start-up (indexes made on first start): %.1f s" % (time.time() - t0))
    base = line.split("listening on ")[1].split()[0]
    try:
        req = urllib.request.Request(base + "/api/login", data=json.dumps({"user": "bench", "password": "bench-password-1"}).encode(),
                                     headers={"Content-Type": "application/json"})
        cookie = urllib.request.urlopen(req).headers["Set-Cookie"].split(";")[0]
        failed = 0
        for what, path, target in CASES:
            times = []
            for _ in range(5):
                r = urllib.request.urlopen(urllib.request.Request(base + path, headers={"Cookie": cookie}))
                r.read()
                times.append(float(r.headers["Server-Timing"].split("dur=")[1]))
            med = statistics.median(times)
            ok = med < target
            failed += not ok
            print("%-38s %8.1f ms  (target < %d ms) %s" % (what, med, target, "ok" if ok else "SLOW"))
        sys.exit(1 if failed else 0)
    finally:
        srv.terminate()
        srv.wait()


if __name__ == "__main__":
    main()
