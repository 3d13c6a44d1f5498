-- RPC methods of the bundled game (docs/scripting.md "RPC methods"). Named by the `rpc`
-- global of config.lua; runs in its own sandboxed Lua state per shard, 200 ms per call.
-- Clients call them with `rpc.call` (websocket.md §9.1) or POST /api/v1/rpc/<method>.

-- demo.echo: returns the params it was given, and who called.
rpc.register("demo.echo", function(player_id, params)
  return { player_id = player_id, params = params }
end)

-- demo.add: adds two numbers; a declared error code (with its REST status) otherwise.
rpc.register("demo.add", function(_, params)
  if type(params.a) ~= "number" or type(params.b) ~= "number" then
    return rpc.error("demo.not_numbers", "a and b must be numbers", { got = { type(params.a), type(params.b) } })
  end
  return { sum = params.a + params.b }
end, { errors = { ["demo.not_numbers"] = 422 } })

-- demo.daily_reward: the game.* API in a handler (docs/scripting.md "RPC methods"). Each *DB*
-- call (storage, economy, notify) suspends this handler until PostgreSQL answers.
rpc.register("demo.daily_reward", function(player_id)
  local day = os.date("!%Y-%m-%d")
  local last = game.storage.player_get(player_id, "demo", "daily_reward")
  if last.ok and last.ok.day == day then
    return rpc.error("demo.already_claimed", "Come back tomorrow")
  end
  local w = game.economy.grant(player_id, "coins", 100, "daily_reward")
  if w.error then return rpc.error("demo.unavailable", w.error) end
  game.storage.player_set(player_id, "demo", "daily_reward", { day = day })
  game.notify(player_id, "reward", "Daily reward", { coins = 100 })
  return { balance = w.ok.balance }
end, { errors = { ["demo.already_claimed"] = 409, ["demo.unavailable"] = 400 } })
