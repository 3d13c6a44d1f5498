#include "http/response.h"

#include <gtest/gtest.h>

#include <string>

#include "http/error_response.h"

namespace asobi::http {
namespace {

// Splits a serialized response into status line, header lines and body.
struct Wire {
  std::string status_line;
  std::vector<std::string> headers;
  std::string body;

  bool Has(std::string_view line) const {
    for (const auto& h : headers) {
      if (h == line) return true;
    }
    return false;
  }
  bool HasName(std::string_view name) const {
    for (const auto& h : headers) {
      if (h.compare(0, name.size() + 1, std::string(name) + ":") == 0) return true;
    }
    return false;
  }
};

Wire Split(const std::string& s) {
  Wire w;
  const size_t end = s.find("\r\n\r\n");
  EXPECT_NE(end, std::string::npos);
  size_t pos = 0;
  bool first = true;
  while (pos < end) {
    size_t eol = s.find("\r\n", pos);
    std::string line = s.substr(pos, eol - pos);
    if (first) {
      w.status_line = line;
      first = false;
    } else {
      w.headers.push_back(line);
    }
    pos = eol + 2;
  }
  w.body = s.substr(end + 4);
  return w;
}

void ExpectSecurityHeaders(const Wire& w) {
  EXPECT_TRUE(w.Has("x-content-type-options: nosniff"));
  EXPECT_TRUE(w.Has("x-frame-options: DENY"));
  EXPECT_TRUE(w.Has("x-xss-protection: 0"));
  EXPECT_TRUE(w.Has("referrer-policy: strict-origin-when-cross-origin"));
  EXPECT_TRUE(w.Has("permissions-policy: camera=(), microphone=(), geolocation=()"));
  EXPECT_TRUE(w.Has("strict-transport-security: max-age=31536000; includeSubDomains"));
}

TEST(Response, SerializesStatusHeadersAndBody) {
  HttpResponse r;
  r.body = R"({"status":"alive"})";
  r.extra_headers.emplace_back("x-ratelimit-remaining", "299");
  std::string out = "prefix";
  SerializeResponse(r, {}, &out);
  ASSERT_EQ(out.compare(0, 6, "prefix"), 0);  // appends
  Wire w = Split(out.substr(6));
  EXPECT_EQ(w.status_line, "HTTP/1.1 200 OK");
  EXPECT_TRUE(w.Has("content-type: application/json"));
  EXPECT_TRUE(w.Has("content-length: 18"));
  EXPECT_TRUE(w.Has("connection: keep-alive"));
  EXPECT_TRUE(w.Has("x-ratelimit-remaining: 299"));
  EXPECT_FALSE(w.HasName("access-control-allow-origin"));
  EXPECT_FALSE(w.HasName("date"));
  ExpectSecurityHeaders(w);
  EXPECT_EQ(w.body, r.body);
}

TEST(Response, CorsHeadersWhenOriginConfigured) {
  HttpResponse r;
  ResponseOptions opts;
  opts.cors_origin = "https://game.example";
  opts.keep_alive = false;
  std::string out;
  SerializeResponse(r, opts, &out);
  Wire w = Split(out);
  EXPECT_TRUE(w.Has("access-control-allow-origin: https://game.example"));
  EXPECT_TRUE(w.Has("access-control-allow-headers: *"));
  EXPECT_TRUE(w.Has("access-control-allow-methods: *"));
  EXPECT_FALSE(w.HasName("access-control-allow-credentials"));
  EXPECT_TRUE(w.Has("connection: close"));
  // Empty body (OPTIONS answer): length 0, no content-type.
  EXPECT_TRUE(w.Has("content-length: 0"));
  EXPECT_FALSE(w.HasName("content-type"));
  ExpectSecurityHeaders(w);
}

TEST(Response, NoContentAndHeadHaveNoBody) {
  HttpResponse r;
  r.status = 204;
  r.body = "ignored";
  std::string out;
  SerializeResponse(r, {}, &out);
  Wire w = Split(out);
  EXPECT_EQ(w.status_line, "HTTP/1.1 204 No Content");
  EXPECT_FALSE(w.HasName("content-length"));
  EXPECT_EQ(w.body, "");

  HttpResponse get;
  get.body = "12345";
  ResponseOptions head;
  head.head_request = true;
  out.clear();
  SerializeResponse(get, head, &out);
  w = Split(out);
  EXPECT_TRUE(w.Has("content-length: 5"));
  EXPECT_EQ(w.body, "");
}

TEST(Response, DateHeaderAndFormat) {
  std::string date;
  FormatHttpDate(784111777, &date);
  EXPECT_EQ(date, "Sun, 06 Nov 1994 08:49:37 GMT");
  ResponseOptions opts;
  opts.date = date;
  std::string out;
  SerializeResponse(HttpResponse{}, opts, &out);
  EXPECT_TRUE(Split(out).Has("date: Sun, 06 Nov 1994 08:49:37 GMT"));
}

TEST(Response, ReasonPhrases) {
  EXPECT_EQ(ReasonPhrase(201), "Created");
  EXPECT_EQ(ReasonPhrase(429), "Too Many Requests");
  EXPECT_EQ(ReasonPhrase(431), "Request Header Fields Too Large");
  EXPECT_EQ(ReasonPhrase(799), "Unknown");
}

TEST(ErrorEnvelope, ShapeAndStatus) {
  HttpResponse r = ErrorResponse("storage.not_found", "no such object");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body,
            R"({"error":{"code":"storage.not_found","message":"no such object","details":{}}})");
  r = ErrorResponse("save.version_conflict", "conflict", R"({"current_version":3})");
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(r.body, R"({"error":{"code":"save.version_conflict","message":"conflict",)"
                    R"("details":{"current_version":3}}})");
  r = ErrorResponse("rate_limited", "slow down", R"({"retry_after":2})", R"("retry_after":2)");
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.body, R"({"error":{"code":"rate_limited","message":"slow down",)"
                    R"("details":{"retry_after":2}},"retry_after":2})");
  r = ErrorResponse("forbidden", "x", "");
  EXPECT_NE(r.body.find(R"("details":{})"), std::string::npos);
}

TEST(ErrorEnvelope, StatusTableSample) {
  EXPECT_EQ(StatusForCode("internal"), 500);
  EXPECT_EQ(StatusForCode("invalid_json"), 400);
  EXPECT_EQ(StatusForCode("unauthenticated"), 401);
  EXPECT_EQ(StatusForCode("length_required"), 411);
  EXPECT_EQ(StatusForCode("payload_too_large"), 413);
  EXPECT_EQ(StatusForCode("validation_failed"), 422);
  EXPECT_EQ(StatusForCode("not_ready"), 503);
  EXPECT_EQ(StatusForCode("economy.insufficient_funds"), 402);
  EXPECT_EQ(StatusForCode("auth.username_taken"), 409);
  EXPECT_EQ(StatusForCode("rpc.unknown_method"), 404);
  EXPECT_EQ(StatusForCode("world.create_failed"), 400);
  EXPECT_EQ(StatusForCode("world.player_limit_reached"), 429);
  EXPECT_EQ(StatusForCode("dm.content_too_large"), 413);
  EXPECT_EQ(StatusForCode("storage.conflict"), 500);
  EXPECT_EQ(StatusForCode("ops.purge_count_mismatch"), 409);
  EXPECT_EQ(StatusForCode("console.not_built"), 503);
  EXPECT_EQ(StatusForCode("ws.request_failed"), 400);
  EXPECT_EQ(StatusForCode("not_found"), 404);
  EXPECT_EQ(StatusForCode("method_not_allowed"), 405);
  EXPECT_EQ(StatusForCode("no.such.code"), 500);
  EXPECT_EQ(StatusForCode(""), 500);
  EXPECT_EQ(ErrorResponse("made_up", "m").status, 500);
}

TEST(ErrorEnvelope, NotFoundMethodNotAllowedAndParseErrors) {
  HttpResponse r = NotFoundResponse();
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.body.find(R"("code":"not_found")"), std::string::npos);
  r = MethodNotAllowedResponse("GET, PUT");
  EXPECT_EQ(r.status, 405);
  ASSERT_EQ(r.extra_headers.size(), 1u);
  EXPECT_EQ(r.extra_headers[0].first, "allow");
  EXPECT_EQ(r.extra_headers[0].second, "GET, PUT");
  ParseResult pr;
  pr.status = ParseStatus::kError;
  pr.http_status = 413;
  pr.code = "payload_too_large";
  EXPECT_EQ(ParseErrorResponse(pr).status, 413);
  pr.http_status = 431;
  pr.code = "headers_too_large";
  EXPECT_EQ(ParseErrorResponse(pr).status, 431);
  pr.http_status = 505;
  pr.code = "http_version_not_supported";
  EXPECT_EQ(ParseErrorResponse(pr).status, 505);
}

TEST(ErrorEnvelope, MessageIsEscaped) {
  HttpResponse r = ErrorResponse("invalid_json", "bad \"json\"\n");
  EXPECT_EQ(r.body,
            R"({"error":{"code":"invalid_json","message":"bad \"json\"\u000a","details":{}}})");
}

}  // namespace
}  // namespace asobi::http
