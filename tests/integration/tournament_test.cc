// Tournaments against the real server and PostgreSQL (rest.md §3.8, docs/decisions.md
// "Tournaments"): list, get, join and every error row, the pending -> active -> finished
// clock, rewards by rank through the ledger, and exactly-once rewards across a restart.
#include <gtest/gtest.h>
#include <time.h>
#include <unistd.h>

#include <string>
#include <utility>
#include <vector>

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

constexpr int kWaitMs = 15000;  // bounds a misbehaving server only

class TournamentTest : public ServerSuite<TournamentTest> {
 protected:
  static void SetUpTestSuite() {
    db_ = new TestDatabase();
    ASSERT_TRUE(db_->ok()) << db_->error();
    server_ = new ServerProcess();
    ASSERT_TRUE(StartServer(server_));
  }

  static ::testing::AssertionResult StartServer(ServerProcess* s) {
    ServerOptions o;
    o.flags = db_->ServerFlags();
    o.flags.insert(o.flags.end(),
                   {"--rate-limits", "register=1000/1000,auth=1000/1000,api=100000/1000",
                    "--leaderboard-client-submit", "all", "--leaderboard-flush-ms", "3600000",
                    "--tournament-tick-ms", "100"});
    return StartReady(s, o);
  }
  static std::string Q(const std::string& sql) {
    std::optional<std::string> v = db_->Query(sql);
    EXPECT_TRUE(v.has_value()) << sql << ": " << db_->error();
    return v.value_or("<error>");
  }
  // Inserts a tournament; `start`/`end` are SQL timestamp expressions.
  static void Create(const std::string& id, const std::string& name, const std::string& board,
                     const std::string& status, const std::string& start, const std::string& end,
                     const std::string& max_entries = "NULL", const std::string& rewards = "{}") {
    Q("INSERT INTO tournaments (id, name, leaderboard_id, max_entries, rewards, status, "
      "start_at, end_at, inserted_at) VALUES ('" +
      id + "', '" + name + "', '" + board + "', " + max_entries + ", '" + rewards + "', '" +
      status + "', " + start + ", " + end + ", now()) ON CONFLICT (id) DO NOTHING");
  }
  static std::string WaitFor(const std::string& sql, const std::string& want) {
    std::string got;
    for (int64_t deadline = NowMs() + kWaitMs; NowMs() < deadline;) {
      got = Q(sql);
      if (got == want) break;
      usleep(20 * 1000);
    }
    return got;
  }
  static std::string Status(const std::string& id) {
    return Q("SELECT status FROM tournaments WHERE id = '" + id + "'");
  }
  static std::string Balance(const std::string& player) {
    return Q("SELECT coalesce((SELECT balance FROM wallets WHERE player_id = '" + player +
             "' AND currency = 'gold'), 0)");
  }
};

constexpr char kT1[] = "0190c000-0000-7000-8000-000000000001";
constexpr char kT2[] = "0190c000-0000-7000-8000-000000000002";
constexpr char kT3[] = "0190c000-0000-7000-8000-000000000003";
constexpr char kFull[] = "0190c000-0000-7000-8000-000000000004";
constexpr char kPrize[] = "0190c000-0000-7000-8000-000000000005";
constexpr char kMissing[] = "0190c000-0000-7000-8000-0000000000ff";

TEST_F(TournamentTest, ListGetAndTheClock) {
  auto [id, token] = Register("trn_list");
  Create(kT1, "Later", "b1", "pending", "now() + interval '2 days'", "now() + interval '3 days'");
  Create(kT2, "Done", "b2", "finished", "now() - interval '2 days'", "now() - interval '1 day'");
  // Pending with start_at passed: the clock flips it to active.
  Create(kT3, "Now", "b3", "pending", "now() - interval '1 second'", "now() + interval '1 day'",
         "8");
  EXPECT_EQ(
      WaitFor("SELECT status FROM tournaments WHERE id = '" + std::string(kT3) + "'", "active"),
      "active");
  JsonDoc all = Json(Call("GET", "/api/v1/tournaments", "", token));
  std::optional<JsonValue> list = all.At({"tournaments"});
  ASSERT_TRUE(list && list->is_array()) << all.text();
  std::vector<std::string> names;
  for (JsonValue t : list->get_array()) names.emplace_back(t["name"].get_string().value());
  ASSERT_GE(names.size(), 3u);
  EXPECT_EQ(names[0], "Done");  // by start_at
  EXPECT_EQ(names[1], "Now");
  EXPECT_EQ(names[2], "Later");
  JsonDoc active = Json(Call("GET", "/api/v1/tournaments?status=active&limit=1", "", token));
  EXPECT_EQ(active.Str({"tournaments", "0", "name"}), "Now") << active.text();
  EXPECT_EQ(active.At({"tournaments"})->get_array().size(), 1u);

  JsonDoc one = Json(Call("GET", std::string("/api/v1/tournaments/") + kT3, "", token));
  EXPECT_EQ(one.Str({"id"}), kT3);
  EXPECT_EQ(one.Str({"leaderboard_id"}), "b3");
  EXPECT_EQ(one.Int({"max_entries"}), 8);
  EXPECT_EQ(one.Str({"status"}), "active");
  EXPECT_EQ(one.Str({"end_at"}).value_or("").size(), 24u) << one.text();
  EXPECT_EQ(one.Raw({"rewards"}), "{}");
  for (std::string bad : {std::string(kMissing), std::string("nope")}) {
    HttpResponse r = Call("GET", "/api/v1/tournaments/" + bad, "", token);
    EXPECT_EQ(r.status, 404) << bad;
    EXPECT_EQ(Json(r).Str({"error", "code"}), "tournament.not_found");
  }
  EXPECT_EQ(Call("GET", "/api/v1/tournaments").status, 401);
}

TEST_F(TournamentTest, JoinAndItsErrors) {
  auto [a, ta] = Register("trn_join_a");
  auto [b, tb] = Register("trn_join_b");
  auto [c, tc] = Register("trn_join_c");
  Create(kFull, "Two seats", "bf", "pending", "now() + interval '1 day'",
         "now() + interval '2 days'", "2");
  const std::string join = std::string("/api/v1/tournaments/") + kFull + "/join";
  HttpResponse r = Call("POST", join, "", ta);  // empty body with JSON content type (SDK)
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, std::string(R"({"success":true,"tournament_id":")") + kFull + "\"}");
  r = Call("POST", join, "", ta);
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(Json(r).Str({"error", "code"}), "tournament.already_joined");
  EXPECT_EQ(Call("POST", join, "{}", tb).status, 200);
  r = Call("POST", join, "", tc);
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(Json(r).Str({"error", "code"}), "tournament.full");
  // Finished, unknown, not a UUID: 404.
  Create(kT2, "Done", "b2", "finished", "now() - interval '2 days'", "now() - interval '1 day'");
  for (std::string t : {std::string(kT2), std::string(kMissing), std::string("x")}) {
    r = Call("POST", "/api/v1/tournaments/" + t + "/join", "", tc);
    EXPECT_EQ(r.status, 404) << t << r.body;
    EXPECT_EQ(Json(r).Str({"error", "code"}), "tournament.not_found");
  }
  EXPECT_EQ(Q("SELECT count(*) FROM tournament_participants WHERE tournament_id = '" +
              std::string(kFull) + "'"),
            "2");
  EXPECT_EQ(Call("POST", join, "").status, 401);
}

// docs/decisions.md "Tournament entry fees": the fee is debited with the join, in one
// transaction; a wallet too low (or missing) joins nothing and charges nothing.
TEST_F(TournamentTest, EntryFeeIsChargedWithTheJoinOrNothingHappens) {
  constexpr char kFee[] = "0190c000-0000-7000-8000-000000000006";
  constexpr char kBadFee[] = "0190c000-0000-7000-8000-000000000007";
  auto [rich, tr] = Register("trn_fee_rich");
  auto [poor, tp] = Register("trn_fee_poor");
  Create(kFee, "Fee", "bfee", "pending", "now() + interval '1 day'", "now() + interval '2 days'");
  Q(std::string("UPDATE tournaments SET entry_fee = '{\"gold\": 30, \"gems\": 2}' WHERE id = '") +
    kFee + "'");
  Q("INSERT INTO wallets (id, player_id, currency, balance, inserted_at, updated_at) VALUES "
    "('0190c000-0000-7000-8000-0000000001a1', '" +
    rich +
    "', 'gold', 100, now(), now()), "
    "('0190c000-0000-7000-8000-0000000001a2', '" +
    rich +
    "', 'gems', 5, now(), now()), "
    "('0190c000-0000-7000-8000-0000000001a3', '" +
    poor + "', 'gold', 100, now(), now())");
  const std::string join = std::string("/api/v1/tournaments/") + kFee + "/join";
  EXPECT_EQ(Call("POST", join, "", tr).status, 200);
  EXPECT_EQ(Balance(rich), "70");
  EXPECT_EQ(Q("SELECT balance FROM wallets WHERE player_id = '" + rich + "' AND currency = 'gems'"),
            "3");
  EXPECT_EQ(Q("SELECT string_agg(t.amount || ':' || t.balance_after || ':' || t.reason || ':' || "
              "t.reference_id, ',' ORDER BY w.currency) FROM transactions t JOIN wallets w ON "
              "w.id = t.wallet_id WHERE w.player_id = '" +
              rich + "'"),
            std::string("-2:3:tournament_entry:") + kFee + ",-30:70:tournament_entry:" + kFee);
  // Joining again is refused before anything is charged.
  HttpResponse r = Call("POST", join, "", tr);
  EXPECT_EQ(Json(r).Str({"error", "code"}), "tournament.already_joined");
  EXPECT_EQ(Balance(rich), "70");
  // The poor player has gold but no gems wallet: 402, not joined, the gold untouched.
  r = Call("POST", join, "", tp);
  EXPECT_EQ(r.status, 402) << r.body;
  EXPECT_EQ(Json(r).Str({"error", "code"}), "economy.insufficient_funds");
  EXPECT_EQ(Balance(poor), "100");
  EXPECT_EQ(Q("SELECT count(*) FROM wallets WHERE player_id = '" + poor + "'"), "1");
  EXPECT_EQ(Q("SELECT count(*) FROM tournament_participants WHERE player_id = '" + poor + "'"),
            "0");
  // An unreadable fee refuses the join instead of letting players in for free.
  Create(kBadFee, "Bad fee", "bbad", "pending", "now() + interval '1 day'",
         "now() + interval '2 days'");
  Q(std::string("UPDATE tournaments SET entry_fee = '{\"gold\": -5}' WHERE id = '") + kBadFee +
    "'");
  r = Call("POST", std::string("/api/v1/tournaments/") + kBadFee + "/join", "", tr);
  EXPECT_EQ(r.status, 500) << r.body;
  EXPECT_EQ(Balance(rich), "70");
}

TEST_F(TournamentTest, RewardsByRankExactlyOnceAcrossARestart) {
  std::vector<std::pair<std::string, std::string>> p;
  for (int i = 0; i < 5; ++i) {
    std::string user("trn_prize_");
    user.append(std::to_string(i));
    p.push_back(Register(user));
  }
  Create(kPrize, "Prize", "prize_board", "active", "now() - interval '1 hour'",
         "now() + interval '1 day'", "NULL",
         R"([{"from":1,"to":1,"currency":"gold","amount":100},)"
         R"({"from":2,"to":3,"currency":"gold","amount":10}])");
  const std::string join = std::string("/api/v1/tournaments/") + kPrize + "/join";
  // p0..p3 join; p4 only submits (outranks everyone but is not a participant).
  const int scores[] = {50, 70, 10, 30, 999};
  for (int i = 0; i < 5; ++i) {
    if (i < 4) {
      ASSERT_EQ(Call("POST", join, "", p[size_t(i)].second).status, 200);
    }
    HttpResponse s = Call("POST", "/api/v1/leaderboards/prize_board",
                          R"({"score":)" + std::to_string(scores[i]) + "}", p[size_t(i)].second);
    ASSERT_EQ(s.status, 200) << s.body;
  }
  // p1 is online: the reward notification is pushed to its socket.
  WsClient ws;
  ASSERT_TRUE(ws.Open(server_->port()));
  ASSERT_TRUE(ws.SendText(R"({"type":"session.connect","cid":"c","payload":{"token":")" +
                          p[1].second + "\"}}"));
  JsonDoc hello;
  ASSERT_TRUE(ws.RecvJson(&hello, kWaitMs));
  ASSERT_EQ(hello.Str({"type"}), "session.connected") << hello.text();
  // End it now; the clock flushes the board (flush interval is an hour here), ranks the
  // participants (p1 70, p0 50, p3 30, p2 10) and grants.
  Q("UPDATE tournaments SET end_at = now() WHERE id = '" + std::string(kPrize) + "'");
  EXPECT_EQ(WaitFor("SELECT status FROM tournaments WHERE id = '" + std::string(kPrize) + "'",
                    "finished"),
            "finished");
  EXPECT_EQ(Balance(p[1].first), "100");
  EXPECT_EQ(Balance(p[0].first), "10");
  EXPECT_EQ(Balance(p[3].first), "10");
  EXPECT_EQ(Balance(p[2].first), "0");
  EXPECT_EQ(Balance(p[4].first), "0");
  const std::string rewards_sql =
      "SELECT count(*) || '/' || sum(amount) FROM transactions WHERE reason = "
      "'tournament_reward' AND idempotency_key = 'tournament:" +
      std::string(kPrize) + "'";
  EXPECT_EQ(Q(rewards_sql), "3/120");
  // Issue 12: each rewarded player has one tournament_reward notification, stored with the
  // tournament's end, and the online one got it pushed.
  const std::string notes_sql =
      "SELECT string_agg(content->>'rank' || ':' || (content->'rewards'->>'gold'), ',' ORDER BY "
      "(content->>'rank')::int) FROM notifications WHERE type = 'tournament_reward' AND "
      "subject = 'Tournament reward' AND content->>'tournament_id' = '" +
      std::string(kPrize) + "' AND content->>'tournament_name' = 'Prize'";
  EXPECT_EQ(Q(notes_sql), "1:100,2:10,3:10");
  EXPECT_EQ(Q("SELECT count(*) FROM notifications WHERE player_id IN ('" + p[2].first + "', '" +
              p[4].first + "')"),
            "0");
  JsonDoc pushed;
  for (int64_t deadline = NowMs() + kWaitMs; NowMs() < deadline;) {
    JsonDoc d;
    if (!ws.RecvJson(&d, int(deadline - NowMs()))) break;
    if (d.Str({"type"}).value_or("") == "notification.new") {
      pushed = std::move(d);
      break;
    }
  }
  EXPECT_EQ(pushed.Str({"payload", "type"}), "tournament_reward") << pushed.text();
  EXPECT_EQ(pushed.Str({"payload", "player_id"}), p[1].first);
  EXPECT_EQ(pushed.Int({"payload", "content", "rank"}), 1);
  EXPECT_EQ(pushed.Int({"payload", "content", "rewards", "gold"}), 100);
  EXPECT_EQ(Json(Call("GET", "/api/v1/notifications", "", p[1].second))
                .Str({"notifications", "0", "type"}),
            "tournament_reward");

  // A crash after the grants but before `finished` was written (and with it, atomically, the
  // notifications): the status is still active when a new server starts. It finishes the
  // tournament again without crediting twice, and notifies once.
  ASSERT_TRUE(server_->Stop());
  delete server_;
  Q("UPDATE tournaments SET status = 'active' WHERE id = '" + std::string(kPrize) + "'");
  Q("DELETE FROM notifications WHERE type = 'tournament_reward'");
  server_ = new ServerProcess();
  ASSERT_TRUE(StartServer(server_));
  EXPECT_EQ(WaitFor("SELECT status FROM tournaments WHERE id = '" + std::string(kPrize) + "'",
                    "finished"),
            "finished");
  EXPECT_EQ(Q(rewards_sql), "3/120");
  EXPECT_EQ(Balance(p[1].first), "100");
  EXPECT_EQ(Balance(p[0].first), "10");
  EXPECT_EQ(Q(notes_sql), "1:100,2:10,3:10");
}

}  // namespace
}  // namespace asobi::itest
