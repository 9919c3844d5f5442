// The segmentation module (src/segment/): the zone model, learning rules,
// the policy file's round trip, simulation and the events reader's bounds.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "segment/export.h"
#include "segment/learn.h"

namespace ms::seg {
namespace {

FlowRec flow(const char* src, const char* dst, const char* proto, int port, bool answered, uint64_t id,
             const char* ts = "2026-01-01T00:00:00Z") {
  FlowRec f;
  f.src = src;
  f.dst = dst;
  f.proto = proto;
  f.port = port;
  f.answered = answered;
  f.flow_id = id;
  f.bytes = 100;
  f.ts = ts;
  f.app = port == 104 ? "dicom" : "unknown";
  return f;
}

std::vector<DeviceRec> ward() {
  return {{{"10.1.0.11"}, "CT", true}, {{"10.1.0.20"}, "PACS/archive", false},
          {{"10.1.0.30", "fe80::30"}, "general workstation/server", false}, {{"10.1.0.70"}, "infusion pump", true}};
}

TEST(SegmentZones, TypesMapToZones) {
  EXPECT_EQ(zone_of_type("CT", true), "imaging_modality");
  EXPECT_EQ(zone_of_type("PACS/archive", false), "pacs");
  EXPECT_EQ(zone_of_type("infusion pump", true), "infusion_pump");
  EXPECT_EQ(zone_of_type("something new", true), "medical_other");  // medical never joins IT
  EXPECT_EQ(zone_of_type("unknown", false), "unclassified");
  EXPECT_TRUE(zone_is_medical("infusion_pump"));
  EXPECT_FALSE(zone_is_medical("it"));
}

TEST(SegmentZones, AddressesMapToZones) {
  Policy p = propose_zones(ward());
  ZoneMap zm(p);
  EXPECT_EQ(zm.zone_of("10.1.0.11"), "imaging_modality");
  EXPECT_EQ(zm.zone_of("fe80::30"), "it");
  EXPECT_EQ(zm.zone_of("203.0.113.5"), kExternal);
  EXPECT_EQ(zm.zone_of("224.0.0.251"), kMulticast);
  EXPECT_EQ(zm.zone_of("255.255.255.255"), kMulticast);
  EXPECT_EQ(zm.zone_of("10.9.9.9"), kUnlisted);
  EXPECT_EQ(zm.zone_of("not an address"), kExternal);
}

TEST(SegmentLearn, RulesFromAnsweredFlowsOnly) {
  Traffic t;
  t.flows = {flow("10.1.0.11", "10.1.0.20", "tcp", 104, true, 1, "2026-01-01T00:00:02Z"),
             flow("10.1.0.11", "10.1.0.20", "tcp", 104, true, 2, "2026-01-01T00:00:01Z"),
             flow("10.1.0.30", "10.1.0.11", "tcp", 23, false, 3),     // a probe: never learned
             flow("10.1.0.30", "10.1.0.70", "tcp", 23, true, 4),      // alerted: never learned
             flow("10.1.0.70", "203.0.113.9", "tcp", 443, true, 5),   // pump to the internet
             flow("10.1.0.30", "203.0.113.9", "tcp", 443, true, 6),   // IT to the internet
             flow("fe80::30", "ff02::2", "icmpv6", 133, false, 7)};  // router solicitation
  AlertRec a;
  a.severity = "high";
  a.flow_ids = {4};
  t.alerts.push_back(a);
  Policy p = learn(ward(), t);
  ASSERT_EQ(p.rules.size(), 2u);
  const Rule& dicom = p.rules[0];
  EXPECT_EQ(dicom.from, "imaging_modality");
  EXPECT_EQ(dicom.to, "pacs");
  EXPECT_EQ(dicom.flows, 2u);
  EXPECT_EQ(dicom.first_seen, "2026-01-01T00:00:01Z");
  EXPECT_EQ(dicom.last_seen, "2026-01-01T00:00:02Z");
  EXPECT_EQ(dicom.workflow, "DICOM store modality -> PACS");
  EXPECT_EQ(p.rules[1].to, kExternal);
  EXPECT_EQ(p.rules[1].from, "it");
  EXPECT_EQ(p.not_learned["unanswered attempts"], 1u);
  EXPECT_EQ(p.not_learned["raised a high or critical alert"], 1u);
  EXPECT_EQ(p.not_learned["medical device to the outside (write the rule yourself)"], 1u);
  // The same flows in another order give the same file.
  std::reverse(t.flows.begin(), t.flows.end());
  EXPECT_EQ(write_policy_toml(learn(ward(), t)), write_policy_toml(p));
}

TEST(SegmentLearn, EvidenceHostsAreCapped) {
  Traffic t;
  for (int i = 0; i < 100; ++i) {
    std::string ip = "10.2.0." + std::to_string(i);
    t.flows.push_back(flow("10.1.0.30", "10.1.0.20", "tcp", 104, true, 1));
    t.flows.back().src = ip;
  }
  Policy p = learn(ward(), t);
  ASSERT_EQ(p.rules.size(), 1u);
  EXPECT_EQ(p.rules[0].flows, 100u);
  EXPECT_EQ(p.rules[0].clients.size(), kMaxEvidenceHosts);
}

TEST(SegmentPolicy, RoundTripAndSimulation) {
  Traffic t;
  t.flows = {flow("10.1.0.11", "10.1.0.20", "tcp", 104, true, 1)};
  Policy p = learn(ward(), t);
  std::string text = write_policy_toml(p);
  Policy back;
  std::string err;
  ASSERT_TRUE(read_policy_text(text, "p.toml", back, err)) << err;
  EXPECT_EQ(write_policy_toml(back), text);

  Traffic attack;
  attack.flows = {flow("10.1.0.11", "10.1.0.20", "tcp", 104, true, 10),
                  flow("10.1.0.11", "10.1.0.20", "tcp", 22, false, 11),
                  flow("10.1.0.30", "203.0.113.9", "tcp", 2575, false, 12)};
  attack.flows[2].app = "hl7";
  AlertRec a;
  a.id = "x";
  a.flow_ids = {11};
  attack.alerts.push_back(a);
  Simulation s = simulate(back, attack);
  EXPECT_EQ(s.allowed, 1u);
  ASSERT_EQ(s.denied.size(), 2u);
  EXPECT_EQ(s.denied[0].port, 22);
  EXPECT_TRUE(s.denied[0].clinical);  // a modality
  EXPECT_EQ(s.denied[1].dst_zone, kExternal);
  EXPECT_TRUE(s.clinical_denied);
  ASSERT_EQ(s.prevented.size(), 1u);
  EXPECT_EQ(s.prevented[0]->id, "x");
}

TEST(SegmentPolicy, BadFilesAreRefused) {
  Policy p;
  std::string err;
  EXPECT_FALSE(read_policy_text("version = 1\n[[zone]]\nname = \"a\"\nmembers = [\"10.0.0.1\"]\n"
                                "[[zone]]\nname = \"b\"\nmembers = [\"10.0.0.1\"]\n",
                                "p", p, err));
  EXPECT_NE(err.find("in two zones"), std::string::npos) << err;
  EXPECT_FALSE(read_policy_text("version = 1\n[[rule]]\nfrom = \"a\"\nto = \"b\"\nproto = \"tcp\"\nport = 1\n", "p", p, err));
  EXPECT_FALSE(read_policy_text("version = 1\n[[zone]]\nname = \"Bad Name\"\n", "p", p, err));
  EXPECT_FALSE(read_policy_text("[[[", "p", p, err));
  EXPECT_TRUE(read_policy_text("version = 1\n", "p", p, err)) << err;
  EXPECT_EQ(p.internal, default_internal());
}

TEST(SegmentEvents, LinesAreBounded) {
  std::string good =
      R"({"timestamp":"2026-01-01T00:00:00Z","flow_id":7,"src_ip":"10.1.0.11","src_port":40000,"dest_ip":"10.1.0.20",)"
      R"("dest_port":104,"proto":"TCP","event_type":"flow","app_proto":"dicom","flow":{"pkts_toserver":3,)"
      R"("pkts_toclient":2,"bytes_toserver":10,"bytes_toclient":20},"tcp":{"tcp_flags_tc":"12"}})";
  std::string long_line = R"({"event_type":"flow","x":")" + std::string(kMaxLineBytes + 10, 'a') + "\"}";
  std::istringstream in(long_line + "\n" + good + "\n{\"event_type\":\"flow\" broken\n" + good);
  Traffic t;
  std::string err;
  ASSERT_TRUE(read_events_stream(in, "e", "", "", t, err));
  ASSERT_EQ(t.flows.size(), 2u);
  EXPECT_TRUE(t.flows[0].answered);
  EXPECT_EQ(t.flows[0].port, 104);
  EXPECT_EQ(t.flows[0].bytes, 30u);
  EXPECT_EQ(t.skipped_lines, 2u);
  Traffic later;
  std::istringstream again(good);
  ASSERT_TRUE(read_events_stream(again, "e", "2026-01-02", "", later, err));
  EXPECT_TRUE(later.flows.empty());  // before --since
}

TEST(SegmentShares, AdministrativeShareNames) {
  EXPECT_TRUE(is_admin_share("ADMIN$"));
  EXPECT_TRUE(is_admin_share("C$"));
  EXPECT_TRUE(is_admin_share("print$"));
  EXPECT_FALSE(is_admin_share("IPC$"));
  EXPECT_FALSE(is_admin_share("ipc$"));
  EXPECT_FALSE(is_admin_share("images"));
  EXPECT_FALSE(is_admin_share("$"));
  EXPECT_EQ(share_of_path("\\\\10.60.0.40\\ADMIN$"), "ADMIN$");
  EXPECT_EQ(share_of_path("images"), "images");
  EXPECT_TRUE(valid_share_name("*"));
  EXPECT_FALSE(valid_share_name("a\\b"));
  EXPECT_FALSE(valid_share_name("a\"b"));
  EXPECT_FALSE(valid_share_name(std::string(241, 'a')));
  EXPECT_FALSE(valid_share_name(""));
}

// An SMB rule learned from the image export (IPC$ and the ordinary share)
// denies a tree connect to ADMIN$ on the same conversation; a rule that
// learned an administrative share, or lists "*", does not.
TEST(SegmentShares, LearnedAndSimulated) {
  Traffic t;
  t.flows = {flow("10.1.0.11", "10.1.0.30", "tcp", 445, true, 1)};
  t.flows[0].shares = {"IPC$", "images"};
  Policy p = learn(ward(), t);
  ASSERT_EQ(p.rules.size(), 1u);
  EXPECT_EQ(p.rules[0].shares, (std::vector<std::string>{"IPC$", "images"}));
  EXPECT_TRUE(guards_admin_shares(p.rules[0]));
  std::string text = write_policy_toml(p);
  EXPECT_NE(text.find("shares = [\"IPC$\", \"images\"]"), std::string::npos) << text;
  Policy back;
  std::string err;
  ASSERT_TRUE(read_policy_text(text, "p.toml", back, err)) << err;
  EXPECT_EQ(back.rules[0].shares, p.rules[0].shares);

  Traffic attack;
  attack.flows = {flow("10.1.0.11", "10.1.0.30", "tcp", 445, true, 2), flow("10.1.0.11", "10.1.0.30", "tcp", 445, true, 3)};
  attack.flows[0].shares = {"images"};
  attack.flows[1].shares = {"ADMIN$", "IPC$"};
  Simulation s = simulate(back, attack);
  EXPECT_EQ(s.allowed, 1u);
  ASSERT_EQ(s.denied.size(), 1u);
  EXPECT_EQ(s.denied[0].admin_shares, "ADMIN$");
  EXPECT_EQ(s.denied[0].port, 445);

  back.rules[0].shares = {"C$"};  // one administrative share learned: all allowed
  EXPECT_FALSE(guards_admin_shares(back.rules[0]));
  EXPECT_TRUE(simulate(back, attack).denied.empty());
  back.rules[0].shares = {"*"};
  EXPECT_TRUE(simulate(back, attack).denied.empty());
  back.rules[0].shares = {};
  back.rules[0].port = 8445;  // not SMB's port: not guarded
  EXPECT_FALSE(guards_admin_shares(back.rules[0]));

  EXPECT_FALSE(read_policy_text(text.substr(0, text.find("shares")) + "shares = [\"a/b\"]\n", "p", back, err));
  EXPECT_NE(err.find("shares"), std::string::npos) << err;
}

// Tree connects join their flow whatever the order of the lines.
TEST(SegmentEvents, SharesJoinTheirFlow) {
  std::string flow_line =
      R"({"timestamp":"2026-01-01T00:00:00Z","flow_id":7,"src_ip":"10.1.0.11","src_port":40000,"dest_ip":"10.1.0.30",)"
      R"("dest_port":445,"proto":"TCP","event_type":"flow","app_proto":"smb","tcp":{"tcp_flags_tc":"1a"}})";
  auto tc = [](int id, const char* share) {
    return std::string(R"({"flow_id":)") + std::to_string(id) +
           R"(,"src_ip":"10.1.0.11","dest_ip":"10.1.0.30","dest_port":445,"proto":"TCP","event_type":"smb",)"
           R"("smb":{"command":"tree_connect","version":3,"share":"\\\\10.1.0.30\\)" + share + R"("}})";
  };
  std::istringstream in(tc(7, "ADMIN$") + "\n" + flow_line + "\n" + tc(7, "IPC$") + "\n" + tc(8, "C$") + "\n" +
                        tc(7, "bad/name") + "\n");
  Traffic t;
  std::string err;
  ASSERT_TRUE(read_events_stream(in, "e", "", "", t, err));
  ASSERT_EQ(t.flows.size(), 1u);
  EXPECT_EQ(t.flows[0].shares, (std::vector<std::string>{"ADMIN$", "IPC$"}));
}

// The nftables exports send a guarded rule's SMB2 TREE_CONNECT requests
// through the generated guard before any accept; a rule that learned an
// administrative share has no guard.
TEST(SegmentExport, NftablesGuardsAdministrativeShares) {
  Traffic t;
  t.flows = {flow("10.1.0.11", "10.1.0.30", "tcp", 445, true, 1)};
  t.flows[0].shares = {"images"};
  Policy p = learn(ward(), t);
  for (bool bridge : {false, true}) {
    std::string nft = export_nftables(p, bridge);
    size_t jump = nft.find("jump smb_admin_share");
    ASSERT_NE(jump, std::string::npos);
    EXPECT_NE(nft.find("chain smb_admin_share {"), std::string::npos);
    EXPECT_LT(jump, nft.find("tcp dport 445 accept"));
    EXPECT_LT(jump, nft.find("ct state established"));
    // ".\ADMIN$": PathLength 38 (0x26) and its last character at 76 + 36.
    EXPECT_NE(nft.find("@ih,592,16 0x2600 @ih,896,16 0x2400 @ih,832,64 & 0xffffdfffdfffdfff != 0x5c00490050004300 drop"),
              std::string::npos);
  }
  p.rules[0].shares.push_back("ADMIN$");
  EXPECT_EQ(export_nftables(p, false).find("smb_admin_share"), std::string::npos);
}

TEST(SegmentExport, EveryFormatEndsInADeny) {
  Traffic t;
  t.flows = {flow("10.1.0.11", "10.1.0.20", "tcp", 104, true, 1), flow("10.1.0.30", "203.0.113.9", "tcp", 443, true, 2)};
  Policy p = learn(ward(), t);
  for (const char* f : {"nftables", "nftables-bridge", "iptables", "cisco-ios", "cisco-asa", "paloalto", "fortigate",
                        "ise-sgacl", "capirca"}) {
    std::vector<ExportFile> out;
    std::string err;
    ASSERT_TRUE(export_policy(p, f, out, err)) << f;
    std::string all;
    for (const ExportFile& x : out) all += x.text;
    EXPECT_TRUE(all.find("deny") != std::string::npos || all.find("drop") != std::string::npos ||
                all.find("DROP") != std::string::npos) << f;
    EXPECT_NE(all.find("104"), std::string::npos) << f;
  }
  std::vector<ExportFile> out;
  std::string err;
  EXPECT_FALSE(export_policy(p, "juniper", out, err));
}

}  // namespace
}  // namespace ms::seg
