"""The lab's network: hosts are network namespaces joined by veth pairs to a
bridge inside a switch namespace; tcpdump on the bridge sees every frame, as
a SPAN port would. Offloads are off on every interface so captured frames are
as on a wire (checksummed, no super-packets).

Every namespace name starts with the run's prefix (msl<pid>-), so cleanup
finds exactly what this run made, also after an interruption, and a later run
can remove what a killed run left behind (cleanup_stale).
"""
import os
import shutil
import signal
import subprocess
import time

PREFIX_ROOT = "msl"
# One lab at a time on a machine: runs (and tests that inspect the machine's
# state) take this lock, so nobody sees another run half built.
LOCK_PATH = "/run/lock/medsentry-lab.lock" if os.path.isdir("/run/lock") else "/tmp/medsentry-lab.lock"


class MachineLock:
    def __enter__(self):
        import fcntl
        self.f = open(LOCK_PATH, "a")
        fcntl.flock(self.f, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        import fcntl
        fcntl.flock(self.f, fcntl.LOCK_UN)
        self.f.close()


def sh(*cmd, check=True, **kw):
    return subprocess.run(list(cmd), check=check, capture_output=True, text=True, **kw)


def netns_list():
    out = sh("ip", "netns", "list", check=False).stdout
    return [line.split()[0] for line in out.splitlines() if line.strip()]


def kill_netns_processes(ns, sig=signal.SIGTERM):
    pids = sh("ip", "netns", "pids", ns, check=False).stdout.split()
    for p in pids:
        try:
            os.kill(int(p), sig)
        except (ProcessLookupError, ValueError):
            pass
    return pids


def delete_netns(ns):
    shutil.rmtree(os.path.join("/etc/netns", ns), ignore_errors=True)
    if kill_netns_processes(ns):
        time.sleep(0.3)
        kill_netns_processes(ns, signal.SIGKILL)
        time.sleep(0.1)
    sh("ip", "netns", "del", ns, check=False)


def cleanup_stale():
    """Removes namespaces (and short directories) of lab runs whose process is gone."""
    for ns in netns_list():
        if not ns.startswith(PREFIX_ROOT):
            continue
        pid = ns[len(PREFIX_ROOT):].split("-", 1)[0]
        if pid.isdigit() and not os.path.exists("/proc/%s" % pid):
            delete_netns(ns)
    for name in os.listdir("/tmp"):  # short_dir()s of such runs
        pid = name[len(PREFIX_ROOT):].split("-", 1)[0] if name.startswith(PREFIX_ROOT) else ""
        if pid.isdigit() and not os.path.exists("/proc/%s" % pid):
            shutil.rmtree(os.path.join("/tmp", name), ignore_errors=True)


class Host:
    def __init__(self, lab, name, ns, mac, ip, iface):
        self.lab, self.name, self.ns, self.mac, self.ip, self.iface = lab, name, ns, mac, ip, iface

    def run(self, *cmd, check=True, timeout=60, **kw):
        return sh("ip", "netns", "exec", self.ns, *cmd, check=check, timeout=timeout, **kw)

    def spawn(self, *cmd, log=None, **kw):
        """Starts a long-running program in this host; stopped at cleanup."""
        out = open(log, "w") if log else subprocess.DEVNULL
        p = subprocess.Popen(["ip", "netns", "exec", self.ns, *cmd], stdout=out, stderr=subprocess.STDOUT,
                             start_new_session=True, **kw)
        self.lab.procs.append(p)
        return p


def become_subreaper():
    """Orphans of the lab's servers (a forking server whose parent was
    stopped) become our children, so cleanup can reap them: no zombies."""
    try:
        import ctypes
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
    except OSError:
        pass


def reap_children():
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


class Lab:
    def __init__(self, workdir, subnet="10.60.0", dns=None):
        self.prefix = "%s%d-" % (PREFIX_ROOT, os.getpid())
        self.workdir = workdir
        self.subnet = subnet
        self.hosts = {}
        self.procs = []
        self.short_dirs = []  # removed at cleanup (see short_dir)
        self.switch = self.prefix + "sw"
        self.capture_proc = None
        self.dns = dns  # the lab's DNS server, if any: the only resolver hosts know
        self._n = 0

    # -- topology -------------------------------------------------------------
    def start(self):
        become_subreaper()
        cleanup_stale()
        sh("ip", "netns", "add", self.switch)
        self._ns_up(self.switch)
        # group_fwd_mask bit 14: LLDP frames (01:80:c2:00:00:0e) are flooded as a
        # switch's SPAN port would mirror them, instead of being kept by the bridge.
        sh("ip", "-n", self.switch, "link", "add", "br0", "type", "bridge", "stp_state", "0",
           "forward_delay", "0", "group_fwd_mask", "0x4000")
        sh("ip", "-n", self.switch, "link", "set", "br0", "up")
        # The switch itself is silent: no IPv6 router solicitations from it.
        sh("ip", "netns", "exec", self.switch, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1", check=False)
        sh("ip", "netns", "exec", self.switch, "sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1", check=False)

    def _ns_up(self, ns):
        sh("ip", "-n", ns, "link", "set", "lo", "up")

    def _offloads_off(self, ns, iface):
        for feature in ("tso", "gso", "gro", "tx", "rx", "sg"):
            sh("ip", "netns", "exec", ns, "ethtool", "-K", iface, feature, "off", check=False)

    def add_host(self, name, mac, ips=(), extra_routes=True):
        """A host with one interface `eth0`; `ips` are CIDR strings (none: DHCP later)."""
        self._n += 1
        ns = self.prefix + name
        # `ip netns exec` mounts /etc/netns/NS/* over /etc: a host resolves
        # names with the lab's DNS only, never with this machine's resolver.
        etc = os.path.join("/etc/netns", ns)
        os.makedirs(etc, exist_ok=True)
        with open(os.path.join(etc, "resolv.conf"), "w") as f:
            f.write("nameserver %s\noptions timeout:1 attempts:1\n" % (self.dns or "127.0.0.1"))
        with open(os.path.join(etc, "hosts"), "w") as f:
            f.write("127.0.0.1 localhost\n")
        sh("ip", "netns", "add", ns)
        self._ns_up(ns)
        port = "p%d" % self._n
        sh("ip", "link", "add", "eth0", "netns", ns, "type", "veth", "peer", "name", port, "netns", self.switch)
        sh("ip", "-n", ns, "link", "set", "eth0", "address", mac)
        for ip in ips:
            sh("ip", "-n", ns, "addr", "add", ip, "dev", "eth0")
        sh("ip", "-n", ns, "link", "set", "eth0", "up")
        sh("ip", "-n", self.switch, "link", "set", port, "master", "br0")
        sh("ip", "-n", self.switch, "link", "set", port, "up")
        self._offloads_off(ns, "eth0")
        self._offloads_off(self.switch, port)
        if ips and extra_routes:
            # One flat clinical network; anything else (an "outside" host on
            # this same bridge) is reached directly.
            sh("ip", "-n", ns, "route", "add", "default", "dev", "eth0", check=False)
        h = Host(self, name, ns, mac, ips[0].split("/")[0] if ips else None, "eth0")
        self.hosts[name] = h
        return h

    # -- capture --------------------------------------------------------------
    def load_ruleset(self, path):
        """Loads an nftables ruleset (`nft -f`) into the switch namespace: a
        firewall in the bridge, which filters what the ports forward to each
        other (the capture on br0 still sees every frame the hosts send).
        Used to enforce a `medsentry segment export --format nftables-bridge`
        policy in the lab (tests/lab/README.md)."""
        sh("ip", "netns", "exec", self.switch, "nft", "-f", path)

    def start_capture(self, path):
        # --immediate-mode: without it libpcap hands packets over a ring block
        # at a time (up to a second late) and the last block is lost at stop.
        if os.path.exists(path):
            os.unlink(path)
        self.capture_path = path
        self.capture_proc = subprocess.Popen(
            ["ip", "netns", "exec", self.switch, "tcpdump", "-i", "br0", "-s", "0", "-B", "32768", "-U", "--immediate-mode", "-n", "-w", path],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
        deadline = time.time() + 10
        while time.time() < deadline:
            if os.path.exists(path) and os.path.getsize(path) >= 24:
                break
            if self.capture_proc.poll() is not None:
                raise RuntimeError("tcpdump did not start: " + self.capture_proc.stderr.read().decode())
            time.sleep(0.05)
        time.sleep(0.5)

    def stop_capture(self):
        if self.capture_proc and self.capture_proc.poll() is None:
            time.sleep(0.5)
            self.capture_proc.send_signal(signal.SIGINT)
            try:
                self.capture_proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.capture_proc.kill()
        self.capture_proc = None

    def short_dir(self, name):
        """A directory with a short path, for servers that put Unix sockets in
        it: a socket path holds at most 107 bytes, and a test's work
        directory can be longer than that (smbd then exits at start)."""
        import tempfile
        d = tempfile.mkdtemp(prefix="%s%s-" % (self.prefix, name), dir="/tmp")
        self.short_dirs.append(d)
        return d

    # -- teardown -------------------------------------------------------------
    def cleanup(self):
        self.stop_capture()
        for p in self.procs:
            if p.poll() is None:
                try:
                    os.killpg(p.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for p in self.procs:
            try:
                p.wait(timeout=3)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        for ns in netns_list():
            if ns.startswith(self.prefix):
                delete_netns(ns)
        for d in self.short_dirs:
            shutil.rmtree(d, ignore_errors=True)
        for _ in range(20):
            reap_children()
            time.sleep(0.05)
