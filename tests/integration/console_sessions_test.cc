// Console sessions in PostgreSQL (issue 15; rest.md §3.14 `/console/session`,
// docs/decisions.md "Console sessions"): two server processes on one database, as behind the
// load balancer. A session opened on one node works on the other, ends everywhere when either
// node deletes it, survives a restart; expired sessions and a wrong csrf are refused.
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "http_call.h"
#include "http_client.h"
#include "itest_checks.h"
#include "itest_suite.h"
#include "json_doc.h"
#include "pg_test_db.h"
#include "server_harness.h"

namespace asobi::itest {
namespace {

const std::string kSecret = "console-sessions-ops-secret";

class ConsoleSessionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(db_.ok()) << db_.error();
    ASSERT_TRUE(Start(&a_));
    ASSERT_TRUE(Start(&b_));
  }
  void TearDown() override {
    EXPECT_TRUE(a_.Stop());
    EXPECT_TRUE(b_.Stop());
  }

  ::testing::AssertionResult Start(ServerProcess* s) {
    ServerOptions o;
    o.flags = db_.ServerFlags();
    o.flags.insert(o.flags.end(), {"--ops-secret", kSecret, "--console", "--rate-limits",
                                   "auth=1000/1000,api=100000/1000"});
    return StartReady(s, o);
  }

  struct Session {
    std::string sid;
    std::string csrf;
  };

  static Session Open(ServerProcess& s, const std::string& label) {
    HttpResponse r = HttpCall(s.port(), "POST", "/console/session",
                              R"({"secret":")" + kSecret + R"(","label":")" + label + R"("})");
    EXPECT_EQ(r.status, 200) << r.body;
    Session out;
    for (const auto& [k, v] : r.headers) {
      if (k != "set-cookie") continue;
      std::string val = v.substr(v.find('=') + 1, v.find(';') - v.find('=') - 1);
      if (v.rfind("asobi_console=", 0) == 0) out.sid = val;
      if (v.rfind("asobi_console_csrf=", 0) == 0) out.csrf = val;
    }
    EXPECT_FALSE(out.sid.empty());
    EXPECT_FALSE(out.csrf.empty());
    return out;
  }

  // One request carrying the session cookie and `csrf` as x-csrf-token.
  static HttpResponse Req(ServerProcess& s, const std::string& method, const std::string& path,
                          const Session& ses, const std::string& csrf) {
    HttpClient c;
    EXPECT_TRUE(c.Connect(s.port()));
    std::string r = method + " " + path +
                    " HTTP/1.1\r\nHost: t\r\nCookie: asobi_console=" + ses.sid +
                    "; asobi_console_csrf=" + ses.csrf + "\r\nx-csrf-token: " + csrf + "\r\n\r\n";
    EXPECT_TRUE(c.SendRaw(r));
    std::optional<HttpResponse> resp = c.ReadResponse();
    EXPECT_TRUE(resp.has_value()) << c.error();
    return resp.value_or(HttpResponse{});
  }

  std::string Q(const std::string& sql) { return db_.Query(sql).value_or("<error>"); }

  TestDatabase db_;
  ServerProcess a_;
  ServerProcess b_;
};

TEST_F(ConsoleSessionsTest, OpenedOnOneNodeWorksOnTheOther) {
  Session s = Open(a_, "alice");
  HttpResponse who = Req(b_, "GET", "/console/session", s, s.csrf);
  ASSERT_EQ(who.status, 200) << who.body;
  EXPECT_EQ(ParseBody(who).Str({"data", "session", "actor_id"}), "console:alice");
  EXPECT_EQ(Req(b_, "GET", "/ops/stats", s, s.csrf).status, 200);
  // Only hashes are stored.
  EXPECT_EQ(Q("SELECT count(*) FROM console_sessions WHERE id_hash = '" + s.sid +
              "' OR csrf_hash = '" + s.csrf + "'"),
            "0");
  EXPECT_EQ(Q("SELECT count(*) FROM console_sessions WHERE label = 'alice'"), "1");
}

// A NUL or other control character in the label is dropped (libpq text ends at NUL).
TEST_F(ConsoleSessionsTest, LabelControlCharactersDropped) {
  Session s = Open(a_, "gr\\u0000a\\u0007ce");
  HttpResponse who = Req(b_, "GET", "/console/session", s, s.csrf);
  ASSERT_EQ(who.status, 200) << who.body;
  EXPECT_EQ(ParseBody(who).Str({"data", "session", "actor_id"}), "console:grace");
}

TEST_F(ConsoleSessionsTest, WrongCsrfRefusedOnEveryNode) {
  Session s = Open(a_, "bob");
  for (ServerProcess* n : {&a_, &b_}) {
    HttpResponse r = Req(*n, "GET", "/ops/stats", s, s.sid);
    EXPECT_EQ(r.status, 403);
    EXPECT_EQ(ParseBody(r).Str({"error", "code"}), "forbidden");
    EXPECT_EQ(Req(*n, "GET", "/console/session", s, s.csrf + "0").status, 403);
  }
}

// No cache (docs/decisions.md "Console sessions"): the DELETE holds on B at once.
TEST_F(ConsoleSessionsTest, DeleteOnOneNodeEndsItOnTheOther) {
  Session s = Open(a_, "carol");
  ASSERT_EQ(Req(b_, "GET", "/ops/stats", s, s.csrf).status, 200);
  HttpResponse del = Req(a_, "DELETE", "/console/session", s, s.csrf);
  ASSERT_EQ(del.status, 200) << del.body;
  EXPECT_EQ(Req(b_, "GET", "/ops/stats", s, s.csrf).status, 403);
  EXPECT_EQ(Req(b_, "GET", "/console/session", s, s.csrf).status, 403);
  EXPECT_EQ(Req(a_, "GET", "/ops/stats", s, s.csrf).status, 403);
}

TEST_F(ConsoleSessionsTest, SurvivesARestart) {
  Session s = Open(a_, "dave");
  ASSERT_TRUE(a_.Stop());
  ASSERT_TRUE(b_.Stop());
  ServerProcess restarted;  // a fresh process on the same database
  ASSERT_TRUE(Start(&restarted));
  HttpResponse who = Req(restarted, "GET", "/console/session", s, s.csrf);
  ASSERT_EQ(who.status, 200) << who.body;
  EXPECT_EQ(ParseBody(who).Str({"data", "session", "label"}), "dave");
  EXPECT_TRUE(restarted.Stop());
}

TEST_F(ConsoleSessionsTest, ExpiredSessionRefusedAndSweptByTheNextOpen) {
  Session s = Open(a_, "erin");
  ASSERT_EQ(Req(b_, "GET", "/ops/stats", s, s.csrf).status, 200);
  ASSERT_EQ(Q("UPDATE console_sessions SET expires_at = now() - interval '1 second' "
              "WHERE label = 'erin' RETURNING label"),
            "erin");
  EXPECT_EQ(Req(a_, "GET", "/ops/stats", s, s.csrf).status, 403);
  EXPECT_EQ(Req(b_, "GET", "/console/session", s, s.csrf).status, 403);
  Open(b_, "frank");
  EXPECT_EQ(Q("SELECT count(*) FROM console_sessions WHERE label = 'erin'"), "0");
}

// The bound (kConsoleSessionsMax = 1024): opening one more drops the one that expires first.
TEST_F(ConsoleSessionsTest, AtMost1024DroppingTheFirstToExpire) {
  ASSERT_EQ(Q("WITH ins AS (INSERT INTO console_sessions (id_hash, csrf_hash, label, expires_at) "
              "SELECT md5(i::text) || md5(i::text), md5(i::text) || md5(i::text), 'filler', "
              "now() + interval '1 hour' + i * interval '1 second' "
              "FROM generate_series(1, 1023) i RETURNING 1) SELECT count(*) FROM ins"),
            "1023");
  Session first = Open(a_, "first");  // 1024 rows; expires after every filler row
  ASSERT_EQ(Q("SELECT count(*) FROM console_sessions"), "1024");
  Open(b_, "second");
  EXPECT_EQ(Q("SELECT count(*) FROM console_sessions"), "1024");
  EXPECT_EQ(Q("SELECT count(*) FROM console_sessions WHERE id_hash = md5('1') || md5('1')"), "0");
  EXPECT_EQ(Req(b_, "GET", "/ops/stats", first, first.csrf).status, 200);
}

}  // namespace
}  // namespace asobi::itest
