#include "bench_options.h"

#include <cerrno>
#include <cstdlib>
#include <string_view>

namespace asobi::bench {
namespace {

bool ParseInt(std::string_view s, int64_t lo, int64_t hi, int64_t* out) {
  if (s.empty()) return false;
  std::string tmp(s);
  char* end = nullptr;
  errno = 0;
  long long v = std::strtoll(tmp.c_str(), &end, 10);
  if (errno != 0 || end != tmp.c_str() + tmp.size() || v < lo || v > hi) return false;
  *out = v;
  return true;
}

bool ParseDouble(std::string_view s, double lo, double hi, double* out) {
  if (s.empty()) return false;
  std::string tmp(s);
  char* end = nullptr;
  errno = 0;
  double v = std::strtod(tmp.c_str(), &end);
  if (errno != 0 || end != tmp.c_str() + tmp.size() || !(v >= lo && v <= hi)) return false;
  *out = v;
  return true;
}

bool ParseCpuList(std::string_view s, std::vector<int>* out) {
  out->clear();
  while (!s.empty()) {
    size_t comma = s.find(',');
    std::string_view item = s.substr(0, comma);
    int64_t v;
    if (!ParseInt(item, 0, 4095, &v)) return false;
    out->push_back(int(v));
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
  }
  return !out->empty();
}

Error BadFlag(std::string_view flag, std::string_view why) {
  return MakeError("bad_flag", std::string(flag) + ": " + std::string(why));
}

// Applies one flag; returns an empty string on success, else the problem.
std::string_view Apply(std::string_view flag, std::string_view v, Options* o) {
  int64_t i = 0;
  double d = 0;
  auto int_flag = [&](int64_t lo, int64_t hi, auto* field) -> std::string_view {
    if (!ParseInt(v, lo, hi, &i)) return "expected an integer in range";
    *field = static_cast<std::remove_pointer_t<decltype(field)>>(i);
    return {};
  };
  auto dbl_flag = [&](double lo, double hi, double* field) -> std::string_view {
    if (!ParseDouble(v, lo, hi, &d)) return "expected a number in range";
    *field = d;
    return {};
  };
  if (flag == "--host") return o->host = std::string(v), std::string_view{};
  if (flag == "--port") return int_flag(1, 65535, &o->port);
  if (flag == "--path") return o->path = std::string(v), std::string_view{};
  if (flag == "--connections" || flag == "-c") return int_flag(1, 1000000, &o->connections);
  if (flag == "--wave-size") return int_flag(1, 1000000, &o->wave_size);
  if (flag == "--wave-interval-ms") return int_flag(0, 60000, &o->wave_interval_ms);
  if (flag == "--token-file") return o->token_file = std::string(v), std::string_view{};
  if (flag == "--mode") {
    if (v == "rtt")
      o->mode = Mode::kRtt;
    else if (v == "blast")
      o->mode = Mode::kBlast;
    else if (v == "open")
      o->mode = Mode::kOpen;
    else
      return "expected rtt, blast or open";
    return {};
  }
  if (flag == "--depth") return int_flag(1, 65536, &o->depth);
  if (flag == "--count") return int_flag(1, int64_t(1) << 40, &o->count);
  if (flag == "--rate") return dbl_flag(0.001, 1e9, &o->rate);
  if (flag == "--duration") return dbl_flag(0.01, 86400, &o->duration_s);
  if (flag == "--warmup") return dbl_flag(0, 86400, &o->warmup_s);
  if (flag == "--message") return o->message = std::string(v), std::string_view{};
  if (flag == "--inflight-max") return int_flag(1, 65536, &o->inflight_max);
  if (flag == "--tick-us") return int_flag(10, 100000, &o->tick_us);
  if (flag == "--cpu") return ParseCpuList(v, &o->cpus) ? "" : "expected N or N,M,...";
  if (flag == "--threads") return int_flag(1, 256, &o->threads);
  if (flag == "--server-pid") return int_flag(1, 1 << 30, &o->server_pid);
  if (flag == "--connect-timeout-ms") return int_flag(1, 3600000, &o->connect_timeout_ms);
  if (flag == "--drain-timeout-ms") return int_flag(0, 3600000, &o->drain_timeout_ms);
  if (flag == "--close-timeout-ms") return int_flag(0, 3600000, &o->close_timeout_ms);
  return "unknown flag";
}

}  // namespace

const char* ModeName(Mode m) {
  switch (m) {
    case Mode::kRtt:
      return "rtt";
    case Mode::kBlast:
      return "blast";
    case Mode::kOpen:
      return "open";
  }
  return "?";
}

Result<Options> ParseOptions(int argc, char** argv, bool* help) {
  Options o;
  *help = false;
  for (int a = 1; a < argc; ++a) {
    std::string_view arg = argv[a];
    if (arg == "--help" || arg == "-h") {
      *help = true;
      return o;
    }
    if (arg == "--json") {
      o.json = true;
      continue;
    }
    std::string_view flag = arg, value;
    size_t eq = arg.find('=');
    if (arg.rfind("--", 0) == 0 && eq != std::string_view::npos) {
      flag = arg.substr(0, eq);
      value = arg.substr(eq + 1);
    } else {
      if (a + 1 >= argc) return BadFlag(arg, "missing value");
      value = argv[++a];
    }
    std::string_view problem = Apply(flag, value, &o);
    if (!problem.empty()) return BadFlag(flag, problem);
  }
  if (o.message.empty()) return o;
  size_t first = o.message.find_first_not_of(" \t\r\n");
  if (first == std::string::npos || o.message[first] != '{') {
    return BadFlag("--message", "must be a JSON object");
  }
  return o;
}

std::string Usage() {
  return R"(asobi-bench: WebSocket load generator for asobi (io_uring, src/reactor).

Usage: asobi-bench [flags]
Target
  --host H                 server address (default 127.0.0.1)
  --port P                 server port (default 8080)
  --path P                 WebSocket path (default /ws)
Connections
  -c, --connections N      WebSockets to open (default 100)
  --wave-size N            connects started per wave (default 500)
  --wave-interval-ms MS    time between waves (default 100)
  --token-file F           "token player_id" lines; each connection sends session.connect with
                           the next token (round-robin). Without it sockets stay
                           unauthenticated (they send one heartbeat to prove the connection; the
                           server closes them after its idle-auth timeout, 10 s by default)
  --connect-timeout-ms MS  give up on connects/upgrades/auth this long after the last wave
                           (default 30000)
Load
  --mode rtt|blast|open    rtt: closed loop, --depth in flight per connection (default)
                           blast: --count per connection as fast as possible, then drain
                           open: fixed total --rate msg/s on a steady schedule; latency from
                           each message's scheduled send time (no coordinated omission)
  --depth D                rtt: requests in flight per connection (default 1)
  --count M                blast: requests per connection (default 1000)
  --rate R                 open: total requests per second (default 10000)
  --duration S             measured window in seconds (blast: time limit) (default 10)
  --warmup S               load before the measured window, not counted (default 0)
  --message JSON           request template (a JSON object without "cid"); a unique "cid" is
                           added to each copy. Default {"type":"session.heartbeat","payload":{}}
  --inflight-max N         per-connection bound on outstanding requests (cid ring slots);
                           default: rtt depth, blast min(count,1024), open 256
  --tick-us US             open: the scheduler wakes when the next message is due, but no
                           more often than every US µs (default 100)
  --drain-timeout-ms MS    wait for outstanding replies after the window (default 5000)
  --close-timeout-ms MS    wait for close handshakes (default 2000)
Process
  --threads T              client threads, each with its own reactor (default 1)
  --cpu N[,M...]           pin thread i to the i-th listed core (round-robin)
  --server-pid P           read the server's CPU time from /proc/P/stat over the window
  --json                   print one JSON object instead of the human-readable report
)";
}

}  // namespace asobi::bench
