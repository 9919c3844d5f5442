// DNS, mDNS, LLMNR and NetBIOS events -> inventory observations: the names
// hosts claim for themselves and the names DNS answers give the hospital's
// own addresses.
#include "inventory/observe_registry.h"

#include "common/find.h"

namespace ms::inv {

namespace {

void observe_dns(const ObserveCtx& c, const JsonValue& d) {
  std::string_view proto = str(&d, "protocol");
  if (const JsonValue* h = d.get("host_names")) {
    // The claimant: the address its own A/AAAA records give, else the
    // sender (queries and multicast answers come from the flow's client; a
    // unicast answer from its server).
    std::string sender = str(&d, "type") == "response" && !c.dst.empty() ? c.dst : c.src;
    const char* src = proto == "mdns" ? "dns.mdns.self" : proto == "llmnr" ? "dns.llmnr.self" : proto == "nbns" ? "dns.nbns.self" : "dns.dns.self";
    for (const JsonValue& x : h->items) {
      std::string dev = sender;
      for (const char* sec : {"answers", "additionals"}) {
        if (const JsonValue* rrs = d.get(sec)) {
          for (const JsonValue& rr : rrs->items) {
            std::string_view t = str(&rr, "rrtype");
            if ((t == "A" || t == "AAAA") && str(&rr, "rrname") == x.str() && !ip_key(str(&rr, "rdata")).empty()) {
              dev = ip_key(str(&rr, "rdata"));
            }
          }
        }
      }
      c.add(dev, "hostname", x.str(), src, kNamed);
    }
  }
  if (str(&d, "type") != "response" || proto != "dns") return;
  if (const JsonValue* a = d.get("answers")) {
    for (const JsonValue& rr : a->items) {
      std::string_view t = str(&rr, "rrtype"), name = str(&rr, "rrname"), rdata = str(&rr, "rdata");
      // Names of the hospital's own addresses only: the inventory has no use
      // for the internet's.
      if ((t == "A" || t == "AAAA") && internal_address(rdata)) c.add(ip_key(rdata), "dns_name", name, "dns.answer", kSaid);
      if (t == "PTR" && name.size() > 13 && name.substr(name.size() - 13) == ".in-addr.arpa") {
        // 4.3.2.1.in-addr.arpa -> 1.2.3.4
        std::string_view q = name.substr(0, name.size() - 13);
        std::string ip;
        size_t end = q.size();
        for (int i = 0; i < 4; ++i) {
          size_t dot = q.rfind('.', end - 1);
          size_t start = dot == std::string_view::npos ? 0 : dot + 1;
          if (!ip.empty()) ip += '.';
          ip += q.substr(start, end - start);
          if (dot == std::string_view::npos) break;
          end = dot;
        }
        if (internal_address(ip)) c.add(ip_key(ip), "dns_name", rdata, "dns.ptr", kSaid);
      }
    }
  }
  c.add(c.dst, "role", "dns_server", "dns", kStated);
}

// Most DNS messages name nothing of ours: skip them before parsing.
bool worth_parsing(std::string_view json) {
  return contains_text(json, "\"answers\"") || contains_text(json, "\"host_names\"");
}

}  // namespace

MS_REGISTER_OBSERVER(dns, {"dns", observe_dns, worth_parsing});
MS_REGISTER_APP_SECURITY(dns, "dns", "cleartext");

}  // namespace ms::inv
