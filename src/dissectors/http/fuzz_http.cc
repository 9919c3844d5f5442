// Fuzz target for HTTP/1.x: the head parser, Basic decoding, title and
// boundary extraction, the Part 10 reader on the raw input, then the
// dissector (heads, bodies by length, chunks or close, HL7 v2 messages in
// request bodies: hl7_embedded.h) through the harness.
//
// fuzz-replay: tests/fuzz/regressions_http/ samples/clinic-sample.pcap
// fuzz-replay: ../shared/corpus/nDPI/pcap/http_auth.pcap
// fuzz-seed: tcp tcp.port==80
// fuzz-seed-captures: samples/clinic-sample.pcap ../shared/corpus/nDPI-2025/pcap/*.pcap
// fuzz-seed-captures: ../shared/corpus/tapirx/testdata/*.pcap build/tests/work/test_lab/lab_*/capture.pcap
#include "dissectors/dicom/dicom_file.h"
#include "dissectors/credential.h"
#include "dissectors/http/http_parser.h"
#include "dissector_harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ms::Bytes in(data, size);
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (bool request : {true, false}) {
    ms::http::Head h;
    if (!ms::http::parse_head(in, request, h)) {
      uint64_t len;
      ms::http::body_framing(h, false, len);
    }
  }
  std::string user, password;
  ms::http::decode_basic(text, user, password);
  ms::password_strength(text);
  ms::http::html_title(in);
  ms::http::multipart_boundary(text);
  ms::dicom::Part10 f;
  ms::dicom::parse_part10(in, f);
  fuzzharness::feed("http", data, size);
  return 0;
}
