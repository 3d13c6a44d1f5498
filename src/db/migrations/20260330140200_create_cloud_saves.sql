-- Cloud saves (rest.md §3.9, §5): up to 10 slots per player, optimistic versions.
CREATE TABLE cloud_saves (
  id UUID PRIMARY KEY,
  player_id UUID NOT NULL REFERENCES players (id) ON DELETE NO ACTION,
  slot VARCHAR(255) NOT NULL,
  data JSONB DEFAULT '{}'::jsonb,
  version INTEGER NOT NULL DEFAULT 1,
  updated_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX cloud_saves_player_id_slot_index ON cloud_saves (player_id, slot);
