// Rule 1901 policy_violation (issue 19, docs/segmentation.md "Rolling it out",
// monitor mode): with `analyze --policy FILE`, every conversation (client,
// server, protocol, server port) the segmentation policy would deny is an
// alert, so a hospital sees what enforcing the policy would break, and what
// drifts from it, before it enforces anything. Without --policy the rule does
// nothing. Medium; high when a medical zone is at either end or the server is
// outside. IPv6 neighbour discovery is never judged (RFC 4890). An SMB tree
// connect to an administrative share (ADMIN$, C$: ATT&CK T1021.002) on a
// conversation whose rule learned none is a violation too, with the share
// (segment/smb_shares.cc), whatever the server answered: the firewall drops
// the request.
// Wants: flow, smb. Keeps: per conversation (and administrative share) the
// first and last time, the count and the first flow, at most
// kMaxConversations (more are counted).
#include <algorithm>
#include <climits>
#include <map>
#include <memory>
#include <set>
#include <tuple>

#include "detect/expiry.h"
#include "detect/judge.h"
#include "detect/rule.h"
#include "dissectors/smb/smb_events.h"
#include "segment/learn.h"
#include "segment/policy.h"

namespace ms::detect {
namespace {

constexpr RuleInfo kInfo[] = {{"policy_violation", 1901, "Conversation the segmentation policy does not allow",
                               "segmentation", "T0886", "T1021"}};
constexpr std::string_view kWants[] = {"flow", "smb"};
constexpr size_t kMaxConversations = 4096;

struct Seen {
  TimeNs first = LLONG_MAX, last = 0;
  uint64_t count = 0, flow_id = 0;
  bool answered = false;
  std::string src_zone, dst_zone;
};

std::string proto_name(const std::string& p) {
  if (p == "TCP") return "tcp";
  if (p == "UDP") return "udp";
  if (p == "ICMP") return "icmp";
  if (p == "IPv6-ICMP") return "icmpv6";
  return "";
}

class PolicyViolation final : public Rule {
 public:
  std::span<const RuleInfo> alerts() const override { return kInfo; }
  std::span<const std::string_view> wants() const override { return kWants; }

  void take(const Input& in, Context& ctx) override {
    const seg::Policy* pol = ctx.cfg.segment_policy.get();
    if (!pol) return;
    if (!zones_) setup(*pol);
    if (!in.flow()) return take_smb(in.event(), ctx);
    const FlowRow& f = *in.flow();
    seg::FlowRec r;
    r.proto = proto_name(f.proto);
    if (r.proto.empty()) return;
    bool icmp = r.proto == "icmp" || r.proto == "icmpv6";
    r.port = icmp ? f.icmp_type : f.dest_port;
    if (seg::is_link_control(r)) return;
    std::string from = zones_->zone_of(f.src_ip), to = zones_->zone_of(f.dest_ip);
    if (allow_.count({from, to, r.proto, r.port})) return;
    Seen* sp = find_or_add(std::make_tuple(f.src_ip, f.dest_ip, r.proto, r.port, std::string()), from, to, ctx);
    if (!sp) return;
    Seen& s = *sp;
    ++s.count;
    s.answered |= f.answered;
    if (f.start < s.first) {
      s.first = f.start;
      s.flow_id = f.flow_id;
      ctx.flows.offer(ref_of(f));
    }
    s.last = std::max(s.last, f.start);
  }

  void judge(Judge& j) override {
    for (const auto& [k, s] : seen_) {
      const auto& [src, dst, proto, port, admin] = k;
      bool high = seg::zone_is_medical(s.src_zone) || seg::zone_is_medical(s.dst_zone) || s.dst_zone == seg::kExternal;
      std::string service = seg::service_name("", proto, port);
      std::map<uint64_t, TimeNs> flows{{s.flow_id, s.first}};
      const Seen& sv = s;
      const std::string& share = admin;  // clang 14: no lambda capture of a structured binding
      j.raise("policy_violation", high ? Severity::kHigh : Severity::kMedium, src, dst, service, s.first, s.last,
              s.count, flows, 0,
              [&sv, &share](JsonWriter& w) {
                w.kv("src_zone", sv.src_zone).kv("dest_zone", sv.dst_zone).kv("answered", sv.answered);
                if (!share.empty()) w.kv("admin_share", share).kv("why", "administrative share not learned for this rule");
              },
              proto == "tcp" || proto == "udp" ? static_cast<uint16_t>(port) : 0);
    }
  }

  void expire(Expiry& x) override {
    drop_idle(seen_, x.before, [](const Seen& s) { return s.last; });
    for (const auto& kv : seen_) x.mark(kv.second.flow_id);
  }

  Response response(const Alert&) const override {
    return {Response::About::kSource, Response::Contain::kBlockPair,
            "if the conversation is a clinical workflow, add its rule to the policy (with the evidence) before "
            "enforcing; if not, find out why the device started it"};
  }

 private:
  using Key = std::tuple<std::string, std::string, std::string, int, std::string>;  // + admin share

  void setup(const seg::Policy& p) {
    zones_ = std::make_unique<seg::ZoneMap>(p);
    for (const seg::Rule& r : p.rules) {
      allow_.emplace(r.from, r.to, r.proto, r.port);
      if (seg::guards_admin_shares(r)) guarded_.emplace(r.from, r.to, r.proto, r.port);
    }
  }

  Seen* find_or_add(const Key& key, const std::string& from, const std::string& to, Context& ctx) {
    auto it = seen_.find(key);
    if (it == seen_.end()) {
      if (seen_.size() >= kMaxConversations) {
        ++ctx.stats.dropped_state;
        return nullptr;
      }
      it = seen_.emplace(key, Seen{}).first;
      it->second.src_zone = from;
      it->second.dst_zone = to;
    }
    return &it->second;
  }

  // A tree connect to an administrative share on an allowed SMB conversation
  // whose rule learned none (a conversation no rule allows is its flow's).
  void take_smb(const Event& e, Context& ctx) {
    const smb::SmbEvent* o = e.as<smb::SmbEvent>();
    if (!o || o->command != "tree_connect" || !o->share || e.proto != "TCP") return;
    JsonText path(*o->share);
    std::string_view name = seg::share_of_path(std::string_view(path));
    if (!seg::is_admin_share(name)) return;
    std::string from = zones_->zone_of(e.src_ip), to = zones_->zone_of(e.dest_ip);
    if (!guarded_.count({from, to, "tcp", e.dest_port})) return;
    Seen* s = find_or_add(std::make_tuple(e.src_ip, e.dest_ip, std::string("tcp"), int{e.dest_port},
                                          std::string(name.substr(0, 3 * seg::kMaxShareName))),
                          from, to, ctx);
    if (!s) return;
    ++s->count;
    s->answered = true;
    if (e.ts < s->first) {
      s->first = e.ts;
      s->flow_id = e.flow_id;
      ctx.flows.ref(e);
    }
    s->last = std::max(s->last, e.ts);
  }

  std::unique_ptr<seg::ZoneMap> zones_;
  std::set<std::tuple<std::string, std::string, std::string, int>> allow_, guarded_;
  std::map<Key, Seen> seen_;
};

}  // namespace
MS_REGISTER_RULE(policy_violation, PolicyViolation);
}  // namespace ms::detect
