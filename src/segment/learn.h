// Learning a policy from observed traffic, and simulating a policy on traffic
// (docs/segmentation.md "Learning rules" and "Simulation").
#pragma once

#include <string>
#include <vector>

#include "segment/policy.h"
#include "segment/traffic.h"

namespace ms::seg {

// Zones from the inventory's devices, then one rule per (zone, zone, proto,
// port) of the answered flows, with their evidence. Deterministic: the result
// depends only on the set of devices and flows, not on their order.
Policy learn(const std::vector<DeviceRec>& devices, const Traffic& traffic);
// The same with the zones (and internal ranges) of a file the user edited
// (`segment zones`, then `learn --zones`); its rules are not kept.
Policy learn_with_zones(const Policy& zones, const Traffic& traffic);

// The proposed zones alone (`segment zones`).
Policy propose_zones(const std::vector<DeviceRec>& devices);

struct Denied {
  std::string src, dst, proto, app, src_zone, dst_zone, first_seen, workflow;
  // Set when an allowed SMB conversation is denied for its tree connect to
  // administrative shares the rule did not learn (comma-separated names).
  std::string admin_shares;
  int port = 0;
  uint64_t flows = 0, bytes = 0;
  bool clinical = false;  // DICOM, HL7, FHIR or a medical zone at either end
};

struct Simulation {
  uint64_t flows = 0, allowed = 0, link_control = 0;
  std::vector<Denied> denied;              // sorted by src, dst, proto, port, admin shares
  std::vector<const AlertRec*> prevented;  // alerts all of whose flows are denied
  bool clinical_denied = false;
};

Simulation simulate(const Policy& p, const Traffic& traffic);

// The administrative shares of `shares` (is_admin_share), comma-separated:
// "" when there are none.
std::string admin_shares_of(const std::vector<std::string>& shares);

// The service name and the clinical workflow of a conversation.
std::string service_name(const std::string& app, const std::string& proto, int port);
std::string workflow_name(const std::string& service, const std::string& from, const std::string& to);

}  // namespace ms::seg
