-- Tournaments (rest.md §3.8, §5). Beyond the spec (docs/decisions.md "Tournaments"):
--   - participants are stored (tournament_participants), not in memory only, so joins and
--     rewards survive a restart;
--   - `rewards` is a JSON array of {"from", "to", "currency", "amount"} rank ranges.

CREATE TABLE tournaments (
  id UUID PRIMARY KEY,
  name VARCHAR(255) NOT NULL,
  leaderboard_id VARCHAR(255) NOT NULL,
  max_entries INTEGER,
  entry_fee JSONB DEFAULT '{}'::jsonb,
  rewards JSONB DEFAULT '{}'::jsonb,
  status VARCHAR(255) NOT NULL DEFAULT 'pending',
  start_at TIMESTAMPTZ NOT NULL,
  end_at TIMESTAMPTZ NOT NULL,
  metadata JSONB DEFAULT '{}'::jsonb,
  inserted_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX tournaments_status_index ON tournaments (status);
CREATE INDEX tournaments_start_at_index ON tournaments (start_at);

CREATE TABLE tournament_participants (
  id UUID PRIMARY KEY,
  tournament_id UUID NOT NULL REFERENCES tournaments (id) ON DELETE NO ACTION,
  player_id UUID NOT NULL REFERENCES players (id) ON DELETE NO ACTION,
  joined_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX tournament_participants_tournament_id_player_id_index
  ON tournament_participants (tournament_id, player_id);
CREATE INDEX tournament_participants_player_id_index ON tournament_participants (player_id);
