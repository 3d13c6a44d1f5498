// Base64 for JWS/JWT (RFC 7515 §2: segments are base64url without padding; x5c entries are
// standard base64 with padding), through libsodium's strict decoders.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace asobi::iap {

/// Decodes base64url without padding; nullopt on any other character, padding or bad length.
std::optional<std::string> Base64UrlDecode(std::string_view in);
/// Encodes as base64url without padding.
std::string Base64UrlEncode(std::string_view in);
/// Decodes standard base64 with padding; nullopt when malformed.
std::optional<std::string> Base64Decode(std::string_view in);

}  // namespace asobi::iap
