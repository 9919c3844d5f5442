// RDP connection start (MS-RDPBCGR §2.2.1): the X.224 Connection Request with
// its routing cookie ("Cookie: mstshash=<user>", a user name in clear: a
// `credential` event) and the protocols the client requests (standard RDP,
// TLS, CredSSP/NLA, RDSTLS); the server's choice or failure; with standard
// RDP security, the client core data (client name, build, keyboard, desktop).
// Everything after the negotiation is TLS or RDP-encrypted and not read.
#include <string>

#include "dissectors/credential.h"
#include "dissectors/dissector.h"
#include "dissectors/rdp/rdp_events.h"
#include "dissectors/text.h"

namespace ms::rdp {

namespace {

std::string protocols(uint32_t p) {
  if (p == 0) return "rdp";
  std::string s;
  auto add = [&s](const char* n) { s += (s.empty() ? "" : ","), s += n; };
  if (p & 1) add("tls");
  if (p & 2) add("credssp");
  if (p & 4) add("rdstls");
  if (p & 8) add("credssp_early_auth");
  return s;
}

const char* failure_name(uint32_t c) {
  switch (c) {
    case 1: return "SSL_REQUIRED_BY_SERVER";
    case 2: return "SSL_NOT_ALLOWED_BY_SERVER";
    case 3: return "SSL_CERT_NOT_ON_SERVER";
    case 4: return "INCONSISTENT_FLAGS";
    case 5: return "HYBRID_REQUIRED_BY_SERVER";
    case 6: return "SSL_WITH_USER_AUTH_REQUIRED_BY_SERVER";
    default: return "unknown";
  }
}

class RdpDissector : public Dissector {
 public:
  AppResult on_data(Direction dir, Bytes d, AppContext& ctx) override {
    const int di = static_cast<int>(dir);
    size_t pos = 0;
    while (pos < d.size() && !stop_[di]) {
      Bytes rest = d.subspan(pos);
      if (rest.size() < 4) return AppResult::incomplete(static_cast<uint32_t>(pos), 4);
      if (rest[0] != 3) {  // not TPKT: TLS or fast-path from here on
        stop_[di] = true;
        break;
      }
      size_t len = be16(rest.data() + 2);
      if (len < 7) return AppResult::fail("rdp.bad_tpkt");
      if (rest.size() < len) return AppResult::incomplete(static_cast<uint32_t>(pos), static_cast<uint32_t>(len));
      tpkt(di, rest.subspan(4, len - 4), ctx);
      pos += len;
      if (++units_[di] >= 4) stop_[di] = true;  // the negotiation and connect-initial are done
    }
    return AppResult::ok();
  }

  void on_end(AppContext& ctx) override { emit(ctx); }

 private:
  void tpkt(int di, Bytes x, AppContext& ctx) {
    if (x.size() < 2) return;
    uint8_t code = x[1] & 0xf0;
    if (di == 0 && code == 0xe0 && x.size() >= 7) {  // Connection Request
      Bytes v = x.subspan(7);
      std::string_view s = text::view(v);
      if (s.starts_with("Cookie: ")) {
        size_t e = s.find("\r\n");
        std::string cookie(s.substr(8, std::min<size_t>(e, 256) - 8));
        if (cookie.starts_with("mstshash=")) user_ = cookie.substr(9);
        cookie_ = cookie;
        v = e == std::string_view::npos ? Bytes() : v.subspan(e + 2);
      } else if (s.starts_with("Cookie:")) {
        cookie_ = "";
      }
      if (v.size() >= 8 && v[0] == 1) {
        requested_ = le32(v.data() + 4);
        have_requested_ = true;
      }
      seen_ = true;
    } else if (di == 1 && code == 0xd0 && x.size() >= 7) {  // Connection Confirm
      Bytes v = x.subspan(7);
      if (v.size() >= 8 && v[0] == 2) {
        selected_ = le32(v.data() + 4);
        result_ = "success";
      } else if (v.size() >= 8 && v[0] == 3) {
        failure_ = le32(v.data() + 4);
        result_ = "failure";
      } else {
        selected_ = 0;
        result_ = "success";
      }
      confirmed_ = true;
      if (selected_ != 0) stop_[0] = stop_[1] = true;  // TLS/CredSSP follows
    } else if (di == 0 && code == 0xf0) {  // X.224 data: MCS Connect Initial carries client core data
      for (size_t i = 0; i + 4 + 212 <= x.size() && i < 1024; ++i) {
        if (x[i] == 0x01 && x[i + 1] == 0xc0 && le16(x.data() + i + 2) >= 212 && le16(x.data() + i + 6) == 0x0008) {
          Bytes core = x.subspan(i + 4);
          width_ = le16(core.data() + 4);
          height_ = le16(core.data() + 6);
          keyboard_ = le32(core.data() + 12);
          build_ = le32(core.data() + 16);
          client_name_ = text::utf16le(core.subspan(20, 32), 32);
          have_core_ = true;
          break;
        }
      }
    }
  }

  void emit(AppContext& ctx) {
    if (emitted_ || !seen_) return;
    emitted_ = true;
    auto ev = std::make_unique<RdpEvent>();
    ev->cookie = cookie_;
    if (have_requested_) ev->requested_protocols = protocols(requested_);
    if (confirmed_) {
      ev->answered = true;
      ev->result = result_;
      if (result_ == "success") ev->security_protocol = protocols(selected_);
      else ev->failure = failure_name(failure_);
    }
    if (have_core_) ev->core = RdpClientCore{text::trim(client_name_), build_, keyboard_, width_, height_};
    ctx.emit(make_event(ctx.envelope(), "rdp", std::move(ev)));
    if (!user_.empty()) {
      Credential c;
      c.protocol = "rdp";
      c.method = "cookie";
      c.username = user_;
      emit_credential(ctx, c);
    }
  }

  bool stop_[2] = {false, false};
  int units_[2] = {0, 0};
  bool seen_ = false, confirmed_ = false, have_requested_ = false, have_core_ = false, emitted_ = false;
  std::string cookie_, user_, result_, client_name_;
  uint32_t requested_ = 0, selected_ = 0, failure_ = 0, build_ = 0, keyboard_ = 0;
  uint16_t width_ = 0, height_ = 0;
};

// TPKT version 3 carrying an X.224 Connection Request (client) or Confirm.
ProbeResult probe(Direction dir, Bytes d) {
  if (d.size() < 6) return d.empty() || d[0] == 3 ? ProbeResult::kNeedMore : ProbeResult::kNoMatch;
  if (d[0] != 3 || d[1] != 0) return ProbeResult::kNoMatch;
  size_t len = be16(d.data() + 2);
  if (len < 11 || d[4] + 5u != len) return ProbeResult::kNoMatch;  // X.224 length indicator covers the rest
  uint8_t code = d[5] & 0xf0;
  if (!((dir == Direction::kToServer && code == 0xe0) || (dir == Direction::kToClient && code == 0xd0))) {
    return ProbeResult::kNoMatch;
  }
  // ISO transport over TCP is also S7comm's and MMS's (port 102): their
  // connection requests carry COTP parameters (TPDU size 0xc0, TSAPs 0xc1/0xc2).
  // RDP's carry a routing cookie, an RDP_NEG_REQ/RSP/FAILURE, or nothing.
  if (len == 11) return ProbeResult::kMatch;
  if (d.size() < 12) return ProbeResult::kNeedMore;
  uint8_t v = d[11];
  if (v == 'C') return ProbeResult::kMatch;                       // "Cookie: mstshash=" / routing token
  if ((v == 1 || v == 2 || v == 3) && d.size() >= 14 && d[13] == 8) return ProbeResult::kMatch;  // negotiation, length 8
  return ProbeResult::kNoMatch;
}

}  // namespace

MS_REGISTER_DISSECTOR(rdp, DissectorSpec{"rdp", kTransportTcp, {3389}, probe,
                                         [] { return std::unique_ptr<Dissector>(new RdpDissector); }});

}  // namespace ms::rdp
