// Timestamp rendering for the wire (DECISIONS.md REST 1: RFC 3339 UTC with milliseconds).
#pragma once

#include <cstdint>
#include <string>

namespace asobi {

/// Formats Unix milliseconds as `2026-11-21T12:00:00.000Z`. Thread-safe.
std::string FormatRfc3339Ms(int64_t unix_ms);

}  // namespace asobi
