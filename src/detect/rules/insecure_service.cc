// Rule 1012 insecure_service: a clinical endpoint answers a cleartext service
// (Telnet, FTP, HTTP, SNMP v1/v2c): a finding, not an alarm (info).
// Wants: telnet, ftp, http, snmp. Keeps: one candidate per server and
// service (no source: it is about the server), with its banner.
#include "detect/device.h"
#include "detect/expiry.h"
#include "detect/fields.h"
#include "detect/judge.h"
#include "detect/rule.h"
#include "dissectors/ftp/ftp_events.h"
#include "dissectors/http/http_events.h"
#include "dissectors/snmp/snmp_events.h"
#include "dissectors/telnet/telnet_events.h"

namespace ms::detect {
namespace {

constexpr RuleInfo kInfo[] = {
    {"insecure_service", 1012, "Medical device offers a cleartext service", "exposure", "", ""}};
constexpr std::string_view kWants[] = {"telnet", "ftp", "http", "snmp"};

class InsecureService final : public Rule {
 public:
  std::span<const RuleInfo> alerts() const override { return kInfo; }
  std::span<const std::string_view> wants() const override { return kWants; }
  void take(const Input& in, Context& ctx) override {
    const Event& e = in.event();
    if (const auto* tn = e.as<telnet::TelnetEvent>()) {
      set_field(service(e, "telnet", ctx), "banner", JsonText(tn->banner ? std::string_view(*tn->banner) : ""));
    } else if (const auto* fe = e.as<ftp::FtpEvent>()) {
      if (!fe->banner.empty() || fe->reply_code > 0) set_field(service(e, "ftp", ctx), "banner", JsonText(fe->banner));
    } else if (const auto* he = e.as<http::HttpEvent>()) {
      if (he->response && he->status > 0) {  // the server answered
        Candidate& s = service(e, "http", ctx);
        set_field(s, "server", JsonText(he->server));
        set_field(s, "title", JsonText(he->title ? std::string_view(*he->title) : ""));
      }
    } else if (e.event_type == "snmp") {
      take_snmp(e, ctx);
    }
  }
  // An agent answering v1/v2c (community-based, cleartext) requests.
  void take_snmp(const Event& e, Context& ctx) {
    const snmp::SnmpEvent* s = e.as<snmp::SnmpEvent>();
    if (!s || s->version == 3 || (s->pdu_type != "response" && s->pdu_type != "get_response")) return;
    // The event's version is SNMP's own numbering as the JSON writes it (1
    // for v1, 2 for v2c); this compared it with 0 and said "v2c" for v1 too.
    set_field(service(e, "snmp", ctx), "version", s->version == 1 ? "v1" : "v2c");
  }
  void judge(Judge& j) override {
    for (const auto& [key, c] : cands_.all()) {
      if (clinical_endpoint(j.fact(c.dst))) j.from_candidate(c, Severity::kInfo, "", c.dst);
    }
  }
  void expire(Expiry& x) override {
    expire_candidates(cands_, x);
  }

  Response response(const Alert&) const override {
    return {Response::About::kDestination, Response::Contain::kSegment,
            "disable the service if it is not needed, or restrict it to the management network"};
  }

 private:
  Candidate& service(const Event& e, std::string_view protocol, Context& ctx) {
    return cands_.add("insecure_service", std::string(), e.dest_ip, protocol, e, ctx.flows);
  }
  Candidates cands_;
};

}  // namespace
MS_REGISTER_RULE(insecure_service, InsecureService);
}  // namespace ms::detect
