// SNMP v1/v2c/v3 messages (RFC 1157, 3416, 3412/3414 USM) read from BER:
// pure parser, span in, struct out. Only definite lengths (BER for SNMP
// never uses the indefinite form); nesting is bounded.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/bytes.h"

namespace ms::snmp {

struct VarBind {
  std::string oid;
  uint8_t tag = 0;
  std::string value;  // printable rendering of the value (string, number, OID, address)
};

struct Message {
  int version = 0;          // as written on the wire: 0 v1, 1 v2c, 3 v3
  std::string community;    // v1/v2c: the shared secret (never written out)
  uint8_t pdu_tag = 0;      // 0xa0.. ; 0 if not read (v3 encrypted)
  int64_t request_id = 0, error_status = 0, error_index = 0;
  std::vector<VarBind> vars;
  // v3
  std::string user, engine_id;
  uint8_t v3_flags = 0;     // bit 0 auth, bit 1 priv
  bool encrypted = false;
  // v1 trap
  std::string enterprise, agent_addr;
  int64_t generic_trap = -1, specific_trap = -1;
};

constexpr size_t kMaxVars = 64;

bool parse(Bytes b, Message& m);
const char* pdu_name(uint8_t tag);  // "get_request", ... or nullptr
std::string oid_string(Bytes b);    // "1.3.6.1..." or "" if malformed

}  // namespace ms::snmp
