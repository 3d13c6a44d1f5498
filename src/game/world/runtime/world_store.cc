#include "game/world/runtime/world_store.h"

#include "base/clock.h"
#include "base/json_escape.h"
#include "base/log.h"
#include "base/uuid.h"

namespace asobi::world {
namespace {

using db::Param;
using db::PgType;

const db::Statement kUpsertSnapshots(
    "world_zone_snapshots_upsert",
    "INSERT INTO zone_snapshots (id, world_id, zone_x, zone_y, entities, zone_state, tick, "
    "snapshot_at) SELECT r.id, r.w, r.x, r.y, r.e, r.s, r.t, to_timestamp(r.at / 1000.0) "
    "FROM json_to_recordset($1) AS r(id uuid, w uuid, x int, y int, e jsonb, s jsonb, t bigint, "
    "at bigint) WHERE EXISTS (SELECT 1 FROM persistent_worlds p WHERE p.world_id = r.w) "
    "ON CONFLICT (world_id, zone_x, zone_y) DO UPDATE SET entities = EXCLUDED.entities, "
    "zone_state = EXCLUDED.zone_state, tick = EXCLUDED.tick, snapshot_at = EXCLUDED.snapshot_at "
    "WHERE zone_snapshots.snapshot_at <= EXCLUDED.snapshot_at",
    {PgType::kJson});

const db::Statement kRegisterWorld(
    "world_persistent_insert",
    "INSERT INTO persistent_worlds (world_id, mode, inserted_at) VALUES ($1, $2, now()) "
    "ON CONFLICT (world_id) DO NOTHING",
    {PgType::kUuid, PgType::kVarchar});

const db::Statement kForgetWorld("world_persistent_delete",
                                 "DELETE FROM persistent_worlds WHERE world_id = $1",
                                 {PgType::kUuid});

const db::Statement kForgetSnapshots("world_zone_snapshots_delete",
                                     "DELETE FROM zone_snapshots WHERE world_id = $1",
                                     {PgType::kUuid});

const db::Statement kSelectWorlds(
    "world_persistent_select",
    "SELECT world_id::text, mode FROM persistent_worlds ORDER BY inserted_at, world_id");

const db::Statement kSelectZones(
    "world_zone_snapshots_select",
    "SELECT zone_x, zone_y, entities::text, coalesce(zone_state, '{}'::jsonb)::text, tick, "
    "(extract(epoch FROM snapshot_at) * 1000)::bigint FROM zone_snapshots WHERE world_id = $1",
    {PgType::kUuid});

}  // namespace

WorldStore::WorldStore(db::PgConnection& db)
    : db_(db), self_(std::make_shared<WorldStore*>(this)) {}

WorldStore::~WorldStore() { *self_ = nullptr; }

void WorldStore::Save(const std::string& world_id, ZoneSnapshot snapshot) {
  const Key key{world_id, snapshot.key.x, snapshot.key.y};
  pending_[key] = std::move(snapshot);
  if (!in_flight_) SendBatch();
}

void WorldStore::SendBatch() {
  if (pending_.empty()) {
    std::vector<std::function<void()>> waiters = std::move(flush_waiters_);
    flush_waiters_.clear();
    for (auto& w : waiters) w();
    return;
  }
  std::map<Key, ZoneSnapshot> batch;
  std::string rows(1, '[');
  while (!pending_.empty() && batch.size() < kMaxBatchRows) {
    auto node = pending_.extract(pending_.begin());
    const ZoneSnapshot& s = node.mapped();
    if (batch.size() > 0) rows.push_back(',');
    rows.append(R"({"id":)");
    AppendJsonString(&rows, NewUuidV7());
    rows.append(R"(,"w":)");
    AppendJsonString(&rows, std::get<0>(node.key()));
    rows.append(R"(,"x":)");
    rows.append(std::to_string(s.key.x));
    rows.append(R"(,"y":)");
    rows.append(std::to_string(s.key.y));
    rows.append(R"(,"e":)");
    rows.append(s.entities_json);
    rows.append(R"(,"s":)");
    rows.append(s.zone_state_json);
    rows.append(R"(,"t":)");
    rows.append(std::to_string(s.tick));
    rows.append(R"(,"at":)");
    rows.append(std::to_string(s.at_ms));
    rows.push_back('}');
    batch.insert(std::move(node));
  }
  rows.push_back(']');
  in_flight_ = true;
  std::weak_ptr<WorldStore*> weak = self_;
  db_.Execute(kUpsertSnapshots, {Param::Json(rows)},
              [weak, batch = std::move(batch)](db::DbResult<db::PgResult> r) mutable {
                auto self = weak.lock();
                if (!self || *self == nullptr) return;
                if (!r.ok()) {
                  const int64_t now = MonoMs();
                  if (now - (*self)->failure_log_ms_ >= 1000) {
                    (*self)->failure_log_ms_ = now;
                    LOG_WARN("zone snapshots not written")
                        .KV("reason", r.error().reason)
                        .KV("message", r.error().message);
                  }
                }
                (*self)->BatchDone(std::move(batch), r.ok());
              });
}

void WorldStore::BatchDone(std::map<Key, ZoneSnapshot> sent, bool ok) {
  in_flight_ = false;
  if (!ok) {
    // Back to the queue unless a newer snapshot of that zone arrived meanwhile; sent with the
    // next Save (or Flush), not retried in a loop against a database that is down.
    for (auto& [key, snap] : sent) pending_.emplace(key, std::move(snap));
    std::vector<std::function<void()>> waiters = std::move(flush_waiters_);
    flush_waiters_.clear();
    for (auto& w : waiters) w();
    return;
  }
  SendBatch();
}

void WorldStore::Flush(std::function<void()> done) {
  if (!in_flight_ && pending_.empty()) return done();
  flush_waiters_.push_back(std::move(done));
  if (!in_flight_) SendBatch();
}

void WorldStore::RegisterWorld(const std::string& world_id, const std::string& mode) {
  db_.Execute(kRegisterWorld, {Param::Uuid(world_id), Param::Text(mode)},
              [world_id](db::DbResult<db::PgResult> r) {
                if (!r.ok()) {
                  LOG_WARN("persistent world not recorded")
                      .KV("world", world_id)
                      .KV("reason", r.error().reason);
                }
              });
}

void WorldStore::ForgetWorld(const std::string& world_id) {
  std::vector<db::StatementCall> calls;
  calls.push_back({&kForgetWorld, {Param::Uuid(world_id)}});
  calls.push_back({&kForgetSnapshots, {Param::Uuid(world_id)}});
  db_.ExecuteTransaction(std::move(calls), [world_id](db::DbResult<std::vector<db::PgResult>> r) {
    if (!r.ok()) {
      LOG_WARN("persistent world not forgotten")
          .KV("world", world_id)
          .KV("reason", r.error().reason);
    }
  });
}

void WorldStore::LoadWorlds(
    std::function<void(std::vector<std::pair<std::string, std::string>>)> done) {
  db_.Execute(kSelectWorlds, {}, [done = std::move(done)](db::DbResult<db::PgResult> r) {
    std::vector<std::pair<std::string, std::string>> out;
    if (!r.ok()) {
      LOG_WARN("persistent worlds not loaded").KV("reason", r.error().reason);
      return done(std::move(out));
    }
    for (int i = 0; i < r->rows(); ++i) {
      out.emplace_back(std::string(r->GetString(i, 0)), std::string(r->GetString(i, 1)));
    }
    done(std::move(out));
  });
}

void WorldStore::LoadZones(const std::string& world_id,
                           std::function<void(bool, std::vector<ZoneSnapshot>)> done) {
  db_.Execute(
      kSelectZones, {Param::Uuid(world_id)},
      [done = std::move(done)](db::DbResult<db::PgResult> r) {
        std::vector<ZoneSnapshot> out;
        if (!r.ok()) return done(false, std::move(out));
        for (int i = 0; i < r->rows(); ++i) {
          ZoneSnapshot s;
          s.key = ZoneKey{int(r->GetInt64(i, 0).value_or(0)), int(r->GetInt64(i, 1).value_or(0))};
          s.entities_json = std::string(r->GetString(i, 2));
          s.zone_state_json = std::string(r->GetString(i, 3));
          s.tick = uint64_t(r->GetInt64(i, 4).value_or(0));
          s.at_ms = r->GetInt64(i, 5).value_or(0);
          out.push_back(std::move(s));
        }
        done(true, std::move(out));
      });
}

}  // namespace asobi::world
