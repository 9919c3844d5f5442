// Fuzz target for the segmentation module (src/segment/): the input up to its
// first NUL byte is a policy file (TOML), the rest events.jsonl lines. A
// policy that reads is simulated on the events and exported in every format;
// the events are also learned from (no inventory: every address is
// unclassified or external).
//
// fuzz-replay: tests/fuzz/regressions_segment/ tests/integration/segment/policy.toml
#include <sstream>
#include <string>
#include <string_view>

#include "segment/export.h"
#include "segment/learn.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 262144) return 0;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  size_t nul = in.find('\0');
  std::string_view policy = in.substr(0, nul);
  std::istringstream events(std::string(nul == std::string_view::npos ? std::string_view() : in.substr(nul + 1)));
  ms::seg::Traffic t;
  std::string err;
  ms::seg::read_events_stream(events, "fuzz", "", "", t, err);
  ms::seg::Policy learned = ms::seg::learn({}, t);
  ms::seg::Policy p;
  if (!ms::seg::read_policy_text(policy, "fuzz", p, err)) p = learned;
  ms::seg::simulate(p, t);
  for (const char* f : {"nftables", "nftables-bridge", "iptables", "cisco-ios", "cisco-asa", "paloalto", "fortigate",
                        "ise-sgacl", "capirca"}) {
    std::vector<ms::seg::ExportFile> out;
    ms::seg::export_policy(p, f, out, err);
  }
  ms::seg::write_policy_toml(learned);
  return 0;
}
