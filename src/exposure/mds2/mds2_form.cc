// MDS2 form answers (mds2_form.h). Question ids and layout as in the HN 1-2019
// workbook manufacturers publish: id, question, answer, note, then the
// references to IEC TR 80001-2-2 and NIST SP 800-53 that are not read.
#include "exposure/mds2/mds2_form.h"

#include <cctype>

namespace ms::exposure {

namespace {

std::string trim(std::string_view s) {
  while (!s.empty() && static_cast<unsigned char>(s.front()) <= ' ') s.remove_prefix(1);
  while (!s.empty() && static_cast<unsigned char>(s.back()) <= ' ') s.remove_suffix(1);
  return std::string(s);
}

std::string lower(std::string_view s) {
  std::string out;
  for (char c : s) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// "Yes, optional" -> "yes"; "N/A: No default accounts" -> "n/a".
std::string normalize(std::string_view answer) {
  std::string a = lower(trim(answer));
  auto word = [&](std::string_view w) {
    return a.compare(0, w.size(), w) == 0 && (a.size() == w.size() || !std::isalpha(static_cast<unsigned char>(a[w.size()])));
  };
  if (word("n/a") || word("na") || word("not applicable")) return "n/a";
  if (word("see note")) return "see note";
  if (word("yes")) return "yes";
  if (word("no")) return "no";
  return "";
}

// Tabs and line ends would break the stored lines.
std::string flat(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c == '\t' || c == '\n' || c == '\r') c = ' ';
  return out;
}

void take_doc(Mds2Form& f, const Mds2Answer& a) {
  if (a.id == "DOC-1") f.manufacturer = a.answer;
  else if (a.id == "DOC-3") f.model = a.answer;
  else if (a.id == "DOC-4") f.document = a.answer;
  else if (a.id == "DOC-7") f.date = a.answer;
}

}  // namespace

const Mds2Answer* Mds2Form::find(std::string_view id) const {
  for (const Mds2Answer& a : answers)
    if (a.id == id) return &a;
  return nullptr;
}

std::string_view Mds2Form::value(std::string_view id) const {
  const Mds2Answer* a = find(id);
  return a ? std::string_view(a->value) : std::string_view{};
}

bool is_mds2_question_id(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && s[i] >= 'A' && s[i] <= 'Z') ++i;
  if (i < 3 || i > 4 || i >= s.size() || s[i] != '-') return false;
  ++i;
  for (int part = 0; part < 4; ++part) {
    size_t from = i;
    while (i < s.size() && i - from < 3 && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == from) return false;
    if (i == s.size()) return true;
    if (s[i] != '.') return false;
    ++i;
  }
  return false;
}

const char* parse_mds2(const std::vector<XlsxCell>& cells, Mds2Form& out) {
  out = Mds2Form{};
  for (size_t i = 0; i < cells.size();) {
    size_t end = i;
    while (end < cells.size() && cells[end].sheet == cells[i].sheet && cells[end].row == cells[i].row) ++end;
    // One row: [i, end). The id is the first cell that is one.
    size_t id = i;
    while (id < end && !is_mds2_question_id(trim(cells[id].text))) ++id;
    if (id < end && out.find(trim(cells[id].text)) == nullptr) {
      if (out.answers.size() >= kMds2MaxAnswers) return "more than 2,000 MDS2 questions";
      Mds2Answer a;
      a.id = trim(cells[id].text);
      // The question is the next text; the answer and the note are the two
      // columns after it (blank cells are absent from `cells`).
      if (id + 1 < end) {
        a.question = trim(cells[id + 1].text);
        uint32_t qcol = cells[id + 1].col;
        for (size_t k = id + 2; k < end && cells[k].col <= qcol + 2; ++k)
          (cells[k].col == qcol + 1 ? a.answer : a.note) = trim(cells[k].text);
      }
      a.value = normalize(a.answer);
      take_doc(out, a);
      out.answers.push_back(std::move(a));
    }
    i = end;
  }
  if (out.answers.empty()) return "no MDS2 question ids (DOC-1, MPII-1, TXCF-2 ...): not an HN 1-2019 MDS2 form";
  return nullptr;
}

std::string mds2_to_text(const Mds2Form& f) {
  std::string out;
  for (const Mds2Answer& a : f.answers)
    out += flat(a.id) + "\t" + flat(a.answer) + "\t" + flat(a.note) + "\t" + flat(a.question) + "\n";
  return out;
}

bool mds2_from_text(std::string_view text, Mds2Form& out) {
  out = Mds2Form{};
  while (!text.empty() && out.answers.size() < kMds2MaxAnswers) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    std::string_view f[4];
    for (int k = 0; k < 4; ++k) {
      size_t tab = k < 3 ? line.find('\t') : std::string_view::npos;
      f[k] = line.substr(0, tab);
      line = tab == std::string_view::npos ? std::string_view{} : line.substr(tab + 1);
    }
    if (!is_mds2_question_id(f[0])) return false;
    Mds2Answer a{std::string(f[0]), std::string(f[3]), std::string(f[1]), std::string(f[2]), normalize(f[1])};
    take_doc(out, a);
    out.answers.push_back(std::move(a));
  }
  return !out.answers.empty();
}

}  // namespace ms::exposure
