-- Console sessions (rest.md §3.14 `/console/session`; docs/decisions.md "Ops API credentials",
-- "Console sessions"): shared by every node on the database and kept across restarts, so an
-- operator behind a load balancer stays signed in whichever node answers. Only hashes are
-- stored: the SHA-256 (hex) of the `asobi_console` cookie and of the CSRF token; a copy of
-- this table gives no usable credential. At most 1024 rows: opening one more deletes the rows
-- that expire first (and every expired row) in the same transaction as the insert.
CREATE TABLE console_sessions (
  id_hash CHAR(64) PRIMARY KEY,
  csrf_hash CHAR(64) NOT NULL,
  label TEXT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  expires_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX console_sessions_expires_index ON console_sessions (expires_at);
