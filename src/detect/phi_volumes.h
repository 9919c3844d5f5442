// Patient data carried without TLS, per (source, destination, protocol):
// HL7 messages, DICOM associations, DICOM files (HTTP, SMB, bare TCP, FTP
// data) and FHIR interactions with patient data, with their volumes. Two
// rules read the same volumes: phi_cleartext reports every pair,
// phi_exfiltration the pairs that cross the internal networks' edge; each
// keeps its own (the second only the crossing pairs).
#pragma once

#include <string_view>

#include "detect/candidates.h"
#include "detect/expiry.h"
#include "detect/ftp_data.h"
#include "detect/rule.h"

namespace ms::detect {

class PhiVolumes {
 public:
  // The event types it reads ("ftp": the data channels files may ride on).
  static constexpr std::string_view kWants[] = {"hl7", "dicom", "dicom_file", "fhir", "ftp"};
  // `rule`: the name the candidates carry; `crossing_only`: keep only pairs
  // with one side inside networks.internal and the other outside.
  PhiVolumes(const char* rule, bool crossing_only) : rule_(rule), crossing_only_(crossing_only) {}
  void take(const Input& in, Context& ctx);
  // At the end of the run: the candidates, files on announced FTP data
  // connections moved to protocol "ftp".
  Candidates& judged();
  // The live monitor's expiry (expiry.h).
  void expire(Expiry& x) {
    expire_candidates(cands_, x);
    channels_.expire(x);
  }

 private:
  Candidate* add(const Event& e, std::string_view protocol, Context& ctx);
  // By event type, each reading its struct (no JSON is parsed).
  void take_hl7(const Event& e, Context& ctx);
  void take_dicom(const Event& e, Context& ctx);
  void take_dicom_file(const Event& e, Context& ctx);
  void take_fhir(const Event& e, Context& ctx);

  const char* rule_;
  bool crossing_only_;
  Candidates cands_;
  FtpDataChannels channels_;
};

}  // namespace ms::detect
