// Fuzz target for the merge operators (script/game_api/merge_ops.h, lua.md §18): the input is
// `<ops JSON>\n<stored JSON>`. The ops are decoded into a Lua table (as a script would pass
// them) and read with ReadMergeOps; the stored text is merged with ApplyMergeOps. Must never
// crash or leak stack slots; every merged result must be a valid JSON object.
#include <cstdint>
#include <cstdlib>
#include <lua.hpp>
#include <string>
#include <string_view>

#include "script/game_api/merge_ops.h"
#include "script/lua_json.h"
#include "script/lua_state.h"

namespace {

using asobi::script::LuaState;

struct Fixture {
  std::unique_ptr<LuaState> state = std::move(LuaState::Create().value());
  simdjson::dom::parser parser;
  simdjson::dom::parser checker;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Fixture* f = new Fixture();
  lua_State* L = f->state->get();
  std::string_view in(reinterpret_cast<const char*>(data), size);
  size_t nl = in.find('\n');
  std::string_view ops_text = in.substr(0, nl);
  std::string_view stored = nl == std::string_view::npos ? "" : in.substr(nl + 1);
  simdjson::dom::element el;
  if (f->parser.parse(ops_text.data(), ops_text.size()).get(el) != simdjson::SUCCESS) return 0;
  if (!asobi::script::PushJsonElement(L, el).ok()) return 0;
  auto ops = asobi::script::game_api::ReadMergeOps(L, -1, 4096);
  lua_pop(L, 1);
  if (lua_gettop(L) != 0) std::abort();
  if (!ops.ok()) return 0;
  // ApplyMergeOps expects stored values that came from PostgreSQL or the encoder: valid JSON.
  simdjson::dom::element check;
  if (!stored.empty() &&
      f->checker.parse(stored.data(), stored.size()).get(check) != simdjson::SUCCESS) {
    return 0;
  }
  const std::string current(stored);
  auto merged = asobi::script::game_api::ApplyMergeOps(current, *ops);
  if (merged.ok()) {
    simdjson::dom::element out;
    if (f->checker.parse(*merged).get(out) != simdjson::SUCCESS || !out.is_object()) std::abort();
  }
  return 0;
}
