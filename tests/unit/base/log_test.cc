// The asynchronous log sink: order, the full-queue bound (drop and count, never block), the
// flush at shutdown and on fatal errors.
#include "base/log.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "base/check.h"

namespace asobi {
namespace {

// Sends stderr to a temporary file for the test's lifetime.
class CapturedStderr {
 public:
  CapturedStderr() {
    char path[] = "/tmp/asobi-log-test-XXXXXX";
    int fd = mkstemp(path);
    path_ = path;
    saved_ = dup(STDERR_FILENO);
    dup2(fd, STDERR_FILENO);
    close(fd);
  }
  ~CapturedStderr() {
    dup2(saved_, STDERR_FILENO);
    close(saved_);
    unlink(path_.c_str());
  }
  std::vector<std::string> Lines() const {
    std::ifstream in(path_);
    std::vector<std::string> out;
    std::string line;
    while (std::getline(in, line)) out.push_back(line);
    return out;
  }

 private:
  std::string path_;
  int saved_ = -1;
};

bool Contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

TEST(AsyncLogTest, LinesFromManyThreadsAreAllWrittenInPerThreadOrder) {
  CapturedStderr err;
  StartAsyncLog(1 << 16);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t] {
      for (int i = 0; i < 1000; ++i) LOG_INFO("line").KV("t", t).KV("i", i);
    });
  }
  for (auto& th : threads) th.join();
  StopAsyncLog();
  std::vector<int> next(4, 0);
  size_t n = 0;
  for (const std::string& l : err.Lines()) {
    for (int t = 0; t < 4; ++t) {
      if (!Contains(l, " t=" + std::to_string(t) + " ")) continue;
      EXPECT_TRUE(Contains(l, " i=" + std::to_string(next[size_t(t)]))) << l;
      ++next[size_t(t)];
      ++n;
    }
  }
  EXPECT_EQ(n, 4000u);
  EXPECT_EQ(LogDroppedLines(), 0u);
  // Stopped: synchronous again.
  LOG_INFO("after stop");
  EXPECT_TRUE(Contains(err.Lines().back(), "after stop"));
}

TEST(AsyncLogTest, FullQueueDropsAndCountsWithoutBlockingThenReports) {
  CapturedStderr err;
  uint64_t dropped_before = LogDroppedLines();
  StartAsyncLog(8);
  PauseAsyncLogForTest(true);  // the logger writes nothing: the queue fills up
  for (int i = 0; i < 20; ++i) LOG_WARN("burst").KV("i", i);  // returns: never blocks
  EXPECT_EQ(LogDroppedLines() - dropped_before, 12u);
  PauseAsyncLogForTest(false);
  StopAsyncLog();
  std::vector<std::string> lines = err.Lines();
  int kept = 0;
  bool reported = false;
  for (const std::string& l : lines) {
    if (Contains(l, "msg=burst")) ++kept;
    if (Contains(l, "msg=\"log lines dropped\"") && Contains(l, "count=12")) reported = true;
  }
  EXPECT_EQ(kept, 8);  // the first 8 made it, in order
  EXPECT_TRUE(reported);
  EXPECT_TRUE(Contains(lines.front(), "i=0"));
}

TEST(AsyncLogDeathTest, QueuedLinesAreWrittenWhenTheProcessAborts) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        StartAsyncLog(64);
        PauseAsyncLogForTest(true);  // still queued when the CHECK fails
        LOG_ERROR("last words before the crash");
        CHECK(1 + 1 == 3);
      },
      "last words before the crash");
}

}  // namespace
}  // namespace asobi
