// `medsentry monitor` (monitor.h): the reader thread walks the capture
// rings and feeds the dispatcher exactly as `analyze` feeds it from files;
// when packets are scarce it ticks the dispatcher with the wall clock, so
// idle flows end and every stage hands its events on (docs/decisions.md
// "Live monitor").
#include "app/monitor.h"

#include <grp.h>
#include <pthread.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <random>
#include <stdexcept>
#include <thread>

#include "app/dispatcher.h"
#include "app/pipeline.h"
#include "app/summary.h"
#include "app/workers.h"
#include "common/phi.h"
#include "common/thread_name.h"

namespace ms {

std::atomic<bool> g_reload{false};

namespace {

using Clock = std::chrono::steady_clock;
// Idle flows are ended and events handed on at least this often.
constexpr auto kTick = std::chrono::milliseconds(200);
constexpr int kPollMs = 100;

TimeNs wall_now() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<TimeNs>(ts.tv_sec) * kNsPerSec + ts.tv_nsec;
}

std::string utc_stamp() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

// Becomes `name` (its uid, gid, no supplementary groups): the capture
// sockets stay open and usable, every capability goes with root (setuid(2)
// from 0 clears them), and no exec can bring privileges back.
void drop_root(const std::string& name) {
  errno = 0;
  const passwd* pw = getpwnam(name.c_str());
  if (!pw) throw std::runtime_error("--user " + name + ": no such user");
  if (setgroups(0, nullptr) != 0 || setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0) {
    throw std::runtime_error("--user " + name + ": cannot become that user: " + std::strerror(errno));
  }
  if (pw->pw_uid != 0 && setuid(0) == 0) throw std::runtime_error("--user " + name + ": root could be regained");
  prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
}

struct Prepared {
  std::unique_ptr<LiveCapture> capture;  // or, with --read:
  std::unique_ptr<CaptureReader> file;
  std::unique_ptr<PhiTokenizer> phi;
  std::unique_ptr<Pipeline> out;
  std::string outdir, inventory_db, source;
};

// Everything that can fail, before the capture starts; 0 or an exit code
// after one line on stderr.
int prepare(const MonitorOptions& mo, Prepared& p) {
  const AnalyzeOptions& opt = mo.base;
  detect::Config cfg = detect::default_config();
  try {
    if (!opt.config.empty()) cfg = detect::load_config(opt.config);
  } catch (const std::exception& e) {
    std::cerr << "medsentry: error: " << e.what() << "\n";
    return 2;
  }
  try {
    if (mo.read_file.empty()) {
      p.capture = std::make_unique<LiveCapture>(mo.capture);
    } else {
      p.file = std::make_unique<CaptureReader>(std::vector<std::string>{mo.read_file});
    }
    // Before any file is opened, so that they belong to that user.
    if (!mo.user.empty()) drop_root(mo.user);
    p.phi = std::make_unique<PhiTokenizer>(
        PhiTokenizer::load_or_create(opt.phi_key.empty() ? PhiTokenizer::default_path() : opt.phi_key));
    // One directory per run: a restart never overwrites the last run's events.
    std::string stamp = utc_stamp();
    p.outdir = opt.outdir + "/live-" + stamp;
    std::filesystem::create_directories(p.outdir);
    std::string ifs;
    for (const auto& i : mo.capture.interfaces) ifs += (ifs.empty() ? "" : ",") + i;
    p.source = p.file ? "read:" + mo.read_file : "live:" + ifs;
    p.inventory_db = opt.inventory_db.empty() ? inv::default_db_path() : opt.inventory_db;
    std::unique_ptr<inv::Inventory> inventory;
    if (opt.inventory) {
      inv::Options io;
      io.db_path = p.inventory_db;
      io.max_devices = opt.max_devices;
      // Each run is a capture of its own in the inventory: a restart adds to
      // the devices instead of replacing the last run's observations.
      io.capture_key = p.source + "@" + stamp;
      io.capture_files = p.source;
      inventory = std::make_unique<inv::Inventory>(io);
    }
    std::unique_ptr<detect::Engine> detector;
    if (opt.detect) detector = std::make_unique<detect::Engine>(std::move(cfg));
    LiveTiming timing;  // each stage keeps a copy
    timing.config = opt.config;
    timing.rotate_bytes = mo.rotate_bytes;
    timing.rotate_every = std::chrono::seconds(mo.rotate_seconds);
    timing.retain_bytes = mo.retain_bytes;
    timing.retain_age = std::chrono::hours(24) * mo.retain_days;
    timing.outdir = opt.outdir;
    timing.zstd = mo.rotate_zstd;
    timing.reload = &g_reload;
    p.out = std::make_unique<Pipeline>(p.outdir, std::move(inventory), std::move(detector), &timing);
  } catch (const std::exception& e) {
    std::cerr << "medsentry: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

// The drops since the last look, on stderr: a sensor that loses packets
// must say so where an operator (journald) sees it.
void warn_drops(const std::vector<LiveIfStats>& now, std::vector<uint64_t>& seen) {
  seen.resize(now.size());
  for (size_t i = 0; i < now.size(); ++i) {
    if (now[i].drops > seen[i]) {
      std::cerr << "medsentry: warning: " << now[i].name << ": the kernel dropped " << now[i].drops - seen[i]
                << " packets (ring full; " << now[i].drops << " since the start)\n";
    }
    seen[i] = now[i].drops;
  }
}

// tcmalloc (the release build's allocator, CMakeLists.txt) keeps the pages
// that freed objects leave, to reuse them; a months-long run frees the
// detections' state as it expires (detect/expiry.h) and must not keep its
// high-water mark resident. Weak: null in the sanitizer builds, which link
// no tcmalloc (gperftools' malloc_extension_c.h).
extern "C" void MallocExtension_ReleaseFreeMemory(void) __attribute__((weak));
constexpr auto kReleaseEvery = std::chrono::seconds(30);
// The per-thread caches are tcmalloc's other store of freed memory: up to
// 32 MB over all threads by default, filled slowly as the stages' threads
// free what the workers built, so a sensor's RSS kept rising for its first
// half hour (docs/decisions.md "Live monitor"). A sensor wants flat memory
// more than the last percent of speed: 4 MB (measured: no CPU difference on
// the bench's clinical mix).
extern "C" int MallocExtension_SetNumericProperty(const char* property, size_t value) __attribute__((weak));
constexpr size_t kThreadCacheBytes = size_t{4} << 20;

// The reader thread's loop: packets into the dispatcher, a tick when due,
// a stats event every interval, freed memory back to the system; until a
// signal.
void read_until_stopped(LiveCapture& cap, Dispatcher& d, BatchingSink& sink, unsigned stats_interval,
                        Clock::time_point t0) {
  RawPacket r;
  auto next_tick = Clock::now() + kTick;
  auto next_stats = Clock::now() + std::chrono::seconds(stats_interval);
  auto next_release = Clock::now() + kReleaseEvery;
  std::vector<uint64_t> seen_drops;
  while (!g_interrupted.load(std::memory_order_relaxed)) {
    if (cap.next(r, kPollMs)) d.handle(r);
    auto now = Clock::now();
    if (now >= next_tick) {
      d.tick(wall_now());
      sink.flush();
      next_tick = now + kTick;
    }
    if (now >= next_stats) {
      const auto& st = cap.poll_stats();
      warn_drops(st, seen_drops);
      double up = std::chrono::duration<double>(now - t0).count();
      sink.emit(make_live_stats_event(wall_now(), up, d.stats(), st));
      sink.flush();
      next_stats = now + std::chrono::seconds(stats_interval);
    }
    if (now >= next_release) {
      if (MallocExtension_ReleaseFreeMemory) MallocExtension_ReleaseFreeMemory();
      next_release = now + kReleaseEvery;
    }
  }
}

// `--read`: the same loop over a capture file at CPU speed, the packets'
// own time pacing what the wall clock paces live (ticks, stats events,
// releases); until the file ends or a signal.
void read_file_until_end(CaptureReader& cap, Dispatcher& d, BatchingSink& sink, unsigned stats_interval) {
  const TimeNs tick = std::chrono::duration_cast<std::chrono::nanoseconds>(kTick).count();
  const TimeNs stats = static_cast<TimeNs>(stats_interval) * kNsPerSec;
  const TimeNs release = std::chrono::duration_cast<std::chrono::nanoseconds>(kReleaseEvery).count();
  const std::vector<LiveIfStats> no_interfaces;
  RawPacket r;
  TimeNs first = -1, next_tick = 0, next_stats = 0, next_release = 0;
  while (!g_interrupted.load(std::memory_order_relaxed) && cap.next(r)) {
    d.handle(r);
    if (first < 0) {
      first = r.ts;
      next_tick = r.ts + tick;
      next_stats = r.ts + stats;
      next_release = r.ts + release;
    }
    if (r.ts >= next_tick) {
      d.tick(r.ts);
      sink.flush();
      next_tick = r.ts + tick;
    }
    if (r.ts >= next_stats) {
      double up = static_cast<double>(r.ts - first) / kNsPerSec;
      sink.emit(make_live_stats_event(r.ts, up, d.stats(), no_interfaces));
      sink.flush();
      while (next_stats <= r.ts) next_stats += stats;  // every `stats` of packet time, across gaps
    }
    if (r.ts >= next_release) {
      if (MallocExtension_ReleaseFreeMemory) MallocExtension_ReleaseFreeMemory();
      next_release = r.ts + release;
    }
  }
  for (const std::string& w : cap.warnings()) std::cerr << "medsentry: warning: " << w << "\n";
}

}  // namespace

int run_monitor(const MonitorOptions& mo) {
  const AnalyzeOptions& opt = mo.base;
  auto t0 = Clock::now();
  int workers = opt.workers > 0 ? opt.workers : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (MallocExtension_SetNumericProperty)
    MallocExtension_SetNumericProperty("tcmalloc.max_total_thread_cache_bytes", kThreadCacheBytes);
  Prepared prep;
  if (int rc = prepare(mo, prep)) return rc;
  Pipeline& out = *prep.out;
  std::cerr << "medsentry: " << (prep.file ? "reading " : "monitoring ") << prep.source.substr(5) << " with " << workers
            << (workers == 1 ? " worker" : " workers") << "; events in " << prep.outdir << ", inventory "
            << (opt.inventory ? prep.inventory_db : std::string("off")) << "\n";

  FlowConfig fcfg = opt.flow;
  fcfg.timeout[kClassTcpClosed] = static_cast<TimeNs>(mo.closed_timeout_ms) * 1'000'000;
  fcfg.active_timeout = static_cast<TimeNs>(mo.flow_interval_s) * kNsPerSec;
  fcfg.max_flows = std::max<size_t>(1, fcfg.max_flows / static_cast<size_t>(workers));
  fcfg.phi = prep.phi.get();
  fcfg.hash_seed = std::random_device{}() | (static_cast<uint64_t>(std::random_device{}()) << 32);
  InlineWorker inline_worker(fcfg, out);
  std::vector<std::unique_ptr<ThreadedWorker>> threaded;
  std::vector<PacketConsumer*> consumers{&inline_worker};
  for (int i = 1; i < workers; ++i) {
    threaded.push_back(std::make_unique<ThreadedWorker>(fcfg, out));
    consumers.push_back(threaded.back().get());
  }
  BatchingSink reader_sink(out);
  Dispatcher dispatcher(consumers, reader_sink, opt.anomaly_events_per_reason);

  std::thread reader([&] {
    name_thread("ms-reader");
    if (prep.file) {
      read_file_until_end(*prep.file, dispatcher, reader_sink, mo.stats_interval);
    } else {
      read_until_stopped(*prep.capture, dispatcher, reader_sink, mo.stats_interval, t0);
    }
    dispatcher.finish();
    reader_sink.flush();
  });
  reader.join();

  FlowStats fstats = inline_worker.stats();
  for (auto& w : threaded) {
    w->join();
    fstats.add(w->stats());
  }
  Summary sum;
  sum.workers = workers;
  sum.dispatch = dispatcher.stats();
  sum.defrag = dispatcher.defrag_stats();
  sum.floods = dispatcher.flood_stats();
  sum.flows = fstats;
  sum.elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
  sum.monitor = true;
  if (prep.capture) sum.live = prep.capture->poll_stats();
  sum.files = prep.file ? 1 : 0;
  out.set_meta("medsentry_version", MEDSENTRY_VERSION);
  out.set_meta("captures", prep.source);
  out.set_meta("workers", std::to_string(workers));
  out.set_meta("phi_in_clear", "no");
  std::string err;
  bool ok = out.finish(err, [&]() {
    if (const inv::Stats* is = out.inventory_stats()) {
      sum.has_inventory = true;
      sum.inventory = *is;
      sum.inventory_db = prep.inventory_db;
    }
    if (const detect::Stats* ds = out.detect_stats()) {
      sum.has_detect = true;
      sum.detect = *ds;
    }
    std::vector<Event> last;
    last.push_back(make_stats_event(sum));
    return last;
  });
  sum.event_counts = out.counts();
  sum.outdir = prep.outdir;
  if (!opt.quiet) print_summary(std::cout, sum);
  if (!ok) {
    std::cerr << "medsentry: error: " << err << " (output written before the failure is kept)\n";
    return 1;
  }
  return 0;
}

}  // namespace ms
