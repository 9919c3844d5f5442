"""The web console's security (issue 20), against the real server on
loopback: every route from the server's own table without a session, with
the wrong role and without a CSRF token; static files by traversal; login
brute force; a hostile device's HTML in every API answer; triage that
persists; the evidence pcap equal to `medsentry evidence`; no patient
identifier in any answer. The browser side is test_console_browser.py."""
import hashlib
import http.client
import json
import ssl

import jsonschema
import os
import shutil
import sqlite3
import stat
import subprocess
import urllib.parse

import console_fixture as cf
import mstest

STATE = {}
ROLE_RANK = {"none": 0, "viewer": 1, "analyst": 2, "admin": 3}
USER_OF_ROLE = {"viewer": "vic", "analyst": "ana", "admin": "adm"}


def setup():
    if not STATE:
        d, db = cf.build_inventory("console")
        STATE.update(dir=d, db=db, users=cf.write_users(d))
        con = sqlite3.connect(db)
        STATE["device"] = con.execute("SELECT id FROM devices WHERE ips LIKE ?", ("%" + cf.XSS_IP + "%",)).fetchone()[0]
        STATE["alert"] = con.execute("SELECT id FROM alerts WHERE dest_ip = ? AND rule = 'phi_cleartext'",
                                     (cf.XSS_IP,)).fetchone()[0]
        con.close()
    return STATE


def server():
    s = setup()
    return cf.Server(s["db"], s["users"])


def concrete(path):
    """A route's path with its placeholders filled with real ids."""
    s = setup()
    p = path.replace("{id}", urllib.parse.quote(s["alert"] if path.startswith(("/api/alerts", "/alerts")) else s["device"], safe=""))
    return p.replace("{file}", "app.js")


def raw_get(base, path):
    """GET with the path sent exactly as given (no client normalisation)."""
    host, port = base[len("http://"):].split(":")
    c = http.client.HTTPConnection(host, int(port), timeout=10)
    c.putrequest("GET", path, skip_accept_encoding=True)
    c.endheaders()
    r = c.getresponse()
    body = r.read()
    c.close()
    return r.status, body


def test_route_table_covers_the_api_and_pages():
    r = cf.routes()
    paths = {(x["method"], x["path"]) for x in r}
    for want in [("GET", "/api/devices"), ("GET", "/api/devices/{id}"), ("GET", "/api/alerts"), ("GET", "/api/overview"),
                 ("POST", "/api/alerts/{id}/triage"), ("GET", "/api/alerts/{id}/evidence.pcap"), ("GET", "/"),
                 ("GET", "/api/report.html"), ("GET", "/api/report.pdf")]:
        assert want in paths, want
    assert all(x["role"] != "none" for x in r if x["kind"] in ("page", "api")), r


def test_answers_match_the_openapi_document():
    """Every API route of the table is in /api/openapi.json and each real
    answer (200 and errors) validates against the schema it declares."""
    s = setup()
    srv = server()
    try:
        c = cf.Client(srv.base)
        assert c.login("adm")[0] == 200
        st, _, doc = c.request("GET", "/api/openapi.json")
        assert st == 200 and doc["openapi"].startswith("3.1"), st
        api = {(r["method"].lower(), r["path"]) for r in cf.routes() if r["path"].startswith("/api/")}
        documented = {(m, p) for p, ops in doc["paths"].items() for m in ops}
        assert api == documented, (api ^ documented)

        def check(method, path, status, body, template):
            op = doc["paths"][template][method]
            schema = op["responses"][str(status)]["content"]["application/json"]["schema"]
            resolver = jsonschema.RefResolver.from_schema(doc)
            jsonschema.Draft202012Validator(schema, resolver=resolver).validate(body)

        dev = urllib.parse.quote(s["device"], safe="")
        cases = [("get", "/api/overview", "/api/overview"), ("get", "/api/devices?limit=3", "/api/devices"),
                 ("get", "/api/devices?q=zzzz", "/api/devices"), ("get", "/api/devices?subnet=bad", "/api/devices"),
                 ("get", "/api/devices/" + dev, "/api/devices/{id}"), ("get", "/api/devices/none", "/api/devices/{id}"),
                 ("get", "/api/alerts", "/api/alerts"), ("get", "/api/alerts?state=x", "/api/alerts"),
                 ("get", "/api/alerts/" + s["alert"], "/api/alerts/{id}"), ("get", "/api/alerts/00", "/api/alerts/{id}"),
                 ("get", "/api/session", "/api/session"), ("get", "/api/phi-flows", "/api/phi-flows"), ("get", "/api/audit", "/api/audit"),
                 ("get", "/api/openapi.json", "/api/openapi.json")]
        for method, path, template in cases:
            st, _, body = c.request(method.upper(), path)
            check(method, path, st, body, template)
        st, _, body = c.post("/api/alerts/%s/triage" % s["alert"], {"state": "resolved", "note": "schema"})
        check("post", "", st, body, "/api/alerts/{id}/triage")
        st, _, body = c.post("/api/alerts/%s/triage" % s["alert"], {"state": "bogus"})
        check("post", "", st, body, "/api/alerts/{id}/triage")
        st, _, body = c.post("/api/logout", {})
        check("post", "", st, body, "/api/logout")
        st, _, body = c.request("POST", "/api/login", {"user": "adm", "password": "wrong"})
        check("post", "", st, body, "/api/login")
        st, _, body = c.request("POST", "/api/login", {"user": "adm", "password": cf.PASSWORDS["adm"]})
        check("post", "", st, body, "/api/login")
    finally:
        srv.stop()


def test_api_tokens_only_read_the_api():
    s = setup()
    users = os.path.join(s["dir"], "users-tokens")
    subprocess.run(["cp", s["users"], users], check=True)
    tokens = {}
    for name, role in (("siem", "viewer"), ("soar", "analyst")):
        p = subprocess.run([mstest.ARGS.binary, "user", "token", name, "--role", role, "--users", users],
                           capture_output=True, text=True)
        assert p.returncode == 0, p.stderr
        tokens[name] = p.stdout.split("(shown once): ")[1].strip()
        assert tokens[name] not in open(users).read()
    srv = cf.Server(s["db"], users)
    try:
        c = cf.Client(srv.base)
        bearer = lambda n: {"Authorization": "Bearer " + tokens[n]}  # noqa: E731
        st, _, body = c.request("GET", "/api/alerts", headers=bearer("siem"))
        assert st == 200 and body["alerts"], (st, body)
        assert c.request("GET", "/api/alerts", headers={"Authorization": "Bearer mst_" + "0" * 64})[0] == 401
        assert c.request("GET", "/api/alerts", headers={"Authorization": tokens["siem"]})[0] == 401
        assert c.request("GET", "/api/alerts/%s/evidence.pcap" % s["alert"], headers=bearer("siem"))[0] == 403
        assert c.request("GET", "/api/alerts/%s/evidence.pcap" % s["alert"], headers=bearer("soar"), raw=True)[0] == 200
        # Reading only: no state change, even for an analyst's token; no pages.
        assert c.request("POST", "/api/alerts/%s/triage" % s["alert"], {"state": "resolved"}, headers=bearer("soar"))[0] == 403
        st, h, _ = c.request("GET", "/alerts", headers=bearer("soar"), raw=True)
        assert st == 302 and h["Location"] == "/login", st
        # A token is no password.
        assert c.login("siem", tokens["siem"])[0] == 401
    finally:
        srv.stop()


def read_event(resp):
    """One server-sent event (its lines up to the blank line), comments skipped."""
    lines = []
    while True:
        line = resp.readline().decode()
        if not line:
            raise AssertionError("the event stream ended")
        line = line.rstrip("\r\n")
        if line == "" and lines:
            return dict(x.split(": ", 1) for x in lines)
        if line and not line.startswith(":"):
            lines.append(line)


def test_live_updates_when_the_sensor_writes():
    s = setup()
    srv = server()
    try:
        c = cf.Client(srv.base)
        assert c.login("vic")[0] == 200
        cookie = "; ".join("%s=%s" % (k.name, k.value) for k in c.jar)
        host, port = srv.base[len("http://"):].split(":")
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        conn.request("GET", "/api/events", headers={"Cookie": cookie})
        resp = conn.getresponse()
        assert resp.status == 200 and resp.getheader("Content-Type").startswith("text/event-stream")
        first = read_event(resp)
        assert first["event"] == "change", first
        counts = json.loads(first["data"])
        con = sqlite3.connect(s["db"])
        assert counts["devices"] == con.execute("SELECT count(*) FROM devices").fetchone()[0], counts
        con.close()
        # The sensor writes: an analysis of the hostile capture again.
        mstest.analyze(os.path.join(s["dir"], "hostile.pcap"), os.path.join(s["dir"], "live"), extra=["--db", s["db"]])
        second = read_event(resp)
        assert second["event"] == "change" and json.loads(second["data"])["devices"] == counts["devices"], second
        conn.close()
    finally:
        srv.stop()


def test_hostile_requests_leave_the_server_serving():
    """Garbage, over-long lines, huge headers, bad encodings and cut requests
    on the socket: each gets an error or a closed connection, and the server
    answers the next real client."""
    import random
    import socket
    srv = server()
    try:
        host, port = srv.base[len("http://"):].split(":")
        rnd = random.Random(20)
        blobs = [b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n" + b"X: " + b"a" * 100000 + b"\r\n\r\n",
                 b"GET /" + b"a" * 20000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
                 b"POST /api/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 99999999999\r\n\r\n{",
                 b"POST /api/login HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\nffffffffff\r\n",
                 b"GET /static/%zz%00%ff HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
                 b"GET /api/devices?limit=%ff%fe&q=%00 HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: ms_session=" + b"\xff" * 64 + b"\r\n\r\n",
                 b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(40),  # a TLS hello on plain HTTP
                 b"GET / HTTP/1.1\r\n"]  # cut short
        blobs += [bytes(rnd.getrandbits(8) for _ in range(rnd.randrange(1, 3000))) for _ in range(40)]
        for b in blobs:
            with socket.create_connection((host, int(port)), timeout=10) as sk:
                try:
                    sk.sendall(b)
                    sk.shutdown(socket.SHUT_WR)
                    head = sk.recv(64)
                except OSError:
                    continue
                assert not head or head.startswith(b"HTTP/1.1 4") or head.startswith(b"HTTP/1.1 5"), (b[:60], head)
        c = cf.Client(srv.base)
        assert c.login("vic")[0] == 200 and c.request("GET", "/api/overview")[0] == 200
    finally:
        srv.stop()


def test_every_route_without_a_session_is_refused():
    srv = server()
    try:
        checked = 0
        for r in cf.routes():
            path = concrete(r["path"])
            for cookie in (None, "ms_session=" + "0" * 64):
                c = cf.Client(srv.base)
                hdr = {"Cookie": cookie} if cookie else {}
                st, h, body = c.request(r["method"], path, {} if r["method"] == "POST" else None, headers=hdr, raw=True)
                if r["kind"] == "page":
                    assert st == 302 and h["Location"] == "/login", (r, st)
                elif r["kind"] == "api":
                    assert st == 401, (r, st, body)
                else:  # public: the login page, its script, the login call
                    assert st in (200, 400), (r, st)
                checked += 1
        assert checked >= 2 * 15, checked
    finally:
        srv.stop()


def test_every_route_refuses_a_lesser_role():
    srv = server()
    try:
        refused = 0
        for r in cf.routes():
            rank = ROLE_RANK[r["role"]]
            if rank <= 1:
                continue
            lesser = [role for role, k in ROLE_RANK.items() if 0 < k < rank]
            for role in lesser:
                c = cf.Client(srv.base)
                assert c.login(USER_OF_ROLE[role])[0] == 200
                body = {"state": "resolved", "note": "x"} if r["method"] == "POST" else None
                st, _, b = c.request(r["method"], concrete(r["path"]), body, headers={"X-CSRF-Token": c.csrf}, raw=True)
                assert st == 403, (r, role, st, b)
                refused += 1
            c = cf.Client(srv.base)
            assert c.login(USER_OF_ROLE[r["role"]])[0] == 200
            body = {"state": "acknowledged", "note": "role check"} if r["method"] == "POST" else None
            st, _, b = c.request(r["method"], concrete(r["path"]), body, headers={"X-CSRF-Token": c.csrf}, raw=True)
            assert st == 200, (r, st, b)
        assert refused >= 4, refused
    finally:
        srv.stop()


def test_state_changes_need_the_csrf_token():
    srv = server()
    try:
        c = cf.Client(srv.base)
        assert c.login("ana")[0] == 200
        posts = [r for r in cf.routes() if r["method"] == "POST" and r["kind"] == "api"]
        assert posts and all(r["csrf"] for r in posts)
        for r in posts:
            path = concrete(r["path"])
            body = {"state": "resolved", "note": "csrf"}
            assert c.request("POST", path, body)[0] == 403, r
            assert c.request("POST", path, body, headers={"X-CSRF-Token": "f" * 64})[0] == 403, r
            # A cross-site form: no JSON, or another origin.
            form = urllib.parse.urlencode(body).encode()
            assert c.request("POST", path, form, headers={"X-CSRF-Token": c.csrf,
                                                          "Content-Type": "application/x-www-form-urlencoded"})[0] == 403
            assert c.request("POST", path, body, headers={"X-CSRF-Token": c.csrf, "Origin": "http://evil.example"})[0] == 403
        st, _, a = c.request("GET", "/api/alerts/" + setup()["alert"])
        assert a["alert"]["triage"]["note"] != "csrf", a
        # The session still works: the refusals changed nothing.
        assert c.request("GET", "/api/session")[0] == 200
    finally:
        srv.stop()


def test_static_files_only_from_the_embedded_set():
    srv = server()
    try:
        assert raw_get(srv.base, "/static/app.js")[0] == 200
        for p in ["/static/../../../../etc/passwd", "/static/..%2f..%2f..%2fetc%2fpasswd", "/static/%2e%2e/%2e%2e/etc/passwd",
                  "/static/%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/static//etc/passwd", "/static/app.js%00.html",
                  "/static/./app.js", "/static/page.html", "/static/login.html", "/static/..", "/static/%2fetc%2fpasswd",
                  "/static/....//....//etc/passwd", "/../../etc/passwd", "/static/app.js/..", "/static/APP.JS"]:
            st, body = raw_get(srv.base, p)
            assert st in (400, 404), (p, st)
            assert b"root:" not in body and b"{{csrf}}" not in body, p
    finally:
        srv.stop()


def test_security_headers_and_cookie():
    srv = server()
    try:
        c = cf.Client(srv.base)
        st, h, _ = c.request("POST", "/api/login", {"user": "vic", "password": cf.PASSWORDS["vic"]}, raw=True)
        cookie = h["Set-Cookie"]
        assert st == 200 and "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie, cookie
        token = cookie.split(";")[0].split("=", 1)[1]
        assert len(token) == 64 and int(token, 16) >= 0
        for path in ["/", "/devices", "/api/overview", "/static/app.js", "/login", "/nowhere", "/api/devices/none"]:
            st, h, body = c.request("GET", path, raw=True)
            csp = h["Content-Security-Policy"]
            assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "unsafe" not in csp, (path, csp)
            assert h["X-Content-Type-Options"] == "nosniff" and h["X-Frame-Options"] == "DENY", path
            if path.endswith((".js",)) or path.startswith("/login"):
                continue
            # No inline script anywhere in the pages (the CSP would block it).
            if b"<html" in body:
                assert b"<script src=" in body and b"<script>" not in body and b" on" not in body.split(b"<body")[1], path
    finally:
        srv.stop()


def walk_api(c):
    """Every API answer about the inventory, as raw bytes."""
    s = setup()
    out = {}
    for path in ["/api/overview", "/api/devices?limit=200", "/api/alerts?limit=200", "/api/devices?q=img",
                 "/api/devices/" + urllib.parse.quote(s["device"], safe=""), "/api/alerts/" + s["alert"]]:
        st, h, body = c.request("GET", path, raw=True)
        assert st == 200 and h["Content-Type"].startswith("application/json"), (path, st)
        out[path] = body
    st, _, devs = c.request("GET", "/api/devices?limit=200")
    for d in devs["devices"]:
        out[d["id"]] = c.request("GET", "/api/devices/" + urllib.parse.quote(d["id"], safe=""), raw=True)[2]
    return out


def test_hostile_device_is_inert_text_in_every_answer():
    srv = server()
    try:
        c = cf.Client(srv.base)
        assert c.login("ana")[0] == 200
        answers = walk_api(c)
        for path, body in answers.items():
            # Every < > & of the data is a \\u escape on the wire: no answer
            # holds a tag even when a client treats it as HTML.
            assert b"<" not in body and b">" not in body, path
        dev = json.loads(answers["/api/devices/" + urllib.parse.quote(setup()["device"], safe="")])
        rec = dev["record"]
        assert rec["hostname"] == cf.XSS["dhcp_hostname"], rec["hostname"]
        assert cf.XSS["dicom_ae"] in rec["ae_titles"] and cf.XSS["hl7_app"] in rec["hl7_apps"], rec
        assert any(o["attr"] == "http_title" and o["value"] == cf.XSS["http_title"] for o in dev["observations"]), \
            dev["observations"]
        # The page shell carries no data, only escaped session values.
        st, _, page = c.request("GET", "/devices/" + urllib.parse.quote(setup()["device"], safe=""), raw=True)
        assert st == 200 and b"onerror" not in page and b"<img" not in page and b"svg" not in page
    finally:
        srv.stop()


def test_triage_is_stored_with_who_and_when_and_survives_a_restart():
    s = setup()
    srv = server()
    try:
        c = cf.Client(srv.base)
        assert c.login("ana")[0] == 200
        note = "paged biomed <b>&amp;</b> 'quoted'"
        st, _, r = c.post("/api/alerts/%s/triage" % s["alert"], {"state": "false_positive", "note": note})
        assert st == 200 and r["by"] == "ana" and r["state"] == "false_positive", r
        for bad in [{"state": "closed"}, {"state": "resolved", "note": "x" * 2001}, {"note": "no state"}]:
            assert c.post("/api/alerts/%s/triage" % s["alert"], bad)[0] == 400, bad
        assert c.post("/api/alerts/0000000000000000/triage", {"state": "resolved"})[0] == 404
    finally:
        srv.stop()
    con = sqlite3.connect(s["db"])
    row = con.execute("SELECT state, note, by_user, at FROM alert_triage WHERE alert_id = ?", (s["alert"],)).fetchone()
    audit = con.execute("SELECT user, action, detail FROM console_audit WHERE action = 'triage'").fetchall()
    con.close()
    assert row[:3] == ("false_positive", note, "ana") and row[3].endswith("Z"), row
    assert ("ana", "triage", s["alert"] + " false_positive") in audit, audit
    srv = server()
    try:
        c = cf.Client(srv.base)
        assert c.login("vic")[0] == 200
        a = c.request("GET", "/api/alerts/" + s["alert"])[2]
        assert a["alert"]["triage"]["state"] == "false_positive" and a["alert"]["triage"]["note"] == note, a
        assert a["history"][0]["by"] == "ana"
        listed = c.request("GET", "/api/alerts?state=false_positive")[2]
        assert [x["id"] for x in listed["alerts"]] == [s["alert"]], listed
        assert s["alert"] not in [x["id"] for x in c.request("GET", "/api/alerts?state=new&limit=200")[2]["alerts"]]
    finally:
        srv.stop()


def test_device_and_alert_filters():
    srv = server()
    try:
        c = cf.Client(srv.base)
        assert c.login("vic")[0] == 200
        assert c.request("GET", "/api/devices?subnet=10.1.0.300/24")[0] == 400
        sub = c.request("GET", "/api/devices?subnet=10.1.0.0/24")[2]
        assert sorted(d["ip"] for d in sub["devices"]) == ["10.1.0.10", "10.1.0.20"] and sub["total"] == 2, sub
        v6 = c.request("GET", "/api/devices?subnet=" + urllib.parse.quote("fe80::/10"))[2]
        assert v6["total"] == 5 and all(d["ip"].startswith("10.60.") for d in v6["devices"]), v6
        ct = c.request("GET", "/api/devices?type=CT")[2]
        assert [d["hostname"] for d in ct["devices"]] == ["CT01"], ct
        # The filter keeps exactly the devices the unfiltered list calls not medical.
        every = c.request("GET", "/api/devices?limit=100")[2]["devices"]
        it = c.request("GET", "/api/devices?medical=0")[2]
        plain = sorted(d["ip"] for d in every if not d["medical"])
        assert plain and sorted(d["ip"] for d in it["devices"]) == plain and it["total"] == len(plain), it
        by_ip = c.request("GET", "/api/devices?sort=ip&order=asc&limit=2")[2]
        assert [d["ip"] for d in by_ip["devices"]] == ["10.1.0.10", "10.1.0.20"], by_ip
        page2 = c.request("GET", "/api/devices?sort=ip&order=asc&limit=2&offset=2")[2]
        assert page2["devices"][0]["ip"] == "10.60.0.1" and page2["total"] == 7, page2
        med = c.request("GET", "/api/alerts?severity=medium")[2]
        assert med["alerts"] and all(a["severity"] in ("medium", "high", "critical") for a in med["alerts"]), med
        one = c.request("GET", "/api/alerts?ip=" + cf.XSS_IP)[2]
        assert one["alerts"] and all(cf.XSS_IP in (a["src_ip"], a["dest_ip"]) for a in one["alerts"]), one
    finally:
        srv.stop()


def test_devices_csv_export():
    import csv
    import io
    srv = server()
    try:
        c = cf.Client(srv.base)
        assert c.login("vic")[0] == 200
        st, h, body = c.request("GET", "/api/devices.csv", raw=True)
        assert st == 200 and h["Content-Type"].startswith("text/csv"), st
        rows = list(csv.DictReader(io.StringIO(body.decode())))
        api = c.request("GET", "/api/devices?limit=200")[2]
        assert sorted(r["id"] for r in rows) == sorted(d["id"] for d in api["devices"]), rows
        by_ip = {r["ip"]: r for r in rows}
        assert by_ip[cf.XSS_IP]["hostname"] == cf.XSS["dhcp_hostname"]
        assert by_ip["10.1.0.10"]["hostname"] == "'" + cf.FORMULA, by_ip["10.1.0.10"]  # not a formula any more
        sub = c.request("GET", "/api/devices.csv?subnet=10.1.0.0/24", raw=True)[2].decode()
        assert len(list(csv.DictReader(io.StringIO(sub)))) == 2
        assert c.request("GET", "/api/devices.csv?subnet=x")[0] == 400
    finally:
        srv.stop()


def test_patient_data_flows():
    """The pairs that carried patient data in clear, as the analyzer's
    phi_cleartext alerts say, and the devices that handle patient data."""
    s = setup()
    srv = server()
    try:
        c = cf.Client(srv.base)
        assert c.login("vic")[0] == 200
        r = c.request("GET", "/api/phi-flows")[2]
    finally:
        srv.stop()
    con = sqlite3.connect(s["db"])
    want = {(a, b, p) for a, b, p in con.execute("SELECT src_ip, dest_ip, protocol FROM alerts WHERE rule = 'phi_cleartext'")}
    handling = {i for (i,) in con.execute("SELECT id FROM devices WHERE json_extract(record, '$.phi.handles') = 1")}
    con.close()
    got = {(f["src_ip"], f["dest_ip"], f["protocol"]) for f in r["cleartext_flows"]}
    assert got == want and ("10.1.0.10", cf.XSS_IP, "hl7") in got and ("10.60.0.11", "10.60.0.20", "dicom") in got, got
    assert {d["id"] for d in r["devices"]} == handling and s["device"] in handling, r["devices"]


def test_evidence_pcap_is_what_the_evidence_command_cuts():
    s = setup()
    srv = server()
    try:
        c = cf.Client(srv.base)
        assert c.login("ana")[0] == 200
        st, h, pcap = c.request("GET", "/api/alerts/%s/evidence.pcap" % s["alert"], raw=True)
        assert st == 200 and h["Content-Disposition"] == 'attachment; filename="alert-%s.pcap"' % s["alert"], (st, h)
    finally:
        srv.stop()
    cli = os.path.join(s["dir"], "cli.pcap")
    p = subprocess.run([mstest.ARGS.binary, "evidence", s["alert"], "--db", s["db"], "-o", cli], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert len(pcap) > 24 and pcap == open(cli, "rb").read(), (len(pcap), pcap[:8])
    rows = mstest.tshark_fields(cli, "tcp", ["tcp.dstport", "tcp.srcport"])
    assert rows and all(["2575"] in r for r in rows), rows


def test_report_download_is_what_the_report_command_writes():
    """The HIPAA report from the console: an attachment with the console's
    headers, the page `medsentry report` writes of the same database (times
    aside), every device ranked, no patient identifier, audited; the PDF
    through WeasyPrint where it is installed; viewers refused."""
    s = setup()
    srv = server()
    try:
        c = cf.Client(srv.base)
        assert c.login("ana")[0] == 200
        st, h, page = c.request("GET", "/api/report.html", raw=True)
        assert st == 200 and h["Content-Type"].startswith("text/html"), (st, h)
        assert h["Content-Disposition"] == 'attachment; filename="hipaa-risk-report.html"', h
        assert h["X-Content-Type-Options"] == "nosniff" and h["X-Frame-Options"] == "DENY" and h["Cache-Control"] == "no-store", h
        assert "script-src 'self'" in h["Content-Security-Policy"], h
        pdf_st, pdf_h, pdf = c.request("GET", "/api/report.pdf", raw=True)
        v = cf.Client(srv.base)
        assert v.login("vic")[0] == 200
        assert v.request("GET", "/api/report.html", raw=True)[0] == 403
        assert v.request("GET", "/api/report.pdf", raw=True)[0] == 403
        a = cf.Client(srv.base)
        assert a.login("adm")[0] == 200
        entries = a.request("GET", "/api/audit")[2]["entries"]
        assert any(e["user"] == "ana" and e["action"] == "report" and e["detail"] == "html" for e in entries), entries
    finally:
        srv.stop()
    text = page.decode("utf-8")
    cli = cf.cli_report(s["db"], os.path.join(s["dir"], "cli-report.html"))
    assert cf.without_times(text) == cf.without_times(cli)
    rows = mstest.ranked_rows(text)
    con = sqlite3.connect(s["db"])
    devices = con.execute("SELECT count(*) FROM devices").fetchone()[0]
    con.close()
    assert len(rows) == devices >= 7 and [r[0] for r in rows] == [str(i) for i in range(1, len(rows) + 1)], rows
    assert any(r[3] == cf.XSS_IP for r in rows), rows
    assert all(float(rows[i][1]) >= float(rows[i + 1][1]) for i in range(len(rows) - 1)), rows
    assert "<script" not in text.lower() and "<img" not in text.lower()
    for secret in cf.PATIENT_SECRETS:
        assert secret not in page, secret
    if shutil.which("weasyprint"):
        assert pdf_st == 200 and pdf_h["Content-Type"] == "application/pdf" and pdf[:5] == b"%PDF-", (pdf_st, pdf[:40])
        assert pdf_h["Content-Disposition"] == 'attachment; filename="hipaa-risk-report.pdf"', pdf_h
        path = os.path.join(s["dir"], "console-report.pdf")
        with open(path, "wb") as f:
            f.write(pdf)
        if shutil.which("pdftotext"):
            words = subprocess.run(["pdftotext", path, "-"], capture_output=True, text=True, check=True).stdout
            assert rows[0][3] in words and not [x for x in cf.PATIENT_SECRETS if x.decode() in words], words[:400]
    else:
        assert pdf_st == 503 and b"WeasyPrint" in pdf, (pdf_st, pdf)


def test_login_brute_force_is_throttled():
    srv = server()
    try:
        c = cf.Client(srv.base)
        for i in range(5):
            assert c.login("ana", "wrong-%d" % i)[0] == 401
        st, h, body = c.request("POST", "/api/login", {"user": "ana", "password": cf.PASSWORDS["ana"]}, raw=True)
        assert st == 429 and int(h["Retry-After"]) > 0, (st, body)
        # Another user from the same source is not locked by that name...
        assert c.login("vic")[0] == 200
        # ...until the source itself has failed too often, with any names.
        for i in range(20):
            c.login("guess%d" % i, "x")
        assert c.login("adm")[0] == 429
    finally:
        srv.stop()
    con = sqlite3.connect(setup()["db"])
    assert con.execute("SELECT count(*) FROM console_audit WHERE action = 'login_throttled'").fetchone()[0] >= 2
    con.close()


def test_requests_and_pages_are_bounded():
    srv = server()
    try:
        c = cf.Client(srv.base)
        assert c.login("ana")[0] == 200
        assert c.request("GET", "/api/devices?limit=100000")[2]["limit"] == 200
        assert c.request("GET", "/api/alerts?limit=0")[2]["limit"] == 1
        assert c.request("GET", "/api/devices?q=" + "a" * 129)[0] == 400
        assert c.request("GET", "/api/alerts?state=bogus")[0] == 400
        big = {"state": "resolved", "note": "x" * (70 * 1024)}
        assert c.post("/api/alerts/%s/triage" % setup()["alert"], big)[0] == 413
        assert c.request("DELETE", "/api/alerts")[0] == 405
        # DNS rebinding: a page of another name pointed at 127.0.0.1.
        for host in ("evil.example:8080", "evil.example", "127.0.0.1.evil.example", "[::2]:80"):
            assert c.request("GET", "/api/overview", headers={"Host": host})[0] == 403, host
        for host in ("localhost:8080", "127.0.0.1", "[::1]:8080"):
            assert c.request("GET", "/api/overview", headers={"Host": host})[0] == 200, host
        assert c.request("POST", "/api/logout", {})[0] == 403  # no CSRF token
        assert c.post("/api/logout", {})[0] == 200
        assert c.request("GET", "/api/session")[0] == 401
    finally:
        srv.stop()


def test_no_patient_identifier_in_any_answer():
    srv = server()
    try:
        c = cf.Client(srv.base)
        assert c.login("ana")[0] == 200
        blob = b"".join(walk_api(c).values())
        for secret in cf.PATIENT_SECRETS:
            assert secret not in blob, secret
    finally:
        srv.stop()


def test_serves_while_the_sensor_writes():
    """An analysis writing the same database (WAL) while the console answers."""
    s = setup()
    srv = server()
    try:
        c = cf.Client(srv.base)
        assert c.login("vic")[0] == 200
        out = os.path.join(s["dir"], "again")
        env = dict(os.environ)
        sensor = subprocess.Popen([mstest.ARGS.binary, "analyze", os.path.abspath(mstest.repo("samples", "clinic-sample.pcap")),
                                   os.path.join(s["dir"], "hostile.pcap"), "-o", out, "--db", s["db"], "--no-progress",
                                   "--quiet"], env=env, stderr=subprocess.PIPE, text=True)
        answers = 0
        while sensor.poll() is None or answers < 20:
            for path in ("/api/overview", "/api/devices", "/api/alerts"):
                st, _, body = c.request("GET", path)
                assert st == 200, (path, st, body)
                answers += 1
        assert sensor.wait() == 0, sensor.stderr.read()
        total = c.request("GET", "/api/devices")[2]["total"]
        assert total == len(json.load(open(mstest.repo("samples", "clinic-sample.truth.json")))["devices"]) + 2, total
    finally:
        srv.stop()


def test_https_with_a_generated_certificate():
    """--tls: a self-signed certificate made on first start (key 0600), its
    printed fingerprint is the one served, it names 127.0.0.1 and localhost,
    the session cookie is Secure, plain HTTP gets no answer, and a second
    start keeps the certificate."""
    s = setup()
    cfg = os.path.join(s["dir"], "config")
    if os.path.exists(cfg):
        subprocess.run(["rm", "-rf", cfg], check=True)
    env = dict(os.environ, XDG_CONFIG_HOME=cfg)
    cert = os.path.join(cfg, "medsentry", "console-cert.pem")
    prints = []
    for _ in range(2):
        srv = cf.Server(s["db"], s["users"], extra=["--tls"], env=env)
        try:
            assert srv.base.startswith("https://127.0.0.1:"), srv.base
            prints.append(srv.fingerprint)
            host, port = srv.base[len("https://"):].split(":")
            ctx = ssl.create_default_context(cafile=cert)  # the certificate as its own authority
            for name in ("localhost", "127.0.0.1"):
                with ssl.create_connection((host, int(port)), timeout=10) as raw:
                    with ctx.wrap_socket(raw, server_hostname=name) as tls:
                        der = tls.getpeercert(binary_form=True)
            assert hashlib.sha256(der).hexdigest().upper() == srv.fingerprint.replace(":", ""), srv.fingerprint
            c = http.client.HTTPSConnection(host, int(port), context=ctx, timeout=10)
            c.request("POST", "/api/login", json.dumps({"user": "vic", "password": cf.PASSWORDS["vic"]}),
                      {"Content-Type": "application/json", "Host": "localhost:" + port})
            r = c.getresponse()
            r.read()
            assert r.status == 200 and "; Secure" in r.getheader("Set-Cookie"), r.getheader("Set-Cookie")
            c.close()
            plain = http.client.HTTPConnection(host, int(port), timeout=10)
            try:
                plain.request("GET", "/api/overview")
                status = plain.getresponse().status
            except (http.client.HTTPException, OSError):
                status = None
            assert status is None, status
        finally:
            srv.stop()
    assert prints[0] == prints[1] and len(prints[0]) == 95, prints
    assert stat.S_IMODE(os.stat(os.path.join(cfg, "medsentry", "console-key.pem")).st_mode) == 0o600


def test_bad_setups_give_one_line():
    s = setup()
    d = s["dir"]
    b = mstest.ARGS.binary
    cases = [
        (["console", "--db", s["db"], "--users", os.path.join(d, "none")], 1, "no accounts file"),
        (["console", "--db", os.path.join(d, "none.db"), "--users", s["users"]], 1, "no inventory database"),
        (["console", "--db", s["db"], "--users", s["users"], "--listen", "0.0.0.0:8080", "--no-tls"], 2, "not loopback"),
        (["console", "--db", s["db"], "--users", s["users"], "--tls-cert", os.path.join(d, "none.pem")], 1, "go together"),
        (["console", "--db", s["db"], "--users", s["users"], "--listen", "127.0.0.1:99999"], 2, "not a port"),
        (["console", "--bogus"], 2, "unknown option"),
        (["user", "add", "x y", "--role", "admin", "--users", os.path.join(d, "u2")], 2, "user name"),
        (["user", "add", "z", "--role", "root", "--users", os.path.join(d, "u2")], 2, "--role"),
    ]
    loose = os.path.join(d, "loose-users")
    with open(s["users"]) as f, open(loose, "w") as g:
        g.write(f.read())
    os.chmod(loose, 0o644)
    cases.append((["console", "--db", s["db"], "--users", loose], 1, "readable by others"))
    for args, rc, text in cases:
        p = subprocess.run([b, *args], capture_output=True, text=True, timeout=20, input="")
        assert p.returncode == rc and text in p.stderr and len(p.stderr.strip().splitlines()) == 1, (args, p.returncode, p.stderr)
    assert stat.S_IMODE(os.stat(s["users"]).st_mode) == 0o600


if __name__ == "__main__":
    mstest.main(globals())
