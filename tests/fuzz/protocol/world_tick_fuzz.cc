// Fuzz target: DecodeBinaryWorldTick on arbitrary bytes (websocket.md §11.1). The decoder must
// be total (reason "malformed" or a frame); an accepted frame must re-encode to exactly the
// same bytes (the decoder accepts only canonical frames) unless it carries fields named
// `op`/`id`, which the encoder never sends; and its JSON form must be one valid world.tick
// text frame. Must never crash or leak.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/check.h"
#include "protocol/envelope.h"
#include "protocol/json_writer.h"
#include "protocol/world_tick/binary_world_tick.h"
#include "protocol/world_tick/json_world_tick.h"

namespace {

bool HasRecordOwnedName(const asobi::world_tick::WorldTickFrame& f) {
  for (const auto& field : f.fields) {
    if (field.name == "op" || field.name == "id") return true;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace asobi::world_tick;
  static asobi::EnvelopeParser* parser = new asobi::EnvelopeParser();
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  WorldTickFrame frame;
  asobi::Status st = DecodeBinaryWorldTick(bytes, &frame);
  if (!st.ok()) {
    CHECK(st.error().reason == "malformed");
    CHECK(!st.error().message.empty());
    return 0;
  }
  CHECK(size >= kMinBinaryFrameBytes);
  std::string again;
  CHECK(EncodeBinaryWorldTick(frame, &again) == Refusal::kNone);
  if (!HasRecordOwnedName(frame)) CHECK(again == bytes);

  const std::string json = EncodeJsonWorldTick(frame);
  CHECK(asobi::IsValidUtf8(json));
  auto env = parser->Parse(json);
  CHECK(env.ok());
  CHECK(env->type == "world.tick");
  return 0;
}
