#include "script/protected_call.h"

#include <algorithm>
#include <lua.hpp>

namespace asobi::script {
namespace {

struct Frame {
  void (*thunk)(lua_State*, void*);
  void* ctx;
};

int Trampoline(lua_State* L) {
  auto* frame = static_cast<Frame*>(lua_touserdata(L, 1));
  lua_pop(L, 1);
  frame->thunk(L, frame->ctx);
  return 0;
}

}  // namespace

ProtectedStatus RunProtectedRaw(lua_State* L, void (*thunk)(lua_State*, void*), void* ctx) {
  Frame frame{thunk, ctx};
  const int top = lua_gettop(L);
  const int rc = lua_cpcall(L, &Trampoline, &frame);
  ProtectedStatus st;
  if (rc != 0) {
    st.ok = false;
    st.out_of_memory = rc == LUA_ERRMEM;
    size_t len = 0;
    const char* msg = lua_type(L, -1) == LUA_TSTRING ? lua_tolstring(L, -1, &len) : nullptr;
    if (msg != nullptr) {
      st.message.assign(msg, std::min<size_t>(len, 1024));
    } else {
      st.message = st.out_of_memory ? "not enough memory" : "host error";
    }
  }
  lua_settop(L, top);
  return st;
}

}  // namespace asobi::script
