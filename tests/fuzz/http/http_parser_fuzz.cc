// Fuzzes ParseRequest: pipelined consumption, incremental parsing at a split point, which
// must agree with parsing the whole input, and a growing buffer parsed with a ParseCursor,
// which must give the stateless answer for every prefix. Parsed requests are also fed through the
// router, the query helpers and the error envelope.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "http/error_response.h"
#include "http/http_parser.h"
#include "http/query.h"
#include "http/router.h"

namespace {

using asobi::http::HttpLimits;
using asobi::http::HttpRequest;
using asobi::http::ParseResult;
using asobi::http::ParseStatus;

void Require(bool cond) {
  if (!cond) std::abort();
}

void CheckResult(const ParseResult& r, size_t consumed, size_t size) {
  if (r.status == ParseStatus::kComplete) {
    Require(consumed > 0 && consumed <= size);
    return;
  }
  Require(consumed == 0);
  if (r.status == ParseStatus::kError) {
    const int s = r.http_status;
    Require(s == 400 || s == 411 || s == 413 || s == 414 || s == 431 || s == 505);
    Require(asobi::http::StatusForCode(r.code) == s);
  }
}

const asobi::http::Router& TestRouter() {
  static const auto* router = [] {
    auto* r = new asobi::http::Router();
    r->Add("GET", "/api/v1/players/:id", 1);
    r->Add("GET", "/api/v1/matches/live", 2);
    r->Add("GET", "/api/v1/matches/:id/votes", 3);
    r->Add("POST", "/api/v1/rpc/:method", 4);
    return r;
  }();
  return *router;
}

void Exercise(const HttpRequest& req) {
  asobi::http::RouteMatch m = TestRouter().Match(req.method, req.path);
  Require(m.param_count <= asobi::http::kRouteParamsMax);
  (void)asobi::http::IntParam(req.query, "limit", 50, 1, 200);
  (void)asobi::http::BoolParam(req.query, "read");
  std::string out;
  asobi::http::SerializeResponse(asobi::http::ErrorResponse("not_found", req.target), {}, &out);
}

uint64_t Hash(std::string_view s) {
  uint64_t h = 1469598103934665603ull;
  for (char c : s) h = (h ^ static_cast<uint8_t>(c)) * 1099511628211ull;
  return h;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  HttpLimits limits;
  if (size > 0 && (data[0] & 1)) {  // small limits so the limit paths are reachable
    limits.uri_bytes_max = 64;
    limits.header_bytes_max = 256;
    limits.headers_count_max = 8;
    limits.body_bytes_max = 128;
  }
  HttpRequest req;
  size_t consumed = 0;

  std::string_view rest = input;
  for (int i = 0; i < 64; ++i) {
    const ParseResult r = ParseRequest(rest, limits, &req, &consumed);
    CheckResult(r, consumed, rest.size());
    if (r.status != ParseStatus::kComplete) break;
    Exercise(req);
    rest.remove_prefix(consumed);
  }

  // Incremental: a prefix may only say "need more" or agree with the whole input.
  const size_t split = size == 0 ? 0 : Hash(input) % (size + 1);
  const ParseResult whole = ParseRequest(input, limits, &req, &consumed);
  const size_t whole_consumed = consumed;
  const ParseResult part = ParseRequest(input.substr(0, split), limits, &req, &consumed);
  CheckResult(part, consumed, split);
  if (part.status == ParseStatus::kComplete) {
    Require(whole.status == ParseStatus::kComplete && whole_consumed == consumed);
  } else if (part.status == ParseStatus::kError) {
    Require(whole.status == ParseStatus::kError);
  } else if (whole.status == ParseStatus::kComplete) {
    Require(split < whole_consumed);
  }

  // A connection's view: the buffer grows in steps; with a cursor each answer must be the
  // stateless one.
  if (size <= 2048) {
    asobi::http::ParseCursor cursor;
    const size_t step = 1 + Hash(input) % 7;
    for (size_t n = 0;; n = std::min(size, n + step)) {
      const std::string_view prefix = input.substr(0, n);
      size_t plain_consumed = 0;
      const ParseResult plain = ParseRequest(prefix, limits, &req, &plain_consumed);
      const ParseResult inc = ParseRequest(prefix, limits, &req, &consumed, &cursor);
      Require(plain.status == inc.status && plain.http_status == inc.http_status);
      Require(plain.request_bytes == inc.request_bytes && plain_consumed == consumed);
      if (plain.status != ParseStatus::kNeedMore || n == size) break;
    }
  }
  return 0;
}
