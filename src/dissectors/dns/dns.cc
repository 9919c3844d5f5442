#include "dissectors/dns/dns.h"

#include "dissectors/text.h"

namespace ms::dns {

namespace {

constexpr size_t kMaxName = 255;
constexpr int kMaxJumps = 32;

// Reads a (possibly compressed) name starting at `pos`; `pos` moves past the
// name as written at that place. False on a loop, a bad label or the end.
bool read_name(Bytes b, size_t& pos, std::string& out) {
  size_t p = pos;
  bool jumped = false;
  int jumps = 0;
  out.clear();
  while (true) {
    if (p >= b.size()) return false;
    uint8_t l = b[p];
    if ((l & 0xc0) == 0xc0) {
      if (p + 1 >= b.size() || ++jumps > kMaxJumps) return false;
      size_t target = static_cast<size_t>(l & 0x3f) << 8 | b[p + 1];
      if (!jumped) pos = p + 2;
      jumped = true;
      if (target >= b.size()) return false;
      p = target;
      continue;
    }
    if (l & 0xc0) return false;  // extended label types are not used
    ++p;
    if (l == 0) break;
    if (p + l > b.size()) return false;
    if (!out.empty()) out += '.';
    out.append(text::view(b.subspan(p, l)));
    if (out.size() > kMaxName) return false;
    p += l;
  }
  if (!jumped) pos = p;
  return true;
}

std::string nbns_name(const std::string& raw) {
  size_t dot = raw.find('.');
  std::string first = raw.substr(0, dot);
  std::string n = nbns_decode(first);
  if (n.empty()) return raw;
  if (dot != std::string::npos) n += raw.substr(dot);  // NetBIOS scope
  return n;
}

bool read_record(Bytes b, size_t& pos, bool nbns, Record& r) {
  if (!read_name(b, pos, r.name)) return false;
  if (nbns) r.name = nbns_name(r.name);
  if (pos + 10 > b.size()) return false;
  r.type = be16(b.data() + pos);
  r.klass = be16(b.data() + pos + 2);
  r.ttl = be32(b.data() + pos + 4);
  uint16_t rdlen = be16(b.data() + pos + 8);
  pos += 10;
  if (pos + rdlen > b.size()) return false;
  Bytes rd = b.subspan(pos, rdlen);
  size_t rdpos = pos;
  pos += rdlen;
  switch (r.type) {
    case 1:
      if (rdlen == 4) r.rdata = text::ipv4(rd.data());
      break;
    case 28:
      if (rdlen == 16) r.rdata = text::ipv6(rd.data());
      break;
    case 2: case 5: case 12: {  // NS, CNAME, PTR
      size_t p = rdpos;
      read_name(b.first(rdpos + rdlen), p, r.rdata);
      break;
    }
    case 32:  // NB (NBNS): flags + IPv4 address per entry; SRV is 33 in DNS, NBSTAT in NBNS
      if (nbns) {
        for (size_t i = 0; i + 6 <= rd.size() && i < 6 * 8; i += 6) {
          if (!r.rdata.empty()) r.rdata += ' ';
          r.rdata += text::ipv4(rd.data() + i + 2);
        }
      }
      break;
    case 33:
      if (nbns) {  // NBSTAT: count, then 18-byte name entries
        if (!rd.empty()) {
          size_t n = rd[0];
          for (size_t i = 0; i < n && 1 + i * 18 + 18 <= rd.size() && i < 16; ++i) {
            std::string nm = text::trim(text::view(rd.subspan(1 + i * 18, 15)));
            char sfx[8];
            std::snprintf(sfx, sizeof sfx, "<%02x>", rd[1 + i * 18 + 15]);
            r.txt.push_back(nm + sfx);
          }
        }
      } else if (rdlen >= 7) {  // SRV
        size_t p = rdpos + 6;
        std::string target;
        read_name(b.first(rdpos + rdlen), p, target);
        r.rdata = std::to_string(be16(rd.data())) + " " + std::to_string(be16(rd.data() + 2)) + " " +
                  std::to_string(be16(rd.data() + 4)) + " " + target;
      }
      break;
    case 13: {  // HINFO: cpu, os as character strings
      size_t p = 0;
      for (int k = 0; k < 2 && p < rd.size(); ++k) {
        size_t l = rd[p++];
        if (p + l > rd.size()) break;
        if (k) r.rdata += ' ';
        r.rdata += text::str(rd.subspan(p, l));
        p += l;
      }
      break;
    }
    case 16: {  // TXT
      size_t p = 0;
      while (p < rd.size() && r.txt.size() < 32) {
        size_t l = rd[p++];
        if (p + l > rd.size()) break;
        if (l) r.txt.push_back(text::str(rd.subspan(p, l)));
        p += l;
      }
      break;
    }
    default:
      break;
  }
  return true;
}

}  // namespace

std::string nbns_decode(std::string_view label) {
  if (label.size() != 32) return "";
  std::string out;
  for (size_t i = 0; i < 32; i += 2) {
    char a = label[i], c = label[i + 1];
    if (a < 'A' || a > 'P' || c < 'A' || c > 'P') return "";
    out += static_cast<char>((a - 'A') << 4 | (c - 'A'));
  }
  uint8_t suffix = static_cast<uint8_t>(out[15]);
  out.resize(15);
  while (!out.empty() && out.back() == ' ') out.pop_back();  // space padding (the wildcard "*" is NUL-padded)
  // Unprintable bytes as <xx>, as tshark shows them ("<01><02>__MSBROWSE__<02>").
  std::string shown;
  char hx[8];
  for (char ch : out) {
    auto u = static_cast<uint8_t>(ch);
    if (u < 0x20 || u >= 0x7f) {
      std::snprintf(hx, sizeof hx, "<%02x>", u);
      shown += hx;
    } else {
      shown += ch;
    }
  }
  std::snprintf(hx, sizeof hx, "<%02x>", suffix);
  return shown + hx;
}

bool parse(Bytes b, bool nbns, Message& m) {
  if (b.size() < 12) return false;
  m.id = be16(b.data());
  m.flags = be16(b.data() + 2);
  m.response = m.flags & 0x8000;
  m.opcode = (m.flags >> 11) & 0xf;
  m.rcode = m.flags & 0xf;
  uint16_t qd = be16(b.data() + 4), an = be16(b.data() + 6), ns = be16(b.data() + 8), ar = be16(b.data() + 10);
  size_t pos = 12;
  for (uint16_t i = 0; i < qd; ++i) {
    Question q;
    if (!read_name(b, pos, q.name) || pos + 4 > b.size()) {
      if (i == 0) return false;
      m.truncated = true;
      return true;
    }
    if (nbns) q.name = nbns_name(q.name);
    q.type = be16(b.data() + pos);
    q.klass = be16(b.data() + pos + 2);
    pos += 4;
    if (m.questions.size() < kMaxQuestions) m.questions.push_back(std::move(q));
  }
  std::vector<Record>* sections[3] = {&m.answers, &m.authorities, &m.additionals};
  uint16_t counts[3] = {an, ns, ar};
  for (int s = 0; s < 3; ++s) {
    for (uint16_t i = 0; i < counts[s]; ++i) {
      Record r;
      if (!read_record(b, pos, nbns, r)) {
        m.truncated = true;
        return qd > 0 || !m.answers.empty() || !m.additionals.empty();
      }
      if (sections[s]->size() < kMaxRecords) sections[s]->push_back(std::move(r));
    }
  }
  return qd > 0 || an > 0 || ns > 0 || ar > 0;
}

const char* type_name(uint16_t t) {
  switch (t) {
    case 1: return "A";
    case 2: return "NS";
    case 5: return "CNAME";
    case 6: return "SOA";
    case 12: return "PTR";
    case 13: return "HINFO";
    case 15: return "MX";
    case 16: return "TXT";
    case 28: return "AAAA";
    case 32: return "NB";
    case 33: return "SRV";
    case 41: return "OPT";
    case 47: return "NSEC";
    case 64: return "SVCB";
    case 65: return "HTTPS";
    case 255: return "ANY";
    default: return nullptr;
  }
}

}  // namespace ms::dns
