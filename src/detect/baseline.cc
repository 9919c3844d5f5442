#include "detect/baseline.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <vector>

#include "common/cidr.h"
#include "detect/config.h"

namespace ms::detect {

namespace {

constexpr size_t kMaxLine = 1024;

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> out;
  size_t i = 0;
  while (true) {
    size_t j = line.find('\t', i);
    out.push_back(line.substr(i, j == std::string::npos ? std::string::npos : j - i));
    if (j == std::string::npos) break;
    i = j + 1;
  }
  return out;
}

bool is_ip(const std::string& s) {
  Cidr c;
  return s.find('/') == std::string::npos && parse_cidr(s, c);
}

bool is_service(const std::string& s) {
  size_t slash = s.find('/');
  if (slash == std::string::npos || slash + 1 >= s.size() || s.size() - slash > 6) return false;
  std::string p = s.substr(0, slash);
  if (p != "tcp" && p != "udp") return false;
  for (size_t i = slash + 1; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return std::stoul(s.substr(slash + 1)) <= 65535;
}

}  // namespace

bool Baseline::knows_peer(const std::string& host, const std::string& peer) const {
  auto it = peers.lower_bound({host, peer + " "});
  return it != peers.end() && it->first == host && it->second.compare(0, peer.size() + 1, peer + " ") == 0;
}

std::string external_network(const std::string& ip) {
  uint8_t a[16];
  char buf[INET6_ADDRSTRLEN];
  if (inet_pton(AF_INET, ip.c_str(), a) == 1) {
    a[3] = 0;
    inet_ntop(AF_INET, a, buf, sizeof buf);
    return std::string(buf) + "/24";
  }
  if (inet_pton(AF_INET6, ip.c_str(), a) == 1) {
    std::memset(a + 6, 0, 10);
    inet_ntop(AF_INET6, a, buf, sizeof buf);
    return std::string(buf) + "/48";
  }
  return ip;
}

Baseline load_baseline(const std::string& path) {
  std::ifstream f(path);
  if (!f) throw ConfigError(path + ": cannot read: " + std::strerror(errno));
  Baseline b;
  b.source = path;
  std::string line;
  int n = 0;
  bool header = false;
  auto bad = [&](const std::string& what) { throw ConfigError(path + ":" + std::to_string(n) + ": " + what); };
  while (std::getline(f, line)) {
    ++n;
    if (line.size() > kMaxLine) bad("line longer than " + std::to_string(kMaxLine) + " bytes");
    if (n == 1) {
      if (line.rfind("# medsentry baseline 1", 0) != 0) bad("not a medsentry baseline (made by 'medsentry analyze --learn-baseline')");
      header = true;
      continue;
    }
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> c = split_tabs(line);
    if (c[0] == "host" && c.size() == 3 && is_ip(c[1])) {
      if (c[2].empty() || c[2].size() > 19 || c[2].find_first_not_of("0123456789") != std::string::npos)
        bad("host: the busiest hour's bytes must be a number");
      b.hosts[c[1]] = std::stoull(c[2]);
    } else if (c[0] == "peer" && c.size() == 4 && is_ip(c[1]) && is_ip(c[2]) && is_service(c[3])) {
      b.peers.emplace(c[1], c[2] + " " + c[3]);
    } else if (c[0] == "order" && c.size() == 4 && is_ip(c[1]) && is_ip(c[2]) && c[3].size() == 3 &&
               std::all_of(c[3].begin(), c[3].end(), [](char x) { return x >= 'A' && x <= 'Z'; })) {
      b.orders.emplace(c[1], c[2] + " " + c[3]);
    } else if (c[0] == "ae" && c.size() == 3 && is_ip(c[1]) && !c[2].empty() && c[2].size() <= 16) {
      b.aes.emplace(c[1], c[2]);
    } else if (c[0] == "external" && c.size() == 3 && is_ip(c[1])) {
      Cidr x;
      if (!parse_cidr(c[2], x)) bad("external: '" + c[2] + "' is not a network");
      b.externals.emplace(c[1], c[2]);
    } else {
      bad("expected host, peer, external, order or ae with tab-separated fields");
    }
  }
  if (!header) throw ConfigError(path + ": empty file, not a medsentry baseline");
  return b;
}

void save_baseline(const std::string& path, const Baseline& b, const std::string& comment) {
  std::ofstream f(path, std::ios::trunc);
  if (!f) throw std::runtime_error(path + ": cannot create: " + std::strerror(errno));
  f << "# medsentry baseline 1\n# " << comment << "\n";
  for (const auto& [h, bytes] : b.hosts) f << "host\t" << h << "\t" << bytes << "\n";
  for (const auto& [h, p] : b.peers) {
    size_t sp = p.find(' ');
    f << "peer\t" << h << "\t" << p.substr(0, sp) << "\t" << p.substr(sp + 1) << "\n";
  }
  for (const auto& [h, net] : b.externals) f << "external\t" << h << "\t" << net << "\n";
  for (const auto& [h, o] : b.orders) {
    size_t sp = o.find(' ');
    f << "order\t" << h << "\t" << o.substr(0, sp) << "\t" << o.substr(sp + 1) << "\n";
  }
  for (const auto& [h, ae] : b.aes) f << "ae\t" << h << "\t" << ae << "\n";
  f.flush();
  if (!f) throw std::runtime_error(path + ": write failed");
}

}  // namespace ms::detect
