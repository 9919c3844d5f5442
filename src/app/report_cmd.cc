// `medsentry report` (report_cmd.h). The PDF is WeasyPrint's rendering of the
// same HTML (Debian's weasyprint, run as a program: no network access, the
// page has no external resources).
#include "app/report_cmd.h"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ctime>
#include <fstream>
#include <iostream>

#include "exposure/exposure_store.h"
#include "exposure/kev.h"
#include "exposure/linker.h"
#include "exposure/ranking.h"
#include "exposure/report_html.h"

extern char** environ;

namespace ms {

namespace {

using namespace exposure;

std::string now_iso() {
  char b[32];
  time_t t = time(nullptr);
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(b, sizeof b, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return b;
}

ReportInput gather(inv::Db& db) {
  ReportInput in;
  in.generated = now_iso();
  in.database = db.path();
  sqlite3_stmt* st = db.prepare("SELECT files, analysed_at FROM captures ORDER BY id LIMIT 50");
  while (sqlite3_step(st) == SQLITE_ROW) {
    const unsigned char* f = sqlite3_column_text(st, 0);
    const unsigned char* a = sqlite3_column_text(st, 1);
    in.captures.push_back(std::string(f ? reinterpret_cast<const char*>(f) : "") + " (analysed " +
                          (a ? reinterpret_cast<const char*>(a) : "") + ")");
  }
  sqlite3_finalize(st);
  in.advisories = load_sources(db, "csaf").size();
  std::vector<SourceDoc> kev = load_sources(db, "kev");
  if (!kev.empty()) in.kev_version = kev.front().date;
  in.ranked = rank_devices(db);
  in.links = read_links(db);
  in.devices = read_devices(db);
  in.records = read_records(db);
  in.mds2 = refresh_mds2(db);
  return in;
}

// weasyprint HTML PDF; throws with one line.
void to_pdf(const std::string& html_path, const std::string& pdf_path) {
  std::string prog = "weasyprint";
  char* argv[] = {prog.data(), const_cast<char*>(html_path.c_str()), const_cast<char*>(pdf_path.c_str()), nullptr};
  pid_t pid = 0;
  if (posix_spawnp(&pid, "weasyprint", nullptr, nullptr, argv, environ) != 0)
    throw std::runtime_error("--format pdf needs WeasyPrint (Debian package weasyprint); --format html works without it");
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) throw std::runtime_error("weasyprint could not render " + html_path);
}

}  // namespace

int run_report(const ReportOptions& o) {
  try {
    inv::Db db(o.db_path.empty() ? inv::default_db_path() : o.db_path, false);
    ensure_schema(db);
    std::string html = render_report_html(gather(db));
    std::string html_path = o.format == "pdf" ? o.out + ".html" : o.out;
    {
      std::ofstream f(html_path, std::ios::binary | std::ios::trunc);
      f << html;
      if (!f) throw std::runtime_error(html_path + ": cannot write");
    }
    if (o.format == "pdf") {
      to_pdf(html_path, o.out);
      unlink(html_path.c_str());
    }
  } catch (const std::exception& e) {
    std::cerr << "medsentry: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace ms
