// DICOM upper layer and command set parsing (PS3.8 §9.3, PS3.7 §E) on
// hand-built PDUs: fields, rejection of impossible headers, every truncation.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dissectors/dicom/dicom_parser.h"

namespace {

using Buf = std::vector<uint8_t>;

void be16(Buf& b, uint16_t v) { b.push_back(v >> 8); b.push_back(v & 0xFF); }
void item(Buf& b, uint8_t type, const Buf& value) {
  b.push_back(type); b.push_back(0); be16(b, static_cast<uint16_t>(value.size()));
  b.insert(b.end(), value.begin(), value.end());
}
Buf str(const std::string& s) { return Buf(s.begin(), s.end()); }
std::string ae(const std::string& s) { return s + std::string(16 - s.size(), ' '); }

// An A-ASSOCIATE-RQ body: CT Image Storage in explicit LE, max PDU 16384,
// an implementation version, and a user identity with a passcode.
Buf associate_rq() {
  Buf b;
  be16(b, 1); be16(b, 0);
  for (char c : ae("PACS") + ae("CT01")) b.push_back(static_cast<uint8_t>(c));
  b.insert(b.end(), 32, 0);
  item(b, 0x10, str("1.2.840.10008.3.1.1.1"));
  Buf pc = {1, 0, 0, 0};
  item(pc, 0x30, str("1.2.840.10008.5.1.4.1.1.2"));
  item(pc, 0x40, str("1.2.840.10008.1.2.1"));
  item(b, 0x20, pc);
  Buf ui;
  item(ui, 0x51, {0, 0, 0x40, 0});
  item(ui, 0x55, str("MEDSENTRY_1"));
  Buf id = {2, 1};
  be16(id, 5); for (char c : std::string("alice")) id.push_back(static_cast<uint8_t>(c));
  be16(id, 6); for (char c : std::string("s3cret")) id.push_back(static_cast<uint8_t>(c));
  item(ui, 0x58, id);
  item(b, 0x50, ui);
  return b;
}

// A C-ECHO-RQ command set (implicit VR LE, group 0000).
Buf echo_command() {
  Buf c;
  auto el = [&c](uint16_t e, const Buf& v) {
    c.push_back(0); c.push_back(0); c.push_back(e & 0xFF); c.push_back(e >> 8);
    uint32_t n = static_cast<uint32_t>(v.size());
    for (int i = 0; i < 4; ++i) c.push_back((n >> (8 * i)) & 0xFF);
    c.insert(c.end(), v.begin(), v.end());
  };
  el(0x0002, str("1.2.840.10008.1.1\0"));
  el(0x0100, {0x30, 0x00});
  el(0x0110, {0x07, 0x00});
  el(0x0800, {0x01, 0x01});
  return c;
}

}  // namespace

TEST(DicomParser, PduHeaders) {
  ms::dicom::PduHeader h;
  Buf rq = {1, 0, 0, 0, 0, 68};
  EXPECT_TRUE(ms::dicom::parse_pdu_header(ms::Bytes(rq), h));
  Buf short_assoc = {1, 0, 0, 0, 0, 10};  // an A-ASSOCIATE is at least 68 bytes
  EXPECT_FALSE(ms::dicom::parse_pdu_header(ms::Bytes(short_assoc), h));
  Buf release_bad = {5, 0, 0, 0, 0, 8};  // a release is exactly 4
  EXPECT_FALSE(ms::dicom::parse_pdu_header(ms::Bytes(release_bad), h));
  Buf unknown = {9, 0, 0, 0, 0, 4};
  EXPECT_FALSE(ms::dicom::parse_pdu_header(ms::Bytes(unknown), h));
}

TEST(DicomParser, AssociateRequest) {
  Buf b = associate_rq();
  ms::dicom::Associate a;
  ASSERT_EQ(ms::dicom::parse_associate(ms::Bytes(b), true, a), nullptr);
  EXPECT_EQ(a.called_ae, "PACS");
  EXPECT_EQ(a.calling_ae, "CT01");
  EXPECT_EQ(a.application_context, "1.2.840.10008.3.1.1.1");
  ASSERT_EQ(a.contexts.size(), 1u);
  EXPECT_EQ(a.contexts[0].abstract_syntax, "1.2.840.10008.5.1.4.1.1.2");
  EXPECT_EQ(a.contexts[0].transfer_syntaxes, std::vector<std::string>{"1.2.840.10008.1.2.1"});
  EXPECT_EQ(a.max_pdu, 16384u);
  EXPECT_EQ(a.implementation_version, "MEDSENTRY_1");
  ASSERT_TRUE(a.has_user_identity);
  EXPECT_EQ(a.user_identity.username, "alice");
  EXPECT_EQ(a.user_identity.secondary_length, 6);  // its length only: the passcode is not kept
}

TEST(DicomParser, EveryTruncationIsSafe) {
  Buf full = associate_rq();
  for (size_t n = 0; n < full.size(); ++n) {
    Buf cut(full.begin(), full.begin() + static_cast<long>(n));
    ms::dicom::Associate a;
    const char* err = ms::dicom::parse_associate(ms::Bytes(cut), true, a);
    // The fixed part (68 bytes) cut short is always an error; a cut between
    // items is a shorter, valid request; a cut inside an item is an error.
    if (n < 68) {
      EXPECT_NE(err, nullptr) << n;
    }
  }
  Buf cmd = echo_command();
  for (size_t n = 0; n < cmd.size(); ++n) {
    Buf cut(cmd.begin(), cmd.begin() + static_cast<long>(n));
    ms::dicom::Command c;
    ms::dicom::parse_command(ms::Bytes(cut), c);  // must not read past the cut (ASan build)
  }
}

TEST(DicomParser, CommandSet) {
  Buf cmd = echo_command();
  ms::dicom::Command c;
  ASSERT_EQ(ms::dicom::parse_command(ms::Bytes(cmd), c), nullptr);
  EXPECT_STREQ(ms::dicom::command_name(c.field), "C-ECHO-RQ");
  EXPECT_EQ(c.message_id, 7);
  EXPECT_EQ(c.affected_sop_class, "1.2.840.10008.1.1");
  EXPECT_FALSE(c.has_dataset);
  EXPECT_STREQ(ms::dicom::status_class(0xFF00), "pending");
  EXPECT_STREQ(ms::dicom::status_class(0xB000), "warning");
  EXPECT_STREQ(ms::dicom::status_class(0xA700), "failure");
}

TEST(DicomParser, PlausibleStart) {
  Buf pdu = {1, 0, 0, 0, 0, static_cast<uint8_t>(associate_rq().size())};
  Buf body = associate_rq();
  pdu.insert(pdu.end(), body.begin(), body.end());
  EXPECT_EQ(ms::dicom::plausible_start(ms::Bytes(pdu)), ms::dicom::Plausible::kYes);
  EXPECT_EQ(ms::dicom::plausible_start(ms::Bytes(pdu).first(3)), ms::dicom::Plausible::kNeedMore);
  Buf text = str("GET / HTTP/1.1\r\n");
  EXPECT_EQ(ms::dicom::plausible_start(ms::Bytes(text)), ms::dicom::Plausible::kNo);
  std::string chat("\x01\x00hello world, this is a chat line", 34);  // a NUL inside
  Buf type_then_text = str(chat);
  EXPECT_EQ(ms::dicom::plausible_start(ms::Bytes(type_then_text)), ms::dicom::Plausible::kNo);
}

TEST(DicomParser, PickupPointInsideAPdu) {
  // The tail of a PDU's pixel data, then a P-DATA-TF with one PDV, then an
  // A-RELEASE-RQ: the pickup is the P-DATA-TF.
  std::vector<uint8_t> b(300, 0x04);  // 0x04 everywhere: PDU-type bytes with nonsense behind
  const uint8_t pdata[] = {0x04, 0x00, 0x00, 0x00, 0x00, 0x0A, 0x00, 0x00, 0x00, 0x06, 0x01, 0x02, 0xAA, 0xBB, 0xCC, 0xDD};
  const uint8_t release[] = {0x05, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00};
  size_t at = b.size();
  b.insert(b.end(), std::begin(pdata), std::end(pdata));
  b.insert(b.end(), std::begin(release), std::end(release));
  EXPECT_EQ(ms::dicom::pickup_point(ms::Bytes(b), b.size()), at);
  EXPECT_EQ(ms::dicom::pickup_point(ms::Bytes(b), at - 1), static_cast<size_t>(-1));  // not within reach
  // A P-DATA-TF whose PDV does not fill it, or whose next PDU is not one.
  std::vector<uint8_t> bad(std::begin(pdata), std::end(pdata));
  bad[9] = 0x05;  // PDV one byte short of the PDU
  bad.insert(bad.end(), std::begin(release), std::end(release));
  EXPECT_EQ(ms::dicom::pickup_point(ms::Bytes(bad), bad.size()), sizeof pdata);  // the release behind it
  std::vector<uint8_t> bad2(std::begin(pdata), std::end(pdata));
  bad2.insert(bad2.end(), {0x09, 0x00, 0x00, 0x00, 0x00, 0x04});
  EXPECT_EQ(ms::dicom::pickup_point(ms::Bytes(bad2), bad2.size()), static_cast<size_t>(-1));
}
