// Judging at the end of a run (judge.h).
#include "detect/judge.h"

#include <openssl/evp.h>

#include <algorithm>

#include "detect/response.h"
#include "dissectors/text.h"

namespace ms::detect {

namespace {

void device(JsonWriter& w, const char* key, const std::string& ip, const DeviceFacts* f) {
  if (ip.empty()) return;
  w.key(key).begin_object();
  w.kv("ip", ip);
  if (f) {
    if (!f->id.empty()) w.kv("device", f->id);
    if (!f->mac.empty()) w.kv("mac", f->mac);
    if (!f->manufacturer.empty()) w.kv("manufacturer", f->manufacturer);
    if (!f->model.empty()) w.kv("model", f->model);
    if (!f->type.empty()) w.kv("type", f->type);
    w.kv("medical", f->medical);
  }
  w.end_object();
}

// Stable: the same capture gives the same ids.
std::string alert_id(const std::string& rule, const std::string& src, const std::string& dst,
                     const std::string& protocol, TimeNs first) {
  std::string k = rule + '|' + src + '|' + dst + '|' + protocol + '|' + std::to_string(first);
  return text::digest_hex(EVP_sha256(), k, 8);
}

const RuleInfo* info_of(const Rule* r, const std::string& rule) {
  if (!r) return nullptr;
  for (const RuleInfo& i : r->alerts()) {
    if (rule == i.rule) return &i;
  }
  return nullptr;
}

void write_flows(JsonWriter& w, const std::vector<FlowRef>& flows) {
  w.key("flows").begin_array();
  for (const FlowRef& f : flows) {
    w.begin_object().kv("flow_id", f.id).kv("src_ip", f.src_ip);
    if (f.src_port || f.dest_port) w.kv("src_port", static_cast<unsigned>(f.src_port));
    w.kv("dest_ip", f.dest_ip);
    if (f.src_port || f.dest_port) w.kv("dest_port", static_cast<unsigned>(f.dest_port));
    w.kv("proto", f.proto);
    if (f.start) w.kv("start", format_time(f.start)).kv("end", format_time(f.end));
    w.end_object();
  }
  w.end_array();
}

}  // namespace

const DeviceFacts* Judge::fact(const std::string& ip) const {
  auto it = facts_.find(ip);
  return it == facts_.end() ? nullptr : &it->second;
}

void Judge::raise(const std::string& rule, Severity sev, const std::string& src, const std::string& dst,
                  const std::string& protocol, TimeNs first, TimeNs last, uint64_t count,
                  const std::map<uint64_t, TimeNs>& flows, uint64_t flows_over,
                  const std::function<void(JsonWriter&)>& evidence, uint16_t port) {
  const RuleInfo* ri = info_of(rule_, rule);
  if (!ri) return;  // a rule raising a name it did not declare: a bug, caught by the unit tests
  if (!cfg_.rule_enabled(rule)) return;
  if (cfg_.allowed(rule, src, dst)) {
    ++stats_.allowed;
    return;
  }
  Alert a;
  a.rule = rule;
  a.signature_id = ri->sid;
  a.severity = sev;
  a.src_ip = src;
  a.dest_ip = dst;
  a.protocol = protocol;
  a.first = first;
  a.last = last;
  a.count = count;
  a.id = alert_id(rule, src, dst, protocol, first);
  std::vector<std::pair<TimeNs, uint64_t>> fl;
  for (const auto& [id, ts] : flows) fl.emplace_back(ts, id);
  std::sort(fl.begin(), fl.end());
  a.flows_total = flows.size() + flows_over;
  for (size_t i = 0; i < fl.size() && i < kMaxAlertFlows; ++i) {
    if (const FlowRef* r = flows_.find(fl[i].second)) a.flows.push_back(*r);
  }
  const DeviceFacts* sf = fact(src);
  const DeviceFacts* df = fact(dst);
  if (!port && !a.flows.empty()) port = a.flows.front().dest_port;
  JsonWriter w(a.json);
  w.begin_object();
  w.kv("id", a.id).kv("signature_id", ri->sid).kv("rule", rule).kv("name", ri->name);
  w.kv("severity", severity_name(sev)).kv("category", ri->category);
  if (*ri->mitre_ics) w.kv("mitre_ics", ri->mitre_ics);
  if (*ri->mitre_enterprise) w.kv("mitre_enterprise", ri->mitre_enterprise);
  if (!protocol.empty()) w.kv("protocol", protocol);
  w.kv("count", count).kv("first", format_time(first)).kv("last", format_time(last));
  device(w, "src", src, sf);
  device(w, "dest", dst, df);
  w.key("evidence").begin_object();
  evidence(w);
  w.end_object();
  w.kv("flows_total", a.flows_total);
  write_flows(w, a.flows);
  w.key("response").begin_array();
  for (const std::string& s : response_steps(a, rule_->response(a), sf, df, port)) w.value(s);
  w.end_array();
  w.end_object();
  ++stats_.alerts;
  ++stats_.by_severity[static_cast<int>(sev)];
  out_.push_back(std::move(a));
}

void Judge::from_candidate(const Candidate& c, Severity sev, const std::string& src, const std::string& dst) {
  raise(c.rule, sev, src, dst, c.protocol, c.first, c.last, c.count, c.flows, c.flows_over,
        [&](JsonWriter& w) { write_lists(w, c); });
}

}  // namespace ms::detect
