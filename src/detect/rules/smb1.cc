// Rule 1013 smb1: an SMB1 dialect negotiated (MS-SMB; what EternalBlue and
// its kin need). Wants: smb. Keeps: one candidate per client, server.
// Judges: low, a finding.
#include "detect/expiry.h"
#include "detect/fields.h"
#include "detect/judge.h"
#include "detect/rule.h"
#include "dissectors/smb/smb_events.h"

namespace ms::detect {
namespace {

constexpr RuleInfo kInfo[] = {{"smb1", 1013, "SMB version 1 in use", "exposure", "T0866", "T1210"}};
constexpr std::string_view kWants[] = {"smb"};

class Smb1 final : public Rule {
 public:
  std::span<const RuleInfo> alerts() const override { return kInfo; }
  std::span<const std::string_view> wants() const override { return kWants; }
  void take(const Input& in, Context& ctx) override {
    const smb::SmbEvent* o = in.event().as<smb::SmbEvent>();
    if (!o || o->version != 1 || !o->dialect || o->dialect->empty()) return;
    const Event& e = in.event();
    Candidate& c = cands_.add("smb1", e.src_ip, e.dest_ip, "smb", e, ctx.flows);
    add_list(c, "dialects", JsonText(*o->dialect));
    add_list(c, "commands", o->command);
  }
  void judge(Judge& j) override {
    for (const auto& [key, c] : cands_.all()) j.from_candidate(c, Severity::kLow, c.src, c.dst);
  }
  void expire(Expiry& x) override {
    expire_candidates(cands_, x);
  }

  Response response(const Alert&) const override {
    return {Response::About::kDestinationUnlessMedicalSource, Response::Contain::kSegment,
            "disable SMBv1 on the server; ask the manufacturer for a supported SMB2/3 configuration"};
  }

 private:
  Candidates cands_;
};

}  // namespace
MS_REGISTER_RULE(smb1, Smb1);
}  // namespace ms::detect
