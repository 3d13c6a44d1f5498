#include "base/time_format.h"

#include <cstdio>
#include <ctime>

namespace asobi {

std::string FormatRfc3339Ms(int64_t unix_ms) {
  time_t secs = time_t(unix_ms / 1000);
  int ms = int(unix_ms % 1000);
  if (ms < 0) {
    ms += 1000;
    secs -= 1;
  }
  tm t;
  gmtime_r(&secs, &t);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", t.tm_year + 1900,
                t.tm_mon + 1, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec, ms);
  return buf;
}

}  // namespace asobi
