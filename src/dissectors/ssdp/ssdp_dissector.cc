// SSDP (UPnP Device Architecture 2.0 §1): NOTIFY announcements, M-SEARCH
// queries and their unicast answers, HTTP-formatted heads over UDP. One `ssdp`
// event per datagram with the headers that say what a device is (SERVER,
// USN, LOCATION, NT/ST). The heads are read with the HTTP head parser.
#include <vector>

#include "dissectors/dissector.h"
#include "dissectors/http/http_parser.h"
#include "dissectors/ssdp/ssdp_events.h"
#include "dissectors/text.h"

namespace ms::ssdp {

namespace {

class SsdpDissector : public Dissector {
 public:
  AppResult on_data(Direction, Bytes d, AppContext& ctx) override {
    bool request = !text::view(d).starts_with("HTTP/");
    // Some senders end the datagram after the headers without the blank line.
    std::vector<uint8_t> copy;
    if (http::head_length(d) == 0 && text::view(d).ends_with("\r\n") && d.size() < 8192) {
      copy.assign(d.begin(), d.end());
      copy.push_back('\r');
      copy.push_back('\n');
      d = Bytes(copy);
    }
    size_t n = http::head_length(d);
    http::Head h;
    if (n == 0 || http::parse_head(d.first(n), request, h)) {
      ctx.anomaly("ssdp.malformed");
      return AppResult::ok();
    }
    auto ev = std::make_unique<SsdpEvent>();
    ev->response = !request;
    ev->method = request ? h.method : "response";
    if (!request) ev->status = h.status;
    static const struct {
      const char* header;
      std::string SsdpEvent::*field;
    } fields[] = {{"nt", &SsdpEvent::nt},         {"nts", &SsdpEvent::nts},
                  {"st", &SsdpEvent::st},         {"usn", &SsdpEvent::usn},
                  {"location", &SsdpEvent::location}, {"server", &SsdpEvent::server},
                  {"user-agent", &SsdpEvent::user_agent}, {"man", &SsdpEvent::man},
                  {"cache-control", &SsdpEvent::cache_control}};
    for (const auto& f : fields) {
      if (const std::string* v = h.find(f.header)) (*ev).*f.field = v->substr(0, 512);
    }
    ctx.emit(make_event(ctx.envelope(), "ssdp", std::move(ev)));
    return AppResult::ok();
  }
};

ProbeResult probe(Direction, Bytes d) {
  std::string_view s = text::view(d);
  for (const char* start : {"NOTIFY * HTTP/1.", "M-SEARCH * HTTP/1.", "HTTP/1.1 200 OK\r\n", "HTTP/1.0 200 OK\r\n"}) {
    if (s.starts_with(start)) {
      if (s[0] == 'H') {  // a unicast answer: must carry ST and USN
        std::string l = text::lower(s.substr(0, 2048));
        if (l.find("\r\nst:") == std::string::npos || l.find("\r\nusn:") == std::string::npos) return ProbeResult::kNoMatch;
      }
      return http::head_length(d) || s.ends_with("\r\n") ? ProbeResult::kMatch : ProbeResult::kNoMatch;
    }
  }
  return ProbeResult::kNoMatch;
}

}  // namespace

MS_REGISTER_DISSECTOR(ssdp, DissectorSpec{"ssdp", kTransportUdp, {1900}, probe,
                                          [] { return std::unique_ptr<Dissector>(new SsdpDissector); }});

}  // namespace ms::ssdp
