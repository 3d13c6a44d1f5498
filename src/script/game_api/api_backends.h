// ApiBackends: the per-shard implementations behind the `game.*` namespaces that reach a game
// domain (lua.md §9: economy, leaderboard, notifications, storage, chat, ...). The binding code
// of such a namespace lives here in script/game_api/<domain>.cc and talks to an abstract
// backend interface declared in script/game_api/<domain>_backend.h; the domain in
// game/<domain>/ implements it and installs it on each shard at start-up
// (`ApiBackends::OnThisShard().<domain> = &impl`), so script/ never depends on game/.
//
// A namespace whose backend is null on the calling shard (no database, domain disabled)
// answers every call with `{error = "<namespace> is not available"}`.
#pragma once

namespace asobi::script::game_api {

class EconomyBackend;
class LeaderboardBackend;
class NotifyBackend;
class StorageBackend;
class ChatBackend;
class SeasonBackend;

/// One instance per shard thread. Domains add one pointer member each (forward-declared).
struct ApiBackends {
  /// The calling thread's backends (a shard thread's are set by the domains' start-up steps;
  /// other threads see all null).
  static ApiBackends& OnThisShard() {
    thread_local ApiBackends backends;
    return backends;
  }

  /// game.economy.* (economy_backend.h); set by game/economy.
  EconomyBackend* economy = nullptr;
  /// game.leaderboard.* (leaderboard_backend.h); set by game/leaderboard.
  LeaderboardBackend* leaderboard = nullptr;
  /// game.notify / game.notify_many (notify_backend.h); set by game/notification.
  NotifyBackend* notify = nullptr;
  /// game.storage.* (storage_backend.h); set by game/saves.
  StorageBackend* storage = nullptr;
  /// game.chat.* (chat_backend.h); set by game/chat.
  ChatBackend* chat = nullptr;
  /// game.season.* (season_backend.h); set by game/season.
  SeasonBackend* season = nullptr;
};

}  // namespace asobi::script::game_api
