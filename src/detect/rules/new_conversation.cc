// Rules 1016-1018, one rule with three verdicts on the same state (the
// conversations internal hosts start, compared with a baseline): after
// learning, a host starts a conversation
// - new_peer: with an internal peer its baseline never had;
// - new_service: with a known peer, on a service it never used;
// - new_external_network: with an external /24 (/48) it never reached.
// A conversation is a flow a host started that the peer answered and that
// carried data (TCP), or an answered UDP exchange; unanswered attempts are
// the scan rule's. A host the baseline never saw is not judged. Medium (new
// external: high) on medical hosts, low (medium) elsewhere.
// Wants: flow. Keeps: per internal host and "PEER tcp/PORT", the first time,
// its flow and the count, under the shared conversations budget.
#include <climits>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include "detect/device.h"
#include "detect/expiry.h"
#include "detect/fields.h"
#include "detect/judge.h"
#include "detect/rule.h"
#include "inventory/observe.h"

namespace ms::detect {
namespace {

constexpr RuleInfo kInfo[] = {
    {"new_peer", 1016, "Host talks to a peer it never talked to in its baseline", "baseline", "T0886", "T1021"},
    {"new_service", 1017, "Host uses a service of a known peer it never used in its baseline", "baseline", "T0886",
     "T1021"},
    {"new_external_network", 1018, "Host reaches an external network it never reached in its baseline", "baseline",
     "T0882", "T1041"},
};
constexpr std::string_view kWants[] = {"flow"};

std::string peer_of(const std::string& key) { return key.substr(0, key.find(' ')); }
std::string service_of(const std::string& key) { return key.substr(key.find(' ') + 1); }

using Found = std::vector<std::pair<std::string, const Conv*>>;  // "PEER service" and its conversation

class NewConversation final : public Rule {
 public:
  std::span<const RuleInfo> alerts() const override { return kInfo; }
  std::span<const std::string_view> wants() const override { return kWants; }

  void take(const Input& in, Context& ctx) override {
    const FlowRow& f = *in.flow();
    uint8_t proto = proto_number(f.proto);
    if (proto != kTcp && proto != kUdp) return;
    bool talked = proto == kTcp ? (f.answered && (f.data[0] || f.data[1])) : f.pkts_toclient > 0;
    if (!talked || !ctx.cfg.is_internal(f.src_ip) || !inv::device_ip(f.dest_ip)) return;
    std::string& key = key_;  // reused: a flow of a known conversation allocates nothing
    key.assign(f.dest_ip).append(proto == kTcp ? " tcp/" : " udp/").append(std::to_string(f.dest_port));
    Conv* cv = note_conversation(convs_, f.src_ip, key, f.start, f.flow_id, ctx.conversations, ctx.stats);
    // The conversation's first flow is its evidence.
    if (cv && cv->flow_id == f.flow_id) ctx.flows.offer(ref_of(f));
  }

  size_t learn(Baseline& b, TimeNs end, const Config& cfg) const override {
    for (const auto& [host, m] : convs_) {
      for (const auto& [key, cv] : m) {
        if (cv.first >= end) continue;
        std::string peer = peer_of(key);
        if (cfg.is_internal(peer)) b.peers.emplace(host, key);
        else b.externals.emplace(host, external_network(peer));
        b.hosts.emplace(host, 0);
      }
    }
    return convs_.size();
  }

  void judge(Judge& j) override {
    const Baseline* base = j.baseline();
    if (!base) return;
    for (const auto& [host, m] : convs_) {
      if (!base->hosts.count(host)) continue;  // a host the baseline never saw: nothing to compare with
      // Per verdict and peer (or network): the conversations that are new.
      std::map<std::pair<std::string, std::string>, Found> found;
      for (const auto& [key, cv] : m) {
        if (cv.first < j.learn_end()) continue;
        std::string peer = peer_of(key);
        if (!j.cfg().is_internal(peer)) {
          std::string net = external_network(peer);
          if (!base->externals.count({host, net})) found[{"new_external_network", net}].emplace_back(key, &cv);
        } else if (!base->peers.count({host, key})) {
          found[{base->knows_peer(host, peer) ? "new_service" : "new_peer", peer}].emplace_back(key, &cv);
        }
      }
      bool med = medical(j.fact(host));
      for (const auto& [what, convs] : found) raise(j, *base, host, med, what.first, what.second, convs);
    }
  }

  void expire(Expiry& x) override {
    expire_conversations(convs_, x);
  }

  Response response(const Alert& a) const override {
    if (a.rule == "new_external_network")
      return {Response::About::kSource, Response::Contain::kBlockPair,
              "find what sent data out and whether it is a documented vendor service; if not, block it at the "
              "perimeter"};
    return {Response::About::kSource, Response::Contain::kBlockPair,
            "ask the device's owner whether the conversation is expected (a new interface, an update); if it is, "
            "learn the baseline again or allow it in the configuration"};
  }

 private:
  // One alert per verdict, host and peer (or network).
  void raise(Judge& j, const Baseline& base, const std::string& host, bool med, const std::string& rule,
             const std::string& network, const Found& convs) {
    std::map<uint64_t, TimeNs> flows;
    TimeNs first = LLONG_MAX, last = 0;
    uint64_t n = 0;
    std::set<std::string> services, peers;
    for (const auto& kc : convs) {
      const Conv* cv = kc.second;
      flows.emplace(cv->flow_id, cv->first);
      first = std::min(first, cv->first);
      last = std::max(last, cv->first);
      n += cv->flows;
      services.insert(service_of(kc.first));
      peers.insert(peer_of(kc.first));
    }
    bool external = rule == "new_external_network";
    Severity sev = external ? (med ? Severity::kHigh : Severity::kMedium) : (med ? Severity::kMedium : Severity::kLow);
    std::string protocol = services.size() == 1 ? *services.begin() : std::string();
    j.raise(rule, sev, host, *peers.begin(), protocol, first, last, n, flows, 0, [&](JsonWriter& w) {
      if (external) w.kv("network", network);
      w.key("services").begin_array();
      for (const auto& s : services) w.value(s);
      w.end_array();
      w.key("peers").begin_array();
      size_t k = 0;
      for (const auto& p : peers) {
        if (++k > 16) break;
        w.value(p);
      }
      w.end_array();
      w.kv("baseline", base.source);
      uint64_t known = 0;
      for (auto it = base.peers.lower_bound({host, ""}); it != base.peers.end() && it->first == host; ++it) ++known;
      w.kv("baseline_conversations", known);
    });
  }

  Conversations convs_;  // host -> "PEER tcp/104"
  std::string key_;      // the flow's key, built in place
};

}  // namespace
MS_REGISTER_RULE(new_conversation, NewConversation);
}  // namespace ms::detect
