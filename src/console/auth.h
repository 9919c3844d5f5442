// Accounts, sessions and login throttling of the console (docs/console.md).
// Passwords: scrypt (OpenSSL 3, RFC 7914) with a random salt per user.
// Sessions: 256-bit random tokens, kept hashed in memory, idle and absolute
// expiry, a CSRF token each. Throttling: failures counted per source and per
// user name; past the limit logins are refused (HTTP 429) until the window
// passes, even with the right password. Every table here is capped.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ms::console {

enum class Role : int { kNone = 0, kViewer = 1, kAnalyst = 2, kAdmin = 3 };
const char* role_name(Role r);
Role parse_role(std::string_view s);  // kNone when unknown

struct User {
  std::string name;
  Role role = Role::kNone;
  std::string salt, hash;  // raw bytes
  uint64_t n = 0;
  uint32_t r = 0, p = 0;
};

bool valid_user_name(std::string_view s);

// One line of the accounts file; false when it is not one (fuzz_console.cc).
bool parse_user_line(std::string_view line, User& u);

// The accounts file: one line per user, "name:role:scrypt:N:r:p:salthex:hashhex".
// load() throws std::runtime_error with one line (unreadable, readable by
// others, malformed, empty).
class Users {
 public:
  void load(const std::string& path);
  // The user when the password is right; a dummy hash is computed for an
  // unknown name so both take the same time.
  std::optional<User> verify(std::string_view name, std::string_view password) const;
  // An API token's name and role (the user field is "token:NAME"), if the
  // token is one of the file's (kept as SHA-256: "name:role:token:sha256").
  std::optional<User> token(std::string_view token) const;
  size_t size() const { return users_.size() + tokens_.size(); }

 private:
  std::map<std::string, User, std::less<>> users_;
  std::map<std::string, User, std::less<>> tokens_;  // by SHA-256 of the token, hex
};

// A new API token (printed once) and its accounts-file line.
std::string token_line(const std::string& name, Role role, std::string& token_out);

// A new user line (hashes the password).
std::string user_line(const std::string& name, Role role, std::string_view password);
std::string random_hex(size_t bytes);

struct Session {
  std::string user, csrf;
  Role role = Role::kNone;
  std::chrono::steady_clock::time_point created, last;
};

using Clock = std::chrono::steady_clock;

class Sessions {
 public:
  static constexpr size_t kMax = 4096;
  static constexpr std::chrono::minutes kIdle{30};
  static constexpr std::chrono::hours kAbsolute{12};
  // A new session's token (the cookie value).
  std::string create(const User& u, Clock::time_point now = Clock::now());
  std::optional<Session> find(std::string_view token, Clock::time_point now = Clock::now());
  void erase(std::string_view token);

 private:
  std::mutex mu_;
  std::unordered_map<std::string, Session> by_hash_;  // sha256(token) -> session
};

class Throttle {
 public:
  static constexpr int kPerUser = 5;     // failures before a user name is locked
  static constexpr int kPerSource = 20;  // failures before a source is refused
  static constexpr std::chrono::minutes kWindow{15};
  static constexpr size_t kMaxEntries = 65536;
  // Seconds to wait, 0 when a login may be tried now.
  int blocked(const std::string& source, const std::string& user, Clock::time_point now = Clock::now());
  void failure(const std::string& source, const std::string& user, Clock::time_point now = Clock::now());
  void success(const std::string& user);

 private:
  struct Count {
    int n = 0;
    std::chrono::steady_clock::time_point first;
  };
  int wait_of(std::unordered_map<std::string, Count>& m, const std::string& k, int limit, Clock::time_point now);
  void bump(std::unordered_map<std::string, Count>& m, const std::string& k, Clock::time_point now);
  std::mutex mu_;
  std::unordered_map<std::string, Count> by_source_, by_user_;
};

}  // namespace ms::console
