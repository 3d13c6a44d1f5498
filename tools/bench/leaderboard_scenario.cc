#include "leaderboard_scenario.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "blocking_http.h"
#include "reactor/histogram.h"

namespace asobi::bench {
namespace {

struct LbOptions {
  std::string host = "127.0.0.1";
  int port = 8080;
  std::string token_file;
  std::string board = "bench";
  int clients = 64;
  double duration_s = 10;
  double rate = 0;       // total submits/s over all clients; 0 = closed loop
  std::string acks_out;  // "player score mono_ms" per acknowledged submit
  bool stop_on_error = false;
  std::string get;  // non-empty: GET this path instead of submitting ({player} = client's id)
  std::string rpc;  // non-empty: submit through POST /api/v1/rpc/<rpc> {"params":{board,score}}
};

// One blocking keep-alive connection per client thread.
class Conn : public BlockingHttpConn {
 public:
  explicit Conn(const LbOptions& o) : BlockingHttpConn(o.host, o.port) {}
  int Post(const std::string& path, const std::string& body, const std::string& bearer) {
    return Request(path, body, bearer);
  }
};

struct Ack {
  int32_t player;
  int64_t score;
  int64_t mono_ms;
};

bool Parse(int argc, char** argv, LbOptions* o) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto val = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--host") {
      o->host = val();
    } else if (a == "--port") {
      o->port = std::atoi(val().c_str());
    } else if (a == "--token-file") {
      o->token_file = val();
    } else if (a == "--board") {
      o->board = val();
    } else if (a == "--clients") {
      o->clients = std::atoi(val().c_str());
    } else if (a == "--duration") {
      o->duration_s = std::atof(val().c_str());
    } else if (a == "--rate") {
      o->rate = std::atof(val().c_str());
    } else if (a == "--acks-out") {
      o->acks_out = val();
    } else if (a == "--rpc") {
      o->rpc = val();
    } else if (a == "--get") {
      o->get = val();
    } else if (a == "--stop-on-error") {
      o->stop_on_error = true;
    } else {
      return false;
    }
  }
  return !o->token_file.empty() && !o->board.empty() && o->clients > 0 && o->duration_s > 0 &&
         o->rate >= 0;
}

double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

void SleepUntilNs(int64_t t) {
  for (int64_t now = MonoNs(); now < t; now = MonoNs()) {
    timespec ts{0, long(t - now)};
    nanosleep(&ts, nullptr);
  }
}

}  // namespace

int RunLeaderboardScenario(int argc, char** argv) {
  LbOptions o;
  if (!Parse(argc, argv, &o)) {
    std::fputs(
        "usage: asobi-bench leaderboard --token-file F [--board B] [--host H] [--port P]\n"
        "         [--clients C] [--duration S] [--rate R] [--acks-out FILE] [--stop-on-error]\n"
        "         [--get PATH] [--rpc METHOD]\n"
        "POST /api/v1/leaderboards/B {score} on C keep-alive clients for S seconds; client c\n"
        "submits scores 1, 2, 3 ... as player c of F (`token player_id` lines, round-robin).\n"
        "--rate R paces the clients to R submits/s in total (latency is measured from each\n"
        "submit's scheduled time, so a server falling behind shows in it, and also from the\n"
        "actual send); 0 = closed loop.\n"
        "--acks-out: every acknowledged submit as `player_id score monotonic_ms` lines.\n"
        "--stop-on-error: a client stops at its first failed submit (crash runs).\n"
        "--get PATH: GET PATH instead of submitting (`{player}` = the client's player id),\n"
        "e.g. /api/v1/leaderboards/B?limit=100 (reads; counted as `submits`).\n"
        "--rpc METHOD: submit through POST /api/v1/rpc/METHOD {\"params\":{\"board\":B,\n"
        "\"score\":N}}: a Lua RPC handler calls game.leaderboard.submit for the caller (e.g.\n"
        "bench.submit of tools/bench/games/bench_rpc.lua); its 200 is the acknowledgement.\n",
        stderr);
    return 2;
  }
  std::vector<std::pair<std::string, std::string>> players;  // token, id
  std::ifstream in(o.token_file);
  for (std::string t, id; in >> t >> id;) players.emplace_back(t, id);
  if (players.empty()) {
    std::fprintf(stderr, "asobi-bench leaderboard: no tokens in %s\n", o.token_file.c_str());
    return 1;
  }
  const std::string path =
      o.rpc.empty() ? "/api/v1/leaderboards/" + o.board : "/api/v1/rpc/" + o.rpc;
  // The RPC body names the board; the handler submits for the calling player (Lua path).
  auto body = [&](int64_t score) {
    return o.rpc.empty() ? "{\"score\":" + std::to_string(score) + "}"
                         : "{\"params\":{\"board\":\"" + o.board +
                               "\",\"score\":" + std::to_string(score) + "}}";
  };
  std::atomic<int64_t> ok{0}, other{0};
  std::vector<Histogram> per_client(size_t(o.clients));  // one writer each
  std::vector<Histogram> per_client_send(size_t(o.clients));
  std::vector<std::vector<Ack>> acks(size_t(o.clients));
  const double cpu0 = CpuSeconds();
  const int64_t begin = MonoNs();
  const int64_t end = begin + int64_t(o.duration_s * 1e9);
  // Each client's interval between submits at the paced rate.
  const int64_t interval_ns = o.rate > 0 ? int64_t(1e9 * o.clients / o.rate) : 0;
  std::vector<std::thread> threads;
  for (int c = 0; c < o.clients; ++c) {
    threads.emplace_back([&, c] {
      Conn conn(o);
      const int32_t p = int32_t(size_t(c) % players.size());
      const std::string& token = players[size_t(p)].first;
      std::string get_path = o.get;
      if (size_t at = get_path.find("{player}"); at != std::string::npos) {
        get_path.replace(at, 8, players[size_t(p)].second);
      }
      // Spread the clients' phases over one interval.
      int64_t next = begin + (interval_ns > 0 ? interval_ns * c / o.clients : 0);
      for (int64_t score = 1;; ++score) {
        if (interval_ns > 0) {
          if (next >= end) break;
          SleepUntilNs(next);
        } else if (MonoNs() >= end) {
          break;
        }
        const int64_t sent = MonoNs();
        const int64_t t0 = interval_ns > 0 ? next : sent;
        next += interval_ns;
        int status =
            o.get.empty() ? conn.Post(path, body(score), token) : conn.Post(get_path, "", token);
        const int64_t done = MonoNs();
        per_client[size_t(c)].Record(uint64_t((done - t0) / 1000));
        per_client_send[size_t(c)].Record(uint64_t((done - sent) / 1000));
        if (status == 200) {
          ++ok;
          if (!o.acks_out.empty()) acks[size_t(c)].push_back({p, score, MonoNs() / 1000000});
        } else {
          ++other;
          if (o.stop_on_error) break;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  const double seconds = double(MonoNs() - begin) / 1e9;
  const double cpu = CpuSeconds() - cpu0;
  Histogram latency_us, send_us;
  for (const Histogram& h : per_client) latency_us.Merge(h);
  for (const Histogram& h : per_client_send) send_us.Merge(h);
  std::printf(
      "submits ok=%lld other=%lld in %.1fs: %.0f ok/s  p50=%.2fms p99=%.2fms max=%.2fms  "
      "client cpu %.1fs (%.0f%% of one core)\n",
      (long long)ok.load(), (long long)other.load(), seconds, double(ok.load()) / seconds,
      latency_us.Percentile(50) / 1e3, latency_us.Percentile(99) / 1e3, latency_us.max() / 1e3, cpu,
      100 * cpu / seconds);
  if (interval_ns > 0) {
    std::printf(
        "  from the actual send (without the client's own scheduling lag): p50=%.2fms "
        "p99=%.2fms\n",
        send_us.Percentile(50) / 1e3, send_us.Percentile(99) / 1e3);
  }
  if (!o.acks_out.empty()) {
    std::ofstream out(o.acks_out);
    for (const auto& list : acks) {
      for (const Ack& a : list) {
        out << players[size_t(a.player)].second << ' ' << a.score << ' ' << a.mono_ms << '\n';
      }
    }
  }
  return other.load() == 0 || o.stop_on_error ? 0 : 1;
}

}  // namespace asobi::bench
