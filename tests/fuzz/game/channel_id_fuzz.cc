// Fuzz target: chat::ParseChannelId on arbitrary bytes (websocket.md §8.1). A parsed id is
// 1-256 bytes, its parts point inside the input and are consistent with the prefix; a dm:
// id rebuilt from its two parts parses back to the same parts. Must never crash or leak.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/check.h"
#include "base/uuid.h"
#include "game/chat/channel_id.h"

using asobi::chat::ChannelKind;

namespace {

bool Inside(std::string_view part, std::string_view whole) {
  return part.empty() ||
         (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto ref = asobi::chat::ParseChannelId(text);
  if (!ref) return 0;
  CHECK(!text.empty() && text.size() <= asobi::chat::kChannelIdBytesMax);
  CHECK(Inside(ref->name, text) && Inside(ref->a, text) && Inside(ref->b, text) &&
        Inside(ref->world, text));
  switch (ref->kind) {
    case ChannelKind::kRoom:
      CHECK(asobi::IsCanonicalUuid(ref->world));
      break;
    case ChannelKind::kDm: {
      CHECK(!ref->a.empty() && !ref->b.empty());
      std::string again = asobi::chat::DmChannelId(ref->a, ref->b);
      auto back = asobi::chat::ParseChannelId(again);
      CHECK(back && back->kind == ChannelKind::kDm);
      CHECK((back->a == ref->a && back->b == ref->b) || (back->a == ref->b && back->b == ref->a));
      CHECK(back->a <= back->b);
      break;
    }
    case ChannelKind::kWorld:
    case ChannelKind::kZone:
    case ChannelKind::kProx:
      CHECK(!ref->world.empty());
      break;
    case ChannelKind::kGlobal:
      break;
  }
  CHECK(asobi::chat::ChannelTypeOf(ref->kind) == "dm" || ref->kind != ChannelKind::kDm);
  return 0;
}
