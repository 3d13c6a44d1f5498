// Seasons against the real server and PostgreSQL (docs/seasons.md, docs/decisions.md
// "Seasons"): the REST reads and their errors, a short season's rollover (standings archived
// and readable, the live board empty for the next season, rewards by rank through the
// ledger), exactly-once rewards and archive across a restart, and bad seasons files.
#include <gtest/gtest.h>
#include <time.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "http_call.h"
#include "http_client.h"
#include "itest_clock.h"
#include "itest_suite.h"
#include "json_canon.h"
#include "json_doc.h"
#include "lua_player.h"
#include "pg_test_db.h"
#include "server_harness.h"
#include "server_suite.h"

namespace asobi::itest {
namespace {

constexpr int kWaitMs = 30000;  // bounds a misbehaving server only
constexpr char kNoPlayer[] = "0190c000-0000-7000-8000-0000000000ff";

// game.season as a solo Lua mode sees it (LuaPlayer): the current and the next season.
constexpr char kRunSeason[] = R"(
local function run(p, i)
  local c = game.season.current()
  local n = game.season.next()
  local out = { bad = game.season.current(1).error, next = "none", current = "none" }
  if c then
    out.current = { id = c.id, name = c.name, starts_at = c.starts_at, ends_at = c.ends_at,
                    boards = c.leaderboards, mode = c.config.mode,
                    left_ok = c.time_left_ms > 0 and c.time_left_ms <= c.ends_at - c.starts_at }
  end
  if n then out.next = { id = n.id, starts_in_ok = n.time_left_ms > 0 } end
  return out
end
)";

int64_t WallMs() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return int64_t(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

class SeasonTest : public ServerSuite<SeasonTest> {
 protected:
  static void SetUpTestSuite() {
    db_ = new TestDatabase();
    ASSERT_TRUE(db_->ok()) << db_->error();
    dir_ =
        new std::string(MakeGameDir("/tmp/asobi_season_itest_XXXXXX",
                                    {{"seasons.json", R"({"seasons": []})"},
                                     {"seasonal.lua", SoloLuaMode(kRunSeason)},
                                     {"config.lua", R"(return { seasonal = "seasonal.lua" })"}}));
    server_ = new ServerProcess();
    ASSERT_TRUE(StartServer(server_, SeasonsPath()));
  }

  static std::string SeasonsPath() { return *dir_ + "/seasons.json"; }

  static void WriteSeasons(const std::string& name, const std::string& json) {
    std::ofstream(*dir_ + "/" + name, std::ios::trunc) << json;
  }

  static ::testing::AssertionResult StartServer(ServerProcess* s, const std::string& seasons) {
    ServerOptions o;
    o.flags = db_->ServerFlags();
    o.flags.insert(o.flags.end(),
                   {"--rate-limits", "register=1000/1000,auth=1000/1000,api=100000/1000",
                    "--leaderboard-client-submit", "all", "--leaderboard-flush-ms", "3600000",
                    "--season-tick-ms", "50", "--seasons", seasons, "--game-dir", *dir_,
                    "--ws-rate-limit", "1000"});
    return StartReady(s, o);
  }

  static ::testing::AssertionResult Restart(const std::string& seasons) {
    ::testing::AssertionResult stopped = server_->Stop();
    if (!stopped) return stopped;
    delete server_;
    server_ = new ServerProcess();
    return StartServer(server_, seasons);
  }

  static std::string Q(const std::string& sql) {
    std::optional<std::string> v = db_->Query(sql);
    EXPECT_TRUE(v.has_value()) << sql << ": " << db_->error();
    return v.value_or("<error>");
  }

  // Polls GET /seasons/:id until its status is `want`; returns the last status seen.
  static std::string WaitStatus(const std::string& id, const std::string& want,
                                const std::string& token) {
    std::string got;
    for (int64_t deadline = NowMs() + kWaitMs; NowMs() < deadline;) {
      got = Json(Call("GET", "/api/v1/seasons/" + id, "", token)).Str({"status"}).value_or("");
      if (got == want) break;
      usleep(20 * 1000);
    }
    return got;
  }

  static std::string Balance(const std::string& player) {
    return Q("SELECT coalesce((SELECT balance FROM wallets WHERE player_id = '" + player +
             "' AND currency = 'gems'), 0)");
  }
};

TEST_F(SeasonTest, ReadsAndUnknownIds) {
  auto [id, token] = Register("season_reads");
  const int64_t now = WallMs();
  const int64_t day = 86400000;
  WriteSeasons("reads.json",
               R"({"seasons": [)"
               R"({"id": "past", "name": "Past", "starts_at": 1000, "ends_at": 2000,)"
               R"( "leaderboards": ["r1"]},)"
               R"({"id": "later", "name": "Later", "starts_at": )" +
                   std::to_string(now + day) + R"(, "ends_at": )" + std::to_string(now + 2 * day) +
                   R"(},)"
                   R"({"id": "now", "name": "Now", "starts_at": )" +
                   std::to_string(now - day) + R"(, "ends_at": )" + std::to_string(now + day) +
                   R"(, "leaderboards": ["r1", "r2"], "config": {"mode": "arena"},)"
                   R"( "rewards": [{"from": 1, "to": 1, "currency": "gems", "amount": 5}]}]})");
  ASSERT_TRUE(Restart(*dir_ + "/reads.json"));
  EXPECT_EQ(WaitStatus("now", "active", token), "active");

  JsonDoc all = Json(Call("GET", "/api/v1/seasons", "", token));
  EXPECT_EQ(all.Str({"seasons", "0", "id"}), "past") << all.text();  // by starts_at
  EXPECT_EQ(all.Str({"seasons", "1", "id"}), "now");
  EXPECT_EQ(all.Str({"seasons", "2", "id"}), "later");
  EXPECT_EQ(all.Str({"seasons", "2", "status"}), "upcoming");
  // New to the server after its end: ended at once, nothing archived.
  EXPECT_EQ(all.Str({"seasons", "0", "status"}), "ended");
  EXPECT_EQ(Q("SELECT count(*) FROM season_archives WHERE season_id = 'past'"), "0");
  JsonDoc upcoming = Json(Call("GET", "/api/v1/seasons?status=upcoming&limit=1", "", token));
  EXPECT_EQ(upcoming.Str({"seasons", "0", "id"}), "later") << upcoming.text();
  EXPECT_EQ(upcoming.At({"seasons"})->get_array().size(), 1u);

  JsonDoc cur = Json(Call("GET", "/api/v1/seasons/current", "", token));
  EXPECT_EQ(cur.Str({"id"}), "now") << cur.text();
  EXPECT_EQ(cur.Str({"name"}), "Now");
  EXPECT_EQ(cur.Str({"status"}), "active");
  EXPECT_EQ(cur.Int({"starts_at"}), now - day);
  EXPECT_EQ(cur.Int({"ends_at"}), now + day);
  EXPECT_EQ(cur.Raw({"leaderboards"}), R"(["r1","r2"])");
  EXPECT_EQ(cur.Raw({"config"}), R"({"mode":"arena"})");
  EXPECT_EQ(Canon(cur.Raw({"rewards"}).value_or("")),
            Canon(R"([{"from":1,"to":1,"currency":"gems","amount":5}])"));
  JsonDoc one = Json(Call("GET", "/api/v1/seasons/later", "", token));
  EXPECT_EQ(one.Str({"name"}), "Later");

  // Lua sees the same seasons (from the file, in memory).
  {
    LuaPlayer lua("seasonal");
    ASSERT_TRUE(lua.Join(server_->port(), token));
    EXPECT_EQ(lua.Run("\"x\":1"),
              Canon(R"j({"bad":"game.season.current requires ()","current":{"id":"now",)j"
                    R"("name":"Now","starts_at":)" +
                    std::to_string(now - day) + R"(,"ends_at":)" + std::to_string(now + day) +
                    R"(,"boards":["r1","r2"],"mode":"arena","left_ok":true},)"
                    R"("next":{"id":"later","starts_in_ok":true}})"));
  }

  // Not archived yet: no entries. Unknown and malformed ids: 404 season.not_found.
  HttpResponse empty = Call("GET", "/api/v1/seasons/now/leaderboards/r1", "", token);
  EXPECT_EQ(empty.status, 200);
  EXPECT_EQ(empty.body, R"({"season_id":"now","entries":[]})");
  for (std::string path :
       {std::string("/api/v1/seasons/nope"), std::string("/api/v1/seasons/bad%20id"),
        std::string("/api/v1/seasons/nope/leaderboards/r1"),
        "/api/v1/seasons/" + std::string(70, 'x')}) {
    HttpResponse r = Call("GET", path, "", token);
    EXPECT_EQ(r.status, 404) << path << r.body;
    EXPECT_EQ(Json(r).Str({"error", "code"}), "season.not_found") << path;
  }
  EXPECT_EQ(Call("GET", "/api/v1/seasons").status, 401);
  EXPECT_EQ(Call("GET", "/api/v1/seasons/current").status, 401);

  // No running season: 404 season.not_found on /current.
  WriteSeasons("later_only.json", R"({"seasons": [{"id": "later2", "name": "L", "starts_at": )" +
                                      std::to_string(now + 3 * day) + R"(, "ends_at": )" +
                                      std::to_string(now + 4 * day) + "}]}");
  Q("UPDATE seasons SET starts_at = starts_at + 100 * 86400000::bigint, ends_at = ends_at + 100 "
    "* 86400000::bigint WHERE id = 'now'");
  ASSERT_TRUE(Restart(*dir_ + "/later_only.json"));
  HttpResponse none = Call("GET", "/api/v1/seasons/current", "", token);
  EXPECT_EQ(none.status, 404) << none.body;
  EXPECT_EQ(Json(none).Str({"error", "code"}), "season.not_found");
  LuaPlayer lua("seasonal");
  ASSERT_TRUE(lua.Join(server_->port(), token));
  EXPECT_EQ(lua.Run("\"x\":1"),
            Canon(R"j({"bad":"game.season.current requires ()","current":"none",)j"
                  R"("next":{"id":"later2","starts_in_ok":true}})"));
}

TEST_F(SeasonTest, RolloverArchivesResetsAndRewardsOnceAcrossARestart) {
  std::vector<std::pair<std::string, std::string>> p;
  for (int i = 0; i < 4; ++i) p.push_back(Register("season_roll_" + std::to_string(i)));
  // s1 ends a few seconds after the server is up; s2 follows it on the same board.
  const int64_t now = WallMs();
  const int64_t end = now + 15000;  // room for a restart and 5 requests on a loaded machine
  WriteSeasons("roll.json",
               R"({"seasons": [{"id": "s1", "name": "Season 1", "starts_at": )" +
                   std::to_string(now - 1000) + R"(, "ends_at": )" + std::to_string(end) +
                   R"(, "leaderboards": ["ladder", "kills"], "rewards": [)"
                   R"({"from": 1, "to": 1, "currency": "gems", "amount": 100},)"
                   R"({"from": 2, "to": 3, "currency": "gems", "amount": 10}]},)"
                   R"({"id": "s2", "name": "Season 2", "starts_at": )" +
                   std::to_string(end) + R"(, "ends_at": )" + std::to_string(end + 86400000) +
                   R"(, "leaderboards": ["ladder"]}]})");
  // Seasons of other tests, if any, are over.
  Q("UPDATE seasons SET status = 'ended' WHERE id NOT IN ('s1', 's2')");
  ASSERT_TRUE(Restart(*dir_ + "/roll.json"));
  const std::string& token = p[0].second;
  ASSERT_EQ(Json(Call("GET", "/api/v1/seasons/current", "", token)).Str({"id"}), "s1");
  const int scores[] = {50, 70, 10, 30};
  for (int i = 0; i < 4; ++i) {
    HttpResponse s = Call("POST", "/api/v1/leaderboards/ladder",
                          R"({"score":)" + std::to_string(scores[i]) + "}", p[size_t(i)].second);
    ASSERT_EQ(s.status, 200) << s.body;
  }
  ASSERT_EQ(Call("POST", "/api/v1/leaderboards/kills", R"({"score":3})", p[2].second).status, 200);
  ASSERT_LT(WallMs(), end) << "the machine was too slow to submit within the season";

  ASSERT_EQ(WaitStatus("s1", "ended", token), "ended");
  // The archive: ranked as the board was (p1 70, p0 50, p3 30, p2 10).
  JsonDoc arch = Json(Call("GET", "/api/v1/seasons/s1/leaderboards/ladder?limit=3", "", token));
  ASSERT_EQ(arch.At({"entries"})->get_array().size(), 3u) << arch.text();
  EXPECT_EQ(arch.Str({"season_id"}), "s1");
  EXPECT_EQ(arch.Str({"entries", "0", "player_id"}), p[1].first);
  EXPECT_EQ(arch.Int({"entries", "0", "score"}), 70);
  EXPECT_EQ(arch.Int({"entries", "0", "rank"}), 1);
  EXPECT_EQ(arch.Str({"entries", "0", "leaderboard_id"}), "ladder");
  EXPECT_EQ(arch.Str({"entries", "2", "player_id"}), p[3].first);
  EXPECT_EQ(arch.Int({"entries", "2", "rank"}), 3);
  EXPECT_EQ(arch.Str({"entries", "0", "updated_at"}).value_or("").size(), 24u);  // RFC 3339
  // Around a player: p2 is last (rank 4); range 1 gives ranks 3-4.
  JsonDoc near =
      Json(Call("GET", "/api/v1/seasons/s1/leaderboards/ladder/around/" + p[2].first + "?range=1",
                "", token));
  ASSERT_EQ(near.At({"entries"})->get_array().size(), 2u) << near.text();
  EXPECT_EQ(near.Str({"entries", "0", "player_id"}), p[3].first);
  EXPECT_EQ(near.Int({"entries", "1", "rank"}), 4);
  for (std::string who : {std::string("not-a-uuid"), std::string(kNoPlayer)}) {
    HttpResponse none =
        Call("GET", "/api/v1/seasons/s1/leaderboards/ladder/around/" + who, "", token);
    EXPECT_EQ(none.status, 200) << who;
    EXPECT_EQ(none.body, R"({"season_id":"s1","entries":[]})") << who;
  }
  EXPECT_EQ(
      Call("GET", "/api/v1/seasons/zz/leaderboards/ladder/around/" + p[2].first, "", token).status,
      404);
  // The live boards start empty for s2, which is now current.
  EXPECT_EQ(Call("GET", "/api/v1/leaderboards/ladder", "", token).body, R"({"entries":[]})");
  EXPECT_EQ(Call("GET", "/api/v1/leaderboards/kills", "", token).body, R"({"entries":[]})");
  EXPECT_EQ(Json(Call("GET", "/api/v1/seasons/current", "", token)).Str({"id"}), "s2");
  // Rewards per board: ladder ranks 1-3, kills rank 1 (p2).
  EXPECT_EQ(Balance(p[1].first), "100");
  EXPECT_EQ(Balance(p[0].first), "10");
  EXPECT_EQ(Balance(p[3].first), "10");
  EXPECT_EQ(Balance(p[2].first), "100");
  const std::string rewards_sql =
      "SELECT count(*) || '/' || sum(amount) FROM transactions WHERE reason = 'season_reward'";
  EXPECT_EQ(Q(rewards_sql), "4/220");

  // A score of s2, then a crash after the rewards but before `ended` was written: the next
  // server ends s1 again without crediting twice, and s2's score stays on the live board.
  HttpResponse s = Call("POST", "/api/v1/leaderboards/ladder", R"({"score":5})", p[0].second);
  ASSERT_EQ(s.status, 200) << s.body;
  Q("UPDATE seasons SET status = 'active' WHERE id = 's1'");
  ASSERT_TRUE(Restart(*dir_ + "/roll.json"));  // the shutdown flush writes the s2 score
  ASSERT_EQ(WaitStatus("s1", "ended", token), "ended");
  EXPECT_EQ(Q(rewards_sql), "4/220");
  EXPECT_EQ(Balance(p[1].first), "100");
  EXPECT_EQ(Q("SELECT count(*) FROM season_standings WHERE season_id = 's1'"), "5");
  JsonDoc live = Json(Call("GET", "/api/v1/leaderboards/ladder", "", token));
  EXPECT_EQ(live.Str({"entries", "0", "player_id"}), p[0].first) << live.text();
  EXPECT_EQ(live.Int({"entries", "0", "score"}), 5);

  // Erasing a player removes its archived standings (rest.md §3.2), the others stay.
  HttpResponse erased =
      Call("POST", "/api/v1/players/me/erase", R"({"password":"password123"})", p[2].second);
  ASSERT_EQ(erased.status, 200) << erased.body;
  EXPECT_EQ(Q("SELECT count(*) FROM season_standings WHERE season_id = 's1'"), "3");
  EXPECT_EQ(Q("SELECT count(*) FROM season_standings WHERE player_id = '" + p[2].first + "'"), "0");
}

TEST_F(SeasonTest, BadSeasonsFilesStopTheStart) {
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"not valid JSON", "{"},
      {"expected {\"seasons\"", "[]"},
      {"unknown key", R"({"seasons": [{"id": "a", "name": "A", "starts_at": 1, "ends_at": 2, )"
                      R"("end": 3}]})"},
      {"starts_at must be before ends_at",
       R"({"seasons": [{"id": "a", "name": "A", "starts_at": 5, "ends_at": 5}]})"},
      {"overlap", R"({"seasons": [{"id": "a", "name": "A", "starts_at": 1, "ends_at": 10},)"
                  R"({"id": "b", "name": "B", "starts_at": 9, "ends_at": 20}]})"},
      {"defined twice", R"({"seasons": [{"id": "a", "name": "A", "starts_at": 1, "ends_at": 2},)"
                        R"({"id": "a", "name": "B", "starts_at": 3, "ends_at": 4}]})"},
      {"id must be", R"({"seasons": [{"id": "current", "name": "A", "starts_at": 1, )"
                     R"("ends_at": 2}]})"},
      {"rewards must be", R"({"seasons": [{"id": "a", "name": "A", "starts_at": 1, "ends_at": 2, )"
                          R"("rewards": [{"from": 2, "to": 1, "currency": "g", "amount": 1}]}]})"},
      {"listed twice", R"({"seasons": [{"id": "a", "name": "A", "starts_at": 1, "ends_at": 2, )"
                       R"("leaderboards": ["x", "x"]}]})"},
      {"required", R"({"seasons": [{"id": "a", "starts_at": 1, "ends_at": 2}]})"},
  };
  for (const auto& [want, text] : bad) {
    WriteSeasons("bad.json", text);
    ServerProcess s;
    ServerOptions o;
    o.flags = db_->ServerFlags();
    o.flags.insert(o.flags.end(), {"--seasons", *dir_ + "/bad.json"});
    o.start_timeout_ms = 10000;
    ::testing::AssertionResult started = s.Start(o);
    ASSERT_FALSE(started) << want;
    EXPECT_NE(std::string(started.message()).find("bad --seasons"), std::string::npos) << want;
    EXPECT_NE(std::string(started.message()).find(want), std::string::npos) << want << "\n"
                                                                            << started.message();
  }
  ServerProcess missing;
  ServerOptions o;
  o.flags = {"--seasons", *dir_ + "/no_such_file.json"};
  ::testing::AssertionResult started = missing.Start(o);
  ASSERT_FALSE(started);
  EXPECT_NE(std::string(started.message()).find("cannot read the seasons file"), std::string::npos)
      << started.message();
}

}  // namespace
}  // namespace asobi::itest
