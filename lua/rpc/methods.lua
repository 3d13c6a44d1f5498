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
