#include "game/world/runtime/world_node.h"

#include <algorithm>

#include "protocol/json_writer.h"

namespace asobi::world {
namespace {

void WriteListingFields(JsonWriter* w, const WorldListing& l) {
  w->Key("world_id");
  w->String(l.world_id);
  w->Key("status");
  w->String(l.status);
  w->Key("player_count");
  w->Int(l.player_count);
  w->Key("max_players");
  w->Int(l.max_players);
  w->Key("mode");
  w->String(l.mode);
  w->Key("grid_size");
  w->Int(l.grid_size);
  w->Key("started_at");
  if (l.started_at_ms < 0) {
    w->Null();
  } else {
    w->Int(l.started_at_ms);
  }
  if (!l.phase_json.empty()) {
    w->Key("phase");
    w->Raw(l.phase_json);
  }
}

}  // namespace

std::string ListingJson(const WorldListing& l) {
  JsonWriter w;
  w.BeginObject();
  WriteListingFields(&w, l);
  w.EndObject();
  return w.Take();
}

std::string JoinedJson(const WorldListing& l) {
  JsonWriter w;
  w.BeginObject();
  WriteListingFields(&w, l);
  w.Key("listed");
  w.Bool(l.listed);
  w.Key("quick_play");
  w.Bool(l.quick_play);
  w.Key("players");
  w.BeginArray();
  for (const std::string& p : l.players) w.String(p);
  w.EndArray();
  w.EndObject();
  return w.Take();
}

std::string WorldNode::CapacityErrorLocked(const std::string& owner_player) const {
  if (int(worlds_.size()) >= options_.world_max) return "world_capacity_reached";
  if (owner_player.empty()) return "";  // persistent worlds re-created at start: no creator
  int owned = 0;
  for (const auto& [id, w] : worlds_) owned += w.owner_player == owner_player ? 1 : 0;
  if (owned >= options_.world_max_per_player) return "player_world_limit_reached";
  return "";
}

std::string WorldNode::CapacityError(const std::string& owner_player) const {
  std::lock_guard<std::mutex> lock(mu_);
  return CapacityErrorLocked(owner_player);
}

std::string WorldNode::Insert(const WorldListing& listing) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string error = CapacityErrorLocked(listing.owner_player);
  if (!error.empty()) return error;
  worlds_[listing.world_id] = listing;
  return "";
}

void WorldNode::Remove(const std::string& world_id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = worlds_.find(world_id);
  if (it == worlds_.end()) return;
  for (const std::string& p : it->second.players) {
    auto pw = player_world_.find(p);
    if (pw != player_world_.end() && pw->second == world_id) player_world_.erase(pw);
  }
  worlds_.erase(it);
}

void WorldNode::Update(const std::string& world_id, const std::string& status,
                       int64_t started_at_ms, const std::vector<std::string>& players) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = worlds_.find(world_id);
  if (it == worlds_.end()) return;
  it->second.status = status;
  it->second.started_at_ms = started_at_ms;
  it->second.players = players;
  it->second.player_count = int(players.size());
}

void WorldNode::UpdatePhase(const std::string& world_id, const std::string& phase_json) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = worlds_.find(world_id);
  if (it != worlds_.end()) it->second.phase_json = phase_json;
}

std::optional<WorldListing> WorldNode::Find(const std::string& world_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = worlds_.find(world_id);
  if (it == worlds_.end()) return std::nullopt;
  return it->second;
}

std::vector<WorldListing> WorldNode::List(const std::optional<std::string>& mode,
                                          bool has_capacity) const {
  std::vector<WorldListing> out;
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [id, w] : worlds_) {
    if (!w.listed || (w.status != "running" && w.status != "loading")) continue;
    if (mode && w.mode != *mode) continue;
    if (has_capacity && w.player_count >= w.max_players) continue;
    out.push_back(w);
  }
  return out;  // std::map: sorted by id
}

std::string WorldNode::FindQuickPlay(std::string_view mode) const {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [id, w] : worlds_) {
    if (w.mode == mode && w.quick_play && w.status == "running" && w.player_count < w.max_players) {
      return id;
    }
  }
  return "";
}

std::string WorldNode::WorldOf(const std::string& player_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = player_world_.find(player_id);
  return it == player_world_.end() ? std::string() : it->second;
}

void WorldNode::SetWorldOf(const std::string& player_id, const std::string& world_id) {
  std::lock_guard<std::mutex> lock(mu_);
  player_world_[player_id] = world_id;
}

void WorldNode::ClearWorldOf(const std::string& player_id, const std::string& expected) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = player_world_.find(player_id);
  if (it != player_world_.end() && it->second == expected) player_world_.erase(it);
}

}  // namespace asobi::world
