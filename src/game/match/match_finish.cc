// Match: finishing (lua.md §3 "Finished"), the match record and player stats, destruction, and
// handing queued frames to the shards that hold the recipients.
#include <simdjson.h>

#include "base/clock.h"
#include "base/log.h"
#include "base/uuid.h"
#include "db/pg_connection.h"
#include "game/match/match.h"
#include "game/match/match_service.h"
#include "protocol/json_writer.h"

namespace asobi::match {
namespace {

constexpr db::PgType kU = db::PgType::kUuid;
constexpr db::PgType kV = db::PgType::kVarchar;
constexpr db::PgType kJ = db::PgType::kJsonb;
constexpr db::PgType kTs = db::PgType::kTimestamptz;
constexpr db::PgType kI = db::PgType::kInt4;

const db::Statement kInsertRecord(
    "match_insert_record",
    "INSERT INTO match_records (id, mode, status, players, result, metadata, started_at, "
    "finished_at, inserted_at) VALUES ($1, $2, 'finished', $3, $4, '{}'::jsonb, $5, now(), "
    "now())",
    {kU, kV, kJ, kJ, kTs});
const db::Statement kUpdateStats(
    "match_update_stats",
    "UPDATE player_stats SET games_played = games_played + 1, wins = wins + $2, "
    "losses = losses + $3, updated_at = now() WHERE player_id = $1",
    {kU, kI, kI});

thread_local simdjson::dom::parser t_result_parser;

// Ids named by result.<one> (a string) or result.<many> (a list of strings).
std::vector<std::string> IdsOf(simdjson::dom::element result, const char* one, const char* many) {
  std::vector<std::string> out;
  std::string_view s;
  if (result[one].get(s) == simdjson::SUCCESS) out.emplace_back(s);
  simdjson::dom::array arr;
  if (result[many].get(arr) == simdjson::SUCCESS) {
    for (simdjson::dom::element e : arr) {
      if (e.get(s) == simdjson::SUCCESS) out.emplace_back(s);
    }
  }
  return out;
}

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  for (const std::string& x : v) {
    if (x == s) return true;
  }
  return false;
}

}  // namespace

std::vector<ClientRef> Match::AllClients() const {
  std::vector<ClientRef> out;
  for (const Member& m : roster_) out.insert(out.end(), m.clients.begin(), m.clients.end());
  return out;
}

void Match::Flush() {
  if (outbox_.empty()) return;
  service_.Deliver(outbox_.TakeByShard(id_));
}

void Match::Finish(std::string result_json) {
  if (status_ == MatchStatus::kFinished) return;
  status_ = MatchStatus::kFinished;
  stage_ = TickStage::kIdle;
  UnindexPlayers();
  inputs_.clear();
  MatchHost& host = service_.host();
  if (tick_timer_) host.CancelTimer(tick_timer_);
  if (waiting_timer_) host.CancelTimer(waiting_timer_);
  tick_timer_ = 0;
  AbandonVotes();  // §3 "Finished": open votes are abandoned
  JsonWriter w;
  w.BeginObject();
  w.Key("match_id");
  w.String(id_);
  w.Key("result");
  w.Raw(result_json);
  w.EndObject();
  std::vector<ClientRef> clients = AllClients();
  outbox_.Add(EncodePush("match.finished", w.out()), clients);
  for (const ClientRef& c : clients) outbox_.Detach(c);
  Publish();
  WriteRecord(result_json);
  service_.node().metrics().matches_finished.fetch_add(1, std::memory_order_relaxed);
  LOG_INFO("match finished").KV("match_id", id_).KV("mode", mode_->name);
  Flush();
  waiting_timer_ = host.AddTimer(service_.node().options().finished_linger_ms, [this] {
    waiting_timer_ = 0;
    DestroySoon();
  });
}

void Match::DestroySoon() {
  if (destroying_) return;
  if (status_ != MatchStatus::kFinished) {
    for (const ClientRef& c : AllClients()) outbox_.Detach(c);  // silent end: no frame
  }
  destroying_ = true;
  UnindexPlayers();
  MatchHost& host = service_.host();
  if (tick_timer_) host.CancelTimer(tick_timer_);
  if (waiting_timer_) host.CancelTimer(waiting_timer_);
  tick_timer_ = waiting_timer_ = 0;
  service_.node().directory().Remove(id_);
  Flush();
  service_.ScheduleDestroy(id_);
}

void Match::WriteRecord(const std::string& result_json) {
  db::PgConnection* db = service_.host().db();
  if (db == nullptr) return;
  JsonWriter players;
  players.BeginArray();
  for (const Member& m : roster_) players.String(m.player_id);
  players.EndArray();
  db::Params p;
  p.push_back(db::Param::Uuid(id_));
  p.push_back(db::Param::Text(mode_->name));
  p.push_back(db::Param::Jsonb(players.out()));
  p.push_back(db::Param::Jsonb(result_json));
  p.push_back(started_unix_ms_ > 0 ? db::Param::TimestampMs(started_unix_ms_) : db::Param::Null());
  std::string id = id_;
  db->Execute(kInsertRecord, std::move(p), [id](db::DbResult<db::PgResult> r) {
    if (!r.ok())
      LOG_WARN("match record not written").KV("match_id", id).KV("error", r.error().message);
  });
  simdjson::dom::element result;
  if (t_result_parser.parse(result_json).get(result) != simdjson::SUCCESS) return;
  std::vector<std::string> winners = IdsOf(result, "winner", "winners");
  std::vector<std::string> losers = IdsOf(result, "loser", "losers");
  for (const Member& m : roster_) {
    if (!IsCanonicalUuid(m.player_id)) continue;  // bots and non-players have no stats
    const bool won = Contains(winners, m.player_id);
    const bool lost = Contains(losers, m.player_id) || (!won && !winners.empty() && losers.empty());
    db::Params sp;
    sp.push_back(db::Param::Uuid(m.player_id));
    sp.push_back(db::Param::Int32(won ? 1 : 0));
    sp.push_back(db::Param::Int32(lost ? 1 : 0));
    db->Execute(kUpdateStats, std::move(sp), [](db::DbResult<db::PgResult>) {});
  }
}

}  // namespace asobi::match
