// JsonDoc: a parsed JSON reply (WebSocket frame or HTTP body) with path lookups, for
// assertions in integration tests. Built on simdjson through protocol/json_value.h.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/json_value.h"

namespace asobi::itest {

/// A path of object keys from the root, e.g. {"payload", "error", "code"}.
using JsonPath = std::initializer_list<std::string_view>;

/// Owns its text and parser; values returned by At() borrow from it and are valid until the
/// next Parse() or the destruction of this object. Move-only; test-thread only.
class JsonDoc {
 public:
  JsonDoc();
  ~JsonDoc();
  JsonDoc(JsonDoc&&) noexcept;
  JsonDoc& operator=(JsonDoc&&) noexcept;

  /// Parses `text`; false when it is not one valid JSON text.
  bool Parse(std::string_view text);
  bool ok() const { return ok_; }
  const std::string& text() const { return text_; }

  /// The value at `path` (empty path = root); nullopt when any key is missing or a step is
  /// not an object. On an array, a decimal key ("0", "1" ...) selects that element.
  std::optional<JsonValue> At(JsonPath path) const;
  bool Has(JsonPath path) const { return At(path).has_value(); }
  /// String at `path`; nullopt when absent or not a string.
  std::optional<std::string> Str(JsonPath path) const;
  /// Integer at `path`; nullopt when absent or not an integer.
  std::optional<int64_t> Int(JsonPath path) const;
  /// The value at `path` re-serialized as minified JSON (to compare JSON values, e.g. an
  /// echoed cid); nullopt when absent.
  std::optional<std::string> Raw(JsonPath path) const;
  /// True when the value at `path` is an object.
  bool IsObjectAt(JsonPath path) const;

 private:
  std::unique_ptr<simdjson::dom::parser> parser_;
  std::string text_;
  JsonValue root_;
  bool ok_ = false;
};

/// Minified form of a JSON text (to compare against Raw()); "" when `json` is invalid.
std::string Minify(std::string_view json);

}  // namespace asobi::itest
