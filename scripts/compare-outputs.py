#!/usr/bin/env python3
"""Same results before and after a change (issue 14): runs two medsentry
binaries on the same captures and compares what users see.

For each capture: events.jsonl sorted, with flow ids masked (they hash a
per-run seed) and the stats event left out (it carries times); and
`medsentry inventory --format json` with its run dates masked. Prints one line
per capture (same / differs) and the first differing lines; exit 1 if any
capture differs.

Usage: compare-outputs.py OLD_BINARY NEW_BINARY CAPTURE... [--workdir DIR] [--keep]
"""
import argparse
import difflib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

FLOW_ID = re.compile(r'"flow_id":\d+')
# Any "…flows…": [ids] list of an alert, and the alert's time-derived fields
# are stable; only raw flow ids change from run to run.
FLOW_IDS = re.compile(r'("flow_ids?":)\[[\d,]*\]')
DATES = re.compile(r'"(first_run|last_run|updated|created)":"[^"]*"')


def normalise_events(path):
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if '"event_type":"stats"' in line:
                continue
            line = FLOW_ID.sub('"flow_id":0', line.rstrip("\n"))
            line = FLOW_IDS.sub(r"\1[]", line)
            out.append(line)
    return sorted(out)


def run(binary, cap, outdir, workers):
    os.makedirs(outdir, exist_ok=True)
    db = os.path.join(outdir, "inventory.db")
    r = subprocess.run([binary, "analyze", cap, "-o", outdir, "--db", db, "--quiet", "--no-progress",
                        "--workers", str(workers)], capture_output=True, text=True)
    if r.returncode != 0:
        return None, None, r.stderr.strip()
    inv = subprocess.run([binary, "inventory", "--db", db, "--format", "json"], capture_output=True, text=True)
    inv_norm = DATES.sub('"\\1":""', FLOW_ID.sub('"flow_id":0', inv.stdout))
    try:
        inv_norm = json.dumps(json.loads(inv_norm), indent=1, sort_keys=True).splitlines()
    except ValueError:
        inv_norm = inv_norm.splitlines()
    return normalise_events(os.path.join(outdir, "events.jsonl")), inv_norm, None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("captures", nargs="+")
    ap.add_argument("--workdir")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--keep", action="store_true")
    a = ap.parse_args()
    work = a.workdir or tempfile.mkdtemp(prefix="ms-compare-")
    bad = 0
    for i, cap in enumerate(a.captures):
        name = "%03d-%s" % (i, os.path.basename(os.path.dirname(cap)) + "-" + os.path.basename(cap))
        res = []
        for tag, binary in (("old", a.old), ("new", a.new)):
            d = os.path.join(work, name, tag)
            shutil.rmtree(d, ignore_errors=True)
            res.append(run(binary, cap, d, a.workers))
        (oe, oi, oerr), (ne, ni, nerr) = res
        if oerr or nerr:
            same = (oerr is None) == (nerr is None)
            print("%s %s: old error=%s new error=%s" % ("same" if same else "DIFFERS", cap, oerr, nerr))
            bad += 0 if same else 1
            continue
        diffs = []
        for what, o, n in (("events", oe, ne), ("inventory", oi, ni)):
            if o != n:
                d = list(difflib.unified_diff(o, n, "old " + what, "new " + what, n=0, lineterm=""))
                diffs.append((what, d))
        if not diffs:
            print("same %s (%d events)" % (cap, len(ne)))
            continue
        bad += 1
        print("DIFFERS %s" % cap)
        for what, d in diffs:
            print("  %s: %d lines differ" % (what, sum(1 for x in d if x[:1] in "+-") - 2))
            for x in d[2:14]:
                print("    " + x[:300])
    if not a.keep and not a.workdir:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
