// Fuzz target for TLS records and handshakes: the dissector on two
// interleaved streams cut into chunks (fuzzharness::feed).
//
// fuzz-replay: tests/fuzz/regressions_identity/ ../shared/corpus/nDPI/pcap/tls_verylong_certificate.pcap
// fuzz-seed: tcp tcp.port==443
// fuzz-seed-captures: ../shared/corpus/nDPI/pcap/tls*.pcap
// fuzz-seed-captures: ../shared/corpus/zeek/testing/btest/Traces/tls/*.pcap
// fuzz-seed-captures: ../shared/corpus/suricata-verify/tests/ja4-*/input.pcap
#include "dissectors/tls/tls.h"
#include "dissector_harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ms::Bytes in(data, size);
  (void)in;
  ms::tls::ClientHello c;
  ms::tls::ServerHello s;
  ms::tls::Certificate cert;
  if (ms::tls::parse_client_hello(in, c)) {
    ms::tls::ja3_string(c);
    ms::tls::ja4(c);
  }
  ms::tls::parse_sslv2_client_hello(in, c);
  if (ms::tls::parse_server_hello(in, s)) ms::tls::ja3s_string(s);
  for (ms::Bytes der : ms::tls::certificate_list(in, 8)) ms::tls::parse_certificate(der, cert);
  ms::tls::parse_certificate(in, cert);
  fuzzharness::feed("tls", data, size);
  return 0;
}
