// The stages after the workers, wired (pipeline.h).
#include "app/pipeline.h"

#include <stdexcept>
#include <thread>

#include "common/thread_name.h"

namespace ms {

void Pipeline::InventoryConsumer::take(const std::vector<Event>& batch) {
  try {
    for (const Event& e : batch) inv.add(e);
  } catch (const std::exception& ex) {
    throw std::runtime_error(std::string("inventory: ") + ex.what());
  }
}

void Pipeline::DetectConsumer::take(const std::vector<Event>& batch) {
  try {
    for (const Event& e : batch) det.add(e);
  } catch (const std::exception& ex) {
    throw std::runtime_error(std::string("detections: ") + ex.what());
  }
}

Pipeline::Pipeline(const std::string& outdir, std::unique_ptr<inv::Inventory> inventory,
                   std::unique_ptr<detect::Engine> detect, const LiveTiming* live)
    : writer_(std::make_unique<EventWriter>(outdir)), inventory_(std::move(inventory)), detect_(std::move(detect)) {
  if (live) {
    add_live_stages(*live);
    fan_.start();
    return;
  }
  fan_.add(writer_.get());
  if (inventory_) {
    inv_consumer_ = std::make_unique<InventoryConsumer>(*inventory_);
    fan_.add(inv_consumer_.get());
  }
  if (detect_) {
    det_consumer_ = std::make_unique<DetectConsumer>(*detect_);
    fan_.add(det_consumer_.get());
  }
  fan_.start();
}

void Pipeline::add_live_stages(const LiveTiming& t) {
  outbox_ = std::make_unique<Outbox>();
  live_writer_ = std::make_unique<LiveWriter>(*writer_, *outbox_, t);
  fan_.add(live_writer_.get());
  if (inventory_) {
    live_inv_ = std::make_unique<LiveInventory>(*inventory_, *outbox_, t);
    fan_.add(live_inv_.get());
  }
  if (detect_) {
    std::string db = inventory_ ? inventory_->db().path() : std::string();
    int64_t capture = inventory_ ? inventory_->capture_id() : 0;
    live_det_ = std::make_unique<LiveDetect>(*detect_, db, capture, *outbox_, t);
    fan_.add(live_det_.get());
  }
}

Pipeline::~Pipeline() {
  std::string ignored;
  finish(ignored);
}

// The inventory's device events (they are not observations: written only),
// then the detections' judgement with the inventory's facts; `alerts` gets
// the alert events.
std::vector<Event> Pipeline::end_of_run(std::vector<Event>& alerts) {
  std::vector<Event> devices;
  if (inventory_ && error_.empty()) {
    try {
      devices = inventory_->finish();
    } catch (const std::exception& ex) {
      error_ = std::string("inventory: ") + ex.what();
    }
  }
  if (detect_ && error_.empty()) {
    try {
      detect::Facts facts;
      if (inventory_) facts = detect::load_facts(inventory_->db());
      std::vector<detect::Alert> found = detect_->finish(facts);
      // Live: the alerts whose state expired stay stored (live_stages.cc).
      if (inventory_) detect::store_alerts(inventory_->db(), inventory_->capture_id(), found, !live_det_);
      // Live: only what the run has not written yet in that state.
      alerts = live_det_ ? live_det_->final_events(found) : detect::alert_events(found);
    } catch (const std::exception& ex) {
      error_ = std::string("detections: ") + ex.what();
    }
  }
  return devices;
}

// The events table's indexes; the error's message, "" if none.
std::string Pipeline::build_indexes() {
  try {
    writer_->build_indexes();
  } catch (const std::exception& ex) {
    return ex.what();
  }
  return "";
}

// An analysis: the inventory and the detections are waited for first, so
// that their end of run (the derivation, the judgement, 40-80 ms on the bench
// capture) overlaps the writer's last batches and the events table's indexes
// (60-90 ms), which are built on a helper thread once the writer has read
// everything. They use the inventory's database, not the events one.
std::vector<Event> Pipeline::drain(std::vector<Event>& alerts) {
  fan_.close_input();
  for (const BatchConsumer* c : {static_cast<const BatchConsumer*>(inv_consumer_.get()),
                                 static_cast<const BatchConsumer*>(det_consumer_.get())}) {
    std::string e = c ? fan_.join(c) : "";
    if (error_.empty()) error_ = e;
  }
  std::string writer_error;
  std::thread indexer([this, &writer_error] {
    name_thread("ms-indexer");
    writer_error = fan_.join(writer_.get());
    if (writer_error.empty()) writer_error = build_indexes();
  });
  std::vector<Event> devices = end_of_run(alerts);
  indexer.join();
  // The writer's messages carry their file; the others are prefixed.
  if (error_.empty()) error_ = writer_error;
  return devices;
}

// The monitor: every stage drained first (the live stages hand what they
// make to the writer through the outbox), then the same end of run while
// the indexes are built.
std::vector<Event> Pipeline::drain_live(std::vector<Event>& alerts) {
  error_ = fan_.close();
  std::string index_error;
  std::thread indexer;
  if (error_.empty()) {
    indexer = std::thread([this, &index_error] {
      name_thread("ms-indexer");
      index_error = build_indexes();
    });
  }
  std::vector<Event> devices = end_of_run(alerts);
  if (indexer.joinable()) indexer.join();
  if (error_.empty()) error_ = index_error;
  return devices;
}

bool Pipeline::finish(std::string& error, const std::function<std::vector<Event>()>& last) {
  if (finished_) {
    error = error_;
    return error_.empty();
  }
  finished_ = true;
  std::vector<Event> alerts;
  std::vector<Event> devices = outbox_ ? drain_live(alerts) : drain(alerts);
  try {
    // Live: what the stages made before they stopped and the writer did not take.
    if (outbox_ && error_.empty()) writer_->write_final(outbox_->take());
    if (error_.empty()) writer_->write_final(devices);
    if (error_.empty()) writer_->write_final(alerts);
    if (last && error_.empty()) writer_->write_final(last());
  } catch (const std::exception& ex) {
    error_ = ex.what();
  }
  try {
    writer_->close();
  } catch (const std::exception& ex) {
    if (error_.empty()) error_ = ex.what();
  }
  error = error_;
  return error_.empty();
}

}  // namespace ms
