// Ops permission classes and minted `v1.` ops tokens (rest.md §2.8 ops plane; format in
// docs/decisions.md "Ops API credentials"). Pure functions: no I/O, any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace asobi::ops {

/// Permission classes (rest.md §2.8), as bits of a mask.
enum OpsClass : uint32_t {
  kRead = 1u << 0,        // `read`: every GET of §3.14
  kPlayerData = 1u << 1,  // `player_data`: player export
  kConfig = 1u << 2,      // `config`: edits of game data (store, chat moderation, ext actions)
  kErasure = 1u << 3,     // `erasure`: player erasure, guest purge
};
/// Every class: what the ops secret and a console session hold.
inline constexpr uint32_t kAllClasses = kRead | kPlayerData | kConfig | kErasure;

/// The class bit of `name` ("read", "player_data", "config", "erasure"), or 0.
uint32_t ClassFromName(std::string_view name);
/// Comma-separated names of the bits of `mask`, in the order above ("read,erasure").
std::string ClassNames(uint32_t mask);

/// The longest token VerifyOpsToken looks at, in bytes; longer ones are refused unread.
inline constexpr size_t kOpsTokenBytesMax = 512;
/// The longest label (actor name) a token carries, in bytes.
inline constexpr size_t kOpsLabelBytesMax = 64;

/// What a valid token carries.
struct OpsTokenClaims {
  std::string label;         // who it was minted for (audit actor), 1-64 bytes
  uint32_t classes = 0;      // non-zero class mask
  int64_t expires_at_s = 0;  // unix seconds; the token is refused from this second on
};

/// Mints `v1.<exp>.<classes>.<b64url(label)>.<b64url(HMAC-SHA256(key, prefix))>` where prefix
/// is everything before the last dot. `key` must not be empty; `claims` must be valid
/// (label 1-64 bytes, classes non-zero).
std::string MintOpsToken(std::string_view key, const OpsTokenClaims& claims);

/// The claims of `token` when it is well formed, its signature under `key` matches (compared
/// in constant time) and it has not expired at `now_s`; nullopt otherwise (also when `key` is
/// empty). Never reads past kOpsTokenBytesMax.
std::optional<OpsTokenClaims> VerifyOpsToken(std::string_view key, std::string_view token,
                                             int64_t now_s);

/// True when `a` equals `b`, in time that depends on neither content nor length (both are
/// hashed with SHA-256, then compared with sodium_memcmp). False when either is empty.
bool SecretEquals(std::string_view a, std::string_view b);

}  // namespace asobi::ops
