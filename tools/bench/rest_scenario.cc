#include "rest_scenario.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "reactor/histogram.h"

namespace asobi::bench {
namespace {

struct RestOptions {
  std::string host = "127.0.0.1";
  int port = 8080;
  int players = 1000;
  int clients = 100;
  double duration_s = 10;
  std::string players_file = "/tmp/asobi-bench-players.txt";
  std::string token_file_out;
  int guests = 0;  // guest sessions to sign in for the token file (no password hashing)
  std::string guests_file = "/tmp/asobi-bench-guests.txt";
  double rate = 0;  // per client requests/s in the measured phases; 0 = closed loop
  std::string phases = "login,get";  // register happens implicitly for missing players
  bool json = false;
};

struct Player {
  std::string username, password, id, token;
};

// One blocking keep-alive HTTP/1.1 client connection.
class Conn {
 public:
  explicit Conn(const RestOptions& o) : o_(o) {}
  ~Conn() {
    if (fd_ >= 0) close(fd_);
  }
  // Sends one request and reads the response; returns the status (0 on I/O failure).
  int Request(const std::string& method, const std::string& path, const std::string& body,
              const std::string& bearer, std::string* resp_body) {
    for (int attempt = 0; attempt < 2; ++attempt) {
      if (fd_ < 0 && !Connect()) return 0;
      std::string req = method + " " + path + " HTTP/1.1\r\nHost: bench\r\n";
      if (!bearer.empty()) req += "Authorization: Bearer " + bearer + "\r\n";
      if (!body.empty() || method == "POST") {
        req += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
               "\r\n";
      }
      req += "\r\n" + body;
      if (SendAll(req)) {
        int status = ReadResponse(resp_body);
        if (status > 0) return status;
      }
      close(fd_);
      fd_ = -1;
      buf_.clear();
    }
    return 0;
  }

 private:
  bool Connect() {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(uint16_t(o_.port));
    inet_pton(AF_INET, o_.host.c_str(), &a.sin_addr);
    int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    timeval tv{60, 0};  // argon2id registrations queue behind the hashing pool
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      close(fd_);
      fd_ = -1;
      return false;
    }
    return true;
  }
  bool SendAll(const std::string& s) {
    size_t off = 0;
    while (off < s.size()) {
      ssize_t n = send(fd_, s.data() + off, s.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return false;
      off += size_t(n);
    }
    return true;
  }
  int ReadResponse(std::string* body) {
    for (;;) {
      size_t head_end = buf_.find("\r\n\r\n");
      if (head_end != std::string::npos) {
        int status = std::atoi(buf_.c_str() + 9);
        size_t cl_pos = buf_.find("content-length: ");
        size_t len = cl_pos < head_end ? size_t(std::atol(buf_.c_str() + cl_pos + 16)) : 0;
        if (buf_.size() >= head_end + 4 + len) {
          if (body) body->assign(buf_, head_end + 4, len);
          bool closing = buf_.find("connection: close") < head_end;
          buf_.erase(0, head_end + 4 + len);
          if (closing) {
            close(fd_);
            fd_ = -1;
            buf_.clear();
          }
          return status;
        }
      }
      char tmp[16384];
      ssize_t n = recv(fd_, tmp, sizeof tmp, 0);
      if (n <= 0) return 0;
      buf_.append(tmp, size_t(n));
    }
  }

  const RestOptions& o_;
  int fd_ = -1;
  std::string buf_;
};

std::string JsonField(const std::string& body, const std::string& key) {
  std::string pat = "\"" + key + "\":\"";
  size_t p = body.find(pat);
  if (p == std::string::npos) return "";
  p += pat.size();
  size_t e = body.find('"', p);
  return e == std::string::npos ? "" : body.substr(p, e - p);
}

struct EndpointStats {
  Histogram latency_us;
  std::atomic<int64_t> ok{0}, failed{0};
  std::atomic<int64_t> status_429{0}, status_5xx{0};
};

void Record(EndpointStats& s, int status, int64_t t0_ns) {
  s.latency_us.Record(uint64_t((MonoNs() - t0_ns) / 1000));
  if (status == 200) {
    s.ok++;
  } else {
    s.failed++;
    if (status == 429) s.status_429++;
    if (status >= 500) s.status_5xx++;
  }
}

// Runs `fn(client_index, conn)` on `clients` threads; each returns when it decides.
template <typename Fn>
void RunClients(const RestOptions& o, Fn fn) {
  std::vector<std::thread> threads;
  for (int c = 0; c < o.clients; ++c) {
    threads.emplace_back([&o, &fn, c] {
      Conn conn(o);
      fn(c, conn);
    });
  }
  for (auto& t : threads) t.join();
}

std::vector<Player> LoadOrRegister(const RestOptions& o, EndpointStats& reg) {
  std::vector<Player> players;
  std::ifstream in(o.players_file);
  Player p;
  while (in >> p.username >> p.password >> p.id) players.push_back(p);
  if (int(players.size()) >= o.players) {
    players.resize(size_t(o.players));
    return players;
  }
  size_t have = players.size();
  std::mutex mu;
  std::atomic<int> next{int(have)};
  unsigned salt = unsigned(MonoNs());
  RunClients(o, [&](int, Conn& conn) {
    for (int i = next++; i < o.players; i = next++) {
      Player np;
      np.username = "bench_" + std::to_string(salt % 100000) + "_" + std::to_string(i);
      np.password = "bench-password-1";
      std::string body;
      int64_t t0 = MonoNs();
      int st = conn.Request(
          "POST", "/api/v1/auth/register",
          "{\"username\":\"" + np.username + "\",\"password\":\"" + np.password + "\"}", "", &body);
      Record(reg, st, t0);
      if (st != 200) continue;
      np.id = JsonField(body, "player_id");
      np.token = JsonField(body, "access_token");
      std::lock_guard<std::mutex> lock(mu);
      players.push_back(np);
    }
  });
  std::ofstream out(o.players_file, std::ios::trunc);
  for (const Player& pl : players) out << pl.username << ' ' << pl.password << ' ' << pl.id << '\n';
  return players;
}

// A fixed, valid device secret for bench guest `i`: 32 bytes, base64 (rest.md §2.7). Bench
// devices are throwaway; the secret only has to be stable across runs.
std::string BenchDeviceSecret(int i) {
  static const char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  uint8_t raw[33] = {};  // 32 bytes of secret, one zero byte of padding for the last group
  for (int k = 0; k < 32; ++k) raw[k] = uint8_t(i * 131 + k * 29 + (i >> 8));
  std::string s;
  for (int k = 0; k < 33; k += 3) {
    uint32_t v = uint32_t(raw[k]) << 16 | uint32_t(raw[k + 1]) << 8 | raw[k + 2];
    for (int shift = 18; shift >= 0; shift -= 6) s += kB64[(v >> shift) & 63];
  }
  s.back() = '=';  // 32 = 10 * 3 + 2 bytes: 43 characters and one '='
  return s;
}

// Signs in `o.guests` guest devices (ids cached in o.guests_file, so a rerun resumes the same
// players instead of creating new ones) and returns their players with fresh access tokens.
// Guest creation is limited node-wide to 100/s (rest.md §2.7): a 429 is retried after 200 ms.
std::vector<Player> SignInGuests(const RestOptions& o, EndpointStats& stats) {
  std::vector<std::string> devices;
  std::ifstream in(o.guests_file);
  for (std::string d; in >> d && int(devices.size()) < o.guests;) devices.push_back(d);
  unsigned salt = unsigned(MonoNs() % 1000000);
  while (int(devices.size()) < o.guests) {
    devices.push_back("benchdev-" + std::to_string(salt) + "-" + std::to_string(devices.size()));
  }
  std::vector<Player> players(devices.size());
  std::atomic<size_t> next{0};
  RunClients(o, [&](int, Conn& conn) {
    for (size_t i = next++; i < devices.size(); i = next++) {
      std::string body;
      for (int attempt = 0; attempt < 1000; ++attempt) {
        int64_t t0 = MonoNs();
        int st = conn.Request("POST", "/api/v1/auth/guest",
                              "{\"device_id\":\"" + devices[i] + "\",\"device_secret\":\"" +
                                  BenchDeviceSecret(int(i)) + "\"}",
                              "", &body);
        Record(stats, st, t0);
        if (st != 429) {
          static std::atomic<int> reported{0};
          if (st != 200 && reported++ < 5) {
            std::fprintf(stderr, "guest sign-in: %d %s\n", st, body.c_str());
          }
          break;
        }
        usleep(200 * 1000);
      }
      players[i].username = devices[i];
      players[i].id = JsonField(body, "player_id");
      players[i].token = JsonField(body, "access_token");
    }
  });
  std::ofstream out(o.guests_file, std::ios::trunc);
  for (const std::string& d : devices) out << d << '\n';
  return players;
}

void Print(const char* name, const EndpointStats& s, double seconds, bool json, bool* first) {
  const Histogram& h = s.latency_us;
  if (json) {
    std::printf(
        "%s\"%s\":{\"ok\":%lld,\"failed\":%lld,\"rate_limited\":%lld,\"errors_5xx\":%lld,"
        "\"per_s\":%.0f,\"p50_us\":%llu,\"p95_us\":%llu,\"p99_us\":%llu,\"max_us\":%llu}",
        *first ? "" : ",", name, (long long)s.ok.load(), (long long)s.failed.load(),
        (long long)s.status_429.load(), (long long)s.status_5xx.load(),
        double(s.ok.load()) / seconds, (unsigned long long)h.Percentile(50),
        (unsigned long long)h.Percentile(95), (unsigned long long)h.Percentile(99),
        (unsigned long long)h.max());
    *first = false;
    return;
  }
  std::printf(
      "%-9s ok=%-8lld failed=%-6lld (429: %lld, 5xx: %lld) %8.0f/s  p50=%.2fms "
      "p95=%.2fms p99=%.2fms max=%.2fms\n",
      name, (long long)s.ok.load(), (long long)s.failed.load(), (long long)s.status_429.load(),
      (long long)s.status_5xx.load(), double(s.ok.load()) / seconds, h.Percentile(50) / 1e3,
      h.Percentile(95) / 1e3, h.Percentile(99) / 1e3, h.max() / 1e3);
}

bool Parse(int argc, char** argv, RestOptions* o) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto val = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--host")
      o->host = val();
    else if (a == "--port")
      o->port = std::atoi(val().c_str());
    else if (a == "--players")
      o->players = std::atoi(val().c_str());
    else if (a == "--clients")
      o->clients = std::atoi(val().c_str());
    else if (a == "--duration")
      o->duration_s = std::atof(val().c_str());
    else if (a == "--players-file")
      o->players_file = val();
    else if (a == "--token-file-out")
      o->token_file_out = val();
    else if (a == "--rate")
      o->rate = std::atof(val().c_str());
    else if (a == "--guests")
      o->guests = std::atoi(val().c_str());
    else if (a == "--guests-file")
      o->guests_file = val();
    else if (a == "--phases")
      o->phases = val();
    else if (a == "--json")
      o->json = true;
    else
      return false;
  }
  return o->players > 0 && o->clients > 0 && o->duration_s > 0 && o->guests >= 0 && o->rate >= 0;
}

}  // namespace

int RunRestScenario(int argc, char** argv) {
  RestOptions o;
  if (!Parse(argc, argv, &o)) {
    std::fputs(
        "usage: asobi-bench rest [--host H] [--port P] [--players N] [--clients C]\n"
        "         [--duration S] [--players-file F] [--phases login,get] [--token-file-out F]\n"
        "         [--rate R] [--guests N] [--guests-file F] [--json]\n"
        "Registers the players missing from F (cached for re-use), then runs each phase for S\n"
        "seconds with C keep-alive clients: login = POST /api/v1/auth/login, get = GET\n"
        "/api/v1/players/:id with a bearer. The server's rate limits must be raised for\n"
        "benchmarks (--rate-limits api=1000000/1000,auth=1000000/1000,register=1000000/1000).\n"
        "--rate R paces each client at R requests/s (an open loop per client: latency counts\n"
        "from each request's scheduled time, so a slow reply also delays the next); the\n"
        "default 0 is a closed loop where each client sends as soon as its reply arrives.\n"
        "--guests N signs in N guest devices (ids cached in F, default\n"
        "/tmp/asobi-bench-guests.txt; needs --guest-auth on the server) and writes their tokens,\n"
        "not the registered players', to --token-file-out: tokens for many WebSockets without\n"
        "N password hashes. Phase \"none\" only prepares players and tokens.\n",
        stderr);
    return 2;
  }
  EndpointStats reg, login, get, guest;
  int64_t t0 = MonoNs();
  std::vector<Player> players = LoadOrRegister(o, reg);
  double reg_s = double(MonoNs() - t0) / 1e9;
  if (players.empty()) {
    std::fprintf(stderr, "asobi-bench rest: no players (is the server up with a database?)\n");
    return 1;
  }
  // Tokens for the read phase (and the token file): one login per player, not measured.
  std::atomic<size_t> next{0};
  RunClients(o, [&](int, Conn& conn) {
    for (size_t i = next++; i < players.size(); i = next++) {
      if (!players[i].token.empty()) continue;
      std::string body;
      if (conn.Request("POST", "/api/v1/auth/login",
                       "{\"username\":\"" + players[i].username + "\",\"password\":\"" +
                           players[i].password + "\"}",
                       "", &body) == 200) {
        players[i].token = JsonField(body, "access_token");
      }
    }
  });
  std::vector<Player> guests;
  double guest_s = 0;
  if (o.guests > 0) {
    int64_t g0 = MonoNs();
    guests = SignInGuests(o, guest);
    guest_s = double(MonoNs() - g0) / 1e9;
    size_t signed_in = 0;
    for (const Player& g : guests) signed_in += g.token.empty() ? 0 : 1;
    std::fprintf(stderr, "asobi-bench rest: %zu of %d guests signed in\n", signed_in, o.guests);
  }
  if (!o.token_file_out.empty()) {
    std::ofstream out(o.token_file_out, std::ios::trunc);
    for (const Player& p : o.guests > 0 ? guests : players) {
      if (!p.token.empty()) out << p.token << ' ' << p.id << '\n';
    }
  }
  auto run_phase = [&](EndpointStats& stats, bool is_login) {
    int64_t end = MonoNs() + int64_t(o.duration_s * 1e9);
    int64_t period_ns = o.rate > 0 ? int64_t(1e9 / o.rate) : 0;
    int64_t begin = MonoNs();
    RunClients(o, [&](int c, Conn& conn) {
      // Paced clients start spread over one period so they do not send in lockstep.
      int64_t due = begin + (period_ns * c) / o.clients;
      for (size_t k = size_t(c); MonoNs() < end; k += size_t(o.clients)) {
        const Player& p = players[k % players.size()];
        int64_t start = MonoNs();
        if (period_ns > 0) {
          if (due > start) {
            timespec ts{time_t(due / 1000000000), long(due % 1000000000)};
            clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr);
          }
          start = due;  // latency from the scheduled time (no coordinated omission)
          due += period_ns;
          if (start >= end) break;
        }
        int st = is_login ? conn.Request("POST", "/api/v1/auth/login",
                                         "{\"username\":\"" + p.username + "\",\"password\":\"" +
                                             p.password + "\"}",
                                         "", nullptr)
                          : conn.Request("GET", "/api/v1/players/" + p.id, "", p.token, nullptr);
        Record(stats, st, start);
      }
    });
  };
  bool do_login = o.phases.find("login") != std::string::npos;
  bool do_get = o.phases.find("get") != std::string::npos;
  if (do_login) run_phase(login, true);
  if (do_get) run_phase(get, false);
  bool first = true;
  if (o.json) std::printf("{\"clients\":%d,\"players\":%zu,", o.clients, players.size());
  if (o.json) std::printf("\"endpoints\":{");
  if (reg.latency_us.count() > 0) Print("register", reg, reg_s, o.json, &first);
  if (guest.latency_us.count() > 0) Print("guest", guest, guest_s, o.json, &first);
  if (do_login) Print("login", login, o.duration_s, o.json, &first);
  if (do_get) Print("get", get, o.duration_s, o.json, &first);
  if (o.json) std::printf("}}\n");
  return 0;
}

}  // namespace asobi::bench
