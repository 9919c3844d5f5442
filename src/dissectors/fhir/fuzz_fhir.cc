// Fuzz target for FHIR: the bounded JSON reader and the interaction/identity
// analysis, with the input as a request body and as a response body.
//
// fuzz-replay: tests/fuzz/regressions_fhir/
#include <string_view>

#include "common/json_reader.h"
#include "dissectors/fhir/fhir.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  ms::JsonValue v;
  ms::parse_json(text, v);
  for (int i = 0; i < 2; ++i) {
    ms::fhir::Transaction t;
    t.method = i ? "POST" : "GET";
    t.target = i ? "/fhir" : "/fhir/Patient/1/_history/2";
    t.request_type = "application/fhir+json";
    t.response_type = i ? "application/fhir+xml" : "application/fhir+json";
    (i ? t.request_body : t.response_body) = ms::Bytes(data, size);
    ms::fhir::Summary s;
    ms::fhir::analyze(t, s);
  }
  return 0;
}
