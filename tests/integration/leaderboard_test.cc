// Leaderboards against the real server and PostgreSQL (rest.md §3.7, DECISIONS.md REST 4,
// docs/decisions.md "Leaderboards"): every error row of §3.7, the best/set/incr operators,
// ranks with ties, reads of live and stored boards, the board cap, batched flushes, the
// shutdown flush and a kill -9 followed by a restart.
#include <gtest/gtest.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "game/leaderboard/hydrate_cursor.h"
#include "http_call.h"
#include "http_client.h"
#include "itest_clock.h"
#include "itest_suite.h"
#include "json_canon.h"
#include "json_doc.h"
#include "lua_player.h"
#include "pg_test_db.h"
#include "protocol/json_value.h"
#include "server_harness.h"
#include "server_suite.h"
#include "ws_client.h"

namespace asobi::itest {
namespace {

constexpr int kWaitMs = 10000;  // bounds a misbehaving server only

// A solo mode that runs one game.leaderboard call per input and sends the result back to the
// player as {cid, result} (game.send -> module.message).
const std::string kBoardScript = SoloLuaMode(R"(local function run(p, i)
  local lb = game.leaderboard
  local who = i.player or p
  if i.op == "submit" then return { plain = lb.submit(i.board, who, i.score, i.how) } end
  if i.op == "submit_nan" then return { plain = lb.submit(i.board, who, 0 / 0) } end
  if i.op == "submit_short" then return lb.submit(i.board, who) end
  if i.op == "submit_bad_op" then return lb.submit(i.board, who, 1, "max") end
  if i.op == "top" then return lb.top(i.board, i.count) end
  if i.op == "top_short" then return lb.top(i.board) end
  if i.op == "rank" then return lb.rank(i.board, who) end
  if i.op == "around" then return lb.around(i.board, who, i.count) end
  return { error = "unknown op" }
end
)");

class LeaderboardTest : public ServerSuite<LeaderboardTest> {
 protected:
  static void SetUpTestSuite() {
    db_ = new TestDatabase();
    ASSERT_TRUE(db_->ok()) << db_->error();
    dir_ = new std::string(MakeGameDir(
        "/tmp/asobi_boards_itest_XXXXXX",
        {{"boards.lua", kBoardScript}, {"config.lua", R"(return { boards = "boards.lua" })"}}));
    server_ = new ServerProcess();
    ASSERT_TRUE(StartServer(server_, {}));
  }

  // Starts `s` on the suite's database: boards `open*` and `cap*` accept client submits,
  // flushes every 100 ms.
  static ::testing::AssertionResult StartServer(ServerProcess* s, std::vector<std::string> extra) {
    ServerOptions o;
    o.flags = db_->ServerFlags();
    o.flags.insert(
        o.flags.end(),
        {"--rate-limits", "register=1000/1000,auth=1000/1000,api=100000/1000",
         "--leaderboard-client-submit",
         "open,open_ops,open_parse,open_flush,open_restart,open_kill,open_hydrate,open_pages,open_"
         "ties,"
         "cap_"
         "a,cap_b,cap_c",
         "--leaderboard-flush-ms", "100", "--game-dir", *dir_, "--ws-rate-limit", "1000"});
    o.flags.insert(o.flags.end(), extra.begin(), extra.end());
    return StartReady(s, o);
  }

  static std::string Q(const std::string& sql) {
    std::optional<std::string> v = db_->Query(sql);
    EXPECT_TRUE(v.has_value()) << sql << ": " << db_->error();
    return v.value_or("<error>");
  }
  // POST /leaderboards/:board with `body`; returns the response.
  static HttpResponse Submit(const std::string& board, const std::string& body,
                             const std::string& token) {
    return Call("POST", "/api/v1/leaderboards/" + board, body, token);
  }
  // The `entries` of a read as "player:score:rank" items joined by spaces, with the player
  // ids replaced by the names in `names` (id -> name).
  static std::string Entries(const HttpResponse& r,
                             const std::vector<std::pair<std::string, std::string>>& names) {
    EXPECT_EQ(r.status, 200) << r.body;
    JsonDoc d = Json(r);
    std::optional<JsonValue> entries = d.At({"entries"});
    if (!entries || !entries->is_array()) return "<no entries: " + r.body + ">";
    std::string out;
    for (JsonValue e : entries->get_array()) {
      std::string pid(GetString(e, "player_id").value_or(""));
      for (auto& [id, name] : names) {
        if (id == pid) pid = name;
      }
      if (!out.empty()) out.push_back(' ');
      out += pid + ":" + std::to_string(GetInt(e, "score").value_or(-999)) + ":" +
             std::to_string(GetInt(e, "rank").value_or(-1));
    }
    return out;
  }
  // Polls the database until `sql` answers `want` (bounded); returns the last answer.
  static std::string WaitFor(const std::string& sql, const std::string& want) {
    std::string got;
    for (int64_t deadline = NowMs() + kWaitMs; NowMs() < deadline;) {
      got = Q(sql);
      if (got == want) break;
      usleep(20 * 1000);
    }
    return got;
  }
  static std::string Stored(const std::string& board, const std::string& player) {
    return Q("SELECT score FROM leaderboard_entries WHERE leaderboard_id = '" + board +
             "' AND player_id = '" + player + "'");
  }
};

TEST_F(LeaderboardTest, ClientSubmitIsOptInPerBoard) {
  auto [id, token] = Register("lb_optin");
  HttpResponse r = Submit("closed", R"({"score":5})", token);
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_EQ(Json(r).Str({"error", "code"}), "leaderboard.client_submit_disabled");
  EXPECT_EQ(Entries(Call("GET", "/api/v1/leaderboards/closed", "", token), {}), "");
  // Unauthenticated calls get the envelope.
  HttpResponse u = Call("GET", "/api/v1/leaderboards/open");
  EXPECT_EQ(u.status, 401);
  EXPECT_EQ(Json(u).Str({"error", "code"}), "unauthenticated");
  EXPECT_EQ(Submit("open", R"({"score":5})", "").status, 401);
}

TEST_F(LeaderboardTest, SubmitAnswersTheEntryWithItsRank) {
  auto [id, token] = Register("lb_shape");
  HttpResponse r = Submit("open", R"({"score":42,"sub_score":7})", token);
  ASSERT_EQ(r.status, 200) << r.body;
  JsonDoc d = Json(r);
  EXPECT_EQ(d.Str({"leaderboard_id"}), "open");
  EXPECT_EQ(d.Str({"player_id"}), id);
  EXPECT_EQ(d.Int({"score"}), 42);
  EXPECT_EQ(d.Int({"sub_score"}), 7);  // echoed only
  EXPECT_EQ(d.Int({"rank"}), 1);
  std::string at = d.Str({"updated_at"}).value_or("");
  EXPECT_EQ(at.size(), 24u) << at;  // 2026-11-21T12:00:00.000Z
  EXPECT_EQ(at.back(), 'Z');
  JsonDoc top = Json(Call("GET", "/api/v1/leaderboards/open", "", token));
  EXPECT_EQ(top.Raw({"entries"}),
            Minify(R"([{"leaderboard_id":"open","player_id":")" + id +
                   R"(","score":42,"sub_score":0,"rank":1,"updated_at":")" + at + R"("}])"));
}

TEST_F(LeaderboardTest, BestSetAndIncrOperators) {
  const auto [id, tok] = Register("lb_ops");
  const std::string token = tok;  // lambdas capture variables, not bindings
  auto score = [&](const std::string& body) {
    HttpResponse r = Submit("open_ops", body, token);
    EXPECT_EQ(r.status, 200) << r.body;
    return Json(r).Int({"score"}).value_or(-1);
  };
  EXPECT_EQ(score(R"({"score":10})"), 10);
  EXPECT_EQ(score(R"({"score":5})"), 10);  // best (default) keeps the higher score
  EXPECT_EQ(score(R"({"score":7,"op":"best"})"), 10);
  EXPECT_EQ(score(R"({"score":12,"op":"best"})"), 12);
  EXPECT_EQ(score(R"({"score":3,"op":"set"})"), 3);  // set replaces
  EXPECT_EQ(score(R"({"score":4,"op":"incr"})"), 7);
  EXPECT_EQ(score(R"({"score":-10,"op":"incr"})"), -3);
  for (const char* bad :
       {R"({"score":1,"op":"max"})", R"({"score":1,"op":1})", R"({"score":1,"op":null})"}) {
    HttpResponse r = Submit("open_ops", bad, token);
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_EQ(Json(r).Str({"error", "code"}), "invalid_payload") << bad;
  }
  HttpResponse j = Submit("open_ops", R"({"score":)", token);
  EXPECT_EQ(j.status, 400);
  EXPECT_EQ(Json(j).Str({"error", "code"}), "invalid_json");
  // Wait for the flush first (argument evaluation order is unspecified), then read the row.
  EXPECT_EQ(
      WaitFor("SELECT score FROM leaderboard_entries WHERE leaderboard_id = 'open_ops'", "-3"),
      "-3");
  EXPECT_EQ(Stored("open_ops", id), "-3");
}

TEST_F(LeaderboardTest, ScoresAreParsedTruncatedAndClamped) {
  const std::string token = Register("lb_parse").second;
  auto set = [&](const std::string& score) {
    HttpResponse r = Submit("open_parse", R"({"op":"set","score":)" + score + "}", token);
    EXPECT_EQ(r.status, 200) << r.body;
    return Json(r).Int({"score"}).value_or(-1);
  };
  EXPECT_EQ(set("\"12\""), 0);  // non-number -> 0 (rest.md §3.7)
  EXPECT_EQ(set("null"), 0);
  EXPECT_EQ(set("9.9"), 9);
  EXPECT_EQ(set("-9.9"), -9);
  EXPECT_EQ(set("1e300"), int64_t(1) << 53);
  EXPECT_EQ(set("-1e300"), -(int64_t(1) << 53));
  EXPECT_EQ(set("9223372036854775807"), int64_t(1) << 53);
  EXPECT_EQ(set("18446744073709551615"), int64_t(1) << 53);
  HttpResponse r = Submit("open_parse", "{}", token);
  EXPECT_EQ(Json(r).Int({"score"}), int64_t(1) << 53);  // best of the stored and 0
  // incr saturates at the bound.
  Submit("open_parse", R"({"op":"incr","score":1e300})", token);
  EXPECT_EQ(Json(Submit("open_parse", R"({"op":"incr","score":5})", token)).Int({"score"}),
            int64_t(1) << 53);
}

TEST_F(LeaderboardTest, RanksOrderByScoreThenPlayerIdAndReadsWindow) {
  std::vector<std::pair<std::string, std::string>> names;
  std::vector<std::string> tokens;
  for (int i = 0; i < 6; ++i) {
    auto [id, token] = Register("lb_rank_" + std::to_string(i));
    std::string name("p");
    name.append(std::to_string(i));
    names.emplace_back(id, name);
    tokens.push_back(token);
  }
  // p0..p5 score 10, 50, 30, 30, 20, 40; the two 30s tie and order by player id (p2 was
  // registered first: UUIDv7 ids grow).
  const int scores[] = {10, 50, 30, 30, 20, 40};
  for (int i = 0; i < 6; ++i) {
    ASSERT_EQ(
        Submit("open", R"({"score":)" + std::to_string(scores[i]) + "}", tokens[size_t(i)]).status,
        200);
  }
  const std::string& t = tokens[0];
  // The board also holds lb_shape's 42 (SubmitAnswersTheEntryWithItsRank) when it ran first;
  // read a board of our own instead.
  for (int i = 0; i < 6; ++i) {
    HttpResponse r =
        Submit("open_hydrate", R"({"score":)" + std::to_string(scores[i]) + "}", tokens[size_t(i)]);
    ASSERT_EQ(r.status, 200);
  }
  EXPECT_EQ(Entries(Call("GET", "/api/v1/leaderboards/open_hydrate", "", t), names),
            "p1:50:1 p5:40:2 p2:30:3 p3:30:4 p4:20:5 p0:10:6");
  EXPECT_EQ(Entries(Call("GET", "/api/v1/leaderboards/open_hydrate?limit=2", "", t), names),
            "p1:50:1 p5:40:2");
  // limit clamps to 1..100; a bad integer falls back to the default (rest.md §1.1).
  EXPECT_EQ(Entries(Call("GET", "/api/v1/leaderboards/open_hydrate?limit=0", "", t), names),
            "p1:50:1");
  EXPECT_EQ(Entries(Call("GET", "/api/v1/leaderboards/open_hydrate?limit=x", "", t), names),
            "p1:50:1 p5:40:2 p2:30:3 p3:30:4 p4:20:5 p0:10:6");
  const std::string around = "/api/v1/leaderboards/open_hydrate/around/";
  EXPECT_EQ(Entries(Call("GET", around + names[3].first + "?range=1", "", t), names),
            "p2:30:3 p3:30:4 p4:20:5");
  EXPECT_EQ(Entries(Call("GET", around + names[1].first + "?range=2", "", t), names),
            "p1:50:1 p5:40:2 p2:30:3");
  EXPECT_EQ(Entries(Call("GET", around + names[0].first + "?range=0", "", t), names),
            "p4:20:5 p0:10:6");  // range clamps to 1..50
  EXPECT_EQ(Entries(Call("GET", around + names[0].first + "?range=x", "", t), names),
            "p1:50:1 p5:40:2 p2:30:3 p3:30:4 p4:20:5 p0:10:6");  // default 5 each side
  // No entry, not a player id, unknown board: empty (rest.md §3.7 "unknown board → []").
  auto [other, other_token] = Register("lb_rank_none");
  EXPECT_EQ(Entries(Call("GET", around + other, "", t), names), "");
  EXPECT_EQ(Entries(Call("GET", around + "not-a-uuid", "", t), names), "");
  EXPECT_EQ(Entries(Call("GET", "/api/v1/leaderboards/never_used", "", t), names), "");
  EXPECT_EQ(Entries(Call("GET", "/api/v1/leaderboards/never_used/around/" + other, "", t), names),
            "");
}

TEST_F(LeaderboardTest, ReadsOfABoardThatIsNotLiveReturnStoredRows) {
  auto [a, ta] = Register("lb_stored_a");
  auto [b, tb] = Register("lb_stored_b");
  auto [c, tc] = Register("lb_stored_c");
  Q("INSERT INTO leaderboard_entries (id, leaderboard_id, player_id, score, updated_at) VALUES "
    "(gen_random_uuid(), 'stored', '" +
    a + "', 5, now()), (gen_random_uuid(), 'stored', '" + b +
    "', 9, now()), (gen_random_uuid(), 'stored', '" + c + "', 7, now())");
  std::vector<std::pair<std::string, std::string>> names = {{a, "a"}, {b, "b"}, {c, "c"}};
  EXPECT_EQ(Entries(Call("GET", "/api/v1/leaderboards/stored", "", ta), names),
            "b:9:1 c:7:2 a:5:3");
  EXPECT_EQ(Entries(Call("GET", "/api/v1/leaderboards/stored?limit=1", "", ta), names), "b:9:1");
  EXPECT_EQ(
      Entries(Call("GET", "/api/v1/leaderboards/stored/around/" + a + "?range=1", "", ta), names),
      "c:7:2 a:5:3");
  JsonDoc d = Json(Call("GET", "/api/v1/leaderboards/stored?limit=1", "", ta));
  EXPECT_EQ(d.Str({"entries", "0", "updated_at"}).value_or("").size(), 24u) << d.text();
}

TEST_F(LeaderboardTest, ASubmitHydratesTheBoardFromStoredRows) {
  auto [a, ta] = Register("lb_hyd_a");
  auto [b, tb] = Register("lb_hyd_b");
  Q("INSERT INTO leaderboard_entries (id, leaderboard_id, player_id, score, updated_at) VALUES "
    "(gen_random_uuid(), 'open_flush', '" +
    a + "', 100, now())");
  HttpResponse r = Submit("open_flush", R"({"score":50})", tb);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Json(r).Int({"rank"}), 2);
  // best against the stored row, not against nothing.
  EXPECT_EQ(Json(Submit("open_flush", R"({"score":60})", ta)).Int({"score"}), 100);
  // The new entry reaches the table with the next flush.
  EXPECT_EQ(WaitFor("SELECT score FROM leaderboard_entries WHERE leaderboard_id = 'open_flush' "
                    "AND player_id = '" +
                        b + "'",
                    "50"),
            "50");
  EXPECT_EQ(Q("SELECT count(*) FROM leaderboard_entries WHERE leaderboard_id = 'open_flush'"), "2");
}

// A board of more stored rows than two hydration pages (docs/decisions.md "Leaderboards:
// hydration in pages") loads completely: every row, ranked right, including the last page's.
// A submit and a read sent while the first submit is still loading it wait for the load: the
// incr applies once to the stored score, and the read sees the whole board.
TEST_F(LeaderboardTest, ABoardOfSeveralPagesHydratesCompletelyWithSubmitsDuringIt) {
  const int n = int(leaderboard::kHydrateChunkRows) * 2 + 500;
  const std::string ns = std::to_string(n);
  // Seeded players score 10, 20, ... 10 n; a holds 7 (ranked below them all).
  Q("INSERT INTO players (id, username, inserted_at, updated_at) SELECT gen_random_uuid(), "
    "'lbpage' || i, now(), now() FROM generate_series(1, " +
    ns +
    ") i; INSERT INTO leaderboard_entries (id, leaderboard_id, player_id, score, updated_at) "
    "SELECT gen_random_uuid(), 'open_pages', id, 10 * substr(username, 7)::bigint, now() FROM "
    "players WHERE username LIKE 'lbpage%'");
  const auto [a_id, a_tok] = Register("lb_pages_a");
  const auto [b_id, b_tok] = Register("lb_pages_b");
  const std::string a = a_id, ta = a_tok, b = b_id, tb = b_tok;
  Q("INSERT INTO leaderboard_entries (id, leaderboard_id, player_id, score, updated_at) VALUES "
    "(gen_random_uuid(), 'open_pages', '" +
    a + "', 7, now())");
  ASSERT_EQ(Q("SELECT count(*) FROM leaderboard_entries WHERE leaderboard_id = 'open_pages'"),
            std::to_string(n + 1));

  HttpResponse first, during, read;
  std::thread t1([&] { first = Submit("open_pages", R"({"score":1000000000})", tb); });
  std::thread t2([&] { during = Submit("open_pages", R"({"score":5,"op":"incr"})", ta); });
  std::thread t3([&] { read = Call("GET", "/api/v1/leaderboards/open_pages?limit=2", "", ta); });
  t1.join();
  t2.join();
  t3.join();
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(Json(first).Int({"rank"}), 1);
  ASSERT_EQ(during.status, 200) << during.body;
  EXPECT_EQ(Json(during).Int({"score"}), 12);  // 7 stored + 5, once
  // n - 1 seeded players score above 12, and b once its submit is in (the two raced).
  std::optional<int64_t> a_rank = Json(during).Int({"rank"});
  EXPECT_TRUE(a_rank == n || a_rank == n + 1) << during.body;
  // The read waited for the whole board (b may or may not be in yet: it raced the read).
  JsonDoc rd = Json(read);
  EXPECT_EQ(read.status, 200) << read.body;
  std::optional<int64_t> top = rd.Int({"entries", "0", "score"});
  EXPECT_TRUE(top == 1000000000 || top == 10 * int64_t(n)) << read.body;

  std::vector<std::pair<std::string, std::string>> names = {{a, "a"}, {b, "b"}};
  const std::string top_id =
      Q("SELECT player_id FROM leaderboard_entries WHERE leaderboard_id = 'open_pages' AND "
        "score = " +
        std::to_string(10 * n));
  names.emplace_back(top_id, "top");
  EXPECT_EQ(Entries(Call("GET", "/api/v1/leaderboards/open_pages?limit=2", "", ta), names),
            "b:1000000000:1 top:" + std::to_string(10 * n) + ":2");
  // The seeded player of score 10 i ranks n - i + 2 (b and the n - i seeded above it; a too
  // for i = 1), a between the seeded scores 20 and 10.
  auto rank_of = [&](const std::string& pid) -> std::string {
    JsonDoc d =
        Json(Call("GET", "/api/v1/leaderboards/open_pages/around/" + pid + "?range=1", "", ta));
    for (int k = 0; k < 3; ++k) {
      std::string key = std::to_string(k);
      if (d.Str({"entries", key, "player_id"}) == pid) {
        return std::to_string(d.Int({"entries", key, "score"}).value_or(-1)) + ":" +
               std::to_string(d.Int({"entries", key, "rank"}).value_or(-1));
      }
    }
    return "absent: " + d.text();
  };
  EXPECT_EQ(rank_of(a), "12:" + std::to_string(n + 1));
  // The rows of the first and of the last page (player id order), and the last by rank.
  for (const char* order : {"player_id ASC", "player_id DESC", "score ASC"}) {
    std::string row =
        Q("SELECT player_id || ' ' || (score / 10) FROM leaderboard_entries WHERE leaderboard_id "
          "= 'open_pages' AND score % 10 = 0 AND score <= " +
          std::to_string(10 * n) + " ORDER BY " + order + " LIMIT 1");
    std::string pid = row.substr(0, row.find(' '));
    int64_t i = std::stoll(row.substr(row.find(' ') + 1));
    int64_t rank = n - i + 2 + (i == 1 ? 1 : 0);  // a (12) is above the score 10 only
    EXPECT_EQ(rank_of(pid), std::to_string(10 * i) + ":" + std::to_string(rank)) << order;
  }
  // The incr reaches the table once.
  EXPECT_EQ(WaitFor("SELECT score FROM leaderboard_entries WHERE leaderboard_id = 'open_pages' "
                    "AND player_id = '" +
                        a + "'",
                    "12"),
            "12");
  EXPECT_EQ(Q("SELECT count(*) FROM leaderboard_entries WHERE leaderboard_id = 'open_pages'"),
            std::to_string(n + 2));
}

// Hydration walks the board in rank order (docs/decisions.md "Leaderboards: hydration in rank
// order"): runs of equal scores straddle the page boundaries, and every row still loads once,
// ranked by score then player id. A new player's submit sent while the board loads is
// acknowledged once the load is done, with the rank the whole board gives it.
TEST_F(LeaderboardTest, ABoardOfTiedScoresHydratesInRankOrderAcrossPages) {
  const int n = int(leaderboard::kHydrateChunkRows) * 2 + 500;
  const std::string ns = std::to_string(n);
  // Four scores (0, 10, 20, 30): ~1,375 rows each, so ties cross every page boundary.
  Q("INSERT INTO players (id, username, inserted_at, updated_at) SELECT gen_random_uuid(), "
    "'lbtie' || i, now(), now() FROM generate_series(1, " +
    ns +
    ") i; INSERT INTO leaderboard_entries (id, leaderboard_id, player_id, score, updated_at) "
    "SELECT gen_random_uuid(), 'open_ties', id, 10 * (substr(username, 6)::bigint % 4), now() "
    "FROM players WHERE username LIKE 'lbtie%'");
  const auto [a_id, a_tok] = Register("lb_ties_a");
  const std::string a = a_id, ta = a_tok;
  // a's rank once its 20 is in: every 30 and 20 ordered before it (player id), plus one.
  const std::string want_rank =
      Q("SELECT 1 + count(*) FROM leaderboard_entries WHERE leaderboard_id = 'open_ties' AND "
        "(score > 20 OR (score = 20 AND player_id < '" +
        a + "'))");
  // The rows at each page boundary of the load (rank order), read before a has a row.
  const std::string ranked =
      "SELECT player_id, row_number() OVER (ORDER BY score DESC, player_id) AS rank FROM "
      "leaderboard_entries WHERE leaderboard_id = 'open_ties'";
  std::vector<std::pair<int, std::string>> rows;
  for (int pos : {1, 2499, 2500, 2501, 2502, 4999, 5000, 5001, 5002, n}) {
    rows.emplace_back(
        pos, Q("SELECT player_id FROM (" + ranked + ") r WHERE rank = " + std::to_string(pos)));
    ASSERT_FALSE(rows.back().second.empty()) << pos;
  }
  HttpResponse r = Submit("open_ties", R"({"score":20})", ta);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(std::to_string(Json(r).Int({"rank"}).value_or(-1)), want_rank) << r.body;
  auto around_rank = [&](const std::string& pid) -> std::string {
    JsonDoc d =
        Json(Call("GET", "/api/v1/leaderboards/open_ties/around/" + pid + "?range=1", "", ta));
    for (const char* k : {"0", "1", "2"}) {
      if (d.Str({"entries", k, "player_id"}) == pid) {
        return std::to_string(d.Int({"entries", k, "rank"}).value_or(-1));
      }
    }
    return "absent: " + d.text();
  };
  // Each keeps its table position, one more from a's rank on (a sits before them).
  const int64_t a_rank = std::stoll(want_rank);
  for (const auto& [pos, pid] : rows) {
    EXPECT_EQ(around_rank(pid), std::to_string(pos + (pos >= a_rank ? 1 : 0)))
        << "position " << pos;
  }
  EXPECT_EQ(around_rank(a), want_rank);
}

TEST_F(LeaderboardTest, ShutdownFlushesAndKillNineKeepsFlushedSubmits) {
  auto [a, ta] = Register("lb_restart_a");
  // A long flush interval: only the shutdown flush can write this entry.
  ServerProcess slow;
  ASSERT_TRUE(StartServer(&slow, {"--leaderboard-flush-ms", "3600000"}));
  HttpResponse r =
      HttpCall(slow.port(), "POST", "/api/v1/leaderboards/open_restart", R"({"score":77})", ta);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Stored("open_restart", a), "");
  // The operator sees the unwritten entry and its age on /metrics (published once a second).
  auto metric = [&](const std::string& name) {
    std::string body = HttpCall(slow.port(), "GET", "/metrics").body;
    size_t at = body.find("\n" + name + " ");
    return at == std::string::npos ? -1.0
                                   : std::strtod(body.c_str() + at + name.size() + 2, nullptr);
  };
  int64_t deadline = NowMs() + kWaitMs;
  while (NowMs() < deadline && !(metric("asobi_leaderboard_dirty_entries") == 1 &&
                                 metric("asobi_leaderboard_flush_lag_seconds") >= 1.0)) {
    usleep(50 * 1000);
  }
  EXPECT_EQ(metric("asobi_leaderboard_dirty_entries"), 1);
  EXPECT_GE(metric("asobi_leaderboard_flush_lag_seconds"), 1.0);
  EXPECT_EQ(metric("asobi_leaderboards_live"), 1);
  ASSERT_TRUE(slow.Stop());
  EXPECT_EQ(Stored("open_restart", a), "77");

  // kill -9 after the flush interval: the acknowledged submit is there after a restart.
  ServerProcess killed;
  ASSERT_TRUE(StartServer(&killed, {}));
  r = HttpCall(killed.port(), "POST", "/api/v1/leaderboards/open_kill", R"({"score":33})", ta);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(
      WaitFor("SELECT score FROM leaderboard_entries WHERE leaderboard_id = 'open_kill'", "33"),
      "33");
  killed.Signal(SIGKILL);
  int status = 0;
  ASSERT_TRUE(killed.WaitExit(kWaitMs, &status));
  ServerProcess again;
  ASSERT_TRUE(StartServer(&again, {}));
  EXPECT_EQ(
      Entries(HttpCall(again.port(), "GET", "/api/v1/leaderboards/open_kill", "", ta), {{a, "a"}}),
      "a:33:1");
  // The restarted server hydrates on the next submit: best keeps 33.
  r = HttpCall(again.port(), "POST", "/api/v1/leaderboards/open_kill", R"({"score":1})", ta);
  EXPECT_EQ(Json(r).Int({"score"}), 33);
  EXPECT_TRUE(again.Stop());
}

TEST_F(LeaderboardTest, TheBoardCapAnswersCapacityReached) {
  const std::string ta = Register("lb_cap").second;
  ServerProcess capped;
  ASSERT_TRUE(StartServer(&capped, {"--leaderboard-max-boards", "2"}));
  auto submit = [&](const std::string& board) {
    return HttpCall(capped.port(), "POST", "/api/v1/leaderboards/" + board, R"({"score":1})", ta);
  };
  EXPECT_EQ(submit("cap_a").status, 200);
  EXPECT_EQ(submit("cap_b").status, 200);
  HttpResponse r = submit("cap_c");
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_EQ(Json(r).Str({"error", "code"}), "leaderboard.capacity_reached");
  // Live boards still take submits; reads of the refused board still answer (stored rows).
  EXPECT_EQ(submit("cap_a").status, 200);
  EXPECT_EQ(HttpCall(capped.port(), "GET", "/api/v1/leaderboards/cap_c", "", ta).status, 200);
  EXPECT_TRUE(capped.Stop());
}

TEST_F(LeaderboardTest, LuaSubmitTopRankAround) {
  auto [a, ta] = Register("lb_lua_a");
  auto [b, tb] = Register("lb_lua_b");
  LuaPlayer p("boards");
  ASSERT_TRUE(p.Join(server_->port(), ta));
  // Game code submits to any board, opted in for clients or not.
  EXPECT_EQ(p.Run(R"("op":"submit","board":"lua","score":10.9)"), R"({"plain":true})");
  EXPECT_EQ(p.Run(R"("op":"submit","board":"lua","score":5)"), R"({"plain":true})");
  EXPECT_EQ(p.Run(R"("op":"submit","board":"lua","score":20,"player":")" + b + "\""),
            R"({"plain":true})");
  EXPECT_EQ(p.Run(R"("op":"rank","board":"lua")"), R"({"ok":2})");  // best kept 10
  EXPECT_EQ(p.Run(R"("op":"submit","board":"lua","score":1,"how":"incr")"), R"({"plain":true})");
  EXPECT_EQ(p.Run(R"("op":"top","board":"lua","count":10)"),
            Minify(R"({"ok":[{"player_id":")" + b + R"(","rank":1,"score":20},{"player_id":")" + a +
                   R"(","rank":2,"score":11}]})"));
  EXPECT_EQ(p.Run(R"("op":"top","board":"lua","count":1)"),
            Minify(R"({"ok":[{"player_id":")" + b + R"(","rank":1,"score":20}]})"));
  EXPECT_EQ(p.Run(R"("op":"around","board":"lua","count":1)"),
            Minify(R"({"ok":[{"player_id":")" + b + R"(","rank":1,"score":20},{"player_id":")" + a +
                   R"(","rank":2,"score":11}]})"));
  // The REST read sees the same board.
  EXPECT_EQ(Entries(Call("GET", "/api/v1/leaderboards/lua", "", ta), {{a, "a"}, {b, "b"}}),
            "b:20:1 a:11:2");
  // Not a player (bots are not players), a NaN score: false. Unknown board / no entry: empty
  // or not_found.
  EXPECT_EQ(p.Run(R"("op":"submit","board":"lua","score":1,"player":"bot_x_abcdef")"),
            R"({"plain":false})");
  EXPECT_EQ(p.Run(R"("op":"submit_nan","board":"lua")"), R"({"plain":false})");
  EXPECT_EQ(p.Run(R"("op":"top","board":"lua_none","count":10)"), R"({"ok":[]})");
  EXPECT_EQ(p.Run(R"("op":"rank","board":"lua_none")"), R"({"error":"not_found"})");
  EXPECT_EQ(p.Run(R"("op":"around","board":"lua_none","count":3)"), R"({"ok":[]})");
  // Wrong arity or types: {error = "<fn> requires (...)"}, never a raise.
  EXPECT_EQ(p.Run(R"("op":"submit_short","board":"lua")"),
            R"x({"error":"game.leaderboard.submit requires (board_id, player_id, score[, op])"})x");
  EXPECT_EQ(p.Run(R"("op":"submit_bad_op","board":"lua")"),
            R"x({"error":"game.leaderboard.submit requires (board_id, player_id, score[, op])"})x");
  EXPECT_EQ(p.Run(R"("op":"top_short","board":"lua")"),
            R"x({"error":"game.leaderboard.top requires (board_id, count)"})x");
}

// Issue 12: an erased account leaves every live board at once (not only the stored rows), on
// whichever shard owns the board, and the flush never writes it back.
TEST_F(LeaderboardTest, ErasureRemovesThePlayerFromLiveBoards) {
  auto [a, ta] = Register("lb_erase_a");
  auto [b, tb] = Register("lb_erase_b");
  LuaPlayer p("boards");
  ASSERT_TRUE(p.Join(server_->port(), tb));
  for (const char* board : {"erase_1", "erase_2", "erase_3", "erase_4"}) {
    const std::string bd(board);
    EXPECT_EQ(p.Run(R"("op":"submit","board":")" + bd + R"(","score":50,"player":")" + a + "\""),
              R"({"plain":true})");
    EXPECT_EQ(p.Run(R"("op":"submit","board":")" + bd + R"(","score":10)"), R"({"plain":true})");
    EXPECT_EQ(Entries(Call("GET", "/api/v1/leaderboards/" + bd, "", tb), {{a, "a"}, {b, "b"}}),
              "a:50:1 b:10:2");
    EXPECT_EQ(
        WaitFor("SELECT count(*) FROM leaderboard_entries WHERE leaderboard_id = '" + bd + "'",
                "2"),
        "2");
  }
  HttpResponse r = Call("POST", "/api/v1/players/me/erase", R"({"password":"password123"})", ta);
  ASSERT_EQ(r.status, 200) << r.body;
  for (const char* board : {"erase_1", "erase_2", "erase_3", "erase_4"}) {
    const std::string bd(board);
    std::string got;
    for (int64_t deadline = NowMs() + kWaitMs; NowMs() < deadline;) {
      got = Entries(Call("GET", "/api/v1/leaderboards/" + bd, "", tb), {{a, "a"}, {b, "b"}});
      if (got == "b:10:1") break;
    }
    EXPECT_EQ(got, "b:10:1") << bd;
    EXPECT_EQ(p.Run(R"("op":"rank","board":")" + bd + R"(","player":")" + a + "\""),
              R"({"error":"not_found"})");
    EXPECT_EQ(p.Run(R"("op":"rank","board":")" + bd + "\""), R"({"ok":1})");
  }
  // Later flushes (every 100 ms) do not bring the row back.
  EXPECT_EQ(p.Run(R"("op":"submit","board":"erase_1","score":11)"), R"({"plain":true})");
  EXPECT_EQ(WaitFor("SELECT score FROM leaderboard_entries WHERE leaderboard_id = 'erase_1'", "11"),
            "11");
  EXPECT_EQ(Q("SELECT count(*) FROM leaderboard_entries WHERE player_id = '" + a + "'"), "0");
}

}  // namespace
}  // namespace asobi::itest
