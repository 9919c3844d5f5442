// The MDS2 pieces that need no workbook (src/exposure/mds2/): cell
// references at SpreadsheetML's limits, HN 1-2019 question ids, the answer
// and note columns of a row, the stored text, and the comparison with an
// inventory record, a contradicting one and its benign twin. Whole workbooks
// (openpyxl's, hostile ones) are in tests/integration/test_exposure.py.
#include <gtest/gtest.h>

#include "exposure/mds2/mds2_compare.h"

namespace ms::exposure {
namespace {

TEST(ExposureMds2, CellReferences) {
  uint32_t c = 0, r = 0;
  ASSERT_TRUE(parse_cell_ref("B12", c, r));
  EXPECT_EQ(c, 2u);
  EXPECT_EQ(r, 12u);
  ASSERT_TRUE(parse_cell_ref("XFD1048576", c, r));
  EXPECT_EQ(c, 16384u);
  EXPECT_EQ(r, 1048576u);
  ASSERT_TRUE(parse_cell_ref("$AA$3", c, r));
  EXPECT_EQ(c, 27u);
  for (const char* bad : {"XFE1", "A1048577", "A0", "ZZZZ1", "1A", "A", "12", "", "A1x", "A99999999"})
    EXPECT_FALSE(parse_cell_ref(bad, c, r)) << bad;
}

TEST(ExposureMds2, QuestionIds) {
  for (const char* ok : {"DOC-1", "MPII-2.1", "AUDT-2.8.1", "SAHD-15", "DOC-11.4", "RMOT-1"}) EXPECT_TRUE(is_mds2_question_id(ok)) << ok;
  for (const char* bad : {"Question ID", "DO-1", "MPIIX-1", "TXCF-", "TXCF-2.", "txcf-2", "TXCF-2a", "TXCF-1234"})
    EXPECT_FALSE(is_mds2_question_id(bad)) << bad;
}

std::vector<XlsxCell> row(uint32_t r, std::vector<std::pair<uint32_t, std::string>> cells) {
  std::vector<XlsxCell> out;
  for (auto& c : cells) out.push_back({0, r, c.first, c.second});
  return out;
}

Mds2Form form_of(std::vector<std::vector<XlsxCell>> rows) {
  std::vector<XlsxCell> cells;
  for (auto& r : rows) cells.insert(cells.end(), r.begin(), r.end());
  Mds2Form f;
  EXPECT_EQ(parse_mds2(cells, f), nullptr);
  return f;
}

TEST(ExposureMds2, AnswerAndNoteByColumn) {
  Mds2Form f = form_of({row(1, {{2, "Question ID"}, {3, "Question"}}),
                        row(2, {{2, "DOC-1"}, {3, "Manufacturer Name"}, {4, "Philips"}}),
                        row(3, {{2, "DOC-3"}, {3, "Device Model"}, {4, "MX800, MX850 / MP70"}}),
                        // No answer: the reference two columns on is not the answer.
                        row(4, {{2, "TXCF-2"}, {3, "Is PII encrypted?"}, {6, "SC-8"}}),
                        row(5, {{2, "PAUT-4"}, {3, "Default accounts listed?"}, {4, "N/A"}, {5, "No default accounts"}}),
                        row(6, {{2, "RMOT-1"}, {3, "Remote service?"}, {4, "Yes, optional"}})});
  ASSERT_EQ(f.answers.size(), 5u);
  EXPECT_EQ(f.manufacturer, "Philips");
  EXPECT_EQ(mds2_models(f), (std::vector<std::string>{"MX800", "MX850", "MP70"}));
  EXPECT_EQ(f.value("TXCF-2"), "");
  EXPECT_EQ(f.find("TXCF-2")->note, "");
  EXPECT_EQ(f.value("PAUT-4"), "n/a");
  EXPECT_EQ(f.find("PAUT-4")->note, "No default accounts");
  EXPECT_EQ(f.value("RMOT-1"), "yes");
  Mds2Form back;
  ASSERT_TRUE(mds2_from_text(mds2_to_text(f), back));
  EXPECT_EQ(back.answers.size(), 5u);
  EXPECT_EQ(back.find("PAUT-4")->note, "No default accounts");
  EXPECT_EQ(back.model, f.model);
  std::vector<XlsxCell> none = row(1, {{1, "Inventory"}, {2, "DOC 1"}});
  Mds2Form empty;
  EXPECT_NE(parse_mds2(none, empty), nullptr);
}

TEST(ExposureMds2, ComparisonAndItsTwin) {
  Mds2Form f = form_of({row(1, {{1, "TXCF-2"}, {2, "Encrypted?"}, {3, "Yes"}}),
                        row(2, {{1, "RMOT-1"}, {2, "Remote service?"}, {3, "No"}}),
                        row(3, {{1, "SAHD-9"}, {2, "Telnet, FTP disabled?"}, {3, "Yes"}}),
                        row(4, {{1, "CONN-4"}, {2, "External systems?"}, {3, "No"}}),
                        row(5, {{1, "PAUT-1"}, {2, "Unique passwords?"}, {3, "Yes"}})});
  std::string seen =
      R"({"services":[{"proto":"tcp","port":23,"app":"telnet","security":"cleartext"}],)"
      R"("peers":[{"direction":"out","ip":"10.1.2.3","service":"tcp/104/dicom"},{"direction":"out","ip":"203.0.113.7","service":"tcp/443/https"}],)"
      R"("phi":{"handles":true,"protocols":["dicom"]},"exposure":{"cleartext_logins":["telnet"],"default_credentials":["telnet"]}})";
  std::vector<std::string> got;
  for (const Mds2Discrepancy& d : compare_mds2(f, "form", "dev", seen)) got.push_back(d.question + " " + d.evidence);
  EXPECT_EQ(got, (std::vector<std::string>{"TXCF-2 out 10.1.2.3 tcp/104/dicom", "CONN-4 out 203.0.113.7 tcp/443/https",
                                           "RMOT-1 telnet/23, telnet", "SAHD-9 telnet/23", "PAUT-1 telnet"}));
  // The twin: TLS only, no patient data in clear, private peers, no default login.
  std::string quiet =
      R"({"services":[{"proto":"tcp","port":443,"app":"https","security":"tls"}],)"
      R"("peers":[{"direction":"out","ip":"192.168.4.2","service":"tcp/443/https"}],)"
      R"("phi":{"handles":false,"protocols":[]},"exposure":{"cleartext_logins":["snmp"],"default_credentials":[]}})";
  EXPECT_TRUE(compare_mds2(f, "form", "dev", quiet).empty());
  EXPECT_TRUE(compare_mds2(f, "form", "dev", "{not json").empty());
}

}  // namespace
}  // namespace ms::exposure
