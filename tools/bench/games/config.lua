-- Game directory for `asobi-bench matchmaking` runs (pass it with --game-dir): light modes so
-- a run measures the matchmaker and the runtime's fan-out rather than game logic.
rpc = "bench_rpc.lua"            -- bench.submit for `asobi-bench leaderboard --rpc`
return {
  bench4 = "bench4.lua",         -- four players, shared state
  bench_bots = "bench_bots.lua", -- four seats, bots fill (lua.md §10)
  bench_chat = "bench_chat.lua", -- declares global:bench for `asobi-bench chat`
  bench_world = "bench_world.lua", -- 10x10 world for 5,000 players, `asobi-bench world`
}
