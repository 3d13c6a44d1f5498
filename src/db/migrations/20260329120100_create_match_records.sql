-- Finished/recorded matches (rest.md §3.11, §5). `players` is a JSON array of player ids
-- (no FK).

CREATE TABLE match_records (
  id UUID PRIMARY KEY,
  mode VARCHAR(255),
  status VARCHAR(255) NOT NULL,
  players JSONB DEFAULT '[]'::jsonb,
  result JSONB DEFAULT '{}'::jsonb,
  metadata JSONB DEFAULT '{}'::jsonb,
  started_at TIMESTAMPTZ,
  finished_at TIMESTAMPTZ,
  inserted_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX match_records_mode_index ON match_records (mode);
CREATE INDEX match_records_status_index ON match_records (status);
