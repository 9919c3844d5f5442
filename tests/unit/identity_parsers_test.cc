// The pure parsers of the identity protocols on hand-built messages whose
// fields are known byte by byte (captures of real programs are the
// integration tests' job).
#include <gtest/gtest.h>

#include <vector>

#include "dissectors/arp/arp.h"
#include "dissectors/cdp/cdp.h"
#include "dissectors/dhcp/dhcp.h"
#include "dissectors/dns/dns.h"
#include "dissectors/lldp/lldp.h"
#include "dissectors/smb/ntlmssp.h"
#include "dissectors/snmp/snmp.h"
#include "dissectors/tls/tls.h"

namespace {

using Buf = std::vector<uint8_t>;
void put(Buf& b, std::initializer_list<int> v) {
  for (int x : v) b.push_back(static_cast<uint8_t>(x));
}
void put(Buf& b, const char* s) {
  while (*s) b.push_back(static_cast<uint8_t>(*s++));
}

TEST(Dhcp, DiscoverWithOptions) {
  Buf b(236, 0);
  b[0] = 1, b[1] = 1, b[2] = 6;
  b[4] = 0x12, b[5] = 0x34, b[6] = 0x56, b[7] = 0x78;
  Buf mac = {0x00, 0x09, 0x5c, 0x00, 0x50, 0x41};
  std::copy(mac.begin(), mac.end(), b.begin() + 28);
  put(b, {0x63, 0x82, 0x53, 0x63, 53, 1, 1, 12, 4});
  put(b, "MX45");
  put(b, {60, 3});
  put(b, "PHI");
  put(b, {55, 4, 1, 3, 6, 15, 61, 7, 1, 0x00, 0x09, 0x5c, 0x00, 0x50, 0x41, 255});
  ms::dhcp::Message m;
  ASSERT_TRUE(ms::dhcp::parse_v4(ms::Bytes(b), m));
  EXPECT_EQ(m.xid, 0x12345678u);
  EXPECT_STREQ(ms::dhcp::v4_type_name(m.msg_type), "discover");
  EXPECT_EQ(m.client_mac, "00:09:5c:00:50:41");
  EXPECT_EQ(m.hostname, "MX45");
  EXPECT_EQ(m.vendor_class, "PHI");
  EXPECT_EQ(ms::dhcp::fingerprint(m.params), "1,3,6,15");
  EXPECT_EQ(m.client_id, "00:09:5c:00:50:41");
  EXPECT_FALSE(m.truncated_options);
  b.resize(b.size() - 5);  // an option cut short
  ms::dhcp::Message cut;
  ASSERT_TRUE(ms::dhcp::parse_v4(ms::Bytes(b), cut));
  EXPECT_TRUE(cut.truncated_options);
  b[236] = 0;  // no magic cookie: not DHCP
  EXPECT_FALSE(ms::dhcp::parse_v4(ms::Bytes(b), cut));
}

TEST(Dns, CompressedAnswerAndLoop) {
  Buf b;
  put(b, {0xab, 0xcd, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0});
  put(b, {4});
  put(b, "pacs");
  put(b, {3});
  put(b, "lan");
  put(b, {0, 0, 1, 0, 1});
  put(b, {0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 60, 0, 20});
  ms::dns::Message m;
  ASSERT_TRUE(ms::dns::parse(ms::Bytes(b), false, m));
  EXPECT_TRUE(m.response);
  ASSERT_EQ(m.answers.size(), 1u);
  EXPECT_EQ(m.answers[0].name, "pacs.lan");
  EXPECT_EQ(m.answers[0].rdata, "10.60.0.20");
  EXPECT_EQ(m.answers[0].ttl, 60u);
  // A pointer to itself: refused, never followed forever.
  Buf loop = {0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1};
  ms::dns::Message l;
  EXPECT_FALSE(ms::dns::parse(ms::Bytes(loop), false, l));
  EXPECT_EQ(ms::dns::nbns_decode("EGFCEFEECACACACACACACACACACACAAA"), "FRED<00>");  // F=EG R=FC E=EF D=EE, spaces=CA
}

TEST(Snmp, GetRequestV2c) {
  // SEQUENCE { INTEGER 1, OCTET STRING "public", GetRequest { id 7, 0, 0, { { 1.3.6.1.2.1.1.1.0, NULL } } } }
  Buf b = {0x30, 0x26, 0x02, 0x01, 0x01, 0x04, 0x06, 'p', 'u', 'b', 'l', 'i', 'c', 0xa0, 0x19, 0x02, 0x01, 0x07,
           0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x30, 0x0e, 0x30, 0x0c, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x02, 0x01,
           0x01, 0x01, 0x00, 0x05, 0x00};
  ms::snmp::Message m;
  ASSERT_TRUE(ms::snmp::parse(ms::Bytes(b), m));
  EXPECT_EQ(m.version, 1);
  EXPECT_EQ(m.community, "public");
  EXPECT_STREQ(ms::snmp::pdu_name(m.pdu_tag), "get_request");
  EXPECT_EQ(m.request_id, 7);
  ASSERT_EQ(m.vars.size(), 1u);
  EXPECT_EQ(m.vars[0].oid, "1.3.6.1.2.1.1.1.0");
  b[1] = 0x7f;  // a length past the end
  ms::snmp::Message bad;
  EXPECT_FALSE(ms::snmp::parse(ms::Bytes(b), bad));
}

TEST(Tls, ClientHelloJa3Ja4) {
  Buf body;
  put(body, {0x03, 0x03});
  body.insert(body.end(), 32, 0);  // random
  put(body, {0});                   // session id
  put(body, {0, 4, 0x0a, 0x0a, 0x13, 0x01});  // GREASE, TLS_AES_128_GCM_SHA256
  put(body, {1, 0});                // compression
  Buf ext;
  put(ext, {0, 0, 0, 9, 0, 7, 0, 0, 4});
  put(ext, "pacs");                 // SNI
  put(ext, {0, 16, 0, 5, 0, 3, 2});
  put(ext, "h2");                   // ALPN
  put(ext, {0, 43, 0, 3, 2, 3, 4}); // supported_versions: TLS 1.3
  put(body, {0, static_cast<int>(ext.size())});
  body.insert(body.end(), ext.begin(), ext.end());
  ms::tls::ClientHello c;
  ASSERT_TRUE(ms::tls::parse_client_hello(ms::Bytes(body), c));
  EXPECT_EQ(c.sni, "pacs");
  EXPECT_EQ(ms::tls::ja3_string(c), "771,4865,0-16-43,,");
  // a: TCP, 1.3, SNI, 1 cipher, 3 extensions, ALPN "h2"; b: sha256("1301"); c: sha256("002b").
  EXPECT_EQ(ms::tls::ja4(c), "t13d0103h2_0f2cb44170f4_b9a491fefe05");
  EXPECT_TRUE(ms::tls::grease(0x0a0a));
  EXPECT_TRUE(ms::tls::weak_cipher(0x0004));
  EXPECT_FALSE(ms::tls::weak_cipher(0x1301));
  body.resize(20);
  ms::tls::ClientHello cut;
  EXPECT_FALSE(ms::tls::parse_client_hello(ms::Bytes(body), cut));
}

TEST(Ntlmssp, Authenticate) {
  Buf m;
  put(m, "NTLMSSP");
  put(m, {0, 3, 0, 0, 0});
  m.resize(72, 0);
  auto field = [&m](size_t at, const std::u16string& s) {
    size_t off = m.size();
    for (char16_t c : s) put(m, {c & 0xff, c >> 8});
    m[at] = static_cast<uint8_t>(s.size() * 2);
    m[at + 4] = static_cast<uint8_t>(off);
  };
  field(28, u"HOSP");
  field(36, u"labtech");
  field(44, u"WS30");
  m[60] = 0x01;  // NTLMSSP_NEGOTIATE_UNICODE
  ms::ntlmssp::Message a;
  ASSERT_TRUE(ms::ntlmssp::find_and_parse(ms::Bytes(m), a));
  EXPECT_EQ(a.type, 3u);
  EXPECT_EQ(a.domain, "HOSP");
  EXPECT_EQ(a.user, "labtech");
  EXPECT_EQ(a.workstation, "WS30");
  m[36] = 200;  // a length past the message: the field is left empty
  ms::ntlmssp::Message b;
  ASSERT_TRUE(ms::ntlmssp::find_and_parse(ms::Bytes(m), b));
  EXPECT_EQ(b.user, "");
}

TEST(Lldp, SystemNameAndMedInventory) {
  Buf b;
  put(b, {0x02, 0x07, 4, 0x00, 0x09, 0x5c, 0x00, 0x70, 0x20});  // chassis: MAC
  put(b, {0x04, 0x02, 7, '1'});                                  // port id
  put(b, {0x06, 0x02, 0, 120});                                  // TTL
  put(b, {0x0a, 0x04});
  put(b, "PACS");                                                // system name
  put(b, {0xfe, 0x07, 0x00, 0x12, 0xbb, 0x08});
  put(b, "SN1");                                                 // LLDP-MED serial
  put(b, {0, 0});
  ms::lldp::Info in;
  ASSERT_TRUE(ms::lldp::parse(ms::Bytes(b), in));
  EXPECT_EQ(in.chassis_id, "00:09:5c:00:70:20");
  EXPECT_EQ(in.system_name, "PACS");
  EXPECT_EQ(in.ttl, 120u);
  EXPECT_EQ(in.serial, "SN1");
  Buf noch = {0x0a, 0x02, 'x', 'y', 0, 0};  // no chassis TLV first
  ms::lldp::Info n;
  EXPECT_FALSE(ms::lldp::parse(ms::Bytes(noch), n));
}

TEST(Cdp, DeviceAndPlatform) {
  Buf b = {2, 180, 0, 0, 0, 1, 0, 6, 'R', '1', 0, 6, 0, 9, 'c', 'i', 's', 'c', 'o'};
  ms::cdp::Info in;
  ASSERT_TRUE(ms::cdp::parse(ms::Bytes(b), in));
  EXPECT_EQ(in.version, 2);
  EXPECT_EQ(in.device_id, "R1");
  EXPECT_EQ(in.platform, "cisco");
  b[0] = 9;  // not a CDP version
  EXPECT_FALSE(ms::cdp::parse(ms::Bytes(b), in));
}

// htype 1, ptype 0x0800, hlen 6, plen 4, op, sender MAC/IP, target MAC/IP.
Buf arp_message(uint8_t op, const Buf& sha, const Buf& spa, const Buf& tha, const Buf& tpa) {
  Buf b = {0, 1, 8, 0, 6, 4, 0, op};
  for (const Buf* part : {&sha, &spa, &tha, &tpa}) b.insert(b.end(), part->begin(), part->end());
  return b;
}

TEST(Arp, RequestReplyAnnouncementProbe) {
  Buf mac = {0x00, 0x09, 0x5c, 0x00, 0x70, 0x41}, zero(6, 0);
  ms::arp::Info in;
  ASSERT_TRUE(ms::arp::parse(ms::Bytes(arp_message(1, mac, {10, 60, 0, 141}, zero, {10, 60, 0, 1})), in));
  EXPECT_EQ(in.op, 1);
  EXPECT_EQ(in.sender_mac, "00:09:5c:00:70:41");
  EXPECT_EQ(in.sender_ip, "10.60.0.141");
  EXPECT_EQ(in.target_mac, "00:00:00:00:00:00");
  EXPECT_EQ(in.target_ip, "10.60.0.1");
  EXPECT_FALSE(in.gratuitous);
  EXPECT_FALSE(in.probe);
  // Ethernet padding after the 28 bytes is ignored.
  Buf padded = arp_message(2, mac, {10, 60, 0, 141}, mac, {10, 60, 0, 141});
  padded.resize(46, 0);
  ms::arp::Info g;
  ASSERT_TRUE(ms::arp::parse(ms::Bytes(padded), g));
  EXPECT_EQ(g.op, 2);
  EXPECT_TRUE(g.gratuitous);
  ms::arp::Info p;
  ASSERT_TRUE(ms::arp::parse(ms::Bytes(arp_message(1, mac, {0, 0, 0, 0}, zero, {10, 60, 0, 141})), p));
  EXPECT_TRUE(p.probe);
  EXPECT_FALSE(p.gratuitous);
}

TEST(Arp, NotEthernetIpv4ArpIsRefused) {
  Buf mac = {0x00, 0x09, 0x5c, 0x00, 0x70, 0x41};
  Buf good = arp_message(1, mac, {10, 0, 0, 1}, mac, {10, 0, 0, 2});
  ms::arp::Info in;
  EXPECT_FALSE(ms::arp::parse(ms::Bytes(good).first(27), in));  // cut
  Buf ieee802 = good;
  ieee802[1] = 6;  // hardware type IEEE 802
  EXPECT_FALSE(ms::arp::parse(ms::Bytes(ieee802), in));
  Buf ipv6 = good;
  ipv6[2] = 0x86;  // protocol type 0x86dd
  ipv6[3] = 0xdd;
  EXPECT_FALSE(ms::arp::parse(ms::Bytes(ipv6), in));
  Buf hlen = good;
  hlen[4] = 8;
  EXPECT_FALSE(ms::arp::parse(ms::Bytes(hlen), in));
  Buf rarp = good;
  rarp[7] = 3;  // RARP request: not ARP
  EXPECT_FALSE(ms::arp::parse(ms::Bytes(rarp), in));
}

}  // namespace
