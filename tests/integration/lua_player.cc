#include "lua_player.h"

#include "itest_clock.h"
#include "json_canon.h"

namespace asobi::itest {

::testing::AssertionResult LuaPlayer::Join(uint16_t port, const std::string& token) {
  if (auto r = ws_.Open(port); !r) return r;
  JsonDoc c = Call("session.connect", R"({"token":")" + token + "\"}");
  if (c.Str({"type"}).value_or("") != "session.connected") {
    return ::testing::AssertionFailure() << "session.connect: " << c.text();
  }
  JsonDoc j = Call("match.find_or_create", R"({"mode":")" + mode_ + "\"}");
  if (j.Str({"type"}).value_or("") != "match.joined") {
    return ::testing::AssertionFailure() << "join: " << j.text();
  }
  return ::testing::AssertionSuccess();
}

std::optional<std::string> LuaPlayer::Await(const std::string& input_fields) {
  std::string cid("e");
  cid.append(std::to_string(++n_));
  EXPECT_TRUE(ws_.SendText(R"({"type":"match.input","payload":{"cid":")" + cid + "\"," +
                           input_fields + "}}"));
  int64_t deadline = NowMs() + wait_ms_;
  while (NowMs() < deadline) {
    JsonDoc d;
    if (!ws_.RecvJson(&d, int(deadline - NowMs()))) break;
    if (d.Str({"type"}).value_or("") != "module.message") continue;
    if (d.Str({"payload", "message", "cid"}).value_or("") != cid) continue;
    return d.Raw({"payload", "message", "result"}).value_or("null");
  }
  ADD_FAILURE() << "no result for " << input_fields;
  return std::nullopt;
}

std::string LuaPlayer::Run(const std::string& input_fields) {
  std::optional<std::string> raw = Await(input_fields);
  return raw ? Canon(*raw) : "";
}

JsonDoc LuaPlayer::RunDoc(const std::string& input_fields) {
  std::optional<std::string> raw = Await(input_fields);
  JsonDoc r;
  if (raw) {
    EXPECT_TRUE(r.Parse(*raw));
  }
  return r;
}

JsonDoc LuaPlayer::Call(const std::string& type, const std::string& payload) {
  std::string cid("c");
  cid.append(std::to_string(++n_));
  EXPECT_TRUE(ws_.SendText(R"({"type":")" + type + R"(","cid":")" + cid + R"(","payload":)" +
                           payload + "}"));
  for (int i = 0; i < 100; ++i) {
    JsonDoc d;
    if (!ws_.RecvJson(&d, wait_ms_)) break;
    if (d.Str({"cid"}).value_or("") == cid) return d;
  }
  return JsonDoc();
}

}  // namespace asobi::itest
