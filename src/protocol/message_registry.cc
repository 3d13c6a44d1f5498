#include "protocol/message_registry.h"

namespace asobi {

std::string_view PreconditionFailure(uint32_t flags, bool authenticated, const Envelope& env) {
  if ((flags & kNeedsAuth) != 0 && !authenticated) return "unauthenticated";
  if ((flags & (kNeedsPayload | kNeedsPayloadObject)) != 0 && !env.has_payload) {
    return "missing_field";
  }
  if ((flags & kNeedsPayloadObject) != 0 && !IsObject(env.payload)) return "invalid_payload";
  return {};
}

}  // namespace asobi
