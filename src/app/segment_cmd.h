// `medsentry segment zones|learn|simulate|export`: segmentation policies
// learned from the traffic (issue 19, docs/segmentation.md).
#pragma once

#include <string>
#include <vector>

namespace ms {

// args[0] is "segment". Returns the process exit code.
int run_segment(const std::vector<std::string>& args);

}  // namespace ms
