// The `world` scenario of asobi-bench (issue 14): N authenticated players join one world
// (player 0 creates it with world.create unless --world-id names one), each sends world.input
// (a random walk) at a fixed rate, and over a measured window the client records per wire (JSON
// or the binary world.tick of websocket.md §11, or both in one run with --wire mixed): the
// interval between consecutive world.tick frames of one zone, world.tick frames and bytes per
// player per second, bytes per entity record, gaps/stale frames, bad frames and errors.
// Usage: asobi-bench world --help
#pragma once

namespace asobi::bench {

/// Entry point for `asobi-bench world [flags]` (argv[0] is "world"). Returns the process exit
/// code: 0 when every player joined and no bad frame arrived, 1 otherwise, 2 on bad flags.
int RunWorldScenario(int argc, char** argv);

}  // namespace asobi::bench
