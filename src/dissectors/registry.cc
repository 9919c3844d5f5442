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

bool DissectorRegistry::add(const DissectorSpec& spec) {
  specs().push_back(spec);
  return true;
}

const std::vector<DissectorSpec>& DissectorRegistry::all() { return specs(); }

}  // namespace ms
