#include "game/auth/socket_tokens.h"

#include <algorithm>

namespace asobi {

void SocketTokens::Bind(const ClientRef& ref, std::string token_hash) {
  Forget(ref);
  by_token_[token_hash].push_back(ref);
  by_ref_.emplace(Key(ref), std::move(token_hash));
}

void SocketTokens::Forget(const ClientRef& ref) {
  auto it = by_ref_.find(Key(ref));
  if (it == by_ref_.end()) return;
  auto t = by_token_.find(it->second);
  if (t != by_token_.end()) {
    std::erase(t->second, ref);
    if (t->second.empty()) by_token_.erase(t);
  }
  by_ref_.erase(it);
}

std::vector<ClientRef> SocketTokens::Find(const std::string& token_hash) const {
  auto it = by_token_.find(token_hash);
  return it == by_token_.end() ? std::vector<ClientRef>() : it->second;
}

}  // namespace asobi
