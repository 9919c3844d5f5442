// HL7 v2 parsing: HL7 v2.5 §2.5 (message construction), §2.7 (escapes),
// §2.14 (MSH), §2.15 (MSA, ERR); PID (§3.4.2), OBX-18 (§7.4.2), PRT (v2.7 §7.4.4).
#include "dissectors/hl7/hl7_parser.h"

#include <algorithm>
#include <cctype>
#include <cstring>

namespace ms::hl7 {

namespace {

bool valid_delimiter(uint8_t c) {
  return c > 0x20 && c < 0x7F && !std::isalnum(c);
}

std::vector<std::string_view> split(std::string_view s, char sep, size_t max = 256) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (out.size() < max) {
    size_t p = s.find(sep, start);
    if (p == std::string_view::npos) {
      out.push_back(s.substr(start));
      break;
    }
    out.push_back(s.substr(start, p - start));
    start = p + 1;
  }
  return out;
}

// Element i of `s` split by `sep`, found in place; empty when absent.
std::string_view nth(std::string_view s, char sep, size_t i) {
  if (s.empty()) return {};  // data() may be null: no memchr on it
  const char* p = s.data();
  const char* end = p + s.size();
  for (size_t k = 0; k < i; ++k) {
    const void* q = std::memchr(p, sep, static_cast<size_t>(end - p));
    if (!q) return {};
    p = static_cast<const char*>(q) + 1;
  }
  const void* q = std::memchr(p, sep, static_cast<size_t>(end - p));
  return {p, q ? static_cast<size_t>(static_cast<const char*>(q) - p) : static_cast<size_t>(end - p)};
}

// The first `n` fields of a segment (0 is the segment id), found in one pass;
// missing fields are empty.
constexpr size_t kMaxFields = 20;
struct Fields {
  std::string_view f[kMaxFields];
  std::string_view operator[](size_t i) const { return i < kMaxFields ? f[i] : std::string_view(); }
};
Fields fields(std::string_view seg, char sep, size_t n) {
  Fields out;
  const char* p = seg.data();
  const char* end = p + seg.size();
  for (size_t k = 0; k < n && k < kMaxFields; ++k) {
    const void* q = std::memchr(p, sep, static_cast<size_t>(end - p));
    const char* e = q ? static_cast<const char*>(q) : end;
    out.f[k] = std::string_view(p, static_cast<size_t>(e - p));
    if (!q) break;
    p = e + 1;
  }
  return out;
}

// Value with trailing spaces removed, unescaped, at most `max` bytes.
std::string value(std::string_view v, const Delimiters& d, size_t max = 128) {
  std::string s = unescape(v, d);
  size_t n = s.size();
  while (n > 0 && s[n - 1] == ' ') --n;
  s.resize(std::min(n, max));
  return s;
}

// Component i of a field, found in place: value() of it.
std::string comp(std::string_view field, const Delimiters& d, size_t i, size_t max = 128) {
  return value(nth(field, d.component, i), d, max);
}

}  // namespace

std::string unescape(std::string_view v, const Delimiters& d) {
  if (v.empty()) return {};
  const void* first = std::memchr(v.data(), d.escape, v.size());
  if (!first) return std::string(v);  // the common case: nothing escaped
  std::string out;
  out.reserve(v.size());
  size_t i = static_cast<size_t>(static_cast<const char*>(first) - v.data());
  out.append(v.substr(0, i));
  for (; i < v.size(); ++i) {
    if (v[i] != d.escape) {
      out += v[i];
      continue;
    }
    size_t end = v.find(d.escape, i + 1);
    if (end == std::string_view::npos) {
      out += v.substr(i);  // unterminated: keep as is
      break;
    }
    std::string_view seq = v.substr(i + 1, end - i - 1);
    if (seq == "F") out += d.field;
    else if (seq == "S") out += d.component;
    else if (seq == "T") out += d.subcomponent;
    else if (seq == "R") out += d.repetition;
    else if (seq == "E") out += d.escape;
    else if (seq.size() >= 3 && seq[0] == 'X' && (seq.size() - 1) % 2 == 0) {
      for (size_t k = 1; k + 1 < seq.size(); k += 2) {
        auto hex = [](char c) { return std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : (std::toupper(c) - 'A' + 10) & 0xF; };
        out += static_cast<char>(hex(seq[k]) << 4 | hex(seq[k + 1]));
      }
    }
    // Formatting (\H\ \N\ ...) and character-set escapes carry no data: dropped.
    i = end;
  }
  return out;
}

const char* parse_message(Bytes msg, Message& m) {
  std::string_view text(reinterpret_cast<const char*>(msg.data()), msg.size());
  m.segments.reserve(16);
  // Segments end with CR (§2.5.1); tolerate CR LF and bare LF.
  size_t pos = 0;
  bool seen_msh = false;
  while (pos < text.size()) {
    size_t end = pos;
    while (end < text.size() && text[end] != '\r' && text[end] != '\n') ++end;
    std::string_view seg = text.substr(pos, end - pos);
    pos = end + 1;
    if (seg.empty()) continue;
    if (++m.segment_count > kMaxSegments) return "hl7.too_many_segments";
    std::string_view id = seg.substr(0, 3);
    if (m.segments.size() < 64) m.segments.emplace_back(id);
    if (id == "FHS" || id == "BHS" || id == "FTS" || id == "BTS") {
      m.batch = true;
      continue;
    }
    if (id == "MSH") {
      if (seen_msh) continue;  // one message at a time; a batch's next MSH is not ours
      if (seg.size() < 8) return "hl7.short_msh";
      Delimiters& d = m.delim;
      d.field = seg[3];
      std::string_view enc = seg.substr(4, seg.find(d.field, 4) == std::string_view::npos ? 0 : seg.find(d.field, 4) - 4);
      if (!valid_delimiter(static_cast<uint8_t>(d.field)) || enc.size() < 2 || enc.size() > 5) {
        return "hl7.bad_encoding_characters";
      }
      for (char c : enc) {
        if (!valid_delimiter(static_cast<uint8_t>(c)) || c == d.field) return "hl7.bad_encoding_characters";
      }
      d.component = enc[0];
      d.repetition = enc.size() > 1 ? enc[1] : '~';
      d.escape = enc.size() > 2 ? enc[2] : '\\';
      d.subcomponent = enc.size() > 3 ? enc[3] : '&';
      // MSH-1 is the field separator itself, so MSH-n is element n-1 here.
      Fields fs = fields(seg, d.field, 12);
      auto f = [&fs](size_t n) { return fs[n - 1]; };
      m.sending_app = comp(f(3), d, 0);
      m.sending_facility = comp(f(4), d, 0);
      m.receiving_app = comp(f(5), d, 0);
      m.receiving_facility = comp(f(6), d, 0);
      std::string_view type = f(9);
      m.message_type = comp(type, d, 0, 8);
      m.trigger_event = comp(type, d, 1, 8);
      m.structure = comp(type, d, 2, 16);
      m.control_id = value(f(10), d, 64);
      m.processing_id = comp(f(11), d, 0, 4);
      m.version = comp(f(12), d, 0, 16);
      seen_msh = true;
      continue;
    }
    if (!seen_msh) return "hl7.no_msh";
    const Delimiters& d = m.delim;
    if (id == "MSA") {
      Fields f = fields(seg, d.field, 3);
      m.ack_code = value(f[1], d, 4);
      m.acked_control_id = value(f[2], d, 64);
    } else if (id == "ERR") {
      Fields f = fields(seg, d.field, 4);
      m.has_err = true;
      std::string code = comp(f[3], d, 0, 16);  // ERR-3 HL7 error code (v2.5)
      if (code.empty()) code = comp(f[1], d, 3, 16);  // ERR-1.4 (v2.3)
      m.err_code = std::move(code);
    } else if (id == "PID") {
      Fields f = fields(seg, d.field, 8);
      for (auto rep : split(f[3], d.repetition, 8)) {  // PID-3 patient identifier list
        std::string v = comp(rep, d, 0);
        if (!v.empty()) m.patient_ids.push_back(std::move(v));
      }
      if (m.patient_name.empty()) m.patient_name = value(nth(f[5], d.repetition, 0), d);
      if (m.birth_date.empty()) m.birth_date = comp(f[7], d, 0, 32);
    } else if (id == "OBX") {
      std::string eq = value(nth(nth(seg, d.field, 18), d.repetition, 0), d);
      if (!eq.empty() && m.equipment.size() < 16) m.equipment.push_back(std::move(eq));
    } else if (id == "SFT") {
      Fields f = fields(seg, d.field, 4);
      Message::Software sw{comp(f[1], d, 0, 64), comp(f[2], d, 0, 32), comp(f[3], d, 0, 64)};
      if ((!sw.version.empty() || !sw.product.empty()) && m.software.size() < 4) m.software.push_back(std::move(sw));
    } else if (id == "PRT") {
      Fields f = fields(seg, d.field, 17);
      for (size_t n : {10, 16}) {  // PRT-10 participation device, PRT-16 device UDI
        std::string v = value(nth(f[n], d.repetition, 0), d);
        if (!v.empty() && m.equipment.size() < 16) m.equipment.push_back(std::move(v));
      }
    }
  }
  return seen_msh ? nullptr : "hl7.no_msh";
}

namespace {

// kRaw: b[off..] starts with a header segment's id; kNeedMore: a prefix of one.
Start header_start(Bytes b, size_t off) {
  static const char* const kHeaders[] = {"MSH", "FHS", "BHS"};
  bool prefix = false;
  for (const char* hdr : kHeaders) {
    size_t i = 0;
    while (i < 3 && off + i < b.size() && b[off + i] == static_cast<uint8_t>(hdr[i])) ++i;
    if (i == 3) return Start::kRaw;
    if (off + i >= b.size()) prefix = true;
  }
  return prefix ? Start::kNeedMore : Start::kNo;
}

}  // namespace

Start plausible_start(Bytes b) {
  size_t off = 0;
  if (!b.empty() && b[0] == 0x0B) off = 1;
  // "MSH" (or a batch's "FHS"/"BHS", which share its layout: HL7 v2.5
  // §2.15.6) + field separator + two to five encoding characters + separator.
  Start h = header_start(b, off);
  if (h != Start::kRaw) return h;
  if (off + 3 >= b.size()) return Start::kNeedMore;
  uint8_t fs = b[off + 3];
  if (!valid_delimiter(fs)) return Start::kNo;
  size_t n = 0;
  for (size_t i = off + 4; i < b.size(); ++i) {
    if (b[i] == fs) return n >= 2 && n <= 5 ? (off ? Start::kMllp : Start::kRaw) : Start::kNo;
    if (!valid_delimiter(b[i]) || ++n > 5) return Start::kNo;
  }
  return Start::kNeedMore;
}

}  // namespace ms::hl7
