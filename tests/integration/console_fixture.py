"""What the console tests share (test_console.py, test_console_browser.py):
an inventory built by the real analyzer from the README's lab sample and from
a capture of a hostile device, accounts written by `medsentry user add`, and
the real server started on a free loopback port."""
import http.cookiejar
import json
import os
import re
import struct
import subprocess
import urllib.error
import urllib.request

import mstest
import pcapgen

# What a hostile device writes into the fields an inventory shows. The DICOM
# AE title holds 16 bytes (PS3.8 9.3.2), so its payload is a 16-byte one.
XSS = {
    "dhcp_hostname": "<img src=x onerror=alert(1)>",
    "http_title": "<img src=x onerror=alert(2)></script><script>alert(3)</script>",
    "dicom_ae": "<svg/onload=a()>",
    "hl7_app": "</script><img src=x onerror=alert(4)>",
}
XSS_IP = "10.1.0.20"        # the hostile device (the sessions' server side)
XSS_MAC = "00:09:5c:00:00:20"
PEER_MAC = "44:4b:5d:00:00:11"  # the sessions' client side, 10.1.0.10
FORMULA = "=HYPERLINK(\"http://x\",\"y\")"
PASSWORDS = {"ana": "analyst-password-1", "vic": "viewer-password-1", "adm": "admin-password-1"}
ROLES = {"ana": "analyst", "vic": "viewer", "adm": "admin"}


def dicom_pdu(pdu_type, called, calling, items):
    body = struct.pack("!HH", 1, 0) + called.encode().ljust(16) + calling.encode().ljust(16) + b"\0" * 32 + items
    return struct.pack("!BBI", pdu_type, 0, len(body)) + body


def dicom_item(t, data):
    return struct.pack("!BBH", t, 0, len(data)) + data


def dicom_association(called, calling):
    """An A-ASSOCIATE-RQ for Verification and its A-ASSOCIATE-AC (PS3.8 9.3.2, 9.3.3)."""
    app = dicom_item(0x10, b"1.2.840.10008.3.1.1.1")
    user = dicom_item(0x50, dicom_item(0x51, struct.pack("!I", 16384)))
    rq_ctx = dicom_item(0x20, b"\x01\0\0\0" + dicom_item(0x30, b"1.2.840.10008.1.1") + dicom_item(0x40, b"1.2.840.10008.1.2"))
    ac_ctx = dicom_item(0x21, b"\x01\0\0\0" + dicom_item(0x40, b"1.2.840.10008.1.2"))
    return dicom_pdu(1, called, calling, app + rq_ctx + user), dicom_pdu(2, called, calling, app + ac_ctx + user)


def dhcp_request(mac, ip, hostname):
    """A DHCPREQUEST renewing a lease (RFC 2131 4.3.2), host name in option 12."""
    hw = bytes(int(x, 16) for x in mac.split(":"))
    ipb = bytes(int(x) for x in ip.split("."))
    hdr = struct.pack("!BBBBIHH4s4s4s4s", 1, 1, 6, 0, 0x3903F326, 0, 0, ipb, b"\0" * 4, b"\0" * 4, b"\0" * 4)
    opts = bytes([53, 1, 3]) + bytes([61, 7, 1]) + hw + bytes([12, len(hostname)]) + hostname.encode() + \
        bytes([55, 4, 1, 3, 6, 15]) + b"\xff"
    return hdr + hw.ljust(16, b"\0") + b"\0" * 192 + b"\x63\x82\x53\x63" + opts


def hostile_capture(path):
    http = pcapgen.TcpSession(("10.1.0.10", 40000), (XSS_IP, 80))
    page = ("<html><head><title>%s</title></head><body>ok</body></html>" % XSS["http_title"]).encode()
    http.send(0, b"GET / HTTP/1.1\r\nHost: device\r\nUser-Agent: curl/7.88\r\n\r\n")
    http.send(1, b"HTTP/1.1 200 OK\r\nServer: Device/1.0\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n" % len(page) + page)
    http.close()
    rq, ac = dicom_association(XSS["dicom_ae"], "WS01")
    dicom = pcapgen.TcpSession(("10.1.0.10", 40001), (XSS_IP, 104), t0=1700000001.0)
    dicom.send(0, rq).send(1, ac).send(0, b"\x05\0\0\0\0\x04\0\0\0\0").send(1, b"\x06\0\0\0\0\x04\0\0\0\0").close()
    msg = ("MSH|^~\\&|MONITOR|ICU|%s|WARD|20261123083000||ORU^R01|C1|P|2.5\r"
           "PID|1||PID555^^^H^MR||DOE^JOHN||19700101|M\rOBX|1|NM|HR||72|bpm|||||F\r" % XSS["hl7_app"])
    ack = "MSH|^~\\&|%s|WARD|MONITOR|ICU|20261123083001||ACK|A1|P|2.5\rMSA|AA|C1\r" % XSS["hl7_app"]
    hl7 = pcapgen.TcpSession(("10.1.0.10", 40002), (XSS_IP, 2575), t0=1700000002.0)
    hl7.send(0, b"\x0b" + msg.encode() + b"\x1c\x0d").send(1, b"\x0b" + ack.encode() + b"\x1c\x0d").close()
    dhcp = pcapgen.UdpExchange(("10.1.0.10", 67), (XSS_IP, 68), t0=1700000003.0)
    dhcp.send(1, dhcp_request(XSS_MAC, XSS_IP, XSS["dhcp_hostname"]))
    # Its peer calls itself a spreadsheet formula (OWASP "CSV Injection").
    dhcp.send(0, dhcp_request(PEER_MAC, "10.1.0.10", FORMULA))
    pcapgen.write(path, [http, dicom, hl7, dhcp])


def build_inventory(name):
    """The inventory database: the lab sample, then the hostile device."""
    d = mstest.workdir(name)
    db = os.path.join(d, "inventory.db")
    for f in (db, db + "-wal", db + "-shm"):
        if os.path.exists(f):
            os.unlink(f)
    hostile = os.path.join(d, "hostile.pcap")
    hostile_capture(hostile)
    mstest.analyze(os.path.abspath(mstest.repo("samples", "clinic-sample.pcap")), os.path.join(d, "out1"), extra=["--db", db])
    mstest.analyze(os.path.abspath(hostile), os.path.join(d, "out2"), extra=["--db", db])
    return d, db


def write_users(d):
    users = os.path.join(d, "users")
    if os.path.exists(users):
        os.unlink(users)
    for name, pw in PASSWORDS.items():
        p = subprocess.run([mstest.ARGS.binary, "user", "add", name, "--role", ROLES[name], "--users", users,
                            "--password-stdin"], input=pw + "\n", capture_output=True, text=True)
        assert p.returncode == 0, p.stderr
    return users


class Server:
    """`medsentry console` on 127.0.0.1, port chosen by the kernel (port 0)."""
    def __init__(self, db, users, extra=(), env=None):
        self.proc = subprocess.Popen([mstest.ARGS.binary, "console", "--db", db, "--users", users, "--listen", "127.0.0.1:0",
                                      *extra], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        self.fingerprint = None
        line = self.proc.stdout.readline()
        if "certificate SHA-256 " in line:
            self.fingerprint = line.split("certificate SHA-256 ")[1].strip()
            line = self.proc.stdout.readline()
        assert "listening on http" in line, (line, self.proc.stderr.read() if self.proc.poll() is not None else "")
        self.base = line.split("listening on ")[1].split()[0]

    def stop(self):
        """SIGTERM: the server stops by itself, and (in the sanitizer build)
        reported no memory error, undefined behaviour or leak."""
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("the console did not stop on SIGTERM")
        err = self.proc.stderr.read()
        assert "Sanitizer" not in err and "runtime error:" not in err, err[-3000:]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **k):
        return None


class Client:
    """A browser-like client: a cookie jar, no redirects followed."""
    def __init__(self, base):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect)
        self.csrf = None

    def request(self, method, path, body=None, headers=None, raw=False):
        data = None
        h = dict(headers or {})
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            h.setdefault("Content-Type", "application/json")
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=h)
        try:
            r = self.opener.open(req, timeout=30)
            status, hdrs, content = r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            status, hdrs, content = e.code, e.headers, e.read()
        if raw:
            return status, hdrs, content
        try:
            return status, hdrs, json.loads(content)
        except ValueError:
            return status, hdrs, content

    def login(self, name, password=None):
        st, _, body = self.request("POST", "/api/login", {"user": name, "password": password or PASSWORDS[name]})
        if st == 200:
            self.csrf = self.request("GET", "/api/session")[2]["csrf"]
        return st, body

    def post(self, path, body, csrf=True):
        return self.request("POST", path, body, headers={"X-CSRF-Token": self.csrf} if csrf else {})


def routes():
    out = subprocess.run([mstest.ARGS.binary, "console", "--list-routes"], capture_output=True, text=True, check=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.strip()]


# The fixture's patients (the lab sample's and the hostile device's HL7):
# none of these may leave the sensor in clear.
PATIENT_SECRETS = [b"DOE^JANE", b"PID778812", b"19580314", b"SMITH^ANN", b"PID100231", b"DOE^JOHN", b"PID555", b"19700101"]



def cli_report(db, out):
    """`medsentry report` of the same database, as text."""
    p = subprocess.run([mstest.ARGS.binary, "report", "--db", db, "-o", out], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    with open(out, encoding="utf-8") as f:
        return f.read()


def without_times(text):
    """The report with its ISO times masked (generated, captures analysed)."""
    return re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", "T", text)
