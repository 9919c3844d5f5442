// DNS, mDNS, LLMNR and NetBIOS events -> inventory observations: the names
// hosts claim for themselves and the names DNS answers give the hospital's
// own addresses.
#include "dissectors/dns/dns_events.h"
#include "inventory/cloud_observe.h"
#include "inventory/observe_registry.h"

namespace ms::inv {

namespace {

bool address_record(const dns::Record& r) { return r.type == dns::kTypeA || r.type == dns::kTypeAaaa; }

// "4.3.2.1.in-addr.arpa" -> "1.2.3.4" (RFC 1035 §3.5); "" when it is not one.
std::string reverse_v4(std::string_view name) {
  constexpr std::string_view kSuffix = ".in-addr.arpa";
  if (name.size() <= kSuffix.size() || !name.ends_with(kSuffix)) return "";
  std::string_view q = name.substr(0, name.size() - kSuffix.size());
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
  return ip;
}

// Names a host claims for itself, on the address its own A/AAAA records
// give, else on the sender (queries and multicast answers come from the
// flow's client; a unicast answer from its server).
void observe_claims(const ObserveCtx& c, const dns::DnsEvent& ev) {
  const dns::Message& d = ev.msg;
  std::string sender = d.response && !c.dst.empty() ? c.dst : c.src;
  std::string_view proto = ev.protocol;
  const char* src = proto == "mdns" ? "dns.mdns.self" : proto == "llmnr" ? "dns.llmnr.self" : proto == "nbns" ? "dns.nbns.self" : "dns.dns.self";
  for (const std::string& x : ev.host_names) {
    std::string dev = sender;
    for (const auto* sec : {&d.answers, &d.additionals}) {
      for (const dns::Record& rr : *sec) {
        if (address_record(rr) && rr.name == x) {
          std::string k = ip_key(rr.rdata);
          if (!k.empty()) dev = std::move(k);
        }
      }
    }
    c.add(dev, "hostname", x, src, kNamed);
  }
}

// The names a host asks a DNS server for (queries, and the questions an
// answer repeats): the querier is the flow's client (flow/orientation.h).
void observe_called_names(const ObserveCtx& c, const dns::DnsEvent& ev) {
  if (ev.protocol != "dns" || c.e.dest_port != 53) return;
  for (const dns::Question& q : ev.msg.questions) add_called_name(c, c.src, q.name, "dns.query");
}

void observe_dns(const ObserveCtx& c) {
  const dns::DnsEvent* ev = c.e.as<dns::DnsEvent>();
  if (ev) observe_called_names(c, *ev);
  // Most DNS messages name nothing of ours: only answers and claimed names
  // are read (a member test; this used to be a text search of the line
  // before parsing it, docs/decisions.md).
  if (!ev || (ev->msg.answers.empty() && ev->host_names.empty())) return;
  if (!ev->host_names.empty()) observe_claims(c, *ev);
  const dns::Message& d = ev->msg;
  if (!d.response || ev->protocol != "dns") return;
  for (const dns::Record& rr : d.answers) {
    // Names of the hospital's own addresses only: the inventory has no use
    // for the internet's.
    if (address_record(rr) && internal_address(rr.rdata)) c.add(ip_key(rr.rdata), "dns_name", rr.name, "dns.answer", kSaid);
    if (rr.type == dns::kTypePtr) {
      std::string ip = reverse_v4(rr.name);
      if (!ip.empty() && internal_address(ip)) c.add(ip_key(ip), "dns_name", rr.rdata, "dns.ptr", kSaid);
    }
  }
  // A DNS server answers from port 53 (RFC 1035 §4.2): a response on other
  // ports (a flow whose orientation is in doubt) names no server.
  if (c.e.dest_port == 53) c.add(c.dst, "role", "dns_server", "dns", kStated);
}

}  // namespace

MS_REGISTER_OBSERVER(dns, {.event_type = "dns", .typed = observe_dns});
MS_REGISTER_APP_SECURITY(dns, "dns", "cleartext");

}  // namespace ms::inv
