// JsonWriter: a fast append-only JSON encoder over a std::string, used for every outbound
// frame (websocket.md §1, §1.4) and for re-serializing client JSON values.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "base/check.h"
#include "base/json_escape.h"
#include "base/utf8.h"

namespace asobi {

// Strings are written by AppendJsonString (base/json_escape.h, kJsonEscapeWire style): `"` and
// `\` escaped, control characters below 0x20 as `\b \f \n \r \t` or `\u00XX`, every ill-formed
// UTF-8 sequence replaced by U+FFFD (one per maximal ill-formed subpart, Unicode §3.9).

/// Appends the JSON number for `v` to `*out`: finite integral values within ±2^53 as integers
/// (DECISIONS.md Lua 4, `-0.0` as `0`), other finite values as the shortest round-trip form
/// with a fraction or exponent, NaN and ±inf as `null`. Any thread.
void AppendJsonDouble(std::string* out, double v);

/// Append-only JSON writer. Commas between values and members are inserted automatically, so
/// callers only state structure:
///
///   JsonWriter w;
///   w.BeginObject(); w.Key("ts"); w.Int(now_ms); w.EndObject();   // {"ts":123}
///
/// The writer does not validate structure beyond DCHECKs on nesting (a Key outside an object or
/// unbalanced End* is a caller bug). Not thread-safe; use one writer per encoding on one shard.
/// The buffer is reusable: Clear() keeps its capacity.
class JsonWriter {
 public:
  JsonWriter() = default;
  /// Adopts `buffer` (cleared, capacity kept) as the output, e.g. a recycled frame buffer.
  explicit JsonWriter(std::string buffer) : out_(std::move(buffer)) { out_.clear(); }

  /// Structure: `{`, `}`, `[`, `]`. Every Begin* needs its matching End*.
  void BeginObject() { Open('{'); }
  void EndObject() { Close('}'); }
  void BeginArray() { Open('['); }
  void EndArray() { Close(']'); }

  /// Writes an object member name followed by `:`; the next call writes its value.
  void Key(std::string_view key) {
    Separate();
    AppendJsonString(&out_, key);
    out_.push_back(':');
    need_comma_ = false;
  }
  /// Writes a JSON string (escaped; invalid UTF-8 replaced by U+FFFD).
  void String(std::string_view s) {
    Separate();
    AppendJsonString(&out_, s);
    need_comma_ = true;
  }
  /// Writes an integer exactly (all 64 bits; clients may lose precision beyond ±2^53).
  void Int(int64_t v);
  /// Writes an unsigned integer exactly (all 64 bits).
  void Uint(uint64_t v);
  /// See AppendJsonDouble: integral within ±2^53 → integer, NaN/inf → null.
  void Double(double v) {
    Separate();
    AppendJsonDouble(&out_, v);
    need_comma_ = true;
  }
  /// Writes `true` / `false`.
  void Bool(bool v) {
    Separate();
    out_.append(v ? "true" : "false");
    need_comma_ = true;
  }
  /// Writes `null`.
  void Null() {
    Separate();
    out_.append("null");
    need_comma_ = true;
  }
  /// Writes `json` verbatim as one value. The caller guarantees it is one valid JSON value
  /// (e.g. an already-encoded payload or an echoed cid).
  void Raw(std::string_view json) {
    Separate();
    out_.append(json);
    need_comma_ = true;
  }

  /// Pre-sizes the output buffer (bytes).
  void Reserve(size_t size_bytes) { out_.reserve(size_bytes); }
  /// Empties the output (capacity kept) and resets comma/nesting state.
  void Clear() {
    out_.clear();
    need_comma_ = false;
    depth_ = 0;
  }
  /// Current nesting depth (0 = top level). For DCHECKs in callers.
  int depth() const { return depth_; }

  /// The bytes written so far. Appending through this reference bypasses comma handling.
  std::string& out() { return out_; }
  /// Read-only view of the bytes written so far.
  const std::string& out() const { return out_; }
  /// Moves the output out and resets the writer.
  std::string Take() {
    DCHECK(depth_ == 0);
    std::string s = std::move(out_);
    Clear();
    return s;
  }

 private:
  void Separate() {
    if (need_comma_) out_.push_back(',');
  }
  void Open(char c) {
    Separate();
    out_.push_back(c);
    need_comma_ = false;
    ++depth_;
  }
  void Close(char c) {
    DCHECK(depth_ > 0);
    out_.push_back(c);
    need_comma_ = true;
    --depth_;
  }

  std::string out_;
  bool need_comma_ = false;  // a value was just completed at the current level
  int depth_ = 0;
};

}  // namespace asobi
