-- Mode "demo": the two-player movement sandbox that the SDK quickstarts use.
--
-- Registered under the mode name "demo" by the game's manifest (config.lua):
--     return { demo = "demo/match.lua" }
-- (Without a manifest this file alone would be registered as mode "default".)
--
-- Flow: the matchmaker pairs two players -> each appears at a random point ->
-- a match.input carrying {move_x, move_y} (numbers in [-1, 1]) sets that
-- player's heading -> every tick (100 ms) everyone moves -> match.state
-- carries players[player_id].x / .y -> after 60 s the match ends and every
-- player receives match.finished with the final positions.
--
-- Uses only: mode globals, init/join/leave/handle_input/tick/get_state and
-- the reserved _finished/_result keys (spec sections 2, 4, 7).

match_size  = 2
max_players = 2
strategy    = "fill"
-- Chat channels `global:lobby` and `global:demo` may be joined by any player (websocket.md §8.1;
-- our `chat_channels` mode global).
chat_channels = {"lobby", "demo"}

local FIELD_W, FIELD_H = 800, 600
local SPAWN_X_MIN, SPAWN_X_MAX = 50, 700
local SPAWN_Y_MIN, SPAWN_Y_MAX = 50, 550
local UNITS_PER_TICK = 4      -- distance covered per tick at full deflection
local TICK_MS = 100           -- matches always tick at 10 Hz
local MATCH_LENGTH_MS = 60000

local function limit(v, lo, hi)
    if v < lo then return lo end
    if v > hi then return hi end
    return v
end

-- One stick axis: accepts a number (or numeric string), anything else is 0.
local function stick(v)
    local n = tonumber(v)
    if n == nil or n ~= n then return 0 end
    return limit(n, -1, 1)
end

function init(config)
    return {
        match_id   = config.match_id,
        tick       = 0,
        elapsed_ms = 0,
        players    = {},   -- player_id -> {x, y, dx, dy}
    }
end

function join(player_id, state)
    state.players[player_id] = {
        x  = math.random(SPAWN_X_MIN, SPAWN_X_MAX),
        y  = math.random(SPAWN_Y_MIN, SPAWN_Y_MAX),
        dx = 0,
        dy = 0,
    }
    return state
end

function leave(player_id, state)
    state.players[player_id] = nil
    return state
end

function handle_input(player_id, input, state)
    local who = state.players[player_id]
    if who == nil or type(input) ~= "table" then return state end
    -- The engine already unwraps a payload whose only key is `data`; a client
    -- that sends `data` next to other keys still works through this fallback.
    local body = input
    if type(input.data) == "table" then body = input.data end
    who.dx = stick(body.move_x)
    who.dy = stick(body.move_y)
    return state
end

function tick(state)
    state.tick = state.tick + 1
    state.elapsed_ms = state.elapsed_ms + TICK_MS

    for _, who in pairs(state.players) do
        who.x = limit(who.x + who.dx * UNITS_PER_TICK, 0, FIELD_W)
        who.y = limit(who.y + who.dy * UNITS_PER_TICK, 0, FIELD_H)
    end

    if state.elapsed_ms >= MATCH_LENGTH_MS then
        local final = {}
        for id, who in pairs(state.players) do
            final[id] = { x = who.x, y = who.y }
        end
        state._result = {
            status      = "completed",
            duration_ms = state.elapsed_ms,
            players     = final,
        }
        state._finished = true
    end
    return state
end

-- Everyone sees the same thing here, but the per-player signature is kept so
-- a client can be told which entry is its own.
function get_state(player_id, state)
    local view = {}
    for id, who in pairs(state.players) do
        view[id] = { x = who.x, y = who.y }
    end
    return {
        tick         = state.tick,
        elapsed_ms   = state.elapsed_ms,
        remaining_ms = math.max(0, MATCH_LENGTH_MS - state.elapsed_ms),
        arena        = { w = FIELD_W, h = FIELD_H },
        you          = player_id,
        players      = view,
    }
end
