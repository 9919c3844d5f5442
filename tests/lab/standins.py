#!/usr/bin/python3
"""Small servers for the parts no Debian package plays (stdlib only):

  hl7-engine IP PORT APP FACILITY       MLLP listener: ACKs every message (MSA AA)
  telnet-device IP PORT BANNER USER PASS   a device's telnet login: option negotiation,
                                        login/password prompts, a shell that echoes commands
  device-web IP PORT TITLE [USER PASS]  a device's web page (HTML title), Basic auth if given;
                                        accepts uploads (POST/PUT) and answers 201
  fhir-server IP PORT PATIENTS.json     a FHIR R4 REST server (application/fhir+json) over the
                                        given Patient resources: capabilities, read, search,
                                        create, update, transaction
"""
import json
import base64
import http.server
import socket
import sys
import threading
import time

IAC, DONT, DO, WONT, WILL, SB, SE = 255, 254, 253, 252, 251, 250, 240
ECHO, SGA, TTYPE, NAWS = 1, 3, 24, 31


def serve(ip, port, handler):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((ip, int(port)))
    s.listen(16)
    while True:
        c, _ = s.accept()
        threading.Thread(target=handler, args=(c,), daemon=True).start()


def hl7_engine(ip, port, app, facility):
    def handle(c):
        buf = b""
        with c:
            while True:
                d = c.recv(65536)
                if not d:
                    return
                buf += d
                while b"\x1c\x0d" in buf:
                    msg, buf = buf.split(b"\x1c\x0d", 1)
                    msg = msg.lstrip(b"\x0b")
                    fields = msg.split(b"\r")[0].split(b"|")
                    ctl = fields[9] if len(fields) > 9 else b"0"
                    snd_app = fields[2] if len(fields) > 2 else b""
                    snd_fac = fields[3] if len(fields) > 3 else b""
                    ver = fields[11] if len(fields) > 11 else b"2.6"
                    ack = b"MSH|^~\\&|%s|%s|%s|%s|%s||ACK|ACK%s|P|%s\rMSA|AA|%s\r" % (
                        app.encode(), facility.encode(), snd_app, snd_fac,
                        time.strftime("%Y%m%d%H%M%S").encode(), ctl, ver, ctl)
                    c.sendall(b"\x0b" + ack + b"\x1c\x0d")
    serve(ip, port, handle)


def telnet_device(ip, port, banner, user, password):
    def readline(c, echo):
        line = b""
        while True:
            d = c.recv(1)
            if not d:
                return None
            if d[0] == IAC:  # skip negotiation answers: IAC cmd opt, or IAC SB ... IAC SE
                cmd = c.recv(1)
                if cmd and cmd[0] == SB:
                    while True:
                        x = c.recv(1)
                        if not x or (x[0] == IAC and c.recv(1)[:1] == bytes([SE])):
                            break
                else:
                    c.recv(1)
                continue
            if d in (b"\r", b"\n"):
                if d == b"\r":
                    c.recv(1)  # CR NUL or CR LF
                if echo:
                    c.sendall(b"\r\n")
                return line.decode("latin-1")
            line += d
            if echo:
                c.sendall(d)

    def handle(c):
        with c:
            c.sendall(bytes([IAC, WILL, ECHO, IAC, WILL, SGA, IAC, DO, TTYPE, IAC, DO, NAWS]))
            c.sendall(("\r\n%s\r\n\r\n" % banner).encode())
            for _ in range(3):
                c.sendall(b"login: ")
                u = readline(c, True)
                c.sendall(b"Password: ")
                p = readline(c, False)
                if u is None or p is None:
                    return
                if u == user and p == password:
                    c.sendall(b"\r\nLast login: service port\r\n# ")
                    while True:
                        cmd = readline(c, True)
                        if cmd is None or cmd.strip() == "exit":
                            c.sendall(b"logout\r\n")
                            return
                        c.sendall(("%s: ok\r\n# " % cmd.strip()).encode())
                c.sendall(b"\r\nLogin incorrect\r\n")
    serve(ip, port, handle)


def device_web(ip, port, title, user=None, password=None):
    page = ("<html><head><title>%s</title></head><body><h1>%s</h1>"
            "<form action=\"/login\">service login</form></body></html>" % (title, title)).encode()

    class H(http.server.BaseHTTPRequestHandler):
        server_version = "DeviceWeb/2.1"
        sys_version = ""

        def log_message(self, *a):
            pass

        def authorised(self):
            if not user:
                return True
            want = "Basic " + base64.b64encode(("%s:%s" % (user, password)).encode()).decode()
            if self.headers.get("Authorization") == want:
                return True
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="%s"' % title)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return False

        def do_GET(self):
            if not self.authorised():
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def do_POST(self):
            n = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(n)
            self.send_response(201)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_PUT = do_POST

    http.server.ThreadingHTTPServer((ip, int(port)), H).serve_forever()


def fhir_server(ip, port, patients_file):
    with open(patients_file) as f:
        patients = {p["id"]: p for p in json.load(f)}

    class H(http.server.BaseHTTPRequestHandler):
        server_version = "HAPI-FHIR/6.4.0"  # what the stand-in plays
        sys_version = ""

        def log_message(self, *a):
            pass

        def reply(self, code, resource, extra=()):
            body = json.dumps(resource).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/fhir+json;charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            for k, v in extra:
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)

        def body(self):
            n = int(self.headers.get("Content-Length") or 0)
            return json.loads(self.rfile.read(n) or b"{}")

        def do_GET(self):
            path, _, query = self.path.partition("?")
            parts = [p for p in path.split("/") if p][1:]  # after /fhir
            if parts == ["metadata"]:
                return self.reply(200, {"resourceType": "CapabilityStatement", "status": "active", "fhirVersion": "4.0.1"})
            if parts[:1] == ["Patient"] and len(parts) == 2 and parts[1] in patients:
                return self.reply(200, patients[parts[1]])
            if parts == ["Patient"]:
                entries = [{"fullUrl": "Patient/" + i, "resource": p} for i, p in patients.items()]
                return self.reply(200, {"resourceType": "Bundle", "type": "searchset", "total": len(entries), "entry": entries})
            return self.reply(404, {"resourceType": "OperationOutcome", "issue": [{"severity": "error", "code": "not-found"}]})

        def do_POST(self):
            res = self.body()
            if res.get("resourceType") == "Bundle":
                resp = [{"response": {"status": "201 Created"}} for _ in res.get("entry", [])]
                return self.reply(200, {"resourceType": "Bundle", "type": res.get("type", "batch") + "-response", "entry": resp})
            res["id"] = "new1"
            return self.reply(201, res, [("Location", "/fhir/%s/new1" % res.get("resourceType"))])

        def do_PUT(self):
            return self.reply(200, self.body())

    http.server.ThreadingHTTPServer((ip, int(port)), H).serve_forever()


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    {"hl7-engine": hl7_engine, "telnet-device": telnet_device, "device-web": device_web,
     "fhir-server": fhir_server}[cmd](*args)
