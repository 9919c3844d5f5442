// Rule 1010 dicom_exec_preamble: a DICOM Part 10 file whose 128-byte preamble
// is a PE or ELF header (CVE-2019-11687), carried on HTTP (bodies, STOW-RS),
// SMB, or a bare TCP connection (protocol "ftp" when an FTP control channel
// announced it, else "tcp"). DIMSE never carries a preamble (PS3.10 7.1).
// Wants: dicom_file, ftp (data channels). Keeps: the files' preambles, SOP
// classes and instances per sender, receiver, protocol. Judges: critical.
#include "common/json_read_back.h"
#include "detect/expiry.h"
#include "detect/fields.h"
#include "detect/ftp_data.h"
#include "detect/judge.h"
#include "detect/rule.h"
#include "dissectors/dicom/dicom_events.h"

namespace ms::detect {
namespace {

constexpr RuleInfo kInfo[] = {{"dicom_exec_preamble", 1010, "DICOM file with an executable preamble (CVE-2019-11687)",
                               "malware", "T0849", "T1036"}};
constexpr std::string_view kWants[] = {"dicom_file", "ftp"};

class DicomExecPreamble final : public Rule {
 public:
  std::span<const RuleInfo> alerts() const override { return kInfo; }
  std::span<const std::string_view> wants() const override { return kWants; }
  // Values are read as the JSON line reads them back (json_writer.h).
  void take(const Input& in, Context& ctx) override {
    const Event& e = in.event();
    if (e.event_type == "ftp") return channels_.take(in, ctx);
    const dicom::DicomFileEvent* f = e.as<dicom::DicomFileEvent>();
    if (!f || !f->executable_preamble()) return;
    const std::string& transport = f->transport;
    std::string protocol = transport.empty() || transport == "dimse" ? "dicom" : json_read_back(transport);
    Candidate& c = cands_.add("dicom_exec_preamble", e.src_ip, e.dest_ip, protocol, e, ctx.flows);
    if (protocol == "tcp") add_list(c, "data_connections", e.dest_ip + ' ' + std::to_string(e.dest_port));
    add_list(c, "preambles", f->preamble);
    add_list(c, "sop_classes", f->sop_class_name());
    add_list(c, "directions", f->direction());
    add_list(c, "sop_instances", json_read_back(f->sop_instance));
  }
  void judge(Judge& j) override {
    channels_.join(cands_);
    for (const auto& [key, c] : cands_.all()) j.from_candidate(c, Severity::kCritical, c.src, c.dst);
  }
  void expire(Expiry& x) override {
    expire_candidates(cands_, x);
    channels_.expire(x);
  }

  Response response(const Alert&) const override {
    return {Response::About::kDestination, Response::Contain::kBlockPair,
            "quarantine the object on the archive, scan it as an executable, and find where it came from"};
  }

 private:
  Candidates cands_;
  FtpDataChannels channels_;
};

}  // namespace
MS_REGISTER_RULE(dicom_exec_preamble, DicomExecPreamble);
}  // namespace ms::detect
