-- Players and authentication (rest.md §2, §5): players, player_tokens, player_identities,
-- player_stats. Ids are app-generated UUIDv7 (no DB default); timestamps are set by the app.
-- VC = VARCHAR(255). Index names follow <table>_<col>_<col>_index.

CREATE TABLE players (
  id UUID PRIMARY KEY,
  username VARCHAR(255) NOT NULL,
  display_name VARCHAR(255),
  avatar_url VARCHAR(255),
  hashed_password VARCHAR(255),
  metadata JSONB DEFAULT '{}'::jsonb,
  banned_at TIMESTAMPTZ,
  inserted_at TIMESTAMPTZ NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX players_username_index ON players (username);

-- token = base64(SHA-256(raw token)); context = 'access' | 'refresh'.
CREATE TABLE player_tokens (
  id UUID PRIMARY KEY,
  user_id UUID NOT NULL REFERENCES players (id) ON DELETE NO ACTION,
  token VARCHAR(255) NOT NULL,
  context VARCHAR(255) NOT NULL,
  family_id VARCHAR(255),
  used_at TIMESTAMPTZ,
  inserted_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX player_tokens_token_context_index ON player_tokens (token, context);
CREATE INDEX player_tokens_user_id_index ON player_tokens (user_id);
CREATE INDEX player_tokens_family_id_index ON player_tokens (family_id);

CREATE TABLE player_identities (
  id UUID PRIMARY KEY,
  player_id UUID NOT NULL REFERENCES players (id) ON DELETE NO ACTION,
  provider VARCHAR(255) NOT NULL,
  provider_uid VARCHAR(255) NOT NULL,
  provider_email VARCHAR(255),
  provider_display_name VARCHAR(255),
  provider_metadata JSONB DEFAULT '{}'::jsonb,
  inserted_at TIMESTAMPTZ NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX player_identities_provider_provider_uid_index
  ON player_identities (provider, provider_uid);
CREATE INDEX player_identities_player_id_index ON player_identities (player_id);

CREATE TABLE player_stats (
  player_id UUID PRIMARY KEY REFERENCES players (id) ON DELETE NO ACTION,
  games_played INTEGER NOT NULL DEFAULT 0,
  wins INTEGER NOT NULL DEFAULT 0,
  losses INTEGER NOT NULL DEFAULT 0,
  rating DOUBLE PRECISION NOT NULL DEFAULT 1500,
  rating_deviation DOUBLE PRECISION NOT NULL DEFAULT 350,
  metadata JSONB DEFAULT '{}'::jsonb,
  updated_at TIMESTAMPTZ NOT NULL
);
