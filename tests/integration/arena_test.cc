// The bundled arena (lua/arena, a byte-identical copy of shared/examples/arena; issue 13
// item 5) end to end against the real server and PostgreSQL: one registered player queues for
// `arena`, bots fill the other seats and the roster goal, the player moves and shoots in
// round 1, votes on the next round's modifier, and after the match the coins are in the
// wallet and the score is on the leaderboard over REST.
//
// The server plays a copy of the bundled games whose arena rounds last kRoundMs instead of
// 90 s (warmup, intermissions, vote window and results keep the script's own 8/15/10/6 s), so
// the whole match takes about 1 min 45 s instead of 5 min 15 s; the first test checks that the
// bundled files themselves are the shared example. The only server knob used is --bot-fill-ms
// (queue fill, lua.md §10).
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>

#include "itest_clock.h"
#include "json_doc.h"
#include "server_suite.h"
#include "ws_client.h"

namespace asobi::itest {
namespace {

constexpr int64_t kMatchedWaitMs = 20000;  // bot fill every 1 s (--bot-fill-ms)
constexpr int64_t kRoundMs = 20000;        // the copy's round length (the script's: 90000)
constexpr int64_t kPhaseWaitMs = 60000;    // longest phase: a round, on a loaded machine
constexpr int64_t kInputEveryMs = 250;     // keeps the socket alive (60 s idle timeout)

std::string ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

// One arena player over WebSocket. Pump() reads frames until one matches, sending the current
// input every kInputEveryMs meanwhile, as a real client does at its input rate.
class ArenaPlayer {
 public:
  ::testing::AssertionResult Connect(uint16_t port, const std::string& token) {
    if (auto r = ws_.Open(port); !r) return r;
    JsonDoc reply = Call("session.connect", R"({"token":")" + token + "\"}");
    if (reply.Str({"type"}).value_or("") != "session.connected") {
      return ::testing::AssertionFailure() << "session.connect: " << reply.text();
    }
    return ::testing::AssertionSuccess();
  }
  /// Sends a request and pumps until the frame with its cid.
  JsonDoc Call(const std::string& type, const std::string& payload_json) {
    std::string cid = std::to_string(++cid_);
    ws_.SendText(R"({"type":")" + type + R"(","cid":")" + cid + R"(","payload":)" + payload_json +
                 "}");
    JsonDoc out;
    Pump([&](const JsonDoc& d) { return d.Str({"cid"}).value_or("") == cid; }, 10000, &out);
    return out;
  }
  void SetInput(std::string payload_json) { input_ = std::move(payload_json); }
  /// Reads frames until `pred` holds for one (returned in *out) or `timeout_ms` passes.
  bool Pump(const std::function<bool(const JsonDoc&)>& pred, int64_t timeout_ms, JsonDoc* out) {
    int64_t deadline = NowMs() + timeout_ms;
    while (NowMs() < deadline) {
      if (!input_.empty() && NowMs() >= next_input_ms_) {
        ws_.SendText(R"({"type":"match.input","payload":)" + input_ + "}");
        next_input_ms_ = NowMs() + kInputEveryMs;
      }
      JsonDoc d;
      if (!ws_.RecvJson(&d, 100)) continue;
      ++frames_;
      std::string type = d.Str({"type"}).value_or("");
      if (type == "match.state") last_state_ = d.text();
      if (type == "match.finished") finished_ = true;
      if (pred(d)) {
        *out = std::move(d);
        return true;
      }
    }
    return false;
  }
  bool PumpType(const std::string& type, int64_t timeout_ms, JsonDoc* out) {
    return Pump([&](const JsonDoc& d) { return d.Str({"type"}).value_or("") == type; }, timeout_ms,
                out);
  }
  const std::string& last_state() const { return last_state_; }

 private:
  WsClient ws_;
  std::string input_;
  std::string last_state_;
  int64_t next_input_ms_ = 0;
  int64_t frames_ = 0;
  bool finished_ = false;
  int cid_ = 0;
};

class ArenaTest : public ServerSuite<ArenaTest> {
 protected:
  static void SetUpTestSuite() {
    db_ = new TestDatabase();
    ASSERT_TRUE(db_->ok()) << db_->error();
    server_ = new ServerProcess();
    ServerOptions o;
    o.flags = db_->ServerFlags();
    // The bundled game dir (lua/config.lua registers `arena`) with shorter rounds.
    dir_ = new std::string(CopyBundledGames(
        "/tmp/asobi_arena_XXXXXX", {{"arena/match.lua", "local ROUND_MS        = 90000",
                                     "local ROUND_MS        = " + std::to_string(kRoundMs)}}));
    o.flags.insert(o.flags.end(),
                   {"--game-dir", *dir_, "--bot-fill-ms", "1000", "--ws-rate-limit", "1000"});
    ASSERT_TRUE(StartReady(server_, o));
  }
};

// The bundled copy is the shared example, byte for byte (the engine fits the script).
TEST_F(ArenaTest, BundledCopyIsTheSharedExample) {
  const char* root = std::getenv("ASOBI_SOURCE_ROOT");
  ASSERT_NE(root, nullptr);
  const std::string shared = "/work/shared/examples/arena/";
  for (const char* f : {"config.lua", "match.lua", "arena_rules.lua", "bots/arena_bot.lua"}) {
    std::string ours = ReadFile(std::string(root) + "/lua/arena/" + f);
    ASSERT_FALSE(ours.empty()) << f;
    std::string theirs = ReadFile(shared + f);
    ASSERT_FALSE(theirs.empty()) << shared << f;
    EXPECT_EQ(ours, theirs) << f;
  }
}

TEST_F(ArenaTest, OnePlayerPlaysAgainstBotsVotesAndIsPaid) {
  const auto reg = Register("arena_hero");  // named members: lambdas below capture them
  const std::string player_id = reg.first, token = reg.second;
  ASSERT_FALSE(token.empty());
  ArenaPlayer p;
  ASSERT_TRUE(p.Connect(server_->port(), token));
  JsonDoc q = p.Call("matchmaker.add", R"({"mode":"arena"})");
  ASSERT_EQ(q.Str({"type"}).value_or(""), "matchmaker.queued") << q.text();

  JsonDoc d;
  ASSERT_TRUE(p.PumpType("match.matched", kMatchedWaitMs, &d)) << "no bot fill";
  std::string match_id = d.Str({"payload", "match_id"}).value_or("");
  ASSERT_FALSE(match_id.empty()) << d.text();

  // The script's welcome note, then warmup states that list the roster.
  ASSERT_TRUE(p.Pump(
      [](const JsonDoc& f) {
        return f.Str({"type"}).value_or("") == "match.state" &&
               f.Str({"payload", "phase"}).value_or("") == "warmup";
      },
      kPhaseWaitMs, &d))
      << p.last_state();
  EXPECT_EQ(d.Int({"payload", "rounds"}).value_or(0), 3) << d.text();

  // Round 1 starts (match.round_start broadcast); bots topped the roster up to six.
  ASSERT_TRUE(p.PumpType("match.round_start", kPhaseWaitMs, &d)) << p.last_state();
  EXPECT_EQ(d.Int({"payload", "round"}).value_or(0), 1) << d.text();
  EXPECT_EQ(d.Int({"payload", "duration_ms"}).value_or(0), kRoundMs) << d.text();

  // Move right and shoot at the far right wall: the own fighter's x grows and the own
  // cooldown (only in the own view) shows a shot was fired.
  double x0 = -1;
  ASSERT_TRUE(p.Pump(
      [&](const JsonDoc& f) {
        if (f.Str({"type"}).value_or("") != "match.state") return false;
        if (f.Str({"payload", "phase"}).value_or("") != "round") return false;
        auto x = f.Raw({"payload", "players", player_id, "x"});
        if (!x) return false;
        x0 = std::stod(*x);
        return true;
      },
      10000, &d))
      << p.last_state();
  p.SetInput(R"({"move_x":1,"move_y":0,"aim_x":1600,"aim_y":500,"shoot":true})");
  bool moved = false, fired = false, shots = false;
  ASSERT_TRUE(p.Pump(
      [&](const JsonDoc& f) {
        if (f.Str({"type"}).value_or("") != "match.state") return false;
        auto x = f.Raw({"payload", "players", player_id, "x"});
        if (x && std::stod(*x) > x0) moved = true;
        if (f.Int({"payload", "you", "cooldown_ms"}).value_or(0) > 0) fired = true;
        if (f.Raw({"payload", "projectiles"}).value_or("[]") != "[]") shots = true;
        return moved && fired && shots;
      },
      20000, &d))
      << "moved " << moved << " fired " << fired << " shots " << shots << "\n"
      << p.last_state();
  EXPECT_EQ(d.Str({"payload", "you", "id"}).value_or(""), player_id);
  int roster = 0;
  std::string players = d.Raw({"payload", "players"}).value_or("");
  for (size_t at = players.find("\"alive\""); at != std::string::npos;
       at = players.find("\"alive\"", at + 1)) {
    ++roster;
  }
  EXPECT_EQ(roster, 6) << d.text();  // ROSTER_GOAL: 1 player, 3 queue-fill bots, 2 added bots
  p.SetInput(R"({"move_x":0,"move_y":0,"shoot":false})");

  // Round 1 ends, the intermission opens the modifier vote to every roster member.
  ASSERT_TRUE(p.PumpType("match.round_over", kPhaseWaitMs, &d)) << p.last_state();
  EXPECT_EQ(d.Int({"payload", "round"}).value_or(0), 1) << d.text();
  ASSERT_TRUE(p.PumpType("match.vote_start", 20000, &d)) << p.last_state();
  std::string vote_id = d.Str({"payload", "vote_id"}).value_or("");
  ASSERT_FALSE(vote_id.empty()) << d.text();
  EXPECT_EQ(d.Str({"payload", "template"}).value_or(""), "round_modifier") << d.text();
  EXPECT_EQ(d.Str({"payload", "method"}).value_or(""), "plurality") << d.text();
  EXPECT_EQ(d.Int({"payload", "window_ms"}).value_or(0), 10000) << d.text();
  EXPECT_EQ(d.Str({"payload", "options", "0", "id"}).value_or(""), "rapid_fire") << d.text();

  JsonDoc cast = p.Call("vote.cast", R"({"vote_id":")" + vote_id + R"(","option_id":"vampire"})");
  EXPECT_EQ(cast.Str({"type"}).value_or(""), "vote.cast_ok") << cast.text();

  ASSERT_TRUE(p.Pump(
      [&](const JsonDoc& f) {
        return f.Str({"type"}).value_or("") == "match.vote_result" &&
               f.Str({"payload", "vote_id"}).value_or("") == vote_id;
      },
      20000, &d))
      << p.last_state();
  std::string winner = d.Str({"payload", "winner"}).value_or("");
  EXPECT_TRUE(winner == "rapid_fire" || winner == "heavy_rounds" || winner == "vampire")
      << d.text();
  EXPECT_GE(d.Int({"payload", "counts", "vampire"}).value_or(0), 1) << d.text();
  EXPECT_GE(d.Int({"payload", "total_votes"}).value_or(0), 1) << d.text();

  // The script applies the winner to round 2.
  ASSERT_TRUE(p.PumpType("match.modifier_chosen", 5000, &d)) << p.last_state();
  EXPECT_EQ(d.Str({"payload", "modifier"}).value_or(""), winner) << d.text();
  ASSERT_TRUE(p.PumpType("match.round_start", kPhaseWaitMs, &d)) << p.last_state();
  EXPECT_EQ(d.Int({"payload", "round"}).value_or(0), 2) << d.text();
  EXPECT_EQ(d.Str({"payload", "modifier"}).value_or(""), winner) << d.text();

  // Rounds 2 and 3 play out; the results broadcast carries the standings with the player.
  ASSERT_TRUE(p.PumpType("match.results", 3 * kPhaseWaitMs, &d)) << p.last_state();
  std::string standings = d.Raw({"payload", "standings"}).value_or("");
  EXPECT_NE(standings.find(player_id), std::string::npos) << d.text();
  int64_t score = -1;
  for (int i = 0; i < 10; ++i) {
    std::string k = std::to_string(i);
    if (d.Str({"payload", "standings", k, "player_id"}).value_or("") == player_id) {
      score = d.Int({"payload", "standings", k, "score"}).value_or(-1);
    }
  }
  ASSERT_GE(score, 0) << d.text();
  ASSERT_TRUE(p.PumpType("match.finished", 30000, &d)) << p.last_state();

  // Paid through the ledger, ranked on the board (both over REST).
  int64_t deadline = NowMs() + 10000;
  std::string wallets, board;
  bool paid = false, ranked = false;
  while (NowMs() < deadline && !(paid && ranked)) {
    JsonDoc w = Json(Call("GET", "/api/v1/wallets", "", token));
    wallets = w.text();
    paid = w.Str({"wallets", "0", "currency"}).value_or("") == "coins" &&
           w.Int({"wallets", "0", "balance"}).value_or(0) >= 10;
    JsonDoc b = Json(Call("GET", "/api/v1/leaderboards/arena_match_score", "", token));
    board = b.text();
    ranked = b.Str({"entries", "0", "player_id"}).value_or("") == player_id &&
             b.Int({"entries", "0", "score"}).value_or(-1) == score &&
             b.Int({"entries", "0", "rank"}).value_or(0) == 1;
  }
  EXPECT_TRUE(paid) << wallets;
  EXPECT_TRUE(ranked) << board;

  // The match's ticks were counted in the tick-lateness histogram on /metrics (10 Hz for the
  // match's ~104 s).
  HttpResponse m = Call("GET", "/metrics");
  ASSERT_EQ(m.status, 200);
  int64_t ticks = 0;
  const std::string key = "asobi_match_tick_lateness_seconds_count{shard=\"";
  for (size_t at = m.body.find(key); at != std::string::npos; at = m.body.find(key, at + 1)) {
    size_t sp = m.body.find(' ', at);
    ticks += std::atoll(m.body.c_str() + sp + 1);
  }
  EXPECT_GE(ticks, 900) << m.body;
}

}  // namespace
}  // namespace asobi::itest
