// HL7 v2 message parsing (HL7 v2.5 ch. 2): the message's own delimiters,
// escapes, MSH/MSA/ERR/PID/OBX/PRT fields, and every truncation.
#include <gtest/gtest.h>

#include <string>

#include "dissectors/hl7/hl7_parser.h"

namespace {
ms::Bytes bytes(const std::string& s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }
const std::string kOru =
    "MSH|^~\\&|ALARIS|ICU4|ENGINE|GH|20261123||ORU^R01^ORU_R01|C1|P|2.6\r"
    "PID|1||PID1^^^ICU4^MR~OTHER7||JONES^BOB||19620110|M\r"
    "OBX|1|NM|RATE||42|mL/h|||||F|||20261123||||PUMP-42^BD\r";
}  // namespace

TEST(Hl7Parser, Fields) {
  ms::hl7::Message m;
  ASSERT_EQ(ms::hl7::parse_message(bytes(kOru), m), nullptr);
  EXPECT_EQ(m.sending_app, "ALARIS");
  EXPECT_EQ(m.receiving_facility, "GH");
  EXPECT_EQ(m.message_type, "ORU");
  EXPECT_EQ(m.trigger_event, "R01");
  EXPECT_EQ(m.structure, "ORU_R01");
  EXPECT_EQ(m.control_id, "C1");
  EXPECT_EQ(m.version, "2.6");
  EXPECT_EQ(m.patient_ids, (std::vector<std::string>{"PID1", "OTHER7"}));
  EXPECT_EQ(m.patient_name, "JONES^BOB");
  EXPECT_EQ(m.birth_date, "19620110");
  EXPECT_EQ(m.equipment, std::vector<std::string>{"PUMP-42^BD"});
  EXPECT_EQ(m.segments, (std::vector<std::string>{"MSH", "PID", "OBX"}));
}

TEST(Hl7Parser, OwnDelimitersAndEscapes) {
  // Field separator '#', component '@', escape '!' (MSH-1, MSH-2).
  std::string msg = "MSH#@~!&#APP!F!X#FAC#R#RF#1##ADT@A01#ID!X41!#P#2.3\rMSA#AE#C9\rERR###207@Error\r";
  ms::hl7::Message m;
  ASSERT_EQ(ms::hl7::parse_message(bytes(msg), m), nullptr);
  EXPECT_EQ(m.sending_app, "APP#X");  // \F\ is the field separator
  EXPECT_EQ(m.control_id, "IDA");     // \X41\ is 'A'
  EXPECT_EQ(m.message_type, "ADT");
  EXPECT_EQ(m.trigger_event, "A01");
  EXPECT_EQ(m.ack_code, "AE");
  EXPECT_EQ(m.acked_control_id, "C9");
  EXPECT_TRUE(m.has_err);
  EXPECT_EQ(m.err_code, "207");
}

TEST(Hl7Parser, Rejections) {
  ms::hl7::Message m;
  EXPECT_STREQ(ms::hl7::parse_message(bytes("PID|1||X\r"), m), "hl7.no_msh");
  ms::hl7::Message m2;
  EXPECT_STREQ(ms::hl7::parse_message(bytes("MSH|abcd|X\r"), m2), "hl7.bad_encoding_characters");
}

TEST(Hl7Parser, EveryTruncationIsSafe) {
  for (size_t n = 0; n <= kOru.size(); ++n) {
    ms::hl7::Message m;
    ms::hl7::parse_message(bytes(kOru.substr(0, n)), m);  // must not read past the cut
  }
  EXPECT_EQ(ms::hl7::unescape("ab\\X4", ms::hl7::Delimiters{}), "ab\\X4");  // unterminated: kept
}

TEST(Hl7Parser, PlausibleStart) {
  using ms::hl7::Start;
  EXPECT_EQ(ms::hl7::plausible_start(bytes("\x0bMSH|^~\\&|A")), Start::kMllp);
  EXPECT_EQ(ms::hl7::plausible_start(bytes("MSH|^~\\&|A")), Start::kRaw);
  EXPECT_EQ(ms::hl7::plausible_start(bytes("FHS|^~\\&|A")), Start::kRaw);
  EXPECT_EQ(ms::hl7::plausible_start(bytes("MS")), Start::kNeedMore);
  EXPECT_EQ(ms::hl7::plausible_start(bytes("MSH is a header")), Start::kNo);
  EXPECT_EQ(ms::hl7::plausible_start(bytes("MSHX^~\\&X")), Start::kNo);
}

TEST(Hl7Parser, FieldPositionsTrimmingAndCaps) {
  // LF-separated segments; PRT-10 and PRT-16; trailing spaces trimmed;
  // a missing MSH-12 and a 200-byte sending application capped at 128.
  std::string long_app(200, 'A');
  std::string msg = "MSH|^~\\&|" + long_app + "|FAC  |||||ORM^O01|CTRL  |P\n" +
                    "PRT|1|||||||||PUMP-9~X||||||UDI-77\n"
                    "OBX|1|NM|RATE||1\n"      // no OBX-18
                    "MSA|AA|C0|\n";
  ms::hl7::Message m;
  ASSERT_EQ(ms::hl7::parse_message(bytes(msg), m), nullptr);
  EXPECT_EQ(m.sending_app, std::string(128, 'A'));
  EXPECT_EQ(m.sending_facility, "FAC");
  EXPECT_EQ(m.control_id, "CTRL");
  EXPECT_EQ(m.processing_id, "P");
  EXPECT_EQ(m.version, "");
  EXPECT_EQ(m.equipment, (std::vector<std::string>{"PUMP-9", "UDI-77"}));
  EXPECT_EQ(m.ack_code, "AA");
  EXPECT_EQ(m.acked_control_id, "C0");
  EXPECT_EQ(m.segments, (std::vector<std::string>{"MSH", "PRT", "OBX", "MSA"}));
}

// SFT (HL7 v2.5 §2.15.12): the sending application's software, read for
// the inventory's versions (issue 15).
TEST(Hl7Parser, SoftwareSegment) {
  const std::string msg =
      "MSH|^~\\&|CARESCAPE|ICU|HUB|GH|20260101||ORU^R01^ORU_R01|7|P|2.6\r"
      "SFT|GE Healthcare^L|2.1.4|CARESCAPE Gateway|B7\r"
      "SFT||||\r"
      "PID|1||123||DOE^J\r";
  ms::hl7::Message m;
  ASSERT_EQ(ms::hl7::parse_message(bytes(msg), m), nullptr);
  ASSERT_EQ(m.software.size(), 1u);  // an empty SFT says nothing
  EXPECT_EQ(m.software[0].vendor, "GE Healthcare");
  EXPECT_EQ(m.software[0].version, "2.1.4");
  EXPECT_EQ(m.software[0].product, "CARESCAPE Gateway");
}
