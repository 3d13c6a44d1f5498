// Parser, router and response micro-benchmarks for the REST hot path.
#include <benchmark/benchmark.h>

#include <string>

#include "http/error_response.h"
#include "http/http_parser.h"
#include "http/router.h"

namespace asobi::http {
namespace {

const std::string kGet =
    "GET /api/v1/matches/live?mode=arena&has_capacity=true HTTP/1.1\r\n"
    "Host: game.example.com\r\n"
    "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36\r\n"
    "Accept: application/json\r\n"
    "Accept-Encoding: gzip, deflate, br\r\n"
    "Accept-Language: en-US,en;q=0.9\r\n"
    "Authorization: Bearer 3q2+7w0123456789abcdef0123456789abcdef0123456789\r\n"
    "Origin: https://play.example.com\r\n"
    "Connection: keep-alive\r\n"
    "\r\n";

std::string MakePost() {
  std::string body = R"({"mode":"arena","properties":{"region":"eu-west","skill":1234,)"
                     R"("party":["0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"],"note":")";
  body.append(200 - body.size() - 3, 'x');
  body += "\"}}";
  return "POST /api/v1/matchmaker HTTP/1.1\r\n"
         "Host: game.example.com\r\n"
         "Content-Type: application/json\r\n"
         "Authorization: Bearer 3q2+7w0123456789abcdef0123456789abcdef0123456789\r\n"
         "Content-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

void ParseOnce(benchmark::State& state, const std::string& wire) {
  HttpLimits limits;
  HttpRequest req;
  size_t consumed = 0;
  for (auto _ : state) {
    ParseResult r = ParseRequest(wire, limits, &req, &consumed);
    benchmark::DoNotOptimize(r);
    benchmark::DoNotOptimize(req);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * wire.size()));
}

void BM_ParseGet8Headers(benchmark::State& state) { ParseOnce(state, kGet); }
BENCHMARK(BM_ParseGet8Headers);

void BM_ParsePost200ByteBody(benchmark::State& state) { ParseOnce(state, MakePost()); }
BENCHMARK(BM_ParsePost200ByteBody);

Router MakeRouter() {
  Router r;
  const char* patterns[] = {
      "/api/v1/auth/register",
      "/api/v1/auth/login",
      "/api/v1/players/:id",
      "/api/v1/players/me/erase",
      "/api/v1/friends",
      "/api/v1/friends/:friend_id",
      "/api/v1/groups/:id",
      "/api/v1/groups/:id/members/:player_id/role",
      "/api/v1/chat/:channel_id/history",
      "/api/v1/wallets/:currency/history",
      "/api/v1/leaderboards/:id",
      "/api/v1/leaderboards/:id/around/:player_id",
      "/api/v1/storage/:collection/:key",
      "/api/v1/matches",
      "/api/v1/matches/live",
      "/api/v1/matches/:id",
      "/api/v1/matches/:id/votes",
      "/api/v1/matchmaker/:ticket_id",
      "/api/v1/worlds/:id",
      "/health",
  };
  int id = 0;
  for (const char* p : patterns) r.Add("GET", p, id++);
  return r;
}

void BM_RouterMatch(benchmark::State& state) {
  const Router router = MakeRouter();
  const std::string_view paths[] = {
      "/api/v1/leaderboards/weekly/around/0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b",
      "/api/v1/matches/live",
      "/api/v1/players/0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b",
      "/api/v1/nope/x",
  };
  size_t i = 0;
  for (auto _ : state) {
    RouteMatch m = router.Match("GET", paths[i++ & 3]);
    benchmark::DoNotOptimize(m);
  }
}
BENCHMARK(BM_RouterMatch);

void BM_SerializeErrorResponse(benchmark::State& state) {
  ResponseOptions opts;
  opts.cors_origin = "*";
  std::string out;
  for (auto _ : state) {
    out.clear();
    SerializeResponse(ErrorResponse("match.not_found", "Match not found"), opts, &out);
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_SerializeErrorResponse);

}  // namespace
}  // namespace asobi::http

BENCHMARK_MAIN();
