// /metrics gauges end to end (issue 10 "Numbers", soak): two registered players connect,
// authenticate, queue, get matched, play, leave and disconnect; the gauges for open
// connections, WebSocket sessions, live matches and matchmaker tickets go up while they are
// there and come back to their idle value once everyone has left.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "http_call.h"
#include "json_doc.h"
#include "pg_test_db.h"
#include "server_harness.h"
#include "ws_client.h"

namespace asobi::itest {
namespace {

constexpr int kWaitMs = 8000;  // bounds a misbehaving server only

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Sample name (labels stripped) -> sum over its label sets, from the Prometheus text.
std::map<std::string, int64_t> ParseMetrics(const std::string& text) {
  std::map<std::string, int64_t> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    size_t space = line.rfind(' ');
    if (space == std::string::npos) continue;
    std::string name = line.substr(0, std::min(space, line.find('{')));
    out[name] += std::strtoll(line.c_str() + space + 1, nullptr, 10);
  }
  return out;
}

class MetricsGaugesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(db_.ok()) << db_.error();
    ServerOptions opts;
    opts.flags = db_.ServerFlags();
    opts.flags.insert(opts.flags.end(), {"--rate-limits", "register=1000/1000,auth=1000/1000"});
    ASSERT_TRUE(server_.Start(opts));
    for (int i = 0; i < 200 && HttpCall(server_.port(), "GET", "/ready").status != 200; ++i) {
      usleep(50 * 1000);
    }
    ASSERT_EQ(HttpCall(server_.port(), "GET", "/ready").status, 200);
  }
  void TearDown() override { EXPECT_TRUE(server_.Stop()); }

  std::map<std::string, int64_t> Scrape() {
    HttpResponse r = HttpCall(server_.port(), "GET", "/metrics");
    EXPECT_EQ(r.status, 200) << r.body;
    return ParseMetrics(r.body);
  }

  // Polls /metrics until `pred` holds (true) or the deadline passes (false; `last` holds the
  // last scrape for the failure message).
  template <typename Pred>
  bool WaitForMetrics(Pred pred, std::map<std::string, int64_t>* last) {
    int64_t deadline = NowMs() + kWaitMs;
    do {
      *last = Scrape();
      if (pred(*last)) return true;
      usleep(20 * 1000);
    } while (NowMs() < deadline);
    return false;
  }

  // Registers a player; returns its access token.
  std::string Register(const std::string& name) {
    HttpResponse r = HttpCall(server_.port(), "POST", "/api/v1/auth/register",
                              R"({"username":")" + name + R"(","password":"password123"})");
    EXPECT_EQ(r.status, 200) << r.body;
    JsonDoc d;
    EXPECT_TRUE(d.Parse(r.body));
    return d.Str({"access_token"}).value_or("");
  }

  // Next frame of `type` on `ws` (others skipped), or an empty doc after the deadline.
  static JsonDoc WaitFor(WsClient& ws, const std::string& type) {
    int64_t deadline = NowMs() + kWaitMs;
    while (NowMs() < deadline) {
      JsonDoc d;
      if (!ws.RecvJson(&d, int(deadline - NowMs()))) break;
      if (d.Str({"type"}).value_or("") == type) return d;
    }
    ADD_FAILURE() << "no " << type;
    return JsonDoc();
  }

  static std::string Dump(const std::map<std::string, int64_t>& m) {
    std::string s;
    for (const char* k : {"asobi_connections", "asobi_ws_sessions", "asobi_matches_live",
                          "asobi_matchmaker_tickets"}) {
      auto it = m.find(k);
      s += std::string(k) + "=" + (it == m.end() ? "missing" : std::to_string(it->second)) + " ";
    }
    return s;
  }

  TestDatabase db_;
  ServerProcess server_;
};

TEST_F(MetricsGaugesTest, GaugesRiseWithPlayersAndReturnToIdle) {
  std::map<std::string, int64_t> m;
  // Idle: the scrape's own connection is the only one.
  ASSERT_TRUE(WaitForMetrics(
      [](auto& v) {
        return v["asobi_connections"] == 1 && v["asobi_ws_sessions"] == 0 &&
               v["asobi_matches_live"] == 0 && v["asobi_matchmaker_tickets"] == 0;
      },
      &m))
      << Dump(m);

  std::string ta = Register("gauge_a"), tb = Register("gauge_b");
  WsClient a, b;
  ASSERT_TRUE(a.Open(server_.port()));
  ASSERT_TRUE(b.Open(server_.port()));
  JsonDoc d;
  ASSERT_TRUE(
      a.SendText(R"({"type":"session.connect","cid":"1","payload":{"token":")" + ta + R"("}})"));
  ASSERT_TRUE(a.RecvJson(&d));
  ASSERT_EQ(d.Str({"type"}).value_or(""), "session.connected") << d.text();
  ASSERT_TRUE(
      b.SendText(R"({"type":"session.connect","cid":"1","payload":{"token":")" + tb + R"("}})"));
  ASSERT_TRUE(b.RecvJson(&d));
  ASSERT_EQ(d.Str({"type"}).value_or(""), "session.connected") << d.text();
  // Two sockets plus the scrape; two sessions.
  ASSERT_TRUE(WaitForMetrics(
      [](auto& v) { return v["asobi_connections"] == 3 && v["asobi_ws_sessions"] == 2; }, &m))
      << Dump(m);

  // One player queued: one pending ticket.
  ASSERT_TRUE(a.SendText(R"({"type":"matchmaker.add","cid":"2","payload":{"mode":"demo"}})"));
  ASSERT_EQ(WaitFor(a, "matchmaker.queued").Str({"payload", "status"}).value_or(""), "pending");
  ASSERT_TRUE(WaitForMetrics([](auto& v) { return v["asobi_matchmaker_tickets"] == 1; }, &m))
      << Dump(m);

  // The second one completes the group: no ticket left, one live match.
  ASSERT_TRUE(b.SendText(R"({"type":"matchmaker.add","cid":"2","payload":{"mode":"demo"}})"));
  ASSERT_FALSE(WaitFor(a, "match.matched").text().empty());
  ASSERT_FALSE(WaitFor(b, "match.matched").text().empty());
  ASSERT_TRUE(WaitForMetrics(
      [](auto& v) { return v["asobi_matchmaker_tickets"] == 0 && v["asobi_matches_live"] == 1; },
      &m))
      << Dump(m);

  // Play a little, then both leave: the empty match is destroyed.
  ASSERT_TRUE(a.SendText(R"({"type":"match.input","payload":{"move_x":1,"move_y":0}})"));
  ASSERT_FALSE(WaitFor(b, "match.state").text().empty());
  ASSERT_TRUE(a.SendText(R"({"type":"match.leave","cid":"3","payload":{}})"));
  ASSERT_FALSE(WaitFor(a, "match.left").text().empty());
  ASSERT_TRUE(b.SendText(R"({"type":"match.leave","cid":"3","payload":{}})"));
  ASSERT_FALSE(WaitFor(b, "match.left").text().empty());
  ASSERT_TRUE(WaitForMetrics([](auto& v) { return v["asobi_matches_live"] == 0; }, &m)) << Dump(m);

  // One closes cleanly, the other just drops its socket: both gauges go back to idle.
  ASSERT_TRUE(a.SendClose(1000));
  a.socket().Close();
  b.socket().Close();
  EXPECT_TRUE(WaitForMetrics(
      [](auto& v) {
        return v["asobi_connections"] == 1 && v["asobi_ws_sessions"] == 0 &&
               v["asobi_matches_live"] == 0 && v["asobi_matchmaker_tickets"] == 0;
      },
      &m))
      << Dump(m);
  EXPECT_EQ(m["asobi_matches_created_total"], 1);
}

// The operator figures of issue 15 item 3 that the core provides: each shard's CPU time and
// each shard's database pipeline (depth, statements and batches sent).
TEST_F(MetricsGaugesTest, ShardCpuTimeAndDatabasePipelineFigures) {
  auto cpu_of = [](const std::string& text, int shard) {
    std::string key = "asobi_shard_cpu_seconds_total{shard=\"" + std::to_string(shard) + "\"} ";
    size_t at = text.find(key);
    return at == std::string::npos ? -1.0 : std::strtod(text.c_str() + at + key.size(), nullptr);
  };
  HttpResponse first = HttpCall(server_.port(), "GET", "/metrics");
  ASSERT_EQ(first.status, 200);
  double cpu0 = cpu_of(first.body, 0), cpu1 = cpu_of(first.body, 1);
  EXPECT_GT(cpu0, 0.0) << first.body;
  EXPECT_GT(cpu1, 0.0) << first.body;
  std::map<std::string, int64_t> before = ParseMetrics(first.body);
  ASSERT_TRUE(before.count("asobi_db_statements_sent_total"));
  ASSERT_TRUE(before.count("asobi_db_pending_statements"));
  for (int i = 0; i < 3; ++i) Register("metrics_db_" + std::to_string(i));
  std::map<std::string, int64_t> m;
  int64_t statements = before["asobi_db_statements_sent_total"];
  int64_t batches = before["asobi_db_batches_sent_total"];
  // Three registrations write players, stats and tokens: at least 3 statements and a batch
  // more, and nothing left in the pipeline once they answered.
  EXPECT_TRUE(WaitForMetrics(
      [&](auto& v) {
        return v["asobi_db_statements_sent_total"] >= statements + 3 &&
               v["asobi_db_batches_sent_total"] > batches && v["asobi_db_pending_statements"] == 0;
      },
      &m))
      << m["asobi_db_statements_sent_total"] << " " << m["asobi_db_batches_sent_total"] << " "
      << m["asobi_db_pending_statements"];
  HttpResponse later = HttpCall(server_.port(), "GET", "/metrics");
  EXPECT_GE(cpu_of(later.body, 0) + cpu_of(later.body, 1), cpu0 + cpu1);
}

// docs/grafana/asobi-dashboard.json only charts what the server exports: every asobi_* name
// in its queries has a `# TYPE` line on /metrics (histogram series by their family name).
TEST_F(MetricsGaugesTest, TheGrafanaDashboardUsesOnlyExportedMetrics) {
  const char* root = std::getenv("ASOBI_SOURCE_ROOT");
  ASSERT_NE(root, nullptr);
  std::ifstream in(std::string(root) + "/docs/grafana/asobi-dashboard.json");
  ASSERT_TRUE(in.good());
  std::stringstream buf;
  buf << in.rdbuf();
  std::string dashboard = buf.str();
  std::set<std::string> names;
  std::regex metric("asobi_[a-z_]+");
  for (auto it = std::sregex_iterator(dashboard.begin(), dashboard.end(), metric);
       it != std::sregex_iterator(); ++it) {
    std::string name = it->str();
    if (name.size() > 7 && name.compare(name.size() - 7, 7, "_bucket") == 0) {
      name.resize(name.size() - 7);
    }
    names.insert(name);
  }
  ASSERT_GE(names.size(), 20u);
  HttpResponse r = HttpCall(server_.port(), "GET", "/metrics");
  ASSERT_EQ(r.status, 200);
  for (const std::string& name : names) {
    EXPECT_NE(r.body.find("# TYPE " + name + " "), std::string::npos) << name;
  }
}

}  // namespace
}  // namespace asobi::itest
