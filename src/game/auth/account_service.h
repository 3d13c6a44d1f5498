// AccountService: players, passwords and tokens (rest.md §2, §3.1, §3.2) on top of the shard's
// pipelined PostgreSQL connection. Password hashing runs on the WorkerPool; everything else is
// asynchronous on the shard. One instance per shard; every method and callback runs there.
//
// Error reasons passed to callbacks are rest.md §1.3 codes: auth.username_taken,
// auth.invalid_credentials, unauthenticated, player.not_found, not_ready (database down or
// past its deadline, worker queue full, or a hashing job that waited past its bound),
// internal.
//
// Revocation (docs/decisions.md "Revocation", deviating from rest.md §2.3): access rows carry
// their refresh family, so burning a family (refresh-token reuse, logout by refresh token)
// deletes its access tokens too; every burned access token is evicted from every shard's
// cache and the sockets that authenticated with it get `session_revoked` and close 1008
// (DECISIONS.md wire 5). Cross-shard evictions use Shard::SubmitReplyTo (never dropped).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "db/pg_connection.h"
#include "game/auth/session_cache.h"
#include "game/auth/socket_tokens.h"
#include "game/client.h"
#include "reactor/shard.h"
#include "reactor/worker_pool.h"

namespace asobi {

/// A freshly issued access/refresh pair (rest.md §2.3 "Issue").
struct IssuedTokens {
  std::string player_id;
  std::string username;
  std::string access_token;
  std::string refresh_token;
};

/// Public projection of a players row (rest.md §3.2): JSON object text.
struct PlayerJson {
  std::string json;
};

/// Owned by the shard's database wiring (one per shard); borrows the shard's PgConnection and
/// the node's WorkerPool. Never call across shards (use Shard::SubmitTo).
class AccountService {
 public:
  static constexpr int64_t kAccessTtlMs = 60 * 60 * 1000;            // 60 min
  static constexpr int64_t kRefreshTtlMs = 30LL * 24 * 3600 * 1000;  // 30 days

  /// Construct on the shard's own thread (it registers itself as that shard's service).
  AccountService(Shard& shard, db::PgConnection& db, WorkerPool& workers);
  ~AccountService();
  /// The AccountService of the calling shard thread, or null.
  static AccountService* OnThisShard();

  /// Completion callbacks; each runs exactly once, on this shard (errors: see the header).
  using TokensCb = std::function<void(Result<IssuedTokens>)>;
  using PairCb = std::function<void(Result<IssuedTokens>)>;  // player_id/username empty
  using PlayerCb = std::function<void(Result<std::string>)>;
  using JsonCb = std::function<void(Result<PlayerJson>)>;

  /// Creates a player (+ player_stats row) and issues tokens. Inputs already validated.
  /// `gone` (optional) is set when the client went away: a hashing job not started yet is
  /// then skipped (and `done` gets not_ready, which nobody reads).
  void Register(std::string username, std::string password, std::string display_name, TokensCb done,
                WorkerPool::CancelFlag gone = nullptr);
  /// Verifies the password (argon2id or upstream pbkdf2, re-hashed on success) and issues
  /// tokens. Unknown users cost one dummy verification (timing). `gone` as for Register.
  void Login(std::string username, std::string password, TokensCb done,
             WorkerPool::CancelFlag gone = nullptr);
  /// Single-use refresh (rest.md §2.3 "Refresh"). On reuse the whole family is burned,
  /// access tokens included, and their sockets are revoked.
  void Refresh(std::string refresh_token, PairCb done);
  /// Burns the refresh token's family (access tokens included) and/or the access token:
  /// evicted on every shard, their sockets revoked. Always succeeds from the client's view.
  void Logout(std::optional<std::string> refresh_token, std::optional<std::string> access_token,
              std::function<void()> done);
  /// Resolves an access token to its player id: cache first, then the database. Errors:
  /// unauthenticated (unknown, expired, banned, malformed), not_ready.
  void ResolveAccess(std::string_view access_token, PlayerCb done);

  /// GET /players/:id projection; player.not_found when absent or not a UUID.
  void GetPlayer(const std::string& player_id, JsonCb done);
  /// PUT /players/:id with already-validated fields (nullopt = unchanged).
  void UpdatePlayer(const std::string& player_id, std::optional<std::string> display_name,
                    std::optional<std::optional<std::string>> avatar_url,
                    std::optional<std::string> metadata_json, JsonCb done);

  /// Issues a new access/refresh pair in a new family (guest sign-in, upgrade).
  void IssueTokensFor(std::string player_id, std::string username, TokensCb done);
  /// Forgets every cached token of `player_id` on every shard (upgrade, ban, erase).
  void EvictPlayerEverywhere(const std::string& player_id);

  /// Sends `session_revoked` and closes (1008) every socket of `player_id` on every shard
  /// (DECISIONS.md wire 5), through each shard's revoke hook.
  void RevokeSessionsEverywhere(const std::string& player_id);
  /// Set by the server on each shard: revokes that shard's sockets of a player.
  void SetRevokeHook(std::function<void(const std::string&)> hook) {
    revoke_hook_ = std::move(hook);
  }
  /// Set by the server on each shard: sends `session_revoked` to one socket of this shard and
  /// closes it with 1008 (no-op when it is gone).
  void SetSocketRevoker(std::function<void(const ClientRef&)> revoke) {
    socket_revoker_ = std::move(revoke);
  }

  /// Socket `ref` of this shard authenticated with the access token hashed `token_hash`
  /// (session.connect through DbTokenVerifier).
  void BindSocket(const ClientRef& ref, std::string token_hash) {
    sockets_.Bind(ref, std::move(token_hash));
  }
  /// Socket `ref` of this shard closed.
  void ForgetSocket(const ClientRef& ref) { sockets_.Forget(ref); }
  /// Evicts the access tokens `token_hashes` from every shard's cache and revokes the sockets
  /// bound to them, on every shard (SubmitReplyTo: never dropped).
  void BurnAccessTokensEverywhere(std::vector<std::string> token_hashes);
  /// Runs BurnAccessTokensEverywhere for the access rows among `deleted` (rows of
  /// `user_id, token, context` returned by a DELETE).
  void BurnDeletedRows(const db::PgResult& deleted);

  /// What a clustered node tells the other nodes after a node-wide eviction (issue 16):
  /// `player` for kEvictPlayer/kRevokeSessions, `token_hashes` for kBurnTokens.
  enum class ClusterEvent { kEvictPlayer, kRevokeSessions, kBurnTokens };
  using ClusterPublisher = std::function<void(ClusterEvent, const std::string& player,
                                              const std::vector<std::string>& token_hashes)>;
  /// Set on each shard by the cluster wiring (game/auth/cluster_auth.h); unset: single node.
  void SetClusterPublisher(ClusterPublisher p) { cluster_publisher_ = std::move(p); }
  /// The node-local halves of the *Everywhere calls, run for an event from another node (this
  /// node's shards only, nothing published).
  void EvictPlayerOnNode(const std::string& player_id);
  void RevokeSessionsOnNode(const std::string& player_id);
  void BurnAccessTokensOnNode(std::vector<std::string> token_hashes);

  /// This shard's token cache, socket-token index, the password-hashing pool and the shard.
  SessionCache& cache() { return cache_; }
  const SocketTokens& sockets() const { return sockets_; }
  WorkerPool& workers() { return workers_; }
  Shard& shard() { return shard_; }

 private:
  void IssueTokens(std::string player_id, std::string username, std::string family_id,
                   TokensCb done);
  // On this shard: evicts `token_hashes` and revokes their sockets.
  void BurnLocal(const std::vector<std::string>& token_hashes);

  Shard& shard_;
  db::PgConnection& db_;
  WorkerPool& workers_;
  SessionCache cache_;
  std::function<void(const std::string&)> revoke_hook_;
  std::function<void(const ClientRef&)> socket_revoker_;
  ClusterPublisher cluster_publisher_;
  SocketTokens sockets_;
};

/// Maps a database error to the client-facing reason (not_ready when unreachable).
std::string DbReason(const db::PgError& e);

}  // namespace asobi
