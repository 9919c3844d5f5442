#include "dissectors/snmp/snmp.h"

#include "dissectors/text.h"

namespace ms::snmp {

namespace {

// One TLV: tag, then the value span. Multi-byte tags are not used by SNMP.
bool tlv(ByteReader& r, uint8_t& tag, Bytes& val) {
  uint8_t len0;
  if (!r.u8(tag) || !r.u8(len0)) return false;
  size_t len = len0;
  if (len0 & 0x80) {
    int n = len0 & 0x7f;
    if (n == 0 || n > 4) return false;
    len = 0;
    for (int i = 0; i < n; ++i) {
      uint8_t x;
      if (!r.u8(x)) return false;
      len = len << 8 | x;
    }
  }
  return r.take(len, val);
}

bool integer(Bytes v, int64_t& out) {
  if (v.empty() || v.size() > 8) return false;
  int64_t x = (v[0] & 0x80) ? -1 : 0;
  for (uint8_t c : v) x = static_cast<int64_t>(static_cast<uint64_t>(x) << 8 | c);
  out = x;
  return true;
}

bool expect(ByteReader& r, uint8_t want, Bytes& val) {
  uint8_t tag;
  return tlv(r, tag, val) && tag == want;
}

bool printable(Bytes v) {
  for (uint8_t c : v) {
    if ((c < 0x20 && c != '\r' && c != '\n' && c != '\t') || c == 0x7f) return false;
  }
  return true;
}

std::string render(uint8_t tag, Bytes v) {
  int64_t n;
  switch (tag) {
    case 0x02: case 0x41: case 0x42: case 0x43: case 0x46:  // INTEGER, Counter32, Gauge32, TimeTicks, Counter64
      if (tag != 0x02 && !v.empty() && v.size() <= 9) {
        uint64_t u = 0;
        for (uint8_t c : v) u = u << 8 | c;
        return std::to_string(u);
      }
      return integer(v, n) ? std::to_string(n) : "";
    case 0x04: return printable(v) ? text::str(v, 512) : text::hex(v, 128, ':');
    case 0x06: return oid_string(v);
    case 0x40: return v.size() == 4 ? text::ipv4(v.data()) : "";
    default: return "";
  }
}

bool varbinds(Bytes list, Message& m) {
  ByteReader r(list);
  while (r.remaining() > 0) {
    Bytes vb, oid, val;
    uint8_t tag;
    if (!expect(r, 0x30, vb)) return false;
    ByteReader vr(vb);
    if (!expect(vr, 0x06, oid) || !tlv(vr, tag, val)) return false;
    if (m.vars.size() < kMaxVars) m.vars.push_back({oid_string(oid), tag, render(tag, val)});
  }
  return true;
}

bool pdu(Bytes b, Message& m) {
  ByteReader r(b);
  Bytes body, v;
  uint8_t tag;
  if (!tlv(r, tag, body) || tag < 0xa0 || tag > 0xa8) return false;
  m.pdu_tag = tag;
  ByteReader p(body);
  if (tag == 0xa4) {  // v1 trap
    Bytes ent, addr;
    if (!expect(p, 0x06, ent) || !expect(p, 0x40, addr)) return false;
    m.enterprise = oid_string(ent);
    if (addr.size() == 4) m.agent_addr = text::ipv4(addr.data());
    if (!expect(p, 0x02, v) || !integer(v, m.generic_trap)) return false;
    if (!expect(p, 0x02, v) || !integer(v, m.specific_trap)) return false;
    if (!tlv(p, tag, v)) return false;  // time-stamp
  } else {
    if (!expect(p, 0x02, v) || !integer(v, m.request_id)) return false;
    if (!expect(p, 0x02, v) || !integer(v, m.error_status)) return false;
    if (!expect(p, 0x02, v) || !integer(v, m.error_index)) return false;
  }
  Bytes list;
  if (!expect(p, 0x30, list)) return false;
  return varbinds(list, m);
}

}  // namespace

std::string oid_string(Bytes b) {
  if (b.empty() || b.size() > 128) return "";
  std::string s;
  uint64_t x = 0;
  bool first = true;
  for (size_t i = 0; i < b.size(); ++i) {
    if (x > (1ULL << 56)) return "";
    x = x << 7 | (b[i] & 0x7f);
    if (b[i] & 0x80) continue;
    if (first) {
      uint64_t a = x < 40 ? 0 : x < 80 ? 1 : 2;
      s = std::to_string(a) + "." + std::to_string(x - a * 40);
      first = false;
    } else {
      s += "." + std::to_string(x);
    }
    x = 0;
  }
  return (b.back() & 0x80) ? "" : s;
}

bool parse(Bytes b, Message& m) {
  ByteReader top(b);
  Bytes msg, v;
  if (!expect(top, 0x30, msg)) return false;
  ByteReader r(msg);
  int64_t ver;
  if (!expect(r, 0x02, v) || !integer(v, ver) || (ver != 0 && ver != 1 && ver != 3)) return false;
  m.version = static_cast<int>(ver);
  if (ver != 3) {
    if (!expect(r, 0x04, v)) return false;
    m.community = text::str(v, 256);
    return pdu(Bytes(r.cur(), r.remaining()), m);
  }
  Bytes global, sec;
  if (!expect(r, 0x30, global) || !expect(r, 0x04, sec)) return false;
  {
    ByteReader g(global);
    Bytes id, max, flags;
    if (!expect(g, 0x02, id) || !expect(g, 0x02, max) || !expect(g, 0x04, flags)) return false;
    if (!flags.empty()) m.v3_flags = flags[0];
  }
  {
    ByteReader s(sec);
    Bytes usm;
    if (expect(s, 0x30, usm)) {
      ByteReader u(usm);
      Bytes engine, boots, time, user;
      if (expect(u, 0x04, engine) && expect(u, 0x02, boots) && expect(u, 0x02, time) && expect(u, 0x04, user)) {
        m.engine_id = text::hex(engine, 32);
        m.user = text::str(user, 256);
      }
    }
  }
  uint8_t tag;
  Bytes scoped;
  if (!tlv(r, tag, scoped)) return false;
  if (tag == 0x04) {  // encryptedPDU
    m.encrypted = true;
    return true;
  }
  if (tag != 0x30) return false;
  ByteReader s(scoped);
  Bytes ctx_engine, ctx_name;
  if (!expect(s, 0x04, ctx_engine) || !expect(s, 0x04, ctx_name)) return false;
  return pdu(Bytes(s.cur(), s.remaining()), m);
}

const char* pdu_name(uint8_t tag) {
  static const char* names[] = {"get_request", "get_next_request", "response", "set_request", "trap_v1",
                                "get_bulk_request", "inform_request", "trap_v2", "report"};
  return tag >= 0xa0 && tag <= 0xa8 ? names[tag - 0xa0] : nullptr;
}

}  // namespace ms::snmp
