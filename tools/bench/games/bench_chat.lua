-- Declares `global:bench` for `asobi-bench chat` (tools/bench/run_chat_fanout.sh): a mode's
-- `chat_channels` is what makes a global: channel joinable (websocket.md §8.1).
match_size    = 2
chat_channels = { "bench" }

function init(config) return {} end
function join(id, state) return state end
function leave(id, state) return state end
function handle_input(id, input, state) return state end
function tick(state) return state end
function get_state(state) return {} end
