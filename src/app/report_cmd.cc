// `medsentry report` (report_cmd.h). The PDF is WeasyPrint's rendering of the
// same HTML (Debian's weasyprint, run as a program: no network access, the
// page has no external resources).
#include "app/report_cmd.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iostream>

#include "common/types.h"
#include "exposure/exposure_store.h"
#include "exposure/kev.h"
#include "exposure/linker.h"
#include "exposure/ranking.h"
#include "exposure/report_html.h"

extern char** environ;

namespace ms {

namespace {

using namespace exposure;

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

}  // namespace

std::string report_html(const std::string& db_path) {
  inv::Db db(db_path, false);
  ensure_schema(db);
  return render_report_html(gather(db));
}

bool weasyprint_available() {
  const char* path = getenv("PATH");
  std::string p = path ? path : "/usr/bin:/bin";
  size_t i = 0;
  while (i <= p.size()) {
    size_t j = p.find(':', i);
    if (j == std::string::npos) j = p.size();
    std::string dir = p.substr(i, j - i);
    if (!dir.empty() && access((dir + "/weasyprint").c_str(), X_OK) == 0) return true;
    i = j + 1;
  }
  return false;
}

// weasyprint HTML PDF, its output discarded, killed when it takes longer
// than timeout_s (a huge inventory must not hold a console worker forever).
void html_to_pdf(const std::string& html_path, const std::string& pdf_path, int timeout_s) {
  std::string prog = "weasyprint";
  char* argv[] = {prog.data(), const_cast<char*>(html_path.c_str()), const_cast<char*>(pdf_path.c_str()), nullptr};
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, "weasyprint", &fa, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0)
    throw std::runtime_error("PDF needs WeasyPrint (Debian package weasyprint); HTML works without it");
  int status = 0;
  for (int waited_ms = 0;; waited_ms += 50) {
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) break;
    if (r < 0) throw std::runtime_error("weasyprint: lost the child process");
    if (waited_ms >= timeout_s * 1000) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      throw std::runtime_error("weasyprint took longer than " + std::to_string(timeout_s) + " s");
    }
    usleep(50 * 1000);
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) throw std::runtime_error("weasyprint could not render " + html_path);
}

int run_report(const ReportOptions& o) {
  try {
    std::string html = report_html(o.db_path.empty() ? inv::default_db_path() : o.db_path);
    std::string html_path = o.format == "pdf" ? o.out + ".html" : o.out;
    {
      std::ofstream f(html_path, std::ios::binary | std::ios::trunc);
      f << html;
      if (!f) throw std::runtime_error(html_path + ": cannot write");
    }
    if (o.format == "pdf") {
      html_to_pdf(html_path, o.out, 600);
      unlink(html_path.c_str());
    }
  } catch (const std::exception& e) {
    std::cerr << "medsentry: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace ms
