// What the rules ask of the inventory's facts about a device
// (docs/detections.md "Medical, clinical endpoint, life-critical").
#pragma once

#include <string>

#include "detect/alert.h"

namespace ms::detect {

// Infusion pump, ventilator, anesthesia machine.
bool life_critical(const DeviceFacts* f);
// A device a patient's care depends on: what the inventory calls medical, the
// gateways that carry medical devices' serial lines onto the network, and a
// device not identified further whose network interface a medical
// manufacturer registered ("GE Healthcare", "Philips Medical Systems").
bool medical(const DeviceFacts* f);
// Exposure findings are about the devices themselves, not the clinical IT
// servers (archives, engines, EHR) that IT already manages as servers.
bool clinical_endpoint(const DeviceFacts* f);
bool imaging_host(const DeviceFacts* f);
// "10.1.2.3 (GE Healthcare Vivid, ultrasound), MAC 00:..." for people.
std::string describe(const std::string& ip, const DeviceFacts* f);

}  // namespace ms::detect
