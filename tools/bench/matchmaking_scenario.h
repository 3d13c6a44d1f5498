// The `matchmaking` scenario of asobi-bench: N authenticated players queue with the
// matchmaker (in one burst, or at a fixed arrival rate), get matched, play for a while sending
// match.input at a given rate, leave and disconnect. Reports time-to-match percentiles, matches
// formed, match.state frames per player, the interval between consecutive states, and errors.
// `asobi-bench arena` is this scenario with --arena (issue 13): mode `arena`, inputs that aim and
// shoot, a ballot on every match.vote_start, and the vote-result latency.
// Usage: asobi-bench matchmaking --help
#pragma once

namespace asobi::bench {

/// Entry point for `asobi-bench matchmaking [flags]` (argv[0] is "matchmaking"). Returns the
/// process exit code: 0 when every player was matched, 1 otherwise, 2 on bad flags.
int RunMatchmakingScenario(int argc, char** argv);

}  // namespace asobi::bench
