// GameShard: the per-shard services game handlers reach (token verifier, database, domains).
// One per shard, created by the server on that shard's thread; later domains add members.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "game/client.h"
#include "game/session/token_verifier.h"
#include "reactor/shard.h"

namespace asobi {

namespace db {
class PgConnection;
}
class AccountService;
struct AuthPosture;
class GuestAuth;
class RouteRateLimits;
namespace economy {
class EconomyService;
}

/// Owned by the shard's ServerShard; every member is used on that shard's thread only. Raw
/// service pointers are non-owning (each domain frees its service in its own teardown).
struct GameShard {
  Shard* shard = nullptr;
  std::unique_ptr<TokenVerifier> verifier;  // null: every session.connect is invalid_token
  db::PgConnection* db = nullptr;           // this shard's connection; null without database
  AccountService* accounts = nullptr;       // null without database
  GuestAuth* guest = nullptr;               // null without database
  /// Registration posture and guest declaration (rest.md §2.6-2.7); node-wide, shared; null
  /// without database (no accounts to create).
  const AuthPosture* auth_posture = nullptr;
  RouteRateLimits* rate_limits = nullptr;  // node-wide, shared; null = unlimited
  /// Wallets ledger, store, inventory (game/economy); null without database.
  economy::EconomyService* economy = nullptr;
  /// Looks up a live client on this shard (null when it disconnected). Set by the server.
  std::function<Client*(const ClientRef&)> find_client;
  /// Delivers one ready text frame (a complete JSON envelope) to every live socket of
  /// `player_id` on every shard of this node, through the player directory (game/directory).
  /// Runs on this shard and returns at once; a player with no socket gets nothing. Null until
  /// the directory domain registers; callers check it.
  std::function<void(std::string_view player_id, std::string_view frame)> send_to_player;
  /// Called, in order, when a WebSocket client of this shard disconnects (domains register
  /// at start-up to drop tickets, leave matches...).
  std::vector<std::function<void(Client&)>> on_client_closed;
  /// Called, in order, after a WebSocket client of this shard authenticated (session.connect
  /// answered session.connected); domains re-attach reconnecting players.
  std::vector<std::function<void(Client&)>> on_client_authenticated;

  /// Registers `fn` to run on this shard's thread during drain, while the reactor still runs:
  /// steps run in reverse order of registration, domains before the database connection they
  /// use. Set by the server; domains call it from their DomainContext start-up step.
  std::function<void(std::function<void()>)> add_teardown;
  /// Calls add_teardown when the server set it; otherwise (unit tests) `fn` is dropped.
  void AddTeardown(std::function<void()> fn) {
    if (add_teardown) add_teardown(std::move(fn));
  }
};

/// The dispatch context a WebSocket handler receives: the client and its shard's services.
struct WsContext {
  Client& client;
  GameShard& game;
};

}  // namespace asobi
