// Password hashing and verification (rest.md §2.5, DECISIONS.md REST 7): argon2id through
// libsodium for new hashes; upstream's `$pbkdf2-sha256$<iter>$<salt>$<key>` still verified and
// flagged for re-hashing. Every function here is slow on purpose: call on a WorkerPool, never
// on a reactor thread. Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace asobi {

/// argon2id hash string (`$argon2id$v=19$...`) of `password` with libsodium's interactive
/// limits. nullopt only when libsodium cannot allocate its working memory.
std::optional<std::string> HashPassword(std::string_view password);

/// Outcome of VerifyPassword.
enum class PasswordCheck {
  kMatch,             // correct, hash is current
  kMatchNeedsRehash,  // correct, but the stored hash is pbkdf2 or weaker argon2 parameters
  kMismatch,          // wrong password
  kUnsupportedHash,   // stored value is not a hash we understand (treated as mismatch)
};

/// Verifies `password` against a stored hash string. Constant-time comparison.
PasswordCheck VerifyPassword(std::string_view stored_hash, std::string_view password);

/// Burns the time of one verification, for logins of unknown users (timing, rest.md §2.5).
void DummyVerify(std::string_view password);

/// Builds an upstream-style `$pbkdf2-sha256$<iterations>$<b64 salt>$<b64 key>` string (16-byte
/// salt, 32-byte key). Used by tests to prove old hashes keep working.
std::string HashPasswordPbkdf2(std::string_view password, int iterations);

}  // namespace asobi
