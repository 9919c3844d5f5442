// The typed `dns` event: its JSON is what the dissector wrote before, and the
// inventory reads its struct as it read the JSON (names claimed by mDNS land
// on the address the claim gives, bytes that are not UTF-8 read as U+00XX).
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "dissectors/dns/dns_events.h"
#include "inventory/observe.h"

namespace {

ms::Event mdns_announcement(const std::string& name, const std::string& ip) {
  auto d = std::make_unique<ms::dns::DnsEvent>();
  d->protocol = "mdns";
  d->msg.response = true;
  ms::dns::Record a;
  a.name = name;
  a.type = ms::dns::kTypeA;
  a.klass = 1;
  a.ttl = 120;
  a.rdata = ip;
  d->msg.answers.push_back(a);
  d->host_names.push_back(name);
  ms::Envelope env;
  env.ts = 1;
  env.src_ip = ip;
  env.dest_ip = "224.0.0.251";
  env.proto = "UDP";
  env.src_port = env.dest_port = 5353;
  env.has_ports = true;
  return ms::make_event(env, "dns", std::move(d));
}

}  // namespace

TEST(DnsTyped, JsonAndObservations) {
  ms::Event e = mdns_announcement("pump\xe9.local", "10.1.2.3");
  EXPECT_NE(e.json.find(R"("dns":{"protocol":"mdns","type":"response","id":0,"opcode":0,"rcode":0,)"
                        R"("answers":[{"rrname":"pump\u00e9.local","rrtype":"A","ttl":120,"rdata":"10.1.2.3"}],)"
                        R"("host_names":["pump\u00e9.local"]})"),
            std::string::npos)
      << e.json;
  std::vector<std::string> seen;
  ms::inv::observe(e, [&](ms::inv::Observation&& o) {
    seen.push_back(std::string(o.device) + " " + std::string(o.attr) + " " + std::string(o.value) + " " +
                   std::string(o.source));
  });
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0], "ip:10.1.2.3 hostname pump\xc3\xa9.local dns.mdns.self");
}
