// Telnet (RFC 854, options RFC 855+): option negotiation, the server's
// banner, login and password prompts, what the user typed at them and the
// commands typed after login. One `telnet` event per connection at its end;
// the login is a `credential` event (the password never leaves memory).
#include <algorithm>
#include <string>
#include <vector>

#include "dissectors/credential.h"
#include "dissectors/dissector.h"
#include "dissectors/phi_scrub.h"
#include "dissectors/telnet/telnet_events.h"
#include "dissectors/text.h"

namespace ms::telnet {

namespace {

constexpr uint8_t IAC = 255, SB = 250, SE = 240, WILL = 251, DONT = 254;
constexpr size_t kMaxTail = 256, kMaxLine = 256, kMaxCommands = 32, kMaxBanner = 256;

const char* option_name(uint8_t o) {
  switch (o) {
    case 0: return "binary";
    case 1: return "echo";
    case 3: return "suppress_go_ahead";
    case 5: return "status";
    case 6: return "timing_mark";
    case 24: return "terminal_type";
    case 31: return "window_size";
    case 32: return "terminal_speed";
    case 33: return "remote_flow_control";
    case 34: return "linemode";
    case 35: return "x_display_location";
    case 36: return "environment";
    case 37: return "authentication";
    case 38: return "encryption";
    case 39: return "new_environ";
    default: return nullptr;
  }
}

bool ends_with_prompt(const std::string& tail, std::initializer_list<const char*> words) {
  std::string t = text::lower(text::trim(tail));
  for (const char* w : words) {
    if (t.ends_with(w)) return true;
  }
  return false;
}

class TelnetDissector : public Dissector {
 public:
  AppResult on_data(Direction dir, Bytes d, AppContext& ctx) override {
    const int di = static_cast<int>(dir);
    for (uint8_t c : d) {
      if (sb_[di]) {  // inside a subnegotiation until IAC SE
        if (iac_[di]) {
          iac_[di] = false;
          if (c == SE) {
            sb_[di] = false;
            subneg(di);
            continue;
          }
        } else if (c == IAC) {
          iac_[di] = true;
          continue;
        }
        if (sbbuf_[di].size() < 128) sbbuf_[di] += static_cast<char>(c);
        continue;
      }
      if (cmd_[di]) {  // WILL/WONT/DO/DONT <option>
        cmd_[di] = 0;
        if (options_.size() < 32 && std::find(options_.begin(), options_.end(), c) == options_.end()) options_.push_back(c);
        continue;
      }
      if (iac_[di]) {
        iac_[di] = false;
        if (c >= WILL && c <= DONT) {
          cmd_[di] = c;
          continue;
        }
        if (c == SB) {
          sb_[di] = true;
          sbbuf_[di].clear();
          continue;
        }
        if (c != IAC) continue;  // other commands (NOP, GA, ...); IAC IAC is a data 255
      } else if (c == IAC) {
        iac_[di] = true;
        continue;
      }
      if (dir == Direction::kToClient) server_char(c, ctx);
      else client_char(c);
    }
    return AppResult::ok();
  }

  void on_end(AppContext& ctx) override {
    if (!line_.empty()) client_line();
    if (state_ == State::kAwaitResult) check_prompt(ctx);  // "Login incorrect" and the line hangs up
    if (state_ == State::kAwaitResult) login_done("unknown", ctx);
    if (!seen_text_ && options_.empty()) return;
    auto ev = std::make_unique<TelnetEvent>();
    if (!banner_.empty()) ev->banner = text::trim(banner_);
    ev->options.reserve(options_.size());
    for (uint8_t o : options_) {
      const char* n = option_name(o);
      ev->options.push_back(n ? std::string(n) : std::to_string(o));
    }
    ev->terminal_type = terminal_type_;
    ev->login_prompt = login_prompt_;
    ev->username = user_;
    ev->login_result = result_;
    ev->commands.reserve(commands_.size());
    for (const auto& c : commands_) ev->commands.push_back(scrub_identifiers(c, ctx));
    ev->commands_truncated = more_commands_;
    ctx.emit(make_event(ctx.envelope(), "telnet", std::move(ev)));
  }

 private:
  enum class State { kIdle, kUser, kPassword, kAwaitResult, kLoggedIn };

  void subneg(int di) {
    // Client: TERMINAL-TYPE IS <name> (24, 0, name).
    if (di == 0 && sbbuf_[0].size() > 2 && static_cast<uint8_t>(sbbuf_[0][0]) == 24 && sbbuf_[0][1] == 0) {
      terminal_type_ = sbbuf_[0].substr(2, 64);
    }
  }

  void server_char(uint8_t c, AppContext& ctx) {
    if (c == 0) return;
    seen_text_ = true;
    tail_ += static_cast<char>(c);
    if (tail_.size() > kMaxTail) tail_.erase(0, tail_.size() - kMaxTail);
    if (state_ == State::kIdle && !login_prompt_ && banner_.size() < kMaxBanner && (c >= 0x20 || c == '\n')) {
      banner_ += static_cast<char>(c == '\n' ? ' ' : c);
    }
    if (c == ' ' || c == ':' || c == '>' || c == '$' || c == '#') check_prompt(ctx);
  }

  void check_prompt(AppContext& ctx) {
    if (state_ == State::kLoggedIn) return;
    if (state_ == State::kAwaitResult) {
      std::string t = text::lower(tail_);
      std::string last = text::trim(t.substr(t.rfind('\n') == std::string::npos ? 0 : t.rfind('\n') + 1));
      auto has = [&t](const char* w) { return t.find(w) != std::string::npos; };
      if (has("last login") || has("welcome")) {
        login_done("success", ctx);
        state_ = State::kLoggedIn;
      } else if (has("incorrect") || has("invalid") || has("denied") || has("authentication fail") || has("login failed") ||
                 ((last.ends_with("login:") || last.ends_with("username:")) && !last.starts_with("last"))) {
        // "Login incorrect\r\nlogin: " often comes in one segment: the next
        // prompt is in what came, so the next user name is read (issue 15:
        // a guesser's second and third names were lost).
        std::string rest = tail_;
        login_done("failure", ctx);
        tail_ = std::move(rest);
      } else if (ends_with_prompt(last, {"$", "#", ">", "%"})) {
        login_done("success", ctx);
        state_ = State::kLoggedIn;
      }
      if (state_ != State::kIdle) return;
    }
    if (ends_with_prompt(tail_, {"login:", "username:", "user name:", "user:", "userid:"})) {
      if (!login_prompt_) {  // the banner is what came before the first prompt
        std::string lb = text::lower(banner_);
        size_t cut = std::string::npos;
        for (const char* wd : {"login:", "username:", "user name:", "user:", "userid:"}) {
          size_t at = lb.rfind(wd);
          if (at != std::string::npos && (cut == std::string::npos || at < cut)) cut = at;
        }
        if (cut != std::string::npos) {
          size_t sp = banner_.find_last_of(' ', cut ? cut - 1 : 0);
          banner_.resize(cut > 0 && sp != std::string::npos && cut - sp < 24 && banner_[cut - 1] != ' ' ? sp : cut);
        }
      }
      login_prompt_ = true;
      state_ = State::kUser;
      tail_.clear();
    } else if (ends_with_prompt(tail_, {"password:", "passcode:", "passwd:", "pin:"})) {
      state_ = State::kPassword;
      tail_.clear();
    }
  }

  void client_char(uint8_t c) {
    if (c == '\r' || c == '\n') {
      if (!line_.empty() || state_ == State::kPassword) client_line();
      return;
    }
    if (c == 0) return;
    if (c == 8 || c == 127) {  // backspace / delete edit the line
      if (!line_.empty()) line_.pop_back();
      return;
    }
    if (line_.size() < kMaxLine) line_ += static_cast<char>(c);
  }

  void client_line() {
    std::string l;
    l.swap(line_);
    switch (state_) {
      case State::kUser:
        user_ = text::trim(l).substr(0, 128);
        state_ = State::kIdle;
        tail_.clear();
        break;
      case State::kPassword:
        password_ = l;
        password_seen_ = true;
        state_ = State::kAwaitResult;
        tail_.clear();
        break;
      case State::kLoggedIn:
        if (commands_.size() < kMaxCommands) {
          std::string cmd = text::trim(l);
          if (!cmd.empty()) commands_.push_back(cmd);
        } else {
          more_commands_ = true;
        }
        break;
      default:
        break;
    }
  }

  void login_done(const char* result, AppContext& ctx) {
    Credential c;
    c.protocol = "telnet";
    c.method = "login_prompt";
    c.username = user_;
    c.password_seen = password_seen_;
    c.password = password_;
    c.result = result;
    emit_credential(ctx, c);
    result_ = result;
    password_.assign(password_.size(), '\0');
    password_.clear();
    password_seen_ = false;
    state_ = State::kIdle;
    tail_.clear();
  }

  bool iac_[2] = {false, false}, sb_[2] = {false, false};
  uint8_t cmd_[2] = {0, 0};
  std::string sbbuf_[2];
  std::vector<uint8_t> options_;
  std::string tail_, banner_, line_, user_, password_, terminal_type_, result_;
  std::vector<std::string> commands_;
  bool more_commands_ = false, login_prompt_ = false, password_seen_ = false, seen_text_ = false;
  State state_ = State::kIdle;
};

// Telnet opens with option negotiation: IAC WILL/WONT/DO/DONT <option>, or
// IAC SB. A server may also start with a banner and a login prompt.
ProbeResult probe(Direction dir, Bytes d) {
  if (d.empty()) return ProbeResult::kNeedMore;
  if (d[0] == IAC) {
    if (d.size() < 3) return ProbeResult::kNeedMore;
    return (d[1] >= WILL && d[1] <= DONT && d[2] < 50) || (d[1] == SB && d[2] < 50) ? ProbeResult::kMatch
                                                                                    : ProbeResult::kNoMatch;
  }
  if (dir == Direction::kToClient) {
    std::string t = text::lower(text::trim(text::view(d.first(std::min<size_t>(d.size(), 512)))));
    if (t.ends_with("login:") || t.ends_with("username:")) return ProbeResult::kMatch;
  }
  return ProbeResult::kNoMatch;
}

}  // namespace

MS_REGISTER_DISSECTOR(telnet, DissectorSpec{"telnet", kTransportTcp, {23, 2323}, probe,
                                            [] { return std::unique_ptr<Dissector>(new TelnetDissector); }});

}  // namespace ms::telnet
