// Fuzz target for the MDS2 form reader: the XLSX cell reader (libzip and the
// bounded XML scan, src/exposure/mds2/xlsx_reader.h), the form's answers, their
// stored text and the comparison with an inventory record. A form is a file a
// vendor or an attacker wrote.
//
// The replay inputs are workbooks test_exposure.py writes (write_mds2 with
// openpyxl, excel_style_xlsx, raw_xlsx): the HN 1-2019 form of the ICU
// monitor, a truncated copy, the same form as Excel writes it (shared
// strings, rich text), and hostile ones (a bad cell reference, a shared string
// index out of range, unterminated XML, a ZIP bomb whose headers claim 100
// bytes, a part claiming 2 GiB). The test also leaves its workbooks in its
// workdir (mds2_seeds/, mds2_excel_seeds/, mds2_hostile_files/) to seed a
// fuzzing run.
// fuzz-replay: tests/fuzz/regressions_mds2/
#include <string_view>

#include "exposure/mds2/mds2_compare.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view file(reinterpret_cast<const char*>(data), size);
  std::vector<ms::exposure::XlsxCell> cells;
  if (ms::exposure::read_xlsx_cells(file, cells)) return 0;
  ms::exposure::Mds2Form form;
  if (ms::exposure::parse_mds2(cells, form)) return 0;
  ms::exposure::Mds2Form back;
  ms::exposure::mds2_from_text(ms::exposure::mds2_to_text(form), back);
  ms::exposure::mds2_models(form);
  static const char* kRecord =
      R"({"services":[{"proto":"tcp","port":23,"app":"telnet","security":"cleartext"}],)"
      R"("peers":[{"direction":"out","ip":"203.0.113.9","service":"tcp/2575/hl7"}],"phi":{"handles":true,"protocols":["hl7"]},)"
      R"("exposure":{"cleartext_logins":["telnet"],"default_credentials":["telnet"],"tls_versions":["TLS 1.2"]}})";
  ms::exposure::compare_mds2(back, "form", "dev", kRecord);
  return 0;
}
