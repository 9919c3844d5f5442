// Thread wiring of an analysis: reader/dispatcher thread, workers, output
// thread; the calling thread draws the progress bar and prints the summary.
#include "app/analyze.h"

#include <sys/stat.h>
#include <unistd.h>

#include <pthread.h>

#include <cerrno>
#include <csignal>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <optional>
#include <random>
#include <thread>

#include "app/dispatcher.h"
#include "app/progress.h"
#include "app/summary.h"
#include "app/workers.h"
#include "capture/capture_file.h"
#include "common/phi.h"
#include "common/thread_name.h"
#include "app/pipeline.h"
#include "segment/policy.h"

namespace ms {

std::atomic<bool> g_interrupted{false};

namespace {

bool make_dirs(const std::string& path, std::string& err) {
  std::string cur;
  size_t i = 0;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    cur = path.substr(0, j);
    i = j + 1;
    if (cur.empty()) continue;
    struct stat st;
    if (stat(cur.c_str(), &st) == 0) {
      if (!S_ISDIR(st.st_mode)) {
        err = cur + ": exists and is not a directory";
        return false;
      }
      continue;
    }
    if (mkdir(cur.c_str(), 0750) != 0 && errno != EEXIST) {
      err = cur + ": cannot create directory: " + std::strerror(errno);
      return false;
    }
  }
  if (access(path.c_str(), W_OK) != 0) {
    err = path + ": output directory is not writable: " + std::strerror(errno);
    return false;
  }
  return true;
}

}  // namespace

namespace {

// What is opened and checked before anything is written, so that a bad
// file, key or option changes nothing.
struct Prepared {
  std::unique_ptr<CaptureReader> reader;
  detect::Config detect_config = detect::default_config();
  std::optional<detect::Baseline> baseline;
  std::unique_ptr<PhiTokenizer> phi;
};

// 0, or the exit code after one line on stderr.
int prepare(const AnalyzeOptions& opt, Prepared& p) {
  try {
    p.reader = std::make_unique<CaptureReader>(opt.captures);
  } catch (const CaptureError& e) {
    std::cerr << "medsentry: error: " << e.what() << "\n";
    return 1;
  }
  try {
    if (!opt.config.empty()) p.detect_config = detect::load_config(opt.config);
    if (!opt.baseline.empty()) p.baseline = detect::load_baseline(opt.baseline);
    if (!opt.policy.empty()) {
      auto pol = std::make_shared<seg::Policy>();
      std::string err;
      if (!seg::read_policy(opt.policy, *pol, err)) throw std::runtime_error(err);
      p.detect_config.segment_policy = std::move(pol);
    }
  } catch (const std::exception& e) {
    std::cerr << "medsentry: error: " << e.what() << "\n";
    return 2;
  }
  try {
    if (opt.keep_phi) {
      p.phi = std::make_unique<PhiTokenizer>(std::array<uint8_t, PhiTokenizer::kKeyLen>{}, true);
    } else {
      p.phi = std::make_unique<PhiTokenizer>(
          PhiTokenizer::load_or_create(opt.phi_key.empty() ? PhiTokenizer::default_path() : opt.phi_key));
    }
  } catch (const std::exception& e) {
    std::cerr << "medsentry: error: " << e.what() << "\n";
    return 1;
  }
  if (opt.keep_phi) {
    std::cerr << "medsentry: WARNING: --keep-phi: patient names, IDs and birth dates will be written IN CLEAR to "
              << opt.outdir << "; protect or delete that output\n";
  }
  std::string err;
  if (!make_dirs(opt.outdir, err)) {
    std::cerr << "medsentry: error: " << err << "\n";
    return 1;
  }
  return 0;
}

// The stages after the workers; null after one line on stderr.
std::unique_ptr<Pipeline> make_pipeline(const AnalyzeOptions& opt, Prepared& p, const std::string& captures,
                                        const std::string& inventory_db) {
  try {
    std::unique_ptr<inv::Inventory> inventory;
    if (opt.inventory) {
      inv::Options io;
      io.db_path = inventory_db;
      io.max_devices = opt.max_devices;
      io.capture_key = inv::capture_key_of(opt.captures);
      io.capture_files = captures;
      inventory = std::make_unique<inv::Inventory>(io);
    }
    std::unique_ptr<detect::Engine> detector;
    if (opt.detect) {
      detector = std::make_unique<detect::Engine>(std::move(p.detect_config));
      if (p.baseline) detector->set_baseline(std::move(*p.baseline));
      if (!opt.learn_baseline.empty()) detector->learn_baseline_to(opt.learn_baseline);
    }
    return std::make_unique<Pipeline>(opt.outdir, std::move(inventory), std::move(detector));
  } catch (const std::exception& e) {
    std::cerr << "medsentry: error: " << e.what() << "\n";
    return nullptr;
  }
}

}  // namespace

namespace {

// The inventory's and the database's record of the input, one file a line.
// Absolute, so `medsentry evidence` and the console (another process,
// another working directory) find the files again.
std::string capture_record(const std::vector<std::string>& files) {
  std::string out;
  for (const auto& c : files) {
    std::error_code ec;
    std::filesystem::path abs = std::filesystem::absolute(c, ec);
    out += (out.empty() ? "" : "\n") + (ec ? c : abs.lexically_normal().string());
  }
  return out;
}

}  // namespace

int run_analyze(const AnalyzeOptions& opt) {
  auto t0 = std::chrono::steady_clock::now();
  int workers = opt.workers > 0 ? opt.workers : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  Prepared prep;
  if (int rc = prepare(opt, prep)) return rc;
  std::unique_ptr<CaptureReader>& reader = prep.reader;
  std::unique_ptr<PhiTokenizer>& phi = prep.phi;
  std::string err;
  std::string captures = capture_record(opt.captures);
  std::string inventory_db = opt.inventory_db.empty() ? inv::default_db_path() : opt.inventory_db;
  std::unique_ptr<Pipeline> out = make_pipeline(opt, prep, captures, inventory_db);
  if (!out) return 1;

  FlowConfig fcfg = opt.flow;
  fcfg.max_flows = std::max<size_t>(1, fcfg.max_flows / static_cast<size_t>(workers));
  fcfg.phi = phi.get();
  fcfg.hash_seed = std::random_device{}() | (static_cast<uint64_t>(std::random_device{}()) << 32);

  std::vector<std::unique_ptr<ThreadedWorker>> threaded;
  std::unique_ptr<InlineWorker> inline_worker;
  std::vector<PacketConsumer*> consumers;
  // The reader's own thread works shard 0; the other shards get a thread
  // each. One thread fewer than workers + 1 keeps the cores for real work.
  inline_worker = std::make_unique<InlineWorker>(fcfg, *out);
  consumers.push_back(inline_worker.get());
  for (int i = 1; i < workers; ++i) {
    threaded.push_back(std::make_unique<ThreadedWorker>(fcfg, *out));
    consumers.push_back(threaded.back().get());
  }

  BatchingSink reader_sink(*out);
  Dispatcher dispatcher(consumers, reader_sink, opt.anomaly_events_per_reason);
  std::atomic<uint64_t> progress_bytes{0}, progress_packets{0};
  std::atomic<bool> reading_done{false};

  std::thread reader_thread([&] {
    name_thread("ms-reader");
    RawPacket r;
    uint64_t n = 0;
    while (!g_interrupted.load(std::memory_order_relaxed) && reader->next(r)) {
      dispatcher.handle(r);
      if ((++n & 0x3FFF) == 0) {
        progress_bytes.store(reader->bytes_read(), std::memory_order_relaxed);
        progress_packets.store(n, std::memory_order_relaxed);
      }
    }
    dispatcher.finish();
    reader_sink.flush();
    reading_done.store(true);
  });

  bool show_progress = opt.progress < 0 ? isatty(STDERR_FILENO) == 1 : opt.progress == 1;
  Progress bar(reader->total_bytes(), show_progress);
  while (!reading_done.load()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    bar.update(progress_bytes.load(), progress_packets.load());
    if (g_interrupted.load() && !reading_done.load()) {
      // The signal may have reached another thread while the reader is
      // blocked in read() (a pipe, a slow disk): interrupt that call.
      pthread_kill(reader_thread.native_handle(), SIGINT);
    }
  }
  reader_thread.join();
  bar.done();

  FlowStats fstats = inline_worker->stats();
  for (auto& w : threaded) {
    w->join();
    fstats.add(w->stats());
  }
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  Summary sum;
  sum.files = opt.captures.size();
  sum.workers = workers;
  sum.dispatch = dispatcher.stats();
  sum.defrag = dispatcher.defrag_stats();
  sum.floods = dispatcher.flood_stats();
  sum.flows = fstats;
  sum.elapsed = elapsed;
  sum.warnings = reader->warnings();
  sum.interrupted = g_interrupted.load();
  out->set_meta("medsentry_version", MEDSENTRY_VERSION);
  out->set_meta("captures", captures);
  out->set_meta("workers", std::to_string(workers));
  out->set_meta("phi_in_clear", opt.keep_phi ? "yes" : "no");

  for (const std::string& w : reader->warnings()) std::cerr << "medsentry: warning: " << w << "\n";
  // The inventory's device events, then the stats event, close events.jsonl.
  bool ok = out->finish(err, [&]() {
    if (const inv::Stats* is = out->inventory_stats()) {
      sum.has_inventory = true;
      sum.inventory = *is;
      sum.inventory_db = inventory_db;
    }
    if (const detect::Stats* ds = out->detect_stats()) {
      sum.has_detect = true;
      sum.detect = *ds;
    }
    std::vector<Event> last;
    last.push_back(make_stats_event(sum));
    return last;
  });
  sum.event_counts = out->counts();
  sum.outdir = opt.outdir;
  if (!opt.quiet) print_summary(std::cout, sum);
  if (!ok) {
    std::cerr << "medsentry: error: " << err << " (output written before the failure is kept)\n";
    return 1;
  }
  if (sum.interrupted) {
    std::cerr << "medsentry: warning: interrupted; results up to that point are complete and kept\n";
    return 130;
  }
  return 0;
}

}  // namespace ms
