-- Manifest of the bundled game directory (lua.md §1): mode_name = "relative/path.lua".
-- Evaluated in a bare sandbox (no `game`, no `require`); it must only return this table.
return {
  demo = "demo/match.lua",
  skirmish = "skirmish/match.lua",  -- one person against bots (lua.md §10)
}
