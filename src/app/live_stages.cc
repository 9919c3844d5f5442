// The monitor's live stages (live_stages.h).
#include "app/live_stages.h"

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <functional>
#include <iostream>
#include <stdexcept>

#include "detect/alert.h"

namespace ms {

namespace {
using Clock = std::chrono::steady_clock;
// Alerts whose written state is remembered; beyond, a grown alert is only
// written again at the end (the table is bounded like every other).
constexpr size_t kMaxPublished = 200000;
}  // namespace

void Outbox::put(std::vector<Event>&& ev) {
  if (ev.empty()) return;
  std::lock_guard<std::mutex> lk(m_);
  for (Event& e : ev) ev_.push_back(std::move(e));
}

std::vector<Event> Outbox::take() {
  std::lock_guard<std::mutex> lk(m_);
  std::vector<Event> out;
  out.swap(ev_);
  return out;
}

// ---------------------------------------------------------------------------

// The current UTC time as events-YYYYMMDDTHHMMSS names it.
std::string utc_tag() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%S", &tm);
  return buf;
}

// TAG of events-TAG.jsonl[.zst] or medsentry-TAG.db; "" for another name.
std::string segment_tag_of(const std::string& n) {
  auto cut = [&n](size_t prefix, const char* suffix) -> std::string {
    size_t sl = std::char_traits<char>::length(suffix);
    if (n.size() <= prefix + sl || n.compare(n.size() - sl, sl, suffix) != 0) return "";
    return n.substr(prefix, n.size() - prefix - sl);
  };
  if (n.rfind("events-", 0) == 0) {
    std::string t = cut(7, ".jsonl");
    return t.empty() ? cut(7, ".jsonl.zst") : t;
  }
  if (n.rfind("medsentry-", 0) == 0) return cut(10, ".db");
  return "";
}

// Retention: finished segments (a rotated events-TAG.jsonl with its
// medsentry-TAG.db, or an earlier run's events.jsonl with its medsentry.db)
// under OUTDIR/live-*/, oldest first, removed while over the limits. The
// current run's open files are never among them.
void apply_retention(const LiveTiming& t, const std::string& current_dir) {
  namespace fs = std::filesystem;
  if ((!t.retain_bytes && t.retain_age.count() == 0) || t.outdir.empty()) return;
  struct Segment {
    fs::file_time_type mtime{};
    uint64_t size = 0;
    std::vector<fs::path> files;
  };
  std::map<std::string, Segment> segs;  // directory/tag -> its files
  std::error_code ec;
  for (const auto& run : fs::directory_iterator(t.outdir, ec)) {
    if (!run.is_directory(ec) || run.path().filename().string().rfind("live-", 0) != 0) continue;
    bool current = fs::equivalent(run.path(), current_dir, ec);
    for (const auto& f : fs::directory_iterator(run.path(), ec)) {
      std::string n = f.path().filename().string(), tag = segment_tag_of(n);
      if (tag.empty() && !current && (n == "events.jsonl" || n == "medsentry.db")) tag = "(run)";
      if (tag.empty()) continue;
      if (!f.is_regular_file(ec) || segs.size() >= 100000) continue;  // bounded, like every table
      Segment& s = segs[run.path().string() + "/" + tag];
      s.mtime = std::max(s.mtime, f.last_write_time(ec));
      s.size += f.file_size(ec);
      s.files.push_back(f.path());
    }
  }
  std::vector<Segment*> order;
  uint64_t total = 0;
  for (auto& [k, s] : segs) {
    order.push_back(&s);
    total += s.size;
  }
  std::sort(order.begin(), order.end(), [](const Segment* a, const Segment* b) { return a->mtime < b->mtime; });
  auto now = fs::file_time_type::clock::now();
  for (const Segment* s : order) {
    bool too_old = t.retain_age.count() > 0 && now - s->mtime > t.retain_age;
    bool too_big = t.retain_bytes && total > t.retain_bytes;
    if (!too_old && !too_big) break;
    for (const fs::path& p : s->files) fs::remove(p, ec);
    total -= s->size;
  }
}

LiveWriter::LiveWriter(EventWriter& w, Outbox& box, const LiveTiming& t)
    : w_(w), box_(box), t_(t), segment_start_(Clock::now()), segment_tag_(utc_tag()) {}

void LiveWriter::maybe_rotate() {
  if (w_.jsonl_bytes() == 0) return;  // nothing written: no empty files
  bool by_size = t_.rotate_bytes && w_.jsonl_bytes() >= t_.rotate_bytes;
  bool by_time = t_.rotate_every.count() > 0 && Clock::now() - segment_start_ >= t_.rotate_every;
  if (!by_size && !by_time) return;
  std::string finished = w_.rotate(segment_tag_);
  segment_tag_ = utc_tag();
  if (t_.zstd) zstd_.add(finished);
  segment_start_ = Clock::now();
  apply_retention(t_, w_.outdir());
}

void LiveWriter::drain() {
  std::vector<Event> ev = box_.take();
  if (!ev.empty()) w_.write_final(ev);
}

void LiveWriter::take(const std::vector<Event>& batch) {
  w_.take(batch);
  drain();
  maybe_rotate();
  if (t_.zstd) zstd_.poll();
}

void LiveWriter::idle() {
  drain();
  w_.idle();  // flushes the JSON lines; commits what is 250 ms old
}

void LiveWriter::on_deadline() {
  drain();
  maybe_rotate();
  zstd_.poll();
  w_.idle();
  if (w_.deadline() && *w_.deadline() <= Clock::now()) w_.on_deadline();
  next_ = Clock::now() + t_.writer_wake;
}

// ---------------------------------------------------------------------------

void LiveInventory::start() {
  inv_.prepare();
  next_ = Clock::now() + t_.checkpoint;
}

void LiveInventory::take(const std::vector<Event>& batch) {
  try {
    for (const Event& e : batch) inv_.add(e);
  } catch (const std::exception& ex) {
    throw std::runtime_error(std::string("inventory: ") + ex.what());
  }
  dirty_ = true;
  // A queue that never runs dry never reaches the deadline: check here too.
  if (Clock::now() >= next_) maybe_checkpoint();
}

void LiveInventory::maybe_checkpoint() {
  auto now = Clock::now();
  if (now < next_) return;
  if (!dirty_) {
    next_ = now + t_.checkpoint;
    return;
  }
  try {
    // Inventory::finish() writes what is in memory and derives the devices
    // from the database; called again later it adds what came since, and
    // its events are the devices new or changed since the last call.
    box_.put(inv_.finish());
  } catch (const std::exception& ex) {
    throw std::runtime_error(std::string("inventory: ") + ex.what());
  }
  dirty_ = false;
  auto took = Clock::now() - now;
  next_ = Clock::now() + std::max<Clock::duration>(t_.checkpoint, 4 * took);
}

// ---------------------------------------------------------------------------

LiveDetect::LiveDetect(detect::Engine& det, std::string db_path, int64_t capture_id, Outbox& box,
                       const LiveTiming& t)
    : det_(det), db_path_(std::move(db_path)), capture_id_(capture_id), box_(box), t_(t) {}

void LiveDetect::start() {
  if (!db_path_.empty()) db_ = std::make_unique<inv::Db>(db_path_, false);
  next_ = Clock::now() + t_.checkpoint;
}

void LiveDetect::take(const std::vector<Event>& batch) {
  try {
    for (const Event& e : batch) det_.add(e);
  } catch (const std::exception& ex) {
    throw std::runtime_error(std::string("detections: ") + ex.what());
  }
  dirty_ = true;
  if (Clock::now() >= next_) maybe_judge();
}

std::vector<detect::Alert> LiveDetect::changed(const std::vector<detect::Alert>& found, bool at_end) {
  std::vector<detect::Alert> out;
  auto now = Clock::now();
  std::map<std::string, Published> judged;
  std::map<std::string, detect::Alert> unwritten;
  for (const detect::Alert& a : found) {
    size_t digest = std::hash<std::string>{}(a.json);
    auto it = published_.find(a.id);
    if (it == published_.end()) {
      if (published_.size() >= kMaxPublished && !at_end) continue;  // written at the end
      judged.emplace(a.id, Published{digest, now});
      out.push_back(a);
    } else if (digest != it->second.digest && (at_end || now - it->second.when >= t_.alert_refresh)) {
      judged.emplace(a.id, Published{digest, now});
      out.push_back(a);
    } else {
      judged.emplace(a.id, it->second);
      if (digest != it->second.digest) unwritten.emplace(a.id, a);
    }
  }
  // Judged before, not now: the live expiry dropped its rule's state
  // (detect/expiry.h), or SIGHUP's settings suppress it. Its last state is
  // final; written if it was not.
  for (auto& [id, a] : unwritten_) {
    if (!judged.count(id)) out.push_back(std::move(a));
  }
  published_ = std::move(judged);
  unwritten_ = std::move(unwritten);
  return out;
}

// SIGHUP: the settings file again. A bad file keeps the settings in force
// (a typo must not blind a running sensor); the next judgement uses the new ones.
void LiveDetect::maybe_reload() {
  if (!t_.reload || !t_.reload->exchange(false)) return;
  if (t_.config.empty()) {
    std::cerr << "medsentry: SIGHUP: no --config to reload; settings unchanged\n";
    return;
  }
  try {
    det_.set_config(detect::load_config(t_.config));
    if (db_) detect::drop_suppressed_alerts(*db_, capture_id_, det_.config());
    std::cerr << "medsentry: SIGHUP: reloaded " << t_.config << "\n";
    dirty_ = true;
    next_ = Clock::now();
  } catch (const std::exception& ex) {
    std::cerr << "medsentry: warning: SIGHUP: " << ex.what() << "; the settings in force are kept\n";
  }
}

void LiveDetect::maybe_judge() {
  maybe_reload();
  auto now = Clock::now();
  if (now < next_) return;
  if (!dirty_) {
    next_ = now + t_.checkpoint;
    return;
  }
  try {
    detect::Facts facts;
    if (db_) facts = detect::load_facts(*db_);
    std::vector<detect::Alert> found = det_.judge_now(facts);
    // Stored without removing the others: an alert whose state expired is
    // final and stays (SIGHUP removes the ones it suppresses).
    if (db_) detect::store_alerts(*db_, capture_id_, found, false);
    box_.put(detect::alert_events(changed(found, false)));
    // A months-long run: what the rules keep expires by packet time once
    // judged (detect/expiry.h).
    det_.expire();
  } catch (const std::exception& ex) {
    throw std::runtime_error(std::string("detections: ") + ex.what());
  }
  dirty_ = false;
  auto took = Clock::now() - now;
  next_ = Clock::now() + std::max<Clock::duration>(t_.checkpoint, 4 * took);
}

std::vector<Event> LiveDetect::final_events(const std::vector<detect::Alert>& found) {
  return detect::alert_events(changed(found, true));
}

}  // namespace ms
