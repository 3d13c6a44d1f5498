-- Operator audit trail (rest.md §5); player self-erasure writes one row (rest.md §3.2).
CREATE TABLE ops_audit_entries (
  id UUID PRIMARY KEY,
  actor_id VARCHAR(255) NOT NULL,
  actor_display VARCHAR(255) NOT NULL,
  actor_source VARCHAR(255) NOT NULL,
  actor_attested BOOLEAN NOT NULL DEFAULT false,
  action VARCHAR(255) NOT NULL,
  target_type VARCHAR(255),
  target_id VARCHAR(255),
  outcome VARCHAR(255) NOT NULL,
  succeeded_count INTEGER NOT NULL DEFAULT 0,
  failed_count INTEGER NOT NULL DEFAULT 0,
  details JSONB DEFAULT '{}'::jsonb,
  occurred_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX ops_audit_entries_actor_id_occurred_at_index ON ops_audit_entries (actor_id, occurred_at);
CREATE INDEX ops_audit_entries_action_occurred_at_index ON ops_audit_entries (action, occurred_at);
CREATE INDEX ops_audit_entries_target_id_index ON ops_audit_entries (target_id);
