#!/bin/bash
# Issue 12's leaderboard submit figure through Lua: run_leaderboard.sh with LUA=1 (each submit
# is POST /api/v1/rpc/bench.submit; the RPC handler calls game.leaderboard.submit and answers
# once the board did). Same environment as run_leaderboard.sh.
exec env LUA=1 bash "$(dirname "$0")/run_leaderboard.sh" "$@"
