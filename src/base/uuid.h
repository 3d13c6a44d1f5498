// UUIDv7 ids (rest.md §1.5): lowercase, hyphenated, 36 characters, time-ordered.
#pragma once

#include <string>
#include <string_view>

namespace asobi {

/// A new UUIDv7 from the wall clock and libsodium's CSPRNG. Thread-safe.
std::string NewUuidV7();

/// True when `text` is a canonical lowercase hyphenated UUID (any version).
bool IsCanonicalUuid(std::string_view text);

}  // namespace asobi
