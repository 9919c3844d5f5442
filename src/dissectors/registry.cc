// The list of linked dissectors, filled by static registration before main().
#include "dissectors/dissector.h"

namespace ms {

namespace {
std::vector<DissectorSpec>& specs() {
  static std::vector<DissectorSpec> v;
  return v;
}
std::vector<FrameDissectorSpec>& frame_specs() {
  static std::vector<FrameDissectorSpec> v;
  return v;
}
}  // namespace

bool DissectorRegistry::add_frame(const FrameDissectorSpec& spec) {
  frame_specs().push_back(spec);
  return true;
}

const std::vector<FrameDissectorSpec>& DissectorRegistry::frames() { return frame_specs(); }

Envelope frame_envelope(const FrameContext& fc) {
  Envelope env;
  env.ts = fc.ts;
  env.vlan_count = fc.vlan_count;
  env.vlan[0] = fc.vlan[0];
  env.vlan[1] = fc.vlan[1];
  return env;
}

void frame_anomaly(const FrameContext& fc, const char* reason) {
  EventBuilder b(frame_envelope(fc), "anomaly");
  b.w().key("anomaly").begin_object().kv("type", "applayer").kv("event", reason).end_object();
  fc.sink->emit(b.finish());
}

bool DissectorRegistry::add(const DissectorSpec& spec) {
  specs().push_back(spec);
  return true;
}

const std::vector<DissectorSpec>& DissectorRegistry::all() { return specs(); }

}  // namespace ms
