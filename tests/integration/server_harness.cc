#include "server_harness.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>

extern char** environ;

namespace asobi::itest {
namespace {

constexpr std::string_view kListening = "msg=listening port=";
// Beyond the drain timeout: the server polls for signals every 100 ms and then stops its
// shards; this margin only bounds a hung process, it is not a speed assertion.
constexpr int kStopMarginMs = 10000;

std::string WriteTokensFile(const std::vector<std::pair<std::string, std::string>>& tokens) {
  const char* dir = std::getenv("TMPDIR");
  std::string path = std::string(dir && *dir ? dir : "/tmp") + "/asobi-itest-tokens-XXXXXX";
  int fd = mkstemp(path.data());
  if (fd < 0) return {};
  std::string text;
  for (const auto& [token, player] : tokens) text += token + " " + player + "\n";
  bool ok = write(fd, text.data(), text.size()) == ssize_t(text.size());
  close(fd);
  if (!ok) {
    unlink(path.c_str());
    return {};
  }
  return path;
}

std::string DescribeStatus(int status) {
  if (WIFEXITED(status)) return "exit status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return std::string("killed by signal ") + strsignal(WTERMSIG(status));
  return "status " + std::to_string(status);
}

}  // namespace

ServerProcess::~ServerProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
    Reap();
  }
  if (reader_.joinable()) reader_.join();
  if (!tokens_path_.empty()) unlink(tokens_path_.c_str());
  if (::testing::Test::HasFailure()) {
    std::fprintf(stderr, "---- asobi log ----\n%s---- end of log ----\n", log().c_str());
  }
}

::testing::AssertionResult ServerProcess::Start(const ServerOptions& options) {
  if (pid_ > 0) return ::testing::AssertionFailure() << "server already running";
  options_ = options;
  const char* bin = std::getenv("ASOBI_SERVER_BIN");
  if (bin == nullptr || *bin == '\0') {
    return ::testing::AssertionFailure() << "ASOBI_SERVER_BIN is not set (run through meson test)";
  }
  std::vector<std::string> args = {bin,
                                   "--port",
                                   "0",
                                   "--shards",
                                   "2",
                                   "--drain-timeout-ms",
                                   std::to_string(options.drain_timeout_ms)};
  args.insert(args.end(), options.flags.begin(), options.flags.end());
  if (!options.dev_tokens.empty()) {
    tokens_path_ = WriteTokensFile(options.dev_tokens);
    if (tokens_path_.empty()) return ::testing::AssertionFailure() << "cannot write tokens file";
    args.push_back("--dev-tokens");
    args.push_back(tokens_path_);
  }
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (char** e = environ; *e != nullptr; ++e) {
    if (std::strncmp(*e, "ASOBI_", 6) != 0) envp.push_back(*e);
  }
  envp.push_back(nullptr);

  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return ::testing::AssertionFailure() << "pipe2 failed";
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return ::testing::AssertionFailure() << "fork failed";
  }
  if (pid == 0) {
    // Child: only async-signal-safe calls until execve.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(126);
    dup2(fds[1], STDERR_FILENO);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  close(fds[1]);
  pid_ = pid;
  pidfd_ = int(syscall(SYS_pidfd_open, pid, 0));  // glibc 2.36 lacks C linkage for it
  reader_ = std::thread([this, fd = fds[0]] { ReadStderr(fd); });

  if (!WaitForLog(kListening, options.start_timeout_ms)) {
    int status = 0;
    bool exited = WaitExit(0, &status);
    return ::testing::AssertionFailure()
           << "server did not report listening ("
           << (exited ? DescribeStatus(status) : std::string("still running")) << ")\n"
           << log();
  }
  std::string text = log();
  size_t at = text.find(kListening) + kListening.size();
  port_ = uint16_t(std::strtoul(text.c_str() + at, nullptr, 10));
  if (port_ == 0) return ::testing::AssertionFailure() << "cannot parse port\n" << text;
  return ::testing::AssertionSuccess();
}

void ServerProcess::ReadStderr(int fd) {
  char buf[4096];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    std::lock_guard<std::mutex> lock(mu_);
    if (n <= 0) {
      stderr_eof_ = true;
      cv_.notify_all();
      break;
    }
    log_.append(buf, size_t(n));
    cv_.notify_all();
  }
  close(fd);
}

bool ServerProcess::WaitForLog(std::string_view needle, int timeout_ms) {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [&] {
    return log_.find(needle) != std::string::npos || stderr_eof_;
  }) && log_.find(needle) != std::string::npos;
}

std::string ServerProcess::log() const {
  std::lock_guard<std::mutex> lock(mu_);
  return log_;
}

void ServerProcess::Signal(int sig) {
  if (pid_ > 0) kill(pid_, sig);
}

bool ServerProcess::WaitExit(int timeout_ms, int* status) {
  if (pid_ <= 0) return false;
  if (pidfd_ >= 0) {
    pollfd p{pidfd_, POLLIN, 0};
    int r;
    do {
      r = poll(&p, 1, timeout_ms);
    } while (r < 0 && errno == EINTR);
    if (r <= 0) return false;
    if (waitpid(pid_, status, 0) != pid_) return false;
  } else {
    // No pidfd (old kernel): poll waitpid.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (waitpid(pid_, status, WNOHANG) != pid_) {
      if (std::chrono::steady_clock::now() >= deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  Reap();
  return true;
}

void ServerProcess::Reap() {
  pid_ = -1;
  if (pidfd_ >= 0) close(pidfd_);
  pidfd_ = -1;
  if (reader_.joinable()) reader_.join();  // stderr reaches EOF once the process is gone
}

::testing::AssertionResult ServerProcess::Stop() {
  if (pid_ <= 0) return ::testing::AssertionSuccess();
  Signal(SIGTERM);
  return WaitForCleanExit();
}

::testing::AssertionResult ServerProcess::WaitForCleanExit() {
  if (pid_ <= 0) return ::testing::AssertionFailure() << "server not running";
  int status = 0;
  if (!WaitExit(options_.drain_timeout_ms + kStopMarginMs, &status)) {
    Signal(SIGKILL);
    WaitExit(kStopMarginMs, &status);
    return ::testing::AssertionFailure() << "server did not exit after SIGTERM (killed)\n" << log();
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return ::testing::AssertionFailure()
           << "server exited with " << DescribeStatus(status) << " after SIGTERM\n"
           << log();
  }
  return ::testing::AssertionSuccess();
}

}  // namespace asobi::itest
