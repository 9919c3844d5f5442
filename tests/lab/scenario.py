"""Runs a lab scenario (a TOML file) and writes its capture and ground truth.

A scenario has hosts (name, MAC with a real vendor prefix, address or DHCP,
what the inventory must conclude about it, the servers it runs), a list of
actions played in order (each at `at` seconds after the capture starts, at the
earliest), and the findings the detections must raise (none for a benign twin).
Servers and clients are real programs from Debian's packages; standins.py
plays the devices no package plays.
"""
import ipaddress
import json
import os
import shlex
import shutil
import subprocess
import sys
import time
import tomllib

import content
from labnet import Lab, MachineLock

HERE = os.path.dirname(os.path.abspath(__file__))
PY = "/usr/bin/python3"
STANDINS = os.path.join(HERE, "standins.py")
SERVICES = {}
ACTIONS = {}


def service(name, protocols):
    def reg(fn):
        SERVICES[name] = (fn, protocols)
        return fn
    return reg


def action(name, protocols):
    def reg(fn):
        ACTIONS[name] = (fn, protocols)
        return fn
    return reg


class Ctx:
    """What services and actions share: the lab, hosts, patients, work dir."""

    def __init__(self, lab, sc, work):
        self.lab, self.sc, self.work = lab, sc, work
        self.patients = sc.get("patients", {})
        self.hostspec = {h["name"]: h for h in sc["host"]}
        self.counter = 0

    def host(self, name):
        return self.lab.hosts[name]

    def ip(self, name):
        h = self.lab.hosts.get(name)
        if h is None:
            raise KeyError("no host %r" % name)
        return h.ip

    def patient(self, key):
        return self.patients[key]

    def path(self, *parts):
        p = os.path.join(self.work, *parts)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        return p

    def next_id(self):
        self.counter += 1
        return self.counter


def wait_listen(host, port, udp=False, timeout=15, proc=None, log=None):
    """Waits until something in host listens on port. When proc (the server
    just spawned) exits first, or time runs out, the error carries the end of
    its log: a lab that cannot start says why."""
    flag = "-Hlun" if udp else "-Hltn"
    deadline = time.time() + timeout
    while time.time() < deadline:
        out = host.run("ss", flag, "sport = :%d" % port, check=False).stdout
        if out.strip():
            return
        if proc is not None and proc.poll() is not None:
            raise RuntimeError("%s: server on port %d exited with code %s%s" % (host.name, port, proc.returncode, log_tail(log)))
        time.sleep(0.1)
    raise RuntimeError("%s: nothing listens on port %d after %g s%s" % (host.name, port, timeout, log_tail(log)))


def log_tail(log, lines=3):
    if not log:
        return ""
    try:
        with open(log, errors="replace") as f:
            tail = [l.strip() for l in f.read().splitlines() if l.strip()][-lines:]
    except OSError:
        return ""
    return (" (log: %s)" % " | ".join(tail)) if tail else ""


# ---- servers ------------------------------------------------------------------

def bind_ip(h):
    """A DHCP host has no address yet when its servers start: they listen on all."""
    return h.ip or "0.0.0.0"


@service("storescp", ["dicom"])
def svc_storescp(ctx, h, s):
    port = s.get("port", 104)
    d = ctx.path("store", h.name, "x")
    # +xd: deflated data sets are accepted when proposed (and preferred among
    # proposals; storescu proposes deflate only when told to).
    p = h.spawn("storescp", "+xd", "-aet", s["ae"], "-od", os.path.dirname(d), str(port),
                log=ctx.path("logs", h.name + "-storescp.log"))
    wait_listen(h, port, proc=p, log=ctx.path("logs", h.name + "-storescp.log"))


@service("dcmqrscp", ["dicom"])
def svc_dcmqrscp(ctx, h, s):
    """A PACS with query/retrieve (dcmqrscp), preloaded with studies."""
    port = s.get("port", 104)
    db = os.path.dirname(ctx.path("qr", h.name, "db", "x"))
    hosts = "\n".join("%s = (%s, %s, %d)" % (d["ae"].lower(), d["ae"], ctx.ip(d["host"]), d.get("port", 104))
                      for d in s.get("move_destinations", []))
    cfg = ctx.path("qr", h.name, "dcmqrscp.cfg")
    with open(cfg, "w") as f:
        f.write("NetworkTCPPort = %d\nMaxPDUSize = 16384\nMaxAssociations = 16\n" % port)
        f.write("HostTable BEGIN\n%s\nHostTable END\nVendorTable BEGIN\nVendorTable END\n" % hosts)
        f.write("AETable BEGIN\n%s %s RW (200, 1024mb) ANY\nAETable END\n" % (s["ae"], db))
    files = []
    for i, key in enumerate(s.get("preload", [])):
        files.append(content.dicom_file(ctx.path("qr", h.name, "in", "%d.dcm" % i), s.get("modality", "CT"),
                                        ctx.patient(key), s.get("device", {})))
    if files:
        subprocess.run(["dcmqridx", db, *files], check=True, capture_output=True)
    p = h.spawn("dcmqrscp", "+xd", "--disable-host-lookup", "-c", cfg, str(port),
                log=ctx.path("logs", h.name + "-dcmqrscp.log"))
    wait_listen(h, port, proc=p, log=ctx.path("logs", h.name + "-dcmqrscp.log"))


@service("worklist", ["dicom"])
def svc_worklist(ctx, h, s):
    """A modality worklist SCP (dcmtk's wlmscpfs) with one item per patient."""
    port = s.get("port", 104)
    ae = s["ae"]
    d = os.path.dirname(ctx.path("wl", h.name, ae, "x"))
    open(os.path.join(d, "lockfile"), "w").close()  # wlmscpfs wants it in the AE's folder
    for i, key in enumerate(s.get("patients", [])):
        content.worklist_item(os.path.join(d, "item%d.wl" % i), ctx.patient(key), s.get("modality", "CT"),
                              s.get("station_ae", "CT01"), "A%05d" % (1000 + i))
    p = h.spawn("wlmscpfs", "--data-files-path", os.path.dirname(d), str(port), log=ctx.path("logs", h.name + "-wl.log"))
    wait_listen(h, port, proc=p, log=ctx.path("logs", h.name + "-wl.log"))


@service("hl7_engine", ["hl7"])
def svc_hl7_engine(ctx, h, s):
    port = s.get("port", 2575)
    p = h.spawn(PY, STANDINS, "hl7-engine", bind_ip(h), str(port), s.get("app", "HL7ENGINE"), s.get("facility", "HOSPITAL"))
    wait_listen(h, port, proc=p)


@service("device_web", ["http"])
def svc_device_web(ctx, h, s):
    port = s.get("port", 80)
    args = [PY, STANDINS, "device-web", bind_ip(h), str(port), s["title"]]
    if s.get("user"):
        args += [s["user"], s["password"]]
    p = h.spawn(*args)
    wait_listen(h, port, proc=p)


@service("fhir_server", ["http"])
def svc_fhir(ctx, h, s):
    port = s.get("port", 8080)
    pats = ctx.path("fhir", h.name + "-patients.json")
    with open(pats, "w") as f:
        json.dump([content.fhir_patient(ctx.patient(k)) for k in s.get("patients", [])], f)
    p = h.spawn(PY, STANDINS, "fhir-server", bind_ip(h), str(port), pats)
    wait_listen(h, port, proc=p)


@service("telnet_device", ["telnet"])
def svc_telnet_device(ctx, h, s):
    port = s.get("port", 23)
    p = h.spawn(PY, STANDINS, "telnet-device", bind_ip(h), str(port), s["banner"], s["user"], s["password"])
    wait_listen(h, port, proc=p)


@service("dnsmasq", ["dhcp", "dns"])
def svc_dnsmasq(ctx, h, s):
    args = ["dnsmasq", "--no-daemon", "--conf-file=/dev/null", "--interface=eth0", "--bind-interfaces",
            "--no-resolv", "--no-hosts", "--log-facility=-", "--log-dhcp",
            "--dhcp-leasefile=" + ctx.path("dnsmasq", h.name + ".leases"),
            "--pid-file=" + ctx.path("dnsmasq", h.name + ".pid"),
            "--dhcp-range=%s,%s,255.255.255.0,1h" % (s["range_start"], s["range_end"]),
            "--dhcp-option=option:router,%s" % h.ip, "--dhcp-option=option:dns-server,%s" % h.ip,
            "--domain=%s" % s.get("domain", "hospital.example")]
    for name, spec in ctx.hostspec.items():
        if spec.get("dhcp"):
            args.append("--dhcp-host=%s,%s,%s" % (spec["mac"], spec["ip"], spec.get("hostname", name)))
    for fqdn, target in s.get("records", {}).items():
        args.append("--address=/%s/%s" % (fqdn, ctx.ip(target)))
    p = h.spawn(*args, log=ctx.path("logs", h.name + "-dnsmasq.log"))
    wait_listen(h, 53, udp=True, proc=p, log=ctx.path("logs", h.name + "-dnsmasq.log"))


# ENTITY-MIB (RFC 6933) entPhysicalTable columns of the chassis (index 1):
# what a network management station reads to inventory a device.
ENTITY_OIDS = {"descr": "1.3.6.1.2.1.47.1.1.1.1.2.1", "hardware": "1.3.6.1.2.1.47.1.1.1.1.8.1",
               "firmware": "1.3.6.1.2.1.47.1.1.1.1.9.1", "software": "1.3.6.1.2.1.47.1.1.1.1.10.1",
               "serial": "1.3.6.1.2.1.47.1.1.1.1.11.1", "mfg": "1.3.6.1.2.1.47.1.1.1.1.12.1",
               "model": "1.3.6.1.2.1.47.1.1.1.1.13.1"}


@service("snmpd", ["snmp"])
def svc_snmpd(ctx, h, s):
    """net-snmp's snmpd; `entity` (a table of ENTITY_OIDS keys) answers the
    chassis row of the ENTITY-MIB through snmpd.conf `override` lines."""
    conf = ctx.path("snmp", h.name + ".conf")
    with open(conf, "w") as f:
        f.write("agentaddress udp:%s161\n" % (h.ip + ":" if h.ip else ""))
        f.write("rocommunity %s default\n" % s.get("community", "public"))
        f.write("sysdescr %s\n" % s["sysdescr"])
        f.write("sysname %s\n" % s.get("sysname", h.name))
        f.write("syslocation %s\n" % s.get("location", "ICU"))
        if s.get("sysobjectid"):
            f.write("sysobjectid %s\n" % s["sysobjectid"])
        for key, value in s.get("entity", {}).items():
            f.write('override %s octet_str "%s"\n' % (ENTITY_OIDS[key], value.replace('"', "")))
    p = h.spawn("snmpd", "-f", "-Lo", "-C", "-c", conf, "-p", ctx.path("snmp", h.name + ".pid"),
            log=ctx.path("logs", h.name + "-snmpd.log"))
    wait_listen(h, 161, udp=True, proc=p, log=ctx.path("logs", h.name + "-snmpd.log"))


@service("ftp", ["ftp"])
def svc_ftp(ctx, h, s):
    d = os.path.dirname(ctx.path("ftp", h.name, "x"))
    p = h.spawn(PY, "-m", "pyftpdlib", "-i", bind_ip(h), "-p", str(s.get("port", 21)), "-w", "-d", d,
            "-u", s["user"], "-P", s["password"], log=ctx.path("logs", h.name + "-ftp.log"))
    wait_listen(h, s.get("port", 21), proc=p, log=ctx.path("logs", h.name + "-ftp.log"))


@service("samba", ["smb2"])
def svc_samba(ctx, h, s):
    """A Windows-style file share (Samba's smbd) with one user. The user lives
    only in this host's /etc (ip netns exec mounts /etc/netns/NS/ over /etc):
    the machine's own accounts are never touched."""
    etc = os.path.join("/etc/netns", h.ns)
    user, uid = s["user"], 61000
    for name, line in (("passwd", "%s:x:%d:%d:lab user:/nonexistent:/usr/sbin/nologin\n" % (user, uid, uid)),
                       ("group", "%s:x:%d:\n" % (user, uid)), ("shadow", "%s:!:19000::::::\n" % user)):
        with open("/etc/" + name) as f:
            base = f.read()
        with open(os.path.join(etc, name), "w") as f:
            f.write(base + line)
        os.chmod(os.path.join(etc, name), 0o640 if name == "shadow" else 0o644)
    w = os.path.dirname(ctx.path("smb", h.name, "x"))
    share = os.path.join(w, "share")
    for d in ("share", "private", "state", "cache"):
        os.makedirs(os.path.join(w, d), exist_ok=True)
    # smbd's sockets (lock/msg.sock/PID, ncalrpc/) need a short path.
    sockets = ctx.lab.short_dir(h.name + "-smb")
    for d in ("lock", "pid", "ncalrpc"):
        os.makedirs(os.path.join(sockets, d), exist_ok=True)
    os.chmod(share, 0o777)
    conf = os.path.join(w, "smb.conf")
    with open(conf, "w") as f:
        f.write("[global]\n  workgroup = %s\n  netbios name = %s\n  server role = standalone server\n"
                "  passdb backend = tdbsam:%s/passdb.tdb\n  private dir = %s/private\n  state directory = %s/state\n"
                "  cache directory = %s/cache\n  lock directory = %s/lock\n  pid directory = %s/pid\n"
                "  ncalrpc dir = %s/ncalrpc\n  log file = %s/log.%%m\n  interfaces = %s/24\n"
                "  bind interfaces only = yes\n  server min protocol = NT1\n  ntlm auth = yes\n"
                "  disable netbios = yes\n  smb ports = 445\n  load printers = no\n  printcap name = /dev/null\n"
                "  disable spoolss = yes\n"
                % (s.get("workgroup", "HOSPITAL"), s.get("netbios_name", "FILESRV"), w, w, w, w, sockets, sockets, sockets,
                   w, h.ip))
        # One share, or several ("ADMIN$" plays a Windows administrative share).
        for name in s.get("shares", [s.get("share", "results")]):
            f.write("[%s]\n  path = %s\n  read only = no\n  guest ok = no\n" % (name, share))
    h.run("sh", "-c", "printf '%s\\n%s\\n' | pdbedit -s %s -a -u %s -t" % (s["password"], s["password"], conf, user))
    log = ctx.path("logs", h.name + "-smbd.log")
    p = h.spawn("smbd", "--foreground", "--no-process-group", "--debug-stdout", "--configfile=" + conf, log=log)
    wait_listen(h, 445, timeout=30, proc=p, log=log)


@service("tls_server", ["tls"])
def svc_tls(ctx, h, s):
    port = s.get("port", 443)
    key, cert = ctx.path("tls", h.name + ".key"), ctx.path("tls", h.name + ".crt")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30", "-subj",
                    "/CN=%s/O=%s" % (s["cn"], s.get("org", "Good Health Hospital")), "-keyout", key, "-out", cert],
                   check=True, capture_output=True)
    args = ["openssl", "s_server", "-accept", str(port), "-cert", cert, "-key", key, "-www", "-quiet"]
    args += {"1.0": ["-tls1", "-cipher", "DEFAULT:@SECLEVEL=0"], "1.2": ["-tls1_2"], "1.3": ["-tls1_3"]}[s.get("tls", "1.2")]
    p = h.spawn(*args, log=ctx.path("logs", h.name + "-tls.log"))
    wait_listen(h, port, proc=p, log=ctx.path("logs", h.name + "-tls.log"))


@service("sshd", ["ssh"])
def svc_sshd(ctx, h, s):
    """OpenSSH's sshd with a host key of its own (generated for the run) and
    no account that could log in: clients get as far as authentication."""
    key = ctx.path("ssh", h.name + "_host_ed25519")
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key], check=True, capture_output=True)
    os.makedirs("/run/sshd", exist_ok=True)  # sshd's compiled-in privilege separation directory
    port = s.get("port", 22)
    p = h.spawn("/usr/sbin/sshd", "-D", "-e", "-f", "/dev/null", "-o", "ListenAddress=%s:%d" % (h.ip, port),
            "-o", "HostKey=" + key, "-o", "PidFile=" + ctx.path("ssh", h.name + ".pid"),
            "-o", "AuthorizedKeysFile=none", "-o", "PasswordAuthentication=no", "-o", "KbdInteractiveAuthentication=no",
            log=ctx.path("logs", h.name + "-sshd.log"))
    wait_listen(h, port, proc=p, log=ctx.path("logs", h.name + "-sshd.log"))


@service("lldpd", ["lldp"])
def svc_lldpd(ctx, h, s):
    """lldpd announcing this host on its link, under the host's own name (a
    UTS namespace of its own, so the machine's hostname is never touched)."""
    os.makedirs("/run/lldpd", exist_ok=True)  # lldpd's privilege separation chroot
    sock = ctx.path("lldp", h.name + ".sock")
    h.spawn("unshare", "--uts", "sh", "-c", 'hostname "$0"; exec lldpd -d -I eth0 -u "$1" -S "$2"',
            s.get("system_name", h.name), sock, s["description"], log=ctx.path("logs", h.name + "-lldpd.log"))
    # Services start before the capture: announce every 2 s (the default is
    # 30 s) so that the scenario's capture holds announcements.
    for _ in range(50):
        if os.path.exists(sock):
            break
        time.sleep(0.1)
    h.run("lldpcli", "-u", sock, "configure", "lldp", "tx-interval", "2")


# ---- clients ------------------------------------------------------------------

# With a switch ruleset (run_scenario's `ruleset`) a blocked client would wait
# for its own timeouts: they are capped so that a blocked action fails fast.
BLOCKED_TIMEOUT = None


def run(h, *cmd, timeout=60, ok=(0,)):
    if BLOCKED_TIMEOUT:
        timeout = min(timeout, BLOCKED_TIMEOUT)
    r = h.run(*cmd, check=False, timeout=timeout)
    if r.returncode not in ok:
        raise RuntimeError("%s: %s failed (%d): %s" % (h.name, " ".join(cmd), r.returncode, (r.stderr or r.stdout)[-500:]))
    return r


@action("ping", ["icmp"])
def act_ping(ctx, h, a):
    run(h, "ping", "-c", str(a.get("count", 2)), "-i", "0.2", ctx.ip(a["to"]))


@action("sleep", [])
def act_sleep(ctx, h, a):
    time.sleep(a["seconds"])


@action("dicom_echo", ["dicom"])
def act_echo(ctx, h, a):
    run(h, "echoscu", "-aet", a["calling_ae"], "-aec", a["called_ae"], ctx.ip(a["to"]), str(a.get("port", 104)))


@action("dicom_store", ["dicom"])
def act_store(ctx, h, a):
    spec = ctx.hostspec[h.name]
    files = []
    for key in a["patients"]:
        for _ in range(a.get("count", 1)):
            n = ctx.next_id()
            files.append(content.dicom_file(ctx.path("out", "%s-%d.dcm" % (h.name, n)), a.get("modality", "CT"),
                                            ctx.patient(key), spec.get("device", {}),
                                            preamble_kind=a.get("preamble", "zeros"), size=a.get("size", 32)))
    ts = []
    if a.get("transfer_syntax"):  # "big" or "deflated": proposed alone, so the SCP must take it
        ts = ["--config-file", storescu_profile(ctx, a.get("modality", "CT"), a["transfer_syntax"]), a["transfer_syntax"]]
    run(h, "storescu", *ts, "-aet", a["calling_ae"], "-aec", a["called_ae"], ctx.ip(a["to"]), str(a.get("port", 104)),
        *files)


def storescu_profile(ctx, modality, syntax):
    """A storescu configuration (dcmtk's --config-file) whose profile `syntax`
    proposes the modality's storage class in one transfer syntax only."""
    name = {"big": "BigEndianExplicit", "deflated": "DeflatedLittleEndianExplicit"}[syntax]
    path = ctx.path("out", "storescu-%s-%s.cfg" % (modality, syntax))
    with open(path, "w") as f:
        f.write("[[TransferSyntaxes]]\n[TS]\nTransferSyntax1 = %s\n\n" % name)
        f.write("[[PresentationContexts]]\n[PC]\nPresentationContext1 = %s\\TS\n\n" % content.SOP_CLASSES[modality])
        f.write("[[Profiles]]\n[%s]\nPresentationContexts = PC\n" % syntax)
    return path


@action("dicom_find", ["dicom"])
def act_find(ctx, h, a):
    level = a.get("level", "STUDY")
    keys = ["-k", "QueryRetrieveLevel=" + level] + [x for k in a.get("keys", []) for x in ("-k", k)]
    for _ in range(a.get("repeat", 1)):
        run(h, "findscu", "-S", "-aet", a["calling_ae"], "-aec", a["called_ae"], *keys, ctx.ip(a["to"]),
            str(a.get("port", 104)))


@action("worklist_query", ["dicom"])
def act_worklist(ctx, h, a):
    """A modality asks the RIS for its scheduled procedures (findscu -W)."""
    keys = ["PatientName", "PatientID", "PatientBirthDate", "AccessionNumber",
            "(0040,0100)[0].Modality=" + a.get("modality", "CT"),
            "(0040,0100)[0].ScheduledStationAETitle=" + a["calling_ae"],
            "(0040,0100)[0].ScheduledProcedureStepStartDate"]
    run(h, "findscu", "-W", "-aet", a["calling_ae"], "-aec", a["called_ae"], *[x for k in keys for x in ("-k", k)],
        ctx.ip(a["to"]), str(a.get("port", 104)))


@action("dicom_move", ["dicom"])
def act_move(ctx, h, a):
    keys = ["-k", "QueryRetrieveLevel=" + a.get("level", "STUDY")] + [x for k in a.get("keys", []) for x in ("-k", k)]
    run(h, "movescu", "-S", "-aet", a["calling_ae"], "-aec", a["called_ae"], "-aem", a["dest_ae"], *keys,
        ctx.ip(a["to"]), str(a.get("port", 104)))


@action("dicom_get", ["dicom"])
def act_get(ctx, h, a):
    """A viewer pulls a study with C-GET (dcmtk's getscu): the archive's
    C-STOREs come back on the viewer's own association (PS3.4 C.4.3)."""
    keys = ["-k", "QueryRetrieveLevel=" + a.get("level", "STUDY")] + [x for k in a.get("keys", []) for x in ("-k", k)]
    out = os.path.dirname(ctx.path("get", h.name, "x"))
    run(h, "getscu", "-S", "-aet", a["calling_ae"], "-aec", a["called_ae"], "-od", out, *keys,
        ctx.ip(a["to"]), str(a.get("port", 104)))


@action("hl7_send", ["hl7"])
def act_hl7(ctx, h, a):
    msgs = []
    for key in a["patients"]:
        for _ in range(a.get("count", 1)):
            msgs.append(content.hl7_message(a.get("message", "ORU"), a["sending_app"], a["sending_facility"],
                                            a["receiving_app"], a["receiving_facility"], "MSG%05d" % ctx.next_id(),
                                            ctx.patient(key), a.get("device_id"), a.get("version", "2.6")))
    f = content.mllp_file(ctx.path("out", "%s-%d.hl7" % (h.name, ctx.next_id())), msgs)
    run(h, "mllp_send", "-q", "-p", str(a.get("port", 2575)), "-f", f, ctx.ip(a["to"]))


@action("http_post_hl7", ["http"])
def act_http_post_hl7(ctx, h, a):
    """HL7 v2 messages POSTed in an HTTP body (an "integration" web API),
    as x-application/hl7-v2+er7, segments joined by CR."""
    msgs = [content.hl7_message(a.get("message", "ADT"), a["sending_app"], a["sending_facility"], a["receiving_app"],
                                a["receiving_facility"], "MSG%05d" % ctx.next_id(), ctx.patient(key))
            for key in a["patients"]]
    f = content.write_text(ctx.path("out", "%s-post-%d.hl7" % (h.name, ctx.next_id())), "\r".join(msgs) + "\r")
    url = "http://%s:%d%s" % (ctx.ip(a["to"]), a.get("port", 80), a.get("path", "/"))
    run(h, "curl", "-s", "-o", "/dev/null", "--max-time", "10", "-H", "Content-Type: x-application/hl7-v2+er7",
        "--data-binary", "@" + f, url)


@action("http_get", ["http"])
def act_http_get(ctx, h, a):
    url = "http://%s:%d%s" % (ctx.ip(a["to"]), a.get("port", 80), a.get("path", "/"))
    args = ["curl", "-s", "-o", "/dev/null", "--max-time", "10"]
    if a.get("user"):
        args += ["-u", "%s:%s" % (a["user"], a["password"])]
    if a.get("user_agent"):
        args += ["-A", a["user_agent"]]
    for _ in range(a.get("repeat", 1)):
        run(h, *args, url)


@action("https_get", ["tls"])
def act_https_get(ctx, h, a):
    """An app's HTTPS call with curl: the name resolved through the lab's DNS
    (the host's resolv.conf), the app's user agent (inside TLS), SNI = the
    name. -k: the lab's stand-in has a self-signed certificate."""
    url = "https://%s:%d%s" % (a["name"], a.get("port", 443), a.get("path", "/"))
    args = ["curl", "-s", "-k", "-o", "/dev/null", "--max-time", "10", "--tlsv1.2", "--tls-max", a.get("tls", "1.2")]
    if a.get("user_agent"):
        args += ["-A", a["user_agent"]]
    run(h, *args, url)


@action("http_upload_dicom", ["http"])
def act_http_upload(ctx, h, a):
    """A DICOM Part 10 file POSTed as application/dicom (a STOW-RS-like upload)."""
    spec = ctx.hostspec[h.name]
    f = content.dicom_file(ctx.path("out", "%s-up-%d.dcm" % (h.name, ctx.next_id())), a.get("modality", "CT"),
                           ctx.patient(a["patient"]), spec.get("device", {}), preamble_kind=a.get("preamble", "zeros"))
    url = "http://%s:%d%s" % (ctx.ip(a["to"]), a.get("port", 80), a.get("path", "/studies"))
    run(h, "curl", "-s", "-o", "/dev/null", "--max-time", "10", "-H", "Content-Type: application/dicom",
        "--data-binary", "@" + f, url)


@action("fhir_request", ["http"])
def act_fhir(ctx, h, a):
    """A FHIR REST call with curl. body: "patient:KEY", "observation:KEY",
    "transaction:KEY,KEY"."""
    url = "http://%s:%d%s" % (ctx.ip(a["to"]), a.get("port", 8080), a["path"])
    args = ["curl", "-s", "-o", "/dev/null", "--max-time", "10", "-X", a.get("method", "GET"),
            "-H", "Accept: application/fhir+json"]
    if a.get("user_agent"):
        args += ["-A", a["user_agent"]]  # a device's own HTTP client names itself
    spec = a.get("body")
    if spec:
        kind, _, keys = spec.partition(":")
        if kind == "patient":
            res = content.fhir_patient(ctx.patient(keys))
        elif kind == "observation":
            res = content.fhir_observation(ctx.patient(keys), a.get("device_id", ""), a.get("value", 72))
        else:
            res = {"resourceType": "Bundle", "type": "transaction",
                   "entry": [{"resource": content.fhir_patient(ctx.patient(k)),
                              "request": {"method": "POST", "url": "Patient"}} for k in keys.split(",")]}
        f = ctx.path("out", "%s-fhir-%d.json" % (h.name, ctx.next_id()))
        with open(f, "w") as fh:
            json.dump(res, fh)
        args += ["-H", "Content-Type: application/fhir+json", "--data-binary", "@" + f]
    run(h, *args, url)


@action("dhcp", ["dhcp"])
def act_dhcp(ctx, h, a):
    spec = ctx.hostspec[h.name]
    conf = ctx.path("dhcp", h.name + ".conf")
    with open(conf, "w") as f:
        if a.get("vendor_class"):
            f.write('send vendor-class-identifier "%s";\n' % a["vendor_class"])
        f.write('send host-name "%s";\n' % spec.get("hostname", h.name))
        f.write("request subnet-mask, broadcast-address, routers, domain-name, domain-name-servers, host-name;\n")
    # Our own script: set the leased address only (never touch /etc/resolv.conf).
    script = ctx.path("dhcp", "dhclient-script")
    with open(script, "w") as f:
        f.write('#!/bin/sh\ncase "$reason" in BOUND|RENEW|REBIND|REBOOT)\n'
                '  ip addr add "$new_ip_address/24" dev "$interface" 2>/dev/null\n'
                '  ip route add default dev "$interface" 2>/dev/null;;\nesac\nexit 0\n')
    os.chmod(script, 0o755)
    run(h, "dhclient", "-1", "-cf", conf, "-sf", script, "-lf", ctx.path("dhcp", h.name + ".lease"),
        "-pf", ctx.path("dhcp", h.name + ".pid"), "eth0", timeout=30)
    h.ip = spec["ip"]
    addrs = h.run("ip", "-4", "-o", "addr", "show", "dev", "eth0").stdout
    if spec["ip"] + "/" not in addrs:
        raise RuntimeError("%s: DHCP did not give %s: %s" % (h.name, spec["ip"], addrs))


@action("dns_query", ["dns"])
def act_dns(ctx, h, a):
    for name in a["names"]:
        run(h, "dig", "+short", "+time=2", "+tries=1", "@" + ctx.ip(a["server"]), name)


@action("snmp_get", ["snmp"])
def act_snmp(ctx, h, a):
    oids = a.get("oids", ["1.3.6.1.2.1.1.1.0", "1.3.6.1.2.1.1.5.0", "1.3.6.1.2.1.1.2.0"])
    if a.get("entity"):  # the chassis row of the ENTITY-MIB too
        oids = oids + [ENTITY_OIDS[k] for k in ("descr", "firmware", "software", "serial", "mfg", "model")]
    # expect_refused: a wrong community, which an agent answers with silence.
    run(h, "snmpget", "-v", a.get("version", "2c"), "-c", a.get("community", "public"), "-t", "2", "-r", "1",
        ctx.ip(a["to"]), *oids, ok=(1,) if a.get("expect_refused") else (0,))


@action("ftp_upload", ["ftp"])
def act_ftp(ctx, h, a):
    """curl uploads a file (passive mode): a results text, or with `patient` a
    DICOM file (its `preamble` kind, its `transfer_syntax`)."""
    if a.get("patient"):
        spec = ctx.hostspec[h.name]
        f = content.dicom_file(ctx.path("out", "%s-export-%d.dcm" % (h.name, ctx.next_id())), a.get("modality", "CT"),
                               ctx.patient(a["patient"]), spec.get("device", {}), preamble_kind=a.get("preamble", "zeros"))
        if a.get("transfer_syntax"):
            conv = {"big": "+tb", "deflated": "+td"}[a["transfer_syntax"]]
            out = f[:-4] + "-" + a["transfer_syntax"] + ".dcm"
            subprocess.run(["dcmconv", conv, f, out], check=True, capture_output=True)
            f = out
    else:
        f = content.write_text(ctx.path("out", "%s-results-%d.txt" % (h.name, ctx.next_id())),
                               a.get("text", "SAMPLE 1 GLU 5.4 mmol/L\n"))
    run(h, "curl", "-s", "--max-time", "10", "-T", f, "--user", "%s:%s" % (a["user"], a["password"]),
        "ftp://%s/%s" % (ctx.ip(a["to"]), os.path.basename(f)))


@action("smb_put", ["smb2"])
def act_smb(ctx, h, a):
    """A file copied to a share with smbclient (SMB3 by default; "NT1" is SMB1)."""
    if a.get("patient"):  # a DICOM Part 10 file (an image exported to a share)
        spec = ctx.hostspec[h.name]
        f = content.dicom_file(ctx.path("out", "%s-smb-%d.dcm" % (h.name, ctx.next_id())), a.get("modality", "CT"),
                               ctx.patient(a["patient"]), spec.get("device", {}), preamble_kind=a.get("preamble", "zeros"))
    elif a.get("hl7_patients"):  # an interface's HL7 file drop: ADT messages, segments joined by CR
        msgs = [content.hl7_message("ADT", a["sending_app"], a["sending_facility"], a["receiving_app"],
                                    a["receiving_facility"], "MSG%05d" % ctx.next_id(), ctx.patient(k))
                for k in a["hl7_patients"]]
        f = content.write_text(ctx.path("out", "%s-smb-%d.hl7" % (h.name, ctx.next_id())), "\r".join(msgs) + "\r")
    else:
        f = content.write_text(ctx.path("out", "%s-smb-%d.txt" % (h.name, ctx.next_id())), a.get("text", "report\n"))
    proto = a.get("protocol", "SMB3")
    conf = ctx.path("smb", h.name + "-client.conf")
    with open(conf, "w") as fh:
        fh.write("[global]\n  client min protocol = %s\n" % ("NT1" if proto == "NT1" else "SMB2"))
    # tries: [[user, password], ...] before the action's own account, each a
    # session setup of its own that the server may refuse (smbclient exits 1).
    for user, password in a.get("tries", []):
        run(h, "smbclient", "-s", conf, "//%s/%s" % (ctx.ip(a["to"]), a.get("share", "results")),
            "-U", "%s%%%s" % (user, password), "-m", proto, "-c", "put %s %s" % (f, os.path.basename(f)), ok=(0, 1))
    if a.get("user"):
        run(h, "smbclient", "-s", conf, "//%s/%s" % (ctx.ip(a["to"]), a.get("share", "results")),
            "-U", "%s%%%s" % (a["user"], a["password"]), "-m", proto, "-c", "put %s %s" % (f, os.path.basename(f)))


@action("tls_connect", ["tls"])
def act_tls(ctx, h, a):
    args = ["openssl", "s_client", "-connect", "%s:%d" % (ctx.ip(a["to"]), a.get("port", 443)),
            "-servername", a.get("servername", a["to"])]
    args += {"1.0": ["-tls1", "-cipher", "DEFAULT:@SECLEVEL=0"], "1.2": ["-tls1_2"], "1.3": ["-tls1_3"]}[a.get("tls", "1.2")]
    r = h.run("sh", "-c", "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | " + " ".join(shlex.quote(x) for x in args),
              check=False, timeout=20)
    if "BEGIN CERTIFICATE" not in r.stdout and "Cipher is" not in r.stdout + r.stderr:
        raise RuntimeError("%s: TLS handshake failed: %s" % (h.name, r.stderr[-400:]))


@action("telnet_login", ["telnet"])
def act_telnet(ctx, h, a):
    """A person at a telnet prompt: answers login and password, types commands."""
    script = (
        "import socket,sys\n"
        "def until(s,*marks):\n"
        "  b=b''\n"
        "  while not any(m in b for m in marks):\n"
        "    d=s.recv(4096)\n"
        "    if not d: break\n"
        "    b+=d\n"
        "  return b\n"
        "def connect():\n"
        "  s=socket.create_connection((sys.argv[1],int(sys.argv[2])),timeout=5)\n"
        "  until(s,b'login: ')\n"
        "  return s\n"
        # Like login(1), the device hangs up after three wrong passwords: a
        # guesser connects again.
        "s=connect(); n=0; ok=False\n"
        "for u,p in zip(sys.argv[3].split(','),sys.argv[4].split(',')):\n"
        "  if n==3: s.close(); s=connect(); n=0\n"
        "  n+=1\n"
        "  s.sendall(u.encode()+b'\\r\\n'); until(s,b'Password: ')\n"
        "  s.sendall(p.encode()+b'\\r\\n')\n"
        "  if b'# ' in until(s,b'# ', b'login: '): ok=True; break\n"
        # Every guess refused: the guesser hangs up.
        "if not ok: s.close(); sys.exit(0)\n"
        "for c in sys.argv[5:]:\n"
        "  s.sendall(c.encode()+b'\\r\\n'); until(s,b'# ')\n"
        "s.sendall(b'exit\\r\\n'); until(s,b'logout'); s.close()\n")
    users = a["tries"] if "tries" in a else [[a["user"], a["password"]]]
    run(h, PY, "-c", script, ctx.ip(a["to"]), str(a.get("port", 23)), ",".join(u for u, _ in users),
        ",".join(p for _, p in users), *a.get("commands", []))


@action("ssh_connect", ["ssh"])
def act_ssh(ctx, h, a):
    """An OpenSSH client up to authentication (which the lab's sshd refuses)."""
    r = run(h, "ssh", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
        "-o", "ConnectTimeout=5", "-p", str(a.get("port", 22)), "%s@%s" % (a.get("user", "service"), ctx.ip(a["to"])),
        "true", ok=(255,))
    # 255 is also ssh's exit when it never reached the server (a filtered
    # port under --switch-ruleset): that is a failure of the action.
    if "timed out" in r.stderr or "Connection refused" in r.stderr:
        raise RuntimeError("%s: ssh did not reach %s: %s" % (h.name, a["to"], r.stderr.strip()[-200:]))


@action("nmap", ["tcp"])
def act_nmap(ctx, h, a):
    """nmap SYN probes; discovery = "arp" pings the targets by ARP first
    (nmap's default on a LAN, -PR) and probes the ones that answer."""
    targets = [ctx.ip(t) for t in a["targets"]]  # only the lab's own hosts
    if a.get("sweep"):
        # An ARP ping sweep (-sn -PR) of a range inside the sending host's own
        # lab subnet: ARP never leaves the lab's bridge.
        net = ipaddress.ip_network(a["sweep"])
        own = ipaddress.ip_interface(ctx.ip(h.name) + "/24").network
        if not net.subnet_of(own):
            raise ValueError("nmap sweep %s is outside the lab subnet %s" % (net, own))
        run(h, "nmap", "-n", "-sn", "-PR", str(net), timeout=60)
    discovery = ["-PR"] if a.get("discovery") == "arp" else ["-Pn"]
    run(h, "nmap", "-n", *discovery, "-sS", "-T4", "--max-retries", "1", "-p", a.get("ports", "21-25,80,104,443,2575"),
        *targets, timeout=90)


@action("tcp_check", ["tcp"])
def act_tcp_check(ctx, h, a):
    """A monitoring system's service check (like Nagios' check_tcp): connect
    to each port, close without a word; a refused port is a failed check.
    With `expect_banner = true` it waits (up to 2 s) for the server's
    greeting first, as check_tcp does with an expect string: without it,
    whether a greeting sent at accept is captured before the close is a race."""
    script = ("import socket,sys\n"
              "for t in sys.argv[2].split(','):\n"
              "  for p in sys.argv[1].split(','):\n"
              "    try:\n"
              "      s=socket.create_connection((t,int(p)),timeout=3)\n"
              "      if sys.argv[3]=='1':\n"
              "        s.settimeout(2)\n"
              "        s.recv(512)\n"
              "      s.close()\n"
              "    except OSError:\n"
              "      pass\n")
    run(h, PY, "-c", script, ",".join(str(p) for p in a["ports"]), ",".join(ctx.ip(t) for t in a["targets"]),
        "1" if a.get("expect_banner") else "0")


# ---- the scenario ---------------------------------------------------------------

def load(path):
    with open(path, "rb") as f:
        sc = tomllib.load(f)
    if "extends" in sc:
        # A shared network (hosts, patients) from scenarios/bases/; the
        # scenario adds its own hosts, actions and findings.
        base_path = os.path.join(os.path.dirname(path), "bases", sc["extends"] + ".toml")
        with open(base_path, "rb") as f:
            base = tomllib.load(f)
        sc["host"] = base.get("host", []) + sc.get("host", [])
        sc["patients"] = {**base.get("patients", {}), **sc.get("patients", {})}
    names = set()
    for h in sc.get("host", []):
        for k in ("name", "mac"):
            if k not in h:
                raise ValueError("%s: a host without %s" % (path, k))
        if h["name"] in names:
            raise ValueError("%s: host %s twice" % (path, h["name"]))
        names.add(h["name"])
        for s in h.get("service", []):
            if s["kind"] not in SERVICES:
                raise ValueError("%s: unknown service %r" % (path, s["kind"]))
    for a in sc.get("action", []):
        if a["kind"] not in ACTIONS:
            raise ValueError("%s: unknown action %r" % (path, a["kind"]))
        if a["host"] not in names:
            raise ValueError("%s: action on unknown host %r" % (path, a["host"]))
    return sc


def oui_vendor(mac):
    prefix = mac.upper().replace(":", "-")[:8]
    with open("/usr/share/ieee-data/oui.txt", encoding="utf-8", errors="replace") as f:
        for line in f:
            if line.startswith(prefix) and "(hex)" in line:
                return line.split("\t")[-1].strip()
    return None


def truth(sc, ctx):
    devices, protocols = [], set()
    for h in sc["host"]:
        d = {k: v for k, v in h.items() if k not in ("service", "device", "dhcp")}
        d["ip"] = ctx.lab.hosts[h["name"]].ip or h.get("ip")
        d["oui_organization"] = oui_vendor(h["mac"])
        if d["oui_organization"] is None:
            raise ValueError("host %s: MAC %s has no IEEE assignment" % (h["name"], h["mac"]))
        if h.get("device"):
            d["dicom_identity"] = h["device"]
        d["services"] = sorted({"%s/%s" % (s["kind"], pp) for s in h.get("service", []) for pp in service_ports(s)})
        devices.append(d)
    # What the capture carries is what the actions did; a server nobody
    # talks to sends nothing.
    for a in sc.get("action", []):
        protocols.update(ACTIONS[a["kind"]][1])
    return {
        "scenario": sc["name"],
        "description": sc.get("description", ""),
        "benign_twin_of": sc.get("benign_twin_of"),
        # Judge the detections against the baseline learned from this
        # scenario's capture (rule 10).
        "baseline_from": sc.get("baseline_from"),
        "devices": devices,
        "findings": sc.get("finding", []) + phi_findings(sc, ctx) + exposure_findings(sc),
        "protocols": sorted(protocols),
        # "full": every host field is on the wire (the identity scenarios);
        # "seen": a shared ward where most hosts are silent in any one
        # scenario: only presence and vendor of the hosts that send are judged.
        "inventory_scope": "seen" if sc.get("extends") else "full",
        "patients": list(sc.get("patients", {}).values()),
    }


PHI_ACTIONS = {"dicom_store": "dicom", "dicom_find": "dicom", "worklist_query": "dicom", "dicom_move": "dicom",
               "dicom_get": "dicom", "hl7_send": "hl7", "http_post_hl7": "http",
               "http_upload_dicom": "http", "fhir_request": "fhir", "smb_put": "smb", "ftp_upload": "ftp"}

# Cleartext services an action reaches (issue 7, rule 9), and the device types
# whose exposure is reported: medical devices and the gateways of their serial
# lines, not the clinical servers (archive, engine, EHR) IT runs as servers.
EXPOSURE_ACTIONS = {"telnet_login": "telnet", "http_get": "http", "ftp_upload": "ftp", "snmp_get": "snmp"}
MEDICAL_ENDPOINTS = {"CT", "MR", "X-ray/DR/CR", "ultrasound", "nuclear medicine", "patient monitor", "infusion pump",
                     "ventilator", "anesthesia machine", "lab analyzer", "imaging workstation", "medication cabinet",
                     "nurse call", "medical device server"}


def exposure_findings(sc):
    """One informational finding per medical device and cleartext service an
    action used (the device answered: it offers the service)."""
    types = {h["name"]: h.get("type") for h in sc["host"]}
    seen, out = set(), []
    for a in sc.get("action", []):
        proto = EXPOSURE_ACTIONS.get(a["kind"])
        if not proto or types.get(a.get("to")) not in MEDICAL_ENDPOINTS:
            continue
        key = (a["to"], proto)
        if key in seen:
            continue
        seen.add(key)
        out.append({"kind": "insecure_service", "severity": "info", "src": None, "dst": a["to"], "protocol": proto})
    return out


def phi_findings(sc, ctx):
    """Patient data crossing the network without TLS, by construction of the
    actions: one informational finding per device pair and protocol (issue 7,
    rule 4). An attack's own findings are listed in its scenario."""
    pairs = []
    for a in sc.get("action", []):
        proto = PHI_ACTIONS.get(a["kind"])
        if not proto or (a["kind"] in ("smb_put", "ftp_upload") and not (a.get("patient") or a.get("hl7_patients"))):
            continue
        pairs.append((a["host"], a["to"], proto))
        if a["kind"] == "dicom_move":  # the archive stores the objects to the move destination
            dest = [h["name"] for h in sc["host"] if a.get("dest_ae") in h.get("ae_titles", [])]
            if dest:
                pairs.append((a["to"], dest[0], proto))
    seen, out = set(), []
    for src, dst, proto in pairs:
        if (src, dst, proto) not in seen:
            seen.add((src, dst, proto))
            out.append({"kind": "phi_cleartext", "severity": "info", "src": src, "dst": dst, "protocol": proto})
    return out


def service_ports(s):
    """What a service listens on: "proto/port" strings (lldpd listens on nothing)."""
    kind = s["kind"]
    if kind == "dnsmasq":
        return ["udp/53", "udp/67"]
    if kind == "lldpd":
        return []
    return ["%s/%d" % ("udp" if kind == "snmpd" else "tcp", s.get("port", default_port(kind)))]


def default_port(kind):
    return {"storescp": 104, "dcmqrscp": 104, "worklist": 104, "hl7_engine": 2575, "device_web": 80, "telnet_device": 23,
            "dnsmasq": 67, "snmpd": 161, "ftp": 21, "tls_server": 443, "fhir_server": 8080, "samba": 445, "sshd": 22,
            "lldpd": 0}[kind]


def run_scenario(path, outdir, ruleset=None):
    """Plays a scenario. With `ruleset` (an nftables file) the switch filters
    by it before the first action, and an action that fails (blocked) is
    recorded in truth.json's `actions` instead of ending the run."""
    global BLOCKED_TIMEOUT
    BLOCKED_TIMEOUT = 10 if ruleset else None
    sc = load(path)
    os.makedirs(outdir, exist_ok=True)
    work = os.path.join(outdir, "work")
    shutil.rmtree(work, ignore_errors=True)  # a run never sees a previous run's files
    os.makedirs(work)
    dns = [h.get("ip") for h in sc["host"] if any(s["kind"] == "dnsmasq" for s in h.get("service", []))]
    lab = Lab(work, dns=dns[0] if dns else None)
    ctx = Ctx(lab, sc, work)
    with MachineLock():
        return _run(sc, lab, ctx, outdir, ruleset)


def play(ctx, lab, a, ruleset, outcomes):
    """One action; under a ruleset its failure is an outcome, not an error."""
    try:
        ACTIONS[a["kind"]][0](ctx, lab.hosts[a["host"]], a)
        outcomes.append({"kind": a["kind"], "host": a["host"], "to": a.get("to", a.get("targets")), "ok": True})
    except (RuntimeError, subprocess.TimeoutExpired) as e:
        if not ruleset:
            raise
        outcomes.append({"kind": a["kind"], "host": a["host"], "to": a.get("to", a.get("targets")), "ok": False,
                         "error": str(e)[-300:]})


def _run(sc, lab, ctx, outdir, ruleset=None):
    t0 = time.time()
    try:
        lab.start()
        for h in sc["host"]:
            ips = [] if h.get("dhcp") else ["%s/%d" % (h["ip"], h.get("prefix", 24))]
            lab.add_host(h["name"], h["mac"], ips)
        for h in sc["host"]:
            for s in h.get("service", []):
                SERVICES[s["kind"]][0](ctx, lab.hosts[h["name"]], s)
        if ruleset:
            lab.load_ruleset(ruleset)
        capture = os.path.join(outdir, "capture.pcap")
        lab.start_capture(capture)
        start = time.time()
        outcomes = []
        for a in sc.get("action", []):
            delay = a.get("at", 0) - (time.time() - start)
            if delay > 0:
                time.sleep(delay)
            play(ctx, lab, a, ruleset, outcomes)
            if os.environ.get("MSLAB_DEBUG"):
                print("lab: %.2fs %s on %s done; capture %s" % (time.time() - start, a["kind"], a["host"],
                      "running" if lab.capture_proc and lab.capture_proc.poll() is None else "STOPPED"),
                      file=sys.stderr)
        if os.environ.get("MSLAB_DEBUG"):
            print(subprocess.run(["ip", "-n", lab.switch, "-s", "-br", "link"], capture_output=True, text=True).stdout,
                  file=sys.stderr)
            for hn, hh in lab.hosts.items():
                print(hn, hh.ns, hh.run("ip", "-br", "addr", check=False).stdout.replace("\n", " | "), file=sys.stderr)
        lab.stop_capture()
        t = truth(sc, ctx)
        t["capture"] = "capture.pcap"
        if ruleset:
            t["switch_ruleset"] = os.path.abspath(ruleset)
            t["actions"] = outcomes
        t["seconds"] = round(time.time() - t0, 1)
        with open(os.path.join(outdir, "truth.json"), "w") as f:
            json.dump(t, f, indent=2)
        return t
    finally:
        lab.cleanup()
