-- Expired-token sweep (docs/decisions.md "Expired token rows"): finds the oldest rows first.
CREATE INDEX player_tokens_inserted_at_index ON player_tokens (inserted_at);
