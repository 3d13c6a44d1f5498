-- Leaderboards (rest.md §3.7, §5): one row per (board, player), written by the board's owner
-- shard in batches (docs/decisions.md "Leaderboards"). Ids are app-generated UUIDv7.

CREATE TABLE leaderboard_entries (
  id UUID PRIMARY KEY,
  leaderboard_id VARCHAR(255) NOT NULL,
  player_id UUID NOT NULL REFERENCES players (id) ON DELETE NO ACTION,
  score BIGINT NOT NULL,
  sub_score BIGINT DEFAULT 0,
  metadata JSONB DEFAULT '{}'::jsonb,
  updated_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX leaderboard_entries_leaderboard_id_player_id_index
  ON leaderboard_entries (leaderboard_id, player_id);
CREATE INDEX leaderboard_entries_leaderboard_id_score_index
  ON leaderboard_entries (leaderboard_id, score);
