// Identity from the maker clouds a device calls (issue 16): derivation steps
// (kSteps in derive.cc) and the record's `cloud` key. A device that calls its
// maker's cloud gets maker, product family, class and the medical flag with
// that evidence; a phone or computer that calls it on a device's behalf is the
// device's companion, and gets none of them.
#pragma once

#include "common/json_writer.h"
#include "inventory/derive_steps.h"

namespace ms::inv {

// Before choose_identity: the called names and user agents the table knows,
// the caller's phone/computer evidence, clinical peers; candidates for a
// device that is the maker's.
void identity_from_clouds(DeviceFacts& f);
// After choose_type_and_class: a device identified by its cloud is medical
// when the product family is a regulated medical device (a "personal health
// device" that is a fitness tracker is not).
void medical_from_clouds(DeviceFacts& f);
// The record's `cloud` key (only for devices that call a known cloud).
void write_cloud(JsonWriter& w, const DeviceFacts& f);

// Why a device is a phone or a general-purpose computer, from its own rows
// ("" when nothing says so): Android's DHCP vendor class, an OS from a
// user agent, DHCP parameter list, NTLMSSP or SMB.
std::string phone_or_computer_evidence(const std::vector<ObservationRow>& rows);

}  // namespace ms::inv
