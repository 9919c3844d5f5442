// DNS message format (RFC 1035, names with compression; RFC 6762 mDNS,
// RFC 4795 LLMNR, which share it) and NetBIOS Name Service (RFC 1002, the same
// header with first-level encoded names). Pure parser: span in, struct out.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/bytes.h"

namespace ms::dns {

struct Question {
  std::string name;
  uint16_t type = 0, klass = 0;
};

struct Record {
  std::string name;
  uint16_t type = 0, klass = 0;
  uint32_t ttl = 0;
  std::string rdata;              // address, name, "prio weight port target", ...
  std::vector<std::string> txt;   // TXT strings
};

struct Message {
  uint16_t id = 0, flags = 0;
  bool response = false;
  uint8_t opcode = 0, rcode = 0;
  std::vector<Question> questions;
  std::vector<Record> answers, authorities, additionals;
  bool truncated = false;  // a section ended early (records kept so far)
};

constexpr size_t kMaxQuestions = 32;
constexpr size_t kMaxRecords = 64;  // per section

// nbns: names are NetBIOS first-level encoded ("NAME<20>" once decoded).
// False if the header or the first question cannot be read.
bool parse(Bytes b, bool nbns, Message& m);
const char* type_name(uint16_t t);  // "A", "PTR", ... or nullptr
std::string nbns_decode(std::string_view label);  // "" if not an encoded name

}  // namespace ms::dns
