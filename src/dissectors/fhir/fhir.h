// FHIR over HTTP (HL7 FHIR R4 RESTful API, http://hl7.org/fhir/R4/http.html):
// what an HTTP transaction did to which resources, and which patients it
// touched. Pure: the transaction's parts in, a summary out (raw identifiers:
// the caller turns them into tokens and drops them).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/bytes.h"

namespace ms::fhir {

struct Summary {
  std::string interaction;    // read, vread, search, create, update, patch, delete, history,
                              // batch, transaction, capabilities, operation, unknown
  std::string resource_type;  // from the URL, else the body
  std::string id;             // logical id from the URL (raw)
  std::string format;         // json, xml
  std::string bundle_type;
  size_t bundle_entries = 0;
  std::map<std::string, size_t> entry_types;
  std::vector<std::string> patient_ids, patient_names, birth_dates;  // raw, capped
  bool truncated = false;  // a body was cut before its end (only the prefix was read)
};

struct Transaction {
  std::string_view method, target, request_type, response_type;
  Bytes request_body, response_body;
  bool request_body_complete = true, response_body_complete = true;
};

// False when the transaction is not FHIR.
bool analyze(const Transaction& t, Summary& out);

// True for the resource types whose logical id identifies a person
// (Patient, Person, RelatedPerson): such ids are tokens in every output.
bool person_type(std::string_view resource_type);
bool known_resource_type(std::string_view s);

}  // namespace ms::fhir
