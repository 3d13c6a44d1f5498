-- Social domain (rest.md §3.3, §3.4, §3.10, §5): friendships, groups, group_members,
-- chat_messages, notifications. Ids are app-generated UUIDv7; timestamps set by the app.
-- groups.description holds up to 1024 characters (DECISIONS.md REST 6).

CREATE TABLE friendships (
  id UUID PRIMARY KEY,
  player_id UUID NOT NULL REFERENCES players (id) ON DELETE NO ACTION,
  friend_id UUID NOT NULL REFERENCES players (id) ON DELETE NO ACTION,
  status VARCHAR(255) NOT NULL DEFAULT 'pending',
  inserted_at TIMESTAMPTZ NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX friendships_player_id_friend_id_index ON friendships (player_id, friend_id);
CREATE INDEX friendships_player_id_index ON friendships (player_id);
CREATE INDEX friendships_friend_id_index ON friendships (friend_id);

CREATE TABLE groups (
  id UUID PRIMARY KEY,
  name VARCHAR(255) NOT NULL,
  description VARCHAR(1024),
  max_members INTEGER DEFAULT 50,
  open BOOLEAN NOT NULL DEFAULT false,
  creator_id UUID REFERENCES players (id) ON DELETE NO ACTION,
  metadata JSONB DEFAULT '{}'::jsonb,
  inserted_at TIMESTAMPTZ NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE group_members (
  id UUID PRIMARY KEY,
  group_id UUID NOT NULL REFERENCES groups (id) ON DELETE NO ACTION,
  player_id UUID NOT NULL REFERENCES players (id) ON DELETE NO ACTION,
  role VARCHAR(255) NOT NULL DEFAULT 'member',
  joined_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX group_members_group_id_player_id_index ON group_members (group_id, player_id);
CREATE INDEX group_members_player_id_index ON group_members (player_id);

CREATE TABLE chat_messages (
  id UUID PRIMARY KEY,
  channel_type VARCHAR(255) NOT NULL,
  channel_id VARCHAR(256) NOT NULL,  -- channel ids are 1-256 bytes (websocket.md §3)
  sender_id UUID NOT NULL REFERENCES players (id) ON DELETE NO ACTION,
  content TEXT NOT NULL,
  metadata JSONB DEFAULT '{}'::jsonb,
  sent_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX chat_messages_channel_id_index ON chat_messages (channel_id);
CREATE INDEX chat_messages_sender_id_index ON chat_messages (sender_id);
CREATE INDEX chat_messages_sent_at_index ON chat_messages (sent_at);
-- History reads take the newest rows of one channel.
CREATE INDEX chat_messages_channel_id_sent_at_index ON chat_messages (channel_id, sent_at);

CREATE TABLE notifications (
  id UUID PRIMARY KEY,
  player_id UUID NOT NULL REFERENCES players (id) ON DELETE NO ACTION,
  type VARCHAR(255) NOT NULL,
  subject VARCHAR(255) NOT NULL,
  content JSONB DEFAULT '{}'::jsonb,
  read BOOLEAN NOT NULL DEFAULT false,
  sent_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX notifications_player_id_index ON notifications (player_id);
CREATE INDEX notifications_sent_at_index ON notifications (sent_at);
