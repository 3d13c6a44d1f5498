// asobi entry point: parse configuration, wire domains, serve, drain on SIGTERM.
#include <signal.h>
#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>

#include "base/log.h"
#include "game/auth/auth_routes.h"
#include "game/rate_limits.h"
#include "game/season/season_config.h"
#include "game/session/session_handlers.h"
#include "game/session/static_token_verifier.h"
#include "server/cluster_setup.h"
#include "server/console_routes.h"
#include "server/database_setup.h"
#include "server/domains.h"
#include "server/match_setup.h"
#include "server/matchmaker_setup.h"
#include "server/server.h"
#include "server/static_routes.h"

using namespace asobi;

int main(int argc, char** argv) {
  bool help = false;
  Result<Config> cfg = ParseConfig(argc, argv, &help);
  if (help) {
    std::fputs(Usage().c_str(), stdout);
    return 0;
  }
  if (!cfg.ok()) {
    std::fprintf(stderr, "asobi: %s (see --help)\n", cfg.error().message.c_str());
    return 2;
  }
  LogLevel level;
  if (!ParseLogLevel(cfg->log_level, &level)) {
    std::fprintf(stderr, "asobi: bad --log-level %s\n", cfg->log_level.c_str());
    return 2;
  }
  SetLogLevel(level);
  // Signals are taken synchronously by the main thread (sigtimedwait); block them before any
  // thread starts (the logger, the shards, the workers) so every thread inherits the mask. A
  // thread started earlier could take SIGTERM with its default action and kill the process.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);
  // Shard threads never write(2) log lines themselves: one logger thread does (bounded queue;
  // full = drop and count). Flushed at exit and on fatal signals.
  if (cfg->log_queue_lines > 0) {
    StartAsyncLog(size_t(cfg->log_queue_lines));
    std::atexit(StopAsyncLog);
  }

  // Thousands of sockets per shard: raise the descriptor limit to the hard limit.
  rlimit nofile{};
  if (getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < nofile.rlim_max) {
    nofile.rlim_cur = nofile.rlim_max;
    setrlimit(RLIMIT_NOFILE, &nofile);
  }

  std::shared_ptr<const StaticTokenVerifier::Table> dev_tokens;
  if (!cfg->dev_tokens_file.empty()) {
    auto loaded = StaticTokenVerifier::LoadFile(cfg->dev_tokens_file);
    if (!loaded.ok()) {
      LOG_ERROR("cannot load dev tokens").KV("error", loaded.error().message);
      return 2;
    }
    dev_tokens = loaded.value();
    LOG_INFO("dev tokens loaded").KV("count", int64_t(dev_tokens->size()));
  }

  auto limits = RouteRateLimits::Create(cfg->rate_limits);
  if (!limits.ok()) {
    std::fprintf(stderr, "asobi: %s\n", limits.error().message.c_str());
    return 2;
  }
  std::shared_ptr<RouteRateLimits> rate_limits = limits.value();
  if (auto seasons = season::LoadSeasonsFile(cfg->seasons_file); !seasons.ok()) {
    std::fprintf(stderr, "asobi: bad --seasons: %s\n", seasons.error().message.c_str());
    return 2;
  }

  Server server(std::move(cfg.value()));
  ServerShared& shared = server.shared();
  RegisterBuiltinRoutes(shared);
  RegisterSessionHandlers(shared.ws_registry, SessionOptions{shared.config.binary_wire});
  RegisterAuthRoutes(shared.http_api);
  if (!RegisterWebClient(shared)) return 2;
  RegisterConsolePage(shared);
  shared.init_shard = [dev_tokens, rate_limits](ServerShard& shard) {
    shard.game.rate_limits = rate_limits.get();
    if (dev_tokens) shard.game.verifier = std::make_unique<StaticTokenVerifier>(dev_tokens);
  };
  std::unique_ptr<DatabaseSetup> database;
  if (!shared.config.db_host.empty()) {
    database = std::make_unique<DatabaseSetup>(shared);
  } else {
    LOG_WARN("no database configured (ASOBI_DB_HOST): accounts are disabled");
  }
  MatchSetup matches(shared);
  MatchmakerSetup matchmaking(shared, matches);
  if (Status st = SetupCluster(shared); !st.ok()) {
    std::fprintf(stderr, "asobi: %s\n", st.error().message.c_str());
    return 2;
  }
  RegisterDomains(shared);

  Result<uint16_t> port = server.Start();
  if (!port.ok()) return 1;
  matches.StartWatcher();
  server.WaitAndDrain();
  return 0;
}
