// The fan-out's consumers in `medsentry monitor` (ARCHITECTURE.md "fan-out";
// docs/decisions.md "Live monitor"): the same writers, inventory and
// detections as `analyze`, which also act while the run goes on. The
// inventory writes its observations and derives the devices about once a
// second (a checkpoint), the detections judge what they have as often and
// store the alerts, and both hand their `device` and `alert` events to the
// writer through an outbox. Every one runs on its own fan-out thread, and
// the detections read the inventory through a connection of their own
// (SQLite WAL: readers never wait for the writer).
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "app/compressor.h"
#include "detect/engine.h"
#include "events/batch.h"
#include "inventory/inventory.h"
#include "output/event_writer.h"

namespace ms {

using SteadyTime = std::chrono::steady_clock::time_point;

// Events made off the writer's thread, waiting for it.
class Outbox {
 public:
  void put(std::vector<Event>&& ev);
  std::vector<Event> take();

 private:
  std::mutex m_;
  std::vector<Event> ev_;
};

// How often the live stages act.
struct LiveTiming {
  std::chrono::milliseconds checkpoint{500};    // inventory and detections, at most this often
  std::chrono::milliseconds writer_wake{200};   // the writer's commit and outbox
  std::chrono::seconds alert_refresh{60};       // an alert that grows is written again at most this often
  // Events rotation (0: never): the writer starts new files after this many
  // bytes of JSON lines or this long; then retention removes the oldest
  // finished files under `outdir`'s live-*/ directories beyond a total size
  // or an age (0: no limit).
  uint64_t rotate_bytes = 0;
  std::chrono::seconds rotate_every{0};
  uint64_t retain_bytes = 0;
  std::chrono::seconds retain_age{0};
  bool zstd = false;  // finished JSON lines through zstd (app/compressor.h)
  std::string outdir;
  // SIGHUP: the detections reload `config` when the flag is set.
  std::string config;
  std::atomic<bool>* reload = nullptr;
};

// The writers, also writing the outbox and committing at least every
// `writer_wake` (so the database and the JSON lines are current).
class LiveWriter : public BatchConsumer {
 public:
  LiveWriter(EventWriter& w, Outbox& box, const LiveTiming& t);
  const char* thread_name() const override { return "ms-output"; }
  void take(const std::vector<Event>& batch) override;
  void idle() override;
  std::optional<SteadyTime> deadline() const override { return next_; }
  void on_deadline() override;

 private:
  void drain();
  void maybe_rotate();
  EventWriter& w_;
  Outbox& box_;
  LiveTiming t_;
  SegmentCompressor zstd_;
  SteadyTime segment_start_;
  std::string segment_tag_;  // UTC start of the current files
  SteadyTime next_ = std::chrono::steady_clock::now();
};

// The inventory with checkpoints: observations written and devices derived
// when something new came and the last checkpoint is `checkpoint` old (or
// four times what the last one took, so a large inventory does not spend
// its thread deriving).
class LiveInventory : public BatchConsumer {
 public:
  LiveInventory(inv::Inventory& inv, Outbox& box, const LiveTiming& t) : inv_(inv), box_(box), t_(t) {}
  const char* thread_name() const override { return "ms-inventory"; }
  void start() override;
  void take(const std::vector<Event>& batch) override;
  void idle() override { maybe_checkpoint(); }
  std::optional<SteadyTime> deadline() const override { return next_; }
  void on_deadline() override { maybe_checkpoint(); }

 private:
  void maybe_checkpoint();
  inv::Inventory& inv_;
  Outbox& box_;
  LiveTiming t_;
  bool dirty_ = false;
  SteadyTime next_ = std::chrono::steady_clock::now();
};

// The detections with periodic judgement: alerts stored in the inventory's
// `alerts` table as they are raised; an `alert` event when an alert is new,
// and again when it changed (its count grew: at most every `alert_refresh`,
// and at the end): the last line of an alert id is its final state.
class LiveDetect : public BatchConsumer {
 public:
  // `db_path` empty: no inventory, alerts only as events.
  LiveDetect(detect::Engine& det, std::string db_path, int64_t capture_id, Outbox& box, const LiveTiming& t);
  const char* thread_name() const override { return "ms-detect"; }
  void start() override;
  void take(const std::vector<Event>& batch) override;
  void idle() override { maybe_judge(); }
  std::optional<SteadyTime> deadline() const override { return next_; }
  void on_deadline() override { maybe_judge(); }
  // At the end of the run (the thread has stopped): the alert events of
  // `found` not written yet in that state.
  std::vector<Event> final_events(const std::vector<detect::Alert>& found);

 private:
  struct Published {
    size_t digest = 0;  // of the alert's JSON as written
    SteadyTime when;
  };
  void maybe_judge();
  void maybe_reload();
  // The alerts to write: new ones, changed ones (at most every
  // alert_refresh, and at the end), and those no longer judged whose last
  // state was not written yet (their rule's state expired: they are final).
  std::vector<detect::Alert> changed(const std::vector<detect::Alert>& found, bool at_end);

  detect::Engine& det_;
  std::string db_path_;
  int64_t capture_id_;
  std::unique_ptr<inv::Db> db_;
  Outbox& box_;
  LiveTiming t_;
  bool dirty_ = false;
  SteadyTime next_ = std::chrono::steady_clock::now();
  // Alert id -> what was written, for the alerts judged at the last
  // judgement (an alert no longer judged is final and forgotten).
  std::map<std::string, Published> published_;
  std::map<std::string, detect::Alert> unwritten_;  // alert id -> its last state, not written yet
};

}  // namespace ms
