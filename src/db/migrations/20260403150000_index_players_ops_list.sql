-- The ops player list (rest.md §3.14; docs/decisions.md "Ops player list: keyset cursor,
-- index-backed search, capped total"): pages in inserted_at / updated_at order walk these
-- indexes (keyset on (col, id)); `q` (ILIKE '%q%' on username or display_name) uses pg_trgm
-- GIN indexes. pg_trgm ships with Debian's postgresql package and is a trusted extension
-- (PostgreSQL 13+): the database owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX players_inserted_at_id_index ON players (inserted_at, id);
CREATE INDEX players_updated_at_id_index ON players (updated_at, id);
CREATE INDEX players_username_trgm_index ON players USING gin (username gin_trgm_ops);
CREATE INDEX players_display_name_trgm_index ON players USING gin (display_name gin_trgm_ops);
