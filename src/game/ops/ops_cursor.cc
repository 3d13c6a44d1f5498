#include "game/ops/ops_cursor.h"

#include <sodium.h>

#include "base/utf8.h"
#include "base/uuid.h"

namespace asobi::ops {
namespace {

constexpr int kB64 = sodium_base64_VARIANT_URLSAFE_NO_PADDING;

bool IsSortName(std::string_view s) {
  if (s.empty() || s.size() > 32) return false;
  for (char ch : s) {
    if (!((ch >= 'a' && ch <= 'z') || ch == '_')) return false;
  }
  return true;
}

// Decimal 0..kOpsCursorOffsetMax without sign or leading zeros.
std::optional<int64_t> ParseOffset(std::string_view s) {
  if (s.empty() || s.size() > 10 || (s.size() > 1 && s[0] == '0')) return std::nullopt;
  int64_t v = 0;
  for (char ch : s) {
    if (ch < '0' || ch > '9') return std::nullopt;
    v = v * 10 + (ch - '0');
  }
  if (v > kOpsCursorOffsetMax) return std::nullopt;
  return v;
}

// Splits off the text before the next space of `rest` (advancing it), or nullopt.
std::optional<std::string_view> Field(std::string_view* rest) {
  size_t sp = rest->find(' ');
  if (sp == std::string_view::npos) return std::nullopt;
  std::string_view f = rest->substr(0, sp);
  rest->remove_prefix(sp + 1);
  return f;
}

}  // namespace

bool IsInt64Text(std::string_view key) {
  std::string_view digits = key;
  bool negative = !digits.empty() && digits[0] == '-';
  if (negative) digits.remove_prefix(1);
  if (digits.empty() || digits.size() > 19) return false;
  if (digits.size() > 1 && digits[0] == '0') return false;
  if (negative && digits == "0") return false;
  for (char ch : digits) {
    if (ch < '0' || ch > '9') return false;
  }
  // 19 digits: compare with the int64 limits as text (same length, so lexicographic).
  if (digits.size() == 19)
    return digits <= (negative ? "9223372036854775808" : "9223372036854775807");
  return true;
}

std::string EncodeOpsCursor(const OpsCursor& c) {
  std::string raw =
      "c1 " + c.sort + " " + c.order + " " + std::to_string(c.offset) + " " + c.id + " " + c.key;
  std::string out(sodium_base64_ENCODED_LEN(raw.size(), kB64), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(raw.data()),
                    raw.size(), kB64);
  out.resize(out.size() - 1);  // the NUL sodium writes
  return out;
}

std::optional<OpsCursor> DecodeOpsCursor(std::string_view text) {
  if (text.empty() || text.size() > kOpsCursorCharsMax) return std::nullopt;
  std::string raw(text.size() * 3 / 4 + 3, '\0');
  size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(raw.data()), raw.size(), text.data(),
                        text.size(), nullptr, &len, &end, kB64) != 0 ||
      end != text.data() + text.size()) {
    return std::nullopt;
  }
  raw.resize(len);
  std::string_view rest = raw;
  std::optional<std::string_view> version = Field(&rest), sort = Field(&rest), order = Field(&rest),
                                  offset = Field(&rest), id = Field(&rest);
  if (!id || *version != "c1" || !IsSortName(*sort) || (*order != "asc" && *order != "desc") ||
      !IsCanonicalUuid(*id)) {
    return std::nullopt;
  }
  std::optional<int64_t> off = ParseOffset(*offset);
  if (!off || rest.size() > kOpsCursorKeyBytesMax || rest.find('\0') != std::string_view::npos ||
      !IsValidUtf8(rest)) {
    return std::nullopt;
  }
  return OpsCursor{std::string(*sort), std::string(*order), *off, std::string(*id),
                   std::string(rest)};
}

}  // namespace asobi::ops
