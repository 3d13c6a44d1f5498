-- Manifest of the bundled game directory (lua.md §1): mode_name = "relative/path.lua".
-- `rpc` (ours, docs/scripting.md "RPC methods"): the script that registers the RPC methods.
rpc = "rpc/methods.lua"
-- Guest / device sign-in (rest.md §2.7): this game wants it; it is on only when the operator
-- also sets a pepper (ASOBI_GUEST_PEPPER; tools/run.sh generates one into .dev/).
guest_auth = true
-- Evaluated in a bare sandbox (no `game`, no `require`); it must only return this table.
return {
  demo = "demo/match.lua",
  skirmish = "skirmish/match.lua",  -- one person against bots (lua.md §10)
  arena = "arena/match.lua",        -- shared/examples/arena, copied unmodified (issue 13)
  island = "island/world.lua",  -- a small persistent world (lua.md §8)
}
