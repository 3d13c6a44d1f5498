// The operator console in headless Chromium against the real server and PostgreSQL (issue 15):
// the operator signs in with the ops secret (POST /console/session), searches for a player by
// username, opens them and erases them (typing the username back). Over REST afterwards the
// player is gone: the ops lookup answers 404 `ops.not_found` and their password no longer
// logs in. Chromium is driven through the DevTools protocol (chromium_driver.h).
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <string>

#include "chromium_driver.h"
#include "http_call.h"
#include "itest_checks.h"
#include "json_doc.h"
#include "pg_test_db.h"
#include "server_harness.h"

namespace asobi::itest {
namespace {

constexpr const char* kSecret = "console-browser-test-secret-0123456789";
constexpr int kStepWaitMs = 20000;  // bounds a broken page

// Evaluates `expr` (a string-valued JS expression) until it returns `want` or the wait ends.
::testing::AssertionResult WaitFor(DevTools& dt, const std::string& expr, const std::string& want,
                                   const std::string& what) {
  std::string got;
  auto start = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - start < std::chrono::milliseconds(kStepWaitMs)) {
    got = dt.EvalString(expr);
    if (got == want) return ::testing::AssertionSuccess();
    usleep(100 * 1000);
  }
  std::string msg = dt.EvalString("document.getElementById('message').textContent");
  return ::testing::AssertionFailure()
         << what << ": got '" << got << "', message bar '" << msg << "'";
}

TEST(ConsoleBrowserTest, OperatorSignsInFindsAPlayerAndErasesThem) {
  std::string chromium = FindChromium();
  ASSERT_FALSE(chromium.empty()) << "chromium not installed (tools/setup.sh installs it)";
  TestDatabase db;
  ASSERT_TRUE(db.ok()) << db.error();
  ServerProcess server;
  ServerOptions opts;
  opts.flags = db.ServerFlags();
  opts.flags.insert(opts.flags.end(), {"--console", "--ops-secret", kSecret});
  ASSERT_TRUE(server.Start(opts));
  for (int i = 0; i < 200 && HttpCall(server.port(), "GET", "/ready").status != 200; ++i) {
    usleep(50 * 1000);
  }
  const std::string username = "erase_me_" + std::to_string(getpid() % 100000);
  HttpResponse reg = HttpCall(server.port(), "POST", "/api/v1/auth/register",
                              R"({"username":")" + username + R"(","password":"hunter2hunter2"})");
  ASSERT_EQ(reg.status, 200) << reg.body;
  JsonDoc regd;
  ASSERT_TRUE(regd.Parse(reg.body));
  const std::string player_id = regd.Str({"player_id"}).value_or("");
  ASSERT_FALSE(player_id.empty());

  Chromium browser;
  ASSERT_TRUE(
      browser.Start(chromium, "http://127.0.0.1:" + std::to_string(server.port()) + "/console"));
  std::string page = browser.PagePath();
  ASSERT_FALSE(page.empty()) << browser.Log();
  DevTools dt;
  ASSERT_TRUE(dt.Open(browser.devtools_port(), page));
  const std::string state = "document.getElementById('status').dataset.state || ''";
  ASSERT_TRUE(WaitFor(dt, state, "signed_out", "page start"));

  dt.EvalString(std::string("document.getElementById('secret').value = '") + kSecret +
                "'; document.getElementById('label').value = 'browser test';"
                "document.getElementById('signin-form').requestSubmit(); ''");
  ASSERT_TRUE(WaitFor(dt, state, "signed_in", "sign-in"));

  dt.EvalString("document.getElementById('player-q').value = '" + username +
                "'; document.getElementById('player-search-form').requestSubmit(); ''");
  const std::string row = "#player-results tr[data-id=\"" + player_id + "\"]";
  ASSERT_TRUE(WaitFor(dt, "document.querySelector('" + row + "') ? 'found' : ''", "found",
                      "search result"));

  dt.EvalString("document.querySelector('" + row + "').click(); ''");
  ASSERT_TRUE(WaitFor(dt, "document.getElementById('player-title').textContent",
                      username + " (" + player_id + ")", "player detail"));
  ASSERT_TRUE(WaitFor(dt, state, "signed_in", "player detail loaded"));

  dt.EvalString("document.getElementById('erase-username').value = '" + username +
                "'; document.getElementById('player-erase').click(); ''");
  ASSERT_TRUE(WaitFor(dt, "document.getElementById('message').textContent",
                      "player " + player_id + " erased", "erase"));

  // Gone over REST: the ops lookup misses and the account no longer signs in.
  HttpResponse lookup = HttpCall(server.port(), "GET", "/ops/players/" + player_id, "", kSecret);
  EXPECT_TRUE(IsErrorEnvelope(lookup, 404, "ops.not_found")) << lookup.body;
  HttpResponse login =
      HttpCall(server.port(), "POST", "/api/v1/auth/login",
               R"({"username":")" + username + R"(","password":"hunter2hunter2"})");
  EXPECT_EQ(login.status, 401) << login.body;
  // The erasure left an audit row the console's audit tab reads.
  HttpResponse audit = HttpCall(server.port(), "GET", "/ops/audit", "", kSecret);
  EXPECT_EQ(audit.status, 200);
  EXPECT_NE(audit.body.find(player_id), std::string::npos) << audit.body;
  if (HasFailure()) std::fprintf(stderr, "server log:\n%s", server.log().c_str());
}

}  // namespace
}  // namespace asobi::itest
