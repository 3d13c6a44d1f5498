#include "game/match/shard_match_host.h"

#include "base/clock.h"

namespace asobi::match {

int ShardMatchHost::shard_id() const { return game_.shard->id(); }
int ShardMatchHost::shard_count() const { return game_.shard->set().size(); }
int64_t ShardMatchHost::NowMs() { return MonoMs(); }
int64_t ShardMatchHost::NowUs() { return MonoNs() / 1000; }

MatchHost::TimerId ShardMatchHost::AddTimer(int64_t delay_ms, Task fn) {
  return game_.shard->reactor().AddTimer(delay_ms, std::move(fn));
}

void ShardMatchHost::CancelTimer(TimerId id) { game_.shard->reactor().CancelTimer(id); }

bool ShardMatchHost::SubmitTo(int shard, Task fn) {
  bool ok = game_.shard->SubmitTo(shard, std::move(fn));
  if (!ok) game_.shard->metrics().mailbox_full.fetch_add(1, std::memory_order_relaxed);
  return ok;
}

void ShardMatchHost::SubmitReplyTo(int shard, Task fn) {
  game_.shard->SubmitReplyTo(shard, std::move(fn));
}

Client* ShardMatchHost::FindClient(const ClientRef& ref) {
  return game_.find_client ? game_.find_client(ref) : nullptr;
}

db::PgConnection* ShardMatchHost::db() { return game_.db; }

void ShardMatchHost::SendToPlayer(std::string_view player_id, std::string_view json) {
  if (game_.send_to_player) game_.send_to_player(player_id, json);
}

}  // namespace asobi::match
