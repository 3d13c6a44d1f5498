#include "chat_scenario.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "chat_client.h"
#include "client_flags.h"
#include "proc_stats.h"
#include "token_file.h"

namespace asobi::bench {
namespace {

const char kUsage[] =
    "usage: asobi-bench chat [flags]\n"
    "  --host H            server address (127.0.0.1)\n"
    "  --port P            server port (8080)\n"
    "  --nodes H:P,H:P,..  socket i connects to entry i % count instead (cluster nodes; dm: the\n"
    "                      recipient is always a socket of another entry)\n"
    "  -n, --sockets N     sockets (1000)\n"
    "  --token-file F      'token player_id' lines; socket i uses line i (required)\n"
    "  --pattern P         channel | rooms | dm | churn (channel)\n"
    "  --channel C         channel of 'channel' and 'churn' (global:bench)\n"
    "  --senders S         channel: sockets that send (1)\n"
    "  --room-file F       rooms: one group id per line; socket i joins line i / members\n"
    "  --members M         rooms: sockets per room (10)\n"
    "  --rate R            messages per second in total (churn: connects per second) (10)\n"
    "  --content-bytes B   content size (64)\n"
    "  --max-live N        churn: open sockets at most; due connects wait (8000)\n"
    "  --warmup S          seconds of load not measured (2)\n"
    "  --duration S        measured seconds (10)\n"
    "  --drain S           seconds to wait for deliveries after the window (2)\n"
    "  --threads T         client threads (1)\n"
    "  --wave N            connects started per 50 ms per thread (500)\n"
    "  --server-pid P      report the server's CPU over the window\n"
    "  --pid LABEL=PID     also report this process's CPU over the window (repeatable)\n"
    "  --json              one JSON object instead of text\n";

/// A process whose CPU the report shows beside the client's (`--pid LABEL=PID`).
struct WatchedPid {
  std::string label;
  int pid = 0;
  int64_t cpu0_us = 0, cpu1_us = 0;
};

// "10.0.0.1:8080,10.0.0.2:8080" -> nodes; false on a malformed entry.
bool ParseNodes(const std::string& v, ChatOptions* o) {
  size_t at = 0;
  while (at <= v.size()) {
    size_t comma = v.find(',', at);
    if (comma == std::string::npos) comma = v.size();
    std::string e = v.substr(at, comma - at);
    size_t colon = e.rfind(':');
    if (colon == std::string::npos || colon == 0) return false;
    int port = std::atoi(e.c_str() + colon + 1);
    if (port <= 0 || port > 65535) return false;
    o->nodes.emplace_back(e.substr(0, colon), uint16_t(port));
    at = comma + 1;
  }
  return !o->nodes.empty();
}

bool Parse(int argc, char** argv, ChatOptions* o, int* server_pid, std::vector<WatchedPid>* pids,
           bool* help) {
  const ClientFlags common{&o->host, &o->port, &o->json, help};
  for (int i = 1; i < argc; ++i) {
    if (CommonClientFlag(argc, argv, &i, common)) continue;
    std::string v;
    if (Flag(argc, argv, &i, "--sockets", &v) || Flag(argc, argv, &i, "-n", &v)) {
      o->sockets = std::atoi(v.c_str());
    } else if (Flag(argc, argv, &i, "--token-file", &v)) {
      o->token_file = v;
    } else if (Flag(argc, argv, &i, "--room-file", &v)) {
      o->room_file = v;
    } else if (Flag(argc, argv, &i, "--pattern", &v)) {
      if (v == "channel") {
        o->pattern = ChatPattern::kChannel;
      } else if (v == "rooms") {
        o->pattern = ChatPattern::kRooms;
      } else if (v == "dm") {
        o->pattern = ChatPattern::kDm;
      } else if (v == "churn") {
        o->pattern = ChatPattern::kChurn;
      } else {
        return false;
      }
    } else if (Flag(argc, argv, &i, "--channel", &v)) {
      o->channel = v;
    } else if (Flag(argc, argv, &i, "--senders", &v)) {
      o->senders = std::max(1, std::atoi(v.c_str()));
    } else if (Flag(argc, argv, &i, "--members", &v)) {
      o->members = std::max(1, std::atoi(v.c_str()));
    } else if (Flag(argc, argv, &i, "--rate", &v)) {
      o->rate = std::atof(v.c_str());
    } else if (Flag(argc, argv, &i, "--max-live", &v)) {
      o->max_live = std::max(1, std::atoi(v.c_str()));
    } else if (Flag(argc, argv, &i, "--content-bytes", &v)) {
      o->content_bytes = std::max(0, std::atoi(v.c_str()));
    } else if (Flag(argc, argv, &i, "--warmup", &v)) {
      o->warmup_s = std::atof(v.c_str());
    } else if (Flag(argc, argv, &i, "--duration", &v)) {
      o->duration_s = std::atof(v.c_str());
    } else if (Flag(argc, argv, &i, "--drain", &v)) {
      o->drain_s = std::atof(v.c_str());
    } else if (Flag(argc, argv, &i, "--threads", &v)) {
      o->threads = std::max(1, std::atoi(v.c_str()));
    } else if (Flag(argc, argv, &i, "--wave", &v)) {
      o->wave = std::max(1, std::atoi(v.c_str()));
    } else if (Flag(argc, argv, &i, "--server-pid", &v)) {
      *server_pid = std::atoi(v.c_str());
    } else if (Flag(argc, argv, &i, "--nodes", &v)) {
      if (!ParseNodes(v, o)) return false;
    } else if (Flag(argc, argv, &i, "--pid", &v)) {
      size_t eq = v.find('=');
      if (eq == std::string::npos || eq == 0 || std::atoi(v.c_str() + eq + 1) <= 0) return false;
      pids->push_back({v.substr(0, eq), std::atoi(v.c_str() + eq + 1)});
    } else {
      std::fprintf(stderr, "asobi-bench chat: unknown or incomplete flag %s\n", argv[i]);
      return false;
    }
  }
  return o->sockets > 0 && o->port > 0 && !o->token_file.empty() && o->rate > 0;
}

bool Load(ChatOptions* o) {
  LoadTokenFile(o->token_file, &o->tokens, &o->player_ids);
  if (o->pattern == ChatPattern::kRooms) {
    std::ifstream r(o->room_file);
    std::string line;
    while (std::getline(r, line)) {
      if (!line.empty()) o->rooms.push_back(line);
    }
    if (o->rooms.empty()) return false;
  }
  return !o->tokens.empty();
}

const char* PatternName(ChatPattern p) {
  switch (p) {
    case ChatPattern::kChannel:
      return "channel";
    case ChatPattern::kRooms:
      return "rooms";
    case ChatPattern::kDm:
      return "dm";
    case ChatPattern::kChurn:
      return "churn";
  }
  return "?";
}

int64_t ServerCpuUs(int pid) {
  if (pid <= 0) return 0;
  Result<int64_t> r = ProcessCpuUs(pid);
  return r.ok() ? r.value() : 0;
}

// Time the server's threads waited for a CPU (other processes on the cores), µs.
int64_t ServerWaitUs(int pid) {
  if (pid <= 0) return 0;
  Result<int64_t> r = ProcessRunqueueWaitUs(pid);
  return r.ok() ? r.value() : 0;
}

}  // namespace

int RunChatScenario(int argc, char** argv) {
  ChatOptions o;
  int server_pid = 0;
  std::vector<WatchedPid> watched;
  bool help = false;
  bool ok = Parse(argc, argv, &o, &server_pid, &watched, &help);
  if (help) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (!ok || !Load(&o)) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  const bool churn = o.pattern == ChatPattern::kChurn;
  double budget = 90 + o.warmup_s + o.duration_s + o.drain_s + (churn ? 4 * o.sockets / o.rate : 0);
  alarm(unsigned(budget));
  ChatControl ctl;
  std::vector<ChatStats> stats(size_t(o.threads));
  std::vector<std::thread> threads;
  int64_t t0 = MonoNs();
  int first = 0;
  for (int i = 0; i < o.threads; ++i) {
    int n = o.sockets / o.threads + (i < o.sockets % o.threads ? 1 : 0);
    threads.emplace_back(RunChatThread, std::cref(o), first, n, &ctl, &stats[size_t(i)]);
    first += n;
  }
  while (!churn && ctl.settled.load() < o.sockets && MonoNs() - t0 < int64_t(60e9)) usleep(10000);
  const double connect_s = double(MonoNs() - t0) / 1e9;
  const double load_before = LoadAvg1();
  const int64_t go = MonoNs() + 20 * 1000000;
  ctl.go_ns.store(go, std::memory_order_release);
  // CPU over the measured window (churn: the whole run).
  const int64_t window_start = churn ? go : go + int64_t(o.warmup_s * 1e9);
  const int64_t window_end =
      churn ? INT64_MAX : window_start + int64_t((o.duration_s + o.drain_s) * 1e9);
  while (MonoNs() < window_start) usleep(1000);
  int64_t srv0 = ServerCpuUs(server_pid);
  int64_t wait0 = ServerWaitUs(server_pid);
  for (WatchedPid& w : watched) w.cpu0_us = w.cpu1_us = ServerCpuUs(w.pid);
  SelfCpu cli0 = SelfCpuNow();
  int64_t w0 = MonoNs();
  int64_t srv1 = srv0;
  int64_t wait1 = wait0;
  SelfCpu cli1 = cli0;
  int64_t w1 = w0;
  if (!churn) {
    while (MonoNs() < window_end) usleep(1000);
    srv1 = ServerCpuUs(server_pid);
    wait1 = ServerWaitUs(server_pid);
    for (WatchedPid& w : watched) w.cpu1_us = ServerCpuUs(w.pid);
    cli1 = SelfCpuNow();
    w1 = MonoNs();
  }
  for (auto& t : threads) t.join();
  if (churn) {
    srv1 = ServerCpuUs(server_pid);
    wait1 = ServerWaitUs(server_pid);
    for (WatchedPid& w : watched) w.cpu1_us = ServerCpuUs(w.pid);
    cli1 = SelfCpuNow();
    w1 = MonoNs();
  }
  ChatStats all;
  for (const ChatStats& s : stats) all.Merge(s);

  const uint64_t expected_copies = o.pattern == ChatPattern::kChannel ? uint64_t(o.sockets)
                                   : o.pattern == ChatPattern::kRooms ? uint64_t(o.members)
                                                                      : 1;
  Histogram last_us;
  uint64_t short_messages = 0, window_messages = 0;
  for (const auto& [k, m] : all.messages) {
    ++window_messages;
    if (m.copies < expected_copies) ++short_messages;
    if (m.copies > 0) last_us.Record(m.last_us);
  }
  const double wall_s = double(w1 - w0) / 1e9;
  const double server_cpu_s = double(srv1 - srv0) / 1e6;
  const double server_wait_s = double(wait1 - wait0) / 1e6;
  const double client_cpu_s = double(cli1.user_us + cli1.sys_us - cli0.user_us - cli0.sys_us) / 1e6;
  const double server_us_per_copy =
      all.delivered > 0 ? server_cpu_s * 1e6 / double(all.delivered) : 0;
  const unsigned ncpu = std::max(1u, std::thread::hardware_concurrency());
  const bool saturated =
      wall_s > 0 && client_cpu_s / wall_s >= 0.9 * std::min<double>(o.threads, ncpu);
  auto pct = [](const Histogram& h, double p) { return double(h.Percentile(p)) / 1e3; };
  // CPU seconds over the window as % of one core.
  auto pct_of_wall = [wall_s](double cpu_s) { return wall_s > 0 ? 100 * cpu_s / wall_s : 0.0; };
  if (o.json) {
    std::printf(
        "{\"pattern\":\"%s\",\"sockets\":%d,\"rate\":%.1f,\"ready\":%llu,\"failed\":%llu,"
        "\"closed_by_server\":%llu,\"churned\":%llu,\"sent\":%llu,\"window_messages\":%llu,"
        "\"messages_short\":%llu,\"delivered\":%llu,\"expected_copies\":%llu,"
        "\"copy_ms\":{\"p50\":%.3f,\"p99\":%.3f,\"max\":%.3f},"
        "\"last_delivery_ms\":{\"p50\":%.3f,\"p99\":%.3f,\"max\":%.3f},"
        "\"max_live\":%d,\"connect_s\":%.2f,\"wall_s\":%.2f,\"server_cpu_s\":%.3f,\"server_us_per_"
        "copy\":%.3f,"
        "\"server_runqueue_wait_s\":%.3f,\"client_cpu_s\":%.3f,\"client_saturated\":%s,\"loadavg_"
        "before\":%.2f,"
        "\"loadavg_after\":%.2f,\"client_cpu_pct\":%.1f,\"procs\":{",
        PatternName(o.pattern), o.sockets, o.rate, (unsigned long long)all.ready,
        (unsigned long long)all.failed, (unsigned long long)all.closed_by_server,
        (unsigned long long)all.churned, (unsigned long long)all.sent,
        (unsigned long long)window_messages, (unsigned long long)short_messages,
        (unsigned long long)all.delivered, (unsigned long long)expected_copies,
        pct(all.copy_us, 50), pct(all.copy_us, 99), double(all.copy_us.max()) / 1e3,
        pct(last_us, 50), pct(last_us, 99), double(last_us.max()) / 1e3, o.max_live, connect_s,
        wall_s, server_cpu_s, server_us_per_copy, server_wait_s, client_cpu_s,
        saturated ? "true" : "false", load_before, LoadAvg1(), pct_of_wall(client_cpu_s));
    for (size_t i = 0; i < watched.size(); ++i) {
      const double cpu_s = double(watched[i].cpu1_us - watched[i].cpu0_us) / 1e6;
      std::printf("%s\"%s\":{\"cpu_s\":%.3f,\"cpu_pct\":%.1f}", i ? "," : "",
                  watched[i].label.c_str(), cpu_s, pct_of_wall(cpu_s));
    }
    std::printf("},\"errors\":{");
    bool first_error = true;
    for (const auto& [k, v] : all.errors) {
      std::printf("%s\"%s\":%llu", first_error ? "" : ",", k.c_str(), (unsigned long long)v);
      first_error = false;
    }
    std::printf("}}\n");
  } else {
    std::printf("chat %s: %d sockets, %.0f/s; ready %llu, failed %llu, closed by server %llu\n",
                PatternName(o.pattern), o.sockets, o.rate, (unsigned long long)all.ready,
                (unsigned long long)all.failed, (unsigned long long)all.closed_by_server);
    if (churn) {
      std::printf("  joined and closed cleanly: %llu in %.1f s (%.0f connects/s achieved)\n",
                  (unsigned long long)all.churned, wall_s,
                  wall_s > 0 ? double(o.sockets) / wall_s : 0);
    } else {
      std::printf("  window messages %llu (sent %llu), short of %llu copies: %llu\n",
                  (unsigned long long)window_messages, (unsigned long long)all.sent,
                  (unsigned long long)expected_copies, (unsigned long long)short_messages);
      std::printf("  copies delivered %llu; per copy p50 %.2f p99 %.2f max %.2f ms\n",
                  (unsigned long long)all.delivered, pct(all.copy_us, 50), pct(all.copy_us, 99),
                  double(all.copy_us.max()) / 1e3);
      std::printf("  send -> last delivery p50 %.2f p99 %.2f max %.2f ms\n", pct(last_us, 50),
                  pct(last_us, 99), double(last_us.max()) / 1e3);
    }
    std::printf(
        "  server cpu %.2f s (%.3f us/copy; waited %.2f s for a cpu), client cpu %.2f s%s over "
        "%.1f s\n",
        server_cpu_s, server_us_per_copy, server_wait_s, client_cpu_s,
        saturated ? " CLIENT SATURATED" : "", wall_s);
    std::printf("  connect %.1f s; load average %.2f -> %.2f\n", connect_s, load_before,
                LoadAvg1());
    if (!watched.empty()) {
      std::printf("  cpu over the window (%% of one core): client %.0f%%",
                  pct_of_wall(client_cpu_s));
      for (const WatchedPid& w : watched) {
        const double cpu_s = double(w.cpu1_us - w.cpu0_us) / 1e6;
        std::printf(", %s %.2f s %.0f%%", w.label.c_str(), cpu_s, pct_of_wall(cpu_s));
      }
      std::printf("\n");
    }
    for (const auto& [k, v] : all.errors) {
      std::printf("  error %s: %llu\n", k.c_str(), (unsigned long long)v);
    }
    for (const auto& [k, v] : all.failed_in) {
      std::printf("  failed in %s: %llu\n", k.c_str(), (unsigned long long)v);
    }
  }
  if (churn) return all.churned == uint64_t(o.sockets) ? 0 : 1;
  return all.failed == 0 && short_messages == 0 ? 0 : 1;
}

}  // namespace asobi::bench
