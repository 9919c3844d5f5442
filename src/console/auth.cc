// Accounts (scrypt), sessions and login throttling (auth.h).
#include "console/auth.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/stat.h>

#include <fstream>
#include <stdexcept>

#include "dissectors/text.h"

namespace ms::console {

namespace {

// scrypt cost: N=2^15, r=8, p=1 is 32 MiB and ~0.1 s per hash (RFC 7914
// section 2 gives N=2^14 for interactive logins in 2009; hardware has grown).
constexpr uint64_t kN = 1 << 15;
constexpr uint32_t kR = 8, kP = 1;
constexpr uint64_t kMaxN = 1 << 20;  // a file asking for more is refused
constexpr size_t kHashLen = 32, kSaltLen = 16;

std::string scrypt(std::string_view pw, const std::string& salt, uint64_t n, uint32_t r, uint32_t p) {
  std::string out(kHashLen, '\0');
  uint64_t maxmem = 128 * r * (n + p + 2) + (1 << 20);
  if (EVP_PBE_scrypt(pw.data(), pw.size(), reinterpret_cast<const unsigned char*>(salt.data()), salt.size(), n, r, p,
                     maxmem, reinterpret_cast<unsigned char*>(out.data()), out.size()) != 1) {
    return "";
  }
  return out;
}

std::string hex(const std::string& raw) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (unsigned char c : raw) {
    s += d[c >> 4];
    s += d[c & 15];
  }
  return s;
}

bool unhex(std::string_view h, std::string& out) {
  if (h.size() % 2 || h.size() > 256) return false;
  out.clear();
  for (size_t i = 0; i < h.size(); i += 2) {
    auto nib = [](char c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1; };
    int a = nib(h[i]), b = nib(h[i + 1]);
    if (a < 0 || b < 0) return false;
    out += static_cast<char>(a * 16 + b);
  }
  return true;
}

bool parse_u64(std::string_view s, uint64_t& v) {
  if (s.empty() || s.size() > 9) return false;
  v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  return true;
}

std::vector<std::string_view> fields(std::string_view line) {
  std::vector<std::string_view> f;
  size_t i = 0;
  while (f.size() < 9) {
    size_t j = line.find(':', i);
    f.push_back(line.substr(i, j == std::string_view::npos ? std::string_view::npos : j - i));
    if (j == std::string_view::npos) break;
    i = j + 1;
  }
  return f;
}

}  // namespace

bool parse_user_line(std::string_view line, User& u) {
  auto f = fields(line);
  uint64_t r = 0, p = 0;
  if (f.size() != 8 || f[2] != "scrypt" || !valid_user_name(f[0])) return false;
  u.name = std::string(f[0]);
  u.role = parse_role(f[1]);
  return u.role != Role::kNone && parse_u64(f[3], u.n) && u.n >= 2 && u.n <= kMaxN && (u.n & (u.n - 1)) == 0 &&
         parse_u64(f[4], r) && r >= 1 && r <= 32 && parse_u64(f[5], p) && p >= 1 && p <= 16 && unhex(f[6], u.salt) &&
         unhex(f[7], u.hash) && u.hash.size() == kHashLen && (u.r = static_cast<uint32_t>(r), u.p = static_cast<uint32_t>(p), true);
}

namespace {

std::string sha256(std::string_view s) { return text::digest_hex(EVP_sha256(), std::string(s)); }

}  // namespace

const char* role_name(Role r) {
  switch (r) {
    case Role::kViewer: return "viewer";
    case Role::kAnalyst: return "analyst";
    case Role::kAdmin: return "admin";
    default: return "none";
  }
}

Role parse_role(std::string_view s) {
  if (s == "viewer") return Role::kViewer;
  if (s == "analyst") return Role::kAnalyst;
  if (s == "admin") return Role::kAdmin;
  return Role::kNone;
}

bool valid_user_name(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string random_hex(size_t bytes) {
  std::string raw(bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes)) != 1) {
    throw std::runtime_error("no random bytes from OpenSSL");
  }
  return hex(raw);
}

std::string user_line(const std::string& name, Role role, std::string_view password) {
  std::string salt;
  unhex(random_hex(kSaltLen), salt);
  std::string h = scrypt(password, salt, kN, kR, kP);
  if (h.empty()) throw std::runtime_error("scrypt failed");
  return name + ":" + role_name(role) + ":scrypt:" + std::to_string(kN) + ":" + std::to_string(kR) + ":" +
         std::to_string(kP) + ":" + hex(salt) + ":" + hex(h);
}

void Users::load(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    throw std::runtime_error(path + ": no accounts file (create one: medsentry user add NAME --role admin --users " + path + ")");
  }
  if (st.st_mode & 077) throw std::runtime_error(path + ": readable by others; chmod 600 it");
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot read");
  std::string line;
  size_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty() || line[0] == '#') continue;
    if (size() >= 10000) throw std::runtime_error(path + ": more than 10000 accounts and tokens");
    User u;
    auto f = fields(line);
    if (f.size() == 4 && f[2] == "token" && valid_user_name(f[0]) && parse_role(f[1]) != Role::kNone && f[3].size() == 64 &&
        f[3].find_first_not_of("0123456789abcdef") == std::string_view::npos) {
      u.name = "token:" + std::string(f[0]);
      u.role = parse_role(f[1]);
      tokens_[std::string(f[3])] = std::move(u);
      continue;
    }
    if (!parse_user_line(line, u)) throw std::runtime_error(path + ":" + std::to_string(n) + ": not an account line");
    users_[u.name] = std::move(u);
  }
  if (users_.empty()) throw std::runtime_error(path + ": no accounts (medsentry user add NAME --role admin)");
}

std::optional<User> Users::verify(std::string_view name, std::string_view password) const {
  auto it = users_.find(name);
  if (it == users_.end()) {
    static const std::string kDummySalt(kSaltLen, 'x');
    (void)scrypt(password, kDummySalt, kN, kR, kP);
    return std::nullopt;
  }
  const User& u = it->second;
  std::string h = scrypt(password, u.salt, u.n, u.r, u.p);
  if (h.size() != u.hash.size() || CRYPTO_memcmp(h.data(), u.hash.data(), h.size()) != 0) return std::nullopt;
  return u;
}

std::optional<User> Users::token(std::string_view token) const {
  if (token.size() < 16 || token.size() > 256) return std::nullopt;
  auto it = tokens_.find(sha256(token));
  if (it == tokens_.end()) return std::nullopt;
  return it->second;
}

std::string token_line(const std::string& name, Role role, std::string& token_out) {
  token_out = "mst_" + random_hex(32);
  return name + ":" + role_name(role) + ":token:" + sha256(token_out);
}

std::string Sessions::create(const User& u, Clock::time_point now) {
  std::string token = random_hex(32);
  Session s{u.name, random_hex(32), u.role, now, now};
  std::lock_guard<std::mutex> lock(mu_);
  if (by_hash_.size() >= kMax) {  // drop the least recently used
    auto oldest = by_hash_.begin();
    for (auto it = by_hash_.begin(); it != by_hash_.end(); ++it) {
      if (it->second.last < oldest->second.last) oldest = it;
    }
    by_hash_.erase(oldest);
  }
  by_hash_[sha256(token)] = std::move(s);
  return token;
}

std::optional<Session> Sessions::find(std::string_view token, Clock::time_point now) {
  if (token.size() != 64) return std::nullopt;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_hash_.find(sha256(token));
  if (it == by_hash_.end()) return std::nullopt;
  if (now - it->second.last > kIdle || now - it->second.created > kAbsolute) {
    by_hash_.erase(it);
    return std::nullopt;
  }
  it->second.last = now;
  return it->second;
}

void Sessions::erase(std::string_view token) {
  std::lock_guard<std::mutex> lock(mu_);
  by_hash_.erase(sha256(token));
}

int Throttle::wait_of(std::unordered_map<std::string, Count>& m, const std::string& k, int limit, Clock::time_point now) {
  auto it = m.find(k);
  if (it == m.end()) return 0;
  auto age = now - it->second.first;
  if (age > kWindow) {
    m.erase(it);
    return 0;
  }
  if (it->second.n < limit) return 0;
  return static_cast<int>(std::chrono::duration_cast<std::chrono::seconds>(kWindow - age).count()) + 1;
}

void Throttle::bump(std::unordered_map<std::string, Count>& m, const std::string& k, Clock::time_point now) {
  if (m.size() >= kMaxEntries && !m.count(k)) {
    // Full: forget the windows that have passed; if none, the table keeps
    // what it has (a flood of names cannot push out a locked one).
    std::erase_if(m, [&](const auto& e) { return now - e.second.first > kWindow; });
    if (m.size() >= kMaxEntries) return;
  }
  Count& c = m[k];
  if (c.n == 0) c.first = now;
  ++c.n;
}

int Throttle::blocked(const std::string& source, const std::string& user, Clock::time_point now) {
  std::lock_guard<std::mutex> lock(mu_);
  return std::max(wait_of(by_source_, source, kPerSource, now), wait_of(by_user_, user, kPerUser, now));
}

void Throttle::failure(const std::string& source, const std::string& user, Clock::time_point now) {
  std::lock_guard<std::mutex> lock(mu_);
  bump(by_source_, source, now);
  bump(by_user_, user, now);
}

void Throttle::success(const std::string& user) {
  std::lock_guard<std::mutex> lock(mu_);
  by_user_.erase(user);
}

}  // namespace ms::console
