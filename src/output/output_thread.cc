// The output thread: JSON lines and SQLite, flushed batch by batch so that a
// failure or an interruption keeps everything written before it.
#include "output/output_thread.h"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <thread>

#include "common/thread_name.h"

namespace ms {

OutputThread::OutputThread(const std::string& outdir, std::unique_ptr<inv::Inventory> inventory,
                           std::unique_ptr<detect::Engine> detect)
    : outdir_(outdir), inventory_(std::move(inventory)), detect_(std::move(detect)) {
  std::string path = jsonl_path();
  jsonl_ = std::fopen(path.c_str(), "w");
  if (!jsonl_) throw std::runtime_error(path + ": cannot create: " + std::strerror(errno));
  std::setvbuf(jsonl_, nullptr, _IOFBF, 1 << 20);
  try {
    db_ = std::make_unique<SqliteWriter>(db_path());
  } catch (...) {
    std::fclose(jsonl_);
    jsonl_ = nullptr;
    throw;
  }
  thread_ = std::thread([this] {
    name_thread("ms-output");
    run();
  });
  if (inventory_) {
    inv_thread_ = std::thread([this] {
      name_thread("ms-inventory");
      inventory_->prepare();  // loads the registries while the capture is read
      run_consumer(inv_q_, inv_error_, "inventory: ", [this](const Event& e) { inventory_->add(e); });
    });
  }
  if (detect_) {
    det_thread_ = std::thread([this] {
      name_thread("ms-detect");
      run_consumer(det_q_, det_error_, "detections: ", [this](const Event& e) { detect_->add(e); });
    });
  }
}

void OutputThread::run_consumer(BoundedQueue<Shared>& q, std::string& error, const char* what,
                                const std::function<void(const Event&)>& add) {
  for (;;) {
    std::optional<Shared> batch = q.pop();
    if (!batch) break;
    if (!error.empty()) continue;  // keep draining so the writer never blocks
    try {
      for (const Event& e : **batch) add(e);
    } catch (const std::exception& ex) {
      error = std::string(what) + ex.what();
    }
  }
}

void OutputThread::consume(std::vector<Event>&& batch) {
  if (!inventory_ && !detect_) {
    write_batch(batch);
    return;
  }
  Shared s = std::make_shared<const std::vector<Event>>(std::move(batch));
  if (inventory_) inv_q_.push(s);
  if (detect_) det_q_.push(s);
  write_batch(*s);
}

OutputThread::~OutputThread() {
  std::string ignored;
  finish(ignored);
}

void OutputThread::set_meta(const std::string& key, const std::string& value) {
  meta_.emplace_back(key, value);
}

void OutputThread::write_batch(const std::vector<Event>& batch) {
  for (const Event& e : batch) {
    fwrite_unlocked(e.json.data(), 1, e.json.size(), jsonl_);  // only this thread writes
    fputc_unlocked('\n', jsonl_);
    ++counts_[e.event_type];
  }
  written_ += batch.size();
  db_->write(batch);
  if (std::ferror(jsonl_)) throw std::runtime_error(jsonl_path() + ": write failed: " + std::strerror(errno));
}

void OutputThread::run() {
  // SQLite commits at most every kCommitEvery (and every 20,000 rows):
  // committing whenever the queue ran dry, after nearly every batch, cost a
  // fifth of this thread. A crash loses at most that much of the database;
  // events.jsonl is flushed whenever the queue runs dry.
  constexpr auto kCommitEvery = std::chrono::milliseconds(250);
  for (;;) {
    std::optional<std::vector<Event>> batch;
    auto open = db_->open_since();
    if (open && error_.empty()) {
      bool timed_out = false;
      batch = q_.pop_until(*open + kCommitEvery, timed_out);
      if (timed_out) {
        try {
          db_->flush();
        } catch (const std::exception& ex) {
          error_ = ex.what();
        }
        continue;
      }
    } else {
      batch = q_.pop();
    }
    if (!batch) break;
    if (!error_.empty()) continue;  // keep draining so producers never block
    try {
      consume(std::move(*batch));
      std::vector<Event> more;
      while (q_.try_pop(more)) {
        consume(std::move(more));
        more.clear();
      }
      // Idle: hand the lines to the file system before waiting.
      if (std::fflush(jsonl_) != 0) throw std::runtime_error(jsonl_path() + ": " + std::strerror(errno));
      if (auto since = db_->open_since(); since && std::chrono::steady_clock::now() - *since >= kCommitEvery) {
        db_->flush();
      }
    } catch (const std::exception& ex) {
      error_ = ex.what();
    }
  }
}

bool OutputThread::finish(std::string& error, const std::function<std::vector<Event>()>& last) {
  if (!finished_) {
    finished_ = true;
    q_.close();
    if (thread_.joinable()) thread_.join();
    inv_q_.close();
    det_q_.close();
    // The events table's indexes are built on a helper thread as soon as
    // every event is written: while the inventory and the detections catch
    // up, then while the inventory derives and the detections judge (they
    // use the inventory's database, not this one). Their events are written
    // once it is done.
    std::string index_error;
    std::thread indexer;
    if (error_.empty()) {
      indexer = std::thread([this, &index_error] {
        name_thread("ms-indexer");
        try {
          db_->build_indexes();
        } catch (const std::exception& ex) {
          index_error = ex.what();
        }
      });
    }
    if (inv_thread_.joinable()) inv_thread_.join();
    if (det_thread_.joinable()) det_thread_.join();
    // The consumers have ended: what follows runs here and on the indexer.
    if (error_.empty() && !inv_error_.empty()) error_ = inv_error_;
    if (error_.empty() && !det_error_.empty()) error_ = det_error_;
    std::vector<Event> devices, alerts;
    if (inventory_ && error_.empty()) {
      try {
        devices = inventory_->finish();  // device events are not observations: written only
      } catch (const std::exception& ex) {
        error_ = std::string("inventory: ") + ex.what();
      }
    }
    if (detect_ && error_.empty()) {
      try {
        detect::Facts facts;
        if (inventory_) facts = detect::load_facts(inventory_->db());
        std::vector<detect::Alert> found = detect_->finish(facts);
        if (inventory_) detect::store_alerts(inventory_->db(), inventory_->capture_id(), found);
        alerts = detect::alert_events(found);
      } catch (const std::exception& ex) {
        error_ = std::string("detections: ") + ex.what();
      }
    }
    if (indexer.joinable()) indexer.join();
    if (error_.empty() && !index_error.empty()) error_ = index_error;
    for (std::vector<Event>* evs : {&devices, &alerts}) {
      if (!error_.empty()) break;
      try {
        write_batch(*evs);
      } catch (const std::exception& ex) {
        error_ = ex.what();
      }
    }
    if (last && error_.empty()) {
      try {
        write_batch(last());
      } catch (const std::exception& ex) {
        error_ = ex.what();
      }
    }
    try {
      for (const auto& [k, v] : meta_) db_->set_meta(k, v);
      db_->close();
    } catch (const std::exception& ex) {
      if (error_.empty()) error_ = ex.what();
    }
    if (jsonl_) {
      if (std::fclose(jsonl_) != 0 && error_.empty()) error_ = jsonl_path() + ": " + std::strerror(errno);
      jsonl_ = nullptr;
    }
  }
  error = error_;
  return error_.empty();
}

}  // namespace ms
