// `asobi-bench rest`: the accounts REST scenario (issue: Bench client). Registers N players in
// batches (cached in a file for re-use), then measures register, login and GET player at C
// concurrent keep-alive clients, reporting p50/p95/p99/max per endpoint. It can also write a
// token file (`token player_id` lines) for the WebSocket modes (--token-file).
#pragma once

namespace asobi::bench {

/// Runs the scenario with `argv` after the word "rest". Returns the process exit code.
int RunRestScenario(int argc, char** argv);

}  // namespace asobi::bench
