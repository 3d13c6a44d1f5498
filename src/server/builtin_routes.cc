// /health, /ready, /live (rest.md §3.13) and /metrics (Prometheus text format, ours).
#include <sys/resource.h>

#include <string>

#include "base/clock.h"
#include "game/domain.h"
#include "http/error_response.h"
#include "protocol/json_writer.h"
#include "server/metrics_access.h"
#include "server/server.h"

namespace asobi {
namespace {

const int64_t kStartMs = MonoMs();

http::HttpResponse Json(int status, std::string body) {
  http::HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

void Health(const ServerShared& shared, HttpCall& call) {
  bool ready = !shared.ready || shared.ready();
  bool has_db = !shared.config.db_host.empty();
  JsonWriter w;
  w.BeginObject();
  w.Key("status");
  w.String(ready ? "healthy" : "unhealthy");
  w.Key("dependencies");
  w.BeginObject();
  w.Key("primary_db");
  w.BeginObject();
  w.Key("status");
  w.String(!has_db ? "disabled" : (ready ? "up" : "down"));
  w.EndObject();
  if (shared.cluster) {  // only on clustered nodes: the single-node body is unchanged
    w.Key("cluster");
    w.BeginObject();
    w.Key("status");
    w.String(shared.cluster->bus->connected() ? "up" : "down");
    w.EndObject();
  }
  w.EndObject();
  w.Key("vm");
  w.BeginObject();
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  w.Key("memory_mb");
  w.Int(ru.ru_maxrss / 1024);
  w.Key("process_count");
  w.Int(shared.shards ? shared.shards->size() : 0);
  w.Key("run_queue");
  w.Int(0);
  w.Key("uptime_seconds");
  w.Int((MonoMs() - kStartMs) / 1000);
  w.Key("node");
  w.String("asobi-cpp");
  w.EndObject();
  w.EndObject();
  call.respond(Json(200, std::move(w.out())));
}

void Metric(std::string* out, const char* name, const char* type, const char* help) {
  *out += "# HELP ";
  *out += name;
  *out += ' ';
  *out += help;
  *out += "\n# TYPE ";
  *out += name;
  *out += ' ';
  *out += type;
  *out += '\n';
}

template <typename Get>
void PerShard(std::string* out, const ServerShared& shared, const char* name, Get get) {
  for (int i = 0; i < shared.shards->size(); ++i) {
    *out += name;
    *out += "{shard=\"" + std::to_string(i) + "\"} " +
            std::to_string(get(shared.shards->shard(i).metrics())) + "\n";
  }
}

void Metrics(const ServerShared& shared, HttpCall& call) {
  if (!MetricsAccessAllowed(call.peer_ip, call.request, shared.config.metrics_token)) {
    call.respond(http::ErrorResponse(
        "forbidden", "/metrics is served to loopback clients, or with the --metrics-token bearer"));
    return;
  }
  std::string out;
  auto relaxed = std::memory_order_relaxed;
  Metric(&out, "asobi_connections", "gauge", "Open TCP connections.");
  PerShard(&out, shared, "asobi_connections",
           [&](ShardMetrics& m) { return m.connections.load(relaxed); });
  Metric(&out, "asobi_ws_sessions", "gauge", "Open WebSocket sessions.");
  PerShard(&out, shared, "asobi_ws_sessions",
           [&](ShardMetrics& m) { return m.ws_sessions.load(relaxed); });
  Metric(&out, "asobi_ws_frames_in_total", "counter", "WebSocket data frames received.");
  PerShard(&out, shared, "asobi_ws_frames_in_total",
           [&](ShardMetrics& m) { return m.frames_in.load(relaxed); });
  Metric(&out, "asobi_ws_frames_out_total", "counter", "WebSocket frames sent.");
  PerShard(&out, shared, "asobi_ws_frames_out_total",
           [&](ShardMetrics& m) { return m.frames_out.load(relaxed); });
  Metric(&out, "asobi_bytes_in_total", "counter", "Bytes received.");
  PerShard(&out, shared, "asobi_bytes_in_total",
           [&](ShardMetrics& m) { return m.bytes_in.load(relaxed); });
  Metric(&out, "asobi_bytes_out_total", "counter", "Bytes sent.");
  PerShard(&out, shared, "asobi_bytes_out_total",
           [&](ShardMetrics& m) { return m.bytes_out.load(relaxed); });
  Metric(&out, "asobi_http_requests_total", "counter", "HTTP requests parsed.");
  PerShard(&out, shared, "asobi_http_requests_total",
           [&](ShardMetrics& m) { return m.http_requests.load(relaxed); });
  Metric(&out, "asobi_mailbox_full_total", "counter",
         "Cross-shard submissions refused (mailbox full).");
  PerShard(&out, shared, "asobi_mailbox_full_total",
           [&](ShardMetrics& m) { return m.mailbox_full.load(relaxed); });
  Metric(&out, "asobi_send_overflow_closes_total", "counter",
         "Connections closed for a full send queue.");
  PerShard(&out, shared, "asobi_send_overflow_closes_total",
           [&](ShardMetrics& m) { return m.send_overflow_closes.load(relaxed); });
  Metric(&out, "asobi_conn_refused_per_ip_total", "counter",
         "Connections refused at accept: per-address cap (--conn-per-ip-max).");
  PerShard(&out, shared, "asobi_conn_refused_per_ip_total",
           [&](ShardMetrics& m) { return m.conn_refused_per_ip.load(relaxed); });
  Metric(&out, "asobi_conn_refused_node_total", "counter",
         "Connections refused at accept: node-wide cap (--conn-max).");
  PerShard(&out, shared, "asobi_conn_refused_node_total",
           [&](ShardMetrics& m) { return m.conn_refused_node.load(relaxed); });
  Metric(&out, "asobi_conn_force_closes_total", "counter",
         "Closing connections reset after --close-timeout-ms without send progress.");
  PerShard(&out, shared, "asobi_conn_force_closes_total",
           [&](ShardMetrics& m) { return m.force_closes.load(relaxed); });
  Metric(&out, "asobi_shard_cpu_seconds_total", "counter",
         "CPU time (user + system) used by the shard's thread.");
  for (int i = 0; i < shared.shards->size(); ++i) {
    double cpu = shared.shards->shard(i).ThreadCpuSeconds();
    if (cpu < 0) continue;
    char value[32];
    snprintf(value, sizeof value, "%.6f", cpu);
    out += "asobi_shard_cpu_seconds_total{shard=\"" + std::to_string(i) + "\"} " + value + "\n";
  }
  Metric(&out, "asobi_loop_turn_seconds", "histogram", "Busy time per reactor loop turn.");
  static const uint64_t kEdgesUs[] = {10,   50,   100,   250,   500,   1000,
                                      2500, 5000, 10000, 50000, 100000};
  for (int i = 0; i < shared.shards->size(); ++i) {
    const Histogram& h = shared.shards->shard(i).reactor().turn_latency_us();
    std::string shard = "shard=\"" + std::to_string(i) + "\"";
    for (uint64_t edge : kEdgesUs) {
      char le[32];
      snprintf(le, sizeof le, "%g", double(edge) / 1e6);
      out += "asobi_loop_turn_seconds_bucket{" + shard + ",le=\"" + le + "\"} " +
             std::to_string(h.CountAtOrBelow(edge)) + "\n";
    }
    out += "asobi_loop_turn_seconds_bucket{" + shard + ",le=\"+Inf\"} " +
           std::to_string(h.count()) + "\n";
    char sum[32];
    snprintf(sum, sizeof sum, "%.6f", double(h.sum()) / 1e6);
    out += "asobi_loop_turn_seconds_sum{" + shard + "} " + sum + "\n";
    out += "asobi_loop_turn_seconds_count{" + shard + "} " + std::to_string(h.count()) + "\n";
  }
  for (const auto& write : shared.metrics_writers) write(&out);
  http::HttpResponse r = Json(200, std::move(out));
  r.content_type = "text/plain; version=0.0.4";
  call.respond(std::move(r));
}

}  // namespace

void RegisterBuiltinRoutes(ServerShared& shared) {
  ServerShared* s = &shared;
  shared.http_api.Add("GET", "/health", [s](HttpCall& c) { Health(*s, c); });
  shared.http_api.Add("GET", "/ready", [s](HttpCall& c) {
    // SIGTERM: the load balancer moves new traffic away (docs/decisions.md "SIGTERM drain").
    if (s->draining.load()) return c.respond(Json(503, R"({"status":"draining"})"));
    bool ready = !s->ready || s->ready();
    if (!ready) return c.respond(Json(503, R"({"status":"not_ready"})"));
    // Cluster bus down: the node still serves its local players (200), but says it is degraded
    // (docs/decisions.md "Cluster: /ready while NATS is unreachable").
    if (s->cluster && !s->cluster->bus->connected()) {
      return c.respond(Json(200, R"({"status":"degraded","cluster":"disconnected"})"));
    }
    c.respond(Json(200, R"({"status":"ready"})"));
  });
  shared.http_api.Add("GET", "/live",
                      [](HttpCall& c) { c.respond(Json(200, R"({"status":"alive"})")); });
  shared.http_api.Add("GET", "/metrics", [s](HttpCall& c) { Metrics(*s, c); });
}

}  // namespace asobi
