-- Resolved match votes (rest.md §3.11 votes, §5 "votes"; lua.md §6). Written once, when a vote
-- resolves. `id` is the vote id the script gave or a generated UUIDv7, so it is text.
CREATE TABLE votes (
  id VARCHAR(64) PRIMARY KEY,
  match_id UUID NOT NULL,
  template VARCHAR(255) NOT NULL,
  method VARCHAR(32) NOT NULL,
  options JSONB NOT NULL DEFAULT '[]'::jsonb,
  votes_cast JSONB NOT NULL DEFAULT '{}'::jsonb,
  result JSONB NOT NULL DEFAULT '{}'::jsonb,
  distribution JSONB NOT NULL DEFAULT '{}'::jsonb,
  turnout DOUBLE PRECISION NOT NULL DEFAULT 0.0,
  eligible_count INTEGER NOT NULL DEFAULT 0,
  window_ms INTEGER NOT NULL,
  opened_at TIMESTAMPTZ,
  closed_at TIMESTAMPTZ,
  inserted_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX votes_match_id_idx ON votes (match_id);
CREATE INDEX votes_template_idx ON votes (template);
