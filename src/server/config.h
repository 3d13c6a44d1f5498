// Server configuration: command-line flags, each with an environment-variable equivalent
// (upstream names where they exist). Flags win over the environment.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"
#include "net/trusted_proxies.h"

namespace asobi {

/// Most shards a node runs (--shards, and the online-core default, are clamped to it).
inline constexpr int kMaxShards = 256;

/// Every server setting, parsed once at startup (ParseConfig) and then read-only, shared by all
/// shards through ServerShared. Times in ms, sizes in bytes unless a field says otherwise.
struct Config {
  // Network
  std::string host = "0.0.0.0";  // --host, ASOBI_HOST
  uint16_t port = 8080;          // --port, ASOBI_PORT
  int shards = 0;                // --shards, ASOBI_SHARDS (0 = online cores; <= kMaxShards)
  bool pin_shards = true;        // --no-pin, ASOBI_PIN_SHARDS=false
  std::string cors_origin;       // --cors-origins, ASOBI_CORS_ORIGINS
  std::vector<std::string> ws_allowed_origins;  // --ws-allowed-origins, ASOBI_WS_ALLOWED_ORIGINS

  // WebSocket limits (websocket.md §3)
  int ws_msgs_per_window = 60;  // --ws-rate-limit, ASOBI_WS_RATE_LIMIT
  int ws_window_ms = 1000;
  int ws_connects_per_second = 60;      // --ws-connect-limit, ASOBI_WS_CONNECT_LIMIT (per IP)
  int ws_idle_auth_timeout_ms = 10000;  // --ws-idle-auth-timeout-ms, ASOBI_WS_IDLE_AUTH_TIMEOUT_MS
  size_t send_queue_bytes_max = 4u << 20;  // --send-queue-bytes, per connection

  // HTTP
  size_t http_body_bytes_max = 1u << 20;  // rest.md §4.3

  // Database (libpq), upstream env names
  std::string db_host;            // --db-host, ASOBI_DB_HOST (empty = no database)
  std::string db_port = "5432";   // --db-port, ASOBI_DB_PORT
  std::string db_name = "asobi";  // --db-name, ASOBI_DB_NAME
  std::string db_user;            // --db-user, ASOBI_DB_USER
  std::string db_password;        // --db-password, ASOBI_DB_PASSWORD

  std::string migrations_dir;  // --migrations-dir, ASOBI_MIGRATIONS_DIR (default: bundled)
  int workers = 2;             // --workers, ASOBI_WORKERS: blocking-work threads (hashing)
  bool guest_auth = false;     // --guest-auth, ASOBI_GUEST_AUTH (when config.lua has no guest_auth)
  std::string registration;    // --registration, ASOBI_REGISTRATION (open|oauth_only|closed)
  std::string guest_pepper;    // --guest-pepper, ASOBI_GUEST_PEPPER (>= 32 bytes)
  int64_t guest_unlinked_cap = 100000;  // --guest-unlinked-cap, ASOBI_GUEST_UNLINKED_CAP
  std::string rate_limits;  // --rate-limits, ASOBI_RATE_LIMITS ("api=1000/1000,auth=...")

  // Operations
  std::string log_level = "info";  // --log-level, ASOBI_LOG_LEVEL
  int drain_timeout_ms = 30000;    // --drain-timeout-ms, ASOBI_DRAIN_TIMEOUT_MS
  std::string dev_tokens_file;     // --dev-tokens, ASOBI_DEV_TOKENS ("token player_id" lines)
  std::string game_dir;            // --game-dir, ASOBI_GAME_DIR
  std::string static_dir;          // --static-dir, ASOBI_STATIC_DIR

  // Lua matches (lua.md §3, §15, §16; websocket.md §3, §9.2)
  int match_max = 1000;               // --match-max, ASOBI_MATCH_MAX: live matches per node
  bool dev_errors = false;            // --dev-errors, ASOBI_DEV_ERRORS=true|1
  std::string lua_reload = "auto";    // --lua-reload, ASOBI_LUA_RELOAD: auto|off
  bool lua_jit = false;               // --lua-jit, ASOBI_LUA_JIT: on|off (off)
  bool ws_legacy_game_frames = true;  // --ws-legacy-game-frames, ASOBI_WS_LEGACY_GAME_FRAMES

  // Matchmaker and bots (websocket.md §3, §6; rest.md §3.11; lua.md §10)
  int matchmaker_tick_ms = 1000;           // --matchmaker-tick-ms: periodic queue pass
  int64_t matchmaker_max_wait_ms = 60000;  // --matchmaker-max-wait-ms: ticket expiry
  int64_t matchmaker_queue_max = 10000;    // --matchmaker-queue-max: tickets per node
  int bot_fill_ms = 8000;                  // --bot-fill-ms: queue fill with bots

  // Connection caps and close timeout (docs/decisions.md "Connection limits and timeouts")
  int64_t conn_per_ip_max = 256;  // --conn-per-ip-max, ASOBI_CONN_PER_IP_MAX (0 = no cap)
  /// --trusted-proxies, ASOBI_TRUSTED_PROXIES: proxies whose X-Forwarded-For names the client
  /// (net/trusted_proxies.h); empty = none.
  TrustedProxies trusted_proxies;
  int64_t conn_max = 0;          // --conn-max, ASOBI_CONN_MAX (0 = from the fd limit)
  int close_timeout_ms = 10000;  // --close-timeout-ms, ASOBI_CLOSE_TIMEOUT_MS
  // Connection deadlines and HTTP/WebSocket rules (docs/decisions.md "Connection limits and
  // timeouts"; websocket.md §2.3, §3; rest.md §4.3)
  int http_idle_timeout_ms = 5000;      // --http-idle-timeout-ms: no request in progress
  int http_header_timeout_ms = 10000;   // --http-header-timeout-ms: first byte to end of headers
  int http_body_timeout_ms = 30000;     // --http-body-timeout-ms: end of headers to end of body
  int http_request_timeout_ms = 10000;  // --http-request-timeout-ms: handler answer, else 503
  int http_linger_ms = 5000;            // --http-linger-ms: read-and-discard after a close
  int ws_idle_timeout_ms = 60000;       // --ws-idle-timeout-ms: inbound silence once authed
  int ws_rate_limit_close_after = 60;   // --ws-rate-limit-close-after: denials in a row (0 off)
  std::string metrics_token;            // --metrics-token: bearer for /metrics off loopback
  // Operator plane (issue 15; rest.md §2.8, §3.14; docs/decisions.md "Ops API credentials")
  std::string ops_secret;        // --ops-secret: Bearer secret of /ops/* (unset: all 403)
  std::string ops_token_secret;  // --ops-token-secret: HMAC key of minted v1. tokens
  bool console = false;          // --console: serve /console and /console/session
  // Deadlines and housekeeping (issue 10)
  int64_t db_timeout_ms = 3000;       // --db-timeout-ms: every database unit answers by then
  int64_t hash_queue_wait_ms = 2000;  // --hash-queue-wait-ms: hashing job queue wait bound
  int64_t token_sweep_ms = 600000;    // --token-sweep-ms: expired player_tokens sweep (0 off)
  int64_t log_queue_lines = 16384;    // --log-queue-lines: async log sink bound (0 = sync)
  // Lua runaway scripts (issue 10; docs/decisions.md "Lua quarantine", "Node Lua memory")
  int lua_overrun_limit = 3;              // --lua-overrun-limit: overruns before quarantine
  int64_t lua_overrun_window_ms = 30000;  // --lua-overrun-window-ms
  int64_t lua_node_max_bytes = 0;         // --lua-node-max-bytes (0 = half the RAM)
  // Worlds (issue 14; websocket.md §11)
  bool binary_wire = false;  // --binary-wire, ASOBI_BINARY_WIRE: grant binary world.tick
  // In-app purchase verification (rest.md §3.6; docs/decisions.md "IAP verification")
  std::string iap_apple_bundle_id;         // --iap-apple-bundle-id
  std::string iap_apple_root_certs;        // --iap-apple-root-certs: PEM file of trusted roots
  std::string iap_google_package_name;     // --iap-google-package-name
  std::string iap_google_service_account;  // --iap-google-service-account: JSON key file
  std::string iap_google_api_base = "https://androidpublisher.googleapis.com";
  std::string iap_google_token_uri;     // --iap-google-token-uri (default: the key's token_uri)
  int64_t iap_http_timeout_ms = 10000;  // --iap-http-timeout-ms: one provider request
  int iap_workers = 2;                  // --iap-workers: threads for provider verification
  int accepts_per_turn = 32;  // --accepts-per-turn: new connections per reactor turn (0 = no bound)
  // Leaderboards (rest.md §3.7; docs/decisions.md "Leaderboards")
  std::vector<std::string> leaderboard_client_submit;  // --leaderboard-client-submit: ids|all
  int leaderboard_max_boards = 1000;                   // --leaderboard-max-boards: live, per node
  int64_t leaderboard_flush_ms = 30000;                // --leaderboard-flush-ms: flush interval
  int64_t tournament_tick_ms = 1000;  // --tournament-tick-ms: start/end checks (rest.md §3.8)
  int64_t chat_history_buffer_rows = 50000;  // --chat-history-buffer-rows: per shard
  // Votes (issue 13; websocket.md §7.2)
  int vote_veto_tokens = 0;  // --vote-veto-tokens: vetoes per player per match (0 = none)
  // Storage (issue 12; rest.md §3.9 `{storage,false}`, lua.md §9, §18)
  bool storage = true;            // --storage: false = saves/storage off, no game.storage
  int64_t kv_ttl_seconds = 3600;  // --kv-ttl-seconds: game.kv default expiry
  int64_t kv_max_keys = 100000;   // --kv-max-keys: game.kv entries per node
  // OAuth/OIDC sign-in (rest.md §2.8; docs/decisions.md "OAuth")
  std::string oidc_providers;  // --oidc-providers: JSON object by provider (game/oauth)
  int oauth_workers = 2;       // --oauth-workers: threads verifying ID tokens
  std::string steam_api_key;   // --steam-api-key: publisher Web API key ("" = steam off)
  std::string steam_app_id;    // --steam-app-id
  std::string steam_api_base = "https://partner.steam-api.com";  // --steam-api-base
  // Seasons (issue 13; docs/seasons.md)
  std::string seasons_file;       // --seasons: JSON file of the seasons (empty = none)
  int64_t season_tick_ms = 1000;  // --season-tick-ms: start/end checks
  // Cluster (issue 16; src/cluster/README.md, docs/decisions.md "Cluster bus")
  std::string cluster_nats;              // --cluster-nats: NATS URLs ("" = clustering off)
  std::string cluster_node_id;           // --cluster-node-id: unique per node (default: host-pid)
  std::string cluster_nats_user;         // --cluster-nats-user
  std::string cluster_nats_password;     // --cluster-nats-password
  std::string cluster_nats_token;        // --cluster-nats-token
  std::string cluster_prefix = "asobi";  // --cluster-prefix: first subject token
  // --cluster-seat-lease-ms: a dead node's match seats may be taken after this long without
  // its heartbeat (written every lease / 5); docs/decisions.md "Seat claims"
  int64_t cluster_seat_lease_ms = 10000;
};

/// Parses argv and the environment. `help` is set when --help was given (the caller prints
/// Usage() and exits 0). Errors: reason "bad_flag" naming the flag.
Result<Config> ParseConfig(int argc, char** argv, bool* help);

/// The --help text: every flag with its env variable and default.
std::string Usage();

/// The number of shards the server runs: --shards, or one per online core when 0; between 1
/// and kMaxShards.
int ResolvedShardCount(const Config& c);

/// The node-wide connection cap: --conn-max, or when 0 the soft RLIMIT_NOFILE minus a
/// reserve for the server's own descriptors (min(1024, limit / 4)), at least 1.
int64_t ResolvedConnMax(const Config& c);
/// The node-wide Lua memory budget: --lua-node-max-bytes, or half of the physical memory
/// when 0.
size_t ResolvedLuaNodeMaxBytes(const Config& c);

}  // namespace asobi
