// Versions read from what a device writes about itself (docs/inventory.md
// "Versions"): the firmware or software version of the device in an SNMP
// sysDescr, an HTTP page title, a DHCP vendor class, an HL7 application, a
// TLS certificate subject or a banner, and the name and version of a piece
// of software (a web server, an SSH or DHCP client) that runs on it. The
// exposure matching (issue 18) compares the device's version with
// advisories, so a text gives a device version only where it says so.
#pragma once

#include <string>
#include <string_view>

namespace ms::inv {

// The device's version where a text names it: after a keyword ("firmware
// 2.1.3", "Rev M.00.03", "SW: 1.4", "Version 7.0.1") or as a V-number
// ("V01.20.00"); "" when the text names none. At most 32 characters.
std::string device_version_in(std::string_view text);

// A product token "name/version", "name_version" or "name version"
// ("Apache/2.4.57", "OpenSSH_9.2p1", "dropbear_2022.83", "udhcp 1.36.1"):
// the software and its version, or false.
struct SoftwareVersion {
  std::string name, version;
};
bool software_version_in(std::string_view text, SoftwareVersion& out);

}  // namespace ms::inv
