// Flow table: open addressing (load factor <= 1/2) and LRU lists.
#include "flow/flow_table.h"

#include <algorithm>

namespace ms {

const char* tcp_state_name(TcpState s) {
  switch (s) {
    case TcpState::kNone: return "none";
    case TcpState::kSynSent: return "syn_sent";
    case TcpState::kSynRecv: return "syn_recv";
    case TcpState::kEstablished: return "established";
    case TcpState::kFinWait: return "fin_wait";
    case TcpState::kClosing: return "closing";
    case TcpState::kClosed: return "closed";
    case TcpState::kReset: return "reset";
  }
  return "none";
}

FlowTable::FlowTable(size_t max_flows) : max_flows_(std::max<size_t>(max_flows, 1)) {
  slots_.assign(1024, Slot{0, nullptr});
}

FlowTable::~FlowTable() {
  for (auto& s : slots_) delete s.flow;
}

Flow* FlowTable::find(uint64_t hash, const FlowKey& key) const {
  for (size_t i = hash & mask();; i = (i + 1) & mask()) {
    const Slot& s = slots_[i];
    if (s.flow == nullptr) return nullptr;
    if (s.hash == hash && s.flow->key == key) return s.flow;
  }
}

void FlowTable::grow() {
  std::vector<Slot> old;
  old.swap(slots_);
  slots_.assign(old.size() * 2, Slot{0, nullptr});
  for (const Slot& s : old) {
    if (s.flow == nullptr) continue;
    size_t i = s.hash & mask();
    while (slots_[i].flow != nullptr) i = (i + 1) & mask();
    slots_[i] = s;
  }
}

Flow* FlowTable::insert(uint64_t hash, const FlowKey& key) {
  if ((size_ + 1) * 2 > slots_.size()) grow();
  std::unique_ptr<Flow> f;
  if (!free_.empty()) {
    f = std::move(free_.back());
    free_.pop_back();
    *f = Flow{};
  } else {
    f = std::make_unique<Flow>();
  }
  f->key = key;
  f->hash = hash;
  size_t i = hash & mask();
  while (slots_[i].flow != nullptr) i = (i + 1) & mask();
  slots_[i] = Slot{hash, f.get()};
  ++size_;
  return f.release();
}

void FlowTable::remove(Flow* f) {
  size_t i = f->hash & mask();
  while (slots_[i].flow != f) i = (i + 1) & mask();
  // Backward-shift deletion keeps every probe chain unbroken.
  size_t j = i;
  for (;;) {
    j = (j + 1) & mask();
    if (slots_[j].flow == nullptr) break;
    size_t home = slots_[j].hash & mask();
    // Move slot j into the hole at i if its home is not in (i, j].
    bool between = i <= j ? (home > i && home <= j) : (home > i || home <= j);
    if (!between) {
      slots_[i] = slots_[j];
      i = j;
    }
  }
  slots_[i] = Slot{0, nullptr};
  --size_;
  unlink(f);
  f->dissector.reset();
  if (free_.size() < 256) {
    free_.emplace_back(f);
  } else {
    delete f;
  }
}

void FlowTable::unlink(Flow* f) {
  TimeoutClass c = f->tclass;
  if (f->lru_prev) f->lru_prev->lru_next = f->lru_next; else if (head_[c] == f) head_[c] = f->lru_next;
  if (f->lru_next) f->lru_next->lru_prev = f->lru_prev; else if (tail_[c] == f) tail_[c] = f->lru_prev;
  f->lru_prev = f->lru_next = nullptr;
}

void FlowTable::touch(Flow* f, TimeoutClass c) {
  if (tail_[f->tclass] == f && f->tclass == c) return;
  unlink(f);
  f->tclass = c;
  f->lru_prev = tail_[c];
  f->lru_next = nullptr;
  if (tail_[c]) tail_[c]->lru_next = f; else head_[c] = f;
  tail_[c] = f;
}

Flow* FlowTable::oldest_any() const {
  Flow* best = nullptr;
  for (Flow* h : head_) {
    if (h && (!best || h->last_ts < best->last_ts)) best = h;
  }
  return best;
}

}  // namespace ms
