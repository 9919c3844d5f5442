// Fuzz target for the CSAF 2.0 reader (src/exposure/csaf/) and what reads
// its output: every product entry's version text through the version-range
// reader, and the matching against devices whose identity is taken from the
// document itself (so that names match and the version logic runs).
//
// fuzz-replay: tests/fuzz/regressions_csaf/ ../shared/corpus/cisagov-CSAF/icsma/
#include <string_view>

#include "exposure/csaf/csaf_reader.h"
#include "exposure/match.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 262144) return 0;
  ms::exposure::CsafDoc doc;
  if (ms::exposure::parse_csaf(std::string_view(reinterpret_cast<const char*>(data), size), doc)) return 0;
  ms::exposure::uninterpreted_entries(doc);
  size_t n = 0;
  for (const ms::exposure::CsafProduct& p : doc.products) {
    if (++n > 8) break;
    ms::exposure::DeviceIdentity d;
    d.id = "dev";
    d.manufacturer = p.vendor;
    d.model = p.product;
    d.version = p.version.substr(0, 16);
    ms::exposure::match_device(doc, d);
  }
  return 0;
}
