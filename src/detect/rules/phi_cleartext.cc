// Rule 1007 phi_cleartext: patient data carried without TLS (HL7, DICOM,
// FHIR, DICOM files on HTTP, SMB, FTP or bare TCP), once per pair and
// protocol with its volumes: the PHI flow map, a finding (info).
// Wants: hl7, dicom, dicom_file, fhir, ftp (data channels). Keeps: the
// volumes per (source, destination, protocol) (phi_volumes.h).
#include "detect/expiry.h"
#include "detect/judge.h"
#include "detect/phi_volumes.h"
#include "detect/rule.h"

namespace ms::detect {
namespace {

constexpr RuleInfo kInfo[] = {{"phi_cleartext", 1007, "Patient data in cleartext", "patient data", "", "T1040"}};

class PhiCleartext final : public Rule {
 public:
  std::span<const RuleInfo> alerts() const override { return kInfo; }
  std::span<const std::string_view> wants() const override { return PhiVolumes::kWants; }
  void take(const Input& in, Context& ctx) override { volumes_.take(in, ctx); }
  void judge(Judge& j) override {
    for (const auto& [key, c] : volumes_.judged().all()) j.from_candidate(c, Severity::kInfo, c.src, c.dst);
  }
  void expire(Expiry& x) override {
    volumes_.expire(x);
  }

  Response response(const Alert&) const override {
    return {Response::About::kSource, Response::Contain::kSegment,
            "enable TLS (DICOM TLS, MLLP over TLS, HTTPS) where the peers support it; record the flow in the HIPAA "
            "risk analysis"};
  }

 private:
  PhiVolumes volumes_{"phi_cleartext", false};
};

}  // namespace
MS_REGISTER_RULE(phi_cleartext, PhiCleartext);
}  // namespace ms::detect
