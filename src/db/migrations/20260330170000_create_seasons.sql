-- Seasons (issue 13 item 4; docs/seasons.md, docs/decisions.md "Seasons"). `seasons` has the
-- columns of rest.md §5 (starts_at/ends_at in Unix ms); its id is the operator's text id from
-- the seasons file, `ranked` is the JSON array of the season's leaderboard ids and `rewards`
-- the rank ranges of game/tournament/rewards.h. Beyond the spec:
--   - season_archives: one row per (season, leaderboard) once the board's standings were moved
--     out of leaderboard_entries; its presence makes the move happen exactly once;
--   - season_standings: the archived standings, readable over REST after the season.

CREATE TABLE seasons (
  id VARCHAR(255) PRIMARY KEY,
  name VARCHAR(255) NOT NULL,
  starts_at BIGINT NOT NULL,
  ends_at BIGINT NOT NULL,
  status VARCHAR(255) DEFAULT 'upcoming',
  config JSONB DEFAULT '{}'::jsonb,
  ranked JSONB DEFAULT '{}'::jsonb,
  rewards JSONB DEFAULT '{}'::jsonb,
  inserted_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX seasons_status_index ON seasons (status);
CREATE INDEX seasons_starts_at_index ON seasons (starts_at);
CREATE INDEX seasons_ends_at_index ON seasons (ends_at);

CREATE TABLE season_archives (
  season_id VARCHAR(255) NOT NULL REFERENCES seasons (id) ON DELETE NO ACTION,
  leaderboard_id VARCHAR(255) NOT NULL,
  entries INTEGER NOT NULL,
  archived_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (season_id, leaderboard_id)
);

CREATE TABLE season_standings (
  season_id VARCHAR(255) NOT NULL REFERENCES seasons (id) ON DELETE NO ACTION,
  leaderboard_id VARCHAR(255) NOT NULL,
  player_id UUID NOT NULL REFERENCES players (id) ON DELETE NO ACTION,
  rank BIGINT NOT NULL,
  score BIGINT NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (season_id, leaderboard_id, player_id)
);
CREATE INDEX season_standings_rank_index ON season_standings (season_id, leaderboard_id, rank);
CREATE INDEX season_standings_player_id_index ON season_standings (player_id);
