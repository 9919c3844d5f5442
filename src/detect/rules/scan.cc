// Rule 1001 scan: one source probes at least scan_targets host:port, or
// scan_hosts hosts, or scan_ports ports of one host within scan_window (Zeek's
// scan policy: 25 hosts / 15 ports / 5 min). A probe is a TCP connection that
// exchanged no payload (SYN, half-open, connect-and-close, refused), an
// unanswered unicast UDP datagram, or an ICMP echo request. High if the
// source or a target is medical, else medium. One alert per source and
// burst: from the window that crossed a threshold to where the probes stop
// (a gap longer than the window).
// Wants: flow. Keeps: every probe (time, target, flow) by source, at most
// kMaxProbes over all sources.
#include <algorithm>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "detect/device.h"
#include "detect/fields.h"
#include "detect/judge.h"
#include "detect/rule.h"
#include "inventory/observe.h"

namespace ms::detect {
namespace {

constexpr RuleInfo kInfo[] = {
    {"scan", 1001, "Host scanning or sweeping the network", "reconnaissance", "T0846", "T1046"}};
constexpr std::string_view kWants[] = {"flow"};
constexpr size_t kMaxProbes = 2'000'000;  // over all sources
constexpr size_t kMaxListed = 64;         // hosts and ports named in the evidence

struct Probe {
  TimeNs ts, end;
  std::string dst;
  uint16_t port, sport;
  uint8_t proto;
  uint64_t flow_id;
};

bool is_probe(const FlowRow& f, uint8_t proto) {
  // A SYN answered by data (a server banner) after no ACK: still not a probe.
  if (proto == kTcp) return (f.tcp_flags[0] & kSyn) && !f.data[0] && !f.data[1];
  if (proto == kUdp) return f.pkts_toclient == 0 && f.app_proto.empty();
  if (proto == kIcmp || proto == kIcmp6) return f.icmp_type == (proto == kIcmp ? 8 : 128);
  return false;
}

const char* proto_label(uint8_t p) { return p == kTcp ? "tcp" : p == kUdp ? "udp" : "icmp"; }
const char* proto_name(uint8_t p) { return p == kTcp ? "TCP" : p == kUdp ? "UDP" : p == kIcmp ? "ICMP" : "IPv6-ICMP"; }

class Scan final : public Rule {
 public:
  std::span<const RuleInfo> alerts() const override { return kInfo; }
  std::span<const std::string_view> wants() const override { return kWants; }

  void take(const Input& in, Context& ctx) override {
    const FlowRow& f = *in.flow();
    uint8_t proto = proto_number(f.proto);
    if (!is_probe(f, proto) || inv::ip_key(f.dest_ip).empty() || inv::ip_key(f.src_ip).empty()) return;
    if (!budget_.take(ctx.stats)) return;
    bool ports = proto == kTcp || proto == kUdp;
    probes_[f.src_ip].push_back(Probe{f.start, f.end, f.dest_ip, ports ? f.dest_port : uint16_t{0},
                                      ports ? f.src_port : uint16_t{0}, proto, f.flow_id});
  }

  void judge(Judge& j) override {
    const Thresholds& th = j.cfg().thresholds;
    for (auto& [src, probes] : probes_) {
      if (probes.size() < std::min({th.scan_hosts, th.scan_ports, th.scan_targets})) continue;
      std::sort(probes.begin(), probes.end(),
                [](const Probe& a, const Probe& b) { return std::tie(a.ts, a.flow_id) < std::tie(b.ts, b.flow_id); });
      judge_source(j, src, probes);
    }
  }

  Response response(const Alert& a) const override {
    return {Response::About::kSource, Response::Contain::kIsolateSource,
            "find the process or person behind the scan on " + a.src_ip + "; rebuild it if compromised"};
  }

 private:
  // Sliding window over one source's probes (sorted): distinct targets,
  // hosts, and ports per host.
  void judge_source(Judge& j, const std::string& src, const std::vector<Probe>& probes) {
    const Thresholds& th = j.cfg().thresholds;
    const TimeNs window = seconds(th.scan_window);
    std::map<std::tuple<std::string, uint8_t, uint16_t>, uint32_t> target_n;
    std::map<std::string, uint32_t> host_targets;
    size_t lo = 0;
    bool in_alert = false;
    size_t alert_begin = 0, alert_end = 0;
    for (size_t i = 0; i < probes.size(); ++i) {
      const Probe& p = probes[i];
      while (probes[lo].ts < p.ts - window) {
        auto key = std::make_tuple(probes[lo].dst, probes[lo].proto, probes[lo].port);
        if (--target_n[key] == 0) {
          target_n.erase(key);
          if (--host_targets[probes[lo].dst] == 0) host_targets.erase(probes[lo].dst);
        }
        ++lo;
      }
      auto key = std::make_tuple(p.dst, p.proto, p.port);
      if (target_n[key]++ == 0) ++host_targets[p.dst];
      if (in_alert) {
        if (p.ts - probes[alert_end - 1].ts > window) {
          raise(j, src, probes, alert_begin, alert_end);
          in_alert = false;
        } else {
          alert_end = i + 1;
          continue;
        }
      }
      uint32_t ports_here = host_targets[p.dst];
      if (target_n.size() >= th.scan_targets || host_targets.size() >= th.scan_hosts || ports_here >= th.scan_ports) {
        in_alert = true;
        alert_begin = lo;
        alert_end = i + 1;
      }
    }
    if (in_alert) raise(j, src, probes, alert_begin, alert_end);
  }

  // One alert for probes [b, e).
  void raise(Judge& j, const std::string& src, const std::vector<Probe>& probes, size_t b, size_t e) {
    std::map<uint64_t, TimeNs> flows;
    std::set<std::string> hosts;
    std::set<uint16_t> ports;
    std::set<std::string> protos;
    std::set<std::tuple<std::string, uint8_t, uint16_t>> targets;
    bool any_medical = false;
    for (size_t i = b; i < e; ++i) {
      const Probe& p = probes[i];
      if (flows.size() < kMaxFlowsPerCandidate) flows.emplace(p.flow_id, p.ts);
      hosts.insert(p.dst);
      if (p.port) ports.insert(p.port);
      protos.insert(proto_label(p.proto));
      targets.emplace(p.dst, p.proto, p.port);
      any_medical |= medical(j.fact(p.dst));
    }
    // The probes' flows, for the evidence (their flow records carried the times).
    for (size_t i = b; i < e; ++i) {
      const Probe& p = probes[i];
      if (!j.flows().has(p.flow_id)) j.flows().offer(FlowRef{p.flow_id, src, p.dst, proto_name(p.proto), p.sport, p.port, p.ts, p.end});
    }
    Severity sev = (any_medical || medical(j.fact(src))) ? Severity::kHigh : Severity::kMedium;
    std::string protocol;
    for (const auto& p : protos) protocol += (protocol.empty() ? "" : ",") + p;
    std::string dst = hosts.size() == 1 ? *hosts.begin() : std::string();
    const uint32_t window_s = j.cfg().thresholds.scan_window;
    j.raise("scan", sev, src, dst, protocol, probes[b].ts, probes[e - 1].ts, e - b, flows, 0, [&](JsonWriter& w) {
      w.kv("probes", static_cast<uint64_t>(e - b));
      w.kv("distinct_targets", static_cast<uint64_t>(targets.size()));
      w.kv("distinct_hosts", static_cast<uint64_t>(hosts.size()));
      w.kv("distinct_ports", static_cast<uint64_t>(ports.size()));
      w.kv("medical_targets", any_medical);
      w.key("hosts").begin_array();
      size_t n = 0;
      for (const auto& h : hosts) {
        if (++n > kMaxListed) break;
        w.value(h);
      }
      w.end_array();
      w.key("ports").begin_array();
      n = 0;
      for (uint16_t p : ports) {
        if (++n > kMaxListed) break;
        w.value(static_cast<unsigned>(p));
      }
      w.end_array();
      w.kv("window_s", static_cast<uint64_t>(window_s));
    });
  }

  Budget budget_{kMaxProbes, 0};
  std::unordered_map<std::string, std::vector<Probe>> probes_;  // by source
};

}  // namespace
MS_REGISTER_RULE(scan, Scan);
}  // namespace ms::detect
