#include "proc_stats.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

namespace asobi::bench {

Result<int64_t> ProcessCpuUs(int pid) {
  std::string path = "/proc/" + std::to_string(pid) + "/stat";
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line)) return MakeError("proc_unreadable", "cannot read " + path);
  // The command name (field 2) may hold spaces: fields resume after the last ')'.
  size_t paren = line.rfind(')');
  if (paren == std::string::npos) return MakeError("proc_unreadable", "malformed " + path);
  std::istringstream fields(line.substr(paren + 1));
  std::string skip;
  for (int field = 3; field <= 13; ++field) fields >> skip;  // state .. cmajflt
  long long utime = 0, stime = 0;
  if (!(fields >> utime >> stime)) return MakeError("proc_unreadable", "malformed " + path);
  long ticks = sysconf(_SC_CLK_TCK);
  if (ticks <= 0) ticks = 100;
  return int64_t((utime + stime) * 1000000LL / ticks);
}

Result<int64_t> ProcessRunqueueWaitUs(int pid) {
  std::string dir = "/proc/" + std::to_string(pid) + "/task";
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return MakeError("proc_unreadable", "cannot list " + dir);
  long long total_ns = 0;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] == '.') continue;
    std::ifstream in(dir + "/" + e->d_name + "/schedstat");
    long long run_ns = 0, wait_ns = 0;
    if (in >> run_ns >> wait_ns) total_ns += wait_ns;
  }
  closedir(d);
  return int64_t(total_ns / 1000);
}

SelfCpu SelfCpuNow() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  SelfCpu s;
  s.user_us = int64_t(ru.ru_utime.tv_sec) * 1000000 + ru.ru_utime.tv_usec;
  s.sys_us = int64_t(ru.ru_stime.tv_sec) * 1000000 + ru.ru_stime.tv_usec;
  return s;
}

double LoadAvg1() {
  std::ifstream in("/proc/loadavg");
  double v = -1;
  if (!(in >> v)) return -1;
  return v;
}

}  // namespace asobi::bench
