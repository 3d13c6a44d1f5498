// The bench's token files: one `token player_id` pair a line (the server's --dev-tokens format,
// or tokens seeded into player_tokens); lines starting with '#' are comments. Main thread only.
#pragma once

#include <string>
#include <vector>

namespace asobi::bench {

/// Appends the tokens of `path` to `*tokens` and, when `player_ids` is not null, the player id
/// of each line to `*player_ids` (then a line without an id is skipped). A missing or unreadable
/// file adds nothing; the caller decides whether no tokens is an error.
void LoadTokenFile(const std::string& path, std::vector<std::string>* tokens,
                   std::vector<std::string>* player_ids);

}  // namespace asobi::bench
