// FTP control channel (RFC 959, AUTH TLS RFC 4217): one `ftp` event per
// command with its reply, one for the server's greeting; USER/PASS become a
// `credential` event when the server answers the password (230: success,
// 530: failure). The password is never written. After AUTH TLS is accepted the
// channel is encrypted and no longer read.
#include <deque>
#include <string>

#include "dissectors/credential.h"
#include "dissectors/dissector.h"
#include "dissectors/ftp/ftp_events.h"
#include "dissectors/phi_scrub.h"
#include "dissectors/text.h"

namespace ms::ftp {

namespace {

constexpr size_t kMaxLine = 8192;
constexpr size_t kMaxPending = 64;

struct Cmd {
  std::string verb, arg;
  TimeNs ts = 0;
};

// "227 Entering Passive Mode (h1,h2,h3,h4,p1,p2)" or a PORT argument.
bool host_port(std::string_view s, std::string& host, int& port) {
  int v[6];
  size_t n = 0;
  size_t p = s.find_first_of("0123456789");
  while (p != std::string_view::npos && p < s.size() && n < 6) {
    int x = 0, digits = 0;
    while (p < s.size() && s[p] >= '0' && s[p] <= '9' && digits < 4) x = x * 10 + (s[p++] - '0'), ++digits;
    if (x > 255) return false;
    v[n++] = x;
    if (n < 6) {
      if (p >= s.size() || s[p] != ',') return false;
      ++p;
    }
  }
  if (n != 6) return false;
  host = std::to_string(v[0]) + "." + std::to_string(v[1]) + "." + std::to_string(v[2]) + "." + std::to_string(v[3]);
  port = v[4] * 256 + v[5];
  return true;
}

class FtpDissector : public Dissector {
 public:
  AppResult on_data(Direction dir, Bytes d, AppContext& ctx) override {
    if (tls_) return tls_dead_ ? AppResult::ok() : to_tls(dir, d, 0, ctx);
    size_t pos = 0;
    while (pos < d.size()) {
      const uint8_t* nl = static_cast<const uint8_t*>(memchr(d.data() + pos, '\n', d.size() - pos));
      if (!nl) {
        if (d.size() - pos > kMaxLine) return AppResult::fail("ftp.line_too_long");
        return AppResult::incomplete(static_cast<uint32_t>(pos), static_cast<uint32_t>(d.size() - pos + 1));
      }
      size_t end = static_cast<size_t>(nl - d.data());
      std::string line = text::trim(text::view(d.subspan(pos, end - pos)));
      pos = end + 1;
      if (dir == Direction::kToServer) command(line, ctx);
      else reply(line, ctx);
      if (tls_) return to_tls(dir, d.subspan(pos), pos, ctx);
    }
    return AppResult::ok();
  }

  void on_gap(Direction dir, uint64_t len, AppContext& ctx) override {
    if (tls_session_) tls_session_->on_gap(dir, len, ctx);
  }

  void on_end(AppContext& ctx) override {
    if (tls_session_) tls_session_->on_end(ctx);
    while (!cmds_.empty()) {
      emit(cmds_.front(), 0, "", ctx);
      cmds_.pop_front();
    }
    if (pass_pending_) credential("unknown", ctx);
  }

 private:
  void command(const std::string& line, AppContext& ctx) {
    if (line.empty()) return;
    size_t sp = line.find(' ');
    Cmd c;
    c.verb = text::trim(line.substr(0, std::min<size_t>(sp, 16)));
    for (char& ch : c.verb) if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 32);
    if (sp != std::string::npos) c.arg = line.substr(sp + 1, 512);
    c.ts = ctx.now();
    if (c.verb == "USER") {
      user_ = c.arg.substr(0, 256);
      pass_pending_ = false;
    } else if (c.verb == "PASS") {
      password_ = c.arg;
      pass_pending_ = true;
      c.arg.clear();  // never written
    }
    if (cmds_.size() >= kMaxPending) {
      emit(cmds_.front(), 0, "", ctx);
      cmds_.pop_front();
    }
    cmds_.push_back(std::move(c));
  }

  void reply(const std::string& line, AppContext& ctx) {
    // Multi-line replies: "123-..." continues until "123 ...".
    if (line.size() < 3 || !isdigit(static_cast<unsigned char>(line[0])) || !isdigit(static_cast<unsigned char>(line[1])) ||
        !isdigit(static_cast<unsigned char>(line[2]))) {
      return;
    }
    if (line.size() > 3 && line[3] == '-') {
      if (multi_.empty()) multi_ = line.substr(4, 256);
      return;
    }
    int code = std::stoi(line.substr(0, 3));
    std::string msg = multi_.empty() ? (line.size() > 4 ? line.substr(4, 256) : "") : multi_;
    multi_.clear();
    if (!greeted_ && cmds_.empty()) {
      greeted_ = true;
      auto ev = std::make_unique<FtpEvent>();
      ev->greeting = true;
      ev->banner = std::move(msg);
      ev->reply_code = code;
      ctx.emit(make_event(ctx.envelope(), "ftp", std::move(ev)));
      return;
    }
    greeted_ = true;
    if (code >= 100 && code < 200) return;  // preliminary: the command's final reply follows
    if (cmds_.empty()) return;
    Cmd c = std::move(cmds_.front());
    cmds_.pop_front();
    if (c.verb == "PASS" || (c.verb == "USER" && (code == 230 || code / 100 == 5))) {
      credential(code == 230 || code == 202 ? "success" : code == 530 || code / 100 == 5 ? "failure" : "unknown", ctx);
    }
    emit(c, code, msg, ctx);
    if (c.verb == "AUTH" && code == 234) tls_ = true;
  }

  void credential(const char* result, AppContext& ctx) {
    Credential cr;
    cr.protocol = "ftp";
    cr.method = "user_pass";
    cr.username = user_;
    cr.password_seen = pass_pending_;
    cr.password = password_;
    cr.result = result;
    // Anonymous FTP sends an e-mail address as password: not a secret.
    std::string u = text::lower(user_);
    if (u == "anonymous" || u == "ftp") cr.method = "anonymous";
    emit_credential(ctx, cr);
    pass_pending_ = false;
    password_.assign(password_.size(), '\0');
    password_.clear();
  }

  void emit(const Cmd& c, int code, const std::string& msg, AppContext& ctx) {
    Envelope env = ctx.envelope();
    env.ts = c.ts;
    auto ev = std::make_unique<FtpEvent>();
    ev->command = c.verb;
    if (!c.arg.empty()) ev->arg = scrub_identifiers(c.arg, ctx);
    ev->user = user_;
    if (code) {
      ev->reply_code = code;
      ev->reply = msg;
    }
    std::string host;
    int port = 0;
    if ((c.verb == "PASV" && code == 227 && host_port(msg, host, port)) || (c.verb == "PORT" && host_port(c.arg, host, port))) {
      ev->data_channel = FtpDataChannel{c.verb == "PASV", std::move(host), port};
    } else if (c.verb == "EPSV" && code == 229) {
      size_t a = msg.find("(|||");
      if (a != std::string::npos) {
        int p = atoi(msg.c_str() + a + 4);
        if (p > 0 && p < 65536) ev->data_channel = FtpDataChannel{true, std::nullopt, p};
      }
    }
    ctx.emit(make_event(env, "ftp", std::move(ev)));
  }

  // After "234" to AUTH TLS/SSL the channel is a TLS session: the TLS
  // dissector reads its handshake (certificate, JA3...).
  AppResult to_tls(Direction dir, Bytes rest, size_t offset, AppContext& ctx) {
    if (!tls_session_) {
      for (const DissectorSpec& s : DissectorRegistry::all()) {
        if (s.name == "tls") tls_session_ = s.make();
      }
      if (!tls_session_) return AppResult::ok();
    }
    if (rest.empty()) return AppResult::ok();
    AppResult r = tls_session_->on_data(dir, rest, ctx);
    if (r.kind == AppResult::kIncomplete) r.consumed += static_cast<uint32_t>(offset);
    if (r.kind == AppResult::kError) {  // the TLS reader gave up: the rest is not read
      ctx.anomaly(r.error ? r.error : "tls.parse_error");
      tls_session_.reset();
      tls_dead_ = true;
      return AppResult::ok();
    }
    return r;
  }

  std::unique_ptr<Dissector> tls_session_;
  bool tls_dead_ = false;
  std::deque<Cmd> cmds_;
  std::string user_, password_, multi_;
  bool pass_pending_ = false, greeted_ = false, tls_ = false;
};

// A server greeting "220 " / "220-" with text, or a client's USER/AUTH/FEAT first.
ProbeResult probe(Direction dir, Bytes d) {
  std::string_view s = text::view(d);
  if (s.size() < 5) return s.find('\n') == std::string_view::npos ? ProbeResult::kNeedMore : ProbeResult::kNoMatch;
  if (dir == Direction::kToClient) {
    if ((s.starts_with("220 ") || s.starts_with("220-")) && s.find('\n') != std::string_view::npos) {
      // Not an SMTP greeting (also 220): those name ESMTP/SMTP/mail.
      std::string l = text::lower(s.substr(0, s.find('\n')));
      if (l.find("smtp") != std::string::npos || l.find("mail") != std::string::npos) return ProbeResult::kNoMatch;
      return ProbeResult::kMatch;
    }
    return s.find('\n') == std::string_view::npos && s.size() < 512 ? ProbeResult::kNeedMore : ProbeResult::kNoMatch;
  }
  for (const char* v : {"USER ", "user ", "AUTH TLS", "AUTH SSL"}) {
    if (s.starts_with(v)) return s.find("\r\n") != std::string_view::npos ? ProbeResult::kMatch : ProbeResult::kNeedMore;
  }
  return ProbeResult::kNoMatch;
}

}  // namespace

MS_REGISTER_DISSECTOR(ftp, DissectorSpec{"ftp", kTransportTcp, {21}, probe,
                                         [] { return std::unique_ptr<Dissector>(new FtpDissector); }});

}  // namespace ms::ftp
