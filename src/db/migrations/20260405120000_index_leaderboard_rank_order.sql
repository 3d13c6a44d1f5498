-- Leaderboards load in rank order (docs/decisions.md "Leaderboards: hydration in rank order"):
-- keyset pages by (score DESC, player_id) walk an index in exactly that order, whatever the
-- table's statistics say (right after a bulk load there are none). updated_at rides in the
-- index so a page is an index-only scan (no heap fetch per row once the table is vacuumed:
-- 6 ms instead of 35 ms per 2,500-row page at 1,000,000 rows, bench/README.md "cold big
-- board"). It also serves the other reads by rank (top, seasons' archive), so it replaces the
-- (leaderboard_id, score) index.
DROP INDEX IF EXISTS leaderboard_entries_leaderboard_id_score_index;
CREATE INDEX leaderboard_entries_leaderboard_id_rank_index
  ON leaderboard_entries (leaderboard_id, score DESC, player_id) INCLUDE (updated_at);
