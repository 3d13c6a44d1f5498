// Fuzz target: EnvelopeParser::Parse on arbitrary bytes (websocket.md §1.2 steps 4-5). On
// success, re-serializes payload and cid, checks the output is valid UTF-8 JSON that parses
// back, and builds reply and error frames from the cid. Must never crash or leak.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/check.h"
#include "protocol/envelope.h"
#include "protocol/errors.h"
#include "protocol/frame.h"
#include "protocol/json_writer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static asobi::EnvelopeParser* parser = new asobi::EnvelopeParser();
  static asobi::EnvelopeParser* reparser = new asobi::EnvelopeParser();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto env = parser->Parse(text);
  if (!env.ok()) {
    const std::string& reason = env.error().reason;
    CHECK(reason == "invalid_json" || reason == "invalid_message");
    return 0;
  }
  const std::string payload = asobi::ToJson(env->payload);
  CHECK(asobi::IsValidUtf8(payload));
  CHECK(asobi::IsValidUtf8(env->cid_json));
  (void)asobi::GetString(env->payload, "channel_id");
  (void)asobi::GetInt(env->payload, "tick");

  // The type string may be anything, including invalid-free but hostile text; use it as a
  // reason to exercise escaping (the server never does this on the wire, §1.3).
  const std::string frame = asobi::BuildFrame("echo", payload, env->cid());
  const std::string error = asobi::BuildErrorFrame(env->type, env->cid(), "match.input");
  auto back = reparser->Parse(frame);
  CHECK(back.ok());
  CHECK(back->has_cid == env->has_cid);
  CHECK(back->cid_json == env->cid_json);
  CHECK(asobi::ToJson(back->payload) == payload);
  auto err = reparser->Parse(error);
  CHECK(err.ok());
  CHECK(err->type == "error");
  return 0;
}
