// The opaque keyset cursor of the ops player list (rest.md §1.4 ops paging, §3.14;
// docs/decisions.md "Ops player list: keyset cursor, index-backed search, capped total").
// Pure functions: no I/O, any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace asobi::ops {

/// The longest cursor DecodeOpsCursor looks at, in characters; longer ones are refused unread.
inline constexpr size_t kOpsCursorCharsMax = 2048;
/// The longest sort key a cursor carries, in bytes (a username is at most 255 characters).
inline constexpr size_t kOpsCursorKeyBytesMax = 1024;
/// The largest offset a cursor carries (informational: the answer's `page.offset`).
inline constexpr int64_t kOpsCursorOffsetMax = 1'000'000'000;

/// A position in a list: the last row of the previous page and how the list is sorted.
struct OpsCursor {
  std::string sort;    // sort field, [a-z_]{1,32}
  std::string order;   // "asc" | "desc"
  int64_t offset = 0;  // rows before the next page, 0..kOpsCursorOffsetMax
  std::string id;      // the last row's id, a canonical lowercase UUID
  std::string key;     // the last row's sort value as text (valid UTF-8, no NUL, ≤1024 bytes)
};

/// base64url (no padding) of "c1 <sort> <order> <offset> <id> <key>". `c` must be valid (as
/// DecodeOpsCursor accepts); DecodeOpsCursor(EncodeOpsCursor(c)) == c.
std::string EncodeOpsCursor(const OpsCursor& c);

/// Parses a cursor made by EncodeOpsCursor; nullopt for anything else (bad base64, wrong
/// version, a field out of range, invalid UTF-8 or NUL in the key, over kOpsCursorCharsMax).
std::optional<OpsCursor> DecodeOpsCursor(std::string_view text);

/// Whether `key` is a decimal int64 ("-"? digits, no leading zeros but "0", in range): the
/// form of a timestamp key (microseconds since the Unix epoch).
bool IsInt64Text(std::string_view key);

}  // namespace asobi::ops
