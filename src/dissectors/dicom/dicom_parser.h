// DICOM upper layer (PS3.8 §9.3) and DIMSE command set (PS3.7 §9.3, §E)
// parsing: pure functions, spans in, structs out (STYLE.md 1). No state, no
// allocation beyond the result; every length is checked against the span.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/bytes.h"

namespace ms::dicom {

enum PduType : uint8_t {
  kAssociateRq = 1,
  kAssociateAc = 2,
  kAssociateRj = 3,
  kPData = 4,
  kReleaseRq = 5,
  kReleaseRp = 6,
  kAbort = 7,
};

constexpr size_t kPduHeaderLen = 6;
constexpr uint32_t kMaxAssociatePdu = 1u << 20;  // an A-ASSOCIATE larger than this is not believed
constexpr size_t kMaxContexts = 128;             // presentation context ids are odd, 1..255
constexpr size_t kMaxTransferSyntaxes = 64;
constexpr size_t kMaxUidLen = 64;                // PS3.5 §9.1

struct PduHeader {
  uint8_t type = 0;
  uint32_t length = 0;
};

// The 6-byte PDU header (PS3.8 §9.3.1): type, reserved, 4-byte big-endian
// length. False if it cannot be one (unknown type, lengths impossible for the
// type).
bool parse_pdu_header(Bytes b, PduHeader& h);

struct PresentationContext {
  uint8_t id = 0;
  std::string abstract_syntax;                 // RQ only
  std::vector<std::string> transfer_syntaxes;  // RQ: proposed; AC: the one accepted
  int result = -1;                             // AC only: 0 acceptance .. 4
};

struct UserIdentity {
  uint8_t type = 0;  // 1 username, 2 username+passcode, 3 Kerberos, 4 SAML, 5 JWT
  bool response_requested = false;
  std::string username;             // primary field for types 1 and 2 only
  uint16_t primary_length = 0;
  uint16_t secondary_length = 0;    // the passcode's length
  // Type 2: the passcode, kept in memory only until the association's outcome
  // is known (a credential event: strength and default match), then wiped.
  std::string passcode;
};

struct RoleSelection {
  std::string sop_class;
  bool scu = false, scp = false;
};

struct Associate {
  uint16_t protocol_version = 0;
  std::string called_ae, calling_ae;
  std::string application_context;
  std::vector<PresentationContext> contexts;
  bool has_max_pdu = false;
  uint32_t max_pdu = 0;
  std::string implementation_class_uid, implementation_version;
  bool has_user_identity = false;
  UserIdentity user_identity;
  bool has_identity_response = false;  // AC: the server answered the user identity
  std::vector<RoleSelection> roles;
  std::vector<std::string> extended_negotiation;  // SOP class UIDs
  bool has_async = false;
  uint16_t async_invoked = 0, async_performed = 0;
};

// Parses the body (after the 6-byte header) of an A-ASSOCIATE-RQ or -AC.
// Returns nullptr, or the anomaly reason ("dicom.bad_item_length" ...).
const char* parse_associate(Bytes body, bool rq, Associate& out);

struct Reject {
  uint8_t result = 0, source = 0, reason = 0;
};
const char* parse_reject(Bytes body, Reject& out);

struct Abort {
  uint8_t source = 0, reason = 0;
};
const char* parse_abort(Bytes body, Abort& out);

// One PDV item header inside a P-DATA-TF (PS3.8 §9.3.5.1, Annex E.2).
struct PdvHeader {
  uint32_t length = 0;  // of context id + control header + value
  uint8_t context_id = 0;
  bool command = false;  // message control header bit 0
  bool last = false;     // bit 1: last fragment of the message
};
constexpr size_t kPdvHeaderLen = 6;
bool parse_pdv_header(Bytes b, PdvHeader& h);

// A DIMSE command set (group 0000, implicit VR little endian, PS3.7 §E).
struct Command {
  uint16_t field = 0;  // (0000,0100)
  uint16_t message_id = 0, responded_id = 0;
  std::string affected_sop_class, requested_sop_class;
  std::string affected_sop_instance, requested_sop_instance;
  std::string move_destination;
  uint16_t priority = 0;
  bool has_dataset = false;  // (0000,0800) != 0x0101
  bool has_status = false;
  uint16_t status = 0;
  bool has_counts = false;
  uint16_t remaining = 0, completed = 0, failed = 0, warning = 0;
};
const char* parse_command(Bytes cmd, Command& out);

bool is_response(uint16_t field);
const char* command_name(uint16_t field);  // "C-STORE-RQ"; "UNKNOWN" for others
// Status class (PS3.7 Annex C): success, pending, cancel, warning, failure.
const char* status_class(uint16_t status);

// Names of well-known UIDs (PS3.6 Annex A): "CT Image Storage". Empty if unknown.
const char* uid_name(const std::string& uid);
const char* associate_result_name(int result);  // presentation context results
const char* reject_result_name(uint8_t r);
const char* reject_source_name(uint8_t s);
const char* reject_reason_name(uint8_t source, uint8_t reason);
const char* abort_source_name(uint8_t s);
const char* abort_reason_name(uint8_t r);

// Content check used by the probe: could these bytes start a DICOM PDU
// stream? kMatch needs a full, consistent header (and, for an A-ASSOCIATE,
// the version and printable AE titles).
enum class Plausible { kYes, kNo, kNeedMore };
Plausible plausible_start(Bytes b);
// Where a PDU stream can be picked up (a capture that starts, or a gap that
// ends, inside a PDU): the first offset, at most `max_offset`, where a PDU
// plausibly starts and, when the data hold them, the PDU's own PDVs and the
// PDU after it are consistent with it. npos if none.
size_t pickup_point(Bytes b, size_t max_offset);

}  // namespace ms::dicom
