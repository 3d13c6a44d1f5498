#include "game/ops/ops_auth.h"

#include <sodium.h>

#include <algorithm>
#include <atomic>

#include "game/ops/ops_token.h"

namespace asobi::ops {
namespace {

std::atomic<OpsAuth*> g_node{nullptr};

std::string RandomHex(size_t bytes) {
  std::string raw(bytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  std::string hex(bytes * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), reinterpret_cast<const unsigned char*>(raw.data()),
                 raw.size());
  hex.pop_back();
  return hex;
}

// The session table is keyed by a hash of the cookie value, so lookup time says nothing
// about the secret part of a guessed cookie.
std::string Key(std::string_view session_id) {
  unsigned char h[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(h, reinterpret_cast<const unsigned char*>(session_id.data()),
                     session_id.size());
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, h, sizeof h);
  return std::string(hex, sizeof hex - 1);
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

OpsAuth* OpsAuth::Node() { return g_node.load(std::memory_order_acquire); }
void OpsAuth::SetNode(OpsAuth* auth) { g_node.store(auth, std::memory_order_release); }

bool OpsAuth::IsSecret(std::string_view given) const { return SecretEquals(secret_, given); }

std::optional<OpsActor> OpsAuth::Resolve(const http::HttpRequest& req, int64_t now_s) {
  if (secret_.empty()) return std::nullopt;  // rest.md §2.8: unset → every ops route 403
  std::string_view auth = req.Header("authorization");
  if (!auth.empty()) {
    if (auth.substr(0, 7) != "Bearer ") return std::nullopt;
    std::string_view given = auth.substr(7);
    if (IsSecret(given)) return OpsActor{"ops_secret", "ops secret", "secret", kAllClasses};
    if (given.substr(0, 3) != "v1.") return std::nullopt;
    std::optional<OpsTokenClaims> c = VerifyOpsToken(token_secret_, given, now_s);
    if (!c) return std::nullopt;
    return OpsActor{"token:" + c->label, c->label, "token", c->classes};
  }
  if (!console_) return std::nullopt;
  std::optional<std::string_view> sid = CookieValue(req.Header("cookie"), "asobi_console");
  std::string_view csrf = req.Header("x-csrf-token");
  if (!sid || csrf.empty()) return std::nullopt;
  return SessionActor(*sid, csrf, now_s);
}

std::optional<OpsAuth::NewSession> OpsAuth::OpenSession(std::string_view secret, std::string label,
                                                        int64_t now_s) {
  if (!IsSecret(secret)) return std::nullopt;
  label = SessionLabel(std::move(label));
  NewSession s = MintIds();
  std::lock_guard<std::mutex> lock(mu_);
  DropExpiredLocked(now_s);
  if (sessions_.size() >= kConsoleSessionsMax) {
    auto first = std::min_element(sessions_.begin(), sessions_.end(), [](auto& a, auto& b) {
      return a.second.expires_at_s < b.second.expires_at_s;
    });
    sessions_.erase(first);
  }
  sessions_[Key(s.id)] = Session{std::move(label), s.csrf, now_s + kConsoleSessionTtlS};
  return s;
}

OpsAuth::NewSession OpsAuth::MintIds() { return NewSession{RandomHex(32), RandomHex(32)}; }

std::string OpsAuth::SessionLabel(std::string label) {
  // Control characters (NUL included: libpq text parameters end at NUL) are dropped.
  label.erase(std::remove_if(label.begin(), label.end(),
                             [](char ch) {
                               auto u = static_cast<unsigned char>(ch);
                               return u < 0x20 || u == 0x7F;
                             }),
              label.end());
  if (label.size() > kOpsLabelBytesMax) {
    size_t n = kOpsLabelBytesMax;
    while (n > 0 && (static_cast<unsigned char>(label[n]) & 0xC0) == 0x80) --n;
    label.resize(n);
  }
  if (label.empty()) label = "operator";
  return label;
}

std::string OpsAuth::HashHex(std::string_view value) { return Key(value); }

bool OpsAuth::HashMatches(std::string_view stored_hash, std::string_view given) {
  std::string h = Key(given);
  return stored_hash.size() == h.size() &&
         sodium_memcmp(stored_hash.data(), h.data(), h.size()) == 0;
}

void OpsAuth::CloseSession(std::string_view session_id) {
  std::string key = Key(session_id);
  std::lock_guard<std::mutex> lock(mu_);
  sessions_.erase(key);
}

std::optional<OpsActor> OpsAuth::SessionActor(std::string_view session_id, std::string_view csrf,
                                              int64_t now_s) {
  std::string key = Key(session_id);
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sessions_.find(key);
  if (it == sessions_.end()) return std::nullopt;
  if (it->second.expires_at_s <= now_s) {
    sessions_.erase(it);
    return std::nullopt;
  }
  const std::string& want = it->second.csrf;
  if (csrf.size() != want.size() || sodium_memcmp(csrf.data(), want.data(), want.size()) != 0) {
    return std::nullopt;
  }
  return OpsActor{"console:" + it->second.label, it->second.label, "console", kAllClasses};
}

void OpsAuth::DropExpiredLocked(int64_t now_s) {
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    it = it->second.expires_at_s <= now_s ? sessions_.erase(it) : std::next(it);
  }
}

std::optional<std::string_view> CookieValue(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    size_t semi = header.find(';');
    std::string_view pair = Trim(header.substr(0, semi));
    size_t eq = pair.find('=');
    if (eq != std::string_view::npos && Trim(pair.substr(0, eq)) == name) {
      std::string_view v = Trim(pair.substr(eq + 1));
      if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
      return v;
    }
    if (semi == std::string_view::npos) break;
    header.remove_prefix(semi + 1);
  }
  return std::nullopt;
}

}  // namespace asobi::ops
