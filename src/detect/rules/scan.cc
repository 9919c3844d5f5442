// Rule 1001 scan: one source probes, within scan_window, more targets than
// its role allows (issue 15: a clinical network is quiet, and enterprise
// thresholds missed nmap probing 10 ports on 3 hosts):
// - IT infrastructure (a router, a switch: the inventory's "network
//   infrastructure") and configured management hosts: Zeek's enterprise
//   scan policy, scan_hosts (25) hosts, scan_ports (15) ports of one host or
//   scan_targets (30) host:port;
// - a medical device, which should never probe anything: scan_device_targets
//   (4) host:port;
// - every other host (workstations, servers): scan_clinical_hosts (10),
//   scan_clinical_ports (8) ports of one host or scan_clinical_targets (16).
// A probe is a TCP connection that exchanged no payload (SYN, half-open,
// connect-and-close, refused), an unanswered unicast UDP datagram, an ICMP
// echo request, or an ARP request for an address the source never reached
// over IP (host discovery: nmap ARP-sweeps a LAN before its SYN probes,
// ATT&CK for ICS T0846 Remote System Discovery). High if the source or a target is medical, else medium.
// One alert per source and burst: from the window that crossed a threshold
// to where the probes stop (a gap longer than the window).
// Wants: flow, arp. Keeps: every probe (time, target, flow) by source, at
// most kMaxProbes over all sources; the address pairs of flows, at most
// kMaxReached.
#include <algorithm>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "common/hash.h"
#include "detect/device.h"
#include "detect/expiry.h"
#include "detect/fields.h"
#include "detect/judge.h"
#include "detect/rule.h"
#include "dissectors/arp/arp_events.h"
#include "inventory/observe.h"

namespace ms::detect {
namespace {

constexpr RuleInfo kInfo[] = {
    {"scan", 1001, "Host scanning or sweeping the network", "reconnaissance", "T0846", "T1046"}};
constexpr std::string_view kWants[] = {"flow", "arp"};
constexpr size_t kMaxProbes = 2'000'000;  // over all sources
constexpr size_t kMaxReached = 500'000;   // address pairs seen in a flow
constexpr size_t kMaxListed = 64;         // hosts and ports named in the evidence
constexpr uint8_t kArp = 0;               // IP protocol 0 never carries a probe: ARP's mark here

struct Probe {
  TimeNs ts, end;
  std::string dst;
  uint16_t port, sport;
  uint8_t proto;
  uint64_t flow_id;
};

// The thresholds that apply to a source, by its role.
struct Tier {
  const char* name;
  uint32_t hosts, ports, targets;
};

bool is_probe(const FlowRow& f, uint8_t proto) {
  // A SYN answered by data (a server banner) after no ACK: still not a probe.
  if (proto == kTcp) return (f.tcp_flags[0] & kSyn) && !f.data[0] && !f.data[1];
  if (proto == kUdp) return f.pkts_toclient == 0 && f.app_proto.empty();
  if (proto == kIcmp || proto == kIcmp6) return f.icmp_type == (proto == kIcmp ? 8 : 128);
  return false;
}

const char* proto_label(uint8_t p) {
  return p == kTcp ? "tcp" : p == kUdp ? "udp" : p == kArp ? "arp" : "icmp";
}
const char* proto_name(uint8_t p) { return p == kTcp ? "TCP" : p == kUdp ? "UDP" : p == kIcmp ? "ICMP" : "IPv6-ICMP"; }

// "a|b" of an address pair in either direction (the smaller address first):
// one entry per pair, written into `out`.
const std::string& pair_key(std::string_view a, std::string_view b, std::string& out) {
  if (b < a) std::swap(a, b);
  out.assign(a).append("|").append(b);
  return out;
}

class Scan final : public Rule {
 public:
  std::span<const RuleInfo> alerts() const override { return kInfo; }
  std::span<const std::string_view> wants() const override { return kWants; }

  void take(const Input& in, Context& ctx) override {
    if (const arp::ArpEvent* a = in.event().as<arp::ArpEvent>()) return take_arp(*a, in.event(), ctx);
    const FlowRow* fp = in.flow();
    if (!fp) return;
    const FlowRow& f = *fp;
    uint8_t proto = proto_number(f.proto);
    if (!inv::device_ip(f.dest_ip) || !inv::device_ip(f.src_ip)) return;
    // The source reached this address over IP: its ARP request for it was
    // the way there (the flow itself is judged), not a sweep of the LAN.
    if (reached_.size() < kMaxReached) {
      const std::string& k = pair_key(f.src_ip, f.dest_ip, key_);
      auto it = reached_.find(std::string_view(k));  // a known pair: no copy
      if (it == reached_.end()) {
        reached_.emplace(k, f.start);
      } else {
        it->second = std::max(it->second, f.start);
      }
    }
    if (!is_probe(f, proto)) return;
    if (!budget_.take(ctx.stats)) return;
    bool ports = proto == kTcp || proto == kUdp;
    probes_[f.src_ip].push_back(Probe{f.start, f.end, f.dest_ip, ports ? f.dest_port : uint16_t{0},
                                      ports ? f.src_port : uint16_t{0}, proto, f.flow_id});
  }

  void judge(Judge& j) override {
    for (auto& [src, all] : probes_) {
      // ARP requests for addresses the source then reached over IP are how it
      // got there, not discovery (its probes of them count on their own).
      // Pointers, not copies: the live monitor judges again later
      // (judge_now), so the stored probes stay, and a copy of a busy
      // source's probes at every judgement was a sensor's memory peak.
      std::vector<const Probe*> probes;
      for (const Probe& p : all) {
        if (p.proto != kArp || !reached_.count(std::string_view(pair_key(src, p.dst, key_)))) probes.push_back(&p);
      }
      Tier t = tier(j, src);
      if (probes.size() < std::min({t.hosts, t.ports, t.targets})) continue;
      std::sort(probes.begin(), probes.end(), [](const Probe* a, const Probe* b) {
        return std::tie(a->ts, a->flow_id, a->dst) < std::tie(b->ts, b->flow_id, b->dst);
      });
      judge_source(j, src, probes, t);
    }
  }

  void expire(Expiry& x) override {
    expire_series(probes_, x, &budget_, false);  // judge() offers the probes' flows
    drop_idle(reached_, x.before, [](TimeNs last) { return last; });
  }

  Response response(const Alert& a) const override {
    return {Response::About::kSource, Response::Contain::kIsolateSource,
            "find the process or person behind the scan on " + a.src_ip + "; rebuild it if compromised"};
  }

 private:
  // host discovery (ARP who-has, RFC 826) by the source.
  void take_arp(const arp::ArpEvent& a, const Event& e, Context& ctx) {
    const arp::Info& c = a.claim;
    if (c.op != 1 || c.gratuitous || c.probe || c.sender_ip.empty() || c.target_ip.empty() || c.sender_ip == c.target_ip) return;
    if (!budget_.take(ctx.stats)) return;
    probes_[c.sender_ip].push_back(Probe{e.ts, e.ts, c.target_ip, 0, 0, kArp, 0});
  }

  static Tier tier(Judge& j, const std::string& src) {
    const Thresholds& th = j.cfg().thresholds;
    const DeviceFacts* f = j.fact(src);
    if ((f && f->type == "network infrastructure") || j.cfg().is_management(src)) {
      return {"IT infrastructure or management host", th.scan_hosts, th.scan_ports, th.scan_targets};
    }
    if (medical(f)) return {"medical device", th.scan_device_targets, th.scan_device_targets, th.scan_device_targets};
    return {"clinical network host", th.scan_clinical_hosts, th.scan_clinical_ports, th.scan_clinical_targets};
  }

  // Sliding window over one source's probes (sorted): distinct targets,
  // hosts, and ports per host (ARP names a host, not a port).
  void judge_source(Judge& j, const std::string& src, const std::vector<const Probe*>& probes, const Tier& t) {
    const TimeNs window = seconds(j.cfg().thresholds.scan_window);
    std::map<std::tuple<std::string, uint8_t, uint16_t>, uint32_t> target_n;
    std::map<std::string, uint32_t> host_targets, host_ports;
    size_t lo = 0;
    bool in_alert = false;
    size_t alert_begin = 0, alert_end = 0;
    for (size_t i = 0; i < probes.size(); ++i) {
      const Probe& p = *probes[i];
      while (probes[lo]->ts < p.ts - window) {
        const Probe& o = *probes[lo];
        auto key = std::make_tuple(o.dst, o.proto, o.port);
        if (--target_n[key] == 0) {
          target_n.erase(key);
          if (--host_targets[o.dst] == 0) host_targets.erase(o.dst);
          if (o.proto != kArp && --host_ports[o.dst] == 0) host_ports.erase(o.dst);
        }
        ++lo;
      }
      auto key = std::make_tuple(p.dst, p.proto, p.port);
      if (target_n[key]++ == 0) {
        ++host_targets[p.dst];
        if (p.proto != kArp) ++host_ports[p.dst];
      }
      if (in_alert) {
        if (p.ts - probes[alert_end - 1]->ts > window) {
          raise(j, src, probes, alert_begin, alert_end, t);
          in_alert = false;
        } else {
          alert_end = i + 1;
          continue;
        }
      }
      uint32_t ports_here = p.proto == kArp ? 0 : host_ports[p.dst];
      if (target_n.size() >= t.targets || host_targets.size() >= t.hosts || ports_here >= t.ports) {
        in_alert = true;
        alert_begin = lo;
        alert_end = i + 1;
      }
    }
    if (in_alert) raise(j, src, probes, alert_begin, alert_end, t);
  }

  // One alert for probes [b, e).
  void raise(Judge& j, const std::string& src, const std::vector<const Probe*>& probes, size_t b, size_t e,
             const Tier& t) {
    std::map<uint64_t, TimeNs> flows;
    std::set<std::string> hosts;
    std::set<uint16_t> ports;
    std::set<std::string> protos;
    std::set<std::tuple<std::string, uint8_t, uint16_t>> targets;
    bool any_medical = false;
    uint64_t arp = 0;
    for (size_t i = b; i < e; ++i) {
      const Probe& p = *probes[i];
      if (p.flow_id && flows.size() < kMaxFlowsPerCandidate) flows.emplace(p.flow_id, p.ts);
      hosts.insert(p.dst);
      if (p.port) ports.insert(p.port);
      if (p.proto == kArp) ++arp;
      else protos.insert(proto_label(p.proto));
      targets.emplace(p.dst, p.proto, p.port);
      any_medical |= medical(j.fact(p.dst));
    }
    // The flows the alert lists (Judge::raise: the earliest kMaxAlertFlows
    // by time and id), for the evidence (their flow records carried the
    // times); only those: a long scan's other probes took room in
    // EvidenceFlows for nothing (and, live, again at every judgement).
    std::vector<std::pair<TimeNs, uint64_t>> by_time;
    for (const auto& [id, ts] : flows) by_time.emplace_back(ts, id);
    size_t listed = std::min(by_time.size(), kMaxAlertFlows);
    std::partial_sort(by_time.begin(), by_time.begin() + static_cast<long>(listed), by_time.end());
    std::set<uint64_t> named;
    for (size_t i = 0; i < listed; ++i) named.insert(by_time[i].second);
    for (size_t i = b; i < e; ++i) {
      const Probe& p = *probes[i];
      if (p.flow_id && named.count(p.flow_id) && !j.flows().has(p.flow_id)) {
        j.flows().offer(FlowRef{p.flow_id, src, p.dst, proto_name(p.proto), p.sport, p.port, p.ts, p.end});
      }
    }
    Severity sev = (any_medical || medical(j.fact(src))) ? Severity::kHigh : Severity::kMedium;
    std::string protocol;
    for (const auto& p : protos) protocol += (protocol.empty() ? "" : ",") + p;
    if (protocol.empty()) protocol = "arp";
    std::string dst = hosts.size() == 1 ? *hosts.begin() : std::string();
    const uint32_t window_s = j.cfg().thresholds.scan_window;
    j.raise("scan", sev, src, dst, protocol, probes[b]->ts, probes[e - 1]->ts, e - b, flows, 0, [&](JsonWriter& w) {
      w.kv("probes", static_cast<uint64_t>(e - b));
      w.kv("arp_discovery", arp);
      w.kv("distinct_targets", static_cast<uint64_t>(targets.size()));
      w.kv("distinct_hosts", static_cast<uint64_t>(hosts.size()));
      w.kv("distinct_ports", static_cast<uint64_t>(ports.size()));
      w.kv("medical_targets", any_medical);
      w.kv("source_role", t.name);
      w.kv("threshold_hosts", static_cast<uint64_t>(t.hosts)).kv("threshold_ports", static_cast<uint64_t>(t.ports));
      w.kv("threshold_targets", static_cast<uint64_t>(t.targets));
      write_limited(w, "hosts", hosts);
      w.key("ports").begin_array();
      size_t n = 0;
      for (uint16_t p : ports) {
        if (++n > kMaxListed) break;
        w.value(static_cast<unsigned>(p));
      }
      w.end_array();
      w.kv("window_s", static_cast<uint64_t>(window_s));
    });
  }

  static void write_limited(JsonWriter& w, const char* key, const std::set<std::string>& s) {
    w.key(key).begin_array();
    size_t n = 0;
    for (const auto& h : s) {
      if (++n > kMaxListed) break;
      w.value(h);
    }
    w.end_array();
  }

  Budget budget_{kMaxProbes, 0};
  std::unordered_map<std::string, std::vector<Probe>> probes_;  // by source
  // "a|b": a flow between a and b, and when it last started (expiry).
  StringMap<TimeNs> reached_;
  std::string key_;  // pair_key's buffer
};

}  // namespace
MS_REGISTER_RULE(scan, Scan);
}  // namespace ms::detect
