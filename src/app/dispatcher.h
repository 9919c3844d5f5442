// The reader side of the pipeline: decodes every packet once, reassembles IP
// fragments, reports decode anomalies, and hands each packet to the worker
// that owns its flow (symmetric hash of the flow key). Because all of this
// happens on one thread in capture order, decode results and anomaly events
// do not depend on the number of workers.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "capture/capture_file.h"
#include "decode/decoder.h"
#include "decode/defrag.h"
#include "decode/flood_meter.h"
#include "events/event.h"

namespace ms {

// Where the dispatcher sends a packet; implemented inline (one worker) or
// by a thread with a queue.
class PacketConsumer {
 public:
  virtual ~PacketConsumer() = default;
  virtual void consume(const Packet& p, TimeNs clock) = 0;
  // End of input: `end_ts` is the time of the capture's last packet.
  virtual void finish(TimeNs end_ts) = 0;
  // Live capture only: no packet for a while, time is now `clock`; flows
  // idle since are ended and the events so far are handed on.
  virtual void tick(TimeNs clock) {}
};

struct DispatchStats {
  uint64_t packets = 0;
  uint64_t bytes = 0;  // on-the-wire frame bytes
  uint64_t non_ip = 0;
  uint64_t undecodable = 0;
  uint64_t snaplen_truncated = 0;
  uint64_t anomalies = 0;
  std::map<std::string, uint64_t> anomaly_reasons;
  std::vector<uint64_t> per_worker;  // packets handed to each worker
  TimeNs first_ts = 0, last_ts = 0;
};

class Dispatcher {
 public:
  Dispatcher(std::vector<PacketConsumer*> workers, EventSink& anomalies, uint64_t events_per_reason,
             DefragLimits defrag_limits = {}, FloodLimits flood_limits = {});

  void handle(const RawPacket& r);
  // Live capture only: the wall clock, when packets are scarce (workers
  // end idle flows and hand on their events; see PacketConsumer::tick).
  void tick(TimeNs now);
  void finish();

  const DispatchStats& stats() const { return stats_; }
  const DefragStats& defrag_stats() const { return defrag_.stats(); }
  const FloodStats& flood_stats() const { return floods_.stats(); }

 private:
  void route(const Packet& p);
  void report(const DecodeAnomalies& an, const Packet& p);

  std::vector<PacketConsumer*> workers_;
  EventSink& sink_;
  uint64_t per_reason_;
  Defragmenter defrag_;
  FloodMeter floods_;
  DispatchStats stats_;
  std::vector<uint8_t> datagram_;
  TimeNs clock_ = 0;  // latest packet time seen
};

}  // namespace ms
