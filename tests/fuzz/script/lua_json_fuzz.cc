// Fuzz target: arbitrary bytes -> simdjson -> Lua (PushJsonElement) -> JSON (EncodeLuaToJson).
// Must never crash or leak stack slots, and every encoding must be valid JSON (object key
// order is unspecified, so the text is not compared with the input).
#include <cstdint>
#include <cstdlib>
#include <lua.hpp>
#include <string>

#include "script/lua_json.h"
#include "script/lua_state.h"

namespace {

using asobi::script::EncodeLuaToJson;
using asobi::script::JsonShape;
using asobi::script::LuaState;
using asobi::script::LuaToJsonOptions;
using asobi::script::PushJsonElement;

struct Fixture {
  std::unique_ptr<LuaState> state = std::move(LuaState::Create().value());
  simdjson::dom::parser parser;
  simdjson::dom::parser checker;
  std::string out;
};

void CheckValidJson(Fixture& f) {
  simdjson::dom::element el;
  if (f.checker.parse(f.out).get(el) != simdjson::SUCCESS) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Fixture* f = new Fixture();
  lua_State* L = f->state->get();
  simdjson::dom::element el;
  if (f->parser.parse(reinterpret_cast<const char*>(data), size).get(el) != simdjson::SUCCESS) {
    return 0;
  }
  if (PushJsonElement(L, el).ok()) {
    for (JsonShape shape : {JsonShape::kValue, JsonShape::kObject}) {
      f->out.clear();
      LuaToJsonOptions options;
      options.shape = shape;
      if (!EncodeLuaToJson(L, -1, &f->out, options).ok()) std::abort();
      CheckValidJson(*f);
    }
    f->out.clear();
    LuaToJsonOptions capped;
    capped.max_bytes = size / 2;
    if (EncodeLuaToJson(L, -1, &f->out, capped).ok()) CheckValidJson(*f);
    lua_pop(L, 1);
  }
  if (lua_gettop(L) != 0) std::abort();
  return 0;
}
