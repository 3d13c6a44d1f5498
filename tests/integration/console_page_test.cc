// The operator console page (rest.md §3.14, issue 15): GET /console and
// GET /console/assets/:file serve web/console/ from memory only with --console; without it
// both answer 404 `console.not_found`. The console's files are never served under /web/.
// No database needed: this is the static page only (the session and ops routes have their
// own tests).
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>

#include "http_client.h"
#include "itest_checks.h"
#include "server_harness.h"

namespace asobi::itest {
namespace {

std::optional<HttpResponse> Get(ServerProcess& s, const std::string& path,
                                const std::string& extra = "") {
  HttpClient c;
  EXPECT_TRUE(c.Connect(s.port()));
  return c.Get(path, extra);
}

class ConsolePageTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    on_ = new ServerProcess();
    off_ = new ServerProcess();
    ServerOptions on;
    on.flags = {"--console"};
    on_started_ = new ::testing::AssertionResult(on_->Start(on));
    off_started_ = new ::testing::AssertionResult(off_->Start(ServerOptions{}));
  }
  static void TearDownTestSuite() {
    for (ServerProcess* s : {on_, off_}) {
      if (s->running()) {
        EXPECT_TRUE(s->Stop());
      }
      delete s;
    }
    delete on_started_;
    delete off_started_;
  }
  void SetUp() override {
    ASSERT_TRUE(*on_started_);
    ASSERT_TRUE(*off_started_);
  }
  void TearDown() override {
    if (HasFailure()) std::fprintf(stderr, "server log:\n%s", on_->log().c_str());
  }
  static ServerProcess* on_;
  static ServerProcess* off_;
  static ::testing::AssertionResult* on_started_;
  static ::testing::AssertionResult* off_started_;
};
ServerProcess* ConsolePageTest::on_ = nullptr;
ServerProcess* ConsolePageTest::off_ = nullptr;
::testing::AssertionResult* ConsolePageTest::on_started_ = nullptr;
::testing::AssertionResult* ConsolePageTest::off_started_ = nullptr;

TEST_F(ConsolePageTest, ServesThePageAndItsModulesWhenEnabled) {
  auto page = Get(*on_, "/console");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_EQ(page->Header("content-type").value_or(""), "text/html; charset=utf-8");
  EXPECT_NE(page->body.find("/console/assets/console.js"), std::string::npos);
  EXPECT_NE(page->Header("content-security-policy").value_or("").find("script-src 'self'"),
            std::string::npos);
  EXPECT_TRUE(HasSecurityHeaders(*page));
  for (const char* f : {"console.js", "api.js", "table.js", "players.js", "live.js", "boards.js",
                        "chat.js", "store.js", "notify.js", "audit.js"}) {
    auto js = Get(*on_, std::string("/console/assets/") + f);
    ASSERT_TRUE(js) << f;
    EXPECT_EQ(js->status, 200) << f;
    EXPECT_EQ(js->Header("content-type").value_or(""), "text/javascript; charset=utf-8") << f;
  }
  auto css = Get(*on_, "/console/assets/console.css");
  ASSERT_TRUE(css);
  EXPECT_EQ(css->Header("content-type").value_or(""), "text/css; charset=utf-8");
  std::string etag = css->Header("etag").value_or("");
  ASSERT_FALSE(etag.empty());
  EXPECT_EQ(Get(*on_, "/console/assets/console.css", "If-None-Match: " + etag + "\r\n")->status,
            304);
}

TEST_F(ConsolePageTest, DisabledConsoleAnswersNotFound) {
  for (const char* p : {"/console", "/console/assets/console.js", "/console/assets/index.html"}) {
    auto r = Get(*off_, p);
    ASSERT_TRUE(r) << p;
    EXPECT_TRUE(IsErrorEnvelope(*r, 404, "console.not_found")) << p;
  }
}

TEST_F(ConsolePageTest, ConsoleFilesAreNeverServedUnderWeb) {
  for (ServerProcess* s : {on_, off_}) {
    for (const char* p : {"/web/console/index.html", "/web/console/console.js"}) {
      auto r = Get(*s, p);
      ASSERT_TRUE(r) << p;
      EXPECT_TRUE(IsErrorEnvelope(*r, 404, "not_found")) << p;
    }
    EXPECT_EQ(Get(*s, "/web/app.js")->status, 200);  // the game client is still there
  }
}

TEST_F(ConsolePageTest, AssetPathTricksAnswerNotFound) {
  for (const char* p :
       {"/console/assets/../../meson.build", "/console/assets/..%2f..%2fmeson.build",
        "/console/assets/%2e%2e", "/console/assets/.hidden", "/console/assets/nope.js",
        "/console/assets/CONSOLE.JS", "/console/assets/console.js%00.png",
        "/console/assets/index.html", "/console/assets/..\\app.js"}) {
    auto r = Get(*on_, p);
    ASSERT_TRUE(r) << p;
    EXPECT_EQ(r->status, 404) << p;
    EXPECT_EQ(r->body.find("project('asobi-cpp'"), std::string::npos) << p;
    EXPECT_EQ(r->body.find("import "), std::string::npos) << p;
  }
}

}  // namespace
}  // namespace asobi::itest
