// ServerProcess: runs the real `asobi` binary for an integration test. Starts it with
// `--port 0 --shards 2` plus the test's flags, captures stderr through a pipe (the bound port
// is read from the `msg=listening port=N` log line; the whole log is kept for failure
// messages), and on Stop() sends SIGTERM and checks that the process drains and exits 0.
//
// The binary's path comes from the environment variable ASOBI_SERVER_BIN (set by
// tests/integration/meson.build). ASOBI_* variables of the test's own environment are not
// passed on, so only the flags given here configure the server.
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace asobi::itest {

/// What to start the server with.
struct ServerOptions {
  /// Extra command-line flags, e.g. {"--ws-rate-limit", "5"}.
  std::vector<std::string> flags;
  /// `token player_id` pairs written to a temporary file passed as --dev-tokens (websocket.md
  /// §2.2 session.connect succeeds with these tokens). Empty: no --dev-tokens flag.
  std::vector<std::pair<std::string, std::string>> dev_tokens;
  /// --drain-timeout-ms; Stop() waits this long plus a margin before it gives up.
  int drain_timeout_ms = 3000;
  /// How long Start() waits for the listening line.
  int start_timeout_ms = 20000;
};

/// One server child process. Test-thread only (an internal thread only reads stderr).
/// The destructor kills a server that is still running (SIGKILL) so a failing test never
/// leaves a process behind; the child also gets SIGKILL if the test process dies.
class ServerProcess {
 public:
  ServerProcess() = default;
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  /// Spawns the server and waits until it logs that it listens. Failure (binary missing,
  /// early exit, no listening line in time) is returned with the captured log.
  ::testing::AssertionResult Start(const ServerOptions& options);

  /// SIGTERM, then waits for the exit: success when it exits with status 0 within
  /// drain_timeout_ms + a margin. Otherwise the process is killed with SIGKILL and the
  /// failure carries the log. No-op success when not running.
  ::testing::AssertionResult Stop();
  /// The second half of Stop(), for tests that send SIGTERM themselves and watch the drain:
  /// waits for the exit and checks status 0 (SIGKILL and failure after the bound).
  ::testing::AssertionResult WaitForCleanExit();

  /// Sends `sig` to the running server.
  void Signal(int sig);
  /// Waits up to `timeout_ms` for the process to exit; on exit stores the waitpid status in
  /// *status and returns true.
  bool WaitExit(int timeout_ms, int* status);

  /// Waits until the log contains `needle` (or the process closed stderr / the timeout
  /// passed). Returns whether it was seen.
  bool WaitForLog(std::string_view needle, int timeout_ms);

  bool running() const { return pid_ > 0; }
  uint16_t port() const { return port_; }
  int drain_timeout_ms() const { return options_.drain_timeout_ms; }
  /// Everything the server wrote to stderr so far.
  std::string log() const;

 private:
  void ReadStderr(int fd);
  void Reap();

  ServerOptions options_;
  pid_t pid_ = -1;
  int pidfd_ = -1;
  uint16_t port_ = 0;
  std::string tokens_path_;
  std::thread reader_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::string log_;          // guarded by mu_
  bool stderr_eof_ = false;  // guarded by mu_
};

}  // namespace asobi::itest
