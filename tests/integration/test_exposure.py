"""`medsentry exposure` end to end: the lab's `exposure` scenario (devices that
announce maker, model and firmware through the ENTITY-MIB an NMS polls) is
analysed into an inventory, the 144 real ICSMA advisories of ../shared/corpus
and a maker's VEX are loaded, and every device must be linked to the right
advisories with the right status; devices outside the ranges or not listed
must not be. The JSON output is validated against schema/exposure.schema.json."""
import html.parser
import json
import os
import shutil

import jsonschema

import mstest

_STATE = {}


def lab_db():
    """The inventory of the exposure scenario (played once per module)."""
    if "db" not in _STATE:
        pcap = mstest.lab_capture("exposure")
        out = mstest.workdir("analyze")
        db = os.path.join(out, "inventory.db")
        mstest.analyze([pcap], out, extra=["--db", db])
        _STATE["db"] = db
    return _STATE["db"]


def exposure(db, *args, expect_ok=True):
    p = mstest.run_cmd([mstest.ARGS.binary, "exposure", "--db", db, *args], timeout=300)
    if expect_ok:
        assert p.returncode == 0, p.stderr
    return p


def by_ip(doc):
    return {d["ip"]: d for d in doc}


def advisories(dev):
    return {e["advisory"]: e for e in dev["exposures"]}


def validate(doc):
    with open(mstest.repo("schema", "exposure.schema.json")) as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(doc)


def write_vex(path):
    """The maker's CycloneDX 1.5 VEX for the pump at firmware 1.5: one of the
    advisory's eight CVEs needs the FTP service, which this build leaves off."""
    vex = {
        "bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
        "metadata": {"component": {"type": "device", "name": "Medfusion 4000", "version": "1.5",
                                   "manufacturer": {"name": "Smiths Medical"}}},
        "vulnerabilities": [{
            "id": "CVE-2017-12725",
            "analysis": {"state": "not_affected", "justification": "requires_configuration",
                         "detail": "The FTP server is disabled in this configuration."},
            "affects": [{"ref": "medfusion-4000-1.5"}]}],
    }
    with open(path, "w") as f:
        json.dump(vex, f)


def test_links_lab_devices_to_corpus_advisories():
    db = lab_db()
    vex = os.path.join(mstest.ARGS.workdir, "medfusion-vex.json")
    write_vex(vex)
    p = exposure(db, "--advisories", mstest.corpus("cisagov-CSAF", "icsma"), "--vex", vex, "--format", "json")
    assert "144 advisories loaded" in p.stderr, p.stderr
    doc = json.loads(p.stdout)
    validate(doc)
    dev = by_ip(doc)
    # Medfusion 4000 firmware 1.5: ICSMA-17-250-02A lists 1.1, 1.5 and 1.6.
    pump = advisories(dev["10.60.0.221"])
    assert list(pump) == ["ICSMA-17-250-02A"], pump
    link = pump["ICSMA-17-250-02A"]
    assert link["status"] == "affected" and link["version_text"] == "1.5", link
    assert "version '1.5' in '1.5'" in link["evidence"], link["evidence"]
    assert "version from snmp.ent_rev" in link["evidence"], link["evidence"]  # the observed field
    assert link["remediations"] and "1.6.1" in link["remediations"][0], link["remediations"]
    vulns = {v["id"]: v for v in link["vulnerabilities"]}
    assert len(vulns) == 8, vulns
    # The VEX suppresses its CVE and says why; the other seven stay.
    assert vulns["CVE-2017-12725"]["status"] == "not_affected", vulns["CVE-2017-12725"]
    assert "requires_configuration" in vulns["CVE-2017-12725"]["statement"]
    assert "FTP server is disabled" in vulns["CVE-2017-12725"]["statement"]
    assert sum(v["status"] == "affected" for v in vulns.values()) == 7
    # Firmware 1.6.1 (the fix) and the Medfusion 3500 (not listed): nothing.
    assert dev["10.60.0.222"]["exposures"] == [], dev["10.60.0.222"]
    assert dev["10.60.0.224"]["exposures"] == [], dev["10.60.0.224"]
    # Version unknown: possibly affected, never silence; the VEX (firmware 1.5) is not its.
    unk = advisories(dev["10.60.0.223"])["ICSMA-17-250-02A"]
    assert unk["status"] == "possibly_affected", unk
    assert all(v["status"] == "possibly_affected" for v in unk["vulnerabilities"]), unk
    # IntelliVue MX800 Rev M: MP Series list (ICSMA-18-156-01) and MX400-MX850 (ICSMA-20-254-01).
    mon = advisories(dev["10.60.0.241"])
    assert mon["ICSMA-18-156-01"]["status"] == "affected", mon
    assert "MX700/800" in mon["ICSMA-18-156-01"]["product"]
    assert mon["ICSMA-20-254-01"]["status"] == "affected", mon
    # MX850: not in the 2018 advisory, in the 2020 one.
    mon2 = advisories(dev["10.60.0.242"])
    assert "ICSMA-18-156-01" not in mon2 and mon2["ICSMA-20-254-01"]["status"] == "affected", mon2
    # Welch Allyn Connex Cardio: 1.1.0 in ">= 1.0.0 | <= 1.1.1", 1.2.0 not.
    ecg = advisories(dev["10.60.0.251"])
    assert ecg["ICSMA-21-343-01"]["status"] == "affected", ecg
    assert "ICSMA-21-343-01" not in advisories(dev["10.60.0.252"])
    # The NMS workstation is in no advisory.
    assert dev["10.60.0.170"]["exposures"] == []


def test_sources_are_kept_and_links_stored():
    db = lab_db()
    exposure(db, "--advisories", mstest.corpus("cisagov-CSAF", "icsma"))
    # A later run without sources uses what the database holds.
    p = exposure(db, "--format", "csv")
    rows = [l.split(",") for l in p.stdout.strip().split("\n")]
    assert rows[0][:8] == ["device", "ip", "manufacturer", "model", "version", "advisory", "vulnerability", "status"]
    assert any(r[1] == "10.60.0.221" and r[5] == "ICSMA-17-250-02A" and r[7] == "affected" for r in rows[1:]), rows
    # A device SBOM whose subject names no maker (the corpus's de-identified one) is attached by a mapping.
    sbom = mstest.corpus("sbom-completeness", "sboms", "case-study", "extended.sbom.json")
    exposure(db, "--sbom", "Smiths Medical;Medfusion 4000;1.5=" + sbom)
    import sqlite3
    con = sqlite3.connect(db)
    assert con.execute("SELECT title FROM exposure_sources WHERE kind = 'sbom'").fetchall() == [("Smiths Medical;Medfusion 4000;1.5",)]
    n = con.execute("SELECT count(*) FROM exposure_sources WHERE kind = 'csaf'").fetchone()[0]
    stored = con.execute("SELECT status FROM exposures WHERE device = (SELECT id FROM devices WHERE ip = '10.60.0.221') "
                         "AND cve = 'CVE-2017-12718'").fetchall()
    con.close()
    assert n == 144, n
    assert stored == [("affected",)], stored
    # After another analysis (the devices table is derived anew), risk refreshes the links itself.
    con = sqlite3.connect(db)
    con.execute("DELETE FROM exposures")
    con.commit()
    con.close()
    ranked = json.loads(mstest.run_cmd([mstest.ARGS.binary, "risk", "--db", db, "--format", "json"]).stdout)
    assert any(f["kind"] == "cvss" for f in ranked[0]["factors"]), ranked[0]
    table = exposure(db).stdout
    first = table.split("\n")[1]
    assert "affected" in first and "possibly" not in first, table
    assert "linked to advisories" in table


def test_risk_ranks_the_most_exposed_first():
    db = lab_db()
    p = exposure(db, "--advisories", mstest.corpus("cisagov-CSAF", "icsma"),
                 "--kev", mstest.corpus("cisa-kev", "known_exploited_vulnerabilities.json"),
                 "--epss", mstest.repo("tests", "data", "epss_sample.csv"))
    assert "KEV catalog 2025.08.25, 1404" in p.stderr and "EPSS v2025.03.14" in p.stderr, p.stderr
    p = mstest.run_cmd([mstest.ARGS.binary, "risk", "--db", db, "--format", "json"], timeout=120)
    assert p.returncode == 0, p.stderr
    ranked = json.loads(p.stdout)
    with open(mstest.repo("schema", "risk.schema.json")) as f:
        jsonschema.Draft202012Validator(json.load(f)).validate(ranked)
    order = [r["ip"] for r in ranked]
    score = {r["ip"]: r for r in ranked}
    # The MX800: two advisories, CVSS 8.3, a patient monitor.
    assert order[0] == "10.60.0.241", [(r["ip"], r["score"]) for r in ranked]
    assert score["10.60.0.241"]["level"] == "high"
    assert any(f["kind"] == "cvss" and f["points"] == 8.3 for f in score["10.60.0.241"]["factors"])
    assert "Philips" in score["10.60.0.241"]["next_action"]
    assert any(f["kind"] == "epss" and "CVE-2018-10597" in f["detail"] for f in score["10.60.0.241"]["factors"])
    # Affected firmware above unknown firmware above the fixed one and the unlisted pump.
    assert score["10.60.0.221"]["score"] > score["10.60.0.223"]["score"] > score["10.60.0.222"]["score"]
    assert score["10.60.0.222"]["score"] == score["10.60.0.224"]["score"]
    assert "firmware version" in score["10.60.0.223"]["next_action"] or "remediation" in score["10.60.0.223"]["next_action"]
    assert [r["rank"] for r in ranked] == list(range(1, len(ranked) + 1))
    assert all(ranked[i]["score"] >= ranked[i + 1]["score"] for i in range(len(ranked) - 1))
    table = mstest.run_cmd([mstest.ARGS.binary, "risk", "--db", db]).stdout
    assert table.split("\n")[1].split()[3] == "10.60.0.241", table


class RankedTable(html.parser.HTMLParser):
    """The rows of the report's table id="ranked", as cell texts."""
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


def test_report_ranked_and_without_patient_data():
    """The ICU scenario (patients' HL7 in clear, a web login, SNMP) and the
    exposure scenario in one inventory: the report ranks as `risk` does, and
    no patient name, ID or birth date of the ICU's is in it."""
    lab_db()  # plays the exposure scenario into workdir/lab_exposure
    icu = mstest.lab_capture("icu")
    out = mstest.workdir("report")
    db = os.path.join(out, "inventory.db")
    mstest.analyze([icu], out, extra=["--db", db])
    mstest.analyze([os.path.join(mstest.ARGS.workdir, "lab_exposure", "capture.pcap")], mstest.workdir("report2"),
                   extra=["--db", db])
    exposure(db, "--advisories", mstest.corpus("cisagov-CSAF", "icsma"),
             "--kev", mstest.corpus("cisa-kev", "known_exploited_vulnerabilities.json"))
    ranked = json.loads(mstest.run_cmd([mstest.ARGS.binary, "risk", "--db", db, "--format", "json"]).stdout)
    page = os.path.join(out, "report.html")
    p = mstest.run_cmd([mstest.ARGS.binary, "report", "--db", db, "-o", page])
    assert p.returncode == 0, p.stderr
    with open(page, encoding="utf-8") as f:
        text = f.read()
    t = RankedTable()
    t.feed(text)
    rows = t.rows[1:]
    assert [r[3] for r in rows] == [r["ip"] for r in ranked], (rows[:3], ranked[:3])
    top = ranked[0]
    assert top["level"] == "high" and top["type"] == "patient monitor", top
    assert rows[0][0] == "1" and rows[0][4] == top["name"], rows[0]
    for section in ("Vulnerable devices", "Default and cleartext passwords", "End-of-life systems", "Where patient data flows",
                    "Risk by device type", "ICSMA-17-250-02A"):
        assert section in text, section
    with open(os.path.join(mstest.ARGS.workdir, "lab_icu", "truth.json")) as f:
        patients = json.load(f)["patients"]
    import test_lab
    leaks = sorted(x for pt in patients for x in test_lab.phi_spellings(pt) if x in text)
    assert patients and not leaks, leaks
    # PDF through WeasyPrint, then PNG pages through pdftoppm, where Debian's tools are installed.
    pdf = os.path.join(out, "report.pdf")
    p = mstest.run_cmd([mstest.ARGS.binary, "report", "--db", db, "--format", "pdf", "-o", pdf])
    if shutil.which("weasyprint"):
        assert p.returncode == 0, p.stderr
        with open(pdf, "rb") as f:
            assert f.read(5) == b"%PDF-"
        mstest.run_cmd(["pdftoppm", "-png", "-r", "60", pdf, os.path.join(out, "page")], check=True)
        assert os.path.exists(os.path.join(out, "page-1.png"))
        words = mstest.run_cmd(["pdftotext", pdf, "-"], check=True).stdout
        assert top["ip"] in words and not [x for pt in patients for x in test_lab.phi_spellings(pt) if x in words]
    else:
        assert p.returncode != 0 and "WeasyPrint" in p.stderr and len(p.stderr.strip().split("\n")) == 1, p.stderr


def test_bad_inputs_one_line_and_nonzero():
    db = lab_db()
    bad = os.path.join(mstest.ARGS.workdir, "bad.json")
    with open(bad, "w") as f:
        f.write('{"document": {"csaf_version": "2.0", "tracking": {"id": "X"}')
    for args in (["--advisories", bad], ["--sbom", bad], ["--sbom", "Acme=" + bad], ["--sbom", "Acme;=" + bad], ["--vex", mstest.corpus("cisagov-CSAF", "icsma", "icsma-17-250-02a.json")],
                 ["--advisories", os.path.join(mstest.ARGS.workdir, "missing.json")], ["--format", "xml"],
                 ["--kev", mstest.corpus("cisagov-CSAF", "icsma", "icsma-17-250-02a.json")],
                 ["--epss", mstest.corpus("cisa-kev", "known_exploited_vulnerabilities.json")]):
        p = exposure(db, *args, expect_ok=False)
        assert p.returncode != 0, args
        lines = p.stderr.strip().split("\n")
        assert len(lines) == 1 and "error" in lines[0], (args, p.stderr)
    p = mstest.run_cmd([mstest.ARGS.binary, "exposure", "--db", os.path.join(mstest.ARGS.workdir, "none.db")])
    assert p.returncode != 0 and "no inventory database" in p.stderr, p.stderr
    # A failed load left the stored sources as they were.
    import sqlite3
    con = sqlite3.connect(db)
    assert con.execute("SELECT count(*) FROM exposure_sources WHERE id = 'X'").fetchone()[0] == 0
    con.close()


if __name__ == "__main__":
    mstest.main(globals())
