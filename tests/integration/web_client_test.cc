// The bundled browser client (web/) in headless Chromium against the real server: the page
// signs in (a throw-away account: guest sign-in is off by default), queues for the bot mode,
// reaches a running match and draws its players, and the keyboard-equivalent input moves it.
// Chromium is driven through the DevTools protocol over a WebSocket (our own WsClient). The
// static file routes and their path handling are checked over plain HTTP too.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sodium.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "chromium_driver.h"
#include "http_client.h"
#include "itest_checks.h"
#include "json_doc.h"
#include "pg_test_db.h"
#include "server_harness.h"
#include "ws_client.h"

namespace asobi::itest {
namespace {

constexpr int kPageWaitMs = 40000;  // bounds a broken page; bot fill alone may take 8 s

class WebClientTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    db_ = new TestDatabase();
    server_ = new ServerProcess();
    ServerOptions opts;
    if (db_->ok()) opts.flags = db_->ServerFlags();
    opts.flags.insert(opts.flags.end(), {"--ws-connect-limit", "100000"});
    started_ = new ::testing::AssertionResult(server_->Start(opts));
  }
  static void TearDownTestSuite() {
    if (server_->running()) {
      EXPECT_TRUE(server_->Stop());
    }
    delete server_;
    delete db_;
    delete started_;
  }
  void SetUp() override { ASSERT_TRUE(*started_); }
  void TearDown() override {
    if (HasFailure()) std::fprintf(stderr, "server log:\n%s", server_->log().c_str());
  }
  static std::optional<HttpResponse> Get(const std::string& path, const std::string& extra = "") {
    HttpClient c;
    EXPECT_TRUE(c.Connect(server_->port()));
    return c.Get(path, extra);
  }

  static TestDatabase* db_;
  static ServerProcess* server_;
  static ::testing::AssertionResult* started_;
};
TestDatabase* WebClientTest::db_ = nullptr;
ServerProcess* WebClientTest::server_ = nullptr;
::testing::AssertionResult* WebClientTest::started_ = nullptr;

TEST_F(WebClientTest, ServesThePageAndItsFiles) {
  auto index = Get("/");
  ASSERT_TRUE(index);
  EXPECT_EQ(index->status, 200);
  EXPECT_EQ(index->Header("content-type").value_or(""), "text/html; charset=utf-8");
  EXPECT_NE(index->body.find("/web/app.js"), std::string::npos);
  EXPECT_NE(index->Header("content-security-policy").value_or("").find("default-src 'self'"),
            std::string::npos);
  EXPECT_TRUE(HasSecurityHeaders(*index));
  auto js = Get("/web/app.js");
  ASSERT_TRUE(js);
  EXPECT_EQ(js->status, 200);
  EXPECT_EQ(js->Header("content-type").value_or(""), "text/javascript; charset=utf-8");
  EXPECT_EQ(Get("/web/style.css")->Header("content-type").value_or(""), "text/css; charset=utf-8");
  std::string etag = js->Header("etag").value_or("");
  ASSERT_FALSE(etag.empty());
  auto again = Get("/web/app.js", "If-None-Match: " + etag + "\r\n");
  EXPECT_EQ(again->status, 304);
  EXPECT_TRUE(again->body.empty());
  HttpClient head;
  ASSERT_TRUE(head.Connect(server_->port()));
  ASSERT_TRUE(head.SendRaw("HEAD /web/app.js HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto h = head.ReadResponse(true);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->status, 200);
  EXPECT_EQ(h->Header("content-length").value_or(""), std::to_string(js->body.size()));
}

TEST_F(WebClientTest, PathTricksNeverLeaveTheWebDirectory) {
  for (const char* p :
       {"/web/../meson.build", "/web/..%2fmeson.build", "/web/%2e%2e/meson.build",
        "/web/../../etc/passwd", "/web/./app.js", "/web/app.js%00.png", "/web//../app.js",
        "/web/.hidden", "/web/app.js/", "/web/APP.JS", "/web", "/web/", "/../etc/passwd",
        "/web/..\\meson.build", "/web/index.html/..", "/meson.build", "/web/nonexistent.js"}) {
    auto r = Get(p);
    ASSERT_TRUE(r) << p;
    // Only a collapsed `//` or trailing `/` (rest.md §1.1 routing) may still name a real file;
    // nothing outside web/ is ever served.
    if (r->status == 200) {
      EXPECT_TRUE(std::string(p) == "/web/app.js/") << p;
    } else {
      EXPECT_TRUE(IsErrorEnvelope(*r, 404, "not_found")) << p << " " << r->status;
    }
    EXPECT_EQ(r->body.find("project('asobi-cpp'"), std::string::npos) << p;
    EXPECT_EQ(r->body.find("root:"), std::string::npos) << p;
  }
  EXPECT_EQ(Get("/web/app.js", "")->status, 200);
}

TEST_F(WebClientTest, HeadlessBrowserPlaysAgainstBots) {
  std::string chromium = FindChromium();
  ASSERT_FALSE(chromium.empty()) << "chromium not installed (tools/setup.sh installs it)";
  ASSERT_TRUE(db_->ok()) << "needs PostgreSQL for sign-in: " << db_->error();
  for (int i = 0; i < 200; ++i) {
    auto r = Get("/ready");
    if (r && r->status == 200) break;
    usleep(50 * 1000);
  }
  Chromium browser;
  std::string url =
      "http://127.0.0.1:" + std::to_string(server_->port()) + "/?auto=1&mode=skirmish&move=right";
  ASSERT_TRUE(browser.Start(chromium, url));
  std::string page = browser.PagePath();
  ASSERT_FALSE(page.empty()) << browser.Log();
  DevTools dt;
  ASSERT_TRUE(dt.Open(browser.devtools_port(), page));
  std::string status;
  JsonDoc d;
  auto start = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - start < std::chrono::milliseconds(kPageWaitMs)) {
    status = dt.EvalString(
        "JSON.stringify(Object.assign({text: document.getElementById('status').textContent},"
        " document.getElementById('status').dataset))");
    if (d.Parse(status) && d.Str({"phase"}).value_or("") == "playing" &&
        d.Str({"moved"}).value_or("") == "1" && std::atoi(d.Str({"players"})->c_str()) >= 4) {
      break;
    }
    if (d.ok() && d.Str({"phase"}).value_or("") == "error") break;
    usleep(200 * 1000);
  }
  ASSERT_TRUE(d.ok()) << "page status: " << status << "\nchromium:\n" << browser.Log();
  EXPECT_EQ(d.Str({"phase"}).value_or(""), "playing") << status;
  EXPECT_EQ(d.Str({"players"}).value_or(""), "4") << status;  // drawn on the canvas
  EXPECT_EQ(d.Str({"moved"}).value_or(""), "1") << status;
  EXPECT_EQ(d.Str({"matchId"}).value_or("").size(), 36u) << status;
  EXPECT_GT(std::atoi(d.Str({"frames"}).value_or("0").c_str()), 1) << status;
  // Something was drawn: the canvas is not a single flat colour.
  std::string distinct = dt.EvalString(
      "(() => { const c = document.getElementById('arena');"
      " const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
      " const seen = new Set(); for (let i = 0; i < px.length; i += 4 * 97)"
      " seen.add(px[i] + ',' + px[i+1] + ',' + px[i+2]); return String(seen.size); })()");
  EXPECT_GT(std::atoi(distinct.c_str()), 2) << distinct;
  // For people: ASOBI_WEB_SCREENSHOT=/path/shot.png keeps a picture of the running match.
  if (const char* shot = std::getenv("ASOBI_WEB_SCREENSHOT")) {
    std::ofstream(shot, std::ios::binary) << dt.ScreenshotPng();
  }
}

}  // namespace
}  // namespace asobi::itest
