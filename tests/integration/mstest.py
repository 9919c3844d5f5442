"""Shared helpers for the integration tests (run by ctest with Debian's python3).

Every analysis a test runs goes through analyze(), which validates every
record of events.jsonl against the event schema (the build assembles it from
schema/core.schema.json and the dissectors' fragments into
BUILD_DIR/schema/events.schema.json, beside the binary) and checks that
medsentry.db holds the same events. A test module defines test_* functions;
main() runs them and prints 'N passed, M failed'.
"""
import argparse
import html.parser
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import traceback

import jsonschema

ARGS = None
_VALIDATOR = None


def corpus(*parts):
    """Path of a file in ../shared/corpus (beside the repository)."""
    return os.path.join(os.path.dirname(ARGS.repo), "shared", "corpus", *parts)


def repo(*parts):
    return os.path.join(ARGS.repo, *parts)


def workdir(name):
    d = os.path.join(ARGS.workdir, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d, exist_ok=True)
    return d


def schema_path():
    """The assembled event schema: the build's, beside the binary; for a
    binary built elsewhere, assembled here from the repository's parts."""
    built = os.path.join(os.path.dirname(os.path.abspath(ARGS.binary)), "schema", "events.schema.json")
    if os.path.exists(built):
        return built
    out = os.path.join(ARGS.workdir, "events.schema.json")
    os.makedirs(ARGS.workdir, exist_ok=True)
    subprocess.run(["cmake", "-DSRC=" + ARGS.repo, "-DOUT=" + out, "-P", repo("cmake", "assemble_schema.cmake")],
                   check=True)
    return out


def validator():
    global _VALIDATOR
    if _VALIDATOR is None:
        with open(schema_path()) as f:
            schema = json.load(f)
        cls = jsonschema.Draft202012Validator
        cls.check_schema(schema)
        _VALIDATOR = cls(schema, format_checker=cls.FORMAT_CHECKER)
    return _VALIDATOR


class Run:
    def __init__(self, proc, outdir):
        self.proc = proc
        self.outdir = outdir
        self.events = []
        self.returncode = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr

    def of_type(self, t):
        return [e for e in self.events if e["event_type"] == t]

    @property
    def stats(self):
        s = self.of_type("stats")
        assert len(s) == 1, "exactly one stats event expected, got %d" % len(s)
        return s[0]["stats"]


def check_output(outdir):
    """Validates events.jsonl against the schema and medsentry.db against it."""
    path = os.path.join(outdir, "events.jsonl")
    events = []
    lines = []
    v = validator()
    with open(path, "rb") as f:
        for n, raw in enumerate(f, 1):
            line = raw.decode("utf-8")  # must be valid UTF-8
            assert line.endswith("\n"), "%s:%d: incomplete last line" % (path, n)
            lines.append(line[:-1])
            ev = json.loads(line)
            errors = sorted(v.iter_errors(ev), key=lambda e: list(e.path))
            if errors:
                raise AssertionError("%s:%d: %s (at %s)\n%s" % (path, n, errors[0].message,
                                     "/".join(map(str, errors[0].path)), line[:400]))
            events.append(ev)
    db = sqlite3.connect(os.path.join(outdir, "medsentry.db"))
    try:
        rows = db.execute("SELECT json FROM events").fetchall()
        assert len(rows) == len(events), "db has %d events, jsonl %d" % (len(rows), len(events))
        assert sorted(r[0] for r in rows) == sorted(lines), "medsentry.db events differ from events.jsonl"
        nflows = db.execute("SELECT count(*) FROM flows").fetchone()[0]
        assert nflows == sum(1 for e in events if e["event_type"] == "flow"), "flows table count differs"
        # Totals in the flows table equal the totals of the flow events.
        tot = db.execute("SELECT coalesce(sum(pkts_toserver+pkts_toclient),0), "
                         "coalesce(sum(bytes_toserver+bytes_toclient),0) FROM flows").fetchone()
        ev_pk = sum(e["flow"]["pkts_toserver"] + e["flow"]["pkts_toclient"] for e in events if e["event_type"] == "flow")
        ev_by = sum(e["flow"]["bytes_toserver"] + e["flow"]["bytes_toclient"] for e in events if e["event_type"] == "flow")
        assert tuple(tot) == (ev_pk, ev_by), "flows table totals %s differ from events %s" % (tot, (ev_pk, ev_by))
    finally:
        db.close()
    return events


def analyze(captures, outdir, workers=1, extra=(), expect_ok=True, timeout=600):
    if isinstance(captures, str):
        captures = [captures]
    if "--db" not in extra and "--no-inventory" not in extra:
        # Each run its own inventory (the user's default one is never touched
        # by tests); it lives in the output directory, so the PHI checks read it.
        extra = [*extra, "--db", os.path.join(outdir, "inventory.db")]
    cmd = [ARGS.binary, "analyze", *captures, "-o", outdir, "--workers", str(workers), "--no-progress", *extra]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    run = Run(proc, outdir)
    if expect_ok:
        assert proc.returncode == 0, "%s failed (%d): %s" % (" ".join(cmd), proc.returncode, proc.stderr)
    if os.path.exists(os.path.join(outdir, "events.jsonl")):
        run.events = check_output(outdir)
    return run


def corpus_with(*protocols):
    """Corpus captures whose tshark protocol hierarchy (manifest_pcaps.tsv)
    names one of `protocols`: the ones worth asking tshark about."""
    out = []
    with open(corpus("manifest_pcaps.tsv")) as f:
        lines = f.read().splitlines()
    cols = lines[0].split("\t")
    i, j = cols.index("local_file"), cols.index("protocols_tshark_phs")
    for line in lines[1:]:
        row = line.split("\t")
        if len(row) > j and set(row[j].split(",")) & set(protocols):
            out.append(corpus(row[i]))
    return out


def zeek_log(baseline, name):
    """The rows of a Zeek baseline log (../shared/corpus zeek btest) as dicts."""
    path = corpus("zeek/testing/btest/Baseline", baseline, name)
    fields, rows = None, []
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("#fields"):
                fields = line.split("\t")[1:]
            elif line and not line.startswith("#"):
                rows.append(dict(zip(fields, line.split("\t"))))
    return rows


def suricata_checks(test):
    """The `match` dicts of a suricata-verify test.yaml, with their counts."""
    import yaml
    with open(corpus("suricata-verify/tests", test, "test.yaml")) as f:
        doc = yaml.safe_load(f)
    return [(c["filter"].get("count"), c["filter"]["match"]) for c in doc.get("checks", []) if "filter" in c]


def ndpi_flows(name, folder="nDPI"):
    """nDPI's result lines for the flows of a capture: (5-tuple text, {key: value}) per flow."""
    import re
    flows = []
    with open(corpus(folder, "result", name + ".out")) as f:
        for line in f:
            m = re.match(r"\s+\d+\s+(TCP|UDP) (\S+) <?-> (\S+) (.*)", line)
            if not m:
                continue
            fields = {}
            for item in re.findall(r"\[([^\]]*)\]", m.group(4)):
                k, _, v = item.partition(": ")
                fields[k] = v
            flows.append(((m.group(1), m.group(2), m.group(3)), fields))
    return flows


def tshark_fields(pcap, filt, fields, extra=()):
    """tshark -T fields rows (lists, one per field, all occurrences split on ',')."""
    cmd = ["tshark", "-r", pcap, *extra, "-Y", filt, "-T", "fields", "-E", "separator=\t", "-E", "occurrence=a",
           "-E", "aggregator=|"]
    for fl in fields:
        cmd += ["-e", fl]
    out = subprocess.run(cmd, capture_output=True, text=True).stdout
    return [[v.split("|") if v else [] for v in (line.split("\t") + [""] * len(fields))[:len(fields)]]
            for line in out.splitlines()]


def all_text(outdir):
    """Every byte medsentry wrote into outdir (events.jsonl and the SQLite file)."""
    data = b""
    for name in os.listdir(outdir):
        with open(os.path.join(outdir, name), "rb") as f:
            data += f.read()
    return data


def lab_capture(name):
    """Plays a lab scenario (tests/lab, as root) into this module's workdir and
    returns its capture."""
    out = workdir("lab_" + name)
    proc = subprocess.run([repo("tests", "lab", "run"), name, out], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, "lab %s: %s" % (name, proc.stderr)
    return os.path.join(out, "capture.pcap")


def run_cmd(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


class RankedTable(html.parser.HTMLParser):
    """The rows of the HIPAA report's table id="ranked", as cell texts."""
    def __init__(self):
        super().__init__()
        self.rows, self._in, self._cell = [], False, None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and ("id", "ranked") in attrs:
            self._in = True
        elif self._in and tag == "tr":
            self.rows.append([])
        elif self._in and tag in ("td", "th"):
            self._cell = ""

    def handle_endtag(self, tag):
        if tag == "table":
            self._in = False
        elif self._in and tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append(self._cell)
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data


def ranked_rows(text):
    """The report's ranked table without its header row (the report and the
    console's download are read the same way)."""
    t = RankedTable()
    t.feed(text)
    return t.rows[1:]


def main(module_globals):
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--repo", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("-k", default="", help="run only tests whose name contains this")
    ARGS = ap.parse_args()
    os.makedirs(ARGS.workdir, exist_ok=True)
    # Every analysis of this module uses one PHI key of its own, never the
    # key of the user running the tests.
    os.environ["MEDSENTRY_PHI_KEY"] = os.path.join(ARGS.workdir, "phi.key")
    # Nor the user's inventory: runs without --db share one of this module's own.
    os.environ["MEDSENTRY_DB"] = os.path.join(ARGS.workdir, "inventory.db")
    # Nor the user's detection settings.
    os.environ.pop("MEDSENTRY_CONFIG", None)
    tests = [(n, f) for n, f in sorted(module_globals.items()) if n.startswith("test_") and callable(f)]
    passed = failed = 0
    for name, fn in tests:
        if ARGS.k and ARGS.k not in name:
            continue
        try:
            fn()
            passed += 1
            print("ok     %s" % name, flush=True)
        except Exception:  # noqa: BLE001 - report every failure and go on
            failed += 1
            print("FAILED %s" % name, flush=True)
            traceback.print_exc()
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed or not passed else 0)
