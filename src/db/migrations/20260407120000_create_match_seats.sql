-- Seat claims of clustered nodes (issue 16 "Bad input and faults"; docs/decisions.md "Seat
-- claims"): one row per player seated in a live match by some node. A node claims the seats of
-- a formed group here before it places the match, so a node cut off from NATS (which sees no
-- peers and owns every queue itself) never seats a player another node already seated. A row
-- is deleted when its player leaves the match or the match ends. Rows of a node whose
-- heartbeat in `seat_nodes` is older than 10 s may be claimed by another node; a node deletes
-- its own rows when it starts. Single nodes (clustering off) never touch these tables.
CREATE TABLE match_seats (
  player_id TEXT PRIMARY KEY,
  match_id TEXT NOT NULL,
  node_id TEXT NOT NULL,
  claimed_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX match_seats_node_index ON match_seats (node_id);

CREATE TABLE seat_nodes (
  node_id TEXT PRIMARY KEY,
  heartbeat_at TIMESTAMPTZ NOT NULL
);
