// The stages after the workers, wired (ARCHITECTURE.md "fan-out"): the
// writers, the inventory and the detections each consume every batch through
// the fan-out; at the end of the run the inventory derives its devices, the
// detections judge with the inventory's facts, and the writers write both,
// then the last events (the stats) and close. New consumers (the live
// monitor's publishers, the fleet exporter) are added here, beside them.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "app/fanout.h"
#include "app/live_stages.h"
#include "detect/engine.h"
#include "inventory/inventory.h"
#include "output/event_writer.h"

namespace ms {

class Pipeline : public BatchPort {
 public:
  // Creates the output files; throws std::runtime_error with a one-line
  // message. `inventory` and `detect` may be null (--no-inventory, --no-detect).
  // `live` (the monitor): the inventory and the detections also act while
  // the run goes on (app/live_stages.h); null for an analysis.
  Pipeline(const std::string& outdir, std::unique_ptr<inv::Inventory> inventory,
           std::unique_ptr<detect::Engine> detect, const LiveTiming* live = nullptr);
  ~Pipeline() override;

  void push(std::vector<Event>&& batch) override { fan_.push(std::move(batch)); }
  void set_meta(const std::string& key, const std::string& value) { writer_->set_meta(key, value); }
  // Drains every consumer, writes the inventory's device events, the alerts,
  // then what `last` returns (the stats event closes events.jsonl), and
  // closes the files. Returns false and fills `error` if a stage failed (the
  // output written before the failure is kept).
  bool finish(std::string& error, const std::function<std::vector<Event>()>& last = {});

  // Valid after finish(); null when the stage is off.
  const inv::Stats* inventory_stats() const { return inventory_ ? &inventory_->stats() : nullptr; }
  const detect::Stats* detect_stats() const { return detect_ ? &detect_->stats() : nullptr; }
  const std::map<std::string, uint64_t>& counts() const { return writer_->counts(); }

 private:
  struct InventoryConsumer : BatchConsumer {
    inv::Inventory& inv;
    explicit InventoryConsumer(inv::Inventory& i) : inv(i) {}
    const char* thread_name() const override { return "ms-inventory"; }
    void start() override { inv.prepare(); }  // loads the registries while the capture is read
    void take(const std::vector<Event>& batch) override;
  };
  struct DetectConsumer : BatchConsumer {
    detect::Engine& det;
    explicit DetectConsumer(detect::Engine& d) : det(d) {}
    const char* thread_name() const override { return "ms-detect"; }
    void take(const std::vector<Event>& batch) override;
  };
  std::vector<Event> end_of_run(std::vector<Event>& alerts);
  std::vector<Event> drain(std::vector<Event>& alerts);
  std::vector<Event> drain_live(std::vector<Event>& alerts);
  std::string build_indexes();
  void add_live_stages(const LiveTiming& t);

  std::unique_ptr<EventWriter> writer_;
  std::unique_ptr<inv::Inventory> inventory_;
  std::unique_ptr<detect::Engine> detect_;
  std::unique_ptr<InventoryConsumer> inv_consumer_;
  std::unique_ptr<DetectConsumer> det_consumer_;
  // The monitor's stages instead of the three above (null for an analysis).
  std::unique_ptr<Outbox> outbox_;
  std::unique_ptr<LiveWriter> live_writer_;
  std::unique_ptr<LiveInventory> live_inv_;
  std::unique_ptr<LiveDetect> live_det_;
  FanOut fan_;
  std::string error_;
  bool finished_ = false;
};

}  // namespace ms
