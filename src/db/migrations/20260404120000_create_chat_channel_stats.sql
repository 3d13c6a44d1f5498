-- Per-channel totals for the ops channel list (rest.md §3.14 `/ops/chat/channels`;
-- docs/decisions.md "Ops chat channel list: a maintained summary"). The list used to group all
-- of chat_messages on every page load (1 s at 290,000 rows, growing with the history); it now
-- reads this table, one row per channel, kept exact by statement-level triggers on
-- chat_messages, so every writer (the batched history INSERT, moderation deletes, account
-- erasure) updates it in its own statement and transaction.
CREATE TABLE chat_channel_stats (
  channel_id VARCHAR(256) PRIMARY KEY,
  channel_type VARCHAR(255) NOT NULL,
  messages BIGINT NOT NULL,
  last_message_at TIMESTAMPTZ NOT NULL
);

INSERT INTO chat_channel_stats (channel_id, channel_type, messages, last_message_at)
  SELECT channel_id, min(channel_type), count(*), max(sent_at) FROM chat_messages
  GROUP BY channel_id;

CREATE INDEX chat_channel_stats_last_index ON chat_channel_stats (last_message_at, channel_id);
CREATE INDEX chat_channel_stats_messages_index ON chat_channel_stats (messages, channel_id);
CREATE INDEX chat_channel_stats_id_trgm_index ON chat_channel_stats
  USING gin (channel_id gin_trgm_ops);

-- Rows are upserted in channel_id order, so two shards' batches touching the same channels
-- lock them in the same order (no deadlock).
CREATE FUNCTION chat_channel_stats_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO chat_channel_stats AS s (channel_id, channel_type, messages, last_message_at)
    SELECT channel_id, min(channel_type), count(*), max(sent_at) FROM added
    GROUP BY channel_id ORDER BY channel_id
  ON CONFLICT (channel_id) DO UPDATE
    SET messages = s.messages + excluded.messages,
        last_message_at = greatest(s.last_message_at, excluded.last_message_at);
  RETURN NULL;
END $$;

-- After a delete the channel's newest message is looked up again (index on
-- (channel_id, sent_at)); a channel left without messages loses its row.
CREATE FUNCTION chat_channel_stats_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE chat_channel_stats s SET messages = s.messages - d.n,
      last_message_at = coalesce((SELECT max(m.sent_at) FROM chat_messages m
                                  WHERE m.channel_id = s.channel_id), s.last_message_at)
    FROM (SELECT channel_id, count(*) AS n FROM removed GROUP BY channel_id) d
    WHERE s.channel_id = d.channel_id;
  DELETE FROM chat_channel_stats s WHERE s.messages <= 0
    AND s.channel_id IN (SELECT channel_id FROM removed);
  RETURN NULL;
END $$;

CREATE TRIGGER chat_channel_stats_insert AFTER INSERT ON chat_messages
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION chat_channel_stats_added();
CREATE TRIGGER chat_channel_stats_delete AFTER DELETE ON chat_messages
  REFERENCING OLD TABLE AS removed FOR EACH STATEMENT
  EXECUTE FUNCTION chat_channel_stats_removed();
