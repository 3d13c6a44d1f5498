-- Mode "skirmish": coin rush for one person against bots.
--
-- Registered as "skirmish" by ../config.lua. Four players share an 800 x 600 field where
-- coins appear; touching a coin scores a point. Queue alone and, within the bot spawner's
-- 8 s fill interval (lua.md §10), three bots (bot.lua) take the empty seats. After 60 s the
-- highest score wins.
--
-- Client contract
--   match.input  {move_x, move_y} (numbers in [-1, 1]); the default bot AI's direction
--                booleans {right, left, up, down} are accepted too
--   match.state  per player: {tick, remaining_ms, arena = {w, h}, you,
--                players = {id = {x, y, score}}, coins = [{x, y}]}
--   match.coin   {player_id, score} when someone picks a coin up
--
-- Uses: mode globals incl. `bots` (lua.md §2), the match callbacks (§4), game.broadcast (§9),
-- _finished/_result (§4).

match_size  = 4
max_players = 4
strategy    = "fill"
bots        = { script = "bot.lua", min_players = 4 }
-- asobi-cpp extension (docs/decisions.md "Reconnect grace"): a player whose connection drops
-- keeps their seat for 15 s; reconnecting (session.connect on a new socket) puts them back.
reconnect_grace_ms = 15000

local W, H = 800, 600
local SPEED = 6                  -- units per tick at full stick (10 ticks per second)
local PICKUP = 18                -- touching distance
local COINS = 6                  -- coins on the field at any time
local LENGTH_MS = 60000
local TICK_MS = 100

local function clamp(v, lo, hi)
    if v < lo then return lo end
    if v > hi then return hi end
    return v
end

local function axis(v)
    local n = tonumber(v)
    if n == nil or n ~= n then return 0 end
    return clamp(n, -1, 1)
end

local function new_coin()
    return { x = math.random(30, W - 30), y = math.random(30, H - 30) }
end

function init(config)
    local coins = {}
    for i = 1, COINS do coins[i] = new_coin() end
    return { match_id = config.match_id, tick = 0, elapsed_ms = 0, players = {}, coins = coins }
end

function join(player_id, state)
    state.players[player_id] = {
        x = math.random(60, W - 60), y = math.random(60, H - 60), dx = 0, dy = 0, score = 0,
    }
    return state
end

function leave(player_id, state)
    state.players[player_id] = nil
    return state
end

function handle_input(player_id, input, state)
    local p = state.players[player_id]
    if p == nil or type(input) ~= "table" then return state end
    if input.move_x ~= nil or input.move_y ~= nil then
        p.dx, p.dy = axis(input.move_x), axis(input.move_y)
    else  -- the default AI's booleans
        p.dx = (input.right and 1 or 0) - (input.left and 1 or 0)
        p.dy = (input.down and 1 or 0) - (input.up and 1 or 0)
    end
    return state
end

local function collect(state, id, p)
    for i, c in ipairs(state.coins) do
        local dx, dy = c.x - p.x, c.y - p.y
        if dx * dx + dy * dy <= PICKUP * PICKUP then
            p.score = p.score + 1
            state.coins[i] = new_coin()
            game.broadcast("coin", { player_id = id, score = p.score })
        end
    end
end

local function finish(state)
    local best, winner, scores = -1, nil, {}
    for id, p in pairs(state.players) do
        scores[id] = p.score
        if p.score > best then best, winner = p.score, id end
    end
    state._result = { status = "completed", winner = winner, scores = scores }
    state._finished = true
end

function tick(state)
    state.tick = state.tick + 1
    state.elapsed_ms = state.elapsed_ms + TICK_MS
    for id, p in pairs(state.players) do
        local len = math.sqrt(p.dx * p.dx + p.dy * p.dy)
        local scale = len > 1 and 1 / len or 1  -- diagonals are not faster
        p.x = clamp(p.x + p.dx * scale * SPEED, 0, W)
        p.y = clamp(p.y + p.dy * scale * SPEED, 0, H)
        collect(state, id, p)
    end
    if state.elapsed_ms >= LENGTH_MS then finish(state) end
    return state
end

function get_state(player_id, state)
    local view = {}
    for id, p in pairs(state.players) do
        view[id] = { x = p.x, y = p.y, score = p.score }
    end
    return {
        tick = state.tick,
        remaining_ms = math.max(0, LENGTH_MS - state.elapsed_ms),
        arena = { w = W, h = H },
        you = player_id,
        players = view,
        coins = state.coins,
    }
end
