#include "game/match/client_matches.h"

namespace asobi::match {

constexpr int64_t kHintIntervalMs = 5000;

const std::string* ClientMatches::Find(const ClientRef& ref) const {
  auto it = match_of_.find(ref);
  return it == match_of_.end() ? nullptr : &it->second;
}

void ClientMatches::Set(const ClientRef& ref, std::string match_id) {
  match_of_[ref] = std::move(match_id);
  if (!remote_node_.empty()) remote_node_.erase(ref);
}

void ClientMatches::SetRemote(const ClientRef& ref, std::string match_id, std::string node) {
  match_of_[ref] = std::move(match_id);
  remote_node_[ref] = std::move(node);
}

const std::string* ClientMatches::RemoteNodeOf(const ClientRef& ref) const {
  if (remote_node_.empty()) return nullptr;
  auto it = remote_node_.find(ref);
  return it == remote_node_.end() ? nullptr : &it->second;
}

std::vector<ClientMatches::RemoteEntry> ClientMatches::RemoteEntries() const {
  std::vector<RemoteEntry> out;
  for (const auto& [ref, node] : remote_node_) {
    auto it = match_of_.find(ref);
    if (it != match_of_.end()) out.push_back(RemoteEntry{ref, it->second, node});
  }
  return out;
}

void ClientMatches::ClearIf(const ClientRef& ref, const std::string& match_id) {
  auto it = match_of_.find(ref);
  if (it != match_of_.end() && it->second == match_id) {
    match_of_.erase(it);
    if (!remote_node_.empty()) remote_node_.erase(ref);
  }
}

std::string ClientMatches::Remove(const ClientRef& ref) {
  last_hint_ms_.erase(ref);
  if (!remote_node_.empty()) remote_node_.erase(ref);
  auto it = match_of_.find(ref);
  if (it == match_of_.end()) return {};
  std::string id = std::move(it->second);
  match_of_.erase(it);
  return id;
}

bool ClientMatches::AllowHint(const ClientRef& ref, int64_t now_ms) {
  auto [it, inserted] = last_hint_ms_.try_emplace(ref, now_ms);
  if (inserted) return true;
  if (now_ms - it->second < kHintIntervalMs) return false;
  it->second = now_ms;
  return true;
}

}  // namespace asobi::match
