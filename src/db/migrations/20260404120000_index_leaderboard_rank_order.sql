-- Leaderboards load in rank order (docs/decisions.md "Leaderboards: hydration in rank order"):
-- keyset pages by (score DESC, player_id) need an index in exactly that order, whatever the
-- table's statistics say (right after a bulk load there are none). It also serves every other
-- read by rank (top, seasons' archive), so it replaces the (leaderboard_id, score) index.
DROP INDEX IF EXISTS leaderboard_entries_leaderboard_id_score_index;
CREATE INDEX leaderboard_entries_leaderboard_id_rank_index
  ON leaderboard_entries (leaderboard_id, score DESC, player_id);
