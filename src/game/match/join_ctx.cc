#include "game/match/join_ctx.h"

namespace asobi::match {

std::string ValidateJoinCtx(const std::optional<JsonValue>& ctx, std::string* ctx_json) {
  *ctx_json = "{}";
  if (!ctx.has_value()) return {};
  simdjson::dom::object obj;
  if (ctx->get(obj) != simdjson::SUCCESS) return "invalid_join_ctx";
  if (obj.size() > 8) return "join_ctx_too_many_keys";
  for (auto field : obj) {
    if (field.key.empty()) return "invalid_join_ctx_key";
    if (field.key.size() > 64) return "join_ctx_key_too_long";
    switch (field.value.type()) {
      case simdjson::dom::element_type::STRING: {
        std::string_view s;
        if (field.value.get(s) != simdjson::SUCCESS || s.size() > 256) {
          return "join_ctx_value_too_long";
        }
        break;
      }
      case simdjson::dom::element_type::INT64:
      case simdjson::dom::element_type::UINT64:
      case simdjson::dom::element_type::BOOL:
        break;
      default:
        return "invalid_join_ctx_value";
    }
  }
  *ctx_json = ToJson(*ctx);
  return {};
}

}  // namespace asobi::match
