// The rules' shared collection machinery (candidates.h).
#include "detect/candidates.h"

#include <algorithm>
#include <tuple>

#include "detect/fields.h"
#include "detect/rule.h"

namespace ms::detect {

void add_list(Candidate& c, std::string_view list, std::string_view value) {
  if (value.empty()) return;
  auto l = c.lists.find(list);
  if (l == c.lists.end()) l = c.lists.emplace(std::string(list), std::set<std::string, std::less<>>{}).first;
  auto& s = l->second;
  // Most values of a busy feed are listed already: found as they are when
  // cap() would not change them (short, no control bytes).
  bool clean = value.size() <= kMaxValueLen &&
               std::none_of(value.begin(), value.end(), [](char ch) { return static_cast<unsigned char>(ch) < 0x20; });
  if (clean && s.find(value) != s.end()) return;
  s.insert(cap(value));
  if (s.size() > kMaxListValues) s.erase(std::prev(s.end()));
}

void set_field(Candidate& c, const std::string& key, std::string_view value) {
  if (value.empty()) return;
  std::string v = cap(value);
  auto it = c.fields.find(key);
  if (it == c.fields.end()) {
    c.fields.emplace(key, std::move(v));
  } else if (v < it->second) {
    it->second = std::move(v);
  }
}

void write_lists(JsonWriter& w, const Candidate& c) {
  for (const auto& [k, v] : c.counters) w.kv(k, v);
  for (const auto& [k, v] : c.fields) w.kv(k, v);
  for (const auto& [k, vs] : c.lists) {
    w.key(k).begin_array();
    for (const std::string& v : vs) w.value(v);
    w.end_array();
  }
}

FlowRef ref_of(const FlowRow& f) {
  return FlowRef{f.flow_id, f.src_ip, f.dest_ip, f.proto, f.src_port, f.dest_port, f.start, f.end};
}

void EvidenceFlows::ref(const Event& e) {
  if (!e.flow_id || refs_.count(e.flow_id)) return;
  if (refs_.size() >= kMaxFlowRefs) {
    ++stats_.dropped_state;
    return;
  }
  refs_.emplace(e.flow_id, FlowRef{e.flow_id, e.src_ip, e.dest_ip, e.proto, e.src_port, e.dest_port, 0, 0});
}

void EvidenceFlows::offer(const FlowRef& r) {
  if (refs_.size() < kMaxFlowRefs) refs_.emplace(r.id, r);
}

void EvidenceFlows::on_flow(const FlowRow& f) {
  auto it = refs_.find(f.flow_id);
  if (it == refs_.end()) return;
  FlowRef& r = it->second;
  r.start = r.start ? std::min(r.start, f.start) : f.start;
  r.end = std::max(r.end, f.end);
}

void EvidenceFlows::sweep(const std::unordered_set<uint64_t>& keep) {
  for (auto it = refs_.begin(); it != refs_.end();) {
    it = keep.count(it->first) ? std::next(it) : refs_.erase(it);
  }
}

const FlowRef* EvidenceFlows::find(uint64_t id) const {
  auto it = refs_.find(id);
  return it == refs_.end() ? nullptr : &it->second;
}

std::string candidate_key(std::string_view rule, const std::string& src, const std::string& dst,
                          std::string_view protocol) {
  std::string key;
  key.reserve(64);
  key.append(rule).append(1, '\x1f').append(src).append(1, '\x1f').append(dst).append(1, '\x1f').append(protocol);
  return key;
}

Candidate& Candidates::add(std::string_view rule, const std::string& src, const std::string& dst,
                           std::string_view protocol, const Event& e, EvidenceFlows& flows) {
  // A pair seen before (most events) is found without a key allocated.
  key_.assign(rule).append(1, '\x1f').append(src).append(1, '\x1f').append(dst).append(1, '\x1f').append(protocol);
  auto found = map_.find(std::string_view(key_));
  if (found == map_.end()) found = map_.emplace(key_, Candidate{}).first;
  Candidate& c = found->second;
  if (c.count == 0) {
    c.rule = std::string(rule);
    c.src = src;
    c.dst = dst;
    c.protocol = std::string(protocol);
    c.first = e.ts;
    c.last = e.ts;
  }
  ++c.count;
  c.first = std::min(c.first, e.ts);
  c.last = std::max(c.last, e.ts);
  if (e.flow_id) {
    auto it = c.flows.find(e.flow_id);
    if (it != c.flows.end()) {
      it->second = std::min(it->second, e.ts);
    } else if (c.flows.size() < kMaxFlowsPerCandidate) {
      c.flows.emplace(e.flow_id, e.ts);
      flows.ref(e);
    } else {
      ++c.flows_over;
    }
  }
  return c;
}

const Candidate* Candidates::find(const std::string& key) const {
  auto it = map_.find(key);
  return it == map_.end() ? nullptr : &it->second;
}

bool Candidates::contains(std::string_view rule, const std::string& src, const std::string& dst,
                          std::string_view protocol) const {
  return map_.count(candidate_key(rule, src, dst, protocol)) != 0;
}

void Candidates::move_to_protocol(const std::string& key, std::string_view protocol) {
  auto node = map_.extract(key);
  if (node.empty()) return;
  Candidate& c = node.mapped();
  c.protocol = std::string(protocol);
  auto [it, fresh] = map_.try_emplace(candidate_key(c.rule, c.src, c.dst, protocol));
  Candidate& into = it->second;
  if (fresh) {
    into = std::move(c);
    return;
  }
  into.count += c.count;
  into.first = std::min(into.first, c.first);
  into.last = std::max(into.last, c.last);
  into.flows_over += c.flows_over;
  for (const auto& [id, ts] : c.flows) {
    auto [f, added] = into.flows.emplace(id, ts);
    if (!added) f->second = std::min(f->second, ts);
  }
  for (const auto& [name, values] : c.lists) {
    for (const std::string& v : values) add_list(into, name, v);
  }
  for (const auto& [name, n] : c.counters) into.counters[name] += n;
  for (const auto& [name, v] : c.fields) set_field(into, name, v);
}

Conv* note_conversation(Conversations& m, std::string_view host, std::string_view key, TimeNs ts, uint64_t flow_id,
                        Budget& budget, Stats& stats) {
  auto h = m.find(host);
  if (h == m.end()) h = m.emplace(std::string(host), Conversations::mapped_type{}).first;  // the host, even over budget
  auto& per = h->second;
  auto it = per.find(key);
  if (it != per.end()) {
    ++it->second.flows;
    it->second.last = std::max(it->second.last, ts);
    if (std::tie(ts, flow_id) < std::tie(it->second.first, it->second.flow_id)) {
      it->second.first = ts;
      it->second.flow_id = flow_id;
    }
    return &it->second;
  }
  if (!budget.take(stats)) return nullptr;
  return &per.emplace(std::string(key), Conv{ts, flow_id, 1, ts}).first->second;
}

void remember(Conversations& m, const std::string& host, std::string key, const Event& e, Context& ctx) {
  for (char& c : key) {
    if (c == '\t' || c == '\n' || c == '\r') c = ' ';
  }
  if (note_conversation(m, host, key, e.ts, e.flow_id, ctx.conversations, ctx.stats)) ctx.flows.ref(e);
}

}  // namespace ms::detect
