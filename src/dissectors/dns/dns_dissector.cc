// DNS, mDNS, LLMNR and NBNS dissector: one `dns` event per message (UDP
// datagram or TCP length-prefixed message). Which of the four it is comes
// from the port (5353, 5355, 137) and, for NBNS, from the encoded names.
// A unicast query and its answer are one event (dated at the query, with the
// round-trip time); an unanswered query is written when the flow ends.
// Records that bind a name to the sender's own address are listed as
// `host_names`: what a device claims to be called (inventory evidence).
#include <algorithm>

#include "dissectors/dissector.h"
#include "dissectors/dns/dns_events.h"
#include "dissectors/text.h"

namespace ms::dns {

namespace {

bool nbns_like(Bytes d) {
  // The first question or record name is one 32-byte label of 'A'..'P'.
  return d.size() >= 12 + 34 && d[12] == 32 && !nbns_decode(text::view(d.subspan(13, 32))).empty();
}

// Names bound to the sender's own address (mDNS/LLMNR answers and
// announcements, NBNS registrations and answers): what a device claims to be
// called. Plain DNS names other hosts, never the sender.
std::vector<std::string> host_names(const Message& m, std::string_view proto, const std::string& sender, bool nbns) {
  std::vector<std::string> claims;
  if (proto == "dns") return claims;
  auto claim = [&](const Record& r) {
    bool mine = false;
    if (r.type == kTypeA || r.type == kTypeAaaa) mine = r.rdata == sender;
    if (nbns && r.type == 32) mine = r.rdata.find(sender) != std::string::npos;
    if (nbns && r.type == 33) mine = m.response;  // NBSTAT answers list the responder's names
    if (!mine) return;
    auto add = [&](const std::string& n) {
      if (claims.size() < 16 && std::find(claims.begin(), claims.end(), n) == claims.end()) claims.push_back(n);
    };
    if (nbns && r.type == 33) {
      for (const std::string& n : r.txt) add(n);
    } else {
      add(r.name);
    }
  };
  for (const auto* sec : {&m.answers, &m.additionals}) for (const Record& r : *sec) claim(r);
  return claims;
}

class DnsDissector : public Dissector {
 public:
  explicit DnsDissector(bool tcp) : tcp_(tcp) {}


  AppResult on_data(Direction dir, Bytes d, AppContext& ctx) override {
    if (!tcp_) {
      message(dir, d, ctx);
      return AppResult::ok();
    }
    size_t pos = 0;
    while (pos + 2 <= d.size()) {
      size_t len = be16(d.data() + pos);
      if (len < 12) return AppResult::fail("dns.bad_tcp_length");
      if (pos + 2 + len > d.size()) return AppResult::incomplete(static_cast<uint32_t>(pos), static_cast<uint32_t>(2 + len));
      message(dir, d.subspan(pos + 2, len), ctx);
      pos += 2 + len;
    }
    if (pos < d.size()) return AppResult::incomplete(static_cast<uint32_t>(pos), 2);
    return AppResult::ok();
  }

  void on_end(AppContext& ctx) override {
    for (Pending& p : pending_) write_event(std::move(p.msg), p.ts, "dns", "", false, -1, ctx);
    pending_.clear();
  }

 private:
  struct Pending {
    Message msg;
    TimeNs ts = 0;
  };
  static constexpr size_t kMaxPending = 64;

  // Unicast DNS answers come back on the same flow: a query waits for its
  // answer and both become one event (as Zeek's dns.log), dated at the query,
  // with the round-trip time. mDNS, LLMNR and NBNS answers come from other
  // hosts (other flows): their messages are events of their own.
  void message(Direction dir, Bytes d, AppContext& ctx) {
    Envelope env = ctx.envelope();
    // Envelope is oriented client -> server; the sender of this message:
    const std::string& sender = dir == Direction::kToServer ? env.src_ip : env.dest_ip;
    auto port = [&](uint16_t p) { return env.src_port == p || env.dest_port == p; };
    bool nbns = port(137) || nbns_like(d);
    const char* proto = nbns ? "nbns" : port(5353) ? "mdns" : port(5355) ? "llmnr" : "dns";
    Message m;
    if (!parse(d, nbns, m)) {
      ctx.anomaly("dns.malformed");
      return;
    }
    if (m.truncated) ctx.anomaly("dns.truncated_message");
    bool unicast = std::string_view(proto) == "dns";
    if (unicast && !m.response) {
      if (pending_.size() >= kMaxPending) {
        write_event(std::move(pending_.front().msg), pending_.front().ts, proto, "", false, -1, ctx);
        pending_.erase(pending_.begin());
      }
      pending_.push_back({std::move(m), ctx.now()});
      return;
    }
    if (unicast) {
      for (size_t i = 0; i < pending_.size(); ++i) {
        const Message& q = pending_[i].msg;
        bool same = q.id == m.id && (q.questions.empty() || m.questions.empty() || q.questions[0].name == m.questions[0].name);
        if (!same) continue;
        TimeNs qts = pending_[i].ts;
        if (m.questions.empty()) m.questions = q.questions;
        pending_.erase(pending_.begin() + static_cast<long>(i));
        write_event(std::move(m), qts, proto, sender, nbns, ctx.now() - qts, ctx);
        return;
      }
    }
    write_event(std::move(m), ctx.now(), proto, sender, nbns, -1, ctx);
  }

  static void write_event(Message&& m, TimeNs ts, const char* proto, const std::string& sender, bool nbns, TimeNs rtt,
                          AppContext& ctx) {
    Envelope env = ctx.envelope();
    env.ts = ts;
    auto ev = std::make_unique<DnsEvent>();
    ev->protocol = proto;
    ev->nbns = nbns;
    ev->rtt = rtt;
    ev->msg = std::move(m);
    ev->host_names = host_names(ev->msg, proto, sender, nbns);
    ctx.emit(make_event(env, "dns", std::move(ev)));
  }

  std::vector<Pending> pending_;
  bool tcp_;
};

// Content decides: a header with sane counts and flags whose sections all
// parse to the end of the message.
ProbeResult probe_msg(Bytes d) {
  if (d.size() < 12) return ProbeResult::kNoMatch;
  uint16_t flags = be16(d.data() + 2);
  uint8_t opcode = (flags >> 11) & 0xf;
  uint16_t qd = be16(d.data() + 4), an = be16(d.data() + 6), ns = be16(d.data() + 8), ar = be16(d.data() + 10);
  if (opcode == 3 || opcode > 8 || (flags & 0x0040)) return ProbeResult::kNoMatch;  // Z bit must be 0
  if (qd > 16 || an > 128 || ns > 128 || ar > 128 || qd + an + ns + ar == 0) return ProbeResult::kNoMatch;
  if (!(flags & 0x8000) && qd == 0 && opcode != 5) return ProbeResult::kNoMatch;  // a query asks something
  Message m;
  if (!parse(d, nbns_like(d), m) || m.truncated) return ProbeResult::kNoMatch;
  return ProbeResult::kMatch;
}

ProbeResult probe_udp(Direction, Bytes d) { return probe_msg(d); }

ProbeResult probe_tcp(Direction, Bytes d) {
  if (d.size() < 2) return ProbeResult::kNeedMore;
  size_t len = be16(d.data());
  if (len < 12 || len > 16384) return ProbeResult::kNoMatch;
  if (d.size() < 2 + len) return ProbeResult::kNeedMore;
  return probe_msg(d.subspan(2, len));
}

}  // namespace

MS_REGISTER_DISSECTOR(dns_udp, DissectorSpec{"dns", kTransportUdp, {53, 5353, 5355, 137}, probe_udp,
                                             [] { return std::unique_ptr<Dissector>(new DnsDissector(false)); }});
MS_REGISTER_DISSECTOR(dns_tcp, DissectorSpec{"dns", kTransportTcp, {53}, probe_tcp,
                                             [] { return std::unique_ptr<Dissector>(new DnsDissector(true)); }});

}  // namespace ms::dns
