// World chat against the real server and PostgreSQL (websocket.md §8.1, §8.4 "World auto-chat"
// with DECISIONS.md wire 4, rest.md "Channel ACL"): `world:`/`zone:`/`prox:` channels open to
// the world's current members only, auto-joined channels announced and delivering
// chat.message, zone channels following a player across zones, and world.leave revoking.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "http_call.h"
#include "itest_checks.h"
#include "itest_clock.h"
#include "itest_suite.h"
#include "json_doc.h"
#include "pg_test_db.h"
#include "server_harness.h"
#include "server_suite.h"
#include "world_player.h"
#include "ws_client.h"

namespace asobi::itest {
namespace {

// A 3x3 world of 100-unit zones; inputs move the player's entity. `chat` (wc) makes members
// hold world, zone and proximity-1 channels plus the mode's global:wclobby.
const char* kWorldBody = R"(
game_type = "world"
match_size = 1
max_players = 4
grid_size = 3
zone_size = 100
tick_rate = 20
broadcast_interval = 1
view_radius = 0
function init(config) return {} end
function join(id, state) return state end
function leave(id, state) return state end
function spawn_position(id, state) return { x = 50, y = 50 } end
function zone_tick(entities, zone_state) return entities, zone_state end
function handle_input(id, input, entities)
  local e = entities[id]
  if e and type(input.x) == "number" then e.x = input.x; e.y = input.y end
  return entities
end
function post_tick(tick, state) return state end
)";

// A match mode declaring 33 global channels (for the 32-channel bound).
const char* kManyGlobals = R"(
match_size = 1
function init(c) return {} end
function join(id, s) return s end
function leave(id, s) return s end
function handle_input(id, i, s) return s end
function tick(s) return s end
function get_state(id, s) return {} end
chat_channels = {}
for i = 1, 33 do chat_channels[i] = "g" .. i end
)";

// The world tests' player plus the chat waits of these tests.
class Player : public WorldPlayer {
 public:
  // Waits until every cid-less (type, channel_id) push of `want` (chat.joined / chat.left)
  // arrived, in any order; other frames read meanwhile are dropped.
  void WaitPushes(std::set<std::pair<std::string, std::string>> want) {
    std::string what;
    for (const auto& [t, ch] : want) what += t + " " + ch + "; ";
    WaitFor(
        [&](const JsonDoc& f) {
          if (f.Has({"cid"})) return false;
          want.erase({f.Str({"type"}).value_or(""), f.Str({"payload", "channel_id"}).value_or("")});
          return want.empty();
        },
        what);
    EXPECT_TRUE(want.empty()) << what;
  }
  void WaitPushes(const std::string& type, const std::vector<std::string>& channels) {
    std::set<std::pair<std::string, std::string>> want;
    for (const std::string& ch : channels) want.insert({type, ch});
    WaitPushes(std::move(want));
  }
  // Waits for the chat.message with `content`; returns its channel_id.
  std::string WaitMessage(const std::string& content) {
    JsonDoc d = WaitFor(
        [&](const JsonDoc& f) {
          return f.Str({"type"}).value_or("") == "chat.message" &&
                 f.Str({"payload", "content"}).value_or("") == content;
        },
        "chat.message " + content);
    return d.Str({"payload", "channel_id"}).value_or("");
  }
};

std::string ChatPayload(const std::string& channel, const std::string& content = "") {
  return R"({"channel_id":")" + channel + R"(","content":")" + content + "\"}";
}

class WorldChatTest : public ServerSuite<WorldChatTest> {
 protected:
  static void SetUpTestSuite() {
    db_ = new TestDatabase();
    ASSERT_TRUE(db_->ok()) << db_->error();
    dir_ = new std::string(MakeGameDir(
        "/tmp/asobi_world_chat_itest_XXXXXX",
        {{"wc.lua", std::string(kWorldBody) +
                        "chat = { world = true, zone = true, proximity = 1 }\n"
                        "chat_channels = { \"wclobby\" }\n"},
         {"plain.lua", kWorldBody},
         {"wcgrace.lua", std::string(kWorldBody) +
                             "chat = { world = true, zone = true, proximity = 1 }\n"
                             "chat_channels = { \"wclobby\" }\nreconnect_grace_ms = 60000\n"},
         // Ends at the first tick after a player left.
         {"wcend.lua", std::string(kWorldBody) +
                           "chat = { world = true }\n"
                           "function leave(id, state) state.quit = true; return state end\n"
                           "function post_tick(tick, state)\n"
                           "  if state.quit then state._finished = true end\n"
                           "  return state\nend\n"},
         {"many.lua", kManyGlobals},
         {"config.lua",
          R"(return { wc = "wc.lua", plain = "plain.lua", many = "many.lua", wcgrace = "wcgrace.lua",
                      wcend = "wcend.lua" })"}}));
    server_ = new ServerProcess();
    ServerOptions o;
    o.flags = db_->ServerFlags();
    o.flags.insert(o.flags.end(), {"--game-dir", *dir_, "--rate-limits",
                                   "register=1000/1000,auth=1000/1000,api=100000/1000",
                                   "--ws-rate-limit", "1000"});
    ASSERT_TRUE(StartReady(server_, o));
  }

  // `p` creates (or joins, with `world_id`) a world of `mode`; returns its id.
  static std::string Enter(Player& p, const std::string& mode, const std::string& world_id = "") {
    JsonDoc j = world_id.empty() ? p.Call("world.create", R"({"mode":")" + mode + "\"}")
                                 : p.Call("world.join", R"({"world_id":")" + world_id + "\"}");
    EXPECT_EQ(j.Str({"type"}).value_or(""), "world.joined") << j.text();
    return j.Str({"payload", "world_id"}).value_or("");
  }
  // The auto channels of a member standing in zone (0,0) of `wid` (proximity 1, 3x3 grid).
  static std::vector<std::string> AutoAtOrigin(const std::string& wid) {
    return {"world:" + wid,         "zone:" + wid + ":0,0", "prox:" + wid + ":0,0",
            "prox:" + wid + ":1,0", "prox:" + wid + ":0,1", "prox:" + wid + ":1,1",
            "global:wclobby"};
  }
};

TEST_F(WorldChatTest, AutoJoinedChannelsDeliverAndFollowTheZone) {
  auto [a_id, a_token] = Register("wchat_a");
  auto [b_id, b_token] = Register("wchat_b");
  auto [c_id, c_token] = Register("wchat_c");
  Player a, b, c;
  ASSERT_TRUE(a.Connect(server_->port(), a_token));
  ASSERT_TRUE(b.Connect(server_->port(), b_token));
  ASSERT_TRUE(c.Connect(server_->port(), c_token));
  const std::string wid = Enter(a, "wc");
  ASSERT_FALSE(wid.empty());
  Enter(b, "wc", wid);
  // Each auto channel is announced with a cid-less chat.joined once messages reach the socket.
  a.WaitPushes("chat.joined", AutoAtOrigin(wid));
  b.WaitPushes("chat.joined", AutoAtOrigin(wid));

  // No chat.join: A's message on world:<wid> reaches B and A (sender holds it too).
  a.Send("chat.send", ChatPayload("world:" + wid, "hello world"));
  EXPECT_EQ(b.WaitMessage("hello world"), "world:" + wid);
  EXPECT_EQ(a.WaitMessage("hello world"), "world:" + wid);
  // Zone and proximity channels deliver as well.
  b.Send("chat.send", ChatPayload("zone:" + wid + ":0,0", "hello zone"));
  EXPECT_EQ(a.WaitMessage("hello zone"), "zone:" + wid + ":0,0");
  b.Send("chat.send", ChatPayload("prox:" + wid + ":1,1", "hello prox"));
  EXPECT_EQ(a.WaitMessage("hello prox"), "prox:" + wid + ":1,1");

  // C is in no world: not_authorized on join and send, 403 on history; members read it.
  JsonDoc r = c.Call("chat.join", R"({"channel_id":"world:)" + wid + "\"}");
  EXPECT_TRUE(IsWsError(r, "not_authorized", "forbidden", c.last_cid())) << r.text();
  r = c.Call("chat.send", ChatPayload("world:" + wid, "intruder"));
  EXPECT_TRUE(IsWsError(r, "not_authorized", "forbidden", c.last_cid())) << r.text();
  r = c.Call("chat.send", ChatPayload("zone:" + wid + ":0,0", "intruder"));
  EXPECT_TRUE(IsWsError(r, "not_authorized", "forbidden", c.last_cid())) << r.text();
  r = c.Call("chat.join", R"({"channel_id":"prox:)" + wid + ":2,2\"}");
  EXPECT_TRUE(IsWsError(r, "not_authorized", "forbidden", c.last_cid())) << r.text();
  const std::string history = "/api/v1/chat/world:" + wid + "/history";
  EXPECT_TRUE(IsErrorEnvelope(Call("GET", history, "", c_token), 403, "forbidden"));
  EXPECT_EQ(Call("GET", history, "", a_token).status, 200);
  EXPECT_EQ(Call("GET", "/api/v1/chat/zone:" + wid + ":2,2/history", "", b_token).status, 200);

  // B walks into zone (1,0): its zone channel and proximity set follow.
  b.Send("world.input", R"({"x":150,"y":50})");
  b.WaitPushes({{"chat.left", "zone:" + wid + ":0,0"},
                {"chat.joined", "zone:" + wid + ":1,0"},
                {"chat.joined", "prox:" + wid + ":2,0"},
                {"chat.joined", "prox:" + wid + ":2,1"}});
  a.Send("chat.send", ChatPayload("zone:" + wid + ":1,0", "to zone 1,0"));
  EXPECT_EQ(b.WaitMessage("to zone 1,0"), "zone:" + wid + ":1,0");

  // world.leave revokes: chat.left pushes before world.left, then every form is refused.
  JsonDoc left = b.Call("world.leave", "{}");
  EXPECT_EQ(left.Str({"type"}).value_or(""), "world.left");
  b.WaitPushes("chat.left",
               {"world:" + wid, "zone:" + wid + ":1,0", "prox:" + wid + ":2,1", "global:wclobby"});
  r = b.Call("chat.send", ChatPayload("world:" + wid, "after leave"));
  EXPECT_TRUE(IsWsError(r, "not_authorized", "forbidden", b.last_cid())) << r.text();
  r = b.Call("chat.join", R"({"channel_id":"world:)" + wid + "\"}");
  EXPECT_TRUE(IsWsError(r, "not_authorized", "forbidden", b.last_cid())) << r.text();
  EXPECT_TRUE(IsErrorEnvelope(Call("GET", history, "", b_token), 403, "forbidden"));
  // A still talks in the world.
  a.Send("chat.send", ChatPayload("world:" + wid, "still here"));
  EXPECT_EQ(a.WaitMessage("still here"), "world:" + wid);
}

TEST_F(WorldChatTest, ExplicitJoinWithoutAutoChatAndRevokeOnLeave) {
  auto [a_id, a_token] = Register("wchat_plain_a");
  auto [b_id, b_token] = Register("wchat_plain_b");
  Player a, b;
  ASSERT_TRUE(a.Connect(server_->port(), a_token));
  ASSERT_TRUE(b.Connect(server_->port(), b_token));
  const std::string wid = Enter(a, "plain");
  ASSERT_FALSE(wid.empty());
  Enter(b, "plain", wid);
  for (Player* p : {&a, &b}) {
    JsonDoc j = p->Call("chat.join", R"({"channel_id":"world:)" + wid + "\"}");
    EXPECT_EQ(j.Str({"type"}).value_or(""), "chat.joined") << j.text();
    EXPECT_EQ(j.Str({"payload", "channel_id"}).value_or(""), "world:" + wid);
  }
  JsonDoc j = b.Call("chat.join", R"({"channel_id":"zone:)" + wid + ":2,2\"}");
  EXPECT_EQ(j.Str({"type"}).value_or(""), "chat.joined") << j.text();
  a.Send("chat.send", ChatPayload("world:" + wid, "explicit"));
  EXPECT_EQ(b.WaitMessage("explicit"), "world:" + wid);
  a.Send("chat.send", ChatPayload("zone:" + wid + ":2,2", "explicit zone"));
  EXPECT_EQ(b.WaitMessage("explicit zone"), "zone:" + wid + ":2,2");

  // Leaving drops the world's channels B joined itself (chat.left pushes) and refuses more.
  EXPECT_EQ(b.Call("world.leave", "{}").Str({"type"}).value_or(""), "world.left");
  b.WaitPushes("chat.left", {"world:" + wid, "zone:" + wid + ":2,2"});
  JsonDoc r = b.Call("chat.send", ChatPayload("world:" + wid, "gone"));
  EXPECT_TRUE(IsWsError(r, "not_authorized", "forbidden", b.last_cid())) << r.text();
  // A's own join stays.
  a.Send("chat.send", ChatPayload("world:" + wid, "a alone"));
  EXPECT_EQ(a.WaitMessage("a alone"), "world:" + wid);
}

TEST_F(WorldChatTest, AutoChannelsDoNotCountTowardThe32ChannelBound) {
  auto [a_id, a_token] = Register("wchat_cap_a");
  Player a;
  ASSERT_TRUE(a.Connect(server_->port(), a_token));
  const std::string wid = Enter(a, "wc");
  ASSERT_FALSE(wid.empty());
  a.WaitPushes("chat.joined", AutoAtOrigin(wid));
  for (int i = 1; i <= 32; ++i) {
    JsonDoc j = a.Call("chat.join", R"({"channel_id":"global:g)" + std::to_string(i) + "\"}");
    EXPECT_EQ(j.Str({"type"}).value_or(""), "chat.joined") << i << " " << j.text();
  }
  JsonDoc r = a.Call("chat.join", R"({"channel_id":"global:g33"})");
  EXPECT_TRUE(IsWsError(r, "too_many_channels", "chat.too_many_channels", a.last_cid()))
      << r.text();
  // A chat.join of an auto channel makes it the socket's own: it counts (still 32 -> refused).
  r = a.Call("chat.join", R"({"channel_id":"world:)" + wid + "\"}");
  EXPECT_TRUE(IsWsError(r, "too_many_channels", "chat.too_many_channels", a.last_cid()))
      << r.text();
  // The auto channels still deliver.
  a.Send("chat.send", ChatPayload("world:" + wid, "capped"));
  EXPECT_EQ(a.WaitMessage("capped"), "world:" + wid);
}

TEST_F(WorldChatTest, AWorldThatEndsDropsItsChannels) {
  auto [a_id, a_token] = Register("wchat_end_a");
  auto [b_id, b_token] = Register("wchat_end_b");
  Player a, b;
  ASSERT_TRUE(a.Connect(server_->port(), a_token));
  ASSERT_TRUE(b.Connect(server_->port(), b_token));
  const std::string wid = Enter(a, "wcend");
  ASSERT_FALSE(wid.empty());
  a.WaitPushes("chat.joined", {"world:" + wid});
  Enter(b, "wcend", wid);
  EXPECT_EQ(b.Call("world.leave", "{}").Str({"type"}).value_or(""), "world.left");
  // B's leave ends the world: A gets world.finished and loses world:<wid>.
  a.WaitPushes({{"world.finished", ""}, {"chat.left", "world:" + wid}});
  JsonDoc r = a.Call("chat.send", ChatPayload("world:" + wid, "after the end"));
  EXPECT_TRUE(IsWsError(r, "not_authorized", "forbidden", a.last_cid())) << r.text();
}

// Polls /metrics until the open WebSocket sessions (asobi_ws_sessions, all shards) number
// `want`; false after 10 s.
bool WaitForSessions(uint16_t port, int64_t want) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    HttpResponse r = HttpCall(port, "GET", "/metrics");
    int64_t sum = 0;
    const std::string needle = "\nasobi_ws_sessions{";
    for (size_t at = r.body.find(needle); at != std::string::npos;
         at = r.body.find(needle, at + 1)) {
      size_t sp = r.body.find("} ", at);
      if (sp == std::string::npos) break;
      sum += std::stoll(r.body.substr(sp + 2));
    }
    if (r.status == 200 && sum == want) return true;
    usleep(10 * 1000);
  }
  return false;
}

TEST_F(WorldChatTest, AReconnectedSocketGetsTheAutoChannelsBack) {
  auto [a_id, a_token] = Register("wchat_grace_a");
  auto [b_id, b_token] = Register("wchat_grace_b");
  Player a;
  auto b = std::make_unique<Player>();
  ASSERT_TRUE(a.Connect(server_->port(), a_token));
  ASSERT_TRUE(b->Connect(server_->port(), b_token));
  const std::string wid = Enter(a, "wcgrace");
  ASSERT_FALSE(wid.empty());
  Enter(*b, "wcgrace", wid);
  b->WaitPushes("chat.joined", AutoAtOrigin(wid));
  b.reset();  // the socket closes; B keeps the seat (and stays a member) in grace
  // A reconnect is a socket that authenticates after the old one closed: wait until the
  // server has seen the close (A's is then the only session), else B2 would be a second
  // socket of a player whose first one is still attached.
  ASSERT_TRUE(WaitForSessions(server_->port(), 1));
  Player b2;
  ASSERT_TRUE(b2.Connect(server_->port(), b_token));
  b2.WaitPushes("chat.joined", AutoAtOrigin(wid));
  a.Send("chat.send", ChatPayload("world:" + wid, "welcome back"));
  EXPECT_EQ(b2.WaitMessage("welcome back"), "world:" + wid);
}

}  // namespace
}  // namespace asobi::itest
