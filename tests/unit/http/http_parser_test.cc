#include "http/http_parser.h"

#include <gtest/gtest.h>

#include <string>

namespace asobi::http {
namespace {

constexpr std::string_view kGet =
    "GET /api/v1/players/abc?limit=5 HTTP/1.1\r\n"
    "Host: example.com\r\n"
    "Authorization: Bearer tok\r\n"
    "X-Weird-Case:   spaced value  \r\n"
    "\r\n";

constexpr std::string_view kPost =
    "POST /api/v1/auth/login HTTP/1.1\r\n"
    "Host: example.com\r\n"
    "Content-Type: application/json\r\n"
    "Content-Length: 13\r\n"
    "\r\n"
    "{\"a\":\"hello\"}";

struct Parsed {
  ParseResult result;
  HttpRequest request;
  size_t consumed = 0;
};

Parsed Parse(std::string_view buf, const HttpLimits& limits = {}) {
  Parsed p;
  p.result = ParseRequest(buf, limits, &p.request, &p.consumed);
  return p;
}

int ErrorStatus(std::string_view buf, const HttpLimits& limits = {}) {
  Parsed p = Parse(buf, limits);
  if (p.result.status != ParseStatus::kError) return 0;
  return p.result.http_status;
}

TEST(HttpParser, CompleteGet) {
  Parsed p = Parse(kGet);
  ASSERT_EQ(p.result.status, ParseStatus::kComplete);
  EXPECT_EQ(p.consumed, kGet.size());
  EXPECT_EQ(p.request.method, "GET");
  EXPECT_EQ(p.request.target, "/api/v1/players/abc?limit=5");
  EXPECT_EQ(p.request.path, "/api/v1/players/abc");
  EXPECT_EQ(p.request.query, "limit=5");
  EXPECT_EQ(p.request.version_minor, 1);
  EXPECT_TRUE(p.request.keep_alive);
  EXPECT_TRUE(p.request.body.empty());
  ASSERT_EQ(p.request.headers.size(), 3u);
  EXPECT_EQ(p.request.headers[0].first, "host");
  EXPECT_EQ(p.request.Header("authorization"), "Bearer tok");
  EXPECT_EQ(p.request.Header("x-weird-case"), "spaced value");
  EXPECT_TRUE(p.request.HasHeader("host"));
  EXPECT_FALSE(p.request.HasHeader("cookie"));
  EXPECT_EQ(p.request.Header("cookie"), "");
}

TEST(HttpParser, CompletePostWithBody) {
  Parsed p = Parse(kPost);
  ASSERT_EQ(p.result.status, ParseStatus::kComplete);
  EXPECT_EQ(p.consumed, kPost.size());
  EXPECT_EQ(p.request.body, "{\"a\":\"hello\"}");
  EXPECT_EQ(p.request.query, "");
}

TEST(HttpParser, PipelinedRequestsAreParsedOneAtATime) {
  std::string buf = std::string(kPost) + std::string(kGet) + "GET /x HT";
  HttpRequest req;
  size_t consumed = 0;
  ParseResult r = ParseRequest(buf, {}, &req, &consumed);
  ASSERT_EQ(r.status, ParseStatus::kComplete);
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(consumed, kPost.size());
  std::string_view rest = std::string_view(buf).substr(consumed);
  r = ParseRequest(rest, {}, &req, &consumed);
  ASSERT_EQ(r.status, ParseStatus::kComplete);
  EXPECT_EQ(req.method, "GET");
  EXPECT_EQ(req.headers.size(), 3u);  // reused object holds only this request's headers
  EXPECT_TRUE(req.body.empty());
  rest = rest.substr(consumed);
  r = ParseRequest(rest, {}, &req, &consumed);
  EXPECT_EQ(r.status, ParseStatus::kNeedMore);
  EXPECT_EQ(consumed, 0u);
}

TEST(HttpParser, ByteByByteFeedCompletesOnlyAtTheLastByte) {
  for (std::string_view whole : {kGet, kPost}) {
    for (size_t n = 0; n < whole.size(); ++n) {
      Parsed p = Parse(whole.substr(0, n));
      ASSERT_EQ(p.result.status, ParseStatus::kNeedMore) << "prefix " << n;
      EXPECT_EQ(p.consumed, 0u);
    }
    EXPECT_EQ(Parse(whole).result.status, ParseStatus::kComplete);
  }
}

TEST(HttpParser, BodySplitAcrossFeedsReportsTotalSize) {
  const size_t headers_end = kPost.find("\r\n\r\n") + 4;
  Parsed p = Parse(kPost.substr(0, headers_end + 5));
  ASSERT_EQ(p.result.status, ParseStatus::kNeedMore);
  EXPECT_EQ(p.result.request_bytes, kPost.size());
  EXPECT_FALSE(p.result.expect_continue);
  p = Parse(kPost);
  ASSERT_EQ(p.result.status, ParseStatus::kComplete);
  EXPECT_EQ(p.request.body.size(), 13u);
}

TEST(HttpParser, ExpectContinueIsReportedWhileBodyIsMissing) {
  Parsed p =
      Parse("PUT /s HTTP/1.1\r\nHost: h\r\nExpect: 100-Continue\r\nContent-Length: 3\r\n\r\n");
  ASSERT_EQ(p.result.status, ParseStatus::kNeedMore);
  EXPECT_TRUE(p.result.expect_continue);
}

// rest.md §4.3 asks Content-Length of a request with a body. Without Content-Length and
// Transfer-Encoding a request has no body (RFC 9112 §6.3): Godot's HTTPClient sends the SDK's
// body-less POSTs (group join, tournament join) like that, so they must parse as empty.
TEST(HttpParser, PostPutPatchWithoutContentLengthHaveEmptyBody) {
  for (std::string_view method : {"POST", "PUT", "PATCH"}) {
    Parsed p = Parse(std::string(method) + " /api/v1/groups/1/join HTTP/1.1\r\nHost: h\r\n\r\n");
    ASSERT_EQ(p.result.status, ParseStatus::kComplete) << method;
    EXPECT_EQ(p.request.body, "") << method;
  }
  Parsed p = Parse("POST /api/v1/groups/1/join HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n");
  ASSERT_EQ(p.result.status, ParseStatus::kComplete);
  EXPECT_EQ(p.request.body, "");
}

TEST(HttpParser, OtherMethodsWithoutBodyIndicatorHaveEmptyBody) {
  for (std::string_view method : {"GET", "DELETE", "HEAD", "OPTIONS", "BREW"}) {
    Parsed p = Parse(std::string(method) + " /x HTTP/1.1\r\nHost: h\r\n\r\n");
    ASSERT_EQ(p.result.status, ParseStatus::kComplete) << method;
    EXPECT_EQ(p.request.body, "");
  }
}

TEST(HttpParser, ZeroContentLengthAndRepeatedEqualContentLength) {
  EXPECT_EQ(Parse("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n").result.status,
            ParseStatus::kComplete);
  Parsed p =
      Parse("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\ncontent-length: 2\r\n\r\nab");
  ASSERT_EQ(p.result.status, ParseStatus::kComplete);
  EXPECT_EQ(p.request.body, "ab");
}

TEST(HttpParser, ChunkedIsLengthRequired) {
  Parsed p = Parse("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello");
  ASSERT_EQ(p.result.status, ParseStatus::kError);
  EXPECT_EQ(p.result.http_status, 411);
  EXPECT_EQ(p.result.code, "length_required");
  EXPECT_EQ(p.consumed, 0u);
  EXPECT_EQ(ErrorStatus("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n"
                        "Transfer-Encoding: gzip, chunked\r\n\r\nhello"),
            411);
}

TEST(HttpParser, HugeContentLengthIs413BeforeTheBodyArrives) {
  Parsed p = Parse("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1048577\r\n\r\n");
  ASSERT_EQ(p.result.status, ParseStatus::kError);
  EXPECT_EQ(p.result.http_status, 413);
  EXPECT_EQ(p.result.code, "payload_too_large");
  EXPECT_EQ(ErrorStatus("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: "
                        "99999999999999999999999999999\r\n\r\n"),
            413);
  // Exactly at the cap is fine (needs the body).
  p = Parse("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1048576\r\n\r\n");
  EXPECT_EQ(p.result.status, ParseStatus::kNeedMore);
  EXPECT_GT(p.result.request_bytes, 1048576u);
  HttpLimits small;
  small.body_bytes_max = 4;
  EXPECT_EQ(ErrorStatus(kPost, small), 413);
}

TEST(HttpParser, BadContentLengthIs400) {
  for (std::string_view cl : {"-1", "abc", "1 2", "+5", "5,5", "0x10", ""}) {
    std::string req =
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: " + std::string(cl) + "\r\n\r\n";
    EXPECT_EQ(ErrorStatus(req), 400) << cl;
  }
  EXPECT_EQ(ErrorStatus("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\n"
                        "Content-Length: 2\r\n\r\nab"),
            400);
}

TEST(HttpParser, UriLimitIs414EvenBeforeTheLineEnds) {
  HttpLimits limits;
  limits.uri_bytes_max = 64;
  const std::string ok_target = "/" + std::string(63, 'a');
  EXPECT_EQ(Parse("GET " + ok_target + " HTTP/1.1\r\nHost: h\r\n\r\n", limits).result.status,
            ParseStatus::kComplete);
  EXPECT_EQ(ErrorStatus("GET " + ok_target + "b HTTP/1.1\r\nHost: h\r\n\r\n", limits), 414);
  EXPECT_EQ(ErrorStatus("GET " + ok_target + "b", limits), 414);  // incomplete line
  EXPECT_EQ(ErrorStatus("GET /" + std::string(9000, 'x')), 414);  // default 8 KiB
}

TEST(HttpParser, HeaderBlockLimitIs431EvenBeforeItEnds) {
  HttpLimits limits;
  limits.header_bytes_max = 100;
  std::string big = "GET / HTTP/1.1\r\nHost: h\r\nX-A: " + std::string(200, 'v');
  EXPECT_EQ(ErrorStatus(big, limits), 431);               // no line end yet
  EXPECT_EQ(ErrorStatus(big + "\r\n\r\n", limits), 431);  // complete
  std::string many = "GET / HTTP/1.1\r\nHost: h\r\n";
  for (int i = 0; i < 100; ++i) many += "X-N: 1\r\n";
  EXPECT_EQ(ErrorStatus(many + "\r\n"), 431);  // 101 fields
  EXPECT_EQ(ErrorStatus(many), 431);           // already too many before the end
  std::string endless = "GET / HTTP/1.1\r\nHost: h\r\n";
  while (endless.size() < 20000) endless += "X-Long-Header-Name: value\r\n";
  endless.resize(20000);
  EXPECT_EQ(ErrorStatus(endless), 431);
}

TEST(HttpParser, HundredHeadersAreAllowed) {
  std::string req = "GET / HTTP/1.1\r\nHost: h\r\n";
  for (int i = 0; i < 99; ++i) req += "X-N: 1\r\n";
  Parsed p = Parse(req + "\r\n");
  ASSERT_EQ(p.result.status, ParseStatus::kComplete);
  EXPECT_EQ(p.request.headers.size(), 100u);
}

TEST(HttpParser, VersionsOtherThan10And11Are505) {
  EXPECT_EQ(ErrorStatus("GET / HTTP/2.0\r\n\r\n"), 505);
  EXPECT_EQ(ErrorStatus("GET / HTTP/1.2\r\nHost: h\r\n\r\n"), 505);
  EXPECT_EQ(ErrorStatus("GET / HTTP/0.9\r\n\r\n"), 505);
  EXPECT_EQ(Parse("GET / HTTP/1.0\r\n\r\n").result.status, ParseStatus::kComplete);
  Parsed p = Parse("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
  EXPECT_EQ(p.request.version_minor, 1);
}

TEST(HttpParser, KeepAliveRules) {
  EXPECT_TRUE(Parse("GET / HTTP/1.1\r\nHost: h\r\n\r\n").request.keep_alive);
  EXPECT_FALSE(Parse("GET / HTTP/1.1\r\nHost: h\r\nConnection: Close\r\n\r\n").request.keep_alive);
  EXPECT_FALSE(
      Parse("GET / HTTP/1.1\r\nHost: h\r\nConnection: upgrade, close\r\n\r\n").request.keep_alive);
  EXPECT_FALSE(Parse("GET / HTTP/1.0\r\n\r\n").request.keep_alive);
  Parsed p = Parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n");
  EXPECT_EQ(p.request.version_minor, 0);
  EXPECT_TRUE(p.request.keep_alive);
  EXPECT_FALSE(Parse("GET / HTTP/1.0\r\nConnection: keep-alive\r\nConnection: close\r\n\r\n")
                   .request.keep_alive);
}

TEST(HttpParser, HostRules) {
  EXPECT_EQ(ErrorStatus("GET / HTTP/1.1\r\n\r\n"), 400);
  EXPECT_EQ(ErrorStatus("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"), 400);
  HttpLimits lax;
  lax.require_host = false;
  EXPECT_EQ(Parse("GET / HTTP/1.1\r\n\r\n", lax).result.status, ParseStatus::kComplete);
}

TEST(HttpParser, MalformedRequestLinesAre400) {
  for (std::string_view line : {
           "GET  / HTTP/1.1\r\n\r\n",                    // double space
           " GET / HTTP/1.1\r\n\r\n",                    // leading space
           "GET / HTTP/1.1 \r\n\r\n",                    // trailing space
           "GET /\r\n\r\n",                              // HTTP/0.9 form
           "GET / HTTP/1.1\n\n",                         // bare LF
           "GET / HTTP/1.1\rX\n\r\n",                    // bare CR
           "GET / http/1.1\r\n\r\n",                     // lowercase version
           "GET / HTTP/11\r\n\r\n",                      // malformed version
           "GE(T / HTTP/1.1\r\n\r\n",                    // non-token method
           "GET relative HTTP/1.1\r\nHost: h\r\n\r\n",   // not origin-form
           "GET ftp://x/ HTTP/1.1\r\nHost: h\r\n\r\n",   // other scheme
           "GET http:/// HTTP/1.1\r\nHost: h\r\n\r\n",   // empty authority
           "GET /a\tb HTTP/1.1\r\n\r\n",                 // control char in target
           "GET /\xc3\xa9 HTTP/1.1\r\n\r\n",             // non-ASCII target
           "ABCDEFGHIJKLMNOPQ / HTTP/1.1\r\n\r\n",       // 17-byte method
           "\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n",  // more than one leading empty line
       }) {
    EXPECT_EQ(ErrorStatus(line), 400) << line;
  }
}

TEST(HttpParser, MalformedHeadersAre400) {
  for (std::string_view h : {
           "Bad Name: v\r\n",  // space in name
           "Name : v\r\n",     // space before colon
           ": v\r\n",          // empty name
           "NoColon\r\n",      // no colon
           " folded: v\r\n",   // obs-fold
           "X-A: v\x01w\r\n",  // control char in value
           "X-A: v\x7fw\r\n",  // DEL in value
           "X-A: v\n",         // bare LF
           "X-A: v\rw\r\n",    // bare CR in value
       }) {
    std::string req = "GET / HTTP/1.1\r\nHost: h\r\n";
    req.append(h.data(), h.size());
    req += "\r\n";
    EXPECT_EQ(ErrorStatus(req), 400) << h;
  }
  static constexpr char kNulName[] = "GET / HTTP/1.1\r\nHost: h\r\nX-\0A: v\r\n\r\n";
  const std::string nul_name(kNulName, sizeof(kNulName) - 1);
  EXPECT_EQ(ErrorStatus(nul_name), 400);
}

TEST(HttpParser, BadBytesAreFoundAtEveryPositionOfLongValuesAndTargets) {
  for (char bad : {'\0', '\x01', '\r', '\x1f', '\x7f'}) {
    for (size_t pos = 0; pos < 24; ++pos) {
      std::string value(24, 'v');
      value[pos] = bad;
      EXPECT_EQ(ErrorStatus("GET / HTTP/1.1\r\nHost: h\r\nX-A: " + value + "\r\n\r\n"), 400)
          << int(bad) << " at " << pos;
    }
  }
  for (char bad : {'\0', '\t', '\x7f', '\x80', '\xff'}) {
    for (size_t pos = 1; pos < 24; ++pos) {
      std::string target(24, 't');
      target[0] = '/';
      target[pos] = bad;
      EXPECT_EQ(ErrorStatus("GET " + target + " HTTP/1.1\r\nHost: h\r\n\r\n"), 400)
          << int(bad) << " at " << pos;
    }
  }
  std::string tabs = "GET / HTTP/1.1\r\nHost: h\r\nX-A: a\tb\tc\td\te\tf\tg\th\r\n\r\n";
  Parsed p = Parse(tabs);
  ASSERT_EQ(p.result.status, ParseStatus::kComplete);
  EXPECT_EQ(p.request.Header("x-a"), "a\tb\tc\td\te\tf\tg\th");
}

TEST(HttpParser, GarbageIsRejectedWithoutWaitingForMore) {
  EXPECT_EQ(ErrorStatus(std::string("\x16\x03\x01\x02\x00\x01\x00", 7)), 400);  // TLS hello
  EXPECT_EQ(ErrorStatus("\x80\x81\x82"), 400);
  EXPECT_EQ(ErrorStatus("{\"type\":\"x\"}"), 400);
  EXPECT_EQ(ErrorStatus("\r\r"), 400);
  EXPECT_EQ(ErrorStatus("GET / XTTP"), 400);
}

TEST(HttpParser, EmptyAndTinyInputsNeedMore) {
  EXPECT_EQ(Parse("").result.status, ParseStatus::kNeedMore);
  EXPECT_EQ(Parse("\r").result.status, ParseStatus::kNeedMore);
  EXPECT_EQ(Parse("\r\nGE").result.status, ParseStatus::kNeedMore);
}

TEST(HttpParser, OneLeadingEmptyLineIsSkippedAndConsumed) {
  const std::string req = "\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n";
  Parsed p = Parse(req);
  ASSERT_EQ(p.result.status, ParseStatus::kComplete);
  EXPECT_EQ(p.consumed, req.size());
}

TEST(HttpParser, AbsoluteFormTargetYieldsPathAndQuery) {
  Parsed p = Parse("GET http://example.com:8080/api/v1/x?y=1 HTTP/1.1\r\nHost: h\r\n\r\n");
  ASSERT_EQ(p.result.status, ParseStatus::kComplete);
  EXPECT_EQ(p.request.path, "/api/v1/x");
  EXPECT_EQ(p.request.query, "y=1");
  p = Parse("GET HTTPS://example.com HTTP/1.1\r\nHost: h\r\n\r\n");
  ASSERT_EQ(p.result.status, ParseStatus::kComplete);
  EXPECT_EQ(p.request.path, "/");
}

TEST(HttpParser, UnknownMethodIsLeftToTheRouter) {
  Parsed p = Parse("BREW /pot HTTP/1.1\r\nHost: h\r\n\r\n");
  ASSERT_EQ(p.result.status, ParseStatus::kComplete);
  EXPECT_EQ(p.request.method, "BREW");
}

TEST(HttpParser, ObsTextInHeaderValuesIsKept) {
  Parsed p = Parse("GET / HTTP/1.1\r\nHost: h\r\nX-Name: caf\xc3\xa9\r\n\r\n");
  ASSERT_EQ(p.result.status, ParseStatus::kComplete);
  EXPECT_EQ(p.request.Header("x-name"), "caf\xc3\xa9");
}

// Feeds `whole` one byte at a time through one cursor, as a connection does, and checks
// that every prefix gives the same answer as a stateless parse of that prefix.
void ExpectCursorAgreesOnEveryPrefix(std::string_view whole, const HttpLimits& limits = {}) {
  ParseCursor cursor;
  for (size_t n = 0; n <= whole.size(); ++n) {
    const std::string_view prefix = whole.substr(0, n);
    HttpRequest a, b;
    size_t ca = 0, cb = 0;
    const ParseResult plain = ParseRequest(prefix, limits, &a, &ca);
    const ParseResult inc = ParseRequest(prefix, limits, &b, &cb, &cursor);
    ASSERT_EQ(plain.status, inc.status) << "prefix " << n;
    ASSERT_EQ(plain.http_status, inc.http_status) << "prefix " << n;
    ASSERT_EQ(plain.request_bytes, inc.request_bytes) << "prefix " << n;
    ASSERT_EQ(ca, cb);
    if (plain.status == ParseStatus::kComplete) {
      EXPECT_EQ(a.headers, b.headers);
      EXPECT_EQ(a.body, b.body);
    }
    if (plain.status != ParseStatus::kNeedMore) return;
  }
}

TEST(HttpParser, CursorGivesTheSameAnswersAsAStatelessParse) {
  ExpectCursorAgreesOnEveryPrefix(kGet);
  ExpectCursorAgreesOnEveryPrefix(kPost);
  ExpectCursorAgreesOnEveryPrefix("GET / HTTP/1.1\r\nHost: h\r\nBad Name: v\r\n\r\n");
  ExpectCursorAgreesOnEveryPrefix("GET / HTTP/1.1\r\nHost: h\r\nX-A: v\n\r\n");
  std::string many = "GET / HTTP/1.1\r\nHost: h\r\n";
  for (int i = 0; i < 101; ++i) many += "X-N: 1\r\n";
  ExpectCursorAgreesOnEveryPrefix(many + "\r\n");
  HttpLimits small;
  small.header_bytes_max = 64;
  ExpectCursorAgreesOnEveryPrefix(many, small);
}

// The cursor remembers where the header scan stopped, so a trickled header section is
// scanned once, and a malformed line is caught as soon as it is complete.
TEST(HttpParser, CursorSkipsHeaderLinesAlreadyChecked) {
  const std::string head = "GET / HTTP/1.1\r\nHost: h\r\nX-A: 1\r\nX-B: 2";
  ParseCursor cursor;
  HttpRequest req;
  size_t consumed = 0;
  ASSERT_EQ(ParseRequest(head, {}, &req, &consumed, &cursor).status, ParseStatus::kNeedMore);
  EXPECT_EQ(cursor.header_lines, 2u);
  EXPECT_EQ(cursor.header_lines_end, head.find("X-B"));
  // Lines before the cursor are not looked at again while the section is incomplete: a
  // buffer whose checked part was (impossibly) changed still only needs more.
  std::string altered = head + "\r\n";
  altered[head.find("X-A")] = ' ';
  EXPECT_EQ(ParseRequest(altered, {}, &req, &consumed, &cursor).status, ParseStatus::kNeedMore);
  EXPECT_EQ(cursor.header_lines, 3u);
  // A new malformed line is rejected at once.
  EXPECT_EQ(ParseRequest(head + "\r\nNoColon\r\n", {}, &req, &consumed, &cursor).http_status, 400);
}

}  // namespace
}  // namespace asobi::http
