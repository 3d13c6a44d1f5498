-- Bench bot: steps back and forth (think runs every 100 ms in its own Lua state).
local dir = 1
function think(bot_id, state)
  local me = state.players and state.players[bot_id]
  if me == nil then return {} end
  if me.x > 200 then dir = -1 elseif me.x < 0 then dir = 1 end
  return { move_x = dir }
end
