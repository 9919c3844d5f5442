// What the derivation learns of a device from the maker clouds it calls
// (issue 16): a member of DeviceFacts (derive_steps.h), filled by
// identity_from_clouds (derive_cloud.cc) and written as the record's `cloud`.
#pragma once

#include <string>
#include <vector>

#include "inventory/cloud_knowledge.h"
#include "inventory/store.h"

namespace ms::inv {

struct CloudUse {
  const CloudEndpoint* endpoint = nullptr;
  bool companion = false;                  // the caller runs the maker's app; it is not the device
  std::vector<const ObservationRow*> rows;  // the names and user agents seen, at most kMaxCloudRows
};

struct CloudFacts {
  std::vector<CloudUse> uses;           // one per table row, at most kMaxCloudUses
  std::string phone_evidence;           // why the caller is a phone or computer ("" : none seen)
  std::vector<std::string> clinical_peers;  // "out|10.0.0.5|tcp/104/dicom": clinical systems it talks to
};

constexpr size_t kMaxCloudUses = 16, kMaxCloudRows = 8, kMaxClinicalPeers = 16;

}  // namespace ms::inv
