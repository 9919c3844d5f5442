// The flow table of one worker: open addressing with linear probing and
// backward-shift deletion, keyed by a seeded hash of the canonical key, plus
// one LRU list per timeout class. Bounded by max_flows; the caller evicts.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "flow/flow.h"

namespace ms {

class FlowTable {
 public:
  explicit FlowTable(size_t max_flows);
  ~FlowTable();
  FlowTable(const FlowTable&) = delete;
  FlowTable& operator=(const FlowTable&) = delete;

  Flow* find(uint64_t hash, const FlowKey& key) const;
  // Inserts a new flow (the table must not be full).
  Flow* insert(uint64_t hash, const FlowKey& key);
  // Removes and frees `f`.
  void remove(Flow* f);

  size_t size() const { return size_; }
  bool full() const { return size_ >= max_flows_; }

  // Moves `f` to the newest end of the list of class `c`.
  void touch(Flow* f, TimeoutClass c);
  Flow* oldest(TimeoutClass c) const { return head_[c]; }
  // The least recently seen flow over all classes.
  Flow* oldest_any() const;

 private:
  struct Slot {
    uint64_t hash;
    Flow* flow;  // nullptr: empty
  };
  void grow();
  void unlink(Flow* f);
  size_t mask() const { return slots_.size() - 1; }

  size_t max_flows_;
  size_t size_ = 0;
  std::vector<Slot> slots_;
  Flow* head_[kNumTimeoutClasses] = {};
  Flow* tail_[kNumTimeoutClasses] = {};
  std::vector<std::unique_ptr<Flow>> free_;  // recycled flows
};

}  // namespace ms
