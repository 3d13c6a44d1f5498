-- Bot brain for "skirmish" (bots.script in match.lua; lua.md §10). Each bot runs this file in
-- its own Lua state with no `game` table; think() gets the bot's match.state view every
-- 100 ms and returns the same input a player sends. Module-level locals are per bot.

names = { "Pip", "Dot", "Zig", "Bop", "Nib", "Tuk" }

local PACE = 0.75          -- bots are a little slower than a player at full stick
local target = nil         -- the coin this bot is heading for
local patience = 0         -- ticks before it reconsiders

local function nearest_coin(me, coins)
    local best, pick = math.huge, nil
    for _, c in ipairs(coins) do
        local dx, dy = c.x - me.x, c.y - me.y
        local d = dx * dx + dy * dy
        if d < best then best, pick = d, c end
    end
    return pick
end

function think(bot_id, state)
    local players = state.players
    local me = type(players) == "table" and players[bot_id] or nil
    if me == nil or type(state.coins) ~= "table" then return { move_x = 0, move_y = 0 } end
    patience = patience - 1
    if target == nil or patience <= 0 then
        target = nearest_coin(me, state.coins)
        patience = math.random(8, 20)
    end
    if target == nil then return { move_x = 0, move_y = 0 } end
    local dx, dy = target.x - me.x, target.y - me.y
    local len = math.sqrt(dx * dx + dy * dy)
    if len < 10 then
        target = nil
        return { move_x = 0, move_y = 0 }
    end
    return { move_x = PACE * dx / len, move_y = PACE * dy / len }
end
