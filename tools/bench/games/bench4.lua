-- Four players move on a line; one shared state payload per tick (lua.md §7 "shared").
match_size     = 4
state_strategy = "shared"

local LENGTH_TICKS = 3000  -- 300 s: runs end by match.leave, not by the clock

function init(config) return { tick = 0, players = {} } end

function join(id, state)
  state.players[id] = { x = 100, dx = 0 }
  return state
end

function leave(id, state)
  state.players[id] = nil
  return state
end

function handle_input(id, input, state)
  local p = state.players[id]
  if p ~= nil and type(input.move_x) == "number" then p.dx = input.move_x end
  return state
end

function tick(state)
  state.tick = state.tick + 1
  for _, p in pairs(state.players) do p.x = p.x + p.dx end
  if state.tick >= LENGTH_TICKS then state._finished = true end
  return state
end

function get_state(state)
  local view = {}
  for id, p in pairs(state.players) do view[id] = { x = p.x } end
  return { tick = state.tick, players = view }
end
