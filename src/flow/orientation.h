// Which end of a new flow is the server, decided from the flow's first
// captured packet: a capture that starts mid-exchange (or lost the query)
// must not make the client the responder (issue 16).
#pragma once

#include <cstdint>

#include "decode/packet.h"

namespace ms {

// True when the first packet of a flow was sent by the server, so the flow's
// client is the packet's destination. As Zeek and Suricata do:
// - a SYN-ACK comes from the server;
// - a DNS/mDNS/LLMNR message with QR=1 (RFC 1035 §4.1.1) is a response
//   (Suricata's DNS probe reverses the flow, FlowSwap in app-layer.c);
// - the first payload of a midstream TCP flow that only a server sends (an
//   HTTP status line, an FTP/SMTP 220 greeting, a POP3/IMAP greeting);
// - else a well-known server port on the sender and none on the receiver
//   (Zeek's TCPAnalyzer::WantConnection with likely_server_ports; the same
//   for UDP).
// A packet to a multicast or broadcast address never flips: a group is no
// client.
bool first_packet_from_server(const Packet& p);

// A port servers listen on (a bounded fixed list, flow/orientation.cc).
bool likely_server_port(uint16_t port);

}  // namespace ms
