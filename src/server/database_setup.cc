#include "server/database_setup.h"

#include <chrono>
#include <cstdlib>

#include "base/log.h"
#include "db/conninfo.h"
#include "db/migrations.h"
#include "db/pg_connection.h"
#include "game/auth/account_service.h"
#include "game/auth/auth_posture.h"
#include "game/auth/db_token_verifier.h"
#include "game/auth/guest_auth.h"
#include "game/auth/token_sweeper.h"
#include "game/modes/mode_registry.h"
#include "game/schema_gate.h"
#include "server/ws_session.h"

namespace asobi {
namespace {

// Health probe through each shard's pipeline: /ready and /health see a stall within
// kPingStallMs + kPingIntervalMs + kPublishMs (< 2 s).
constexpr int64_t kPingIntervalMs = 250;
constexpr int64_t kPingStallMs = 1000;
constexpr int64_t kPublishMs = 100;
// The expired-token sweep (one shard): rows per batch, batches per run.
constexpr int64_t kSweepBatchRows = 1000;
constexpr int kSweepBatchesPerRun = 10;

// Sends session_revoked and closes with 1008 (DECISIONS.md wire 5).
void RevokeSocket(WsSession& ws) {
  ws.SendError("session_revoked", nullptr, {}, {});
  ws.Close(1008, "session_revoked");
}

// Everything one shard owns for the database, torn down together on that shard.
struct ShardDb {
  std::unique_ptr<db::PgConnection> conn;
  std::unique_ptr<AccountService> accounts;
  std::unique_ptr<GuestAuth> guest;
  std::unique_ptr<TokenSweeper> sweeper;
  Reactor::TimerId publish_timer = 0;
};

// Publishes the shard's database state for /ready (read from any shard) every kPublishMs.
void Publish(ServerShard* state, ShardDb* sdb, std::atomic<bool>* up, DbShardGauges* g) {
  up->store(sdb->conn->responsive(), std::memory_order_relaxed);
  const db::PgConnectionStats& st = sdb->conn->stats();
  constexpr auto relaxed = std::memory_order_relaxed;
  g->pending_statements.store(sdb->conn->pending_statements(), relaxed);
  g->statements_sent.store(st.statements_sent, relaxed);
  g->batches_sent.store(st.batches_sent, relaxed);
  g->timeouts.store(st.timeouts, relaxed);
  g->overloaded.store(st.overloaded, relaxed);
  g->connection_losses.store(st.connection_losses, relaxed);
  sdb->publish_timer = state->shard.reactor().AddTimer(
      kPublishMs, [state, sdb, up, g] { Publish(state, sdb, up, g); });
}

}  // namespace

DatabaseSetup::DatabaseSetup(ServerShared& shared) : shared_(shared) {
  const Config& c = shared.config;
  int port = std::atoi(c.db_port.c_str());
  // The migrator connects with blocking libpq calls: bound them so that shutdown (which
  // joins it) cannot hang on a server that accepts but never answers.
  conninfo_ = db::BuildConninfo(c.db_host, port, c.db_name, c.db_user, c.db_password) +
              " connect_timeout='5'";
  migrations_dir_ = c.migrations_dir.empty() ? db::DefaultMigrationsDir() : c.migrations_dir;
  WorkerPool::Options wo;
  wo.threads = c.workers;
  wo.nice = 10;
  wo.queue_max = 4096;
  wo.queue_wait_max_ms = c.hash_queue_wait_ms;
  workers_ = std::make_unique<WorkerPool>(wo);
  shard_count_ = ResolvedShardCount(c);
  shard_up_ = std::make_unique<std::atomic<bool>[]>(size_t(shard_count_));
  migrator_ = std::thread([this] { MigrateLoop(); });

  // Every session bounds its statements on the server side a little inside the client-side
  // deadline, so that a stall usually ends there first, with a known outcome (db_timeout).
  std::string shard_conninfo =
      db::BuildConninfo(c.db_host, port, c.db_name, c.db_user, c.db_password,
                        db::SessionTimeoutOptions(c.db_timeout_ms * 3 / 4, c.db_timeout_ms / 2));
  int64_t deadline_ms = c.db_timeout_ms;
  int64_t sweep_ms = c.token_sweep_ms;
  WorkerPool* workers = workers_.get();
  auto posture = std::make_shared<AuthPosture>();
  posture->operator_registration = c.registration;
  posture->operator_guest_auth = c.guest_auth;
  ServerShared* shared_ptr = &shared;
  posture->game = [shared_ptr]() {
    GameAuthSettings settings;
    if (shared_ptr->modes == nullptr) return settings;
    std::shared_ptr<const modes::ModeSet> set = shared_ptr->modes->Current();
    if (set == nullptr) return settings;
    settings.guest_auth = set->guest_auth;
    settings.registration = set->registration;
    return settings;
  };
  auto guest_config = std::make_shared<GuestConfig>();
  guest_config->posture = posture;
  guest_config->pepper = c.guest_pepper;
  guest_config->unlinked_cap = c.guest_unlinked_cap;
  auto guest_limiter = std::make_shared<GuestCreateLimiter>();
  std::atomic<bool>* up = shard_up_.get();
  gauges_ = std::make_unique<DbShardGauges[]>(size_t(shard_count_));
  DbShardGauges* gauges = gauges_.get();
  shared.metrics_writers.push_back([this](std::string* out) { WriteMetrics(out); });
  int shard_count = shard_count_;
  auto previous = shared.init_shard;
  std::shared_ptr<SchemaWatch> schema = schema_;
  shared.init_shard = [previous, shard_conninfo, deadline_ms, sweep_ms, workers, up, shard_count,
                       guest_config, guest_limiter, posture, gauges, schema](ServerShard& s) {
    if (previous) previous(s);
    CHECK(s.shard.id() < shard_count);
    // The game's config.lua is loaded by now (MatchSetup runs before the shards start).
    if (s.shard.id() == 0 && posture->GuestAuthDeclared() && guest_config->pepper.size() < 32) {
      LOG_WARN("guest sign-in stays disabled: --guest-pepper must have at least 32 bytes");
    }
    auto sdb = std::make_shared<ShardDb>();
    db::PgConnection::Options opts;
    opts.conninfo = shard_conninfo;
    opts.deadline_ms = deadline_ms;
    opts.ping_interval_ms = kPingIntervalMs;
    opts.ping_stall_ms = kPingStallMs;
    sdb->conn = std::make_unique<db::PgConnection>(&s.shard.reactor(), opts);
    sdb->conn->Start();
    sdb->accounts = std::make_unique<AccountService>(s.shard, *sdb->conn, *workers);
    sdb->guest =
        std::make_unique<GuestAuth>(*sdb->accounts, *sdb->conn, guest_config, guest_limiter);
    if (s.shard.id() == 0 && sweep_ms > 0) {
      sdb->sweeper = std::make_unique<TokenSweeper>(
          s.shard.reactor(), *sdb->conn,
          TokenSweeper::Options{sweep_ms, kSweepBatchRows, kSweepBatchesPerRun});
    }
    s.game.db = sdb->conn.get();
    s.game.accounts = sdb->accounts.get();
    s.game.guest = sdb->guest.get();
    s.game.auth_posture = posture.get();
    s.game.verifier = std::make_unique<DbTokenVerifier>(*sdb->accounts);
    ServerShard* state = &s;
    sdb->accounts->SetRevokeHook([state](const std::string& player_id) {
      state->connections.ForEach([&](TcpConnection& tcp) {
        auto* ws = dynamic_cast<WsSession*>(tcp.handler());
        if (ws != nullptr && ws->player_id() == player_id) RevokeSocket(*ws);
      });
    });
    sdb->accounts->SetSocketRevoker([state](const ClientRef& ref) {
      TcpConnection* tcp = state->connections.Find(ConnId{ref.index, ref.gen});
      auto* ws = tcp ? dynamic_cast<WsSession*>(tcp->handler()) : nullptr;
      if (ws != nullptr) RevokeSocket(*ws);
    });
    s.game.on_client_closed.push_back([](Client& client) {
      if (AccountService* a = AccountService::OnThisShard()) a->ForgetSocket(client.ref());
    });
    Publish(state, sdb.get(), &up[s.shard.id()], &gauges[s.shard.id()]);
    {
      // Start-up reads of tables wait for the migrations (game/schema_gate.h).
      std::lock_guard<std::mutex> lock(schema->mu);
      if (!schema->migrated) {
        MarkSchemaPending();
        schema->waiting.push_back(state);
      }
    }
    s.teardown.push_back([state, sdb, schema]() mutable {
      {
        std::lock_guard<std::mutex> lock(schema->mu);
        std::erase(schema->waiting, state);
      }
      ForgetSchemaWaiters();
      // The worker pool was shut down before this runs (before_stop), so no hashing result
      // can still arrive for these services.
      state->shard.reactor().CancelTimer(sdb->publish_timer);
      state->game.verifier.reset();
      state->game.guest = nullptr;
      state->game.auth_posture = nullptr;
      state->game.accounts = nullptr;
      state->game.db = nullptr;
      sdb->sweeper.reset();
      // Fails what is queued or in flight now, while the services its callbacks use are alive;
      // free those once the failures it posted (Execute after close) have run.
      sdb->conn.reset();
      state->shard.reactor().Post([sdb = std::move(sdb)]() mutable {
        sdb->guest.reset();
        sdb->accounts.reset();
        sdb.reset();
      });
    });
  };
  shared.ready = [this] { return Ready(); };
  // Drain: stop the hashing workers before the shards tear their services down (their
  // results capture those services).
  auto previous_stop = shared.before_stop;
  shared.before_stop = [previous_stop, workers] {
    if (previous_stop) previous_stop();
    workers->Shutdown();
  };
}

DatabaseSetup::~DatabaseSetup() {
  stop_.store(true);
  if (migrator_.joinable()) migrator_.join();
}

bool DatabaseSetup::Ready() const {
  if (!migrated_.load()) return false;
  int n = shared_.shards ? shared_.shards->size() : 0;
  if (n > shard_count_) return false;
  for (int i = 0; i < n; ++i) {
    if (!shard_up_[size_t(i)].load(std::memory_order_relaxed)) return false;
  }
  return n > 0;
}

void DatabaseSetup::MigrateLoop() {
  int64_t delay_ms = 200;
  while (!stop_.load()) {
    int applied = 0;
    Status st = db::RunMigrations(conninfo_, migrations_dir_, &applied);
    if (st.ok()) {
      LOG_INFO("migrations applied").KV("applied", applied).KV("dir", migrations_dir_);
      AnnounceSchema();
      return;
    }
    LOG_WARN("migrations failed, retrying").KV("error", st.error().message);
    for (int64_t waited = 0; waited < delay_ms && !stop_.load(); waited += 50) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    delay_ms = std::min<int64_t>(delay_ms * 2, 5000);
  }
}

void DatabaseSetup::AnnounceSchema() {
  std::lock_guard<std::mutex> lock(schema_->mu);
  schema_->migrated = true;
  migrated_.store(true);
  // A shard in this list has not torn down yet (its teardown removes it under the mutex), so
  // its reactor still runs.
  for (ServerShard* s : schema_->waiting) {
    s->shard.PostFromAnyThread([] { MarkSchemaReady(); });
  }
  schema_->waiting.clear();
}

void DatabaseSetup::WriteMetrics(std::string* out) const {
  struct Row {
    const char* name;
    const char* type;
    const char* help;
    const std::atomic<uint64_t> DbShardGauges::*field;
  };
  static const Row kRows[] = {
      {"asobi_db_pending_statements", "gauge",
       "Statements queued or in flight on the shard's pipelined connection (pipeline depth).",
       &DbShardGauges::pending_statements},
      {"asobi_db_statements_sent_total", "counter", "Statements sent to PostgreSQL.",
       &DbShardGauges::statements_sent},
      {"asobi_db_batches_sent_total", "counter",
       "Pipeline batches sent (statements_sent / batches_sent = mean batch size).",
       &DbShardGauges::batches_sent},
      {"asobi_db_timeouts_total", "counter", "Database calls failed with db_timeout.",
       &DbShardGauges::timeouts},
      {"asobi_db_overloaded_total", "counter", "Database calls refused with db_overloaded.",
       &DbShardGauges::overloaded},
      {"asobi_db_connection_losses_total", "counter", "Established connections lost.",
       &DbShardGauges::connection_losses},
  };
  for (const Row& row : kRows) {
    *out += std::string("# HELP ") + row.name + " " + row.help + "\n# TYPE " + row.name + " " +
            row.type + "\n";
    for (int i = 0; i < shard_count_; ++i) {
      *out += std::string(row.name) + "{shard=\"" + std::to_string(i) + "\"} " +
              std::to_string((gauges_[size_t(i)].*row.field).load(std::memory_order_relaxed)) +
              "\n";
    }
  }
}

}  // namespace asobi
