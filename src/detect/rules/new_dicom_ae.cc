// Rule 1021 new_dicom_ae: after learning, a device accepts a DICOM
// association from a calling AE title it never accepted. Medium on clinical
// endpoints, low elsewhere. Wants: dicom. Keeps: per called host and calling
// AE title (at most 16 characters, PS3.5 6.2 AE), the first time, its flow
// and the count, under the shared conversations budget.
#include "common/json_read_back.h"
#include "detect/device.h"
#include "detect/expiry.h"
#include "detect/fields.h"
#include "detect/judge.h"
#include "detect/rule.h"
#include "dissectors/dicom/dicom_events.h"

namespace ms::detect {
namespace {

constexpr RuleInfo kInfo[] = {{"new_dicom_ae", 1021, "DICOM association to a device from an AE title it never accepted",
                               "baseline", "T0886", "T1021"}};
constexpr std::string_view kWants[] = {"dicom"};

class NewDicomAe final : public Rule {
 public:
  std::span<const RuleInfo> alerts() const override { return kInfo; }
  std::span<const std::string_view> wants() const override { return kWants; }

  void take(const Input& in, Context& ctx) override {
    const Event& e = in.event();
    const dicom::DicomEvent* d = e.as<dicom::DicomEvent>();
    if (!d || !d->accepted()) return;
    std::string calling = json_read_back(d->calling_ae());  // as the JSON line reads back
    if (calling.empty() || calling.size() > 16) return;
    remember(aes_, e.dest_ip, cap(calling), e, ctx);
  }

  size_t learn(Baseline& b, TimeNs end, const Config&) const override {
    for (const auto& [host, m] : aes_) {
      for (const auto& [ae, cv] : m) {
        if (cv.first >= end) continue;
        b.aes.emplace(host, ae);
        b.hosts.emplace(host, 0);
      }
    }
    return 0;
  }

  void judge(Judge& j) override {
    const Baseline* base = j.baseline();
    if (!base) return;
    for (const auto& [called, m] : aes_) {
      if (!base->hosts.count(called)) continue;
      Severity sev = clinical_endpoint(j.fact(called)) ? Severity::kMedium : Severity::kLow;
      for (const auto& [ae, cv] : m) {
        if (cv.first < j.learn_end() || base->aes.count({called, ae})) continue;
        raise(j, *base, called, ae, cv, sev);
      }
    }
  }

  void expire(Expiry& x) override {
    expire_conversations(aes_, x);
  }

  Response response(const Alert&) const override {
    return {Response::About::kDestination, Response::Contain::kBlockPair,
            "confirm the new AE title with imaging IT; restrict the device's accepted AE titles to the known ones"};
  }

 private:
  void raise(Judge& j, const Baseline& base, const std::string& called, const std::string& ae, const Conv& cv,
             Severity sev) {
    std::string caller;
    if (const FlowRef* r = j.flows().find(cv.flow_id)) caller = r->src_ip;
    std::map<uint64_t, TimeNs> flows{{cv.flow_id, cv.first}};
    j.raise("new_dicom_ae", sev, caller, called, "dicom", cv.first, cv.first, cv.flows, flows, 0, [&](JsonWriter& w) {
      w.kv("calling_ae", ae);
      w.kv("baseline", base.source);
    });
  }

  Conversations aes_;  // called host -> calling AE title
};

}  // namespace
MS_REGISTER_RULE(new_dicom_ae, NewDicomAe);
}  // namespace ms::detect
