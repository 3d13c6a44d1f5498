-- RPC methods for `asobi-bench leaderboard --rpc bench.submit` (tools/bench/run_leaderboard_lua.sh):
-- a player's score submitted by Lua through game.leaderboard.submit (lua.md §9), as a game's
-- server-side score validation would; the reply (200 rpc.ok) comes once the board answered.
rpc.register("bench.submit", function(player_id, params)
  if type(params.board) ~= "string" or type(params.score) ~= "number" then
    return rpc.error("bench.bad_params")
  end
  if not game.leaderboard.submit(params.board, player_id, params.score) then
    return rpc.error("bench.not_submitted")
  end
  return { ok = true }
end, { errors = { "bench.bad_params", "bench.not_submitted" } })
