// match_bench: a standalone load tool for the Lua match runtime (no sockets, no Google
// Benchmark). Three measurements, recorded in bench/README.md "Lua matches":
//
// Every mode takes --jit 0|1 (default 0, like the server's --lua-jit off).
//
//   match_bench memory [--matches 10000]
//       Creates idle (waiting) demo matches on one fake shard; reports Lua bytes and RSS
//       growth per match.
//   match_bench ticks [--matches 2000] [--players 4] [--seconds 10] [--shards 2]
//                     [--input-hz 10]
//       Runs 4-player demo matches at 10 Hz on real shards (reactor timers, mailboxes) with a
//       frame-counting client per player and inputs at --input-hz per player; reports tick
//       lateness percentiles (how late each tick started after its due time) and throughput.
//   match_bench reload [--matches 1000] [--shards 2]
//       Runs 2-player demo matches, announces a changed script, and reports how long until
//       every match has reloaded (bounded below by the tick phase, < 100 ms when the reload
//       work fits in one tick interval) and the CPU cost per reload.
//   match_bench runaway --bomb input|tick [--matches 200] [--players 4] [--shards 2]
//                       [--seconds 30] [--input-hz 10] [--overrun-limit 3]
//       Issue 10 "Runaway scripts": the demo4 matches of `ticks` plus, after a 2 s warm-up, one
//       offender match on shard 0 whose handle_input (a bomb input every 100 ms) or tick (every
//       tick) runs a backtracking string.find that would take hours. Reports how long each
//       offending callback ran before its budget stopped it (vs. 50 ms / 500 ms), when the
//       offender was quarantined, and the tick lateness of the other matches per shard.
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "base/log.h"
#include "game/game_shard.h"
#include "game/match/match_service.h"
#include "game/match/shard_match_host.h"
#include "game/modes/mode_loader.h"
#include "reactor/shard.h"

namespace asobi::match {
namespace {

std::map<std::string, std::string> ParseArgs(int argc, char** argv) {
  std::map<std::string, std::string> out;
  for (int i = 2; i + 1 < argc; i += 2) out[argv[i] + 2] = argv[i + 1];
  return out;
}

// --jit 0|1 (default 0, as the server): LuaJIT trace compiler in match states (lua_jit).
bool g_jit = false;
// runaway --overrun-limit (MatchOptions::overrun_limit; the server's default 3).
int g_overrun_limit = 3;

int64_t IntArg(const std::map<std::string, std::string>& a, const char* k, int64_t d) {
  auto it = a.find(k);
  return it == a.end() ? d : std::atoll(it->second.c_str());
}

// User + system CPU time of the whole process (all shards, watchdog, input driver), us.
int64_t ProcessCpuUs() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return int64_t(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1'000'000 + ru.ru_utime.tv_usec +
         ru.ru_stime.tv_usec;
}

size_t RssBytes() {
  std::ifstream in("/proc/self/statm");
  size_t pages = 0, rss = 0;
  in >> pages >> rss;
  return rss * size_t(sysconf(_SC_PAGESIZE));
}

// A game directory with the bundled demo as mode "demo" (2 players) and "demo4" (4 players).
std::string MakeGameDir() {
  char tmpl[] = "/tmp/asobi_match_bench_XXXXXX";
  std::string dir = mkdtemp(tmpl);
  std::ifstream in(std::string(ASOBI_SOURCE_ROOT) + "/lua/demo/match.lua");
  std::stringstream demo;
  demo << in.rdbuf();
  std::ofstream(dir + "/demo.lua") << demo.str();
  std::ofstream(dir + "/demo4.lua") << demo.str() << "\nmatch_size = 4\nmax_players = 4\n";
  // Issue 10 offenders: a backtracking string.find that would run for hours in C.
  const std::string runaway = R"(
match_size = 1
function init() return { n = 0 } end
function join(p, s) return s end
function leave(p, s) return s end
local function bomb() return string.find(string.rep("a", 40), string.rep("a*", 40) .. "b") end
function handle_input(p, input, s) if input.bomb then s.found = bomb() end return s end
function tick(s) s.n = s.n + 1 if tick_bomb then s.found = bomb() end return s end
function get_state(p, s) return { n = s.n } end
)";
  std::ofstream(dir + "/runaway_input.lua") << runaway;
  std::ofstream(dir + "/runaway_tick.lua") << "tick_bomb = true\n" << runaway;
  std::ofstream(dir + "/config.lua")
      << "return { demo = 'demo.lua', demo4 = 'demo4.lua', runaway_input = 'runaway_input.lua', "
         "runaway_tick = 'runaway_tick.lua' }";
  return dir;
}

void RemoveDir(const std::string& dir) {
  std::string cmd = "rm -rf '";
  cmd.append(dir).append("'");
  if (std::system(cmd.c_str()) != 0) std::fprintf(stderr, "cannot remove %s\n", dir.c_str());
}

std::shared_ptr<const modes::ModeSet> LoadModesOrDie(const std::string& dir) {
  auto set = modes::LoadModes(dir);
  if (!set.ok()) {
    std::fprintf(stderr, "modes: %s\n", set.error().message.c_str());
    std::exit(1);
  }
  return std::make_shared<const modes::ModeSet>(std::move(set.value()));
}

// Counts what it would send; stands in for a WebSocket.
class CountingClient final : public Client {
 public:
  explicit CountingClient(ClientRef ref) : ref_(ref) {}
  void SendFrame(std::string_view json) override { Count(json.size()); }
  void SendEncoded(const SharedBuffer& b) override { Count(b.size()); }
  void SendError(std::string_view, const std::string*, std::string_view,
                 std::string_view) override {}
  void Close(uint16_t, std::string_view) override {}
  ClientRef ref() const override { return ref_; }
  const std::string& peer_ip() const override { return ip_; }
  void BindPlayer(std::string, bool) override {}
  static std::atomic<uint64_t> frames;
  static std::atomic<uint64_t> bytes;

 private:
  void Count(size_t n) {
    frames.fetch_add(1, std::memory_order_relaxed);
    bytes.fetch_add(n, std::memory_order_relaxed);
  }
  ClientRef ref_;
  std::string ip_ = "127.0.0.1";
};
std::atomic<uint64_t> CountingClient::frames{0};
std::atomic<uint64_t> CountingClient::bytes{0};

// A MatchHost whose timers never fire (idle matches only).
class IdleHost final : public MatchHost {
 public:
  int shard_id() const override { return 0; }
  int shard_count() const override { return 1; }
  int64_t NowMs() override { return MonoMs(); }
  TimerId AddTimer(int64_t, Task) override { return ++next_; }
  void CancelTimer(TimerId) override {}
  bool SubmitTo(int, Task) override { return true; }
  Client* FindClient(const ClientRef&) override { return nullptr; }
  db::PgConnection* db() override { return nullptr; }

 private:
  TimerId next_ = 0;
};

int RunMemory(const std::map<std::string, std::string>& args) {
  const int n = int(IntArg(args, "matches", 10000));
  std::string dir = MakeGameDir();
  modes::ModeRegistry registry;
  registry.Publish(LoadModesOrDie(dir));
  MatchOptions o;
  o.match_max = n + 1;
  o.lua_jit = g_jit;
  MatchNode node(o, &registry, 1);
  IdleHost host;
  MatchService service(host, node);
  const size_t rss0 = RssBytes();
  std::vector<std::string> ids;
  for (int i = 0; i < n; ++i) {
    auto id = service.Create("demo");
    if (!id.ok()) {
      std::fprintf(stderr, "create: %s\n", id.error().message.c_str());
      return 1;
    }
    ids.push_back(id.value());
  }
  size_t lua = 0;
  for (const std::string& id : ids) lua += service.Find(id)->lua_bytes();
  const size_t rss1 = RssBytes();
  std::printf("idle matches: %d\n", n);
  std::printf("lua state bytes per match (LuaMemory): %zu\n", lua / size_t(n));
  std::printf("RSS growth per match (Lua state + Match + directory): %zu bytes\n",
              (rss1 - rss0) / size_t(n));
  std::printf("RSS total: %.1f MiB\n", double(rss1) / (1 << 20));
  RemoveDir(dir);
  return 0;
}

// Real shards, each with a MatchService, counting clients and an input driver.
struct Cluster {
  std::unique_ptr<ShardSet> set;
  modes::ModeRegistry registry;
  std::unique_ptr<MatchNode> node;
  std::vector<std::unique_ptr<GameShard>> games;
  std::vector<std::unique_ptr<ShardMatchHost>> hosts;
  std::vector<std::unique_ptr<MatchService>> services;
  std::vector<std::vector<std::unique_ptr<CountingClient>>> clients;
  std::atomic<int> ready{0};

  void Start(int shards, std::shared_ptr<const modes::ModeSet> modes, int match_max) {
    registry.Publish(std::move(modes));
    MatchOptions o;
    o.match_max = match_max;
    o.lua_jit = g_jit;
    o.overrun_limit = g_overrun_limit;
    node = std::make_unique<MatchNode>(o, &registry, shards);
    games.resize(size_t(shards));
    hosts.resize(size_t(shards));
    services.resize(size_t(shards));
    clients.resize(size_t(shards));
    ShardSet::Options so;
    so.shards = shards;
    set = std::make_unique<ShardSet>(so);
    set->Start([this](Shard& s) {
      const size_t i = size_t(s.id());
      games[i] = std::make_unique<GameShard>();
      games[i]->shard = &s;
      games[i]->find_client = [this, i](const ClientRef& r) -> Client* {
        return r.index < clients[i].size() ? clients[i][r.index].get() : nullptr;
      };
      hosts[i] = std::make_unique<ShardMatchHost>(*games[i]);
      services[i] = std::make_unique<MatchService>(*hosts[i], *node);
      ready.fetch_add(1);
    });
    while (ready.load() < shards) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  // Runs `fn` on every shard and waits for all of them.
  template <typename F>
  void OnEachShard(F fn) {
    std::atomic<int> done{0};
    for (int i = 0; i < set->size(); ++i) {
      set->shard(i).PostFromAnyThread([this, i, &fn, &done] {
        fn(size_t(i), *services[size_t(i)]);
        done.fetch_add(1);
      });
    }
    while (done.load() < set->size()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  // `per_shard` matches of `mode` with `players` each, players' clients on the owner shard.
  void Populate(const std::string& mode, int per_shard, int players) {
    OnEachShard([&](size_t shard, MatchService& svc) {
      for (int m = 0; m < per_shard; ++m) {
        auto id = svc.Create(mode);
        if (!id.ok()) std::abort();
        for (int p = 0; p < players; ++p) {
          ClientRef ref{int(shard), uint32_t(clients[shard].size()), 1};
          clients[shard].push_back(std::make_unique<CountingClient>(ref));
          JoinRequest req;
          req.match_id = id.value();
          char pid[48];
          std::snprintf(pid, sizeof(pid), "p%zu_%u", shard, ref.index);
          req.player_id = pid;
          req.clients = {ref};
          req.rate_limit = false;
          svc.Join(std::move(req), [](JoinOutcome) {});
        }
      }
    });
  }
  void Stop() {
    OnEachShard([&](size_t i, MatchService&) { services[i].reset(); });
    set->Stop();
    set->Join();
  }
};

// Sends every player of this shard's matches one input per `period_ms`, spread evenly: match
// number i gets its inputs in the millisecond slot i % period_ms of each period, as inputs
// arriving from real sockets would be, instead of one burst per period. Runs every ~1 ms and
// catches up on the slots whose millisecond passed since its last run. The slot lists are
// rebuilt once per second, so the driver's own cost stays proportional to the inputs it sends
// (walking every match each millisecond used to cost ~10% of the measured CPU).
struct InputSchedule {
  struct Target {
    std::string match_id;
    std::vector<std::string> players;
  };
  std::vector<std::vector<Target>> slots;
  int64_t built_ms = -1;
  int64_t last_ms = -1;
  uint64_t n = 0;

  void Rebuild(MatchService& svc, int64_t slot_count, int64_t now) {
    slots.assign(size_t(slot_count), {});
    int64_t index = 0;
    svc.ForEachMatch([&](Match& m) {
      slots[size_t(index++ % slot_count)].push_back(Target{m.id(), m.PlayerIds()});
    });
    built_ms = now;
  }
};

void DriveInputs(Shard& shard, MatchService& svc, int period_ms, std::atomic<bool>* stop,
                 std::atomic<uint64_t>* sent) {
  if (stop->load()) return;
  // Inputs go through the service like routed inputs do (owner shard, FIFO per match).
  static thread_local InputSchedule sched;
  const int64_t slots = std::max(1, period_ms);
  const int64_t now = MonoMs();
  if (sched.built_ms < 0 || now - sched.built_ms >= 1000) sched.Rebuild(svc, slots, now);
  if (sched.last_ms < 0) sched.last_ms = now - 1;
  const int64_t due = std::min<int64_t>(now - sched.last_ms, slots);  // slots to serve this run
  uint64_t count = 0;
  for (int64_t k = 1; k <= due; ++k) {
    for (const InputSchedule::Target& t : sched.slots[size_t((sched.last_ms + k) % slots)]) {
      for (const std::string& p : t.players) {
        ++sched.n;
        ++count;
        const char* input =
            (sched.n & 1) ? R"({"move_x":1,"move_y":-0.5})" : R"({"move_x":-1,"move_y":0.5})";
        svc.Input(t.match_id, p, input, ClientRef{});
      }
    }
  }
  sched.last_ms = now;
  sent->fetch_add(count, std::memory_order_relaxed);
  shard.reactor().AddTimer(
      1, [&shard, &svc, period_ms, stop, sent] { DriveInputs(shard, svc, period_ms, stop, sent); });
}

void PrintLateness(Cluster& c) {
  Histogram all;
  for (auto& s : c.services) {
    if (s) all.Merge(s->tick_lateness_us());
  }
  std::printf("ticks measured: %llu\n", (unsigned long long)all.count());
  std::printf("tick lateness us: p50 %llu  p90 %llu  p99 %llu  p99.9 %llu  max %llu\n",
              (unsigned long long)all.Percentile(50), (unsigned long long)all.Percentile(90),
              (unsigned long long)all.Percentile(99), (unsigned long long)all.Percentile(99.9),
              (unsigned long long)all.max());
}

int RunTicks(const std::map<std::string, std::string>& args) {
  const int matches = int(IntArg(args, "matches", 2000));
  const int players = int(IntArg(args, "players", 4));
  const int seconds = int(IntArg(args, "seconds", 10));
  const int shards = int(IntArg(args, "shards", 2));
  const int input_hz = int(IntArg(args, "input-hz", 10));
  std::string dir = MakeGameDir();
  Cluster c;
  c.Start(shards, LoadModesOrDie(dir), matches + 1);
  c.Populate(players > 2 ? "demo4" : "demo", matches / shards, players);
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> inputs{0};
  if (input_hz > 0) {
    c.OnEachShard([&](size_t i, MatchService& svc) {
      DriveInputs(c.set->shard(int(i)), svc, 1000 / input_hz, &stop, &inputs);
    });
  }
  std::this_thread::sleep_for(std::chrono::seconds(1));  // warm-up (JIT, allocator)
  c.OnEachShard([](size_t, MatchService& svc) { svc.tick_lateness_us().Reset(); });
  const uint64_t ticks0 = c.node->metrics().ticks.load();
  const uint64_t frames0 = CountingClient::frames.load();
  const uint64_t inputs0 = inputs.load();
  const int64_t t0 = MonoMs();
  const int64_t cpu0 = ProcessCpuUs();
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  const double secs = double(MonoMs() - t0) / 1000.0;
  const double cpu_us = double(ProcessCpuUs() - cpu0);
  const uint64_t ticks = c.node->metrics().ticks.load() - ticks0;
  stop.store(true);
  std::printf("matches %d x %d players on %d shards, inputs %d Hz per player, %.1f s\n", matches,
              players, shards, input_hz, secs);
  std::printf("ticks/s %.0f  frames/s %.0f  inputs/s %.0f  callback errors %llu\n",
              double(ticks) / secs, double(CountingClient::frames.load() - frames0) / secs,
              double(inputs.load() - inputs0) / secs,
              (unsigned long long)c.node->metrics().callback_errors.load());
  std::printf("cpu %.2f cores  %.1f us per match tick (process user+sys, inputs included)\n",
              cpu_us / 1e6 / secs, ticks > 0 ? cpu_us / double(ticks) : 0.0);
  PrintLateness(c);
  c.Stop();
  RemoveDir(dir);
  return 0;
}

// Sends the offender's player a bomb input every 100 ms until `stop`.
void DriveBombs(Shard& shard, MatchService& svc, std::string id, std::string pid,
                std::atomic<bool>* stop, std::atomic<uint64_t>* sent) {
  if (stop->load()) return;
  if (svc.Input(id, pid, R"({"bomb":true})", ClientRef{})) sent->fetch_add(1);
  shard.reactor().AddTimer(
      100, [&shard, &svc, id = std::move(id), pid = std::move(pid), stop, sent]() mutable {
        DriveBombs(shard, svc, std::move(id), std::move(pid), stop, sent);
      });
}

void PrintPercentiles(const char* what, const Histogram& h) {
  std::printf("%s: n %llu  p50 %llu  p99 %llu  p99.9 %llu  max %llu\n", what,
              (unsigned long long)h.count(), (unsigned long long)h.Percentile(50),
              (unsigned long long)h.Percentile(99), (unsigned long long)h.Percentile(99.9),
              (unsigned long long)h.max());
}

int RunRunaway(const std::map<std::string, std::string>& args) {
  auto it = args.find("bomb");
  const std::string bomb = it == args.end() ? "input" : it->second;
  if (bomb != "input" && bomb != "tick") {
    std::fprintf(stderr, "--bomb input|tick\n");
    return 2;
  }
  const int matches = int(IntArg(args, "matches", 200));
  const int players = int(IntArg(args, "players", 4));
  const int seconds = int(IntArg(args, "seconds", 30));
  const int shards = int(IntArg(args, "shards", 2));
  const int input_hz = int(IntArg(args, "input-hz", 10));
  const int budget_ms = bomb == "input" ? kInputBudgetMs : kTickBudgetMs;
  std::string dir = MakeGameDir();
  Cluster c;
  c.Start(shards, LoadModesOrDie(dir), matches + 2);
  c.Populate(players > 2 ? "demo4" : "demo", matches / shards, players);
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> inputs{0}, bombs{0};
  if (input_hz > 0) {
    c.OnEachShard([&](size_t i, MatchService& svc) {
      DriveInputs(c.set->shard(int(i)), svc, 1000 / input_hz, &stop, &inputs);
    });
  }
  std::this_thread::sleep_for(std::chrono::seconds(2));  // warm-up
  c.OnEachShard([](size_t, MatchService& svc) {
    svc.tick_lateness_us().Reset();
    svc.overrun_us().Reset();
  });
  // The offender: one match on shard 0, its player's client there too.
  std::atomic<int64_t> started_ms{0};
  std::atomic<bool> created{false};
  c.set->shard(0).PostFromAnyThread([&] {
    MatchService& svc = *c.services[0];
    auto id = svc.Create("runaway_" + bomb);
    if (!id.ok()) std::abort();
    ClientRef ref{0, uint32_t(c.clients[0].size()), 1};
    c.clients[0].push_back(std::make_unique<CountingClient>(ref));
    JoinRequest req;
    req.match_id = id.value();
    req.player_id = "offender";
    req.clients = {ref};
    req.rate_limit = false;
    svc.Join(std::move(req), [](JoinOutcome) {});  // match_size 1: running from now on
    started_ms.store(MonoMs());
    if (bomb == "input") DriveBombs(c.set->shard(0), svc, id.value(), "offender", &stop, &bombs);
    created.store(true);
  });
  while (!created.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  const int64_t t0 = MonoMs();
  int64_t quarantined_ms = -1;
  while (MonoMs() - t0 < int64_t(seconds) * 1000) {
    if (quarantined_ms < 0 && c.node->metrics().matches_quarantined.load() > 0) {
      quarantined_ms = MonoMs() - started_ms.load();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  stop.store(true);
  std::printf(
      "runaway %s: %d demo matches x %d players on %d shards + 1 offender on shard 0, "
      "%d s, overrun limit %d\n",
      bomb.c_str(), matches, players, shards, seconds, g_overrun_limit);
  Histogram overruns;
  for (auto& s : c.services) overruns.Merge(s->overrun_us());
  PrintPercentiles("offending callbacks: us run before the budget stopped them", overruns);
  std::printf("budget %d ms: max/budget %.2f\n", budget_ms,
              double(overruns.max()) / (budget_ms * 1000.0));
  std::printf(
      "bomb inputs sent %llu, matches quarantined %llu, %lld ms after the offender "
      "started\n",
      (unsigned long long)bombs.load(),
      (unsigned long long)c.node->metrics().matches_quarantined.load(), (long long)quarantined_ms);
  for (size_t i = 0; i < c.services.size(); ++i) {
    std::string what =
        "tick lateness us, shard " + std::to_string(i) + (i == 0 ? " (the offender's)" : "");
    const Histogram& h = c.services[i]->tick_lateness_us();
    PrintPercentiles(what.c_str(), h);
    const uint64_t late = h.count() - h.CountAtOrBelow(20000);
    std::printf("  ticks later than 20 ms: %llu (%.2f%%)\n", (unsigned long long)late,
                h.count() ? 100.0 * double(late) / double(h.count()) : 0.0);
  }
  c.Stop();
  RemoveDir(dir);
  return 0;
}

int RunReload(const std::map<std::string, std::string>& args) {
  const int matches = int(IntArg(args, "matches", 1000));
  const int shards = int(IntArg(args, "shards", 2));
  std::string dir = MakeGameDir();
  Cluster c;
  c.Start(shards, LoadModesOrDie(dir), matches + 1);
  c.Populate("demo", matches / shards, 2);
  std::this_thread::sleep_for(std::chrono::seconds(1));
  std::string abs = c.registry.Current()->Find("demo")->script_abs;
  std::ifstream in(abs);
  std::stringstream text;
  text << in.rdbuf() << "\n-- edited\nUNITS_PER_TICK_EDIT = 5\n";
  auto files = std::make_shared<modes::ChangedFiles>();
  (*files)[abs] = std::make_shared<const std::string>(text.str());
  const uint64_t before = c.node->metrics().reloads.load();
  const int64_t t0 = MonoNs();
  for (int i = 0; i < shards; ++i) {
    c.set->shard(i).PostFromAnyThread(
        [&c, i, files] { c.services[size_t(i)]->OnScriptsChanged(*files); });
  }
  while (c.node->metrics().reloads.load() - before < uint64_t(matches / shards * shards)) {
    std::this_thread::sleep_for(std::chrono::microseconds(200));
    if (MonoNs() - t0 > int64_t(10'000'000'000)) break;
  }
  const double ms = double(MonoNs() - t0) / 1e6;
  // CPU cost of the reload work itself, measured on one state outside the tick loop.
  std::printf("matches reloaded: %llu of %d in %.1f ms after the announcement (%d shards)\n",
              (unsigned long long)(c.node->metrics().reloads.load() - before), matches, ms, shards);
  std::printf("reload failures: %llu\n",
              (unsigned long long)c.node->metrics().reload_failures.load());
  PrintLateness(c);
  c.Stop();
  RemoveDir(dir);
  return 0;
}

}  // namespace
}  // namespace asobi::match

int main(int argc, char** argv) {
  asobi::SetLogLevel(asobi::LogLevel::kWarn);
  std::string mode = argc > 1 ? argv[1] : "";
  auto args = asobi::match::ParseArgs(argc, argv);
  asobi::match::g_jit = asobi::match::IntArg(args, "jit", 0) != 0;
  asobi::match::g_overrun_limit = int(asobi::match::IntArg(args, "overrun-limit", 3));
  if (mode == "memory") return asobi::match::RunMemory(args);
  if (mode == "ticks") return asobi::match::RunTicks(args);
  if (mode == "reload") return asobi::match::RunReload(args);
  if (mode == "runaway") return asobi::match::RunRunaway(args);
  std::fprintf(stderr, "usage: match_bench memory|ticks|reload|runaway [--flag value]...\n");
  return 2;
}
