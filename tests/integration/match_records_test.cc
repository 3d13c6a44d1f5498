// Finished matches against the real server and PostgreSQL (lua.md §3 "Finished"; rest.md
// §3.11): match.finished reaches both players, the match_records row and player_stats are
// written, and the REST routes read them back; /matches/live lists listed live matches.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <string>

#include "http_call.h"
#include "http_client.h"
#include "itest_checks.h"
#include "itest_suite.h"
#include "json_doc.h"
#include "pg_test_db.h"
#include "server_harness.h"
#include "server_suite.h"
#include "ws_client.h"

namespace asobi::itest {
namespace {

constexpr int kWaitMs = 5000;  // bounds a misbehaving server only

// Finishes after 3 ticks; the first player to join wins.
constexpr char kFinisher[] = R"(
match_size = 2
quick_play = true
listed = true
function init() return { tick = 0, order = {} } end
function join(p, s) table.insert(s.order, p) return s end
function leave(p, s) return s end
function handle_input(p, i, s) return s end
function tick(s)
  s.tick = s.tick + 1
  if s.tick == 3 then
    s._finished = true
    s._result = { winner = s.order[1], loser = s.order[2], ticks = s.tick }
  end
  return s
end
function get_state(p, s) return { tick = s.tick } end
)";

class MatchRecordsTest : public ServerSuite<MatchRecordsTest> {
 protected:
  static void SetUpTestSuite() {
    db_ = new TestDatabase();
    ASSERT_TRUE(db_->ok()) << db_->error();
    dir_ = new std::string(MakeGameDir(
        "/tmp/asobi_records_itest_XXXXXX",
        {{"finisher.lua", kFinisher}, {"config.lua", R"(return { finisher = "finisher.lua" })"}}));
    server_ = new ServerProcess();
    ServerOptions o;
    o.flags = db_->ServerFlags();
    o.flags.insert(o.flags.end(),
                   {"--game-dir", *dir_, "--rate-limits", "register=1000/1000,auth=1000/1000"});
    ASSERT_TRUE(StartReady(server_, o));
  }

  static JsonDoc Json(const HttpResponse& r) {
    JsonDoc d;
    EXPECT_TRUE(d.Parse(r.body)) << r.body;
    return d;
  }
};

// Sends a request and returns the frame with its cid, skipping pushes.
JsonDoc Request(WsClient& ws, const std::string& type, const std::string& cid,
                const std::string& payload) {
  EXPECT_TRUE(ws.SendText(R"({"type":")" + type + R"(","cid":")" + cid + R"(","payload":)" +
                          payload + "}"));
  for (int i = 0; i < 100; ++i) {
    JsonDoc d;
    if (!ws.RecvJson(&d, kWaitMs)) break;
    if (d.Str({"cid"}).value_or("") == cid) return d;
  }
  ADD_FAILURE() << "no reply to " << type;
  return JsonDoc();
}

JsonDoc WaitForType(WsClient& ws, const std::string& type) {
  for (int i = 0; i < 200; ++i) {
    JsonDoc d;
    if (!ws.RecvJson(&d, kWaitMs)) break;
    if (d.Str({"type"}).value_or("") == type) return d;
  }
  ADD_FAILURE() << "no " << type;
  return JsonDoc();
}

TEST_F(MatchRecordsTest, FinishedMatchIsRecordedAndServedOverRest) {
  auto [winner, winner_token] = Register("records_winner");
  auto [loser, loser_token] = Register("records_loser");
  WsClient a, b;
  ASSERT_TRUE(a.Open(server_->port()));
  ASSERT_TRUE(b.Open(server_->port()));
  ASSERT_EQ(
      Request(a, "session.connect", "c", R"({"token":")" + winner_token + "\"}").Str({"type"}),
      "session.connected");
  ASSERT_EQ(Request(b, "session.connect", "c", R"({"token":")" + loser_token + "\"}").Str({"type"}),
            "session.connected");
  JsonDoc ja = Request(a, "match.find_or_create", "j", R"({"mode":"finisher"})");
  ASSERT_EQ(ja.Str({"type"}), "match.joined") << ja.text();
  std::string match_id = ja.Str({"payload", "match_id"}).value_or("");

  // Listed and live while waiting.
  JsonDoc live = Json(Call("GET", "/api/v1/matches/live?mode=finisher", "", winner_token));
  EXPECT_NE(live.text().find(match_id), std::string::npos) << live.text();
  EXPECT_EQ(Call("GET", "/api/v1/matches/live").status, 401);

  ASSERT_EQ(Request(b, "match.find_or_create", "j", R"({"mode":"finisher"})").Str({"type"}),
            "match.joined");
  JsonDoc fa = WaitForType(a, "match.finished");
  JsonDoc fb = WaitForType(b, "match.finished");
  EXPECT_EQ(fa.Str({"payload", "match_id"}), match_id);
  EXPECT_EQ(fa.Str({"payload", "result", "winner"}), winner);
  EXPECT_EQ(fb.Str({"payload", "result", "loser"}), loser);

  // The record is written asynchronously: poll the REST route.
  HttpResponse one;
  for (int i = 0; i < 100; ++i) {
    one = Call("GET", "/api/v1/matches/" + match_id, "", winner_token);
    if (one.status == 200) break;
    usleep(50 * 1000);
  }
  ASSERT_EQ(one.status, 200) << one.body;
  JsonDoc rec = Json(one);
  EXPECT_EQ(rec.Str({"id"}), match_id);
  EXPECT_EQ(rec.Str({"mode"}), "finisher");
  EXPECT_EQ(rec.Str({"status"}), "finished");
  EXPECT_EQ(rec.Str({"result", "winner"}), winner);
  EXPECT_EQ(rec.Int({"result", "ticks"}), 3);
  EXPECT_EQ(rec.Str({"started_at"}).value_or("").size(), 24u);
  EXPECT_EQ(rec.Str({"finished_at"}).value_or("").back(), 'Z');

  JsonDoc list = Json(Call("GET", "/api/v1/matches?mode=finisher&limit=5", "", loser_token));
  EXPECT_EQ(list.At({"matches"})->get_array().size(), 1u) << list.text();
  EXPECT_EQ(Json(Call("GET", "/api/v1/matches?mode=other", "", loser_token)).text(),
            R"({"matches":[]})");
  EXPECT_TRUE(IsErrorEnvelope(Call("GET", "/api/v1/matches/not-a-uuid", "", loser_token), 404,
                              "match.not_found"));
  EXPECT_TRUE(IsErrorEnvelope(
      Call("GET", "/api/v1/matches/0190b000-0000-7000-8000-0000000000ee", "", loser_token), 404,
      "match.not_found"));

  // player_stats (lua.md §3): games played by both, a win and a loss.
  for (int i = 0; i < 100; ++i) {
    if (db_->Query("SELECT wins FROM player_stats WHERE player_id = '" + winner + "'") == "1") {
      break;
    }
    usleep(50 * 1000);
  }
  EXPECT_EQ(db_->Query("SELECT games_played || '/' || wins || '/' || losses FROM player_stats "
                       "WHERE player_id = '" +
                       winner + "'"),
            "1/1/0");
  EXPECT_EQ(db_->Query("SELECT games_played || '/' || wins || '/' || losses FROM player_stats "
                       "WHERE player_id = '" +
                       loser + "'"),
            "1/0/1");
  EXPECT_EQ(db_->Query("SELECT players::text FROM match_records WHERE id = '" + match_id + "'"),
            "[\"" + winner + "\", \"" + loser + "\"]");
}

}  // namespace
}  // namespace asobi::itest
