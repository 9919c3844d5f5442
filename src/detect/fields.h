// What the rules share in reading events (their typed structs): evidence
// values cut to size, and the IP protocol numbers of flow records.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/types.h"

namespace ms::detect {

constexpr size_t kMaxValueLen = 160;  // an evidence value is cut here

constexpr uint8_t kTcp = 6, kUdp = 17, kIcmp = 1, kIcmp6 = 58;
constexpr uint8_t kSyn = 0x02;

// A value fit for evidence: at most kMaxValueLen bytes, no control bytes.
std::string cap(std::string_view s);
// "TCP", "UDP", "ICMP", "IPv6-ICMP" as numbers; 0 for anything else.
uint8_t proto_number(std::string_view p);

constexpr TimeNs kHour = 3600LL * 1'000'000'000LL;
inline TimeNs seconds(uint32_t s) { return static_cast<TimeNs>(s) * 1'000'000'000LL; }

}  // namespace ms::detect
