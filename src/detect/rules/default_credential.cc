// Rule 1003 default_credential: a login with a known vendor default
// (data/default_credentials.csv, matched by the dissectors) that succeeded.
// Wants: credential. Keeps: user names, vendors the default belongs to, the
// method, per client, server, protocol. Judges: critical on life-critical
// devices, high on medical, medium elsewhere; an SNMP read community: medium
// on medical, low elsewhere.
#include "detect/device.h"
#include "detect/expiry.h"
#include "detect/fields.h"
#include "detect/judge.h"
#include "detect/rule.h"
#include "dissectors/credential.h"

namespace ms::detect {
namespace {

constexpr RuleInfo kInfo[] = {{"default_credential", 1003, "Login with a vendor default credential",
                               "credential access", "T0812", "T1078.001"}};
constexpr std::string_view kWants[] = {"credential"};

class DefaultCredential final : public Rule {
 public:
  std::span<const RuleInfo> alerts() const override { return kInfo; }
  std::span<const std::string_view> wants() const override { return kWants; }
  void take(const Input& in, Context& ctx) override {
    const CredentialEvent* o = in.event().as<CredentialEvent>();
    if (!o || !o->default_credential || o->result != "success") return;
    const Event& e = in.event();
    Candidate& c = cands_.add("default_credential", e.src_ip, e.dest_ip, o->protocol, e, ctx.flows);
    JsonText user(o->username);
    add_list(c, "usernames", o->username.empty() ? std::string_view("(community)") : std::string_view(user));
    for (const std::string& x : o->default_vendors) add_list(c, "default_for", JsonText(x));
    if (o->default_medical) set_field(c, "medical_default", "yes");
    set_field(c, "method", JsonText(o->method));
  }
  void judge(Judge& j) override {
    for (const auto& [key, c] : cands_.all()) {
      const DeviceFacts* df = j.fact(c.dst);
      Severity s = life_critical(df) ? Severity::kCritical : medical(df) ? Severity::kHigh : Severity::kMedium;
      if (c.protocol == "snmp") s = medical(df) ? Severity::kMedium : Severity::kLow;  // a read community
      j.from_candidate(c, s, c.src, c.dst);
    }
  }
  void expire(Expiry& x) override {
    expire_candidates(cands_, x);
  }

  Response response(const Alert&) const override {
    return {Response::About::kDestination, Response::Contain::kBlockPair,
            "change the credential by the manufacturer's procedure (validated configurations only), or disable the "
            "service if it is not needed clinically"};
  }

 private:
  Candidates cands_;
};

}  // namespace
MS_REGISTER_RULE(default_credential, DefaultCredential);
}  // namespace ms::detect
