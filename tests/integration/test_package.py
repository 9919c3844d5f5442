"""The Debian package (issue 17): scripts/build-deb.sh builds it from the
tested binary; it is unpacked into an empty root directory tree (dpkg-deb -x,
no chroot or container needed) and its files are checked: the binary runs and
says the package's version, the default settings are valid for that binary,
the man page renders, every library the binary names belongs to a package in
Depends, and the hardened unit passes `systemd-analyze verify` and scores
'OK' or better in `systemd-analyze security` (offline)."""
import os
import re
import shutil
import subprocess

import mstest


def sh(*cmd, **kw):
    return subprocess.run(list(cmd), capture_output=True, text=True, **kw)


_DEB = []


def deb():
    if not _DEB:
        wd = mstest.workdir("deb")
        r = sh(mstest.repo("scripts", "build-deb.sh"), "--binary", mstest.ARGS.binary, wd)
        assert r.returncode == 0, r.stderr
        path = r.stdout.strip().splitlines()[-1]
        root = os.path.join(wd, "root")
        os.makedirs(root)
        assert sh("dpkg-deb", "-x", path, root).returncode == 0
        _DEB.extend([path, root])
    return _DEB[0], _DEB[1]


def field(path, name):
    return sh("dpkg-deb", "-f", path, name).stdout.strip()


def test_files_and_conffiles():
    path, root = deb()
    files = sorted(os.path.relpath(os.path.join(d, f), root) for d, _, fs in os.walk(root) for f in fs)
    for want in ("usr/bin/medsentry", "usr/share/medsentry/events.schema.json", "etc/medsentry/medsentry.toml",
                 "etc/default/medsentry", "lib/systemd/system/medsentry-monitor@.service",
                 "usr/share/man/man1/medsentry.1.gz", "usr/share/doc/medsentry/README.md"):
        assert want in files, "%s not in the package: %s" % (want, files)
    assert os.stat(os.path.join(root, "usr/bin/medsentry")).st_mode & 0o777 == 0o755
    control = sh("dpkg-deb", "-I", path).stdout
    assert "postinst" in control and "conffiles" in control
    ctl = os.path.join(mstest.ARGS.workdir, "deb", "control")
    shutil.rmtree(ctl, ignore_errors=True)
    assert sh("dpkg-deb", "-e", path, ctl).returncode == 0
    with open(os.path.join(ctl, "conffiles")) as f:
        assert f.read().split() == ["/etc/medsentry/medsentry.toml", "/etc/default/medsentry"]
    assert sh("sh", "-n", os.path.join(ctl, "postinst")).returncode == 0
    with open(os.path.join(ctl, "postinst")) as f:
        assert "adduser --system" in f.read()


def test_binary_runs_and_says_the_version():
    path, root = deb()
    r = sh(os.path.join(root, "usr/bin/medsentry"), "--version")
    assert r.returncode == 0 and r.stdout.strip() == "medsentry " + field(path, "Version"), (r.stdout, r.stderr)


def test_default_settings_are_valid():
    _, root = deb()
    wd = mstest.workdir("deb_cfg")
    r = mstest.analyze(mstest.repo("samples", "clinic-sample.pcap"), wd,
                       extra=["--config", os.path.join(root, "etc/medsentry/medsentry.toml")])
    assert r.returncode == 0


def test_depends_name_every_library_package():
    path, root = deb()
    depends = {d.strip().split(" ")[0] for d in field(path, "Depends").split(",")}
    binary = os.path.join(root, "usr/bin/medsentry")
    needed = re.findall(r"NEEDED\s+(\S+)", sh("objdump", "-p", binary).stdout)
    libs = dict(re.findall(r"^\s*(\S+) => (\S+)", sh("ldd", binary).stdout, re.M))
    assert needed and all(n in libs for n in needed), (needed, libs)
    for n in needed:
        owner = sh("dpkg", "-S", os.path.realpath(libs[n]))
        if owner.returncode != 0:
            owner = sh("dpkg", "-S", libs[n])
        pkg = owner.stdout.split(":")[0]
        assert pkg in depends, "%s (%s) is not in Depends: %s" % (n, pkg, sorted(depends))


def test_man_page_renders():
    _, root = deb()
    page = os.path.join(root, "usr/share/man/man1/medsentry.1.gz")
    if not shutil.which("man"):
        with open(page, "rb") as f:
            import gzip
            assert gzip.decompress(f.read()).startswith(b".TH MEDSENTRY 1")
        return
    r = sh("man", "-l", page)
    assert r.returncode == 0 and re.search(r"medsentry\s+monitor", r.stdout) and "SYNOPSIS" in r.stdout, r.stderr


def test_unit_verifies_and_is_hardened():
    _, root = deb()
    wd = mstest.workdir("deb_unit")
    with open(os.path.join(root, "lib/systemd/system/medsentry-monitor@.service")) as f:
        unit = f.read()
    for want in ("ProtectSystem=strict", "NoNewPrivileges=yes", "AmbientCapabilities=CAP_NET_RAW",
                 "CapabilityBoundingSet=CAP_NET_RAW", "User=medsentry", "StateDirectory=medsentry",
                 "ExecStart=/usr/bin/medsentry monitor -i %i"):
        assert want in unit, want
    # An instance, with the unpacked binary where the unit expects /usr/bin.
    inst = os.path.join(wd, "medsentry-monitor@eth0.service")
    with open(inst, "w") as f:
        f.write(unit.replace("/usr/bin/medsentry", os.path.join(root, "usr/bin/medsentry")))
    if not shutil.which("systemd-analyze"):
        print("  systemd-analyze not installed: unit checked by its keys only")
        return
    r = sh("systemd-analyze", "verify", "--man=no", inst)
    assert r.returncode == 0, r.stderr
    r = sh("systemd-analyze", "security", "--offline=yes", inst)
    m = re.search(r"Overall exposure level for \S+: ([\d.]+) (\w+)", r.stdout + r.stderr)
    assert m, r.stdout[-500:] + r.stderr
    print("  systemd-analyze security: %s %s" % (m.group(1), m.group(2)))
    assert float(m.group(1)) <= 2.0, m.group(0)


if __name__ == "__main__":
    mstest.main(globals())
