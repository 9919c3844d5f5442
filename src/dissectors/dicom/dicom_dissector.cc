// The DICOM dissector: follows an association over its PDU streams and emits
// one `dicom` event per association and one `dicom_command` event per
// completed DIMSE operation. P-DATA is consumed as it arrives, PDV by PDV:
// command sets are kept (capped), data sets are counted, not buffered, so
// large C-STOREs cost no memory (issue 4: skipping pixel data must be cheap).
#include <algorithm>
#include <deque>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "dissectors/dicom/dicom_dataset.h"
#include "dissectors/dicom/dicom_events.h"
#include "dissectors/dicom/dicom_object.h"
#include "dissectors/dicom/dicom_parser.h"
#include "dissectors/credential.h"
#include "dissectors/dissector.h"

namespace ms::dicom {

namespace {

constexpr size_t kMaxCommandSet = 64 * 1024;
constexpr size_t kMaxOpenRequests = 1024;
constexpr size_t kResyncWindow = 64 * 1024;
constexpr size_t kMaxDataset = 64 * 1024;      // of a data set kept for its leading elements
constexpr size_t kMaxPatients = 4096;          // distinct patient tokens counted per association
constexpr size_t kMaxQueryKeys = 64;
// Elements after group 0x0040 are never needed: scanning stops there, well
// before the pixel data.
constexpr uint32_t kStopTag = tag(0x0041, 0x0000);

struct DirState {
  uint32_t pdu_left = 0;  // bytes of the current P-DATA-TF still to come
  uint32_t pdv_left = 0;  // bytes of the current PDV value still to come
  bool in_pdv = false;
  PdvHeader pdv;
  std::vector<uint8_t> command;
  bool command_too_long = false;
  uint64_t dataset_bytes = 0;
  std::vector<uint8_t> dataset;  // the leading bytes of the current data set
  uint16_t last_field = 0;        // the command the next data set belongs to
  uint16_t last_id = 0;           // its message id (requests) or responded id
};

struct OpenRequest {
  uint16_t field = 0;
  std::string sop_class, sop_instance, move_destination;
  TimeNs ts = 0;
  uint32_t matches = 0;  // pending C-FIND/C-GET responses seen
  std::string level;
  std::vector<QueryKey> keys;
  ObjectInfo object;
};

class DicomDissector : public Dissector {
 public:
  AppResult on_data(Direction dir, Bytes d, AppContext& ctx) override;
  void on_end(AppContext& ctx) override;
  void on_gap(Direction dir, uint64_t len, AppContext& ctx) override {
    // The position inside the PDU stream is lost: find the next PDU header.
    dirs_[static_cast<int>(dir)] = DirState{};
    resync_[static_cast<int>(dir)] = true;
    ++gaps_;
  }

 private:
  void handle_pdu(int dir, const PduHeader& h, Bytes body, AppContext& ctx);
  void handle_command(int dir, Bytes cmd, AppContext& ctx);
  void handle_dataset(int dir, Bytes data, AppContext& ctx);
  Encoding encoding(uint8_t context_id) const;
  void emit_command(OpenRequest& rq, const Command& rsp, AppContext& ctx);
  void emit_association(AppContext& ctx);
  void emit_user_identity(const UserIdentity& id, bool offered, AppContext& ctx);

  DirState dirs_[2];
  bool resync_[2] = {false, false};
  bool started_[2] = {false, false};  // this direction's first bytes were seen
  bool pickup_[2] = {false, false};   // resynchronising at a midstream pickup
  bool picked_up_midstream_ = false;
  bool have_rq_ = false, have_ac_ = false, have_rj_ = false, have_abort_ = false;
  bool release_rq_ = false, release_rp_ = false;
  Associate rq_, ac_;
  Reject rj_;
  Abort abort_;
  uint64_t pdus_[8] = {};
  uint64_t gaps_ = 0;
  uint64_t dataset_bytes_ = 0;
  std::map<std::string, uint64_t> commands_;
  std::map<std::string, uint64_t> statuses_;
  std::set<std::string> stored_classes_, move_destinations_;
  uint64_t stores_ = 0, finds_ = 0, find_matches_ = 0, moves_ = 0, gets_ = 0;
  std::map<uint16_t, OpenRequest> open_;
  std::deque<uint16_t> open_order_;
  TimeNs first_ts_ = 0;
  ObjectInfo identity_;            // the first stored object's device identity
  std::set<std::string> patients_;  // distinct patient tokens seen
  uint64_t datasets_parsed_ = 0, datasets_not_parsed_ = 0;
};


AppResult DicomDissector::on_data(Direction direction, Bytes d, AppContext& ctx) {
  const int dir = static_cast<int>(direction);
  DirState& s = dirs_[dir];
  if (first_ts_ == 0) first_ts_ = ctx.now();
  size_t pos = 0;
  while (pos < d.size()) {
    if (!started_[dir]) {
      // The first bytes of this direction. A capture that began inside a PDU
      // (the flow was picked up midstream) starts with the rest of it: skip
      // to the first PDU that plausibly starts, no anomaly.
      Plausible first = ctx.midstream() ? plausible_start(d) : Plausible::kYes;
      if (first == Plausible::kNeedMore && d.size() < kPduHeaderLen + 36) {
        return AppResult::incomplete(0, static_cast<uint32_t>(d.size() + 1));
      }
      started_[dir] = true;
      if (first != Plausible::kYes) {
        resync_[dir] = true;
        pickup_[dir] = true;
        picked_up_midstream_ = true;
      }
    }
    if (resync_[dir]) {
      // Resynchronise on the next position where a PDU plausibly starts and
      // what follows it (its PDVs, the next PDU) agrees.
      size_t window = std::min(d.size() - pos, kResyncWindow);
      size_t found = pickup_point(d.subspan(pos), window == 0 ? 0 : window - 1);
      size_t p = found == static_cast<size_t>(-1) ? pos + window : pos + found;
      size_t end = pos + window;
      if (p == end) {
        if (d.size() - pos > kResyncWindow) return AppResult::fail("dicom.resync_failed");
        // Keep the last bytes: a header may straddle this call and the next.
        size_t keep = std::min<size_t>(d.size() - pos, 64);
        return AppResult::incomplete(static_cast<uint32_t>(d.size() - keep), static_cast<uint32_t>(keep + 1));
      }
      pos = p;
      resync_[dir] = false;
      if (!pickup_[dir]) ctx.anomaly("dicom.resynchronised");
      pickup_[dir] = false;
    }
    if (s.pdu_left == 0) {
      if (d.size() - pos < kPduHeaderLen) return AppResult::incomplete(static_cast<uint32_t>(pos), kPduHeaderLen);
      PduHeader h;
      if (!parse_pdu_header(d.subspan(pos), h)) {
        ctx.anomaly("dicom.bad_pdu_header");
        resync_[dir] = true;
        ++pos;
        continue;
      }
      if (h.type == kPData) {
        ++pdus_[kPData];
        s.pdu_left = h.length;
        pos += kPduHeaderLen;
        continue;
      }
      // Other PDUs are small: wait for the whole PDU (counted once whole).
      size_t total = kPduHeaderLen + h.length;
      if (d.size() - pos < total) return AppResult::incomplete(static_cast<uint32_t>(pos), static_cast<uint32_t>(total));
      handle_pdu(dir, h, d.subspan(pos + kPduHeaderLen, h.length), ctx);
      pos += total;
      continue;
    }
    if (!s.in_pdv) {
      if (s.pdu_left < kPdvHeaderLen) return AppResult::fail("dicom.pdv_exceeds_pdu");
      if (d.size() - pos < kPdvHeaderLen) return AppResult::incomplete(static_cast<uint32_t>(pos), kPdvHeaderLen);
      if (!parse_pdv_header(d.subspan(pos), s.pdv)) return AppResult::fail("dicom.bad_pdv_header");
      if (s.pdv.length > s.pdu_left - 4) return AppResult::fail("dicom.pdv_exceeds_pdu");
      pos += kPdvHeaderLen;
      s.pdu_left -= kPdvHeaderLen;
      s.pdv_left = s.pdv.length - 2;
      s.in_pdv = true;
    }
    size_t take = std::min<size_t>(d.size() - pos, s.pdv_left);
    if (s.pdv.command) {
      if (s.command.size() + take > kMaxCommandSet) {
        if (!s.command_too_long) ctx.anomaly("dicom.command_set_too_long");
        s.command_too_long = true;
      } else {
        s.command.insert(s.command.end(), d.begin() + static_cast<long>(pos), d.begin() + static_cast<long>(pos + take));
      }
    } else {
      // Only the leading bytes of a data set are kept (its identifying
      // elements come first); the rest, pixel data, is counted and dropped.
      size_t keep = std::min<size_t>(take, kMaxDataset - std::min(kMaxDataset, s.dataset.size()));
      s.dataset.insert(s.dataset.end(), d.begin() + static_cast<long>(pos), d.begin() + static_cast<long>(pos + keep));
      s.dataset_bytes += take;
      dataset_bytes_ += take;
    }
    pos += take;
    s.pdv_left -= static_cast<uint32_t>(take);
    s.pdu_left -= static_cast<uint32_t>(take);
    if (s.pdv_left == 0) {
      s.in_pdv = false;
      if (s.pdv.last) {
        if (s.pdv.command) {
          if (!s.command_too_long) handle_command(dir, Bytes(s.command), ctx);
          s.command.clear();
          s.command_too_long = false;
        } else {
          handle_dataset(dir, Bytes(s.dataset), ctx);
          s.dataset.clear();
          s.dataset_bytes = 0;
        }
      }
    }
  }
  return AppResult::ok();
}

void DicomDissector::handle_pdu(int dir, const PduHeader& h, Bytes body, AppContext& ctx) {
  ++pdus_[h.type];
  const char* err = nullptr;
  switch (h.type) {
    case kAssociateRq:
      rq_ = Associate{};
      err = parse_associate(body, true, rq_);
      have_rq_ = true;
      break;
    case kAssociateAc:
      ac_ = Associate{};
      err = parse_associate(body, false, ac_);
      have_ac_ = true;
      break;
    case kAssociateRj:
      err = parse_reject(body, rj_);
      have_rj_ = true;
      break;
    case kReleaseRq:
      release_rq_ = true;
      break;
    case kReleaseRp:
      release_rp_ = true;
      break;
    case kAbort:
      err = parse_abort(body, abort_);
      have_abort_ = true;
      break;
    default:
      break;
  }
  (void)dir;
  if (err) ctx.anomaly(err);
}

void DicomDissector::handle_command(int dir, Bytes cmd, AppContext& ctx) {
  Command c;
  if (const char* err = parse_command(cmd, c)) {
    ctx.anomaly(err);
    return;
  }
  dirs_[dir].last_field = c.field;
  dirs_[dir].last_id = is_response(c.field) ? c.responded_id : c.message_id;
  ++commands_[command_name(c.field)];
  if (!is_response(c.field)) {
    switch (c.field) {
      case 0x0001:
        ++stores_;
        if (stored_classes_.size() < kMaxListed) stored_classes_.insert(c.affected_sop_class);
        break;
      case 0x0020: ++finds_; break;
      case 0x0021:
        ++moves_;
        if (move_destinations_.size() < kMaxListed) move_destinations_.insert(c.move_destination);
        break;
      case 0x0010: ++gets_; break;
      default: break;
    }
    if (c.field == 0x0FFF) return;  // C-CANCEL has no response of its own
    if (open_.size() >= kMaxOpenRequests && !open_order_.empty()) {
      open_.erase(open_order_.front());
      open_order_.pop_front();
    }
    OpenRequest rq;
    rq.field = c.field;
    rq.sop_class = !c.affected_sop_class.empty() ? c.affected_sop_class : c.requested_sop_class;
    rq.sop_instance = !c.affected_sop_instance.empty() ? c.affected_sop_instance : c.requested_sop_instance;
    rq.move_destination = c.move_destination;
    rq.ts = ctx.now();
    if (open_.emplace(c.message_id, rq).second) open_order_.push_back(c.message_id);
    return;
  }
  if (c.has_status) ++statuses_[status_class(c.status)];
  auto it = open_.find(c.responded_id);
  if (it == open_.end()) return;
  if (c.has_status && std::string(status_class(c.status)) == "pending") {
    ++it->second.matches;
    if (c.field == 0x8020) ++find_matches_;
    return;
  }
  emit_command(it->second, c, ctx);
  open_.erase(it);
  open_order_.erase(std::remove(open_order_.begin(), open_order_.end(), c.responded_id), open_order_.end());
}

Encoding DicomDissector::encoding(uint8_t context_id) const {
  std::string ts;
  for (const auto& pc : ac_.contexts) {
    if (pc.id == context_id && pc.result == 0 && !pc.transfer_syntaxes.empty()) ts = pc.transfer_syntaxes[0];
  }
  if (ts.empty()) {
    for (const auto& pc : rq_.contexts) {
      if (pc.id == context_id && pc.transfer_syntaxes.size() == 1) ts = pc.transfer_syntaxes[0];
    }
  }
  if (ts.empty()) ts = "1.2.840.10008.1.2";  // the default transfer syntax (PS3.5 §10.1)
  return encoding_of(ts);
}

// An association picked up midstream never showed its presentation contexts:
// the data set says whether its VRs are explicit (two upper-case letters
// after the first tag) or not.
Encoding guess_encoding(Bytes data) {
  auto upper = [](uint8_t c) { return c >= 'A' && c <= 'Z'; };
  return data.size() >= 6 && upper(data[4]) && upper(data[5]) ? Encoding::kExplicitLittle : Encoding::kImplicitLittle;
}

void DicomDissector::handle_dataset(int dir, Bytes data, AppContext& ctx) {
  DatasetScan scan;
  // A deflated data set is inflated as far as the leading elements need: the
  // kept bytes (at most kMaxDataset) inflate to at most kMaxDataset more.
  std::vector<uint8_t> inflated;
  Encoding enc = have_ac_ || have_rq_ ? encoding(dirs_[dir].pdv.context_id) : guess_encoding(data);
  scan_encoded(data, enc, kStopTag, kMaxDataset, inflated, scan);
  if (scan.error) ctx.anomaly(scan.error);
  if (scan.error && scan.elements.empty()) {
    ++datasets_not_parsed_;
    return;
  }
  ++datasets_parsed_;
  const uint16_t field = dirs_[dir].last_field;
  ObjectInfo obj = object_info(scan, ctx);
  std::vector<QueryKey> keys;
  std::string level;
  for (const DataElement& e : scan.elements) {
    if (e.tag == tag(0x0008, 0x0052)) level = element_text(e, 64);
    if (field != 0x0020 || keys.size() >= kMaxQueryKeys) continue;  // C-FIND-RQ: the query's keys
    ElementInfo info = element_info(e.tag);
    QueryKey k;
    if (info.keyword) {
      k.key = info.keyword;
    } else {
      char buf[16];
      snprintf(buf, sizeof buf, "(%04X,%04X)", e.tag >> 16, e.tag & 0xFFFF);
      k.key = buf;
    }
    bool sequence = e.vr[0] == 'S' && e.vr[1] == 'Q';
    k.match = sequence ? "sequence" : match_kind(e);
    if (k.match != std::string("universal") && !sequence) {
      std::string token = element_token(e, ctx);
      if (!token.empty()) {
        k.value = token;
      } else if (info.use == ElementUse::kStructure || info.use == ElementUse::kIdentity) {
        k.value = element_text(e, 64);
      }
    }
    keys.push_back(std::move(k));
  }
  // Patients seen: in stored objects and query results. A query's own keys
  // (C-FIND/C-MOVE/C-GET requests) are patterns, not patients.
  const bool query = field == 0x0020 || field == 0x0021 || field == 0x0010;
  if (!query && obj.has_patient()) {
    std::string who = !obj.patient_id.empty() ? obj.patient_id : obj.patient_name;
    if (patients_.size() < kMaxPatients) patients_.insert(who);
  }
  auto it = open_.find(dirs_[dir].last_id);
  if (field == 0x0001) {  // C-STORE-RQ: the stored object
    if (identity_.empty() && !obj.empty()) identity_ = obj;
    if (it != open_.end()) it->second.object = obj;
  } else if (field == 0x0020 && it != open_.end()) {
    it->second.level = level;
    it->second.keys = std::move(keys);
  }
}

// Moves the request (dropped next by the caller) into its event.
void DicomDissector::emit_command(OpenRequest& rq, const Command& rsp, AppContext& ctx) {
  auto ev = std::make_unique<DicomCommandEvent>();
  ev->field = rq.field;
  ev->message_id = rsp.responded_id;
  ev->sop_class = std::move(rq.sop_class);
  ev->sop_instance = std::move(rq.sop_instance);
  ev->move_destination = std::move(rq.move_destination);
  ev->has_status = rsp.has_status;
  ev->status = rsp.status;
  ev->matches = rq.matches;
  ev->has_counts = rsp.has_counts;
  ev->completed = rsp.completed;
  ev->failed = rsp.failed;
  ev->warning = rsp.warning;
  ev->object = std::move(rq.object);
  ev->level = std::move(rq.level);
  ev->keys = std::move(rq.keys);
  ev->latency_ms = static_cast<double>(std::max<TimeNs>(0, ctx.now() - rq.ts)) / 1e6;
  ctx.emit(make_event(ctx.envelope(), "dicom_command", std::move(ev)));
}

// The association's state moves into its event (on_end is the last call).
void DicomDissector::emit_association(AppContext& ctx) {
  Envelope env = ctx.envelope();
  if (first_ts_ != 0) env.ts = first_ts_;
  auto ev = std::make_unique<DicomEvent>();
  ev->have_rq = have_rq_;
  ev->have_ac = have_ac_;
  ev->have_rj = have_rj_;
  ev->have_abort = have_abort_;
  ev->release_rq = release_rq_;
  ev->release_rp = release_rp_;
  ev->rq = std::move(rq_);
  ev->ac = std::move(ac_);
  ev->reject = rj_;
  ev->abort = abort_;
  std::copy(std::begin(pdus_), std::end(pdus_), ev->pdus);
  ev->commands = std::move(commands_);
  ev->statuses = std::move(statuses_);
  ev->stored_sop_classes = std::move(stored_classes_);
  ev->move_destinations = std::move(move_destinations_);
  ev->stores = stores_;
  ev->finds = finds_;
  ev->find_matches = find_matches_;
  ev->moves = moves_;
  ev->gets = gets_;
  ev->dataset_bytes = dataset_bytes_;
  ev->identity = std::move(identity_);
  ev->patients = std::move(patients_);
  ev->datasets_not_parsed = datasets_not_parsed_;
  ev->gaps = gaps_;
  ev->picked_up_midstream = picked_up_midstream_;
  ctx.emit(make_event(env, "dicom", std::move(ev)));
}

void wipe(std::string& secret) {
  secret.assign(secret.size(), '\0');
  secret.clear();
}

// A user name (and passcode) offered in the A-ASSOCIATE-RQ is a credential:
// accepted with the association, refused with an A-ASSOCIATE-RJ.
void DicomDissector::emit_user_identity(const UserIdentity& id, bool offered, AppContext& ctx) {
  if (!offered || (id.type != 1 && id.type != 2)) return;
  Credential c;
  c.protocol = "dicom";
  c.method = id.type == 2 ? "user_identity_passcode" : "user_identity";
  c.username = id.username;
  c.password_seen = id.type == 2;
  c.password = id.passcode;
  c.result = have_ac_ ? "success" : have_rj_ ? "failure" : "unknown";
  emit_credential(ctx, c);
}

void DicomDissector::on_end(AppContext& ctx) {
  // The passcode is wiped from the A-ASSOCIATE-RQ before that becomes the
  // event; the credential, reported after the association, reads a copy.
  UserIdentity id = rq_.user_identity;
  const bool offered = have_rq_ && rq_.has_user_identity;
  wipe(rq_.user_identity.passcode);
  emit_association(ctx);
  emit_user_identity(id, offered, ctx);
  wipe(id.passcode);
}

ProbeResult probe_dicom(Direction, Bytes d) {
  switch (plausible_start(d)) {
    case Plausible::kYes: return ProbeResult::kMatch;
    case Plausible::kNeedMore: return ProbeResult::kNeedMore;
    default: return ProbeResult::kNoMatch;
  }
}

// A capture that began inside an association: a PDU start (with its chain)
// anywhere in the midstream flow's first bytes.
ProbeResult probe_dicom_midstream(Direction, Bytes d) {
  if (d.empty()) return ProbeResult::kNeedMore;
  return pickup_point(d, d.size() - 1) != static_cast<size_t>(-1) ? ProbeResult::kMatch : ProbeResult::kNeedMore;
}

}  // namespace

MS_REGISTER_DISSECTOR(dicom, DissectorSpec{"dicom", kTransportTcp, {104, 11112, 4242}, probe_dicom,
                                           [] { return std::unique_ptr<Dissector>(new DicomDissector); }, kUnlimitedDepth,
                                           probe_dicom_midstream});

}  // namespace ms::dicom
