"""The web console in a real headless Chromium (Debian's chromium,
chromium-driver and python3-selenium), on the real server: log in, the
overview lists the lab sample's devices, a device page shows the evidence of
its identity, a triage survives a reload, the evidence pcap downloads and
equals `medsentry evidence`, the HIPAA report downloads as `medsentry report`
writes it, and a device whose DHCP host name, HTTP title,
DICOM AE title and HL7 application are HTML/JavaScript shows them as text on
every page, with no element made of them and no dialog opened. Screenshots of
every page are kept in WORKDIR/screenshots."""
import json
import os
import shutil
import sqlite3
import subprocess
import time
import urllib.parse

from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException, NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

import console_fixture as cf
import mstest

STATE = {}
# Counts every alert()/confirm()/prompt() a page calls, before any of its
# scripts run (a payload that ran would show here even if a dialog did not).
HOOK = ("window.__dialogs=[];for(const f of ['alert','confirm','prompt']){const o=window[f];"
        "window[f]=function(m){window.__dialogs.push(f+':'+m);return o.apply(window,arguments)}}")


def setup():
    if STATE:
        return STATE
    d, db = cf.build_inventory("browser")
    users = cf.write_users(d)
    shots = os.path.join(mstest.ARGS.workdir, "screenshots")
    downloads = os.path.join(d, "downloads")
    for x in (shots, downloads):
        os.makedirs(x, exist_ok=True)
        for f in os.listdir(x):
            os.unlink(os.path.join(x, f))
    con = sqlite3.connect(db)
    hostile = con.execute("SELECT id FROM devices WHERE ips LIKE ?", ("%" + cf.XSS_IP + "%",)).fetchone()[0]
    alert = con.execute("SELECT id FROM alerts WHERE dest_ip = ? AND rule = 'phi_cleartext'", (cf.XSS_IP,)).fetchone()[0]
    ct = con.execute("SELECT id FROM devices WHERE type = 'CT'").fetchone()[0]
    con.close()
    srv = cf.Server(db, users)
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for a in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1100", "--disable-gpu"):
        opts.add_argument(a)
    opts.add_experimental_option("prefs", {"download.default_directory": downloads, "download.prompt_for_download": False})
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    drv = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
    drv.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": HOOK})
    drv.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": downloads})
    STATE.update(dir=d, db=db, srv=srv, drv=drv, shots=shots, downloads=downloads, hostile=hostile, alert=alert, ct=ct)
    return STATE


def teardown():
    if STATE:
        STATE["drv"].quit()
        STATE["srv"].stop()


def go(path, ready):
    s = setup()
    s["drv"].get(s["srv"].base + path)
    return WebDriverWait(s["drv"], 20).until(EC.presence_of_element_located((By.CSS_SELECTOR, ready)))


def shot(name):
    """The whole page: the window is made as tall as the page first."""
    s = setup()
    drv = s["drv"]
    time.sleep(0.2)
    height = drv.execute_script("return document.documentElement.scrollHeight")
    drv.set_window_size(1400, min(max(height + 160, 600), 6000))  # the window counts its frame too
    time.sleep(0.2)
    drv.save_screenshot(os.path.join(s["shots"], name + ".png"))
    drv.set_window_size(1400, 1100)


def assert_inert():
    """No element made of a payload, no dialog, no script blocked by the CSP."""
    drv = setup()["drv"]
    # The console's own drawing (svg.peer-graph) holds only lines, circles
    # and text; nothing anywhere carries an event-handler attribute.
    n = drv.execute_script(
        "return [document.querySelectorAll('main img, main script, main iframe, main object, main embed, main svg:not(.peer-graph),"
        " .peer-graph :not(line):not(circle):not(text)').length, document.scripts.length, window.__dialogs.length,"
        " [...document.querySelectorAll('*')].filter(e => [...e.attributes].some(a => a.name.startsWith('on'))).length]")
    assert n == [0, 1, 0, 0], n
    try:
        drv.switch_to.alert
        raise AssertionError("a dialog is open")
    except NoAlertPresentException:
        pass
    csp = [e for e in drv.get_log("browser") if "Content Security Policy" in e.get("message", "")]
    assert not csp, csp


def main_text():
    return setup()["drv"].find_element(By.ID, "main").text


def login(user):
    drv = setup()["drv"]
    drv.delete_all_cookies()
    go("/login", "#login")
    drv.find_element(By.ID, "user").send_keys(user)
    drv.find_element(By.ID, "password").send_keys(cf.PASSWORDS[user])
    drv.find_element(By.ID, "submit").click()
    WebDriverWait(drv, 20).until(EC.presence_of_element_located((By.ID, "totals")))


def test_1_login_and_overview_shows_the_lab_devices():
    s = setup()
    drv = s["drv"]
    drv.get(s["srv"].base + "/devices")
    WebDriverWait(drv, 20).until(EC.presence_of_element_located((By.ID, "login")))
    assert drv.current_url.endswith("/login"), drv.current_url
    drv.find_element(By.ID, "user").send_keys("ana")
    drv.find_element(By.ID, "password").send_keys("not-the-password")
    drv.find_element(By.ID, "submit").click()
    WebDriverWait(drv, 20).until(lambda d: d.find_element(By.ID, "message").text)
    assert "wrong user name or password" in drv.find_element(By.ID, "message").text
    shot("login")
    login("ana")
    assert "httponly" not in drv.execute_script("return document.cookie").lower() and \
        "ms_session" not in drv.execute_script("return document.cookie"), "the session cookie is readable by scripts"
    truth = json.load(open(mstest.repo("samples", "clinic-sample.truth.json")))["devices"]
    table = drv.find_element(By.ID, "overview-devices").text
    for dev in truth:
        assert dev["ip"] in table, (dev["name"], dev["ip"])
    assert drv.find_element(By.ID, "totals").text.split()[0] == str(len(truth) + 2)  # and the two hostile hosts
    assert_inert()
    shot("overview")


def test_1b_overview_follows_the_sensor_live():
    """Server-sent events: an analysis writes, the open overview redraws."""
    s = setup()
    drv = s["drv"]
    go("/", "#totals")
    captures = lambda: drv.find_element(By.ID, "totals").find_elements(By.CSS_SELECTOR, ".n")[4].text  # noqa: E731
    before = int(captures())
    drv.execute_script("document.getElementById('totals').dataset.old = 'yes'")
    mstest.analyze([os.path.abspath(mstest.repo("samples", "clinic-sample.pcap")), os.path.join(s["dir"], "hostile.pcap")],
                   os.path.join(s["dir"], "live"), extra=["--db", s["db"]])
    # The page is redrawn under the wait: an element may vanish between two looks.
    WebDriverWait(drv, 20, ignored_exceptions=(StaleElementReferenceException, NoSuchElementException)).until(
        lambda d: captures() == str(before + 1))
    # Redrawn, not reloaded: the page's own state survived.
    assert drv.execute_script("return window.__dialogs !== undefined && document.getElementById('totals') !== null")
    assert_inert()


def test_2_device_page_shows_the_evidence():
    s = setup()
    go("/devices/" + urllib.parse.quote(s["ct"], safe=""), "#conclusions")
    conc = s["drv"].find_element(By.ID, "conclusions")
    rows = conc.find_elements(By.CSS_SELECTOR, "tbody tr")
    by_field = {}
    for r in rows:
        cells = r.find_elements(By.TAG_NAME, "td")
        by_field.setdefault(cells[0].text, []).append((cells[1].text, cells[3].text))
    assert by_field["manufacturer"][0][0] == "GE Healthcare", by_field
    assert "dicom" in by_field["manufacturer"][0][1].lower() or "ieee" in by_field["manufacturer"][0][1].lower(), by_field
    assert all(ev for v in by_field.values() for _, ev in v), "a conclusion without evidence"
    assert s["drv"].find_element(By.ID, "observations").find_elements(By.CSS_SELECTOR, "tbody tr")
    labels = [t.text for t in s["drv"].find_elements(By.CSS_SELECTOR, "#peer-graph text.peer-label")]
    assert labels and "10.60.0.20 tcp/104/dicom" in labels, labels
    assert_inert()
    shot("device")


def test_3_hostile_device_is_text_on_every_page():
    s = setup()
    drv = s["drv"]
    pages = [("/", "#overview-devices", "overview-hostile"),
             ("/devices?q=" + urllib.parse.quote("<img"), "#devices", "devices-hostile"),
             ("/devices/" + urllib.parse.quote(s["hostile"], safe=""), "#observations", "device-hostile"),
             ("/alerts?ip=" + cf.XSS_IP, "#alerts", "alerts-hostile"),
             ("/alerts/" + s["alert"], "#history", "alert-hostile"),
             ("/phi", "#phi-devices", "phi")]
    for path, ready, name in pages:
        go(path, ready)
        assert_inert()
        text = main_text()
        if name in ("overview-hostile", "devices-hostile"):
            assert cf.XSS["dhcp_hostname"] in text, (name, text[:500])
        if name == "device-hostile":
            for k, v in cf.XSS.items():
                assert v in text, (k, v)
            assert drv.find_element(By.ID, "device-title").text.startswith(cf.XSS["dhcp_hostname"])
        if name == "phi":
            flows = drv.find_element(By.ID, "phi-flows").text
            assert "10.1.0.10" in flows and cf.XSS_IP in flows and "hl7" in flows, flows
            assert s["hostile"] in drv.find_element(By.ID, "phi-devices").text
        if name in ("alerts-hostile", "alert-hostile"):
            assert cf.XSS["hl7_app"] in text or name == "alerts-hostile", (name, text[:500])
        shot(name)


def test_4_triage_persists_after_reload():
    s = setup()
    drv = s["drv"]
    go("/alerts/" + s["alert"], "#history")
    box = drv.find_element(By.CSS_SELECTOR, ".triage")
    Select(box.find_element(By.NAME, "state")).select_by_value("acknowledged")
    note = box.find_element(By.NAME, "note")
    note.clear()
    note.send_keys("checked with biomed <b>x</b>")
    box.find_element(By.CSS_SELECTOR, "button.save").click()
    WebDriverWait(drv, 20).until(lambda d: "saved by ana" in d.find_element(By.CSS_SELECTOR, ".status").text)
    drv.refresh()
    WebDriverWait(drv, 20).until(EC.presence_of_element_located((By.CSS_SELECTOR, "#history tbody tr")))
    box = drv.find_element(By.CSS_SELECTOR, ".triage")
    assert Select(box.find_element(By.NAME, "state")).first_selected_option.get_attribute("value") == "acknowledged"
    assert box.find_element(By.NAME, "note").get_attribute("value") == "checked with biomed <b>x</b>"
    first = drv.find_elements(By.CSS_SELECTOR, "#history tbody tr")[0].text
    assert "acknowledged" in first and "ana" in first, first
    assert_inert()
    shot("alert")
    go("/alerts?state=acknowledged", "#alerts")
    rows = drv.find_elements(By.CSS_SELECTOR, "#alerts tbody tr")
    assert len(rows) == 1 and "ana" in rows[0].text, [r.text for r in rows]
    shot("alerts")


def test_5_evidence_pcap_downloads():
    s = setup()
    drv = s["drv"]
    go("/alerts/" + s["alert"], "#history")
    drv.find_element(By.CSS_SELECTOR, "a.pcap").click()
    want = os.path.join(s["downloads"], "alert-%s.pcap" % s["alert"])
    deadline = time.time() + 30
    while not os.path.exists(want) and time.time() < deadline:
        time.sleep(0.2)
    time.sleep(0.5)
    assert os.path.exists(want), os.listdir(s["downloads"])
    cli = os.path.join(s["dir"], "cli.pcap")
    p = subprocess.run([mstest.ARGS.binary, "evidence", s["alert"], "--db", s["db"], "-o", cli], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert open(want, "rb").read() == open(cli, "rb").read()


def wait_for(path, seconds):
    deadline = time.time() + seconds
    while not os.path.exists(path) and time.time() < deadline:
        time.sleep(0.2)
    time.sleep(0.5)
    assert os.path.exists(path), os.listdir(os.path.dirname(path))
    return path


def test_5b_report_downloads_from_the_overview():
    """The analyst's HIPAA report links on the overview: the HTML is the
    page `medsentry report` writes (times aside), the PDF a PDF."""
    s = setup()
    drv = s["drv"]
    go("/", "#report-html")
    drv.find_element(By.ID, "report-html").click()
    text = open(wait_for(os.path.join(s["downloads"], "hipaa-risk-report.html"), 30), encoding="utf-8").read()
    cli = cf.cli_report(s["db"], os.path.join(s["dir"], "cli-report.html"))
    assert cf.without_times(text) == cf.without_times(cli)
    rows = mstest.ranked_rows(text)
    assert len(rows) >= 7 and rows[0][0] == "1" and any(r[3] == cf.XSS_IP for r in rows), rows
    assert not [x for x in cf.PATIENT_SECRETS if x.decode() in text]
    if shutil.which("weasyprint"):
        drv.find_element(By.ID, "report-pdf").click()
        with open(wait_for(os.path.join(s["downloads"], "hipaa-risk-report.pdf"), 90), "rb") as f:
            assert f.read(5) == b"%PDF-"
    assert_inert()


def test_6_viewer_sees_no_triage_or_pcap():
    s = setup()
    drv = s["drv"]
    login("vic")
    go("/alerts/" + s["alert"], "#history")
    assert not drv.find_elements(By.CSS_SELECTOR, ".triage select") and not drv.find_elements(By.CSS_SELECTOR, "a.pcap")
    go("/", "#totals")
    assert not drv.find_elements(By.ID, "report")
    go("/devices", "#devices")
    shown = len(drv.find_elements(By.CSS_SELECTOR, "#devices tbody tr"))
    assert shown >= 7
    assert_inert()
    shot("devices")
    # The devices as CSV (all of them: 7 here), the hostile name as plain text.
    drv.find_element(By.ID, "csv").click()
    want = os.path.join(s["downloads"], "devices.csv")
    deadline = time.time() + 20
    while not os.path.exists(want) and time.time() < deadline:
        time.sleep(0.2)
    time.sleep(0.3)
    lines = [x for x in open(want, encoding="utf-8", newline="").read().split("\r\n") if x]
    assert lines[0].startswith("id,mac,ip,ips") and len(lines) == shown + 1, lines[:3]
    assert any('"%s"' % cf.XSS["dhcp_hostname"] in line for line in lines), lines
    teardown()


if __name__ == "__main__":
    try:
        mstest.main(globals())
    finally:
        teardown()
