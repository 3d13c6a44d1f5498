-- Island: a small shared world (lua.md §8). A 4x4 grid of 100-unit zones; players walk with
-- {dx, dy} inputs (each -1, 0 or 1), gather the trees of their zone with {gather = tree_id}
-- when within 25 units (a gathered tree grows back after 40 ticks), and crabs wander east and
-- west across zone borders. Every zone has its own Lua state: zone_tick, handle_input.

game_type = "world"
match_size = 1
max_players = 64
grid_size = 4
zone_size = 100
tick_rate = 50
broadcast_interval = 2
view_radius = 1

local SPEED = 4          -- units per tick at full input
local GATHER_RANGE = 25
local REGROW_TICKS = 40
local CRAB_SPEED = 2

-- World state ---------------------------------------------------------------------------

function init(config)
  return { world_id = config.world_id, players = 0 }
end

function join(player_id, state)
  state.players = state.players + 1
  return state
end

function leave(player_id, state)
  state.players = state.players - 1
  return state
end

-- Everyone lands on the beach of zone (0, 0), between its two trees.
function spawn_position(player_id, state)
  return { x = 50, y = 50 }
end

function post_tick(tick, state)
  return state
end

-- Zone states ---------------------------------------------------------------------------

local function clamp(v, lo, hi)
  if v < lo then return lo end
  if v > hi then return hi end
  return v
end

-- The trees of a zone sit at fixed places relative to its corner; one crab lives in every
-- zone of the bottom row.
local function populate(entities, zone_state)
  local ox, oy = zone_state.x * zone_size, zone_state.y * zone_size
  for i, at in ipairs({ { 30, 50 }, { 70, 50 } }) do
    local id = "tree_" .. zone_state.x .. "_" .. zone_state.y .. "_" .. i
    entities[id] = { type = "tree", x = ox + at[1], y = oy + at[2] }
  end
  if zone_state.y == grid_size - 1 then
    local id = "crab_" .. zone_state.x
    entities[id] = { type = "crab", x = ox + 50, y = oy + 80, dir = 1 }
  end
  zone_state.populated = true
  zone_state.regrow = {}
end

function zone_tick(entities, zone_state)
  if not zone_state.populated then populate(entities, zone_state) end
  local limit = grid_size * zone_size - 1
  for id, e in pairs(entities) do
    if e.type == "player" and (e.vx or e.vy) then
      e.x = clamp(e.x + (e.vx or 0) * SPEED, 0, limit)
      e.y = clamp(e.y + (e.vy or 0) * SPEED, 0, limit)
    elseif e.type == "crab" then
      e.x = e.x + e.dir * CRAB_SPEED
      if e.x <= 0 or e.x >= limit then e.dir = -e.dir end
    end
  end
  -- Trees grow back where they stood.
  for id, t in pairs(zone_state.regrow) do
    if zone_state.tick >= t.at then
      entities[id] = { type = "tree", x = t.x, y = t.y }
      zone_state.regrow[id] = nil
    end
  end
  return entities, zone_state
end

local function step(v)
  if type(v) ~= "number" then return 0 end
  if v > 0 then return 1 elseif v < 0 then return -1 end
  return 0
end

local regrow_queue = {}

function handle_input(player_id, input, entities)
  local me = entities[player_id]
  if me == nil then return entities end
  if input.dx ~= nil or input.dy ~= nil then
    me.vx, me.vy = step(input.dx), step(input.dy)
  end
  local tree = type(input.gather) == "string" and entities[input.gather] or nil
  if tree and tree.type == "tree" then
    local dx, dy = tree.x - me.x, tree.y - me.y
    if dx * dx + dy * dy <= GATHER_RANGE * GATHER_RANGE then
      entities[input.gather] = nil
      me.wood = (me.wood or 0) + 1
      regrow_queue[#regrow_queue + 1] = { id = input.gather, x = tree.x, y = tree.y }
    end
  end
  return entities
end

-- handle_input has no zone_state argument: gathered trees are handed over to zone_tick's
-- regrow table through this zone state's own module-level queue (each zone has its own
-- Lua state, so the queue is per zone).
local base_zone_tick = zone_tick
function zone_tick(entities, zone_state)
  if zone_state.regrow then
    for _, t in ipairs(regrow_queue) do
      zone_state.regrow[t.id] = { x = t.x, y = t.y, at = (zone_state.tick or 0) + REGROW_TICKS }
    end
    regrow_queue = {}
  end
  return base_zone_tick(entities, zone_state)
end
