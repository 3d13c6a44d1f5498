// UUIDv7 ids (rest.md §1.5): lowercase, hyphenated, 36 characters, time-ordered.
#pragma once

#include <string>
#include <string_view>

namespace asobi {

/// A new UUIDv7 from the wall clock and libsodium's CSPRNG. Thread-safe; ids made on one thread
/// are strictly increasing (a 12-bit counter within each millisecond, RFC 9562 §6.2).
std::string NewUuidV7();

/// True when `text` is a canonical lowercase hyphenated UUID (any version).
bool IsCanonicalUuid(std::string_view text);

}  // namespace asobi
