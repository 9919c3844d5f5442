// What `medsentry exposure` prints: an aligned table (one row per device and
// advisory, most exposed first), JSON (schema/exposure.schema.json: every
// device with its links, vulnerabilities, evidence and remediations) or CSV
// (one row per device, advisory and vulnerability); the MDS2 discrepancies
// after the table, and in JSON with each device.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "exposure/match.h"
#include "exposure/mds2/mds2_compare.h"

namespace ms {

void print_exposure(std::ostream& os, const std::string& format, const std::vector<exposure::DeviceIdentity>& devices,
                    std::vector<exposure::Link> links, const std::vector<exposure::Mds2Discrepancy>& mds2 = {});

}  // namespace ms
