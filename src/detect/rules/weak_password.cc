// Rule 1004 weak_password: a successful login whose password is below the
// policy (the dissectors' password_strength: 8+ characters with letters,
// digits and symbols), not a vendor default (that is default_credential),
// not anonymous FTP (no account to protect). Wants: credential. Keeps: user
// names and strengths per client, server, protocol. Judges: medium.
#include "detect/expiry.h"
#include "detect/fields.h"
#include "detect/judge.h"
#include "detect/rule.h"
#include "dissectors/credential.h"

namespace ms::detect {
namespace {

constexpr RuleInfo kInfo[] = {
    {"weak_password", 1004, "Login with a password below the policy", "credential access", "T0859", "T1078"}};
constexpr std::string_view kWants[] = {"credential"};

class WeakPassword final : public Rule {
 public:
  std::span<const RuleInfo> alerts() const override { return kInfo; }
  std::span<const std::string_view> wants() const override { return kWants; }
  void take(const Input& in, Context& ctx) override {
    const CredentialEvent* o = in.event().as<CredentialEvent>();
    if (!o || o->default_credential || o->result != "success" || o->method == "anonymous") return;
    std::string_view strength = o->password_strength;
    if (strength != "weak" && strength != "empty") return;
    const Event& e = in.event();
    Candidate& c = cands_.add("weak_password", e.src_ip, e.dest_ip, o->protocol, e, ctx.flows);
    add_list(c, "usernames", JsonText(o->username));
    add_list(c, "strength", strength);
  }
  void judge(Judge& j) override {
    for (const auto& [key, c] : cands_.all()) j.from_candidate(c, Severity::kMedium, c.src, c.dst);
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
MS_REGISTER_RULE(weak_password, WeakPassword);
}  // namespace ms::detect
