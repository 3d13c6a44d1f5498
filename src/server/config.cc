#include "server/config.h"

#include <sys/resource.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <functional>
#include <sstream>
#include <string_view>

#include "net/tcp_connection.h"

namespace asobi {
namespace {

struct Flag {
  const char* name;  // without leading dashes
  const char* env;
  const char* help;
  bool takes_value;
  std::function<bool(Config&, const std::string&)> set;
};

bool ParseInt(const std::string& v, int64_t lo, int64_t hi, int64_t* out) {
  if (v.empty()) return false;
  char* end = nullptr;
  long long n = std::strtoll(v.c_str(), &end, 10);
  if (*end != '\0' || n < lo || n > hi) return false;
  *out = n;
  return true;
}

template <typename T>
std::function<bool(Config&, const std::string&)> IntField(T Config::*field, int64_t lo,
                                                          int64_t hi) {
  return [field, lo, hi](Config& c, const std::string& v) {
    int64_t n;
    if (!ParseInt(v, lo, hi, &n)) return false;
    c.*field = T(n);
    return true;
  };
}

std::function<bool(Config&, const std::string&)> StrField(std::string Config::*field) {
  return [field](Config& c, const std::string& v) {
    c.*field = v;
    return true;
  };
}

// A flag without value sets true; with a value, "true"/"1" set true and anything else false.
std::function<bool(Config&, const std::string&)> BoolField(bool Config::*field) {
  return [field](Config& c, const std::string& v) {
    c.*field = v.empty() || v == "1" || v == "true";
    return true;
  };
}

std::vector<std::string> SplitList(const std::string& v) {
  std::vector<std::string> out;
  std::stringstream ss(v);
  std::string item;
  while (std::getline(ss, item, ',')) {
    size_t a = item.find_first_not_of(' '), b = item.find_last_not_of(' ');
    if (a != std::string::npos) out.push_back(item.substr(a, b - a + 1));
  }
  return out;
}

const std::vector<Flag>& Flags() {
  static const std::vector<Flag> flags = {
      {"host", "ASOBI_HOST", "listen address (default 0.0.0.0)", true, StrField(&Config::host)},
      {"port", "ASOBI_PORT", "listen port (default 8080; 0 = any free port)", true,
       IntField(&Config::port, 0, 65535)},
      {"shards", "ASOBI_SHARDS", "shard threads (default: one per online core)", true,
       IntField(&Config::shards, 0, kMaxShards)},
      {"no-pin", "ASOBI_NO_PIN", "do not pin shard threads to cores", false,
       [](Config& c, const std::string& v) {
         c.pin_shards = !(v.empty() || v == "1" || v == "true");
         return true;
       }},
      {"cors-origins", "ASOBI_CORS_ORIGINS", "Access-Control-Allow-Origin value (unset: none)",
       true, StrField(&Config::cors_origin)},
      {"ws-allowed-origins", "ASOBI_WS_ALLOWED_ORIGINS",
       "comma-separated WebSocket Origin allowlist (unset: any)", true,
       [](Config& c, const std::string& v) {
         c.ws_allowed_origins = SplitList(v);
         return true;
       }},
      {"ws-rate-limit", "ASOBI_WS_RATE_LIMIT", "inbound WebSocket messages per second (60)", true,
       IntField(&Config::ws_msgs_per_window, 1, 1000000)},
      {"ws-connect-limit", "ASOBI_WS_CONNECT_LIMIT", "WebSocket upgrades per second per IP (60)",
       true, IntField(&Config::ws_connects_per_second, 1, 100000000)},
      {"ws-idle-auth-timeout-ms", "ASOBI_WS_IDLE_AUTH_TIMEOUT_MS",
       "ms to authenticate a new WebSocket (10000)", true,
       IntField(&Config::ws_idle_auth_timeout_ms, 1, 3600000)},
      {"send-queue-bytes", "ASOBI_SEND_QUEUE_BYTES",
       "per-connection send queue bound in bytes (4194304; 4096..1073741824)", true,
       IntField(&Config::send_queue_bytes_max, 4096, int64_t(TcpConnection::kSendQueueBytesLimit))},
      {"db-host", "ASOBI_DB_HOST", "PostgreSQL host or socket dir (unset: no database)", true,
       StrField(&Config::db_host)},
      {"db-port", "ASOBI_DB_PORT", "PostgreSQL port (5432)", true, StrField(&Config::db_port)},
      {"db-name", "ASOBI_DB_NAME", "PostgreSQL database (asobi)", true, StrField(&Config::db_name)},
      {"db-user", "ASOBI_DB_USER", "PostgreSQL user", true, StrField(&Config::db_user)},
      {"db-password", "ASOBI_DB_PASSWORD", "PostgreSQL password", true,
       StrField(&Config::db_password)},
      {"migrations-dir", "ASOBI_MIGRATIONS_DIR", "schema migrations directory (bundled)", true,
       StrField(&Config::migrations_dir)},
      {"workers", "ASOBI_WORKERS", "threads for blocking work such as password hashing (2)", true,
       IntField(&Config::workers, 1, 64)},
      {"registration", "ASOBI_REGISTRATION",
       "open|oauth_only|closed: who may create accounts; wins over the game's config.lua", true,
       StrField(&Config::registration)},
      {"guest-auth", "ASOBI_GUEST_AUTH",
       "allow guest/device sign-in when config.lua has no guest_auth (needs --guest-pepper)", false,
       [](Config& c, const std::string& v) {
         c.guest_auth = v.empty() || v == "1" || v == "true";
         return true;
       }},
      {"guest-pepper", "ASOBI_GUEST_PEPPER", "secret (>= 32 bytes) keying guest verifiers", true,
       StrField(&Config::guest_pepper)},
      {"guest-unlinked-cap", "ASOBI_GUEST_UNLINKED_CAP", "max guests without a password (100000)",
       true, IntField(&Config::guest_unlinked_cap, 0, int64_t(1) << 40)},
      {"rate-limits", "ASOBI_RATE_LIMITS",
       "REST limits per group, e.g. 'api=300/1000,auth=5/1000,register=3/1000' (count/ms)", true,
       StrField(&Config::rate_limits)},
      {"log-level", "ASOBI_LOG_LEVEL", "debug|info|warn|error (info)", true,
       StrField(&Config::log_level)},
      {"drain-timeout-ms", "ASOBI_DRAIN_TIMEOUT_MS",
       "ms a SIGTERM/SIGINT drain waits for live matches, then sockets (30000)", true,
       IntField(&Config::drain_timeout_ms, 0, 600000)},
      {"dev-tokens", "ASOBI_DEV_TOKENS",
       "file of 'token player_id' lines accepted by session.connect (benchmarks, tests)", true,
       StrField(&Config::dev_tokens_file)},
      {"game-dir", "ASOBI_GAME_DIR", "Lua game directory (default: bundled lua/)", true,
       StrField(&Config::game_dir)},
      {"match-max", "ASOBI_MATCH_MAX", "live Lua matches per node (1000)", true,
       IntField(&Config::match_max, 1, 10000000)},
      {"dev-errors", "ASOBI_DEV_ERRORS", "send module.error frames for failing inputs (dev only)",
       false, BoolField(&Config::dev_errors)},
      {"lua-reload", "ASOBI_LUA_RELOAD", "Lua hot reload: auto|off (auto)", true,
       [](Config& c, const std::string& v) {
         c.lua_reload = v == "off" ? "off" : "auto";  // lua.md §16: unrecognised = auto
         return true;
       }},
      {"lua-jit", "ASOBI_LUA_JIT",
       "LuaJIT trace compiler in match and bot states: on|off (off: the interpreter is "
       "cheaper for thousands of small states, bench/README.md)",
       true,
       [](Config& c, const std::string& v) {
         if (v != "on" && v != "off") return false;
         c.lua_jit = v == "on";
         return true;
       }},
      {"ws-legacy-game-frames", "ASOBI_WS_LEGACY_GAME_FRAMES",
       "true|false: send game.message/game.error before module.* (true)", true,
       [](Config& c, const std::string& v) {
         c.ws_legacy_game_frames = !(v == "false" || v == "0");
         return true;
       }},
      {"static-dir", "ASOBI_STATIC_DIR", "directory served at / (default: bundled web page)", true,
       StrField(&Config::static_dir)},
      {"matchmaker-tick-ms", "ASOBI_MATCHMAKER_TICK_MS",
       "ms between periodic matchmaker passes (1000)", true,
       IntField(&Config::matchmaker_tick_ms, 1, 60000)},
      {"matchmaker-max-wait-ms", "ASOBI_MATCHMAKER_MAX_WAIT_MS",
       "ms a matchmaker ticket may wait before it expires (60000)", true,
       IntField(&Config::matchmaker_max_wait_ms, 1, int64_t(1) << 40)},
      {"matchmaker-queue-max", "ASOBI_MATCHMAKER_QUEUE_MAX",
       "pending matchmaker tickets per node (10000)", true,
       IntField(&Config::matchmaker_queue_max, 0, int64_t(1) << 40)},
      {"bot-fill-ms", "ASOBI_BOT_FILL_MS", "ms between bot queue fills (8000; 0 = off)", true,
       IntField(&Config::bot_fill_ms, 0, 3600000)},
      {"conn-per-ip-max", "ASOBI_CONN_PER_IP_MAX",
       "concurrent connections per client address (IPv6: per /64), refused at accept beyond "
       "(256; 0 = no cap)",
       true, IntField(&Config::conn_per_ip_max, 0, 100000000)},
      {"trusted-proxies", "ASOBI_TRUSTED_PROXIES",
       "comma-separated addresses/CIDR blocks of load balancers whose X-Forwarded-For names "
       "the client; exempt from --conn-per-ip-max (unset: none)",
       true,
       [](Config& c, const std::string& v) {
         Result<TrustedProxies> t = TrustedProxies::Parse(v);
         if (!t.ok()) return false;
         c.trusted_proxies = std::move(t.value());
         return true;
       }},
      {"conn-max", "ASOBI_CONN_MAX",
       "concurrent connections per node, refused at accept beyond (0 = file-descriptor limit "
       "minus a reserve)",
       true, IntField(&Config::conn_max, 0, 100000000)},
      {"close-timeout-ms", "ASOBI_CLOSE_TIMEOUT_MS",
       "ms a closing connection may go without send progress before it is reset (10000)", true,
       IntField(&Config::close_timeout_ms, 100, 600000)},
      {"http-idle-timeout-ms", "ASOBI_HTTP_IDLE_TIMEOUT_MS",
       "ms an HTTP connection may wait for its next request before it is closed (5000)", true,
       IntField(&Config::http_idle_timeout_ms, 1, 3600000)},
      {"http-header-timeout-ms", "ASOBI_HTTP_HEADER_TIMEOUT_MS",
       "ms from a request's first byte to the end of its headers, else 408 (10000)", true,
       IntField(&Config::http_header_timeout_ms, 1, 3600000)},
      {"http-body-timeout-ms", "ASOBI_HTTP_BODY_TIMEOUT_MS",
       "ms from the end of the headers to the end of the body, else 408 (30000)", true,
       IntField(&Config::http_body_timeout_ms, 1, 3600000)},
      {"http-request-timeout-ms", "ASOBI_HTTP_REQUEST_TIMEOUT_MS",
       "ms a route may take to answer before the client gets 503 not_ready (10000)", true,
       IntField(&Config::http_request_timeout_ms, 1, 3600000)},
      {"http-linger-ms", "ASOBI_HTTP_LINGER_MS",
       "ms to read and discard input after answering and closing (lingering close, 5000)", true,
       IntField(&Config::http_linger_ms, 1, 600000)},
      {"ws-idle-timeout-ms", "ASOBI_WS_IDLE_TIMEOUT_MS",
       "ms of inbound silence before an authenticated WebSocket is closed with 1000 (60000)", true,
       IntField(&Config::ws_idle_timeout_ms, 1, 86400000)},
      {"ws-rate-limit-close-after", "ASOBI_WS_RATE_LIMIT_CLOSE_AFTER",
       "rate-limited WebSocket messages in a row before close 1008 rate_limited (60; 0 = never)",
       true, IntField(&Config::ws_rate_limit_close_after, 0, 1000000)},
      {"metrics-token", "ASOBI_METRICS_TOKEN",
       "bearer token that opens /metrics to non-loopback clients (unset: loopback only)", true,
       StrField(&Config::metrics_token)},
      {"db-timeout-ms", "ASOBI_DB_TIMEOUT_MS",
       "ms within which every database statement answers or fails with 503 not_ready; the "
       "server-side statement_timeout is 3/4 of it, lock_timeout 1/2 (3000)",
       true, IntField(&Config::db_timeout_ms, 100, 3600000)},
      {"hash-queue-wait-ms", "ASOBI_HASH_QUEUE_WAIT_MS",
       "ms a password-hashing job may wait for a worker before it is answered 503 not_ready "
       "without hashing (2000)",
       true, IntField(&Config::hash_queue_wait_ms, 1, 3600000)},
      {"token-sweep-ms", "ASOBI_TOKEN_SWEEP_MS",
       "ms between sweeps deleting expired player_tokens rows (600000; 0 = off)", true,
       IntField(&Config::token_sweep_ms, 0, int64_t(1) << 40)},
      {"log-queue-lines", "ASOBI_LOG_QUEUE_LINES",
       "log lines buffered for the logger thread; past it lines are dropped and counted "
       "(16384; 0 = write synchronously)",
       true, IntField(&Config::log_queue_lines, 0, int64_t(1) << 24)},
      {"lua-overrun-limit", "ASOBI_LUA_OVERRUN_LIMIT",
       "Lua budget overruns within the window that end a match (bot: its script) (3; 0 = never)",
       true, IntField(&Config::lua_overrun_limit, 0, 1000000)},
      {"lua-overrun-window-ms", "ASOBI_LUA_OVERRUN_WINDOW_MS",
       "window of --lua-overrun-limit in ms (30000)", true,
       IntField(&Config::lua_overrun_window_ms, 1, int64_t(1) << 40)},
      {"lua-node-max-bytes", "ASOBI_LUA_NODE_MAX_BYTES",
       "bytes of all match and bot Lua states together (0 = half of the physical memory)", true,
       IntField(&Config::lua_node_max_bytes, 0, int64_t(1) << 50)},
      {"binary-wire", "ASOBI_BINARY_WIRE",
       "grant the binary world.tick wire to sessions asking for it with wire:\"binary\" "
       "(upstream asobi.binary_wire; off: every session gets json)",
       false, BoolField(&Config::binary_wire)},
      {"iap-apple-bundle-id", "ASOBI_IAP_APPLE_BUNDLE_ID",
       "bundle id an Apple StoreKit 2 transaction must carry (unset: Apple IAP off)", true,
       StrField(&Config::iap_apple_bundle_id)},
      {"iap-apple-root-certs", "ASOBI_IAP_APPLE_ROOT_CERTS",
       "PEM file of the root certificates an Apple x5c chain must end in (Apple Root CA - G3)",
       true, StrField(&Config::iap_apple_root_certs)},
      {"iap-google-package-name", "ASOBI_IAP_GOOGLE_PACKAGE_NAME",
       "Android package name for Play purchase checks (unset: Google IAP off)", true,
       StrField(&Config::iap_google_package_name)},
      {"iap-google-service-account", "ASOBI_IAP_GOOGLE_SERVICE_ACCOUNT",
       "service-account JSON key file for the Android Publisher API", true,
       StrField(&Config::iap_google_service_account)},
      {"iap-google-api-base", "ASOBI_IAP_GOOGLE_API_BASE",
       "Android Publisher API base URL (https://androidpublisher.googleapis.com)", true,
       StrField(&Config::iap_google_api_base)},
      {"iap-google-token-uri", "ASOBI_IAP_GOOGLE_TOKEN_URI",
       "OAuth token endpoint (default: the key file's token_uri)", true,
       StrField(&Config::iap_google_token_uri)},
      {"iap-http-timeout-ms", "ASOBI_IAP_HTTP_TIMEOUT_MS",
       "ms one request to a store provider may take (10000)", true,
       IntField(&Config::iap_http_timeout_ms, 100, 600000)},
      {"iap-workers", "ASOBI_IAP_WORKERS",
       "threads verifying purchases with the store providers, off the shards (2)", true,
       IntField(&Config::iap_workers, 1, 64)},
      {"accepts-per-turn", "ASOBI_ACCEPTS_PER_TURN",
       "connections each shard accepts per reactor turn at most (32; 0 = no bound, multishot)",
       true, IntField(&Config::accepts_per_turn, 0, 4096)},
      {"leaderboard-client-submit", "ASOBI_LEADERBOARD_CLIENT_SUBMIT",
       "comma-separated leaderboard ids that accept client score submits over REST, or `all` "
       "(default: none)",
       true,
       [](Config& c, const std::string& v) {
         c.leaderboard_client_submit = SplitList(v);
         return true;
       }},
      {"leaderboard-max-boards", "ASOBI_LEADERBOARD_MAX_BOARDS",
       "live leaderboards per node; a submit starting one more gets capacity_reached (1000)", true,
       IntField(&Config::leaderboard_max_boards, 1, 1000000)},
      {"leaderboard-flush-ms", "ASOBI_LEADERBOARD_FLUSH_MS",
       "ms between writes of changed leaderboard entries to the database (30000)", true,
       IntField(&Config::leaderboard_flush_ms, 10, 3600000)},
      {"tournament-tick-ms", "ASOBI_TOURNAMENT_TICK_MS",
       "ms between checks of tournament start and end times; ended tournaments get their "
       "rewards granted then (1000)",
       true, IntField(&Config::tournament_tick_ms, 10, 3600000)},
      {"chat-history-buffer-rows", "ASOBI_CHAT_HISTORY_BUFFER_ROWS",
       "chat messages buffered per shard for chat_messages while PostgreSQL is slow or down; "
       "past it new messages are delivered but not stored (50000)",
       true, IntField(&Config::chat_history_buffer_rows, 1, 10000000)},
      {"vote-veto-tokens", "ASOBI_VOTE_VETO_TOKENS",
       "vote.veto tokens per player per match (0: every veto answers no_veto_tokens)", true,
       IntField(&Config::vote_veto_tokens, 0, 1000)},
      {"storage", "ASOBI_STORAGE",
       "cloud saves and storage: true|false (true); false = /saves and /storage answer 404 "
       "and scripts get no game.storage",
       true,
       [](Config& c, const std::string& v) {
         c.storage = !(v == "false" || v == "0" || v == "off");
         return true;
       }},
      {"cluster-nats", "ASOBI_CLUSTER_NATS",
       "NATS URLs (comma-separated nats://[user:pass@]host:port) of the cluster bus; empty = "
       "clustering off (default)",
       true, StrField(&Config::cluster_nats)},
      {"cluster-node-id", "ASOBI_CLUSTER_NODE_ID",
       "this node's id in the cluster, [A-Za-z0-9_-], unique (default: <hostname>-<pid>)", true,
       StrField(&Config::cluster_node_id)},
      {"cluster-nats-user", "ASOBI_CLUSTER_NATS_USER", "NATS user name of the cluster bus", true,
       StrField(&Config::cluster_nats_user)},
      {"cluster-nats-password", "ASOBI_CLUSTER_NATS_PASSWORD", "NATS password of the cluster bus",
       true, StrField(&Config::cluster_nats_password)},
      {"cluster-nats-token", "ASOBI_CLUSTER_NATS_TOKEN", "NATS token of the cluster bus", true,
       StrField(&Config::cluster_nats_token)},
      {"cluster-prefix", "ASOBI_CLUSTER_PREFIX",
       "first token of the cluster's NATS subjects (asobi)", true,
       StrField(&Config::cluster_prefix)},
      {"cluster-seat-lease-ms", "ASOBI_CLUSTER_SEAT_LEASE_MS",
       "clustered nodes: the match seats of a node silent this long (no database heartbeat; "
       "one every lease/5) may be taken by another node (10000)",
       true, IntField(&Config::cluster_seat_lease_ms, 1000, 3600000)},
      {"kv-ttl-seconds", "ASOBI_KV_TTL_SECONDS",
       "expiry of a game.kv write that gives no ttl_seconds (3600)", true,
       IntField(&Config::kv_ttl_seconds, 1, 100000000)},
      {"kv-max-keys", "ASOBI_KV_MAX_KEYS",
       "game.kv entries per node; past it writes of new keys answer kv_full (100000)", true,
       IntField(&Config::kv_max_keys, 1, 100000000)},
      {"oidc-providers", "ASOBI_OIDC_PROVIDERS",
       "OpenID providers for POST /auth/oauth as JSON: {\"google\":{\"issuer\":…,"
       "\"client_id\":…,\"jwks_uri\":…},…} (google, apple, microsoft, discord; unset: none)",
       true, StrField(&Config::oidc_providers)},
      {"oauth-workers", "ASOBI_OAUTH_WORKERS",
       "threads verifying OAuth ID tokens and fetching JWKS, off the shards (2)", true,
       IntField(&Config::oauth_workers, 1, 64)},
      {"ops-secret", "ASOBI_OPS_SECRET",
       "Bearer secret of the ops API and the console sign-in (unset: every ops route 403)", true,
       StrField(&Config::ops_secret)},
      {"ops-token-secret", "ASOBI_OPS_TOKEN_SECRET",
       "HMAC key of minted v1. ops tokens, at least 32 bytes (unset: v1 tokens refused)", true,
       StrField(&Config::ops_token_secret)},
      {"console", "ASOBI_CONSOLE", "serve the operator console at /console (off)", false,
       BoolField(&Config::console)},
      {"steam-api-key", "ASOBI_STEAM_API_KEY",
       "Steam publisher Web API key for `steam` session tickets (unset: steam sign-in off)", true,
       StrField(&Config::steam_api_key)},
      {"steam-app-id", "ASOBI_STEAM_APP_ID", "Steam app id the session tickets are for", true,
       StrField(&Config::steam_app_id)},
      {"steam-api-base", "ASOBI_STEAM_API_BASE",
       "Steam Web API base URL (https://partner.steam-api.com)", true,
       StrField(&Config::steam_api_base)},
      {"seasons", "ASOBI_SEASONS",
       "JSON file of the seasons (docs/seasons.md); the server does not start when it is bad "
       "(default: no seasons)",
       true, StrField(&Config::seasons_file)},
      {"season-tick-ms", "ASOBI_SEASON_TICK_MS",
       "ms between checks of season start and end times; ended seasons get their leaderboards "
       "archived and reset and their rewards granted then (1000)",
       true, IntField(&Config::season_tick_ms, 10, 3600000)},
  };
  return flags;
}

}  // namespace

std::string Usage() {
  std::string out =
      "asobi: multiplayer game backend (Asobi wire protocol)\n\n"
      "Usage: asobi [--flag value]...\n\n"
      "Every flag can also be set through the environment variable shown.\n\n";
  for (const Flag& f : Flags()) {
    std::string left = std::string("  --") + f.name + (f.takes_value ? " VALUE" : "");
    left.resize(std::max<size_t>(left.size() + 1, 34), ' ');
    out += left + f.help + "  [" + f.env + "]\n";
  }
  out += "  --help                          print this text\n";
  return out;
}

Result<Config> ParseConfig(int argc, char** argv, bool* help) {
  Config c;
  *help = false;
  for (const Flag& f : Flags()) {
    if (const char* v = std::getenv(f.env)) {
      if (!f.set(c, v)) return MakeError("bad_flag", std::string("bad value for ") + f.env);
    }
  }
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      *help = true;
      return c;
    }
    if (arg.substr(0, 2) != "--")
      return MakeError("bad_flag", "unexpected argument " + std::string(arg));
    arg.remove_prefix(2);
    std::string value;
    bool has_value = false;
    if (size_t eq = arg.find('='); eq != std::string_view::npos) {
      value = std::string(arg.substr(eq + 1));
      arg = arg.substr(0, eq);
      has_value = true;
    }
    const Flag* flag = nullptr;
    for (const Flag& f : Flags()) {
      if (arg == f.name) flag = &f;
    }
    if (!flag) return MakeError("bad_flag", "unknown flag --" + std::string(arg));
    if (flag->takes_value && !has_value) {
      if (i + 1 >= argc) return MakeError("bad_flag", "--" + std::string(arg) + " needs a value");
      value = argv[++i];
    }
    if (!flag->set(c, value)) {
      return MakeError("bad_flag", "bad value for --" + std::string(arg) + ": " + value);
    }
  }
  return c;
}

int ResolvedShardCount(const Config& c) {
  int n = c.shards > 0 ? c.shards : int(sysconf(_SC_NPROCESSORS_ONLN));
  return n < 1 ? 1 : (n > kMaxShards ? kMaxShards : n);
}

int64_t ResolvedConnMax(const Config& c) {
  if (c.conn_max > 0) return c.conn_max;
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY) return 1 << 20;
  int64_t limit = int64_t(rl.rlim_cur);
  int64_t reserve = std::min<int64_t>(1024, limit / 4);
  return std::max<int64_t>(1, limit - reserve);
}

size_t ResolvedLuaNodeMaxBytes(const Config& c) {
  if (c.lua_node_max_bytes > 0) return size_t(c.lua_node_max_bytes);
  const long pages = sysconf(_SC_PHYS_PAGES), page_bytes = sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page_bytes <= 0) return size_t{4} << 30;  // unknown: 4 GiB
  return size_t(pages) * size_t(page_bytes) / 2;
}

}  // namespace asobi
