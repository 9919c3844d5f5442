// Rule 1014 legacy_tls: TLS 1.1 or older, or SSL, negotiated (RFC 8996
// deprecates TLS 1.0 and 1.1). Wants: tls. Keeps: one candidate per client,
// server. Judges: low, a finding.
#include "detect/expiry.h"
#include "detect/fields.h"
#include "detect/judge.h"
#include "detect/rule.h"
#include "dissectors/tls/tls_events.h"

namespace ms::detect {
namespace {

constexpr RuleInfo kInfo[] = {{"legacy_tls", 1014, "Legacy TLS (1.1 or older) negotiated", "exposure", "", ""}};
constexpr std::string_view kWants[] = {"tls"};

class LegacyTls final : public Rule {
 public:
  std::span<const RuleInfo> alerts() const override { return kInfo; }
  std::span<const std::string_view> wants() const override { return kWants; }
  void take(const Input& in, Context& ctx) override {
    const tls::TlsEvent* o = in.event().as<tls::TlsEvent>();
    if (!o) return;
    std::string_view v = o->version;
    if (v != "TLS 1.0" && v != "TLS 1.1" && v != "SSL 3.0" && v != "SSL 2.0") return;
    const Event& e = in.event();
    Candidate& c = cands_.add("legacy_tls", e.src_ip, e.dest_ip, "tls", e, ctx.flows);
    add_list(c, "versions", v);
    add_list(c, "server_names", JsonText(o->sni));
  }
  void judge(Judge& j) override {
    for (const auto& [key, c] : cands_.all()) j.from_candidate(c, Severity::kLow, c.src, c.dst);
  }
  void expire(Expiry& x) override {
    expire_candidates(cands_, x);
  }

  Response response(const Alert&) const override {
    return {Response::About::kDestinationUnlessMedicalSource, Response::Contain::kSegment,
            "require TLS 1.2 or newer on the server; ask the manufacturer for an update"};
  }

 private:
  Candidates cands_;
};

}  // namespace
MS_REGISTER_RULE(legacy_tls, LegacyTls);
}  // namespace ms::detect
