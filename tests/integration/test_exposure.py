"""`medsentry exposure` end to end: the lab's `exposure` scenario (devices that
announce maker, model and firmware through the ENTITY-MIB an NMS polls) is
analysed into an inventory, the 144 real ICSMA advisories of ../shared/corpus
and a maker's VEX are loaded, and every device must be linked to the right
advisories with the right status; devices outside the ranges or not listed
must not be. The JSON output is validated against schema/exposure.schema.json."""
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
    # ... with the advisory's remediation (stored links once lost it: exposure_store.cc's bind_text).
    assert score["10.60.0.241"]["next_action"].split("): ", 1)[1].strip(), score["10.60.0.241"]["next_action"]
    assert any(f["kind"] == "epss" and "CVE-2018-10597" in f["detail"] for f in score["10.60.0.241"]["factors"])
    # Affected firmware above unknown firmware above the fixed one and the unlisted pump.
    assert score["10.60.0.221"]["score"] > score["10.60.0.223"]["score"] > score["10.60.0.222"]["score"]
    assert score["10.60.0.222"]["score"] == score["10.60.0.224"]["score"]
    assert "firmware version" in score["10.60.0.223"]["next_action"] or "remediation" in score["10.60.0.223"]["next_action"]
    assert [r["rank"] for r in ranked] == list(range(1, len(ranked) + 1))
    assert all(ranked[i]["score"] >= ranked[i + 1]["score"] for i in range(len(ranked) - 1))
    table = mstest.run_cmd([mstest.ARGS.binary, "risk", "--db", db]).stdout
    assert table.split("\n")[1].split()[3] == "10.60.0.241", table



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
    form = os.path.join(out, "mx800-mds2.xlsx")
    write_mds2(form, MONITOR_FORM)
    exposure(db, "--advisories", mstest.corpus("cisagov-CSAF", "icsma"),
             "--kev", mstest.corpus("cisa-kev", "known_exploited_vulnerabilities.json"), "--mds2", form)
    ranked = json.loads(mstest.run_cmd([mstest.ARGS.binary, "risk", "--db", db, "--format", "json"]).stdout)
    page = os.path.join(out, "report.html")
    p = mstest.run_cmd([mstest.ARGS.binary, "report", "--db", db, "-o", page])
    assert p.returncode == 0, p.stderr
    with open(page, encoding="utf-8") as f:
        text = f.read()
    rows = mstest.ranked_rows(text)
    assert [r[3] for r in rows] == [r["ip"] for r in ranked], (rows[:3], ranked[:3])
    top = ranked[0]
    assert top["level"] == "high" and top["type"] == "patient monitor", top
    assert rows[0][0] == "1" and rows[0][4] == top["name"], rows[0]
    for section in ("Vulnerable devices", "Default and cleartext passwords", "End-of-life systems", "Where patient data flows",
                    "Risk by device type", "ICSMA-17-250-02A", "What makers declare (MDS2)",
                    "<td>TXCF-2</td><td>Yes: Is personally identifiable information encrypted"):
        assert section in text, section
    with open(os.path.join(mstest.ARGS.workdir, "lab_icu", "truth.json")) as f:
        patients = json.load(f)["patients"]
    import test_lab
    leaks = sorted(x for pt in patients for x in test_lab.phi_spellings(pt) if x in text)
    assert patients and not leaks, leaks
    # PDF through WeasyPrint (Debian's weasyprint, scripts/install-deps.sh), then PNG pages through
    # pdftoppm and text through pdftotext (poppler-utils): it opens, the ranked table starts with the
    # most exposed device, no patient identifier is in it. The PNG stays in the workdir to look at.
    pdf = os.path.join(out, "report.pdf")
    p = mstest.run_cmd([mstest.ARGS.binary, "report", "--db", db, "--format", "pdf", "-o", pdf], timeout=300)
    assert p.returncode == 0, p.stderr
    with open(pdf, "rb") as f:
        assert f.read(5) == b"%PDF-"
    mstest.run_cmd(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "2", pdf, os.path.join(out, "page")], check=True)
    png = os.path.join(out, "page-1.png")
    with open(png, "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"
    assert os.path.getsize(png) > 20000, os.path.getsize(png)  # a rendered page, not a blank one
    words = mstest.run_cmd(["pdftotext", "-layout", pdf, "-"], check=True).stdout
    ranked_text = words[words.index("1. Risks, top first"):words.index("2. Vulnerable devices")]
    first_row = [l for l in ranked_text.split("\n") if l.strip().startswith("1 ")]
    assert first_row and top["ip"] in first_row[0] and "high" in first_row[0], ranked_text[:800]
    order = sorted((ranked_text.find(r["ip"] + " "), r["ip"]) for r in ranked if ranked_text.find(r["ip"] + " ") >= 0)
    assert [ip for _, ip in order][:3] == [r["ip"] for r in ranked][:3], (order, ranked[:3])
    assert not [x for pt in patients for x in test_lab.phi_spellings(pt) if x in words]
    assert "What makers declare (MDS2)" in words and "TXCF-2" in words, words[-2000:]
    # Without WeasyPrint on the PATH: one line that says so.
    p = mstest.run_cmd([mstest.ARGS.binary, "report", "--db", db, "--format", "pdf", "-o", pdf], env={"PATH": "/nonexistent"})
    assert p.returncode != 0 and "WeasyPrint" in p.stderr and len(p.stderr.strip().split("\n")) == 1, p.stderr


# HN 1-2019 (ANSI/NEMA, the MDS2 form): question ids and texts as manufacturers'
# published forms write them, one or more per section, in the workbook's
# layout (id, question, answer, note, then the IEC TR 80001-2-2 and NIST SP
# 800-53 references the reader does not use).
MDS2_QUESTIONS = [
    ("DOC", "DEVICE DESCRIPTION", [
        ("DOC-1", "Manufacturer Name"), ("DOC-2", "Device Description"), ("DOC-3", "Device Model"),
        ("DOC-4", "Document ID"), ("DOC-5", "Manufacturer Contact Information"), ("DOC-7", "Document Release Date"),
        ("DOC-8", "Coordinated Vulnerability Disclosure: Does the manufacturer have a vulnerability disclosure program for this device?")]),
    ("MPII", "MANAGEMENT OF PERSONALLY IDENTIFIABLE INFORMATION", [
        ("MPII-1", "Can this device display, transmit, store, or modify personally identifiable information (e.g. electronic Protected Health Information (ePHI))?"),
        ("MPII-2", "Does the device maintain personally identifiable information?"),
        ("MPII-3.5", "Does the device transmit/receive personally identifiable information via a wired network connection (e.g., RJ45, fiber optic, etc.)?"),
        ("MPII-3.7", "Does the device transmit/receive personally identifiable information over an external network (e.g., Internet)?")]),
    ("ALOF", "AUTOMATIC LOGOFF", [("ALOF-1", "Can the device be configured to force reauthorization of logged-in user(s) after a predetermined length of inactivity?")]),
    ("AUDT", "AUDIT CONTROLS", [
        ("AUDT-1", "Can the medical device create additional audit logs or reports beyond standard operating system logs?"),
        ("AUDT-5", "Can audit log content be exported?"),
        ("AUDT-5.2", "Via IHE Audit Trail and Node Authentication (ATNA) profile to SIEM?")]),
    ("AUTH", "AUTHORIZATION", [("AUTH-1", "Does the device prevent access to unauthorized users through user login requirements or other mechanism?")]),
    ("CSUP", "CYBER SECURITY PRODUCT UPGRADES", [("CSUP-1", "Does the device contain any software or firmware which may require security updates during its operational life?")]),
    ("MLDP", "MALWARE DETECTION/PROTECTION", [("MLDP-1", "Is the device capable of hosting executable software?")]),
    ("NAUT", "NODE AUTHENTICATION", [("NAUT-1", "Does the device provide/support any means of node authentication that assures both the sender and the recipient of data are known to each other?")]),
    ("CONN", "CONNECTIVITY CAPABILITIES", [
        ("CONN-4", "Can the device communicate with other systems external to the customer environment (e.g., a service host)?"),
        ("CONN-7", "Does the device support Transport Layer Security (TLS)?")]),
    ("PAUT", "PERSON AUTHENTICATION", [
        ("PAUT-1", "Does the device support and enforce unique IDs and passwords for all users and roles (including service accounts)?"),
        ("PAUT-4", "Are all default accounts (e.g., technician service accounts, administrator accounts) listed in the documentation?")]),
    ("SAHD", "SYSTEM AND APPLICATION HARDENING", [
        ("SAHD-9", "Are all services (e.g., telnet, file transfer protocol [FTP], internet information server [IIS], etc.), which are not required for the intended use of the device deleted/disabled?")]),
    ("TXCF", "TRANSMISSION CONFIDENTIALITY", [
        ("TXCF-1", "Can personally identifiable information be transmitted only via a point-to-point dedicated cable?"),
        ("TXCF-2", "Is personally identifiable information encrypted prior to transmission via a network or removable media?")]),
    ("TXIG", "TRANSMISSION INTEGRITY", [("TXIG-1", "Does the device support any mechanism (e.g., digital signatures) intended to ensure data is not modified during transmission?")]),
    ("RMOT", "REMOTE SERVICE", [("RMOT-1", "Does the device permit remote service connections for device analysis or repair?")]),
]


def write_mds2(path, answers):
    """An MDS2 workbook written by openpyxl; `answers` maps a question id to
    its answer or (answer, note); unanswered questions stay blank."""
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "MDS2"
    ws.append(["Manufacturer Disclosure Statement for Medical Device Security -- MDS2"])
    ws.append([None, "Question ID", "Question", "See note", None, "IEC TR 80001-2-2:2012", "NIST SP 800-53 Rev. 4"])
    for _, title, questions in MDS2_QUESTIONS:
        ws.append([None, title])
        for qid, text in questions:
            a = answers.get(qid, "")
            answer, note = a if isinstance(a, tuple) else (a, "")
            ws.append([None, qid, text, answer, note or None, "Section 5", "SC-8"])
    wb.save(path)


def icu_db(name):
    """A fresh inventory of the ICU scenario (played once per module): the
    IntelliVue sends patients' HL7 in clear and accepts SNMP's default
    community and an HTTP Basic login; the Alaris pump sends HL7 in clear."""
    if "icu" not in _STATE:
        _STATE["icu"] = mstest.lab_capture("icu")
    out = mstest.workdir(name)
    db = os.path.join(out, "inventory.db")
    mstest.analyze([_STATE["icu"]], out, extra=["--db", db])
    return db


# The monitor's maker says it encrypts, has no remote service, enforces unique
# passwords, has no default accounts and audits to a SIEM; the pump's maker
# says what the network shows (HL7 in clear, remote service allowed).
MONITOR_FORM = {"DOC-1": "Philips", "DOC-2": "Patient monitor", "DOC-3": "IntelliVue MX800", "DOC-4": "MDS2-MX800-TEST",
                "DOC-7": "2019-10-01", "MPII-1": "Yes", "MPII-2": "Yes", "MPII-3.5": "Yes", "MPII-3.7": "No",
                "AUDT-1": "Yes", "AUDT-5": "Yes", "AUDT-5.2": "Yes", "AUTH-1": "Yes", "CONN-4": "No", "CONN-7": "Yes",
                "PAUT-1": "Yes", "PAUT-4": ("N/A", "No default accounts"), "SAHD-9": "Yes", "TXCF-1": "No",
                "TXCF-2": "Yes", "RMOT-1": "No"}
PUMP_FORM = {"DOC-1": "BD", "DOC-3": "Alaris PC Unit 8015", "DOC-4": "MDS2-8015-TEST", "MPII-1": "Yes", "MPII-3.5": "Yes",
             "MPII-3.7": "No", "AUDT-5.2": "No", "CONN-4": "No", "PAUT-1": "Yes", "SAHD-9": "Yes", "TXCF-2": "No",
             "RMOT-1": "Yes"}


def mds2_rows(db):
    import sqlite3
    con = sqlite3.connect(db)
    rows = con.execute("SELECT d.ip, m.question, m.kind, m.observed, m.evidence, m.declared FROM mds2_discrepancies m "
                       "JOIN devices d ON d.id = m.device ORDER BY d.ip, m.question").fetchall()
    con.close()
    return rows


def test_mds2_form_against_observed_traffic():
    db = icu_db("mds2")
    seeds = mstest.workdir("mds2_seeds")  # the fuzz target's seeds (tests/fuzz/fuzz_mds2.cc)
    monitor, pump = os.path.join(seeds, "mx800.xlsx"), os.path.join(seeds, "alaris.xlsx")
    write_mds2(monitor, MONITOR_FORM)
    write_mds2(pump, PUMP_FORM)
    # The monitor's form names its device (DOC-1, DOC-3); the pump's is attached by a mapping.
    p = exposure(db, "--mds2", monitor, "--mds2", "BD;Alaris PC Unit 8015=" + pump, "--format", "json")
    n = sum(len(q) for _, _, q in MDS2_QUESTIONS)  # every question row, answered or blank
    assert "MDS2 form MDS2-MX800-TEST, %d answers" % n in p.stderr, p.stderr
    doc = json.loads(p.stdout)
    validate(doc)
    dev = by_ip(doc)
    found = {(m["question"], m["kind"]) for m in dev["10.60.0.141"]["mds2"]}
    assert found == {("TXCF-2", "contradicted"), ("RMOT-1", "contradicted"), ("PAUT-1", "contradicted"),
                     ("PAUT-4", "contradicted"), ("AUDT-5.2", "not_observed")}, found
    m = {x["question"]: x for x in dev["10.60.0.141"]["mds2"]}
    # Both sides: the maker's answer and question, and what the network showed.
    assert m["TXCF-2"]["declared"].startswith("Yes: Is personally identifiable information encrypted"), m["TXCF-2"]
    assert "hl7" in m["TXCF-2"]["observed"] and "10.60.0.60 tcp/2575/hl7" in m["TXCF-2"]["evidence"], m["TXCF-2"]
    assert "http" in m["RMOT-1"]["observed"], m["RMOT-1"]
    assert "snmp" in m["PAUT-1"]["observed"] and "No default accounts" in m["PAUT-4"]["declared"], m
    assert "vendor default login accepted: snmp" == m["PAUT-4"]["observed"], m["PAUT-4"]
    # The pump's honest form and the devices without a form: nothing.
    assert dev["10.60.0.142"]["mds2"] == [], dev["10.60.0.142"]["mds2"]
    assert all(d["mds2"] == [] for ip, d in dev.items() if ip != "10.60.0.141")
    # Stored beside the exposures; a later run without the forms lists them again.
    stored = mds2_rows(db)
    assert sorted((r[0], r[1]) for r in stored) == sorted(("10.60.0.141", q) for q, _ in found), stored
    table = exposure(db).stdout
    assert "MDS2 discrepancies" in table and "5 MDS2 discrepancies" in table, table
    line = [l for l in table.split("\n") if " TXCF-2 " in l]
    assert line and "10.60.0.141" in line[0] and "contradicted" in line[0], table
    # A second, truthful form for the monitor (TXCF-2 No, RMOT-1 Yes, no ATNA claimed): of its
    # answers only PAUT-1 (unique passwords enforced) is contradicted, by the SNMP default community.
    honest = os.path.join(seeds, "mx800-honest.xlsx")
    write_mds2(honest, dict(PUMP_FORM, **{"DOC-1": "Philips", "DOC-3": "IntelliVue MX800", "DOC-4": "MDS2-MX800-B"}))
    p = exposure(db, "--mds2", honest, "--format", "json")
    mine = [x for x in by_ip(json.loads(p.stdout))["10.60.0.141"]["mds2"] if x["form"].endswith("mx800-honest.xlsx")]
    assert [x["question"] for x in mine] == ["PAUT-1"], mine
    assert len(mds2_rows(db)) == 6


def raw_xlsx(path, sheet, shared=None, extra=()):
    """A workbook written part by part (zipfile), for the hostile cases."""
    import zipfile
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
        z.writestr("xl/worksheets/sheet1.xml", sheet)
        if shared is not None:
            z.writestr("xl/sharedStrings.xml", shared)
        for name, data in extra:
            z.writestr(name, data)


def patch_sizes(path, size):
    """Rewrites every entry's declared uncompressed size (local header offset
    22, central directory offset 24; APPNOTE 4.3.7, 4.3.12)."""
    import struct
    with open(path, "rb") as f:
        b = bytearray(f.read())
    for sig, off in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        i = b.find(sig)
        while i >= 0:
            struct.pack_into("<I", b, i + off, size)
            i = b.find(sig, i + 4)
    with open(path, "wb") as f:
        f.write(bytes(b))


def excel_style_xlsx(path, answers):
    """The monitor's form as Excel writes workbooks (openpyxl writes inline
    strings): every text a shared string (xl/sharedStrings.xml), some as rich
    text runs with a phonetic run, entities and a character reference, a
    numeric cell, prefixed element names, rows without r attributes."""
    from xml.sax.saxutils import escape
    strings, index = [], {}

    def sid(text, rich=False):
        if text not in index:
            index[text] = len(strings)
            if rich and len(text) > 4:
                strings.append('<si><r><rPr><b/></rPr><t>%s</t></r><r><t xml:space="preserve">%s</t></r><rPh sb="0" eb="1"><t>IGNORED</t></rPh></si>'
                               % (escape(text[:4]), escape(text[4:])))
            else:
                strings.append("<si><t>%s</t></si>" % escape(text).replace("\u00e9", "&#233;"))
        return index[text]
    rows = []
    for _, _, questions in MDS2_QUESTIONS:
        for qid, text in questions:
            a = answers.get(qid, "")
            answer, note = a if isinstance(a, tuple) else (a, "")
            cells = '<x:c t="s"><x:v>%d</x:v></x:c>' % sid(qid)
            cells += '<x:c t="s"><x:v>%d</x:v></x:c>' % sid(text, rich=True)
            cells += '<x:c t="s"><x:v>%d</x:v></x:c>' % sid(answer) if answer else "<x:c/>"
            cells += '<x:c t="s"><x:v>%d</x:v></x:c>' % sid(note) if note else '<x:c t="n"><x:v>0</x:v></x:c>'
            rows.append("<x:row>%s</x:row>" % cells)
    sheet = ('<?xml version="1.0" encoding="UTF-8"?><x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             "<x:sheetData>%s</x:sheetData></x:worksheet>" % "".join(rows))
    shared = ('<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
              'count="%d">%s</sst>' % (len(strings), "".join(strings)))
    raw_xlsx(path, sheet, shared)


def test_mds2_excel_shared_strings():
    db = icu_db("mds2_excel")
    path = os.path.join(mstest.workdir("mds2_excel_seeds"), "mx800-excel.xlsx")
    excel_style_xlsx(path, dict(MONITOR_FORM, **{"DOC-4": "MDS2 Philips & Co <MX800> \u00e9d. 2019"}))
    p = exposure(db, "--mds2", path, "--format", "json")
    assert "MDS2 form MDS2 Philips & Co <MX800> \u00e9d. 2019, " in p.stderr, p.stderr
    m = {x["question"]: x for x in by_ip(json.loads(p.stdout))["10.60.0.141"]["mds2"]}
    assert set(m) == {"TXCF-2", "RMOT-1", "PAUT-1", "PAUT-4", "AUDT-5.2"}, m
    # The rich text's runs joined, the phonetic run left out; a numeric note cell reads as its value.
    assert m["TXCF-2"]["declared"] == ("Yes: Is personally identifiable information encrypted prior to transmission "
                                       "via a network or removable media? (note: 0)"), m["TXCF-2"]
    assert "IGNORED" not in p.stdout


def test_mds2_hostile_workbooks_one_line_and_kept():
    db = icu_db("mds2_hostile")
    w = mstest.workdir("mds2_hostile_files")
    good = os.path.join(w, "good.xlsx")
    write_mds2(good, MONITOR_FORM)
    exposure(db, "--mds2", good)
    before = mds2_rows(db)
    assert len(before) == 5, before
    cases = {}
    with open(good, "rb") as f:
        data = f.read()
    cases["truncated"] = data[: len(data) // 2]
    row = '<row r="1"><c r="B1" t="inlineStr"><is><t>DOC-1</t></is></c></row>'
    sheet = '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>%s</sheetData></worksheet>'
    paths = {}
    for name, body, shared in (
            ("bad_shared_index", sheet % '<row r="1"><c r="B1" t="s"><v>99</v></c></row>', "<sst><si><t>DOC-1</t></si></sst>"),
            ("bad_cell_ref", sheet % '<row r="1"><c r="ZZZZ1" t="inlineStr"><is><t>DOC-1</t></is></c></row>', None),
            ("unterminated_xml", sheet.split("%s")[0] + '<row r="1"><c r="B1" t="inlineStr"><is><t>DOC-1', None),
            ("no_questions", sheet % '<row r="1"><c r="A1" t="inlineStr"><is><t>Inventory</t></is></c></row>', None),
            ("zip_bomb", sheet % (row + "<!--" + " " * (17 << 20) + "-->"), None)):
        paths[name] = os.path.join(w, name + ".xlsx")
        raw_xlsx(paths[name], body, shared)
    # The bomb again, its headers claiming 100 bytes; and a small sheet claiming 2 GiB.
    for name, src, size in (("bomb_lying_sizes", "zip_bomb", 100), ("huge_declared_size", "no_questions", 0x7FFFFFF0)):
        paths[name] = os.path.join(w, name + ".xlsx")
        shutil.copy(paths[src], paths[name])
        patch_sizes(paths[name], size)
    paths["many_entries"] = os.path.join(w, "many_entries.xlsx")
    raw_xlsx(paths["many_entries"], sheet % row, extra=[("xl/media/x%d.bin" % i, "") for i in range(2001)])
    for name, blob in cases.items():
        paths[name] = os.path.join(w, name + ".xlsx")
        with open(paths[name], "wb") as f:
            f.write(blob)
    paths["csv_renamed"] = os.path.join(w, "csv_renamed.xlsx")
    with open(paths["csv_renamed"], "w") as f:
        f.write("DOC-1,Manufacturer Name,Philips\n")
    for name, path in sorted(paths.items()):
        p = exposure(db, "--mds2", path, expect_ok=False)
        lines = p.stderr.strip().split("\n")
        assert p.returncode != 0 and len(lines) == 1 and "error" in lines[0] and path in lines[0], (name, p.stderr)
        assert mds2_rows(db) == before, name  # the stored results are kept
    # The reasons name what was wrong.
    why = {n: exposure(db, "--mds2", paths[n], expect_ok=False).stderr for n in
           ("zip_bomb", "bad_shared_index", "bad_cell_ref", "no_questions", "many_entries")}
    assert "16 MiB" in why["zip_bomb"] and "shared string" in why["bad_shared_index"], why
    assert "cell reference" in why["bad_cell_ref"] and "no MDS2 question ids" in why["no_questions"], why
    assert "2,000 entries" in why["many_entries"], why
    import sqlite3
    con = sqlite3.connect(db)
    assert con.execute("SELECT count(*) FROM exposure_sources WHERE kind = 'mds2'").fetchone()[0] == 1
    con.close()


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
