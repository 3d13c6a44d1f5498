// Helpers for db tests that run against a real PostgreSQL.
//
// Database: the ASOBI_DB_* environment when ASOBI_DB_HOST is set; otherwise the private dev
// cluster, started through tools/dev-db.sh (its path is baked in at build time). Each test
// works in its own scratch database (created and dropped here), so test binaries can run in
// parallel and re-runs start clean.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "base/task.h"
#include "db/conninfo.h"
#include "reactor/reactor.h"

namespace asobi::db::testing {

/// The server to test against (env or dev cluster). Aborts the test binary with a clear
/// message when neither works.
const DbSettings& BaseSettings();

/// A fresh, empty database, dropped (WITH FORCE) on destruction.
class ScratchDatabase {
 public:
  ScratchDatabase();
  ~ScratchDatabase();
  const DbSettings& settings() const { return settings_; }
  std::string conninfo() const { return BuildConninfo(settings_); }

 private:
  DbSettings settings_;
};

/// Runs `sql` on a plain blocking connection to `conninfo`; returns the first value of the
/// first row ("" when none). Test failure on error.
std::string QueryValue(const std::string& conninfo, const std::string& sql);

/// A fixture that runs a Reactor on the test thread. A test sets up callbacks, calls
/// RunLoop(), and eventually Finish() from inside the loop.
class LoopTest : public ::testing::Test {
 protected:
  /// Runs the loop until Finish() was called and every socket poll state is reclaimed, or
  /// until `timeout_ms` passes (a test failure, not a timing assertion: it only bounds hangs).
  void RunLoop(int64_t timeout_ms = 60000);
  /// Calls `fn` (once) as soon as `pred` holds; checked every millisecond.
  void When(std::function<bool()> pred, Task fn);
  /// Ends RunLoop (after destroying connections, let their polls drain).
  void Finish() { finish_ = true; }

  Reactor reactor_{Reactor::Options{}};

 private:
  bool finish_ = false;
};

}  // namespace asobi::db::testing
