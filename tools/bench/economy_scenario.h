// `asobi-bench economy`: store purchases over REST (issue 12 "Purchases" and "Wallet
// contention"): a closed loop of POST /api/v1/store/purchase on C keep-alive clients, or N
// one-shot purchases racing for one wallet. The ledger is checked in SQL by the run script
// (tools/bench/run_purchases.sh).
#pragma once

namespace asobi::bench {

/// Runs the scenario with `argv` after the word "economy". Returns the process exit code.
int RunEconomyScenario(int argc, char** argv);

}  // namespace asobi::bench
