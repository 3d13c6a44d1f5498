#include "matchmaking_scenario.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "client_flags.h"
#include "matchmaking_client.h"
#include "proc_stats.h"
#include "token_file.h"

namespace asobi::bench {
namespace {

const char kUsage[] =
    "usage: asobi-bench matchmaking [flags]\n"
    "  --host H            server address (127.0.0.1)\n"
    "  --port P            server port (8080)\n"
    "  -n, --players N     players (1000)\n"
    "  --token-file F      'token player_id' lines, one per player (required; the server's\n"
    "                      --dev-tokens file)\n"
    "  --mode M            matchmaker mode (demo)\n"
    "  --arrival-rate R    players queueing per second; 0 = all in one burst (0)\n"
    "  --play S            seconds to play after match.matched before match.leave (10)\n"
    "  --input-rate R      match.input per player per second while playing (10)\n"
    "  --threads T         client threads (1)\n"
    "  --wave N            connects started per 50 ms per thread (500)\n"
    "  --match-timeout S   seconds a player may wait for match.matched (70)\n"
    "  --arena             the arena scenario (default mode arena): inputs aim and shoot,\n"
    "                      every player votes on each match.vote_start; reports the\n"
    "                      vote-result latency (window end -> match.vote_result)\n"
    "  --json              one JSON object instead of text\n";

bool Parse(int argc, char** argv, MmOptions* o, bool* help) {
  const ClientFlags common{&o->host, &o->port, &o->json, help};
  bool mode_set = false;
  for (int i = 1; i < argc; ++i) {
    if (CommonClientFlag(argc, argv, &i, common)) continue;
    std::string v;
    if (std::string_view(argv[i]) == "--arena") {
      o->arena = true;
      if (!mode_set) o->mode = "arena";
    } else if (Flag(argc, argv, &i, "--players", &v) || Flag(argc, argv, &i, "-n", &v)) {
      o->players = std::atoi(v.c_str());
    } else if (Flag(argc, argv, &i, "--token-file", &v)) {
      o->token_file = v;
    } else if (Flag(argc, argv, &i, "--mode", &v)) {
      o->mode = v;
      mode_set = true;
    } else if (Flag(argc, argv, &i, "--arrival-rate", &v)) {
      o->arrival_rate = std::atof(v.c_str());
    } else if (Flag(argc, argv, &i, "--play", &v)) {
      o->play_s = std::atof(v.c_str());
    } else if (Flag(argc, argv, &i, "--input-rate", &v)) {
      o->input_rate = std::atof(v.c_str());
    } else if (Flag(argc, argv, &i, "--threads", &v)) {
      o->threads = std::max(1, std::atoi(v.c_str()));
    } else if (Flag(argc, argv, &i, "--wave", &v)) {
      o->wave = std::max(1, std::atoi(v.c_str()));
    } else if (Flag(argc, argv, &i, "--match-timeout", &v)) {
      o->match_timeout_s = std::atof(v.c_str());
    } else {
      std::fprintf(stderr, "asobi-bench matchmaking: unknown or incomplete flag %s\n", argv[i]);
      return false;
    }
  }
  return o->players > 0 && o->port > 0 && !o->token_file.empty();
}

void Pct(FILE* f, const char* name, const Histogram& h, bool json, bool last = false) {
  if (json) {
    std::fprintf(f,
                 "\"%s\":{\"count\":%llu,\"p50\":%llu,\"p90\":%llu,\"p99\":%llu,\"p999\":%llu,"
                 "\"max\":%llu}%s",
                 name, (unsigned long long)h.count(), (unsigned long long)h.Percentile(50),
                 (unsigned long long)h.Percentile(90), (unsigned long long)h.Percentile(99),
                 (unsigned long long)h.Percentile(99.9), (unsigned long long)h.max(),
                 last ? "" : ",");
    return;
  }
  std::fprintf(f, "  %-22s n=%llu p50=%.1f p90=%.1f p99=%.1f p99.9=%.1f max=%.1f ms\n", name,
               (unsigned long long)h.count(), h.Percentile(50) / 1e3, h.Percentile(90) / 1e3,
               h.Percentile(99) / 1e3, h.Percentile(99.9) / 1e3, h.max() / 1e3);
}

void Report(const MmOptions& o, const MmStats& s, double connect_s, double run_s,
            double load_before, double load_after) {
  uint64_t min_states = s.min_states_per_player == UINT64_MAX ? 0 : s.min_states_per_player;
  double per_player = s.matched ? double(s.states) / double(s.matched) : 0;
  if (o.json) {
    std::printf(
        "{\"players\":%d,\"mode\":\"%s\",\"authenticated\":%llu,\"connect_failed\":%llu,"
        "\"queued\":%llu,\"matched\":%llu,\"unmatched\":%llu,\"matches\":%zu,"
        "\"left\":%llu,\"finished\":%llu,\"expired\":%llu,\"matchmaker_failed\":%llu,"
        "\"states\":%llu,\"states_per_player\":%.1f,\"min_states_per_player\":%llu,"
        "\"inputs\":%llu,\"closed_by_server\":%llu,\"connect_s\":%.2f,\"run_s\":%.2f,"
        "\"loadavg_before\":%.2f,\"loadavg_after\":%.2f,\"bots_matched\":%llu,"
        "\"votes_started\":%llu,\"votes_cast\":%llu,\"vote_results\":%llu,",
        o.players, o.mode.c_str(), (unsigned long long)s.authenticated,
        (unsigned long long)s.connect_failed, (unsigned long long)s.queued,
        (unsigned long long)s.matched, (unsigned long long)s.unmatched, s.match_ids.size(),
        (unsigned long long)s.left, (unsigned long long)s.finished, (unsigned long long)s.expired,
        (unsigned long long)s.mm_failed, (unsigned long long)s.states, per_player,
        (unsigned long long)min_states, (unsigned long long)s.inputs,
        (unsigned long long)s.closed_by_server, connect_s, run_s, load_before, load_after,
        (unsigned long long)s.bots_matched, (unsigned long long)s.votes_started,
        (unsigned long long)s.votes_cast, (unsigned long long)s.vote_results);
    std::printf("\"errors\":{");
    bool first = true;
    for (const auto& [k, v] : s.errors) {
      std::printf("%s\"%s\":%llu", first ? "" : ",", k.c_str(), (unsigned long long)v);
      first = false;
    }
    std::printf("},");
    Pct(stdout, "time_to_match_us", s.ttm_us, true);
    Pct(stdout, "queued_reply_us", s.queued_us, true);
    Pct(stdout, "state_interval_us", s.state_interval_us, true);
    Pct(stdout, "vote_result_us", s.vote_result_us, true, true);
    std::printf("}\n");
    return;
  }
  std::printf("matchmaking: %d players, mode %s, %s\n", o.players, o.mode.c_str(),
              o.arrival_rate > 0 ? "fixed arrival rate" : "one burst");
  std::printf("  connected %llu (failed %llu) in %.2f s; run %.2f s; load average %.2f -> %.2f\n",
              (unsigned long long)s.authenticated, (unsigned long long)s.connect_failed, connect_s,
              run_s, load_before, load_after);
  std::printf("  queued %llu, matched %llu, unmatched %llu, matches formed %zu\n",
              (unsigned long long)s.queued, (unsigned long long)s.matched,
              (unsigned long long)s.unmatched, s.match_ids.size());
  std::printf(
      "  left %llu, finished %llu, expired %llu, matchmaker_failed %llu, "
      "closed by server %llu\n",
      (unsigned long long)s.left, (unsigned long long)s.finished, (unsigned long long)s.expired,
      (unsigned long long)s.mm_failed, (unsigned long long)s.closed_by_server);
  std::printf("  match.state frames %llu (%.1f per player, min %llu), inputs sent %llu\n",
              (unsigned long long)s.states, per_player, (unsigned long long)min_states,
              (unsigned long long)s.inputs);
  for (const auto& [k, v] : s.errors) {
    std::printf("  error %s: %llu\n", k.c_str(), (unsigned long long)v);
  }
  Pct(stdout, "time to match", s.ttm_us, false);
  Pct(stdout, "matchmaker.queued", s.queued_us, false);
  Pct(stdout, "state interval", s.state_interval_us, false);
  if (s.votes_started > 0 || o.arena) {
    std::printf(
        "  at match.matched: %.2f players and %.2f bots per match; votes started %llu, "
        "cast %llu, results %llu (per player)\n",
        double(s.matched) / double(std::max<size_t>(1, s.match_ids.size())),
        s.matched ? double(s.bots_matched) / double(s.matched) : 0,
        (unsigned long long)s.votes_started, (unsigned long long)s.votes_cast,
        (unsigned long long)s.vote_results);
    Pct(stdout, "vote result latency", s.vote_result_us, false);
  }
}

}  // namespace

int RunMatchmakingScenario(int argc, char** argv) {
  MmOptions o;
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
    std::fprintf(stderr, "asobi-bench matchmaking: no tokens in %s\n", o.token_file.c_str());
    return 2;
  }
  // Last resort against a hang: connect + wait + arrivals + play + margins.
  double budget = 60 + o.match_timeout_s + o.play_s + 30 +
                  (o.arrival_rate > 0 ? o.players / o.arrival_rate : 0);
  alarm(unsigned(budget));
  MmControl ctl;
  std::vector<MmStats> stats(size_t(o.threads));
  std::vector<std::thread> threads;
  int64_t t0 = MonoNs();
  int first = 0;
  for (int i = 0; i < o.threads; ++i) {
    int n = o.players / o.threads + (i < o.players % o.threads ? 1 : 0);
    threads.emplace_back(RunMmThread, std::cref(o), std::cref(tokens), first, n, &ctl,
                         &stats[size_t(i)]);
    first += n;
  }
  while (ctl.settled.load() < o.players && MonoNs() - t0 < int64_t(60e9)) usleep(10000);
  double load_before = LoadAvg1();
  int64_t go = MonoNs() + 20000000;
  ctl.go_ns.store(go, std::memory_order_release);
  for (auto& t : threads) t.join();
  MmStats all;
  for (const MmStats& s : stats) all.Merge(s);
  Report(o, all, double(go - t0) / 1e9, double(MonoNs() - go) / 1e9, load_before, LoadAvg1());
  return all.matched == uint64_t(o.players) ? 0 : 1;
}

}  // namespace asobi::bench
