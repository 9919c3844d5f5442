// The monitor's live stages (live_stages.h).
#include "app/live_stages.h"

#include <algorithm>
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

void LiveWriter::drain() {
  std::vector<Event> ev = box_.take();
  if (!ev.empty()) w_.write_final(ev);
}

void LiveWriter::take(const std::vector<Event>& batch) {
  w_.take(batch);
  drain();
}

void LiveWriter::idle() {
  drain();
  w_.idle();  // flushes the JSON lines; commits what is 250 ms old
}

void LiveWriter::on_deadline() {
  drain();
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
  for (const detect::Alert& a : found) {
    size_t digest = std::hash<std::string>{}(a.json);
    auto it = published_.find(a.id);
    if (it == published_.end()) {
      if (published_.size() >= kMaxPublished && !at_end) continue;  // written at the end
      if (published_.size() < kMaxPublished) published_.emplace(a.id, Published{digest, now});
      out.push_back(a);
    } else if (digest != it->second.digest && (at_end || now - it->second.when >= t_.alert_refresh)) {
      it->second = Published{digest, now};
      out.push_back(a);
    }
  }
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
    if (db_) detect::store_alerts(*db_, capture_id_, found);
    box_.put(detect::alert_events(changed(found, false)));
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
