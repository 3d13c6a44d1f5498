#include "server/database_setup.h"

#include <chrono>
#include <cstdlib>

#include "base/log.h"
#include "db/conninfo.h"
#include "db/migrations.h"
#include "db/pg_connection.h"
#include "game/auth/account_service.h"
#include "game/auth/db_token_verifier.h"
#include "game/auth/guest_auth.h"
#include "server/ws_session.h"

namespace asobi {

DatabaseSetup::DatabaseSetup(ServerShared& shared) : shared_(shared) {
  const Config& c = shared.config;
  conninfo_ = db::BuildConninfo(c.db_host, std::atoi(c.db_port.c_str()), c.db_name, c.db_user,
                                c.db_password);
  migrations_dir_ = c.migrations_dir.empty() ? db::DefaultMigrationsDir() : c.migrations_dir;
  workers_ = std::make_unique<WorkerPool>(c.workers, 10, 4096);
  shard_count_ = 256;
  shard_up_ = std::make_unique<std::atomic<bool>[]>(size_t(shard_count_));
  migrator_ = std::thread([this] { MigrateLoop(); });

  std::string conninfo = conninfo_;
  WorkerPool* workers = workers_.get();
  auto guest_config = std::make_shared<GuestConfig>();
  guest_config->enabled = c.guest_auth;
  guest_config->pepper = c.guest_pepper;
  guest_config->unlinked_cap = c.guest_unlinked_cap;
  if (c.guest_auth && c.guest_pepper.size() < 32) {
    LOG_WARN("guest sign-in stays disabled: --guest-pepper must have at least 32 bytes");
  }
  auto guest_limiter = std::make_shared<GuestCreateLimiter>();
  std::atomic<bool>* up = shard_up_.get();
  auto previous = shared.init_shard;
  shared.init_shard = [previous, conninfo, workers, up, guest_config,
                       guest_limiter](ServerShard& s) {
    if (previous) previous(s);
    db::PgConnection::Options opts;
    opts.conninfo = conninfo;
    auto conn = std::make_shared<db::PgConnection>(&s.shard.reactor(), opts);
    conn->Start();
    auto accounts = std::make_shared<AccountService>(s.shard, *conn, *workers);
    auto guest = std::make_shared<GuestAuth>(*accounts, *conn, guest_config, guest_limiter);
    s.game.db = conn.get();
    s.game.accounts = accounts.get();
    s.game.guest = guest.get();
    s.game.verifier = std::make_unique<DbTokenVerifier>(*accounts);
    ServerShard* state = &s;
    accounts->SetRevokeHook([state](const std::string& player_id) {
      state->connections.ForEach([&](TcpConnection& tcp) {
        auto* ws = dynamic_cast<WsSession*>(tcp.handler());
        if (ws == nullptr || ws->player_id() != player_id) return;
        ws->SendError("session_revoked", nullptr, {}, {});
        ws->Close(1008, "session_revoked");
      });
    });
    // Publish this shard's connection state for /ready (read from any shard).
    auto poll_timer = std::make_shared<Reactor::TimerId>(0);
    std::atomic<bool>* mine = &up[s.shard.id()];
    auto poll_fn = std::make_shared<std::function<void()>>();
    *poll_fn = [state, c = conn.get(), mine, poll_timer, weak = std::weak_ptr(poll_fn)] {
      mine->store(c->ready(), std::memory_order_relaxed);
      if (auto fn = weak.lock()) {
        *poll_timer = state->shard.reactor().AddTimer(100, [fn] { (*fn)(); });
      }
    };
    (*poll_fn)();
    s.teardown.push_back([state, conn, accounts, guest, poll_fn, poll_timer]() mutable {
      state->shard.reactor().CancelTimer(*poll_timer);
      state->game.verifier.reset();
      state->game.guest = nullptr;
      state->game.accounts = nullptr;
      state->game.db = nullptr;
      guest.reset();
      accounts.reset();
      conn.reset();
      poll_fn.reset();
    });
  };
  shared.ready = [this] { return Ready(); };
}

DatabaseSetup::~DatabaseSetup() {
  stop_.store(true);
  if (migrator_.joinable()) migrator_.join();
}

bool DatabaseSetup::Ready() const {
  if (!migrated_.load()) return false;
  int n = shared_.shards ? shared_.shards->size() : 0;
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
      migrated_.store(true);
      return;
    }
    LOG_WARN("migrations failed, retrying").KV("error", st.error().message);
    for (int64_t waited = 0; waited < delay_ms && !stop_.load(); waited += 50) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    delay_ms = std::min<int64_t>(delay_ms * 2, 5000);
  }
}

}  // namespace asobi
