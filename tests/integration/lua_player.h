// LuaPlayer: one WebSocket player in a solo Lua match whose handle_input answers each input
// with game.send(p, {cid = i.cid, result = ...}) (module.message). Used by the integration
// tests of the Lua game APIs (economy, leaderboards, saves, notifications).
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "json_doc.h"
#include "ws_client.h"

namespace asobi::itest {

/// The Lua source of a solo mode (match_size 1, quick play) for LuaPlayer: `run_function`
/// defines `local function run(p, i)` returning the result of one input; handle_input sends
/// it back as game.send(p, {cid = i.cid, result = run(p, i)}).
inline std::string SoloLuaMode(const std::string& run_function) {
  return R"(
match_size = 1
max_players = 1
quick_play = true
function init() return {} end
function join(p, s) return s end
function leave(p, s) return s end
)" + run_function +
         R"(function handle_input(p, i, s)
  game.send(p, { cid = i.cid, result = run(p, i) })
  return s
end
function tick(s) return s end
function get_state(p, s) return {} end
)";
}

/// Test-thread only. `mode` is the match mode joined; `wait_ms` bounds every wait (a
/// misbehaving server only).
class LuaPlayer {
 public:
  explicit LuaPlayer(std::string mode, int wait_ms = 10000)
      : mode_(std::move(mode)), wait_ms_(wait_ms) {}

  /// Opens the socket to `port`, session.connect with `token`, then match.find_or_create
  /// {"mode": mode}; fails unless session.connected and match.joined come back.
  ::testing::AssertionResult Join(uint16_t port, const std::string& token);
  /// Sends match.input made of `input_fields` (JSON members) plus a cid; returns the script's
  /// `result` with object keys sorted (Canon), or "" (and a test failure) when none came.
  std::string Run(const std::string& input_fields);
  /// As Run, but returns the `result` parsed (an empty JsonDoc when none came).
  JsonDoc RunDoc(const std::string& input_fields);

 private:
  std::optional<std::string> Await(const std::string& input_fields);
  JsonDoc Call(const std::string& type, const std::string& payload);

  std::string mode_;
  int wait_ms_;
  WsClient ws_;
  int n_ = 0;
};

}  // namespace asobi::itest
