#include "economy_scenario.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "blocking_http.h"
#include "reactor/histogram.h"

namespace asobi::bench {
namespace {

struct EconomyOptions {
  std::string host = "127.0.0.1";
  int port = 8080;
  std::string token_file;
  std::string listing;
  int clients = 64;
  double duration_s = 10;
  int contention = 0;  // > 0: that many one-shot purchases at once by the first player
};

// One blocking keep-alive connection per client thread.
class Conn : public BlockingHttpConn {
 public:
  explicit Conn(const EconomyOptions& o) : BlockingHttpConn(o.host, o.port) {}
  int Post(const std::string& path, const std::string& body, const std::string& bearer) {
    return Request(path, body, bearer);
  }
};

struct Counts {
  std::atomic<int64_t> ok{0}, insufficient{0}, other{0};
  Histogram latency_us;
};

void Count(Counts& c, int status, int64_t t0_ns) {
  c.latency_us.Record(uint64_t((MonoNs() - t0_ns) / 1000));
  if (status == 200) {
    ++c.ok;
  } else if (status == 402) {
    ++c.insufficient;
  } else {
    ++c.other;
  }
}

bool Parse(int argc, char** argv, EconomyOptions* o) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto val = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--host") {
      o->host = val();
    } else if (a == "--port") {
      o->port = std::atoi(val().c_str());
    } else if (a == "--token-file") {
      o->token_file = val();
    } else if (a == "--listing") {
      o->listing = val();
    } else if (a == "--clients") {
      o->clients = std::atoi(val().c_str());
    } else if (a == "--duration") {
      o->duration_s = std::atof(val().c_str());
    } else if (a == "--contention") {
      o->contention = std::atoi(val().c_str());
    } else {
      return false;
    }
  }
  return !o->token_file.empty() && !o->listing.empty() && o->clients > 0 && o->duration_s > 0 &&
         o->contention >= 0;
}

}  // namespace

int RunEconomyScenario(int argc, char** argv) {
  EconomyOptions o;
  if (!Parse(argc, argv, &o)) {
    std::fputs(
        "usage: asobi-bench economy --token-file F --listing ID [--host H] [--port P]\n"
        "         [--clients C] [--duration S] [--contention N]\n"
        "POST /api/v1/store/purchase {listing_id} in a closed loop on C keep-alive clients for\n"
        "S seconds, client c buying as player c of F (`token player_id` lines, round-robin).\n"
        "--contention N: instead, N connections each send ONE purchase at the same moment, all\n"
        "as the first player of F (the wallet contention figure). Prints ok, 402, other,\n"
        "purchases/s and latency percentiles. Check the ledger afterwards in SQL.\n",
        stderr);
    return 2;
  }
  std::vector<std::string> tokens;
  std::ifstream in(o.token_file);
  for (std::string t, id; in >> t >> id;) tokens.push_back(t);
  if (tokens.empty()) {
    std::fprintf(stderr, "asobi-bench economy: no tokens in %s\n", o.token_file.c_str());
    return 1;
  }
  const std::string body = "{\"listing_id\":\"" + o.listing + "\"}";
  Counts counts;
  std::vector<std::thread> threads;
  int64_t begin = MonoNs();
  std::vector<std::unique_ptr<Conn>> conns;  // contention: one per racing purchase
  if (o.contention > 0) {
    for (int i = 0; i < o.contention; ++i) {
      conns.push_back(std::make_unique<Conn>(o));
      conns.back()->Connect();  // a failure shows as "other" when the purchase is sent
    }
    std::atomic<bool> go{false};
    for (int i = 0; i < o.contention; ++i) {
      threads.emplace_back([&, i] {
        while (!go.load()) std::this_thread::yield();
        int64_t t0 = MonoNs();
        Count(counts, conns[size_t(i)]->Post("/api/v1/store/purchase", body, tokens[0]), t0);
      });
    }
    begin = MonoNs();
    go.store(true);
  } else {
    int64_t end = begin + int64_t(o.duration_s * 1e9);
    for (int c = 0; c < o.clients; ++c) {
      threads.emplace_back([&, c] {
        Conn conn(o);
        const std::string& token = tokens[size_t(c) % tokens.size()];
        while (MonoNs() < end) {
          int64_t t0 = MonoNs();
          Count(counts, conn.Post("/api/v1/store/purchase", body, token), t0);
        }
      });
    }
  }
  for (auto& t : threads) t.join();
  double seconds = double(MonoNs() - begin) / 1e9;
  const Histogram& h = counts.latency_us;
  std::printf(
      "purchases ok=%lld insufficient_funds=%lld other=%lld in %.1fs: %.0f ok/s  p50=%.2fms "
      "p99=%.2fms max=%.2fms\n",
      (long long)counts.ok.load(), (long long)counts.insufficient.load(),
      (long long)counts.other.load(), seconds, double(counts.ok.load()) / seconds,
      h.Percentile(50) / 1e3, h.Percentile(99) / 1e3, h.max() / 1e3);
  return counts.other.load() == 0 ? 0 : 1;
}

}  // namespace asobi::bench
