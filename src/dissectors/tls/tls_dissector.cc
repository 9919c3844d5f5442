// TLS dissector: reads the handshake in clear (records reassembled, handshake
// messages across records), then stops. One `tls` event per connection with
// the ClientHello (SNI, ALPN, versions, JA3, JA4), the ServerHello (version,
// cipher, JA3S), the server certificate for TLS <= 1.2, a fatal alert if one
// came in clear, and the reasons the session is weak.
#include <string>
#include <vector>

#include "dissectors/dissector.h"
#include "dissectors/text.h"
#include "dissectors/tls/tls.h"
#include "dissectors/tls/tls_events.h"

namespace ms::tls {

namespace {

constexpr size_t kMaxHandshake = 256 * 1024;  // certificate chains are rarely over 16 KiB
constexpr size_t kMaxChain = 8;

const char* alert_name(uint8_t d) {
  switch (d) {
    case 0: return "close_notify";
    case 10: return "unexpected_message";
    case 20: return "bad_record_mac";
    case 40: return "handshake_failure";
    case 42: return "bad_certificate";
    case 43: return "unsupported_certificate";
    case 44: return "certificate_revoked";
    case 45: return "certificate_expired";
    case 46: return "certificate_unknown";
    case 47: return "illegal_parameter";
    case 48: return "unknown_ca";
    case 50: return "decode_error";
    case 51: return "decrypt_error";
    case 70: return "protocol_version";
    case 71: return "insufficient_security";
    case 80: return "internal_error";
    case 86: return "inappropriate_fallback";
    case 90: return "user_canceled";
    case 109: return "missing_extension";
    case 112: return "unrecognized_name";
    case 116: return "certificate_required";
    case 120: return "no_application_protocol";
    default: return nullptr;
  }
}

class TlsDissector : public Dissector {
 public:
  AppResult on_data(Direction dir, Bytes d, AppContext& ctx) override {
    const int di = static_cast<int>(dir);
    size_t pos = 0;
    while (pos < d.size() && !done_[di] && !emitted_) {
      Bytes rest = d.subspan(pos);
      if (rest.size() < 5) return AppResult::incomplete(static_cast<uint32_t>(pos), 5);
      if (first_[di] && (rest[0] & 0x80) && rest[2] == 1 && di == 0) {  // SSLv2 CLIENT-HELLO
        size_t len = static_cast<size_t>(rest[0] & 0x7f) << 8 | rest[1];
        if (rest.size() < 2 + len) return AppResult::incomplete(static_cast<uint32_t>(pos), static_cast<uint32_t>(2 + len));
        if (parse_sslv2_client_hello(rest.first(2 + len), ch_)) have_ch_ = true;
        first_[di] = false;
        pos += 2 + len;
        continue;
      }
      first_[di] = false;
      uint8_t type = rest[0];
      uint16_t len = be16(rest.data() + 3);
      if (type < 20 || type > 24 || rest[1] > 3 || len > 18432) return AppResult::fail("tls.bad_record");
      if (rest.size() < 5u + len) return AppResult::incomplete(static_cast<uint32_t>(pos), 5u + len);
      Bytes body = rest.subspan(5, len);
      pos += 5 + len;
      switch (type) {
        case 20:  // ChangeCipherSpec: what follows in this direction is encrypted
          done_[di] = true;
          break;
        case 21:
          if (body.size() >= 2 && alert_level_ == 0) {
            alert_level_ = body[0];
            alert_desc_ = body[1];
          }
          break;
        case 22:
          if (hs_[di].size() + body.size() > kMaxHandshake) {
            ctx.anomaly("tls.handshake_too_long");
            done_[di] = true;
            break;
          }
          hs_[di].insert(hs_[di].end(), body.begin(), body.end());
          handshake(di, ctx);
          break;
        case 23:  // application data: the handshake is over for this direction
          done_[di] = true;
          break;
        default:
          break;
      }
    }
    if (done_[0] && done_[1]) emit(ctx);
    return AppResult::ok();
  }

  void on_end(AppContext& ctx) override { emit(ctx); }

 private:
  void handshake(int di, AppContext& ctx) {
    std::vector<uint8_t>& b = hs_[di];
    size_t p = 0;
    while (b.size() - p >= 4 && !done_[di]) {
      uint8_t type = b[p];
      size_t len = static_cast<size_t>(b[p + 1]) << 16 | b[p + 2] << 8 | b[p + 3];
      if (len > kMaxHandshake) {
        ctx.anomaly("tls.handshake_too_long");
        done_[di] = true;
        break;
      }
      if (b.size() - p < 4 + len) break;
      Bytes body(b.data() + p + 4, len);
      p += 4 + len;
      if (type == 1 && di == 0 && !have_ch_) {
        have_ch_ = parse_client_hello(body, ch_);
        if (!have_ch_) ctx.anomaly("tls.bad_client_hello");
      } else if (type == 2 && di == 1 && !have_sh_) {
        have_sh_ = parse_server_hello(body, sh_);
        if (!have_sh_) ctx.anomaly("tls.bad_server_hello");
        if (have_sh_ && sh_.selected_version == 0x0304) done_[1] = true;  // the rest is encrypted
      } else if (type == 11 && di == 1 && chain_.empty()) {
        for (Bytes der : certificate_list(body, kMaxChain)) {
          Certificate c;
          if (!parse_certificate(der, c)) {
            ctx.anomaly("tls.bad_certificate");
            break;
          }
          chain_.push_back(std::move(c));
        }
      }
    }
    b.erase(b.begin(), b.begin() + static_cast<long>(p));
  }

  void emit(AppContext& ctx) {
    if (emitted_ || (!have_ch_ && !have_sh_)) return;
    emitted_ = true;
    auto ev = std::make_unique<TlsEvent>();
    uint16_t negotiated = have_sh_ ? (sh_.selected_version ? sh_.selected_version : sh_.version) : 0;
    if (negotiated) ev->version = version_name(negotiated);
    if (have_ch_) {
      ev->sni = ch_.sni;
      ev->client = client_event();
    }
    if (have_sh_) {
      ev->server = server_event();
      if (weak_cipher(sh_.cipher)) ev->weak.push_back("cipher");
    }
    if (negotiated && negotiated < 0x0303) ev->weak.push_back("version");
    if (!have_sh_ && have_ch_ && ch_.sslv2) ev->weak.push_back("version");
    if (!chain_.empty()) {
      const Certificate& c = chain_[0];
      ev->certificate = c;
      ev->chain_length = chain_.size();
      if (c.key_type == "rsa" && c.key_bits > 0 && c.key_bits < 2048) ev->weak.push_back("key_size");
      if (c.sig_alg.find("md5") != std::string::npos || c.sig_alg.find("sha1With") != std::string::npos) ev->weak.push_back("signature");
      if (c.self_signed) ev->weak.push_back("self_signed");
      int64_t now = ctx.now() / kNsPerSec;
      if (c.not_after_s && now > c.not_after_s) ev->weak.push_back("expired");
    }
    if (alert_level_) {
      const char* n = alert_name(alert_desc_);
      ev->alert = TlsAlert{alert_level_ == 2 ? "fatal" : "warning", n ? std::string(n) : std::to_string(alert_desc_)};
    }
    ctx.emit(make_event(ctx.envelope(), "tls", std::move(ev)));
  }

  TlsClient client_event() const {
    TlsClient c;
    c.version = version_name(ch_.version);
    if (!ch_.versions.empty()) {
      c.supported_versions.emplace();
      for (uint16_t v : ch_.versions) if (!grease(v)) c.supported_versions->push_back(version_name(v));
    }
    c.alpn = ch_.alpn;
    c.cipher_count = ch_.ciphers.size();
    for (uint16_t x : ch_.ciphers) c.weak_ciphers_offered += weak_cipher(x);
    std::string j = ja3_string(ch_);
    c.ja3_hash = text::digest_hex(EVP_md5(), j);
    c.ja3_string = j.substr(0, 4096);
    if (!ch_.sslv2) c.ja4 = ja4(ch_);
    return c;
  }

  TlsServer server_event() const {
    TlsServer s;
    s.version = version_name(sh_.version);
    s.cipher = sh_.cipher;
    s.cipher_name = cipher_name(sh_.cipher);
    s.alpn = sh_.alpn;
    s.extensions = sh_.extensions;
    s.ja3s_string = ja3s_string(sh_);
    s.ja3s_hash = text::digest_hex(EVP_md5(), s.ja3s_string);
    return s;
  }

  std::vector<uint8_t> hs_[2];
  bool done_[2] = {false, false}, first_[2] = {true, true};
  bool have_ch_ = false, have_sh_ = false, emitted_ = false;
  ClientHello ch_;
  ServerHello sh_;
  std::vector<Certificate> chain_;
  uint8_t alert_level_ = 0, alert_desc_ = 0;
};

// A handshake record (22) whose first message is a ClientHello or
// ServerHello, with a sane version; or an SSLv2 CLIENT-HELLO.
ProbeResult probe(Direction dir, Bytes d) {
  if (d.empty()) return ProbeResult::kNeedMore;
  if (d[0] & 0x80) {
    if (d.size() < 5) return ProbeResult::kNeedMore;
    return dir == Direction::kToServer && d[2] == 1 && (d[3] == 0 || d[3] == 3) && d[4] <= 3 ? ProbeResult::kMatch
                                                                                             : ProbeResult::kNoMatch;
  }
  if (d[0] != 22) return ProbeResult::kNoMatch;
  if (d.size() < 10) return ProbeResult::kNeedMore;
  if (d[1] != 3 || d[2] > 4) return ProbeResult::kNoMatch;
  uint8_t hs = d[5];
  if (!((hs == 1 && dir == Direction::kToServer) || (hs == 2 && dir == Direction::kToClient))) return ProbeResult::kNoMatch;
  return d[9] == 3 || (d[9] == 0xfe) ? ProbeResult::kMatch : ProbeResult::kNoMatch;
}

}  // namespace

MS_REGISTER_DISSECTOR(tls, DissectorSpec{"tls", kTransportTcp, {443, 465, 636, 993, 995, 2762, 3389, 8443}, probe,
                                         [] { return std::unique_ptr<Dissector>(new TlsDissector); }});

}  // namespace ms::tls
