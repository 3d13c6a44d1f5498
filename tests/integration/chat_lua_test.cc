// game.chat.send (lua.md §9 Chat) against the real server and PostgreSQL: a match script sends
// on a `global:` channel its mode declares (`chat_channels`), a socket that joined it gets the
// chat.message, the row is stored; argument and channel errors.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <string>

#include "http_call.h"
#include "http_client.h"
#include "itest_clock.h"
#include "itest_suite.h"
#include "json_doc.h"
#include "pg_test_db.h"
#include "server_harness.h"
#include "server_suite.h"
#include "ws_client.h"

namespace asobi::itest {
namespace {

constexpr int kWaitMs = 10000;  // bounds a misbehaving server only

constexpr char kChatScript[] = R"(
match_size = 1
max_players = 1
quick_play = true
chat_channels = {"room1"}
function init() return {} end
function join(p, s) return s end
function leave(p, s) return s end
function handle_input(p, i, s)
  local r
  if i.op == "send_to" then game.send(i.to, { hello = "from match" }); r = true
  elseif i.op == "short" then r = game.chat.send(i.channel, p)
  else r = game.chat.send(i.channel, i.sender or p, i.content) end
  game.send(p, { cid = i.cid, result = r })
  return s
end
function tick(s) return s end
function get_state(p, s) return {} end
)";

// A socket: connect, request/reply by cid, wait for a push type.
class Sock {
 public:
  ::testing::AssertionResult Connect(uint16_t port, const std::string& token) {
    if (auto r = ws_.Open(port); !r) return r;
    JsonDoc c = Call("session.connect", R"({"token":")" + token + "\"}");
    if (c.Str({"type"}).value_or("") != "session.connected") {
      return ::testing::AssertionFailure() << "session.connect: " << c.text();
    }
    return ::testing::AssertionSuccess();
  }
  JsonDoc Call(const std::string& type, const std::string& payload) {
    std::string cid("c");
    cid.append(std::to_string(++n_));
    EXPECT_TRUE(ws_.SendText(R"({"type":")" + type + R"(","cid":")" + cid + R"(","payload":)" +
                             payload + "}"));
    int64_t deadline = NowMs() + kWaitMs;
    while (NowMs() < deadline) {
      JsonDoc d;
      if (!ws_.RecvJson(&d, int(deadline - NowMs()))) break;
      if (d.Str({"cid"}).value_or("") == cid) return d;
    }
    return JsonDoc();
  }
  // Sends a match.input with a fresh cid; returns the script's `result`, minified.
  std::string Run(const std::string& input_fields) {
    std::string cid("e");
    cid.append(std::to_string(++n_));
    EXPECT_TRUE(ws_.SendText(R"({"type":"match.input","payload":{"cid":")" + cid + "\"," +
                             input_fields + "}}"));
    int64_t deadline = NowMs() + kWaitMs;
    while (NowMs() < deadline) {
      JsonDoc d;
      if (!ws_.RecvJson(&d, int(deadline - NowMs()))) break;
      if (d.Str({"type"}).value_or("") != "module.message") continue;
      if (d.Str({"payload", "message", "cid"}).value_or("") != cid) continue;
      return d.Raw({"payload", "message", "result"}).value_or("null");
    }
    ADD_FAILURE() << "no result for " << input_fields;
    return "";
  }
  std::optional<JsonDoc> WaitFor(const std::string& type) {
    int64_t deadline = NowMs() + kWaitMs;
    while (NowMs() < deadline) {
      JsonDoc d;
      if (!ws_.RecvJson(&d, int(deadline - NowMs()))) return std::nullopt;
      if (d.Str({"type"}).value_or("") == type) return d;
    }
    return std::nullopt;
  }

 private:
  WsClient ws_;
  int n_ = 0;
};

class ChatLuaTest : public ServerSuite<ChatLuaTest> {
 protected:
  static void SetUpTestSuite() {
    db_ = new TestDatabase();
    ASSERT_TRUE(db_->ok()) << db_->error();
    dir_ = new std::string(MakeGameDir(
        "/tmp/asobi_chat_itest_XXXXXX",
        {{"chatty.lua", kChatScript}, {"config.lua", R"(return { chatty = "chatty.lua" })"}}));
    server_ = new ServerProcess();
    ServerOptions o;
    o.flags = db_->ServerFlags();
    o.flags.insert(o.flags.end(), {"--game-dir", *dir_, "--rate-limits",
                                   "register=1000/1000,auth=1000/1000,api=100000/1000"});
    ASSERT_TRUE(StartReady(server_, o));
  }
  static HttpResponse Http(const std::string& method, const std::string& path,
                           const std::string& body = "", const std::string& bearer = "") {
    return HttpCall(server_->port(), method, path, body, bearer);
  }
  // Registers an account: {player_id, access_token}.
  static std::pair<std::string, std::string> Register(const std::string& name) {
    return RegisterPlayer(server_->port(), name);
  }
};

TEST_F(ChatLuaTest, ScriptSendsOnADeclaredGlobalChannel) {
  auto [pid, ptoken] = Register("lua_chat_player");
  auto [lid, ltoken] = Register("lua_chat_listener");
  Sock player, listener;
  ASSERT_TRUE(player.Connect(server_->port(), ptoken));
  ASSERT_TRUE(listener.Connect(server_->port(), ltoken));
  JsonDoc j = listener.Call("chat.join", R"({"channel_id":"global:room1"})");
  ASSERT_EQ(j.Str({"type"}).value_or(""), "chat.joined") << j.text();
  j = player.Call("match.find_or_create", R"({"mode":"chatty"})");
  ASSERT_EQ(j.Str({"type"}).value_or(""), "match.joined") << j.text();

  EXPECT_EQ(player.Run(R"("channel":"global:room1","content":"from lua")"), "true");
  auto m = listener.WaitFor("chat.message");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->Str({"payload", "channel_id"}).value_or(""), "global:room1");
  EXPECT_EQ(m->Str({"payload", "sender_id"}).value_or(""), pid);
  EXPECT_EQ(m->Str({"payload", "content"}).value_or(""), "from lua");
  // sender_id is not checked: any string is delivered (a non-player is not stored).
  EXPECT_EQ(player.Run(R"("channel":"global:room1","sender":"npc_bob","content":"hey")"), "true");
  m = listener.WaitFor("chat.message");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->Str({"payload", "sender_id"}).value_or(""), "npc_bob");
  // Errors never raise.
  EXPECT_EQ(player.Run(R"("channel":"nope","content":"x")"), R"({"error":"invalid_channel_id"})");
  EXPECT_EQ(player.Run(R"("channel":"global:room1","content":")" + std::string(2001, 'x') + "\""),
            R"({"error":"content_too_large"})");
  EXPECT_EQ(player.Run(R"("op":"short","channel":"global:room1")"),
            R"x({"error":"game.chat.send requires (channel_id, sender_id, content)"})x");
  // The player's message is stored (asynchronously, in a batch).
  std::string count;
  int64_t deadline = NowMs() + kWaitMs;
  do {
    count = db_->Query(
                   "SELECT count(*) FROM chat_messages WHERE channel_id = 'global:room1' "
                   "AND sender_id = '" +
                   pid + "' AND content = 'from lua' AND channel_type = 'room'")
                .value_or("");
  } while (count != "1" && NowMs() < deadline && usleep(20 * 1000) == 0);
  EXPECT_EQ(count, "1");
}

// game.send reaches an online player outside the match through the player directory
// (lua.md §9 "any connected player"; issue 11 item 1).
TEST_F(ChatLuaTest, GameSendReachesAPlayerOutsideTheMatch) {
  auto [pid, ptoken] = Register("lua_send_player");
  auto [oid, otoken] = Register("lua_send_other");
  Sock player, other;
  ASSERT_TRUE(player.Connect(server_->port(), ptoken));
  ASSERT_TRUE(other.Connect(server_->port(), otoken));
  JsonDoc j = player.Call("match.find_or_create", R"({"mode":"chatty"})");
  ASSERT_EQ(j.Str({"type"}).value_or(""), "match.joined") << j.text();
  EXPECT_EQ(player.Run(R"("op":"send_to","to":")" + oid + "\""), "true");
  auto m = other.WaitFor("module.message");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->Str({"payload", "module"}).value_or(""), "lua");
  EXPECT_EQ(m->Str({"payload", "message", "hello"}).value_or(""), "from match") << m->text();
}

}  // namespace
}  // namespace asobi::itest
