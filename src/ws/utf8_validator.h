// Utf8Validator: incremental UTF-8 validation (RFC 3629) of a byte stream that arrives in
// arbitrary pieces, e.g. the fragments of a WebSocket text message (RFC 6455 §8.1).
#pragma once

#include <cstdint>
#include <string_view>

namespace asobi {

/// Checks that the concatenation of every piece passed to Feed() is valid UTF-8: shortest
/// forms only, no surrogates (U+D800..U+DFFF), nothing above U+10FFFF. A character may be
/// split across pieces. 4 bytes of state; no allocation.
class Utf8Validator {
 public:
  /// Validates the next piece. Returns false at the first byte that cannot continue valid
  /// UTF-8; the validator then stays failed until Reset().
  bool Feed(std::string_view piece);
  /// True when everything fed so far is valid and no character is left incomplete.
  bool complete() const { return !failed_ && pending_ == 0; }
  /// Starts a new stream.
  void Reset() { *this = Utf8Validator(); }

  /// One-shot check of a whole string.
  static bool IsValid(std::string_view bytes);

 private:
  uint8_t pending_ = 0;  // continuation bytes still expected for the current character
  uint8_t lo_ = 0x80;    // allowed range of the next continuation byte
  uint8_t hi_ = 0xbf;
  bool failed_ = false;
};

}  // namespace asobi
