// Schema gate: start-up work that reads tables waits until the node's migrations completed.
// A node may start on a database that another node (or its own migrator thread) is still
// migrating; work that queries tables at start (persistent worlds...) goes through
// WhenSchemaReady so that it never sees "relation does not exist" (docs/decisions.md
// "Start-up waits for migrations"). State is per shard thread (thread-local): every function
// here acts on the calling shard only.
#pragma once

#include <functional>

namespace asobi {

/// Runs `fn` on the calling shard once the schema is migrated: at once when it already is
/// (the default: no database, or migrations done before this shard started), else from
/// MarkSchemaReady on this shard. Shard thread.
void WhenSchemaReady(std::function<void()> fn);

/// The server's database setup, in its shard init: the migrations are still running, so
/// WhenSchemaReady queues from now on. Shard thread.
void MarkSchemaPending();

/// The migrations completed (posted to each shard by the database setup): runs the queued
/// calls in order; later WhenSchemaReady calls run at once. Shard thread.
void MarkSchemaReady();

/// Drops queued calls without running them (shard teardown). Shard thread.
void ForgetSchemaWaiters();

}  // namespace asobi
