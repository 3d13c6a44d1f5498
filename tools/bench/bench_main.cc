// asobi-bench: WebSocket load generator for asobi, built on the server's own io_uring
// reactor (src/reactor). See tools/bench/README.md.
#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <string_view>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "bench_options.h"
#include "bench_plan.h"
#include "bench_report.h"
#include "bench_worker.h"
#include "chat_scenario.h"
#include "economy_scenario.h"
#include "leaderboard_scenario.h"
#include "matchmaking_scenario.h"
#include "proc_stats.h"
#include "rest_scenario.h"
#include "world_scenario.h"

namespace asobi::bench {
namespace {

constexpr int64_t kNsPerMs = 1000000;
constexpr int64_t kStartDelayNs = 50 * kNsPerMs;  // lets every worker see start_ns in time

void RaiseFileLimit() {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= rl.rlim_max) return;
  rl.rlim_cur = rl.rlim_max;
  setrlimit(RLIMIT_NOFILE, &rl);
}

void PinMainThread(const Options& o) {
  if (o.cpus.empty()) return;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(o.cpus[0], &set);
  sched_setaffinity(0, sizeof set, &set);
}

void SleepUntilNs(int64_t t_ns) {
  timespec ts{time_t(t_ns / 1000000000), long(t_ns % 1000000000)};
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) != 0) {
  }
}

// Waits until *counter reaches `target` or the deadline passes; true when reached.
bool WaitCount(RunControl& ctl, int* counter, int target, int64_t deadline_ns) {
  std::unique_lock<std::mutex> lock(ctl.mu);
  while (*counter < target) {
    int64_t left = deadline_ns - MonoNs();
    if (left <= 0) return false;
    ctl.cv.wait_for(lock, std::chrono::nanoseconds(left));
  }
  return true;
}

struct CpuSnap {
  int64_t wall_ns = 0;
  bool server_ok = false;
  int64_t server_us = 0;
  SelfCpu self;
  double loadavg = -1;
  bool server_wait_ok = false;
  int64_t server_wait_us = 0;
  int64_t self_wait_us = 0;
};

CpuSnap Snap(const Options& o) {
  CpuSnap s;
  s.wall_ns = MonoNs();
  if (o.server_pid != 0) {
    Result<int64_t> r = ProcessCpuUs(o.server_pid);
    s.server_ok = r.ok();
    if (r.ok()) s.server_us = r.value();
    Result<int64_t> w = ProcessRunqueueWaitUs(o.server_pid);
    s.server_wait_ok = w.ok();
    if (w.ok()) s.server_wait_us = w.value();
  }
  Result<int64_t> self_wait = ProcessRunqueueWaitUs(int(getpid()));
  if (self_wait.ok()) s.self_wait_us = self_wait.value();
  s.self = SelfCpuNow();
  s.loadavg = LoadAvg1();
  return s;
}

int64_t ConnectBudgetNs(const Options& o) {
  int64_t waves = (int64_t(o.connections) + o.wave_size - 1) / o.wave_size;
  return waves * o.wave_interval_ms * kNsPerMs + int64_t(o.connect_timeout_ms) * kNsPerMs +
         1000 * kNsPerMs;
}

int64_t LoadBudgetNs(const Options& o) {
  double s = o.duration_s + (o.mode == Mode::kBlast ? 0 : o.warmup_s);
  return int64_t(s * 1e9) + int64_t(o.drain_timeout_ms) * kNsPerMs + 1000 * kNsPerMs;
}

void StartClock(RunControl& ctl, const Options& o) {
  uint64_t total = 0;
  for (uint64_t n : ctl.ready_per_worker) total += n;
  for (size_t i = 0; i < ctl.worker_rate.size(); ++i) {
    ctl.worker_rate[i] = total == 0 ? 0 : o.rate * double(ctl.ready_per_worker[i]) / double(total);
  }
  ctl.start_ns.store(MonoNs() + kStartDelayNs, std::memory_order_release);
}

std::vector<std::unique_ptr<Worker>> MakeWorkers(const Plan& plan, RunControl* ctl) {
  const Options& o = plan.opts;
  ctl->ready_per_worker.assign(size_t(o.threads), 0);
  ctl->worker_rate.assign(size_t(o.threads), 0);
  std::vector<std::unique_ptr<Worker>> workers;
  uint32_t first = 0;
  for (int i = 0; i < o.threads; ++i) {
    uint32_t n = uint32_t(o.connections / o.threads + (i < o.connections % o.threads ? 1 : 0));
    workers.push_back(std::make_unique<Worker>(plan, ctl, i, first, n));
    first += n;
  }
  return workers;
}

// Waits for the connect phase, starts the load and takes the CPU snapshots at the window's
// edges. False when a phase missed its deadline.
bool Measure(const Options& o, RunControl& ctl, int64_t t_begin, Report* rep, CpuSnap* a,
             CpuSnap* b) {
  bool ok = WaitCount(ctl, &ctl.connected_workers, o.threads, t_begin + ConnectBudgetNs(o));
  rep->connect_s = double(MonoNs() - t_begin) / 1e9;
  if (!ok) return false;
  StartClock(ctl, o);
  int64_t start = ctl.start_ns.load();
  int64_t ws = start + (o.mode == Mode::kBlast ? 0 : int64_t(o.warmup_s * 1e9));
  SleepUntilNs(ws);
  *a = Snap(o);
  if (o.mode == Mode::kBlast) {
    ok = WaitCount(ctl, &ctl.loaded_workers, o.threads, start + LoadBudgetNs(o));
  } else {
    SleepUntilNs(ws + int64_t(o.duration_s * 1e9));
  }
  *b = Snap(o);
  return ok;
}

// Waits for every worker to finish its close phase; gives up (exit 3) if they hang.
void StopWorkers(const Options& o, RunControl& ctl, std::vector<std::thread>* threads) {
  int64_t exit_deadline =
      MonoNs() + LoadBudgetNs(o) + int64_t(o.close_timeout_ms) * kNsPerMs + 2000 * kNsPerMs;
  if (!WaitCount(ctl, &ctl.exited_workers, o.threads, exit_deadline)) {
    ctl.abort.store(true);
    if (!WaitCount(ctl, &ctl.exited_workers, o.threads, MonoNs() + 3000 * kNsPerMs)) {
      std::fprintf(stderr, "asobi-bench: workers did not stop; giving up\n");
      std::fflush(nullptr);
      _exit(3);
    }
  }
  for (auto& t : *threads) t.join();
}

void FillReport(const Options& o, int64_t start_ns, const CpuSnap& a, const CpuSnap& b,
                Report* rep) {
  if (o.mode == Mode::kBlast) {
    int64_t last = rep->c.last_reply_ns;
    rep->window_s = last > start_ns ? double(last - start_ns) / 1e9 : 0;
  } else {
    rep->window_s = o.duration_s;
  }
  rep->cpu_wall_s = double(b.wall_ns - a.wall_ns) / 1e9;
  rep->server_cpu_ok = a.server_ok && b.server_ok;
  rep->server_cpu_us = b.server_us - a.server_us;
  rep->client_user_us = b.self.user_us - a.self.user_us;
  rep->client_sys_us = b.self.sys_us - a.self.sys_us;
  rep->loadavg_before = a.loadavg;
  rep->loadavg_after = b.loadavg;
  rep->server_wait_ok = a.server_wait_ok && b.server_wait_ok;
  rep->server_wait_us = b.server_wait_us - a.server_wait_us;
  rep->client_wait_us = b.self_wait_us - a.self_wait_us;
}

int RunBench(const Plan& plan) {
  const Options& o = plan.opts;
  RunControl ctl;
  std::vector<std::unique_ptr<Worker>> workers = MakeWorkers(plan, &ctl);
  // Last resort against a hang anywhere: SIGALRM's default action ends the process.
  int64_t budget_ns = ConnectBudgetNs(o) + LoadBudgetNs(o) + int64_t(o.close_timeout_ms) * kNsPerMs;
  alarm(unsigned(budget_ns / 1000000000) + 30);

  int64_t t_begin = MonoNs();
  std::vector<std::thread> threads;
  for (auto& w : workers) threads.emplace_back([w = w.get()] { w->Run(); });
  Report rep;
  rep.opts = &o;
  CpuSnap a, b;
  bool ok = Measure(o, ctl, t_begin, &rep, &a, &b);
  if (!ok) ctl.abort.store(true);
  StopWorkers(o, ctl, &threads);

  Histogram latency, lag;
  for (auto& w : workers) {
    rep.c.Add(w->stats().c);
    latency.Merge(w->stats().latency_us);
    lag.Merge(w->stats().send_lag_us);
    if (rep.first_error.empty()) rep.first_error = w->stats().first_error;
  }
  rep.latency_us = &latency;
  rep.send_lag_us = &lag;
  rep.aborted = !ok || ctl.abort.load();
  FillReport(o, ctl.start_ns.load(), a, b, &rep);
  if (o.json) {
    PrintJson(rep, stdout);
  } else {
    PrintHuman(rep, stdout);
  }
  return rep.aborted || rep.c.connected == 0 ? 1 : 0;
}

}  // namespace
}  // namespace asobi::bench

int main(int argc, char** argv) {
  using namespace asobi::bench;
  if (argc > 1 && std::string_view(argv[1]) == "rest") {  // rest_scenario.h
    RaiseFileLimit();
    return RunRestScenario(argc - 1, argv + 1);
  }
  if (argc > 1 && std::string_view(argv[1]) == "economy") {  // economy_scenario.h
    RaiseFileLimit();
    return RunEconomyScenario(argc - 1, argv + 1);
  }
  if (argc > 1 && std::string_view(argv[1]) == "chat") {  // chat_scenario.h
    RaiseFileLimit();
    return RunChatScenario(argc - 1, argv + 1);
  }
  if (argc > 1 && std::string_view(argv[1]) == "leaderboard") {  // leaderboard_scenario.h
    RaiseFileLimit();
    return RunLeaderboardScenario(argc - 1, argv + 1);
  }
  if (argc > 1 && std::string_view(argv[1]) == "matchmaking") {  // matchmaking_scenario.h
    RaiseFileLimit();
    return RunMatchmakingScenario(argc - 1, argv + 1);
  }
  if (argc > 1 && std::string_view(argv[1]) == "arena") {  // matchmaking_scenario.h --arena
    RaiseFileLimit();
    std::vector<char*> args(argv + 1, argv + argc);
    static char arena_flag[] = "--arena";
    args.insert(args.begin() + 1, arena_flag);
    return RunMatchmakingScenario(int(args.size()), args.data());
  }
  if (argc > 1 && std::string_view(argv[1]) == "world") {  // world_scenario.h
    RaiseFileLimit();
    return RunWorldScenario(argc - 1, argv + 1);
  }
  bool help = false;
  asobi::Result<Options> opts = ParseOptions(argc, argv, &help);
  if (help) {
    std::fputs(Usage().c_str(), stdout);
    return 0;
  }
  if (!opts.ok()) {
    std::fprintf(stderr, "asobi-bench: %s\n%s", opts.error().message.c_str(), Usage().c_str());
    return 2;
  }
  RaiseFileLimit();
  PinMainThread(opts.value());
  asobi::Result<Plan> plan = BuildPlan(opts.value());
  if (!plan.ok()) {
    std::fprintf(stderr, "asobi-bench: %s\n", plan.error().message.c_str());
    return 2;
  }
  const Options& o = plan.value().opts;
  if (o.token_file.empty() && o.mode != Mode::kBlast && o.warmup_s + o.duration_s > 9) {
    std::fprintf(stderr,
                 "asobi-bench: warning: unauthenticated sockets are closed by the server's "
                 "idle-auth timeout (10 s by default); use --token-file for longer runs\n");
  }
  return RunBench(plan.value());
}
