// `asobi-bench leaderboard`: leaderboard score submits over REST (issue 12 "Leaderboard
// submits" and "Leaderboard crash"): POST /api/v1/leaderboards/:board {score} on C keep-alive
// clients, closed loop or paced to a total rate, each client submitting increasing scores for
// its own player; or through a Lua RPC handler calling game.leaderboard.submit (--rpc).
// Optionally writes every acknowledged submit (player, score, monotonic ms) so
// tools/bench/run_leaderboard_crash.sh can check them against the table after a kill -9.
#pragma once

namespace asobi::bench {

/// Runs the scenario with `argv` after the word "leaderboard". Returns the process exit code.
int RunLeaderboardScenario(int argc, char** argv);

}  // namespace asobi::bench
