-- The crowded world of `asobi-bench world` (issue 14 numbers, bench/README.md "Issue 14:
-- crowded world"): the spec's default world (10x10 zones of 200 units, tick 50 ms, broadcast
-- every 3rd tick, 3x3 interest ring) with room for 5,000 players. Players spawn spread over
-- the whole map (a hash of their id) and walk with {dx, dy} inputs (each -1, 0 or 1),
-- bouncing off the world's edges, so zone borders are crossed all the time. No other
-- entities: every world.tick record is a player.

game_type = "world"
match_size = 1
max_players = 5000
grid_size = 10
zone_size = 200
tick_rate = 50
broadcast_interval = 3
view_radius = 1

local SPEED = 3  -- units per tick at full input (60 units/s)
local LIMIT = grid_size * zone_size - 1

function init(config) return { players = 0 } end

function join(player_id, state)
  state.players = state.players + 1
  return state
end

function leave(player_id, state)
  state.players = state.players - 1
  return state
end

function spawn_position(player_id, state)
  local h = 0
  for i = 1, #player_id do h = (h * 31 + string.byte(player_id, i)) % 4000037 end
  return { x = h % (LIMIT + 1), y = math.floor(h / (LIMIT + 1)) % (LIMIT + 1) }
end

function post_tick(tick, state) return state end

local function step(v)
  if type(v) ~= "number" then return 0 end
  if v > 0 then return 1 elseif v < 0 then return -1 end
  return 0
end

function zone_tick(entities, zone_state)
  for _, e in pairs(entities) do
    if e.vx ~= 0 or e.vy ~= 0 then
      local x, y = e.x + (e.vx or 0) * SPEED, e.y + (e.vy or 0) * SPEED
      if x < 0 or x > LIMIT then e.vx = -(e.vx or 0); x = e.x end
      if y < 0 or y > LIMIT then e.vy = -(e.vy or 0); y = e.y end
      e.x, e.y = x, y
    end
  end
  return entities, zone_state
end

function handle_input(player_id, input, entities)
  local me = entities[player_id]
  if me == nil then return entities end
  me.vx, me.vy = step(input.dx), step(input.dy)
  return entities
end
