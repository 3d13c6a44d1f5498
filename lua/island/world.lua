-- Island: a small shared world (lua.md §8). A 4x4 grid of 100-unit zones; players walk with
-- {dx, dy} inputs (each -1, 0 or 1), gather the trees of their zone with {gather = tree_id}
-- when within 25 units (trees come from the "tree" spawn template, which grows a gathered
-- tree back after 40 ticks), and crabs wander east and west across zone borders. Every zone
-- has its own Lua state: zone_tick, handle_input.

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

-- A gathered tree grows back where it stood (the engine's respawn timer, in ms).
function spawn_templates(config)
  return {
    tree = { type = "tree", base_state = {},
             respawn = { strategy = "timer", delay = REGROW_TICKS * tick_rate } },
  }
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
  -- Spawned at the next tick as tree_<zx>_<zy>_1 and _2.
  for _, at in ipairs({ { 30, 50 }, { 70, 50 } }) do
    game.zone.spawn("tree", ox + at[1], oy + at[2])
  end
  if zone_state.y == grid_size - 1 then
    local id = "crab_" .. zone_state.x
    entities[id] = { type = "crab", x = ox + 50, y = oy + 80, dir = 1 }
  end
  zone_state.populated = true
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
  return entities, zone_state
end

local function step(v)
  if type(v) ~= "number" then return 0 end
  if v > 0 then return 1 elseif v < 0 then return -1 end
  return 0
end

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
      entities[input.gather] = nil  -- the template's timer grows it back
      me.wood = (me.wood or 0) + 1
    end
  end
  return entities
end
