// A risk score per device (docs/exposure.md "Risk"): the vulnerabilities
// linked to it (CVSS, on CISA's KEV list, ransomware use, FIRST's EPSS), what it does
// clinically (an infusion pump above a printer), what it exposes (default or
// cleartext logins, cleartext services, SMB1, weak TLS, an end-of-life OS,
// patient data in clear) and what already speaks for it (VEX statements).
// Every factor is kept with its points, so the ranking explains itself.
#pragma once

#include <string>
#include <vector>

#include "exposure/epss.h"
#include "exposure/kev.h"
#include "exposure/match.h"

namespace ms::exposure {

struct RiskInput {
  DeviceIdentity id;
  std::string record_json;  // the inventory's record of the device (derive_record.cc)
  std::vector<Link> links;  // the device's exposure links
};

struct RiskFactor {
  std::string kind, detail;
  double points = 0;  // 0: shown, not counted (a protection, a note)
};

struct DeviceRisk {
  std::string device, ip, name, type, level, next_action;
  int score = 0;  // 0-100
  double clinical_weight = 0;
  std::vector<RiskFactor> factors;
};

// How much a device type weighs clinically (life-sustaining 1.0 ... printer 0.3).
double clinical_weight(const std::string& type);

DeviceRisk assess_risk(const RiskInput& in, const KevCatalog& kev, const EpssTable& epss = EpssTable{});

}  // namespace ms::exposure
