#include "ws/handshake.h"

#include <openssl/evp.h>

#include <cstdint>

#include "base/check.h"

namespace asobi {
namespace {

constexpr std::string_view kAcceptGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
constexpr std::string_view kVersionHeaderLine = "Sec-WebSocket-Version: 13\r\n";

bool IsOws(char c) { return c == ' ' || c == '\t'; }

std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && IsOws(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsOws(s.back())) s.remove_suffix(1);
  return s;
}

char LowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (LowerAscii(a[i]) != LowerAscii(b[i])) return false;
  }
  return true;
}

// True when the comma-separated list `value` holds `token` (case-insensitive, OWS trimmed).
bool HasToken(std::string_view value, std::string_view token) {
  while (true) {
    size_t comma = value.find(',');
    if (EqualsIgnoreCase(TrimOws(value.substr(0, comma)), token)) return true;
    if (comma == std::string_view::npos) return false;
    value.remove_prefix(comma + 1);
  }
}

bool IsBase64Char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/';
}

// base64 of exactly 16 bytes: 22 alphabet characters then "==".
bool IsValidKey(std::string_view key) {
  if (key.size() != 24 || key[22] != '=' || key[23] != '=') return false;
  for (size_t i = 0; i < 22; ++i) {
    if (!IsBase64Char(key[i])) return false;
  }
  return true;
}

// RFC 7230 §3.2.6 tchar.
bool IsTokenChar(char c) {
  if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

UpgradeCheck Reject(int status, std::string reason, std::string_view headers = {}) {
  return UpgradeCheck{false, status, std::move(reason), headers};
}

}  // namespace

UpgradeCheck ValidateUpgrade(std::string_view method, std::string_view upgrade_hdr,
                             std::string_view connection_hdr, std::string_view key,
                             std::string_view version, int http_version_minor) {
  if (method != "GET") return Reject(400, "websocket upgrade requires GET");
  if (http_version_minor < 1) return Reject(400, "websocket upgrade requires HTTP/1.1");
  if (!HasToken(upgrade_hdr, "websocket")) return Reject(400, "missing Upgrade: websocket");
  if (!HasToken(connection_hdr, "upgrade")) return Reject(400, "missing Connection: upgrade");
  version = TrimOws(version);
  if (version.empty()) return Reject(400, "missing Sec-WebSocket-Version");
  if (version != "13") {
    return Reject(426, "unsupported Sec-WebSocket-Version", kVersionHeaderLine);
  }
  if (!IsValidKey(TrimOws(key))) return Reject(400, "invalid Sec-WebSocket-Key");
  return UpgradeCheck{true, 101, {}, {}};
}

std::string ComputeAcceptKey(std::string_view client_key) {
  client_key = TrimOws(client_key);
  std::string input;
  input.reserve(client_key.size() + kAcceptGuid.size());
  input.append(client_key).append(kAcceptGuid);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_len = 0;
  CHECK(EVP_Digest(input.data(), input.size(), digest, &digest_len, EVP_sha1(), nullptr) == 1);
  CHECK(digest_len == 20);
  // base64 of 20 bytes is 28 characters; EVP_EncodeBlock writes a trailing NUL.
  unsigned char encoded[32];
  int n = EVP_EncodeBlock(encoded, digest, int(digest_len));
  CHECK(n == 28);
  return std::string(reinterpret_cast<const char*>(encoded), size_t(n));
}

std::string_view FirstSubprotocol(std::string_view header_value) {
  std::string_view first = TrimOws(header_value.substr(0, header_value.find(',')));
  for (char c : first) {
    if (!IsTokenChar(c)) return {};
  }
  return first;
}

std::string BuildUpgradeResponse(std::string_view client_key, std::string_view subprotocol,
                                 std::string_view extra_headers) {
  std::string out;
  out.reserve(160 + subprotocol.size() + extra_headers.size());
  out.append(
      "HTTP/1.1 101 Switching Protocols\r\n"
      "Upgrade: websocket\r\n"
      "Connection: Upgrade\r\n"
      "Sec-WebSocket-Accept: ");
  out.append(ComputeAcceptKey(client_key));
  out.append("\r\n");
  if (!subprotocol.empty()) {
    out.append("Sec-WebSocket-Protocol: ").append(subprotocol).append("\r\n");
  }
  out.append(extra_headers);
  out.append("\r\n");
  return out;
}

}  // namespace asobi
