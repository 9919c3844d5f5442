// What the rules ask of the inventory's facts about a device (device.h).
#include "detect/device.h"

#include "dissectors/text.h"

namespace ms::detect {

bool life_critical(const DeviceFacts* f) {
  return f && (f->type == "infusion pump" || f->type == "ventilator" || f->type == "anesthesia machine");
}

bool medical(const DeviceFacts* f) {
  if (!f) return false;
  if (f->medical || f->type == "medical device server") return true;
  if (!f->type.empty() && f->type != "unknown") return false;
  std::string v = text::lower(f->mac_vendor);
  return v.find("medical") != std::string::npos || v.find("healthcare") != std::string::npos ||
         v.find("health care") != std::string::npos;
}

bool clinical_endpoint(const DeviceFacts* f) {
  return medical(f) && f->type != "PACS/archive" && f->type != "HL7/interface engine" && f->type != "EHR/clinical server";
}

bool imaging_host(const DeviceFacts* f) {
  return f && (f->type == "PACS/archive" || f->type == "imaging workstation");
}

std::string describe(const std::string& ip, const DeviceFacts* f) {
  if (!f) return ip;
  std::string s = ip;
  std::string what;
  if (!f->manufacturer.empty()) what += f->manufacturer;
  if (!f->model.empty()) what += (what.empty() ? "" : " ") + f->model;
  if (!f->type.empty() && f->type != "unknown") what += (what.empty() ? "" : ", ") + f->type;
  if (!what.empty()) s += " (" + what + ")";
  if (!f->mac.empty()) s += ", MAC " + f->mac;
  return s;
}

}  // namespace ms::detect
