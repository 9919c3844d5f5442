// The answers of an MDS2 form (ANSI/NEMA HN 1-2019, the Manufacturer
// Disclosure Statement for Medical Device Security), read from the cells of
// its XLSX workbook (xlsx_reader.h). The form is a table: a question id
// (DOC-1 ... DOC-11.4, MPII-1 ... MPII-3.10, ALOF, AUDT, AUTH, CSUP, DIDT,
// DTBK, EMRG, IGAU, MLDP, NAUT, CONN, PAUT, PLOK, RDMP, SBOM, SAHD, SGUD,
// STCF, TXCF, TXIG, RMOT), the question, the answer (Yes, No, N/A, See Note;
// the DOC rows a text: DOC-1 manufacturer name, DOC-3 device model, DOC-4
// document id, DOC-7 release date) and a note. The row is found by its id
// cell; the answer is the first non-empty cell after the question.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "exposure/mds2/xlsx_reader.h"

namespace ms::exposure {

constexpr size_t kMds2MaxAnswers = 2000;  // the 2019 form has about 230 questions

struct Mds2Answer {
  std::string id, question, answer, note;  // answer as written ("Yes, optional")
  std::string value;                        // "yes", "no", "n/a", "see note" or "" (a text, unanswered)
};

struct Mds2Form {
  std::string manufacturer, model, document, date;  // DOC-1, DOC-3, DOC-4, DOC-7
  std::vector<Mds2Answer> answers;
  const Mds2Answer* find(std::string_view id) const;
  // The normalized answer of `id`, "" when absent.
  std::string_view value(std::string_view id) const;
};

// "MPII-2.1", "SAHD-15", "DOC-11.4": a section of 3-4 capitals, a dash, numbers.
bool is_mds2_question_id(std::string_view s);

// Nullptr, or one line saying why the cells are not an MDS2 form.
const char* parse_mds2(const std::vector<XlsxCell>& cells, Mds2Form& out);

// The form as stored in the inventory database (one line per answer, tab
// separated) and back.
std::string mds2_to_text(const Mds2Form& f);
bool mds2_from_text(std::string_view text, Mds2Form& out);

}  // namespace ms::exposure
