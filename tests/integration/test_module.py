"""A protocol module is one folder (issue 14). In a temporary copy of the
repository's tracked files, committed to a fresh git repository, this test
adds a small real protocol, RFC 868 Time over UDP, as one new folder
src/dissectors/time/ (parser, dissector, inventory observer, schema fragment,
unit test, fuzz target, notes), builds the copy, and checks that the protocol
works end to end: the flow is recognised, its event is written and valid
against the assembled schema, the inventory sees the server, the unit test
and the fuzz target are found by their globs; and that git sees changes in
that folder only (no central list, enum or if-chain was edited).

The copy's build reuses ccache (CCACHE_BASEDIR is the copy, as the repository
is for scripts/build.sh), so only the new folder's files really compile."""
import json
import os
import shutil
import struct
import subprocess

import mstest
import pcapgen

FOLDER = "src/dissectors/time"

# The module, file by file: what a contributor adding RFC 868 would write.
MODULE = {
    "time_parser.h": r'''// RFC 868 Time protocol: the server answers with the time as one 32-bit
// big-endian count of seconds since 1900-01-01 00:00 UTC. The pure parser.
#pragma once

#include <cstdint>

#include "common/bytes.h"

namespace ms::rfc868 {

// Seconds from 1900-01-01 to 1970-01-01 (RFC 868's example: 2,208,988,800).
constexpr uint32_t kUnixEpoch = 2208988800u;

// The Unix time of a reply: exactly 4 bytes, a time after 1970 (the 32-bit
// count wraps in 2036; a reply from before 1970 is taken as not this
// protocol). False otherwise.
bool parse_reply(Bytes d, int64_t& unix_seconds);

}  // namespace ms::rfc868
''',
    "time_parser.cc": r'''// RFC 868 reply parsing (see time_parser.h).
#include "dissectors/time/time_parser.h"

namespace ms::rfc868 {

bool parse_reply(Bytes d, int64_t& unix_seconds) {
  if (d.size() != 4) return false;
  uint32_t since_1900 = be32(d.data());
  if (since_1900 < kUnixEpoch) return false;
  unix_seconds = static_cast<int64_t>(since_1900 - kUnixEpoch);
  return true;
}

}  // namespace ms::rfc868
''',
    "time_events.h": r'''// The event src/dissectors/time/ emits: what the inventory and the
// detections read (the struct), written once by time_log.cc.
#pragma once

#include <cstdint>

#include "events/event.h"

namespace ms::rfc868 {

struct TimeEvent : TypedEvent {
  int64_t server_time = 0;  // Unix seconds
  int64_t skew = 0;         // server_time minus the capture's clock, seconds
  void write_json(JsonWriter& w) const;
};

}  // namespace ms::rfc868
''',
    "time_log.cc": r'''// The `time` event's JSON (time.schema.json): the only code that knows its keys.
#include "dissectors/time/time_events.h"

namespace ms::rfc868 {

void TimeEvent::write_json(JsonWriter& w) const {
  w.key("time").begin_object();
  w.kv("server_time", format_time(server_time * kNsPerSec));
  w.kv("skew", skew);
  w.end_object();
}

}  // namespace ms::rfc868
''',
    "time_dissector.cc": r'''// RFC 868 Time over UDP (port 37): the client sends an empty datagram, the
// server answers with 4 bytes. One `time` event per answer: the server's
// clock and its skew from the capture's (a device with a wrong clock writes
// wrong times into images and results).
#include "dissectors/dissector.h"
#include "dissectors/time/time_events.h"
#include "dissectors/time/time_parser.h"

namespace ms::rfc868 {

namespace {

class TimeDissector : public Dissector {
 public:
  AppResult on_data(Direction dir, Bytes d, AppContext& ctx) override {
    if (dir != Direction::kToClient) return AppResult::ok();  // requests carry nothing (RFC 868)
    int64_t t = 0;
    if (!parse_reply(d, t)) {
      ctx.anomaly("time.malformed");
      return AppResult::ok();
    }
    auto ev = std::make_unique<TimeEvent>();
    ev->server_time = t;
    ev->skew = t - ctx.now() / kNsPerSec;
    ctx.emit(make_event(ctx.envelope(), "time", std::move(ev)));
    return AppResult::ok();
  }
};

// A reply is the only content: 4 bytes holding a plausible time.
ProbeResult probe(Direction dir, Bytes d) {
  int64_t t = 0;
  return dir == Direction::kToClient && parse_reply(d, t) ? ProbeResult::kMatch : ProbeResult::kNoMatch;
}

}  // namespace

MS_REGISTER_DISSECTOR(time, DissectorSpec{"time", kTransportUdp, {37}, probe,
                                          [] { return std::unique_ptr<Dissector>(new TimeDissector); }});

}  // namespace ms::rfc868
''',
    "time_observe.cc": r'''// Time events -> inventory observations: the answering host serves the
// time, in clear.
#include "dissectors/time/time_events.h"
#include "inventory/observe_registry.h"

namespace ms::inv {

namespace {

void observe_time(const ObserveCtx& c) {
  if (c.e.as<rfc868::TimeEvent>()) c.add(c.dst, "role", "time_server", "time", kStated);
}

}  // namespace

MS_REGISTER_OBSERVER(time, {.event_type = "time", .typed = observe_time});
MS_REGISTER_APP_SECURITY(time, "time", "cleartext");

}  // namespace ms::inv
''',
    "time.schema.json": r'''{
 "$comment": "The events src/dissectors/time/ writes: a fragment of the event schema (cmake/assemble_schema.cmake).",
 "event_types": ["time"],
 "$defs": {
  "time_event": {
   "description": "An RFC 868 Time answer: the server's clock and its skew from the capture's, in seconds.",
   "required": ["time"],
   "properties": {
    "time": {
     "type": "object",
     "additionalProperties": false,
     "required": ["server_time", "skew"],
     "properties": {
      "server_time": {"$ref": "#/$defs/time"},
      "skew": {"type": "integer"}
     }
    }
   }
  }
 }
}
''',
    "time_parser_test.cc": r'''// RFC 868 replies: the epoch, the size, times before 1970.
#include <gtest/gtest.h>

#include "dissectors/time/time_parser.h"

TEST(Rfc868, ParsesReplies) {
  const uint8_t y2023[] = {0xe8, 0xfe, 0x71, 0x60};  // 3908989280 s after 1900: 2023-11-14T22:21:20Z
  int64_t t = 0;
  ASSERT_TRUE(ms::rfc868::parse_reply(ms::Bytes(y2023), t));
  EXPECT_EQ(t, 1700000480);
  const uint8_t y1969[] = {0x83, 0xaa, 0x7e, 0x7f};  // one second before 1970
  EXPECT_FALSE(ms::rfc868::parse_reply(ms::Bytes(y1969), t));
  EXPECT_FALSE(ms::rfc868::parse_reply(ms::Bytes(y2023).first(3), t));
}
''',
    "fuzz_time.cc": r'''// Fuzz target for RFC 868 Time: the parser on the raw input, then the
// dissector with the input as datagrams.
//
// fuzz-replay: src/dissectors/time/regressions/
// fuzz-seed: udp udp.port==37
// fuzz-seed-captures: ../shared/corpus/nDPI/pcap/*.pcap
#include "dissectors/time/time_parser.h"
#include "dissector_harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  int64_t t = 0;
  ms::rfc868::parse_reply(ms::Bytes(data, size), t);
  fuzzharness::datagrams("time", data, size);
  return 0;
}
''',
    "regressions/reply-1969.bin": b"\x83\xaa\x7e\x7f",
    "notes.md": r'''# RFC 868 Time

RFC 868 (1983): a client sends an empty UDP datagram to port 37 and the server
answers with 4 bytes, the seconds since 1900-01-01 UTC, big endian. One `time`
event per answer with the server's clock and its skew from the capture's.

- Recognised by the answer alone: exactly 4 bytes holding a time after 1970
  (the count wraps in 2036: later answers are not recognised yet).
- The inventory records the server as a `time_server`, its service as cleartext.
- Tests: `time_parser_test.cc`; fuzzed by `fuzz_time.cc`.
''',
}


def git(root, *args):
    return subprocess.run(["git", "-C", root, "-c", "user.name=medsentry-test", "-c", "user.email=test@invalid",
                           *args], check=True, capture_output=True, text=True).stdout


def copy_tracked(repo, root):
    """The repository's tracked files (as they are in the working tree), nothing else: no build
    directories, no untracked files."""
    files = subprocess.run(["git", "-C", repo, "ls-files", "-z"], check=True, capture_output=True).stdout
    for rel in files.decode().split("\0"):
        src = os.path.join(repo, rel)
        if not rel or not os.path.lexists(src):
            continue  # deleted in the working tree
        dst = os.path.join(root, rel)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copy2(src, dst, follow_symlinks=False)


def build(root, *targets):
    env = dict(os.environ, CCACHE_BASEDIR=root, CCACHE_NOHASHDIR="1")
    env.pop("MAKEFLAGS", None)
    jobs = os.environ.get("MS_MODULE_TEST_JOBS", str(min(2, os.cpu_count() or 1)))
    bdir = os.path.join(root, "build")
    if not os.path.exists(os.path.join(bdir, "build.ninja")):
        subprocess.run(["cmake", "-S", root, "-B", bdir, "-G", "Ninja", "-DCMAKE_BUILD_TYPE=RelWithDebInfo",
                        "-DMEDSENTRY_TESTS=ON"], check=True, env=env, capture_output=True, text=True)
    p = subprocess.run(["ninja", "-C", bdir, "-j", jobs, *targets], env=env, capture_output=True, text=True)
    assert p.returncode == 0, "build of the copy failed:\n" + p.stdout[-4000:] + p.stderr[-2000:]
    return bdir


def capture(path):
    """Two RFC 868 exchanges with one server (its clock 2 s fast, then right), and a look-alike: a
    5-byte answer from port 37, which is not the protocol."""
    t0 = 1700000000.0
    a = pcapgen.UdpExchange(client=("10.1.0.10", 40037), server=("10.1.0.37", 37), t0=t0)
    a.send(0, b"").send(1, struct.pack("!I", int(t0) + 2 + 2208988800))
    b = pcapgen.UdpExchange(client=("10.1.0.11", 40038), server=("10.1.0.37", 37), t0=t0 + 10)
    b.send(0, b"").send(1, struct.pack("!I", int(t0) + 10 + 2208988800))
    c = pcapgen.UdpExchange(client=("10.1.0.12", 40039), server=("10.1.0.38", 37), t0=t0 + 20)
    c.send(0, b"").send(1, b"\x01\x02\x03\x04\x05")
    pcapgen.write(path, [a, b, c])


def test_new_protocol_module_is_one_folder():
    repo = os.path.abspath(mstest.ARGS.repo)
    if subprocess.run(["git", "-C", repo, "rev-parse", "--git-dir"], capture_output=True).returncode != 0:
        print("skipped: %s is not a git checkout" % repo)
        return
    work = mstest.workdir("module")
    root = os.path.join(work, "repo")
    copy_tracked(repo, root)
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "the tree as it is")

    for name, text in MODULE.items():
        path = os.path.join(root, FOLDER, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(text if isinstance(text, bytes) else text.encode())

    bdir = build(root, "medsentry", "unit_tests", "fuzz_time_replay")

    # The unit test and the fuzz target were found by their globs.
    p = subprocess.run([os.path.join(bdir, "tests", "unit_tests"), "--gtest_filter=Rfc868.*"], capture_output=True,
                       text=True)
    assert p.returncode == 0 and "[  PASSED  ] 1 test" in p.stdout, p.stdout[-2000:]
    p = subprocess.run(["ctest", "-R", r"^fuzz\.time_replay$", "--output-on-failure"], cwd=bdir, capture_output=True,
                       text=True)
    assert p.returncode == 0 and "0 tests failed out of 1\n" in p.stdout, p.stdout[-2000:]

    # The new event, valid against the copy's assembled schema, and its flows named.
    pcap = os.path.join(work, "time.pcap")
    capture(pcap)
    binary, mstest.ARGS.binary = mstest.ARGS.binary, os.path.join(bdir, "medsentry")
    mstest._VALIDATOR = None
    try:
        assert "time" in mstest.validator().schema["properties"]["event_type"]["enum"]
        run = mstest.analyze(pcap, os.path.join(work, "out"))
        inv = subprocess.run([mstest.ARGS.binary, "inventory", "--db", os.path.join(work, "out", "inventory.db"),
                              "--format", "json"], capture_output=True, text=True, check=True).stdout
    finally:
        mstest.ARGS.binary = binary
        mstest._VALIDATOR = None
    times = run.of_type("time")
    assert [(e["dest_ip"], e["time"]["skew"]) for e in times] == [("10.1.0.37", 2), ("10.1.0.37", 0)], times
    assert times[0]["time"]["server_time"].startswith("2023-11-14T22:13:22.")
    apps = sorted((e["dest_ip"], e["app_proto"]) for e in run.of_type("flow"))
    assert apps == [("10.1.0.37", "time"), ("10.1.0.37", "time"), ("10.1.0.38", "unknown")], apps

    # The inventory's observer and app security came from the folder too.
    server = [d for d in json.loads(inv) if any(x["ip"] == "10.1.0.37" for x in d["ips"])]
    assert len(server) == 1, inv[:2000]
    assert "time_server" in server[0]["roles"], server[0]["roles"]
    services = [(s["proto"], s["port"], s.get("app"), s.get("security")) for s in server[0]["services"]]
    assert services == [("udp", 37, "time", "cleartext")], services

    # git sees the new folder and nothing else, after the build as before it.
    status = git(root, "status", "--porcelain", "--untracked-files=all").splitlines()
    assert status and all(line[3:].startswith(FOLDER + "/") for line in status), status
    git(root, "add", "-A")
    stat = git(root, "diff", "--cached", "--stat")
    print(stat, end="")
    names = git(root, "diff", "--cached", "--name-only").split()
    assert len(names) == len(MODULE) and all(n.startswith(FOLDER + "/") for n in names), names


if __name__ == "__main__":
    mstest.main(globals())
