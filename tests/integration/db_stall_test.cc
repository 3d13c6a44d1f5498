// Database stalls and restarts under a running server (issue 10, defect 9): a table locked
// by another session, PostgreSQL down at start-up, and `pg_ctl restart`. Every request is
// answered (503 not_ready in the error envelope while the database cannot serve it), /ready
// and /health report the stall and the recovery, and acknowledged writes survive.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "http_call.h"
#include "http_client.h"
#include "itest_checks.h"
#include "json_doc.h"
#include "pg_cluster.h"
#include "pg_test_db.h"
#include "server_harness.h"

namespace asobi::itest {
namespace {

// Bounds a wait for a state change; a failure, not a timing assertion.
constexpr int kWaitMs = 30000;
// The client gives up after this long: far above every server-side deadline, so a request
// the server never answers fails the test instead of hanging it.
constexpr int kClientTimeoutMs = 20000;

HttpResponse Call(uint16_t port, const std::string& method, const std::string& path,
                  const std::string& body = "") {
  return HttpCall(port, method, path, body, "", kClientTimeoutMs);
}

// Polls `path` until it answers `status` (bounded by kWaitMs).
bool WaitStatus(uint16_t port, const std::string& path, int status) {
  for (int waited = 0; waited < kWaitMs; waited += 50) {
    if (Call(port, "GET", path).status == status) return true;
    usleep(50 * 1000);
  }
  return false;
}

std::string HealthStatus(uint16_t port) {
  JsonDoc h;
  EXPECT_TRUE(h.Parse(Call(port, "GET", "/health").body));
  return h.Str({"status"}).value_or("");
}

std::string Credentials(const std::string& user) {
  return R"({"username":")" + user + R"(","password":"password123"})";
}

std::vector<std::string> Flags(std::vector<std::string> flags) {
  flags.insert(flags.end(), {"--rate-limits", "register=100000/1000,auth=100000/1000",
                             "--db-timeout-ms", "1000"});
  return flags;
}

// Logins in a loop on one thread until stopped; remembers every answer.
class LoginTraffic {
 public:
  LoginTraffic(uint16_t port, std::string body) {
    thread_ = std::thread([this, port, body] {
      while (!stop_.load()) {
        HttpResponse r = Call(port, "POST", "/api/v1/auth/login", body);
        std::lock_guard<std::mutex> lock(mu_);
        answers_.push_back(r);
      }
    });
  }
  ~LoginTraffic() { Stop(); }
  std::vector<HttpResponse> Stop() {
    stop_.store(true);
    if (thread_.joinable()) thread_.join();
    std::lock_guard<std::mutex> lock(mu_);
    return answers_;
  }

 private:
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::vector<HttpResponse> answers_;
  std::thread thread_;
};

TEST(DbStallTest, LockedTableAnswers503InTimeReadyFlipsAndRecovers) {
  TestDatabase db;
  ASSERT_TRUE(db.ok()) << db.error();
  ServerProcess server;
  ServerOptions opts;
  opts.flags = Flags(db.ServerFlags());
  ASSERT_TRUE(server.Start(opts));
  uint16_t port = server.port();
  ASSERT_TRUE(WaitStatus(port, "/ready", 200)) << server.log();
  ASSERT_EQ(Call(port, "POST", "/api/v1/auth/register", Credentials("stall_user")).status, 200);

  // Another session locks the players table until the test releases it.
  ASSERT_TRUE(db.Query("BEGIN"));
  ASSERT_TRUE(db.Query("LOCK TABLE players IN ACCESS EXCLUSIVE MODE"));
  std::vector<HttpResponse> during;
  {
    LoginTraffic traffic(port, Credentials("stall_user"));
    EXPECT_TRUE(WaitStatus(port, "/ready", 503)) << server.log();
    EXPECT_EQ(HealthStatus(port), "unhealthy");
    during = traffic.Stop();
  }
  // Every login was answered while the lock was held, with the spec's envelope.
  ASSERT_FALSE(during.empty());
  for (const HttpResponse& r : during) EXPECT_TRUE(IsErrorEnvelope(r, 503, "not_ready")) << r.body;

  ASSERT_TRUE(db.Query("ROLLBACK"));
  EXPECT_TRUE(WaitStatus(port, "/ready", 200)) << server.log();
  EXPECT_EQ(HealthStatus(port), "healthy");
  EXPECT_EQ(Call(port, "POST", "/api/v1/auth/login", Credentials("stall_user")).status, 200);
  EXPECT_TRUE(server.Stop());
}

TEST(DbStallTest, DownAtStartUpThenRestartedNeverHangsAndLosesNoAcknowledgedWrite) {
  PrivateCluster pg;
  ASSERT_TRUE(pg.ok());
  ASSERT_TRUE(pg.Start()) << pg.output();  // initdb, learn the port
  ASSERT_TRUE(pg.Stop()) << pg.output();

  // PostgreSQL is down when the server starts: requests get 503, nothing hangs.
  ServerProcess server;
  ServerOptions opts;
  opts.flags = Flags(pg.ServerFlags());
  ASSERT_TRUE(server.Start(opts));
  uint16_t port = server.port();
  EXPECT_TRUE(IsErrorEnvelope(
      Call(port, "POST", "/api/v1/auth/register", Credentials("early_user")), 503, "not_ready"));
  EXPECT_TRUE(IsErrorEnvelope(Call(port, "POST", "/api/v1/auth/login", Credentials("early_user")),
                              503, "not_ready"));
  EXPECT_EQ(Call(port, "GET", "/ready").status, 503);
  EXPECT_EQ(HealthStatus(port), "unhealthy");

  ASSERT_TRUE(pg.Start()) << pg.output();
  ASSERT_TRUE(WaitStatus(port, "/ready", 200)) << server.log();
  std::vector<std::string> acknowledged;
  for (int i = 0; i < 5; ++i) {
    std::string user = "durable_" + std::to_string(i);
    if (Call(port, "POST", "/api/v1/auth/register", Credentials(user)).status == 200) {
      acknowledged.push_back(user);
    }
  }
  ASSERT_EQ(acknowledged.size(), 5u);

  // pg_ctl restart under traffic: every request is answered (200, or 503 while it restarts),
  // and every shard reconnects.
  {
    LoginTraffic traffic(port, Credentials("durable_0"));
    ASSERT_TRUE(pg.Restart()) << pg.output();
    EXPECT_TRUE(WaitStatus(port, "/ready", 200)) << server.log();
    for (const HttpResponse& r : traffic.Stop()) {
      EXPECT_TRUE(r.status == 200 || IsErrorEnvelope(r, 503, "not_ready")) << r.body;
    }
  }
  EXPECT_TRUE(server.WaitForLog("database connection lost", kWaitMs));
  for (const std::string& user : acknowledged) {
    EXPECT_EQ(Call(port, "POST", "/api/v1/auth/login", Credentials(user)).status, 200) << user;
  }
  EXPECT_TRUE(server.Stop());
}

}  // namespace
}  // namespace asobi::itest
