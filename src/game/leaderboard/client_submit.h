// ClientSubmitPolicy: which boards accept scores from clients over REST (rest.md §3.7:
// `leaderboard_client_submit`, a list of board ids or `all`; default none). Immutable after
// start-up; shared read-only by every shard.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace asobi::leaderboard {

/// Boards open to client score submission over REST; built once by FromList.
struct ClientSubmitPolicy {
  bool all = false;
  std::set<std::string, std::less<>> boards;

  /// From the config list: `all` anywhere in it opens every board.
  static ClientSubmitPolicy FromList(const std::vector<std::string>& list) {
    ClientSubmitPolicy p;
    for (const std::string& b : list) {
      if (b == "all") p.all = true;
      p.boards.insert(b);
    }
    return p;
  }
  /// Whether clients may submit to `board_id` (else leaderboard.client_submit_disabled).
  bool Allows(std::string_view board_id) const {
    return all || boards.find(board_id) != boards.end();
  }
};

}  // namespace asobi::leaderboard
