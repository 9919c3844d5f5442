// Rule 1020 new_order_source: after learning, a device receives an HL7 order
// of a type from a sender that never sent it one: tampering with clinical
// function. Orders a device acts on: general, lab, imaging, pharmacy and
// treatment orders, pharmacy encoded/dispense/give (HL7 v2.5 ch. 4, 4A).
// Critical on life-critical devices, high on medical, medium elsewhere.
// Wants: hl7. Keeps: per receiver and "SENDER TYPE", the first time, its
// flow and the count, under the shared conversations budget.
#include <algorithm>

#include "detect/device.h"
#include "detect/expiry.h"
#include "detect/fields.h"
#include "detect/judge.h"
#include "detect/rule.h"
#include "dissectors/hl7/hl7_events.h"
#include "inventory/observe.h"

namespace ms::detect {
namespace {

constexpr RuleInfo kInfo[] = {{"new_order_source", 1020, "HL7 order to a device from a sender that never sent it orders",
                               "tampering", "T0855", ""}};
constexpr std::string_view kWants[] = {"hl7"};
constexpr std::string_view kOrders[] = {"ORM", "OML", "OMG", "OMI", "OMP", "OMS", "RDE", "RDS", "RGV", "RRE"};

class NewOrderSource final : public Rule {
 public:
  std::span<const RuleInfo> alerts() const override { return kInfo; }
  std::span<const std::string_view> wants() const override { return kWants; }

  // HL7 is read from its struct (hl7_events.h), never parsed.
  void take(const Input& in, Context& ctx) override {
    const Event& e = in.event();
    const hl7::Hl7Event* h = e.as<hl7::Hl7Event>();
    if (!h) return;
    const std::string& type = h->message_type;
    if (std::find(std::begin(kOrders), std::end(kOrders), type) == std::end(kOrders)) return;
    if (!inv::device_ip(e.dest_ip)) return;
    remember(orders_, e.dest_ip, e.src_ip + " " + type, e, ctx);
  }

  size_t learn(Baseline& b, TimeNs end, const Config&) const override {
    for (const auto& [host, m] : orders_) {
      for (const auto& [key, cv] : m) {
        if (cv.first >= end) continue;
        b.orders.emplace(host, key);
        b.hosts.emplace(host, 0);
      }
    }
    return 0;
  }

  void judge(Judge& j) override {
    const Baseline* base = j.baseline();
    if (!base) return;
    for (const auto& [receiver, m] : orders_) {
      if (!base->hosts.count(receiver)) continue;
      const DeviceFacts* rf = j.fact(receiver);
      for (const auto& [key, cv] : m) {
        if (cv.first < j.learn_end() || base->orders.count({receiver, key})) continue;
        Severity sev = life_critical(rf) ? Severity::kCritical : medical(rf) ? Severity::kHigh : Severity::kMedium;
        raise(j, *base, receiver, key, cv, sev);
      }
    }
  }

  void expire(Expiry& x) override {
    expire_conversations(orders_, x);
  }

  Response response(const Alert&) const override {
    return {Response::About::kDestination, Response::Contain::kBlockPair,
            "verify with pharmacy/clinical staff that the order is genuine before the device acts on it; check the "
            "device's current programming against the patient's prescription"};
  }

 private:
  void raise(Judge& j, const Baseline& base, const std::string& receiver, const std::string& key, const Conv& cv,
             Severity sev) {
    std::string sender = key.substr(0, key.find(' ')), type = key.substr(key.find(' ') + 1);
    std::map<uint64_t, TimeNs> flows{{cv.flow_id, cv.first}};
    j.raise("new_order_source", sev, sender, receiver, "hl7", cv.first, cv.first, cv.flows, flows, 0,
            [&](JsonWriter& w) {
              w.kv("message_type", type);
              w.kv("baseline", base.source);
              w.key("baseline_senders").begin_array();
              size_t k = 0;
              for (auto it = base.orders.lower_bound({receiver, ""}); it != base.orders.end() && it->first == receiver;
                   ++it) {
                if (++k > 16) break;
                w.value(it->second);
              }
              w.end_array();
            });
  }

  Conversations orders_;  // receiver -> "SENDER TYPE"
};

}  // namespace
MS_REGISTER_RULE(new_order_source, NewOrderSource);
}  // namespace ms::detect
