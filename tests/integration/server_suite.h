// ServerSuite: the gtest fixture base the domain integration suites share. The derived
// suite's SetUpTestSuite fills db_, server_ and (optionally) dir_; this base stops the
// server, drops the database and removes the game dir after the suite, prints the server log
// after a failed test and offers the REST helpers every suite used to copy.
#pragma once

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <utility>

#include "http_call.h"
#include "http_client.h"
#include "itest_suite.h"
#include "json_doc.h"
#include "pg_test_db.h"
#include "server_harness.h"

namespace asobi::itest {

/// CRTP so each suite has its own statics. Test-thread only.
template <class Suite>
class ServerSuite : public ::testing::Test {
 protected:
  /// Stops the server (expects a clean exit), then frees the database and removes dir_.
  static void TearDownTestSuite() {
    if (server_) {
      EXPECT_TRUE(server_->Stop());
    }
    delete server_;
    server_ = nullptr;
    delete db_;
    db_ = nullptr;
    if (dir_) RemoveDir(*dir_);
    delete dir_;
    dir_ = nullptr;
  }
  void TearDown() override {
    if (HasFailure()) std::fprintf(stderr, "server log:\n%s", server_->log().c_str());
  }

  /// HttpCall on the suite's server.
  static HttpResponse Call(const std::string& method, const std::string& path,
                           const std::string& body = "", const std::string& bearer = "") {
    return HttpCall(server_->port(), method, path, body, bearer);
  }
  /// Registers `user`; returns {player_id, access_token}.
  static std::pair<std::string, std::string> Register(const std::string& user) {
    return RegisterPlayer(server_->port(), user);
  }
  /// `r`'s body parsed (a test failure when it is not JSON).
  static JsonDoc Json(const HttpResponse& r) { return ParseBody(r); }

  static inline TestDatabase* db_ = nullptr;
  static inline ServerProcess* server_ = nullptr;
  static inline std::string* dir_ = nullptr;  // the game dir, when the suite has one
};

}  // namespace asobi::itest
