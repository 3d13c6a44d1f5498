-- World persistence (lua.md §8, §18; issue 14 item 5). zone_snapshots is rest.md §5's table:
-- the last snapshot of each zone of a persistent world (one row per zone, upserted).
-- persistent_worlds is ours (the data model has no world table): the persistent worlds that
-- are re-created with the same id when the server starts (docs/decisions.md "World
-- persistence").
CREATE TABLE zone_snapshots (
  id UUID PRIMARY KEY,
  world_id UUID NOT NULL,
  zone_x INTEGER NOT NULL,
  zone_y INTEGER NOT NULL,
  entities JSONB NOT NULL DEFAULT '{}'::jsonb,
  zone_state JSONB DEFAULT '{}'::jsonb,
  entity_timers JSONB DEFAULT '{}'::jsonb,
  spawner_state JSONB DEFAULT '{}'::jsonb,
  tick BIGINT NOT NULL DEFAULT 0,
  snapshot_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX zone_snapshots_world_id_zone_x_zone_y_index
  ON zone_snapshots (world_id, zone_x, zone_y);

CREATE TABLE persistent_worlds (
  world_id UUID PRIMARY KEY,
  mode VARCHAR(255) NOT NULL,
  inserted_at TIMESTAMPTZ NOT NULL
);
