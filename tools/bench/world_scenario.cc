#include "world_scenario.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "client_flags.h"
#include "proc_stats.h"
#include "token_file.h"
#include "world_client.h"

namespace asobi::bench {
namespace {

const char kUsage[] =
    "usage: asobi-bench world [flags]\n"
    "  --host H            server address (127.0.0.1)\n"
    "  --port P            server port (8080)\n"
    "  -n, --players N     players (100)\n"
    "  --token-file F      'token player_id' lines, one per player (required; the server's\n"
    "                      --dev-tokens file)\n"
    "  --mode M            world mode player 0 creates (bench_world)\n"
    "  --world-id ID       join this world instead of creating one\n"
    "  --wire W            json, binary (session.connect wire:\"binary\") or mixed (odd\n"
    "                      players binary): figures are reported per wire (json)\n"
    "  --join-rate R       world.join per second over all players; 0 = one burst (500)\n"
    "  --input-rate R      world.input per player per second (10)\n"
    "  --warmup S          seconds after the last join before the window (5)\n"
    "  --duration S        measured window, seconds (20)\n"
    "  --threads T         client threads (1)\n"
    "  --wave N            connects started per 50 ms per thread (500)\n"
    "  --json              one JSON object instead of text\n";

bool Parse(int argc, char** argv, WorldOptions* o, bool* help) {
  const ClientFlags common{&o->host, &o->port, &o->json, help};
  for (int i = 1; i < argc; ++i) {
    if (CommonClientFlag(argc, argv, &i, common)) continue;
    std::string v;
    if (Flag(argc, argv, &i, "--players", &v) || Flag(argc, argv, &i, "-n", &v)) {
      o->players = std::atoi(v.c_str());
    } else if (Flag(argc, argv, &i, "--token-file", &v)) {
      o->token_file = v;
    } else if (Flag(argc, argv, &i, "--mode", &v)) {
      o->mode = v;
    } else if (Flag(argc, argv, &i, "--world-id", &v)) {
      o->world_id = v;
    } else if (Flag(argc, argv, &i, "--wire", &v)) {
      if (v == "json") {
        o->wire = WireChoice::kJson;
      } else if (v == "binary") {
        o->wire = WireChoice::kBinary;
      } else if (v == "mixed") {
        o->wire = WireChoice::kMixed;
      } else {
        std::fprintf(stderr, "asobi-bench world: --wire is json, binary or mixed\n");
        return false;
      }
    } else if (Flag(argc, argv, &i, "--join-rate", &v)) {
      o->join_rate = std::atof(v.c_str());
    } else if (Flag(argc, argv, &i, "--input-rate", &v)) {
      o->input_rate = std::atof(v.c_str());
    } else if (Flag(argc, argv, &i, "--warmup", &v)) {
      o->warmup_s = std::atof(v.c_str());
    } else if (Flag(argc, argv, &i, "--duration", &v)) {
      o->duration_s = std::atof(v.c_str());
    } else if (Flag(argc, argv, &i, "--threads", &v)) {
      o->threads = std::max(1, std::atoi(v.c_str()));
    } else if (Flag(argc, argv, &i, "--wave", &v)) {
      o->wave = std::max(1, std::atoi(v.c_str()));
    } else {
      std::fprintf(stderr, "asobi-bench world: unknown or incomplete flag %s\n", argv[i]);
      return false;
    }
  }
  return o->players > 0 && o->port > 0 && !o->token_file.empty() && o->duration_s > 0 &&
         o->input_rate >= 0 && o->input_rate <= 1000;
}

struct Figures {
  double ticks_per_player_s = 0, bytes_per_player_s = 0, tick_bytes_per_player_s = 0;
  double bytes_per_tick = 0, records_per_tick = 0, bytes_per_record = 0;
};

Figures Compute(const WireStats& w, double window_s) {
  Figures f;
  double pw = double(std::max<uint64_t>(1, w.players)) * window_s;
  f.ticks_per_player_s = double(w.ticks) / pw;
  f.bytes_per_player_s = double(w.bytes_in) / pw;
  f.tick_bytes_per_player_s = double(w.tick_bytes) / pw;
  f.bytes_per_tick = w.ticks ? double(w.tick_bytes) / double(w.ticks) : 0;
  f.records_per_tick = w.ticks ? double(w.records) / double(w.ticks) : 0;
  f.bytes_per_record = w.records ? double(w.tick_bytes) / double(w.records) : 0;
  return f;
}

void WireJson(const char* name, const WireStats& w, double window_s) {
  Figures f = Compute(w, window_s);
  const Histogram& h = w.interval_us;
  std::printf(
      "\"%s\":{\"players\":%llu,\"granted\":%llu,\"ticks\":%llu,\"ticks_per_player_s\":%.2f,"
      "\"bytes_per_player_s\":%.0f,\"tick_bytes_per_player_s\":%.0f,\"bytes_per_tick\":%.1f,"
      "\"records_per_tick\":%.2f,\"bytes_per_record\":%.2f,\"keyframes\":%llu,\"ungated\":%llu,"
      "\"gaps\":%llu,\"stale\":%llu,\"min_ticks_per_player\":%llu,"
      "\"interval_us\":{\"count\":%llu,\"p50\":%llu,\"p99\":%llu,\"max\":%llu}}",
      name, (unsigned long long)w.players, (unsigned long long)w.granted,
      (unsigned long long)w.ticks, f.ticks_per_player_s, f.bytes_per_player_s,
      f.tick_bytes_per_player_s, f.bytes_per_tick, f.records_per_tick, f.bytes_per_record,
      (unsigned long long)w.keyframes, (unsigned long long)w.ungated, (unsigned long long)w.gaps,
      (unsigned long long)w.stale,
      (unsigned long long)(w.min_ticks_per_player == UINT64_MAX ? 0 : w.min_ticks_per_player),
      (unsigned long long)h.count(), (unsigned long long)h.Percentile(50),
      (unsigned long long)h.Percentile(99), (unsigned long long)h.max());
}

void WireText(const char* name, const WireStats& w, double window_s) {
  if (w.players == 0 && w.granted == 0) return;
  Figures f = Compute(w, window_s);
  const Histogram& h = w.interval_us;
  std::printf("  %s wire: %llu players in the window (%llu granted the wire)\n", name,
              (unsigned long long)w.players, (unsigned long long)w.granted);
  std::printf(
      "    world.tick %.1f /player/s (min %llu per player); %.0f B/player/s read, %.0f of them "
      "world.tick payload\n",
      f.ticks_per_player_s,
      (unsigned long long)(w.min_ticks_per_player == UINT64_MAX ? 0 : w.min_ticks_per_player),
      f.bytes_per_player_s, f.tick_bytes_per_player_s);
  std::printf("    %.1f B per world.tick, %.2f records per frame, %.2f B per record\n",
              f.bytes_per_tick, f.records_per_tick, f.bytes_per_record);
  std::printf("    keyframes %llu, leave frames %llu, gaps %llu, stale %llu\n",
              (unsigned long long)w.keyframes, (unsigned long long)w.ungated,
              (unsigned long long)w.gaps, (unsigned long long)w.stale);
  std::printf("    tick interval (one zone) n=%llu p50=%.1f p99=%.1f max=%.1f ms\n",
              (unsigned long long)h.count(), h.Percentile(50) / 1e3, h.Percentile(99) / 1e3,
              h.max() / 1e3);
}

void Report(const WorldOptions& o, const WorldStats& s, double join_s, double window_s,
            double load_before, double load_after, double client_cpu_s) {
  if (o.json) {
    std::printf(
        "{\"players\":%d,\"mode\":\"%s\",\"input_rate\":%.1f,\"authenticated\":%llu,"
        "\"connect_failed\":%llu,\"joined\":%llu,\"join_failed\":%llu,\"inputs\":%llu,"
        "\"closed_by_server\":%llu,\"bad_frames\":%llu,\"join_s\":%.2f,\"window_s\":%.2f,"
        "\"loadavg_before\":%.2f,\"loadavg_after\":%.2f,\"client_cpu_s\":%.2f,"
        "\"join_us\":{\"p50\":%llu,\"p99\":%llu},",
        o.players, o.mode.c_str(), o.input_rate, (unsigned long long)s.authenticated,
        (unsigned long long)s.connect_failed, (unsigned long long)s.joined,
        (unsigned long long)s.join_failed, (unsigned long long)s.inputs,
        (unsigned long long)s.closed_by_server, (unsigned long long)s.bad_frames, join_s, window_s,
        load_before, load_after, client_cpu_s, (unsigned long long)s.join_us.Percentile(50),
        (unsigned long long)s.join_us.Percentile(99));
    std::printf("\"errors\":{");
    bool first = true;
    for (const auto& [k, v] : s.errors) {
      std::printf("%s\"%s\":%llu", first ? "" : ",", k.c_str(), (unsigned long long)v);
      first = false;
    }
    std::printf("},");
    WireJson("json", s.json, window_s);
    std::printf(",");
    WireJson("binary", s.binary, window_s);
    std::printf("}\n");
    return;
  }
  std::printf("world: %d players, mode %s, world.input %.1f/s per player\n", o.players,
              o.mode.c_str(), o.input_rate);
  std::printf(
      "  authenticated %llu (failed %llu), joined %llu (failed %llu) in %.2f s; join p50 %.1f "
      "p99 %.1f ms\n",
      (unsigned long long)s.authenticated, (unsigned long long)s.connect_failed,
      (unsigned long long)s.joined, (unsigned long long)s.join_failed, join_s,
      s.join_us.Percentile(50) / 1e3, s.join_us.Percentile(99) / 1e3);
  std::printf(
      "  window %.2f s; inputs sent %llu; closed by server %llu; bad frames %llu; load average "
      "%.2f -> %.2f; client CPU %.2f s\n",
      window_s, (unsigned long long)s.inputs, (unsigned long long)s.closed_by_server,
      (unsigned long long)s.bad_frames, load_before, load_after, client_cpu_s);
  for (const auto& [k, v] : s.errors) {
    std::printf("  error %s: %llu\n", k.c_str(), (unsigned long long)v);
  }
  WireText("json", s.json, window_s);
  WireText("binary", s.binary, window_s);
}

}  // namespace

int RunWorldScenario(int argc, char** argv) {
  WorldOptions o;
  bool help = false;
  bool ok = Parse(argc, argv, &o, &help);
  if (help) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (!ok) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  std::vector<std::string> tokens;
  LoadTokenFile(o.token_file, &tokens, nullptr);
  if (tokens.empty()) {
    std::fprintf(stderr, "asobi-bench world: no tokens in %s\n", o.token_file.c_str());
    return 2;
  }
  // Last resort against a hang: connect + joins + warmup + window + margins.
  alarm(unsigned(60 + 60 + (o.join_rate > 0 ? o.players / o.join_rate : 0) + o.warmup_s +
                 o.duration_s + 30));
  WorldControl ctl;
  std::vector<WorldStats> stats(size_t(o.threads));
  std::vector<std::thread> threads;
  int64_t t0 = MonoNs();
  int first = 0;
  for (int i = 0; i < o.threads; ++i) {
    int n = o.players / o.threads + (i < o.players % o.threads ? 1 : 0);
    threads.emplace_back(RunWorldThread, std::cref(o), std::cref(tokens), first, n, &ctl,
                         &stats[size_t(i)]);
    first += n;
  }
  while (ctl.settled.load() < o.players && MonoNs() - t0 < int64_t(60e9)) usleep(10000);
  int64_t go = MonoNs() + 20000000;
  ctl.go_ns.store(go, std::memory_order_release);
  // Every authenticated player joins or fails within the join schedule plus the join timeout.
  int64_t join_deadline =
      go + int64_t(((o.join_rate > 0 ? o.players / o.join_rate : 0) + 40) * 1e9);
  while (MonoNs() < join_deadline &&
         (ctl.joined.load() < ctl.authed.load() || ctl.settled.load() < o.players)) {
    usleep(10000);
  }
  double join_s = double(MonoNs() - go) / 1e9;
  int64_t ws = MonoNs() + int64_t(o.warmup_s * 1e9);
  int64_t we = ws + int64_t(o.duration_s * 1e9);
  ctl.window_end_ns.store(we, std::memory_order_release);
  ctl.window_start_ns.store(ws, std::memory_order_release);
  while (MonoNs() < ws) usleep(10000);
  // Marks for tools/bench/run_world.sh, which scrapes the server's /metrics at both ends.
  std::fprintf(stderr, "asobi-bench world: window start\n");
  double load_before = LoadAvg1();
  SelfCpu cpu0 = SelfCpuNow();
  while (MonoNs() < we) usleep(10000);
  SelfCpu cpu1 = SelfCpuNow();
  double client_cpu_s = double((cpu1.user_us + cpu1.sys_us) - (cpu0.user_us + cpu0.sys_us)) / 1e6;
  double load_after = LoadAvg1();
  std::fprintf(stderr, "asobi-bench world: window end\n");
  // Players close on their own at the window's end; a stuck one is cut off.
  std::atomic<int64_t> stop_at{MonoNs() + int64_t(8e9)};
  std::thread stopper([&] {
    while (MonoNs() < stop_at.load()) usleep(50000);
    ctl.stop.store(true);
  });
  for (auto& t : threads) t.join();
  stop_at.store(0);
  stopper.join();
  WorldStats all;
  for (const WorldStats& s : stats) all.Merge(s);
  Report(o, all, join_s, o.duration_s, load_before, load_after, client_cpu_s);
  return all.joined == uint64_t(o.players) && all.bad_frames == 0 ? 0 : 1;
}

}  // namespace asobi::bench
