// The HIPAA risk analysis report as a console download (docs/console.md
// "Report"): the page `medsentry report` writes (app/report_cmd.h), made
// in-process from the console's database, and its PDF through WeasyPrint
// run as a program with a fixed argument list (no shell) and a time limit.
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <mutex>
#include <sstream>
#include <stdexcept>

#include "app/report_cmd.h"
#include "console/routes.h"

namespace ms::console {

namespace {

constexpr size_t kMaxReportBytes = 64u << 20;  // far above any real inventory's report
constexpr int kPdfTimeoutS = 120;

// One report at a time: ranking refreshes the exposure links (a write to
// the database) and a large inventory costs seconds of CPU on a small box.
std::mutex report_mu;

bool make_html(Context& ctx, Resp& res, std::string& html) {
  try {
    html = report_html(ctx.db_path);
  } catch (const std::exception& e) {
    res.error(500, std::string("report: ") + e.what());
    return false;
  }
  if (html.size() > kMaxReportBytes) {
    res.error(413, "report larger than 64 MiB: use medsentry report");
    return false;
  }
  return true;
}

// The PDF of html in a private temporary directory; "" with res set on failure.
std::string make_pdf(const std::string& html, Resp& res) {
  char dir[] = "/tmp/medsentry-report-XXXXXX";  // mkdtemp: 0700
  if (!mkdtemp(dir)) {
    res.error(500, "no temporary directory");
    return "";
  }
  std::string in = std::string(dir) + "/report.html", out = std::string(dir) + "/report.pdf";
  std::string data;
  try {
    {
      std::ofstream f(in, std::ios::binary | std::ios::trunc);
      f << html;
      if (!f) throw std::runtime_error("cannot write the temporary report");
    }
    html_to_pdf(in, out, kPdfTimeoutS);
    struct stat st;
    if (stat(out.c_str(), &st) != 0 || static_cast<size_t>(st.st_size) > kMaxReportBytes)
      throw std::runtime_error("weasyprint gave no PDF or one larger than 64 MiB");
    std::ifstream f(out, std::ios::binary);
    std::ostringstream ss;
    ss << f.rdbuf();
    data = ss.str();
  } catch (const std::exception& e) {
    res.error(500, std::string("report: ") + e.what());
  }
  unlink(in.c_str());
  unlink(out.c_str());
  rmdir(dir);
  return data;
}

void send(Resp& res, std::string body, const char* type, const char* file) {
  res.status = 200;
  res.body = std::move(body);
  res.type = type;
  res.headers.emplace_back("Content-Disposition", std::string("attachment; filename=\"") + file + "\"");
}

}  // namespace

void api_report_html(Context& ctx, const Req& req, Resp& res) {
  std::lock_guard<std::mutex> lk(report_mu);
  std::string html;
  if (!make_html(ctx, res, html)) return;
  audit(ctx, req.session.user, req.remote, "report", "html");
  send(res, std::move(html), "text/html; charset=utf-8", "hipaa-risk-report.html");
}

void api_report_pdf(Context& ctx, const Req& req, Resp& res) {
  if (!weasyprint_available()) return res.error(503, "PDF needs WeasyPrint (Debian package weasyprint); the HTML report works without it");
  std::lock_guard<std::mutex> lk(report_mu);
  std::string html;
  if (!make_html(ctx, res, html)) return;
  std::string pdf = make_pdf(html, res);
  if (pdf.empty()) return;
  audit(ctx, req.session.user, req.remote, "report", "pdf");
  send(res, std::move(pdf), "application/pdf", "hipaa-risk-report.pdf");
}

}  // namespace ms::console
