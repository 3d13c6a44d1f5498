// ShardMatchHost: MatchHost over a real shard (reactor timers, mailboxes, the shard's clients
// and PostgreSQL connection).
#pragma once

#include "game/game_shard.h"
#include "game/match/match_host.h"

namespace asobi::match {

/// Borrowing adapter; `game` must outlive it. Shard-affine like GameShard.
class ShardMatchHost final : public MatchHost {
 public:
  explicit ShardMatchHost(GameShard& game) : game_(game) {}

  /// MatchHost: forwards to the GameShard: its Shard (mailboxes), Reactor timers, MonoMs/MonoNs,
  /// find_client, db (null without a database) and send_to_player (no-op when unset).
  int shard_id() const override;
  int shard_count() const override;
  int64_t NowMs() override;
  int64_t NowUs() override;
  TimerId AddTimer(int64_t delay_ms, Task fn) override;
  void CancelTimer(TimerId id) override;
  bool SubmitTo(int shard, Task fn) override;
  void SubmitReplyTo(int shard, Task fn) override;
  Client* FindClient(const ClientRef& ref) override;
  db::PgConnection* db() override;
  void SendToPlayer(std::string_view player_id, std::string_view json) override;

 private:
  GameShard& game_;
};

}  // namespace asobi::match
