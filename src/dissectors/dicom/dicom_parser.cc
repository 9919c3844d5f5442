// DICOM PS3.8 upper-layer PDUs and PS3.7 command sets.
#include "dissectors/dicom/dicom_parser.h"

#include <algorithm>

namespace ms::dicom {

namespace {

// AE titles are 16 bytes padded with spaces (PS3.8 §9.3.2); UIDs are padded
// with a NUL to an even length (PS3.5 §9.1). Both are trimmed.
std::string trimmed(Bytes b, size_t max_len) {
  size_t start = 0, end = b.size();
  while (start < end && (b[start] == ' ' || b[start] == 0)) ++start;
  while (end > start && (b[end - 1] == ' ' || b[end - 1] == 0)) --end;
  end = std::min(end, start + max_len);
  return std::string(reinterpret_cast<const char*>(b.data() + start), end - start);
}

struct Item {
  uint8_t type;
  Bytes value;
};

// Items and sub-items share one layout: type(1) reserved(1) length(2 BE).
bool next_item(ByteReader& r, Item& it, const char*& err) {
  uint8_t reserved;
  uint16_t len;
  if (!r.u8(it.type) || !r.u8(reserved) || !r.u16be(len)) {
    err = "dicom.truncated_item";
    return false;
  }
  if (!r.take(len, it.value)) {
    err = "dicom.bad_item_length";
    return false;
  }
  return true;
}

const char* parse_presentation_rq(Bytes v, PresentationContext& pc) {
  ByteReader r(v);
  uint8_t b;
  if (!r.u8(pc.id) || !r.skip(3)) return "dicom.truncated_presentation_context";
  const char* err = nullptr;
  while (r.remaining() > 0) {
    Item sub;
    if (!next_item(r, sub, err)) return err;
    if (sub.type == 0x30) {
      pc.abstract_syntax = trimmed(sub.value, kMaxUidLen);
    } else if (sub.type == 0x40) {
      if (pc.transfer_syntaxes.size() >= kMaxTransferSyntaxes) return "dicom.too_many_transfer_syntaxes";
      pc.transfer_syntaxes.push_back(trimmed(sub.value, kMaxUidLen));
    }
  }
  (void)b;
  return nullptr;
}

const char* parse_presentation_ac(Bytes v, PresentationContext& pc) {
  ByteReader r(v);
  uint8_t reserved, result;
  if (!r.u8(pc.id) || !r.u8(reserved) || !r.u8(result) || !r.u8(reserved)) {
    return "dicom.truncated_presentation_context";
  }
  pc.result = result;
  const char* err = nullptr;
  while (r.remaining() > 0) {
    Item sub;
    if (!next_item(r, sub, err)) return err;
    if (sub.type == 0x40 && pc.transfer_syntaxes.empty()) pc.transfer_syntaxes.push_back(trimmed(sub.value, kMaxUidLen));
  }
  return nullptr;
}

// A 2-byte length, then a UID of that length (role selection, extended
// negotiation sub-items, PS3.7 Annex D.3.3).
bool uid_with_length(ByteReader& r, std::string& uid) {
  uint16_t n;
  Bytes b;
  if (!r.u16be(n) || !r.take(n, b)) return false;
  uid = trimmed(b, kMaxUidLen);
  return true;
}

const char* parse_user_info(Bytes v, bool rq, Associate& a) {
  ByteReader r(v);
  const char* err = nullptr;
  while (r.remaining() > 0) {
    Item sub;
    if (!next_item(r, sub, err)) return err;
    ByteReader s(sub.value);
    switch (sub.type) {
      case 0x51:  // maximum length (PS3.8 Annex D.1)
        if (!s.u32be(a.max_pdu)) return "dicom.bad_max_length_item";
        a.has_max_pdu = true;
        break;
      case 0x52:
        a.implementation_class_uid = trimmed(sub.value, kMaxUidLen);
        break;
      case 0x55:
        a.implementation_version = trimmed(sub.value, 16);
        break;
      case 0x53:  // asynchronous operations window (PS3.7 D.3.3.3)
        if (!s.u16be(a.async_invoked) || !s.u16be(a.async_performed)) return "dicom.bad_async_item";
        a.has_async = true;
        break;
      case 0x54: {  // SCP/SCU role selection (PS3.7 D.3.3.4)
        RoleSelection role;
        uint8_t scu, scp;
        if (!uid_with_length(s, role.sop_class) || !s.u8(scu) || !s.u8(scp)) return "dicom.bad_role_item";
        role.scu = scu;
        role.scp = scp;
        if (a.roles.size() < kMaxContexts) a.roles.push_back(role);
        break;
      }
      case 0x56: {  // SOP class extended negotiation (PS3.7 D.3.3.5)
        std::string uid;
        if (!uid_with_length(s, uid)) return "dicom.bad_extended_negotiation_item";
        if (a.extended_negotiation.size() < kMaxContexts) a.extended_negotiation.push_back(uid);
        break;
      }
      case 0x58: {  // user identity negotiation RQ (PS3.7 D.3.3.7.1)
        if (!rq) return "dicom.user_identity_rq_in_ac";
        UserIdentity& id = a.user_identity;
        uint8_t resp;
        Bytes primary, secondary;
        if (!s.u8(id.type) || !s.u8(resp) || !s.u16be(id.primary_length) || !s.take(id.primary_length, primary) ||
            !s.u16be(id.secondary_length) || !s.take(id.secondary_length, secondary)) {
          return "dicom.bad_user_identity_item";
        }
        id.response_requested = resp == 1;
        // The primary field is a user name for types 1 and 2; a Kerberos
        // ticket, SAML assertion or JWT otherwise: a secret, never kept.
        if (id.type == 1 || id.type == 2) id.username = trimmed(primary, 128);
        if (id.type == 2) id.passcode.assign(reinterpret_cast<const char*>(secondary.data()), std::min<size_t>(secondary.size(), 256));
        a.has_user_identity = true;
        break;
      }
      case 0x59:  // user identity negotiation AC
        a.has_identity_response = true;
        break;
      default:
        break;
    }
  }
  return nullptr;
}

}  // namespace

bool parse_pdu_header(Bytes b, PduHeader& h) {
  if (b.size() < kPduHeaderLen) return false;
  h.type = b[0];
  h.length = be32(b.data() + 2);
  switch (h.type) {
    case kAssociateRq:
    case kAssociateAc:
      return h.length >= 68 && h.length <= kMaxAssociatePdu;
    case kAssociateRj:
    case kReleaseRq:
    case kReleaseRp:
    case kAbort:
      return h.length == 4;
    case kPData:
      return h.length >= kPdvHeaderLen;
    default:
      return false;
  }
}

const char* parse_associate(Bytes body, bool rq, Associate& a) {
  ByteReader r(body);
  Bytes called, calling;
  if (!r.u16be(a.protocol_version) || !r.skip(2) || !r.take(16, called) || !r.take(16, calling) || !r.skip(32)) {
    return "dicom.truncated_associate";
  }
  a.called_ae = trimmed(called, 16);
  a.calling_ae = trimmed(calling, 16);
  const char* err = nullptr;
  while (r.remaining() > 0) {
    Item it;
    if (!next_item(r, it, err)) return err;
    switch (it.type) {
      case 0x10:
        a.application_context = trimmed(it.value, kMaxUidLen);
        break;
      case 0x20:
      case 0x21: {
        if ((it.type == 0x20) != rq) return "dicom.wrong_presentation_context_item";
        if (a.contexts.size() >= kMaxContexts) return "dicom.too_many_presentation_contexts";
        PresentationContext pc;
        err = rq ? parse_presentation_rq(it.value, pc) : parse_presentation_ac(it.value, pc);
        if (err) return err;
        a.contexts.push_back(std::move(pc));
        break;
      }
      case 0x50:
        err = parse_user_info(it.value, rq, a);
        if (err) return err;
        break;
      default:
        return "dicom.unknown_item";
    }
  }
  return nullptr;
}

const char* parse_reject(Bytes body, Reject& out) {
  if (body.size() < 4) return "dicom.truncated_reject";
  out.result = body[1];
  out.source = body[2];
  out.reason = body[3];
  return nullptr;
}

const char* parse_abort(Bytes body, Abort& out) {
  if (body.size() < 4) return "dicom.truncated_abort";
  out.source = body[2];
  out.reason = body[3];
  return nullptr;
}

bool parse_pdv_header(Bytes b, PdvHeader& h) {
  if (b.size() < kPdvHeaderLen) return false;
  h.length = be32(b.data());
  h.context_id = b[4];
  uint8_t mch = b[5];
  h.command = mch & 0x01;
  h.last = mch & 0x02;
  // PS3.8 §9.3.5.1: the length covers the context id and the control byte;
  // context ids are odd; the control byte uses two bits.
  return h.length >= 2 && (h.context_id & 1) && (mch & 0xFC) == 0;
}

const char* parse_command(Bytes cmd, Command& c) {
  ByteReader r(cmd);
  bool have_field = false;
  int elements = 0;
  while (r.remaining() > 0) {
    if (++elements > 64) return "dicom.too_many_command_elements";
    uint8_t g0, g1, e0, e1;
    uint32_t len;
    Bytes v;
    if (!r.u8(g0) || !r.u8(g1) || !r.u8(e0) || !r.u8(e1) || r.remaining() < 4) return "dicom.truncated_command";
    len = le32(r.cur());
    r.skip(4);
    if (!r.take(len, v)) return "dicom.bad_command_element_length";
    uint16_t group = static_cast<uint16_t>(g1 << 8 | g0);
    uint16_t elem = static_cast<uint16_t>(e1 << 8 | e0);
    if (group != 0x0000) return "dicom.command_not_group_0000";
    auto us = [&v](uint16_t& out) {
      if (v.size() != 2) return false;
      out = le16(v.data());
      return true;
    };
    bool ok = true;
    switch (elem) {
      case 0x0002: c.affected_sop_class = trimmed(v, kMaxUidLen); break;
      case 0x0003: c.requested_sop_class = trimmed(v, kMaxUidLen); break;
      case 0x0100: ok = us(c.field); have_field = ok; break;
      case 0x0110: ok = us(c.message_id); break;
      case 0x0120: ok = us(c.responded_id); break;
      case 0x0600: c.move_destination = trimmed(v, 16); break;
      case 0x0700: ok = us(c.priority); break;
      case 0x0800: {
        uint16_t t = 0;
        ok = us(t);
        c.has_dataset = t != 0x0101;
        break;
      }
      case 0x0900: ok = us(c.status); c.has_status = ok; break;
      case 0x1000: c.affected_sop_instance = trimmed(v, kMaxUidLen); break;
      case 0x1001: c.requested_sop_instance = trimmed(v, kMaxUidLen); break;
      case 0x1020: ok = us(c.remaining); c.has_counts = true; break;
      case 0x1021: ok = us(c.completed); c.has_counts = true; break;
      case 0x1022: ok = us(c.failed); c.has_counts = true; break;
      case 0x1023: ok = us(c.warning); c.has_counts = true; break;
      default: break;
    }
    if (!ok) return "dicom.bad_command_element";
  }
  return have_field ? nullptr : "dicom.command_without_field";
}

bool is_response(uint16_t field) { return field & 0x8000; }

const char* command_name(uint16_t f) {
  switch (f) {
    case 0x0001: return "C-STORE-RQ";
    case 0x8001: return "C-STORE-RSP";
    case 0x0010: return "C-GET-RQ";
    case 0x8010: return "C-GET-RSP";
    case 0x0020: return "C-FIND-RQ";
    case 0x8020: return "C-FIND-RSP";
    case 0x0021: return "C-MOVE-RQ";
    case 0x8021: return "C-MOVE-RSP";
    case 0x0030: return "C-ECHO-RQ";
    case 0x8030: return "C-ECHO-RSP";
    case 0x0FFF: return "C-CANCEL-RQ";
    case 0x0100: return "N-EVENT-REPORT-RQ";
    case 0x8100: return "N-EVENT-REPORT-RSP";
    case 0x0110: return "N-GET-RQ";
    case 0x8110: return "N-GET-RSP";
    case 0x0120: return "N-SET-RQ";
    case 0x8120: return "N-SET-RSP";
    case 0x0130: return "N-ACTION-RQ";
    case 0x8130: return "N-ACTION-RSP";
    case 0x0140: return "N-CREATE-RQ";
    case 0x8140: return "N-CREATE-RSP";
    case 0x0150: return "N-DELETE-RQ";
    case 0x8150: return "N-DELETE-RSP";
    default: return "UNKNOWN";
  }
}

const char* status_class(uint16_t s) {
  if (s == 0x0000) return "success";
  if (s == 0xFF00 || s == 0xFF01) return "pending";
  if (s == 0xFE00) return "cancel";
  if (s == 0x0001 || s == 0x0107 || s == 0x0116 || (s >= 0xB000 && s <= 0xBFFF)) return "warning";
  return "failure";
}

const char* associate_result_name(int r) {
  switch (r) {
    case 0: return "acceptance";
    case 1: return "user-rejection";
    case 2: return "no-reason";
    case 3: return "abstract-syntax-not-supported";
    case 4: return "transfer-syntaxes-not-supported";
    default: return "unknown";
  }
}

const char* reject_result_name(uint8_t r) {
  return r == 1 ? "rejected-permanent" : r == 2 ? "rejected-transient" : "unknown";
}

const char* reject_source_name(uint8_t s) {
  switch (s) {
    case 1: return "service-user";
    case 2: return "service-provider-acse";
    case 3: return "service-provider-presentation";
    default: return "unknown";
  }
}

const char* reject_reason_name(uint8_t source, uint8_t reason) {
  if (source == 1) {
    switch (reason) {
      case 1: return "no-reason-given";
      case 2: return "application-context-name-not-supported";
      case 3: return "calling-ae-title-not-recognized";
      case 7: return "called-ae-title-not-recognized";
      default: return "reserved";
    }
  }
  if (source == 2) return reason == 1 ? "no-reason-given" : reason == 2 ? "protocol-version-not-supported" : "reserved";
  if (source == 3) return reason == 1 ? "temporary-congestion" : reason == 2 ? "local-limit-exceeded" : "reserved";
  return "unknown";
}

const char* abort_source_name(uint8_t s) {
  return s == 0 ? "service-user" : s == 2 ? "service-provider" : "reserved";
}

const char* abort_reason_name(uint8_t r) {
  switch (r) {
    case 0: return "not-specified";
    case 1: return "unrecognized-pdu";
    case 2: return "unexpected-pdu";
    case 4: return "unrecognized-pdu-parameter";
    case 5: return "unexpected-pdu-parameter";
    case 6: return "invalid-pdu-parameter-value";
    default: return "reserved";
  }
}

Plausible plausible_start(Bytes b) {
  if (b.empty()) return Plausible::kNeedMore;
  if (b[0] < kAssociateRq || b[0] > kAbort) return Plausible::kNo;
  if (b.size() < kPduHeaderLen) return b.size() >= 2 && b[1] != 0 ? Plausible::kNo : Plausible::kNeedMore;
  PduHeader h;
  if (b[1] != 0 || !parse_pdu_header(b, h)) return Plausible::kNo;
  Bytes body = b.subspan(kPduHeaderLen);
  switch (h.type) {
    case kAssociateRq:
    case kAssociateAc: {
      if (body.size() < 36) return Plausible::kNeedMore;
      if (be16(body.data()) != 0x0001) return Plausible::kNo;  // protocol version 1
      for (size_t i = 4; i < 36; ++i) {
        if (body[i] < 0x20 || body[i] > 0x7E) return Plausible::kNo;  // AE titles: printable
      }
      return Plausible::kYes;
    }
    case kPData: {
      if (body.size() < kPdvHeaderLen) return Plausible::kNeedMore;
      PdvHeader pdv;
      if (!parse_pdv_header(body, pdv) || pdv.length + 4 > h.length) return Plausible::kNo;
      return Plausible::kYes;
    }
    case kAssociateRj:
      if (body.size() < 4) return Plausible::kNeedMore;
      return (body[1] == 1 || body[1] == 2) && body[2] >= 1 && body[2] <= 3 ? Plausible::kYes : Plausible::kNo;
    default:  // release RQ/RP, abort: 4 reserved/source/reason bytes
      if (body.size() < 4) return Plausible::kNeedMore;
      return body[0] == 0 && body[1] == 0 ? Plausible::kYes : Plausible::kNo;
  }
}

namespace {

// The chain behind a plausible start at b[0]: the P-DATA-TF's PDVs fill it
// exactly, and the next PDU starts plausibly (each checked as far as b goes).
bool chain_holds(Bytes b) {
  PduHeader h;
  if (!parse_pdu_header(b, h)) return false;
  if (h.type == kPData) {
    if (h.length > (64u << 20)) return false;  // no peer sends P-DATA this large
    size_t pos = kPduHeaderLen, end = kPduHeaderLen + static_cast<size_t>(h.length);
    while (pos < end && pos + kPdvHeaderLen <= b.size()) {
      PdvHeader pdv;
      if (!parse_pdv_header(b.subspan(pos), pdv) || pos + 4 + pdv.length > end) return false;
      pos += 4 + static_cast<size_t>(pdv.length);
    }
  }
  size_t next = kPduHeaderLen + static_cast<size_t>(h.length);
  if (next >= b.size()) return true;  // the rest is not here yet
  return plausible_start(b.subspan(next)) != Plausible::kNo;
}

}  // namespace

size_t pickup_point(Bytes b, size_t max_offset) {
  size_t end = std::min(b.size(), max_offset + 1);
  for (size_t p = 0; p < end; ++p) {
    if (b[p] < kAssociateRq || b[p] > kAbort || (p + 1 < b.size() && b[p + 1] != 0)) continue;
    if (plausible_start(b.subspan(p)) == Plausible::kYes && chain_holds(b.subspan(p))) return p;
  }
  return static_cast<size_t>(-1);
}

}  // namespace ms::dicom
