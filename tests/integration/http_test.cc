// HTTP behaviour of the real server: health probes, metrics, errors, CORS, security headers,
// keep-alive, pipelining and request limits (rest.md §1, §3.13, §4).
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "http_client.h"
#include "itest_checks.h"
#include "json_doc.h"
#include "server_harness.h"

namespace asobi::itest {
namespace {

// One server (default flags) for the whole suite.
class HttpTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new ServerProcess();
    started_ = new ::testing::AssertionResult(server_->Start({}));
  }
  static void TearDownTestSuite() {
    EXPECT_TRUE(server_->Stop());
    delete server_;
    delete started_;
  }
  void SetUp() override {
    ASSERT_TRUE(*started_);
    ASSERT_TRUE(client_.Connect(server_->port()));
  }
  void TearDown() override {
    if (HasFailure()) std::fprintf(stderr, "server log:\n%s", server_->log().c_str());
  }

  // Sends `request` and reads one response, asserting the six security headers.
  HttpResponse Roundtrip(const std::string& request, bool head = false) {
    EXPECT_TRUE(client_.SendRaw(request));
    std::optional<HttpResponse> resp = client_.ReadResponse(head);
    EXPECT_TRUE(resp.has_value()) << client_.error();
    if (!resp) return {};
    EXPECT_TRUE(HasSecurityHeaders(*resp));
    return *resp;
  }

  static ServerProcess* server_;
  static ::testing::AssertionResult* started_;
  HttpClient client_;
};

ServerProcess* HttpTest::server_ = nullptr;
::testing::AssertionResult* HttpTest::started_ = nullptr;

std::string Get(std::string_view path) {
  return "GET " + std::string(path) + " HTTP/1.1\r\nHost: localhost\r\n\r\n";
}

TEST_F(HttpTest, HealthIsJsonWithStatus) {
  HttpResponse r = Roundtrip(Get("/health"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("content-type").value_or(""), "application/json");
  JsonDoc doc;
  ASSERT_TRUE(doc.Parse(r.body)) << r.body;
  std::optional<std::string> status = doc.Str({"status"});
  ASSERT_TRUE(status.has_value()) << r.body;
  EXPECT_TRUE(*status == "healthy" || *status == "unhealthy") << *status;
  EXPECT_TRUE(doc.IsObjectAt({"dependencies", "primary_db"})) << r.body;
  EXPECT_TRUE(doc.Int({"vm", "uptime_seconds"}).has_value()) << r.body;
}

TEST_F(HttpTest, ReadyWithoutDatabase) {
  HttpResponse r = Roundtrip(Get("/ready"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(Minify(r.body), R"({"status":"ready"})");
}

TEST_F(HttpTest, Live) {
  HttpResponse r = Roundtrip(Get("/live"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(Minify(r.body), R"({"status":"alive"})");
}

TEST_F(HttpTest, HeadHasHeadersButNoBody) {
  HttpResponse r = Roundtrip("HEAD /live HTTP/1.1\r\nHost: localhost\r\n\r\n", /*head=*/true);
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.body.empty());
  // The connection is still in sync: the next response is read correctly.
  HttpResponse next = Roundtrip(Get("/ready"));
  EXPECT_EQ(next.status, 200);
  EXPECT_EQ(Minify(next.body), R"({"status":"ready"})");
}

TEST_F(HttpTest, MetricsExposeConnectionsAndLoopHistogram) {
  HttpResponse r = Roundtrip(Get("/metrics"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("content-type").value_or("").rfind("text/plain", 0), 0u);
  EXPECT_NE(r.body.find("\nasobi_connections{"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("\nasobi_loop_turn_seconds_bucket{"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("le=\"+Inf\""), std::string::npos) << r.body;
  // Our own connection is open, so the gauge summed over shards is at least 1.
  int64_t open = 0;
  for (size_t at = r.body.find("\nasobi_connections{"); at != std::string::npos;
       at = r.body.find("\nasobi_connections{", at + 1)) {
    size_t sp = r.body.find("} ", at);
    ASSERT_NE(sp, std::string::npos);
    open += std::stoll(r.body.substr(sp + 2));
  }
  EXPECT_GE(open, 1);
}

TEST_F(HttpTest, UnknownPathIs404Envelope) {
  HttpResponse r = Roundtrip(Get("/no/such/path"));
  EXPECT_TRUE(IsErrorEnvelope(r, 404, "not_found"));
  // Still keep-alive after an error the server could frame.
  EXPECT_EQ(Roundtrip(Get("/live")).status, 200);
}

TEST_F(HttpTest, WrongMethodIs405WithAllow) {
  HttpResponse r =
      Roundtrip("POST /health HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n");
  EXPECT_TRUE(IsErrorEnvelope(r, 405, ""));
  EXPECT_NE(r.Header("allow").value_or("").find("GET"), std::string::npos);
  EXPECT_EQ(Roundtrip(Get("/live")).status, 200);
}

TEST_F(HttpTest, OptionsWithoutCorsConfigured) {
  HttpResponse r = Roundtrip(
      "OPTIONS /api/v1/players/me HTTP/1.1\r\nHost: localhost\r\n"
      "Origin: https://game.example\r\nAccess-Control-Request-Method: GET\r\n\r\n");
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.body.empty());
  EXPECT_FALSE(r.Header("access-control-allow-origin").has_value());
  EXPECT_FALSE(r.Header("access-control-allow-headers").has_value());
  EXPECT_FALSE(r.Header("access-control-allow-methods").has_value());
}

TEST_F(HttpTest, SecurityHeadersOnEveryKindOfResponse) {
  // Roundtrip() checks the headers on each response.
  Roundtrip(Get("/health"));
  Roundtrip(Get("/metrics"));
  Roundtrip(Get("/nope"));
  Roundtrip("DELETE /live HTTP/1.1\r\nHost: localhost\r\n\r\n");
  Roundtrip("OPTIONS /health HTTP/1.1\r\nHost: localhost\r\n\r\n");
  Roundtrip("GET /ws HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n\r\n");  // 400
}

TEST_F(HttpTest, KeepAliveServesThreeRequestsOnOneSocket) {
  const char* paths[] = {"/live", "/ready", "/health"};
  for (const char* path : paths) {
    HttpResponse r = Roundtrip(Get(path));
    EXPECT_EQ(r.status, 200) << path;
    EXPECT_EQ(r.Header("connection").value_or(""), "keep-alive") << path;
  }
  EXPECT_TRUE(client_.buffered().empty());
}

TEST_F(HttpTest, PipelinedRequestsAnsweredInOrder) {
  ASSERT_TRUE(client_.SendRaw(Get("/live") + Get("/no-such") + Get("/ready")));
  std::optional<HttpResponse> a = client_.ReadResponse();
  std::optional<HttpResponse> b = client_.ReadResponse();
  std::optional<HttpResponse> c = client_.ReadResponse();
  ASSERT_TRUE(a && b && c) << client_.error();
  EXPECT_EQ(a->status, 200);
  EXPECT_EQ(Minify(a->body), R"({"status":"alive"})");
  EXPECT_TRUE(IsErrorEnvelope(*b, 404, "not_found"));
  EXPECT_EQ(c->status, 200);
  EXPECT_EQ(Minify(c->body), R"({"status":"ready"})");
}

TEST_F(HttpTest, BodyOverOneMiBIs413BeforeTheBodyIsSent) {
  // Only the headers are sent: the server must answer without waiting for 1 MiB + 1 bytes.
  HttpResponse r = Roundtrip(
      "POST /health HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
      "Content-Length: 1048577\r\n\r\n");
  EXPECT_TRUE(IsErrorEnvelope(r, 413, "payload_too_large"));
  EXPECT_TRUE(client_.WaitForClose());
}

TEST_F(HttpTest, HugeHeaderBlockIs431) {
  std::string req = "GET /health HTTP/1.1\r\nHost: localhost\r\n";
  for (int i = 0; i < 40; ++i)
    req += "X-Filler-" + std::to_string(i) + ": " + std::string(1000, 'a') + "\r\n";
  req += "\r\n";
  HttpResponse r = Roundtrip(req);
  EXPECT_TRUE(IsErrorEnvelope(r, 431, ""));
  EXPECT_TRUE(client_.WaitForClose());
}

TEST_F(HttpTest, LongUriIs414) {
  HttpResponse r = Roundtrip(Get("/health?q=" + std::string(20000, 'x')));
  EXPECT_TRUE(IsErrorEnvelope(r, 414, ""));
  EXPECT_TRUE(client_.WaitForClose());
}

TEST_F(HttpTest, GarbageRequestLineIs400) {
  HttpResponse r = Roundtrip("THIS IS NOT HTTP\r\n\r\n");
  EXPECT_TRUE(IsErrorEnvelope(r, 400, ""));
  EXPECT_TRUE(client_.WaitForClose());
}

TEST_F(HttpTest, ChunkedPostIs411) {
  HttpResponse r = Roundtrip(
      "POST /health HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
      "Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n");
  EXPECT_TRUE(IsErrorEnvelope(r, 411, "length_required"));
  EXPECT_TRUE(client_.WaitForClose());
}

TEST_F(HttpTest, Http10ClosesAfterResponse) {
  HttpResponse r = Roundtrip("GET /live HTTP/1.0\r\n\r\n");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(Minify(r.body), R"({"status":"alive"})");
  EXPECT_EQ(r.Header("connection").value_or(""), "close");
  EXPECT_TRUE(client_.WaitForClose());
}

TEST_F(HttpTest, ConnectionCloseIsHonoured) {
  HttpResponse r = Roundtrip("GET /live HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(client_.WaitForClose());
}

// A server started with --cors-origins '*' (rest.md §4.4).
class HttpCorsTest : public HttpTest {
 protected:
  static void SetUpTestSuite() {
    server_ = new ServerProcess();
    ServerOptions o;
    o.flags = {"--cors-origins", "*"};
    started_ = new ::testing::AssertionResult(server_->Start(o));
  }
};

TEST_F(HttpCorsTest, OptionsIs200EmptyWithCorsHeaders) {
  HttpResponse r = Roundtrip(
      "OPTIONS /api/v1/players/me HTTP/1.1\r\nHost: localhost\r\n"
      "Origin: https://game.example\r\nAccess-Control-Request-Method: PUT\r\n\r\n");
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.body.empty());
  EXPECT_EQ(r.Header("content-length").value_or("0"), "0");
  EXPECT_EQ(r.Header("access-control-allow-origin").value_or(""), "*");
  EXPECT_EQ(r.Header("access-control-allow-headers").value_or(""), "*");
  EXPECT_EQ(r.Header("access-control-allow-methods").value_or(""), "*");
  EXPECT_FALSE(r.Header("access-control-allow-credentials").has_value());
}

TEST_F(HttpCorsTest, EveryResponseCarriesAllowOrigin) {
  HttpResponse ok = Roundtrip(Get("/live"));
  EXPECT_EQ(ok.Header("access-control-allow-origin").value_or(""), "*");
  HttpResponse missing = Roundtrip(Get("/nope"));
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.Header("access-control-allow-origin").value_or(""), "*");
}

}  // namespace
}  // namespace asobi::itest
