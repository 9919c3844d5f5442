// What a device's MDS2 form declares against what the inventory saw it do on
// the network (docs/exposure.md "MDS2"). Each discrepancy keeps both sides:
// the question and the manufacturer's answer, and the observation with its
// evidence (services, peers, logins from the device's inventory record).
#pragma once

#include <string>
#include <vector>

#include "exposure/mds2/mds2_form.h"

namespace ms::exposure {

struct Mds2Discrepancy {
  std::string device, form;  // device id; the form (its source id)
  std::string question;      // "TXCF-2"
  std::string declared;      // "Yes: Is personally identifiable information encrypted ..."
  std::string observed;      // what the network showed
  std::string evidence;      // services, peers, protocols
  std::string kind;          // "contradicted" or "not_observed" (declared, never seen)
};

// The discrepancies of one form against one device's inventory record (the
// JSON derive_record.cc writes). An unparsable record gives none.
std::vector<Mds2Discrepancy> compare_mds2(const Mds2Form& form, const std::string& form_id, const std::string& device_id,
                                          const std::string& record_json);

// The models a form names in DOC-3 ("MVR435, MVR436 / MTR133"), at most 32.
std::vector<std::string> mds2_models(const Mds2Form& form);

}  // namespace ms::exposure
