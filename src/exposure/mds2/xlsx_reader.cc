// The XLSX cell reader (xlsx_reader.h). Parts read: [Content_Types].xml (to
// know it is an OOXML package), xl/sharedStrings.xml and
// xl/worksheets/sheetN.xml (ECMA-376 Part 1, 18.3 Worksheets and 18.4 Shared
// String Table: <c r="B12" t="s|inlineStr|str|n|b|e"><v>..</v><is><t>..</t></is></c>,
// <si><t>..</t><r><t>..</t></r></si>).
#include "exposure/mds2/xlsx_reader.h"

#include <zip.h>

#include <algorithm>
#include <memory>

namespace ms::exposure {

namespace {

// One part's bytes, decompressed and counted as they come: the sizes in the
// archive's headers are the writer's claim, not a fact.
const char* read_part(zip_t* za, zip_uint64_t index, size_t& budget, std::string& out) {
  zip_stat_t st;
  zip_stat_init(&st);
  if (zip_stat_index(za, index, 0, &st) == 0 && (st.valid & ZIP_STAT_SIZE) && st.size > kXlsxMaxEntryBytes)
    return "a part declares more than 16 MiB decompressed";
  zip_file_t* f = zip_fopen_index(za, index, 0);
  if (!f) return "a part cannot be opened (damaged or encrypted ZIP)";
  std::unique_ptr<zip_file_t, int (*)(zip_file_t*)> guard(f, zip_fclose);
  char buf[65536];
  out.clear();
  for (;;) {
    zip_int64_t n = zip_fread(f, buf, sizeof buf);
    if (n < 0) return "a part does not decompress (damaged ZIP or CRC mismatch)";
    if (n == 0) break;
    if (out.size() + static_cast<size_t>(n) > kXlsxMaxEntryBytes) return "a part is larger than 16 MiB decompressed (a ZIP bomb?)";
    if (static_cast<size_t>(n) > budget) return "the parts are larger than 48 MiB decompressed in all (a ZIP bomb?)";
    budget -= static_cast<size_t>(n);
    out.append(buf, static_cast<size_t>(n));
  }
  return nullptr;
}

void put_utf8(uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// XML character data with its five predefined entities and character
// references decoded; appended to `out` up to kXlsxMaxText bytes.
void append_text(std::string_view raw, std::string& out) {
  static const struct { std::string_view name; char c; } kEntities[] = {
      {"lt", '<'}, {"gt", '>'}, {"amp", '&'}, {"quot", '"'}, {"apos", '\''}};
  for (size_t i = 0; i < raw.size() && out.size() < kXlsxMaxText; ++i) {
    size_t semi = raw[i] == '&' ? raw.find(';', i) : std::string_view::npos;
    if (semi == std::string_view::npos || semi - i > 10) {
      out += raw[i];
      continue;
    }
    std::string_view ent = raw.substr(i + 1, semi - i - 1);
    bool done = false;
    for (const auto& e : kEntities)
      if (ent == e.name) out += e.c, done = true;
    if (!done && ent.size() > 1 && ent[0] == '#') {
      bool hex = ent[1] == 'x' || ent[1] == 'X';
      uint32_t cp = 0;
      bool ok = ent.size() > (hex ? 2u : 1u);
      for (char c : ent.substr(hex ? 2 : 1)) {
        int d = c >= '0' && c <= '9' ? c - '0' : hex && c >= 'a' && c <= 'f' ? c - 'a' + 10 : hex && c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0 || cp > 0x10FFFF) ok = false;
        else cp = cp * (hex ? 16 : 10) + static_cast<uint32_t>(d);
      }
      if (ok && cp > 0 && cp <= 0x10FFFF && (cp < 0xD800 || cp > 0xDFFF)) put_utf8(cp, out), done = true;
    }
    if (done) i = semi;
    else out += raw[i];
  }
  if (out.size() > kXlsxMaxText) {  // cut at a character boundary
    size_t n = kXlsxMaxText;
    while (n > 0 && (static_cast<unsigned char>(out[n]) & 0xC0) == 0x80) --n;
    out.resize(n);
  }
}

// A start or end tag at `lt` (raw[lt] == '<'): its local name (namespace
// prefix dropped), whether it closes or is empty, and where it ends.
struct Tag {
  std::string_view name, attrs;
  bool end = false, empty = false;
  size_t after = std::string_view::npos;  // index after '>'
};

Tag read_tag(std::string_view x, size_t lt) {
  Tag t;
  size_t gt = x.find('>', lt);
  if (gt == std::string_view::npos) return t;
  t.after = gt + 1;
  std::string_view body = x.substr(lt + 1, gt - lt - 1);
  if (!body.empty() && body[0] == '/') t.end = true, body.remove_prefix(1);
  if (!body.empty() && body.back() == '/') t.empty = true, body.remove_suffix(1);
  size_t sp = body.find_first_of(" \t\r\n");
  std::string_view qname = body.substr(0, sp);
  size_t colon = qname.rfind(':');
  t.name = colon == std::string_view::npos ? qname : qname.substr(colon + 1);
  t.attrs = sp == std::string_view::npos ? std::string_view{} : body.substr(sp);
  return t;
}

// The value of attribute `name` (unprefixed) in a tag's attribute text.
std::string_view attr(std::string_view attrs, std::string_view name) {
  for (size_t p = 0; (p = attrs.find(name, p)) != std::string_view::npos; p += name.size()) {
    if (p == 0 || (attrs[p - 1] != ' ' && attrs[p - 1] != '\t' && attrs[p - 1] != '\n' && attrs[p - 1] != '\r')) continue;
    size_t q = p + name.size();
    while (q < attrs.size() && attrs[q] == ' ') ++q;
    if (q >= attrs.size() || attrs[q] != '=') continue;
    ++q;
    while (q < attrs.size() && attrs[q] == ' ') ++q;
    if (q >= attrs.size() || (attrs[q] != '"' && attrs[q] != '\'')) continue;
    size_t close = attrs.find(attrs[q], q + 1);
    if (close == std::string_view::npos) return {};
    return attrs.substr(q + 1, close - q - 1);
  }
  return {};
}

// The texts of the <t> elements between `from` and the end tag of `parent`
// (skipping phonetic runs, <rPh>); returns the index after that end tag.
size_t collect_t(std::string_view x, size_t from, std::string_view parent, std::string& out, const char*& err) {
  bool in_t = false, in_rph = false;
  size_t text_from = 0;
  for (size_t lt = x.find('<', from); lt != std::string_view::npos; lt = x.find('<', lt + 1)) {
    Tag t = read_tag(x, lt);
    if (t.after == std::string_view::npos) break;
    if (in_t && !in_rph) append_text(x.substr(text_from, lt - text_from), out);
    in_t = false;
    if (t.end && t.name == parent) return t.after;
    if (t.name == "rPh") in_rph = !t.end && !t.empty;
    if (t.name == "t" && !t.end && !t.empty) in_t = true, text_from = t.after;
    lt = t.after - 1;
  }
  err = "unterminated element in the workbook's XML";
  return std::string_view::npos;
}

const char* read_shared_strings(std::string_view x, std::vector<std::string>& out) {
  const char* err = nullptr;
  for (size_t lt = x.find('<'); lt != std::string_view::npos; lt = x.find('<', lt)) {
    Tag t = read_tag(x, lt);
    if (t.after == std::string_view::npos) return "sharedStrings.xml: an unterminated tag";
    lt = t.after;
    if (t.name != "si" || t.end) continue;
    if (out.size() >= kXlsxMaxStrings) return "sharedStrings.xml: more than 200,000 strings";
    out.emplace_back();
    if (t.empty) continue;
    lt = collect_t(x, t.after, "si", out.back(), err);
    if (err) return "sharedStrings.xml: an unterminated <si>";
  }
  return nullptr;
}

struct SheetScan {
  uint32_t sheet = 0, row = 0, col = 0;
  const std::vector<std::string>* strings = nullptr;
  std::vector<XlsxCell>* out = nullptr;
};

// One <c> element whose start tag is `t`; returns the index after it.
size_t read_cell(std::string_view x, const Tag& t, SheetScan& s, const char*& err) {
  std::string_view ref = attr(t.attrs, "r"), type = attr(t.attrs, "t");
  uint32_t col = s.col + 1, row = s.row;
  if (!ref.empty() && !parse_cell_ref(ref, col, row)) {
    err = "a cell reference is not a valid A1 reference";
    return std::string_view::npos;
  }
  if (col > kXlsxMaxCol || row == 0 || row > kXlsxMaxRow) {
    err = "a cell lies outside the sheet";
    return std::string_view::npos;
  }
  s.col = col;
  if (t.empty) return t.after;
  std::string text;
  size_t end;
  if (type == "inlineStr") {
    end = collect_t(x, t.after, "c", text, err);
  } else {
    end = std::string_view::npos;
    size_t v_from = std::string_view::npos;
    for (size_t lt = x.find('<', t.after); lt != std::string_view::npos; lt = x.find('<', lt)) {
      Tag in = read_tag(x, lt);
      if (in.after == std::string_view::npos) break;
      if (in.name == "v" && !in.end && !in.empty) v_from = in.after;
      if (in.name == "v" && in.end && v_from != std::string_view::npos) append_text(x.substr(v_from, lt - v_from), text);
      lt = in.after;
      if (in.name == "c" && in.end) {
        end = in.after;
        break;
      }
    }
    if (end == std::string_view::npos) {
      err = "an unterminated cell in a sheet";
      return end;
    }
    if (type == "s") {
      uint64_t idx = 0;
      bool ok = !text.empty() && text.size() <= 9;
      for (char c : text) ok = ok && c >= '0' && c <= '9', idx = idx * 10 + static_cast<uint64_t>(c - '0');
      if (!ok || !s.strings || idx >= s.strings->size()) {
        err = "a cell names a shared string that does not exist";
        return std::string_view::npos;
      }
      text = (*s.strings)[idx];
    }
  }
  if (err) return std::string_view::npos;
  if (!text.empty()) {
    if (s.out->size() >= kXlsxMaxCells) {
      err = "more than 400,000 cells";
      return std::string_view::npos;
    }
    s.out->push_back({s.sheet, row, col, std::move(text)});
  }
  return end;
}

const char* read_sheet(std::string_view x, SheetScan& s) {
  const char* err = nullptr;
  for (size_t lt = x.find('<'); lt != std::string_view::npos; lt = x.find('<', lt)) {
    Tag t = read_tag(x, lt);
    if (t.after == std::string_view::npos) return "a sheet has an unterminated tag";
    lt = t.after;
    if (t.end) continue;
    if (t.name == "row") {
      std::string_view r = attr(t.attrs, "r");
      uint32_t n = 0;
      for (char c : r) n = (c >= '0' && c <= '9' && n <= kXlsxMaxRow) ? n * 10 + static_cast<uint32_t>(c - '0') : kXlsxMaxRow + 1;
      if (r.empty()) n = s.row + 1;
      if (n == 0 || n > kXlsxMaxRow) return "a row number is outside the sheet";
      s.row = n;
      s.col = 0;
    } else if (t.name == "c") {
      lt = read_cell(x, t, s, err);
      if (err) return err;
    }
  }
  return nullptr;
}

// The workbook's parts we read, by name.
struct Parts {
  bool content_types = false;
  int64_t shared = -1;
  std::vector<std::pair<uint32_t, zip_uint64_t>> sheets;  // (N of sheetN.xml, index)
};

const char* list_parts(zip_t* za, Parts& p) {
  zip_int64_t n = zip_get_num_entries(za, 0);
  if (n < 0 || static_cast<uint64_t>(n) > kXlsxMaxEntries) return "more than 2,000 entries in the ZIP";
  for (zip_int64_t i = 0; i < n; ++i) {
    const char* c = zip_get_name(za, static_cast<zip_uint64_t>(i), 0);
    if (!c) return "a ZIP entry has no name";
    std::string_view name(c);
    if (name == "[Content_Types].xml") p.content_types = true;
    if (name == "xl/sharedStrings.xml") p.shared = i;
    constexpr std::string_view kSheet = "xl/worksheets/sheet";
    if (name.substr(0, kSheet.size()) != kSheet || name.size() < kSheet.size() + 5 || name.substr(name.size() - 4) != ".xml") continue;
    std::string_view num = name.substr(kSheet.size(), name.size() - kSheet.size() - 4);
    uint32_t k = 0;
    bool ok = !num.empty() && num.size() <= 6;
    for (char ch : num) ok = ok && ch >= '0' && ch <= '9', k = k * 10 + static_cast<uint32_t>(ch - '0');
    if (!ok) continue;
    if (p.sheets.size() >= kXlsxMaxSheets) return "more than 64 worksheets";
    p.sheets.push_back({k, static_cast<zip_uint64_t>(i)});
  }
  if (!p.content_types) return "no [Content_Types].xml: not an Office Open XML workbook";
  if (p.sheets.empty()) return "no worksheet (xl/worksheets/sheetN.xml): not an XLSX workbook";
  std::sort(p.sheets.begin(), p.sheets.end());
  return nullptr;
}

const char* read_open(zip_t* za, std::vector<XlsxCell>& out) {
  Parts parts;
  if (const char* err = list_parts(za, parts)) return err;
  size_t budget = kXlsxMaxTotalBytes;
  std::string xml;
  std::vector<std::string> strings;
  if (parts.shared >= 0) {
    if (const char* err = read_part(za, static_cast<zip_uint64_t>(parts.shared), budget, xml)) return err;
    if (const char* err = read_shared_strings(xml, strings)) return err;
  }
  SheetScan s;
  s.strings = &strings;
  s.out = &out;
  for (size_t i = 0; i < parts.sheets.size(); ++i) {
    if (const char* err = read_part(za, parts.sheets[i].second, budget, xml)) return err;
    s.sheet = static_cast<uint32_t>(i);
    s.row = s.col = 0;
    if (const char* err = read_sheet(xml, s)) return err;
  }
  std::stable_sort(out.begin(), out.end(), [](const XlsxCell& a, const XlsxCell& b) {
    return a.sheet != b.sheet ? a.sheet < b.sheet : a.row != b.row ? a.row < b.row : a.col < b.col;
  });
  return nullptr;
}

}  // namespace

bool parse_cell_ref(std::string_view ref, uint32_t& col, uint32_t& row) {
  size_t i = 0;
  uint32_t c = 0, r = 0;
  while (i < ref.size() && ref[i] == '$') ++i;
  size_t letters = 0;
  for (; i < ref.size() && ((ref[i] >= 'A' && ref[i] <= 'Z') || (ref[i] >= 'a' && ref[i] <= 'z')); ++i, ++letters) {
    if (letters == 3) return false;
    c = c * 26 + static_cast<uint32_t>((ref[i] | 0x20) - 'a' + 1);
  }
  if (i < ref.size() && ref[i] == '$') ++i;
  size_t digits = 0;
  for (; i < ref.size() && ref[i] >= '0' && ref[i] <= '9'; ++i, ++digits) {
    if (digits == 7) return false;
    r = r * 10 + static_cast<uint32_t>(ref[i] - '0');
  }
  if (i != ref.size() || letters == 0 || digits == 0 || c > kXlsxMaxCol || r == 0 || r > kXlsxMaxRow) return false;
  col = c;
  row = r;
  return true;
}

const char* read_xlsx_cells(std::string_view file, std::vector<XlsxCell>& out) {
  out.clear();
  if (file.size() > kXlsxMaxBytes) return "larger than 16 MiB";
  if (file.size() < 22 || file.substr(0, 2) != "PK") return "not a ZIP archive (an XLSX workbook is one)";
  zip_error_t zerr;
  zip_error_init(&zerr);
  zip_source_t* src = zip_source_buffer_create(file.data(), file.size(), 0, &zerr);
  if (!src) return "cannot read the ZIP archive";
  zip_t* za = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &zerr);
  zip_error_fini(&zerr);
  if (!za) {
    zip_source_free(src);
    return "not a readable ZIP archive (truncated or damaged)";
  }
  const char* err = read_open(za, out);
  zip_discard(za);  // frees the source too
  if (err) out.clear();
  return err;
}

}  // namespace ms::exposure
