// The console's TLS certificate: the operator's (--tls-cert/--tls-key) or a
// self-signed one generated on first start (ECDSA P-256, SHA-256, 825 days,
// names: localhost, 127.0.0.1, ::1 and this host's name), whose SHA-256
// fingerprint the console prints so a browser's warning can be checked.
#pragma once

#include <string>

namespace ms::console {

// The default directory of a generated certificate:
// $XDG_CONFIG_HOME/medsentry or ~/.config/medsentry.
std::string default_tls_dir();

// Writes a self-signed certificate and its key (0600) when neither file
// exists; throws std::runtime_error with one line.
void ensure_certificate(const std::string& cert_path, const std::string& key_path);

// The SHA-256 fingerprint of a PEM certificate, "AB:CD:..."; throws.
std::string certificate_fingerprint(const std::string& cert_path);

}  // namespace ms::console
