"""The analyze command as a user meets it: file formats, several files, bad
input and bad options (one clear line, non-zero exit, nothing half-written),
truncated captures (analysed up to the cut), interruption (output complete)."""
import glob
import json
import os
import shutil
import signal
import struct
import subprocess
import time

import mstest

SAMPLE = "nDPI/pcap/ftp.pcap"  # Ethernet, TCP with handshake and FIN, several flows


def flow_set(run):
    """Flows without what legitimately differs between runs of the same traffic."""
    out = []
    for e in run.of_type("flow"):
        e = dict(e)
        out.append(json.dumps(e, sort_keys=True))
    return sorted(out)


def error_line(proc):
    lines = [l for l in proc.stderr.splitlines() if l.strip()]
    assert len(lines) == 1, "expected one line on stderr, got: %r" % proc.stderr
    assert lines[0].startswith("medsentry: error: "), lines[0]
    return lines[0]


def bad_input(captures, must_mention):
    out = os.path.join(mstest.workdir("bad"), "out")
    proc = mstest.run_cmd([mstest.ARGS.binary, "analyze", *captures, "-o", out])
    assert proc.returncode != 0, "accepted bad input %s" % captures
    line = error_line(proc)
    assert must_mention in line, "%r does not mention %r" % (line, must_mention)
    assert not os.path.exists(out), "output written for bad input"
    return line


def test_pcap_nanosecond_and_pcapng_give_the_same_flows():
    src = mstest.corpus(SAMPLE)
    d = mstest.workdir("formats")
    ns = os.path.join(d, "ns.pcap")
    ng = os.path.join(d, "ng.pcapng")
    assert mstest.run_cmd(["editcap", "-F", "nsecpcap", src, ns]).returncode == 0
    assert mstest.run_cmd(["editcap", "-F", "pcapng", src, ng]).returncode == 0
    runs = [mstest.analyze(p, os.path.join(d, "o%d" % i)) for i, p in enumerate((src, ns, ng))]
    assert len(runs[0].of_type("flow")) == 3
    assert flow_set(runs[0]) == flow_set(runs[1]) == flow_set(runs[2])


def test_several_files_are_merged_in_time_order():
    src = mstest.corpus(SAMPLE)
    d = mstest.workdir("merge")
    assert mstest.run_cmd(["editcap", "-c", "40", src, os.path.join(d, "part.pcap")]).returncode == 0
    parts = sorted(glob.glob(os.path.join(d, "part*.pcap")))
    assert len(parts) >= 4
    whole = mstest.analyze(src, os.path.join(d, "whole"))
    # Given in reverse order, the parts must still be read by timestamp.
    split = mstest.analyze(list(reversed(parts)), os.path.join(d, "split"))
    assert flow_set(whole) == flow_set(split)
    assert split.stats["files"] == len(parts)
    assert split.stats["capture"]["packets"] == whole.stats["capture"]["packets"]


def test_missing_file():
    bad_input([mstest.corpus(SAMPLE), "/nonexistent/capture.pcap"], "/nonexistent/capture.pcap: No such file")


def test_directory():
    bad_input([mstest.corpus("nDPI")], "is a directory")


def test_not_a_capture():
    d = mstest.workdir("notcap")
    p = os.path.join(d, "notes.txt")
    with open(p, "w") as f:
        f.write("MSH|^~\\&|this is not a capture\n" * 20)
    bad_input([p], "not a pcap or pcapng capture")
    empty = os.path.join(d, "empty.pcap")
    open(empty, "w").close()
    bad_input([empty], "empty file")


def test_unsupported_link_type_is_named():
    d = mstest.workdir("linktype")
    p = os.path.join(d, "wifi.pcap")
    with open(p, "wb") as f:  # pcap header, LINKTYPE_IEEE802_11 (105), one packet
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 105))
        f.write(struct.pack("<IIII", 1, 0, 24, 24) + b"\x08" + b"\x00" * 23)
    line = bad_input([p], "unsupported link type 105")
    assert "IEEE802_11" in line


def test_bad_options():
    b = mstest.ARGS.binary
    cap = mstest.corpus(SAMPLE)
    cases = [
        ([b, "analyze", cap, "--workers", "0"], "--workers"),
        ([b, "analyze", cap, "--workers", "many"], "--workers"),
        ([b, "analyze", cap, "--max-flows", "-5"], "--max-flows"),
        ([b, "analyze", cap, "--frobnicate"], "unknown option '--frobnicate'"),
        ([b, "analyze"], "at least one capture"),
        ([b, "analyse", cap], "unknown command"),
        ([b, "analyze", cap, "-o"], "-o needs a directory"),
    ]
    for cmd, mention in cases:
        proc = mstest.run_cmd(cmd)
        assert proc.returncode == 2, "%s: exit %d" % (cmd, proc.returncode)
        assert mention in error_line(proc), proc.stderr


def test_output_directory_that_is_a_file():
    d = mstest.workdir("outfile")
    f = os.path.join(d, "plain")
    open(f, "w").close()
    proc = mstest.run_cmd([mstest.ARGS.binary, "analyze", mstest.corpus(SAMPLE), "-o", f])
    assert proc.returncode == 1
    assert "not a directory" in error_line(proc)


def test_truncated_capture_is_analysed_up_to_the_cut():
    src = mstest.corpus(SAMPLE)
    d = mstest.workdir("trunc")
    cut = os.path.join(d, "cut.pcap")
    with open(src, "rb") as f:
        data = f.read()
    # Count whole records before the cut point (pcap: 24-byte header, 16-byte record headers).
    cut_at = len(data) // 2
    pos, whole = 24, 0
    while pos + 16 <= cut_at:
        incl = struct.unpack("<I", data[pos + 8:pos + 12])[0]
        if pos + 16 + incl > cut_at:
            break
        pos += 16 + incl
        whole += 1
    with open(cut, "wb") as f:
        f.write(data[:cut_at])
    run = mstest.analyze(cut, os.path.join(d, "out"))
    assert run.returncode == 0
    warnings = [l for l in run.stderr.splitlines() if l.startswith("medsentry: warning: ")]
    assert len(warnings) == 1 and "truncated" in warnings[0], run.stderr
    assert run.stats["capture"]["packets"] == whole
    assert run.stats["truncated_files"] == 1
    assert run.of_type("flow"), "flows before the cut must be reported"


def test_summary_on_stdout():
    d = mstest.workdir("summary")
    run = mstest.analyze(mstest.corpus(SAMPLE), os.path.join(d, "out"))
    assert "packets" in run.stdout and "flows" in run.stdout and "MB/s" in run.stdout
    assert "events.jsonl" in run.stdout
    # Not a terminal: no progress bar.
    assert "\r" not in run.stderr


def test_interrupt_keeps_complete_output():
    """SIGINT while medsentry waits for more packets (a FIFO kept open, as a
    live feed would be): it stops, finishes every flow and keeps valid output."""
    d = mstest.workdir("interrupt")
    fifo = os.path.join(d, "feed.pcap")
    os.mkfifo(fifo)
    with open(mstest.corpus(SAMPLE), "rb") as f:
        data = f.read()
    out = os.path.join(d, "out")
    proc = subprocess.Popen([mstest.ARGS.binary, "analyze", fifo, "-o", out, "--workers", "2", "--no-progress"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with open(fifo, "wb") as w:
        w.write(data)  # the whole capture, but the pipe stays open
        w.flush()
        time.sleep(1.0)
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, (proc.returncode, stderr)
    assert "interrupted" in stderr
    events = mstest.check_output(out)  # complete lines, schema-valid, db consistent
    stats = [e for e in events if e["event_type"] == "stats"]
    assert len(stats) == 1 and stats[0]["stats"]["interrupted"] is True
    assert len([e for e in events if e["event_type"] == "flow"]) == 3


if __name__ == "__main__":
    mstest.main(globals())
