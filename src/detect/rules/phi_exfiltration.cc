// Rule 1008 phi_exfiltration: patient data leaving for where it should not
// go. Two ways, one alert:
// - the phi_cleartext volumes of a pair with one side inside
//   networks.internal and the other outside (critical);
// - when known.ae_titles is set, DICOM patient data or C-STOREs to a called
//   AE title not in it, or a C-MOVE whose destination AE is not in it
//   (critical across the edge, high inside). Such a pair is judged by its AE
//   titles, not again by its volumes.
// Wants: dicom, dicom_command, and the volumes' events (phi_volumes.h).
#include "common/json_read_back.h"
#include "detect/expiry.h"
#include "detect/fields.h"
#include "detect/judge.h"
#include "detect/phi_volumes.h"
#include "detect/rule.h"
#include "dissectors/dicom/dicom_events.h"

namespace ms::detect {
namespace {

constexpr RuleInfo kInfo[] = {{"phi_exfiltration", 1008, "Patient data sent outside the internal networks",
                               "exfiltration", "T0882", "T1048"}};
// PhiVolumes::kWants, and the DICOM commands (C-MOVE destinations).
constexpr std::string_view kWants[] = {"hl7", "dicom", "dicom_file", "fhir", "ftp", "dicom_command"};

class PhiExfiltration final : public Rule {
 public:
  std::span<const RuleInfo> alerts() const override { return kInfo; }
  std::span<const std::string_view> wants() const override { return kWants; }

  void take(const Input& in, Context& ctx) override {
    volumes_.take(in, ctx);
    const Event& e = in.event();
    if (const auto* d = e.as<dicom::DicomEvent>()) return take_association(e, *d, ctx);
    if (const auto* d = e.as<dicom::DicomCommandEvent>()) return take_command(e, *d, ctx);
  }

  void judge(Judge& j) override {
    for (const auto& [key, c] : volumes_.judged().all()) {
      if (!unknown_ae_.contains("phi_exfiltration", c.src, c.dst, c.protocol))
        j.from_candidate(c, Severity::kCritical, c.src, c.dst);
    }
    for (const auto& [key, c] : unknown_ae_.all()) {
      bool out = j.cfg().is_internal(c.src) != j.cfg().is_internal(c.dst);
      j.from_candidate(c, out ? Severity::kCritical : Severity::kHigh, c.src, c.dst);
    }
  }

  void expire(Expiry& x) override {
    volumes_.expire(x);
    expire_candidates(unknown_ae_, x);
  }

  Response response(const Alert&) const override {
    return {Response::About::kSource, Response::Contain::kBlockDestination,
            "assess a reportable breach with the privacy officer: which patients (the tokens in the events), when, to "
            "whom"};
  }

 private:
  // AE titles are read as the JSON line reads them back (json_writer.h).
  void take_association(const Event& e, const dicom::DicomEvent& d, Context& ctx) {
    std::string called = json_read_back(d.called_ae());
    if (d.accepted() && (d.phi() || d.sent("C-STORE-RQ")) && !called.empty() && !ctx.cfg.known_ae(called))
      add_list(unknown_ae_.add("phi_exfiltration", e.src_ip, e.dest_ip, "dicom", e, ctx.flows), "unknown_ae_titles",
               called);
  }

  void take_command(const Event& e, const dicom::DicomCommandEvent& d, Context& ctx) {
    if (d.field != 0x0021 || d.move_destination.empty()) return;  // C-MOVE-RQ
    std::string move_to = json_read_back(d.move_destination);
    if (!ctx.cfg.known_ae(move_to))
      add_list(unknown_ae_.add("phi_exfiltration", e.src_ip, e.dest_ip, "dicom", e, ctx.flows),
               "unknown_move_destinations", move_to);
  }

  PhiVolumes volumes_{"phi_exfiltration", true};  // only pairs across the edge
  Candidates unknown_ae_;
};

}  // namespace
MS_REGISTER_RULE(phi_exfiltration, PhiExfiltration);
}  // namespace ms::detect
