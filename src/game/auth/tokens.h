// Token format and storage hashing (rest.md §2.2, §2.3).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace asobi {

/// A new access or refresh token: standard base64 (padded) of 32 CSPRNG bytes, 44 chars.
std::string NewToken();
/// A new refresh family id: standard base64 of 16 CSPRNG bytes, 24 chars.
std::string NewFamilyId();
/// The value stored in player_tokens.token: base64(SHA-256(base64-decode(raw))). nullopt when
/// `raw` is not valid standard base64 (such a token can never match). Thread-safe.
std::optional<std::string> TokenStorageHash(std::string_view raw);

}  // namespace asobi
