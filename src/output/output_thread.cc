// The output thread: JSON lines and SQLite, flushed batch by batch so that a
// failure or an interruption keeps everything written before it.
#include "output/output_thread.h"

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace ms {

OutputThread::OutputThread(const std::string& outdir, std::unique_ptr<inv::Inventory> inventory)
    : outdir_(outdir), inventory_(std::move(inventory)) {
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
  thread_ = std::thread([this] { run(); });
  if (inventory_) inv_thread_ = std::thread([this] { run_inventory(); });
}

void OutputThread::run_inventory() {
  inventory_->prepare();  // loads the registries while the capture is read
  for (;;) {
    std::optional<std::vector<Event>> batch = inv_q_.pop();
    if (!batch) break;
    if (!inv_error_.empty()) continue;
    try {
      for (const Event& e : *batch) inventory_->add(e);
    } catch (const std::exception& ex) {
      inv_error_ = std::string("inventory: ") + ex.what();
    }
  }
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
  for (;;) {
    std::optional<std::vector<Event>> batch = q_.pop();
    if (!batch) break;
    if (!error_.empty()) continue;  // keep draining so producers never block
    try {
      write_batch(*batch);
      if (inventory_) inv_q_.push(std::move(*batch));
      std::vector<Event> more;
      while (q_.try_pop(more)) {
        write_batch(more);
        if (inventory_) inv_q_.push(std::move(more));
        more.clear();
      }
      // Idle: make what we have durable before waiting.
      if (std::fflush(jsonl_) != 0) throw std::runtime_error(jsonl_path() + ": " + std::strerror(errno));
      db_->flush();
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
    if (inv_thread_.joinable()) inv_thread_.join();
    // The threads have ended: what follows runs here, alone.
    if (error_.empty() && !inv_error_.empty()) error_ = inv_error_;
    if (inventory_ && error_.empty()) {
      try {
        write_batch(inventory_->finish());  // device events are not observations: written only
      } catch (const std::exception& ex) {
        error_ = std::string("inventory: ") + ex.what();
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
