// The HTTP/1.x dissector: requests and responses paired in order (pipelining),
// bodies framed by length, chunks or connection close, and streamed; the first
// 64 KiB of each body is kept for what hides in it: a device page's title, a
// DICOM Part 10 file (also inside multipart/related, as STOW-RS sends them).
// Events: `http` per transaction, `dicom_file` per DICOM file carried.
// Privacy: the query string's values, cookies and passwords are never written;
// a Basic password leaves only as a strength verdict.
#include <algorithm>
#include <cctype>
#include <deque>
#include <string>
#include <vector>

#include "dissectors/dicom/dicom_file.h"
#include "dissectors/dicom/dicom_file_event.h"
#include "dissectors/dicom/dicom_object.h"
#include "dissectors/dicom/dicom_parser.h"
#include "dissectors/credential.h"
#include "dissectors/dissector.h"
#include "dissectors/fhir/fhir_events.h"
#include "dissectors/hl7/hl7_embedded.h"
#include "dissectors/http/http_events.h"
#include "dissectors/http/http_parser.h"
#include "dissectors/phi_scrub.h"

namespace ms::http {

namespace {

constexpr size_t kMaxBodyKept = 64 * 1024;
constexpr size_t kMaxOpen = 64;
constexpr size_t kMaxFilesPerBody = 16;
// Request bodies kept for FHIR until their response arrives, all open
// transactions of a flow together: a client pipelining requests that are never
// answered cannot make a flow hold more than this.
constexpr size_t kMaxDocsPerFlow = 256 * 1024;

enum class Phase { kHead, kLength, kChunkSize, kChunkData, kChunkEnd, kTrailers, kUntilClose };

struct Dir {
  Phase phase = Phase::kHead;
  uint64_t left = 0;
  std::vector<uint8_t> body;  // first kMaxBodyKept bytes
  uint64_t body_bytes = 0;
};

struct Txn {
  Head req, resp;
  bool have_resp = false, req_done = false, resp_complete = false;
  uint64_t req_body = 0, resp_body = 0;
  std::string title;
  TimeNs ts = 0;
  // Structured bodies (JSON, XML: FHIR), their first kMaxBodyKept bytes.
  std::vector<uint8_t> req_doc, resp_doc;
  bool req_doc_complete = true, resp_doc_complete = true;
  // A login form (application/x-www-form-urlencoded with a password field):
  // kept in memory until the response, then wiped.
  bool form_login = false;
  std::string form_user, form_password;
};

// Decodes %XX and '+' of a form value (at most 256 bytes out).
std::string form_decode(std::string_view v) {
  std::string o;
  for (size_t i = 0; i < v.size() && o.size() < 256; ++i) {
    if (v[i] == '+') {
      o += ' ';
    } else if (v[i] == '%' && i + 2 < v.size() && std::isxdigit(static_cast<unsigned char>(v[i + 1])) &&
               std::isxdigit(static_cast<unsigned char>(v[i + 2]))) {
      o += static_cast<char>(std::stoi(std::string(v.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      o += v[i];
    }
  }
  return o;
}

// The user and password fields of a urlencoded login form, by the names web
// interfaces use (as nDPI looks for them). False if there is no password field.
bool form_credentials(std::string_view body, std::string& user, std::string& password) {
  static const char* kPass[] = {"password", "passwd", "pass", "pwd", "pw", "userpassword", "login_password"};
  static const char* kUser[] = {"user", "username", "login", "userid", "user_id", "uname", "name", "email", "account"};
  bool found = false;
  while (!body.empty()) {
    size_t amp = body.find('&');
    std::string_view kv = body.substr(0, amp);
    size_t eq = kv.find('=');
    std::string key;
    for (char c : kv.substr(0, eq)) key += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string_view val = eq == std::string_view::npos ? std::string_view() : kv.substr(eq + 1);
    for (const char* k : kPass) {
      if (key == k) {
        password = form_decode(val);
        found = true;
      }
    }
    for (const char* k : kUser) {
      if (key == k && user.empty()) user = form_decode(val);
    }
    if (amp == std::string_view::npos) break;
    body.remove_prefix(amp + 1);
  }
  return found;
}

bool structured(const Head& h) {
  const std::string* ct = h.find("content-type");
  if (!ct) return false;
  std::string l = *ct;
  std::transform(l.begin(), l.end(), l.begin(), [](unsigned char c) { return std::tolower(c); });
  return l.find("json") != std::string::npos || l.find("xml") != std::string::npos;
}

// A path with the logical id of a person resource (/fhir/Patient/123) has
// that id replaced by its token.
std::string scrub_path(std::string_view path, AppContext& ctx) {
  std::string out;
  size_t p = 0;
  bool next_is_person = false;
  while (p <= path.size()) {
    size_t e = path.find('/', p);
    if (e == std::string_view::npos) e = path.size();
    std::string_view seg = path.substr(p, e - p);
    out += next_is_person && !seg.empty() && seg[0] != '_' && seg[0] != '$' ? ctx.phi("id", seg) : std::string(seg);
    next_is_person = fhir::person_type(seg);
    if (e < path.size()) out += '/';
    p = e + 1;
  }
  return out;
}

class HttpDissector : public Dissector {
 public:
  AppResult on_data(Direction dir, Bytes d, AppContext& ctx) override;
  void on_gap(Direction dir, uint64_t, AppContext& ctx) override {
    // Lost bytes: the message boundaries are lost too; stop this direction.
    lost_[static_cast<int>(dir)] = true;
    (void)ctx;
  }
  void on_end(AppContext& ctx) override;

 private:
  void head_done(int dir, Head&& h, AppContext& ctx);
  void body_done(int dir, AppContext& ctx);
  void inspect_body(int dir, AppContext& ctx);
  void emit(const Txn& t, AppContext& ctx);
  void emit_dicom_file(int dir, const dicom::Part10& f, AppContext& ctx);
  void emit_fhir(const Txn& t, AppContext& ctx);

  Dir dirs_[2];
  bool lost_[2] = {false, false};
  std::deque<Txn> txns_;  // requests waiting for (or reading) their response
  size_t responded_ = 0;  // txns_ before this index have a response head
};

AppResult HttpDissector::on_data(Direction direction, Bytes d, AppContext& ctx) {
  const int dir = static_cast<int>(direction);
  if (lost_[dir]) return AppResult::ok();
  Dir& s = dirs_[dir];
  size_t pos = 0;
  while (pos < d.size()) {
    Bytes rest = d.subspan(pos);
    switch (s.phase) {
      case Phase::kHead: {
        size_t n = head_length(rest);
        if (n == 0) {
          if (rest.size() > kMaxHead) return AppResult::fail("http.head_too_long");
          return AppResult::incomplete(static_cast<uint32_t>(pos), static_cast<uint32_t>(rest.size() + 1));
        }
        Head h;
        if (const char* err = parse_head(rest.first(n), dir == 0, h)) return AppResult::fail(err);
        if (h.odd_whitespace) ctx.anomaly("http.request_line_whitespace");
        pos += n;
        head_done(dir, std::move(h), ctx);
        break;
      }
      case Phase::kLength:
      case Phase::kChunkData:
      case Phase::kUntilClose: {
        size_t take = s.phase == Phase::kUntilClose ? rest.size() : static_cast<size_t>(std::min<uint64_t>(rest.size(), s.left));
        size_t keep = std::min(take, kMaxBodyKept - std::min(kMaxBodyKept, s.body.size()));
        s.body.insert(s.body.end(), rest.begin(), rest.begin() + static_cast<long>(keep));
        s.body_bytes += take;
        pos += take;
        if (s.phase == Phase::kUntilClose) break;
        s.left -= take;
        if (s.left == 0) {
          if (s.phase == Phase::kLength) {
            body_done(dir, ctx);
          } else {
            s.phase = Phase::kChunkEnd;
          }
        }
        break;
      }
      case Phase::kChunkSize:
      case Phase::kChunkEnd:
      case Phase::kTrailers: {
        std::string_view line(reinterpret_cast<const char*>(rest.data()), std::min<size_t>(rest.size(), 4096));
        size_t eol = line.find('\n');
        if (eol == std::string_view::npos) {
          if (rest.size() >= 4096) return AppResult::fail("http.bad_chunk");
          return AppResult::incomplete(static_cast<uint32_t>(pos), static_cast<uint32_t>(rest.size() + 1));
        }
        std::string_view l = line.substr(0, eol);
        if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
        pos += eol + 1;
        if (s.phase == Phase::kChunkEnd) {  // the CRLF after a chunk's data
          if (!l.empty()) return AppResult::fail("http.bad_chunk");
          s.phase = Phase::kChunkSize;
        } else if (s.phase == Phase::kTrailers) {
          if (l.empty()) body_done(dir, ctx);
        } else {
          uint64_t n = 0;
          size_t digits = 0;
          for (char c : l) {
            int v = std::isdigit(static_cast<unsigned char>(c)) ? c - '0'
                    : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
            if (v < 0) break;
            if (++digits > 15) return AppResult::fail("http.bad_chunk");
            n = n * 16 + static_cast<uint64_t>(v);
          }
          if (digits == 0) return AppResult::fail("http.bad_chunk");
          s.left = n;
          s.phase = n == 0 ? Phase::kTrailers : Phase::kChunkData;
        }
        break;
      }
    }
  }
  return AppResult::ok();
}

void HttpDissector::head_done(int dir, Head&& h, AppContext& ctx) {
  Dir& s = dirs_[dir];
  s.body.clear();
  s.body_bytes = 0;
  uint64_t len = 0;
  Framing f;
  if (dir == 0) {
    if (txns_.size() >= kMaxOpen) {  // a client that never gets answers: write the oldest
      emit(txns_.front(), ctx);
      txns_.pop_front();
      if (responded_ > 0) --responded_;
    }
    Txn t;
    t.ts = ctx.now();
    t.req = std::move(h);
    f = body_framing(t.req, false, len);
    txns_.push_back(std::move(t));
  } else {
    if (h.status / 100 == 1) {  // interim response (100 Continue): not the answer
      s.phase = Phase::kHead;
      return;
    }
    if (responded_ >= txns_.size()) {  // a response to a request we did not see
      Txn t;
      t.ts = ctx.now();
      txns_.push_back(std::move(t));
    }
    Txn& t = txns_[responded_++];
    t.resp = std::move(h);
    t.have_resp = true;
    f = body_framing(t.resp, t.req.method == "HEAD", len);
  }
  switch (f) {
    case Framing::kNone: s.phase = Phase::kHead; body_done(dir, ctx); break;
    case Framing::kLength: s.phase = Phase::kLength; s.left = len; break;
    case Framing::kChunked: s.phase = Phase::kChunkSize; break;
    case Framing::kUntilClose: s.phase = Phase::kUntilClose; break;
  }
}

void HttpDissector::body_done(int dir, AppContext& ctx) {
  Dir& s = dirs_[dir];
  s.phase = Phase::kHead;
  inspect_body(dir, ctx);
  if (dir == 0) {
    if (!txns_.empty()) {
      Txn& t = txns_.back();
      t.req_body = s.body_bytes;
      t.req_done = true;
      const std::string* ct = t.req.find("content-type");
      if (ct && ct->find("x-www-form-urlencoded") != std::string::npos) {
        std::string_view text(reinterpret_cast<const char*>(s.body.data()), s.body.size());
        t.form_login = form_credentials(text, t.form_user, t.form_password);
      }
      if (structured(t.req)) {
        size_t kept = 0;
        for (const Txn& o : txns_) kept += o.req_doc.size();
        if (kept + s.body.size() <= kMaxDocsPerFlow) {
          t.req_doc = s.body;
          t.req_doc_complete = s.body_bytes == s.body.size();
        } else {
          t.req_doc_complete = false;  // not kept: FHIR reports it truncated
        }
      }
    }
  } else if (responded_ > 0) {
    Txn& t = txns_[responded_ - 1];
    t.resp_body = s.body_bytes;
    t.resp_complete = true;
    if (structured(t.resp)) {
      t.resp_doc = s.body;
      t.resp_doc_complete = s.body_bytes == s.body.size();
    }
    if (responded_ == 1) {  // the oldest transaction is complete: write it
      emit(txns_.front(), ctx);
      txns_.pop_front();
      responded_ = 0;
    }
  }
  s.body.clear();
  s.body_bytes = 0;
}

void HttpDissector::inspect_body(int dir, AppContext& ctx) {
  Dir& s = dirs_[dir];
  if (s.body.empty()) return;
  Bytes body(s.body);
  const Head* h = dir == 0 ? (txns_.empty() ? nullptr : &txns_.back().req)
                           : (responded_ ? &txns_[responded_ - 1].resp : nullptr);
  if (!h) return;
  const std::string* ct = h->find("content-type");
  std::string ctype = ct ? *ct : "";
  std::transform(ctype.begin(), ctype.end(), ctype.begin(), [](unsigned char c) { return std::tolower(c); });
  if (dir == 1 && ctype.find("html") != std::string::npos) txns_[responded_ - 1].title = html_title(body);
  // HL7 v2 messages posted as the body (an "integration" endpoint on any
  // port): patient data the PHI rules must see (issue 15).
  if (dir == 0) hl7::emit_embedded(ctx, body, "http");
  // DICOM Part 10 files: the body itself, or the parts of a multipart body.
  size_t files = 0;
  if (dicom::is_part10(body)) {
    dicom::Part10 f;
    dicom::parse_part10(body, f);
    emit_dicom_file(dir, f, ctx);
    ++files;
  }
  std::string boundary = ct ? multipart_boundary(*ct) : "";
  if (!boundary.empty()) {
    std::string_view text(reinterpret_cast<const char*>(body.data()), body.size());
    std::string delim = "--" + boundary;
    size_t p = text.find(delim);
    while (p != std::string_view::npos && files < kMaxFilesPerBody) {
      size_t hdr_end = text.find("\r\n\r\n", p);
      if (hdr_end == std::string_view::npos) break;
      Bytes part = body.subspan(hdr_end + 4);
      if (dicom::is_part10(part)) {
        dicom::Part10 f;
        dicom::parse_part10(part, f);
        emit_dicom_file(dir, f, ctx);
        ++files;
      }
      p = text.find(delim, hdr_end);
    }
  }
}

void HttpDissector::emit_dicom_file(int dir, const dicom::Part10& f, AppContext& ctx) {
  dicom::emit_dicom_file(ctx, f, "http", dir);
}

// A Basic authorization is a credential event: the user, the password's
// strength and default match, and the server's verdict (401/403: failure).
void emit_basic_credential(const Txn& t, AppContext& ctx) {
  const std::string* auth = t.req.find("authorization");
  std::string user, password;
  if (auth && decode_basic(*auth, user, password)) {
    Credential c;
    c.protocol = "http";
    c.method = "basic";
    c.username = user;
    c.password_seen = true;
    c.password = password;
    if (t.have_resp) {
      int st = t.resp.status;
      c.result = st == 401 || st == 403 || st == 407 ? "failure" : st >= 200 && st < 400 ? "success" : "unknown";
    }
    emit_credential(ctx, c);
  }
  // A login form: a 401/403 answer is a refusal; a page or a redirect says
  // nothing certain (many interfaces answer 200 with an error message).
  if (t.form_login) {
    Credential c;
    c.protocol = "http";
    c.method = "form";
    c.username = t.form_user;
    c.password_seen = true;
    c.password = t.form_password;
    if (t.have_resp && (t.resp.status == 401 || t.resp.status == 403)) c.result = "failure";
    emit_credential(ctx, c);
  }
}

// A header's value for the event: at most 256 bytes, "" when absent.
std::string header_value(const Head& h, std::string_view name) {
  const std::string* v = h.find(name);
  return v ? v->substr(0, 256) : std::string();
}

// The query's keys (at most 32, each at most 64 bytes): values can carry
// identifiers (?patient=...).
std::vector<std::string> query_keys(std::string_view qs) {
  std::vector<std::string> keys;
  int n = 0;
  while (!qs.empty() && n++ < 32) {
    size_t amp = qs.find('&');
    std::string_view kv = qs.substr(0, amp);
    keys.emplace_back(kv.substr(0, std::min<size_t>(kv.find('='), 64)));
    if (amp == std::string_view::npos) break;
    qs.remove_prefix(amp + 1);
  }
  return keys;
}

void fill_request(const Txn& t, HttpEvent& ev, AppContext& ctx) {
  ev.request = true;
  ev.hostname = header_value(t.req, "host");
  // The path only: query values can carry identifiers (?patient=...).
  size_t q = t.req.target.find('?');
  ev.url = scrub_identifiers(scrub_path(t.req.target.substr(0, q), ctx), ctx).substr(0, 512);
  if (q != std::string::npos) ev.query_keys = query_keys(std::string_view(t.req.target).substr(q + 1));
  ev.http_method = t.req.method;
  ev.protocol = t.req.version;
  ev.http_user_agent = header_value(t.req, "user-agent");
  ev.http_request_content_type = header_value(t.req, "content-type");
  ev.request_body_bytes = t.req_body;
  if (const std::string* auth = t.req.find("authorization")) {
    HttpAuthorization& a = ev.authorization.emplace();
    a.scheme = auth->substr(0, std::min<size_t>(auth->find(' '), 32));
    std::string user, password;
    if (decode_basic(*auth, user, password)) {
      a.basic = true;
      a.username = user.substr(0, 128);
      a.password_present = !password.empty();
      a.password_strength = ms::password_strength(password);
    }
  }
}

void fill_response(const Txn& t, HttpEvent& ev, AppContext& ctx) {
  ev.response = true;
  ev.status = t.resp.status;
  ev.server = header_value(t.resp, "server");
  ev.http_content_type = header_value(t.resp, "content-type");
  ev.length = t.resp_body;
  ev.response_complete = t.resp_complete;
  if (!t.title.empty()) ev.title = scrub_identifiers(t.title, ctx);
  if (const std::string* wa = t.resp.find("www-authenticate")) {
    size_t r = wa->find("realm=\"");
    if (r != std::string::npos) ev.www_authenticate_realm = wa->substr(r + 7, wa->find('"', r + 7) - r - 7).substr(0, 128);
    ev.www_authenticate_scheme = wa->substr(0, std::min<size_t>(wa->find(' '), 32));
  }
}

void HttpDissector::emit(const Txn& t, AppContext& ctx) {
  Envelope env = ctx.envelope();
  env.ts = t.ts;
  auto ev = std::make_unique<HttpEvent>();
  if (!t.req.method.empty()) fill_request(t, *ev, ctx);
  if (t.have_resp) fill_response(t, *ev, ctx);
  ctx.emit(make_event(env, "http", std::move(ev)));
  emit_basic_credential(t, ctx);
  emit_fhir(t, ctx);
}

void HttpDissector::emit_fhir(const Txn& t, AppContext& ctx) {
  fhir::Transaction ft;
  ft.method = t.req.method;
  ft.target = t.req.target;
  if (const std::string* ct = t.req.find("content-type")) ft.request_type = *ct;
  if (const std::string* ct = t.resp.find("content-type")) ft.response_type = *ct;
  ft.request_body = Bytes(t.req_doc);
  ft.response_body = Bytes(t.resp_doc);
  ft.request_body_complete = t.req_doc_complete;
  ft.response_body_complete = t.resp_doc_complete && t.resp_complete;
  fhir::Summary s;
  if (t.req.method.empty() || !fhir::analyze(ft, s)) return;
  Envelope env = ctx.envelope();
  env.ts = t.ts;
  fhir::emit_event(ctx, env, std::move(s), t.have_resp ? std::optional<int>(t.resp.status) : std::nullopt);
}

void HttpDissector::on_end(AppContext& ctx) {
  // A body read until the connection closed ends now.
  for (int d = 0; d < 2; ++d) {
    if (dirs_[d].phase == Phase::kUntilClose) {
      body_done(d, ctx);
    } else if (d == 1 && dirs_[d].phase != Phase::kHead && responded_ > 0) {
      txns_[responded_ - 1].resp_body = dirs_[d].body_bytes;  // what came of a cut body
    }
  }
  while (!txns_.empty()) {
    emit(txns_.front(), ctx);
    txns_.pop_front();
  }
}

ProbeResult probe_http(Direction dir, Bytes d) {
  Start s = plausible_start(d);
  if (s == Start::kNeedMore) return ProbeResult::kNeedMore;
  if (s == Start::kNo) return ProbeResult::kNoMatch;
  // The whole first line, ending as HTTP/1.x says it must.
  std::string_view text(reinterpret_cast<const char*>(d.data()), std::min<size_t>(d.size(), 8192));
  size_t eol = text.find('\n');
  if (eol == std::string_view::npos) return d.size() >= 8192 ? ProbeResult::kNoMatch : ProbeResult::kNeedMore;
  std::string_view line = text.substr(0, eol);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (s == Start::kRequest) {
    if (dir != Direction::kToServer) return ProbeResult::kNoMatch;
    return line.size() > 9 && (line.substr(line.size() - 9) == " HTTP/1.1" || line.substr(line.size() - 9) == " HTTP/1.0")
               ? ProbeResult::kMatch
               : ProbeResult::kNoMatch;
  }
  return line.size() >= 12 && std::isdigit(static_cast<unsigned char>(line[9])) &&
                 std::isdigit(static_cast<unsigned char>(line[10])) && std::isdigit(static_cast<unsigned char>(line[11]))
             ? ProbeResult::kMatch
             : ProbeResult::kNoMatch;
}

}  // namespace

MS_REGISTER_DISSECTOR(http, DissectorSpec{"http", kTransportTcp, {80, 8080, 8000, 8008}, probe_http,
                                          [] { return std::unique_ptr<Dissector>(new HttpDissector); }, kUnlimitedDepth});

}  // namespace ms::http
