// CPU-time sampling for the report: another process's CPU time from /proc/<pid>/stat and
// this process's own from getrusage. Linux only; any thread.
#pragma once

#include <cstdint>

#include "base/result.h"

namespace asobi::bench {

/// User and system CPU time of process `pid` (all its threads), in µs. Resolution is one
/// clock tick (sysconf(_SC_CLK_TCK), usually 10 ms). Errors: reason "proc_unreadable".
Result<int64_t> ProcessCpuUs(int pid);

/// Time the threads of process `pid` spent runnable but waiting for a CPU (summed over
/// /proc/<pid>/task/*/schedstat, second field), µs: CPU taken by other processes. Threads
/// that exited in between are not counted. Errors: reason "proc_unreadable".
Result<int64_t> ProcessRunqueueWaitUs(int pid);

/// This process's CPU time (all threads), µs.
struct SelfCpu {
  int64_t user_us = 0;
  int64_t sys_us = 0;
};
SelfCpu SelfCpuNow();

/// The 1-minute load average from /proc/loadavg (-1 when unreadable): on a shared machine it
/// tells a reader whether other work competed for the cores during the run.
double LoadAvg1();

}  // namespace asobi::bench
