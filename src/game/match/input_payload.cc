#include "game/match/input_payload.h"

namespace asobi::match {
namespace {

thread_local simdjson::dom::parser t_parser;

// True when `v` has at most `budget` levels of nested containers (v itself counts as one).
bool DepthWithin(simdjson::dom::element v, int budget) {
  if (v.is_object()) {
    if (budget <= 0) return false;
    for (auto f : simdjson::dom::object(v)) {
      if (!DepthWithin(f.value, budget - 1)) return false;
    }
  } else if (v.is_array()) {
    if (budget <= 0) return false;
    for (auto e : simdjson::dom::array(v)) {
      if (!DepthWithin(e, budget - 1)) return false;
    }
  }
  return true;
}

}  // namespace

std::optional<std::string> NormalizeInput(JsonValue payload, int max_depth) {
  simdjson::dom::object obj;
  if (payload.get(obj) != simdjson::SUCCESS) return std::nullopt;
  JsonValue input = payload;
  if (obj.size() == 1) {
    simdjson::dom::element data;
    if (obj["data"].get(data) == simdjson::SUCCESS) {
      std::string_view text;
      if (data.is_object()) {
        input = data;
      } else if (data.get(text) == simdjson::SUCCESS) {
        simdjson::dom::element decoded;
        if (t_parser.parse(text.data(), text.size()).get(decoded) != simdjson::SUCCESS ||
            !decoded.is_object()) {
          return std::nullopt;
        }
        input = decoded;
      }
    }
  }
  if (!DepthWithin(input, max_depth)) return std::nullopt;
  return ToJson(input);
}

}  // namespace asobi::match
