// The response steps every alert carries (docs/detections.md "Response
// steps"): the phases of the MITRE/FDA medical device incident playbook —
// identify, contain, preserve, contact, recover — filled from what was seen
// and from the rule's Response (rule.h).
#pragma once

#include <string>
#include <vector>

#include "detect/alert.h"
#include "detect/rule.h"

namespace ms::detect {

// `port`: the service's port for the containment rule (0: none).
std::vector<std::string> response_steps(const Alert& a, const Response& r, const DeviceFacts* sf,
                                         const DeviceFacts* df, uint16_t port);

}  // namespace ms::detect
