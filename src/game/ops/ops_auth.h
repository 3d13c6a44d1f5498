// OpsAuth: the credentials of the ops plane (rest.md §2.8, §3.14): the ops secret, minted
// `v1.` tokens and console sessions (cookie `asobi_console` + header `x-csrf-token` equal to
// cookie `asobi_console_csrf`). Player tokens never work. docs/decisions.md "Ops API
// credentials" has the formats and bounds.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "http/http_request.h"

namespace asobi::ops {

/// Who made an ops call (the audit actor, ops_audit_entries actor_* columns) and what it may do.
struct OpsActor {
  std::string id;        // "ops_secret", "token:<label>" or "console:<label>"
  std::string display;   // the label ("ops secret" for the secret)
  std::string source;    // "secret" | "token" | "console"
  uint32_t classes = 0;  // OpsClass mask
};

/// Console sessions open at once (per node in memory, or in the console_sessions table when
/// the node has a database); opening one more drops the one that expires first.
inline constexpr size_t kConsoleSessionsMax = 1024;
/// Lifetime of a console session and its cookies, in seconds (rest.md §3.14).
inline constexpr int64_t kConsoleSessionTtlS = 43200;

/// Node-wide, created once by RegisterOps before the shards start; thread-safe (the session
/// table is behind one mutex, touched only by /console/session and cookie-carrying ops calls).
/// The in-memory session table serves nodes without a database; with one, sessions live in
/// PostgreSQL (ops_console_sessions.h) and Resolve is only used for bearer credentials.
class OpsAuth {
 public:
  /// `secret` empty: every credential is refused. `token_secret` empty: v1 tokens are refused.
  OpsAuth(std::string secret, std::string token_secret, bool console)
      : secret_(std::move(secret)), token_secret_(std::move(token_secret)), console_(console) {}

  /// The node's instance (set by RegisterOps), or null when the ops domain is not registered.
  static OpsAuth* Node();
  static void SetNode(OpsAuth* auth);

  /// The actor of `req`: `Authorization: Bearer <secret|v1 token>`, else (console enabled) the
  /// session cookie with a matching `x-csrf-token`. nullopt = 403 `forbidden`. Any thread.
  std::optional<OpsActor> Resolve(const http::HttpRequest& req, int64_t now_s);

  /// A console session opened with the ops secret: {session id, csrf token}; nullopt when
  /// the secret does not match (or none is set). `label` (≤64 bytes, else cut) names the actor.
  struct NewSession {
    std::string id;
    std::string csrf;
  };
  std::optional<NewSession> OpenSession(std::string_view secret, std::string label, int64_t now_s);
  /// Drops the session of cookie value `session_id` (no-op when unknown).
  void CloseSession(std::string_view session_id);
  /// The actor of a live session `session_id` whose csrf equals `csrf`; nullopt otherwise.
  std::optional<OpsActor> SessionActor(std::string_view session_id, std::string_view csrf,
                                       int64_t now_s);

  /// Fresh random ids for a session (two 256-bit values, hex); stores nothing.
  static NewSession MintIds();
  /// `label` without ASCII control characters, cut to kOpsLabelBytesMax bytes on a UTF-8
  /// boundary; "operator" when that leaves it empty.
  static std::string SessionLabel(std::string label);
  /// SHA-256 hex of `value` (the stored form of a cookie or csrf token).
  static std::string HashHex(std::string_view value);
  /// True when the SHA-256 hex of `given` equals `stored_hash` (constant time).
  static bool HashMatches(std::string_view stored_hash, std::string_view given);

  bool console() const { return console_; }
  bool secret_set() const { return !secret_.empty(); }
  /// True when `given` is the ops secret (constant time; false when none is set).
  bool IsSecret(std::string_view given) const;
  /// Key of minted v1 tokens ("" = minting and v1 tokens are off).
  const std::string& token_secret() const { return token_secret_; }

 private:
  struct Session {
    std::string label;
    std::string csrf;
    int64_t expires_at_s = 0;
  };
  void DropExpiredLocked(int64_t now_s);

  const std::string secret_;
  const std::string token_secret_;
  const bool console_;
  std::mutex mu_;
  std::unordered_map<std::string, Session> sessions_;  // key: SHA-256 hex of the session id
};

/// The value of cookie `name` in a `Cookie` header value ("a=1; b=2"), or nullopt. Pure; any
/// input (network-facing, fuzzed).
std::optional<std::string_view> CookieValue(std::string_view header, std::string_view name);

}  // namespace asobi::ops
