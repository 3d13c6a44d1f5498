// Inbound envelope parsing: one WebSocket text frame → {type, cid, payload, seq}
// (websocket.md §1 envelope, §1.2 steps 4–5).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "protocol/json_value.h"
#include "simdjson.h"

namespace asobi {

/// One parsed inbound frame. Everything borrowed (`type`, `payload`) points into the
/// EnvelopeParser that produced it and is valid only until that parser's next Parse() call or
/// its destruction; `cid_json` and `seq` are owned copies.
struct Envelope {
  /// The `type` string, unescaped (`<family>.<name>`; never echoed back to clients, §1.3).
  std::string_view type;
  /// True when the frame had a top-level `cid` (any JSON value, §1 / §1.1).
  bool has_cid = false;
  /// The cid re-serialized as minified JSON (`"7"` with quotes for a string cid, `7` for a
  /// number, `{..}` for an object), ready to echo as the same JSON value. Empty when !has_cid.
  std::string cid_json;
  /// True when the frame had a top-level `payload` member (of any JSON type).
  bool has_payload = false;
  /// The payload value. When !has_payload this is an empty object `{}`, so accessors are
  /// always safe to call; it may be a non-object when the client sent one.
  JsonValue payload;
  /// Top-level integer `seq` (world.input, §10.6); nullopt when absent, not an integer or out
  /// of int64 range.
  std::optional<int64_t> seq;

  /// The cid to pass to BuildFrame/BuildErrorFrame: &cid_json, or nullptr without a cid.
  const std::string* cid() const { return has_cid ? &cid_json : nullptr; }
};

/// Parses inbound text frames with a reusable simdjson DOM parser and padded input buffer, so
/// steady-state parsing allocates nothing (beyond a cid longer than the string SSO size).
///
/// One per shard (or per connection-handling loop); not thread-safe, not movable (parsed
/// values point into it). Frames up to `initial_capacity_bytes` need no growth; larger ones
/// grow the buffers once. Nesting deeper than `max_depth` is `invalid_json`.
class EnvelopeParser {
 public:
  static constexpr size_t kDefaultCapacityBytes = 65536;  // websocket.md §3 frame limit
  static constexpr size_t kDefaultMaxDepth = 128;

  /// Pre-allocates the padded input buffer and the DOM for `initial_capacity_bytes` frames;
  /// `max_depth` bounds JSON nesting.
  explicit EnvelopeParser(size_t initial_capacity_bytes = kDefaultCapacityBytes,
                          size_t max_depth = kDefaultMaxDepth);
  EnvelopeParser(const EnvelopeParser&) = delete;
  EnvelopeParser& operator=(const EnvelopeParser&) = delete;

  /// Parses one frame. Errors (Error::reason; callers send them without cid, §1.1):
  ///  - `invalid_json`: not one valid UTF-8 JSON text (incl. truncated, trailing garbage,
  ///    nesting beyond max_depth, integers beyond 64 bits);
  ///  - `invalid_message`: valid JSON but not an object with a string `type`.
  /// A non-object `payload` still parses (handlers decide, §1.3). With duplicate top-level
  /// keys the last one wins. Invalidates the previous Envelope from this parser.
  Result<Envelope> Parse(std::string_view text);

  /// Like Parse but fills `*out` in place (reuses its cid_json capacity). On error `*out` is
  /// left in an unspecified state and the Error is returned.
  Status ParseInto(std::string_view text, Envelope* out);

 private:
  bool EnsureBuffer(size_t len);

  simdjson::dom::parser parser_;
  simdjson::dom::document empty_doc_;  // holds the `{}` used when a frame has no payload
  JsonValue empty_object_;
  std::unique_ptr<char[]> buf_;  // padded copy of the frame (simdjson reads past the end)
  size_t buf_capacity_bytes_ = 0;
};

}  // namespace asobi
