// A DICOM Part 10 file sent as the whole content of a TCP connection: an FTP
// data connection (STOR/RETR), netcat, a vendor's file push. Recognised by
// content alone ("DICM" after the 128-byte preamble, PS3.10 §7.1), so the
// connection needs no link to the control channel that announced it; the
// detection engine joins it to an `ftp` event's data channel afterwards.
#include <algorithm>
#include <vector>

#include "dissectors/dicom/dicom_file.h"
#include "dissectors/dicom/dicom_file_event.h"
#include "dissectors/dissector.h"

namespace ms::dicom {

namespace {

// The file's first bytes kept: preamble, meta group, and enough of the data
// set for its identity tags (deflated ones included).
constexpr size_t kKeep = 128 * 1024;

class DicomStreamDissector : public Dissector {
 public:
  AppResult on_data(Direction direction, Bytes d, AppContext& ctx) override {
    Side& s = side_[static_cast<int>(direction)];
    if (s.done) return AppResult::ok();
    size_t take = std::min(d.size(), kKeep - s.head.size());
    s.head.insert(s.head.end(), d.begin(), d.begin() + static_cast<std::ptrdiff_t>(take));
    if (s.head.size() >= kKeep) report(static_cast<int>(direction), ctx);
    return AppResult::ok();
  }

  void on_gap(Direction direction, uint64_t, AppContext& ctx) override {
    // Bytes after a gap are not the file's next bytes: judge what came before.
    report(static_cast<int>(direction), ctx);
  }

  void on_end(AppContext& ctx) override {
    for (int dir = 0; dir < 2; ++dir) report(dir, ctx);
  }

 private:
  struct Side {
    std::vector<uint8_t> head;
    bool done = false;
  };

  void report(int dir, AppContext& ctx) {
    Side& s = side_[dir];
    if (s.done) return;
    s.done = true;
    if (!is_part10(Bytes(s.head))) {  // the other direction (a reply), or too short
      s.head = {};
      return;
    }
    Part10 f;
    parse_part10(Bytes(s.head), f);
    if (f.dataset.error) ctx.anomaly(f.dataset.error);
    emit_dicom_file(ctx, f, "tcp", dir);
    s.head = {};
  }

  Side side_[2];
};

// "DICM" at 128, then the first file meta element: group 0x0002, explicit VR
// (two upper-case letters). A bare connection has no other context, so the
// probe asks for more than the HTTP and SMB dissectors do.
ProbeResult probe_stream(Direction, Bytes d) {
  if (d.size() < 138) return ProbeResult::kNeedMore;
  if (!is_part10(d) || le16(d.data() + 132) != 0x0002) return ProbeResult::kNoMatch;
  auto upper = [](uint8_t c) { return c >= 'A' && c <= 'Z'; };
  return upper(d[136]) && upper(d[137]) ? ProbeResult::kMatch : ProbeResult::kNoMatch;
}

}  // namespace

MS_REGISTER_DISSECTOR(dicom_file, DissectorSpec{"dicom-file", kTransportTcp, {20}, probe_stream,
                                                [] { return std::unique_ptr<Dissector>(new DicomStreamDissector); }});

}  // namespace ms::dicom
