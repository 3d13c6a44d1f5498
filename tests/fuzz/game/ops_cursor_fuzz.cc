// Fuzz target: the ops list cursor parser on arbitrary bytes (`?cursor=` of GET /ops/players,
// docs/decisions.md "Ops player list: keyset cursor, index-backed search, capped total").
// A cursor that decodes has fields in range and re-encodes to a cursor that decodes to the
// same fields; a cursor encoded from fuzzed fields (made valid) decodes back. Never crashes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/check.h"
#include "base/utf8.h"
#include "game/ops/ops_cursor.h"

namespace ops = asobi::ops;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto c = ops::DecodeOpsCursor(text)) {
    CHECK(c->order == "asc" || c->order == "desc");
    CHECK(c->offset >= 0 && c->offset <= ops::kOpsCursorOffsetMax);
    CHECK(c->id.size() == 36 && c->key.size() <= ops::kOpsCursorKeyBytesMax);
    auto back = ops::DecodeOpsCursor(ops::EncodeOpsCursor(*c));
    CHECK(back && back->sort == c->sort && back->offset == c->offset && back->key == c->key);
  }
  std::string key(text.substr(0, ops::kOpsCursorKeyBytesMax));
  if (asobi::IsValidUtf8(key) && key.find('\0') == std::string::npos) {
    ops::OpsCursor c{"username", size % 2 ? "asc" : "desc", int64_t(size),
                     "01930000-0000-7000-8000-000000000992", key};
    auto back = ops::DecodeOpsCursor(ops::EncodeOpsCursor(c));
    CHECK(back && back->key == key && back->offset == int64_t(size));
  }
  (void)ops::IsInt64Text(text);
  return 0;
}
