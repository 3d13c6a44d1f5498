-- Storage collections (rest.md §3.9, §5): player rows (player_id set, reachable over REST) and
-- global rows (player_id NULL, scripts only).
CREATE TABLE storage (
  id UUID PRIMARY KEY,
  collection VARCHAR(255) NOT NULL,
  key VARCHAR(255) NOT NULL,
  player_id UUID REFERENCES players (id) ON DELETE NO ACTION,
  value JSONB DEFAULT '{}'::jsonb,
  version INTEGER NOT NULL DEFAULT 1,
  read_perm VARCHAR(255) NOT NULL DEFAULT 'owner',
  write_perm VARCHAR(255) NOT NULL DEFAULT 'owner',
  updated_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX storage_collection_key_index ON storage (collection, key)
  WHERE player_id IS NULL;
CREATE UNIQUE INDEX storage_collection_key_player_id_index ON storage (collection, key, player_id)
  WHERE player_id IS NOT NULL;
CREATE INDEX storage_player_id_index ON storage (player_id);
