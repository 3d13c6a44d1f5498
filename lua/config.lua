-- Manifest of the bundled game directory (lua.md §1): mode_name = "relative/path.lua".
-- `rpc` (ours, docs/scripting.md "RPC methods"): the script that registers the RPC methods.
rpc = "rpc/methods.lua"
-- Evaluated in a bare sandbox (no `game`, no `require`); it must only return this table.
return {
  demo = "demo/match.lua",
  skirmish = "skirmish/match.lua",  -- one person against bots (lua.md §10)
  island = "island/world.lua",  -- a small persistent world (lua.md §8)
}
